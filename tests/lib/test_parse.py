"""Tests of parse.* (expected values from Python's int/float and numpy)."""

from __future__ import annotations

import math
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pfa.avro.types import INT, STRING
from tests.lib.helpers import call, fn, raises

DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


def to_base(n: int, base: int) -> str:
    if n == 0:
        return "0"
    out = ""
    m = abs(n)
    while m:
        m, r = divmod(m, base)
        out = DIGITS[r] + out
    return ("-" if n < 0 else "") + out


@given(n=st.integers(-(2**31), 2**31 - 1), base=st.integers(2, 36))
def test_parse_int_round_trips(n, base):
    assert call("parse.int", f"  {to_base(n, base).upper()}\t", base) == n


@given(n=st.integers(-(2**63), 2**63 - 1), base=st.integers(2, 36))
def test_parse_long_round_trips(n, base):
    assert call("parse.long", to_base(n, base), base) == n


def test_parse_integer_errors():
    p_int = fn("parse.int", STRING, INT)
    p_long = fn("parse.long", STRING, INT)
    assert p_int("+7f", 16) == 127
    for bad in ("", "1 2", "0x1f", "12.0", "1_000", "--1", "2147483648", "-2147483649"):
        raises(33000, p_int, bad, 16 if bad == "0x1f" else 10)
    raises(33000, p_int, "102", 2)
    raises(33001, p_int, "1", 1)
    raises(33001, p_int, "1", 37)
    raises(33010, p_long, "9223372036854775808", 10)
    raises(33010, p_long, "z", 35)
    raises(33011, p_long, "1", 0)
    assert p_long("-9223372036854775808", 10) == -(2**63)


@pytest.mark.parametrize("text,expected", [
    ("1.5", 1.5), (" -2.25e1 ", -22.5), (".5", 0.5), ("5.", 5.0), ("1E3", 1000.0),
    ("+4", 4.0), ("INF", math.inf), ("+inf", math.inf), ("-Inf", -math.inf),
    ("1e400", math.inf), ("-1e400", -math.inf), ("1e-400", 0.0),
])
def test_parse_double(text, expected):
    assert call("parse.double", text) == expected


def test_parse_nan_and_errors():
    assert math.isnan(call("parse.double", "NaN"))
    assert math.isnan(call("parse.float", " nan"))
    for bad in ("", "abc", "1.2.3", "e5", "1e", "infinity", "0x10", "1_0", "."):
        raises(33030, fn("parse.double", STRING), bad)
        raises(33020, fn("parse.float", STRING), bad)


@given(st.floats(width=32, allow_nan=False, allow_infinity=False))
def test_parse_float_is_float32(x):
    assert call("parse.float", repr(x)) == x


@pytest.mark.parametrize("text", [
    "0.1", "3.4028235e38", "1.00000005960464477539062500001", "1.000000059604644775390625",
    "1.0000001788139343", "7.006492321624085e-46", "-2.5"])
def test_parse_float_rounds_once(text):
    """Against an exact (decimal) choice of the nearest float32, ties to even."""
    exact = Decimal(text)
    approx = float(np.float32(float(text)))
    with np.errstate(all="ignore"):
        candidates = [approx, float(np.nextafter(np.float32(approx), np.float32(-np.inf))),
                      float(np.nextafter(np.float32(approx), np.float32(np.inf)))]
    best = min(candidates, key=lambda c: (abs(Decimal(c) - exact),
                                          int(np.float32(c).view(np.int32)) & 1))
    assert call("parse.float", text) == best


def test_parse_float_overflow():
    assert call("parse.float", "1e39") == math.inf
    assert call("parse.float", "-1e39") == -math.inf
    assert call("parse.float", "1e-50") == 0.0


@pytest.mark.parametrize("name,code", [("parse.int", 33000), ("parse.long", 33010)])
@pytest.mark.parametrize("text", ["9" * 5000, "-" + "1" * 4400, "z" * 65])
def test_thousands_of_digits_are_out_of_range_not_an_internal_error(name, code, text):
    raises(code, fn(name, STRING, INT), text, 36 if text.startswith("z") else 10)


def test_leading_zeros_do_not_count_as_digits():
    assert call("parse.long", "0" * 5000 + "42", 10) == 42
