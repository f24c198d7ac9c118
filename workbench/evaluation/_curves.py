"""Curves from a ranking: ROC, precision-recall, DET, lift and gains (and the KS statistic).

A binary classifier's curves all come from one ranking of its scores (:mod:`._ranking`:
the true and false positives at each distinct score, ties handled as scikit-learn does,
held whole as a :class:`Ranking` or made a block at a time). A multiclass model's
micro-average curves come from the same ranking over every cell of the score matrix.

The memory of an evaluation should stay within about twice its input's size, so every
curve below, the threshold table and the KS statistic read a ranking only through its
``blocks()`` and are decimated over passes of them
(:func:`~workbench.evaluation._decimate.decimate_blocks`): no array the length of a curve
is made, and the points kept are those the whole-array computation keeps.

The curves are records (:mod:`._curve_records`): frozen dataclasses holding float64
numpy arrays (read-only), with strict JSON ``to_dict()`` / ``from_dict``. A stored curve
has at most :data:`~workbench.evaluation._decimate.MAX_POINTS` points and keeps both
endpoints; ``auc`` and ``average_precision`` are computed on every row before the curve
is decimated, so they are exact. The calibration curve and Brier score, which read rows
rather than a ranking, are in :mod:`._calibration`.

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

import math

import numpy as np

from workbench._exceptions import WorkbenchException
# The records, calibration and JSON floats live in their own modules; their names are
# imported here too, so that ``from workbench.evaluation._curves import ...`` keeps working.
from workbench.evaluation._calibration import brier_score, calibration_curve
from workbench.evaluation._curve_records import (
    CalibrationCurve,
    DetCurve,
    GainsCurve,
    LiftCurve,
    PrecisionRecallCurve,
    RocCurve,
    curve_from_dict,
)
from workbench.evaluation._data_record import DataRecord
from workbench.evaluation._decimate import MAX_POINTS, decimate_blocks, decimate_indices
from workbench.evaluation._json_floats import (
    decode_float,
    decode_floats,
    encode_float,
    encode_floats,
)
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

# Points per block where a whole-curve temporary would otherwise be made.
_BLOCK = 1 << 14
# A held ranking up to this many points has its PR curve made whole (a few MB at most).
_WHOLE = 1 << 17


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

