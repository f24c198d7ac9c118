"""The shared behaviour of the curve and table records: strict JSON dicts, equality, repr.

A record is a frozen dataclass whose array fields are made read-only float64 (or int64)
copies when it is built, so a record owns its data and cannot be changed. ``to_dict()``
gives strict JSON with a ``"kind"`` key (floats through :mod:`._json_floats`: non-finite
ones become the strings ``"Infinity"``, ``"-Infinity"``, ``"NaN"``) and ``from_dict``
inverts it; two records are equal when every field is (NaN equal to NaN), and the repr
shows the arrays' shapes, not their values.

Examples
--------
>>> from workbench.evaluation._curve_records import RocCurve
>>> c = RocCurve(fpr=[0, 1], tpr=[0, 1], thresholds=[np.inf, 0.5], auc=0.5)
>>> c.to_dict()["thresholds"], RocCurve.from_dict(c.to_dict()) == c
(['Infinity', 0.5], True)
>>> c
RocCurve(fpr=<float64 2>, tpr=<float64 2>, thresholds=<float64 2>, auc=0.5, label=None, n_total=0)
>>> c.fpr.flags.writeable
False
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any, ClassVar

import numpy as np

from workbench._exceptions import WorkbenchException
from workbench.evaluation._json_floats import (
    decode_float,
    decode_floats,
    encode_float,
    encode_floats,
)

__all__ = ["DataRecord"]


def _frozen_array(value: Any, dtype: Any = np.float64) -> np.ndarray:
    a = np.array(value, dtype=dtype)  # a copy: the record owns its data
    a.flags.writeable = False
    return a


def _arrays_equal(a: Any, b: Any) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        a, b = np.asarray(a), np.asarray(b)
        if a.shape != b.shape:
            return False
        if a.dtype.kind in "fc" or b.dtype.kind in "fc":
            return bool(np.array_equal(a, b, equal_nan=True))
        return bool(np.array_equal(a, b))
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return a == b


class DataRecord:
    """Shared behaviour of the curve and table records: JSON dicts, equality, short repr.

    Subclasses are frozen dataclasses that name their float-array fields in
    ``_float_arrays``, their integer-array fields in ``_int_arrays`` and their float
    scalars in ``_float_scalars``; every other field is stored as it is.
    """

    kind: ClassVar[str] = ""
    _float_arrays: ClassVar[tuple[str, ...]] = ()
    _int_arrays: ClassVar[tuple[str, ...]] = ()
    _float_scalars: ClassVar[tuple[str, ...]] = ()

    def __post_init__(self) -> None:
        for name in self._float_arrays:
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, _frozen_array(value, np.float64))
        for name in self._int_arrays:
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, _frozen_array(value, np.int64))
        for name in self._float_scalars:
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, float(value))

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-able dict with a ``"kind"`` key (see the module docstring)."""
        out: dict[str, Any] = {"kind": self.kind}
        for f in dataclasses.fields(self):  # type: ignore[arg-type]
            value = getattr(self, f.name)
            if value is None:
                out[f.name] = None
            elif f.name in self._float_arrays:
                if value.ndim > 1:
                    out[f.name] = [encode_floats(row) for row in value]
                else:
                    out[f.name] = encode_floats(value)
            elif f.name in self._int_arrays:
                out[f.name] = value.tolist()
            elif f.name in self._float_scalars:
                out[f.name] = encode_float(value)
            else:
                out[f.name] = value
        return out

    @classmethod
    def from_dict(cls, d: dict[str, Any]):
        """Rebuild a record from :meth:`to_dict`'s output."""
        kind = d.get("kind", cls.kind)
        if kind != cls.kind:
            raise WorkbenchException.invalid_parameter_value(
                f"Cannot read a {cls.__name__} from a dict of kind {kind!r}; expected "
                f"kind {cls.kind!r}."
            )
        kwargs: dict[str, Any] = {}
        for f in dataclasses.fields(cls):  # type: ignore[arg-type]
            if f.name not in d:
                if f.default is not dataclasses.MISSING:
                    continue
                raise WorkbenchException.invalid_parameter_value(
                    f"Cannot read a {cls.__name__}: the field {f.name!r} is missing "
                    f"(found {sorted(d)})."
                )
            value = d[f.name]
            if value is not None and f.name in cls._float_arrays:
                if value and isinstance(value[0], list):
                    value = np.array([decode_floats(row) for row in value])
                else:
                    value = decode_floats(value)
            elif value is not None and f.name in cls._float_scalars:
                value = decode_float(value)
            kwargs[f.name] = value
        return cls(**kwargs)

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return all(
            _arrays_equal(getattr(self, f.name), getattr(other, f.name))
            for f in dataclasses.fields(self)  # type: ignore[arg-type]
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        parts = []
        for f in dataclasses.fields(self):  # type: ignore[arg-type]
            value = getattr(self, f.name)
            if isinstance(value, np.ndarray):
                parts.append(f"{f.name}=<{value.dtype} {'x'.join(map(str, value.shape))}>")
            elif isinstance(value, (list, tuple)) and len(value) > 6:
                parts.append(f"{f.name}=[{len(value)} items]")
            elif isinstance(value, float):
                parts.append(f"{f.name}={value:.6g}")
            else:
                parts.append(f"{f.name}={value!r}")
        return f"{type(self).__name__}({', '.join(parts)})"
