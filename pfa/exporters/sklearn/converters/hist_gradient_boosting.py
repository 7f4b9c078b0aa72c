"""HistGradientBoosting{Regressor,Classifier}: float64 splits, native missing values and
categorical splits."""

from __future__ import annotations

from typing import Any

import numpy as np

from pfa.exporters import trees as tm
from pfa.exporters.builder import ARRAY_DOUBLE, DocumentBuilder, Output
from pfa.exporters.registry import converter
from pfa.exporters.sklearn.converters.outputs import classifier_output, regressor_output
from pfa.exporters.sklearn.core import convert, fitted_attr
from pfa.exporters.table import Data, as_vector


def _bitset_members(bitset: np.ndarray) -> list[float]:
    """The category values (0–255) whose bit is set in an sklearn 8×uint32 bitset."""
    return [float(c) for c in range(256) if (int(bitset[c // 32]) >> (c % 32)) & 1]


def _encode_predictor(predictor: Any, known: np.ndarray, f_idx_map: np.ndarray, node_name: str,
                      categorical: bool) -> Any:
    nodes = predictor.nodes
    raw_bitsets = predictor.raw_left_cat_bitsets

    def split_of(i: int) -> tm.Split | None:
        n = nodes[i]
        if n["is_leaf"]:
            return None
        s = tm.Split(int(n["feature_idx"]), int(n["left"]), int(n["right"]),
                     bool(n["missing_go_to_left"]), float(n["num_threshold"]))
        if n["is_categorical"]:
            f = int(n["feature_idx"])
            s.threshold = None
            s.left_categories = _bitset_members(raw_bitsets[int(n["bitset_idx"])])
            s.known_categories = _bitset_members(known[int(f_idx_map[f])])
        return s

    def leaf_of(i: int) -> float:
        return float(nodes[i]["value"])

    return tm.encode_tree(0, split_of, leaf_of, node_name, "double", categorical)


def _raw_scores(est: Any, b: DocumentBuilder, data: Data) -> list[str]:
    pre = getattr(est, "_preprocessor", None)
    if pre is not None:  # categorical_features="from_dtype": the model's own encoder
        data = convert(pre, b, data, "_preprocessor")
    x = as_vector(b, data)
    predictors = fitted_attr(est, "_predictors")
    known, f_idx_map = est._bin_mapper.make_known_categories_bitsets()
    categorical = any(bool(np.any(p.nodes["is_categorical"])) for it in predictors for p in it)
    baseline = np.asarray(est._baseline_prediction, dtype=np.float64).reshape(-1)
    d, dtype = tm.datum(b, x, "double")
    raws = []
    k_count = len(predictors[0]) if predictors else 1
    for k in range(k_count):
        schema = tm.node_schema(b, x.size, "double", categorical)
        inits = [_encode_predictor(it[k], known, f_idx_map, schema["name"], categorical)
                 for it in predictors]
        cell = tm.forest_cell(b, "hgb_trees" if k_count == 1 else f"hgb_trees{k}", inits,
                              schema)
        walk = tm.walk_expr(d, dtype, schema["name"], "tree", "double")
        fold = {"a.fold": [cell, float(baseline[k]), {
            "params": [{"acc": "double"}, {"tree": schema["name"]}], "ret": "double",
            "do": {"+": ["acc", walk]}}]}
        raws.append(b.let("raw" if k_count == 1 else f"raw{k}", fold))
    return raws


@converter("sklearn", "sklearn.ensemble", "HistGradientBoostingRegressor", "regressor",
           "missing values, categorical features; squared_error, absolute_error, poisson, "
           "gamma, quantile losses")
def hgb_regressor(est: Any, b: DocumentBuilder, data: Data) -> Output:
    (raw,) = _raw_scores(est, b, data)
    link = type(est._loss.link).__name__
    if link == "IdentityLink":
        return regressor_output(raw)
    if link == "LogLink":
        return regressor_output({"m.exp": raw})
    raise ValueError(f"loss {est.loss!r} ({link}) is not supported")


@converter("sklearn", "sklearn.ensemble", "HistGradientBoostingClassifier", "classifier",
           "missing values, categorical features; binary and multiclass")
def hgb_classifier(est: Any, b: DocumentBuilder, data: Data) -> Output:
    raws = _raw_scores(est, b, data)
    if len(raws) == 1:
        p = b.let("p", {"m.link.logit": raws[0]})
        proba = b.let("proba", {"new": [{"-": [1.0, p]}, p], "type": ARRAY_DOUBLE})
    else:
        scores = b.let("raw_scores", {"new": raws, "type": ARRAY_DOUBLE})
        proba = b.let("proba", {"m.link.softmax": scores})
    return classifier_output(b, est.classes_, {"a.argmax": proba}, proba)
