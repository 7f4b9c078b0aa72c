"""Tests of cast.* (expected values from numpy, fastavro, json and hand computation)."""

from __future__ import annotations

import io
import json
import math
from fractions import Fraction

import fastavro
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pfa.avro.types import (
    BOOLEAN,
    DOUBLE,
    FLOAT,
    INT,
    LONG,
    NULL,
    STRING,
    AvroArray,
    AvroEnum,
    AvroField,
    AvroMap,
    AvroRecord,
    AvroUnion,
)
from tests.lib.helpers import call, fn, raises

I64 = st.integers(-(2**63), 2**63 - 1)


@given(x=I64, bits=st.integers(2, 64))
def test_signed_matches_numpy_truncation(x, bits):
    u = x & ((1 << bits) - 1)
    expected = u - (1 << bits) if u >= 1 << (bits - 1) else u
    assert call("cast.signed", x, bits, types=(LONG, INT)) == expected
    if bits == 8:
        assert expected == int(np.array([x], dtype=np.int64).astype(np.int8)[0])


@given(x=I64, bits=st.integers(1, 63))
def test_unsigned(x, bits):
    got = call("cast.unsigned", x, bits, types=(LONG, INT))
    assert 0 <= got < 2**bits and (got - x) % 2**bits == 0
    if bits == 16:
        assert got == int(np.array([x], dtype=np.int64).astype(np.uint16)[0])


def test_signed_unsigned_errors():
    for bits in (1, 0, 65):
        raises(17000, fn("cast.signed", LONG, INT), 5, bits)
    for bits in (0, 64, -1):
        raises(17010, fn("cast.unsigned", LONG, INT), 5, bits)
    assert call("cast.signed", -1, 64, types=(LONG, INT)) == -1
    assert call("cast.unsigned", -1, 63, types=(LONG, INT)) == 2**63 - 1


def test_int_and_long_casts():
    assert call("cast.int", 7) == 7
    assert call("cast.int", 2**31 - 1, types=(LONG,)) == 2**31 - 1
    raises(17020, fn("cast.int", LONG), 2**31)
    assert call("cast.int", 2.5) == 3
    assert call("cast.int", -2.5) == -2
    assert call("cast.int", 2.4, types=(FLOAT,)) == 2
    raises(17020, fn("cast.int", DOUBLE), 2147483647.5)
    raises(17020, fn("cast.int", DOUBLE), math.nan)
    raises(17020, fn("cast.int", FLOAT), -math.inf)
    assert call("cast.long", 5) == 5
    assert call("cast.long", 1e18) == 10**18
    raises(17030, fn("cast.long", DOUBLE), 9.3e18)
    raises(17030, fn("cast.long", FLOAT), math.nan)


@given(x=I64)
def test_float_cast_of_integers_is_correctly_rounded(x):
    got = call("cast.float", x, types=(LONG,))
    lo = float(np.nextafter(np.float32(got), np.float32(-np.inf)))
    hi = float(np.nextafter(np.float32(got), np.float32(np.inf)))
    assert abs(Fraction(got) - x) <= abs(Fraction(lo) - x)
    assert abs(Fraction(got) - x) <= abs(Fraction(hi) - x)


def test_float_and_double_casts():
    assert call("cast.float", 0.1) == float(np.float32(0.1))
    assert call("cast.float", 1e39) == math.inf
    assert call("cast.float", 2**24 + 1, types=(INT,)) == 2**24
    assert call("cast.double", 3) == 3.0 and isinstance(call("cast.double", 3), float)
    assert call("cast.double", 0.5, types=(FLOAT,)) == 0.5


FANOUTS = {"cast.fanoutBoolean": (False, True, 17060), "cast.fanoutInt": (0, 1, 17070),
           "cast.fanoutLong": (0, 1, 17080), "cast.fanoutFloat": (0.0, 1.0, 17090),
           "cast.fanoutDouble": (0.0, 1.0, 17100)}
COLOR = AvroEnum("Color", ["red", "green", "blue"])


@pytest.mark.parametrize("name", FANOUTS)
def test_fanouts(name):
    z, o, code = FANOUTS[name]
    assert call(name, "green", types=(COLOR,)) == [z, o, z]
    d = ["a", "b", "c"]
    assert call(name, "b", d, False, types=(STRING, AvroArray(STRING), BOOLEAN)) == [z, o, z]
    assert call(name, "b", d, True, types=(STRING, AvroArray(STRING), BOOLEAN)) == [z, o, z, z]
    assert call(name, "q", d, True, types=(STRING, AvroArray(STRING), BOOLEAN)) == [z, z, z, o]
    assert call(name, "q", d, False, types=(STRING, AvroArray(STRING), BOOLEAN)) == [z, z, z]
    raises(code, fn(name, STRING, AvroArray(STRING), BOOLEAN), "a", ["a", "b", "a"], True)
    assert call(name, 12, 10, 14, False) == [z, z, o, z]
    assert call(name, 14, 10, 14, True) == [z, z, z, z, o]
    assert call(name, 9, 10, 14, False) == [z, z, z, z]
    got = call(name, 10, 10, 12, True)
    assert got == [o, z, z] and all(type(v) is type(z) for v in got)


REC = AvroRecord("P", [AvroField("name", STRING), AvroField("w", AvroUnion((NULL, DOUBLE))),
                       AvroField("tags", AvroMap(INT))])


def fastavro_bytes(t, value):
    out = io.BytesIO()
    fastavro.schemaless_writer(out, fastavro.parse_schema(t.to_json()), value)
    return out.getvalue()


def test_cast_avro_matches_fastavro():
    value = {"name": "x", "w": 2.5, "tags": {"k": 3}}
    assert call("cast.avro", value, types=(REC,)) == fastavro_bytes(REC, value)
    assert call("cast.avro", 1) == b"\x02"  # zig-zag varint
    assert call("cast.avro", -1, types=(LONG,)) == b"\x01"
    assert call("cast.avro", "hi") == b"\x04hi"
    assert call("cast.avro", 1.0, types=(FLOAT,)) == np.float32(1.0).tobytes()


def test_cast_json():
    value = {"name": "x", "w": 2.5, "tags": {"k": 3}}
    text = call("cast.json", value, types=(REC,))
    assert json.loads(text) == {"name": "x", "w": {"double": 2.5}, "tags": {"k": 3}}
    assert " " not in text
    assert call("cast.json", None, types=(AvroUnion((NULL, DOUBLE)),)) == "null"
    assert call("cast.json", [1, 2]) == "[1,2]"
    assert call("cast.json", "red", types=(COLOR,)) == '"red"'
