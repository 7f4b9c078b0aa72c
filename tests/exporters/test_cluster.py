"""KMeans and MiniBatchKMeans: sklearn's closest-center labels."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.cluster import KMeans, MiniBatchKMeans
from sklearn.datasets import load_digits, load_iris, load_wine

from tests.exporters.helpers import assert_matches_sklearn, random_problem, split


@pytest.mark.parametrize("loader", [load_iris, load_wine, load_digits])
def test_kmeans_datasets(loader):
    X, y = loader(return_X_y=True)
    Xtr, Xte, _, _ = split(X, y)
    assert_matches_sklearn(KMeans(n_clusters=5, n_init=3, random_state=0).fit(Xtr), Xte)


def test_minibatch_kmeans_wine():
    X, y = load_wine(return_X_y=True)
    Xtr, Xte, _, _ = split(X, y)
    est = MiniBatchKMeans(n_clusters=4, n_init=3, random_state=0).fit(Xtr)
    assert_matches_sklearn(est, Xte)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000), k=st.integers(1, 6), minibatch=st.booleans(),
       offset=st.sampled_from([0.0, 1e4]))
def test_random(seed, k, minibatch, offset):
    Xtr, Xte, *_ = random_problem(seed)
    cls = MiniBatchKMeans if minibatch else KMeans
    est = cls(n_clusters=k, n_init=2, random_state=seed).fit(Xtr + offset)
    assert_matches_sklearn(est, Xte + offset)
