"""Kernel SVMs: libsvm's votes, decision values and probability coupling."""

from __future__ import annotations

import warnings

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.datasets import load_breast_cancer, load_diabetes, load_iris, load_wine
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC, SVR, NuSVC, NuSVR, OneClassSVM

from pfa.errors import UnsupportedModelError
from pfa.exporters.sklearn import export
from tests.exporters.helpers import assert_matches_sklearn, random_problem, split

pytestmark = pytest.mark.filterwarnings("ignore:The `probability` parameter:FutureWarning")

KERNELS = ["linear", "poly", "rbf", "sigmoid"]


def _svc(**kw):
    with warnings.catch_warnings():  # SVC(probability=...) is deprecated in sklearn 1.9
        warnings.simplefilter("ignore", FutureWarning)
        return SVC(**kw)


@pytest.mark.parametrize("kernel", KERNELS)
@pytest.mark.parametrize("shape", ["ovr", "ovo"])
def test_svc_wine(kernel, shape):
    X, y = load_wine(return_X_y=True)
    Xtr, Xte, ytr, _ = split(X, y)
    pipe = make_pipeline(StandardScaler(), _svc(kernel=kernel, decision_function_shape=shape,
                                                coef0=0.5))
    assert_matches_sklearn(pipe.fit(Xtr, ytr), Xte)


@pytest.mark.parametrize("kernel", KERNELS)
def test_svc_probability_iris(kernel):
    X, y = load_iris(return_X_y=True)
    Xtr, Xte, ytr, _ = split(X, y)
    est = _svc(kernel=kernel, probability=True, random_state=0, gamma=0.1)
    assert_matches_sklearn(est.fit(Xtr, ytr), Xte)


def test_svc_binary_probability_breast_cancer():
    X, y = load_breast_cancer(return_X_y=True)
    Xtr, Xte, ytr, _ = split(X, y)
    pipe = make_pipeline(StandardScaler(), _svc(probability=True, random_state=0))
    assert_matches_sklearn(pipe.fit(Xtr, ytr), Xte)


def test_nusvc_break_ties_string_labels():
    X, y = load_iris(return_X_y=True)
    names = load_iris().target_names[y]
    Xtr, Xte, ytr, _ = split(X, names)
    assert_matches_sklearn(NuSVC(break_ties=True, nu=0.3).fit(Xtr, ytr), Xte)


@pytest.mark.parametrize("est", [SVR(C=50.0), NuSVR(kernel="poly", degree=2),
                                 SVR(kernel="linear", C=10.0)])
def test_svr_diabetes(est):
    X, y = load_diabetes(return_X_y=True)
    Xtr, Xte, ytr, _ = split(X, y)
    assert_matches_sklearn(est.fit(Xtr, ytr), Xte)


def test_one_class_svm():
    X, y = load_wine(return_X_y=True)
    Xtr, Xte, _, _ = split(X, y)
    pipe = make_pipeline(StandardScaler(), OneClassSVM(nu=0.2))
    assert_matches_sklearn(pipe.fit(Xtr), Xte)


def test_precomputed_kernel_is_refused():
    X, y = load_iris(return_X_y=True)
    with pytest.raises(UnsupportedModelError, match="kernel='precomputed'"):
        export(_svc(kernel="precomputed").fit(X @ X.T, y))


@settings(max_examples=12, deadline=None)
@given(seed=st.integers(0, 10_000), kernel=st.sampled_from(KERNELS),
       n_classes=st.integers(2, 5), C=st.floats(0.1, 10.0), probability=st.booleans(),
       shape=st.sampled_from(["ovr", "ovo"]), degree=st.integers(1, 4))
def test_svc_random(seed, kernel, n_classes, C, probability, shape, degree):
    Xtr, Xte, yc, *_ = random_problem(seed, n_samples=80, n_classes=n_classes)
    est = _svc(kernel=kernel, C=C, probability=probability, decision_function_shape=shape,
               degree=degree, gamma="scale", random_state=0)
    assert_matches_sklearn(make_pipeline(StandardScaler(), est).fit(Xtr, yc), Xte)


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 10_000), kernel=st.sampled_from(["linear", "rbf", "poly"]),
       epsilon=st.floats(0.0, 0.5))
def test_svr_random(seed, kernel, epsilon):
    Xtr, Xte, _, _, yr, _ = random_problem(seed)
    est = make_pipeline(StandardScaler(), SVR(kernel=kernel, epsilon=epsilon))
    assert_matches_sklearn(est.fit(Xtr, yr), Xte)
