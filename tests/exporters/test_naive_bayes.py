"""Naive Bayes: joint log likelihoods through model.naive.*, sklearn's logsumexp."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.datasets import load_breast_cancer, load_digits, load_iris, load_wine
from sklearn.naive_bayes import BernoulliNB, ComplementNB, GaussianNB, MultinomialNB

from tests.exporters.helpers import assert_matches_sklearn, random_problem, split


@pytest.mark.parametrize("loader", [load_iris, load_wine, load_breast_cancer])
def test_gaussian(loader):
    X, y = loader(return_X_y=True)
    Xtr, Xte, ytr, _ = split(X, y)
    assert_matches_sklearn(GaussianNB().fit(Xtr, ytr), Xte)


@pytest.mark.parametrize("est", [MultinomialNB(), MultinomialNB(alpha=0.1, fit_prior=False),
                                 ComplementNB(), ComplementNB(norm=True),
                                 BernoulliNB(binarize=4.0)])
def test_count_models_digits(est):
    X, y = load_digits(return_X_y=True)
    Xtr, Xte, ytr, _ = split(X, y)
    assert_matches_sklearn(est.fit(Xtr, ytr), Xte)


def test_bernoulli_binary_input():
    X, y = load_digits(return_X_y=True)
    Xb = (X > 7).astype(float)
    Xtr, Xte, ytr, _ = split(Xb, y)
    assert_matches_sklearn(BernoulliNB(binarize=None).fit(Xtr, ytr), Xte)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000), n_classes=st.integers(2, 5),
       var_smoothing=st.sampled_from([1e-9, 1e-3, 1.0]))
def test_gaussian_random(seed, n_classes, var_smoothing):
    Xtr, Xte, yc, *_ = random_problem(seed, n_classes=n_classes)
    assert_matches_sklearn(GaussianNB(var_smoothing=var_smoothing).fit(Xtr, yc), Xte)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000), alpha=st.floats(0.01, 2.0),
       threshold=st.floats(0.0, 3.0), n_classes=st.integers(2, 4))
def test_discrete_random(seed, alpha, threshold, n_classes):
    Xtr, Xte, yc, *_ = random_problem(seed, n_classes=n_classes)
    Xtr, Xte = np.abs(np.round(Xtr)), np.abs(np.round(Xte))  # counts
    for est in (MultinomialNB(alpha=alpha), ComplementNB(alpha=alpha),
                BernoulliNB(alpha=alpha, binarize=threshold)):
        assert_matches_sklearn(est.fit(Xtr, yc), Xte)
