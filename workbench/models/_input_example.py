"""Input examples saved with a model, in the files and layout MLflow 3.17.2 writes.

Saving an example writes two files into the model directory and describes them in the
MLmodel field ``saved_input_example_info``:

``input_example.json``
    The example as compact JSON: a DataFrame as its ``split`` dict without the index
    (``{"columns": [...], "data": [...]}``), an ndarray (or dict of ndarrays) as nested
    lists, a CSR/CSC matrix as ``{"data", "indices", "indptr", "shape"}``, anything else
    as JSON. With params (a ``(data, params)`` tuple) the file is
    ``{"inputs": <data>, "params": {...}}``.
``serving_input_example.json``
    The same example as the JSON body of a scoring request
    (:func:`~workbench.models.convert_input_example_to_serving_input`).

The info dict looks like ``{"artifact_path": "input_example.json", "type": "dataframe",
"pandas_orient": "split", "serving_input_path": "serving_input_example.json"}``, with
``"params": "true"`` when the example has params. ``type`` is one of
:data:`EXAMPLE_TYPES`.

Reading goes the other way. The paths in the info come from the MLmodel file, so they are
joined with :func:`workbench._io.safe_join`: an absolute path, ``..`` or a symlink out of
the model directory is refused before anything is opened.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as _dt
import json
import os
from typing import TYPE_CHECKING, Any

import numpy as np

from workbench._exceptions import (
    RESOURCE_DOES_NOT_EXIST,
    WorkbenchException,
)
from workbench._io import atomic_write_text, safe_join

if TYPE_CHECKING:
    from workbench.models._model import Model

#: Keys and file names of ``saved_input_example_info`` (MLflow's names).
INPUT_EXAMPLE_PATH = "artifact_path"
SERVING_INPUT_PATH = "serving_input_path"
EXAMPLE_FILENAME = "input_example.json"
SERVING_INPUT_FILENAME = "serving_input_example.json"
#: Keys of ``input_example.json`` when the example has params.
EXAMPLE_DATA_KEY = "inputs"
EXAMPLE_PARAMS_KEY = "params"
#: The example types MLflow 3.17.2 writes and reads.
EXAMPLE_TYPES = ("dataframe", "ndarray", "sparse_matrix_csc", "sparse_matrix_csr", "json_object")


class InputExampleNotFoundError(WorkbenchException, FileNotFoundError):
    """The MLmodel file describes an example whose file is missing.

    Also a :class:`FileNotFoundError`, which is what MLflow documents for this case.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message, error_code=RESOURCE_DOES_NOT_EXIST)


_invalid = WorkbenchException.invalid_parameter_value


# --------------------------------------------------------------------------- writing


def _sparse_to_dict(matrix: Any) -> dict[str, Any]:
    from workbench.models._serving_input import _ndarray_to_list

    return {
        "data": _ndarray_to_list(matrix.data),
        "indices": matrix.indices.tolist(),
        "indptr": matrix.indptr.tolist(),
        "shape": [int(n) for n in matrix.shape],
    }


def _example_payload(data: Any) -> tuple[str, Any, dict[str, str]]:
    """Return ``(type, jsonable payload, extra info)`` for the example data."""
    from workbench.models._serving_input import _dataframe_split, _ndarray_to_list
    from workbench.types._infer import _is_pandas, _is_pydantic_model, _is_sparse_matrix

    if type(data).__module__.startswith("pyspark"):
        raise _invalid(
            "An input example cannot be a Spark DataFrame. Take a few rows and pass them as a "
            "pandas.DataFrame, e.g. spark_df.limit(5).toPandas()."
        )
    if _is_pydantic_model(data):
        data = data.model_dump()
    if isinstance(data, dict):
        arrays = [key for key, value in data.items() if isinstance(value, np.ndarray)]
        if not arrays:
            return "json_object", data, {}
        if len(arrays) != len(data):
            others = [key for key in data if key not in arrays]
            raise _invalid(
                "An input example dict must hold only numpy arrays or no numpy arrays; got "
                f"arrays for {arrays!r} and other values for {others!r}. Convert the other "
                "values with numpy.asarray(), or the arrays with .tolist()."
            )
        return "ndarray", {key: _ndarray_to_list(value) for key, value in data.items()}, {}
    if isinstance(data, np.ndarray):
        return "ndarray", _ndarray_to_list(data), {}
    if isinstance(data, list):
        from workbench.models._serving_input import _contains_ndarray

        if _contains_ndarray(data):
            raise _invalid(
                "An input example list must not hold numpy arrays. Pass numpy.asarray(example) "
                "for a tensor, or convert the arrays inside with .tolist()."
            )
        return "json_object", data, {}
    if _is_sparse_matrix(data):
        kind = "sparse_matrix_csc" if data.format == "csc" else "sparse_matrix_csr"
        return kind, _sparse_to_dict(data), {}
    if _is_pandas(data, "DataFrame"):
        split = _dataframe_split(data)
        return "dataframe", split, {"pandas_orient": "split" if "columns" in split else "values"}
    if np.isscalar(data) or isinstance(data, _dt.datetime):
        return "json_object", data, {}
    raise _invalid(
        f"Unsupported input example of type {type(data).__module__}.{type(data).__qualname__}. "
        "Expected a pandas.DataFrame, a numpy.ndarray, a dict of name -> numpy.ndarray, a "
        "scipy.sparse CSR or CSC matrix, a dict, a list, a scalar, a datetime.datetime or a "
        "pydantic model, optionally as a (data, params) tuple."
    )


@dataclasses.dataclass
class InputExample:
    """An input example ready to be written into a model directory.

    Build it with :meth:`from_example`; :meth:`save` writes the files.

    Attributes
    ----------
    info : dict
        What goes into MLmodel's ``saved_input_example_info``.
    data : object
        The example's data, as the model's ``predict`` receives it.
    params : dict or None
        The example's params, if it was given as ``(data, params)``.
    example_json : str
        The content of ``input_example.json``.
    serving_json : str or None
        The content of ``serving_input_example.json`` (None when there is none).

    Examples
    --------
    >>> import pandas as pd
    >>> example = InputExample.from_example((pd.DataFrame({"x": [1.5]}), {"k": 2}))
    >>> example.info
    {'artifact_path': 'input_example.json', 'params': 'true', 'type': 'dataframe', 'pandas_orient': 'split', 'serving_input_path': 'serving_input_example.json'}
    >>> example.example_json
    '{"inputs": {"columns": ["x"], "data": [[1.5]]}, "params": {"k": 2}}'
    """

    info: dict[str, str]
    data: Any
    params: dict[str, Any] | None
    example_json: str
    serving_json: str | None

    @classmethod
    def from_example(cls, input_example: Any) -> InputExample:
        """Encode ``input_example`` (see the module docstring for the accepted types)."""
        from workbench.models._serving_input import (
            _example_json_default,
            _split_example_params,
            convert_input_example_to_serving_input,
        )

        if input_example is None:
            raise _invalid("Expected an input example, got None.")
        data, params = _split_example_params(copy.deepcopy(input_example))
        kind, payload, extra = _example_payload(data)
        info: dict[str, str] = {INPUT_EXAMPLE_PATH: EXAMPLE_FILENAME}
        if params is not None:
            # MLflow writes this flag only for non-empty params but wraps the file whenever
            # params were given; flagging {} too keeps the file readable (by MLflow as well).
            info[EXAMPLE_PARAMS_KEY] = "true"
            payload = {EXAMPLE_DATA_KEY: payload, EXAMPLE_PARAMS_KEY: params}
        info["type"] = kind
        info.update(extra)
        try:
            example_json = json.dumps(payload, default=_example_json_default)
        except (TypeError, ValueError) as err:
            raise _invalid(
                f"The input example cannot be written as JSON: {err}. Convert such values to "
                "numbers, strings, lists or dicts before passing the example."
            ) from err
        serving_json = convert_input_example_to_serving_input(input_example)
        if serving_json:
            info[SERVING_INPUT_PATH] = SERVING_INPUT_FILENAME
        return cls(info, data, params, example_json, serving_json)

    def save(self, model_dir: str | os.PathLike) -> dict[str, str]:
        """Write the example files into ``model_dir`` (atomically) and return a copy of the info."""
        atomic_write_text(safe_join(model_dir, self.info[INPUT_EXAMPLE_PATH]), self.example_json)
        if self.serving_json:
            atomic_write_text(
                safe_join(model_dir, self.info[SERVING_INPUT_PATH]), self.serving_json
            )
        return dict(self.info)


def save_example(
    model: Model, input_example: Any, path: str | os.PathLike
) -> InputExample | None:
    """Write ``input_example`` into the model directory ``path`` and record it on ``model``.

    Sets ``model.saved_input_example_info`` and returns the :class:`InputExample` (whose
    ``data`` and ``params`` a flavor can use to check the example against the signature),
    or None when ``input_example`` is None.

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> from workbench.models._model import Model
    >>> model_dir, model = tempfile.mkdtemp(), Model()
    >>> _ = save_example(model, np.array([[1.0, np.nan]]), model_dir)
    >>> model.saved_input_example_info
    {'artifact_path': 'input_example.json', 'type': 'ndarray', 'serving_input_path': 'serving_input_example.json'}
    >>> open(os.path.join(model_dir, "input_example.json")).read()
    '[[1.0, null]]'
    """
    if input_example is None:
        return None
    example = InputExample.from_example(input_example)
    model.saved_input_example_info = example.save(path)
    return example


# --------------------------------------------------------------------------- reading


def _example_info(model: Model) -> dict[str, Any] | None:
    info = model.saved_input_example_info
    if info is None:
        return None
    if not isinstance(info, dict):
        raise _invalid(
            "Expected saved_input_example_info in the MLmodel file to be a mapping, got "
            f"{type(info).__name__}: {info!r}."
        )
    return info


def _read_example_file(info: dict[str, Any], model_dir: str | os.PathLike) -> Any:
    """Check the info, join its path safely and return the parsed ``input_example.json``."""
    kind = info.get("type")
    if kind not in EXAMPLE_TYPES:
        raise _invalid(
            f"Cannot load an input example of type {kind!r}: expected one of "
            f"{', '.join(EXAMPLE_TYPES)} in saved_input_example_info['type']."
        )
    relative = info.get(INPUT_EXAMPLE_PATH)
    if not isinstance(relative, str):
        raise _invalid(
            "Expected saved_input_example_info['artifact_path'] to be a relative path such as "
            f"'input_example.json', got {relative!r}."
        )
    file = safe_join(model_dir, relative)
    if not file.is_file():
        raise InputExampleNotFoundError(
            f"The model's MLmodel file describes an input example at {relative!r}, but "
            f"{os.fspath(file)!r} does not exist. Save the model again with its input example, "
            "or remove saved_input_example_info from the MLmodel file."
        )
    try:
        return json.loads(file.read_text(encoding="utf-8"))
    except ValueError as err:
        raise _invalid(
            f"The input example file {os.fspath(file)!r} is not valid JSON: {err}"
        ) from err


def _unwrap_data(info: dict[str, Any], payload: Any) -> Any:
    if not info.get(EXAMPLE_PARAMS_KEY):
        return payload
    if not isinstance(payload, dict) or EXAMPLE_DATA_KEY not in payload:
        raise _invalid(
            "saved_input_example_info says the example has params, so input_example.json "
            f"should be {{'inputs': ..., 'params': ...}}; it holds {type(payload).__name__} "
            "without an 'inputs' key."
        )
    return payload[EXAMPLE_DATA_KEY]


def _sparse_from_dict(payload: Any, kind: str) -> Any:
    import scipy.sparse

    try:
        parts = (payload["data"], payload["indices"], payload["indptr"])
        shape = tuple(payload["shape"])
    except (KeyError, TypeError) as err:
        raise _invalid(
            "A sparse input example must be {'data', 'indices', 'indptr', 'shape'}; "
            f"got {type(payload).__name__} without {err}."
        ) from None
    build = scipy.sparse.csc_matrix if kind == "sparse_matrix_csc" else scipy.sparse.csr_matrix
    return build(parts, shape=shape)


def read_input_example(model: Model, model_dir: str | os.PathLike) -> Any:
    """Load the example recorded in ``model`` from ``model_dir`` (None if there is none).

    A ``dataframe`` example comes back as a ``pandas.DataFrame`` and an ``ndarray`` one as
    a ``numpy.ndarray`` (or dict of them), both cast to the input schema of the model's
    signature when it has one; sparse examples as scipy CSR/CSC matrices; ``json_object``
    examples as the JSON value.
    """
    info = _example_info(model)
    if info is None:
        return None
    payload = _unwrap_data(info, _read_example_file(info, model_dir))
    kind = info["type"]
    if kind == "json_object":
        return payload
    if kind in ("sparse_matrix_csc", "sparse_matrix_csr"):
        return _sparse_from_dict(payload, kind)
    from workbench.models._serving_input import parse_serving_input

    schema = model.signature.inputs if model.signature is not None else None
    key = "dataframe_split" if kind == "dataframe" else "inputs"
    data, _ = parse_serving_input({key: payload}, schema)
    return data


def read_input_example_params(model: Model, model_dir: str | os.PathLike) -> dict[str, Any] | None:
    """Load the params of the example recorded in ``model`` (None if it has none)."""
    info = _example_info(model)
    if info is None or info.get(EXAMPLE_PARAMS_KEY) is None:
        return None
    payload = _read_example_file(info, model_dir)
    if not isinstance(payload, dict) or EXAMPLE_PARAMS_KEY not in payload:
        raise _invalid(
            "saved_input_example_info says the example has params, but input_example.json "
            "has no 'params' key."
        )
    return payload[EXAMPLE_PARAMS_KEY]


def read_serving_input_example(model: Model, model_dir: str | os.PathLike) -> str | None:
    """Return the text of the serving input example recorded in ``model`` (None if none)."""
    info = _example_info(model)
    if info is None:
        return None
    relative = info.get(SERVING_INPUT_PATH)
    if relative is None:
        return None
    if not isinstance(relative, str):
        raise _invalid(
            "Expected saved_input_example_info['serving_input_path'] to be a relative path "
            f"such as 'serving_input_example.json', got {relative!r}."
        )
    file = safe_join(model_dir, relative)
    if not file.is_file():
        raise InputExampleNotFoundError(
            f"The model's MLmodel file describes a serving input example at {relative!r}, but "
            f"{os.fspath(file)!r} does not exist."
        )
    return file.read_text(encoding="utf-8")
