"""Params enforcement is the types layer's one param rule with ``exact=True``, plus defaults.

``workbench.models._enforce_params`` keeps no rule of its own for a param value: these tests
pin that each value gets exactly what :func:`workbench.types._params.validate_param_value`
gives it (decision, value, words), that where no departure applies inference and ParamSpec
defaults agree, and how Object params differ from MLflow (checked by MLflow itself).
"""

from __future__ import annotations

import datetime as dt
import logging
import warnings

import numpy as np
import pytest

from workbench._exceptions import WorkbenchException
from workbench.models._enforce_params import enforce_param_datatype, enforce_params_schema
from workbench.types import Array, DataType, Object, ParamSchema, ParamSpec, Property
from workbench.types._params import param_scalar, validate_param_value

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    import mlflow.models.utils as mlflow_utils
    import mlflow.types

SCHEMA = ParamSchema([
    ParamSpec("b", "boolean", True),
    ParamSpec("i", "integer", 1),
    ParamSpec("l", "long", 1),
    ParamSpec("f", "float", 0.5),
    ParamSpec("d", "double", 0.5),
    ParamSpec("s", "string", "x"),
    ParamSpec("t", "datetime", None),
    ParamSpec("arr", "double", [1.0], (-1,)),
])

VALUES = [
    None, True, 0, 3, 2**31, 2**53 + 1, 2**63, 0.5, float("nan"), "x", "3", "2024-05-01", "NaT",
    "soon", np.int32(4), np.int64(5), np.float32(0.5), np.float64(0.1), np.bool_(True),
    dt.date(2020, 1, 1), [1], [1, 2**53 + 1], np.array([1, 2]), [[1]], {"a": 1},
]


def _outcome(call, *args):
    try:
        return "ok", call(*args)
    except WorkbenchException as e:
        return "error", e.message


@pytest.mark.parametrize("type_name", [d.name for d in DataType if d is not DataType.binary])
def test_enforce_param_datatype_is_the_exact_scalar_rule(type_name):
    dtype = DataType[type_name]
    for value in VALUES:
        assert _outcome(enforce_param_datatype, value, dtype) == _outcome(
            lambda v, t: param_scalar(v, t, exact=True), value, dtype
        )


@pytest.mark.parametrize("spec", SCHEMA.params, ids=lambda s: s.name)
def test_each_param_gets_the_shared_rule_word_for_word(spec):
    for value in VALUES:
        shared = _outcome(
            lambda v: validate_param_value(repr(spec), v, spec.dtype, spec.shape, exact=True), value
        )
        enforced = _outcome(enforce_params_schema, {spec.name: value}, SCHEMA)
        if shared[0] == "ok":
            assert enforced[0] == "ok"
            got = enforced[1][spec.name]
            assert type(got) is type(shared[1])
            assert got == shared[1] or (got != got and shared[1] != shared[1])  # NaN
        else:
            assert enforced == ("error", f"Invalid parameters found: {[(spec.name, shared[1])]!r}")


@pytest.mark.parametrize("spec", SCHEMA.params, ids=lambda s: s.name)
def test_inference_and_defaults_agree_wherever_exact_does_not_refuse(spec):
    for value in VALUES:
        enforced = _outcome(enforce_params_schema, {spec.name: value}, SCHEMA)
        default_rule = _outcome(ParamSpec.validate_param_spec, value, spec)
        if enforced[0] == "ok":
            got = enforced[1][spec.name]
            assert default_rule[0] == "ok" and type(got) is type(default_rule[1])
            assert got == default_rule[1] or got != got
        elif default_rule[0] == "error":  # both refuse, in the same words
            assert enforced[1] == f"Invalid parameters found: {[(spec.name, default_rule[1])]!r}"


def test_exact_departures_at_inference():
    with pytest.raises(WorkbenchException) as info:
        enforce_params_schema({"d": 2**53 + 1, "i": 2**40, "arr": [1, 2**53 + 1], "t": "NaT"}, SCHEMA)
    message = info.value.message
    assert message.startswith("Invalid parameters found: [('i', \"Failed to validate type and shape for "
                              "'i': integer (default: 1), error: Value `1099511627776` is outside the range")
    for name, reason in [("d", "not exactly representable as a float"), ("arr", "not exactly representable"),
                         ("t", "It must be convertible to datetime.date/datetime, got `NaT`")]:
        assert f"('{name}', \"Failed to validate type and shape for '{name}'" in message and reason in message
    # MLflow accepts all four and hands the model 2**53, 2**40, [1.0, 2**53] and None
    theirs = mlflow_utils._enforce_params_schema(
        {"d": 2**53 + 1, "i": 2**40, "arr": [1, 2**53 + 1], "t": "NaT"},
        mlflow.types.ParamSchema.from_json(SCHEMA.to_json()),
    )
    assert theirs["d"] == 2.0**53 and theirs["i"] == 2**40 and theirs["arr"] == [1.0, 2.0**53]
    assert theirs["t"] is None


OBJ = Object([
    Property("k", "long"),
    Property("when", "datetime", required=False),
    Property("tags", Array("string"), required=False),
    Property("w", "double", required=False),
])
OBJ_SCHEMA = ParamSchema([ParamSpec("cfg", OBJ, {"k": 1})])

# MLflow's decision on these is ours at inference; the two values after them differ (below).
OBJECT_AGREE = [
    {"k": 1}, {"k": np.int32(1)}, {"k": "1"}, {"k": 1.0}, {"k": True}, {}, {"k": 1, "zz": 1}, [1],
    "x", {"k": 1, "tags": ["a"]}, {"k": 1, "tags": []}, {"k": 1, "tags": None}, {"k": 1, "tags": [1]},
    {"k": 1, "w": 1}, {"k": 1, "w": 2}, {"k": 1, "w": 2.5}, {"k": 1, "w": None}, {"k": 1, "when": None},
    {"k": 1, "when": np.datetime64("2020-01-01")},
]


def _mlflow_accepts(value):
    schema = mlflow.types.ParamSchema.from_json(OBJ_SCHEMA.to_json())
    try:
        mlflow_utils._enforce_params_schema({"cfg": value}, schema)
        return True
    except Exception:  # noqa: BLE001 - whatever MLflow raises
        return False


@pytest.mark.parametrize("value", OBJECT_AGREE, ids=repr)
def test_object_params_get_mlflows_decision_and_come_back_as_passed(value):
    ours = _outcome(enforce_params_schema, {"cfg": value}, OBJ_SCHEMA)
    assert (ours[0] == "ok") == _mlflow_accepts(value)
    if ours[0] == "ok":
        assert ours[1]["cfg"] is value


def test_object_params_at_inference_follow_model_input_enforcement():
    # A datetime string parses, as in columns (MLflow 3.17 under pandas 3 refuses every
    # string there, and so do ParamSpec defaults, which keep MLflow's rules).
    value = {"k": 1, "when": "2020-01-01"}
    assert not _mlflow_accepts(value)
    assert enforce_params_schema({"cfg": value}, OBJ_SCHEMA)["cfg"] is value
    with pytest.raises(WorkbenchException, match="Failed to enforce schema for key `when`"):
        ParamSpec("cfg", OBJ, value)
    # A missing element of a string array is refused (MLflow checks it as the text 'None').
    value = {"k": 1, "tags": [None, "a"]}
    assert _mlflow_accepts(value)
    assert ParamSpec("cfg", OBJ, value).default is value
    with pytest.raises(WorkbenchException, match=r"Failed to enforce schema for key `tags`. Expected type array, "
                                                 r"received type list: Expected every element of an Array of string"):
        enforce_params_schema({"cfg": value}, OBJ_SCHEMA)


def test_defaults_are_copies_and_unknown_params_are_dropped(caplog):
    with caplog.at_level(logging.WARNING, logger="workbench"):
        out = enforce_params_schema({"arr": np.array([2, 3]), "top_k": 3}, SCHEMA)
    assert out == {"arr": [2.0, 3.0], "b": True, "i": 1, "l": 1, "f": 0.5, "d": 0.5, "s": "x", "t": None}
    assert [type(v) for v in out["arr"]] == [float, float]
    assert "Unrecognized params ['top_k'] are ignored for inference." in caplog.text
    out["arr"].append(9)
    default = enforce_params_schema({}, SCHEMA)["arr"]
    assert default == [1.0] and default is not SCHEMA.params[-1].default
