"""The calibration curve and Brier score: bins checked, blocks of rows equal to the whole."""

import numpy as np
import pytest
from sklearn import metrics as skm

import workbench.evaluation._calibration as calibration_mod
from workbench import WorkbenchException
from workbench.evaluation._calibration import calibration_curve
from workbench.evaluation._classification import evaluate_classifier

RTOL = 1e-12


def _data(n, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.random(n) < 0.3
    s = np.clip(0.25 * y + rng.normal(0.4, 0.2, n), 0, 1)
    return y, s


def test_calibration_rejects_bad_bins():
    with pytest.raises(WorkbenchException, match="calibration_n_bins must be a positive"):
        calibration_curve(np.array([True]), np.array([0.5]), n_bins=0)
    with pytest.raises(WorkbenchException, match="calibration_n_bins must be a positive"):
        evaluate_classifier([0, 1], [0, 1], [0.2, 0.7], labels=[0, 1], calibration_n_bins=2.5)


def test_calibration_blocks_equal_the_whole(monkeypatch):
    y, s = _data(3000, seed=5)
    w = np.random.default_rng(5).random(3000)
    whole = calibration_curve(y, s, n_bins=7, sample_weight=w)
    monkeypatch.setattr(calibration_mod, "_ROWS", 37)
    blocked = calibration_curve(y, s, n_bins=7, sample_weight=w)
    np.testing.assert_array_equal(blocked.counts, whole.counts)
    np.testing.assert_allclose(blocked.prob_pred, whole.prob_pred, rtol=RTOL)
    np.testing.assert_allclose(blocked.prob_true, whole.prob_true, rtol=RTOL)
    assert blocked.brier_score == pytest.approx(
        skm.brier_score_loss(y, s, sample_weight=w), rel=RTOL)
    assert whole.brier_score == pytest.approx(skm.brier_score_loss(y, s, sample_weight=w),
                                              rel=RTOL)
