"""Oracle: workbench.metrics' factories give mlflow.metrics' (3.17.2) names and values."""

from __future__ import annotations

import inspect
import types
import warnings

import numpy as np
import pandas as pd
import pytest

import workbench.metrics as wm
from workbench.evaluation._custom_metrics import compute_extra_metrics

import mlflow  # the test oracle (pip install workbench[test])
import mlflow.metrics as mm  # noqa: E402
from mlflow.models.evaluation.evaluators.default import DefaultEvaluator  # noqa: E402

#: mlflow.metrics names we do not provide, and why (see workbench/metrics/__init__.py).
LEFT_OUT = {
    "latency": "needs per-row timed prediction by the evaluator",
    "token_count": "tiktoken",
    "toxicity": "Hugging Face evaluate + model download",
    "rouge1": "Hugging Face evaluate", "rouge2": "Hugging Face evaluate",
    "rougeL": "Hugging Face evaluate", "rougeLsum": "Hugging Face evaluate",
    "bleu": "Hugging Face evaluate",
    "flesch_kincaid_grade_level": "textstat", "ari_grade_level": "textstat",
    "genai": "LLM judges",
}
RETRIEVER = ("precision_at_k", "recall_at_k", "ndcg_at_k")
SIMPLE = ("mae", "mse", "rmse", "r2_score", "max_error", "mape", "recall_score",
          "precision_score", "f1_score", "exact_match")


def test_every_mlflow_metric_is_provided_or_listed_as_left_out():
    # mlflow.metrics defines the retriever factories without listing them in __all__
    assert all(callable(getattr(mm, name)) for name in RETRIEVER)
    assert set(mm.__all__) | set(RETRIEVER) == set(wm.__all__) | set(LEFT_OUT)
    assert not set(wm.__all__) & set(LEFT_OUT)


def make(module, name, *args):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return getattr(module, name)(*args)


@pytest.mark.parametrize("name", SIMPLE + RETRIEVER)
def test_same_metric_attributes(name):
    args = (3,) if name in RETRIEVER else ()
    ours, theirs = make(wm, name, *args), make(mm, name, *args)
    for attr in ("name", "greater_is_better", "long_name", "version", "metric_details", "metric_metadata"):
        assert getattr(ours, attr) == getattr(theirs, attr), attr
    assert str(ours) == str(theirs)


def mlflow_values(metrics, df, config, with_targets=True):
    if "sample_weight" in config:
        # MLflow's evaluator first runs each metric on row 0 with the full-length weights from
        # evaluator_config, which fails (inconsistent lengths): call its eval_fns directly.
        flat = {}
        for metric in metrics:
            params = inspect.signature(metric.eval_fn).parameters
            value = metric.eval_fn(df["prediction"], df["target"],
                                   **{k: v for k, v in config.items() if k in params})
            for agg, v in value.aggregate_results.items():
                flat[metric.name if agg == metric.name else f"{metric.name}/{agg}"] = v
            if metric.version:
                flat = {(f"{metric.name}/{metric.version}" if k == metric.name else k): v for k, v in flat.items()}
        return flat
    ev = object.__new__(DefaultEvaluator)
    ev.metrics_values, ev.ordered_metrics, ev.other_output_columns_for_eval = {}, [], set()
    ev.evaluator_config, ev.col_mapping, ev.predictions = config, config.get("col_mapping", {}), None
    ev.dataset = types.SimpleNamespace(predictions_name=None, targets_name=None,
                                       features_data=pd.DataFrame(index=df.index), feature_names=[])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ev.evaluate_metrics(metrics, prediction=df["prediction"],
                            target=df["target"].to_numpy() if with_targets else None)
    ev._update_aggregate_metrics()
    return ev.aggregate_metrics


def ours_values(metrics, df, config):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return compute_extra_metrics(metrics, eval_df=df, builtin_metrics={}, evaluator_config=config)[0]


def assert_same(ours, theirs):
    assert list(ours) == list(theirs)
    for key, value in theirs.items():
        assert ours[key] == pytest.approx(float(value), rel=1e-12, abs=1e-15), key


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("weighted", [False, True])
def test_regression_values(seed, weighted):
    rng = np.random.default_rng(seed)
    n = 500
    target = rng.uniform(1, 10, n)
    df = pd.DataFrame({"prediction": target + rng.normal(size=n), "target": target})
    config = {"sample_weight": rng.uniform(0, 2, n)} if weighted else {}
    names = ("mae", "mse", "rmse", "r2_score", "max_error", "mape")
    assert_same(ours_values([make(wm, n_) for n_ in names], df, config),
                mlflow_values([make(mm, n_) for n_ in names], df, config))


@pytest.mark.parametrize(
    ("labels", "config"),
    [
        ([0, 1], {}),
        ([False, True], {"pos_label": True}),
        (["neg", "pos"], {"pos_label": "neg"}),
        ([0, 1], {"sample_weight": "weights"}),
        ([0, 1, 2], {"average": "macro"}),
        (["a", "b", "c"], {"average": "weighted", "pos_label": None}),
        ([0, 1, 2], {"average": "micro", "sample_weight": "weights"}),
    ],
)
def test_classification_values(labels, config):
    rng = np.random.default_rng(len(labels))
    n = 400
    y = rng.choice(np.array(labels, dtype=object), n)
    pred = np.where(rng.uniform(size=n) < 0.7, y, rng.choice(np.array(labels, dtype=object), n))
    df = pd.DataFrame({"prediction": pd.Series(pred).astype(type(labels[0])),
                       "target": pd.Series(y).astype(type(labels[0]))})
    if config.get("sample_weight") == "weights":
        config = {**config, "sample_weight": rng.uniform(0, 1, n)}
    names = ("precision_score", "recall_score", "f1_score", "exact_match")
    assert_same(ours_values([make(wm, n_) for n_ in names], df, config),
                mlflow_values([make(mm, n_) for n_ in names], df, config))


def test_retriever_values():
    rng = np.random.default_rng(5)
    docs = list("abcdefgh")
    preds, targets = [], []
    for _ in range(300):
        preds.append(list(rng.choice(docs, rng.integers(0, 6))))  # duplicates included
        targets.append(list(rng.choice(docs, rng.integers(0, 4), replace=False)))
    preds += [[], ["a"], [1, 2, 2], ["a", "a", "a", "b"]]
    targets += [[], [], [2, 3], ["a"]]
    df = pd.DataFrame({"prediction": preds, "target": targets})
    for k in (1, 2, 3, 5, 10):
        ours = [make(wm, n_, k) for n_ in RETRIEVER]
        theirs = [make(mm, n_, k) for n_ in RETRIEVER]
        assert_same(ours_values(ours, df, {}), mlflow_values(theirs, df, {}))
        # per-row scores too
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _, values = compute_extra_metrics(ours, eval_df=df, builtin_metrics={})
        for metric in theirs:
            expected = metric.eval_fn(df["prediction"], df["target"]).scores
            assert values[metric.name].scores == pytest.approx(expected, rel=1e-12, abs=1e-15)


def test_invalid_k_skipped_in_both():
    df = pd.DataFrame({"prediction": [["a"]], "target": [["a"]]})
    assert ours_values([make(wm, "ndcg_at_k", -1)], df, {}) == mlflow_values([make(mm, "ndcg_at_k", -1)], df, {}) == {}


def test_no_targets_skipped_in_both():
    df = pd.DataFrame({"prediction": [1.0, 2.0]})
    ours = ours_values([make(wm, "mae"), make(wm, "f1_score")], df, {})
    theirs = mlflow_values([make(mm, "mae"), make(mm, "f1_score")], df.assign(target=0), {}, with_targets=False)
    assert ours == theirs == {}


def test_sample_weight_from_evaluator_config_works_here_unlike_mlflow():
    """Departure: MLflow's first-row check calls mae(..., sample_weight=<all rows>) on one row and
    fails; each eval_fn runs once on all rows here, so the weights apply."""
    df = pd.DataFrame({"prediction": [1.0, 2.0, 5.0], "target": [1.0, 1.0, 1.0]})
    config = {"sample_weight": np.array([1.0, 1.0, 0.0])}
    with pytest.raises(mlflow.exceptions.MlflowException, match="inconsistent numbers of samples"):
        ev = object.__new__(DefaultEvaluator)
        ev.metrics_values, ev.ordered_metrics, ev.other_output_columns_for_eval = {}, [], set()
        ev.evaluator_config, ev.col_mapping, ev.predictions = config, {}, None
        ev.dataset = types.SimpleNamespace(predictions_name=None, targets_name=None,
                                           features_data=pd.DataFrame(index=df.index), feature_names=[])
        ev.evaluate_metrics([mm.mae()], prediction=df["prediction"], target=df["target"].to_numpy())
    assert ours_values([wm.mae()], df, config) == {"mean_absolute_error": 0.5}
