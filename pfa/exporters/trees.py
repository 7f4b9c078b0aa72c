"""Decision trees as PFA ``model.tree`` structures, shared by the tree converters of every front
end (sklearn, Spark).

A tree becomes a recursive record ``TreeNode`` (``field`` an enum of the datum's fields,
``operator``, ``value``, and ``pass``/``fail`` branches that hold either another node or a leaf
score) walked with ``model.tree.simpleTree``.

Missing values. A split sends a missing value (NaN) left or right depending on the node. The
datum record therefore holds every feature twice: ``f<i>_lo``, where a missing value becomes
-∞, and ``f<i>_hi``, where it becomes +∞. A node whose missing values go left tests
``f<i>_lo <= threshold`` (-∞ passes); one whose missing values go right tests ``f<i>_hi``
(+∞ fails). Present values are the same in both fields, except a present +∞, which is the
largest finite value in ``f<i>_hi`` so that sklearn's "only missing values go right" split
(threshold +∞, tested with ``<``) sends it left like sklearn and a missing value right. No null, no NaN comparison and no
duplicated subtree is needed, so documents stay small and every PFA engine routes alike.

The datum's precision is the framework's: sklearn's own trees compare features as float32
(``X`` is cast to float32 before the walk), so their datum fields have type float, made with
``cast.float``, and a value lying between a threshold and its float32 rounding goes the same
way as in sklearn; histogram gradient boosting and Spark compare float64 values, so their
datum fields are doubles.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from pfa.exporters.builder import DocumentBuilder, Vector, num, nums
from pfa.exporters.table import element


def feature_field(i: int, missing_left: bool) -> str:
    """The datum field a node on feature ``i`` tests (see the module docstring)."""
    return f"f{i}_lo" if missing_left else f"f{i}_hi"


def _field_names(n_features: int) -> list[str]:
    return [feature_field(i, m) for i in range(n_features) for m in (True, False)]


def datum(b: DocumentBuilder, x: Vector, precision: str) -> tuple[str, str]:
    """Bind the tree datum record for vector ``x``; returns (symbol, record type name)."""
    key = f"tree_datum:{x.expr}:{precision}"
    if key in b.memo:
        return b.memo[key]
    type_name = b.type_name("TreeInput")
    fields = [{"name": name, "type": precision} for name in _field_names(x.size)]
    if precision == "float":
        xf = b.let("features32", {"a.map": [x.expr, {"params": [{"v": "double"}],
                                                      "ret": "float",
                                                      "do": {"cast.float": "v"}}]})
        source = Vector(xf, x.size)
    else:
        source = x
    values: dict[str, Any] = {}
    largest = {precision: float(np.finfo(np.float32 if precision == "float" else np.float64).max)}
    for i in range(x.size):
        v = element(source, i)
        values[feature_field(i, True)] = {
            "if": {"impute.isnan": v}, "then": {precision: "-Infinity"}, "else": v}
        # a present +∞ must stay apart from a missing value at an "only missing values go
        # right" split (threshold +∞, operator <): it becomes the largest finite value
        values[feature_field(i, False)] = {
            "if": {"impute.isnan": v}, "then": {precision: "Infinity"},
            "else": {"min": [v, largest]}}
    record = {"type": "record", "name": type_name, "fields": fields}
    symbol = b.let("tree_input", {"new": values, "type": record})
    b.memo[key] = (symbol, type_name)
    return symbol, type_name


def node_schema(b: DocumentBuilder, n_features: int, leaf: Any, categorical: bool) -> dict:
    name = b.type_name("TreeNode")
    value_type: Any = ["double", {"type": "array", "items": "double"}] if categorical \
        else "double"
    branch = [name, leaf]
    return {"type": "record", "name": name, "fields": [
        {"name": "field", "type": {"type": "enum", "name": b.type_name("TreeFeature"),
                                   "symbols": _field_names(n_features)}},
        {"name": "operator", "type": "string"},
        {"name": "value", "type": value_type},
        {"name": "pass", "type": branch},
        {"name": "fail", "type": branch},
    ]}


def leaf_branch_name(leaf: Any) -> str:
    """The JSON union tag of a leaf value (Avro JSON encoding)."""
    return leaf if isinstance(leaf, str) else leaf["type"]


@dataclass
class Split:
    feature: int
    left: int
    right: int
    missing_left: bool
    threshold: float | None = None
    left_categories: list[float] | None = None  # categorical split: categories sent left
    known_categories: list[float] | None = None


def encode_tree(root: int, split_of: Any, leaf_of: Any, node_name: str, leaf_tag: str,
                categorical: bool) -> Any:
    """The JSON init of one TreeNode. ``split_of(i)`` gives a Split or None for a leaf,
    ``leaf_of(i)`` the leaf's JSON value."""

    def branch(i: int) -> Any:
        s = split_of(i)
        if s is None:
            return {leaf_tag: leaf_of(i)}
        return {node_name: node(i, s)}

    def node(i: int, s: Split) -> dict[str, Any]:
        field = feature_field(s.feature, s.missing_left)
        if s.left_categories is None:
            value: Any = float(s.threshold)
            op, on_pass, on_fail = "<=", s.left, s.right
            if value == math.inf and not s.missing_left:
                op = "<"  # sklearn's "only missing values go right" split: +∞ must fail
            value = num(value)
        else:
            # Category in the left set → left; known category not in it → right; anything
            # else (unknown, negative, missing: ±∞) → the missing side, by one "in" test:
            left = set(s.left_categories)
            if s.missing_left:
                value = sorted(c for c in (s.known_categories or []) if c not in left)
                op, on_pass, on_fail = "in", s.right, s.left
            else:
                value = sorted(left)
                op, on_pass, on_fail = "in", s.left, s.right
        if categorical:
            value = {"array": nums(value)} if isinstance(value, list) else {"double": value}
        return {"field": field, "operator": op, "value": value,
                "pass": branch(on_pass), "fail": branch(on_fail)}

    s0 = split_of(root)
    if s0 is None:  # a single leaf: a node that always lands on it
        leaf = {leaf_tag: leaf_of(root)}
        value = {"double": 0.0} if categorical else 0.0
        return {"field": feature_field(0, True), "operator": "alwaysTrue", "value": value,
                "pass": leaf, "fail": leaf}
    return node(root, s0)


def walk_expr(datum_symbol: str, datum_type: str, node_name: str, tree_expr: Any,
              leaf: Any) -> dict[str, Any]:
    """``model.tree.simpleTree`` of one tree for the datum."""
    return {"model.tree.simpleTree": [datum_symbol, tree_expr]}


def forest_cell(b: DocumentBuilder, what: str, trees_init: list[Any], schema: dict) -> Any:
    """A cell holding an array of trees (the first use of ``schema`` defines it)."""
    return b.cell(what, {"type": "array", "items": schema}, trees_init)
