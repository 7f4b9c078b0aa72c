"""PCA and TruncatedSVD exports agree with sklearn's transform."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.datasets import load_diabetes, load_digits, load_wine
from sklearn.decomposition import PCA, TruncatedSVD

from tests.exporters.helpers import assert_matches_sklearn, random_problem, split


@pytest.mark.parametrize("whiten", [False, True])
@pytest.mark.parametrize("loader", [load_wine, load_diabetes])
def test_pca_datasets(loader, whiten):
    X, y = loader(return_X_y=True)
    Xtr, Xte, _, _ = split(X, y)
    assert_matches_sklearn(PCA(n_components=3, whiten=whiten).fit(Xtr), Xte)


def test_pca_digits_rank_deficient_whiten():
    X, y = load_digits(return_X_y=True)
    Xtr, Xte, _, _ = split(X, y)
    # digits has constant pixels: whitening clips tiny variances as sklearn does
    assert_matches_sklearn(PCA(whiten=True, svd_solver="full").fit(Xtr), Xte)


def test_truncated_svd_wine():
    X, y = load_wine(return_X_y=True)
    Xtr, Xte, _, _ = split(X, y)
    assert_matches_sklearn(TruncatedSVD(n_components=4, random_state=0).fit(Xtr), Xte)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000), n_features=st.integers(2, 6), whiten=st.booleans(),
       solver=st.sampled_from(["full", "covariance_eigh", "randomized"]),
       array_input=st.booleans())
def test_pca_random(seed, n_features, whiten, solver, array_input):
    Xtr, Xte, *_ = random_problem(seed, n_features=n_features)
    est = PCA(n_components=n_features - 1, whiten=whiten, svd_solver=solver,
              random_state=0).fit(Xtr)
    assert_matches_sklearn(est, Xte, array_input=array_input)


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 10_000), n_features=st.integers(2, 6))
def test_truncated_svd_random(seed, n_features):
    Xtr, Xte, *_ = random_problem(seed, n_features=n_features)
    est = TruncatedSVD(n_components=n_features - 1, algorithm="arpack").fit(Xtr)
    assert_matches_sklearn(est, Xte)
