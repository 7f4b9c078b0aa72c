"""map.* functions, checked against dict comprehensions and Python sets."""

from __future__ import annotations

import base64

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pfa.avro.data import encode_binary
from pfa.avro.types import BOOLEAN, INT, NULL, STRING, AvroArray, AvroMap, AvroUnion
from pfa.check.signatures import FcnType
from tests.lib.helpers import call, fn, raises

MI, MS, AI = AvroMap(INT), AvroMap(STRING), AvroArray(INT)
LT = FcnType((INT, INT), BOOLEAN)
maps = st.dictionaries(st.sampled_from("abcdef"), st.integers(-3, 3), max_size=6)
int_sets = st.lists(st.integers(-4, 4), max_size=6)


def lt(x, y):
    return x < y


def test_basic_access():
    m = {"a": 1, "b": 2}
    assert call("map.len", m) == 2
    assert call("map.len", {}, types=[MI]) == 0
    assert sorted(call("map.keys", m)) == ["a", "b"]
    assert sorted(call("map.values", m)) == [1, 2]
    assert call("map.containsKey", m, "a") is True
    assert call("map.containsKey", m, "z") is False
    assert call("map.containsKey", m, lambda k: k > "a", types=[MI, FcnType((STRING,), BOOLEAN)])
    assert call("map.containsValue", m, 2) is True
    assert call("map.containsValue", m, 3) is False
    assert call("map.containsValue", m, lambda v: v > 1,
                types=[MI, FcnType((INT,), BOOLEAN)]) is True


def test_manipulation():
    m = {"a": 1, "b": 2}
    assert call("map.add", m, "c", 3) == {"a": 1, "b": 2, "c": 3}
    assert call("map.add", m, "a", 9) == {"a": 9, "b": 2}
    assert m == {"a": 1, "b": 2}
    assert call("map.remove", m, "a") == {"b": 2}
    assert call("map.remove", m, "z") == m
    assert call("map.only", m, ["a", "z"]) == {"a": 1}
    assert call("map.except", m, ["a", "z"]) == {"b": 2}
    assert call("map.update", m, {"b": 5, "c": 6}) == {"a": 1, "b": 5, "c": 6}
    parts = call("map.split", m)
    assert sorted(parts, key=lambda d: list(d)) == [{"a": 1}, {"b": 2}]
    assert call("map.join", [{"a": 1}, {"a": 2, "b": 3}]) == {"a": 2, "b": 3}
    assert call("map.join", [], types=[AvroArray(MI)]) == {}


@given(maps, maps)
def test_manipulation_matches_dicts(a, b):
    assert call("map.update", a, b, types=[MI, MI]) == {**a, **b}
    assert call("map.join", [a, b], types=[AvroArray(MI)]) == {**a, **b}
    assert call("map.only", a, list(b), types=[MI, AvroArray(STRING)]) == {
        k: v for k, v in a.items() if k in b}
    assert call("map.except", a, list(b), types=[MI, AvroArray(STRING)]) == {
        k: v for k, v in a.items() if k not in b}
    assert call("map.split", a, types=[MI]) == [{k: v} for k, v in a.items()]


@given(maps.filter(bool), st.integers(0, 7))
def test_argmax_family_matches_sorting(m, n):
    by_max = sorted(m, key=lambda k: (-m[k], k))
    by_min = sorted(m, key=lambda k: (m[k], k))
    assert call("map.argmax", m, types=[MI]) == by_max[0]
    assert call("map.argmin", m, types=[MI]) == by_min[0]
    assert call("map.argmaxLT", m, lt, types=[MI, LT]) == by_max[0]
    assert call("map.argminLT", m, lt, types=[MI, LT]) == by_min[0]
    assert call("map.argmaxN", m, n, types=[MI, INT]) == by_max[:n]
    assert call("map.argminN", m, n, types=[MI, INT]) == by_min[:n]
    assert call("map.argmaxNLT", m, n, lt, types=[MI, INT, LT]) == by_max[:n]
    assert call("map.argminNLT", m, n, lt, types=[MI, INT, LT]) == by_min[:n]


@pytest.mark.parametrize(("name", "code", "with_lt", "with_n"), [
    ("map.argmax", 26120, False, False), ("map.argmin", 26130, False, False),
    ("map.argmaxLT", 26140, True, False), ("map.argminLT", 26150, True, False),
    ("map.argmaxN", 26160, False, True), ("map.argminN", 26170, False, True),
    ("map.argmaxNLT", 26180, True, True), ("map.argminNLT", 26190, True, True),
])
def test_argmax_error_codes(name, code, with_lt, with_n):
    types = [MI] + ([INT] if with_n else []) + ([LT] if with_lt else [])
    f = fn(name, *types)
    extra = ([1] if with_n else []) + ([lt] if with_lt else [])
    raises(code, f, {}, *extra)
    if with_n:
        raises(code + 1, f, {"a": 1}, -1, *extra[1:])


def key(t, x):
    return base64.b64encode(encode_binary(t, x)).decode()


def test_sets_use_base64_avro_keys():
    s = call("map.toset", [1, 2, 2])
    assert s == {key(INT, 1): 1, key(INT, 2): 2}
    assert key(INT, 1) == "Ag=="             # zig-zag varint 1 -> 0x02
    assert call("map.in", s, 2) is True
    assert call("map.in", s, 3) is False
    assert call("map.add", s, 3, types=[MI, INT]) == {**s, key(INT, 3): 3}
    assert sorted(call("map.fromset", s)) == [1, 2]
    rec = AvroArray(AvroUnion((NULL, STRING)))
    assert call("map.toset", [None, "x"], types=[rec]) == {"AA==": None, "AgJ4": "x"}


@given(int_sets, int_sets)
def test_set_operations_match_python_sets(a, b):
    sa, sb = (call("map.toset", x, types=[AI]) for x in (a, b))

    def values(s):
        return set(call("map.fromset", s, types=[MI]))

    assert values(call("map.union", sa, sb, types=[MI, MI])) == set(a) | set(b)
    assert values(call("map.intersection", sa, sb, types=[MI, MI])) == set(a) & set(b)
    assert values(call("map.diff", sa, sb, types=[MI, MI])) == set(a) - set(b)
    assert values(call("map.symdiff", sa, sb, types=[MI, MI])) == set(a) ^ set(b)
    assert call("map.subset", sa, sb, types=[MI, MI]) == (set(a) <= set(b))
    assert call("map.disjoint", sa, sb, types=[MI, MI]) == set(a).isdisjoint(b)


def test_functional_family():
    m = {"a": 1, "b": 2, "c": 3}
    ii = FcnType((INT,), INT)
    assert call("map.map", m, lambda v: v * 10, types=[MI, ii]) == {"a": 10, "b": 20, "c": 30}
    assert call("map.mapWithKey", m, lambda k, v: k * v,
                types=[MI, FcnType((STRING, INT), STRING)]) == {"a": "a", "b": "bb", "c": "ccc"}
    assert call("map.filter", m, lambda v: v > 1, types=[MI, FcnType((INT,), BOOLEAN)]) == {
        "b": 2, "c": 3}
    assert call("map.filterWithKey", m, lambda k, v: k != "b",
                types=[MI, FcnType((STRING, INT), BOOLEAN)]) == {"a": 1, "c": 3}
    opt = AvroUnion((INT, NULL))
    assert call("map.filterMap", m, lambda v: v * 2 if v != 2 else None,
                types=[MI, FcnType((INT,), opt)]) == {"a": 2, "c": 6}
    assert call("map.filterMapWithKey", m, lambda k, v: None if k == "a" else v,
                types=[MI, FcnType((STRING, INT), opt)]) == {"b": 2, "c": 3}
    assert call("map.flatMap", {"x": 1, "y": 2}, lambda v: {str(v): v, "same": v},
                types=[MI, FcnType((INT,), MI)]) == {"1": 1, "2": 2, "same": 2}
    assert call("map.flatMapWithKey", {"x": 1}, lambda k, v: {k + k: v},
                types=[MI, FcnType((STRING, INT), MI)]) == {"xx": 1}


@given(maps)
def test_map_filter_match_comprehensions(m):
    assert call("map.map", m, lambda v: v + 1, types=[MI, FcnType((INT,), INT)]) == {
        k: v + 1 for k, v in m.items()}
    assert call("map.filter", m, lambda v: v > 0, types=[MI, FcnType((INT,), BOOLEAN)]) == {
        k: v for k, v in m.items() if v > 0}


def test_zipmap_and_corresponds():
    a, b = {"x": 1, "y": 2}, {"y": 20, "x": 10}
    f2 = FcnType((INT, INT), INT)
    assert call("map.zipmap", a, b, lambda p, q: p + q, types=[MI, MI, f2]) == {"x": 11, "y": 22}
    f3 = FcnType((INT, INT, INT), INT)
    assert call("map.zipmap", a, b, a, lambda *r: sum(r), types=[MI, MI, MI, f3]) == {
        "x": 12, "y": 24}
    f4 = FcnType((INT, INT, INT, INT), INT)
    assert call("map.zipmap", a, b, a, b, lambda *r: sum(r), types=[MI] * 4 + [f4]) == {
        "x": 22, "y": 44}
    raises(26370, fn("map.zipmap", MI, MI, f2), a, {"x": 1}, lambda p, q: 0)
    raises(26370, fn("map.zipmap", MI, MI, MI, f3), a, b, {"x": 1, "z": 2}, lambda *r: 0)
    g = FcnType((STRING, INT, INT), STRING)
    assert call("map.zipmapWithKey", a, b, lambda k, p, q: f"{k}{p}{q}", types=[MI, MI, g]) == {
        "x": "x110", "y": "y220"}
    raises(26380, fn("map.zipmapWithKey", MI, MI, g), a, {}, lambda k, p, q: "")
    rel = FcnType((INT, INT), BOOLEAN)
    assert call("map.corresponds", a, b, lambda p, q: q == 10 * p, types=[MI, MI, rel]) is True
    assert call("map.corresponds", a, {"x": 10}, lambda p, q: True, types=[MI, MI, rel]) is False
    rel_k = FcnType((STRING, INT, INT), BOOLEAN)
    assert call("map.correspondsWithKey", a, b, lambda k, p, q: k in "xy",
                types=[MI, MI, rel_k]) is True
    assert call("map.correspondsWithKey", a, b, lambda k, p, q: k == "x",
                types=[MI, MI, rel_k]) is False
