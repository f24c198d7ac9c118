"""Live panels: anywidget views of an evaluation or a comparison, and the plotly.js loader.

Three widgets, one idea (DESIGN.md section 7, measured in PLOTLY-ONCE.md):

* :class:`PlotlyLoader`: one hidden widget per kernel (:func:`plotly_loader`, a module
  singleton) whose ``source_gz`` trait carries ``gzip(plotly.min.js)`` from the installed
  plotly package, 1.5 MB instead of 4.8 MB. Its front-end (``extension/plotly_loader.js``)
  evaluates it once per page and exports a promise of ``Plotly``.
* :class:`EvaluationPanel` and :class:`ComparisonPanel`: the front-end is
  ``extension/panel.js`` (the same module the HTML report runs); the state is a JSON
  ``spec``, a ``data`` blob of float32 arrays (``workbench.notebook._view``) and a ``loader``
  reference (``anywidget.WidgetTrait``) to the shared loader. A panel costs tens of KB,
  whatever the row count, because the view payload is bounded.

A :class:`ComparisonPanel` also lists the workspace's evaluation runs (``runs``); when the
page sets ``selected`` to two or more of their ids, the panel calls
:func:`workbench.compare` on them and sends the new view. A failure there is shown in the
panel (``error``), never raised into a comm handler where nobody would see it.

This module imports anywidget, traitlets and (lazily, once per kernel) plotly's package
data; it is imported only by :mod:`workbench.notebook` when a panel is asked for.
"""

from __future__ import annotations

import datetime as _dt
import functools
import gzip
import json
import pathlib
import urllib.parse
from collections.abc import Mapping, Sequence
from typing import Any

import anywidget
import traitlets

from workbench._exceptions import INVALID_PARAMETER_VALUE, WorkbenchException
from workbench.notebook import _assets

__all__ = ["ComparisonPanel", "EvaluationPanel", "PlotlyLoader", "panel", "plotly_loader",
           "workspace_runs"]

#: How many workspace runs a ComparisonPanel offers (newest first).
MAX_RUNS = 200


# ============================================================================ plotly.js


@functools.lru_cache(maxsize=1)
def plotly_js_gzip() -> bytes:
    """``gzip(plotly.min.js)`` of the installed plotly package (computed once, ~0.5 s).

    ``mtime=0`` keeps the bytes identical between kernels (the same plotly gives the same
    payload, which saved notebooks then share byte for byte).
    """
    try:
        import plotly
    except ImportError:
        raise WorkbenchException(
            "Live panels need plotly.js from the plotly package, which is not installed. "
            'Install the notebook extra: pip install "workbench[notebook]".',
            error_code=INVALID_PARAMETER_VALUE,
        ) from None
    path = pathlib.Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    try:
        source = path.read_bytes()
    except OSError as err:
        raise WorkbenchException(
            f"Live panels need plotly.js, expected at {path} in plotly {plotly.__version__}, but it "
            f"cannot be read ({err}). Reinstall plotly: pip install --force-reinstall plotly.",
            error_code=INVALID_PARAMETER_VALUE,
        ) from None
    return gzip.compress(source, 6, mtime=0)


class PlotlyLoader(anywidget.AnyWidget):
    """The hidden widget that brings plotly.js to the page once per kernel.

    It needs no display: its comm opens when it is created, and panels reach it through their
    ``loader`` reference. Use :func:`plotly_loader` rather than creating one.
    """

    # str, not a Path: a Path becomes a file watcher that keeps every instance alive
    _esm = _assets.read_text("plotly_loader.js")
    source_gz = traitlets.Bytes(b"").tag(sync=True)

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("source_gz", plotly_js_gzip())
        super().__init__(**kwargs)


_LOADER: PlotlyLoader | None = None


def plotly_loader() -> PlotlyLoader:
    """The kernel's one :class:`PlotlyLoader`, created on first use (and again if closed).

    Examples
    --------
    >>> plotly_loader() is plotly_loader()
    True
    """
    global _LOADER
    if _LOADER is None or getattr(_LOADER, "comm", None) is None:
        _LOADER = PlotlyLoader()
    return _LOADER


# ============================================================================ panels


class _Panel(anywidget.AnyWidget):
    """What both panels share: the front-end module, its CSS and the view state."""

    _esm = _assets.read_text("panel.js")
    _css = _assets.read_text("panel.css")

    spec = traitlets.Dict().tag(sync=True)
    data = traitlets.Bytes(b"").tag(sync=True)
    loader = anywidget.WidgetTrait().tag(sync=True)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(spec={len(self.spec)} keys, data={len(self.data)} bytes)"


def _require_result(result: Any) -> Any:
    from workbench.evaluation import EvaluationResult

    if not isinstance(result, EvaluationResult):
        raise WorkbenchException(
            f"EvaluationPanel(result) expects an EvaluationResult (from workbench.evaluate or "
            f"workbench.load_evaluation), got {type(result).__name__}. For a comparison use "
            "ComparisonPanel(workbench.compare([...])).",
            error_code=INVALID_PARAMETER_VALUE,
        )
    return result


class EvaluationPanel(_Panel):
    """The interactive view of one :class:`~workbench.models.EvaluationResult`.

    Tabs for the summary, curves, threshold slider, per-class table, SHAP explanation,
    signature and data facts; everything after the first draw runs in the browser (the
    slider needs no kernel).

    Parameters
    ----------
    result : EvaluationResult
        What to show. The panel keeps a reference (``panel.result``).
    """

    def __init__(self, result: Any, **kwargs: Any) -> None:
        from workbench.notebook._view import evaluation_view

        self.result = _require_result(result)
        spec, data = evaluation_view(self.result)
        super().__init__(spec=spec, data=data, loader=plotly_loader(), **kwargs)


# ---------------------------------------------------------------------------- workspace runs


def _artifact_dir(artifact_uri: str | None) -> pathlib.Path | None:
    if not artifact_uri:
        return None
    parsed = urllib.parse.urlparse(artifact_uri)
    if parsed.scheme == "file":
        return pathlib.Path(urllib.parse.unquote(parsed.path))
    if parsed.scheme == "":
        return pathlib.Path(artifact_uri)
    return None


def _created(start_time: Any) -> str | None:
    if not isinstance(start_time, (int, float)) or isinstance(start_time, bool):
        return None
    return _dt.datetime.fromtimestamp(start_time / 1000, _dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def _model_type(run: Any, evaluation: pathlib.Path) -> str | None:
    tags = getattr(getattr(run, "data", None), "tags", None) or {}
    for key in ("workbench.evaluation.model_type", "model_type"):
        if isinstance(tags.get(key), str):
            return tags[key]
    try:
        manifest = json.loads((evaluation / "workbench.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    model = manifest.get("model") if isinstance(manifest, dict) else None
    value = model.get("model_type") if isinstance(model, dict) else None
    return value if isinstance(value, str) else None


def workspace_runs(max_runs: int = MAX_RUNS) -> list[dict[str, Any]]:
    """The workspace's runs that hold a saved evaluation, newest first.

    Each is ``{"id", "name", "model_type", "created"}`` (``created`` in UTC, text), which is
    what the comparison panel's run picker shows.

    Examples
    --------
    >>> runs = workspace_runs()
    >>> isinstance(runs, list)
    True
    """
    from workbench import _tracking

    found = []
    for run in _tracking.search_runs(output_format="list", max_results=max_runs,
                                     order_by=["attributes.start_time DESC"]):
        root = _artifact_dir(run.info.artifact_uri)
        evaluation = root / "evaluation" if root is not None else None
        if evaluation is None or not evaluation.is_dir():
            continue
        found.append({
            "id": run.info.run_id,
            "name": run.info.run_name or run.info.run_id,
            "model_type": _model_type(run, evaluation),
            "created": _created(run.info.start_time),
        })
    return found


def _run_entries(runs: Sequence[Any] | None) -> list[dict[str, Any]]:
    """``runs`` as run-picker entries: None lists the workspace; ids or names are looked up."""
    if runs is None:
        return workspace_runs()
    if isinstance(runs, (str, bytes)) or not isinstance(runs, Sequence):
        raise WorkbenchException(
            f"ComparisonPanel(runs=...) expects a list of run ids or names (or None for every "
            f"evaluation run in the workspace), got {type(runs).__name__}. Example: "
            "ComparisonPanel(runs=['rf-depth7', 'gbm-v2']).",
            error_code=INVALID_PARAMETER_VALUE,
        )
    known = {r["id"]: r for r in workspace_runs()}
    by_name: dict[str, dict[str, Any]] = {}
    for entry in known.values():  # newest first: the first of a name wins
        by_name.setdefault(entry["name"], entry)
    entries = []
    for run in runs:
        entry = known.get(run) if isinstance(run, str) else None
        entry = entry or (by_name.get(run) if isinstance(run, str) else None)
        if entry is None:
            raise WorkbenchException(
                f"ComparisonPanel(runs=...): no run with a saved evaluation has the id or name "
                f"{run!r}. List them with workbench.search_runs() or %workbench list.",
                error_code=INVALID_PARAMETER_VALUE,
            )
        if entry not in entries:
            entries.append(entry)
    return entries


def _error_text(err: BaseException) -> str:
    message = getattr(err, "message", None)
    if isinstance(err, WorkbenchException) and isinstance(message, str):
        return message
    return f"{type(err).__name__}: {err}"


def _require_comparison(comparison: Any) -> Any:
    if comparison is None:
        return None
    from workbench.evaluation._compare import ComparisonResult

    if not isinstance(comparison, ComparisonResult):
        raise WorkbenchException(
            f"ComparisonPanel(comparison) expects a ComparisonResult (from workbench.compare), got "
            f"{type(comparison).__name__}. For one evaluation use EvaluationPanel(result).",
            error_code=INVALID_PARAMETER_VALUE,
        )
    return comparison


class ComparisonPanel(_Panel):
    """The interactive view of a comparison, with a picker over the workspace's runs.

    Parameters
    ----------
    comparison : ComparisonResult, optional
        What to show first. Without it the panel shows the run picker only, until two runs
        are selected.
    runs : list of str, optional
        Run ids or names the picker offers; by default every run of the workspace that
        holds a saved evaluation (newest first, at most 200).

    Attributes
    ----------
    comparison : ComparisonResult or None
        What the panel shows now; it follows the selection.
    runs : list of dict
        The picker's entries, ``{"id", "name", "model_type", "created"}``.
    selected : list of str
        The ids of the selected runs, baseline first. Setting it to two or more ids (the
        page does this) compares them with :func:`workbench.compare`.
    error : str
        Why the last comparison failed ("" when it did not); the panel shows it.
    """

    runs = traitlets.List(traitlets.Dict()).tag(sync=True)
    selected = traitlets.List(traitlets.Unicode()).tag(sync=True)
    error = traitlets.Unicode("").tag(sync=True)

    def __init__(self, comparison: Any = None, runs: Sequence[Any] | None = None,
                 **kwargs: Any) -> None:
        self.comparison = _require_comparison(comparison)
        entries = _run_entries(runs)
        spec: dict[str, Any] = {}
        data = b""
        selected: list[str] = []
        if self.comparison is not None:
            from workbench.notebook._view import comparison_view

            spec, data = comparison_view(self.comparison)
            ids = {e["id"] for e in entries}
            selected = [i for i in _run_ids(self.comparison) if i in ids]
        super().__init__(spec=spec, data=data, loader=plotly_loader(), runs=entries,
                         selected=selected, **kwargs)
        self.observe(self._on_selected, names="selected")

    def _on_selected(self, change: Mapping[str, Any]) -> None:
        self.update(change["new"])

    def _named(self, selected: list[str]) -> dict[str, str]:
        """``{display name: run id}``: the picker's run names, made unique with the id."""
        names = {r["id"]: str(r["name"]) for r in self.runs}
        counts: dict[str, int] = {}
        for run_id in selected:
            counts[names.get(run_id, run_id)] = counts.get(names.get(run_id, run_id), 0) + 1
        named = {}
        for run_id in selected:
            name = names.get(run_id, run_id)
            named[name if counts[name] == 1 else f"{name} ({run_id[:8]})"] = run_id
        return named

    def update(self, selected: Sequence[str]) -> None:
        """Compare the runs ``selected`` (two or more) and show the result.

        The page calls this through the ``selected`` trait; Python code can call it too.
        Errors are kept in :attr:`error` (and shown), not raised.
        """
        selected = list(selected)
        if len(selected) < 2:
            self.error = ""
            return
        try:
            import workbench
            from workbench.notebook._view import comparison_view

            comparison = workbench.compare(self._named(selected))
            spec, data = comparison_view(comparison)
        except Exception as err:  # shown in the panel: a comm handler has no one to raise to
            self.error = _error_text(err)
            return
        self.comparison = comparison
        with self.hold_sync():
            self.error = ""
            self.spec = spec
            self.data = data


def _run_ids(comparison: Any) -> list[str]:
    """The run ids behind a comparison's results, in its order (those that have one)."""
    models = getattr(comparison, "models", None) or {}
    ids = []
    for name in getattr(comparison, "names", None) or []:
        run_id = (models.get(name) or {}).get("run_id")
        if isinstance(run_id, str):
            ids.append(run_id)
    return ids


def panel(obj: Any) -> _Panel:
    """The live panel for ``obj``: an :class:`EvaluationPanel` or a :class:`ComparisonPanel`.

    Parameters
    ----------
    obj : EvaluationResult, ComparisonResult or str
        A result, a comparison, or a run id or name whose saved evaluation is shown.
    """
    from workbench.evaluation import EvaluationResult

    if isinstance(obj, EvaluationResult):
        return EvaluationPanel(obj)
    if type(obj).__name__ == "ComparisonResult":
        return ComparisonPanel(_require_comparison(obj))
    if isinstance(obj, str):
        import workbench

        return EvaluationPanel(workbench.load_evaluation(obj))
    raise WorkbenchException(
        f"panel(obj) expects an EvaluationResult, a ComparisonResult or a run id or name, got "
        f"{type(obj).__name__}. Example: panel(workbench.evaluate(...)) or panel('rf-depth7').",
        error_code=INVALID_PARAMETER_VALUE,
    )
