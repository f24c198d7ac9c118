"""Oracle: compute_extra_metrics gives MLflow 3.17.2's keys and values for the same data.

MLflow runs its real default evaluator (``mlflow.evaluate`` with a static predictions column);
we feed its builtin metrics to ``compute_extra_metrics`` and compare every extra metric key.
"""

from __future__ import annotations

import logging
import math
import types
import warnings

import numpy as np
import pandas as pd
import pytest

from workbench.evaluation import _custom_metrics as wb

import mlflow  # the test oracle (pip install workbench[test])
from mlflow.metrics import MetricValue as MlflowMetricValue  # noqa: E402
from mlflow.models import make_metric as mlflow_make_metric  # noqa: E402
from mlflow.models.evaluation.default_evaluator import _get_aggregate_metrics_values  # noqa: E402
from mlflow.models.evaluation.evaluators.default import DefaultEvaluator  # noqa: E402

REGRESSOR_BUILTINS = [
    "example_count", "mean_absolute_error", "mean_squared_error", "root_mean_squared_error",
    "sum_on_target", "mean_on_target", "r2_score", "max_error", "mean_absolute_percentage_error",
]


@pytest.fixture(scope="module")
def mlflow_env(tmp_path_factory):
    root = tmp_path_factory.mktemp("mlflow")
    mp = pytest.MonkeyPatch()
    mp.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{root / 'mlflow.db'}")
    mp.chdir(root)  # MLflow writes ./mlruns for artifacts
    logging.getLogger("mlflow").setLevel(logging.ERROR)
    logging.getLogger("alembic").setLevel(logging.ERROR)
    mlflow.set_tracking_uri(f"sqlite:///{root / 'mlflow.db'}")
    yield root
    mp.undo()


def metric_functions(MV):
    """The same eval_fns for both sides; ``MV`` is each side's MetricValue class."""

    def root_mean_squared_error(eval_df, _builtin_metrics):  # the seed's example
        return np.sqrt((np.abs(eval_df["prediction"] - eval_df["target"]) ** 2).mean())

    def abs_error(predictions, targets):
        return MV(scores=(predictions - targets).abs().tolist())

    def worst(predictions, abs_error):  # depends on a metric listed after it
        return max(abs_error.scores)

    def mse_ratio(predictions, mean_squared_error, r2_score):  # builtins by name
        return mean_squared_error.aggregate_results["mean_squared_error"] / (
            1 + r2_score.aggregate_results["r2_score"]
        )

    def from_metrics(predictions, targets, metrics):
        return metrics["mean_absolute_error"].aggregate_results["mean_absolute_error"] * 2

    def weighted(predictions, targets, x):  # an input column
        return float(((predictions - targets).abs() * x).sum() / x.sum())

    def scaled(predictions, targets, scale):  # an evaluator_config value
        return float((predictions - targets).abs().mean() * scale)

    def mapped(predictions, feature):  # col_mapping
        return float(np.corrcoef(predictions, feature)[0, 1]) if len(predictions) > 1 else 0.0

    def by_target_name(predictions, y, metrics):  # the targets column by its name
        return float((y - predictions).sum())

    def with_default(predictions, not_a_column=3.0):
        return not_a_column

    def legacy_count(eval_df, builtin_metrics):  # flat metrics computed so far
        return (builtin_metrics["mean_squared_error"] + builtin_metrics["abs_error/mean"]
                + float(eval_df.shape[1]))

    def custom_aggs(predictions, targets):
        d = (predictions - targets).to_numpy()
        return MV(scores=d.tolist(), aggregate_results={"custom_aggs": float(d.sum()), "max": float(d.max())})

    def judged(predictions):
        return MV(scores=["ok"] * len(predictions), justifications=["fine"] * len(predictions))

    def nothing(predictions, targets):
        return None

    def as_bool(predictions):
        return True

    return [
        dict(eval_fn=worst, greater_is_better=False),
        dict(eval_fn=root_mean_squared_error, greater_is_better=False),
        dict(eval_fn=abs_error, greater_is_better=False),
        dict(eval_fn=abs_error, greater_is_better=False, name="abs_error_v", version="v1"),
        dict(eval_fn=mse_ratio, greater_is_better=False, version="v2"),
        dict(eval_fn=from_metrics, greater_is_better=False),
        dict(eval_fn=weighted, greater_is_better=False),
        dict(eval_fn=scaled, greater_is_better=False),
        dict(eval_fn=mapped, greater_is_better=True),
        dict(eval_fn=by_target_name, greater_is_better=True),
        dict(eval_fn=with_default, greater_is_better=True),
        dict(eval_fn=legacy_count, greater_is_better=True),
        dict(eval_fn=custom_aggs, greater_is_better=True),
        dict(eval_fn=judged, greater_is_better=True),
        dict(eval_fn=nothing, greater_is_better=True),
        dict(eval_fn=as_bool, greater_is_better=True),
    ]


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(7)
    n = 200
    x = rng.uniform(1, 5, n)
    y = 3 * x + rng.normal(size=n)
    pred = 3 * x + rng.normal(scale=0.5, size=n) + 0.2
    return pd.DataFrame({"x": x, "other": rng.normal(size=n), "pred": pred, "y": y})


CONFIG = {"scale": 2.5, "col_mapping": {"feature": "other"}, "log_model_explainability": False}


def mlflow_evaluate(data, extra_metrics, evaluator_config, model_type="regressor"):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with mlflow.start_run():
            result = mlflow.evaluate(
                data=data, predictions="pred", targets="y", model_type=model_type,
                extra_metrics=extra_metrics, evaluator_config=evaluator_config,
            )
    return result.metrics


def ours(data, evaluator_config, builtin):
    metrics = [wb.make_metric(**kw) for kw in metric_functions(wb.MetricValue)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return wb.compute_extra_metrics(
            metrics,
            eval_df=pd.DataFrame({"prediction": data["pred"], "target": data["y"]}),
            builtin_metrics=builtin,
            evaluator_config=evaluator_config,
            input_df=data[["x", "other"]],
            predictions_name="pred",
            targets_name="y",
        )


def assert_same(ours_flat, theirs):
    assert list(ours_flat) == list(theirs)
    for key, value in theirs.items():
        if isinstance(value, float) and math.isnan(value):
            assert math.isnan(ours_flat[key]), key
        else:
            assert ours_flat[key] == pytest.approx(float(value), rel=1e-12, abs=1e-12), key


def mlflow_internal(data, extra_metrics, evaluator_config, builtin, *, with_targets=True):
    """MLflow's own resolution/ordering/naming code (BuiltInEvaluator.evaluate_metrics), without
    a run: the evaluator object gets just the attributes those methods read."""
    ev = object.__new__(DefaultEvaluator)
    ev.metrics_values = _get_aggregate_metrics_values(builtin)
    ev.ordered_metrics = []
    ev.other_output_columns_for_eval = set()
    ev.artifacts = {}
    ev.evaluator_config = evaluator_config
    ev.col_mapping = evaluator_config.get("col_mapping", {})
    ev.predictions = "pred"
    features = data[["x", "other"]]
    ev.dataset = types.SimpleNamespace(
        predictions_name="pred", targets_name="y" if with_targets else None,
        features_data=features, feature_names=list(features.columns),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ev.evaluate_metrics(extra_metrics, prediction=data["pred"],
                            target=data["y"].to_numpy() if with_targets else None)
    ev._add_prefix_to_metrics()
    return ev.aggregate_metrics


def test_extra_metrics_match_mlflow_evaluate(mlflow_env, data):
    """One real mlflow.evaluate run: all keys, their order and values."""
    mlflow_metrics = [mlflow_make_metric(**kw) for kw in metric_functions(MlflowMetricValue)]
    theirs = mlflow_evaluate(data, mlflow_metrics, CONFIG)
    builtin = {k: theirs[k] for k in REGRESSOR_BUILTINS}
    # the extra metric root_mean_squared_error replaces the builtin of that name in both
    builtin["root_mean_squared_error"] = float(
        np.sqrt(np.mean((data["pred"] - data["y"]) ** 2))
    )
    flat, values = ours(data, CONFIG, builtin)
    assert_same({**builtin, **flat}, theirs)
    assert "nothing" not in values and "judged" in values
    assert {"abs_error/mean", "abs_error_v/v1/p90", "mse_ratio/v2", "custom_aggs", "custom_aggs/max",
            "root_mean_squared_error", "worst", "as_bool"} <= set(flat)
    # and MLflow's internal path, used by the other tests, agrees with the real run
    internal = mlflow_internal(data, mlflow_metrics, CONFIG, builtin)
    assert_same(internal, theirs)


BUILTIN = {"mean_squared_error": 1.7, "r2_score": 0.25, "mean_absolute_error": 0.9, "max_error": 3.0}


@pytest.mark.parametrize(
    "config",
    [CONFIG, {**CONFIG, "metric_prefix": "val_"}, {**CONFIG, "scale": -1, "not_a_column": 9.0}],
    ids=["plain", "prefix", "config-overrides-default"],
)
def test_extra_metrics_match_mlflow_internals(config, data):
    mlflow_metrics = [mlflow_make_metric(**kw) for kw in metric_functions(MlflowMetricValue)]
    theirs = mlflow_internal(data, mlflow_metrics, config, BUILTIN)
    _, values = ours(data, config, BUILTIN)
    everything = {k: wb.MetricValue(aggregate_results={k: v}) for k, v in BUILTIN.items()}
    everything.update(values)
    assert_same(wb.flatten_metric_values(everything, config.get("metric_prefix")), theirs)


def test_without_targets_defaults_match_mlflow(data):
    def with_default(predictions, targets=None):
        return 0.0 if targets is None else 1.0

    def mean_pred(predictions, x):
        return float(predictions.mean() + x.mean())

    specs = [dict(eval_fn=with_default, greater_is_better=True), dict(eval_fn=mean_pred, greater_is_better=True)]
    theirs = mlflow_internal(data, [mlflow_make_metric(**kw) for kw in specs], {}, {}, with_targets=False)
    flat, _ = wb.compute_extra_metrics(
        [wb.make_metric(**kw) for kw in specs], eval_df=pd.DataFrame({"prediction": data["pred"]}),
        builtin_metrics={}, input_df=data[["x", "other"]],
    )
    assert_same(flat, theirs)


def test_unresolvable_parameter_fails_in_both(data):
    def needs(predictions, nowhere):
        return 1.0

    with pytest.raises(mlflow.exceptions.MlflowException, match="missing columns \\['nowhere'\\]"):
        mlflow_internal(data, [mlflow_make_metric(eval_fn=needs, greater_is_better=True)], CONFIG, {})
    with pytest.raises(wb.WorkbenchException, match="parameter 'nowhere' matches no input column"):
        wb.compute_extra_metrics([wb.make_metric(eval_fn=needs, greater_is_better=True)],
                                 eval_df=pd.DataFrame({"prediction": data["pred"]}), builtin_metrics={})


def test_cycle_fails_in_both(data):
    def a(predictions, b):
        return 1.0

    def b(predictions, a):
        return 1.0

    specs = [dict(eval_fn=a, greater_is_better=True), dict(eval_fn=b, greater_is_better=True)]
    with pytest.raises(mlflow.exceptions.MlflowException, match="circular dependencies"):
        mlflow_internal(data, [mlflow_make_metric(**kw) for kw in specs], {}, {})
    with pytest.raises(wb.WorkbenchException, match="Circular dependency among extra metrics: a -> b -> a"):
        wb.compute_extra_metrics([wb.make_metric(**kw) for kw in specs],
                                 eval_df=pd.DataFrame({"prediction": data["pred"]}), builtin_metrics={})


def test_legacy_metrics_do_not_see_first_row_values(data):
    """Departure: MLflow first runs every metric on row 0 and keeps those values, so a legacy
    metric sees (row-0) values of metrics computed after it, itself included. We do not."""
    def legacy(eval_df, builtin_metrics):
        return float(len(builtin_metrics))

    def later(predictions):
        return 1.0

    specs = [dict(eval_fn=legacy, greater_is_better=True), dict(eval_fn=later, greater_is_better=True)]
    theirs = mlflow_internal(data, [mlflow_make_metric(**kw) for kw in specs], {}, BUILTIN)
    flat, _ = wb.compute_extra_metrics([wb.make_metric(**kw) for kw in specs],
                                       eval_df=pd.DataFrame({"prediction": data["pred"]}),
                                       builtin_metrics=BUILTIN)
    assert theirs["legacy"] == len(BUILTIN) + 2  # 'legacy' and 'later' from row 0
    assert flat["legacy"] == len(BUILTIN)
