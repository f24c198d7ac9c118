"""Enforcement of inference parameters against a :class:`~workbench.types.ParamSchema`.

MLflow's rules (``mlflow.models.utils._enforce_params_schema``): params missing from the call
get their defaults; unknown params are dropped with a warning; params passed to a model
without a params schema are dropped with a warning; each known param must have its declared
type (ints are accepted for long, float and double, floats for double) and shape (``None``
for a scalar or an object, ``(-1,)`` for a 1-d list). Values come back as Python built-ins
(datetimes as ``datetime.date``/``datetime.datetime``).

Departures: an int that a float cannot hold exactly (``2**53 + 1`` for a double param) and
an int outside the range of ``integer`` (32 bits) or ``long`` (64 bits) are refused; MLflow
rounds the first and passes the others on.
"""

from __future__ import annotations

import copy
import datetime as _dt
import logging
from typing import Any

import numpy as np

from workbench.models._enforce_nested import enforce_value
from workbench.models._enforce_types import refuse
from workbench._exceptions import WorkbenchException
from workbench.types import DataType, Object

__all__ = ["enforce_param_datatype", "enforce_params_schema"]

_logger = logging.getLogger("workbench.models")

#: target -> the DataTypes whose values it also accepts (MLflow's table)
_WIDENING = {
    DataType.long: (DataType.integer,),
    DataType.float: (DataType.integer, DataType.long),
    DataType.double: (DataType.integer, DataType.long, DataType.float),
}

_INT_RANGE = {
    DataType.integer: (-(2**31), 2**31 - 1),
    DataType.long: (-(2**63), 2**63 - 1),
}


def _exact_type(dtype: DataType, value: Any) -> bool:
    return DataType.check_type(dtype, value)


def _check_int_range(value: int, dtype: DataType) -> None:
    low, high = _INT_RANGE[dtype]
    if not low <= value <= high:
        raise refuse(
            f"Value `{value}` is outside the range of `{dtype.name}` ({low} to {high}); pass a "
            "smaller value or declare the param as long (or double)."
        )


def enforce_param_datatype(value: Any, dtype: DataType) -> Any:
    """Check one param value against a DataType; return it as a Python value.

    Examples
    --------
    >>> from workbench.types import DataType
    >>> enforce_param_datatype(3, DataType.double)
    3.0
    >>> enforce_param_datatype("2020-01-02", DataType.datetime)
    datetime.date(2020, 1, 2)
    >>> enforce_param_datatype(2**53 + 1, DataType.double)
    Traceback (most recent call last):
    ...
    workbench._exceptions.WorkbenchException: Can not safely convert `<class 'int'>` to `DataType.double` for value `9007199254740993`: it is not exactly representable as a float. ...
    """
    if value is None:
        return None
    if dtype == DataType.datetime:
        try:
            converted = np.datetime64(value).item()
        except (ValueError, TypeError, OverflowError) as err:
            raise refuse(
                f"Failed to convert value `{value}` from type `{type(value)}` to `{dtype}`: "
                f"{err}. Pass a datetime, a date or an ISO 8601 string."
            ) from None
        if isinstance(converted, int) or not isinstance(converted, _dt.date):
            raise refuse(
                f"Failed to convert value to `{dtype}`. It must be convertible to "
                f"datetime.date/datetime, got `{value}`."
            )
        return converted
    if not np.isscalar(value):
        raise refuse(f"Value must be a scalar for type `{dtype}`, got `{value}`.")
    widened = dtype in _WIDENING and any(_exact_type(t, value) for t in _WIDENING[dtype])
    if not (_exact_type(dtype, value) or widened):
        raise refuse(
            f"Can not safely convert `{type(value)}` to `{dtype}` for value `{value}`. "
            f"Pass a {dtype.name} value."
        )
    python_type = dtype.to_python()
    if dtype in _INT_RANGE:
        _check_int_range(int(value), dtype)
        return int(value)
    if dtype in (DataType.float, DataType.double) and isinstance(value, (int, np.integer)):
        converted = float(value)
        if converted != int(value):
            raise refuse(
                f"Can not safely convert `{type(value)}` to `{dtype}` for value `{value}`: it "
                f"is not exactly representable as a float. Pass it as a float yourself "
                f"({converted!r}) or declare the param as long."
            )
        return converted
    return python_type(value)


def _ndim(value: Any) -> Any:
    try:
        return np.array(value, dtype=object).ndim if isinstance(value, list) else np.ndim(value)
    except (ValueError, TypeError):
        return "unknown"


def _is_1d(value: Any) -> bool:
    if isinstance(value, np.ndarray):
        return value.ndim == 1
    if not isinstance(value, list):
        return False
    try:
        return np.array(value).ndim == 1
    except (ValueError, TypeError):
        return False  # ragged nested lists


def _validate_param(value: Any, spec: Any) -> Any:
    shape = spec.shape
    if shape is not None and tuple(shape) == (-1,) and not _is_1d(value):
        raise refuse(
            f"Value must be a 1D array with shape (-1,) for param {spec!r}, received "
            f"{type(value).__name__} with ndim {_ndim(value)}"
        )
    try:
        if shape is None:
            if isinstance(spec.dtype, DataType):
                return enforce_param_datatype(value, spec.dtype)
            if isinstance(spec.dtype, Object):
                enforce_value(copy.deepcopy(value), spec.dtype)
                return value  # the model gets the value as passed
        elif tuple(shape) == (-1,):
            return [enforce_param_datatype(item, spec.dtype) for item in value]
    except WorkbenchException as err:
        raise refuse(f"Failed to validate type and shape for {spec!r}, error: {err.message}") from None
    raise refuse(
        "Shape must be None for scalar or dictionary value, or (-1,) for 1D array value for "
        f"ParamSpec {spec!r}, received {shape}."
    )


def enforce_params_schema(params: Any, schema: Any) -> Any:
    """Fill in defaults and check params against a ParamSchema (see the module docstring)."""
    from workbench.types import ParamSchema

    if schema is None:
        if params is None or (isinstance(params, dict) and not params):
            return params
        info = (
            f"Ignoring provided params: {list(params.keys())}"
            if isinstance(params, dict)
            else "Ignoring invalid params (not a dictionary)."
        )
        _logger.warning(
            "`params` can only be specified at inference time if the model signature defines "
            f"a params schema. This model does not define a params schema. {info}"
        )
        return {}
    params = {} if params is None else params
    if not isinstance(params, dict):
        raise refuse(f"Parameters must be a dictionary. Got type '{type(params).__name__}'.")
    if not isinstance(schema, ParamSchema):
        raise refuse(
            "Parameters schema must be an instance of ParamSchema. "
            f"Got type '{type(schema).__name__}'."
        )
    if any(not isinstance(key, str) for key in params):
        _logger.warning(
            "Keys in parameters should be of type `str`, but received non-string keys. "
            "Converting all keys to string..."
        )
        params = {str(key): value for key, value in params.items()}
    allowed = [spec.name for spec in schema.params]
    ignored = [key for key in params if key not in allowed]
    if ignored:
        _logger.warning(
            f"Unrecognized params {ignored} are ignored for inference. Supported params are: "
            f"{allowed}. To enable them, please add corresponding schema in ModelSignature."
        )
    result = {key: value for key, value in params.items() if key in allowed}
    invalid = []
    for spec in schema.params:
        if spec.name in result:
            try:
                result[spec.name] = _validate_param(result[spec.name], spec)
            except WorkbenchException as err:
                invalid.append((spec.name, err.message))
        else:
            result[spec.name] = copy.deepcopy(spec.default)
    if invalid:
        raise refuse(f"Invalid parameters found: {invalid!r}")
    return result
