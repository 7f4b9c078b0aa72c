"""FunctionTransformer: numpy ufuncs map to m.* functions; anything else is refused."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.datasets import load_diabetes, load_iris
from sklearn.linear_model import LinearRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from pfa.errors import UnsupportedModelError
from pfa.exporters.sklearn import export
from tests.exporters.helpers import assert_matches_sklearn, split

POSITIVE = [np.log, np.log1p, np.log10, np.sqrt]
ANY = [np.exp, np.expm1, np.abs, np.sin, np.cos, np.tan, np.arctan, np.sinh, np.cosh,
       np.tanh, np.floor, np.ceil, np.rint, np.negative, None]


@pytest.mark.parametrize("func", POSITIVE + ANY, ids=lambda f: getattr(f, "__name__", "None"))
def test_ufuncs_iris(func):
    X, y = load_iris(return_X_y=True)
    Xtr, Xte, _, _ = split(X, y)
    assert_matches_sklearn(FunctionTransformer(func).fit(Xtr), Xte)


def test_log_pipeline_diabetes():
    X, y = load_diabetes(return_X_y=True)
    Xtr, Xte, ytr, _ = split(X, y)
    pipe = make_pipeline(FunctionTransformer(np.arcsin), LinearRegression()).fit(Xtr, ytr)
    assert_matches_sklearn(pipe, Xte)


@pytest.mark.parametrize("ft, reason", [
    (FunctionTransformer(lambda x: x + 1), "not a numpy ufunc"),
    (FunctionTransformer(np.add), "np.add is not supported"),
    (FunctionTransformer(np.power, kw_args={"x2": 2}), "kw_args"),
])
def test_refusals(ft, reason):
    X, _ = load_iris(return_X_y=True)
    with pytest.raises(UnsupportedModelError, match=reason):
        export(ft.fit(X))


@settings(max_examples=15, deadline=None)
@given(func=st.sampled_from(ANY), data=st.lists(
    st.floats(-30, 30, allow_nan=False), min_size=6, max_size=6))
def test_random_inputs(func, data):
    X = np.asarray(data).reshape(3, 2)
    assert_matches_sklearn(FunctionTransformer(func).fit(X), X)
