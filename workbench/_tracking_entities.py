"""``Run``, ``RunInfo`` and ``RunData``: MLflow's run entities, built from a store record."""

from __future__ import annotations

from typing import Any

from workbench.store import RunRecord


class RunInfo:
    """Metadata of a run (MLflow's ``RunInfo``): ids, name, status, times, artifact URI."""

    def __init__(self, record: RunRecord) -> None:
        self.run_id: str = record.run_id
        self.run_name: str = record.run_name
        self.experiment_id: str = record.experiment_id
        self.user_id: str = ""
        self.status: str = record.status
        self.start_time: int = record.start_time
        self.end_time: int | None = record.end_time
        self.lifecycle_stage: str = record.lifecycle_stage
        self.artifact_uri: str = record.artifact_uri

    @property
    def run_uuid(self) -> str:
        """MLflow's deprecated alias of :attr:`run_id`."""
        return self.run_id

    def __repr__(self) -> str:
        return f"<RunInfo: run_id={self.run_id!r}, run_name={self.run_name!r}, status={self.status!r}>"


class RunData:
    """Latest metrics, params and tags of a run (MLflow's ``RunData``).

    Each dict is made on first use (a listing of 10,000 runs decodes only what is read).
    """

    def __init__(self, record: RunRecord) -> None:
        self._record = record
        self._metrics: dict[str, float] | None = None
        self._params: dict[str, str] | None = None
        self._tags: dict[str, str] | None = None

    @property
    def metrics(self) -> dict[str, float]:
        """``{key: latest value}``."""
        if self._metrics is None:
            self._metrics = dict(self._record.metrics)
        return self._metrics

    @property
    def params(self) -> dict[str, str]:
        """``{key: value}``."""
        if self._params is None:
            self._params = dict(self._record.params)
        return self._params

    @property
    def tags(self) -> dict[str, str]:
        """``{key: value}``."""
        if self._tags is None:
            self._tags = dict(self._record.tags)
        return self._tags

    def __repr__(self) -> str:
        return f"<RunData: metrics={self.metrics!r}, params={self.params!r}, tags={self.tags!r}>"


class Run:
    """A run: ``run.info`` (:class:`RunInfo`) and ``run.data`` (:class:`RunData`).

    Examples
    --------
    >>> import tempfile
    >>> from workbench import _tracking as wb
    >>> _ = wb.set_workspace(tempfile.mkdtemp())
    >>> with wb.start_run(run_name="demo") as run:
    ...     wb.log_metric("acc", 0.9)
    >>> r = wb.get_run(run.info.run_id)
    >>> r.info.run_name, r.info.status, r.data.metrics
    ('demo', 'FINISHED', {'acc': 0.9})
    """

    def __init__(self, record: RunRecord) -> None:
        self._record = record
        self.info = RunInfo(record)
        self.data = RunData(record)

    def to_dictionary(self) -> dict[str, Any]:
        """Return ``{"info": {...}, "data": {...}}`` like MLflow's ``Run.to_dictionary``."""
        info = {k: v for k, v in vars(self.info).items()}
        return {"info": info, "data": {"metrics": self.data.metrics, "params": self.data.params, "tags": self.data.tags}}

    def __repr__(self) -> str:
        return f"<Run: info={self.info!r}, data={self.data!r}>"
