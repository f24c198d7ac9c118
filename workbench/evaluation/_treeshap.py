"""Exact path-dependent TreeSHAP for scikit-learn tree models, in numpy (no shap import).

:func:`tree_shap_explainer` reads a fitted scikit-learn tree model into plain arrays and returns a
:class:`TreeShap` whose :meth:`~TreeShap.shap_values` and :attr:`~TreeShap.expected_value` are
those of ``shap.TreeExplainer(model, feature_perturbation="tree_path_dependent")``: same shapes,
same output scale (the raw margin of boosted trees, probabilities of forests and single trees),
the same numbers to rounding. Models it cannot reproduce exactly give None, so the caller can
fall back to shap.

Why: ``import shap`` loads numba, llvmlite and matplotlib (110 to 140 MB of resident memory and
1 to 3 s in a fresh process), which is most of the cost of explaining a tree model.

The algorithm
-------------
Path-dependent TreeSHAP (Lundberg et al. 2018, Algorithm 2) in its per-leaf polynomial form.
For a leaf ``l`` with value ``v``, let ``U`` be the ``d`` distinct features split on along its
path; for each ``f`` in ``U``, ``z_f`` is the product of the cover fractions
``cover(child) / cover(node)`` of the path's splits on ``f`` and ``o_f`` is 1 when the row
follows every one of those splits, else 0 (a feature repeated on a path is merged, as shap's
``unwind``/``extend`` does). The leaf's share of feature ``i``'s value is

    v * (o_i - z_i) * sum_k w_k * e_k,   w_k = k! (d - 1 - k)! / d!

where ``e_k`` is the coefficient of ``t**k`` in ``prod_{j in U, j != i} (z_j + o_j t)``. The
expected value is ``sum_l v_l * prod_f z_f``, i.e. the cover-weighted mean leaf value (shap's
``compute_expectations``).

Since ``w_k`` is the Beta integral of ``u**k (1 - u)**(d-1-k)`` over [0, 1], the sum is
``integral_0^1 prod_{j != i} (z_j (1 - u) + o_j u) du``, the integral of a polynomial of degree
``d - 1``: ``ceil(d / 2)`` Gauss-Legendre nodes give it exactly (to rounding), with products
instead of polynomial coefficients. Since ``o`` is 0 or 1, a leaf's shares depend on a row only
through the ``d``-bit pattern of its ``o_f``: when ``2**d`` is at most the number of rows, the
shares are computed once per pattern (a table) and gathered per row, otherwise per row. Leaves
are processed in groups of equal ``d``, vectorised over leaves and rows, in blocks of at most
``_BLOCK`` numbers (about 4 MB of temporaries in all), and the shares are summed into features
with one matrix product per block.

Routing is the model's: scikit-learn's trees compare float32 inputs (``x <= threshold`` goes
left), HistGradientBoosting compares float64 inputs with ``num_threshold``, and NaN follows each
node's ``missing_go_to_left``. Covers are shap's: ``weighted_n_node_samples`` for
scikit-learn's trees (zero weights become 1e-6, as in shap) and the sample ``count`` of
HistGradientBoosting nodes.

Examples
--------
>>> import numpy as np
>>> from sklearn.tree import DecisionTreeRegressor
>>> X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
>>> model = DecisionTreeRegressor().fit(X, [0.0, 1.0, 2.0, 5.0])
>>> explainer = tree_shap_explainer(model)
>>> explainer.expected_value
array([2.])
>>> explainer.shap_values(X[3:]).round(6).tolist()
[[1.75, 1.25]]
"""

from __future__ import annotations

import functools
import math
from typing import Any

import numpy as np

__all__ = ["TreeShap", "tree_shap_explainer"]

# Numbers per temporary array: 2**17 float64 are 1 MB, which bounds the working memory.
_BLOCK = 1 << 17
# Paths with more distinct features than this are left to shap (patterns are int64 bit sets).
_MAX_PATH_FEATURES = 62
# shap replaces a zero node weight by this (so that cover fractions are defined).
_ZERO_WEIGHT = 1e-6

# the public scikit-learn classes read here (subclasses are not: they may predict differently)
_SKLEARN_TREES = ("DecisionTreeClassifier", "DecisionTreeRegressor", "ExtraTreeClassifier",
                  "ExtraTreeRegressor")
_SKLEARN_FORESTS = ("RandomForestClassifier", "RandomForestRegressor", "ExtraTreesClassifier",
                    "ExtraTreesRegressor")
_SKLEARN_BOOSTING = ("GradientBoostingClassifier", "GradientBoostingRegressor",
                     "HistGradientBoostingClassifier", "HistGradientBoostingRegressor")


class _Group:
    """The leaves with ``d`` distinct path features, as arrays (one row per leaf): the tree,
    the features, the interval ``lo < x <= hi`` that follows every split on each feature, whether
    NaN follows them all, the product ``z`` of their cover fractions, and the leaf values."""

    _FIELDS = ("tree", "features", "lo", "hi", "nan_ok", "z", "values")

    def __init__(self, d: int, parts: list) -> None:
        self.d = d
        for i, name in enumerate(self._FIELDS):
            setattr(self, name, np.concatenate([part[i] for part in parts]))

    def take(self, mask: np.ndarray) -> "_Group":
        part = object.__new__(_Group)
        part.d = self.d
        for name in self._FIELDS:
            setattr(part, name, getattr(self, name)[mask])
        return part


class _Paths:
    """The leaves of a model's trees, read tree by tree (:meth:`add_tree`) into arrays grouped by
    the number ``d`` of distinct features on the leaf's path."""

    def __init__(self, n_outputs: int) -> None:
        self.parts: dict[int, list] = {}
        self.expected = np.zeros(n_outputs, dtype=np.float64)
        self.n_trees = 0

    def add_tree(self, left, right, feature, threshold, nan_left, cover, value) -> bool:
        """Add one tree given by node arrays (``left == -1`` marks a leaf; ``cover`` the node
        weights, ``value`` ``(n_nodes, n_outputs)``); False when a path is too long for us."""
        tree = self.n_trees
        self.n_trees += 1
        left, right = np.asarray(left, dtype=np.int64), np.asarray(right, dtype=np.int64)
        cover = np.asarray(cover, dtype=np.float64).copy()
        cover[cover == 0.0] = _ZERO_WEIGHT
        is_leaf = left == -1
        leaves = np.flatnonzero(is_leaf)
        # E[f] over the covers: sum_leaf v * prod(cover fractions) = v * cover(leaf) / cover(root)
        self.expected += (value[leaves] * (cover[leaves] / cover[0])[:, None]).sum(axis=0)
        internal = np.flatnonzero(~is_leaf)
        parent = np.full(len(left), -1, dtype=np.int64)
        parent[left[internal]] = internal
        parent[right[internal]] = internal
        # every (leaf, ancestor) pair: walk up from the leaves one level at a time
        rows, child = np.arange(len(leaves)), leaves
        e_leaf, e_node, e_child = [], [], []
        while True:
            up = parent[child]
            keep = up >= 0
            if not keep.any():
                break
            rows, child, up = rows[keep], child[keep], up[keep]
            e_leaf.append(rows)
            e_node.append(up)
            e_child.append(child)
            child = up
        if not e_leaf:  # a single leaf: only the expected value
            return True
        e_leaf, e_node, e_child = (np.concatenate(a) for a in (e_leaf, e_node, e_child))
        goes_left = left[e_node] == e_child
        feat = np.asarray(feature, dtype=np.int64)[e_node]
        thr = np.asarray(threshold, dtype=np.float64)[e_node]
        lo = np.where(goes_left, -np.inf, thr)
        hi = np.where(goes_left, thr, np.inf)
        nan_ok = np.asarray(nan_left, dtype=bool)[e_node] == goes_left
        frac = cover[e_child] / cover[e_node]
        # merge the splits of a leaf on one feature: intersect intervals, multiply fractions
        order = np.lexsort((feat, e_leaf))
        e_leaf, feat = e_leaf[order], feat[order]
        new = np.ones(len(order), dtype=bool)
        new[1:] = (e_leaf[1:] != e_leaf[:-1]) | (feat[1:] != feat[:-1])
        starts = np.flatnonzero(new)
        u_leaf, u_feat = e_leaf[starts], feat[starts]
        u_lo = np.maximum.reduceat(lo[order], starts)
        u_hi = np.minimum.reduceat(hi[order], starts)
        u_nan = np.logical_and.reduceat(nan_ok[order], starts)
        u_z = np.multiply.reduceat(frac[order], starts)
        d_of_leaf = np.bincount(u_leaf, minlength=len(leaves))
        if d_of_leaf.max() > _MAX_PATH_FEATURES:
            return False
        leaf_values = np.asarray(value, dtype=np.float64)[leaves]
        for d in np.unique(d_of_leaf[d_of_leaf > 0]).tolist():
            chosen = d_of_leaf == d
            entries = chosen[u_leaf]  # leaf-major, so each leaf's d entries are contiguous
            n_here = int(chosen.sum())
            self.parts.setdefault(d, []).append(
                (
                    np.full(n_here, tree, dtype=np.int64),
                    u_feat[entries].reshape(n_here, d),
                    u_lo[entries].reshape(n_here, d),
                    u_hi[entries].reshape(n_here, d),
                    u_nan[entries].reshape(n_here, d),
                    u_z[entries].reshape(n_here, d),
                    leaf_values[chosen],
                )
            )
        return True


class TreeShap:
    """Path-dependent TreeSHAP of one fitted tree model (built by :func:`tree_shap_explainer`).

    Attributes
    ----------
    expected_value : numpy.ndarray
        float64 ``(n_outputs,)``: shap's ``expected_value`` (the model's mean raw output over the
        training covers; for a binary classifier with one output, shape ``(1,)``).
    n_trees : int
        Trees in the ensemble (``shap_values(X, trees=slice(...))`` sums a subset of them).
    n_features : int
    n_outputs : int
    """

    def __init__(
        self, paths: _Paths, n_features: int, base_offset: np.ndarray, input_dtype: Any
    ) -> None:
        self.n_trees, self.n_features = paths.n_trees, n_features
        self.n_outputs = len(paths.expected)
        self._input_dtype = input_dtype
        self.expected_value = paths.expected + np.asarray(base_offset, dtype=np.float64).reshape(-1)
        self._groups = [_Group(d, paths.parts[d]) for d in sorted(paths.parts)]

    def shap_values(self, X: Any, trees: slice | None = None) -> np.ndarray:
        """SHAP values of the rows of ``X``: ``(n, n_features)`` for one output, else
        ``(n, n_features, n_outputs)`` (shap's layout).

        Parameters
        ----------
        X : array-like of shape (n, n_features)
            Numeric rows (NaN allowed: it follows each split's missing-value direction).
        trees : slice, optional
            Sum only these trees (for progress reporting); the full sum by default.
        """
        X = _as_rows(X, self.n_features)
        # compare as the model predicts (scikit-learn's trees read float32), feature-major
        XT = np.ascontiguousarray(X.astype(self._input_dtype).T, dtype=np.float64)
        n, p, k = X.shape[0], self.n_features, self.n_outputs
        phi = np.zeros((n, p * k), dtype=np.float64)
        has_nan = bool(np.isnan(XT).any())
        chosen = None
        if trees is not None:
            chosen = np.zeros(self.n_trees, dtype=bool)
            chosen[trees] = True
        # the matrix products are small: BLAS threads only cost here (3-5x on a busy machine)
        from threadpoolctl import threadpool_limits

        with threadpool_limits(1, user_api="blas"):
            for group in self._groups:
                if chosen is not None:
                    group = group.take(chosen[group.tree])
                if len(group.tree) and n:
                    _add_group(phi, XT, group, has_nan, p, k)
        phi = phi.reshape(n, p, k)
        return phi[:, :, 0] if k == 1 else phi


def _as_rows(X: Any, n_features: int) -> np.ndarray:
    from workbench._exceptions import WorkbenchException

    try:
        arr = np.asarray(X.to_numpy(dtype=np.float64) if hasattr(X, "to_numpy") else X,
                         dtype=np.float64)
    except (TypeError, ValueError) as e:
        raise WorkbenchException(
            f"TreeSHAP needs numeric rows; got {type(X).__name__} that cannot be read as float64 "
            f"({e}). Pass a numeric array or DataFrame.",
            error_code="INVALID_PARAMETER_VALUE",
        ) from e
    if arr.ndim != 2 or arr.shape[1] != n_features:
        raise WorkbenchException(
            f"TreeSHAP expected rows of shape (n, {n_features}) (the model's features), got "
            f"shape {arr.shape}. Pass the features the model was fitted on, in that order.",
            error_code="INVALID_PARAMETER_VALUE",
        )
    return arr


# --------------------------------------------------------------------------------------------
# the computation


@functools.lru_cache(maxsize=None)
def _quadrature(d: int) -> tuple[np.ndarray, np.ndarray]:
    """Gauss-Legendre nodes and weights on [0, 1], exact for polynomials of degree ``d - 1``."""
    x, w = np.polynomial.legendre.leggauss(max(1, (d + 1) // 2))
    u, g = (x + 1.0) / 2.0, w / 2.0
    u.flags.writeable = g.flags.writeable = False  # shared between calls
    return u, g


def _factors(z: np.ndarray, u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(m, L, d)`` factors ``z (1 - u) + o u`` of a feature that is not followed (``o = 0``)
    and of one that is (``o = 1``), at each quadrature node ``u``."""
    off = z[None] * (1.0 - u)[:, None, None]
    return off, off + u[:, None, None]


def _table_shares(z: np.ndarray) -> np.ndarray:
    """Shares of unit-valued leaves for every pattern: ``(L, 2**d, d)`` for ``z`` ``(L, d)``.

    Pattern ``p`` has ``o_j = (p >> j) & 1``. The share of feature ``i`` is
    ``(o_i - z_i) * integral_0^1 prod_{j != i} (z_j (1 - u) + o_j u) du`` (the Shapley weights
    ``k! (d-1-k)! / d!`` are the Beta integrals of ``u**k (1-u)**(d-1-k)``), an integral of a
    polynomial of degree ``d - 1``, exact with ``ceil(d / 2)`` Gauss-Legendre nodes. The products
    over all patterns are built by doubling; leaving out feature ``i`` divides by its factor
    (never zero: ``z > 0`` and ``0 < u < 1``), which a batched matrix product does for all ``i``.
    """
    L, d = z.shape
    u, g = _quadrature(d)
    off, on = _factors(z, u)
    prods = np.ones((len(u), L, 1))
    for j in range(d):  # index bit j is o_j
        prods = np.concatenate([prods * off[:, :, j : j + 1], prods * on[:, :, j : j + 1]], axis=2)
    inverse = np.concatenate([g[:, None, None] / off, g[:, None, None] / on], axis=2)
    # (L, 2**d, m) @ (L, m, 2d): integral without feature i, for o_i = 0 and for o_i = 1
    both = np.matmul(prods.transpose(1, 2, 0), inverse.transpose(1, 0, 2))
    del prods
    bits = (np.arange(1 << d)[:, None] >> np.arange(d)) & 1  # (2**d, d)
    shares = np.where(bits[None] == 1, both[:, :, d:], both[:, :, :d])
    shares *= bits[None] - z[:, None, :]
    return shares


def _row_shares(o: np.ndarray, z: np.ndarray) -> np.ndarray:
    """Shares of unit-valued leaves for given patterns: ``(n, L, d)`` for bool ``o`` ``(n, L, d)``
    and ``z`` ``(L, d)`` (the integral of :func:`_table_shares`, per row)."""
    d = z.shape[1]
    u, g = _quadrature(d)
    off, on = _factors(z, u)
    shares = np.zeros(o.shape, dtype=np.float64)
    for q in range(len(u)):
        factor = np.where(o, on[q], off[q])
        shares += factor.prod(axis=-1)[:, :, None] / factor * g[q]
    shares *= o - z[None]
    return shares


def _patterns(XT: np.ndarray, group: _Group, leaves: slice, has_nan: bool) -> np.ndarray:
    """``(n, L)`` int64 bit sets: bit ``s`` is set when the row follows every split of the
    leaf's ``s``-th path feature (``lo < x <= hi``, or the missing-value direction for NaN).
    ``XT`` is the rows transposed, ``(n_features, n)``: gathering whole feature rows is faster."""
    x = XT[group.features[leaves]]  # (L, d, n)
    follows = x > group.lo[leaves][:, :, None]
    follows &= x <= group.hi[leaves][:, :, None]
    if has_nan:
        follows = np.where(np.isnan(x), group.nan_ok[leaves][:, :, None], follows)
    del x
    bits = np.left_shift(np.int64(1), np.arange(group.d, dtype=np.int64))
    return np.einsum("ldn,d->nl", follows, bits)


def _to_features(group: _Group, leaves: slice, p: int, k: int) -> np.ndarray:
    """``(L * d, p * k)``: row ``l * d + s`` holds leaf ``l``'s values in the columns of its
    ``s``-th path feature (the shares times this matrix sum them into features)."""
    feats = group.features[leaves]
    vals = group.values[leaves]
    L, d = feats.shape
    m = np.zeros((L * d, p * k), dtype=np.float64)
    rows = np.arange(L * d)
    for j in range(k):
        m[rows, feats.reshape(-1) * k + j] = np.repeat(vals[:, j], d)
    return m


def _add_group(phi: np.ndarray, XT: np.ndarray, group: _Group, has_nan: bool, p: int, k: int):
    """Add the SHAP values of one group's leaves to ``phi`` (n, p * k); ``XT`` is the rows
    transposed."""
    n, d = XT.shape[1], group.d
    n_leaves = len(group.tree)
    per_leaf = (1 << d) * (2 * d + 1)  # the table's working arrays
    table = (1 << d) <= n and per_leaf <= _BLOCK
    if table:
        leaf_step = max(1, _BLOCK // per_leaf)
    else:
        leaf_step = max(1, _BLOCK // (min(n, _BLOCK // (d + 1) or 1) * (d + 1)))
    leaf_step = min(leaf_step, max(1, _BLOCK // (d * p * k)))  # bounds the (L*d, p*k) matrix
    for start in range(0, n_leaves, leaf_step):
        leaves = slice(start, min(start + leaf_step, n_leaves))
        n_here = leaves.stop - leaves.start
        to_features = _to_features(group, leaves, p, k)
        row_step = max(1, _BLOCK // (n_here * (d + 1)))
        if table:
            flat = _table_shares(group.z[leaves]).reshape(-1, d)  # row leaf * 2**d + pattern
            offsets = np.arange(n_here, dtype=np.int64) << d
        for r0 in range(0, n, row_step):
            rows = slice(r0, min(r0 + row_step, n))
            pattern = _patterns(XT[:, rows], group, leaves, has_nan)
            if table:
                part = np.take(flat, pattern + offsets, axis=0)
            else:
                o = ((pattern[:, :, None] >> np.arange(d)) & 1).astype(bool)
                part = _row_shares(o, group.z[leaves])
            phi[rows] += part.reshape(part.shape[0], n_here * d) @ to_features


# --------------------------------------------------------------------------------------------
# reading models


def _sklearn_tree(tree: Any, paths: _Paths, *, normalize: bool, scaling: float) -> bool:
    """Add a ``sklearn.tree._tree.Tree`` with shap's node values and weights."""
    value = np.asarray(tree.value, dtype=np.float64)
    value = value.reshape(value.shape[0], value.shape[1] * value.shape[2])
    if normalize:
        value = value / value.sum(axis=1, keepdims=True)
    value = value * scaling
    left = tree.children_left
    nan_left = getattr(tree, "missing_go_to_left", None)
    if nan_left is None:  # scikit-learn before 1.3: no missing values
        nan_left = np.ones(len(left), dtype=bool)
    return paths.add_tree(
        left, tree.children_right, tree.feature, tree.threshold, nan_left,
        tree.weighted_n_node_samples, value,
    )


def _hgb_tree(nodes: np.ndarray, output: int, k: int, paths: _Paths) -> bool:
    """Add a HistGradientBoosting predictor's node array (counts as covers, as shap does)."""
    is_leaf = nodes["is_leaf"].astype(bool)
    left = np.where(is_leaf, -1, nodes["left"].astype(np.int64))
    value = np.zeros((len(nodes), k), dtype=np.float64)
    value[:, output] = nodes["value"]
    return paths.add_tree(
        left, nodes["right"], nodes["feature_idx"], nodes["num_threshold"],
        nodes["missing_go_to_left"].astype(bool), nodes["count"], value,
    )


def _class_path(model: Any) -> tuple[str, str]:
    cls = type(model)
    return cls.__name__, cls.__module__ or ""


def _n_features(model: Any) -> int | None:
    n = getattr(model, "n_features_in_", None)
    return int(n) if n is not None else None


def tree_shap_explainer(model: Any) -> TreeShap | None:
    """A :class:`TreeShap` for a fitted scikit-learn tree model, or None when this module does
    not reproduce ``shap.TreeExplainer`` exactly for it.

    Supported: ``DecisionTree{Classifier,Regressor}``, ``ExtraTree{Classifier,Regressor}``,
    ``RandomForest*``, ``ExtraTrees*``, ``GradientBoostingRegressor``, binary
    ``GradientBoostingClassifier`` (log-loss, default init) and ``HistGradientBoosting*``
    without categorical splits, all with one target. Anything else (subclasses, multi-output
    models, HGB categorical features, multiclass or exponential-loss gradient boosting, custom
    init estimators, xgboost/lightgbm/catboost, unfitted models) returns None.

    Examples
    --------
    >>> from sklearn.ensemble import RandomForestClassifier
    >>> from sklearn.neighbors import KNeighborsClassifier
    >>> X, y = [[0.0], [1.0], [2.0], [3.0]], [0, 0, 1, 1]
    >>> rf = RandomForestClassifier(n_estimators=3, random_state=0).fit(X, y)
    >>> tree_shap_explainer(rf).shap_values([[0.0], [3.0]]).shape  # rows, features, classes
    (2, 1, 2)
    >>> tree_shap_explainer(KNeighborsClassifier(1).fit(X, y)) is None
    True
    """
    try:
        return _read(model)
    except (AttributeError, TypeError, ValueError, KeyError, IndexError):
        return None  # not a fitted model of a layout we know


def _read(model: Any) -> TreeShap | None:
    name, module = _class_path(model)
    if not module.startswith("sklearn."):
        return None
    import sklearn.ensemble
    import sklearn.tree

    public = sklearn.tree if name in _SKLEARN_TREES else sklearn.ensemble
    if type(model) is not getattr(public, name, None):
        return None
    p = _n_features(model)
    if p is None:
        return None
    if name in _SKLEARN_TREES or name in _SKLEARN_FORESTS:
        single = name in _SKLEARN_TREES
        estimators = [model] if single else list(model.estimators_)
        if getattr(model, "n_outputs_", 1) != 1 or not estimators:
            return None
        classifier = name.endswith("Classifier")
        scaling = 1.0 if single else 1.0 / len(estimators)
        k = estimators[0].tree_.value.shape[2]
        paths = _Paths(k)
        for est in estimators:
            tree = est.tree_
            if tree.value.shape[1:] != (1, k):
                return None
            if not _sklearn_tree(tree, paths, normalize=classifier, scaling=scaling):
                return None
        return TreeShap(paths, p, np.zeros(k), np.float32)
    if name in ("GradientBoostingRegressor", "GradientBoostingClassifier"):
        return _read_gradient_boosting(model, name, p)
    return _read_hist_gradient_boosting(model, p)


def _read_gradient_boosting(model: Any, name: str, p: int) -> TreeShap | None:
    from sklearn.dummy import DummyClassifier, DummyRegressor

    init = model.init_
    if name == "GradientBoostingClassifier":
        if model.estimators_.shape[1] != 1 or model.loss != "log_loss":
            return None  # shap refuses multiclass; exponential loss has another link
        if type(init) is not DummyClassifier or init.strategy != "prior":
            return None
        prior = float(init.class_prior_[1])
        base = np.array([math.log(prior / (1.0 - prior))])  # shap's scipy.special.logit
    else:
        if type(init) is not DummyRegressor:
            return None  # an init model whose prediction varies with the row
        base = np.asarray(init.constant_[0], dtype=np.float64).reshape(-1)
        if base.shape != (1,):
            return None
    paths = _Paths(1)
    for est in model.estimators_[:, 0]:
        if not _sklearn_tree(est.tree_, paths, normalize=False, scaling=model.learning_rate):
            return None
    return TreeShap(paths, p, base, np.float32)


def _read_hist_gradient_boosting(model: Any, p: int) -> TreeShap | None:
    if getattr(model, "_preprocessor", None) is not None:
        return None  # categorical features: bitset splits
    is_cat = getattr(model, "is_categorical_", None)
    if is_cat is not None and np.any(is_cat):
        return None
    predictors = model._predictors
    k = len(predictors[0])
    base = np.asarray(model._baseline_prediction, dtype=np.float64).reshape(-1)
    if base.shape != (k,):
        return None
    paths = _Paths(k)
    for stage in predictors:  # one tree per output and iteration, in shap's order
        if len(stage) != k:
            return None
        for output, predictor in enumerate(stage):
            nodes = predictor.nodes
            if "is_categorical" in nodes.dtype.names and nodes["is_categorical"].any():
                return None
            if not _hgb_tree(nodes, output, k, paths):
                return None
    return TreeShap(paths, p, base, np.float64)
