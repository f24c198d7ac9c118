"""The permutation explainer: antithetic permutation sampling of Shapley values, in numpy.

:class:`_PermutationShap` is the algorithm of ``shap.PermutationExplainer`` (antithetic
permutations, ``max_evals=500``) batched over rows, because shap's version compiles numba kernels
on first use in every process (40 to 60 s measured on a busy 2-core machine) before it explains
a row.
"""

from __future__ import annotations

import numpy as np


class _Out:
    def __init__(self, values: np.ndarray, base_values: np.ndarray):
        self.values, self.base_values = values, base_values


class _PermutationShap:
    """Antithetic permutation sampling of Shapley values against a background (the algorithm of
    ``shap.PermutationExplainer``, in numpy, batched over rows; no numba compile).

    For each explained row ``2 * n_perm`` feature orderings (``n_perm`` random permutations and
    their reverses) are walked; step ``j`` of an ordering switches feature ``order[j]`` from the
    background to the row. The model is evaluated on every (row, ordering, step, background row)
    hybrid, averaged over the background, and each step's change is credited to its feature. The
    values add up exactly to ``f(x) - mean(f(background))`` and are exact for additive models.
    ``n_perm = max_evals // (2 * n_features + 1)`` as in shap (``max_evals=500``).
    """

    _ROWS_PER_CALL = 200_000

    def __init__(
        self, fn, background: np.ndarray, n_rows: int, *, seed: int, max_evals: int = 500
    ):
        self.fn, self.background = fn, np.asarray(background, dtype=np.float64)
        p = self.background.shape[1]
        self.n_perm = max(1, max_evals // (2 * p + 1))
        rng = np.random.default_rng(seed)
        # orderings for every row, drawn up front: results do not depend on the chunking
        forward = rng.permuted(np.broadcast_to(np.arange(p), (n_rows, self.n_perm, p)), axis=2)
        self.orders = np.concatenate([forward, forward[:, :, ::-1]], axis=1)
        self.offset = 0

    def __call__(self, rows: np.ndarray, silent: bool = True) -> _Out:
        rows = np.asarray(rows, dtype=np.float64)
        r, p = rows.shape
        orders = self.orders[self.offset : self.offset + r]
        self.offset += r
        b = self.background.shape[0]
        n_orders = orders.shape[1]
        per_row = n_orders * (p + 1) * b
        step = max(1, self._ROWS_PER_CALL // per_row)
        values, bases = [], []
        for i in range(0, r, step):
            v, base = self._rows(rows[i : i + step], orders[i : i + step])
            values.append(v)
            bases.append(base)
        return _Out(np.concatenate(values, axis=0), np.concatenate(bases, axis=0))

    def _rows(self, rows: np.ndarray, orders: np.ndarray):
        r, p = rows.shape
        n_orders = orders.shape[1]
        b = self.background.shape[0]
        # rank[r, o, f] = position of feature f in ordering o; step j has features of rank < j on
        rank = np.argsort(orders, axis=2)
        steps = np.arange(p + 1)
        on = rank[:, :, None, :] < steps[None, None, :, None]  # (r, o, p+1, p)
        hybrid = np.where(
            on[:, :, :, None, :], rows[:, None, None, None, :], self.background[None, None, None]
        )  # (r, o, p+1, b, p)
        out = np.asarray(self.fn(hybrid.reshape(-1, p)), dtype=np.float64)
        k = 1 if out.ndim == 1 else out.shape[1]
        g = out.reshape(r, n_orders, p + 1, b, k).mean(axis=3)  # (r, o, p+1, k)
        delta = np.diff(g, axis=2)  # (r, o, p, k): change when feature orders[..., j] turns on
        phi = np.zeros_like(delta)
        np.put_along_axis(phi, orders[..., None], delta, axis=2)
        phi = phi.mean(axis=1)  # (r, p, k)
        base = g[:, 0, 0, :]  # mean f(background), (r, k)
        if out.ndim == 1:
            return phi[:, :, 0], base[:, 0]
        return phi, base
