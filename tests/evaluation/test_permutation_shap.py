"""The numpy permutation explainer: exact for additive models, additive always, chunk-independent."""

from __future__ import annotations

import numpy as np

from workbench.evaluation._permutation_shap import _PermutationShap


def test_additive_model_values_are_exact():
    rng = np.random.default_rng(0)
    X, bg = rng.normal(size=(6, 3)), rng.normal(size=(10, 3))
    w = np.array([2.0, -1.0, 0.5])
    out = _PermutationShap(lambda a: a @ w, bg, len(X), seed=0)(X)
    np.testing.assert_allclose(out.values, w * (X - bg.mean(axis=0)), atol=1e-12)
    np.testing.assert_allclose(out.base_values, np.full(6, (bg @ w).mean()))


def test_values_add_up_for_an_interaction_and_per_output():
    rng = np.random.default_rng(1)
    X, bg = rng.normal(size=(5, 4)), rng.normal(size=(8, 4))

    def f(a):
        return np.column_stack([a[:, 0] * a[:, 1], np.sin(a[:, 2]) + a[:, 3] ** 2])

    out = _PermutationShap(f, bg, len(X), seed=2)(X)
    assert out.values.shape == (5, 4, 2) and out.base_values.shape == (5, 2)
    np.testing.assert_allclose(out.values.sum(axis=1) + out.base_values, f(X), atol=1e-12)
    # x0*x1 gives nothing to features 2 and 3, and sin(x2)+x3^2 nothing to 0 and 1
    np.testing.assert_allclose(out.values[:, 2:, 0], 0, atol=1e-12)
    np.testing.assert_allclose(out.values[:, :2, 1], 0, atol=1e-12)


def test_results_do_not_depend_on_chunking_or_call_batch_size():
    rng = np.random.default_rng(2)
    X, bg = rng.normal(size=(9, 3)), rng.normal(size=(7, 3))

    def f(a):
        return np.tanh(a[:, 0] * a[:, 1] - a[:, 2])

    whole = _PermutationShap(f, bg, len(X), seed=5)(X).values
    split = _PermutationShap(f, bg, len(X), seed=5)
    split._ROWS_PER_CALL = 1  # one row per model call
    parts = np.concatenate([split(X[:4]).values, split(X[4:]).values])
    np.testing.assert_allclose(parts, whole, atol=1e-12)
    assert split.n_perm == 500 // 7
