"""ONNX ops that combine the values along some axes of a row: ``Reduce*``, ``ArgMax`` /
``ArgMin``, ``Softmax`` / ``LogSoftmax`` and the global pools. The values of each group
are gathered into one array (:func:`~pfa.exporters.onnx.context.axis_groups`) and combined
with a PFA array function."""

from __future__ import annotations

from typing import Any

import numpy as np

from pfa.exporters.onnx.context import ImportContext, axis_groups, norm_axes
from pfa.exporters.onnx.tensors import Tensor, array_of
from pfa.exporters.registry import converter

ONNX = "ai.onnx"


def _sum_of(expr: Any, elem: str, body: Any = None) -> Any:
    """``a.sum`` of ``expr``, each element mapped by ``body`` first."""
    if body is None:
        return {"a.sum": [expr]}
    return {"a.sum": [{"a.map": [expr, {"params": [{"v": elem}], "ret": elem, "do": body}]}]}


#: ONNX reduction → body of the group array ``r`` (element type ``e``)
REDUCERS: dict[str, Any] = {
    "ReduceSum": lambda r, e: {"a.sum": [r]},
    "ReduceMean": lambda r, e: {"a.mean": [r]},
    "ReduceMax": lambda r, e: {"a.max": [r]},
    "ReduceMin": lambda r, e: {"a.min": [r]},
    "ReduceProd": lambda r, e: {"a.product": [r]},
    "ReduceSumSquare": lambda r, e: _sum_of(r, e, {"*": ["v", "v"]}),
    "ReduceL1": lambda r, e: _sum_of(r, e, {"m.abs": ["v"]}),
    "ReduceL2": lambda r, e: {"m.sqrt": [_sum_of(r, e, {"*": ["v", "v"]})]},
    "ReduceLogSum": lambda r, e: {"m.ln": [{"a.sum": [r]}]},
    "ReduceLogSumExp": lambda r, e: {"a.logsumexp": [r]},
}
FLOAT_ONLY = {"ReduceMean", "ReduceL2", "ReduceLogSum", "ReduceLogSumExp"}


def _reduce_axes(ctx: ImportContext, node: Any, inputs: list[Tensor | None],
                 x: Tensor) -> list[int] | None:
    """The per-row axes a reduction combines (None: reduce nothing, the identity)."""
    full = len(x.shape) + 1
    if len(inputs) > 1 and inputs[1] is not None:
        if not inputs[1].is_const:
            ctx.refuse("the axes must be a constant")
        axes = np.asarray(inputs[1].const).reshape(-1)
    else:
        axes = ctx.attr(node, "axes", None)
        axes = None if axes is None else np.asarray(axes)
    if axes is None or axes.size == 0:
        if int(ctx.attr(node, "noop_with_empty_axes", 0)):
            return None
        ctx.refuse("reducing over every axis includes the batch axis")
    return norm_axes(ctx, axes, full)


@converter("onnx", ONNX, list(REDUCERS), "transformer", "axes other than the batch axis")
def reduce(ctx: ImportContext, node: Any, inputs: list[Tensor | None]) -> list[Tensor]:
    x = inputs[0]
    if x.elem not in ("double", "long") or (x.elem == "long" and node.op_type in FLOAT_ONLY):
        ctx.refuse(f"{node.op_type} of {x.elem} values is not supported")
    axes = _reduce_axes(ctx, node, inputs, x)
    if axes is None:
        return [Tensor(node.output[0], x.elem, x.shape, symbol=x.symbol)]
    if x.size == 0:
        ctx.refuse("reducing an empty tensor")
    keep = int(ctx.attr(node, "keepdims", 1))
    groups, _ = axis_groups(x.shape, axes)
    shape = tuple(1 if a in axes else d for a, d in enumerate(x.shape)) if keep else \
        tuple(d for a, d in enumerate(x.shape) if a not in axes)
    rows = ctx.rows(x, groups, f"{node.output[0]}_groups")
    fn = REDUCERS[node.op_type]
    return [ctx.per_row(node.output[0], rows, x.elem, x.elem, shape, lambda r: fn(r, x.elem))]


@converter("onnx", ONNX, ["ArgMax", "ArgMin"], "transformer", "first or last index")
def arg_extreme(ctx: ImportContext, node: Any, inputs: list[Tensor]) -> list[Tensor]:
    x = inputs[0]
    if x.elem not in ("double", "long"):
        ctx.refuse(f"{node.op_type} of {x.elem} values is not supported")
    axis = norm_axes(ctx, [ctx.attr(node, "axis", 0)], len(x.shape) + 1)[0]
    keep = int(ctx.attr(node, "keepdims", 1))
    last = int(ctx.attr(node, "select_last_index", 0))
    groups, _ = axis_groups(x.shape, [axis])
    m = groups.shape[1]
    if last:
        groups = groups[:, ::-1]
    shape = tuple(1 if a == axis else d for a, d in enumerate(x.shape)) if keep else \
        tuple(d for a, d in enumerate(x.shape) if a != axis)
    rows = ctx.rows(x, groups, f"{node.output[0]}_groups")
    fn = "a.argmax" if node.op_type == "ArgMax" else "a.argmin"

    def body(r: str) -> Any:
        found: Any = {fn: [r]}
        if last:
            found = {"-": [m - 1, found]}
        return {"cast.long": [found]}
    return [ctx.per_row(node.output[0], rows, x.elem, "long", shape, body)]


@converter("onnx", ONNX, ["Softmax", "LogSoftmax"], "transformer",
           "along axes other than the batch axis")
def softmax(ctx: ImportContext, node: Any, inputs: list[Tensor]) -> list[Tensor]:
    x = inputs[0]
    if x.elem != "double":
        ctx.refuse(f"{node.op_type} of {x.elem} values is not supported")
    full = len(x.shape) + 1
    if ctx.opset() < 13:
        axis = int(ctx.attr(node, "axis", 1))
        axis = axis + full if axis < 0 else axis
        if axis == 0:
            ctx.refuse("the op works across the batch axis")
        axes = list(range(axis - 1, len(x.shape)))
    else:
        axes = norm_axes(ctx, [ctx.attr(node, "axis", -1)], full)
    groups, restore = axis_groups(x.shape, axes)
    rows = ctx.rows(x, groups, f"{node.output[0]}_groups")
    vec = array_of("double")
    if node.op_type == "Softmax":
        body: Any = {"m.link.softmax": ["r"]}
    else:
        body = [{"let": {"lse": {"a.logsumexp": ["r"]}}},
                {"a.map": ["r", {"params": [{"v": "double"}], "ret": "double",
                                 "do": {"-": ["v", "lse"]}}]}]
    mapped = {"a.map": [rows, {"params": [{"r": array_of("double")}], "ret": vec,
                               "do": body}]}
    flat = ctx.emit(f"{node.output[0]}_grouped", "double", (x.size,),
                    {"a.flatten": [mapped]})
    return [ctx.gather(node.output[0], flat, restore, x.shape)]


@converter("onnx", ONNX, ["GlobalAveragePool", "GlobalMaxPool"], "transformer")
def global_pool(ctx: ImportContext, node: Any, inputs: list[Tensor]) -> list[Tensor]:
    x = inputs[0]
    if x.elem != "double" or len(x.shape) < 2:
        ctx.refuse("global pools take doubles of shape [N, C, d1, …]")
    axes = list(range(1, len(x.shape)))
    groups, _ = axis_groups(x.shape, axes)
    shape = (x.shape[0],) + (1,) * (len(x.shape) - 1)
    rows = ctx.rows(x, groups, f"{node.output[0]}_groups")
    fn = "a.mean" if node.op_type == "GlobalAveragePool" else "a.max"
    return [ctx.per_row(node.output[0], rows, "double", "double", shape,
                        lambda r: {fn: [r]})]
