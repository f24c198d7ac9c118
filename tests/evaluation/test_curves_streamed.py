"""Curves made a block at a time equal the curves made from whole arrays.

The unweighted rankings (``SortedCells``, ``CountRanking``) are never held as whole arrays and every curve is decimated over passes of blocks; these tests pin that the
points, thresholds and areas are those of the whole-array computation (scikit-learn's
points before decimation), with blocks small enough that runs of tied scores, the ROC
curve's dropped points and the decimation's candidates all cross block edges.
"""

import tracemalloc

import numpy as np
import pytest
from sklearn import metrics as skm

import workbench.evaluation._curves as curves
import workbench.evaluation._ranking as ranking_mod
from workbench.evaluation._classification import evaluate_classifier
from workbench.evaluation._curves import (
    det_curve_from_ranking,
    det_points,
    ks_statistic,
    lift_and_gains_from_ranking,
    pr_curve_from_ranking,
    pr_points,
    rank_scores,
    roc_curve_from_ranking,
    roc_points,
    sorted_scores,
)
from workbench.evaluation._decimate import decimate_blocks, decimate_indices, take_blocks
from workbench.evaluation._tables import threshold_table_from_ranking

RTOL = 1e-12


def _data(n, seed=0, decimals=None):
    rng = np.random.default_rng(seed)
    y = rng.random(n) < 0.3
    s = np.clip(0.25 * y + rng.normal(0.4, 0.2, n), 0, 1)
    if decimals is not None:
        s = np.round(s, decimals)  # runs of tied scores, many longer than a small block
    return y, s


def _sources(y, s):
    cells = sorted_scores(y, s)
    return {"cells": cells, "counts": cells.compact(), "arrays": rank_scores(y, s)}


@pytest.mark.parametrize("decimals", [None, 3])
def test_streamed_curves_equal_the_whole_array_curves(monkeypatch, decimals):
    # 30,000 rows: every curve is longer than the decimation's 4,000 candidates, so the
    # candidate pass runs over blocks; 997 points a block puts edges inside runs of ties
    y, s = _data(30_000, seed=3, decimals=decimals)
    ranking = rank_scores(y, s)
    fpr, tpr, thr = roc_points(ranking)
    keep = decimate_indices(fpr, tpr)
    precision, recall, pthr = pr_points(ranking)
    pkeep = decimate_indices(recall, precision)
    monkeypatch.setattr(curves, "_BLOCK", 997)
    monkeypatch.setattr(ranking_mod, "_BLOCK", 997)
    monkeypatch.setattr(curves, "_WHOLE", 0)  # the PR curve of a held ranking streams too
    for name, src in _sources(y, s).items():
        roc = roc_curve_from_ranking(src, label="1")
        np.testing.assert_array_equal(roc.fpr, fpr[keep], err_msg=name)
        np.testing.assert_array_equal(roc.tpr, tpr[keep], err_msg=name)
        np.testing.assert_array_equal(roc.thresholds, thr[keep], err_msg=name)
        assert roc.auc == pytest.approx(skm.roc_auc_score(y, s), rel=RTOL)
        assert roc.n_total == 30_000

        pr = pr_curve_from_ranking(src, label="1")
        np.testing.assert_array_equal(pr.precision, precision[pkeep], err_msg=name)
        np.testing.assert_array_equal(pr.recall, recall[pkeep], err_msg=name)
        np.testing.assert_array_equal(pr.thresholds, pthr[pkeep[:-1]], err_msg=name)
        assert pr.average_precision == pytest.approx(skm.average_precision_score(y, s),
                                                     rel=RTOL)

        dfpr, dfnr, dthr = det_points(ranking)
        n = ranking.n_total
        dkeep = decimate_indices(curves._log_odds(dfpr, n), curves._log_odds(dfnr, n))
        det = det_curve_from_ranking(src, label="1")
        np.testing.assert_array_equal(det.fpr, dfpr[dkeep], err_msg=name)
        np.testing.assert_array_equal(det.fnr, dfnr[dkeep], err_msg=name)
        np.testing.assert_array_equal(det.thresholds, dthr[dkeep], err_msg=name)

        fraction = (ranking.tps + ranking.fps) / (ranking.n_pos + ranking.n_neg)
        gain = ranking.tps / ranking.n_pos
        lift_curve, gains_curve = lift_and_gains_from_ranking(src, label="1")
        lkeep = decimate_indices(fraction, gain / fraction)
        np.testing.assert_array_equal(lift_curve.fraction, fraction[lkeep], err_msg=name)
        np.testing.assert_array_equal(lift_curve.lift, (gain / fraction)[lkeep], err_msg=name)
        gx, gy = np.concatenate(([0.0], fraction)), np.concatenate(([0.0], gain))
        gkeep = decimate_indices(gx, gy)
        np.testing.assert_array_equal(gains_curve.fraction, gx[gkeep], err_msg=name)
        np.testing.assert_array_equal(gains_curve.gain, gy[gkeep], err_msg=name)

        assert ks_statistic(src) == np.max(tpr - fpr)
        whole = threshold_table_from_ranking(ranking)
        assert threshold_table_from_ranking(src) == whole, name


def test_roc_points_dropped_across_block_edges(monkeypatch):
    # drop_intermediate judges each point by both neighbours: with one or two points a
    # block, every neighbour sits in another block
    y, s = _data(300, seed=8, decimals=2)
    ranking = rank_scores(y, s)
    expected = roc_points(ranking)
    for block in (1, 2, 3):
        monkeypatch.setattr(ranking_mod, "_BLOCK", block)
        for src in _sources(y, s).values():
            parts = list(curves._roc_blocks(src)())
            for got, want in zip((np.concatenate(f) for f in zip(*parts)), expected):
                np.testing.assert_array_equal(got, want)


def test_weighted_rankings_stream_from_their_arrays(monkeypatch):
    rng = np.random.default_rng(4)
    y, s = _data(5000, seed=4, decimals=2)
    w = rng.random(5000) * 3
    monkeypatch.setattr(ranking_mod, "_BLOCK", 13)
    out = evaluate_classifier(y.astype(int), (s > 0.5).astype(int), s, labels=[0, 1],
                              sample_weight=w)
    assert out.metrics["roc_auc"] == pytest.approx(skm.roc_auc_score(y, s, sample_weight=w),
                                                   rel=RTOL)
    assert out.metrics["precision_recall_auc"] == pytest.approx(
        skm.average_precision_score(y, s, sample_weight=w), rel=RTOL)
    fpr, tpr, thr = skm.roc_curve(y, s, sample_weight=w)
    roc = next(c for c in out.curves if c.kind == "roc")
    pos = np.searchsorted(-thr, -roc.thresholds)
    np.testing.assert_array_equal(thr[pos], roc.thresholds)
    np.testing.assert_allclose(fpr[pos], roc.fpr, rtol=RTOL)


@pytest.mark.parametrize("bounds", [None, "true", (0.0, 1.0, 0.0, 1.0), (0.0, 2.0, -1.0, 1.0)])
@pytest.mark.parametrize("block", [3, 29, 5000])
def test_decimate_blocks_keeps_the_points_of_decimate_indices(bounds, block):
    rng = np.random.default_rng(block)
    n = 9000
    x = np.sort(rng.random(n))
    y = np.cumsum(rng.random(n) < 0.3) / n  # a staircase, with long flat runs
    z = np.arange(n)
    if bounds == "true":
        bounds = (x.min(), x.max(), y.min(), y.max())

    def parts():
        return ((x[i : i + block], y[i : i + block], z[i : i + block])
                for i in range(0, n, block))

    for max_points in (2, 3, 100, 1000, 5000):
        keep = decimate_indices(x, y, max_points)
        got = decimate_blocks(parts, max_points, bounds=bounds)
        np.testing.assert_array_equal(got[2], keep)
        np.testing.assert_array_equal(got[0], x[keep])


def test_decimate_blocks_observes_every_point_and_takes_picks():
    x = np.linspace(0, 1, 10_000)
    seen = []
    parts = lambda: ((x[i : i + 300], x[i : i + 300] ** 2) for i in range(0, 10_000, 300))
    decimate_blocks(parts, 50, observe=lambda part: seen.append(part[0].shape[0]))
    assert sum(seen) == 10_000
    np.testing.assert_array_equal(take_blocks(parts, np.array([0, 299, 300, 9999]))[1],
                                  x[[0, 299, 300, 9999]] ** 2)


def _traced_peak(fn):
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        fn()
        return tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()


def test_multiclass_curves_stay_within_the_scores_size():
    # 60,000 rows x 10 classes: 4.8 MB of scores, 600,000 cells in the micro average.
    # Held whole, the micro ranking alone was four arrays of 600,000 numbers (19 MB):
    # 8.1 times the scores at the peak; now the one sorted copy of the scores dominates
    rng = np.random.default_rng(9)
    scores = rng.dirichlet(np.ones(10), size=60_000)
    y = rng.integers(0, 10, 60_000)
    pred = scores.argmax(axis=1)
    peak = _traced_peak(lambda: evaluate_classifier(y, pred, scores,
                                                    labels=list(range(10))))
    assert peak < 2 * scores.nbytes, peak / scores.nbytes  # was 8.1 times


def test_binary_curves_stay_within_the_scores_size():
    # 400,000 rows (3.2 MB of scores): the int64 codes, the whole ranking and the curves'
    # whole-array temporaries made 17 times the scores; now the codes are bytes, the
    # ranking int32 counts and every curve is made a block at a time
    y, s = _data(400_000, seed=10)
    peak = _traced_peak(lambda: evaluate_classifier(y.astype(int), (s > 0.5).astype(int), s,
                                                    labels=[0, 1]))
    assert peak < 6.5 * s.nbytes, peak / s.nbytes  # was 17 times
