"""Oracle: mlflow.models.evaluate (MLflow 3.17.2) on the same models and data gives the same
metric values under the same names as workbench.evaluate.

MLflow logs to a file store, so MLFLOW_TRACKING_URI points at a temporary directory. The
data are small (MLflow is slow). These tests always run: mlflow is a test dependency.
"""

import math

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_breast_cancer, load_diabetes, load_iris
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression, Ridge

from workbench.evaluation import evaluate

import mlflow  # noqa: E402  (the oracle: a test dependency, never skipped)
import mlflow.sklearn  # noqa: E402

NO_SHAP = {"log_model_explainability": False}


@pytest.fixture(autouse=True)
def _tracking(mlflow_file_store):
    yield


def _mlflow_model_uri(model, tmp_path, name):
    path = tmp_path / name
    # Explicit requirements: MLflow would otherwise infer them in a subprocess (slow).
    mlflow.sklearn.save_model(model, str(path), serialization_format="cloudpickle",
                              pip_requirements=["scikit-learn"])
    return str(path)


def _assert_same(ours, theirs, names):
    for name in names:
        assert name in theirs, f"MLflow has no {name}: {sorted(theirs)}"
        assert name in ours, f"workbench has no {name}: {sorted(ours)}"
        assert math.isclose(float(ours[name]), float(theirs[name]), rel_tol=1e-9, abs_tol=1e-12), (
            name, ours[name], theirs[name])
    # every metric MLflow computes, we compute under the same name
    assert set(theirs) <= set(ours), sorted(set(theirs) - set(ours))


def _breast_cancer(n=300):
    X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    return X.iloc[:n], y.iloc[:n]


@pytest.mark.parametrize("make_model", [
    lambda: LogisticRegression(solver="liblinear"),
    lambda: RandomForestClassifier(n_estimators=15, random_state=0),
], ids=["logistic", "forest"])
def test_binary_classifier_matches_mlflow(tmp_path, make_model):
    X, y = _breast_cancer()
    model = make_model().fit(X, y)
    df = X.assign(label=y)
    uri = _mlflow_model_uri(model, tmp_path, "m")
    theirs = mlflow.models.evaluate(uri, df, targets="label", model_type="classifier",
                                    evaluator_config=NO_SHAP).metrics
    ours = evaluate(model, df, targets="label", model_type="classifier",
                                         evaluator_config=NO_SHAP).metrics
    _assert_same(ours, theirs, [
        "true_negatives", "false_positives", "false_negatives", "true_positives", "example_count",
        "accuracy_score", "recall_score", "precision_score", "f1_score", "log_loss", "roc_auc",
        "precision_recall_auc", "score",
    ])


def test_binary_with_pos_label_and_sample_weights_matches_mlflow(tmp_path):
    X, y = _breast_cancer()
    model = LogisticRegression(solver="liblinear").fit(X, y)
    df = X.assign(label=y)
    weights = np.linspace(0.5, 2.0, len(df))
    config = {**NO_SHAP, "pos_label": 0, "sample_weights": weights}
    uri = _mlflow_model_uri(model, tmp_path, "m")
    theirs = mlflow.models.evaluate(uri, df, targets="label", model_type="classifier",
                                    evaluator_config=config).metrics
    ours = evaluate(model, df, targets="label", model_type="classifier",
                                         evaluator_config=config).metrics
    _assert_same(ours, theirs, ["true_positives", "recall_score", "precision_score", "f1_score",
                                "accuracy_score", "log_loss", "score"])


@pytest.mark.parametrize("average", ["weighted", "macro"])
def test_multiclass_matches_mlflow(tmp_path, average):
    X, y = load_iris(return_X_y=True, as_frame=True)
    model = LogisticRegression(C=0.05, max_iter=2000).fit(X, y)  # weak: not every row right
    df = X.assign(species=y)
    config = {**NO_SHAP, "average": average}
    uri = _mlflow_model_uri(model, tmp_path, "m")
    theirs = mlflow.models.evaluate(uri, df, targets="species", model_type="classifier",
                                    evaluator_config=config).metrics
    ours = evaluate(model, df, targets="species", model_type="classifier",
                                         evaluator_config=config).metrics
    _assert_same(ours, theirs, ["example_count", "accuracy_score", "recall_score",
                                "precision_score", "f1_score", "log_loss", "roc_auc", "score"])


def test_regressor_matches_mlflow(tmp_path):
    X, y = load_diabetes(return_X_y=True, as_frame=True)
    model = Ridge(alpha=0.5).fit(X, y)
    df = X.assign(progression=y)
    uri = _mlflow_model_uri(model, tmp_path, "m")
    theirs = mlflow.models.evaluate(uri, df, targets="progression", model_type="regressor",
                                    evaluator_config=NO_SHAP).metrics
    ours = evaluate(model, df, targets="progression", model_type="regressor",
                                         evaluator_config=NO_SHAP).metrics
    _assert_same(ours, theirs, [
        "example_count", "mean_absolute_error", "mean_squared_error", "root_mean_squared_error",
        "sum_on_target", "mean_on_target", "r2_score", "max_error",
        "mean_absolute_percentage_error", "score",
    ])


def test_static_predictions_match_mlflow():
    X, y = _breast_cancer()
    pred = LogisticRegression(solver="liblinear").fit(X, y).predict(X)
    df = pd.DataFrame({"x0": X.iloc[:, 0], "label": y, "pred": pred})
    theirs = mlflow.models.evaluate(data=df, targets="label", predictions="pred",
                                    model_type="classifier", evaluator_config=NO_SHAP).metrics
    ours = evaluate(data=df, targets="label", predictions="pred",
                                         model_type="classifier").metrics
    _assert_same(ours, theirs, ["true_negatives", "false_positives", "false_negatives",
                                "true_positives", "accuracy_score", "f1_score"])
    assert "log_loss" not in theirs and "log_loss" not in ours


def test_static_regression_with_metric_prefix_matches_mlflow():
    X, y = load_diabetes(return_X_y=True, as_frame=True)
    df = pd.DataFrame({"y": y, "p": Ridge().fit(X, y).predict(X)})
    config = {"metric_prefix": "val_"}
    theirs = mlflow.models.evaluate(data=df, targets="y", predictions="p", model_type="regressor",
                                    evaluator_config=config).metrics
    ours = evaluate(data=df, targets="y", predictions="p",
                                         model_type="regressor", evaluator_config=config).metrics
    _assert_same(ours, theirs, ["val_r2_score", "val_mean_absolute_error", "val_example_count"])


def test_callable_model_matches_mlflow():
    X, y = load_iris(return_X_y=True, as_frame=True)
    model = LogisticRegression(C=0.05, max_iter=2000).fit(X, y)

    def fn(model_input):
        return model.predict(model_input)

    df = X.assign(species=y)
    theirs = mlflow.models.evaluate(fn, df, targets="species", model_type="classifier",
                                    evaluator_config=NO_SHAP).metrics
    ours = evaluate(fn, df, targets="species", model_type="classifier",
                                         evaluator_config=NO_SHAP).metrics
    _assert_same(ours, theirs, ["example_count", "accuracy_score", "recall_score",
                                "precision_score", "f1_score"])
    assert "log_loss" not in theirs and "score" not in theirs and "score" not in ours


def test_labels_are_the_union_of_targets_and_predictions():
    # targets hold two classes, predictions a third: both treat it as multiclass
    df = pd.DataFrame({"x": np.arange(8.0), "y": [0, 0, 1, 1, 0, 1, 0, 1], "p": [0, 2, 1, 1, 0, 2, 0, 1]})
    theirs = mlflow.models.evaluate(data=df, targets="y", predictions="p", model_type="classifier",
                                    evaluator_config=NO_SHAP).metrics
    ours = evaluate(data=df, targets="y", predictions="p", model_type="classifier",
                    evaluator_config=NO_SHAP).metrics
    assert "true_positives" not in theirs and "true_positives" not in ours
    _assert_same(ours, theirs, ["accuracy_score", "recall_score", "precision_score", "f1_score"])
