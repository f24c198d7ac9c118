"""Inference parameters: :class:`ParamSpec`, :class:`ParamSchema` and the rules for their values.

A model may accept, besides its data, named parameters (``temperature=0.7``). Each one has a
type, a default and a shape: ``None`` for a scalar (or a dict, for an :class:`Object`), or
``(-1,)`` for a 1-D list. This module holds the one implementation of the rules a parameter
value is checked and converted by, :func:`validate_param_value` (with :func:`param_scalar`
for one scalar). :class:`ParamSpec` applies them to defaults and
``workbench.models`` to the params passed at inference. They are MLflow's
(``ParamSpec.validate_type_and_shape`` and ``mlflow.models.utils._enforce_param_datatype``),
messages included, so that a model sees the same Python values under both:

- the result is a Python built-in (``np.int32(3)`` becomes ``3``) or a ``datetime`` object;
- a value may widen: integer to long, float or double; long to float or double; float to double;
- a ``datetime`` accepts anything ``numpy.datetime64`` understands (ISO strings, dates);
- anything else (``"3"`` for a long, ``True`` for a long, ``1.5`` for a long) is refused;
- an Object value is checked against the Object's properties and returned unchanged.

With ``exact=True`` (what inference uses; see ``workbench.models._enforcement``) a value
that would reach the model changed is refused where MLflow changes it: an int a float cannot
hold exactly (``2**53 + 1`` for a double, which MLflow rounds), an int outside the range of
``integer`` (32 bits) or ``long`` (64 bits), and a datetime that is no date (``"NaT"``, which
MLflow turns into None). Defaults keep MLflow's rules exactly, so a signature written by
MLflow reads back with the same defaults.

Our messages start with MLflow's and add what to do; the lists of missing or unknown Object
properties are sorted (MLflow prints a set).

The JSON form of a spec is ``{"name", "default", "shape", "type"}`` in that order (an Object
adds ``"properties"``), with datetime defaults as ISO strings.
"""

from __future__ import annotations

import copy
import datetime as _dt
import json
import math
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from workbench.types._datatype import DataType
from workbench.types._errors import SpecTypeError, invalid
from workbench.types._nested import OBJECT_TYPE, AnyType, Array, Map, Object, Property

__all__ = [
    "ParamSchema",
    "ParamSpec",
    "check_object_keys",
    "param_scalar",
    "validate_param_value",
]

#: target type -> the types whose values may be converted to it (MLflow's table).
_WIDENING = {
    DataType.long: (DataType.integer,),
    DataType.float: (DataType.integer, DataType.long),
    DataType.double: (DataType.integer, DataType.long, DataType.float),
}

#: the values an integer type holds; checked only with ``exact`` (MLflow passes any int on).
_INT_RANGE = {
    DataType.integer: (-(2**31), 2**31 - 1),
    DataType.long: (-(2**63), 2**63 - 1),
}


def param_scalar(value: Any, dtype: DataType, *, exact: bool = False) -> Any:
    """Check one scalar parameter value against a DataType; return it as a Python value.

    Parameters
    ----------
    value : Any
        The value; None stays None.
    dtype : DataType
        The declared type (not ``binary``).
    exact : bool, default False
        Also refuse a value that would reach the model changed (see the module docstring);
        without it the rules are MLflow's exactly.

    Returns
    -------
    Any
        A Python ``bool``, ``int``, ``float`` or ``str``, a ``datetime.date`` or
        ``datetime.datetime``, or None.

    Raises
    ------
    WorkbenchException
        ``INVALID_PARAMETER_VALUE``, starting with MLflow's message for the same value.

    Examples
    --------
    >>> param_scalar(3, DataType.double)
    3.0
    >>> param_scalar("2020-01-02", DataType.datetime)
    datetime.date(2020, 1, 2)
    >>> param_scalar(2**53 + 1, DataType.double)       # MLflow's rule: rounded
    9007199254740992.0
    >>> param_scalar(2**53 + 1, DataType.double, exact=True)
    Traceback (most recent call last):
    ...
    workbench._exceptions.WorkbenchException: Can not safely convert `<class 'int'>` to `DataType.double` for value `9007199254740993`: it is not exactly representable as a float. ...
    """
    if value is None:
        return None
    if dtype is DataType.datetime:
        return _param_datetime(value, exact)
    if not np.isscalar(value):
        raise invalid(
            f"Value must be a scalar for type `{dtype}`, got `{value}`. Pass a single value, "
            "or declare the param with shape (-1,) for a list."
        )
    if not (
        DataType.check_type(dtype, value)
        or any(DataType.check_type(t, value) for t in _WIDENING.get(dtype, ()))
    ):
        raise invalid(
            f"Can not safely convert `{type(value)}` to `{dtype}` for value `{value}`. Pass a "
            f"{dtype.name} value."
        )
    try:
        converted = dtype.to_python()(value)  # cannot fail for a type check_type let through ...
    except OverflowError as e:  # ... but an int too large for a float
        raise invalid(
            f"{e}: `{value}` does not fit in a {dtype.name}; pass a smaller value."
        ) from e
    if exact:
        _check_exact(value, converted, dtype)
    return converted


def _param_datetime(value: Any, exact: bool) -> Any:
    dtype = DataType.datetime
    try:
        converted = np.datetime64(value).item()
    except (TypeError, ValueError, OverflowError) as e:
        raise invalid(
            f"Failed to convert value `{value}` from type `{type(value)}` to `{dtype}`: {e}. "
            "Pass a datetime, a date or an ISO 8601 string."
        ) from e
    if isinstance(converted, int) or (exact and not isinstance(converted, _dt.date)):
        # an int: nanosecond precision or a bare number; None: NaT
        raise invalid(
            f"Failed to convert value to `{dtype}`. It must be convertible to "
            f"datetime.date/datetime, got `{value}`. Pass a datetime, a date or an ISO 8601 "
            "string (at most microsecond precision)."
        )
    return converted


def _check_exact(value: Any, converted: Any, dtype: DataType) -> None:
    """Refuse an int that ``converted`` does not hold exactly (``exact`` rules only)."""
    if dtype in _INT_RANGE:
        low, high = _INT_RANGE[dtype]
        if not low <= converted <= high:
            wider = "long" if dtype is DataType.integer else "string and parse it in the model"
            raise invalid(
                f"Value `{value}` is outside the range of `{dtype.name}` ({low} to {high}); "
                f"pass a smaller value or declare the param as {wider}."
            )
    elif isinstance(value, (int, np.integer)) and converted != int(value):
        raise invalid(
            f"Can not safely convert `{type(value)}` to `{dtype}` for value `{value}`: it is "
            f"not exactly representable as a float. Pass it as a float yourself "
            f"({converted!r}) or declare the param as long."
        )


def _is_none_or_nan(value: Any) -> bool:
    return value is None or (isinstance(value, (float, np.floating)) and math.isnan(value))


def _check_json_scalar(value: Any, dtype: DataType, required: bool) -> None:
    """Check a scalar inside an Object parameter as MLflow's column enforcement would.

    MLflow checks these through a one-element pandas Series, so the rules are the ones for
    columns: a Python int is an int64 (fine for long and, if 0 or 1, for float and double; too
    wide for integer), a Python float a float64 (too wide for float) and so on.
    """
    import pandas as pd

    if not required and _is_none_or_nan(value):
        return
    if not np.isscalar(value):
        raise invalid(f"Expected a scalar, got {type(value).__name__}")
    _check_json_series(pd.Series([value]), dtype)


def _check_json_series(values: Any, dtype: DataType) -> None:
    """The column rules of :func:`_check_json_scalar`, applied to a whole pandas Series."""
    import pandas as pd

    if values.dtype == object and dtype not in (DataType.binary, DataType.string):
        values = values.infer_objects()
    kind = values.dtype.kind
    is_text = values.dtype == object or isinstance(values.dtype, pd.StringDtype)
    if dtype is DataType.string and is_text:
        return
    if dtype is DataType.binary and isinstance(values.dtype, pd.StringDtype):
        return
    if dtype.to_pandas() == values.dtype or dtype.to_numpy() == values.dtype:
        return
    if dtype is DataType.binary and kind == "S":
        return
    if dtype is DataType.datetime and (kind == "M" or values.dtype == object):
        try:
            values.astype(np.dtype("datetime64[ns]"))
            return
        except (TypeError, ValueError) as e:
            raise invalid(f"Failed to convert {values.tolist()!r} to a datetime: {e}") from e
    if dtype is DataType.boolean and values.dtype == object:
        return
    target = dtype.to_numpy()
    if kind == target.kind:
        widens = values.dtype.itemsize <= target.itemsize
    elif kind == "u" and target.kind == "i":
        widens = values.dtype.itemsize < target.itemsize
    elif kind in ("i", "u") and target == np.float64:
        widens = values.dtype.itemsize <= 6
    else:
        widens = False
    zero_or_one = (
        values.dtype == np.int64 and target.kind == "f" and bool(values.isin([0, 1]).all())
    )
    if not (widens or zero_or_one):
        raise invalid(f"Can not safely convert {values.dtype} to {target}")


def _check_json_value(value: Any, dtype: Any, required: bool = True) -> None:
    """Check a value against a (possibly nested) type, as MLflow's object enforcement does."""
    if isinstance(dtype, DataType):
        _check_json_scalar(value, dtype, required)
    elif isinstance(dtype, AnyType):
        return
    elif isinstance(dtype, Array):
        empty = value is None or (isinstance(value, (list, np.ndarray)) and len(value) == 0)
        if (not required or isinstance(dtype.dtype, AnyType)) and empty:
            return
        if not isinstance(value, (list, np.ndarray)):
            raise invalid(f"Expected a list or numpy array, got {type(value).__name__}")
        if isinstance(dtype.dtype, DataType):
            # MLflow checks a list of scalars as one pandas Series: None is a hole there, and
            # it turns a list of ints into float64 ([None, 0] is refused for long).
            import pandas as pd

            # Departure: MLflow's answer for an empty list among scalars depends on how numpy
            # happens to coerce the mix ([[], False] passes, [[], "x"] fails); we refuse it.
            if not all(_is_none_or_nan(i) or np.isscalar(i) for i in value):
                raise invalid(f"Expected a list of scalars for {dtype!r}, got {value!r}")
            if len(value):
                _check_json_series(pd.Series(list(value)), dtype.dtype)
            return
        for item in value:
            _check_json_value(item, dtype.dtype, required)
    elif isinstance(dtype, Map):
        if (not required or isinstance(dtype.value_type, AnyType)) and value in (None, {}):
            return
        if not isinstance(value, dict):
            raise invalid(f"Expected a dict, got {type(value).__name__}")
        if not all(isinstance(k, str) for k in value):
            raise invalid("Expected every key of a map to be a string")
        for item in value.values():
            _check_json_value(item, dtype.value_type, required)
    elif isinstance(dtype, Object):
        _check_object(value, dtype, required)
    else:  # pragma: no cover - types are checked when specs are built
        raise invalid(f"Invalid data type {dtype!r}")


def check_object_keys(value: Any, obj: Object) -> dict[str, Property]:
    """Refuse a value that is not a dict with every required property of ``obj`` and no other.

    The part of MLflow's ``_enforce_object`` that does not depend on how a property's value is
    checked, with MLflow's messages (and sorted key lists, where MLflow prints a set).

    Returns
    -------
    dict
        The Object's properties by name.

    Examples
    --------
    >>> from workbench.types import Object, Property
    >>> check_object_keys({"x": 1, "y": 2}, Object([Property("x", "long")]))
    Traceback (most recent call last):
    ...
    workbench._exceptions.WorkbenchException: Invalid properties not defined in the schema found: ['y']. ...
    """
    if not isinstance(value, dict):
        raise invalid(
            f"Failed to enforce schema of '{value}' with type '{obj}'. Expected data to be "
            f"dictionary, got {type(value).__name__}."
        )
    properties = {p.name: p for p in obj.properties}
    missing = sorted(name for name, p in properties.items() if p.required and name not in value)
    if missing:
        raise invalid(
            f"Missing required properties: {missing}. Add them, or declare them with "
            "required=False."
        )
    unknown = sorted(map(str, value.keys() - properties.keys()))
    if unknown:
        raise invalid(
            f"Invalid properties not defined in the schema found: {unknown}. Remove them, or "
            f"add them to the Object (it declares {sorted(properties)})."
        )
    return properties


def _check_object(value: Any, obj: Object, required: bool = True) -> None:
    """Check a dict against an Object as MLflow's ``_enforce_object`` does (MLflow's words)."""
    if not required and (value is None or value == {}):
        return
    properties = check_object_keys(value, obj)
    for key, item in value.items():
        prop = properties[key]
        try:
            _check_json_value(item, prop.dtype, prop.required)
        except Exception as e:
            detail = getattr(e, "message", None) or str(e)
            raise invalid(
                f"Failed to enforce schema for key `{key}`. Expected type "
                f"{prop.to_dict()[key]['type']}, received type {type(item).__name__}: {detail}"
            ) from e


def _is_1d(value: Any) -> bool:
    if not isinstance(value, (list, np.ndarray)):
        return False
    try:
        return np.asarray(value).ndim == 1
    except ValueError:  # ragged nested lists
        return False


def _ndim(value: Any) -> Any:
    try:
        return np.asarray(value).ndim
    except ValueError:
        return "ragged"


def validate_param_value(
    spec: str,
    value: Any,
    value_type: DataType | Object,
    shape: tuple[int, ...] | None,
    *,
    exact: bool = False,
    check_object: Callable[[Any, Object], Any] = _check_object,
) -> Any:
    """Check a parameter value's type and shape; return it converted.

    The one implementation behind :meth:`ParamSpec.validate_type_and_shape` (defaults,
    MLflow's rules) and the params enforcement of ``workbench.models`` (inference).

    Parameters
    ----------
    spec : str
        How to name the parameter in an error message (usually ``repr`` of the spec).
    value : Any
        The value to check.
    value_type : DataType or Object
        The expected type.
    shape : tuple or None
        None for a scalar or an Object's dict, ``(-1,)`` for a 1-D list.
    exact : bool, default False
        Refuse a scalar that would reach the model changed (see :func:`param_scalar`).
    check_object : callable, default MLflow's Object rules
        ``check_object(value, object_type)`` raises when a dict does not fit an Object; it is
        given a deep copy, and the value is returned as passed. The models layer passes its
        own Object enforcement (which this layer cannot import).

    Returns
    -------
    Any
        A Python scalar or ``datetime``, a list of them for shape ``(-1,)``, or the
        unchanged dict for an Object.

    Raises
    ------
    WorkbenchException
        With ``INVALID_PARAMETER_VALUE`` if the value does not fit; the message starts with
        MLflow's for the same value.

    Examples
    --------
    >>> validate_param_value("'k'", np.array([1, 2]), DataType.double, (-1,))
    [1.0, 2.0]
    >>> validate_param_value("'n'", 2**40, DataType.integer, None)
    1099511627776
    >>> validate_param_value("'n'", 2**40, DataType.integer, None, exact=True)
    Traceback (most recent call last):
    ...
    workbench._exceptions.WorkbenchException: Failed to validate type and shape for 'n', error: Value `1099511627776` is outside the range of `integer` (-2147483648 to 2147483647); ...
    """
    if not isinstance(value_type, (DataType, Object)):
        raise invalid(
            f"Expected the type of param {spec} to be a DataType or an Object, got "
            f"{value_type!r} of type {type(value_type).__name__}."
        )
    if shape is not None:
        shape = tuple(shape)
    if shape == (-1,) and not _is_1d(value):
        raise invalid(
            f"Value must be a 1D array with shape (-1,) for param {spec}, received "
            f"{type(value).__name__} with ndim {_ndim(value)}. Pass a list of scalars."
        )
    try:
        if shape is None:
            if isinstance(value_type, DataType):
                return param_scalar(value, value_type, exact=exact)
            # Checked on a copy, returned as given: models get the caller's types.
            check_object(copy.deepcopy(value), value_type)
            return value
        if shape == (-1,):
            if not isinstance(value_type, DataType):
                raise invalid(
                    f"a list of {value_type!r} is not supported (shape (-1,) needs a "
                    "DataType); use shape None for an Object parameter"
                )
            return [param_scalar(v, value_type, exact=exact) for v in value]
    except Exception as e:
        message = getattr(e, "message", None) or str(e)
        raise invalid(f"Failed to validate type and shape for {spec}, error: {message}") from e
    raise invalid(
        f"Shape must be None for scalar or dictionary value, or (-1,) for 1D array value for "
        f"ParamSpec {spec}, received {shape}."
    )


class ParamSpec:
    """One inference parameter: name, type, default and shape.

    Parameters
    ----------
    name : str
        The parameter name (converted with ``str``).
    dtype : DataType, Object or str
        The type; a string is a DataType name. ``binary`` is not allowed.
    default : Any
        The value used when the caller does not pass one; checked and converted like a
        passed value (see :meth:`validate_type_and_shape`). May be None for a scalar.
    shape : tuple, optional
        None for a scalar (or an Object's dict), ``(-1,)`` for a 1-D list.

    Examples
    --------
    >>> from workbench.types import ParamSpec
    >>> ParamSpec("temperature", "double", 1)       # an int widens to a double
    'temperature': double (default: 1.0)
    >>> ParamSpec("stop", "string", ["\\n"], shape=(-1,)).to_dict()
    {'name': 'stop', 'default': ['\\n'], 'shape': (-1,), 'type': 'string'}
    >>> ParamSpec("since", "datetime", "2024-05-01").to_dict()["default"]
    '2024-05-01'
    >>> ParamSpec("k", "long", "3")
    Traceback (most recent call last):
    ...
    workbench._exceptions.WorkbenchException: Failed to validate type and shape for 'k': long (default: 3), error: Can not safely convert `<class 'str'>` to `DataType.long` for value `3`. Pass a long value.
    """

    def __init__(
        self,
        name: str,
        dtype: DataType | Object | str,
        default: Any,
        shape: tuple[int, ...] | None = None,
    ) -> None:
        self._name = str(name)
        if shape is not None and not isinstance(shape, (tuple, list)):
            raise invalid(
                f"Expected the shape of ParamSpec {self._name!r} to be None or (-1,), got "
                f"{shape!r}."
            )
        self._shape = None if shape is None else tuple(shape)
        if isinstance(dtype, str):
            try:
                dtype = DataType[dtype]
            except KeyError:
                supported = [t.name for t in DataType if t is not DataType.binary]
                raise invalid(
                    f"Unsupported type {dtype!r} for ParamSpec {self._name!r}: expected a "
                    f"DataType, an Object or one of {supported}."
                ) from None
        if not isinstance(dtype, (DataType, Object)):
            raise SpecTypeError(
                f"Expected the dtype of ParamSpec {self._name!r} to be a DataType, an Object "
                f"or a type name, got {dtype!r} of type {type(dtype).__name__}."
            )
        if dtype is DataType.binary:
            raise invalid(
                f"ParamSpec {self._name!r} has dtype 'binary', which parameters do not "
                "support; pass bytes as a base64 'string' instead."
            )
        self._dtype = dtype
        self._default = default  # so that repr(self) works in the error message below
        self._default = self.validate_type_and_shape(repr(self), default, dtype, self._shape)

    @classmethod
    def validate_param_spec(cls, value: Any, param_spec: ParamSpec) -> Any:
        """Check ``value`` against ``param_spec`` and return it converted.

        Examples
        --------
        >>> spec = ParamSpec("k", "long", 3)
        >>> ParamSpec.validate_param_spec(np.int32(5), spec)
        5
        """
        return cls.validate_type_and_shape(
            repr(param_spec), value, param_spec.dtype, param_spec.shape
        )

    @classmethod
    def validate_type_and_shape(
        cls,
        spec: str,
        value: Any,
        value_type: DataType | Object,
        shape: tuple[int, ...] | None,
    ) -> Any:
        """Check that ``value`` has type ``value_type`` and shape ``shape``; return it converted.

        MLflow's rules exactly; the arguments, result and errors are those of
        :func:`validate_param_value` (with ``exact=False``).

        Examples
        --------
        >>> ParamSpec.validate_type_and_shape("'k'", np.array([1, 2]), DataType.double, (-1,))
        [1.0, 2.0]
        """
        return validate_param_value(spec, value, value_type, shape)

    @property
    def name(self) -> str:
        """The parameter name."""
        return self._name

    @property
    def dtype(self) -> DataType | Object:
        """The parameter type."""
        return self._dtype

    @property
    def default(self) -> Any:
        """The default value, already converted."""
        return self._default

    @property
    def shape(self) -> tuple[int, ...] | None:
        """None for a scalar, ``(-1,)`` for a 1-D list."""
        return self._shape

    def to_dict(self) -> dict[str, Any]:
        """Return ``{"name", "default", "shape", "type"}`` (plus ``"properties"`` for an Object)."""
        default = self._default
        if self._dtype is DataType.datetime:
            if self._shape is None:
                default = _isoformat(default)
            else:
                default = [_isoformat(v) for v in default]
        result: dict[str, Any] = {"name": self._name, "default": default, "shape": self._shape}
        if isinstance(self._dtype, DataType):
            result["type"] = self._dtype.name
        else:
            result.update(self._dtype.to_dict())
        return result

    @classmethod
    def from_json_dict(cls, **kwargs: Any) -> ParamSpec:
        """Read a dict written by :meth:`to_dict` (the old key ``dtype`` works for ``type``)."""
        if not ({"name", "default"} <= set(kwargs) and ("type" in kwargs or "dtype" in kwargs)):
            raise invalid(
                "Expected a ParamSpec dict with keys 'name', 'type' (or 'dtype') and "
                f"'default', got keys {sorted(kwargs)}."
            )
        type_name = kwargs.get("type") or kwargs.get("dtype")
        if type_name == OBJECT_TYPE:
            properties = kwargs.get("properties")
            dtype: Any = Object.from_json_dict(type=OBJECT_TYPE, properties=properties)
        else:
            dtype = type_name  # the constructor reads the name, with a message for params
        return cls(str(kwargs["name"]), dtype, kwargs["default"], kwargs.get("shape"))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ParamSpec):
            return False
        return (
            self.name == other.name
            and self.dtype == other.dtype
            and self.default == other.default
            and self.shape == other.shape
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        shape = "" if self._shape is None else f" (shape: {self._shape})"
        return f"{self._name!r}: {self._dtype!r} (default: {self._default}){shape}"


def _isoformat(value: Any) -> Any:
    # MLflow fails on a None datetime default; we keep None.
    return value.isoformat() if isinstance(value, (_dt.date, _dt.time)) else value


class ParamSchema:
    """The parameters a model accepts at inference: a list of :class:`ParamSpec`.

    Parameters
    ----------
    params : list of ParamSpec
        Names must be unique. May be empty.

    Examples
    --------
    >>> from workbench.types import ParamSchema, ParamSpec
    >>> schema = ParamSchema([ParamSpec("k", "long", 3), ParamSpec("tags", "string", ["a"], (-1,))])
    >>> schema.to_json()
    '[{"name": "k", "default": 3, "shape": null, "type": "long"}, {"name": "tags", "default": ["a"], "shape": [-1], "type": "string"}]'
    >>> ParamSchema.from_json(schema.to_json()) == schema
    True
    """

    def __init__(self, params: list[ParamSpec]) -> None:
        if not isinstance(params, (list, tuple)):
            raise invalid(
                f"Expected the params of a ParamSchema to be a list of ParamSpec, got "
                f"{type(params).__name__}."
            )
        wrong = [p for p in params if not isinstance(p, ParamSpec)]
        if wrong:
            raise invalid(
                f"Expected the params of a ParamSchema to be ParamSpec instances, got {wrong!r}."
            )
        seen: set[str] = set()
        duplicates = [p.name for p in params if p.name in seen or seen.add(p.name)]
        if duplicates:
            raise invalid(
                f"Duplicated parameters found in schema: {duplicates}; every parameter needs a "
                "unique name."
            )
        self._params = list(params)

    @property
    def params(self) -> list[ParamSpec]:
        """The ParamSpecs, in order."""
        return self._params

    def __len__(self) -> int:
        return len(self._params)

    def __iter__(self) -> Iterator[ParamSpec]:
        return iter(self._params)

    def to_dict(self) -> list[dict[str, Any]]:
        """Return the list of the specs' dicts."""
        return [p.to_dict() for p in self._params]

    def to_json(self) -> str:
        """Return the JSON string MLflow writes for this schema."""
        return json.dumps(self.to_dict())

    @classmethod
    def from_json(cls, json_str: str) -> ParamSchema:
        """Read a schema from the JSON written by :meth:`to_json` (ours or MLflow's)."""
        try:
            entries = json.loads(json_str)
        except (TypeError, ValueError) as e:
            raise invalid(
                f"Expected a ParamSchema as a JSON string, could not parse it: {e}"
            ) from e
        if not isinstance(entries, list) or not all(isinstance(x, dict) for x in entries):
            raise invalid(
                f"Expected a ParamSchema's JSON to be a list of objects, got {json_str!r}."
            )
        return cls([ParamSpec.from_json_dict(**x) for x in entries])

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ParamSchema) and self._params == other._params

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return repr(self._params)
