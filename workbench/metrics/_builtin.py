"""The builtin metric factories of ``mlflow.metrics`` (3.17.2) that need nothing beyond our
dependencies. Each returns an :class:`~workbench.evaluation._custom_metrics.EvaluationMetric`
whose ``eval_fn`` has MLflow's parameter names, so ``sample_weight``, ``pos_label`` and
``average`` are filled from ``evaluator_config`` exactly as there, and gives MLflow's value under
MLflow's key. scikit-learn is imported only when a metric is computed.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from workbench.evaluation._custom_metrics import (
    EvaluationMetric,
    MetricValue,
    make_metric,
    standard_aggregations,
)

_DEPRECATED = (
    "workbench.metrics.{name}() is deprecated, as mlflow.metrics.{name} is since MLflow 3.4.0 "
    "(a legacy LLM/retriever metric); it will be removed when MLflow removes it."
)


def _deprecated(name: str) -> None:
    warnings.warn(_DEPRECATED.format(name=name), FutureWarning, stacklevel=3)


def _has_targets(targets: Any) -> bool:
    return targets is not None and len(targets) != 0


# --------------------------------------------------------------------------- regression


def _mae_eval_fn(predictions, targets=None, metrics=None, sample_weight=None):
    if _has_targets(targets):
        from sklearn.metrics import mean_absolute_error

        value = mean_absolute_error(targets, predictions, sample_weight=sample_weight)
        return MetricValue(aggregate_results={"mean_absolute_error": value})
    return None


def _mse_eval_fn(predictions, targets=None, metrics=None, sample_weight=None):
    if _has_targets(targets):
        from sklearn.metrics import mean_squared_error

        value = mean_squared_error(targets, predictions, sample_weight=sample_weight)
        return MetricValue(aggregate_results={"mean_squared_error": value})
    return None


def _rmse_eval_fn(predictions, targets=None, metrics=None, sample_weight=None):
    if _has_targets(targets):
        try:
            from sklearn.metrics import root_mean_squared_error
        except ImportError:  # scikit-learn < 1.4
            from sklearn.metrics import mean_squared_error

            value = mean_squared_error(
                targets, predictions, sample_weight=sample_weight, squared=False
            )
        else:
            value = root_mean_squared_error(targets, predictions, sample_weight=sample_weight)
        return MetricValue(aggregate_results={"root_mean_squared_error": value})
    return None


def _r2_score_eval_fn(predictions, targets=None, metrics=None, sample_weight=None):
    if _has_targets(targets):
        from sklearn.metrics import r2_score as _r2

        value = _r2(targets, predictions, sample_weight=sample_weight)
        return MetricValue(aggregate_results={"r2_score": value})
    return None


def _max_error_eval_fn(predictions, targets=None, metrics=None):
    if _has_targets(targets):
        from sklearn.metrics import max_error as _max_error

        return MetricValue(aggregate_results={"max_error": _max_error(targets, predictions)})
    return None


def _mape_eval_fn(predictions, targets=None, metrics=None, sample_weight=None):
    if _has_targets(targets):
        from sklearn.metrics import mean_absolute_percentage_error

        value = mean_absolute_percentage_error(targets, predictions, sample_weight=sample_weight)
        return MetricValue(aggregate_results={"mean_absolute_percentage_error": value})
    return None


def mae() -> EvaluationMetric:
    """Mean absolute error (key ``mean_absolute_error``), as ``mlflow.metrics.mae()``.

    Examples
    --------
    >>> import pandas as pd
    >>> mae()(predictions=pd.Series([1.0, 3.0]), targets=pd.Series([1.0, 2.0]))
    MetricValue(scores=None, justifications=None, aggregate_results={'mean_absolute_error': 0.5})
    """
    return make_metric(eval_fn=_mae_eval_fn, greater_is_better=False, name="mean_absolute_error")


def mse() -> EvaluationMetric:
    """Mean squared error (key ``mean_squared_error``), as ``mlflow.metrics.mse()``."""
    return make_metric(eval_fn=_mse_eval_fn, greater_is_better=False, name="mean_squared_error")


def rmse() -> EvaluationMetric:
    """Root mean squared error (key ``root_mean_squared_error``), as ``mlflow.metrics.rmse()``."""
    return make_metric(
        eval_fn=_rmse_eval_fn, greater_is_better=False, name="root_mean_squared_error"
    )


def r2_score() -> EvaluationMetric:
    """Coefficient of determination (key ``r2_score``), as ``mlflow.metrics.r2_score()``."""
    return make_metric(eval_fn=_r2_score_eval_fn, greater_is_better=True, name="r2_score")


def max_error() -> EvaluationMetric:
    """Maximum absolute residual (key ``max_error``), as ``mlflow.metrics.max_error()``."""
    return make_metric(eval_fn=_max_error_eval_fn, greater_is_better=False, name="max_error")


def mape() -> EvaluationMetric:
    """Mean absolute percentage error (key ``mean_absolute_percentage_error``), as
    ``mlflow.metrics.mape()``."""
    return make_metric(
        eval_fn=_mape_eval_fn, greater_is_better=False, name="mean_absolute_percentage_error"
    )


# --------------------------------------------------------------------------- classification


def _recall_eval_fn(
    predictions, targets=None, metrics=None, pos_label=1, average="binary", sample_weight=None
):
    if _has_targets(targets):
        from sklearn.metrics import recall_score as _recall

        value = _recall(
            targets, predictions, pos_label=pos_label, average=average, sample_weight=sample_weight
        )
        return MetricValue(aggregate_results={"recall_score": value})
    return None


def _precision_eval_fn(
    predictions, targets=None, metrics=None, pos_label=1, average="binary", sample_weight=None
):
    if _has_targets(targets):
        from sklearn.metrics import precision_score as _precision

        value = _precision(
            targets, predictions, pos_label=pos_label, average=average, sample_weight=sample_weight
        )
        return MetricValue(aggregate_results={"precision_score": value})
    return None


def _f1_score_eval_fn(
    predictions, targets=None, metrics=None, pos_label=1, average="binary", sample_weight=None
):
    if _has_targets(targets):
        from sklearn.metrics import f1_score as _f1

        value = _f1(
            targets, predictions, pos_label=pos_label, average=average, sample_weight=sample_weight
        )
        return MetricValue(aggregate_results={"f1_score": value})
    return None


def recall_score() -> EvaluationMetric:
    """Recall (key ``recall_score``), as ``mlflow.metrics.recall_score()``.

    ``pos_label`` (default 1), ``average`` (default ``"binary"``) and ``sample_weight`` come
    from ``evaluator_config`` keys of those names.
    """
    return make_metric(eval_fn=_recall_eval_fn, greater_is_better=True, name="recall_score")


def precision_score() -> EvaluationMetric:
    """Precision (key ``precision_score``), as ``mlflow.metrics.precision_score()``; see
    :func:`recall_score` for its evaluator_config keys."""
    return make_metric(eval_fn=_precision_eval_fn, greater_is_better=True, name="precision_score")


def f1_score() -> EvaluationMetric:
    """F1 score (key ``f1_score``), as ``mlflow.metrics.f1_score()``; see :func:`recall_score`
    for its evaluator_config keys."""
    return make_metric(eval_fn=_f1_score_eval_fn, greater_is_better=True, name="f1_score")


def _accuracy_eval_fn(predictions, targets=None, metrics=None, sample_weight=None):
    if _has_targets(targets):
        from sklearn.metrics import accuracy_score

        value = accuracy_score(y_true=targets, y_pred=predictions, sample_weight=sample_weight)
        return MetricValue(aggregate_results={"exact_match": value})
    return None


def exact_match() -> EvaluationMetric:
    """Accuracy as ``exact_match`` (key ``exact_match/v1``), as ``mlflow.metrics.exact_match()``
    (deprecated there since 3.4.0; a FutureWarning here too)."""
    _deprecated("exact_match")
    return make_metric(
        eval_fn=_accuracy_eval_fn, greater_is_better=True, name="exact_match", version="v1"
    )


# --------------------------------------------------------------------------- retriever


def _id_lists_ok(data: Any, metric_name: str, which: str) -> bool:
    """Each row must be a list of str/int IDs or a str/int numpy array (MLflow's check)."""
    if data is None or len(data) == 0:
        return False
    for index, value in data.items():
        ok = (isinstance(value, list) and all(isinstance(v, (str, int)) for v in value)) or (
            isinstance(value, np.ndarray)
            and (np.issubdtype(value.dtype, np.str_) or np.issubdtype(value.dtype, np.integer))
        )
        if not ok:
            warnings.warn(
                f"Cannot calculate metric '{metric_name}': the {which} must hold, on each row, a "
                f"list of string or int document IDs; row {index} holds {value!r}. Skipping it.",
                UserWarning,
                stacklevel=4,
            )
            return False
    return True


def _check_k(k: Any, metric_name: str) -> bool:
    if isinstance(k, int) and not isinstance(k, bool) and k > 0:
        return True
    warnings.warn(
        f"Cannot calculate '{metric_name}' for invalid parameter 'k': 'k' should be a positive "
        f"integer; found: {k!r}. The metric will be skipped.",
        UserWarning,
        stacklevel=3,
    )
    return False


def _skip(*args, **kwargs):
    # Two parameters that are not (predictions, targets): resolved as the legacy form and
    # skipped with a warning when it returns None, as MLflow's no-op metric is.
    return None


def _precision_at_k_fn(k: int):
    def _fn(predictions, targets):
        if not (
            _id_lists_ok(predictions, "precision_at_k", "predictions")
            and _id_lists_ok(targets, "precision_at_k", "targets")
        ):
            return None
        scores: list[float] = []
        for truth, retrieved in zip(targets, predictions):
            top = list(retrieved[:k])
            relevant = set(truth)
            hits = sum(1 for doc in top if doc in relevant)
            scores.append(hits / len(top) if top else 0)
        return MetricValue(scores=scores, aggregate_results=standard_aggregations(scores))

    return _fn


def _recall_at_k_fn(k: int):
    def _fn(predictions, targets):
        if not (
            _id_lists_ok(predictions, "recall_at_k", "predictions")
            and _id_lists_ok(targets, "recall_at_k", "targets")
        ):
            return None
        scores: list[float] = []
        for truth, retrieved in zip(targets, predictions):
            relevant = set(truth)
            top = set(retrieved[:k])
            if relevant:
                scores.append(len(relevant & top) / len(relevant))
            else:
                scores.append(1 if not top else 0)
        return MetricValue(scores=scores, aggregate_results=standard_aggregations(scores))

    return _fn


def _ndcg_row(retrieved: list[Any], truth: Any) -> float:
    """Binary-relevance NDCG of one ranked list, MLflow's way: a retrieved document that is
    relevant counts each time it is retrieved (duplicates are distinct relevant documents)."""
    relevant = set(truth)
    dcg = 0.0
    extra = 0  # repeated retrievals of relevant documents, each one more relevant "document"
    seen: set[Any] = set()
    for rank, doc in enumerate(retrieved):
        if doc in relevant:
            dcg += 1.0 / math.log2(rank + 2)
            if doc in seen:
                extra += 1
            seen.add(doc)
    n_ideal = min(len(retrieved), len(relevant) + extra)
    idcg = sum(1.0 / math.log2(rank + 2) for rank in range(n_ideal))
    return dcg / idcg if idcg > 0 else 0.0


def _ndcg_at_k_fn(k: int):
    def _fn(predictions, targets):
        if not (
            _id_lists_ok(predictions, "ndcg_at_k", "predictions")
            and _id_lists_ok(targets, "ndcg_at_k", "targets")
        ):
            return None
        scores: list[float] = []
        for truth, retrieved in zip(targets, predictions):
            if len(retrieved) == 0 and len(truth) == 0:
                scores.append(1)
            elif len(retrieved) == 0 or len(truth) == 0:
                scores.append(0)
            else:
                scores.append(_ndcg_row(list(retrieved[:k]), truth))
        return MetricValue(scores=scores, aggregate_results=standard_aggregations(scores))

    return _fn


def precision_at_k(k: int) -> EvaluationMetric:
    """Per-row precision of the top ``k`` retrieved document IDs (key ``precision_at_{k}``), as
    ``mlflow.metrics.precision_at_k(k)`` (deprecated there since 3.4.0).

    Predictions and targets hold, per row, a list of document IDs. With ``x = min(k, number
    retrieved)``, the score is (relevant among the top x) / x, and 0 when nothing is retrieved.
    """
    _deprecated("precision_at_k")
    fn = _precision_at_k_fn(k) if _check_k(k, "precision_at_k") else _skip
    return make_metric(eval_fn=fn, greater_is_better=True, name=f"precision_at_{k}")


def recall_at_k(k: int) -> EvaluationMetric:
    """Per-row recall of the top ``k`` retrieved document IDs (key ``recall_at_{k}``), as
    ``mlflow.metrics.recall_at_k(k)`` (deprecated there since 3.4.0): 1 when there is no
    ground truth and nothing is retrieved, 0 when nothing is relevant but something is."""
    _deprecated("recall_at_k")
    fn = _recall_at_k_fn(k) if _check_k(k, "recall_at_k") else _skip
    return make_metric(eval_fn=fn, greater_is_better=True, name=f"recall_at_{k}")


def ndcg_at_k(k: int) -> EvaluationMetric:
    """Per-row NDCG@k with binary relevance (key ``ndcg_at_{k}``), as
    ``mlflow.metrics.ndcg_at_k(k)`` (deprecated there since 3.4.0), with its edge cases: 1 when
    there is neither ground truth nor retrieval, 0 when only one of them is empty; a relevant
    document retrieved twice counts as two relevant documents.

    Examples
    --------
    >>> import pandas as pd, warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore", FutureWarning)
    ...     metric = ndcg_at_k(3)
    >>> metric(predictions=pd.Series([["a", "b"], []]), targets=pd.Series([["b"], []])).scores
    [0.6309297535714575, 1]
    """
    _deprecated("ndcg_at_k")
    fn = _ndcg_at_k_fn(k) if _check_k(k, "ndcg_at_k") else _skip
    return make_metric(eval_fn=fn, greater_is_better=True, name=f"ndcg_at_{k}")
