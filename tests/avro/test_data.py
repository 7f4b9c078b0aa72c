"""Avro data: JSON decoding/encoding, validation and binary (fastavro) round trips."""

from __future__ import annotations

import io
import json
import math

import fastavro
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from strategies import avro_types, values_equal, values_of

from pfa.avro.data import (
    conforms,
    decode_binary,
    decode_json,
    encode_binary,
    encode_json,
    from_json_text,
    read_avro_file,
    to_float32,
    to_json_text,
    union_branch,
    validate,
    write_avro_file,
)
from pfa.avro.types import (
    BOOLEAN,
    BYTES,
    DOUBLE,
    FLOAT,
    INT,
    LONG,
    NULL,
    STRING,
    AvroArray,
    AvroMap,
    parse_type,
)
from pfa.errors import AvroDataError

HYPOTHESIS = settings(max_examples=200, deadline=None,
                      suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

POINT = parse_type({"type": "record", "name": "Point", "namespace": "geo", "fields": [
    {"name": "x", "type": "double"},
    {"name": "y", "type": "double", "default": 0},
    {"name": "label", "type": ["null", "string"], "default": None}]})
COLOR = parse_type({"type": "enum", "name": "Color", "symbols": ["RED", "GREEN", "BLUE"]})
HASH = parse_type({"type": "fixed", "name": "Hash", "namespace": "h", "size": 3})
EVERYTHING = parse_type({"type": "record", "name": "All", "fields": [
    {"name": "n", "type": "null"}, {"name": "b", "type": "boolean"},
    {"name": "i", "type": "int"}, {"name": "l", "type": "long"},
    {"name": "f", "type": "float"}, {"name": "d", "type": "double"},
    {"name": "s", "type": "string"}, {"name": "by", "type": "bytes"},
    {"name": "fx", "type": {"type": "fixed", "name": "F2", "size": 2}},
    {"name": "e", "type": {"type": "enum", "name": "E", "symbols": ["A", "B"]}},
    {"name": "a", "type": {"type": "array", "items": "int"}},
    {"name": "m", "type": {"type": "map", "values": ["null", "E", "double"]}},
    {"name": "u", "type": ["null", "All"]}]})
EVERYTHING_JSON = {
    "n": None, "b": True, "i": -7, "l": 2**40, "f": 0.1, "d": "-Infinity", "s": "héllo",
    "by": "\u0000\u00ff A", "fx": "\u0001\u0002", "e": "B", "a": [1, 2, 3],
    "m": {"x": None, "y": {"E": "A"}, "z": {"double": "NaN"}},
    "u": {"All": {"n": None, "b": False, "i": 0, "l": 0, "f": 1.5, "d": 2.5, "s": "",
                  "by": "", "fx": "ab", "e": "A", "a": [], "m": {}, "u": None}}}
EVERYTHING_VALUE = {
    "n": None, "b": True, "i": -7, "l": 2**40, "f": to_float32(0.1), "d": -math.inf,
    "s": "héllo", "by": b"\x00\xff A", "fx": b"\x01\x02", "e": "B", "a": [1, 2, 3],
    "m": {"x": None, "y": "A", "z": math.nan},
    "u": {"n": None, "b": False, "i": 0, "l": 0, "f": 1.5, "d": 2.5, "s": "", "by": b"",
          "fx": b"ab", "e": "A", "a": [], "m": {}, "u": None}}


# ---------------------------------------------------------------------------------------------
# decode_json
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("t, obj, expected", [
    (NULL, None, None),
    (BOOLEAN, False, False),
    (INT, 2**31 - 1, 2**31 - 1),
    (INT, -(2**31), -(2**31)),
    (LONG, 2**63 - 1, 2**63 - 1),
    (LONG, -(2**63), -(2**63)),
    (DOUBLE, 3, 3.0),
    (DOUBLE, 0.1, 0.1),
    (FLOAT, 0.1, 0.10000000149011612),
    (FLOAT, 1e39, math.inf),                       # beyond float32: rounds to infinity
    (FLOAT, -1e39, -math.inf),
    (FLOAT, 3.4028234663852886e38, 3.4028234663852886e38),
    (DOUBLE, "Infinity", math.inf),
    (DOUBLE, "-Infinity", -math.inf),
    (FLOAT, "inf", math.inf),
    (DOUBLE, "-inf", -math.inf),
    (DOUBLE, math.inf, math.inf),
    (STRING, "ünï", "ünï"),
    (BYTES, "", b""),
    (BYTES, "\u0000\u007f\u0080\u00ff", b"\x00\x7f\x80\xff"),
    (HASH, "abc", b"abc"),
    (COLOR, "GREEN", "GREEN"),
    (AvroArray(LONG), [1, 2], [1, 2]),
    (AvroMap(FLOAT), {"a": 0.5, "@": "line 3"}, {"a": 0.5}),
    (parse_type(["null", "int"]), None, None),
    (parse_type(["null", "int"]), {"int": 5}, 5),
    (parse_type(["null", HASH.to_json()]), {"h.Hash": "xyz"}, b"xyz"),
    (parse_type(["null", HASH.to_json()]), {"Hash": "xyz"}, b"xyz"),    # short name
    (parse_type(["string", {"type": "array", "items": "int"}]), {"array": [1]}, [1]),
    (parse_type(["int", "string"]), {"@": "x", "string": "s"}, "s"),
])
def test_decode(t, obj, expected):
    assert decode_json(t, obj) == expected


@pytest.mark.parametrize("token", ["NaN", "nan", math.nan])
def test_decode_nan(token):
    assert math.isnan(decode_json(DOUBLE, token))
    assert math.isnan(decode_json(FLOAT, token))


def test_decode_every_type_at_once():
    assert values_equal(decode_json(EVERYTHING, EVERYTHING_JSON), EVERYTHING_VALUE)


def test_decode_record_defaults_and_locators():
    assert decode_json(POINT, {"@": "line 7", "x": 1}) == {"x": 1.0, "y": 0.0, "label": None}
    assert decode_json(POINT, {"x": 1, "label": {"string": "a"}})["label"] == "a"


def test_union_default_may_be_untagged_or_tagged():
    t = parse_type({"type": "record", "name": "R", "fields": [
        {"name": "a", "type": ["int", "null"], "default": 3},
        {"name": "b", "type": ["null", "int"], "default": {"int": 4}},
        {"name": "c", "type": {"type": "array", "items": "int"}, "default": [1]}]})
    assert decode_json(t, {}) == {"a": 3, "b": 4, "c": [1]}


@pytest.mark.parametrize("t, obj, path, words", [
    (NULL, 0, "$", "expected null"),
    (BOOLEAN, 1, "$", "expected boolean"),
    (INT, True, "$", "expected int"),
    (INT, 1.0, "$", "expected int"),
    (INT, 2**31, "$", "out of range for int"),
    (INT, -(2**31) - 1, "$", "out of range for int"),
    (LONG, 2**63, "$", "out of range for long"),
    (DOUBLE, "1.5", "$", "expected double"),
    (DOUBLE, None, "$", "expected double"),
    (DOUBLE, 10**400, "$", "too large"),
    (STRING, b"x", "$", "expected string"),
    (BYTES, "\u0100", "$", "code point 256"),
    (BYTES, 5, "$", "expected bytes"),
    (HASH, "ab", "$", "needs 3 bytes, found 2"),
    (COLOR, "PINK", "$", "enum Color"),
    (AvroArray(INT), [1, "2"], "$[1]", "expected int"),
    (AvroArray(INT), {"a": 1}, "$", "expected array"),
    (AvroMap(INT), {"ok": 1, "not ok": "x"}, '$["not ok"]', "expected int"),
    (AvroMap(INT), [1], "$", "expected map"),
    (POINT, {"y": 1}, "$", "missing field 'x'"),
    (POINT, {"x": 1, "z": 2}, "$", "no field 'z'"),
    (POINT, {"x": 1, "label": "plain"}, "$.label", "union"),
    (POINT, {"x": 1, "label": {"bytes": "a"}}, "$.label", "no branch named 'bytes'"),
    (POINT, {"x": 1, "label": {"string": "a", "null": None}}, "$.label", "union"),
    (POINT, {"x": 1, "label": {"string": 3}}, "$.label.string", "expected string"),
    (POINT, [1, 2], "$", "record geo.Point"),
    (parse_type(["int", "string"]), None, "$", "null is not a branch"),
    (parse_type({"type": "array", "items": {"type": "map", "values": ["null", "int"]}}),
     [{}, {"k": {"int": 2**40}}], "$[1].k.int", "out of range"),
])
def test_decode_errors(t, obj, path, words):
    with pytest.raises(AvroDataError) as err:
        decode_json(t, obj)
    assert err.value.path == path
    assert words in err.value.message


def test_ambiguous_short_name_is_refused():
    t = parse_type([{"type": "fixed", "name": "a.F", "size": 1},
                    {"type": "fixed", "name": "b.F", "size": 1}])
    assert decode_json(t, {"b.F": "x"}) == b"x"
    with pytest.raises(AvroDataError):
        decode_json(t, {"F": "x"})


# ---------------------------------------------------------------------------------------------
# encode_json and text helpers
# ---------------------------------------------------------------------------------------------

def test_encode_every_type_at_once():
    out = encode_json(EVERYTHING, EVERYTHING_VALUE)
    expected = dict(EVERYTHING_JSON, f=to_float32(0.1), d="-Infinity")
    assert out == expected


@pytest.mark.parametrize("value, expected", [
    (math.nan, "NaN"), (math.inf, "Infinity"), (-math.inf, "-Infinity"), (2, 2.0), (-0.0, -0.0),
])
def test_encode_floats(value, expected):
    out = encode_json(DOUBLE, value)
    assert out == expected and type(out) is type(expected)


@pytest.mark.parametrize("schema, value, expected", [
    (["null", "int"], None, None),
    (["null", "int"], 3, {"int": 3}),
    (["int", "long"], 2**40, {"long": 2**40}),
    (["float", "double"], 0.5, {"float": 0.5}),
    (["float", "double"], 0.1, {"double": 0.1}),           # 0.1 is not a float32
    (["double", "int"], 3, {"int": 3}),                    # an int stays an int
    (["double", "string"], 3, {"double": 3.0}),
    ([{"type": "enum", "name": "E", "symbols": ["A"]}, "string"], "A", {"E": "A"}),
    ([{"type": "enum", "name": "E", "symbols": ["A"]}, "string"], "B", {"string": "B"}),
    ([{"type": "fixed", "name": "n.F", "size": 1}, "bytes"], b"xy", {"bytes": "xy"}),
    ([{"type": "fixed", "name": "n.F", "size": 1}, "bytes"], b"x", {"n.F": "x"}),
    ([{"type": "record", "name": "A", "fields": [{"name": "a", "type": "int"}]},
      {"type": "record", "name": "B", "fields": [{"name": "b", "type": "int"}]}],
     {"b": 1}, {"B": {"b": 1}}),
    ([{"type": "record", "name": "A", "fields": [{"name": "a", "type": "int"}]},
      {"type": "record", "name": "B", "fields": [{"name": "a", "type": "long"}]}],
     {"a": 2**40}, {"B": {"a": 2**40}}),
])
def test_encode_unions(schema, value, expected):
    t = parse_type(schema)
    assert encode_json(t, value) == expected
    assert decode_json(t, expected) == value


def test_encode_refuses_bad_values():
    with pytest.raises(AvroDataError) as err:
        encode_json(POINT, {"x": 1.0, "y": "2", "label": None})
    assert err.value.path == "$.y"


def test_json_text_is_compact_and_deterministic():
    t = AvroMap(parse_type(["null", "float", "bytes"]))
    v1 = {"b": math.nan, "a": b"\xff", "c": None}
    v2 = {"c": None, "a": b"\xff", "b": math.nan}
    text = to_json_text(t, v1)
    assert text == to_json_text(t, v2) == '{"a":{"bytes":"ÿ"},"b":{"float":"NaN"},"c":null}'
    assert values_equal(from_json_text(t, text), v1)


def test_from_json_text_accepts_bare_nonfinite_tokens():
    assert from_json_text(AvroArray(DOUBLE), "[NaN, Infinity, -Infinity, 1]")[1:] \
        == [math.inf, -math.inf, 1.0]


def test_from_json_text_malformed():
    with pytest.raises(AvroDataError, match="not valid JSON"):
        from_json_text(INT, "[1,")


# ---------------------------------------------------------------------------------------------
# validate / conforms
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("t, value, ok", [
    (NULL, None, True), (NULL, 0, False),
    (BOOLEAN, True, True), (BOOLEAN, 1, False),
    (INT, 5, True), (INT, True, False), (INT, 5.0, False), (INT, 2**31, False),
    (LONG, 2**31, True), (LONG, 2**63, False),
    (FLOAT, 1, True), (FLOAT, 0.1, True), (FLOAT, False, False), (DOUBLE, "1", False),
    (STRING, "s", True), (STRING, b"s", False),
    (BYTES, b"", True), (BYTES, "", False), (BYTES, bytearray(b"x"), False),
    (HASH, b"abc", True), (HASH, b"ab", False), (HASH, "abc", False),
    (COLOR, "RED", True), (COLOR, "red", False),
    (AvroArray(INT), [1, 2], True), (AvroArray(INT), [1, None], False), (AvroArray(INT), 1, False),
    (AvroMap(INT), {"a": 1}, True), (AvroMap(INT), {1: 1}, False), (AvroMap(INT), [], False),
    (POINT, {"x": 1.0, "y": 2.0, "label": None}, True),
    (POINT, {"x": 1.0, "y": 2.0, "label": "a"}, True),
    (POINT, {"x": 1.0, "y": 2.0}, False),                           # defaults are not implied
    (POINT, {"x": 1.0, "y": 2.0, "label": None, "z": 0}, False),   # exactly the fields
    (POINT, {"x": 1.0, "y": 2.0, "label": 3}, False),
    (parse_type(["null", "int"]), None, True), (parse_type(["null", "int"]), "a", False),
])
def test_conforms(t, value, ok):
    assert conforms(t, value) is ok


@pytest.mark.parametrize("t, value, path, words", [
    (EVERYTHING, dict(EVERYTHING_VALUE, a=[1, 2**31]), "$.a[1]", "out of range"),
    (EVERYTHING, dict(EVERYTHING_VALUE, m={"k": "C"}), "$.m.k", "one of"),
    (EVERYTHING, dict(EVERYTHING_VALUE, u=dict(EVERYTHING_VALUE["u"], fx=b"x")), "$.u",
     "one of"),
    (POINT, {"x": 1.0, "y": 2.0, "label": None, "z": 0}, "$", "no field 'z'"),
    (POINT, {"x": 1.0, "label": None}, "$", "missing field 'y'"),
    (AvroMap(INT), {"a b": None}, '$["a b"]', "expected int, found NoneType"),
])
def test_validate_errors(t, value, path, words):
    with pytest.raises(AvroDataError) as err:
        validate(t, value)
    assert err.value.path == path and words in err.value.message


def test_validate_accepts_a_good_value():
    validate(EVERYTHING, EVERYTHING_VALUE)


def test_union_branch():
    t = parse_type(["null", "int", "double"])
    assert union_branch(t, None) is NULL
    assert union_branch(t, 1) is INT
    assert union_branch(t, 1.0) is DOUBLE
    with pytest.raises(AvroDataError):
        union_branch(t, "x")


# ---------------------------------------------------------------------------------------------
# binary through fastavro
# ---------------------------------------------------------------------------------------------

def test_binary_round_trip_of_every_type():
    data = encode_binary(EVERYTHING, EVERYTHING_VALUE)
    assert values_equal(decode_binary(EVERYTHING, data), EVERYTHING_VALUE)


def test_binary_is_standard_avro():
    assert encode_binary(INT, 1) == b"\x02"
    assert encode_binary(parse_type(["null", "string"]), "a") == b"\x02\x02a"
    t = parse_type(["float", "double"])
    assert encode_binary(t, 0.1)[0] == 2                     # the double branch (index 1)
    schema = fastavro.parse_schema(POINT.to_json())
    value = {"x": 1.0, "y": 2.0, "label": "p"}
    out = io.BytesIO()
    fastavro.schemaless_writer(out, schema, value)
    assert encode_binary(POINT, value) == out.getvalue()


def test_binary_records_in_unions_keep_their_branch():
    t = parse_type([{"type": "record", "name": "A", "fields": [{"name": "a", "type": "int"}]},
                    {"type": "record", "name": "B", "fields": [{"name": "a", "type": "long"}]}])
    assert encode_binary(t, {"a": 1})[0] == 0
    assert encode_binary(t, {"a": 2**40})[0] == 2
    assert decode_binary(t, encode_binary(t, {"a": 2**40})) == {"a": 2**40}


def test_binary_float_is_float32():
    assert decode_binary(FLOAT, encode_binary(FLOAT, 0.1)) == to_float32(0.1)


def test_binary_errors():
    with pytest.raises(AvroDataError) as err:
        encode_binary(POINT, {"x": "1", "y": 2.0, "label": None})
    assert err.value.path == "$.x"
    with pytest.raises(AvroDataError, match="malformed"):
        decode_binary(STRING, b"\x10ab")
    with pytest.raises(AvroDataError, match="unread bytes"):
        decode_binary(INT, b"\x02\x02")


def test_binary_ignores_tagged_union_defaults():
    t = parse_type({"type": "record", "name": "R", "fields": [
        {"name": "b", "type": ["null", "int"], "default": {"int": 4}}]})
    assert decode_binary(t, encode_binary(t, {"b": 4})) == {"b": 4}


@pytest.mark.parametrize("codec", ["null", "deflate"])
def test_avro_container_file(codec):
    values = [EVERYTHING_VALUE, dict(EVERYTHING_VALUE, u=None, l=-1)]
    buf = io.BytesIO()
    write_avro_file(EVERYTHING, values, buf, codec=codec)
    buf.seek(0)
    t, it = read_avro_file(buf)
    assert t == EVERYTHING
    read = list(it)
    assert len(read) == 2 and all(values_equal(a, b) for a, b in zip(read, values))
    buf.seek(0)
    assert len(list(fastavro.reader(buf))) == 2              # readable by fastavro itself


def test_avro_container_file_rejects_bad_values():
    with pytest.raises(AvroDataError) as err:
        write_avro_file(INT, [1, "two"], io.BytesIO())
    assert err.value.path == "$[1]"


def test_read_file_written_by_fastavro():
    schema = {"type": "record", "name": "R", "fields": [
        {"name": "e", "type": {"type": "enum", "name": "E", "symbols": ["X", "Y"]}},
        {"name": "u", "type": ["null", "R"]}]}
    buf = io.BytesIO()
    fastavro.writer(buf, fastavro.parse_schema(schema),
                    [{"e": "Y", "u": {"e": "X", "u": None}}])
    buf.seek(0)
    t, it = read_avro_file(buf)
    assert t == parse_type(schema)
    assert list(it) == [{"e": "Y", "u": {"e": "X", "u": None}}]


# ---------------------------------------------------------------------------------------------
# round trips over generated types and values
# ---------------------------------------------------------------------------------------------

@st.composite
def typed_values(draw, max_depth: int = 3):
    t = draw(avro_types(max_depth=max_depth))
    return t, draw(values_of(t))


@HYPOTHESIS
@given(typed_values())
def test_generated_values_conform(tv):
    t, v = tv
    validate(t, v)


@HYPOTHESIS
@given(typed_values())
def test_json_round_trip(tv):
    t, v = tv
    assert values_equal(decode_json(t, encode_json(t, v)), v)
    text = to_json_text(t, v)
    assert values_equal(from_json_text(t, text), v)
    assert json.loads(text) == json.loads(to_json_text(t, from_json_text(t, text)))


@HYPOTHESIS
@given(typed_values())
def test_binary_round_trip(tv):
    t, v = tv
    try:
        data = encode_binary(t, v)
    except AvroDataError as err:  # the one schema fastavro cannot express (tested below)
        assume("fastavro cannot resolve" not in err.message)
        raise
    assert values_equal(decode_binary(t, data), v)


def test_binary_null_namespace_reference_from_a_namespace():
    t = parse_type(["null", {"type": "fixed", "name": "F", "size": 1},
                    {"type": "record", "name": "R", "namespace": "ns",
                     "fields": [{"name": "x", "type": "F"}]}])
    assert decode_json(t, {"ns.R": {"x": "a"}}) == {"x": b"a"}     # JSON is fine
    with pytest.raises(AvroDataError, match="fastavro cannot resolve"):
        encode_binary(t, None)
    with pytest.raises(AvroDataError, match="fastavro cannot resolve"):
        write_avro_file(t, [None], io.BytesIO())


def test_binary_type_escaping_a_namespace():
    t = parse_type({"type": "array", "items": [
        "long", {"type": "record", "name": "R", "namespace": "n", "fields": [
            {"name": "e", "type": {"type": "enum", "name": "E", "namespace": "",
                                   "symbols": ["h"]}}]}, "E"]})
    values = [[1, {"e": "h"}, "h"]]
    assert decode_binary(t, encode_binary(t, values[0])) == values[0]
    buf = io.BytesIO()
    write_avro_file(t, values, buf)
    buf.seek(0)
    read_type, it = read_avro_file(buf)
    assert read_type == t and list(it) == values
