"""The fitted models of the benches, built deterministically (fixed seeds, synthetic data).

=====  ==========================================================================
key    model
=====  ==========================================================================
M1     StandardScaler + LogisticRegression (3 classes, 20 features)
M2     DecisionTreeRegressor, depth 10
M3     RandomForestClassifier, 100 trees, depth 8
M4     GradientBoostingRegressor, 100 trees, depth 3
M5     KMeans, k = 8
demo   the ``make demo`` pipeline (OrdinalEncoder + HistGradientBoostingClassifier)
=====  ==========================================================================

``build(key, n_rows)`` returns a :class:`BenchModel`: the fitted estimator, its exported PFA
document and ``n_rows`` scoring rows in every form the paths need (array/DataFrame for
sklearn and onnxruntime, engine records for pfa and titus).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from pfa.exporters.records import to_records

N_TRAIN = 5_000
N_FEATURES = 20
SEED = 0

ALL = ["M1", "M2", "M3", "M4", "M5", "demo"]


@dataclass
class BenchModel:
    """A fitted model and its scoring rows."""

    key: str
    title: str
    estimator: Any
    doc: dict
    X: Any  # what sklearn's predict gets (ndarray or DataFrame)
    frame: Any  # a DataFrame of the document's input columns
    records: list[Any]  # engine inputs, one per row
    doc_bytes: int = 0
    titus_rows: int = 5_000
    notes: list[str] = field(default_factory=list)

    _engine: Any = field(default=None, repr=False)

    @property
    def n_rows(self) -> int:
        return len(self.records)

    def engine(self) -> Any:
        """This engine on the document (built once, shared by the scalar and vector paths)."""
        if self._engine is None:
            from pfa import Engine

            self._engine = Engine.from_json(self.doc)
        return self._engine


def export_doc(estimator: Any, **kwargs: Any) -> dict:
    """The PFA document of ``estimator`` as plain JSON data (as read from a file)."""
    from pfa.exporters.sklearn import export

    return json.loads(json.dumps(export(estimator, timestamp=False, **kwargs)))


def records_of(doc: dict, X: Any) -> list[Any]:
    """Engine inputs for the rows of ``X``."""
    return to_records(doc, X)


def _frame(doc: dict, X: np.ndarray) -> Any:
    import pandas as pd

    return pd.DataFrame(X, columns=[f["name"] for f in doc["input"]["fields"]])


def classification(n_rows: int, seed: int = SEED) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(X_train, y_train, X_score): 3 classes, 20 features, 10 informative."""
    from sklearn.datasets import make_classification

    X, y = make_classification(n_samples=N_TRAIN + n_rows, n_features=N_FEATURES,
                               n_informative=10, n_redundant=4, n_classes=3,
                               random_state=seed)
    return X[:N_TRAIN], y[:N_TRAIN], X[N_TRAIN:]


def regression(n_rows: int, seed: int = SEED) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(X_train, y_train, X_score): 20 features, 10 informative, some noise."""
    from sklearn.datasets import make_regression

    X, y = make_regression(n_samples=N_TRAIN + n_rows, n_features=N_FEATURES,
                           n_informative=10, noise=5.0, random_state=seed)
    return X[:N_TRAIN], y[:N_TRAIN], X[N_TRAIN:]


def blobs(n_rows: int, seed: int = SEED) -> tuple[np.ndarray, np.ndarray]:
    """(X_train, X_score): 8 Gaussian blobs in 20 dimensions."""
    from sklearn.datasets import make_blobs

    X, _ = make_blobs(n_samples=N_TRAIN + n_rows, n_features=N_FEATURES, centers=8,
                      random_state=seed)
    return X[:N_TRAIN], X[N_TRAIN:]


def forest(n_estimators: int = 100, max_depth: int = 8) -> Any:
    """A fitted RandomForestClassifier on the classification data (predicts on one core)."""
    from sklearn.ensemble import RandomForestClassifier

    X, y, _ = classification(0)
    est = RandomForestClassifier(n_estimators=n_estimators, max_depth=max_depth,
                                 random_state=SEED, n_jobs=2).fit(X, y)
    est.n_jobs = None
    return est


def _numeric(key: str, title: str, est: Any, X: np.ndarray) -> BenchModel:
    doc = export_doc(est)
    return BenchModel(key, title, est, doc, X, _frame(doc, X), records_of(doc, X),
                      doc_bytes=len(json.dumps(doc)))


def m1(n_rows: int) -> BenchModel:
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    Xt, yt, X = classification(n_rows)
    est = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)).fit(Xt, yt)
    return _numeric("M1", "StandardScaler + LogisticRegression (3 classes, 20 features)",
                    est, X)


def m2(n_rows: int) -> BenchModel:
    from sklearn.tree import DecisionTreeRegressor

    Xt, yt, X = regression(n_rows)
    est = DecisionTreeRegressor(max_depth=10, random_state=SEED).fit(Xt, yt)
    return _numeric("M2", "DecisionTreeRegressor (depth 10)", est, X)


def m3(n_rows: int) -> BenchModel:
    _, _, X = classification(n_rows)
    return _numeric("M3", "RandomForestClassifier (100 trees, depth 8)", forest(), X)


def m4(n_rows: int) -> BenchModel:
    from sklearn.ensemble import GradientBoostingRegressor

    Xt, yt, X = regression(n_rows)
    est = GradientBoostingRegressor(n_estimators=100, max_depth=3,
                                    random_state=SEED).fit(Xt, yt)
    return _numeric("M4", "GradientBoostingRegressor (100 trees, depth 3)", est, X)


def m5(n_rows: int) -> BenchModel:
    from sklearn.cluster import KMeans

    Xt, X = blobs(n_rows)
    est = KMeans(n_clusters=8, n_init=1, random_state=SEED).fit(Xt)
    return _numeric("M5", "KMeans (k = 8, 20 features)", est, X)


def demo(n_rows: int) -> BenchModel:
    """The ``make demo`` pipeline, trained on the demo table; scoring rows are drawn (with
    replacement, fixed seed) from that table, missing values and categories included."""
    from pfa.demo import build_pipeline, make_data

    df, y = make_data()
    categorical = ["sex", "age_band"]
    numeric = [c for c in df.columns if c not in categorical]
    est = build_pipeline(categorical, numeric).fit(df, y)
    doc = export_doc(est, sample=df)
    idx = np.random.default_rng(SEED).integers(0, len(df), size=n_rows)
    X = df.iloc[idx].reset_index(drop=True)
    names = [f["name"] for f in doc["input"]["fields"]]
    records = to_records(doc, X[names])
    return BenchModel("demo", "demo pipeline (OrdinalEncoder + HistGradientBoostingClassifier"
                      ", 60 iterations)", est, doc, X, X[names], records,
                      doc_bytes=len(json.dumps(doc)))


BUILDERS: dict[str, Callable[[int], BenchModel]] = {
    "M1": m1, "M2": m2, "M3": m3, "M4": m4, "M5": m5, "demo": demo}


def build(key: str, n_rows: int) -> BenchModel:
    """The model ``key`` (one of :data:`ALL`) with ``n_rows`` scoring rows."""
    return BUILDERS[key](n_rows)
