"""From whatever the caller gave as ``model`` to one object that predicts: :class:`Predictor`.

:func:`resolve_predictor` accepts

- a model URI or directory: loaded with :func:`workbench.pyfunc.load_model`;
- a :class:`~workbench.pyfunc.PyFuncModel`; when it wraps an sklearn estimator (loader
  module ``mlflow.sklearn``), the estimator itself predicts, as in MLflow (its
  ``predict_proba`` and ``score`` are then available);
- any object with ``predict`` (an estimator: sklearn, xgboost, lightgbm, a pipeline...),
  a workbench addition: MLflow 3 refuses such objects;
- a plain callable ``fn(model_input) -> predictions`` (called with a DataFrame, as MLflow
  calls a function model).

A pyfunc model whose signature has named columns sees those columns, in the signature's
order, whatever else the data holds (an id column, a split column): on the raw-estimator
path too, where MLflow 3.17 hands every non-target column to the estimator and scikit-learn
refuses the names it was not fitted on. A missing required column is refused with MLflow's
``Model is missing inputs [...]`` and the data's columns (:meth:`Predictor.select_inputs`;
:meth:`Predictor.input_columns_in` tells the evaluation which columns those are, so that
the explanation and ``feature_names`` see what the model saw). Without such a signature the
model gets the features as they come.

:func:`predict_outputs` then makes the evaluation's single prediction pass: for a
classifier with ``predict_proba`` and ``classes_`` it calls ``predict_proba`` once on every
row and takes the labels as the argmax, after checking on the first
:data:`CHECK_ROWS` rows that ``predict`` agrees with that argmax (a threshold-tuned
classifier would not); otherwise it calls ``predict`` too. An exception raised by the model
itself becomes a :class:`~workbench.WorkbenchException` naming the method, the model, the
rows and columns it got and the original error (chained as its ``__cause__``);
``MemoryError``, ``KeyboardInterrupt`` and ``SystemExit`` pass unchanged.
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
import pandas as pd

from workbench._exceptions import INVALID_PARAMETER_VALUE, WorkbenchException

__all__ = ["CHECK_ROWS", "PredictionOutput", "Predictor", "predict_outputs", "resolve_predictor"]

#: Rows on which ``predict`` is checked against the argmax of ``predict_proba``.
CHECK_ROWS = 1000

#: Estimator classes whose ``predict`` is known not to be the argmax of ``predict_proba``.
_THRESHOLD_CLASSIFIERS = frozenset({"TunedThresholdClassifierCV", "FixedThresholdClassifier"})

#: Loader modules whose pyfunc wraps a raw estimator that may predict directly (as MLflow does).
_RAW_MODEL_LOADERS = frozenset({"mlflow.sklearn", "workbench.sklearn"})


_error = WorkbenchException.invalid_parameter_value


def _qualname(obj: Any) -> str:
    cls = type(obj)
    return f"{cls.__module__}.{cls.__qualname__}"


def _sklearn_default_score(estimator: Any) -> str | None:
    """Name of our metric equal to ``estimator.score`` when it is sklearn's default score.

    ``ClassifierMixin.score`` is ``accuracy_score(y, predict(X), sample_weight)``;
    ``RegressorMixin.score`` is ``r2_score(y, predict(X), sample_weight)``. Both are already
    computed by the evaluation, so calling them would only predict again.
    """
    try:
        from sklearn.base import ClassifierMixin, RegressorMixin
    except ImportError:  # pragma: no cover - sklearn is a dependency
        return None
    method = getattr(type(estimator), "score", None)
    if method is ClassifierMixin.score:
        return "accuracy_score"
    if method is RegressorMixin.score:
        return "r2_score"
    return None


def _is_sklearn_estimator(obj: Any) -> bool:
    try:
        from sklearn.base import BaseEstimator
    except ImportError:  # pragma: no cover
        return False
    return isinstance(obj, BaseEstimator)


class Predictor:
    """One face for every kind of model: ``predict``, and ``predict_proba``/``score`` if any.

    Built by :func:`resolve_predictor`.

    Attributes
    ----------
    kind : {"estimator", "pyfunc", "callable"}
    raw : object
        The underlying model: the estimator (also inside a pyfunc model wrapping one), the
        :class:`~workbench.pyfunc.PyFuncModel`, or the function. Explanations use it.
    predict : callable
        ``predict(X)``.
    predict_proba : callable or None
        ``predict_proba(X)`` -> (n_rows, n_classes) when the model gives probabilities.
    classes_ : numpy.ndarray or None
        The class labels in ``predict_proba``'s column order, when the model tells.
    score : callable or None
        ``score(X, y, sample_weight=None)`` for sklearn estimators (MLflow logs it as
        ``score``).
    default_score_metric : str or None
        ``"accuracy_score"`` or ``"r2_score"`` when ``score`` is sklearn's default one, so
        the evaluation reuses that metric instead of calling ``score``.
    wants_frame : bool
        Whether the model is called with a DataFrame (pyfunc models and functions) or with
        the data as given (estimators, so that one fitted on an array gets an array).
    input_columns : list or None
        The input columns a pyfunc model's signature names, in its order (None without a
        column-based signature with names). ``predict``, ``predict_proba`` and ``score``
        give the model only these columns of a DataFrame (see :meth:`select_inputs`).
    required_columns : list or None
        Those of ``input_columns`` the signature requires (the others may be absent).

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> X, y = load_iris(return_X_y=True)
    >>> p = resolve_predictor(LogisticRegression(max_iter=500).fit(X, y))
    >>> p.kind, p.classes_.tolist(), p.default_score_metric
    ('estimator', [0, 1, 2], 'accuracy_score')
    >>> resolve_predictor(lambda df: df.sum(axis=1)).kind
    'callable'
    """

    def __init__(
        self,
        *,
        kind: str,
        raw: Any,
        predict: Callable[[Any], Any],
        predict_proba: Callable[[Any], Any] | None = None,
        classes: Any = None,
        score: Callable[..., Any] | None = None,
        default_score_metric: str | None = None,
        wants_frame: bool = False,
        info: dict[str, Any] | None = None,
        input_columns: list[Any] | None = None,
        required_columns: list[Any] | None = None,
    ) -> None:
        self.kind = kind
        self.raw = raw
        self.predict = predict
        self.predict_proba = predict_proba
        self.classes_ = None if classes is None else np.asarray(classes)
        self.score = score
        self.default_score_metric = default_score_metric
        self.wants_frame = wants_frame
        self._info = dict(info or {})
        self.input_columns = None if input_columns is None else list(input_columns)
        self.required_columns = (
            None if input_columns is None
            else list(input_columns if required_columns is None else required_columns)
        )
        if self.input_columns is not None:
            # Every call sees the signature's columns, whoever calls (explanations too).
            self.predict = _selecting(self, predict)
            if predict_proba is not None:
                self.predict_proba = _selecting(self, predict_proba)
            if score is not None:
                self.score = _selecting(self, score)

    def input_columns_in(self, columns: Any) -> list[Any] | None:
        """The columns the model sees among ``columns``, in the signature's order.

        Parameters
        ----------
        columns : iterable
            The data's column names.

        Returns
        -------
        list or None
            The signature's input columns present in ``columns`` (absent optional ones left
            out); None when the model has no column-based signature with names (it then
            sees the features as they are).

        Raises
        ------
        WorkbenchException
            ``INVALID_PARAMETER_VALUE`` when a required input column is missing; the message
            starts with MLflow's ``Model is missing inputs [...]`` and lists the data's
            columns.
        """
        if self.input_columns is None:
            return None
        columns = list(columns)
        present = set(columns)
        missing = [name for name in self.required_columns or [] if name not in present]
        if missing:
            raise _error(_missing_inputs_message(missing, columns, self.input_columns,
                                                 self.required_columns or []))
        return [name for name in self.input_columns if name in present]

    def select_inputs(self, X: Any) -> Any:
        """``X`` as the model sees it: a DataFrame cut to the signature's columns, in order.

        Anything that is not a DataFrame, and every input of a model without a column-based
        signature with names, is returned as it is. So is a DataFrame whose columns already
        are the model's (no copy).

        Raises
        ------
        WorkbenchException
            When a required input column is missing (see :meth:`input_columns_in`).

        Examples
        --------
        >>> import pandas as pd
        >>> p = Predictor(kind="callable", raw=len, predict=len, input_columns=["a", "b"])
        >>> p.select_inputs(pd.DataFrame({"id": [7], "b": [2.0], "a": [1.0]})).columns.tolist()
        ['a', 'b']
        >>> p.select_inputs(pd.DataFrame({"a": [1.0], "id": [7]}))
        Traceback (most recent call last):
        ...
        workbench._exceptions.WorkbenchException: Model is missing inputs ['b']. The data's columns are ['a', 'id']; the model's signature declares the input columns ['a', 'b']. Add the missing columns to the data (or rename the columns that hold them).
        """
        if self.input_columns is None or not isinstance(X, pd.DataFrame):
            return X
        names = self.input_columns_in(X.columns)
        if list(X.columns) == names:
            return X
        return X[names]

    @property
    def is_threshold_classifier(self) -> bool:
        return type(self.raw).__name__ in _THRESHOLD_CLASSIFIERS

    def describe(self) -> dict[str, Any]:
        """What the evaluation result records about the model (JSON-able)."""
        return {
            "kind": self.kind,
            "class": self._info.get("class") or _qualname(self.raw),
            "uri": self._info.get("uri"),
            "signature": self._info.get("signature"),
            "loader_module": self._info.get("loader_module"),
            "model_uuid": self._info.get("model_uuid"),
            "has_predict_proba": self.predict_proba is not None,
            "classes": None if self.classes_ is None else [str(c) for c in self.classes_.tolist()],
        }

    def __repr__(self) -> str:
        return f"Predictor(kind={self.kind!r}, raw={_qualname(self.raw)})"


def _selecting(predictor: Predictor, method: Callable[..., Any]) -> Callable[..., Any]:
    """``method`` called with the first argument cut to ``predictor``'s input columns."""

    def call(X: Any, *args: Any, **kwargs: Any) -> Any:
        return method(predictor.select_inputs(X), *args, **kwargs)

    call.__wrapped__ = method  # type: ignore[attr-defined]
    return call


#: Data columns listed in full in an error message; longer lists are cut.
_COLUMNS_SHOWN = 30


def _columns_repr(columns: list[Any]) -> str:
    if len(columns) <= _COLUMNS_SHOWN:
        return repr(list(columns))
    shown = repr(list(columns[:_COLUMNS_SHOWN]))[:-1]
    return f"{shown}, ... ({len(columns) - _COLUMNS_SHOWN} more)]"


def _missing_inputs_message(missing: list[Any], columns: list[Any], inputs: list[Any],
                            required: list[Any]) -> str:
    optional = [name for name in inputs if name not in set(required)]
    declared = f"the model's signature declares the input columns {_columns_repr(inputs)}"
    if optional:
        declared += f" (optional: {_columns_repr(optional)})"
    return (
        f"Model is missing inputs {missing}. The data's columns are {_columns_repr(columns)}; "
        f"{declared}. Add the missing columns to the data (or rename the columns that hold them)."
    )


def _column_input_schema(model: Any) -> Any:
    """The input schema of a pyfunc model when it names its columns, else None."""
    metadata = getattr(model, "metadata", None)
    if metadata is None:
        return None
    from_hint = getattr(metadata, "_is_signature_from_type_hint", None)
    if callable(from_hint) and from_hint():
        return None  # checked by the model's wrapper against the type hint, not by columns
    try:
        schema = metadata.get_input_schema()
    except Exception:  # pragma: no cover - a signature that cannot describe itself
        return None
    if schema is None or schema.is_tensor_spec() or not schema.has_input_names():
        return None
    return schema


def _signature_dict(metadata: Any) -> dict[str, Any] | None:
    signature = getattr(metadata, "signature", None)
    if signature is None:
        return None
    try:
        return signature.to_dict()
    except Exception:  # pragma: no cover - a signature that cannot describe itself
        return None


def _from_estimator(estimator: Any, info: dict[str, Any] | None = None, kind: str = "estimator",
                    schema: Any = None) -> Predictor:
    proba = getattr(estimator, "predict_proba", None)
    classes = getattr(estimator, "classes_", None) if proba is not None else None
    score = getattr(estimator, "score", None) if _is_sklearn_estimator(estimator) else None
    return Predictor(
        kind=kind,
        raw=estimator,
        predict=estimator.predict,
        predict_proba=proba if callable(proba) else None,
        classes=classes,
        score=score if callable(score) else None,
        default_score_metric=_sklearn_default_score(estimator) if score is not None else None,
        wants_frame=False,
        info=info,
        input_columns=None if schema is None else schema.input_names(),
        required_columns=None if schema is None else schema.required_input_names(),
    )


def _from_pyfunc(model: Any, *, inference_params: dict[str, Any] | None, uri: str | None) -> Predictor:
    metadata = getattr(model, "metadata", None)
    info = {
        "uri": uri,
        "signature": _signature_dict(metadata),
        "loader_module": getattr(model, "loader_module", None),
        "model_uuid": getattr(metadata, "model_uuid", None),
    }
    schema = _column_input_schema(model)
    if info["loader_module"] in _RAW_MODEL_LOADERS and not inference_params:
        try:
            raw = model.get_raw_model()
        except (NotImplementedError, AttributeError):
            raw = None
        if raw is not None and callable(getattr(raw, "predict", None)):
            # As MLflow does for sklearn models: predict with the estimator itself (no type
            # enforcement per call), so predict_proba, classes_ and score are at hand. Unlike
            # MLflow, it still gets only the signature's columns, in the signature's order.
            return _from_estimator(raw, info=info, kind="pyfunc", schema=schema)

    def predict(X: Any) -> Any:
        return model.predict(X, params=inference_params) if inference_params else model.predict(X)

    proba_method = None
    if hasattr(model, "predict_proba"):
        method = model.predict_proba

        def proba_method(X: Any) -> Any:
            return method(X, params=inference_params) if inference_params else method(X)

    return Predictor(
        kind="pyfunc",
        raw=model,
        predict=predict,
        predict_proba=proba_method,
        classes=None,
        wants_frame=True,
        info=info,
        input_columns=None if schema is None else schema.input_names(),
        required_columns=None if schema is None else schema.required_input_names(),
    )


def _is_pyfunc_model(model: Any) -> bool:
    if "workbench.models._pyfunc" not in sys.modules:
        return False  # never imported, so no PyFuncModel exists (saves importing yaml & co)
    try:
        from workbench.models._pyfunc import PyFuncModel
    except ImportError:  # pragma: no cover
        return False
    return isinstance(model, PyFuncModel)


def resolve_predictor(
    model: Any,
    *,
    model_config: dict[str, Any] | None = None,
    inference_params: dict[str, Any] | None = None,
) -> Predictor:
    """Turn ``model`` (URI, pyfunc model, estimator or function) into a :class:`Predictor`.

    Parameters
    ----------
    model : str, os.PathLike, PyFuncModel, object with ``predict``, or callable
    model_config : dict, optional
        Configuration for loading a model from a URI (``workbench.pyfunc.load_model``).
        Refused with a loaded PyFuncModel, as in MLflow.
    inference_params : dict, optional
        Params passed to a pyfunc model's ``predict(data, params=...)``. (MLflow accepts them
        only for deployment endpoints; workbench passes them to pyfunc models and refuses
        them for estimators and functions, which take none.)

    Returns
    -------
    Predictor

    Raises
    ------
    WorkbenchException
        ``INVALID_PARAMETER_VALUE`` for anything that cannot predict.

    Examples
    --------
    >>> resolve_predictor(42)
    Traceback (most recent call last):
    ...
    workbench._exceptions.WorkbenchException: The model argument must be a model URI or directory, a workbench.pyfunc.PyFuncModel, an object with a predict method (an estimator), a function, or None for static data (predictions in a column of data); got builtins.int.
    """
    if inference_params is not None and not isinstance(inference_params, dict):
        raise _error(f"inference_params must be a dict, got {type(inference_params).__name__}.")
    if isinstance(model, (str, os.PathLike)):
        import workbench.pyfunc

        uri = os.fspath(model)
        loaded = workbench.pyfunc.load_model(uri, model_config=model_config)
        return _from_pyfunc(loaded, inference_params=inference_params, uri=uri)
    if _is_pyfunc_model(model):
        if model_config:
            raise _error(
                "model_config cannot be given with a loaded PyFuncModel: the configuration is "
                "applied when the model loads. Load it with "
                "workbench.pyfunc.load_model(model_uri, model_config=...) instead, or pass the "
                "model's URI as model."
            )
        return _from_pyfunc(model, inference_params=inference_params, uri=None)
    if model_config:
        raise _error(
            "model_config applies only when model is a model URI loaded by "
            f"workbench.pyfunc.load_model; got a {_qualname(model)}."
        )
    if inference_params:
        raise _error(
            "inference_params are passed to a pyfunc model's predict(data, params=...); a "
            f"{_qualname(model)} takes none. Save the model with workbench.pyfunc.save_model "
            "and give its URI, or drop inference_params."
        )
    if callable(getattr(model, "predict", None)):
        return _from_estimator(model)
    if callable(model):
        return Predictor(kind="callable", raw=model, predict=model, wants_frame=True,
                         info={"class": f"{getattr(model, '__module__', None)}."
                                        f"{getattr(model, '__qualname__', type(model).__qualname__)}"})
    raise _error(
        "The model argument must be a model URI or directory, a workbench.pyfunc.PyFuncModel, "
        "an object with a predict method (an estimator), a function, or None for static data "
        f"(predictions in a column of data); got {_qualname(model)}."
    )


# --------------------------------------------------------------------------- the prediction pass


@dataclass
class PredictionOutput:
    """What one prediction pass gives."""

    y_pred: np.ndarray
    y_proba: np.ndarray | None = None
    classes: np.ndarray | None = None
    other_outputs: pd.DataFrame | None = None
    output_column: str | None = None
    #: How many times each model method ran, and on how many rows.
    calls: dict[str, list[int]] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


_MISSING_OUTPUT = (
    "The model returns several output columns {columns} and predictions= does not name one of "
    "them. Pass predictions='<column>' to say which column holds the predictions."
)


def extract_output_column(raw: Any, output_column: str | None) -> tuple[Any, pd.DataFrame | None, str | None]:
    """Split a model's outputs into the prediction column and the other columns (MLflow's rules).

    A DataFrame, a dict of columns or a list of dicts with one column is that column; with
    several, ``output_column`` picks one and the rest are returned as other outputs (custom
    metrics may use them). Anything else is the predictions as they are.

    Examples
    --------
    >>> y, other, name = extract_output_column(pd.DataFrame({"answer": ["a"], "source": ["s"]}), "answer")
    >>> y.tolist(), list(other.columns), name
    (['a'], ['source'], 'answer')
    """
    if isinstance(raw, list) and raw and all(isinstance(row, dict) for row in raw):
        raw = pd.DataFrame(raw)
    elif isinstance(raw, dict):
        try:
            raw = pd.DataFrame(raw)
        except ValueError:
            raw = pd.DataFrame({k: [v] for k, v in raw.items()})
    if isinstance(raw, pd.DataFrame):
        columns = list(raw.columns)
        if output_column is not None and output_column in raw.columns:
            return raw[output_column], raw.drop(columns=output_column), output_column
        if len(columns) == 1:
            return raw[columns[0]], None, columns[0]
        if output_column is None:
            raise _error(_MISSING_OUTPUT.format(columns=columns))
        raise _error(
            f"The output column {output_column!r} (predictions=) is not among the model's output "
            f"columns {columns}. Pass predictions= one of them."
        )
    return raw, None, output_column


def _as_1d(values: Any, what: str) -> np.ndarray:
    if isinstance(values, (pd.Series, pd.Index)):
        array = values.to_numpy()
    elif isinstance(values, pd.DataFrame):
        array = values.to_numpy()
    else:
        array = np.asarray(values)
    if array.ndim == 2 and array.shape[1] == 1:
        array = array[:, 0]
    if array.ndim != 1:
        raise _error(
            f"{what} must give one value per row, got an array of shape {array.shape}. For a "
            "model with several outputs pass predictions='<column>'."
        )
    return array


def _as_proba(values: Any, n_rows: int) -> np.ndarray:
    array = values.to_numpy() if isinstance(values, (pd.DataFrame, pd.Series)) else np.asarray(values)
    try:
        array = np.asarray(array, dtype=float)
    except (TypeError, ValueError) as err:
        raise _error(
            "predict_proba must give class probabilities (numbers); got values that are not "
            f"numbers ({type(err).__name__}: {err})."
        ) from err
    if array.ndim not in (1, 2) or array.shape[0] != n_rows:
        raise _error(
            f"predict_proba must give one row of class probabilities per input row ({n_rows}); "
            f"got shape {array.shape}."
        )
    return array


#: Characters of the model's own error message quoted (the whole error is the ``__cause__``).
_ERROR_SHOWN = 1500


def _rows(n: int) -> str:
    return f"{n} row" if n == 1 else f"{n} rows"


def _input_description(data: Any) -> str:
    columns = getattr(data, "columns", None)
    if columns is not None:
        return f"{_rows(len(data))} with the columns {_columns_repr(list(columns))}"
    shape = getattr(data, "shape", None)
    if isinstance(shape, tuple) and len(shape) == 2:
        return f"{_rows(shape[0])} of {shape[1]} unnamed columns (a {type(data).__name__})"
    return f"{_rows(len(data))} (a {type(data).__name__})"


def _model_name(predictor: Predictor) -> str:
    """The model's class; for a pyfunc model, the class it wraps (a PythonModel, ...)."""
    name = predictor.describe()["class"]
    if predictor.kind == "pyfunc" and _is_pyfunc_model(predictor.raw):
        for unwrap in ("unwrap_python_model", "get_raw_model"):
            try:
                return f"{_qualname(getattr(predictor.raw, unwrap)())} (pyfunc)"
            except Exception:  # noqa: BLE001 - not this kind of pyfunc model
                continue
    return name


def _model_failed(predictor: Predictor, method: str, data: Any, err: Exception) -> WorkbenchException:
    """The error ``err`` raised by the model's ``method`` on ``data``, said in full."""
    text = str(err).strip()
    if len(text) > _ERROR_SHOWN:
        text = text[:_ERROR_SHOWN] + " ... (cut; the whole error is this exception's __cause__)"
    if predictor.kind == "callable":
        who, call = f"the model function {_model_name(predictor)}", "model(X.head())"
    else:
        who, call = f"{method}() of the model {_model_name(predictor)}", f"model.{method}(X.head())"
    uri = predictor.describe().get("uri")
    if uri:
        who += f" loaded from {uri!r}"
    return _error(
        f"Calling {who} failed on {_input_description(data)}: {type(err).__name__}: {text}\n"
        "Check that the data holds what the model was trained on: the same feature columns "
        "(choose them with feature_names=[...], or save the model with a signature), the same "
        "types, and no missing values where the model cannot take them. To reproduce the error, "
        f"call {call} with X those columns of the data."
    )


def _slice_rows(X: Any, stop: int) -> Any:
    if isinstance(X, (pd.DataFrame, pd.Series)):
        return X.iloc[:stop]
    return X[:stop]


def predict_outputs(
    predictor: Predictor,
    X: Any,
    *,
    model_type: str | None,
    output_column: str | None = None,
    check_rows: int = CHECK_ROWS,
) -> PredictionOutput:
    """Run the model once over ``X``: labels or values, and probabilities where they exist.

    Parameters
    ----------
    predictor : Predictor
    X : DataFrame or ndarray
        The features, as the model is called with them.
    model_type : {"classifier", "regressor", None}
    output_column : str, optional
        The output column holding the predictions for a model with several outputs.
    check_rows : int
        Rows on which ``predict`` is compared with the argmax of ``predict_proba``.

    Raises
    ------
    WorkbenchException
        When a required input column of the model's signature is missing, when the model's
        outputs do not fit (one per row), or when the model itself raises: then the message
        names the method, the model, the rows and columns and the original error, which is
        chained as ``__cause__``. ``MemoryError``, ``KeyboardInterrupt`` and ``SystemExit``
        pass unchanged, and so does a ``WorkbenchException`` (a pyfunc model's own check of
        its signature).

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from sklearn.linear_model import LogisticRegression
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> p = resolve_predictor(LogisticRegression(max_iter=5000).fit(X, y))
    >>> out = predict_outputs(p, X, model_type="classifier")
    >>> sorted(out.calls), out.calls["predict_proba"] == [len(X)], out.y_proba.shape
    (['predict', 'predict_proba'], True, (569, 2))
    >>> predict_outputs(resolve_predictor(lambda df: 1 / 0), pd.DataFrame({"x": [1.0]}), model_type=None)
    Traceback (most recent call last):
    ...
    workbench._exceptions.WorkbenchException: Calling the model function ...<lambda> failed on 1 row with the columns ['x']: ZeroDivisionError: division by zero
    ...
    """
    calls: dict[str, list[int]] = {}
    seconds: dict[str, float] = {}
    notes: list[str] = []
    X = predictor.select_inputs(X)  # once, before any call: a missing column fails here
    n_rows = len(X)

    def run(name: str, method: Callable[[Any], Any], data: Any) -> Any:
        start = time.perf_counter()
        try:
            out = method(data)
        except (WorkbenchException, MemoryError):
            raise
        except Exception as err:  # the model's own error: say which call failed on what
            raise _model_failed(predictor, name, data, err) from err
        seconds[name] = seconds.get(name, 0.0) + time.perf_counter() - start
        calls.setdefault(name, []).append(len(data))
        return out

    if (
        model_type == "classifier"
        and predictor.predict_proba is not None
        and predictor.classes_ is not None
        and not predictor.is_threshold_classifier
    ):
        proba = _as_proba(run("predict_proba", predictor.predict_proba, X), n_rows)
        classes = predictor.classes_
        if proba.ndim == 2 and proba.shape[1] == len(classes):
            argmax_labels = classes[np.argmax(proba, axis=1)]
            k = min(check_rows, n_rows)
            sample_pred = _as_1d(run("predict", predictor.predict, _slice_rows(X, k)), "predict")
            if np.array_equal(sample_pred.astype(object), argmax_labels[:k].astype(object)):
                return PredictionOutput(argmax_labels, proba, classes, None, output_column, calls, seconds, notes)
            notes.append(
                f"predict does not agree with the argmax of predict_proba on the first {k} rows, so "
                "the labels come from a separate predict call on every row."
            )
        y_raw, other, output_column = extract_output_column(run("predict", predictor.predict, X), output_column)
        y_pred = _as_1d(y_raw, "predict")
        return PredictionOutput(y_pred, proba, classes, other, output_column, calls, seconds, notes)

    raw = run("predict", predictor.predict, X)
    y_raw, other, output_column = extract_output_column(raw, output_column)
    y_pred = _as_1d(y_raw, "The model's predictions")
    if len(y_pred) != n_rows:
        raise _error(
            f"The model returned {len(y_pred)} predictions for {n_rows} rows; it must return one "
            "prediction per row."
        )
    proba = None
    if model_type == "classifier" and predictor.predict_proba is not None:
        proba = _as_proba(run("predict_proba", predictor.predict_proba, X), n_rows)
    return PredictionOutput(y_pred, proba, predictor.classes_, other, output_column, calls, seconds, notes)
