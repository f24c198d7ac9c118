"""Checks on run ids, run names, and metric/param/tag keys and values (MLflow's rules).

Keys follow MLflow: alphanumerics, ``_ - . : /`` and spaces, at most 250 characters, and
not a path that normalises to another name (``a//b``, ``./a``, ``../a``, ``/a``). Run names
may be any text without path separators or control characters, at most 250 characters,
because they name runs on the command line and in reports.
"""

from __future__ import annotations

import math
import numbers
import posixpath
import re

from workbench._exceptions import WorkbenchException

MAX_KEY_LENGTH = 250
MAX_PARAM_VALUE_LENGTH = 6000
MAX_TAG_VALUE_LENGTH = 8000
MAX_RUN_NAME_LENGTH = 250

_RUN_ID = re.compile(r"^[0-9a-f]{32}$")
_KEY = re.compile(r"^[/\w.\- :]*$")
_BAD_NAME_CHARS = re.compile(r"[/\\\x00-\x1f\x7f]")


_invalid = WorkbenchException.invalid_parameter_value


def check_run_id(run_id: object) -> str:
    """Return ``run_id`` if it is 32 lowercase hex characters (a ``uuid4().hex``).

    Examples
    --------
    >>> check_run_id("0" * 32) == "0" * 32
    True
    >>> check_run_id("../etc")
    Traceback (most recent call last):
    ...
    workbench._exceptions.WorkbenchException: Invalid run id '../etc': expected 32 lowercase hexadecimal characters.
    """
    if not isinstance(run_id, str) or not _RUN_ID.match(run_id):
        raise _invalid(f"Invalid run id {run_id!r}: expected 32 lowercase hexadecimal characters.")
    return run_id


def check_run_name(name: object) -> str:
    """Return ``name`` if it is a usable run name.

    Examples
    --------
    >>> check_run_name("rf-depth7")
    'rf-depth7'
    >>> check_run_name("../x")
    Traceback (most recent call last):
    ...
    workbench._exceptions.WorkbenchException: Invalid run name '../x': run names must not contain '/', '\\' or control characters.
    """
    if not isinstance(name, str):
        raise _invalid(f"Invalid run name {name!r}: expected a str, got {type(name).__name__}.")
    if name.strip() == "" or name in (".", ".."):
        raise _invalid(f"Invalid run name {name!r}: run names must not be empty, '.' or '..'.")
    if len(name) > MAX_RUN_NAME_LENGTH:
        raise _invalid(
            f"Invalid run name of length {len(name)}: the maximum is {MAX_RUN_NAME_LENGTH} characters."
        )
    if _BAD_NAME_CHARS.search(name):
        raise _invalid(
            f"Invalid run name {name!r}: run names must not contain '/', '\\' or control characters."
        )
    return name


def check_key(key: object, kind: str) -> str:
    """Return ``key`` if it is a valid ``kind`` ("metric", "param" or "tag") name.

    Examples
    --------
    >>> check_key("val/acc", "metric")
    'val/acc'
    >>> check_key("a/../b", "param")
    Traceback (most recent call last):
    ...
    workbench._exceptions.WorkbenchException: Invalid param name: 'a/../b'. Names may be treated as files in certain cases, and must not resolve to other names when treated as such. This name would resolve to 'b'.
    """
    if key is None:
        raise _invalid(f"Invalid {kind} name: {kind} name cannot be None.")
    if not isinstance(key, str):
        raise _invalid(f"Invalid {kind} name: {key!r}. Expected a str, got {type(key).__name__}.")
    if not _KEY.match(key):
        raise _invalid(
            f"Invalid {kind} name: {key!r}. Names may only contain alphanumerics, underscores (_), "
            "dashes (-), periods (.), spaces ( ), colon(:) and slashes (/)."
        )
    norm = posixpath.normpath(key) if key else key
    if key == "" or norm != key or norm == "." or norm.startswith(("..", "/")):
        raise _invalid(
            f"Invalid {kind} name: {key!r}. Names may be treated as files in certain cases, and must "
            f"not resolve to other names when treated as such. This name would resolve to {norm!r}."
        )
    if len(key) > MAX_KEY_LENGTH:
        raise _invalid(
            f"Invalid {kind} name: '{key[:20]}...' has length {len(key)}, which exceeds the limit "
            f"of {MAX_KEY_LENGTH}."
        )
    return key


def check_string_value(value: object, kind: str, key: str, limit: int) -> str:
    """Convert a param or tag value to ``str`` as MLflow does and check its length."""
    text = str(value)
    if len(text) > limit:
        raise _invalid(
            f"{kind} '{key}' had length {len(text)}, which exceeded length limit of {limit}."
        )
    return text


def check_metric_value(key: str, value: object) -> float:
    """Return ``value`` as a float (NaN and infinities allowed, as in MLflow).

    Examples
    --------
    >>> check_metric_value("acc", 1)
    1.0
    >>> check_metric_value("acc", "high")
    Traceback (most recent call last):
    ...
    workbench._exceptions.WorkbenchException: Got invalid value high for metric 'acc' (step=...). Please specify value as a valid double (64-bit floating point)
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Number):
        try:  # numpy scalars and 0-d arrays
            value = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise _invalid(
                f"Got invalid value {value} for metric '{key}' (step=...). Please specify value as "
                "a valid double (64-bit floating point)"
            ) from None
    result = float(value)  # type: ignore[arg-type]
    if math.isnan(result):
        return math.nan
    return result


def check_int(value: object, what: str) -> int:
    """Return ``value`` as an int (steps and timestamps)."""
    if isinstance(value, bool):
        raise _invalid(f"Invalid {what} {value!r}: expected an integer.")
    try:
        as_int = int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise _invalid(f"Invalid {what} {value!r}: expected an integer.") from None
    if as_int != value and not isinstance(value, str):
        raise _invalid(f"Invalid {what} {value!r}: expected an integer.")
    return as_int
