"""Exported tree models on the batch engine's whole-forest ``simpleTree`` walk: NaN inputs,
sklearn's missing-only splits (+inf thresholds, operator "<") and categorical histogram
gradient boosting splits ("in") give bit-identical results to ``action`` row by row."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import (
    GradientBoostingRegressor,
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
    RandomForestClassifier,
)
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from pfa.exporters.sklearn import export
from tests.engine.batch_helpers import assert_batch_equals_scalar, same
from tests.exporters.helpers import rows


def _data(seed: int = 0, n: int = 400) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Features with NaN (feature 0 missing-informative), a category column (feature 3) and
    a regression and a class target."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4))
    X[:, 3] = rng.integers(0, 5, n)
    missing = rng.random(n) < 0.25
    y = X[:, 1] + 2.0 * missing + (X[:, 3] == 2) - (X[:, 3] == 4)
    X[missing, 0] = np.nan
    X[rng.random((n, 4)) < 0.05] = np.nan
    return X, y, (y > np.median(y)).astype(int)


def _ops(doc: dict) -> set[tuple[str, bool]]:
    """(operator, value is infinite) of every tree node of the document's cells."""
    found: set[tuple[str, bool]] = set()

    def walk(node):
        if isinstance(node, dict):
            if "operator" in node and "field" in node:
                v = node["value"]
                v = v.get("double", v) if isinstance(v, dict) else v
                found.add((node["operator"], isinstance(v, str) and "Infinity" in v))
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)
    walk(doc.get("cells", {}))
    return found


@pytest.fixture(autouse=True)
def _vector_engine(monkeypatch):
    """These tests watch the vector back end's tree walks: the native tier is turned off
    (tests/engine/test_native.py runs it on every exported family)."""
    monkeypatch.setenv("PFA_NATIVE", "0")


def _check(model, X: np.ndarray, score: np.ndarray) -> dict:
    doc = json.loads(json.dumps(export(model, timestamp=False)))
    inputs = rows(doc, score)
    engine = assert_batch_equals_scalar(doc, inputs)
    assert_batch_equals_scalar(doc, inputs, chunk_size=29)
    walks = [e for e in engine.explain_batch() if e.form == "model.tree.simpleTree"]
    assert walks and all(e.mode == "vector" for e in walks), engine.explain_batch()
    names = [f["name"] for f in doc["input"]["fields"]]
    out = engine.action_batch(pd.DataFrame(score, columns=names))
    expected = [engine.action(r) for r in inputs]
    if isinstance(out, pd.DataFrame):
        got = [{k: (v.tolist() if hasattr(v, "tolist") else v) for k, v in r.items()}
               for r in out.to_dict("records")]
    else:
        got = np.asarray(out).tolist()
    assert all(same(g, e) for g, e in zip(got, expected))
    return doc


def _scoring(X: np.ndarray) -> np.ndarray:
    """The training rows, rows with every feature missing, unseen categories (-1, 7, 2.5)."""
    extra = np.full((4, X.shape[1]), np.nan)
    extra[1:, 1] = 0.25
    extra[1:, 3] = [-1.0, 7.0, 2.5]
    return np.vstack([X, extra])


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("make", [
    lambda: DecisionTreeRegressor(max_depth=6, random_state=0),
    lambda: DecisionTreeClassifier(max_depth=5, random_state=0),
    lambda: RandomForestClassifier(8, max_depth=5, random_state=0),
], ids=["tree_reg", "tree_cls", "forest_cls"])
def test_sklearn_trees_with_missing_values(make):
    X, y, c = _data()
    model = make()
    model.fit(X, y if "Regressor" in type(model).__name__ else c)
    doc = _check(model, X, _scoring(X))
    ops = _ops(doc)
    assert ("<=", False) in ops
    if isinstance(model, DecisionTreeRegressor):
        assert ("<", True) in ops  # a missing-only split: x < +inf sends NaN (+inf) right


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("make", [
    lambda: HistGradientBoostingRegressor(max_iter=15, categorical_features=[3],
                                          random_state=0),
    lambda: HistGradientBoostingClassifier(max_iter=10, categorical_features=[3],
                                           random_state=0),
], ids=["hgb_reg", "hgb_cls"])
def test_categorical_histogram_boosting(make):
    X, y, c = _data(1)
    model = make()
    model.fit(X, y if "Regressor" in type(model).__name__ else c)
    doc = _check(model, X, _scoring(X))
    assert ("in", False) in _ops(doc)


@pytest.mark.filterwarnings("ignore")
def test_single_leaf_trees():
    X, y, _ = _data(2)
    model = GradientBoostingRegressor(n_estimators=3, max_depth=2, random_state=0)
    Xc = np.nan_to_num(X[:, 1:3])
    model.fit(Xc, np.zeros(len(X)))  # constant target: every tree is one leaf
    doc = _check(model, Xc, Xc)
    assert ("alwaysTrue", False) in _ops(doc)
