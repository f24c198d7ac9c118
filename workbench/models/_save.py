"""The steps every flavor's ``save_model`` shares: a staged directory and the finishing files.

A flavor's ``save_model`` looks like this::

    with staged_model_dir(path) as staging:
        ...write the flavor's own files into ``staging`` and add its flavors to ``model``...
        finish_model_dir(model, staging, signature=..., input_example=...,
                         default_requirements=[...])

:func:`staged_model_dir` builds the model in a temporary directory beside ``path`` and
renames it into place only when everything was written, so a failed save never leaves a
half-written model directory under the final name (MLflow writes straight into ``path`` and
leaves whatever it had written when a step fails).

:func:`finish_model_dir` does the shared tail of a save in the order MLflow 3.17.2 does it:
code paths, signature and input example, metadata and dependency schemas, the size of the
model, the environment files and, last, the ``MLmodel`` file.
"""

from __future__ import annotations

import contextlib
import logging
import os
import pathlib
import shutil
import uuid
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from workbench._exceptions import (
    INVALID_PARAMETER_VALUE,
    RESOURCE_ALREADY_EXISTS,
    WorkbenchException,
)
from workbench._io import _fsync_dir
from workbench.models._uri import MLMODEL_FILE_NAME

if TYPE_CHECKING:
    from workbench.models._model import Model

_logger = logging.getLogger(__name__)

#: The model-relative directory that ``code_paths`` are copied into (MLflow's name).
CODE_SUBPATH = "code"


def _already_exists(path: pathlib.Path) -> WorkbenchException:
    return WorkbenchException(
        f"Path '{os.fspath(path)}' already exists and is not empty. Save the model to a new "
        "path, or remove the existing directory first.",
        error_code=RESOURCE_ALREADY_EXISTS,
    )


def _check_target(path: pathlib.Path) -> None:
    if not os.path.lexists(path):
        return
    if not path.is_dir():
        raise WorkbenchException(
            f"Path '{os.fspath(path)}' already exists and is not a directory. Expected a new "
            "(or empty) directory to save the model in.",
            error_code=RESOURCE_ALREADY_EXISTS,
        )
    if any(path.iterdir()):
        raise _already_exists(path)


def _move_into_place(staging: pathlib.Path, path: pathlib.Path) -> None:
    try:
        # POSIX replaces an empty directory atomically and refuses a non-empty one.
        os.rename(staging, path)
    except OSError:
        if path.is_dir() and not any(path.iterdir()):
            path.rmdir()  # Windows cannot rename over an existing directory
            os.rename(staging, path)
        else:
            raise _already_exists(path) from None


@contextlib.contextmanager
def staged_model_dir(path: str | os.PathLike) -> Iterator[pathlib.Path]:
    """Yield a temporary directory to write a model in; rename it to ``path`` on success.

    Parameters
    ----------
    path : str or os.PathLike
        Where the model directory should end up. It must not exist, or be an empty
        directory; its parent directories are created.

    Yields
    ------
    pathlib.Path
        A new empty directory beside ``path`` (hidden, named ``.<name>.<random>.tmp``).

    Raises
    ------
    WorkbenchException
        ``RESOURCE_ALREADY_EXISTS`` when ``path`` exists and is not an empty directory
        (checked before anything is written, and again when renaming). On any error inside
        the block the temporary directory is removed and the error propagates: no directory
        is left under ``path``.

    Examples
    --------
    >>> import os, tempfile
    >>> target = os.path.join(tempfile.mkdtemp(), "model")
    >>> with staged_model_dir(target) as staging:
    ...     _ = (staging / "MLmodel").write_text("flavors: {}\\n")
    >>> os.listdir(target)
    ['MLmodel']
    >>> with staged_model_dir(target) as staging:
    ...     pass
    Traceback (most recent call last):
    ...
    workbench._exceptions.WorkbenchException: Path '...model' already exists and is not empty...
    """
    target = pathlib.Path(os.path.abspath(os.path.expanduser(os.fspath(path))))
    _check_target(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    # os.mkdir (not mkdtemp) so the directory gets the usual permissions under the umask.
    staging = target.parent / f".{target.name}.{uuid.uuid4().hex[:12]}.tmp"
    os.mkdir(staging)
    try:
        yield staging
        _move_into_place(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _fsync_dir(target.parent)


# --------------------------------------------------------------------------- finishing


def _copy_code_paths(code_paths: Any, path: pathlib.Path) -> str | None:
    """Copy each code path into ``path/code/<basename>``; return ``"code"`` or None."""
    if code_paths is None:
        return None
    if not isinstance(code_paths, list) or not all(
        isinstance(item, (str, os.PathLike)) for item in code_paths
    ):
        raise WorkbenchException(
            "Expected code_paths to be a list of file or directory paths, got "
            f"{type(code_paths).__name__}: {code_paths!r}.",
            error_code=INVALID_PARAMETER_VALUE,
        )
    code_dir = path / CODE_SUBPATH
    for item in code_paths:
        source = pathlib.Path(os.path.abspath(os.fspath(item)))
        if not source.exists():
            raise WorkbenchException(
                f"Cannot copy the code path {os.fspath(item)!r} into the model: it does not "
                "exist. Expected a list of existing Python files or directories.",
                error_code=INVALID_PARAMETER_VALUE,
            )
        destination = code_dir / source.name
        try:
            if source.is_dir():
                shutil.copytree(source, destination, ignore=shutil.ignore_patterns("__pycache__"))
            else:
                code_dir.mkdir(exist_ok=True)
                shutil.copy(source, destination)
        except OSError as err:
            raise WorkbenchException(
                f"Could not copy the code path {os.fspath(item)!r} into the model: {err}. "
                "Pass paths of readable Python files or directories.",
                error_code=INVALID_PARAMETER_VALUE,
            ) from err
    _record_code_files(code_dir)
    return CODE_SUBPATH


def _record_code_files(code_dir: pathlib.Path) -> None:
    # Code shipped in code/ lands on sys.path when the model loads, so it is trusted like a
    # pickle: record what this machine wrote (see workbench.models._trust).
    from workbench.models._trust import record_trusted_file

    for file in sorted(code_dir.rglob("*")):
        if file.is_file() and not file.is_symlink():
            record_trusted_file(file)


def _set_code_key(model: Model, code_subpath: str) -> None:
    # MLflow writes the code directory into python_function and into the flavor's own dict.
    for name, params in model.flavors.items():
        if name == "python_function" or "code" in params:
            params["code"] = code_subpath


def _infer_from_example(example: Any, infer_from: Callable[..., Any]) -> Any:
    """Infer a signature from the saved example and the model's output on it (MLflow's way)."""
    import copy

    import numpy as np
    import pandas as pd

    from workbench.models._enforcement import _enforce_params_schema, _enforce_schema
    from workbench.models._signature import ModelSignature
    from workbench.types._infer import _infer_param_schema, _infer_schema

    data = copy.deepcopy(example.data)
    params = example.params
    input_schema = _infer_schema(data)
    params_schema = _infer_param_schema(params) if params else None
    data = _enforce_schema(data, input_schema)
    params = _enforce_params_schema(params, params_schema)
    prediction = infer_from(data, params) if params else infer_from(data)
    if not input_schema.is_tensor_spec() and isinstance(prediction, np.ndarray) and prediction.ndim == 1:
        prediction = pd.Series(prediction)  # row-wise predictions: one column, as MLflow does
    try:
        output_schema = _infer_schema(prediction)
    except Exception as err:  # noqa: BLE001 - an output we cannot describe leaves it out
        _logger.warning("Could not infer the model output schema: %s", err)
        output_schema = None
    return ModelSignature(input_schema, output_schema, params_schema)


def _check_example_against(signature: Any, example: Any) -> None:
    from workbench.models._enforcement import _enforce_params_schema, _enforce_schema

    try:
        if signature.inputs is not None:
            _enforce_schema(example.data, signature.inputs)
        _enforce_params_schema(example.params, signature.params)
    except WorkbenchException as err:
        raise WorkbenchException(
            f"Input example does not match the model signature. {err.message} Pass an example "
            "that the model accepts, or a signature that describes the example.",
            error_code=INVALID_PARAMETER_VALUE,
        ) from err


def total_file_size(path: str | os.PathLike) -> int:
    """Return the size in bytes of all files under ``path`` (MLflow's ``model_size_bytes``).

    Examples
    --------
    >>> import pathlib, tempfile
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (root / "a.bin").write_bytes(b"1234")
    >>> total_file_size(root)
    4
    """
    total = 0
    for current, _dirs, files in os.walk(path):
        total += sum(os.path.getsize(os.path.join(current, name)) for name in files)
    return total


def finish_model_dir(
    model: Model,
    path: str | os.PathLike,
    *,
    signature: Any = None,
    input_example: Any = None,
    metadata: dict[str, Any] | None = None,
    default_requirements: list[str],
    pip_requirements: Any = None,
    extra_pip_requirements: Any = None,
    conda_env: Any = None,
    code_paths: list[str | os.PathLike] | None = None,
    infer_from: Callable[..., Any] | None = None,
    validate_example: bool = False,
) -> None:
    """Write the files every flavor shares and, last, the ``MLmodel`` file.

    Called by a flavor's ``save_model`` once its own files are in ``path`` and its flavors
    are on ``model``. In MLflow's order:

    1. ``code_paths`` are copied into ``code/`` and ``code: code`` is set on the
       ``python_function`` flavor and on every flavor that has a ``code`` key;
    2. the input example is saved (``input_example.json``, ``serving_input_example.json``);
       with no ``signature``, one is inferred from the example and
       ``infer_from(example_data[, params])`` (a failure there only logs a warning, as in
       MLflow); ``signature=False`` means "do not infer";
    3. ``metadata`` is set, then the declared retriever schemas are added to it;
    4. ``model_size_bytes`` is set to the size of the files written so far;
    5. ``requirements.txt``, ``python_env.yaml`` and ``conda.yaml`` are written
       (:func:`workbench.models._requirements.write_environment`);
    6. ``model.save(path / "MLmodel")``.

    Parameters
    ----------
    model : Model
        The model, with the flavor's flavors already added.
    path : str or os.PathLike
        The (staged) model directory.
    signature : ModelSignature, False or None
        The signature to record; None infers one from ``input_example`` when ``infer_from``
        is given.
    input_example : optional
        Any input example :func:`~workbench.models._input_example.save_example` accepts.
    metadata : dict, optional
        User metadata for the MLmodel file.
    default_requirements : list of str
        The flavor's pinned requirements, e.g. ``["cloudpickle==3.1.3"]``.
    pip_requirements, extra_pip_requirements, conda_env : optional
        As in every flavor's ``save_model``; passed to ``write_environment``.
    code_paths : list of str or os.PathLike, optional
        Files or directories to copy into ``code/``.
    infer_from : callable, optional
        ``predict(data)`` (or ``predict(data, params)`` when the example has params) used
        to infer the output schema.
    validate_example : bool, default False
        Check the example against a given signature and refuse a mismatch (what MLflow's
        pyfunc flavor does; its sklearn flavor does not).

    Raises
    ------
    WorkbenchException
        ``INVALID_PARAMETER_VALUE`` for bad code paths, an example that does not match the
        signature (with ``validate_example``) or values that cannot be written.
    """
    from workbench.models._input_example import save_example
    from workbench.models._retriever import add_dependencies_schemas

    root = pathlib.Path(path)
    code_subpath = _copy_code_paths(code_paths, root)
    if code_subpath is not None:
        _set_code_key(model, code_subpath)

    example = save_example(model, input_example, root)
    if signature is None:
        if example is not None and infer_from is not None:
            try:
                model.signature = _infer_from_example(example, infer_from)
            except Exception as err:  # noqa: BLE001 - MLflow only warns here
                _logger.warning("Failed to infer the model signature from the input example: %s", err)
    elif signature is not False:
        model.signature = signature
        if validate_example and example is not None:
            _check_example_against(signature, example)

    if metadata is not None:
        model.metadata = metadata
    add_dependencies_schemas(model)

    model.model_size_bytes = total_file_size(root) or None

    from workbench.models._requirements import write_environment

    write_environment(
        root,
        default_requirements=default_requirements,
        pip_requirements=pip_requirements,
        extra_pip_requirements=extra_pip_requirements,
        conda_env=conda_env,
    )
    model.save(root / MLMODEL_FILE_NAME)
