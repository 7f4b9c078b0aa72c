"""The batch engine's ``model.tree.simpleTree`` node tables: every operator of ``simpleTest``
on int, double and float fields, ±inf and NaN thresholds, NaN inputs, a tree walked alone and
a forest in ``a.map``/``a.fold`` give exactly the scalar engine's leaves."""

from __future__ import annotations

import itertools
import math

import pytest

from pfa import Engine
from tests.engine.batch_helpers import assert_batch_equals_scalar

NODE = {"type": "record", "name": "N", "fields": [
    {"name": "field", "type": {"type": "enum", "name": "F", "symbols": ["i", "d", "f"]}},
    {"name": "operator", "type": "string"},
    {"name": "value", "type": ["double", {"type": "array", "items": "double"}]},
    {"name": "pass", "type": ["N", "string"]},
    {"name": "fail", "type": ["N", "string"]}]}
DATUM = {"type": "record", "name": "D",
         "fields": [{"name": "i", "type": "int"}, {"name": "d", "type": "double"},
                    {"name": "f", "type": "float"}]}
INF = {"double": "Infinity"}
NINF = {"double": "-Infinity"}
NAN = {"double": "NaN"}
TESTS = [("d", "<", 0.5), ("d", "<=", 0.5), ("d", ">", 0.5), ("d", ">=", 0.5),
         ("d", "==", 1.0), ("d", "!=", 1.0), ("d", "<=", INF), ("d", "<", INF),
         ("d", ">=", NINF), ("d", ">", NINF), ("d", "<", NAN), ("d", "!=", NAN),
         ("i", "<=", 2.5), ("i", ">", 1.0), ("i", "==", 3.0),
         ("f", "<=", 0.1), ("f", "<", 0.1), ("f", ">", 0.1), ("f", ">=", 0.30000001192092896),
         ("f", "<=", 3.5e38), ("f", "in", {"array": [0.5, 1.0, -0.0]}),
         ("d", "in", {"array": [1.0, 2.0]}), ("i", "notIn", {"array": [1.0, 3.0]}),
         ("d", "in", {"array": []}), ("d", "alwaysTrue", 0.0), ("i", "alwaysFalse", 0.0),
         ("d", "isMissing", 0.0), ("f", "notMissing", 0.0)]


def _value(v):
    return v if isinstance(v, dict) else {"double": v}


def _tree(tests, k=0):
    """A complete tree over ``tests`` (leaves name their path)."""
    if not tests:
        return {"string": f"leaf{k}"}
    field, op, v = tests[0]
    return {"N": {"field": field, "operator": op, "value": _value(v),
                  "pass": _tree(tests[1:], 2 * k + 1), "fail": _tree(tests[1:], 2 * k)}}


def _trees():
    groups = [TESTS[i:i + 3] for i in range(0, len(TESTS), 3)]
    return [_tree(g)["N"] for g in groups]


def _doc(action, trees):
    return {"input": {"type": "record", "name": "In", "fields": [
                {"name": "i", "type": "int"}, {"name": "d", "type": "double"},
                {"name": "f", "type": "double"}]},
            "output": {"type": "array", "items": "string"},
            "cells": {"trees": {"type": {"type": "array", "items": NODE}, "init": trees}},
            "action": [{"let": {"x": {"new": {"i": "input.i", "d": "input.d",
                                              "f": {"cast.float": "input.f"}},
                                      "type": DATUM}}}, action]}


def _rows():
    ds = [-math.inf, -1.0, 0.0, -0.0, 0.1, 0.5, 1.0, 2.0, math.inf, math.nan,
          0.30000001192092896, 0.1 + 1e-17]
    return [{"i": i, "d": d, "f": f} for i, d, f in
            itertools.product([0, 1, 2, 3], ds, [0.1, 0.5, -0.0, 1.0, math.nan, 3.4e38, 0.3])]


MAP = {"a.map": [{"cell": "trees"}, {"params": [{"t": "N"}], "ret": "string",
                                    "do": {"model.tree.simpleTree": ["x", "t"]}}]}
FOLD = {"a.fold": [{"cell": "trees"}, {"value": [], "type": {"type": "array", "items": "string"}},
                   {"params": [{"acc": {"type": "array", "items": "string"}}, {"t": "N"}],
                    "ret": {"type": "array", "items": "string"},
                    "do": {"a.append": ["acc", {"model.tree.simpleTree": ["x", "t"]}]}}]}
ALONE = {"new": [{"model.tree.simpleTree": ["x", {"cell": "trees", "path": [k]}]}
                 for k in range(3)], "type": {"type": "array", "items": "string"}}


@pytest.mark.parametrize("action", [MAP, FOLD, ALONE], ids=["map", "fold", "alone"])
def test_simple_tree_operators(action):
    doc = _doc(action, _trees())
    engine = assert_batch_equals_scalar(doc, _rows())
    assert_batch_equals_scalar(doc, _rows(), chunk_size=17)
    walks = [e for e in engine.explain_batch() if e.form == "model.tree.simpleTree"]
    assert walks and all(e.mode == "vector" for e in walks)


def test_unsupported_value_falls_back():
    """A comparison with an array value is a runtime error of the scalar engine: the walk
    leaves it to the scalar engine, which reports it."""
    bad = [{"field": "d", "operator": "<", "value": {"array": [1.0]},
            "pass": {"string": "a"}, "fail": {"string": "b"}}]
    Engine.from_json(_doc(MAP, bad))
    assert_batch_equals_scalar(_doc(MAP, bad), _rows()[:20])
