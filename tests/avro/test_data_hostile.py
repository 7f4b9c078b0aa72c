"""Hostile data for the Avro JSON decoder (issue #10): no generated code, and limits that
end as AvroDataError instead of RecursionError / ValueError."""

from __future__ import annotations

import io
import tokenize
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import avro_types, values_equal, values_of

import pfa
from pfa.avro import data as D
from pfa.avro.data import decode_json, encode_json, load_json_text, validate
from pfa.avro.types import parse_type
from pfa.errors import AvroDataError

PFA_DIR = Path(pfa.__file__).parent


def test_no_exec_or_eval_anywhere_in_pfa():
    """No code of the package calls ``exec``/``eval`` (or ``compile`` on source text): a
    document is compiled to closures, never to text that is executed."""
    calls = []
    for path in sorted(PFA_DIR.rglob("*.py")):
        tokens = list(tokenize.generate_tokens(io.StringIO(path.read_text()).readline))
        for i, tok in enumerate(tokens[:-1]):
            prev = tokens[i - 1].string if i else ""
            if (tok.type == tokenize.NAME and tok.string in ("exec", "eval", "compile")
                    and tokens[i + 1].string == "(" and prev not in (".", "def")):
                calls.append(f"{path.relative_to(PFA_DIR)}:{tok.start[0]}: {tok.string}(")
    assert calls == []


# --- the record decoder built from closures ---------------------------------------------------

def record_of(n: int, field_type: object = ["null", "double"]) -> object:
    return parse_type({"type": "record", "name": "R", "fields": [
        {"name": f"f{i}", "type": field_type} for i in range(n)]})


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 41), st.data())
def test_record_decoder_any_width(n, data):
    """Records of every width (all group sizes of the field writers) decode like the
    reference decoder, in field order."""
    t = record_of(n)
    value = data.draw(values_of(t))
    obj = encode_json(t, value)
    out = D._compiled(t)(obj)
    assert values_equal(out, value) and list(out) == [f"f{i}" for i in range(n)]
    assert values_equal(out, D._decode(t, obj, "$"))


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_compiled_decoder_matches_the_reference(data):
    t = data.draw(avro_types(max_depth=3))
    value = data.draw(values_of(t))
    obj = encode_json(t, value)
    assert values_equal(D._compiled(t)(obj), D._decode(t, obj, "$"))


@pytest.mark.parametrize("obj, message", [
    ({"f0": None, "f1": None}, "missing field 'f2'"),
    ({"f0": None, "f1": None, "f2": None, "zz": 1}, "no field 'zz'"),
    ({"f0": None, "f1": None, "x": None}, "missing field 'f2'"),
    ({"f0": None, "f1": {"double": "x"}, "f2": None}, "$.f1.double"),
])
def test_record_refusals_keep_their_message(obj, message):
    with pytest.raises(AvroDataError) as info:
        decode_json(record_of(3), obj)
    assert message in str(info.value)


def test_recursive_record():
    t = parse_type({"type": "record", "name": "L", "fields": [
        {"name": "v", "type": "int"}, {"name": "next", "type": ["null", "L"]}]})
    obj = {"v": 1, "next": {"L": {"v": 2, "next": None}}}
    assert decode_json(t, obj) == {"v": 1, "next": {"v": 2, "next": None}}


def test_python_keywords_and_odd_names_as_fields():
    names = ["class", "def", "None", "__import__", "_d0", "general", "obj"]
    t = parse_type({"type": "record", "name": "K", "fields": [
        {"name": n, "type": "int"} for n in names]})
    obj = {n: i for i, n in enumerate(names)}
    assert decode_json(t, obj) == obj


# --- limits -----------------------------------------------------------------------------------

def nested_list(depth: int) -> list:
    x: list = []
    for _ in range(depth):
        x = [x]
    return x


def test_deeply_nested_value_is_an_avro_error():
    t = parse_type({"type": "array", "items": {"type": "array", "items": "double"}})
    with pytest.raises(AvroDataError):
        decode_json(t, nested_list(100_000))
    with pytest.raises(AvroDataError):
        validate(t, nested_list(100_000))


def test_deep_json_text_is_an_avro_error():
    with pytest.raises(AvroDataError, match="nested too deeply"):
        load_json_text("[" * 100_000 + "]" * 100_000)


@pytest.mark.parametrize("t", ["long", "int", "double", "float", "string"])
def test_integers_beyond_python_digit_limit(t):
    with pytest.raises(AvroDataError, match=r"an integer of about 5000 digits"):
        decode_json(parse_type(t), 10**4999)
    with pytest.raises(AvroDataError, match="4,300 digits"):
        load_json_text("9" * 5000)


@pytest.mark.parametrize("text", [b"\xff\xfe", b'"\xc3"', "{", "[1,]"])
def test_malformed_json_text(text):
    with pytest.raises(AvroDataError, match="not valid JSON"):
        load_json_text(text)
