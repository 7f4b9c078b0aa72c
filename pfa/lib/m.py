"""The ``m.*`` library: elementary mathematics with IEEE 754 results.

Outside a function's domain the result is NaN or ±inf, as the spec says, never an exception
(Python's ``math`` raises there; :func:`pfa.lib.numeric.ieee_unary` supplies the IEEE value).
Only ``m.abs``, ``m.round`` (integer overflow) and ``m.log`` (non-positive base) raise.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from pfa.lib.core import label_type
from pfa.lib.numeric import (
    INT_MIN,
    LONG_MIN,
    ieee_div,
    ieee_unary,
    integer_rounder,
    wrap_int,
    wrap_long,
)
from pfa.lib.registry import CallSite, batch, error, scalar, specialized
from pfa.runtime.columns import elementwise, num_arg

Fn = Callable[..., Any]


@scalar("m.pi")
def pi() -> float:
    return math.pi


@scalar("m.e")
def e() -> float:
    return math.e


# Unary double -> double functions: the math version, with numpy's IEEE result on error.
_UNARY: dict[str, tuple[Callable[[float], float], np.ufunc]] = {
    "m.sqrt": (math.sqrt, np.sqrt),
    "m.sin": (math.sin, np.sin),
    "m.cos": (math.cos, np.cos),
    "m.tan": (math.tan, np.tan),
    "m.asin": (math.asin, np.arcsin),
    "m.acos": (math.acos, np.arccos),
    "m.atan": (math.atan, np.arctan),
    "m.sinh": (math.sinh, np.sinh),
    "m.cosh": (math.cosh, np.cosh),
    "m.tanh": (math.tanh, np.tanh),
    "m.exp": (math.exp, np.exp),
    "m.expm1": (math.expm1, np.expm1),
    "m.ln": (math.log, np.log),
    "m.log10": (math.log10, np.log10),
    "m.ln1p": (math.log1p, np.log1p),
}

IEEE: dict[str, Callable[[float], float]] = {}
for _name, (_fn, _ufunc) in _UNARY.items():
    IEEE[_name] = scalar(_name)(ieee_unary(_fn, _ufunc))

sqrt = IEEE["m.sqrt"]
exp = IEEE["m.exp"]
ln = IEEE["m.ln"]


@scalar("m.atan2")
def atan2(y: float, x: float) -> float:
    """Arc-tangent of y/x in the right quadrant (y first)."""
    return math.atan2(y, x)


@scalar("m.hypot")
def hypot(x: float, y: float) -> float:
    return math.hypot(x, y)


@scalar("m.log")
def log(x: float, base: int) -> float:
    """Logarithm of ``x`` in an integer ``base``; base 1 divides by ln 1 = 0 (±inf or NaN)."""
    if base <= 0:
        raise error(27170)
    return ieee_div(ln(x), math.log(base))


def _signed_zero(r: float, x: float) -> float:
    return math.copysign(0.0, x) if r == 0 else r


@scalar("m.floor")
def floor(x: float) -> float:
    if not math.isfinite(x):
        return float(x)
    return _signed_zero(float(math.floor(x)), x)


@scalar("m.ceil")
def ceil(x: float) -> float:
    if not math.isfinite(x):
        return float(x)
    return _signed_zero(float(math.ceil(x)), x)


@scalar("m.rint")
def rint(x: float) -> float:
    """Nearest whole number, halves to even."""
    if not math.isfinite(x):
        return float(x)
    return _signed_zero(float(round(x)), x)


@scalar("m.signum")
def signum(x: float) -> int:
    """-1, 0 or 1 (0 for NaN, as Java's ``(int) Math.signum(NaN)``)."""
    return 1 if x > 0 else (-1 if x < 0 else 0)


@specialized("m.abs")
def abs_(site: CallSite) -> Fn:
    kind = label_type(site).name
    if kind in ("int", "long"):
        lowest = INT_MIN if kind == "int" else LONG_MIN
        code = 27020 if kind == "int" else 27021

        def impl(x: int) -> int:
            if x == lowest:
                raise error(code)
            return abs(x)
        return impl
    return lambda x: abs(float(x))


@specialized("m.copysign")
def copysign(site: CallSite) -> Fn:
    """Magnitude of ``mag`` with the sign of ``sign``; a zero (or NaN) ``sign`` counts as
    positive. For int/long the one unrepresentable magnitude (of MIN) wraps as in Java."""
    kind = label_type(site).name
    if kind in ("int", "long"):
        wrap = wrap_int if kind == "int" else wrap_long
        return lambda mag, sign: wrap(-abs(mag) if sign < 0 else abs(mag))
    return lambda mag, sign: -abs(float(mag)) if sign < 0 else abs(float(mag))


@specialized("m.round")
def round_(site: CallSite) -> Fn:
    """floor(x + 0.5): float → int (error 27190), double → long (27191). NaN and ±inf are not
    representable integers and raise the same overflow errors."""
    ret = getattr(site.ret_type, "name", None)
    if ret in ("int", "long"):
        kind = ret
    else:
        kind = "int" if site.arg_types and site.arg_types[0].name == "float" else "long"
    return integer_rounder(kind, 27190, 27191)


# ------------------------------------------------------------------------------ batch forms

def _vector_unary(name: str, fn: Callable[[float], float]) -> None:
    @batch(name)
    def vfactory(site: CallSite) -> Callable[..., Any]:
        return lambda env, x: elementwise(fn, num_arg(x))


for _name, _fn in IEEE.items():
    _vector_unary(_name, _fn)
