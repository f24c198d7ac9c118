"""``Store``: runs in one workspace, written to their directories and indexed in SQLite.

Every change to a run happens while the index's write lock is held (``BEGIN IMMEDIATE``):
the files are written first (new run directories staged and renamed, ``run.json`` replaced
atomically, metric lines appended), then the index rows, then the commit. A crash between
the file write and the commit leaves a change the index does not know yet; the next open
re-indexes that run (see :mod:`workbench.store._index`), so the index always matches the files.

Metric lines are not fsynced one by one (an fsync costs ~3 ms here, over the 2 ms budget
for ``log_metric``); as with SQLite's ``synchronous=NORMAL``, a power cut may lose the last
lines, a killed process loses nothing it wrote.
"""

from __future__ import annotations

import math
import os
import pathlib
import shutil
import sqlite3
import threading
import time
import uuid
import warnings
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from workbench._exceptions import INVALID_PARAMETER_VALUE, RESOURCE_DOES_NOT_EXIST, WorkbenchException
from workbench.store import _index, _runs, _search, _validation
from workbench.store._names import generate_run_name
from workbench.store._records import (
    ACTIVE, DELETED, FINISHED, PARENT_RUN_ID_TAG, RUN_NAME_TAG, RUN_STATUSES, RUNNING, JsonMapping, RunRecord,
)
from workbench.store._workspace import get_workspace

INDEX_FILE = "index.sqlite"
RUNS_DIR = "runs"

#: MLflow's ViewType values for ``run_view_type``.
ACTIVE_ONLY, DELETED_ONLY, ALL = 1, 2, 3

MetricTuple = tuple[str, Any, int, int]


def now_ms() -> int:
    """Milliseconds since the epoch, MLflow's timestamp unit."""
    return time.time_ns() // 1_000_000


def _not_found(run_id: str) -> WorkbenchException:
    return WorkbenchException(f"Run with id={run_id} not found", error_code=RESOURCE_DOES_NOT_EXIST)


class Store:
    """The runs of one workspace root.

    Parameters
    ----------
    root : str or os.PathLike
        The workspace directory (created if missing).

    Examples
    --------
    >>> import tempfile
    >>> store = Store(tempfile.mkdtemp())
    >>> run = store.create_run(name="rf-depth7")
    >>> store.log_metrics(run.run_id, [("acc", 0.91, 0, 1700000000000)])
    >>> store.log_params(run.run_id, {"max_depth": 7})
    >>> rec = store.get_run(run.run_id)
    >>> rec.run_name, rec.metrics, rec.params
    ('rf-depth7', {'acc': 0.91}, {'max_depth': '7'})
    >>> [r.run_name for r in store.search("metrics.acc > 0.9")]
    ['rf-depth7']
    """

    def __init__(self, root: str | os.PathLike) -> None:
        self.root = pathlib.Path(os.path.abspath(os.fspath(root)))
        self.runs_root = self.root / RUNS_DIR
        self.runs_root.mkdir(parents=True, exist_ok=True)
        self._index, hidden = self._open_index()
        _runs.remove_stale_staging(self.runs_root, hidden)
        # Records already read, refreshed by change number (see _refresh): listing 10,000 runs
        # must not rebuild 200,000 Python objects on every call.
        self._cache: dict[str, RunRecord] = {}
        self._cache_epoch, self._cache_seq = "", -1
        self._cache_lock = threading.Lock()

    # -- opening -------------------------------------------------------------------------

    def _open_index(self) -> tuple[_index.Index, list[str]]:
        path = self.root / INDEX_FILE
        for attempt in range(2):
            try:
                index = _index.Index(path, self.runs_root)
                index.ensure_current()
                return index, index.reconcile()
            except _index.IndexCorrupt as exc:
                if attempt:
                    raise
                aside = path.with_name(f"{INDEX_FILE}.corrupt-{now_ms()}")
                warnings.warn(
                    f"The workspace index {str(path)!r} is corrupt ({exc}); moved it to {aside.name!r} "
                    "and rebuilding it from the run directories.",
                    RuntimeWarning,
                    stacklevel=3,
                )
                for suffix in ("", "-wal", "-shm"):
                    src = pathlib.Path(f"{path}{suffix}")
                    if src.exists():
                        os.replace(src, f"{aside}{suffix}")
        raise AssertionError("unreachable")

    def close(self) -> None:
        """Close the index connection."""
        self._index.close()

    def rebuild_index(self) -> None:
        """Re-create every index row from the run directories (corrupt ones are skipped with a warning)."""
        self._index.rebuild()

    # -- helpers -------------------------------------------------------------------------

    def run_path(self, run_id: str) -> pathlib.Path:
        """The directory of ``run_id`` (checked to be a run id, not checked to exist)."""
        return self.runs_root / _validation.check_run_id(run_id)

    def _row(self, conn: sqlite3.Connection, run_id: str) -> tuple[str, int]:
        row = conn.execute("SELECT lifecycle_stage, metrics_size FROM runs WHERE run_id = ?", (run_id,)).fetchone()
        if row is None:
            raise _not_found(run_id)
        return row

    def _settle(self, run_id: str) -> None:
        """After a failed write: bring the run's rows back in line with its files now (best effort;
        the marker left behind makes the next open do it otherwise)."""
        try:
            self._index.settle(run_id)
        except Exception:  # noqa: BLE001 - the write's own error is the one to report
            pass

    def _update_doc(self, run_id: str, change: Callable[[dict[str, Any]], None], require_active: bool = True) -> None:
        run_dir = self.run_path(run_id)
        try:
            with self._index.write(run_id) as conn:
                stage, size = self._row(conn, run_id)
                if require_active and stage != ACTIVE:
                    raise WorkbenchException(
                        f"The run {run_id} must be in the 'active' state. Current state is {stage}.",
                        error_code=INVALID_PARAMETER_VALUE,
                    )
                doc = _runs.read_run_doc(run_dir)
                change(doc)
                _runs.write_run_doc(run_dir, doc)
                _index.insert_run(conn, doc, _runs.file_signature(run_dir / _runs.RUN_FILE), size)
        except Exception:
            self._settle(run_id)
            raise

    # -- runs ----------------------------------------------------------------------------

    def create_run(
        self,
        name: str | None = None,
        tags: Mapping[str, Any] | None = None,
        parent_run_id: str | None = None,
        start_time: int | None = None,
    ) -> RunRecord:
        """Create a RUNNING run (directory staged, then renamed into place) and return it."""
        run_name = generate_run_name() if name is None else _validation.check_run_name(name)
        all_tags = self._checked_tags(tags or {})
        if parent_run_id is not None:
            self.get_run(parent_run_id)
            all_tags[PARENT_RUN_ID_TAG] = parent_run_id
        all_tags[RUN_NAME_TAG] = run_name
        run_id = uuid.uuid4().hex
        doc = {
            "format_version": _runs.RUN_FORMAT_VERSION, "run_id": run_id, "run_name": run_name,
            "experiment_id": "0", "status": RUNNING, "lifecycle_stage": ACTIVE,
            "start_time": now_ms() if start_time is None else _validation.check_int(start_time, "start_time"),
            "end_time": None, "params": {}, "tags": all_tags,
        }
        staged = _runs.stage_run_dir(self.runs_root, doc)
        final = self.runs_root / run_id
        try:
            with self._index.write(run_id) as conn:
                _runs.publish_run_dir(staged, final)
                _index.insert_run(conn, doc, _runs.file_signature(final / _runs.RUN_FILE), 0)
        except BaseException as exc:
            shutil.rmtree(staged if staged.exists() else final, ignore_errors=True)
            if isinstance(exc, Exception):
                self._settle(run_id)
            raise
        return self.get_run(run_id)

    def get_run(self, run_id: str) -> RunRecord:
        """Return the run ``run_id``; ``RESOURCE_DOES_NOT_EXIST`` if there is none."""
        if not isinstance(run_id, str) or not _runs.is_run_id(run_id):
            raise _not_found(run_id)
        record = self._load("run_id = ?", (run_id,)).get(run_id)
        if record is None:
            raise _not_found(run_id)
        return record

    def find_run_by_name(self, name: str) -> RunRecord | None:
        """Return the newest active run called ``name``, or ``None``."""
        found = self.find_runs_by_name(name, 1)
        return found[0] if found else None

    def find_runs_by_name(self, name: str, max_results: int | None = None) -> list[RunRecord]:
        """Return the active runs called ``name``, newest first (the name is a bound SQL value)."""
        return self._records(["r.run_name = ?", "r.lifecycle_stage = 'active'"], [name], [], [], [], max_results)

    def end_run(self, run_id: str, status: str = FINISHED, end_time: int | None = None) -> None:
        """Set the run's terminal status and end time."""
        if status not in RUN_STATUSES:
            raise WorkbenchException(
                f"Invalid run status {status!r}: expected one of {list(RUN_STATUSES)}.",
                error_code=INVALID_PARAMETER_VALUE,
            )
        end = now_ms() if end_time is None else _validation.check_int(end_time, "end_time")

        def change(doc: dict[str, Any]) -> None:
            doc["status"] = status
            doc["end_time"] = None if status == RUNNING else end

        self._update_doc(run_id, change, require_active=False)

    def set_status(self, run_id: str, status: str) -> None:
        """Set the status only (MLflow keeps the old end time when a run is resumed)."""
        if status not in RUN_STATUSES:
            raise WorkbenchException(
                f"Invalid run status {status!r}: expected one of {list(RUN_STATUSES)}.",
                error_code=INVALID_PARAMETER_VALUE,
            )
        self._update_doc(run_id, lambda doc: doc.__setitem__("status", status), require_active=False)

    def delete_run(self, run_id: str) -> None:
        """Mark the run deleted (MLflow's soft delete: files stay; searches skip it by default)."""
        self._update_doc(run_id, lambda doc: doc.__setitem__("lifecycle_stage", DELETED), require_active=False)

    def restore_run(self, run_id: str) -> None:
        """Undo :meth:`delete_run`."""
        self._update_doc(run_id, lambda doc: doc.__setitem__("lifecycle_stage", ACTIVE), require_active=False)

    # -- params, tags, metrics -----------------------------------------------------------

    def log_params(self, run_id: str, params: Mapping[str, Any]) -> None:
        """Log params; logging a different value for an existing key raises, as in MLflow."""
        checked = {}
        for key, value in params.items():
            _validation.check_key(key, "param")
            checked[key] = _validation.check_string_value(value, "Param value", key, _validation.MAX_PARAM_VALUE_LENGTH)

        def change(doc: dict[str, Any]) -> None:
            for key, value in checked.items():
                old = doc["params"].get(key)
                if old is not None and old != value:
                    raise WorkbenchException(
                        f"Changing param values is not allowed. Param with key='{key}' was already logged "
                        f"with value='{old}' for run ID='{run_id}'. Attempted logging new value '{value}'.",
                        error_code=INVALID_PARAMETER_VALUE,
                    )
            doc["params"].update(checked)

        self._update_doc(run_id, change)

    def _checked_tags(self, tags: Mapping[str, Any]) -> dict[str, str]:
        out = {}
        for key, value in tags.items():
            _validation.check_key(key, "tag")
            out[key] = _validation.check_string_value(value, "Tag value", key, _validation.MAX_TAG_VALUE_LENGTH)
        if RUN_NAME_TAG in out:
            _validation.check_run_name(out[RUN_NAME_TAG])
        return out

    def set_tags(self, run_id: str, tags: Mapping[str, Any]) -> None:
        """Set tags (overwriting); setting ``mlflow.runName`` renames the run, as in MLflow."""
        checked = self._checked_tags(tags)

        def change(doc: dict[str, Any]) -> None:
            doc["tags"].update(checked)
            if RUN_NAME_TAG in checked:
                doc["run_name"] = checked[RUN_NAME_TAG]

        self._update_doc(run_id, change)

    def delete_tag(self, run_id: str, key: str) -> None:
        """Remove a tag; ``RESOURCE_DOES_NOT_EXIST`` if the run has no such tag."""

        def change(doc: dict[str, Any]) -> None:
            if key not in doc["tags"]:
                raise WorkbenchException(
                    f"No tag with name: {key} in run with id {run_id}", error_code=RESOURCE_DOES_NOT_EXIST
                )
            del doc["tags"][key]

        self._update_doc(run_id, change)

    def log_metrics(self, run_id: str, metrics: Iterable[MetricTuple]) -> None:
        """Append ``(key, value, step, timestamp)`` tuples to the run's history."""
        rows = []
        lines = []
        for key, value, step, timestamp in metrics:
            _validation.check_key(key, "metric")
            val = _validation.check_metric_value(key, value)
            step = _validation.check_int(step, "step")
            timestamp = _validation.check_int(timestamp, "timestamp")
            lines.append(_runs.encode_metric(key, val, step, timestamp))
            nan = math.isnan(val)
            rows.append((run_id, key, 0.0 if nan else val, int(nan), step, timestamp))
        if not rows:
            return
        run_dir = self.run_path(run_id)
        try:
            with self._index.write(run_id) as conn:
                stage, _size = self._row(conn, run_id)
                if stage != ACTIVE:
                    raise WorkbenchException(
                        f"The run {run_id} must be in the 'active' state. Current state is {stage}.",
                        error_code=INVALID_PARAMETER_VALUE,
                    )
                size = _runs.append_metrics(run_dir, lines)
                conn.executemany(_index.UPSERT_LATEST, rows)
                _index.refresh_metrics_json(conn, run_id)
                conn.execute("UPDATE runs SET metrics_size = ? WHERE run_id = ?", (size, run_id))
                _index.bump(conn, run_id)
        except Exception:
            self._settle(run_id)
            raise

    def get_metric_history(self, run_id: str, key: str) -> list[tuple[float, int, int]]:
        """Return ``[(value, step, timestamp), ...]`` of ``key`` in logging order."""
        self.get_run(run_id)
        return [(v, s, t) for k, v, s, t in _runs.iter_metrics(self.run_path(run_id)) if k == key]

    # -- artifacts -----------------------------------------------------------------------

    def artifact_dir(self, run_id: str) -> pathlib.Path:
        """The run's ``artifacts/`` directory (exists); stage files elsewhere, then rename into it."""
        self.get_run(run_id)
        path = self.run_path(run_id) / _runs.ARTIFACTS_DIR
        path.mkdir(exist_ok=True)
        return path

    def add_artifact(self, run_id: str, local_path: str | os.PathLike, artifact_path: str | None = None) -> pathlib.Path:
        """Copy a file (or a directory's contents) into the run's artifacts, atomically per file."""
        return _runs.add_artifact(self.artifact_dir(run_id), local_path, artifact_path)

    # -- search --------------------------------------------------------------------------

    def search(
        self,
        filter_string: str | None = None,
        order_by: list[str] | None = None,
        max_results: int | None = None,
        run_view_type: int = ACTIVE_ONLY,
    ) -> list[RunRecord]:
        """Return the runs matching ``filter_string`` (MLflow's grammar), ordered and limited."""
        conds, args = _search.compile_filter(filter_string)
        joins, terms, join_args = _search.compile_order_by(order_by)
        if run_view_type == ACTIVE_ONLY:
            conds.append("r.lifecycle_stage = 'active'")
        elif run_view_type == DELETED_ONLY:
            conds.append("r.lifecycle_stage = 'deleted'")
        elif run_view_type != ALL:
            raise WorkbenchException(f"Invalid run_view_type {run_view_type!r}.", error_code=INVALID_PARAMETER_VALUE)
        if max_results is not None and (not isinstance(max_results, int) or max_results < 0):
            raise WorkbenchException(
                f"Invalid value for max_results: {max_results!r}. It must be a non-negative integer.",
                error_code=INVALID_PARAMETER_VALUE,
            )
        return self._records(conds, args, joins, terms, join_args, max_results)

    def _select(self, conds, args, joins, terms, join_args, limit) -> list[str]:
        where = " AND ".join(conds) or "1"
        order = ", ".join(terms or ["r.start_time DESC", "r.run_id"])
        sql = f"SELECT r.run_id FROM runs r {' '.join(joins)} WHERE {where} ORDER BY {order}"
        params = [*join_args, *args]
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return [row[0] for row in self._index.query(sql, params)]

    def _refresh(self) -> dict[str, RunRecord]:
        """Bring the in-process cache of records up to date with the index (only changed runs)."""
        with self._cache_lock:
            epoch, seq = self._index.changes()
            if epoch == self._cache_epoch and seq == self._cache_seq:
                return self._cache
            full = epoch != self._cache_epoch
            since = -1 if full else self._cache_seq
            cache = {} if full else dict(self._cache)
            cache.update(self._load("seq > ?", (since,)))
            if not full and len(cache) != self._index.query("SELECT count(*) FROM runs")[0][0]:
                live = {row[0] for row in self._index.query("SELECT run_id FROM runs")}
                cache = {k: v for k, v in cache.items() if k in live}
            self._cache, self._cache_epoch, self._cache_seq = cache, epoch, seq
            return cache

    def _load(self, where: str, args: tuple) -> dict[str, RunRecord]:
        """Read the records of the runs selected by ``where`` (on the ``runs`` table) from the index.

        One row per run: params, tags and latest metrics come as JSON text, decoded when a
        record's mapping is first used (listing 10,000 runs decodes nothing it does not show).
        """
        rows = self._index.query(
            "SELECT run_id, run_name, status, start_time, end_time, experiment_id, lifecycle_stage, "
            f"params_json, metrics_json, tags_json FROM runs WHERE {where}", args
        )
        root = os.fspath(self.runs_root)
        root_uri = self.runs_root.as_uri()
        trusted = RunRecord._trusted
        out = {}
        for run_id, name, status, start, end, exp, stage, params, metrics, tags in rows:
            out[run_id] = trusted((
                run_id, name, status, start, end, JsonMapping(params), JsonMapping(metrics), JsonMapping(tags),
                f"{root_uri}/{run_id}/{_runs.ARTIFACTS_DIR}", f"{root}{os.sep}{run_id}", exp, stage,
            ))
        return out

    def _records(self, conds, args, joins, terms, join_args, limit) -> list[RunRecord]:
        ids = self._select(conds, args, joins, terms, join_args, limit)
        cache = self._refresh()
        return [cache[i] for i in ids if i in cache]


_stores: dict[tuple[pathlib.Path, int], Store] = {}
_stores_lock = threading.Lock()


def get_store() -> Store:
    """Return the :class:`Store` of the current workspace (one per root and process).

    Examples
    --------
    >>> import tempfile, workbench.store as store
    >>> _ = store.set_workspace(tempfile.mkdtemp())
    >>> store.get_store() is store.get_store()
    True
    """
    root = get_workspace()
    key = (root, os.getpid())
    with _stores_lock:
        store = _stores.get(key)
        if store is None:
            store = _stores[key] = Store(root)
        return store


def rebuild_index() -> None:
    """Re-create the current workspace's index from its run directories.

    Corrupt run directories are skipped with a ``RuntimeWarning`` naming each of them.

    Examples
    --------
    >>> import tempfile, workbench.store as store
    >>> _ = store.set_workspace(tempfile.mkdtemp())
    >>> run = store.get_store().create_run(name="kept")
    >>> store.rebuild_index()
    >>> store.get_store().get_run(run.run_id).run_name
    'kept'
    """
    get_store().rebuild_index()
