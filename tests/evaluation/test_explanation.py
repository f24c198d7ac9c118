"""The Explanation record: importance order, JSON round trip with NaN, equality, bad input."""

from __future__ import annotations

import json

import numpy as np
import pytest

from workbench import WorkbenchException
from workbench.evaluation._explanation import Explanation


def _multiclass() -> Explanation:
    values = np.arange(12, dtype=np.float32).reshape(2, 3, 2) - 5.5  # (classes, rows, features)
    return Explanation(
        "tree", ["a", "b"], ["x", "y"], np.abs(values).mean(axis=1), np.array([4, 0, 2]),
        values, np.array([[1.0, np.nan], [2.0, 3.0], [np.nan, 0.5]], np.float32),
        np.array([0.25, 0.75]), 9, True, 0.5, model_output="probability",
        background_index=np.array([0, 2]), notes=("a note",),
    )


def test_importance_sums_classes_and_sorts_most_important_first():
    exp = _multiclass()
    imp = exp.importance()
    # class x: |-5.5|,|-3.5|,|-1.5| -> 3.5 and |-4.5|,|-2.5|,|-0.5| -> 2.5; class y: 2.5 and 3.5
    assert imp.index.tolist() == ["a", "b"]  # a tie (6.0 each) keeps the feature order
    np.testing.assert_allclose(imp.loc["a", "mean_abs_shap"], 3.5 + 2.5)
    np.testing.assert_allclose(imp.loc["a", "mean_abs_shap[x]"], 3.5)
    np.testing.assert_allclose(imp.loc["b", "mean_abs_shap[y]"], 3.5)
    assert exp.is_multiclass and exp.n_sample == 3


def test_strict_json_round_trip_keeps_nan_and_dtypes():
    exp = _multiclass()
    text = json.dumps(exp.to_dict(), allow_nan=False)
    back = Explanation.from_dict(json.loads(text))
    assert back == exp
    assert back.shap_values.dtype == np.float32 and back.base_values.dtype == np.float64
    assert np.isnan(back.feature_values[0, 1]) and np.isnan(back.feature_values[2, 0])
    assert back.notes == ("a note",) and back.background_index.tolist() == [0, 2]


def test_equality_ignores_seconds_but_not_values():
    exp = _multiclass()
    d = exp.to_dict()
    assert Explanation.from_dict({**d, "seconds": 99.0}) == exp
    changed = {**d, "base_values": [0.25, 0.5]}
    assert Explanation.from_dict(changed) != exp
    assert exp.__eq__("not an explanation") is NotImplemented


def test_empty_sample_round_trips_with_its_feature_axis():
    exp = Explanation("linear", ["a", "b", "c"], None, np.zeros(3), np.zeros(0, np.int64),
                      np.zeros((0, 3), np.float32), np.zeros((0, 3), np.float32),
                      np.array(np.nan), 0, False, 0.0)
    back = Explanation.from_dict(json.loads(json.dumps(exp.to_dict())))
    assert back.shap_values.shape == (0, 3) and back == exp


def test_from_dict_of_another_kind_raises_a_clear_error():
    with pytest.raises(WorkbenchException, match="Expected a dict of kind 'explanation'.*Explanation.to_dict"):
        Explanation.from_dict({"kind": "run"})
