"""Matrix products (``MatMul``, ``Gemm``) with ``la.dot``, and ``BatchNormalization`` at
inference (folded into one scale and one shift per channel)."""

from __future__ import annotations

from typing import Any

import numpy as np

from pfa.exporters.onnx.context import ImportContext
from pfa.exporters.onnx.tensors import Tensor, index_grid
from pfa.exporters.registry import converter

ONNX = "ai.onnx"


def matmul(ctx: ImportContext, name: str, a: Tensor, b: Tensor) -> Tensor:
    """Row tensor ``name`` = ``a @ b`` (ONNX MatMul semantics) when the batch axis stays a
    batch axis: a row ``a`` times a constant matrix or vector, a constant matrix times a
    row of matrices, or two rows of matrices."""
    if a.elem != "double" or b.elem != "double":
        ctx.refuse("matrix products of integers are not supported")
    if not a.is_const and b.is_const:
        w = np.asarray(b.const, dtype=np.float64)
        if w.ndim > 2 or w.ndim == 0:
            ctx.refuse(f"a row times a constant of rank {w.ndim} is not supported")
        k = a.shape[-1] if a.shape else 1
        if not a.shape or w.shape[0] != k:
            ctx.refuse(f"shapes {list(a.shape)} and {list(w.shape)} do not multiply")
        rows = ctx.rows(a, index_grid(a.shape).reshape(-1, k), f"{name}_rows")
        if w.ndim == 1:
            return ctx.emit(name, "double", a.shape[:-1],
                            {"la.dot": [rows, ctx.cell(b.name, w, "double")]})
        return ctx.emit(name, "double", a.shape[:-1] + (w.shape[1],),
                        {"a.flatten": [{"la.dot": [rows, ctx.cell(b.name, w, "double")]}]})
    if a.is_const and not b.is_const:
        w = np.asarray(a.const, dtype=np.float64)
        if len(b.shape) != 2 or w.ndim not in (1, 2) or w.shape[-1] != b.shape[0]:
            ctx.refuse(f"a constant {list(w.shape)} times rows {list(b.shape)}: only a "
                       "matrix times a row of matrices is supported")
        if w.ndim == 1:
            rows = ctx.rows(b, index_grid(b.shape).T, f"{name}_columns")
            return ctx.emit(name, "double", (b.shape[1],),
                            {"la.dot": [rows, ctx.cell(a.name, w, "double")]})
        cols = ctx.rows(b, index_grid(b.shape), f"{name}_matrix")
        return ctx.emit(name, "double", (w.shape[0], b.shape[1]),
                        {"a.flatten": [{"la.dot": [ctx.cell(a.name, w, "double"), cols]}]})
    if len(a.shape) == 2 and len(b.shape) == 2 and a.shape[1] == b.shape[0]:
        left = ctx.rows(a, index_grid(a.shape), f"{name}_left")
        right = ctx.rows(b, index_grid(b.shape), f"{name}_right")
        return ctx.emit(name, "double", (a.shape[0], b.shape[1]),
                        {"a.flatten": [{"la.dot": [left, right]}]})
    ctx.refuse(f"a product of rows {list(a.shape)} and {list(b.shape)} is not supported")


@converter("onnx", ONNX, "MatMul", "transformer", "row × constant, constant × row, matrix rows")
def matmul_op(ctx: ImportContext, node: Any, inputs: list[Tensor]) -> list[Tensor]:
    a, b = inputs
    return [matmul(ctx, node.output[0], a, b)]


@converter("onnx", ONNX, "Gemm", "transformer", "A a row, B and C constants")
def gemm(ctx: ImportContext, node: Any, inputs: list[Tensor | None]) -> list[Tensor]:
    a, b = inputs[0], inputs[1]
    c = inputs[2] if len(inputs) > 2 else None
    if a.is_const or not b.is_const or (c is not None and not c.is_const):
        ctx.refuse("Gemm is supported with A a row and B, C constants")
    if int(ctx.attr(node, "transA", 0)):
        ctx.refuse("transA would multiply across the batch axis")
    alpha = float(ctx.attr(node, "alpha", 1.0))
    beta = float(ctx.attr(node, "beta", 1.0))
    w = np.asarray(b.const, dtype=np.float64)
    if int(ctx.attr(node, "transB", 0)):
        w = w.T
    w = w * alpha
    if len(a.shape) != 1:
        ctx.refuse("Gemm takes a matrix [N, K]")
    scaled = Tensor(b.name, "double", w.shape, const=w)
    out = matmul(ctx, node.output[0] if c is None else f"{node.output[0]}_product", a, scaled)
    if c is None or beta == 0.0:
        out.name = node.output[0]
        return [out]
    bias = np.asarray(c.const, dtype=np.float64) * beta
    if bias.ndim == 2 and bias.shape[0] != 1:
        ctx.refuse("C spans the batch axis")
    shift = Tensor(c.name, "double", bias.shape, const=bias.reshape(bias.shape[-1:]))
    return [ctx.elementwise(node.output[0], [out, shift], "double",
                            lambda x, y: {"+": [x, y]})]


@converter("onnx", ONNX, "BatchNormalization", "transformer", "inference mode")
def batch_norm(ctx: ImportContext, node: Any, inputs: list[Tensor]) -> list[Tensor]:
    x, scale, bias, mean, var = inputs[:5]
    if not all(t.is_const for t in (scale, bias, mean, var)):
        ctx.refuse("scale, bias, mean and variance must be constants")
    if int(ctx.attr(node, "training_mode", 0)) or any(node.output[1:]):
        ctx.refuse("training mode is not supported")
    if not x.shape:
        ctx.refuse("BatchNormalization needs a channel axis")
    eps = float(ctx.attr(node, "epsilon", 1e-5))
    f64 = [np.asarray(t.const, dtype=np.float64) for t in (scale, bias, mean, var)]
    factor = f64[0] / np.sqrt(f64[3] + eps)
    shift = f64[1] - f64[2] * factor
    trail = (1,) * (len(x.shape) - 1)
    a = Tensor(f"{scale.name}_factor", "double", (x.shape[0],) + trail,
               const=factor.reshape((-1,) + trail))
    b = Tensor(f"{bias.name}_shift", "double", (x.shape[0],) + trail,
               const=shift.reshape((-1,) + trail))
    return [ctx.elementwise(node.output[0], [x, a, b], "double",
                            lambda v, s, t: {"+": [{"*": [v, s]}, t]})]
