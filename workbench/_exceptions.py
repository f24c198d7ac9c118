"""Exceptions raised by workbench.

Every error that workbench raises on purpose is a :class:`WorkbenchException` (the
twin of ``mlflow.exceptions.MlflowException``) carrying one of MLflow's error codes,
so that the scoring server, the CLI and callers can map it to an HTTP status or an
exit code without parsing the message::

    Exception
    └── WorkbenchException            error_code: one of ERROR_CODES
        └── (more specific errors are added by the layers that raise them)

The codes and their HTTP statuses follow MLflow's ``databricks_pb2.ErrorCode`` and
``MlflowException.get_http_status_code``.
"""

from __future__ import annotations

import json
from typing import Any

INTERNAL_ERROR = "INTERNAL_ERROR"
TEMPORARILY_UNAVAILABLE = "TEMPORARILY_UNAVAILABLE"
IO_ERROR = "IO_ERROR"
BAD_REQUEST = "BAD_REQUEST"
INVALID_PARAMETER_VALUE = "INVALID_PARAMETER_VALUE"
ENDPOINT_NOT_FOUND = "ENDPOINT_NOT_FOUND"
MALFORMED_REQUEST = "MALFORMED_REQUEST"
INVALID_STATE = "INVALID_STATE"
PERMISSION_DENIED = "PERMISSION_DENIED"
FEATURE_DISABLED = "FEATURE_DISABLED"
REQUEST_LIMIT_EXCEEDED = "REQUEST_LIMIT_EXCEEDED"
RESOURCE_DOES_NOT_EXIST = "RESOURCE_DOES_NOT_EXIST"
RESOURCE_ALREADY_EXISTS = "RESOURCE_ALREADY_EXISTS"
RESOURCE_CONFLICT = "RESOURCE_CONFLICT"
RESOURCE_EXHAUSTED = "RESOURCE_EXHAUSTED"
NOT_FOUND = "NOT_FOUND"
DEADLINE_EXCEEDED = "DEADLINE_EXCEEDED"
NOT_IMPLEMENTED = "NOT_IMPLEMENTED"
UNAUTHENTICATED = "UNAUTHENTICATED"
ABORTED = "ABORTED"
CANCELLED = "CANCELLED"
DATA_LOSS = "DATA_LOSS"

#: error code -> HTTP status, as MLflow maps them.
HTTP_STATUS = {
    INTERNAL_ERROR: 500,
    TEMPORARILY_UNAVAILABLE: 503,
    IO_ERROR: 500,
    BAD_REQUEST: 400,
    INVALID_PARAMETER_VALUE: 400,
    ENDPOINT_NOT_FOUND: 404,
    MALFORMED_REQUEST: 500,  # MLflow maps it to 500 (absent from its table); kept for parity
    INVALID_STATE: 500,  # likewise
    PERMISSION_DENIED: 403,
    FEATURE_DISABLED: 500,  # likewise
    REQUEST_LIMIT_EXCEEDED: 429,
    RESOURCE_DOES_NOT_EXIST: 404,
    RESOURCE_ALREADY_EXISTS: 400,
    RESOURCE_CONFLICT: 409,
    RESOURCE_EXHAUSTED: 429,
    NOT_FOUND: 404,
    DEADLINE_EXCEEDED: 504,
    NOT_IMPLEMENTED: 501,
    UNAUTHENTICATED: 401,
    ABORTED: 409,
    CANCELLED: 499,
    DATA_LOSS: 500,
}

ERROR_CODES = frozenset(HTTP_STATUS)


class WorkbenchException(Exception):
    """An error raised by workbench, with one of MLflow's error codes.

    Parameters
    ----------
    message : str or Exception
        What went wrong, what was expected and what to do instead.
    error_code : str, default "INTERNAL_ERROR"
        One of MLflow's error code names (``ERROR_CODES``).
    **kwargs
        Extra fields kept in :attr:`json_kwargs` and added to :meth:`serialize_as_json`.

    Examples
    --------
    >>> from workbench import WorkbenchException
    >>> err = WorkbenchException("bad value", error_code="INVALID_PARAMETER_VALUE")
    >>> err.error_code, err.get_http_status_code()
    ('INVALID_PARAMETER_VALUE', 400)
    >>> err.serialize_as_json()
    '{"error_code": "INVALID_PARAMETER_VALUE", "message": "bad value"}'
    """

    def __init__(self, message: Any, error_code: str = INTERNAL_ERROR, **kwargs: Any) -> None:
        if error_code not in ERROR_CODES:
            raise ValueError(
                f"error_code must be one of {sorted(ERROR_CODES)}, got {error_code!r}"
            )
        self.message = str(message)
        self.error_code = error_code
        self.json_kwargs = kwargs
        super().__init__(self.message)

    def serialize_as_json(self) -> str:
        """Return ``{"error_code": ..., "message": ...}`` (plus extra fields) as JSON."""
        return json.dumps({"error_code": self.error_code, "message": self.message, **self.json_kwargs})

    def get_http_status_code(self) -> int:
        """Return the HTTP status that MLflow uses for this error code."""
        return HTTP_STATUS[self.error_code]

    @classmethod
    def invalid_parameter_value(cls, message: Any, **kwargs: Any) -> "WorkbenchException":
        """Build an ``INVALID_PARAMETER_VALUE`` error."""
        return cls(message, error_code=INVALID_PARAMETER_VALUE, **kwargs)
