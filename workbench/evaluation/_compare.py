"""``workbench.compare``: several evaluation results side by side, with confidence intervals.

:func:`compare` takes two or more :class:`~workbench.evaluation._result.EvaluationResult`
objects (or the runs that hold them) and returns a :class:`ComparisonResult`, plain data
that the notebook display, the panels, the HTML report and the CLI render without
recomputing anything:

* ``metrics``: one row per metric with each model's value, its delta to the baseline,
  better / worse (by the metric's direction) and, when the results are *paired* (computed
  on the same rows), percentile confidence intervals of each value and of each delta from
  a paired, stratified bootstrap (:mod:`workbench.evaluation._bootstrap`);
* ``gates``: :class:`~workbench.evaluation._validation.MetricThreshold` checks of each
  candidate against the baseline, with MLflow's rules and messages;
* ``signature_diffs``: what each candidate's model signature changes relative to the
  baseline's;
* ``per_class``: per-class metric deltas (multiclass results);
* ``curves``: each model's ROC, precision-recall, lift, gains, calibration and DET curve,
  ready to overlay;
* ``notes``: why there are no confidence intervals, what was missing, and so on.

Metric rows (``ComparisonResult.metrics``) are dicts::

    {"metric": "roc_auc", "greater_is_better": True, "bootstrapped": True,
     "values":      {name: float | None},        # the results' own (exact) values
     "deltas":      {name: float | None},        # value - baseline value (None: baseline)
     "ci":          {name: [lo, hi] | None},     # interval of the value
     "delta_ci":    {name: [lo, hi] | None},     # interval of the delta (None: baseline)
     "better":      {name: True | False | None}, # by the point delta and the direction
     "significant": {name: True | False | None}} # the delta's interval excludes 0

Per-class rows are ``{"positive_class", "metric", "values": {...}, "deltas": {...}}``;
``gates`` is ``{candidate: {metric: {"passed": bool, "message": str | None}}}``;
``models`` is ``{name: {"run_id", "model_class", "model_type", "dataset_name",
"dataset_digest", "n_rows", "has_rows"}}``; ``settings`` holds ``n_resamples``,
``confidence``, ``seed`` and the row ``kind``.

On disk (:meth:`ComparisonResult.save`) a comparison is a directory holding
``comparison.json`` (strict JSON: NaN and infinities as the strings ``"NaN"``,
``"Infinity"``, ``"-Infinity"``, as the curves write them) with a ``format_version``.
"""

from __future__ import annotations

import dataclasses
import json
import math
import numbers
import os
import pathlib
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from workbench._exceptions import (
    INVALID_PARAMETER_VALUE,
    RESOURCE_ALREADY_EXISTS,
    RESOURCE_DOES_NOT_EXIST,
    WorkbenchException,
)
from workbench._io import atomic_write_bytes, dumps_json, safe_join

__all__ = ["GREATER_IS_BETTER", "ComparisonResult", "compare"]

#: The format version :meth:`ComparisonResult.save` writes. Bump it when a reader of the
#: current version would misread the file (a key renamed or removed, a meaning changed).
FORMAT_VERSION = 1
FORMAT_NAME = "workbench.comparison"
FILE_NAME = "comparison.json"

#: The direction of the built-in metrics (True: greater is better; None: neither).
GREATER_IS_BETTER: dict[str, bool | None] = {
    "true_negatives": True, "false_positives": False, "false_negatives": False,
    "true_positives": True, "example_count": None, "accuracy_score": True,
    "recall_score": True, "precision_score": True, "f1_score": True, "log_loss": False,
    "roc_auc": True, "precision_recall_auc": True, "ks_statistic": True,
    "brier_score_loss": False, "expected_calibration_error": False, "score": True,
    "mean_absolute_error": False, "mean_squared_error": False,
    "root_mean_squared_error": False, "sum_on_target": None, "mean_on_target": None,
    "r2_score": True, "max_error": False, "mean_absolute_percentage_error": False,
}

#: Curve kinds collected for overlays, in display order.
CURVE_KINDS = ("roc", "precision_recall", "lift", "gains", "calibration", "det")
#: Per-class table columns compared (counts are left out).
_PER_CLASS_METRICS = ("accuracy_score", "precision_score", "recall_score", "f1_score",
                      "roc_auc", "precision_recall_auc")
#: Results beyond this many are compared but reports show at most this many.
MAX_REPORTED = 10


_invalid = WorkbenchException.invalid_parameter_value


# ============================================================================ JSON helpers


def _enc(x: Any) -> Any:
    """A number as strict JSON (non-finite floats as strings); None and bools unchanged."""
    from workbench.evaluation._curves import encode_float

    if x is None or isinstance(x, (bool, str)):
        return x
    return encode_float(x)


def _dec(x: Any) -> Any:
    from workbench.evaluation._curves import decode_float

    if x is None or isinstance(x, bool):
        return x
    return decode_float(x)


def _enc_pair(pair: Any) -> Any:
    return None if pair is None else [_enc(pair[0]), _enc(pair[1])]


def _dec_pair(pair: Any) -> Any:
    return None if pair is None else (_dec(pair[0]), _dec(pair[1]))


def _signature_diff_from_dict(d: Any) -> Any:
    from workbench.models._signature_diff import SchemaDiff, SignatureDiff, SpecChange

    if d is None:
        return None
    sections = {}
    for section, changes in d.items():
        sections[section] = SchemaDiff(**{
            kind: tuple(SpecChange(**c) for c in items) for kind, items in changes.items()})
    return SignatureDiff(**sections)


# ============================================================================ the result


@dataclasses.dataclass(eq=False)
class ComparisonResult:
    """Two or more evaluation results compared: plain data (see the module docstring).

    Attributes
    ----------
    names : list of str
        The display names, in the order given.
    baseline : str
        The name every delta is taken against.
    paired : bool
        True when the results share the same rows (same dataset digest, targets and
        weights), so that the deltas have paired bootstrap confidence intervals.
    metrics : list of dict
        One row per metric (see the module docstring).
    gates : dict
        ``{candidate: {metric: {"passed": bool, "message": str | None}}}``.
    signature_diffs : dict
        ``{name: SignatureDiff | None}`` relative to the baseline (None for the baseline
        and where a signature is unknown).
    per_class : list of dict
        Per-class metric rows (multiclass results).
    curves : dict
        ``{kind: {name: curve}}`` for the kinds in :data:`CURVE_KINDS`.
    notes : list of str
        What the reader should know (no intervals and why, missing metrics, ...).
    models : dict
        Per name: run id, model class and type, dataset name, digest and rows.
    settings : dict
        ``n_resamples``, ``confidence``, ``seed``, ``kind``.
    """

    names: list[str]
    baseline: str
    paired: bool
    metrics: list[dict[str, Any]]
    gates: dict[str, dict[str, dict[str, Any]]] = dataclasses.field(default_factory=dict)
    signature_diffs: dict[str, Any] = dataclasses.field(default_factory=dict)
    per_class: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    curves: dict[str, dict[str, Any]] = dataclasses.field(default_factory=dict)
    notes: list[str] = dataclasses.field(default_factory=list)
    models: dict[str, dict[str, Any]] = dataclasses.field(default_factory=dict)
    settings: dict[str, Any] = dataclasses.field(default_factory=dict)

    # ------------------------------------------------------------------ views

    @property
    def candidates(self) -> list[str]:
        """The names other than the baseline."""
        return [n for n in self.names if n != self.baseline]

    def metric(self, name: str) -> dict[str, Any] | None:
        """The row of metric ``name``, or None."""
        for row in self.metrics:
            if row["metric"] == name:
                return row
        return None

    @property
    def passed(self) -> bool:
        """True when every gate of every candidate passed (True without gates)."""
        return all(g["passed"] for gates in self.gates.values() for g in gates.values())

    def to_frame(self) -> Any:
        """One row per metric; columns ``(model, field)`` for the fields ``value``,
        ``value_ci_low``, ``value_ci_high``, ``delta``, ``ci_low``, ``ci_high`` (of the
        delta), ``better``, ``significant``, plus ``("", "greater_is_better")``.
        """
        import pandas as pd

        columns: list[tuple[str, str]] = [("", "greater_is_better")]
        fields = ("value", "value_ci_low", "value_ci_high", "delta", "ci_low", "ci_high",
                  "better", "significant")
        columns += [(name, f) for name in self.names for f in fields]
        records = []
        for row in self.metrics:
            rec: list[Any] = [row["greater_is_better"]]
            for name in self.names:
                ci = row["ci"].get(name) or (None, None)
                dci = row["delta_ci"].get(name) or (None, None)
                rec += [row["values"].get(name), ci[0], ci[1], row["deltas"].get(name),
                        dci[0], dci[1], row["better"].get(name), row["significant"].get(name)]
            records.append(rec)
        frame = pd.DataFrame(records, index=pd.Index([r["metric"] for r in self.metrics],
                                                     name="metric"),
                             columns=pd.MultiIndex.from_tuples(columns))
        return frame

    # ------------------------------------------------------------------ dict / JSON

    def to_dict(self) -> dict[str, Any]:
        """A strict-JSON dict (non-finite numbers as strings) with a ``format_version``."""
        metrics = []
        for row in self.metrics:
            metrics.append({
                "metric": row["metric"],
                "greater_is_better": row["greater_is_better"],
                "bootstrapped": row["bootstrapped"],
                "values": {k: _enc(v) for k, v in row["values"].items()},
                "deltas": {k: _enc(v) for k, v in row["deltas"].items()},
                "ci": {k: _enc_pair(v) for k, v in row["ci"].items()},
                "delta_ci": {k: _enc_pair(v) for k, v in row["delta_ci"].items()},
                "better": dict(row["better"]),
                "significant": dict(row["significant"]),
            })
        per_class = [{"positive_class": r["positive_class"], "metric": r["metric"],
                      "values": {k: _enc(v) for k, v in r["values"].items()},
                      "deltas": {k: _enc(v) for k, v in r["deltas"].items()}}
                     for r in self.per_class]
        return {
            "format": FORMAT_NAME,
            "format_version": FORMAT_VERSION,
            "names": list(self.names),
            "baseline": self.baseline,
            "paired": self.paired,
            "settings": json.loads(dumps_json(self.settings)),
            "models": json.loads(dumps_json(self.models)),
            "metrics": metrics,
            "gates": json.loads(dumps_json(self.gates)),
            "signature_diffs": {k: None if v is None else v.to_dict()
                                for k, v in self.signature_diffs.items()},
            "per_class": per_class,
            "curves": {kind: {name: c.to_dict() for name, c in by_name.items()}
                       for kind, by_name in self.curves.items()},
            "notes": list(self.notes),
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> ComparisonResult:
        """Invert :meth:`to_dict`.

        Raises
        ------
        WorkbenchException
            ``INVALID_PARAMETER_VALUE`` when ``d`` is not a comparison dict, or was
            written by a newer workbench.
        """
        from workbench.evaluation._curves import curve_from_dict

        if not isinstance(d, Mapping) or d.get("format") != FORMAT_NAME:
            got = d.get("format") if isinstance(d, Mapping) else type(d).__name__
            raise _invalid(f"Cannot read a comparison: expected a dict with \"format\": "
                           f"{FORMAT_NAME!r}, got {got!r}. Pass ComparisonResult.to_dict()'s "
                           "output or the comparison.json that save() wrote.")
        version = d.get("format_version")
        if type(version) is not int or not 1 <= version <= FORMAT_VERSION:
            raise _invalid(f"Cannot read a comparison of format_version {version!r}: this "
                           f"workbench reads versions 1 to {FORMAT_VERSION}. Upgrade workbench "
                           "(pip install -U workbench) to read it.")
        try:
            metrics = [{
                "metric": r["metric"],
                "greater_is_better": r["greater_is_better"],
                "bootstrapped": r["bootstrapped"],
                "values": {k: _dec(v) for k, v in r["values"].items()},
                "deltas": {k: _dec(v) for k, v in r["deltas"].items()},
                "ci": {k: _dec_pair(v) for k, v in r["ci"].items()},
                "delta_ci": {k: _dec_pair(v) for k, v in r["delta_ci"].items()},
                "better": dict(r["better"]),
                "significant": dict(r["significant"]),
            } for r in d["metrics"]]
            per_class = [{"positive_class": r["positive_class"], "metric": r["metric"],
                          "values": {k: _dec(v) for k, v in r["values"].items()},
                          "deltas": {k: _dec(v) for k, v in r["deltas"].items()}}
                         for r in d.get("per_class", [])]
            return cls(
                names=list(d["names"]),
                baseline=d["baseline"],
                paired=bool(d["paired"]),
                metrics=metrics,
                gates={k: {m: dict(g) for m, g in v.items()} for k, v in d["gates"].items()},
                signature_diffs={k: _signature_diff_from_dict(v)
                                 for k, v in d["signature_diffs"].items()},
                per_class=per_class,
                curves={kind: {name: curve_from_dict(c) for name, c in by_name.items()}
                        for kind, by_name in d["curves"].items()},
                notes=list(d["notes"]),
                models={k: dict(v) for k, v in d.get("models", {}).items()},
                settings=dict(d.get("settings", {})),
            )
        except WorkbenchException:
            raise
        except (KeyError, TypeError, AttributeError, ValueError) as err:
            raise _invalid(f"Cannot read the comparison: {type(err).__name__}: {err}. The "
                           "dict or comparison.json is malformed (edited, or truncated).") from None

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ComparisonResult):
            return NotImplemented
        return self.to_dict() == other.to_dict()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        gates = sum(len(g) for g in self.gates.values())
        return (f"ComparisonResult(names={self.names!r}, baseline={self.baseline!r}, "
                f"paired={self.paired}, metrics={len(self.metrics)}, gates={gates}, "
                f"curves={sorted(self.curves)}, notes={len(self.notes)})")

    # ------------------------------------------------------------------ files

    def save(self, path: str | os.PathLike, *, overwrite: bool = False) -> pathlib.Path:
        """Write the comparison to the directory ``path`` (``comparison.json``, atomically).

        ``path`` may be missing or an empty directory; one that already holds a saved
        comparison is replaced only with ``overwrite=True``. Returns the directory.
        """
        data = dumps_json(self.to_dict(), indent=1, allow_nan=False).encode("utf-8")
        root = pathlib.Path(os.path.abspath(os.fspath(path)))
        if root.exists() and not root.is_dir():
            raise WorkbenchException(
                f"Cannot save the comparison to {str(root)!r}: a file of that name exists. "
                "Choose a directory path.", error_code=RESOURCE_ALREADY_EXISTS)
        if root.is_dir() and any(root.iterdir()):
            if not (root / FILE_NAME).is_file():
                raise WorkbenchException(
                    f"Cannot save the comparison to {str(root)!r}: the directory is not empty "
                    f"and holds no {FILE_NAME}. Choose an empty or new directory.",
                    error_code=RESOURCE_ALREADY_EXISTS)
            if not overwrite:
                raise WorkbenchException(
                    f"Cannot save the comparison to {str(root)!r}: it already holds one. Pass "
                    "overwrite=True to replace it, or choose another path.",
                    error_code=RESOURCE_ALREADY_EXISTS)
        root.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(safe_join(root, FILE_NAME), data)
        return root

    @classmethod
    def load(cls, path: str | os.PathLike) -> ComparisonResult:
        """Read a comparison saved by :meth:`save`."""
        root = pathlib.Path(os.fspath(path))
        file = safe_join(root, FILE_NAME) if root.is_dir() else None
        if file is None or not file.is_file():
            raise WorkbenchException(
                f"Cannot load a comparison from {os.fspath(path)!r}: no {FILE_NAME} there. "
                "Pass the directory that ComparisonResult.save() wrote.",
                error_code=RESOURCE_DOES_NOT_EXIST)
        try:
            d = json.loads(file.read_bytes())
        except (ValueError, UnicodeDecodeError) as err:
            raise _invalid(f"Cannot load the comparison: {FILE_NAME} is not valid JSON "
                           f"({err}).") from None
        return cls.from_dict(d)

    # ------------------------------------------------------------------ display

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        """Rich display in Jupyter (``workbench.notebook._display``, imported on use)."""
        from workbench.notebook._display import comparison_mimebundle

        return comparison_mimebundle(self, include, exclude)

    def to_html(self, **kwargs: Any) -> str:
        """The comparison as one self-contained, interactive HTML page
        (``workbench.notebook._report.to_html``; ``plotlyjs``, ``title``)."""
        from workbench.notebook._report import to_html

        return to_html(self, **kwargs)

    def save_html(self, path: str | os.PathLike, **kwargs: Any) -> pathlib.Path:
        """Write :meth:`to_html` to ``path`` atomically; return the path written."""
        from workbench.notebook._report import save_html

        return save_html(self, path, **kwargs)


# ============================================================================ compare()


def _is_result(obj: Any) -> bool:
    from workbench.evaluation._result import EvaluationResult

    return isinstance(obj, EvaluationResult)


def _resolve(item: Any, where: str) -> Any:
    if _is_result(item):
        return item
    if isinstance(item, str) or hasattr(getattr(item, "info", None), "run_id"):
        from workbench.evaluation._persist import load_evaluation

        return load_evaluation(item)
    raise _invalid(f"compare() expects EvaluationResult objects, run ids or run names; "
                   f"{where} is a {type(item).__name__}. Pass workbench.evaluate()'s result "
                   "or the run id / name it was logged to.")


def _run_name(result: Any) -> str | None:
    if not result.run_id:
        return None
    try:
        from workbench import _tracking

        return _tracking._store().get_run(result.run_id).run_name or None
    except Exception:  # another workspace, a deleted run: fall back to a generic name
        return None


def _collect(results: Any) -> tuple[list[str], list[Any]]:
    if isinstance(results, (str, bytes)) or _is_result(results):
        raise _invalid(f"compare() expects a sequence or dict of at least 2 results, got one "
                       f"{type(results).__name__}. Pass e.g. compare([result_a, result_b]) or "
                       "compare(['run-a', 'run-b']).")
    if isinstance(results, Mapping):
        names = list(results)
        bad = [n for n in names if not isinstance(n, str) or not n.strip()]
        if bad:
            raise _invalid(f"compare() display names (the dict's keys) must be non-empty "
                           f"strings, got {bad[0]!r}.")
        items = [results[n] for n in names]
        resolved = [_resolve(r, f"the value of {n!r}") for n, r in zip(names, items)]
    else:
        if not isinstance(results, Sequence):
            try:
                results = list(results)
            except TypeError:
                raise _invalid(f"compare() expects a sequence or dict of results, got "
                               f"{type(results).__name__}.") from None
        items = list(results)
        resolved = [_resolve(r, f"item {i}") for i, r in enumerate(items)]
        names = []
        given = {item for item in items if isinstance(item, str)}
        for i, (item, result) in enumerate(zip(items, resolved)):
            if isinstance(item, str):
                names.append(item)
                continue
            # a generated name never collides: the same run twice becomes "name (2)"
            name = _run_name(result) or f"model {i + 1}"
            candidate, k = name, 2
            while candidate in names or candidate in given:
                candidate, k = f"{name} ({k})", k + 1
            names.append(candidate)
    if len(resolved) < 2:
        raise _invalid(f"compare() needs at least 2 results to compare, got {len(resolved)}. "
                       "Pass two or more results, run ids or run names.")
    seen: dict[str, int] = {}
    for i, name in enumerate(names):
        if name in seen:
            raise _invalid(f"compare() got the name {name!r} twice (items {seen[name]} and {i}); "
                           "display names must be unique. Pass a dict {name: result} to name "
                           "them, or compare different runs.")
        seen[name] = i
    return names, resolved


def _model_type(result: Any) -> str | None:
    if result.rows is not None:
        return "regressor" if result.rows.kind == "regressor" else "classifier"
    return result.model.get("model_type")


def _pick_baseline(baseline: Any, names: list[str]) -> str:
    if baseline is None:
        return names[0]
    if isinstance(baseline, str):
        if baseline not in names:
            raise _invalid(f"compare(baseline={baseline!r}): no result has that name. The names "
                           f"are {names!r}; pass one of them or an index.")
        return baseline
    if isinstance(baseline, numbers.Integral) and not isinstance(baseline, bool):
        if not -len(names) <= int(baseline) < len(names):
            raise _invalid(f"compare(baseline={baseline}): index out of range for "
                           f"{len(names)} results; pass 0 to {len(names) - 1} or a name.")
        return names[int(baseline)]
    raise _invalid(f"compare(baseline=...) expects a name, an index or None, got "
                   f"{type(baseline).__name__}.")


def _check_settings(n_resamples: Any, confidence: Any, seed: Any) -> None:
    if isinstance(n_resamples, bool) or not isinstance(n_resamples, numbers.Integral) \
            or n_resamples < 1:
        raise _invalid(f"compare(n_resamples=...) must be a positive integer, got "
                       f"{n_resamples!r}; 1000 is the default.")
    if isinstance(confidence, bool) or not isinstance(confidence, numbers.Real) \
            or not 0 < confidence < 1:
        raise _invalid(f"compare(confidence=...) must be a number between 0 and 1 (e.g. 0.95), "
                       f"got {confidence!r}.")
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise _invalid(f"compare(seed=...) must be a non-negative integer, got {seed!r}.")


def _check_thresholds(thresholds: Any) -> dict[str, Any]:
    from workbench.evaluation._validation import MetricThreshold

    if thresholds is None:
        return {}
    if not (isinstance(thresholds, Mapping) and all(isinstance(k, str) for k in thresholds)
            and all(isinstance(v, MetricThreshold) for v in thresholds.values())):
        raise _invalid("compare(thresholds=...) must be a dict that maps metric names to "
                       "MetricThreshold objects, e.g. {'roc_auc': MetricThreshold(threshold="
                       f"0.8, greater_is_better=True)}}; got {type(thresholds).__name__}.")
    return dict(thresholds)


def _number(value: Any) -> float | None:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Real, np.number)):
        return None
    return float(value)


def _prefix(result: Any) -> str:
    prefix = result.config.get("metric_prefix") if isinstance(result.config, dict) else None
    return prefix if isinstance(prefix, str) else ""


def _direction(metric: str, prefix_of: list[str], thresholds: dict[str, Any],
               results: list[Any]) -> bool | None:
    if metric in thresholds:
        return thresholds[metric].greater_is_better
    for result in results:  # a custom metric's own greater_is_better
        if metric in result.metric_directions:
            return result.metric_directions[metric]
    for prefix in prefix_of:
        if prefix and metric.startswith(prefix) and metric[len(prefix):] in GREATER_IS_BETTER:
            return GREATER_IS_BETTER[metric[len(prefix):]]
    return GREATER_IS_BETTER.get(metric)


def _pairing(names: list[str], results: list[Any]) -> tuple[bool, str | None]:
    missing = [n for n, r in zip(names, results) if r.rows is None]
    if missing:
        return False, (f"No confidence intervals: {', '.join(map(repr, missing))} "
                       f"{'has' if len(missing) == 1 else 'have'} no per-row data (a result "
                       "saved by MLflow or by an older workbench), so the deltas are plain "
                       "differences. Evaluate again with this workbench to get intervals.")
    first = results[0].rows
    for n, r in zip(names[1:], results[1:]):
        if not first.same_targets(r.rows):
            return False, (f"No confidence intervals: {names[0]!r} and {n!r} were not evaluated "
                           "on the same rows (their targets, labels, positive class or sample "
                           "weights differ), so rows cannot be paired; the deltas are plain "
                           "differences. Evaluate the models on the same data to get paired "
                           "intervals.")
    digests = {n: r.rows.digest for n, r in zip(names, results)}
    if len(set(digests.values())) > 1:
        # Same targets row by row but different frames: typically one frame per model (other
        # feature columns, or a static predictions column inside the frame, which the digest
        # covers as MLflow's does). The rows are the same examples, so they pair; say so.
        shown = ", ".join(f"{n}: {d}" for n, d in digests.items())
        return True, (f"The dataset digests differ ({shown}) but the targets (and weights) are "
                      "identical row by row, so the rows are paired as the same examples. If "
                      "the models were evaluated on different examples that happen to share "
                      "targets, these intervals do not apply.")
    return True, None


def _bootstrap(names: list[str], results: list[Any], n_resamples: int, seed: int
               ) -> dict[str, dict[str, np.ndarray]]:
    """{name: {full metric name: (n_resamples,) values}}."""
    from workbench.evaluation._bootstrap import BOOTSTRAP_METRICS, bootstrap_metrics

    kind = results[0].rows.kind
    wanted: list[dict[str, str]] = []  # per model: base name -> full name
    for r in results:
        prefix = _prefix(r)
        wanted.append({m[len(prefix):]: m for m in r.metrics
                       if m.startswith(prefix) and m[len(prefix):] in BOOTSTRAP_METRICS[kind]
                       and _number(r.metrics[m]) is not None})
    values = bootstrap_metrics([r.rows for r in results], [list(w) for w in wanted],
                               n_resamples=n_resamples, seed=seed)
    return {name: {w[base]: v for base, v in vals.items()}
            for name, w, vals in zip(names, wanted, values)}


def _metric_rows(names: list[str], results: list[Any], baseline: str,
                 thresholds: dict[str, Any], boot: dict[str, dict[str, np.ndarray]],
                 confidence: float) -> list[dict[str, Any]]:
    from workbench.evaluation._bootstrap import percentile_interval

    order: dict[str, None] = {}
    base_result = results[names.index(baseline)]
    for r in [base_result, *results]:
        for m, v in r.metrics.items():
            if _number(v) is not None:
                order.setdefault(m, None)
    prefixes = [_prefix(r) for r in results]
    rows = []
    for metric in order:
        gib = _direction(metric, prefixes, thresholds, results)
        values = {n: _number(r.metrics.get(metric)) for n, r in zip(names, results)}
        base_value = values[baseline]
        base_boot = boot.get(baseline, {}).get(metric)
        row: dict[str, Any] = {"metric": metric, "greater_is_better": gib,
                               "bootstrapped": False, "values": values, "deltas": {},
                               "ci": {}, "delta_ci": {}, "better": {}, "significant": {}}
        for name in names:
            dist = boot.get(name, {}).get(metric)
            row["ci"][name] = None if dist is None else percentile_interval(dist, confidence)
            row["bootstrapped"] = row["bootstrapped"] or dist is not None
            if name == baseline:
                row["deltas"][name] = row["delta_ci"][name] = None
                row["better"][name] = row["significant"][name] = None
                continue
            value = values[name]
            delta = None if value is None or base_value is None else value - base_value
            row["deltas"][name] = delta
            ci = None
            if dist is not None and base_boot is not None:
                ci = percentile_interval(dist - base_boot, confidence)
            row["delta_ci"][name] = ci
            better = None
            if gib is not None and delta is not None and not math.isnan(delta) and delta != 0:
                better = (delta > 0) == gib
            row["better"][name] = better
            row["significant"][name] = None if ci is None else bool(ci[0] > 0 or ci[1] < 0)
        rows.append(row)
    return rows


def _gates(names: list[str], results: list[Any], baseline: str,
           thresholds: dict[str, Any]) -> dict[str, dict[str, dict[str, Any]]]:
    from workbench.evaluation._validation import _check_metric

    base_metrics = results[names.index(baseline)].metrics
    gates: dict[str, dict[str, dict[str, Any]]] = {}
    for name, result in zip(names, results):
        if name == baseline or not thresholds:
            continue
        gates[name] = {}
        for metric, threshold in thresholds.items():
            check = _check_metric(metric, threshold, result.metrics, base_metrics)
            ok = check.is_success()
            gates[name][metric] = {"passed": ok, "message": None if ok else str(check)}
    return gates


def _signature(result: Any) -> Any:
    sig = result.model.get("signature") if isinstance(result.model, dict) else None
    if not sig:
        return None
    from workbench.models._signature import ModelSignature

    try:
        return ModelSignature.from_dict(sig) if isinstance(sig, dict) else None
    except Exception:  # a signature this workbench cannot read: no diff, a note
        return None


def _signature_diffs(names: list[str], results: list[Any], baseline: str,
                     notes: list[str]) -> dict[str, Any]:
    from workbench.models._signature_diff import diff_signatures

    signatures = {n: _signature(r) for n, r in zip(names, results)}
    out: dict[str, Any] = {}
    unknown = []
    for name in names:
        if name == baseline:
            out[name] = None
        elif signatures[name] is None or signatures[baseline] is None:
            out[name] = None
            unknown.append(name)
        else:
            out[name] = diff_signatures(signatures[baseline], signatures[name])
    if unknown and any(s is not None for s in signatures.values()):
        notes.append(f"No signature diff for {', '.join(map(repr, unknown))}: the model "
                     f"signature of {'it' if len(unknown) == 1 else 'them'} or of the "
                     f"baseline {baseline!r} is unknown (static predictions, or a model "
                     "saved without a signature).")
    return out


def _per_class(names: list[str], results: list[Any], baseline: str) -> list[dict[str, Any]]:
    tables = {}
    for name, result in zip(names, results):
        table = result.tables.get("per_class_metrics")
        if table is not None and hasattr(table, "rows"):
            tables[name] = {str(r.get("positive_class")): r for r in table.rows}
    if baseline not in tables or len(tables) < 2:
        return []
    out = []
    classes = list(tables[baseline])
    for table in tables.values():
        classes += [c for c in table if c not in classes]
    for cls in classes:
        for metric in _PER_CLASS_METRICS:
            values = {n: _number(tables.get(n, {}).get(cls, {}).get(metric)) for n in names}
            if all(v is None for v in values.values()):
                continue
            base = values[baseline]
            deltas = {n: None if n == baseline or v is None or base is None else v - base
                      for n, v in values.items()}
            out.append({"positive_class": cls, "metric": metric, "values": values,
                        "deltas": deltas})
    return out


def _curves(names: list[str], results: list[Any]) -> dict[str, dict[str, Any]]:
    curves: dict[str, dict[str, Any]] = {}
    for kind in CURVE_KINDS:
        by_name = {}
        for name, result in zip(names, results):
            rows = result.rows
            multiclass = (rows is not None and rows.kind == "multiclass") or len(
                [c for c in result.curves if getattr(c, "kind", None) == kind]) > 1
            curve = result.curve(kind, "micro") if multiclass else result.curve(kind)
            if curve is not None:
                by_name[name] = curve
        if by_name:
            curves[kind] = by_name
    return curves


def compare(
    results: Any,
    baseline: Any = None,
    thresholds: Mapping[str, Any] | None = None,
    *,
    n_resamples: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
) -> ComparisonResult:
    """Compare evaluation results: deltas with paired bootstrap confidence intervals.

    Parameters
    ----------
    results : sequence or dict
        Two or more of: an ``EvaluationResult``, a run id or a run name (the evaluation
        logged to that run, :func:`workbench.load_evaluation`), or a dict
        ``{display name: result or run}``. Display names are the dict's keys, else the
        run name or id given, else the result's run name, else ``"model 1"``,
        ``"model 2"``...; they must be unique.
    baseline : str or int, optional
        The display name or the index of the result every delta is taken against
        (default: the first).
    thresholds : dict[str, MetricThreshold], optional
        Gates checked for every candidate against the baseline, with the rules and
        messages of :func:`workbench.validate_evaluation_results`.
    n_resamples : int, default 1000
        Bootstrap resamples (paired results only).
    confidence : float, default 0.95
        The coverage of the percentile intervals.
    seed : int, default 0
        The resampling seed: the same seed gives the same intervals.

    Returns
    -------
    ComparisonResult

    Raises
    ------
    WorkbenchException
        ``INVALID_PARAMETER_VALUE`` for fewer than 2 results, duplicate names, an unknown
        baseline, classifiers mixed with regressors, bad thresholds or settings;
        ``RESOURCE_DOES_NOT_EXIST`` for a run that holds no evaluation.

    Notes
    -----
    The results are *paired* when every one has per-row data (``result.rows``) with the
    same dataset digest, targets, labels, positive class and weights. Then the metrics
    below are recomputed on ``n_resamples`` resamples drawn within each true class
    (classifiers; plain resamples for regressors), the same resamples for every model,
    and the intervals of each value and of each delta are percentiles of those:
    binary ``accuracy_score``, ``precision_score``, ``recall_score``, ``f1_score``,
    ``roc_auc``, ``precision_recall_auc``, ``log_loss``; multiclass ``accuracy_score``
    and the averaged ``precision_score``, ``recall_score``, ``f1_score``; regressor
    ``mean_absolute_error``, ``mean_squared_error``, ``root_mean_squared_error``,
    ``r2_score``. Other metrics get plain deltas. ``better`` follows the point delta and
    the metric's direction; ``significant`` says whether the delta's interval excludes 0.

    Examples
    --------
    >>> import pandas as pd, workbench
    >>> from sklearn.datasets import load_breast_cancer
    >>> from sklearn.naive_bayes import GaussianNB
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    >>> test = X.iloc[::2].assign(label=y.iloc[::2])
    >>> def run(model):
    ...     model.fit(X.iloc[1::2], y.iloc[1::2])
    ...     return workbench.evaluate(model, data=test, targets="label", model_type="classifier",
    ...                               evaluator_config={"log_model_explainability": False})
    >>> a = run(DecisionTreeClassifier(max_depth=1, random_state=0))
    >>> b = run(GaussianNB())
    >>> cmp = compare({"stump": a, "bayes": b})
    >>> cmp.paired, cmp.baseline
    (True, 'stump')
    >>> row = cmp.metric("roc_auc")
    >>> row["better"]["bayes"], row["significant"]["bayes"]
    (True, True)
    >>> lo, hi = row["delta_ci"]["bayes"]
    >>> bool(0 < lo < row["deltas"]["bayes"] < hi)
    True
    """
    _check_settings(n_resamples, confidence, seed)
    thresholds = _check_thresholds(thresholds)
    names, results = _collect(results)
    base = _pick_baseline(baseline, names)
    types = {n: _model_type(r) for n, r in zip(names, results)}
    known = {t for t in types.values() if t in ("classifier", "regressor")}
    if len(known) > 1:
        shown = ", ".join(f"{n}: {t}" for n, t in types.items())
        raise _invalid(f"compare() cannot compare classifiers with regressors ({shown}). "
                       "Compare results of one model type.")
    notes: list[str] = []
    if len(names) > MAX_REPORTED:
        notes.append(f"{len(names)} results are compared; reports and panels show at most "
                     f"{MAX_REPORTED}.")
    paired, why = _pairing(names, results)
    if why:
        notes.append(why)
    boot = _bootstrap(names, results, int(n_resamples), int(seed)) if paired else {}
    missing = [m for m in thresholds if all(m not in r.metrics for r in results)]
    if missing:
        notes.append(f"Threshold metric(s) {', '.join(map(repr, missing))} are in no result: "
                     "check the names (a metric_prefix is part of the name).")
    models = {
        n: {"run_id": r.run_id, "model_class": r.model.get("class"),
            "model_type": types[n], "dataset_name": r.dataset.get("name"),
            "dataset_digest": r.dataset.get("digest"), "n_rows": r.dataset.get("n_rows"),
            "has_rows": r.rows is not None}
        for n, r in zip(names, results)
    }
    kind = results[0].rows.kind if paired else None
    return ComparisonResult(
        names=names,
        baseline=base,
        paired=paired,
        metrics=_metric_rows(names, results, base, thresholds, boot, float(confidence)),
        gates=_gates(names, results, base, thresholds),
        signature_diffs=_signature_diffs(names, results, base, notes),
        per_class=_per_class(names, results, base),
        curves=_curves(names, results),
        notes=notes,
        models=models,
        settings={"n_resamples": int(n_resamples), "confidence": float(confidence),
                  "seed": int(seed), "kind": kind},
    )
