"""Tests of impute.*."""

from __future__ import annotations

import math

import pytest

from pfa.avro.types import DOUBLE, FLOAT, INT, NULL, AvroUnion
from tests.lib.helpers import call, fn, raises

OPT = AvroUnion((INT, NULL))


def test_null_handling():
    assert call("impute.errorOnNull", 5, types=(OPT,), ret=INT, labels={"A": INT}) == 5
    raises(21000, fn("impute.errorOnNull", OPT), None)
    assert call("impute.defaultOnNull", None, 7, types=(OPT, INT)) == 7
    assert call("impute.defaultOnNull", 3, 7, types=(OPT, INT)) == 3


@pytest.mark.parametrize("t", [FLOAT, DOUBLE])
def test_non_numbers(t):
    for x, nan, inf in ((1.5, False, False), (math.nan, True, False), (math.inf, False, True),
                        (-math.inf, False, True)):
        assert call("impute.isnan", x, types=(t,)) is nan
        assert call("impute.isinf", x, types=(t,)) is inf
        assert call("impute.isnum", x, types=(t,)) is not (nan or inf)
        assert call("impute.defaultOnNonNum", x, 0.0, types=(t, t)) == (
            0.0 if nan or inf else x)
    f = fn("impute.errorOnNonNum", t)
    assert f(2.5) == 2.5
    raises(21050, f, math.nan)
    raises(21051, f, math.inf)
    raises(21052, f, -math.inf)
