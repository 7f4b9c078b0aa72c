"""Tests of interp.* (expected values computed by hand and with numpy.interp)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pfa.avro.types import DOUBLE, INT, NULL, AvroArray, AvroField, AvroRecord, AvroUnion
from pfa.check.signatures import FcnType
from tests.lib.helpers import call, fn, raises

DD = AvroRecord("DD", [AvroField("x", DOUBLE), AvroField("to", DOUBLE)])
DA = AvroRecord("DA", [AvroField("x", DOUBLE), AvroField("to", AvroArray(DOUBLE))])
AA = AvroRecord("AA", [AvroField("x", AvroArray(DOUBLE)), AvroField("to", INT)])
TABLE = [{"x": 0.0, "to": 0.0}, {"x": 1.0, "to": 10.0}, {"x": 3.0, "to": 0.0}]
TT = (DOUBLE, AvroArray(DD))
TA = (DOUBLE, AvroArray(DA))


def test_bin_fixed_number():
    f = fn("interp.bin", DOUBLE, INT, DOUBLE, DOUBLE)
    assert f(0.0, 5, 0.0, 10.0) == 0
    assert f(9.999, 5, 0.0, 10.0) == 4
    assert f(4.0, 5, 0.0, 10.0) == 2
    raises(22002, f, 10.0, 5, 0.0, 10.0)
    raises(22002, f, -0.1, 5, 0.0, 10.0)
    raises(22002, f, math.nan, 5, 0.0, 10.0)
    raises(22000, f, 1.0, 5, 10.0, 10.0)
    raises(22000, f, 1.0, 5, math.nan, 10.0)
    raises(22001, f, 1.0, 0, 0.0, 10.0)


def test_bin_by_width():
    f = fn("interp.bin", DOUBLE, DOUBLE, DOUBLE)
    assert f(0.0, 0.0, 2.0) == 0
    assert f(-0.5, 0.0, 2.0) == -1
    assert f(7.0, 1.0, 2.0) == 3
    raises(22000, f, 1.0, math.inf, 2.0)
    raises(22001, f, 1.0, 0.0, 0.0)
    raises(22001, f, 1.0, 0.0, -1.0)
    raises(22002, f, math.inf, 0.0, 1.0)


def test_nearest():
    assert call("interp.nearest", 1.4, TABLE, types=TT) == 10.0
    assert call("interp.nearest", 0.5, TABLE, types=TT) == 0.0  # tie: first entry
    table = [{"x": [0.0, 0.0], "to": 1}, {"x": [5.0, 5.0], "to": 2}]
    assert call("interp.nearest", [4.0, 4.0], table, types=(AvroArray(DOUBLE), AvroArray(AA))) == 2
    raises(22011, fn("interp.nearest", AvroArray(DOUBLE), AvroArray(AA)), [1.0], table)
    raises(22010, fn("interp.nearest", *TT), 1.0, [])
    metric = FcnType((DOUBLE, DOUBLE), DOUBLE)
    far = call("interp.nearest", 1.0, TABLE, lambda a, b: -abs(a - b),
               types=(DOUBLE, AvroArray(DD), metric))
    assert far == 0.0  # the entry at x=3 maximizes |a - b|


@given(st.floats(0.0, 3.0))
def test_linear_inside_matches_numpy(x):
    expected = float(np.interp(x, [0.0, 1.0, 3.0], [0.0, 10.0, 0.0]))
    assert call("interp.linear", x, TABLE, types=TT) == pytest.approx(expected, abs=1e-12)
    assert call("interp.linearFlat", x, TABLE, types=TT) == pytest.approx(expected, abs=1e-12)
    assert call("interp.linearMissing", x, TABLE, types=TT, ret=AvroUnion((NULL, DOUBLE)),
                labels={}) == pytest.approx(expected, abs=1e-12)


def test_linear_outside():
    assert call("interp.linear", 4.0, TABLE, types=TT) == -5.0  # extrapolate from x=3, x=1
    assert call("interp.linear", -1.0, TABLE, types=TT) == -10.0
    assert call("interp.linearFlat", 4.0, TABLE, types=TT) == 0.0
    assert call("interp.linearFlat", -1.0, TABLE, types=TT) == 0.0
    missing = fn("interp.linearMissing", *TT, ret=AvroUnion((NULL, DOUBLE)), labels={})
    assert missing(4.0, TABLE) is None
    assert missing(-0.5, TABLE) is None
    assert missing(3.0, TABLE) == 0.0


def test_linear_vectors():
    table = [{"x": 0.0, "to": [0.0, 10.0]}, {"x": 2.0, "to": [2.0, 0.0]}]
    assert call("interp.linear", 0.5, table, types=TA, ret=AvroArray(DOUBLE),
                labels={}) == [0.5, 7.5]
    bad = [{"x": 0.0, "to": [0.0]}, {"x": 2.0, "to": [2.0, 0.0]}]
    for name, code in (("interp.linear", 22021), ("interp.linearFlat", 22031)):
        raises(code, fn(name, *TA, ret=AvroArray(DOUBLE), labels={}), 0.5, bad)
    raises(22041, fn("interp.linearMissing", *TA, ret=AvroUnion((NULL, AvroArray(DOUBLE))),
                     labels={}), 0.5, bad)


@pytest.mark.parametrize("name,code", [("interp.linear", 22020), ("interp.linearFlat", 22030),
                                       ("interp.linearMissing", 22040)])
def test_linear_needs_two_distinct_x(name, code):
    f = fn(name, *TT)
    raises(code, f, 5.0, [{"x": 1.0, "to": 1.0}])
    raises(code, f, 5.0, [{"x": 1.0, "to": 1.0}, {"x": 1.0, "to": 2.0}])
    raises(code, f, 5.0, [])
