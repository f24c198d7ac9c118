"""Plotly figures built from the curve and table data objects (the module that imports plotly).

Each builder takes data objects from :mod:`workbench.evaluation._curves` /
:mod:`workbench.evaluation._tables` and returns a :class:`plotly.graph_objects.Figure` whose
traces hold exactly the objects' points. Text that comes from the user (class labels, run
names) reaches plotly as trace names and titles; plotly interprets some HTML tags there
(``<b>``, ``<a href>``, ``<br>``), so every such string goes through :func:`html.escape`
first and is shown literally.

:func:`result_figures` and :func:`comparison_figures` pick at most :data:`MAX_FIGURES`
figures for the static images of a result or a comparison: ROC and precision-recall for
classifiers, predicted-vs-actual and the residual histogram for regressors.

Examples
--------
>>> import numpy as np
>>> from workbench.evaluation._curves import RocCurve
>>> roc = RocCurve(np.array([0.0, 0.5, 1.0]), np.array([0.0, 0.8, 1.0]),
...                np.array([np.inf, 0.5, 0.1]), 0.65, label="<b>yes</b>")
>>> fig = roc_figure({"model": roc})
>>> fig.data[1].x.tolist(), fig.data[1].y.tolist(), fig.data[1].name
([0.0, 0.5, 1.0], [0.0, 0.8, 1.0], 'model (AUC 0.65)')
>>> roc_figure([roc]).data[1].name
'&lt;b&gt;yes&lt;/b&gt; (AUC 0.65)'
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go

__all__ = ["MAX_FIGURES", "MAX_TRACES", "comparison_figures", "pr_figure",
           "predicted_vs_actual_figure", "residual_histogram_figure", "residual_table",
           "result_figures",
           "roc_figure"]

#: At most this many figures (static images) per result or comparison.
MAX_FIGURES = 2
#: At most this many curves drawn in one figure (per-class curves of a many-class model).
MAX_TRACES = 10
#: At most this many points in a predicted-vs-actual scatter.
MAX_SCATTER = 500
#: Characters of one user string in a figure (names, labels).
MAX_NAME = 60

_LAYOUT = dict(
    template="plotly_white", margin=dict(l=55, r=15, t=40, b=45),
    legend=dict(x=1, xanchor="right", y=0, yanchor="bottom", bgcolor="rgba(255,255,255,0.7)"),
    font=dict(size=11),
)


def _text(value: Any) -> str:
    """A user string made safe for plotly text: shortened and HTML-escaped."""
    text = str(value)
    if len(text) > MAX_NAME:
        text = text[: MAX_NAME - 1] + "\u2026"
    return html.escape(text, quote=True)


def _named(curves: Mapping[str, Any] | Sequence[Any]) -> list[tuple[str, Any]]:
    """``[(escaped name, curve)]``: a mapping's keys, or each curve's label (else its index)."""
    if isinstance(curves, Mapping):
        items = [(str(k), v) for k, v in curves.items()]
    else:
        items = [(str(c.label) if getattr(c, "label", None) is not None else f"curve {i}", c)
                 for i, c in enumerate(curves)]
    return [(_text(name), curve) for name, curve in items[:MAX_TRACES]]


def _figure(title: str, x_title: str, y_title: str) -> go.Figure:
    fig = go.Figure()
    fig.update_layout(title=dict(text=title, x=0.02), xaxis_title=x_title,
                      yaxis_title=y_title, **_LAYOUT)
    return fig


def _score(value: Any) -> str:
    try:
        return f"{float(value):.4g}"
    except (TypeError, ValueError):
        return "?"


def roc_figure(curves: Mapping[str, Any] | Sequence[Any]) -> go.Figure:
    """ROC curves (false vs true positive rate), one trace per curve, plus the chance line.

    ``curves`` is ``{display name: RocCurve}`` or a sequence of ``RocCurve`` (named by their
    labels). Trace names carry the AUC.
    """
    fig = _figure("ROC curve", "False positive rate", "True positive rate")
    fig.add_trace(go.Scatter(x=[0.0, 1.0], y=[0.0, 1.0], mode="lines", name="chance",
                             line=dict(dash="dot", color="#999"), showlegend=False))
    for name, curve in _named(curves):
        fig.add_trace(go.Scatter(x=np.asarray(curve.fpr), y=np.asarray(curve.tpr), mode="lines",
                                 name=f"{name} (AUC {_score(curve.auc)})"))
    fig.update_xaxes(range=[0, 1])
    fig.update_yaxes(range=[0, 1.02])
    return fig


def pr_figure(curves: Mapping[str, Any] | Sequence[Any]) -> go.Figure:
    """Precision-recall curves (recall on x), one trace per curve; names carry the AP."""
    fig = _figure("Precision-recall curve", "Recall", "Precision")
    for name, curve in _named(curves):
        fig.add_trace(go.Scatter(x=np.asarray(curve.recall), y=np.asarray(curve.precision),
                                 mode="lines",
                                 name=f"{name} (AP {_score(curve.average_precision)})"))
    fig.update_xaxes(range=[0, 1])
    fig.update_yaxes(range=[0, 1.02])
    return fig


def predicted_vs_actual_figure(summary: Any, name: str | None = None, *,
                               max_points: int = MAX_SCATTER) -> go.Figure:
    """A regressor's sampled predictions against the targets, with the ``y = x`` line.

    At most ``max_points`` evenly spaced rows of the summary's sample are drawn (a static
    image stays small); the ``y = x`` line spans every sampled row.
    """
    target = np.asarray(summary.sample_target, dtype=float)
    prediction = np.asarray(summary.sample_prediction, dtype=float)
    keep = slice(None)
    if target.size > max_points:
        keep = np.unique(np.linspace(0, target.size - 1, max_points).round().astype(np.int64))
    fig = _figure("Predicted vs actual", "Actual", "Predicted")
    if target.size:
        lo = float(min(target.min(), prediction.min()))
        hi = float(max(target.max(), prediction.max()))
        fig.add_trace(go.Scatter(x=[lo, hi], y=[lo, hi], mode="lines", name="y = x",
                                 line=dict(dash="dot", color="#999"), showlegend=False))
    fig.add_trace(go.Scatter(x=target[keep], y=prediction[keep], mode="markers",
                             name=_text(name) if name is not None else "rows",
                             marker=dict(size=4, opacity=0.6), showlegend=name is not None))
    return fig


def residual_histogram_figure(summary: Any) -> go.Figure:
    """The residual (target - prediction) histogram: one bar per bin of ``bin_edges``."""
    edges = np.asarray(summary.bin_edges, dtype=float)
    counts = np.asarray(summary.counts)
    fig = _figure("Residuals", "Target - prediction", "Rows")
    fig.add_trace(go.Bar(x=(edges[:-1] + edges[1:]) / 2, y=counts, width=np.diff(edges),
                         name="residuals", showlegend=False, marker=dict(line=dict(width=0))))
    return fig


def _result_curves(result: Any, kind: str) -> list[Any]:
    return [c for c in (getattr(result, "curves", None) or []) if getattr(c, "kind", None) == kind]


def residual_table(result: Any) -> Any:
    """The result's ``ResidualSummary`` table (kind ``"residuals"``), or None."""
    tables = getattr(result, "tables", None) or {}
    if not isinstance(tables, Mapping):
        return None
    for table in tables.values():
        if getattr(table, "kind", None) == "residuals":
            return table
    return None


def result_figures(result: Any) -> list[tuple[str, go.Figure]]:
    """``[(alt text, figure)]`` for the static images of an ``EvaluationResult`` (at most 2).

    A classifier gets its ROC and precision-recall curves (every class's, up to
    :data:`MAX_TRACES`); a regressor its predicted-vs-actual plot and residual histogram
    (from its residual table, :func:`residual_table`); anything else gets none.
    """
    out: list[tuple[str, go.Figure]] = []
    roc = _result_curves(result, "roc")
    if roc:
        out.append(("ROC curve", roc_figure(roc)))
    pr = _result_curves(result, "precision_recall")
    if pr:
        out.append(("Precision-recall curve", pr_figure(pr)))
    if not out:
        summary = residual_table(result)
        if summary is not None and len(getattr(summary, "sample_target", ())):
            out.append(("Predicted vs actual", predicted_vs_actual_figure(summary)))
            out.append(("Residual histogram", residual_histogram_figure(summary)))
    return out[:MAX_FIGURES]


def comparison_figures(comparison: Any) -> list[tuple[str, go.Figure]]:
    """``[(alt text, figure)]`` for a ``ComparisonResult``: the overlaid ROC and
    precision-recall curves of every compared result (at most 2 figures)."""
    curves = comparison.get("curves") if isinstance(comparison, Mapping) else getattr(
        comparison, "curves", None)
    curves = curves if isinstance(curves, Mapping) else {}
    out: list[tuple[str, go.Figure]] = []
    if curves.get("roc"):
        out.append(("ROC curve", roc_figure(curves["roc"])))
    if curves.get("precision_recall"):
        out.append(("Precision-recall curve", pr_figure(curves["precision_recall"])))
    return out[:MAX_FIGURES]
