import datetime as dt

import numpy as np
import pytest

from workbench._exceptions import WorkbenchException
from workbench.types import Array, DataType, Object, ParamSchema, ParamSpec, Property


@pytest.mark.parametrize(
    ("dtype", "value", "expected"),
    [
        ("boolean", np.bool_(True), True),
        ("integer", np.int32(3), 3),
        ("long", 3, 3),
        ("long", np.int32(3), 3),
        ("float", 2, 2.0),
        ("float", 0.5, 0.5),  # a Python float is fine for float (its Python type)
        ("integer", 3, 3),
        ("float", np.float32(0.5), 0.5),
        ("double", np.float32(0.5), 0.5),
        ("double", 1, 1.0),
        ("string", "x", "x"),
        ("string", np.str_("x"), "x"),
        ("datetime", "2024-05-01", dt.date(2024, 5, 1)),
        ("datetime", "2024-05-01T10:11:12", dt.datetime(2024, 5, 1, 10, 11, 12)),
        ("datetime", dt.date(2024, 5, 1), dt.date(2024, 5, 1)),
        ("long", None, None),
    ],
)
def test_scalar_defaults_are_converted_to_python(dtype, value, expected):
    default = ParamSpec("p", dtype, value).default
    assert default == expected and type(default) is type(expected)


@pytest.mark.parametrize(
    ("dtype", "value", "message"),
    [
        ("long", "3", r"Can not safely convert `<class 'str'>` to `DataType.long` for value `3`. Pass a long value.$"),
        ("long", True, r"Can not safely convert `<class 'bool'>` to `DataType.long` for value `True`"),
        ("long", 1.5, r"Can not safely convert `<class 'float'>` to `DataType.long` for value `1.5`"),
        ("integer", np.int64(3), r"Can not safely convert `<class 'numpy.int64'>` to `DataType.integer` for value `3`"),
        ("float", np.float64(0.5), r"Can not safely convert `<class 'numpy.float64'>` to `DataType.float` for value `0.5`"),
        ("boolean", 1, r"to `DataType.boolean` for value `1`. Pass a boolean value.$"),
        ("string", [1], r"Value must be a scalar for type `DataType.string`, got `\[1\]`. Pass a single value, or declare the param with shape \(-1,\) for a list.$"),
        ("datetime", 5, r"Failed to convert value `5` from type `<class 'int'>` to `DataType.datetime`: "),
        ("datetime", "soon", r"Failed to convert value `soon` from type `<class 'str'>` to `DataType.datetime`: .*Pass a datetime, a date or an ISO 8601 string.$"),
        ("datetime", "2024-05-01T00:00:00.000000001", r"Failed to convert value to `DataType.datetime`. It must be convertible to datetime.date/datetime, got `2024-05-01T00:00:00.000000001`"),
    ],
)
def test_bad_scalar_defaults(dtype, value, message):
    with pytest.raises(WorkbenchException, match=r"Failed to validate type and shape for 'p': ") as info:
        ParamSpec("p", dtype, value)
    assert info.value.error_code == "INVALID_PARAMETER_VALUE"
    assert pytest.raises(WorkbenchException, ParamSpec, "p", dtype, value).match(message)


def test_list_defaults():
    spec = ParamSpec("ids", "double", np.array([1, 2]), (-1,))
    assert spec.default == [1.0, 2.0] and spec.shape == (-1,)
    assert ParamSpec("x", "long", [], [-1]).shape == (-1,)
    with pytest.raises(WorkbenchException, match=r"^Value must be a 1D array with shape \(-1,\) for param 'x': long \(default: 1\) \(shape: \(-1,\)\), received int with ndim 0. Pass a list of scalars.$"):
        ParamSpec("x", "long", 1, (-1,))
    with pytest.raises(WorkbenchException, match=r"received list with ndim 2"):
        ParamSpec("x", "long", [[1], [2]], (-1,))
    with pytest.raises(WorkbenchException, match=r"received list with ndim ragged"):
        ParamSpec("x", "long", [[1], []], (-1,))
    with pytest.raises(WorkbenchException, match=r"^Shape must be None for scalar or dictionary value, or \(-1,\) for 1D array value for ParamSpec 'x': long \(default: 1\) \(shape: \(2,\)\), received \(2,\).$"):
        ParamSpec("x", "long", 1, (2,))
    with pytest.raises(WorkbenchException, match=r"shape of ParamSpec 'x' to be None or \(-1,\), got 3"):
        ParamSpec("x", "long", 1, 3)


def test_dtype_errors():
    with pytest.raises(WorkbenchException, match=r"has dtype 'binary', which parameters do not support"):
        ParamSpec("b", DataType.binary, b"x")
    with pytest.raises(WorkbenchException, match=r"Unsupported type 'nope' for ParamSpec 'b': expected a DataType, an Object or one of \['boolean', 'integer', 'long', 'float', 'double', 'string', 'datetime'\]"):
        ParamSpec("b", "nope", 1)
    with pytest.raises(TypeError, match=r"dtype of ParamSpec 'b' to be a DataType, an Object or a type name, got Array\(long\)"):
        ParamSpec("b", Array("long"), [1])


def test_to_dict_forms():
    assert ParamSpec("k", "long", 3).to_dict() == {"name": "k", "default": 3, "shape": None, "type": "long"}
    assert list(ParamSpec("k", "long", 3).to_dict()) == ["name", "default", "shape", "type"]
    assert ParamSpec("t", "datetime", "2024-05-01T10:00:00").to_dict()["default"] == "2024-05-01T10:00:00"
    assert ParamSpec("t", "datetime", ["2024-05-01"], (-1,)).to_dict() == {
        "name": "t", "default": ["2024-05-01"], "shape": (-1,), "type": "datetime",
    }
    # MLflow raises on a None datetime default here; we keep None.
    assert ParamSpec("t", "datetime", None).to_dict()["default"] is None
    obj = Object([Property("a", "long")])
    assert ParamSpec("o", obj, {"a": 1}).to_dict() == {
        "name": "o", "default": {"a": 1}, "shape": None,
        "type": "object", "properties": {"a": {"type": "long", "required": True}},
    }


def test_eq_repr_and_name_is_str():
    spec = ParamSpec(5, "double", 1, None)
    assert spec.name == "5"
    assert repr(spec) == "'5': double (default: 1.0)"
    assert repr(ParamSpec("l", "long", [1], (-1,))) == "'l': long (default: [1]) (shape: (-1,))"
    assert spec == ParamSpec("5", DataType.double, 1.0)
    assert spec != ParamSpec("5", DataType.double, 2.0) and spec != "5"


def test_object_params_are_checked_and_returned_unchanged():
    obj = Object([Property("k", "long"), Property("name", "string", required=False)])
    value = {"k": np.int64(1)}
    spec = ParamSpec("cfg", obj, value)
    assert spec.default is value
    with pytest.raises(WorkbenchException, match=r"Missing required properties: \['k'\]. Add them, or declare them with required=False.$"):
        ParamSpec("cfg", obj, {"name": "x"})
    with pytest.raises(WorkbenchException, match=r"Invalid properties not defined in the schema found: \['zz'\]. Remove them, or add them to the Object \(it declares \['k', 'name'\]\).$"):
        ParamSpec("cfg", obj, {"k": 1, "zz": 1})
    with pytest.raises(WorkbenchException, match=r"Failed to enforce schema for key `k`. Expected type long, received type str: Can not safely convert str to int64$"):
        ParamSpec("cfg", obj, {"k": "1"})
    with pytest.raises(WorkbenchException, match=r"error: Failed to enforce schema of '\[1\]' with type '\{k: long \(required\), name: string \(optional\)\}'. Expected data to be dictionary, got list.$"):
        ParamSpec("cfg", obj, [1])


def test_object_params_cannot_be_lists():
    obj = Object([Property("a", "long")])
    with pytest.raises(WorkbenchException, match=r"error: a list of \{a: long \(required\)\} is not supported"):
        ParamSpec("o", obj, [{"a": 1}], (-1,))


def test_validate_type_and_shape_needs_a_datatype_or_object():
    with pytest.raises(WorkbenchException, match=r"type of param 'x' to be a DataType or an Object, got Array\(long\)"):
        ParamSpec.validate_type_and_shape("'x'", [1], Array("long"), None)


def test_validate_param_spec_and_validate_type_and_shape():
    spec = ParamSpec("k", "double", 0.5)
    assert ParamSpec.validate_param_spec(np.float32(2.5), spec) == 2.5
    with pytest.raises(WorkbenchException, match=r"Failed to validate type and shape for 'k': double \(default: 0.5\), error: Can not safely convert `<class 'str'>` to `DataType.double` for value `x`"):
        ParamSpec.validate_param_spec("x", spec)
    assert ParamSpec.validate_type_and_shape("spec", [1, 2], DataType.long, [-1]) == [1, 2]


@pytest.mark.parametrize(
    "spec",
    [
        ParamSpec("b", "boolean", False),
        ParamSpec("s", "string", None),
        ParamSpec("d", "datetime", dt.datetime(2020, 1, 2, 3, 4, 5, 6)),
        ParamSpec("dd", "datetime", [dt.date(2020, 1, 2)], (-1,)),
        ParamSpec("f", "float", [0.5, 1], (-1,)),
        ParamSpec("o", Object([Property("a", Array("string"))]), {"a": ["x"]}),
    ],
    ids=repr,
)
def test_param_spec_round_trip(spec):
    assert ParamSpec.from_json_dict(**spec.to_dict()) == spec
    assert ParamSchema.from_json(ParamSchema([spec]).to_json()) == ParamSchema([spec])


def test_from_json_dict_accepts_old_dtype_key_and_rejects_missing_keys():
    assert ParamSpec.from_json_dict(name="a", dtype="long", default=1) == ParamSpec("a", "long", 1)
    with pytest.raises(WorkbenchException, match=r"keys 'name', 'type' \(or 'dtype'\) and 'default', got keys \['name', 'type'\]"):
        ParamSpec.from_json_dict(name="a", type="long")


def test_param_schema():
    schema = ParamSchema([ParamSpec("a", "long", 1), ParamSpec("b", "string", ["x"], (-1,))])
    assert len(schema) == 2 and [p.name for p in schema] == ["a", "b"]
    assert schema.params[0] == ParamSpec("a", "long", 1)
    assert schema.to_json() == (
        '[{"name": "a", "default": 1, "shape": null, "type": "long"}, '
        '{"name": "b", "default": ["x"], "shape": [-1], "type": "string"}]'
    )
    assert repr(schema) == "['a': long (default: 1), 'b': string (default: ['x']) (shape: (-1,))]"
    assert ParamSchema.from_json(schema.to_json()) == schema
    assert ParamSchema([]).to_json() == "[]"
    assert schema != ParamSchema([]) and schema != schema.params


def test_param_schema_errors():
    with pytest.raises(WorkbenchException, match=r"Duplicated parameters found in schema: \['a'\]"):
        ParamSchema([ParamSpec("a", "long", 1), ParamSpec("a", "long", 2)])
    with pytest.raises(WorkbenchException, match=r"to be ParamSpec instances, got \['a'\]"):
        ParamSchema(["a"])
    with pytest.raises(WorkbenchException, match=r"to be a list of ParamSpec, got str"):
        ParamSchema("a")
    with pytest.raises(WorkbenchException, match=r"could not parse it"):
        ParamSchema.from_json("{")
    with pytest.raises(WorkbenchException, match=r"to be a list of objects"):
        ParamSchema.from_json('{"name": "a"}')
