"""Oracle tests: ``infer_signature`` and ``ModelSignature`` against MLflow 3.17.2.

MLflow is installed in the test environment (never at run time), so these tests always
run. For every corpus entry the signature dict (the JSON strings an ``MLmodel`` file
stores) must be identical, each library must read the other's dict, and where MLflow
refuses the data (bad parameters, pydantic objects) we refuse it too.
"""

# No ``from __future__ import annotations`` here: MLflow cannot read the string annotations
# of the dataclasses below (workbench can, see test_signature.py).
import datetime as dt
import logging
import warnings
from dataclasses import dataclass
from typing import Optional

import mlflow.models
import mlflow.types
import numpy as np
import pandas as pd
import pydantic
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from hypothesis.extra import pandas as hpd

import workbench.models
from workbench import WorkbenchException



@pytest.fixture(autouse=True)
def _quiet_fallback_warnings():
    """Both libraries log a warning on each AnyType fallback; keep the output readable."""
    loggers = [logging.getLogger("mlflow"), logging.getLogger("workbench.models._signature")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.ERROR)
    yield
    for logger, level in zip(loggers, levels):
        logger.setLevel(level)


@dataclass
class _Inner:
    name: str
    score: Optional[float] = None  # noqa: UP045 (MLflow reads typing.Optional)


@dataclass
class _Record:
    id: int
    text: str
    flag: bool
    blob: bytes
    when: dt.date
    tags: list[str]
    inner: _Inner
    inners: list[_Inner]
    note: Optional[str] = None  # noqa: UP045


class _Pet(pydantic.BaseModel):
    name: str


def _frame_of_everything():
    return pd.DataFrame(
        {
            "i32": np.array([1, 2, 3], dtype="int32"),
            "i64": np.array([1, 2, 3], dtype="int64"),
            "i8": np.array([1, 2, 3], dtype="int8"),
            "u16": np.array([1, 2, 3], dtype="uint16"),
            "u32": np.array([1, 2, 3], dtype="uint32"),
            "f16": np.array([1, 2, 3], dtype="float16"),
            "f32": np.array([1.0, np.nan, 3.0], dtype="float32"),
            "f64": [1.0, 2.0, np.nan],
            "b": [True, False, True],
            "s": ["a", "b", None],
            "s_obj": pd.Series(["a", "b", "c"], dtype=object),
            "bytes": [b"a", b"b", b"c"],
            "dt": pd.to_datetime(["2024-01-01", None, "2024-01-03"]),
            "dt_tz": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-03"]).tz_localize("UTC"),
            "cat": pd.Categorical(["x", "y", "x"]),
            "cat_int": pd.Categorical([1, 2, 1]),
            "Int64": pd.array([1, None, 3], dtype="Int64"),
            "boolean": pd.array([True, None, False], dtype="boolean"),
            "Float32": pd.array([1.5, None, 2.5], dtype="Float32"),
            "string": pd.array(["a", None, "c"], dtype="string"),
            "obj_none": pd.Series([None, None, None], dtype=object),
            "obj_num": pd.Series([1, None, 3], dtype=object),
            "obj_bool": pd.Series([True, None, False], dtype=object),
        }
    )


# name -> factory returning (model_input, model_output, params). Factories build fresh
# objects, so neither library sees data the other may have touched.
CORPUS = {
    # pandas
    "df_iris_like": lambda: (
        pd.DataFrame({"sepal length (cm)": [5.1, 4.9], "sepal width (cm)": [3.5, 3.0]}),
        np.array([0, 1]),
        None,
    ),
    "df_every_dtype": lambda: (_frame_of_everything(), None, None),
    "df_int_column_names": lambda: (pd.DataFrame(np.zeros((2, 3))), None, None),
    "df_lists_and_dicts": lambda: (
        pd.DataFrame(
            {
                "ids": [["a", "b"], [], None],
                "nums": [[1.5], [2.5, None], [3.5]],
                "meta": [{"k": "v"}, {"k": "w", "n": 1}, {"n": 2}],
                "nested": [[{"a": [1]}], [{"a": [], "b": "x"}], [{"b": None}]],
            }
        ),
        None,
        None,
    ),
    "df_object_mixed_types": lambda: (pd.DataFrame({"m": [1, "a"]}), None, None),
    "df_timedelta": lambda: (pd.DataFrame({"d": pd.to_timedelta([1, 2], unit="s")}), None, None),
    "df_uint64": lambda: (pd.DataFrame({"u": np.array([1], dtype="uint64")}), None, None),
    "df_empty_rows": lambda: (
        pd.DataFrame({"o": pd.Series([], dtype=object), "f": pd.Series([], dtype=float)}),
        None,
        None,
    ),
    "df_arrow": lambda: (
        pd.DataFrame(
            {
                "i": pd.array([1, 2], dtype="int64[pyarrow]"),
                "s": pd.array(["x", None], dtype="string[pyarrow]"),
            }
        ),
        None,
        None,
    ),
    "series_named": lambda: (pd.Series([1.0, 2.0], name="x"), pd.Series(["a", "b"]), None),
    "series_nan": lambda: (pd.Series([1.0, None], name="x"), None, None),
    "series_of_lists": lambda: (pd.Series([[1, 2], [3]]), None, None),
    # numpy / scipy
    "ndarray_1d_int": lambda: (None, np.array([0, 1, 2]), None),
    "ndarray_2d_float32": lambda: (np.zeros((4, 3), dtype="float32"), np.zeros(4), None),
    "ndarray_3d_bool": lambda: (np.zeros((2, 3, 4), dtype=bool), None, None),
    "ndarray_str_bytes": lambda: (np.array(["ab", "c"]), np.array([b"x", b"yz"]), None),
    "ndarray_datetime_object": lambda: (
        np.array(["2024-01-01"], dtype="datetime64[ns]"),
        np.array([{"a": 1}, None], dtype=object),
        None,
    ),
    "ndarray_empty": lambda: (np.array([]), None, None),
    "ndarray_0d": lambda: (np.array(3.0), None, None),
    "csr_matrix": lambda: (sp.csr_matrix(np.eye(3, dtype="float32")), None, None),
    "csc_matrix": lambda: (sp.csc_matrix(np.eye(2, dtype="int64")), None, None),
    "dict_of_ndarrays": lambda: (
        {"a": np.zeros((2, 3), dtype="float64"), "b": np.array(["x", "y"])},
        {"out": np.array([1, 2], dtype="int32")},
        None,
    ),
    # JSON-like
    "dict_of_json": lambda: (
        {
            "text": "hello",
            "n": 3,
            "x": 1.5,
            "ok": True,
            "tags": ["a", "b"],
            "maybe": None,
            "empty": [],
            "holes": [1, None],
            "conf": {"k": 1, "inner": {"deep": ["z"]}, "none": None, "e": {}},
            "arr": np.array([1, 2]),
            "grid": np.array([[1.0], [2.0]]),
        },
        None,
        None,
    ),
    "dict_empty": lambda: ({}, None, None),
    "dict_non_str_key": lambda: ({1: "a"}, None, None),
    "list_of_dicts": lambda: (
        [
            {"q": "what", "k": 1, "ctx": ["a"], "meta": {"src": "web"}},
            {"q": "why", "ctx": [], "meta": {"src": "db", "page": 2}, "extra": None},
            {"q": "how", "k": 3, "ctx": None, "meta": {}},
        ],
        [{"answer": "x", "score": 0.5}, {"answer": "y", "score": float("nan")}],
        None,
    ),
    "list_of_dicts_nested_lists": lambda: (
        [{"messages": [{"role": "user", "content": "hi"}, {"role": "bot", "content": None}]}],
        [{"choices": [[{"t": 1}], [{"t": 2, "u": "x"}]]}],
        None,
    ),
    "list_of_dicts_mixed": lambda: ([{"a": 1}, {"a": "x"}], None, None),
    "list_of_dicts_timestamp": lambda: ([{"t": pd.Timestamp("2024-01-01")}], None, None),
    "list_of_dicts_datetime": lambda: ([{"t": dt.datetime(2024, 1, 1)}], None, None),
    # lists and scalars
    "list_of_lists": lambda: ([[0, 1]], [1], None),
    "list_of_str": lambda: (["Hello", "World"], ["a", None], None),
    "list_of_none": lambda: ([None, None], [[], []], None),
    "list_empty": lambda: ([], [], None),
    "list_mixed": lambda: ([1, "a"], None, None),
    "list_of_floats_np": lambda: ([np.float32(1), np.float32(2)], [np.int32(1)], None),
    "scalar_int_float": lambda: (1, 2.5, None),
    "scalar_str_bytes": lambda: ("hi", b"raw", None),
    "scalar_bool_datetime": lambda: (True, dt.datetime(2024, 1, 1, 12), None),
    "scalar_date_np_datetime": lambda: (dt.date(2024, 1, 1), np.datetime64("2024-01-01"), None),
    "scalar_numpy": lambda: (np.float32(1.5), np.int32(3), None),
    "scalar_unsupported": lambda: (np.int16(3), pd.Timestamp("2024-01-01"), None),
    "scalar_nan": lambda: (float("nan"), None, None),
    "object_unsupported": lambda: (object(), {1, 2}, None),
    "dataclass_class": lambda: (_Record, _Inner, None),
    "dataclass_instance": lambda: (_Inner(name="a"), None, None),
    # params
    "params_scalars": lambda: (
        ["x"],
        None,
        {
            "num_beams": 5,
            "max_length": 30,
            "temperature": 0.7,
            "do_sample": True,
            "prefix": "Answer:",
            "f32": np.float32(0.5),
            "i32": np.int32(7),
            "i64": np.int64(8),
            "b": np.bool_(False),
        },
    ),
    "params_datetimes": lambda: (
        None,
        None,
        {
            "at": dt.datetime(2024, 1, 2, 3, 4, 5),
            "day": dt.date(2024, 1, 2),
            "np_at": np.datetime64("2024-01-02T03:04:05"),
            "days": [dt.date(2024, 1, 1), dt.date(2024, 1, 2)],
        },
    ),
    "params_lists": lambda: (
        None,
        None,
        {
            "stop": ["\n", "."],
            "ids": [1, 2, 3],
            "weights": [0.5, 1.5],
            "mixed_numbers": [1, 2.5],
            "flags": [True, False],
            "array": np.array([1.0, 2.0], dtype="float32"),
            "empty": [],
        },
    ),
    "params_objects": lambda: (
        None,
        None,
        {
            "config": {"k": 1, "name": "n", "tags": ["a"], "sub": {"x": 1.5}},
            "with_none": {"a": None, "b": True},
        },
    ),
    "params_empty_dict": lambda: ([1.0], None, {}),
}

# Parameters both libraries must refuse.
BAD_PARAMS = {
    "none_value": {"a": None},
    "tuple_value": {"a": (1, 2)},
    "nested_list": {"a": [[1, 2]]},
    "bytes_value": {"a": b"x"},
    "mixed_list": {"a": [1, "x"]},
    "empty_dict_value": {"a": {}},
    "list_with_none": {"a": [1, None]},
    "huge_int": {"a": 2**70},
    "complex_value": {"a": 1j},
    "not_a_dict": [("a", 1)],
    "set_value": {"a": {1, 2}},
}


def _outcome(infer, *args):
    """("ok", signature) or ("error", None) for one inference call."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return "ok", infer(*args)
        except Exception:
            return "error", None


def _assert_same_as_mlflow(make):
    """Infer with both libraries from fresh ``make()`` arguments; assert the same outcome."""
    ours, our_sig = _outcome(workbench.models.infer_signature, *make())
    theirs, their_sig = _outcome(mlflow.models.infer_signature, *make())
    assert ours == theirs
    if ours == "error":
        return None, None
    assert our_sig.to_dict() == their_sig.to_dict()
    return our_sig, their_sig


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_infer_signature_matches_mlflow(name):
    factory = CORPUS[name]
    our_sig, _ = _assert_same_as_mlflow(factory)
    assert our_sig is not None, "every corpus entry infers in both libraries"


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_each_library_reads_the_others_dict(name):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = workbench.models.infer_signature(*CORPUS[name]())
        theirs = mlflow.models.infer_signature(*CORPUS[name]())
    their_dict = theirs.to_dict()
    our_dict = ours.to_dict()

    read_by_us = workbench.models.ModelSignature.from_dict(their_dict)
    assert read_by_us == ours
    assert read_by_us.to_dict() == their_dict

    read_by_mlflow = mlflow.models.ModelSignature.from_dict(our_dict)
    assert read_by_mlflow == theirs
    assert read_by_mlflow.to_dict() == our_dict


@pytest.mark.parametrize("name", sorted(BAD_PARAMS))
def test_bad_params_are_refused_like_mlflow(name):
    params = BAD_PARAMS[name]
    with pytest.raises(mlflow.exceptions.MlflowException):
        mlflow.models.infer_signature(["x"], params=params)
    with pytest.raises(WorkbenchException) as info:
        workbench.models.infer_signature(["x"], params=params)
    assert info.value.error_code == "INVALID_PARAMETER_VALUE"


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(lambda: [_Pet(name="rex")], id="list_of_models"),
        pytest.param(lambda: {"pet": _Pet(name="rex")}, id="dict_of_models"),
        pytest.param(lambda: [{"pet": _Pet(name="rex")}], id="rows_of_models"),
    ],
)
def test_pydantic_data_is_refused_like_mlflow(data):
    with pytest.raises(mlflow.exceptions.MlflowException, match="Pydantic"):
        mlflow.models.infer_signature(data())
    with pytest.raises(WorkbenchException, match="pydantic"):
        workbench.models.infer_signature(data())


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(lambda: _Pet(name="rex"), id="bare_model"),
        pytest.param(lambda: pd.DataFrame({"pet": [_Pet(name="rex")]}), id="frame_of_models"),
    ],
)
def test_pydantic_data_falls_back_to_any_like_mlflow(data):
    # MLflow turns the pydantic refusal into a plain failure on these paths.
    _, their_sig = _assert_same_as_mlflow(lambda: (data(), None, None))
    assert their_sig.to_dict()["inputs"] == '[{"type": "any", "required": true}]'


def test_infer_signature_with_nothing_raises_like_mlflow():
    with pytest.raises(ValueError):
        mlflow.models.infer_signature()
    with pytest.raises(ValueError):
        workbench.models.infer_signature()


def test_hand_built_signatures_match_mlflow():
    from workbench.types import Array, ColSpec, Map, Object, ParamSchema, ParamSpec, Property
    from workbench.types import Schema, TensorSpec

    import mlflow.types.schema as M
    ours = workbench.models.ModelSignature(
        inputs=Schema(
            [
                ColSpec("string", "text"),
                ColSpec(Array(Map("long")), "counts", required=False),
                ColSpec(Object([Property("b", "double"), Property("a", "string", False)]), "o"),
            ]
        ),
        outputs=Schema([TensorSpec(np.dtype("float32"), (-1, 2), "probs")]),
        params=ParamSchema([ParamSpec("k", "long", 3), ParamSpec("stop", "string", ["."], (-1,))]),
    )
    theirs = mlflow.models.ModelSignature(
        inputs=M.Schema(
            [
                M.ColSpec("string", "text"),
                M.ColSpec(M.Array(M.Map("long")), "counts", required=False),
                M.ColSpec(
                    M.Object([M.Property("b", "double"), M.Property("a", "string", False)]), "o"
                ),
            ]
        ),
        outputs=M.Schema([M.TensorSpec(np.dtype("float32"), (-1, 2), "probs")]),
        params=M.ParamSchema(
            [M.ParamSpec("k", "long", 3), M.ParamSpec("stop", "string", ["."], (-1,))]
        ),
    )
    assert ours.to_dict() == theirs.to_dict()
    assert workbench.models.ModelSignature.from_dict(theirs.to_dict()) == ours


# --------------------------------------------------------------------------- hypothesis

_SCALAR_DTYPES = ["int32", "int64", "float32", "float64", "bool", "uint8", "int16"]


@st.composite
def _frames(draw):
    names = draw(
        st.lists(st.text(min_size=1, max_size=6), min_size=1, max_size=5, unique=True)
    )
    columns = []
    for name in names:
        kind = draw(
            st.sampled_from(["numeric", "float_nan", "str", "str_none", "datetime", "lists"])
        )
        if kind == "numeric":
            dtype = draw(st.sampled_from(_SCALAR_DTYPES))
            columns.append(hpd.column(name, dtype=dtype))
        elif kind == "float_nan":
            columns.append(
                hpd.column(
                    name, elements=st.one_of(st.floats(allow_nan=True), st.none()), dtype=float
                )
            )
        elif kind == "str":
            columns.append(hpd.column(name, elements=st.text(max_size=3), dtype=object))
        elif kind == "str_none":
            columns.append(
                hpd.column(name, elements=st.one_of(st.text(max_size=3), st.none()), dtype=object)
            )
        elif kind == "datetime":
            columns.append(
                hpd.column(
                    name,
                    elements=st.one_of(
                        st.datetimes(
                            min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2100, 1, 1)
                        ),
                        st.none(),
                    ),
                    dtype="datetime64[ns]",
                )
            )
        else:
            columns.append(
                hpd.column(
                    name,
                    elements=st.one_of(st.lists(st.integers(-5, 5), max_size=3), st.none()),
                    dtype=object,
                )
            )
    return draw(hpd.data_frames(columns=columns, index=hpd.range_indexes(min_size=1, max_size=6)))


_json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**63), 2**63 - 1),
    st.floats(allow_nan=False),
    st.text(max_size=4),
)
_json_values = st.recursive(
    _json_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.sampled_from(["a", "b", "c"]), inner, max_size=3),
    ),
    max_leaves=8,
)
_rows = st.lists(
    st.dictionaries(st.sampled_from(["x", "y", "z"]), _json_values, max_size=3),
    min_size=1,
    max_size=4,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_frames())
def test_hypothesis_frames_match_mlflow(df):
    _assert_same_as_mlflow(lambda: (df.copy(deep=True), None, None))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_rows)
def test_hypothesis_rows_of_json_match_mlflow(rows):
    import copy

    _assert_same_as_mlflow(lambda: (copy.deepcopy(rows), None, None))


_json_dicts = st.dictionaries(st.sampled_from(["p", "q"]), _json_values, min_size=1, max_size=2)


@settings(max_examples=150, deadline=None)
@given(_json_dicts)
def test_hypothesis_dicts_match_mlflow(value):
    import copy

    _assert_same_as_mlflow(lambda: (copy.deepcopy(value), None, None))


@settings(max_examples=150, deadline=None)
@given(_json_dicts)
def test_hypothesis_params_match_mlflow(value):
    import copy

    # An empty list among scalars is a documented departure (pinned below).
    assume(not _empty_list_among_scalars(value))
    _assert_same_as_mlflow(lambda: (None, None, copy.deepcopy(value)))


def _empty_list_among_scalars(value):
    if isinstance(value, dict):
        return any(_empty_list_among_scalars(v) for v in value.values())
    if isinstance(value, list):
        has_empty = any(isinstance(v, (list, dict)) and len(v) == 0 for v in value)
        has_scalar = any(not isinstance(v, (list, dict)) and v is not None for v in value)
        return (has_empty and has_scalar) or any(_empty_list_among_scalars(v) for v in value)
    return False


@pytest.mark.parametrize("params", [{"p": {"a": [[], False]}}, {"p": {"a": [[], 0.0]}}, {"p": {"a": ["x", []]}}])
def test_empty_list_among_scalars_is_refused(params):
    """MLflow's answer here depends on numpy's coercion of the mix; we refuse it outright."""
    with pytest.raises(WorkbenchException, match="Expected a list of scalars"):
        workbench.models.infer_signature(params=params)


@pytest.mark.parametrize(
    "params",
    [
        {"p": {"a": [None, False]}},
        {"p": {"a": [None, 1.5]}},
        {"p": {"a": ["x", None]}},
    ],
)
def test_object_param_with_none_in_a_list_matches_mlflow(params):
    import copy

    our_sig, _ = _assert_same_as_mlflow(lambda: (None, None, copy.deepcopy(params)))
    assert our_sig is not None


@settings(max_examples=60, deadline=None)
@given(
    hnp.arrays(
        dtype=st.sampled_from(
            [np.dtype(d) for d in ["int32", "int64", "float32", "float64", "bool", "U3", "S2"]]
        ),
        shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=3),
    )
)
def test_hypothesis_arrays_match_mlflow(array):
    _assert_same_as_mlflow(lambda: (array.copy(), None, None))
