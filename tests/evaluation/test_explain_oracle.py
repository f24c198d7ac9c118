"""Oracle: MLflow's default evaluator computes the same SHAP numbers and names as we do.

mlflow.evaluate runs with SHAP on; the Explanation MLflow hands to ``shap.plots.beeswarm`` is
captured and compared with ours (same explainer, same rows, same background -> same numbers).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import GradientBoostingClassifier

from workbench.evaluation._explain import SHAP_ARTIFACT_NAMES, explain

import mlflow
import shap
pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


@pytest.fixture(scope="module")
def case():
    rng = np.random.default_rng(3)
    X = pd.DataFrame(rng.normal(size=(300, 4)), columns=["a", "b", "c", "d"])
    y = ((X["a"] + X["b"] * X["c"]) > 0).astype(int)
    model = GradientBoostingClassifier(n_estimators=15, max_depth=3, random_state=0).fit(X, y)
    return X, y, model


@pytest.fixture(scope="module")
def mlflow_shap(case, tmp_path_factory):
    """Run mlflow.evaluate with SHAP on; return (captured shap.Explanation, artifact names)."""
    from threadpoolctl import threadpool_limits

    X, y, model = case
    root = tmp_path_factory.mktemp("mlflow")
    captured = []
    original = shap.plots.beeswarm

    def capture(values, *args, **kwargs):
        captured.append(values)
        return original(values, *args, **kwargs)

    mp = pytest.MonkeyPatch()
    mp.setattr(shap.plots, "beeswarm", capture)
    mp.setenv("MLFLOW_TRACKING_URI", (root / "mlruns").as_uri())
    mp.setenv("MLFLOW_ALLOW_FILE_STORE", "true")  # a file store is the quickest to set up
    try:
        path = root / "model"
        mlflow.sklearn.save_model(
            model,
            str(path),
            pip_requirements=[],
            serialization_format="pickle",
        )
        pyfunc = mlflow.pyfunc.load_model(str(path))
        with threadpool_limits(1), mlflow.start_run():
            result = mlflow.models.evaluate(
                pyfunc,
                X.assign(label=y),
                targets="label",
                model_type="classifier",
                evaluators="default",
                evaluator_config={"log_model_explainability": True},
            )
    finally:
        mp.undo()
    assert captured, "MLflow did not compute SHAP values"
    return captured[0], set(result.artifacts)


def test_artifact_names_are_the_ones_mlflow_logs(mlflow_shap):
    _, artifacts = mlflow_shap
    assert set(SHAP_ARTIFACT_NAMES) <= artifacts


def test_tree_mean_abs_shap_equals_mlflows(case, mlflow_shap):
    X, _, model = case
    theirs, _ = mlflow_shap
    ours, reason = explain(
        model, X, model_type="classifier", seed=0, tree_perturbation="interventional"
    )
    assert reason is None and ours.explainer == "tree"
    assert ours.feature_names == list(theirs.feature_names)
    their_values = np.asarray(theirs.values, dtype=np.float64)
    assert their_values.shape == ours.shap_values.shape
    np.testing.assert_allclose(
        ours.mean_abs_shap, np.abs(their_values).mean(axis=0), rtol=1e-12, atol=1e-15
    )
    np.testing.assert_allclose(ours.shap_values, their_values.astype(np.float32), rtol=1e-6)
    np.testing.assert_allclose(
        float(ours.base_values), np.asarray(theirs.base_values).reshape(-1)[0], rtol=1e-12
    )


def test_default_tree_values_equal_shaps_tree_explainer(case):
    X, _, model = case
    ours, _ = explain(model, X, model_type="classifier", nsamples=120, seed=4)
    explainer = shap.TreeExplainer(model, feature_perturbation="tree_path_dependent")
    theirs = explainer.shap_values(X.iloc[ours.sample_index].to_numpy())
    np.testing.assert_allclose(ours.mean_abs_shap, np.abs(theirs).mean(axis=0), rtol=1e-12)
