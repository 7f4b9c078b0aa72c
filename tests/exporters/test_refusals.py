"""One refusal mechanism: an UnsupportedModelError whose ``reason`` names a documented reason
(the README states each word for word), raised for each reason by a model that has it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.cross_decomposition import PLSRegression
from sklearn.feature_selection import SelectKBest
from sklearn.linear_model import LinearRegression
from sklearn.naive_bayes import GaussianNB
from sklearn.neighbors import KNeighborsRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder
from sklearn.tree import DecisionTreeClassifier

from pfa.errors import UnsupportedModelError
from pfa.exporters.refusals import REASONS, Refusal
from pfa.exporters.sklearn import export

ROOT = Path(__file__).resolve().parents[2]
RNG = np.random.default_rng(0)
X = RNG.normal(size=(40, 3))
Y = (X[:, 0] > 0).astype(int)


def test_every_reason_is_in_the_readme():
    readme = (ROOT / "README.md").read_text()
    section = readme.split('## How exact is "the same numbers"?', 1)[-1].split("\n## ", 1)[0]
    missing = [text for text in REASONS.values() if text not in section]
    assert not missing, f"refusal reasons not stated in the README: {missing}"


def test_an_undocumented_reason_cannot_be_raised():
    with pytest.raises(KeyError, match="undocumented refusal reason"):
        Refusal("it felt wrong", "no")


def _xgb_after_sparse():
    xgb = pytest.importorskip("xgboost")
    df = pd.DataFrame({"c": RNG.choice(["a", "b"], 40)})
    return make_pipeline(OneHotEncoder(), xgb.XGBClassifier(n_estimators=2)).fit(df, Y), {}


def _none_and_nan():
    df = pd.DataFrame({"c": pd.Series(["a", None, np.nan, "b"] * 10, dtype=object)})
    return OneHotEncoder().fit(df), {}


def _zero_variance():
    Xc = X.copy()
    Xc[:, 1] = 1.0
    return GaussianNB(var_smoothing=0.0).fit(Xc, Y), {}


def _float32_sample():
    df = pd.DataFrame(X, columns=["a", "b", "c"]).astype(np.float32)
    return LinearRegression().fit(df.astype(np.float64), Y), {"sample": df}


CASES = {
    "no converter": lambda: (PLSRegression(1).fit(X, Y), {}),
    "multi-output classifier": lambda: (
        DecisionTreeClassifier(max_depth=2).fit(X, np.column_stack([Y, 1 - Y])), {}),
    "float32 data": lambda: (LinearRegression().fit(X.astype(np.float32), Y), {}),
    "empty selection": lambda: (SelectKBest(k=0).fit(X, Y), {}),
    "zero variance": _zero_variance,
    "xgboost on sparse input": _xgb_after_sparse,
    "None and NaN categories": _none_and_nan,
    "brute-force euclidean distance weights": lambda: (
        KNeighborsRegressor(weights="distance", algorithm="brute").fit(X, Y), {}),
}


def test_every_reason_has_a_case():
    assert set(CASES) == set(REASONS)


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("reason", list(CASES) + ["float32 sample"])
def test_refusal_names_its_reason(reason):
    model, kwargs = (_float32_sample if reason == "float32 sample" else CASES[reason])()
    with pytest.raises(UnsupportedModelError) as info:
        export(model, **kwargs)
    assert info.value.reason == reason.replace(" sample", " data")
