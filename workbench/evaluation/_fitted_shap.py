"""SHAP values of a fitted tree or linear model, computed on the rows it sees.

:func:`_explain_fitted` runs the model-specific explainer on the model's own inputs: the linear
explainer (:mod:`workbench.evaluation._linear_shap`), path-dependent TreeSHAP in numpy
(:mod:`workbench.evaluation._treeshap`) or ``shap.TreeExplainer`` (interventional, or a model the
numpy TreeSHAP does not read). It returns ``(values, base, used_background)`` or, when the model
is refused, a reason to explain it model-agnostically instead.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from workbench.evaluation._linear_shap import _linear_values
from workbench.evaluation._shap_chunks import _run_chunked, _stack


def _explain_fitted(
    shap, kind, est, model_in, bg_pos, tree_perturbation, progress, notes, numpy_tree=None
):
    """Tree or linear explainer on ``model_in`` (numpy); (values, base, used_background) or a
    reason to fall back to the permutation explainer. ``numpy_tree`` (a
    :class:`~workbench.evaluation._treeshap.TreeShap` or None) computes path-dependent TreeSHAP
    without shap; ``shap`` is the module where it is needed, else None."""
    background = model_in[bg_pos]
    if kind == "linear":
        try:
            values, expected = _linear_values(est, model_in, background)
        except Exception as e:
            return (
                f"the linear explainer could not use the model's coefficients "
                f"({type(e).__name__}: {e}); explained model-agnostically"
            )
        return values, expected, True

    def tree_values(perturbation: str):
        if perturbation == "tree_path_dependent" and numpy_tree is not None:
            return _numpy_tree_values(numpy_tree, model_in, progress)
        if perturbation == "interventional":
            explainer = shap.TreeExplainer(est, background, feature_perturbation="interventional")
        else:
            explainer = shap.TreeExplainer(est, feature_perturbation="tree_path_dependent")
        parts = _run_chunked(
            lambda sl: explainer.shap_values(model_in[sl], check_additivity=False),
            len(model_in),
            "SHAP (tree)",
            progress,
        )
        values, base = _stack(parts), np.asarray(explainer.expected_value)
        if perturbation == "interventional":
            # shap's own check, once for the whole sample (its tree predictions, no OpenMP)
            output = np.asarray(explainer.model.predict(model_in))
            total = base + values.sum(axis=1)
            if not np.allclose(total.reshape(output.shape), output, rtol=1e-4, atol=1e-4):
                raise _NotAdditive()
        return values, base

    try:
        if tree_perturbation == "interventional":
            try:
                values, base = tree_values("interventional")
                return values, base, True
            except _NotAdditive:
                notes.append(
                    "shap's interventional TreeExplainer was not additive for this model; "
                    "used tree_path_dependent"
                )
        values, base = tree_values("tree_path_dependent")
        return values, base, False
    except Exception as e:
        numpy_used = numpy_tree is not None and tree_perturbation != "interventional"
        who = "TreeSHAP" if numpy_used else "shap.TreeExplainer"
        return (
            f"{who} refused the model ({type(e).__name__}: {e}); explained model-agnostically"
        )


def _numpy_tree_values(explainer: Any, model_in: np.ndarray, progress: bool | None):
    """Path-dependent TreeSHAP in numpy (values and expected value exactly shap's), summed over
    chunks of trees so that the progress bar moves; one running total, no per-chunk copies."""
    total: list = []

    def step(trees: slice) -> None:
        part = explainer.shap_values(model_in, trees=trees)
        if total:
            total[0] += part
        else:
            total.append(part)

    _run_chunked(step, explainer.n_trees, "SHAP (tree)", progress, unit="tree")
    return total[0], np.array(explainer.expected_value, dtype=np.float64)


class _NotAdditive(Exception):
    pass
