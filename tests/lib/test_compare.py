"""Tests of the Avro sort order comparators (pfa.lib._compare)."""

from __future__ import annotations

import functools
import math

from hypothesis import given, settings
from hypothesis import strategies as st

from pfa.avro.types import (
    BOOLEAN,
    BYTES,
    DOUBLE,
    INT,
    NULL,
    STRING,
    AvroArray,
    AvroEnum,
    AvroField,
    AvroFixed,
    AvroMap,
    AvroRecord,
    AvroUnion,
)
from pfa.lib._compare import branch_index, compare_for, key_for
from tests.avro.strategies import avro_types, values_of
from tests.lib.helpers import call

COLOR = AvroEnum("Color", ["red", "green", "blue"])


def test_enum_by_symbol_position_not_name():
    cmp = compare_for(COLOR)
    assert cmp("red", "green") == -1  # "red" > "green" alphabetically, but comes first
    assert cmp("blue", "green") == 1
    assert cmp("blue", "blue") == 0
    assert call("<", "red", "blue", types=(COLOR, COLOR)) is True


def test_fixed_by_unsigned_bytes():
    cmp = compare_for(AvroFixed("F", 2))
    assert cmp(b"\x00\xff", b"\x01\x00") == -1
    assert cmp(b"\xff\x00", b"\x7f\xff") == 1


def test_record_field_orders():
    rec = AvroRecord("R", [
        AvroField("a", INT),
        AvroField("b", STRING, order="descending"),
        AvroField("c", DOUBLE, order="ignore"),
        AvroField("d", INT, order="ascending"),
    ])
    cmp = compare_for(rec)
    assert cmp({"a": 1, "b": "x", "c": 0.0, "d": 0}, {"a": 2, "b": "a", "c": 0.0, "d": 0}) == -1
    assert cmp({"a": 1, "b": "x", "c": 0.0, "d": 0}, {"a": 1, "b": "a", "c": 0.0, "d": 0}) == -1
    assert cmp({"a": 1, "b": "x", "c": 5.0, "d": 0}, {"a": 1, "b": "x", "c": 0.0, "d": 0}) == 0
    assert cmp({"a": 1, "b": "x", "c": 5.0, "d": 1}, {"a": 1, "b": "x", "c": 0.0, "d": 0}) == 1


def test_recursive_record():
    tree = AvroRecord("Tree", [])
    tree.set_fields([AvroField("v", INT), AvroField("kids", AvroArray(tree))])
    cmp = compare_for(tree)
    leaf1 = {"v": 1, "kids": []}
    leaf2 = {"v": 2, "kids": []}
    assert cmp({"v": 0, "kids": [leaf1]}, {"v": 0, "kids": [leaf2]}) == -1
    assert cmp({"v": 0, "kids": [leaf1, leaf1]}, {"v": 0, "kids": [leaf1]}) == 1


def test_union_by_branch_then_value():
    u = AvroUnion((NULL, INT, STRING))
    cmp = compare_for(u)
    assert cmp(None, -100) == -1
    assert cmp(100, "a") == -1
    assert cmp("b", "a") == 1
    assert cmp(3, 3) == 0
    assert branch_index(u, "x") == 2
    u2 = AvroUnion((STRING, COLOR))
    assert branch_index(u2, "red") == 0  # a plain string fits the first branch


def test_maps_compare_as_sorted_items():
    cmp = compare_for(AvroMap(INT))
    assert cmp({"a": 1, "b": 2}, {"b": 2, "a": 1}) == 0
    assert cmp({"a": 1}, {"a": 2}) == -1
    assert cmp({"a": 1}, {"b": 0}) == -1
    assert cmp({"a": 1}, {"a": 1, "b": 0}) == -1


def test_primitives():
    assert compare_for(NULL)(None, None) == 0
    assert compare_for(BOOLEAN)(True, False) == 1
    assert compare_for(BYTES)(b"ab", b"abc") == -1
    assert compare_for(STRING)("\U0001f600", "\uffff") == 1  # code points, not UTF-16 units
    dbl = compare_for(DOUBLE)
    assert dbl(math.nan, math.nan) == 0
    assert dbl(math.nan, math.inf) == 1
    assert dbl(-0.0, 0.0) == 0


@given(st.lists(st.lists(st.integers(-5, 5), max_size=4), max_size=8))
def test_arrays_order_like_python_lists(xs):
    assert sorted(xs, key=key_for(AvroArray(INT))) == sorted(xs)


def _sign(n: int) -> int:
    return (n > 0) - (n < 0)


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_comparator_is_a_total_order(data):
    t = data.draw(avro_types(max_depth=2))
    values = data.draw(st.lists(values_of(t, max_depth=2), min_size=1, max_size=6))
    cmp = compare_for(t)
    for a in values:
        assert cmp(a, a) == 0
        for b in values:
            assert cmp(a, b) == -cmp(b, a)
            for c in values:
                if cmp(a, b) <= 0 and cmp(b, c) <= 0:
                    assert cmp(a, c) <= 0
    ordered = sorted(values, key=functools.cmp_to_key(cmp))
    for a, b in zip(ordered, ordered[1:]):
        assert cmp(a, b) <= 0
