"""Model-agnostic SHAP: which scores are explained, readable refusals, values on a predict function."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.linear_model import LinearRegression
from sklearn.neighbors import KNeighborsClassifier

from workbench.evaluation._agnostic_shap import _explain_agnostic, _score_function


def _frame(n=60):
    rng = np.random.default_rng(4)
    return pd.DataFrame({"a": rng.normal(size=n), "b": rng.integers(0, 5, n), "c": rng.random(n) > 0.5})


def test_classifier_scores_are_the_chosen_probability_column_on_original_dtypes():
    X = _frame()
    y = (X["a"] > 0).astype(int)
    model = KNeighborsClassifier(3).fit(X, y)
    fn, reason = _score_function(model, None, "classifier", X, pos_index=0)
    assert reason is None and fn.is_proba and fn.column == 0
    assert fn.dtypes["b"] == X["b"].dtype and fn.dtypes["c"] == bool
    np.testing.assert_allclose(fn(X.to_numpy(dtype=float)), model.predict_proba(X)[:, 0])


def test_refusals_say_what_arrived():
    X = _frame(10)
    fn, reason = _score_function(object(), None, "regressor", X)
    assert fn is None and reason == "the model (object) has no predict function to explain"
    _, reason = _score_function(None, lambda d: np.array(["x"] * len(d)), "regressor", X)
    assert reason.startswith("SHAP needs numeric model outputs") and "ValueError" in reason
    _, reason = _score_function(None, lambda d: np.zeros((len(d), 3)), "regressor", X)
    assert reason == "SHAP explains one regression output; the model gives 3"
    _, reason = _score_function(None, lambda d: np.zeros((len(d), 2, 2)), "regressor", X)
    assert reason == "SHAP needs outputs of shape (n,) or (n, k); got shape (5, 2, 2)"


def test_permutation_on_a_linear_predict_function_is_exact():
    X = _frame()
    model = LinearRegression().fit(X, 3 * X["a"] - X["b"])
    fn, _ = _score_function(model, None, "regressor", X)
    values_num = X.to_numpy(dtype=np.float64)
    bg = np.arange(0, 60, 3)
    values, base, used_background = _explain_agnostic(
        None, "permutation", fn, values_num, bg, "identity", 0, False
    )
    expected = model.coef_ * (values_num - values_num[bg].mean(axis=0))
    np.testing.assert_allclose(values, expected, atol=1e-9)
    np.testing.assert_allclose(base, model.predict(X.iloc[bg]).mean())
    assert used_background is True and fn.is_proba is False
