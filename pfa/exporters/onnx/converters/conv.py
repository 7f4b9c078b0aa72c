"""Convolutions and pools over 1-D, 2-D (or more) spatial axes of a row ``[C, d1, …]``.

Each output position reads a window of input positions, fixed by the kernel, strides,
dilations and pads: the windows are computed here as constant index arrays (-1 marks
padding). A convolution is then one ``la.dot`` per group (weights ``[M/g, C/g·k]`` times the
windows ``[C/g·k, positions]``); a pool maps ``a.max`` / ``a.mean`` over the windows.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from pfa.exporters.onnx.context import ImportContext
from pfa.exporters.onnx.tensors import Tensor
from pfa.exporters.registry import converter

ONNX = "ai.onnx"


def _pads(ctx: ImportContext, node: Any, spatial: tuple[int, ...], kernel: tuple[int, ...],
          strides: tuple[int, ...], dilations: tuple[int, ...]) -> tuple[list[int], list[int]]:
    """(begin pads, end pads) of each spatial axis, from ``pads`` or ``auto_pad``."""
    d = len(spatial)
    auto = ctx.attr(node, "auto_pad", "NOTSET")
    if auto in ("NOTSET", ""):
        pads = list(ctx.attr(node, "pads", [0] * 2 * d))
        if len(pads) != 2 * d:
            ctx.refuse(f"pads has {len(pads)} values for {d} spatial axes")
        return pads[:d], pads[d:]
    if auto == "VALID":
        return [0] * d, [0] * d
    if auto not in ("SAME_UPPER", "SAME_LOWER"):
        ctx.refuse(f"auto_pad {auto!r} is not supported")
    begin, end = [], []
    for n, k, s, dil in zip(spatial, kernel, strides, dilations, strict=True):
        out = -(-n // s)
        total = max(0, (out - 1) * s + (k - 1) * dil + 1 - n)
        small, large = total // 2, total - total // 2
        begin.append(small if auto == "SAME_UPPER" else large)
        end.append(large if auto == "SAME_UPPER" else small)
    return begin, end


def windows(spatial: tuple[int, ...], kernel: tuple[int, ...], strides: tuple[int, ...],
            dilations: tuple[int, ...], begin: list[int], end: list[int],
            ceil_mode: bool = False) -> tuple[tuple[int, ...], np.ndarray, np.ndarray]:
    """Output spatial shape; for each output position (rows) and kernel offset (columns)
    the flat input position (-1 outside the input) and whether it lies inside the padded
    input (False for the overhang that ``ceil_mode`` adds)."""
    out_shape = []
    for n, k, s, dil, b, e in zip(spatial, kernel, strides, dilations, begin, end,
                                  strict=True):
        span = n + b + e - ((k - 1) * dil + 1)
        count = (-(-span // s) if ceil_mode else span // s) + 1
        if ceil_mode and (count - 1) * s >= n + b:
            count -= 1
        out_shape.append(max(count, 0))
    positions = list(itertools.product(*(range(o) for o in out_shape)))
    offsets = list(itertools.product(*(range(k) for k in kernel)))
    index = np.full((len(positions), len(offsets)), -1, dtype=np.int64)
    padded = np.zeros(index.shape, dtype=bool)
    strides_flat = np.cumprod((1, *spatial[::-1]))[:-1][::-1]
    for p, pos in enumerate(positions):
        for q, off in enumerate(offsets):
            coords = [o * s + k * dil - b for o, k, s, dil, b in
                      zip(pos, off, strides, dilations, begin, strict=True)]
            inside = all(0 <= c < n for c, n in zip(coords, spatial, strict=True))
            padded[p, q] = all(-b <= c < n + e for c, n, b, e in
                               zip(coords, spatial, begin, end, strict=True))
            if inside:
                index[p, q] = int(np.dot(coords, strides_flat))
    return tuple(out_shape), index, padded


def _geometry(ctx: ImportContext, node: Any, x: Tensor, kernel: tuple[int, ...]) -> Any:
    spatial = x.shape[1:]
    d = len(spatial)
    if d == 0 or len(kernel) != d:
        ctx.refuse(f"kernel {list(kernel)} does not fit the row shape {list(x.shape)}")
    strides = tuple(ctx.attr(node, "strides", [1] * d))
    dilations = tuple(ctx.attr(node, "dilations", [1] * d))
    begin, end = _pads(ctx, node, spatial, kernel, strides, dilations)
    ceil_mode = bool(ctx.attr(node, "ceil_mode", 0))
    return spatial, windows(spatial, kernel, strides, dilations, begin, end, ceil_mode)


@converter("onnx", ONNX, "Conv", "transformer", "constant weights; pads, strides, dilations, "
                                                  "groups")
def conv(ctx: ImportContext, node: Any, inputs: list[Tensor | None]) -> list[Tensor]:
    x, w = inputs[0], inputs[1]
    bias = inputs[2] if len(inputs) > 2 else None
    if not w.is_const or (bias is not None and not bias.is_const) or x.is_const:
        ctx.refuse("Conv is supported with constant weights and bias")
    if x.elem != "double":
        ctx.refuse("Conv of integers is not supported")
    weights = np.asarray(w.const, dtype=np.float64)
    groups = int(ctx.attr(node, "group", 1))
    channels = x.shape[0] if x.shape else 0
    m = weights.shape[0]
    if groups <= 0 or channels % groups or m % groups or weights.shape[1] * groups != channels:
        ctx.refuse(f"weights {list(weights.shape)} and group {groups} do not fit "
                   f"{channels} channels")
    kernel = tuple(ctx.attr(node, "kernel_shape", weights.shape[2:]))
    spatial, (out_shape, index, _) = _geometry(ctx, node, x, kernel)
    size = int(np.prod(spatial, dtype=np.int64))
    per_group = channels // groups
    name = node.output[0]
    parts = []
    for g in range(groups):
        rows = []  # [C/g · k] rows of output positions
        for c in range(g * per_group, (g + 1) * per_group):
            shifted = np.where(index < 0, -1, index + c * size)
            rows.extend(shifted.T)
        patches = ctx.rows(x, np.asarray(rows), f"{name}_windows" if groups == 1 else
                           f"{name}_windows_g{g}", pad=0.0)
        wg = weights[g * (m // groups):(g + 1) * (m // groups)].reshape(m // groups, -1)
        parts.append({"la.dot": [ctx.cell(f"{w.name}" if groups == 1 else f"{w.name}_g{g}",
                                          wg, "double"), patches]})
    matrix: Any = parts[0]
    for p in parts[1:]:
        matrix = {"a.concat": [matrix, p]}
    shape = (m, *out_shape)
    if bias is None:
        return [ctx.emit(name, "double", shape, {"a.flatten": [matrix]})]
    product = ctx.emit(f"{name}_product", "double", shape, {"a.flatten": [matrix]})
    shift = Tensor(bias.name, "double", (m,) + (1,) * len(out_shape),
                   const=np.asarray(bias.const, dtype=np.float64).reshape(
                       (m,) + (1,) * len(out_shape)))
    return [ctx.elementwise(name, [product, shift], "double", lambda a, b: {"+": [a, b]})]


@converter("onnx", ONNX, ["MaxPool", "AveragePool"], "transformer",
           "pads, strides, dilations, ceil_mode, count_include_pad")
def pool(ctx: ImportContext, node: Any, inputs: list[Tensor]) -> list[Tensor]:
    x = inputs[0]
    if x.elem != "double":
        ctx.refuse(f"{node.op_type} of {x.elem} values is not supported")
    if len(node.output) > 1 and node.output[1]:
        ctx.refuse("the Indices output is not supported")
    kernel = tuple(ctx.attr(node, "kernel_shape", []))
    if int(ctx.attr(node, "storage_order", 0)):
        ctx.refuse("storage_order 1 is not supported")
    spatial, (out_shape, index, padded) = _geometry(ctx, node, x, kernel)
    size = int(np.prod(spatial, dtype=np.int64))
    include_pad = bool(ctx.attr(node, "count_include_pad", 0))
    is_max = node.op_type == "MaxPool"
    groups: list[list[int]] = []
    for c in range(x.shape[0]):
        for row, pad_row in zip(index, padded, strict=True):
            if is_max:
                groups.append([int(i) + c * size for i in row if i >= 0])
            else:
                groups.append([int(i) + c * size if i >= 0 else -1
                               for i, inside in zip(row, pad_row, strict=True)
                               if i >= 0 or (include_pad and inside)])
    if any(not g for g in groups):
        ctx.refuse("a window lies entirely in the padding")
    rows = ctx.rows(x, groups, f"{node.output[0]}_windows", pad=0.0)
    fn = "a.max" if is_max else "a.mean"
    return [ctx.per_row(node.output[0], rows, "double", "double",
                        (x.shape[0], *out_shape), lambda r: {fn: [r]})]
