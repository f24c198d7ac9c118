"""Classifier metrics, curves and tables under MLflow's names, exact and fast.

:func:`evaluate_classifier` computes, from targets, predicted labels and (when they exist)
scores, everything MLflow 3.17.2's default evaluator computes for a classifier, with the
same names and definitions and values equal to scikit-learn's, plus curve and table data
MLflow only draws. It is pure numpy: labels are encoded once (a byte a row), confusion
counts come from ``np.bincount`` and a binary classifier's scores are sorted once
(:func:`._curves.sorted_scores`; :func:`._curves.rank_scores` with sample weights) for ROC,
precision-recall, DET, lift, gains, KS and the threshold table, each made a block at a time.
A multiclass classifier's classes are ranked one at a time, each ranking dropped once its
curves are made, and the micro-average ranking is one sorted copy of the scores
(:func:`._curves.sorted_cells`), so that the memory used stays within about twice the
score matrix.

Examples
--------
>>> import numpy as np
>>> out = evaluate_classifier(["no", "yes", "yes", "no"], ["no", "yes", "no", "no"],
...                           [0.2, 0.9, 0.4, 0.3], labels=["no", "yes"])
>>> out.metrics["true_positives"], out.metrics["recall_score"], out.metrics["roc_auc"]
(1, 0.5, 1.0)
>>> [c.kind for c in out.curves]
['roc', 'precision_recall', 'det', 'lift', 'gains', 'calibration']
>>> sorted(out.tables)
['confusion_matrix', 'threshold_table']
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np
import pandas as pd

from workbench._exceptions import WorkbenchException
from workbench.evaluation._curves import (
    RocCurve,
    calibration_curve,
    det_curve_from_ranking,
    ks_statistic,
    lift_and_gains_from_ranking,
    pr_curve_from_ranking,
    rank_one_vs_rest,
    rank_scores,
    roc_curve_from_ranking,
    roc_points,
    sorted_cells,
    sorted_scores,
)
from workbench.evaluation._decimate import MAX_POINTS, decimate_indices
from workbench.evaluation._tables import (
    ConfusionMatrix,
    PerClassMetrics,
    threshold_table_from_ranking,
)

__all__ = [
    "BINARY_METRICS",
    "MULTICLASS_METRICS",
    "WORKBENCH_BINARY_METRICS",
    "ClassifierOutcome",
    "evaluate_classifier",
]

#: MLflow 3.17.2's binary classifier metrics, in its order.
BINARY_METRICS = (
    "true_negatives", "false_positives", "false_negatives", "true_positives",
    "example_count", "accuracy_score", "recall_score", "precision_score", "f1_score",
    "log_loss", "roc_auc", "precision_recall_auc",
)
#: MLflow 3.17.2's multiclass classifier metrics (roc_auc only for macro/weighted).
MULTICLASS_METRICS = (
    "example_count", "accuracy_score", "recall_score", "precision_score", "f1_score",
    "log_loss", "roc_auc",
)
#: Metrics workbench adds for binary classifiers, under names MLflow does not use.
WORKBENCH_BINARY_METRICS = ("ks_statistic", "brier_score_loss", "expected_calibration_error")

_AVERAGES = ("micro", "macro", "weighted")

_NO_SCORES = (
    "no scores: the model gives no probabilities (no predict_proba) and the data has no "
    "probability column"
)


@dataclasses.dataclass(frozen=True, eq=False)
class ClassifierOutcome:
    """What :func:`evaluate_classifier` computed.

    Attributes
    ----------
    metrics : dict[str, float]
        MLflow's metric names (confusion counts and ``example_count`` are ints).
    curves : list
        Curve records (:mod:`._curves`), each with at most 1,000 points.
    tables : dict[str, table]
        ``"confusion_matrix"``, and ``"threshold_table"`` (binary with scores) or
        ``"per_class_metrics"`` (multiclass).
    skipped : dict[str, str]
        Metric or curve name -> why it was not computed.
    """

    metrics: dict[str, float]
    curves: list
    tables: dict[str, Any]
    skipped: dict[str, str]


# --------------------------------------------------------------------------- input checks


def _bad(message: str) -> WorkbenchException:
    return WorkbenchException.invalid_parameter_value(message)


def _as_1d(values: Any, name: str) -> np.ndarray:
    if isinstance(values, (pd.Series, pd.Index)):
        arr = values.to_numpy()
    elif isinstance(values, pd.DataFrame):
        if values.shape[1] != 1:
            raise _bad(f"{name} must be one column, got a DataFrame with columns "
                       f"{list(values.columns)}. Pass the single column that holds {name}.")
        arr = values.iloc[:, 0].to_numpy()
    else:
        arr = np.asarray(values)
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.ndim != 1:
        raise _bad(f"{name} must be one-dimensional, got an array of shape {arr.shape}.")
    return arr


def _check_weights(sample_weight: Any, n: int) -> np.ndarray | None:
    if sample_weight is None:
        return None
    w = _as_1d(sample_weight, "sample_weight")
    if w.shape[0] != n:
        raise _bad(f"sample_weight has {w.shape[0]} values but there are {n} rows; "
                   f"pass one weight per row.")
    try:
        w = w.astype(np.float64)
    except (TypeError, ValueError):
        raise _bad(f"sample_weight must be numbers, got values of dtype {w.dtype}.") from None
    if not np.isfinite(w).all():
        raise _bad("sample_weight holds NaN or infinite values; every weight must be a "
                   "finite number.")
    if not w.sum() > 0:
        raise _bad("sample_weight sums to zero or less; at least one row needs a positive "
                   "weight.")
    return w


def _sorted_labels(labels: Any) -> tuple[list, list[int]]:
    """The labels sorted (as MLflow sorts label_list), and where each was in the input."""
    if labels is None:
        raise _bad("labels is required: pass the sorted union of the target and predicted "
                   "labels (or evaluator_config['label_list']).")
    given = _as_1d(labels, "labels").tolist()
    try:
        order = sorted(range(len(given)), key=given.__getitem__)
    except TypeError:
        order = list(range(len(given)))  # mixed types: keep the caller's order
    labels = [given[i] for i in order]
    if len(labels) < 2:
        raise _bad(
            "Evaluation dataset for classification must contain at least two unique labels, "
            f"but only {len(labels)} unique labels were found. Pass "
            "evaluator_config={'label_list': [...]} with all possible classes, e.g. [0, 1].")
    if len(set(map(repr, labels))) != len(labels) or pd.Index(labels).has_duplicates:
        raise _bad(f"labels must be unique, got {labels!r}.")
    return labels, order


def _encode_small_ints(values: np.ndarray, index: pd.Index) -> np.ndarray | None:
    """Integer labels over a small range against integer labels: a lookup table, no hashing.

    Returns None (the general path, with its messages) unless every value is a label.
    """
    if not (isinstance(values, np.ndarray) and values.dtype.kind in "iu"
            and index.dtype.kind in "iu" and values.shape[0]):
        return None
    lo, hi = int(values.min()), int(values.max())
    if hi - lo > 65536:
        return None
    table = index.get_indexer(np.arange(lo, hi + 1, dtype=np.int64))
    if values.dtype.kind == "u" or lo >= 0:
        shifted = values if lo == 0 else values - lo
    else:
        shifted = values - lo
    codes = table[shifted]
    if codes.min() < 0:
        return None
    return codes.astype(np.int64, copy=False)


def _encode(values: np.ndarray, index: pd.Index, name: str) -> np.ndarray:
    """Codes of ``values`` in ``index`` (hashing once: factorize, then map the uniques)."""
    fast = _encode_small_ints(values, index)
    if fast is not None:
        return fast
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    if codes.shape[0] and codes.min() < 0:
        rows = np.flatnonzero(codes < 0)
        raise _bad(
            f"{name} holds {rows.shape[0]} missing value(s) (NaN or None), first at row "
            f"{int(rows[0])}. Every row needs a label: drop those rows or fill them "
            f"before evaluating.")
    mapping = index.get_indexer(uniques)
    if (mapping < 0).any():
        # numpy (and so MLflow) treats True == 1 and False == 0: accept bools against 0/1
        # labels and 0/1 against bool labels
        uniques_arr = np.asarray(uniques)
        if uniques_arr.dtype.kind == "b":
            mapping = index.get_indexer(uniques_arr.astype(np.int64))
        elif index.dtype.kind == "b" and uniques_arr.dtype.kind in "iu" \
                and np.isin(uniques_arr, (0, 1)).all():
            mapping = index.get_indexer(uniques_arr.astype(bool))
    if (mapping < 0).any():
        unknown = [v.item() if hasattr(v, "item") else v for v in uniques[mapping < 0][:5]]
        raise _bad(
            f"{name} holds label(s) {unknown!r} that are not in labels {list(index)!r}. "
            f"Add them to label_list, or check that targets and predictions use the same "
            f"type of label (e.g. 1 vs '1').")
    return mapping.astype(np.int64)[codes]


def _as_scores(y_score: Any, n: int, k: int, binary: bool) -> np.ndarray:
    if isinstance(y_score, (pd.Series, pd.DataFrame)):
        y_score = y_score.to_numpy()
    try:
        s = np.asarray(y_score, dtype=np.float64)
    except (TypeError, ValueError):
        raise _bad("y_score must be numbers (probabilities or decision scores), got values "
                   "that cannot be read as floats.") from None
    if s.ndim == 2 and s.shape[1] == 1:
        s = s[:, 0]
    ok = (s.ndim == 1 and binary) or (s.ndim == 2 and s.shape[1] == k)
    if not ok or s.shape[0] != n:
        expected = f"({n},) or ({n}, {k})" if binary else f"({n}, {k})"
        raise _bad(
            f"y_score has shape {s.shape}, expected {expected}: one row per example and one "
            f"column per label, in the order of labels ({k} labels).")
    if not np.isfinite(s).all():
        bad = np.flatnonzero(~np.isfinite(s).reshape(n, -1).all(axis=1))
        raise _bad(f"y_score holds NaN or infinite values in {bad.shape[0]} row(s), first at "
                   f"row {int(bad[0])}. The model's scores must be finite.")
    return s


# --------------------------------------------------------------------------- helpers


def _div(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """``num / den`` with 0 where ``den == 0`` (scikit-learn's zero_division="warn")."""
    num = np.asarray(num, dtype=np.float64)
    den = np.asarray(den, dtype=np.float64)
    return np.divide(num, np.where(den == 0, 1.0, den), out=np.zeros_like(num),
                     where=den != 0)


def _average(a: np.ndarray, weights: np.ndarray | None) -> float:
    """scikit-learn's ``_nanaverage`` for NaN-free input."""
    if a.shape[0] == 0:
        return math.nan
    if weights is None:
        return float(np.mean(a))
    scale = np.sum(weights)
    if scale == 0:
        return float(np.mean(a))
    return float(np.sum(a * weights) / scale)


def _prf(tp: np.ndarray, pred: np.ndarray, true: np.ndarray, average: str | None):
    """Precision, recall and F1 from per-label sums, as precision_recall_fscore_support."""
    fp, fn = pred - tp, true - tp
    pred, true = tp + fp, tp + fn  # scikit-learn's exact arithmetic
    if average == "micro":
        tp, pred, true = np.array([tp.sum()]), np.array([pred.sum()]), np.array([true.sum()])
    precision = _div(tp, pred)
    recall = _div(tp, true)
    f1 = _div(2.0 * tp, 1.0 * true + pred)
    if average is None:
        return precision, recall, f1
    weights = true if average == "weighted" else None
    return _average(precision, weights), _average(recall, weights), _average(f1, weights)


def _log_loss(p_true: np.ndarray, w: np.ndarray | None) -> float:
    """Mean of ``-log(clip(p_true))``, clipped to [eps, 1 - eps] as scikit-learn does."""
    eps = np.finfo(np.float64).eps
    log_p = np.clip(p_true, eps, 1 - eps)
    np.log(log_p, out=log_p)  # in place; negating the mean is exact (rounding is symmetric)
    if w is None:
        return float(-np.mean(log_p))
    log_p *= w
    return float(-np.sum(log_p) / np.sum(w))


def _range_reason(what: str, s: np.ndarray) -> str | None:
    lo, hi = float(s.min()), float(s.max())
    if lo < 0 or hi > 1:
        return (f"{what} needs probabilities in [0, 1], but the scores range over "
                f"[{lo:.6g}, {hi:.6g}] (decision-function scores?)")
    return None


# --------------------------------------------------------------------------- entry point


def evaluate_classifier(
    y_true: Any,
    y_pred: Any,
    y_score: Any = None,
    *,
    labels: Any,
    pos_label: Any = None,
    average: str = "weighted",
    sample_weight: Any = None,
    calibration_n_bins: int = 10,
    max_classes_for_multiclass_roc_pr: int = 10,
) -> ClassifierOutcome:
    """Compute a classifier's metrics, curves and tables.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n,)
        Target and predicted labels (ints, bools, strings, ...), no missing values.
    y_score : array-like of shape (n,) or (n, k), optional
        Binary: the positive class's score (1-D) or one column per label. Multiclass: one
        column per label. Columns follow ``labels`` in the order given (normally sorted,
        as ``predict_proba``'s ``classes_``). Probabilities give every metric;
        other scores (decision functions) give AUCs and curves, and ``log_loss``,
        calibration and Brier score are skipped.
    labels : array-like
        The labels (MLflow's ``label_list``; by default the union of targets and
        predictions). Sorted here; two labels make a binary problem.
    pos_label : optional
        Binary only: the positive class (default: the larger label).
    average : {"weighted", "macro", "micro"}
        Multiclass averaging of precision, recall and F1 (and ``roc_auc`` for
        macro/weighted, one-vs-rest), as MLflow's ``average``.
    sample_weight : array-like of shape (n,), optional
        Row weights, used where MLflow uses them: every metric except the confusion
        counts and ``example_count`` (MLflow counts rows), and the calibration bins.
    calibration_n_bins : int, default 10
        Uniform bins of the calibration curves.
    max_classes_for_multiclass_roc_pr : int, default 10
        Beyond this many classes the per-class ROC, PR and calibration curves (and the
        per-class AUC columns) are skipped, as MLflow does.

    Returns
    -------
    ClassifierOutcome

    Notes
    -----
    Binary metrics (MLflow's): ``true_negatives, false_positives, false_negatives,
    true_positives, example_count, accuracy_score, recall_score, precision_score,
    f1_score, log_loss, roc_auc, precision_recall_auc`` (average precision). Multiclass:
    ``example_count, accuracy_score, recall_score, precision_score, f1_score, log_loss,
    roc_auc``. Workbench additions (binary, with probabilities): ``ks_statistic`` (the
    largest ``tpr - fpr``; needs only scores), ``brier_score_loss`` and
    ``expected_calibration_error``.

    Curves: binary ``roc``, ``precision_recall``, ``det``, ``lift``, ``gains``,
    ``calibration`` (label = the positive class); multiclass one-vs-rest ``roc``,
    ``precision_recall`` and ``calibration`` per class plus ``roc`` and
    ``precision_recall`` labelled ``"micro"`` and a ``roc`` labelled ``"macro"`` (the
    mean of the per-class true positive rates on a common false-positive-rate grid; its
    ``auc`` is the macro mean of the per-class AUCs).

    Examples
    --------
    >>> out = evaluate_classifier([0, 1, 2, 2], [0, 2, 2, 2], labels=[0, 1, 2],
    ...                           average="macro")
    >>> round(out.metrics["precision_score"], 4), out.skipped["log_loss"][:9]
    (0.5556, 'no scores')
    >>> out.tables["per_class_metrics"].to_frame()[["positive_class", "true_positives"]]
      positive_class  true_positives
    0              0               1
    1              1               0
    2              2               2
    """
    yt = _as_1d(y_true, "y_true")
    yp = _as_1d(y_pred, "y_pred")
    n = yt.shape[0]
    if yp.shape[0] != n:
        raise _bad(f"y_true has {n} rows but y_pred has {yp.shape[0]}; targets and "
                   f"predictions must have one value per row.")
    if n == 0:
        raise _bad("There are no rows to evaluate: y_true is empty.")
    w = _check_weights(sample_weight, n)
    labels, order = _sorted_labels(labels)
    index = _label_index(labels)
    k = len(labels)
    pos_index = 1
    if pos_label is not None:
        pos_index = int(index.get_indexer([pos_label])[0])
        if pos_index < 0:
            raise _bad(f"'pos_label' {pos_label!r} must exist in 'label_list' {labels!r}.")
    # codes in the smallest integer type that holds them (a byte a row for up to 127
    # labels, where int64 codes cost as much as the scores of a binary classifier)
    code_type = np.int8 if k <= 127 else np.int16 if k <= 32767 else np.int32
    t = _encode(yt, index, "y_true (the targets)").astype(code_type)
    p = _encode(yp, index, "y_pred (the predictions)").astype(code_type)
    scores = None if y_score is None else _as_scores(y_score, n, k, binary=k == 2)
    if scores is not None and scores.ndim == 2 and order != list(range(k)):
        scores = scores[:, order]  # columns follow the caller's labels; ours are sorted
    if k == 2:
        return _binary(t, p, scores, labels, pos_index, w, calibration_n_bins)
    if average not in _AVERAGES:
        raise _bad(f"average must be one of {list(_AVERAGES)} for a multiclass classifier, "
                   f"got {average!r}.")
    return _multiclass(t, p, scores, labels, average, w, calibration_n_bins,
                       max_classes_for_multiclass_roc_pr)


def _label_index(labels: list) -> pd.Index:
    """A pandas Index for hashing labels to codes (object dtype when types are mixed)."""
    kinds = {type(v.item() if hasattr(v, "item") else v) for v in labels}
    if len(kinds) > 1 and not kinds <= {int, float}:
        return pd.Index(labels, dtype=object)
    return pd.Index(labels)


# --------------------------------------------------------------------------- binary


def _binary(t, p, scores, labels, pos_index, w, n_bins) -> ClassifierOutcome:
    n = t.shape[0]
    neg_index = 1 - pos_index
    pos_name, neg_name = str(labels[pos_index]), str(labels[neg_index])
    y_pos = t == pos_index
    p_pos = p == pos_index
    cell = 2 * y_pos.astype(np.int64) + p_pos  # 0 tn, 1 fp, 2 fn, 3 tp
    tn, fp, fn, tp = (int(c) for c in np.bincount(cell, minlength=4))
    metrics: dict[str, Any] = {
        "true_negatives": tn, "false_positives": fp, "false_negatives": fn,
        "true_positives": tp, "example_count": n,
    }
    if w is None:
        metrics["accuracy_score"] = float(np.mean(y_pos == p_pos))
        tp_w, pred_w, true_w = float(tp), float(tp + fp), float(tp + fn)
        weighted_cells = None
    else:
        metrics["accuracy_score"] = float(np.sum((y_pos == p_pos) * w) / np.sum(w))
        weighted_cells = np.bincount(cell, weights=w, minlength=4)
        tp_w = weighted_cells[3]
        pred_w = np.bincount(p_pos, weights=w, minlength=2)[1]
        true_w = np.bincount(y_pos, weights=w, minlength=2)[1]
    del p_pos, cell  # a megabyte a million rows each: freed before the curves are made
    precision, recall, f1 = _prf(np.array([tp_w]), np.array([pred_w]), np.array([true_w]),
                                 None)
    metrics["recall_score"] = float(recall[0])
    metrics["precision_score"] = float(precision[0])
    metrics["f1_score"] = float(f1[0])

    curves: list = []
    skipped: dict[str, str] = {}
    matrix = np.array([[tn, fp], [fn, tp]])
    tables: dict[str, Any] = {"confusion_matrix": ConfusionMatrix(
        labels=[neg_name, pos_name], matrix=matrix,
        weighted=None if weighted_cells is None else weighted_cells.reshape(2, 2))}

    if scores is None:
        for name in ("log_loss", "roc_auc", "precision_recall_auc", "ks_statistic",
                     "brier_score_loss", "expected_calibration_error", "roc_curve",
                     "precision_recall_curve", "det_curve", "lift_curve", "gains_curve",
                     "calibration_curve", "threshold_table"):
            skipped[name] = _NO_SCORES
        return ClassifierOutcome(metrics, curves, tables, skipped)

    s = scores[:, pos_index] if scores.ndim == 2 else scores
    prob_reason = _range_reason("log_loss", scores)
    if prob_reason is None:
        if scores.ndim == 2:
            p_true = np.where(y_pos, scores[:, pos_index], scores[:, neg_index])
        else:
            p_true = np.where(y_pos, s, 1.0 - s)
        metrics["log_loss"] = _log_loss(p_true, w)
        del p_true
    else:
        skipped["log_loss"] = prob_reason

    # unweighted: the scores sorted once, the ranking kept as int32 counts (16 bytes a
    # distinct score), every curve made and decimated a block at a time
    ranking = rank_scores(y_pos, s, w) if w is not None else sorted_scores(y_pos, s).compact()
    one_class = ranking.n_pos <= 0 or ranking.n_neg <= 0
    if one_class:
        present = neg_name if ranking.n_pos <= 0 else pos_name
        why = (f"only one class ({present!r}) is present in the targets, so rates of the "
               f"other class are undefined")
        for name in ("roc_auc", "precision_recall_auc", "ks_statistic", "roc_curve",
                     "precision_recall_curve", "det_curve", "lift_curve", "gains_curve"):
            skipped[name] = why
    else:
        roc = roc_curve_from_ranking(ranking, label=pos_name)
        pr = pr_curve_from_ranking(ranking, label=pos_name)
        metrics["roc_auc"] = roc.auc
        metrics["precision_recall_auc"] = pr.average_precision
        metrics["ks_statistic"] = ks_statistic(ranking)
        lift, gains = lift_and_gains_from_ranking(ranking, label=pos_name)
        curves += [roc, pr, det_curve_from_ranking(ranking, label=pos_name), lift, gains]
    prob_reason = _range_reason("A calibration curve", s)
    if prob_reason is None:
        cal = calibration_curve(y_pos, s, n_bins=n_bins, sample_weight=w, label=pos_name)
        metrics["brier_score_loss"] = cal.brier_score
        metrics["expected_calibration_error"] = cal.expected_calibration_error
        curves.append(cal)
    else:
        skipped["calibration_curve"] = prob_reason
        skipped["brier_score_loss"] = prob_reason.replace("A calibration curve",
                                                          "brier_score_loss")
        skipped["expected_calibration_error"] = prob_reason.replace(
            "A calibration curve", "expected_calibration_error")
    tables["threshold_table"] = threshold_table_from_ranking(ranking, label=pos_name)
    ordered = {name: metrics[name] for name in BINARY_METRICS + WORKBENCH_BINARY_METRICS
               if name in metrics}
    return ClassifierOutcome(ordered, curves, tables, skipped)


# --------------------------------------------------------------------------- multiclass


def _multiclass(t, p, scores, labels, average, w, n_bins, max_classes) -> ClassifierOutcome:
    n, k = t.shape[0], len(labels)
    names = [str(v) for v in labels]
    cell = t.astype(np.int64)
    cell *= k
    cell += p  # the confusion-matrix cell of each row
    counts = np.bincount(cell, minlength=k * k).reshape(k, k)
    match = t == p
    if w is None:
        tp_sum = np.diag(counts).astype(np.float64)
        pred_sum = counts.sum(axis=0).astype(np.float64)
        true_sum = counts.sum(axis=1).astype(np.float64)
        weighted = None
        accuracy = float(np.mean(match))
    else:
        weighted = np.bincount(cell, weights=w, minlength=k * k).reshape(k, k)
        tp_sum = np.bincount(t[match], weights=w[match], minlength=k)
        pred_sum = np.bincount(p, weights=w, minlength=k)
        true_sum = np.bincount(t, weights=w, minlength=k)
        accuracy = float(np.sum(match * w) / np.sum(w))
    del cell
    # scikit-learn averages over the labels present in targets or predictions
    present = np.flatnonzero(counts.sum(axis=0) + counts.sum(axis=1))
    precision, recall, f1 = _prf(tp_sum[present], pred_sum[present], true_sum[present],
                                 average)
    metrics: dict[str, Any] = {"example_count": n, "accuracy_score": accuracy,
                               "recall_score": recall, "precision_score": precision,
                               "f1_score": f1}
    skipped: dict[str, str] = {}
    curves: list = []
    tables: dict[str, Any] = {"confusion_matrix": ConfusionMatrix(
        labels=names, matrix=counts, weighted=weighted)}

    # per-class table (MLflow's per_class_metrics), one-vs-rest with binary averaging
    pc_prec, pc_rec, pc_f1 = _prf(tp_sum, pred_sum, true_sum, None)
    total_w = float(n) if w is None else float(np.sum(w))
    diag = np.diag(counts)
    rows = []
    for c in range(k):
        tp_c = int(diag[c])
        fp_c = int(counts[:, c].sum()) - tp_c
        fn_c = int(counts[c, :].sum()) - tp_c
        tn_c = n - tp_c - fp_c - fn_c
        if w is None:
            acc_c = (tp_c + tn_c) / n
        else:
            wrong = (pred_sum[c] - tp_sum[c]) + (true_sum[c] - tp_sum[c])
            acc_c = (total_w - wrong) / total_w
        rows.append({"positive_class": names[c], "true_negatives": tn_c,
                     "false_positives": fp_c, "false_negatives": fn_c,
                     "true_positives": tp_c, "example_count": n,
                     "accuracy_score": float(acc_c), "recall_score": float(pc_rec[c]),
                     "precision_score": float(pc_prec[c]), "f1_score": float(pc_f1[c])})
    columns = list(rows[0])

    if scores is None:
        for name in ("log_loss", "roc_auc", "roc_curve", "precision_recall_curve",
                     "calibration_curve"):
            skipped[name] = _NO_SCORES
        tables["per_class_metrics"] = PerClassMetrics(columns=columns, rows=rows)
        return ClassifierOutcome(metrics, curves, tables, skipped)

    prob_reason = _range_reason("log_loss", scores)
    if prob_reason is None:
        metrics["log_loss"] = _log_loss(scores[np.arange(n), t], w)
    else:
        skipped["log_loss"] = prob_reason

    rows_per_class = counts.sum(axis=1)
    absent = [names[c] for c in range(k) if rows_per_class[c] == 0]
    draw = k <= max_classes
    ranked = np.zeros(k, dtype=bool)
    class_points: list = [None] * k  # (fpr, tpr) per class, for the macro-average curve
    class_curves: list = [None] * k
    class_auc = np.full(k, np.nan)
    class_ap = np.full(k, np.nan)
    # One class at a time, its ranking dropped as soon as its curves are made: holding every
    # class's ranking (or a transposed copy of the scores) costs several times the scores.
    # the micro average first: its sorted copy of the scores is the largest temporary here,
    # and the per-class points kept for the macro average do not exist yet
    micro = _micro(t, scores, w) if draw else []
    if average in ("macro", "weighted") or draw:
        for c in range(k):
            if not 0 < rows_per_class[c] < n:
                continue
            r = (rank_scores(t == c, scores[:, c], w) if w is not None
                 else sorted_scores(t == c, scores[:, c]).materialize())
            if not (r.n_pos > 0 and r.n_neg > 0):
                continue
            ranked[c] = True
            points = roc_points(r)
            fpr, tpr, _ = points
            class_auc[c] = float(np.trapezoid(tpr, fpr))
            if draw:
                roc = roc_curve_from_ranking(r, label=names[c], points=points)
                pr = pr_curve_from_ranking(r, label=names[c])
                class_ap[c] = pr.average_precision
                class_curves[c] = (roc, pr)
                class_points[c] = (fpr, tpr)
            del r, points, fpr, tpr

    if average in ("macro", "weighted"):
        reason = None
        if absent:
            reason = (f"roc_auc (one-vs-rest) needs every label in the targets, but "
                      f"{absent!r} never occur(s) there (only in the predictions or "
                      f"label_list)")
        elif not np.allclose(1, scores.sum(axis=1)):
            reason = ("roc_auc (one-vs-rest) needs probabilities that sum to 1 over the "
                      "classes in every row")
        elif not ranked.all():
            reason = "roc_auc (one-vs-rest) needs at least one row outside each class"
        if reason is None:
            avg_w = true_sum if average == "weighted" else None
            auc = class_auc.copy()
            if avg_w is not None:
                auc[avg_w == 0] = 0
            metrics["roc_auc"] = _average(auc, avg_w)
        else:
            skipped["roc_auc"] = reason
    else:
        skipped["roc_auc"] = ("MLflow computes a multiclass roc_auc only for average "
                              "'macro' or 'weighted'")

    if not draw:
        reason = (f"the classifier has {k} classes, more than "
                  f"max_classes_for_multiclass_roc_pr={max_classes}; raise it in "
                  f"evaluator_config to draw per-class curves")
        for name in ("roc_curve", "precision_recall_curve", "calibration_curve"):
            skipped[name] = reason
    else:
        for c in range(k):
            if class_curves[c] is None:
                skipped[f"roc_curve/{names[c]}"] = (
                    f"label {names[c]!r} is absent from the targets (or is every target)")
                continue
            curves += class_curves[c]
        class_curves = []
        curves += micro + _macro(n, class_points, class_auc)
        class_points = []
        cal_reason = _range_reason("A calibration curve", scores)
        if cal_reason is None:
            for c in range(k):
                curves.append(calibration_curve(t == c, scores[:, c], n_bins=n_bins,
                                                sample_weight=w, label=names[c]))
        else:
            skipped["calibration_curve"] = cal_reason
        for row, a, ap in zip(rows, class_auc, class_ap):
            row["roc_auc"] = float(a)
            row["precision_recall_auc"] = float(ap)
        columns += ["roc_auc", "precision_recall_auc"]
    tables["per_class_metrics"] = PerClassMetrics(columns=columns, rows=rows)
    return ClassifierOutcome(metrics, curves, tables, skipped)


def _micro(t, scores, w) -> list:
    """The micro-average ROC and PR curves (every cell of the scores one row)."""
    micro = rank_one_vs_rest(scores, t, w) if w is not None else sorted_cells(scores, t)
    if not (micro.n_pos > 0 and micro.n_neg > 0):
        return []
    return [roc_curve_from_ranking(micro, label="micro"),
            pr_curve_from_ranking(micro, label="micro")]


def _macro(n, class_points, class_auc) -> list:
    """The macro-average ROC curve: the classes' curves averaged on a shared grid."""
    k = len(class_points)
    out: list = []
    ok = [c for c in range(k) if class_points[c] is not None]
    if ok:
        full = [class_points[c][:2] for c in ok]
        grid = np.unique(np.concatenate(
            [fpr[decimate_indices(fpr, tpr, MAX_POINTS)] for fpr, tpr in full]))
        mean_tpr = np.mean([np.interp(grid, fpr, tpr) for fpr, tpr in full], axis=0)
        # start at (0, 0) like every ROC curve (np.interp at fpr = 0 takes the top of
        # each class's initial vertical segment)
        grid = np.concatenate(([0.0], grid))
        mean_tpr = np.concatenate(([0.0], mean_tpr))
        keep = decimate_indices(grid, mean_tpr, MAX_POINTS)
        out.append(RocCurve(fpr=grid[keep], tpr=mean_tpr[keep], thresholds=np.empty(0),
                            auc=float(np.mean(class_auc[ok])), label="macro",
                            n_total=n))
    return out

