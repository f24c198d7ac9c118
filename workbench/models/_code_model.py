"""Models from code: a Python file that builds the model and hands it to :func:`set_model`.

``save_model(path, python_model="model.py")`` copies ``model.py`` into the model directory
and records, as MLflow 3.17.2 does, ``loader_module: mlflow.pyfunc.loaders.code_model`` and
``model_code_path: <the absolute path the file was copied from>`` (only its base name is
used when loading). Nothing is pickled.

Loading such a model **runs that file**: it is Python code, as powerful as a pickle. So it
runs only when the trust rules of :mod:`workbench.models._trust` allow it -- a file this
machine wrote (``save_model`` records its sha256), a file under
``$WORKBENCH_TRUSTED_LOCATIONS``, or ``trusted=True`` from the caller. Saving runs the file
too (to get the model and check it), which needs no trust: the caller chose the file.

While the file runs, :class:`~workbench.models.ModelConfig` sees the ``model_config`` the
model was saved with (see :mod:`workbench.models._config`).

Interoperability: a file written for workbench also loads in MLflow (when workbench is
installed there): :func:`set_model` also sets MLflow's slot when ``mlflow`` is already
imported, and ``ModelConfig`` reads MLflow's saved configuration then. A file written for
MLflow (``mlflow.models.set_model``) loads here when mlflow is installed; its
``mlflow.models.ModelConfig`` sees the saved configuration only if mlflow was imported
before ``load_model`` (workbench never imports mlflow itself).
"""

from __future__ import annotations

import contextlib
import contextvars
import os
import pathlib
import sys
import types
import uuid
from collections.abc import Iterator
from typing import Any

from workbench._exceptions import (
    INTERNAL_ERROR,
    INVALID_PARAMETER_VALUE,
    PERMISSION_DENIED,
    RESOURCE_DOES_NOT_EXIST,
    WorkbenchException,
)
from workbench._io import safe_join

#: The loader_module MLflow writes for models-from-code (loaded by this module here).
LOADER_MODULE = "mlflow.pyfunc.loaders.code_model"
MODEL_CODE_PATH = "model_code_path"

# While a model file runs: a one-item list that set_model fills. Outside: None.
_captured: contextvars.ContextVar[list[Any] | None] = contextvars.ContextVar("workbench_set_model", default=None)
# What set_model received outside of a load (a model file run by hand), as MLflow keeps it.
_last_model: list[Any] = [None]


def set_model(model: Any) -> None:
    """When saving a model as code, set the model object the file defines.

    Call it at the end of the model file given to ``save_model(path, python_model="file.py")``.

    Parameters
    ----------
    model : PythonModel or callable
        A :class:`~workbench.pyfunc.PythonModel` instance, or a function of one argument.

    Raises
    ------
    WorkbenchException
        ``INVALID_PARAMETER_VALUE`` for anything else (a path, for instance).

    Examples
    --------
    >>> from workbench.models._code_model import set_model
    >>> set_model(lambda model_input: model_input)
    >>> set_model("model.py")
    Traceback (most recent call last):
    ...
    workbench._exceptions.WorkbenchException: set_model expects the model object...
    """
    from workbench.models._python_model import PythonModel, _is_duck_python_model

    if isinstance(model, (str, os.PathLike)) or not (
        isinstance(model, PythonModel) or _is_duck_python_model(model) or callable(model)
    ):
        raise WorkbenchException(
            "set_model expects the model object: a workbench.pyfunc.PythonModel instance or a "
            f"function of one argument; got {type(model).__name__}: {model!r}. Call it inside "
            "the model file, e.g. set_model(MyModel()).",
            error_code=INVALID_PARAMETER_VALUE,
        )
    slot = _captured.get()
    if slot is not None:
        slot[0] = model
    else:
        _last_model[0] = model
    mlflow_model_module = sys.modules.get("mlflow.models.model")
    if mlflow_model_module is not None:  # MLflow is loading this file: fill its slot too
        mlflow_model_module.__mlflow_model__ = model


@contextlib.contextmanager
def _capture_set_model() -> Iterator[list[Any]]:
    slot: list[Any] = [None]
    token = _captured.set(slot)
    mlflow_model_module = sys.modules.get("mlflow.models.model")
    if mlflow_model_module is not None:
        mlflow_model_module.__mlflow_model__ = None  # MLflow never clears it between loads
    try:
        yield slot
    finally:
        _captured.reset(token)
    if slot[0] is None:
        # A file written for MLflow called mlflow.models.set_model (mlflow may have been
        # imported by the file itself, so look again).
        mlflow_model_module = sys.modules.get("mlflow.models.model")
        slot[0] = getattr(mlflow_model_module, "__mlflow_model__", None)


@contextlib.contextmanager
def _mlflow_config(config: Any) -> Iterator[None]:
    # A file written for MLflow reads mlflow.models.ModelConfig; announce the saved config there
    # too (only when mlflow is already imported).
    module = sys.modules.get("mlflow.models.model_config")
    if module is None:
        yield
        return
    previous = getattr(module, "__mlflow_model_config__", None)
    module.__mlflow_model_config__ = "" if config is None else config
    try:
        yield
    finally:
        module.__mlflow_model_config__ = previous


def read_trusted_code(path: str | os.PathLike, *, trusted: bool | None, what: str = "model code") -> bytes:
    """Return the bytes of a code file that is about to run, if the trust rules allow it.

    The same rules as :func:`workbench.models._trust.check_can_unpickle`: ``trusted=True``;
    or (``trusted`` None) a file whose sha256 this machine recorded, or a file under
    ``$WORKBENCH_TRUSTED_LOCATIONS``. The bytes returned are the bytes checked.

    Raises
    ------
    WorkbenchException
        ``PERMISSION_DENIED`` saying that loading runs the file and how to opt in;
        ``RESOURCE_DOES_NOT_EXIST`` when the file is missing.

    Examples
    --------
    >>> import os, tempfile
    >>> stranger = os.path.join(tempfile.mkdtemp(), "model.py")
    >>> with open(stranger, "w") as fh:
    ...     _ = fh.write("print('hello from ' + __name__)  # " + os.urandom(8).hex())
    >>> read_trusted_code(stranger, trusted=None)
    Traceback (most recent call last):
    ...
    workbench._exceptions.WorkbenchException: Refusing to run model code from '...model.py': loading this model executes that Python file...
    """
    from workbench.models import _trust

    if trusted is not None and not isinstance(trusted, bool):
        raise WorkbenchException.invalid_parameter_value(
            f"trusted must be True, False or None, got {type(trusted).__name__}: {trusted!r}."
        )
    try:
        data = pathlib.Path(path).read_bytes()
    except FileNotFoundError:
        raise WorkbenchException(
            f"Expected {what} at {os.fspath(path)!r}, but there is no such file.",
            error_code=RESOURCE_DOES_NOT_EXIST,
        ) from None
    if trusted is True:
        return data
    if trusted is None and (
        _trust.TrustStore().is_recorded(_trust.sha256_bytes(data)) or _trust.is_in_trusted_location(path)
    ):
        return data
    message = (
        f"Refusing to run {what} from {os.fspath(path)!r}: loading this model executes that "
        "Python file, which can do anything your user account can. workbench runs it only when "
        f"this machine wrote it (its sha256 is recorded in {os.fspath(_trust.default_store_path())!r}), "
        f"when it lies under a directory listed in ${_trust.TRUSTED_LOCATIONS_ENV}, or when the "
        "caller opts in. If you trust the source of this model, read the file, then pass "
        f"trusted=True, or add its directory to ${_trust.TRUSTED_LOCATIONS_ENV}."
    )
    if trusted is False:
        message += " (trusted=False was passed, so this machine's records were not consulted.)"
    raise WorkbenchException(message, error_code=PERMISSION_DENIED)


def run_model_code(path: str | os.PathLike, source: bytes, model_config: Any) -> Any:
    """Run the model file ``source`` (read from ``path``) and return what it gave to set_model.

    The file runs as a fresh module (a new name each time, so the same file can be loaded
    twice), with ``model_config`` visible to :class:`~workbench.models.ModelConfig`.
    """
    from workbench.models._config import config_context

    name = f"code_model_{uuid.uuid4().hex}"
    module = types.ModuleType(name)
    module.__file__ = os.fspath(path)
    sys.modules[name] = module  # classes defined in the file must be findable (pickling, dataclasses)
    try:
        code = compile(source, os.fspath(path), "exec")
        with config_context(model_config), _mlflow_config(model_config), _capture_set_model() as slot:
            exec(code, module.__dict__)  # noqa: S102 - the documented purpose of a code model
    except ImportError as err:
        raise WorkbenchException(
            f"Failed to import the model code from {os.fspath(path)!r}: {err}. Install what the "
            "file imports (see the model's requirements.txt).",
            error_code=INTERNAL_ERROR,
        ) from err
    except Exception as err:
        code_ = err.error_code if isinstance(err, WorkbenchException) else INTERNAL_ERROR
        raise WorkbenchException(
            f"Failed to run the model code from {os.fspath(path)!r}: {type(err).__name__}: "
            f"{str(err).rstrip('.')}. Review the traceback above for the line that failed.",
            error_code=code_,
        ) from err
    if slot[0] is None:
        raise WorkbenchException(
            f"The model code {os.fspath(path)!r} ran but did not set a model. End the file with "
            "workbench.models.set_model(model) (mlflow.models.set_model works too).",
            error_code=INVALID_PARAMETER_VALUE,
        )
    return slot[0]


def copy_model_code(python_model: str | os.PathLike, model_dir: pathlib.Path) -> tuple[pathlib.Path, str]:
    """Copy the model file into ``model_dir`` and record it as trusted.

    Returns
    -------
    (pathlib.Path, str)
        The copy, and the absolute path of the source (what MLflow records as
        ``model_code_path``).
    """
    import shutil

    from workbench.models._trust import record_trusted_file

    source = pathlib.Path(os.path.abspath(os.path.expanduser(os.fspath(python_model))))
    if not source.is_file():
        hint = f" Did you mean '{source}.py'?" if not source.suffix and source.with_suffix(".py").is_file() else ""
        raise WorkbenchException(
            f"The model code path '{source}' does not exist or is not a file. Expected the path "
            f"of a Python file that calls workbench.models.set_model(model).{hint}",
            error_code=INVALID_PARAMETER_VALUE,
        )
    copy = safe_join(model_dir, source.name)
    shutil.copyfile(source, copy)
    record_trusted_file(copy)
    return copy, os.fspath(source)


def _code_file(model_dir: pathlib.Path, recorded: Any) -> pathlib.Path:
    if not isinstance(recorded, str) or not recorded:
        raise WorkbenchException(
            f"Expected python_function.model_code_path in MLmodel to be a file path, got {recorded!r}.",
            error_code=INVALID_PARAMETER_VALUE,
        )
    # MLflow records where the file came from (possibly a Windows path) and loads its base name.
    name = recorded.replace("\\", "/").rsplit("/", 1)[-1]
    return safe_join(model_dir, name)


def _load_pyfunc(path: str | os.PathLike, model_config: dict[str, Any] | None = None, *, trusted: bool | None = None) -> Any:
    """Load a models-from-code directory (loader ``mlflow.pyfunc.loaders.code_model``).

    Runs the model file (after the trust check of :func:`read_trusted_code`), wraps a
    function model, calls ``load_context`` and returns the pyfunc wrapper.
    """
    from workbench.models._model import Model
    from workbench.models._python_model import as_python_model, wrap_loaded

    model_dir = pathlib.Path(path)
    meta = Model.load(model_dir)
    conf = meta.flavors.get("python_function") or {}
    code_path = _code_file(model_dir, conf.get(MODEL_CODE_PATH))
    source = read_trusted_code(code_path, trusted=trusted)
    python_model = as_python_model(run_model_code(code_path, source, model_config), meta.signature)
    return wrap_loaded(python_model, model_dir, conf, model_config, meta.signature)
