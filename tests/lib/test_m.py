"""Tests of the m.* library against Python's math and numpy."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pfa.avro.types import DOUBLE, FLOAT, INT, LONG
from tests.lib.helpers import call, fn, raises

NUMPY = {"m.sqrt": np.sqrt, "m.sin": np.sin, "m.cos": np.cos, "m.tan": np.tan,
         "m.asin": np.arcsin, "m.acos": np.arccos, "m.atan": np.arctan, "m.sinh": np.sinh,
         "m.cosh": np.cosh, "m.tanh": np.tanh, "m.exp": np.exp, "m.expm1": np.expm1,
         "m.ln": np.log, "m.log10": np.log10, "m.ln1p": np.log1p, "m.floor": np.floor,
         "m.ceil": np.ceil, "m.rint": np.rint}


def same(a: float, b: float) -> bool:
    if math.isnan(b):
        return math.isnan(a)
    return a == pytest.approx(b, rel=1e-14, abs=0.0) and math.copysign(1, a) == math.copysign(1, b)


@pytest.mark.parametrize("name", NUMPY)
@given(x=st.floats() | st.sampled_from([0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 2.5, 1e300, -1e300,
                                        math.inf, -math.inf, math.nan]))
def test_unary_functions_are_ieee(name, x):
    with np.errstate(all="ignore"):
        expected = float(NUMPY[name](np.float64(x)))
    assert same(call(name, x), expected)


def test_domain_edges_from_the_spec():
    assert math.isnan(call("m.sqrt", -1.0))
    assert math.isnan(call("m.asin", 1.5))
    assert math.isnan(call("m.acos", -1.5))
    assert call("m.ln", 0.0) == -math.inf
    assert math.isnan(call("m.ln", -1.0))
    assert call("m.log10", 0.0) == -math.inf
    assert call("m.ln1p", -1.0) == -math.inf
    assert math.isnan(call("m.ln1p", -2.0))
    assert call("m.exp", 1000.0) == math.inf
    assert call("m.expm1", 1e-20) == 1e-20  # no round-off
    assert call("m.ln1p", 1e-20) == 1e-20
    assert call("m.hypot", 3e300, 4e300) == pytest.approx(5e300)
    assert call("m.hypot", math.inf, math.nan) == math.inf


def test_constants():
    assert call("m.pi") == math.pi
    assert call("m.e") == math.e


def test_atan2_takes_y_first():
    assert call("m.atan2", 1.0, 0.0) == math.pi / 2
    assert call("m.atan2", 0.0, -1.0) == math.pi
    assert call("m.atan2", -1.0, -1.0) == math.atan2(-1.0, -1.0)


def test_log_with_base():
    assert call("m.log", 8.0, 2) == pytest.approx(3.0)
    assert call("m.log", 100.0, 10) == pytest.approx(2.0)
    assert call("m.log", 0.0, 10) == -math.inf
    assert math.isnan(call("m.log", -5.0, 10))
    assert call("m.log", 5.0, 1) == math.inf
    raises(27170, fn("m.log", DOUBLE, INT), 5.0, 0)
    raises(27170, fn("m.log", DOUBLE, INT), 5.0, -2)


def test_abs():
    assert call("m.abs", -5) == 5
    assert call("m.abs", -(2**31) + 1) == 2**31 - 1
    raises(27020, fn("m.abs", INT), -(2**31))
    assert call("m.abs", -(2**31), types=(LONG,)) == 2**31
    raises(27021, fn("m.abs", LONG), -(2**63))
    assert call("m.abs", -2.5) == 2.5
    assert call("m.abs", -math.inf) == math.inf
    assert call("m.abs", -1.5, types=(FLOAT,)) == 1.5


def test_copysign():
    assert call("m.copysign", 5, -1) == -5
    assert call("m.copysign", -5, 3) == 5
    assert call("m.copysign", -5, 0) == 5  # zero sign counts as positive
    assert call("m.copysign", 2.5, -0.1) == -2.5
    assert call("m.copysign", -2.5, 0.0) == 2.5
    assert call("m.copysign", -2.5, -0.0) == 2.5
    assert call("m.copysign", 7, -9, types=(LONG, LONG)) == -7


def test_floor_ceil_rint_signum():
    assert call("m.floor", -2.5) == -3.0
    assert call("m.ceil", -2.5) == -2.0
    assert math.copysign(1, call("m.ceil", -0.5)) == -1.0
    assert call("m.floor", math.inf) == math.inf
    assert call("m.rint", 2.5) == 2.0
    assert call("m.rint", 3.5) == 4.0
    assert call("m.rint", -2.5) == -2.0
    assert call("m.signum", -3.0) == -1
    assert call("m.signum", 0.0) == 0
    assert call("m.signum", 1e-300) == 1
    assert call("m.signum", math.nan) == 0


def test_round_half_up():
    r_double = fn("m.round", DOUBLE)
    r_float = fn("m.round", FLOAT)
    assert r_double(2.5) == 3
    assert r_double(-2.5) == -2
    assert r_double(0.49999999999999994) == 0
    assert r_double(2.0**52 + 1) == 2**52 + 1
    assert r_double(-0.5) == 0
    assert r_float(1.5) == 2
    assert r_float(2147483520.0) == 2147483520
    raises(27190, r_float, 2147483648.0)
    raises(27190, r_float, -2147483904.0)
    raises(27190, r_float, math.nan)
    raises(27191, r_double, 9.3e18)
    raises(27191, r_double, math.inf)
    assert r_double(-9.2e18) == -9200000000000000000


@given(st.floats(-1e15, 1e15))
def test_round_is_floor_of_x_plus_half(x):
    assert fn("m.round", DOUBLE)(x) == math.floor(Fraction(x) + Fraction(1, 2))
