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

import time
import warnings
from typing import Any, Callable

import numpy as np
import pandas as pd

from workbench.evaluation._agnostic_shap import _explain_agnostic, _score_function
from workbench.evaluation._explanation import Explanation
from workbench.evaluation._fitted_shap import _explain_fitted

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

_INSTALL_HINT = "shap is not installed: pip install 'workbench[explain]'"

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


def _import_shap() -> Any:
    """The shap module, or None when it is not installed."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import shap
    except ImportError:
        return None
    return shap
