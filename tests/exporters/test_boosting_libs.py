"""XGBoost and LightGBM through their scikit-learn API (skipped when not installed)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.datasets import load_breast_cancer, load_diabetes, load_iris, load_wine

from tests.exporters.helpers import (
    RTOL_BOOSTING_LIBS,
    assert_matches_sklearn,
    random_problem,
    split,
)

xgb = pytest.importorskip("xgboost")
lgb = pytest.importorskip("lightgbm")

# XGBoost's probabilities are float32 computed with the C library's expf; the document takes
# the correctly rounded exp and rounds it to float32, which can differ by a float32 ulp
# (~6e-8 relative) — and more after the sigmoid and 1 - p of a binary model (4.8e-7 seen).
# Margins, sums and labels are exact; probabilities get the documented 1e-6 (README "How
# exact"), the same tolerance as the fuzzer's.
XGB_PROBA_RTOL = RTOL_BOOSTING_LIBS


def _with_nans(X, seed=0):
    X = X.copy()
    rng = np.random.default_rng(seed)
    X[rng.random(X.shape) < 0.1] = np.nan
    return X


@pytest.mark.parametrize("loader", [load_iris, load_wine, load_breast_cancer])
def test_xgb_classifier(loader):
    X, y = loader(return_X_y=True)
    Xtr, Xte, ytr, _ = split(X, y)
    est = xgb.XGBClassifier(n_estimators=30, max_depth=3, learning_rate=0.3)
    assert_matches_sklearn(est.fit(_with_nans(Xtr), ytr), _with_nans(Xte, 1),
                           rtol=XGB_PROBA_RTOL)


@pytest.mark.parametrize("loader", [load_iris, load_wine, load_breast_cancer])
def test_lgbm_classifier(loader):
    X, y = loader(return_X_y=True)
    Xtr, Xte, ytr, _ = split(X, y)
    est = lgb.LGBMClassifier(n_estimators=30, num_leaves=7, min_child_samples=5, verbose=-1)
    assert_matches_sklearn(est.fit(_with_nans(Xtr), ytr), _with_nans(Xte, 1))


@pytest.mark.parametrize("objective", ["reg:squarederror", "reg:absoluteerror"])
def test_xgb_regressor(objective):
    X, y = load_diabetes(return_X_y=True)
    Xtr, Xte, ytr, _ = split(X, y)
    est = xgb.XGBRegressor(n_estimators=40, max_depth=4, objective=objective)
    assert_matches_sklearn(est.fit(Xtr, ytr), Xte)


@pytest.mark.parametrize("objective", ["regression", "poisson", "huber"])
def test_lgbm_regressor(objective):
    X, y = load_diabetes(return_X_y=True)
    Xtr, Xte, ytr, _ = split(X, y)
    est = lgb.LGBMRegressor(n_estimators=40, objective=objective, verbose=-1)
    # NaNs unseen in training (missing_type None) go where 0.0 goes, as LightGBM
    assert_matches_sklearn(est.fit(Xtr, ytr), _with_nans(Xte))


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(1, 20), depth=st.integers(1, 5),
       n_classes=st.integers(2, 4), nans=st.booleans())
def test_random(seed, n, depth, n_classes, nans):
    Xtr, Xte, yc, _, yr, _ = random_problem(seed, n_classes=n_classes)
    if nans:
        Xtr, Xte = _with_nans(Xtr, seed), _with_nans(Xte, seed + 1)
    for est, y, rtol in [
            (xgb.XGBClassifier(n_estimators=n, max_depth=depth), yc, XGB_PROBA_RTOL),
            (xgb.XGBRegressor(n_estimators=n, max_depth=depth), yr, 1e-9),
            (lgb.LGBMClassifier(n_estimators=n, max_depth=depth, num_leaves=8,
                                min_child_samples=3, verbose=-1), yc, 1e-9),
            (lgb.LGBMRegressor(n_estimators=n, num_leaves=8, min_child_samples=3,
                               verbose=-1), yr, 1e-9)]:
        assert_matches_sklearn(est.fit(Xtr, y), Xte, rtol=rtol)
