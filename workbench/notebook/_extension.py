"""``%load_ext workbench``: register the magics and the display formatters.

``workbench/__init__.py`` holds a module-level ``load_ipython_extension`` that imports this
module only when IPython calls it, so ``import workbench`` imports no IPython.

Besides the magics, the extension registers :mod:`workbench.notebook._display` with
IPython's mimebundle formatter *by class name* (``for_type_by_name``: nothing is imported
until an object of that class is displayed), so results and signature diffs render richly
in a session that loaded the extension even if their classes define no
``_repr_mimebundle_``. Inside a Jupyter kernel the same renderers add the live panel
(``application/vnd.jupyter.widget-view+json``, see ``_panel``) beside the static
``text/html`` and ``text/plain``.
"""

from __future__ import annotations

from typing import Any

__all__ = ["load_ipython_extension", "unload_ipython_extension"]

#: (module, class name, renderer name in workbench.notebook._display)
DISPLAYED = (
    ("workbench.evaluation._result", "EvaluationResult", "result_mimebundle"),
    ("workbench.evaluation._compare", "ComparisonResult", "comparison_mimebundle"),
    ("workbench.models._signature_diff", "SignatureDiff", "signature_diff_mimebundle"),
)


def _printer(renderer: str) -> Any:
    def printer(obj: Any) -> dict[str, Any]:
        from workbench.notebook import _display

        return getattr(_display, renderer)(obj)

    printer.__name__ = f"workbench_{renderer}"
    return printer


def load_ipython_extension(ipython: Any) -> None:
    """Register ``%%evaluate``, ``%evaluate``, ``%workbench`` and the rich display."""
    from workbench.notebook._magics import WorkbenchMagics

    ipython.register_magics(WorkbenchMagics)
    formatter = getattr(getattr(ipython, "display_formatter", None), "mimebundle_formatter", None)
    if formatter is not None:
        for module, name, renderer in DISPLAYED:
            formatter.for_type_by_name(module, name, _printer(renderer))


def unload_ipython_extension(ipython: Any) -> None:
    """Remove the display formatters (IPython has no API to unregister magics)."""
    formatter = getattr(getattr(ipython, "display_formatter", None), "mimebundle_formatter", None)
    if formatter is None:
        return
    for module, name, _renderer in DISPLAYED:
        try:
            formatter.pop(f"{module}.{name}")
        except (KeyError, ValueError):
            pass
