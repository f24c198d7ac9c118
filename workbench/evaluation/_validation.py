"""Model validation: :class:`MetricThreshold` and :func:`validate_evaluation_results`.

The rules and messages are MLflow 3.17.2's (``mlflow.models.evaluation.validation``), so
that a gate written for MLflow behaves the same here with ``mlflow`` replaced by
``workbench``. For each metric named in ``validation_thresholds``:

* ``threshold``: the candidate's value must be ``>= threshold`` (greater is better) or
  ``<= threshold`` (lower is better);
* ``min_absolute_change``: the candidate must beat the baseline by at least that much,
  ``candidate >= baseline + change`` or ``candidate <= baseline - change``;
* ``min_relative_change``: the change relative to the magnitude of the baseline,
  ``(candidate - baseline) / |baseline| >= change`` (or ``(baseline - candidate) /
  |baseline|`` when lower is better); when the baseline is exactly 0 the check falls back
  to "strictly better": ``candidate >= baseline + 1e-10`` (or ``<= baseline - 1e-10``).

Every failed metric is reported, one line each (joined with ``os.linesep``), in one
:class:`ModelValidationFailedException`.

Where MLflow 3.17.2 crashes instead of reporting, workbench reports (each pinned by a
test against MLflow):

* a metric missing from a non-empty baseline raises ``KeyError`` in MLflow (even for a
  gate with only ``threshold``); here a threshold-only gate ignores the baseline, and a
  comparison gets the "Model comparison failed: metric ... was missing from the
  evaluation result of the baseline model." line that MLflow prints for an empty baseline;
* ``min_relative_change=0.0`` with no baseline raises ``TypeError`` in MLflow; here it is
  the same "missing from the baseline" line;
* a NaN value (candidate or baseline) raises ``decimal.InvalidOperation`` in MLflow's
  absolute-change check and silently passes its relative-change check; here any check
  that involves NaN (or a value that is not a number) fails, with the usual line;
* numpy numbers (``np.float32(0.8)``) are accepted as thresholds; MLflow accepts only
  ``int`` and ``float`` objects (and ``min_relative_change`` only ``float``).

``higher_is_better`` is accepted as a deprecated alias of ``greater_is_better`` (as in
MLflow 2.3 to 2.x, the API in the seed); MLflow 3 removed it. It emits a ``FutureWarning``.
"""

from __future__ import annotations

import logging
import math
import numbers
import operator
import os
import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np

from workbench._exceptions import BAD_REQUEST, INVALID_PARAMETER_VALUE, WorkbenchException

__all__ = [
    "MetricThreshold",
    "MetricThresholdClassException",
    "ModelValidationFailedException",
    "validate_evaluation_results",
]

_logger = logging.getLogger("workbench.evaluation")

#: The margin of the "strictly better" fallback used when the baseline value is 0.
ZERO_BASELINE_MARGIN = 1e-10


class MetricThresholdClassException(WorkbenchException):
    """Raised when a :class:`MetricThreshold` is built with invalid arguments.

    The message starts with MLflow's ``"Could not instantiate MetricThreshold class: "``.
    """

    def __init__(self, _message: str, **kwargs: Any) -> None:
        message = "Could not instantiate MetricThreshold class: " + _message
        super().__init__(message, error_code=INVALID_PARAMETER_VALUE, **kwargs)


class ModelValidationFailedException(WorkbenchException):
    """Raised by :func:`validate_evaluation_results` when a threshold is not met.

    The message has one line per failed metric; ``error_code`` is ``"BAD_REQUEST"``
    (MLflow's).

    Examples
    --------
    >>> err = ModelValidationFailedException("Metric a value threshold check failed: ...")
    >>> err.error_code, err.get_http_status_code()
    ('BAD_REQUEST', 400)
    """

    def __init__(self, message: str, **kwargs: Any) -> None:
        super().__init__(message, error_code=BAD_REQUEST, **kwargs)


def _is_number(value: Any) -> bool:
    # bool is an int to Python but never a meaningful threshold (MLflow refuses it too).
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


class MetricThreshold:
    """A gate on one metric for :func:`validate_evaluation_results`.

    Parameters
    ----------
    threshold : int or float, optional
        The candidate's value must be ``>= threshold`` when greater is better, else
        ``<= threshold``.
    min_absolute_change : int or float, optional
        A positive number: the candidate must beat the baseline by at least this much.
    min_relative_change : float, optional
        Between 0 and 1: the candidate must beat the baseline by at least this fraction
        of ``|baseline|``. A baseline of exactly 0 falls back to "strictly better"
        (by 1e-10).
    greater_is_better : bool
        Required: whether a greater value of the metric is better.
    higher_is_better : bool, optional
        Deprecated alias of ``greater_is_better`` (``FutureWarning``).

    Raises
    ------
    MetricThresholdClassException
        With MLflow's messages, e.g. "`threshold` parameter must be a number.",
        "`greater_is_better` parameter must be defined.", "no threshold was specified.".

    Examples
    --------
    >>> t = MetricThreshold(threshold=0.8, min_relative_change=0.05, greater_is_better=True)
    >>> print(t)
    Threshold: 0.8. Minimum Relative Change: 0.05. Greater value is better.
    >>> MetricThreshold(threshold=0.8)
    Traceback (most recent call last):
    ...
    workbench.evaluation._validation.MetricThresholdClassException: Could not instantiate MetricThreshold class: `greater_is_better` parameter must be defined.
    """

    def __init__(
        self,
        threshold: float | None = None,
        min_absolute_change: float | None = None,
        min_relative_change: float | None = None,
        greater_is_better: bool | None = None,
        higher_is_better: bool | None = None,
    ) -> None:
        if threshold is not None and not _is_number(threshold):
            raise MetricThresholdClassException("`threshold` parameter must be a number.")
        if min_absolute_change is not None and (
            not _is_number(min_absolute_change) or not min_absolute_change > 0
        ):
            raise MetricThresholdClassException(
                "`min_absolute_change` parameter must be a positive number."
            )
        if min_relative_change is not None:
            if not isinstance(min_relative_change, (float, np.floating)):
                raise MetricThresholdClassException(
                    "`min_relative_change` parameter must be a floating point number."
                )
            if not 0 <= min_relative_change <= 1:  # also refuses NaN
                raise MetricThresholdClassException(
                    "`min_relative_change` parameter must be between 0 and 1."
                )
        if higher_is_better is not None:
            warnings.warn(
                "MetricThreshold(higher_is_better=...) is deprecated; use "
                "greater_is_better=... instead.",
                FutureWarning,
                stacklevel=2,
            )
            if greater_is_better is not None:
                raise MetricThresholdClassException(
                    "`higher_is_better` parameter must be None when `greater_is_better` is "
                    "defined."
                )
            greater_is_better = higher_is_better
        if greater_is_better is None:
            raise MetricThresholdClassException("`greater_is_better` parameter must be defined.")
        if not isinstance(greater_is_better, bool):
            raise MetricThresholdClassException("`greater_is_better` parameter must be a boolean.")
        if threshold is None and min_absolute_change is None and min_relative_change is None:
            raise MetricThresholdClassException("no threshold was specified.")
        self._threshold = threshold
        self._min_absolute_change = min_absolute_change
        self._min_relative_change = min_relative_change
        self._greater_is_better = greater_is_better

    @property
    def threshold(self) -> float | None:
        """The value threshold, or None."""
        return self._threshold

    @property
    def min_absolute_change(self) -> float | None:
        """The minimum absolute change over the baseline, or None."""
        return self._min_absolute_change

    @property
    def min_relative_change(self) -> float | None:
        """The minimum change over the baseline as a fraction of ``|baseline|``, or None."""
        return self._min_relative_change

    @property
    def greater_is_better(self) -> bool:
        """Whether a greater value of the metric is better."""
        return self._greater_is_better

    @property
    def higher_is_better(self) -> bool:
        """Deprecated alias of :attr:`greater_is_better` (``FutureWarning``)."""
        warnings.warn(
            "MetricThreshold.higher_is_better is deprecated; use greater_is_better instead.",
            FutureWarning,
            stacklevel=2,
        )
        return self._greater_is_better

    def to_dict(self) -> dict[str, Any]:
        """The four arguments as a JSON-able dict (for manifests and reports)."""
        return {
            "threshold": self._threshold,
            "min_absolute_change": self._min_absolute_change,
            "min_relative_change": self._min_relative_change,
            "greater_is_better": self._greater_is_better,
        }

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, MetricThreshold):
            return NotImplemented
        return self.to_dict() == other.to_dict()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.to_dict().items() if v is not None)
        return f"MetricThreshold({args})"

    def __str__(self) -> str:
        parts = []
        if self._threshold is not None:
            parts.append(f"Threshold: {self._threshold}.")
        if self._min_absolute_change is not None:
            parts.append(f"Minimum Absolute Change: {self._min_absolute_change}.")
        if self._min_relative_change is not None:
            parts.append(f"Minimum Relative Change: {self._min_relative_change}.")
        parts.append(
            "Greater value is better." if self._greater_is_better else "Lower value is better."
        )
        return " ".join(parts)


class _MetricCheck:
    """The outcome of the checks on one metric, and its line of the failure message."""

    def __init__(
        self, name: str, candidate: Any, threshold: MetricThreshold, baseline: Any
    ) -> None:
        self.name = name
        self.candidate = candidate
        self.baseline = baseline
        self.threshold = threshold
        self.missing_candidate = False
        self.missing_baseline = False
        self.threshold_failed = False
        self.min_absolute_change_failed = False
        self.min_relative_change_failed = False

    def is_success(self) -> bool:
        return not (
            self.missing_candidate
            or self.missing_baseline
            or self.threshold_failed
            or self.min_absolute_change_failed
            or self.min_relative_change_failed
        )

    def __str__(self) -> str:
        n = self.name
        if self.is_success():
            return f"Metric {n} passed the validation."
        if self.missing_candidate:
            return (
                f"Metric validation failed: metric {n} was missing from the evaluation result "
                f"of the candidate model."
            )
        lines = []
        if self.threshold_failed:
            lines.append(
                f"Metric {n} value threshold check failed: candidate model {n} = "
                f"{self.candidate}, {n} threshold = {self.threshold.threshold}."
            )
        if self.missing_baseline:
            lines.append(
                f"Model comparison failed: metric {n} was missing from the evaluation result "
                f"of the baseline model."
            )
        else:
            if self.min_absolute_change_failed:
                lines.append(
                    f"Metric {n} minimum absolute change check failed: candidate model {n} = "
                    f"{self.candidate}, baseline model {n} = {self.baseline}, {n} minimum "
                    f"absolute change threshold = {self.threshold.min_absolute_change}."
                )
            if self.min_relative_change_failed:
                lines.append(
                    f"Metric {n} minimum relative change check failed: candidate model {n} = "
                    f"{self.candidate}, baseline model {n} = {self.baseline}, {n} minimum "
                    f"relative change threshold = {self.threshold.min_relative_change}."
                )
        return " ".join(lines)


def _passes(compare: Any, left: Any, right: Any) -> bool:
    """``compare(left, right)`` on floats; anything that cannot be compared (NaN, None,
    a string) fails the check instead of raising."""
    try:
        left_f, right_f = float(left), float(right)
    except (TypeError, ValueError):
        return False
    if math.isnan(left_f) or math.isnan(right_f):
        return False
    return bool(compare(left_f, right_f))


def _check_metric(
    name: str,
    threshold: MetricThreshold,
    candidate_metrics: Mapping[str, Any],
    baseline_metrics: Mapping[str, Any],
) -> _MetricCheck:
    check = _MetricCheck(name, candidate_metrics.get(name), threshold, baseline_metrics.get(name))
    if name not in candidate_metrics:
        check.missing_candidate = True
        return check
    candidate = candidate_metrics[name]
    greater = threshold.greater_is_better
    # >= when greater is better, <= otherwise; the margin is added or subtracted alike.
    compare = operator.ge if greater else operator.le
    shift = operator.add if greater else operator.sub

    if threshold.threshold is not None:
        check.threshold_failed = not _passes(compare, candidate, threshold.threshold)

    compares_to_baseline = (
        threshold.min_absolute_change is not None or threshold.min_relative_change is not None
    )
    if compares_to_baseline and name not in baseline_metrics:
        check.missing_baseline = True
        return check
    baseline = baseline_metrics.get(name)

    if threshold.min_absolute_change is not None:
        # Float arithmetic, then an exact comparison: MLflow compares Decimal(candidate)
        # with Decimal(baseline + change), which orders exactly as the floats do.
        try:
            target = shift(float(baseline), float(threshold.min_absolute_change))
        except (TypeError, ValueError):
            target = math.nan
        check.min_absolute_change_failed = not _passes(compare, candidate, target)

    if threshold.min_relative_change is not None:
        try:
            baseline_f = float(baseline)
            candidate_f = float(candidate)
        except (TypeError, ValueError):
            baseline_f = candidate_f = math.nan
        if baseline_f == 0:
            _logger.warning(
                "Cannot perform relative model comparison for metric %s as baseline metric "
                "value is 0. Falling back to simple comparison: verifying that candidate "
                "metric value is better than the baseline metric value.",
                name,
            )
            check.min_relative_change_failed = not _passes(
                compare, candidate_f, shift(baseline_f, ZERO_BASELINE_MARGIN)
            )
        else:
            # Divide by |baseline| so that the direction stays right for negative
            # baselines (an R2 below 0, say).
            change = (candidate_f - baseline_f) if greater else (baseline_f - candidate_f)
            relative = change / abs(baseline_f)
            check.min_relative_change_failed = not _passes(
                operator.ge, relative, threshold.min_relative_change
            )
    return check


def validate_evaluation_results(
    validation_thresholds: dict[str, MetricThreshold],
    candidate_result: Any,
    baseline_result: Any = None,
) -> None:
    """Check a candidate's metrics against thresholds and, optionally, a baseline's.

    Parameters
    ----------
    validation_thresholds : dict[str, MetricThreshold]
        Metric name to its gate. Names are keys of ``candidate_result.metrics``
        (built-in metrics or ``extra_metrics``).
    candidate_result : EvaluationResult
        The candidate model's result (anything with a ``metrics`` mapping).
    baseline_result : EvaluationResult, optional
        The baseline model's result, needed by ``min_absolute_change`` and
        ``min_relative_change``. Without it, only ``threshold`` can pass.

    Returns
    -------
    None
        When every metric passes.

    Raises
    ------
    WorkbenchException
        ``INVALID_PARAMETER_VALUE`` when ``validation_thresholds`` is not a dict of str to
        :class:`MetricThreshold`.
    ModelValidationFailedException
        Listing every failed metric, one line each, in MLflow's wording.

    Examples
    --------
    >>> from workbench.evaluation._result import EvaluationResult
    >>> candidate = EvaluationResult({"accuracy_score": 0.91, "log_loss": 0.4}, {})
    >>> baseline = EvaluationResult({"accuracy_score": 0.90, "log_loss": 0.3}, {})
    >>> thresholds = {
    ...     "accuracy_score": MetricThreshold(threshold=0.8, greater_is_better=True),
    ...     "log_loss": MetricThreshold(min_absolute_change=0.05, greater_is_better=False),
    ... }
    >>> validate_evaluation_results(thresholds, candidate, baseline)
    Traceback (most recent call last):
    ...
    workbench.evaluation._validation.ModelValidationFailedException: Metric log_loss minimum absolute change check failed: candidate model log_loss = 0.4, baseline model log_loss = 0.3, log_loss minimum absolute change threshold = 0.05.
    >>> validate_evaluation_results({"accuracy_score": thresholds["accuracy_score"]}, candidate)
    """
    if not (
        type(validation_thresholds) is dict
        and all(type(key) is str for key in validation_thresholds)
        and all(isinstance(value, MetricThreshold) for value in validation_thresholds.values())
    ):
        raise WorkbenchException(
            "The validation thresholds argument must be a dictionary that maps strings "
            "to MetricThreshold objects.",
            error_code=INVALID_PARAMETER_VALUE,
        )
    candidate_metrics = _metrics_of(candidate_result, "candidate_result")
    baseline_metrics = _metrics_of(baseline_result, "baseline_result") if baseline_result else {}

    _logger.info("Validating candidate model metrics against baseline")
    failures = [
        str(check)
        for check in (
            _check_metric(name, threshold, candidate_metrics, baseline_metrics)
            for name, threshold in validation_thresholds.items()
        )
        if not check.is_success()
    ]
    if failures:
        raise ModelValidationFailedException(os.linesep.join(failures))
    _logger.info("Model validation passed!")


def _metrics_of(result: Any, argument: str) -> Mapping[str, Any]:
    metrics = getattr(result, "metrics", None)
    if not isinstance(metrics, Mapping):
        raise WorkbenchException(
            f"{argument} must be an EvaluationResult (an object with a `metrics` dict), got "
            f"{type(result).__name__}. Pass the value returned by workbench.evaluate() or "
            "EvaluationResult.load(path).",
            error_code=INVALID_PARAMETER_VALUE,
        )
    return metrics
