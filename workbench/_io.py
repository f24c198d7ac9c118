"""Safe paths, atomic writes and JSON encoding of numpy values.

Every path that comes from a file, a URI or a user is joined through :func:`safe_join`
(DESIGN.md section 8), and every file workbench writes goes through an atomic writer, so
that a crash or a full disk never leaves a half-written file under its final name.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import json
import os
import pathlib
import re
import sys
import tempfile
import urllib.parse
from collections.abc import Iterator
from typing import IO, Any


from workbench._exceptions import INVALID_PARAMETER_VALUE, WorkbenchException

PathLike = str | os.PathLike

# A drive letter ("C:"), or a UNC / rooted Windows path: absolute on some platform.
_WINDOWS_ABSOLUTE = re.compile(r"^(?:[A-Za-z]:|[\\/]{2})")


def _decodings(part: str) -> list[str]:
    """Return ``part`` and each successive percent-decoding of it until it is stable.

    ``%252e%252e`` decodes to ``%2e%2e`` and then to ``..``: every stage is checked, so a
    string that any consumer might decode once more cannot smuggle a traversal through.
    """
    stages = [part]
    for _ in range(8):
        decoded = urllib.parse.unquote(stages[-1])
        if decoded == stages[-1]:
            break
        stages.append(decoded)
    return stages


def _refuse(part: str, root: PathLike, why: str) -> WorkbenchException:
    return WorkbenchException(
        f"Refusing path {part!r}: {why}. Expected a relative path that stays inside "
        f"{os.fspath(root)!r}, made of plain names separated by '/'.",
        error_code=INVALID_PARAMETER_VALUE,
    )


def check_relative_path(part: str, root: PathLike = ".") -> str:
    """Check that ``part`` is a safe relative path and return it normalised.

    Refuses absolute paths, ``..`` components, backslashes, NUL bytes and control
    characters, also after any number of percent-decodings. ``.`` components and
    repeated slashes are dropped.

    Examples
    --------
    >>> check_relative_path("a/./b//c.json")
    'a/b/c.json'
    >>> check_relative_path("a/%2e%2e/b")
    Traceback (most recent call last):
    ...
    workbench._exceptions.WorkbenchException: Refusing path 'a/%2e%2e/b': it contains a '..' component...
    """
    if not isinstance(part, str):
        raise WorkbenchException(
            f"Expected a path as a str, got {type(part).__name__}: {part!r}.",
            error_code=INVALID_PARAMETER_VALUE,
        )
    if part == "":
        raise _refuse(part, root, "it is empty")
    for stage in _decodings(part):
        if any(ord(ch) < 32 or ord(ch) == 127 for ch in stage):
            raise _refuse(part, root, "it contains a NUL or control character")
        if "\\" in stage:
            raise _refuse(part, root, "it contains a backslash")
        if stage.startswith(("/", "~")) or _WINDOWS_ABSOLUTE.match(stage):
            raise _refuse(part, root, "it is absolute")
        if ".." in stage.split("/"):
            raise _refuse(part, root, "it contains a '..' component")
    names = [name for name in part.split("/") if name not in ("", ".")]
    if not names:
        raise _refuse(part, root, "it names no file or directory")
    return "/".join(names)


def safe_join(root: PathLike, *parts: str) -> pathlib.Path:
    """Join untrusted relative ``parts`` under ``root``, refusing anything that leaves it.

    Each part is checked by :func:`check_relative_path`; then the joined path is resolved
    (following symlinks, also when the final file does not exist yet) and must still lie
    inside the resolved ``root``. Nothing is opened or created.

    Parameters
    ----------
    root : str or os.PathLike
        The trusted directory.
    *parts : str
        Untrusted relative paths, e.g. from an MLmodel file, a URI or a user.

    Returns
    -------
    pathlib.Path
        ``root`` joined with the normalised parts (not resolved).

    Raises
    ------
    WorkbenchException
        ``INVALID_PARAMETER_VALUE`` when a part is absolute, contains ``..`` (also
        percent-encoded), a backslash or a control character, or when a symlink
        leads outside ``root``.

    Examples
    --------
    >>> import tempfile
    >>> root = tempfile.mkdtemp()
    >>> safe_join(root, "artifacts", "roc.json").relative_to(root).as_posix()
    'artifacts/roc.json'
    >>> safe_join(root, "/etc/passwd")
    Traceback (most recent call last):
    ...
    workbench._exceptions.WorkbenchException: Refusing path '/etc/passwd': it is absolute...
    """
    base = pathlib.Path(root)
    rel = [check_relative_path(part, root) for part in parts]
    joined = base.joinpath(*rel)
    real_root = os.path.realpath(base)
    real = os.path.realpath(joined)
    if os.path.commonpath([real_root, real]) != real_root:
        raise _refuse("/".join(rel), root, f"it resolves to {real!r} through a symlink")
    return joined


def _fsync_dir(directory: PathLike) -> None:
    # Make the rename itself durable. Not every platform can open a directory.
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _umask() -> int:
    """The process umask (read by setting and restoring it; there is no getter)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_writer(path: PathLike, mode: str = "wb", encoding: str | None = None) -> Iterator[IO[Any]]:
    """Open a temporary file beside ``path``; on success fsync it and rename it to ``path``.

    On any exception the temporary file is removed and ``path`` is untouched, so readers
    see either the old content or the new, never a part of it.

    Examples
    --------
    >>> import os, tempfile
    >>> target = os.path.join(tempfile.mkdtemp(), "out.txt")
    >>> with atomic_writer(target, "w", encoding="utf-8") as fh:
    ...     _ = fh.write("hello")
    >>> open(target).read()
    'hello'
    """
    if mode not in ("w", "wb"):
        raise ValueError(f"atomic_writer mode must be 'w' or 'wb', got {mode!r}")
    target = pathlib.Path(path)
    directory = target.parent
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, mode, encoding=encoding if mode == "w" else None) as fh:
            yield fh
            fh.flush()
            # mkstemp creates 0600; give the file the mode open() would (0666 minus umask).
            os.fchmod(fh.fileno(), 0o666 & ~_umask())
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    _fsync_dir(directory)


def atomic_write_bytes(path: PathLike, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (see :func:`atomic_writer`)."""
    with atomic_writer(path, "wb") as fh:
        fh.write(data)


def atomic_write_text(path: PathLike, text: str, encoding: str = "utf-8") -> None:
    """Write ``text`` to ``path`` atomically (see :func:`atomic_writer`)."""
    with atomic_writer(path, "w", encoding=encoding) as fh:
        fh.write(text)


def atomic_write_json(path: PathLike, obj: Any, **kwargs: Any) -> None:
    """Serialise ``obj`` with :func:`dumps_json` and write it to ``path`` atomically."""
    atomic_write_text(path, dumps_json(obj, **kwargs))


def _json_default(value: Any) -> Any:
    # numpy values can only exist if numpy is already imported: do not import it here, so
    # that the store (which writes JSON through this module) stays light to import.
    np = sys.modules.get("numpy")
    if np is None:
        if isinstance(value, (_dt.datetime, _dt.date)):
            return value.isoformat()
        if isinstance(value, os.PathLike):
            return os.fspath(value)
        if hasattr(value, "isoformat"):
            return value.isoformat()
        raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, (_dt.datetime, _dt.date, np.datetime64)):
        return value.isoformat() if not isinstance(value, np.datetime64) else str(value)
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if hasattr(value, "isoformat"):  # pandas.Timestamp and friends
        return value.isoformat()
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def dumps_json(obj: Any, **kwargs: Any) -> str:
    """``json.dumps`` that also encodes numpy scalars and arrays, dates and paths.

    Examples
    --------
    >>> import numpy as np
    >>> dumps_json({"n": np.int64(3), "x": np.array([0.5, 1.0]), "ok": np.bool_(True)})
    '{"n": 3, "x": [0.5, 1.0], "ok": true}'
    """
    return json.dumps(obj, default=_json_default, **kwargs)
