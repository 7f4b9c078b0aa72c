"""k-nearest neighbours with the training data in a cell."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.datasets import load_diabetes, load_iris, load_wine
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor

from pfa.errors import UnsupportedModelError
from pfa.exporters.sklearn import export
from tests.exporters.helpers import assert_matches_sklearn, random_problem, split

METRICS = [dict(metric="minkowski", p=2), dict(metric="minkowski", p=1),
           dict(metric="euclidean"), dict(metric="manhattan"), dict(metric="minkowski", p=3)]


@pytest.mark.parametrize("weights", ["uniform", "distance"])
@pytest.mark.parametrize("metric", METRICS, ids=str)
def test_classifier_wine(weights, metric):
    X, y = load_wine(return_X_y=True)
    Xtr, Xte, ytr, _ = split(X, y)
    est = KNeighborsClassifier(n_neighbors=7, weights=weights, **metric)
    assert_matches_sklearn(est.fit(Xtr, ytr), Xte)


def test_classifier_exact_training_point():
    X, y = load_iris(return_X_y=True)
    Xtr, _, ytr, _ = split(X, y)
    est = KNeighborsClassifier(n_neighbors=5, weights="distance").fit(Xtr, ytr)
    assert_matches_sklearn(est, Xtr[:10])  # distance 0: that neighbour alone decides


@pytest.mark.parametrize("weights", ["uniform", "distance"])
def test_regressor_diabetes(weights):
    X, y = load_diabetes(return_X_y=True)
    Xtr, Xte, ytr, _ = split(X, y)
    assert_matches_sklearn(KNeighborsRegressor(weights=weights).fit(Xtr, ytr), Xte)


def test_multi_output_regressor():
    X, y = load_diabetes(return_X_y=True)
    Xtr, Xte, ytr, _ = split(X, y)
    Y = ytr[:, None] * [1.0, -0.5]
    assert_matches_sklearn(KNeighborsRegressor(weights="distance").fit(Xtr, Y), Xte)


@pytest.mark.parametrize("est, reason", [
    (KNeighborsClassifier(weights=lambda d: d), "callable"),
    (KNeighborsClassifier(metric="chebyshev"), "chebyshev"),
    (KNeighborsClassifier(metric="minkowski", metric_params={"w": [1.0, 2.0, 1.0, 1.0]}),
     "weighted minkowski"),
])
def test_refusals(est, reason):
    X, y = load_iris(return_X_y=True)
    with pytest.raises(UnsupportedModelError, match=reason):
        export(est.fit(X, y))


@settings(max_examples=12, deadline=None)
@given(seed=st.integers(0, 10_000), k=st.integers(1, 9), metric=st.sampled_from(METRICS),
       weights=st.sampled_from(["uniform", "distance"]), n_classes=st.integers(2, 4),
       algorithm=st.sampled_from(["kd_tree", "ball_tree", "brute"]))
def test_random(seed, k, metric, weights, n_classes, algorithm):
    Xtr, Xte, yc, _, yr, _ = random_problem(seed, n_classes=n_classes)
    kw = dict(n_neighbors=k, weights=weights, algorithm=algorithm, **metric)
    for est, y in ((KNeighborsClassifier(**kw), yc), (KNeighborsRegressor(**kw), yr)):
        est.fit(Xtr, y)
        if _brute_euclidean_distance_weights(est):
            with pytest.raises(UnsupportedModelError) as info:
                export(est)
            assert info.value.reason == "brute-force euclidean distance weights"
        else:
            assert_matches_sklearn(est, Xte)


def _brute_euclidean_distance_weights(est) -> bool:
    return (est.weights == "distance" and est._fit_method == "brute"
            and est.effective_metric_ == "euclidean")
