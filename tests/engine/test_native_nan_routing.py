"""Tree nodes on NaN substitutes: exporters route a missing value with
``lo = if (impute.isnan(x)) -inf else x`` and ``hi = if (impute.isnan(x)) +inf else
min(x, M)``, then test ``lo <= t`` / ``hi <= t``. The native tier tests x itself, a NaN
passing where the substitute would; it must give the scalar engine's results bit for bit,
including where the rewrite does not hold (t >= M, substitutes that are not constants,
other operators), on values at the edges (NaN, ±inf, M, the float32 maximum)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pfa import Engine
from pfa.engine import native
from tests.engine.test_native import _num, assert_all_equal, is_native

pytestmark = pytest.mark.skipif(native.unavailable() is not None,
                                reason=f"native tier off: {native.unavailable()}")

F32_MAX = 3.4028234663852886e+38
EDGES = [float("nan"), float("inf"), float("-inf"), 0.0, -0.0, 1.0, -1.0, 0.5, F32_MAX,
         -F32_MAX, 1e39, 2.0, -2.0]
NODE = {"type": "record", "name": "Node", "fields": [
    {"name": "field", "type": {"type": "enum", "name": "F", "symbols": ["lo", "hi", "x"]}},
    {"name": "operator", "type": "string"}, {"name": "value", "type": "double"},
    {"name": "pass", "type": ["Node", "double"]}, {"name": "fail", "type": ["Node", "double"]}]}


def substitute(nan_value: Any, bound: Any | None) -> dict[str, Any]:
    """``if (impute.isnan(x)) nan_value else x`` (or ``min(x, bound)``)."""
    other = "x" if bound is None else {"min": ["x", bound]}
    return {"if": {"impute.isnan": "x"}, "then": nan_value, "else": other}


@st.composite
def trees(draw: Any, depth: int = 0) -> Any:
    if depth >= 3 or draw(st.integers(0, 3)) == 0:
        return {"double": float(draw(st.integers(0, 99)))}
    value = draw(st.sampled_from([0.0, 1.0, -1.0, 0.5, F32_MAX, 1e39, float("inf"),
                                  -F32_MAX, 2.0]))
    return {"Node": {"field": draw(st.sampled_from(["lo", "hi", "x"])),
                     "operator": draw(st.sampled_from(["<=", "<", ">", ">=", "==", "!="])),
                     "value": value, "pass": draw(trees(depth + 1)),
                     "fail": draw(trees(depth + 1))}}


def document(tree: Any, lo_nan: Any, hi_nan: Any, bound: Any) -> dict[str, Any]:
    root = tree.get("Node", {"field": "x", "operator": "<=", "value": 0.0, "pass": tree,
                             "fail": {"double": -1.0}})  # a leaf alone: under a root node
    return {"input": "double", "output": "double",
            "cells": {"t": {"type": NODE, "init": root}},
            "action": [{"let": {"x": {"cast.double": {"cast.float": "input"}}}},
                       {"let": {"d": {"new": {"lo": substitute(lo_nan, None),
                                              "hi": substitute(hi_nan, bound), "x": "x"},
                                      "type": {"type": "record", "name": "D", "fields": [
                                          {"name": n, "type": "double"}
                                          for n in ("lo", "hi", "x")]}}}},
                       {"model.tree.simpleTree": ["d", {"cell": "t"}]}]}


@settings(max_examples=80, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(tree=trees(),
       lo_nan=st.sampled_from([_num(float("-inf")), _num(float("inf")), _num(0.0), "input"]),
       hi_nan=st.sampled_from([_num(float("inf")), _num(float("-inf")), _num(1.0)]),
       bound=st.sampled_from([None, _num(F32_MAX), _num(1.0), _num(float("inf"))]))
def test_nan_routed_nodes_equal_the_scalar_engine(tree, lo_nan, hi_nan, bound, monkeypatch):
    doc = document(tree, lo_nan, hi_nan, bound)
    inputs = EDGES * 12  # several interpreter blocks
    eng = assert_all_equal(doc, inputs, monkeypatch)
    assert is_native(eng)


def test_the_substitutes_are_not_computed():
    """The exporters' pattern: the native program no longer computes lo and hi."""
    tree = {"Node": {"field": "lo", "operator": "<=", "value": 0.5, "pass": {"Node": {
        "field": "hi", "operator": "<=", "value": -1.0, "pass": {"double": 1.0},
        "fail": {"double": 2.0}}}, "fail": {"double": 3.0}}}
    routed = Engine.from_json(document(tree, _num(float("-inf")), _num(float("inf")),
                                       _num(F32_MAX)))
    kept = Engine.from_json(document(tree, "input", _num(float("inf")), _num(1.0)))

    def size(engine: Engine) -> int:
        return int(engine.explain_batch()[0].reason.split()[0])

    assert size(routed) < size(kept)
    assert [routed.action(x) for x in (float("nan"), 0.0, -2.0, 1.0)] == [2.0, 2.0, 1.0, 3.0]
