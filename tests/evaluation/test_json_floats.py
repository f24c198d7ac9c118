"""Floats as strict JSON: non-finite values as strings that read back exactly."""

import json
import math

import numpy as np
import pytest

from workbench.evaluation._json_floats import (
    decode_float,
    decode_floats,
    encode_float,
    encode_floats,
)


@pytest.mark.parametrize("value, encoded", [
    (0.1, 0.1), (-2.5, -2.5), (math.inf, "Infinity"), (-math.inf, "-Infinity"),
    (math.nan, "NaN"), (np.float32(0.5), 0.5),
])
def test_encode_float_is_strict_json(value, encoded):
    out = encode_float(value)
    assert out == encoded and type(out) is type(encoded)
    json.dumps(out, allow_nan=False)
    back = decode_float(out)
    assert back == float(value) or (math.isnan(back) and math.isnan(value))


def test_decode_float_reads_none_and_numeric_strings():
    assert math.isnan(decode_float(None))
    assert decode_float("1.25") == 1.25
    assert decode_float(3) == 3.0 and type(decode_float(3)) is float


def test_float_arrays_round_trip_exactly():
    a = np.array([0.1, 1 / 3, np.inf, -np.inf, np.nan, -0.0, 5e-324])
    encoded = encode_floats(a)
    text = json.dumps(encoded, allow_nan=False)
    assert encoded[2:5] == ["Infinity", "-Infinity", "NaN"]
    back = decode_floats(json.loads(text))
    np.testing.assert_array_equal(back, a)
    assert np.signbit(back[5])
    finite = np.array([0.1, 2.0])
    assert encode_floats(finite) == [0.1, 2.0]  # the fast path: plain floats
    assert decode_floats(None).shape == (0,)
    assert encode_floats(np.empty(0)) == []
