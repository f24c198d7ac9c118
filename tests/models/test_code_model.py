"""Models from code: the seed's set_model / ModelConfig example, trust, errors."""

from __future__ import annotations

import textwrap

import pandas as pd
import pytest
import yaml

import workbench.pyfunc
from workbench import WorkbenchException
from workbench.models import Model
from workbench.models._code_model import _last_model, read_trusted_code, set_model

SEED_MODEL = """
import workbench
import workbench.pyfunc
from workbench.models._config import ModelConfig
from workbench.models._code_model import set_model

config = ModelConfig(development_config={"key1": "value1"})


class TestModel(workbench.pyfunc.PythonModel):
    def predict(self, context, model_input, params=None):
        return config.get("key1")


set_model(TestModel())
"""


@pytest.fixture(autouse=True)
def trust_store(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBENCH_TRUST_STORE", str(tmp_path / "trust" / "trusted.sqlite"))
    monkeypatch.delenv("WORKBENCH_TRUSTED_LOCATIONS", raising=False)


def _write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


def test_seed_example_with_model_config_override(tmp_path):
    code = _write(tmp_path, "agent.py", SEED_MODEL)
    path = tmp_path / "model"
    workbench.pyfunc.save_model(path, python_model=str(code), model_config={"key1": "value2"})
    loaded_model = workbench.pyfunc.load_model(path)
    # "value2": the model_config passed while saving the model, not the development one.
    assert loaded_model.predict(None) == "value2"


def test_model_directory_layout(tmp_path):
    code = _write(tmp_path, "agent.py", SEED_MODEL)
    path = tmp_path / "model"
    workbench.pyfunc.save_model(path, python_model=code, model_config={"key1": "value2"}, input_example=["a"])
    assert (path / "agent.py").read_text() == code.read_text()
    assert not (path / "python_model.pkl").exists()
    mlmodel = yaml.safe_load((path / "MLmodel").read_text())
    conf = mlmodel["flavors"]["python_function"]
    assert conf["loader_module"] == "mlflow.pyfunc.loaders.code_model"
    assert conf["model_code_path"] == str(code)
    assert conf["config"] == {"key1": "value2"}
    assert "python_model" not in conf and conf["code"] is None
    assert mlmodel["signature"]["outputs"] == '[{"type": "string", "required": true}]'


def test_the_development_config_is_used_when_the_file_runs_by_hand(tmp_path):
    namespace: dict = {}
    exec(compile(SEED_MODEL, "agent.py", "exec"), namespace)
    assert namespace["config"].get("key1") == "value1"
    assert _last_model[0].predict(None, None) == "value1"


def test_saving_without_model_config_fails_when_the_file_reads_one(tmp_path):
    code = _write(tmp_path, "agent.py", SEED_MODEL)
    with pytest.raises(WorkbenchException, match="saved\\) without a model_config"):
        workbench.pyfunc.save_model(tmp_path / "model", python_model=str(code))
    assert not (tmp_path / "model").exists()


def test_model_config_at_load_overrides_saved_keys(tmp_path):
    code = _write(tmp_path, "agent.py", SEED_MODEL)
    path = tmp_path / "model"
    workbench.pyfunc.save_model(path, python_model=str(code), model_config={"key1": "value2"})
    assert workbench.pyfunc.load_model(path, model_config={"key1": "value3"}).predict(None) == "value3"


def test_a_function_set_as_model(tmp_path):
    code = _write(
        tmp_path,
        "double.py",
        """
        from workbench.models._code_model import set_model

        def double(model_input):
            return model_input * 2

        set_model(double)
        """,
    )
    path = tmp_path / "model"
    workbench.pyfunc.save_model(path, python_model=str(code), input_example=pd.DataFrame({"x": [1.0]}))
    assert workbench.pyfunc.load_model(path).predict(pd.DataFrame({"x": [2.0]}))["x"].tolist() == [4.0]


def test_artifacts_and_context_config_reach_a_code_model(tmp_path):
    (tmp_path / "greeting.txt").write_text("hello")
    code = _write(
        tmp_path,
        "greeter.py",
        """
        import workbench.pyfunc
        from workbench.models._code_model import set_model

        class Greeter(workbench.pyfunc.PythonModel):
            def load_context(self, context):
                with open(context.artifacts["greeting"]) as fh:
                    self.greeting = fh.read()
                self.name = context.model_config["name"]

            def predict(self, context, model_input, params=None):
                return f"{self.greeting} {self.name}"

        set_model(Greeter())
        """,
    )
    path = tmp_path / "model"
    workbench.pyfunc.save_model(
        path, python_model=str(code), artifacts={"greeting": str(tmp_path / "greeting.txt")}, model_config={"name": "Ada"}
    )
    assert workbench.pyfunc.load_model(path).predict(None) == "hello Ada"


def test_loading_twice_runs_the_file_twice(tmp_path):
    code = _write(tmp_path, "agent.py", SEED_MODEL)
    path = tmp_path / "model"
    workbench.pyfunc.save_model(path, python_model=str(code), model_config={"key1": "v"})
    first = workbench.pyfunc.load_model(path).unwrap_python_model()
    second = workbench.pyfunc.load_model(path).unwrap_python_model()
    assert first is not second and type(first) is not type(second)


# --------------------------------------------------------------------------- trust


def test_model_code_from_elsewhere_needs_trust(tmp_path, monkeypatch):
    code = _write(tmp_path, "agent.py", SEED_MODEL)
    path = tmp_path / "model"
    workbench.pyfunc.save_model(path, python_model=str(code), model_config={"key1": "v"})
    monkeypatch.setenv("WORKBENCH_TRUST_STORE", str(tmp_path / "other" / "trusted.sqlite"))
    with pytest.raises(WorkbenchException) as info:
        workbench.pyfunc.load_model(path)
    assert info.value.error_code == "PERMISSION_DENIED"
    assert "Refusing to run model code from" in info.value.message
    assert "executes that Python file" in info.value.message
    assert "trusted=True" in info.value.message
    assert workbench.pyfunc.load_model(path, trusted=True).predict(None) == "v"
    monkeypatch.setenv("WORKBENCH_TRUSTED_LOCATIONS", str(path))
    assert workbench.pyfunc.load_model(path).predict(None) == "v"


def test_edited_model_code_is_no_longer_trusted(tmp_path):
    code = _write(tmp_path, "agent.py", SEED_MODEL)
    path = tmp_path / "model"
    workbench.pyfunc.save_model(path, python_model=str(code), model_config={"key1": "v"})
    with open(path / "agent.py", "a") as fh:
        fh.write("\nimport os  # added later\n")
    with pytest.raises(WorkbenchException, match="Refusing to run model code"):
        workbench.pyfunc.load_model(path)


def test_read_trusted_code_missing_file(tmp_path):
    with pytest.raises(WorkbenchException, match="there is no such file") as info:
        read_trusted_code(tmp_path / "nope.py", trusted=True)
    assert info.value.error_code == "RESOURCE_DOES_NOT_EXIST"


def test_code_path_in_mlmodel_cannot_escape_the_model(tmp_path):
    code = _write(tmp_path, "agent.py", SEED_MODEL)
    path = tmp_path / "model"
    workbench.pyfunc.save_model(path, python_model=str(code), model_config={"key1": "v"})
    mlmodel = yaml.safe_load((path / "MLmodel").read_text())
    mlmodel["flavors"]["python_function"]["model_code_path"] = "/somewhere/.."
    (path / "MLmodel").write_text(yaml.safe_dump(mlmodel))
    with pytest.raises(WorkbenchException, match="Refusing path"):
        workbench.pyfunc.load_model(path, trusted=True)


# --------------------------------------------------------------------------- errors


def test_set_model_refuses_a_path():
    with pytest.raises(WorkbenchException, match="set_model expects the model object") as info:
        set_model("model.py")
    assert info.value.error_code == "INVALID_PARAMETER_VALUE"
    with pytest.raises(WorkbenchException, match="got int"):
        set_model(3)


def test_a_file_that_sets_no_model(tmp_path):
    code = _write(tmp_path, "empty.py", "x = 1\n")
    with pytest.raises(WorkbenchException, match="did not set a model"):
        workbench.pyfunc.save_model(tmp_path / "model", python_model=str(code))


def test_a_missing_file_suggests_the_py_suffix(tmp_path):
    _write(tmp_path, "agent.py", SEED_MODEL)
    with pytest.raises(WorkbenchException, match="Did you mean") as info:
        workbench.pyfunc.save_model(tmp_path / "model", python_model=str(tmp_path / "agent"))
    assert info.value.error_code == "INVALID_PARAMETER_VALUE"


def test_a_failing_file_names_itself(tmp_path):
    code = _write(tmp_path, "broken.py", "raise ValueError('boom')\n")
    with pytest.raises(WorkbenchException, match=r"Failed to run the model code from '.*broken.py': ValueError: boom"):
        workbench.pyfunc.save_model(tmp_path / "model", python_model=str(code))


def test_an_import_error_says_what_to_install(tmp_path):
    code = _write(tmp_path, "needs.py", "import not_a_real_package_xyz\n")
    with pytest.raises(WorkbenchException, match="Failed to import the model code"):
        workbench.pyfunc.save_model(tmp_path / "model", python_model=str(code))


def test_metadata_survives(tmp_path):
    code = _write(tmp_path, "agent.py", SEED_MODEL)
    path = tmp_path / "model"
    workbench.pyfunc.save_model(path, python_model=str(code), model_config={"key1": "v"}, metadata={"team": "nlp"})
    assert Model.load(path).metadata == {"team": "nlp"}
    assert workbench.pyfunc.load_model(path).metadata.metadata == {"team": "nlp"}
