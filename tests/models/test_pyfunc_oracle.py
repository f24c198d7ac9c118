"""MLflow 3.17.2 as the oracle: pyfunc model directories move both ways.

mlflow is imported here (a test dependency), never by workbench.
"""

from __future__ import annotations


import numpy as np
import pandas as pd
import pytest
import yaml

import mlflow
import mlflow.pyfunc
import workbench.pyfunc


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBENCH_TRUST_STORE", str(tmp_path / "trust" / "trusted.sqlite"))
    monkeypatch.delenv("WORKBENCH_TRUSTED_LOCATIONS", raising=False)
    monkeypatch.delenv("MLFLOW_ALLOW_PICKLE_DESERIALIZATION", raising=False)


class MlflowScaler(mlflow.pyfunc.PythonModel):
    def load_context(self, context):
        with open(context.artifacts["factor"]) as fh:
            self.factor = float(fh.read())
        self.offset = context.model_config["offset"]

    def predict(self, context, model_input, params=None):
        scale = (params or {}).get("scale", 1.0)
        return model_input["x"].to_numpy() * self.factor * scale + self.offset


class WorkbenchScaler(workbench.pyfunc.PythonModel):
    def load_context(self, context):
        with open(context.artifacts["factor"]) as fh:
            self.factor = float(fh.read())
        self.offset = context.model_config["offset"]

    def predict(self, context, model_input, params=None):
        scale = (params or {}).get("scale", 1.0)
        return model_input["x"].to_numpy() * self.factor * scale + self.offset


class MlflowUpper(mlflow.pyfunc.PythonModel):
    def predict(self, context, model_input: list[str], params=None) -> list[str]:
        return [text.upper() for text in model_input]


class WorkbenchUpper(workbench.pyfunc.PythonModel):
    def predict(self, context, model_input: list[str], params=None) -> list[str]:
        return [text.upper() for text in model_input]


MLFLOW_CODE = """
import mlflow
from mlflow.models import ModelConfig

config = ModelConfig(development_config={"key1": "value1"})


class TestModel(mlflow.pyfunc.PythonModel):
    def predict(self, context, model_input, params=None):
        return [config.get("key1") + ":" + str(x) for x in model_input["x"]]


mlflow.models.set_model(TestModel())
"""

WORKBENCH_CODE = """
import workbench.pyfunc
from workbench.models._config import ModelConfig
from workbench.models._code_model import set_model

config = ModelConfig(development_config={"key1": "value1"})


class TestModel(workbench.pyfunc.PythonModel):
    def predict(self, context, model_input, params=None):
        return [config.get("key1") + ":" + str(x) for x in model_input["x"]]


set_model(TestModel())
"""

DATA = pd.DataFrame({"x": [1.0, 2.5, -3.0]})
PARAMS = {"scale": 2.0}


def _flavor(path):
    return yaml.safe_load((path / "MLmodel").read_text())["flavors"]["python_function"]


def _mlmodel(path):
    return yaml.safe_load((path / "MLmodel").read_text())


def _kinds(value):
    """The shape of a value: dicts by their keys, everything else by its type."""
    if isinstance(value, dict):
        return {key: _kinds(item) for key, item in value.items()}
    return type(value).__name__


@pytest.fixture
def factor_file(tmp_path):
    path = tmp_path / "src" / "factor.txt"
    path.parent.mkdir()
    path.write_text("3")
    return path


def _scaler_kwargs(factor_file):
    signature = mlflow.models.infer_signature(DATA, np.zeros(3), params={"scale": 1.0})
    return {
        "artifacts": {"factor": str(factor_file)},
        "model_config": {"offset": 0.5},
        "input_example": DATA,
        "signature": signature,
    }


def _workbench_signature():
    from workbench.models import infer_signature

    return infer_signature(DATA, np.zeros(3), params={"scale": 1.0})


# --------------------------------------------------------------------------- MLflow -> workbench


def test_mlflow_python_model_loads_here_with_trust(tmp_path, factor_file):
    path = tmp_path / "mlflow_model"
    mlflow.pyfunc.save_model(path, python_model=MlflowScaler(), **_scaler_kwargs(factor_file))
    with pytest.raises(workbench.WorkbenchException) as info:
        workbench.pyfunc.load_model(path)  # this machine did not write the pickle
    assert info.value.error_code == "PERMISSION_DENIED"
    ours = workbench.pyfunc.load_model(path, trusted=True)
    theirs = _mlflow_load(path)
    np.testing.assert_allclose(ours.predict(DATA), theirs.predict(DATA))
    np.testing.assert_allclose(ours.predict(DATA, params=PARAMS), theirs.predict(DATA, params=PARAMS))
    np.testing.assert_allclose(ours.predict(DATA, params=PARAMS), DATA["x"] * 6 + 0.5)
    assert ours.model_config == theirs.model_config == {"offset": 0.5}


def _mlflow_load(path, monkeypatch=None):
    import os

    os.environ["MLFLOW_ALLOW_PICKLE_DESERIALIZATION"] = "true"
    try:
        return mlflow.pyfunc.load_model(str(path))
    finally:
        del os.environ["MLFLOW_ALLOW_PICKLE_DESERIALIZATION"]


def test_mlflow_type_hinted_and_function_models_load_here(tmp_path):
    def shout(model_input: list[str]) -> list[str]:
        return [text + "!" for text in model_input]

    for name, python_model, inputs in (
        ("upper", MlflowUpper(), ["a", "b"]),
        ("shout", shout, ["hey"]),
    ):
        path = tmp_path / name
        mlflow.pyfunc.save_model(path, python_model=python_model, input_example=["x"])
        ours = workbench.pyfunc.load_model(path, trusted=True)
        theirs = _mlflow_load(path)
        assert ours.predict(inputs) == theirs.predict(inputs)
        frame = pd.DataFrame({"text": inputs})
        assert ours.predict(frame) == theirs.predict(frame)


def test_mlflow_models_from_code_load_here(tmp_path):
    code = tmp_path / "agent.py"
    code.write_text(MLFLOW_CODE)
    path = tmp_path / "mlflow_code_model"
    mlflow.pyfunc.save_model(path, python_model=str(code), model_config={"key1": "value2"}, input_example=DATA)
    with pytest.raises(workbench.WorkbenchException, match="Refusing to run model code"):
        workbench.pyfunc.load_model(path)
    ours = workbench.pyfunc.load_model(path, trusted=True)
    theirs = mlflow.pyfunc.load_model(str(path))
    assert ours.predict(DATA) == theirs.predict(DATA) == ["value2:1.0", "value2:2.5", "value2:-3.0"]
    overridden = workbench.pyfunc.load_model(path, trusted=True, model_config={"key1": "value3"})
    assert overridden.predict(DATA)[0] == "value3:1.0"


# --------------------------------------------------------------------------- workbench -> MLflow


def test_our_models_from_code_load_in_mlflow(tmp_path):
    code = tmp_path / "agent.py"
    code.write_text(WORKBENCH_CODE)
    path = tmp_path / "our_code_model"
    workbench.pyfunc.save_model(path, python_model=str(code), model_config={"key1": "value2"}, input_example=DATA)
    theirs = mlflow.pyfunc.load_model(str(path))
    ours = workbench.pyfunc.load_model(path)
    assert theirs.predict(DATA) == ours.predict(DATA) == ["value2:1.0", "value2:2.5", "value2:-3.0"]
    assert theirs.metadata.signature.to_dict() == ours.metadata.signature.to_dict()


def test_our_pickled_python_model_loads_in_mlflow_when_it_allows_pickles(tmp_path, factor_file):
    path = tmp_path / "our_model"
    kwargs = _scaler_kwargs(factor_file) | {"signature": _workbench_signature()}
    workbench.pyfunc.save_model(path, python_model=WorkbenchScaler(), **kwargs)
    theirs = _mlflow_load(path)
    ours = workbench.pyfunc.load_model(path)
    np.testing.assert_allclose(theirs.predict(DATA, params=PARAMS), ours.predict(DATA, params=PARAMS))

    upper = tmp_path / "upper"
    workbench.pyfunc.save_model(upper, python_model=WorkbenchUpper(), input_example=["x"])
    assert _mlflow_load(upper).predict(["a", "b"]) == ["A", "B"]


# --------------------------------------------------------------------------- formats


def test_python_model_flavor_dict_matches_mlflows(tmp_path, factor_file):
    theirs, ours = tmp_path / "theirs", tmp_path / "ours"
    mlflow.pyfunc.save_model(theirs, python_model=MlflowScaler(), **_scaler_kwargs(factor_file))
    workbench.pyfunc.save_model(ours, python_model=WorkbenchScaler(), **(_scaler_kwargs(factor_file) | {"signature": _workbench_signature()}))
    assert _kinds(_flavor(ours)) == _kinds(_flavor(theirs))
    for key in ("loader_module", "python_model", "artifacts", "config", "env", "code", "streamable", "cloudpickle_version", "python_version"):
        assert _flavor(ours)[key] == _flavor(theirs)[key], key
    for key in ("signature", "saved_input_example_info", "is_signature_from_type_hint", "type_hint_from_example"):
        assert _mlmodel(ours)[key] == _mlmodel(theirs)[key], key
    assert sorted(p.name for p in ours.iterdir()) == sorted(p.name for p in theirs.iterdir())


def test_models_from_code_flavor_dict_matches_mlflows(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    mlflow_code, our_code = tmp_path / "a" / "agent.py", tmp_path / "b" / "agent.py"
    mlflow_code.write_text(MLFLOW_CODE)
    our_code.write_text(WORKBENCH_CODE)
    theirs, ours = tmp_path / "theirs", tmp_path / "ours"
    mlflow.pyfunc.save_model(theirs, python_model=str(mlflow_code), model_config={"key1": "v"}, input_example=DATA)
    workbench.pyfunc.save_model(ours, python_model=str(our_code), model_config={"key1": "v"}, input_example=DATA)
    assert _kinds(_flavor(ours)) == _kinds(_flavor(theirs))
    assert _flavor(ours)["loader_module"] == _flavor(theirs)["loader_module"]
    assert _flavor(ours)["model_code_path"] == str(our_code)
    assert _flavor(theirs)["model_code_path"] == str(mlflow_code)
    for key in ("signature", "saved_input_example_info", "is_signature_from_type_hint"):
        assert _mlmodel(ours)[key] == _mlmodel(theirs)[key], key
    assert sorted(p.name for p in ours.iterdir()) == sorted(p.name for p in theirs.iterdir())


def test_type_hinted_model_mlmodel_matches_mlflows(tmp_path):
    theirs, ours = tmp_path / "theirs", tmp_path / "ours"
    mlflow.pyfunc.save_model(theirs, python_model=MlflowUpper(), input_example=["a"])
    workbench.pyfunc.save_model(ours, python_model=WorkbenchUpper(), input_example=["a"])
    assert _kinds(_flavor(ours)) == _kinds(_flavor(theirs))
    for key in ("signature", "saved_input_example_info", "is_signature_from_type_hint", "type_hint_from_example"):
        assert _mlmodel(ours)[key] == _mlmodel(theirs)[key], key
    for name in ("input_example.json", "serving_input_example.json"):
        assert (ours / name).read_text() == (theirs / name).read_text()
