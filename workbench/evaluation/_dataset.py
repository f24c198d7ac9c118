"""The data an evaluation runs on: :class:`EvaluationDataset`.

An evaluation dataset holds the features (a DataFrame or a 2-D numpy array), and, when
given, the targets, the static predictions and the static class probabilities, each as a
numpy array, plus a name, a path and a digest. It never copies the features: a DataFrame's
feature columns are a copy-on-write view of the caller's frame (pandas >= 3), a numpy array
is kept as it is.

Digest
------
MLflow identifies a dataset by an 8-character md5 digest. Its ``from_pandas`` digest hashes
only the first 10,000 rows (plus the row count and column names), and the legacy
``EvaluationDataset.hash`` only the first and last 5 rows, so two datasets that differ
elsewhere share a digest. Ours keeps MLflow's format (8 hex characters of an md5) and is a
fingerprint of every row that costs a few numpy reductions instead of a hash per cell (hashing
every cell with ``pandas.util.hash_pandas_object`` took 0.2-0.35 s at 1,000,000 rows x 20
columns; this takes about 0.04 s). The md5 covers, in order:

1. a version tag (``wb-digest-2``), the shape, the feature names and each column's dtype;
2. for every numeric (bool, integer, float) feature column, the raw bytes of a fixed strided
   sample of at most 1,024 rows, always including the first and the last row;
3. for every numeric feature column, over ALL rows, in float64: the sum, the sum of squares and
   a position-weighted sum (weights ``1 + i % 1021``, so moving rows changes it), plus the
   count of non-finite values (the sums then run over the finite ones). Any change to a value
   that is not lost in the rounding of these sums (about 1e-16 of the column's total) changes
   the digest, so it still covers every row;
4. every non-numeric feature column (strings, objects, categories) hashed cell by cell
   (``pandas.util.hash_array``; unhashable cells by their ``repr``): there is no cheap exact
   reduction for them;
5. the targets, the static predictions and the static probabilities: numeric ones as in 2 and
   3 (sample and sums), others hashed element by element (``pandas.util.hash_array``).

It is computed on first access. The digest is a fingerprint for telling datasets apart, not a
cryptographic commitment: a deliberately crafted change that keeps every column's three sums
and the sample rows would go unseen.
"""

from __future__ import annotations

import difflib
import hashlib
import math
from typing import Any

import numpy as np
import pandas as pd

from workbench._exceptions import WorkbenchException

__all__ = ["EvaluationDataset"]

#: The name MLflow 3 gives a dataset built from a DataFrame or array without a name.
DEFAULT_NAME = "dataset"


_error = WorkbenchException.invalid_parameter_value


def _closest(name: Any, candidates: list[Any]) -> str:
    """Return a "did you mean" hint for a column name that is not there."""
    words = [str(c) for c in candidates]
    match = difflib.get_close_matches(str(name), words, n=1)
    return f" Did you mean {match[0]!r}?" if match else ""


def _columns_preview(columns: list[Any], limit: int = 20) -> str:
    shown = [str(c) for c in columns[:limit]]
    more = f", ... ({len(columns) - limit} more)" if len(columns) > limit else ""
    return "[" + ", ".join(repr(c) for c in shown) + more + "]"


def _check_column(frame: pd.DataFrame, column: Any, argument: str, what: str) -> None:
    if column not in frame.columns:
        raise _error(
            f"The {argument} column {column!r} is not in the data. The data's columns are "
            f"{_columns_preview(list(frame.columns))}.{_closest(column, list(frame.columns))} "
            f"Pass {argument}= the name of the column that holds the {what}."
        )


def _generated_feature_names(n_features: int) -> list[str]:
    # MLflow's names for unnamed columns: feature_1, feature_2, ..., zero-padded to the
    # width of the largest index (feature_01 ... feature_10 for ten features).
    width = math.ceil(math.log10(n_features + 1)) if n_features else 1
    return [f"feature_{str(i + 1).zfill(width)}" for i in range(n_features)]


def _hash_1d(values: np.ndarray) -> np.ndarray:
    try:
        return pd.util.hash_array(np.asarray(values).ravel())
    except TypeError:  # unhashable elements (lists, dicts): hash their text
        return pd.util.hash_array(np.asarray([repr(v) for v in np.asarray(values).ravel()], dtype=object))


def _hash_frame(frame: pd.DataFrame) -> np.ndarray:
    try:
        return pd.util.hash_pandas_object(frame, index=False).to_numpy()
    except TypeError:
        parts = []
        for column in frame.columns:
            try:
                parts.append(pd.util.hash_pandas_object(frame[column], index=False).to_numpy())
            except TypeError:
                parts.append(_hash_1d(frame[column].astype(str).to_numpy()))
        return np.concatenate(parts) if parts else np.zeros(0, dtype="uint64")


_DIGEST_VERSION = b"wb-digest-2"
_SAMPLE_ROWS = 1024
_WEIGHT_PERIOD = 1021


_PERIOD_WEIGHTS = np.arange(1.0, _WEIGHT_PERIOD + 1.0)


def _weighted_sum(values: np.ndarray) -> float:
    """``sum(values[i] * (1 + i % 1021))`` without building an array of weights.

    The contiguous values are viewed as rows of 1021 and multiplied by one period of the
    weights (no temporary the size of the column: fresh large arrays cost page faults).
    """
    n = values.shape[0]
    full = n - n % _WEIGHT_PERIOD
    total = 0.0
    if full:
        total = float(np.einsum("ij,j->", values[:full].reshape(-1, _WEIGHT_PERIOD), _PERIOD_WEIGHTS))
    if full < n:
        total += float(np.einsum("i,i->", values[full:], _PERIOD_WEIGHTS[: n - full]))
    return total


def _sample_positions(n_rows: int) -> np.ndarray:
    """A fixed strided sample of row positions, first and last row included."""
    if n_rows <= _SAMPLE_ROWS:
        return np.arange(n_rows)
    return np.unique(np.linspace(0, n_rows - 1, _SAMPLE_ROWS).astype(np.intp))


def _is_numeric(dtype: Any) -> bool:
    return isinstance(dtype, np.dtype) and dtype.kind in "biuf"


def _column_sums(values: np.ndarray) -> np.ndarray:
    """Sum, sum of squares, weighted sum and NaN count of one numeric column (all rows)."""
    if values.dtype != np.float64 or not values.flags.c_contiguous:
        values = np.ascontiguousarray(values, dtype=np.float64)
    total = values.sum()
    if np.isfinite(total):
        n_nan = 0.0
    else:  # NaN or inf somewhere: keep the sums informative over the finite values
        finite = np.isfinite(values)
        n_nan = float(values.size - np.count_nonzero(finite))
        values = np.where(finite, values, 0.0)
        total = values.sum()
    # einsum, not np.dot: BLAS ddot is ten times slower on a long vector here
    return np.array([total, float(np.einsum("i,i->", values, values)),
                     _weighted_sum(values), n_nan])


def _digest_vector(md5: Any, values: Any) -> None:
    """Targets, predictions or probabilities: sums and a sample when numeric, else hashed."""
    values = np.asarray(values)
    md5.update(f"{values.dtype}{values.shape}".encode("utf-8"))
    if not _is_numeric(values.dtype):
        md5.update(_hash_1d(values).tobytes())
        return
    md5.update(np.ascontiguousarray(values[_sample_positions(values.shape[0])]).tobytes())
    if values.ndim == 1:
        values = values[:, None]
    for j in range(values.shape[1]):
        md5.update(_column_sums(values[:, j]).tobytes())


def _digest_features(md5: Any, data: Any) -> None:
    n_rows = data.shape[0]
    positions = _sample_positions(n_rows)
    if isinstance(data, pd.DataFrame):
        md5.update(",".join(str(dtype) for dtype in data.dtypes).encode("utf-8"))
        sample = data.iloc[positions]
        for j in range(data.shape[1]):
            column = data.iloc[:, j]
            md5.update(b"#")
            if _is_numeric(column.dtype):
                values = column.to_numpy()
                md5.update(np.ascontiguousarray(sample.iloc[:, j].to_numpy()).tobytes())
                md5.update(_column_sums(values).tobytes())
            else:
                md5.update(_hash_frame(data.iloc[:, [j]]).tobytes())
        return
    data = np.asarray(data)
    md5.update(str(data.dtype).encode("utf-8"))
    if _is_numeric(data.dtype) and data.ndim == 2:
        md5.update(np.ascontiguousarray(data[positions]).tobytes())
        for j in range(data.shape[1]):
            md5.update(_column_sums(data[:, j]).tobytes())
    else:
        md5.update(_hash_1d(data).tobytes())


def _normalise_probability_columns(value: Any) -> list[Any] | dict[Any, Any] | None:
    if value is None:
        return None
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        if not value:
            raise _error("probability_columns must not be empty; give a column name, a list of "
                         "column names or a {label: column} dict.")
        return dict(value)
    if isinstance(value, (list, tuple)):
        if not value:
            raise _error("probability_columns must not be empty; give a column name, a list of "
                         "column names or a {label: column} dict.")
        return list(value)
    raise _error(
        "probability_columns must be a column name (binary: the positive class's probability), "
        "a list of column names (one per class, in sorted label order) or a dict mapping each "
        f"label to its column; got {type(value).__name__}: {value!r}."
    )


class EvaluationDataset:
    """Features, targets and (for static evaluation) predictions, with a name and a digest.

    Parameters
    ----------
    data : pandas.DataFrame, numpy.ndarray or list
        A DataFrame with the feature columns and, by name, the targets / predictions /
        probability columns; or a 2-D array (or a list of rows, or a flat list of single
        values) of features only.
    targets : str or array-like, optional
        The label column's name (DataFrame) or the labels themselves (array or list).
    predictions : str, optional
        The name of the column with the model's outputs (static evaluation; DataFrame only).
    feature_names : list of str, optional
        DataFrame: the feature columns to use (default: every column that is not the
        targets, predictions or probability columns). Array: the names of its columns
        (default ``feature_1``, ``feature_2``, ... as in MLflow).
    name : str, optional
        The dataset's name (default ``"dataset"``, as MLflow 3 names unnamed data).
    path : str, optional
        Where the data is stored, kept for lineage.
    probability_columns : str, list of str or dict, optional
        Workbench addition, for static evaluation of classifiers: the column holding the
        positive class's probability (binary), or one column per class in sorted label order,
        or ``{label: column}``. Kept as :attr:`probabilities_data` and excluded from the
        features. :func:`workbench.evaluate` fills it from
        ``evaluator_config["probability_columns"]``.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"x": [0.1, 0.7, 0.4], "y": [0, 1, 1], "p": [0, 1, 0]})
    >>> ds = EvaluationDataset(df, targets="y", predictions="p", name="toy")
    >>> ds.feature_names, ds.labels_data.tolist(), ds.predictions_data.tolist()
    (['x'], [0, 1, 1], [0, 1, 0])
    >>> ds.n_rows, len(ds.digest)
    (3, 8)
    >>> EvaluationDataset([[1.0, 2.0], [3.0, 4.0]], targets=[0, 1]).feature_names
    ['feature_1', 'feature_2']
    """

    def __init__(
        self,
        data: Any,
        *,
        targets: Any = None,
        predictions: str | None = None,
        feature_names: list[str] | None = None,
        name: str | None = None,
        path: str | None = None,
        probability_columns: Any = None,
    ) -> None:
        for label, value in (("name", name), ("path", path)):
            if value is not None and (not isinstance(value, str) or '"' in value):
                raise _error(
                    f'Dataset {label} must be a string without double quotes ("), got {value!r}.'
                )
        if feature_names is not None:
            if isinstance(feature_names, str):
                raise _error(f"feature_names must be a list of names, got the string {feature_names!r}.")
            feature_names = list(feature_names)
            if len(set(feature_names)) < len(feature_names):
                dupes = sorted({str(f) for f in feature_names if feature_names.count(f) > 1})
                raise _error(
                    f"feature_names must hold unique names; {dupes} appear more than once."
                )
        self._name = name
        self._path = path
        self._digest: str | None = None
        self._targets_name: str | None = None
        self._predictions_name: str | None = None
        self._labels_data: np.ndarray | None = None
        self._predictions_data: np.ndarray | None = None
        self._probability_columns = _normalise_probability_columns(probability_columns)
        self._probabilities_data: np.ndarray | None = None

        if isinstance(data, pd.DataFrame):
            self._init_frame(data, targets, predictions, feature_names)
        elif isinstance(data, (np.ndarray, list)):
            self._init_array(data, targets, predictions, feature_names)
        else:
            raise _error(self._unsupported_kind_message(data))

    # ------------------------------------------------------------------ construction

    @staticmethod
    def _unsupported_kind_message(data: Any) -> str:
        kind = f"{type(data).__module__}.{type(data).__qualname__}"
        hint = ""
        if hasattr(data, "to_pandas"):
            hint = " Convert it first, e.g. data.to_pandas()."
        elif isinstance(data, pd.Series):
            hint = " Turn it into a one-column frame with series.to_frame()."
        elif isinstance(data, dict):
            hint = " Build a frame with pandas.DataFrame(data)."
        return (
            "The data argument must be a pandas DataFrame, a 2-D numpy array, a list of rows or "
            f"a workbench EvaluationDataset; got {kind}.{hint}"
        )

    def _init_frame(self, frame: pd.DataFrame, targets: Any, predictions: Any, feature_names: Any) -> None:
        if targets is not None and not isinstance(targets, str):
            raise _error(
                "When data is a DataFrame, targets must be the name of the column holding the "
                f"labels, got {type(targets).__name__}. Pass targets='<label column>'."
            )
        if predictions is not None and not isinstance(predictions, str):
            raise _error(
                "predictions must be the name of the column holding the model's outputs, got "
                f"{type(predictions).__name__}."
            )
        excluded: list[Any] = []
        if targets is not None:
            _check_column(frame, targets, "targets", "labels")
            self._targets_name = targets
            self._labels_data = frame[targets].to_numpy()
            excluded.append(targets)
        if predictions is not None:
            _check_column(frame, predictions, "predictions", "model's outputs")
            self._predictions_name = predictions
            self._predictions_data = frame[predictions].to_numpy()
            excluded.append(predictions)
        if self._probability_columns is not None:
            columns = (
                list(self._probability_columns.values())
                if isinstance(self._probability_columns, dict)
                else list(self._probability_columns)
            )
            for column in columns:
                _check_column(frame, column, "probability_columns", "class probabilities")
            values = frame[columns].to_numpy(dtype=float)
            self._probabilities_data = values[:, 0] if len(columns) == 1 else values
            excluded.extend(columns)
        if feature_names is not None:
            missing = [f for f in feature_names if f not in frame.columns]
            if missing:
                raise _error(
                    f"feature_names {missing} are not columns of the data. The data's columns are "
                    f"{_columns_preview(list(frame.columns))}.{_closest(missing[0], list(frame.columns))}"
                )
            self._features_data = frame[feature_names]
            self._feature_names = [str(f) for f in feature_names]
        else:
            keep = [c for c in frame.columns if c not in set(excluded)]
            # Selecting columns of a copy-on-write frame copies nothing.
            self._features_data = frame[keep] if len(keep) != len(frame.columns) else frame
            self._feature_names = [c if isinstance(c, str) else f"feature_{c}" for c in keep]

    def _init_array(self, data: Any, targets: Any, predictions: Any, feature_names: Any) -> None:
        if predictions is not None:
            raise _error(
                "A predictions column needs a DataFrame: with a numpy array or list as data there "
                "are no column names. Put the features and the model's outputs in a "
                "pandas.DataFrame and pass predictions='<column>'."
            )
        if self._probability_columns is not None:
            raise _error(
                "probability_columns needs a DataFrame: with a numpy array or list as data there "
                "are no column names."
            )
        shape_message = (
            "When data is a numpy array it must be 2-dimensional (rows x features); when it is a "
            "list, each element is one row (a list of feature values, all of the same length) or "
            "a single value."
        )
        if isinstance(data, list):
            if data and not isinstance(data[0], (list, tuple, np.ndarray)):
                data = [[value] for value in data]  # a flat list: one feature, as in MLflow
            try:
                data = np.array(data)
            except ValueError as exc:
                raise _error(shape_message) from exc
        if data.ndim != 2:
            raise _error(f"{shape_message} Got an array of shape {data.shape}.")
        self._features_data = data
        n_features = data.shape[1]
        if feature_names is not None:
            if len(feature_names) != n_features:
                raise _error(
                    f"feature_names has {len(feature_names)} names but the data has {n_features} "
                    "columns; give one name per column."
                )
            self._feature_names = [str(f) for f in feature_names]
        else:
            self._feature_names = _generated_feature_names(n_features)
        if targets is not None:
            if isinstance(targets, str):
                raise _error(
                    "When data is a numpy array or list, targets must be the labels themselves (an "
                    f"array or list), not a column name ({targets!r})."
                )
            if isinstance(targets, (pd.Series, pd.Index)):
                labels = targets.to_numpy()
            else:
                labels = np.asarray(targets)
            if labels.ndim != 1:
                labels = labels.reshape(-1) if labels.ndim == 2 and 1 in labels.shape else labels
            if labels.ndim != 1:
                raise _error(f"targets must be 1-dimensional, got shape {labels.shape}.")
            if len(labels) != len(data):
                raise _error(
                    f"The data has {len(data)} rows but targets has {len(labels)} values; give one "
                    "label per row."
                )
            self._labels_data = labels

    # ------------------------------------------------------------------ properties

    @property
    def name(self) -> str:
        """The dataset's name (``"dataset"`` unless one was given, as in MLflow 3)."""
        return self._name if self._name is not None else DEFAULT_NAME

    @property
    def path(self) -> str | None:
        """Where the data is stored, if given."""
        return self._path

    @property
    def digest(self) -> str:
        """An 8-character md5 fingerprint of every row (see the module docstring)."""
        if self._digest is None:
            self._digest = self._compute_digest()
        return self._digest

    @property
    def hash(self) -> str:
        """MLflow's legacy name for :attr:`digest`."""
        return self.digest

    @property
    def features_data(self) -> pd.DataFrame | np.ndarray:
        """The features: a DataFrame (a view of the given frame) or a 2-D numpy array."""
        return self._features_data

    @property
    def feature_names(self) -> list[str]:
        """The feature names, in column order."""
        return self._feature_names

    @property
    def labels_data(self) -> np.ndarray | None:
        """The targets as a 1-D numpy array, or None."""
        return self._labels_data

    @property
    def predictions_data(self) -> np.ndarray | None:
        """The static predictions as a 1-D numpy array, or None."""
        return self._predictions_data

    @property
    def probabilities_data(self) -> np.ndarray | None:
        """Static class probabilities: 1-D (positive class) or (n_rows, n_classes), or None."""
        return self._probabilities_data

    @property
    def probability_columns(self) -> list[Any] | dict[Any, Any] | None:
        """The probability columns as given (a list, or a ``{label: column}`` dict)."""
        return self._probability_columns

    @property
    def targets_name(self) -> str | None:
        """The targets column's name (DataFrame data), or None."""
        return self._targets_name

    @property
    def predictions_name(self) -> str | None:
        """The predictions column's name, or None."""
        return self._predictions_name

    @property
    def has_targets(self) -> bool:
        return self._labels_data is not None

    @property
    def has_predictions(self) -> bool:
        return self._predictions_data is not None

    @property
    def n_rows(self) -> int:
        """The number of rows."""
        return int(self._features_data.shape[0])

    @property
    def n_features(self) -> int:
        """The number of feature columns."""
        return len(self._feature_names)

    # ------------------------------------------------------------------ helpers

    def features_frame(self) -> pd.DataFrame:
        """The features as a DataFrame named by :attr:`feature_names` (no copy of the values)."""
        data = self._features_data
        if isinstance(data, pd.DataFrame):
            if list(data.columns) == self._feature_names:
                return data
            return data.set_axis(self._feature_names, axis=1)
        return pd.DataFrame(data, columns=self._feature_names, copy=False)

    def _compute_digest(self) -> str:
        md5 = hashlib.md5(usedforsecurity=False)
        md5.update(_DIGEST_VERSION)
        md5.update(np.array(self._features_data.shape, dtype="uint64").tobytes())
        md5.update(",".join(self._feature_names).encode("utf-8"))
        _digest_features(md5, self._features_data)
        for part in (self._labels_data, self._predictions_data, self._probabilities_data):
            md5.update(b"|")
            if part is not None:
                _digest_vector(md5, part)
        return md5.hexdigest()[:8]

    def to_dict(self) -> dict[str, Any]:
        """The dataset's description as stored in an evaluation result (JSON-able).

        Examples
        --------
        >>> EvaluationDataset([[1.0], [2.0]], targets=[0, 1], name="d").to_dict()["n_rows"]
        2
        """
        return {
            "name": self.name,
            "digest": self.digest,
            "path": self.path,
            "n_rows": self.n_rows,
            "n_features": self.n_features,
            "feature_names": list(self._feature_names),
            "targets": self._targets_name,
            "predictions": self._predictions_name,
            "probability_columns": (
                {str(k): v for k, v in self._probability_columns.items()}
                if isinstance(self._probability_columns, dict)
                else self._probability_columns
            ),
            "sampled": False,
        }

    def __repr__(self) -> str:
        return (
            f"EvaluationDataset(name={self.name!r}, n_rows={self.n_rows}, "
            f"n_features={self.n_features}, targets={self._targets_name!r}, "
            f"predictions={self._predictions_name!r})"
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, EvaluationDataset):
            return NotImplemented
        return (self.name, self.digest, self.path) == (other.name, other.digest, other.path)

    def __hash__(self) -> int:
        return hash((self.name, self.digest))
