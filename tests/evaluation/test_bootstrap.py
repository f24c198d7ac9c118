"""The paired stratified bootstrap against scikit-learn on the same resamples."""

import numpy as np
import pytest
from sklearn import metrics as skm

from workbench._exceptions import WorkbenchException
from workbench.evaluation import _bootstrap
from workbench.evaluation._bootstrap import (
    BOOTSTRAP_METRICS,
    bootstrap_metrics,
    percentile_interval,
    resample_indices,
)
from workbench.evaluation._rows import RowData

N = 400
R = 12


def _binary(seed=0, weights=False, ties=True):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, N)
    s = np.clip(0.35 * y + 0.65 * rng.random(N), 0, 1)
    if ties:
        s = np.round(s, 2)  # many tied scores
    p = (s > 0.5).astype(int)
    p[:7] = 1 - p[:7]  # predictions that are not a threshold of the score
    w = rng.random(N) * 2 if weights else None
    return y, p, s.astype(np.float32), w


def _binary_reference(y, p, s, w, idx, weights_as_counts=False):
    s = s.astype(np.float64)
    if weights_as_counts:  # the whole data weighted by the resample's counts
        counts = np.bincount(idx, minlength=len(y)).astype(float)
        ww = counts if w is None else counts * w
        y_, p_, s_ = y, p, s
    else:  # the materialised resample
        ww = None if w is None else w[idx]
        y_, p_, s_ = y[idx], p[idx], s[idx]
    return {
        "accuracy_score": skm.accuracy_score(y_, p_, sample_weight=ww),
        "precision_score": skm.precision_score(y_, p_, sample_weight=ww, zero_division=0),
        "recall_score": skm.recall_score(y_, p_, sample_weight=ww, zero_division=0),
        "f1_score": skm.f1_score(y_, p_, sample_weight=ww, zero_division=0),
        "roc_auc": skm.roc_auc_score(y_, s_, sample_weight=ww),
        "precision_recall_auc": skm.average_precision_score(y_, s_, sample_weight=ww),
        "log_loss": skm.log_loss(y_, s_, sample_weight=ww),
    }


@pytest.mark.parametrize("weights", [False, True])
@pytest.mark.parametrize("ties", [False, True])
def test_binary_metrics_equal_sklearn_on_each_resample(weights, ties):
    y, p, s, w = _binary(weights=weights, ties=ties)
    rows = RowData.for_classifier(y, p, labels=[0, 1], scores=s, sample_weight=w)
    out = bootstrap_metrics([rows], [BOOTSTRAP_METRICS["binary"]], n_resamples=R, seed=5)[0]
    assert sorted(out) == sorted(BOOTSTRAP_METRICS["binary"])
    for i, idx in enumerate(resample_indices(N, R, strata=rows.y_true, seed=5)):
        for as_counts in (False, True):
            ref = _binary_reference(y, p, s, w, idx, weights_as_counts=as_counts)
            for name, value in ref.items():
                assert out[name][i] == pytest.approx(value, abs=1e-12, rel=0), (name, i)


def test_negative_class_as_positive_label():
    y, p, s, _ = _binary()
    # pos_label=0: the positive score is the probability of class 0
    rows = RowData.for_classifier(y, p, labels=[0, 1], pos_label=0,
                                  scores=np.column_stack([1 - s, s]))
    out = bootstrap_metrics([rows], [["roc_auc", "precision_score"]], n_resamples=3, seed=1)[0]
    for i, idx in enumerate(resample_indices(N, 3, strata=rows.y_true, seed=1)):
        pos = rows.scores.astype(np.float64)[idx]
        assert out["roc_auc"][i] == pytest.approx(
            skm.roc_auc_score(y[idx] == 0, pos), abs=1e-12)
        assert out["precision_score"][i] == pytest.approx(
            skm.precision_score(y[idx], p[idx], pos_label=0), abs=1e-12)


@pytest.mark.parametrize("average", ["weighted", "macro", "micro"])
@pytest.mark.parametrize("weights", [False, True])
def test_multiclass_metrics_equal_sklearn(average, weights):
    rng = np.random.default_rng(3)
    y = rng.integers(0, 4, N)
    p = np.where(rng.random(N) < 0.6, y, rng.integers(0, 5, N))  # label 4: predictions only
    p[p == 4] = 3 if average == "weighted" else 4
    labels = [0, 1, 2, 3, 4]
    w = rng.random(N) if weights else None
    rows = RowData.for_classifier(y, p, labels=labels, average=average, sample_weight=w)
    out = bootstrap_metrics([rows], [BOOTSTRAP_METRICS["multiclass"]], n_resamples=R,
                            seed=2)[0]
    for i, idx in enumerate(resample_indices(N, R, strata=rows.y_true, seed=2)):
        ww = None if w is None else w[idx]
        assert out["accuracy_score"][i] == pytest.approx(
            skm.accuracy_score(y[idx], p[idx], sample_weight=ww), abs=1e-12)
        for name, fn in (("precision_score", skm.precision_score),
                         ("recall_score", skm.recall_score), ("f1_score", skm.f1_score)):
            ref = fn(y[idx], p[idx], average=average, sample_weight=ww, zero_division=0)
            assert out[name][i] == pytest.approx(ref, abs=1e-12), (name, i)


@pytest.mark.parametrize("weights", [False, True])
def test_regressor_metrics_equal_sklearn(weights):
    rng = np.random.default_rng(4)
    y = rng.normal(size=N)
    yp = y + rng.normal(scale=0.5, size=N)
    w = rng.random(N) if weights else None
    rows = RowData.for_regressor(y, yp, sample_weight=w)
    out = bootstrap_metrics([rows], [BOOTSTRAP_METRICS["regressor"]], n_resamples=R, seed=9)[0]
    for i, idx in enumerate(resample_indices(N, R, seed=9)):
        ww = None if w is None else w[idx]
        for name, fn in (("mean_absolute_error", skm.mean_absolute_error),
                         ("mean_squared_error", skm.mean_squared_error),
                         ("root_mean_squared_error", skm.root_mean_squared_error),
                         ("r2_score", skm.r2_score)):
            assert out[name][i] == pytest.approx(fn(y[idx], yp[idx], sample_weight=ww),
                                                 abs=1e-12), (name, i)


def test_regressor_r2_edge_cases():
    rows = RowData.for_regressor([2.0, 2.0, 2.0], [2.0, 2.0, 2.0])  # perfect: 1.0
    assert bootstrap_metrics([rows], [["r2_score"]], n_resamples=4)[0]["r2_score"].tolist() == [1.0] * 4
    rows = RowData.for_regressor([2.0, 2.0, 2.0], [1.0, 2.0, 3.0])  # constant target: 0.0
    assert bootstrap_metrics([rows], [["r2_score"]], n_resamples=4)[0]["r2_score"].tolist() == [0.0] * 4


def test_stratified_resamples_keep_class_counts():
    y = np.repeat([0, 1, 2], [50, 30, 5])
    np.random.default_rng(0).shuffle(y)
    seen = set()
    for idx in resample_indices(len(y), 20, strata=y, seed=0):
        assert np.bincount(y[idx], minlength=3).tolist() == [50, 30, 5]
        seen.add(tuple(np.sort(idx[y[idx] == 2])))
    assert len(seen) > 10  # the rare class is resampled too, not copied
    plain = [np.bincount(y[idx], minlength=3)[2] for idx in resample_indices(len(y), 50, seed=0)]
    assert len(set(plain)) > 1  # without strata the class counts vary


def test_same_seed_same_resamples_and_blocks(monkeypatch):
    y, p, s, _ = _binary()
    rows = RowData.for_classifier(y, p, labels=[0, 1], scores=s)
    a = bootstrap_metrics([rows], [["roc_auc"]], n_resamples=30, seed=7)[0]["roc_auc"]
    b = bootstrap_metrics([rows], [["roc_auc"]], n_resamples=30, seed=7)[0]["roc_auc"]
    c = bootstrap_metrics([rows], [["roc_auc"]], n_resamples=30, seed=8)[0]["roc_auc"]
    assert np.array_equal(a, b) and not np.array_equal(a, c)
    # many small blocks: the engine still computes exactly the resamples it reports
    monkeypatch.setattr(_bootstrap, "BLOCK_ELEMENTS", 3 * N)
    out = bootstrap_metrics([rows], [["roc_auc"]], n_resamples=10, seed=7)[0]["roc_auc"]
    ref = [skm.roc_auc_score(y[idx], s.astype(float)[idx])
           for idx in resample_indices(N, 10, strata=rows.y_true, seed=7)]
    np.testing.assert_allclose(out, ref, rtol=0, atol=1e-12)


def test_pairing_uses_the_same_resamples_for_every_model():
    y, p, s, _ = _binary()
    _, p2, s2, _ = _binary(seed=1)
    a = RowData.for_classifier(y, p, labels=[0, 1], scores=s)
    b = RowData.for_classifier(y, p2, labels=[0, 1], scores=s2)
    both = bootstrap_metrics([a, b], [["roc_auc"], ["roc_auc", "log_loss"]], n_resamples=R,
                             seed=3)
    alone = bootstrap_metrics([b], [["roc_auc"]], n_resamples=R, seed=3)[0]
    assert "log_loss" not in both[0] and "log_loss" in both[1]
    np.testing.assert_array_equal(both[1]["roc_auc"], alone["roc_auc"])


def test_percentile_interval_and_confidence_interval_of_a_delta():
    assert percentile_interval(np.array([np.nan, np.nan]), 0.95) is None
    values = np.random.default_rng(0).normal(size=500)
    assert percentile_interval(values, 0.9) == tuple(np.percentile(values, [5, 95]))
    # the slow reference: a loop with scikit-learn on the same resamples
    y, p, s, _ = _binary()
    _, p2, s2, _ = _binary(seed=2)
    a = RowData.for_classifier(y, p, labels=[0, 1], scores=s)
    b = RowData.for_classifier(y, p2, labels=[0, 1], scores=s2)
    out = bootstrap_metrics([a, b], [["precision_recall_auc"]] * 2, n_resamples=100, seed=11)
    deltas = [skm.average_precision_score(y[i], s2.astype(float)[i])
              - skm.average_precision_score(y[i], s.astype(float)[i])
              for i in resample_indices(N, 100, strata=a.y_true, seed=11)]
    ref = np.percentile(deltas, [2.5, 97.5])
    got = percentile_interval(out[1]["precision_recall_auc"] - out[0]["precision_recall_auc"], 0.95)
    np.testing.assert_allclose(got, ref, rtol=0, atol=1e-12)


@pytest.mark.parametrize("bad", [0, -1, 2.5, True, "10"])
def test_bad_n_resamples(bad):
    rows = RowData.for_regressor([1.0, 2.0], [1.0, 2.5])
    with pytest.raises(WorkbenchException, match="n_resamples must be a positive integer"):
        bootstrap_metrics([rows], [["r2_score"]], n_resamples=bad)
