"""The scoring server as a FastAPI application: :func:`create_app`.

MLflow's scoring protocol, so a client of ``mlflow models serve`` works unchanged:

- ``GET /ping``, ``GET /health``: 200 (body ``"\\n"``) once a worker has loaded the model,
  503 before (MLflow answers 200 as soon as its single process has loaded the model);
- ``GET /version``: the workbench version, as text;
- ``POST /invocations``: a JSON body with exactly one of ``dataframe_split``,
  ``dataframe_records``, ``instances``, ``inputs`` (plus ``params``), a ``text/csv`` body or
  an ``application/vnd.apache.parquet`` body; the answer is ``{"predictions": ...}``.

Errors are MLflow's JSON, ``{"error_code": ..., "message": ...}``, without stack traces:
400 (bad input), 413 (body over the cap, see :mod:`workbench.serving._limits`), 415 (content
type or charset), 503 (pool full, with Retry-After; a worker that died mid-request; model not
loaded yet), 504 (past the timeout; the worker running it is killed and replaced). The pool
is in :mod:`workbench.serving._predict_worker`.
"""

from __future__ import annotations

import contextlib
import copy
import os
from collections.abc import AsyncIterator
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from workbench.serving._limits import DEFAULT_MAX_BODY_BYTES, BodyLimit
from workbench.serving._predict_worker import (
    KIND_CSV,
    KIND_JSON,
    KIND_PARQUET,
    PoolTimeout,
    PoolUnavailable,
    WorkerPool,
    error_body,
    pickled_model,
)

CONTENT_TYPE_JSON = "application/json"
CONTENT_TYPE_CSV = "text/csv"
CONTENT_TYPE_PARQUET = "application/vnd.apache.parquet"
#: The media types /invocations accepts, as MLflow 3.17.2 lists them.
CONTENT_TYPES = (CONTENT_TYPE_CSV, CONTENT_TYPE_JSON, CONTENT_TYPE_PARQUET)
_KINDS = {CONTENT_TYPE_JSON: KIND_JSON, CONTENT_TYPE_CSV: KIND_CSV, CONTENT_TYPE_PARQUET: KIND_PARQUET}

DEFAULT_MAX_QUEUE = 64

_JSON = "application/json"
_NEWLINE = b"\n"


def _media_type_error(content_type: str | None) -> str | None:
    """Return why ``content_type`` is refused (415), or None when it is accepted."""
    if content_type is None:
        return (
            "The request has no Content-Type header. This predictor only supports the "
            f"following content types: {list(CONTENT_TYPES)}."
        )
    mime, *parameters = (part.strip() for part in content_type.split(";"))
    names: dict[str, str] = {}
    for pair in parameters:
        key, _, value = pair.partition("=")
        names[key.strip().lower()] = value.strip().strip('"')
    if names.get("charset", "utf-8").lower() != "utf-8":
        return "The scoring server only supports UTF-8 request bodies (charset=utf-8)."
    unknown = sorted(set(names) - {"charset"})
    if unknown:
        return f"Unrecognized content type parameters: {', '.join(unknown)[:256]}."
    if mime.lower() not in _KINDS:
        return (
            f"This predictor only supports the following content types: {list(CONTENT_TYPES)}. "
            f"Got '{content_type[:256]}'."
        )
    return None


def _kind(content_type: str) -> bytes:
    return _KINDS[content_type.split(";", 1)[0].strip().lower()]


def _error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> Response:
    return Response(error_body(code, message), status_code=status, media_type=_JSON, headers=headers)


def create_app(
    model_uri_or_model: Any,
    *,
    timeout: float = 60,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    max_queue: int = DEFAULT_MAX_QUEUE,
    workers: int = 1,
) -> FastAPI:
    """Build the scoring server's ASGI application for a model.

    Parameters
    ----------
    model_uri_or_model : str, os.PathLike or PyFuncModel
        The model directory (or a URI :func:`workbench.pyfunc.load_model` takes), which each
        worker loads; or a loaded model, which is cloudpickled to the workers.
    timeout : float, default 60
        Seconds a prediction may run on a worker (parsing and encoding included); past it
        the answer is 504 and the worker is killed and replaced. A request also gets 504
        after waiting this long for a busy worker (but waits on while its worker restarts).
    max_body_bytes : int, default 8 MiB
        Larger request bodies are refused with 413 before they are parsed.
    max_queue : int, default 64
        Requests that may wait for a busy worker; more get 503 with ``Retry-After``.
    workers : int, default 1
        Worker processes, each holding the model and predicting one request at a time.

    Returns
    -------
    fastapi.FastAPI
        Its lifespan starts and stops the worker processes (uvicorn runs it; an in-process
        client must enter ``app.router.lifespan_context(app)``). ``app.state.pool`` is the
        :class:`~workbench.serving._predict_worker.WorkerPool`.
    """
    if timeout <= 0:
        raise ValueError(f"timeout must be positive, got {timeout}")
    if max_body_bytes <= 0:
        raise ValueError(f"max_body_bytes must be positive, got {max_body_bytes}")
    if max_queue < 0:
        raise ValueError(f"max_queue must be at least 0, got {max_queue}")
    if isinstance(model_uri_or_model, (str, os.PathLike)):
        source: Any = os.fspath(model_uri_or_model)
    else:
        source = pickled_model(model_uri_or_model)
    pool = WorkerPool(source, workers=workers, timeout=timeout, max_queue=max_queue)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await pool.start()
        try:
            yield
        finally:
            await pool.close()

    from workbench import __version__

    app = FastAPI(
        title="workbench scoring server",
        version=__version__,
        description="MLflow's model scoring protocol, served by workbench.",
        lifespan=lifespan,
    )
    invocations_doc = _invocations_doc(_input_schema(model_uri_or_model))
    app.state.pool = pool
    app.add_middleware(BodyLimit, max_body_bytes=max_body_bytes)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        code = {404: "ENDPOINT_NOT_FOUND", 405: "BAD_REQUEST"}.get(exc.status_code, "BAD_REQUEST")
        return _error(exc.status_code, code, str(exc.detail), getattr(exc, "headers", None))

    async def ping() -> Response:
        if pool.ready:
            return Response(_NEWLINE, status_code=200, media_type=_JSON)
        if pool.load_error is not None:
            return _error(503, "TEMPORARILY_UNAVAILABLE", pool.load_error)
        return _error(503, "TEMPORARILY_UNAVAILABLE", "The model is not loaded yet: no worker is ready.")

    health_doc = {
        "responses": {
            "200": {"description": "A worker has loaded the model.", "content": {_JSON: {"schema": {"type": "string"}}}},
            "503": _ERROR_RESPONSE | {"description": "No worker is ready yet."},
        }
    }
    app.get("/ping", summary="Health check", openapi_extra=health_doc, response_class=Response)(ping)
    app.get("/health", summary="Health check (same as /ping)", openapi_extra=health_doc, response_class=Response)(ping)

    @app.get(
        "/version",
        summary="The server's workbench version",
        response_class=Response,
        openapi_extra={"responses": {"200": {"description": "The version.", "content": {"text/plain": {"schema": {"type": "string"}}}}}},
    )
    async def version() -> Response:
        return Response(__version__, status_code=200, media_type="text/plain")

    @app.post(
        "/invocations",
        summary="Predict",
        response_class=Response,
        openapi_extra=invocations_doc,
    )
    async def invocations(request: Request) -> Response:
        content_type = request.headers.get("content-type")
        refused = _media_type_error(content_type)
        if refused is not None:
            return _error(415, "BAD_REQUEST", refused)
        body = await request.body()
        try:
            status, payload = await pool.submit(_kind(content_type), body)  # type: ignore[arg-type]
        except PoolTimeout:
            return _error(
                504,
                "DEADLINE_EXCEEDED",
                f"Request processing time exceeded the limit of {pool.timeout:g} seconds.",
            )
        except PoolUnavailable as err:
            headers = None if err.retry_after is None else {"Retry-After": str(err.retry_after)}
            return _error(503, "TEMPORARILY_UNAVAILABLE", str(err), headers)
        return Response(payload, status_code=status, media_type=_JSON)

    return app


# --------------------------------------------------------------------------- OpenAPI

_ERROR_SCHEMA = {
    "type": "object",
    "required": ["error_code", "message"],
    "properties": {"error_code": {"type": "string"}, "message": {"type": "string"}},
}
_ERROR_RESPONSE: dict[str, Any] = {"description": "An error.", "content": {_JSON: {"schema": _ERROR_SCHEMA}}}

_PARAMS = {"type": "object", "description": "Inference params, checked against the model's params schema."}
_ROWS = {"type": "array", "description": "Rows, each a list of cell values.", "items": {"type": "array"}}


def _one_input(key: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "required": [key],
        "properties": {key: schema, "params": _PARAMS},
        # Other keys are ignored, as MLflow ignores them; a second input key still breaks
        # the oneOf, because the body then matches two branches.
    }


def _input_schema(model_uri_or_model: Any) -> Any:
    """The model's input schema, read from MLmodel (the server never loads the model itself)."""
    try:
        if isinstance(model_uri_or_model, (str, os.PathLike)):
            from workbench.models._model import Model

            return Model.load(model_uri_or_model).get_input_schema()
        return model_uri_or_model.metadata.get_input_schema()
    except Exception:  # noqa: BLE001 - the document then describes any record
        return None


# What a JSON record may hold for each column type. Like MLflow's scoring server, parsing casts
# records to the signature's types, so JSON booleans are accepted (as 1/0) in numeric columns.
_NUMBER_OR_BOOLEAN = {"anyOf": [{"type": "number"}, {"type": "boolean"}]}
_JSON_TYPES = {
    "boolean": {"type": "boolean"},
    "integer": {"anyOf": [{"type": "integer"}, {"type": "boolean"}]},
    "long": {"anyOf": [{"type": "integer"}, {"type": "boolean"}]},
    "float": _NUMBER_OR_BOOLEAN,
    "double": _NUMBER_OR_BOOLEAN,
    "string": {"type": "string"},
    "binary": {"type": "string", "description": "base64"},
    "datetime": {"type": "string", "description": "ISO 8601"},
}


def _record_schema(input_schema: Any) -> dict[str, Any]:
    """One row as a JSON object: the signature's named scalar columns, or any object."""
    from workbench.types import ColSpec, DataType

    inputs = getattr(input_schema, "inputs", None) or []
    if not inputs or not all(isinstance(spec, ColSpec) and spec.name for spec in inputs):
        return {"type": "object"}
    properties = {
        spec.name: dict(_JSON_TYPES[spec.type.name]) if isinstance(spec.type, DataType) else {}
        for spec in inputs
    }
    required = [spec.name for spec in inputs if spec.required]
    return {"type": "object", "properties": properties, "required": required}


def _json_body(record: dict[str, Any]) -> dict[str, Any]:
    return {
        "description": "Exactly one of the input keys, plus optional params (MLflow's protocol).",
        "oneOf": [
            _one_input(
                "dataframe_split",
                {
                    "type": "object",
                    "required": ["data"],
                    "properties": {
                        "columns": {"type": "array", "items": {"type": "string"}},
                        "data": _ROWS,
                        "index": {"type": "array"},
                    },
                    "additionalProperties": False,
                },
            ),
            _one_input("dataframe_records", {"type": "array", "items": record}),
            _one_input("instances", {"type": "array", "items": record}),
            _one_input("inputs", {}),
        ],
    }


def _invocations_doc(input_schema: Any) -> dict[str, Any]:
    doc = copy.deepcopy(_INVOCATIONS_DOC)
    doc["requestBody"]["content"][_JSON]["schema"] = _json_body(_record_schema(input_schema))
    return doc


_INVOCATIONS_DOC: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            _JSON: {"schema": {}},  # filled in by _invocations_doc
            CONTENT_TYPE_CSV: {"schema": {"type": "string", "description": "A DataFrame as DataFrame.to_csv(index=False) writes it."}},
            CONTENT_TYPE_PARQUET: {"schema": {"type": "string", "format": "binary"}},
        },
    },
    "responses": {
        "200": {
            "description": "The predictions.",
            "content": {
                _JSON: {
                    "schema": {
                        "type": "object",
                        "required": ["predictions"],
                        "properties": {"predictions": {}},
                    }
                }
            },
        },
        "400": _ERROR_RESPONSE | {"description": "The body does not fit the protocol or the model's signature."},
        "413": _ERROR_RESPONSE | {"description": "The body is larger than the server accepts."},
        "415": _ERROR_RESPONSE | {"description": "Unsupported content type or charset."},
        "503": _ERROR_RESPONSE
        | {
            "description": "Busy (with Retry-After), not ready, or the worker died mid-request.",
            "headers": {"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds."}},
        },
        "504": _ERROR_RESPONSE | {"description": "The prediction took longer than the timeout."},
    },
}
