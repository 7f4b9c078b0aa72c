"""Elementwise ONNX ops: arithmetic with broadcasting, math functions, activations,
comparisons and logic, ``Where``, ``Clip``, ``Cast`` and the inference-time identities."""

from __future__ import annotations

from typing import Any

import numpy as np

from pfa.exporters.onnx.context import ImportContext
from pfa.exporters.onnx.tensors import Tensor, literal
from pfa.exporters.registry import converter

ONNX = "ai.onnx"

#: binary arithmetic: ONNX op → PFA function (same operand types)
ARITHMETIC = {"Add": "+", "Sub": "-", "Mul": "*"}
#: comparisons: ONNX op → PFA function (boolean result)
COMPARISONS = {"Equal": "==", "Less": "<", "LessOrEqual": "<=", "Greater": ">",
               "GreaterOrEqual": ">="}
LOGIC = {"And": "&&", "Or": "||", "Xor": "^^"}


def _out(node: Any) -> str:
    return node.output[0]


def _double(ctx: ImportContext, node: Any, t: Tensor) -> None:
    if t.elem != "double":
        ctx.refuse(f"{node.op_type} of {t.elem} values is not supported (floating point only)")


@converter("onnx", ONNX, list(ARITHMETIC), "transformer", "with ONNX broadcasting")
def arithmetic(ctx: ImportContext, node: Any, inputs: list[Tensor]) -> list[Tensor]:
    a, b = inputs
    if a.elem != b.elem or a.elem not in ("double", "long"):
        ctx.refuse(f"{node.op_type} of {a.elem} and {b.elem} is not supported")
    fn = ARITHMETIC[node.op_type]
    return [ctx.elementwise(_out(node), [a, b], a.elem, lambda x, y: {fn: [x, y]})]


@converter("onnx", ONNX, "Div", "transformer", "floating point only")
def div(ctx: ImportContext, node: Any, inputs: list[Tensor]) -> list[Tensor]:
    a, b = inputs
    _double(ctx, node, a)
    _double(ctx, node, b)
    return [ctx.elementwise(_out(node), [a, b], "double", lambda x, y: {"/": [x, y]})]


@converter("onnx", ONNX, "Pow", "transformer")
def power(ctx: ImportContext, node: Any, inputs: list[Tensor]) -> list[Tensor]:
    a, b = inputs
    _double(ctx, node, a)
    if b.elem == "long" and b.is_const:
        b = Tensor(b.name, "double", b.shape, const=b.const.astype(np.float64))
    if b.elem == "double":
        return [ctx.elementwise(_out(node), [a, b], "double", lambda x, y: {"**": [x, y]})]
    if b.elem == "long":
        return [ctx.elementwise(_out(node), [a, b], "double",
                                lambda x, y: {"**": [x, {"cast.double": [y]}]})]
    ctx.refuse(f"Pow with a {b.elem} exponent is not supported")


#: unary floating-point functions: ONNX op → body of one double
UNARY: dict[str, Any] = {
    "Exp": lambda x: {"m.exp": [x]},
    "Log": lambda x: {"m.ln": [x]},
    "Sqrt": lambda x: {"m.sqrt": [x]},
    "Tanh": lambda x: {"m.tanh": [x]},
    "Sigmoid": lambda x: {"m.link.logit": [x]},
    "Floor": lambda x: {"m.floor": [x]},
    "Ceil": lambda x: {"m.ceil": [x]},
    "Reciprocal": lambda x: {"/": [1.0, x]},
    "Sin": lambda x: {"m.sin": [x]},
    "Cos": lambda x: {"m.cos": [x]},
    "Tan": lambda x: {"m.tan": [x]},
    "Asin": lambda x: {"m.asin": [x]},
    "Acos": lambda x: {"m.acos": [x]},
    "Atan": lambda x: {"m.atan": [x]},
    "Sinh": lambda x: {"m.sinh": [x]},
    "Cosh": lambda x: {"m.cosh": [x]},
    "Softsign": lambda x: {"/": [x, {"+": [1.0, {"m.abs": [x]}]}]},
    "Softplus": lambda x: {"m.ln": [{"+": [1.0, {"m.exp": [x]}]}]},
    "Relu": lambda x: {"if": {">": [x, 0.0]}, "then": x, "else": {"*": [x, 0.0]}},
    "Erf": lambda x: {"m.special.erf": [x]},
}


@converter("onnx", ONNX, list(UNARY), "transformer", "floating point")
def unary(ctx: ImportContext, node: Any, inputs: list[Tensor]) -> list[Tensor]:
    (x,) = inputs
    if node.op_type == "Relu" and x.elem == "long":
        return [ctx.elementwise(_out(node), [x], "long",
                                lambda v: {"max": [v, {"long": 0}]})]
    _double(ctx, node, x)
    return [ctx.elementwise(_out(node), [x], "double", UNARY[node.op_type])]


@converter("onnx", ONNX, ["Abs", "Neg", "Sign"], "transformer")
def signed(ctx: ImportContext, node: Any, inputs: list[Tensor]) -> list[Tensor]:
    (x,) = inputs
    if x.elem not in ("double", "long"):
        ctx.refuse(f"{node.op_type} of {x.elem} values is not supported")
    zero, one = literal(0, x.elem), literal(1, x.elem)
    bodies = {
        "Abs": lambda v: {"m.abs": [v]},
        "Neg": lambda v: {"u-": [v]},
        "Sign": lambda v: {"if": {">": [v, zero]}, "then": one,
                           "else": {"if": {"<": [v, zero]}, "then": literal(-1, x.elem),
                                    "else": {"*": [v, zero]}}},
    }
    return [ctx.elementwise(_out(node), [x], x.elem, bodies[node.op_type])]


@converter("onnx", ONNX, ["LeakyRelu", "Elu", "Selu", "HardSigmoid", "ThresholdedRelu"],
           "transformer", "alpha/beta/gamma attributes")
def parametric_activation(ctx: ImportContext, node: Any,
                          inputs: list[Tensor]) -> list[Tensor]:
    (x,) = inputs
    _double(ctx, node, x)
    op = node.op_type
    defaults = {"LeakyRelu": 0.01, "Elu": 1.0, "Selu": 1.67326319217681884765625,
                "HardSigmoid": 0.2, "ThresholdedRelu": 1.0}
    alpha = float(ctx.attr(node, "alpha", defaults[op]))
    if op == "LeakyRelu":
        def body(v: Any) -> Any:
            return {"if": {"<": [v, 0.0]}, "then": {"*": [alpha, v]}, "else": v}
    elif op == "Elu":
        def body(v: Any) -> Any:
            return {"if": {"<": [v, 0.0]}, "then": {"*": [alpha, {"-": [{"m.exp": [v]}, 1.0]}]},
                    "else": v}
    elif op == "Selu":
        gamma = float(ctx.attr(node, "gamma", 1.05070102214813232421875))

        def body(v: Any) -> Any:
            return {"*": [gamma, {"if": {"<=": [v, 0.0]},
                                  "then": {"*": [alpha, {"-": [{"m.exp": [v]}, 1.0]}]},
                                  "else": v}]}
    elif op == "HardSigmoid":
        beta = float(ctx.attr(node, "beta", 0.5))

        def body(v: Any) -> Any:
            return {"max": [0.0, {"min": [1.0, {"+": [{"*": [alpha, v]}, beta]}]}]}
    else:
        def body(v: Any) -> Any:
            return {"if": {">": [v, alpha]}, "then": v, "else": 0.0}
    return [ctx.elementwise(_out(node), [x], "double", body)]


@converter("onnx", ONNX, list(COMPARISONS), "transformer", "boolean result")
def compare(ctx: ImportContext, node: Any, inputs: list[Tensor]) -> list[Tensor]:
    a, b = inputs
    if a.elem != b.elem:
        ctx.refuse(f"{node.op_type} of {a.elem} and {b.elem} is not supported")
    if a.elem == "string" and node.op_type != "Equal":
        ctx.refuse(f"{node.op_type} of strings is not supported")
    fn = COMPARISONS[node.op_type]
    return [ctx.elementwise(_out(node), [a, b], "boolean", lambda x, y: {fn: [x, y]})]


@converter("onnx", ONNX, [*LOGIC, "Not"], "transformer", "booleans")
def logic(ctx: ImportContext, node: Any, inputs: list[Tensor]) -> list[Tensor]:
    if any(t.elem != "boolean" for t in inputs):
        ctx.refuse(f"{node.op_type} takes booleans")
    if node.op_type == "Not":
        return [ctx.elementwise(_out(node), inputs, "boolean", lambda x: {"!": [x]})]
    fn = LOGIC[node.op_type]
    return [ctx.elementwise(_out(node), inputs, "boolean", lambda x, y: {fn: [x, y]})]


@converter("onnx", ONNX, ["IsNaN", "IsInf"], "transformer")
def is_special(ctx: ImportContext, node: Any, inputs: list[Tensor]) -> list[Tensor]:
    (x,) = inputs
    _double(ctx, node, x)
    if node.op_type == "IsNaN":
        return [ctx.elementwise(_out(node), [x], "boolean", lambda v: {"impute.isnan": [v]})]
    pos = ctx.attr(node, "detect_positive", 1)
    neg = ctx.attr(node, "detect_negative", 1)

    def body(v: Any) -> Any:
        tests = []
        if pos:
            tests.append({"==": [v, {"double": "Infinity"}]})
        if neg:
            tests.append({"==": [v, {"double": "-Infinity"}]})
        if not tests:
            return False
        return tests[0] if len(tests) == 1 else {"||": tests}
    return [ctx.elementwise(_out(node), [x], "boolean", body)]


@converter("onnx", ONNX, "Where", "transformer", "with ONNX broadcasting")
def where(ctx: ImportContext, node: Any, inputs: list[Tensor]) -> list[Tensor]:
    c, a, b = inputs
    if c.elem != "boolean" or a.elem != b.elem:
        ctx.refuse("Where takes a boolean condition and two values of one type")
    return [ctx.elementwise(_out(node), [c, a, b], a.elem,
                            lambda p, x, y: {"if": p, "then": x, "else": y})]


@converter("onnx", ONNX, "Clip", "transformer", "bounds as attributes or inputs")
def clip(ctx: ImportContext, node: Any, inputs: list[Tensor]) -> list[Tensor]:
    x = inputs[0]
    if x.elem not in ("double", "long"):
        ctx.refuse(f"Clip of {x.elem} values is not supported")
    np_type = np.float64 if x.elem == "double" else np.int64
    bounds: list[Tensor | None] = list(inputs[1:3]) + [None] * (3 - len(inputs))
    if ctx.opset() < 11:
        lo_hi = (ctx.attr(node, "min", None), ctx.attr(node, "max", None))
        bounds = [None if v is None else Tensor(f"{node.output[0]}_{k}", x.elem, (),
                                                const=np.asarray(v, dtype=np_type))
                  for k, v in zip(("min", "max"), lo_hi, strict=True)]
    operands = [x] + [b for b in bounds[:2] if b is not None]
    lo, hi = bounds[0] is not None, bounds[1] is not None

    def body(v: Any, *rest: Any) -> Any:
        out, k = v, 0
        if lo:
            out = {"if": {"<": [out, rest[k]]}, "then": rest[k], "else": out}
            k += 1
        if hi:
            out = {"if": {">": [out, rest[k]]}, "then": rest[k], "else": out}
        return out
    return [ctx.elementwise(_out(node), operands, x.elem, body)]


@converter("onnx", ONNX, ["Sum", "Max", "Min", "Mean"], "transformer", "up to 4 inputs")
def variadic(ctx: ImportContext, node: Any, inputs: list[Tensor]) -> list[Tensor]:
    if len({t.elem for t in inputs}) != 1 or inputs[0].elem not in ("double", "long"):
        ctx.refuse(f"{node.op_type} takes numbers of one type")
    elem = inputs[0].elem
    if node.op_type == "Mean" and elem != "double":
        ctx.refuse("Mean of integers is not supported")
    fn = {"Sum": "+", "Mean": "+", "Max": "max", "Min": "min"}[node.op_type]
    n = len(inputs)

    def body(*xs: Any) -> Any:
        out = xs[0]
        for x in xs[1:]:
            out = {fn: [out, x]}
        return {"/": [out, float(n)]} if node.op_type == "Mean" else out
    if n == 1:
        return [ctx.elementwise(_out(node), inputs, elem, lambda x: x)]
    return [ctx.elementwise(_out(node), inputs, elem, body)]


#: ONNX Cast targets and their PFA element types
CAST_TARGETS = {1: "double", 11: "double", 6: "long", 7: "long", 9: "boolean"}


@converter("onnx", ONNX, ["Cast", "CastLike"], "transformer",
           "between FLOAT, DOUBLE, INT32, INT64 and BOOL; to FLOAT keeps double precision")
def cast(ctx: ImportContext, node: Any, inputs: list[Tensor]) -> list[Tensor]:
    x = inputs[0]
    if node.op_type == "CastLike":
        to = inputs[1].onnx_type
    else:
        to = int(ctx.attr(node, "to", 0))
    target = CAST_TARGETS.get(to)
    if x.is_const:  # CastLike of a constant to a row tensor's type
        from onnx import helper

        values = x.const.astype(helper.tensor_dtype_to_np_dtype(to))
        return [Tensor(_out(node), target, values.shape, const=values,
                       onnx_type=to)]
    if target is None or x.elem == "string":
        ctx.refuse(f"Cast from {x.elem} to type {to} is not supported")
    if target == x.elem:
        out = Tensor(_out(node), x.elem, x.shape, symbol=x.symbol, onnx_type=to)
        return [out]
    bodies = {
        ("long", "double"): lambda v: {"cast.double": [v]},
        ("boolean", "double"): lambda v: {"if": v, "then": 1.0, "else": 0.0},
        ("boolean", "long"): lambda v: {"if": v, "then": {"long": 1}, "else": {"long": 0}},
        ("double", "boolean"): lambda v: {"!=": [v, 0.0]},
        ("long", "boolean"): lambda v: {"!=": [v, {"long": 0}]},
        ("double", "long"): lambda v: {"cast.long": [{"if": {"<": [v, 0.0]},
                                                      "then": {"m.ceil": [v]},
                                                      "else": {"m.floor": [v]}}]},
    }
    out = ctx.elementwise(_out(node), [x], target, bodies[(x.elem, target)])
    out.onnx_type = to
    return [out]


@converter("onnx", ONNX, ["Identity", "Dropout"], "transformer", "Dropout at inference")
def identity(ctx: ImportContext, node: Any, inputs: list[Tensor]) -> list[Tensor]:
    x = inputs[0]
    training = inputs[2] if node.op_type == "Dropout" and len(inputs) > 2 else None
    if training is not None and (not training.is_const or bool(np.asarray(training.const))):
        ctx.refuse("Dropout in training mode is not supported")
    if node.op_type == "Dropout" and len(node.output) > 1 and node.output[1]:
        mask = ctx.elementwise(node.output[1], [x], "boolean", lambda v: True)
        return [Tensor(_out(node), x.elem, x.shape, symbol=x.symbol,
                       onnx_type=x.onnx_type), mask]
    return [Tensor(_out(node), x.elem, x.shape, symbol=x.symbol, onnx_type=x.onnx_type)]
