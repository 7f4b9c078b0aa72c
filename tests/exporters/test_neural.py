"""MLPClassifier and MLPRegressor through model.neural.simpleLayers."""

from __future__ import annotations

import warnings

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.datasets import load_breast_cancer, load_diabetes, load_digits, load_iris
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from tests.exporters.helpers import assert_matches_sklearn, random_problem, split

ACTIVATIONS = ["relu", "tanh", "logistic", "identity"]


def _fit(est, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(X, y)


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("loader", [load_iris, load_breast_cancer, load_digits])
def test_classifier(loader, activation):
    X, y = loader(return_X_y=True)
    Xtr, Xte, ytr, _ = split(X, y)
    est = make_pipeline(StandardScaler(), MLPClassifier(
        hidden_layer_sizes=(8, 5), activation=activation, max_iter=200, random_state=0))
    assert_matches_sklearn(_fit(est, Xtr, ytr), Xte)


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_regressor_diabetes(activation):
    X, y = load_diabetes(return_X_y=True)
    Xtr, Xte, ytr, _ = split(X, y)
    est = MLPRegressor(hidden_layer_sizes=(10,), activation=activation, max_iter=300,
                       random_state=0)
    assert_matches_sklearn(_fit(est, Xtr, ytr), Xte)


def test_multi_output_regressor():
    X, y = load_diabetes(return_X_y=True)
    Xtr, Xte, ytr, _ = split(X, y)
    est = MLPRegressor(hidden_layer_sizes=(6,), max_iter=200, random_state=0)
    assert_matches_sklearn(_fit(est, Xtr, ytr[:, None] * [1.0, 0.01]), Xte)


@settings(max_examples=12, deadline=None)
@given(seed=st.integers(0, 10_000), layers=st.lists(st.integers(1, 6), min_size=1,
                                                    max_size=3),
       activation=st.sampled_from(ACTIVATIONS), n_classes=st.integers(2, 4))
def test_random(seed, layers, activation, n_classes):
    Xtr, Xte, yc, _, yr, _ = random_problem(seed, n_classes=n_classes)
    kw = dict(hidden_layer_sizes=tuple(layers), activation=activation, max_iter=50,
              random_state=seed)
    assert_matches_sklearn(_fit(MLPClassifier(**kw), Xtr, yc), Xte)
    assert_matches_sklearn(_fit(MLPRegressor(**kw), Xtr, yr), Xte)
