"""resolve_predictor and the single prediction pass."""

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import load_breast_cancer, load_iris
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import LinearSVC

import workbench.pyfunc
from workbench import WorkbenchException
from workbench.evaluation._predictor import (
    CHECK_ROWS,
    extract_output_column,
    predict_outputs,
    resolve_predictor,
)


class Counting:
    """Wraps an estimator and counts calls (and rows) per method."""

    def __init__(self, est):
        self.est = est
        self.classes_ = getattr(est, "classes_", None)
        self.calls = {}

    def _count(self, name, X):
        self.calls.setdefault(name, []).append(len(X))

    def predict(self, X):
        self._count("predict", X)
        return self.est.predict(X)

    def predict_proba(self, X):
        self._count("predict_proba", X)
        return self.est.predict_proba(X)


class ThresholdAt(BaseEstimator, ClassifierMixin):
    """predict is not the argmax of predict_proba."""

    def __init__(self, est=None, threshold=0.9):
        self.est = est
        self.threshold = threshold

    def fit(self, X, y):
        self.classes_ = self.est.classes_
        return self

    def predict_proba(self, X):
        return self.est.predict_proba(X)

    def predict(self, X):
        return (self.est.predict_proba(X)[:, 1] > self.threshold).astype(int)


@pytest.fixture(scope="module")
def cancer():
    X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    model = LogisticRegression(solver="liblinear").fit(X, y)
    # 1,707 rows: more than the 1,000 rows on which predict is checked.
    X = pd.concat([X, X, X], ignore_index=True)
    return X, pd.concat([y, y, y], ignore_index=True), model


def test_estimator_predictor(cancer):
    X, y, model = cancer
    p = resolve_predictor(model)
    assert p.kind == "estimator" and p.raw is model
    assert p.classes_.tolist() == [0, 1] and p.default_score_metric == "accuracy_score"
    assert not p.wants_frame
    d = p.describe()
    assert d["kind"] == "estimator" and d["class"].endswith("LogisticRegression") and d["has_predict_proba"]


def test_score_kinds():
    X = np.arange(10.0).reshape(-1, 1)
    assert resolve_predictor(LinearRegression().fit(X, X[:, 0])).default_score_metric == "r2_score"
    pipe = make_pipeline(StandardScaler(), LinearRegression()).fit(X, X[:, 0])
    p = resolve_predictor(pipe)
    assert p.score is not None and p.default_score_metric is None  # Pipeline.score: called


def test_one_prediction_pass_when_predict_is_argmax(cancer):
    X, y, model = cancer
    wrapped = Counting(model)
    out = predict_outputs(resolve_predictor(wrapped), X, model_type="classifier")
    assert wrapped.calls == {"predict_proba": [len(X)], "predict": [CHECK_ROWS]}  # predict only on a sample
    assert np.array_equal(out.y_pred, model.predict(X))
    assert out.y_proba.shape == (len(X), 2)
    assert out.notes == []


def test_predict_is_called_when_it_disagrees_with_argmax(cancer):
    X, y, model = cancer
    est = ThresholdAt(model).fit(X, y)
    wrapped = Counting(est)
    out = predict_outputs(resolve_predictor(wrapped), X, model_type="classifier")
    assert wrapped.calls["predict_proba"] == [len(X)]
    assert wrapped.calls["predict"] == [CHECK_ROWS, len(X)]
    assert np.array_equal(out.y_pred, est.predict(X))
    assert "predict does not agree with the argmax of predict_proba" in out.notes[0]


def test_estimator_without_predict_proba(cancer):
    X, y, _ = cancer
    svc = LinearSVC().fit(X, y)
    out = predict_outputs(resolve_predictor(svc), X, model_type="classifier")
    assert out.y_proba is None and out.calls == {"predict": [len(X)]}


def test_regressor_calls_predict_once():
    X = np.arange(20.0).reshape(-1, 2)
    wrapped = Counting(LinearRegression().fit(X, X[:, 0]))
    predict_outputs(resolve_predictor(wrapped), X, model_type="regressor")
    assert wrapped.calls == {"predict": [10]}


def test_callable_gets_a_frame():
    seen = {}

    def fn(model_input):
        seen["type"] = type(model_input)
        return model_input["a"] * 2

    p = resolve_predictor(fn)
    assert p.kind == "callable" and p.wants_frame and p.predict_proba is None and p.score is None
    out = predict_outputs(p, pd.DataFrame({"a": [1, 2]}), model_type="regressor")
    assert seen["type"] is pd.DataFrame and out.y_pred.tolist() == [2, 4]


def test_pyfunc_model_wrapping_sklearn_uses_the_estimator(tmp_path):
    X, y = load_iris(return_X_y=True, as_frame=True)
    model = LogisticRegression(max_iter=1000).fit(X, y)
    import workbench.sklearn

    workbench.sklearn.save_model(model, str(tmp_path / "m"), input_example=X.iloc[:2])
    loaded = workbench.pyfunc.load_model(str(tmp_path / "m"))
    p = resolve_predictor(loaded)
    assert p.kind == "pyfunc" and p.predict_proba is not None and p.classes_.tolist() == [0, 1, 2]
    assert p.describe()["signature"] is not None
    p2 = resolve_predictor(str(tmp_path / "m"))
    assert p2.describe()["uri"] == str(tmp_path / "m")


def test_pyfunc_python_model_with_predict_proba(tmp_path):
    class Model(workbench.pyfunc.PythonModel):
        def predict(self, context, model_input, params=None):
            return (model_input["x"] > 0.5).astype(int)

        def predict_proba(self, context, model_input, params=None):
            p = model_input["x"].to_numpy()
            return np.column_stack([1 - p, p])

    workbench.pyfunc.save_model(str(tmp_path / "pm"), python_model=Model(),
                                input_example=pd.DataFrame({"x": [0.1]}))
    p = resolve_predictor(workbench.pyfunc.load_model(str(tmp_path / "pm")))
    assert p.kind == "pyfunc" and p.predict_proba is not None and p.classes_ is None
    out = predict_outputs(p, pd.DataFrame({"x": [0.2, 0.9]}), model_type="classifier")
    assert out.y_pred.tolist() == [0, 1] and out.y_proba.shape == (2, 2)


def test_multi_output_model_and_predictions_column():
    def fn(df):
        return pd.DataFrame({"answer": ["bar"] * len(df), "source": ["baz"] * len(df)})

    out = predict_outputs(resolve_predictor(fn), pd.DataFrame({"q": ["foo"]}), model_type=None,
                          output_column="answer")
    assert out.y_pred.tolist() == ["bar"] and list(out.other_outputs.columns) == ["source"]
    with pytest.raises(WorkbenchException, match="several output columns"):
        predict_outputs(resolve_predictor(fn), pd.DataFrame({"q": ["foo"]}), model_type=None)


def test_extract_output_column_forms():
    assert extract_output_column({"a": [1, 2]}, None)[0].tolist() == [1, 2]
    assert extract_output_column([{"a": 1}, {"a": 2}], None)[0].tolist() == [1, 2]
    with pytest.raises(WorkbenchException, match=r"The output column 'c' \(predictions=\) is not among"):
        extract_output_column(pd.DataFrame({"a": [1], "b": [2]}), "c")


@pytest.mark.parametrize("model, kwargs, message", [
    (42, {}, "The model argument must be a model URI or directory, a workbench.pyfunc.PyFuncModel, "
             "an object with a predict method (an estimator), a function, or None"),
    (lambda x: x, {"inference_params": {"k": 1}}, "inference_params are passed to a pyfunc model's"),
    (lambda x: x, {"model_config": {"k": 1}}, "model_config applies only when model is a model URI"),
])
def test_bad_models(model, kwargs, message):
    with pytest.raises(WorkbenchException) as info:
        resolve_predictor(model, **kwargs)
    assert message in str(info.value)


def test_model_config_with_a_loaded_pyfunc_model_is_refused(tmp_path):
    workbench.pyfunc.save_model(str(tmp_path / "f"), python_model=lambda df: df,
                                input_example=pd.DataFrame({"x": [1.0]}))
    loaded = workbench.pyfunc.load_model(str(tmp_path / "f"))
    with pytest.raises(WorkbenchException, match="model_config cannot be given with a loaded PyFuncModel"):
        resolve_predictor(loaded, model_config={"a": 1})


def test_callable_is_described_by_its_name():
    def my_model(df):
        return df

    assert resolve_predictor(my_model).describe()["class"].endswith("my_model")


# --------------------------------------------------------------------------- the model's own errors


def test_an_estimator_error_names_the_method_model_rows_and_columns():
    X = pd.DataFrame({"a": [0.0, 1.0, 2.0, 3.0], "b": [1.0, 0.0, 1.0, 0.0]})
    model = LogisticRegression().fit(X, [0, 1, 0, 1])
    bad = X.assign(a=[0.0, np.nan, 1.0, 2.0])
    with pytest.raises(WorkbenchException) as info:
        predict_outputs(resolve_predictor(model), bad, model_type="classifier")
    err = info.value
    hint = str(err).splitlines()[-1]
    assert str(err).startswith(
        "Calling predict_proba() of the model sklearn.linear_model._logistic.LogisticRegression "
        "failed on "
        "4 rows with the columns ['a', 'b']: ValueError: Input X contains NaN."
    )
    assert hint.startswith("Check that the data holds what the model was trained on")
    assert "feature_names=[...]" in hint and "call model.predict_proba(X.head())" in hint
    assert err.error_code == "INVALID_PARAMETER_VALUE"
    assert isinstance(err.__cause__, ValueError) and "Input X contains NaN" in str(err.__cause__)


def test_a_regressor_error_names_predict_and_the_array_shape():
    X = np.arange(20.0).reshape(-1, 2)
    model = LinearRegression().fit(X, X[:, 0])
    with pytest.raises(WorkbenchException) as info:
        predict_outputs(resolve_predictor(model), X[:, :1], model_type="regressor")
    assert str(info.value).startswith(
        "Calling predict() of the model sklearn.linear_model._base.LinearRegression failed on 10 rows of "
        "1 unnamed columns (a ndarray): ValueError: X has 1 features, but LinearRegression is "
        "expecting 2 features as input."
    )


def test_a_function_error_and_a_loaded_model_error(tmp_path):
    def scorer(df):
        return df["x"] / df["missing"]

    with pytest.raises(WorkbenchException) as info:
        predict_outputs(resolve_predictor(scorer), pd.DataFrame({"x": [1.0]}), model_type=None)
    assert str(info.value).startswith(
        f"Calling the model function {__name__}.test_a_function_error_and_a_loaded_model_error."
        "<locals>.scorer "
        "failed on 1 row with the columns ['x']: KeyError: 'missing'\n"
    )
    assert "call model(X.head())" in str(info.value)
    assert isinstance(info.value.__cause__, KeyError)

    class Broken(workbench.pyfunc.PythonModel):
        def predict(self, context, model_input, params=None):
            raise RuntimeError("the service is down")

    uri = str(tmp_path / "broken")
    workbench.pyfunc.save_model(uri, python_model=Broken(), input_example=pd.DataFrame({"x": [0.1]}))
    with pytest.raises(WorkbenchException) as info:
        predict_outputs(resolve_predictor(uri), pd.DataFrame({"x": [0.1, 0.2]}), model_type="regressor")
    assert str(info.value).startswith(
        f"Calling predict() of the model {__name__}.test_a_function_error_and_a_loaded_model_error."
        f"<locals>.Broken (pyfunc) loaded from {uri!r} failed on 2 rows with the columns ['x']: "
        "RuntimeError: the service is down\n"
    )


def test_long_model_errors_are_cut_and_kept_whole_as_the_cause():
    def chatty(df):
        raise ValueError("x" * 5000)

    with pytest.raises(WorkbenchException) as info:
        predict_outputs(resolve_predictor(chatty), pd.DataFrame({"x": [1.0]}), model_type=None)
    assert "x" * 1500 + " ... (cut; the whole error is this exception's __cause__)" in str(info.value)
    assert "x" * 1501 not in str(info.value)
    assert str(info.value.__cause__) == "x" * 5000


@pytest.mark.parametrize("error", [MemoryError(), KeyboardInterrupt(), SystemExit(2),
                                   WorkbenchException("the model's own words")])
def test_some_errors_pass_unchanged(error):
    def fn(df):
        raise error

    with pytest.raises(type(error)) as info:
        predict_outputs(resolve_predictor(fn), pd.DataFrame({"x": [1.0]}), model_type=None)
    assert info.value is error


def test_probabilities_that_are_not_numbers_are_refused():
    class Words(BaseEstimator, ClassifierMixin):
        classes_ = np.array([0, 1])

        def predict(self, X):
            return np.zeros(len(X), dtype=int)

        def predict_proba(self, X):
            return np.array([["low", "high"]] * len(X))

    message = (r"predict_proba must give class probabilities \(numbers\); got values that are not "
               r"numbers \(ValueError: could not convert")
    with pytest.raises(WorkbenchException, match=message):
        predict_outputs(resolve_predictor(Words()), np.zeros((3, 2)), model_type="classifier")
