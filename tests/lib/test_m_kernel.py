"""Tests of m.kernel.* against numpy."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pfa.avro.types import DOUBLE, AvroArray
from tests.lib.helpers import call, fn, raises

ARR = AvroArray(DOUBLE)
VEC = st.lists(st.floats(-10, 10), min_size=1, max_size=6)


@given(VEC, st.data())
def test_kernels_match_numpy(x, data):
    y = data.draw(st.lists(st.floats(-10, 10), min_size=len(x), max_size=len(x)))
    a, b = np.array(x), np.array(y)
    dot = float(a @ b)
    assert call("m.kernel.linear", x, y) == pytest.approx(dot, abs=1e-9)
    assert call("m.kernel.rbf", x, y, 0.1) == pytest.approx(
        math.exp(-0.1 * float(np.sum((a - b) ** 2))), rel=1e-9, abs=1e-300)
    assert call("m.kernel.poly", x, y, 0.5, 1.0, 3.0) == pytest.approx(
        (0.5 * dot + 1.0) ** 3, rel=1e-9, abs=1e-9)
    assert call("m.kernel.sigmoid", x, y, 0.05, -0.2) == pytest.approx(
        math.tanh(0.05 * dot - 0.2), rel=1e-9, abs=1e-12)


def test_kernel_examples():
    assert call("m.kernel.linear", [1.0, 2.0, 3.0], [4.0, 5.0, 6.0]) == 32.0
    assert call("m.kernel.rbf", [0.0, 0.0], [3.0, 4.0], 2.0) == math.exp(-50.0)
    assert call("m.kernel.poly", [1.0], [2.0], 1.0, 1.0, 2.0) == 9.0
    assert call("m.kernel.linear", [], [], types=(ARR, ARR)) == 0.0


@pytest.mark.parametrize("name,extra,code", [
    ("m.kernel.linear", (), 23000),
    ("m.kernel.rbf", (1.0,), 23010),
    ("m.kernel.poly", (1.0, 0.0, 2.0), 23020),
    ("m.kernel.sigmoid", (1.0, 0.0), 23030),
])
def test_length_mismatch(name, extra, code):
    f = fn(name, ARR, ARR, *([DOUBLE] * len(extra)))
    raises(code, f, [1.0, 2.0], [1.0], *extra)
