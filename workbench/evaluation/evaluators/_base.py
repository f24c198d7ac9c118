"""The evaluator interface, :class:`ModelEvaluator`, and the step timer evaluators share.

A plugin evaluator subclasses :class:`ModelEvaluator` and is registered under a name, in
code with :func:`workbench.evaluation.evaluators.register_evaluator` or from a package
through the entry point group ``workbench.evaluators``.
"""

from __future__ import annotations

import abc
import sys
import time
from contextlib import contextmanager
from typing import Any, Iterator

__all__ = ["ModelEvaluator", "Steps"]


class ModelEvaluator(metaclass=abc.ABCMeta):
    """An evaluator: says which evaluations it can do, and does them.

    The twin of ``mlflow.models.evaluation.ModelEvaluator``, with the same two methods and
    keyword arguments. Differences: ``model`` is a
    :class:`workbench.evaluation._predictor.Predictor` (or None for static data), never a
    served model; ``run_id`` is None (results are not logged to a tracking store); the
    ``dataset`` is a :class:`workbench.evaluation.EvaluationDataset`.

    Examples
    --------
    >>> class CountRows(ModelEvaluator):
    ...     name = "count_rows"
    ...     @classmethod
    ...     def can_evaluate(cls, *, model_type, evaluator_config, **kwargs):
    ...         return True
    ...     def evaluate(self, *, model_type, dataset, run_id, evaluator_config, model=None,
    ...                  extra_metrics=None, custom_artifacts=None, predictions=None, **kwargs):
    ...         from workbench.evaluation import EvaluationResult
    ...         return EvaluationResult({"rows": dataset.n_rows}, {})
    >>> CountRows.can_evaluate(model_type=None, evaluator_config={})
    True
    """

    #: The name the evaluator is registered under.
    name: str | None = None

    @classmethod
    @abc.abstractmethod
    def can_evaluate(cls, *, model_type: str | None, evaluator_config: dict[str, Any], **kwargs: Any) -> bool:
        """Whether this evaluator can evaluate a model of ``model_type`` with this config.

        Parameters
        ----------
        model_type : str or None
            ``"classifier"``, ``"regressor"``, ... or None.
        evaluator_config : dict
            This evaluator's configuration.
        **kwargs
            For forward compatibility.
        """

    @abc.abstractmethod
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
        """Evaluate and return an :class:`~workbench.evaluation.EvaluationResult`.

        Parameters
        ----------
        model_type : str or None
        dataset : EvaluationDataset
            Features, targets and, for static data, predictions.
        run_id : None
            Kept for MLflow's interface; workbench does not log to a tracking store here.
        evaluator_config : dict
            This evaluator's configuration.
        model : Predictor, optional
            None when the predictions are in the dataset.
        extra_metrics : list of EvaluationMetric, optional
        custom_artifacts : list of callable, optional
        predictions : str, optional
            For a model with several output columns, the one that holds the predictions.
        **kwargs
            ``steps`` (a :class:`Steps` to record timings in) and future arguments.
        """


def _progress_wanted() -> bool:
    """A bar only where someone watches: a terminal, or a notebook kernel."""
    try:
        if "ipykernel" in sys.modules:
            from IPython import get_ipython  # only imported when a kernel already is

            shell = get_ipython()
            if shell is not None and type(shell).__name__ == "ZMQInteractiveShell":
                return True
        stream = sys.stderr
        return bool(stream is not None and hasattr(stream, "isatty") and stream.isatty())
    except Exception:  # pragma: no cover - odd streams
        return False


class Steps:
    """Times the steps of an evaluation and shows a progress bar when they take a while.

    The bar is tqdm's text bar on stderr, also in a notebook (a widget bar would stay in
    the notebook's saved widget state at its last step). It appears only when tqdm is
    installed, the output is a terminal or a notebook, and the evaluation has run for more than
    ``delay`` seconds, so quick evaluations print nothing.

    Examples
    --------
    >>> steps = Steps(["predict", "metrics"], progress=False)
    >>> with steps.step("predict"):
    ...     pass
    >>> sorted(steps.timings)
    ['predict']
    """

    def __init__(self, names: list[str], *, progress: bool | None = None, delay: float = 1.0) -> None:
        self.timings: dict[str, float] = {}
        self._bar: Any = None
        if progress is None:
            progress = _progress_wanted()
        if progress and names:
            try:
                from tqdm import tqdm
            except ImportError:
                tqdm = None
            if tqdm is not None:
                try:
                    self._bar = tqdm(total=len(names), desc="evaluate", unit="step", delay=delay, leave=False)
                except Exception:  # pragma: no cover - a broken display
                    self._bar = None

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        """Time the block as step ``name`` (times of repeated steps add up)."""
        if self._bar is not None:
            self._bar.set_postfix_str(name, refresh=False)
        start = time.perf_counter()
        try:
            yield
        finally:
            self.timings[name] = self.timings.get(name, 0.0) + time.perf_counter() - start
            if self._bar is not None:
                self._bar.update(1)

    def add(self, name: str, seconds: float) -> None:
        """Record a time measured elsewhere."""
        self.timings[name] = self.timings.get(name, 0.0) + seconds

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
