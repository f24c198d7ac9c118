"""Model-agnostic SHAP: explaining a model's scores against a background sample.

:func:`_score_function` picks the scores to explain (``predict_proba`` of a classifier that has
it, else ``predict``, or a given predict function), checks they are numeric and wraps them as a
:class:`_ScoreFn` that rebuilds masked numpy rows as a DataFrame with the original columns.
:func:`_explain_agnostic` runs the permutation explainer
(:mod:`workbench.evaluation._permutation_shap`) or shap's ``ExactExplainer``,
``PartitionExplainer`` or ``KernelExplainer`` on them, chunked over rows.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from workbench.evaluation._permutation_shap import _PermutationShap
from workbench.evaluation._shap_chunks import _run_chunked, _stack


class _ScoreFn:
    """Calls the model on masked numpy rows rebuilt as a DataFrame with the original columns."""

    def __init__(self, fn, columns, dtypes, column: int | None, is_proba: bool):
        self.fn, self.columns, self.dtypes = fn, columns, dtypes
        self.column, self.is_proba = column, is_proba

    def __call__(self, arr: np.ndarray) -> np.ndarray:
        df = pd.DataFrame(np.asarray(arr), columns=self.columns)
        try:
            df = df.astype(self.dtypes)
        except (TypeError, ValueError):
            pass
        out = _as_numeric(self.fn(df))
        if self.column is not None:
            out = out[:, self.column]
        return out


def _as_numeric(out: Any) -> np.ndarray:
    if isinstance(out, (pd.DataFrame, pd.Series)):
        out = out.to_numpy()
    out = np.asarray(out)
    if out.ndim == 2 and out.shape[1] == 1:
        out = out[:, 0]
    return out.astype(np.float64)


def _score_function(
    est, predict_fn, model_type, X, pos_index: int = 1
) -> tuple[_ScoreFn | None, str | None]:
    is_proba = False
    if predict_fn is not None:
        fn = predict_fn
    elif model_type == "classifier" and callable(getattr(est, "predict_proba", None)):
        fn, is_proba = est.predict_proba, True
    elif callable(getattr(est, "predict", None)):
        fn = est.predict
    elif callable(est):
        fn = est
    else:
        return None, f"the model ({type(est).__name__}) has no predict function to explain"
    probe_rows = X.iloc[: min(len(X), 5)]
    try:
        out = _as_numeric(fn(probe_rows))
    except (TypeError, ValueError) as e:
        return None, (
            "SHAP needs numeric model outputs; the model's output could not be read as numbers "
            f"({type(e).__name__}: {e}). Give a predict function that returns scores."
        )
    column = None
    if out.ndim == 2:
        classes = getattr(est, "classes_", None)
        if out.shape[1] == 2 and model_type == "classifier":
            column = pos_index  # the positive class's column
            is_proba = is_proba or predict_fn is not None
        elif out.shape[1] > 2 and model_type == "regressor":
            return None, f"SHAP explains one regression output; the model gives {out.shape[1]}"
        del classes
    elif out.ndim != 1:
        return None, f"SHAP needs outputs of shape (n,) or (n, k); got shape {out.shape}"
    return _ScoreFn(fn, list(X.columns), X.dtypes.to_dict(), column, is_proba), None


def _explain_agnostic(shap, kind, fn, values_num, bg_pos, kernel_link, seed, progress):
    background = values_num[bg_pos]
    if kind == "kernel":
        np.random.seed(seed)
        explainer = shap.KernelExplainer(fn, background, link=kernel_link)

        def step(sl):
            return explainer.shap_values(values_num[sl], silent=True)

        base_getter = lambda: explainer.expected_value  # noqa: E731
    else:
        if kind == "partition":
            masker = shap.maskers.Partition(background, max_samples=len(background))
            explainer = shap.PartitionExplainer(fn, masker)
        elif kind == "exact":
            masker = shap.maskers.Independent(background, max_samples=len(background))
            explainer = shap.ExactExplainer(fn, masker)
        else:
            explainer = _PermutationShap(fn, background, len(values_num), seed=seed)
        bases: list = []

        def step(sl):
            out = explainer(values_num[sl], silent=True)
            bases.append(np.asarray(out.base_values))
            return np.asarray(out.values)

        base_getter = lambda: np.concatenate(bases, axis=0).mean(axis=0)  # noqa: E731
    np.random.seed(seed)
    parts = _run_chunked(step, len(values_num), f"SHAP ({kind})", progress)
    values = _stack(parts)
    return values, np.asarray(base_getter()), True
