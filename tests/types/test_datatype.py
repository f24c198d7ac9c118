import datetime as dt

import numpy as np
import pytest

from workbench.types import DataType


def test_members_values_and_order():
    assert [(t.name, t.value) for t in DataType] == [
        ("boolean", 1), ("integer", 2), ("long", 3), ("float", 4),
        ("double", 5), ("string", 6), ("binary", 7), ("datetime", 8),
    ]
    assert DataType.all_types() == list(DataType)


def test_lookup_by_name_and_value_and_text_forms():
    assert DataType["long"] is DataType.long
    assert DataType(8) is DataType.datetime
    assert str(DataType.long) == "DataType.long"
    assert repr(DataType.long) == "long"
    assert repr([DataType.double, DataType.string]) == "[double, string]"


@pytest.mark.parametrize(
    ("member", "numpy", "pandas", "python"),
    [
        (DataType.boolean, np.dtype("bool"), np.dtype("bool"), bool),
        (DataType.integer, np.dtype("int32"), np.dtype("int32"), int),
        (DataType.long, np.dtype("int64"), np.dtype("int64"), int),
        (DataType.float, np.dtype("float32"), np.dtype("float32"), float),
        (DataType.double, np.dtype("float64"), np.dtype("float64"), float),
        (DataType.string, np.dtype("<U"), object, str),
        (DataType.binary, np.dtype("S"), object, bytes),
        (DataType.datetime, np.dtype("datetime64[ns]"), np.dtype("datetime64[ns]"), dt.date),
    ],
)
def test_conversions(member, numpy, pandas, python):
    assert member.to_numpy() == numpy
    assert member.to_pandas() is pandas or member.to_pandas() == pandas
    assert member.to_python() is python


@pytest.mark.parametrize(
    ("np_type", "expected"),
    [
        (np.dtype("int64"), DataType.long),
        (np.int32, DataType.integer),
        (np.float32, DataType.float),
        (float, DataType.double),
        (bool, DataType.boolean),
        (str, DataType.string),
        (bytes, DataType.binary),
        (np.dtype("datetime64[ns]"), DataType.datetime),
        (np.dtype("datetime64[s]"), None),
        (np.dtype("object"), None),
        (np.dtype("complex64"), None),
        (np.uint8, None),
    ],
)
def test_from_numpy_type(np_type, expected):
    assert DataType.from_numpy_type(np_type) is expected


def test_check_type_is_exact():
    assert DataType.check_type(DataType.long, 1)
    assert DataType.check_type(DataType.long, np.int64(1))
    assert not DataType.check_type(DataType.long, True)
    assert not DataType.check_type(DataType.long, np.int32(1))
    assert DataType.check_type(DataType.integer, np.int32(1))
    assert DataType.check_type(DataType.datetime, dt.datetime(2020, 1, 1))
    assert DataType.check_type(DataType.datetime, np.datetime64("2020-01-01"))
    assert DataType.check_type(DataType.binary, bytearray(b"x"))
    assert not DataType.check_type(DataType.string, b"x")
