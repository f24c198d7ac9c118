"""The scalar data types of a column, a property or a parameter: :class:`DataType`.

The member names, their integer values and their order are MLflow's, because the names are
what signatures store (``{"type": "long"}``) and the order is what ``from_numpy_type`` walks.
Each member knows its numpy, pandas and Python equivalents. The mapping is MLflow's, quirks
included, because enforcement compares against it: strings and bytes are ``object`` in pandas
(we do not use pandas' extension dtypes, most downstream code expects numpy ones), and the
Python type of ``datetime`` is :class:`datetime.date` (so a ``date`` *and* a ``datetime``
pass an ``isinstance`` check).
"""

from __future__ import annotations

import builtins
import datetime as _dt
import enum
from typing import Any

import numpy as np

__all__ = ["DataType"]


class DataType(enum.Enum):
    """A scalar data type, as named in model signatures.

    Examples
    --------
    >>> from workbench.types import DataType
    >>> DataType.long, DataType["double"], DataType(3)
    (long, double, long)
    >>> str(DataType.long)
    'DataType.long'
    >>> DataType.float.to_numpy(), DataType.string.to_pandas(), DataType.long.to_python()
    (dtype('float32'), <class 'object'>, <class 'int'>)
    >>> DataType.from_numpy_type(np.dtype("int64"))
    long
    >>> DataType.from_numpy_type(np.dtype("complex128")) is None
    True
    """

    boolean = 1
    """Logical values (True, False)."""
    integer = 2
    """32-bit signed integers."""
    long = 3
    """64-bit signed integers."""
    float = 4
    """32-bit floating point numbers."""
    double = 5
    """64-bit floating point numbers."""
    string = 6
    """Text."""
    binary = 7
    """Raw bytes."""
    datetime = 8
    """Timestamps (nanosecond precision in numpy and pandas)."""

    def __repr__(self) -> str:
        return self.name

    def to_numpy(self) -> np.dtype:
        """Return the equivalent numpy dtype (``numpy.dtype('int64')`` for ``long``)."""
        return _NUMPY[self]

    def to_pandas(self) -> np.dtype | type:
        """Return the equivalent pandas dtype (the ``object`` type for string and binary)."""
        return _PANDAS[self]

    def to_python(self) -> type:
        """Return the equivalent Python type (``datetime.date`` for ``datetime``)."""
        return _PYTHON[self]

    @classmethod
    def check_type(cls, data_type: DataType, value: Any) -> bool:
        """Tell whether ``type(value)`` is exactly one of ``data_type``'s types.

        The accepted types are the numpy, pandas and Python equivalents, plus
        ``numpy.datetime64`` and ``datetime.datetime`` for ``datetime`` and ``bytearray``
        for ``binary``. The test is on the exact type (no subclasses), so ``True`` is not a
        ``long``.

        Examples
        --------
        >>> DataType.check_type(DataType.long, 3), DataType.check_type(DataType.long, True)
        (True, False)
        >>> DataType.check_type(DataType.double, np.float64(1.5))
        True
        """
        accepted: list[Any] = [data_type.to_numpy(), data_type.to_pandas(), data_type.to_python()]
        if data_type is DataType.datetime:
            accepted += [np.datetime64, _dt.datetime]
        elif data_type is DataType.binary:
            accepted.append(bytearray)
        # ``in`` compares with ==, and a numpy dtype equals the scalar type it describes
        # (np.dtype("int64") == np.int64), which is what lets numpy scalars through.
        return type(value) in accepted

    @classmethod
    def all_types(cls) -> list[DataType]:
        """Return every member, in order."""
        return list(cls)

    @classmethod
    def from_numpy_type(cls, np_type: Any) -> DataType | None:
        """Return the first member whose numpy dtype equals ``np_type``, or None."""
        for member in cls:
            if member.to_numpy() == np_type:
                return member
        return None


_NUMPY = {
    DataType.boolean: np.dtype("bool"),
    DataType.integer: np.dtype("int32"),
    DataType.long: np.dtype("int64"),
    DataType.float: np.dtype("float32"),
    DataType.double: np.dtype("float64"),
    DataType.string: np.dtype("str"),
    DataType.binary: np.dtype("bytes"),
    DataType.datetime: np.dtype("datetime64[ns]"),
}

_PANDAS = {**_NUMPY, DataType.string: object, DataType.binary: object}

_PYTHON = {
    DataType.boolean: bool,
    DataType.integer: int,
    DataType.long: int,
    DataType.float: builtins.float,
    DataType.double: builtins.float,
    DataType.string: str,
    DataType.binary: bytes,
    DataType.datetime: _dt.date,
}


def parse_datatype(value: Any, what: str) -> Any:
    """Turn a DataType name into the member; return anything else unchanged.

    ``what`` names the argument in the error message.
    """
    if not isinstance(value, str):
        return value
    try:
        return DataType[value]
    except KeyError:
        from workbench.types._errors import invalid

        names = [t.name for t in DataType]
        raise invalid(
            f"Unsupported type name {value!r} for {what}: expected a DataType, Array, Object, "
            f"Map, AnyType or one of the type names {names}."
        ) from None
