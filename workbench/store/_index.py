"""The SQLite index of the run directories: schema, locking, retries, rebuild.

The index is a cache: every row can be recomputed from ``runs/*/``. It runs in WAL mode
with ``synchronous=NORMAL`` (a commit costs no fsync; a power cut can lose the last
commits, never corrupt the file), every write transaction starts with ``BEGIN IMMEDIATE``
(the single writer lock for the whole workspace, also guarding the run files), and a busy
database is retried with exponential backoff, so "database is locked" never reaches the
caller; after :data:`BUSY_GIVE_UP` seconds a ``TEMPORARILY_UNAVAILABLE`` error says so.

A missing index, a file that is not a database, or an index of another schema version is
rebuilt from the run directories on open; then the index is *reconciled* with the
directories (a changed ``run.json`` or a longer ``metrics.jsonl`` re-indexes that run), so
a writer killed between a file write and its commit leaves nothing stale behind.
"""

from __future__ import annotations

import contextlib
import os
import pathlib
import random
import sqlite3
import threading
import time
import uuid
import warnings
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from workbench._exceptions import TEMPORARILY_UNAVAILABLE, WorkbenchException
from workbench.store import _runs

#: Bump when the tables change; an index of another version is rebuilt from the directories.
SCHEMA_VERSION = "1"
BUSY_TIMEOUT_MS = 2000
BUSY_GIVE_UP = 120.0

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE runs (
    run_id TEXT PRIMARY KEY, run_name TEXT NOT NULL, experiment_id TEXT NOT NULL,
    status TEXT NOT NULL, lifecycle_stage TEXT NOT NULL, start_time INTEGER NOT NULL,
    end_time INTEGER, run_json_sig TEXT NOT NULL, metrics_size INTEGER NOT NULL,
    seq INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX runs_start ON runs (start_time DESC, run_id);
CREATE INDEX runs_name ON runs (run_name);
CREATE TABLE params (run_id TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
    PRIMARY KEY (run_id, key)) WITHOUT ROWID;
CREATE TABLE tags (run_id TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
    PRIMARY KEY (run_id, key)) WITHOUT ROWID;
CREATE TABLE latest_metrics (run_id TEXT NOT NULL, key TEXT NOT NULL, value REAL NOT NULL,
    is_nan INTEGER NOT NULL, step INTEGER NOT NULL, timestamp INTEGER NOT NULL,
    PRIMARY KEY (run_id, key)) WITHOUT ROWID;
CREATE INDEX params_kv ON params (key, value);
CREATE INDEX tags_kv ON tags (key, value);
CREATE INDEX metrics_kv ON latest_metrics (key, value);
"""

_TABLES = ("meta", "runs", "params", "tags", "latest_metrics")

#: Upsert of a latest metric with MLflow's rule: replace when (step, timestamp, value) is greater.
UPSERT_LATEST = """
INSERT INTO latest_metrics (run_id, key, value, is_nan, step, timestamp) VALUES (?, ?, ?, ?, ?, ?)
ON CONFLICT (run_id, key) DO UPDATE SET
    value = excluded.value, is_nan = excluded.is_nan, step = excluded.step, timestamp = excluded.timestamp
WHERE (excluded.step, excluded.timestamp, excluded.value) > (step, timestamp, value)
"""

T = TypeVar("T")


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text


class IndexCorrupt(Exception):
    """The index file is not a usable SQLite database."""


class Index:
    """One connection to ``index.sqlite`` with retrying reads and ``BEGIN IMMEDIATE`` writes."""

    def __init__(self, path: pathlib.Path, runs_root: pathlib.Path) -> None:
        self.path = path
        self.runs_root = runs_root
        self._lock = threading.RLock()
        self._conn = self._connect()

    # -- connection and retries ------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False)
        try:
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            self.retry(lambda: conn.execute("PRAGMA journal_mode = WAL").fetchall())
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA case_sensitive_like = ON")  # LIKE is case-sensitive in MLflow; ILIKE is not
            self.retry(lambda: conn.execute("PRAGMA schema_version").fetchall())
        except sqlite3.DatabaseError as exc:
            conn.close()
            if isinstance(exc, sqlite3.OperationalError) and _is_busy(exc):
                raise
            raise IndexCorrupt(str(exc)) from exc
        return conn

    def retry(self, fn: Callable[[], T]) -> T:
        """Call ``fn``, retrying with backoff while SQLite reports the database busy or locked."""
        delay, deadline = 0.002, time.monotonic() + BUSY_GIVE_UP
        while True:
            try:
                return fn()
            except sqlite3.OperationalError as exc:
                if not _is_busy(exc):
                    raise
                if time.monotonic() > deadline:
                    raise WorkbenchException(
                        f"The workspace index {str(self.path)!r} stayed busy for {BUSY_GIVE_UP:.0f} s "
                        "(another process holds its write lock). Try again.",
                        error_code=TEMPORARILY_UNAVAILABLE,
                    ) from None
                time.sleep(delay * (0.5 + random.random()))
                delay = min(delay * 2, 0.25)

    def query(self, sql: str, args: tuple | list = ()) -> list[tuple]:
        """Run a read-only statement and return all rows."""
        with self._lock:
            return self.retry(lambda: self._conn.execute(sql, args).fetchall())

    @contextlib.contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """Hold the workspace's write lock (``BEGIN IMMEDIATE``) for the block; commit at its end."""
        with self._lock:
            self.retry(lambda: self._conn.execute("BEGIN IMMEDIATE"))
            try:
                yield self._conn
            except BaseException:
                with contextlib.suppress(sqlite3.Error):
                    self._conn.execute("ROLLBACK")
                raise
            self.retry(lambda: self._conn.execute("COMMIT"))

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    # -- schema, rebuild, reconcile --------------------------------------------------------

    def version(self) -> str | None:
        try:
            rows = self.query("SELECT value FROM meta WHERE key = 'schema_version'")
        except sqlite3.OperationalError as exc:
            if "no such table" in str(exc):
                return None
            raise
        except sqlite3.DatabaseError as exc:
            raise IndexCorrupt(str(exc)) from exc
        return rows[0][0] if rows else None

    def ensure_current(self) -> bool:
        """Create or rebuild the tables unless they hold the current schema; True if rebuilt."""
        if self.version() == SCHEMA_VERSION:
            return False
        with self.write() as conn:
            if self.version() == SCHEMA_VERSION:  # another process got there first
                return False
            self._rebuild(conn)
        return True

    def rebuild(self) -> None:
        """Drop every row and re-index all run directories."""
        with self.write() as conn:
            self._rebuild(conn)

    def _rebuild(self, conn: sqlite3.Connection) -> None:
        for table in _TABLES:
            conn.execute(f"DROP TABLE IF EXISTS {table}")
        for statement in _SCHEMA.split(";"):  # not executescript: it would COMMIT first
            if statement.strip():
                conn.execute(statement)
        conn.execute("INSERT INTO meta VALUES ('epoch', ?)", (uuid.uuid4().hex,))
        conn.execute("INSERT INTO meta VALUES ('seq', '0')")
        runs, params, tags, metrics = [], [], [], []
        for run_dir in _run_dirs(self.runs_root):
            read = _read_run(run_dir)
            if read is None:
                continue
            doc, sig, size, latest = read
            run_id = doc["run_id"]
            runs.append(_run_row(doc, sig, size))
            params.extend((run_id, k, str(v)) for k, v in doc["params"].items())
            tags.extend((run_id, k, str(v)) for k, v in doc["tags"].items())
            metrics.extend(_metric_row(run_id, k, v, s, t) for k, (v, s, t) in latest.items())
        conn.executemany("INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0)", runs)
        conn.executemany("INSERT INTO params VALUES (?, ?, ?)", params)
        conn.executemany("INSERT INTO tags VALUES (?, ?, ?)", tags)
        conn.executemany("INSERT INTO latest_metrics VALUES (?, ?, ?, ?, ?, ?)", metrics)
        conn.execute("INSERT INTO meta VALUES ('schema_version', ?)", (SCHEMA_VERSION,))
        # The registry keeps its own tables in this index; rebuild them from registry/ too.
        from workbench.store import _registry

        _registry.rebuild(conn, self.runs_root.parent)

    def index_run(self, conn: sqlite3.Connection, run_dir: pathlib.Path) -> bool:
        """(Re-)index one run directory from its files; warn and skip it when it is corrupt."""
        for table in ("runs", "params", "tags", "latest_metrics"):
            conn.execute(f"DELETE FROM {table} WHERE run_id = ?", (run_dir.name,))
        read = _read_run(run_dir)
        if read is None:
            return False
        doc, sig, size, latest = read
        insert_run(conn, doc, sig, size)
        conn.executemany(
            "INSERT INTO latest_metrics VALUES (?, ?, ?, ?, ?, ?)",
            [_metric_row(doc["run_id"], k, v, s, t) for k, (v, s, t) in latest.items()],
        )
        return True

    def changes(self) -> tuple[str, int]:
        """Return ``(epoch, seq)``: ``seq`` grows with every committed change, ``epoch`` changes on rebuild."""
        rows = dict(self.query("SELECT key, value FROM meta WHERE key IN ('epoch', 'seq')"))
        return rows.get("epoch", ""), int(rows.get("seq", 0))

    def reconcile(self) -> None:
        """Re-index runs whose files changed after their last commit; drop rows of vanished runs."""
        if not self._stale():
            return
        with self.write() as conn:
            for run_dir in self._stale():
                if run_dir.is_dir():
                    self.index_run(conn, run_dir)
                else:
                    for table in ("runs", "params", "tags", "latest_metrics"):
                        conn.execute(f"DELETE FROM {table} WHERE run_id = ?", (run_dir.name,))
                    conn.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'seq'")

    def _stale(self) -> list[pathlib.Path]:
        known = {r[0]: (r[1], r[2]) for r in self.query("SELECT run_id, run_json_sig, metrics_size FROM runs")}
        stale = []
        for run_dir in _run_dirs(self.runs_root):
            state = (_runs.file_signature(run_dir / _runs.RUN_FILE), _runs.file_size(run_dir / _runs.METRICS_FILE))
            if known.pop(run_dir.name, None) != state:
                stale.append(run_dir)
        stale.extend(self.runs_root / run_id for run_id in known)
        return stale


def _read_run(run_dir: pathlib.Path) -> tuple[dict[str, Any], str, int, dict] | None:
    """Read a run directory for indexing, or warn (naming it) and return None when it is unusable."""
    if not _runs.is_run_id(run_dir.name):
        warnings.warn(f"Skipping {str(run_dir)!r}: its name is not a run id", RuntimeWarning, stacklevel=3)
        return None
    try:
        sig = _runs.file_signature(run_dir / _runs.RUN_FILE)
        size = _runs.file_size(run_dir / _runs.METRICS_FILE)
        doc = _runs.read_run_doc(run_dir)
        latest = _runs.latest_metrics(_runs.iter_metrics(run_dir))
    except _runs.CorruptRunError as exc:
        warnings.warn(f"Skipping corrupt run directory {str(run_dir)!r}: {exc}", RuntimeWarning, stacklevel=3)
        return None
    return doc, sig, size, latest


def _metric_row(run_id: str, key: str, value: float, step: int, timestamp: int) -> tuple:
    nan = value != value
    return (run_id, key, 0.0 if nan else value, int(nan), step, timestamp)


def _run_row(doc: dict[str, Any], sig: str, metrics_size: int) -> tuple:
    return (doc["run_id"], doc["run_name"], str(doc.get("experiment_id", "0")), doc["status"],
            doc.get("lifecycle_stage", "active"), doc["start_time"], doc.get("end_time"), sig, metrics_size)


def bump(conn: sqlite3.Connection, run_id: str) -> None:
    """Mark ``run_id`` changed: it gets the next change number (lets readers refresh only what changed)."""
    conn.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'seq'")
    conn.execute(
        "UPDATE runs SET seq = (SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'seq') WHERE run_id = ?",
        (run_id,),
    )


def insert_run(conn: sqlite3.Connection, doc: dict[str, Any], sig: str, metrics_size: int) -> None:
    """Write the run row, params and tags of ``doc`` (replacing existing rows)."""
    run_id = doc["run_id"]
    conn.execute("INSERT OR REPLACE INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0)", _run_row(doc, sig, metrics_size))
    bump(conn, run_id)
    conn.execute("DELETE FROM params WHERE run_id = ?", (run_id,))
    conn.execute("DELETE FROM tags WHERE run_id = ?", (run_id,))
    conn.executemany("INSERT INTO params VALUES (?, ?, ?)", [(run_id, k, str(v)) for k, v in doc["params"].items()])
    conn.executemany("INSERT INTO tags VALUES (?, ?, ?)", [(run_id, k, str(v)) for k, v in doc["tags"].items()])


def _run_dirs(runs_root: pathlib.Path) -> list[pathlib.Path]:
    try:
        entries = os.scandir(runs_root)
    except FileNotFoundError:
        return []
    with entries:
        return sorted(
            pathlib.Path(e.path) for e in entries
            if not e.name.startswith(".") and e.is_dir(follow_symlinks=False)
        )
