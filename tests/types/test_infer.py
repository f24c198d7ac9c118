"""Unit tests of workbench.types._infer: the pure schema inference helpers."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import pandas as hpd

from workbench import WorkbenchException
from workbench.types import AnyType, Array, ColSpec, DataType, Object, ParamSchema, Property, Schema
from workbench.types._infer import (
    _get_tensor_shape,
    _infer_datatype,
    _infer_numpy_dtype,
    _infer_pandas_column,
    _infer_param_schema,
    _infer_required,
    _infer_schema,
    _is_none_or_nan,
    clean_tensor_type,
    convert_dataclass_to_schema,
)


@pytest.fixture(autouse=True)
def _quiet_integer_hint():
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="The inferred schema has integer")
        yield


# --------------------------------------------------------------------------- dtypes


@pytest.mark.parametrize(
    ("dtype", "expected"),
    [
        ("bool", DataType.boolean),
        ("int8", DataType.integer),
        ("int16", DataType.integer),
        ("int32", DataType.integer),
        ("int64", DataType.long),
        ("uint8", DataType.integer),
        ("uint16", DataType.integer),
        ("uint32", DataType.long),
        ("float16", DataType.float),
        ("float32", DataType.float),
        ("float64", DataType.double),
        ("<U3", DataType.string),
        ("S2", DataType.binary),
        ("datetime64[ns]", DataType.datetime),
        ("datetime64[s]", DataType.datetime),
        ("Int64", DataType.long),
        ("boolean", DataType.boolean),
        ("Float32", DataType.float),
        ("datetime64[ns, UTC]", DataType.datetime),
    ],
)
def test_numpy_and_pandas_dtypes_map_like_mlflow(dtype, expected):
    resolved = pd.api.types.pandas_dtype(dtype)
    assert _infer_numpy_dtype(resolved) == expected


@pytest.mark.parametrize("dtype", ["uint64", "complex128", "timedelta64[ns]"])
def test_unsupported_dtypes_say_what_is_expected(dtype):
    with pytest.raises(WorkbenchException, match="Unsupported numpy dtype .*cast the data") as info:
        _infer_numpy_dtype(np.dtype(dtype))
    assert f"'{dtype}'" in info.value.message


def test_object_dtype_needs_the_values():
    with pytest.raises(WorkbenchException, match="depends on its values"):
        _infer_numpy_dtype(np.dtype(object))


def test_non_dtype_is_refused():
    with pytest.raises(WorkbenchException, match="Expected a numpy.dtype .* got str"):
        _infer_numpy_dtype("int64")


def test_clean_tensor_type_drops_sizes():
    assert clean_tensor_type(np.dtype("<U7")) == np.dtype("str")
    assert clean_tensor_type(np.dtype("S3")) == np.dtype("bytes")
    assert clean_tensor_type(np.dtype("float32")) == np.dtype("float32")
    with pytest.raises(WorkbenchException, match="Expected a numpy.dtype"):
        clean_tensor_type("float32")


def test_tensor_shape():
    assert _get_tensor_shape(np.zeros((2, 3, 4))) == (-1, 3, 4)
    assert _get_tensor_shape(np.zeros((2, 3)), variable_dimension=1) == (2, -1)
    assert _get_tensor_shape(sp.csr_matrix(np.eye(3))) == (-1, 3)
    with pytest.raises(WorkbenchException, match="array has 0 dimension"):
        _get_tensor_shape(np.array(1.0))
    with pytest.raises(WorkbenchException, match="got list"):
        _get_tensor_shape([1, 2])


# --------------------------------------------------------------------------- missing values


def test_missing_values():
    missing = (None, np.nan, pd.NA, pd.NaT, np.float64("nan"))
    assert [_is_none_or_nan(v) for v in missing] == [True] * 5
    assert [_is_none_or_nan(v) for v in (0, "", [], np.float32("nan"))] == [False] * 4
    assert _infer_required(pd.Series([1.0, np.nan])) is False
    assert _infer_required([1, 2]) is True
    assert _infer_required(np.array([np.nan])) is True  # an array value is not a column


# --------------------------------------------------------------------------- nested values


def test_nested_values():
    assert _infer_datatype([["a"], [], None]) == Array(Array(DataType.string))
    assert _infer_datatype([]) == AnyType()
    assert _infer_datatype({}) == AnyType()
    assert _infer_datatype(np.array([])) is None
    assert _infer_datatype({"a": 1, "b": None}) == Object(
        [Property("a", DataType.long), Property("b", AnyType(), required=False)]
    )


def test_list_of_objects_merges_keys_into_optional_properties():
    merged = _infer_datatype([{"a": 1, "b": "x"}, {"a": 2, "c": True}])
    assert merged == Array(
        Object(
            [
                Property("a", DataType.long),
                Property("b", DataType.string, required=False),
                Property("c", DataType.boolean, required=False),
            ]
        )
    )


@pytest.mark.parametrize("values", [[1, "a"], [[1], ["a"]], [{"a": 1}, {"a": "x"}], [1, [1]]])
def test_mixed_types_are_refused_with_the_way_out(values):
    with pytest.raises(WorkbenchException, match=r"same type.*Array\(AnyType\(\)\)"):
        _infer_datatype(values)


def test_unsupported_scalars_name_the_supported_ones():
    with pytest.raises(WorkbenchException, match="Cannot infer a data type for .* of type int16"):
        _infer_datatype(np.int16(1))
    with pytest.raises(WorkbenchException, match="of type Timestamp"):
        _infer_datatype(pd.Timestamp("2024-01-01"))


def test_empty_array_value_in_a_dict_is_refused():
    with pytest.raises(WorkbenchException, match="key 'a': its value is an empty numpy array"):
        _infer_datatype({"a": np.array([])})


def test_pandas_columns():
    assert _infer_pandas_column(pd.Series([[1.0], [None]])) == Array(DataType.double)
    assert _infer_pandas_column(pd.Series([], dtype=object)) == DataType.string
    assert _infer_pandas_column(pd.Series([1, None], dtype=object)) == DataType.double
    with pytest.raises(WorkbenchException, match="column 'm' of dtype object"):
        _infer_pandas_column(pd.Series([1, "a"], name="m"))
    with pytest.raises(WorkbenchException, match="duplicate"):
        _infer_pandas_column(pd.DataFrame([[1, 2]], columns=["a", "a"]))


# --------------------------------------------------------------------------- schemas


def test_integer_columns_warn_and_tensors_do_not():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        _infer_schema(pd.DataFrame({"a": [1, 2]}))
        _infer_schema(np.array([1, 2]))
        _infer_schema(pd.DataFrame({"a": [1.0]}))
    assert len(caught) == 1
    assert "integer column(s)" in str(caught[0].message)


def test_sparse_arrays_read_like_sparse_matrices():
    # A departure: MLflow only knows csr_matrix / csc_matrix.
    assert _infer_schema(sp.csr_array(np.eye(2))) == _infer_schema(sp.csr_matrix(np.eye(2)))
    assert _infer_schema(sp.csc_array(np.eye(2))) == _infer_schema(sp.csc_matrix(np.eye(2)))


def test_rows_only_count_none_as_missing():
    schema = _infer_schema([{"a": 1.0, "b": 1}, {"a": float("nan")}])
    assert [c.required for c in schema.inputs] == [True, False]


def test_non_string_keys_are_refused():
    with pytest.raises(WorkbenchException, match=r"key of the dict to be a str, got \[1\]"):
        _infer_schema({1: "a", "b": "c"})


def test_unsupported_data_lists_the_accepted_kinds():
    expected = "Cannot infer a schema from .* of type set.*pandas.DataFrame"
    with pytest.raises(WorkbenchException, match=expected):
        _infer_schema({1, 2})


def test_module_imports_neither_pandas_nor_scipy():
    code = (
        "import sys, workbench.types._infer as m; "
        "print(m._infer_schema([{'a': 'x'}]).to_json()); "
        "print(sorted({'pandas', 'scipy'} & set(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.splitlines() == ['[{"type": "string", "name": "a", "required": true}]', "[]"]


# --------------------------------------------------------------------------- params


def test_param_schema_types_and_shapes():
    schema = _infer_param_schema(
        {"k": 1, "t": 0.1, "on": False, "s": "x", "day": dt.date(2024, 1, 1), "l": [1.0], "e": []}
    )
    assert isinstance(schema, ParamSchema)
    assert [(p.name, p.dtype, p.shape) for p in schema.params] == [
        ("k", DataType.long, None),
        ("t", DataType.double, None),
        ("on", DataType.boolean, None),
        ("s", DataType.string, None),
        ("day", DataType.datetime, None),
        ("l", DataType.double, (-1,)),
        ("e", DataType.datetime, (-1,)),  # an empty list is a list of datetimes, as in MLflow
    ]


def test_params_must_be_a_dict():
    with pytest.raises(WorkbenchException, match="Expected params to be a dict .* got list"):
        _infer_param_schema([1])


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (None, "got NoneType"),
        ((1,), "got tuple"),
        ([[1]], "got a 2-D array"),
        ({}, ""),
        (b"x", "[Bb]inary"),
        (2**70, "depends on its values"),
    ],
)
def test_bad_params(value, reason):
    with pytest.raises(WorkbenchException, match=f"'p' = .*{reason}") as info:
        _infer_param_schema({"p": value})
    assert info.value.message.startswith("Cannot infer a schema for these parameters:")


# --------------------------------------------------------------------------- dataclasses


@dataclass
class _Address:
    city: str
    zips: list[int]


@dataclass
class _Person:
    name: str
    age: int | None
    height: float
    born: dt.datetime  # MLflow refuses datetime.datetime; we read it as datetime
    home: _Address
    past: list[_Address] = field(default_factory=list)


def test_dataclass_to_schema_reads_postponed_annotations():
    schema = convert_dataclass_to_schema(_Person)
    address = Object([Property("city", DataType.string), Property("zips", Array(DataType.long))])
    assert schema == Schema(
        [
            ColSpec(DataType.string, "name"),
            ColSpec(DataType.long, "age", required=False),
            ColSpec(DataType.float, "height"),
            ColSpec(DataType.datetime, "born"),
            ColSpec(address, "home"),
            ColSpec(Array(address), "past"),
        ]
    )


def test_dataclass_unsupported_fields_are_named():
    @dataclass
    class Bad:
        x: dict

    expected = "Unsupported type <class 'dict'> for field 'x' of Bad"
    with pytest.raises(WorkbenchException, match=expected):
        convert_dataclass_to_schema(Bad)

    @dataclass
    class Union2:
        x: int | str

    with pytest.raises(WorkbenchException, match="only union allowed is Optional"):
        convert_dataclass_to_schema(Union2)

    with pytest.raises(WorkbenchException, match="Expected a dataclass"):
        convert_dataclass_to_schema(int)


# --------------------------------------------------------------------------- properties


_dtypes = st.sampled_from(["int32", "int64", "float32", "float64", "bool"])


@settings(max_examples=60, deadline=None)
@given(
    hpd.data_frames(
        columns=hpd.columns(["a", "b", "c"], dtype=float), index=hpd.range_indexes(1, 5)
    )
)
def test_float_columns_are_optional_exactly_when_they_hold_nan(df):
    schema = _infer_schema(df)
    assert [c.required for c in schema.inputs] == [not df[n].isna().any() for n in df.columns]
    assert Schema.from_json(schema.to_json()) == schema


@settings(max_examples=60, deadline=None)
@given(_dtypes, st.integers(1, 4), st.integers(1, 3))
def test_arrays_give_one_tensor_with_a_variable_first_axis(dtype, rows, cols):
    schema = _infer_schema(np.zeros((rows, cols), dtype=dtype))
    (spec,) = schema.inputs
    assert spec.type == np.dtype(dtype) and spec.shape == (-1, cols)
