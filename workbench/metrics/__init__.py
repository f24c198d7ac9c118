"""Metrics for ``extra_metrics``: the twin of ``mlflow.metrics``.

``MetricValue``, ``EvaluationMetric`` and ``make_metric``, and MLflow 3.17.2's builtin metric
factories that need nothing beyond workbench's dependencies; each returns an
``EvaluationMetric`` to pass in ``evaluate(..., extra_metrics=[...])``:

- regression: ``mae()``, ``mse()``, ``rmse()``, ``r2_score()``, ``max_error()``, ``mape()``;
- classification: ``precision_score()``, ``recall_score()``, ``f1_score()`` (``pos_label``,
  ``average`` and ``sample_weight`` from ``evaluator_config``), ``exact_match()``;
- retrieval: ``precision_at_k(k)``, ``recall_at_k(k)``, ``ndcg_at_k(k)``.

``exact_match`` and the retrieval metrics are deprecated in MLflow since 3.4.0 and warn here
too. Not provided, because they need packages or downloads beyond workbench's dependencies or an
evaluator feature it does not have: ``latency()`` (per-row timed prediction), ``token_count()``
(tiktoken), ``toxicity()``, ``rouge1()``, ``rouge2()``, ``rougeL()``, ``rougeLsum()``, ``bleu()``
(Hugging Face ``evaluate`` and model downloads), ``flesch_kincaid_grade_level()``,
``ari_grade_level()`` (textstat) and ``mlflow.metrics.genai`` (LLM judges).

Examples
--------
>>> import pandas as pd
>>> from workbench.metrics import rmse
>>> rmse()(predictions=pd.Series([1.0, 3.0]), targets=pd.Series([1.0, 1.0])).aggregate_results
{'root_mean_squared_error': 1.414...}
"""

from __future__ import annotations

from workbench.evaluation._custom_metrics import EvaluationMetric, MetricValue, make_metric
from workbench.metrics._builtin import (
    exact_match,
    f1_score,
    mae,
    mape,
    max_error,
    mse,
    ndcg_at_k,
    precision_at_k,
    precision_score,
    r2_score,
    recall_at_k,
    recall_score,
    rmse,
)

__all__ = [
    "EvaluationMetric",
    "MetricValue",
    "exact_match",
    "f1_score",
    "mae",
    "make_metric",
    "mape",
    "max_error",
    "mse",
    "ndcg_at_k",
    "precision_at_k",
    "precision_score",
    "r2_score",
    "recall_at_k",
    "recall_score",
    "rmse",
]
