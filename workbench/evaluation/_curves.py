"""Curves as data: ROC, precision-recall, DET, lift, gains and calibration.

A binary classifier's curves all come from one ranking of its scores. :func:`rank_scores`
sorts the scores once (descending) and accumulates the weighted true and false positives
at each distinct score, with ties handled exactly as scikit-learn's
``confusion_matrix_at_thresholds`` (``_binary_clf_curve``) does: zero-weight rows are
dropped, tied scores form one threshold. Every curve below, the threshold table and the
KS statistic are cheap vectorised passes over that :class:`Ranking`. A multiclass model's
micro-average curves come from :func:`rank_one_vs_rest`, the same ranking over every cell of
the score matrix, built without a one-hot matrix. Long curves are processed so that no more
than a few arrays the length of the curve exist at once (the memory of an evaluation should
stay within about twice its input's size).

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
from workbench.evaluation._decimate import MAX_POINTS, decimate_indices

__all__ = [
    "CalibrationCurve",
    "DetCurve",
    "GainsCurve",
    "LiftCurve",
    "PrecisionRecallCurve",
    "Ranking",
    "RocCurve",
    "calibration_curve",
    "curve_from_dict",
    "det_curve_from_ranking",
    "ks_statistic",
    "lift_and_gains_from_ranking",
    "pr_curve_from_ranking",
    "rank_one_vs_rest",
    "rank_scores",
    "roc_curve_from_ranking",
]

# --------------------------------------------------------------------------- encoding

_NONFINITE = {"Infinity": math.inf, "-Infinity": -math.inf, "NaN": math.nan}

# Points per block where a whole-curve temporary would otherwise be made.
_BLOCK = 1 << 16


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


@dataclasses.dataclass(frozen=True)
class Ranking:
    """Weighted positives and negatives at each distinct score, highest score first.

    ``tps[i]`` / ``fps[i]`` are the (weighted) positives / negatives whose score is
    ``>= thresholds[i]``; ``n_rows[i]`` the number of rows (unweighted) at or above it.
    ``n_total`` counts the rows kept (rows of weight 0 are dropped, as scikit-learn does).
    """

    thresholds: np.ndarray
    tps: np.ndarray
    fps: np.ndarray
    n_rows: np.ndarray
    n_total: int

    @property
    def n_pos(self) -> float:
        return float(self.tps[-1]) if self.tps.size else 0.0

    @property
    def n_neg(self) -> float:
        return float(self.fps[-1]) if self.fps.size else 0.0


def rank_scores(
    y_pos: np.ndarray, score: np.ndarray, sample_weight: np.ndarray | None = None
) -> Ranking:
    """Sort ``score`` once and accumulate positives and negatives at each distinct score.

    Parameters
    ----------
    y_pos : ndarray of bool, shape (n,)
        True where the row belongs to the positive class.
    score : ndarray of float, shape (n,)
        Finite scores; higher means more likely positive.
    sample_weight : ndarray of float, shape (n,), optional
        Row weights; rows of weight 0 are dropped first (as scikit-learn does).

    Returns
    -------
    Ranking
    """
    score = np.asarray(score, dtype=np.float64)
    y_pos = np.asarray(y_pos, dtype=bool)
    if sample_weight is not None:
        sample_weight = np.asarray(sample_weight, dtype=np.float64)
        keep = sample_weight != 0
        if not keep.all():
            y_pos, score, sample_weight = y_pos[keep], score[keep], sample_weight[keep]
    n = score.shape[0]
    if n == 0:
        empty = np.empty(0)
        return Ranking(empty, empty, empty, np.empty(0, dtype=np.int64), 0)
    if sample_weight is None:
        # Counts do not depend on the order of tied rows. Sorting values (SIMD) is several
        # times faster than argsort, so the positives and negatives are sorted apart and
        # merged by a stable argsort, which sees two sorted runs and merges them in one pass.
        # Temporaries are released as soon as they are used (at a million rows each is
        # 8 MB, and fresh pages cost page faults): sorts in place, per-run counts with
        # reduceat instead of a cumulative sum over every row.
        pos = score[y_pos]
        pos.sort()
        n_pos = pos.shape[0]
        neg = score[~y_pos]
        neg.sort()
        both = np.concatenate((pos, neg))
        del pos, neg
        merge = np.argsort(both, kind="stable")
        s_asc = both[merge]
        del both
        is_pos = merge < n_pos
        del merge
        # first row of each run of equal scores (ascending)
        change = s_asc[1:] != s_asc[:-1]
        starts = np.flatnonzero(change)
        del change
        starts += 1
        starts = np.concatenate(([0], starts))
        thresholds = s_asc[starts[::-1]]  # highest score first
        del s_asc
        run_pos = np.add.reduceat(is_pos, starts, dtype=np.int64)[::-1]
        del is_pos
        # highest score first: rows and positives at or above each distinct score
        n_rows = n - starts[::-1]
        tps = np.cumsum(run_pos, dtype=np.int64).astype(np.float64)
        fps = n_rows - tps
        return Ranking(thresholds=thresholds, tps=tps, fps=fps, n_rows=n_rows,
                       n_total=int(n))
    # Weighted sums: accumulate from the highest score down, as scikit-learn does (the
    # order of tied rows only changes the last bits of the sums).
    order = np.argsort(score)[::-1]
    s = score[order]
    idx = np.append(np.flatnonzero(s[1:] != s[:-1]), n - 1)
    w = sample_weight[order]
    yw = np.where(y_pos[order], w, 0.0)
    tps = np.cumsum(yw)[idx]
    yw -= w  # -w on negative rows, 0 on positive rows
    fps = -np.cumsum(yw)[idx]
    return Ranking(thresholds=s[idx], tps=tps, fps=fps, n_rows=idx + 1, n_total=int(n))


def rank_one_vs_rest(
    scores: np.ndarray, codes: np.ndarray, sample_weight: np.ndarray | None = None
) -> Ranking:
    """The micro-average ranking: every cell of ``scores`` one row, positive in the true class.

    The same :class:`Ranking` as ``rank_scores(onehot.ravel(), scores.ravel(),
    np.repeat(sample_weight, k))``, where ``onehot[i, codes[i]]`` is the only True of row
    ``i``, without the one-hot matrix: with ``n * k`` cells the one-hot matrix, the merge
    permutation and the per-cell positives would cost several times the scores' size. Here
    the cells are sorted once (one copy of the scores), the ``n`` positive scores apart, and
    the positives at or above each distinct score are counted by binary search.

    Parameters
    ----------
    scores : ndarray of float, shape (n, k)
        One column per class.
    codes : ndarray of int, shape (n,)
        Each row's true class, a column of ``scores``.
    sample_weight : ndarray of float, shape (n,), optional
        Row weights (each cell of a row carries its row's weight).

    Examples
    --------
    >>> s = np.array([[0.7, 0.2, 0.1], [0.3, 0.3, 0.4]])
    >>> r = rank_one_vs_rest(s, np.array([0, 2]))
    >>> r.thresholds, r.tps, r.fps, r.n_rows
    (array([0.7, 0.4, 0.3, 0.2, 0.1]), array([1., 2., 2., 2., 2.]), array([0., 0., 2., 3., 4.]), array([1, 2, 4, 5, 6]))
    """
    scores = np.asarray(scores, dtype=np.float64)
    codes = np.asarray(codes)
    n, k = scores.shape
    if sample_weight is not None:
        onehot = np.zeros((n, k), dtype=bool)
        onehot[np.arange(n), codes] = True
        return rank_scores(onehot.ravel(), scores.ravel(), np.repeat(sample_weight, k))
    total = n * k
    if total == 0:
        empty = np.empty(0)
        return Ranking(empty, empty, empty, np.empty(0, dtype=np.int64), 0)
    cells = np.sort(scores, axis=None)  # ascending, one copy
    pos = scores[np.arange(n), codes]
    pos.sort()
    change = cells[1:] != cells[:-1]
    n_runs = int(np.count_nonzero(change)) + 1
    starts = np.empty(n_runs, dtype=np.int64)  # first cell of each run of equal scores
    starts[0] = 0
    np.add(np.flatnonzero(change), 1, out=starts[1:])
    del change
    thresholds_asc = cells[starts]
    del cells
    n_rows = np.subtract(total, starts[::-1])  # rows at or above each distinct score
    del starts
    # positives at or above each distinct score
    below = np.searchsorted(pos, thresholds_asc, side="left")
    tps = np.subtract(n, below[::-1], dtype=np.float64)
    del below
    fps = np.subtract(n_rows, tps)
    # highest score first (a reversed view: no copy)
    return Ranking(thresholds=thresholds_asc[::-1], tps=tps, fps=fps, n_rows=n_rows,
                   n_total=int(total))


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

    ``points`` may pass :func:`roc_points`'s output when the caller already has it.
    """
    _both_classes(ranking, "A ROC curve")
    fpr, tpr, thr = roc_points(ranking) if points is None else points
    auc = _trapezoid_auc(fpr, tpr)
    keep = decimate_indices(fpr, tpr, max_points)
    return RocCurve(fpr=fpr[keep], tpr=tpr[keep], thresholds=thr[keep], auc=auc,
                    label=label, n_total=ranking.n_total)


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


def average_precision_from_points(precision: np.ndarray, recall: np.ndarray) -> float:
    """Step-wise area under the PR curve, as scikit-learn's ``average_precision_score``."""
    steps = np.diff(recall)
    steps *= precision[:-1]  # in place: the same products as np.diff(recall) * precision[:-1]
    return float(max(0.0, -np.sum(steps)))


def pr_curve_from_ranking(
    ranking: Ranking, *, label: str | None = None, max_points: int = MAX_POINTS
) -> PrecisionRecallCurve:
    """Precision-recall curve, decimated, with exact average precision."""
    _both_classes(ranking, "A precision-recall curve")
    precision, recall = _pr_rates(ranking)
    thr = ranking.thresholds[::-1]  # a view: only the kept thresholds are copied
    ap = average_precision_from_points(precision, recall)
    keep = decimate_indices(recall, precision, max_points)
    # ``thresholds`` has one entry fewer than the points (the final (0, 1) point has none).
    thr_keep = keep[keep < thr.shape[0]]
    return PrecisionRecallCurve(precision=precision[keep], recall=recall[keep],
                                thresholds=thr[thr_keep], average_precision=ap,
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
    if p.shape[0] <= MAX_POINTS:
        return p  # kept whole anyway
    eps = 0.5 / max(n, 1)
    q = np.clip(p, eps, 1 - eps).astype(np.float32)  # only chooses points: float32 will do
    return np.log(q) - np.log1p(-q)


def det_curve_from_ranking(
    ranking: Ranking, *, label: str | None = None, max_points: int = MAX_POINTS
) -> DetCurve:
    """DET curve (scikit-learn's points), decimated."""
    _both_classes(ranking, "A DET curve")
    fpr, fnr, thr = det_points(ranking)
    # DET curves are drawn on normal-deviate axes, which stretch both tails: choose the
    # points on log-odds axes (same stretch, cheap) so that the tails keep their detail
    keep = decimate_indices(_log_odds(fpr, ranking.n_total), _log_odds(fnr, ranking.n_total),
                            max_points)
    return DetCurve(fpr=fpr[keep], fnr=fnr[keep], thresholds=thr[keep], label=label,
                    n_total=ranking.n_total)


def lift_and_gains_from_ranking(
    ranking: Ranking, *, label: str | None = None, max_points: int = MAX_POINTS
) -> tuple[LiftCurve, GainsCurve]:
    """Lift and cumulative gains at each distinct score (weighted fractions)."""
    _both_classes(ranking, "A lift curve")
    total = ranking.tps[-1] + ranking.fps[-1]
    fraction = (ranking.tps + ranking.fps) / total
    gain = ranking.tps / ranking.tps[-1]
    lift = gain / fraction
    keep = decimate_indices(fraction, lift, max_points)
    lift_curve = LiftCurve(fraction=fraction[keep], lift=lift[keep], label=label,
                           n_total=ranking.n_total)
    gx = np.concatenate(([0.0], fraction))
    gy = np.concatenate(([0.0], gain))
    keep = decimate_indices(gx, gy, max_points)
    gains_curve = GainsCurve(fraction=gx[keep], gain=gy[keep], label=label,
                             n_total=ranking.n_total)
    return lift_curve, gains_curve


def ks_statistic(ranking: Ranking) -> float:
    """Kolmogorov-Smirnov statistic: the largest ``tpr - fpr`` over all thresholds."""
    _both_classes(ranking, "The KS statistic")
    return float(np.max(ranking.tps / ranking.tps[-1] - ranking.fps / ranking.fps[-1]))


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
    binids = _uniform_bin_ids(prob, n_bins)
    bin_sums = np.bincount(binids, weights=prob, minlength=n_bins)
    bin_true = np.bincount(binids, weights=y, minlength=n_bins)
    bin_total = np.bincount(binids, minlength=n_bins)
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
    yf = np.asarray(y_pos, dtype=np.float64)
    p = np.asarray(prob, dtype=np.float64)
    per_row = ((1.0 - yf) - (1.0 - p)) ** 2 + (yf - p) ** 2
    if sample_weight is None:
        value = np.mean(per_row)
    else:
        w = np.asarray(sample_weight, dtype=np.float64)
        value = np.sum(per_row * w) / np.sum(w)
    return float(value * 0.5)
