"""Jupyter integration: ``%load_ext workbench`` magics, rich display and live panels.

Importing this package imports nothing heavy: the magics (which need IPython) load in
``load_ipython_extension``, the static display renderer (``_display``) uses only the
standard library, and the panels (which need anywidget) load on first access of
:class:`EvaluationPanel`, :class:`ComparisonPanel` or :func:`panel` (a module
``__getattr__``). ``import workbench`` never imports this package eagerly.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["ComparisonPanel", "EvaluationPanel", "load_ipython_extension", "panel",
           "unload_ipython_extension"]

#: Public name -> the private module that defines it (imported on first access).
_LAZY = {
    "ComparisonPanel": "workbench.notebook._panel",
    "EvaluationPanel": "workbench.notebook._panel",
    "panel": "workbench.notebook._panel",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'workbench.notebook' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later look-ups skip __getattr__
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


def load_ipython_extension(ipython: Any) -> None:
    """Register the workbench magics and display formatters (``%load_ext workbench``)."""
    from workbench.notebook._extension import load_ipython_extension as load

    load(ipython)


def unload_ipython_extension(ipython: Any) -> None:
    """Undo :func:`load_ipython_extension` (``%unload_ext workbench``)."""
    from workbench.notebook._extension import unload_ipython_extension as unload

    unload(ipython)
