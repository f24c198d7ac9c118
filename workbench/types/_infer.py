"""Infer a :class:`Schema` or a :class:`ParamSchema` from example data.

The twin of ``mlflow.types.utils._infer_schema`` and ``_infer_param_schema``: the same input
kinds give the same schema, so that a signature inferred here serialises to the JSON MLflow
would write for the same data. Enforcement and the scoring server reuse these functions.

How data maps to a schema:

=============================================  ==========================================
data                                           schema
=============================================  ==========================================
``pandas.DataFrame``                           one named ColSpec per column
``pandas.Series``                              one ColSpec, named after the series
``numpy.ndarray``                              one unnamed TensorSpec, first axis ``-1``
``scipy.sparse`` CSR / CSC matrix or array     one unnamed TensorSpec of the stored dtype
``{name: numpy.ndarray}``                      one named TensorSpec per entry
``{name: JSON value}``                         one named ColSpec per key (nested types)
``[{name: JSON value}, ...]``                  one named ColSpec per key seen in any row
``[scalar, ...]``                              one unnamed ColSpec of the element type
``[]``                                         one unnamed ``string`` ColSpec
scalar (int, float, str, bytes, bool, date)    one unnamed ColSpec
=============================================  ==========================================

A column is ``required: false`` when it holds a missing value (``None``, ``NaN``, ``pd.NA``,
``pd.NaT``; for a list of dicts, only a ``None`` value counts, as in MLflow). Nested JSON
values become :class:`Array` and :class:`Object` types; ``None`` and empty lists or dicts
become :class:`AnyType`. A :class:`Map` is never inferred (a dict is always an Object).

pandas and scipy are never imported here: if they are not already imported, the data cannot
be one of their objects, so the type checks look them up in ``sys.modules``.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import sys
import types
import typing
import warnings
from collections.abc import Iterable
from copy import deepcopy
from typing import Any

import numpy as np

from workbench._exceptions import INVALID_PARAMETER_VALUE, WorkbenchException
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

__all__ = [
    "InvalidDataForSignatureInferenceError",
    "convert_dataclass_to_schema",
    "_infer_datatype",
    "_infer_numpy_dtype",
    "_infer_pandas_column",
    "_infer_param_schema",
    "_infer_required",
    "_infer_schema",
    "_is_none_or_nan",
    "clean_tensor_type",
]

_MIXED_TYPES_HINT = (
    "Expected every non-null item of a list to have the same type. To accept a list whose "
    "items have different types, write the signature by hand with Array(AnyType())."
)

_ACCEPTED_KINDS = (
    "pandas.DataFrame, pandas.Series, numpy.ndarray, a dict of name -> numpy.ndarray, a "
    "scipy.sparse CSR or CSC matrix, a scalar (bool, int, float, str, bytes, datetime), a list "
    "of scalars, or a dict / list of dicts of JSON values"
)

# Exact Python and numpy scalar types and the DataType each one infers to. The lookup is by
# exact type, as in MLflow: bool is not an int here, and numpy's int16 is not supported.
_SCALAR_TYPES: dict[type, DataType] = {
    bool: DataType.boolean,
    np.bool_: DataType.boolean,
    int: DataType.long,
    np.int64: DataType.long,
    np.int32: DataType.integer,
    float: DataType.double,
    np.float64: DataType.double,
    np.float32: DataType.float,
    str: DataType.string,
    np.str_: DataType.string,
    object: DataType.string,
    bytes: DataType.binary,
    np.bytes_: DataType.binary,
    bytearray: DataType.binary,
}


class InvalidDataForSignatureInferenceError(WorkbenchException):
    """The data is of a kind that schema inference refuses outright (a pydantic model).

    ``infer_signature`` lets this error through, where it turns any other inference failure
    into an ``AnyType`` schema and a warning.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message, error_code=INVALID_PARAMETER_VALUE)


_invalid = WorkbenchException.invalid_parameter_value


def _short(value: Any, limit: int = 80) -> str:
    """``repr(value)``, cut to ``limit`` characters for error messages."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


# --------------------------------------------------------------------------- module lookups


def _pandas() -> Any:
    """The pandas module if it is imported, else None (then no value is a pandas object)."""
    return sys.modules.get("pandas")


def _is_pandas(value: Any, name: str) -> bool:
    pd = _pandas()
    return pd is not None and isinstance(value, getattr(pd, name))


def _is_sparse_matrix(value: Any) -> bool:
    """Tell whether ``value`` is a scipy CSR or CSC matrix (or sparse array)."""
    sparse = sys.modules.get("scipy.sparse")
    if sparse is None:
        return False
    kinds = tuple(
        getattr(sparse, name)
        for name in ("csr_matrix", "csc_matrix", "csr_array", "csc_array")
        if hasattr(sparse, name)
    )
    return isinstance(value, kinds)


def _is_pydantic_model(value: Any) -> bool:
    pydantic = sys.modules.get("pydantic")
    return pydantic is not None and isinstance(value, pydantic.BaseModel)


# --------------------------------------------------------------------------- missing values


def _is_none_or_nan(value: Any) -> bool:
    """Tell whether ``value`` is a missing scalar: None, a float NaN, ``pd.NA`` or ``pd.NaT``.

    Examples
    --------
    >>> _is_none_or_nan(None), _is_none_or_nan(float("nan")), _is_none_or_nan(0.0)
    (True, True, False)
    >>> _is_none_or_nan([None])  # a container is never missing itself
    False
    """
    if isinstance(value, float):
        return bool(np.isnan(value))
    if value is None:
        return True
    pd = _pandas()
    return pd is not None and (value is pd.NA or value is pd.NaT)


def _infer_required(values: Any) -> bool:
    """Tell whether a column (a list or a Series) or a single value has no missing value.

    Examples
    --------
    >>> _infer_required([1, 2]), _infer_required([1, None]), _infer_required(None)
    (True, False, False)
    """
    if isinstance(values, list) or _is_pandas(values, "Series"):
        return not any(_is_none_or_nan(v) for v in values)
    return not _is_none_or_nan(values)


# --------------------------------------------------------------------------- dtypes


def clean_tensor_type(dtype: np.dtype) -> np.dtype:
    """Drop the size of a flexible numpy dtype: ``<U5`` becomes ``str``, ``|S3`` ``bytes``.

    Examples
    --------
    >>> clean_tensor_type(np.dtype("<U5")), clean_tensor_type(np.dtype("int8"))
    (dtype('<U'), dtype('int8'))
    """
    if not isinstance(dtype, np.dtype):
        raise _invalid(
            f"Expected a numpy.dtype, got {type(dtype).__name__} ({_short(dtype)}). "
            "Pass the array's .dtype."
        )
    if dtype.char == "U":
        return np.dtype("str")
    if dtype.char == "S":
        return np.dtype("bytes")
    return dtype


def _infer_numpy_dtype(dtype: Any) -> DataType:
    """Map a numpy dtype or a pandas extension dtype to a :class:`DataType`.

    Integers of 32 bits or fewer (and unsigned ones under 32) are ``integer``; 64-bit signed
    and 32-bit unsigned are ``long``; floats of 32 bits or fewer are ``float``, 64-bit
    ``double``. Unsigned 64-bit, complex, timedelta and ``object`` dtypes are refused.

    Examples
    --------
    >>> _infer_numpy_dtype(np.dtype("int32")), _infer_numpy_dtype(np.dtype("uint32"))
    (integer, long)
    >>> _infer_numpy_dtype(np.dtype("float16")), _infer_numpy_dtype(np.dtype("<M8[ns]"))
    (float, datetime)
    """
    pd = _pandas()
    kinds: tuple[type, ...] = (np.dtype,)
    if pd is not None:
        kinds += (pd.api.extensions.ExtensionDtype,)
    if not isinstance(dtype, kinds):
        raise _invalid(
            f"Expected a numpy.dtype or a pandas extension dtype, got {type(dtype).__name__} "
            f"({_short(dtype)})."
        )
    kind, size = dtype.kind, dtype.itemsize
    if kind == "b":
        return DataType.boolean
    if kind in ("i", "u"):
        if size < 4 or (kind == "i" and size == 4):
            return DataType.integer
        if size < 8 or (kind == "i" and size == 8):
            return DataType.long
    elif kind == "f":
        if size <= 4:
            return DataType.float
        if size <= 8:
            return DataType.double
    elif kind == "U":
        return DataType.string
    elif kind == "S":
        return DataType.binary
    elif kind == "M":
        return DataType.datetime
    elif kind == "O":
        raise _invalid(
            f"Cannot infer a data type from the dtype {dtype} alone: an object column's type "
            "depends on its values. Infer it from the values (_infer_pandas_column)."
        )
    raise _invalid(
        f"Unsupported numpy dtype {str(dtype)!r} (kind {kind!r}). Expected a boolean, a signed "
        "integer, an unsigned integer of at most 32 bits, a float of at most 64 bits, a "
        "string, bytes or datetime64 dtype; cast the data to one of these."
    )


# --------------------------------------------------------------------------- values


def _infer_scalar_datatype(value: Any) -> DataType:
    """Map one scalar to a :class:`DataType`, by its exact type.

    Examples
    --------
    >>> [_infer_scalar_datatype(v) for v in (1, np.float32(1), b"x")]
    [long, float, binary]
    """
    found = _SCALAR_TYPES.get(type(value))
    if found is not None:
        return found
    if DataType.check_type(DataType.datetime, value):
        return DataType.datetime
    raise _invalid(
        f"Cannot infer a data type for {_short(value)} of type {type(value).__name__}. "
        "Expected bool, int, float, str, bytes, datetime.date / datetime.datetime, "
        "numpy.datetime64, or one of numpy's bool_, int32, int64, float32, float64, str_ and "
        "bytes_ scalars; convert the value to one of these."
    )


def _infer_datatype(value: Any) -> DataType | Array | Object | AnyType | None:
    """Infer the (possibly nested) type of one JSON-like value.

    A dict gives an :class:`Object` (a property holding None is optional), a list or an
    ndarray an :class:`Array`, a scalar a :class:`DataType`; None, NaN and an empty list or
    dict give :class:`AnyType`. An empty numpy array gives None (undetermined), which callers
    skip or refuse.

    Examples
    --------
    >>> _infer_datatype([[1, 2], []])
    Array(Array(long))
    >>> _infer_datatype({"a": "x", "b": None}).to_dict()["properties"]["b"]
    {'type': 'any', 'required': False}
    """
    if _is_pydantic_model(value):
        raise InvalidDataForSignatureInferenceError(
            "Cannot infer a signature from a pydantic object. Describe the input with a "
            "pydantic type hint on the model's predict method instead (for example "
            "`def predict(self, model_input: list[MyModel])`), or pass plain dicts."
        )
    if _is_none_or_nan(value) or (isinstance(value, (list, dict)) and not value):
        return AnyType()
    if isinstance(value, dict):
        properties = []
        for key, item in value.items():
            dtype = _infer_datatype(item)
            if dtype is None:
                raise _invalid(
                    f"Cannot infer a type for the key {key!r}: its value is an empty numpy "
                    "array. Give at least one element, or use a list."
                )
            properties.append(Property(key, dtype, required=not isinstance(dtype, AnyType)))
        return Object(properties)
    if isinstance(value, (list, np.ndarray)):
        return _infer_array_datatype(value)
    return _infer_scalar_datatype(value)


def _infer_array_datatype(values: Iterable[Any]) -> Array | None:
    """Infer the :class:`Array` type of a list or ndarray from its items.

    Items of undetermined type (empty numpy arrays) are skipped; missing items (AnyType) are
    compatible with any type; nested items are merged with ``_merge``, so a list of dicts
    with different keys gives an Object whose keys not in every dict are optional. Returns
    None when no item has a determined type.

    Examples
    --------
    >>> _infer_array_datatype(["a", None])
    Array(string)
    >>> _infer_array_datatype(np.array([]))
    """
    result: Array | None = None
    for item in values:
        dtype = _infer_datatype(item)
        if dtype is None:
            continue
        if result is None:
            result = Array(dtype)
        elif isinstance(result.dtype, (Array, Object, Map, AnyType)):
            try:
                result = Array(result.dtype._merge(dtype))
            except WorkbenchException as err:
                raise _invalid(
                    f"{_MIXED_TYPES_HINT} Found {result.dtype!r} and {dtype!r}: {err.message}"
                ) from err
        elif not isinstance(dtype, AnyType) and dtype != result.dtype:
            raise _invalid(f"{_MIXED_TYPES_HINT} Found {result.dtype!r} and {dtype!r}.")
    return result


def _infer_colspec_type(value: Any) -> DataType | Array | Object | AnyType:
    """:func:`_infer_datatype`, refusing an undetermined (empty numpy array) value."""
    dtype = _infer_datatype(value)
    if dtype is None:
        raise _invalid(
            f"Cannot infer a type from an empty numpy array ({_short(value)}). Give at least "
            "one element."
        )
    return dtype


def _infer_pandas_column(col: Any) -> DataType | Array | Object | AnyType:
    """Infer the type of one pandas column.

    Columns of a numeric, boolean, datetime or extension dtype map through their dtype
    (:func:`_infer_numpy_dtype`); object, string and categorical columns from their values,
    so a column of lists gives an :class:`Array` and a column of dicts an :class:`Object`.

    Examples
    --------
    >>> import pandas as pd
    >>> _infer_pandas_column(pd.Series([1, 2], dtype="int32"))
    integer
    >>> _infer_pandas_column(pd.Series([[1.5], [2.5, None]]))
    Array(double)
    """
    if not _is_pandas(col, "Series"):
        raise _invalid(
            f"Expected a pandas.Series, got {type(col).__name__}. (A DataFrame with duplicate "
            "column names gives a DataFrame for a column name: rename the duplicates.)"
        )
    if col.values.ndim > 1:
        raise _invalid(f"Expected a one-dimensional column, got one of shape {col.shape}.")
    if col.dtype.kind == "O":
        col = col.infer_objects()
    if col.dtype.kind != "O":
        return _infer_numpy_dtype(col.dtype)
    try:
        # The column's type is the item type of the list of its values.
        inferred = _infer_colspec_type(col.to_list())
        if not isinstance(inferred, Array):
            raise _invalid("the column has no value to infer a type from")
        return inferred.dtype
    except Exception as err:  # MLflow turns even the pydantic refusal into this error
        # An all-string column (pandas decides) stays a string column, as in MLflow.
        if _pandas().api.types.is_string_dtype(col):
            return DataType.string
        message = err.message if isinstance(err, WorkbenchException) else repr(err)
        raise _invalid(
            f"Cannot infer a type for the pandas column {col.name!r} of dtype {col.dtype}: "
            f"{message}"
        ) from err


def _get_tensor_shape(data: Any, variable_dimension: int | None = 0) -> tuple[int, ...]:
    """The shape of an array or sparse matrix, with ``variable_dimension`` set to ``-1``.

    Examples
    --------
    >>> _get_tensor_shape(np.zeros((3, 2)))
    (-1, 2)
    >>> _get_tensor_shape(np.zeros((3, 2)), variable_dimension=None)
    (3, 2)
    """
    if not (isinstance(data, np.ndarray) or _is_sparse_matrix(data)):
        raise _invalid(
            f"Expected a numpy.ndarray or a scipy CSR / CSC matrix, got {type(data).__name__}."
        )
    shape = list(data.shape)
    if variable_dimension is not None:
        if not -len(shape) <= variable_dimension < len(shape):
            raise _invalid(
                f"Cannot mark axis {variable_dimension} as variable: the array has "
                f"{len(shape)} dimension(s) (shape {tuple(shape)}). Pass an array with at least "
                "one dimension."
            )
        shape[variable_dimension] = -1
    return tuple(shape)


# --------------------------------------------------------------------------- schemas


def _infer_schema(data: Any) -> Schema:
    """Infer the :class:`Schema` of a dataset (see the module docstring for the kinds).

    Warns (``UserWarning``) when a column-based schema holds an integer column, because an
    integer column cannot hold a missing value at inference time.

    Parameters
    ----------
    data : DataFrame, Series, ndarray, sparse matrix, dict, list or scalar
        An example of the data.

    Returns
    -------
    Schema

    Raises
    ------
    WorkbenchException
        ``INVALID_PARAMETER_VALUE`` when the data is of an unsupported kind or type.

    Examples
    --------
    >>> import pandas as pd
    >>> _infer_schema(pd.DataFrame({"x": [1.0, None], "s": ["a", "b"]})).to_json()
    '[{"type": "double", "name": "x", "required": false},
     {"type": "string", "name": "s", "required": true}]'
    >>> _infer_schema(np.zeros((4, 3), dtype="float32")).to_json()
    '[{"type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1, 3]}}]'
    >>> _infer_schema([{"a": "x", "b": [1.5]}, {"a": "y"}]).to_json()
    '[{"type": "string", "name": "a", "required": true},
     {"type": "array", "items": {"type": "double"}, "name": "b", "required": false}]'
    """
    schema = _infer_schema_without_hint(data)
    if not schema.is_tensor_spec() and any(
        isinstance(t, DataType) and t in (DataType.integer, DataType.long)
        for t in schema.input_types()
    ):
        warnings.warn(
            "The inferred schema has integer column(s). Integers cannot represent missing "
            "values: if such a column holds a missing value at inference time it arrives as a "
            "float and fails schema enforcement. Infer the signature from data that includes "
            "the missing values, or declare the column as double if it may have any.",
            UserWarning,
            stacklevel=3,
        )
    return schema


def _infer_schema_without_hint(data: Any) -> Schema:
    # An empty list is a string column, as MLflow has done since 2.9 for compatibility.
    if isinstance(data, list) and data == []:
        return Schema([ColSpec(DataType.string)])
    if isinstance(data, list) and all(isinstance(row, dict) for row in data):
        return _infer_rows_schema(data)
    if isinstance(data, dict):
        if all(isinstance(v, np.ndarray) for v in data.values()):
            return Schema(
                [
                    TensorSpec(clean_tensor_type(array.dtype), _get_tensor_shape(array), name)
                    for name, array in data.items()
                ]
            )
        bad_keys = [key for key in data if not isinstance(key, str)]
        if bad_keys:
            raise _invalid(
                f"Expected every key of the dict to be a str, got {bad_keys!r}. Convert the "
                "keys to column names."
            )
        return Schema(
            [
                ColSpec(_infer_colspec_type(value), name, required=_infer_required(value))
                for name, value in data.items()
            ]
        )
    if _is_pandas(data, "Series"):
        return Schema(
            [
                ColSpec(
                    _infer_pandas_column(data),
                    getattr(data, "name", None),
                    required=_infer_required(data),
                )
            ]
        )
    if _is_pandas(data, "DataFrame"):
        return Schema(
            [
                ColSpec(
                    _infer_pandas_column(data[name]),
                    name,
                    required=_infer_required(data[name]),
                )
                for name in data.columns
            ]
        )
    if isinstance(data, np.ndarray):
        return Schema([TensorSpec(clean_tensor_type(data.dtype), _get_tensor_shape(data))])
    if _is_sparse_matrix(data):
        return Schema([TensorSpec(clean_tensor_type(data.data.dtype), _get_tensor_shape(data))])
    if isinstance(data, list):
        # A list of scalars is one unnamed column; unnamed columns are always required.
        return Schema([ColSpec(_infer_colspec_type(data).dtype)])
    try:
        return Schema([ColSpec(_infer_colspec_type(data))])
    except WorkbenchException as err:  # the pydantic refusal too, as in MLflow
        raise _invalid(
            f"Cannot infer a schema from {_short(data)} of type {type(data).__name__}. "
            f"Expected {_ACCEPTED_KINDS}. ({err.message})"
        ) from err


def _infer_rows_schema(rows: list[dict[str, Any]]) -> Schema:
    """One ColSpec per key seen in any row, in order of first appearance.

    A key is required when every row has it and no row holds None for it (a NaN does not
    make it optional, as in MLflow).
    """
    columns: dict[Any, list[Any]] = {}
    for row in rows:
        for key, value in row.items():
            columns.setdefault(key, []).append(value)
    specs = []
    for name, values in columns.items():
        required = all(row.get(name) is not None for row in rows)
        specs.append(ColSpec(_infer_colspec_type(values).dtype, name, required=required))
    return Schema(specs)


# --------------------------------------------------------------------------- params


def _array_depth(value: Any) -> int:
    if isinstance(value, np.ndarray):
        return value.ndim
    if isinstance(value, list):
        return 1 + max((_array_depth(item) for item in value), default=0)
    return 0


def _infer_param_type_and_shape(value: Any) -> tuple[DataType | Object, tuple[int] | None]:
    """The (type, shape) of one parameter's default value.

    A list or 1-D ndarray has shape ``(-1,)`` and the numpy type of its items (an empty list
    is a list of datetimes, as in MLflow); a scalar or a date has shape None; a dict is an
    :class:`Object`.
    """
    is_datetime = lambda v: DataType.check_type(DataType.datetime, v)  # noqa: E731
    if isinstance(value, (list, np.ndarray)):
        depth = _array_depth(value)
        if depth != 1:
            raise _invalid(
                f"Expected a scalar, a dict or a one-dimensional list, got a {depth}-D array. "
                "Flatten the list or pass it as a JSON string."
            )
        if all(is_datetime(v) for v in value):
            return DataType.datetime, (-1,)
        return _infer_numpy_dtype(np.array(value).dtype), (-1,)
    if is_datetime(value):
        return DataType.datetime, None
    if np.isscalar(value):
        return _infer_numpy_dtype(np.array(value).dtype), None
    if isinstance(value, dict):
        return _infer_colspec_type(value), None
    raise _invalid(
        f"Expected a scalar, a dict or a one-dimensional list, got {type(value).__name__}."
    )


def _infer_param_schema(parameters: dict[str, Any]) -> ParamSchema:
    """Infer a :class:`ParamSchema` from a dict of parameter names and default values.

    Each value becomes a :class:`ParamSpec` whose default is (a copy of) the value: scalars
    have shape None, lists shape ``(-1,)``, dicts an :class:`Object` type.

    Raises
    ------
    WorkbenchException
        ``INVALID_PARAMETER_VALUE`` if ``parameters`` is not a dict, or naming every
        parameter whose type cannot be inferred (None, nested lists, tuples, bytes, ...).

    Examples
    --------
    >>> _infer_param_schema({"k": 5, "names": ["a", "b"]}).to_json()
    '[{"name": "k", "default": 5, "shape": null, "type": "long"},
     {"name": "names", "default": ["a", "b"], "shape": [-1], "type": "string"}]'
    """
    if not isinstance(parameters, dict):
        raise _invalid(
            f"Expected params to be a dict of parameter names and values, got "
            f"{type(parameters).__name__}."
        )
    specs = []
    problems = []
    for name, value in parameters.items():
        try:
            dtype, shape = _infer_param_type_and_shape(value)
            specs.append(ParamSpec(name, dtype, deepcopy(value), shape))
        except Exception as err:  # collect every bad parameter before raising
            reason = err.message if isinstance(err, WorkbenchException) else str(err)
            problems.append(f"{name!r} = {_short(value, 60)}: {reason}")
    if problems:
        listing = "\n".join(f"- {p}" for p in problems)
        raise _invalid(
            "Cannot infer a schema for these parameters:\n"
            f"{listing}\n"
            "Each parameter must be a scalar (bool, int, float, str, datetime), a "
            "one-dimensional list of one scalar type, or a dict of JSON values."
        )
    return ParamSchema(specs)


# --------------------------------------------------------------------------- dataclasses

# The Python annotation types a dataclass field may use, and their DataType. ``float`` is a
# 32-bit ``float`` and ``int`` a 64-bit ``long``, as in MLflow.
_FIELD_TYPES: dict[Any, DataType] = {
    bool: DataType.boolean,
    int: DataType.long,
    float: DataType.float,
    str: DataType.string,
    bytes: DataType.binary,
    _dt.date: DataType.datetime,
    _dt.datetime: DataType.datetime,
}


def _dataclass_hints(cls: Any) -> dict[str, Any]:
    """The resolved annotation of every field of a dataclass (or instance), in field order."""
    klass = cls if isinstance(cls, type) else type(cls)
    try:
        hints = typing.get_type_hints(klass)
    except Exception as err:
        raise _invalid(
            f"Cannot resolve the type hints of the dataclass {klass.__name__}: {err!r}. Make "
            "every annotation importable from the dataclass's module."
        ) from err
    return {f.name: hints.get(f.name, f.type) for f in dataclasses.fields(klass)}


def _dataclass_field_type(annotation: Any, where: str) -> tuple[Any, bool]:
    """The (schema type, required) of one dataclass field annotation."""
    required = True
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        members = typing.get_args(annotation)
        if type(None) not in members or len(members) != 2:
            raise _invalid(
                f"Unsupported type {annotation} for {where}: the only union allowed is "
                "Optional[X] (X | None)."
            )
        required = False
        annotation = next(m for m in members if m is not type(None))
    if typing.get_origin(annotation) is list:
        (item,) = typing.get_args(annotation) or (None,)
        if item is None:
            raise _invalid(f"Unsupported type list for {where}: say what it holds, list[str].")
        item_type, _ = _dataclass_field_type(item, f"the items of {where}")
        return Array(item_type), required
    if dataclasses.is_dataclass(annotation):
        return _dataclass_object(annotation), required
    found = _FIELD_TYPES.get(annotation)
    if found is None:
        raise _invalid(
            f"Unsupported type {annotation!r} for {where}. Expected bool, int, float, str, "
            "bytes, datetime.date, datetime.datetime, a dataclass, list[...] of one of these, "
            "or Optional[...] of one of these."
        )
    return found, required


def _dataclass_object(cls: Any) -> Object:
    return Object(
        [
            Property(name, *_dataclass_field_type(hint, f"field {name!r} of {cls.__name__}"))
            for name, hint in _dataclass_hints(cls).items()
        ]
    )


def convert_dataclass_to_schema(dataclass: Any) -> Schema:
    """Build the :class:`Schema` that a dataclass (or an instance of one) describes.

    Each field becomes a named ColSpec (``Optional`` fields are optional); nested dataclasses
    become :class:`Object` types and ``list[...]`` fields :class:`Array` types.

    Examples
    --------
    >>> from dataclasses import dataclass
    >>> @dataclass
    ... class Point:
    ...     x: float
    ...     tags: list[str]
    ...     label: str | None = None
    >>> convert_dataclass_to_schema(Point).to_json()
    '[{"type": "float", "name": "x", "required": true},
     {"type": "array", "items": {"type": "string"}, "name": "tags", "required": true},
     {"type": "string", "name": "label", "required": false}]'
    """
    if not dataclasses.is_dataclass(dataclass):
        raise _invalid(
            f"Expected a dataclass or an instance of one, got {type(dataclass).__name__}."
        )
    name = dataclass.__name__ if isinstance(dataclass, type) else type(dataclass).__name__
    specs = []
    for field, hint in _dataclass_hints(dataclass).items():
        dtype, required = _dataclass_field_type(hint, f"field {field!r} of {name}")
        specs.append(ColSpec(dtype, field, required=required))
    return Schema(specs)
