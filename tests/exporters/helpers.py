"""Shared helpers of the exporter tests: export a fitted estimator, run the document with the
engine and compare every output with what sklearn computes on the same rows."""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from pfa import Engine
from pfa.exporters.records import to_records
from pfa.exporters.sklearn import export

RTOL = 1e-9  # relative tolerance of floating outputs
ATOL_SCALE = 1e-12  # absolute tolerance, relative to the largest magnitude of the expected array
# XGBoost and LightGBM sum their trees in float32 and XGBoost's probabilities use the C
# library's float32 expf, which can differ from the document's correctly rounded exp (rounded
# to float32) by a few float32 ulps (~6e-8 relative each); README "How exact": within 1e-6.
RTOL_BOOSTING_LIBS = 1e-6


def export_engine(estimator: Any, **kwargs: Any) -> tuple[dict, Engine]:
    """Export ``estimator`` (checking the document survives a JSON round trip) and load it."""
    doc = export(estimator, timestamp=False, **kwargs)
    doc = json.loads(json.dumps(doc))
    return doc, Engine.from_json(doc)


def rows(doc: dict, X: Any) -> list[Any]:
    """The engine inputs for the rows of ``X`` (a record per row, or an array)."""
    return to_records(doc, X)


def assert_close(actual: Any, expected: Any, what: str, rtol: float = RTOL,
                 atol_scale: float = ATOL_SCALE) -> None:
    """Floats equal within ``rtol`` relative and ``atol_scale`` × the expected scale."""
    a = np.asarray(actual, dtype=np.float64)
    e = np.asarray(expected, dtype=np.float64)
    assert a.shape == e.shape, f"{what}: shape {a.shape} != {e.shape}"
    finite = e[np.isfinite(e)]
    scale = float(np.max(np.abs(finite))) if finite.size else 1.0
    np.testing.assert_allclose(a, e, rtol=rtol, atol=atol_scale * max(scale, 1.0),
                               equal_nan=True, err_msg=what)


def _labels_equal(actual: list[Any], expected: Any, what: str) -> None:
    exp = [e.item() if hasattr(e, "item") else e for e in np.asarray(expected).ravel()]
    bad = [(i, a, e) for i, (a, e) in enumerate(zip(actual, exp)) if a != e]
    assert not bad, f"{what}: {len(bad)} of {len(exp)} rows differ, first {bad[:5]}"


def run(engine: Engine, inputs: list[Any]) -> list[Any]:
    return [engine.action(r) for r in inputs]


def assert_matches_sklearn(estimator: Any, X: Any, *, rtol: float = RTOL,
                           atol_scale: float = ATOL_SCALE, **export_kwargs: Any) -> dict:
    """Export ``estimator``, run the document on the rows of ``X`` and compare with sklearn.

    The sklearn method follows the document's ``role``: ``transform`` (transformer),
    ``predict`` (regressor, clusterer), ``predict`` + ``predict_proba`` + ``decision_function``
    (classifier; probabilities and scores only when the document outputs them) and
    ``predict`` + ``decision_function`` (outlier). Labels must be equal; floats within
    ``rtol``. Returns the document.
    """
    doc, engine = export_engine(estimator, **export_kwargs)
    outs = run(engine, rows(doc, X))
    role = doc["metadata"]["role"]
    if role == "transformer":
        assert_close(outs, estimator.transform(X), "transform", rtol, atol_scale)
    elif role == "regressor":
        assert_close(outs, estimator.predict(X), "predict", rtol, atol_scale)
    elif role == "clusterer":
        _labels_equal(outs, estimator.predict(X), "predict")
    elif role == "classifier":
        _labels_equal([o["label"] for o in outs], estimator.predict(X), "predict")
        if "probabilities" in outs[0]:
            assert_close([o["probabilities"] for o in outs], estimator.predict_proba(X),
                         "predict_proba", rtol, atol_scale)
        if "scores" in outs[0]:
            expected = np.asarray(estimator.decision_function(X))
            if expected.ndim == 1:
                expected = expected[:, None]
            assert_close([o["scores"] for o in outs], expected, "decision_function", rtol,
                         atol_scale)
    elif role == "outlier":
        _labels_equal([o["label"] for o in outs], estimator.predict(X), "predict")
        assert_close([o["score"] for o in outs], estimator.decision_function(X),
                     "decision_function", rtol, atol_scale)
    else:  # pragma: no cover
        raise AssertionError(f"unknown role {role!r}")
    return doc


def split(X: Any, y: Any, n_test: int = 40, seed: int = 0) -> tuple[Any, Any, Any, Any]:
    """A deterministic train/test split (every ``k``-th row held out)."""
    rng = np.random.default_rng(seed)
    idx = rng.permutation(len(X))
    test, train = idx[:n_test], idx[n_test:]
    return X[train], X[test], y[train], y[test]


def random_problem(seed: int, n_samples: int = 60, n_features: int = 4, n_classes: int = 3,
                   n_test: int = 20) -> tuple[Any, Any, Any, Any, Any, Any]:
    """A random classification/regression problem: (X_train, X_test, y_class, y_class_test,
    y_reg, y_reg_test), features on mixed scales so no test depends on standardised data."""
    rng = np.random.default_rng(seed)
    n = n_samples + n_test
    scales = rng.choice([0.1, 1.0, 10.0], size=n_features)
    X = rng.normal(size=(n, n_features)) * scales + rng.normal(size=n_features)
    w = rng.normal(size=n_features) / scales
    score = X @ w + 0.5 * rng.normal(size=n)
    edges = np.quantile(score, np.linspace(0, 1, n_classes + 1)[1:-1])
    y_class = np.searchsorted(edges, score)
    y_reg = score + 0.1 * rng.normal(size=n)
    return (X[:n_samples], X[n_samples:], y_class[:n_samples], y_class[n_samples:],
            y_reg[:n_samples], y_reg[n_samples:])
