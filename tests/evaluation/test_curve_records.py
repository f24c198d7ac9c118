"""The curve records: strict JSON round trips, read-only owned arrays, clear refusals."""

import json

import numpy as np
import pytest

from workbench import WorkbenchException
from workbench.evaluation._curve_records import (
    CalibrationCurve,
    DetCurve,
    GainsCurve,
    LiftCurve,
    PrecisionRecallCurve,
    RocCurve,
    curve_from_dict,
)


@pytest.mark.parametrize("curve", [
    RocCurve(fpr=[0, 0.5, 1], tpr=[0, 0.75, 1], thresholds=[np.inf, 0.4, 0.1], auc=0.6875,
             label="yes", n_total=4),
    PrecisionRecallCurve(precision=[0.5, 1, 1], recall=[1, 0.5, 0], thresholds=[0.1, 0.4],
                         average_precision=0.75, label="1", n_total=4),
    LiftCurve(fraction=[0.25, 1], lift=[2, 1], label="1", n_total=4),
    GainsCurve(fraction=[0, 0.25, 1], gain=[0, 0.5, 1], label=None, n_total=4),
    CalibrationCurve(prob_pred=[0.1, 0.8], prob_true=[0.0, 1.0], counts=[2, 2],
                     brier_score=0.1, expected_calibration_error=np.nan, n_bins=5, label="1"),
    DetCurve(fpr=[1, 0.5], fnr=[0, 0.5], thresholds=[0.1, 0.4], label="macro", n_total=4),
])
def test_to_dict_is_strict_json_and_round_trips(curve):
    d = curve.to_dict()
    text = json.dumps(d, allow_nan=False)
    back = curve_from_dict(json.loads(text))
    assert back == curve and type(back) is type(curve)
    assert type(curve).from_dict(d) == curve
    assert d["kind"] == curve.kind
    assert "array" not in repr(curve)  # the repr is short, not the data


def test_curve_arrays_are_read_only_and_owned():
    fpr = np.array([0.0, 1.0])
    c = RocCurve(fpr=fpr, tpr=[0.0, 1.0], thresholds=[np.inf, 0.5], auc=0.5)
    fpr[0] = 9
    assert c.fpr[0] == 0.0
    with pytest.raises(ValueError):
        c.fpr[0] = 1.0
    assert c != RocCurve(fpr=[0.0, 1.0], tpr=[0.0, 1.0], thresholds=[np.inf, 0.5], auc=0.6)


def test_curve_from_dict_refuses_unknown_kinds():
    with pytest.raises(WorkbenchException, match="Unknown curve kind 'pie'"):
        curve_from_dict({"kind": "pie"})
    with pytest.raises(WorkbenchException, match="expected kind 'roc'"):
        RocCurve.from_dict({"kind": "det"})
    with pytest.raises(WorkbenchException, match="the field 'tpr' is missing"):
        RocCurve.from_dict({"kind": "roc", "fpr": [0], "thresholds": [1], "auc": 1})


def test_moved_names_are_still_importable_from_curves():
    import workbench.evaluation._calibration as calibration
    import workbench.evaluation._curve_records as records
    import workbench.evaluation._curves as curves
    import workbench.evaluation._data_record as data_record
    import workbench.evaluation._json_floats as json_floats

    for module, names in [
        (records, ["CalibrationCurve", "DetCurve", "GainsCurve", "LiftCurve",
                   "PrecisionRecallCurve", "RocCurve", "curve_from_dict"]),
        (calibration, ["brier_score", "calibration_curve"]),
        (data_record, ["DataRecord"]),
        (json_floats, ["decode_float", "decode_floats", "encode_float", "encode_floats"]),
    ]:
        for name in names:
            assert getattr(curves, name) is getattr(module, name)
    assert set(curves.__all__) >= set(records.__all__) | {"calibration_curve"}
