"""Feature selectors keep exactly the selected inputs."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.datasets import load_breast_cancer, load_wine
from sklearn.feature_selection import (
    GenericUnivariateSelect,
    SelectFromModel,
    SelectKBest,
    SelectPercentile,
    VarianceThreshold,
    f_classif,
)
from sklearn.linear_model import Lasso, LogisticRegression
from sklearn.pipeline import make_pipeline

from pfa.errors import UnsupportedModelError
from pfa.exporters.sklearn import export
from tests.exporters.helpers import assert_matches_sklearn, random_problem, split


@pytest.mark.parametrize("selector", [
    VarianceThreshold(threshold=1.0),
    SelectKBest(f_classif, k=5),
    SelectPercentile(percentile=30),
    GenericUnivariateSelect(mode="fpr", param=0.01),
    SelectFromModel(LogisticRegression(max_iter=5000)),
])
def test_selectors_breast_cancer(selector):
    X, y = load_breast_cancer(return_X_y=True)
    Xtr, Xte, ytr, _ = split(X, y)
    doc = assert_matches_sklearn(selector.fit(Xtr, ytr), Xte)
    assert int(doc["metadata"]["output.size"]) == int(selector.get_support().sum())


def test_selector_in_pipeline_array_input():
    X, y = load_wine(return_X_y=True)
    Xtr, Xte, ytr, _ = split(X, y)
    pipe = make_pipeline(SelectKBest(k=3), VarianceThreshold(0.05)).fit(Xtr, ytr)
    assert_matches_sklearn(pipe, Xte, array_input=True)


def test_nothing_selected_is_refused():
    X, y = load_wine(return_X_y=True)
    sel = VarianceThreshold().fit(X)
    sel.variances_ = np.zeros_like(sel.variances_)  # as if every feature were constant
    with pytest.raises(UnsupportedModelError, match="no feature is selected"):
        export(sel)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000), n_features=st.integers(2, 7), k=st.integers(1, 7),
       alpha=st.floats(0.01, 0.5))
def test_random_selectors(seed, n_features, k, alpha):
    Xtr, Xte, yc, _, yr, _ = random_problem(seed, n_features=n_features)
    assert_matches_sklearn(SelectKBest(k=min(k, n_features)).fit(Xtr, yc), Xte)
    sfm = SelectFromModel(Lasso(alpha=alpha), threshold=-np.inf,
                          max_features=min(k, n_features)).fit(Xtr, yr)
    assert_matches_sklearn(sfm, Xte)
