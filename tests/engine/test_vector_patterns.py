"""The batch engine's registries check themselves: every whole-call batch form of the library
(``@batch_call``) and every shape-specific batch kernel (:func:`pfa.engine.vector.batch_kernel`,
registered by :mod:`pfa.engine.patterns`) has a case here; the case must run the call
vectorized / make the kernel fire, and give exactly the scalar engine's values and errors —
with the kernel and without it."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from pfa import Engine
from pfa.engine import vector
from pfa.lib import registry
from tests.engine.batch_helpers import assert_batch_equals_scalar, same

DOUBLES = {"type": "array", "items": "double"}
TREE = {"type": "record", "name": "T", "fields": [
    {"name": "field", "type": {"type": "enum", "name": "F", "symbols": ["a", "b"]}},
    {"name": "operator", "type": "string"}, {"name": "value", "type": "double"},
    {"name": "pass", "type": ["T", "double"]}, {"name": "fail", "type": ["T", "double"]},
    {"name": "missing", "type": ["T", "double"]}]}
DATUM = {"type": "record", "name": "D",
         "fields": [{"name": "a", "type": ["null", "double"]}, {"name": "b", "type": "double"}]}


def _doc(action: Any, output: Any, cells: dict | None = None) -> dict:
    return {"input": {"type": "record", "name": "In", "fields": [
                {"name": "xs", "type": DOUBLES}, {"name": "ys", "type": DOUBLES},
                {"name": "a", "type": ["null", "double"]}, {"name": "b", "type": "double"}]},
            "output": output, "cells": cells or {},
            "action": [{"let": {"d": {"new": {"a": "input.a", "b": "input.b"},
                                      "type": DATUM}}}, action]}


def _rows() -> list[dict]:
    rng = np.random.default_rng(3)
    out = []
    for i in range(40):
        k = 3 if i % 7 else 0
        out.append({"xs": rng.normal(size=k).tolist(), "ys": rng.normal(size=k).tolist(),
                    "a": None if i % 5 == 0 else float(rng.normal()),
                    "b": [math.nan, math.inf, 0.0, 1.5][i % 4] if i % 9 == 0 else
                    float(rng.normal())})
    return out


def _fcn(params: list[tuple[str, Any]], ret: Any, body: Any) -> dict:
    return {"params": [{n: t} for n, t in params], "ret": ret, "do": body}


def _tree(depth: int, k: int = 0) -> Any:
    if depth == 0:
        return {"double": float(k)}
    node = {"field": "a" if depth % 2 else "b", "operator": "<=" if k % 2 else ">",
            "value": 0.25 * k - 0.5, "pass": _tree(depth - 1, 2 * k + 1),
            "fail": _tree(depth - 1, 2 * k), "missing": _tree(depth - 1, 2 * k)}
    return node if depth == 3 else {"T": node}


TREES = {"trees": {"type": {"type": "array", "items": TREE},
                   "init": [_tree(3, k) for k in range(4)]}}
SIMPLE_TREE = {"type": "record", "name": "S", "fields": [
    {"name": "field", "type": {"type": "enum", "name": "G", "symbols": ["a", "b"]}},
    {"name": "operator", "type": "string"}, {"name": "value", "type": "double"},
    {"name": "pass", "type": ["S", "double"]}, {"name": "fail", "type": ["S", "double"]}]}
SIMPLE_DATUM = {"type": "record", "name": "E",
                "fields": [{"name": "a", "type": "double"}, {"name": "b", "type": "double"}]}


def _simple(depth: int, k: int = 0) -> Any:
    if depth == 0:
        return {"double": float(k)}
    node = {"field": "a" if depth % 2 else "b", "operator": "<" if k % 2 else ">=",
            "value": 0.25 * k - 0.5, "pass": _simple(depth - 1, 2 * k + 1),
            "fail": _simple(depth - 1, 2 * k)}
    return node if depth == 3 else {"S": node}


def _simple_tree_doc() -> dict:
    cells = {"trees": {"type": {"type": "array", "items": SIMPLE_TREE},
                       "init": [_simple(3, k) for k in range(4)]}}
    datum = {"new": {"a": {"impute.defaultOnNull": ["input.a", 0.0]}, "b": "input.b"},
             "type": SIMPLE_DATUM}
    walk = {"a.map": [{"cell": "trees"}, _fcn([("t", "S")], "double",
                                             {"model.tree.simpleTree": ["e", "t"]})]}
    doc = _doc(walk, DOUBLES, cells)
    doc["action"].insert(1, {"let": {"e": datum}})
    return doc


def _missing_walk_doc() -> dict:
    test = _fcn([("x", "D"), ("node", "T")], ["null", "boolean"],
                {"model.tree.missingTest": ["x", "node"]})
    walk = {"a.map": [{"cell": "trees"}, _fcn([("t", "T")], "double",
                                             {"model.tree.missingWalk": ["d", "t", test]})]}
    return _doc(walk, DOUBLES, TREES)


def _kmeans_doc() -> dict:
    center_t = {"type": "record", "name": "Center", "fields": [
        {"name": "point", "type": DOUBLES}, {"name": "sqnorm", "type": "double"}]}
    cluster_t = {"type": "record", "name": "Cluster", "fields": [
        {"name": "center", "type": center_t}, {"name": "id", "type": "int"}]}
    pts = [[0.0, 0.0, 0.0], [1.0, -1.0, 0.5], [-2.0, 0.5, 1.0]]
    init = [{"center": {"point": p, "sqnorm": float(np.dot(p, p))}, "id": i}
            for i, p in enumerate(pts)]
    metric = _fcn([("x", DOUBLES), ("c", "Center")], "double",
                  {"-": [{"attr": "c", "path": [{"string": "sqnorm"}]},
                         {"*": [2.0, {"m.kernel.linear": [
                             "x", {"attr": "c", "path": [{"string": "point"}]}]}]}]})
    call = {"attr": {"model.cluster.closest": ["input.xs", {"cell": "clusters"}, metric]},
            "path": [{"string": "id"}]}
    return _doc(call, "int", {"clusters": {"type": {"type": "array", "items": cluster_t},
                                           "init": init}})


def _blocks_doc() -> dict:
    """The exported tree datum: defaultOnNull features, float rounding, NaN guards."""
    feats = {"new": [{"impute.defaultOnNull": ["input.a", {"double": "NaN"}]},
                     {"impute.defaultOnNull": ["input.a", 1.5]}], "type": DOUBLES}
    cast = {"a.map": ["f", _fcn([("v", "double")], "float", {"cast.float": "v"})]}
    rec_t = {"type": "record", "name": "R", "fields": [{"name": "p", "type": "float"},
                                                        {"name": "q", "type": "float"}]}
    guard = [{"if": {"impute.isnan": {"attr": "f32", "path": [i]}},
              "then": {"float": "-Infinity"}, "else": {"attr": "f32", "path": [i]}}
             for i in range(2)]
    doc = _doc({"+": ["r.p", "r.q"]}, "double")
    doc["action"][1:1] = [{"let": {"f": feats}}, {"let": {"f32": cast}},
                          {"let": {"r": {"new": {"p": guard[0], "q": guard[1]},
                                         "type": rec_t}}}]
    return doc


_ADD = _fcn([("x", "double"), ("y", "double")], "double", {"+": ["x", "y"]})
#: whole-call batch form (library function) -> document
CALLS: dict[str, Callable[[], dict]] = {
    "a.map": lambda: _doc({"a.map": ["input.xs", _fcn([("x", "double")], "double",
                                                      {"m.exp": "x"})]}, DOUBLES),
    "a.zipmap": lambda: _doc({"a.zipmap": ["input.xs", "input.ys", _ADD]}, DOUBLES),
    "a.fold": lambda: _doc({"a.fold": ["input.xs", 1.0, _ADD]}, "double"),
    "a.reduce": lambda: _doc({"a.reduce": ["input.xs", _ADD]}, "double"),
    "a.flatten": lambda: _doc({"a.flatten": {"new": ["input.xs", "input.ys"],
                                             "type": {"type": "array", "items": DOUBLES}}},
                              DOUBLES),
    # the right side fails (index 5 of a 3-array) unless an earlier element decided the row
    "a.any": lambda: _doc({"a.any": ["input.xs", _fcn([("x", "double")], "boolean", {"||": [
        {">": ["x", 0.3]}, {">": [{"attr": "input", "path": [{"string": "ys"}, 5]}, 0.0]}]})]},
        "boolean"),
    "a.all": lambda: _doc({"a.all": ["input.xs", _fcn([("x", "double")], "boolean", {"&&": [
        {"<": ["x", 0.3]}, {">": [{"attr": "input", "path": [{"string": "ys"}, 5]}, 0.0]}]})]},
        "boolean"),
    "&&": lambda: _doc({"&&": [{">": ["input.b", 0.0]},
                               {"<": [{"/": [1.0, "input.b"]}, 2.0]}]}, "boolean"),
    "||": lambda: _doc({"||": [{">": ["input.b", 0.0]},
                               {"<": [{"a.max": "input.xs"}, 0.5]}]}, "boolean"),
    "model.tree.simpleTree": _simple_tree_doc,
    "model.tree.missingWalk": _missing_walk_doc,
    "model.cluster.closest": _kmeans_doc,
}
#: shape-specific batch kernel -> document that it must take
KERNELS: dict[str, Callable[[], dict]] = {
    "datum_record_form": _blocks_doc,
    "default_array_form": _blocks_doc,
    "map_cast_form": _blocks_doc,
    "tree_walk": _simple_tree_doc,
    "closest_screen": _kmeans_doc,
}


def _batch_calls() -> list[str]:
    return sorted(n for n, e in registry.load_all().items() if e.batch_call is not None)


def _batch_kernels() -> list[tuple[str, Callable[..., Any]]]:
    return [(h, k) for h in vector.BATCH_HOOKS for k in vector.registered_kernels(h)]


@pytest.mark.parametrize("name", _batch_calls())
def test_whole_call_batch_form(name: str) -> None:
    assert name in CALLS, f"no case for the whole-call batch form of {name}"
    engine = assert_batch_equals_scalar(CALLS[name](), _rows())
    modes = {e.mode for e in engine.explain_batch() if e.form == name}
    assert modes == {"vector"}, engine.explain_batch()


@pytest.mark.parametrize("hook,kernel", _batch_kernels(),
                         ids=[f"{h}:{k.__name__}" for h, k in _batch_kernels()])
def test_batch_kernel(hook: str, kernel: Callable[..., Any],
                      monkeypatch: pytest.MonkeyPatch) -> None:
    assert kernel.__name__ in KERNELS, f"no case for the batch kernel {kernel.__name__}"
    doc, rows = KERNELS[kernel.__name__](), _rows()
    fired: list[Any] = []

    def spy(*args: Any) -> Any:
        out = kernel(*args)
        if out is not None:
            fired.append(out)
        return out
    monkeypatch.setitem(vector._KERNELS, hook, [spy])
    taken = assert_batch_equals_scalar(doc, rows)
    assert fired, f"{kernel.__name__} did not take its case"
    monkeypatch.setitem(vector._KERNELS, hook, [])
    general = Engine.from_json(doc).action_batch(rows, on_error="null")
    with_kernel = taken.action_batch(rows, on_error="null")
    assert all(same(a, b) for a, b in zip(with_kernel.values, general.values))
    assert with_kernel.errors == general.errors
