"""PythonModel and function models: save, load, predict, artifacts, config, trust."""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
import pytest
import yaml

import workbench.pyfunc
from workbench import WorkbenchException
from workbench.models import Model, ModelSignature, infer_signature
from workbench.models._python_model import (
    PythonModelContext,
    _FunctionPythonModel,
    check_python_model,
    copy_artifacts,
    signature_from_type_hints,
)
from workbench.types import ColSpec, ParamSchema, ParamSpec, Schema


@pytest.fixture(autouse=True)
def trust_store(tmp_path, monkeypatch):
    path = tmp_path / "trust" / "trusted.sqlite"
    monkeypatch.setenv("WORKBENCH_TRUST_STORE", str(path))
    monkeypatch.delenv("WORKBENCH_TRUSTED_LOCATIONS", raising=False)
    return path


class Vocabulary(workbench.pyfunc.PythonModel):
    """Reads an artifact and the configuration at load time."""

    def load_context(self, context):
        with open(context.artifacts["vocab"], encoding="utf-8") as fh:
            self.words = fh.read().split()
        self.suffix = context.model_config["suffix"]

    def predict(self, context, model_input, params=None):
        return [self.words[i] + self.suffix for i in model_input["index"]]


class Threshold(workbench.pyfunc.PythonModel):
    """A classifier with probabilities and a params-driven threshold."""

    def predict(self, context, model_input, params=None):
        cut = (params or {}).get("threshold", 0.5)
        return (model_input["x"] > cut).astype(int).to_numpy()

    def predict_proba(self, context, model_input, params=None):
        p = np.clip(model_input["x"].to_numpy(), 0.0, 1.0)
        return np.column_stack([1 - p, p])


class NoContext(workbench.pyfunc.PythonModel):
    def predict(self, model_input, params=None):
        return {"n": len(model_input), "params": params}


class Upper(workbench.pyfunc.PythonModel):
    def predict(self, context, model_input: list[str], params=None) -> list[str]:
        return [text.upper() for text in model_input]


def _mlmodel(path):
    return yaml.safe_load((path / "MLmodel").read_text())


@pytest.fixture
def vocab_file(tmp_path):
    path = tmp_path / "src" / "vocab.txt"
    path.parent.mkdir()
    path.write_text("zero one two three", encoding="utf-8")
    return path


def test_save_load_predict_with_artifacts_and_config(tmp_path, vocab_file):
    path = tmp_path / "model"
    workbench.pyfunc.save_model(
        path, python_model=Vocabulary(), artifacts={"vocab": str(vocab_file)}, model_config={"suffix": "!"}
    )
    assert sorted(os.listdir(path)) == [
        "MLmodel", "artifacts", "conda.yaml", "python_env.yaml", "python_model.pkl", "requirements.txt",
    ]
    conf = _mlmodel(path)["flavors"]["python_function"]
    assert conf["loader_module"] == "mlflow.pyfunc.model"
    assert conf["python_model"] == "python_model.pkl"
    assert conf["artifacts"] == {"vocab": {"path": "artifacts/vocab.txt", "uri": str(vocab_file)}}
    assert conf["config"] == {"suffix": "!"}
    assert conf["code"] is None and conf["streamable"] is False
    assert conf["env"] == {"conda": "conda.yaml", "virtualenv": "python_env.yaml"}
    assert (path / "requirements.txt").read_text().startswith("cloudpickle==")

    vocab_file.unlink()  # the model uses its own copy
    model = workbench.pyfunc.load_model(path)
    assert model.predict(pd.DataFrame({"index": [3, 1]})) == ["three!", "one!"]
    assert model.model_config == {"suffix": "!"}
    assert isinstance(model.unwrap_python_model(), Vocabulary)
    context = model._model_impl.context
    assert os.path.isabs(context.artifacts["vocab"])
    assert context.artifacts["vocab"].endswith(os.path.join("artifacts", "vocab.txt"))


def test_model_config_from_a_yaml_file_is_stored_as_a_mapping(tmp_path, vocab_file):
    config = tmp_path / "config.yaml"
    config.write_text("suffix: '?'\n")
    path = tmp_path / "model"
    workbench.pyfunc.save_model(path, python_model=Vocabulary(), artifacts={"vocab": str(vocab_file)}, model_config=str(config))
    assert _mlmodel(path)["flavors"]["python_function"]["config"] == {"suffix": "?"}
    assert workbench.pyfunc.load_model(path).predict(pd.DataFrame({"index": [0]})) == ["zero?"]


def test_model_config_override_at_load(tmp_path, vocab_file, caplog):
    path = tmp_path / "model"
    workbench.pyfunc.save_model(path, python_model=Vocabulary(), artifacts={"vocab": str(vocab_file)}, model_config={"suffix": "!"})
    model = workbench.pyfunc.load_model(path, model_config={"suffix": "?", "unknown": 1})
    assert model.predict(pd.DataFrame({"index": [2]})) == ["two?"]
    assert model.model_config == {"suffix": "?"}
    assert "unknown" in caplog.text


def test_predict_proba_is_exposed_when_the_model_has_it(tmp_path):
    path = tmp_path / "model"
    data = pd.DataFrame({"x": [0.2, 0.9]})
    workbench.pyfunc.save_model(path, python_model=Threshold(), input_example=data)
    model = workbench.pyfunc.load_model(path)
    assert hasattr(model, "predict_proba")
    np.testing.assert_allclose(model.predict_proba(data), [[0.8, 0.2], [0.1, 0.9]])
    assert model.predict(data).tolist() == [0, 1]


def test_predict_proba_is_absent_otherwise(tmp_path):
    path = tmp_path / "model"
    workbench.pyfunc.save_model(path, python_model=NoContext())
    model = workbench.pyfunc.load_model(path)
    assert not hasattr(model, "predict_proba")
    with pytest.raises(AttributeError, match="has no predict_proba"):
        model.predict_proba([1])


def test_predict_proba_input_is_enforced_too(tmp_path):
    path = tmp_path / "model"
    workbench.pyfunc.save_model(path, python_model=Threshold(), input_example=pd.DataFrame({"x": [0.2]}))
    with pytest.raises(WorkbenchException, match="Failed to enforce the model's input schema") as info:
        workbench.pyfunc.load_model(path).predict_proba(pd.DataFrame({"y": [0.1]}))
    assert info.value.error_code == "INVALID_PARAMETER_VALUE"


def test_signature_inferred_from_the_example(tmp_path):
    path = tmp_path / "model"
    workbench.pyfunc.save_model(path, python_model=Threshold(), input_example=pd.DataFrame({"x": [0.2, 0.9]}))
    signature = Model.load(path).signature
    assert signature.to_dict()["inputs"] == '[{"type": "double", "name": "x", "required": true}]'
    assert signature.to_dict()["outputs"] == '[{"type": "long", "required": true}]'


def test_schema_enforcement_refuses_a_bad_batch(tmp_path):
    path = tmp_path / "model"
    signature = ModelSignature(Schema([ColSpec("double", "x")]), Schema([ColSpec("long")]))
    workbench.pyfunc.save_model(path, python_model=Threshold(), signature=signature)
    model = workbench.pyfunc.load_model(path)
    assert model.predict(pd.DataFrame({"x": [0.7], "extra": ["dropped"]})).tolist() == [1]
    with pytest.raises(WorkbenchException) as info:
        model.predict(pd.DataFrame({"x": ["not a number"]}))
    assert info.value.error_code == "INVALID_PARAMETER_VALUE"
    assert "Failed to enforce the model's input schema on the data (DataFrame of shape (1, 1))" in info.value.message
    assert "Incompatible input types for column x" in info.value.message
    with pytest.raises(WorkbenchException, match=r"Model is missing inputs \['x'\]"):
        model.predict(pd.DataFrame({"y": [1.0]}))


def test_params_pass_through_with_defaults(tmp_path):
    path = tmp_path / "model"
    data = pd.DataFrame({"x": [0.2, 0.6]})
    signature = infer_signature(data, np.array([0, 1]), params={"threshold": 0.5})
    workbench.pyfunc.save_model(path, python_model=Threshold(), signature=signature, input_example=data)
    model = workbench.pyfunc.load_model(path)
    assert model.predict(data).tolist() == [0, 1]
    assert model.predict(data, params={"threshold": 0.1}).tolist() == [1, 1]
    with pytest.raises(WorkbenchException, match="threshold"):
        model.predict(data, params={"threshold": "high"})


def test_params_reach_a_model_without_context(tmp_path):
    path = tmp_path / "model"
    signature = ModelSignature(params=ParamSchema([ParamSpec("k", "long", 3)]))
    workbench.pyfunc.save_model(path, python_model=NoContext(), signature=signature)
    model = workbench.pyfunc.load_model(path)
    assert model.predict([1, 2]) == {"n": 2, "params": {"k": 3}}
    assert model.predict([1], params={"k": 7}) == {"n": 1, "params": {"k": 7}}


def test_example_that_does_not_match_the_signature_is_refused(tmp_path):
    path = tmp_path / "model"
    signature = ModelSignature(Schema([ColSpec("double", "x")]))
    with pytest.raises(WorkbenchException, match="Input example does not match the model signature"):
        workbench.pyfunc.save_model(path, python_model=Threshold(), signature=signature, input_example=pd.DataFrame({"y": [1.0]}))
    assert not path.exists()


def test_list_str_type_hint_gives_the_signature_and_converts_input(tmp_path):
    path = tmp_path / "model"
    workbench.pyfunc.save_model(path, python_model=Upper(), input_example=["a"])
    mlmodel = _mlmodel(path)
    assert mlmodel["is_signature_from_type_hint"] is True
    assert mlmodel["signature"]["inputs"] == '[{"type": "string", "required": true}]'
    assert mlmodel["signature"]["outputs"] == '[{"type": "string", "required": true}]'
    model = workbench.pyfunc.load_model(path)
    assert model.predict(["a", "b"]) == ["A", "B"]
    assert model.predict(pd.DataFrame({"n": [1], "text": ["c"]})) == ["C"]
    with pytest.raises(WorkbenchException, match="expected a list of str, got str"):
        model.predict("a")
    with pytest.raises(WorkbenchException, match="item 0 is int"):
        model.predict([1, "b"])


def test_function_model(tmp_path):
    def add_one(model_input):
        return model_input + 1

    path = tmp_path / "model"
    workbench.pyfunc.save_model(path, python_model=add_one, input_example=pd.DataFrame({"x": [1.0]}))
    model = workbench.pyfunc.load_model(path)
    assert model.predict(pd.DataFrame({"x": [2.5]}))["x"].tolist() == [3.5]
    assert isinstance(model.unwrap_python_model(), _FunctionPythonModel)


def test_function_model_needs_an_example_or_requirements(tmp_path):
    with pytest.raises(WorkbenchException, match="at least one of input_example, pip_requirements"):
        workbench.pyfunc.save_model(tmp_path / "m", python_model=lambda x: x)
    workbench.pyfunc.save_model(tmp_path / "m2", python_model=lambda x: x, pip_requirements=["pandas"])
    assert (tmp_path / "m2" / "requirements.txt").read_text() == "pandas"


def test_function_with_two_arguments_is_refused():
    with pytest.raises(WorkbenchException, match="it takes 2"):
        check_python_model(lambda a, b: a)


def test_unsupported_python_model_is_refused(tmp_path):
    with pytest.raises(WorkbenchException, match="Expected python_model to be a workbench.pyfunc.PythonModel"):
        workbench.pyfunc.save_model(tmp_path / "m", python_model=42)


def test_unpicklable_model_says_to_use_models_from_code(tmp_path):
    class Holder(workbench.pyfunc.PythonModel):
        def __init__(self):
            import threading

            self.lock = threading.Lock()

        def predict(self, context, model_input, params=None):
            return model_input

    with pytest.raises(WorkbenchException, match="Save the model as code instead") as info:
        workbench.pyfunc.save_model(tmp_path / "m", python_model=Holder())
    assert info.value.error_code == "INVALID_PARAMETER_VALUE"
    assert not (tmp_path / "m").exists()


# --------------------------------------------------------------------------- trust


def _save_then_forget(tmp_path, monkeypatch):
    path = tmp_path / "model"
    workbench.pyfunc.save_model(path, python_model=NoContext())
    # Another machine (an empty trust store) did not write this pickle.
    monkeypatch.setenv("WORKBENCH_TRUST_STORE", str(tmp_path / "other" / "trusted.sqlite"))
    return path


def test_a_pickle_this_machine_wrote_loads(tmp_path):
    path = tmp_path / "model"
    workbench.pyfunc.save_model(path, python_model=NoContext())
    assert workbench.pyfunc.load_model(path).predict([1]) == {"n": 1, "params": None}


def test_a_foreign_pickle_is_refused_with_the_opt_in_message(tmp_path, monkeypatch):
    path = _save_then_forget(tmp_path, monkeypatch)
    with pytest.raises(WorkbenchException) as info:
        workbench.pyfunc.load_model(path)
    assert info.value.error_code == "PERMISSION_DENIED"
    message = info.value.message
    assert "python_model.pkl" in message and "it is a pickle file" in message
    assert "trusted=True" in message and "WORKBENCH_TRUSTED_LOCATIONS" in message
    assert workbench.pyfunc.load_model(path, trusted=True).predict([1, 2])["n"] == 2


def test_trusted_locations_allow_a_foreign_pickle(tmp_path, monkeypatch):
    path = _save_then_forget(tmp_path, monkeypatch)
    monkeypatch.setenv("WORKBENCH_TRUSTED_LOCATIONS", str(tmp_path))
    assert workbench.pyfunc.load_model(path).predict([1])["n"] == 1


def test_trusted_false_refuses_even_our_own_pickle(tmp_path):
    path = tmp_path / "model"
    workbench.pyfunc.save_model(path, python_model=NoContext())
    with pytest.raises(WorkbenchException, match="trusted=False was passed"):
        workbench.pyfunc.load_model(path, trusted=False)


def test_a_tampered_pickle_is_refused(tmp_path):
    path = tmp_path / "model"
    workbench.pyfunc.save_model(path, python_model=NoContext())
    with open(path / "python_model.pkl", "ab") as fh:
        fh.write(b"\x00")
    with pytest.raises(WorkbenchException, match="Refusing to load python_model.pkl"):
        workbench.pyfunc.load_model(path)


def test_trusted_must_be_a_bool(tmp_path):
    path = tmp_path / "model"
    workbench.pyfunc.save_model(path, python_model=NoContext())
    with pytest.raises(WorkbenchException, match="trusted must be True, False or None"):
        workbench.pyfunc.load_model(path, trusted="yes")


def test_a_pickle_path_outside_the_model_is_refused(tmp_path):
    path = tmp_path / "model"
    workbench.pyfunc.save_model(path, python_model=NoContext())
    mlmodel = _mlmodel(path)
    mlmodel["flavors"]["python_function"]["python_model"] = "../elsewhere.pkl"
    (path / "MLmodel").write_text(yaml.safe_dump(mlmodel))
    with pytest.raises(WorkbenchException, match="it contains a '..' component"):
        workbench.pyfunc.load_model(path, trusted=True)


# --------------------------------------------------------------------------- artifacts


def test_artifacts_with_colliding_names_get_namespaces(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "data.csv").write_text("a")
    (tmp_path / "b" / "data.csv").write_text("b")
    (tmp_path / "other.txt").write_text("o")
    model_dir = tmp_path / "model"
    model_dir.mkdir()
    config = copy_artifacts(
        {
            "first": str(tmp_path / "a" / "data.csv"),
            "second": (tmp_path / "b" / "data.csv").as_uri(),
            "again": str(tmp_path / "a" / "data.csv"),
            "other": str(tmp_path / "other.txt"),
        },
        model_dir,
    )
    paths = {name: entry["path"] for name, entry in config.items()}
    assert paths["first"] == paths["again"] == "artifacts/0/data.csv"
    assert paths["second"] == "artifacts/1/data.csv"
    assert paths["other"] == "artifacts/other.txt"
    assert (model_dir / "artifacts" / "1" / "data.csv").read_text() == "b"


def test_artifact_directories_are_copied(tmp_path):
    source = tmp_path / "tokenizer"
    (source / "sub").mkdir(parents=True)
    (source / "sub" / "vocab.json").write_text("{}")
    model_dir = tmp_path / "model"
    model_dir.mkdir()
    config = copy_artifacts({"tok": str(source)}, model_dir)
    assert config["tok"]["path"] == "artifacts/tokenizer"
    assert (model_dir / "artifacts" / "tokenizer" / "sub" / "vocab.json").exists()


@pytest.mark.parametrize(
    ("artifacts", "code", "match"),
    [
        ({"x": "s3://bucket/file"}, "NOT_IMPLEMENTED", "only local paths and file:// URIs"),
        ({"x": "/definitely/not/here.txt"}, "RESOURCE_DOES_NOT_EXIST", "does not exist"),
        (["not", "a", "dict"], "INVALID_PARAMETER_VALUE", "Expected artifacts to be a dict"),
    ],
)
def test_bad_artifacts_are_refused(tmp_path, artifacts, code, match):
    with pytest.raises(WorkbenchException, match=match) as info:
        workbench.pyfunc.save_model(tmp_path / "m", python_model=NoContext(), artifacts=artifacts)
    assert info.value.error_code == code
    assert not (tmp_path / "m").exists()


def test_context_repr_and_properties():
    context = PythonModelContext({"a": "/x"}, None)
    assert context.artifacts == {"a": "/x"} and context.model_config is None
    assert repr(context) == "PythonModelContext(artifacts={'a': '/x'}, model_config=None)"


def test_base_predict_says_what_to_implement():
    with pytest.raises(NotImplementedError, match="must implement it"):
        workbench.pyfunc.PythonModel().predict(None, [1])


def test_signature_from_other_hints_is_none():
    class Frame(workbench.pyfunc.PythonModel):
        def predict(self, context, model_input: pd.DataFrame, params=None):
            return model_input

    assert signature_from_type_hints(Frame()) is None


def test_compressed_pickles_load(tmp_path):
    import gzip

    path = tmp_path / "model"
    workbench.pyfunc.save_model(path, python_model=NoContext())
    raw = (path / "python_model.pkl").read_bytes()
    (path / "python_model.pkl.gz").write_bytes(gzip.compress(raw))
    mlmodel = _mlmodel(path)
    conf = mlmodel["flavors"]["python_function"]
    conf["python_model"] = "python_model.pkl.gz"
    conf["python_model_compression"] = "gzip"
    (path / "MLmodel").write_text(yaml.safe_dump(mlmodel))
    assert workbench.pyfunc.load_model(path, trusted=True).predict([1])["n"] == 1
