"""Tests of metric.* against scipy.spatial.distance and hand computation."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.spatial import distance

from pfa.avro.types import BOOLEAN, DOUBLE, NULL, AvroArray, AvroUnion
from pfa.check.signatures import FcnType
from tests.lib.helpers import call, fn, raises

SIM = FcnType((DOUBLE, DOUBLE), DOUBLE)
OPT = AvroArray(AvroUnion((NULL, DOUBLE)))
ARR = AvroArray(DOUBLE)
BOOLS = AvroArray(BOOLEAN)
W3 = (SIM, OPT, OPT)
W4 = (SIM, OPT, OPT, ARR)


def absdiff(a, b):
    return abs(a - b)


@given(st.lists(st.floats(-100, 100), min_size=1, max_size=6), st.data())
def test_metrics_without_missing_values_match_scipy(x, data):
    y = data.draw(st.lists(st.floats(-100, 100), min_size=len(x), max_size=len(x)))
    approx = lambda v: pytest.approx(v, rel=1e-9, abs=1e-9)  # noqa: E731
    assert call("metric.simpleEuclidean", x, y) == approx(distance.euclidean(x, y))
    assert call("metric.euclidean", absdiff, x, y, types=W3) == approx(distance.euclidean(x, y))
    assert call("metric.squaredEuclidean", absdiff, x, y, types=W3) == approx(
        distance.sqeuclidean(x, y))
    assert call("metric.chebyshev", absdiff, x, y, types=W3) == approx(distance.chebyshev(x, y))
    assert call("metric.taxicab", absdiff, x, y, types=W3) == approx(distance.cityblock(x, y))
    assert call("metric.minkowski", absdiff, x, y, 3.0, types=W3 + (DOUBLE,)) == approx(
        distance.minkowski(x, y, 3.0))
    assert call("metric.minkowski", absdiff, x, y, math.inf, types=W3 + (DOUBLE,)) == approx(
        distance.chebyshev(x, y))


def test_missing_values_rescale_by_weights():
    x = [1.0, None, 3.0, 4.0]
    y = [2.0, 5.0, None, 8.0]
    # present components 0 and 3: |1-2| = 1, |4-8| = 4
    assert call("metric.euclidean", absdiff, x, y, types=W3) == pytest.approx(
        math.sqrt((1 + 16) * 4 / 2))
    assert call("metric.squaredEuclidean", absdiff, x, y, types=W3) == pytest.approx(17 * 2)
    assert call("metric.taxicab", absdiff, x, y, types=W3) == pytest.approx(5 * 2)
    assert call("metric.chebyshev", absdiff, x, y, types=W3) == pytest.approx(4 * 2)
    w = [1.0, 2.0, 3.0, 4.0]
    assert call("metric.taxicab", absdiff, x, y, w, types=W4) == pytest.approx(5 * 10 / 5)
    assert call("metric.minkowski", absdiff, x, y, 2.0, w, types=W4[:3] + (DOUBLE, ARR)) == \
        pytest.approx(math.sqrt(17 * 10 / 5))


def test_all_missing_is_nan():
    for name in ("metric.euclidean", "metric.squaredEuclidean", "metric.chebyshev",
                 "metric.taxicab"):
        assert math.isnan(call(name, absdiff, [None], [1.0], types=W3))
    assert math.isnan(call("metric.minkowski", absdiff, [None], [1.0], 2.0,
                           types=W3 + (DOUBLE,)))


@pytest.mark.parametrize("name,code", [("metric.euclidean", 28030),
                                       ("metric.squaredEuclidean", 28040),
                                       ("metric.chebyshev", 28050), ("metric.taxicab", 28060)])
def test_dimension_mismatch(name, code):
    raises(code, fn(name, *W3), absdiff, [1.0, 2.0], [1.0])
    raises(code, fn(name, *W4), absdiff, [1.0], [1.0], [1.0, 1.0])


def test_minkowski_errors_and_simple_euclidean_mismatch():
    f = fn("metric.minkowski", *W3, DOUBLE)
    raises(28070, f, absdiff, [1.0], [1.0, 2.0], 2.0)
    raises(28071, f, absdiff, [1.0], [2.0], 0.0)
    raises(28071, f, absdiff, [1.0], [2.0], -1.0)
    raises(28071, f, absdiff, [1.0], [2.0], math.nan)
    raises(28070, fn("metric.minkowski", *W3, DOUBLE, ARR), absdiff, [1.0], [1.0], 2.0,
           [1.0, 1.0])
    raises(28000, fn("metric.simpleEuclidean", ARR, ARR), [1.0], [1.0, 2.0])


def test_similarity_functions():
    assert call("metric.absDiff", 3.0, -1.5) == 4.5
    assert call("metric.gaussianSimilarity", 1.0, 3.0, 2.0) == pytest.approx(
        math.exp(-math.log(2) * 4 / 4))
    assert call("metric.gaussianSimilarity", 1.0, 1.0, 2.0) == 1.0
    assert call("metric.euclidean", lambda a, b: call("metric.gaussianSimilarity", a, b, 1.0),
                [0.0], [1.0], types=W3) == pytest.approx(0.5)


@given(st.lists(st.booleans(), min_size=1, max_size=10), st.data())
def test_binary_metrics_match_scipy(x, data):
    y = data.draw(st.lists(st.booleans(), min_size=len(x), max_size=len(x)))
    a11 = sum(a and b for a, b in zip(x, y))
    a00 = sum(not a and not b for a, b in zip(x, y))
    n = len(x)
    assert call("metric.simpleMatching", x, y) == pytest.approx(1 - distance.hamming(x, y))
    if a11 + a00 < n or a11:
        assert call("metric.jaccard", x, y) == pytest.approx(1 - distance.jaccard(x, y))
    mismatches = n - a11 - a00
    assert call("metric.tanimoto", x, y) == pytest.approx((a11 + a00) / (n + mismatches))
    assert call("metric.binarySimilarity", x, y, 0.0, 0.0, 0.0, 1.0, 0.0, 1.0, 1.0, 1.0,
                types=(BOOLS, BOOLS) + (DOUBLE,) * 8) == call("metric.jaccard", x, y) or \
        a11 + mismatches == 0


def test_binary_examples_and_errors():
    x = [True, True, False, False]
    y = [True, False, True, False]
    assert call("metric.simpleMatching", x, y) == 0.5
    assert call("metric.jaccard", x, y) == pytest.approx(1 / 3)
    assert call("metric.tanimoto", x, y) == pytest.approx(2 / 6)
    assert math.isnan(call("metric.jaccard", [False], [False]))
    for name, code in (("metric.simpleMatching", 28080), ("metric.jaccard", 28090),
                       ("metric.tanimoto", 28100)):
        raises(code, fn(name, BOOLS, BOOLS), [True], [True, False])
    raises(28110, fn("metric.binarySimilarity", BOOLS, BOOLS, *(DOUBLE,) * 8),
           [True], [], *(1.0,) * 8)
