"""The curve records: ROC, precision-recall, lift, gains, calibration and DET curves as data.

Each curve is a frozen :class:`~._data_record.DataRecord` holding float64 numpy arrays
(read-only). A stored curve has at most :data:`~workbench.evaluation._decimate.MAX_POINTS`
points and keeps both endpoints; ``auc`` and ``average_precision`` are computed on every
row before the curve is decimated (:mod:`._curves`), so they are exact. ``to_dict()``
gives strict JSON and :func:`curve_from_dict` rebuilds any curve from it, dispatching on
its ``"kind"``.
"""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar

import numpy as np

from workbench._exceptions import WorkbenchException
from workbench.evaluation._data_record import DataRecord

__all__ = [
    "CalibrationCurve",
    "DetCurve",
    "GainsCurve",
    "LiftCurve",
    "PrecisionRecallCurve",
    "RocCurve",
    "curve_from_dict",
]


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
