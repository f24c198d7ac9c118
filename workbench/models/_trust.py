"""Which model files this machine trusts enough to unpickle (DESIGN.md section 8).

A pickle (and a skops file with types outside skops' safe list) can run code when it is
loaded, so workbench loads one only when the trust comes from someone other than the
file's author:

- the caller, who passes ``trusted=True``;
- this machine's own records: the sha256 of every model file workbench itself wrote is kept
  in a small SQLite file (``$WORKBENCH_TRUST_STORE``, default
  ``~/.local/share/workbench/trusted.sqlite``), so a model saved here loads here, and a file
  whose bytes changed afterwards no longer matches;
- a directory the user listed in ``$WORKBENCH_TRUSTED_LOCATIONS`` (``os.pathsep``-separated).

Never from the model's own files: a trust list inside ``MLmodel`` is chosen by whoever wrote
the model. Records are keyed by digest, not by path, because a model directory is written
under a temporary name and renamed into place, and may be copied or moved afterwards.

Loaders should prefer :func:`read_trusted_bytes`, which checks and returns the very bytes it
hashed, over :func:`check_can_unpickle` followed by a second ``open``: the file cannot be
swapped between the check and the load.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import hashlib
import os
import pathlib
import sqlite3
import warnings
from collections.abc import Iterator

from workbench._exceptions import PERMISSION_DENIED, RESOURCE_DOES_NOT_EXIST, WorkbenchException

PathLike = str | os.PathLike

#: Environment variable naming the SQLite file that holds the digests of files workbench wrote.
TRUST_STORE_ENV = "WORKBENCH_TRUST_STORE"
#: Environment variable listing directories whose files the user trusts (``os.pathsep``-separated).
TRUSTED_LOCATIONS_ENV = "WORKBENCH_TRUSTED_LOCATIONS"

_BUSY_TIMEOUT_SECONDS = 30.0
_CHUNK = 1 << 20

# Version 1: one table of digests. Bump when the table changes, and migrate in _connect.
_SCHEMA_VERSION = 1
_SCHEMA = """
CREATE TABLE IF NOT EXISTS trusted_files (
    sha256      TEXT PRIMARY KEY,
    size_bytes  INTEGER NOT NULL,
    path        TEXT NOT NULL,      -- where it was written; informative only, trust is by digest
    recorded_at TEXT NOT NULL       -- UTC, ISO 8601
)
"""


def default_store_path() -> pathlib.Path:
    """Return the trust store's path: ``$WORKBENCH_TRUST_STORE`` or the per-user default.

    Examples
    --------
    >>> default_store_path().name
    '...sqlite'
    """
    configured = os.environ.get(TRUST_STORE_ENV)
    if configured:
        return pathlib.Path(configured).expanduser()
    return pathlib.Path.home() / ".local" / "share" / "workbench" / "trusted.sqlite"


def sha256_bytes(data: bytes) -> str:
    """Return the hex sha256 of ``data``.

    Examples
    --------
    >>> sha256_bytes(b"abc")[:16]
    'ba7816bf8f01cfea'
    """
    return hashlib.sha256(data).hexdigest()


def file_sha256(path: PathLike) -> str:
    """Return the hex sha256 of the file at ``path``, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _create_private_file(path: pathlib.Path) -> None:
    # The store decides what may run code: create it readable and writable by its owner only.
    # O_EXCL makes creation atomic when two processes start at once; the loser just opens it.
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))


class TrustStore:
    """The SQLite file of sha256 digests of model files that workbench wrote on this machine.

    Opened per call (no connection is kept), in WAL mode with a busy timeout, so several
    processes can record and check at once. The file and its table are created on first use.

    Parameters
    ----------
    path : str or os.PathLike, optional
        The SQLite file. Defaults to :func:`default_store_path`, read at each call.

    Examples
    --------
    >>> import os, tempfile
    >>> tmp = tempfile.mkdtemp()
    >>> store = TrustStore(os.path.join(tmp, "trusted.sqlite"))
    >>> model_file = os.path.join(tmp, "model.pkl")
    >>> with open(model_file, "wb") as fh:
    ...     _ = fh.write(b"bytes workbench wrote")
    >>> digest = store.record(model_file)
    >>> store.is_recorded(digest)
    True
    >>> with open(model_file, "ab") as fh:  # changed after the save: no longer the same file
    ...     _ = fh.write(b"!")
    >>> store.is_recorded(file_sha256(model_file))
    False
    """

    def __init__(self, path: PathLike | None = None) -> None:
        self._path = None if path is None else pathlib.Path(path)

    @property
    def path(self) -> pathlib.Path:
        """The SQLite file this store reads and writes."""
        return self._path if self._path is not None else default_store_path()

    def __repr__(self) -> str:
        return f"TrustStore({os.fspath(self.path)!r})"

    @contextlib.contextmanager
    def _connect(self, *, create: bool) -> Iterator[sqlite3.Connection | None]:
        path = self.path
        if not path.exists():
            if not create:
                yield None
                return
            _create_private_file(path)
        conn = sqlite3.connect(os.fspath(path), timeout=_BUSY_TIMEOUT_SECONDS, isolation_level=None)
        try:
            conn.execute(f"PRAGMA busy_timeout = {int(_BUSY_TIMEOUT_SECONDS * 1000)}")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute(_SCHEMA)
            if conn.execute("PRAGMA user_version").fetchone()[0] == 0:
                conn.execute(f"PRAGMA user_version = {_SCHEMA_VERSION}")
            yield conn
        finally:
            conn.close()

    def record(self, path: PathLike) -> str:
        """Record the sha256 of the file at ``path`` (a file workbench just wrote); return it."""
        digest = file_sha256(path)
        size = os.path.getsize(path)
        now = _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")
        with self._connect(create=True) as conn:
            assert conn is not None
            # One statement: atomic on its own, and idempotent when the same bytes are saved twice.
            conn.execute(
                "INSERT INTO trusted_files (sha256, size_bytes, path, recorded_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(sha256) DO UPDATE SET path = excluded.path, recorded_at = excluded.recorded_at",
                (digest, size, os.path.abspath(path), now),
            )
        return digest

    def is_recorded(self, digest: str) -> bool:
        """Return whether ``digest`` (hex sha256) is the digest of a file workbench wrote here."""
        try:
            with self._connect(create=False) as conn:
                if conn is None:
                    return False
                row = conn.execute("SELECT 1 FROM trusted_files WHERE sha256 = ?", (digest,)).fetchone()
        except sqlite3.Error as exc:
            # An unreadable store grants nothing; say so rather than failing the load obscurely.
            warnings.warn(f"workbench could not read its trust store {os.fspath(self.path)!r}: {exc}", stacklevel=3)
            return False
        return row is not None


def record_trusted_file(path: PathLike) -> str:
    """Record that workbench wrote the model file at ``path``, so it loads here later.

    Stores the file's sha256 in the trust store (:func:`default_store_path`) and returns it.
    If the store cannot be written, warns and still returns the digest: saving a model does
    not fail over this, but the file will then need ``trusted=True`` to load.

    Parameters
    ----------
    path : str or os.PathLike
        A file that workbench itself has just written.

    Returns
    -------
    str
        The file's hex sha256.
    """
    try:
        return TrustStore().record(path)
    except (sqlite3.Error, OSError) as exc:
        warnings.warn(
            f"workbench could not record {os.fspath(path)!r} in its trust store "
            f"{os.fspath(default_store_path())!r} ({exc}); loading this model will need trusted=True.",
            stacklevel=2,
        )
        return file_sha256(path)


def is_recorded_file(path: PathLike) -> bool:
    """Return whether the file at ``path`` has the bytes of a file workbench wrote here."""
    return TrustStore().is_recorded(file_sha256(path))


def trusted_locations() -> list[pathlib.Path]:
    """Return the directories listed in ``$WORKBENCH_TRUSTED_LOCATIONS``, resolved.

    Empty entries are skipped; ``~`` is expanded; symlinks are resolved, so that a file is
    judged by where it really is.

    Examples
    --------
    >>> import os
    >>> all(location.is_absolute() for location in trusted_locations())
    True
    """
    raw = os.environ.get(TRUSTED_LOCATIONS_ENV, "")
    return [pathlib.Path(os.path.realpath(os.path.expanduser(entry))) for entry in raw.split(os.pathsep) if entry.strip()]


def is_in_trusted_location(path: PathLike) -> bool:
    """Return whether ``path`` (symlinks resolved) lies under a directory of :func:`trusted_locations`."""
    real = os.path.realpath(path)
    for location in trusted_locations():
        root = os.fspath(location)
        if os.path.commonpath([root, real]) == root:
            return True
    return False


def refusal_message(path: PathLike, what: str) -> str:
    """Return the message of a refused unpickle of ``what`` at ``path``."""
    return (
        f"Refusing to load {what} from {os.fspath(path)!r}: it is a pickle file, and unpickling runs "
        "whatever code the file contains. workbench unpickles a file only when this machine wrote it "
        f"(its sha256 is recorded in {os.fspath(default_store_path())!r}), when it lies under a directory "
        f"listed in ${TRUSTED_LOCATIONS_ENV}, or when the caller opts in. If you trust the source of this "
        f"file, pass trusted=True, or add its directory to ${TRUSTED_LOCATIONS_ENV} "
        f"(directories separated by {os.pathsep!r})."
    )


def machine_trusts(path: PathLike, digest: str) -> bool:
    """Return whether this machine trusts the file at ``path`` whose bytes hash to ``digest``.

    True when the digest is recorded (workbench wrote these bytes) or the file lies under a
    directory of ``$WORKBENCH_TRUSTED_LOCATIONS``; the caller's own opt-in is not part of it.
    """
    return TrustStore().is_recorded(digest) or is_in_trusted_location(path)


def _decide(path: PathLike, digest: str, *, trusted: bool | None, what: str) -> None:
    if trusted is True:
        return
    if trusted is None and machine_trusts(path, digest):
        return
    message = refusal_message(path, what)
    if trusted is False:
        message += " (trusted=False was passed, so this machine's records were not consulted.)"
    raise WorkbenchException(message, error_code=PERMISSION_DENIED)


def check_trusted(trusted: object) -> bool | None:
    """Return ``trusted`` if it is True, False or None; refuse anything else.

    Examples
    --------
    >>> check_trusted("yes")
    Traceback (most recent call last):
    ...
    workbench._exceptions.WorkbenchException: trusted must be True, False or None, got str: 'yes'.
    """
    if trusted is not None and not isinstance(trusted, bool):
        raise WorkbenchException.invalid_parameter_value(
            f"trusted must be True, False or None, got {type(trusted).__name__}: {trusted!r}."
        )
    return trusted


def check_can_unpickle(path: PathLike, *, trusted: bool | None, what: str) -> None:
    """Raise unless the pickle at ``path`` may be loaded.

    Allowed when ``trusted`` is True, or (``trusted`` None) when the file's sha256 was
    recorded by :func:`record_trusted_file` or the file lies under a directory of
    ``$WORKBENCH_TRUSTED_LOCATIONS``. ``trusted=False`` refuses whatever the records say.

    Parameters
    ----------
    path : str or os.PathLike
        The pickle file.
    trusted : bool or None
        The caller's decision: True trusts the file, False refuses it, None consults this
        machine's records and ``$WORKBENCH_TRUSTED_LOCATIONS``.
    what : str
        What the file holds, for the message, e.g. ``"a scikit-learn model"``.

    Raises
    ------
    WorkbenchException
        ``PERMISSION_DENIED``, saying where the file is and how to opt in;
        ``RESOURCE_DOES_NOT_EXIST`` when there is no such file.

    Examples
    --------
    >>> import os, tempfile
    >>> stranger = os.path.join(tempfile.mkdtemp(), "model.pkl")
    >>> with open(stranger, "wb") as fh:
    ...     _ = fh.write(os.urandom(32))
    >>> check_can_unpickle(stranger, trusted=True, what="a model")
    >>> check_can_unpickle(stranger, trusted=None, what="a model")
    Traceback (most recent call last):
    ...
    workbench._exceptions.WorkbenchException: Refusing to load a model from '...model.pkl': it is a pickle file...
    """
    read_trusted_bytes(path, trusted=trusted, what=what, _keep=False)


def read_trusted_bytes(path: PathLike, *, trusted: bool | None, what: str, _keep: bool = True) -> bytes:
    """Check the file at ``path`` like :func:`check_can_unpickle` and return the bytes checked.

    Loading from these bytes (``pickle.loads``, ``skops.io.loads``) rather than opening the
    file again means the file cannot change between the check and the load.
    """
    check_trusted(trusted)
    try:
        data = pathlib.Path(path).read_bytes()
    except (FileNotFoundError, IsADirectoryError):
        raise WorkbenchException(
            f"Expected {what} at {os.fspath(path)!r}, but there is no such file.",
            error_code=RESOURCE_DOES_NOT_EXIST,
        ) from None
    _decide(path, sha256_bytes(data), trusted=trusted, what=what)
    return data if _keep else b""
