"""``evaluate()``: the twin of ``mlflow.models.evaluate``, with the seed's full signature.

The call flows one way: check the arguments (all of them, before any work) -> resolve the
model into a :class:`~workbench.evaluation._predictor.Predictor` and the data into an
:class:`~workbench.evaluation.EvaluationDataset` -> run each chosen evaluator (the default
one makes one prediction pass and computes metrics, curves, tables, the explanation, extra
metrics and custom artifacts) -> one :class:`~workbench.evaluation.EvaluationResult`.

The result is then logged to the workspace (MLflow's semantics): into the active run, or
into a run started for it and ended when it is stored (see :mod:`workbench.evaluation._persist`;
``WORKBENCH_LOG_EVALUATIONS=0`` or ``with logging_disabled():`` switch this off).

Departures from MLflow 3.17.2 (each documented in :func:`evaluate`):

- ``model`` may also be any object with ``predict`` (an estimator); MLflow refuses it.
- ``custom_metrics`` still works (a deprecated alias, as in MLflow 2) and
  ``validation_thresholds`` / ``baseline_model`` / ``baseline_config`` are accepted by name
  and refused with a pointer to :func:`~workbench.evaluation.validate_evaluation_results`
  (MLflow 3 dropped the four parameters, so passing them is a ``TypeError`` there).
- ``inference_params`` go to a pyfunc model's ``predict(params=...)``; MLflow allows them
  only for deployment endpoints.
- ``env_manager`` other than ``"local"`` is not supported yet.
- with ``evaluators`` a list, a flat ``evaluator_config`` is applied to each evaluator (MLflow
  raises); with ``evaluators`` a name, ``{name: config}`` is unwrapped.
"""

from __future__ import annotations

import logging
import time
import warnings
from typing import Any

from workbench._exceptions import (
    INTERNAL_ERROR, INVALID_PARAMETER_VALUE, IO_ERROR, NOT_IMPLEMENTED, WorkbenchException,
)

__all__ = ["evaluate"]

_logger = logging.getLogger(__name__)

#: The model types evaluate() accepts (None: extra_metrics only).
SUPPORTED_MODEL_TYPES = ("classifier", "regressor")
#: MLflow's other model types, not supported here yet.
_MLFLOW_TEXT_MODEL_TYPES = ("question-answering", "text-summarization", "text", "retriever", "databricks-agent")
_ENV_MANAGERS = ("local", "virtualenv", "conda", "uv")


def _error(message: str, code: str = INVALID_PARAMETER_VALUE) -> WorkbenchException:
    return WorkbenchException(message, error_code=code)


def _check_model_type(model_type: Any) -> None:
    if model_type is None or model_type in SUPPORTED_MODEL_TYPES:
        return
    if model_type in _MLFLOW_TEXT_MODEL_TYPES:
        raise _error(
            f"model_type {model_type!r} is an MLflow text/GenAI model type, which workbench does not "
            "evaluate yet. Use model_type='classifier' or 'regressor', or model_type=None with "
            "extra_metrics to compute only your own metrics.",
            NOT_IMPLEMENTED,
        )
    raise _error(
        f"Unsupported model_type {model_type!r}. Expected 'classifier', 'regressor', or None "
        "(with extra_metrics, to compute only those)."
    )


def _check_removed(validation_thresholds: Any, baseline_model: Any, baseline_config: Any) -> None:
    given = [
        name
        for name, value in (
            ("validation_thresholds", validation_thresholds),
            ("baseline_model", baseline_model),
            ("baseline_config", baseline_config),
        )
        if value is not None
    ]
    if given:
        raise _error(
            f"{', '.join(given)}: model validation inside evaluate() was deprecated in MLflow 2 "
            "and removed in MLflow 3, and workbench does not support it. Evaluate the candidate "
            "(and the baseline) first, then validate the results: "
            "workbench.validate_evaluation_results(validation_thresholds, candidate_result, "
            "baseline_result)."
        )


def _check_env_manager(env_manager: Any) -> None:
    if env_manager == "local":
        return
    if env_manager in _ENV_MANAGERS:
        raise _error(
            f"env_manager={env_manager!r} (restoring the model's environment) is not supported "
            "yet; workbench evaluates with env_manager='local', in this Python environment.",
            NOT_IMPLEMENTED,
        )
    raise _error(f"Invalid env_manager {env_manager!r}. Expected one of {list(_ENV_MANAGERS)}.")


def _merge_metrics(custom_metrics: Any, extra_metrics: Any) -> Any:
    if custom_metrics is None:
        return extra_metrics
    if extra_metrics:
        raise _error(
            "The 'custom_metrics' parameter in workbench.evaluate is deprecated. Please update "
            "your code to only use the 'extra_metrics' parameter instead."
        )
    warnings.warn(
        "The 'custom_metrics' parameter in workbench.evaluate is deprecated. Please update your "
        "code to use the 'extra_metrics' parameter instead.",
        FutureWarning,
        stacklevel=3,
    )
    return custom_metrics


def resolve_evaluators_and_configs(
    evaluators: Any, evaluator_config: Any, model_type: str | None
) -> list[tuple[str, Any, dict[str, Any]]]:
    """Normalise ``evaluators`` and ``evaluator_config`` into ``[(name, evaluator class, config)]``.

    MLflow's rules: with ``evaluators=None`` every registered evaluator that can evaluate the
    model type is used, and the config is flat (applied to each) unless one of its keys is an
    evaluator's name (then it maps names to configs). With a name, the config is that
    evaluator's. With a list, the config maps names to configs.

    Examples
    --------
    >>> [(n, c) for n, _, c in resolve_evaluators_and_configs(None, {"pos_label": 1}, "classifier")]
    [('default', {'pos_label': 1})]
    >>> [(n, c) for n, _, c in resolve_evaluators_and_configs(["default"], {"default": {"average": "macro"}}, "classifier")]
    [('default', {'average': 'macro'})]
    """
    from workbench.evaluation.evaluators import get_evaluator_class, list_evaluators

    if evaluator_config is not None and not isinstance(evaluator_config, dict):
        raise _error(f"evaluator_config must be a dict, got {type(evaluator_config).__name__}.")
    config = dict(evaluator_config or {})
    names = list_evaluators()

    if evaluators is None:
        if any(name in config for name in names):
            configs = {name: dict(config.get(name) or {}) for name in names}
        else:
            configs = {name: config for name in names}
        chosen = []
        for name in names:
            cls = get_evaluator_class(name)
            if cls.can_evaluate(model_type=model_type, evaluator_config=configs[name]):
                chosen.append((name, cls, configs[name]))
        return chosen

    if isinstance(evaluators, str):
        cls = get_evaluator_class(evaluators)
        if set(config) == {evaluators} and isinstance(config[evaluators], dict):
            config = dict(config[evaluators])  # {"default": {...}} with evaluators="default"
        return [(evaluators, cls, config)]

    if isinstance(evaluators, (list, tuple)):
        if not evaluators or not all(isinstance(e, str) for e in evaluators):
            raise _error(f"evaluators must be an evaluator name or a non-empty list of names, got {evaluators!r}.")
        classes = {name: get_evaluator_class(name) for name in evaluators}
        named = [key for key in config if key in evaluators]
        if named and len(named) != len(config):
            raise _error(
                "If `evaluators` argument is an evaluator name list, evaluator_config must be a "
                "dict containing mapping from evaluator name to individual evaluator config dict. "
                f"Got keys {sorted(map(str, config))}; expected only {list(evaluators)}."
            )
        if named:
            bad = [key for key in named if not isinstance(config[key], dict)]
            if bad:
                raise _error(f"evaluator_config[{bad[0]!r}] must be a dict of that evaluator's settings.")
            return [(name, classes[name], dict(config.get(name) or {})) for name in evaluators]
        # A flat config with a list of evaluators: applied to each (MLflow raises here).
        return [(name, classes[name], dict(config)) for name in evaluators]

    raise _error(
        f"evaluators must be None, an evaluator name or a list of names, got {type(evaluators).__name__}."
    )


def without_explanations(config: dict[str, Any] | None) -> dict[str, Any]:
    """``config`` with SHAP explanations turned off, flat or inside ``{"default": {...}}``.

    The ``--no-explain`` option of the ``%%evaluate`` magic and of ``workbench evaluate``.

    Examples
    --------
    >>> without_explanations({"pos_label": 1})
    {'pos_label': 1, 'log_model_explainability': False}
    >>> without_explanations({"default": {"pos_label": 1}})
    {'default': {'pos_label': 1, 'log_model_explainability': False}}
    """
    config = dict(config or {})
    if isinstance(config.get("default"), dict):
        config["default"] = {**config["default"], "log_model_explainability": False}
    else:
        config["log_model_explainability"] = False
    return config


def _check_custom_artifacts(custom_artifacts: Any) -> None:
    if custom_artifacts is None:
        return
    if callable(custom_artifacts) or not isinstance(custom_artifacts, (list, tuple)):
        raise _error(
            "custom_artifacts must be a list of functions fn(eval_df, builtin_metrics, "
            f"artifacts_dir) -> dict, got {type(custom_artifacts).__name__}. Wrap a single function "
            "in a list: custom_artifacts=[fn]."
        )
    bad = [a for a in custom_artifacts if not callable(a)]
    if bad:
        raise _error(
            f"custom_artifacts must hold functions; got {', '.join(type(b).__name__ for b in bad)}."
        )


def evaluate(
    model: Any = None,
    data: Any = None,
    *,
    model_type: str | None = None,
    targets: Any = None,
    predictions: str | None = None,
    dataset_path: str | None = None,
    feature_names: list[str] | None = None,
    evaluators: str | list[str] | None = None,
    evaluator_config: dict[str, Any] | None = None,
    custom_metrics: list[Any] | None = None,
    extra_metrics: list[Any] | None = None,
    custom_artifacts: list[Any] | None = None,
    validation_thresholds: dict[str, Any] | None = None,
    baseline_model: Any = None,
    env_manager: str = "local",
    model_config: dict[str, Any] | None = None,
    baseline_config: dict[str, Any] | None = None,
    inference_params: dict[str, Any] | None = None,
) -> Any:
    """Evaluate a model (or static predictions) on data: MLflow's metrics under MLflow's names.

    Parameters
    ----------
    model : str, os.PathLike, PyFuncModel, estimator, callable or None
        A model URI or directory (loaded with ``workbench.pyfunc.load_model``), a loaded
        :class:`~workbench.pyfunc.PyFuncModel`, any object with ``predict`` (an sklearn-style
        estimator; ``predict_proba``, ``classes_`` and ``score`` are used when present), a
        function ``fn(model_input: DataFrame) -> predictions``, or None when ``data`` holds
        the model's outputs in the ``predictions`` column (static evaluation).
    data : pandas.DataFrame, numpy.ndarray, list or EvaluationDataset
        The evaluation data. A DataFrame holds the features and, by name, the targets (and
        for static evaluation the predictions); an array or list holds the features only.
    model_type : {"classifier", "regressor"} or None
        None computes only ``extra_metrics``.
    targets : str or array-like
        The label column's name (DataFrame), or the labels (array/list data). Required for
        classifiers and regressors.
    predictions : str, optional
        Static evaluation: the column of ``data`` with the model's outputs. With a model that
        returns several columns: the output column that holds the predictions.
    dataset_path : str, optional
        Where the data is stored (recorded in the result).
    feature_names : list of str, optional
        DataFrame: the feature columns to use. Array/list: the names of its columns.
    evaluators : str or list of str, optional
        Evaluator names (see :func:`list_evaluators`); default: every evaluator that can
        evaluate the model type.
    evaluator_config : dict, optional
        Settings of the default evaluator (flat, or keyed by evaluator name): ``pos_label``,
        ``label_list``, ``average`` (default ``"weighted"``), ``sample_weights``,
        ``col_mapping``, ``metric_prefix``, ``max_classes_for_multiclass_roc_pr`` (10),
        ``log_model_explainability`` (True), ``explainability_algorithm``,
        ``explainability_nsamples`` (2000), ``explainability_kernel_link`` ("identity"),
        ``calibration_n_bins`` (10), and the workbench addition ``probability_columns``
        (static classifiers: the column with the positive class's probability, or one
        column per class in sorted label order, or ``{label: column}``). Unknown keys warn.
    custom_metrics : list of EvaluationMetric, optional
        Deprecated alias of ``extra_metrics`` (FutureWarning).
    extra_metrics : list of EvaluationMetric, optional
        Metrics made with :func:`make_metric`, computed after the built-in ones.
    custom_artifacts : list of callable, optional
        Functions ``fn(eval_df, builtin_metrics, artifacts_dir) -> {name: artifact}``.
    validation_thresholds, baseline_model, baseline_config
        Removed in MLflow 3: giving any raises, pointing at
        :func:`~workbench.evaluation.validate_evaluation_results`.
    env_manager : str, default "local"
        Only ``"local"`` is supported.
    model_config : dict, optional
        Configuration for loading ``model`` from a URI.
    inference_params : dict, optional
        Params for a pyfunc model's ``predict(data, params=...)``.

    Returns
    -------
    EvaluationResult
        ``metrics``, ``artifacts`` (custom artifacts), ``curves``, ``tables``,
        ``explanation``, ``dataset``, ``model``, ``config``, ``skipped`` (metric or output ->
        why it was not computed), ``warnings``, ``timings`` (seconds per step); ``run_id``:
        the run the result was logged to (None when logging is off).

    Notes
    -----
    As in MLflow, the result is logged: into the active run (``with workbench.start_run():``),
    else into a new run named after the model's class (``RandomForestClassifier-3f9a1c``),
    started and ended here. The run gets the scalar metrics, the tags
    ``workbench.evaluation`` and ``workbench.evaluation.model_type``, and the whole result
    under its artifacts at ``evaluation/`` (:func:`~workbench.evaluation.load_evaluation` reads
    it back). To evaluate without logging, set ``WORKBENCH_LOG_EVALUATIONS=0`` or wrap the
    call in ``workbench.evaluation._persist.logging_disabled()`` (the signature stays MLflow's).
    When logging fails, the exception carries the computed result as ``err.result``.

    Raises
    ------
    WorkbenchException
        For every bad input, before any prediction (and before any run is started):
        unsupported ``model_type`` or data kind, missing targets / predictions columns, missing target values, mismatched lengths,
        fewer than two classes, labels the model's ``predict_proba`` does not know, bad
        ``evaluator_config`` values.

    Examples
    --------
    >>> import pandas as pd
    >>> from workbench.evaluation import evaluate
    >>> df = pd.DataFrame({"x": [0.2, 0.8, 0.6, 0.1], "label": [0, 1, 1, 0], "pred": [0, 1, 0, 0]})
    >>> result = evaluate(data=df, targets="label", predictions="pred", model_type="classifier")
    >>> result.metrics["accuracy_score"], result.metrics["true_positives"]
    (0.75, 1)
    >>> import workbench
    >>> workbench.get_run(result.run_id).data.metrics["accuracy_score"]
    0.75
    """
    from workbench.evaluation._custom_metrics import _check_metrics
    from workbench.evaluation._dataset import EvaluationDataset
    from workbench.evaluation._predictor import resolve_predictor
    from workbench.evaluation._result import EvaluationResult
    from workbench.evaluation.evaluators._base import Steps

    start = time.perf_counter()
    from workbench.evaluation import _persist

    log_result = _persist.logging_enabled()  # a bad WORKBENCH_LOG_EVALUATIONS fails before any work
    _check_removed(validation_thresholds, baseline_model, baseline_config)
    extra_metrics = _check_metrics(_merge_metrics(custom_metrics, extra_metrics))
    _check_custom_artifacts(custom_artifacts)
    _check_model_type(model_type)
    _check_env_manager(env_manager)
    if data is None:
        raise _error("The data argument cannot be None: pass a DataFrame, a numpy array, a list or an EvaluationDataset.")

    bundles = resolve_evaluators_and_configs(evaluators, evaluator_config, model_type)
    default_config = next((c for n, _, c in bundles if n == "default"), None)
    if default_config is None and bundles:
        default_config = bundles[0][2]
    default_config = default_config or {}

    col_mapping = default_config.get("col_mapping") or {}
    if not isinstance(col_mapping, dict):
        raise _error(f"evaluator_config['col_mapping'] must be a dict, got {type(col_mapping).__name__}.")
    if isinstance(targets, str):
        targets = col_mapping.get(targets, targets)
    if isinstance(predictions, str):
        predictions = col_mapping.get(predictions, predictions)

    if isinstance(data, EvaluationDataset):
        if targets is not None:
            raise _error(
                "The top-level targets parameter should not be specified since an "
                "EvaluationDataset is used: the dataset names its targets. Pass "
                "evaluate(..., targets=None) or build the dataset with targets='<column>'."
            )
        if model is None and predictions is not None:
            raise _error(
                "The top-level predictions parameter should not be specified since an "
                "EvaluationDataset is used: build the dataset with predictions='<column>' and "
                "pass evaluate(..., predictions=None)."
            )
        if model is not None and data.has_predictions:
            raise _error(
                "The EvaluationDataset has a predictions column but a model is given too. Remove "
                "the predictions from the dataset, or pass model=None to evaluate the static "
                "predictions."
            )
    if model_type in SUPPORTED_MODEL_TYPES:
        has_targets = data.has_targets if isinstance(data, EvaluationDataset) else targets is not None
        if not has_targets:
            raise _error(
                f"The targets argument must be specified for {model_type} models: pass "
                "targets='<label column>' (DataFrame data) or the labels themselves (array data)."
            )
    elif model_type is None and not extra_metrics:
        raise _error(
            "The extra_metrics argument must be specified when model_type is None; or set "
            "model_type='classifier' or 'regressor' for the built-in metrics."
        )
    if not bundles:
        raise _error(
            "The model could not be evaluated by any of the registered evaluators "
            f"{evaluators!r}; check model_type ({model_type!r}) and evaluator_config."
        )

    probability_columns = default_config.get("probability_columns")
    if probability_columns is not None and model is not None:
        raise _error(
            "evaluator_config['probability_columns'] names static probability columns, so it "
            "needs model=None; with a model the probabilities come from its predict_proba."
        )

    predictor = (
        resolve_predictor(model, model_config=model_config, inference_params=inference_params)
        if model is not None
        else None
    )
    if model is None and (model_config or inference_params):
        raise _error("model_config and inference_params need a model; with model=None there is none to configure.")

    if isinstance(data, EvaluationDataset):
        dataset = data
    else:
        dataset = EvaluationDataset(
            data,
            targets=targets,
            predictions=predictions if model is None else None,
            feature_names=feature_names,
            path=dataset_path,
            probability_columns=probability_columns,
        )
    if model is None and not dataset.has_predictions:
        raise _error(
            "Either a model or set of predictions must be specified in order to use the default "
            "evaluator: pass model=..., or predictions='<column of data with the model's outputs>'."
        )

    steps = Steps(["validate", "digest", "predict", "metrics", "score", "explain",
                   "extra_metrics", "custom_artifacts", "result"])
    results = []
    try:
        for name, cls, config in bundles:
            evaluator = cls()
            result = evaluator.evaluate(
                model_type=model_type,
                dataset=dataset,
                run_id=None,
                evaluator_config=config,
                model=predictor,
                extra_metrics=list(extra_metrics),
                custom_artifacts=list(custom_artifacts or []),
                predictions=predictions if model is not None else None,
                steps=steps,
            )
            if result is not None:
                results.append(result)
    finally:
        steps.close()
    if not results:
        raise _error(
            "The model could not be evaluated by any of the registered evaluators, please verify "
            "that the model type and other configs are set correctly."
        )
    merged = results[0] if len(results) == 1 else _merge(results, EvaluationResult)
    merged.timings["total"] = time.perf_counter() - start
    if log_result:
        _log(merged)
    return merged


def _log(result: Any) -> None:
    """Log ``result`` to the workspace; a failure keeps the result on the error it raises."""
    from workbench.evaluation import _persist

    try:
        _persist.log_evaluation(result)
    except Exception as err:
        if isinstance(err, WorkbenchException):
            code = err.error_code
        else:
            code = IO_ERROR if isinstance(err, OSError) else INTERNAL_ERROR
        why = err.message if isinstance(err, WorkbenchException) else f"{type(err).__name__}: {err}"
        failure = WorkbenchException(
            f"The evaluation finished but could not be logged to the workspace: {why} The result is "
            f"err.result; to evaluate without logging, set {_persist.ENV_VAR}=0.",
            error_code=code,
        )
        failure.result = result  # type: ignore[attr-defined]
        raise failure from err


def _merge(results: list[Any], result_cls: Any) -> Any:
    metrics: dict[str, Any] = {}
    artifacts: dict[str, Any] = {}
    curves: list[Any] = []
    tables: dict[str, Any] = {}
    skipped: dict[str, str] = {}
    warnings_: list[str] = []
    timings: dict[str, float] = {}
    explanation = None
    for result in results:
        metrics.update(result.metrics)
        artifacts.update(result.artifacts)
        curves.extend(result.curves or [])
        tables.update(result.tables or {})
        skipped.update(result.skipped or {})
        warnings_.extend(result.warnings or [])
        for key, value in (result.timings or {}).items():
            timings[key] = timings.get(key, 0.0) + value
        explanation = explanation or result.explanation
    first = results[0]
    return result_cls(
        metrics, artifacts, None, curves=curves, tables=tables, explanation=explanation,
        dataset=first.dataset, model=first.model, config=first.config, skipped=skipped,
        warnings=warnings_, timings=timings,
    )
