"""What the commands print: plain text tables, numbers, and JSON for machines.

Every string that came from a file or a user (run, metric, column names) passes through
:func:`clean` before it reaches the terminal, so a name cannot carry terminal escape
sequences. JSON output is strict (``NaN`` and infinities become ``null``).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import click

__all__ = ["clean", "echo_json", "number", "table", "to_jsonable"]

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def clean(value: Any, limit: int = 120) -> str:
    """Printable, one-line, shortened text of ``value`` (control characters escaped).

    Examples
    --------
    >>> clean("evil\\x1b[31mred")
    'evil\\\\x1bred'
    >>> clean("x" * 10, limit=5)
    'xxxx…'
    """
    text = "" if value is None else str(value)
    text = _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)
    text = re.sub(r"\\x1b\[[0-9;]*[A-Za-z]", r"\\x1b", text)  # drop the rest of an ANSI escape
    return text if len(text) <= limit else text[: limit - 1] + "…"


def number(value: Any) -> str:
    """Integers as they are, other numbers to 6 significant digits, anything else as text.

    Examples
    --------
    >>> number(3), number(0.6666666666666666), number(float("nan")), number(None)
    ('3', '0.666667', 'nan', '')
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int) or type(value).__name__.startswith(("int", "uint")):
        return str(int(value))
    try:
        return f"{float(value):.6g}"
    except (TypeError, ValueError):
        return clean(value, 40)


def table(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """Left-aligned columns separated by two spaces; cells already strings are cleaned.

    Examples
    --------
    >>> print(table(["METRIC", "VALUE"], [["accuracy_score", "0.75"], ["f1_score", "0.666667"]]))
    METRIC          VALUE
    accuracy_score  0.75
    f1_score        0.666667
    """
    cells = [[clean(h) for h in header]] + [[clean(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in cells]
    return "\n".join(lines)


def to_jsonable(value: Any) -> Any:
    """``value`` with numpy scalars and arrays made plain and non-finite floats as None.

    Examples
    --------
    >>> import numpy as np
    >>> to_jsonable({"a": np.float64("nan"), "b": [np.int64(2), 0.5], "c": (1, "x")})
    {'a': None, 'b': [2, 0.5], 'c': [1, 'x']}
    """
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [to_jsonable(v) for v in value]
    if hasattr(value, "tolist") and not isinstance(value, (str, bytes)):
        return to_jsonable(value.tolist())
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, (str, int, bool)) or value is None:
        return value
    if hasattr(value, "__fspath__"):
        return str(value)
    return str(value)


def echo_json(value: Any) -> None:
    """Print ``value`` as strict, indented JSON on stdout."""
    click.echo(json.dumps(to_jsonable(value), indent=2, allow_nan=False))
