"""The registry of pyfunc loaders, keyed by MLmodel's ``python_function.loader_module``.

MLflow loads a pyfunc model by importing the module named in ``loader_module`` and calling
its ``_load_pyfunc(data_path[, model_config])``. workbench never imports mlflow, and does
not import a module just because a model file names it (a model directory can ship that
module in ``code/``, which would make loading a model run its code). Instead this registry
maps the names MLflow writes, and ours, to workbench modules that implement
``_load_pyfunc(path, model_config=None)``:

============================================  =======================================
``loader_module`` in MLmodel                  workbench module
============================================  =======================================
``mlflow.sklearn``, ``workbench.sklearn``     ``workbench.models._sklearn_flavor``
``mlflow.pyfunc.model``,                      ``workbench.models._python_model``
``workbench.pyfunc.model``
``mlflow.pyfunc.loaders.code_model``,         ``workbench.models._code_model``
``workbench.pyfunc.loaders.code_model``
============================================  =======================================

Other loader modules (for instance one given to ``save_model(loader_module=...)``) load
when registered with :func:`register_loader`, or when the caller passes ``trusted=True``,
which imports the module by its name as MLflow does.

``_load_pyfunc`` returns an object with ``predict(model_input, params=None)`` and, where
the model has probabilities, ``predict_proba(model_input, params=None)``.
"""

from __future__ import annotations

import importlib
import threading
from types import ModuleType

from workbench._exceptions import NOT_IMPLEMENTED, WorkbenchException

#: loader_module (as written in MLmodel) -> the workbench module that loads it.
LOADERS: dict[str, str] = {
    "mlflow.sklearn": "workbench.models._sklearn_flavor",
    "workbench.sklearn": "workbench.models._sklearn_flavor",
    "mlflow.pyfunc.model": "workbench.models._python_model",
    "workbench.pyfunc.model": "workbench.models._python_model",
    "mlflow.pyfunc.loaders.code_model": "workbench.models._code_model",
    "workbench.pyfunc.loaders.code_model": "workbench.models._code_model",
}

_lock = threading.Lock()


def _check_name(value: object, what: str) -> str:
    if not isinstance(value, str) or not value or value.strip() != value:
        raise WorkbenchException.invalid_parameter_value(
            f"Expected {what} to be a dotted module name such as 'my_package.my_loader', got "
            f"{type(value).__name__}: {value!r}."
        )
    return value


def register_loader(loader_module: str, module: str) -> None:
    """Load models whose MLmodel names ``loader_module`` with the module ``module``.

    ``module`` must define ``_load_pyfunc(path, model_config=None)``; it is imported when a
    model that needs it is loaded, not now.

    Parameters
    ----------
    loader_module : str
        The value of ``python_function.loader_module`` in MLmodel files.
    module : str
        The importable module that loads such models.

    Examples
    --------
    >>> register_loader("my_company.loaders.ranker", "workbench.models._python_model")
    >>> get_loader("my_company.loaders.ranker").__name__
    'workbench.models._python_model'
    >>> _ = LOADERS.pop("my_company.loaders.ranker")
    """
    _check_name(loader_module, "loader_module")
    _check_name(module, "module")
    with _lock:
        LOADERS[loader_module] = module


def loader_module_for(loader_module: str, *, trusted: bool | None = None) -> str:
    """Return the name of the module that loads ``loader_module`` models, without importing it.

    Raises the same errors as :func:`get_loader`.

    Examples
    --------
    >>> loader_module_for("mlflow.sklearn")
    'workbench.models._sklearn_flavor'
    >>> loader_module_for("my_team.loader", trusted=True)
    'my_team.loader'
    """
    _check_name(loader_module, "loader_module")
    with _lock:
        module = LOADERS.get(loader_module)
    if module is not None:
        return module
    if trusted is not True:
        known = ", ".join(sorted(LOADERS))
        raise WorkbenchException(
            f"Cannot load a model whose python_function loader_module is "
            f"{loader_module!r}: workbench has no loader registered for it. Known loader "
            f"modules: {known}. If the module is yours, register it with "
            "workbench.models._loaders.register_loader(loader_module, module), or pass "
            "trusted=True to load_model to import it by name (that runs its code).",
            error_code=NOT_IMPLEMENTED,
        )
    return loader_module


def get_loader(loader_module: str, *, trusted: bool | None = None) -> ModuleType:
    """Return the module that loads models whose MLmodel names ``loader_module``.

    Parameters
    ----------
    loader_module : str
        The value of ``python_function.loader_module``.
    trusted : bool, optional
        With True, a loader module that is not registered is imported by its name (MLflow's
        behaviour; this runs that module's code, which may come from the model's ``code/``
        directory).

    Returns
    -------
    module
        A module with ``_load_pyfunc(path, model_config=None)``.

    Raises
    ------
    WorkbenchException
        ``NOT_IMPLEMENTED`` naming the unknown loader module and the known ones.

    Examples
    --------
    >>> get_loader("mlflow.pyfunc.model").__name__
    'workbench.models._python_model'
    >>> get_loader("mlflow.transformers")
    Traceback (most recent call last):
    ...
    workbench._exceptions.WorkbenchException: Cannot load a model whose python_function loader_module is 'mlflow.transformers'...
    """
    module = loader_module_for(loader_module, trusted=trusted)
    loaded = importlib.import_module(module)
    if not callable(getattr(loaded, "_load_pyfunc", None)):
        raise WorkbenchException(
            f"The loader module {module!r} (for loader_module {loader_module!r}) has no "
            "_load_pyfunc(path, model_config=None) function. Expected a module that defines it.",
            error_code=NOT_IMPLEMENTED,
        )
    return loaded
