"""The view payload: what ``extension/panel.js`` draws, as a JSON ``spec`` and a ``data`` blob.

One function per kind of object, used by both hosts of the renderer (the live panels in
``_panel`` and the HTML report in ``_report``)::

    spec, data = evaluation_view(result)       # an EvaluationResult
    spec, data = comparison_view(comparison)   # a ComparisonResult

``spec`` is JSON-safe (only dicts, lists, str, bool, None and finite numbers; a number that
is not finite is written as the string ``"NaN"``, ``"Infinity"`` or ``"-Infinity"``, which
JavaScript's ``Number()`` reads back). Arrays (curve points, threshold-table columns, SHAP
beeswarm points) are not in the spec: they are float32 little-endian in ``data``, one after
the other, and the spec refers to each by ``{"offset": byte offset, "n": length}``. Every
offset is a multiple of 4, so the browser reads them with ``new Float32Array(buffer,
offset, n)`` after copying the blob into its own ``ArrayBuffer``.

Everything is bounded, whatever the number of rows evaluated: curves hold at most 1,000
points (the engine decimates them), the threshold table at most 1,000 rows, the beeswarm at
most :data:`MAX_BEESWARM_POINTS` points, lists and tables are capped and long strings cut,
so a view stays far below 300 KB (tests check 1M-row and many-class results).

The view never recomputes a metric: it reorganises what the result holds (DESIGN.md §3,
"Rendering never recomputes a metric"). The one derived quantity is the beeswarm layout
(a colour per point from the feature value's rank, and a vertical jitter), which is
presentation only.

Examples
--------
>>> from workbench.evaluation import EvaluationResult
>>> spec, data = evaluation_view(EvaluationResult({"roc_auc": 0.91, "log_loss": float("nan")}, {}))
>>> spec["type"], [(m["name"], m["value"], m["greater_is_better"]) for m in spec["metrics"]]
('evaluation', [('roc_auc', 0.91, True), ('log_loss', 'NaN', False)])
>>> data
b''
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from workbench._exceptions import WorkbenchException

__all__ = ["MAX_BEESWARM_POINTS", "SPEC_VERSION", "comparison_view", "decode_array",
           "evaluation_view"]

#: Bumped when the spec changes in a way an older panel.js cannot read.
SPEC_VERSION = 1

MAX_BEESWARM_POINTS = 2000   # all classes together
MAX_BEESWARM_FEATURES = 20   # the most important ones
MAX_IMPORTANCE_FEATURES = 30
MAX_CURVE_POINTS = 1000      # a guard: the engine already keeps at most 1,000
MAX_THRESHOLD_ROWS = 1000
MAX_METRICS = 500
MAX_CLASSES = 200            # per-class rows
MAX_MATRIX_LABELS = 50       # confusion matrix side
MAX_LIST = 100               # skipped reasons, warnings, notes
MAX_FEATURE_NAMES = 200
MAX_SIGNATURE_ROWS = 300
MAX_TEXT = 200               # characters of any one string
MAX_RUNS = 10                # runs shown in a comparison view
MAX_OVERLAY_POINTS = 24_000  # curve points of all overlays of a comparison together

# What each curve kind plots: (x attribute, y attribute, x title, y title, (score attr, name)).
_CURVE_AXES: dict[str, tuple[str, str, str, str, tuple[str, str] | None]] = {
    "roc": ("fpr", "tpr", "False positive rate", "True positive rate", ("auc", "AUC")),
    "precision_recall": ("recall", "precision", "Recall", "Precision",
                         ("average_precision", "AP")),
    "det": ("fpr", "fnr", "False positive rate", "False negative rate", None),
    "lift": ("fraction", "lift", "Fraction of rows (by score)", "Lift", None),
    "gains": ("fraction", "gain", "Fraction of rows (by score)", "Fraction of positives", None),
    "calibration": ("prob_pred", "prob_true", "Mean predicted probability",
                    "Fraction of positives", ("brier_score", "Brier")),
}
CURVE_KINDS = tuple(_CURVE_AXES)

_THRESHOLD_COLUMNS = ("thresholds", "tp", "fp", "tn", "fn", "precision", "recall", "f1",
                      "accuracy")


# ============================================================================ encoding


_invalid = WorkbenchException.invalid_parameter_value


def _text(value: Any, limit: int = MAX_TEXT) -> str:
    text = value if isinstance(value, str) else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def _number(value: Any) -> Any:
    """A JSON-safe number: finite floats and ints as they are, others as JS-readable text."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    try:
        x = float(value)
    except (TypeError, ValueError):
        return None if value is None else _text(value)
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    return x


def _plain(value: Any, depth: int = 0) -> Any:
    """Any config/dataset/model value as short JSON-safe data (strings cut, lists capped)."""
    if depth > 4:
        return _text(value)
    if value is None or isinstance(value, (bool, np.bool_)):
        return None if value is None else bool(value)
    if isinstance(value, (int, float, np.integer, np.floating)):
        return _number(value)
    if isinstance(value, str):
        return _text(value)
    if isinstance(value, Mapping):
        return {_text(k, 100): _plain(v, depth + 1) for k, v in list(value.items())[:MAX_LIST]}
    if isinstance(value, (list, tuple)):
        return [_plain(v, depth + 1) for v in list(value)[:MAX_LIST]]
    return _text(value)


class _Blob:
    """Float32 arrays packed one after the other; ``add`` returns the spec's reference."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []
        self._size = 0

    def add(self, values: Any, limit: int | None = None) -> dict[str, int]:
        arr = np.asarray(values, dtype="<f4").ravel()
        if limit is not None and arr.shape[0] > limit:
            raise _invalid(f"Cannot build the view: an array of {arr.shape[0]} values exceeds "
                           f"the bound of {limit}; the engine should have decimated it.")
        ref = {"offset": self._size, "n": int(arr.shape[0])}
        raw = arr.tobytes()
        self._parts.append(raw)
        self._size += len(raw)
        return ref

    def bytes(self) -> bytes:
        return b"".join(self._parts)


def decode_array(data: bytes, ref: Mapping[str, int]) -> np.ndarray:
    """The float32 array that ``ref`` (``{"offset", "n"}``) points at in ``data``.

    Examples
    --------
    >>> from workbench.evaluation import EvaluationResult
    >>> from workbench.evaluation._curves import RocCurve
    >>> roc = RocCurve(np.array([0, .5, 1]), np.array([0, .9, 1]), np.array([2, .5, 0]), .7)
    >>> spec, data = evaluation_view(EvaluationResult({}, {}, curves=[roc]))
    >>> decode_array(data, spec["curves"][0]["y"]).tolist()
    [0.0, 0.8999999761581421, 1.0]
    """
    offset, n = int(ref["offset"]), int(ref["n"])
    return np.frombuffer(data, dtype="<f4", count=n, offset=offset)


# ============================================================================ evaluation


def _require_result(result: Any) -> Any:
    from workbench.evaluation import EvaluationResult

    if not isinstance(result, EvaluationResult):
        raise _invalid(
            f"evaluation_view(result) expects an EvaluationResult (from workbench.evaluate or "
            f"EvaluationResult.load), got {type(result).__name__}."
        )
    return result


def _metric_rows(metrics: Mapping[str, Any], prefix: str) -> list[dict[str, Any]]:
    from workbench.notebook._display import metric_hint

    rows = []
    for name, value in list(metrics.items())[:MAX_METRICS]:
        rows.append({"name": _text(name), "value": _number(value),
                     "greater_is_better": metric_hint(str(name), prefix)})
    return rows


def _title(result: Any) -> str:
    from workbench.notebook._display import _title as display_title

    return _text(display_title(result), 300)


def _curve_entry(curve: Any, blob: _Blob, max_points: int = MAX_CURVE_POINTS
                 ) -> dict[str, Any] | None:
    kind = getattr(curve, "kind", None)
    axes = _CURVE_AXES.get(kind)
    if axes is None:
        return None
    x_attr, y_attr, x_title, y_title, score = axes
    x, y = np.asarray(getattr(curve, x_attr)), np.asarray(getattr(curve, y_attr))
    if x.shape[0] > max_points:  # overlays of many runs: thinned to keep the view small
        from workbench.evaluation._decimate import decimate_indices

        keep = decimate_indices(x.astype(np.float64), y.astype(np.float64), max_points)
        x, y = x[keep], y[keep]
    entry: dict[str, Any] = {
        "kind": kind,
        "label": None if getattr(curve, "label", None) is None else _text(curve.label),
        "x_name": x_attr, "y_name": y_attr, "x_title": x_title, "y_title": y_title,
        "x": blob.add(x, MAX_CURVE_POINTS), "y": blob.add(y, MAX_CURVE_POINTS),
    }
    entry["n"] = entry["x"]["n"]
    if score is not None:
        entry["score_name"] = score[1]
        entry["score"] = _number(getattr(curve, score[0]))
    if kind == "calibration":
        entry["ece"] = _number(getattr(curve, "expected_calibration_error", math.nan))
    return entry


def _threshold_view(table: Any, blob: _Blob) -> dict[str, Any] | None:
    if table is None or getattr(table, "kind", None) != "threshold_table":
        return None
    columns = {name: blob.add(getattr(table, name), MAX_THRESHOLD_ROWS)
               for name in _THRESHOLD_COLUMNS}
    return {"label": None if table.label is None else _text(table.label),
            "n": columns["thresholds"]["n"], "columns": columns}


def _confusion_view(table: Any) -> dict[str, Any] | None:
    if table is None or getattr(table, "kind", None) != "confusion_matrix":
        return None
    labels = [_text(x, 100) for x in table.labels]
    if len(labels) > MAX_MATRIX_LABELS:
        return {"labels": labels[:MAX_MATRIX_LABELS], "matrix": None,
                "note": f"{len(labels)} classes: too many to draw a confusion matrix here "
                        "(see result.tables['confusion_matrix'])."}
    matrix = np.asarray(table.matrix)
    return {"labels": labels, "matrix": [[_number(v) for v in row] for row in matrix.tolist()]}


def _per_class_view(table: Any) -> dict[str, Any] | None:
    if table is None or getattr(table, "kind", None) != "per_class_metrics":
        return None
    columns = [_text(c, 100) for c in table.columns]
    rows = [[_plain(row.get(c)) for c in table.columns] for row in table.rows[:MAX_CLASSES]]
    return {"columns": columns, "rows": rows, "n_total": len(table.rows)}


def _residuals_view(table: Any, blob: _Blob) -> dict[str, Any] | None:
    if table is None or getattr(table, "kind", None) != "residuals":
        return None
    return {
        "bin_edges": blob.add(table.bin_edges, 10_000),
        "counts": blob.add(table.counts, 10_000),
        "target": blob.add(table.sample_target, MAX_CURVE_POINTS + 8),
        "prediction": blob.add(table.sample_prediction, MAX_CURVE_POINTS + 8),
        "quantiles": [[_number(q), _number(v)]
                      for q, v in zip(table.quantile_levels, table.quantiles)],
        "mean": _number(table.mean), "std": _number(table.std),
        "n_total": int(table.n_total),
    }


def _colour_values(values: np.ndarray) -> np.ndarray:
    """Feature values scaled to [0, 1] between their 5th and 95th percentiles (as shap's
    beeswarm colours them); NaN stays NaN (drawn grey)."""
    values = np.asarray(values, dtype=np.float64)
    finite = np.isfinite(values)
    out = np.full(values.shape, np.nan)
    if not finite.any():
        return out
    lo, hi = np.percentile(values[finite], [5, 95])
    if hi <= lo:
        lo, hi = float(values[finite].min()), float(values[finite].max())
    if hi <= lo:
        out[finite] = 0.5
        return out
    out[finite] = np.clip((values[finite] - lo) / (hi - lo), 0.0, 1.0)
    return out


def _jitter(shap: np.ndarray, n_bins: int = 40) -> np.ndarray:
    """Vertical offsets in [-0.4, 0.4] that spread points of similar SHAP value (a beeswarm):
    points are binned on the value axis and alternate above and below the row's line."""
    n = shap.shape[0]
    if n == 0:
        return np.zeros(0)
    lo, hi = float(np.nanmin(shap)), float(np.nanmax(shap))
    width = (hi - lo) or 1.0
    bins = np.clip(((shap - lo) / width * n_bins).astype(np.int64), 0, n_bins - 1)
    order = np.argsort(bins, kind="stable")
    sorted_bins = bins[order]
    starts = np.searchsorted(sorted_bins, sorted_bins, side="left")
    rank = np.arange(n) - starts  # position inside the bin
    counts = np.bincount(bins, minlength=n_bins)
    crowd = max(int(counts.max()), 1)
    step = 0.8 / crowd
    offset = np.where(rank % 2 == 0, 1, -1) * ((rank + 1) // 2) * step
    out = np.empty(n)
    out[order] = offset
    return np.clip(out, -0.4, 0.4)


def _explain_view(explanation: Any, blob: _Blob) -> dict[str, Any] | None:
    if explanation is None:
        return None
    names = [_text(f, 100) for f in explanation.feature_names]
    overall = np.asarray(explanation.overall_mean_abs_shap, dtype=np.float64)
    order = np.argsort(-np.nan_to_num(overall, nan=-1.0), kind="stable")
    top = order[:MAX_IMPORTANCE_FEATURES]
    classes = explanation.class_labels if explanation.is_multiclass else None
    mean_abs = np.asarray(explanation.mean_abs_shap, dtype=np.float64)
    importance: dict[str, Any] = {
        "features": [names[i] for i in top],
        "overall": [_number(overall[i]) for i in top],
        "by_class": None if classes is None else [
            {"label": _text(lbl, 100), "values": [_number(mean_abs[k, i]) for i in top]}
            for k, lbl in enumerate(classes)],
    }
    # Beeswarm: the most important features, the budget of points split over classes and
    # features; rows taken evenly from the explained sample.
    shap_values = np.asarray(explanation.shap_values, dtype=np.float32)
    feature_values = np.asarray(explanation.feature_values, dtype=np.float32)
    swarm_features = order[:MAX_BEESWARM_FEATURES]
    per_class = shap_values if explanation.is_multiclass else shap_values[None, ...]
    n_sample = per_class.shape[1] if per_class.ndim == 3 else 0
    n_groups = max(per_class.shape[0], 1) * max(len(swarm_features), 1)
    per_feature = min(n_sample, MAX_BEESWARM_POINTS // n_groups) if n_sample else 0
    rows = (np.unique(np.linspace(0, n_sample - 1, per_feature).astype(np.int64))
            if per_feature > 0 else np.zeros(0, np.int64))
    swarms = []
    for k in range(per_class.shape[0] if per_feature > 0 else 0):
        shap_parts, colour_parts, y_parts = [], [], []
        for row_pos, j in enumerate(swarm_features):
            s = per_class[k, rows, j].astype(np.float64)
            shap_parts.append(s)
            colour_parts.append(_colour_values(feature_values[rows, j])
                                if feature_values.ndim == 2 and feature_values.shape[1] > j
                                else np.full(s.shape, np.nan))
            y_parts.append(row_pos + _jitter(s))
        label = None if classes is None else _text(classes[k], 100)
        swarms.append({
            "label": label,
            "shap": blob.add(np.concatenate(shap_parts)),
            "colour": blob.add(np.concatenate(colour_parts)),
            "y": blob.add(np.concatenate(y_parts)),
        })
    return {
        "explainer": _text(explanation.explainer, 50),
        "model_output": _text(explanation.model_output, 50),
        "positive_label": None if explanation.positive_label is None
        else _text(explanation.positive_label, 100),
        "n_sample": int(explanation.n_sample),
        "n_rows_total": int(explanation.n_rows_total),
        "sampled": bool(explanation.sampled),
        "notes": [_text(n) for n in list(explanation.notes)[:MAX_LIST]],
        "importance": importance,
        "beeswarm": {"features": [names[j] for j in swarm_features],
                     "points_per_feature": int(rows.shape[0]), "classes": swarms},
    }


def _signature_view(model: Mapping[str, Any]) -> list[list[str]]:
    from workbench.notebook._display import _signature_rows

    signature = model.get("signature") if isinstance(model, Mapping) else None
    if signature is None:
        return []
    try:
        rows = _signature_rows(signature)
    except Exception:  # a malformed signature is shown as missing, never fails the view
        return []
    return [[_text(c, 100) for c in row] for row in rows[:MAX_SIGNATURE_ROWS]]


def _facts(result: Any) -> list[list[Any]]:
    dataset = dict(result.dataset or {})
    model = dict(result.model or {})
    facts: list[list[Any]] = []
    for key in ("name", "path", "digest", "n_rows", "n_features", "targets", "predictions",
                "sampled"):
        if dataset.get(key) is not None:
            facts.append([f"data {key}", _plain(dataset[key])])
    for key in ("kind", "class", "uri", "model_type", "model_uuid"):
        if model.get(key) is not None:
            facts.append([f"model {key}", _plain(model[key])])
    labels = model.get("labels")
    if isinstance(labels, list) and labels:
        facts.append(["model labels", ", ".join(_text(x, 60) for x in labels[:50])
                      + (f", \u2026 {len(labels) - 50} more" if len(labels) > 50 else "")])
    if result.run_id:
        facts.append(["run id", _text(result.run_id)])
    return facts


def _artifacts_view(artifacts: Mapping[str, Any]) -> list[list[str]]:
    """(name, class, uri) of each artifact: names and where they are, never their content."""
    rows = []
    for name, artifact in list(artifacts.items())[:MAX_LIST]:
        uri = getattr(artifact, "uri", None)
        rows.append([_text(name, 100), _text(type(artifact).__name__, 60),
                     "" if uri is None else _text(uri, 300)])
    return rows


def _dataset_view(result: Any) -> dict[str, Any]:
    dataset = dict(result.dataset or {})
    features = dataset.get("feature_names")
    features = list(features) if isinstance(features, (list, tuple)) else []
    explanation = result.explanation
    sampling = []
    if dataset.get("sampled"):
        sampling.append("The metrics were computed on a sample of the data.")
    if explanation is not None:
        sampling.append(
            f"SHAP values explain {int(explanation.n_sample)} of {int(explanation.n_rows_total)} "
            "rows" + (" (a seeded random sample)." if explanation.sampled else " (every row)."))
    return {
        "name": None if dataset.get("name") is None else _text(dataset["name"]),
        "digest": None if dataset.get("digest") is None else _text(dataset["digest"]),
        "n_rows": _plain(dataset.get("n_rows")),
        "n_features": _plain(dataset.get("n_features", len(features) or None)),
        "features": [_text(f, 100) for f in features[:MAX_FEATURE_NAMES]],
        "features_total": len(features),
        "sampling": sampling,
    }


def evaluation_view(result: Any) -> tuple[dict[str, Any], bytes]:
    """The panel's ``(spec, data)`` for one evaluation result.

    Parameters
    ----------
    result : EvaluationResult

    Returns
    -------
    spec : dict
        JSON-safe description: ``type`` ("evaluation"), ``version``, ``title``, ``run_id``,
        ``metrics`` (``name``, ``value``, ``greater_is_better``), ``curves`` (``kind``,
        ``label``, ``n``, axis names and titles, ``score`` with ``score_name``, and ``x`` /
        ``y`` references into ``data``), ``threshold`` (the threshold table's columns as
        references), ``confusion``, ``per_class``, ``residuals``, ``explain`` (importance and
        beeswarm), ``signature`` rows, ``facts``, ``dataset``, ``artifacts`` (name, class,
        uri), ``skipped``, ``warnings``.
    data : bytes
        The float32 little-endian arrays the references point at.

    Raises
    ------
    WorkbenchException
        When ``result`` is not an EvaluationResult.
    """
    result = _require_result(result)
    from workbench.notebook._display import _metric_prefix

    blob = _Blob()
    curves = [c for c in (_curve_entry(c, blob) for c in result.curves) if c is not None]
    tables = result.tables or {}
    spec: dict[str, Any] = {
        "type": "evaluation",
        "version": SPEC_VERSION,
        "title": _title(result),
        "run_id": None if result.run_id is None else _text(result.run_id),
        "model_type": _plain((result.model or {}).get("model_type")),
        "metrics": _metric_rows(result.metrics or {}, _metric_prefix(result)),
        "metrics_total": len(result.metrics or {}),
        "curves": curves,
        "threshold": _threshold_view(tables.get("threshold_table"), blob),
        "confusion": _confusion_view(tables.get("confusion_matrix")),
        "per_class": _per_class_view(tables.get("per_class_metrics")),
        "residuals": _residuals_view(tables.get("residuals"), blob),
        "explain": _explain_view(result.explanation, blob),
        "signature": _signature_view(result.model or {}),
        "facts": _facts(result),
        "dataset": _dataset_view(result),
        "artifacts": _artifacts_view(result.artifacts or {}),
        "skipped": [[_text(k, 100), _text(v)]
                    for k, v in list((result.skipped or {}).items())[:MAX_LIST]],
        "warnings": [_text(w, 500) for w in list(result.warnings or [])[:MAX_LIST]],
    }
    return spec, blob.bytes()


# ============================================================================ comparison


def _require_comparison(comparison: Any) -> Any:
    from workbench.evaluation._compare import ComparisonResult

    if not isinstance(comparison, ComparisonResult):
        raise _invalid(
            f"comparison_view(comparison) expects a ComparisonResult (from workbench.compare), "
            f"got {type(comparison).__name__}. For one result use evaluation_view(result)."
        )
    return comparison


def _by_name(value: Any, names: Sequence[str], convert: Any = None) -> list[Any]:
    """A per-run dict (``{name: value}``) as a list in ``names`` order."""
    value = value if isinstance(value, Mapping) else {}
    out = [value.get(n) for n in names]
    return [None if v is None else (convert(v) if convert else v) for v in out]


def _ci(value: Any) -> list[Any] | None:
    try:
        lo, hi = value
    except (TypeError, ValueError):
        return None
    return [_number(lo), _number(hi)]


def _optional_bool(value: Any) -> bool | None:
    return None if value is None else bool(value)


def _comparison_metrics(comparison: Any, names: list[str]) -> list[dict[str, Any]]:
    rows = []
    for row in list(comparison.metrics or [])[:MAX_METRICS]:
        rows.append({
            "metric": _text(row.get("metric", "")),
            "greater_is_better": _optional_bool(row.get("greater_is_better")),
            "bootstrapped": bool(row.get("bootstrapped", False)),
            "values": _by_name(row.get("values"), names, _number),
            "deltas": _by_name(row.get("deltas"), names, _number),
            "ci": _by_name(row.get("ci"), names, _ci),
            "delta_ci": _by_name(row.get("delta_ci"), names, _ci),
            "better": _by_name(row.get("better"), names, bool),
            "significant": _by_name(row.get("significant"), names, bool),
        })
    return rows


def _comparison_gates(comparison: Any) -> list[dict[str, Any]]:
    """``{candidate: {metric: {passed, message}}}`` as a flat list of badges."""
    gates = []
    for candidate, by_metric in (comparison.gates or {}).items():
        for metric, gate in (by_metric or {}).items():
            gates.append({"candidate": _text(candidate, 100), "metric": _text(metric, 100),
                          "passed": _optional_bool(gate.get("passed")),
                          "message": None if gate.get("message") is None
                          else _text(gate["message"], 500)})
            if len(gates) >= MAX_METRICS:
                return gates
    return gates


def _comparison_signature(comparison: Any) -> list[list[str]]:
    from workbench.notebook._display import _KIND_TEXT

    rows: list[list[str]] = []
    for name, diff in (comparison.signature_diffs or {}).items():
        if diff is None:
            continue
        for section in ("inputs", "outputs", "params"):
            schema = getattr(diff, section, None)
            for kind, change in (list(schema.entries()) if schema is not None else []):
                rows.append([_text(name, 100), section, _KIND_TEXT.get(kind, _text(kind)),
                             _text(change.name), _text(change.before), _text(change.after)])
                if len(rows) >= MAX_SIGNATURE_ROWS:
                    return rows
    return rows


def _comparison_per_class(comparison: Any, names: list[str], baseline: str
                          ) -> dict[str, Any] | None:
    rows_in = list(comparison.per_class or [])
    if not rows_in:
        return None
    columns = ["class", "metric"]
    for name in names:
        columns.append(_text(name, 100))
        if name != baseline:
            columns.append(f"\u0394 {_text(name, 100)}")
    rows = []
    for row in rows_in[:MAX_CLASSES * 6]:
        cells: list[Any] = [_text(row.get("positive_class"), 100), _text(row.get("metric"), 100)]
        values = row.get("values") or {}
        deltas = row.get("deltas") or {}
        for name in names:
            cells.append(_number(values.get(name)) if values.get(name) is not None else None)
            if name != baseline:
                cells.append(_number(deltas.get(name)) if deltas.get(name) is not None else None)
        rows.append(cells)
    return {"columns": columns, "rows": rows, "n_total": len(rows_in)}


def _comparison_models(comparison: Any, names: list[str]) -> list[list[Any]]:
    keys = ("run_id", "model_class", "model_type", "dataset_name", "dataset_digest", "n_rows")
    models = comparison.models or {}
    return [[_text(name, 100), *(_plain((models.get(name) or {}).get(k)) for k in keys)]
            for name in names]


def comparison_view(comparison: Any) -> tuple[dict[str, Any], bytes]:
    """The panel's ``(spec, data)`` for a :class:`~workbench.ComparisonResult`.

    ``spec["type"]`` is "comparison"; ``names`` and ``baseline`` (``baseline_index``) name
    the runs (at most :data:`MAX_RUNS`, the baseline always among them); each ``metrics``
    row holds lists in ``names`` order: ``values``, ``deltas`` against the baseline, ``ci``
    (interval of the value), ``delta_ci``, ``better`` and ``significant``; ``curves`` is
    ``{kind: [{name, label, x, y, score, ...}]}`` with references into ``data`` as in
    :func:`evaluation_view` (with many runs each curve is thinned, keeping its shape and
    end points, so that all overlays together hold at most :data:`MAX_OVERLAY_POINTS`
    points; scores such as AUC are the curve's own, computed on every row); ``gates`` a list of ``{candidate, metric, passed, message}``;
    ``signature`` diff rows ``[run, part, change, name, before, after]``; ``per_class`` a
    table of values and deltas; ``models`` one row of facts per run; ``notes``.

    Examples
    --------
    >>> import numpy as np, pandas as pd, workbench as wb
    >>> y = np.arange(200) % 2
    >>> runs = {n: wb.evaluate(data=pd.DataFrame({"y": y, "p": (np.arange(200) % k == 0) * 1}),
    ...                        targets="y", predictions="p", model_type="classifier")
    ...         for n, k in (("a", 2), ("b", 3))}
    >>> spec, data = comparison_view(wb.compare(runs, n_resamples=50))
    >>> spec["names"], spec["baseline"], spec["metrics"][5]["metric"]
    (['a', 'b'], 'a', 'accuracy_score')
    >>> row = spec["metrics"][5]
    >>> row["values"], row["deltas"], row["better"]
    ([0.0, 0.495], [None, 0.495], [None, True])
    """
    comparison = _require_comparison(comparison)
    all_names = list(comparison.names)
    names = all_names[:MAX_RUNS]
    if comparison.baseline in all_names and comparison.baseline not in names:
        names = [comparison.baseline, *names[: MAX_RUNS - 1]]
    blob = _Blob()
    curves: dict[str, list[dict[str, Any]]] = {}
    n_curves = sum(1 for kind, by_name in (comparison.curves or {}).items()
                   if kind in _CURVE_AXES and isinstance(by_name, Mapping)
                   for name in names if by_name.get(name) is not None)
    per_curve = max(50, min(MAX_CURVE_POINTS, MAX_OVERLAY_POINTS // max(n_curves, 1)))
    for kind, by_name in (comparison.curves or {}).items():
        if kind not in _CURVE_AXES or not isinstance(by_name, Mapping):
            continue
        entries = []
        for name in names:
            curve = by_name.get(name)
            entry = None if curve is None else _curve_entry(curve, blob, per_curve)
            if entry is not None:
                entry["name"] = _text(name, 100)
                entries.append(entry)
        if entries:
            curves[kind] = entries
    shown = [_text(n, 100) for n in names]
    settings = comparison.settings or {}
    spec = {
        "type": "comparison",
        "version": SPEC_VERSION,
        "title": "Comparison of " + ", ".join(shown),
        "names": shown,
        "names_total": len(all_names),
        "baseline": _text(comparison.baseline, 100),
        "baseline_index": names.index(comparison.baseline) if comparison.baseline in names else 0,
        "paired": bool(comparison.paired),
        "confidence": _plain(settings.get("confidence")),
        "n_resamples": _plain(settings.get("n_resamples")),
        "metrics": _comparison_metrics(comparison, names),
        "gates": _comparison_gates(comparison),
        "signature": _comparison_signature(comparison),
        "signature_compared": any(d is not None for d in (comparison.signature_diffs or {}).values()),
        "per_class": _comparison_per_class(comparison, names, comparison.baseline),
        "models": _comparison_models(comparison, names),
        "curves": curves,
        "notes": [_text(n, 500) for n in list(comparison.notes or [])[:MAX_LIST]],
    }
    if len(all_names) > len(names):
        spec["notes"].append(f"{len(all_names)} results were compared; the view shows "
                             f"{len(names)} of them.")
    return spec, blob.bytes()


def spec_json(spec: Mapping[str, Any]) -> str:
    """``spec`` as strict JSON (no NaN tokens), the form both hosts send."""
    return json.dumps(spec, allow_nan=False, separators=(",", ":"), ensure_ascii=False)
