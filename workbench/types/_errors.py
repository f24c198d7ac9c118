"""Error helpers shared by the ``workbench.types`` modules.

MLflow raises a plain ``TypeError`` in a few constructors (a ``ColSpec`` type that is not a
type, a ``TensorSpec`` dtype that is not a ``numpy.dtype``). We raise
:class:`SpecTypeError`, which is both a :class:`~workbench.WorkbenchException` (our rule for
errors raised on purpose) and a ``TypeError`` (so code written for MLflow that catches
``TypeError`` keeps working).
"""

from __future__ import annotations

from workbench._exceptions import INVALID_PARAMETER_VALUE, WorkbenchException


class SpecTypeError(WorkbenchException, TypeError):
    """A spec was given an argument of the wrong kind (a ``TypeError`` too)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, error_code=INVALID_PARAMETER_VALUE)


def invalid(message: str) -> WorkbenchException:
    """Return an ``INVALID_PARAMETER_VALUE`` :class:`WorkbenchException` to raise."""
    return WorkbenchException(message, error_code=INVALID_PARAMETER_VALUE)
