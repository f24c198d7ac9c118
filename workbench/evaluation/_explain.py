"""SHAP explanations as data: the right explainer for the model, on a reported sample.

:func:`explain` computes SHAP values for a classifier or a regressor and returns them as an
:class:`Explanation` (plain numpy arrays, JSON round trip, nothing pickled). It never raises: when
an explanation cannot be made it returns ``(None, reason)`` and the evaluation goes on.

Explainer choice (``algorithm=None``)
-------------------------------------
1. **Tree models** (scikit-learn ``RandomForest*``, ``ExtraTrees*``, ``GradientBoosting*``,
   ``HistGradientBoosting*``, ``DecisionTree*``, ``ExtraTree*``; xgboost, lightgbm and catboost
   models): TreeSHAP. By default with ``feature_perturbation="tree_path_dependent"`` (no
   background data; fast; exactly additive), computed in numpy by
   :mod:`workbench.evaluation._treeshap` for scikit-learn's tree models (the values and expected
   value of ``shap.TreeExplainer`` to rounding, shap's layout and output scale), without
   importing shap: ``import shap`` loads numba, llvmlite and matplotlib, 110-140 MB of resident
   memory and 1-3 s in a fresh process, which made the memory an evaluation adds 7.4 times a
   16 MB input (benchmarks/bench_evaluate.py, shap_hgb_binary_100k), 1.3 times without it.
   Measured on a busy 2-core machine (HistGradientBoostingClassifier, 100 trees, 20 features,
   2,000 rows): 0.4 s in numpy with about 4 MB of temporaries, against 1.8 s for shap's
   TreeExplainer after its 1.2 s import. Models it does not read exactly (HGB categorical
   splits, multi-output models, multiclass or exponential-loss ``GradientBoostingClassifier``,
   custom ``init`` estimators, subclasses, xgboost/lightgbm/catboost) use
   ``shap.TreeExplainer``; the progress bar then counts rows, for the numpy TreeSHAP trees.
   ``tree_perturbation="interventional"`` uses shap's ``TreeExplainer`` against a background
   sample, which is what MLflow's default evaluator does (same rows, same background, same
   numbers with ``seed=0``) at several times the cost; when shap's interventional result is not
   additive (seen with shap 0.51 on binary ``HistGradientBoostingClassifier`` models, where
   MLflow's evaluator then logs no SHAP at all) the path-dependent algorithm is used and
   ``notes`` says so.
2. **Linear models** (classes of ``sklearn.linear_model`` with ``coef_``, except the GLMs with a
   non-identity link, Poisson/Gamma/Tweedie): the interventional linear explainer against a
   background sample, ``shap_value = coef * (x - mean(background))``, computed in numpy with
   ``shap.LinearExplainer``'s exact arithmetic (same values, no shap import: importing shap
   loads numba, llvmlite and matplotlib, about 140 MB of resident memory).
3. A scikit-learn ``Pipeline`` whose steps before the final estimator all transform each column on
   its own (scalers, power/quantile transformers, a ``SimpleImputer`` without indicators) and whose
   final estimator is a tree or linear model: the final estimator is explained on the transformed
   rows. Interventional and path-dependent SHAP values of ``g(T(x))`` for a column-wise ``T`` are
   the SHAP values of ``g`` at ``T(x)`` (a hybrid of ``x`` and a background row maps to the same
   hybrid of their transforms), so the values are those of the whole pipeline in the original
   feature space; ``feature_values`` are the original values. Any other pipeline is explained
   model-agnostically.
4. **Anything else**: the permutation explainer on the model's scores (``predict_proba`` for a
   classifier that has it, else ``predict``), against a background sample. It is the algorithm of
   ``shap.PermutationExplainer`` (antithetic permutations, ``max_evals=500``) written in numpy
   and batched over rows, because shap's version compiles numba kernels on first use in every
   process (40 to 60 s measured on a busy 2-core machine) before it explains a row.

``algorithm`` (MLflow's ``explainability_algorithm``: "exact", "permutation", "partition",
"kernel") forces a model-agnostic explainer on the scores: "permutation" is ours (above),
"exact", "partition" and "kernel" are shap's ``ExactExplainer``, ``PartitionExplainer`` and
``KernelExplainer`` (with ``kernel_link``, "identity" or "logit"), each against the background.
MLflow's kernel explainer uses ``nsamples`` background rows; we use 100 (its cost grows with
the background).

Sampling
--------
The explained rows are ``nsamples`` rows drawn without replacement (``shap.sample``'s draw, seeded
by ``seed``; every row when there are fewer), reported in ``sample_index``, ``sampled`` and
``n_rows_total``. The background, where one is used, is 100 of those rows (again ``shap.sample``'s
draw), reported in ``background_index``. With ``seed=0`` both draws are MLflow's.

Outputs
-------
A binary classifier's values explain the score of the positive class (``positive_label``): the
log-odds for boosted trees and linear models, the probability for forests and single trees and
model-agnostic explainers (``model_output`` says which). A multiclass model has one set of
values per class (``class_labels``), shaped ``(n_classes, n_sample, n_features)``.

Examples
--------
>>> import numpy as np, pandas as pd
>>> from sklearn.linear_model import LinearRegression
>>> X = pd.DataFrame({"a": np.arange(50.0), "b": np.arange(50.0) % 7})
>>> model = LinearRegression().fit(X, 2 * X["a"] - X["b"])
>>> exp, reason = explain(model, X, model_type="regressor")
>>> exp.explainer, exp.shap_values.shape, reason
('linear', (50, 2), None)
>>> exp.importance().index.tolist()
['a', 'b']
"""

from __future__ import annotations

import math
import time
import warnings
from dataclasses import dataclass, field, fields
from typing import Any, Callable

import numpy as np
import pandas as pd

__all__ = [
    "Explanation",
    "explain",
    "choose_explainer",
    "SHAP_BEESWARM_PLOT",
    "SHAP_SUMMARY_PLOT",
    "SHAP_FEATURE_IMPORTANCE_PLOT",
    "SHAP_ARTIFACT_NAMES",
    "SUPPORTED_ALGORITHMS",
    "KERNEL_LINKS",
    "DEFAULT_NSAMPLES",
    "BACKGROUND_ROWS",
]

#: Artifact names MLflow's default evaluator logs for SHAP (the figures are drawn from an
#: :class:`Explanation` by the notebook layer).
SHAP_BEESWARM_PLOT = "shap_beeswarm_plot"
SHAP_SUMMARY_PLOT = "shap_summary_plot"
SHAP_FEATURE_IMPORTANCE_PLOT = "shap_feature_importance_plot"
SHAP_ARTIFACT_NAMES = (SHAP_BEESWARM_PLOT, SHAP_SUMMARY_PLOT, SHAP_FEATURE_IMPORTANCE_PLOT)

#: Values of ``explainability_algorithm`` (MLflow's list).
SUPPORTED_ALGORITHMS = ("exact", "permutation", "partition", "kernel")
#: Values of ``explainability_kernel_link``.
KERNEL_LINKS = ("identity", "logit")
#: Default ``explainability_nsamples`` (MLflow's).
DEFAULT_NSAMPLES = 2000
#: Rows in the background sample (shap's default for an Independent masker).
BACKGROUND_ROWS = 100

_FORMAT_VERSION = 1
_INSTALL_HINT = "shap is not installed: pip install 'workbench[explain]'"
# A progress bar is shown when the projected time exceeds this many seconds.
_PROGRESS_AFTER_SECONDS = 1.0
_N_CHUNKS = 20

_TREE_PREFIXES = (
    "RandomForest",
    "ExtraTrees",
    "GradientBoosting",
    "HistGradientBoosting",
    "DecisionTree",
    "ExtraTree",
)
_TREE_PACKAGES = ("xgboost", "lightgbm", "catboost")
_NONLINEAR_GLMS = ("PoissonRegressor", "GammaRegressor", "TweedieRegressor")
_COLUMNWISE_STEPS = (
    "StandardScaler",
    "MinMaxScaler",
    "MaxAbsScaler",
    "RobustScaler",
    "PowerTransformer",
    "QuantileTransformer",
    "SimpleImputer",
)
_PROBABILITY_TREES = ("RandomForest", "ExtraTrees", "DecisionTree", "ExtraTree")
# Explainers that always need the shap package (linear and permutation are written in numpy
# here, and so is path-dependent TreeSHAP for scikit-learn's tree models: see _treeshap.py).
_SHAP_KINDS = ("exact", "partition", "kernel")


@dataclass(frozen=True, eq=False)
class Explanation:
    """SHAP values of a model on a sample of rows, as plain arrays.

    Parameters
    ----------
    explainer : str
        "tree", "linear", "permutation", "exact", "partition" or "kernel".
    feature_names : list of str
    class_labels : list of str or None
        The classes, in the order of the first axis of ``shap_values``, for a multiclass model;
        None otherwise.
    mean_abs_shap : numpy.ndarray
        Mean |SHAP| per feature over the sample, ``(n_features,)`` or, multiclass,
        ``(n_classes, n_features)`` (float64, computed before the float32 rounding).
    sample_index : numpy.ndarray
        Positions (``iloc``) of the explained rows in the data, in the order of ``shap_values``.
    shap_values : numpy.ndarray
        float32, ``(n_sample, n_features)`` or ``(n_classes, n_sample, n_features)``.
    feature_values : numpy.ndarray
        float32 ``(n_sample, n_features)``: the explained rows in the original feature space
        (for colouring a beeswarm).
    base_values : numpy.ndarray
        float64 expected model output over the background: shape ``()`` or ``(n_classes,)``.
        ``base_values + shap_values.sum(-1)`` is the explained model output.
    n_rows_total : int
        Rows in the data.
    sampled : bool
        True when fewer rows than ``n_rows_total`` were explained.
    seconds : float
        Wall time of :func:`explain`.
    model_output : str
        What the values add up to: "prediction", "log_odds", "margin" (multiclass boosted trees
        and linear models), "probability" or "score" (a predict function's output).
    positive_label : str or None
        The class whose score a binary classifier's values explain.
    background_index : numpy.ndarray or None
        Positions of the background rows; None when the explainer used none.
    notes : tuple of str
        Choices worth knowing (fallbacks, the pipeline steps explained through).
    """

    explainer: str
    feature_names: list
    class_labels: list | None
    mean_abs_shap: np.ndarray
    sample_index: np.ndarray
    shap_values: np.ndarray
    feature_values: np.ndarray
    base_values: np.ndarray
    n_rows_total: int
    sampled: bool
    seconds: float
    model_output: str = "prediction"
    positive_label: str | None = None
    background_index: np.ndarray | None = None
    notes: tuple = field(default_factory=tuple)

    kind = "explanation"

    @property
    def n_sample(self) -> int:
        """Number of explained rows."""
        return int(self.sample_index.shape[0])

    @property
    def is_multiclass(self) -> bool:
        """True when there is one set of values per class."""
        return self.shap_values.ndim == 3

    @property
    def overall_mean_abs_shap(self) -> np.ndarray:
        """Mean |SHAP| per feature; for multiclass the sum over classes (shap's stacked bar)."""
        return self.mean_abs_shap.sum(axis=0) if self.is_multiclass else self.mean_abs_shap

    def importance(self) -> pd.DataFrame:
        """Mean |SHAP| per feature, most important first (a column per class when multiclass).

        Examples
        --------
        >>> exp = Explanation("linear", ["a", "b"], None, np.array([0.1, 0.3]), np.arange(2),
        ...                   np.zeros((2, 2), np.float32), np.zeros((2, 2), np.float32),
        ...                   np.array(0.0), 2, False, 0.0)
        >>> exp.importance()["mean_abs_shap"].tolist()
        [0.3, 0.1]
        """
        data = {"mean_abs_shap": self.overall_mean_abs_shap}
        if self.is_multiclass:
            for label, row in zip(self.class_labels or [], self.mean_abs_shap):
                data[f"mean_abs_shap[{label}]"] = row
        frame = pd.DataFrame(data, index=pd.Index(self.feature_names, name="feature"))
        return frame.sort_values("mean_abs_shap", ascending=False, kind="stable")

    def to_dict(self) -> dict[str, Any]:
        """JSON-able dict (float32 values written exactly, NaN as None; read back by
        :meth:`from_dict`)."""
        return {
            "kind": self.kind,
            "format_version": _FORMAT_VERSION,
            "explainer": self.explainer,
            "feature_names": list(self.feature_names),
            "class_labels": None if self.class_labels is None else list(self.class_labels),
            "mean_abs_shap": _json_floats(self.mean_abs_shap, np.float64),
            "sample_index": np.asarray(self.sample_index, dtype=np.int64).tolist(),
            "shap_values": _json_floats(self.shap_values, np.float32),
            "feature_values": _json_floats(self.feature_values, np.float32),
            "base_values": _json_floats(self.base_values, np.float64),
            "n_rows_total": int(self.n_rows_total),
            "sampled": bool(self.sampled),
            "seconds": float(self.seconds),
            "model_output": self.model_output,
            "positive_label": self.positive_label,
            "background_index": None
            if self.background_index is None
            else np.asarray(self.background_index, dtype=np.int64).tolist(),
            "notes": list(self.notes),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Explanation":
        """Rebuild an :class:`Explanation` written by :meth:`to_dict`.

        Examples
        --------
        >>> exp = Explanation("tree", ["a"], None, np.array([0.5]), np.array([3, 1]),
        ...                   np.array([[0.5], [-0.5]], np.float32),
        ...                   np.array([[1.0], [2.0]], np.float32), np.array(0.25), 10, True, 0.01)
        >>> Explanation.from_dict(exp.to_dict()) == exp
        True
        """
        if d.get("kind", cls.kind) != cls.kind:
            from workbench._exceptions import WorkbenchException

            raise WorkbenchException(
                f"Expected a dict of kind {cls.kind!r}, got kind {d.get('kind')!r}. Pass the "
                "output of Explanation.to_dict().",
                error_code="INVALID_PARAMETER_VALUE",
            )
        n_features = len(d["feature_names"])

        def arr(key: str, dtype: Any, ndim_empty: int = 2) -> np.ndarray:
            a = np.asarray(d[key], dtype=dtype)
            if a.size == 0 and a.ndim == 1 and ndim_empty == 2:
                a = a.reshape(0, n_features)
            return a

        bg = d.get("background_index")
        return cls(
            explainer=d["explainer"],
            feature_names=list(d["feature_names"]),
            class_labels=None if d.get("class_labels") is None else list(d["class_labels"]),
            mean_abs_shap=np.asarray(d["mean_abs_shap"], dtype=np.float64),
            sample_index=np.asarray(d["sample_index"], dtype=np.int64),
            shap_values=arr("shap_values", np.float32),
            feature_values=arr("feature_values", np.float32),
            base_values=np.asarray(d["base_values"], dtype=np.float64),
            n_rows_total=int(d["n_rows_total"]),
            sampled=bool(d["sampled"]),
            seconds=float(d["seconds"]),
            model_output=d.get("model_output", "prediction"),
            positive_label=d.get("positive_label"),
            background_index=None if bg is None else np.asarray(bg, dtype=np.int64),
            notes=tuple(d.get("notes", ())),
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Explanation):
            return NotImplemented
        for f in fields(self):
            if f.name == "seconds":
                continue
            a, b = getattr(self, f.name), getattr(other, f.name)
            if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
                if a is None or b is None:
                    return False
                a, b = np.asarray(a), np.asarray(b)
                if a.shape != b.shape or not np.array_equal(a, b, equal_nan=a.dtype.kind == "f"):
                    return False
            elif a != b:
                return False
        return True

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        shape = "x".join(str(s) for s in self.shap_values.shape)
        return (
            f"Explanation(explainer={self.explainer!r}, shap_values={shape}, "
            f"n_rows_total={self.n_rows_total}, sampled={self.sampled}, "
            f"model_output={self.model_output!r}, seconds={self.seconds:.3f})"
        )


def _json_floats(values: Any, dtype: Any) -> Any:
    """Nested lists of floats with NaN as None (strict JSON has no NaN)."""
    a = np.asarray(values, dtype=dtype)
    nan = np.isnan(a)
    if not nan.any():
        return a.tolist()
    obj = a.astype(object)
    obj[nan] = None
    return obj.tolist()


# --------------------------------------------------------------------------------------------
# explain()


def explain(
    model: Any,
    X: pd.DataFrame,
    *,
    model_type: str,
    labels: Any = None,
    algorithm: str | None = None,
    nsamples: int = DEFAULT_NSAMPLES,
    kernel_link: str = "identity",
    seed: int = 0,
    predict_fn: Callable[[pd.DataFrame], Any] | None = None,
    tree_perturbation: str = "tree_path_dependent",
    progress: bool | None = None,
) -> tuple[Explanation | None, str | None]:
    """Explain ``model`` on a sample of ``X`` with SHAP; never raises.

    Parameters
    ----------
    model : object or None
        An estimator (used to choose the explainer and, without ``predict_fn``, for its scores), a
        workbench pyfunc model (its raw model is used when it has one), an object with a ``raw``
        estimator, or None with ``predict_fn``.
    X : pandas.DataFrame
        The features, every column numeric or boolean.
    model_type : {"classifier", "regressor"}
    labels : sequence, optional
        The evaluation's labels; for a binary model the last one is the positive class (the
        default: the model's ``classes_[1]``).
    algorithm : {"exact", "permutation", "partition", "kernel"}, optional
        Force a model-agnostic explainer on the scores (MLflow's ``explainability_algorithm``).
    nsamples : int
        Rows to explain (MLflow's ``explainability_nsamples``).
    kernel_link : {"identity", "logit"}
        The kernel explainer's link.
    seed : int
        Seeds the row sample, the background sample and the permutation explainer.
    predict_fn : callable, optional
        ``predict_fn(DataFrame) -> array`` of shape (n,) or (n, n_classes): the scores to explain
        model-agnostically (default: ``predict_proba`` of a classifier that has it, else
        ``predict``).
    tree_perturbation : {"tree_path_dependent", "interventional"}
        TreeExplainer's feature perturbation (workbench extension; "interventional" is MLflow's).
    progress : bool, optional
        Force the progress bar on or off (default: shown when the projected time exceeds 1 s).

    Returns
    -------
    (Explanation, None) or (None, reason)

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from sklearn.tree import DecisionTreeRegressor
    >>> X = pd.DataFrame({"a": np.arange(30.0), "b": np.arange(30.0) % 4})
    >>> exp, _ = explain(DecisionTreeRegressor(max_depth=3).fit(X, X["a"]), X,
    ...                  model_type="regressor", nsamples=10)
    >>> exp.explainer, exp.sampled, exp.n_rows_total, exp.shap_values.shape
    ('tree', True, 30, (10, 2))
    >>> explain(None, X.assign(c="x"), model_type="regressor", predict_fn=lambda d: d["a"])[1]
    "SHAP needs numeric features; non-numeric columns: ['c']"
    """
    t0 = time.perf_counter()
    try:
        reason = _check_arguments(model_type, algorithm, kernel_link, nsamples, tree_perturbation)
        if reason:
            return None, reason
        frame, reason = _as_frame(X)
        if reason:
            return None, reason
        state = np.random.get_state()
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                exp = _explain(
                    model,
                    frame,
                    model_type=model_type,
                    labels=labels,
                    algorithm=algorithm,
                    nsamples=int(nsamples),
                    kernel_link=kernel_link,
                    seed=int(seed),
                    predict_fn=predict_fn,
                    tree_perturbation=tree_perturbation,
                    progress=progress,
                    t0=t0,
                )
        finally:
            np.random.set_state(state)
        if isinstance(exp, str):
            return None, exp
        return exp, None
    except Exception as e:  # never fail the evaluation
        return None, f"SHAP explanation failed: {type(e).__name__}: {e}"


def _check_arguments(model_type, algorithm, kernel_link, nsamples, tree_perturbation) -> str | None:
    if model_type not in ("classifier", "regressor"):
        return f"SHAP explains classifiers and regressors; model_type is {model_type!r}"
    if algorithm is not None and algorithm not in SUPPORTED_ALGORITHMS:
        return (
            f"explainability_algorithm {algorithm!r} is not supported; use one of "
            f"{', '.join(SUPPORTED_ALGORITHMS)}"
        )
    if algorithm == "kernel" and kernel_link not in KERNEL_LINKS:
        return (
            f"explainability_kernel_link must be 'identity' or 'logit', got {kernel_link!r}"
        )
    if isinstance(nsamples, bool) or not isinstance(nsamples, (int, np.integer)) or nsamples < 1:
        return f"explainability_nsamples must be a positive integer, got {nsamples!r}"
    if tree_perturbation not in ("tree_path_dependent", "interventional"):
        return (
            "tree_perturbation must be 'tree_path_dependent' or 'interventional', got "
            f"{tree_perturbation!r}"
        )
    return None


def _as_frame(X: Any) -> tuple[pd.DataFrame | None, str | None]:
    if isinstance(X, pd.DataFrame):
        frame = X
    elif isinstance(X, np.ndarray) and X.ndim == 2:
        frame = pd.DataFrame(X, columns=[f"feature_{i}" for i in range(X.shape[1])])
    else:
        return None, f"SHAP needs a 2-D table of features, got {type(X).__name__}"
    if frame.shape[0] == 0 or frame.shape[1] == 0:
        return None, f"SHAP needs at least one row and one feature, got shape {frame.shape}"
    bad = [
        str(c)
        for c, dtype in frame.dtypes.items()
        if not (pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype))
        or isinstance(dtype, pd.CategoricalDtype)
    ]
    if bad:
        return None, f"SHAP needs numeric features; non-numeric columns: {bad}"
    return frame, None


def _draw(n: int, k: int, seed: int) -> np.ndarray:
    """Positions of ``k`` of ``n`` rows, as ``shap.sample(X, k, random_state=seed)`` draws them."""
    if k >= n:
        return np.arange(n, dtype=np.int64)
    from sklearn.utils import shuffle

    return np.asarray(shuffle(np.arange(n, dtype=np.int64), n_samples=k, random_state=seed))


def _class_name(obj: Any) -> tuple[str, str]:
    cls = type(obj)
    return cls.__name__, cls.__module__ or ""


def _is_tree(est: Any) -> bool:
    name, module = _class_name(est)
    if module.startswith("sklearn."):
        return name.startswith(_TREE_PREFIXES)
    return module.split(".")[0] in _TREE_PACKAGES


def _is_linear(est: Any) -> bool:
    name, module = _class_name(est)
    return (
        module.startswith("sklearn.linear_model")
        and hasattr(est, "coef_")
        and name not in _NONLINEAR_GLMS
    )


def _unwrap(model: Any) -> Any:
    """The estimator behind a pyfunc model or a predictor wrapper (the object itself otherwise)."""
    getter = getattr(model, "get_raw_model", None)
    if callable(getter):
        try:
            raw = getter()
            if raw is not None:
                return raw
        except Exception:
            pass
    raw = getattr(model, "raw", None)
    if raw is not None and raw is not model and hasattr(raw, "predict"):
        return raw
    return model


def _split_pipeline(est: Any, n_features: int | None) -> tuple[Any, Any, list[str]]:
    """(preprocessing or None, final estimator, step names) when a pipeline can be explained
    through its column-wise steps; (None, est, []) otherwise."""
    name, module = _class_name(est)
    if not (name == "Pipeline" and module.startswith("sklearn.")):
        return None, est, []
    steps = est.steps
    final = steps[-1][1]
    pre = []
    for step_name, step in steps[:-1]:
        if step is None or step == "passthrough":
            continue
        sname, smodule = _class_name(step)
        if not (smodule.startswith("sklearn.") and sname in _COLUMNWISE_STEPS):
            return None, est, []
        if sname == "SimpleImputer" and getattr(step, "add_indicator", False):
            return None, est, []
        n_in = getattr(step, "n_features_in_", n_features)
        if n_features is not None and n_in != n_features:
            return None, est, []
        pre.append(f"{step_name} ({sname})")
    if not (_is_tree(final) or _is_linear(final)):
        return None, est, []
    return est[:-1], final, pre


def choose_explainer(
    model: Any, *, algorithm: str | None = None, n_features: int | None = None
) -> tuple[str, Any, Any, list[str]]:
    """The explainer :func:`explain` uses for ``model``: (kind, preprocessing, estimator, notes).

    ``kind`` is "tree", "linear" or, when neither fits or ``algorithm`` is given, the
    model-agnostic algorithm ("permutation" by default). ``preprocessing`` is the part of a
    pipeline explained through (or None) and ``estimator`` the estimator explained.

    Examples
    --------
    >>> from sklearn.ensemble import RandomForestRegressor
    >>> from sklearn.neighbors import KNeighborsRegressor
    >>> choose_explainer(RandomForestRegressor())[0], choose_explainer(KNeighborsRegressor())[0]
    ('tree', 'permutation')
    >>> choose_explainer(RandomForestRegressor(), algorithm="kernel")[0]
    'kernel'
    """
    model = _unwrap(model) if model is not None else None
    if algorithm is not None or model is None:
        return algorithm or "permutation", None, model, []
    pre, final, pre_steps = _split_pipeline(model, n_features)
    if _is_tree(final):
        kind = "tree"
    elif _is_linear(final):
        kind = "linear"
    else:
        return "permutation", None, model, []
    notes = []
    if pre is not None:
        notes.append(
            "explained the final estimator on the rows transformed by the column-wise steps "
            + ", ".join(pre_steps)
            + " (the same SHAP values as the whole pipeline)"
        )
    return kind, pre, final, notes


def _label_str(x: Any) -> str:
    if isinstance(x, (np.generic,)):
        x = x.item()
    return str(x)


def _explain(
    model: Any,
    X: pd.DataFrame,
    *,
    model_type: str,
    labels: Any,
    algorithm: str | None,
    nsamples: int,
    kernel_link: str,
    seed: int,
    predict_fn: Callable | None,
    tree_perturbation: str,
    progress: bool | None,
    t0: float,
) -> Explanation | str:
    n, p = X.shape
    feature_names = [str(c) for c in X.columns]
    notes: list[str] = []
    est = _unwrap(model) if model is not None else None
    if est is None and predict_fn is None:
        return "SHAP needs a model or a predict function; neither was given"

    sample_index = _draw(n, nsamples, seed)
    sample = X.iloc[sample_index]
    values_num = sample.to_numpy(dtype=np.float64, na_value=np.nan)
    bg_pos = _draw(len(sample_index), BACKGROUND_ROWS, seed)

    # -- which explainer -------------------------------------------------------------------
    kind, pre, final, choice_notes = choose_explainer(est, algorithm=algorithm, n_features=p)
    notes.extend(choice_notes)
    # shap is imported only where it is really used: importing it loads numba, llvmlite and
    # matplotlib (110-140 MB of resident memory, 1-3 s in a fresh process); the linear and
    # permutation explainers and path-dependent TreeSHAP of scikit-learn trees are numpy here
    numpy_tree = None
    if kind == "tree":
        from workbench.evaluation._treeshap import tree_shap_explainer

        numpy_tree = tree_shap_explainer(final)
        needs_shap = numpy_tree is None or tree_perturbation == "interventional"
    else:
        needs_shap = kind in _SHAP_KINDS
    shap = None
    if needs_shap:
        shap = _import_shap()
        if shap is None:
            return _INSTALL_HINT

    classes = getattr(final, "classes_", None) if final is not None else None
    if classes is None and est is not None:
        classes = getattr(est, "classes_", None)
    class_list = None if classes is None else [_label_str(c) for c in classes]
    if class_list is None and labels is not None and model_type == "classifier":
        class_list = [_label_str(c) for c in labels]
    positive = None
    if model_type == "classifier" and class_list is not None and len(class_list) == 2:
        positive = _label_str(list(labels)[-1]) if labels is not None else class_list[1]
        if positive not in class_list:
            return (
                f"the positive label {positive!r} is not one of the model's classes {class_list}"
            )

    if kind in ("tree", "linear"):
        model_in = values_num
        if pre is not None:
            model_in = np.asarray(pre.transform(sample), dtype=np.float64)
        if model_in.shape[1] != p:
            kind = "permutation"
            notes.append(
                "the pipeline changes the number of columns; explained model-agnostically"
            )
        else:
            result = _explain_fitted(
                shap, kind, final, model_in, bg_pos, tree_perturbation, progress, notes,
                numpy_tree,
            )
            if isinstance(result, str):
                notes.append(result)
                kind = "permutation"
            else:
                values, base, used_background = result
                model_output = _model_output(kind, final, model_type, values)
    if kind not in ("tree", "linear"):
        pos_index = 1
        if positive is not None and class_list is not None:
            pos_index = class_list.index(positive)
        fn, reason = _score_function(est, predict_fn, model_type, X, pos_index)
        if reason:
            return reason
        result = _explain_agnostic(shap, kind, fn, values_num, bg_pos, kernel_link, seed, progress)
        if isinstance(result, str):
            return result
        values, base, used_background = result
        model_output = "probability" if fn.is_proba else "score"
        if kind == "kernel" and kernel_link == "logit":
            model_output = "log_odds"

    # -- arrange outputs: (n, p) single output or (n, p, k) ---------------------------------
    values = np.asarray(values, dtype=np.float64)
    base = np.asarray(base, dtype=np.float64)
    class_labels = None
    if values.ndim == 3:
        k = values.shape[2]
        binary = class_list is not None and len(class_list) == 2
        if model_type == "classifier" and k == 2 and binary:
            j = class_list.index(positive)
            values, base = values[:, :, j], base.reshape(-1)[j]
        elif model_type == "classifier" and class_list is not None and len(class_list) == k:
            values = np.transpose(values, (2, 0, 1))
            base = base.reshape(-1)
            class_labels = class_list
        elif k == 1:
            values, base = values[:, :, 0], base.reshape(-1)[0]
        else:
            return f"SHAP returned {k} outputs but the model has classes {class_list}"
    elif (
        kind in ("tree", "linear")
        and positive is not None
        and class_list is not None
        and positive == class_list[0]
    ):
        # a single log-odds output explains classes_[1]; the other class is its negation
        values, base = -values, -base
    if values.ndim == 2:
        base = np.asarray(base, dtype=np.float64).reshape(-1)
        base = np.asarray(base.mean() if base.size else np.nan)
    if not (model_type == "classifier" and class_labels is None and positive is not None):
        positive_label = None
    else:
        positive_label = positive

    mean_abs = np.abs(values).mean(axis=-2)
    return Explanation(
        explainer=kind,
        feature_names=feature_names,
        class_labels=class_labels,
        mean_abs_shap=mean_abs,
        sample_index=sample_index,
        shap_values=values.astype(np.float32),
        feature_values=values_num.astype(np.float32),
        base_values=base,
        n_rows_total=int(n),
        sampled=bool(len(sample_index) < n),
        seconds=time.perf_counter() - t0,
        model_output=model_output,
        positive_label=positive_label,
        background_index=None if not used_background else sample_index[bg_pos],
        notes=tuple(notes),
    )


def _model_output(kind: str, est: Any, model_type: str, values: np.ndarray) -> str:
    if model_type == "regressor":
        return "prediction"
    name, _ = _class_name(est)
    if kind == "tree" and name.startswith(_PROBABILITY_TREES):
        return "probability"
    return "margin" if np.ndim(values) == 3 and values.shape[2] > 2 else "log_odds"


def _chunks(n: int) -> list[slice]:
    size = max(1, math.ceil(n / _N_CHUNKS))
    return [slice(i, min(i + size, n)) for i in range(0, n, size)]


def _run_chunked(
    step: Callable[[slice], Any], n: int, desc: str, progress: bool | None, unit: str = "row"
) -> list:
    """Run ``step`` on fixed chunks of ``n`` rows (or trees, ``unit="tree"``; the chunking
    depends on ``n`` only, so results do not depend on timing); show a tqdm bar when the
    projected time exceeds 1 s."""
    parts = []
    chunks = _chunks(n)
    bar = None
    try:
        for i, sl in enumerate(chunks):
            start = time.perf_counter()
            parts.append(step(sl))
            if i == 0 and len(chunks) > 1:
                projected = (time.perf_counter() - start) * (len(chunks) - 1)
                show = progress if progress is not None else projected > _PROGRESS_AFTER_SECONDS
                if show:
                    from tqdm import tqdm

                    bar = tqdm(total=n, initial=sl.stop, desc=desc, unit=unit, leave=False)
            elif bar is not None:
                bar.update(sl.stop - sl.start)
    finally:
        if bar is not None:
            bar.close()
    return parts


def _import_shap() -> Any:
    """The shap module, or None when it is not installed."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import shap
    except ImportError:
        return None
    return shap


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


def _stack(parts: list) -> np.ndarray:
    """Concatenate per-chunk values along rows (a list of per-output arrays becomes (n, p, k))."""
    fixed = [
        np.stack([np.asarray(x) for x in part], axis=-1) if isinstance(part, list) else part
        for part in parts
    ]
    return np.concatenate(fixed, axis=0)


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
