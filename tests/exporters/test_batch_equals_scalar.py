"""Every converter's exported documents give bit-identical results in ``action_batch`` and in
``action`` row by row: one drawn example per converter of the registry, and a few models on
real data sets, from lists and from columnar data."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from sklearn import datasets
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA
from sklearn.ensemble import (
    GradientBoostingClassifier,
    GradientBoostingRegressor,
    HistGradientBoostingClassifier,
    RandomForestClassifier,
    RandomForestRegressor,
)
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.naive_bayes import GaussianNB
from sklearn.neighbors import KNeighborsClassifier
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler, Normalizer, PolynomialFeatures, StandardScaler
from sklearn.svm import SVC, LinearSVC
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from pfa import Engine
from pfa.exporters.sklearn import export
from tests.engine.batch_helpers import assert_batch_equals_scalar, same
from tests.exporters.fuzz import spec as S
from tests.exporters.fuzz.examples import first_example
from tests.exporters.helpers import rows

IRIS_X, IRIS_Y = datasets.load_iris(return_X_y=True)
DIAB_X, DIAB_Y = datasets.load_diabetes(return_X_y=True)


def _with_missing(X: np.ndarray, seed: int = 0) -> np.ndarray:
    X = X.copy()
    X[np.random.default_rng(seed).random(X.shape) < 0.1] = np.nan
    return X


CONVERTERS = [c.estimator for c in S.converters()]


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("target", CONVERTERS)
def test_every_converter_batch_equals_scalar(target):
    """The first fitted and exported fuzz case around each registered converter."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        example = first_example(target)
    assert example is not None, f"no drawn case around {target} could be fitted and exported"
    inputs = rows(example.doc, example.X)
    assert_batch_equals_scalar(example.doc, inputs)
    assert_batch_equals_scalar(example.doc, inputs, chunk_size=7)


#: models on real data sets (iris, diabetes), beside the drawn examples above
MODELS = [
    ("scaler", lambda: StandardScaler(), "iris"),
    ("minmax", lambda: MinMaxScaler(), "iris"),
    ("normalizer", lambda: Normalizer(), "iris"),
    ("poly", lambda: PolynomialFeatures(2), "iris"),
    ("pca", lambda: PCA(2), "iris"),
    ("linreg", lambda: LinearRegression(), "diab"),
    ("ridge", lambda: Ridge(), "diab"),
    ("logreg", lambda: make_pipeline(StandardScaler(), LogisticRegression(max_iter=500)),
     "iris"),
    ("linsvc", lambda: LinearSVC(), "iris"),
    ("tree_cls", lambda: DecisionTreeClassifier(max_depth=5, random_state=0), "iris"),
    ("tree_reg", lambda: DecisionTreeRegressor(max_depth=6, random_state=0), "diab"),
    ("forest_cls", lambda: RandomForestClassifier(10, max_depth=4, random_state=0), "iris"),
    ("forest_reg", lambda: RandomForestRegressor(5, max_depth=4, random_state=0), "diab"),
    ("gbm_reg", lambda: GradientBoostingRegressor(n_estimators=10, max_depth=3), "diab"),
    ("gbm_cls", lambda: GradientBoostingClassifier(n_estimators=5, max_depth=2), "iris"),
    ("hgb_cls", lambda: HistGradientBoostingClassifier(max_iter=10), "iris_missing"),
    ("imputed_tree", lambda: make_pipeline(SimpleImputer(), DecisionTreeRegressor(max_depth=4)),
     "diab_missing"),
    ("kmeans", lambda: KMeans(4, n_init=2, random_state=0), "iris"),
    ("gnb", lambda: GaussianNB(), "iris"),
    ("knn", lambda: KNeighborsClassifier(3), "iris"),
    ("mlp", lambda: MLPClassifier((5,), max_iter=300, random_state=0), "iris"),
    ("svc", lambda: SVC(probability=False), "iris"),
]


def _data(name: str) -> tuple[np.ndarray, np.ndarray]:
    if name.startswith("iris"):
        X, y = IRIS_X, IRIS_Y
    else:
        X, y = DIAB_X, DIAB_Y
    if name.endswith("missing"):
        X = _with_missing(X)
    return X, y


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("name,make,data", MODELS, ids=[m[0] for m in MODELS])
def test_exported_model_batch_equals_scalar(name, make, data):
    X, y = _data(data)
    model = make()
    if name in ("scaler", "minmax", "normalizer", "poly", "pca", "kmeans"):
        model.fit(X)
    else:
        model.fit(X, y)
    doc = json.loads(json.dumps(export(model, timestamp=False)))
    inputs = rows(doc, X)
    engine = assert_batch_equals_scalar(doc, inputs)
    assert_batch_equals_scalar(doc, inputs, chunk_size=37)
    # columnar input gives the same values
    if isinstance(doc["input"], dict) and doc["input"].get("type") == "record":
        names = [f["name"] for f in doc["input"]["fields"]]
        frame = pd.DataFrame(X, columns=names)
        out = engine.action_batch(frame)
        expected = engine.action_batch(inputs)
        if isinstance(out, pd.DataFrame):
            got = out.to_dict("records")
            got = [{k: (v.tolist() if hasattr(v, "tolist") else v) for k, v in r.items()}
                   for r in got]
        else:
            got = np.asarray(out).tolist()
        assert all(same(g, e) for g, e in zip(got, expected))


def test_demo_pipeline_batch_equals_scalar():
    from pfa.demo import build_pipeline, make_data

    df, y = make_data()
    categorical = ["sex", "age_band"]
    numeric = [c for c in df.columns if c not in categorical]
    pipe = build_pipeline(categorical, numeric).fit(df[categorical + numeric], y)
    doc = json.loads(json.dumps(export(pipe, timestamp=False)))
    engine = Engine.from_json(doc)
    names = [f["name"] for f in doc["input"]["fields"]]
    frame = df[names] if all(n in df.columns for n in names) else None
    if frame is None:  # pragma: no cover - exporter renamed the columns
        pytest.skip("exporter renamed the input columns")
    inputs = [{k: (None if isinstance(v, float) and np.isnan(v) else v) for k, v in r.items()}
              for r in frame.to_dict("records")]
    inputs = [{k: (float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else v)
               for k, v in r.items()} for r in inputs]
    assert_batch_equals_scalar(doc, inputs)
    out = engine.action_batch(frame)
    expected = [engine.action(r) for r in inputs]
    got = out.to_dict("records") if isinstance(out, pd.DataFrame) else list(out)
    got = [{k: (v.tolist() if hasattr(v, "tolist") else v) for k, v in r.items()}
           if isinstance(r, dict) else r for r in got]
    assert all(same(g, e) for g, e in zip(got, expected))
