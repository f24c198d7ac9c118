"""The workspace as the magics see it: run look-up, listing, deletion, saving results.

The magics stay thin parsers (DESIGN.md section 9): each function here calls the public
tracking API (``workbench._tracking``: ``start_run``, ``log_metrics``, ``log_artifacts``,
``get_run``, ``search_runs``, ``delete_run``) looked up *when called*, so the notebook layer
works with whatever part of the workspace has landed and says so clearly when a part is
missing (:class:`WorkspaceUnavailable`, turned into a ``UsageError`` by the magics).

``save_result`` and ``load_result`` compose several tracking calls; they belong in the
core as one public function each (``workbench.log_evaluation(result, run_name=...)`` and
``workbench.load_evaluation(run)``) once the tracking layer grows them; the magics then
call those and these two functions shrink to one line.
"""

from __future__ import annotations

import importlib
import os
import pathlib
import tempfile
import urllib.parse
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


def _local_path(artifact_uri: str) -> pathlib.Path:
    parsed = urllib.parse.urlparse(artifact_uri)
    if parsed.scheme in ("", "file"):
        return pathlib.Path(urllib.parse.unquote(parsed.path) if parsed.scheme else artifact_uri)
    raise WorkspaceUnavailable(f"runs with artifact URI {artifact_uri!r} are not on this machine")


def load_result(run: str) -> Any:
    """The EvaluationResult saved in run ``run`` (id or name)."""
    from workbench.evaluation import EvaluationResult

    record = find_run(run)
    path = _local_path(record.info.artifact_uri) / RESULT_ARTIFACT_PATH
    if not path.is_dir():
        raise KeyError(f"{run} (the run holds no saved evaluation)")
    return EvaluationResult.load(path)


def save_result(result: Any, name: str | None = None) -> str:
    """Log ``result`` as a new run named ``name``: its metrics, and the result directory under
    the run's ``evaluation/`` artifacts. Sets ``result.run_id``; returns the run id."""
    start_run, end_run, log_metrics, log_artifacts = _tracking(
        "start_run", "end_run", "log_metrics", "log_artifacts"
    )
    run = start_run(run_name=name, nested=_active())
    status = "FAILED"
    try:
        result.run_id = run.info.run_id
        numeric = {
            k: float(v) for k, v in result.metrics.items()
            if isinstance(v, (int, float)) and not isinstance(v, bool)
        }
        if numeric:
            log_metrics(numeric)
        with tempfile.TemporaryDirectory() as tmp:
            result.save(os.path.join(tmp, RESULT_ARTIFACT_PATH))
            log_artifacts(tmp)
        status = "FINISHED"
    finally:
        end_run(status)
    return run.info.run_id


def _active() -> bool:
    try:
        (active_run,) = _tracking("active_run")
    except WorkspaceUnavailable:
        return False
    return active_run() is not None
