"""The core library: arithmetic, comparison, logical, Kleene and bitwise operators.

Arithmetic on int/long raises the spec's overflow errors; float results are rounded to float32
and double results follow IEEE 754 (overflow gives ±inf, no error). Comparisons use Avro's sort
order for any type (:mod:`pfa.lib._compare`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from pfa.document import ast as A
from pfa.lib._compare import compare_for
from pfa.lib.numeric import (
    INT_MAX,
    INT_MIN,
    LONG_MIN,
    f32,
    ieee_div,
    ieee_fmod,
    ieee_mod,
    ieee_pow,
    range_checker,
    rounder,
    type_bounds,
    wrap_int,
    wrap_long,
)
from pfa.lib.registry import CallSite, batch, batch_call, error, scalar, specialized
from pfa.runtime.batch_forms import BatchCompiler, Kernel
from pfa.runtime.columns import NotVectorized, dense, f32_col, num_arg, number_cmp

Fn = Callable[..., Any]


def label_type(site: CallSite, label: str = "A", index: int = 0) -> Any:
    """The type bound to wildcard ``label`` at ``site`` (falling back to the ``index``-th
    parameter, then argument, type)."""
    t = site.labels.get(label) if site.labels else None
    if t is None and len(site.param_types) > index:
        t = site.param_types[index]
    if t is None and len(site.arg_types) > index:
        t = site.arg_types[index]
    return t


def _kind(site: CallSite) -> str:
    """The numeric type name ("int", "long", "float", "double") of an arithmetic call."""
    t = label_type(site)
    return t.name if t is not None else site.ret_type.name


# ------------------------------------------------------------------------------ arithmetic

def _binary_arith(name: str, code: int, op: Callable[[Any, Any], Any]) -> None:
    """Register ``name`` as a checked binary operator on int/long/float/double."""

    @specialized(name)
    def factory(site: CallSite) -> Fn:
        kind = _kind(site)
        if kind in ("int", "long"):
            check = range_checker(kind, code, code + 1)
            return lambda x, y: check(op(x, y))
        fix = rounder(kind)
        return lambda x, y: fix(op(x, y))


_binary_arith("+", 18000, lambda x, y: x + y)
_binary_arith("-", 18010, lambda x, y: x - y)
_binary_arith("*", 18020, lambda x, y: x * y)


@scalar("/")
def divide(x: float, y: float) -> float:
    """Floating-point division; x/0 is ±inf and 0/0 NaN (IEEE 754)."""
    return ieee_div(float(x), float(y))


@specialized("//")
def floor_divide(site: CallSite) -> Fn:
    """Integral floor division. The one overflowing case (MIN // -1) has no error code in the
    spec and wraps around as in Java."""
    wrap = wrap_int if _kind(site) == "int" else wrap_long

    def impl(x: int, y: int) -> int:
        if y == 0:
            raise error(18040)
        return wrap(x // y)
    return impl


@specialized("u-")
def negate(site: CallSite) -> Fn:
    kind = _kind(site)
    if kind in ("int", "long"):
        lowest = INT_MIN if kind == "int" else LONG_MIN
        code = 18050 if kind == "int" else 18051

        def impl(x: int) -> int:
            if x == lowest:
                raise error(code)
            return -x
        return impl
    return lambda x: -float(x)


@specialized("%")
def modulo(site: CallSite) -> Fn:
    """``k`` modulo ``n``, with the sign of the modulus ``n``."""
    kind = _kind(site)
    if kind in ("int", "long"):
        def impl(k: int, n: int) -> int:
            if n == 0:
                raise error(18060)
            return k % n
        return impl
    fix = rounder(kind)
    return lambda k, n: fix(ieee_mod(float(k), float(n)))


@specialized("%%")
def remainder(site: CallSite) -> Fn:
    """Remainder of ``k / n``, with the sign of the dividend ``k``."""
    kind = _kind(site)
    if kind in ("int", "long"):
        def impl(k: int, n: int) -> int:
            if n == 0:
                raise error(18070)
            r = abs(k) % abs(n)
            return -r if k < 0 else r
        return impl
    fix = rounder(kind)
    return lambda k, n: fix(ieee_fmod(float(k), float(n)))


@specialized("**")
def power(site: CallSite) -> Fn:
    """``x`` to the power ``y``. For int/long the result is exact; a negative exponent gives
    the power truncated toward zero (0 unless ``x`` is ±1) and ``0 ** negative`` is infinite,
    hence an overflow error. For float/double, IEEE 754 ``pow`` (:func:`ieee_pow`; the spec's
    ``**`` refers float overflow to IEEE 754)."""
    kind = _kind(site)
    if kind in ("int", "long"):
        lo, hi = type_bounds(kind)
        code = 18080 if kind == "int" else 18081
        bits = 32 if kind == "int" else 64

        def impl(x: int, y: int) -> int:
            if y < 0:
                if x == 0:
                    raise error(code)
                if x == 1:
                    return 1
                if x == -1:
                    return -1 if y & 1 else 1
                return 0
            if x in (0, 1) or y == 0:
                return 1 if y == 0 else x
            if x == -1:
                return -1 if y & 1 else 1
            if y >= bits:
                raise error(code)
            out = x**y
            if lo <= out <= hi:
                return out
            raise error(code)
        return impl
    if kind == "float":
        return lambda x, y: f32(ieee_pow(x, y))
    return ieee_pow


# ------------------------------------------------------------------------------ comparison

def _comparison(name: str, test: Callable[[int], bool]) -> None:
    """Register ``name`` as a boolean test of Avro's ``cmp`` result."""

    @specialized(name)
    def factory(site: CallSite) -> Fn:
        cmp = compare_for(label_type(site))
        return lambda x, y: test(cmp(x, y))


@specialized("cmp")
def compare(site: CallSite) -> Fn:
    """-1, 0 or 1 by Avro's sort order."""
    return compare_for(label_type(site))


_comparison("==", lambda c: c == 0)
_comparison("!=", lambda c: c != 0)
_comparison("<", lambda c: c < 0)
_comparison("<=", lambda c: c <= 0)
_comparison(">", lambda c: c > 0)
_comparison(">=", lambda c: c >= 0)


@specialized("max")
def maximum(site: CallSite) -> Fn:
    """``x`` if ``x >= y`` else ``y``."""
    cmp = compare_for(label_type(site))
    return lambda x, y: x if cmp(x, y) >= 0 else y


@specialized("min")
def minimum(site: CallSite) -> Fn:
    """``x`` if ``x < y`` else ``y``."""
    cmp = compare_for(label_type(site))
    return lambda x, y: x if cmp(x, y) < 0 else y


# ------------------------------------------------------------------------------ logic

@scalar("&&", lazy=True)
def logical_and(x: Callable[[], bool], y: Callable[[], bool]) -> bool:
    """Short-circuit and: ``y`` is not evaluated when ``x`` is false."""
    return bool(x() and y())


@scalar("||", lazy=True)
def logical_or(x: Callable[[], bool], y: Callable[[], bool]) -> bool:
    """Short-circuit or: ``y`` is not evaluated when ``x`` is true."""
    return bool(x() or y())


@scalar("^^")
def logical_xor(x: bool, y: bool) -> bool:
    return x != y


@scalar("!")
def logical_not(x: bool) -> bool:
    return not x


@scalar("&&&", lazy=True)
def kleene_and(x: Callable[[], bool | None], y: Callable[[], bool | None]) -> bool | None:
    """Kleene and (null is unknown); ``y`` is not evaluated when ``x`` is false."""
    a = x()
    if a is False:
        return False
    b = y()
    if b is False:
        return False
    return True if (a is True and b is True) else None


@scalar("|||", lazy=True)
def kleene_or(x: Callable[[], bool | None], y: Callable[[], bool | None]) -> bool | None:
    """Kleene or (null is unknown); ``y`` is not evaluated when ``x`` is true."""
    a = x()
    if a is True:
        return True
    b = y()
    if b is True:
        return True
    return False if (a is False and b is False) else None


@scalar("!!!")
def kleene_not(x: bool | None) -> bool | None:
    return None if x is None else not x


# ------------------------------------------------------------------------------ bitwise
# Python ints are two's complement of unbounded width, so &, |, ^ and ~ of in-range int or
# long values are already the 32- or 64-bit results.

@scalar("&")
def bit_and(x: int, y: int) -> int:
    return x & y


@scalar("|")
def bit_or(x: int, y: int) -> int:
    return x | y


@scalar("^")
def bit_xor(x: int, y: int) -> int:
    return x ^ y


@scalar("~")
def bit_not(x: int) -> int:
    return ~x


# ------------------------------------------------------------------------------ batch forms
# Column kernels for the batch engine (pfa.engine.vector): same results, row by row errors.

def _vector_arith(name: str, code: int, op: Callable[[Any, Any], Any]) -> None:
    @batch(name)
    def vfactory(site: CallSite) -> Fn:
        kind = _kind(site)
        if kind == "int":
            def int_impl(env: Any, x: Any, y: Any) -> Any:
                r = op(num_arg(x, np.int64), num_arg(y, np.int64))
                bad = (r < INT_MIN) | (r > INT_MAX)
                if np.any(bad):
                    env.fail(bad, error(code))
                return r
            return int_impl
        if kind == "long":
            def long_impl(env: Any, x: Any, y: Any) -> Any:
                a, b = num_arg(x, np.int64), num_arg(y, np.int64)
                r = op(a, b)
                if name == "+":
                    bad = ((a ^ r) & (b ^ r)) < 0
                elif name == "-":
                    bad = ((a ^ b) & (a ^ r)) < 0
                else:
                    approx = np.abs(np.asarray(a, dtype=np.float64) * b)
                    bad = approx >= 2.0**62
                    if np.any(bad):
                        aa, bb = np.broadcast_arrays(a, b)
                        exact = np.array([LONG_MIN <= p * q <= -LONG_MIN - 1 for p, q in
                                          zip(aa[bad].tolist(), bb[bad].tolist())], dtype=bool)
                        sel = np.flatnonzero(np.broadcast_to(bad, np.shape(aa)))
                        bad = np.zeros(np.shape(aa), dtype=bool)
                        bad[sel[~exact]] = True
                if np.any(bad):
                    env.fail(bad, error(code + 1))
                return r
            return long_impl
        single = kind == "float"

        def float_impl(env: Any, x: Any, y: Any) -> Any:
            r = op(num_arg(x), num_arg(y))
            return f32_col(np.asarray(r)) if single else r
        return float_impl


for _name, _code, _op in (("+", 18000, lambda x, y: x + y), ("-", 18010, lambda x, y: x - y),
                          ("*", 18020, lambda x, y: x * y)):
    _vector_arith(_name, _code, _op)


@batch("/")
def _divide_v(site: CallSite) -> Fn:
    return lambda env, x, y: num_arg(x) / num_arg(y)


@batch("u-")
def _negate_v(site: CallSite) -> Fn:
    kind = _kind(site)
    if kind in ("int", "long"):
        lowest = INT_MIN if kind == "int" else LONG_MIN
        code = 18050 if kind == "int" else 18051

        def impl(env: Any, x: Any) -> Any:
            a = num_arg(x, np.int64)
            bad = a == lowest
            if np.any(bad):
                env.fail(bad, error(code))
            return -a
        return impl
    return lambda env, x: -num_arg(x)


def _vector_comparison(name: str, test: Callable[[Any], Any], direct: Callable[[Any, Any], Any]
                       ) -> None:
    @batch(name)
    def vfactory(site: CallSite) -> Fn:
        t = label_type(site)
        kind = t.name if t is not None else ""
        if kind in ("float", "double"):
            def float_impl(env: Any, x: Any, y: Any) -> Any:
                return test(number_cmp(num_arg(x), num_arg(y)))
            return float_impl
        if kind in ("int", "long", "boolean"):
            dt = np.int64 if kind != "boolean" else np.bool_
            return lambda env, x, y: direct(num_arg(x, dt), num_arg(y, dt))
        if kind == "string":
            def str_impl(env: Any, x: Any, y: Any) -> Any:
                a = x.value if hasattr(x, "value") else x
                b = y.value if hasattr(y, "value") else y
                if not isinstance(a, (str, np.ndarray)) or not isinstance(b, (str, np.ndarray)):
                    raise NotVectorized("string comparison")
                return np.asarray(direct(a, b), dtype=bool)
            return str_impl

        def unsupported(env: Any, x: Any, y: Any) -> Any:
            raise NotVectorized(f"comparison of {kind}")
        return unsupported


for _name, _test, _direct in (
        ("==", lambda c: c == 0, lambda a, b: a == b), ("!=", lambda c: c != 0, lambda a, b: a != b),
        ("<", lambda c: c < 0, lambda a, b: a < b), ("<=", lambda c: c <= 0, lambda a, b: a <= b),
        (">", lambda c: c > 0, lambda a, b: a > b), (">=", lambda c: c >= 0, lambda a, b: a >= b)):
    _vector_comparison(_name, _test, _direct)


def _vector_extreme(name: str, keep_x: Callable[[Any], Any]) -> None:
    """``max``/``min`` of two numbers: ``x`` where ``keep_x(order(x, y))``, else ``y`` (the
    scalar forms' rule, NaN above every number)."""
    @batch(name)
    def vfactory(site: CallSite) -> Fn:
        t = label_type(site)
        kind = t.name if t is not None else ""
        if kind in ("float", "double"):
            def float_impl(env: Any, x: Any, y: Any) -> Any:
                a, b = num_arg(x), num_arg(y)
                return np.where(keep_x(number_cmp(a, b)), a, b)
            return float_impl
        if kind in ("int", "long"):
            def int_impl(env: Any, x: Any, y: Any) -> Any:
                a, b = num_arg(x, np.int64), num_arg(y, np.int64)
                return np.where(keep_x(np.where(a > b, 1, np.where(a < b, -1, 0))), a, b)
            return int_impl

        def unsupported(env: Any, x: Any, y: Any) -> Any:
            raise NotVectorized(f"{name} of {kind}")
        return unsupported


_vector_extreme("max", lambda c: c >= 0)
_vector_extreme("min", lambda c: c < 0)


@batch("!")
def _not_v(site: CallSite) -> Fn:
    return lambda env, x: ~num_arg(x, np.bool_)


@batch("^^")
def _xor_v(site: CallSite) -> Fn:
    return lambda env, x, y: num_arg(x, np.bool_) != num_arg(y, np.bool_)


# ------------------------------------------------------------------ batch (whole-call) forms

def _and_or_b(is_and: bool) -> Callable[[BatchCompiler, A.Call], Kernel]:
    """``&&``/``||`` on columns: the right side runs only for the rows it decides (a branch)."""
    def form(vc: BatchCompiler, node: A.Call) -> Kernel:
        a = vc.expr(node.args[0])
        b = vc.expr(node.args[1])
        types = vc.scope_types()

        def and_or(env: Any) -> Any:
            x = dense(a(env), env.n, bool).copy()
            rest = np.flatnonzero(x if is_and else ~x)
            if len(rest):
                child = env.sub(None if len(rest) == env.n else rest)
                y = dense(b(child), child.n, bool)
                env.close(child, types)
                x[rest] = y
            return x
        return and_or
    return form


batch_call("&&")(_and_or_b(True))
batch_call("||")(_and_or_b(False))
