"""Tables: confusion matrix, threshold table, per-class metrics, residual summary."""

import json

import numpy as np
import pandas as pd
import pytest
from sklearn import metrics as skm

from workbench import WorkbenchException
from workbench.evaluation._classification import evaluate_classifier
from workbench.evaluation._curves import rank_scores
from workbench.evaluation._tables import (
    ConfusionMatrix,
    PerClassMetrics,
    ResidualSummary,
    ThresholdTable,
    residual_summary,
    table_from_dict,
    threshold_table_from_ranking,
)


def _roundtrip(table):
    d = table.to_dict()
    back = table_from_dict(json.loads(json.dumps(d, allow_nan=False)))
    assert back == table and type(back) is type(table)
    return d


def test_confusion_matrix_binary_puts_the_positive_label_last_and_round_trips():
    out = evaluate_classifier(["b", "a", "b", "a"], ["b", "b", "a", "a"], labels=["a", "b"],
                              pos_label="a")
    cm = out.tables["confusion_matrix"]
    assert cm.labels == ["b", "a"]
    np.testing.assert_array_equal(cm.matrix, skm.confusion_matrix(
        ["b", "a", "b", "a"], ["b", "b", "a", "a"], labels=["b", "a"]))
    assert cm.matrix.dtype == np.int64 and cm.weighted is None
    _roundtrip(cm)
    frame = cm.to_frame()
    assert list(frame.index) == ["b", "a"] and frame.loc["a", "a"] == 1


def test_confusion_matrix_labels_are_strings():
    cm = ConfusionMatrix(labels=[False, True], matrix=[[1, 0], [0, 1]])
    assert cm.labels == ["False", "True"]
    np.testing.assert_allclose(cm.normalized(), np.eye(2))


@pytest.mark.parametrize("weighted", [False, True])
def test_threshold_table_counts_are_exact_at_kept_thresholds(weighted):
    rng = np.random.default_rng(0)
    n = 5_000
    y = rng.random(n) < 0.4
    s = rng.random(n)
    w = rng.random(n) if weighted else None
    t = threshold_table_from_ranking(rank_scores(y, s, w))
    assert len(t.thresholds) <= 1000
    assert np.all(np.diff(t.thresholds) < 0)
    assert t.thresholds[0] == s.max() and t.thresholds[-1] == s.min()
    for i in np.linspace(0, len(t.thresholds) - 1, 8).astype(int):
        pred = s >= t.thresholds[i]
        ww = np.ones(n) if w is None else w
        assert t.tp[i] == pytest.approx(ww[pred & y].sum(), rel=1e-12)
        assert t.fp[i] == pytest.approx(ww[pred & ~y].sum(), rel=1e-12)
        assert t.fn[i] == pytest.approx(ww[~pred & y].sum(), rel=1e-10, abs=1e-9)
        assert t.tn[i] == pytest.approx(ww[~pred & ~y].sum(), rel=1e-10, abs=1e-9)
        assert t.precision[i] == pytest.approx(skm.precision_score(y, pred, sample_weight=w),
                                               rel=1e-12)
        assert t.recall[i] == pytest.approx(skm.recall_score(y, pred, sample_weight=w),
                                            rel=1e-12)
        assert t.f1[i] == pytest.approx(skm.f1_score(y, pred, sample_weight=w), rel=1e-10)
        assert t.accuracy[i] == pytest.approx(skm.accuracy_score(y, pred, sample_weight=w),
                                              rel=1e-10)
    # thresholds cover the score range evenly enough for a slider
    assert np.max(np.diff(t.thresholds[::-1])) < 0.01  # 500 grid steps over [0, 1]
    _roundtrip(t)
    assert list(t.to_frame().columns)[:3] == ["thresholds", "tp", "fp"]


def test_threshold_table_from_evaluate_classifier():
    out = evaluate_classifier([0, 1, 1, 0], [0, 1, 0, 0], [0.1, 0.9, 0.4, 0.3], labels=[0, 1])
    t = out.tables["threshold_table"]
    assert isinstance(t, ThresholdTable) and t.label == "1"
    np.testing.assert_array_equal(t.thresholds, [0.9, 0.4, 0.3, 0.1])
    np.testing.assert_array_equal(t.tp, [1, 2, 2, 2])


def test_per_class_metrics_round_trip_and_frame():
    out = evaluate_classifier(["x", "y", "z", "z"], ["x", "z", "z", "y"], labels=["x", "y", "z"])
    table = out.tables["per_class_metrics"]
    assert isinstance(table, PerClassMetrics)
    d = _roundtrip(table)
    assert d["rows"][0]["positive_class"] == "x"
    frame = table.to_frame()
    assert list(frame["positive_class"]) == ["x", "y", "z"]
    assert frame["true_positives"].tolist() == [1, 0, 1]


def test_per_class_metrics_with_nan_round_trips():
    t = PerClassMetrics(columns=["positive_class", "roc_auc"],
                        rows=[{"positive_class": "a", "roc_auc": float("nan")}])
    assert t.to_dict()["rows"][0]["roc_auc"] == "NaN"
    _roundtrip(t)


def test_residual_summary_is_bounded_and_round_trips():
    rng = np.random.default_rng(0)
    y = rng.normal(size=50_000)
    yh = y + rng.normal(scale=0.5, size=50_000)
    s = residual_summary(y, yh)
    resid = y - yh
    np.testing.assert_allclose(s.quantiles, np.quantile(resid, s.quantile_levels))
    assert s.counts.sum() == 50_000 and len(s.bin_edges) == len(s.counts) + 1
    assert len(s.sample_index) <= 1000
    assert {int(np.argmax(resid)), int(np.argmin(resid)), int(np.argmax(y))} <= set(
        s.sample_index.tolist())
    np.testing.assert_array_equal(s.sample_target, y[s.sample_index])
    assert s.mean == pytest.approx(resid.mean()) and s.n_total == 50_000
    assert isinstance(table_from_dict(s.to_dict()), ResidualSummary)
    _roundtrip(s)


def test_constant_residuals_still_give_a_histogram():
    s = residual_summary(np.ones(5), np.ones(5))
    assert s.counts.sum() == 5 and s.quantiles[0] == 0


def test_table_from_dict_refuses_unknown_kinds():
    with pytest.raises(WorkbenchException, match="Unknown table kind 'sofa'"):
        table_from_dict({"kind": "sofa"})


def test_to_frame_types():
    cm = ConfusionMatrix(labels=["a", "b"], matrix=[[1, 2], [3, 4]])
    assert isinstance(cm.to_frame(), pd.DataFrame)
