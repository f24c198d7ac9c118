"""Custom metrics: ``MetricValue``, ``EvaluationMetric``, ``make_metric`` and their evaluation.

The twin of MLflow 3.17.2's ``mlflow.metrics.MetricValue``, ``mlflow.models.EvaluationMetric``,
``mlflow.models.make_metric`` and of the way its default evaluator computes ``extra_metrics``.

How an ``eval_fn``'s parameters are filled (MLflow's rules, in this order for each parameter;
``col_mapping`` first renames the parameter to a column name, or maps it to the data itself):

1. an ``eval_fn`` with exactly two parameters, unless the first is named ``predictions`` or the
   second ``targets``, is the legacy form ``eval_fn(eval_df, builtin_metrics)``: it receives a
   copy of the frame of ``prediction`` and ``target`` columns and the flat dict of the metric
   values computed so far (``{key: float}``);
2. ``predictions`` (or the name of the predictions column) -> the predictions Series;
3. ``targets`` (or the name of the targets column) -> the targets Series (when the data has none,
   the parameter's default, else an error);
4. ``metrics`` -> ``{key: MetricValue}`` of the builtin metrics and the extra metrics computed so far;
5. any other name -> an input (feature) column of that name, else another model output column,
   else the ``evaluator_config`` value of that key, else the ``MetricValue`` of the builtin or
   extra metric of that name (extra metrics are computed in dependency order), else the
   parameter's default, else an error naming the parameter.

Key naming of the flat metrics (``name`` or ``name/version`` per metric): an aggregate whose name
equals the metric's name is stored under the metric's key (a metric returning a float);
the others under ``key/aggregate`` (``name/mean``, ``name/variance``, ``name/p90``,
``name/v1/mean`` ...).

Departures from MLflow (each where MLflow fails or surprises; see also ``compute_extra_metrics``):

- ``*args`` / ``**kwargs`` parameters are not resolved (MLflow looks for a column named
  ``kwargs`` and fails); keyword-only parameters are passed by keyword (MLflow passes every
  argument by position, which fails for them).
- MLflow first runs every metric on the first row and then on all rows; here each ``eval_fn`` runs
  once, on all rows. So a metric that raises is reported once, with its name and index; a
  legacy ``(eval_df, builtin_metrics)`` metric no longer sees row-0 values of metrics computed
  after it (itself included); and per-row ``evaluator_config`` values such as
  ``sample_weight`` work (MLflow's row-0 pass fails on their length).
- ``MetricValue(scores=...)`` also accepts a numpy array or pandas Series of scores (kept as a
  list); an empty list of scores gets no aggregates instead of raising.
- The copies handed to an ``eval_fn`` are cheap (one copy of the two-column frame, new lists and
  dicts) rather than ``copy.deepcopy`` of every score list.
"""

from __future__ import annotations

import inspect
import keyword
import numbers
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
import pandas as pd

from workbench._exceptions import INVALID_PARAMETER_VALUE, WorkbenchException

__all__ = [
    "EvaluationMetric",
    "MetricValue",
    "MetricWarning",
    "compute_extra_metrics",
    "flatten_metric_values",
    "make_metric",
    "standard_aggregations",
]


class MetricWarning(UserWarning):
    """A custom metric was skipped or has a name that limits its use (MLflow logs these)."""


def _is_number_type(t: type) -> bool:
    # MLflow's test for scores that get aggregates: a number that is not a bool. Checked once
    # per distinct type (``set(map(type, scores))``), which keeps a million scores fast.
    return issubclass(t, numbers.Number) and not issubclass(t, (bool, np.bool_))


def _score_type_ok(t: type) -> bool:
    # MLflow accepts int, float and numpy numbers (bools included), str and None as scores.
    return issubclass(t, (int, float, np.number, str, type(None)))


def standard_aggregations(scores: Sequence[float]) -> dict[str, float]:
    """Return MLflow's standard aggregates of per-row scores: mean, variance, p90.

    ``variance`` is the population variance (``numpy.var``) and ``p90`` numpy's linearly
    interpolated 90th percentile, as in ``mlflow.metrics.base.standard_aggregations``.

    Examples
    --------
    >>> standard_aggregations([1.0, 2.0, 3.0, 4.0])
    {'mean': 2.5, 'variance': 1.25, 'p90': 3.7}
    """
    arr = np.asarray(scores, dtype=float)
    return {
        "mean": float(np.mean(arr)),
        "variance": float(np.var(arr)),
        "p90": float(np.percentile(arr, 90)),
    }


@dataclass
class MetricValue:
    """The value of a metric: per-row scores, per-row justifications and aggregates.

    Parameters
    ----------
    scores : list of float or str, optional
        The metric's value for each row. A numpy array or pandas Series is kept as a list.
    justifications : list of str, optional
        Why each row got its score (if applicable).
    aggregate_results : dict of str to float, optional
        Aggregates of the scores, by name. When omitted and every score is a number, MLflow's
        standard aggregates ``mean``, ``variance`` and ``p90`` are computed.

    Examples
    --------
    >>> MetricValue(scores=[1.0, 2.0, 3.0, 4.0]).aggregate_results
    {'mean': 2.5, 'variance': 1.25, 'p90': 3.7}
    >>> MetricValue(aggregate_results={"rmse": 0.5})
    MetricValue(scores=None, justifications=None, aggregate_results={'rmse': 0.5})
    """

    scores: list[str] | list[float] | None = None
    justifications: list[str] | None = None
    aggregate_results: dict[str, float] | None = None

    def __post_init__(self) -> None:
        if isinstance(self.scores, (np.ndarray, pd.Series)):
            arr = np.asarray(self.scores)
            if self.aggregate_results is None and arr.dtype.kind in "iuf" and arr.size > 0:
                self.aggregate_results = standard_aggregations(arr)  # numbers: no per-row check
            self.scores = list(arr.tolist())
        if (
            self.aggregate_results is None
            and isinstance(self.scores, (list, tuple))
            and len(self.scores) > 0
            and all(_is_number_type(t) for t in set(map(type, self.scores)))
        ):
            self.aggregate_results = standard_aggregations(self.scores)

    def _copy(self) -> MetricValue:
        # A copy the caller's eval_fn may mutate freely; far cheaper than copy.deepcopy.
        return MetricValue(
            scores=list(self.scores) if isinstance(self.scores, (list, tuple)) else self.scores,
            justifications=(
                list(self.justifications)
                if isinstance(self.justifications, (list, tuple))
                else self.justifications
            ),
            aggregate_results=(
                dict(self.aggregate_results)
                if isinstance(self.aggregate_results, dict)
                else self.aggregate_results
            ),
        )


class EvaluationMetric:
    """An evaluation metric: a function and its name, as ``mlflow.models.EvaluationMetric``.

    Parameters
    ----------
    eval_fn : callable
        Computes the metric; its parameters are filled by name (see the module docstring):
        ``eval_fn(predictions, targets, metrics, **kwargs) -> float | MetricValue``, or the
        legacy ``eval_fn(eval_df, builtin_metrics) -> float | MetricValue``.
    name : str
        The metric's name, also its key in the result's metrics.
    greater_is_better : bool
        Whether a greater value of the metric is better.
    long_name : str, optional
        A longer name, e.g. ``"mean_squared_error"`` for ``"mse"``; defaults to ``name``.
    version : str, optional
        The metric version, e.g. ``"v1"``; the metric's key is then ``name/version``.
    metric_details : str, optional
        How the metric is calculated.
    metric_metadata : dict, optional
        Metadata about the metric.
    genai_metric_args : dict, optional
        Kept for MLflow compatibility (arguments of a GenAI metric); unused here.

    Examples
    --------
    >>> m = EvaluationMetric(lambda predictions: 1.0, "one", greater_is_better=True)
    >>> print(m)
    EvaluationMetric(name=one, greater_is_better=True, long_name=one)
    >>> m(predictions=[1, 2])
    1.0
    """

    def __init__(
        self,
        eval_fn: Callable[..., Any],
        name: str,
        greater_is_better: bool,
        long_name: str | None = None,
        version: str | None = None,
        metric_details: str | None = None,
        metric_metadata: dict[str, Any] | None = None,
        genai_metric_args: dict[str, Any] | None = None,
    ) -> None:
        self.eval_fn = eval_fn
        self.name = name
        self.greater_is_better = greater_is_better
        self.long_name = long_name or name
        self.version = version
        self.metric_details = metric_details
        self.metric_metadata = metric_metadata
        self.genai_metric_args = genai_metric_args
        # Calling the metric takes eval_fn's parameters by keyword; say so to inspect/IDEs.
        try:
            params = inspect.signature(eval_fn).parameters.values()
        except (TypeError, ValueError):
            pass
        else:
            self.__signature__ = inspect.Signature(
                [
                    p.replace(kind=inspect.Parameter.KEYWORD_ONLY)
                    if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
                    else p
                    for p in params
                    if p.kind is not p.VAR_POSITIONAL
                ]
            )

    def __call__(self, **kwargs: Any) -> Any:
        """Call ``eval_fn`` with keyword arguments (as MLflow's callable metrics do)."""
        return self.eval_fn(**kwargs)

    def __str__(self) -> str:
        parts = [f"name={self.name}, greater_is_better={self.greater_is_better}"]
        if self.long_name:
            parts.append(f"long_name={self.long_name}")
        if self.version:
            parts.append(f"version={self.version}")
        if self.metric_details:
            parts.append(f"metric_details={self.metric_details}")
        if self.metric_metadata:
            parts.append(f"metric_metadata={self.metric_metadata}")
        return "EvaluationMetric(" + ", ".join(parts) + ")"

    __repr__ = __str__

    @property
    def key(self) -> str:
        """The metric's key among the result's metric values: ``name`` or ``name/version``."""
        return f"{self.name}/{self.version}" if self.version else self.name


_RESERVED = ("predictions", "targets", "metrics")


def make_metric(
    *,
    eval_fn: Callable[..., Any],
    greater_is_better: bool,
    name: str | None = None,
    long_name: str | None = None,
    version: str | None = None,
    metric_details: str | None = None,
    metric_metadata: dict[str, Any] | None = None,
    genai_metric_args: dict[str, Any] | None = None,
) -> EvaluationMetric:
    """Create an :class:`EvaluationMetric`, as ``mlflow.models.make_metric``.

    Parameters
    ----------
    eval_fn : callable
        ``eval_fn(predictions, targets, metrics, **kwargs) -> float | MetricValue`` or the
        legacy ``eval_fn(eval_df, builtin_metrics)``; see :class:`EvaluationMetric`.
    greater_is_better : bool
        Whether a greater value of the metric is better.
    name : str, optional
        The metric's name; defaults to ``eval_fn.__name__`` and is required for a lambda.
        It may not contain ``/``.
    long_name, version, metric_details, metric_metadata, genai_metric_args
        As in :class:`EvaluationMetric`.

    Returns
    -------
    EvaluationMetric

    Raises
    ------
    WorkbenchException
        When no name can be found, or the name contains ``/``.

    Examples
    --------
    The seed's example, with ``mlflow`` replaced by ``workbench``:

    >>> import numpy as np
    >>> import workbench.evaluation._custom_metrics as cm
    >>> def root_mean_squared_error(eval_df, _builtin_metrics):
    ...     return np.sqrt((np.abs(eval_df["prediction"] - eval_df["target"]) ** 2).mean())
    >>> rmse_metric = cm.make_metric(eval_fn=root_mean_squared_error, greater_is_better=False)
    >>> rmse_metric.name
    'root_mean_squared_error'
    >>> cm.make_metric(eval_fn=lambda predictions: 0.0, greater_is_better=True)
    Traceback (most recent call last):
    ...
    workbench._exceptions.WorkbenchException: `name` must be specified if `eval_fn` is a lambda function...
    """
    if name is None:
        if getattr(eval_fn, "__name__", None) == "<lambda>":
            raise WorkbenchException(
                "`name` must be specified if `eval_fn` is a lambda function. "
                "Pass make_metric(..., name='my_metric').",
                error_code=INVALID_PARAMETER_VALUE,
            )
        if not hasattr(eval_fn, "__name__"):
            raise WorkbenchException(
                "`name` must be specified if `eval_fn` does not have a `__name__` attribute "
                f"(got a {type(eval_fn).__name__}). Pass make_metric(..., name='my_metric').",
                error_code=INVALID_PARAMETER_VALUE,
            )
        name = eval_fn.__name__
    if not isinstance(name, str) or not name:
        raise WorkbenchException(
            f"Invalid metric name {name!r}: expected a non-empty str.",
            error_code=INVALID_PARAMETER_VALUE,
        )
    if "/" in name:
        raise WorkbenchException(
            f"Invalid metric name '{name}'. Metric names cannot include forward slashes ('/'); "
            "the slash separates a metric's name from its version and aggregates.",
            error_code=INVALID_PARAMETER_VALUE,
        )
    if not callable(eval_fn):
        raise WorkbenchException(
            f"`eval_fn` must be callable, got {type(eval_fn).__name__}.",
            error_code=INVALID_PARAMETER_VALUE,
        )
    if not name.isidentifier():
        warnings.warn(
            f"The metric name '{name}' is not a valid Python identifier, so other metrics cannot "
            "take it as a parameter. Use a name like 'my_metric' to allow derived metrics.",
            MetricWarning,
            stacklevel=2,
        )
    elif keyword.iskeyword(name):
        warnings.warn(
            f"The metric name '{name}' is a reserved Python keyword, so other metrics cannot take "
            "it as a parameter. Use another name to allow derived metrics.",
            MetricWarning,
            stacklevel=2,
        )
    if name in _RESERVED:
        warnings.warn(
            f"The metric name '{name}' is a special parameter name ({', '.join(_RESERVED)}), so "
            "other metrics cannot take it as a parameter. Use another name to allow derived "
            "metrics.",
            MetricWarning,
            stacklevel=2,
        )
    return EvaluationMetric(
        eval_fn=eval_fn,
        name=name,
        greater_is_better=greater_is_better,
        long_name=long_name,
        version=version,
        metric_details=metric_details,
        metric_metadata=metric_metadata,
        genai_metric_args=genai_metric_args,
    )


# --------------------------------------------------------------------------- key naming


def flatten_metric_values(
    metric_values: Mapping[str, MetricValue], metric_prefix: str | None = None
) -> dict[str, float]:
    """Flatten ``{key: MetricValue}`` into the result's ``{metric key: float}``, MLflow's way.

    An aggregate named like the metric (the part of the key before any ``/``) is stored under the
    metric's key; every other aggregate under ``key/aggregate``. ``None`` aggregates are left out.
    With ``metric_prefix`` (the evaluator_config key), MLflow prefixes both the metric keys and
    the aggregate names, so a per-row metric ``foo`` with prefix ``val_`` gives ``val_foo/val_mean``;
    that is kept here so that keys match MLflow's.

    Examples
    --------
    >>> flatten_metric_values({
    ...     "rmse": MetricValue(aggregate_results={"rmse": 0.5}),
    ...     "acc/v1": MetricValue(aggregate_results={"acc": 0.9}),
    ...     "per_row": MetricValue(scores=[1.0, 3.0]),
    ... })
    {'rmse': 0.5, 'acc/v1': 0.9, 'per_row/mean': 2.0, 'per_row/variance': 1.0, 'per_row/p90': 2.8}
    >>> flatten_metric_values({"foo": MetricValue(scores=[1.0, 3.0])}, "val_")
    {'val_foo/val_mean': 2.0, 'val_foo/val_variance': 1.0, 'val_foo/val_p90': 2.8}
    """
    prefix = metric_prefix if isinstance(metric_prefix, str) else ""
    flat: dict[str, float] = {}
    for key, value in metric_values.items():
        if not value.aggregate_results:
            continue
        key = f"{prefix}{key}"
        base = key.split("/")[0]
        for agg_name, agg_value in value.aggregate_results.items():
            if agg_value is None:
                continue
            agg_name = f"{prefix}{agg_name}"
            flat[key if agg_name == base else f"{key}/{agg_name}"] = _to_float(agg_value)
    return flat


def _to_float(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):  # pragma: no cover - validated before
        return value


# --------------------------------------------------------------------------- evaluation


@dataclass
class _Metric:
    metric: EvaluationMetric
    index: int

    @property
    def name(self) -> str:
        return self.metric.name

    @property
    def key(self) -> str:
        return self.metric.key

    @property
    def fn(self) -> Callable[..., Any]:
        return self.metric.eval_fn


class _Missing:
    """Why a parameter could not be resolved."""

    def __init__(self, param: str, column: Any, why: str) -> None:
        self.param = param
        self.column = column
        self.why = why


class _Resolver:
    def __init__(
        self,
        *,
        eval_df: pd.DataFrame,
        input_df: pd.DataFrame | None,
        other_output_df: pd.DataFrame | None,
        evaluator_config: Mapping[str, Any],
        col_mapping: Mapping[str, Any],
        predictions_name: str | None,
        targets_name: str | None,
        metric_values: dict[str, MetricValue],
    ) -> None:
        self.eval_df = eval_df
        self.has_target = "target" in eval_df.columns
        cols = ["prediction", "target"] if self.has_target else ["prediction"]
        self.core_df = eval_df[cols]
        if input_df is None:
            extra = [c for c in eval_df.columns if c not in ("prediction", "target")]
            input_df = eval_df[extra] if extra else None
        self.input_df = input_df
        self.other_output_df = other_output_df
        self.config = evaluator_config
        self.col_mapping = col_mapping
        self.predictions_names = {"predictions"} | ({predictions_name} if predictions_name else set())
        self.targets_names = {"targets"} | ({targets_name} if targets_name else set())
        self.predictions_name = predictions_name
        self.targets_name = targets_name
        self.metric_values = metric_values

    @staticmethod
    def _copy(series: pd.Series, dry: bool) -> pd.Series | None:
        return None if dry else series.copy()

    def _metric_value(self, column: str) -> MetricValue | None:
        for key, value in self.metric_values.items():
            if key.split("/")[0] == column:
                return value
        return None

    def resolve(
        self, metric: _Metric, scheduled: set[str], *, dry: bool = False
    ) -> tuple[list[Any], dict[str, Any], list[_Missing]]:
        """Return (positional args, keyword args, missing parameters); ``dry`` only checks
        that every parameter resolves, without copying any data."""
        try:
            params = inspect.signature(metric.fn).parameters
        except (TypeError, ValueError) as exc:
            raise WorkbenchException(
                f"Cannot read the parameters of eval_fn of metric '{metric.name}' at index "
                f"{metric.index} in extra_metrics ({exc}). Wrap it in a Python function with "
                "named parameters.",
                error_code=INVALID_PARAMETER_VALUE,
            ) from exc
        names = list(params)
        args: list[Any] = []
        kwargs: dict[str, Any] = {}
        missing: list[_Missing] = []
        # Legacy form eval_fn(eval_df, builtin_metrics), recognised as MLflow does.
        if len(names) == 2 and names[0] != "predictions" and names[1] != "targets":
            if dry:
                return args, kwargs, missing
            args.append(self.core_df.copy())
            args.append(flatten_metric_values(self.metric_values))
            return args, kwargs, missing
        for pname, param in params.items():
            if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
                continue  # MLflow fails here; nothing to fill
            found, value, why = self._value_for(pname, param, scheduled, dry)
            if not found:
                missing.append(_Missing(pname, self.col_mapping.get(pname, pname), why))
            elif param.kind is param.KEYWORD_ONLY:
                kwargs[pname] = value
            else:
                args.append(value)
        return args, kwargs, missing

    def _value_for(
        self, pname: str, param: inspect.Parameter, scheduled: set[str], dry: bool
    ) -> tuple[bool, Any, str]:
        column = self.col_mapping.get(pname, pname)
        has_default = param.default is not inspect.Parameter.empty
        if not isinstance(column, str):
            return True, column, ""  # col_mapping handed the data itself
        if column in self.predictions_names:
            return True, self._copy(self.eval_df["prediction"], dry), ""
        if column in self.targets_names:
            if self.has_target:
                return True, self._copy(self.eval_df["target"], dry), ""
            if has_default:
                return True, param.default, ""
            return False, None, "targets"
        if column == "metrics":
            return True, None if dry else {k: v._copy() for k, v in self.metric_values.items()}, ""
        if self.input_df is not None and column in self.input_df.columns:
            return True, self._copy(self.input_df[column], dry), ""
        if self.other_output_df is not None and column in self.other_output_df.columns:
            return True, self._copy(self.other_output_df[column], dry), ""
        if column in self.config:
            return True, self.config[column], ""
        value = self._metric_value(column)
        if value is not None:
            return True, None if dry else value._copy(), ""
        if column in scheduled:
            # A metric that is scheduled earlier but returned nothing: MLflow passes None.
            return True, None, ""
        if has_default:
            return True, param.default, ""
        return False, None, "column"


def _check_metrics(extra_metrics: Any) -> list[EvaluationMetric]:
    if extra_metrics is None:
        return []
    if isinstance(extra_metrics, EvaluationMetric) or not isinstance(extra_metrics, (list, tuple)):
        raise WorkbenchException(
            "`extra_metrics` must be a list of EvaluationMetric objects (made with "
            f"workbench.models.make_metric), got {type(extra_metrics).__name__}. "
            "Wrap a single metric in a list: extra_metrics=[metric].",
            error_code=INVALID_PARAMETER_VALUE,
        )
    bad = [m for m in extra_metrics if not isinstance(m, EvaluationMetric)]
    if bad:
        lines = "\n".join(f"- Metric '{m}' has type '{type(m).__name__}'" for m in bad)
        raise WorkbenchException(
            "In the 'extra_metrics' parameter, the following metrics have the wrong type:\n"
            f"{lines}\n"
            "Please ensure that all extra metrics are instances of "
            "workbench.models.EvaluationMetric (build them with workbench.models.make_metric).",
            error_code=INVALID_PARAMETER_VALUE,
        )
    return list(extra_metrics)


def _find_cycle(pending: list[_Metric], missing: dict[str, list[_Missing]]) -> list[str] | None:
    names = {m.name for m in pending}
    edges = {
        m.name: [x.column for x in missing[m.name] if isinstance(x.column, str) and x.column in names]
        for m in pending
    }
    for start in edges:
        path = [start]
        seen = {start}
        node = start
        while edges.get(node):
            node = edges[node][0]
            if node in seen:
                return path[path.index(node) :] + [node]
            path.append(node)
            seen.add(node)
    return None


def _unresolved_error(
    pending: list[_Metric], missing: dict[str, list[_Missing]], resolver: _Resolver
) -> WorkbenchException:
    lines = ["Cannot compute these extra metrics: parameters of their eval_fn have no value."]
    for metric in pending:
        for miss in missing[metric.name]:
            where = f"metric '{metric.name}' (index {metric.index} in extra_metrics)"
            if miss.why == "targets":
                lines.append(
                    f"- {where}: parameter '{miss.param}' needs the targets, but the data has "
                    "none; pass targets= to evaluate()."
                )
            else:
                mapped = "" if miss.column == miss.param else f" (mapped to '{miss.column}')"
                lines.append(
                    f"- {where}: parameter '{miss.param}'{mapped} matches no input column, model "
                    "output column, evaluator_config key or metric."
                )
    input_columns = [] if resolver.input_df is None else [str(c) for c in resolver.input_df.columns]
    if resolver.has_target:
        input_columns.append(resolver.targets_name or "targets")
    output_columns = (
        [] if resolver.other_output_df is None else [str(c) for c in resolver.other_output_df.columns]
    )
    output_columns.append(resolver.predictions_name or "predictions")
    lines.append(f"Input columns: {input_columns}")
    lines.append(f"Output columns: {output_columns}")
    lines.append(f"Metrics: {sorted(resolver.metric_values)}")
    cycle = _find_cycle(pending, missing)
    if cycle:
        lines.append(f"Circular dependency among extra metrics: {' -> '.join(cycle)}.")
    lines.append(
        "To fix: give the parameter a default, add it to evaluator_config, map it to an existing "
        "column with evaluator_config={'col_mapping': {'<parameter>': '<column>'}}"
        + (", or break the circular dependency." if cycle else ".")
    )
    return WorkbenchException("\n".join(lines), error_code=INVALID_PARAMETER_VALUE)


def _order(metrics: list[_Metric], resolver: _Resolver) -> list[_Metric]:
    """MLflow's dependency order: repeatedly take every metric whose parameters resolve."""
    ordered: list[_Metric] = []
    remaining = metrics
    while remaining:
        pending: list[_Metric] = []
        missing: dict[str, list[_Missing]] = {}
        progressed = False
        for metric in remaining:
            _, _, miss = resolver.resolve(metric, {m.name for m in ordered}, dry=True)
            if miss:
                pending.append(metric)
                missing[metric.name] = miss
            else:
                ordered.append(metric)
                progressed = True
        if not progressed:
            raise _unresolved_error(pending, missing, resolver)
        remaining = pending
    return ordered


def _warn_skip(metric: _Metric, why: str) -> None:
    warnings.warn(
        f"Did not log metric '{metric.name}' at index {metric.index} in the `extra_metrics` "
        f"parameter because it {why}",
        MetricWarning,
        stacklevel=4,
    )


def _checked_value(metric: _Metric, value: Any) -> MetricValue | None:
    """Validate what an eval_fn returned, as MLflow does: warn and skip what is malformed."""
    if value is None:
        _warn_skip(metric, "returned None.")
        return None
    if isinstance(value, (int, float, np.number)):  # bools too, as in MLflow
        return MetricValue(aggregate_results={metric.name: value})
    if not isinstance(value, MetricValue):
        _warn_skip(
            metric,
            f"did not return a MetricValue (got {type(value).__name__}); return a number or "
            "a workbench.metrics.MetricValue.",
        )
        return None
    if value.scores is not None:
        if not isinstance(value.scores, list):
            _warn_skip(metric, "must return MetricValue with scores as a list.")
            return None
        if not all(_score_type_ok(t) for t in set(map(type, value.scores))):
            _warn_skip(metric, "must return MetricValue with numeric or string scores.")
            return None
    if value.justifications is not None:
        if not isinstance(value.justifications, list):
            _warn_skip(metric, "must return MetricValue with justifications as a list.")
            return None
        if any(not (isinstance(j, str) or j is None) for j in value.justifications):
            _warn_skip(metric, "must return MetricValue with string justifications.")
            return None
    if value.aggregate_results is not None:
        if not isinstance(value.aggregate_results, dict):
            _warn_skip(metric, "must return MetricValue with aggregate_results as a dict.")
            return None
        if any(
            not (isinstance(k, str) and (_is_numberish(v) or v is None))
            for k, v in value.aggregate_results.items()
        ):
            _warn_skip(
                metric,
                "must return MetricValue with aggregate_results with str keys and numeric values.",
            )
            return None
    return value


def _is_numberish(value: Any) -> bool:
    return isinstance(value, (int, float, np.number))


def compute_extra_metrics(
    extra_metrics: Sequence[EvaluationMetric] | None,
    *,
    eval_df: pd.DataFrame,
    builtin_metrics: Mapping[str, float | MetricValue] | None = None,
    evaluator_config: Mapping[str, Any] | None = None,
    col_mapping: Mapping[str, Any] | None = None,
    input_df: pd.DataFrame | None = None,
    other_output_df: pd.DataFrame | None = None,
    predictions_name: str | None = None,
    targets_name: str | None = None,
) -> tuple[dict[str, float], dict[str, MetricValue]]:
    """Compute ``extra_metrics`` with MLflow's argument resolution, order and key naming.

    Parameters
    ----------
    extra_metrics : list of EvaluationMetric
        The metrics to compute, e.g. from :func:`make_metric` or ``workbench.metrics``.
    eval_df : pandas.DataFrame
        Column ``prediction`` and, when the data has targets, ``target``. Any other columns are
        taken as input (feature) columns when ``input_df`` is not given.
    builtin_metrics : dict
        The evaluator's metrics, ``{name: float}`` (or ``{key: MetricValue}``).
    evaluator_config : dict, optional
        Its values fill parameters named like its keys.
    col_mapping : dict, optional
        ``{parameter: column name or data}``; defaults to ``evaluator_config["col_mapping"]``.
    input_df : pandas.DataFrame, optional
        The input (feature) columns; only the columns that a parameter names are copied.
    other_output_df : pandas.DataFrame, optional
        Model output columns other than the predictions.
    predictions_name, targets_name : str, optional
        Names of the predictions and targets columns; parameters so named get them too.

    Returns
    -------
    (dict of str to float, dict of str to MetricValue)
        The flat metrics of the extra metrics (keys ``name``, ``name/version``,
        ``name/mean`` ...; no ``metric_prefix``: apply :func:`flatten_metric_values` to the
        metric values of all metrics for that) and their values by key (``name`` or
        ``name/version``), in the order they were computed.

    Raises
    ------
    WorkbenchException
        When a metric is not an EvaluationMetric, when a parameter has no value (naming the
        metric, the parameter, the columns there are, and a circular dependency if there is
        one), or when an ``eval_fn`` raises (naming the metric; the error is chained).

    Warns
    -----
    MetricWarning
        When an ``eval_fn`` returns None or a malformed value; the metric is skipped (MLflow
        logs a warning and skips it).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"prediction": [1.0, 2.0, 4.0], "target": [1.0, 2.0, 3.0]})
    >>> def abs_error(predictions, targets):
    ...     return MetricValue(scores=(predictions - targets).abs().tolist())
    >>> def worst(abs_error):
    ...     return max(abs_error.scores)
    >>> flat, values = compute_extra_metrics(
    ...     [make_metric(eval_fn=worst, greater_is_better=False),
    ...      make_metric(eval_fn=abs_error, greater_is_better=False, version="v1")],
    ...     eval_df=df, builtin_metrics={"max_error": 1.0})
    >>> flat
    {'abs_error/v1/mean': 0.333..., 'abs_error/v1/variance': 0.222..., 'abs_error/v1/p90': 0.8..., 'worst': 1.0}
    >>> list(values)
    ['abs_error/v1', 'worst']
    """
    metrics = _check_metrics(extra_metrics)
    if not isinstance(eval_df, pd.DataFrame) or "prediction" not in eval_df.columns:
        got = list(eval_df.columns) if isinstance(eval_df, pd.DataFrame) else type(eval_df).__name__
        raise WorkbenchException(
            "eval_df must be a pandas DataFrame with a 'prediction' column (and 'target' when "
            f"the data has targets); got {got}.",
            error_code=INVALID_PARAMETER_VALUE,
        )
    config = dict(evaluator_config or {})
    if col_mapping is None:
        col_mapping = config.get("col_mapping") or {}
    if not isinstance(col_mapping, Mapping):
        raise WorkbenchException(
            f"col_mapping must be a dict of parameter name to column name, got "
            f"{type(col_mapping).__name__}.",
            error_code=INVALID_PARAMETER_VALUE,
        )
    metric_values: dict[str, MetricValue] = {}
    for name, value in (builtin_metrics or {}).items():
        metric_values[name] = (
            value if isinstance(value, MetricValue) else MetricValue(aggregate_results={name: value})
        )
    if not metrics:
        return {}, {}
    resolver = _Resolver(
        eval_df=eval_df,
        input_df=input_df,
        other_output_df=other_output_df,
        evaluator_config=config,
        col_mapping=col_mapping,
        predictions_name=predictions_name,
        targets_name=targets_name,
        metric_values=metric_values,
    )
    ordered = _order([_Metric(m, i) for i, m in enumerate(metrics)], resolver)
    scheduled = {m.name for m in ordered}
    extra_values: dict[str, MetricValue] = {}
    for metric in ordered:
        args, kwargs, missing = resolver.resolve(metric, scheduled)
        if missing:  # pragma: no cover - the ordering guarantees every parameter resolves
            raise _unresolved_error([metric], {metric.name: missing}, resolver)
        try:
            raw = metric.fn(*args, **kwargs)
        except Exception as exc:
            raise WorkbenchException(
                f"Metric '{metric.name}' at index {metric.index} in extra_metrics raised "
                f"{type(exc).__name__}: {exc}. Fix its eval_fn (the error is chained below) or "
                "remove it from extra_metrics.",
                error_code=INVALID_PARAMETER_VALUE,
            ) from exc
        value = _checked_value(metric, raw)
        if value is None:
            continue
        metric_values[metric.key] = value
        extra_values[metric.key] = value
    return flatten_metric_values(extra_values), extra_values
