"""The :class:`Explanation` record: SHAP values of a model on a sample of rows, as plain arrays.

What :func:`~workbench.evaluation._explain.explain` returns: numpy arrays (float32 values and
feature values, float64 means and base values), a JSON round trip (:meth:`Explanation.to_dict`,
:meth:`Explanation.from_dict`; float32 written exactly, NaN as None) and nothing pickled.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["Explanation"]

_FORMAT_VERSION = 1


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
        Wall time of :func:`~workbench.evaluation._explain.explain`.
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
