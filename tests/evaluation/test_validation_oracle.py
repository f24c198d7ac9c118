"""Oracle: validate_evaluation_results accepts and refuses exactly as MLflow 3.17.2's,
with the same message lines, and MetricThreshold refuses the same arguments with the same
messages. MLflow is installed in the test environment; these tests always run.
"""

import decimal
import itertools
import os
import random

import mlflow.models
import pytest
from mlflow.exceptions import MlflowException
from mlflow.models.evaluation import validation as mlv

from workbench._exceptions import WorkbenchException
from workbench.evaluation._result import EvaluationResult
from workbench.evaluation._validation import (
    MetricThreshold,
    MetricThresholdClassException,
    ModelValidationFailedException,
    validate_evaluation_results,
)

VALUES = [0, 0.0, 1, -1.0, 0.1, 0.2, 0.3, 0.5, 0.8, 0.85, 0.9, 1.0, 1.05, 1.1, 2, -0.5, -0.4,
          -0.6, 1e-11, 1e-9, -1e-9, 10, 12.5, 0.30000000000000004]
THRESHOLD_KWARGS = [
    {"threshold": 0.8},
    {"threshold": 1},
    {"threshold": 0},
    {"min_absolute_change": 0.1},
    {"min_absolute_change": 1},
    {"min_absolute_change": 0.05},
    {"min_relative_change": 0.1},
    {"min_relative_change": 0.05},
    {"min_relative_change": 0.0},
    {"min_relative_change": 1.0},
    {"threshold": 0.8, "min_absolute_change": 0.05},
    {"threshold": 0.5, "min_relative_change": 0.1},
    {"min_absolute_change": 0.1, "min_relative_change": 0.2},
    {"threshold": 0.9, "min_absolute_change": 0.05, "min_relative_change": 0.05},
]


def run_both(spec, candidate, baseline):
    """Run ours and MLflow's on the same case; return (ours, theirs) as None or lines."""
    ours_t = {name: MetricThreshold(**kw) for name, kw in spec.items()}
    theirs_t = {name: mlv.MetricThreshold(**kw) for name, kw in spec.items()}
    outcomes = []
    for validate, thresholds, make, failed in (
        (validate_evaluation_results, ours_t, EvaluationResult, ModelValidationFailedException),
        (mlv.validate_evaluation_results, theirs_t, mlflow.models.EvaluationResult,
         mlv.ModelValidationFailedException),
    ):
        try:
            validate(thresholds, make(candidate, {}),
                     make(baseline, {}) if baseline is not None else None)
            outcomes.append(None)
        except failed as err:
            assert err.error_code == "BAD_REQUEST"
            outcomes.append(err.message.split(os.linesep))
    return outcomes


def corpus(n=600, seed=7):
    rng = random.Random(seed)
    cases = []
    # Every single-metric gate against every (candidate, baseline) pair of a small grid.
    small = [0.0, 0.3, 0.8, 0.9, 1.0, -0.5, 1e-11]
    for kw, gib, c, b in itertools.product(THRESHOLD_KWARGS, (True, False), small, small):
        cases.append(({"m": {**kw, "greater_is_better": gib}}, {"m": c}, {"m": b}))
    # Several metrics at once, some missing from the candidate, baseline full or absent.
    for _ in range(n):
        names = rng.sample(["accuracy_score", "f1_score", "log_loss", "r2_score", "mae"],
                           rng.randint(1, 4))
        spec = {name: {**rng.choice(THRESHOLD_KWARGS), "greater_is_better": rng.random() < 0.5}
                for name in names}
        candidate = {name: rng.choice(VALUES) for name in names if rng.random() < 0.9}
        candidate["other"] = 1.0
        if rng.random() < 0.25:
            baseline = None
        else:
            baseline = {name: rng.choice(VALUES) for name in names}
            if rng.random() < 0.5:
                for name in names:  # equal to the candidate: the strict edges
                    if name in candidate:
                        baseline[name] = candidate[name]
        cases.append((spec, candidate, baseline))
    return cases


def mlflow_would_crash(spec, candidate, baseline):
    """The cases where MLflow 3.17.2 raises a Python error instead of reporting (the
    documented departures, tested below)."""
    for name, kw in spec.items():
        if name not in candidate:
            continue
        if baseline is None and kw.get("min_relative_change") == 0.0 and not kw.get(
                "min_absolute_change"):
            return True  # TypeError: float - None
    return False


CASES = [case for case in corpus() if not mlflow_would_crash(*case)]


def test_corpus_is_substantial():
    outcomes = [run_both(*case) for case in CASES[::5]]
    assert len(CASES) > 1000
    # The corpus exercises passes and failures of every kind of line.
    assert any(o[1] is None for o in outcomes)
    text = " ".join(" ".join(o[1]) for o in outcomes if o[1])
    for fragment in ("value threshold check failed", "minimum absolute change check failed",
                     "minimum relative change check failed", "missing from the evaluation "
                     "result of the candidate", "missing from the evaluation result of the "
                     "baseline"):
        assert fragment in text


@pytest.mark.parametrize("index", range(0, len(CASES), 50))
def test_same_outcome_and_messages_as_mlflow(index):
    for case in CASES[index:index + 50]:
        ours, theirs = run_both(*case)
        assert ours == theirs, case


@pytest.mark.parametrize(
    "kwargs",
    [
        {"threshold": "0.8", "greater_is_better": True},
        {"threshold": True, "greater_is_better": True},
        {"min_absolute_change": 0, "greater_is_better": True},
        {"min_absolute_change": -1, "greater_is_better": True},
        {"min_relative_change": 1, "greater_is_better": True},
        {"min_relative_change": -0.1, "greater_is_better": True},
        {"min_relative_change": 1.01, "greater_is_better": True},
        {"threshold": 0.8},
        {"threshold": 0.8, "greater_is_better": 1},
        {"greater_is_better": False},
        {},
    ],
)
def test_metric_threshold_refusals_match_mlflow(kwargs):
    with pytest.raises(MlflowException) as theirs:
        mlv.MetricThreshold(**kwargs)
    with pytest.raises(MetricThresholdClassException) as ours:
        MetricThreshold(**kwargs)
    assert ours.value.message == theirs.value.message
    assert ours.value.error_code == theirs.value.error_code


def test_str_matches_mlflow():
    for kw in THRESHOLD_KWARGS:
        for gib in (True, False):
            assert str(MetricThreshold(**kw, greater_is_better=gib)) == str(
                mlv.MetricThreshold(**kw, greater_is_better=gib))


def test_thresholds_argument_refusal_matches_mlflow():
    with pytest.raises(MlflowException) as theirs:
        mlv.validate_evaluation_results({"a": 0.5}, mlflow.models.EvaluationResult({}, {}))
    with pytest.raises(WorkbenchException) as ours:
        validate_evaluation_results({"a": 0.5}, EvaluationResult({}, {}))
    assert ours.value.message == theirs.value.message
    assert ours.value.error_code == theirs.value.error_code


# ------------------------------------------------------- documented departures


def test_departure_metric_missing_from_non_empty_baseline():
    spec = {"a": {"threshold": 0.5, "greater_is_better": True},
            "b": {"min_absolute_change": 0.1, "greater_is_better": True}}
    candidate, baseline = {"a": 1.0, "b": 1.0}, {"b": 0.5}
    with pytest.raises(KeyError):  # MLflow reads baseline["a"] for a threshold-only gate
        run_both(spec, candidate, baseline)
    validate_evaluation_results({k: MetricThreshold(**v) for k, v in spec.items()},
                                EvaluationResult(candidate, {}), EvaluationResult(baseline, {}))
    with pytest.raises(ModelValidationFailedException) as ours:
        validate_evaluation_results(
            {"b": MetricThreshold(min_absolute_change=0.1, greater_is_better=True)},
            EvaluationResult(candidate, {}), EvaluationResult({"a": 1.0}, {}))
    assert ours.value.message == ("Model comparison failed: metric b was missing from the "
                                  "evaluation result of the baseline model.")


def test_departure_zero_relative_change_without_baseline():
    spec = {"a": {"min_relative_change": 0.0, "greater_is_better": True}}
    with pytest.raises(TypeError):
        mlv.validate_evaluation_results({"a": mlv.MetricThreshold(**spec["a"])},
                                        mlflow.models.EvaluationResult({"a": 1.0}, {}))
    with pytest.raises(ModelValidationFailedException, match="missing from the evaluation "
                       "result of the baseline model"):
        validate_evaluation_results({"a": MetricThreshold(**spec["a"])},
                                    EvaluationResult({"a": 1.0}, {}))


def test_departure_nan_values():
    nan = float("nan")
    with pytest.raises(decimal.InvalidOperation):
        mlv.validate_evaluation_results(
            {"a": mlv.MetricThreshold(min_absolute_change=0.1, greater_is_better=True)},
            mlflow.models.EvaluationResult({"a": nan}, {}),
            mlflow.models.EvaluationResult({"a": 1.0}, {}))
    # MLflow passes a NaN candidate through the relative-change check.
    mlv.validate_evaluation_results(
        {"a": mlv.MetricThreshold(min_relative_change=0.1, greater_is_better=True)},
        mlflow.models.EvaluationResult({"a": nan}, {}),
        mlflow.models.EvaluationResult({"a": 1.0}, {}))
    for kw in ({"min_absolute_change": 0.1}, {"min_relative_change": 0.1}):
        with pytest.raises(ModelValidationFailedException) as ours:
            validate_evaluation_results(
                {"a": MetricThreshold(**kw, greater_is_better=True)},
                EvaluationResult({"a": nan}, {}), EvaluationResult({"a": 1.0}, {}))
        assert "candidate model a = nan, baseline model a = 1.0" in ours.value.message
    # The threshold check fails on NaN in both.
    assert run_both({"a": {"threshold": 0.5, "greater_is_better": True}}, {"a": nan}, None)[0] == \
        run_both({"a": {"threshold": 0.5, "greater_is_better": True}}, {"a": nan}, None)[1]
