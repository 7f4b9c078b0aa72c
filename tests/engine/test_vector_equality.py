"""Property: ``action_batch(rows)`` equals ``[action(r) for r in rows]`` element by element,
including which rows raise which error codes, for generated documents and inputs."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from pfa import Engine
from pfa.errors import PfaRuntimeError, PfaSemanticError
from tests.engine.batch_helpers import assert_batch_equals_scalar

INPUT = {"type": "record", "name": "In", "fields": [
    {"name": "x", "type": "double"},
    {"name": "y", "type": ["null", "double"]},
    {"name": "f", "type": "float"},
    {"name": "i", "type": "int"},
    {"name": "j", "type": "int"},
    {"name": "s", "type": "string"},
    {"name": "arr", "type": {"type": "array", "items": "double"}},
]}

doubles = st.one_of(st.floats(allow_nan=True, allow_infinity=True, width=64),
                    st.sampled_from([0.0, -0.0, 1.0, -1.5, 1e308, 2.5]))
ints = st.one_of(st.integers(-(2**31), 2**31 - 1), st.sampled_from([0, 1, -1, 2**31 - 1]))
float32s = st.floats(width=32, allow_nan=True, allow_infinity=True)


@st.composite
def records(draw: Any) -> dict[str, Any]:
    n = draw(st.sampled_from([3, 3, 3, 0, 2]))
    return {"x": draw(doubles), "y": draw(st.one_of(st.none(), doubles)), "f": draw(float32s),
            "i": draw(ints), "j": draw(st.integers(-3, 3)), "s": draw(st.sampled_from(
                ["a", "b", "", "zz"])), "arr": draw(st.lists(doubles, min_size=n, max_size=n))}


def _attr(name: str) -> dict[str, Any]:
    return {"attr": "input", "path": [{"string": name}]}


LEAVES = [
    _attr("x"), _attr("f"), {"double": 2.0}, {"double": -0.5}, {"cast.double": _attr("i")},
    {"impute.defaultOnNull": [_attr("y"), {"double": 7.0}]},
    {"attr": _attr("arr"), "path": [1]},
    {"attr": _attr("arr"), "path": [{"%": [_attr("j"), 4]}]},
    {"cast.double": {"+": [_attr("i"), 2147483000]}},
    {"cast.double": {"*": [_attr("j"), _attr("i")]}},
    {"cast.double": {"//": [_attr("i"), _attr("j")]}},
    {"cast.double": {"s.len": _attr("s")}},
    {"a.sum": _attr("arr")},
    {"cast.double": {"a.argmax": {"a.map": [_attr("arr"), {
        "params": [{"v": "double"}], "ret": "double", "do": {"-": ["v", _attr("x")]}}]}}},
]


def _exprs(children: st.SearchStrategy) -> st.SearchStrategy:
    two = st.tuples(children, children)
    return st.one_of(
        st.builds(lambda op, ab: {op: list(ab)}, st.sampled_from(["+", "-", "*", "/"]), two),
        st.builds(lambda f, a: {f: a}, st.sampled_from(["m.exp", "m.sqrt", "m.ln", "u-",
                                                        "m.link.logit"]), children),
        st.builds(lambda op, ab, cd: {"if": {op: list(ab)}, "then": cd[0], "else": cd[1]},
                  st.sampled_from(["<", "<=", "==", "!=", ">"]), two, two),
        st.builds(lambda a, b: {"do": [{"let": {"v": a}}, {"set": {"v": {"+": ["v", b]}}},
                                       "v"]}, children, children),
        st.builds(lambda a, b: {"ifnotnull": {"z": _attr("y")},
                                "then": {"*": ["z", a]}, "else": b}, children, children),
        st.builds(lambda a, b: {"cond": [{"if": {"==": [_attr("s"), {"string": "a"}]},
                                          "then": a},
                                         {"if": {">": [_attr("x"), 0.0]}, "then": b}],
                                "else": {"double": 0.0}}, children, children),
        st.builds(lambda a, b: {"if": {"&&": [{">": [_attr("x"), 0.0]}, {"<": [a, b]}]},
                                "then": a, "else": b}, children, children),
        st.builds(lambda a: {"a.fold": [_attr("arr"), a, {
            "params": [{"t": "double"}, {"v": "double"}], "ret": "double",
            "do": {"+": ["t", {"*": ["v", a]}]}}]}, children),
        st.builds(lambda a: {"do": [{"let": {"k": 0.0, "c": 0}},
                                    {"while": {"<": ["c", {"a.len": _attr("arr")}]},
                                     "do": [{"set": {"k": {"+": ["k", a]}}},
                                            {"set": {"c": {"+": ["c", 1]}}}]}, "k"]}, children),
    )


expressions = st.recursive(st.sampled_from(LEAVES), _exprs, max_leaves=8)


def _valid(doc: dict[str, Any]) -> dict[str, Any]:
    """``doc`` if it type-checks (generated nestings may shadow a symbol, which PFA forbids)."""
    try:
        Engine.from_json(doc)
    except PfaSemanticError:
        assume(False)
    return doc


@settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck))
@given(expressions, st.lists(records(), min_size=1, max_size=12))
def test_batch_equals_scalar(expr: Any, inputs: list[dict[str, Any]]) -> None:
    doc = _valid({"input": INPUT, "output": "double", "action": [expr]})
    assert_batch_equals_scalar(doc, inputs)


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(expressions, st.lists(records(), min_size=1, max_size=8))
def test_record_output_and_chunks(expr: Any, inputs: list[dict[str, Any]]) -> None:
    out = {"type": "record", "name": "Out", "fields": [
        {"name": "v", "type": "double"}, {"name": "w", "type": ["null", "double"]},
        {"name": "s", "type": "string"}]}
    doc = _valid({"input": INPUT, "output": out, "action": [
        {"let": {"v": expr}},
        {"new": {"v": "v", "w": {"if": {">": ["v", 0.0]}, "then": "v", "else": None},
                 "s": _attr("s")}, "type": "Out"}]})
    assert_batch_equals_scalar(doc, inputs, chunk_size=3)


def test_explain_and_row_attribute() -> None:
    doc = {"input": "double", "output": "double", "action": [
        {"let": {"n": {"do": [{"let": {"k": 0}},
                              {"while": {"<": ["k", 3]}, "do": [{"set": {"k": {"+": ["k", 1]}}}]},
                              "k"]}}},
        {"+": ["input", {"m.sqrt": "input"}]}]}
    engine = Engine.from_json(doc)
    modes = {e.mode for e in engine.explain_batch()}
    assert {"vector", "scalar island"} <= modes
    assert engine.action_batch([1.0, 4.0]) == [2.0, 6.0]
    bad = {"input": "int", "output": "int", "action": [{"//": [10, "input"]}]}
    try:
        Engine.from_json(bad).action_batch([1, 2, 0, 0])
    except PfaRuntimeError as exc:
        assert exc.row == 2 and exc.code == 18040  # type: ignore[attr-defined]
    res = Engine.from_json(bad).action_batch([1, 0], on_error="null")
    assert res.values == [10, None] and res.errors[0][:2] == (1, 18040)
    emit = {"input": "double", "output": "double", "method": "emit",
            "action": [{"emit": "input"}]}
    assert Engine.from_json(emit).explain_batch()[0].mode == "scalar"
