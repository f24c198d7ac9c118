"""A :class:`~workbench.ComparisonResult` as terminal text: deltas with CIs, gates, notes.

Only reads the comparison's data (``names``, ``baseline``, ``metrics`` rows, ``gates``,
``signature_diffs``, ``notes``, ``settings``); nothing is recomputed here.
"""

from __future__ import annotations

from typing import Any

from workbench.cli import _output

__all__ = ["comparison_text", "gates_failed"]


def _signed(value: Any) -> str:
    if value is None:
        return ""
    text = _output.number(value)
    return text if text.startswith(("-", "nan")) else "+" + text


def _interval(pair: Any) -> str:
    if not pair:
        return ""
    lo, hi = pair
    return f"[{_signed(lo)}, {_signed(hi)}]"


def _delta_cell(row: dict[str, Any], name: str) -> str:
    text = _signed(row["deltas"].get(name))
    better = row["better"].get(name)
    if better is not None and text:
        text += " better" if better else " worse"
        if row["significant"].get(name):
            text += "*"
    return text


def _title(comparison: Any) -> str:
    settings = comparison.settings or {}
    if comparison.paired:
        how = (f"paired bootstrap, {settings.get('n_resamples')} resamples, "
               f"{_output.number(100 * settings.get('confidence', 0.95))}% intervals")
    else:
        how = "unpaired: no confidence intervals"
    return f"Compared with baseline {_output.clean(comparison.baseline)} ({how})"


def comparison_text(comparison: Any) -> str:
    """The metric table (each value, each delta to the baseline and its interval), then the
    gates, signature changes and notes.

    Examples
    --------
    >>> from workbench.evaluation import EvaluationResult, MetricThreshold, compare
    >>> a = EvaluationResult({"accuracy_score": 0.8}, {}, model={"model_type": "classifier"})
    >>> b = EvaluationResult({"accuracy_score": 0.9}, {}, model={"model_type": "classifier"})
    >>> gate = {"accuracy_score": MetricThreshold(min_absolute_change=0.2, greater_is_better=True)}
    >>> print(comparison_text(compare({"old": a, "new": b}, thresholds=gate)))  # doctest: +ELLIPSIS
    Compared with baseline old (unpaired: no confidence intervals)
    METRIC          old (baseline)  new  Δ new
    accuracy_score  0.8             0.9  +0.1 better
    <BLANKLINE>
    gate FAIL  new  accuracy_score: Metric accuracy_score minimum absolute change check failed: ...
    note: ...
    """
    names = list(comparison.names)
    candidates = [n for n in names if n != comparison.baseline]
    show_ci = any(
        row["delta_ci"].get(n) for row in comparison.metrics for n in candidates
    )
    pct = _output.number(100 * (comparison.settings or {}).get("confidence", 0.95))
    header = ["METRIC"] + [f"{n} (baseline)" if n == comparison.baseline else n for n in names]
    for n in candidates:
        header.append(f"Δ {n}")
        if show_ci:
            header.append(f"{pct}% CI of Δ {n}")
    rows = []
    for row in comparison.metrics:
        cells = [row["metric"]] + [_output.number(row["values"].get(n)) for n in names]
        for n in candidates:
            cells.append(_delta_cell(row, n))
            if show_ci:
                cells.append(_interval(row["delta_ci"].get(n)))
        rows.append(cells)
    lines = [_title(comparison), _output.table(header, rows)]
    if show_ci:
        lines.append(f"* the {pct}% interval of the delta excludes 0")

    gate_lines = []
    for candidate, gates in (comparison.gates or {}).items():
        for metric, gate in gates.items():
            mark = "pass" if gate["passed"] else "FAIL"
            text = f"gate {mark}  {_output.clean(candidate)}  {_output.clean(metric)}"
            if gate.get("message"):
                text += f": {_output.clean(gate['message'], 400)}"
            gate_lines.append(text)
    changed = [
        f"signature of {_output.clean(name)} differs from the baseline's: "
        + _output.clean("; ".join(diff.lines()), 400)
        for name, diff in (comparison.signature_diffs or {}).items()
        if diff is not None and bool(diff)
    ]
    notes = [f"note: {_output.clean(note, 400)}" for note in comparison.notes or []]
    for block in (gate_lines, changed + notes):
        if block:
            lines.append("")
            lines.extend(block)
    return "\n".join(lines)


def gates_failed(comparison: Any) -> bool:
    """True when a threshold gate of the comparison failed.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> gates_failed(SimpleNamespace(gates={"b": {"roc_auc": {"passed": False, "message": "..."}}}))
    True
    >>> gates_failed(SimpleNamespace(gates={}))
    False
    """
    return any(not g["passed"] for gates in (comparison.gates or {}).values() for g in gates.values())
