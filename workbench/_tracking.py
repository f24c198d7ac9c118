"""The fluent tracking API: MLflow's ``mlflow.start_run``, ``log_metric``, ``search_runs`` …

Names, arguments and semantics follow ``mlflow.tracking.fluent``: a per-thread stack of
active runs (``start_run(nested=True)`` pushes a child of the current run), functions that
need a run start one when none is active, ``ActiveRun`` is a context manager that ends the
run as FINISHED, or FAILED when the block raises. Runs live in the workspace
(:func:`get_workspace`); experiments are not modelled, every run is in experiment ``"0"``.

Examples
--------
>>> import tempfile
>>> from workbench import _tracking as wb
>>> _ = wb.set_workspace(tempfile.mkdtemp())
>>> with wb.start_run(run_name="parent") as parent:
...     _ = wb.log_param("max_depth", 7)
...     with wb.start_run(run_name="child", nested=True) as child:
...         wb.log_metrics({"acc": 0.91, "f1": 0.88}, step=1)
>>> child.data.tags["mlflow.parentRunId"] == parent.info.run_id
True
>>> df = wb.search_runs(filter_string="metrics.acc > 0.9")
>>> list(df["tags.mlflow.runName"]), float(df["metrics.acc"].iloc[0])
(['child'], 0.91)
"""

from __future__ import annotations

import json
import os
import pathlib
import threading
from collections.abc import Mapping
from typing import Any

from workbench._exceptions import INVALID_PARAMETER_VALUE, WorkbenchException
from workbench._tracking_entities import Run, RunData, RunInfo
from workbench.store import ACTIVE_ONLY, get_store, get_workspace, set_workspace
from workbench.store._records import FINISHED, RUN_NAME_TAG, RUN_STATUSES, JsonMapping
from workbench.store._store import now_ms

__all__ = [
    "ActiveRun", "Run", "RunData", "RunInfo", "active_run", "delete_run", "end_run", "get_run",
    "get_workspace", "last_active_run", "log_artifact", "log_artifacts", "log_dict", "log_metric",
    "log_metrics", "log_param", "log_params", "log_text", "search_runs", "set_tag", "set_tags",
    "set_workspace", "start_run",
]

#: MLflow's ``SEARCH_MAX_RESULTS_PANDAS``.
SEARCH_MAX_RESULTS_PANDAS = 100000
NOTE_TAG = "mlflow.note.content"


class _Local(threading.local):
    def __init__(self) -> None:
        self.stack: list[ActiveRun] = []


_local = _Local()
_last_active_run_id: str | None = None


class ActiveRun(Run):
    """The run returned by :func:`start_run`; a context manager that ends it on exit."""

    def __enter__(self) -> ActiveRun:
        return self

    def __exit__(self, exc_type, exc, tb) -> bool:
        active = _local.stack
        if any(r.info.run_id == self.info.run_id for r in active):
            status = FINISHED if exc_type is None else "FAILED"
            # End this run and any nested run still open inside it, innermost first.
            while active and active[-1].info.run_id != self.info.run_id:
                end_run(status)
            end_run(status)
        return exc_type is None


def _store():
    return get_store()


def start_run(
    run_id: str | None = None,
    experiment_id: str | None = None,
    run_name: str | None = None,
    nested: bool = False,
    parent_run_id: str | None = None,
    tags: Mapping[str, Any] | None = None,
    description: str | None = None,
    log_system_metrics: bool | None = None,
) -> ActiveRun:
    """Start a new run, or resume ``run_id``, and make it the active run.

    Parameters
    ----------
    run_id : str, optional
        Resume this run (status set back to RUNNING); ``run_name`` and ``tags`` update it.
    experiment_id : str, optional
        Accepted for MLflow compatibility; only experiment ``"0"`` exists.
    run_name : str, optional
        The name; a readable one is generated when omitted.
    nested : bool, default False
        Start a child of the active run. Without it, starting a run while one is active raises.
    parent_run_id : str, optional
        The parent for a nested run (default: the active run); must be active if one is.
    tags : dict, optional
        Tags to set on the run.
    description : str, optional
        Stored as the ``mlflow.note.content`` tag, as MLflow does.
    log_system_metrics : bool, optional
        Accepted for MLflow compatibility; system metrics are not collected.

    Returns
    -------
    ActiveRun
        Use it as a context manager to end the run automatically.

    Raises
    ------
    Exception
        MLflow's message when a run is already active and ``nested`` is False.

    Examples
    --------
    >>> import tempfile
    >>> from workbench import _tracking as wb
    >>> _ = wb.set_workspace(tempfile.mkdtemp())
    >>> with wb.start_run(run_name="first") as run:
    ...     wb.start_run()
    Traceback (most recent call last):
    ...
    workbench._exceptions.WorkbenchException: Run with UUID ... is already active. To start a new run, first end the current run with workbench.end_run(). To start a nested run, call start_run with nested=True
    """
    global _last_active_run_id
    stack = _local.stack
    if experiment_id not in (None, "0", 0):
        raise WorkbenchException(
            f"Experiment {experiment_id!r} does not exist: the workbench workspace has one experiment, '0'.",
            error_code="RESOURCE_DOES_NOT_EXIST",
        )
    if stack and not nested:
        raise WorkbenchException(
            f"Run with UUID {stack[0].info.run_id} is already active. To start a new run, first end the "
            "current run with workbench.end_run(). To start a nested run, call start_run with nested=True",
            error_code=INVALID_PARAMETER_VALUE,
        )
    store = _store()
    user_tags = dict(tags or {})
    if description is not None:
        user_tags[NOTE_TAG] = description
    if run_id is not None:
        record = store.get_run(run_id)
        if record.lifecycle_stage == "deleted":
            raise WorkbenchException(
                f"Cannot start run with ID {run_id} because it is in the deleted state.",
                error_code=INVALID_PARAMETER_VALUE,
            )
        if run_name:
            user_tags[RUN_NAME_TAG] = run_name
        if user_tags:
            store.set_tags(run_id, user_tags)
        store.set_status(run_id, "RUNNING")
        record = store.get_run(run_id)
    else:
        parent = parent_run_id
        if parent is not None and stack and nested and stack[-1].info.run_id != parent:
            raise WorkbenchException(
                f"Current run with UUID {stack[-1].info.run_id} does not match the specified parent_run_id {parent}.",
                error_code=INVALID_PARAMETER_VALUE,
            )
        if parent is None and nested and stack:
            parent = stack[-1].info.run_id
        if parent is not None and store.get_run(parent).lifecycle_stage == "deleted":
            raise WorkbenchException(
                f"Cannot start run under parent run with ID {parent} because it is in the deleted state.",
                error_code=INVALID_PARAMETER_VALUE,
            )
        record = store.create_run(name=run_name, tags=user_tags, parent_run_id=parent)
    active = ActiveRun(record)
    stack.append(active)
    _last_active_run_id = record.run_id
    return active


def end_run(status: str = FINISHED) -> None:
    """End the active run (the innermost one) with ``status``; no-op when none is active.

    Examples
    --------
    >>> import tempfile
    >>> from workbench import _tracking as wb
    >>> _ = wb.set_workspace(tempfile.mkdtemp())
    >>> run = wb.start_run()
    >>> wb.end_run()
    >>> wb.active_run() is None, wb.get_run(run.info.run_id).info.status
    (True, 'FINISHED')
    """
    global _last_active_run_id
    if status not in RUN_STATUSES:
        raise WorkbenchException(
            f"Invalid run status {status!r}: expected one of {list(RUN_STATUSES)}.",
            error_code=INVALID_PARAMETER_VALUE,
        )
    stack = _local.stack
    if not stack:
        return
    run = stack[-1]
    _last_active_run_id = run.info.run_id
    _store().end_run(run.info.run_id, status)
    stack.pop()


def active_run() -> ActiveRun | None:
    """Return the innermost active run, or ``None``."""
    return _local.stack[-1] if _local.stack else None


def last_active_run() -> Run | None:
    """Return the active run, else the most recently active run of this process, else ``None``.

    Examples
    --------
    >>> import tempfile
    >>> from workbench import _tracking as wb
    >>> _ = wb.set_workspace(tempfile.mkdtemp())
    >>> with wb.start_run(run_name="last") as run:
    ...     pass
    >>> wb.last_active_run().info.run_name
    'last'
    """
    if _local.stack:
        return _local.stack[-1]
    if _last_active_run_id is None:
        return None
    return get_run(_last_active_run_id)


def _run_id(run_id: str | None = None) -> str:
    """``run_id``, else the active run's id, else the id of a newly started run (MLflow's rule)."""
    if run_id is not None:
        return run_id
    if _local.stack:
        return _local.stack[-1].info.run_id
    return start_run().info.run_id


def log_param(key: str, value: Any, synchronous: bool | None = None) -> Any:
    """Log one param of the active run (starting one if needed); return ``value``.

    Logging a different value for a key already logged raises ``INVALID_PARAMETER_VALUE``.
    """
    _store().log_params(_run_id(), {key: value})
    return value


def log_params(params: Mapping[str, Any], synchronous: bool | None = None, run_id: str | None = None) -> None:
    """Log several params at once."""
    _store().log_params(_run_id(run_id), params)


def log_metric(
    key: str,
    value: float,
    step: int | None = None,
    synchronous: bool | None = None,
    timestamp: int | None = None,
    run_id: str | None = None,
    model_id: str | None = None,
    dataset: Any = None,
) -> None:
    """Log one metric value at ``step`` (default 0) and ``timestamp`` (default now, ms).

    ``synchronous``, ``model_id`` and ``dataset`` are accepted for MLflow compatibility;
    every call writes synchronously.
    """
    ts = now_ms() if timestamp is None else timestamp
    _store().log_metrics(_run_id(run_id), [(key, value, 0 if step is None else step, ts)])


def log_metrics(
    metrics: Mapping[str, float],
    step: int | None = None,
    synchronous: bool | None = None,
    run_id: str | None = None,
    timestamp: int | None = None,
    model_id: str | None = None,
    dataset: Any = None,
) -> None:
    """Log several metrics at the same ``step`` and ``timestamp``."""
    ts = now_ms() if timestamp is None else timestamp
    s = 0 if step is None else step
    _store().log_metrics(_run_id(run_id), [(k, v, s, ts) for k, v in metrics.items()])


def set_tag(key: str, value: Any, synchronous: bool | None = None) -> None:
    """Set a tag on the active run (``mlflow.runName`` renames it)."""
    _store().set_tags(_run_id(), {key: value})


def set_tags(tags: Mapping[str, Any], synchronous: bool | None = None) -> None:
    """Set several tags on the active run."""
    _store().set_tags(_run_id(), tags)


def log_artifact(local_path: str | os.PathLike, artifact_path: str | None = None, run_id: str | None = None) -> None:
    """Copy a local file into the run's artifacts (under ``artifact_path`` if given)."""
    _store().add_artifact(_run_id(run_id), local_path, artifact_path)


def log_artifacts(local_dir: str | os.PathLike, artifact_path: str | None = None, run_id: str | None = None) -> None:
    """Copy the contents of a local directory into the run's artifacts."""
    if not os.path.isdir(local_dir):
        raise WorkbenchException(
            f"Expected a directory for log_artifacts, got {os.fspath(local_dir)!r}.", error_code=INVALID_PARAMETER_VALUE
        )
    _store().add_artifact(_run_id(run_id), local_dir, artifact_path)


def _artifact_target(artifact_file: str, run_id: str | None) -> pathlib.Path:
    from workbench._io import safe_join

    artifacts = _store().artifact_dir(_run_id(run_id))
    target = safe_join(artifacts, artifact_file)
    target.parent.mkdir(parents=True, exist_ok=True)
    return target


def log_text(text: str, artifact_file: str, run_id: str | None = None) -> None:
    """Write ``text`` to ``artifact_file`` (a relative path) in the run's artifacts, atomically.

    Examples
    --------
    >>> import tempfile
    >>> from workbench import _tracking as wb
    >>> _ = wb.set_workspace(tempfile.mkdtemp())
    >>> with wb.start_run() as run:
    ...     wb.log_text("hello", "notes/readme.txt")
    ...     wb.log_text("x", "../escape.txt")
    Traceback (most recent call last):
    ...
    workbench._exceptions.WorkbenchException: Refusing path '../escape.txt': it contains a '..' component...
    """
    from workbench._io import atomic_write_text

    atomic_write_text(_artifact_target(artifact_file, run_id), text)


def log_dict(dictionary: Any, artifact_file: str, run_id: str | None = None) -> None:
    """Write ``dictionary`` as YAML (``.yaml``/``.yml``) or JSON (otherwise) to ``artifact_file``."""
    from workbench._io import atomic_write_text, dumps_json

    target = _artifact_target(artifact_file, run_id)
    if target.suffix in (".yaml", ".yml"):
        import yaml

        text = yaml.safe_dump(json.loads(dumps_json(dictionary)), default_flow_style=False, sort_keys=False)
    else:
        text = dumps_json(dictionary, indent=2)
    atomic_write_text(target, text)


def get_run(run_id: str) -> Run:
    """Return the run ``run_id``; ``RESOURCE_DOES_NOT_EXIST`` when there is none."""
    return Run(_store().get_run(run_id))


def delete_run(run_id: str) -> None:
    """Mark the run deleted (it disappears from :func:`search_runs` by default)."""
    _store().delete_run(run_id)


def _columns(dicts: list[Mapping[str, Any]], numeric: bool) -> dict[str, Any]:
    """Turn one dict per run into one array per key (NaN or None where a run lacks the key).

    Runs are grouped by their key tuple (usually all runs share one), so the per-cell work
    happens in numpy, not in a Python loop over 200,000 cells.
    """
    import numpy as np

    dicts = [d.as_dict() if isinstance(d, JsonMapping) else d for d in dicts]
    n = len(dicts)
    groups: dict[tuple[str, ...], list[int]] = {}
    for i, d in enumerate(dicts):
        if d:
            groups.setdefault(tuple(d), []).append(i)
    out: dict[str, Any] = {}
    for keys, rows in groups.items():
        table = np.array([tuple(dicts[i].values()) for i in rows], dtype=float if numeric else object)
        index = np.asarray(rows) if len(rows) != n else slice(None)
        for j, key in enumerate(keys):
            target = out.get(key)
            if target is None:
                target = out[key] = np.full(n, np.nan) if numeric else np.full(n, None, dtype=object)
            target[index] = table[:, j]
    return out


def search_runs(
    experiment_ids: list[str] | None = None,
    filter_string: str = "",
    run_view_type: int = ACTIVE_ONLY,
    max_results: int = SEARCH_MAX_RESULTS_PANDAS,
    order_by: list[str] | None = None,
    output_format: str = "pandas",
    search_all_experiments: bool = False,
    experiment_names: list[str] | None = None,
) -> Any:
    """Search runs with MLflow's filter grammar; a pandas DataFrame (or a list of :class:`Run`).

    The DataFrame has MLflow's columns: ``run_id, experiment_id, status, artifact_uri,
    start_time, end_time`` (UTC datetimes), then ``metrics.*``, ``params.*``, ``tags.*``
    (each group sorted by key; missing values are NaN / None).
    """
    store = _store()
    if output_format == "list":
        return [Run(r) for r in store.search(filter_string, order_by, max_results, run_view_type)]
    if output_format != "pandas":
        raise WorkbenchException(
            f"Unsupported output format: {output_format}. Supported string values are 'pandas' or 'list'",
            error_code=INVALID_PARAMETER_VALUE,
        )
    import pandas as pd

    records = store.search(filter_string, order_by, max_results, run_view_type)
    data: dict[str, Any] = {
        "run_id": [r.run_id for r in records],
        "experiment_id": [r.experiment_id for r in records],
        "status": [r.status for r in records],
        "artifact_uri": [r.artifact_uri for r in records],
        "start_time": pd.to_datetime([r.start_time for r in records], unit="ms", utc=True),
        "end_time": pd.to_datetime([r.end_time for r in records], unit="ms", utc=True),
    }
    for prefix, field in (("metrics.", "metrics"), ("params.", "params"), ("tags.", "tags")):
        columns = _columns([getattr(r, field) for r in records], numeric=field == "metrics")
        for key in sorted(columns):
            data[prefix + key] = columns[key]
    return pd.DataFrame(data)
