"""What ``POST /invocations`` answers for a body, without a server: :func:`validate_serving_input`.

:class:`RequestScorer` is the one place that turns a request body into predictions: it
parses the body (JSON, CSV or Parquet) against the model's signature, predicts and encodes
the answer. The scoring server's worker processes (:mod:`workbench.serving._predict_worker`)
call it for every request, and :func:`validate_serving_input` calls it in this process, so
both accept the same bodies and refuse the same ones with the same messages.

It lives in the model layer (it needs nothing of the web framework) so that
``workbench.models.validate_serving_input`` works without the ``serve`` extra installed.
"""

from __future__ import annotations

import contextlib

import json
import logging
import os
from typing import Any

from workbench._exceptions import BAD_REQUEST, INVALID_PARAMETER_VALUE, WorkbenchException

__all__ = [
    "KIND_CSV",
    "KIND_JSON",
    "KIND_PARQUET",
    "MODEL_ERROR_MESSAGE",
    "NESTED_TOO_DEEP_MESSAGE",
    "RequestScorer",
    "error_body",
    "validate_serving_input",
]

_logger = logging.getLogger("workbench.serving")

#: Request body kinds, one byte each (the server's frames to its workers start with one).
KIND_JSON = b"j"
KIND_CSV = b"c"
KIND_PARQUET = b"p"

#: The 400 message for a model whose ``predict`` raised: the details go to the log, never to
#: the client (they may hold data or paths).
MODEL_ERROR_MESSAGE = (
    "Encountered an unexpected error while evaluating the model. Verify that the input is "
    "compatible with the model for inference; the server's log has the details."
)
#: The 400 message for a body nested too deeply for the parser.
NESTED_TOO_DEEP_MESSAGE = (
    "Invalid input. The request body is nested too deeply to be read. Send at most a few "
    "hundred levels of nested lists and objects."
)

#: Longest error message (in characters) a response carries; the parsers already echo at
#: most ``MAX_ECHO`` characters of the body, this only bounds what a model's own error says.
MAX_MESSAGE = 4096


def error_body(error_code: str, message: str) -> bytes:
    """Return MLflow's error JSON, ``{"error_code": ..., "message": ...}``, as bytes.

    Examples
    --------
    >>> error_body("BAD_REQUEST", "Invalid input.")
    b'{"error_code": "BAD_REQUEST", "message": "Invalid input."}'
    """
    if len(message) > MAX_MESSAGE:
        message = f"{message[:MAX_MESSAGE]}... ({len(message) - MAX_MESSAGE} more characters)"
    return json.dumps({"error_code": error_code, "message": message}).encode("utf-8")


class RequestScorer:
    """Parse, predict and encode ``/invocations`` bodies for one loaded model.

    Parameters
    ----------
    model : PyFuncModel
        A loaded model (:func:`workbench.pyfunc.load_model`).

    Examples
    --------
    >>> import pandas as pd, tempfile
    >>> import workbench.pyfunc
    >>> class Double(workbench.pyfunc.PythonModel):
    ...     def predict(self, context, model_input, params=None):
    ...         return model_input * 2
    >>> path = tempfile.mkdtemp() + "/m"
    >>> workbench.pyfunc.save_model(path, python_model=Double(),
    ...                             input_example=pd.DataFrame({"x": [1.0]}))
    >>> scorer = RequestScorer(workbench.pyfunc.load_model(path))
    >>> scorer(KIND_JSON, b'{"dataframe_records": [{"x": 2.5}]}')
    (200, b'{"predictions": [{"x": 5.0}]}')
    >>> scorer(KIND_JSON, b'[1]')[0]
    400
    """

    def __init__(self, model: Any, *, fast_path: bool = True) -> None:
        meta = model.metadata
        self.model = model
        self.input_schema = meta.get_input_schema() if meta is not None else None
        self.params_schema = meta.get_params_schema() if meta is not None else None
        self.from_type_hint = bool(meta is not None and meta._is_signature_from_type_hint())
        self._numeric = _numeric_plan(self) if fast_path else None

    def parse(self, kind: bytes, body: Any) -> tuple[Any, dict[str, Any] | None, bool]:
        """Return ``(data, params, unwrap)`` for a body of ``kind``, cast to the signature.

        Raises
        ------
        WorkbenchException
            ``BAD_REQUEST`` (or ``INVALID_PARAMETER_VALUE``) with the server's 400 message.
        """
        from workbench.models._serving_input import (
            _decode_json_object,
            _is_llm_input,
            parse_csv_input,
            parse_serving_input,
        )

        if kind == KIND_JSON and isinstance(body, (bytes, bytearray)):
            # as text, so that an error echoes the body as the client wrote it; bytes that are
            # not UTF-8 stay bytes and the JSON parser reports them
            with contextlib.suppress(UnicodeDecodeError):
                body = bytes(body).decode("utf-8")
        try:
            if kind == KIND_JSON:
                decoded = _decode_json_object(body)
                data, params = parse_serving_input(
                    decoded,
                    self.input_schema,
                    params_schema=self.params_schema,
                    from_type_hint=self.from_type_hint,
                )
                return data, params, _is_llm_input(decoded)
            if kind == KIND_CSV:
                return parse_csv_input(body, self.input_schema), None, False
            if kind == KIND_PARQUET:
                return _read_parquet(body), None, False
        except RecursionError:
            raise WorkbenchException(NESTED_TOO_DEEP_MESSAGE, error_code=BAD_REQUEST) from None
        raise ValueError(f"unknown body kind {kind!r}")

    def predict(self, kind: bytes, body: Any) -> tuple[Any, bool]:
        """Return ``(predictions, unwrap)``: what the model's ``predict`` returned for the body.

        Raises
        ------
        WorkbenchException
            The server's 400 errors: the body's (:meth:`parse`), or
            :data:`MODEL_ERROR_MESSAGE` when the model raised (the model's own exception
            is chained as ``__cause__``; a ``WorkbenchException`` from the model passes as is).
        """
        if kind == KIND_JSON and self._numeric is not None and not isinstance(body, dict):
            try:
                decoded = json.loads(body)
            except (ValueError, TypeError, RecursionError):
                decoded = None  # the parser below says what is wrong, in its words
            if isinstance(decoded, dict):
                frame = self._numeric.frame(decoded)
                if frame is not None:
                    return self._predict_conforming(frame), False
                body = decoded  # parse it once only
        data, params, unwrap = self.parse(kind, body)
        return _run_model(self.model.predict, data, params), unwrap

    def _predict_conforming(self, frame: Any) -> Any:
        """Predict on a frame that already is exactly what schema enforcement would return.

        Enforcing such a frame again would rebuild it column by column to the same result,
        which costs more than a small prediction itself; so the model implementation is
        called directly, with the same params handling as ``PyFuncModel.predict``.
        """
        from workbench.models._pyfunc import _call_with_params

        def call(data: Any, params: Any) -> Any:
            return _call_with_params(self.model._predict_fn, data, params)

        return _run_model(call, frame, None)

    def __call__(self, kind: bytes, body: bytes) -> tuple[int, bytes]:
        """Answer one request: ``(HTTP status, JSON body)``. Never raises."""
        from workbench.models._predict import predictions_to_json

        try:
            predictions, unwrap = self.predict(kind, body)
            return 200, predictions_to_json(predictions, unwrap=unwrap).encode("utf-8")
        except WorkbenchException as err:
            if err.message == MODEL_ERROR_MESSAGE and err.__cause__ is not None:
                _logger.error("The model failed to predict", exc_info=err.__cause__)
            return err.get_http_status_code(), error_body(err.error_code, err.message)
        except RecursionError:
            return 400, error_body(BAD_REQUEST, NESTED_TOO_DEEP_MESSAGE)
        except Exception:  # noqa: BLE001 - encoding the answer failed; logged, not sent
            _logger.exception("The predictions could not be encoded as JSON")
            return 400, error_body(BAD_REQUEST, MODEL_ERROR_MESSAGE)


def _run_model(predict: Any, data: Any, params: Any) -> Any:
    """Call ``predict(data, params)``; a model's own failure becomes the server's 400 error."""
    try:
        return predict(data, params=params)
    except WorkbenchException:
        raise
    except RecursionError:
        raise WorkbenchException(NESTED_TOO_DEEP_MESSAGE, error_code=BAD_REQUEST) from None
    except Exception as err:
        raise WorkbenchException(MODEL_ERROR_MESSAGE, error_code=BAD_REQUEST) from err


class _NumericFrames:
    """The fast road for the commonest request: numeric columns, named by the signature.

    For a model whose signature is named ``double`` / ``float`` / ``long`` columns (a
    :class:`~workbench.pyfunc.PyFuncModel` without params), a ``dataframe_split`` body whose
    ``columns`` are exactly the signature's, in order, or a ``dataframe_records`` body whose
    records hold exactly those keys, with numbers only (no null, NaN, text or ragged rows;
    whole numbers in ``long`` columns),
    becomes the DataFrame that parsing and enforcement would have built, in one numpy call.
    Anything else (:meth:`frame` returns None) takes the general road, which also gives
    every error its message. ``tests/serving/test_fast_path.py`` checks the two roads agree.
    """

    def __init__(self, names: list[str], dtypes: list[Any]) -> None:
        self.names = names
        self.dtypes = dtypes
        self.key_set = set(names)
        self.integer = [dtype.kind == "i" for dtype in dtypes]
        self.same = all(dtype == dtypes[0] for dtype in dtypes)

    def frame(self, body: dict[str, Any]) -> Any:
        import numpy as np
        import pandas as pd

        if len(body) != 1:
            return None
        ((key, value),) = body.items()
        if key == "dataframe_split":
            if not isinstance(value, dict) or set(value) != {"columns", "data"}:
                return None
            if value["columns"] != self.names or not isinstance(value["data"], list):
                return None
            rows = value["data"]
        elif key == "dataframe_records":
            if not isinstance(value, list) or not value:
                return None
            names, key_set = self.names, self.key_set
            try:
                if not all(type(r) is dict and r.keys() == key_set for r in value):
                    return None
                rows = [[r[n] for n in names] for r in value]
            except (TypeError, KeyError):
                return None
        else:
            return None
        try:
            array = np.array(rows)
        except (ValueError, TypeError, OverflowError):
            return None
        if array.ndim != 2 or array.shape[0] == 0 or array.shape[1] != len(self.names):
            return None
        if array.dtype.kind == "f":
            if not np.isfinite(array).all():
                return None  # NaN and inf: the general road decides
            if any(self.integer):
                whole = array[:, self.integer]
                if not (np.trunc(whole) == whole).all() or (np.abs(whole) >= 2.0**63).any():
                    return None  # fractions or overflow in integer columns: likewise
        elif array.dtype.kind != "i":
            return None  # text, null, bool-only or huge integers
        if self.same:
            return pd.DataFrame(array.astype(self.dtypes[0], copy=False), columns=self.names)
        return pd.DataFrame(
            {name: array[:, i].astype(dtype) for i, (name, dtype) in enumerate(zip(self.names, self.dtypes))}
        )


def _numeric_plan(scorer: RequestScorer) -> _NumericFrames | None:
    """The fast road for ``scorer``'s model, or None when its signature or type does not allow it."""
    import numpy as np

    from workbench.models._pyfunc import PyFuncModel
    from workbench.types import ColSpec, DataType

    schema = scorer.input_schema
    if type(scorer.model) is not PyFuncModel or scorer.from_type_hint or scorer.params_schema is not None:
        return None
    if schema is None or schema.is_tensor_spec() or not schema.has_input_names():
        return None
    numeric = {DataType.double: np.float64, DataType.float: np.float32, DataType.long: np.int64}
    specs = schema.inputs
    if not specs or not all(
        isinstance(s, ColSpec) and isinstance(s.type, DataType) and s.type in numeric for s in specs
    ):
        return None
    names = [spec.name for spec in specs]
    if len(set(names)) != len(names):
        return None
    return _NumericFrames(names, [np.dtype(numeric[spec.type]) for spec in specs])


def _read_parquet(body: bytes) -> Any:
    import io

    import pandas as pd

    from workbench.models._serving_input import _echo

    try:
        return pd.read_parquet(io.BytesIO(body))
    except Exception as err:
        raise WorkbenchException(
            "Failed to parse input as a Pandas DataFrame. Ensure that the input is a valid "
            "Parquet file written by `pandas.DataFrame.to_parquet()`. Error: "
            f"'{_echo(err)}'",
            error_code=BAD_REQUEST,
        ) from err


def validate_serving_input(model_uri: str | os.PathLike, serving_input: str | bytes | dict[str, Any]) -> Any:
    """Check that a model can be served and that a request body fits it; return the predictions.

    The body goes through the scoring server's own parsing and schema enforcement
    (:class:`RequestScorer`), in this process and without starting a server: what this
    returns is what ``POST /invocations`` with the same JSON body would predict, and what
    it raises carries the message of the server's 400 answer.

    Parameters
    ----------
    model_uri : str or os.PathLike
        The model: a directory, ``file://``, ``runs:/`` or ``models:/`` URI.
    serving_input : str, bytes or dict
        The JSON request body (e.g. from
        :func:`~workbench.models.convert_input_example_to_serving_input`), or that body
        already decoded to a dict.

    Returns
    -------
    object
        What the model's ``predict`` returned (a DataFrame, ndarray, list, ...).

    Raises
    ------
    WorkbenchException
        ``INVALID_PARAMETER_VALUE`` when ``serving_input`` is not a str, bytes or dict;
        ``BAD_REQUEST`` (the server's 400 message) when the body does not fit the protocol
        or the signature, or the model raised (its exception is the ``__cause__``);
        the model loader's errors when the model cannot be loaded.

    Examples
    --------
    >>> import pandas as pd, tempfile
    >>> from sklearn.linear_model import LinearRegression
    >>> import workbench.sklearn
    >>> from workbench.models import convert_input_example_to_serving_input
    >>> X = pd.DataFrame({"x": [1.0, 2.0, 3.0]})
    >>> path = tempfile.mkdtemp() + "/model"
    >>> workbench.sklearn.save_model(LinearRegression().fit(X, [2.0, 4.0, 6.0]), path,
    ...                              input_example=X.head(1))
    >>> serving_input = convert_input_example_to_serving_input(pd.DataFrame({"x": [5.0]}))
    >>> validate_serving_input(path, serving_input).round(6).tolist()
    [10.0]
    >>> validate_serving_input(path, {"dataframe_records": [{"y": 1.0}]})
    Traceback (most recent call last):
    ...
    workbench._exceptions.WorkbenchException: Failed to enforce the model's input schema ... Model is missing inputs ['x']. ...
    """
    if not isinstance(serving_input, (str, bytes, bytearray, dict)):
        raise WorkbenchException(
            "Expected serving_input as a JSON string or a dict (a scoring request body such as "
            "{'dataframe_split': ...} or {'inputs': ...}), got "
            f"{type(serving_input).__name__}. Use "
            "workbench.models.convert_input_example_to_serving_input(data) to make one.",
            error_code=INVALID_PARAMETER_VALUE,
        )
    from workbench.models._pyfunc import load_model

    scorer = RequestScorer(load_model(model_uri))
    body = bytes(serving_input) if isinstance(serving_input, bytearray) else serving_input
    predictions, _ = scorer.predict(KIND_JSON, body)
    return predictions
