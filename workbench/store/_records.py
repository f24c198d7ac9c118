"""``RunRecord``: what the store knows about one run, as plain frozen data."""

from __future__ import annotations

import dataclasses
import json
import os
import pathlib
from collections.abc import Iterator, Mapping
from typing import Any

RUNNING, SCHEDULED, FINISHED, FAILED, KILLED = "RUNNING", "SCHEDULED", "FINISHED", "FAILED", "KILLED"
#: MLflow's RunStatus names.
RUN_STATUSES = (RUNNING, SCHEDULED, FINISHED, FAILED, KILLED)
ACTIVE, DELETED = "active", "deleted"

#: The tags MLflow sets on every run; kept under the same keys so filters written for MLflow work.
RUN_NAME_TAG = "mlflow.runName"
PARENT_RUN_ID_TAG = "mlflow.parentRunId"


class JsonMapping(Mapping):
    """A read-only ``{str: value}`` mapping kept as JSON text and decoded on first use.

    Examples
    --------
    >>> m = JsonMapping('{"acc": 0.9, "loss": NaN}')
    >>> m["acc"], len(m), sorted(m), m == {"acc": 0.9, "loss": m["loss"]}
    (0.9, 2, ['acc', 'loss'], True)
    >>> m
    {'acc': 0.9, 'loss': nan}
    """

    __slots__ = ("_text", "_data")

    def __init__(self, text: str) -> None:
        self._text = text
        self._data: dict[str, Any] | None = None

    def _dict(self) -> dict[str, Any]:
        data = self._data
        if data is None:
            data = self._data = json.loads(self._text)
        return data

    def __getitem__(self, key: str) -> Any:
        return self._dict()[key]

    def __contains__(self, key: object) -> bool:
        return key in self._dict()

    def __iter__(self) -> Iterator[str]:
        return iter(self._dict())

    def __len__(self) -> int:
        return len(self._dict())

    # The views and get() of the decoded dict itself: Mapping's own ones call __getitem__ per
    # key in Python, 200,000 calls for a DataFrame of 10,000 runs x 20 metrics.
    def keys(self) -> Any:
        return self._dict().keys()

    def values(self) -> Any:
        return self._dict().values()

    def items(self) -> Any:
        return self._dict().items()

    def get(self, key: str, default: Any = None) -> Any:
        return self._dict().get(key, default)

    def as_dict(self) -> dict[str, Any]:
        """The decoded dict itself (no copy: treat it as read-only)."""
        return self._dict()

    def __repr__(self) -> str:
        return repr(self._dict())

    def __deepcopy__(self, memo: dict) -> dict[str, Any]:
        return dict(self._dict())


@dataclasses.dataclass(frozen=True)
class RunRecord:
    """One run as the store holds it (``metrics`` are the latest value of each key).

    ``path`` (the run directory) is built on first use: listing 10,000 runs must not build
    10,000 ``pathlib.Path`` objects nobody looks at.

    Examples
    --------
    >>> import pathlib
    >>> r = RunRecord("ab" * 16, "bold-owl-1", "RUNNING", 1, None, {}, {"acc": 0.9}, {},
    ...               "file:///tmp/x/artifacts", pathlib.Path("/tmp/x"))
    >>> r.metrics["acc"], r.experiment_id, r.lifecycle_stage, r.path
    (0.9, '0', 'active', PosixPath('/tmp/x'))
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
    path: dataclasses.InitVar[str | pathlib.Path]
    experiment_id: str = "0"
    lifecycle_stage: str = ACTIVE
    _path: str = dataclasses.field(init=False, repr=False)

    def __post_init__(self, path: str | pathlib.Path) -> None:
        object.__setattr__(self, "_path", os.fspath(path))

    @classmethod
    def _trusted(cls, values: tuple) -> RunRecord:
        """Build a record from the index's already checked values, in :data:`_FIELDS` order.

        The generated ``__init__`` of a frozen dataclass sets each field through
        ``object.__setattr__``; for 10,000 records that is half the cost of a cold listing.
        """
        record = object.__new__(cls)
        record.__dict__.update(zip(_FIELDS, values))
        return record

    @property
    def parent_run_id(self) -> str | None:
        """The parent's run id for a nested run (MLflow's ``mlflow.parentRunId`` tag)."""
        return self.tags.get(PARENT_RUN_ID_TAG)

    def to_dict(self) -> dict[str, Any]:
        """Return the record as a JSON-ready dict (``path`` as a string)."""
        out = dataclasses.asdict(self)
        del out["_path"]
        out["path"] = self._path
        out["params"], out["metrics"], out["tags"] = dict(self.params), dict(self.metrics), dict(self.tags)
        return out


def _record_path(self: RunRecord) -> pathlib.Path:
    """The run directory."""
    return pathlib.Path(self._path)


_FIELDS = ("run_id", "run_name", "status", "start_time", "end_time", "params", "metrics", "tags",
           "artifact_uri", "_path", "experiment_id", "lifecycle_stage")
_NAMES = tuple(f.name for f in dataclasses.fields(RunRecord))
assert _FIELDS == _NAMES[:9] + ("_path",) + _NAMES[9:11], _NAMES

# Set after the class is made: a property in the class body would be taken for the default
# of the ``path`` init argument.
RunRecord.path = property(_record_path)  # type: ignore[assignment,method-assign]
