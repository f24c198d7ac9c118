"""Jupyter integration: ``%load_ext workbench`` magics and rich display.

Importing this package imports nothing heavy: the magics (which need IPython) load in
``load_ipython_extension``, the static display renderer (``_display``) uses only the
standard library. ``import workbench`` never imports this package eagerly.
"""

from __future__ import annotations

from typing import Any

__all__ = ["load_ipython_extension", "unload_ipython_extension"]


def load_ipython_extension(ipython: Any) -> None:
    """Register the workbench magics and display formatters (``%load_ext workbench``)."""
    from workbench.notebook._extension import load_ipython_extension as load

    load(ipython)


def unload_ipython_extension(ipython: Any) -> None:
    """Undo :func:`load_ipython_extension` (``%unload_ext workbench``)."""
    from workbench.notebook._extension import unload_ipython_extension as unload

    unload(ipython)
