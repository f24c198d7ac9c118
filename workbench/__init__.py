"""workbench: model evaluation that lives in Jupyter, on MLflow's model API.

``import workbench`` stays light: subpackages (``workbench.models``, ``workbench.types``)
are imported on first use, and nothing here imports IPython, ipywidgets or plotly.
"""

from __future__ import annotations

import importlib
from typing import Any

from workbench._exceptions import WorkbenchException

__version__ = "0.1.0"

_SUBMODULES = frozenset({"models", "types"})

__all__ = ["WorkbenchException", "__version__"]


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return importlib.import_module(f"workbench.{name}")
    raise AttributeError(f"module 'workbench' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | _SUBMODULES)
