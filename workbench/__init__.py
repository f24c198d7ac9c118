"""workbench: model evaluation that lives in Jupyter, on MLflow's model API.

``import workbench`` stays light: public names and subpackages (``workbench.models``,
``workbench.evaluation``, ``workbench.pyfunc``, ...) are imported on first use, and nothing
here imports IPython, ipywidgets or plotly.
"""

from __future__ import annotations

import importlib
from typing import Any

from workbench._exceptions import WorkbenchException

__version__ = "0.1.0"

_SUBMODULES = frozenset({"evaluation", "metrics", "models", "pyfunc", "sklearn", "types"})

# Public name -> module that defines it, imported on first access (PEP 562).
_LAZY = {
    "MetricThreshold": "workbench.evaluation",
    "evaluate": "workbench.evaluation",
    "validate_evaluation_results": "workbench.evaluation",
}

__all__ = sorted(["WorkbenchException", "__version__", *_LAZY])


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return importlib.import_module(f"workbench.{name}")
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'workbench' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | _SUBMODULES | set(_LAZY))
