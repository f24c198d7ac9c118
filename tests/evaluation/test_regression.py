"""evaluate_regressor against scikit-learn and MLflow 3.17.2's regressor helper (oracles)."""

import numpy as np
import pandas as pd
import pytest
from mlflow.models.evaluation.evaluators.regressor import _get_regressor_metrics
from sklearn import metrics as skm

from workbench import WorkbenchException
from workbench.evaluation._regression import REGRESSOR_METRICS, evaluate_regressor

RTOL = 1e-12


def _data(n=5000, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.normal(3, 2, n)
    return y, y + rng.normal(0, 0.7, n)


@pytest.mark.parametrize("weighted", [False, True])
def test_metrics_equal_sklearn(weighted):
    y, yh = _data()
    w = np.random.default_rng(1).random(len(y)) if weighted else None
    out = evaluate_regressor(y, yh, sample_weight=w)
    assert tuple(out.metrics) == REGRESSOR_METRICS
    expected = {
        "example_count": len(y),
        "mean_absolute_error": skm.mean_absolute_error(y, yh, sample_weight=w),
        "mean_squared_error": skm.mean_squared_error(y, yh, sample_weight=w),
        "root_mean_squared_error": skm.root_mean_squared_error(y, yh, sample_weight=w),
        "r2_score": skm.r2_score(y, yh, sample_weight=w),
        "max_error": skm.max_error(y, yh),
        "mean_absolute_percentage_error": skm.mean_absolute_percentage_error(
            y, yh, sample_weight=w),
    }
    for name, value in expected.items():
        assert out.metrics[name] == pytest.approx(value, rel=RTOL), name
    assert out.skipped == {}


@pytest.mark.parametrize("weighted", [False, True])
def test_metrics_equal_mlflow(weighted):
    y, yh = _data(seed=4)
    w = np.random.default_rng(2).random(len(y)) if weighted else None
    expected = _get_regressor_metrics(pd.Series(y), yh, w)
    out = evaluate_regressor(pd.Series(y), yh, sample_weight=w)
    assert list(out.metrics) == list(expected)
    for name, value in expected.items():
        assert out.metrics[name] == pytest.approx(float(value), rel=RTOL), name
    assert type(out.metrics["example_count"]) is int


def test_r2_edge_cases_follow_sklearn_force_finite():
    assert evaluate_regressor([2.0, 2.0], [2.0, 2.0]).metrics["r2_score"] == 1.0
    assert evaluate_regressor([2.0, 2.0], [2.0, 3.0]).metrics["r2_score"] == 0.0
    one = evaluate_regressor([1.0], [2.0])
    assert "r2_score" not in one.metrics and "fewer than two rows" in one.skipped["r2_score"]


def test_mape_with_zero_targets_uses_eps_like_sklearn():
    y, yh = np.array([0.0, 1.0, 2.0]), np.array([0.5, 1.0, 1.0])
    assert evaluate_regressor(y, yh).metrics["mean_absolute_percentage_error"] == \
        pytest.approx(skm.mean_absolute_percentage_error(y, yh), rel=RTOL)


@pytest.mark.parametrize("kwargs, message", [
    (dict(y_true=[1.0, 2.0], y_pred=[1.0]), "y_true has 2 rows but y_pred has 1"),
    (dict(y_true=[1.0, np.nan], y_pred=[1.0, 2.0]),
     "y_true (the targets) holds 1 missing or infinite value(s), first at row 1"),
    (dict(y_true=["a", "b"], y_pred=[1.0, 2.0]), "must be numbers for a regressor"),
    (dict(y_true=[1.0, 2.0], y_pred=[1.0, 2.0], sample_weight=[1.0]),
     "sample_weight has 1 values but there are 2 rows"),
    (dict(y_true=[], y_pred=[]), "There are no rows to evaluate"),
])
def test_bad_input(kwargs, message):
    with pytest.raises(WorkbenchException) as info:
        evaluate_regressor(**kwargs)
    assert message in str(info.value)
