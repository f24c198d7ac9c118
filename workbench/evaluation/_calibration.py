"""Calibration: the uniform-bin reliability curve, its expected calibration error, the Brier score.

These need the scores and targets row by row, not a ranking: they read a block of
``_ROWS`` rows at a time, so no temporary is the length of the data. The bins and
fractions are scikit-learn's ``calibration_curve(strategy="uniform")`` and the Brier
score its ``brier_score_loss``, with the same arithmetic.
"""

from __future__ import annotations

import math

import numpy as np

from workbench._exceptions import WorkbenchException
from workbench.evaluation._curve_records import CalibrationCurve

__all__ = ["brier_score", "calibration_curve"]

# Rows per block where a per-row temporary would otherwise be made (calibration, Brier).
_ROWS = 1 << 16


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
