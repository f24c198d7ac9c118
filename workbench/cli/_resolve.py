"""From what the user typed to a run or a saved result: run ids, run names, result directories.

A RUN argument is a run id or a run name (the newest active run of that name). A
RUN_OR_DIR argument is, in addition, a directory written by ``EvaluationResult.save``
(one holding ``metrics.json``); such a directory wins over a run of the same name.
"""

from __future__ import annotations

import os
from typing import Any

from workbench._exceptions import RESOURCE_DOES_NOT_EXIST, WorkbenchException

__all__ = ["find_run", "load_result", "load_results"]

LIST_HINT = "List the runs with `workbench runs list`."


def find_run(text: str) -> Any:
    """The :class:`~workbench.Run` whose id or name is ``text``.

    Raises
    ------
    WorkbenchException
        ``RESOURCE_DOES_NOT_EXIST`` naming the run and how to list the runs.
    """
    import workbench
    from workbench.store import get_store

    try:
        return workbench.get_run(text)
    except WorkbenchException as err:
        if err.error_code != RESOURCE_DOES_NOT_EXIST:
            raise
    record = get_store().find_run_by_name(text)
    if record is None:
        raise WorkbenchException(
            f"No run with id or name {text!r} in the workspace {workbench.get_workspace()}. "
            f"{LIST_HINT}",
            error_code=RESOURCE_DOES_NOT_EXIST,
        )
    return workbench.get_run(record.run_id)


def _is_result_dir(text: str) -> bool:
    return os.path.isfile(os.path.join(text, "metrics.json"))


def load_result(text: str) -> Any:
    """The EvaluationResult in directory ``text``, or saved in the run whose id or name it is.

    A directory counts when it holds a saved result (``metrics.json``); any other text is
    a run id or name, so a model directory called like a run does not hide the run.
    """
    if _is_result_dir(text):
        from workbench.evaluation import EvaluationResult

        return EvaluationResult.load(text)
    import workbench

    try:
        return workbench.load_evaluation(text)
    except WorkbenchException as err:
        if err.error_code == RESOURCE_DOES_NOT_EXIST and os.path.isdir(text):
            raise WorkbenchException(
                f"{err.message} {text!r} is a directory, but not a saved evaluation result (it "
                "has no metrics.json): pass a directory written by EvaluationResult.save().",
                error_code=RESOURCE_DOES_NOT_EXIST,
            ) from None
        raise


def load_results(texts: list[str]) -> dict[str, Any]:
    """``{text: result}`` for each RUN_OR_DIR argument, in order (duplicates refused)."""
    seen = [t for i, t in enumerate(texts) if t in texts[:i]]
    if seen:
        raise WorkbenchException(
            f"{seen[0]!r} is given twice: name each run or directory once.",
            error_code="INVALID_PARAMETER_VALUE",
        )
    return {text: load_result(text) for text in texts}
