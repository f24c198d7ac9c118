"""Enforcement of inference parameters against a :class:`~workbench.types.ParamSchema`.

MLflow's rules (``mlflow.models.utils._enforce_params_schema``): params missing from the call
get their defaults (copies); unknown params are dropped with a warning; params passed to a
model without a params schema are dropped with a warning; each known param is checked and
converted by the same rules as a :class:`~workbench.types.ParamSpec` default
(:func:`workbench.types._params.validate_param_value`, the one implementation of them).

Two things differ from the rules of defaults, both on purpose:

- ``exact=True``: a value that would reach the model changed is refused, where MLflow
  rounds an int into a float (``2**53 + 1`` for a double), passes an int outside the range
  of ``integer`` (32 bits) or ``long`` (64 bits) on, or turns ``"NaT"`` into None;
- an Object param is checked by this layer's Object enforcement
  (:func:`workbench.models._enforce_nested.enforce_value`), the rules model input gets, with
  their departures (datetime strings parse; missing elements of string arrays are refused).

The ``Invalid parameters found`` message lists the params in schema order (MLflow's is a set).
"""

from __future__ import annotations

import copy
import logging
from typing import Any

from workbench._exceptions import WorkbenchException
from workbench.models._enforce_nested import enforce_value
from workbench.models._enforce_types import refuse
from workbench.types import DataType, ParamSchema
from workbench.types._params import param_scalar, validate_param_value

__all__ = ["enforce_param_datatype", "enforce_params_schema"]

_logger = logging.getLogger("workbench.models")


def enforce_param_datatype(value: Any, dtype: DataType) -> Any:
    """Check one param value against a DataType; return it as a Python value.

    MLflow's ``_enforce_param_datatype`` with the ``exact`` rules of inference; a thin name
    over :func:`workbench.types._params.param_scalar`.

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
    return param_scalar(value, dtype, exact=True)


def _validate_param(value: Any, spec: Any) -> Any:
    return validate_param_value(
        repr(spec), value, spec.dtype, spec.shape, exact=True, check_object=enforce_value
    )


def enforce_params_schema(params: Any, schema: Any) -> Any:
    """Fill in defaults and check params against a ParamSchema (see the module docstring).

    Examples
    --------
    >>> from workbench.types import ParamSpec
    >>> schema = ParamSchema(
    ...     [ParamSpec("n", "integer", 1), ParamSpec("stop", "string", ["x"], (-1,))]
    ... )
    >>> enforce_params_schema({"n": 2**40}, schema)
    Traceback (most recent call last):
    ...
    workbench._exceptions.WorkbenchException: Invalid parameters found: [('n', "Failed to validate type and shape for 'n': integer (default: 1), error: Value `1099511627776` is outside the range of `integer` ...
    >>> enforce_params_schema({"n": 3}, schema)
    {'n': 3, 'stop': ['x']}
    """
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
