"""``RunRecord``: what the store knows about one run, as plain frozen data."""

from __future__ import annotations

import dataclasses
import pathlib
from collections.abc import Mapping
from typing import Any

RUNNING, SCHEDULED, FINISHED, FAILED, KILLED = "RUNNING", "SCHEDULED", "FINISHED", "FAILED", "KILLED"
#: MLflow's RunStatus names.
RUN_STATUSES = (RUNNING, SCHEDULED, FINISHED, FAILED, KILLED)
ACTIVE, DELETED = "active", "deleted"

#: The tags MLflow sets on every run; kept under the same keys so filters written for MLflow work.
RUN_NAME_TAG = "mlflow.runName"
PARENT_RUN_ID_TAG = "mlflow.parentRunId"


@dataclasses.dataclass(frozen=True)
class RunRecord:
    """One run as the store holds it (``metrics`` are the latest value of each key).

    Examples
    --------
    >>> import pathlib
    >>> r = RunRecord("ab" * 16, "bold-owl-1", "RUNNING", 1, None, {}, {"acc": 0.9}, {},
    ...               "file:///tmp/x/artifacts", pathlib.Path("/tmp/x"))
    >>> r.metrics["acc"], r.experiment_id, r.lifecycle_stage
    (0.9, '0', 'active')
    """

    run_id: str
    run_name: str
    status: str
    start_time: int
    end_time: int | None
    params: Mapping[str, str]
    metrics: Mapping[str, float]
    tags: Mapping[str, str]
    artifact_uri: str
    path: pathlib.Path
    experiment_id: str = "0"
    lifecycle_stage: str = ACTIVE

    @property
    def parent_run_id(self) -> str | None:
        """The parent's run id for a nested run (MLflow's ``mlflow.parentRunId`` tag)."""
        return self.tags.get(PARENT_RUN_ID_TAG)

    def to_dict(self) -> dict[str, Any]:
        """Return the record as a JSON-ready dict (``path`` as a string)."""
        out = dataclasses.asdict(self)
        out["path"] = str(self.path)
        out["params"], out["metrics"], out["tags"] = dict(self.params), dict(self.metrics), dict(self.tags)
        return out
