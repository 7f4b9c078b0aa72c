"""Layout ONNX ops: where each output value comes from is fixed at import time.

The op itself (ONNX's reference implementation) is run on arrays of *positions* in place of
the row tensors, with a batch of two rows: the result says, for every output value, which
input value it copies (or that it is padding), and whether any output row reads another
row (then the op works across the batch axis and is refused). The document then gathers
the row's values by that constant index array — a reshape that moves nothing is free.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from pfa.exporters.onnx.context import ImportContext
from pfa.exporters.onnx.reference import run_node
from pfa.exporters.onnx.tensors import BATCH_SIZE, Tensor, index_grid
from pfa.exporters.registry import converter

#: ops that only move values, and which inputs carry row data (others must be constants)
MOVERS: dict[str, tuple[int, ...]] = {
    "Reshape": (0,), "Flatten": (0,), "Squeeze": (0,), "Unsqueeze": (0,),
    "Transpose": (0,), "Slice": (0,), "Concat": (), "Split": (0,), "Pad": (0,),
    "Expand": (0,), "Tile": (0,), "DepthToSpace": (0,), "SpaceToDepth": (0,),
}


@converter("onnx", "ai.onnx", [*MOVERS, "Gather"], "transformer",
           "static shapes; the batch axis must stay first")
def move(ctx: ImportContext, node: Any, inputs: list[Tensor | None]) -> list[Tensor]:
    op = node.op_type
    if op == "Gather" and inputs[0] is not None and inputs[0].is_const:
        return [lookup(ctx, node, inputs[0], inputs[1])]
    data_positions = range(len(inputs)) if op == "Concat" else MOVERS.get(op, (0,))
    rows = [k for k, t in enumerate(inputs) if t is not None and not t.is_const]
    if any(k not in data_positions for k in rows):
        ctx.refuse("only the data input may depend on the row; the others must be constants")
    return positions_op(ctx, node, inputs, rows)


def positions_op(ctx: ImportContext, node: Any, inputs: list[Tensor | None],
                 rows: list[int], pad_value: Any = None) -> list[Tensor]:
    """Run ``node`` on position arrays for the row inputs ``rows`` and gather the values."""
    sizes = [inputs[k].size for k in rows]
    total = int(sum(sizes))
    feeds: list[Any] = []
    offsets = {}
    base = 0
    for k, t in enumerate(inputs):
        if t is None:
            feeds.append(None)
        elif k in rows:
            grid = index_grid(t.shape) + 1 + base
            offsets[k] = base
            base += t.size
            feeds.append(np.stack([grid, grid + total]))
        elif t.batch_dim:  # a shape holding the batch size: the two rows run here
            feeds.append(np.where(t.const == BATCH_SIZE, 2, t.const))
        else:
            feeds.append(t.const)
    elem = inputs[rows[0]].elem
    if any(inputs[k].elem != elem for k in rows):
        ctx.refuse("inputs of different element types")
    if node.op_type == "Pad":
        pad_value = _pad_value(ctx, node, inputs, elem)
        if len(feeds) > 2 and feeds[2] is not None:
            feeds[2] = np.zeros((), dtype=np.int64)
    outs = run_node(node, feeds, ctx.opsets)
    if len(rows) > 1:
        combined = ctx.emit(f"{node.output[0]}_parts", elem, (total,),
                            {"a.concat": [inputs[rows[0]].symbol, inputs[rows[1]].symbol]}
                            if len(rows) == 2 else _concat_all(ctx, inputs, rows))
    else:
        combined = inputs[rows[0]]
    results = []
    for name, out in zip(node.output, outs, strict=False):
        out = np.asarray(out)
        if out.ndim == 0 or out.shape[0] != 2:
            ctx.refuse("the op changes the batch axis (axis 0: one row per record)")
        first, second = out[0], out[1]
        ok_first = (first == 0) | ((first >= 1) & (first <= total))
        ok_second = (second == 0) | ((second > total) & (second <= 2 * total))
        if not (ok_first.all() and ok_second.all()) or not np.array_equal(
                np.where(second == 0, 0, second - total), first):
            ctx.refuse("the op mixes values of different rows (it works across the batch axis)")
        index = first.astype(np.int64) - 1
        if (index < 0).any() and pad_value is None:
            ctx.refuse("the op creates values that are not copies of its input")
        results.append(ctx.gather(name, combined, index, tuple(first.shape),
                                  pad=pad_value if (index < 0).any() else None))
    return results


def _concat_all(ctx: ImportContext, inputs: list[Tensor | None], rows: list[int]) -> Any:
    expr: Any = inputs[rows[0]].symbol
    for k in rows[1:]:
        expr = {"a.concat": [expr, inputs[k].symbol]}
    return expr


def _pad_value(ctx: ImportContext, node: Any, inputs: list[Tensor | None], elem: str) -> Any:
    mode = ctx.attr(node, "mode", "constant")
    if mode != "constant":
        return None
    if ctx.opset() < 11:
        return float(ctx.attr(node, "value", 0.0))
    if len(inputs) > 2 and inputs[2] is not None:
        if not inputs[2].is_const:
            ctx.refuse("the pad value must be a constant")
        return np.asarray(inputs[2].const).reshape(-1)[0].item() if inputs[2].const.size \
            else 0
    return "" if elem == "string" else (False if elem == "boolean" else 0)


def lookup(ctx: ImportContext, node: Any, table: Tensor, indices: Tensor) -> Tensor:
    """``Gather`` of a constant table by row indices (an embedding or category lookup)."""
    axis = int(ctx.attr(node, "axis", 0))
    if indices.elem != "long":
        ctx.refuse("Gather indices must be integers")
    if axis not in (0, -table.const.ndim) or table.const.ndim == 0:
        ctx.refuse("Gather of a constant table by row indices: only axis 0 is supported")
    n = table.const.shape[0]
    entry_shape = tuple(table.const.shape[1:])
    entries = table.const.reshape(n, -1)
    width = entries.shape[1]
    fix = {"if": {"<": ["i", 0]}, "then": {"+": ["i", n]}, "else": "i"}
    if width == 1:
        ref = ctx.cell(table.name, entries.reshape(-1), table.elem)
        body: Any = {"attr": ref, "path": [fix]}
        fcn = {"params": [{"j": "long"}], "ret": table.elem,
               "do": [{"let": {"i": {"cast.int": ["j"]}}}, body]}
        return ctx.emit(node.output[0], table.elem, indices.shape + entry_shape,
                        {"a.map": [indices.symbol, fcn]})
    ref = ctx.cell(table.name, entries, table.elem)
    fcn = {"params": [{"j": "long"}], "ret": {"type": "array", "items": table.elem},
           "do": [{"let": {"i": {"cast.int": ["j"]}}}, {"attr": ref, "path": [fix]}]}
    return ctx.emit(node.output[0], table.elem, indices.shape + entry_shape,
                    {"a.flatten": [{"a.map": [indices.symbol, fcn]}]})


@converter("onnx", "ai.onnx", "Shape", "transformer", "per-row dimensions only (start ≥ 1)")
def shape(ctx: ImportContext, node: Any, inputs: list[Tensor]) -> list[Tensor]:
    """The static per-row dimensions of a row tensor, as a constant."""
    x = inputs[0]
    full = (-1, *x.shape)
    start = int(ctx.attr(node, "start", 0))
    end = ctx.attr(node, "end", None)
    dims = full[start:] if end is None else full[start:int(end)]
    values = np.asarray([BATCH_SIZE if d == -1 else d for d in dims], dtype=np.int64)
    return [Tensor(node.output[0], "long", values.shape, const=values, onnx_type=7,
                   batch_dim=-1 in dims)]
