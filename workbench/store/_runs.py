"""Run directories on disk: atomic creation, ``run.json``, the metric history, artifacts.

Layout of one run (``<root>/runs/<run_id>/``)::

    run.json        {"format_version", "run_id", "run_name", "experiment_id", "status",
                     "lifecycle_stage", "start_time", "end_time", "params", "tags"}
    metrics.jsonl   one metric per line, append-only:
                    {"key", "value", "step", "timestamp", "crc"}; ``crc`` is the CRC-32 (hex)
                    of ``json.dumps([key, value, step, timestamp])``, so a torn or damaged line
                    is recognised and ignored when the history is read
    artifacts/      files logged to the run

A run directory is staged under ``runs/.tmp-*`` (files fsynced) and renamed into place, so
a reader never sees half a run. ``run.json`` is replaced atomically by ``atomic_writer``.
Nothing here touches the index; :mod:`workbench.store._store` orders the two.
"""

from __future__ import annotations

import json
import math
import os
import pathlib
import re
import shutil
import tempfile
import zlib
from collections.abc import Iterable, Iterator
from typing import Any

# workbench._io imports numpy (for its JSON encoder); reading runs must not pay for that, so
# the writers below import it when they first write (see _io_module).


def _io_module() -> Any:
    from workbench import _io

    return _io


def _fsync_dir(directory: Any) -> None:
    _io_module()._fsync_dir(directory)


def atomic_write_json(path: Any, obj: Any, **kwargs: Any) -> None:
    _io_module().atomic_write_json(path, obj, **kwargs)


def atomic_writer(path: Any, mode: str = "wb", encoding: str | None = None) -> Any:
    return _io_module().atomic_writer(path, mode, encoding)


def safe_join(root: Any, *parts: str) -> pathlib.Path:
    return _io_module().safe_join(root, *parts)

RUN_FORMAT_VERSION = 1
RUN_FILE = "run.json"
METRICS_FILE = "metrics.jsonl"
ARTIFACTS_DIR = "artifacts"
TMP_PREFIX = ".tmp-"

_REQUIRED = {"run_id": str, "run_name": str, "status": str, "start_time": int, "params": dict, "tags": dict}


_RUN_ID = re.compile(r"[0-9a-f]{32}")


def is_run_id(name: str) -> bool:
    """True if ``name`` is 32 lowercase hex characters (``uuid4().hex``)."""
    return _RUN_ID.fullmatch(name) is not None


class CorruptRunError(Exception):
    """A run directory that cannot be read; the index skips it with a warning."""


# -- run.json ---------------------------------------------------------------------------


def file_signature(path: pathlib.Path) -> str:
    """Return ``inode-mtime_ns-size`` of ``path`` ("" when missing): changes on every replace."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return ""
    return f"{st.st_ino}-{st.st_mtime_ns}-{st.st_size}"


def file_size(path: pathlib.Path) -> int:
    """Return the size of ``path`` in bytes (0 when missing)."""
    try:
        return os.stat(path).st_size
    except FileNotFoundError:
        return 0


def read_run_doc(run_dir: pathlib.Path) -> dict[str, Any]:
    """Read and check ``run.json``; raise :class:`CorruptRunError` saying what is wrong."""
    try:
        with open(run_dir / RUN_FILE, encoding="utf-8") as fh:
            doc = json.load(fh)
    except FileNotFoundError:
        raise CorruptRunError(f"{run_dir}: {RUN_FILE} is missing") from None
    except (OSError, ValueError) as exc:
        raise CorruptRunError(f"{run_dir}: {RUN_FILE} is unreadable ({exc})") from None
    if not isinstance(doc, dict):
        raise CorruptRunError(f"{run_dir}: {RUN_FILE} is not a JSON object")
    for field, kind in _REQUIRED.items():
        if not isinstance(doc.get(field), kind):
            raise CorruptRunError(f"{run_dir}: {RUN_FILE} field {field!r} is missing or not a {kind.__name__}")
    if doc["run_id"] != run_dir.name:
        raise CorruptRunError(f"{run_dir}: {RUN_FILE} names run {doc['run_id']!r}, not {run_dir.name!r}")
    return doc


def write_run_doc(run_dir: pathlib.Path, doc: dict[str, Any]) -> None:
    """Replace ``run.json`` atomically (temp file, fsync, rename)."""
    atomic_write_json(run_dir / RUN_FILE, doc, indent=1, sort_keys=True)


def stage_run_dir(runs_root: pathlib.Path, doc: dict[str, Any]) -> pathlib.Path:
    """Write a complete run directory under a temporary name and return it (fsynced)."""
    runs_root.mkdir(parents=True, exist_ok=True)
    tmp = pathlib.Path(tempfile.mkdtemp(prefix=TMP_PREFIX, dir=runs_root))
    try:
        (tmp / ARTIFACTS_DIR).mkdir()
        with open(tmp / METRICS_FILE, "wb") as fh:
            os.fsync(fh.fileno())
        with atomic_writer(tmp / RUN_FILE, "w", encoding="utf-8") as fh:
            fh.write(json.dumps(doc, indent=1, sort_keys=True))
        _fsync_dir(tmp)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return tmp


def remove_stale_staging(runs_root: pathlib.Path, names: Iterable[str], older_than: float = 3600.0) -> None:
    """Remove the run directories among ``names`` a killed writer left staged (``runs/.tmp-*``) over an hour ago."""
    import time

    cutoff = time.time() - older_than
    for name in names:
        if name.startswith(TMP_PREFIX):
            path = runs_root / name
            try:
                if path.lstat().st_mtime < cutoff:
                    shutil.rmtree(path, ignore_errors=True)
            except FileNotFoundError:
                pass


def publish_run_dir(staged: pathlib.Path, final: pathlib.Path) -> None:
    """Rename a staged run directory to its final name and make the rename durable."""
    os.rename(staged, final)
    _fsync_dir(final.parent)


# -- metrics.jsonl ----------------------------------------------------------------------


def _crc(key: str, value: float, step: int, timestamp: int) -> str:
    return format(zlib.crc32(json.dumps([key, value, step, timestamp]).encode()), "08x")


def encode_metric(key: str, value: float, step: int, timestamp: int) -> bytes:
    """Return one history line (with its newline and CRC).

    Examples
    --------
    >>> encode_metric("acc", 0.5, 0, 1700000000000)
    b'{"key": "acc", "value": 0.5, "step": 0, "timestamp": 1700000000000, "crc": "..."}\\n'
    """
    line = {"key": key, "value": value, "step": step, "timestamp": timestamp, "crc": _crc(key, value, step, timestamp)}
    return (json.dumps(line) + "\n").encode()


def append_metrics(run_dir: pathlib.Path, lines: Iterable[bytes]) -> int:
    """Append encoded lines to the history in one ``write`` and return the new file size.

    A torn last line left by a crash is closed with a newline first, so it stays one bad
    line instead of spoiling the next good one. Not fsynced (see the store's docstring).
    """
    data = b"".join(lines)
    fd = os.open(run_dir / METRICS_FILE, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        size = os.fstat(fd).st_size
        if size and os.pread(fd, 1, size - 1) != b"\n":
            data = b"\n" + data
        view = memoryview(data)
        while view:
            written = os.write(fd, view)
            view = view[written:]
        return size + len(data)
    finally:
        os.close(fd)


def iter_metrics(run_dir: pathlib.Path) -> Iterator[tuple[str, float, int, int]]:
    """Yield ``(key, value, step, timestamp)`` of every intact history line, in order."""
    try:
        with open(run_dir / METRICS_FILE, "rb") as fh:
            raw_lines = fh.read().split(b"\n")
    except FileNotFoundError:
        return
    for raw in raw_lines:
        if not raw:
            continue
        try:
            rec = json.loads(raw)
            key, value, step, ts = rec["key"], rec["value"], rec["step"], rec["timestamp"]
            if rec["crc"] != _crc(key, value, step, ts):
                continue
        except (ValueError, KeyError, TypeError):
            continue  # torn or damaged line
        yield key, float(value), int(step), int(ts)


def sort_key(value: float, step: int, timestamp: int) -> tuple[int, int, float]:
    """MLflow's order for the latest metric: step, then timestamp, then value (NaN as 0)."""
    return (step, timestamp, 0.0 if math.isnan(value) else value)


def latest_metrics(history: Iterable[tuple[str, float, int, int]]) -> dict[str, tuple[float, int, int]]:
    """Return ``{key: (value, step, timestamp)}`` of the latest value of each key."""
    latest: dict[str, tuple[float, int, int]] = {}
    for key, value, step, ts in history:
        old = latest.get(key)
        if old is None or sort_key(value, step, ts) > sort_key(*old):
            latest[key] = (value, step, ts)
    return latest


# -- artifacts --------------------------------------------------------------------------


def copy_file_atomic(src: os.PathLike | str, dest: pathlib.Path) -> None:
    """Copy ``src`` to ``dest`` through a temporary file beside it (fsynced, then renamed)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    with open(src, "rb") as fin, atomic_writer(dest, "wb") as fout:
        shutil.copyfileobj(fin, fout, 1 << 20)


def add_artifact(artifacts: pathlib.Path, local_path: str | os.PathLike, artifact_path: str | None) -> pathlib.Path:
    """Copy a file, or a directory's contents, under ``artifacts/<artifact_path>``.

    A file keeps its base name (``log_artifact``); a directory's contents are copied under
    ``artifact_path`` (``log_artifacts``). Every destination goes through ``safe_join``.
    Returns the destination file or directory.
    """
    src = pathlib.Path(os.fspath(local_path))
    base = safe_join(artifacts, artifact_path) if artifact_path else artifacts
    if src.is_dir():
        for dirpath, _dirnames, filenames in os.walk(src):
            rel = pathlib.Path(dirpath).relative_to(src).as_posix()
            for name in sorted(filenames):
                parts = [p for p in (artifact_path, "" if rel == "." else rel, name) if p]
                copy_file_atomic(pathlib.Path(dirpath, name), safe_join(artifacts, "/".join(parts)))
        base.mkdir(parents=True, exist_ok=True)
        return base
    if not src.is_file():
        raise FileNotFoundError(f"No such file or directory: {os.fspath(local_path)!r}")
    dest = safe_join(artifacts, *(p for p in (artifact_path, src.name) if p))
    copy_file_atomic(src, dest)
    return dest
