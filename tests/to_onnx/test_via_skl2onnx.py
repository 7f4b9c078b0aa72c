"""ONNX output (through skl2onnx) checked against sklearn with onnxruntime."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.cluster import KMeans
from sklearn.datasets import load_breast_cancer, load_diabetes, load_iris
from sklearn.ensemble import GradientBoostingRegressor, RandomForestClassifier
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.naive_bayes import GaussianNB
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeRegressor

from pfa.errors import UnsupportedModelError
from pfa.onnx.via_skl2onnx import to_onnx

ort = pytest.importorskip("onnxruntime")

IRIS = load_iris(return_X_y=True)
CANCER = load_breast_cancer(return_X_y=True)
DIABETES = load_diabetes(return_X_y=True)

# skl2onnx's tree operators compute in float32, so tree outputs agree with sklearn to float32
# precision only (relative 1e-5, absolute 1e-6 on probabilities); the rest runs in float64.
TREE_RTOL = 1e-5


def _run(model, X):
    session = ort.InferenceSession(to_onnx(model), providers=["CPUExecutionProvider"])
    inp = session.get_inputs()[0]
    dtype = np.float32 if inp.type == "tensor(float)" else np.float64
    return session.run(None, {inp.name: np.asarray(X, dtype=dtype)})


@pytest.mark.parametrize("model,data,rtol", [
    (Pipeline([("s", StandardScaler()), ("m", LogisticRegression(max_iter=1000))]), IRIS, 1e-9),
    (RandomForestClassifier(n_estimators=10, max_depth=5, random_state=0), CANCER, TREE_RTOL),
    (GaussianNB(), IRIS, 1e-9),
], ids=["logreg", "forest", "gaussian-nb"])
def test_classifiers(model, data, rtol):
    X, y = data
    model.fit(X, y)
    labels, proba = _run(model, X)
    assert (labels == model.predict(X)).all()
    atol = 1e-6 if rtol == TREE_RTOL else 1e-9
    np.testing.assert_allclose(proba, model.predict_proba(X), rtol=rtol, atol=atol)


def test_knn_labels():
    # onnxruntime's TopK may order neighbours at equal distance differently from sklearn,
    # which changes vote fractions on tied rows; the labels agree.
    X, y = IRIS
    model = KNeighborsClassifier(n_neighbors=5).fit(X, y)
    labels, _ = _run(model, X)
    assert (labels == model.predict(X)).mean() > 0.99


@pytest.mark.parametrize("model,rtol", [
    (Pipeline([("s", StandardScaler()), ("m", Ridge())]), 1e-9),
    (DecisionTreeRegressor(max_depth=6, random_state=0), TREE_RTOL),
    (GradientBoostingRegressor(n_estimators=20, random_state=0), TREE_RTOL),
], ids=["ridge", "tree", "gbr"])
def test_regressors(model, rtol):
    X, y = DIABETES
    model.fit(X, y)
    (pred,) = _run(model, X)
    np.testing.assert_allclose(pred.ravel(), model.predict(X), rtol=rtol)


def test_clusterer():
    X, _ = IRIS
    model = KMeans(n_clusters=3, n_init=3, random_state=0).fit(X)
    labels, _ = _run(model, X)
    assert (labels == model.predict(X)).all()


def test_unconvertible_model_is_a_refusal():
    class Custom:
        n_features_in_ = 2

    with pytest.raises(UnsupportedModelError):
        to_onnx(Custom())
