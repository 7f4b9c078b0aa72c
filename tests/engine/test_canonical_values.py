"""``canonical_checker`` (pfa.avro.data), the one test of "is v an engine value of type t":
every engine value of a type passes; nothing passes that ``validate`` refuses; host forms
that ``validate`` accepts but the engine does not use (ints for doubles, tuples, non-string
map keys) fail, so they go through the input contract."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from pfa.avro.data import canonical_checker, conforms
from pfa.avro.types import parse_type
from tests.avro.strategies import avro_types, values_of


@settings(max_examples=150)
@given(st.data())
def test_every_engine_value_is_canonical(data: st.DataObject) -> None:
    t = data.draw(avro_types(max_depth=3))
    v = data.draw(values_of(t))
    assert canonical_checker(t)(v)
    assert conforms(t, v)


@settings(max_examples=200)
@given(st.data())
def test_canonical_implies_valid(data: st.DataObject) -> None:
    t = data.draw(avro_types(max_depth=2, prefix="A"))
    other = data.draw(avro_types(max_depth=2, prefix="B"))
    v = data.draw(values_of(other))
    if canonical_checker(t)(v):
        assert conforms(t, v)


def _check(schema: Any, value: Any) -> bool:
    return canonical_checker(parse_type(schema))(value)


def test_host_forms_are_not_canonical() -> None:
    assert conforms(parse_type("double"), 1) and not _check("double", 1)
    assert not _check({"type": "array", "items": "double"}, (1.0,))
    assert not _check({"type": "map", "values": "double"}, {1: 2.0})
    assert not _check({"type": "map", "values": {"type": "array", "items": "int"}}, {1: [2]})
    assert not _check("int", 2**31) and _check("long", 2**31)
    assert not _check("boolean", 1) and not _check("int", True)
    record = {"type": "record", "name": "R", "fields": [{"name": "a", "type": "int"}]}
    assert _check(record, {"a": 1})
    assert not _check(record, {"a": 1, "b": 2}) and not _check(record, {"b": 1})
