"""skl2onnx graphs of fitted sklearn models, imported as PFA and run through
:class:`pfa.onnx.InferenceSession` exactly as one runs onnxruntime, compared with
onnxruntime's results. onnxruntime computes these float32 graphs in float32 and the
document in double, so float outputs agree within a float32-derived tolerance; labels
agree exactly."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

pytest.importorskip("skl2onnx")

from sklearn import (  # noqa: E402
    decomposition,
    ensemble,
    impute,
    linear_model,
    naive_bayes,
    neural_network,
    pipeline,
    preprocessing,
    svm,
    tree,
)
from sklearn.datasets import make_classification, make_regression  # noqa: E402

from pfa.check.checker import check  # noqa: E402
from pfa.document.reader import read  # noqa: E402
from pfa.onnx import InferenceSession  # noqa: E402

#: float outputs within this many float32 epsilons of onnxruntime's, relative to
#: max(1, |value|): onnxruntime rounds every float32 operation, the engine none
FLOAT32_ULPS = 2048
RTOL = FLOAT32_ULPS * float(np.finfo(np.float32).eps)


def _data(kind: str):
    if kind == "reg":
        X, y = make_regression(120, 5, random_state=0)
    else:
        X, y = make_classification(120, 5, n_informative=3, n_classes=2 if kind == "bin"
                                   else 3, random_state=0)
    return X.astype(np.float32), y


MODELS = {
    "LogisticRegression-binary": (lambda: linear_model.LogisticRegression(), "bin"),
    "LogisticRegression-multi": (lambda: linear_model.LogisticRegression(), "multi"),
    "LinearRegression": (lambda: linear_model.LinearRegression(), "reg"),
    "Ridge": (lambda: linear_model.Ridge(), "reg"),
    "SGDClassifier": (lambda: linear_model.SGDClassifier(random_state=0), "bin"),
    "LinearSVC": (lambda: svm.LinearSVC(), "multi"),
    "StandardScaler+LogisticRegression": (lambda: pipeline.make_pipeline(
        preprocessing.StandardScaler(), linear_model.LogisticRegression()), "multi"),
    "MinMaxScaler+LinearRegression": (lambda: pipeline.make_pipeline(
        preprocessing.MinMaxScaler(), linear_model.LinearRegression()), "reg"),
    "Normalizer+LinearRegression": (lambda: pipeline.make_pipeline(
        preprocessing.Normalizer(), linear_model.LinearRegression()), "reg"),
    "SimpleImputer+LinearRegression": (lambda: pipeline.make_pipeline(
        impute.SimpleImputer(), linear_model.LinearRegression()), "reg"),
    "PCA+LinearRegression": (lambda: pipeline.make_pipeline(
        decomposition.PCA(3), linear_model.LinearRegression()), "reg"),
    "DecisionTreeRegressor": (lambda: tree.DecisionTreeRegressor(max_depth=5), "reg"),
    "DecisionTreeClassifier-binary": (lambda: tree.DecisionTreeClassifier(max_depth=5),
                                      "bin"),
    "DecisionTreeClassifier-multi": (lambda: tree.DecisionTreeClassifier(max_depth=5),
                                     "multi"),
    "RandomForestRegressor": (lambda: ensemble.RandomForestRegressor(
        5, max_depth=4, random_state=0), "reg"),
    "RandomForestClassifier": (lambda: ensemble.RandomForestClassifier(
        5, max_depth=4, random_state=0), "multi"),
    "GradientBoostingClassifier-binary": (lambda: ensemble.GradientBoostingClassifier(
        n_estimators=5, random_state=0), "bin"),
    "GradientBoostingClassifier-multi": (lambda: ensemble.GradientBoostingClassifier(
        n_estimators=5, random_state=0), "multi"),
    "GradientBoostingRegressor": (lambda: ensemble.GradientBoostingRegressor(
        n_estimators=5, random_state=0), "reg"),
    "MLPClassifier": (lambda: neural_network.MLPClassifier(
        hidden_layer_sizes=(8,), max_iter=300, random_state=0), "multi"),
    "MLPRegressor": (lambda: neural_network.MLPRegressor(
        hidden_layer_sizes=(8,), max_iter=300, random_state=0), "reg"),
    "GaussianNB": (lambda: naive_bayes.GaussianNB(), "multi"),
}


def _onnx(name: str, zipmap: bool):
    from skl2onnx import to_onnx

    make, kind = MODELS[name]
    X, y = _data(kind)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = make().fit(X, y)
        options = None if zipmap or not hasattr(model, "predict_proba") else \
            {id(model): {"zipmap": False}}
        onx = to_onnx(model, X[:1], options=options,
                      target_opset={"": 17, "ai.onnx.ml": 3})
    return onx, X


def _close(want, have) -> None:
    if isinstance(want, list):  # ZipMap: one dict per row
        assert len(want) == len(have)
        for w, h in zip(want, have, strict=True):
            assert set(w) == set(h)
            for k in w:
                assert h[k] == pytest.approx(w[k], rel=RTOL, abs=RTOL)
        return
    want, have = np.asarray(want), np.asarray(have)
    assert have.shape == want.shape and have.dtype == want.dtype
    if want.dtype.kind == "f":
        err = np.abs(have.astype(float) - want.astype(float)) / np.maximum(
            1.0, np.abs(want.astype(float)))
        assert err.max() <= RTOL, err.max()
    else:
        np.testing.assert_array_equal(have, want)


@pytest.mark.parametrize("zipmap", [False, True], ids=["tensor", "zipmap"])
@pytest.mark.parametrize("name", sorted(MODELS))
def test_skl2onnx_graph_matches_onnxruntime(name, zipmap):
    import onnxruntime as ort

    if zipmap and (MODELS[name][1] == "reg" or name in ("LinearSVC", "SGDClassifier")):
        pytest.skip("no ZipMap without probabilities")
    onx, X = _onnx(name, zipmap)
    data = onx.SerializeToString()
    ours = InferenceSession(data)
    theirs = ort.InferenceSession(data, providers=["CPUExecutionProvider"])
    assert [i.name for i in ours.get_inputs()] == [i.name for i in theirs.get_inputs()]
    assert [o.name for o in ours.get_outputs()] == [o.name for o in theirs.get_outputs()]
    assert [o.type for o in ours.get_outputs()] == [o.type for o in theirs.get_outputs()] \
        or zipmap
    feeds = {"X": X}
    for want, have in zip(theirs.run(None, feeds), ours.run(None, feeds), strict=True):
        _close(want, have)
    check(read(ours.document))  # the imported document passes `pfa check`
