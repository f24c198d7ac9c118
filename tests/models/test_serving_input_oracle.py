"""Oracle tests: serving input JSON and its parsing against MLflow 3.17.2.

MLflow is installed in the test environment (never at run time), so these tests always run.

- ``convert_input_example_to_serving_input``: for every example both produce the same
  text, byte for byte; where MLflow refuses the example, so do we.
- parsing: for every payload and schema our ``parse_serving_input`` gives the same data
  (same type, dtypes, values) and params as MLflow's scoring server
  (``_split_data_and_params`` then ``infer_and_parse_data``); payloads MLflow refuses we
  refuse, with the same error code and, up to the documented differences, the same message.

Documented differences (see the module docstring of ``_serving_input``):

- a DataFrame's missing values are ``null``; MLflow 3.17 under pandas 3 writes ``NaN``
  (not JSON) for missing numbers and strings, and the string ``"NaT"`` for missing dates;
- the set of input fields in messages is sorted (MLflow prints it in hash order);
- the long "scoring protocol changed in MLflow 2.0" paragraph is replaced by an example;
- two typos are mended (a stray quote, a double space, an unclosed quote);
- MLflow pops ``params`` out of a dict payload; we leave the caller's dict alone.
"""

import copy
import datetime as dt
import json
import logging
import re

import mlflow.types
import numpy as np
import pandas as pd
import pydantic
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from mlflow.models import convert_input_example_to_serving_input as mlflow_convert
from mlflow.pyfunc import scoring_server

from workbench import WorkbenchException
from workbench.models import convert_input_example_to_serving_input
from workbench.models._serving_input import parse_csv_input, parse_serving_input
from workbench.types import AnyType, Array, ColSpec, Map, Object, Property, Schema, TensorSpec

logging.getLogger("mlflow").setLevel(logging.ERROR)


class _Point(pydantic.BaseModel):
    x: int
    label: str


# =========================================================================== examples -> JSON

EXAMPLES = {
    "df_mixed": lambda: pd.DataFrame({"a": [1.5, 2.0], "s": ["x", "y"], "i": [1, 2], "b": [True, False]}),
    "df_default_columns": lambda: pd.DataFrame([[1, 2], [3, 4]]),
    "df_int_labels": lambda: pd.DataFrame([[1, 2]], columns=[1, 0]),
    "df_index_dropped": lambda: pd.DataFrame({"a": [1, 2]}, index=["r1", "r2"]),
    "df_datetime": lambda: pd.DataFrame({"t": pd.to_datetime(["2020-01-01 00:00:00", "2021-06-30 12:34:56"])}),
    "df_tz": lambda: pd.DataFrame({"t": pd.to_datetime(["2020-01-01"]).tz_localize("UTC")}),
    "df_bytes": lambda: pd.DataFrame({"b": [b"abc", b"x" * 100]}),
    "df_lists": lambda: pd.DataFrame({"l": [[1, 2], [3]]}),
    "df_dicts": lambda: pd.DataFrame({"o": [{"k": 1}, {"k": 2}]}),
    "df_float32": lambda: pd.DataFrame({"f": np.array([1.1, 2.5], dtype=np.float32)}),
    "df_empty": lambda: pd.DataFrame(),
    "nd_float": lambda: np.array([[1.0, 2.5], [3.0, 4.0]]),
    "nd_nan": lambda: np.array([[1.0, np.nan]]),
    "nd_int": lambda: np.array([1, 2, 3]),
    "nd_str": lambda: np.array(["a", "bc"]),
    "nd_bool": lambda: np.array([True, False]),
    "nd_bytes": lambda: np.array([b"ab", b"cd"]),
    "nd_object": lambda: np.array([1, "a", None], dtype=object),
    "nd_3d": lambda: np.arange(8).reshape(2, 2, 2),
    "nd_datetime": lambda: np.array(["2020-01-01", "2020-01-02"], dtype="datetime64[s]"),
    "dict_of_arrays": lambda: {"a": np.array([1, 2]), "b": np.array(["x", "y"])},
    "dict_of_arrays_nan": lambda: {"a": np.array([1.0, np.nan])},
    "list_scalars": lambda: [1, 2.5, "x", True, None],
    "list_dicts": lambda: [{"a": 1, "b": "x"}, {"a": 2, "b": "y"}],
    "list_nested": lambda: [[1, 2], [3, 4]],
    "list_nan": lambda: [1.0, float("nan")],
    "str": lambda: "hello",
    "unicode": lambda: "héllo ✓",
    "int": lambda: 42,
    "float": lambda: 0.1,
    "bool": lambda: True,
    "np_float32": lambda: np.float32(1.1),
    "np_int64": lambda: np.int64(7),
    "bytes_long": lambda: b"z" * 100,
    "datetime": lambda: dt.datetime(2020, 1, 2, 3, 4, 5),
    "timestamp": lambda: pd.Timestamp("2020-01-02 03:04:05"),
    "np_datetime64": lambda: np.datetime64("2020-01-02T03:04:05"),
    "dict_json": lambda: {"a": 1, "b": [1, 2], "c": {"d": "e"}, "e": None},
    "dict_numpy_scalars": lambda: {"a": np.int64(1), "b": np.float32(0.5), "c": np.bool_(True)},
    "dict_dates": lambda: {"d": dt.date(2020, 1, 1), "t": dt.time(12, 0)},
    "df_with_params": lambda: (pd.DataFrame({"a": [1]}), {"temperature": 0.5, "stop": ["a", "b"]}),
    "nd_with_params": lambda: (np.array([1, 2]), {"k": 3}),
    "chat": lambda: {"messages": [{"role": "user", "content": "hi"}]},
    "completion_with_params": lambda: ({"prompt": "hello"}, {"max_tokens": 10}),
    "csr_matrix": lambda: sp.csr_matrix(np.array([[0, 1.5], [2, 0]])),
    "csc_matrix": lambda: sp.csc_matrix(np.array([[0, 1], [2, 0]])),
    "pydantic": lambda: _Point(x=1, label="a"),
}

REFUSED_EXAMPLES = {
    "tuple3": lambda: (1, 2, 3),
    "series": lambda: pd.Series([1, 2]),
    "set": lambda: {1, 2},
    "mixed_dict": lambda: {"a": np.array([1]), "b": 1},
    "list_with_array": lambda: [np.array([1])],
    "params_2d": lambda: ([1], {"p": [[1, 2], [3, 4]]}),
    "params_none": lambda: ([1], {"p": None}),
    "timedelta": lambda: [dt.timedelta(1)],
}


def test_corpora_are_large_enough():
    assert len(EXAMPLES) >= 20
    assert len(PAYLOADS) >= 20


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_convert_is_byte_identical_to_mlflow(name):
    ours = convert_input_example_to_serving_input(EXAMPLES[name]())
    theirs = mlflow_convert(EXAMPLES[name]())
    assert ours == theirs


@pytest.mark.parametrize("name", sorted(REFUSED_EXAMPLES))
def test_convert_refuses_what_mlflow_refuses(name):
    with pytest.raises(Exception):  # MLflow raises MlflowException or TypeError
        mlflow_convert(REFUSED_EXAMPLES[name]())
    with pytest.raises(WorkbenchException) as info:
        convert_input_example_to_serving_input(REFUSED_EXAMPLES[name]())
    assert info.value.error_code == "INVALID_PARAMETER_VALUE"


@settings(max_examples=50, deadline=None)
@given(
    hnp.arrays(
        dtype=st.sampled_from(["int64", "float64", "float32", "bool", "U3"]),
        shape=hnp.array_shapes(min_dims=1, max_dims=3, max_side=3),
    )
)
def test_any_ndarray_is_byte_identical(array):
    assert convert_input_example_to_serving_input(array) == mlflow_convert(array)


@settings(max_examples=50, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(-(2**62), 2**62),
            st.floats(allow_nan=False, width=64),
            st.text(max_size=4),
            st.booleans(),
        ),
        max_size=4,
    )
)
def test_any_simple_dataframe_is_byte_identical(rows):
    df = pd.DataFrame(rows, columns=["i", "f", "s", "b"])
    assert convert_input_example_to_serving_input(df) == mlflow_convert(df)


def test_dataframe_missing_values_differ_only_where_mlflow_writes_invalid_json():
    df = pd.DataFrame(
        {"f": [1.0, np.nan], "s": ["x", None], "t": pd.to_datetime(["2020-01-01", None]), "i": [1, 2]}
    )
    theirs = mlflow_convert(df)
    assert "NaN" in theirs and '"NaT"' in theirs  # MLflow 3.17.2 under pandas 3
    mended = re.sub(r"\bNaN\b|\"NaT\"", "null", theirs)
    assert convert_input_example_to_serving_input(df) == mended


# =========================================================================== JSON -> data

NAMED = Schema([ColSpec("long", "a"), ColSpec("double", "b"), ColSpec("string", "s", required=False)])
SCHEMAS = {
    "none": None,
    "named": NAMED,
    "types": Schema(
        [
            ColSpec("boolean", "bo"),
            ColSpec("integer", "i"),
            ColSpec("float", "f"),
            ColSpec("datetime", "t"),
            ColSpec("binary", "bin"),
        ]
    ),
    "tensor": Schema([TensorSpec(np.dtype("float32"), (-1, 2))]),
    "tensors": Schema(
        [TensorSpec(np.dtype("float32"), (-1,), "x"), TensorSpec(np.dtype("int64"), (-1,), "y")]
    ),
    "unnamed": Schema([ColSpec("double")]),
    "single": Schema([ColSpec("double", "x")]),
    "nested": Schema(
        [
            ColSpec(Array("long"), "arr"),
            ColSpec(Object([Property("k", "long"), Property("o", "string", False)]), "obj"),
            ColSpec(Map("long"), "m"),
        ]
    ),
    "nested_double": Schema([ColSpec(Array("double"), "arr")]),
    "any": Schema([ColSpec(AnyType(), "z")]),
}

# (name, payload, schema names). Payloads MLflow accepts:
PAYLOADS = [
    ("split", '{"dataframe_split": {"columns": ["a", "b", "s"], "data": [[1, 2, "x"], [3, 4.5, null]]}}', ["none", "named"]),
    ("split_index", '{"dataframe_split": {"index": [5, 6], "columns": ["a"], "data": [[1], [2]]}}', ["none", "named"]),
    ("split_no_columns", '{"dataframe_split": {"data": [[1.5], [2]]}}', ["none", "unnamed", "tensor"]),
    ("split_tensor", '{"dataframe_split": {"columns": ["p", "q"], "data": [[1, 2], [3, 4]]}}', ["none", "tensor"]),
    ("records", '{"dataframe_records": [{"a": 1, "b": 2}, {"a": 3, "b": 4}]}', ["none", "named"]),
    ("records_types", '{"dataframe_records": [{"bo": true, "i": 1, "f": 1.5, "t": "2020-01-01T00:00:00", "bin": "aGVsbG8=\\n"}]}', ["none", "types"]),
    ("records_nested", '{"dataframe_records": [{"arr": [1, 2], "obj": {"k": 1}, "m": {"a": 1}}]}', ["none", "nested"]),
    ("inputs_tensor", '{"inputs": [[1, 2], [3, 4]]}', ["none", "tensor", "unnamed", "single"]),
    ("inputs_tensor_dict", '{"inputs": {"x": [1, 2], "y": [3, 4]}}', ["none", "tensors"]),
    ("inputs_columns", '{"inputs": {"a": [1, 2], "b": [1, 2], "s": ["u", "v"]}}', ["none", "named"]),
    ("inputs_rows", '{"inputs": [{"a": 1, "b": 2.0}, {"a": 3, "b": 4.0}]}', ["none", "named"]),
    ("inputs_nested", '{"inputs": {"arr": [1, 2], "obj": {"k": 1}, "m": {"a": 1}}}', ["nested"]),
    ("inputs_scalar", '{"inputs": 3}', ["none", "unnamed"]),
    ("inputs_str", '{"inputs": "hello"}', ["none"]),
    ("inputs_empty", '{"inputs": []}', ["none", "named"]),
    ("inputs_any", '{"inputs": {"z": [1, "a", null]}}', ["none", "any"]),
    ("instances_rows", '{"instances": [{"x": [1, 2], "y": 3}, {"x": [4, 5], "y": 6}]}', ["none", "tensors"]),
    ("instances_list", '{"instances": [[1, 2], [3, 4]]}', ["none", "tensor"]),
    ("instances_single", '{"instances": [1.0, 2.0]}', ["none", "single"]),
    ("instances_nested", '{"instances": [{"arr": [1, 2], "obj": {"k": 1}, "m": {"a": 1}}]}', ["none", "nested"]),
    ("params", '{"inputs": [1, 2], "params": {"k": 1, "t": [0.5]}}', ["none"]),
    ("unknown_key_ignored", '{"inputs": [1, 2], "extra": 1}', ["none"]),
    ("bytes_body", b'{"inputs": [1, 2]}', ["none"]),
    ("dict_body", {"inputs": [1, 2], "params": {"k": 1}}, ["none"]),
    ("inputs_null", '{"inputs": null}', ["none"]),
    ("inputs_mixed_list", '{"inputs": [{"a": 1}, 2]}', ["none"]),
    ("records_empty", '{"dataframe_records": []}', ["none", "named"]),
    ("instances_empty", '{"instances": []}', ["none", "named"]),
    ("params_not_a_dict", '{"inputs": [1], "params": [1, 2]}', ["none"]),
    ("split_list_cells", '{"dataframe_split": {"columns": ["v"], "data": [[[1, 2]], [[3, 4]]]}}', ["none", "tensor"]),
    ("split_named_schema_unnamed_data", '{"dataframe_split": {"data": [[1, 2.5]]}}', ["named"]),
    ("records_missing_optional", '{"dataframe_records": [{"a": 1, "b": 2.5}]}', ["named"]),
]

# Payloads MLflow refuses:
REFUSED_PAYLOADS = [
    ("list_body", "[1, 2]", ["none"]),
    ("number_body", "3", ["none"]),
    ("string_body", '"x"', ["none"]),
    ("invalid_json", '{"inputs": [1, 2}', ["none"]),
    ("bad_utf8", b'{"inputs": "\xff"}', ["none"]),
    ("no_keys", "{}", ["none"]),
    ("two_keys", '{"inputs": [1], "instances": [1]}', ["none"]),
    ("four_keys", '{"inputs": 1, "instances": 1, "dataframe_split": 1, "dataframe_records": 1}', ["none"]),
    ("unknown_key_only", '{"data": [1]}', ["none"]),
    ("params_only", '{"params": {"a": 1}}', ["none"]),
    ("split_list", '{"dataframe_split": [[1, 2]]}', ["none"]),
    ("split_str", '{"dataframe_split": "x"}', ["none"]),
    ("split_no_data", '{"dataframe_split": {"columns": ["a"]}}', ["none"]),
    ("split_extra_key", '{"dataframe_split": {"data": [[1]], "rows": 1}}', ["none"]),
    ("split_width_mismatch", '{"dataframe_split": {"columns": ["a", "b"], "data": [[1]]}}', ["none"]),
    ("records_dict", '{"dataframe_records": {"a": [1]}}', ["none"]),
    ("records_number", '{"dataframe_records": 5}', ["none"]),
    ("ragged_inputs", '{"inputs": [[1, 2], [3]]}', ["none", "tensor"]),
    ("ragged_instances", '{"instances": [[1, 2], [3]]}', ["none"]),
    ("ragged_columns", '{"instances": [{"a": 1, "b": [1]}, {"a": 2}]}', ["none"]),
    ("instances_row_not_dict", '{"instances": [{"a": 1}, 5]}', ["none"]),
    ("instances_scalar_column", '{"instances": {"a": 1}}', ["none"]),
    ("dict_for_unnamed_schema", '{"inputs": {"a": [1]}}', ["unnamed", "tensor"]),
    ("bad_column_cast", '{"dataframe_split": {"columns": ["a", "b"], "data": [["x", 1]]}}', ["named"]),
    ("bad_tensor_cast", '{"inputs": [["a", "b"]]}', ["tensor"]),
    ("bad_scalar_cast", '{"inputs": "abc"}', ["unnamed"]),
    ("bad_binary", '{"dataframe_records": [{"bo": true, "i": 1, "f": 1.5, "t": "2020-01-01", "bin": 5}]}', ["types"]),
    ("bad_array", '{"dataframe_records": [{"arr": "x", "obj": {"k": 1}, "m": {"a": 1}}]}', ["nested"]),
    ("int_array_for_double", '{"instances": [{"arr": [1, 2]}]}', ["nested_double"]),
    ("split_index_mismatch", '{"dataframe_split": {"index": [1, 2], "data": [[1], [2], [3]]}}', ["none"]),
    ("bad_object", '{"inputs": {"arr": [[1]], "obj": [{"zz": 1}], "m": [{"a": 1}]}}', ["nested"]),
]


def _cases(payloads):
    return [
        pytest.param(payload, schema, id=f"{name}-{schema}")
        for name, payload, schemas in payloads
        for schema in schemas
    ]


def _mlflow_schema(name):
    schema = SCHEMAS[name]
    return None if schema is None else mlflow.types.Schema.from_json(schema.to_json())


def _mlflow_parse(payload, schema_name):
    data, params = scoring_server._split_data_and_params(copy.deepcopy(payload))
    return scoring_server.infer_and_parse_data(data, _mlflow_schema(schema_name)), params


def _assert_same(ours, theirs):
    assert type(ours) is type(theirs)
    if isinstance(theirs, pd.DataFrame):
        pd.testing.assert_frame_equal(ours, theirs)
    elif isinstance(theirs, np.ndarray):
        assert (ours.dtype, ours.shape) == (theirs.dtype, theirs.shape)
        assert ours.tolist() == theirs.tolist()
    elif isinstance(theirs, dict):
        assert list(ours) == list(theirs)
        for key in theirs:
            _assert_same(ours[key], theirs[key])
    elif isinstance(theirs, list):
        assert len(ours) == len(theirs)
        for mine, other in zip(ours, theirs):
            _assert_same(mine, other)
    else:
        assert ours == theirs


@pytest.mark.parametrize(("payload", "schema"), _cases(PAYLOADS))
def test_parse_equals_mlflow(payload, schema):
    theirs_data, theirs_params = _mlflow_parse(payload, schema)
    ours_data, ours_params = parse_serving_input(payload, SCHEMAS[schema])
    _assert_same(ours_data, theirs_data)
    assert ours_params == theirs_params


def _normalise(message):
    """Remove the documented differences from an error message (ours or MLflow's)."""
    message = re.sub(r"\{('[a-z_]+'(, )?)+\}", lambda m: "{" + ", ".join(sorted(m.group(0)[1:-1].split(", "))) + "}", message)
    message = re.sub(r"\. (IMPORTANT: The MLflow|Other keys|For example).*", ".", message, flags=re.S)
    message = message.replace("un-named  model", "un-named model")
    message = message.replace("'<class 'int'>'.", "'<class 'int'>.").replace("'<class 'str'>'.", "'<class 'str'>.")
    return message.rstrip("'")


# Where our inner wording differs (nested-type enforcement is workbench's own code), only
# the start of the message is compared.
_OWN_WORDING = {"bad_array", "int_array_for_double", "bad_object"}


@pytest.mark.parametrize(("payload", "schema"), _cases(REFUSED_PAYLOADS))
def test_parse_refuses_what_mlflow_refuses(request, payload, schema):
    with pytest.raises(Exception) as theirs:
        _mlflow_parse(payload, schema)
    with pytest.raises(WorkbenchException) as ours:
        parse_serving_input(payload, SCHEMAS[schema])
    assert ours.value.error_code == theirs.value.error_code == "BAD_REQUEST"
    name = request.node.callspec.id.rsplit("-", 1)[0]
    mine, other = _normalise(ours.value.message), _normalise(theirs.value.message)
    if name in _OWN_WORDING:
        assert mine.split(" Error: ")[0][:40] == other.split(" Error: ")[0][:40]
    else:
        assert mine == other


def test_chat_body_split_matches_mlflow():
    class _Metadata:
        def get_params_schema(self):
            return mlflow.types.ParamSchema([mlflow.types.ParamSpec("temperature", "double", 0.5)])

    from workbench.types import ParamSchema, ParamSpec

    body = '{"messages": [{"role": "user"}], "temperature": 0.1, "stream": false}'
    theirs = scoring_server._parse_json_data(body, _Metadata(), None)
    ours = parse_serving_input(body, params_schema=ParamSchema([ParamSpec("temperature", "double", 0.5)]))
    assert ours == (theirs.data, theirs.params)


@pytest.mark.parametrize(
    ("text", "schema"),
    [
        ("a,b\n1,x\n2,y\n", None),
        ("a,b,s\n1,2.5,x\n3,4,\n", NAMED),
        ("a,b\n1,x\n", Schema([ColSpec("double", "a"), ColSpec("string", "b")])),
    ],
)
def test_csv_equals_mlflow(text, schema):
    import io

    mlflow_schema = None if schema is None else mlflow.types.Schema.from_json(schema.to_json())
    theirs = scoring_server.parse_csv_input(io.StringIO(text), mlflow_schema)
    pd.testing.assert_frame_equal(parse_csv_input(text, schema), theirs)


def test_csv_refuses_what_mlflow_refuses():
    import io

    schema = Schema([ColSpec("long", "a")])
    mlflow_schema = mlflow.types.Schema.from_json(schema.to_json())
    with pytest.raises(Exception) as theirs:
        scoring_server.parse_csv_input(io.StringIO("a\nx\n"), mlflow_schema)
    with pytest.raises(WorkbenchException) as ours:
        parse_csv_input("a\nx\n", schema)
    assert ours.value.error_code == theirs.value.error_code == "BAD_REQUEST"
    assert ours.value.message == theirs.value.message


def test_serving_json_written_by_mlflow_parses_the_same_here():
    """Round trip across the two libraries: MLflow writes, both parse."""
    df = pd.DataFrame({"a": [1, 2], "b": [0.5, 1.5], "s": ["x", "y"]})
    text = mlflow_convert((df, {"k": 1}))
    theirs = _mlflow_parse(text, "named")
    ours = parse_serving_input(text, NAMED)
    _assert_same(ours[0], theirs[0])
    assert ours[1] == theirs[1] == {"k": 1}
    assert json.loads(convert_input_example_to_serving_input((df, {"k": 1}))) == json.loads(text)


class _TypeHintMetadata:
    def _is_signature_from_type_hint(self):
        return True


def test_type_hint_models_match_mlflow():
    body = '{"inputs": [{"a": 1}, {"a": 2}], "params": {"k": 1}}'
    theirs = scoring_server._parse_json_data(body, _TypeHintMetadata(), None)
    assert parse_serving_input(body, from_type_hint=True) == (theirs.data, theirs.params)
    with pytest.raises(Exception) as mlflow_error:
        scoring_server._parse_json_data('{"instances": [1]}', _TypeHintMetadata(), None)
    with pytest.raises(WorkbenchException) as ours:
        parse_serving_input('{"instances": [1]}', from_type_hint=True)
    assert ours.value.error_code == mlflow_error.value.error_code == "INVALID_PARAMETER_VALUE"
