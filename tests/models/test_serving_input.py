"""Unit tests of ``workbench.models._serving_input``: exact JSON, exact errors, round trips.

The MLflow comparison lives in ``test_serving_input_oracle.py``; here every expected value is
written out, so a change of format or wording shows up as a readable diff.
"""

from __future__ import annotations

import base64
import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from workbench import WorkbenchException
from workbench.models import convert_input_example_to_serving_input
from workbench.models._serving_input import (
    MAX_ECHO,
    REQUIRED_INPUT_FORMAT,
    infer_and_parse_data,
    parse_csv_input,
    parse_serving_input,
    serving_input_from_example,
)
from workbench.models._signature import infer_signature
from workbench.types import (
    Array,
    ColSpec,
    DataType,
    Object,
    ParamSchema,
    ParamSpec,
    Property,
    Schema,
    TensorSpec,
)

# infer_signature warns about integer columns (missing values); not what these tests check.
pytestmark = pytest.mark.filterwarnings("ignore:The inferred schema has integer:UserWarning")

FORMATS = "{'dataframe_records', 'dataframe_split', 'inputs', 'instances'}"


def convert(example):
    return convert_input_example_to_serving_input(example)


def refused(payload, schema=None, **kwargs) -> WorkbenchException:
    with pytest.raises(WorkbenchException) as info:
        parse_serving_input(payload, schema, **kwargs)
    return info.value


# =========================================================================== convert: format


def test_dataframe_is_split_without_index_with_two_space_indent():
    df = pd.DataFrame({"a": [1, 2], "b": ["x", "y"]}, index=[10, 20])
    assert convert(df) == (
        '{\n  "dataframe_split": {\n    "columns": [\n      "a",\n      "b"\n    ],\n'
        '    "data": [\n      [\n        1,\n        "x"\n      ],\n      [\n        2,\n'
        '        "y"\n      ]\n    ]\n  }\n}'
    )


def test_dataframe_default_column_labels_are_left_out():
    assert json.loads(convert(pd.DataFrame([[1, 2]]))) == {"dataframe_split": {"data": [[1, 2]]}}
    # labels that are not exactly 0..n-1 are kept
    labels = json.loads(convert(pd.DataFrame([[1, 2]], columns=[1, 0])))
    assert labels == {"dataframe_split": {"columns": [1, 0], "data": [[1, 2]]}}


def test_dataframe_missing_values_are_null():
    df = pd.DataFrame(
        {
            "f": [1.5, np.nan],
            "s": ["x", None],
            "t": pd.to_datetime(["2020-01-02 03:04:05", None]),
            "i": pd.array([1, None], dtype="Int64"),
        }
    )
    body = json.loads(convert(df))
    assert body["dataframe_split"]["data"] == [[1.5, "x", "2020-01-02T03:04:05", 1], [None] * 4]
    assert "NaN" not in convert(df)


def test_dataframe_values_dates_bytes_lists():
    df = pd.DataFrame(
        {
            "t": pd.to_datetime(["2020-01-01"]).tz_localize("UTC"),
            "b": [b"hello"],
            "l": [[1, 2]],
            "f32": np.array([1.5], dtype=np.float32),
        }
    )
    row = json.loads(convert(df))["dataframe_split"]["data"][0]
    assert row == ["2020-01-01T00:00:00+00:00", "aGVsbG8=\n", [1, 2], 1.5]


def test_ndarray_is_inputs_with_nan_as_null():
    assert json.loads(convert(np.array([[1.0, np.nan], [3.0, 4.0]]))) == {
        "inputs": [[1.0, None], [3.0, 4.0]]
    }
    assert convert(np.array([1, 2])) == '{\n  "inputs": [\n    1,\n    2\n  ]\n}'


def test_ndarray_kinds():
    assert json.loads(convert(np.array(["a", "bc"]))) == {"inputs": ["a", "bc"]}
    assert json.loads(convert(np.array([True, False]))) == {"inputs": [True, False]}
    assert json.loads(convert(np.array([b"ab"]))) == {"inputs": ["YWI=\n"]}
    dates = np.array(["2020-01-01"], dtype="datetime64[s]")
    assert json.loads(convert(dates)) == {"inputs": ["2020-01-01T00:00:00"]}


def test_dict_of_arrays():
    example = {"a": np.array([1, 2]), "b": np.array([0.5, np.nan])}
    assert json.loads(convert(example)) == {"inputs": {"a": [1, 2], "b": [0.5, None]}}


def test_lists_dicts_and_scalars_go_in_inputs():
    assert json.loads(convert([1, "a", None])) == {"inputs": [1, "a", None]}
    assert json.loads(convert([{"a": 1}])) == {"inputs": [{"a": 1}]}
    assert json.loads(convert({"q": "hi", "k": [1]})) == {"inputs": {"q": "hi", "k": [1]}}
    assert convert("hello") == '{\n  "inputs": "hello"\n}'
    assert convert(3) == '{\n  "inputs": 3\n}'
    assert convert(np.float32(1.5)) == '{\n  "inputs": 1.5\n}'
    assert convert(np.int64(7)) == '{\n  "inputs": 7\n}'


def test_list_nan_is_written_as_python_json_does():
    # MLflow writes a bare list with json.dumps, so NaN stays NaN (readable by Python's json).
    assert convert([1.0, float("nan")]) == '{\n  "inputs": [\n    1.0,\n    NaN\n  ]\n}'


def test_bytes_are_base64_with_newlines_every_76_characters():
    text = json.loads(convert(b"z" * 100))["inputs"]
    assert text == base64.encodebytes(b"z" * 100).decode("ascii")
    assert text.count("\n") == 2 and text.endswith("\n")


def test_dates_and_times_are_iso_text():
    assert json.loads(convert(dt.datetime(2020, 1, 2, 3, 4, 5))) == {"inputs": "2020-01-02T03:04:05"}
    assert json.loads(convert(pd.Timestamp("2020-01-02"))) == {"inputs": "2020-01-02T00:00:00"}
    body = json.loads(convert({"d": dt.date(2020, 1, 1), "t": dt.time(12, 30)}))
    assert body == {"inputs": {"d": "2020-01-01", "t": "12:30:00"}}


def test_params_are_added_after_the_data():
    text = convert((pd.DataFrame({"a": [1]}), {"temperature": 0.5, "stop": ["a"]}))
    assert list(json.loads(text)) == ["dataframe_split", "params"]
    assert json.loads(text)["params"] == {"temperature": 0.5, "stop": ["a"]}
    assert json.loads(convert((np.array([1]), {"k": np.int64(3)}))) == {
        "inputs": [1],
        "params": {"k": 3},
    }


def test_chat_bodies_stay_unwrapped_and_take_params_at_top_level():
    chat = {"messages": [{"role": "user", "content": "hi"}]}
    assert json.loads(convert(chat)) == chat
    assert json.loads(convert(({"prompt": "hi"}, {"max_tokens": 5}))) == {
        "prompt": "hi",
        "max_tokens": 5,
    }


def test_sparse_matrix_is_written_dense():
    import scipy.sparse as sp

    matrix = sp.csr_matrix(np.array([[0, 1.5], [2.0, 0]]))
    assert json.loads(convert(matrix)) == {"inputs": [[0.0, 1.5], [2.0, 0.0]]}


def test_none_gives_none_and_input_is_not_changed():
    assert convert(None) is None
    example = {"a": np.array([1.0, np.nan])}
    convert(example)
    assert np.isnan(example["a"][1])
    assert serving_input_from_example([1]) == {"inputs": [1]}


@pytest.mark.parametrize(
    ("example", "expected"),
    [
        ({1, 2}, "Unsupported input example of type builtins.set. Expected a pandas.DataFrame"),
        (pd.Series([1]), "Unsupported input example of type pandas.Series."),
        ((1, 2, 3), "Unsupported input example of type builtins.tuple."),
        (
            {"a": np.array([1]), "b": 1},
            "An input example dict must hold only numpy arrays or no numpy arrays, got arrays "
            "for ['a'] and other values for ['b'].",
        ),
        ([np.array([1])], "An input example list must not hold numpy arrays"),
        ([dt.timedelta(1)], "The input example cannot be written as JSON: Object of type "
         "timedelta is not JSON serializable."),
        (([1], {"p": None}), "'p' = None"),
        (([1], {"p": [[1], [2]]}), "'p' = [[1], [2]]"),
    ],
)
def test_unsupported_examples_are_refused(example, expected):
    with pytest.raises(WorkbenchException) as info:
        convert(example)
    assert info.value.error_code == "INVALID_PARAMETER_VALUE"
    assert expected in info.value.message


# =========================================================================== parse: formats


def test_dataframe_split_and_records():
    split = '{"dataframe_split": {"columns": ["a", "b"], "data": [[1, "x"], [2, "y"]]}}'
    records = '{"dataframe_records": [{"a": 1, "b": "x"}, {"a": 2, "b": "y"}]}'
    expected = pd.DataFrame({"a": [1, 2], "b": ["x", "y"]})
    for payload in (split, records):
        data, params = parse_serving_input(payload)
        pd.testing.assert_frame_equal(data, expected)
        assert params is None


def test_dataframe_split_keeps_a_sent_index():
    data, _ = parse_serving_input({"dataframe_split": {"index": [7], "columns": ["a"], "data": [[1]]}})
    assert data.index.tolist() == [7]


def test_inputs_and_instances():
    data, params = parse_serving_input('{"inputs": [[1, 2], [3, 4]], "params": {"k": 1}}')
    np.testing.assert_array_equal(data, np.array([[1, 2], [3, 4]]))
    assert params == {"k": 1}
    rows, _ = parse_serving_input({"instances": [{"a": 1, "b": "x"}, {"a": 2, "b": "y"}]})
    assert list(rows) == ["a", "b"]
    np.testing.assert_array_equal(rows["a"], [1, 2])
    columns, _ = parse_serving_input({"inputs": {"a": [1, 2]}})
    np.testing.assert_array_equal(columns["a"], [1, 2])
    scalar, _ = parse_serving_input({"inputs": "hello"})
    assert scalar.shape == () and scalar.item() == "hello"


def test_schema_casts_dataframe_columns():
    schema = Schema(
        [
            ColSpec("long", "a"),
            ColSpec("float", "f"),
            ColSpec("string", "s"),
            ColSpec("boolean", "b"),
            ColSpec("datetime", "t"),
            ColSpec("binary", "bin"),
        ]
    )
    payload = {
        "dataframe_records": [
            {"a": 1, "f": 1, "s": "x", "b": True, "t": "2020-01-02T00:00:00", "bin": "aGk=\n"}
        ]
    }
    data, _ = parse_serving_input(payload, schema)
    assert str(data["a"].dtype) == "int64"
    assert str(data["f"].dtype) == "float32"
    assert str(data["b"].dtype) == "bool"
    assert str(data["t"].dtype) == "datetime64[ns]"
    assert data["bin"][0] == b"hi"
    assert data["s"][0] == "x"


def test_schema_casts_tensors_and_columns():
    tensor = Schema([TensorSpec(np.dtype("float32"), (-1, 2))])
    data, _ = parse_serving_input({"inputs": [[1, 2]]}, tensor)
    assert data.dtype == np.float32
    named = Schema([TensorSpec(np.dtype("int32"), (-1,), "x"), TensorSpec(np.dtype("float64"), (-1,), "y")])
    data, _ = parse_serving_input({"instances": [{"x": 1, "y": 2}, {"x": 3, "y": 4}]}, named)
    assert data["x"].dtype == np.int32 and data["y"].dtype == np.float64
    single = Schema([ColSpec("double", "x")])
    data, _ = parse_serving_input({"inputs": [1, 2]}, single)
    assert list(data) == ["x"] and data["x"].dtype == np.float64


def test_schema_checks_nested_columns():
    schema = Schema([ColSpec(Array("long"), "arr"), ColSpec(Object([Property("k", "long")]), "obj")])
    data, _ = parse_serving_input(
        {"dataframe_records": [{"arr": [1, 2], "obj": {"k": 1}}]}, schema
    )
    assert data["arr"][0] == [1, 2] and data["obj"][0] == {"k": 1}
    error = refused({"dataframe_records": [{"arr": "x", "obj": {"k": 1}}]}, schema)
    assert error.message.startswith(
        "Invalid input. Data is not compatible with model signature. Failed to convert column "
        "arr to type 'Array(long)'."
    )


def test_unknown_top_level_keys_are_ignored_and_the_dict_is_not_changed():
    payload = {"inputs": [1], "params": {"k": 1}, "client_request_id": "abc"}
    data, params = parse_serving_input(payload)
    assert params == {"k": 1}
    assert payload == {"inputs": [1], "params": {"k": 1}, "client_request_id": "abc"}


def test_bytes_payload():
    data, _ = parse_serving_input(b'{"inputs": [1.5]}')
    np.testing.assert_array_equal(data, [1.5])


def test_chat_body_params_come_from_the_params_schema():
    schema = ParamSchema([ParamSpec("temperature", "double", 0.5)])
    body = '{"messages": [{"role": "user"}], "temperature": 0.1, "stream": false}'
    data, params = parse_serving_input(body, params_schema=schema)
    assert data == {"messages": [{"role": "user"}], "stream": False}
    assert params == {"temperature": 0.1}
    data, params = parse_serving_input(body)
    assert params == {} and "temperature" in data


def test_infer_and_parse_data_needs_one_input_key():
    assert infer_and_parse_data({"inputs": 1}).item() == 1
    with pytest.raises(WorkbenchException, match="Received dictionary with input fields: "):
        infer_and_parse_data({"foo": 1})


# =========================================================================== parse: errors


def test_list_body():
    error = refused("[1, 2]")
    assert error.error_code == "BAD_REQUEST"
    assert error.message == f"Invalid input. {REQUIRED_INPUT_FORMAT}. Received a list."
    assert REQUIRED_INPUT_FORMAT == (
        f"The input must be a JSON dictionary with exactly one of the input fields {FORMATS}"
    )


def test_scalar_body():
    assert refused("3").message == (
        f"Invalid input. {REQUIRED_INPUT_FORMAT}. Received unexpected input type '<class 'int'>'."
    )


def test_invalid_json():
    error = refused('{"inputs": [1, 2}')
    assert error.error_code == "BAD_REQUEST"
    assert error.message == (
        "Invalid input. Ensure that input is a valid JSON formatted string. Error: "
        "'JSONDecodeError(\"Expecting ',' delimiter: line 1 column 17 (char 16)\")'\n"
        'Input: \n{"inputs": [1, 2}\n'
    )


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ("{}", "[]."),
        ('{"inputs": [1], "instances": [1]}', "['inputs', 'instances']."),
        ('{"data": [1], "params": {}}', "[]. Other keys: ['data']."),
        ('{"params": {"k": 1}}', "[]."),
    ],
)
def test_zero_or_two_input_keys(payload, fields):
    error = refused(payload)
    assert error.error_code == "BAD_REQUEST"
    assert error.message == (
        f"{REQUIRED_INPUT_FORMAT}. Received dictionary with input fields: {fields} For example "
        '{"inputs": [[1.0, 2.0]]} or {"dataframe_split": {"columns": ["a", "b"], "data": '
        '[[1.0, 2.0]]}}, optionally with "params": {"name": value}. '
        "workbench.models.convert_input_example_to_serving_input(example) writes one for you."
    )


def test_type_hint_models_take_inputs_as_is():
    data, params = parse_serving_input(
        '{"inputs": [{"a": 1}], "params": {"k": 1}}', Schema([ColSpec("long")]), from_type_hint=True
    )
    assert (data, params) == ([{"a": 1}], {"k": 1})
    error = refused({"instances": [1]}, from_type_hint=True)
    assert error.error_code == "INVALID_PARAMETER_VALUE"
    assert error.message == (
        "Request payload must be a dictionary with 'inputs' key when the model contains a valid "
        "type hint. Found keys in payload: ['instances']."
    )


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"dataframe_split": [[1]]}, "Dataframe split format must be a dictionary. Got list."),
        ({"dataframe_split": 1}, "Dataframe split format must be a dictionary. Got type <class 'int'>."),
        (
            {"dataframe_split": {"columns": ["a"]}},
            "Dataframe split format must have 'data' field and optionally 'columns' and 'index' "
            "fields. Got {'columns'}.",
        ),
        (
            {"dataframe_split": {"rows": 1, "data": [[1]]}},
            "Dataframe split format must have 'data' field and optionally 'columns' and 'index' "
            "fields. Got {'data', 'rows'}.",
        ),
        (
            {"dataframe_split": {"columns": ["a", "b"], "data": [[1]]}},
            "Provided dataframe_split field is not a valid dataframe representation in 'split' "
            "format. Error: '2 columns passed, passed data had 1 columns'",
        ),
        (
            {"dataframe_records": {"a": [1]}},
            "Dataframe records format must be a list of records. Got dictionary.",
        ),
        (
            {"dataframe_records": "x"},
            "Dataframe records format must be a list of records. Got type <class 'str'>.",
        ),
        (
            {"instances": [{"a": 1, "b": [1, 2]}, {"a": 2}]},
            "The length of values for each input/column name are not the same",
        ),
        (
            {"instances": [[1, 2], [3]]},
            "setting an array element with a sequence. The requested array has an "
            "inhomogeneous shape after 1 dimensions. The detected shape was (2,) + "
            "inhomogeneous part.",
        ),
        (
            {"instances": [{"a": 1}, 5]},
            "Ensure that the input is a valid JSON-formatted string.\nError: "
            "AttributeError(\"'int' object has no attribute 'items'\")",
        ),
    ],
)
def test_malformed_data(payload, message):
    error = refused(payload)
    assert error.error_code == "BAD_REQUEST"
    assert error.message == f"Invalid input. {message}"


def test_schema_mismatches():
    named = Schema([ColSpec("long", "a")])
    error = refused({"dataframe_split": {"columns": ["a"], "data": [["x"]]}}, named)
    assert error.error_code == "BAD_REQUEST"
    assert error.message.startswith(
        "Invalid input. Data is not compatible with model signature. Failed to convert column "
        "a to type 'int64'. Error: 'ValueError("
    )
    unnamed = Schema([ColSpec("double")])
    assert refused({"inputs": {"a": [1]}}, unnamed).message == (
        "Invalid input. Failed to parse input data. This model contains an un-named model "
        "signature which expects a single n-dimensional array or a single value as input, "
        "however, an input of type <class 'dict'> was found."
    )
    assert refused({"inputs": "abc"}, unnamed).message == (
        "Invalid input. Failed to convert data `abc` to type `double (required)` defined in "
        "the model signature."
    )


# =========================================================================== hostile payloads


@pytest.mark.parametrize(
    "payload",
    [
        '{"inputs": ' + "[" * 100_000 + "]" * 100_000 + "}",
        "[" * 100_000 + "]" * 100_000,
        '{"a": ' * 100_000 + "1" + "}" * 100_000,
        b'{"instances": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
    ],
)
def test_deep_nesting_is_a_bad_request_not_a_recursion_error(payload):
    error = refused(payload)
    assert error.error_code == "BAD_REQUEST"
    assert error.message == (
        "Invalid input. The request body is nested too deeply to be read. Send at most a few "
        "hundred levels of nested lists and objects."
    )


def test_deeply_nested_dict_payload_is_refused_too():
    value: object = 1
    for _ in range(100_000):
        value = [value]
    error = refused({"inputs": value})
    assert error.error_code == "BAD_REQUEST"


def test_huge_invalid_body_is_echoed_at_most_1kb():
    body = '{"inputs": "' + "x" * 5_000_000
    error = refused(body)
    echoed = error.message.split("Input: \n", 1)[1]
    kept = MAX_ECHO - MAX_ECHO // 4  # the error's own repr has the rest of the budget
    assert echoed == body[:kept] + f"... ({len(body) - kept} more characters)\n"
    assert error.message.count("x") <= MAX_ECHO


def test_huge_body_with_bad_utf8_is_echoed_at_most_1kb():
    # UnicodeDecodeError's repr holds the whole body: both echoes share the 1 KB budget.
    body = b'{"inputs": "' + b"\xff" * 1_000_000 + b'"}'
    error = refused(body)
    assert error.error_code == "BAD_REQUEST"
    assert error.message.count("\\xff") * 4 <= MAX_ECHO
    assert len(error.message) < MAX_ECHO + 300


@pytest.mark.parametrize(
    "payload",
    [
        {"dataframe_split": {"data": [[1]], "k" * 100_000: 1}},
        {"inputs": "y" * 100_000},
        {"instances": [{"a": 1}, "z" * 100_000]},
        {"dataframe_split": {"columns": ["c" * 100_000], "data": [["v" * 100_000]]}},
    ],
)
def test_values_in_messages_are_cut_to_1kb(payload):
    schemas = {
        "inputs": Schema([ColSpec("double")]),
        "dataframe_split": Schema([TensorSpec(np.dtype("float64"), (-1, 1))]),
    }
    error = refused(payload, schemas.get(next(iter(payload))))
    assert error.error_code == "BAD_REQUEST"
    assert len(error.message) < MAX_ECHO + 600


def test_integer_too_long_and_bad_utf8_are_bad_requests():
    error = refused('{"inputs": 1' + "0" * 10_000 + "}")
    assert "Exceeds the limit (4300 digits)" in error.message
    assert len(error.message) < 2 * MAX_ECHO + 400
    assert refused(b'{"inputs": "\xff"}').error_code == "BAD_REQUEST"


# =========================================================================== round trips


def roundtrip(example, schema=None):
    return parse_serving_input(convert(example), schema)


def test_dataframe_round_trip_with_a_schema():
    df = pd.DataFrame(
        {
            "a": np.array([1, 2], dtype=np.int64),
            "b": [0.5, 1.5],
            "s": ["x", "y"],
            "ok": [True, False],
            "t": pd.to_datetime(["2020-01-01", "2021-02-03"]).as_unit("ns"),
            "bin": [b"\x00\x01", b"hello"],
        }
    )
    schema = infer_signature(df).inputs
    data, params = roundtrip(df, schema)
    pd.testing.assert_frame_equal(data, df)
    assert params is None


def test_ndarray_and_dict_of_arrays_round_trip():
    array = np.arange(12, dtype=np.float32).reshape(3, 4)
    data, _ = roundtrip(array, infer_signature(array).inputs)
    np.testing.assert_array_equal(data, array)
    assert data.dtype == np.float32
    arrays = {"x": np.array([1, 2], dtype=np.int32), "y": np.array(["a", "b"])}
    data, _ = roundtrip(arrays, infer_signature(arrays).inputs)
    assert list(data) == ["x", "y"]
    assert data["x"].dtype == np.int32
    np.testing.assert_array_equal(data["y"], arrays["y"])


def test_data_and_params_round_trip():
    df = pd.DataFrame({"a": [1, 2]})
    params = {"temperature": 0.5, "stop": ["x", "y"], "n": 3}
    data, got = roundtrip((df, params))
    pd.testing.assert_frame_equal(data, df)
    assert got == params


@settings(max_examples=60, deadline=None)
@given(
    hnp.arrays(
        dtype=st.sampled_from([np.dtype("int64"), np.dtype("float64"), np.dtype("bool")]),
        shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4),
        elements={"allow_nan": False, "allow_infinity": False},
    )
)
def test_any_ndarray_round_trips_under_its_inferred_schema(array):
    data, _ = roundtrip(array, infer_signature(array).inputs)
    assert data.dtype == array.dtype
    np.testing.assert_array_equal(data, array)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(-(2**62), 2**62), st.floats(allow_nan=False, allow_infinity=False),
                  st.text(max_size=5)),
        min_size=1,
        max_size=5,
    )
)
def test_any_simple_dataframe_round_trips_under_its_inferred_schema(rows):
    df = pd.DataFrame(rows, columns=["i", "f", "s"])
    data, _ = roundtrip(df, infer_signature(df).inputs)
    pd.testing.assert_frame_equal(data, df)


# =========================================================================== CSV


def test_csv_plain_and_with_schema():
    text = "a,b\n1,x\n2,y\n"
    pd.testing.assert_frame_equal(parse_csv_input(text), pd.DataFrame({"a": [1, 2], "b": ["x", "y"]}))
    schema = Schema([ColSpec("double", "a"), ColSpec("string", "b")])
    data = parse_csv_input(text.encode(), schema)
    assert data["a"].dtype == np.float64


def test_csv_errors():
    with pytest.raises(WorkbenchException) as info:
        parse_csv_input(b"a,b\n\xff,1\n")
    assert info.value.error_code == "BAD_REQUEST"
    assert info.value.message.startswith(
        "Invalid input. Ensure that input is a valid UTF-8 encoded string. Error: "
        "'UnicodeDecodeError("
    )
    with pytest.raises(WorkbenchException) as info:
        parse_csv_input("a\nx\n", Schema([ColSpec("long", "a")]))
    assert info.value.error_code == "BAD_REQUEST"
    assert info.value.message.startswith(
        "Failed to parse input as a Pandas DataFrame. Ensure that the input is a valid "
        "CSV-formatted Pandas DataFrame produced using the `pandas.DataFrame.to_csv()` method. "
        "Error: '"
    )
    with pytest.raises(WorkbenchException, match="Failed to parse input as a Pandas DataFrame"):
        parse_csv_input("")
