"""Built-in artifacts under MLflow 3.17.2's names, as data (issue 4, item 3).

``result.artifacts`` holds, besides custom artifacts, MLflow's built-in names
(``roc_curve_plot``, ``per_class_metrics``, ``shap_beeswarm_plot``, ...) as views of the
result's curves, tables and explanation. They are saved as files under ``artifacts/`` (so
MLflow's ``EvaluationResult.load`` sees them) and rebuilt as views on load.

The oracle tests run ``mlflow.models.evaluate`` (MLflow is a test dependency) against a file
store in a temporary directory and compare the *sets* of artifact names.
"""

import json
import os
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_breast_cancer, load_diabetes, load_iris
from sklearn.linear_model import LinearRegression, LogisticRegression

import mlflow
import mlflow.sklearn
from mlflow.models.evaluation import EvaluationResult as MlflowEvaluationResult
from workbench._exceptions import WorkbenchException
from workbench.evaluation import evaluate
from workbench.evaluation._artifacts import (
    BUILTIN_ARTIFACT_NAMES,
    BuiltinCsvEvaluationArtifact,
    BuiltinJsonEvaluationArtifact,
)
from workbench.evaluation._result import EvaluationResult

pytestmark = pytest.mark.filterwarnings(
    "ignore::FutureWarning",
    "ignore::UserWarning",
)

NO_SHAP = {"log_model_explainability": False}
SHAP = ("shap_beeswarm_plot", "shap_summary_plot", "shap_feature_importance_plot")
# The names MLflow 3.17.2's classifier evaluator logs (evaluators/classifier.py), pinned.
BINARY = {"roc_curve_plot", "precision_recall_curve_plot", "lift_curve_plot",
          "calibration_curve_plot", "confusion_matrix"}
MULTICLASS = {"roc_curve_plot", "precision_recall_curve_plot", "calibration_curve_plot",
              "per_class_metrics", "confusion_matrix"}


# --------------------------------------------------------------------------- data


def _binary(n=200):
    X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    X = X.iloc[:n, :6]
    y = y.iloc[:n]
    return LogisticRegression(max_iter=5000).fit(X, y), X.assign(label=y)


def _multiclass():
    X, y = load_iris(return_X_y=True, as_frame=True)
    return LogisticRegression(C=0.05, max_iter=2000).fit(X, y), X.assign(label=y)


def _regressor(n=150):
    X, y = load_diabetes(return_X_y=True, as_frame=True)
    X, y = X.iloc[:n, :5], y.iloc[:n]
    return LinearRegression().fit(X, y), X.assign(label=y)


def _ours(kind, config=NO_SHAP, **kwargs):
    model, df = {"binary": _binary, "multiclass": _multiclass, "regressor": _regressor}[kind]()
    model_type = "regressor" if kind == "regressor" else "classifier"
    return evaluate(model, df, targets="label", model_type=model_type,
                    evaluator_config=dict(config), **kwargs)


# --------------------------------------------------------------------------- names


def test_binary_names_and_contents():
    result = _ours("binary")
    assert set(result.artifacts) == BINARY
    roc = result.artifacts["roc_curve_plot"]
    assert isinstance(roc, BuiltinJsonEvaluationArtifact)
    assert roc.uri == "roc_curve_plot.json"
    # the content is the data the figure is drawn from: the curves' to_dict()
    assert roc.content == [result.curve("roc").to_dict()]
    assert result.artifacts["lift_curve_plot"].content[0]["kind"] == "lift"
    assert result.artifacts["calibration_curve_plot"].content[0]["kind"] == "calibration"
    cm = result.artifacts["confusion_matrix"].content
    assert cm == result.tables["confusion_matrix"].to_dict()
    assert cm["kind"] == "confusion_matrix" and len(cm["matrix"]) == 2


def test_multiclass_names_and_contents():
    result = _ours("multiclass")
    assert set(result.artifacts) == MULTICLASS
    per_class = result.artifacts["per_class_metrics"]
    assert isinstance(per_class, BuiltinCsvEvaluationArtifact)
    assert per_class.uri == "per_class_metrics.csv"
    frame = per_class.content
    assert isinstance(frame, pd.DataFrame)
    assert frame["positive_class"].tolist() == ["0", "1", "2"]
    assert {"roc_auc", "precision_recall_auc"} <= set(frame.columns)
    roc = result.artifacts["roc_curve_plot"].content  # one per class, plus micro and macro
    assert {d["label"] for d in roc} == {"0", "1", "2", "micro", "macro"}
    assert {d["kind"] for d in result.artifacts["calibration_curve_plot"].content} == {
        "calibration"}
    assert len(result.artifacts["confusion_matrix"].content["matrix"]) == 3


def test_multiclass_over_max_classes_has_no_curve_names():
    result = _ours("multiclass", {**NO_SHAP, "max_classes_for_multiclass_roc_pr": 2})
    # MLflow skips the ROC and PR plots above the limit; the engine computes no per-class
    # curves then (calibration included: a departure, see _artifacts.builtin_artifacts)
    assert set(result.artifacts) == {"per_class_metrics", "confusion_matrix"}
    assert "roc_curve" in result.skipped


def test_regressor_has_no_names_without_shap():
    assert _ours("regressor").artifacts == {}


def test_without_probabilities_no_curve_names():
    model, df = _binary()
    df = df.assign(pred=model.predict(df.drop(columns="label")))
    result = evaluate(data=df, targets="label", predictions="pred", model_type="classifier")
    assert set(result.artifacts) == {"confusion_matrix"}
    assert "roc_curve" in result.skipped and "lift_curve" in result.skipped


def test_shap_names_only_with_an_explanation():
    import shap  # noqa: F401 - the explain extra is part of the test extras
    for kind, expected in (("binary", BINARY), ("multiclass", MULTICLASS),
                           ("regressor", set())):
        result = _ours(kind, {"explainability_nsamples": 40})
        assert result.explanation is not None, result.skipped
        assert set(result.artifacts) == expected | set(SHAP), kind
        full = result.artifacts["shap_beeswarm_plot"].content
        assert full == result.explanation.to_dict()
        importance = result.artifacts["shap_feature_importance_plot"].content
        assert list(importance.columns) == ["feature", "mean_abs_shap"]
        assert sorted(importance["feature"]) == sorted(result.explanation.feature_names)
        summary = result.artifacts["shap_summary_plot"].content
        if kind == "multiclass":
            assert len(summary.columns) == 2 + 3  # feature, overall, one per class


def test_metric_prefix_prefixes_file_names_not_keys():
    result = _ours("multiclass", {**NO_SHAP, "metric_prefix": "val_"})
    assert set(result.artifacts) == MULTICLASS  # MLflow keys the dict without the prefix
    uris = {name: a.uri for name, a in result.artifacts.items()}
    assert uris["roc_curve_plot"] == "val_roc_curve_plot.json"
    assert uris["confusion_matrix"] == "val_confusion_matrix.json"
    assert uris["per_class_metrics"] == "per_class_metrics.csv"  # MLflow: never prefixed


def test_builtin_names_are_exported():
    assert set(BUILTIN_ARTIFACT_NAMES) == BINARY | MULTICLASS | set(SHAP)


# --------------------------------------------------------------------------- custom collisions


def test_custom_artifact_with_a_builtin_name_is_replaced_with_a_warning():
    def mine(eval_df, metrics, artifacts_dir):
        return {"roc_curve_plot": {"mine": 1}, "per_class_metrics": {"kept": True}}

    model, df = _binary()
    with pytest.warns(UserWarning, match="'roc_curve_plot' is replaced by the built-in"):
        result = evaluate(model, df, targets="label", model_type="classifier",
                          evaluator_config=NO_SHAP, custom_artifacts=[mine])
    assert isinstance(result.artifacts["roc_curve_plot"], BuiltinJsonEvaluationArtifact)
    # no built-in per_class_metrics for a binary classifier (as in MLflow): the custom one stays
    assert result.artifacts["per_class_metrics"].content == {"kept": True}
    assert any("replaced by the built-in" in w for w in result.warnings)


def test_custom_artifact_sharing_a_builtin_file_is_refused():
    def mine(eval_df, metrics, artifacts_dir):
        return {"val_roc_curve_plot": {"mine": 1}}

    model, df = _binary()
    with pytest.raises(WorkbenchException, match="val_roc_curve_plot.json"):
        evaluate(model, df, targets="label", model_type="classifier",
                 evaluator_config={**NO_SHAP, "metric_prefix": "val_"}, custom_artifacts=[mine])


# --------------------------------------------------------------------------- save / load


@pytest.mark.parametrize("kind,config", [
    ("binary", NO_SHAP),
    ("multiclass", {**NO_SHAP, "metric_prefix": "m_"}),
    ("regressor", {"explainability_nsamples": 30}),
    ("multiclass", {"explainability_nsamples": 30}),
])
def test_save_load_keeps_builtin_artifacts(tmp_path, kind, config):
    if not config.get("log_model_explainability", True) is False:
        import shap  # noqa: F401 - the explain extra is part of the test extras
    result = _ours(kind, config)
    path = tmp_path / "result"
    result.save(path)
    loaded = EvaluationResult.load(path)
    assert loaded == result
    assert list(loaded.artifacts) == list(result.artifacts)
    for name, artifact in result.artifacts.items():
        assert type(loaded.artifacts[name]) is type(artifact)
        assert loaded.artifacts[name].uri == artifact.uri
    files = sorted(os.listdir(path / "artifacts"))
    assert files == sorted(a.uri for a in result.artifacts.values())
    # the explanation is written once: its file is the shap_beeswarm_plot artifact's
    manifest = json.loads((path / "workbench.json").read_text())
    if result.explanation is not None:
        assert not (path / "explanation.json").exists()
        assert manifest["data"]["explanation"] == (
            f"artifacts/{result.artifacts['shap_beeswarm_plot'].uri}")
    assert set(manifest["data"]["builtin_artifacts"]) == set(result.artifacts)


def test_saved_file_contents_are_the_data(tmp_path):
    result = _ours("multiclass")
    result.save(tmp_path / "r")
    roc = json.loads((tmp_path / "r" / "artifacts" / "roc_curve_plot.json").read_text())
    assert roc == result.artifacts["roc_curve_plot"].content
    frame = pd.read_csv(tmp_path / "r" / "artifacts" / "per_class_metrics.csv")
    assert frame["positive_class"].tolist() == [0, 1, 2]
    expected = result.artifacts["per_class_metrics"].content["roc_auc"]
    np.testing.assert_allclose(frame["roc_auc"], expected)


def test_edited_builtin_description_is_refused(tmp_path):
    result = _ours("binary")
    result.save(tmp_path / "r")
    manifest_path = tmp_path / "r" / "workbench.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["data"]["builtin_artifacts"]["roc_curve_plot"]["uri"] = "other.json"
    manifest_path.write_text(json.dumps(manifest))
    with pytest.raises(WorkbenchException, match="roc_curve_plot"):
        EvaluationResult.load(tmp_path / "r")


# --------------------------------------------------------------------------- MLflow oracle


@pytest.fixture
def tracking(mlflow_file_store):
    yield mlflow_file_store


def _mlflow_names(model, df, tmp_path, config):
    path = tmp_path / "model"
    mlflow.sklearn.save_model(model, str(path), serialization_format="cloudpickle",
                              pip_requirements=["scikit-learn"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = mlflow.models.evaluate(str(path), df, targets="label", model_type="classifier",
                                        evaluator_config=config)
    return theirs


@pytest.mark.parametrize("kind", ["binary", "multiclass"])
def test_names_match_mlflow(tracking, kind):
    model, df = {"binary": _binary, "multiclass": _multiclass}[kind]()
    theirs = _mlflow_names(model, df, tracking, dict(NO_SHAP))
    ours = evaluate(model, df, targets="label", model_type="classifier",
                    evaluator_config=dict(NO_SHAP))
    missing = set(theirs.artifacts) - set(ours.artifacts)
    assert not missing, missing
    assert set(ours.artifacts) == (BINARY if kind == "binary" else MULTICLASS)
    assert set(theirs.artifacts) == set(ours.artifacts)
    # MLflow's files are the same names with .png (per_class_metrics: .csv)
    for name, artifact in theirs.artifacts.items():
        stem = os.path.splitext(os.path.basename(artifact.uri))[0]
        assert stem == os.path.splitext(ours.artifacts[name].uri)[0]


def test_names_match_mlflow_with_shap(tracking):
    import shap  # noqa: F401 - the explain extra is part of the test extras
    model, df = _binary(120)
    config = {"explainability_nsamples": 30}
    theirs = _mlflow_names(model, df, tracking, dict(config))
    ours = evaluate(model, df, targets="label", model_type="classifier",
                    evaluator_config=dict(config))
    assert set(SHAP) <= set(ours.artifacts)
    assert set(theirs.artifacts) <= set(ours.artifacts), set(theirs.artifacts) - set(ours.artifacts)


def test_metric_prefix_file_names_match_mlflow(tracking):
    model, df = _multiclass()
    config = {**NO_SHAP, "metric_prefix": "val_"}
    theirs = _mlflow_names(model, df, tracking, dict(config))
    ours = evaluate(model, df, targets="label", model_type="classifier",
                    evaluator_config=dict(config))
    assert set(theirs.artifacts) == set(ours.artifacts)
    for name, artifact in theirs.artifacts.items():
        stem = os.path.splitext(os.path.basename(artifact.uri))[0]
        assert stem == os.path.splitext(ours.artifacts[name].uri)[0], name


@pytest.mark.parametrize("kind,config", [
    ("binary", NO_SHAP),
    ("multiclass", {**NO_SHAP, "metric_prefix": "val_"}),
    ("binary", {"explainability_nsamples": 30}),
])
def test_mlflow_loads_our_saved_directory(tmp_path, kind, config):
    if not config.get("log_model_explainability", True) is False:
        import shap  # noqa: F401 - the explain extra is part of the test extras
    result = _ours(kind, config)
    result.save(tmp_path / "r")
    theirs = MlflowEvaluationResult.load(str(tmp_path / "r"))
    assert set(theirs.artifacts) == set(result.artifacts)
    for name, artifact in result.artifacts.items():
        loaded = theirs.artifacts[name]
        assert loaded.uri == artifact.uri
        if isinstance(artifact, BuiltinCsvEvaluationArtifact):
            assert type(loaded).__name__ == "CsvEvaluationArtifact"
            assert list(loaded.content.columns) == list(artifact.content.columns)
        else:
            assert type(loaded).__name__ == "JsonEvaluationArtifact"
            assert loaded.content == artifact.content, name
    assert theirs.metrics.keys() == result.metrics.keys()
