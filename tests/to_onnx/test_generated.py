"""Property test: documents drawn from the compile subset (arithmetic, comparisons, logic,
if/cond, let, arrays, min/max) give bit-identical results compiled to ONNX and on the engine,
on rows that include NaN, ±inf and -0.0."""

from __future__ import annotations

import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pfa.onnx.compiler import compile
from tests.to_onnx.helpers import compare

DOUBLES = {"type": "array", "items": "double"}
LITERALS = [0.0, -0.0, 1.0, -2.5, 3.0, 1e300, 0.1]
CMPS = ["<", "<=", ">", ">=", "==", "!="]


@st.composite
def number(draw, depth: int, names: tuple[str, ...]) -> object:
    """A double expression over ``names``."""
    leaves = st.one_of(st.sampled_from(names), st.sampled_from(LITERALS),
                       st.just({"cast.double": "i"}))
    if depth <= 0:
        return draw(leaves)
    sub = number(depth - 1, names)
    kind = draw(st.sampled_from(["leaf", "arith", "arith", "if", "let", "sum", "max", "attr",
                                 "minmax", "neg", "cond"]))
    if kind == "leaf":
        return draw(leaves)
    if kind == "arith":
        return {draw(st.sampled_from(["+", "-", "*", "/"])): [draw(sub), draw(sub)]}
    if kind == "if":
        return {"if": draw(boolean(depth - 1, names)), "then": draw(sub), "else": draw(sub)}
    if kind == "cond":
        return {"cond": [{"if": draw(boolean(depth - 1, names)), "then": draw(sub)},
                         {"if": draw(boolean(depth - 1, names)), "then": draw(sub)}],
                "else": draw(sub)}
    if kind == "let":
        name = f"v{depth}"
        return {"do": [{"let": {name: draw(sub)}},
                       draw(number(depth - 1, names + (name,)))]}
    items = {"new": [draw(sub) for _ in range(draw(st.integers(1, 4)))], "type": DOUBLES}
    if kind == "sum":
        return {"a.sum": items}
    if kind == "max":
        return {draw(st.sampled_from(["a.max", "a.min"])): items}
    if kind == "attr":
        return {"attr": items, "path": [draw(st.integers(0, len(items["new"]) - 1))]}
    if kind == "minmax":
        return {draw(st.sampled_from(["min", "max"])): [draw(sub), draw(sub)]}
    return {"u-": draw(sub)}


@st.composite
def boolean(draw, depth: int, names: tuple[str, ...]) -> object:
    sub = number(max(depth, 0), names)
    kind = draw(st.sampled_from(["cmp", "cmp", "not", "and", "nan"]))
    if kind == "cmp" or depth <= 0:
        return {draw(st.sampled_from(CMPS)): [draw(sub), draw(sub)]}
    if kind == "not":
        return {"!": draw(boolean(depth - 1, names))}
    if kind == "nan":
        return {"impute.isnan": draw(sub)}
    return {draw(st.sampled_from(["&&", "||"])): [draw(boolean(depth - 1, names)),
                                                 draw(boolean(depth - 1, names))]}


ROW_VALUES = st.one_of(st.floats(allow_nan=True, allow_infinity=True),
                       st.sampled_from([0.0, -0.0, math.nan, math.inf, -math.inf, 1.0]))
ROWS = st.lists(st.fixed_dictionaries({"x": ROW_VALUES, "y": ROW_VALUES,
                                       "i": st.integers(-1000, 1000)}), min_size=1, max_size=8)


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(expr=number(3, ("x", "y")), flag=boolean(2, ("x", "y")), records=ROWS)
def test_generated_documents_equal_the_engine(expr, flag, records):
    doc = {
        "input": {"type": "record", "name": "In", "fields": [
            {"name": "x", "type": "double"}, {"name": "y", "type": "double"},
            {"name": "i", "type": "int"}]},
        "output": {"type": "record", "name": "Out", "fields": [
            {"name": "value", "type": "double"}, {"name": "flag", "type": "boolean"}]},
        "action": [{"let": {"x": "input.x", "y": "input.y", "i": "input.i"}},
                   {"new": {"value": expr, "flag": flag}, "type": "Out"}],
    }
    compare(doc, compile(doc), records, exact=True)
