"""Parse and resolve the workspace's model URIs to local directories.

- ``runs:/<run_id>/<path>``: ``<path>`` under the run's ``artifacts/`` (``runs:/<run_id>``
  alone is the artifacts directory itself);
- ``models:/<name>/<version>``: the read-only copy of that registered version;
- ``models:/<name>/latest``: the highest version of ``name``;
- ``models:/<name>@<alias>``: the version the alias points to.

Every part of a URI is checked (run ids are 32 hex characters, registered model names are
plain names, artifact paths are joined with :func:`workbench._io.safe_join`), so a URI
cannot name a file outside the workspace. An unknown run, model, version or alias raises
``RESOURCE_DOES_NOT_EXIST`` naming what was missing.

MLflow also reads ``models:/<name>/<stage>`` (deprecated stages) and MLflow 3's
``models:/<model_id>`` (logged models); the workspace has neither, and both are refused
with a message that says what to use instead.
"""

from __future__ import annotations

import os
import pathlib
import urllib.parse
from dataclasses import dataclass

from workbench._exceptions import (
    RESOURCE_DOES_NOT_EXIST,
    WorkbenchException,
)
from workbench._io import check_relative_path, safe_join

RUNS_SCHEME = "runs"
MODELS_SCHEME = "models"
SCHEMES = (RUNS_SCHEME, MODELS_SCHEME)


_invalid = WorkbenchException.invalid_parameter_value


def is_store_uri(uri: object) -> bool:
    """Return True for a ``runs:/`` or ``models:/`` URI.

    Examples
    --------
    >>> is_store_uri("runs:/abc/model"), is_store_uri("models:/m/1"), is_store_uri("/tmp/m")
    (True, True, False)
    """
    if not isinstance(uri, str):
        return False
    return urllib.parse.urlparse(uri).scheme.lower() in SCHEMES


def _split(uri: str, scheme: str) -> str:
    parsed = urllib.parse.urlparse(uri, allow_fragments=False)
    if parsed.scheme.lower() != scheme:
        raise _invalid(f"Expected a '{scheme}:/' URI, got {uri!r}.")
    if parsed.netloc:
        raise _invalid(
            f"Invalid URI {uri!r}: '{scheme}://{parsed.netloc}' names a remote tracking server "
            f"profile, which the workspace does not have. Write '{scheme}:/...' with one slash."
        )
    if parsed.query or parsed.params:
        raise _invalid(f"Invalid URI {uri!r}: query strings and parameters are not supported.")
    return parsed.path.lstrip("/")


@dataclass(frozen=True)
class RunsUri:
    """A parsed ``runs:/<run_id>/<artifact_path>`` URI (``artifact_path`` may be None)."""

    run_id: str
    artifact_path: str | None


@dataclass(frozen=True)
class ModelsUri:
    """A parsed ``models:/`` URI: exactly one of ``version``, ``latest`` or ``alias`` is set."""

    name: str
    version: int | None = None
    alias: str | None = None
    latest: bool = False


def parse_runs_uri(uri: str) -> RunsUri:
    """Parse ``runs:/<run_id>[/<path>]``.

    Examples
    --------
    >>> parse_runs_uri("runs:/" + "a" * 32 + "/sklearn-model")
    RunsUri(run_id='aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', artifact_path='sklearn-model')
    >>> parse_runs_uri("runs:/" + "a" * 32 + "/../../etc")
    Traceback (most recent call last):
    ...
    workbench._exceptions.WorkbenchException: Refusing path '../../etc': it contains a '..' component...
    """
    from workbench.store._validation import check_run_id

    rest = _split(uri, RUNS_SCHEME)
    run_id, _, path = rest.partition("/")
    if not run_id:
        raise _invalid(f"Invalid URI {uri!r}: expected 'runs:/<run_id>/<artifact_path>'.")
    run_id = check_run_id(run_id)
    path = path.strip("/")
    return RunsUri(run_id, check_relative_path(path) if path else None)


def parse_models_uri(uri: str) -> ModelsUri:
    """Parse ``models:/<name>/<version>``, ``models:/<name>/latest`` or ``models:/<name>@<alias>``.

    Examples
    --------
    >>> parse_models_uri("models:/churn/3")
    ModelsUri(name='churn', version=3, alias=None, latest=False)
    >>> parse_models_uri("models:/churn@champion").alias, parse_models_uri("models:/churn/latest").latest
    ('champion', True)
    """
    from workbench.store._registry import check_alias, check_model_name

    rest = _split(uri, MODELS_SCHEME).rstrip("/")
    if "/" in rest:
        name, _, suffix = rest.partition("/")
        if "/" in suffix or not suffix:
            raise _invalid(
                f"Invalid model URI {uri!r}: expected 'models:/<name>/<version>', "
                "'models:/<name>/latest' or 'models:/<name>@<alias>'."
            )
        name = check_model_name(name)
        if suffix.lower() == "latest":
            return ModelsUri(name, latest=True)
        if suffix.isdigit() and int(suffix) > 0:
            return ModelsUri(name, version=int(suffix))
        raise _invalid(
            f"Invalid model URI {uri!r}: {suffix!r} is not a version number. Model stages "
            "(Staging, Production, ...) are deprecated in MLflow and not kept by the workspace; "
            f"point an alias at the version and use 'models:/{name}@<alias>'."
        )
    if "@" in rest:
        name, _, alias = rest.rpartition("@")
        return ModelsUri(check_model_name(name), alias=check_alias(alias))
    raise _invalid(
        f"Invalid model URI {uri!r}: expected 'models:/<name>/<version>', 'models:/<name>/latest' "
        "or 'models:/<name>@<alias>'. (MLflow 3's 'models:/<model_id>' names a logged model, "
        "which the workspace does not keep: load a logged model with 'runs:/<run_id>/<name>'.)"
    )


def _workspace_root(root: str | os.PathLike | None) -> pathlib.Path:
    if root is not None:
        return pathlib.Path(root)
    from workbench.store._workspace import get_workspace

    return get_workspace()


def run_artifacts_dir(run_id: str, root: str | os.PathLike | None = None) -> pathlib.Path:
    """Return the ``artifacts/`` directory of run ``run_id`` (``RESOURCE_DOES_NOT_EXIST`` if unknown)."""
    from workbench.store._validation import check_run_id

    run_id = check_run_id(run_id)
    if root is None:
        from workbench.store._store import get_store

        return get_store().artifact_dir(run_id)  # RESOURCE_DOES_NOT_EXIST for an unknown run
    base = pathlib.Path(root)
    run_dir = safe_join(base, "runs", run_id)
    if not (run_dir / "run.json").is_file():
        raise WorkbenchException(
            f"Run with id={run_id} not found in the workspace {os.fspath(base)!r}. List the "
            "runs with workbench.search_runs() (or `workbench runs list`).",
            error_code=RESOURCE_DOES_NOT_EXIST,
        )
    return run_dir / "artifacts"


def resolve_runs_uri(uri: str, root: str | os.PathLike | None = None) -> pathlib.Path:
    """Return the local path that ``runs:/<run_id>/<path>`` names; it must exist."""
    parsed = parse_runs_uri(uri)
    artifacts = run_artifacts_dir(parsed.run_id, root)
    path = safe_join(artifacts, parsed.artifact_path) if parsed.artifact_path else artifacts
    if not path.exists():
        raise WorkbenchException(
            f"Run {parsed.run_id} has no artifact {parsed.artifact_path or '.'!r} (looked for "
            f"{os.fspath(path)!r}). Check the artifact path the model was logged under "
            "(ModelInfo.artifact_path).",
            error_code=RESOURCE_DOES_NOT_EXIST,
        )
    return path


def model_version_for_uri(uri: str, root: str | os.PathLike | None = None):  # -> ModelVersion
    """Return the registered :class:`~workbench.store._registry.ModelVersion` a ``models:/`` URI names."""
    from workbench.store._registry import get_registry

    parsed = parse_models_uri(uri)
    registry = get_registry(_workspace_root(root))
    if parsed.latest:
        return registry.get_latest_version(parsed.name)
    if parsed.alias is not None:
        return registry.get_model_version_by_alias(parsed.name, parsed.alias)
    return registry.get_model_version(parsed.name, parsed.version)


def resolve_models_uri(uri: str, root: str | os.PathLike | None = None) -> pathlib.Path:
    """Return the read-only model directory of the registered version a ``models:/`` URI names."""
    from workbench.store._registry import get_registry

    mv = model_version_for_uri(uri, root)
    path = get_registry(_workspace_root(root)).artifacts_dir(mv.name, mv.version)
    if not path.is_dir():
        raise WorkbenchException(
            f"The artifacts of model version {mv.name} {mv.version} are missing ({os.fspath(path)!r}); "
            "the workspace's registry directory was changed by hand.",
            error_code=RESOURCE_DOES_NOT_EXIST,
        )
    return path


def resolve_uri(uri: str, root: str | os.PathLike | None = None) -> pathlib.Path:
    """Return the local path a ``runs:/`` or ``models:/`` URI names."""
    scheme = urllib.parse.urlparse(uri).scheme.lower()
    if scheme == RUNS_SCHEME:
        return resolve_runs_uri(uri, root)
    if scheme == MODELS_SCHEME:
        return resolve_models_uri(uri, root)
    raise _invalid(f"Expected a 'runs:/' or 'models:/' URI, got {uri!r}.")
