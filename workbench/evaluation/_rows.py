"""``RowData``: the per-row targets, predictions and scores an evaluation kept.

An :class:`~workbench.evaluation._result.EvaluationResult` holds aggregates (metrics,
decimated curves, tables). To compare two results with confidence intervals,
:func:`workbench.compare` resamples *rows*, so the default evaluator also keeps the rows,
compactly:

==================  =================================================================
``kind``            ``"binary"``, ``"multiclass"`` or ``"regressor"``
``labels``          classifiers: the labels in sorted order (JSON scalars); else None
``y_true``          classifiers: int codes into ``labels``; regressors: float64
``y_pred``          likewise
``scores``          float32: ``(n,)`` positive-class score (binary), ``(n, k)`` one column
                    per label (multiclass); None without probabilities / scores
``sample_weight``   float64 ``(n,)`` or None
``digest``          the dataset digest (``result.dataset["digest"]``)
``pos_index``       binary: the index of the positive label in ``labels``
``average``         multiclass: the averaging of precision / recall / F1
==================  =================================================================

Arrays are read-only. A binary classifier costs 6 bytes a row (two int8 codes and a
float32 score), so keeping rows is cheap next to the data that was evaluated.

On disk (inside a saved result directory) the arrays are ``rows/<field>.npy`` files
written by numpy and read with ``allow_pickle=False``; the other fields go into the
manifest (:meth:`RowData.describe`). Nothing is pickled.

Examples
--------
>>> rows = RowData.for_classifier(["no", "yes", "yes"], ["no", "yes", "no"],
...                               labels=["no", "yes"], scores=[0.2, 0.9, 0.4])
>>> rows
RowData(kind='binary', n_rows=3, labels=['no', 'yes'], scores=(3,), sample_weight=False)
>>> rows.y_true, rows.y_pred
(array([0, 1, 1], dtype=int8), array([0, 1, 0], dtype=int8))
>>> RowData.from_files(rows.describe(), rows.to_files()) == rows
True
"""

from __future__ import annotations

import dataclasses
import io
from typing import Any

import numpy as np

from workbench._exceptions import WorkbenchException

__all__ = ["KINDS", "RowData"]

#: The kinds of row data.
KINDS = ("binary", "multiclass", "regressor")
#: The array fields, in the order they are written.
ARRAY_FIELDS = ("y_true", "y_pred", "scores", "sample_weight")
_AVERAGES = ("weighted", "macro", "micro")


_invalid = WorkbenchException.invalid_parameter_value


def _frozen(a: np.ndarray) -> np.ndarray:
    a.flags.writeable = False
    return a


def _code_dtype(k: int) -> np.dtype:
    return np.dtype(np.int8 if k <= 127 else np.int16 if k <= 32767 else np.int32)


def _json_label(value: Any) -> Any:
    value = value.item() if isinstance(value, np.generic) else value
    return value if isinstance(value, (str, int, float, bool)) else str(value)


def _encode_labels(values: Any, labels: list[Any], what: str) -> np.ndarray:
    """Codes of ``values`` in ``labels`` (the classifier module's encoder)."""
    from workbench.evaluation._classification import _as_1d, _encode, _label_index

    codes = _encode(_as_1d(values, what), _label_index(labels), what)
    return codes.astype(_code_dtype(len(labels)))


def _npy_bytes(value: np.ndarray) -> bytes:
    """What ``np.save`` writes for ``value``, built in one buffer of the final size.

    ``np.save`` into a ``BytesIO`` grows the buffer by reallocation (up to twice the
    array's size at once, for the scores of a million rows); here the header is made
    apart and the array copied once into a buffer of the exact size.
    """
    header = io.BytesIO()
    if not value.flags.c_contiguous:  # np.save's own layout for other memory orders
        np.save(header, value, allow_pickle=False)
        return header.getvalue()
    np.lib.format.write_array_header_1_0(header, np.lib.format.header_data_from_array_1_0(value))
    head = header.getvalue()
    out = bytearray(len(head) + value.nbytes)
    out[: len(head)] = head
    np.frombuffer(out, dtype=value.dtype, offset=len(head), count=value.size)[...] = \
        value.reshape(-1)
    return out  # a bytearray: bytes-like, written and read as the .npy file's bytes


@dataclasses.dataclass(frozen=True, eq=False)
class RowData:
    """Per-row targets, predictions, scores and weights of one evaluation.

    Build one with :meth:`for_classifier` or :meth:`for_regressor`; see the module
    docstring for the fields.
    """

    kind: str
    labels: list[Any] | None
    y_true: np.ndarray
    y_pred: np.ndarray
    scores: np.ndarray | None = None
    sample_weight: np.ndarray | None = None
    digest: str | None = None
    pos_index: int | None = None
    average: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise _invalid(f"RowData kind must be one of {list(KINDS)}, got {self.kind!r}.")
        n = self.y_true.shape[0]
        for name in ARRAY_FIELDS:
            value = getattr(self, name)
            if value is None:
                continue
            if not isinstance(value, np.ndarray) or value.shape[:1] != (n,):
                shape = getattr(value, "shape", type(value).__name__)
                raise _invalid(
                    f"RowData.{name} must be an array with one entry per row ({n} rows), "
                    f"got {shape}."
                )
            if value.flags.writeable:
                object.__setattr__(self, name, _frozen(value))
        classifier = self.kind != "regressor"
        if classifier:
            if not self.labels or len(self.labels) < 2:
                raise _invalid(f"RowData of a {self.kind} classifier needs at least two labels, "
                               f"got {self.labels!r}.")
            k = len(self.labels)
            if (self.kind == "binary") != (k == 2):
                raise _invalid(f"RowData kind {self.kind!r} does not fit {k} labels.")
            for name in ("y_true", "y_pred"):
                codes = getattr(self, name)
                if codes.dtype.kind not in "iu" or (n and (codes.min() < 0 or codes.max() >= k)):
                    raise _invalid(f"RowData.{name} must hold int codes in [0, {k}).")
            want = (n,) if k == 2 else (n, k)
            if self.scores is not None and self.scores.shape != want:
                raise _invalid(f"RowData.scores must have shape {want}, got {self.scores.shape}.")
        elif self.labels is not None or self.scores is not None:
            raise _invalid("RowData of a regressor has no labels and no scores.")
        if self.kind == "binary" and self.pos_index not in (0, 1):
            raise _invalid(f"RowData of a binary classifier needs pos_index 0 or 1, got "
                           f"{self.pos_index!r}.")
        if self.kind == "multiclass" and self.average not in _AVERAGES:
            raise _invalid(f"RowData of a multiclass classifier needs average in "
                           f"{list(_AVERAGES)}, got {self.average!r}.")

    # ------------------------------------------------------------------ builders

    @classmethod
    def for_classifier(cls, y_true: Any, y_pred: Any, *, labels: list[Any], scores: Any = None,
                       pos_label: Any = None, average: str = "weighted",
                       sample_weight: Any = None, digest: str | None = None) -> RowData:
        """Rows of a classifier evaluated on ``labels`` (sorted; two labels: binary).

        ``scores`` are one column per label in the order of ``labels`` (a binary
        classifier's may also be the positive class's scores alone).
        """
        labels = [_json_label(v) for v in labels]
        k = len(labels)
        t = _encode_labels(y_true, labels, "y_true")
        p = _encode_labels(y_pred, labels, "y_pred")
        pos_index = None
        if k == 2:
            pos_index = 1 if pos_label is None else labels.index(_json_label(pos_label))
        s = None
        if scores is not None:
            s = np.asarray(scores)
            if s.ndim == 2 and s.shape[1] == 1:
                s = s[:, 0]
            if k == 2 and s.ndim == 2:
                s = s[:, pos_index]
            s = s.astype(np.float32)
        w = None if sample_weight is None else np.array(sample_weight, dtype=np.float64)
        return cls(kind="binary" if k == 2 else "multiclass", labels=labels, y_true=t,
                   y_pred=p, scores=s, sample_weight=w, digest=digest, pos_index=pos_index,
                   average=None if k == 2 else average)

    @classmethod
    def for_regressor(cls, y_true: Any, y_pred: Any, *, sample_weight: Any = None,
                      digest: str | None = None) -> RowData:
        """Rows of a regressor (float64 copies).

        Examples
        --------
        >>> RowData.for_regressor([1, 2], [1.5, 2.5]).y_pred
        array([1.5, 2.5])
        """
        w = None if sample_weight is None else np.array(sample_weight, dtype=np.float64)
        return cls(kind="regressor", labels=None,
                   y_true=np.array(y_true, dtype=np.float64),
                   y_pred=np.array(y_pred, dtype=np.float64), sample_weight=w, digest=digest)

    # ------------------------------------------------------------------ properties

    @property
    def n_rows(self) -> int:
        """The number of rows."""
        return int(self.y_true.shape[0])

    @property
    def nbytes(self) -> int:
        """Bytes held by the arrays."""
        return sum(getattr(self, f).nbytes for f in ARRAY_FIELDS if getattr(self, f) is not None)

    def same_targets(self, other: RowData) -> bool:
        """True when ``other`` has the same kind, labels, positive class, targets and weights.

        The dataset digest is not compared: two frames with other columns (or a static
        predictions column) over the same rows differ in digest but pair row by row.
        """
        if (self.kind, self.labels, self.pos_index) != (
                other.kind, other.labels, other.pos_index):
            return False
        if not np.array_equal(self.y_true, other.y_true):
            return False
        if (self.sample_weight is None) != (other.sample_weight is None):
            return False
        return self.sample_weight is None or bool(
            np.array_equal(self.sample_weight, other.sample_weight))

    # ------------------------------------------------------------------ equality, repr

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, RowData):
            return NotImplemented
        if self.describe() != other.describe():
            return False
        for name in ARRAY_FIELDS:
            a, b = getattr(self, name), getattr(other, name)
            if (a is None) != (b is None):
                return False
            if a is not None and (a.dtype != b.dtype or not np.array_equal(a, b, equal_nan=True)):
                return False
        return True

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        scores = None if self.scores is None else self.scores.shape
        return (f"RowData(kind={self.kind!r}, n_rows={self.n_rows}, labels={self.labels!r}, "
                f"scores={scores}, sample_weight={self.sample_weight is not None})")

    # ------------------------------------------------------------------ files

    def describe(self) -> dict[str, Any]:
        """The non-array fields as JSON (the manifest's ``data.rows`` entry, less files)."""
        return {"kind": self.kind, "labels": self.labels, "digest": self.digest,
                "pos_index": self.pos_index, "average": self.average, "n_rows": self.n_rows}

    def to_files(self) -> dict[str, bytes]:
        """``{file name: .npy bytes}`` for each array field that is set."""
        files = {}
        for name in ARRAY_FIELDS:
            value = getattr(self, name)
            if value is not None:
                files[f"{name}.npy"] = _npy_bytes(value)
        return files

    @classmethod
    def from_files(cls, description: Any, files: dict[str, bytes]) -> RowData:
        """Rebuild from :meth:`describe` and :meth:`to_files` (``allow_pickle=False``)."""
        if not isinstance(description, dict):
            raise _invalid(f"Cannot read row data: expected a JSON object describing it, got "
                           f"{description!r:.80}.")
        arrays: dict[str, Any] = {}
        for name in ARRAY_FIELDS:
            data = files.get(f"{name}.npy")
            if data is None:
                arrays[name] = None
                continue
            try:
                arrays[name] = np.load(io.BytesIO(data), allow_pickle=False)
            except (ValueError, OSError, EOFError) as err:
                raise _invalid(f"Cannot read row data file {name}.npy: {err}.") from None
            if arrays[name].dtype.kind not in "iuf":
                raise _invalid(f"Cannot read row data file {name}.npy: expected numbers, got "
                               f"dtype {arrays[name].dtype}.")
        if arrays["y_true"] is None or arrays["y_pred"] is None:
            raise _invalid("Cannot read row data: y_true.npy and y_pred.npy are required.")
        labels = description.get("labels")
        try:
            return cls(kind=description.get("kind"), labels=labels, digest=description.get("digest"),
                       pos_index=description.get("pos_index"), average=description.get("average"),
                       **arrays)
        except WorkbenchException as err:
            raise _invalid(f"Cannot read row data: {err.message}") from None
