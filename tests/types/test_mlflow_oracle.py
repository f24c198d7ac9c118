"""workbench.types against mlflow.types (3.17.2) as an oracle.

Every spec in the corpus is built twice by the same function, once from each package (the
names and arguments are the same), and must serialize to the same JSON string, read back
across packages, and print the same.
"""

from __future__ import annotations

import datetime as dt
import json
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    import mlflow.types.schema as ml

import workbench.types as wb
from workbench._exceptions import WorkbenchException
from mlflow.exceptions import MlflowException


def _cols(t):
    return [t.ColSpec(d, f"c_{d.name}") for d in t.DataType]


CORPUS = {
    # ColSpec schemas: every DataType, by enum, by name, named, unnamed, optional
    "every_datatype_named": lambda t: t.Schema(_cols(t)),
    "datatype_names_as_strings": lambda t: t.Schema([t.ColSpec("long", "a"), t.ColSpec("binary", "b")]),
    "unnamed_single": lambda t: t.Schema([t.ColSpec(t.DataType.double)]),
    "unnamed_several": lambda t: t.Schema([t.ColSpec("string"), t.ColSpec("datetime")]),
    "optional_columns": lambda t: t.Schema(
        [t.ColSpec("double", "x"), t.ColSpec("string", "y", required=False)]
    ),
    "all_optional": lambda t: t.Schema([t.ColSpec("boolean", "flag", False)]),
    "odd_names": lambda t: t.Schema([t.ColSpec("float", "a b"), t.ColSpec("integer", "ünï\"cödé")]),
    # nested ColSpecs
    "array_of_long": lambda t: t.Schema([t.ColSpec(t.Array("long"), "ids")]),
    "array_of_array": lambda t: t.Schema([t.ColSpec(t.Array(t.Array(t.DataType.string)), "m")]),
    "unnamed_array": lambda t: t.Schema([t.ColSpec(t.Array("double"))]),
    "object": lambda t: t.Schema([
        t.ColSpec(
            t.Object([t.Property("b", "double"), t.Property("a", "string", required=False)]),
            "obj",
        )
    ]),
    "object_nested": lambda t: t.Schema([
        t.ColSpec(
            t.Object([
                t.Property("inner", t.Object([t.Property("z", "boolean")])),
                t.Property("tags", t.Array("string"), False),
                t.Property("meta", t.Map("long")),
                t.Property("anything", t.AnyType()),
            ]),
            "doc",
            required=False,
        )
    ]),
    "map_of_double": lambda t: t.Schema([t.ColSpec(t.Map("double"), "scores")]),
    "map_of_array_of_object": lambda t: t.Schema([
        t.ColSpec(t.Map(t.Array(t.Object([t.Property("k", "binary")]))), "m")
    ]),
    "any": lambda t: t.Schema([t.ColSpec(t.AnyType(), "whatever")]),
    "array_of_any": lambda t: t.Schema([t.ColSpec(t.Array(t.AnyType()), "xs", False)]),
    "mixed_columns": lambda t: t.Schema([
        t.ColSpec("long", "id"),
        t.ColSpec(t.Array("float"), "vec"),
        t.ColSpec(t.Map(t.Map("string")), "mm", required=False),
        t.ColSpec("datetime", "ts", required=False),
    ]),
    # tensors
    "tensor_unnamed": lambda t: t.Schema([t.TensorSpec(np.dtype("float64"), (-1, 4))]),
    "tensor_named": lambda t: t.Schema([t.TensorSpec(np.dtype("float32"), [-1, 28, 28], "img")]),
    "tensor_scalar_shape": lambda t: t.Schema([t.TensorSpec(np.dtype("int64"), (), "n")]),
    "tensors_several": lambda t: t.Schema([
        t.TensorSpec(np.dtype("uint8"), (-1, 3, -1), "a"),
        t.TensorSpec(np.dtype("bool"), (2,), "b"),
        t.TensorSpec(np.dtype(str), (-1,), "c"),
        t.TensorSpec(np.dtype(bytes), (-1, 1), "d"),
        t.TensorSpec(np.dtype(object), (-1,), "e"),
    ]),
    "tensor_datetime": lambda t: t.Schema([t.TensorSpec(np.dtype("datetime64[ns]"), (-1,), "t")]),
    "tensor_float16_int8": lambda t: t.Schema([
        t.TensorSpec(np.dtype("float16"), (-1, 2), "h"),
        t.TensorSpec(np.dtype("int8"), (1, 1), "i"),
    ]),
}

PARAM_CORPUS = {
    "scalars": lambda t: t.ParamSchema([
        t.ParamSpec("b", "boolean", True),
        t.ParamSpec("i", "integer", 3),
        t.ParamSpec("l", t.DataType.long, np.int64(7)),
        t.ParamSpec("f", "float", 0.5),
        t.ParamSpec("d", "double", 2),
        t.ParamSpec("s", "string", "hello"),
    ]),
    "none_defaults": lambda t: t.ParamSchema([
        t.ParamSpec("x", "double", None),
        t.ParamSpec("y", "string", None),
    ]),
    "lists": lambda t: t.ParamSchema([
        t.ParamSpec("ids", "long", [1, 2, 3], (-1,)),
        t.ParamSpec("ws", "double", np.array([0.1, 2]), (-1,)),
        t.ParamSpec("stop", "string", ["\n", "END"], (-1,)),
        t.ParamSpec("empty", "boolean", [], (-1,)),
    ]),
    "datetimes": lambda t: t.ParamSchema([
        t.ParamSpec("date", "datetime", dt.date(2024, 5, 1)),
        t.ParamSpec("ts", "datetime", "2024-05-01T12:30:00"),
        t.ParamSpec("np", "datetime", np.datetime64("2023-01-02T03:04:05.123456")),
        t.ParamSpec("many", "datetime", ["2024-01-01", dt.datetime(2024, 2, 2, 1, 2, 3)], (-1,)),
    ]),
    "object_param": lambda t: t.ParamSchema([
        t.ParamSpec(
            "cfg",
            t.Object([t.Property("k", "long"), t.Property("name", "string", required=False)]),
            {"k": 1},
        )
    ]),
    "empty": lambda t: t.ParamSchema([]),
}


@pytest.mark.parametrize("case", sorted(CORPUS))
def test_schema_json_matches_mlflow(case):
    ours, theirs = CORPUS[case](wb), CORPUS[case](ml)
    assert ours.to_json() == theirs.to_json()
    assert ours.to_dict() == theirs.to_dict()
    assert repr(ours) == repr(theirs)
    assert wb.Schema.from_json(theirs.to_json()) == ours
    assert ml.Schema.from_json(ours.to_json()) == theirs
    assert wb.Schema.from_json(ours.to_json()) == ours


@pytest.mark.parametrize("case", sorted(CORPUS))
def test_schema_methods_match_mlflow(case):
    ours, theirs = CORPUS[case](wb), CORPUS[case](ml)
    assert bool(ours.is_tensor_spec()) == bool(theirs.is_tensor_spec())
    assert bool(ours.has_input_names()) == bool(theirs.has_input_names())
    assert ours.input_names() == theirs.input_names()
    assert ours.required_input_names() == theirs.required_input_names()
    assert ours.optional_input_names() == theirs.optional_input_names()
    assert len(ours) == len(theirs)
    assert [repr(x) for x in ours] == [repr(x) for x in theirs]
    assert [repr(x) for x in ours.input_types()] == [repr(x) for x in theirs.input_types()]
    for method in ("numpy_types", "pandas_types", "input_types_dict", "input_dict"):
        try:
            expected = repr(getattr(theirs, method)())
        except MlflowException:
            with pytest.raises(WorkbenchException):
                getattr(ours, method)()
        else:
            assert repr(getattr(ours, method)()) == expected


@pytest.mark.parametrize("case", sorted(PARAM_CORPUS))
def test_param_schema_json_matches_mlflow(case):
    ours, theirs = PARAM_CORPUS[case](wb), PARAM_CORPUS[case](ml)
    assert ours.to_json() == theirs.to_json()
    assert ours.to_dict() == theirs.to_dict()
    assert repr(ours) == repr(theirs)
    assert [p.default for p in ours] == [p.default for p in theirs]
    assert wb.ParamSchema.from_json(theirs.to_json()) == ours
    assert ml.ParamSchema.from_json(ours.to_json()) == theirs


def test_corpus_is_large_enough():
    assert len(CORPUS) + len(PARAM_CORPUS) >= 25


def test_mlflow_model_signature_json_reads_back():
    """A signature block as MLflow writes it into MLmodel reads back to equal objects."""
    from mlflow.models import ModelSignature

    sig = ModelSignature(
        inputs=CORPUS["mixed_columns"](ml),
        outputs=CORPUS["tensor_named"](ml),
        params=PARAM_CORPUS["datetimes"](ml),
    ).to_dict()
    assert wb.Schema.from_json(sig["inputs"]) == CORPUS["mixed_columns"](wb)
    assert wb.Schema.from_json(sig["outputs"]) == CORPUS["tensor_named"](wb)
    assert wb.ParamSchema.from_json(sig["params"]) == PARAM_CORPUS["datetimes"](wb)


# --- DataType ----------------------------------------------------------------------------


def test_datatype_members_match_mlflow():
    assert [(d.name, d.value) for d in wb.DataType] == [(d.name, d.value) for d in ml.DataType]
    for ours, theirs in zip(wb.DataType, ml.DataType):
        assert ours.to_numpy() == theirs.to_numpy()
        assert type(ours.to_numpy()) is type(theirs.to_numpy())
        assert ours.to_pandas() == theirs.to_pandas()
        assert type(ours.to_pandas()) is type(theirs.to_pandas())
        assert ours.to_python() is theirs.to_python()
        assert str(ours) == str(theirs)
        assert repr(ours) == repr(theirs)


NUMPY_TYPES = [
    np.bool_, bool, np.int8, np.int16, np.int32, np.int64, int, np.uint8, np.uint64,
    np.float16, np.float32, np.float64, float, np.str_, str, np.bytes_, bytes, object,
    np.datetime64, np.dtype("datetime64[ns]"), np.dtype("datetime64[s]"), np.dtype("<U5"),
    np.dtype("O"), np.complex128, "int64", "float32",
]


@pytest.mark.parametrize("np_type", NUMPY_TYPES, ids=repr)
def test_from_numpy_type_matches_mlflow(np_type):
    ours, theirs = wb.DataType.from_numpy_type(np_type), ml.DataType.from_numpy_type(np_type)
    assert (ours.name if ours else None) == (theirs.name if theirs else None)


VALUES = [
    True, np.bool_(False), 1, np.int32(1), np.int64(1), np.uint8(1), 1.5, np.float32(1.5),
    np.float64(1.5), "a", np.str_("a"), b"a", bytearray(b"a"), dt.date(2020, 1, 1),
    dt.datetime(2020, 1, 1), np.datetime64("2020-01-01"), None, [1], {"a": 1},
]


@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_check_type_matches_mlflow(value):
    for ours, theirs in zip(wb.DataType, ml.DataType):
        assert wb.DataType.check_type(ours, value) == ml.DataType.check_type(theirs, value)


# --- nested types: merge ---------------------------------------------------------------

NESTED = {
    "long": lambda t: t.DataType.long,
    "string": lambda t: t.DataType.string,
    "any": lambda t: t.AnyType(),
    "arr_long": lambda t: t.Array("long"),
    "arr_str": lambda t: t.Array("string"),
    "arr_any": lambda t: t.Array(t.AnyType()),
    "arr_obj_a": lambda t: t.Array(t.Object([t.Property("a", "long")])),
    "arr_obj_b": lambda t: t.Array(t.Object([t.Property("b", "string")])),
    "map_long": lambda t: t.Map("long"),
    "map_any": lambda t: t.Map(t.AnyType()),
    "map_obj": lambda t: t.Map(t.Object([t.Property("a", "long", False)])),
    "obj_ab": lambda t: t.Object([t.Property("a", "long"), t.Property("b", "string")]),
    "obj_ac": lambda t: t.Object([t.Property("a", "long"), t.Property("c", t.Array("double"))]),
    "obj_a_str": lambda t: t.Object([t.Property("a", "string")]),
    "obj_a_opt": lambda t: t.Object([t.Property("a", "long", required=False)]),
    "obj_a_any": lambda t: t.Object([t.Property("a", t.AnyType())]),
    "obj_nested": lambda t: t.Object([t.Property("o", t.Object([t.Property("x", "long")]))]),
    "obj_nested2": lambda t: t.Object([t.Property("o", t.Object([t.Property("y", "double")]))]),
}
MERGEABLE = [k for k in NESTED if k not in ("long", "string")]


def _merge(t, left, right):
    try:
        return "ok", NESTED[left](t)._merge(NESTED[right](t))
    except (MlflowException, WorkbenchException):
        return "error", None


@pytest.mark.parametrize("left", MERGEABLE)
@pytest.mark.parametrize("right", sorted(NESTED))
def test_merge_matches_mlflow(left, right):
    (ours_ok, ours), (theirs_ok, theirs) = _merge(wb, left, right), _merge(ml, left, right)
    assert ours_ok == theirs_ok
    if ours_ok == "ok":
        assert repr(ours) == repr(theirs)


@pytest.mark.parametrize("left", ["obj_ab", "obj_a_any", "obj_nested"])
@pytest.mark.parametrize("right", ["obj_ac", "obj_a_str", "obj_a_opt", "obj_nested2", "any"])
def test_property_merge_matches_mlflow(left, right):
    def props(t, key):
        value = NESTED[key](t)
        return value if isinstance(value, t.AnyType) else value.properties[0]

    def run(t):
        try:
            return repr(props(t, left)._merge(props(t, right)))
        except (MlflowException, WorkbenchException):
            return "error"

    assert run(wb) == run(ml)


# --- params: validation ----------------------------------------------------------------

PARAM_TYPES = [d.name for d in wb.DataType if d.name != "binary"]
scalar_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**63), 2**63 - 1),
    st.floats(allow_nan=False),
    st.text(max_size=5),
    st.sampled_from([
        "2024-01-01", "2024-01-01T10:00:00", "x", "1", dt.date(2020, 1, 1),
        dt.datetime(2020, 1, 1, 1), np.int32(4), np.int64(5), np.float32(0.5), np.uint8(3),
        np.bool_(True), np.str_("s"), np.datetime64("2020-01-01"), b"raw", 0, 1,
    ]),
)


def _validate(t, value, type_name, shape):
    try:
        return "ok", t.ParamSpec.validate_type_and_shape("spec", value, t.DataType[type_name], shape)
    except (MlflowException, WorkbenchException):
        return "error", None
    except ValueError:
        # MLflow lets numpy's ValueError escape for ragged nested lists; we raise our error.
        assert t is ml
        return "error", None


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(value=scalar_values, type_name=st.sampled_from(PARAM_TYPES))
def test_scalar_param_validation_matches_mlflow(value, type_name):
    ours, theirs = _validate(wb, value, type_name, None), _validate(ml, value, type_name, None)
    assert ours[0] == theirs[0]
    assert ours[1] == theirs[1] and type(ours[1]) is type(theirs[1])


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    value=st.one_of(st.lists(scalar_values, max_size=4), scalar_values,
                    st.lists(st.lists(st.integers(0, 3), max_size=2), max_size=2)),
    type_name=st.sampled_from(PARAM_TYPES),
)
def test_list_param_validation_matches_mlflow(value, type_name):
    ours, theirs = _validate(wb, value, type_name, (-1,)), _validate(ml, value, type_name, (-1,))
    assert ours == theirs


OBJECT_TYPE = lambda t: t.Object([  # noqa: E731
    t.Property("i", "long"),
    t.Property("n", "integer", required=False),
    t.Property("f", "float", required=False),
    t.Property("d", "double", required=False),
    t.Property("s", "string", required=False),
    t.Property("b", "boolean", required=False),
    t.Property("t", "datetime", required=False),
    t.Property("bin", "binary", required=False),
    t.Property("xs", t.Array("long"), required=False),
    t.Property("m", t.Map("string"), required=False),
    t.Property("o", t.Object([t.Property("z", "double")]), required=False),
    t.Property("any", t.AnyType(), required=False),
])
OBJECT_VALUES = [
    {"i": 1}, {"i": 1, "n": 3}, {"i": 1, "n": np.int32(3)}, {"i": 1, "f": 1.5},
    {"i": 1, "f": np.float32(1.5)}, {"i": 1, "f": 1}, {"i": 1, "f": 2}, {"i": 1, "d": 2},
    {"i": 1, "d": 1}, {"i": 1, "d": 2.5}, {"i": 1, "s": "x"}, {"i": 1, "s": 3}, {"i": 1, "b": True},
    {"i": 1, "b": 1}, {"i": 1, "t": "2020-01-01"}, {"i": 1, "t": np.datetime64("2020-01-01")},
    {"i": 1, "bin": b"x"}, {"i": 1, "bin": "x"}, {"i": 1, "xs": [1, 2]}, {"i": 1, "xs": ["a"]},
    {"i": 1, "xs": []}, {"i": 1, "xs": None}, {"i": 1, "m": {"a": "b"}}, {"i": 1, "m": {"a": 1}},
    {"i": 1, "m": {1: "b"}}, {"i": 1, "o": {"z": 1.0}}, {"i": 1, "o": {}}, {"i": 1, "o": {"y": 1}},
    {"i": 1, "any": [None, {"q": 1}]}, {"i": 1, "n": None}, {"i": None}, {"i": 1.0}, {"i": "1"},
    {"i": True}, {}, {"i": 1, "zz": 2}, [], "x", None, {"i": 1, "s": None}, {"i": 1, "f": float("nan")},
]


@pytest.mark.parametrize("value", OBJECT_VALUES, ids=repr)
def test_object_param_validation_matches_mlflow(value):
    def run(t):
        try:
            return "ok", t.ParamSpec.validate_type_and_shape("spec", value, OBJECT_TYPE(t), None)
        except (MlflowException, WorkbenchException):
            return "error", None

    assert run(wb) == run(ml)

