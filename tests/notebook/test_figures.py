"""The plotly figures built from curve and table data objects: traces hold the objects' points."""

from __future__ import annotations

import types

import numpy as np
import pytest

from workbench.evaluation import EvaluationResult
from workbench.evaluation._curves import PrecisionRecallCurve, RocCurve
from workbench.evaluation._tables import residual_summary
from workbench.notebook import _figures

HOSTILE = "</script><img src=x onerror=alert(1)>"


def roc(label=None, shift=0.0):
    fpr = np.array([0.0, 0.1, 0.4, 1.0])
    return RocCurve(fpr, np.clip(np.array([0.0, 0.6, 0.9, 1.0]) - shift, 0, 1),
                    np.array([np.inf, 0.8, 0.3, 0.0]), 0.8125 - shift, label=label)


def pr(label=None):
    return PrecisionRecallCurve(np.array([0.5, 0.75, 1.0]), np.array([1.0, 0.6, 0.0]),
                                np.array([0.2, 0.7]), 0.7, label=label)


def test_roc_traces_are_the_curve_points_with_the_chance_line_first():
    a, b = roc(), roc(shift=0.1)
    fig = _figures.roc_figure({"base": a, "new": b})
    chance, *curves = fig.data
    assert list(chance.x) == [0.0, 1.0] and list(chance.y) == [0.0, 1.0]
    assert [t.name for t in curves] == ["base (AUC 0.8125)", "new (AUC 0.7125)"]
    for trace, curve in zip(curves, (a, b)):
        np.testing.assert_array_equal(trace.x, curve.fpr)
        np.testing.assert_array_equal(trace.y, curve.tpr)
    assert fig.layout.title.text == "ROC curve"
    assert fig.layout.xaxis.title.text == "False positive rate"


def test_pr_traces_put_recall_on_x():
    curve = pr(label="yes")
    (trace,) = _figures.pr_figure([curve]).data
    np.testing.assert_array_equal(trace.x, curve.recall)
    np.testing.assert_array_equal(trace.y, curve.precision)
    assert trace.name == "yes (AP 0.7)"


def test_user_text_is_escaped_and_shortened_for_plotly():
    fig = _figures.roc_figure([roc(label=HOSTILE)])
    name = fig.data[1].name
    assert "<" not in name and ">" not in name
    assert name.startswith("&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;")
    long = _figures.pr_figure({"x" * 500: pr()}).data[0].name
    assert long.startswith("x" * 59 + "\u2026 (AP")
    unlabeled = _figures.pr_figure([pr(), pr()]).data
    assert [t.name for t in unlabeled] == ["curve 0 (AP 0.7)", "curve 1 (AP 0.7)"]


def test_many_curves_are_capped():
    fig = _figures.roc_figure([roc(label=str(i)) for i in range(30)])
    assert len(fig.data) == 1 + _figures.MAX_TRACES


def test_residual_histogram_bars_are_the_bins():
    summary = residual_summary(np.arange(10.0), np.arange(10.0) + np.linspace(-1, 1, 10), bins=4)
    (bar,) = _figures.residual_histogram_figure(summary).data
    edges = summary.bin_edges
    np.testing.assert_allclose(bar.x, (edges[:-1] + edges[1:]) / 2)
    np.testing.assert_array_equal(bar.y, summary.counts)
    np.testing.assert_allclose(bar.width, np.diff(edges))
    assert int(np.sum(bar.y)) == 10


def test_predicted_vs_actual_points_and_cap():
    y = np.arange(50.0)
    summary = residual_summary(y, y * 0.9 + 1)
    diagonal, points = _figures.predicted_vs_actual_figure(summary).data
    np.testing.assert_array_equal(points.x, summary.sample_target)
    np.testing.assert_array_equal(points.y, summary.sample_prediction)
    assert (diagonal.x[0], diagonal.x[1]) == (0.0, 49.0)
    (_, few) = _figures.predicted_vs_actual_figure(summary, name=HOSTILE, max_points=7).data
    assert len(few.x) == 7 and few.x[0] == 0.0 and few.x[-1] == 49.0
    assert set(few.x) <= set(summary.sample_target)
    np.testing.assert_allclose(few.y, np.asarray(few.x) * 0.9 + 1)
    assert few.name.startswith("&lt;/script&gt;")


def test_result_figures_pick_roc_and_pr_for_classifiers():
    curves = [roc(label="a"), roc(label="b"), pr(label="a")]
    figures = _figures.result_figures(EvaluationResult({}, {}, curves=curves))
    assert [alt for alt, _ in figures] == ["ROC curve", "Precision-recall curve"]
    assert [t.name for t in figures[0][1].data[1:]] == ["a (AUC 0.8125)", "b (AUC 0.8125)"]
    assert len(figures[1][1].data) == 1


def test_result_figures_for_regressors_and_for_nothing():
    y = np.arange(20.0)
    summary = residual_summary(y, y + 0.5)
    figures = _figures.result_figures(EvaluationResult({}, {}, tables={"residuals": summary}))
    assert [alt for alt, _ in figures] == ["Predicted vs actual", "Residual histogram"]
    assert _figures.residual_table(EvaluationResult({}, {}, tables={"residuals": summary})) is summary
    assert _figures.result_figures(EvaluationResult({"accuracy_score": 1.0}, {})) == []


@pytest.mark.parametrize("as_mapping", [False, True])
def test_comparison_figures_overlay_every_run(as_mapping):
    curves = {"roc": {"base": roc(), HOSTILE: roc(shift=0.2)}, "precision_recall": {"base": pr()},
              "lift": {"base": object()}}
    comparison = {"curves": curves} if as_mapping else types.SimpleNamespace(curves=curves)
    figures = _figures.comparison_figures(comparison)
    assert [alt for alt, _ in figures] == ["ROC curve", "Precision-recall curve"]
    names = [t.name for t in figures[0][1].data[1:]]
    assert names[0] == "base (AUC 0.8125)" and names[1].startswith("&lt;/script&gt;")
    np.testing.assert_array_equal(figures[0][1].data[2].y, curves["roc"][HOSTILE].tpr)
    assert _figures.comparison_figures(types.SimpleNamespace(curves={})) == []
