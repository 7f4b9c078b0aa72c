"""Arithmetic, comparison, logic, ``m.*`` and ``m.link.*``: element-wise ONNX operators on
operands promoted to the call's resolved type (floats as FLOAT tensors: IEEE single
operations round exactly like the engine's double operation rounded to float32)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from onnx import TensorProto

from pfa.avro.types import PRIMITIVES
from pfa.onnx.compiler.registry import lowering
from pfa.onnx.compiler.types import elem_of, scalar_kind
from pfa.onnx.compiler.values import Const, Never, Tensor

BOOLEAN = PRIMITIVES["boolean"]
FLOATS = (TensorProto.DOUBLE, TensorProto.FLOAT)


def _never(args: list[Any]) -> Any:
    return next((a for a in args if isinstance(a, Never)), None)


def operands(cx: Any, site: Any, args: list[Any], elem: int | None = None) -> list[Tensor]:
    """The arguments as tensors of the call's element type (or ``elem``)."""
    if elem is None:
        elem = elem_of(site.ret_type, site.path, cx)
    return [cx.tensor(a, site.path, elem) for a in args]


def unary(cx: Any, site: Any, op_type: str, x: Any, elem: int | None = None) -> Tensor:
    (t,) = operands(cx, site, [x], elem)
    return cx.op(op_type, [t], site.ret_type, t.elem)


def _arith(name: str, op_type: str, note: str = "") -> None:
    @lowering(name, "arithmetic", note, elementwise=True)
    def lower(cx: Any, site: Any, args: list[Any]) -> Any:
        if (n := _never(args)) is not None:
            return n
        a, b = operands(cx, site, args)
        return cx.op(op_type, [a, b], site.ret_type, a.elem)


_arith("+", "Add", "int and long as int64 (overflow is not detected)")
_arith("-", "Sub")
_arith("*", "Mul")


@lowering("/", "arithmetic", elementwise=True)
def divide(cx: Any, site: Any, args: list[Any]) -> Any:
    a, b = operands(cx, site, args, TensorProto.DOUBLE)
    return cx.op("Div", [a, b], site.ret_type, TensorProto.DOUBLE)


@lowering("**", "arithmetic", "floating point only", elementwise=True)
def power(cx: Any, site: Any, args: list[Any]) -> Any:
    elem = elem_of(site.ret_type, site.path, cx)
    if elem not in FLOATS:
        cx.refuse(site.path, "integer ** (its overflow error has no ONNX form)")
    a, b = operands(cx, site, args)
    return cx.op("Pow", [a, b], site.ret_type, elem)


@lowering("u-", "arithmetic", elementwise=True)
def negate(cx: Any, site: Any, args: list[Any]) -> Any:
    return unary(cx, site, "Neg", args[0])


# -- comparisons (Avro order: NaN equals NaN and sorts above every number) -----------------

def _compare_elem(cx: Any, site: Any) -> int:
    kinds = {scalar_kind(t) for t in site.param_types}
    if None in kinds:
        cx.refuse(site.path, f"{site.name} on non-scalar values")
    if kinds <= {"string"}:
        return TensorProto.STRING
    if kinds <= {"boolean"}:
        return TensorProto.BOOL
    if kinds <= {"int", "long"}:
        return TensorProto.INT64
    if kinds <= {"float"}:
        return TensorProto.FLOAT
    if kinds <= {"int", "long", "float", "double"}:
        return TensorProto.DOUBLE
    cx.refuse(site.path, f"{site.name} of {sorted(kinds)}")


def _may_be_nan(cx: Any, v: Any, t: Tensor) -> bool:
    if t.elem not in FLOATS:
        return False
    return not (isinstance(v, Const) and isinstance(v.value, (int, float))
                and not math.isnan(v.value))


def less(cx: Any, site: Any, a: Any, b: Any, elem: int) -> str:
    """``a < b`` in Avro order, as a boolean tensor name."""
    if elem in (TensorProto.STRING, TensorProto.BOOL):
        cx.refuse(site.path, f"ordering comparison of {'strings' if elem == TensorProto.STRING else 'booleans'}")
    ta, tb = cx.tensor(a, site.path, elem), cx.tensor(b, site.path, elem)
    out = cx.g.op("Less", [ta.name, tb.name])
    if _may_be_nan(cx, b, tb):
        b_nan = cx.g.op("IsNaN", [tb.name])
        if _may_be_nan(cx, a, ta):
            b_nan = cx.g.op("And", [b_nan, cx.g.op("Not", [cx.g.op("IsNaN", [ta.name])])])
        out = cx.g.op("Or", [out, b_nan])
    return out


def equal(cx: Any, site: Any, a: Any, b: Any, elem: int) -> str:
    ta, tb = cx.tensor(a, site.path, elem), cx.tensor(b, site.path, elem)
    out = cx.g.op("Equal", [ta.name, tb.name])
    if _may_be_nan(cx, a, ta) and _may_be_nan(cx, b, tb):
        both = cx.g.op("And", [cx.g.op("IsNaN", [ta.name]), cx.g.op("IsNaN", [tb.name])])
        out = cx.g.op("Or", [out, both])
    return out


def _bool(cx: Any, name: str, args: list[Tensor | Any]) -> Tensor:
    shapes = [a.shape for a in args if isinstance(a, Tensor)]
    t = Tensor(name, BOOLEAN, TensorProto.BOOL, max(shapes, key=len) if shapes else (1,))
    return t


def _comparison(name: str, build: Any) -> None:
    @lowering(name, "comparison", "Avro order: NaN equals NaN and sorts above every number",
              elementwise=True)
    def lower(cx: Any, site: Any, args: list[Any]) -> Any:
        if (n := _never(args)) is not None:
            return n
        elem = _compare_elem(cx, site)
        a, b = args
        out = build(cx, site, a, b, elem)
        return Tensor(out, BOOLEAN, TensorProto.BOOL,
                      _shape(cx, site, args, elem))


def _shape(cx: Any, site: Any, args: list[Any], elem: int) -> tuple[int, ...]:
    shapes = [cx.tensor(a, site.path, elem).shape for a in args]
    return max(shapes, key=len)


_comparison("<", lambda cx, s, a, b, e: less(cx, s, a, b, e))
_comparison(">", lambda cx, s, a, b, e: less(cx, s, b, a, e))
_comparison("<=", lambda cx, s, a, b, e: cx.g.op("Not", [less(cx, s, b, a, e)]))
_comparison(">=", lambda cx, s, a, b, e: cx.g.op("Not", [less(cx, s, a, b, e)]))
_comparison("==", lambda cx, s, a, b, e: equal(cx, s, a, b, e))
_comparison("!=", lambda cx, s, a, b, e: cx.g.op("Not", [equal(cx, s, a, b, e)]))


def _extreme(name: str, pick_second_when_less: bool) -> None:
    @lowering(name, "comparison", elementwise=True)
    def lower(cx: Any, site: Any, args: list[Any]) -> Any:
        if (n := _never(args)) is not None:
            return n
        elem = elem_of(site.ret_type, site.path, cx)
        a, b = operands(cx, site, args, elem)
        x_less = less(cx, site, a, b, elem)
        first, second = (b, a) if pick_second_when_less else (a, b)
        return cx.op("Where", [Tensor(x_less, BOOLEAN, TensorProto.BOOL, (1,)), first, second],
                     site.ret_type, elem)


_extreme("max", True)   # x if x >= y else y
_extreme("min", False)  # x if x < y else y


# -- logic ------------------------------------------------------------------------------------

def _logic(name: str, op_type: str) -> None:
    @lowering(name, "logic", elementwise=True)
    def lower(cx: Any, site: Any, args: list[Any]) -> Any:
        if (n := _never(args)) is not None:
            return n
        if all(isinstance(a, Const) for a in args):
            vals = [bool(a.value) for a in args]
            out = {"And": all(vals), "Or": any(vals), "Xor": vals[0] != vals[-1],
                   "Not": not vals[0]}[op_type]
            return Const(out, BOOLEAN)
        ts = operands(cx, site, args, TensorProto.BOOL)
        return cx.op(op_type, ts, BOOLEAN, TensorProto.BOOL)


_logic("&&", "And")
_logic("||", "Or")
_logic("^^", "Xor")
_logic("!", "Not")


# -- m.* --------------------------------------------------------------------------------------

def _math(name: str, op_type: str, note: str = "") -> None:
    @lowering(name, "m (math)", note, elementwise=True)
    def lower(cx: Any, site: Any, args: list[Any]) -> Any:
        if (n := _never(args)) is not None:
            return n
        elem = elem_of(site.ret_type, site.path, cx)
        if elem not in FLOATS and op_type != "Abs":
            cx.refuse(site.path, f"{name} on integers")
        return unary(cx, site, op_type, args[0], elem)


for _name, _op in (("m.abs", "Abs"), ("m.sqrt", "Sqrt"), ("m.exp", "Exp"), ("m.ln", "Log"),
                   ("m.sin", "Sin"), ("m.cos", "Cos"), ("m.tan", "Tan"), ("m.asin", "Asin"),
                   ("m.acos", "Acos"), ("m.atan", "Atan"), ("m.sinh", "Sinh"),
                   ("m.cosh", "Cosh"), ("m.tanh", "Tanh"), ("m.floor", "Floor"),
                   ("m.ceil", "Ceil")):
    _math(_name, _op, "transcendental functions within a few ulps of the engine's")


def _double(cx: Any, site: Any, x: Any) -> Tensor:
    return cx.tensor(x, site.path, TensorProto.DOUBLE)


def _c(cx: Any, value: float) -> Tensor:
    return Tensor(cx.g.const(np.array([[value]], dtype=np.float64)), PRIMITIVES["double"],
                  TensorProto.DOUBLE, (1,))


def _o(cx: Any, site: Any, op_type: str, *xs: Tensor) -> Tensor:
    return cx.op(op_type, list(xs), site.ret_type, TensorProto.DOUBLE)


def logit(cx: Any, site: Any, x: Tensor) -> Tensor:
    """1 / (1 + exp(-x)), the engine's operations in its order."""
    e = _o(cx, site, "Exp", _o(cx, site, "Neg", x))
    return _o(cx, site, "Div", _c(cx, 1.0), _o(cx, site, "Add", _c(cx, 1.0), e))


def _link(name: str, build: Any) -> None:
    @lowering(name, "m.link", elementwise=True)
    def lower(cx: Any, site: Any, args: list[Any]) -> Any:
        if (n := _never(args)) is not None:
            return n
        x = _double(cx, site, args[0])
        return build(cx, site, x)


def _loglog(cx: Any, site: Any, x: Tensor) -> Tensor:
    return _o(cx, site, "Exp", _o(cx, site, "Neg", _o(cx, site, "Exp", x)))


def _relu(cx: Any, site: Any, x: Tensor) -> Tensor:
    pos = cx.g.op("Greater", [x.name, _c(cx, 0.0).name])
    return cx.op("Where", [Tensor(pos, BOOLEAN, TensorProto.BOOL, x.shape), x, _c(cx, 0.0)],
                 site.ret_type, TensorProto.DOUBLE, shape=x.shape)


_link("m.link.logit", logit)
_link("m.link.loglog", _loglog)
_link("m.link.cloglog", lambda cx, s, x: _o(cx, s, "Sub", _c(cx, 1.0), _loglog(cx, s, x)))
_link("m.link.cauchit", lambda cx, s, x: _o(cx, s, "Add", _c(cx, 0.5), _o(
    cx, s, "Div", _o(cx, s, "Atan", x), _c(cx, math.pi))))
_link("m.link.tanh", lambda cx, s, x: _o(cx, s, "Tanh", x))
_link("m.link.relu", _relu)


@lowering("m.ln1p", "m (math)", "log(1 + x) by Goldberg's correction (ONNX has no log1p): "
          "within a few ulps", elementwise=True)
def ln1p(cx: Any, site: Any, args: list[Any]) -> Any:
    (x,) = args
    if isinstance(x, Never):
        return x
    if isinstance(x, Const):
        return Const(math.log1p(x.value), site.ret_type)
    t = _double(cx, site, x)
    u = _o(cx, site, "Add", _c(cx, 1.0), t)
    du = _o(cx, site, "Sub", u, _c(cx, 1.0))
    ratio = _o(cx, site, "Div", _o(cx, site, "Mul", _o(cx, site, "Log", u), t), du)
    exact = cx.g.op("Or", [cx.g.op("Equal", [du.name, _c(cx, 0.0).name]),
                           cx.g.op("IsInf", [u.name])])
    # u == 1: log1p(x) == x to double precision; u infinite: log(u) is the answer
    inf_case = cx.op("Where", [Tensor(cx.g.op("IsInf", [u.name]), BOOLEAN, TensorProto.BOOL,
                                      t.shape), _o(cx, site, "Log", u), t],
                     site.ret_type, TensorProto.DOUBLE, shape=t.shape)
    return cx.op("Where", [Tensor(exact, BOOLEAN, TensorProto.BOOL, t.shape), inf_case, ratio],
                 site.ret_type, TensorProto.DOUBLE, shape=t.shape)
