"""Evaluations in the workspace: ``log_evaluation`` stores a result in a run, ``load_evaluation`` reads it back.

A logged result is the directory :meth:`EvaluationResult.save` writes (MLflow's
``metrics.json``, ``artifacts_metadata.json``, ``artifacts/``, plus our manifest and data),
placed under the run's artifact path :data:`ARTIFACT_PATH` (``evaluation/``); its scalar
metrics become run metrics (MLflow's ``evaluate`` does the same) and two tags mark the run:
``workbench.evaluation = "1"`` and ``workbench.evaluation.model_type``.

Which run (MLflow's rule for ``evaluate``): the run ``run_id`` names; else the active run;
else a new run, started for this result and ended when it is stored. With ``run_name`` and
an active run, the result goes into a new *nested* run of that name.

``evaluate()`` logs its result this way unless logging is switched off, for one block with
:func:`logging_disabled` or for the process with the environment variable
``WORKBENCH_LOG_EVALUATIONS=0`` (``evaluate``'s signature stays MLflow's, so the switch is not a
keyword argument).

The order of the writes makes a failure harmless: everything that can be refused (the
result's type, names, metric keys, the run) is checked first; then the metrics are logged;
then the result directory is staged beside its final place and renamed into it (a failure
leaves no partial ``evaluation/``); the tags, last, mark the run as holding an evaluation.
"""

from __future__ import annotations

import contextlib
import contextvars
import numbers
import os
import pathlib
import uuid
from collections.abc import Iterator
from typing import Any

from workbench._exceptions import (
    INVALID_PARAMETER_VALUE, RESOURCE_DOES_NOT_EXIST, WorkbenchException,
)

__all__ = ["ARTIFACT_PATH", "ENV_VAR", "load_evaluation", "log_evaluation", "logging_disabled",
           "logging_enabled"]

#: Where the result directory lives inside a run's artifacts.
ARTIFACT_PATH = "evaluation"
#: Tags set on a run that holds an evaluation.
EVALUATION_TAG = "workbench.evaluation"
MODEL_TYPE_TAG = "workbench.evaluation.model_type"
#: ``0`` / ``false`` / ``no`` / ``off`` stops ``evaluate()`` from logging its results.
ENV_VAR = "WORKBENCH_LOG_EVALUATIONS"

_ON = ("", "1", "true", "yes", "on")
_OFF = ("0", "false", "no", "off")
_LIST_RUNS = "List the runs with workbench.search_runs() or `%workbench list`."

# Runs this process started for a result under a generated name: run id -> that name. The
# notebook's ``%%evaluate --name`` renames such a run instead of logging the result twice.
_generated: dict[str, str] = {}

_disabled: contextvars.ContextVar[bool] = contextvars.ContextVar("workbench_log_evaluations_off", default=False)


_invalid = WorkbenchException.invalid_parameter_value


# ---------------------------------------------------------------------- the switch


@contextlib.contextmanager
def logging_disabled() -> Iterator[None]:
    """Within the block, ``evaluate()`` returns its result without logging it to a run.

    Per thread and per asyncio task (a context variable); :func:`log_evaluation` itself
    still logs when called.

    Examples
    --------
    >>> with logging_disabled():
    ...     logging_enabled()
    False
    """
    token = _disabled.set(True)
    try:
        yield
    finally:
        _disabled.reset(token)


def logging_enabled() -> bool:
    """Whether ``evaluate()`` logs its result now (see :func:`logging_disabled` and :data:`ENV_VAR`).

    Examples
    --------
    >>> import os
    >>> os.environ["WORKBENCH_LOG_EVALUATIONS"] = "0"
    >>> logging_enabled()
    False
    >>> os.environ["WORKBENCH_LOG_EVALUATIONS"] = "maybe"
    >>> logging_enabled()
    Traceback (most recent call last):
    ...
    workbench._exceptions.WorkbenchException: WORKBENCH_LOG_EVALUATIONS='maybe' is not understood: expected 1/true/yes/on (log every evaluation, the default) or 0/false/no/off (do not log). Fix or unset the environment variable.
    >>> del os.environ["WORKBENCH_LOG_EVALUATIONS"]
    >>> logging_enabled()
    True
    """
    if _disabled.get():
        return False
    value = os.environ.get(ENV_VAR, "").strip().lower()
    if value in _ON:
        return True
    if value in _OFF:
        return False
    raise _invalid(
        f"{ENV_VAR}={os.environ[ENV_VAR]!r} is not understood: expected 1/true/yes/on (log every "
        "evaluation, the default) or 0/false/no/off (do not log). Fix or unset the environment variable."
    )


# ---------------------------------------------------------------------- logging


def _check_result(result: Any) -> Any:
    from workbench.evaluation._result import EvaluationResult

    if not isinstance(result, EvaluationResult):
        raise _invalid(
            f"log_evaluation expects an EvaluationResult (what workbench.evaluate returns), got "
            f"{type(result).__name__}."
        )
    return result


def _run_metrics(result: Any) -> dict[str, float]:
    """The result's scalar metrics, checked as run metric keys and values before anything is written."""
    from workbench.store import _validation

    out = {}
    for key, value in result.metrics.items():
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            continue  # MLflow logs only numeric metrics (numpy numbers are numbers.Real too)
        try:
            _validation.check_key(key, "metric")
            out[key] = _validation.check_metric_value(key, value)
        except WorkbenchException as err:
            raise _invalid(
                f"Cannot log the evaluation: metric {key!r} cannot be a run metric ({err.message}). "
                "Rename the metric (make_metric(name=...)) or log the result with a plain name."
            ) from None
    return out


def default_run_name(result: Any) -> str:
    """A readable name for a run started for ``result``: the model's class and a short id.

    Examples
    --------
    >>> from workbench.evaluation._result import EvaluationResult
    >>> r = EvaluationResult({}, {}, model={"class": "sklearn.ensemble.RandomForestClassifier"})
    >>> default_run_name(r)[:23]
    'RandomForestClassifier-'
    >>> default_run_name(EvaluationResult({}, {}, model={"model_type": "regressor"}))[:17]
    'static-regressor-'
    """
    model = result.model or {}
    cls = model.get("class")
    if isinstance(cls, str) and cls:
        stem = cls.rsplit(".", 1)[-1]
    else:
        stem = f"static-{model.get('model_type') or 'evaluation'}"
    stem = "".join(c for c in stem if c.isalnum() or c in "_-.")[:80] or "evaluation"
    return f"{stem}-{uuid.uuid4().hex[:6]}"


def _store_result(store: Any, run_id: str, result: Any, metrics: dict[str, float]) -> None:
    """Metrics, then the result directory (atomic), then the tags; ``result.run_id`` set on success."""
    from workbench.store._store import now_ms

    old_run_id = result.run_id
    result.run_id = run_id  # written into the manifest by save()
    try:
        if metrics:
            ts = now_ms()
            store.log_metrics(run_id, [(k, v, 0, ts) for k, v in metrics.items()])
        target = store.artifact_dir(run_id) / ARTIFACT_PATH
        result.save(target, overwrite=True)  # staged beside target and renamed: never half written
        model_type = (result.model or {}).get("model_type")
        tags = {EVALUATION_TAG: "1"}
        if isinstance(model_type, str) and model_type:
            tags[MODEL_TYPE_TAG] = model_type
        store.set_tags(run_id, tags)
    except BaseException:
        result.run_id = old_run_id
        raise


def log_evaluation(result: Any, *, run_id: str | None = None, run_name: str | None = None) -> str:
    """Store an evaluation result in a run of the workspace and return the run id.

    Parameters
    ----------
    result : EvaluationResult
        What :func:`workbench.evaluate` returned (or :meth:`EvaluationResult.load` read).
    run_id : str, optional
        Log into this existing, not deleted run (its status is left as it is).
    run_name : str, optional
        Without ``run_id``: the name of the run started for the result (a nested run when a
        run is active). Default: the active run, else a new run named after the model class.

    Returns
    -------
    str
        The run id; ``result.run_id`` is set to it.

    Raises
    ------
    WorkbenchException
        ``INVALID_PARAMETER_VALUE`` for something other than an EvaluationResult, a bad run
        name, both ``run_id`` and ``run_name``, a metric that cannot be a run metric, or a
        deleted run; ``RESOURCE_DOES_NOT_EXIST`` for an unknown ``run_id``. Nothing is
        written then. A run started here ends ``FAILED`` when storing fails.

    Examples
    --------
    >>> import tempfile, workbench
    >>> from workbench.evaluation import EvaluationResult
    >>> _ = workbench.set_workspace(tempfile.mkdtemp())
    >>> result = EvaluationResult({"accuracy_score": 0.9}, {})
    >>> run_id = log_evaluation(result, run_name="rf-depth7")
    >>> result.run_id == run_id, workbench.get_run(run_id).data.metrics
    (True, {'accuracy_score': 0.9})
    >>> load_evaluation("rf-depth7").metrics
    {'accuracy_score': 0.9}
    """
    from workbench import _tracking
    from workbench.store import _validation

    _check_result(result)
    if run_id is not None and run_name is not None:
        raise _invalid(
            f"log_evaluation takes run_id (log into that run) or run_name (start a run of that name), "
            f"not both; got run_id={run_id!r} and run_name={run_name!r}."
        )
    if run_name is not None:
        _validation.check_run_name(run_name)
    metrics = _run_metrics(result)
    store = _tracking._store()

    if run_id is not None:
        record = store.get_run(run_id)
        if record.lifecycle_stage != "active":
            raise _invalid(
                f"Cannot log the evaluation into run {run_id}: the run is deleted. Restore it or log into "
                "another run."
            )
        _store_result(store, record.run_id, result, metrics)
        return record.run_id

    active = _tracking.active_run()
    if active is not None and run_name is None:
        _store_result(store, active.info.run_id, result, metrics)
        return active.info.run_id

    name = run_name or default_run_name(result)
    run = _tracking.start_run(run_name=name, nested=active is not None)
    status = "FAILED"
    try:
        _store_result(store, run.info.run_id, result, metrics)
        status = "FINISHED"
    finally:
        _end(run.info.run_id, status)
    if run_name is None:
        _generated[run.info.run_id] = name
    return run.info.run_id


def rename_generated_run(run_id: str | None, run_name: str) -> bool:
    """Rename the run this process started for a result under a generated name; False if it is not one.

    A run that was renamed since, or that another process started, is left alone.
    """
    from workbench import _tracking
    from workbench.store import _validation
    from workbench.store._records import RUN_NAME_TAG

    _validation.check_run_name(run_name)
    generated = _generated.get(run_id) if run_id is not None else None
    if generated is None:
        return False
    store = _tracking._store()
    try:
        record = store.get_run(run_id)
    except WorkbenchException:
        return False
    if record.run_name != generated or record.lifecycle_stage != "active":
        return False
    store.set_tags(run_id, {RUN_NAME_TAG: run_name})
    _generated.pop(run_id, None)
    return True


def _end(run_id: str, status: str) -> None:
    """End the run this module started (it is the innermost active run)."""
    from workbench import _tracking

    active = _tracking.active_run()
    if active is not None and active.info.run_id == run_id:
        _tracking.end_run(status)


# ---------------------------------------------------------------------- loading


def _not_found(run: str, why: str) -> WorkbenchException:
    return WorkbenchException(f"No stored evaluation for run {run!r}: {why}. {_LIST_RUNS}",
                              error_code=RESOURCE_DOES_NOT_EXIST)


def _result_dir(record: Any) -> pathlib.Path:
    return pathlib.Path(record.path) / "artifacts" / ARTIFACT_PATH


def _resolve(run: str) -> Any:
    """The run record ``run`` names: a run id, else the newest active run of that name holding an evaluation."""
    from workbench import _tracking
    from workbench.store import _runs

    store = _tracking._store()
    if _runs.is_run_id(run):
        try:
            record = store.get_run(run)
        except WorkbenchException as err:
            if err.error_code != RESOURCE_DOES_NOT_EXIST:
                raise
        else:
            if not _result_dir(record).is_dir():
                raise _not_found(run, "the run holds no evaluation (nothing under its artifacts/evaluation/)")
            return record
    named = store.find_runs_by_name(run)
    for record in named:
        if _result_dir(record).is_dir():
            return record
    if named:
        raise _not_found(run, f"{len(named)} run(s) have that name but none holds an evaluation")
    raise _not_found(run, "no run has that id, and no run (that is not deleted) has that name")


def load_evaluation(run: Any) -> Any:
    """Load the evaluation result stored in a run.

    Parameters
    ----------
    run : str or Run
        A run id, a run name (the newest run of that name that holds an evaluation and is not
        deleted), or a :class:`~workbench.Run` (``workbench.get_run``, ``search_runs(output_format="list")``).
        An id also finds a deleted run, as ``get_run`` does.

    Returns
    -------
    EvaluationResult
        Equal to the result that was logged, with ``run_id`` set to the run's id.

    Raises
    ------
    WorkbenchException
        ``RESOURCE_DOES_NOT_EXIST`` when no run matches or the run holds no evaluation;
        ``INVALID_PARAMETER_VALUE`` when ``run`` is neither a str nor a run.

    Examples
    --------
    >>> import tempfile, workbench
    >>> _ = workbench.set_workspace(tempfile.mkdtemp())
    >>> load_evaluation("nope")
    Traceback (most recent call last):
    ...
    workbench._exceptions.WorkbenchException: No stored evaluation for run 'nope': no run has that id, and no run (that is not deleted) has that name. List the runs with workbench.search_runs() or `%workbench list`.
    """
    from workbench.evaluation._result import EvaluationResult

    if isinstance(run, str):
        if not run:
            raise _invalid(f"load_evaluation expects a run id or run name, got an empty string. {_LIST_RUNS}")
        record = _resolve(run)
    else:
        run_id = getattr(getattr(run, "info", None), "run_id", None) or getattr(run, "run_id", None)
        if not isinstance(run_id, str):
            raise _invalid(
                f"load_evaluation expects a run id, a run name or a Run, got {type(run).__name__}. {_LIST_RUNS}"
            )
        record = _resolve(run_id)
    result = EvaluationResult.load(_result_dir(record))
    result.run_id = record.run_id  # the run it was found in (a copied directory may say otherwise)
    return result
