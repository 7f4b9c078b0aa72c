"""``model.tree.simpleTree`` on constant trees → one ``ai.onnx.ml`` opset-5 TreeEnsemble with
double thresholds. A forest (``a.map`` of simpleTree over a constant array of trees) is one
ensemble with one output per tree (and per leaf item for array leaves), so each leaf value
comes out unchanged and later sums keep the document's order: bit-identical to the engine.

Node operators: ``<``, ``<=``, ``>``, ``>=``, ``==``, ``!=`` on numeric fields (IEEE
comparisons, as the engine's), ``in``/``notIn`` (BRANCH_MEMBER), ``alwaysTrue``/
``alwaysFalse``, ``isMissing``/``notMissing`` (a null is NaN: missing-value routing).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from onnx import TensorProto, numpy_helper

from pfa.avro.types import PRIMITIVES, AvroArray, AvroRecord
from pfa.document import ast as A
from pfa.lib.model_tree import field_operators
from pfa.onnx.compiler.registry import lowering
from pfa.onnx.compiler.types import nullable_base, scalar_kind
from pfa.onnx.compiler.values import Const, Never, Opt, Rec, Tensor

D = TensorProto.DOUBLE
FAMILY = "models"
# mode, threshold, missing-tracks-true, negate (swap branches)
_MODES = {"<=": (0, False), "<": (1, False), ">=": (2, False), ">": (3, False),
          "==": (4, False), "!=": (5, False)}
LEQ, LT, MEMBER = 0, 1, 6


class _Ensemble:
    """Node and leaf tables of the trees added so far; ``rules``: field → (takes ordering
    operators, takes set operators, nullable), as the engine decides them."""

    def __init__(self, features: list[str], rules: dict[str, tuple[bool, bool, bool]]):
        self.features = features
        self.rules = rules
        self.nodes: dict[str, list[Any]] = {k: [] for k in (
            "featureids", "modes", "splits", "truenodeids", "trueleafs", "falsenodeids",
            "falseleafs", "missing")}
        self.members: list[float] = []
        self.roots: list[int] = []
        self.leaf_targets: list[int] = []
        self.leaf_weights: list[float] = []
        self.labels: list[Any] = []

    def leaf(self, value: Any, target: int, component: int | None) -> int:
        if component is not None:
            value = value[component]
        if isinstance(value, str):
            if value not in self.labels:
                self.labels.append(value)
            value = float(self.labels.index(value))
        self.leaf_targets.append(target)
        self.leaf_weights.append(float(value))
        return len(self.leaf_weights) - 1

    def add_tree(self, tree: dict[str, Any], target: int, component: int | None,
                 cx: Any, where: str) -> None:
        self.roots.append(self._node(tree, target, component, cx, where))

    def _node(self, node: dict[str, Any], target: int, component: int | None, cx: Any,
              where: str) -> int:
        # iterative would be safer for very deep trees; exported trees are bounded by depth
        index = len(self.nodes["modes"])
        for k in self.nodes:
            self.nodes[k].append(0)
        op, value, name = node["operator"], node["value"], node["field"]
        ordering, membership, nullable = self.rules.get(name, (False, False, False))
        if (op in _MODES and not ordering) or (op in ("in", "notIn") and not membership):
            cx.refuse(where, f"a tree node applies {op!r} to field {name!r}, on which the "
                             "engine raises")
        if op in ("isMissing", "notMissing") and not nullable:  # never null: a constant test
            op = "alwaysFalse" if op == "isMissing" else "alwaysTrue"
        if name not in self.features:
            cx.refuse(where, f"a tree tests field {name!r} that is not a number")
        feature = self.features.index(name)
        missing = 0
        if op in _MODES:
            if not isinstance(value, (int, float)) or isinstance(value, bool):
                cx.refuse(where, f"a tree node compares with {value!r}, not a number")
            mode, split = _MODES[op][0], float(value)
        elif op in ("in", "notIn"):
            if not isinstance(value, list) or not all(
                    isinstance(v, (int, float)) and not isinstance(v, bool) for v in value):
                cx.refuse(where, "a set split whose members are not numbers")
            mode, split = MEMBER, math.nan
            self.members.extend(float(v) for v in value)
            self.members.append(math.nan)
        elif op == "alwaysTrue":
            mode, split, missing = LEQ, math.inf, 1
        elif op == "alwaysFalse":
            mode, split = LT, -math.inf
        elif op in ("isMissing", "notMissing"):  # x < -inf never holds; NaN goes true
            mode, split, missing = LT, -math.inf, 1
        else:
            cx.refuse(where, f"the tree operator {op!r}")
        on_true, on_false = node["pass"], node["fail"]
        if op in ("notIn", "notMissing"):
            on_true, on_false = on_false, on_true
        self.nodes["featureids"][index] = feature
        self.nodes["modes"][index] = mode
        self.nodes["splits"][index] = split
        self.nodes["missing"][index] = missing
        for side, child in (("true", on_true), ("false", on_false)):
            if isinstance(child, dict) and "operator" in child:
                self.nodes[f"{side}leafs"][index] = 0
                self.nodes[f"{side}nodeids"][index] = self._node(child, target, component,
                                                                 cx, where)
            else:
                self.nodes[f"{side}leafs"][index] = 1
                self.nodes[f"{side}nodeids"][index] = self.leaf(child, target, component)
        return index

    def emit(self, cx: Any, x: str, n_targets: int) -> str:
        attrs: dict[str, Any] = dict(
            n_targets=n_targets, aggregate_function=1, post_transform=0,
            tree_roots=self.roots, nodes_featureids=self.nodes["featureids"],
            nodes_modes=numpy_helper.from_array(np.array(self.nodes["modes"], dtype=np.uint8)),
            nodes_splits=numpy_helper.from_array(np.array(self.nodes["splits"],
                                                          dtype=np.float64)),
            nodes_truenodeids=self.nodes["truenodeids"], nodes_trueleafs=self.nodes["trueleafs"],
            nodes_falsenodeids=self.nodes["falsenodeids"],
            nodes_falseleafs=self.nodes["falseleafs"],
            nodes_missing_value_tracks_true=self.nodes["missing"],
            leaf_targetids=self.leaf_targets,
            leaf_weights=numpy_helper.from_array(np.array(self.leaf_weights, dtype=np.float64)))
        if self.members:
            attrs["membership_values"] = numpy_helper.from_array(
                np.array(self.members, dtype=np.float64))
        return cx.g.op("TreeEnsemble", [x], domain="ai.onnx.ml", **attrs)


def _features(cx: Any, datum: Any, where: str) -> tuple[list[str], str]:
    """The numeric fields of the datum record and the ``[N, F]`` double tensor of them."""
    if isinstance(datum, Const) and isinstance(datum.type, AvroRecord):
        datum = cx.as_record(datum, where)
    if not isinstance(datum, Rec):
        cx.refuse(where, "a tree datum that is not a record")
    names, parts = [], []
    for name, v in datum.fields.items():
        if isinstance(v, Opt):
            nan = cx.tensor(Const(math.nan, PRIMITIVES["double"]), where, D)
            value = cx.cast(v.value, D)
            t = cx.op("Where", [Tensor(v.null, v.type, TensorProto.BOOL, (1,)), nan, value],
                      v.type, D, shape=(1,))
        elif isinstance(v, (Tensor, Const)) and scalar_kind(v.type) in ("int", "long", "float",
                                                                          "double"):
            t = cx.tensor(v, where, D)
        else:
            continue
        names.append(name)
        parts.append(cx.batched(t))
    if not parts:
        cx.refuse(where, "a tree datum without numeric fields")
    x = parts[0] if len(parts) == 1 else cx.g.op("Concat", parts, axis=1)
    return names, x


def _leaf_shape(trees: list[dict[str, Any]], cx: Any, where: str) -> int | None:
    """None for scalar leaves, k for array leaves of length k."""
    lengths: set[Any] = set()
    stack = list(trees)
    while stack:
        node = stack.pop()
        for child in (node["pass"], node["fail"]):
            if isinstance(child, dict) and "operator" in child:
                stack.append(child)
            elif isinstance(child, list):
                lengths.add(len(child))
            elif isinstance(child, (int, float, str)) and not isinstance(child, bool):
                lengths.add(None)
            else:
                cx.refuse(where, f"a tree leaf {child!r} (numbers, strings or arrays of "
                                 "numbers compile)")
    if len(lengths) != 1:
        cx.refuse(where, "tree leaves of different kinds or lengths")
    return lengths.pop()


def _rules(datum_type: Any, tree_type: Any) -> dict[str, tuple[bool, bool, bool]]:
    """Which operators the engine takes on each datum field (``field_operators``)."""
    value_field = tree_type.field("value") if isinstance(tree_type, AvroRecord) else None
    if not isinstance(datum_type, AvroRecord) or value_field is None:
        return {}
    out = {}
    for f in datum_type.fields:
        membership, ordering = field_operators(f.type, value_field.type)
        out[f.name] = (ordering, membership, nullable_base(f.type) is not None)
    return out


def ensemble(cx: Any, datum: Any, trees: list[dict[str, Any]], tree_type: Any,
             where: str) -> tuple[str, int | None, list[Any]]:
    """One TreeEnsemble for ``trees``: the ``[N, T·k]`` output (tree-major), k, labels."""
    features, x = _features(cx, datum, where)
    k = _leaf_shape(trees, cx, where)
    ens = _Ensemble(features, _rules(datum.type, tree_type))
    width = 1 if k is None else k
    for t, tree in enumerate(trees):
        for j in range(width):
            ens.add_tree(tree, t * width + j, None if k is None else j, cx, where)
    return ens.emit(cx, x, len(trees) * width), k, ens.labels


def _leaf_value(cx: Any, y: str, k: int | None, labels: list[Any], leaf_type: Any,
                n_trees: int) -> Tensor:
    """The ensemble output as the leaf type: ``[N, T]``/``[N, T, k]`` for forests (``n_trees``
    > 0), ``[N, 1]``/``[N, k]`` for one tree."""
    if labels:
        idx = cx.g.op("Cast", [y], to=TensorProto.INT64)
        name = cx.g.op("Gather", [cx.g.const(np.array(labels, dtype=object)), idx], axis=0)
        return Tensor(name, leaf_type, TensorProto.STRING, (n_trees or 1,))
    kind = scalar_kind(leaf_type)
    elem = {"int": TensorProto.INT64, "long": TensorProto.INT64, "float": TensorProto.FLOAT
            }.get(kind or "", D)
    if elem != D:
        y = cx.g.op("Cast", [y], to=elem)
    if k is None:
        return Tensor(y, leaf_type, elem, (n_trees or 1,))
    if not n_trees:
        return Tensor(y, leaf_type, elem, (k,))
    name = cx.g.op("Reshape", [y, cx.g.const(np.array([-1, n_trees, k], dtype=np.int64))])
    return Tensor(name, leaf_type, elem, (n_trees, k))


def _trees(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


@lowering("model.tree.simpleTree", FAMILY, "constant trees → one opset-5 TreeEnsemble "
          "(double thresholds, set splits, missing-value routing)")
def simple_tree(cx: Any, site: Any, args: list[Any]) -> Any:
    datum, tree = args
    if isinstance(datum, Never):
        return datum
    if not isinstance(tree, Const):
        cx.refuse(site.path, "a tree that depends on the input (only constant trees compile)")
    y, k, labels = ensemble(cx, datum, [tree.value], site.param_types[1], site.path)
    leaf_t = site.ret_type
    out = _leaf_value(cx, y, k, labels, leaf_t, 0)
    return Tensor(out.name, leaf_t, out.elem, out.shape)


def forest_map(cx: Any, site: Any, arr: Any, fn: Any) -> Any:
    """``a.map(trees, fcn(t) -> simpleTree(datum, t))`` over constant trees as one ensemble,
    or None when the call is not of that shape."""
    if not isinstance(arr, Const) or not isinstance(fn, A.FcnDef) or len(fn.params) != 1 \
            or len(fn.body) != 1 or not arr.value:
        return None
    call = fn.body[0]
    param = fn.params[0].name
    if not (isinstance(call, A.Call) and call.name == "model.tree.simpleTree"
            and isinstance(call.args[1], A.Ref) and call.args[1].name == param
            and not any(isinstance(n, A.Ref) and n.name == param
                        for n in _walk(call.args[0]))):
        return None
    datum = cx.expr(call.args[0])
    if isinstance(datum, Never):
        return datum
    leaf_t = call.type
    y, k, labels = ensemble(cx, datum, list(arr.value), call.resolved.param_types[1], call.path)
    out = _leaf_value(cx, y, k, labels, leaf_t, len(arr.value))
    return Tensor(out.name, site.ret_type, out.elem, out.shape)


def forest_fold(cx: Any, arr: Any, fn: Any) -> tuple[Any, list[Any]] | None:
    """For ``a.fold``/``a.reduce`` over constant trees whose body walks the item with
    ``model.tree.simpleTree(datum, item)`` (``datum`` not using the parameters): the call node
    and each tree's leaf value, computed by one ensemble; None otherwise."""
    if not isinstance(arr, Const) or not isinstance(fn, A.FcnDef) or not arr.value \
            or not all(isinstance(t, dict) for t in arr.value):
        return None
    params = {p.name for p in fn.params}
    calls = [n for e in fn.body for n in _walk(e)
             if isinstance(n, A.Call) and n.name == "model.tree.simpleTree"]
    if len(calls) != 1:
        return None
    call = calls[0]
    if not (isinstance(call.args[1], A.Ref) and call.args[1].name in params) or any(
            isinstance(n, A.Ref) and n.name in params for n in _walk(call.args[0])):
        return None
    datum = cx.expr(call.args[0])
    if isinstance(datum, Never):
        return None
    y, k, labels = ensemble(cx, datum, list(arr.value), call.resolved.param_types[1],
                            call.path)
    out = _leaf_value(cx, y, k, labels, call.type, len(arr.value))
    from pfa.onnx.compiler.building import columns

    per_tree = columns(cx, Tensor(out.name, AvroArray(call.type), out.elem, out.shape))
    return call, per_tree


def _walk(node: Any) -> list[Any]:
    out, stack = [], [node]
    while stack:
        n = stack.pop()
        out.append(n)
        stack.extend(A.children(n))
    return out


__all__ = ["AvroArray", "forest_map", "ensemble"]
