"""MLflow's run filter and order-by grammar (the part a local workspace needs), compiled to SQL.

Filters are clauses joined by ``AND``::

    metrics.acc > 0.9 AND params.model = 'rf' AND tags.stage != 'dev'
    attributes.run_name LIKE 'rf-%' AND attributes.status = 'FINISHED'
    attributes.start_time >= 1700000000000 AND attributes.run_id IN ('ab…', 'cd…')

Prefixes: ``metric(s)``, ``param(s)``/``parameter(s)``, ``tag(s)``, ``attribute(s)``/``attr``/``run``.
Keys with spaces or other characters are quoted with backticks or double quotes
(``metrics.`f1 score```). Metrics compare numbers (``= != < <= > >=``); params, tags and
string attributes compare strings (``= != LIKE ILIKE IN NOT IN``). A run without the
metric, param or tag a clause names does not match it, as in MLflow.

``order_by`` items are ``"<identifier> [ASC|DESC]"``; runs missing the key sort last (NaN
metrics just before them); ties fall back to ``start_time DESC, run_id`` like MLflow.
"""

from __future__ import annotations

import re
from typing import Any

from workbench._exceptions import WorkbenchException

_PREFIXES = {
    "metric": "metric", "metrics": "metric",
    "param": "param", "params": "param", "parameter": "param", "parameters": "param",
    "tag": "tag", "tags": "tag",
    "attribute": "attribute", "attributes": "attribute", "attr": "attribute", "run": "attribute",
}
_ATTRIBUTES = {
    "run_id": ("run_id", "string"), "run_name": ("run_name", "string"), "status": ("status", "string"),
    "lifecycle_stage": ("lifecycle_stage", "string"), "experiment_id": ("experiment_id", "string"),
    "start_time": ("start_time", "number"), "end_time": ("end_time", "number"), "created": ("start_time", "number"),
}
_NUMERIC_OPS = {"=", "!=", ">", ">=", "<", "<="}
_STRING_OPS = {"=", "!=", "LIKE", "ILIKE", "IN", "NOT IN", "NOT LIKE", "NOT ILIKE"}
_TABLE = {"metric": "latest_metrics", "param": "params", "tag": "tags"}

_TOKEN = re.compile(
    r"""\s*(?:
      (?P<and>AND)(?![\w.])
    | (?P<op>>=|<=|!=|<>|=|>|<|NOT\s+IN(?!\w)|IN(?!\w)|NOT\s+I?LIKE(?!\w)|I?LIKE(?!\w))
    | (?P<ident>[A-Za-z_]+\.(?:`[^`]*`|"[^"]*"|[\w.\-:/]+))
    | (?P<str>'(?:[^'\\]|\\.|'')*'|"(?:[^"\\]|\\.)*")
    | (?P<num>[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)
    | (?P<list>\((?:\s*(?:'[^']*'|"[^"]*")\s*,?)*\s*\))
    )""",
    re.IGNORECASE | re.VERBOSE,
)


_invalid = WorkbenchException.invalid_parameter_value


def _unquote(text: str) -> str:
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"`":
        inner = text[1:-1]
        return inner.replace("''", "'") if text[0] == "'" else inner
    return text


def parse_identifier(text: str, source: str) -> tuple[str, str]:
    """Split ``metrics.acc`` into ``("metric", "acc")``."""
    prefix, _, key = text.partition(".")
    kind = _PREFIXES.get(prefix.lower())
    if kind is None or not key:
        raise _invalid(
            f"Invalid identifier {text!r} in {source!r}: expected metrics.<key>, params.<key>, tags.<key> "
            f"or attributes.<name>."
        )
    key = _unquote(key)
    if kind == "attribute" and key not in _ATTRIBUTES:
        raise _invalid(f"Invalid attribute key {key!r} in {source!r}: expected one of {sorted(_ATTRIBUTES)}.")
    return kind, key


def _tokens(text: str) -> list[tuple[str, str]]:
    out, pos, text = [], 0, text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise _invalid(f"Invalid filter string {text!r}: cannot parse from {text[pos:]!r}.")
        kind = m.lastgroup
        assert kind is not None
        out.append((kind, m.group(kind)))
        pos = m.end()
        while pos < len(text) and text[pos].isspace():
            pos += 1
    return out


def compile_filter(filter_string: str | None) -> tuple[list[str], list[Any]]:
    """Return SQL conditions on ``runs r`` and their arguments for ``filter_string``.

    Examples
    --------
    >>> compile_filter("metrics.acc > 0.9 AND params.model = 'rf'")[1]
    ['acc', 0.9, 'model', 'rf']
    >>> compile_filter("metrics.acc ~ 1")
    Traceback (most recent call last):
    ...
    workbench._exceptions.WorkbenchException: Invalid filter string 'metrics.acc ~ 1': cannot parse from '~ 1'.
    """
    if not filter_string or not filter_string.strip():
        return [], []
    tokens = _tokens(filter_string)
    conds: list[str] = []
    args: list[Any] = []
    i = 0
    while True:
        if i + 3 > len(tokens) or tokens[i][0] != "ident" or tokens[i + 1][0] != "op":
            raise _invalid(
                f"Invalid filter string {filter_string!r}: expected '<identifier> <comparator> <value>' "
                "clauses joined by AND."
            )
        kind, key = parse_identifier(tokens[i][1], filter_string)
        op = " ".join(tokens[i + 1][1].upper().split())
        op = "!=" if op == "<>" else op
        vkind, vtext = tokens[i + 2]
        numeric = kind == "metric" or (kind == "attribute" and _ATTRIBUTES[key][1] == "number")
        if numeric:
            if op not in _NUMERIC_OPS:
                raise _invalid(f"Invalid comparator {op!r} for {kind} {key!r}: expected one of {sorted(_NUMERIC_OPS)}.")
            if vkind != "num":
                raise _invalid(f"Expected a numeric value for {kind} {key!r}, got {vtext}.")
            value: Any = float(vtext) if kind == "metric" else int(float(vtext))
        else:
            if op not in _STRING_OPS:
                raise _invalid(f"Invalid comparator {op!r} for {kind} {key!r}: expected one of {sorted(_STRING_OPS)}.")
            if op in ("IN", "NOT IN"):
                if vkind != "list":
                    raise _invalid(f"Expected a parenthesised list of strings after {op} for {kind} {key!r}.")
                value = [_unquote(v) for v in re.findall(r"'[^']*'|\"[^\"]*\"", vtext)]
            elif vkind != "str":
                raise _invalid(f"Expected a quoted string value for {kind} {key!r}, got {vtext}.")
            else:
                value = _unquote(vtext)
        conds.append(_condition(kind, key, op, value, args))
        i += 3
        if i == len(tokens):
            return conds, args
        if tokens[i][0] != "and":
            raise _invalid(f"Invalid filter string {filter_string!r}: clauses must be joined by AND.")
        i += 1


def _compare(column: str, op: str, value: Any, args: list[Any]) -> str:
    if op in ("IN", "NOT IN"):
        args.extend(value)
        return f"{column} {op} ({', '.join('?' * len(value))})" if value else ("0" if op == "IN" else "1")
    if op in ("ILIKE", "NOT ILIKE"):
        args.append(value.lower())
        return f"lower({column}) {op[:-5]}LIKE ?"
    args.append(value)
    return f"{column} {op} ?"


def _condition(kind: str, key: str, op: str, value: Any, args: list[Any]) -> str:
    if kind == "attribute":
        return _compare(f"r.{_ATTRIBUTES[key][0]}", op, value, args)
    args.append(key)
    table = _TABLE[kind]
    cmp = _compare("x.value", op, value, args)
    if kind == "metric":
        # NaN compares as IEEE says: only != holds. (MLflow stores NaN as 0 and compares that.)
        cmp = f"(x.is_nan = 1 OR {cmp})" if op == "!=" else f"x.is_nan = 0 AND {cmp}"
    return f"EXISTS (SELECT 1 FROM {table} x WHERE x.run_id = r.run_id AND x.key = ? AND {cmp})"


def compile_order_by(order_by: list[str] | None) -> tuple[list[str], list[str], list[Any]]:
    """Return (LEFT JOINs, ORDER BY terms, join arguments) for ``order_by``.

    Examples
    --------
    >>> compile_order_by(["metrics.acc DESC"])[1][:2]
    ['CASE WHEN o1.run_id IS NULL THEN 2 WHEN o1.is_nan = 1 THEN 1 ELSE 0 END', 'o1.value DESC']
    """
    joins: list[str] = []
    terms: list[str] = []
    args: list[Any] = []
    seen: set[tuple[str, str]] = set()
    for n, item in enumerate(order_by or [], start=1):
        if not isinstance(item, str) or not item.strip():
            raise _invalid(f"Invalid order_by clause {item!r}.")
        words = item.strip().rsplit(None, 1)
        direction = "ASC"
        if len(words) == 2 and words[1].upper() in ("ASC", "DESC"):
            ident, direction = words[0], words[1].upper()
        else:
            ident = item.strip()
        kind, key = parse_identifier(ident, item)
        if (kind, key) in seen:
            raise _invalid(f"`order_by` contains duplicate fields: {order_by}")
        seen.add((kind, key))
        if kind == "attribute":
            column = f"r.{_ATTRIBUTES[key][0]}"
            terms += [f"CASE WHEN {column} IS NULL THEN 1 ELSE 0 END", f"{column} {direction}"]
            continue
        alias = f"o{n}"
        joins.append(f"LEFT JOIN {_TABLE[kind]} {alias} ON {alias}.run_id = r.run_id AND {alias}.key = ?")
        args.append(key)
        if kind == "metric":
            terms.append(f"CASE WHEN {alias}.run_id IS NULL THEN 2 WHEN {alias}.is_nan = 1 THEN 1 ELSE 0 END")
        else:
            terms.append(f"CASE WHEN {alias}.run_id IS NULL THEN 1 ELSE 0 END")
        terms.append(f"{alias}.value {direction}")
    if ("attribute", "start_time") not in seen and ("attribute", "created") not in seen:
        terms.append("r.start_time DESC")
    terms.append("r.run_id")
    return joins, terms, args
