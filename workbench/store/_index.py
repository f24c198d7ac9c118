"""The SQLite index of the run directories: schema, locking, retries, rebuild.

The index is a cache: every row can be recomputed from ``runs/*/``. It runs in WAL mode
with ``synchronous=NORMAL`` (a commit costs no fsync; a power cut can lose the last
commits, never corrupt the file), every write transaction starts with ``BEGIN IMMEDIATE``
(the single writer lock for the whole workspace, also guarding the run files), and a busy
database is retried with exponential backoff, so "database is locked" never reaches the
caller; after :data:`BUSY_GIVE_UP` seconds a ``TEMPORARILY_UNAVAILABLE`` error says so.

A missing index, a file that is not a database, or an index of another schema version is
rebuilt from the run directories on open; then the index is *reconciled* with the
directories, so a writer killed between a file write and its commit leaves nothing stale
behind. Reconciling must not cost a ``stat`` of every run file on every open (20,000 of
them for 10,000 runs, most of a cold listing's time), so it is driven by what can go wrong:

- a writer killed inside its write: every write that changes a run's files first creates
  an empty *marker* ``index.pending/<run_id>.<pid>.<n>`` and removes it after its commit; a
  marker left behind names a run to re-index (under the write lock no live writer is
  between its file writes and its commit, so re-indexing then is always safe);
- a run directory added or removed behind the index's back: the names in ``runs/`` are
  compared with the indexed ids (one directory listing);
- a power cut, which may lose the index's last commits (``synchronous=NORMAL``) or a
  marker: the first open after a reboot (Linux ``boot_id``, kept in the index; on systems
  without one, every open) compares each run's ``run.json`` signature and
  ``metrics.jsonl`` size with the index, re-indexing the runs that changed.

Each run row also keeps its params, tags and latest metrics as JSON text, so listing
10,000 runs reads 10,000 rows, not 250,000 (the key/value tables serve the filters).
"""

from __future__ import annotations

import contextlib
import itertools
import json
import math
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
SCHEMA_VERSION = "3"
PENDING_DIR = "index.pending"
_BOOT_ID_FILE = "/proc/sys/kernel/random/boot_id"
BUSY_TIMEOUT_MS = 2000
BUSY_GIVE_UP = 120.0

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE runs (
    run_id TEXT PRIMARY KEY, run_name TEXT NOT NULL, experiment_id TEXT NOT NULL,
    status TEXT NOT NULL, lifecycle_stage TEXT NOT NULL, start_time INTEGER NOT NULL,
    end_time INTEGER, run_json_sig TEXT NOT NULL, metrics_size INTEGER NOT NULL,
    seq INTEGER NOT NULL DEFAULT 0, params_json TEXT NOT NULL DEFAULT '{}',
    tags_json TEXT NOT NULL DEFAULT '{}', metrics_json TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX runs_start ON runs (start_time DESC, run_id);
CREATE INDEX runs_listing ON runs (lifecycle_stage, start_time DESC, run_id);
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
_RUN_COLUMNS = ("run_id, run_name, experiment_id, status, lifecycle_stage, start_time, end_time, "
                "run_json_sig, metrics_size, params_json, tags_json")
_INSERT_RUN = f"INSERT INTO runs ({_RUN_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
# An upsert keeps the row's metrics_json (and seq until bump): only log_metrics changes those.
_UPSERT_RUN = _INSERT_RUN + " ON CONFLICT (run_id) DO UPDATE SET " + ", ".join(
    f"{c} = excluded.{c}" for c in _RUN_COLUMNS.split(", ")[1:])

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
        self.pending_dir = path.parent / PENDING_DIR
        self._lock = threading.RLock()
        self._conn = self._connect()
        self.pending_dir.mkdir(exist_ok=True)
        self._markers = itertools.count()

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
    def write(self, run_id: str | None = None) -> Iterator[sqlite3.Connection]:
        """Hold the workspace's write lock (``BEGIN IMMEDIATE``) for the block; commit at its end.

        With ``run_id`` (the block changes that run's files), a marker names the run until the
        commit; when the block raises, the marker stays, so the next open re-indexes the run
        from whatever its files now hold.
        """
        with self._lock:
            self.retry(lambda: self._conn.execute("BEGIN IMMEDIATE"))
            marker = None
            try:
                if run_id is not None:
                    marker = self.pending_dir / f"{run_id}.{os.getpid()}.{next(self._markers)}"
                    os.close(os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644))
                yield self._conn
            except BaseException:
                with contextlib.suppress(sqlite3.Error):
                    self._conn.execute("ROLLBACK")
                raise
            self.retry(lambda: self._conn.execute("COMMIT"))
            if marker is not None:
                with contextlib.suppress(FileNotFoundError):  # a reconciling opener took it
                    os.unlink(marker)

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
        conn.execute("INSERT INTO meta VALUES ('boot_id', ?)", (_boot_id() or "",))
        markers = _listdir(self.pending_dir)  # all runs are read below: these are settled too
        runs, params, tags, metrics, metrics_json = [], [], [], [], []
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
            metrics_json.append((_latest_json(latest), run_id))
        conn.executemany(_INSERT_RUN, runs)
        conn.executemany("UPDATE runs SET metrics_json = ? WHERE run_id = ?", metrics_json)
        conn.executemany("INSERT INTO params VALUES (?, ?, ?)", params)
        conn.executemany("INSERT INTO tags VALUES (?, ?, ?)", tags)
        conn.executemany("INSERT INTO latest_metrics VALUES (?, ?, ?, ?, ?, ?)", metrics)
        conn.execute("INSERT INTO meta VALUES ('schema_version', ?)", (SCHEMA_VERSION,))
        # The registry keeps its own tables in this index; rebuild them from registry/ too.
        from workbench.store import _registry

        _registry.rebuild(conn, self.runs_root.parent)
        _unlink_markers(self.pending_dir, markers)

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
        conn.execute("UPDATE runs SET metrics_json = ? WHERE run_id = ?", (_latest_json(latest), doc["run_id"]))
        return True

    def changes(self) -> tuple[str, int]:
        """Return ``(epoch, seq)``: ``seq`` grows with every committed change, ``epoch`` changes on rebuild."""
        rows = dict(self.query("SELECT key, value FROM meta WHERE key IN ('epoch', 'seq')"))
        return rows.get("epoch", ""), int(rows.get("seq", 0))

    def reconcile(self, full: bool = False) -> list[str]:
        """Re-index runs whose files may have changed after their last commit; drop rows of vanished runs.

        Cheap unless needed (see the module docstring): leftover markers, directories the
        index does not know (or rows without a directory), and, with ``full`` or after a
        reboot, every run whose ``run.json`` or ``metrics.jsonl`` differs from its row.
        Returns the hidden entries of ``runs/`` (staged run directories), seen on the way.
        """
        boot = _boot_id()
        full = full or boot is None or self._meta("boot_id") != boot
        names, hidden = _scan(self.runs_root)
        if not full and not _listdir(self.pending_dir) and not self._ids_differ(names):
            return hidden
        with self.write() as conn:
            markers = _listdir(self.pending_dir)  # under the lock: no live writer is mid-change
            if full:
                stale = self._stale()
            else:
                on_disk = set(_run_names(self.runs_root))
                known = {r[0] for r in conn.execute("SELECT run_id FROM runs")}
                named = {m.split(".", 1)[0] for m in markers}
                stale = [self.runs_root / n for n in sorted((on_disk ^ known) | named) if _runs.is_run_id(n)]
            for run_dir in stale:
                if run_dir.is_dir():
                    self.index_run(conn, run_dir)
                else:
                    for table in ("runs", "params", "tags", "latest_metrics"):
                        conn.execute(f"DELETE FROM {table} WHERE run_id = ?", (run_dir.name,))
                    conn.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'seq'")
            if full:
                conn.execute("INSERT OR REPLACE INTO meta VALUES ('boot_id', ?)", (boot or "",))
            _unlink_markers(self.pending_dir, markers)
        return hidden

    def settle(self, run_id: str) -> None:
        """After a failed write of this process: re-index ``run_id`` if its files changed, drop its markers.

        Called once the writer has cleaned up (a failed ``create_run`` removes its directory
        first), so the index matches the files again without waiting for the next open.
        """
        prefix = f"{run_id}.{os.getpid()}."
        with self.write() as conn:
            run_dir = self.runs_root / run_id
            row = conn.execute("SELECT run_json_sig, metrics_size FROM runs WHERE run_id = ?", (run_id,)).fetchone()
            on_disk = run_dir.is_dir()
            state = (_runs.file_signature(run_dir / _runs.RUN_FILE), _runs.file_size(run_dir / _runs.METRICS_FILE))
            if on_disk and (row is None or tuple(row) != state):
                self.index_run(conn, run_dir)
            elif not on_disk and row is not None:
                for table in ("runs", "params", "tags", "latest_metrics"):
                    conn.execute(f"DELETE FROM {table} WHERE run_id = ?", (run_id,))
                conn.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'seq'")
            _unlink_markers(self.pending_dir, [m for m in _listdir(self.pending_dir) if m.startswith(prefix)])

    def _meta(self, key: str) -> str | None:
        rows = self.query("SELECT value FROM meta WHERE key = ?", (key,))
        return rows[0][0] if rows else None

    def _ids_differ(self, names: list[str]) -> bool:
        """Whether the run directories ``names`` and the indexed run ids differ."""
        known = {r[0] for r in self.query("SELECT run_id FROM runs")}
        on_disk = set(names)
        if on_disk == known:
            return False
        return {n for n in on_disk if _runs.is_run_id(n)} != known

    def _stale(self) -> list[pathlib.Path]:
        known = {r[0]: (r[1], r[2]) for r in self.query("SELECT run_id, run_json_sig, metrics_size FROM runs")}
        stale = []
        for run_dir in _run_dirs(self.runs_root):
            state = (_runs.file_signature(run_dir / _runs.RUN_FILE), _runs.file_size(run_dir / _runs.METRICS_FILE))
            if known.pop(run_dir.name, None) != state:
                stale.append(run_dir)
        stale.extend(self.runs_root / run_id for run_id in known)
        return stale


def _boot_id() -> str | None:
    """This boot's id (Linux), or None where the system has none."""
    try:
        with open(_BOOT_ID_FILE, encoding="ascii") as fh:
            return fh.read().strip() or None
    except OSError:
        return None


def _listdir(path: pathlib.Path) -> list[str]:
    try:
        return os.listdir(path)
    except FileNotFoundError:
        return []


def _unlink_markers(pending_dir: pathlib.Path, names: list[str]) -> None:
    for name in names:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(pending_dir / name)


def _latest_json(latest: dict[str, tuple[float, int, int]]) -> str:
    """The ``metrics_json`` of a run: ``{key: latest value}`` sorted by key (NaN and infinities as JSON tokens)."""
    return json.dumps({k: latest[k][0] for k in sorted(latest)})


def refresh_metrics_json(conn: sqlite3.Connection, run_id: str) -> None:
    """Recompute the run's ``metrics_json`` from its ``latest_metrics`` rows (after an upsert)."""
    rows = conn.execute("SELECT key, value, is_nan FROM latest_metrics WHERE run_id = ?", (run_id,)).fetchall()
    text = json.dumps({k: math.nan if nan else v for k, v, nan in rows})
    conn.execute("UPDATE runs SET metrics_json = ? WHERE run_id = ?", (text, run_id))


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
    params = {k: str(doc["params"][k]) for k in sorted(doc["params"])}
    tags = {k: str(doc["tags"][k]) for k in sorted(doc["tags"])}
    return (doc["run_id"], doc["run_name"], str(doc.get("experiment_id", "0")), doc["status"],
            doc.get("lifecycle_stage", "active"), doc["start_time"], doc.get("end_time"), sig, metrics_size,
            json.dumps(params), json.dumps(tags))


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
    conn.execute(_UPSERT_RUN, _run_row(doc, sig, metrics_size))
    bump(conn, run_id)
    conn.execute("DELETE FROM params WHERE run_id = ?", (run_id,))
    conn.execute("DELETE FROM tags WHERE run_id = ?", (run_id,))
    conn.executemany("INSERT INTO params VALUES (?, ?, ?)", [(run_id, k, str(v)) for k, v in doc["params"].items()])
    conn.executemany("INSERT INTO tags VALUES (?, ?, ?)", [(run_id, k, str(v)) for k, v in doc["tags"].items()])


def _scan(runs_root: pathlib.Path) -> tuple[list[str], list[str]]:
    """Names of the run directories and of the hidden entries in ``runs/`` (one listing, no stat)."""
    names: list[str] = []
    hidden: list[str] = []
    try:
        entries = os.scandir(runs_root)
    except FileNotFoundError:
        return names, hidden
    with entries:
        for e in entries:
            if e.name.startswith("."):
                hidden.append(e.name)
            elif e.is_dir(follow_symlinks=False):
                names.append(e.name)
    return names, hidden


def _run_names(runs_root: pathlib.Path) -> list[str]:
    """Names of the run directories."""
    return _scan(runs_root)[0]


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
