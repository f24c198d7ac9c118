"""The evaluator registry: ``"default"`` and plugins.

Evaluators are registered under a name. The built-in ``"default"`` evaluator
(:class:`~workbench.evaluation.evaluators._default.DefaultEvaluator`) evaluates classifiers
and regressors. Other packages add evaluators through the entry point group
``workbench.evaluators`` (name = the evaluator's name, value = ``module:Class``), read the
first time the registry is used; code can call :func:`register_evaluator`.

MLflow 3 splits its default evaluator into built-ins named ``default``, ``classifier``,
``regressor`` and ``shap``; here one ``default`` evaluator does all of that, so
:func:`list_evaluators` gives ``["default"]`` plus plugins.
"""

from __future__ import annotations

import importlib
import warnings
from typing import Any

from workbench._exceptions import INVALID_PARAMETER_VALUE, WorkbenchException
from workbench.evaluation.evaluators._base import ModelEvaluator

__all__ = [
    "ENTRY_POINT_GROUP",
    "ModelEvaluator",
    "get_evaluator",
    "get_evaluator_class",
    "is_builtin",
    "list_evaluators",
    "register_evaluator",
    "unregister_evaluator",
]

#: The entry point group plugins register evaluators in.
ENTRY_POINT_GROUP = "workbench.evaluators"

_BUILTIN = {"default": "workbench.evaluation.evaluators._default:DefaultEvaluator"}
_registry: dict[str, Any] = {}
_entry_points_loaded = False


def _load_entry_points() -> None:
    global _entry_points_loaded
    if _entry_points_loaded:
        return
    _entry_points_loaded = True
    from importlib.metadata import entry_points

    for entry_point in entry_points(group=ENTRY_POINT_GROUP):
        if entry_point.name in _BUILTIN or entry_point.name in _registry:
            continue
        try:
            _registry[entry_point.name] = entry_point.load()
        except Exception as exc:  # a broken plugin must not break evaluate()
            warnings.warn(
                f"Could not load the evaluator {entry_point.name!r} from entry point "
                f"{entry_point.value!r} (group {ENTRY_POINT_GROUP!r}): {exc!r}",
                stacklevel=2,
            )


def _resolve(spec: Any) -> Any:
    if isinstance(spec, str):
        module, _, attr = spec.partition(":")
        return getattr(importlib.import_module(module), attr)
    return spec


def register_evaluator(name: str, evaluator: Any) -> None:
    """Register ``evaluator`` (a :class:`ModelEvaluator` subclass) under ``name``.

    Examples
    --------
    >>> class Nothing(ModelEvaluator):
    ...     @classmethod
    ...     def can_evaluate(cls, *, model_type, evaluator_config, **kwargs):
    ...         return False
    ...     def evaluate(self, **kwargs):
    ...         return None
    >>> register_evaluator("nothing", Nothing)
    >>> "nothing" in list_evaluators()
    True
    >>> unregister_evaluator("nothing")
    """
    if not isinstance(name, str) or not name:
        raise WorkbenchException(f"An evaluator name must be a non-empty string, got {name!r}.",
                                 error_code=INVALID_PARAMETER_VALUE)
    if name in _BUILTIN:
        raise WorkbenchException(f"{name!r} is the built-in evaluator's name; choose another name.",
                                 error_code=INVALID_PARAMETER_VALUE)
    if not (isinstance(evaluator, type) and issubclass(evaluator, ModelEvaluator)):
        raise WorkbenchException(
            "An evaluator must be a subclass of workbench.evaluation.ModelEvaluator, got "
            f"{evaluator!r}.",
            error_code=INVALID_PARAMETER_VALUE,
        )
    _registry[name] = evaluator


def unregister_evaluator(name: str) -> None:
    """Remove a registered (non built-in) evaluator; unknown names are ignored."""
    _registry.pop(name, None)


def list_evaluators() -> list[str]:
    """Return the names of all available evaluators, ``"default"`` first.

    Examples
    --------
    >>> list_evaluators()[0]
    'default'
    """
    _load_entry_points()
    return [*_BUILTIN, *(name for name in _registry if name not in _BUILTIN)]


def is_builtin(name: str) -> bool:
    """Whether ``name`` is a built-in evaluator."""
    return name in _BUILTIN


def get_evaluator_class(name: str) -> type:
    """Return the evaluator class registered as ``name`` (see :func:`get_evaluator`)."""
    _load_entry_points()
    spec = _BUILTIN.get(name) or _registry.get(name)
    if spec is None:
        raise WorkbenchException(
            f"Could not find a registered model evaluator for: {name!r}. Currently registered "
            f"evaluator names are: {list_evaluators()}. Plugins register under the entry point "
            f"group {ENTRY_POINT_GROUP!r}.",
            error_code=INVALID_PARAMETER_VALUE,
        )
    return _resolve(spec)


def get_evaluator(name: str) -> ModelEvaluator:
    """Return a new instance of the evaluator registered as ``name``.

    Examples
    --------
    >>> type(get_evaluator("default")).__name__
    'DefaultEvaluator'
    >>> get_evaluator("nope")
    Traceback (most recent call last):
    ...
    workbench._exceptions.WorkbenchException: Could not find a registered model evaluator for: 'nope'. Currently registered evaluator names are: ['default']...
    """
    return get_evaluator_class(name)()
