"""A pyfunc model's column signature chooses the columns the model sees.

MLflow 3.17.2 is the oracle where it works: on a pyfunc model that predicts through pyfunc
(schema enforcement drops extra columns) it evaluates a frame with extra columns. On a saved
scikit-learn model it hands every non-target column to the raw estimator, which refuses the
names it was not fitted on; there workbench gives the metrics MLflow gives on the model's
own columns.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_breast_cancer, load_diabetes
from sklearn.linear_model import LogisticRegression

import mlflow  # the oracle: a test dependency, never skipped
import mlflow.pyfunc
import mlflow.sklearn
import workbench.pyfunc
import workbench.sklearn
from workbench import WorkbenchException
from workbench.evaluation import evaluate
from workbench.evaluation._predictor import predict_outputs, resolve_predictor
from workbench.models import ModelSignature, infer_signature
from workbench.types import ColSpec, Schema, TensorSpec

NO_SHAP = {"log_model_explainability": False}


@pytest.fixture(autouse=True)
def _isolated(tmp_path, monkeypatch, mlflow_file_store):
    monkeypatch.setenv("WORKBENCH_LOG_EVALUATIONS", "0")
    monkeypatch.setenv("WORKBENCH_TRUST_STORE", str(tmp_path / "trust" / "trusted.sqlite"))
    monkeypatch.delenv("WORKBENCH_TRUSTED_LOCATIONS", raising=False)
    yield


@pytest.fixture(scope="module")
def cancer():
    X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    X, y = X.iloc[:200, :4], y.iloc[:200]
    return X, y, LogisticRegression(max_iter=5000).fit(X, y)


def _with_extras(X, y):
    """The features in reverse order, the label, an id and a text column."""
    frame = X[list(reversed(X.columns))].copy()
    frame["label"] = y.to_numpy()
    frame["row_id"] = np.arange(len(frame))
    frame["split"] = "test"
    return frame


def _assert_same(ours, theirs):
    assert set(theirs) <= set(ours), sorted(set(theirs) - set(ours))
    for name, value in theirs.items():
        assert math.isclose(float(ours[name]), float(value), rel_tol=1e-9, abs_tol=1e-12), (
            name, ours[name], value)


# --------------------------------------------------------------------------- the predictor


def test_raw_estimator_gets_the_signature_columns_in_order(cancer, tmp_path):
    X, y, model = cancer
    path = tmp_path / "m"
    workbench.sklearn.save_model(model, path, signature=infer_signature(X, model.predict(X)))
    p = resolve_predictor(str(path))
    assert p.kind == "pyfunc" and p.input_columns == list(X.columns)
    assert p.required_columns == list(X.columns)
    frame = _with_extras(X, y)
    out = predict_outputs(p, frame.drop(columns="label"), model_type="classifier")
    # (the same numbers up to the summation order of another memory layout)
    np.testing.assert_allclose(out.y_proba, model.predict_proba(X), rtol=1e-12)
    np.testing.assert_array_equal(out.y_pred, model.predict(X))
    # predict, predict_proba and score given directly cut the frame too
    assert p.score(frame, y) == model.score(X, y) > 0.8
    assert p.predict(frame).tolist() == model.predict(X).tolist()
    assert p.input_columns_in(frame.columns) == list(X.columns)
    assert p.select_inputs(X) is X  # already the model's columns: no copy


def test_python_model_sees_only_the_signature_columns(tmp_path):
    class Columns(workbench.pyfunc.PythonModel):
        def predict(self, context, model_input, params=None):
            return [",".join(model_input.columns)] * len(model_input)

    signature = ModelSignature(Schema([ColSpec("double", "b"), ColSpec("double", "a")]))
    workbench.pyfunc.save_model(str(tmp_path / "pm"), python_model=Columns(), signature=signature)
    p = resolve_predictor(str(tmp_path / "pm"))
    assert p.input_columns == ["b", "a"]
    frame = pd.DataFrame({"id": [1, 2], "a": [0.1, 0.2], "b": [1.0, 2.0], "note": ["x", "y"]})
    out = predict_outputs(p, frame, model_type=None)
    assert out.y_pred.tolist() == ["b,a", "b,a"]


def test_optional_columns_may_be_absent(tmp_path):
    class Columns(workbench.pyfunc.PythonModel):
        def predict(self, context, model_input, params=None):
            return [",".join(model_input.columns)] * len(model_input)

    signature = ModelSignature(Schema([ColSpec("double", "a"), ColSpec("double", "c", required=False)]))
    workbench.pyfunc.save_model(str(tmp_path / "pm"), python_model=Columns(), signature=signature)
    p = resolve_predictor(str(tmp_path / "pm"))
    assert p.input_columns == ["a", "c"] and p.required_columns == ["a"]
    assert predict_outputs(p, pd.DataFrame({"z": [0], "a": [1.0]}), model_type=None).y_pred.tolist() == ["a"]
    both = pd.DataFrame({"c": [2.0], "z": [0], "a": [1.0]})
    assert predict_outputs(p, both, model_type=None).y_pred.tolist() == ["a,c"]
    with pytest.raises(WorkbenchException) as info:
        p.input_columns_in(["c", "z"])
    assert str(info.value) == (
        "Model is missing inputs ['a']. The data's columns are ['c', 'z']; the model's signature "
        "declares the input columns ['a', 'c'] (optional: ['c']). Add the missing columns to the "
        "data (or rename the columns that hold them)."
    )


def test_missing_required_column_is_named_with_the_data_columns(cancer, tmp_path):
    X, y, model = cancer
    workbench.sklearn.save_model(model, tmp_path / "m", signature=infer_signature(X, model.predict(X)))
    frame = _with_extras(X, y).drop(columns="mean texture")
    with pytest.raises(WorkbenchException) as info:
        evaluate(str(tmp_path / "m"), frame, targets="label", model_type="classifier",
                 evaluator_config=NO_SHAP)
    assert info.value.error_code == "INVALID_PARAMETER_VALUE"
    assert str(info.value) == (
        "Model is missing inputs ['mean texture']. The data's columns are ['mean area', "
        "'mean perimeter', 'mean radius', 'row_id', 'split']; the model's signature declares the "
        "input columns ['mean radius', 'mean texture', 'mean perimeter', 'mean area']. Add the "
        "missing columns to the data (or rename the columns that hold them)."
    )


def test_long_column_lists_are_cut(tmp_path):
    names = [f"f{i}" for i in range(40)]
    signature = ModelSignature(Schema([ColSpec("double", n) for n in names]))
    workbench.pyfunc.save_model(str(tmp_path / "pm"), python_model=lambda df: df["f0"],
                                signature=signature, pip_requirements=["pandas"])
    p = resolve_predictor(str(tmp_path / "pm"))
    with pytest.raises(WorkbenchException) as info:
        p.input_columns_in(names[1:] + ["id"])
    message = str(info.value)
    assert message.startswith("Model is missing inputs ['f0']. The data's columns are ['f1', 'f2', ")
    assert "'f30', ... (10 more)]" in message and "'f29', ... (10 more)]" in message


def test_without_a_column_signature_the_model_gets_the_features_as_they_are(cancer, tmp_path):
    X, y, model = cancer
    workbench.sklearn.save_model(model, tmp_path / "plain")  # no signature
    p = resolve_predictor(str(tmp_path / "plain"))
    assert p.input_columns is None and p.input_columns_in(["x"]) is None
    frame = _with_extras(X, y)
    assert p.select_inputs(frame) is frame
    # scikit-learn refuses the extra names, as it does in MLflow: now a WorkbenchException
    with pytest.raises(WorkbenchException, match="Feature names unseen at fit time") as info:
        predict_outputs(p, frame.drop(columns="label"), model_type="classifier")
    assert isinstance(info.value.__cause__, ValueError)
    # a tensor signature names no columns either
    tensor = ModelSignature(Schema([TensorSpec(np.dtype("float64"), (-1, 4))]))
    workbench.sklearn.save_model(model, tmp_path / "tensor", signature=tensor)
    assert resolve_predictor(str(tmp_path / "tensor")).input_columns is None


def test_array_data_is_left_alone(cancer, tmp_path):
    X, y, model = cancer
    workbench.sklearn.save_model(model, tmp_path / "m", signature=infer_signature(X, model.predict(X)))
    p = resolve_predictor(str(tmp_path / "m"))
    array = X.to_numpy()
    assert p.select_inputs(array) is array


# --------------------------------------------------------------------------- evaluate


def test_evaluate_a_saved_sklearn_model_on_a_frame_with_extra_columns(cancer, tmp_path):
    X, y, model = cancer
    uri = str(tmp_path / "m")
    workbench.sklearn.save_model(model, uri, signature=infer_signature(X, model.predict(X)))
    plain = evaluate(model, X.assign(label=y.to_numpy()), targets="label", model_type="classifier",
                     evaluator_config=NO_SHAP)
    extra = evaluate(uri, _with_extras(X, y), targets="label", model_type="classifier",
                     evaluator_config=NO_SHAP)
    _assert_same(extra.metrics, plain.metrics)
    assert set(extra.metrics) == set(plain.metrics)
    assert extra.metrics["score"] == model.score(X, y)


# --------------------------------------------------------------------------- MLflow as the oracle


def test_mlflow_sklearn_model_with_extra_columns_matches_mlflow_on_its_columns(cancer, tmp_path, monkeypatch):
    X, y, model = cancer
    uri = str(tmp_path / "mlflow_model")
    mlflow.sklearn.save_model(model, uri, serialization_format="cloudpickle",
                              signature=mlflow.models.infer_signature(X, model.predict(X)),
                              pip_requirements=["scikit-learn"])
    monkeypatch.setenv("WORKBENCH_TRUSTED_LOCATIONS", str(tmp_path))
    frame = _with_extras(X, y)
    # MLflow 3.17.2 gives the raw estimator every non-target column, and scikit-learn refuses:
    with pytest.raises(ValueError, match="Feature names unseen at fit time"):
        mlflow.models.evaluate(uri, frame, targets="label", model_type="classifier",
                               evaluator_config=NO_SHAP)
    theirs = mlflow.models.evaluate(uri, frame, targets="label", model_type="classifier",
                                    feature_names=list(X.columns), evaluator_config=NO_SHAP).metrics
    ours = evaluate(uri, frame, targets="label", model_type="classifier", evaluator_config=NO_SHAP).metrics
    assert "roc_auc" in theirs and "score" in theirs
    _assert_same(ours, theirs)


class _MlflowLinear(mlflow.pyfunc.PythonModel):
    """Fails on any column but its own two (so extra columns would show)."""

    def predict(self, context, model_input, params=None):
        assert list(model_input.columns) == ["bmi", "bp"], list(model_input.columns)
        return 150.0 + 900.0 * model_input["bmi"].to_numpy() + 400.0 * model_input["bp"].to_numpy()


def test_mlflow_python_model_with_extra_columns_matches_mlflow(tmp_path, monkeypatch):
    X, y = load_diabetes(return_X_y=True, as_frame=True)
    frame = X[["sex", "bp", "age", "bmi"]].iloc[:150]
    frame = frame.assign(target=y.iloc[:150].to_numpy(), id=np.arange(150))
    uri = str(tmp_path / "py_model")
    signature = mlflow.models.ModelSignature(mlflow.types.Schema(
        [mlflow.types.ColSpec("double", "bmi"), mlflow.types.ColSpec("double", "bp")]))
    mlflow.pyfunc.save_model(uri, python_model=_MlflowLinear(), signature=signature,
                             pip_requirements=["mlflow"])
    monkeypatch.setenv("WORKBENCH_TRUSTED_LOCATIONS", str(tmp_path))
    monkeypatch.setenv("MLFLOW_ALLOW_PICKLE_DESERIALIZATION", "true")
    theirs = mlflow.models.evaluate(uri, frame, targets="target", model_type="regressor",
                                    evaluator_config=NO_SHAP).metrics
    ours = evaluate(uri, frame, targets="target", model_type="regressor", evaluator_config=NO_SHAP).metrics
    assert "mean_squared_error" in theirs
    _assert_same(ours, theirs)
    predicted = 150.0 + 900.0 * frame["bmi"] + 400.0 * frame["bp"]
    assert ours["mean_squared_error"] == pytest.approx(float(((frame["target"] - predicted) ** 2).mean()))


def test_shap_explains_the_signature_columns_of_a_saved_model(cancer, tmp_path):
    """A text column among the extras would stop SHAP ("numeric features"): the explanation sees
    the model's columns, in the signature's order, with the values of explaining the estimator."""
    X, y, model = cancer
    uri = str(tmp_path / "m")
    workbench.sklearn.save_model(model, uri, signature=infer_signature(X, model.predict(X)))
    shap_on = {"log_model_explainability": True}
    extra = evaluate(uri, _with_extras(X, y), targets="label", model_type="classifier",
                     evaluator_config=shap_on)
    plain = evaluate(model, X.assign(label=y.to_numpy()), targets="label", model_type="classifier",
                     evaluator_config=shap_on)
    assert extra.explanation is not None, extra
    assert extra.explanation.feature_names == list(X.columns)
    np.testing.assert_allclose(extra.explanation.shap_values, plain.explanation.shap_values, rtol=1e-12, atol=1e-12)
    assert np.abs(extra.explanation.shap_values).sum() > 0
