"""Enforcement of nested values: Array, Object, Map and AnyType columns and properties.

Each value of a nested column is checked on its own (a column of lists is a Python object
column; there is no vectorised form of it), following MLflow's ``_enforce_type`` rules:

- an Array takes a list or a 1-d numpy array; its elements are checked as one small column
  (so ``[1, 2]`` is int64 and ``[1.5, 2]`` is float64, as pandas reads them), and come back
  as a list of Python values (or a numpy array if an array came in);
- an Object takes a dict with every required property and no unknown one;
- a Map takes a dict with string keys;
- AnyType takes anything;
- an optional value (``required=False``) may be None, NaN or empty.

The input is never mutated: Objects and Maps come back as new dicts.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from workbench.models._enforce_types import enforce_column, enforce_scalar, refuse
from workbench._exceptions import WorkbenchException
from workbench.types import AnyType, Array, DataType, Map, Object
from workbench.types._params import check_object_keys

__all__ = ["enforce_value", "is_missing"]


def is_missing(value: Any) -> bool:
    """True for None, NaN, pandas.NA and NaT (scalars only, never for a list)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, (float, np.floating)) and bool(np.isnan(value))


def _describe(dtype: Any) -> str:
    try:
        return dtype.to_dict()["type"] if not isinstance(dtype, DataType) else dtype.name
    except Exception:  # noqa: BLE001 - only used to word a message
        return repr(dtype)


def _enforce_datatype(value: Any, dtype: DataType, required: bool) -> Any:
    if not required and is_missing(value):
        return None
    return enforce_scalar(value, dtype)


_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1


def _accept_plain_list(data: Any, target: str) -> Any:
    """Fast path for the common case, a list of one Python scalar type (JSON input).

    Returns the enforced list when the list is accepted as it is, or None to let the general
    path decide (and word any refusal); the decision is the one that path would take.
    """
    if not isinstance(data, list):
        return None
    kinds = set(map(type, data))
    if len(kinds) != 1:
        return None
    kind = kinds.pop()
    if kind is str and target == "string":
        return data
    if kind is bool and target == "boolean":
        return list(data)
    if kind is float and target == "double":
        return list(data)
    if kind is int and target in ("long", "double", "float"):
        if not (_INT64_MIN <= min(data) and max(data) <= _INT64_MAX):
            return None
        if target == "long":
            return list(data)
        if all(v in (0, 1) for v in data):  # int64 becomes float only when all are 0 or 1
            return [float(v) for v in data]
    return None


def _enforce_array_of_datatype(data: Any, dtype: DataType) -> Any:
    fast = _accept_plain_list(data, dtype.name)
    if fast is not None:
        return fast
    array = np.asarray(data) if isinstance(data, np.ndarray) else None
    if array is not None and array.ndim != 1:
        raise refuse(
            f"Expected a 1-d list or numpy array for an Array of {dtype.name}, got a numpy "
            f"array of shape {array.shape}."
        )
    column = pd.Series(data if array is None else array)
    target = dtype.name
    if target in ("string", "binary"):
        # MLflow turns these through numpy's str/bytes dtypes, which rewrites non-text
        # elements (None becomes 'None' or 'n'); we check the elements and keep them as they are.
        allowed = (str,) if target == "string" else (bytes, bytearray, str, np.bytes_)
        ok = column.map(lambda v: isinstance(v, allowed)).to_numpy(dtype=bool)
        if not ok.all():
            bad = column.iloc[int(np.flatnonzero(~ok)[0])]
            raise refuse(
                f"Expected every element of an Array of {target} to be "
                f"{'a str' if target == 'string' else 'bytes'}, got {bad!r} of type "
                f"{type(bad).__name__}. Drop or fill missing elements first."
            )
        return data
    enforced = enforce_column("", column, dtype)
    if target == "boolean" and enforced.dtype != np.bool_:
        bad = column[column.isna()].iloc[0]
        raise refuse(
            f"Expected every element of an Array of boolean to be True or False, got {bad!r}; "
            "a missing element cannot be passed on as a boolean. Drop or fill it first."
        )
    if target == "datetime":
        return enforced.to_numpy() if array is not None else list(enforced)
    converted = enforced.to_numpy(dtype=dtype.to_numpy())
    return converted if array is not None else converted.tolist()


def _enforce_array(data: Any, arr: Array, required: bool) -> Any:
    if not required or isinstance(arr.dtype, AnyType):
        if data is None or (isinstance(data, (list, np.ndarray)) and len(data) == 0):
            return data
    if not required and is_missing(data):
        return data
    if not isinstance(data, (list, np.ndarray)):
        raise refuse(f"Expected data to be list or numpy array, got {type(data).__name__}.")
    if len(data) == 0:
        return data
    if isinstance(arr.dtype, DataType):
        return _enforce_array_of_datatype(data, arr.dtype)
    items = [enforce_value(item, arr.dtype, required=required) for item in data]
    return np.array(items) if isinstance(data, np.ndarray) else items


def _enforce_object(data: Any, obj: Object, required: bool) -> Any:
    if not required and (is_missing(data) or (isinstance(data, dict) and not data)):
        return data
    properties = check_object_keys(data, obj)
    result = {}
    for key, value in data.items():
        prop = properties[key]
        try:
            result[key] = enforce_value(value, prop.dtype, required=prop.required)
        except WorkbenchException as err:
            raise refuse(
                f"Failed to enforce schema for key `{key}`. Expected type "
                f"{_describe(prop.dtype)}, received type {type(value).__name__}: {err.message}"
            ) from None
    return result


def _enforce_map(data: Any, map_type: Map, required: bool) -> Any:
    if (not required or isinstance(map_type.value_type, AnyType)) and (
        data is None or (isinstance(data, dict) and not data)
    ):
        return data
    if not required and is_missing(data):
        return data
    if not isinstance(data, dict):
        raise refuse(f"Expected data to be a dict, got {type(data).__name__}.")
    if not all(isinstance(key, str) for key in data):
        raise refuse(
            "Expected all keys in the map type data are string type; got keys "
            f"{[k for k in data if not isinstance(k, str)][:5]!r}."
        )
    return {
        key: enforce_value(value, map_type.value_type, required=required)
        for key, value in data.items()
    }


def enforce_value(data: Any, dtype: Any, required: bool = True) -> Any:
    """Check one value against a (possibly nested) type and return it converted.

    Examples
    --------
    >>> from workbench.types import Array, DataType, Object, Property
    >>> enforce_value([1, 2], Array(DataType.long))
    [1, 2]
    >>> enforce_value({"x": 1.5}, Object([Property("x", DataType.double)]))
    {'x': np.float64(1.5)}
    """
    if isinstance(dtype, DataType):
        return _enforce_datatype(data, dtype, required)
    if isinstance(dtype, Array):
        return _enforce_array(data, dtype, required)
    if isinstance(dtype, Object):
        return _enforce_object(data, dtype, required)
    if isinstance(dtype, Map):
        return _enforce_map(data, dtype, required)
    if isinstance(dtype, AnyType):
        return data
    raise refuse(f"Invalid data type: {dtype!r}.")
