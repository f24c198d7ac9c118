"""SHAP explanations: explainer choice, exact values, shapes, sampling, failures, round trip."""

from __future__ import annotations

import json
import sys

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import (
    GradientBoostingClassifier,
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
    RandomForestClassifier,
    RandomForestRegressor,
)
from sklearn.linear_model import LinearRegression, LogisticRegression, PoissonRegressor, Ridge
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import PolynomialFeatures, StandardScaler
from sklearn.tree import DecisionTreeClassifier

from workbench.evaluation._explain import (
    BACKGROUND_ROWS,
    SHAP_ARTIFACT_NAMES,
    Explanation,
    choose_explainer,
    explain,
)

import shap  # noqa: F401 - the explain extra is part of the test extras


@pytest.fixture(autouse=True)
def _one_thread():
    # OpenMP in HistGradientBoosting* stalls on a busy machine; one thread is fast and stable
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        yield


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(7)
    X = pd.DataFrame(rng.normal(size=(400, 5)), columns=[f"x{i}" for i in range(5)])
    X["flag"] = rng.random(400) > 0.5  # a boolean feature counts as numeric
    X["count"] = rng.integers(0, 9, 400)
    score = X["x0"] + 0.5 * X["x1"] * X["x2"] + X["flag"]
    y_bin = (score > score.median()).astype(int)
    y_multi = np.digitize(X["x0"], [-0.5, 0.5])
    y_reg = 3 * X["x0"] - 2 * X["x1"] + X["count"] + rng.normal(size=400)
    return X, y_bin, y_multi, y_reg


# -- explainer choice --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "model, kind",
    [
        (RandomForestRegressor(), "tree"),
        (HistGradientBoostingClassifier(), "tree"),
        (GradientBoostingClassifier(), "tree"),
        (DecisionTreeClassifier(), "tree"),
        (LinearRegression(), "permutation"),  # unfitted: no coef_ yet
        (KNeighborsClassifier(), "permutation"),
        (make_pipeline(PolynomialFeatures(), Ridge()), "permutation"),
    ],
)
def test_choice_by_model_class(model, kind):
    assert choose_explainer(model)[0] == kind


def test_choice_of_fitted_linear_models_and_pipelines(data):
    X, y_bin, _, y_reg = data
    assert choose_explainer(Ridge().fit(X, y_reg))[0] == "linear"
    assert choose_explainer(LogisticRegression(max_iter=500).fit(X, y_bin))[0] == "linear"
    # a log-link GLM's output is not linear in the features
    assert choose_explainer(PoissonRegressor().fit(X, y_reg - y_reg.min()))[0] == "permutation"
    kind, pre, final, notes = choose_explainer(
        make_pipeline(StandardScaler(), Ridge()).fit(X, y_reg), n_features=X.shape[1]
    )
    assert kind == "linear" and isinstance(final, Ridge) and pre is not None
    assert "StandardScaler" in notes[0]
    # an explicit algorithm is always honoured
    assert choose_explainer(Ridge().fit(X, y_reg), algorithm="exact")[0] == "exact"


def test_explain_reports_the_explainer_used(data):
    X, y_bin, y_multi, y_reg = data
    cases = [
        (HistGradientBoostingRegressor(max_iter=20).fit(X, y_reg), "regressor", "tree"),
        (RandomForestClassifier(10, random_state=0).fit(X, y_bin), "classifier", "tree"),
        (LogisticRegression(max_iter=500).fit(X, y_multi), "classifier", "linear"),
        (make_pipeline(StandardScaler(), Ridge()).fit(X, y_reg), "regressor", "linear"),
    ]
    for model, model_type, kind in cases:
        exp, reason = explain(model, X, model_type=model_type, nsamples=50)
        assert reason is None, reason
        assert exp.explainer == kind


# -- values ------------------------------------------------------------------------------------


def test_linear_regression_values_are_coef_times_deviation_from_background_mean(data):
    X, _, _, y_reg = data
    model = LinearRegression().fit(X, y_reg)
    exp, reason = explain(model, X, model_type="regressor", nsamples=150, seed=3)
    assert reason is None and exp.explainer == "linear"
    Xf = X.to_numpy(dtype=np.float64)
    background = Xf[exp.background_index]
    assert len(exp.background_index) == BACKGROUND_ROWS
    assert set(exp.background_index) <= set(exp.sample_index)
    mu = background.mean(axis=0)
    expected = model.coef_ * (Xf[exp.sample_index] - mu)
    np.testing.assert_allclose(exp.shap_values, expected.astype(np.float32), rtol=1e-6, atol=1e-6)
    assert float(exp.base_values) == pytest.approx(model.intercept_ + model.coef_ @ mu, abs=1e-9)
    np.testing.assert_allclose(exp.mean_abs_shap, np.abs(expected).mean(axis=0), rtol=1e-9)
    # additivity: base + sum == prediction
    pred = model.predict(X.iloc[exp.sample_index])
    np.testing.assert_allclose(exp.base_values + expected.sum(axis=1), pred, atol=1e-9)


def test_scaled_pipeline_values_equal_original_space_values(data):
    X, _, _, y_reg = data
    pipe = make_pipeline(StandardScaler(), LinearRegression()).fit(X, y_reg)
    exp, _ = explain(pipe, X, model_type="regressor", nsamples=100)
    Xf = X.to_numpy(dtype=np.float64)
    # the pipeline is linear in the original features with these coefficients
    scaler, lr = pipe[0], pipe[-1]
    coef = lr.coef_ / scaler.scale_
    mu = Xf[exp.background_index].mean(axis=0)
    expected = coef * (Xf[exp.sample_index] - mu)
    np.testing.assert_allclose(exp.shap_values, expected, rtol=1e-5, atol=1e-5)
    np.testing.assert_array_equal(exp.feature_values, Xf[exp.sample_index].astype(np.float32))


def _raw_output(model, X):
    if hasattr(model, "decision_function"):
        return model.decision_function(X)
    if hasattr(model, "predict_proba"):
        return model.predict_proba(X)[:, 1]
    return model.predict(X)


@pytest.mark.parametrize(
    "make, target",
    [
        (lambda: HistGradientBoostingClassifier(max_iter=30, random_state=0), "bin"),
        (lambda: GradientBoostingClassifier(n_estimators=20, random_state=0), "bin"),
        (lambda: RandomForestClassifier(15, random_state=0), "bin"),
        (lambda: HistGradientBoostingRegressor(max_iter=30, random_state=0), "reg"),
    ],
)
def test_tree_values_are_additive_in_raw_space(data, make, target):
    X, y_bin, _, y_reg = data
    y = y_bin if target == "bin" else y_reg
    model = make().fit(X, y)
    model_type = "classifier" if target == "bin" else "regressor"
    exp, reason = explain(model, X, model_type=model_type, nsamples=200, seed=1)
    assert reason is None and exp.explainer == "tree"
    raw = _raw_output(model, X.iloc[exp.sample_index])
    # float32 storage: sum the stored values in float64
    total = exp.base_values + exp.shap_values.astype(np.float64).sum(axis=1)
    np.testing.assert_allclose(total, raw, rtol=0, atol=1e-6 * max(1.0, np.abs(raw).max()))
    assert exp.positive_label == ("1" if target == "bin" else None)


def test_binary_positive_label_can_be_the_smaller_class(data):
    X, y_bin, _, _ = data
    model = LogisticRegression(max_iter=500).fit(X, y_bin)
    pos1, _ = explain(model, X, model_type="classifier", nsamples=50)
    pos0, _ = explain(model, X, model_type="classifier", nsamples=50, labels=[1, 0])
    assert pos1.positive_label == "1" and pos0.positive_label == "0"
    np.testing.assert_array_equal(pos0.shap_values, -pos1.shap_values)


# -- multiclass --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make",
    [
        lambda: HistGradientBoostingClassifier(max_iter=15, random_state=0),
        lambda: RandomForestClassifier(10, random_state=0),
        lambda: LogisticRegression(max_iter=500),
    ],
)
def test_multiclass_shapes(data, make):
    X, _, y_multi, _ = data
    model = make().fit(X, y_multi)
    exp, reason = explain(model, X, model_type="classifier", nsamples=60)
    assert reason is None
    k, p = 3, X.shape[1]
    assert exp.class_labels == ["0", "1", "2"] and exp.positive_label is None
    assert exp.shap_values.shape == (k, 60, p) and exp.shap_values.dtype == np.float32
    assert exp.mean_abs_shap.shape == (k, p)
    assert exp.base_values.shape == (k,)
    assert exp.feature_values.shape == (60, p)
    np.testing.assert_allclose(exp.overall_mean_abs_shap, exp.mean_abs_shap.sum(axis=0))
    imp = exp.importance()
    assert list(imp.columns) == ["mean_abs_shap"] + [f"mean_abs_shap[{c}]" for c in "012"]
    assert imp["mean_abs_shap"].is_monotonic_decreasing


# -- sampling ----------------------------------------------------------------------------------


def test_sampling_is_reported(data):
    X, _, _, y_reg = data
    model = Ridge().fit(X, y_reg)
    exp, _ = explain(model, X, model_type="regressor", nsamples=120)
    assert exp.sampled is True and exp.n_rows_total == len(X) and exp.n_sample == 120
    assert len(np.unique(exp.sample_index)) == 120
    full, _ = explain(model, X, model_type="regressor", nsamples=10_000)
    assert full.sampled is False and full.n_sample == len(X)
    np.testing.assert_array_equal(np.sort(full.sample_index), np.arange(len(X)))
    # the stored data is bounded by nsamples, not by the rows
    assert exp.shap_values.nbytes == 120 * X.shape[1] * 4


def test_sample_is_shaps_own_draw(data):
    import shap

    X, _, _, y_reg = data
    exp, _ = explain(Ridge().fit(X, y_reg), X, model_type="regressor", nsamples=90, seed=5)
    drawn = shap.sample(X.reset_index(drop=True), 90, random_state=5)
    np.testing.assert_array_equal(exp.sample_index, drawn.index.to_numpy())


# -- skipped, failures -------------------------------------------------------------------------


def test_non_numeric_features_skip_with_reason_naming_columns(data):
    X, _, _, y_reg = data
    model = Ridge().fit(X, y_reg)
    bad = X.assign(city="Oslo", grade=pd.Categorical(["a"] * len(X)))
    exp, reason = explain(model, bad, model_type="regressor")
    assert exp is None
    assert "city" in reason and "grade" in reason and "x0" not in reason


def test_injected_failure_returns_reason(data):
    X, _, _, _ = data

    class Broken:
        def predict(self, X):
            raise RuntimeError("boom from predict")

    exp, reason = explain(Broken(), X, model_type="regressor", nsamples=10)
    assert exp is None and "boom from predict" in reason


def test_failure_inside_explain_returns_reason(data, monkeypatch):
    import workbench.evaluation._explain as mod

    X, _, _, y_reg = data

    def explode(*args, **kwargs):
        raise MemoryError("no room")

    monkeypatch.setattr(mod, "_draw", explode)
    exp, reason = explain(Ridge().fit(X, y_reg), X, model_type="regressor", nsamples=10)
    assert exp is None and "MemoryError" in reason and "no room" in reason


def test_a_refusing_tree_explainer_falls_back_to_permutation(data, monkeypatch):
    import shap

    import workbench.evaluation._treeshap as treeshap

    X, _, _, y_reg = data

    def refuse(*args, **kwargs):
        raise TypeError("model type not supported")

    # a tree model the numpy TreeSHAP does not read goes to shap, and shap refuses it too
    monkeypatch.setattr(treeshap, "tree_shap_explainer", lambda model: None)
    monkeypatch.setattr(shap, "TreeExplainer", refuse)
    model = RandomForestRegressor(5, random_state=0).fit(X, y_reg)
    exp, reason = explain(model, X, model_type="regressor", nsamples=5)
    assert reason is None and exp.explainer == "permutation"
    assert "shap.TreeExplainer refused the model" in exp.notes[0]
    assert "model type not supported" in exp.notes[0]
    total = exp.base_values + exp.shap_values.astype(np.float64).sum(axis=1)
    np.testing.assert_allclose(total, model.predict(X.iloc[exp.sample_index]), atol=1e-5)


def test_scikit_learn_trees_are_explained_without_shap(data, monkeypatch):
    X, y_bin, _, _ = data
    calls = []
    monkeypatch.setattr(shap, "TreeExplainer", lambda *a, **k: calls.append(a))
    model = RandomForestClassifier(5, max_depth=4, random_state=0).fit(X, y_bin)
    exp, reason = explain(model, X, model_type="classifier", nsamples=50)
    assert reason is None and exp.explainer == "tree" and calls == []
    total = exp.base_values + exp.shap_values.astype(np.float64).sum(axis=1)
    np.testing.assert_allclose(total, model.predict_proba(X.iloc[exp.sample_index])[:, 1],
                               atol=1e-6)


def test_non_additive_interventional_falls_back_to_the_numpy_path_dependent_values(data):
    # shap 0.51's interventional TreeExplainer is not additive on binary HistGradientBoosting
    X, y_bin, _, _ = data
    model = HistGradientBoostingClassifier(max_iter=20, random_state=0).fit(X, y_bin)
    exp, reason = explain(model, X, model_type="classifier", nsamples=150,
                          tree_perturbation="interventional")
    assert reason is None and exp.explainer == "tree" and exp.background_index is None
    assert exp.notes == (
        "shap's interventional TreeExplainer was not additive for this model; "
        "used tree_path_dependent",
    )
    default, _ = explain(model, X, model_type="classifier", nsamples=150)
    np.testing.assert_array_equal(exp.shap_values, default.shap_values)
    np.testing.assert_array_equal(exp.base_values, default.base_values)


def test_tree_progress_bar_counts_trees(data, capsys):
    X, _, _, y_reg = data
    model = HistGradientBoostingRegressor(max_iter=40, random_state=0).fit(X, y_reg)
    exp, reason = explain(model, X, model_type="regressor", nsamples=50, progress=True)
    assert reason is None and exp.explainer == "tree"
    err = capsys.readouterr().err
    assert "SHAP (tree)" in err and "tree" in err.split("SHAP (tree)")[-1]
    quiet, _ = explain(model, X, model_type="regressor", nsamples=50, progress=False)
    assert capsys.readouterr().err == ""
    np.testing.assert_array_equal(quiet.shap_values, exp.shap_values)


def test_bad_arguments_return_reasons(data):
    X, _, _, y_reg = data
    model = Ridge().fit(X, y_reg)
    for kwargs, words in [
        ({"algorithm": "magic"}, ["magic", "exact", "kernel"]),
        ({"algorithm": "kernel", "kernel_link": "probit"}, ["probit", "logit"]),
        ({"nsamples": 0}, ["nsamples"]),
        ({"model_type": "question-answering"}, ["question-answering"]),
    ]:
        kwargs = {"model_type": "regressor", **kwargs}
        exp, reason = explain(model, X, **kwargs)
        assert exp is None
        assert all(w in reason for w in words), reason
    assert explain(None, X, model_type="regressor")[1].startswith("SHAP needs a model")
    assert "shape" in explain(model, X.iloc[:0], model_type="regressor")[1]


def test_missing_shap_returns_install_hint(data, monkeypatch):
    X, y_bin, y_multi, y_reg = data
    monkeypatch.setitem(sys.modules, "shap", None)
    # shap's TreeExplainer is needed for the interventional algorithm and for trees that the
    # numpy TreeSHAP does not read (here a multiclass GradientBoostingClassifier)
    tree = DecisionTreeClassifier(max_depth=3, random_state=0).fit(X, y_bin)
    exp, reason = explain(tree, X, model_type="classifier", tree_perturbation="interventional")
    assert exp is None
    assert reason == "shap is not installed: pip install 'workbench[explain]'"
    gbm = GradientBoostingClassifier(n_estimators=3, random_state=0).fit(X, y_multi)
    exp, reason = explain(gbm, X, model_type="classifier")
    assert exp is None and reason == "shap is not installed: pip install 'workbench[explain]'"
    exp, reason = explain(Ridge().fit(X, y_reg), X, model_type="regressor", algorithm="kernel")
    assert exp is None and reason == "shap is not installed: pip install 'workbench[explain]'"


def test_linear_permutation_and_tree_explainers_need_no_shap(data, monkeypatch):
    # importing shap costs about 140 MB of resident memory (numba, llvmlite, matplotlib): the
    # numpy explainers never import it
    X, y_bin, _, y_reg = data
    monkeypatch.setitem(sys.modules, "shap", None)
    tree = DecisionTreeClassifier(max_depth=3, random_state=0).fit(X, y_bin)
    exp, reason = explain(tree, X, model_type="classifier", nsamples=40)
    assert reason is None and exp.explainer == "tree" and exp.shap_values.shape == (40, 7)
    assert exp.model_output == "probability" and exp.positive_label == "1"
    model = Ridge().fit(X, y_reg)
    exp, reason = explain(model, X, model_type="regressor", nsamples=60)
    assert reason is None and exp.explainer == "linear" and exp.shap_values.shape == (60, 7)
    exp, reason = explain(model, X, model_type="regressor", nsamples=20, algorithm="permutation")
    assert reason is None and exp.explainer == "permutation" and exp.shap_values.shape == (20, 7)


@pytest.mark.parametrize(
    "make, y_index, model_type",
    [
        (lambda: Ridge(), 3, "regressor"),
        (lambda: LinearRegression(fit_intercept=False), 3, "regressor"),
        (lambda: LogisticRegression(max_iter=500), 1, "classifier"),
        (lambda: LogisticRegression(max_iter=500), 2, "classifier"),
    ],
)
def test_linear_values_equal_shap_linear_explainer_exactly(data, make, y_index, model_type):
    X, y = data[0], data[y_index]
    model = make().fit(X, y)
    exp, reason = explain(model, X, model_type=model_type, nsamples=120, seed=5)
    assert reason is None and exp.explainer == "linear"
    Xf = X.to_numpy(dtype=np.float64)
    background = Xf[exp.background_index]
    reference = shap.LinearExplainer(model, shap.maskers.Independent(background, max_samples=100))
    values = np.asarray(reference.shap_values(Xf[exp.sample_index]), dtype=np.float64)
    base = np.asarray(reference.expected_value, dtype=np.float64)
    if values.ndim == 3:  # one column per class -> (classes, rows, features)
        values, base = np.transpose(values, (2, 0, 1)), base.reshape(-1)
    np.testing.assert_array_equal(exp.shap_values, values.astype(np.float32))
    np.testing.assert_array_equal(np.asarray(exp.base_values, dtype=np.float64).reshape(-1),
                                  base.reshape(-1))


def test_model_agnostic_on_a_predict_function(data):
    X, _, _, y_reg = data
    model = Ridge().fit(X, y_reg)
    exp, reason = explain(
        None, X, model_type="regressor", predict_fn=model.predict, nsamples=8, seed=2
    )
    assert reason is None and exp.explainer == "permutation" and exp.model_output == "score"
    # a linear model's permutation SHAP values are exact: coef * (x - mean(background))
    Xf = X.to_numpy(dtype=np.float64)
    expected = model.coef_ * (Xf[exp.sample_index] - Xf[exp.background_index].mean(axis=0))
    np.testing.assert_allclose(exp.shap_values, expected, rtol=1e-5, atol=1e-5)
    # same seed, same numbers; the global numpy random state is left as it was
    np.random.seed(123)
    before = np.random.get_state()[1].copy()
    again, _ = explain(
        None, X, model_type="regressor", predict_fn=model.predict, nsamples=8, seed=2
    )
    np.testing.assert_array_equal(np.random.get_state()[1], before)
    assert again == exp


def test_model_agnostic_classifier_explains_positive_probability(data):
    X, y_bin, _, _ = data
    model = KNeighborsClassifier(5).fit(X, y_bin)
    exp, reason = explain(model, X, model_type="classifier", nsamples=4)
    assert reason is None and exp.explainer == "permutation"
    assert exp.model_output == "probability" and exp.positive_label == "1"
    proba = model.predict_proba(X.iloc[exp.sample_index])[:, 1]
    total = exp.base_values + exp.shap_values.astype(np.float64).sum(axis=1)
    np.testing.assert_allclose(total, proba, atol=1e-6)


# -- data object -------------------------------------------------------------------------------


def test_to_dict_from_dict_round_trip_through_json(data):
    X, _, y_multi, y_reg = data
    for model, model_type, y in [
        (RandomForestClassifier(5, random_state=0), "classifier", y_multi),
        (Ridge(), "regressor", y_reg),
    ]:
        exp, _ = explain(model.fit(X, y), X, model_type=model_type, nsamples=40)
        back = Explanation.from_dict(json.loads(json.dumps(exp.to_dict())))
        assert back == exp
        assert back.shap_values.dtype == np.float32
        np.testing.assert_array_equal(back.shap_values, exp.shap_values)
        assert back.seconds == exp.seconds and back.notes == exp.notes
        assert repr(back).startswith("Explanation(explainer=")


def test_determinism_with_seed(data):
    X, y_bin, _, _ = data
    model = HistGradientBoostingClassifier(max_iter=20, random_state=0).fit(X, y_bin)
    a, _ = explain(model, X, model_type="classifier", nsamples=70, seed=11)
    b, _ = explain(model, X, model_type="classifier", nsamples=70, seed=11)
    c, _ = explain(model, X, model_type="classifier", nsamples=70, seed=12)
    assert a == b
    assert not np.array_equal(a.sample_index, c.sample_index)


def test_artifact_names_are_mlflows():
    assert SHAP_ARTIFACT_NAMES == (
        "shap_beeswarm_plot",
        "shap_summary_plot",
        "shap_feature_importance_plot",
    )


def test_model_agnostic_positive_label_picks_its_probability_column(data):
    X, y_bin, _, _ = data
    model = KNeighborsClassifier(5).fit(X, y_bin)
    exp, reason = explain(model, X, model_type="classifier", nsamples=4, labels=[1, 0])
    assert reason is None and exp.positive_label == "0"
    proba0 = model.predict_proba(X.iloc[exp.sample_index])[:, 0]
    total = exp.base_values + exp.shap_values.astype(np.float64).sum(axis=1)
    np.testing.assert_allclose(total, proba0, atol=1e-6)


@pytest.mark.parametrize("link", ["identity", "logit"])
def test_kernel_algorithm_with_link(data, link):
    X, y_bin, _, _ = data
    model = LogisticRegression(max_iter=500).fit(X, y_bin)
    exp, reason = explain(
        model, X, model_type="classifier", algorithm="kernel", kernel_link=link, nsamples=5
    )
    assert reason is None and exp.explainer == "kernel"
    proba = model.predict_proba(X.iloc[exp.sample_index])[:, 1]
    expected = np.log(proba / (1 - proba)) if link == "logit" else proba
    assert exp.model_output == ("log_odds" if link == "logit" else "probability")
    total = exp.base_values + exp.shap_values.astype(np.float64).sum(axis=1)
    np.testing.assert_allclose(total, expected, atol=1e-5)


def test_missing_feature_values_survive_strict_json(data):
    X, _, _, y_reg = data
    Xn = X.astype({"count": float}).copy()
    Xn.iloc[::3, 0] = np.nan  # HistGradientBoosting handles missing values natively
    model = HistGradientBoostingRegressor(max_iter=10, random_state=0).fit(Xn, y_reg)
    exp, reason = explain(model, Xn, model_type="regressor", nsamples=30)
    assert reason is None and np.isnan(exp.feature_values).any()
    text = json.dumps(exp.to_dict(), allow_nan=False)
    assert Explanation.from_dict(json.loads(text)) == exp
