"""Property tests for schema enforcement (hypothesis).

1. A DataFrame always fits the signature inferred from it, and enforcing that signature hands
   the model the same values (dtypes may only widen, e.g. datetime64[us] -> [ns]).
2. Whatever arrives (frames, arrays, lists, dicts, scalars, params) against whatever schema,
   enforcement either returns or raises WorkbenchException; nothing else escapes.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from workbench._exceptions import WorkbenchException
from workbench.models import infer_signature, validate_schema
from workbench.models._enforcement import _enforce_params_schema, _enforce_schema
from workbench.types import (
    AnyType,
    Array,
    ColSpec,
    DataType,
    Map,
    Object,
    ParamSchema,
    ParamSpec,
    Property,
    Schema,
    TensorSpec,
)

# WB_EXAMPLES=2000 for a longer hunt; the default keeps the module at a few seconds.
SETTINGS = settings(
    max_examples=int(os.environ.get("WB_EXAMPLES", 120)),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.fixture(autouse=True)
def _quiet():
    logger = logging.getLogger("workbench")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.setLevel(level)


# --------------------------------------------------------------------------- round trip

N_ROWS = st.integers(min_value=1, max_value=8)

_INT_DTYPES = ["int8", "int16", "int32", "int64", "uint8", "uint16", "uint32"]
_text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=6)


def _column(kind: str, n: int):
    if kind in _INT_DTYPES:
        return hnp.arrays(np.dtype(kind), n).map(pd.Series)
    if kind in ("float32", "float64"):
        return hnp.arrays(np.dtype(kind), n, elements=st.floats(width=int(kind[-2:]), allow_infinity=False)).map(pd.Series)
    if kind == "float64-nonan":
        return hnp.arrays(np.float64, n, elements=st.floats(allow_nan=False, allow_infinity=False)).map(pd.Series)
    if kind == "bool":
        return hnp.arrays(np.bool_, n).map(pd.Series)
    if kind == "str":
        return st.lists(_text, min_size=n, max_size=n).map(pd.Series)
    if kind == "datetime":
        stamps = st.datetimes(min_value=dt.datetime(1700, 1, 1), max_value=dt.datetime(2250, 1, 1))
        unit = st.sampled_from(["ns", "us", "s"])
        return st.tuples(st.lists(stamps, min_size=n, max_size=n), unit).map(
            lambda t: pd.Series(pd.to_datetime(t[0])).astype(f"datetime64[{t[1]}]")
        )
    if kind == "str-or-none":
        return st.lists(st.one_of(st.none(), _text), min_size=n, max_size=n).filter(
            lambda v: any(x is not None for x in v)
        ).map(lambda v: pd.Series(v, dtype=object))
    if kind == "bool-or-none":
        return st.lists(st.one_of(st.none(), st.booleans()), min_size=n, max_size=n).filter(
            lambda v: any(x is not None for x in v)
        ).map(lambda v: pd.Series(v, dtype=object))
    raise AssertionError(kind)


_KINDS = _INT_DTYPES + ["float32", "float64", "float64-nonan", "bool", "str", "datetime",
                        "str-or-none", "bool-or-none"]


@st.composite
def frames(draw):
    n = draw(N_ROWS)
    kinds = draw(st.lists(st.sampled_from(_KINDS), min_size=1, max_size=6))
    return pd.DataFrame({f"c{i}_{k}": draw(_column(k, n)) for i, k in enumerate(kinds)})


def _same_values(before: pd.Series, after: pd.Series) -> None:
    if before.dtype.kind == "M":
        before = before.astype("datetime64[ns]")
    if isinstance(after.dtype, np.dtype) and after.dtype.kind in "iuf" and before.dtype != after.dtype:
        # a safe widening: every value must survive exactly
        assert np.array_equal(before.to_numpy(dtype=np.float64), after.to_numpy(dtype=np.float64), equal_nan=True)
        return
    # an object column of plain booleans is read as bool (infer_objects, as MLflow does)
    pd.testing.assert_series_equal(before, after, check_names=False,
                                   check_dtype=before.dtype != object)


@SETTINGS
@given(frames())
def test_a_frame_fits_the_signature_inferred_from_it(df):
    schema = infer_signature(df).inputs
    validate_schema(df, schema)
    out = _enforce_schema(df, schema)
    assert list(out.columns) == list(df.columns)
    assert out.index.equals(df.index)
    for name in df.columns:
        _same_values(df[name], out[name])


@SETTINGS
@given(frames(), st.data())
def test_column_order_and_extra_columns_do_not_matter(df, data):
    schema = infer_signature(df).inputs
    shuffled = df[data.draw(st.permutations(list(df.columns)))].assign(extra_col=1)
    out = _enforce_schema(shuffled, schema)
    assert list(out.columns) == list(df.columns)


@SETTINGS
@given(hnp.arrays(st.sampled_from([np.dtype(t) for t in ["float32", "float64", "int32", "int64", "bool"]]),
                  hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4)))
def test_an_array_fits_its_own_tensor_spec(array):
    spec = TensorSpec(array.dtype, (-1, *array.shape[1:]))
    out = _enforce_schema(array, Schema([spec]))
    assert out is array


@SETTINGS
@given(st.lists(st.integers(-(2**31), 2**31 - 1), min_size=1, max_size=6))
def test_whole_floats_reach_an_int_tensor_unchanged(values):
    df = pd.DataFrame({"x": np.array(values, dtype=np.float64)})
    out = _enforce_schema(df, Schema([TensorSpec(np.dtype("int32"), (-1,))]))
    assert out.tolist() == values


# --------------------------------------------------------------------------- only WorkbenchException

_DATATYPES = list(DataType)


def _types(depth: int = 2):
    base = st.sampled_from(_DATATYPES)
    if depth == 0:
        return st.one_of(base, st.just(AnyType()))
    inner = _types(depth - 1)
    return st.one_of(
        base,
        st.just(AnyType()),
        inner.map(Array),
        inner.map(Map),
        st.lists(st.tuples(st.sampled_from(["x", "y", "z"]), inner, st.booleans()),
                 min_size=1, max_size=3, unique_by=lambda t: t[0]).map(
            lambda props: Object([Property(n, t, required=r) for n, t, r in props])
        ),
    )


_NAMES = st.sampled_from(["a", "b", "c", "x", "y"])


@st.composite
def schemas(draw):
    if draw(st.booleans()):
        n = draw(st.integers(1, 3))
        named = draw(st.booleans())
        names = draw(st.lists(_NAMES, min_size=n, max_size=n, unique=True))
        return Schema([
            ColSpec(draw(_types()), names[i] if named else None,
                    required=draw(st.booleans()) if named else True)
            for i in range(n)
        ])
    dtype = np.dtype(draw(st.sampled_from(["float32", "float64", "int32", "int64", "bool", "object", "str", "bytes"])))
    shape = draw(st.lists(st.sampled_from([-1, 1, 2, 3]), min_size=1, max_size=3))
    if draw(st.booleans()):
        names = draw(st.lists(_NAMES, min_size=1, max_size=2, unique=True))
        return Schema([TensorSpec(dtype, tuple(shape), name) for name in names])
    return Schema([TensorSpec(dtype, tuple(shape))])


_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(), _text, st.binary(max_size=4),
    st.datetimes(), st.dates(), st.just(np.nan), st.just(pd.NA), st.just(pd.NaT),
    st.sampled_from([np.int32(3), np.float32(1.5), np.int64(2**40), np.uint64(2**63), np.bool_(True),
                     np.datetime64("2020-01-01"), np.str_("s"), "2020-01-01", "abc", "1.5"]),
)
_values = st.recursive(
    _scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.one_of(_NAMES, st.integers(0, 2)), inner, max_size=3),
    ),
    max_leaves=8,
)


@st.composite
def inputs(draw):
    kind = draw(st.sampled_from(["frame", "array", "list", "dict", "scalar", "series", "sparse", "rows"]))
    n = draw(st.integers(0, 4))
    if kind == "frame":
        cols = draw(st.lists(st.one_of(_NAMES, st.integers(0, 2)), max_size=4))
        return pd.DataFrame({c: draw(st.lists(_values, min_size=n, max_size=n)) for c in cols})
    if kind == "series":
        return pd.Series(draw(st.lists(_values, min_size=n, max_size=n)), dtype=object,
                         name=draw(st.one_of(st.none(), _NAMES)))
    if kind == "array":
        dtype = draw(st.sampled_from(["float64", "float32", "int64", "int32", "bool", "U3", "object"]))
        shape = draw(hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=3))
        if dtype == "object":
            return np.array(draw(st.lists(_values, min_size=2, max_size=2)) + [None], dtype=object)
        return draw(hnp.arrays(np.dtype(dtype), shape))
    if kind == "list":
        return draw(st.lists(_values, max_size=4))
    if kind == "rows":
        return draw(st.lists(st.dictionaries(_NAMES, _values, max_size=3), max_size=3))
    if kind == "dict":
        return draw(st.dictionaries(_NAMES, st.one_of(
            _values, hnp.arrays(np.float64, st.integers(0, 3)), hnp.arrays(np.int64, (2, 2))), max_size=3))
    if kind == "sparse":
        from scipy.sparse import csc_matrix, csr_matrix

        maker = draw(st.sampled_from([csr_matrix, csc_matrix]))
        return maker(draw(hnp.arrays(np.float64, (2, 3))))
    return draw(_values)


def _only_workbench_exceptions(call, *args):
    try:
        call(*args)
    except WorkbenchException:
        pass


@SETTINGS
@given(inputs(), schemas())
def test_nothing_but_workbench_exception_escapes(data, schema):
    _only_workbench_exceptions(_enforce_schema, data, schema)
    _only_workbench_exceptions(validate_schema, data, schema)


_ODD_COLUMNS = [
    lambda n: pd.array(([1, None] * n)[:n], dtype="Int64"),
    lambda n: pd.array(([1, 2] * n)[:n], dtype="Int32"),
    lambda n: pd.array(([True, None] * n)[:n], dtype="boolean"),
    lambda n: pd.array(([0.5, None] * n)[:n], dtype="Float64"),
    lambda n: pd.Categorical((["x", "y"] * n)[:n]),
    lambda n: pd.Series(pd.date_range("2020-01-01", periods=n, tz="UTC")),
    lambda n: pd.Series(pd.timedelta_range("1s", periods=n)),
    lambda n: pd.Series(np.arange(n) + 1j),
    lambda n: pd.Series(([2**63, 1] * n)[:n], dtype=object),
    lambda n: pd.Series(([dt.date(2020, 1, 1), "x"] * n)[:n], dtype=object),
    lambda n: pd.Series(([{"x": 1}, [1]] * n)[:n], dtype=object),
    lambda n: pd.Series(np.array(["a", "b"] * n)[:n].astype("S")),
    lambda n: pd.Series(([np.nan, float("inf")] * n)[:n]),
    lambda n: pd.Series(pd.period_range("2020-01", periods=n, freq="M")),
]


@st.composite
def odd_frames(draw):
    n = draw(st.integers(1, 4))
    picks = draw(st.lists(st.sampled_from(range(len(_ODD_COLUMNS))), min_size=1, max_size=3))
    df = pd.DataFrame({name: _ODD_COLUMNS[i](n) for name, i in zip(["a", "b", "c"], picks)})
    if draw(st.booleans()):
        df.columns = [0, 1, 2][: len(df.columns)]
    return df


@SETTINGS
@given(st.one_of(frames(), odd_frames()), schemas())
def test_typed_frames_against_random_schemas(df, schema):
    _only_workbench_exceptions(_enforce_schema, df, schema)


_PARAM_SCHEMA = ParamSchema([
    ParamSpec("b", DataType.boolean, True),
    ParamSpec("i", DataType.integer, 1),
    ParamSpec("l", DataType.long, 1),
    ParamSpec("f", DataType.float, 0.5),
    ParamSpec("d", DataType.double, 0.5),
    ParamSpec("s", DataType.string, "x"),
    ParamSpec("t", DataType.datetime, None),
    ParamSpec("arr", DataType.long, [1], (-1,)),
    ParamSpec("o", Object([Property("x", DataType.long)]), {"x": 1}),
])


@SETTINGS
@given(st.one_of(st.none(), _values,
                 st.dictionaries(st.sampled_from(["b", "i", "l", "f", "d", "s", "t", "arr", "o", "zz", 3]),
                                 _values, max_size=5)),
       st.sampled_from([None, _PARAM_SCHEMA, "not a schema"]))
def test_params_raise_only_workbench_exception(params, schema):
    _only_workbench_exceptions(_enforce_params_schema, params, schema)


@SETTINGS
@given(st.one_of(frames(), odd_frames()), st.data())
def test_frames_against_schemas_naming_their_columns(df, data):
    names = list(df.columns)
    if data.draw(st.booleans()):
        specs = [ColSpec(data.draw(_types(1)), name if isinstance(name, str) else None,
                         required=True) for name in names]
        if not all(isinstance(name, str) for name in names):
            specs = [ColSpec(s.type) for s in specs]
        schema = Schema(specs)
    else:
        dtype = np.dtype(data.draw(st.sampled_from(["float32", "float64", "int32", "int64", "bool", "object", "str", "datetime64[ns]"])))
        shape = data.draw(st.sampled_from([(-1,), (-1, 1), (-1, len(names)), (-1, 2, 2)]))
        schema = Schema([TensorSpec(dtype, shape)])
    _only_workbench_exceptions(_enforce_schema, df, schema)


_plain_lists = st.one_of(
    st.lists(st.integers(-(2**64), 2**64), min_size=1, max_size=5),
    st.lists(st.integers(0, 1), min_size=1, max_size=5),
    st.lists(st.floats(), min_size=1, max_size=5),
    st.lists(st.booleans(), min_size=1, max_size=5),
    st.lists(_text, min_size=1, max_size=5),
    st.lists(st.one_of(st.integers(-5, 5), st.floats(), st.booleans(), st.none()), min_size=1, max_size=5),
)


def _decide(call):
    try:
        return True, call()
    except WorkbenchException as err:
        return False, err.message


@SETTINGS
@given(_plain_lists, st.sampled_from(list(DataType)))
def test_the_plain_list_fast_path_decides_as_the_general_path(values, dtype):
    import workbench.models._enforce_nested as nested

    fast = _decide(lambda: nested.enforce_value(list(values), Array(dtype)))
    original = nested._accept_plain_list
    nested._accept_plain_list = lambda data, target: None
    try:
        slow = _decide(lambda: nested.enforce_value(list(values), Array(dtype)))
    finally:
        nested._accept_plain_list = original
    assert fast[0] == slow[0]
    if fast[0]:
        assert fast[1] == slow[1] or (
            # NaN != NaN: compare element by element
            len(fast[1]) == len(slow[1])
            and all(a == b or (a != a and b != b) for a, b in zip(fast[1], slow[1]))
        )
        assert [type(v) for v in fast[1]] == [type(v) for v in slow[1]]
