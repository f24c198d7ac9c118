"""validate_serving_input: what /invocations would predict, and its 400 errors, without a server."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

import workbench.pyfunc
import workbench.sklearn
from workbench import WorkbenchException
from workbench.models import convert_input_example_to_serving_input, validate_serving_input
from workbench.models._validate_serving_input import (
    KIND_JSON,
    MODEL_ERROR_MESSAGE,
    NESTED_TOO_DEEP_MESSAGE,
    RequestScorer,
)

pytestmark = pytest.mark.filterwarnings("ignore:.*[Ii]nteger column:UserWarning")

X = pd.DataFrame({"a": [0.0, 1.0, 2.0, 3.0], "b": [1.0, 0.0, 1.0, 0.5]})
Y = [0, 0, 1, 1]


@pytest.fixture(scope="module")
def fitted():
    return LogisticRegression().fit(X, Y)


@pytest.fixture(scope="module")
def model_path(tmp_path_factory, fitted):
    path = tmp_path_factory.mktemp("vsi") / "model"
    workbench.sklearn.save_model(fitted, path, input_example=X.head(2))
    return path


def test_seed_example(model_path, fitted):
    # MLflow's documented use, with `mlflow` replaced by `workbench`:
    #   serving_input = convert_input_example_to_serving_input(input_example)
    #   validate_serving_input(model_uri, serving_input)
    serving_input = convert_input_example_to_serving_input(X)
    predictions = validate_serving_input(str(model_path), serving_input)
    np.testing.assert_array_equal(predictions, fitted.predict(X))


@pytest.mark.parametrize("form", ["str", "bytes", "dict"])
def test_body_forms(model_path, fitted, form):
    body = {"dataframe_records": X.to_dict(orient="records")}
    value = {"str": json.dumps(body), "bytes": json.dumps(body).encode(), "dict": body}[form]
    np.testing.assert_array_equal(validate_serving_input(model_path, value), fitted.predict(X))


def test_the_saved_serving_example_validates(model_path, fitted):
    text = (model_path / "serving_input_example.json").read_text()
    np.testing.assert_array_equal(validate_serving_input(model_path, text), fitted.predict(X.head(2)))


BAD_BODIES = [
    b'{"inputs": [1, 2',
    b"[1, 2, 3]",
    b"42",
    json.dumps({"dataframe_records": X.to_dict(orient="records"), "instances": []}).encode(),
    b'{"params": {}}',
    b'{"dataframe_split": [[1, 2]]}',
    b'{"dataframe_records": [{"a": "x", "b": 1.0}]}',
    b'{"dataframe_records": [{"c": 1.0}]}',
    ("[" * 100_000 + "]" * 100_000).encode(),
    b'{"inputs": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
]


@pytest.mark.parametrize("index", range(len(BAD_BODIES)))
def test_errors_are_the_servers_400_messages(model_path, index):
    body = BAD_BODIES[index]
    status, answer = RequestScorer(workbench.pyfunc.load_model(model_path))(KIND_JSON, body)
    served = json.loads(answer)
    assert status == 400
    with pytest.raises(WorkbenchException) as info:
        validate_serving_input(model_path, body.decode())
    assert info.value.message == served["message"]
    assert info.value.error_code == served["error_code"]
    assert info.value.get_http_status_code() == 400


def test_deep_nesting_message(model_path):
    with pytest.raises(WorkbenchException, match="nested too deeply") as info:
        validate_serving_input(model_path, "[" * 100_000 + "]" * 100_000)
    assert info.value.message in (NESTED_TOO_DEEP_MESSAGE,) or "Received a list" in info.value.message


class Broken(workbench.pyfunc.PythonModel):
    def predict(self, context, model_input, params=None):
        raise ZeroDivisionError("secret detail")


def test_model_error_is_the_servers_message_with_the_cause(tmp_path):
    workbench.pyfunc.save_model(tmp_path / "broken", python_model=Broken(), input_example=X.head(1))
    with pytest.raises(WorkbenchException) as info:
        validate_serving_input(tmp_path / "broken", {"dataframe_records": [{"a": 1.0, "b": 2.0}]})
    assert info.value.message == MODEL_ERROR_MESSAGE
    assert info.value.error_code == "BAD_REQUEST"
    assert isinstance(info.value.__cause__, ZeroDivisionError)
    # the server answers the same, without the detail
    scorer = RequestScorer(workbench.pyfunc.load_model(tmp_path / "broken"))
    status, answer = scorer(KIND_JSON, b'{"dataframe_records": [{"a": 1.0, "b": 2.0}]}')
    assert status == 400 and json.loads(answer)["message"] == MODEL_ERROR_MESSAGE
    assert b"secret detail" not in answer


@pytest.mark.parametrize("bad", [None, 42, ["dataframe_split"], X])
def test_serving_input_of_the_wrong_type(model_path, bad):
    with pytest.raises(WorkbenchException, match="Expected serving_input as a JSON string or a dict") as info:
        validate_serving_input(model_path, bad)
    assert info.value.error_code == "INVALID_PARAMETER_VALUE"


def test_missing_model(tmp_path):
    with pytest.raises(WorkbenchException) as info:
        validate_serving_input(tmp_path / "nope", "{}")
    assert info.value.error_code == "RESOURCE_DOES_NOT_EXIST"


def test_matches_mlflow(tmp_path, fitted, monkeypatch):
    import mlflow.models
    import mlflow.sklearn

    path = tmp_path / "mlflow-model"
    mlflow.sklearn.save_model(fitted, path, serialization_format="cloudpickle", input_example=X.head(2))
    monkeypatch.setenv("WORKBENCH_TRUSTED_LOCATIONS", str(tmp_path))
    body = json.dumps({"dataframe_split": X.to_dict(orient="split", index=False)})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = mlflow.models.validate_serving_input(str(path), body)
    ours = validate_serving_input(path, body)
    np.testing.assert_array_equal(ours, theirs)
