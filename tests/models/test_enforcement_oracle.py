"""Oracle: our accept/refuse decisions against MLflow's on the same (data, schema) pairs.

MLflow (3.17.2, installed in the test environment) is imported here and only here. Each case
builds its data afresh for each side (MLflow mutates dicts in place) and its schema from the
same JSON on both sides. Three lists:

- ``AGREE``: both accept or both refuse; when both accept with a DataFrame, the enforced
  frames are equal (columns, dtypes, values).
- ``DEPARTURES``: MLflow accepts and hands the model a changed or invalid value; we refuse.
  Each names what MLflow hands on, and the test checks MLflow really does.
- ``ACCEPTED_HERE``: MLflow refuses, usually by crashing or because of pandas 3; we accept.
"""

from __future__ import annotations

import datetime as dt
import logging
import warnings

import numpy as np
import pandas as pd
import pytest

import mlflow.models
import mlflow.models.utils as mlflow_utils
import mlflow.types
from workbench._exceptions import WorkbenchException
from workbench.models import validate_schema
from workbench.models._enforcement import _enforce_params_schema, _enforce_schema
from workbench.types import ParamSchema, Schema


@pytest.fixture(autouse=True)
def _quiet():
    loggers = [logging.getLogger(name) for name in ("mlflow", "workbench")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        for logger, level in zip(loggers, levels):
            logger.setLevel(level)


def col(type_, name=None, required=True):
    spec = {"type": type_} if isinstance(type_, str) else dict(type_)
    if name is not None:
        spec["name"] = name
    spec["required"] = required
    return spec


def tensor(dtype, shape, name=None):
    spec = {"type": "tensor", "tensor-spec": {"dtype": dtype, "shape": list(shape)}}
    if name is not None:
        spec["name"] = name
    return spec


def array(items):
    return {"type": "array", "items": items if isinstance(items, dict) else {"type": items}}


def obj(**props):
    return {"type": "object", "properties": {
        k: ({"type": v} if isinstance(v, str) else v) for k, v in props.items()
    }}


def mapping(values):
    return {"type": "map", "values": {"type": values}}


def frame(**columns):
    return lambda: pd.DataFrame(columns)


def schema_json(*specs):
    import json

    return json.dumps(list(specs))


# (case id, data factory, schema JSON)
AGREE = [
    ("int32 widens to long", frame(a=np.array([1, 2], dtype=np.int32)), schema_json(col("long", "a"))),
    ("int8 widens to integer", frame(a=np.array([1, 2], dtype=np.int8)), schema_json(col("integer", "a"))),
    ("uint16 widens to integer", frame(a=np.array([1, 2], dtype=np.uint16)), schema_json(col("integer", "a"))),
    ("uint32 widens to long", frame(a=np.array([1, 2], dtype=np.uint32)), schema_json(col("long", "a"))),
    ("uint64 refused for long", frame(a=np.array([1], dtype=np.uint64)), schema_json(col("long", "a"))),
    ("int64 refused for integer", frame(a=[1, 2]), schema_json(col("integer", "a"))),
    ("int64 refused for double", frame(a=[1, 2]), schema_json(col("double", "a"))),
    ("int64 0/1 becomes double", frame(a=[0, 1, 1]), schema_json(col("double", "a"))),
    ("int64 0/1 becomes float", frame(a=[0, 1]), schema_json(col("float", "a"))),
    ("int32 widens to double", frame(a=np.array([5, 7], dtype=np.int32)), schema_json(col("double", "a"))),
    ("int32 refused for float", frame(a=np.array([5], dtype=np.int32)), schema_json(col("float", "a"))),
    ("float32 widens to double", frame(a=np.array([1.5], dtype=np.float32)), schema_json(col("double", "a"))),
    ("float64 refused for float", frame(a=[1.5]), schema_json(col("float", "a"))),
    ("float with NaN refused for long", frame(a=[1.0, None]), schema_json(col("long", "a"))),
    ("whole floats refused for long", frame(a=[1.0, 2.0]), schema_json(col("long", "a"))),
    ("bool refused for long", frame(a=[True]), schema_json(col("long", "a"))),
    ("str refused for boolean", frame(a=["abc", "x"]), schema_json(col("boolean", "a"))),
    ("object bools with None accepted", frame(a=pd.Series([True, None], dtype=object)), schema_json(col("boolean", "a"))),
    ("ints refused for string", frame(a=[1]), schema_json(col("string", "a"))),
    ("strings accepted", frame(a=["x", "y"]), schema_json(col("string", "a"))),
    ("mixed objects accepted for string", frame(a=pd.Series([1, "x"], dtype=object)), schema_json(col("string", "a"))),
    ("bytes accepted for binary", frame(a=[b"x"]), schema_json(col("binary", "a"))),
    ("datetime64[s] becomes ns", lambda: pd.DataFrame({"a": pd.to_datetime(["2020-01-01"]).astype("datetime64[s]")}), schema_json(col("datetime", "a"))),
    ("tz-aware refused", lambda: pd.DataFrame({"a": pd.to_datetime(["2020-01-01"]).tz_localize("UTC")}), schema_json(col("datetime", "a"))),
    ("unparseable datetime strings refused", frame(a=pd.Series(["2020-01-01", "abc"], dtype=object)), schema_json(col("datetime", "a"))),
    ("missing column", frame(a=[1]), schema_json(col("long", "a"), col("long", "b"))),
    ("missing column with extra", frame(a=[1], c=[2]), schema_json(col("long", "a"), col("long", "b"))),
    ("extra column dropped", frame(a=[1], c=[2]), schema_json(col("long", "a"))),
    ("optional column absent", frame(a=[1]), schema_json(col("long", "a"), col("long", "b", required=False))),
    ("columns reordered", frame(b=["x"], a=[1]), schema_json(col("long", "a"), col("string", "b"))),
    ("dict is one row", lambda: {"a": 1, "b": "x"}, schema_json(col("long", "a"), col("string", "b"))),
    ("dict of lists is columns", lambda: {"a": [1, 2], "b": [3, 4]}, schema_json(col("long", "a"), col("long", "b"))),
    ("ragged dict refused", lambda: {"a": [1, 2], "b": [3]}, schema_json(col("long", "a"), col("long", "b"))),
    ("list of dicts is rows", lambda: [{"a": 1, "b": "x"}, {"a": 2, "b": "y"}], schema_json(col("long", "a"), col("string", "b"))),
    ("scalar is one cell", lambda: 5, schema_json(col("long"))),
    ("list of scalars is a column", lambda: [1, 2, 3], schema_json(col("long"))),
    ("series keeps its name", lambda: pd.Series([1, 2], name="a"), schema_json(col("long", "a"))),
    ("2-d array for unnamed columns", lambda: np.array([[1, 2], [3, 4]]), schema_json(col("long"), col("long"))),
    ("too few unnamed columns", frame(x=[1]), schema_json(col("long"), col("double"))),
    ("None refused", lambda: None, schema_json(col("double"))),
    ("sparse refused for columns", lambda: __import__("scipy.sparse").sparse.csr_matrix(np.eye(2)), schema_json(col("double"))),
    ("array of long", frame(a=[[1, 2], [3]]), schema_json(col(array("long"), "a"))),
    ("array of long with floats refused", frame(a=[[1.5, 2]]), schema_json(col(array("long"), "a"))),
    ("array of double with ints refused", frame(a=[[1, 2]]), schema_json(col(array("double"), "a"))),
    ("array of double from floats", frame(a=[[1.5, 2.0], [3.0]]), schema_json(col(array("double"), "a"))),
    ("array of double from 0/1 ints", frame(a=[[0, 1]]), schema_json(col(array("double"), "a"))),
    ("array of float from floats refused", frame(a=[[0.5]]), schema_json(col(array("float"), "a"))),
    ("array of boolean", frame(a=[[True, False]]), schema_json(col(array("boolean"), "a"))),
    ("array of string", frame(a=[["x", "y"]]), schema_json(col(array("string"), "a"))),
    ("array of arrays", frame(a=[[[1], [2, 3]]]), schema_json(col(array(array("long")), "a"))),
    ("None row in required array refused", frame(a=[[1], None]), schema_json(col(array("long"), "a"))),
    ("None row in optional array accepted", frame(a=[[1], None]), schema_json(col(array("long"), "a", required=False))),
    ("object column", frame(a=[{"x": 1}, {"x": 2}]), schema_json(col(obj(x="long"), "a"))),
    ("object missing property refused", frame(a=[{"y": 1}]), schema_json(col(obj(x="long"), "a"))),
    ("object unknown property refused", frame(a=[{"x": 1, "y": 2}]), schema_json(col(obj(x="long"), "a"))),
    ("object int property for integer refused", frame(a=[{"x": 4}]), schema_json(col(obj(x="integer"), "a"))),
    ("object optional property None", frame(a=[{"x": None}]), schema_json(col(obj(x={"type": "long", "required": False}), "a"))),
    ("map column", frame(a=[{"x": 1}, {"y": 2}]), schema_json(col(mapping("long"), "a"))),
    ("map with int keys refused", frame(a=[{1: 1}]), schema_json(col(mapping("long"), "a"))),
    ("any column", frame(a=[{"x": 1}, 3]), schema_json(col({"type": "any"}, "a"))),
    ("tensor exact", lambda: np.zeros((2, 3), dtype=np.float32), schema_json(tensor("float32", (-1, 3)))),
    ("tensor dtype mismatch", lambda: np.zeros((2, 3)), schema_json(tensor("float32", (-1, 3)))),
    ("tensor shape mismatch", lambda: np.zeros((2, 4), dtype=np.float32), schema_json(tensor("float32", (-1, 3)))),
    ("tensor from list refused", lambda: [[1.0, 2.0]], schema_json(tensor("float64", (-1, 2)))),
    ("named tensors from dict", lambda: {"a": np.zeros((2, 2))}, schema_json(tensor("float64", (-1, 2), "a"))),
    ("named tensor missing", lambda: {"b": np.zeros((2, 2))}, schema_json(tensor("float64", (-1, 2), "a"))),
    ("tensor from whole-float column", frame(a=[1.0, 2.0]), schema_json(tensor("int32", (-1,)))),
    ("tensor from multi-column frame", frame(a=[1.5], b=[2.5]), schema_json(tensor("float64", (-1, 2)))),
    ("tensor ragged objects", lambda: np.array([np.zeros(2), np.zeros(3)], dtype=object), schema_json(tensor("float64", (-1, -1)))),
    ("tensor from sparse", lambda: __import__("scipy.sparse").sparse.csr_matrix(np.eye(3)), schema_json(tensor("float64", (-1, 3)))),
    ("empty frame for tensor refused", lambda: pd.DataFrame(), schema_json(tensor("float64", (-1,)))),
]


def _array_of_bool_none(out):
    return out["a"].iloc[0] != [True, None]


DEPARTURES = [
    # (id, data, schema JSON, what MLflow hands on -> check that it really changed/passed it)
    ("'abc' into boolean", frame(a=pd.Series(["abc", True], dtype=object)), schema_json(col("boolean", "a")),
     lambda out: out["a"].iloc[0] == "abc"),
    ("1.7 truncated into an int32 tensor", frame(a=[1.7, 2.2]), schema_json(tensor("int32", (-1,))),
     lambda out: out.tolist() == [1, 2]),
    ("2**53+1 wrapped into an int32 tensor", frame(a=[2**53 + 1, 2]), schema_json(tensor("int32", (-1,))),
     lambda out: int(out[0]) != 2**53 + 1),
    ("2**53+1 rounded into a float64 tensor", frame(a=[2**53 + 1, 2]), schema_json(tensor("float64", (-1,))),
     lambda out: int(out[0]) != 2**53 + 1),
    ("'abc' read as True in a bool tensor", frame(a=["abc", "x"]), schema_json(tensor("bool", (-1,))),
     lambda out: out.tolist() == [True, True]),
    ("fractional list values truncated into an int64 tensor", frame(a=[[1.5, 2.5], [3.1, 4.0]]),
     schema_json(tensor("int64", (-1, 2))), lambda out: out.tolist() == [[1, 2], [3, 4]]),
    ("None becomes False in an array of boolean", frame(a=[[True, None]]), schema_json(col(array("boolean"), "a")),
     _array_of_bool_none),
    ("None becomes text in an array of string", frame(a=[["x", None]]), schema_json(col(array("string"), "a")),
     lambda out: out["a"].iloc[0][1] is not None),
    ("'abc' becomes True in an array of boolean", frame(a=[[True, "abc"]]), schema_json(col(array("boolean"), "a")),
     lambda out: out["a"].iloc[0] == [True, True]),
    ("2**53+1 in an object column rounded to double",
     frame(a=pd.Series([2**53 + 1, None], dtype=object)), schema_json(col("double", "a")),
     lambda out: int(out["a"].iloc[0]) != 2**53 + 1),
]

ACCEPTED_HERE = [
    # MLflow 3.17 under pandas 3 reads strings as pandas' str dtype and refuses them all.
    ("ISO datetime strings", frame(a=["2020-01-01", "2021-01-02"]), schema_json(col("datetime", "a"))),
    # MLflow crashes with ValueError: cannot convert float NaN to bool.
    ("nullable boolean with NA", frame(a=pd.array([True, None], dtype="boolean")), schema_json(col("boolean", "a"))),
    # Listed as an input type by MLflow's validate_schema, refused by its code.
    ("datetime scalar", lambda: dt.datetime(2020, 1, 1), schema_json(col("datetime"))),
    # MLflow refuses NaN (not None) for an optional object column: a list of dicts with a
    # key missing in one row gives NaN there.
    ("NaN in optional object column", lambda: [{"a": {"x": 1}}, {}],
     schema_json(col(obj(x="long"), "a", required=False))),
]


def _mlflow(data, json_schema):
    return mlflow_utils._enforce_schema(data, mlflow.types.Schema.from_json(json_schema))


def _ours(data, json_schema):
    return _enforce_schema(data, Schema.from_json(json_schema))


def _outcome(call, factory, json_schema):
    try:
        return True, call(factory(), json_schema)
    except WorkbenchException:
        return False, None
    except Exception:  # noqa: BLE001 - MLflow refuses with many exception types
        return False, None


def test_the_corpus_is_large_enough():
    assert len(AGREE) + len(DEPARTURES) + len(ACCEPTED_HERE) >= 30
    ids = [case[0] for case in AGREE + DEPARTURES + ACCEPTED_HERE]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("case_id, factory, json_schema", AGREE, ids=[c[0] for c in AGREE])
def test_same_decision_as_mlflow(case_id, factory, json_schema):
    theirs_ok, theirs = _outcome(_mlflow, factory, json_schema)
    try:
        ours = _ours(factory(), json_schema)
        ours_ok = True
    except WorkbenchException:
        ours_ok = False
    assert ours_ok == theirs_ok, f"{case_id}: MLflow {'accepts' if theirs_ok else 'refuses'}"
    if ours_ok and isinstance(theirs, pd.DataFrame):
        pd.testing.assert_frame_equal(ours, theirs)
    # validate_schema takes the same decision
    if ours_ok:
        assert validate_schema(factory(), Schema.from_json(json_schema)) is None
    else:
        with pytest.raises(WorkbenchException):
            validate_schema(factory(), Schema.from_json(json_schema))
        with pytest.raises(Exception):  # noqa: B017 - whatever MLflow raises
            mlflow.models.validate_schema(factory(), mlflow.types.Schema.from_json(json_schema))


@pytest.mark.parametrize(
    "case_id, factory, json_schema, mlflow_changed", DEPARTURES, ids=[c[0] for c in DEPARTURES]
)
def test_departures_mlflow_changes_the_value_we_refuse(case_id, factory, json_schema, mlflow_changed):
    theirs = _mlflow(factory(), json_schema)  # MLflow accepts ...
    assert mlflow_changed(theirs), f"{case_id}: MLflow no longer changes the value"  # ... and changes it
    with pytest.raises(WorkbenchException) as caught:
        _ours(factory(), json_schema)
    assert caught.value.error_code == "INVALID_PARAMETER_VALUE"


@pytest.mark.parametrize("case_id, factory, json_schema", ACCEPTED_HERE, ids=[c[0] for c in ACCEPTED_HERE])
def test_inputs_mlflow_refuses_and_we_accept(case_id, factory, json_schema):
    theirs_ok, _ = _outcome(_mlflow, factory, json_schema)
    assert not theirs_ok, f"{case_id}: MLflow now accepts this; move the case to AGREE"
    _ours(factory(), json_schema)


# --------------------------------------------------------------------------- params

PARAMS_SCHEMA = (
    '[{"name": "d", "type": "double", "default": 0.5, "shape": null},'
    ' {"name": "i", "type": "integer", "default": 1, "shape": null},'
    ' {"name": "l", "type": "long", "default": 1, "shape": null},'
    ' {"name": "f", "type": "float", "default": 0.5, "shape": null},'
    ' {"name": "s", "type": "string", "default": "x", "shape": null},'
    ' {"name": "b", "type": "boolean", "default": true, "shape": null},'
    ' {"name": "t", "type": "datetime", "default": null, "shape": null},'
    ' {"name": "arr", "type": "long", "default": [1, 2], "shape": [-1]}]'
)

PARAMS_AGREE = [
    None, {}, {"d": 3}, {"d": np.float32(0.25)}, {"l": np.int32(3)}, {"l": 3.0}, {"i": np.int64(3)},
    {"b": "abc"}, {"b": 1}, {"b": np.bool_(True)}, {"s": 1}, {"s": ["a"]}, {"t": "2020-01-01"},
    {"t": "abc"}, {"t": 5}, {"arr": [1, 2, 3]}, {"arr": 1}, {"arr": [1.5]}, {"zzz": 1}, {"f": 0.1},
    {"f": np.float64(0.1)}, {"d": None}, {1: 2}, 5,
]
PARAMS_DEPARTURES = [{"d": 2**53 + 1}, {"i": 2**40}, {"l": 2**70}]


def _params_outcome(call, schema_cls, params):
    schema = schema_cls.from_json(PARAMS_SCHEMA)
    try:
        return True, call(params, schema)
    except Exception:  # noqa: BLE001
        return False, None


@pytest.mark.parametrize("params", PARAMS_AGREE, ids=repr)
def test_params_same_decision_and_values_as_mlflow(params):
    theirs_ok, theirs = _params_outcome(mlflow_utils._enforce_params_schema, mlflow.types.ParamSchema, params)
    ours_ok, ours = _params_outcome(_enforce_params_schema, ParamSchema, params)
    assert ours_ok == theirs_ok
    if ours_ok:
        assert ours == theirs


@pytest.mark.parametrize("params", PARAMS_DEPARTURES, ids=repr)
def test_params_departures(params):
    theirs_ok, theirs = _params_outcome(mlflow_utils._enforce_params_schema, mlflow.types.ParamSchema, params)
    assert theirs_ok
    (name, value), = params.items()
    if name == "d":
        assert theirs[name] != value  # MLflow rounds 2**53 + 1 to 2**53 (Python compares exactly)
    else:
        assert theirs[name] == value  # MLflow passes on an int outside the declared range
    with pytest.raises(WorkbenchException):
        _enforce_params_schema(params, ParamSchema.from_json(PARAMS_SCHEMA))
