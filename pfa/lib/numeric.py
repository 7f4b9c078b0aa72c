"""Numeric helpers shared by the library: integer ranges, float32 rounding, IEEE arithmetic.

Python ints never overflow and Python floats raise where IEEE 754 would give an infinity or a
NaN, so the library builds PFA's number semantics from these helpers:

* :data:`INT_MIN` … :data:`LONG_MAX` and :func:`range_checker` — raise the spec's
  "int overflow" / "long overflow" runtime errors;
* :func:`f32` — round a Python float to float32 precision (overflow gives ±inf), which is how
  an Avro ``float`` is represented in the engine; :func:`rounder` picks it by type;
* :func:`ieee_div`, :func:`ieee_fmod`, :func:`ieee_pow` and :func:`ieee_unary` — IEEE 754
  results (±inf, NaN) instead of Python exceptions;
* :func:`round_half_up` — Java's ``Math.round`` (floor of x + 0.5, computed exactly), and
  :func:`integer_rounder`, the same to an int/long with the overflow errors;
* :func:`wrap_int` / :func:`wrap_long` — two's complement wrap-around.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from pfa.avro.data import to_float32 as f32  # f32(x): nearest float32, overflow → ±inf
from pfa.lib.registry import error

INT_MIN = -(2**31)
INT_MAX = 2**31 - 1
LONG_MIN = -(2**63)
LONG_MAX = 2**63 - 1
INF = math.inf
NAN = math.nan

def int_to_f32(n: int) -> float:
    """The float32 nearest to the integer ``n`` (round-half-even, one rounding only: going
    through a double first could round twice for integers beyond 2**53)."""
    if -(2**53) <= n <= 2**53:
        return f32(float(n))
    mag = abs(n)
    shift = mag.bit_length() - 24
    q, r = divmod(mag, 1 << shift)
    half = 1 << (shift - 1)
    if r > half or (r == half and q & 1):
        q += 1
    return math.copysign(f32(math.ldexp(float(q), shift)), n)


def to_double(x: float) -> float:
    """``x`` as a Python float (identity on floats; converts a promoted int)."""
    return float(x)


def rounder(type_name: str) -> Callable[[float], float]:
    """The function that brings a result into the representation of ``type_name``
    ("float" → :func:`f32`, anything else → :func:`to_double`)."""
    return f32 if type_name == "float" else to_double


def range_checker(type_name: str, int_code: int | None, long_code: int | None) -> Callable[[int], int]:
    """A function ``check(n) -> n`` raising the overflow error ``int_code`` ("int") or
    ``long_code`` ("long") if ``n`` leaves the range of ``type_name``; for other type names
    the identity."""
    if type_name not in ("int", "long"):
        return lambda n: n
    lo, hi = type_bounds(type_name)
    code = int_code if type_name == "int" else long_code

    def check(n: int) -> int:
        if lo <= n <= hi:
            return n
        raise error(code)
    return check


def type_bounds(type_name: str) -> tuple[int, int]:
    """(minimum, maximum) of "int" or "long"."""
    return (INT_MIN, INT_MAX) if type_name == "int" else (LONG_MIN, LONG_MAX)


def wrap_int(n: int) -> int:
    """``n`` wrapped into 32-bit two's complement."""
    return ((n + 2**31) & 0xFFFFFFFF) - 2**31


def wrap_long(n: int) -> int:
    """``n`` wrapped into 64-bit two's complement."""
    return ((n + 2**63) & 0xFFFFFFFFFFFFFFFF) - 2**63


def round_half_up(x: float) -> int | None:
    """The whole number closest to ``x``, halves rounded up (Java's ``Math.round``: the floor
    of x + 0.5, computed without the rounding error of the addition); None for NaN or ±inf."""
    if x != x or x in (INF, -INF):
        return None
    lo = math.floor(x)
    return lo + 1 if x - lo >= 0.5 else lo


def integer_rounder(type_name: str, int_code: int, long_code: int) -> Callable[[float], int]:
    """``to_integer(x)``: ``x`` rounded half up (:func:`round_half_up`) to an ``type_name``
    ("int"/"long"); NaN, ±inf and results out of range raise ``int_code``/``long_code``."""
    check = range_checker(type_name, int_code, long_code)
    code = int_code if type_name == "int" else long_code

    def to_integer(x: float) -> int:
        r = round_half_up(x)
        if r is None:
            raise error(code)
        return check(r)
    return to_integer


def ieee_div(x: float, y: float) -> float:
    """``x / y`` with IEEE 754 results for a zero divisor (±inf, or NaN for 0/0 and NaN/0)."""
    try:
        return x / y
    except ZeroDivisionError:
        if x != x or x == 0:
            return NAN
        neg = (x < 0) != (math.copysign(1.0, y) < 0)
        return -INF if neg else INF


def ieee_fmod(x: float, y: float) -> float:
    """Remainder of ``x / y`` with the sign of ``x`` (C ``fmod``, Java ``%``): NaN if ``y`` is
    zero or ``x`` infinite, ``x`` itself if ``y`` is infinite and ``x`` finite."""
    if y == 0 or x != x or y != y or x in (INF, -INF):
        return NAN
    return math.fmod(x, y)


def ieee_mod(x: float, y: float) -> float:
    """``x`` modulo ``y`` with the sign of the modulus ``y`` (Python's ``%``); NaN where
    :func:`ieee_fmod` gives NaN."""
    r = ieee_fmod(x, y)
    if r != r:
        return r
    if r != 0 and (r < 0) != (y < 0):
        r += y
    return r


def _odd_integer(y: float) -> bool:
    return math.isfinite(y) and y == math.floor(y) and math.fmod(y, 2.0) != 0.0


def ieee_pow(x: float, y: float) -> float:
    """``pow`` of IEEE 754-2008 §9.2.1 (C99 Annex F); never raises.

    ``math.pow`` has the standard's special cases (``pow(-inf, 0.5)`` = +inf, ``pow(1, nan)``
    = ``pow(-1, ±inf)`` = 1, ``pow(x, ±0)`` = 1) and raises where the standard signals
    instead: a negative finite base with a non-integral exponent gives NaN, a zero base with a
    negative exponent ±inf (-inf for -0 with an odd integral exponent), an overflow ±inf
    (-inf for a negative base with an odd integral exponent). numpy's ``power`` is not used:
    it gives NaN for ``pow(-inf, 0.5)`` and -0 for ``pow(-0, 0.5)``.
    """
    x = float(x)
    y = float(y)
    try:
        return math.pow(x, y)
    except ValueError:
        if x == 0.0:
            return -INF if math.copysign(1.0, x) < 0 and _odd_integer(y) else INF
        return NAN
    except OverflowError:
        return -INF if x < 0 and _odd_integer(y) else INF


def ieee_unary(fn: Callable[[float], float],
               ufunc: np.ufunc) -> Callable[[float], float]:
    """Wrap a ``math`` function ``fn`` so that domain and range errors give the IEEE 754
    result computed by the numpy ``ufunc`` (NaN, ±inf) instead of raising."""
    def call(x: float) -> float:
        try:
            return fn(x)
        except (ValueError, OverflowError):
            with np.errstate(all="ignore"):
                return float(ufunc(np.float64(x)))
    call.__name__ = getattr(fn, "__name__", "ieee_unary")
    call.__doc__ = f"IEEE 754 version of {call.__name__}."
    return call


_NP_EXP = np.exp


def np_exp(x: float) -> float:
    """``exp(x)`` computed by numpy's kernel: the vector back end applies the same kernel to
    whole columns, and numpy's (SIMD) ``exp`` may differ from libm's in the last bit, so the
    link functions use this one on both paths to stay bit-identical (NaN and overflow give
    the IEEE results)."""
    if -708.0 < x < 709.0:
        return float(_NP_EXP(x))
    with np.errstate(all="ignore"):
        return float(_NP_EXP(x))


def capped_comb(n: int, k: int, cap: int) -> int:
    """The binomial coefficient C(n, k), or ``cap + 1`` if it is larger than ``cap`` (found
    in a few dozen exact steps whatever the size of ``n``: C(n, i) grows with i up to n/2)."""
    if k < 0 or k > n:
        return 0
    k = min(k, n - k)
    out = 1
    for i in range(1, k + 1):
        out = out * (n - i + 1) // i  # exact: a product of i consecutive integers / i!
        if out > cap:
            return cap + 1
    return out
