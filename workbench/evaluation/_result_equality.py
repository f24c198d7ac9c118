"""Value equality of evaluation results: metrics, artifact payloads and data objects.

``EvaluationResult.__eq__`` compares two results by content, not identity, so that
``save -> load`` gives an equal result: metrics NaN-aware (``nan == nan``), artifacts by
class name, URI and payload (frames, arrays, images, JSON, text), curves, tables and the
explanation by their own ``==`` or else by their ``to_dict()`` as it reads back from JSON.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from workbench._io import dumps_json


def _to_jsonable(value: Any) -> Any:
    """``value`` as it reads back from JSON (numpy scalars and arrays become numbers and
    lists); ``value`` itself when it cannot be encoded."""
    try:
        return json.loads(dumps_json(value))
    except (TypeError, ValueError):
        return value


def _same_number(a: Any, b: Any) -> bool:
    if a is b:
        return True
    try:
        if a == b:
            return True
    except (TypeError, ValueError):  # arrays
        return _same_content(a, b)
    try:
        return math.isnan(a) and math.isnan(b)
    except TypeError:
        return False


def _same_metrics(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    return a.keys() == b.keys() and all(_same_number(a[k], b[k]) for k in a)


def _same_content(a: Any, b: Any) -> bool:
    """Content equality for the artifact payloads: frames, arrays, images, JSON, text."""
    import pandas as pd

    if isinstance(a, pd.DataFrame) or isinstance(b, pd.DataFrame):
        if not (isinstance(a, pd.DataFrame) and isinstance(b, pd.DataFrame)):
            return False
        try:
            pd.testing.assert_frame_equal(
                a.reset_index(drop=True), b.reset_index(drop=True), check_dtype=False
            )
        except AssertionError:
            return False
        return True
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        a_arr, b_arr = np.asarray(a), np.asarray(b)
        if a_arr.shape != b_arr.shape or a_arr.dtype != b_arr.dtype:
            return False
        return bool(np.array_equal(a_arr, b_arr, equal_nan=a_arr.dtype.kind in "fc"))
    if hasattr(a, "tobytes") and hasattr(a, "mode") and hasattr(a, "size"):  # PIL images
        return (
            hasattr(b, "tobytes")
            and getattr(b, "mode", None) == a.mode
            and getattr(b, "size", None) == a.size
            and a.tobytes() == b.tobytes()
        )
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return False


def _artifact_content(artifact: Any) -> Any:
    content = getattr(artifact, "_content", None)
    return content if content is not None else artifact.content


def _same_artifacts(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    if a.keys() != b.keys():
        return False
    for name in a:
        x, y = a[name], b[name]
        if type(x).__name__ != type(y).__name__ or x.uri != y.uri:
            return False
        if not _same_content(_artifact_content(x), _artifact_content(y)):
            return False
    return True


def _same_data(a: Any, b: Any) -> bool:
    """Equality of curves, tables and explanations: their own ``==`` when they are of the
    same type (NaN-aware in E1's records), else their dicts as they read back from JSON."""
    if a is None or b is None:
        return a is b
    if type(a) is type(b):
        try:
            same = a == b
        except (TypeError, ValueError):
            same = NotImplemented
        if isinstance(same, (bool, np.bool_)):
            return bool(same)
    return _canonical(a) == _canonical(b)


def _canonical(obj: Any) -> Any:
    """A comparable form of a data object: its to_dict() as it reads back from JSON."""
    if obj is None:
        return None
    return _to_jsonable(obj.to_dict()) if hasattr(obj, "to_dict") else _to_jsonable(obj)
