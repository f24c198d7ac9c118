"""The model registry of a workspace: registered models, numbered versions, aliases and tags.

Files are the record, SQLite is the cache (as for runs)::

    <root>/registry/<name>/registered_model.json     name, times, description, tags, aliases
    <root>/registry/<name>/<version>/version.json    name, version, source, run_id, times,
                                                     description, tags, status
    <root>/registry/<name>/<version>/artifacts/      a read-only copy of the model directory

A new version number is taken inside one ``BEGIN IMMEDIATE`` transaction on the
workspace's ``index.sqlite``, so concurrent registrations (threads or processes) never get
the same number. The number is the larger of the index's and the directories' highest
version plus one, so a version directory written by a process that died before its commit
is never overwritten. The version's directory is built under a temporary name, made
read-only and renamed into place before the row is committed.

:func:`rebuild` re-creates the registry tables from the files; :class:`Registry` calls it
by itself when the tables are empty but ``registry/`` is not (an index rebuilt without it).

A registered version is immutable, as in MLflow: its artifacts are chmod read-only and
:func:`is_registry_path` lets writers refuse a local path inside the registry (chmod does
not stop root).
"""

from __future__ import annotations

import contextlib
import os
import pathlib
import re
import shutil
import sqlite3
import stat
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from workbench._exceptions import (
    INVALID_PARAMETER_VALUE,
    RESOURCE_ALREADY_EXISTS,
    RESOURCE_DOES_NOT_EXIST,
    WorkbenchException,
)
from workbench._io import _fsync_dir, atomic_write_json, check_relative_path, safe_join

REGISTRY_DIR = "registry"
INDEX_FILE = "index.sqlite"
VERSION_FILE = "version.json"
MODEL_FILE = "registered_model.json"
ARTIFACTS_DIR = "artifacts"

#: Bump when the files' layout changes; written into each JSON record.
FORMAT_VERSION = 1

_BUSY_TIMEOUT_MS = 30_000
_MAX_NAME_LENGTH = 256
_ALIAS_PATTERN = re.compile(r"^[\w\-]{1,255}$")
_RESERVED_ALIAS = re.compile(r"^(latest|v\d+)$", re.IGNORECASE)

SCHEMA = """
CREATE TABLE IF NOT EXISTS registered_models (
    name                   TEXT PRIMARY KEY,
    creation_timestamp     INTEGER NOT NULL,
    last_updated_timestamp INTEGER NOT NULL,
    description            TEXT
);
CREATE TABLE IF NOT EXISTS registered_model_tags (
    name  TEXT NOT NULL,
    key   TEXT NOT NULL,
    value TEXT,
    PRIMARY KEY (name, key)
);
CREATE TABLE IF NOT EXISTS registered_model_aliases (
    name    TEXT NOT NULL,
    alias   TEXT NOT NULL,
    version INTEGER NOT NULL,
    PRIMARY KEY (name, alias)
);
CREATE TABLE IF NOT EXISTS model_versions (
    name                   TEXT NOT NULL,
    version                INTEGER NOT NULL,
    creation_timestamp     INTEGER NOT NULL,
    last_updated_timestamp INTEGER NOT NULL,
    description            TEXT,
    source                 TEXT,
    run_id                 TEXT,
    source_artifact_path   TEXT,
    status                 TEXT NOT NULL,
    PRIMARY KEY (name, version)
);
CREATE TABLE IF NOT EXISTS model_version_tags (
    name    TEXT NOT NULL,
    version INTEGER NOT NULL,
    key     TEXT NOT NULL,
    value   TEXT,
    PRIMARY KEY (name, version, key)
);
"""

_TABLES = (
    "registered_models",
    "registered_model_tags",
    "registered_model_aliases",
    "model_versions",
    "model_version_tags",
)


def _now_ms() -> int:
    return int(time.time() * 1000)


_invalid = WorkbenchException.invalid_parameter_value


def _missing(message: str) -> WorkbenchException:
    return WorkbenchException(message, error_code=RESOURCE_DOES_NOT_EXIST)


# ============================================================================ entities


@dataclass(frozen=True)
class ModelVersion:
    """One registered version (the fields of ``mlflow.entities.model_registry.ModelVersion``)."""

    name: str
    version: int
    creation_timestamp: int
    last_updated_timestamp: int
    description: str | None
    source: str | None
    run_id: str | None
    status: str
    tags: dict[str, str] = field(default_factory=dict)
    aliases: list[str] = field(default_factory=list)
    source_artifact_path: str | None = None
    #: The local read-only copy of the model (``registry/<name>/<version>/artifacts``).
    storage_location: str | None = None
    current_stage: str = "None"
    run_link: str | None = None
    user_id: str | None = None
    status_message: str | None = None


@dataclass(frozen=True)
class RegisteredModel:
    """A registered model (the fields of ``mlflow.entities.model_registry.RegisteredModel``)."""

    name: str
    creation_timestamp: int
    last_updated_timestamp: int
    description: str | None
    tags: dict[str, str] = field(default_factory=dict)
    aliases: dict[str, int] = field(default_factory=dict)
    latest_versions: list[ModelVersion] = field(default_factory=list)


# ============================================================================ names


def check_model_name(name: Any) -> str:
    """Return ``name`` if it is a usable registered model name, else refuse it.

    A name becomes a directory under ``registry/``: one plain path component (no ``/``,
    ``\\``, ``..``, control characters, leading ``.``), no ``@`` (it would read as an alias
    in ``models:/name@alias``), at most 256 characters.

    Examples
    --------
    >>> check_model_name("model-with-metadata")
    'model-with-metadata'
    >>> check_model_name("../etc")
    Traceback (most recent call last):
    ...
    workbench._exceptions.WorkbenchException: Invalid registered model name '../etc'...
    """
    if not isinstance(name, str) or not name.strip():
        raise _invalid(f"Registered model name must be a non-empty str, got {name!r}.")
    why = None
    if len(name) > _MAX_NAME_LENGTH:
        why = f"it is longer than {_MAX_NAME_LENGTH} characters"
    elif "/" in name or "\\" in name or "@" in name or ":" in name:
        why = "it contains '/', '\\\\', ':' or '@'"
    elif name.startswith(".") or name != name.strip():
        why = "it starts with '.' or with or ends with whitespace"
    else:
        try:
            if check_relative_path(name) != name:
                why = "it is not a plain name"
        except WorkbenchException as err:
            why = err.message.split(": ", 1)[-1].split(". Expected")[0]
    if why:
        raise _invalid(
            f"Invalid registered model name {name!r}: {why}. Expected a plain name such as "
            "'churn-classifier' (letters, digits, '-', '_', '.', spaces)."
        )
    return name


def check_alias(alias: Any) -> str:
    """Return ``alias`` if valid (MLflow's rule: ``[\\w-]``, not ``latest`` nor ``v<digits>``)."""
    if not isinstance(alias, str) or not _ALIAS_PATTERN.match(alias):
        raise _invalid(
            f"Invalid alias {alias!r}: expected 1-255 letters, digits, '_' or '-', e.g. 'champion'."
        )
    if _RESERVED_ALIAS.match(alias):
        raise _invalid(
            f"Invalid alias {alias!r}: 'latest' and 'v<number>' are reserved (they already name "
            "versions in models:/ URIs)."
        )
    return alias


def check_version(version: Any) -> int:
    """Return ``version`` as a positive int (``3`` or ``"3"``), else refuse it."""
    if isinstance(version, bool):
        version = None
    if isinstance(version, str) and version.isdigit():
        version = int(version)
    if not isinstance(version, int) or version < 1:
        raise _invalid(f"Model version must be a positive integer, got {version!r}.")
    return version


# ============================================================================ files


def _make_read_only(root: pathlib.Path) -> None:
    for current, dirs, files in os.walk(root, topdown=False):
        for name in files:
            path = os.path.join(current, name)
            os.chmod(path, stat.S_IMODE(os.lstat(path).st_mode) & ~0o222)
        for name in dirs:
            os.chmod(os.path.join(current, name), 0o555)
    os.chmod(root, 0o555)


def _make_writable(root: pathlib.Path) -> None:
    for current, dirs, files in os.walk(root):
        os.chmod(current, 0o755)
        for name in files:
            path = os.path.join(current, name)
            os.chmod(path, stat.S_IMODE(os.lstat(path).st_mode) | 0o200)
        for name in dirs:
            os.chmod(os.path.join(current, name), 0o755)


def _copy_model(source: pathlib.Path, destination: pathlib.Path) -> None:
    """Copy the model directory ``source`` to ``destination``, refusing symlinks."""
    for current, dirs, files in os.walk(source):
        rel = os.path.relpath(current, source)
        target = destination if rel == "." else destination / rel
        target.mkdir(exist_ok=True)
        for name in dirs + files:
            if os.path.islink(os.path.join(current, name)):
                raise _invalid(
                    f"Cannot register the model at {os.fspath(source)!r}: "
                    f"{os.path.join(rel, name)!r} is a symbolic link. Registered versions hold "
                    "plain files only; replace the link with the file it points to."
                )
        dirs[:] = [name for name in dirs if name != "__pycache__" and not name.startswith(".")]
        for name in files:
            shutil.copy2(os.path.join(current, name), target / name)
            with open(target / name, "rb") as fh:
                os.fsync(fh.fileno())


def _read_json(path: pathlib.Path) -> dict[str, Any]:
    import json

    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"expected a JSON object in {path}")
    return data


# ============================================================================ the registry


class Registry:
    """The registered models of the workspace at ``root``.

    Parameters
    ----------
    root : str or os.PathLike
        The workspace root (holds ``index.sqlite`` and ``registry/``).

    Examples
    --------
    >>> import pathlib, tempfile
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> model_dir = root / "m"; model_dir.mkdir(); _ = (model_dir / "MLmodel").write_text("flavors: {}\\n")
    >>> reg = Registry(root)
    >>> reg.create_model_version("churn", model_dir).version, reg.create_model_version("churn", model_dir).version
    (1, 2)
    >>> reg.set_registered_model_alias("churn", "champion", 1)
    >>> reg.get_model_version_by_alias("churn", "champion").version, reg.get_latest_version("churn").version
    (1, 2)
    """

    def __init__(self, root: str | os.PathLike) -> None:
        self.root = pathlib.Path(root)
        self.registry_dir = self.root / REGISTRY_DIR
        self.root.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(
            os.fspath(self.root / INDEX_FILE), timeout=_BUSY_TIMEOUT_MS / 1000, isolation_level=None
        )
        self._conn.execute(f"PRAGMA busy_timeout={_BUSY_TIMEOUT_MS}")
        with contextlib.suppress(sqlite3.OperationalError):
            self._conn.execute("PRAGMA journal_mode=WAL")
        self._inode = os.stat(self.root / INDEX_FILE).st_ino
        with self._transaction() as conn:
            ensure_schema(conn)
            # Inside the write lock no registration is half done, so versions on disk that
            # the index lacks (an index rebuilt without the registry, a writer killed between
            # its rename and its commit) or rows whose directory vanished mean: rebuild.
            indexed = set(conn.execute("SELECT name, version FROM model_versions"))
            if indexed != _versions_on_disk(self.registry_dir):
                rebuild(conn, self.root)

    def close(self) -> None:
        """Close the SQLite connection."""
        self._conn.close()

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        conn = self._conn
        for attempt in range(50):
            try:
                conn.execute("BEGIN IMMEDIATE")
                break
            except sqlite3.OperationalError as err:
                if "locked" not in str(err) and "busy" not in str(err):
                    raise
                time.sleep(min(0.05 * (attempt + 1), 0.5))
        else:
            raise WorkbenchException(
                f"The workspace index {os.fspath(self.root / INDEX_FILE)!r} stayed locked by "
                "another process; try again.",
                error_code="TEMPORARILY_UNAVAILABLE",
            )
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    # ----------------------------------------------------------------- paths

    def model_dir(self, name: str) -> pathlib.Path:
        """Return ``registry/<name>`` (checked)."""
        return safe_join(self.registry_dir, check_model_name(name))

    def version_dir(self, name: str, version: int) -> pathlib.Path:
        """Return ``registry/<name>/<version>``."""
        return self.model_dir(name) / str(check_version(version))

    def artifacts_dir(self, name: str, version: int) -> pathlib.Path:
        """Return the read-only model directory of version ``version`` of ``name``."""
        return self.version_dir(name, version) / ARTIFACTS_DIR

    # ----------------------------------------------------------------- writing records

    def _write_model_record(self, conn: sqlite3.Connection, name: str) -> None:
        row = conn.execute(
            "SELECT creation_timestamp, last_updated_timestamp, description FROM registered_models "
            "WHERE name = ?",
            (name,),
        ).fetchone()
        tags = dict(conn.execute("SELECT key, value FROM registered_model_tags WHERE name = ?", (name,)))
        aliases = dict(
            conn.execute("SELECT alias, version FROM registered_model_aliases WHERE name = ?", (name,))
        )
        record = {
            "format_version": FORMAT_VERSION,
            "name": name,
            "creation_timestamp": row[0],
            "last_updated_timestamp": row[1],
            "description": row[2],
            "tags": tags,
            "aliases": aliases,
        }
        directory = self.model_dir(name)
        directory.mkdir(parents=True, exist_ok=True)
        atomic_write_json(directory / MODEL_FILE, record, indent=1, sort_keys=True)

    def _write_version_record(self, conn: sqlite3.Connection, name: str, version: int) -> None:
        mv = self._version_from_row(conn, name, version)
        atomic_write_json(self.version_dir(name, version) / VERSION_FILE, _version_record(mv), indent=1, sort_keys=True)

    def _ensure_model(self, conn: sqlite3.Connection, name: str, now: int) -> None:
        inserted = conn.execute(
            "INSERT OR IGNORE INTO registered_models VALUES (?, ?, ?, NULL)", (name, now, now)
        ).rowcount
        if inserted:
            self._write_model_record(conn, name)

    def create_registered_model(
        self, name: str, tags: dict[str, Any] | None = None, description: str | None = None
    ) -> RegisteredModel:
        """Create the registered model ``name`` (``RESOURCE_ALREADY_EXISTS`` if it exists)."""
        name = check_model_name(name)
        now = _now_ms()
        with self._transaction() as conn:
            if conn.execute("SELECT 1 FROM registered_models WHERE name = ?", (name,)).fetchone():
                raise WorkbenchException(
                    f"Registered Model (name={name}) already exists.", error_code=RESOURCE_ALREADY_EXISTS
                )
            conn.execute("INSERT INTO registered_models VALUES (?, ?, ?, ?)", (name, now, now, description))
            for key, value in (tags or {}).items():
                conn.execute("INSERT INTO registered_model_tags VALUES (?, ?, ?)", (name, str(key), str(value)))
            self._write_model_record(conn, name)
        return self.get_registered_model(name)

    def create_model_version(
        self,
        name: str,
        source_dir: str | os.PathLike,
        source: str | None = None,
        run_id: str | None = None,
        source_artifact_path: str | None = None,
        tags: dict[str, Any] | None = None,
        description: str | None = None,
    ) -> ModelVersion:
        """Register a read-only copy of the model directory ``source_dir`` as a new version.

        The registered model is created on first use. Returns the new :class:`ModelVersion`
        (``status='READY'``: the copy is complete when this returns).
        """
        name = check_model_name(name)
        source_path = pathlib.Path(source_dir)
        if not source_path.is_dir():
            raise _missing(
                f"Cannot register {os.fspath(source_dir)!r}: it is not a model directory."
            )
        now = _now_ms()
        with self._transaction() as conn:
            self._ensure_model(conn, name, now)
            directory = self.model_dir(name)
            on_disk = [int(p.name) for p in directory.iterdir() if p.name.isdigit()]
            in_index = conn.execute(
                "SELECT max(version) FROM model_versions WHERE name = ?", (name,)
            ).fetchone()[0] or 0
            version = max([in_index, *on_disk]) + 1
            staging = directory / f".{version}.{uuid.uuid4().hex[:12]}.tmp"
            staging.mkdir()
            try:
                _copy_model(source_path, staging / ARTIFACTS_DIR)
                _make_read_only(staging / ARTIFACTS_DIR)
                mv = ModelVersion(
                    name=name,
                    version=version,
                    creation_timestamp=now,
                    last_updated_timestamp=now,
                    description=description,
                    source=source or source_path.resolve().as_uri(),
                    run_id=run_id,
                    status="READY",
                    tags={str(k): str(v) for k, v in (tags or {}).items()},
                    source_artifact_path=source_artifact_path,
                )
                atomic_write_json(staging / VERSION_FILE, _version_record(mv), indent=1, sort_keys=True)
                os.rename(staging, directory / str(version))
            except BaseException:
                with contextlib.suppress(OSError):
                    _make_writable(staging)
                shutil.rmtree(staging, ignore_errors=True)
                raise
            _fsync_dir(directory)
            _insert_version(conn, mv)
            conn.execute(
                "UPDATE registered_models SET last_updated_timestamp = ? WHERE name = ?", (now, name)
            )
            self._write_model_record(conn, name)
        return self.get_model_version(name, version)

    # ----------------------------------------------------------------- reading

    def _version_from_row(self, conn: sqlite3.Connection, name: str, version: int) -> ModelVersion:
        row = conn.execute(
            "SELECT creation_timestamp, last_updated_timestamp, description, source, run_id, "
            "source_artifact_path, status FROM model_versions WHERE name = ? AND version = ?",
            (name, version),
        ).fetchone()
        if row is None:
            self._require_model(conn, name)
            raise _missing(
                f"Model Version (name={name}, version={version}) not found. Registered versions of "
                f"{name!r}: {self._versions(conn, name) or 'none'}."
            )
        tags = dict(
            conn.execute(
                "SELECT key, value FROM model_version_tags WHERE name = ? AND version = ?", (name, version)
            )
        )
        aliases = [
            alias
            for (alias,) in conn.execute(
                "SELECT alias FROM registered_model_aliases WHERE name = ? AND version = ? ORDER BY alias",
                (name, version),
            )
        ]
        return ModelVersion(
            name=name,
            version=version,
            creation_timestamp=row[0],
            last_updated_timestamp=row[1],
            description=row[2],
            source=row[3],
            run_id=row[4],
            source_artifact_path=row[5],
            status=row[6],
            tags=tags,
            aliases=aliases,
            storage_location=os.fspath(self.artifacts_dir(name, version)),
        )

    def _versions(self, conn: sqlite3.Connection, name: str) -> list[int]:
        return [v for (v,) in conn.execute("SELECT version FROM model_versions WHERE name = ? ORDER BY version", (name,))]

    def _require_model(self, conn: sqlite3.Connection, name: str) -> None:
        if not conn.execute("SELECT 1 FROM registered_models WHERE name = ?", (name,)).fetchone():
            known = [n for (n,) in conn.execute("SELECT name FROM registered_models ORDER BY name LIMIT 20")]
            raise _missing(
                f"Registered Model with name={name} not found. Registered models in this workspace: "
                f"{known or 'none'}."
            )

    def get_model_version(self, name: str, version: int | str) -> ModelVersion:
        """Return version ``version`` of ``name`` (``RESOURCE_DOES_NOT_EXIST`` if unknown)."""
        name, version = check_model_name(name), check_version(version)
        return self._version_from_row(self._conn, name, version)

    def get_latest_version(self, name: str) -> ModelVersion:
        """Return the highest version of ``name`` (what ``models:/<name>/latest`` means)."""
        name = check_model_name(name)
        self._require_model(self._conn, name)
        versions = self._versions(self._conn, name)
        if not versions:
            raise _missing(f"Registered model {name!r} has no versions.")
        return self._version_from_row(self._conn, name, versions[-1])

    def get_model_version_by_alias(self, name: str, alias: str) -> ModelVersion:
        """Return the version that ``alias`` of ``name`` points to."""
        name, alias = check_model_name(name), check_alias(alias)
        self._require_model(self._conn, name)
        row = self._conn.execute(
            "SELECT version FROM registered_model_aliases WHERE name = ? AND alias = ?", (name, alias)
        ).fetchone()
        if row is None:
            raise _missing(f"Registered model alias {alias} not found on registered model {name!r}.")
        return self._version_from_row(self._conn, name, row[0])

    def get_registered_model(self, name: str) -> RegisteredModel:
        """Return the registered model ``name`` with its tags, aliases and latest version."""
        name = check_model_name(name)
        self._require_model(self._conn, name)
        row = self._conn.execute(
            "SELECT creation_timestamp, last_updated_timestamp, description FROM registered_models WHERE name = ?",
            (name,),
        ).fetchone()
        versions = self._versions(self._conn, name)
        return RegisteredModel(
            name=name,
            creation_timestamp=row[0],
            last_updated_timestamp=row[1],
            description=row[2],
            tags=dict(self._conn.execute("SELECT key, value FROM registered_model_tags WHERE name = ?", (name,))),
            aliases=dict(
                self._conn.execute("SELECT alias, version FROM registered_model_aliases WHERE name = ?", (name,))
            ),
            latest_versions=[self._version_from_row(self._conn, name, versions[-1])] if versions else [],
        )

    def search_registered_models(self) -> list[RegisteredModel]:
        """Return every registered model, by name."""
        names = [n for (n,) in self._conn.execute("SELECT name FROM registered_models ORDER BY name")]
        return [self.get_registered_model(n) for n in names]

    def search_model_versions(self, name: str) -> list[ModelVersion]:
        """Return every version of ``name``, newest first (as MLflow orders them)."""
        name = check_model_name(name)
        self._require_model(self._conn, name)
        return [self._version_from_row(self._conn, name, v) for v in reversed(self._versions(self._conn, name))]

    # ----------------------------------------------------------------- aliases, tags, descriptions

    def set_registered_model_alias(self, name: str, alias: str, version: int | str) -> None:
        """Point ``alias`` of ``name`` at ``version`` (moving it if it pointed elsewhere)."""
        name, alias, version = check_model_name(name), check_alias(alias), check_version(version)
        with self._transaction() as conn:
            self._version_from_row(conn, name, version)  # refuses an unknown version
            conn.execute("INSERT OR REPLACE INTO registered_model_aliases VALUES (?, ?, ?)", (name, alias, version))
            self._touch(conn, name)

    def delete_registered_model_alias(self, name: str, alias: str) -> None:
        """Remove ``alias`` from ``name`` (``RESOURCE_DOES_NOT_EXIST`` if it is not set)."""
        name, alias = check_model_name(name), check_alias(alias)
        with self._transaction() as conn:
            self._require_model(conn, name)
            if not conn.execute(
                "DELETE FROM registered_model_aliases WHERE name = ? AND alias = ?", (name, alias)
            ).rowcount:
                raise _missing(f"Registered model alias {alias} not found on registered model {name!r}.")
            self._touch(conn, name)

    def set_registered_model_tag(self, name: str, key: str, value: Any) -> None:
        """Set tag ``key`` of the registered model ``name``."""
        name = check_model_name(name)
        with self._transaction() as conn:
            self._require_model(conn, name)
            conn.execute("INSERT OR REPLACE INTO registered_model_tags VALUES (?, ?, ?)", (name, _key(key), str(value)))
            self._touch(conn, name)

    def delete_registered_model_tag(self, name: str, key: str) -> None:
        """Delete tag ``key`` of the registered model ``name`` (no error if absent)."""
        name = check_model_name(name)
        with self._transaction() as conn:
            self._require_model(conn, name)
            conn.execute("DELETE FROM registered_model_tags WHERE name = ? AND key = ?", (name, _key(key)))
            self._touch(conn, name)

    def set_model_version_tag(self, name: str, version: int | str, key: str, value: Any) -> None:
        """Set tag ``key`` of version ``version`` of ``name``."""
        name, version = check_model_name(name), check_version(version)
        with self._transaction() as conn:
            self._version_from_row(conn, name, version)
            conn.execute(
                "INSERT OR REPLACE INTO model_version_tags VALUES (?, ?, ?, ?)", (name, version, _key(key), str(value))
            )
            self._touch(conn, name, version)

    def delete_model_version_tag(self, name: str, version: int | str, key: str) -> None:
        """Delete tag ``key`` of version ``version`` of ``name`` (no error if absent)."""
        name, version = check_model_name(name), check_version(version)
        with self._transaction() as conn:
            self._version_from_row(conn, name, version)
            conn.execute(
                "DELETE FROM model_version_tags WHERE name = ? AND version = ? AND key = ?", (name, version, _key(key))
            )
            self._touch(conn, name, version)

    def update_registered_model(self, name: str, description: str | None) -> RegisteredModel:
        """Set the description of ``name``."""
        name = check_model_name(name)
        with self._transaction() as conn:
            self._require_model(conn, name)
            conn.execute("UPDATE registered_models SET description = ? WHERE name = ?", (description, name))
            self._touch(conn, name)
        return self.get_registered_model(name)

    def update_model_version(self, name: str, version: int | str, description: str | None) -> ModelVersion:
        """Set the description of version ``version`` of ``name``."""
        name, version = check_model_name(name), check_version(version)
        with self._transaction() as conn:
            self._version_from_row(conn, name, version)
            conn.execute(
                "UPDATE model_versions SET description = ? WHERE name = ? AND version = ?", (description, name, version)
            )
            self._touch(conn, name, version)
        return self.get_model_version(name, version)

    def _touch(self, conn: sqlite3.Connection, name: str, version: int | None = None) -> None:
        now = _now_ms()
        conn.execute("UPDATE registered_models SET last_updated_timestamp = ? WHERE name = ?", (now, name))
        if version is not None:
            conn.execute(
                "UPDATE model_versions SET last_updated_timestamp = ? WHERE name = ? AND version = ?",
                (now, name, version),
            )
            self._write_version_record(conn, name, version)
        self._write_model_record(conn, name)


def _key(key: Any) -> str:
    if not isinstance(key, str) or not key or len(key) > 250:
        raise _invalid(f"Tag key must be a non-empty str of at most 250 characters, got {key!r}.")
    return key


def _version_record(mv: ModelVersion) -> dict[str, Any]:
    return {
        "format_version": FORMAT_VERSION,
        "name": mv.name,
        "version": mv.version,
        "creation_timestamp": mv.creation_timestamp,
        "last_updated_timestamp": mv.last_updated_timestamp,
        "description": mv.description,
        "source": mv.source,
        "run_id": mv.run_id,
        "source_artifact_path": mv.source_artifact_path,
        "status": mv.status,
        "tags": dict(mv.tags),
    }


def _insert_version(conn: sqlite3.Connection, mv: ModelVersion) -> None:
    conn.execute(
        "INSERT INTO model_versions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            mv.name,
            mv.version,
            mv.creation_timestamp,
            mv.last_updated_timestamp,
            mv.description,
            mv.source,
            mv.run_id,
            mv.source_artifact_path,
            mv.status,
        ),
    )
    for key, value in mv.tags.items():
        conn.execute("INSERT OR REPLACE INTO model_version_tags VALUES (?, ?, ?, ?)", (mv.name, mv.version, key, value))


# ============================================================================ schema and rebuild


def _versions_on_disk(registry: pathlib.Path) -> set[tuple[str, int]]:
    found = set()
    if registry.is_dir():
        for model_dir in registry.iterdir():
            if model_dir.is_dir() and not model_dir.name.startswith("."):
                for version_dir in model_dir.iterdir():
                    if version_dir.name.isdigit() and (version_dir / VERSION_FILE).is_file():
                        found.add((model_dir.name, int(version_dir.name)))
    return found


def ensure_schema(conn: sqlite3.Connection) -> None:
    """Create the registry tables in ``conn`` if they do not exist (idempotent)."""
    for statement in SCHEMA.split(";"):
        if statement.strip():
            conn.execute(statement)


def rebuild(conn: sqlite3.Connection, root: str | os.PathLike) -> list[str]:
    """Re-create the registry tables of ``conn`` from ``<root>/registry/``.

    Call it inside the transaction that rebuilds the rest of the index. Each registered
    model's ``registered_model.json`` and each version's ``version.json`` is read; a record
    that cannot be read is skipped with a warning naming it (never fatal). A version
    directory whose model has no record file still gets its model row. Aliases that point
    at a version that is not there are dropped.

    Returns
    -------
    list of str
        The paths that were skipped.
    """
    import warnings

    ensure_schema(conn)
    for table in _TABLES:
        conn.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed table names
    registry = pathlib.Path(root) / REGISTRY_DIR
    skipped: list[str] = []
    if not registry.is_dir():
        return skipped
    for model_dir in sorted(registry.iterdir()):
        if not model_dir.is_dir() or model_dir.name.startswith("."):
            continue
        try:
            name = check_model_name(model_dir.name)
        except WorkbenchException:
            skipped.append(os.fspath(model_dir))
            warnings.warn(f"Skipping {os.fspath(model_dir)!r}: not a valid registered model name.", stacklevel=2)
            continue
        record: dict[str, Any] = {}
        if (model_dir / MODEL_FILE).is_file():
            try:
                record = _read_json(model_dir / MODEL_FILE)
            except (OSError, ValueError) as err:
                skipped.append(os.fspath(model_dir / MODEL_FILE))
                warnings.warn(f"Skipping the corrupt record {os.fspath(model_dir / MODEL_FILE)!r}: {err}", stacklevel=2)
        versions: list[int] = []
        first_ts = None
        for version_dir in sorted(model_dir.iterdir()):
            if not version_dir.name.isdigit():
                continue
            try:
                data = _read_json(version_dir / VERSION_FILE)
                mv = ModelVersion(
                    name=name,
                    version=int(version_dir.name),
                    creation_timestamp=int(data["creation_timestamp"]),
                    last_updated_timestamp=int(data.get("last_updated_timestamp") or data["creation_timestamp"]),
                    description=data.get("description"),
                    source=data.get("source"),
                    run_id=data.get("run_id"),
                    source_artifact_path=data.get("source_artifact_path"),
                    status=str(data.get("status") or "READY"),
                    tags={str(k): str(v) for k, v in (data.get("tags") or {}).items()},
                )
            except (OSError, ValueError, KeyError, TypeError) as err:
                skipped.append(os.fspath(version_dir))
                warnings.warn(f"Skipping the corrupt model version {os.fspath(version_dir)!r}: {err}", stacklevel=2)
                continue
            _insert_version(conn, mv)
            versions.append(mv.version)
            first_ts = mv.creation_timestamp if first_ts is None else min(first_ts, mv.creation_timestamp)
        if not record and not versions:
            continue
        now = _now_ms()
        created = int(record.get("creation_timestamp") or first_ts or now)
        conn.execute(
            "INSERT INTO registered_models VALUES (?, ?, ?, ?)",
            (name, created, int(record.get("last_updated_timestamp") or created), record.get("description")),
        )
        for key, value in (record.get("tags") or {}).items():
            conn.execute("INSERT INTO registered_model_tags VALUES (?, ?, ?)", (name, str(key), str(value)))
        for alias, version in (record.get("aliases") or {}).items():
            if isinstance(version, int) and version in versions:
                conn.execute("INSERT INTO registered_model_aliases VALUES (?, ?, ?)", (name, str(alias), version))
    return skipped


def is_registry_path(path: str | os.PathLike, root: str | os.PathLike) -> bool:
    """Return True when ``path`` lies inside ``<root>/registry`` (a read-only version)."""
    registry = os.path.realpath(pathlib.Path(root) / REGISTRY_DIR)
    real = os.path.realpath(path)
    return os.path.commonpath([registry, real]) == registry


def refuse_registry_write(path: str | os.PathLike, root: str | os.PathLike, action: str) -> None:
    """Raise ``INVALID_PARAMETER_VALUE`` when ``path`` is inside the workspace's registry."""
    if is_registry_path(path, root):
        raise _invalid(
            f"Failed to {action} on {os.fspath(path)!r}: it is a registered model version, and "
            "registered model versions are read-only. Change the source model artifacts instead "
            "and register them as a new model version."
        )


# ============================================================================ one registry per workspace

_cache: dict[tuple[str, int, int], Registry] = {}


def get_registry(root: str | os.PathLike | None = None) -> Registry:
    """Return the :class:`Registry` of ``root`` (default: the current workspace).

    One instance per workspace, process and thread (SQLite connections are not shared
    across threads or forks).
    """
    import threading

    if root is None:
        from workbench.store._workspace import get_workspace

        root = get_workspace()
    key = (os.path.abspath(os.fspath(root)), os.getpid(), threading.get_ident())
    registry = _cache.get(key)
    try:
        inode = os.stat(pathlib.Path(key[0]) / INDEX_FILE).st_ino
    except OSError:
        inode = None
    if registry is None or inode is None or inode != registry._inode:
        # First use, or the index file was removed or replaced (rebuilt): reopen.
        if registry is not None:
            with contextlib.suppress(sqlite3.Error):
                registry.close()
        registry = _cache[key] = Registry(key[0])
    return registry


def register_model(
    model_uri: str | os.PathLike,
    name: str,
    tags: dict[str, Any] | None = None,
    root: str | os.PathLike | None = None,
) -> ModelVersion:
    """Register the model at ``model_uri`` as a new version of ``name`` (MLflow's ``register_model``).

    ``model_uri`` is ``runs:/<run_id>/<path>`` (the version records the run and path),
    another registered version (``models:/...``), or a local model directory.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> model_dir = root / "m"; model_dir.mkdir(); _ = (model_dir / "MLmodel").write_text("flavors: {}\\n")
    >>> register_model(model_dir, "local-model", root=root).version
    1
    """
    from workbench.store import _uris

    text = os.fspath(model_uri)
    run_id = artifact_path = None
    if _uris.is_store_uri(text):
        path = _uris.resolve_uri(text, root)
        if text.lower().startswith(_uris.RUNS_SCHEME):
            parsed = _uris.parse_runs_uri(text)
            run_id, artifact_path = parsed.run_id, parsed.artifact_path
        else:
            mv = _uris.model_version_for_uri(text, root)
            run_id, artifact_path = mv.run_id, mv.source_artifact_path
        source = text
    else:
        path = pathlib.Path(os.path.abspath(os.path.expanduser(text)))
        source = None
    if path.is_file() and path.name == "MLmodel":
        path = path.parent
    return get_registry(root).create_model_version(
        name, path, source=source, run_id=run_id, source_artifact_path=artifact_path, tags=tags
    )
