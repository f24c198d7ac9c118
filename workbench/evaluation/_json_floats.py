"""Floats as strict JSON: non-finite values written as "Infinity", "-Infinity" or "NaN".

JSON has no literal for an infinite or NaN float. A finite float is written as itself
(the shortest repr that reads back the same float); a non-finite one becomes one of the
strings ``"Infinity"``, ``"-Infinity"``, ``"NaN"``, which both Python's ``float()`` and
JavaScript's ``Number()`` read back. The curve and table records
(:mod:`._data_record`) and the comparisons (:mod:`._compare`) write their floats so.

Examples
--------
>>> encode_floats(np.array([0.5, np.inf, np.nan]))
[0.5, 'Infinity', 'NaN']
>>> decode_floats([0.5, "Infinity", "-Infinity", None])
array([ 0.5,  inf, -inf,  nan])
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

__all__ = ["decode_float", "decode_floats", "encode_float", "encode_floats"]

_NONFINITE = {"Infinity": math.inf, "-Infinity": -math.inf, "NaN": math.nan}


def encode_float(x: float) -> float | str:
    """A float as JSON: itself when finite, else "Infinity", "-Infinity" or "NaN"."""
    x = float(x)
    if math.isfinite(x):
        return x
    if math.isnan(x):
        return "NaN"
    return "Infinity" if x > 0 else "-Infinity"


def decode_float(x: Any) -> float:
    """Invert :func:`encode_float` (``None`` reads as NaN)."""
    if x is None:
        return math.nan
    if isinstance(x, str):
        if x in _NONFINITE:
            return _NONFINITE[x]
        return float(x)
    return float(x)


def encode_floats(a: np.ndarray) -> list:
    """A float array as a JSON list of floats (shortest round-trip repr)."""
    a = np.asarray(a, dtype=np.float64)
    if a.size == 0 or np.isfinite(a).all():
        return a.tolist()
    return [encode_float(v) for v in a.tolist()]


def decode_floats(values: Any) -> np.ndarray:
    """Invert :func:`encode_floats`."""
    if values is None:
        return np.empty(0)
    if all(not isinstance(v, str) and v is not None for v in values):
        return np.asarray(values, dtype=np.float64)
    return np.asarray([decode_float(v) for v in values], dtype=np.float64)
