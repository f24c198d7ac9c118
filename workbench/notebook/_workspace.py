"""The workspace as the magics see it: run look-up, listing, deletion, saving results.

The magics stay thin parsers (DESIGN.md section 9): each function here calls the public
tracking API (``workbench._tracking``: ``start_run``, ``log_metrics``, ``log_artifacts``,
``get_run``, ``search_runs``, ``delete_run``) looked up *when called*, so the notebook layer
works with whatever part of the workspace has landed and says so clearly when a part is
missing (:class:`WorkspaceUnavailable`, turned into a ``UsageError`` by the magics).

``save_result`` and ``load_result`` are one line each over the core's
``workbench.evaluation.log_evaluation`` and ``load_evaluation``.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["WorkspaceUnavailable", "delete_run", "find_run", "list_runs", "load_result",
           "save_result"]

#: Where a saved result lives inside its run's artifacts.
RESULT_ARTIFACT_PATH = "evaluation"


class WorkspaceUnavailable(RuntimeError):
    """A workspace function the notebook needs has not landed (or cannot be imported)."""


def _tracking(*names: str) -> list[Any]:
    """The public tracking functions ``names``, or WorkspaceUnavailable naming what is missing."""
    try:
        module = importlib.import_module("workbench._tracking")
    except Exception as err:  # the tracking layer is missing or broken while being written
        raise WorkspaceUnavailable(
            f"the workspace is not available yet (workbench._tracking cannot be imported: "
            f"{type(err).__name__}: {err})"
        ) from None
    missing = [n for n in names if not callable(getattr(module, n, None))]
    if missing:
        raise WorkspaceUnavailable(
            f"the workspace is not available yet (workbench._tracking has no "
            f"{', '.join(missing)})"
        )
    return [getattr(module, n) for n in names]


def available(*names: str) -> str | None:
    """None when the tracking functions ``names`` exist, else why not."""
    try:
        _tracking(*names)
    except WorkspaceUnavailable as err:
        return str(err)
    return None


def list_runs(max_results: int = 100) -> Any:
    """The workspace's runs, newest first, as a DataFrame (``search_runs``)."""
    (search_runs,) = _tracking("search_runs")
    return search_runs(max_results=max_results, order_by=["attributes.start_time DESC"])


def find_run(run: str) -> Any:
    """The run whose id or name is ``run`` (the newest of that name); KeyError when none."""
    get_run, search_runs = _tracking("get_run", "search_runs")
    try:
        return get_run(run)
    except Exception:  # not an id: look it up by name below
        pass
    matches = [r for r in search_runs(output_format="list") if r.info.run_name == run]
    if not matches:
        raise KeyError(run)
    return max(matches, key=lambda r: r.info.start_time or 0)


def delete_run(run: str) -> str:
    """Delete the run ``run`` (id or name); return its id."""
    (delete,) = _tracking("delete_run")
    run_id = find_run(run).info.run_id
    delete(run_id)
    return run_id


def load_result(run: str) -> Any:
    """The EvaluationResult saved in run ``run`` (id or name); KeyError when there is none."""
    from workbench._exceptions import RESOURCE_DOES_NOT_EXIST, WorkbenchException
    from workbench.evaluation._persist import load_evaluation

    _tracking("get_run")
    try:
        return load_evaluation(run)
    except WorkbenchException as err:
        if err.error_code == RESOURCE_DOES_NOT_EXIST:
            raise KeyError(run) from None
        raise


def save_result(result: Any, name: str | None = None) -> str:
    """Log ``result`` as a new run named ``name`` (nested in the active run, if any).

    A result ``evaluate()`` already logged is not logged twice: with no other name asked
    for, its run is returned; a run ``evaluate()`` started under a generated name is renamed
    ``name``. Sets ``result.run_id``; returns the run id."""
    from workbench.evaluation._persist import log_evaluation, rename_generated_run

    (get_run,) = _tracking("get_run")
    if result.run_id is not None and _holds(get_run, result.run_id, name):
        return result.run_id
    if name is not None and rename_generated_run(result.run_id, name):  # evaluate() logged it unnamed
        return result.run_id
    return log_evaluation(result, run_name=name)


def _holds(get_run: Any, run_id: str, name: str | None) -> bool:
    """Whether run ``run_id`` exists, has the name asked for (any, for None) and holds an evaluation."""
    from workbench.evaluation._persist import _result_dir

    try:
        run = get_run(run_id)
    except Exception:  # deleted from disk or another workspace: log it anew
        return False
    if run.info.lifecycle_stage != "active" or name not in (None, run.info.run_name):
        return False
    return _result_dir(run._record).is_dir()


def _active() -> bool:
    try:
        (active_run,) = _tracking("active_run")
    except WorkspaceUnavailable:
        return False
    return active_run() is not None
