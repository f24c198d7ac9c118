"""MetricThreshold and validate_evaluation_results: MLflow 3.17.2's rules and messages.

The seed's MetricThreshold reference with ``mlflow`` replaced by ``workbench``; every
message is pinned. test_validation_oracle.py checks the same against MLflow itself.
"""

import logging
import os

import numpy as np
import pytest

from workbench._exceptions import WorkbenchException
from workbench.evaluation._result import EvaluationResult
from workbench.evaluation._validation import (
    MetricThreshold,
    MetricThresholdClassException,
    ModelValidationFailedException,
    validate_evaluation_results,
)

PREFIX = "Could not instantiate MetricThreshold class: "


def result(**metrics):
    return EvaluationResult(metrics, {})


# ----------------------------------------------------------------- MetricThreshold


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"threshold": "0.8", "greater_is_better": True}, "`threshold` parameter must be a number."),
        ({"threshold": True, "greater_is_better": True}, "`threshold` parameter must be a number."),
        ({"threshold": [1], "greater_is_better": True}, "`threshold` parameter must be a number."),
        ({"min_absolute_change": 0, "greater_is_better": True},
         "`min_absolute_change` parameter must be a positive number."),
        ({"min_absolute_change": -0.5, "greater_is_better": True},
         "`min_absolute_change` parameter must be a positive number."),
        ({"min_absolute_change": "1", "greater_is_better": True},
         "`min_absolute_change` parameter must be a positive number."),
        ({"min_relative_change": 1, "greater_is_better": True},
         "`min_relative_change` parameter must be a floating point number."),
        ({"min_relative_change": -0.1, "greater_is_better": True},
         "`min_relative_change` parameter must be between 0 and 1."),
        ({"min_relative_change": 1.5, "greater_is_better": True},
         "`min_relative_change` parameter must be between 0 and 1."),
        ({"min_relative_change": float("nan"), "greater_is_better": True},
         "`min_relative_change` parameter must be between 0 and 1."),
        ({"threshold": 0.8}, "`greater_is_better` parameter must be defined."),
        ({"threshold": 0.8, "greater_is_better": 1}, "`greater_is_better` parameter must be a boolean."),
        ({"threshold": 0.8, "greater_is_better": "yes"},
         "`greater_is_better` parameter must be a boolean."),
        ({"greater_is_better": True}, "no threshold was specified."),
    ],
)
def test_metric_threshold_argument_checks(kwargs, message):
    with pytest.raises(MetricThresholdClassException) as info:
        MetricThreshold(**kwargs)
    assert str(info.value) == PREFIX + message
    assert info.value.error_code == "INVALID_PARAMETER_VALUE"
    assert isinstance(info.value, WorkbenchException)


def test_metric_threshold_properties_and_str():
    t = MetricThreshold(threshold=0.8, min_absolute_change=0.05, min_relative_change=0.05,
                        greater_is_better=True)
    assert (t.threshold, t.min_absolute_change, t.min_relative_change, t.greater_is_better) == (
        0.8, 0.05, 0.05, True)
    assert str(t) == ("Threshold: 0.8. Minimum Absolute Change: 0.05. Minimum Relative Change: "
                      "0.05. Greater value is better.")
    assert str(MetricThreshold(threshold=1, greater_is_better=False)) == (
        "Threshold: 1. Lower value is better.")
    assert repr(t) == ("MetricThreshold(threshold=0.8, min_absolute_change=0.05, "
                       "min_relative_change=0.05, greater_is_better=True)")
    assert t == MetricThreshold(threshold=0.8, min_absolute_change=0.05,
                                min_relative_change=0.05, greater_is_better=True)
    assert t.to_dict() == {"threshold": 0.8, "min_absolute_change": 0.05,
                           "min_relative_change": 0.05, "greater_is_better": True}


def test_higher_is_better_is_a_deprecated_alias():
    with pytest.warns(FutureWarning, match=r"MetricThreshold\(higher_is_better=\.\.\.\) is deprecated; use greater_is_better"):
        t = MetricThreshold(threshold=0.5, higher_is_better=False)
    assert t.greater_is_better is False
    with pytest.warns(FutureWarning, match="higher_is_better is deprecated"):
        assert t.higher_is_better is False
    with pytest.warns(FutureWarning), pytest.raises(MetricThresholdClassException) as info:
        MetricThreshold(threshold=0.5, greater_is_better=True, higher_is_better=True)
    assert str(info.value) == PREFIX + (
        "`higher_is_better` parameter must be None when `greater_is_better` is defined.")
    with pytest.warns(FutureWarning), pytest.raises(MetricThresholdClassException,
                                                   match="must be a boolean"):
        MetricThreshold(threshold=0.5, higher_is_better=1)


def test_numpy_numbers_are_accepted():
    # MLflow refuses np.float32(0.8) ("must be a number"); workbench accepts numpy numbers.
    t = MetricThreshold(threshold=np.float32(0.5), min_absolute_change=np.int64(1),
                        min_relative_change=np.float64(0.1), greater_is_better=True)
    assert t.threshold == np.float32(0.5)
    with pytest.raises(MetricThresholdClassException, match="must be a number"):
        MetricThreshold(threshold=np.bool_(True), greater_is_better=True)


# ----------------------------------------------------------------- validation


def test_thresholds_argument_is_checked():
    message = ("The validation thresholds argument must be a dictionary that maps strings "
               "to MetricThreshold objects.")
    good = MetricThreshold(threshold=0.5, greater_is_better=True)
    for bad in ([("a", good)], {1: good}, {"a": 0.5}, {"a": {"threshold": 0.5}}):
        with pytest.raises(WorkbenchException) as info:
            validate_evaluation_results(bad, result(a=1.0))
        assert str(info.value) == message
        assert info.value.error_code == "INVALID_PARAMETER_VALUE"
        assert not isinstance(info.value, ModelValidationFailedException)


def test_candidate_must_have_metrics():
    with pytest.raises(WorkbenchException, match="candidate_result must be an EvaluationResult"):
        validate_evaluation_results({}, {"a": 1.0})


def test_passes_return_none():
    thresholds = {
        "accuracy_score": MetricThreshold(threshold=0.8, min_absolute_change=0.05,
                                          min_relative_change=0.05, greater_is_better=True),
        "log_loss": MetricThreshold(threshold=0.5, min_absolute_change=0.01,
                                    min_relative_change=0.1, greater_is_better=False),
    }
    candidate = result(accuracy_score=0.95, log_loss=0.3)
    baseline = result(accuracy_score=0.85, log_loss=0.4)
    assert validate_evaluation_results(thresholds, candidate, baseline) is None
    # Threshold at equality passes (>=, <=).
    assert validate_evaluation_results(
        {"a": MetricThreshold(threshold=0.8, greater_is_better=True)}, result(a=0.8)) is None
    assert validate_evaluation_results(
        {"a": MetricThreshold(threshold=0.8, greater_is_better=False)}, result(a=0.8)) is None
    # No thresholds: nothing to check.
    assert validate_evaluation_results({}, result()) is None


def _failure(thresholds, candidate, baseline=None):
    with pytest.raises(ModelValidationFailedException) as info:
        validate_evaluation_results(thresholds, candidate, baseline)
    assert info.value.error_code == "BAD_REQUEST"
    assert isinstance(info.value, WorkbenchException)
    return str(info.value).split(os.linesep)


def test_threshold_failure_message():
    lines = _failure({"accuracy_score": MetricThreshold(threshold=0.9, greater_is_better=True)},
                     result(accuracy_score=0.85))
    assert lines == ["Metric accuracy_score value threshold check failed: candidate model "
                     "accuracy_score = 0.85, accuracy_score threshold = 0.9."]
    lines = _failure({"mean_squared_error": MetricThreshold(threshold=1, greater_is_better=False)},
                     result(mean_squared_error=1.5))
    assert lines == ["Metric mean_squared_error value threshold check failed: candidate model "
                     "mean_squared_error = 1.5, mean_squared_error threshold = 1."]


def test_absolute_change_failure_message():
    lines = _failure({"f1_score": MetricThreshold(min_absolute_change=0.05, greater_is_better=True)},
                     result(f1_score=0.82), result(f1_score=0.8))
    assert lines == ["Metric f1_score minimum absolute change check failed: candidate model "
                     "f1_score = 0.82, baseline model f1_score = 0.8, f1_score minimum absolute "
                     "change threshold = 0.05."]
    # Float arithmetic, exact comparison: 0.2 + 0.1 > 0.3, so 0.3 fails (as in MLflow).
    _failure({"a": MetricThreshold(min_absolute_change=0.1, greater_is_better=True)},
             result(a=0.3), result(a=0.2))
    # Lower is better: candidate <= baseline - change.
    validate_evaluation_results(
        {"a": MetricThreshold(min_absolute_change=0.5, greater_is_better=False)},
        result(a=1.0), result(a=1.5))
    _failure({"a": MetricThreshold(min_absolute_change=0.5, greater_is_better=False)},
             result(a=1.1), result(a=1.5))


def test_relative_change_rules():
    t_up = {"a": MetricThreshold(min_relative_change=0.1, greater_is_better=True)}
    t_down = {"a": MetricThreshold(min_relative_change=0.1, greater_is_better=False)}
    validate_evaluation_results(t_up, result(a=1.1), result(a=1.0))
    lines = _failure(t_up, result(a=1.05), result(a=1.0))
    assert lines == ["Metric a minimum relative change check failed: candidate model a = 1.05, "
                     "baseline model a = 1.0, a minimum relative change threshold = 0.1."]
    validate_evaluation_results(t_down, result(a=0.85), result(a=1.0))
    _failure(t_down, result(a=0.95), result(a=1.0))
    # (1.0 - 0.9) / 1.0 is 0.09999999999999998 in floats: below 0.1, so it fails (as in MLflow).
    _failure(t_down, result(a=0.9), result(a=1.0))
    # Negative baseline (an R2 below 0): the change is relative to |baseline|.
    validate_evaluation_results(t_up, result(a=-0.4), result(a=-0.5))
    _failure(t_up, result(a=-0.6), result(a=-0.5))
    validate_evaluation_results(t_down, result(a=-0.6), result(a=-0.5))


def test_zero_baseline_falls_back_to_strictly_better(caplog):
    t_up = {"a": MetricThreshold(min_relative_change=0.5, greater_is_better=True)}
    t_down = {"a": MetricThreshold(min_relative_change=0.5, greater_is_better=False)}
    with caplog.at_level(logging.WARNING, logger="workbench.evaluation"):
        validate_evaluation_results(t_up, result(a=1e-9), result(a=0.0))
    assert ("Cannot perform relative model comparison for metric a as baseline metric value "
            "is 0. Falling back to simple comparison") in caplog.text
    lines = _failure(t_up, result(a=1e-11), result(a=0))
    assert lines == ["Metric a minimum relative change check failed: candidate model a = 1e-11, "
                     "baseline model a = 0, a minimum relative change threshold = 0.5."]
    _failure(t_up, result(a=0.0), result(a=0.0))
    validate_evaluation_results(t_down, result(a=-1e-9), result(a=0.0))
    _failure(t_down, result(a=0.0), result(a=0.0))


def test_missing_metrics_messages():
    lines = _failure({"roc_auc": MetricThreshold(threshold=0.5, greater_is_better=True)},
                     result(accuracy_score=1.0))
    assert lines == ["Metric validation failed: metric roc_auc was missing from the evaluation "
                     "result of the candidate model."]
    lines = _failure({"a": MetricThreshold(min_absolute_change=0.1, greater_is_better=True)},
                     result(a=1.0))
    assert lines == ["Model comparison failed: metric a was missing from the evaluation result "
                     "of the baseline model."]
    # Threshold failure and missing baseline on one line, joined by a space.
    lines = _failure({"a": MetricThreshold(threshold=2, min_relative_change=0.1,
                                           greater_is_better=True)},
                     result(a=1.0), result(b=1.0))
    assert lines == ["Metric a value threshold check failed: candidate model a = 1.0, a threshold "
                     "= 2. Model comparison failed: metric a was missing from the evaluation "
                     "result of the baseline model."]
    # A threshold-only gate does not need the metric in the baseline (MLflow: KeyError).
    validate_evaluation_results({"a": MetricThreshold(threshold=0.5, greater_is_better=True)},
                                result(a=1.0), result(b=1.0))
    # min_relative_change=0.0 with no baseline (MLflow: TypeError).
    lines = _failure({"a": MetricThreshold(min_relative_change=0.0, greater_is_better=True)},
                     result(a=1.0))
    assert lines == ["Model comparison failed: metric a was missing from the evaluation result "
                     "of the baseline model."]


def test_every_failed_metric_is_listed_in_order():
    thresholds = {
        "accuracy_score": MetricThreshold(threshold=0.9, min_absolute_change=0.05,
                                          min_relative_change=0.1, greater_is_better=True),
        "ok": MetricThreshold(threshold=0.0, greater_is_better=True),
        "log_loss": MetricThreshold(threshold=0.3, greater_is_better=False),
        "missing": MetricThreshold(threshold=0.3, greater_is_better=False),
    }
    lines = _failure(thresholds, result(accuracy_score=0.8, ok=1.0, log_loss=0.5),
                     result(accuracy_score=0.79, ok=1.0, log_loss=0.5, missing=0.1))
    assert lines == [
        "Metric accuracy_score value threshold check failed: candidate model accuracy_score = "
        "0.8, accuracy_score threshold = 0.9. Metric accuracy_score minimum absolute change "
        "check failed: candidate model accuracy_score = 0.8, baseline model accuracy_score = "
        "0.79, accuracy_score minimum absolute change threshold = 0.05. Metric accuracy_score "
        "minimum relative change check failed: candidate model accuracy_score = 0.8, baseline "
        "model accuracy_score = 0.79, accuracy_score minimum relative change threshold = 0.1.",
        "Metric log_loss value threshold check failed: candidate model log_loss = 0.5, "
        "log_loss threshold = 0.3.",
        "Metric validation failed: metric missing was missing from the evaluation result of "
        "the candidate model.",
    ]


def test_nan_and_non_numbers_fail_instead_of_crashing():
    nan = float("nan")
    for t in (MetricThreshold(threshold=0.5, greater_is_better=True),
              MetricThreshold(min_absolute_change=0.1, greater_is_better=True),
              MetricThreshold(min_relative_change=0.1, greater_is_better=True),
              MetricThreshold(min_relative_change=0.1, greater_is_better=False)):
        _failure({"a": t}, result(a=nan), result(a=1.0))
        _failure({"a": t}, result(a=None), result(a=1.0))
    _failure({"a": MetricThreshold(min_absolute_change=0.1, greater_is_better=True)},
             result(a=1.0), result(a=nan))
    _failure({"a": MetricThreshold(min_relative_change=0.1, greater_is_better=True)},
             result(a=1.0), result(a="x"))


def test_integer_and_numpy_metric_values():
    t = {"true_positives": MetricThreshold(threshold=10, min_absolute_change=2,
                                           greater_is_better=True)}
    validate_evaluation_results(t, result(true_positives=np.int64(12)),
                                result(true_positives=10))
    lines = _failure(t, result(true_positives=np.float32(11.0)), result(true_positives=10))
    assert lines == ["Metric true_positives minimum absolute change check failed: candidate "
                     "model true_positives = 11.0, baseline model true_positives = 10, "
                     "true_positives minimum absolute change threshold = 2."]


def test_any_object_with_metrics_is_accepted():
    class Plain:
        metrics = {"a": 1.0}

    validate_evaluation_results({"a": MetricThreshold(threshold=0.5, greater_is_better=True)},
                                Plain(), Plain())
