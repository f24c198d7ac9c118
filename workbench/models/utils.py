"""Model utilities under MLflow's import path: :func:`add_libraries_to_model`.

``add_libraries_to_model(model_uri)`` takes a registered model version, copies it, builds
wheels of every requirement in its ``requirements.txt`` into ``wheels/`` inside the copy
(``pip wheel --only-binary=:all:``, as MLflow does), rewrites ``requirements.txt`` (and the
pip section of ``conda.yaml``) to list those wheel files, keeps the old file as
``original_requirements.txt``, marks the MLmodel file with ``wheels: {platform: ...}``,
logs the copy to a run under ``<artifact_path>_wheels`` and registers it as a new version.
The wheels only fit the platform they were built on, as in MLflow.

Differences from MLflow, on purpose:

- the wheel options come from ``$WORKBENCH_WHEELED_MODEL_PIP_DOWNLOAD_OPTIONS`` (MLflow's
  variable is ``MLFLOW_WHEELED_MODEL_PIP_DOWNLOAD_OPTIONS``; both are read, with the same
  allowed options);
- the wheeled model is built in a staged directory and moved into the run atomically.
"""

from __future__ import annotations

import os
import pathlib
import platform
import shutil
import subprocess
import sys
from typing import Any

from workbench._exceptions import BAD_REQUEST, INVALID_PARAMETER_VALUE, WorkbenchException
from workbench._io import atomic_write_text, safe_join

__all__ = ["add_libraries_to_model"]

WHEELS_FOLDER_NAME = "wheels"
ORIGINAL_REQUIREMENTS_FILE_NAME = "original_requirements.txt"
_PIP_OPTIONS_ENV = ("WORKBENCH_WHEELED_MODEL_PIP_DOWNLOAD_OPTIONS", "MLFLOW_WHEELED_MODEL_PIP_DOWNLOAD_OPTIONS")
_ALLOWED_PIP_OPTIONS = frozenset(
    {
        "--only-binary=:all:",
        "--only-binary=:none:",
        "--no-binary=:all:",
        "--no-binary=:none:",
        "--prefer-binary",
        "--no-build-isolation",
        "--use-pep517",
        "--check-build-dependencies",
        "--ignore-requires-python",
        "--no-deps",
        "--no-verify",
        "--pre",
        "--require-hashes",
        "--no-clean",
    }
)


def _pip_options() -> list[str]:
    text = next((os.environ[name] for name in _PIP_OPTIONS_ENV if os.environ.get(name)), "--only-binary=:all:")
    options = text.split()
    unknown = sorted(set(options) - _ALLOWED_PIP_OPTIONS)
    if unknown:
        raise WorkbenchException(
            f"Invalid pip wheel options {unknown} in ${_PIP_OPTIONS_ENV[0]}. Allowed options: "
            f"{', '.join(sorted(_ALLOWED_PIP_OPTIONS))}.",
            error_code=INVALID_PARAMETER_VALUE,
        )
    return options


def _copy_writable(source: pathlib.Path, destination: pathlib.Path) -> None:
    # The registered copy is read-only; the new model must not inherit its modes.
    for current, dirs, files in os.walk(source):
        rel = os.path.relpath(current, source)
        target = destination if rel == "." else destination / rel
        target.mkdir(exist_ok=True)
        dirs[:] = [name for name in dirs if name != "__pycache__"]
        for name in files:
            shutil.copyfile(os.path.join(current, name), target / name)


def _build_wheels(requirements: pathlib.Path, wheels_dir: pathlib.Path) -> list[str]:
    wheels_dir.mkdir(exist_ok=True)
    command = [
        sys.executable,
        "-m",
        "pip",
        "wheel",
        *_pip_options(),
        "--wheel-dir",
        os.fspath(wheels_dir),
        "-r",
        os.fspath(requirements),
        "--no-cache-dir",
        "--progress-bar=off",
        "--disable-pip-version-check",
    ]
    done = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False)
    if done.returncode != 0:
        raise WorkbenchException(
            f"An error occurred while building the dependency wheels (pip exited with "
            f"{done.returncode}):\n{done.stdout[-4000:]}",
            error_code=INVALID_PARAMETER_VALUE,
        )
    return sorted(f"{WHEELS_FOLDER_NAME}/{name}" for name in os.listdir(wheels_dir) if name.endswith(".whl"))


class _WheeledModel:
    """The flavor :meth:`Model.log <workbench.models.Model.log>` saves a wheeled copy with."""

    def __init__(self, source_dir: pathlib.Path) -> None:
        self.source_dir = source_dir

    def save_model(self, path: str | os.PathLike, mlflow_model: Any = None) -> Any:
        from workbench.models._model import Model
        from workbench.models._requirements import (
            CONDA_ENV_FILE_NAME,
            REQUIREMENTS_FILE_NAME,
            _load_conda_env,
            _pip_dependencies,
            _with_pip_dependencies,
            dump_conda_yaml,
        )
        from workbench.models._save import staged_model_dir
        from workbench.models._trust import record_trusted_file

        original = Model.load(self.source_dir)
        if original.to_dict().get(WHEELS_FOLDER_NAME) is not None:
            raise WorkbenchException("Model libraries are already added", error_code=BAD_REQUEST)
        with staged_model_dir(path) as staging:
            _copy_writable(self.source_dir, staging)
            requirements = safe_join(staging, REQUIREMENTS_FILE_NAME)
            conda_path = safe_join(staging, CONDA_ENV_FILE_NAME)
            if not requirements.is_file():
                if not conda_path.is_file():
                    raise WorkbenchException(
                        "Cannot add libraries for model with no logged dependencies.", error_code=BAD_REQUEST
                    )
                atomic_write_text(requirements, "\n".join(_pip_dependencies(_load_conda_env(conda_path))) + "\n")
            wheels = _build_wheels(requirements, staging / WHEELS_FOLDER_NAME)
            for wheel in wheels:
                record_trusted_file(staging / wheel)
            shutil.copyfile(requirements, staging / ORIGINAL_REQUIREMENTS_FILE_NAME)
            atomic_write_text(requirements, "".join(f"{wheel}\n" for wheel in wheels))
            if conda_path.is_file():
                conda_env = _load_conda_env(conda_path)
                atomic_write_text(conda_path, dump_conda_yaml(_with_pip_dependencies(conda_env, wheels)))
            fields = original.to_dict()
            if mlflow_model is not None:
                fields.update(
                    run_id=mlflow_model.run_id,
                    artifact_path=mlflow_model.artifact_path,
                    utc_time_created=mlflow_model.utc_time_created,
                    model_uuid=mlflow_model.model_uuid,
                )
            fields[WHEELS_FOLDER_NAME] = {"platform": platform.platform()}
            updated = Model.from_dict(fields)
            updated.save(staging)
        if mlflow_model is not None:
            # Model.log reports the model it handed in: give it the wheeled model's fields.
            mlflow_model.__dict__.update(updated.__dict__)
        return updated


def add_libraries_to_model(
    model_uri: str, run_id: str | None = None, registered_model_name: str | None = None
) -> Any:
    """Re-log a registered model version with wheels of all its requirements; register it.

    Parameters
    ----------
    model_uri : str
        A registered model URI: ``models:/<name>/<version>``, ``models:/<name>/latest`` or
        ``models:/<name>@<alias>``.
    run_id : str, optional
        The run to log the wheeled model to when no run is active. Default: the source run
        of the model version; if it has none, a new run. (With an active run, the model
        is logged to it, as in MLflow.)
    registered_model_name : str, optional
        Register the wheeled model under this name. Default: the same registered model
        (a new version).

    Returns
    -------
    ModelInfo
        Of the wheeled model (``model_uri`` ``runs:/<run_id>/<artifact_path>_wheels``,
        ``registered_model_version`` the new version).

    Raises
    ------
    WorkbenchException
        ``INVALID_PARAMETER_VALUE`` for a URI that is not a registered model URI, or when
        pip cannot build the wheels; ``RESOURCE_DOES_NOT_EXIST`` for an unknown model,
        version or alias; ``BAD_REQUEST`` when the model already has its libraries or
        lists no dependencies.

    Examples
    --------
    The seed's example with ``mlflow`` replaced by ``workbench`` (needs network for pip):

    >>> from workbench.models.utils import add_libraries_to_model
    >>> add_libraries_to_model("models:/model-with-libs/1")  # doctest: +SKIP
    """
    from workbench import _tracking
    from workbench.models._model import Model
    from workbench.models._set_signature import is_registered_model_uri
    from workbench.store._uris import model_version_for_uri, resolve_models_uri

    if not is_registered_model_uri(model_uri):
        raise WorkbenchException(
            f"add_libraries_to_model only operates on a registered model version; got {model_uri!r}. "
            "Expected 'models:/<name>/<version>', 'models:/<name>/latest' or 'models:/<name>@<alias>' "
            "(register a logged model with log_model(..., registered_model_name=...)).",
            error_code=INVALID_PARAMETER_VALUE,
        )
    version = model_version_for_uri(model_uri)
    source_dir = resolve_models_uri(model_uri)
    original = Model.load(source_dir)
    name = f"{original.artifact_path or version.source_artifact_path or 'model'}_{WHEELS_FOLDER_NAME}"

    def log() -> Any:
        return Model.log(
            artifact_path=None,
            name=name,
            flavor=_WheeledModel(source_dir),
            registered_model_name=registered_model_name or version.name,
        )

    if _tracking.active_run() is not None:
        return log()
    run_id = run_id or version.run_id
    with _tracking.start_run(run_id=run_id) if run_id else _tracking.start_run():
        return log()
