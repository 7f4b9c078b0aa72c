"""AdaBoost (classifier and regressor) and IsolationForest."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.datasets import load_breast_cancer, load_diabetes, load_iris, load_wine
from sklearn.ensemble import AdaBoostClassifier, AdaBoostRegressor, IsolationForest
from sklearn.linear_model import LogisticRegression
from sklearn.tree import DecisionTreeClassifier, ExtraTreeRegressor

from pfa.errors import UnsupportedModelError
from pfa.exporters.sklearn import export
from tests.exporters.helpers import assert_matches_sklearn, random_problem, split


@pytest.mark.parametrize("loader", [load_iris, load_wine, load_breast_cancer])
def test_adaboost_classifier(loader):
    X, y = loader(return_X_y=True)
    Xtr, Xte, ytr, _ = split(X, y)
    est = AdaBoostClassifier(DecisionTreeClassifier(max_depth=2), n_estimators=25,
                             random_state=0)
    assert_matches_sklearn(est.fit(Xtr, ytr), Xte)


@pytest.mark.parametrize("loss", ["linear", "square", "exponential"])
def test_adaboost_regressor(loss):
    X, y = load_diabetes(return_X_y=True)
    Xtr, Xte, ytr, _ = split(X, y)
    est = AdaBoostRegressor(n_estimators=20, loss=loss, random_state=0)
    assert_matches_sklearn(est.fit(Xtr, ytr), Xte)


def test_adaboost_regressor_extra_trees():
    X, y = load_diabetes(return_X_y=True)
    Xtr, Xte, ytr, _ = split(X, y)
    est = AdaBoostRegressor(ExtraTreeRegressor(max_depth=4), n_estimators=15, random_state=1)
    assert_matches_sklearn(est.fit(Xtr, ytr), Xte)


def test_adaboost_non_tree_base_is_refused():
    X, y = load_iris(return_X_y=True)
    est = AdaBoostClassifier(LogisticRegression(max_iter=500), n_estimators=3).fit(X, y)
    with pytest.raises(UnsupportedModelError, match="LogisticRegression"):
        export(est)


@pytest.mark.parametrize("kw", [dict(), dict(max_features=0.5), dict(contamination=0.1),
                                dict(max_samples=0.3, bootstrap=True)], ids=str)
def test_isolation_forest(kw):
    X, y = load_wine(return_X_y=True)
    Xtr, Xte, _, _ = split(X, y)
    est = IsolationForest(n_estimators=30, random_state=0, **kw).fit(Xtr)
    assert_matches_sklearn(est, np.vstack([Xte, Xte * 3.0]))


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(1, 15), depth=st.integers(1, 4),
       n_classes=st.integers(2, 4), lr=st.floats(0.1, 2.0))
def test_adaboost_random(seed, n, depth, n_classes, lr):
    Xtr, Xte, yc, _, yr, _ = random_problem(seed, n_classes=n_classes)
    clf = AdaBoostClassifier(DecisionTreeClassifier(max_depth=depth), n_estimators=n,
                             learning_rate=lr, random_state=seed)
    assert_matches_sklearn(clf.fit(Xtr, yc), Xte)
    reg = AdaBoostRegressor(n_estimators=n, learning_rate=lr, random_state=seed)
    assert_matches_sklearn(reg.fit(Xtr, yr), Xte)


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(1, 20),
       max_features=st.sampled_from([1.0, 0.5, 2]), max_samples=st.integers(2, 60))
def test_isolation_forest_random(seed, n, max_features, max_samples):
    Xtr, Xte, *_ = random_problem(seed)
    est = IsolationForest(n_estimators=n, max_features=max_features, max_samples=max_samples,
                          random_state=seed).fit(Xtr)
    assert_matches_sklearn(est, np.vstack([Xte, Xte * 4.0]))
