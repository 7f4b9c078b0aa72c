"""model.tree.*: predicates and walks on hand-traced and random trees."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pfa.avro.types import BOOLEAN, NULL, AvroArray, AvroType, AvroUnion, TypeParser
from pfa.check.signatures import FcnType
from tests.lib.helpers import fn, raises

FIELDS = [{"name": "x", "type": "double"}, {"name": "n", "type": "int"},
          {"name": "s", "type": "string"}, {"name": "m", "type": ["null", "double"]},
          {"name": "e", "type": {"type": "enum", "name": "Color",
                                 "symbols": ["red", "green", "blue"]}}]
DATUM = {"x": 1.5, "n": 3, "s": "hello", "m": None, "e": "green"}


def types(value_type: object, leaf: object = "string", extra: tuple = ()) -> dict[str, AvroType]:
    p = TypeParser()
    d = p.parse({"type": "record", "name": "Datum", "fields": FIELDS})
    f = {"type": "enum", "name": "Fields", "symbols": ["x", "n", "s", "m", "e"]}
    t = p.parse({"type": "record", "name": "Cmp", "fields": [
        {"name": "field", "type": f}, {"name": "operator", "type": "string"},
        {"name": "value", "type": value_type}]})
    node = p.parse({"type": "record", "name": "Node", "fields": [
        {"name": "field", "type": "Fields"}, {"name": "operator", "type": "string"},
        {"name": "value", "type": value_type},
        {"name": "pass", "type": ["Node", leaf]}, {"name": "fail", "type": ["Node", leaf]},
        *extra]})
    return {"D": d, "T": t, "N": node}


def simple_test(value_type: object, missing: bool = False):
    ts = types(value_type)
    name = "model.tree.missingTest" if missing else "model.tree.simpleTest"
    f = fn(name, ts["D"], ts["T"])
    return lambda field, op, value: f(DATUM, {"field": field, "operator": op, "value": value})


def test_simple_test_numeric():
    t = simple_test("double")
    assert t("x", "<", 2.0) and t("x", "<=", 1.5) and not t("x", ">", 1.5)
    assert t("x", ">=", 1.5) and t("x", "==", 1.5) and t("x", "!=", 2.0)
    assert t("n", "<", 3.5) and t("n", "==", 3.0)  # int field against double value
    assert t("x", "alwaysTrue", 0.0) and not t("x", "alwaysFalse", 0.0)
    assert t("m", "isMissing", 0.0) and not t("m", "notMissing", 0.0)
    assert t("x", "notMissing", 0.0)
    raises(32000, t, "x", "<>", 1.0)
    raises(32000, t, "x", "lt", 1.0)
    raises(32001, t, "s", "<", 1.0)  # string field, double value
    raises(32001, t, "m", "<", 1.0)  # nullable field: not a number for simpleTest
    raises(32001, t, "x", "in", 1.0)


def test_simple_test_other_types():
    s = simple_test("string")
    assert s("s", "==", "hello") and s("s", "<", "world") and not s("s", ">", "world")
    raises(32001, s, "x", "<", "a")
    arr = simple_test({"type": "array", "items": "double"})
    assert arr("x", "in", [1.0, 1.5]) and arr("x", "notIn", [2.0])
    assert arr("n", "in", [3.0])  # int field accepted by array of double
    raises(32001, arr, "s", "in", [1.0])
    u = simple_test(["double", "string", {"type": "array", "items": "string"}])
    assert u("x", "<", 2.0) and u("s", "==", "hello") and u("s", "in", ["a", "hello"])
    raises(32001, u, "x", "<", "text")  # union value holding a non-number
    e = simple_test("Color")
    assert e("e", ">", "red") and e("e", "<", "blue") and e("e", "==", "green")


def test_missing_test():
    t = simple_test("double", missing=True)
    assert t("m", "<", 1.0) is None
    assert t("m", "alwaysTrue", 1.0) is True
    assert t("x", "<", 2.0) is True and t("x", ">", 2.0) is False
    raises(32010, t, "x", "isMissing", 1.0)
    raises(32011, t, "s", "<", 1.0)
    arr = simple_test({"type": "array", "items": "double"}, missing=True)
    assert arr("m", "in", [1.0]) is None and arr("x", "in", [1.5]) is True


def test_compound_and_surrogate():
    ts = types("double")
    comps = [{"field": "x", "operator": "<", "value": 2.0},
             {"field": "n", "operator": ">", "value": 5.0},
             {"field": "x", "operator": ">", "value": 0.0}]
    test = fn("model.tree.simpleTest", ts["D"], ts["T"])
    calls = []

    def counting(d, c):
        calls.append(c)
        return test(d, c)
    ftype = FcnType((ts["D"], ts["T"]), BOOLEAN)
    compound = fn("model.tree.compoundTest", ts["D"], ts["D"], AvroArray(ts["T"]), ftype)
    assert compound(DATUM, "and", comps, counting) is False and len(calls) == 2
    calls.clear()
    assert compound(DATUM, "or", comps, counting) is True and len(calls) == 1
    calls.clear()
    assert compound(DATUM, "xor", comps, counting) is False and len(calls) == 3
    assert compound(DATUM, "xor", comps[:2], test) is True
    assert compound(DATUM, "and", [], test) is True and compound(DATUM, "or", [], test) is False
    raises(32020, compound, DATUM, "nand", comps, test)

    missing = fn("model.tree.missingTest", ts["D"], ts["T"])
    surrogate = fn("model.tree.surrogateTest", ts["D"], AvroArray(ts["T"]),
                   FcnType((ts["D"], ts["T"]), AvroUnion((NULL, BOOLEAN))))
    chain = [{"field": "m", "operator": "<", "value": 1.0},
             {"field": "x", "operator": ">", "value": 9.0}]
    assert surrogate(DATUM, chain, missing) is False
    raises(32030, surrogate, DATUM, chain[:1], missing)


def leaf_tree():
    """x < 2 ? (s == "hello" ? "A" : "B") : (n > 1 ? "C" : "D")."""
    inner = {"field": "s", "operator": "==", "value": "hello", "pass": "A", "fail": "B"}
    right = {"field": "n", "operator": ">", "value": 1, "pass": "C", "fail": "D"}
    return {"field": "x", "operator": "<", "value": 2.0, "pass": inner, "fail": right}


@pytest.mark.parametrize("datum,expect", [
    ({**DATUM, "x": 1.0, "s": "hello"}, "A"),
    ({**DATUM, "x": 1.0, "s": "bye"}, "B"),
    ({**DATUM, "x": 5.0, "n": 4}, "C"),
    ({**DATUM, "x": 5.0, "n": 0}, "D"),
])
def test_simple_tree_and_walk(datum, expect):
    ts = types(["double", "int", "string"])
    tree = leaf_tree()
    assert fn("model.tree.simpleTree", ts["D"], ts["N"])(datum, tree) == expect
    test = fn("model.tree.simpleTest", ts["D"], ts["N"])
    walk = fn("model.tree.simpleWalk", ts["D"], ts["N"], FcnType((ts["D"], ts["N"]), BOOLEAN))
    assert walk(datum, tree, test) == expect


def test_simple_tree_errors():
    ts = types("double")
    tree = fn("model.tree.simpleTree", ts["D"], ts["N"])
    raises(32060, tree, DATUM, {"field": "x", "operator": "~", "value": 1.0,
                                "pass": "a", "fail": "b"})
    raises(32061, tree, DATUM, {"field": "s", "operator": "<", "value": 1.0,
                                "pass": "a", "fail": "b"})


def test_walk_with_record_leaves():
    """Leaves that are records themselves: told apart from nodes by their field names."""
    p = TypeParser()
    d = p.parse({"type": "record", "name": "D", "fields": [{"name": "x", "type": "double"}]})
    node = p.parse({"type": "record", "name": "N", "fields": [
        {"name": "cut", "type": "double"},
        {"name": "pass", "type": ["N", {"type": "record", "name": "Leaf",
                                        "fields": [{"name": "score", "type": "double"}]}]},
        {"name": "fail", "type": ["N", "Leaf"]}]})
    tree = {"cut": 0.0, "pass": {"cut": 5.0, "pass": {"score": 1.0}, "fail": {"score": 2.0}},
            "fail": {"score": 3.0}}
    walk = fn("model.tree.simpleWalk", d, node, FcnType((d, node), BOOLEAN))

    def test(datum, n):
        return datum["x"] > n["cut"]
    assert walk({"x": 7.0}, tree, test) == {"score": 1.0}
    assert walk({"x": 3.0}, tree, test) == {"score": 2.0}
    assert walk({"x": -3.0}, tree, test) == {"score": 3.0}


def test_missing_walk():
    ts = types("double", extra=({"name": "missing", "type": ["Node", "string"]},))
    tree = {"field": "m", "operator": "<", "value": 1.0, "pass": "P",
            "fail": {"field": "x", "operator": "<", "value": 0.0, "pass": "FP", "fail": "FF",
                     "missing": "FM"},
            "missing": "M"}
    missing = fn("model.tree.missingTest", ts["D"], ts["N"])
    walk = fn("model.tree.missingWalk", ts["D"], ts["N"],
              FcnType((ts["D"], ts["N"]), AvroUnion((NULL, BOOLEAN))))
    assert walk(DATUM, tree, missing) == "M"
    assert walk({**DATUM, "m": 0.5}, tree, missing) == "P"
    assert walk({**DATUM, "m": 2.0}, tree, missing) == "FF"
    assert walk({**DATUM, "m": 2.0, "x": -1.0}, tree, missing) == "FP"


# -- random trees against a direct recursive evaluation ---------------------------------------

def random_tree(rng: random.Random, depth: int):
    if depth == 0 or rng.random() < 0.2:
        return f"leaf{rng.randrange(100)}"
    field, value = rng.choice([("x", rng.uniform(-2, 2)), ("n", float(rng.randrange(-3, 4)))])
    return {"field": field, "operator": rng.choice(["<", "<=", ">", ">=", "==", "!="]),
            "value": value, "pass": random_tree(rng, depth - 1),
            "fail": random_tree(rng, depth - 1)}


OPS = {"<": lambda a, b: a < b, "<=": lambda a, b: a <= b, ">": lambda a, b: a > b,
       ">=": lambda a, b: a >= b, "==": lambda a, b: a == b, "!=": lambda a, b: a != b}


def reference(tree, datum):
    while isinstance(tree, dict):
        ok = OPS[tree["operator"]](datum[tree["field"]], tree["value"])
        tree = tree["pass"] if ok else tree["fail"]
    return tree


@settings(max_examples=50, deadline=None)
@given(st.integers(0, 10**6), st.floats(-3, 3), st.integers(-4, 4))
def test_random_trees(seed, x, n):
    ts = types("double")
    tree = random_tree(random.Random(seed), 6)
    if not isinstance(tree, dict):
        return
    datum = {**DATUM, "x": x, "n": n}
    assert fn("model.tree.simpleTree", ts["D"], ts["N"])(datum, tree) == reference(tree, datum)
