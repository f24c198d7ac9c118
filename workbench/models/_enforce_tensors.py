"""Enforcement of tensor-based signatures: shapes, dtypes and DataFrame columns as tensors.

A numpy array (or a scipy sparse matrix) is checked strictly, as MLflow does: the number of
dimensions, every fixed (non ``-1``) dimension and the dtype must match; nothing is cast.

A pandas DataFrame column has lost its tensor type, so its values are stacked, reshaped and
cast to the spec's dtype. MLflow casts with ``astype``, which truncates 1.7 to 1, wraps
2**53 + 1 into an int32, rounds it in a float64 and reads any string as ``True``; here a cast
that would change a value is refused (:func:`safe_cast`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from workbench.models._enforce_types import refuse

__all__ = ["enforce_tensor_schema", "enforce_tensor_spec", "safe_cast"]

_MANTISSA_BITS = {2: 11, 4: 24, 8: 53}


def _is_sparse(value: Any) -> bool:
    try:
        from scipy.sparse import csc_matrix, csr_matrix
    except ImportError:  # pragma: no cover - scipy is optional
        return False
    return isinstance(value, (csc_matrix, csr_matrix))


def _clean(dtype: np.dtype) -> np.dtype:
    """Drop the length of str/bytes dtypes (``<U5`` -> ``<U0``), as signatures do."""
    if dtype.char == "U":
        return np.dtype("str")
    if dtype.char == "S":
        return np.dtype("bytes")
    return dtype


def enforce_tensor_spec(values: Any, spec: Any) -> Any:
    """Check an array's shape and dtype against a TensorSpec; return it unchanged.

    Examples
    --------
    >>> import numpy as np
    >>> from workbench.types import TensorSpec
    >>> enforce_tensor_spec(np.zeros((2, 3)), TensorSpec(np.dtype("float64"), (-1, 3))).shape
    (2, 3)
    >>> enforce_tensor_spec(np.zeros((2, 4)), TensorSpec(np.dtype("float64"), (-1, 3)))
    Traceback (most recent call last):
    ...
    workbench._exceptions.WorkbenchException: Shape of input (2, 4) does not match expected shape (-1, 3). ...
    """
    expected_shape = tuple(spec.shape)
    expected_type = spec.type
    actual_shape = tuple(values.shape)
    actual_type = values.dtype if isinstance(values, np.ndarray) else values.data.dtype
    if len(expected_shape) == 1 and expected_shape[0] == -1 and expected_type == np.dtype("O"):
        return values  # Tensor('object', (-1,)) takes anything
    if (
        len(expected_shape) > 1
        and -1 in expected_shape[1:]
        and len(actual_shape) == 1
        and actual_type == np.dtype("O")
    ):
        return values  # a ragged array (1-d of objects) for a spec with variable inner dims
    mismatch = len(expected_shape) != len(actual_shape) or any(
        want not in (-1, got) for want, got in zip(expected_shape, actual_shape)
    )
    if mismatch:
        raise refuse(
            f"Shape of input {actual_shape} does not match expected shape {expected_shape}. "
            "Dimensions marked -1 may have any size; reshape the input to match the others."
        )
    if _clean(actual_type) != expected_type:
        raise refuse(
            f"dtype of input {actual_type} does not match expected dtype {expected_type}. "
            f"Cast the array first (e.g. `x.astype('{expected_type}')`) if that loses nothing."
        )
    return values


# --------------------------------------------------------------------------- safe casts


def _lossy(name: Any, source: np.ndarray, bad: np.ndarray, target: np.dtype, why: str) -> Exception:
    value = source.reshape(-1)[int(np.flatnonzero(bad.reshape(-1))[0])]
    where = "the unnamed input" if name is None else f"input '{name}'"
    return refuse(
        f"Can not safely convert the values of {where} from {source.dtype} to {target}: "
        f"{value!r} {why}. Convert the data yourself (deciding how to round or clip), or "
        "declare the tensor's real dtype in the signature."
    )


def _not_numeric(name: Any, values: np.ndarray, target: np.dtype) -> Exception:
    """Name the first value that is not a number (error path only)."""
    numbers = (bool, int, float, np.number, np.bool_)
    flags = np.array([not isinstance(v, numbers) for v in values.reshape(-1)], dtype=bool)
    if flags.any():
        value = values.reshape(-1)[int(np.flatnonzero(flags)[0])]
        why = f"is a {type(value).__name__}; only numbers and booleans are cast to {target}"
        return _lossy(name, values, flags.reshape(values.shape), target, why)
    return _lossy(name, values, np.ones(values.shape, dtype=bool), target,
                  "is in a column that numpy cannot hold as one numeric dtype (ints beyond "
                  "64 bits, or numbers mixed with booleans)")


def _natural(values: np.ndarray) -> np.ndarray:
    """Give an object array of plain numbers/bools its numeric dtype (strings stay object)."""
    if values.dtype != object or values.size == 0:
        return values
    flat = pd.Series(values.reshape(-1)).infer_objects()
    if isinstance(flat.dtype, np.dtype) and flat.dtype.kind in "biufMmUS":
        return flat.to_numpy().reshape(values.shape)
    return values


def safe_cast(values: np.ndarray, target: np.dtype, name: Any = None) -> np.ndarray:
    """Cast ``values`` to ``target``, refusing any cast that changes a value.

    Allowed: any cast that round-trips (whole floats to ints in range, ints to floats that
    hold them exactly, 0/1 to bool, bool to numbers, float narrowing without rounding),
    str to str, bytes to bytes, anything to object. Refused: strings to numbers or booleans,
    fractional or non-finite floats to ints, out-of-range ints, rounding.

    Examples
    --------
    >>> import numpy as np
    >>> safe_cast(np.array([1.0, 2.0]), np.dtype("int32"))
    array([1, 2], dtype=int32)
    >>> safe_cast(np.array([1.7]), np.dtype("int32"))
    Traceback (most recent call last):
    ...
    workbench._exceptions.WorkbenchException: Can not safely convert the values of the unnamed input from float64 to int32: np.float64(1.7) has a fractional part. ...
    """
    target = np.dtype(target)
    if values.dtype == target or target == np.dtype(object):
        return values.astype(target, copy=False)
    values = _natural(values)
    src = values.dtype
    if _clean(src) == _clean(target) and src.kind in "US":
        return values.astype(target)
    if target.kind in "US" or src.kind in "OUS":
        if target.kind == "U" and src.kind == "O":
            text = np.frompyfunc(lambda v: isinstance(v, str), 1, 1)(values).astype(bool)
            if text.all():
                return values.astype(target)
            raise _lossy(name, values, ~text, target, "is not a str")
        raise _not_numeric(name, values, target)
    if target.kind == "M" or src.kind in "Mm" or target.kind == "m":
        if src.kind == target.kind == "M":
            try:
                return values.astype(target)
            except (ValueError, OverflowError):
                pass
        raise _lossy(name, values, np.ones(values.shape, dtype=bool), target,
                     "cannot be cast to this dtype without changing it")
    if target.kind == "b":
        bad = ~((values == 0) | (values == 1))
        if bad.any():
            raise _lossy(name, values, bad, target, "is neither 0 nor 1")
        return values.astype(target)
    if src.kind == "b":
        return values.astype(target)
    if src.kind == "c" or target.kind == "c":
        if target.kind == "c" and src.kind in "iuf":
            return values.astype(target)
        raise _lossy(name, values, np.ones(values.shape, dtype=bool), target,
                     "is complex")
    if target.kind in "iu":
        info = np.iinfo(target)
        if src.kind == "f":
            finite = np.isfinite(values)
            if not finite.all():
                raise _lossy(name, values, ~finite, target, "is not a finite number")
            whole = np.floor(values) == values
            if not whole.all():
                raise _lossy(name, values, ~whole, target, "has a fractional part")
            upper = float(int(info.max) + 1)  # a power of two, exact as a float
            bad = (values < float(info.min)) | (values >= upper)
        else:
            if src.kind == "u":
                bad = values > info.max
            elif target.kind == "u":
                bad = (values < 0) | (values > info.max)
            else:
                bad = (values < info.min) | (values > info.max)
        if np.any(bad):
            raise _lossy(name, values, np.asarray(bad), target, f"is outside the range of {target}")
        return values.astype(target)
    # target is a float
    with np.errstate(all="ignore"):
        cast = values.astype(target)
        if src.kind == "f":
            bad = ~((cast.astype(src) == values) | (np.isnan(values) & np.isnan(cast)))
        else:
            limit = 2 ** _MANTISSA_BITS.get(target.itemsize, 53)
            bad = (values > limit) if src.kind == "u" else ((values > limit) | (values < -limit))
            if bad.any():  # large ints may still be exact (2**60): check those round trips
                big = cast[bad]
                fits = np.abs(big) < float(2 ** 63)
                back = np.zeros(big.shape, dtype=np.int64)
                back[fits] = big[fits].astype(np.int64)
                exact = fits & (back.astype(object) == values[bad].astype(object))
                bad = bad.copy()
                bad[bad] = ~exact
    if bad.any():
        raise _lossy(name, values, np.asarray(bad), target, f"is not exactly representable as {target}")
    return cast


# --------------------------------------------------------------------------- DataFrames


def _column_to_tensor(name: Any, column: pd.Series, spec: Any) -> np.ndarray:
    where = f"input {name}" if name is not None else "the unnamed input"
    if spec.shape[0] != -1 or -1 in spec.shape[1:]:
        raise refuse(
            "For pandas dataframe input, the first dimension of shape must be a variable "
            "dimension and other dimensions must be fixed, but in model signature the shape "
            f"of {where} is {spec.shape}."
        )
    if len(column) == 0:
        raise refuse(f"Input DataFrame column {name!r} is empty; pass at least one row.")
    first = column.iloc[0]
    if np.isscalar(first):
        if tuple(spec.shape) not in ((-1,), (-1, 1)):
            raise refuse(
                f"The input pandas dataframe column '{name}' contains scalar values, which "
                "requires the shape to be (-1,) or (-1, 1), but got tensor spec shape of "
                f"{spec.shape}."
            )
        values = safe_cast(column.to_numpy(), spec.type, name)
        return enforce_tensor_spec(values.reshape(spec.shape), spec)
    if isinstance(first, (list, np.ndarray)):
        message = (
            f"The value in the Input DataFrame column '{name}' could not be converted to the "
            f"expected shape of: '{spec.shape}'. Ensure that each of the input "
            f"{'list' if isinstance(first, list) else 'numpy array'} elements are of uniform "
            f"length and that the data can be coerced to the tensor type '{spec.type}'."
        )
        try:
            stacked = np.vstack(column.tolist()).reshape(spec.shape)
        except (ValueError, TypeError):
            raise refuse(message) from None
        if len(stacked) != len(column):
            raise refuse(message)
        if isinstance(first, list):
            stacked = safe_cast(stacked, spec.type, name)
        # numpy arrays keep their dtype and are checked strictly below.
        return enforce_tensor_spec(stacked, spec) if isinstance(first, np.ndarray) else stacked
    raise refuse(
        "Because the model signature requires tensor spec input, the input pandas dataframe "
        "values should be either scalar value, python list containing scalar values or numpy "
        f"array containing scalar values; column {name!r} holds {type(first).__name__}."
    )


def enforce_tensor_schema(data: Any, schema: Any) -> Any:
    """Enforce a tensor-based schema on a dict of arrays, an array, a sparse matrix or a DataFrame."""
    if schema.has_input_names():
        specs = list(zip(schema.input_names(), schema.inputs))
        if isinstance(data, dict):
            result = {}
            for name, spec in specs:
                if not isinstance(data[name], np.ndarray):
                    raise refuse(
                        "This model contains a tensor-based model signature with input names, "
                        "which suggests a dictionary input mapping input name to a numpy array, "
                        f"but a dict with value type {type(data[name])} was found for {name!r}."
                    )
                result[name] = enforce_tensor_spec(data[name], spec)
            return result
        if isinstance(data, pd.DataFrame):
            return {name: _column_to_tensor(name, data[name], spec) for name, spec in specs}
        raise refuse(
            "This model contains a tensor-based model signature with input names, which "
            "suggests a dictionary input mapping input name to tensor, or a pandas DataFrame "
            "input containing columns mapping input name to flattened list value from tensor, "
            f"but an input of type {type(data)} was found."
        )
    spec = schema.inputs[0]
    if isinstance(data, pd.DataFrame):
        if data.empty:
            raise refuse("Input DataFrame is empty.")
        n_columns = len(data.columns)
        if n_columns == 1:
            return _column_to_tensor(None, data.iloc[:, 0], spec)
        if tuple(spec.shape) != (-1, n_columns):
            raise refuse(
                "This model contains a model signature with an unnamed input. Since the input "
                "data is a pandas DataFrame containing multiple columns, the input shape must "
                "be of the structure (-1, number_of_dataframe_columns). Instead, the input "
                f"DataFrame passed had {n_columns} columns and an input shape of {spec.shape} "
                "with all values within the DataFrame of scalar type. Please adjust the passed "
                "in DataFrame to match the expected structure."
            )
        return enforce_tensor_spec(data.to_numpy(), spec)
    if isinstance(data, np.ndarray) or _is_sparse(data):
        return enforce_tensor_spec(data, spec)
    raise refuse(
        "This model contains a tensor-based model signature with no input names, which "
        "suggests a numpy array input or a pandas dataframe input with proper column values, "
        f"but an input of type {type(data)} was found."
    )
