"""workbench.metrics: the public module and its builtin metric factories."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import workbench.metrics as wm
from workbench.evaluation._custom_metrics import MetricWarning, compute_extra_metrics

FACTORIES = {
    "mae": ("mean_absolute_error", False),
    "mse": ("mean_squared_error", False),
    "rmse": ("root_mean_squared_error", False),
    "r2_score": ("r2_score", True),
    "max_error": ("max_error", False),
    "mape": ("mean_absolute_percentage_error", False),
    "recall_score": ("recall_score", True),
    "precision_score": ("precision_score", True),
    "f1_score": ("f1_score", True),
}


def test_all_is_sorted_and_complete():
    assert wm.__all__ == sorted(wm.__all__)
    assert set(wm.__all__) == {n for n in dir(wm) if not n.startswith("_")} - {"annotations"}
    for name in wm.__all__:
        assert getattr(wm, name).__doc__, name


@pytest.mark.parametrize("factory", list(FACTORIES))
def test_factories_names(factory):
    metric = getattr(wm, factory)()
    assert isinstance(metric, wm.EvaluationMetric)
    assert (metric.name, metric.greater_is_better) == FACTORIES[factory]
    assert metric.long_name == metric.name and metric.version is None


def test_regression_values_and_keys():
    df = pd.DataFrame({"prediction": [1.0, 2.5, 2.0, 8.0], "target": [1.0, 2.0, 3.0, 5.0]})
    metrics = [getattr(wm, f)() for f in ("mae", "mse", "rmse", "r2_score", "max_error", "mape")]
    flat, _ = compute_extra_metrics(metrics, eval_df=df, builtin_metrics={})
    err = df["prediction"] - df["target"]
    assert flat == pytest.approx({
        "mean_absolute_error": err.abs().mean(),
        "mean_squared_error": (err**2).mean(),
        "root_mean_squared_error": np.sqrt((err**2).mean()),
        "r2_score": 1 - (err**2).sum() / ((df["target"] - df["target"].mean()) ** 2).sum(),
        "max_error": 3.0,
        "mean_absolute_percentage_error": (err.abs() / df["target"]).mean(),
    })


def test_classification_reads_evaluator_config():
    df = pd.DataFrame({"prediction": list("aabbab"), "target": list("abbbaa")})
    metrics = [wm.precision_score(), wm.recall_score(), wm.f1_score()]
    flat, _ = compute_extra_metrics(metrics, eval_df=df, builtin_metrics={},
                                    evaluator_config={"pos_label": "a"})
    # predicted a: rows 0, 1, 4 -> correct at 0, 4; actual a: rows 0, 4, 5
    assert flat == pytest.approx({"precision_score": 2 / 3, "recall_score": 2 / 3, "f1_score": 2 / 3})
    flat, _ = compute_extra_metrics(metrics, eval_df=df, builtin_metrics={},
                                    evaluator_config={"average": "macro", "sample_weight": [1, 1, 1, 1, 1, 0]})
    assert set(flat) == {"precision_score", "recall_score", "f1_score"}


def test_no_targets_skips_with_warning():
    df = pd.DataFrame({"prediction": [1.0, 2.0]})
    with pytest.warns(MetricWarning, match="Did not log metric 'mean_absolute_error' at index 0 .* returned None"):
        assert compute_extra_metrics([wm.mae()], eval_df=df, builtin_metrics={}) == ({}, {})


def test_deprecated_metrics_warn_and_compute():
    with pytest.warns(FutureWarning, match=r"workbench.metrics.exact_match\(\) is deprecated"):
        em = wm.exact_match()
    assert (em.name, em.version) == ("exact_match", "v1")
    df = pd.DataFrame({"prediction": [1, 0, 1], "target": [1, 1, 1]})
    flat, _ = compute_extra_metrics([em], eval_df=df, builtin_metrics={})
    assert flat == {"exact_match/v1": pytest.approx(2 / 3)}


def test_retriever_metrics():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        metrics = [wm.precision_at_k(2), wm.recall_at_k(2), wm.ndcg_at_k(2)]
    df = pd.DataFrame({
        "prediction": [["a", "b", "c"], [], ["x"], [1, 2]],
        "target": [["b"], [], ["y"], [2, 3]],
    })
    flat, values = compute_extra_metrics(metrics, eval_df=df, builtin_metrics={})
    assert values["precision_at_2"].scores == [0.5, 0, 0.0, 0.5]
    assert values["recall_at_2"].scores == [1.0, 1, 0.0, 0.5]
    d = 1 / np.log2(3)
    assert values["ndcg_at_2"].scores == pytest.approx([d, 1, 0.0, d / (1 + d)])
    assert set(flat) == {f"{m}/{agg}" for m in ("precision_at_2", "recall_at_2", "ndcg_at_2")
                         for agg in ("mean", "variance", "p90")}


def test_retriever_invalid_k_and_rows_are_skipped():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        with pytest.warns(UserWarning, match="'k' should be a positive integer; found: 0"):
            bad_k = wm.precision_at_k(0)
        good = wm.recall_at_k(3)
    df = pd.DataFrame({"prediction": [["a"], 5], "target": [["a"], ["b"]]})
    with pytest.warns(UserWarning) as record:
        flat, values = compute_extra_metrics([bad_k, good], eval_df=df, builtin_metrics={})
    assert (flat, values) == ({}, {})
    messages = [str(r.message) for r in record]
    assert any("row 1 holds 5" in m for m in messages)
    assert any("Did not log metric 'precision_at_0'" in m for m in messages)
