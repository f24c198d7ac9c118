"""evaluate_classifier against scikit-learn on the same arrays (oracle), and bad input."""

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn import metrics as skm
from sklearn.calibration import calibration_curve as sk_calibration_curve

from workbench import WorkbenchException
from workbench.evaluation._classification import (
    BINARY_METRICS,
    ClassifierOutcome,
    evaluate_classifier,
)

RTOL = 1e-12


def close(a, b):
    assert a == pytest.approx(b, rel=RTOL, abs=1e-15), (a, b)


def _binary_data(n=3000, seed=0, kind="int", ties=False):
    rng = np.random.default_rng(seed)
    y01 = rng.random(n) < 0.35
    score = np.clip(0.3 * y01 + rng.normal(0.35, 0.2, n), 0, 1)
    if ties:
        score = np.round(score, 1)
    pred01 = score > 0.45
    values = {"int": np.array([0, 1]), "bool": np.array([False, True]),
              "str": np.array(["alpha", "beta"], dtype=object),
              "int_neg": np.array([-1, 1]), "float": np.array([0.0, 1.0])}[kind]
    return values[y01.astype(int)], values[pred01.astype(int)], score, values


def _sk_binary(y, yp, score, labels, pos, w):
    neg = [v for v in labels if v != pos][0]
    ordered = [neg, pos]
    tn, fp, fn, tp = skm.confusion_matrix(y, yp, labels=ordered).ravel()
    pos_col = list(sorted(labels)).index(pos)
    proba = np.column_stack([1 - score, score]) if pos_col == 1 else \
        np.column_stack([score, 1 - score])
    return {
        "true_negatives": tn, "false_positives": fp, "false_negatives": fn,
        "true_positives": tp, "example_count": len(y),
        "accuracy_score": skm.accuracy_score(y, yp, sample_weight=w),
        "recall_score": skm.recall_score(y, yp, pos_label=pos, sample_weight=w),
        "precision_score": skm.precision_score(y, yp, pos_label=pos, sample_weight=w),
        "f1_score": skm.f1_score(y, yp, pos_label=pos, sample_weight=w),
        "log_loss": skm.log_loss(y, proba, labels=sorted(labels), sample_weight=w),
        "roc_auc": skm.roc_auc_score(np.asarray(y) == pos, score, sample_weight=w),
        "precision_recall_auc": skm.average_precision_score(
            y, score, pos_label=pos, sample_weight=w),
    }


@pytest.mark.parametrize("kind", ["int", "bool", "str", "int_neg", "float"])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("ties", [False, True])
def test_binary_metrics_equal_sklearn(kind, weighted, ties):
    y, yp, score, labels = _binary_data(kind=kind, ties=ties, seed=len(kind))
    w = np.random.default_rng(5).random(len(y)) * 3 if weighted else None
    w = None if w is None else np.where(np.arange(len(y)) % 17 == 0, 0.0, w)  # zero weights
    out = evaluate_classifier(y, yp, score, labels=list(labels), sample_weight=w)
    expected = _sk_binary(y, yp, score, list(labels), labels[1], w)
    assert list(out.metrics)[:12] == list(BINARY_METRICS)
    for name, value in expected.items():
        close(out.metrics[name], value)
    for name in ("true_negatives", "false_positives", "false_negatives", "true_positives",
                 "example_count"):
        assert type(out.metrics[name]) is int
    assert out.skipped == {}


@pytest.mark.parametrize("kind", ["int", "str", "bool"])
def test_binary_pos_label_smaller_label(kind):
    y, yp, score, labels = _binary_data(kind=kind, seed=11)
    pos = labels[0]
    # the model's positive-class score for the smaller label
    s_pos = 1 - score
    w = np.random.default_rng(1).random(len(y))
    out = evaluate_classifier(y, yp, s_pos, labels=list(labels), pos_label=pos,
                              sample_weight=w)
    neg = labels[1]
    tn, fp, fn, tp = skm.confusion_matrix(y, yp, labels=[neg, pos]).ravel()
    assert (out.metrics["true_negatives"], out.metrics["false_positives"],
            out.metrics["false_negatives"], out.metrics["true_positives"]) == (tn, fp, fn, tp)
    close(out.metrics["recall_score"], skm.recall_score(y, yp, pos_label=pos, sample_weight=w))
    close(out.metrics["precision_score"],
          skm.precision_score(y, yp, pos_label=pos, sample_weight=w))
    close(out.metrics["f1_score"], skm.f1_score(y, yp, pos_label=pos, sample_weight=w))
    close(out.metrics["roc_auc"], skm.roc_auc_score(y == pos, s_pos, sample_weight=w))
    close(out.metrics["precision_recall_auc"],
          skm.average_precision_score(y, s_pos, pos_label=pos, sample_weight=w))
    proba = np.column_stack([s_pos, 1 - s_pos])  # columns in sorted label order
    close(out.metrics["log_loss"], skm.log_loss(y, proba, labels=sorted(labels),
                                                sample_weight=w))
    assert out.tables["confusion_matrix"].labels == [str(neg), str(pos)]
    roc = next(c for c in out.curves if c.kind == "roc")
    assert roc.label == str(pos)


def test_binary_two_column_scores_use_the_pos_label_column():
    y, yp, score, labels = _binary_data(kind="str", seed=3)
    proba = np.column_stack([1 - score, score])
    proba[:, 0] *= 0.98  # columns need not be exact complements: log_loss uses both
    a = evaluate_classifier(y, yp, proba, labels=list(labels))
    close(a.metrics["roc_auc"], skm.roc_auc_score(y == labels[1], score))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        close(a.metrics["log_loss"], skm.log_loss(y, proba, labels=sorted(labels)))
    b = evaluate_classifier(y, yp, proba, labels=list(labels), pos_label=labels[0])
    close(b.metrics["roc_auc"], skm.roc_auc_score(y == labels[0], proba[:, 0]))


def test_binary_workbench_additions():
    y, yp, score, labels = _binary_data(seed=4)
    w = np.random.default_rng(2).random(len(y))
    out = evaluate_classifier(y, yp, score, labels=[0, 1], sample_weight=w)
    close(out.metrics["brier_score_loss"], skm.brier_score_loss(y, score, sample_weight=w))
    fpr, tpr, _ = skm.roc_curve(y, score, sample_weight=w, drop_intermediate=False)
    close(out.metrics["ks_statistic"], np.max(tpr - fpr))
    prob_true, prob_pred = sk_calibration_curve(y, score, n_bins=10)
    cal = next(c for c in out.curves if c.kind == "calibration")
    np.testing.assert_allclose(cal.prob_true, prob_true, rtol=RTOL)
    np.testing.assert_allclose(cal.prob_pred, prob_pred, rtol=RTOL)
    counts = np.bincount(np.searchsorted(np.linspace(0, 1, 11)[1:-1], score), minlength=10)
    counts = counts[counts > 0]
    np.testing.assert_array_equal(cal.counts, counts)
    ece = np.sum(counts / counts.sum() * np.abs(prob_true - prob_pred))
    close(out.metrics["expected_calibration_error"], ece)


def test_binary_without_scores_says_what_was_skipped():
    out = evaluate_classifier([0, 1, 1, 0], [0, 1, 0, 0], labels=[0, 1])
    assert set(out.metrics) == set(BINARY_METRICS) - {"log_loss", "roc_auc",
                                                        "precision_recall_auc"}
    for name in ("log_loss", "roc_auc", "precision_recall_auc", "roc_curve",
                 "calibration_curve"):
        assert out.skipped[name].startswith("no scores: the model gives no probabilities")
    assert out.curves == []
    assert list(out.tables) == ["confusion_matrix"]


def test_decision_function_scores_give_aucs_but_skip_log_loss_and_calibration():
    y, yp, score, _ = _binary_data(seed=7)
    margin = (score - 0.5) * 8
    out = evaluate_classifier(y, yp, margin, labels=[0, 1])
    close(out.metrics["roc_auc"], skm.roc_auc_score(y, margin))
    close(out.metrics["precision_recall_auc"], skm.average_precision_score(y, margin))
    assert "log_loss" not in out.metrics
    assert "needs probabilities in [0, 1]" in out.skipped["log_loss"]
    assert "calibration_curve" in out.skipped and "brier_score_loss" in out.skipped


def test_binary_single_class_in_targets_skips_aucs():
    out = evaluate_classifier([1, 1, 1], [1, 0, 1], [0.9, 0.2, 0.8], labels=[0, 1])
    assert out.metrics["true_positives"] == 2
    assert "only one class ('1')" in out.skipped["roc_auc"]
    assert "roc_auc" not in out.metrics
    close(out.metrics["log_loss"], skm.log_loss([1, 1, 1], [0.9, 0.2, 0.8], labels=[0, 1]))


def test_zero_division_gives_zero_like_sklearn():
    out = evaluate_classifier([0, 0, 1], [0, 0, 0], labels=[0, 1])
    assert out.metrics["precision_score"] == 0.0
    assert out.metrics["f1_score"] == 0.0


# --------------------------------------------------------------------------- multiclass


def _multi_data(n=4000, k=4, seed=0, kind="int"):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, k, n)
    logits = rng.normal(size=(n, k))
    logits[np.arange(n), y] += 1.2
    proba = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    pred = proba.argmax(axis=1)
    if kind == "str":
        names = np.array([f"class_{c}" for c in range(k)], dtype=object)
        return names[y], names[pred], proba, list(names)
    return y, pred, proba, list(range(k))


@pytest.mark.parametrize("average", ["weighted", "macro", "micro"])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("kind", ["int", "str"])
def test_multiclass_metrics_equal_sklearn(average, weighted, kind):
    y, yp, proba, labels = _multi_data(kind=kind, seed=3)
    w = np.random.default_rng(9).random(len(y)) if weighted else None
    out = evaluate_classifier(y, yp, proba, labels=labels, average=average, sample_weight=w)
    close(out.metrics["accuracy_score"], skm.accuracy_score(y, yp, sample_weight=w))
    for name, fn in (("recall_score", skm.recall_score),
                     ("precision_score", skm.precision_score), ("f1_score", skm.f1_score)):
        close(out.metrics[name], fn(y, yp, average=average, sample_weight=w))
    close(out.metrics["log_loss"], skm.log_loss(y, proba, labels=labels, sample_weight=w))
    if average == "micro":
        assert "roc_auc" not in out.metrics and "roc_auc" in out.skipped
    else:
        close(out.metrics["roc_auc"], skm.roc_auc_score(
            y, proba, sample_weight=w, average=average, multi_class="ovr"))
    assert out.metrics["example_count"] == len(y)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.UndefinedMetricWarning")
def test_multiclass_with_a_class_never_predicted_and_labels_beyond_the_data():
    y = np.array([0, 1, 2, 2, 1, 0, 2])
    yp = np.array([0, 2, 2, 2, 2, 0, 2])  # class 1 never predicted
    out = evaluate_classifier(y, yp, labels=[0, 1, 2], average="macro")
    close(out.metrics["precision_score"], skm.precision_score(y, yp, average="macro"))
    # a label_list class that never occurs is left out of the average, as scikit-learn does
    out = evaluate_classifier(y, yp, labels=[0, 1, 2, 3], average="macro")
    close(out.metrics["recall_score"], skm.recall_score(y, yp, average="macro"))


def test_multiclass_roc_auc_skipped_when_a_label_is_absent_from_targets():
    y = np.array([0, 1, 0, 1, 0, 1])
    yp = np.array([0, 1, 2, 1, 0, 1])
    proba = np.full((6, 3), 1 / 3)
    out = evaluate_classifier(y, yp, proba, labels=[0, 1, 2])
    assert "['2'] never occur" in out.skipped["roc_auc"]


def test_multiclass_roc_auc_skipped_when_rows_do_not_sum_to_one():
    y, yp, proba, labels = _multi_data(n=200, seed=1)
    out = evaluate_classifier(y, yp, proba * 0.5, labels=labels)
    assert "sum to 1" in out.skipped["roc_auc"]
    assert "log_loss" in out.metrics


def test_multiclass_per_class_table_and_curves_equal_sklearn():
    y, yp, proba, labels = _multi_data(kind="str", seed=5)
    w = np.random.default_rng(3).random(len(y))
    out = evaluate_classifier(y, yp, proba, labels=labels, sample_weight=w)
    table = out.tables["per_class_metrics"]
    assert table.columns == ["positive_class", "true_negatives", "false_positives",
                             "false_negatives", "true_positives", "example_count",
                             "accuracy_score", "recall_score", "precision_score", "f1_score",
                             "roc_auc", "precision_recall_auc"]
    for c, (label, row) in enumerate(zip(labels, table.rows)):
        yb, pb = (y == label).astype(int), (yp == label).astype(int)
        tn, fp, fn, tp = skm.confusion_matrix(yb, pb, labels=[0, 1]).ravel()
        assert row["positive_class"] == label
        assert (row["true_negatives"], row["false_positives"], row["false_negatives"],
                row["true_positives"], row["example_count"]) == (tn, fp, fn, tp, len(y))
        close(row["accuracy_score"], skm.accuracy_score(yb, pb, sample_weight=w))
        close(row["recall_score"], skm.recall_score(yb, pb, sample_weight=w))
        close(row["precision_score"], skm.precision_score(yb, pb, sample_weight=w))
        close(row["f1_score"], skm.f1_score(yb, pb, sample_weight=w))
        close(row["roc_auc"], skm.roc_auc_score(yb, proba[:, c], sample_weight=w))
        close(row["precision_recall_auc"],
              skm.average_precision_score(yb, proba[:, c], sample_weight=w))
    kinds = [(c.kind, c.label) for c in out.curves]
    for label in labels:
        assert ("roc", label) in kinds and ("precision_recall", label) in kinds
        assert ("calibration", label) in kinds
    micro = next(c for c in out.curves if c.kind == "roc" and c.label == "micro")
    close(micro.auc, skm.roc_auc_score(y, proba, average="micro", multi_class="ovr",
                                       sample_weight=w))
    micro_pr = next(c for c in out.curves if c.kind == "precision_recall"
                    and c.label == "micro")
    onehot = (np.asarray(y)[:, None] == np.array(labels)[None, :]).astype(int)
    close(micro_pr.average_precision, skm.average_precision_score(
        onehot, proba, average="micro", sample_weight=w))
    macro = next(c for c in out.curves if c.kind == "roc" and c.label == "macro")
    close(macro.auc, skm.roc_auc_score(y, proba, average="macro", multi_class="ovr",
                                       sample_weight=w))
    assert macro.fpr[0] == 0 and macro.fpr[-1] == 1 and macro.tpr[-1] == 1
    cm = out.tables["confusion_matrix"]
    assert cm.labels == labels
    np.testing.assert_array_equal(cm.matrix, skm.confusion_matrix(y, yp, labels=labels))
    np.testing.assert_allclose(cm.weighted, skm.confusion_matrix(
        y, yp, labels=labels, sample_weight=w), rtol=RTOL)
    np.testing.assert_allclose(cm.normalized(), skm.confusion_matrix(
        y, yp, labels=labels, sample_weight=w, normalize="true"), rtol=1e-12)


def test_multiclass_beyond_max_classes_skips_curves_with_a_reason():
    y, yp, proba, labels = _multi_data(n=500, k=5, seed=2)
    out = evaluate_classifier(y, yp, proba, labels=labels,
                              max_classes_for_multiclass_roc_pr=4)
    assert out.curves == []
    assert "more than max_classes_for_multiclass_roc_pr=4" in out.skipped["roc_curve"]
    assert "roc_auc" not in out.tables["per_class_metrics"].columns
    assert "roc_auc" in out.metrics  # the metric itself is still computed, as in MLflow


def test_outcome_is_plain_data():
    out = evaluate_classifier([0, 1], [0, 1], [0.1, 0.9], labels=[0, 1])
    assert isinstance(out, ClassifierOutcome)
    assert all(isinstance(v, (int, float)) for v in out.metrics.values())


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize("kwargs, message", [
    (dict(y_true=[0, 1, 1], y_pred=[0, 1]), "y_true has 3 rows but y_pred has 2"),
    (dict(y_true=[0.0, np.nan, 1.0], y_pred=[0, 1, 1]),
     "y_true (the targets) holds 1 missing value(s) (NaN or None), first at row 1"),
    (dict(y_true=["a", None, "b"], y_pred=["a", "a", "b"], labels=["a", "b"]),
     "y_true (the targets) holds 1 missing value(s)"),
    (dict(y_true=[0, 1, 1], y_pred=[0, 1, 1], y_score=[[0.2, 0.8]] * 3, labels=[0, 1, 2]),
     "y_score has shape (3, 2), expected (3, 3)"),
    (dict(y_true=[0, 1, 1], y_pred=[0, 1, 1], y_score=[0.1, 0.2]),
     "y_score has shape (2,), expected (3,) or (3, 2)"),
    (dict(y_true=[0, 1, 1], y_pred=[0, 1, 1], y_score=[0.1, np.nan, 0.3]),
     "y_score holds NaN or infinite values in 1 row(s), first at row 1"),
    (dict(y_true=[0, 1, 2], y_pred=[0, 1, 1], labels=[0, 1]),
     "y_true (the targets) holds label(s) [2] that are not in labels [0, 1]"),
    (dict(y_true=[0, 0], y_pred=[0, 0], labels=[0]),
     "must contain at least two unique labels, but only 1 unique labels were found"),
    (dict(y_true=[0, 1], y_pred=[0, 1], pos_label=3),
     "'pos_label' 3 must exist in 'label_list' [0, 1]"),
    (dict(y_true=[0, 1], y_pred=[0, 1], sample_weight=[1.0]),
     "sample_weight has 1 values but there are 2 rows"),
    (dict(y_true=[0, 1], y_pred=[0, 1], sample_weight=[1.0, np.inf]),
     "sample_weight holds NaN or infinite values"),
    (dict(y_true=[0, 1, 2], y_pred=[0, 1, 2], labels=[0, 1, 2], average="binary"),
     "average must be one of ['micro', 'macro', 'weighted']"),
    (dict(y_true=[], y_pred=[]), "There are no rows to evaluate"),
])
def test_bad_input_is_a_clear_workbench_exception(kwargs, message):
    kwargs.setdefault("labels", [0, 1])
    with pytest.raises(WorkbenchException, match=None) as info:
        evaluate_classifier(**kwargs)
    assert message in str(info.value)
    assert info.value.error_code == "INVALID_PARAMETER_VALUE"


def test_score_columns_follow_the_labels_in_the_order_given():
    y, yp, proba, labels = _multi_data(n=300, k=3, seed=4, kind="str")
    expected = evaluate_classifier(y, yp, proba, labels=labels)
    shuffled = evaluate_classifier(y, yp, proba[:, [2, 0, 1]],
                                   labels=[labels[2], labels[0], labels[1]])
    assert shuffled.metrics == expected.metrics
    assert shuffled.tables["per_class_metrics"] == expected.tables["per_class_metrics"]


def test_bools_match_zero_one_labels_as_numpy_does():
    out = evaluate_classifier(np.array([False, True, True]), np.array([0, 1, 0]),
                              labels=[0, 1])
    assert out.metrics["true_positives"] == 1 and out.metrics["false_negatives"] == 1


def test_pandas_inputs_are_accepted():
    y, yp, score, _ = _binary_data(n=100)
    out = evaluate_classifier(pd.Series(y), pd.DataFrame({"p": yp}), pd.Series(score),
                              labels=[0, 1])
    close(out.metrics["roc_auc"], skm.roc_auc_score(y, score))
