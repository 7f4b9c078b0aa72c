"""Forests and gradient boosting of sklearn trees (float32 splits)."""

from __future__ import annotations

from typing import Any

import numpy as np

from pfa.exporters import trees as tm
from pfa.exporters.builder import ARRAY_DOUBLE, DocumentBuilder, Output, nums
from pfa.exporters.refusals import Refusal
from pfa.exporters.registry import converter
from pfa.exporters.sklearn.converters.numeric import above
from pfa.exporters.sklearn.converters.outputs import (
    classifier_output,
    outlier_output,
    regressor_output,
)
from pfa.exporters.sklearn.converters.trees import (
    classifier_leaf_of,
    regression_leaf,
    sklearn_splits,
    tree_cell,
    walk_all,
)
from pfa.exporters.sklearn.core import fitted_attr
from pfa.exporters.table import Data, as_vector


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
        raise Refusal("multi-output classifier", "multi-output forests are not supported")
    trees = [e.tree_ for e in fitted_attr(est, "estimators_")]
    cell, node = tree_cell(b, "forest", trees, x.size, ARRAY_DOUBLE,
                           classifier_leaf_of)
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


_CLASSIFIER_TREES = ("DecisionTreeClassifier", "ExtraTreeClassifier")
_REGRESSOR_TREES = ("DecisionTreeRegressor", "ExtraTreeRegressor")


def _trees_of(est: Any, kinds: tuple[str, ...]) -> list[Any]:
    estimators = list(fitted_attr(est, "estimators_"))
    for e in estimators:
        if type(e).__name__ not in kinds:
            raise ValueError(f"base estimator {type(e).__name__} is not supported "
                             f"({', '.join(kinds)} only)")
        if e.n_outputs_ != 1:
            raise Refusal("multi-output classifier", "multi-output base trees are not supported")
    return estimators


def _custom_leaf_cell(b: DocumentBuilder, what: str, trees: list[Any], n_features: int,
                      leaf: Any, leaf_values: list[Any],
                      features: list[Any] | None = None) -> tuple[Any, str]:
    """A cell of sklearn trees whose leaves hold ``leaf_values[t][node]`` (JSON values);
    ``features[t]`` maps tree ``t``'s feature indexes to input indexes."""
    schema = tm.node_schema(b, n_features, leaf, categorical=False)
    inits = []
    for t, tree in enumerate(trees):
        split_of, _ = sklearn_splits(tree)
        mapping = features[t] if features is not None else None

        def remapped(i: int, split_of: Any = split_of, mapping: Any = mapping) -> Any:
            s = split_of(i)
            if s is not None and mapping is not None:
                s.feature = int(mapping[s.feature])
            return s

        values = leaf_values[t]
        inits.append(tm.encode_tree(0, remapped, lambda i, values=values: values[i],
                                    schema["name"], tm.leaf_branch_name(leaf),
                                    categorical=False))
    return tm.forest_cell(b, what, inits, schema), schema["name"]


def _sklearn_softmax(b: DocumentBuilder, z: Any) -> str:
    """sklearn.utils.extmath.softmax: ``exp(z - max z) / sum``."""
    zs = b.let("softmax_in", z)
    top = b.let("softmax_max", {"a.max": zs})
    e = b.let("softmax_exp", {"a.map": [zs, {"params": [{"v": "double"}], "ret": "double",
                                             "do": {"m.exp": {"-": ["v", top]}}}]})
    total = b.let("softmax_total", {"a.sum": e})
    return b.let("proba", {"a.map": [e, {"params": [{"v": "double"}], "ret": "double",
                                         "do": {"/": ["v", total]}}]})


@converter("sklearn", "sklearn.ensemble", "AdaBoostClassifier", "classifier",
           "SAMME with decision-tree estimators; decision_function and probabilities")
def adaboost_classifier(est: Any, b: DocumentBuilder, data: Data) -> Output:
    x = as_vector(b, data)
    estimators = _trees_of(est, _CLASSIFIER_TREES)
    classes = est.classes_
    n = int(est.n_classes_)
    if n < 2:
        raise ValueError("a single class is not supported")
    weights = np.asarray(est.estimator_weights_, dtype=np.float64)
    leaf_values = []
    for e, w in zip(estimators, weights):
        if not np.array_equal(e.classes_, classes):
            raise ValueError("a base tree was fitted on different classes")
        predicted = np.argmax(np.asarray(e.tree_.value)[:, 0, :], axis=1)
        # sklearn: np.where(estimator.predict(X) == classes, w, -1 / (n_classes - 1) * w)
        votes = np.where(predicted[:, None] == np.arange(n)[None, :], w, -1 / (n - 1) * w)
        leaf_values.append([nums(v) for v in votes])
    trees = [e.tree_ for e in estimators]
    cell, node = _custom_leaf_cell(b, "adaboost", trees, x.size, ARRAY_DOUBLE, leaf_values)
    d, dtype = tm.datum(b, x, "float")
    walk = tm.walk_expr(d, dtype, node, "tree", ARRAY_DOUBLE)
    zeros = {"new": [0.0] * n, "type": ARRAY_DOUBLE}
    total = b.let("vote_sum", {"a.fold": [cell, zeros, {
        "params": [{"acc": ARRAY_DOUBLE}, {"tree": node}], "ret": ARRAY_DOUBLE,
        "do": {"la.add": ["acc", walk]}}]})
    pred = b.let("decision", _divide_each(total, weights.sum()))
    if n == 2:
        dec = b.let("score", {"+": [{"u-": {"attr": pred, "path": [0]}},
                                    {"attr": pred, "path": [1]}]})
        # np.vstack([-decision, decision]).T / 2
        proba = _sklearn_softmax(b, {"new": [{"/": [{"u-": dec}, 2.0]}, {"/": [dec, 2.0]}],
                                     "type": ARRAY_DOUBLE})
        index = {"if": above(dec, 0.0), "then": 1, "else": 0}
        scores: Any = {"new": [dec], "type": ARRAY_DOUBLE}
        return classifier_output(b, classes, index, proba, scores)
    proba = _sklearn_softmax(b, _divide_each(pred, n - 1))
    return classifier_output(b, classes, {"a.argmax": pred}, proba, pred)


@converter("sklearn", "sklearn.ensemble", "AdaBoostRegressor", "regressor",
           "weighted median of decision-tree estimators")
def adaboost_regressor(est: Any, b: DocumentBuilder, data: Data) -> Output:
    x = as_vector(b, data)
    estimators = _trees_of(est, _REGRESSOR_TREES)
    trees = [e.tree_ for e in estimators]
    n = len(trees)
    weights = np.asarray(est.estimator_weights_, dtype=np.float64)[:n]
    cell, node = tree_cell(b, "adaboost", trees, x.size, "double",
                           lambda t: regression_leaf(t)[1])
    preds = walk_all(b, x, cell, node, "double")
    wcell = b.cell("estimator_weights", ARRAY_DOUBLE, nums(weights))
    # sklearn's _get_median_predict: the first prediction, in increasing order, whose
    # cumulative weight reaches half of the total
    order = b.let("order", {"a.argminN": [preds, n]})
    sorted_w = b.let("sorted_weights", {"a.map": [order, {
        "params": [{"i": "int"}], "ret": "double", "do": {"attr": wcell, "path": ["i"]}}]})
    total = b.let("weight_total", {"a.fold": [sorted_w, 0.0, {
        "params": [{"acc": "double"}, {"w": "double"}], "ret": "double",
        "do": {"+": ["acc", "w"]}}]})
    half = b.let("weight_half", {"*": [0.5, total]})
    b.steps.append({"let": {"median_i": 0,
                            "median_cdf": {"attr": sorted_w, "path": [0]}}})
    b.steps.append({"while": {"&&": [{"<": ["median_cdf", half]},
                                     {"<": ["median_i", n - 1]}]},
                    "do": [{"set": {"median_i": {"+": ["median_i", 1]}}},
                           {"set": {"median_cdf": {"+": ["median_cdf", {
                               "attr": sorted_w, "path": ["median_i"]}]}}}]})
    return regressor_output({"attr": preds, "path": [{"attr": order, "path": ["median_i"]}]})


@converter("sklearn", "sklearn.ensemble", "IsolationForest", "outlier",
           "predict and decision_function; float32 splits")
def isolation_forest(est: Any, b: DocumentBuilder, data: Data) -> Output:
    from sklearn.ensemble._iforest import _average_path_length

    x = as_vector(b, data)
    estimators = list(fitted_attr(est, "estimators_"))
    trees = [e.tree_ for e in estimators]
    subsample = est._max_features != est.n_features_in_
    features = [list(f) for f in est.estimators_features_] if subsample else None
    # per leaf: decision path length + average path length of its samples - 1 (as sklearn)
    leaf_values = [list(np.asarray(dpl) + np.asarray(apl) - 1.0)
                   for dpl, apl in zip(est._decision_path_lengths,
                                       est._average_path_length_per_tree)]
    leaf_values = [[float(v) for v in vals] for vals in leaf_values]
    cell, node = _custom_leaf_cell(b, "isolation_trees", trees, x.size, "double",
                                   leaf_values, features)
    d, dtype = tm.datum(b, x, "float")
    walk = tm.walk_expr(d, dtype, node, "tree", "double")
    depths = b.let("depths", {"a.fold": [cell, 0.0, {
        "params": [{"acc": "double"}, {"tree": node}], "ret": "double",
        "do": {"+": ["acc", walk]}}]})
    denominator = float(len(estimators) * _average_path_length([est._max_samples])[0])
    ratio: Any = {"/": [depths, denominator]} if denominator != 0 else 1.0
    score = b.let("score", {"-": [{"u-": {"**": [2.0, {"u-": ratio}]}},
                                  float(est.offset_)]})
    return outlier_output(b, {"if": {"<": [score, 0.0]}, "then": -1, "else": 1}, score)
