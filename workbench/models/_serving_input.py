"""Serving input: the JSON body a scoring server accepts, written and read back.

Two directions over one format, MLflow's scoring protocol::

    {"dataframe_split": {"columns": [...], "data": [[...], ...]}}    a DataFrame (no index)
    {"dataframe_records": [{"col": value, ...}, ...]}                a DataFrame, row by row
    {"instances": [...]}                                             tensors, row by row
    {"inputs": ...}                                                  tensors or JSON, as is
    ... plus an optional "params": {name: value}

- :func:`convert_input_example_to_serving_input` turns a model's input example into that
  JSON text, byte for byte as MLflow writes ``serving_input_example.json``.
- :func:`parse_serving_input` reads such a body back into what a model's ``predict`` gets
  (a DataFrame, an ndarray, a dict of ndarrays or plain JSON) and the params, casting to the
  model's input schema as MLflow's scoring server does; :func:`parse_csv_input` does the
  same for ``text/csv`` bodies.

Bodies come from the network, so parsing is defensive: nesting too deep for Python, numbers
too long to convert and non-UTF-8 bytes all give a ``BAD_REQUEST`` :class:`WorkbenchException`,
and an error message never echoes more than :data:`MAX_ECHO` characters of the body.
"""

from __future__ import annotations

import base64
import copy
import datetime as _dt
import functools
import io
import json
from collections.abc import Callable
from typing import Any

import numpy as np

from workbench._exceptions import BAD_REQUEST, INVALID_PARAMETER_VALUE, WorkbenchException

__all__ = [
    "convert_input_example_to_serving_input",
    "infer_and_parse_data",
    "parse_csv_input",
    "parse_serving_input",
    "serving_input_from_example",
]

DF_SPLIT = "dataframe_split"
DF_RECORDS = "dataframe_records"
INSTANCES = "instances"
INPUTS = "inputs"
SERVING_PARAMS_KEY = "params"
#: The input keys of a JSON body; exactly one must be present.
SUPPORTED_FORMATS = (DF_RECORDS, DF_SPLIT, INSTANCES, INPUTS)
#: Top-level keys that mark a chat / completions / embeddings body, sent unwrapped.
LLM_INPUT_KEYS = ("messages", "prompt", "input")
#: The most characters of a request body (or of a value from it) an error message repeats.
MAX_ECHO = 1024

# MLflow prints the set of input keys (in hash order); we print the same set, sorted.
_FORMATS_TEXT = "{" + ", ".join(repr(key) for key in sorted(SUPPORTED_FORMATS)) + "}"
REQUIRED_INPUT_FORMAT = (
    f"The input must be a JSON dictionary with exactly one of the input fields {_FORMATS_TEXT}"
)
_FORMAT_HINT = (
    'For example {"inputs": [[1.0, 2.0]]} or {"dataframe_split": {"columns": ["a", "b"], '
    '"data": [[1.0, 2.0]]}}, optionally with "params": {"name": value}. '
    "workbench.models.convert_input_example_to_serving_input(example) writes one for you."
)


# =========================================================================== example -> JSON


def convert_input_example_to_serving_input(input_example: Any) -> str | None:
    """Convert a model's input example to the JSON body of a scoring request.

    Parameters
    ----------
    input_example : DataFrame, ndarray, dict, list, scalar, datetime or tuple
        A ``pandas.DataFrame``, a ``numpy.ndarray``, a dict of name -> ``numpy.ndarray``,
        a list, a scalar, a ``datetime.datetime``, a dict of JSON values, a scipy CSR/CSC
        matrix or a pydantic model; or a ``(data, params)`` tuple of one of those and a dict
        of inference parameters.

    Returns
    -------
    str or None
        The JSON text (indented by two spaces, as MLflow writes it), or None when
        ``input_example`` is None.

    Raises
    ------
    WorkbenchException
        ``INVALID_PARAMETER_VALUE`` for an unsupported type, a dict mixing arrays with other
        values, a list holding arrays, invalid params or a value JSON cannot encode.

    Notes
    -----
    DataFrames become ``dataframe_split`` without the index (and without ``columns`` when
    they are the default ``0..n-1``); everything else becomes ``inputs``. NaN in an ndarray
    and every missing value in a DataFrame become ``null``; bytes become base64 text (with
    the trailing newline of :func:`base64.encodebytes`); numpy scalars become Python numbers;
    dates and times become ISO 8601 text.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> print(convert_input_example_to_serving_input(np.array([1.5, np.nan])))
    {
      "inputs": [
        1.5,
        null
      ]
    }
    >>> df = pd.DataFrame({"x": [1, 2]}, index=[7, 8])
    >>> json.loads(convert_input_example_to_serving_input((df, {"k": 3})))
    {'dataframe_split': {'columns': ['x'], 'data': [[1], [2]]}, 'params': {'k': 3}}
    """
    try:
        body = serving_input_from_example(input_example)
        return None if body is None else json.dumps(body, indent=2, default=_example_json_default)
    except WorkbenchException:
        raise
    except (TypeError, ValueError, RecursionError) as err:
        raise WorkbenchException(
            f"The input example cannot be written as JSON: {_echo(err)}. Convert such values "
            "to numbers, strings, lists or dicts (nested at most a few hundred levels deep) "
            "before passing the example.",
            error_code=INVALID_PARAMETER_VALUE,
        ) from err


def serving_input_from_example(input_example: Any) -> dict[str, Any] | None:
    """Return the serving input body for ``input_example`` as a dict, before JSON encoding.

    The values may still be numpy scalars, bytes or dates; they are encoded when the dict
    is written (see :func:`convert_input_example_to_serving_input`).

    Examples
    --------
    >>> serving_input_from_example([1, 2])
    {'inputs': [1, 2]}
    >>> serving_input_from_example(({"messages": []}, {"temperature": 0.5}))
    {'messages': [], 'temperature': 0.5}
    """
    if input_example is None:
        return None
    data, params = _split_example_params(copy.deepcopy(input_example))
    body = _data_body(data)
    if params is None:
        return body
    if _is_llm_input(body):
        # An unwrapped chat/completions body carries its params as top-level keys too.
        return {**body, **params}
    return {**body, SERVING_PARAMS_KEY: params}


def _split_example_params(example: Any) -> tuple[Any, dict[str, Any] | None]:
    """Split a ``(data, params)`` tuple; check the params as a signature would infer them."""
    if isinstance(example, tuple) and len(example) == 2 and isinstance(example[1], dict):
        from workbench.types._infer import _infer_param_schema

        data, params = example
        _infer_param_schema(params)  # raises INVALID_PARAMETER_VALUE naming the bad ones
        return data, params
    return example, None


def _data_body(data: Any) -> dict[str, Any]:
    from workbench.types._infer import _is_pandas, _is_pydantic_model, _is_sparse_matrix

    if _is_pydantic_model(data):
        data = data.model_dump()
    if isinstance(data, dict):
        arrays = [key for key, value in data.items() if isinstance(value, np.ndarray)]
        if arrays and len(arrays) != len(data):
            others = [key for key in data if key not in arrays]
            raise WorkbenchException(
                "An input example dict must hold only numpy arrays or no numpy arrays, got "
                f"arrays for {_echo(arrays)} and other values for {_echo(others)}. Convert "
                "the other values with numpy.asarray(), or the arrays with .tolist().",
                error_code=INVALID_PARAMETER_VALUE,
            )
        if arrays:
            return {INPUTS: {key: _ndarray_to_list(value) for key, value in data.items()}}
        return data if _is_llm_input(data) else {INPUTS: data}
    if isinstance(data, np.ndarray):
        return {INPUTS: _ndarray_to_list(data)}
    if isinstance(data, list):
        if _contains_ndarray(data):
            raise WorkbenchException(
                "An input example list must not hold numpy arrays (multidimensional arrays, "
                "aka tensors, go in a numpy.ndarray or a dict of them). Pass "
                "numpy.asarray(example), or convert the arrays inside with .tolist().",
                error_code=INVALID_PARAMETER_VALUE,
            )
        return {INPUTS: data}
    if _is_sparse_matrix(data):
        return {INPUTS: data.toarray()}
    if _is_pandas(data, "DataFrame"):
        return {DF_SPLIT: _dataframe_split(data)}
    if np.isscalar(data) or isinstance(data, _dt.datetime):
        return {INPUTS: data}
    raise WorkbenchException(
        f"Unsupported input example of type {type(data).__module__}.{type(data).__qualname__}. "
        "Expected a pandas.DataFrame, a numpy.ndarray, a dict of name -> numpy.ndarray, a "
        "scipy.sparse CSR or CSC matrix, a dict of JSON values, a list, a scalar, a "
        "datetime.datetime or a pydantic model, optionally as a (data, params) tuple.",
        error_code=INVALID_PARAMETER_VALUE,
    )


def _is_llm_input(body: dict[str, Any]) -> bool:
    return any(key in body for key in LLM_INPUT_KEYS)


def _contains_ndarray(value: Any) -> bool:
    if isinstance(value, np.ndarray):
        return True
    if isinstance(value, list):
        return any(_contains_ndarray(item) for item in value)
    if isinstance(value, dict):
        return any(_contains_ndarray(item) for item in value.values())
    return False


def _ndarray_to_list(array: np.ndarray) -> list[Any]:
    """``array.tolist()`` with NaN as None in numeric arrays."""
    if np.issubdtype(array.dtype, np.number):
        array = np.where(np.isnan(array), None, array)
    return array.tolist()


def _dataframe_split(df: Any) -> dict[str, Any]:
    """The ``split`` dict of ``df`` without its index, and without default column labels.

    Every missing cell (NaN, None, NaT, ``pd.NA``) is written as None. MLflow 3.17 means to
    do the same (``df.where(df.notnull(), None)``), but under pandas 3 typed columns keep
    their NaN and NaT, so it writes ``NaN`` (not JSON) and the string ``"NaT"``.
    """
    import pandas as pd

    split = df.to_dict(orient="split")
    del split["index"]
    split["data"] = [
        [None if _is_missing_scalar(cell, pd) else cell for cell in row] for row in split["data"]
    ]
    if list(df.columns) == list(range(len(df.columns))):
        del split["columns"]  # the default labels 0..n-1 need not be written
    return split


def _is_missing_scalar(value: Any, pd: Any) -> bool:
    if isinstance(value, (list, tuple, dict, np.ndarray)):
        return False
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _example_json_default(value: Any) -> Any:
    """Encode what :func:`json.dumps` cannot: MLflow's ``NumpyEncoder`` conversions."""
    if isinstance(value, np.ndarray):
        if value.dtype.kind == "S":
            return np.vectorize(_base64, otypes=[object])(value).tolist()
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (bytes, bytearray)):
        return _base64(value)
    if isinstance(value, (_dt.date, _dt.time)):  # datetime and pandas.Timestamp are dates
        return value.isoformat()
    from workbench.types._infer import _is_pydantic_model

    if _is_pydantic_model(value):
        return value.model_dump()
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _base64(value: bytes | bytearray) -> str:
    # encodebytes (not b64encode): MLflow's format, a newline every 76 characters and at the end.
    return base64.encodebytes(bytes(value)).decode("ascii")


# =========================================================================== JSON -> data


def _refuse_deep_nesting(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn the RecursionError of a body nested thousands deep into a BAD_REQUEST error."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except RecursionError:
            raise _invalid_input(
                "The request body is nested too deeply to be read. Send at most a few hundred "
                "levels of nested lists and objects."
            ) from None

    return wrapper


@_refuse_deep_nesting
def parse_serving_input(
    payload: str | bytes | dict[str, Any],
    schema: Any = None,
    *,
    params_schema: Any = None,
    from_type_hint: bool = False,
) -> tuple[Any, dict[str, Any] | None]:
    """Read a scoring request's JSON body into model input and params, as MLflow's server does.

    Parameters
    ----------
    payload : str, bytes or dict
        The request body, as text, as UTF-8 bytes or already decoded. A dict is not changed.
    schema : Schema, optional
        The model's input schema. Columns are cast to its types (base64 text is decoded for
        ``binary``, text parsed for ``datetime``), tensors are built with its dtypes.
    params_schema : ParamSchema, optional
        The model's params schema; only used for unwrapped chat / completions / embeddings
        bodies (a top-level ``messages``, ``prompt`` or ``input`` key), where it says which
        top-level keys are params.
    from_type_hint : bool, default False
        True when the model's signature comes from its ``predict`` type hints: the body
        must then use ``inputs``, whose JSON value is returned as is (schema not applied).

    Returns
    -------
    (data, params)
        ``data``: a DataFrame for ``dataframe_split`` / ``dataframe_records``; for
        ``instances`` / ``inputs`` an ndarray, a dict of ndarrays or the JSON values cast to
        the schema. ``params``: the body's ``"params"`` or None. Other keys are ignored.

    Raises
    ------
    WorkbenchException
        ``BAD_REQUEST`` for a body that is not a JSON object, has no or several input keys,
        or holds data that fits neither the format nor the schema.

    Examples
    --------
    >>> data, params = parse_serving_input('{"inputs": [[1, 2], [3, 4]], "params": {"k": 1}}')
    >>> data, params
    (array([[1, 2],
           [3, 4]]), {'k': 1})
    >>> parse_serving_input({"dataframe_split": {"columns": ["a"], "data": [[1], [2]]}})[0]
       a
    0  1
    1  2
    >>> parse_serving_input('[1, 2]')
    Traceback (most recent call last):
    ...
    workbench._exceptions.WorkbenchException: Invalid input. The input must be a JSON dictionary with exactly one of the input fields {...}. Received a list.
    """
    body = _decode_json_object(payload)
    if _is_llm_input(body):
        names = {spec.name for spec in params_schema.params} if params_schema else set()
        data = {key: value for key, value in body.items() if key not in names}
        return data, {key: value for key, value in body.items() if key in names}
    data = {key: value for key, value in body.items() if key in SUPPORTED_FORMATS}
    params = body.get(SERVING_PARAMS_KEY)
    if from_type_hint:
        if INPUTS not in data:
            raise WorkbenchException(
                "Request payload must be a dictionary with 'inputs' key when the model contains "
                f"a valid type hint. Found keys in payload: {_echo(list(body))}.",
                error_code=INVALID_PARAMETER_VALUE,
            )
        return data[INPUTS], params
    if len(data) != 1:
        others = [key for key in body if key not in data and key != SERVING_PARAMS_KEY]
        raise _wrong_input_keys(list(data), others)
    return infer_and_parse_data(data, schema), params


def _wrong_input_keys(fields: list[Any], others: list[Any]) -> WorkbenchException:
    # MLflow lists only the input fields it found; naming the other keys says what arrived.
    other_text = f" Other keys: {_echo(others)}." if others else ""
    return WorkbenchException(
        f"{REQUIRED_INPUT_FORMAT}. Received dictionary with input fields: {_echo(fields)}."
        f"{other_text} {_FORMAT_HINT}",
        error_code=BAD_REQUEST,
    )


@_refuse_deep_nesting
def infer_and_parse_data(data: dict[str, Any], schema: Any = None) -> Any:
    """Parse the value of the one input key of ``data`` (a dict of input keys only).

    This is the step after :func:`parse_serving_input` has split off ``params``.

    Examples
    --------
    >>> infer_and_parse_data({"instances": [{"a": 1, "b": "x"}, {"a": 2, "b": "y"}]})
    {'a': array([1, 2]), 'b': array(['x', 'y'], dtype='<U1')}
    """
    keys = [key for key in data if key in SUPPORTED_FORMATS]
    if len(keys) != 1:
        raise _wrong_input_keys(list(data), [])
    key = keys[0]
    if key in (DF_SPLIT, DF_RECORDS):
        return _dataframe_from_json(data[key], key[len("dataframe_") :], schema)
    try:
        if key == INSTANCES:
            return _parse_instances(data[key], schema)
        return _cast_to_schema(data[key], schema)
    except (WorkbenchException, RecursionError):  # RecursionError: see _refuse_deep_nesting
        raise
    except Exception as err:
        raise _invalid_input(
            f"Ensure that the input is a valid JSON-formatted string.\nError: {_echo(err, repr)}"
        ) from err


def parse_csv_input(text_or_bytes: str | bytes, schema: Any = None) -> Any:
    """Read a ``text/csv`` request body into a DataFrame, with the schema's column types.

    Examples
    --------
    >>> parse_csv_input(b"a,b\\n1,x\\n2,y\\n")
       a  b
    0  1  x
    1  2  y
    """
    import pandas as pd

    text = text_or_bytes
    if isinstance(text, (bytes, bytearray)):
        try:
            text = bytes(text).decode("utf-8")
        except UnicodeDecodeError as err:
            raise _invalid_input(
                f"Ensure that input is a valid UTF-8 encoded string. Error: '{err!r}'"
            ) from err
    try:
        if schema is None:
            return pd.read_csv(io.StringIO(text))
        dtypes = dict(zip(schema.input_names(), schema.pandas_types()))
        return pd.read_csv(io.StringIO(text), dtype=dtypes)
    except Exception as err:
        raise WorkbenchException(
            "Failed to parse input as a Pandas DataFrame. Ensure that the input is a valid "
            "CSV-formatted Pandas DataFrame produced using the `pandas.DataFrame.to_csv()` "
            f"method. Error: '{_echo(err)}'",
            error_code=BAD_REQUEST,
        ) from err


# --------------------------------------------------------------------------- helpers


def _invalid_input(message: str) -> WorkbenchException:
    """MLflow's ``MlflowInvalidInputException``: BAD_REQUEST, prefixed ``Invalid input.``."""
    return WorkbenchException(f"Invalid input. {message}", error_code=BAD_REQUEST)


def _echo(value: Any, render: Any = str, limit: int = MAX_ECHO) -> str:
    """``render(value)`` cut to ``limit`` characters, saying how much was left out.

    A message that repeats two things from the body gives the second a quarter of the
    budget, so that together they stay within :data:`MAX_ECHO`.
    """
    text = render(value)
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... ({len(text) - limit} more characters)"


_SHORT = MAX_ECHO // 4


def _decode_json_object(payload: Any) -> dict[str, Any]:
    if isinstance(payload, dict):
        return payload
    try:
        decoded = json.loads(payload)
    except (ValueError, TypeError) as err:
        # ValueError covers JSONDecodeError, bad UTF-8 and integers too long to convert.
        raise _invalid_input(
            # the error's repr may hold the whole body too (UnicodeDecodeError does)
            f"Ensure that input is a valid JSON formatted string. Error: "
            f"'{_echo(err, repr, _SHORT)}'\nInput: \n{_echo(payload, str, MAX_ECHO - _SHORT)}\n"
        ) from err
    if isinstance(decoded, dict):
        return decoded
    if isinstance(decoded, list):
        raise _invalid_input(f"{REQUIRED_INPUT_FORMAT}. Received a list.")
    raise _invalid_input(
        f"{REQUIRED_INPUT_FORMAT}. Received unexpected input type '{type(decoded)}'."
    )


# --------------------------------------------------------------------------- dataframes


def _dataframe_from_json(value: Any, orient: str, schema: Any) -> Any:
    """Build the DataFrame of a ``dataframe_split`` / ``dataframe_records`` value."""
    import pandas as pd

    if orient == "records":
        if not isinstance(value, list):
            got = "dictionary" if isinstance(value, dict) else f"type {type(value)}"
            raise _invalid_input(f"Dataframe records format must be a list of records. Got {got}.")
        build = lambda: pd.DataFrame(data=value)  # noqa: E731
    else:
        if not isinstance(value, dict):
            got = "list" if isinstance(value, list) else f"type {type(value)}"
            raise _invalid_input(f"Dataframe split format must be a dictionary. Got {got}.")
        keys = set(value)
        if "data" not in keys or keys - {"columns", "data", "index"}:
            raise _invalid_input(
                "Dataframe split format must have 'data' field and optionally 'columns' and "
                f"'index' fields. Got {_echo(keys, _set_text)}."
            )
        build = lambda: pd.DataFrame(  # noqa: E731
            index=value.get("index"), columns=value.get("columns"), data=value["data"]
        )
    try:
        df = build()
    except Exception as err:
        raise _invalid_input(
            f"Provided dataframe_{orient} field is not a valid dataframe representation in "
            f"'{orient}' format. Error: '{_echo(err)}'"
        ) from err
    return df if schema is None else _cast_dataframe(df, schema)


def _set_text(keys: set[Any]) -> str:
    """A set's repr in sorted order, so that messages do not change from run to run."""
    return "{" + ", ".join(sorted(map(repr, keys))) + "}"


def _cast_dataframe(df: Any, schema: Any) -> Any:
    """Cast the columns of ``df`` to the schema's types, where the schema names them."""
    import pandas as pd

    from workbench.models._enforce_nested import enforce_value
    from workbench.types import AnyType, Array, DataType, Map, Object

    types = schema.input_types()
    if schema.has_input_names():
        pairs = list(zip(schema.input_names(), types))
    elif schema.is_tensor_spec() and len(types) == 1:
        pairs = [(column, types[0]) for column in df.columns]
    else:
        pairs = list(zip(df.columns[: len(types)], types))
    required = set(schema.required_input_names())
    for column, spec_type in pairs:
        if column not in df.columns:
            continue  # missing columns are for enforcement to report
        target = spec_type.to_pandas() if isinstance(spec_type, DataType) else spec_type
        series = df[column]
        try:
            if spec_type is DataType.binary:
                df[column] = series.map(lambda x: base64.decodebytes(bytes(x, "utf8")))
            elif isinstance(target, np.dtype) and target == np.dtype(bytes):
                df[column] = series.map(lambda x: bytes(x, "utf8"))
            elif schema.is_tensor_spec() and isinstance(series.iloc[0], list):
                pass  # a column of lists stays as is; enforcement builds the tensors
            elif isinstance(spec_type, (Array, Object, Map)):
                is_required = column in required
                df[column] = series.map(lambda x: enforce_value(x, spec_type, is_required))
            elif isinstance(spec_type, AnyType):
                pass
            elif spec_type is DataType.datetime:
                parsed = pd.to_datetime(series)
                if getattr(parsed.dt, "unit", "ns") != "ns":  # pandas 3 parses to microseconds
                    parsed = parsed.dt.as_unit("ns")
                df[column] = parsed
            elif (target is object or getattr(target, "kind", None) == "U") and isinstance(
                series.dtype, pd.StringDtype
            ):
                pass  # pandas 3 string columns already hold text; object would downgrade them
            else:
                df[column] = series.astype(target)
        except Exception as err:
            raise _invalid_input(
                "Data is not compatible with model signature. Failed to convert column "
                f"{_echo(column, str, _SHORT)} to type '{target}'. Error: "
                f"'{_echo(err, repr, MAX_ECHO - _SHORT)}'"
            ) from err
    return df


# --------------------------------------------------------------------------- tensors and JSON


def _parse_instances(rows: Any, schema: Any) -> Any:
    """``instances``: a list of row dicts becomes a dict of columns, anything else is cast."""
    if isinstance(rows, list) and rows and isinstance(rows[0], dict):
        specs = _named_specs(schema)
        columns: dict[str, list[Any]] = {}
        for row in rows:
            for name, value in row.items():
                columns.setdefault(name, []).append(_convert(value, specs.get(name)))
        data: Any = {name: np.array(values) for name, values in columns.items()}
    else:
        data = _cast_to_schema(rows, schema)
    if isinstance(data, dict):
        _check_equal_lengths(data, schema)
    return data


def _check_equal_lengths(data: dict[str, Any], schema: Any) -> None:
    """Row-format input needs every (required, non-Array) column to have the same length."""
    from workbench.types import Array

    sized = [name for name, value in data.items() if isinstance(value, (list, np.ndarray))]
    if schema is not None and schema.has_input_names():
        required = set(schema.required_input_names())
        specs = _named_specs(schema)
        sized = [
            name
            for name in sized
            if name in required and not isinstance(specs[name].type, Array)
        ]
    if len({len(data[name]) for name in sized}) > 1:
        raise _invalid_input("The length of values for each input/column name are not the same")


def _named_specs(schema: Any) -> dict[str, Any]:
    return schema.input_dict() if schema is not None and schema.has_input_names() else {}


def _cast_to_schema(data: Any, schema: Any) -> Any:
    """``inputs``: columns (a dict), rows (a list of dicts), a tensor (a list) or a scalar."""
    specs = _named_specs(schema)
    if schema is not None:
        bare_list = isinstance(data, list) and not any(isinstance(x, dict) for x in data)
        if len(specs) == 1 and bare_list:
            data = {next(iter(specs)): data}  # a single named column sent as a bare list
        elif not schema.has_input_names() and not (isinstance(data, list) or np.isscalar(data)):
            raise _invalid_input(
                "Failed to parse input data. This model contains an un-named model signature "
                "which expects a single n-dimensional array or a single value as input, "
                f"however, an input of type {type(data)} was found."
            )
    if isinstance(data, dict):
        return {name: _convert(value, specs.get(name)) for name, value in data.items()}
    first = schema.inputs[0] if schema is not None and schema.inputs else None
    if isinstance(data, list):
        if all(isinstance(row, dict) for row in data):
            return [{k: _convert(v, specs.get(k)) for k, v in row.items()} for row in data]
        return _convert(data, first)
    try:
        return _convert(data, first)
    except Exception as err:
        raise _invalid_input(
            f"Failed to convert data `{_echo(data)}` to type `{first}` defined in the model "
            "signature."
        ) from err


def _convert(data: Any, spec: Any) -> Any:
    """Convert one column's (or one tensor's) JSON value to the spec's type."""
    from workbench.models._enforce_nested import enforce_value
    from workbench.types import AnyType, Array, ColSpec, DataType, TensorSpec

    try:
        if spec is None:
            return np.array(data)
        if isinstance(spec, TensorSpec):
            return np.array(data, dtype=spec.type)
        if isinstance(spec, ColSpec):
            if isinstance(spec.type, DataType):
                dtype = spec.type.to_numpy()
                if isinstance(data, (list, np.ndarray)):
                    return np.array(data, dtype)
                return np.array([data], dtype)[0]
            if isinstance(spec.type, AnyType):
                return data
            value = enforce_value(data, spec.type, spec.required)
            # an Array becomes an ndarray, as in MLflow (for models from before nested types)
            return np.array(value) if isinstance(spec.type, Array) else value
    except WorkbenchException as err:
        raise _invalid_input(_echo(err.message)) from err
    except Exception as err:
        raise _invalid_input(_echo(err)) from err
    raise _invalid_input(
        f"Failed to convert data type for data `{_echo(data)}` with spec `{spec}`."
    )

