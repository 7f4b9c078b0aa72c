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
M6     SimpleImputer + StandardScaler + OneHotEncoder (two string columns) +
       GradientBoostingClassifier (50 trees), strings and missing values
M1p …  M1–M5 written the way other PFA producers write them (hand-written documents over
M5p    the same fitted models): ``la.dot`` + ``m.link.softmax``; ``model.tree.simpleWalk``
       with plain ``<=`` nodes; a forest as ``a.map`` over a cell of trees with an inline
       ``fcn`` and ``a.mean``; boosting as ``a.sum`` of ``a.map``; ``model.cluster.closest``
       with its default metric
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

ALL = ["M1", "M2", "M3", "M4", "M5", "demo", "M6"]
PRODUCERS = ["M1p", "M2p", "M3p", "M4p", "M5p"]


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


def m6(n_rows: int) -> BenchModel:
    """The mixed pipeline: numeric columns with missing values (imputed, scaled), two string
    columns one-hot encoded, a 50-tree GradientBoostingClassifier."""
    import pandas as pd
    from sklearn.compose import ColumnTransformer
    from sklearn.ensemble import GradientBoostingClassifier
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import Pipeline, make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    def table(n: int, seed: int) -> tuple[Any, np.ndarray]:
        rng = np.random.default_rng(seed)
        X = rng.normal(size=(n, 8))
        X[rng.random(X.shape) < 0.05] = np.nan
        df = pd.DataFrame(X, columns=[f"n{j}" for j in range(8)])
        df["color"] = rng.choice(["red", "green", "blue", "grey"], size=n)
        df["size"] = rng.choice(["S", "M", "L"], size=n)
        y = ((np.nan_to_num(X[:, 0]) + (df["color"] == "red") - np.nan_to_num(X[:, 3]) > 0.3)
             .astype(int) + (df["size"] == "L").to_numpy())
        return df, y

    train, y = table(N_TRAIN, SEED)
    X, _ = table(n_rows, SEED + 1)
    numeric = [f"n{j}" for j in range(8)]
    pre = ColumnTransformer([
        ("num", make_pipeline(SimpleImputer(), StandardScaler()), numeric),
        ("cat", OneHotEncoder(handle_unknown="ignore"), ["color", "size"])])
    est = Pipeline([("pre", pre), ("gbt", GradientBoostingClassifier(
        n_estimators=50, max_depth=3, random_state=SEED))]).fit(train, y)
    doc = export_doc(est, sample=train)
    names = [f["name"] for f in doc["input"]["fields"]]
    return BenchModel("M6", "SimpleImputer + StandardScaler + OneHotEncoder (2 string columns)"
                      " + GradientBoostingClassifier (50 trees)", est, doc, X, X[names],
                      to_records(doc, X[names]), doc_bytes=len(json.dumps(doc)))


# --- the same models written by "another producer" -------------------------------------------

def _record_input(n: int) -> dict:
    return {"type": "record", "name": "Input",
            "fields": [{"name": f"x{j}", "type": "double"} for j in range(n)]}


def _features(n: int) -> dict:
    return {"new": [{"attr": "input", "path": [{"string": f"x{j}"}]} for j in range(n)],
            "type": {"type": "array", "items": "double"}}


def _tree_node_type(n: int, leaf: Any) -> dict:
    return {"type": "record", "name": "TreeNode", "fields": [
        {"name": "field", "type": {"type": "enum", "name": "Field",
                                   "symbols": [f"x{j}" for j in range(n)]}},
        {"name": "operator", "type": "string"},
        {"name": "value", "type": "double"},
        {"name": "pass", "type": ["TreeNode", leaf]},
        {"name": "fail", "type": ["TreeNode", leaf]}]}


def _tree_json(tree: Any, leaf: Callable[[int], Any], leaf_tag: str) -> dict:
    """A fitted sklearn tree as plain ``<=`` nodes (``pass``: the left child)."""
    t = tree.tree_

    def node(k: int) -> dict:
        if t.children_left[k] < 0:
            return {leaf_tag: leaf(k)}
        return {"TreeNode": {"field": f"x{int(t.feature[k])}", "operator": "<=",
                             "value": float(t.threshold[k]), "pass": node(t.children_left[k]),
                             "fail": node(t.children_right[k])}}
    return node(0)["TreeNode"]


def _producer(key: str, base: BenchModel, doc: dict, title: str) -> BenchModel:
    doc = json.loads(json.dumps(doc))
    return BenchModel(key, title, base.estimator, doc, base.X, base.frame,
                      records_of(doc, base.X), doc_bytes=len(json.dumps(doc)))


def m1p(n_rows: int) -> BenchModel:
    base = m1(n_rows)
    scaler, lr = base.estimator.steps[0][1], base.estimator.steps[1][1]
    n = N_FEATURES
    scaled = {"a.zipmap": [_features(n), {"cell": "mean"}, {"cell": "scale"}, {
        "params": [{"x": "double"}, {"m": "double"}, {"s": "double"}], "ret": "double",
        "do": {"/": [{"-": ["x", "m"]}, "s"]}}]}
    logits = {"la.add": [{"la.dot": [{"cell": "W"}, scaled]}, {"cell": "b"}]}
    arr = {"type": "array", "items": "double"}
    doc = {"input": _record_input(n), "output": {
        "type": "record", "name": "Prediction", "fields": [
            {"name": "label", "type": "int"}, {"name": "probabilities", "type": arr}]},
        "cells": {"mean": {"type": arr, "init": scaler.mean_.tolist()},
                  "scale": {"type": arr, "init": scaler.scale_.tolist()},
                  "W": {"type": {"type": "array", "items": arr}, "init": lr.coef_.tolist()},
                  "b": {"type": arr, "init": lr.intercept_.tolist()}},
        "action": [{"let": {"p": {"m.link.softmax": logits}}},
                   {"new": {"label": {"a.argmax": "p"}, "probabilities": "p"},
                    "type": "Prediction"}]}
    return _producer("M1p", base, doc, "M1 as la.dot + m.link.softmax")


def m2p(n_rows: int) -> BenchModel:
    base = m2(n_rows)
    tree = _tree_json(base.estimator, lambda k: float(base.estimator.tree_.value[k][0][0]),
                      "double")
    doc = {"input": _record_input(N_FEATURES), "output": "double",
           "cells": {"tree": {"type": _tree_node_type(N_FEATURES, "double"), "init": tree}},
           "action": [{"model.tree.simpleWalk": ["input", {"cell": "tree"}, {
               "params": [{"d": "Input"}, {"t": "TreeNode"}], "ret": "boolean",
               "do": {"model.tree.simpleTest": ["d", "t"]}}]}]}
    return _producer("M2p", base, doc, "M2 as model.tree.simpleWalk with plain <= nodes")


def m3p(n_rows: int) -> BenchModel:
    base = m3(n_rows)
    arr = {"type": "array", "items": "double"}
    k = len(base.estimator.classes_)

    def proba(tree: Any) -> Callable[[int], list[float]]:
        def leaf(j: int) -> list[float]:
            v = tree.tree_.value[j][0]
            return (v / v.sum()).tolist()
        return leaf
    trees = [_tree_json(t, proba(t), "array") for t in base.estimator.estimators_]
    outs = {"a.map": [{"cell": "forest"}, {"params": [{"t": "TreeNode"}], "ret": arr,
                                           "do": {"model.tree.simpleTree": ["input", "t"]}}]}
    mean = {"new": [{"a.mean": {"a.map": ["outs", {"params": [{"p": arr}], "ret": "double",
                                                   "do": {"attr": "p", "path": [c]}}]}}
                    for c in range(k)], "type": arr}
    doc = {"input": _record_input(N_FEATURES), "output": {
        "type": "record", "name": "Prediction", "fields": [
            {"name": "label", "type": "int"}, {"name": "probabilities", "type": arr}]},
        "cells": {"forest": {"type": {"type": "array", "items": _tree_node_type(
            N_FEATURES, arr)}, "init": trees}},
        "action": [{"let": {"outs": outs}}, {"let": {"p": mean}},
                   {"new": {"label": {"a.argmax": "p"}, "probabilities": "p"},
                    "type": "Prediction"}]}
    return _producer("M3p", base, doc, "M3 as a.map over a cell of trees + a.mean")


def m4p(n_rows: int) -> BenchModel:
    base = m4(n_rows)
    est = base.estimator
    trees = [_tree_json(t[0], lambda j, t=t: float(t[0].tree_.value[j][0][0]), "double")
             for t in est.estimators_]
    init = float(est.init_.constant_[0][0])
    doc = {"input": _record_input(N_FEATURES), "output": "double",
           "cells": {"trees": {"type": {"type": "array", "items": _tree_node_type(
               N_FEATURES, "double")}, "init": trees}},
           "action": [{"+": [init, {"*": [float(est.learning_rate), {"a.sum": {"a.map": [
               {"cell": "trees"}, {"params": [{"t": "TreeNode"}], "ret": "double",
                                   "do": {"model.tree.simpleTree": ["input", "t"]}}]}}]}]}]}
    return _producer("M4p", base, doc, "M4 as a.sum of a.map over plain trees")


def m5p(n_rows: int) -> BenchModel:
    base = m5(n_rows)
    arr = {"type": "array", "items": "double"}
    doc = {"input": _record_input(N_FEATURES), "output": "int",
           "cells": {"clusters": {"type": {"type": "array", "items": {
               "type": "record", "name": "Cluster", "fields": [
                   {"name": "id", "type": "int"}, {"name": "center", "type": arr}]}},
               "init": [{"id": j, "center": c.tolist()}
                        for j, c in enumerate(base.estimator.cluster_centers_)]}},
           "action": [{"attr": {"model.cluster.closest": [_features(N_FEATURES),
                                                          {"cell": "clusters"}]},
                       "path": [{"string": "id"}]}]}
    return _producer("M5p", base, doc, "M5 as model.cluster.closest, default metric")


BUILDERS: dict[str, Callable[[int], BenchModel]] = {
    "M1": m1, "M2": m2, "M3": m3, "M4": m4, "M5": m5, "demo": demo, "M6": m6,
    "M1p": m1p, "M2p": m2p, "M3p": m3p, "M4p": m4p, "M5p": m5p}


def build(key: str, n_rows: int) -> BenchModel:
    """The model ``key`` (one of :data:`ALL` or :data:`PRODUCERS`) with ``n_rows`` scoring
    rows."""
    return BUILDERS[key](n_rows)
