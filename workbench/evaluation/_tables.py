"""Tables as data: confusion matrix, threshold table, per-class metrics, residual summary.

Frozen dataclasses with ``to_dict()`` (strict JSON, see :mod:`._curves`) and
``from_dict``; :func:`table_from_dict` dispatches on ``d["kind"]``.

Examples
--------
>>> import numpy as np
>>> cm = ConfusionMatrix(labels=["cat", "dog"], matrix=np.array([[3, 1], [0, 4]]))
>>> cm.to_dict()
{'kind': 'confusion_matrix', 'labels': ['cat', 'dog'], 'matrix': [[3, 1], [0, 4]], 'weighted': None}
>>> table_from_dict(cm.to_dict()) == cm
True
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from workbench._exceptions import WorkbenchException
from workbench.evaluation._curves import (
    DataRecord,
    Ranking,
    decode_float,
    encode_float,
)
from workbench.evaluation._decimate import MAX_POINTS, spread_indices, take_blocks

__all__ = [
    "PER_CLASS_COLUMNS",
    "ConfusionMatrix",
    "PerClassMetrics",
    "ResidualSummary",
    "ThresholdTable",
    "residual_summary",
    "table_from_dict",
    "threshold_table_from_ranking",
]


@dataclasses.dataclass(frozen=True, eq=False, repr=False)
class ConfusionMatrix(DataRecord):
    """Rows are true labels, columns predicted labels, in the order of ``labels``.

    ``matrix`` holds row counts (integers). ``weighted`` holds the sample-weighted sums
    when sample weights were given (what MLflow's normalised plot divides), else None.
    For a binary classifier the positive label comes last, as in MLflow.
    """

    kind: ClassVar[str] = "confusion_matrix"
    _int_arrays: ClassVar[tuple[str, ...]] = ("matrix",)
    _float_arrays: ClassVar[tuple[str, ...]] = ("weighted",)

    labels: list[str]
    matrix: np.ndarray
    weighted: np.ndarray | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "labels", [str(v) for v in self.labels])
        super().__post_init__()

    def normalized(self) -> np.ndarray:
        """Rows divided by their sums (``normalize="true"``, weighted when weights exist)."""
        m = (self.weighted if self.weighted is not None else self.matrix).astype(np.float64)
        sums = m.sum(axis=1, keepdims=True)
        return np.divide(m, sums, out=np.zeros_like(m), where=sums != 0)

    def to_frame(self) -> pd.DataFrame:
        """The counts as a DataFrame indexed by true label, columns predicted label."""
        return pd.DataFrame(self.matrix, index=pd.Index(self.labels, name="true"),
                            columns=pd.Index(self.labels, name="predicted"))


@dataclasses.dataclass(frozen=True, eq=False, repr=False)
class ThresholdTable(DataRecord):
    """Confusion counts and rates at kept thresholds (highest first), for a slider.

    A row predicts positive every score ``>= threshold``. The counts are exact
    (sample-weighted when weights are given) at each kept threshold; at most
    :data:`~workbench.evaluation._decimate.MAX_POINTS` rows are kept, chosen evenly in
    rank and evenly in score value.
    """

    kind: ClassVar[str] = "threshold_table"
    _float_arrays: ClassVar[tuple[str, ...]] = (
        "thresholds", "tp", "fp", "tn", "fn", "precision", "recall", "f1", "accuracy")

    thresholds: np.ndarray
    tp: np.ndarray
    fp: np.ndarray
    tn: np.ndarray
    fn: np.ndarray
    precision: np.ndarray
    recall: np.ndarray
    f1: np.ndarray
    accuracy: np.ndarray
    label: str | None = None

    def to_frame(self) -> pd.DataFrame:
        """The table as a DataFrame, one row per kept threshold."""
        return pd.DataFrame({name: getattr(self, name) for name in self._float_arrays})


def threshold_table_from_ranking(
    ranking: Ranking, *, label: str | None = None, max_rows: int = MAX_POINTS
) -> ThresholdTable:
    """Build the threshold table from a :class:`~._curves.Ranking` (or
    :class:`~._curves.SortedCells`: only the kept rows are ever gathered).

    Examples
    --------
    >>> from workbench.evaluation._curves import rank_scores
    >>> r = rank_scores(np.array([1, 0, 1, 0], bool), np.array([0.9, 0.8, 0.7, 0.1]))
    >>> t = threshold_table_from_ranking(r, label="1")
    >>> t.thresholds, t.tp, t.fp
    (array([0.9, 0.8, 0.7, 0.1]), array([1., 1., 2., 2.]), array([0., 1., 1., 2.]))
    >>> t.precision.round(3)
    array([1.   , 0.5  , 0.667, 0.5  ])
    """
    n = ranking.size
    if n <= max_rows:
        keep = np.arange(n)
    else:
        half = max(1, max_rows // 2)
        ends = take_blocks(ranking.blocks, np.array([0, n - 1]))
        (thr_first, thr_last), (rows_first, rows_last) = ends[0], ends[3]
        # the first threshold with at least each number of rows at or above it, and the
        # first kept threshold at or below each grid value (thresholds decrease)
        by_rank = _searchsorted_blocks(
            (rows for _, _, _, rows in ranking.blocks()),
            np.linspace(rows_first, rows_last, half))
        grid = np.linspace(thr_first, thr_last, max_rows - half)
        by_value = _searchsorted_blocks((-thr for thr, _, _, _ in ranking.blocks()), -grid)
        keep = np.unique(np.concatenate((by_rank, by_value, [0, n - 1])))
        keep = keep[keep < n]
        if keep.shape[0] > max_rows:
            keep = keep[spread_indices(keep.shape[0], max_rows)]
    if n:
        thresholds, tp, fp, _ = take_blocks(ranking.blocks, keep)
    else:
        thresholds = tp = fp = np.empty(0)
    p, neg = ranking.n_pos, ranking.n_neg
    fn, tn = p - tp, neg - fp
    pred = tp + fp
    precision = np.divide(tp, pred, out=np.zeros_like(tp), where=pred != 0)
    recall = tp / p if p > 0 else np.zeros_like(tp)
    denom = 2 * tp + fp + fn
    f1 = np.divide(2 * tp, denom, out=np.zeros_like(tp), where=denom != 0)
    total = p + neg
    accuracy = (tp + tn) / total if total > 0 else np.zeros_like(tp)
    return ThresholdTable(thresholds=thresholds, tp=tp, fp=fp, tn=tn, fn=fn,
                          precision=precision, recall=recall, f1=f1, accuracy=accuracy,
                          label=label)


def _searchsorted_blocks(keys, targets: np.ndarray) -> np.ndarray:
    """``np.searchsorted(np.concatenate(keys), targets)`` for increasing keys given in blocks
    and increasing targets, without joining the blocks."""
    out = np.full(targets.shape[0], -1, dtype=np.int64)
    done = offset = 0
    for block in keys:
        if block.shape[0] and done < targets.shape[0]:
            upto = done + int(np.searchsorted(targets[done:], block[-1], side="right"))
            if upto > done:
                out[done:upto] = np.searchsorted(block, targets[done:upto]) + offset
                done = upto
        offset += block.shape[0]
    out[done:] = offset
    return out


#: MLflow 3.17.2's per_class_metrics columns (roc_auc and precision_recall_auc only when
#: scores exist and the class count is at most max_classes_for_multiclass_roc_pr).
PER_CLASS_COLUMNS = [
    "positive_class", "true_negatives", "false_positives", "false_negatives",
    "true_positives", "example_count", "accuracy_score", "recall_score", "precision_score",
    "f1_score", "roc_auc", "precision_recall_auc",
]


def _json_cell(v: Any) -> Any:
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, np.integer)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        return encode_float(v)
    return v


@dataclasses.dataclass(frozen=True, eq=False, repr=False)
class PerClassMetrics(DataRecord):
    """One-vs-rest metrics per class, MLflow's ``per_class_metrics`` table.

    ``rows`` are dicts keyed by ``columns``; ``positive_class`` is the label as a string.

    Examples
    --------
    >>> t = PerClassMetrics(columns=["positive_class", "recall_score"],
    ...                     rows=[{"positive_class": "a", "recall_score": 0.5}])
    >>> t.to_frame()
      positive_class  recall_score
    0              a           0.5
    """

    kind: ClassVar[str] = "per_class_metrics"

    columns: list[str]
    rows: list[dict[str, Any]]

    def __post_init__(self) -> None:
        object.__setattr__(self, "columns", [str(c) for c in self.columns])
        object.__setattr__(self, "rows", [dict(r) for r in self.rows])

    def to_frame(self) -> pd.DataFrame:
        """The table as a DataFrame with the columns in order."""
        return pd.DataFrame(self.rows, columns=self.columns)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "columns": list(self.columns),
                "rows": [{k: _json_cell(v) for k, v in r.items()} for r in self.rows]}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> PerClassMetrics:
        if d.get("kind", cls.kind) != cls.kind:
            raise WorkbenchException.invalid_parameter_value(
                f"Cannot read a PerClassMetrics from a dict of kind {d.get('kind')!r}.")
        rows = []
        for r in d["rows"]:
            rows.append({k: (decode_float(v) if v in ("Infinity", "-Infinity", "NaN") else v)
                         for k, v in r.items()})
        return cls(columns=d["columns"], rows=rows)

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        if self.columns != other.columns or len(self.rows) != len(other.rows):
            return False
        for a, b in zip(self.rows, other.rows):
            if a.keys() != b.keys():
                return False
            for k in a:
                x, y = a[k], b[k]
                if isinstance(x, float) and isinstance(y, float) and math.isnan(x) \
                        and math.isnan(y):
                    continue
                if x != y:
                    return False
        return True

    __hash__ = None  # type: ignore[assignment]


@dataclasses.dataclass(frozen=True, eq=False, repr=False)
class ResidualSummary(DataRecord):
    """A regressor's residuals (``target - prediction``) summarised with a bounded size.

    ``quantile_levels`` / ``quantiles``: residual quantiles (0, 1%, 5%, 25%, 50%, 75%,
    95%, 99%, 100%); ``bin_edges`` / ``counts``: a histogram of the residuals (``bins``
    + 1 edges); ``sample_index``, ``sample_target``, ``sample_prediction``: at most
    :data:`~workbench.evaluation._decimate.MAX_POINTS` rows for a predicted-vs-actual
    plot (a systematic sample of every ``n / 1000``-th row, plus the rows with the
    extreme targets and residuals); ``n_total`` the rows summarised.
    """

    kind: ClassVar[str] = "residuals"
    _float_arrays: ClassVar[tuple[str, ...]] = (
        "quantile_levels", "quantiles", "bin_edges", "sample_target", "sample_prediction")
    _int_arrays: ClassVar[tuple[str, ...]] = ("counts", "sample_index")
    _float_scalars: ClassVar[tuple[str, ...]] = ("mean", "std")

    quantile_levels: np.ndarray
    quantiles: np.ndarray
    bin_edges: np.ndarray
    counts: np.ndarray
    sample_index: np.ndarray
    sample_target: np.ndarray
    sample_prediction: np.ndarray
    mean: float
    std: float
    n_total: int = 0


_QUANTILE_LEVELS = np.array([0.0, 0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99, 1.0])


def residual_summary(y_true: np.ndarray, y_pred: np.ndarray, *, bins: int = 50,
                     max_points: int = MAX_POINTS, resid: np.ndarray | None = None
                     ) -> ResidualSummary:
    """Summarise ``y_true - y_pred`` (float arrays of one length, finite).

    Examples
    --------
    >>> s = residual_summary(np.arange(10.0), np.arange(10.0) + 0.5, bins=4)
    >>> s.quantiles[[0, 4, -1]], int(s.counts.sum()), s.n_total
    (array([-0.5, -0.5, -0.5]), 10, 10)
    """
    y_true = np.asarray(y_true, dtype=np.float64)
    y_pred = np.asarray(y_pred, dtype=np.float64)
    if resid is None:  # callers that already hold y_true - y_pred pass it (no new array)
        resid = y_true - y_pred
    n = resid.shape[0]
    if n == 0:
        empty = np.empty(0)
        return ResidualSummary(_QUANTILE_LEVELS, np.full(9, np.nan), empty,
                               np.empty(0, np.int64), np.empty(0, np.int64), empty, empty,
                               math.nan, math.nan, 0)
    quantiles = np.quantile(resid, _QUANTILE_LEVELS)
    lo, hi = quantiles[0], quantiles[-1]
    if hi <= lo:
        lo, hi = lo - 0.5, hi + 0.5
    edges = np.linspace(lo, hi, bins + 1)
    scaled = resid - lo
    scaled *= bins / (hi - lo)
    idx = scaled.astype(np.int64)
    del scaled
    np.clip(idx, 0, bins - 1, out=idx)
    counts = np.bincount(idx, minlength=bins)
    del idx
    if n <= max_points:
        sample = np.arange(n)
    else:
        # every (n / max_points)-th row (a systematic sample, no sort), plus the rows with
        # the smallest and largest target and residual so that the plot spans the range
        extremes = np.array([int(np.argmin(y_true)), int(np.argmax(y_true)),
                             int(np.argmin(resid)), int(np.argmax(resid))])
        picks = spread_indices(n, max_points - extremes.shape[0])
        sample = np.unique(np.concatenate((picks, extremes)))
    return ResidualSummary(
        quantile_levels=_QUANTILE_LEVELS, quantiles=quantiles, bin_edges=edges,
        counts=counts, sample_index=sample, sample_target=y_true[sample],
        sample_prediction=y_pred[sample], mean=float(resid.mean()),
        std=float(resid.std()), n_total=n)


_TABLES = {c.kind: c for c in (ConfusionMatrix, ThresholdTable, PerClassMetrics,
                               ResidualSummary)}


def table_from_dict(d: dict[str, Any]):
    """Rebuild any table from its ``to_dict()`` output, dispatching on ``d["kind"]``."""
    kind = d.get("kind") if isinstance(d, dict) else None
    if kind not in _TABLES:
        raise WorkbenchException.invalid_parameter_value(
            f"Unknown table kind {kind!r}; expected one of {sorted(_TABLES)}.")
    return _TABLES[kind].from_dict(d)

