"""Tests of m.link.* against scipy and hand formulas."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import special, stats

from pfa.avro.types import DOUBLE, AvroArray, AvroMap
from tests.lib.helpers import call, fn, raises

X = st.floats(-30, 30)
REFERENCE = {
    "m.link.logit": special.expit,
    "m.link.probit": stats.norm.cdf,
    "m.link.cloglog": lambda x: -np.expm1(-np.exp(x)),
    "m.link.loglog": lambda x: np.exp(-np.exp(x)),
    "m.link.cauchit": stats.cauchy.cdf,
    "m.link.softplus": lambda x: np.logaddexp(0.0, x),
    "m.link.relu": lambda x: np.maximum(x, 0.0),
    "m.link.tanh": np.tanh,
}


@pytest.mark.parametrize("name", REFERENCE)
@given(x=X)
def test_scalar_links(name, x):
    assert call(name, x) == pytest.approx(float(REFERENCE[name](x)), rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("name", REFERENCE)
def test_array_and_map_links(name):
    xs = [-2.0, 0.0, 0.5, 3.0]
    expected = [float(REFERENCE[name](x)) for x in xs]
    assert call(name, xs, types=(AvroArray(DOUBLE),)) == pytest.approx(expected)
    got = call(name, dict(zip("abcd", xs)), types=(AvroMap(DOUBLE),))
    assert got == pytest.approx(dict(zip("abcd", expected)))


def test_links_do_not_overflow():
    assert call("m.link.logit", -1000.0) == 0.0
    assert call("m.link.logit", 1000.0) == 1.0
    assert call("m.link.softplus", 1000.0) == 1000.0
    assert call("m.link.relu", -3.0) == 0.0


@given(st.lists(X, min_size=1, max_size=8))
def test_softmax_matches_scipy(xs):
    got = call("m.link.softmax", xs, types=(AvroArray(DOUBLE),))
    assert got == pytest.approx(list(special.softmax(xs)), rel=1e-9, abs=1e-15)


def test_softmax_map_and_large_values():
    got = call("m.link.softmax", {"a": 1000.0, "b": 1000.0}, types=(AvroMap(DOUBLE),))
    assert got == {"a": 0.5, "b": 0.5}
    assert call("m.link.softmax", [0.0, math.log(3.0)]) == pytest.approx([0.25, 0.75])


def test_softmax_empty_input():
    raises(25000, fn("m.link.softmax", AvroArray(DOUBLE)), [])
    raises(25000, fn("m.link.softmax", AvroMap(DOUBLE)), {})
