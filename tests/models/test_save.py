"""The shared save steps: staged model directories and finish_model_dir."""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
import pytest
import yaml

from workbench import WorkbenchException
from workbench.models import Model, ModelSignature
from workbench.models._retriever import set_retriever_schema
from workbench.models._save import finish_model_dir, staged_model_dir, total_file_size
from workbench.types import ColSpec, Schema


@pytest.fixture(autouse=True)
def trust_store(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBENCH_TRUST_STORE", str(tmp_path / "trust" / "trusted.sqlite"))


def _siblings(path):
    return sorted(os.listdir(path.parent))


# --------------------------------------------------------------------------- staged_model_dir


def test_success_renames_the_staging_directory(tmp_path):
    target = tmp_path / "deep" / "model"
    with staged_model_dir(target) as staging:
        assert staging.parent == target.parent and staging.name.startswith(".model.")
        assert not target.exists()
        (staging / "MLmodel").write_text("flavors: {}\n")
    assert os.listdir(target) == ["MLmodel"]
    assert _siblings(target) == ["model"]


def test_an_empty_existing_directory_is_fine(tmp_path):
    target = tmp_path / "model"
    target.mkdir()
    with staged_model_dir(str(target)) as staging:
        (staging / "f").write_text("x")
    assert os.listdir(target) == ["f"]


def test_a_non_empty_path_is_refused_before_anything_is_written(tmp_path):
    target = tmp_path / "model"
    target.mkdir()
    (target / "keep.txt").write_text("mine")
    with pytest.raises(WorkbenchException) as info:
        with staged_model_dir(target):
            pytest.fail("the block must not run")
    assert info.value.error_code == "RESOURCE_ALREADY_EXISTS"
    assert info.value.message.startswith(f"Path '{target}' already exists and is not empty")
    assert os.listdir(target) == ["keep.txt"] and _siblings(target) == ["model"]


def test_a_file_in_the_way_is_refused(tmp_path):
    target = tmp_path / "model"
    target.write_text("not a dir")
    with pytest.raises(WorkbenchException, match="already exists and is not a directory"):
        with staged_model_dir(target):
            pass


def test_an_error_leaves_no_directory_behind(tmp_path):
    target = tmp_path / "model"
    with pytest.raises(RuntimeError, match="disk full"):
        with staged_model_dir(target) as staging:
            (staging / "half.bin").write_bytes(b"0" * 10)
            raise RuntimeError("disk full")
    assert os.listdir(tmp_path) == []


def test_keyboard_interrupt_also_cleans_up(tmp_path):
    target = tmp_path / "model"
    with pytest.raises(KeyboardInterrupt):
        with staged_model_dir(target):
            raise KeyboardInterrupt
    assert os.listdir(tmp_path) == []


def test_a_directory_filled_meanwhile_is_not_overwritten(tmp_path):
    target = tmp_path / "model"
    with pytest.raises(WorkbenchException, match="already exists and is not empty"):
        with staged_model_dir(target) as staging:
            (staging / "ours").write_text("x")
            target.mkdir()
            (target / "theirs").write_text("y")  # another writer won the race
    assert os.listdir(target) == ["theirs"]
    assert _siblings(target) == ["model"]


# --------------------------------------------------------------------------- finish_model_dir


def _finish(model, path, **kwargs):
    kwargs.setdefault("default_requirements", ["cloudpickle==3.1.3"])
    finish_model_dir(model, path, **kwargs)
    return yaml.safe_load((path / "MLmodel").read_text())


def _model():
    return Model().add_flavor("python_function", loader_module="mlflow.pyfunc.model", code=None)


def test_writes_environment_and_mlmodel_last(tmp_path):
    model_dir = tmp_path / "m"
    model_dir.mkdir()
    (model_dir / "weights.bin").write_bytes(b"1234567")
    mlmodel = _finish(_model(), model_dir, metadata={"team": "risk"})
    assert sorted(os.listdir(model_dir)) == ["MLmodel", "conda.yaml", "python_env.yaml", "requirements.txt", "weights.bin"]
    assert (model_dir / "requirements.txt").read_text() == "cloudpickle==3.1.3"
    assert mlmodel["metadata"] == {"team": "risk"}
    assert mlmodel["model_size_bytes"] == 7  # files written before the environment and MLmodel


def test_code_paths_are_copied_and_recorded(tmp_path):
    helper = tmp_path / "helpers.py"
    helper.write_text("X = 1\n")
    package = tmp_path / "pkg"
    (package / "__pycache__").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "__pycache__" / "junk.pyc").write_bytes(b"")
    model_dir = tmp_path / "m"
    model_dir.mkdir()
    model = _model().add_flavor("sklearn", pickled_model="model.pkl", code=None)
    mlmodel = _finish(model, model_dir, code_paths=[str(helper), package])
    assert (model_dir / "code" / "helpers.py").read_text() == "X = 1\n"
    assert (model_dir / "code" / "pkg" / "__init__.py").exists()
    assert not (model_dir / "code" / "pkg" / "__pycache__").exists()
    assert mlmodel["flavors"]["python_function"]["code"] == "code"
    assert mlmodel["flavors"]["sklearn"]["code"] == "code"


def test_without_code_paths_the_code_key_is_left_alone(tmp_path):
    model_dir = tmp_path / "m"
    model_dir.mkdir()
    model = Model().add_flavor("python_function", loader_module="mlflow.sklearn")
    mlmodel = _finish(model, model_dir)
    assert "code" not in mlmodel["flavors"]["python_function"]


@pytest.mark.parametrize(
    ("code_paths", "match"),
    [("helpers.py", "Expected code_paths to be a list"), (["/no/such/file.py"], "it does not exist")],
)
def test_bad_code_paths(tmp_path, code_paths, match):
    model_dir = tmp_path / "m"
    model_dir.mkdir()
    with pytest.raises(WorkbenchException, match=match) as info:
        _finish(_model(), model_dir, code_paths=code_paths)
    assert info.value.error_code == "INVALID_PARAMETER_VALUE"


def test_signature_is_inferred_from_the_example_and_infer_from(tmp_path):
    model_dir = tmp_path / "m"
    model_dir.mkdir()
    example = pd.DataFrame({"x": [1.5, 2.5]})
    mlmodel = _finish(_model(), model_dir, input_example=example, infer_from=lambda df: np.array([0.1, 0.2]))
    assert mlmodel["signature"]["inputs"] == '[{"type": "double", "name": "x", "required": true}]'
    assert mlmodel["signature"]["outputs"] == '[{"type": "double", "required": true}]'
    assert mlmodel["saved_input_example_info"]["type"] == "dataframe"
    assert (model_dir / "input_example.json").exists()


def test_a_failing_inference_only_warns(tmp_path, caplog):
    model_dir = tmp_path / "m"
    model_dir.mkdir()

    def broken(data):
        raise ValueError("model is not fitted")

    mlmodel = _finish(_model(), model_dir, input_example=pd.DataFrame({"x": [1.0]}), infer_from=broken)
    assert "signature" not in mlmodel
    assert "model is not fitted" in caplog.text


def test_signature_false_means_do_not_infer(tmp_path):
    model_dir = tmp_path / "m"
    model_dir.mkdir()
    mlmodel = _finish(_model(), model_dir, signature=False, input_example=pd.DataFrame({"x": [1.0]}), infer_from=lambda d: d)
    assert "signature" not in mlmodel and "saved_input_example_info" in mlmodel


def test_a_given_signature_is_checked_against_the_example_when_asked(tmp_path):
    model_dir = tmp_path / "m"
    model_dir.mkdir()
    signature = ModelSignature(Schema([ColSpec("double", "x")]))
    with pytest.raises(WorkbenchException, match="Input example does not match the model signature. Model is missing inputs"):
        _finish(_model(), model_dir, signature=signature, input_example=pd.DataFrame({"y": [1.0]}), validate_example=True)
    other = tmp_path / "n"
    other.mkdir()
    mlmodel = _finish(_model(), other, signature=signature, input_example=pd.DataFrame({"y": [1.0]}))
    assert mlmodel["signature"]["inputs"] == '[{"type": "double", "name": "x", "required": true}]'


def test_retriever_schemas_join_the_metadata(tmp_path):
    model_dir = tmp_path / "m"
    model_dir.mkdir()
    set_retriever_schema(primary_key="id", text_column="text")
    mlmodel = _finish(_model(), model_dir, metadata={"team": "search"})
    assert mlmodel["metadata"]["team"] == "search"
    assert mlmodel["metadata"]["dependencies_schemas"]["retrievers"][0]["primary_key"] == "id"


def test_total_file_size_counts_nested_files(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x").write_bytes(b"12")
    (tmp_path / "y").write_bytes(b"345")
    assert total_file_size(tmp_path) == 5
