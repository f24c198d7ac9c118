"""Oracle: the param rules of ``workbench.types._params`` against MLflow 3.17's, value and wording.

One implementation (:func:`validate_param_value`) serves ParamSpec defaults (MLflow's rules)
and inference (``exact=True``). Here: with MLflow's rules every value gets MLflow's decision,
MLflow's Python value, and an error message that starts with MLflow's; with ``exact=True``
a value is refused exactly where MLflow would hand the model a changed value.
"""

from __future__ import annotations

import datetime as dt
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import workbench.types as wb
from workbench._exceptions import WorkbenchException
from workbench.types import DataType, Object, ParamSpec, Property
from workbench.types._params import param_scalar, validate_param_value

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    import mlflow.types.schema as ml
    from mlflow.exceptions import MlflowException
    from mlflow.models.utils import _enforce_param_datatype

PARAM_TYPES = [d.name for d in DataType if d is not DataType.binary]

VALUES = [
    None, True, False, 0, 1, 3, -7, 2**31, 2**40, 2**53 + 1, 2**63 - 1, 2**63, 2**70, 2**1030,
    0.5, 1.0, float("nan"), float("inf"), "x", "3", "", "2024-05-01", "2024-05-01T10:11:12",
    "NaT", "soon", "2020-01-01T00:00:00.000000001", b"raw", np.int8(1), np.int32(4),
    np.int64(5), np.uint8(3), np.uint64(2**64 - 1), np.float16(0.5), np.float32(0.5),
    np.float64(0.1), np.bool_(True), np.str_("s"), np.bytes_(b"b"), np.datetime64("2020-01-01"),
    np.datetime64("NaT"), np.datetime64(5, "ns"), dt.date(2020, 1, 1), dt.datetime(2020, 1, 1, 1),
    dt.time(1), [1], (1,), {"a": 1}, np.array([1]), np.array(1), object(), 1 + 2j,
]


def _outcome(validate, *args):
    try:
        return "ok", validate(*args)
    except (MlflowException, WorkbenchException) as e:
        return "error", e.message
    except Exception as e:  # noqa: BLE001 - MLflow's bare crashes, which we turn into refusals
        return "crash", str(e)


def _same_value(ours, theirs):
    nan = isinstance(ours, float) and ours != ours and isinstance(theirs, float) and theirs != theirs
    return (ours == theirs or nan) and type(ours) is type(theirs)


def _assert_agree(ours, theirs):
    if theirs[0] == "crash":  # MLflow crashes (a bare OverflowError); we refuse, same words
        theirs = ("error", theirs[1])
    assert ours[0] == theirs[0], (ours, theirs)
    if ours[0] == "ok":
        if isinstance(theirs[1], list):
            assert len(ours[1]) == len(theirs[1])
            assert all(map(_same_value, ours[1], theirs[1])), (ours, theirs)
        else:
            assert _same_value(ours[1], theirs[1]), (ours, theirs)
    else:  # our message is MLflow's, plus what to do
        assert ours[1].startswith(theirs[1]), (ours[1], theirs[1])


@pytest.mark.parametrize("type_name", PARAM_TYPES)
def test_scalars_get_mlflows_decision_value_and_message(type_name):
    for value in VALUES:
        ours = _outcome(ParamSpec.validate_type_and_shape, "'p'", value, DataType[type_name], None)
        theirs = _outcome(ml.ParamSpec.validate_type_and_shape, "'p'", value, ml.DataType[type_name], None)
        _assert_agree(ours, theirs)
        # param_scalar is MLflow's _enforce_param_datatype (the message without the wrapper)
        _assert_agree(_outcome(param_scalar, value, DataType[type_name]),
                      _outcome(_enforce_param_datatype, value, ml.DataType[type_name]))


LISTS = [[], [1, 2], [1, 2.5], np.array([1, 2]), np.array([0.5]), ["a", "b"], [True, 1], [None, 1],
         ["2020-01-01"], [2**53 + 1], [[1], [2]], 1, "ab", np.array([[1]]), (1, 2), {"a": 1}]


@pytest.mark.parametrize("type_name", PARAM_TYPES)
def test_lists_get_mlflows_decision_value_and_message(type_name):
    for value in LISTS:
        ours = _outcome(validate_param_value, "'p'", value, DataType[type_name], (-1,))
        theirs = _outcome(ml.ParamSpec.validate_type_and_shape, "'p'", value, ml.DataType[type_name], (-1,))
        _assert_agree(ours, theirs)


def test_shape_message_is_mlflows_without_its_stray_parenthesis():
    ours = _outcome(validate_param_value, "'p'", 1, DataType.long, (2,))
    theirs = _outcome(ml.ParamSpec.validate_type_and_shape, "'p'", 1, ml.DataType.long, (2,))
    assert theirs[1] == ("Shape must be None for scalar or dictionary value, or (-1,) for 1D array "
                         "value for ParamSpec 'p'), received (2,)")
    assert ours == ("error", theirs[1].replace("'p'),", "'p',") + ".")


def _object(t):
    return t.Object([t.Property("k", "long"), t.Property("n", "string", required=False)])


@pytest.mark.parametrize(
    "value", [{"k": "1"}, {"k": [1]}, {"k": 1, "n": 2}, [1], "x", None, {"n": "x"}, {"k": 1, "zz": 1}],
    ids=repr,
)
def test_object_messages_are_mlflows(value):
    ours = _outcome(validate_param_value, "'p'", value, _object(wb), None)
    theirs = _outcome(ml.ParamSpec.validate_type_and_shape, "'p'", value, _object(ml), None)
    assert ours[0] == theirs[0] == "error"
    # MLflow prints the missing and unknown keys as a set, we as a sorted list
    assert ours[1].startswith(theirs[1].replace("{'", "['").replace("'}", "']"))


# --- exact=True: the rules of inference --------------------------------------------------

DEPARTURES = [  # (type, value, MLflow's value for it, the start of our reason)
    ("double", 2**53 + 1, float(2**53), "Can not safely convert `<class 'int'>` to `DataType.double`"
     " for value `9007199254740993`: it is not exactly representable as a float. Pass it as a "
     "float yourself (9007199254740992.0) or declare the param as long."),
    ("float", np.int64(2**62 + 1), float(2**62), "Can not safely convert `<class 'numpy.int64'>`"),
    ("integer", 2**40, 2**40, "Value `1099511627776` is outside the range of `integer` "
     "(-2147483648 to 2147483647); pass a smaller value or declare the param as long."),
    ("integer", -(2**31) - 1, -(2**31) - 1, "Value `-2147483649` is outside the range of `integer`"),
    ("long", 2**63, 2**63, "Value `9223372036854775808` is outside the range of `long` "
     "(-9223372036854775808 to 9223372036854775807); pass a smaller value or declare the param "
     "as string and parse it in the model."),
    ("datetime", "NaT", None, "Failed to convert value to `DataType.datetime`. It must be "
     "convertible to datetime.date/datetime, got `NaT`."),
    ("datetime", np.datetime64("NaT"), None, "Failed to convert value to `DataType.datetime`."),
]


@pytest.mark.parametrize("type_name, value, mlflow_value, reason", DEPARTURES, ids=repr)
def test_exact_refuses_what_mlflow_changes(type_name, value, mlflow_value, reason):
    theirs = _outcome(ml.ParamSpec.validate_type_and_shape, "'p'", value, ml.DataType[type_name], None)
    assert theirs == ("ok", mlflow_value)  # MLflow accepts and hands the model this
    assert _outcome(validate_param_value, "'p'", value, DataType[type_name], None) == ("ok", mlflow_value)
    assert param_scalar(value, DataType[type_name]) == mlflow_value
    with pytest.raises(WorkbenchException) as info:
        validate_param_value("'p'", value, DataType[type_name], None, exact=True)
    assert info.value.error_code == "INVALID_PARAMETER_VALUE"
    assert info.value.message.startswith(f"Failed to validate type and shape for 'p', error: {reason}")
    with pytest.raises(WorkbenchException, match="^" + reason[:40].replace("(", r"\(").replace(")", r"\)")):
        param_scalar(value, DataType[type_name], exact=True)
    # in a list, each element gets the same rule
    with pytest.raises(WorkbenchException, match="error: " + reason[:25].replace("(", r"\(")):
        validate_param_value("'p'", [value], DataType[type_name], (-1,), exact=True)


def test_exact_keeps_the_edges_that_fit():
    assert param_scalar(2**31 - 1, DataType.integer, exact=True) == 2**31 - 1
    assert param_scalar(-(2**63), DataType.long, exact=True) == -(2**63)
    assert param_scalar(2**53, DataType.double, exact=True) == 2.0**53
    assert param_scalar(np.int64(-(2**53)), DataType.float, exact=True) == -(2.0**53)
    assert param_scalar("2024-05-01", DataType.datetime, exact=True) == dt.date(2024, 5, 1)
    assert param_scalar(None, DataType.datetime, exact=True) is None


_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(), st.text(max_size=4),
    st.sampled_from(VALUES), st.integers(-(2**63), 2**63 - 1).map(np.int64),
    st.integers(0, 2**64 - 1).map(np.uint64), st.floats(width=32).map(np.float32),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(value=_scalars, type_name=st.sampled_from(PARAM_TYPES))
def test_exact_accepts_a_subset_and_never_changes_a_number(value, type_name):
    dtype = DataType[type_name]
    loose = _outcome(param_scalar, value, dtype)
    strict = _outcome(lambda v, t: param_scalar(v, t, exact=True), value, dtype)
    if loose[0] == "error":  # exact never accepts what MLflow's rules refuse, nor rewords it
        assert strict == loose
        return
    if strict[0] == "ok":  # and where it accepts, the value is MLflow's ...
        assert _same_value(strict[1], loose[1])
        if isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_)):
            assert strict[1] == int(value)  # ... and the very number that was passed
    else:  # it refuses only a number that changes or does not fit, or a NaT
        assert type_name in ("integer", "long", "float", "double", "datetime")
        if type_name == "datetime":
            assert loose[1] is None
        elif type_name in ("float", "double"):
            assert loose[1] != int(value)
        else:
            bits = 31 if type_name == "integer" else 63
            assert not -(2**bits) <= int(value) < 2**bits


def test_object_values_are_returned_as_passed_and_checked_on_a_copy():
    obj = Object([Property("k", "long")])
    seen = []
    value = {"k": np.int64(1)}

    def check(copy, object_type):
        seen.append((copy, object_type))
        copy["k"] = "mutated"

    assert validate_param_value("'o'", value, obj, None, check_object=check) is value
    assert value == {"k": np.int64(1)} and seen[0][0] is not value and seen[0][1] is obj
    with pytest.raises(WorkbenchException, match=r"^Failed to validate type and shape for 'o', error: no$"):
        validate_param_value("'o'", value, obj, None, check_object=lambda v, t: (_ for _ in ()).throw(ValueError("no")))
