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

_SUBMODULES = frozenset(
    {"evaluation", "metrics", "models", "notebook", "pyfunc", "serving", "sklearn", "store", "types"}
)

# Public name -> module that defines it, imported on first access (PEP 562).
_LAZY = {
    "ActiveRun": "workbench._tracking",
    "ComparisonResult": "workbench.evaluation",
    "MetricThreshold": "workbench.evaluation",
    "Run": "workbench._tracking",
    "RunData": "workbench._tracking",
    "RunInfo": "workbench._tracking",
    "active_run": "workbench._tracking",
    "compare": "workbench.evaluation",
    "delete_run": "workbench._tracking",
    "end_run": "workbench._tracking",
    "evaluate": "workbench.evaluation",
    "get_run": "workbench._tracking",
    "get_workspace": "workbench._tracking",
    "last_active_run": "workbench._tracking",
    "load_evaluation": "workbench.evaluation",
    "log_artifact": "workbench._tracking",
    "log_artifacts": "workbench._tracking",
    "log_dict": "workbench._tracking",
    "log_evaluation": "workbench.evaluation",
    "log_metric": "workbench._tracking",
    "log_metrics": "workbench._tracking",
    "log_param": "workbench._tracking",
    "log_params": "workbench._tracking",
    "log_text": "workbench._tracking",
    "search_runs": "workbench._tracking",
    "set_tag": "workbench._tracking",
    "set_tags": "workbench._tracking",
    "set_workspace": "workbench._tracking",
    "start_run": "workbench._tracking",
    "validate_evaluation_results": "workbench.evaluation",
}

__all__ = sorted(["WorkbenchException", "__version__", *_LAZY])


def load_ipython_extension(ipython: Any) -> None:
    """``%load_ext workbench``: the magics and rich display (IPython is imported only now)."""
    from workbench.notebook._extension import load_ipython_extension as load

    load(ipython)


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
