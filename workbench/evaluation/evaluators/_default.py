"""The default evaluator: classifiers and regressors, MLflow's metrics under MLflow's names.

Steps (each timed in ``result.timings``): ``validate`` (every check on the arguments and the
data, before any prediction), ``digest``, ``predict`` (one pass), ``metrics``, ``score``,
``explain``, ``extra_metrics``, ``custom_artifacts``, ``result``.

evaluator_config keys (MLflow's, same defaults):

==================================  =========================================================
``pos_label``                       binary: the positive class (default: the larger label)
``label_list``                      labels to add to the union of targets and predictions
``average``                         multiclass averaging: "weighted" (default), "macro", "micro"
``sample_weights``                  one weight per row
``col_mapping``                     renames targets / predictions / metric parameters
``metric_prefix``                   prepended to every metric name
``max_classes_for_multiclass_roc_pr``  per-class curves up to this many classes (10)
``log_model_explainability``        SHAP explanation (True)
``explainability_algorithm``        "exact", "permutation", "partition", "kernel" (auto)
``explainability_nsamples``         rows explained (2000)
``explainability_kernel_link``      "identity" (default) or "logit"
``calibration_n_bins``              bins of the calibration curves (10)
``calibration_classifier_name``     accepted (MLflow titles its plot with it)
``probability_columns``             workbench: static class probabilities (see evaluate())
==================================  =========================================================

Keys MLflow knows but that do nothing here (``log_metrics_with_dataset_info``,
``log_explainer``, ``retriever_k``, ``eval_results_path``, ``eval_results_mode``) warn that
they are ignored; any other key warns as unknown, with the closest known key.
"""

from __future__ import annotations

import difflib
import logging
import numbers
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from workbench._exceptions import WorkbenchException
from workbench.evaluation.evaluators._base import ModelEvaluator, Steps

__all__ = ["CONFIG_KEYS", "DefaultEvaluator"]

_logger = logging.getLogger(__name__)

#: The evaluator_config keys the default evaluator reads.
CONFIG_KEYS = (
    "average",
    "calibration_classifier_name",
    "calibration_n_bins",
    "col_mapping",
    "explainability_algorithm",
    "explainability_kernel_link",
    "explainability_nsamples",
    "label_list",
    "log_model_explainability",
    "max_classes_for_multiclass_roc_pr",
    "metric_prefix",
    "pos_label",
    "probability_columns",
    "sample_weights",
)
#: MLflow keys accepted and ignored (they concern logging or other model types).
IGNORED_MLFLOW_KEYS = (
    "eval_results_mode",
    "eval_results_path",
    "log_explainer",
    "log_metrics_with_dataset_info",
    "retriever_k",
)
_AVERAGES = ("weighted", "macro", "micro")


_error = WorkbenchException.invalid_parameter_value


def _py(value: Any) -> Any:
    """A numpy scalar as the Python scalar."""
    return value.item() if isinstance(value, np.generic) else value


def _label_repr(values: Any, limit: int = 10) -> str:
    values = [_py(v) for v in values]
    shown = values[:limit]
    more = f" ... ({len(values) - limit} more)" if len(values) > limit else ""
    return repr(shown)[:-1] + more + "]" if more else repr(shown)


@dataclass
class _Settings:
    pos_label: Any = None
    label_list: list[Any] | None = None
    average: str = "weighted"
    sample_weights: np.ndarray | None = None
    col_mapping: dict[str, Any] | None = None
    metric_prefix: str = ""
    max_classes: int = 10
    explain: bool = True
    algorithm: str | None = None
    nsamples: int = 2000
    kernel_link: str = "identity"
    n_bins: int = 10


def _is_int(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _read_config(config: dict[str, Any], n_rows: int, notes: list[str]) -> _Settings:
    """Check every key's value; warn on unknown keys. Raises before any work."""
    unknown = [k for k in config if k not in CONFIG_KEYS and k not in IGNORED_MLFLOW_KEYS]
    for key in unknown:
        if isinstance(key, str) and key.startswith("calibration_"):
            continue  # MLflow hands every calibration_* key to its plot; nothing to do here
        close = difflib.get_close_matches(str(key), CONFIG_KEYS, n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        message = (f"Unknown evaluator_config key {key!r} is ignored.{hint} Known keys: "
                   f"{', '.join(CONFIG_KEYS)}.")
        warnings.warn(message, UserWarning, stacklevel=4)
        notes.append(message)
    for key in IGNORED_MLFLOW_KEYS:
        if key in config:
            message = (f"evaluator_config key {key!r} has no effect in workbench (it concerns "
                       "MLflow tracking or text models) and is ignored.")
            warnings.warn(message, UserWarning, stacklevel=4)
            notes.append(message)

    s = _Settings()
    s.pos_label = _py(config.get("pos_label"))
    label_list = config.get("label_list")
    if label_list is not None:
        if isinstance(label_list, (str, bytes)) or not hasattr(label_list, "__iter__"):
            raise _error(f"evaluator_config['label_list'] must be a list of labels, got {label_list!r}.")
        s.label_list = [_py(v) for v in label_list]
    if s.pos_label is not None and s.label_list is not None and s.pos_label not in s.label_list:
        raise _error(f"'pos_label' {s.pos_label!r} must exist in 'label_list' {s.label_list!r}.")
    average = config.get("average", "weighted")
    if average not in _AVERAGES and average != "binary":
        raise _error(
            f"evaluator_config['average'] must be one of {list(_AVERAGES)}, got {average!r}."
        )
    s.average = average
    weights = config.get("sample_weights")
    if weights is not None:
        w = weights.to_numpy() if isinstance(weights, (pd.Series, pd.Index)) else np.asarray(weights)
        if w.ndim != 1 or len(w) != n_rows:
            raise _error(
                f"evaluator_config['sample_weights'] has {w.size if w.ndim != 1 else len(w)} values "
                f"but the data has {n_rows} rows; give one weight per row."
            )
        try:
            w = w.astype(float)
        except (TypeError, ValueError):
            raise _error(f"evaluator_config['sample_weights'] must be numbers, got dtype {w.dtype}.") from None
        if not np.isfinite(w).all():
            bad = np.flatnonzero(~np.isfinite(w))
            raise _error(
                f"evaluator_config['sample_weights'] holds {len(bad)} NaN or infinite value(s), "
                f"first at row {int(bad[0])}; every weight must be a finite number."
            )
        s.sample_weights = w
    col_mapping = config.get("col_mapping") or {}
    if not isinstance(col_mapping, dict):
        raise _error(f"evaluator_config['col_mapping'] must be a dict, got {type(col_mapping).__name__}.")
    s.col_mapping = col_mapping
    prefix = config.get("metric_prefix") or ""
    if not isinstance(prefix, str):
        raise _error(f"evaluator_config['metric_prefix'] must be a string, got {prefix!r}.")
    s.metric_prefix = prefix
    max_classes = config.get("max_classes_for_multiclass_roc_pr", 10)
    if not _is_int(max_classes) or max_classes < 1:
        raise _error(
            "evaluator_config['max_classes_for_multiclass_roc_pr'] must be a positive integer, "
            f"got {max_classes!r}."
        )
    s.max_classes = int(max_classes)
    s.explain = bool(config.get("log_model_explainability", True))
    algorithm = config.get("explainability_algorithm")
    from workbench.evaluation._explain import KERNEL_LINKS, SUPPORTED_ALGORITHMS

    if algorithm is not None and algorithm not in SUPPORTED_ALGORITHMS:
        raise _error(
            f"Specified explainer algorithm {algorithm} is unsupported. Currently only support "
            f"{','.join(SUPPORTED_ALGORITHMS)} algorithms (or leave explainability_algorithm "
            "unset to choose the explainer for the model)."
        )
    s.algorithm = algorithm
    nsamples = config.get("explainability_nsamples", 2000)
    if not _is_int(nsamples) or nsamples < 1:
        raise _error(f"evaluator_config['explainability_nsamples'] must be a positive integer, got {nsamples!r}.")
    s.nsamples = int(nsamples)
    link = config.get("explainability_kernel_link", "identity")
    if link not in KERNEL_LINKS:
        raise _error(
            f"evaluator_config['explainability_kernel_link'] must be one of {list(KERNEL_LINKS)}, got {link!r}."
        )
    s.kernel_link = link
    n_bins = config.get("calibration_n_bins", 10)
    if not _is_int(n_bins) or n_bins < 1:
        raise _error(f"evaluator_config['calibration_n_bins'] must be a positive integer, got {n_bins!r}.")
    s.n_bins = int(n_bins)
    return s


def _check_no_missing(values: np.ndarray, what: str, fix: str) -> None:
    if values.dtype.kind == "f":
        bad = np.isnan(values)
    elif values.dtype.kind == "O":
        bad = pd.isna(values)
    else:
        return
    if bad.any():
        rows = np.flatnonzero(bad)
        raise _error(
            f"{what} has {len(rows)} missing value(s) (NaN or None), first at row {int(rows[0])}. "
            f"{fix}"
        )


def _unique(values: np.ndarray, what: str) -> list[Any]:
    try:
        return [_py(v) for v in pd.unique(values)]
    except TypeError:
        raise _error(f"{what} holds values that cannot be compared as labels (e.g. lists).") from None


def _sorted_union(*groups: list[Any]) -> list[Any]:
    seen: dict[Any, None] = {}
    for group in groups:
        for value in group:
            seen.setdefault(value, None)
    labels = list(seen)
    try:
        return sorted(labels)
    except TypeError:
        kinds = sorted({type(v).__name__ for v in labels})
        raise _error(
            f"The labels mix types {kinds} ({_label_repr(labels)}), so they cannot be ordered. "
            "Targets and predictions must use the same kind of label (e.g. all int or all str); "
            "convert one of them, e.g. data['label'].astype(str)."
        ) from None


def _too_few_labels(labels: list[Any]) -> WorkbenchException:
    return _error(
        "Evaluation dataset for classification must contain at least two unique labels, but "
        f"only {len(labels)} unique labels were found ({_label_repr(labels)}). Please provide a "
        "'label_list' parameter in 'evaluator_config' with all possible classes, e.g., "
        "evaluator_config={'label_list': [0, 1]}."
    )


def _is_float_continuous(values: np.ndarray) -> bool:
    if values.dtype.kind != "f":
        return False
    finite = values[np.isfinite(values)]
    return bool(finite.size) and not np.all(np.mod(finite, 1) == 0)


def _extra_directions(extra_metrics: Any, metrics: dict[str, Any], prefix: str) -> dict[str, bool]:
    """``greater_is_better`` of each extra metric, for its keys among ``metrics`` (the metric
    and its aggregates, but not its variance, which has no better direction)."""
    out: dict[str, bool] = {}
    for metric in extra_metrics or ():
        key, better = getattr(metric, "key", None), getattr(metric, "greater_is_better", None)
        if not isinstance(key, str) or not isinstance(better, bool):
            continue
        full = f"{prefix}{key}"
        for name in metrics:
            if name == full or (name.startswith(full + "/")
                                and not name.endswith(f"{prefix}variance")):
                out[name] = better
    return out


def _json_config(config: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in config.items():
        if key == "sample_weights" and value is not None:
            out[key] = f"<{len(value)} sample weights>"
        elif isinstance(value, np.ndarray):
            out[key] = [_py(v) for v in value.tolist()]
        elif isinstance(value, dict):
            out[key] = {str(k): (v if isinstance(v, (str, int, float, bool, type(None))) else repr(v))
                        for k, v in value.items()}
        elif isinstance(value, (list, tuple)):
            out[key] = [_py(v) if isinstance(_py(v), (str, int, float, bool, type(None))) else repr(v)
                        for v in value]
        elif isinstance(_py(value), (str, int, float, bool, type(None))):
            out[key] = _py(value)
        else:
            out[key] = repr(value)
    return out


class DefaultEvaluator(ModelEvaluator):
    """Evaluates classifiers and regressors (and, with ``model_type=None``, extra metrics only).

    Examples
    --------
    >>> DefaultEvaluator.can_evaluate(model_type="classifier", evaluator_config={})
    True
    >>> DefaultEvaluator.can_evaluate(model_type="text", evaluator_config={})
    False
    """

    name = "default"

    @classmethod
    def can_evaluate(cls, *, model_type: str | None, evaluator_config: dict[str, Any], **kwargs: Any) -> bool:
        return model_type in ("classifier", "regressor", None)

    # ------------------------------------------------------------------ validation

    def _validate(self, model_type: str | None, dataset: Any, predictor: Any, s: _Settings) -> dict[str, Any]:
        """All checks that can be made before predicting; returns what they learnt."""
        plan: dict[str, Any] = {}
        y_true = dataset.labels_data
        static = predictor is None
        if model_type in ("classifier", "regressor"):
            if y_true is None:
                raise _error(f"The targets argument must be specified for {model_type} models.")
            if dataset.n_rows == 0:
                raise _error("The data has no rows to evaluate.")
            column = f"The targets column {dataset.targets_name!r}" if dataset.targets_name else "targets"
            _check_no_missing(
                y_true, column,
                "Every row needs a label: drop those rows (e.g. data.dropna(subset=['"
                f"{dataset.targets_name or 'label'}'])) or fill them before evaluating.",
            )
            if static:
                pcolumn = f"The predictions column {dataset.predictions_name!r}"
                _check_no_missing(
                    dataset.predictions_data, pcolumn,
                    "Every row needs a prediction: drop those rows or fill them before evaluating.",
                )
        if model_type == "regressor":
            for values, what in ((y_true, "targets"),
                                 (dataset.predictions_data if static else None, "predictions")):
                if values is None:
                    continue
                if values.dtype.kind not in "biuf":
                    try:
                        values.astype(float)
                    except (TypeError, ValueError):
                        raise _error(
                            f"A regressor's {what} must be numbers, got values of dtype {values.dtype} "
                            f"(e.g. {_py(values[0])!r}). Use model_type='classifier' for labels."
                        ) from None
        if model_type == "classifier":
            target_labels = _unique(y_true, "targets")
            groups = [target_labels, s.label_list or []]
            if static:
                groups.append(_unique(dataset.predictions_data, "predictions"))
            labels = _sorted_union(*groups)
            plan["known_labels"] = labels
            if static and len(labels) < 2:
                raise _too_few_labels(labels)
            if static and s.pos_label is not None and len(labels) == 2 and s.pos_label not in labels:
                raise _error(
                    f"pos_label {s.pos_label!r} is not one of the labels {_label_repr(labels)}. Pass "
                    "one of them as evaluator_config['pos_label'], or add it to 'label_list'."
                )
            if not static and predictor.predict_proba is not None and predictor.classes_ is not None:
                classes = [_py(c) for c in predictor.classes_]
                absent = [label for label in _sorted_union(target_labels, s.label_list or [])
                          if label not in set(classes)]
                if absent:
                    raise _error(
                        f"The targets (or label_list) hold label(s) {_label_repr(absent)} that the "
                        f"model's predict_proba has no column for: its classes_ are "
                        f"{_label_repr(classes)}. Drop the rows with labels the model never saw, "
                        "or evaluate a model fitted on every class (check that the labels have the "
                        "same type as in training, e.g. 1 vs '1')."
                    )
            if _is_float_continuous(y_true):
                plan["note"] = (
                    "According to the evaluation dataset label values, the model type looks like "
                    "regressor, but you specified model type 'classifier'. Please verify that you "
                    "set the `model_type` and `dataset` arguments correctly."
                )
            if static and dataset.probabilities_data is not None:
                plan["static_proba"] = True
        elif dataset.probabilities_data is not None:
            raise _error("evaluator_config['probability_columns'] applies to classifiers only.")
        return plan

    # ------------------------------------------------------------------ probabilities

    @staticmethod
    def _align_proba(proba: np.ndarray, classes: Any, labels: list[Any], pos_label: Any,
                     notes: list[str]) -> np.ndarray:
        """Columns of ``proba`` in the order of ``labels`` (or the positive column, binary)."""
        binary = len(labels) == 2
        if proba.ndim == 1:
            if not binary:
                raise _error(
                    f"The probabilities are one column but there are {len(labels)} labels "
                    f"{_label_repr(labels)}; give one probability column per label."
                )
            return proba
        if classes is None:
            if proba.shape[1] != len(labels):
                raise _error(
                    f"The model's predict_proba gives {proba.shape[1]} columns but there are "
                    f"{len(labels)} labels {_label_repr(labels)}; its columns must be the labels in "
                    "sorted order."
                )
            return proba
        classes = [_py(c) for c in classes]
        index = {c: i for i, c in enumerate(classes)}
        missing = [label for label in labels if label not in index]
        if missing:
            raise _error(
                f"The predictions or labels include {_label_repr(missing)}, which the model's "
                f"predict_proba has no column for (its classes_ are {_label_repr(classes)})."
            )
        if len(classes) == len(labels):
            order = [index[label] for label in labels]
            return proba if order == list(range(len(labels))) else proba[:, order]
        extra = [c for c in classes if c not in set(labels)]
        notes.append(
            f"The model knows classes {_label_repr(extra)} that occur in neither targets nor "
            "predictions; their probability columns are left out and each row is rescaled to sum "
            "to 1 (or add them to evaluator_config['label_list'])."
        )
        if binary:
            positive = pos_label if pos_label is not None else labels[-1]
            negative = labels[0] if labels[1] == positive else labels[1]
            pos = proba[:, index[positive]]
            total = pos + proba[:, index[negative]]
            return np.divide(pos, total, out=np.full_like(pos, 0.5), where=total > 0)
        sub = proba[:, [index[label] for label in labels]]
        total = sub.sum(axis=1, keepdims=True)
        return np.divide(sub, total, out=np.full_like(sub, 1.0 / len(labels)), where=total > 0)

    @staticmethod
    def _static_proba(dataset: Any, labels: list[Any], pos_label: Any) -> np.ndarray:
        proba = dataset.probabilities_data
        columns = dataset.probability_columns
        if isinstance(columns, dict):
            keys = list(columns)
            order = []
            for label in labels:
                match = [k for k in keys if k == label] or [k for k in keys if str(k) == str(label)]
                if not match:
                    raise _error(
                        f"evaluator_config['probability_columns'] has no column for label {label!r}; "
                        f"it maps {keys!r}. Give one column per label {_label_repr(labels)}."
                    )
                order.append(keys.index(match[0]))
            if proba.ndim == 1:
                proba = proba[:, None]
            proba = proba[:, order]
            if len(labels) == 2:
                positive = pos_label if pos_label is not None else labels[-1]
                return proba[:, labels.index(positive)]
            return proba
        if proba.ndim == 1:
            if len(labels) != 2:
                raise _error(
                    "evaluator_config['probability_columns'] names one column, which works for a "
                    f"binary classifier (the positive class's probability); there are {len(labels)} "
                    f"labels {_label_repr(labels)}. Give one column per label, in sorted order."
                )
            return proba
        if proba.shape[1] != len(labels):
            raise _error(
                f"evaluator_config['probability_columns'] names {proba.shape[1]} columns but there "
                f"are {len(labels)} labels {_label_repr(labels)}; give one column per label, in "
                "sorted label order (or a {label: column} dict)."
            )
        if len(labels) == 2:
            positive = pos_label if pos_label is not None else labels[-1]
            return proba[:, labels.index(positive)]
        return proba

    # ------------------------------------------------------------------ evaluate

    def evaluate(
        self,
        *,
        model_type: str | None,
        dataset: Any,
        run_id: str | None,
        evaluator_config: dict[str, Any],
        model: Any = None,
        extra_metrics: list[Any] | None = None,
        custom_artifacts: list[Any] | None = None,
        predictions: str | None = None,
        **kwargs: Any,
    ) -> Any:
        from workbench.evaluation._result import EvaluationResult

        steps: Steps = kwargs.get("steps") or Steps([], progress=False)
        predictor = model
        notes: list[str] = []
        skipped: dict[str, str] = {}
        config = dict(evaluator_config or {})

        # ---- validate: everything that can be checked before any work
        with steps.step("validate"):
            if predictor is None and dataset.predictions_data is None:
                raise _error(
                    "Either a model or set of predictions must be specified in order to use the "
                    "default evaluator. Either specify the `model` parameter, the `predictions` "
                    "parameter (a column of data), or an EvaluationDataset with predictions."
                )
            s = _read_config(config, dataset.n_rows, notes)
            plan = self._validate(model_type, dataset, predictor, s)
            if "note" in plan:
                _logger.warning(plan["note"])
                notes.append(plan["note"])
        with steps.step("digest"):
            dataset_info = dataset.to_dict()

        # ---- predict: one pass
        X = None
        other_outputs = None
        y_proba = None
        classes = None
        with steps.step("predict"):
            if predictor is None:
                y_pred = dataset.predictions_data
            else:
                from workbench.evaluation._predictor import predict_outputs

                X = dataset.features_frame() if predictor.wants_frame else dataset.features_data
                out = predict_outputs(predictor, X, model_type=model_type, output_column=predictions)
                y_pred, y_proba, classes, other_outputs = out.y_pred, out.y_proba, out.classes, out.other_outputs
                notes.extend(out.notes)
                if len(y_pred) != dataset.n_rows:
                    raise _error(
                        f"The model returned {len(y_pred)} predictions for {dataset.n_rows} rows; it "
                        "must return one prediction per row."
                    )
        y_true = dataset.labels_data

        # ---- metrics
        builtin: dict[str, Any] = {}
        curves: list[Any] = []
        tables: dict[str, Any] = {}
        labels: list[Any] | None = None
        rows = None  # per-row data kept for workbench.compare's bootstrap
        with steps.step("metrics"):
            if model_type == "classifier":
                if predictor is not None:
                    _check_no_missing(y_pred, "The model's predictions",
                                      "A classifier must predict a label for every row.")
                labels = _sorted_union(plan["known_labels"], _unique(y_pred, "predictions"))
                if len(labels) < 2:
                    raise _too_few_labels(labels)
                if s.pos_label is not None and len(labels) == 2 and s.pos_label not in labels:
                    raise _error(
                        f"pos_label {s.pos_label!r} is not one of the labels {_label_repr(labels)}. "
                        "Pass one of them as evaluator_config['pos_label'], or add it to 'label_list'."
                    )
                y_score = None
                if predictor is None and dataset.probabilities_data is not None:
                    y_score = self._static_proba(dataset, labels, s.pos_label)
                elif y_proba is not None:
                    y_score = self._align_proba(y_proba, classes, labels, s.pos_label, notes)
                from workbench.evaluation._classification import evaluate_classifier

                outcome = evaluate_classifier(
                    y_true, y_pred, y_score,
                    labels=labels,
                    pos_label=s.pos_label if len(labels) == 2 else None,
                    average=s.average if len(labels) > 2 else "weighted",
                    sample_weight=s.sample_weights,
                    calibration_n_bins=s.n_bins,
                    max_classes_for_multiclass_roc_pr=s.max_classes,
                )
                builtin.update(outcome.metrics)
                curves.extend(outcome.curves)
                tables.update(outcome.tables)
                skipped.update(outcome.skipped)
                from workbench.evaluation._rows import RowData

                rows = RowData.for_classifier(
                    y_true, y_pred, labels=labels, scores=y_score,
                    pos_label=s.pos_label if len(labels) == 2 else None,
                    average=s.average if len(labels) > 2 else "weighted",
                    sample_weight=s.sample_weights, digest=dataset_info.get("digest"),
                )
            elif model_type == "regressor":
                from workbench.evaluation._regression import evaluate_regressor
                from workbench.evaluation._rows import RowData

                outcome = evaluate_regressor(y_true, y_pred, sample_weight=s.sample_weights)
                rows = RowData.for_regressor(y_true, y_pred, sample_weight=s.sample_weights,
                                             digest=dataset_info.get("digest"))
                builtin.update(outcome.metrics)
                tables.update(outcome.tables)
                skipped.update(outcome.skipped)

        # ---- score (MLflow logs the estimator's own score for sklearn models)
        with steps.step("score"):
            if predictor is not None and predictor.score is not None and model_type in ("classifier", "regressor"):
                reuse = predictor.default_score_metric
                if reuse is not None and reuse in builtin:
                    builtin["score"] = builtin[reuse]
                else:
                    try:
                        value = (predictor.score(X, y_true) if s.sample_weights is None
                                 else predictor.score(X, y_true, sample_weight=s.sample_weights))
                        builtin["score"] = float(value)
                    except Exception as exc:
                        message = f"Computing the model's score failed: {exc!r}"
                        skipped["score"] = message
                        notes.append(message)

        # ---- explanation
        explanation = None
        with steps.step("explain"):
            if model_type in ("classifier", "regressor"):
                if predictor is None:
                    skipped["explanation"] = "no model: static predictions cannot be explained"
                elif not s.explain:
                    skipped["explanation"] = "evaluator_config['log_model_explainability'] is False"
                else:
                    explanation, reason = self._explain(predictor, dataset, model_type, labels, s)
                    if explanation is None:
                        skipped["explanation"] = reason or "no explanation"

        # ---- extra metrics
        eval_df = pd.DataFrame({"prediction": np.asarray(y_pred)})
        if y_true is not None:
            eval_df["target"] = y_true
        extra_values: dict[str, Any] = {}
        extra_flat: dict[str, float] = {}
        with steps.step("extra_metrics"):
            if extra_metrics:
                from workbench.evaluation._custom_metrics import compute_extra_metrics

                extra_flat, extra_values = compute_extra_metrics(
                    extra_metrics,
                    eval_df=eval_df,
                    builtin_metrics=dict(builtin),
                    evaluator_config=config,
                    col_mapping=s.col_mapping,
                    input_df=dataset.features_frame(),
                    other_output_df=other_outputs,
                    predictions_name=dataset.predictions_name or predictions,
                    targets_name=dataset.targets_name,
                )

        # ---- custom artifacts
        artifacts: dict[str, Any] = {}
        with steps.step("custom_artifacts"):
            if custom_artifacts:
                from workbench.evaluation._artifacts import compute_custom_artifacts

                artifacts = compute_custom_artifacts(
                    custom_artifacts, eval_df=eval_df, builtin_metrics={**builtin, **extra_flat}
                )

        # ---- result
        with steps.step("result"):
            prefix = s.metric_prefix
            artifacts = self._with_builtin_artifacts(
                artifacts, model_type=model_type, labels=labels, curves=curves, tables=tables,
                explanation=explanation, prefix=prefix, notes=notes,
            )
            metrics: dict[str, Any] = {f"{prefix}{k}": _py(v) for k, v in builtin.items()}
            if extra_values:
                from workbench.evaluation._custom_metrics import flatten_metric_values

                metrics.update(flatten_metric_values(extra_values, prefix or None))
            model_info = (
                predictor.describe() if predictor is not None
                else {"kind": "static", "class": None, "uri": None, "signature": None}
            )
            model_info["model_type"] = model_type
            if labels is not None:
                model_info["labels"] = [str(label) for label in labels]
            result = EvaluationResult(
                metrics,
                artifacts,
                None,
                curves=curves,
                tables=tables,
                explanation=explanation,
                dataset=dataset_info,
                model=model_info,
                config=_json_config(config),
                skipped=skipped,
                warnings=notes,
                timings={},
                rows=rows,
                metric_directions=_extra_directions(extra_metrics, metrics, prefix),
            )
        result.timings.update(steps.timings)
        return result

    @staticmethod
    def _with_builtin_artifacts(artifacts: dict[str, Any], *, model_type: str | None,
                                labels: list[Any] | None, curves: list[Any],
                                tables: dict[str, Any], explanation: Any, prefix: str,
                                notes: list[str]) -> dict[str, Any]:
        """The custom artifacts plus MLflow's built-in names (views of the data computed).

        As in MLflow 3.17.2, which logs the built-in artifacts after the custom ones into the
        same dict, a custom artifact named like a built-in one that exists is replaced by the
        built-in one (workbench warns and notes it in ``result.warnings``; MLflow is silent).
        A custom artifact under another name whose *file name* is a built-in one's (a JSON
        custom artifact named ``{prefix}roc_curve_plot`` with a ``metric_prefix``) is refused
        with an error naming it, since both would be saved to the same file.
        """
        from workbench.evaluation._artifacts import builtin_artifacts

        builtin = builtin_artifacts(
            model_type=model_type,
            n_labels=None if labels is None else len(labels),
            curves=curves,
            tables=tables,
            explanation=explanation,
            metric_prefix=prefix,
        )
        if not builtin:
            return artifacts
        merged = dict(artifacts)
        for name, artifact in builtin.items():
            if name in merged:
                message = (
                    f"The custom artifact {name!r} is replaced by the built-in artifact of that "
                    "name (as in MLflow, which logs built-in artifacts last). Give the custom "
                    "artifact another name to keep it."
                )
                warnings.warn(message, UserWarning, stacklevel=4)
                notes.append(message)
            merged[name] = artifact
        files = {}
        for name, artifact in merged.items():
            file_name = artifact.file_name
            if file_name in files:
                other = files[file_name]
                custom, built = (other, name) if name in builtin else (name, other)
                raise _error(
                    f"The custom artifact {custom!r} would be saved as {file_name!r}, the file of "
                    f"the built-in artifact {built!r}. Give the custom artifact another name."
                )
            files[file_name] = name
        return merged

    @staticmethod
    def _explain(predictor: Any, dataset: Any, model_type: str, labels: Any, s: _Settings) -> tuple[Any, str | None]:
        from workbench.evaluation._explain import explain

        predict_fn = None
        model = predictor.raw
        if predictor.kind == "callable" or (predictor.kind == "pyfunc" and not hasattr(model, "fit")):
            method = predictor.predict_proba if (model_type == "classifier" and predictor.predict_proba) else predictor.predict

            def predict_fn(frame: pd.DataFrame) -> Any:
                return method(frame)

            model = None
        return explain(
            model,
            # the columns the model sees: a pyfunc model's signature picks its own
            predictor.select_inputs(dataset.features_frame()),
            model_type=model_type,
            labels=labels,
            algorithm=s.algorithm,
            nsamples=s.nsamples,
            kernel_link=s.kernel_link,
            seed=0,
            predict_fn=predict_fn,
        )
