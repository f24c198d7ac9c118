"""Oracle: evaluate_classifier equals MLflow 3.17.2's default-evaluator metric helpers.

MLflow is installed in the test environment (never imported by workbench). Its classifier
evaluator computes metrics in ``_get_binary_classifier_metrics``,
``_get_multiclass_classifier_metrics``, ``_gen_classifier_curve`` (roc_auc and
precision_recall_auc, i.e. average precision) and
``_get_classifier_per_class_metrics_collection_df``; these tests call them on the same arrays,
with the label list and positive class prepared as ``ClassifierEvaluator._validate_label_list``
prepares them, and compare names and values.
"""

import warnings

import numpy as np
import pandas as pd
import pytest
from mlflow.models.evaluation.evaluators.classifier import (
    _gen_classifier_curve,
    _get_binary_classifier_metrics,
    _get_classifier_per_class_metrics_collection_df,
    _get_multiclass_classifier_metrics,
)

from workbench.evaluation._classification import evaluate_classifier

RTOL = 1e-12


def _mlflow_label_list(y, y_pred, pos_label):
    """ClassifierEvaluator._validate_label_list for inferred labels."""
    label_list = np.unique(np.concatenate([y, y_pred]))
    label_list.sort()
    pos_index = 1
    if len(label_list) == 2:
        if pos_label is not None:
            pos_index = int(np.where(label_list == pos_label)[0][0])
            label_list = np.append(np.delete(label_list, pos_index), pos_label)
        else:
            pos_label = label_list[-1]
    return label_list, pos_label, pos_index


def _mlflow_binary(y, y_pred, proba, pos_label, w):
    label_list, pos_label, pos_index = _mlflow_label_list(y, y_pred, pos_label)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        metrics = _get_binary_classifier_metrics(
            y_true=y, y_pred=y_pred, y_proba=proba, labels=label_list, pos_label=pos_label,
            sample_weights=w)
        for curve_type, name in (("roc", "roc_auc"), ("pr", "precision_recall_auc")):
            metrics[name] = _gen_classifier_curve(
                is_binomial=True, y=y, y_probs=proba[:, pos_index], labels=label_list,
                pos_label=pos_label, curve_type=curve_type, sample_weights=w).auc
    return metrics


def _data(kind, n=2000, seed=0):
    rng = np.random.default_rng(seed)
    y01 = rng.random(n) < 0.4
    p1 = np.clip(0.3 * y01 + rng.normal(0.35, 0.2, n), 0, 1)
    pred01 = p1 > 0.5
    values = {"int": np.array([0, 1]), "bool": np.array([False, True]),
              "str": np.array(["churn", "stay"])}[kind]
    return values[y01.astype(int)], values[pred01.astype(int)], p1, values


@pytest.mark.parametrize("kind", ["int", "bool", "str"])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("use_pos_label", [False, True])
def test_binary_equals_mlflow(kind, weighted, use_pos_label):
    y, yp, p1, values = _data(kind, seed=3)
    w = np.random.default_rng(4).random(len(y)) if weighted else None
    pos_label = values[0] if use_pos_label else None
    pos = values[0] if use_pos_label else values[1]
    # predict_proba's columns follow the sorted labels
    proba = np.column_stack([1 - p1, p1])
    expected = _mlflow_binary(y, yp, proba, pos_label, w)
    pos_score = proba[:, list(values).index(pos)]
    ours = evaluate_classifier(y, yp, pos_score, labels=list(values), pos_label=pos_label,
                               sample_weight=w)
    also = evaluate_classifier(y, yp, proba, labels=list(values), pos_label=pos_label,
                               sample_weight=w)
    assert set(expected) == {k for k in ours.metrics if k not in
                             ("ks_statistic", "brier_score_loss",
                              "expected_calibration_error")}
    for name, value in expected.items():
        assert ours.metrics[name] == pytest.approx(float(value), rel=RTOL, abs=1e-15), name
        assert also.metrics[name] == pytest.approx(float(value), rel=RTOL, abs=1e-15), name


def test_binary_static_predictions_equal_mlflow_without_probabilities():
    y, yp, _, values = _data("str", seed=8)
    label_list, pos_label, _ = _mlflow_label_list(y, yp, None)
    expected = _get_binary_classifier_metrics(y_true=y, y_pred=yp, labels=label_list,
                                              pos_label=pos_label)
    ours = evaluate_classifier(y, yp, labels=list(values))
    assert list(ours.metrics) == list(expected)
    for name, value in expected.items():
        assert ours.metrics[name] == pytest.approx(float(value), rel=RTOL), name


def _multi(n=3000, k=4, seed=0, kind="int"):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, k, n)
    logits = rng.normal(size=(n, k))
    logits[np.arange(n), y] += 1.0
    proba = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    pred = proba.argmax(axis=1)
    if kind == "str":
        names = np.array(["bird", "cat", "dog", "fish", "horse", "owl"][:k])
        return names[y], names[pred], proba, list(names)
    return y, pred, proba, list(range(k))


@pytest.mark.parametrize("average", ["weighted", "macro", "micro"])
@pytest.mark.parametrize("weighted", [False, True])
def test_multiclass_equals_mlflow(average, weighted):
    y, yp, proba, labels = _multi(seed=5, kind="str")
    w = np.random.default_rng(6).random(len(y)) if weighted else None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = _get_multiclass_classifier_metrics(
            y_true=y, y_pred=yp, y_proba=proba, labels=np.array(labels), average=average,
            sample_weights=w)
    ours = evaluate_classifier(y, yp, proba, labels=labels, average=average, sample_weight=w)
    assert list(ours.metrics) == list(expected)
    for name, value in expected.items():
        assert ours.metrics[name] == pytest.approx(float(value), rel=RTOL), name


@pytest.mark.parametrize("weighted", [False, True])
def test_per_class_metrics_equal_mlflow(weighted):
    y, yp, proba, labels = _multi(seed=7, k=5)
    w = np.random.default_rng(8).random(len(y)) if weighted else None
    label_list = np.array(labels)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = _get_classifier_per_class_metrics_collection_df(
            y=y, y_pred=yp, labels=label_list, sample_weights=w)
        for curve_type, column in (("roc", "roc_auc"), ("pr", "precision_recall_auc")):
            expected[column] = _gen_classifier_curve(
                is_binomial=False, y=y, y_probs=proba, labels=label_list, pos_label=None,
                curve_type=curve_type, sample_weights=w).auc
    ours = evaluate_classifier(y, yp, proba, labels=labels, sample_weight=w)
    frame = ours.tables["per_class_metrics"].to_frame()
    assert list(frame.columns) == list(expected.columns)
    expected["positive_class"] = expected["positive_class"].astype(str)
    pd.testing.assert_frame_equal(frame, expected, check_dtype=False, rtol=RTOL)


def test_multiclass_confusion_matrix_matches_mlflow_normalised_plot_data():
    from sklearn import metrics as sk_metrics

    y, yp, proba, labels = _multi(seed=9)
    w = np.random.default_rng(1).random(len(y))
    ours = evaluate_classifier(y, yp, proba, labels=labels, sample_weight=w)
    # ClassifierEvaluator._log_confusion_matrix
    expected = sk_metrics.confusion_matrix(y, yp, labels=np.array(labels), normalize="true",
                                           sample_weight=w)
    np.testing.assert_allclose(ours.tables["confusion_matrix"].normalized(), expected,
                               rtol=RTOL)
