"""Unit tests for schema enforcement: values and the exact wording of every rule."""

from __future__ import annotations

import datetime as dt
import logging

import numpy as np
import pandas as pd
import pytest

import workbench.models
from workbench._exceptions import WorkbenchException
from workbench.models import infer_signature, validate_schema
from workbench.models._enforcement import _enforce_params_schema, _enforce_schema
from workbench.types import (
    AnyType,
    Array,
    ColSpec,
    DataType,
    Map,
    Object,
    ParamSchema,
    ParamSpec,
    Property,
    Schema,
    TensorSpec,
)


def schema(*specs):
    return Schema(list(specs))


def refused(data, spec_schema) -> str:
    with pytest.raises(WorkbenchException) as caught:
        _enforce_schema(data, spec_schema)
    assert caught.value.error_code == "INVALID_PARAMETER_VALUE"
    return caught.value.message


# --------------------------------------------------------------------------- the seed example


@pytest.mark.filterwarnings("ignore::UserWarning")  # infer_signature's note on integer columns
def test_seed_example_validate_schema():
    # MLflow's example with `mlflow` replaced by `workbench`; the signature comes from
    # infer_signature instead of a logged model's info.
    input_data = pd.DataFrame({"sepal_length": [5.1, 4.9], "species_id": [0, 1]})
    model_signature = infer_signature(input_data)
    assert workbench.models.validate_schema(input_data, model_signature.inputs) is None
    with pytest.raises(WorkbenchException, match=r"Model is missing inputs \['species_id'\]\."):
        workbench.models.validate_schema(input_data[["sepal_length"]], model_signature.inputs)


# --------------------------------------------------------------------------- safe conversions


def test_int32_widens_to_long():
    out = _enforce_schema(pd.DataFrame({"a": np.array([1, -2], dtype=np.int32)}), schema(ColSpec("long", "a")))
    assert out["a"].dtype == np.int64
    assert out["a"].tolist() == [1, -2]


def test_int32_widens_to_double():
    out = _enforce_schema(pd.DataFrame({"a": np.array([7], dtype=np.int32)}), schema(ColSpec("double", "a")))
    assert out["a"].dtype == np.float64 and out["a"].tolist() == [7.0]


def test_int64_refused_for_double_unless_all_zero_or_one():
    message = refused(pd.DataFrame({"a": [1, 2]}), schema(ColSpec("double", "a")))
    assert message.startswith(
        "Incompatible input types for column a. Can not safely convert int64 to float64."
    )
    assert "Hint" not in message
    out = _enforce_schema(pd.DataFrame({"a": [0, 1, 1]}), schema(ColSpec("double", "a")))
    assert out["a"].dtype == np.float64 and out["a"].tolist() == [0.0, 1.0, 1.0]
    out = _enforce_schema(pd.DataFrame({"a": [1, 0]}), schema(ColSpec("float", "a")))
    assert out["a"].dtype == np.float32


def test_float64_refused_for_float():
    message = refused(pd.DataFrame({"a": [0.1]}), schema(ColSpec("float", "a")))
    assert message.startswith(
        "Incompatible input types for column a. Can not safely convert float64 to float32."
    )


def test_float32_widens_to_double_exactly():
    values = np.array([0.1, 3.5], dtype=np.float32)
    out = _enforce_schema(pd.DataFrame({"a": values}), schema(ColSpec("double", "a")))
    assert out["a"].tolist() == values.astype(np.float64).tolist()


def test_float_with_missing_values_refused_for_long_with_the_hint():
    message = refused(pd.DataFrame({"a": [1.0, None, 3.0]}), schema(ColSpec("long", "a")))
    assert message.startswith(
        "Incompatible input types for column a. Can not safely convert float64 to int64. "
        "Hint: the type mismatch is likely caused by missing values. Integer columns in python "
        "can not represent missing values and are therefore encoded as floats."
    )
    assert "Handling Integers With Missing Values" in message


def test_float_without_missing_values_refused_for_long_without_the_hint():
    message = refused(pd.DataFrame({"a": [1.0, 2.0]}), schema(ColSpec("long", "a")))
    assert message.startswith("Incompatible input types for column a. Can not safely convert float64 to int64.")
    assert "Hint" not in message


def test_fractional_floats_refused_for_integer():
    message = refused(pd.DataFrame({"a": [1.5, None]}), schema(ColSpec("integer", "a")))
    assert "Can not safely convert float64 to int32." in message
    assert "Hint" not in message  # 1.5 is not a whole number: missing values are not the cause


def test_object_ints_with_none_refused_for_long_with_the_hint():
    data = pd.DataFrame({"a": pd.Series([1, None], dtype=object)})
    assert "likely caused by missing values" in refused(data, schema(ColSpec("long", "a")))


def test_nullable_int_column_with_missing_values_refused_for_long():
    data = pd.DataFrame({"a": pd.array([1, None], dtype="Int64")})
    message = refused(data, schema(ColSpec("long", "a")))
    assert "column a" in message and "missing value (at index 1)" in message
    out = _enforce_schema(pd.DataFrame({"a": pd.array([1, 2], dtype="Int64")}), schema(ColSpec("long", "a")))
    assert out["a"].dtype == np.int64 and out["a"].tolist() == [1, 2]


def test_bool_refused_for_long_and_int64_for_integer():
    assert "Can not safely convert bool to int64." in refused(pd.DataFrame({"a": [True]}), schema(ColSpec("long", "a")))
    assert "Can not safely convert int64 to int32." in refused(pd.DataFrame({"a": [1]}), schema(ColSpec("integer", "a")))


def test_strings_pass_for_string_and_numbers_do_not():
    out = _enforce_schema(pd.DataFrame({"a": ["x", None]}), schema(ColSpec("string", "a")))
    assert out["a"].iloc[0] == "x"
    assert refused(pd.DataFrame({"a": [1]}), schema(ColSpec("string", "a"))).startswith(
        "Incompatible input types for column a. Can not safely convert int64 to"
    )


def test_binary_accepts_bytes_objects():
    out = _enforce_schema(pd.DataFrame({"a": [b"\x00", b"ab"]}), schema(ColSpec("binary", "a")))
    assert out["a"].tolist() == [b"\x00", b"ab"]


def test_booleans_with_missing_values_pass_unchanged():
    column = pd.Series([True, None, False], dtype=object)
    out = _enforce_schema(pd.DataFrame({"a": column}), schema(ColSpec("boolean", "a")))
    assert out["a"].tolist() == [True, None, False]


# --------------------------------------------------------------------------- datetimes


def test_datetime_units_become_nanoseconds():
    data = pd.DataFrame({"a": pd.to_datetime(["2020-01-01 10:00"]).astype("datetime64[s]")})
    out = _enforce_schema(data, schema(ColSpec("datetime", "a")))
    assert out["a"].dtype == np.dtype("datetime64[ns]")
    assert out["a"].iloc[0] == pd.Timestamp("2020-01-01 10:00")


def test_datetime_strings_and_dates_parse():
    data = pd.DataFrame({"a": pd.Series(["2020-01-01", dt.date(2021, 2, 3), None], dtype=object)})
    out = _enforce_schema(data, schema(ColSpec("datetime", "a")))
    assert out["a"].tolist()[:2] == [pd.Timestamp("2020-01-01"), pd.Timestamp("2021-02-03")]
    assert pd.isna(out["a"].iloc[2])


def test_unparseable_datetime_string_refused_naming_the_value():
    message = refused(pd.DataFrame({"a": ["2020-01-01", "abc"]}), schema(ColSpec("datetime", "a")))
    assert message.startswith(
        "Incompatible input types for column a. The value 'abc' at index 1 does not parse as a datetime."
    )


def test_numbers_refused_for_datetime():
    message = refused(pd.DataFrame({"a": [1, 2]}), schema(ColSpec("datetime", "a")))
    assert message.startswith("Incompatible input types for column a. Can not safely convert int64 to datetime64[ns].")


def test_timezone_aware_datetimes_refused():
    data = pd.DataFrame({"a": pd.to_datetime(["2020-01-01"]).tz_localize("UTC")})
    assert "timezone-naive" in refused(data, schema(ColSpec("datetime", "a")))


def test_out_of_range_datetimes_refused():
    data = pd.DataFrame({"a": pd.to_datetime(["3000-01-01"]).astype("datetime64[s]")})
    assert "nanosecond range" in refused(data, schema(ColSpec("datetime", "a")))


# --------------------------------------------------------------------------- departures


def test_departure_non_boolean_objects_refused_for_boolean():
    data = pd.DataFrame({"flag": pd.Series([True, "abc"], dtype=object)})
    message = refused(data, schema(ColSpec("boolean", "flag")))
    assert message.startswith(
        "Incompatible input types for column flag. Expected boolean values (True, False or a "
        "missing value), got 'abc' of type str at index 1."
    )
    assert "df['flag'].map(" in message


def test_departure_out_of_range_int_refused_for_int32_tensor():
    data = pd.DataFrame({"x": [2**53 + 1, 2]})
    message = refused(data, schema(TensorSpec(np.dtype("int32"), (-1,), "x")))
    assert message.startswith(
        "Can not safely convert the values of input 'x' from int64 to int32: "
        "np.int64(9007199254740993) is outside the range of int32."
    )


def test_departure_fractional_float_refused_for_int_tensor():
    message = refused(pd.DataFrame({"x": [1.0, 1.7]}), schema(TensorSpec(np.dtype("int64"), (-1,))))
    assert "np.float64(1.7) has a fractional part" in message


def test_departure_inexact_int_refused_for_float_tensor():
    message = refused(pd.DataFrame({"x": [2**53 + 1]}), schema(TensorSpec(np.dtype("float64"), (-1,))))
    assert "is not exactly representable as float64" in message


def test_departure_strings_refused_for_bool_tensor():
    message = refused(pd.DataFrame({"x": ["abc"]}), schema(TensorSpec(np.dtype("bool"), (-1,))))
    assert "'abc' is a str; only numbers and booleans are cast to bool" in message


def test_departure_missing_elements_refused_in_arrays_of_boolean_and_string():
    assert "a missing element cannot be passed on as a boolean" in refused(
        pd.DataFrame({"a": [[True, None]]}), schema(ColSpec(Array(DataType.boolean), "a"))
    )
    assert "Expected every element of an Array of string to be a str" in refused(
        pd.DataFrame({"a": [["x", None]]}), schema(ColSpec(Array(DataType.string), "a"))
    )


def test_departure_big_int_objects_refused_for_double():
    data = pd.DataFrame({"a": pd.Series([2**53 + 1, None], dtype=object)})
    assert "cannot be represented exactly as float64" in refused(data, schema(ColSpec("double", "a")))


def test_safe_tensor_casts_still_work():
    out = _enforce_schema(pd.DataFrame({"x": [1.0, 2.0]}), schema(TensorSpec(np.dtype("int32"), (-1,))))
    assert out.dtype == np.int32 and out.tolist() == [1, 2]
    out = _enforce_schema(pd.DataFrame({"x": [[1, 2], [3, 4]]}), schema(TensorSpec(np.dtype("float32"), (-1, 2))))
    assert out.dtype == np.float32 and out.tolist() == [[1.0, 2.0], [3.0, 4.0]]


# --------------------------------------------------------------------------- columns and names


def test_missing_required_column_exact_message():
    spec = schema(ColSpec("long", "a"), ColSpec("long", "b"))
    assert refused(pd.DataFrame({"a": [1]}), spec) == "Model is missing inputs ['b']."
    assert refused(pd.DataFrame({"a": [1], "c": [2]}), spec) == (
        "Model is missing inputs ['b']. Note that there were extra inputs: ['c']."
    )


def test_missing_message_notes_optional_inputs():
    spec = schema(ColSpec("long", "a"), ColSpec("long", "b"), ColSpec("long", "c", required=False))
    assert refused(pd.DataFrame({"x": [1]}), spec) == (
        "Model is missing inputs ['a', 'b']. Note that there were extra inputs: ['x']. "
        "The optional inputs ['c'] may be left out."
    )


def test_extra_columns_dropped_with_a_warning(caplog):
    with caplog.at_level(logging.WARNING, logger="workbench"):
        out = _enforce_schema(pd.DataFrame({"c": [2], "a": [1]}), schema(ColSpec("long", "a")))
    assert list(out.columns) == ["a"]
    assert (
        "Found extra inputs in the model input that are not defined in the model signature: "
        "`['c']`. These inputs will be ignored." in caplog.text
    )


def test_optional_column_may_be_absent_and_is_enforced_when_present():
    spec = schema(ColSpec("long", "a"), ColSpec("double", "b", required=False))
    assert list(_enforce_schema(pd.DataFrame({"a": [1]}), spec).columns) == ["a"]
    out = _enforce_schema(pd.DataFrame({"b": np.array([1.5], dtype=np.float32), "a": [1]}), spec)
    assert list(out.columns) == ["a", "b"] and out["b"].dtype == np.float64


def test_columns_come_back_in_schema_order_with_the_index():
    data = pd.DataFrame({"b": ["x", "y"], "a": [1, 2]}, index=[7, 7])
    out = _enforce_schema(data, schema(ColSpec("long", "a"), ColSpec("string", "b")))
    assert list(out.columns) == ["a", "b"] and list(out.index) == [7, 7]


def test_unnamed_columns_are_checked_by_position_and_count():
    out = _enforce_schema(pd.DataFrame([[1, 2.5, "x"]]), schema(ColSpec("long"), ColSpec("double")))
    assert list(out.columns) == [0, 1]
    assert refused(pd.DataFrame([[1]]), schema(ColSpec("long"), ColSpec("double"))) == (
        "Model inference is missing inputs. The model signature declares 2 inputs  but the "
        "provided value only has 1 inputs. Note: the inputs were not named in the signature so "
        "we can only verify their count."
    )


def test_duplicate_column_names_refused():
    data = pd.DataFrame([[1, 2]], columns=["a", "a"])
    assert "more than one column named ['a']" in refused(data, schema(ColSpec("long", "a")))


# --------------------------------------------------------------------------- input kinds


def test_dict_of_scalars_is_one_row_and_dict_of_lists_is_columns():
    spec = schema(ColSpec("long", "a"), ColSpec("string", "b"))
    out = _enforce_schema({"a": 1, "b": "x"}, spec)
    assert out.to_dict("list") == {"a": [1], "b": ["x"]}
    out = _enforce_schema({"a": [1, 2], "b": np.array(["x", "y"], dtype=object)}, spec)
    assert out.to_dict("list") == {"a": [1, 2], "b": ["x", "y"]}


def test_dict_with_a_list_of_strings_is_one_row():
    out = _enforce_schema({"a": ["x", "y"]}, schema(ColSpec(Array(DataType.string), "a")))
    assert out["a"].tolist() == [["x", "y"]]


def test_ragged_dict_refused():
    message = refused({"a": [1, 2], "b": [3]}, schema(ColSpec("long", "a"), ColSpec("long", "b")))
    assert message.startswith(
        "This model contains a column-based signature, which suggests a DataFrame input. There "
        "was an error casting the input data to a DataFrame:"
    )


def test_list_of_dicts_is_rows():
    out = _enforce_schema([{"a": 1, "b": "x"}, {"a": 2, "b": "y"}], schema(ColSpec("long", "a"), ColSpec("string", "b")))
    assert out.to_dict("list") == {"a": [1, 2], "b": ["x", "y"]}


@pytest.mark.parametrize(
    "value, dtype",
    [(5, "long"), (1.5, "double"), (True, "boolean"), ("hi", "string"), (b"x", "binary"),
     (dt.datetime(2020, 1, 1), "datetime")],
)
def test_scalars_are_one_cell(value, dtype):
    out = _enforce_schema(value, schema(ColSpec(dtype)))
    assert out.shape == (1, 1)


def test_series_list_and_array_inputs():
    assert _enforce_schema(pd.Series([1, 2], name="a"), schema(ColSpec("long", "a")))["a"].tolist() == [1, 2]
    assert _enforce_schema([1, 2, 3], schema(ColSpec("long"))).shape == (3, 1)
    assert _enforce_schema(np.array([[1, 2], [3, 4]]), schema(ColSpec("long"), ColSpec("long"))).shape == (2, 2)


def test_unsupported_inputs_refused_with_what_arrived():
    assert refused(None, schema(ColSpec("double"))).startswith("Expected input to be DataFrame. Found: NoneType.")
    assert "Could not read the input ndarray of shape (2, 2, 2) as a DataFrame" in refused(
        np.zeros((2, 2, 2)), schema(ColSpec("double"))
    )


def test_schema_must_be_a_schema():
    message = refused(pd.DataFrame({"a": [1]}), "not a schema")
    assert "Expected the schema to be a workbench.types.Schema, got builtins.str;" in message


def test_unexpected_errors_are_wrapped(monkeypatch):
    import workbench.models._enforcement as enforcement

    def boom(*args):
        raise TypeError("unexpected")

    monkeypatch.setattr(enforcement, "enforce_column", boom)
    message = refused(pd.DataFrame({"a": [1]}), schema(ColSpec("long", "a")))
    assert message.startswith(
        "Could not enforce the model signature on the input (DataFrame of shape (1, 1)): "
        "TypeError: unexpected."
    )


# --------------------------------------------------------------------------- nested types


def test_array_column_values():
    out = _enforce_schema(pd.DataFrame({"a": [[1, 2], [3]]}), schema(ColSpec(Array(DataType.long), "a")))
    assert out["a"].tolist() == [[1, 2], [3]]
    out = _enforce_schema(pd.DataFrame({"a": [np.array([1, 2], dtype=np.int32)]}), schema(ColSpec(Array(DataType.long), "a")))
    assert out["a"].iloc[0].dtype == np.int64


def test_array_refusals():
    assert refused(pd.DataFrame({"a": [[1.5]]}), schema(ColSpec(Array(DataType.long), "a"))).startswith(
        "Incompatible input types for column . Can not safely convert float64 to int64."
    )
    assert refused(pd.DataFrame({"a": [[1], None]}), schema(ColSpec(Array(DataType.long), "a"))) == (
        "Expected data to be list or numpy array, got NoneType."
    )
    out = _enforce_schema(pd.DataFrame({"a": [[1], None]}), schema(ColSpec(Array(DataType.long), "a", required=False)))
    assert out["a"].tolist() == [[1], None]


def test_object_column_values_and_input_not_mutated():
    row = {"x": 1, "y": "s"}
    spec = schema(ColSpec(Object([Property("x", DataType.long), Property("y", DataType.string)]), "a"))
    out = _enforce_schema(pd.DataFrame({"a": [row]}), spec)
    assert out["a"].iloc[0] == {"x": 1, "y": "s"}
    assert type(out["a"].iloc[0]["x"]) is np.int64
    assert type(row["x"]) is int


def test_object_refusals():
    spec = schema(ColSpec(Object([Property("x", DataType.long)]), "a"))
    assert refused(pd.DataFrame({"a": [{"y": 1}]}), spec).startswith("Missing required properties: ['x'].")
    assert refused(pd.DataFrame({"a": [{"x": 1, "y": 2}]}), spec).startswith(
        "Invalid properties not defined in the schema found: ['y']."
    )
    assert refused(pd.DataFrame({"a": [{"x": "s"}]}), spec).startswith(
        "Failed to enforce schema for key `x`. Expected type long, received type str"
    )


def test_map_and_any_columns():
    out = _enforce_schema(pd.DataFrame({"a": [{"k": 1}, {"j": 2}]}), schema(ColSpec(Map(DataType.long), "a")))
    assert out["a"].tolist() == [{"k": 1}, {"j": 2}]
    assert refused(pd.DataFrame({"a": [{1: 1}]}), schema(ColSpec(Map(DataType.long), "a"))).startswith(
        "Expected all keys in the map type data are string type"
    )
    out = _enforce_schema(pd.DataFrame({"a": [{"x": 1}, 3]}), schema(ColSpec(AnyType(), "a")))
    assert out["a"].tolist() == [{"x": 1}, 3]


# --------------------------------------------------------------------------- tensors


def test_tensor_shape_and_dtype_messages():
    spec = schema(TensorSpec(np.dtype("float32"), (-1, 3)))
    array = np.zeros((5, 3), dtype=np.float32)
    assert _enforce_schema(array, spec) is array
    assert refused(np.zeros((2, 4), dtype=np.float32), spec).startswith(
        "Shape of input (2, 4) does not match expected shape (-1, 3)."
    )
    assert refused(np.zeros((2, 3)), spec).startswith(
        "dtype of input float64 does not match expected dtype float32"
    )


def test_named_tensors():
    spec = schema(TensorSpec(np.dtype("float64"), (-1, 2), "a"))
    out = _enforce_schema({"a": np.zeros((3, 2))}, spec)
    assert set(out) == {"a"}
    assert set(_enforce_schema(np.zeros((3, 2)), spec)) == {"a"}  # one named tensor
    assert refused({"b": np.zeros((3, 2))}, spec) == (
        "Model is missing inputs ['a']. Note that there were extra inputs: ['b']."
    )


def test_strings_tensor_ignores_the_length():
    array = np.array(["a", "bb"])
    assert _enforce_schema(array, schema(TensorSpec(np.dtype("str"), (-1,)))) is array


# --------------------------------------------------------------------------- params


PARAMS = ParamSchema([
    ParamSpec("temperature", DataType.double, 0.5),
    ParamSpec("n", DataType.integer, 1),
    ParamSpec("stop", DataType.string, ["x"], (-1,)),
    ParamSpec("when", DataType.datetime, None),
])


def test_params_defaults_and_conversions():
    assert _enforce_params_schema(None, PARAMS) == {"temperature": 0.5, "n": 1, "stop": ["x"], "when": None}
    out = _enforce_params_schema({"temperature": 1, "stop": ["a", "b"], "when": "2020-01-02"}, PARAMS)
    assert out == {"temperature": 1.0, "stop": ["a", "b"], "when": dt.date(2020, 1, 2), "n": 1}
    assert type(out["temperature"]) is float


def test_params_defaults_are_copies():
    out = _enforce_params_schema({}, PARAMS)
    out["stop"].append("y")
    assert _enforce_params_schema({}, PARAMS)["stop"] == ["x"]


def test_params_refusals():
    with pytest.raises(WorkbenchException, match=r"^Invalid parameters found: \[\('n', \"Failed to validate type and shape for 'n'"):
        _enforce_params_schema({"n": 1.5}, PARAMS)
    with pytest.raises(WorkbenchException, match="Value must be a 1D array with shape"):
        _enforce_params_schema({"stop": "x"}, PARAMS)
    with pytest.raises(WorkbenchException, match="Parameters must be a dictionary. Got type 'list'."):
        _enforce_params_schema([1], PARAMS)


def test_params_departures_refuse_changed_or_out_of_range_ints():
    with pytest.raises(WorkbenchException, match="not exactly representable as a float"):
        _enforce_params_schema({"temperature": 2**53 + 1}, PARAMS)
    with pytest.raises(WorkbenchException, match="outside the range of `integer`"):
        _enforce_params_schema({"n": 2**40}, PARAMS)


def test_unknown_params_ignored_with_a_warning(caplog):
    with caplog.at_level(logging.WARNING, logger="workbench"):
        out = _enforce_params_schema({"temperature": 0.1, "top_k": 3}, PARAMS)
    assert "top_k" not in out
    assert "Unrecognized params ['top_k'] are ignored for inference." in caplog.text


def test_params_without_a_params_schema_warn(caplog):
    assert _enforce_params_schema(None, None) is None
    assert _enforce_params_schema({}, None) == {}
    with caplog.at_level(logging.WARNING, logger="workbench"):
        assert _enforce_params_schema({"a": 1}, None) == {}
    assert (
        "`params` can only be specified at inference time if the model signature defines a "
        "params schema. This model does not define a params schema. Ignoring provided params: "
        "['a']" in caplog.text
    )


def test_validate_schema_returns_none():
    assert validate_schema(pd.DataFrame({"a": [1]}), schema(ColSpec("long", "a"))) is None
