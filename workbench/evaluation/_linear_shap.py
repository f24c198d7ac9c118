"""Interventional linear SHAP in numpy, with ``shap.LinearExplainer``'s exact arithmetic.

For a linear model ``f(x) = coef . x + intercept`` against a background sample, the SHAP value of
feature ``j`` is ``coef[j] * (x[j] - mean(background[:, j]))`` and the base value is
``f(mean(background))``; computed here without importing shap (which loads numba, llvmlite and
matplotlib, about 140 MB of resident memory).
"""

from __future__ import annotations

from typing import Any

import numpy as np


def _linear_coefficients(est: Any) -> tuple[np.ndarray, Any]:
    """``(coef, intercept)`` as ``shap.LinearExplainer`` reads them from a fitted model."""
    coef, intercept = est.coef_, est.intercept_
    if hasattr(coef, "toarray"):  # sparsified coefficients
        coef = coef.toarray()
    coef = np.asarray(coef)
    if coef.ndim > 1 and coef.shape[0] == 1:  # one output stored as a row
        coef = coef[0]
        try:
            intercept = intercept[0]
        except TypeError:  # a scalar intercept (fit_intercept=False)
            pass
    if coef.ndim not in (1, 2) or coef.dtype.kind not in "biuf":
        raise ValueError(f"coef_ of shape {coef.shape} and dtype {coef.dtype} is not a linear model's")
    return coef, intercept


def _linear_values(est: Any, model_in: np.ndarray, background: np.ndarray):
    """Interventional linear SHAP: ``coef * (x - mean(background))``, exactly the arithmetic of
    ``shap.LinearExplainer`` with an ``Independent`` masker (values ``(n, p)`` or, one column
    per output, ``(n, p, k)``), without importing shap."""
    coef, intercept = _linear_coefficients(est)
    mean = np.array(np.mean(background, 0)).flatten()
    if coef.shape[-1] != mean.shape[0]:
        raise ValueError(f"coef_ has {coef.shape[-1]} columns but the data has {mean.shape[0]} features")
    expected = np.dot(coef, mean) + intercept
    centered = np.array(model_in - mean)
    if coef.ndim == 1:
        values = centered * coef
    else:
        values = np.stack([centered * coef[i] for i in range(coef.shape[0])], axis=-1)
    return values, np.asarray(expected)
