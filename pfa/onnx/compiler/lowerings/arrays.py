"""``a.*`` on arrays of a static length: element-wise bodies run on all items at once, other
bodies are unrolled item by item; sums and extremes go item by item in the engine's order."""

from __future__ import annotations

from typing import Any

import numpy as np
from onnx import TensorProto

from pfa.avro.types import PRIMITIVES, AvroArray
from pfa.document import ast as A
from pfa.onnx.compiler import registry
from pfa.onnx.compiler.building import items, make_array
from pfa.onnx.compiler.lowerings.ops import less
from pfa.onnx.compiler.types import elem_of, scalar_kind
from pfa.onnx.compiler.values import Const, Never, Seq, Tensor

FAMILY = "arrays (a.*)"
INT = PRIMITIVES["int"]
BOOLEAN = PRIMITIVES["boolean"]


def is_elementwise(cx: Any, fn: Any, seen: frozenset[str] = frozenset()) -> bool:
    """Whether every construct of function ``fn`` may run on several lanes at once."""
    if isinstance(fn, A.FcnRef):
        if fn.name.startswith("u."):
            target = cx.typed.doc.fcns.get(fn.name[2:])
            return target is not None and fn.name not in seen and \
                is_elementwise(cx, target, seen | {fn.name})
        lw = registry.find_function(fn.name)
        return lw is not None and lw.elementwise and not fn.fill
    stack = list(fn.body)
    while stack:
        node = stack.pop()
        if isinstance(node, A.Call):
            if node.name.startswith("u."):
                target = cx.typed.doc.fcns.get(node.name[2:])
                if target is None or node.name in seen or \
                        not is_elementwise(cx, target, seen | {node.name}):
                    return False
            else:
                lw = registry.find_function(node.name)
                if lw is None or not lw.elementwise:
                    return False
        elif isinstance(node, A.Expr):
            lw = registry.find_form(type(node).__name__)
            if lw is None or not lw.elementwise:
                return False
        elif isinstance(node, (A.FcnDef, A.FcnRef)):
            return False
        stack.extend(c for c in A.children(node) if isinstance(c, (A.Expr, A.FcnDef, A.FcnRef)))
    return True


def in_lanes(cx: Any, fn: Any, args: list[Tensor], path: str) -> Any:
    """``fn`` applied to every lane of ``[N, k]`` tensors at once."""
    lane_args = [Tensor(t.name, t.type.items, t.elem, t.shape) for t in args]
    saved = cx.lanes
    cx.lanes = True
    try:
        return cx.apply(fn, lane_args, path)
    finally:
        cx.lanes = saved


def _lanes_ok(cx: Any, fn: Any, arrays: list[Any]) -> bool:
    return all(isinstance(a, Tensor) and len(a.shape) == 1 for a in arrays) and \
        len({a.shape for a in arrays}) == 1 and is_elementwise(cx, fn)


def _as_lanes(cx: Any, value: Any, like: Tensor, ret_type: Any, where: Any) -> Tensor:
    elem = elem_of(ret_type, where, cx)
    t = cx.tensor(value, where, elem)
    if t.shape != like.shape:  # a body that ignores its lanes: broadcast
        zeros = cx.g.op("Mul", [cx.g.op("Cast", [like.name], to=elem),
                                cx.g.const(np.zeros((1, 1), dtype=_np(elem)))]) \
            if elem in (TensorProto.DOUBLE, TensorProto.FLOAT, TensorProto.INT64) else None
        if zeros is None:
            cx.refuse(where, "a body whose value does not depend on its item")
        t = cx.op("Add", [t, Tensor(zeros, ret_type, elem, like.shape)], ret_type, elem,
                  shape=like.shape)
    return t


def _np(elem: int) -> Any:
    return {TensorProto.DOUBLE: np.float64, TensorProto.FLOAT: np.float32,
            TensorProto.INT64: np.int64}[elem]


def _map_like(cx: Any, site: Any, arrays: list[Any], fn: Any) -> Any:
    if (n := next((a for a in arrays if isinstance(a, Never)), None)) is not None:
        return n
    if _lanes_ok(cx, fn, arrays):
        out = in_lanes(cx, fn, arrays, site.path)
        if isinstance(out, Never):
            return out
        ret_items = site.ret_type.items
        t = _as_lanes(cx, out, arrays[0], ret_items, site.path)
        return Tensor(t.name, site.ret_type, t.elem, arrays[0].shape)
    lists = [items(cx, a, site.path) for a in arrays]
    if len({len(x) for x in lists}) != 1:
        cx.refuse(site.path, "arrays of different lengths")
    results = [cx.apply(fn, list(group), site.path) for group in zip(*lists)]
    if any(isinstance(r, Never) for r in results):
        return next(r for r in results if isinstance(r, Never))
    return make_array(cx, results, site.ret_type, site.path)


@registry.lowering("a.map", FAMILY, "element-wise bodies on all items at once, others "
                   "unrolled; a forest of `model.tree.simpleTree` → one TreeEnsemble")
def a_map(cx: Any, site: Any, args: list[Any]) -> Any:
    from pfa.onnx.compiler.lowerings.trees import forest_map

    forest = forest_map(cx, site, args[0], args[1])
    if forest is not None:
        return forest
    return _map_like(cx, site, [args[0]], args[1])


@registry.lowering("a.zipmap", FAMILY)
def a_zipmap(cx: Any, site: Any, args: list[Any]) -> Any:
    return _map_like(cx, site, list(args[:-1]), args[-1])


@registry.lowering(["a.fold", "a.reduce", "a.foldRight"], FAMILY, "unrolled (static length)")
def a_fold(cx: Any, site: Any, args: list[Any]) -> Any:
    seq = items(cx, args[0], site.path)
    fn = args[-1]
    if site.name == "a.reduce":
        if not seq:
            cx.refuse(site.path, "a.reduce of an empty array")
        acc, rest = seq[0], seq[1:]
    else:
        acc, rest = args[1], seq
    from pfa.onnx.compiler.lowerings.trees import forest_fold

    forest = forest_fold(cx, Const(args[0].value[len(seq) - len(rest):], args[0].type)
                         if isinstance(args[0], Const) else args[0], fn)
    if site.name == "a.foldRight":
        rest = list(reversed(rest))
    leaves = list(reversed(forest[1])) if forest and site.name == "a.foldRight" else \
        (forest[1] if forest else None)
    for i, item in enumerate(rest):
        if forest is not None:  # this item's tree walk, computed by the forest's ensemble
            cx.precomputed[id(forest[0])] = leaves[i]
        try:
            acc = cx.apply(fn, [acc, item] if site.name != "a.foldRight" else [item, acc],
                           site.path)
        finally:
            if forest is not None:
                cx.precomputed.pop(id(forest[0]), None)
        if isinstance(acc, Never):
            break
    return acc


def _reduce(cx: Any, site: Any, arr: Any, step: Any) -> list[Tensor]:
    seq = items(cx, arr, site.path)
    if not seq:
        cx.refuse(site.path, f"{site.name} of an empty array (the engine raises)")
    return [cx.tensor(x, site.path) for x in seq]


@registry.lowering("a.sum", FAMILY, "added item by item in the engine's order")
def a_sum(cx: Any, site: Any, args: list[Any]) -> Any:
    (arr,) = args
    if isinstance(arr, Const):
        return _const_sum(arr, site)
    elem = elem_of(site.ret_type, site.path, cx)
    seq = [cx.tensor(x, site.path, elem) for x in items(cx, arr, site.path)]
    zero = Const(0.0 if elem != TensorProto.INT64 else 0, site.ret_type)
    acc = cx.tensor(zero, site.path, elem)
    for t in seq:
        acc = cx.op("Add", [acc, t], site.ret_type, elem)
    return acc


def _const_sum(arr: Const, site: Any) -> Const:
    total: Any = 0.0 if site.ret_type.name in ("double", "float") else 0
    for v in arr.value:
        total += v
    return Const(total, site.ret_type)


def _best(cx: Any, site: Any, arr: Any, want_max: bool, arg: bool) -> Any:
    if isinstance(arr, Never):
        return arr
    item_t = site.param_types[0].items
    elem = elem_of(item_t, site.path, cx)
    seq = [cx.tensor(x, site.path, elem) for x in items(cx, arr, site.path)]
    if not seq:
        cx.refuse(site.path, f"{site.name} of an empty array (the engine raises)")
    best = seq[0]
    index = cx.tensor(Const(0, INT), site.path, TensorProto.INT64)
    for i, x in enumerate(seq[1:], start=1):
        better = less(cx, site, best, x, elem) if want_max else less(cx, site, x, best, elem)
        flag = Tensor(better, BOOLEAN, TensorProto.BOOL, (1,))
        best = cx.op("Where", [flag, x, best], item_t, elem)
        if arg:
            here = cx.tensor(Const(i, INT), site.path, TensorProto.INT64)
            index = cx.op("Where", [flag, here, index], INT, TensorProto.INT64)
    if not arg:
        return best
    return Tensor(index.name, site.ret_type, TensorProto.INT64, (1,)) if \
        not cx.is_constant(index) else Const(0, site.ret_type)


for _name, _max, _arg in (("a.max", True, False), ("a.min", False, False),
                          ("a.argmax", True, True), ("a.argmin", False, True)):
    def _make(want_max: bool, arg: bool) -> Any:
        def lower(cx: Any, site: Any, args: list[Any]) -> Any:
            return _best(cx, site, args[0], want_max, arg)
        return lower
    registry.lowering(_name, FAMILY, "the first best item; NaN above every number")(
        _make(_max, _arg))


def _predicate_lanes(cx: Any, site: Any, arr: Any, fn: Any) -> Tensor:
    """A boolean ``[N, k]`` tensor of ``fn`` on every item."""
    if isinstance(fn, (A.FcnDef, A.FcnRef)):
        if _lanes_ok(cx, fn, [arr]):
            out = in_lanes(cx, fn, [arr], site.path)
            return _as_lanes(cx, out, arr, BOOLEAN, site.path)
        results = [cx.apply(fn, [x], site.path) for x in items(cx, arr, site.path)]
        return make_array(cx, results, AvroArray(BOOLEAN), site.path)
    cx.refuse(site.path, f"{site.name} with a value argument")


def _count_like(name: str, how: str) -> None:
    @registry.lowering(name, FAMILY)
    def lower(cx: Any, site: Any, args: list[Any]) -> Any:
        arr, fn = args
        if isinstance(arr, Never):
            return arr
        if not isinstance(fn, (A.FcnDef, A.FcnRef)):  # a.count(a, x): items equal to x
            from pfa.onnx.compiler.lowerings.ops import equal

            elem = elem_of(site.param_types[0].items, site.path, cx)
            flags = Tensor(equal(cx, site, cx.tensor(arr, site.path, elem), fn, elem), BOOLEAN,
                           TensorProto.BOOL, cx.tensor(arr, site.path).shape)
        else:
            flags = _predicate_lanes(cx, site, arr, fn)
        if isinstance(flags, Const):
            vals = [bool(v) for v in flags.value]
            out = {"count": sum(vals), "any": any(vals), "all": all(vals)}[how]
            return Const(out, site.ret_type)
        t = cx.tensor(flags, site.path)
        as_int = cx.g.op("Cast", [t.name], to=TensorProto.INT64)
        axis = cx.g.const(np.array([1]))
        if how == "count":
            return Tensor(cx.g.op("ReduceSum", [as_int, axis], keepdims=1), site.ret_type,
                          TensorProto.INT64, (1,))
        red = cx.g.op("ReduceMax" if how == "any" else "ReduceMin", [as_int, axis], keepdims=1)
        return Tensor(cx.g.op("Cast", [red], to=TensorProto.BOOL), site.ret_type,
                      TensorProto.BOOL, (1,))


_count_like("a.count", "count")
_count_like("a.any", "any")
_count_like("a.all", "all")


@registry.lowering("a.len", FAMILY)
def a_len(cx: Any, site: Any, args: list[Any]) -> Any:
    return Const(len(items(cx, args[0], site.path)), site.ret_type)


@registry.lowering("a.flatten", FAMILY)
def a_flatten(cx: Any, site: Any, args: list[Any]) -> Any:
    (arr,) = args
    if isinstance(arr, Const):
        return Const([x for row in arr.value for x in row], site.ret_type)
    parts = [cx.tensor(x, site.path) for x in items(cx, arr, site.path)]
    if not parts:
        return Const([], site.ret_type)
    elem = elem_of(site.ret_type.items, site.path, cx)
    parts = [cx.cast(p, elem) for p in parts]
    name = cx.g.op("Concat", [cx.batched(p) for p in parts], axis=1)
    return Tensor(name, site.ret_type, elem, (sum(p.shape[0] for p in parts),))


@registry.lowering("a.concat", FAMILY)
def a_concat(cx: Any, site: Any, args: list[Any]) -> Any:
    if all(isinstance(a, Const) for a in args):
        return Const(args[0].value + args[1].value, site.ret_type)
    kind = scalar_kind(site.ret_type.items)
    if kind is None:
        return Seq(tuple(items(cx, args[0], site.path) + items(cx, args[1], site.path)),
                   site.ret_type)
    elem = elem_of(kind, site.path, cx)
    parts = [cx.tensor(a, site.path, elem) for a in args]
    name = cx.g.op("Concat", [cx.batched(p) for p in parts], axis=1)
    return Tensor(name, site.ret_type, elem, (sum(p.shape[0] for p in parts),))
