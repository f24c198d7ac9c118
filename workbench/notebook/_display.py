"""Static rich display: ``text/plain`` and self-contained ``text/html`` for results and diffs.

This module is the renderer behind ``EvaluationResult._repr_mimebundle_`` and
``SignatureDiff._repr_mimebundle_``. The result classes live in lower layers that must not
import IPython, so each defines a four-line method that imports this module on first
display (``workbench.notebook._display`` itself imports neither IPython, ipywidgets nor
plotly: only the standard library)::

    def _repr_mimebundle_(self, include=None, exclude=None):
        from workbench.notebook._display import result_mimebundle

        return result_mimebundle(self, include, exclude)

``%load_ext workbench`` also registers the same functions with IPython's mimebundle
formatter by class name (see ``_extension``), so a notebook shows rich results even where
the class has no such method.

``ComparisonResult._repr_mimebundle_`` delegates to :func:`comparison_mimebundle` the same way.

Inside a Jupyter kernel (:func:`in_kernel`: ipykernel is imported and the shell has a
kernel) the bundles also carry ``application/vnd.jupyter.widget-view+json`` of a live panel
(:mod:`workbench.notebook._panel`, imported only then); the static parts stay beside it, so
a saved notebook still reads on GitHub and nbviewer, and a front-end without widgets shows
the HTML.

The HTML is static (no JavaScript, no external resources), survives a saved notebook on
GitHub and nbviewer, and stays small whatever the data size: tables are capped, strings
are shortened, no array is dumped. Every string that comes from the user (metric, feature,
label, model and dataset names, reasons, warnings) goes through :func:`html.escape`.

Templates are plain Python functions rather than jinja2: the HTML is small, escaping is
explicit at each interpolation (``_e``), and the notebook extra needs no template engine.
"""

from __future__ import annotations

import html
import json
import sys
import warnings
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

__all__ = ["comparison_html", "comparison_mimebundle", "comparison_text", "in_kernel",
           "result_html", "result_mimebundle", "result_text", "signature_diff_html",
           "signature_diff_mimebundle"]

#: The mimetype of a widget view (ipywidgets' protocol).
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"

#: Caps that keep an output small whatever the result holds.
MAX_METRICS = 100
MAX_CLASSES = 50           # per-class rows
MAX_MATRIX_LABELS = 20     # confusion matrix side
MAX_SIGNATURE_ROWS = 100
MAX_LIST_ITEMS = 20        # feature names, skipped reasons, warnings, diff rows per section
MAX_TEXT = 200             # characters of any one user string

#: Metric name -> True when higher is better, False when lower is better (MLflow's
#: built-in metrics; counts such as ``example_count`` carry no hint).
GREATER_IS_BETTER: dict[str, bool] = {
    "accuracy_score": True, "recall_score": True, "precision_score": True, "f1_score": True,
    "roc_auc": True, "precision_recall_auc": True, "score": True, "r2_score": True,
    "exact_match": True, "ks_statistic": True,
    "log_loss": False, "brier_score_loss": False, "expected_calibration_error": False,
    "mean_absolute_error": False, "mean_squared_error": False, "root_mean_squared_error": False,
    "max_error": False, "mean_absolute_percentage_error": False,
}

_STYLE = (
    "<style>"
    ".wb-out{font-family:var(--jp-ui-font-family,system-ui,sans-serif);font-size:13px;}"
    ".wb-out table{border-collapse:collapse;margin:4px 0 10px 0;}"
    ".wb-out th,.wb-out td{border:1px solid #ccc;padding:2px 8px;text-align:left;}"
    ".wb-out td.num{text-align:right;font-variant-numeric:tabular-nums;}"
    ".wb-out .hint{color:#666;font-size:11px;}"
    ".wb-out h4{margin:8px 0 2px 0;}"
    ".wb-out .note{color:#666;}"
    ".wb-out .better{color:#1a7f37;}"
    ".wb-out .worse{color:#cf222e;}"
    "</style>"
)


# ============================================================================ helpers


def _short(value: Any, limit: int = MAX_TEXT) -> str:
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def _e(value: Any, limit: int = MAX_TEXT) -> str:
    """Shortened and HTML-escaped text of any value (quotes escaped too)."""
    return html.escape(_short(value, limit), quote=True)


def _number(value: Any) -> str:
    """Integers as they are, other numbers to 4 significant digits (``0.9733``, ``nan``)."""
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, int) or type(value).__name__.startswith(("int", "uint")):
        return str(int(value))
    try:
        return f"{float(value):.4g}"
    except (TypeError, ValueError):
        return _short(value, 40)


def _is_number(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return not isinstance(value, (str, bytes))


def _cell(value: Any) -> str:
    if _is_number(value):
        return f'<td class="num">{_e(_number(value))}</td>'
    return f"<td>{_e('' if value is None else value)}</td>"


def _table(header: Sequence[str], rows: Iterable[Sequence[Any]], raw_cols: int = 0) -> str:
    """An HTML table; the first ``raw_cols`` cells of each row are pre-rendered HTML."""
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    body = []
    for row in rows:
        cells = [f"<td>{c}</td>" for c in row[:raw_cols]] + [_cell(c) for c in row[raw_cols:]]
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _more(n_more: int, what: str, where: str) -> str:
    if n_more <= 0:
        return ""
    return f'<div class="note">\u2026 {n_more} more {_e(what)} (see <code>{_e(where)}</code>)</div>'


def _filter(bundle: dict[str, Any], include: Any, exclude: Any) -> dict[str, Any]:
    if include:
        bundle = {k: v for k, v in bundle.items() if k in include}
    if exclude:
        bundle = {k: v for k, v in bundle.items() if k not in exclude}
    return bundle


def metric_hint(name: str, prefix: str = "") -> bool | None:
    """True / False when higher / lower of metric ``name`` is better; None when unknown.

    Examples
    --------
    >>> metric_hint("roc_auc"), metric_hint("val_log_loss", "val_"), metric_hint("example_count")
    (True, False, None)
    """
    key = name[len(prefix):] if prefix and name.startswith(prefix) else name
    return GREATER_IS_BETTER.get(key)


# ============================================================================ results


def _metric_prefix(result: Any) -> str:
    config = getattr(result, "config", None) or {}
    prefix = config.get("metric_prefix") if isinstance(config, Mapping) else None
    return prefix if isinstance(prefix, str) else ""


def _title(result: Any) -> str:
    model = getattr(result, "model", None) or {}
    dataset = getattr(result, "dataset", None) or {}
    cls = model.get("class") or model.get("kind") or "model"
    what = str(cls).rsplit(".", 1)[-1]
    model_type = model.get("model_type")
    parts = [f"{model_type} {what}" if model_type else what]
    if dataset.get("name") is not None or dataset.get("n_rows") is not None:
        rows = dataset.get("n_rows")
        parts.append(f"on {dataset.get('name', 'data')!s}" + (f" ({rows} rows)" if rows is not None else ""))
    run_id = getattr(result, "run_id", None)
    if run_id:
        parts.append(f"run {run_id}")
    return " ".join(parts)


def result_text(result: Any) -> str:
    """The ``text/plain`` view: a title line, the metrics and what was skipped (capped).

    Examples
    --------
    >>> from workbench.evaluation import EvaluationResult
    >>> print(result_text(EvaluationResult({"accuracy_score": 0.9}, {}, skipped={"log_loss": "no proba"})))
    EvaluationResult: model
      accuracy_score  0.9  (higher is better)
      skipped log_loss: no proba
    """
    lines = [f"EvaluationResult: {_short(_title(result))}"]
    metrics = dict(getattr(result, "metrics", {}) or {})
    prefix = _metric_prefix(result)
    names = list(metrics)[:MAX_METRICS]
    width = max((len(_short(n, 60)) for n in names), default=0)
    for name in names:
        hint = metric_hint(str(name), prefix)
        note = "" if hint is None else ("  (higher is better)" if hint else "  (lower is better)")
        lines.append(f"  {_short(name, 60):<{width}}  {_number(metrics[name])}{note}")
    if len(metrics) > MAX_METRICS:
        lines.append(f"  ... {len(metrics) - MAX_METRICS} more metrics (see result.metrics)")
    skipped = dict(getattr(result, "skipped", {}) or {})
    for name, reason in list(skipped.items())[:MAX_LIST_ITEMS]:
        lines.append(f"  skipped {_short(name, 60)}: {_short(reason)}")
    if len(skipped) > MAX_LIST_ITEMS:
        lines.append(f"  ... {len(skipped) - MAX_LIST_ITEMS} more skipped (see result.skipped)")
    return "\n".join(lines)


def _metrics_html(result: Any) -> str:
    metrics = dict(getattr(result, "metrics", {}) or {})
    if not metrics:
        return '<h4>Metrics</h4><div class="note">No metrics.</div>'
    prefix = _metric_prefix(result)
    rows = []
    for name in list(metrics)[:MAX_METRICS]:
        hint = metric_hint(str(name), prefix)
        hint_html = (
            "" if hint is None
            else '<span class="hint">\u2191 higher is better</span>' if hint
            else '<span class="hint">\u2193 lower is better</span>'
        )
        rows.append((f"{_e(name)}", hint_html, metrics[name]))
    table = _table(["metric", "", "value"], rows, raw_cols=2)
    return "<h4>Metrics</h4>" + table + _more(len(metrics) - MAX_METRICS, "metrics", "result.metrics")


def _per_class_html(result: Any) -> str:
    table = (getattr(result, "tables", None) or {}).get("per_class_metrics")
    columns = list(getattr(table, "columns", None) or [])
    rows = list(getattr(table, "rows", None) or [])
    if not columns or not rows:
        return ""
    body = [[row.get(c) for c in columns] for row in rows[:MAX_CLASSES]]
    return ("<h4>Per class</h4>" + _table(columns, body)
            + _more(len(rows) - MAX_CLASSES, "classes", "result.tables['per_class_metrics']"))


def _confusion_html(result: Any) -> str:
    table = (getattr(result, "tables", None) or {}).get("confusion_matrix")
    labels = list(getattr(table, "labels", None) or [])
    matrix = getattr(table, "matrix", None)
    if not labels or matrix is None:
        return ""
    if len(labels) > MAX_MATRIX_LABELS:
        return (f'<h4>Confusion matrix</h4><div class="note">{len(labels)} classes: too many to '
                "show here (see <code>result.tables['confusion_matrix']</code>).</div>")
    try:
        cells = [[matrix[i][j] for j in range(len(labels))] for i in range(len(labels))]
    except (IndexError, TypeError, KeyError):
        return ""
    header = ["true \\ predicted", *map(str, labels)]
    rows = [[f"<b>{_e(label)}</b>", *cells[i]] for i, label in enumerate(labels)]
    return "<h4>Confusion matrix</h4>" + _table(header, rows, raw_cols=1)


def _signature_rows(signature: Any) -> list[tuple[str, str, str, str]]:
    """(section, name, type, required) rows from a signature's dict (JSON strings inside)."""
    if hasattr(signature, "to_dict"):
        signature = signature.to_dict()
    if not isinstance(signature, Mapping):
        return []
    rows = []
    for section in ("inputs", "outputs", "params"):
        specs = signature.get(section)
        if isinstance(specs, str):
            try:
                specs = json.loads(specs)
            except ValueError:
                continue
        if not isinstance(specs, list):
            continue
        for i, spec in enumerate(specs):
            if not isinstance(spec, Mapping):
                continue
            name = spec.get("name", f"[{i}]")
            dtype = spec.get("type")
            if dtype == "tensor":
                dtype = f"tensor {spec.get('tensor-spec', {}).get('dtype', '')}"
            elif not isinstance(dtype, str):
                dtype = json.dumps(dtype)[:MAX_TEXT]
            if section == "params":
                extra = f"default {spec.get('default')!r}"
            else:
                extra = "required" if spec.get("required", True) else "optional"
            rows.append((section, str(name), str(dtype), extra))
    return rows


def _signature_html(result: Any) -> str:
    signature = (getattr(result, "model", None) or {}).get("signature")
    rows = _signature_rows(signature)
    if not rows:
        return ""
    return ("<h4>Signature</h4>" + _table(["part", "name", "type", ""], rows[:MAX_SIGNATURE_ROWS])
            + _more(len(rows) - MAX_SIGNATURE_ROWS, "signature entries", "result.model['signature']"))


def _facts_html(result: Any) -> str:
    dataset = dict(getattr(result, "dataset", None) or {})
    model = dict(getattr(result, "model", None) or {})
    rows: list[tuple[str, Any]] = []
    for key in ("name", "path", "digest", "n_rows", "n_features", "targets", "predictions",
                "sampled"):
        if dataset.get(key) is not None:
            rows.append((f"data {key}", dataset[key]))
    features = dataset.get("feature_names")
    if isinstance(features, list) and features:
        shown = ", ".join(_short(f, 60) for f in features[:MAX_LIST_ITEMS])
        more = f", \u2026 {len(features) - MAX_LIST_ITEMS} more" if len(features) > MAX_LIST_ITEMS else ""
        rows.append(("data features", shown + more))
    for key in ("kind", "class", "uri", "model_type"):
        if model.get(key) is not None:
            rows.append((f"model {key}", model[key]))
    labels = model.get("labels")
    if isinstance(labels, list) and labels:
        shown = ", ".join(_short(x, 60) for x in labels[:MAX_LIST_ITEMS])
        more = f", \u2026 {len(labels) - MAX_LIST_ITEMS} more" if len(labels) > MAX_LIST_ITEMS else ""
        rows.append(("model labels", shown + more))
    curves = getattr(result, "curves", None) or []
    if curves:
        kinds = sorted({str(getattr(c, "kind", type(c).__name__)) for c in curves})
        rows.append(("curves", f"{len(curves)} ({', '.join(kinds)})"))
    explanation = getattr(result, "explanation", None)
    if explanation is not None:
        rows.append(("explanation", getattr(explanation, "explainer", "yes")))
    if getattr(result, "run_id", None):
        rows.append(("run id", result.run_id))
    if not rows:
        return ""
    # Facts are strings shown as text, not numbers: keep digests like "0123" as they are.
    body = "".join(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in rows)
    return f"<h4>Data and model</h4><table><tbody>{body}</tbody></table>"


def _reasons_html(title: str, items: Mapping[str, Any] | Sequence[Any], where: str) -> str:
    if not items:
        return ""
    if isinstance(items, Mapping):
        entries = [f"<li><b>{_e(k)}</b>: {_e(v)}</li>" for k, v in list(items.items())[:MAX_LIST_ITEMS]]
    else:
        entries = [f"<li>{_e(v)}</li>" for v in list(items)[:MAX_LIST_ITEMS]]
    return (f"<h4>{_e(title)}</h4><ul>{''.join(entries)}</ul>"
            + _more(len(items) - MAX_LIST_ITEMS, title.lower(), where))


def _images_html(obj: Any, kind: str) -> str:
    """Static curve images (:mod:`workbench.notebook._images`), or "" when they are off or fail."""
    try:
        from workbench.notebook._images import images_html

        return images_html(obj, kind)
    except Exception:  # never break a display over an image
        return ""


def result_html(result: Any, *, images: bool = True) -> str:
    """The static ``text/html`` view of an ``EvaluationResult`` (no JavaScript).

    Where kaleido and a Chrome are available (and ``WORKBENCH_STATIC_IMAGES`` is not
    ``"0"``) it also holds PNG images of the ROC and precision-recall curves (classifiers) or
    of predicted vs actual and the residuals (regressors); see :mod:`workbench.notebook._images`.
    ``images=False`` leaves them out (an HTML report that draws interactive figures anyway).
    """
    parts = [
        _STYLE,
        '<div class="wb-out wb-result">',
        f"<div><b>EvaluationResult</b>: {_e(_title(result))}</div>",
        _metrics_html(result),
        _per_class_html(result),
        _confusion_html(result),
        _images_html(result, "result") if images else "",
        _reasons_html("Skipped", dict(getattr(result, "skipped", None) or {}), "result.skipped"),
        _reasons_html("Warnings", list(getattr(result, "warnings", None) or []), "result.warnings"),
        _signature_html(result),
        _facts_html(result),
        "</div>",
    ]
    return "".join(p for p in parts if p)


def result_mimebundle(result: Any, include: Any = None, exclude: Any = None) -> dict[str, Any]:
    """``{"text/plain", "text/html"}`` for an ``EvaluationResult``, filtered by include/exclude.

    In a live kernel (see :func:`in_kernel`) the bundle also holds the widget view of an
    :class:`~workbench.notebook.EvaluationPanel`; the static parts stay beside it, so a saved
    notebook reads on GitHub and nbviewer.

    Examples
    --------
    >>> from workbench.evaluation import EvaluationResult
    >>> sorted(result_mimebundle(EvaluationResult({"roc_auc": 0.9}, {})))
    ['text/html', 'text/plain']
    >>> list(result_mimebundle(EvaluationResult({}, {}), include={"text/plain"}))
    ['text/plain']
    """
    bundle: dict[str, Any] = {"text/plain": result_text(result), "text/html": result_html(result)}
    if _wanted(WIDGET_VIEW, include, exclude) and in_kernel():
        bundle.update(_widget_view("EvaluationPanel", result))
    return _filter(bundle, include, exclude)


# ============================================================================ comparisons


def _get(obj: Any, key: str, default: Any = None) -> Any:
    """``obj[key]`` for a mapping, else ``obj.key`` (comparison rows may be either)."""
    if isinstance(obj, Mapping):
        return obj.get(key, default)
    return getattr(obj, key, default)


def _per_name(row: Any, *keys: str) -> dict[str, Any]:
    """The first of ``keys`` in ``row`` that holds a ``{name: value}`` mapping (else {})."""
    for key in keys:
        value = _get(row, key)
        if isinstance(value, Mapping):
            return dict(value)
    return {}


def _signed(value: Any) -> str:
    if not _is_number(value):
        return "" if value is None else _short(value, 40)
    number = float(value)
    return "+0" if number == 0 else f"{number:+.4g}"


def _ci_text(ci: Any) -> str:
    if ci is None:
        return ""
    try:
        lo, hi = ci
    except (TypeError, ValueError):
        return _short(ci, 60)
    return f"[{_signed(lo)}, {_signed(hi)}]"


def _verdict(better: Any) -> str:
    return "" if better is None else ("better" if better else "worse")


def _comparison_facts(comparison: Any) -> tuple[list[str], str, list[str]]:
    names = [str(n) for n in (_get(comparison, "names") or [])]
    baseline = _get(comparison, "baseline")
    baseline = str(baseline) if baseline is not None else (names[0] if names else "")
    others = [n for n in names if n != baseline]
    return names, baseline, others


def _comparison_title(comparison: Any) -> str:
    names, baseline, _ = _comparison_facts(comparison)
    paired = _get(comparison, "paired")
    how = "paired" if paired else "not paired"
    return f"{' vs '.join(_short(n, 60) for n in names)} (baseline: {_short(baseline, 60)}, {how})"


def _metric_rows(comparison: Any) -> list[Any]:
    rows = _get(comparison, "metrics") or []
    if isinstance(rows, Mapping):  # {metric: row}
        rows = [{"metric": k, **v} if isinstance(v, Mapping) else v for k, v in rows.items()]
    return list(rows)


def _gate_entries(comparison: Any) -> list[tuple[str, str, bool, str]]:
    """(name, metric, passed, message) of every gate, in order."""
    gates = _get(comparison, "gates") or {}
    entries = []
    if isinstance(gates, Mapping):
        for name, per_metric in gates.items():
            if not isinstance(per_metric, Mapping):
                continue
            for metric, gate in per_metric.items():
                passed = bool(_get(gate, "passed", False))
                message = _get(gate, "message") or ""
                entries.append((str(name), str(metric), passed, str(message)))
    return entries


def comparison_text(comparison: Any) -> str:
    """The ``text/plain`` view of a ``ComparisonResult``: one line per metric (capped)."""
    names, baseline, others = _comparison_facts(comparison)
    lines = [f"ComparisonResult: {_comparison_title(comparison)}"]
    rows = _metric_rows(comparison)
    width = max((len(_short(_get(r, "metric"), 40)) for r in rows[:MAX_METRICS]), default=0)
    for row in rows[:MAX_METRICS]:
        values = _per_name(row, "values", "value")
        deltas = _per_name(row, "deltas", "delta")
        cis = _per_name(row, "delta_ci")
        better = _per_name(row, "better")
        parts = [f"{_short(baseline, 30)} {_number(values.get(baseline))}"]
        for name in others:
            part = f"{_short(name, 30)} {_number(values.get(name))}"
            if deltas.get(name) is not None:
                part += f" ({_signed(deltas[name])}"
                ci = _ci_text(cis.get(name))
                part += f" {ci})" if ci else ")"
            verdict = _verdict(better.get(name))
            parts.append(part + (f" {verdict}" if verdict else ""))
        lines.append(f"  {_short(_get(row, 'metric'), 40):<{width}}  " + "; ".join(parts))
    if len(rows) > MAX_METRICS:
        lines.append(f"  ... {len(rows) - MAX_METRICS} more metrics (see comparison.metrics)")
    gates = _gate_entries(comparison)
    if gates:
        failed = [g for g in gates if not g[2]]
        lines.append(f"  gates: {len(gates) - len(failed)} of {len(gates)} passed")
        for name, metric, _passed, message in failed[:MAX_LIST_ITEMS]:
            lines.append(f"    failed {_short(name, 60)} {_short(metric, 60)}: {_short(message)}")
    for note in list(_get(comparison, "notes") or [])[:MAX_LIST_ITEMS]:
        lines.append(f"  note: {_short(note)}")
    return "\n".join(lines)


def _comparison_metrics_html(comparison: Any) -> str:
    names, baseline, others = _comparison_facts(comparison)
    rows = _metric_rows(comparison)
    if not rows:
        return '<h4>Metrics</h4><div class="note">No metrics in common.</div>'
    header = ["metric", "", f"{baseline} (baseline)"]
    for name in others:
        header += [name, f"\u0394 {name}", "95% CI", ""]
    body = []
    for row in rows[:MAX_METRICS]:
        metric = _get(row, "metric")
        hint = _get(row, "greater_is_better")
        hint_html = ("" if hint is None else '<span class="hint">\u2191 higher is better</span>'
                     if hint else '<span class="hint">\u2193 lower is better</span>')
        values = _per_name(row, "values", "value")
        deltas = _per_name(row, "deltas", "delta")
        cis = _per_name(row, "delta_ci")
        better = _per_name(row, "better")
        cells = [f"<td>{_e(metric)}</td>", f"<td>{hint_html}</td>", _cell(values.get(baseline))]
        for name in others:
            verdict = _verdict(better.get(name))
            mark = {"better": "\u25b2 better", "worse": "\u25bc worse"}.get(verdict, "")
            cells += [_cell(values.get(name)),
                      f'<td class="num">{_e(_signed(deltas.get(name)))}</td>',
                      f'<td class="num">{_e(_ci_text(cis.get(name)))}</td>',
                      f'<td class="{_e(verdict or "same")}">{_e(mark)}</td>']
        body.append("<tr>" + "".join(cells) + "</tr>")
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    return ("<h4>Metrics</h4><table><thead><tr>" + head + "</tr></thead><tbody>" + "".join(body)
            + "</tbody></table>" + _more(len(rows) - MAX_METRICS, "metrics", "comparison.metrics"))


def _gates_html(comparison: Any) -> str:
    gates = _gate_entries(comparison)
    if not gates:
        return ""
    rows = [(name, metric, "passed" if passed else "FAILED", message)
            for name, metric, passed, message in gates[:MAX_METRICS]]
    return ("<h4>Gates</h4>" + _table(["run", "metric", "gate", "why"], rows)
            + _more(len(gates) - MAX_METRICS, "gates", "comparison.gates"))


def _signature_diffs_html(comparison: Any) -> str:
    diffs = _get(comparison, "signature_diffs") or {}
    if not isinstance(diffs, Mapping) or not diffs:
        return ""
    rows = []
    for name, diff in list(diffs.items())[:MAX_LIST_ITEMS]:
        if diff is None:
            rows.append((name, "no signature to compare"))
            continue
        lines = diff.lines() if hasattr(diff, "lines") else str(diff).splitlines()
        rows.append((name, "same signature" if not lines else
                     f"{len(lines)} change(s): " + "; ".join(_short(x, 80) for x in lines[:5])
                     + (" \u2026" if len(lines) > 5 else "")))
    return "<h4>Signature vs baseline</h4>" + _table(["run", "changes"], rows)


def comparison_html(comparison: Any, *, images: bool = True) -> str:
    """The static ``text/html`` view of a ``ComparisonResult`` (no JavaScript); with the
    overlaid ROC and precision-recall curves as images where they can be rendered (unless
    ``images=False``)."""
    notes = list(_get(comparison, "notes") or [])
    parts = [
        _STYLE,
        '<div class="wb-out wb-comparison">',
        f"<div><b>ComparisonResult</b>: {_e(_comparison_title(comparison))}</div>",
        _comparison_metrics_html(comparison),
        _gates_html(comparison),
        _images_html(comparison, "comparison") if images else "",
        _signature_diffs_html(comparison),
        _reasons_html("Notes", notes, "comparison.notes"),
        "</div>",
    ]
    return "".join(p for p in parts if p)


def comparison_mimebundle(comparison: Any, include: Any = None, exclude: Any = None) -> dict[str, Any]:
    """``{"text/plain", "text/html"}`` for a ``ComparisonResult`` (+ the live panel in a kernel).

    The HTML table shows each metric's value per result, its delta against the baseline with
    the bootstrap confidence interval (when the results share their rows) and whether it is
    better or worse; then the threshold gates, the signature changes and the notes.
    """
    bundle: dict[str, Any] = {"text/plain": comparison_text(comparison),
                              "text/html": comparison_html(comparison)}
    if _wanted(WIDGET_VIEW, include, exclude) and in_kernel():
        bundle.update(_widget_view("ComparisonPanel", comparison))
    return _filter(bundle, include, exclude)


# ============================================================================ live kernel


def in_kernel() -> bool:
    """True inside a Jupyter kernel, where a widget view can be displayed.

    Only modules that are already imported are consulted: outside IPython this imports
    nothing, and a terminal IPython (no kernel, no comms) answers False.

    Examples
    --------
    >>> in_kernel()
    False
    """
    ipython = sys.modules.get("IPython")
    if ipython is None or "ipykernel" not in sys.modules:
        return False
    try:
        shell = ipython.get_ipython()
    except Exception:  # a half-initialised IPython
        return False
    return shell is not None and getattr(shell, "kernel", None) is not None


def _wanted(mimetype: str, include: Any, exclude: Any) -> bool:
    return (not include or mimetype in include) and not (exclude and mimetype in exclude)


def _widget_view(panel_class: str, obj: Any) -> dict[str, Any]:
    """``{WIDGET_VIEW: ...}`` of a new live panel for ``obj``; ``{}`` (and a warning) when the
    panel cannot be built, so the static view still shows."""
    try:
        from workbench.notebook import _panel

        widget = getattr(_panel, panel_class)(obj)
        data = widget._repr_mimebundle_()
        if isinstance(data, tuple):
            data = data[0]
        return {WIDGET_VIEW: data[WIDGET_VIEW]}
    except Exception as err:  # never lose the output: the static HTML is still there
        warnings.warn(
            f"workbench: the interactive {panel_class} could not be built ({type(err).__name__}: "
            f"{err}); showing the static view. Check that the notebook extra is installed: "
            'pip install "workbench[notebook]".',
            RuntimeWarning,
            stacklevel=2,
        )
        return {}


# ============================================================================ signature diffs

_KIND_TEXT = {
    "added": "added", "removed": "removed", "type_changed": "type",
    "required_changed": "required", "shape_changed": "shape", "default_changed": "default",
}


def signature_diff_html(diff: Any) -> str:
    """The static ``text/html`` view of a ``SignatureDiff``: one row per change."""
    rows: list[tuple[str, str, str, Any, Any]] = []
    more = 0
    for section in ("inputs", "outputs", "params"):
        schema = getattr(diff, section, None)
        entries = list(schema.entries()) if schema is not None else []
        more += max(0, len(entries) - MAX_SIGNATURE_ROWS)
        for kind, change in entries[:MAX_SIGNATURE_ROWS]:
            rows.append((section, _KIND_TEXT.get(kind, kind), change.name, change.before, change.after))
    if not rows:
        body = '<div class="note">The signatures are the same.</div>'
    else:
        body = _table(["part", "change", "name", "before", "after"], rows)
        if more:
            body += f'<div class="note">\u2026 {more} more changes (see <code>str(diff)</code>)</div>'
    return f'{_STYLE}<div class="wb-out wb-signature-diff"><div><b>SignatureDiff</b></div>{body}</div>'


def signature_diff_mimebundle(diff: Any, include: Any = None, exclude: Any = None) -> dict[str, str]:
    """``{"text/plain", "text/html"}`` for a ``SignatureDiff``, filtered by include/exclude."""
    lines = diff.lines() if hasattr(diff, "lines") else str(diff).splitlines()
    shown = lines[: 3 * MAX_SIGNATURE_ROWS]
    text = "\n".join(_short(line, 2 * MAX_TEXT) for line in shown) or "no changes"
    if len(lines) > len(shown):
        text += f"\n... {len(lines) - len(shown)} more changes"
    bundle = {"text/plain": text, "text/html": signature_diff_html(diff)}
    return _filter(bundle, include, exclude)
