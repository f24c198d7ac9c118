"""Safe conversion of one column (or one scalar) to a :class:`~workbench.types.DataType`.

This is the hot path of schema enforcement: evaluation and the scoring server push millions
of rows through :func:`enforce_column`, so every check on a scalar column is a vectorised
numpy/pandas operation; Python-level loops run only on the error path (to name the first
bad value) and for values nested in Array/Object/Map columns (see ``_enforce_nested``).

The conversion rules are MLflow's (``mlflow.models.utils._enforce_mlflow_datatype``):

========================  ==============================================================
target                    accepted input, converted with ``astype`` where needed
========================  ==============================================================
boolean                   bool; object columns holding only booleans and missing values
integer / long            signed ints no wider than the target, unsigned ints narrower
                          than it
float / double            floats no wider than the target; ints of at most 4 bytes into
                          double; int64 into float/double only if every value is 0 or 1
string                    object and pandas string columns, unchanged
binary                    object, pandas string and numpy bytes columns, unchanged
datetime                  datetime64 of any unit (made nanosecond), strings, dates
========================  ==============================================================

Everything else is refused with ``Incompatible input types for column <name>. Can not safely
convert <from> to <to>.``; floats into an integer column that holds missing values get the
missing-values hint users know from MLflow. Where MLflow would silently change a value we
refuse instead (the departures are listed in ``workbench.models._enforcement``).
"""

from __future__ import annotations

import datetime as _dt
import warnings
from typing import Any

import numpy as np
import pandas as pd

from workbench._exceptions import INVALID_PARAMETER_VALUE, WorkbenchException
from workbench.types import DataType

__all__ = ["enforce_column", "enforce_scalar", "refuse"]

_NUMERIC_TARGETS = {
    "integer": np.dtype("int32"),
    "long": np.dtype("int64"),
    "float": np.dtype("float32"),
    "double": np.dtype("float64"),
}

_NUMERIC_NAMES = {dtype: name for name, dtype in _NUMERIC_TARGETS.items()}

#: The dtype named in messages, as MLflow prints ``DataType.to_numpy()``.
_TARGET_LABEL = {
    "boolean": "bool",
    "integer": "int32",
    "long": "int64",
    "float": "float32",
    "double": "float64",
    "string": str(np.dtype("str")),
    "binary": str(np.dtype("bytes")),
    "datetime": "datetime64[ns]",
}

_MISSING_VALUES_HINT = (
    " Hint: the type mismatch is likely caused by missing values. Integer columns in python "
    "can not represent missing values and are therefore encoded as floats. Infer the "
    "signature from a data sample that contains the missing values (the column then becomes "
    "double), or declare the column as double yourself; see 'Handling Integers With Missing "
    "Values' in the MLflow models documentation."
)

_DATETIME_INFERRED = frozenset({"string", "datetime", "datetime64", "date", "mixed"})
_DATETIME_SCALARS = (str, _dt.date, np.datetime64)


def refuse(message: str) -> WorkbenchException:
    """Build the ``INVALID_PARAMETER_VALUE`` error that enforcement raises."""
    return WorkbenchException(message, error_code=INVALID_PARAMETER_VALUE)


def _incompatible(name: Any, src: Any, target: str, hint: str = "") -> WorkbenchException:
    advice = hint or (
        " Convert the column before scoring, or declare the type it really has in the model "
        "signature."
    )
    return refuse(
        f"Incompatible input types for column {name}. Can not safely convert {src} to "
        f"{target}.{advice}"
    )


def _first_bad(values: pd.Series, bad: Any) -> tuple[Any, Any]:
    """Return (index label, value) of the first row where ``bad`` is true (error path only)."""
    position = int(np.flatnonzero(np.asarray(bad, dtype=bool))[0])
    return values.index[position], values.iloc[position]


def _is_pandas_string(dtype: Any) -> bool:
    return isinstance(dtype, pd.StringDtype)


def _is_masked_numeric(dtype: Any) -> bool:
    """Pandas' nullable Int*/UInt*/Float* dtypes."""
    return isinstance(dtype, pd.api.extensions.ExtensionDtype) and isinstance(
        getattr(dtype, "numpy_dtype", None), np.dtype
    ) and dtype.numpy_dtype.kind in "iuf" and not isinstance(dtype, pd.StringDtype)


# --------------------------------------------------------------------------- numbers


def _numeric_rule(src: np.dtype, target: np.dtype) -> str:
    """MLflow's widening rule: ``"cast"``, ``"zero_one"`` (int64 -> float) or ``"refuse"``."""
    if src == target:
        return "cast"
    if src.kind == target.kind and src.kind in "iuf":
        return "cast" if src.itemsize <= target.itemsize else "refuse"
    if src.kind == "u" and target.kind == "i":
        return "cast" if src.itemsize < target.itemsize else "refuse"
    if src.kind in "iu" and target == np.float64 and src.itemsize <= 4:
        return "cast"
    if src == np.int64 and target.kind == "f":
        return "zero_one"
    return "refuse"


def _float_to_int_hint(values: np.ndarray) -> str:
    """MLflow's missing-values hint: floats with NaNs whose other values are all whole."""
    missing = np.isnan(values)
    if not missing.any():
        return ""
    rest = values[~missing]
    if np.all(np.isfinite(rest) & (np.floor(rest) == rest)):
        return _MISSING_VALUES_HINT
    return ""


def _to_number(name: Any, values: pd.Series, target: np.dtype) -> pd.Series:
    src = values.dtype
    if _is_masked_numeric(src):
        missing = values.isna().to_numpy()
        if missing.any() and target.kind in "iu":
            index, _ = _first_bad(values, missing)
            raise refuse(
                f"Incompatible input types for column {name}. The column holds a missing "
                f"value (at index {index!r}) but the signature declares "
                f"{_NUMERIC_NAMES[target]} ({target}), which cannot represent missing values."
                + _MISSING_VALUES_HINT
            )
        numpy_src = src.numpy_dtype
        rule = _numeric_rule(numpy_src, target)
        if rule == "zero_one":
            present = values[~missing].to_numpy(dtype=numpy_src)
            rule = "cast" if bool(np.isin(present, (0, 1)).all()) else "refuse"
        if rule == "refuse":
            raise _incompatible(name, src, str(target))
        data = values.to_numpy(dtype=target, na_value=np.nan if target.kind == "f" else None)
        return pd.Series(data, index=values.index, name=values.name)
    if not isinstance(src, np.dtype) or src.kind not in "iuf":
        raise _incompatible(name, src, str(target))
    rule = _numeric_rule(src, target)
    if rule == "zero_one":
        array = values.to_numpy()
        rule = "cast" if bool(((array == 0) | (array == 1)).all()) else "refuse"
    if rule == "cast":
        return values if src == target else values.astype(target)
    hint = ""
    if src.kind == "f" and target.kind in "iu":
        hint = _float_to_int_hint(values.to_numpy(dtype=np.float64))
    raise _incompatible(name, src, str(target), hint)


def _check_objects_became_exact_floats(name: Any, original: pd.Series, inferred: pd.Series) -> None:
    """``infer_objects`` turns ``[2**53 + 1, None]`` into floats; refuse if a value changed."""
    present = original.notna().to_numpy()
    before = original.to_numpy(dtype=object)[present]
    after = inferred.to_numpy(dtype=object)[present]
    changed = before != after
    if changed.any():
        position = int(np.flatnonzero(changed)[0])
        raise refuse(
            f"Incompatible input types for column {name}. The value {before[position]!r} "
            f"cannot be represented exactly as {inferred.dtype}: it would become "
            f"{after[position]!r}. Pass the column as int64 (without missing values) or "
            "declare it as long."
        )


# --------------------------------------------------------------------------- booleans


def _to_boolean(name: Any, values: pd.Series) -> pd.Series:
    src = values.dtype
    if src == np.bool_:
        return values
    if isinstance(src, pd.BooleanDtype):
        # Nullable booleans: the model gets them as they are when values are missing, as
        # MLflow does for object columns of booleans and None.
        return values.astype(bool) if not values.isna().any() else values
    if src == object:
        kind = pd.api.types.infer_dtype(values, skipna=True)
        if kind in ("boolean", "empty"):
            return values
        bad = values.notna().to_numpy() & ~values.map(
            lambda v: isinstance(v, (bool, np.bool_))
        ).to_numpy(dtype=bool)
        index, value = _first_bad(values, bad)
        raise refuse(
            f"Incompatible input types for column {name}. Expected boolean values (True, "
            f"False or a missing value), got {value!r} of type {type(value).__name__} at "
            f"index {index!r}. workbench does not pass non-boolean values to the model as "
            "booleans; map them to True/False first"
            + (f", e.g. df[{name!r}].map({{'yes': True, 'no': False}})." if name != "" else ".")
        )
    raise _incompatible(name, src, "bool")


# --------------------------------------------------------------------------- datetimes


def _tz_refusal(name: Any, detail: str = "") -> WorkbenchException:
    return refuse(
        f"Incompatible input types for column {name}. Please ensure that the input data of "
        "a datetime column only contains timezone-naive datetimes; convert them with "
        "`.dt.tz_convert('UTC').dt.tz_localize(None)` (or drop the offsets from the "
        f"strings) first.{detail}"
    )


def _as_nanoseconds(name: Any, values: pd.Series) -> pd.Series:
    try:
        return values.astype(np.dtype("datetime64[ns]"))
    except (ValueError, OverflowError) as err:  # pandas' OutOfBoundsDatetime is a ValueError
        raise refuse(
            f"Incompatible input types for column {name}. Its datetimes do not fit the "
            "nanosecond range of the datetime type (years 1677 to 2262): "
            f"{err}. Clip or drop the out-of-range values first."
        ) from None


def _parse_datetimes(name: Any, values: pd.Series) -> pd.Series:
    """Parse strings/dates; any non-missing value that does not parse is refused."""
    present = values.notna().to_numpy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            parsed = pd.to_datetime(values, errors="coerce", format="ISO8601")
            failed = present & parsed.isna().to_numpy()
            if failed.any():
                retry = pd.to_datetime(values[failed], errors="coerce", format="mixed")
                if isinstance(retry.dtype, pd.DatetimeTZDtype) != isinstance(
                    parsed.dtype, pd.DatetimeTZDtype
                ):
                    raise _tz_refusal(name)
                parsed = parsed.copy()
                parsed[failed] = retry
        except (ValueError, TypeError, OverflowError) as err:
            if "tz" in str(err).lower() or "timezone" in str(err).lower() or "offset" in str(err):
                raise _tz_refusal(name, f" ({err})") from None
            raise refuse(
                f"Incompatible input types for column {name}. Could not read its values as "
                f"datetimes: {err}. Pass datetime64 values or ISO 8601 strings."
            ) from None
    if isinstance(parsed.dtype, pd.DatetimeTZDtype) or parsed.dtype.kind != "M":
        raise _tz_refusal(name)
    failed = present & parsed.isna().to_numpy()
    if failed.any():
        index, value = _first_bad(values, failed)
        raise refuse(
            f"Incompatible input types for column {name}. The value {value!r} at index "
            f"{index!r} does not parse as a datetime. Fix or drop it (pandas.to_datetime "
            "shows which values fail), or declare the column as string."
        )
    return _as_nanoseconds(name, pd.Series(parsed.to_numpy(), index=values.index, name=values.name))


def _to_datetime(name: Any, values: pd.Series) -> pd.Series:
    src = values.dtype
    if isinstance(src, pd.DatetimeTZDtype):
        raise _tz_refusal(name)
    if isinstance(src, np.dtype) and src.kind == "M":
        return values if src == np.dtype("datetime64[ns]") else _as_nanoseconds(name, values)
    if src == object or _is_pandas_string(src):
        kind = pd.api.types.infer_dtype(values, skipna=True)
        if kind == "empty":
            return _as_nanoseconds(name, values.astype(object).where(values.notna(), None))
        if kind in _DATETIME_INFERRED:
            if kind == "mixed":
                ok = values.isna() | values.map(lambda v: isinstance(v, _DATETIME_SCALARS))
                if not ok.all():
                    index, value = _first_bad(values, ~ok.to_numpy(dtype=bool))
                    raise refuse(
                        f"Incompatible input types for column {name}. Expected datetimes, "
                        f"dates or datetime strings, got {value!r} of type "
                        f"{type(value).__name__} at index {index!r}."
                    )
            return _parse_datetimes(name, values)
    raise _incompatible(name, src, "datetime64[ns]")


# --------------------------------------------------------------------------- columns


def enforce_column(name: Any, values: pd.Series, dtype: DataType) -> pd.Series:
    """Check one column against a DataType and convert it safely.

    Parameters
    ----------
    name : str or int
        The column name, used in error messages.
    values : pandas.Series
        The column.
    dtype : DataType
        The type the signature declares.

    Returns
    -------
    pandas.Series
        The column, converted where the conversion is safe (for instance int32 to int64).

    Raises
    ------
    WorkbenchException
        When the column cannot be converted without changing a value.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from workbench.types import DataType
    >>> enforce_column("x", pd.Series(np.array([1, 2], dtype="int32")), DataType.long).dtype
    dtype('int64')
    >>> enforce_column("x", pd.Series([1.5]), DataType.long)
    Traceback (most recent call last):
    ...
    workbench._exceptions.WorkbenchException: Incompatible input types for column x. Can not safely convert float64 to int64. ...
    """
    target = dtype.name
    if values.dtype == object and target not in ("string", "binary"):
        original = values
        values = values.infer_objects()
        if values.dtype.kind == "f" and target in ("double", "float"):
            _check_objects_became_exact_floats(name, original, values)
    src = values.dtype
    if target == "string":
        if src == object or _is_pandas_string(src):
            return values
        raise _incompatible(name, src, _TARGET_LABEL["string"])
    if target == "binary":
        if src == object or _is_pandas_string(src) or (isinstance(src, np.dtype) and src.kind == "S"):
            return values
        raise _incompatible(name, src, _TARGET_LABEL["binary"])
    if target == "boolean":
        return _to_boolean(name, values)
    if target == "datetime":
        return _to_datetime(name, values)
    return _to_number(name, values, _NUMERIC_TARGETS[target])


# --------------------------------------------------------------------------- scalars

_INT64 = np.iinfo(np.int64)


def _scalar_dtype(value: Any) -> Any:
    """The dtype pandas gives ``pd.Series([value])``, or a label for non-numpy kinds."""
    if isinstance(value, (bool, np.bool_)):
        return np.dtype(bool)
    if isinstance(value, np.generic):
        return value.dtype
    if isinstance(value, int):
        return np.dtype("int64") if _INT64.min <= value <= _INT64.max else "int (out of int64 range)"
    if isinstance(value, float):
        return np.dtype("float64")
    if isinstance(value, str):
        return "str"
    if isinstance(value, (bytes, bytearray)):
        return "bytes"
    return type(value).__name__


def _scalar_refusal(value: Any, dtype: DataType, why: str = "") -> WorkbenchException:
    return refuse(
        f"Failed to enforce schema of data `{value!r}` with dtype `{dtype.name}`: "
        f"{why or 'a ' + type(value).__name__ + ' cannot be converted without changing it'}."
    )


def _scalar_datetime(value: Any, dtype: DataType) -> pd.Timestamp:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            stamp = pd.Timestamp(value)
        except (ValueError, TypeError, OverflowError) as err:
            raise _scalar_refusal(value, dtype, f"it does not parse as a datetime ({err})") from None
    if stamp is pd.NaT:
        return stamp
    if stamp.tzinfo is not None:
        raise _scalar_refusal(value, dtype, "timezone-aware datetimes are not accepted")
    try:
        return stamp.as_unit("ns")
    except (ValueError, OverflowError):
        raise _scalar_refusal(value, dtype, "it is outside the nanosecond datetime range") from None


def enforce_scalar(value: Any, dtype: DataType) -> Any:
    """Check one scalar (a property or map value) against a DataType, as a one-row column.

    The decision is the one :func:`enforce_column` takes for ``pd.Series([value])``, without
    building that Series; the result is a numpy scalar of the target type (a Python ``str`` or
    ``bytes``, or a ``pandas.Timestamp``), as MLflow returns it.

    Examples
    --------
    >>> from workbench.types import DataType
    >>> enforce_scalar(3, DataType.long)
    np.int64(3)
    >>> enforce_scalar(0, DataType.double)
    np.float64(0.0)
    """
    target = dtype.name
    if target == "datetime":
        if isinstance(value, _DATETIME_SCALARS):
            return _scalar_datetime(value, dtype)
        raise _scalar_refusal(value, dtype)
    if not np.isscalar(value):
        raise refuse(f"Expected data to be scalar, got {type(value).__name__}.")
    src = _scalar_dtype(value)
    if target == "string":
        if isinstance(value, str):
            return value
        raise _scalar_refusal(value, dtype)
    if target == "binary":
        if isinstance(value, (bytes, bytearray, str)):
            return value
        raise _scalar_refusal(value, dtype)
    if target == "boolean":
        if src == np.dtype(bool):
            return np.bool_(value)
        raise _scalar_refusal(value, dtype)
    numeric = _NUMERIC_TARGETS[target]
    if not isinstance(src, np.dtype) or src.kind not in "iuf":
        raise _scalar_refusal(value, dtype)
    rule = _numeric_rule(src, numeric)
    if rule == "zero_one":
        rule = "cast" if value in (0, 1) else "refuse"
    if rule == "refuse":
        raise _scalar_refusal(value, dtype, f"can not safely convert {src} to {numeric}")
    return numeric.type(value)
