"""PyFuncModel, load_model, add_to_model, the loader registry and save_model's argument rules."""

from __future__ import annotations

import os
import sys
import textwrap

import numpy as np
import pandas as pd
import pytest
import yaml

import workbench.pyfunc
from workbench import WorkbenchException
from workbench.models import Model
from workbench.models import _loaders, _pyfunc
from workbench.models._loaders import LOADERS, get_loader, register_loader
from workbench.models._pyfunc import PyFuncModel, add_to_model


@pytest.fixture(autouse=True)
def trust_store(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBENCH_TRUST_STORE", str(tmp_path / "trust" / "trusted.sqlite"))
    monkeypatch.delenv("WORKBENCH_TRUSTED_LOCATIONS", raising=False)


class Echo(workbench.pyfunc.PythonModel):
    def predict(self, context, model_input, params=None):
        return model_input


def _mlmodel(path):
    return yaml.safe_load((path / "MLmodel").read_text())


def _rewrite(path, edit):
    mlmodel = _mlmodel(path)
    edit(mlmodel)
    (path / "MLmodel").write_text(yaml.safe_dump(mlmodel))


# --------------------------------------------------------------------------- add_to_model


def test_add_to_model_writes_mlflows_keys():
    model = add_to_model(
        Model(), "mlflow.pyfunc.model", data="data/x", code="code", conda_env="conda.yaml",
        python_env="python_env.yaml", model_config={"k": 1}, model_code_path="/src/m.py", streamable=False,
    )
    conf = model.flavors["python_function"]
    assert conf == {
        "streamable": False,
        "loader_module": "mlflow.pyfunc.model",
        "python_version": conf["python_version"],
        "code": "code",
        "data": "data/x",
        "env": {"conda": "conda.yaml", "virtualenv": "python_env.yaml"},
        "config": {"k": 1},
        "model_code_path": "/src/m.py",
    }
    assert conf["python_version"].count(".") == 2


def test_add_to_model_leaves_out_empty_values():
    conf = add_to_model(Model(), "mlflow.sklearn").flavors["python_function"]
    assert sorted(conf) == ["loader_module", "python_version"]


# --------------------------------------------------------------------------- PyFuncModel


def test_repr_metadata_loader_module_and_equality(tmp_path):
    path = tmp_path / "model"
    workbench.pyfunc.save_model(path, python_model=Echo())
    model = workbench.pyfunc.load_model(path)
    assert repr(model) == "workbench.pyfunc.loaded_model:\n  flavor: mlflow.pyfunc.model\n"
    assert model.loader_module == "mlflow.pyfunc.model"
    assert model.metadata == Model.load(path)
    assert model.model_config == {}
    assert model == workbench.pyfunc.load_model(path)
    assert model.model_id is None


def test_repr_shows_run_and_artifact_path():
    meta = Model(run_id="abc", artifact_path="model").add_flavor("python_function", loader_module="x")
    assert repr(PyFuncModel(meta, Echo())) == (
        "workbench.pyfunc.loaded_model:\n  artifact_path: model\n  flavor: x\n  run_id: abc\n"
    )


def test_constructor_checks():
    meta = Model().add_flavor("python_function", loader_module="x")
    with pytest.raises(WorkbenchException, match="missing the required 'score' method"):
        PyFuncModel(meta, Echo(), predict_fn="score")
    with pytest.raises(WorkbenchException, match="missing metadata"):
        PyFuncModel(None, Echo())


def test_unwrap_and_get_raw_model():
    class Raw:
        def predict(self, data):
            return data

        def get_raw_model(self):
            return "raw"

    meta = Model().add_flavor("python_function", loader_module="mlflow.sklearn")
    model = PyFuncModel(meta, Raw())
    assert model.get_raw_model() == "raw"
    with pytest.raises(WorkbenchException, match="not a PythonModel"):
        model.unwrap_python_model()
    with pytest.raises(NotImplementedError):
        PyFuncModel(meta, Echo()).get_raw_model()


def test_params_to_a_model_without_params_are_dropped_with_a_warning(caplog):
    class NoParams:
        def predict(self, data):
            return data

    from workbench.models import ModelSignature
    from workbench.types import ParamSchema, ParamSpec

    signature = ModelSignature(params=ParamSchema([ParamSpec("a", "long", 0)]))
    meta = Model(signature=signature).add_flavor("python_function", loader_module="x")
    assert PyFuncModel(meta, NoParams()).predict([1], params={"a": 1}) == [1]
    assert "does not take params, so the params {'a': 1} are ignored" in caplog.text


def test_input_example_is_loaded(tmp_path):
    path = tmp_path / "model"
    workbench.pyfunc.save_model(path, python_model=Echo(), input_example=pd.DataFrame({"x": [1.0]}))
    model = workbench.pyfunc.load_model(path)
    pd.testing.assert_frame_equal(model.input_example, pd.DataFrame({"x": [1.0]}))


# --------------------------------------------------------------------------- load_model


def test_model_without_pyfunc_flavor(tmp_path):
    path = tmp_path / "model"
    path.mkdir()
    Model(flavors={"keras": {}}).save(path)
    with pytest.raises(WorkbenchException, match='Model does not have the "python_function" flavor') as info:
        workbench.pyfunc.load_model(path)
    assert info.value.error_code == "RESOURCE_DOES_NOT_EXIST"
    assert "['keras']" in info.value.message


def test_unknown_loader_module_is_not_imported(tmp_path):
    path = tmp_path / "model"
    path.mkdir()
    (path / "code").mkdir()
    (path / "code" / "evil_loader_xyz.py").write_text("raise SystemExit('ran')\n")
    Model().add_flavor("python_function", loader_module="evil_loader_xyz", code="code").save(path)
    with pytest.raises(WorkbenchException) as info:
        workbench.pyfunc.load_model(path)
    assert info.value.error_code == "NOT_IMPLEMENTED"
    assert "'evil_loader_xyz'" in info.value.message and "mlflow.pyfunc.model" in info.value.message
    assert "evil_loader_xyz" not in sys.modules


def test_loader_module_workflow_with_a_registered_loader(tmp_path, monkeypatch):
    package = tmp_path / "pkgsrc"
    package.mkdir()
    (package / "my_scaler_loader.py").write_text(
        textwrap.dedent(
            """
            import json, os

            class _Scaler:
                def __init__(self, factor):
                    self.factor = factor
                def predict(self, data, params=None):
                    return data * self.factor

            def _load_pyfunc(path, model_config=None):
                with open(path) as fh:
                    return _Scaler(json.load(fh)["factor"])
            """
        )
    )
    monkeypatch.syspath_prepend(str(package))
    data_file = tmp_path / "scaler.json"
    data_file.write_text('{"factor": 3}')
    path = tmp_path / "model"
    workbench.pyfunc.save_model(path, loader_module="my_scaler_loader", data_path=str(data_file))
    conf = _mlmodel(path)["flavors"]["python_function"]
    assert conf["data"] == "data/scaler.json" and conf["loader_module"] == "my_scaler_loader"
    assert (path / "data" / "scaler.json").exists()
    with pytest.raises(WorkbenchException, match="no loader registered"):
        workbench.pyfunc.load_model(path)
    assert workbench.pyfunc.load_model(path, trusted=True).predict(np.array([1, 2])).tolist() == [3, 6]
    register_loader("my_scaler_loader", "my_scaler_loader")
    try:
        assert workbench.pyfunc.load_model(path).predict(np.array([2])).tolist() == [6]
    finally:
        LOADERS.pop("my_scaler_loader")


def test_code_paths_go_on_sys_path_when_trusted(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "path", list(sys.path))
    helper = tmp_path / "src" / "wb_helper_mod.py"
    helper.parent.mkdir()
    helper.write_text("FACTOR = 7\n")

    class UsesHelper(workbench.pyfunc.PythonModel):
        def predict(self, context, model_input, params=None):
            import wb_helper_mod

            return [x * wb_helper_mod.FACTOR for x in model_input]

    path = tmp_path / "model"
    workbench.pyfunc.save_model(path, python_model=UsesHelper(), code_paths=[str(helper)])
    assert _mlmodel(path)["flavors"]["python_function"]["code"] == "code"
    assert workbench.pyfunc.load_model(path).predict([1]) == [7]
    assert sys.path[0] == str(path / "code")


def test_foreign_code_paths_need_trust(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "path", list(sys.path))
    helper = tmp_path / "wb_other_helper.py"
    helper.write_text("X = 1\n")
    path = tmp_path / "model"
    workbench.pyfunc.save_model(path, python_model=Echo(), code_paths=[str(helper)])
    (path / "code" / "wb_other_helper.py").write_text("X = 2  # changed by someone else\n")
    with pytest.raises(WorkbenchException, match="Refusing to run code shipped with the model") as info:
        workbench.pyfunc.load_model(path)
    assert info.value.error_code == "PERMISSION_DENIED"
    assert str(path / "code") not in sys.path
    assert workbench.pyfunc.load_model(path, trusted=True).predict([1]) == [1]


def test_dst_path_must_exist(tmp_path):
    path = tmp_path / "model"
    workbench.pyfunc.save_model(path, python_model=Echo())
    with pytest.raises(WorkbenchException, match="is not an existing directory"):
        workbench.pyfunc.load_model(path, dst_path=tmp_path / "nope")
    assert workbench.pyfunc.load_model(path, dst_path=tmp_path).predict([1]) == [1]


def test_python_version_warning(tmp_path, caplog):
    path = tmp_path / "model"
    workbench.pyfunc.save_model(path, python_model=Echo())
    _rewrite(path, lambda m: m["flavors"]["python_function"].update(python_version="2.7.18"))
    workbench.pyfunc.load_model(path)
    assert "saved with Python 2.7.18" in caplog.text
    caplog.clear()
    workbench.pyfunc.load_model(path, suppress_warnings=True)
    assert "2.7.18" not in caplog.text


def test_external_models_are_refused(tmp_path):
    path = tmp_path / "model"
    workbench.pyfunc.save_model(path, python_model=Echo(), metadata={"mlflow.model.isExternal": True})
    with pytest.raises(WorkbenchException, match="artifacts are external") as info:
        workbench.pyfunc.load_model(path)
    assert info.value.error_code == "BAD_REQUEST"


def test_runs_uris_are_checked():
    with pytest.raises(WorkbenchException, match="Invalid run id 'abc'"):
        workbench.pyfunc.load_model("runs:/abc/model")


def test_sklearn_models_load_as_pyfunc(tmp_path):
    from sklearn.linear_model import LogisticRegression

    import workbench.sklearn

    X = np.array([[0.0], [1.0], [2.0], [3.0]])
    clf = LogisticRegression().fit(X, [0, 0, 1, 1])
    path = tmp_path / "model"
    workbench.sklearn.save_model(clf, path)
    model = workbench.pyfunc.load_model(path)
    assert model.predict(X).tolist() == clf.predict(X).tolist()
    np.testing.assert_allclose(model.predict_proba(X), clf.predict_proba(X))


# --------------------------------------------------------------------------- save_model rules


def test_existing_non_empty_path_is_refused(tmp_path):
    path = tmp_path / "model"
    path.mkdir()
    (path / "mine.txt").write_text("x")
    with pytest.raises(WorkbenchException, match=f"Path '{path}' already exists and is not empty") as info:
        workbench.pyfunc.save_model(path, python_model=Echo())
    assert info.value.error_code == "RESOURCE_ALREADY_EXISTS"
    assert os.listdir(path) == ["mine.txt"]


def test_a_failure_during_save_leaves_nothing_behind(tmp_path, monkeypatch):
    from workbench.models import _requirements

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(_requirements, "write_environment", full_disk)
    with pytest.raises(OSError, match="No space left"):
        workbench.pyfunc.save_model(tmp_path / "model", python_model=Echo(), input_example=[1])
    assert os.listdir(tmp_path) == ["trust"]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({}, "Either loader_module or python_model must be given"),
        ({"python_model": Echo(), "loader_module": "x"}, "cannot be given together"),
        ({"python_model": Echo(), "infer_code_paths": True}, "infer_code_paths=True is not supported"),
        ({"python_model": Echo(), "uv_groups": ["dev"]}, "uv_project_path, uv_groups and uv_extras"),
        ({"python_model": Echo(), "model_config": [1]}, "Expected model_config to be a dict"),
    ],
)
def test_argument_errors(tmp_path, kwargs, match):
    with pytest.raises(WorkbenchException, match=match):
        workbench.pyfunc.save_model(tmp_path / "model", **kwargs)
    assert not (tmp_path / "model").exists()


def test_unknown_keyword_and_bad_code_paths(tmp_path):
    with pytest.raises(TypeError, match="unexpected keyword arguments"):
        workbench.pyfunc.save_model(tmp_path / "m", python_model=Echo(), colour="red")
    with pytest.raises(TypeError, match="code_paths should be a list"):
        workbench.pyfunc.save_model(tmp_path / "m", python_model=Echo(), code_paths="a.py")


def test_mlflow_model_and_resources_are_used(tmp_path):
    from workbench.models._resources import DatabricksServingEndpoint

    base = Model(metadata={"from": "caller"})
    path = tmp_path / "model"
    workbench.pyfunc.save_model(path, python_model=Echo(), mlflow_model=base, pip_requirements=["pandas==2.2.0"])
    assert Model.load(path).metadata == {"from": "caller"}
    assert (path / "requirements.txt").read_text() == "pandas==2.2.0"
    other = tmp_path / "with_resources"
    workbench.pyfunc.save_model(other, python_model=Echo(), resources=[DatabricksServingEndpoint("llm")])
    assert _mlmodel(other)["resources"]["databricks"]["serving_endpoint"] == [{"name": "llm"}]


# --------------------------------------------------------------------------- loader registry


def test_registry_maps_mlflow_and_workbench_names():
    assert LOADERS["mlflow.sklearn"] == LOADERS["workbench.sklearn"] == "workbench.models._sklearn_flavor"
    assert get_loader("workbench.pyfunc.model").__name__ == "workbench.models._python_model"
    assert get_loader("mlflow.pyfunc.loaders.code_model").__name__ == "workbench.models._code_model"


def test_registry_checks_names():
    with pytest.raises(WorkbenchException, match="dotted module name"):
        register_loader("", "x")
    with pytest.raises(WorkbenchException, match="dotted module name"):
        get_loader(None)


def test_a_registered_module_without_load_pyfunc_is_refused():
    register_loader("wb.test.no_loader", "json")
    try:
        with pytest.raises(WorkbenchException, match="has no _load_pyfunc"):
            get_loader("wb.test.no_loader")
    finally:
        LOADERS.pop("wb.test.no_loader")


def test_load_pyfunc_gets_trusted_only_when_it_takes_it(tmp_path):
    calls = []

    class WithTrust:
        @staticmethod
        def _load_pyfunc(path, model_config=None, *, trusted=None):
            calls.append(("with", model_config, trusted))

    class WithoutTrust:
        @staticmethod
        def _load_pyfunc(path):
            calls.append(("without",))

    _pyfunc._call_loader(WithTrust, tmp_path, {"a": 1}, True)
    _pyfunc._call_loader(WithoutTrust, tmp_path, None, True)
    assert calls == [("with", {"a": 1}, True), ("without",)]
    assert _loaders.get_loader("mlflow.sklearn").__name__ == "workbench.models._sklearn_flavor"


def test_a_trusted_loader_module_can_live_in_code_paths(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "path", list(sys.path))
    loader = tmp_path / "src" / "wb_code_dir_loader.py"
    loader.parent.mkdir()
    loader.write_text(
        "class _M:\n"
        "    def predict(self, data):\n"
        "        return [x + 1 for x in data]\n"
        "def _load_pyfunc(path):\n"
        "    return _M()\n"
    )
    path = tmp_path / "model"
    workbench.pyfunc.save_model(path, loader_module="wb_code_dir_loader", code_paths=[str(loader)])
    assert _mlmodel(path)["flavors"]["python_function"]["code"] == "code"
    assert workbench.pyfunc.load_model(path, trusted=True).predict([1]) == [2]
    sys.modules.pop("wb_code_dir_loader", None)
