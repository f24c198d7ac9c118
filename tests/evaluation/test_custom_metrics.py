"""Custom metrics: MetricValue, make_metric, argument resolution, order and key naming."""

from __future__ import annotations

import inspect
import warnings

import numpy as np
import pandas as pd
import pytest

import workbench.evaluation._custom_metrics as cm
from workbench._exceptions import WorkbenchException
from workbench.evaluation._custom_metrics import (
    EvaluationMetric,
    MetricValue,
    MetricWarning,
    compute_extra_metrics,
    flatten_metric_values,
    make_metric,
)


@pytest.fixture
def eval_df():
    return pd.DataFrame({"prediction": [1.0, 2.0, 4.0, 3.0], "target": [1.0, 2.0, 3.0, 5.0]})


@pytest.fixture
def input_df():
    return pd.DataFrame({"x": [10.0, 20.0, 30.0, 40.0], "city": list("abcd")})


BUILTIN = {"mean_absolute_error": 0.75, "mean_squared_error": 1.25, "example_count": 4.0}


def run(metrics, eval_df, **kwargs):
    kwargs.setdefault("builtin_metrics", BUILTIN)
    return compute_extra_metrics(metrics, eval_df=eval_df, **kwargs)


# --------------------------------------------------------------------------- MetricValue


def test_metric_value_standard_aggregations():
    mv = MetricValue(scores=[1, 2, 3, 4, 10])
    assert mv.aggregate_results == {
        "mean": pytest.approx(4.0),
        "variance": pytest.approx(np.var([1, 2, 3, 4, 10])),
        "p90": pytest.approx(np.percentile([1, 2, 3, 4, 10], 90)),
    }


def test_metric_value_no_aggregates_for_strings_bools_none_or_empty():
    assert MetricValue(scores=["a", "b"]).aggregate_results is None
    assert MetricValue(scores=[True, False]).aggregate_results is None
    assert MetricValue(scores=[1.0, None]).aggregate_results is None
    assert MetricValue(scores=[]).aggregate_results is None


def test_metric_value_keeps_given_aggregates_and_accepts_arrays():
    assert MetricValue(scores=[1.0, 2.0], aggregate_results={"max": 2.0}).aggregate_results == {"max": 2.0}
    mv = MetricValue(scores=np.array([1.0, 3.0]))
    assert mv.scores == [1.0, 3.0] and mv.aggregate_results["mean"] == 2.0
    assert MetricValue(scores=pd.Series([1, 2])).scores == [1, 2]


def test_metric_value_equality():
    assert MetricValue(scores=[1.0]) == MetricValue(scores=[1.0])


# --------------------------------------------------------------------------- make_metric


def test_seed_make_metric_example(eval_df):
    """The seed's example, with mlflow replaced by workbench."""

    def root_mean_squared_error(eval_df, _builtin_metrics):
        return np.sqrt((np.abs(eval_df["prediction"] - eval_df["target"]) ** 2).mean())

    rmse_metric = make_metric(eval_fn=root_mean_squared_error, greater_is_better=False)
    assert isinstance(rmse_metric, EvaluationMetric)
    assert rmse_metric.name == rmse_metric.long_name == "root_mean_squared_error"
    flat, values = run([rmse_metric], eval_df)
    assert flat == {"root_mean_squared_error": pytest.approx(np.sqrt(5 / 4))}
    assert list(values) == ["root_mean_squared_error"]


def test_make_metric_name_rules():
    with pytest.raises(WorkbenchException, match=r"^`name` must be specified if `eval_fn` is a lambda function\. "):
        make_metric(eval_fn=lambda predictions: 1.0, greater_is_better=True)
    assert make_metric(eval_fn=lambda predictions: 1.0, greater_is_better=True, name="one").name == "one"

    class NoName:
        def __call__(self, predictions):
            return 1.0

    with pytest.raises(WorkbenchException, match="does not have a `__name__` attribute"):
        make_metric(eval_fn=NoName(), greater_is_better=True)
    with pytest.raises(WorkbenchException) as err:
        make_metric(eval_fn=lambda predictions: 1.0, greater_is_better=True, name="a/b")
    assert str(err.value).startswith(
        "Invalid metric name 'a/b'. Metric names cannot include forward slashes ('/')"
    )
    assert err.value.error_code == "INVALID_PARAMETER_VALUE"


@pytest.mark.parametrize(
    ("name", "needle"),
    [("my-metric", "not a valid Python identifier"), ("class", "reserved Python keyword"),
     ("metrics", "special parameter name")],
)
def test_make_metric_warns_on_names_other_metrics_cannot_use(name, needle):
    with pytest.warns(MetricWarning, match=needle):
        make_metric(eval_fn=lambda predictions: 1.0, greater_is_better=True, name=name)


def test_evaluation_metric_attributes_str_and_call():
    def f(predictions, targets, metrics, scale=2):
        return scale

    m = EvaluationMetric(f, "f", True, version="v1", metric_details="d", metric_metadata={"a": 1})
    assert str(m) == (
        "EvaluationMetric(name=f, greater_is_better=True, long_name=f, version=v1, "
        "metric_details=d, metric_metadata={'a': 1})"
    )
    assert m.key == "f/v1"
    assert m(predictions=1, targets=2, metrics={}) == 2
    assert list(inspect.signature(m).parameters) == ["predictions", "targets", "metrics", "scale"]
    assert all(p.kind is p.KEYWORD_ONLY for p in inspect.signature(m).parameters.values())


# --------------------------------------------------------------------------- key naming


def test_key_naming_float_version_and_aggregates(eval_df):
    def scalar(predictions, targets):
        return float((predictions - targets).abs().max())

    def per_row(predictions, targets):
        return MetricValue(scores=(predictions - targets).abs().tolist())

    def custom_aggs(predictions):
        return MetricValue(aggregate_results={"custom_aggs": 1.0, "extra": 2.0, "skipped": None})

    flat, values = run(
        [
            make_metric(eval_fn=scalar, greater_is_better=False),
            make_metric(eval_fn=scalar, greater_is_better=False, name="scalar_v", version="v2"),
            make_metric(eval_fn=per_row, greater_is_better=False),
            make_metric(eval_fn=per_row, greater_is_better=False, name="per_row_v", version="v1"),
            make_metric(eval_fn=custom_aggs, greater_is_better=True),
        ],
        eval_df,
    )
    assert list(flat) == [
        "scalar", "scalar_v/v2",
        "per_row/mean", "per_row/variance", "per_row/p90",
        "per_row_v/v1/mean", "per_row_v/v1/variance", "per_row_v/v1/p90",
        "custom_aggs", "custom_aggs/extra",
    ]
    assert flat["scalar"] == 2.0
    assert flat["per_row/mean"] == pytest.approx(0.75)
    assert flat["per_row/p90"] == pytest.approx(np.percentile([0, 0, 1, 2], 90))
    assert list(values) == ["scalar", "scalar_v/v2", "per_row", "per_row_v/v1", "custom_aggs"]
    assert values["scalar"] == MetricValue(aggregate_results={"scalar": 2.0})


def test_flatten_with_metric_prefix_matches_mlflow_naming():
    values = {"mae": MetricValue(aggregate_results={"mae": 1.0}),
              "rows/v1": MetricValue(scores=[1.0, 3.0])}
    assert flatten_metric_values(values, "val_") == {
        "val_mae": 1.0, "val_rows/v1/val_mean": 2.0, "val_rows/v1/val_variance": 1.0,
        "val_rows/v1/val_p90": 2.8,
    }
    assert flatten_metric_values(values, None) == flatten_metric_values(values)


# --------------------------------------------------------------------------- resolution


def test_resolves_predictions_targets_metrics_columns_config_and_defaults(eval_df, input_df):
    seen = {}

    def everything(predictions, targets, metrics, x, city, scale, unused=7, *args, **kwargs):
        seen.update(predictions=predictions, targets=targets, metrics=metrics, x=x, city=city,
                    scale=scale, unused=unused, args=args, kwargs=kwargs)
        return 1.0

    run([make_metric(eval_fn=everything, greater_is_better=True)], eval_df, input_df=input_df,
        evaluator_config={"scale": 3})
    assert seen["predictions"].tolist() == [1.0, 2.0, 4.0, 3.0]
    assert seen["predictions"].name == "prediction"
    assert seen["targets"].tolist() == [1.0, 2.0, 3.0, 5.0]
    assert seen["metrics"] == {k: MetricValue(aggregate_results={k: v}) for k, v in BUILTIN.items()}
    assert seen["x"].tolist() == [10.0, 20.0, 30.0, 40.0]
    assert seen["city"].tolist() == list("abcd")
    assert (seen["scale"], seen["unused"], seen["args"], seen["kwargs"]) == (3, 7, (), {})


def test_keyword_only_parameters_are_passed_by_keyword(eval_df):
    def kw_only(predictions, *, targets):
        return float(targets.sum())

    flat, _ = run([make_metric(eval_fn=kw_only, greater_is_better=True)], eval_df)
    assert flat == {"kw_only": 11.0}


def test_input_columns_can_come_from_eval_df(eval_df):
    df = eval_df.assign(x=[1.0, 1.0, 1.0, 1.0])

    def uses_x(predictions, x):
        return float((predictions * x).sum())

    assert run([make_metric(eval_fn=uses_x, greater_is_better=True)], df)[0] == {"uses_x": 10.0}


def test_col_mapping_renames_and_passes_data(eval_df, input_df):
    def mapped(predictions, feature, weights):
        return float((feature * weights).sum())

    metric = make_metric(eval_fn=mapped, greater_is_better=True)
    flat, _ = run([metric], eval_df, input_df=input_df,
                  col_mapping={"feature": "x", "weights": [1, 0, 0, 1]})
    assert flat == {"mapped": 50.0}
    # col_mapping is read from evaluator_config when not given separately
    flat, _ = run([metric], eval_df, input_df=input_df,
                  evaluator_config={"col_mapping": {"feature": "x", "weights": np.ones(4)}})
    assert flat == {"mapped": 100.0}


def test_col_mapping_to_predictions_and_targets(eval_df):
    def renamed(y_hat, y_true):
        return float((y_hat - y_true).sum())

    # two parameters that are not (predictions, targets) are the legacy form, so add a third
    def renamed3(y_hat, y_true, metrics):
        return float((y_hat - y_true).sum())

    flat, _ = run([make_metric(eval_fn=renamed3, greater_is_better=True)], eval_df,
                  col_mapping={"y_hat": "predictions", "y_true": "targets"})
    assert flat == {"renamed3": -1.0}


def test_named_prediction_and_target_columns(eval_df):
    def by_names(pred, label, metrics):
        return float(pred.sum() - label.sum())

    flat, _ = run([make_metric(eval_fn=by_names, greater_is_better=True)], eval_df,
                  predictions_name="pred", targets_name="label")
    assert flat == {"by_names": -1.0}


def test_precedence_input_column_before_config_before_metric(eval_df, input_df):
    def pick(predictions, x, mean_absolute_error, scale):
        return float(x.iloc[0]) + mean_absolute_error.aggregate_results["mean_absolute_error"] + scale

    flat, _ = run([make_metric(eval_fn=pick, greater_is_better=True)], eval_df, input_df=input_df,
                  evaluator_config={"x": 1000.0, "scale": 1.0})
    assert flat == {"pick": 10.0 + 0.75 + 1.0}
    # evaluator_config beats a metric of the same name
    flat, _ = run([make_metric(eval_fn=pick, greater_is_better=True)], eval_df, input_df=input_df,
                  evaluator_config={"mean_absolute_error": MetricValue(aggregate_results={"mean_absolute_error": 5.0}), "scale": 0.0})
    assert flat == {"pick": 15.0}


def test_legacy_form_gets_two_columns_and_flat_metrics_so_far(eval_df, input_df):
    seen = {}

    def per_row(predictions, targets):
        return MetricValue(scores=(predictions - targets).tolist())

    def legacy(eval_df, builtin_metrics):
        seen["columns"] = list(eval_df.columns)
        seen["metrics"] = dict(builtin_metrics)
        eval_df["prediction"] = 0.0  # mutation must not leak
        builtin_metrics.clear()
        return 1.0

    def after(predictions, targets):
        return float(predictions.sum())

    flat, _ = run([make_metric(eval_fn=per_row, greater_is_better=True, version="v1"),
                   make_metric(eval_fn=legacy, greater_is_better=True),
                   make_metric(eval_fn=after, greater_is_better=True)],
                  eval_df.assign(x=1.0), input_df=input_df)
    assert seen["columns"] == ["prediction", "target"]
    assert list(seen["metrics"]) == [*BUILTIN, "per_row/v1/mean", "per_row/v1/variance", "per_row/v1/p90"]
    assert flat["after"] == 10.0


@pytest.mark.parametrize(
    ("params", "legacy"),
    [(("eval_df", "builtin_metrics"), True), (("a", "b"), True),
     (("predictions", "b"), False), (("a", "targets"), False), (("predictions", "targets"), False)],
)
def test_legacy_detection_is_mlflows(params, legacy, eval_df):
    seen = {}
    namespace = {"seen": seen}
    exec(f"def fn({params[0]}=None, {params[1]}=None):\n    seen['first'] = {params[0]}\n    return 1.0", namespace)
    run([make_metric(eval_fn=namespace["fn"], greater_is_better=True)], eval_df)
    assert isinstance(seen["first"], pd.DataFrame) is legacy


def test_targets_missing_uses_default_else_pinned_error():
    df = pd.DataFrame({"prediction": [1.0, 2.0]})

    def with_default(predictions, targets=None):
        return 0.0 if targets is None else 1.0

    assert run([make_metric(eval_fn=with_default, greater_is_better=True)], df)[0] == {"with_default": 0.0}

    def needs(predictions, targets):
        return 1.0

    with pytest.raises(WorkbenchException) as err:
        run([make_metric(eval_fn=needs, greater_is_better=True)], df, builtin_metrics={"example_count": 2.0})
    assert str(err.value) == (
        "Cannot compute these extra metrics: parameters of their eval_fn have no value.\n"
        "- metric 'needs' (index 0 in extra_metrics): parameter 'targets' needs the targets, but "
        "the data has none; pass targets= to evaluate().\n"
        "Input columns: []\n"
        "Output columns: ['predictions']\n"
        "Metrics: ['example_count']\n"
        "To fix: give the parameter a default, add it to evaluator_config, map it to an existing "
        "column with evaluator_config={'col_mapping': {'<parameter>': '<column>'}}."
    )
    assert err.value.error_code == "INVALID_PARAMETER_VALUE"


def test_unresolvable_parameter_pinned_error(eval_df, input_df):
    def needs_col(predictions, missing_col, other):
        return 1.0

    with pytest.raises(WorkbenchException) as err:
        run([make_metric(eval_fn=needs_col, greater_is_better=True)], eval_df, input_df=input_df,
            col_mapping={"other": "nowhere"}, targets_name="label")
    assert str(err.value) == (
        "Cannot compute these extra metrics: parameters of their eval_fn have no value.\n"
        "- metric 'needs_col' (index 0 in extra_metrics): parameter 'missing_col' matches no "
        "input column, model output column, evaluator_config key or metric.\n"
        "- metric 'needs_col' (index 0 in extra_metrics): parameter 'other' (mapped to 'nowhere') "
        "matches no input column, model output column, evaluator_config key or metric.\n"
        "Input columns: ['x', 'city', 'label']\n"
        "Output columns: ['predictions']\n"
        "Metrics: ['example_count', 'mean_absolute_error', 'mean_squared_error']\n"
        "To fix: give the parameter a default, add it to evaluator_config, map it to an existing "
        "column with evaluator_config={'col_mapping': {'<parameter>': '<column>'}}."
    )


def test_dependency_order_and_other_metrics_by_name(eval_df):
    calls = []

    def worst(abs_error):
        calls.append("worst")
        return max(abs_error.scores)

    def abs_error(predictions, targets):
        calls.append("abs_error")
        return MetricValue(scores=(predictions - targets).abs().tolist())

    def spread(worst, abs_error, metrics):
        calls.append("spread")
        assert set(metrics) >= {"abs_error/v1", "worst"}
        return worst.aggregate_results["worst"] - min(abs_error.scores)

    flat, values = run(
        [make_metric(eval_fn=spread, greater_is_better=False),
         make_metric(eval_fn=worst, greater_is_better=False),
         make_metric(eval_fn=abs_error, greater_is_better=False, version="v1")],
        eval_df,
    )
    assert calls == ["abs_error", "worst", "spread"]
    assert list(values) == ["abs_error/v1", "worst", "spread"]
    assert flat["worst"] == 2.0 and flat["spread"] == 2.0


def test_builtin_metric_by_name(eval_df):
    def doubled(predictions, mean_absolute_error):
        return 2 * mean_absolute_error.aggregate_results["mean_absolute_error"]

    assert run([make_metric(eval_fn=doubled, greater_is_better=False)], eval_df)[0] == {"doubled": 1.5}


def test_dependency_that_returned_none_is_passed_as_none(eval_df):
    def nothing(predictions, targets):
        return None

    def uses(predictions, nothing):
        return 1.0 if nothing is None else 2.0

    with pytest.warns(MetricWarning, match="returned None"):
        flat, values = run([make_metric(eval_fn=uses, greater_is_better=True),
                            make_metric(eval_fn=nothing, greater_is_better=True)], eval_df)
    assert flat == {"uses": 1.0} and list(values) == ["uses"]


def test_cycle_is_a_clear_error(eval_df):
    def a(predictions, b):
        return 1.0

    def b(predictions, c):
        return 1.0

    def c(predictions, a):
        return 1.0

    def fine(predictions, targets):
        return 1.0

    with pytest.raises(WorkbenchException) as err:
        run([make_metric(eval_fn=f, greater_is_better=True) for f in (fine, a, b, c)], eval_df)
    message = str(err.value)
    assert "- metric 'a' (index 1 in extra_metrics): parameter 'b' matches no input column" in message
    assert "- metric 'c' (index 3 in extra_metrics): parameter 'a' matches no input column" in message
    assert "fine" not in message
    assert "Circular dependency among extra metrics: a -> b -> c -> a.\n" in message
    assert message.endswith(", or break the circular dependency.")


def test_self_dependency_is_a_cycle(eval_df):
    def selfish(predictions, selfish):
        return 1.0

    with pytest.raises(WorkbenchException, match=r"Circular dependency among extra metrics: selfish -> selfish\."):
        run([make_metric(eval_fn=selfish, greater_is_better=True)], eval_df)


def test_metric_that_raises_names_the_metric(eval_df):
    def boom(predictions, targets):
        raise ZeroDivisionError("division by zero")

    with pytest.raises(WorkbenchException) as err:
        run([make_metric(eval_fn=lambda predictions: 1.0, greater_is_better=True, name="ok"),
             make_metric(eval_fn=boom, greater_is_better=True)], eval_df)
    assert str(err.value) == (
        "Metric 'boom' at index 1 in extra_metrics raised ZeroDivisionError: division by zero. "
        "Fix its eval_fn (the error is chained below) or remove it from extra_metrics."
    )
    assert isinstance(err.value.__cause__, ZeroDivisionError)


@pytest.mark.parametrize(
    ("value", "why"),
    [
        (None, "returned None."),
        ("0.5", "did not return a MetricValue (got str); return a number or a workbench.metrics.MetricValue."),
        (MetricValue(scores=(1.0, 2.0)), "must return MetricValue with scores as a list."),
        (MetricValue(scores=[object()]), "must return MetricValue with numeric or string scores."),
        (MetricValue(justifications="x"), "must return MetricValue with justifications as a list."),
        (MetricValue(justifications=[1]), "must return MetricValue with string justifications."),
        (MetricValue(aggregate_results=[1]), "must return MetricValue with aggregate_results as a dict."),
        (MetricValue(aggregate_results={"a": "b"}),
         "must return MetricValue with aggregate_results with str keys and numeric values."),
    ],
)
def test_malformed_values_warn_and_skip(value, why, eval_df):
    def bad(predictions):
        return value

    with pytest.warns(MetricWarning) as record:
        flat, values = run([make_metric(eval_fn=bad, greater_is_better=True)], eval_df)
    assert (flat, values) == ({}, {})
    assert str(record[0].message) == (
        f"Did not log metric 'bad' at index 0 in the `extra_metrics` parameter because it {why}"
    )


def test_numbers_of_any_kind_become_aggregates(eval_df):
    fns = {"i": lambda predictions: 3, "f32": lambda predictions: np.float32(0.5),
           "b": lambda predictions: True, "i64": lambda predictions: np.int64(2)}
    flat, _ = run([make_metric(eval_fn=f, greater_is_better=True, name=n) for n, f in fns.items()], eval_df)
    assert flat == {"i": 3.0, "f32": 0.5, "b": 1.0, "i64": 2.0}
    assert all(type(v) is float for v in flat.values())


def test_string_scores_and_justifications_give_no_flat_keys(eval_df):
    def judged(predictions):
        return MetricValue(scores=["good"] * 4, justifications=["because"] * 4)

    flat, values = run([make_metric(eval_fn=judged, greater_is_better=True)], eval_df)
    assert flat == {} and values["judged"].justifications == ["because"] * 4


def test_callers_data_is_not_mutated(eval_df, input_df):
    def mutate(predictions, targets, metrics, x):
        predictions[:] = 0
        targets[:] = 0
        x[:] = 0
        metrics["mean_absolute_error"].aggregate_results["mean_absolute_error"] = -1
        return 1.0

    before = eval_df.copy(), input_df.copy()
    builtin = dict(BUILTIN)
    run([make_metric(eval_fn=mutate, greater_is_better=True)], eval_df, input_df=input_df,
        builtin_metrics=builtin)
    pd.testing.assert_frame_equal(eval_df, before[0])
    pd.testing.assert_frame_equal(input_df, before[1])
    assert builtin == BUILTIN


def test_wrong_metric_types_pinned_error(eval_df):
    with pytest.raises(WorkbenchException) as err:
        run([make_metric(eval_fn=lambda predictions: 1.0, greater_is_better=True, name="ok"),
             "rmse", len], eval_df)
    assert str(err.value) == (
        "In the 'extra_metrics' parameter, the following metrics have the wrong type:\n"
        "- Metric 'rmse' has type 'str'\n"
        "- Metric '<built-in function len>' has type 'builtin_function_or_method'\n"
        "Please ensure that all extra metrics are instances of workbench.models.EvaluationMetric "
        "(build them with workbench.models.make_metric)."
    )
    with pytest.raises(WorkbenchException, match=r"Wrap a single metric in a list"):
        run(make_metric(eval_fn=lambda predictions: 1.0, greater_is_better=True, name="ok"), eval_df)


def test_eval_df_needs_prediction_column():
    with pytest.raises(WorkbenchException, match=r"eval_df must be a pandas DataFrame with a 'prediction' column .*got \['target'\]"):
        compute_extra_metrics([], eval_df=pd.DataFrame({"target": [1]}), builtin_metrics={})


def test_no_metrics_is_empty(eval_df):
    assert compute_extra_metrics(None, eval_df=eval_df, builtin_metrics=BUILTIN) == ({}, {})


def test_builtin_metric_values_may_be_given_as_metric_values(eval_df):
    def m(predictions, metrics):
        return metrics["rows"].aggregate_results["mean"]

    flat, _ = run([make_metric(eval_fn=m, greater_is_better=True)], eval_df,
                  builtin_metrics={"rows": MetricValue(scores=[1.0, 3.0])})
    assert flat == {"m": 2.0}


def test_other_output_columns(eval_df):
    def conf(predictions, confidence):
        return float(confidence.mean())

    flat, _ = run([make_metric(eval_fn=conf, greater_is_better=True)], eval_df,
                  other_output_df=pd.DataFrame({"confidence": [0.5, 1.0, 0.5, 1.0]}))
    assert flat == {"conf": 0.75}


def test_million_rows_is_fast():
    import time

    n = 1_000_000
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"prediction": rng.normal(size=n), "target": rng.normal(size=n)})

    def rows(predictions, targets):
        return MetricValue(scores=(predictions - targets).abs().to_numpy())

    def top(predictions, rows):
        return max(rows.aggregate_results.values())

    start = time.perf_counter()
    flat, _ = run([make_metric(eval_fn=top, greater_is_better=True),
                   make_metric(eval_fn=rows, greater_is_better=True)], df)
    assert time.perf_counter() - start < 5  # generous: a smoke test, not a benchmark
    assert set(flat) == {"rows/mean", "rows/variance", "rows/p90", "top"}
