"""Curves as data: ROC, precision-recall, DET, lift, gains and calibration.

A binary classifier's curves all come from one ranking of its scores (:mod:`._ranking`:
the true and false positives at each distinct score, ties handled as scikit-learn does,
held whole as a :class:`Ranking` or made a block at a time). A multiclass model's
micro-average curves come from the same ranking over every cell of the score matrix.

The memory of an evaluation should stay within about twice its input's size, so every
curve below, the threshold table and the KS statistic read a ranking only through its
``blocks()`` and are decimated over passes of them
(:func:`~workbench.evaluation._decimate.decimate_blocks`): no array the length of a curve
is made, and the points kept are those the whole-array computation keeps.

The curve objects are frozen dataclasses holding float64 numpy arrays (read-only). A
stored curve has at most :data:`~workbench.evaluation._decimate.MAX_POINTS` points and
keeps both endpoints; ``auc`` and ``average_precision`` are computed on every row before
the curve is decimated, so they are exact. ``to_dict()`` gives strict JSON (non-finite
floats become the strings ``"Infinity"``, ``"-Infinity"``, ``"NaN"``, which both
Python's ``float()`` and JavaScript's ``Number()`` read back) and ``from_dict`` inverts it.

Examples
--------
>>> import numpy as np
>>> r = rank_scores(np.array([True, False, True, False]), np.array([0.9, 0.8, 0.8, 0.1]))
>>> r.thresholds, r.tps, r.fps
(array([0.9, 0.8, 0.1]), array([1., 2., 2.]), array([0., 1., 2.]))
>>> roc = roc_curve_from_ranking(r, label="1")
>>> roc.fpr, roc.tpr, round(roc.auc, 4)
(array([0. , 0. , 0.5, 1. ]), array([0. , 0.5, 1. , 1. ]), 0.875)
>>> curve_from_dict(roc.to_dict()) == roc
True
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any, ClassVar

import numpy as np

from workbench._exceptions import WorkbenchException
from workbench.evaluation._decimate import MAX_POINTS, decimate_blocks, decimate_indices
from workbench.evaluation._ranking import (
    CountRanking,
    Ranking,
    SortedCells,
    rank_one_vs_rest,
    rank_scores,
    sorted_cells,
    sorted_scores,
)

__all__ = [
    "CalibrationCurve",
    "CountRanking",
    "DetCurve",
    "GainsCurve",
    "LiftCurve",
    "PrecisionRecallCurve",
    "Ranking",
    "RocCurve",
    "SortedCells",
    "calibration_curve",
    "curve_from_dict",
    "det_curve_from_ranking",
    "ks_statistic",
    "lift_and_gains_from_ranking",
    "pr_curve_from_ranking",
    "rank_one_vs_rest",
    "rank_scores",
    "roc_curve_from_ranking",
    "sorted_cells",
    "sorted_scores",
]

# --------------------------------------------------------------------------- encoding

_NONFINITE = {"Infinity": math.inf, "-Infinity": -math.inf, "NaN": math.nan}

# Points per block where a whole-curve temporary would otherwise be made.
_BLOCK = 1 << 14
# Rows per block where a per-row temporary would otherwise be made (calibration, Brier).
_ROWS = 1 << 16
# A held ranking up to this many points has its PR curve made whole (a few MB at most).
_WHOLE = 1 << 17


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


def _frozen_array(value: Any, dtype: Any = np.float64) -> np.ndarray:
    a = np.array(value, dtype=dtype)  # a copy: the record owns its data
    a.flags.writeable = False
    return a


def _arrays_equal(a: Any, b: Any) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        a, b = np.asarray(a), np.asarray(b)
        if a.shape != b.shape:
            return False
        if a.dtype.kind in "fc" or b.dtype.kind in "fc":
            return bool(np.array_equal(a, b, equal_nan=True))
        return bool(np.array_equal(a, b))
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return a == b


class DataRecord:
    """Shared behaviour of the curve and table records: JSON dicts, equality, short repr.

    Subclasses are frozen dataclasses that name their float-array fields in
    ``_float_arrays``, their integer-array fields in ``_int_arrays`` and their float
    scalars in ``_float_scalars``; every other field is stored as it is.
    """

    kind: ClassVar[str] = ""
    _float_arrays: ClassVar[tuple[str, ...]] = ()
    _int_arrays: ClassVar[tuple[str, ...]] = ()
    _float_scalars: ClassVar[tuple[str, ...]] = ()

    def __post_init__(self) -> None:
        for name in self._float_arrays:
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, _frozen_array(value, np.float64))
        for name in self._int_arrays:
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, _frozen_array(value, np.int64))
        for name in self._float_scalars:
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, float(value))

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-able dict with a ``"kind"`` key (see the module docstring)."""
        out: dict[str, Any] = {"kind": self.kind}
        for f in dataclasses.fields(self):  # type: ignore[arg-type]
            value = getattr(self, f.name)
            if value is None:
                out[f.name] = None
            elif f.name in self._float_arrays:
                if value.ndim > 1:
                    out[f.name] = [encode_floats(row) for row in value]
                else:
                    out[f.name] = encode_floats(value)
            elif f.name in self._int_arrays:
                out[f.name] = value.tolist()
            elif f.name in self._float_scalars:
                out[f.name] = encode_float(value)
            else:
                out[f.name] = value
        return out

    @classmethod
    def from_dict(cls, d: dict[str, Any]):
        """Rebuild a record from :meth:`to_dict`'s output."""
        kind = d.get("kind", cls.kind)
        if kind != cls.kind:
            raise WorkbenchException.invalid_parameter_value(
                f"Cannot read a {cls.__name__} from a dict of kind {kind!r}; expected "
                f"kind {cls.kind!r}."
            )
        kwargs: dict[str, Any] = {}
        for f in dataclasses.fields(cls):  # type: ignore[arg-type]
            if f.name not in d:
                if f.default is not dataclasses.MISSING:
                    continue
                raise WorkbenchException.invalid_parameter_value(
                    f"Cannot read a {cls.__name__}: the field {f.name!r} is missing "
                    f"(found {sorted(d)})."
                )
            value = d[f.name]
            if value is not None and f.name in cls._float_arrays:
                if value and isinstance(value[0], list):
                    value = np.array([decode_floats(row) for row in value])
                else:
                    value = decode_floats(value)
            elif value is not None and f.name in cls._float_scalars:
                value = decode_float(value)
            kwargs[f.name] = value
        return cls(**kwargs)

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return all(
            _arrays_equal(getattr(self, f.name), getattr(other, f.name))
            for f in dataclasses.fields(self)  # type: ignore[arg-type]
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        parts = []
        for f in dataclasses.fields(self):  # type: ignore[arg-type]
            value = getattr(self, f.name)
            if isinstance(value, np.ndarray):
                parts.append(f"{f.name}=<{value.dtype} {'x'.join(map(str, value.shape))}>")
            elif isinstance(value, (list, tuple)) and len(value) > 6:
                parts.append(f"{f.name}=[{len(value)} items]")
            elif isinstance(value, float):
                parts.append(f"{f.name}={value:.6g}")
            else:
                parts.append(f"{f.name}={value!r}")
        return f"{type(self).__name__}({', '.join(parts)})"


# --------------------------------------------------------------------------- records


@dataclasses.dataclass(frozen=True, eq=False, repr=False)
class RocCurve(DataRecord):
    """Receiver operating characteristic: false and true positive rate per threshold.

    ``thresholds[0]`` is ``inf`` (nothing predicted positive), as in scikit-learn's
    ``roc_curve``; ``auc`` is the trapezoidal area on all rows. ``label`` is the positive
    class as a string, or ``"micro"`` / ``"macro"`` for multiclass averages (whose
    ``thresholds`` are empty: an average has no single threshold).

    Examples
    --------
    >>> c = RocCurve(fpr=[0, 0, 1], tpr=[0, 1, 1], thresholds=[np.inf, 0.8, 0.1],
    ...              auc=1.0, label="yes", n_total=2)
    >>> c.to_dict()["thresholds"]
    ['Infinity', 0.8, 0.1]
    """

    kind: ClassVar[str] = "roc"
    _float_arrays: ClassVar[tuple[str, ...]] = ("fpr", "tpr", "thresholds")
    _float_scalars: ClassVar[tuple[str, ...]] = ("auc",)

    fpr: np.ndarray
    tpr: np.ndarray
    thresholds: np.ndarray
    auc: float
    label: str | None = None
    n_total: int = 0


@dataclasses.dataclass(frozen=True, eq=False, repr=False)
class PrecisionRecallCurve(DataRecord):
    """Precision and recall per threshold, recall decreasing, ending at (recall 0, precision 1).

    As scikit-learn's ``precision_recall_curve``: ``precision`` and ``recall`` have one
    more entry than ``thresholds``. ``average_precision`` is the step-wise area on all
    rows (MLflow's ``precision_recall_auc``).
    """

    kind: ClassVar[str] = "precision_recall"
    _float_arrays: ClassVar[tuple[str, ...]] = ("precision", "recall", "thresholds")
    _float_scalars: ClassVar[tuple[str, ...]] = ("average_precision",)

    precision: np.ndarray
    recall: np.ndarray
    thresholds: np.ndarray
    average_precision: float
    label: str | None = None
    n_total: int = 0


@dataclasses.dataclass(frozen=True, eq=False, repr=False)
class LiftCurve(DataRecord):
    """Lift (gain divided by the fraction of rows targeted) against that fraction.

    One point per distinct score (ties are never split), so the curve does not depend
    on the order of tied rows.
    """

    kind: ClassVar[str] = "lift"
    _float_arrays: ClassVar[tuple[str, ...]] = ("fraction", "lift")

    fraction: np.ndarray
    lift: np.ndarray
    label: str | None = None
    n_total: int = 0


@dataclasses.dataclass(frozen=True, eq=False, repr=False)
class GainsCurve(DataRecord):
    """Cumulative gains: the share of positives found in the top ``fraction`` of rows.

    Starts at (0, 0) and ends at (1, 1).
    """

    kind: ClassVar[str] = "gains"
    _float_arrays: ClassVar[tuple[str, ...]] = ("fraction", "gain")

    fraction: np.ndarray
    gain: np.ndarray
    label: str | None = None
    n_total: int = 0


@dataclasses.dataclass(frozen=True, eq=False, repr=False)
class CalibrationCurve(DataRecord):
    """Reliability diagram with uniform bins, as scikit-learn's ``calibration_curve``.

    ``prob_pred`` is the mean score and ``prob_true`` the fraction of positives in each
    non-empty bin, ``counts`` the rows in it. ``brier_score`` is scikit-learn's
    ``brier_score_loss`` (sample weights applied) and ``expected_calibration_error`` the
    bin-count weighted mean of ``|prob_true - prob_pred|``.
    """

    kind: ClassVar[str] = "calibration"
    _float_arrays: ClassVar[tuple[str, ...]] = ("prob_pred", "prob_true")
    _int_arrays: ClassVar[tuple[str, ...]] = ("counts",)
    _float_scalars: ClassVar[tuple[str, ...]] = ("brier_score", "expected_calibration_error")

    prob_pred: np.ndarray
    prob_true: np.ndarray
    counts: np.ndarray
    brier_score: float
    expected_calibration_error: float
    n_bins: int = 10
    label: str | None = None


@dataclasses.dataclass(frozen=True, eq=False, repr=False)
class DetCurve(DataRecord):
    """Detection error tradeoff: false positive rate against false negative rate.

    As scikit-learn's ``det_curve`` (``fpr`` decreasing, thresholds increasing).
    """

    kind: ClassVar[str] = "det"
    _float_arrays: ClassVar[tuple[str, ...]] = ("fpr", "fnr", "thresholds")

    fpr: np.ndarray
    fnr: np.ndarray
    thresholds: np.ndarray
    label: str | None = None
    n_total: int = 0


_CURVES = {c.kind: c for c in (RocCurve, PrecisionRecallCurve, LiftCurve, GainsCurve,
                               CalibrationCurve, DetCurve)}


def curve_from_dict(d: dict[str, Any]):
    """Rebuild any curve from its ``to_dict()`` output, dispatching on ``d["kind"]``.

    Examples
    --------
    >>> g = GainsCurve(fraction=[0, 0.5, 1], gain=[0, 1, 1], label="1", n_total=2)
    >>> curve_from_dict(g.to_dict()) == g
    True
    """
    kind = d.get("kind") if isinstance(d, dict) else None
    if kind not in _CURVES:
        raise WorkbenchException.invalid_parameter_value(
            f"Unknown curve kind {kind!r}; expected one of {sorted(_CURVES)}."
        )
    return _CURVES[kind].from_dict(d)


# --------------------------------------------------------------------------- ranking


def _both_classes(ranking: Ranking, what: str) -> None:
    if ranking.n_pos <= 0 or ranking.n_neg <= 0:
        present = "positive" if ranking.n_pos > 0 else "negative"
        raise WorkbenchException.invalid_parameter_value(
            f"{what} needs both classes in the targets, but only {present} rows were found "
            f"(after dropping rows of weight 0). Evaluate on data that holds both classes."
        )


def roc_points(ranking: Ranking, drop_intermediate: bool = True):
    """Return ``(fpr, tpr, thresholds)`` exactly as scikit-learn's ``roc_curve``."""
    fps, tps, thr = ranking.fps, ranking.tps, ranking.thresholds
    m = fps.shape[0]
    keep = None
    if drop_intermediate and m > 2:
        keep = np.empty(m, dtype=bool)
        keep[0] = keep[-1] = True
        # np.diff(x, 2) computes (x2 - x1) - (x1 - x0); keep its exact arithmetic. Blocks
        # bound the temporaries (a micro-average curve has a point per cell of the scores).
        for i in range(0, m - 2, _BLOCK):
            j = min(i + _BLOCK, m - 2)
            d2f = np.diff(fps[i : j + 2], 2)
            d2t = np.diff(tps[i : j + 2], 2)
            np.logical_or(d2f != 0, d2t != 0, out=keep[i + 1 : j + 1])
        m = int(np.count_nonzero(keep))
    out = []
    for values, first in ((fps, 0.0), (tps, 0.0), (thr, np.inf)):
        a = np.empty(m + 1)
        a[0] = first
        if keep is None:
            a[1:] = values
        else:
            np.compress(keep, values, out=a[1:])
        out.append(a)
    fps, tps, thr = out
    fpr = np.divide(fps, fps[-1], out=fps) if fps[-1] > 0 else np.full(fps.shape, np.nan)
    tpr = np.divide(tps, tps[-1], out=tps) if tps[-1] > 0 else np.full(tps.shape, np.nan)
    return fpr, tpr, thr


def _trapezoid_auc(x: np.ndarray, y: np.ndarray) -> float:
    return float(np.trapezoid(y, x))


def roc_curve_from_ranking(
    ranking: Ranking, *, label: str | None = None, max_points: int = MAX_POINTS,
    points: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
) -> RocCurve:
    """ROC curve (scikit-learn's points, ``drop_intermediate=True``), decimated, exact AUC.

    ``points`` may pass :func:`roc_points`'s output when the caller already has it;
    otherwise the points are made and decimated a block at a time (:func:`_roc_blocks`).
    """
    _both_classes(ranking, "A ROC curve")
    if points is not None:
        fpr, tpr, thr = points
        auc = _trapezoid_auc(fpr, tpr)
        keep = decimate_indices(fpr, tpr, max_points)
        fpr, tpr, thr = fpr[keep], tpr[keep], thr[keep]
    else:
        area = _StepSums("trapezoid")
        fpr, tpr, thr = decimate_blocks(_roc_blocks(ranking), max_points, observe=area,
                                        bounds=_UNIT_SQUARE)
        auc = area.value
    return RocCurve(fpr=fpr, tpr=tpr, thresholds=thr, auc=auc, label=label,
                    n_total=ranking.n_total)


# ROC and gains curves run from (0, 0) to (1, 1) and never leave the unit square
_UNIT_SQUARE = (0.0, 1.0, 0.0, 1.0)


class _StepSums:
    """An area summed over the blocks of a curve (the previous block's last point carried).

    ``"trapezoid"``: ``np.trapezoid(y, x)``; ``"steps"``: ``-sum(diff(x) * y[:-1])``
    (average precision, ``x`` the recall). Per point the same products as on the whole
    curve; only the order of the final additions differs (block sums, added exactly).
    """

    def __init__(self, rule: str) -> None:
        self.rule = rule
        self.sums: list[float] = []
        self.last: tuple[float, float] | None = None

    def __call__(self, part: tuple) -> None:
        x, y = part[0], part[1]
        if x.shape[0] == 0:
            return
        if self.last is not None:
            x = np.concatenate(([self.last[0]], x))
            y = np.concatenate(([self.last[1]], y))
        self.last = (x[-1], y[-1])
        if x.shape[0] < 2:
            return
        d = np.diff(x)
        if self.rule == "trapezoid":
            self.sums.append(float(np.sum(d * (y[1:] + y[:-1]) / 2.0)))
        else:
            d *= y[:-1]
            self.sums.append(float(np.sum(d)))

    @property
    def value(self) -> float:
        return math.fsum(self.sums)


def _roc_blocks(ranking):
    """``blocks()`` of the ROC curve's points ``(fpr, tpr, thresholds)``: :func:`roc_points`.

    scikit-learn's ``drop_intermediate`` keeps a point when the second difference of its
    false or true positives is not zero; the last two points of a block are carried into
    the next, so every point is judged with both neighbours, as on the whole curve.
    """
    n_pos, n_neg = ranking.n_pos, ranking.n_neg

    def blocks():
        yield np.zeros(1), np.zeros(1), np.full(1, np.inf)
        cf = ct = ch = None  # the last (up to) two points seen; the last one is undecided
        seen = 0
        for thr, tps, fps, _ in ranking.blocks():
            m = thr.shape[0]
            if m == 0:
                continue
            if cf is None:
                f, t, h, k = fps, tps, thr, 0
            else:
                f, t, h = np.concatenate((cf, fps)), np.concatenate((ct, tps)), \
                    np.concatenate((ch, thr))
                k = cf.shape[0]
            size = f.shape[0]
            lo = k - 1 if k else 0  # the first point of f not decided yet
            if size - 1 > lo:  # decide lo .. size - 2 (the last needs the next block)
                keep = np.empty(size - 1 - lo, dtype=bool)
                j0 = lo
                if seen - k + lo == 0:  # the first point of the curve is always kept
                    keep[0] = True
                    j0 = lo + 1
                if size - 1 > j0:
                    d2f = np.diff(f[j0 - 1 :], 2)
                    d2t = np.diff(t[j0 - 1 :], 2)
                    np.logical_or(d2f != 0, d2t != 0, out=keep[j0 - lo :])
                yield (np.compress(keep, f[lo : size - 1]) / n_neg,
                       np.compress(keep, t[lo : size - 1]) / n_pos,
                       np.compress(keep, h[lo : size - 1]))
            cf, ct, ch = f[-2:].copy(), t[-2:].copy(), h[-2:].copy()
            seen += m
        if cf is not None:  # the last point is always kept
            yield cf[-1:] / n_neg, ct[-1:] / n_pos, ch[-1:]

    return blocks


def pr_points(ranking: Ranking):
    """Return ``(precision, recall, thresholds)`` exactly as ``precision_recall_curve``."""
    precision, recall = _pr_rates(ranking)
    return precision, recall, ranking.thresholds[::-1].copy()


def _pr_rates(ranking: Ranking) -> tuple[np.ndarray, np.ndarray]:
    """``precision`` and ``recall`` of :func:`pr_points` (thresholds are the ranking's, reversed)."""
    tps, fps = ranking.tps, ranking.fps
    m = tps.shape[0]
    # written straight into the reversed outputs (no intermediate copies)
    precision = np.empty(m + 1)
    precision[m] = 1.0
    rev = precision[m - 1 :: -1] if m else precision[:0]
    np.add(tps, fps, out=rev)  # predicted positives
    np.divide(tps, rev, out=rev, where=rev != 0)
    recall = np.empty(m + 1)
    recall[m] = 0.0
    if m and tps[-1] != 0:
        np.divide(tps, tps[-1], out=recall[m - 1 :: -1])
    else:
        recall[:m] = 1.0
    return precision, recall


def _pr_blocks(ranking):
    """``blocks()`` of the PR curve as ``(recall, precision, thresholds)``, lowest score first.

    The points of :func:`pr_points`; the final point (recall 0, precision 1) has no
    threshold and carries NaN in its place.
    """
    n_pos = ranking.n_pos

    def blocks():
        for thr, tps, fps, _ in ranking.blocks(descending=False):
            predicted = tps + fps
            precision = np.divide(tps, predicted, out=predicted, where=predicted != 0)
            recall = tps / n_pos if n_pos != 0 else np.ones_like(tps)
            yield recall, precision, thr
        yield np.zeros(1), np.ones(1), np.full(1, np.nan)

    return blocks


def average_precision_from_points(precision: np.ndarray, recall: np.ndarray) -> float:
    """Step-wise area under the PR curve, as scikit-learn's ``average_precision_score``."""
    steps = np.diff(recall)
    steps *= precision[:-1]  # in place: the same products as np.diff(recall) * precision[:-1]
    return float(max(0.0, -np.sum(steps)))


def pr_curve_from_ranking(
    ranking: Ranking, *, label: str | None = None, max_points: int = MAX_POINTS
) -> PrecisionRecallCurve:
    """Precision-recall curve, decimated (a block at a time), with exact average precision."""
    _both_classes(ranking, "A precision-recall curve")
    if isinstance(ranking, Ranking) and ranking.size <= _WHOLE:
        # a short curve held whole (one class of a multiclass model): fewer passes
        precision, recall = _pr_rates(ranking)
        thr = ranking.thresholds[::-1]  # a view: only the kept thresholds are copied
        keep = decimate_indices(recall, precision, max_points)
        return PrecisionRecallCurve(
            precision=precision[keep], recall=recall[keep],
            thresholds=thr[keep[keep < thr.shape[0]]],
            average_precision=average_precision_from_points(precision, recall),
            label=label, n_total=ranking.n_total)
    area = _StepSums("steps")
    recall, precision, thr = decimate_blocks(_pr_blocks(ranking), max_points, observe=area)
    # ``thresholds`` has one entry fewer than the points (the final (0, 1) point has none,
    # and is always kept)
    return PrecisionRecallCurve(precision=precision, recall=recall, thresholds=thr[:-1],
                                average_precision=max(0.0, -area.value),
                                label=label, n_total=ranking.n_total)


def det_points(ranking: Ranking):
    """Return ``(fpr, fnr, thresholds)`` exactly as scikit-learn's ``det_curve``."""
    fps, tps, thr = ranking.fps, ranking.tps, ranking.thresholds
    fps = np.concatenate(([0.0], fps))
    tps = np.concatenate(([0.0], tps))
    thr = np.concatenate(([np.inf], thr))
    fns = tps[-1] - tps
    p_count, n_count = tps[-1], fps[-1]
    first = np.searchsorted(fps, fps[0], side="right") - 1
    first_ind = first if first > 0 else None
    last_ind = np.searchsorted(tps, tps[-1]) + 1
    sl = slice(first_ind, last_ind)
    return fps[sl][::-1] / n_count, fns[sl][::-1] / p_count, thr[sl][::-1].copy()


def _log_odds(p: np.ndarray, n: int) -> np.ndarray:
    """``log(p / (1 - p))`` with ``p`` clipped to [1/(2n), 1 - 1/(2n)] (finite)."""
    eps = 0.5 / max(n, 1)
    q = np.clip(p, eps, 1 - eps).astype(np.float32)  # only chooses points: float32 will do
    q /= 1 - q
    return np.log(q, out=q).astype(np.float64)


def _det_blocks(ranking):
    """``blocks()`` of the DET curve (the points of :func:`det_points`, lowest score first)
    as ``(x, y, fpr, fnr, thresholds)``, and its bounds: ``x, y`` are the log-odds of
    ``fpr, fnr`` that the points are chosen on when the curve is longer than
    :data:`MAX_POINTS`, else ``fpr, fnr``.
    """
    n_pos, n_neg, m = ranking.n_pos, ranking.n_neg, ranking.size
    # det_points' slice of the curve with its (0, 0, inf) point in front (index 0): from the
    # last point with no false positive to the first with every positive
    zero_fp, all_tp, offset = 0, None, 0
    ends = [np.zeros(1), np.zeros(1)]  # tps at the last point with no false positive, and
    for _, tps, fps, _ in ranking.blocks():  # fps at the first with every positive
        zeros = int(np.count_nonzero(fps == 0))
        if zeros:
            ends[0] = tps[zeros - 1 : zeros].copy()
        zero_fp += zeros
        if all_tp is None:
            hit = np.flatnonzero(tps == n_pos)
            if hit.shape[0]:
                all_tp = offset + int(hit[0])
                ends[1] = fps[hit[0] : hit[0] + 1].copy()
        offset += tps.shape[0]
    start = zero_fp  # index in the curve with the extra point: zero_fp + 1 - 1
    stop = all_tp + 2  # exclusive, in the same indexing
    length = stop - start
    log_odds = length > MAX_POINTS
    # the curve runs from (fpr at every positive, fnr 0) to (fpr 0, fnr at no negative),
    # fpr falling and fnr rising: its bounds are its ends' (checked by the decimation)
    x_hi, y_lo, _, _, _ = _det_part(ends[1] / n_neg, np.zeros(1), None, log_odds,
                                    ranking.n_total)
    x_lo, y_hi, _, _, _ = _det_part(np.zeros(1), (n_pos - ends[0]) / n_pos, None, log_odds,
                                    ranking.n_total)
    bounds = (x_lo[0], x_hi[0], y_lo[0], y_hi[0])

    def blocks():
        # curve index e holds the ranking's point e - 1; walk e = stop - 1 down to start
        e_hi = m  # the ranking's blocks, lowest score first, cover indices e_hi .. 1
        for thr, tps, fps, _ in ranking.blocks(descending=False):
            size = thr.shape[0]
            e_lo = e_hi - size + 1
            lo, hi = max(e_lo, start), min(e_hi, stop - 1)
            if hi >= lo:
                sl = slice(e_hi - hi, e_hi - lo + 1)
                fpr = fps[sl] / n_neg
                fnr = (n_pos - tps[sl]) / n_pos
                yield _det_part(fpr, fnr, thr[sl], log_odds, ranking.n_total)
            e_hi = e_lo - 1
        if start == 0:
            yield _det_part(np.zeros(1), np.ones(1), np.full(1, np.inf), log_odds,
                            ranking.n_total)

    return blocks, bounds


def _det_part(fpr, fnr, thr, log_odds: bool, n: int) -> tuple:
    if log_odds:
        return _log_odds(fpr, n), _log_odds(fnr, n), fpr, fnr, thr
    return fpr, fnr, fpr, fnr, thr


def det_curve_from_ranking(
    ranking: Ranking, *, label: str | None = None, max_points: int = MAX_POINTS
) -> DetCurve:
    """DET curve (scikit-learn's points), decimated.

    DET curves are drawn on normal-deviate axes, which stretch both tails: the points are
    chosen on log-odds axes (same stretch, cheap) so that the tails keep their detail.
    """
    _both_classes(ranking, "A DET curve")
    blocks, bounds = _det_blocks(ranking)
    _, _, fpr, fnr, thr = decimate_blocks(blocks, max_points, bounds=bounds)
    return DetCurve(fpr=fpr, fnr=fnr, thresholds=thr, label=label, n_total=ranking.n_total)


def _lift_blocks(ranking, gains: bool):
    """``blocks()`` of the lift curve ``(fraction, lift)`` or the gains curve
    ``(fraction, gain)`` (which starts at (0, 0)), highest score first."""
    n_pos = ranking.n_pos
    total = n_pos + ranking.n_neg

    def blocks():
        if gains:
            yield np.zeros(1), np.zeros(1)
        for _, tps, fps, _ in ranking.blocks():
            fraction = tps + fps
            fraction /= total
            gain = tps / n_pos
            if gains:
                yield fraction, gain
            else:
                gain /= fraction
                yield fraction, gain

    return blocks


def lift_and_gains_from_ranking(
    ranking: Ranking, *, label: str | None = None, max_points: int = MAX_POINTS
) -> tuple[LiftCurve, GainsCurve]:
    """Lift and cumulative gains at each distinct score (weighted fractions)."""
    _both_classes(ranking, "A lift curve")
    fraction, lift = decimate_blocks(_lift_blocks(ranking, gains=False), max_points)
    lift_curve = LiftCurve(fraction=fraction, lift=lift, label=label, n_total=ranking.n_total)
    fraction, gain = decimate_blocks(_lift_blocks(ranking, gains=True), max_points,
                                     bounds=_UNIT_SQUARE)
    gains_curve = GainsCurve(fraction=fraction, gain=gain, label=label,
                             n_total=ranking.n_total)
    return lift_curve, gains_curve


def ks_statistic(ranking: Ranking) -> float:
    """Kolmogorov-Smirnov statistic: the largest ``tpr - fpr`` over all thresholds."""
    _both_classes(ranking, "The KS statistic")
    n_pos, n_neg = ranking.n_pos, ranking.n_neg
    return float(max(np.max(tps / n_pos - fps / n_neg) for _, tps, fps, _ in ranking.blocks()))


def calibration_curve(
    y_pos: np.ndarray,
    prob: np.ndarray,
    *,
    n_bins: int = 10,
    sample_weight: np.ndarray | None = None,
    label: str | None = None,
) -> CalibrationCurve:
    """Uniform-bin calibration curve, Brier score and expected calibration error.

    The bins and fractions are scikit-learn's ``calibration_curve(strategy="uniform")``
    (unweighted, as there); the Brier score is ``brier_score_loss`` with the weights.

    Examples
    --------
    >>> c = calibration_curve(np.array([0, 1, 1, 0], bool), np.array([0.1, 0.9, 0.8, 0.3]),
    ...                       n_bins=2)
    >>> c.prob_pred, c.prob_true, c.counts
    (array([0.2 , 0.85]), array([0., 1.]), array([2, 2]))
    >>> round(c.brier_score, 4), round(c.expected_calibration_error, 4)
    (0.0375, 0.175)
    """
    if isinstance(n_bins, bool) or not isinstance(n_bins, (int, np.integer)) or n_bins < 1:
        raise WorkbenchException.invalid_parameter_value(
            f"calibration_n_bins must be a positive integer, got {n_bins!r}."
        )
    n_bins = int(n_bins)
    prob = np.asarray(prob, dtype=np.float64)
    y = np.asarray(y_pos, dtype=bool)
    if prob.size and (prob.min() < 0 or prob.max() > 1):
        raise WorkbenchException.invalid_parameter_value(
            f"A calibration curve needs probabilities in [0, 1], but the scores range over "
            f"[{prob.min():.6g}, {prob.max():.6g}]."
        )
    # a block of rows at a time: no temporary the length of the data
    bin_sums = np.zeros(n_bins)
    bin_true = np.zeros(n_bins)
    bin_total = np.zeros(n_bins, dtype=np.int64)
    for i in range(0, prob.shape[0], _ROWS):
        p_block = prob[i : i + _ROWS]
        binids = _uniform_bin_ids(p_block, n_bins)
        bin_sums += np.bincount(binids, weights=p_block, minlength=n_bins)
        bin_true += np.bincount(binids, weights=y[i : i + _ROWS], minlength=n_bins)
        bin_total += np.bincount(binids, minlength=n_bins)
    nonzero = bin_total != 0
    prob_true = bin_true[nonzero] / bin_total[nonzero]
    prob_pred = bin_sums[nonzero] / bin_total[nonzero]
    counts = bin_total[nonzero]
    n = counts.sum()
    ece = float(np.sum(counts / n * np.abs(prob_true - prob_pred))) if n else math.nan
    return CalibrationCurve(prob_pred=prob_pred, prob_true=prob_true, counts=counts,
                            brier_score=brier_score(y, prob, sample_weight),
                            expected_calibration_error=ece, n_bins=n_bins, label=label)


def _uniform_bin_ids(prob: np.ndarray, n_bins: int) -> np.ndarray:
    """``np.searchsorted(np.linspace(0, 1, n_bins + 1)[1:-1], prob)`` without the search.

    ``floor(prob * n_bins)`` is off by at most one near an edge (the edges are rounded
    floats); one comparison with the edges on each side corrects it exactly.
    """
    inner = np.linspace(0.0, 1.0, n_bins + 1)[1:-1]
    if inner.shape[0] == 0:
        return np.zeros(prob.shape[0], dtype=np.int64)
    ids = (prob * n_bins).astype(np.int64)
    np.clip(ids, 0, n_bins - 1, out=ids)
    # searchsorted(side="left") counts the inner edges strictly below prob
    lower = np.concatenate(([-np.inf], inner))  # edge below bin i
    upper = np.concatenate((inner, [np.inf]))  # edge at the top of bin i
    ids -= lower[ids] >= prob
    ids += upper[ids] < prob
    return ids


def brier_score(y_pos: np.ndarray, prob: np.ndarray,
                sample_weight: np.ndarray | None = None) -> float:
    """scikit-learn's binary ``brier_score_loss``, with its exact arithmetic."""
    y_pos = np.asarray(y_pos)
    p = np.asarray(prob, dtype=np.float64)
    w = None if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    sums = []
    for i in range(0, p.shape[0], _ROWS):  # a block of rows at a time (sums added exactly)
        yf = y_pos[i : i + _ROWS].astype(np.float64)
        pb = p[i : i + _ROWS]
        per_row = ((1.0 - yf) - (1.0 - pb)) ** 2 + (yf - pb) ** 2
        if w is not None:
            per_row *= w[i : i + _ROWS]
        sums.append(float(np.sum(per_row)))
    total = math.fsum(sums)
    value = total / p.shape[0] if w is None else total / np.sum(w)
    return float(value * 0.5)
