"""Forests and gradient boosting of sklearn trees (float32 splits)."""

from __future__ import annotations

from typing import Any

import numpy as np

from pfa.exporters.builder import ARRAY_DOUBLE, DocumentBuilder
from pfa.exporters.registry import converter
from pfa.exporters.sklearn.converters import tree_model as tm
from pfa.exporters.sklearn.converters.outputs import classifier_output, regressor_output
from pfa.exporters.sklearn.converters.trees import regression_leaf, tree_cell, walk_all
from pfa.exporters.sklearn.core import Output, fitted_attr
from pfa.exporters.sklearn.data import Data, as_vector


def _divide_each(xs: Any, n: int) -> dict:
    return {"a.map": [xs, {"params": [{"v": "double"}], "ret": "double",
                           "do": {"/": ["v", float(n)]}}]}


def _sum_arrays(outputs: str) -> dict:
    """Element-wise sum of an array of equally long arrays, in order (sklearn's +=)."""
    return {"a.reduce": [outputs, {"params": [{"p": ARRAY_DOUBLE}, {"q": ARRAY_DOUBLE}],
                                   "ret": ARRAY_DOUBLE, "do": {"la.add": ["p", "q"]}}]}


@converter("sklearn", "sklearn.ensemble", ["RandomForestRegressor", "ExtraTreesRegressor"],
           "regressor", "mean of float32 trees")
def forest_regressor(est: Any, b: DocumentBuilder, data: Data) -> Output:
    x = as_vector(b, data)
    trees = [e.tree_ for e in fitted_attr(est, "estimators_")]
    leaf, _ = regression_leaf(trees[0])
    cell, node = tree_cell(b, "forest", trees, x.size, leaf,
                           lambda t: regression_leaf(t)[1])
    outs = walk_all(b, x, cell, node, leaf)
    n = len(trees)
    if leaf == "double":
        return regressor_output({"/": [{"a.sum": outs}, float(n)]})
    return regressor_output(_divide_each(_sum_arrays(outs), n), est.n_outputs_)


@converter("sklearn", "sklearn.ensemble", ["RandomForestClassifier", "ExtraTreesClassifier"],
           "classifier", "mean of float32 trees; single output")
def forest_classifier(est: Any, b: DocumentBuilder, data: Data) -> Output:
    x = as_vector(b, data)
    if est.n_outputs_ != 1:
        raise ValueError("multi-output forests are not supported")
    trees = [e.tree_ for e in fitted_attr(est, "estimators_")]
    cell, node = tree_cell(b, "forest", trees, x.size, ARRAY_DOUBLE,
                           tm.classifier_leaf_of)
    outs = walk_all(b, x, cell, node, ARRAY_DOUBLE)
    proba = b.let("proba", _divide_each(_sum_arrays(outs), len(trees)))
    return classifier_output(b, est.classes_, {"a.argmax": proba}, proba)


def _baseline(est: Any) -> np.ndarray:
    init = est.init_
    if not (init == "zero" or type(init).__name__ in ("DummyRegressor", "DummyClassifier")):
        raise ValueError("only constant initial estimators (the default, or 'zero') are "
                         "supported")
    return np.asarray(est._raw_predict_init(np.zeros((1, est.n_features_in_))),
                      dtype=np.float64).reshape(-1)


def boosted_sum(b: DocumentBuilder, x: Any, trees: list[Any], start: float, scale: float,
                what: str, precision: str = "float") -> str:
    """``start + scale*v0 + scale*v1 + …`` accumulated in tree order, as sklearn does."""
    cell, node = tree_cell(b, what, trees, x.size, "double", lambda t: regression_leaf(t)[1])
    d, dtype = tm.datum(b, x, precision)
    walk = tm.walk_expr(d, dtype, node, "tree", "double")
    step = {"*": [scale, walk]} if scale != 1.0 else walk
    fold = {"a.fold": [cell, float(start), {
        "params": [{"acc": "double"}, {"tree": node}], "ret": "double",
        "do": {"+": ["acc", step]}}]}
    return b.let(what, fold)


def _raw_scores(est: Any, b: DocumentBuilder, x: Any) -> list[str]:
    stages = fitted_attr(est, "estimators_")
    base = _baseline(est)
    k_count = stages.shape[1]
    return [boosted_sum(b, x, [stages[i, k].tree_ for i in range(stages.shape[0])],
                        float(base[k] if base.size > 1 else base[0]),
                        float(est.learning_rate), f"raw{k}" if k_count > 1 else "raw")
            for k in range(k_count)]


@converter("sklearn", "sklearn.ensemble", "GradientBoostingRegressor", "regressor",
           "constant init")
def gradient_boosting_regressor(est: Any, b: DocumentBuilder, data: Data) -> Output:
    x = as_vector(b, data)
    (raw,) = _raw_scores(est, b, x)
    return regressor_output(raw)


@converter("sklearn", "sklearn.ensemble", "GradientBoostingClassifier", "classifier",
           "log_loss and exponential loss, constant init")
def gradient_boosting_classifier(est: Any, b: DocumentBuilder, data: Data) -> Output:
    x = as_vector(b, data)
    raws = _raw_scores(est, b, x)
    if len(raws) == 1:
        raw = raws[0]
        z = raw if est.loss == "log_loss" else {"*": [2.0, raw]}
        p = b.let("p", {"m.link.logit": z})
        proba = {"new": [{"-": [1.0, p]}, p], "type": ARRAY_DOUBLE}
        index = {"if": {">=": [raw, 0.0]}, "then": 1, "else": 0}
        return classifier_output(b, est.classes_, index, proba)
    scores = b.let("raw_scores", {"new": raws, "type": ARRAY_DOUBLE})
    proba = b.let("proba", {"m.link.softmax": scores})
    return classifier_output(b, est.classes_, {"a.argmax": scores}, proba)
