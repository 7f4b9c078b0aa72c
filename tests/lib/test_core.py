"""Tests of the core library (+ - * / // u- % %% ** comparisons, logic, Kleene, bitwise)."""

from __future__ import annotations

import math
import operator
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pfa.avro.types import BOOLEAN, DOUBLE, FLOAT, INT, LONG, NULL, STRING, AvroUnion
from tests.lib.helpers import call, fn, raises

I32 = st.integers(-(2**31), 2**31 - 1)
I64 = st.integers(-(2**63), 2**63 - 1)
F32 = st.floats(width=32, allow_nan=False)
F64 = st.floats(allow_nan=False)
KLEENE = AvroUnion((BOOLEAN, NULL))

ARITH = {"+": (operator.add, 18000), "-": (operator.sub, 18010), "*": (operator.mul, 18020)}


def in_range(n: int, bits: int) -> bool:
    return -(2 ** (bits - 1)) <= n < 2 ** (bits - 1)


# ------------------------------------------------------------------------------ + - *

@pytest.mark.parametrize("name", ARITH)
@given(x=I32, y=I32)
def test_int_arithmetic_overflows_exactly_outside_32_bits(name, x, y):
    op, code = ARITH[name]
    f = fn(name, INT, INT)
    if in_range(op(x, y), 32):
        assert f(x, y) == op(x, y)
    else:
        raises(code, f, x, y)


@pytest.mark.parametrize("name", ARITH)
@given(x=I64, y=I64)
def test_long_arithmetic_overflows_exactly_outside_64_bits(name, x, y):
    op, code = ARITH[name]
    f = fn(name, LONG, LONG)
    if in_range(op(x, y), 64):
        assert f(x, y) == op(x, y)
    else:
        raises(code + 1, f, x, y)


def test_overflow_boundaries():
    assert call("+", 2**31 - 2, 1) == 2**31 - 1
    raises(18000, fn("+", INT, INT), 2**31 - 1, 1)
    raises(18010, fn("-", INT, INT), -(2**31), 1)
    raises(18020, fn("*", INT, INT), 65536, 32768)
    assert call("*", -65536, 32768) == -(2**31)
    raises(18001, fn("+", LONG, LONG), 2**63 - 1, 1)
    raises(18011, fn("-", LONG, LONG), -(2**63), 1)
    raises(18021, fn("*", LONG, LONG), 2**32, 2**31)


NP_OPS = {"+": np.add, "-": np.subtract, "*": np.multiply}


@pytest.mark.parametrize("name", ARITH)
@given(x=F32, y=F32)
def test_float_arithmetic_is_float32_arithmetic(name, x, y):
    with np.errstate(all="ignore"):
        expected = float(NP_OPS[name](np.float32(x), np.float32(y)))
    got = fn(name, FLOAT, FLOAT)(x, y)
    assert got == expected or (math.isnan(got) and math.isnan(expected))


@pytest.mark.parametrize("name", ARITH)
@given(x=F64, y=F64)
def test_double_arithmetic_is_ieee(name, x, y):
    with np.errstate(all="ignore"):
        expected = float(NP_OPS[name](np.float64(x), np.float64(y)))
    got = fn(name, DOUBLE, DOUBLE)(x, y)
    assert got == expected or (math.isnan(got) and math.isnan(expected))


def test_floating_overflow_gives_infinity():
    assert call("*", 3e38, 10.0, types=(FLOAT, FLOAT)) == math.inf
    assert call("+", 1e308, 1e308) == math.inf
    assert call("-", -1e308, 1e308) == -math.inf
    assert call("+", 0.1, 0.2, types=(FLOAT, FLOAT)) == float(np.float32(0.1) + np.float32(0.2))


# ------------------------------------------------------------------------------ / // u-

def test_divide():
    assert call("/", 7.0, 2.0) == 3.5
    assert call("/", 1.0, 0.0) == math.inf
    assert call("/", -1.0, 0.0) == -math.inf
    assert call("/", 1.0, -0.0) == -math.inf
    assert math.isnan(call("/", 0.0, 0.0))
    assert call("/", 7, 2, types=(DOUBLE, DOUBLE)) == 3.5


@given(x=I32, y=I32)
def test_floor_division_is_the_floor_of_the_quotient(x, y):
    f = fn("//", INT, INT)
    if y == 0:
        raises(18040, f, x, y)
    elif x == -(2**31) and y == -1:
        assert f(x, y) == -(2**31)  # no error code in the spec: wraps as in Java
    else:
        assert f(x, y) == math.floor(Fraction(x, y))


def test_floor_division_examples():
    assert call("//", 7, 2) == 3
    assert call("//", -7, 2) == -4
    assert call("//", 7, -2) == -4
    assert call("//", 2**40 + 1, 2, types=(LONG, LONG)) == 2**39
    raises(18040, fn("//", LONG, LONG), 5, 0)


def test_negate():
    assert call("u-", 5) == -5
    assert call("u-", 2**31 - 1) == -(2**31) + 1
    raises(18050, fn("u-", INT), -(2**31))
    assert call("u-", -(2**31), types=(LONG,)) == 2**31
    raises(18051, fn("u-", LONG), -(2**63))
    assert call("u-", 2.5) == -2.5
    assert math.copysign(1.0, call("u-", 0.0)) == -1.0


# ------------------------------------------------------------------------------ % %%

def test_modulo_has_the_sign_of_the_modulus():
    assert call("%", 7, 3) == 1
    assert call("%", -7, 3) == 2
    assert call("%", 7, -3) == -2
    assert call("%", -7, -3) == -1
    raises(18060, fn("%", INT, INT), 5, 0)
    raises(18060, fn("%", LONG, LONG), 5, 0)
    assert call("%", -7.5, 2.0) == 0.5
    assert call("%", 7.5, -2.0) == -0.5
    assert math.isnan(call("%", 1.0, 0.0))
    assert math.isnan(call("%", math.inf, 2.0))


def test_remainder_has_the_sign_of_the_dividend():
    assert call("%%", 7, 3) == 1
    assert call("%%", -7, 3) == -1
    assert call("%%", 7, -3) == 1
    assert call("%%", -7, -3) == -1
    raises(18070, fn("%%", INT, INT), 5, 0)
    raises(18070, fn("%%", LONG, LONG), 5, 0)
    assert call("%%", -7.5, 2.0) == -1.5
    assert call("%%", 5.0, math.inf) == 5.0
    assert math.isnan(call("%%", 1.0, 0.0))


@given(k=F64, n=F64)
def test_floating_modulo_and_remainder_match_numpy(k, n):
    if n == 0 or math.isinf(k) or math.isinf(n):
        return
    assert call("%", k, n) == pytest.approx(float(np.mod(k, n)), rel=1e-12, abs=1e-300)
    assert call("%%", k, n) == float(np.fmod(k, n))


@given(k=I64, n=I64)
def test_long_modulo_and_remainder_match_python(k, n):
    if n == 0:
        return
    assert fn("%", LONG, LONG)(k, n) == k % n
    r = fn("%%", LONG, LONG)(k, n)
    assert abs(r) < abs(n) and (r == 0 or (r < 0) == (k < 0)) and (k - r) % n == 0


# ------------------------------------------------------------------------------ **

def test_integer_power():
    p = fn("**", INT, INT)
    assert p(2, 30) == 2**30
    assert p(-2, 31) == -(2**31)
    raises(18080, p, 2, 31)
    raises(18080, p, 10, 100)
    assert p(7, 0) == 1
    assert p(0, 0) == 1
    assert p(0, 5) == 0
    assert p(2, -1) == 0
    assert p(-3, -2) == 0
    assert p(1, -7) == 1
    assert p(-1, -3) == -1
    assert p(-1, -4) == 1
    assert p(-1, 2**31 - 1) == -1
    raises(18080, p, 0, -1)
    q = fn("**", LONG, LONG)
    assert q(3, 39) == 3**39  # exact, not through a double
    assert q(-2, 63) == -(2**63)
    raises(18081, q, 2, 63)
    raises(18081, q, 0, -2)


@given(x=st.integers(-50, 50), y=st.integers(0, 40))
def test_integer_power_overflows_exactly_outside_32_bits(x, y):
    p = fn("**", INT, INT)
    if in_range(x**y, 32):
        assert p(x, y) == x**y
    else:
        raises(18080, p, x, y)


def test_floating_power():
    assert call("**", 2.0, 0.5) == math.sqrt(2.0)
    assert call("**", 10.0, 400.0) == math.inf
    assert math.isnan(call("**", -8.0, 1.0 / 3.0))
    assert call("**", 0.0, -1.0) == math.inf
    assert call("**", -0.0, -1.0) == -math.inf
    assert call("**", math.nan, 0.0) == 1.0
    assert call("**", 0.5, math.inf) == 0.0
    assert call("**", 2.0, 0.1, types=(FLOAT, FLOAT)) == float(
        np.float32(np.float64(np.float32(2.0)) ** np.float64(np.float32(0.1))))
    assert call("**", 1e20, 2.0, types=(FLOAT, FLOAT)) == math.inf


INF, NAN = math.inf, math.nan
# IEEE 754-2008 §9.2.1, the special cases of pow, written out from the standard (the spec's
# "**" (libfcns, core) refers floating-point results to IEEE 754); -0.0 vs 0.0 matters.
IEEE_POW = [
    (3.0, 0.0, 1.0), (NAN, -0.0, 1.0), (INF, 0.0, 1.0), (0.0, 0.0, 1.0),       # pow(x, ±0) = 1
    (0.0, -3.0, INF), (-0.0, -3.0, -INF),                 # pow(±0, odd y < 0) = ±inf
    (0.0, -INF, INF), (-0.0, -INF, INF),                  # pow(±0, -inf) = +inf
    (0.0, INF, 0.0), (-0.0, INF, 0.0),                    # pow(±0, +inf) = +0
    (0.0, -2.5, INF), (-0.0, -2.5, INF), (-0.0, -2.0, INF),  # not an odd integer: +inf
    (0.0, 3.0, 0.0), (-0.0, 3.0, -0.0),                   # pow(±0, odd y > 0) = ±0
    (-0.0, 0.5, 0.0), (-0.0, 2.0, 0.0),                   # pow(±0, other y > 0) = +0
    (-1.0, INF, 1.0), (-1.0, -INF, 1.0),                  # pow(-1, ±inf) = 1
    (1.0, NAN, 1.0), (1.0, INF, 1.0), (1.0, -7.5, 1.0),   # pow(+1, y) = 1
    (-2.0, 0.5, NAN), (-8.0, 1.0 / 3.0, NAN),             # negative finite x, non-integer y
    (0.5, -INF, INF), (-0.5, -INF, INF), (2.0, -INF, 0.0), (-2.0, -INF, 0.0),
    (0.5, INF, 0.0), (-0.5, INF, 0.0), (2.0, INF, INF), (-2.0, INF, INF),
    (-INF, -3.0, -0.0), (-INF, -0.5, 0.0), (-INF, -2.0, 0.0),
    (-INF, 3.0, -INF), (-INF, 0.5, INF), (-INF, 2.0, INF),  # pow(-inf, 0.5) = +inf
    (INF, -0.5, 0.0), (INF, 0.5, INF),
    (-2.0, 1025.0, -INF), (-2.0, 1024.0, INF), (-2.0, 1e300, INF),  # overflow keeps the sign
    (2.0, -1e300, 0.0), (NAN, 1.0, NAN), (2.0, NAN, NAN),
]


@pytest.mark.parametrize("x,y,want", IEEE_POW)
def test_double_power_ieee754_special_cases(x, y, want):
    """spec: libfcns "**" (core) — float and double results follow IEEE 754 (§9.2.1 pow)."""
    got = call("**", x, y)
    if math.isnan(want):
        assert math.isnan(got)
    else:
        assert got == want and math.copysign(1.0, got) == math.copysign(1.0, want)


@given(x=st.floats(), y=st.floats())
def test_double_power_is_c99_pow_and_never_raises(x, y):
    """Where math.pow (C99 Annex F) returns, "**" returns the same; elsewhere NaN or ±inf."""
    got = call("**", x, y)
    try:
        want = math.pow(x, y)
    except (ValueError, OverflowError):
        assert math.isnan(got) or math.isinf(got)
        return
    assert (math.isnan(got) and math.isnan(want)) or (
        got == want and math.copysign(1.0, got) == math.copysign(1.0, want))


# ------------------------------------------------------------------------------ comparisons

COMPARISONS = {"==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le,
               ">": operator.gt, ">=": operator.ge}


@pytest.mark.parametrize("name", COMPARISONS)
@given(x=I64, y=I64)
def test_comparisons_of_numbers(name, x, y):
    assert fn(name, LONG, LONG)(x, y) is COMPARISONS[name](x, y)


@pytest.mark.parametrize("name", COMPARISONS)
@given(x=st.text(max_size=5), y=st.text(max_size=5))
def test_comparisons_of_strings_by_code_point(name, x, y):
    expected = COMPARISONS[name]([ord(c) for c in x], [ord(c) for c in y])
    assert fn(name, STRING, STRING)(x, y) is expected


def test_cmp_values_and_promotion():
    assert call("cmp", 1, 2) == -1
    assert call("cmp", 2, 2) == 0
    assert call("cmp", 3, 2) == 1
    assert call("cmp", 1, 1.5, types=(INT, DOUBLE)) == -1
    assert call("cmp", "Z", "a") == -1
    assert call("cmp", False, True) == -1
    assert call("cmp", None, None) == 0
    assert call("cmp", b"\x80", b"\x7f") == 1
    assert call("cmp", [1, 2], [1, 2, 0]) == -1


def test_nan_sorts_above_everything_and_equals_itself():
    assert call("==", math.nan, math.nan)
    assert call(">", math.nan, math.inf)
    assert call("<", -math.inf, math.nan)
    assert call("==", 0.0, -0.0)


def test_max_and_min():
    assert call("max", 3, 5) == 5
    assert call("min", 3, 5) == 3
    assert call("max", "apple", "banana") == "banana"
    assert call("min", [1, 2], [1]) == [1]
    a, b = [1.0], [1.0]
    assert call("max", a, b) is a  # x >= y: x
    assert call("min", a, b) is b  # x < y is false: y


# ------------------------------------------------------------------------------ logic

def boom():
    raise AssertionError("evaluated")


def test_and_or_short_circuit():
    f_and = fn("&&", BOOLEAN, BOOLEAN)
    f_or = fn("||", BOOLEAN, BOOLEAN)
    assert f_and(lambda: False, boom) is False
    assert f_or(lambda: True, boom) is True
    for x in (False, True):
        for y in (False, True):
            assert call("&&", x, y) is (x and y)
            assert call("||", x, y) is (x or y)
            assert call("^^", x, y) is (x != y)
    assert call("!", True) is False
    assert call("!", False) is True


KLEENE_AND = {(True, True): True, (True, False): False, (True, None): None,
              (False, True): False, (False, False): False, (False, None): False,
              (None, True): None, (None, False): False, (None, None): None}
KLEENE_OR = {(True, True): True, (True, False): True, (True, None): True,
             (False, True): True, (False, False): False, (False, None): None,
             (None, True): True, (None, False): None, (None, None): None}


@pytest.mark.parametrize("pair", list(KLEENE_AND))
def test_kleene_truth_tables(pair):
    x, y = pair
    assert call("&&&", x, y, types=(KLEENE, KLEENE)) is KLEENE_AND[pair]
    assert call("|||", x, y, types=(KLEENE, KLEENE)) is KLEENE_OR[pair]


def test_kleene_not_and_short_circuit():
    assert call("!!!", True, types=(KLEENE,)) is False
    assert call("!!!", False, types=(KLEENE,)) is True
    assert call("!!!", None, types=(KLEENE,)) is None
    assert fn("&&&", KLEENE, KLEENE)(lambda: False, boom) is False
    assert fn("|||", KLEENE, KLEENE)(lambda: True, boom) is True


# ------------------------------------------------------------------------------ bitwise

@given(x=I32, y=I32)
def test_bitwise_int_is_numpy_int32(x, y):
    a, b = np.int32(x), np.int32(y)
    assert call("&", x, y) == int(a & b)
    assert call("|", x, y) == int(a | b)
    assert call("^", x, y) == int(a ^ b)
    assert call("~", x) == int(~a)


@given(x=I64, y=I64)
def test_bitwise_long_is_numpy_int64(x, y):
    a, b = np.int64(x), np.int64(y)
    assert fn("&", LONG, LONG)(x, y) == int(a & b)
    assert fn("|", LONG, LONG)(x, y) == int(a | b)
    assert fn("^", LONG, LONG)(x, y) == int(a ^ b)
    assert fn("~", LONG)(x) == int(~a)
