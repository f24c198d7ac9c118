"""Unit tests of ModelSignature and infer_signature: pinned JSON, seed examples, errors."""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
import types
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from workbench import WorkbenchException
from workbench.models import ModelSignature, infer_signature
from workbench.types import AnyType, ColSpec, DataType, ParamSchema, ParamSpec, Schema, TensorSpec


@pytest.fixture(autouse=True)
def _quiet_integer_hint():
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="The inferred schema has integer")
        yield


def _inputs(data):
    return infer_signature(data).to_dict()["inputs"]


# --------------------------------------------------------------------------- pinned JSON

PINNED = {
    "dataframe": (
        lambda: pd.DataFrame(
            {
                "i32": np.array([1, 2], dtype="int32"),
                "i64": [1, 2],
                "f32": np.array([1.5, np.nan], dtype="float32"),
                "b": [True, False],
                "s": ["a", None],
                "raw": [b"x", b"y"],
                "when": pd.to_datetime(["2024-01-01", None]),
                "cat": pd.Categorical(["x", "y"]),
            }
        ),
        '[{"type": "integer", "name": "i32", "required": true}, '
        '{"type": "long", "name": "i64", "required": true}, '
        '{"type": "float", "name": "f32", "required": false}, '
        '{"type": "boolean", "name": "b", "required": true}, '
        '{"type": "string", "name": "s", "required": false}, '
        '{"type": "binary", "name": "raw", "required": true}, '
        '{"type": "datetime", "name": "when", "required": false}, '
        '{"type": "string", "name": "cat", "required": true}]',
    ),
    "dataframe_nested": (
        lambda: pd.DataFrame({"ids": [["a"], []], "meta": [{"k": 1}, {"k": 2, "x": "y"}]}),
        '[{"type": "array", "items": {"type": "string"}, "name": "ids", "required": true}, '
        '{"type": "object", "properties": {"k": {"type": "long", "required": true}, '
        '"x": {"type": "string", "required": false}}, "name": "meta", "required": true}]',
    ),
    "series": (
        lambda: pd.Series([1.0, None], name="x"),
        '[{"type": "double", "name": "x", "required": false}]',
    ),
    "series_unnamed": (lambda: pd.Series(["a", "b"]), '[{"type": "string", "required": true}]'),
    "ndarray": (
        lambda: np.zeros((5, 3), dtype="float32"),
        '[{"type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1, 3]}}]',
    ),
    "ndarray_str": (
        lambda: np.array(["ab", "c"]),
        '[{"type": "tensor", "tensor-spec": {"dtype": "str", "shape": [-1]}}]',
    ),
    "csr": (
        lambda: sp.csr_matrix(np.eye(3)),
        '[{"type": "tensor", "tensor-spec": {"dtype": "float64", "shape": [-1, 3]}}]',
    ),
    "csc": (
        lambda: sp.csc_matrix(np.eye(2, dtype="int32")),
        '[{"type": "tensor", "tensor-spec": {"dtype": "int32", "shape": [-1, 2]}}]',
    ),
    "dict_of_ndarrays": (
        lambda: {"a": np.zeros((2, 2)), "b": np.array([1, 2], dtype="int32")},
        '[{"name": "a", "type": "tensor", "tensor-spec": {"dtype": "float64", "shape": [-1, 2]}}, '
        '{"name": "b", "type": "tensor", "tensor-spec": {"dtype": "int32", "shape": [-1]}}]',
    ),
    "dict_of_json": (
        lambda: {"q": "hi", "k": [1, None], "opt": None, "conf": {"t": 0.5, "tags": []}},
        '[{"type": "string", "name": "q", "required": true}, '
        '{"type": "array", "items": {"type": "long"}, "name": "k", "required": false}, '
        '{"type": "any", "name": "opt", "required": false}, '
        '{"type": "object", "properties": {"t": {"type": "double", "required": true}, '
        '"tags": {"type": "any", "required": false}}, "name": "conf", "required": true}]',
    ),
    "list_of_dicts": (
        lambda: [{"q": "a", "n": 1}, {"q": "b", "n": None, "extra": [{"x": 1}]}],
        '[{"type": "string", "name": "q", "required": true}, '
        '{"type": "long", "name": "n", "required": false}, '
        '{"type": "array", "items": {"type": "object", "properties": {"x": {"type": "long", '
        '"required": true}}}, "name": "extra", "required": false}]',
    ),
    "list_of_str": (lambda: ["Hello", "World"], '[{"type": "string", "required": true}]'),
    "list_of_lists": (
        lambda: [[0, 1]],
        '[{"type": "array", "items": {"type": "long"}, "required": true}]',
    ),
    "list_empty": (lambda: [], '[{"type": "string", "required": true}]'),
    "list_of_none": (lambda: [None], '[{"type": "any", "required": true}]'),
    "int": (lambda: 3, '[{"type": "long", "required": true}]'),
    "float": (lambda: 0.5, '[{"type": "double", "required": true}]'),
    "str": (lambda: "hi", '[{"type": "string", "required": true}]'),
    "bytes": (lambda: b"x", '[{"type": "binary", "required": true}]'),
    "bool": (lambda: True, '[{"type": "boolean", "required": true}]'),
    "datetime": (lambda: dt.datetime(2024, 1, 1), '[{"type": "datetime", "required": true}]'),
    "date": (lambda: dt.date(2024, 1, 1), '[{"type": "datetime", "required": true}]'),
}


@pytest.mark.parametrize("kind", sorted(PINNED))
def test_inferred_input_json_is_pinned(kind):
    make, expected = PINNED[kind]
    assert _inputs(make()) == expected


def test_every_part_of_the_dict_is_present():
    sig = infer_signature(np.array([1.0]))
    assert sig.to_dict() == {
        "inputs": '[{"type": "tensor", "tensor-spec": {"dtype": "float64", "shape": [-1]}}]',
        "outputs": None,
        "params": None,
    }


def test_params_json_is_pinned():
    params = {
        "k": 3,
        "t": 0.5,
        "f32": np.float32(0.25),
        "on": True,
        "name": "x",
        "at": dt.datetime(2024, 1, 2, 3, 4),
        "stop": ["\n", "."],
        "ids": np.array([1, 2]),
        "conf": {"a": 1, "b": ["x"]},
    }
    assert json.loads(infer_signature(params=params).to_dict()["params"]) == [
        {"name": "k", "default": 3, "shape": None, "type": "long"},
        {"name": "t", "default": 0.5, "shape": None, "type": "double"},
        {"name": "f32", "default": 0.25, "shape": None, "type": "float"},
        {"name": "on", "default": True, "shape": None, "type": "boolean"},
        {"name": "name", "default": "x", "shape": None, "type": "string"},
        {"name": "at", "default": "2024-01-02T03:04:00", "shape": None, "type": "datetime"},
        {"name": "stop", "default": ["\n", "."], "shape": [-1], "type": "string"},
        {"name": "ids", "default": [1, 2], "shape": [-1], "type": "long"},
        {
            "name": "conf",
            "default": {"a": 1, "b": ["x"]},
            "shape": None,
            "type": "object",
            "properties": {
                "a": {"type": "long", "required": True},
                "b": {"type": "array", "items": {"type": "string"}, "required": True},
            },
        },
    ]


def test_params_defaults_are_copies():
    stop = ["."]
    sig = infer_signature(params={"stop": stop})
    stop.append("!")
    assert sig.params.params[0].default == ["."]


def test_empty_params_give_no_param_schema():
    assert infer_signature(["x"], params={}).params is None


# --------------------------------------------------------------------------- seed examples


def test_seed_params_example():
    # The seed's infer_signature example, with a stand-in for generate_signature_output.
    def generate_signature_output(model, data):
        return [model(x) for x in data]

    model, data = str.upper, ["Hello", "World"]
    params = {"num_beams": 5, "max_length": 30, "do_sample": True, "remove_invalid_values": True}
    signature = infer_signature(data, generate_signature_output(model, data), params=params)
    assert signature.to_dict() == {
        "inputs": '[{"type": "string", "required": true}]',
        "outputs": '[{"type": "string", "required": true}]',
        "params": '[{"name": "num_beams", "default": 5, "shape": null, "type": "long"}, '
        '{"name": "max_length", "default": 30, "shape": null, "type": "long"}, '
        '{"name": "do_sample", "default": true, "shape": null, "type": "boolean"}, '
        '{"name": "remove_invalid_values", "default": true, "shape": null, "type": "boolean"}]',
    }


def test_seed_iris_example():
    from sklearn import datasets
    from sklearn.ensemble import RandomForestClassifier

    iris = datasets.load_iris()
    iris_train = pd.DataFrame(iris.data, columns=iris.feature_names)
    clf = RandomForestClassifier(max_depth=7, random_state=0).fit(iris_train, iris.target)
    signature = infer_signature(iris_train, clf.predict(iris_train))
    names = ["sepal length (cm)", "sepal width (cm)", "petal length (cm)", "petal width (cm)"]
    assert signature.to_dict() == {
        "inputs": json.dumps([{"type": "double", "name": n, "required": True} for n in names]),
        "outputs": '[{"type": "tensor", "tensor-spec": {"dtype": "int64", "shape": [-1]}}]',
        "params": None,
    }


def test_seed_get_model_info_example():
    signature = infer_signature([[0, 1]], [1])
    assert signature.to_dict() == {
        "inputs": '[{"type": "array", "items": {"type": "long"}, "required": true}]',
        "outputs": '[{"type": "long", "required": true}]',
        "params": None,
    }
    assert ModelSignature.from_dict(signature.to_dict()) == signature


# --------------------------------------------------------------------------- round trips


@pytest.mark.parametrize("kind", sorted(PINNED))
def test_from_dict_round_trips(kind):
    make, _ = PINNED[kind]
    sig = infer_signature(make(), make(), params={"k": 1, "stop": ["."]})
    again = ModelSignature.from_dict(sig.to_dict())
    assert again == sig
    assert again.to_dict() == sig.to_dict()


def test_from_dict_treats_missing_and_empty_parts_as_none():
    outputs = '[{"type": "long", "required": true}]'
    sig = ModelSignature.from_dict({"outputs": outputs, "params": ""})
    assert sig.inputs is None and sig.params is None
    assert sig.outputs == Schema([ColSpec(DataType.long)])


def test_from_dict_refuses_a_non_dict():
    with pytest.raises(WorkbenchException, match="expects a dict .* got str"):
        ModelSignature.from_dict('{"inputs": null}')


def test_from_dict_of_nothing_raises():
    with pytest.raises(ValueError, match="at least one of inputs, outputs or params"):
        ModelSignature.from_dict({"inputs": None, "outputs": None, "params": None})


# --------------------------------------------------------------------------- construction


def test_equality_compares_all_three_parts():
    a = ModelSignature(Schema([ColSpec("long", "x")]), Schema([ColSpec("double")]))
    b = ModelSignature(Schema([ColSpec("long", "x")]), Schema([ColSpec("double")]))
    c = ModelSignature(Schema([ColSpec("long", "x")]), Schema([ColSpec("float")]))
    d = ModelSignature(b.inputs, b.outputs, ParamSchema([ParamSpec("k", "long", 1)]))
    assert a == b and a != c and a != d and a != "not a signature"


def test_repr_shows_the_three_blocks():
    sig = ModelSignature(
        Schema([ColSpec("long", "x", required=False)]),
        Schema([TensorSpec(np.dtype("float32"), (-1, 2))]),
        ParamSchema([ParamSpec("k", "long", 1)]),
    )
    assert repr(sig) == (
        "inputs:\n  ['x': long (optional)]\n"
        "outputs:\n  [Tensor('float32', (-1, 2))]\n"
        "params:\n  ['k': long (default: 1)]\n"
    )


def test_params_only_signature():
    sig = ModelSignature(params=ParamSchema([ParamSpec("k", "long", 1)]))
    assert sig.to_dict() == {
        "inputs": None,
        "outputs": None,
        "params": '[{"name": "k", "default": 1, "shape": null, "type": "long"}]',
    }


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (
            {"inputs": [ColSpec("long")]},
            "inputs must be None, a workbench.types.Schema or a dataclass, got list",
        ),
        ({"outputs": "long"}, "outputs must be None, .* got str"),
        ({"inputs": []}, "got list"),
        ({"params": {"k": 1}}, "params must be None or a workbench.types.ParamSchema, got dict"),
    ],
)
def test_wrong_argument_types_are_refused(kwargs, match):
    with pytest.raises(WorkbenchException, match=match) as info:
        ModelSignature(**kwargs)
    assert isinstance(info.value, TypeError)  # as MLflow raises
    assert info.value.error_code == "INVALID_PARAMETER_VALUE"


def test_no_schema_at_all_is_refused():
    with pytest.raises(WorkbenchException, match="all three were None") as info:
        ModelSignature()
    assert isinstance(info.value, ValueError)
    with pytest.raises(ValueError):
        infer_signature()


@dataclass
class _Query:
    text: str
    top_k: int | None = None


def test_dataclass_inputs_become_a_schema():
    expected = (
        '[{"type": "string", "name": "text", "required": true}, '
        '{"type": "long", "name": "top_k", "required": false}]'
    )
    for value in (_Query, _Query("hi")):
        assert ModelSignature(inputs=value).to_dict()["inputs"] == expected
        assert infer_signature(value).to_dict()["inputs"] == expected


def test_diff_delegates_to_diff_signatures(monkeypatch):
    calls = []
    fake = types.ModuleType("workbench.models._signature_diff")
    fake.diff_signatures = lambda a, b: calls.append((a, b)) or "the diff"
    monkeypatch.setitem(sys.modules, "workbench.models._signature_diff", fake)
    a = infer_signature([1.0])
    b = infer_signature(["x"])
    assert a.diff(b) == "the diff"
    assert calls == [(a, b)]


# --------------------------------------------------------------------------- failures


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(lambda: pd.DataFrame({"m": [1, "a"]}), id="mixed_column"),
        pytest.param(lambda: pd.DataFrame({"d": pd.to_timedelta([1], unit="s")}), id="timedelta"),
        pytest.param(lambda: [{"t": pd.Timestamp("2024-01-01")}], id="timestamp_in_rows"),
        pytest.param(lambda: np.array(3), id="zero_dim_array"),
        pytest.param(lambda: {}, id="empty_dict"),
        pytest.param(lambda: {1, 2}, id="set"),
    ],
)
def test_uninferable_data_falls_back_to_any_with_a_warning(data, caplog):
    with caplog.at_level(logging.WARNING, logger="workbench.models._signature"):
        sig = infer_signature(data(), data())
    assert sig.inputs == Schema([ColSpec(AnyType())])
    assert sig.outputs == Schema([ColSpec(AnyType())])
    messages = [r.getMessage() for r in caplog.records]
    assert len(messages) == 2
    assert messages[0].startswith("Could not infer a schema for the model inputs (")
    assert "without type checks at inference" in messages[0]
    assert messages[1].startswith("Could not infer a schema for the model outputs (")


def test_bad_params_raise_and_name_every_bad_parameter():
    with pytest.raises(WorkbenchException) as info:
        infer_signature(["x"], params={"ok": 1, "a": None, "b": [[1]], "c": (1,)})
    message = info.value.message
    assert message.startswith("Cannot infer a schema for these parameters:\n")
    expected = "Expected a scalar, a dict or a one-dimensional list, got"
    assert f"- 'a' = None: {expected} NoneType." in message
    assert f"- 'b' = [[1]]: {expected} a 2-D array" in message
    assert f"- 'c' = (1,): {expected} tuple." in message
    assert "'ok'" not in message
    assert info.value.error_code == "INVALID_PARAMETER_VALUE"


def test_params_must_be_a_dict():
    with pytest.raises(WorkbenchException, match="Expected params to be a dict .* got list"):
        infer_signature(["x"], params=[("k", 1)])


def test_pydantic_inputs_are_refused():
    import pydantic

    class Pet(pydantic.BaseModel):
        name: str

    with pytest.raises(WorkbenchException, match="Cannot infer a signature from a pydantic"):
        infer_signature([Pet(name="rex")])
