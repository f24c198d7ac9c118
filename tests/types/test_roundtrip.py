"""Round trips of random specs through JSON, ours and MLflow's (hypothesis).

Every schema that hypothesis builds must read back from its own JSON to an equal object, and
MLflow must read our JSON and write it back byte for byte.
"""

from __future__ import annotations

import json
import warnings

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    import mlflow.types.schema as ml

from workbench.types import (
    AnyType,
    Array,
    ColSpec,
    DataType,
    ParamSchema,
    ParamSpec,
    Map,
    Object,
    Property,
    Schema,
    TensorSpec,
)

names = st.text(min_size=1, max_size=8)
datatypes = st.sampled_from(list(DataType))


def _objects(children):
    return st.lists(
        st.builds(Property, names, children, st.booleans()),
        min_size=1,
        max_size=4,
        unique_by=lambda p: p.name,
    ).map(Object)


column_types = st.recursive(
    datatypes | st.just(AnyType()),
    lambda children: st.one_of(
        st.builds(Array, children), st.builds(Map, children), _objects(children)
    ),
    max_leaves=8,
)

TENSOR_DTYPES = [
    np.dtype(x)
    for x in ("bool", "int8", "int16", "int32", "int64", "uint8", "uint64", "float16",
              "float32", "float64", "object", "str", "bytes", "datetime64[ns]")
]
shapes = st.lists(st.integers(-1, 64), max_size=4).map(tuple)


@st.composite
def col_schemas(draw):
    n = draw(st.integers(1, 5))
    if draw(st.booleans()):
        col_names = draw(st.lists(names, min_size=n, max_size=n, unique=True))
        cols = [ColSpec(draw(column_types), name, draw(st.booleans())) for name in col_names]
    else:
        cols = [ColSpec(draw(column_types)) for _ in range(n)]
    return Schema(cols)


@st.composite
def tensor_schemas(draw):
    if draw(st.booleans()):
        return Schema([TensorSpec(draw(st.sampled_from(TENSOR_DTYPES)), draw(shapes))])
    tensor_names = draw(st.lists(names, min_size=1, max_size=4, unique=True))
    return Schema(
        [TensorSpec(draw(st.sampled_from(TENSOR_DTYPES)), draw(shapes), n) for n in tensor_names]
    )


schemas = col_schemas() | tensor_schemas()


SETTINGS = settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)


@SETTINGS
@given(schema=schemas)
def test_schema_round_trips_through_json(schema):
    text = schema.to_json()
    assert json.loads(text) == json.loads(json.dumps(schema.to_dict()))
    again = Schema.from_json(text)
    assert again == schema
    assert again.to_json() == text
    assert repr(again) == repr(schema)


@SETTINGS
@given(schema=schemas)
def test_mlflow_reads_our_json_and_writes_it_back_identically(schema):
    text = schema.to_json()
    theirs = ml.Schema.from_json(text)
    assert theirs.to_json() == text
    assert repr(theirs) == repr(schema)
    assert Schema.from_json(theirs.to_json()) == schema


@SETTINGS
@given(dtype=column_types)
def test_merge_with_itself_and_with_any_keeps_the_type(dtype):
    if isinstance(dtype, DataType):
        return
    assert dtype._merge(dtype) == dtype
    merged = dtype._merge(AnyType())
    if isinstance(dtype, Object):
        assert merged == Object([Property(p.name, p.dtype, False) for p in dtype.properties])
    else:
        assert merged == dtype
    assert AnyType()._merge(dtype) == merged


param_specs = st.one_of(
    st.builds(lambda n, v: ParamSpec(n, "long", v), names, st.integers(-(2**63), 2**63 - 1)),
    st.builds(lambda n, v: ParamSpec(n, "double", v), names, st.floats(allow_nan=False)),
    st.builds(lambda n, v: ParamSpec(n, "boolean", v), names, st.booleans()),
    st.builds(lambda n, v: ParamSpec(n, "string", v), names, st.text(max_size=5) | st.none()),
    st.builds(
        lambda n, v: ParamSpec(n, "datetime", v), names,
        st.datetimes(min_value=__import__("datetime").datetime(1900, 1, 1)) | st.dates(),
    ),
    st.builds(
        lambda n, v: ParamSpec(n, "float", v, (-1,)), names,
        st.lists(st.floats(allow_nan=False, width=32), max_size=3),
    ),
)


@SETTINGS
@given(params=st.lists(param_specs, max_size=4, unique_by=lambda p: p.name))
def test_param_schema_round_trips_and_matches_mlflow(params):
    schema = ParamSchema(params)
    text = schema.to_json()
    assert ParamSchema.from_json(text) == schema
    theirs = ml.ParamSchema.from_json(text)
    assert theirs.to_json() == text
    assert ParamSchema.from_json(theirs.to_json()) == schema
