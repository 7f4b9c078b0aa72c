"""The native tier's fused operations and program rewrites give the scalar engine's results bit
for bit, over generated documents and batches of several interpreter blocks (a block is 128
rows; a batch here is a few blocks plus a partial one):

- ``a.max/min/argmax/argmin`` (Avro order), ``m.link.softmax``'s maximum (IEEE) and
  ``model.cluster.closest`` (IEEE ``<``) as one BEST pass over a register list;
- ``impute.defaultOnNull`` of an input read in one pass (LOADNULL), with and without nulls
  in the batch; ``if (impute.isnan(x))`` selects (SELNAN);
- boosting sums: a tree times a constant (leaves multiplied while lowering) and a running sum
  plus a tree (TREEADD), over trees of ``<``, of ``<=`` and of mixed tests;
- repeated subexpressions computed once (also next to branches that may raise and are
  skipped block by block), results nothing reads dropped;
- input columns of other dtypes (int64, bool, float32 via ``float``) read in place.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from pfa import Engine
from pfa.engine import native
from pfa.engine.native import runner
from pfa.engine.native.program import OP, prune
from tests.engine.batch_helpers import same
from tests.engine.test_native import _num, assert_all_equal, batch, is_native, reference

pytestmark = pytest.mark.skipif(native.unavailable() is not None,
                                reason=f"native tier off: {native.unavailable()}")

ARR = {"type": "array", "items": "double"}
INPUT = {"type": "record", "name": "In", "fields": [
    {"name": "a", "type": "double"}, {"name": "b", "type": ["null", "double"]},
    {"name": "c", "type": "float"}, {"name": "e", "type": "int"},
    {"name": "f", "type": "boolean"}]}
LEAVES = [{"attr": "input", "path": [{"string": "a"}]},
          {"impute.defaultOnNull": [{"attr": "input", "path": [{"string": "b"}]},
                                    {"double": "NaN"}]},
          {"impute.defaultOnNull": [{"attr": "input", "path": [{"string": "b"}]}, 2.5]},
          {"cast.double": {"attr": "input", "path": [{"string": "c"}]}},
          {"cast.double": {"attr": "input", "path": [{"string": "e"}]}},
          "x"]
SPECIAL = st.sampled_from([0.0, -0.0, 1.0, -1.0, 0.5, float("nan"), float("inf"),
                           float("-inf"), 1e308, -1e-310])


def new(items: list[Any]) -> dict[str, Any]:
    return {"new": items, "type": ARR}


@st.composite
def exprs(draw: Any, depth: int = 0) -> Any:
    """A double-valued expression built from the operations the tier fuses."""
    leaf = st.one_of(st.sampled_from(LEAVES), SPECIAL.map(_num))
    if depth >= 3:
        return draw(leaf)
    sub = exprs(depth + 1)
    kind = draw(st.sampled_from(["leaf", "best", "arg", "softmax", "selnan", "same",
                                 "raising", "closest", "flag", "arith"]))
    if kind == "leaf":
        return draw(leaf)
    if kind == "best":
        items = [draw(sub) for _ in range(draw(st.integers(1, 4)))]
        return {draw(st.sampled_from(["a.max", "a.min"])): new(items)}
    if kind == "arg":
        items = [draw(sub) for _ in range(draw(st.integers(1, 4)))]
        return {"cast.double": {draw(st.sampled_from(["a.argmax", "a.argmin"])): new(items)}}
    if kind == "softmax":
        return {"attr": {"m.link.softmax": new([draw(sub) for _ in range(3)])},
                "path": [draw(st.integers(0, 2))]}
    if kind == "selnan":
        x = draw(sub)
        return {"if": {"impute.isnan": x}, "then": draw(sub),
                "else": draw(st.sampled_from([x, draw(sub)]))}
    if kind == "same":  # one subexpression written twice
        x = draw(sub)
        return {draw(st.sampled_from(["+", "*", "-"])): [x, x]}
    if kind == "raising":  # the same value inside a branch that may raise and after it
        x = draw(sub)
        test = {"<": [draw(sub), draw(sub)]}
        return {"+": [{"if": test, "then": {"do": [
            {"if": {"impute.isinf": x}, "then": {"error": "inf", "code": -5}},
            {"*": [x, 2.0]}]}, "else": draw(sub)}, {"*": [x, 2.0]}]}
    if kind == "closest":
        point = new([draw(sub), draw(sub)])
        metric = [{"params": [{"p": ARR}, {"q": ARR}], "ret": "double", "do": {
            "a.sum": {"a.zipmap": ["p", "q", {"params": [{"u": "double"}, {"v": "double"}],
                                              "ret": "double",
                                              "do": {"*": [{"-": ["u", "v"]},
                                                           {"-": ["u", "v"]}]}}]}}}]
        call = [point, {"cell": "clusters"}] + (metric if draw(st.booleans()) else [])
        return {"cast.double": {"attr": {"model.cluster.closest": call},
                                "path": [{"string": "id"}]}}
    if kind == "flag":
        return {"if": {"attr": "input", "path": [{"string": "f"}]}, "then": draw(sub),
                "else": draw(sub)}
    return {draw(st.sampled_from(["+", "-", "*", "/"])): [draw(sub), draw(sub)]}


TREE_T = {"type": "record", "name": "T", "fields": [
    {"name": "field", "type": {"type": "enum", "name": "F", "symbols": ["a", "b", "c"]}},
    {"name": "operator", "type": "string"}, {"name": "value", "type": "double"},
    {"name": "pass", "type": ["T", "double"]}, {"name": "fail", "type": ["T", "double"]}]}


@st.composite
def trees(draw: Any, ops: list[str], depth: int = 0) -> Any:
    if depth >= 3 or (depth and draw(st.integers(0, 3)) == 0):
        return {"double": draw(st.one_of(st.floats(-4, 4), st.just(-0.0)))}
    return {"T": {"field": draw(st.sampled_from(["a", "b", "c"])),
                  "operator": draw(st.sampled_from(ops)),
                  "value": draw(st.sampled_from([0.0, 0.5, -1.0, 2.0])),
                  "pass": draw(trees(ops, depth + 1)), "fail": draw(trees(ops, depth + 1))}}


def document(body: Any, forest: list[Any], scale: float, init: float) -> dict[str, Any]:
    """``body`` plus a boosting sum over ``forest``: a.fold(trees, init, acc + scale * tree)."""
    datum = {"new": {"a": "x", "b": LEAVES[1], "c": LEAVES[3]},
             "type": {"type": "record", "name": "D", "fields": [
                 {"name": f, "type": "double"} for f in ["a", "b", "c"]]}}
    boost = {"a.fold": [{"cell": "forest"}, init, {
        "params": [{"acc": "double"}, {"t": "T"}], "ret": "double",
        "do": {"+": ["acc", {"*": [scale, {"model.tree.simpleTree": ["d", "t"]}]}]}}]}
    cluster = {"type": "record", "name": "C", "fields": [
        {"name": "id", "type": "int"}, {"name": "center", "type": ARR}]}
    return {"input": INPUT, "output": "double",
            "cells": {"forest": {"type": {"type": "array", "items": TREE_T},
                                 "init": [t["T"] for t in forest]},
                      "clusters": {"type": {"type": "array", "items": cluster},
                                   "init": [{"id": 4, "center": [0.0, 1.0]},
                                            {"id": 5, "center": [1.0, -1.0]},
                                            {"id": 6, "center": [0.5, 0.5]}]}},
            "action": [{"let": {"x": {"attr": "input", "path": [{"string": "a"}]}}},
                       {"let": {"d": datum}},
                       {"+": [body, boost]}]}


@st.composite
def batches(draw: Any) -> list[dict[str, Any]]:
    """Rows of the input, several blocks long: specials and ordinary numbers mixed; the
    nullable field without any null in some batches."""
    n = draw(st.sampled_from([1, 129, 300]))
    event(f"{n} rows")
    rng = np.random.default_rng(draw(st.integers(0, 2 ** 32 - 1)))
    specials = np.array([0.0, -0.0, np.nan, np.inf, -np.inf, 1e308, 0.5, -1.0, 2.0])

    def column() -> np.ndarray:
        x = rng.normal(0.0, 2.0, n)
        pick = rng.random(n) < draw(st.sampled_from([0.0, 0.05, 0.5]))
        x[pick] = rng.choice(specials, int(pick.sum()))
        return x

    with np.errstate(over="ignore"):
        a, b, c = column(), column(), column().astype(np.float32).astype(np.float64)
    nulls = rng.random(n) < draw(st.sampled_from([0.0, 0.2]))
    e = rng.integers(-3, 4, n)
    f = rng.random(n) < 0.5
    return [{"a": float(a[i]), "b": None if nulls[i] else float(b[i]), "c": float(c[i]),
             "e": int(e[i]), "f": bool(f[i])} for i in range(n)]


@settings(max_examples=60, deadline=None, database=None,
          suppress_health_check=list(HealthCheck))
@given(body=exprs(), ops=st.sampled_from([["<"], ["<="], ["<", "<=", ">", "==", "!="]]),
       data=st.data(), scale=st.sampled_from([0.1, 1.0, -0.5]),
       init=st.sampled_from([0.0, -0.0, 2.75, -1.5]), rows=batches())
def test_fused_operations_equal_the_scalar_engine(body, ops, data, scale, init, rows):
    forest = [data.draw(trees(ops)) for _ in range(data.draw(st.integers(1, 4)))]
    doc = document(body, forest, scale, init)
    mp = pytest.MonkeyPatch()
    try:
        engine = assert_all_equal(doc, rows, mp)
        # the same rows as a DataFrame (columns read in place: int64, bool, masked doubles)
        expected = batch(reference(doc, mp), rows)
    finally:
        mp.undo()
    assert is_native(engine), engine.explain_batch()[0]
    frame = pd.DataFrame({"a": [r["a"] for r in rows],
                          "b": pd.arrays.FloatingArray(  # NaN and null kept apart
                              np.array([0.0 if r["b"] is None else r["b"] for r in rows]),
                              np.array([r["b"] is None for r in rows])),
                          "c": np.array([r["c"] for r in rows], dtype=np.float32),
                          "e": np.array([r["e"] for r in rows], dtype=np.int64),
                          "f": np.array([r["f"] for r in rows], dtype=bool)})
    res = engine.action_batch(frame, on_error="null")
    errors = {row for row, _, _ in res.errors}
    got = [("error",) if i in errors else v for i, v in enumerate(np.asarray(res.values)
                                                                   .tolist())]
    for i, want in enumerate(expected):
        if isinstance(want, tuple):
            assert got[i] == ("error",), (i, got[i], want)
        else:
            assert same(got[i], want), (i, got[i], want)


def _opcodes(engine: Engine) -> list[int]:
    """The opcodes of the program the native tier runs for ``engine`` (lowered again, the
    same way)."""
    target = engine._target
    lw = runner.L.Lowerer(target.typed, {name: c.value for name, c in
                                         target.state.cells.items()})
    prog, _, value = lw.lower()
    runner._out_spec(lw, value, target.output_type, "$.action")  # the STOREs
    prune(prog)
    return prog.code[::6]


def test_rewrites_fuse_and_drop(monkeypatch):
    """The exporters' idioms become the fused instructions; what nothing reads is gone."""
    body = {"+": [{"a.max": new([LEAVES[0], LEAVES[1], LEAVES[3]])},
                  {"if": {"impute.isnan": LEAVES[0]}, "then": 1.0, "else": LEAVES[0]}]}
    forest = [{"T": {"field": "a", "operator": "<=", "value": 0.0, "pass": {"double": 1.0},
                     "fail": {"double": 2.0}}}] * 3
    doc = document(body, forest, 0.1, 2.75)
    engine = assert_all_equal(doc, [{"a": 1.0, "b": None, "c": 2.0, "e": 1, "f": True},
                                    {"a": float("nan"), "b": -0.0, "c": 0.5, "e": 0,
                                     "f": False}], monkeypatch)
    assert is_native(engine)
    ops = _opcodes(engine)
    assert ops.count(OP["BEST"]) == 1          # a.max: one pass, no compare/select chain
    assert ops.count(OP["LOADNULL"]) == 1      # impute.defaultOnNull of an input (once)
    assert ops.count(OP["SELNAN"]) == 1        # if (impute.isnan(x))
    assert ops.count(OP["TREEADD"]) == 3       # the boosting sum, one instruction per tree
    assert OP["TREE"] not in ops               # the unscaled trees were dropped
    assert OP["ISNAN"] not in ops and OP["MUL"] not in ops and OP["SELECT"] not in ops


def test_prune_keeps_effects_and_fixes_skips():
    """prune drops unread results, keeps stores and flags, and recounts the skips."""
    from pfa.engine.native.program import Program

    p = Program()
    x, y, dead, g = p.reg(), p.reg(), p.reg(), p.reg()
    p.emit("LOAD", x, 0)
    p.emit("NEG", dead, x)                 # read by nobody
    p.emit("ISNAN", g, x)
    p.emit("SKIP", 0, g, 3)
    p.emit("NEG", p.reg(), x)              # inside the skip, read by nobody
    p.emit("FLAG", 0, g)                   # an effect: kept
    p.emit("ABS", p.reg(), x)              # inside the skip, read by nobody
    p.emit("ABS", y, x)
    p.emit("STORE", 0, y)
    prune(p)
    code = [p.code[i:i + 6] for i in range(0, len(p.code), 6)]
    assert [c[0] for c in code] == [OP[o] for o in ["LOAD", "ISNAN", "SKIP", "FLAG", "ABS",
                                                    "STORE"]]
    assert code[2][3] == 1  # the skip now covers the flag only


POOL = LEAVES + [_num(v) for v in (0.0, -0.0, 1.0, float("nan"), float("inf"))]


@settings(max_examples=40, deadline=None, database=None,
          suppress_health_check=list(HealthCheck))
@given(items=st.lists(st.sampled_from(POOL), min_size=1, max_size=5), rows=batches(),
       scale=st.sampled_from([1.0, -1.0]))
def test_best_of_arrays_with_ties(items, rows, scale):
    """a.max/min/argmax/argmin and softmax over arrays drawn from few values (ties, ±0, NaN,
    infinities are common): the first of equal values wins, in Avro order."""
    arr = new(items)
    body = {"+": [{"+": [{"a.max": arr}, {"*": [scale, {"a.min": arr}]}]},
                  {"+": [{"cast.double": {"a.argmax": arr}},
                         {"*": [10.0, {"cast.double": {"a.argmin": arr}}]}]}]}
    body = {"+": [body, {"attr": {"m.link.softmax": arr}, "path": [len(items) - 1]}]}
    leaf = {"T": {"field": "a", "operator": "<", "value": 0.0, "pass": {"double": -0.0},
                  "fail": {"double": 0.0}}}
    doc = document(body, [leaf, leaf], scale, -0.0)
    mp = pytest.MonkeyPatch()
    try:
        engine = assert_all_equal(doc, rows, mp)
    finally:
        mp.undo()
    assert is_native(engine)
