"""evaluate(): end to end on sklearn datasets, static data, callables, configuration,
deprecated arguments and every bad input with its message pinned."""

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_breast_cancer, load_diabetes, load_iris
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import accuracy_score, f1_score, log_loss, r2_score, roc_auc_score
from sklearn.svm import LinearSVC

from workbench import WorkbenchException
from workbench.evaluation import (
    EvaluationDataset,
    EvaluationResult,
    RocCurve,
    evaluate,
    make_metric,
)

NO_SHAP = {"log_model_explainability": False}
BINARY = ["true_negatives", "false_positives", "false_negatives", "true_positives", "example_count",
          "accuracy_score", "recall_score", "precision_score", "f1_score", "log_loss", "roc_auc",
          "precision_recall_auc"]


@pytest.fixture(scope="module")
def cancer():
    X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    return X, y, LogisticRegression(solver="liblinear").fit(X, y)


@pytest.fixture(scope="module")
def iris():
    X, y = load_iris(return_X_y=True, as_frame=True)
    return X, y, LogisticRegression(C=0.05, max_iter=2000).fit(X, y)


# --------------------------------------------------------------------------- end to end


def test_binary_logistic_regression(cancer):
    X, y, model = cancer
    result = evaluate(model, X.assign(label=y), targets="label", model_type="classifier",
                      evaluator_config=NO_SHAP)
    assert isinstance(result, EvaluationResult) and result.run_id is not None  # logged, as in MLflow
    m = result.metrics
    assert list(m)[:12] == BINARY
    proba = model.predict_proba(X)[:, 1]
    assert m["accuracy_score"] == pytest.approx(accuracy_score(y, model.predict(X)), abs=1e-12)
    assert m["log_loss"] == pytest.approx(log_loss(y, proba), abs=1e-12)
    assert m["roc_auc"] == pytest.approx(roc_auc_score(y, proba), abs=1e-12)
    assert m["score"] == m["accuracy_score"]
    assert {c.kind for c in result.curves} >= {"roc", "precision_recall", "lift", "calibration"}
    assert "confusion_matrix" in result.tables
    assert result.skipped == {"explanation": "evaluator_config['log_model_explainability'] is False"}
    assert result.dataset["n_rows"] == len(X) and len(result.dataset["digest"]) == 8
    assert result.model["kind"] == "estimator" and result.model["model_type"] == "classifier"
    assert result.config == NO_SHAP
    for step in ("validate", "digest", "predict", "metrics", "score", "explain", "extra_metrics",
                 "custom_artifacts", "result", "total"):
        assert step in result.timings


def test_binary_random_forest_with_explanation(cancer):
    X, y, _ = cancer
    forest = RandomForestClassifier(n_estimators=10, max_depth=4, random_state=0).fit(X, y)
    result = evaluate(forest, X.assign(label=y), targets="label", model_type="classifier",
                      evaluator_config={"explainability_nsamples": 50})
    assert result.metrics["roc_auc"] == pytest.approx(
        roc_auc_score(y, forest.predict_proba(X)[:, 1]), abs=1e-12)
    assert result.explanation is not None and result.explanation.explainer == "tree"
    assert "explanation" not in result.skipped and "explain" in result.timings


def test_iris_multiclass(iris):
    X, y, model = iris
    result = evaluate(model, X.assign(species=y), targets="species", model_type="classifier",
                      evaluator_config={**NO_SHAP, "average": "macro"})
    m = result.metrics
    assert m["f1_score"] == pytest.approx(f1_score(y, model.predict(X), average="macro"), abs=1e-12)
    assert m["roc_auc"] == pytest.approx(
        roc_auc_score(y, model.predict_proba(X), multi_class="ovr", average="macro"), abs=1e-12)
    assert "per_class_metrics" in result.tables
    assert result.model["labels"] == ["0", "1", "2"]


def test_diabetes_regression():
    X, y = load_diabetes(return_X_y=True, as_frame=True)
    model = Ridge(alpha=0.5).fit(X, y)
    result = evaluate(model, X.assign(t=y), targets="t", model_type="regressor", evaluator_config=NO_SHAP)
    m = result.metrics
    assert list(m) == ["example_count", "mean_absolute_error", "mean_squared_error",
                       "root_mean_squared_error", "sum_on_target", "mean_on_target", "r2_score",
                       "max_error", "mean_absolute_percentage_error", "score"]
    assert m["r2_score"] == pytest.approx(r2_score(y, model.predict(X)), abs=1e-12)
    assert m["score"] == m["r2_score"]
    assert "residuals" in result.tables


def test_numpy_data_with_feature_names(cancer):
    X, y, _ = cancer
    model = LogisticRegression(solver="liblinear").fit(X.to_numpy(), y.to_numpy())
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "X has feature names" warning: the array is passed as is
        result = evaluate(model, X.to_numpy(), targets=y.to_numpy(), model_type="classifier",
                          feature_names=list(X.columns), evaluator_config=NO_SHAP)
    assert result.dataset["feature_names"] == list(X.columns)
    assert result.metrics["accuracy_score"] == pytest.approx(model.score(X.to_numpy(), y))


def test_estimator_without_predict_proba_lists_skipped_metrics(cancer):
    X, y, _ = cancer
    svc = LinearSVC().fit(X, y)
    result = evaluate(svc, X.assign(label=y), targets="label", model_type="classifier",
                      evaluator_config=NO_SHAP)
    for name in ("log_loss", "roc_auc", "precision_recall_auc"):
        assert name not in result.metrics
        assert "no probabilities" in result.skipped[name]
    assert result.metrics["score"] == result.metrics["accuracy_score"]


def test_static_predictions():
    df = pd.DataFrame({"x": [0.2, 0.8, 0.6, 0.1], "label": [0, 1, 1, 0], "pred": [0, 1, 0, 0]})
    result = evaluate(data=df, targets="label", predictions="pred", model_type="classifier")
    assert result.metrics["accuracy_score"] == 0.75 and result.metrics["true_positives"] == 1
    assert "score" not in result.metrics and result.model["kind"] == "static"
    assert result.skipped["explanation"].startswith("no model")
    assert result.dataset["predictions"] == "pred"


def test_static_probability_columns(cancer):
    X, y, model = cancer
    proba = model.predict_proba(X)
    df = pd.DataFrame({"label": y, "pred": model.predict(X), "p0": proba[:, 0], "p1": proba[:, 1]})
    for columns in (["p0", "p1"], "p1", {0: "p0", 1: "p1"}):
        result = evaluate(data=df, targets="label", predictions="pred", model_type="classifier",
                          evaluator_config={"probability_columns": columns})
        assert result.metrics["roc_auc"] == pytest.approx(roc_auc_score(y, proba[:, 1]), abs=1e-12)
        assert result.metrics["log_loss"] == pytest.approx(log_loss(y, proba), abs=1e-12)
        assert "p1" not in result.dataset["feature_names"]


def test_static_multiclass_probability_columns(iris):
    X, y, model = iris
    proba = model.predict_proba(X)
    df = pd.DataFrame(proba, columns=["a", "b", "c"]).assign(y=y, p=model.predict(X))
    result = evaluate(data=df, targets="y", predictions="p", model_type="classifier",
                      evaluator_config={"probability_columns": ["a", "b", "c"]})
    assert result.metrics["log_loss"] == pytest.approx(log_loss(y, proba), abs=1e-12)


def test_callable_model(iris):
    X, y, model = iris
    calls = []

    def fn(model_input):
        calls.append(type(model_input))
        return model.predict(model_input)

    result = evaluate(fn, X.assign(species=y), targets="species", model_type="classifier",
                      evaluator_config=NO_SHAP)
    assert calls == [pd.DataFrame]
    assert result.metrics["accuracy_score"] == pytest.approx(accuracy_score(y, model.predict(X)))
    assert "log_loss" in result.skipped and result.model["kind"] == "callable"


def test_one_prediction_pass_end_to_end(cancer):
    X, y, model = cancer

    class Counted:
        classes_ = model.classes_

        def __init__(self):
            self.calls = []

        def predict(self, data):
            self.calls.append(("predict", len(data)))
            return model.predict(data)

        def predict_proba(self, data):
            self.calls.append(("predict_proba", len(data)))
            return model.predict_proba(data)

    big = pd.concat([X] * 3, ignore_index=True)
    counted = Counted()
    evaluate(counted, big.assign(label=np.tile(y, 3)), targets="label", model_type="classifier",
             evaluator_config=NO_SHAP)
    assert counted.calls == [("predict_proba", len(big)), ("predict", 1000)]


def test_evaluation_dataset_as_data(cancer):
    X, y, model = cancer
    ds = EvaluationDataset(X.assign(label=y), targets="label", name="cancer", path="data/cancer.csv")
    result = evaluate(model, ds, model_type="classifier", evaluator_config=NO_SHAP)
    assert result.dataset["name"] == "cancer" and result.dataset["path"] == "data/cancer.csv"


def test_string_labels_and_pos_label():
    df = pd.DataFrame({"y": ["no", "yes", "yes", "no", "yes"], "p": ["no", "yes", "no", "no", "yes"]})
    m = evaluate(data=df, targets="y", predictions="p", model_type="classifier").metrics
    assert m["true_positives"] == 2 and m["recall_score"] == pytest.approx(2 / 3)
    m = evaluate(data=df, targets="y", predictions="p", model_type="classifier",
                 evaluator_config={"pos_label": "no"}).metrics
    assert m["true_positives"] == 2 and m["recall_score"] == 1.0


def test_label_list_extends_the_labels():
    df = pd.DataFrame({"y": [0, 1, 1, 0], "p": [0, 1, 0, 0]})
    result = evaluate(data=df, targets="y", predictions="p", model_type="classifier",
                      evaluator_config={"label_list": [0, 1, 2]})
    assert result.model["labels"] == ["0", "1", "2"] and "true_positives" not in result.metrics


def test_col_mapping_renames_targets_and_predictions():
    df = pd.DataFrame({"y": [0, 1, 1, 0], "p": [0, 1, 0, 0]})
    m = evaluate(data=df, targets="label", predictions="prediction", model_type="classifier",
                 evaluator_config={"col_mapping": {"label": "y", "prediction": "p"}}).metrics
    assert m["accuracy_score"] == 0.75


def test_metric_prefix_and_extra_metrics(cancer):
    X, y, model = cancer

    def error_rate(eval_df, _builtin_metrics):
        return float((eval_df["prediction"] != eval_df["target"]).mean())

    result = evaluate(model, X.assign(label=y), targets="label", model_type="classifier",
                      extra_metrics=[make_metric(eval_fn=error_rate, greater_is_better=False)],
                      evaluator_config={**NO_SHAP, "metric_prefix": "val_"})
    m = result.metrics
    assert all(k.startswith("val_") for k in m)
    assert m["val_error_rate"] == pytest.approx(1 - m["val_accuracy_score"])


def test_custom_artifacts(cancer):
    X, y, model = cancer

    def sample(eval_df, builtin_metrics, artifacts_dir):
        assert "accuracy_score" in builtin_metrics
        return {"pred_sample": eval_df.head(10)}

    result = evaluate(model, X.assign(label=y), targets="label", model_type="classifier",
                      custom_artifacts=[sample], evaluator_config=NO_SHAP)
    assert result.artifacts["pred_sample"].content.shape == (10, 2)


def test_seed_example_multi_output_model():
    data = pd.DataFrame({"question": ["foo"]})

    def model(inputs):
        return pd.DataFrame({"answer": ["bar"], "source": ["baz"]})

    def answer_length(predictions):
        return float(predictions.str.len().mean())

    # MLflow 3.17.2 needs model_type or extra_metrics for this example (as here).
    results = evaluate(model=model, data=data, predictions="answer",
                       extra_metrics=[make_metric(eval_fn=answer_length, greater_is_better=True)])
    assert results.metrics == {"answer_length": 3.0}


def test_seed_example_static_dataset():
    data = pd.DataFrame({"question": ["foo"], "answer": ["bar"], "source": ["baz"]})

    def answer_length(predictions):
        return float(predictions.str.len().mean())

    results = evaluate(data=data, predictions="answer",
                       extra_metrics=[make_metric(eval_fn=answer_length, greater_is_better=True)])
    assert results.metrics == {"answer_length": 3.0}


def test_seed_rmse_example():
    def root_mean_squared_error(eval_df, _builtin_metrics):
        return np.sqrt((np.abs(eval_df["prediction"] - eval_df["target"]) ** 2).mean())

    rmse_metric = make_metric(eval_fn=root_mean_squared_error, greater_is_better=False)
    df = pd.DataFrame({"y": [1.0, 2.0, 3.0], "p": [1.0, 2.0, 5.0]})
    m = evaluate(data=df, targets="y", predictions="p", model_type="regressor",
                 extra_metrics=[rmse_metric]).metrics
    assert m["root_mean_squared_error"] == pytest.approx(np.sqrt(4 / 3))


def test_evaluators_argument_forms():
    df = pd.DataFrame({"y": [0, 1, 1, 0], "p": [0, 1, 0, 0]})
    kw = dict(data=df, targets="y", predictions="p", model_type="classifier")
    for evaluators, config in [
        ("default", {"pos_label": 0}),
        ("default", {"default": {"pos_label": 0}}),
        (["default"], {"default": {"pos_label": 0}}),
        (["default"], {"pos_label": 0}),
        (None, {"default": {"pos_label": 0}}),
        (None, {"pos_label": 0}),
    ]:
        m = evaluate(evaluators=evaluators, evaluator_config=config, **kw).metrics
        assert m["true_positives"] == 2, (evaluators, config)


def test_unknown_config_key_warns():
    df = pd.DataFrame({"y": [0, 1, 1, 0], "p": [0, 1, 0, 0]})
    with pytest.warns(UserWarning, match="Unknown evaluator_config key 'pos_lable' is ignored. "
                                         "Did you mean 'pos_label'?"):
        result = evaluate(data=df, targets="y", predictions="p", model_type="classifier",
                          evaluator_config={"pos_lable": 0})
    assert any("pos_lable" in w for w in result.warnings)


def test_custom_metrics_is_a_deprecated_alias():
    def mean_pred(eval_df, _builtin_metrics):
        return float(eval_df["prediction"].mean())

    metric = make_metric(eval_fn=mean_pred, greater_is_better=True)
    df = pd.DataFrame({"y": [1.0, 2.0], "p": [1.0, 3.0]})
    with pytest.warns(FutureWarning, match="The 'custom_metrics' parameter in workbench.evaluate is "
                                           "deprecated. Please update your code to use the "
                                           "'extra_metrics' parameter instead."):
        m = evaluate(data=df, targets="y", predictions="p", model_type="regressor",
                     custom_metrics=[metric]).metrics
    assert m["mean_pred"] == 2.0
    with pytest.raises(WorkbenchException, match="only use the 'extra_metrics' parameter instead"):
        evaluate(data=df, targets="y", predictions="p", model_type="regressor",
                 custom_metrics=[metric], extra_metrics=[metric])


@pytest.mark.parametrize("kwargs", [
    {"validation_thresholds": {"accuracy_score": object()}},
    {"baseline_model": "some/model"},
    {"baseline_config": {"pos_label": 1}},
])
def test_removed_validation_arguments(kwargs):
    df = pd.DataFrame({"y": [0, 1], "p": [0, 1]})
    with pytest.raises(WorkbenchException) as info:
        evaluate(data=df, targets="y", predictions="p", model_type="classifier", **kwargs)
    message = str(info.value)
    assert "removed in MLflow 3" in message
    assert "workbench.validate_evaluation_results(validation_thresholds, candidate_result, baseline_result)" in message


# --------------------------------------------------------------------------- bad input


class Exploding:
    """A model that must never be called: bad input is refused before any work."""

    classes_ = np.array([0, 1])

    def predict(self, X):
        raise AssertionError("predict was called")

    def predict_proba(self, X):
        raise AssertionError("predict_proba was called")


def _frame():
    return pd.DataFrame({"x": [0.1, 0.4, 0.6, 0.9], "label": [0, 0, 1, 1], "pred": [0, 1, 1, 1]})


@pytest.mark.parametrize("model, data, kwargs, message", [
    (Exploding(), _frame(), {"targets": "labels", "model_type": "classifier"},
     "The targets column 'labels' is not in the data. The data's columns are ['x', 'label', 'pred']. "
     "Did you mean 'label'? Pass targets= the name of the column that holds the labels."),
    (None, _frame(), {"targets": "label", "predictions": "prediction", "model_type": "classifier"},
     "The predictions column 'prediction' is not in the data. The data's columns are "
     "['x', 'label', 'pred']. Pass predictions= the name of the column that "
     "holds the model's outputs."),
    (Exploding(), _frame().assign(label=[0, None, 1, 1]), {"targets": "label", "model_type": "classifier"},
     "The targets column 'label' has 1 missing value(s) (NaN or None), first at row 1. Every row needs "
     "a label: drop those rows (e.g. data.dropna(subset=['label'])) or fill them before evaluating."),
    (Exploding(), np.zeros((4, 2)), {"targets": [0, 1, 1], "model_type": "classifier"},
     "The data has 4 rows but targets has 3 values; give one label per row."),
    (Exploding(), _frame(), {"targets": "label", "model_type": "classifier",
                             "evaluator_config": {"sample_weights": [1.0, 2.0]}},
     "evaluator_config['sample_weights'] has 2 values but the data has 4 rows; give one weight per row."),
    (None, _frame().assign(pred=[1, 1, 1, 1], label=[1, 1, 1, 1]),
     {"targets": "label", "predictions": "pred", "model_type": "classifier"},
     "Evaluation dataset for classification must contain at least two unique labels, but only 1 unique "
     "labels were found ([1]). Please provide a 'label_list' parameter in 'evaluator_config' with all "
     "possible classes, e.g., evaluator_config={'label_list': [0, 1]}."),
    (Exploding(), _frame().assign(label=[0, 1, 2, 2]), {"targets": "label", "model_type": "classifier"},
     "The targets (or label_list) hold label(s) [2] that the model's predict_proba has no column for: "
     "its classes_ are [0, 1]. Drop the rows with labels the model never saw, or evaluate a model "
     "fitted on every class"),
    (Exploding(), _frame(), {"targets": "label", "model_type": "clasifier"},
     "Unsupported model_type 'clasifier'. Expected 'classifier', 'regressor', or None (with "
     "extra_metrics, to compute only those)."),
    (Exploding(), _frame(), {"targets": "label", "model_type": "question-answering"},
     "model_type 'question-answering' is an MLflow text/GenAI model type, which workbench does not "
     "evaluate yet."),
    (Exploding(), {"x": [1, 2]}, {"targets": "label", "model_type": "classifier"},
     "The data argument must be a pandas DataFrame, a 2-D numpy array, a list of rows or a workbench "
     "EvaluationDataset; got builtins.dict. Build a frame with pandas.DataFrame(data)."),
    (Exploding(), None, {"targets": "label", "model_type": "classifier"},
     "The data argument cannot be None"),
    (Exploding(), _frame(), {"model_type": "classifier"},
     "The targets argument must be specified for classifier models"),
    (Exploding(), _frame(), {"targets": "label"},
     "The extra_metrics argument must be specified when model_type is None"),
    (None, _frame(), {"targets": "label", "model_type": "classifier"},
     "Either a model or set of predictions must be specified in order to use the default evaluator: "
     "pass model=..., or predictions='<column of data with the model's outputs>'."),
    (Exploding(), _frame().assign(label=["a", "b", "a", "b"]), {"targets": "label", "model_type": "regressor"},
     "A regressor's targets must be numbers, got values of dtype object (e.g. 'a'). Use "
     "model_type='classifier' for labels."),
    (Exploding(), _frame(), {"targets": "label", "model_type": "classifier",
                             "evaluator_config": {"pos_label": 5, "label_list": [0, 1]}},
     "'pos_label' 5 must exist in 'label_list' [0, 1]."),
    (Exploding(), _frame(), {"targets": "label", "model_type": "classifier",
                             "evaluator_config": {"average": "mean"}},
     "evaluator_config['average'] must be one of ['weighted', 'macro', 'micro'], got 'mean'."),
    (Exploding(), _frame(), {"targets": "label", "model_type": "classifier",
                             "evaluator_config": {"explainability_algorithm": "magic"}},
     "Specified explainer algorithm magic is unsupported. Currently only support "
     "exact,permutation,partition,kernel algorithms"),
    (None, _frame().assign(pred=["0", "1", "1", "1"]),
     {"targets": "label", "predictions": "pred", "model_type": "classifier"},
     "The labels mix types ['int', 'str']"),
    (Exploding(), _frame(), {"targets": "label", "model_type": "classifier", "env_manager": "conda"},
     "env_manager='conda' (restoring the model's environment) is not supported yet"),
    (Exploding(), _frame(), {"targets": "label", "model_type": "classifier", "extra_metrics": [len]},
     "In the 'extra_metrics' parameter, the following metrics have the wrong type:"),
    (Exploding(), _frame(), {"targets": "label", "model_type": "classifier", "custom_artifacts": len},
     "custom_artifacts must be a list of functions"),
    (Exploding(), _frame(), {"targets": "label", "model_type": "classifier", "evaluators": "nope"},
     "Could not find a registered model evaluator for: 'nope'."),
    (Exploding(), _frame(), {"targets": "label", "model_type": "classifier", "predictions": "pred",
                             "evaluator_config": {"probability_columns": "x"}},
     "evaluator_config['probability_columns'] names static probability columns, so it needs model=None"),
])
def test_bad_input_is_refused_before_any_work(model, data, kwargs, message):
    with pytest.raises(WorkbenchException) as info:
        evaluate(model, data, **kwargs)
    assert message in str(info.value)


def test_dataset_and_top_level_targets_conflict():
    ds = EvaluationDataset(_frame(), targets="label", predictions="pred")
    with pytest.raises(WorkbenchException, match="The top-level targets parameter should not be specified"):
        evaluate(data=ds, targets="label", model_type="classifier")
    with pytest.raises(WorkbenchException, match="The top-level predictions parameter should not be specified"):
        evaluate(data=ds, predictions="pred", model_type="classifier")
    with pytest.raises(WorkbenchException, match="has a predictions column but a model is given too"):
        evaluate(Exploding(), ds, model_type="classifier")


# --------------------------------------------------------------------------- models by URI, imports


def test_model_uri_and_pyfunc_model(tmp_path, iris):
    import workbench.pyfunc
    import workbench.sklearn

    X, y, model = iris
    path = str(tmp_path / "iris_model")
    workbench.sklearn.save_model(model, path, input_example=X.iloc[:2])
    data = X.assign(species=y)
    direct = evaluate(model, data, targets="species", model_type="classifier", evaluator_config=NO_SHAP)
    by_uri = evaluate(path, data, targets="species", model_type="classifier", evaluator_config=NO_SHAP)
    loaded = evaluate(workbench.pyfunc.load_model(path), data, targets="species",
                      model_type="classifier", evaluator_config=NO_SHAP)
    assert by_uri.metrics == direct.metrics == loaded.metrics
    assert by_uri.model["kind"] == "pyfunc" and by_uri.model["uri"] == path
    assert by_uri.model["signature"]["inputs"]


def test_inference_params_reach_a_pyfunc_model(tmp_path):
    import workbench.pyfunc
    from workbench.models import ModelSignature
    from workbench.types import ParamSchema, ParamSpec

    class Shift(workbench.pyfunc.PythonModel):
        def predict(self, context, model_input, params=None):
            return model_input["x"] + (params or {}).get("shift", 0.0)

    path = str(tmp_path / "shift")
    signature = ModelSignature(inputs=None, params=ParamSchema([ParamSpec("shift", "double", 0.0)]))
    workbench.pyfunc.save_model(path, python_model=Shift(), signature=signature)
    df = pd.DataFrame({"x": [1.0, 2.0], "y": [2.0, 3.0]})
    m = evaluate(path, df, targets="y", model_type="regressor", inference_params={"shift": 1.0},
                 evaluator_config=NO_SHAP).metrics
    assert m["mean_absolute_error"] == 0.0


def test_import_is_light():
    import subprocess
    import sys

    code = ("import sys, workbench.evaluation, workbench.evaluation.evaluators; "
            "heavy = {'numpy', 'pandas', 'sklearn', 'shap', 'mlflow', 'tqdm', 'IPython'}; "
            "print(sorted(heavy & {m.split('.')[0] for m in sys.modules}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_signature_is_the_seeds():
    import inspect

    assert str(inspect.signature(evaluate)).replace("'", "") == (
        "(model: Any = None, data: Any = None, *, model_type: str | None = None, targets: Any = None, "
        "predictions: str | None = None, dataset_path: str | None = None, "
        "feature_names: list[str] | None = None, evaluators: str | list[str] | None = None, "
        "evaluator_config: dict[str, Any] | None = None, custom_metrics: list[Any] | None = None, "
        "extra_metrics: list[Any] | None = None, custom_artifacts: list[Any] | None = None, "
        "validation_thresholds: dict[str, Any] | None = None, baseline_model: Any = None, "
        "env_manager: str = local, model_config: dict[str, Any] | None = None, "
        "baseline_config: dict[str, Any] | None = None, "
        "inference_params: dict[str, Any] | None = None) -> Any"
    )
    names = list(inspect.signature(evaluate).parameters)
    assert names == ["model", "data", "model_type", "targets", "predictions", "dataset_path",
                     "feature_names", "evaluators", "evaluator_config", "custom_metrics",
                     "extra_metrics", "custom_artifacts", "validation_thresholds", "baseline_model",
                     "env_manager", "model_config", "baseline_config", "inference_params"]


def test_result_saves_and_loads(tmp_path, cancer):
    X, y, _ = cancer
    forest = RandomForestClassifier(n_estimators=5, max_depth=3, random_state=0).fit(X, y)

    def sample(eval_df, builtin_metrics, artifacts_dir):
        return {"pred_sample": eval_df.head(5)}

    weights = np.ones(len(X))
    result = evaluate(forest, X.assign(label=y), targets="label", model_type="classifier",
                      custom_artifacts=[sample],
                      evaluator_config={"explainability_nsamples": 20, "sample_weights": weights})
    assert result.config["sample_weights"] == f"<{len(X)} sample weights>"
    result.save(tmp_path / "res")
    loaded = EvaluationResult.load(tmp_path / "res")
    assert loaded == result
    assert loaded.metrics == result.metrics and loaded.timings == result.timings


def test_public_namespace_is_sorted_and_resolves():
    import workbench.evaluation as ev

    assert ev.__all__ == sorted(ev.__all__)
    for name in ev.__all__:
        assert getattr(ev, name).__module__.startswith("workbench"), name
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        ev.nope  # noqa: B018
