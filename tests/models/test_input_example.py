"""Input examples: the files and info MLflow writes, reading them back, hostile paths."""

import builtins
import datetime as dt
import io
import json
import os
import pathlib

import numpy as np
import pandas as pd
import pytest
import scipy.sparse

from workbench import WorkbenchException
from workbench.models._input_example import (
    InputExample,
    InputExampleNotFoundError,
    read_input_example,
    save_example,
)
from workbench.models._model import Model
from workbench.models._signature import ModelSignature
from workbench.types import ColSpec, Schema, TensorSpec

SERVING = "serving_input_example.json"


def save(tmp_path, example, signature=None):
    model = Model(signature=signature)
    save_example(model, example, tmp_path)
    model.save(tmp_path)
    return model


def read_json(path):
    return json.loads(pathlib.Path(path).read_text())


# --------------------------------------------------------------------------- writing


def test_dataframe_example(tmp_path):
    df = pd.DataFrame({"a": [1, 2], "b": ["x", "y"]})
    model = save(tmp_path, df)
    assert model.saved_input_example_info == {
        "artifact_path": "input_example.json",
        "type": "dataframe",
        "pandas_orient": "split",
        "serving_input_path": SERVING,
    }
    assert (tmp_path / "input_example.json").read_text() == (
        '{"columns": ["a", "b"], "data": [[1, "x"], [2, "y"]]}'
    )
    assert read_json(tmp_path / SERVING) == {
        "dataframe_split": {"columns": ["a", "b"], "data": [[1, "x"], [2, "y"]]}
    }
    loaded = Model.load(tmp_path)
    pd.testing.assert_frame_equal(loaded.load_input_example(), df)
    assert loaded.load_input_example_params() is None
    assert json.loads(loaded.load_serving_input_example()) == read_json(tmp_path / SERVING)
    assert loaded.get_serving_input(tmp_path) == (tmp_path / SERVING).read_text()


def test_dataframe_with_default_columns_is_values_orient(tmp_path):
    model = save(tmp_path, pd.DataFrame([[1.5, 2.5]]))
    assert model.saved_input_example_info["pandas_orient"] == "values"
    assert (tmp_path / "input_example.json").read_text() == '{"data": [[1.5, 2.5]]}'
    out = Model.load(tmp_path).load_input_example()
    np.testing.assert_array_equal(out.to_numpy(), [[1.5, 2.5]])


def test_dataframe_missing_values_and_index_dropped(tmp_path):
    df = pd.DataFrame({"x": [1.0, np.nan], "s": ["a", None]}, index=[10, 20])
    save(tmp_path, df)
    assert read_json(tmp_path / "input_example.json") == {
        "columns": ["x", "s"], "data": [[1.0, "a"], [None, None]]
    }


def test_dataframe_cast_to_the_signature(tmp_path):
    df = pd.DataFrame({"a": [1, 2], "b": [0.5, 1.5]})
    signature = ModelSignature(inputs=Schema([ColSpec("integer", "a"), ColSpec("float", "b")]))
    save(tmp_path, df, signature)
    out = Model.load(tmp_path).load_input_example()
    assert out.dtypes.tolist() == [np.dtype("int32"), np.dtype("float32")]


def test_ndarray_example(tmp_path):
    array = np.array([[1.0, np.nan], [3.0, 4.0]])
    model = save(tmp_path, array)
    assert model.saved_input_example_info == {
        "artifact_path": "input_example.json",
        "type": "ndarray",
        "serving_input_path": SERVING,
    }
    assert (tmp_path / "input_example.json").read_text() == "[[1.0, null], [3.0, 4.0]]"
    assert read_json(tmp_path / SERVING) == {"inputs": [[1.0, None], [3.0, 4.0]]}
    out = Model.load(tmp_path).load_input_example()
    assert isinstance(out, np.ndarray)
    np.testing.assert_array_equal(out[1], [3.0, 4.0])


def test_ndarray_cast_to_tensor_spec(tmp_path):
    signature = ModelSignature(inputs=Schema([TensorSpec(np.dtype("float32"), (-1, 2))]))
    save(tmp_path, np.array([[1, 2]], dtype=np.float32), signature)
    out = Model.load(tmp_path).load_input_example()
    assert out.dtype == np.float32 and out.shape == (1, 2)


def test_dict_of_arrays_example(tmp_path):
    example = {"a": np.array([1, 2]), "b": np.array([[0.5], [1.5]])}
    model = save(tmp_path, example)
    assert model.saved_input_example_info["type"] == "ndarray"
    assert read_json(tmp_path / "input_example.json") == {"a": [1, 2], "b": [[0.5], [1.5]]}
    out = Model.load(tmp_path).load_input_example()
    assert set(out) == {"a", "b"}
    np.testing.assert_array_equal(out["a"], [1, 2])


@pytest.mark.parametrize(
    "example, written",
    [
        ([1, 2, 3], "[1, 2, 3]"),
        ([{"q": "hi"}, {"q": "yo"}], '[{"q": "hi"}, {"q": "yo"}]'),
        ({"question": "why", "k": [1, 2]}, '{"question": "why", "k": [1, 2]}'),
        ("plain text", '"plain text"'),
        (3.5, "3.5"),
        (np.int64(7), "7"),
        (True, "true"),
        (dt.datetime(2026, 1, 2, 3, 4, 5), '"2026-01-02T03:04:05"'),
        (b"\x00\x01", '"AAE=\\n"'),
    ],
)
def test_json_object_examples(tmp_path, example, written):
    model = save(tmp_path, example)
    assert model.saved_input_example_info == {
        "artifact_path": "input_example.json",
        "type": "json_object",
        "serving_input_path": SERVING,
    }
    assert (tmp_path / "input_example.json").read_text() == written
    assert Model.load(tmp_path).load_input_example() == json.loads(written)


def test_llm_style_dict_serving_input_is_unwrapped(tmp_path):
    example = {"messages": [{"role": "user", "content": "hi"}]}
    save(tmp_path, (example, {"temperature": 0.5}))
    assert read_json(tmp_path / SERVING) == {**example, "temperature": 0.5}
    assert read_json(tmp_path / "input_example.json") == {
        "inputs": example, "params": {"temperature": 0.5}
    }


@pytest.mark.parametrize("fmt", ["csr", "csc"])
def test_sparse_examples(tmp_path, fmt):
    matrix = scipy.sparse.random(3, 4, density=0.4, format=fmt, random_state=0)
    model = save(tmp_path, matrix)
    assert model.saved_input_example_info["type"] == f"sparse_matrix_{fmt}"
    written = read_json(tmp_path / "input_example.json")
    assert written == {
        "data": matrix.data.tolist(),
        "indices": matrix.indices.tolist(),
        "indptr": matrix.indptr.tolist(),
        "shape": [3, 4],
    }
    assert read_json(tmp_path / SERVING) == {"inputs": matrix.toarray().tolist()}
    out = Model.load(tmp_path).load_input_example()
    assert out.format == fmt
    np.testing.assert_array_equal(out.toarray(), matrix.toarray())


def test_example_with_params(tmp_path):
    df = pd.DataFrame({"a": [1]})
    model = save(tmp_path, (df, {"k": 5, "mode": "fast"}))
    assert model.saved_input_example_info == {
        "artifact_path": "input_example.json",
        "params": "true",
        "type": "dataframe",
        "pandas_orient": "split",
        "serving_input_path": SERVING,
    }
    assert read_json(tmp_path / "input_example.json") == {
        "inputs": {"columns": ["a"], "data": [[1]]}, "params": {"k": 5, "mode": "fast"}
    }
    assert read_json(tmp_path / SERVING) == {
        "dataframe_split": {"columns": ["a"], "data": [[1]]}, "params": {"k": 5, "mode": "fast"}
    }
    loaded = Model.load(tmp_path)
    pd.testing.assert_frame_equal(loaded.load_input_example(), df)
    assert loaded.load_input_example_params() == {"k": 5, "mode": "fast"}


def test_empty_params_are_flagged_so_the_file_stays_readable(tmp_path):
    model = save(tmp_path, ([1, 2], {}))
    assert model.saved_input_example_info["params"] == "true"
    loaded = Model.load(tmp_path)
    assert loaded.load_input_example() == [1, 2]
    assert loaded.load_input_example_params() == {}


def test_invalid_params_are_refused(tmp_path):
    with pytest.raises(WorkbenchException):
        save(tmp_path, ([1], {"bad": object()}))
    assert not (tmp_path / "input_example.json").exists()


def test_user_example_is_not_modified(tmp_path):
    df = pd.DataFrame({"x": [1.0, np.nan]})
    before = df.copy()
    save(tmp_path, df)
    pd.testing.assert_frame_equal(df, before)


def test_input_example_object_keeps_data_and_params():
    example = InputExample.from_example((np.array([1, 2]), {"k": 1}))
    np.testing.assert_array_equal(example.data, [1, 2])
    assert example.params == {"k": 1}
    assert example.example_json == '{"inputs": [1, 2], "params": {"k": 1}}'


def test_none_example_saves_nothing(tmp_path):
    model = Model()
    assert save_example(model, None, tmp_path) is None
    assert model.saved_input_example_info is None
    assert os.listdir(tmp_path) == []
    assert model.load_input_example(tmp_path) is None
    assert model.load_input_example_params(tmp_path) is None
    assert model.load_serving_input_example(tmp_path) is None


@pytest.mark.parametrize(
    "example, expected",
    [
        ({"a": np.array([1]), "b": 2}, "must hold only numpy arrays or no numpy arrays"),
        ([np.array([1])], "must not hold numpy arrays"),
        (pd.Series([1, 2]), r"Unsupported input example of type pandas\.(core\.series\.)?Series"),
        (object(), "Unsupported input example of type builtins.object"),
        ({"when": dt.time(1, 2), "x": {1, 2}}, "cannot be written as JSON"),
    ],
)
def test_unsupported_examples(tmp_path, example, expected):
    with pytest.raises(WorkbenchException, match=expected) as info:
        save(tmp_path, example)
    assert info.value.error_code == "INVALID_PARAMETER_VALUE"


# --------------------------------------------------------------------------- reading errors


def test_missing_example_file_is_a_file_not_found_error(tmp_path):
    save(tmp_path, [1, 2])
    (tmp_path / "input_example.json").unlink()
    loaded = Model.load(tmp_path)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        loaded.load_input_example()
    with pytest.raises(InputExampleNotFoundError) as info:
        loaded.load_input_example()
    assert isinstance(info.value, WorkbenchException)
    assert info.value.error_code == "RESOURCE_DOES_NOT_EXIST"
    (tmp_path / SERVING).unlink()
    with pytest.raises(InputExampleNotFoundError):
        loaded.load_serving_input_example()


def write_model(model_dir, info):
    Model(saved_input_example_info=info).save(model_dir)
    return Model.load(model_dir)


def test_unknown_example_type(tmp_path):
    loaded = write_model(tmp_path, {"artifact_path": "input_example.json", "type": "tensor"})
    with pytest.raises(WorkbenchException, match="Cannot load an input example of type 'tensor'"):
        loaded.load_input_example()


def test_params_flag_without_inputs_key(tmp_path):
    (tmp_path / "input_example.json").write_text("[1]")
    loaded = write_model(
        tmp_path, {"artifact_path": "input_example.json", "type": "json_object", "params": "true"}
    )
    with pytest.raises(WorkbenchException, match="should be {'inputs': ..., 'params': ...}"):
        loaded.load_input_example()
    with pytest.raises(WorkbenchException, match="has no 'params' key"):
        loaded.load_input_example_params()


def test_invalid_json(tmp_path):
    (tmp_path / "input_example.json").write_text("{not json")
    loaded = write_model(tmp_path, {"artifact_path": "input_example.json", "type": "json_object"})
    with pytest.raises(WorkbenchException, match="is not valid JSON"):
        loaded.load_input_example()


def test_info_that_is_not_a_mapping(tmp_path):
    (tmp_path / "MLmodel").write_text("flavors: {}\nsaved_input_example_info: input_example.json\n")
    with pytest.raises(WorkbenchException, match="saved_input_example_info to be a dict"):
        Model.load(tmp_path)


# --------------------------------------------------------------------------- hostile paths


@pytest.fixture
def opened(monkeypatch):
    """Record every file opened through open() or pathlib during the test."""
    paths = []
    real_open = builtins.open
    real_read_text = pathlib.Path.read_text

    def spy_open(file, *args, **kwargs):
        paths.append(os.fspath(file) if not isinstance(file, int) else file)
        return real_open(file, *args, **kwargs)

    def spy_read_text(self, *args, **kwargs):
        paths.append(os.fspath(self))
        return real_read_text(self, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", spy_open)
    monkeypatch.setattr(io, "open", spy_open)
    monkeypatch.setattr(pathlib.Path, "read_text", spy_read_text)
    return paths


@pytest.fixture
def secret(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    file = outside / "secret.json"
    file.write_text('{"password": "hunter2"}')
    return file


@pytest.mark.parametrize("key", ["artifact_path", "serving_input_path"])
@pytest.mark.parametrize(
    "hostile",
    ["../outside/secret.json", "../../etc/passwd", "/etc/passwd", "ABSOLUTE",
     "%2e%2e/outside/secret.json", "sub/../../outside/secret.json"],
)
def test_hostile_paths_are_refused_before_opening(tmp_path, secret, opened, key, hostile):
    model_dir = tmp_path / "model"
    model_dir.mkdir()
    hostile = str(secret) if hostile == "ABSOLUTE" else hostile
    info = {"artifact_path": "input_example.json", "type": "json_object",
            "serving_input_path": "serving_input_example.json", key: hostile}
    loaded = write_model(model_dir, info)
    opened.clear()
    read = loaded.load_serving_input_example if key == "serving_input_path" else loaded.load_input_example
    with pytest.raises(WorkbenchException, match="Refusing path") as error:
        read()
    assert error.value.error_code == "INVALID_PARAMETER_VALUE"
    assert not any("secret" in str(p) or "passwd" in str(p) for p in opened), opened
    if key == "artifact_path":
        loaded.saved_input_example_info["params"] = "true"
        with pytest.raises(WorkbenchException, match="Refusing path"):
            loaded.load_input_example_params()
        assert not any("secret" in str(p) or "passwd" in str(p) for p in opened), opened


def test_symlink_out_of_the_model_directory_is_refused(tmp_path, secret, opened):
    model_dir = tmp_path / "model"
    model_dir.mkdir()
    (model_dir / "input_example.json").symlink_to(secret)
    (model_dir / SERVING).symlink_to(secret)
    loaded = write_model(model_dir, {"artifact_path": "input_example.json", "type": "json_object",
                                     "serving_input_path": SERVING})
    opened.clear()
    with pytest.raises(WorkbenchException, match="through a symlink"):
        loaded.load_input_example()
    with pytest.raises(WorkbenchException, match="through a symlink"):
        loaded.load_serving_input_example()
    assert not any("secret" in str(p) for p in opened), opened


def test_symlink_inside_the_model_directory_is_fine(tmp_path):
    model_dir = tmp_path / "model"
    (model_dir / "examples").mkdir(parents=True)
    (model_dir / "examples" / "ex.json").write_text("[1, 2]")
    (model_dir / "link.json").symlink_to(model_dir / "examples" / "ex.json")
    loaded = write_model(model_dir, {"artifact_path": "link.json", "type": "json_object"})
    assert loaded.load_input_example() == [1, 2]


def test_example_in_a_subdirectory(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "ex.json").write_text('{"columns": ["a"], "data": [[1]]}')
    loaded = write_model(tmp_path, {"artifact_path": "data/ex.json", "type": "dataframe",
                                    "pandas_orient": "split"})
    assert read_input_example(loaded, tmp_path)["a"].tolist() == [1]
