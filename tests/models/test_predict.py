"""predict() in this process (env_manager="local"): inputs, outputs and argument errors."""

import datetime as dt
import io
import json
import os

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

import workbench.sklearn
from workbench import WorkbenchException
from workbench.models._predict import predict, predictions_to_json

pytestmark = pytest.mark.filterwarnings("ignore:.*[Ii]nteger column:UserWarning")

X = pd.DataFrame({"a": [0.0, 1.0, 2.0, 3.0], "b": [1.0, 0.0, 1.0, 0.0]})
Y = [0, 0, 1, 1]
EXPECTED = '{"predictions": [0, 0, 1, 1]}'


@pytest.fixture(autouse=True)
def trust_store(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBENCH_TRUST_STORE", str(tmp_path / "trust.sqlite"))


@pytest.fixture
def model_dir(tmp_path):
    path = tmp_path / "model"
    workbench.sklearn.save_model(LogisticRegression().fit(X, Y), path, input_example=X.head(2))
    return path


# ------------------------------------------------------------------ inputs and outputs


def test_json_input_data_to_stdout(model_dir, capsys):
    assert predict(model_dir, input_data=X, env_manager="local") is None
    assert capsys.readouterr().out == EXPECTED


def test_json_input_data_to_file(model_dir, tmp_path, capsys):
    out = tmp_path / "out" / "predictions.json"
    out.parent.mkdir()
    predict(str(model_dir), input_data=X, output_path=str(out), env_manager="local")
    assert out.read_text() == EXPECTED
    assert capsys.readouterr().out == ""
    assert os.listdir(out.parent) == ["predictions.json"]


@pytest.mark.parametrize(
    "body",
    [
        {"dataframe_split": {"columns": ["a", "b"], "data": X.values.tolist()}},
        {"dataframe_records": X.to_dict(orient="records")},
        {"inputs": {"a": X["a"].tolist(), "b": X["b"].tolist()}},
    ],
    ids=["split", "records", "inputs"],
)
def test_json_input_path(model_dir, tmp_path, capsys, body):
    path = tmp_path / "input.json"
    path.write_text(json.dumps(body))
    predict(model_dir, input_path=path, env_manager="local")
    assert capsys.readouterr().out == EXPECTED


def test_json_input_data_as_dict_and_list_of_records(model_dir, capsys):
    predict(model_dir, input_data={"a": [0.0, 3.0], "b": [1.0, 0.0]}, env_manager="local")
    assert capsys.readouterr().out == '{"predictions": [0, 1]}'


def test_csv_input_data_string_and_frame(model_dir, capsys):
    predict(model_dir, input_data=X.to_csv(index=False), content_type="csv", env_manager="local")
    assert capsys.readouterr().out == EXPECTED
    predict(model_dir, input_data=X, content_type="csv", env_manager="local")
    assert capsys.readouterr().out == EXPECTED
    predict(model_dir, input_data=X.to_dict(orient="list"), content_type="csv", env_manager="local")
    assert capsys.readouterr().out == EXPECTED


def test_csv_input_path_to_file(model_dir, tmp_path):
    path = tmp_path / "input.csv"
    X.to_csv(path, index=False)
    out = tmp_path / "predictions.json"
    predict(model_dir, input_path=str(path), content_type="csv", output_path=out, env_manager="local")
    assert json.loads(out.read_text()) == {"predictions": Y}


def test_input_is_enforced_against_the_signature(model_dir):
    with pytest.raises(WorkbenchException) as err:
        predict(model_dir, input_data=pd.DataFrame({"a": [1.0]}), env_manager="local")
    assert "b" in err.value.message


def test_an_existing_output_file_is_replaced(model_dir, tmp_path):
    out = tmp_path / "predictions.json"
    out.write_text("old")
    predict(model_dir, input_data=X, output_path=out, env_manager="local")
    assert out.read_text() == EXPECTED


# ------------------------------------------------------------------ argument errors


def _error(**kwargs):
    with pytest.raises(WorkbenchException) as err:
        predict(**kwargs)
    return err.value


def test_both_or_neither_input(model_dir, tmp_path):
    err = _error(model_uri=model_dir, input_data=X, input_path=tmp_path / "x.json", env_manager="local")
    assert err.message == (
        "Both input_data and input_path are provided. Only one of them should be specified."
    )
    assert err.error_code == "INVALID_PARAMETER_VALUE"
    assert "Neither input_data nor input_path" in _error(model_uri=model_dir, env_manager="local").message


def test_content_type(model_dir):
    err = _error(model_uri=model_dir, input_data=X, content_type="parquet", env_manager="local")
    assert err.message.startswith("Content type must be one of json or csv")


def test_csv_input_of_the_wrong_type(model_dir):
    err = _error(model_uri=model_dir, input_data=np.zeros((2, 2)), content_type="csv", env_manager="local")
    assert "when content type is 'csv', but got ndarray" in err.message


def test_json_input_of_the_wrong_type(model_dir):
    err = _error(model_uri=model_dir, input_data=object(), env_manager="local")
    assert err.message.startswith("Invalid input data, please make sure the data is acceptable")


def test_env_managers(model_dir):
    err = _error(model_uri=model_dir, input_data=X, env_manager="conda")
    assert err.error_code == "NOT_IMPLEMENTED" and "conda" in err.message
    err = _error(model_uri=model_dir, input_data=X, env_manager="docker")
    assert err.message.startswith("Invalid value for `env_manager`: 'docker'")


def test_extra_envs_are_refused_with_local(model_dir):
    err = _error(model_uri=model_dir, input_data=X, env_manager="local", extra_envs={"A": "1"})
    assert err.message.startswith(
        "Extra environment variables are only supported when env_manager is set to "
        "'virtualenv', 'conda' or 'uv'"
    )


def test_extra_envs_must_be_strings(model_dir):
    err = _error(model_uri=model_dir, input_data=X, env_manager="uv", extra_envs={"A": 1})
    assert "Expected extra_envs as a dict of str to str" in err.message


def test_missing_input_file_and_output_directory(model_dir, tmp_path):
    err = _error(model_uri=model_dir, input_path=tmp_path / "none.json", env_manager="local")
    assert err.error_code == "RESOURCE_DOES_NOT_EXIST" and "none.json" in err.message
    err = _error(model_uri=model_dir, input_data=X, output_path=tmp_path / "no" / "o.json", env_manager="local")
    assert err.error_code == "RESOURCE_DOES_NOT_EXIST" and "does not exist" in err.message
    err = _error(model_uri=model_dir, input_data=X, output_path=tmp_path, env_manager="local")
    assert "Expected output_path to name a file" in err.message


def test_missing_model(tmp_path):
    err = _error(model_uri=tmp_path / "nope", input_data=X, env_manager="local")
    assert err.error_code == "RESOURCE_DOES_NOT_EXIST"


def test_uv_missing_is_a_clear_error(model_dir, monkeypatch, tmp_path):
    import workbench.models._env as env

    monkeypatch.setattr(env.shutil, "which", lambda name: None)
    monkeypatch.setattr(env.sys, "executable", str(tmp_path / "bin" / "python"))
    err = _error(model_uri=model_dir, input_data=X, env_manager="uv")
    assert err.error_code == "RESOURCE_DOES_NOT_EXIST"
    assert "the 'uv' command is not found in the PATH" in err.message
    assert "Run `pip install uv` to install uv." in err.message


# ------------------------------------------------------------------ predictions_to_json


@pytest.mark.parametrize(
    ("predictions", "expected"),
    [
        (np.array([[1.5, 2.0]]), {"predictions": [[1.5, 2.0]]}),
        (pd.Series([1, 2], name="y"), {"predictions": [{"y": 1}, {"y": 2}]}),
        (pd.Series([1]), {"predictions": [{"0": 1}]}),
        (pd.DataFrame({"p": [0.25]}), {"predictions": [{"p": 0.25}]}),
        ([np.int64(3), np.float32(0.5), np.bool_(True)], {"predictions": [3, 0.5, True]}),
        ({"b": b"hi", "t": dt.date(2024, 1, 2)}, {"predictions": {"b": "aGk=\n", "t": "2024-01-02"}}),
        (np.array(["a", None], dtype=object), {"predictions": ["a", None]}),
        ("text", {"predictions": "text"}),
    ],
)
def test_predictions_to_json(predictions, expected):
    buffer = io.StringIO()
    text = predictions_to_json(predictions, buffer)
    assert buffer.getvalue() == text
    assert json.loads(text) == expected


# ------------------------------------------------------------------ params and chat bodies


class _Echo:
    """Built lazily so that importing this module does not need workbench.pyfunc."""

    @staticmethod
    def save(path, signature=None):
        import workbench.pyfunc

        class Echo(workbench.pyfunc.PythonModel):
            def predict(self, context, model_input, params=None):
                if isinstance(model_input, dict) and "messages" in model_input:
                    return {"choices": [{"message": model_input["messages"][-1]}]}
                return [float(v) * (params or {}).get("k", 1) for v in model_input["x"]]

        workbench.pyfunc.save_model(path, python_model=Echo(), signature=signature)
        return path


def test_params_reach_the_model(tmp_path, capsys):
    from workbench.models import ModelSignature
    from workbench.types import ColSpec, ParamSchema, ParamSpec, Schema

    signature = ModelSignature(
        inputs=Schema([ColSpec("double", "x")]), params=ParamSchema([ParamSpec("k", "long", 1)])
    )
    path = _Echo.save(tmp_path / "echo", signature)
    predict(path, input_data=(pd.DataFrame({"x": [1.0, 2.0]}), {"k": 3}), env_manager="local")
    assert capsys.readouterr().out == '{"predictions": [3.0, 6.0]}'
    body = tmp_path / "body.json"
    body.write_text('{"dataframe_records": [{"x": 1.5}], "params": {"k": 2}}')
    predict(path, input_path=body, env_manager="local")
    assert capsys.readouterr().out == '{"predictions": [3.0]}'


def test_chat_bodies_are_answered_unwrapped(tmp_path, capsys):
    path = _Echo.save(tmp_path / "chat")
    body = tmp_path / "chat.json"
    body.write_text('{"messages": [{"role": "user", "content": "hi"}]}')
    predict(path, input_path=body, env_manager="local")
    assert json.loads(capsys.readouterr().out) == {
        "choices": [{"message": {"role": "user", "content": "hi"}}]
    }
