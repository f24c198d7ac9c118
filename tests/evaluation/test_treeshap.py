"""Path-dependent TreeSHAP in numpy: equal to shap.TreeExplainer for every supported family."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import numpy as np
import pandas as pd
import pytest
from sklearn.dummy import DummyRegressor
from sklearn.ensemble import (
    ExtraTreesClassifier,
    ExtraTreesRegressor,
    GradientBoostingClassifier,
    GradientBoostingRegressor,
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
    RandomForestClassifier,
    RandomForestRegressor,
)
from sklearn.linear_model import LinearRegression
from sklearn.neighbors import KNeighborsRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import (
    DecisionTreeClassifier,
    DecisionTreeRegressor,
    ExtraTreeClassifier,
    ExtraTreeRegressor,
)

from workbench import WorkbenchException
from workbench.evaluation._treeshap import TreeShap, tree_shap_explainer

import shap  # the oracle (part of the test extras)

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


@pytest.fixture(autouse=True)
def _one_thread():
    # OpenMP in HistGradientBoosting* stalls on a busy machine; one thread is fast and stable
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        yield


def _data(n=300, p=6, seed=0, nan=False):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p))
    X[:, 3] = np.round(X[:, 3])  # ties and values exactly at thresholds
    score = X[:, 0] + X[:, 1] * X[:, 2] + 0.5 * X[:, 3]
    y_reg = score + 0.3 * rng.normal(size=n)
    y_bin = (score > np.median(score)).astype(int)
    y_multi = np.digitize(score, np.quantile(score, [0.33, 0.66]))
    if nan:
        X[rng.random((n, p)) < 0.1] = np.nan
    return X, y_bin, y_multi, y_reg


def _target(kind, ys):
    _, y_bin, y_multi, y_reg = ys
    return {"bin": y_bin, "multi": y_multi, "reg": y_reg}[kind]


def _shap_oracle(model, X):
    explainer = shap.TreeExplainer(model, feature_perturbation="tree_path_dependent")
    values = np.asarray(explainer.shap_values(X, check_additivity=False))
    return values, np.asarray(explainer.expected_value)


def _assert_equal_to_shap(model, X):
    ours = tree_shap_explainer(model)
    assert isinstance(ours, TreeShap), type(model).__name__
    theirs, expected = _shap_oracle(model, X)
    values = ours.shap_values(X)
    assert values.shape == theirs.shape
    assert ours.expected_value.shape == expected.shape
    scale = max(1.0, float(np.abs(theirs).max()))
    np.testing.assert_allclose(values, theirs, rtol=1e-9, atol=1e-9 * scale)
    np.testing.assert_allclose(ours.expected_value, expected, rtol=1e-9, atol=1e-12)
    return ours, values


def _raw(model, X):
    """The output TreeSHAP explains: the margin of boosting, probabilities of forests/trees."""
    if isinstance(model, (HistGradientBoostingClassifier, GradientBoostingClassifier)):
        return model.decision_function(X)
    if hasattr(model, "predict_proba"):
        return model.predict_proba(X)
    return model.predict(X)


FAMILIES = [
    ("dt-bin", lambda: DecisionTreeClassifier(max_depth=6, random_state=0), "bin"),
    ("dt-multi", lambda: DecisionTreeClassifier(random_state=0), "multi"),
    ("dt-reg", lambda: DecisionTreeRegressor(random_state=0), "reg"),
    ("et1-bin", lambda: ExtraTreeClassifier(random_state=0), "bin"),
    ("et1-reg", lambda: ExtraTreeRegressor(max_depth=8, random_state=0), "reg"),
    ("rf-bin", lambda: RandomForestClassifier(12, random_state=0), "bin"),
    ("rf-multi", lambda: RandomForestClassifier(8, max_depth=6, random_state=0), "multi"),
    ("rf-reg", lambda: RandomForestRegressor(8, random_state=0), "reg"),
    ("et-multi", lambda: ExtraTreesClassifier(8, random_state=0), "multi"),
    ("et-reg", lambda: ExtraTreesRegressor(8, max_depth=7, random_state=0), "reg"),
    ("gb-bin", lambda: GradientBoostingClassifier(n_estimators=15, random_state=0), "bin"),
    ("gb-reg", lambda: GradientBoostingRegressor(n_estimators=15, max_depth=4), "reg"),
    ("gb-quantile", lambda: GradientBoostingRegressor(loss="quantile", alpha=0.8, n_estimators=9),
     "reg"),
    ("gb-dummy-init", lambda: GradientBoostingRegressor(
        n_estimators=5, init=DummyRegressor(strategy="median")), "reg"),
    ("hgb-bin", lambda: HistGradientBoostingClassifier(max_iter=20, random_state=0), "bin"),
    ("hgb-multi", lambda: HistGradientBoostingClassifier(max_iter=10, random_state=0), "multi"),
    ("hgb-reg", lambda: HistGradientBoostingRegressor(max_iter=20, random_state=0), "reg"),
]


@pytest.mark.parametrize("make, target", [f[1:] for f in FAMILIES], ids=[f[0] for f in FAMILIES])
def test_equal_to_shap_and_additive(make, target):
    ys = _data()
    X = ys[0]
    model = make().fit(X, _target(target, ys))
    # all 300 rows (pattern tables for shallow paths) and 7 rows (per-row shares)
    ours, values = _assert_equal_to_shap(model, X)
    _assert_equal_to_shap(model, X[:7])
    total = ours.expected_value + values.sum(axis=1)
    raw = _raw(model, X)
    np.testing.assert_allclose(total.reshape(raw.shape), raw, rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize(
    "make, target",
    [
        (lambda: DecisionTreeClassifier(max_depth=7, random_state=0), "multi"),
        (lambda: DecisionTreeRegressor(random_state=0), "reg"),
        (lambda: RandomForestClassifier(6, random_state=0), "bin"),
        (lambda: HistGradientBoostingClassifier(max_iter=15, random_state=0), "bin"),
        (lambda: HistGradientBoostingClassifier(max_iter=8, random_state=0), "multi"),
        (lambda: HistGradientBoostingRegressor(max_iter=15, random_state=0), "reg"),
    ],
    ids=["dt-multi", "dt-reg", "rf-bin", "hgb-bin", "hgb-multi", "hgb-reg"],
)
def test_missing_values_follow_the_models_missing_direction(make, target):
    ys = _data(nan=True, seed=1)
    X = ys[0]
    model = make().fit(X, _target(target, ys))
    rows = np.vstack([X, np.full((1, X.shape[1]), np.nan)])  # also a row of NaN only
    ours, values = _assert_equal_to_shap(model, rows)
    total = ours.expected_value + values.sum(axis=1)
    raw = _raw(model, rows)
    np.testing.assert_allclose(total.reshape(raw.shape), raw, rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize(
    "make, target",
    [
        (lambda: DecisionTreeRegressor(max_depth=6, random_state=0), "reg"),
        (lambda: RandomForestClassifier(6, random_state=0), "multi"),
        (lambda: GradientBoostingClassifier(n_estimators=10, random_state=0), "bin"),
        (lambda: HistGradientBoostingRegressor(max_iter=10, random_state=0), "reg"),
    ],
    ids=["dt", "rf", "gb", "hgb"],
)
def test_sample_weight_in_fit(make, target):
    ys = _data(seed=2)
    X = ys[0]
    weight = np.random.default_rng(2).uniform(0.0, 3.0, len(X))
    weight[:20] = 0.0  # zero weights (shap's 1e-6 cover where a node has none)
    model = make().fit(X, _target(target, ys), sample_weight=weight)
    ours, values = _assert_equal_to_shap(model, X)
    raw = _raw(model, X)
    total = ours.expected_value + values.sum(axis=1)
    np.testing.assert_allclose(total.reshape(raw.shape), raw, rtol=1e-9, atol=1e-9)


def test_deep_trees_with_many_path_features():
    rng = np.random.default_rng(5)
    X = rng.normal(size=(400, 24))
    y = (X @ rng.normal(size=24) + rng.normal(size=400) > 0).astype(int)
    model = DecisionTreeClassifier(random_state=0).fit(X, y)
    assert model.get_depth() >= 10
    ours, values = _assert_equal_to_shap(model, X)
    _assert_equal_to_shap(model, X[:5])
    np.testing.assert_allclose(ours.expected_value + values.sum(axis=1),
                               model.predict_proba(X), atol=1e-9)
    regressor = DecisionTreeRegressor(random_state=0).fit(X, X[:, 0] * X[:, 1] + X[:, 2])
    ours = tree_shap_explainer(regressor)
    assert max(group.d for group in ours._groups) >= 14  # paths of 14+ distinct features
    _, values = _assert_equal_to_shap(regressor, X[:60])
    np.testing.assert_allclose(ours.expected_value + values.sum(axis=1),
                               regressor.predict(X[:60]), atol=1e-9)
    forest = RandomForestRegressor(4, random_state=0).fit(X, X[:, 0] * X[:, 1] + X[:, 2])
    _assert_equal_to_shap(forest, X[:60])


def test_a_tree_with_a_single_leaf():
    X = np.random.default_rng(0).normal(size=(50, 3))
    model = DecisionTreeRegressor().fit(X, np.full(50, 2.5))
    assert model.tree_.node_count == 1
    ours, values = _assert_equal_to_shap(model, X)
    np.testing.assert_array_equal(values, np.zeros((50, 3)))
    np.testing.assert_array_equal(ours.expected_value, [2.5])
    boosted = GradientBoostingRegressor(n_estimators=3).fit(X, np.full(50, 1.0))
    ours, values = _assert_equal_to_shap(boosted, X)
    np.testing.assert_allclose(ours.expected_value, [1.0])


def test_features_never_split_on_get_zero():
    ys = _data(p=10)
    X = ys[0]
    model = DecisionTreeRegressor(max_depth=2, random_state=0).fit(X, ys[3])
    used = set(model.tree_.feature[model.tree_.feature >= 0].tolist())
    _, values = _assert_equal_to_shap(model, X)
    unused = [f for f in range(10) if f not in used]
    assert unused and np.all(values[:, unused] == 0.0)
    assert np.all(np.abs(values[:, sorted(used)]).sum(axis=0) > 0)


def test_values_at_thresholds_route_as_the_model_predicts():
    # x == threshold goes left; float64 values that round to the float32 threshold too
    ys = _data(seed=3)
    X = ys[0]
    for model in (DecisionTreeRegressor(max_depth=5, random_state=0).fit(X, ys[3]),
                  HistGradientBoostingRegressor(max_iter=5, random_state=0).fit(X, ys[3])):
        if isinstance(model, DecisionTreeRegressor):
            feats, thresholds = model.tree_.feature, model.tree_.threshold
        else:
            nodes = model._predictors[0][0].nodes
            feats, thresholds = nodes["feature_idx"], nodes["num_threshold"]
        rows = []
        for f, t in zip(feats, thresholds):
            if f < 0 or not np.isfinite(t) or t == 0:
                continue
            for x in (t, np.nextafter(t, np.inf), t * (1 + 1e-12)):
                row = X[len(rows) % len(X)].copy()
                row[f] = x
                rows.append(row)
        rows = np.array(rows)
        ours, values = _assert_equal_to_shap(model, rows)
        np.testing.assert_allclose(ours.expected_value + values.sum(axis=1), model.predict(rows),
                                   atol=1e-9)


def test_tree_slices_add_up_to_the_whole():
    ys = _data()
    model = HistGradientBoostingClassifier(max_iter=12, random_state=0).fit(ys[0], ys[2])
    ours = tree_shap_explainer(model)
    assert ours.n_trees == 36 and ours.n_outputs == 3  # one tree per class and iteration
    whole = ours.shap_values(ys[0])
    parts = sum(ours.shap_values(ys[0], trees=slice(i, i + 5)) for i in range(0, 36, 5))
    np.testing.assert_allclose(parts, whole, rtol=1e-12, atol=1e-14)


def test_accepts_a_dataframe():
    ys = _data()
    frame = pd.DataFrame(ys[0], columns=list("abcdef"))
    model = RandomForestRegressor(5, random_state=0).fit(frame, ys[3])
    ours = tree_shap_explainer(model)
    np.testing.assert_array_equal(ours.shap_values(frame), ours.shap_values(ys[0]))


def test_bad_rows_raise_a_clear_error():
    ys = _data()
    ours = tree_shap_explainer(DecisionTreeRegressor(max_depth=2).fit(ys[0], ys[3]))
    message = r"expected rows of shape \(n, 6\).*got shape \(5, 4\)"
    with pytest.raises(WorkbenchException, match=message):
        ours.shap_values(ys[0][:5, :4])
    with pytest.raises(WorkbenchException, match="numeric rows"):
        ours.shap_values(np.array([["a"] * 6]))


class _MyForest(RandomForestRegressor):
    def predict(self, X):
        return super().predict(X) * 2


def test_unsupported_models_give_none():
    ys = _data()
    X, y_bin, y_multi, y_reg = ys
    cat = pd.DataFrame({"a": X[:, 0], "c": pd.Categorical(np.where(X[:, 1] > 0, "u", "v"))})
    unsupported = [
        HistGradientBoostingRegressor(max_iter=5, categorical_features=["c"]).fit(cat, y_reg),
        RandomForestRegressor(3).fit(X, np.c_[y_reg, y_reg]),  # two outputs
        DecisionTreeClassifier().fit(X, np.c_[y_bin, y_bin]),
        GradientBoostingClassifier(n_estimators=3).fit(X, y_multi),  # shap refuses it too
        GradientBoostingClassifier(n_estimators=3, loss="exponential").fit(X, y_bin),
        GradientBoostingRegressor(n_estimators=3, init="zero").fit(X, y_reg),
        GradientBoostingRegressor(n_estimators=3, init=LinearRegression())
        .fit(X, y_reg),  # an init model whose prediction is not a constant
        _MyForest(3).fit(X, y_reg),  # a subclass may predict differently
        KNeighborsRegressor().fit(X, y_reg),
        make_pipeline(StandardScaler(), DecisionTreeRegressor()).fit(X, y_reg),
        RandomForestRegressor(),  # not fitted
        "not a model",
    ]
    for model in unsupported:
        assert tree_shap_explainer(model) is None, model


def test_explaining_a_tree_model_does_not_import_shap(tmp_path):
    script = textwrap.dedent(
        """
        import json, sys
        import numpy as np, pandas as pd
        from threadpoolctl import threadpool_limits
        from sklearn.ensemble import HistGradientBoostingClassifier
        import workbench as wb

        rng = np.random.default_rng(11)
        X = pd.DataFrame(rng.normal(size=(400, 5)), columns=list("abcde"))
        y = (X["a"] + X["b"] * X["c"] > 0).astype(int)
        with threadpool_limits(1):
            model = HistGradientBoostingClassifier(max_iter=15, random_state=0).fit(X, y)
            result = wb.evaluate(model, data=X.assign(label=y), targets="label",
                                 model_type="classifier",
                                 evaluator_config={"log_model_explainability": True})
        exp = result.explanation
        json.dump({"modules": sorted(m for m in ("shap", "numba", "llvmlite") if m in sys.modules),
                   "explanation": exp.to_dict()}, open(sys.argv[1], "w"))
        """
    )
    out = tmp_path / "out.json"
    subprocess.run([sys.executable, "-c", script, str(out)], check=True, timeout=300,
                   env={**__import__("os").environ, "OMP_NUM_THREADS": "1"})
    payload = json.loads(out.read_text())
    assert payload["modules"] == []
    from workbench.evaluation._explain import Explanation

    exp = Explanation.from_dict(payload["explanation"])
    assert exp.explainer == "tree" and exp.model_output == "log_odds" and exp.n_sample == 400

    rng = np.random.default_rng(11)
    X = pd.DataFrame(rng.normal(size=(400, 5)), columns=list("abcde"))
    y = (X["a"] + X["b"] * X["c"] > 0).astype(int)
    model = HistGradientBoostingClassifier(max_iter=15, random_state=0).fit(X, y)
    theirs, expected = _shap_oracle(model, X.to_numpy()[exp.sample_index])
    np.testing.assert_allclose(exp.mean_abs_shap, np.abs(theirs).mean(axis=0), rtol=1e-9)
    np.testing.assert_allclose(exp.shap_values, theirs.astype(np.float32), rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(float(exp.base_values), expected.reshape(-1)[0], rtol=1e-12)
