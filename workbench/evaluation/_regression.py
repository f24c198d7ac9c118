"""Regressor metrics under MLflow's names, with scikit-learn's definitions.

MLflow 3.17.2's default evaluator reports nine regressor metrics. Their definitions
(including MLflow's own quirks, kept so that numbers match) are:

=================================  ===========================================================
``example_count``                  rows
``mean_absolute_error``            weighted mean of ``|y - y_hat|``
``mean_squared_error``             weighted mean of ``(y - y_hat)**2``
``root_mean_squared_error``        square root of the above
``sum_on_target``                  ``sum(y * w)`` (``sum(y)`` without weights)
``mean_on_target``                 ``sum_on_target / example_count`` (MLflow divides by the
                                   row count even with weights)
``r2_score``                       ``1 - SS_res / SS_tot``, weighted; 1.0 / 0.0 when
                                   ``SS_tot == 0`` as scikit-learn's ``force_finite``
``max_error``                      ``max |y - y_hat|`` (unweighted, as scikit-learn)
``mean_absolute_percentage_error`` weighted mean of ``|y - y_hat| / max(|y|, eps)``
=================================  ===========================================================

Examples
--------
>>> out = evaluate_regressor([3.0, -0.5, 2.0, 7.0], [2.5, 0.0, 2.0, 8.0])
>>> out.metrics["mean_squared_error"], out.metrics["max_error"]
(0.375, 1.0)
>>> round(out.metrics["r2_score"], 6)
0.948608
>>> out.tables["residuals"].n_total
4
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np
import pandas as pd

from workbench._exceptions import WorkbenchException
from workbench.evaluation._tables import residual_summary

__all__ = ["REGRESSOR_METRICS", "RegressorOutcome", "evaluate_regressor"]

#: MLflow 3.17.2's regressor metrics, in its order.
REGRESSOR_METRICS = (
    "example_count", "mean_absolute_error", "mean_squared_error", "root_mean_squared_error",
    "sum_on_target", "mean_on_target", "r2_score", "max_error",
    "mean_absolute_percentage_error",
)


@dataclasses.dataclass(frozen=True, eq=False)
class RegressorOutcome:
    """What :func:`evaluate_regressor` computed.

    Attributes
    ----------
    metrics : dict[str, float]
        MLflow's nine regressor metrics (``example_count`` is an int).
    tables : dict[str, table]
        ``"residuals"``: a :class:`~._tables.ResidualSummary`.
    skipped : dict[str, str]
        Metric name -> why it was not computed.
    """

    metrics: dict[str, float]
    tables: dict[str, Any]
    skipped: dict[str, str]


def _bad(message: str) -> WorkbenchException:
    return WorkbenchException.invalid_parameter_value(message)


def _as_float(values: Any, name: str) -> np.ndarray:
    if isinstance(values, pd.DataFrame):
        if values.shape[1] != 1:
            raise _bad(f"{name} must be one column, got a DataFrame with columns "
                       f"{list(values.columns)}. Pass the single column that holds {name}.")
        values = values.iloc[:, 0]
    if isinstance(values, (pd.Series, pd.Index)):
        values = values.to_numpy()
    arr = np.asarray(values)
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.ndim != 1:
        raise _bad(f"{name} must be one-dimensional, got an array of shape {arr.shape}.")
    try:
        out = arr if arr.dtype == np.float64 else arr.astype(np.float64)  # no copy when float64
    except (TypeError, ValueError):
        raise _bad(f"{name} must be numbers for a regressor, got values of dtype "
                   f"{arr.dtype} (e.g. {arr[:3].tolist()!r}). Use model_type='classifier' "
                   f"for labels.") from None
    if np.isfinite(np.sum(out)):  # a finite sum means every value is finite: one cheap pass
        return out
    bad = ~np.isfinite(out)
    if bad.any():
        rows = np.flatnonzero(bad)
        raise _bad(f"{name} holds {rows.shape[0]} missing or infinite value(s), first at row "
                   f"{int(rows[0])}. Drop those rows or fill them before evaluating.")
    return out


def evaluate_regressor(y_true: Any, y_pred: Any, *, sample_weight: Any = None
                       ) -> RegressorOutcome:
    """Compute MLflow's regressor metrics and a residual summary.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n,)
        Finite numbers, one per row.
    sample_weight : array-like of shape (n,), optional
        Row weights, used where MLflow uses them (not by ``max_error`` or
        ``example_count``; ``mean_on_target`` divides the weighted sum by the row count,
        as MLflow does).

    Returns
    -------
    RegressorOutcome
    """
    y = _as_float(y_true, "y_true (the targets)")
    yh = _as_float(y_pred, "y_pred (the predictions)")
    n = y.shape[0]
    if yh.shape[0] != n:
        raise _bad(f"y_true has {n} rows but y_pred has {yh.shape[0]}; targets and "
                   f"predictions must have one value per row.")
    if n == 0:
        raise _bad("There are no rows to evaluate: y_true is empty.")
    w = None
    if sample_weight is not None:
        w = _as_float(sample_weight, "sample_weight")
        if w.shape[0] != n:
            raise _bad(f"sample_weight has {w.shape[0]} values but there are {n} rows; pass "
                       f"one weight per row.")
        if not np.sum(w) > 0:
            raise _bad("sample_weight sums to zero or less; at least one row needs a "
                       "positive weight.")

    def avg(a: np.ndarray) -> float:
        if w is None:
            return float(np.mean(a))
        return float(np.sum(a * w) / np.sum(w))

    # Two scratch arrays the length of the data serve every metric (fresh large arrays
    # cost page faults, which dominate at a million rows); the values are computed with
    # the same numpy reductions as before, so they are unchanged to the last bit.
    diff = y - yh
    buf = np.square(diff)  # squared errors
    mse = avg(buf)
    num = float(np.sum(buf)) if w is None else float(np.sum(w * buf))
    sum_on_target = float(np.sum(y) if w is None else np.sum(y * w))
    metrics: dict[str, Any] = {
        "example_count": n,
        "mean_absolute_error": 0.0,  # filled below, keeps MLflow's order
        "mean_squared_error": mse,
        "root_mean_squared_error": math.sqrt(mse),
        "sum_on_target": sum_on_target,
        "mean_on_target": sum_on_target / n,
    }
    skipped: dict[str, str] = {}
    if n < 2:
        skipped["r2_score"] = "r2_score is not defined with fewer than two rows"
    else:
        np.subtract(y, avg(y), out=buf)
        np.square(buf, out=buf)
        den = float(np.sum(buf)) if w is None else float(np.sum(w * buf))
        if num == 0:
            r2 = 1.0
        elif den == 0:
            r2 = 0.0
        else:
            r2 = 1 - num / den
        metrics["r2_score"] = r2
    abs_err = np.abs(diff, out=buf)  # |y - yh| == |yh - y| exactly
    metrics["mean_absolute_error"] = avg(abs_err)
    metrics["max_error"] = float(np.max(abs_err))
    eps = np.finfo(np.float64).eps
    denom = np.abs(y)
    np.maximum(denom, eps, out=denom)
    metrics["mean_absolute_percentage_error"] = avg(np.divide(abs_err, denom, out=denom))
    del buf, abs_err, denom
    ordered = {k: metrics[k] for k in REGRESSOR_METRICS if k in metrics}
    return RegressorOutcome(metrics=ordered,
                            tables={"residuals": residual_summary(y, yh, resid=diff)},
                            skipped=skipped)
