"""Schema enforcement: check model input against a signature and convert it safely.

This is the layer that pyfunc ``predict``, evaluation and the scoring server call before
the model sees any data:

- :func:`validate_schema` (public, MLflow's ``mlflow.models.validate_schema``) raises a
  :class:`~workbench.WorkbenchException` when the data does not match the schema;
- :func:`_enforce_schema` returns the data the model should receive: a DataFrame with the
  signature's columns in the signature's order, converted where that is safe, or the
  checked tensor(s) for a tensor-based signature;
- :func:`_enforce_params_schema` returns the params with defaults filled in.

The rules, the accepted inputs and the wording of the errors are MLflow's
(``mlflow.models.utils``, MLflow 3.17): a dict becomes one row (or columns, when its values
are lists of non-strings), a list of dicts becomes rows, a scalar becomes one cell;
``Model is missing inputs [...]`` for absent required columns, extra columns are dropped with
a warning, optional columns may be absent; int32 widens to long, float32 to double, int64
becomes double or float only when every value is 0 or 1, float never becomes an integer (with
MLflow's missing-values hint) and double never becomes float.

Departures from MLflow, on purpose
----------------------------------
Wherever MLflow silently changes a value on its way to the model, workbench refuses with a
:class:`~workbench.WorkbenchException` naming the column, the value, the expected type and the
fix:

1. A boolean column of Python objects holding anything but booleans and missing values
   (``"abc"``, ``1``) is refused; MLflow passes those values to the model as they are.
2. Tensor specs fed from DataFrame columns: MLflow casts with ``astype``, so 1.7 becomes 1,
   ``2**53 + 1`` wraps into an int32 or rounds into a float64, and any string becomes
   ``True``. Casts that change a value are refused (see ``_enforce_tensors.safe_cast``).
3. Arrays of boolean, string or binary: MLflow turns missing elements into ``False``,
   ``'n'``/``'None'`` and non-text elements into text; refused.
4. Params: an int that the declared float/double cannot hold exactly is refused (MLflow
   rounds it); an int outside the range of ``integer`` or ``long`` is refused, and so is a
   datetime param that is no date (``"NaT"``, which MLflow turns into None).
5. Object columns of ints and missing values read as float64 by ``infer_objects``: an int
   the float cannot hold exactly (``2**53 + 1``) is refused instead of rounded.
6. Datetime strings that do not parse are refused with the value named. (MLflow 3.17 under
   pandas 3 refuses *every* string for a datetime column or property, because pandas 3
   reads them as its ``str`` dtype; workbench parses ISO 8601 and other strings pandas
   reads, as MLflow does under pandas 2, in columns, arrays and object properties.)

A few inputs on which MLflow crashes with a bare ``ValueError``/``AttributeError``/
``KeyError`` are handled: nullable ``Int64`` columns with missing values for an integer
type are refused with a clear message, nullable ``boolean`` columns are accepted (as MLflow
accepts object columns of booleans and None), duplicate column names are refused, and
datetime scalars (listed as input in MLflow's signature of ``validate_schema``) become one
row. Missing values (NaN) in an optional Array/Object/Map column are accepted like None.

Smaller differences: datetime/date objects are accepted as values of datetime properties
(MLflow's scalar check refuses them); Object and Map values are copied, never mutated in
place; an Array of datetime comes back as Timestamps, not as integer nanoseconds; the
``Invalid parameters found`` message lists the params in schema order; MLflow's
``MLFLOW_DISABLE_SCHEMA_DETAILS`` switch is not read.

Nothing but :class:`~workbench.WorkbenchException` leaves this module: any other error met
while enforcing is wrapped into one that says what arrived.

The work is split by idea: ``_enforce_types`` (one column or scalar against a DataType, the
vectorised hot path), ``_enforce_nested`` (Array/Object/Map/AnyType values),
``_enforce_tensors`` (TensorSpec shapes, dtypes and safe casts), ``_enforce_params``
(ParamSchema); this module turns inputs into DataFrames and matches columns by name.
"""

from __future__ import annotations

import datetime as _dt
import logging
from typing import Any

import numpy as np
import pandas as pd

from workbench._exceptions import WorkbenchException
from workbench.models._enforce_nested import enforce_value
from workbench.models._enforce_params import enforce_params_schema
from workbench.models._enforce_tensors import enforce_tensor_schema
from workbench.models._enforce_types import enforce_column, refuse
from workbench.types import Array, DataType, Object, Schema

__all__ = ["validate_schema"]

_logger = logging.getLogger("workbench.models")


def _is_scalar(value: Any) -> bool:
    return np.isscalar(value) or value is None


def _dict_to_dataframe(data: dict, schema: Schema) -> pd.DataFrame:
    """MLflow's reading of a dict: one row, or one column per key holding a sequence."""
    nested = any(isinstance(spec.type, (Array, Object)) for spec in schema.inputs)
    one_row = nested or all(
        _is_scalar(value) or (isinstance(value, list) and all(isinstance(v, str) for v in value))
        for value in data.values()
    )
    try:
        if one_row:
            return pd.DataFrame([data])
        if all(
            isinstance(v, np.ndarray) and v.dtype.type == np.str_ and v.shape == ()
            for v in data.values()
        ):
            return pd.DataFrame([data])  # serving casts {"k": "text"} into 0-d str arrays
        if any(isinstance(v, np.ndarray) and v.ndim > 1 for v in data.values()):
            return pd.DataFrame(
                {k: v.tolist() if isinstance(v, np.ndarray) and v.ndim > 1 else v for k, v in data.items()}
            )
        return pd.DataFrame(data)
    except Exception as err:  # noqa: BLE001 - pandas raises many kinds here
        raise refuse(
            "This model contains a column-based signature, which suggests a DataFrame input. "
            f"There was an error casting the input data to a DataFrame: {err}. Pass a DataFrame, "
            "a dict of equally long lists, or a list of dicts (one per row)."
        ) from None


def _to_dataframe(data: Any, schema: Schema) -> pd.DataFrame:
    """Turn the accepted input kinds into a DataFrame for a column-based signature."""
    if isinstance(data, pd.DataFrame):
        return data
    if np.isscalar(data) or isinstance(data, (_dt.date, pd.Timestamp)):
        return pd.DataFrame([data])
    if isinstance(data, dict):
        return _dict_to_dataframe(data, schema)
    if isinstance(data, (list, np.ndarray)):
        try:
            return pd.DataFrame(data)
        except Exception as err:  # noqa: BLE001
            shape = getattr(data, "shape", None)
            raise refuse(
                f"Could not read the input {type(data).__name__}"
                f"{'' if shape is None else f' of shape {shape}'} as a DataFrame: {err}. "
                "A column-based signature needs a DataFrame, a 2-d array, a list of rows or a "
                "list of dicts."
            ) from None
    raise refuse(
        f"Expected input to be DataFrame. Found: {type(data).__name__}. A column-based "
        "signature takes a DataFrame, a Series, a dict, a list, a 2-d array or a scalar."
    )


def _check_names(data: Any, schema: Schema) -> Any:
    """Refuse missing required inputs; warn about (and later drop) extra ones."""
    required = schema.required_input_names()
    optional = schema.optional_input_names()
    if len(required) == 1 and isinstance(data, np.ndarray):
        return {required[0]: data}  # one named tensor: the array is that tensor
    if isinstance(data, pd.DataFrame):
        actual = list(data.columns)
    elif isinstance(data, dict):
        actual = list(data.keys())
    else:
        actual = []
    present, declared = set(actual), set(required) | set(optional)
    missing = [name for name in required if name not in present]
    extra = [name for name in actual if name not in declared]
    if missing:
        message = f"Model is missing inputs {missing}."
        if extra:
            message += f" Note that there were extra inputs: {extra}."
        absent_optional = [name for name in optional if name not in present]
        if absent_optional:
            message += f" The optional inputs {absent_optional} may be left out."
        raise refuse(message)
    if extra:
        _logger.warning(
            "Found extra inputs in the model input that are not defined in the model "
            f"signature: `{extra}`. These inputs will be ignored."
        )
    return data


def _check_duplicates(frame: pd.DataFrame, names: list) -> None:
    duplicated = frame.columns[frame.columns.duplicated()]
    clash = [name for name in names if name in set(duplicated)]
    if clash:
        raise refuse(
            f"The input DataFrame has more than one column named {clash}; a column-based "
            "signature needs unique column names. Rename or drop the duplicates."
        )


def _enforce_one(name: Any, column: pd.Series, spec_type: Any, required: bool) -> pd.Series:
    if isinstance(spec_type, DataType):
        return enforce_column(name, column, spec_type)
    values = [enforce_value(value, spec_type, required) for value in column.tolist()]
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return pd.Series(out, index=column.index, name=column.name)


def _assemble(columns: dict, index: pd.Index) -> pd.DataFrame:
    if not columns:
        return pd.DataFrame(index=index)
    # Align on a fresh RangeIndex, then put the input's index back: duplicate index labels
    # survive, and Series (unlike bare arrays) keep their dtypes (object stays object).
    frame = pd.DataFrame({name: s.reset_index(drop=True) for name, s in columns.items()})
    frame.index = index
    return frame


def _enforce_named_columns(frame: pd.DataFrame, schema: Schema) -> pd.DataFrame:
    names = schema.input_names()
    _check_duplicates(frame, names)
    specs = schema.input_dict()
    columns = {}
    for name in names:
        spec = specs[name]
        if name not in frame.columns:
            continue  # optional and absent (missing required ones were refused already)
        columns[name] = _enforce_one(name, frame[name], spec.type, spec.required)
    return _assemble(columns, frame.index)


def _enforce_unnamed_columns(frame: pd.DataFrame, schema: Schema) -> pd.DataFrame:
    n_inputs = len(schema.inputs)
    if len(frame.columns) < n_inputs:
        raise refuse(
            "Model inference is missing inputs. The model signature declares "
            f"{n_inputs} inputs  but the provided value only has {len(frame.columns)} inputs. "
            "Note: the inputs were not named in the signature so we can only verify their count."
        )
    columns = {}
    for position, spec in enumerate(schema.inputs):
        name = frame.columns[position]
        columns[name] = _enforce_one(name, frame.iloc[:, position], spec.type, True)
    return _assemble(columns, frame.index)


def _enforce(data: Any, schema: Schema) -> Any:
    if isinstance(data, pd.Series):
        data = data.to_frame()  # keeps the Series name (0 when unnamed)
    if not schema.is_tensor_spec():
        data = _to_dataframe(data, schema)
    if schema.has_input_names():
        data = _check_names(data, schema)
    if schema.is_tensor_spec():
        return enforce_tensor_schema(data, schema)
    if schema.has_input_names():
        return _enforce_named_columns(data, schema)
    return _enforce_unnamed_columns(data, schema)


def _describe_input(data: Any) -> str:
    kind = type(data).__name__
    shape = getattr(data, "shape", None)
    if isinstance(shape, tuple):
        return f"{kind} of shape {shape}"
    if isinstance(data, (list, dict)):
        return f"{kind} of length {len(data)}"
    return kind


def _enforce_schema(data: Any, schema: Schema, flavor: str | None = None) -> Any:
    """Check ``data`` against ``schema`` and return what the model should receive.

    Parameters
    ----------
    data : DataFrame, Series, ndarray, csc/csr matrix, list, dict, datetime, bool, bytes, float, int or str
        The model input.
    schema : Schema
        The signature's inputs.
    flavor : str, optional
        Accepted for MLflow's signature (it only matters there for Spark DataFrames, which
        workbench does not take); unused.

    Returns
    -------
    DataFrame, ndarray, sparse matrix or dict of ndarrays
        For a column-based schema, a DataFrame with the schema's columns in the schema's order
        (extra columns dropped, optional absent ones left out), each converted to its
        declared type where that loses nothing. For a tensor-based schema, the checked
        array(s).

    Raises
    ------
    WorkbenchException
        ``INVALID_PARAMETER_VALUE`` when the data does not fit the schema.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from workbench.types import ColSpec, Schema
    >>> schema = Schema([ColSpec("long", "x"), ColSpec("string", "y")])
    >>> out = _enforce_schema(pd.DataFrame({"y": ["a"], "x": np.array([1], dtype="int32")}), schema)
    >>> list(out.columns), out["x"].dtype
    (['x', 'y'], dtype('int64'))
    >>> _enforce_schema({"y": "a"}, schema)
    Traceback (most recent call last):
    ...
    workbench._exceptions.WorkbenchException: Model is missing inputs ['x'].
    """
    if not isinstance(schema, Schema):
        kind = type(schema)
        raise refuse(
            f"Expected the schema to be a workbench.types.Schema, got "
            f"{kind.__module__}.{kind.__qualname__}; pass `signature.inputs` of a workbench "
            "ModelSignature (or Schema.from_json(...) to convert another package's schema)."
        )
    try:
        return _enforce(data, schema)
    except WorkbenchException:
        raise
    except Exception as err:  # noqa: BLE001 - nothing else may escape enforcement
        raise refuse(
            f"Could not enforce the model signature on the input ({_describe_input(data)}): "
            f"{type(err).__name__}: {err}. Expected data matching {schema!r}."
        ) from err


def validate_schema(data: Any, expected_schema: Schema) -> None:
    """Validate that the input data has the expected schema.

    Parameters
    ----------
    data : DataFrame, Series, ndarray, csc_matrix, csr_matrix, list, dict, datetime, bool, bytes, float, int or str
        Input data to be validated.
    expected_schema : Schema
        Expected Schema of the input data, e.g. ``signature.inputs``.

    Raises
    ------
    WorkbenchException
        When the input data does not match the schema (error code
        ``INVALID_PARAMETER_VALUE``).

    Examples
    --------
    >>> import pandas as pd
    >>> import workbench.models
    >>> from workbench.types import ColSpec, Schema
    >>> schema = Schema([ColSpec("double", "x")])
    >>> workbench.models.validate_schema(pd.DataFrame({"x": [0.5, 1.5]}), schema)
    >>> workbench.models.validate_schema(pd.DataFrame({"x": ["a"]}), schema)
    Traceback (most recent call last):
    ...
    workbench._exceptions.WorkbenchException: Incompatible input types for column x. Can not safely convert str to float64. ...
    """
    _enforce_schema(data, expected_schema)


def _enforce_params_schema(params: Any, schema: Any) -> Any:
    """Check inference params against a ParamSchema and fill in the defaults.

    Parameters
    ----------
    params : dict or None
        The params passed to ``predict``.
    schema : ParamSchema or None
        The signature's params; with None, any params given are dropped with a warning.

    Returns
    -------
    dict or None
        Every param of the schema: the given value converted to a Python value, or the
        default. Params the schema does not know are dropped with a warning.

    Raises
    ------
    WorkbenchException
        ``INVALID_PARAMETER_VALUE`` listing every param whose type or shape is wrong.

    Examples
    --------
    >>> from workbench.types import ParamSchema, ParamSpec
    >>> schema = ParamSchema([ParamSpec("temperature", "double", 0.5), ParamSpec("n", "long", 1)])
    >>> _enforce_params_schema({"temperature": 1}, schema)
    {'temperature': 1.0, 'n': 1}
    """
    try:
        return enforce_params_schema(params, schema)
    except WorkbenchException:
        raise
    except Exception as err:  # noqa: BLE001 - nothing else may escape enforcement
        raise refuse(
            f"Could not enforce the params schema on the params ({_describe_input(params)}): "
            f"{type(err).__name__}: {err}."
        ) from err
