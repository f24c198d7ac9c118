"""Linear SHAP in numpy equals shap.LinearExplainer's numbers; bad coefficients are refused."""

from __future__ import annotations

import numpy as np
import pytest
import shap
from sklearn.linear_model import LogisticRegression, Ridge

from workbench.evaluation._linear_shap import _linear_coefficients, _linear_values


@pytest.fixture(scope="module")
def xy():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(120, 4))
    return X, X @ [1.0, -2.0, 0.5, 0.0] + rng.normal(size=120), np.digitize(X[:, 0], [-0.4, 0.4])


def test_values_are_coef_times_deviation_from_background_mean(xy):
    X, y, _ = xy
    model = Ridge().fit(X, y)
    values, expected = _linear_values(model, X, X[:50])
    np.testing.assert_allclose(values, model.coef_ * (X - X[:50].mean(axis=0)))
    np.testing.assert_allclose(expected, model.predict(X[:50].mean(axis=0)[None])[0])
    ref = shap.LinearExplainer(model, shap.maskers.Independent(X[:50], max_samples=50))
    np.testing.assert_array_equal(values, ref.shap_values(X))
    np.testing.assert_allclose(expected, ref.expected_value)


def test_multiclass_values_have_one_column_per_class(xy):
    X, _, y3 = xy
    model = LogisticRegression(max_iter=500).fit(X, y3)
    values, expected = _linear_values(model, X, X)
    assert values.shape == (120, 4, 3) and expected.shape == (3,)
    np.testing.assert_allclose(values.sum(axis=1) + expected, model.decision_function(X), atol=1e-10)


def test_non_numeric_or_mismatched_coefficients_raise():
    class Bad:
        coef_, intercept_ = np.array(["a", "b"]), 0.0

    with pytest.raises(ValueError, match="is not a linear model's"):
        _linear_coefficients(Bad())

    class Short:
        coef_, intercept_ = np.array([[1.0, 2.0]]), np.array([0.5])

    assert _linear_coefficients(Short())[1] == 0.5
    with pytest.raises(ValueError, match="coef_ has 2 columns but the data has 3 features"):
        _linear_values(Short(), np.zeros((4, 3)), np.zeros((2, 3)))
