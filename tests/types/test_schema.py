import json
import warnings

import numpy as np
import pytest

from workbench._exceptions import WorkbenchException
from workbench.types import AnyType, Array, ColSpec, DataType, Map, Object, Property, Schema, TensorSpec

# --- ColSpec ---------------------------------------------------------------------------


def test_colspec_dict_forms():
    assert ColSpec(DataType.long, "x").to_dict() == {"type": "long", "name": "x", "required": True}
    assert ColSpec("string").to_dict() == {"type": "string", "required": True}
    assert list(ColSpec(Array("long"), "xs", False).to_dict()) == ["type", "items", "name", "required"]
    assert ColSpec(Map("double"), "m").to_dict() == {
        "type": "map", "values": {"type": "double"}, "name": "m", "required": True,
    }
    assert ColSpec(AnyType(), "a").to_dict() == {"type": "any", "name": "a", "required": True}


def test_colspec_eq_repr_and_name_setter():
    col = ColSpec("double", "x", required=False)
    assert repr(col) == "'x': double (optional)"
    assert repr(ColSpec("long")) == "long (required)"
    assert col == ColSpec(DataType.double, "x", False)
    assert col != ColSpec("double", "x") and col != "x"
    col.name = "y"
    assert col.name == "y"


@pytest.mark.parametrize(
    "col",
    [
        ColSpec("long", "x"),
        ColSpec("binary"),
        ColSpec("datetime", "t", required=False),
        ColSpec(Array(Object([Property("a", "long")])), "arr"),
        ColSpec(Map(AnyType()), "m", required=False),
        ColSpec(AnyType()),
    ],
    ids=repr,
)
def test_colspec_round_trip(col):
    assert ColSpec.from_json_dict(**col.to_dict()) == col


def test_colspec_from_json_dict_defaults_and_errors():
    assert ColSpec.from_json_dict(type="long") == ColSpec("long")
    nested = ColSpec.from_json_dict(type="array", items={"type": "long"}, name="a")
    assert nested.required is True  # MLflow 3 leaves None here; see the report
    with pytest.raises(WorkbenchException, match=r"ColSpec dict with a 'type' key, got keys \['name'\]"):
        ColSpec.from_json_dict(name="a")
    with pytest.raises(WorkbenchException, match=r"Unexpected keys \['extra'\] in ColSpec dict"):
        ColSpec.from_json_dict(type="long", extra=1)
    with pytest.raises(WorkbenchException, match=r"Unsupported type name 'lng' for the type of a ColSpec"):
        ColSpec.from_json_dict(type="lng")


def test_colspec_bad_type_is_a_type_error_too():
    with pytest.raises(TypeError, match=r"got 5 of type int") as info:
        ColSpec(5)
    assert isinstance(info.value, WorkbenchException)
    assert info.value.error_code == "INVALID_PARAMETER_VALUE"


def test_colspec_optional_is_deprecated():
    with pytest.warns(FutureWarning, match=r"optional=\.\.\.\) is deprecated; use required="):
        col = ColSpec("long", "x", optional=True)
    assert col.required is False
    with pytest.warns(FutureWarning):
        assert ColSpec.from_json_dict(type="long", name="x", optional=False).required is True
    with pytest.raises(WorkbenchException, match=r"got both 'optional' and 'required'"):
        ColSpec("long", "x", required=False, optional=True)


def test_colspec_required_must_be_a_bool():
    with pytest.raises(WorkbenchException, match=r"'required' of ColSpec 'x' to be True or False, got 'yes'"):
        ColSpec("long", "x", "yes")
    assert ColSpec("long", "x", np.bool_(False)).required is False


# --- TensorSpec ------------------------------------------------------------------------


def test_tensorspec_dict_eq_repr():
    spec = TensorSpec(np.dtype("float64"), [-1, 4], "x")
    assert spec.shape == (-1, 4) and spec.type == np.dtype("float64") and spec.required is True
    assert spec.to_dict() == {
        "name": "x", "type": "tensor", "tensor-spec": {"dtype": "float64", "shape": (-1, 4)},
    }
    assert TensorSpec(np.dtype("int8"), ()).to_dict() == {
        "type": "tensor", "tensor-spec": {"dtype": "int8", "shape": ()},
    }
    assert repr(spec) == "'x': Tensor('float64', (-1, 4))"
    assert repr(TensorSpec(np.dtype(str), (-1,))) == "Tensor('str', (-1,))"
    assert spec == TensorSpec(np.dtype("float64"), (-1, 4), "x")
    assert spec != TensorSpec(np.dtype("float32"), (-1, 4), "x")
    assert spec != TensorSpec(np.dtype("float64"), (-1, 4))
    assert TensorSpec.from_json_dict(**spec.to_dict()) == spec


def test_tensorspec_normalizes_numpy_ints_in_shape():
    spec = TensorSpec(np.dtype("float64"), (np.int64(-1), np.int32(3)))
    assert spec.shape == (-1, 3) and all(type(d) is int for d in spec.shape)
    assert json.dumps(spec.to_dict())  # serializable


@pytest.mark.parametrize(
    ("dtype", "shape", "error", "message"),
    [
        (np.float64, (-1,), TypeError, r"numpy.dtype such as np.dtype\('float64'\), got <class 'numpy.float64'>"),
        ("float64", (-1,), TypeError, r"wrap it in np.dtype"),
        (np.dtype("<U10"), (-1,), WorkbenchException, r"sizes are not supported in signatures. Use np.dtype\('str'\)"),
        (np.dtype("S4"), (-1,), WorkbenchException, r"Use np.dtype\('bytes'\)"),
        (np.dtype("float64"), 3, TypeError, r"shape of a TensorSpec to be a tuple or list of ints, got 3"),
        (np.dtype("float64"), (None,), WorkbenchException, r"to hold ints \(-1 for a dimension of any size\), got None"),
        (np.dtype("float64"), (True,), WorkbenchException, r"to hold ints"),
        (np.dtype("float64"), (-2, 3), WorkbenchException, r"sizes >= 0 or -1 \(any size\), got -2"),
    ],
)
def test_tensorspec_rejects(dtype, shape, error, message):
    with pytest.raises(error, match=message):
        TensorSpec(dtype, shape)


def test_tensorspec_from_json_dict_errors():
    with pytest.raises(WorkbenchException, match=r"keys 'type' and 'tensor-spec', got keys \['type'\]"):
        TensorSpec.from_json_dict(type="tensor")
    with pytest.raises(WorkbenchException, match=r"to have type 'tensor', got 'long'"):
        TensorSpec.from_json_dict(type="long", **{"tensor-spec": {"dtype": "int8", "shape": []}})
    with pytest.raises(WorkbenchException, match=r"'dtype' 'foo' of a TensorSpec dict is not a numpy dtype"):
        TensorSpec.from_json_dict(type="tensor", **{"tensor-spec": {"dtype": "foo", "shape": []}})
    with pytest.raises(WorkbenchException, match=r"to have keys 'dtype' and 'shape'"):
        TensorSpec.from_json_dict(type="tensor", **{"tensor-spec": {"dtype": "int8"}})


# --- Schema ----------------------------------------------------------------------------

COLS = Schema([ColSpec("double", "x"), ColSpec("string", "s", required=False), ColSpec("long", "n")])
UNNAMED = Schema([ColSpec("double"), ColSpec("long")])
TENSORS = Schema([TensorSpec(np.dtype("float32"), (-1, 2), "a"), TensorSpec(np.dtype("int64"), (-1,), "b")])


def test_schema_json_is_mlflows_string():
    assert COLS.to_json() == (
        '[{"type": "double", "name": "x", "required": true}, '
        '{"type": "string", "name": "s", "required": false}, '
        '{"type": "long", "name": "n", "required": true}]'
    )
    assert Schema([TensorSpec(np.dtype("float64"), (-1, 4))]).to_json() == (
        '[{"type": "tensor", "tensor-spec": {"dtype": "float64", "shape": [-1, 4]}}]'
    )
    assert Schema([ColSpec(Object([Property("a", Array("long"))]), "o")]).to_json() == (
        '[{"type": "object", "properties": {"a": {"type": "array", "items": {"type": "long"}, '
        '"required": true}}, "name": "o", "required": true}]'
    )


def test_schema_accessors():
    assert COLS.inputs[0] == ColSpec("double", "x")
    assert len(COLS) == 3 and list(COLS) == COLS.inputs
    assert COLS.is_tensor_spec() is False and TENSORS.is_tensor_spec() is True
    assert COLS.has_input_names() is True and UNNAMED.has_input_names() is False
    assert COLS.input_names() == ["x", "s", "n"]
    assert UNNAMED.input_names() == [0, 1]
    assert COLS.required_input_names() == ["x", "n"]
    assert COLS.optional_input_names() == ["s"]
    assert COLS.input_types() == [DataType.double, DataType.string, DataType.long]
    assert COLS.input_types_dict() == {"x": DataType.double, "s": DataType.string, "n": DataType.long}
    assert TENSORS.input_dict() == {"a": TENSORS.inputs[0], "b": TENSORS.inputs[1]}
    assert COLS.numpy_types() == [np.dtype("float64"), np.dtype("<U"), np.dtype("int64")]
    assert COLS.pandas_types() == [np.dtype("float64"), object, np.dtype("int64")]
    assert TENSORS.numpy_types() == [np.dtype("float32"), np.dtype("int64")]
    assert repr(COLS) == "['x': double (required), 's': string (optional), 'n': long (required)]"


def test_schema_accessor_errors():
    with pytest.raises(WorkbenchException, match=r"Schema.input_dict\(\) needs named inputs"):
        UNNAMED.input_dict()
    with pytest.raises(WorkbenchException, match=r"Schema.input_types_dict\(\) needs named inputs"):
        UNNAMED.input_types_dict()
    with pytest.raises(WorkbenchException, match=r"use numpy_types\(\) instead"):
        TENSORS.pandas_types()
    nested = Schema([ColSpec(Array("long"), "a")])
    with pytest.raises(WorkbenchException, match=r"numpy_types\(\) needs every column to have a DataType"):
        nested.numpy_types()
    with pytest.raises(WorkbenchException, match=r"pandas_types\(\) needs every column"):
        nested.pandas_types()


@pytest.mark.parametrize(
    ("inputs", "message"),
    [
        ((ColSpec("long"),), r"list of ColSpec or TensorSpec, got tuple"),
        ([], r"at least one input, got an empty list"),
        (["x"], r"to be ColSpec or TensorSpec, got \['x'\]"),
        ([ColSpec("long", "a"), TensorSpec(np.dtype("int8"), (-1,), "b")], r"cannot mix ColSpec and TensorSpec"),
        ([ColSpec("long", "a"), ColSpec("long")], r"cannot mix named and unnamed inputs, got names \['a', None\]"),
        ([ColSpec("long", "a"), ColSpec("double", "a")], r"duplicated input names \['a'\]"),
        ([ColSpec("long", required=False)], r"unnamed input cannot be optional"),
        ([TensorSpec(np.dtype("int8"), (-1,)), TensorSpec(np.dtype("int8"), (-1,))],
         r"Schema with 2 TensorSpecs needs a name for each"),
    ],
)
def test_schema_rejects(inputs, message):
    with pytest.raises(WorkbenchException, match=message) as info:
        Schema(inputs)
    assert info.value.error_code == "INVALID_PARAMETER_VALUE"


@pytest.mark.parametrize("schema", [COLS, UNNAMED, TENSORS], ids=["cols", "unnamed", "tensors"])
def test_schema_round_trip(schema):
    assert Schema.from_json(schema.to_json()) == schema
    assert Schema.from_json(schema.to_json()).to_json() == schema.to_json()


def test_schema_eq():
    assert COLS == Schema(list(COLS.inputs))
    assert COLS != UNNAMED and COLS != COLS.inputs


def test_schema_from_json_errors():
    with pytest.raises(WorkbenchException, match=r"could not parse it"):
        Schema.from_json("not json")
    with pytest.raises(WorkbenchException, match=r"to be a list of objects"):
        Schema.from_json('{"type": "long"}')
    with pytest.raises(WorkbenchException, match=r"Spark ML type that workbench does not support"):
        Schema.from_json('[{"type": "sparkml_vector", "name": "v"}]')


def test_schema_reads_old_mlflow_json_without_required():
    schema = Schema.from_json('[{"type": "long", "name": "a"}, {"type": "array", "items": {"type": "double"}, "name": "b"}]')
    assert schema == Schema([ColSpec("long", "a"), ColSpec(Array("double"), "b")])


def test_no_warning_on_ordinary_use():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Schema.from_json(COLS.to_json())
