"""Curve points equal scikit-learn's before decimation; decimated curves keep AUC and ends."""

import numpy as np
import pytest
from sklearn import metrics as skm

from workbench.evaluation._classification import evaluate_classifier
from workbench.evaluation._curves import (
    det_points,
    pr_points,
    rank_one_vs_rest,
    rank_scores,
    roc_points,
)
from workbench.evaluation._decimate import MAX_POINTS
from workbench.evaluation._tables import threshold_table_from_ranking

RTOL = 1e-12


def _data(n, seed=0, ties=False, weighted=False):
    rng = np.random.default_rng(seed)
    y = rng.random(n) < 0.3
    s = np.clip(0.2 * y + rng.normal(0.4, 0.2, n), 0, 1)
    if ties:
        s = np.round(s, 2)
    w = None
    if weighted:
        w = rng.random(n) * 2
        w[::13] = 0.0  # zero-weight rows are dropped, as scikit-learn does
    return y, s, w


CASES = [dict(n=500), dict(n=500, ties=True), dict(n=3000, weighted=True),
         dict(n=3000, ties=True, weighted=True), dict(n=7, seed=3)]


@pytest.mark.parametrize("case", CASES)
def test_full_points_equal_sklearn(case):
    y, s, w = _data(**case)
    r = rank_scores(y, s, w)
    for ours, theirs in ((roc_points(r), skm.roc_curve(y, s, sample_weight=w)),
                         (pr_points(r), skm.precision_recall_curve(y, s, sample_weight=w)),
                         (det_points(r), skm.det_curve(y, s, sample_weight=w))):
        for a, b in zip(ours, theirs):
            assert a.shape == b.shape
            np.testing.assert_allclose(a, b, rtol=RTOL, atol=1e-15)


@pytest.mark.parametrize("ties, weighted, n, k", [(False, False, 2000, 4), (True, False, 2000, 5),
                                                 (True, True, 1500, 3), (False, False, 1, 3)])
def test_one_vs_rest_ranking_equals_the_ranking_of_the_one_hot_cells(ties, weighted, n, k):
    rng = np.random.default_rng(11)
    scores = rng.dirichlet(np.ones(k), size=n)
    if ties:
        scores = np.round(scores, 2)
    codes = rng.integers(0, k, n)
    w = rng.random(n) * 2 if weighted else None
    onehot = np.zeros((n, k), dtype=bool)
    onehot[np.arange(n), codes] = True
    expected = rank_scores(onehot.ravel(), scores.ravel(), None if w is None else np.repeat(w, k))
    got = rank_one_vs_rest(scores, codes, w)
    for field in ("thresholds", "tps", "fps", "n_rows"):
        a, b = getattr(got, field), getattr(expected, field)
        assert a.dtype == b.dtype and a.shape == b.shape, field
        np.testing.assert_array_equal(a, b, err_msg=field)
    assert got.n_total == expected.n_total == n * k
    # and the micro-average curve points are scikit-learn's on the flattened cells
    cell_w = None if w is None else np.repeat(w, k)
    for ours, theirs in ((roc_points(got), skm.roc_curve(onehot.ravel(), scores.ravel(),
                                                         sample_weight=cell_w)),
                         (pr_points(got), skm.precision_recall_curve(
                             onehot.ravel(), scores.ravel(), sample_weight=cell_w))):
        for a, b in zip(ours, theirs):
            np.testing.assert_allclose(a, b, rtol=RTOL, atol=1e-15)


def test_long_curves_cross_the_temporary_blocks_unchanged(monkeypatch):
    # roc_points works in blocks; a block boundary must not change which points are kept
    import workbench.evaluation._curves as curves

    y, s, _ = _data(5000, seed=4, ties=True)
    r = rank_scores(y, s)
    whole = roc_points(r)
    monkeypatch.setattr(curves, "_BLOCK", 7)
    for a, b in zip(roc_points(r), whole):
        np.testing.assert_array_equal(a, b)
    for a, b in zip(roc_points(r), skm.roc_curve(y, s)):
        np.testing.assert_allclose(a, b, rtol=RTOL, atol=1e-15)


@pytest.mark.parametrize("case", CASES[:4])
def test_ranking_counts_equal_confusion_matrix_at_thresholds(case):
    y, s, w = _data(**case)
    r = rank_scores(y, s, w)
    tns, fps, fns, tps, thr = skm.confusion_matrix_at_thresholds(y, s, sample_weight=w)
    np.testing.assert_array_equal(r.thresholds, thr)
    np.testing.assert_allclose(r.tps, tps, rtol=RTOL)
    np.testing.assert_allclose(r.fps, fps, rtol=RTOL)
    table = threshold_table_from_ranking(r, max_rows=10**6)
    np.testing.assert_allclose(table.tn, tns, rtol=RTOL, atol=1e-12)
    np.testing.assert_allclose(table.fn, fns, rtol=RTOL, atol=1e-12)


@pytest.mark.parametrize("weighted", [False, True])
def test_large_curves_are_decimated_with_exact_auc_and_endpoints(weighted):
    y, s, w = _data(60_000, seed=2, weighted=weighted)
    out = evaluate_classifier(y.astype(int), (s > 0.5).astype(int), s, labels=[0, 1],
                              sample_weight=w)
    curves = {c.kind: c for c in out.curves}
    fpr, tpr, thr = skm.roc_curve(y, s, sample_weight=w)
    roc = curves["roc"]
    assert len(roc.fpr) <= MAX_POINTS < len(fpr)
    assert roc.auc == pytest.approx(skm.roc_auc_score(y, s, sample_weight=w), rel=RTOL)
    np.testing.assert_allclose([roc.fpr[0], roc.tpr[0], roc.fpr[-1], roc.tpr[-1]],
                               [fpr[0], tpr[0], fpr[-1], tpr[-1]], rtol=RTOL)
    assert (roc.thresholds[0], roc.thresholds[-1]) == (thr[0], thr[-1])
    # kept points are points of the full curve, in order
    pos = np.searchsorted(-thr, -roc.thresholds)
    np.testing.assert_array_equal(thr[pos], roc.thresholds)
    np.testing.assert_allclose(fpr[pos], roc.fpr, rtol=RTOL)
    np.testing.assert_allclose(tpr[pos], roc.tpr, rtol=RTOL)
    # the decimated polyline stays close to the exact area
    assert abs(np.trapezoid(roc.tpr, roc.fpr) - roc.auc) < 2e-3

    precision, recall, pthr = skm.precision_recall_curve(y, s, sample_weight=w)
    pr = curves["precision_recall"]
    assert len(pr.precision) <= MAX_POINTS and len(pr.thresholds) <= MAX_POINTS
    assert pr.average_precision == pytest.approx(
        skm.average_precision_score(y, s, sample_weight=w), rel=RTOL)
    np.testing.assert_allclose([pr.precision[0], pr.recall[0]], [precision[0], recall[0]],
                               rtol=RTOL)
    assert (pr.precision[-1], pr.recall[-1]) == (1.0, 0.0)
    assert pr.thresholds[0] == pthr[0]

    det_fpr, det_fnr, _ = skm.det_curve(y, s, sample_weight=w)
    det = curves["det"]
    assert len(det.fpr) <= MAX_POINTS
    np.testing.assert_allclose([det.fpr[0], det.fnr[0], det.fpr[-1], det.fnr[-1]],
                               [det_fpr[0], det_fnr[0], det_fpr[-1], det_fnr[-1]], rtol=RTOL)

    gains, lift = curves["gains"], curves["lift"]
    assert len(gains.fraction) <= MAX_POINTS and len(lift.fraction) <= MAX_POINTS
    assert (gains.fraction[0], gains.gain[0], gains.fraction[-1], gains.gain[-1]) == (
        0.0, 0.0, 1.0, 1.0)
    assert lift.fraction[-1] == 1.0 and lift.lift[-1] == 1.0
    for c in out.curves:
        assert c.label == "1"


def test_lift_and_gains_values_on_a_small_example_with_ties():
    y = np.array([1, 0, 1, 1, 0, 0, 0, 1])
    s = np.array([0.9, 0.9, 0.8, 0.7, 0.7, 0.3, 0.2, 0.1])
    out = evaluate_classifier(y, (s > 0.5).astype(int), s, labels=[0, 1])
    curves = {c.kind: c for c in out.curves}
    # thresholds 0.9 (2 rows, 1 pos), 0.8 (3, 2), 0.7 (5, 3), 0.3 (6, 3), 0.2 (7, 3), 0.1
    np.testing.assert_allclose(curves["gains"].fraction,
                               [0, 2 / 8, 3 / 8, 5 / 8, 6 / 8, 7 / 8, 1])
    np.testing.assert_allclose(curves["gains"].gain, [0, 1 / 4, 2 / 4, 3 / 4, 3 / 4, 3 / 4, 1])
    np.testing.assert_allclose(curves["lift"].lift,
                               np.array([1 / 4, 2 / 4, 3 / 4, 3 / 4, 3 / 4, 1])
                               / np.array([2 / 8, 3 / 8, 5 / 8, 6 / 8, 7 / 8, 1]))
    assert out.metrics["ks_statistic"] == pytest.approx(
        np.max([1 / 4 - 1 / 4, 2 / 4 - 1 / 4, 3 / 4 - 2 / 4, 3 / 4 - 3 / 4, 0, 0]))


def test_weighted_lift_uses_weighted_fractions():
    y = np.array([1, 0, 1, 0])
    s = np.array([0.9, 0.6, 0.4, 0.1])
    w = np.array([1.0, 3.0, 1.0, 3.0])
    out = evaluate_classifier(y, y, s, labels=[0, 1], sample_weight=w)
    gains = next(c for c in out.curves if c.kind == "gains")
    np.testing.assert_allclose(gains.fraction, [0, 1 / 8, 4 / 8, 5 / 8, 1])
    np.testing.assert_allclose(gains.gain, [0, 0.5, 0.5, 1, 1])


def test_det_curve_keeps_detail_in_both_tails():
    rng = np.random.default_rng(6)
    y = rng.random(200_000) < 0.3
    s = 0.8 * y + rng.normal(0, 1, 200_000)  # decision-function scores, no ties
    out = evaluate_classifier(y.astype(int), (s > 0).astype(int), s, labels=[0, 1])
    det = next(c for c in out.curves if c.kind == "det")
    assert len(det.fpr) <= MAX_POINTS
    # normal-deviate axes stretch the tails: points are kept there (decimating on linear
    # axes keeps fewer than ten below 1e-3)
    assert np.sum(det.fpr < 1e-3) >= 50 and np.sum(det.fnr < 1e-3) >= 50
