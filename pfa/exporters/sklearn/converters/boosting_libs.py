"""XGBoost and LightGBM models through their scikit-learn API (always registered; the
converters read the fitted model through its own methods and never import the library).

Trees are read from the libraries' own model dumps and become ``model.tree`` structures.
XGBoost sends ``x < t`` left, comparing float32 values, sums leaves in float32 and applies its
float32 sigmoid/softmax: the document does the same with ``float`` arithmetic (``x < t`` is
``x <= t⁻``, the float32 just below ``t``). LightGBM compares ``x <= t`` and sums in double.

LightGBM's zero handling, as its predictor does it: a value with ``|x| <= kZeroThreshold``
(the float ``1e-35f``) is dropped from the row, i.e. read as 0.0, before any comparison; a
missing value is read as 0.0 too unless the node's ``missing_type`` is NaN (then it goes to the
default side). A ``missing_type`` Zero node (``zero_as_missing``) sends zero and missing to the
default side: it tests a second copy of the features in which both are NaN.
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np

from pfa.exporters import trees as tm
from pfa.exporters.builder import ARRAY_DOUBLE, DocumentBuilder, Output, Vector, lit_double
from pfa.exporters.registry import converter
from pfa.exporters.sklearn.converters.outputs import classifier_output, regressor_output
from pfa.exporters.table import Data, as_vector

ARRAY_FLOAT = {"type": "array", "items": "float"}


def _forest(b: DocumentBuilder, x: Vector, what: str, trees: list[tuple[Any, Any]],
            leaf: str, precision: str, start: Any) -> str:
    """Bind ``start + tree0 + tree1 + ...`` (in ``leaf`` arithmetic); ``trees`` holds
    (split_of, leaf_of) pairs with the root at node 0."""
    schema = tm.node_schema(b, x.size, leaf, categorical=False)
    inits = [tm.encode_tree(0, split_of, leaf_of, schema["name"], leaf, categorical=False)
             for split_of, leaf_of in trees]
    cell = tm.forest_cell(b, what, inits, schema)
    d, dtype = tm.datum(b, x, precision)
    walk = tm.walk_expr(d, dtype, schema["name"], "tree", leaf)
    return b.let(what, {"a.fold": [cell, start, {
        "params": [{"acc": leaf}, {"tree": schema["name"]}], "ret": leaf,
        "do": {"+": ["acc", walk]}}]})


# ---------------------------------------------------------------- XGBoost

def _xgb_model(est: Any) -> tuple[dict, str, np.ndarray]:
    learner = json.loads(est.get_booster().save_raw(raw_format="json"))["learner"]
    booster = learner["gradient_booster"]
    if booster["name"] != "gbtree":
        raise ValueError(f"booster {booster['name']!r} is not supported (gbtree only)")
    raw = learner["learner_model_param"]["base_score"].strip("[]")
    base = np.array([float(v) for v in raw.split(",")], dtype=np.float32)
    return booster["model"], learner["objective"]["name"], base


def _xgb_tree(tree: dict) -> tuple[Any, Any]:
    if any(tree["split_type"]):
        raise ValueError("categorical splits are not supported")
    left, right = tree["left_children"], tree["right_children"]
    cond = np.asarray(tree["split_conditions"], dtype=np.float32)
    feature, default_left = tree["split_indices"], tree["default_left"]

    def split_of(i: int) -> tm.Split | None:
        if left[i] == -1:
            return None
        below = np.nextafter(cond[i], np.float32(-np.inf))  # x < t  <=>  x <= t⁻ (float32)
        return tm.Split(int(feature[i]), int(left[i]), int(right[i]), bool(default_left[i]),
                        float(below))

    return split_of, lambda i: float(cond[i])


def _xgb_scores(est: Any, b: DocumentBuilder, data: Data) -> tuple[list[str], str]:
    model, objective, base = _xgb_model(est)
    x = as_vector(b, data)
    info = model["tree_info"]
    n_groups = max(info) + 1 if info else 1
    if objective == "binary:logistic":  # base_score is a probability: ProbToMargin in float
        base = -np.log(np.float32(1.0) / base - np.float32(1.0))
    elif objective not in ("reg:squarederror", "multi:softprob", "multi:softmax",
                           "reg:absoluteerror", "reg:pseudohubererror", "reg:quantileerror"):
        raise ValueError(f"objective {objective!r} is not supported")
    limit = getattr(est, "best_iteration", None)
    trees = model["trees"]
    if limit is not None and est.get_params().get("early_stopping_rounds"):
        trees = trees[: int(model["iteration_indptr"][limit + 1])]
        info = info[: len(trees)]
    scores = []
    for k in range(n_groups):
        group = [_xgb_tree(t) for t, g in zip(trees, info) if g == k]
        start = {"float": float(base[k] if base.size > 1 else base[0])}
        scores.append(_forest(b, x, "xgb_margin" if n_groups == 1 else f"xgb_margin{k}",
                              group, "float", "float", start))
    return scores, objective


def _xgb_sigmoid(b: DocumentBuilder, margin: str) -> str:
    e = {"cast.float": {"m.exp": {"cast.double": {"u-": margin}}}}
    # PFA's "/" gives a double; rounding the double quotient of two floats to float is the
    # correctly rounded float32 division
    return b.let("p", {"cast.float": {"/": [{"float": 1.0}, {"+": [{"float": 1.0}, e]}]}})


def _to_double(xs: Any) -> dict:
    return {"a.map": [xs, {"params": [{"v": "float"}], "ret": "double",
                           "do": {"cast.double": "v"}}]}


def xgb_regressor(est: Any, b: DocumentBuilder, data: Data) -> Output:
    margins, _ = _xgb_scores(est, b, data)  # one group of trees per target
    if len(margins) == 1:
        return regressor_output({"cast.double": margins[0]})
    return regressor_output({"new": [{"cast.double": m} for m in margins],
                             "type": ARRAY_DOUBLE}, len(margins))


def xgb_classifier(est: Any, b: DocumentBuilder, data: Data) -> Output:
    margins, objective = _xgb_scores(est, b, data)
    if objective == "binary:logistic":
        p = _xgb_sigmoid(b, margins[0])
        proba = b.let("proba", {"new": [{"-": [{"float": 1.0}, p]}, p], "type": ARRAY_FLOAT})
        index = {"if": {">": [p, {"float": 0.5}]}, "then": 1, "else": 0}
        return classifier_output(b, est.classes_, index, _to_double(proba))
    if objective != "multi:softprob":
        raise ValueError(f"classification objective {objective!r} is not supported")
    z = b.let("margins", {"new": margins, "type": ARRAY_FLOAT})
    top = b.let("margin_max", {"a.max": z})
    e = b.let("margin_exp", {"a.map": [z, {"params": [{"v": "float"}], "ret": "float", "do": {
        "cast.float": {"m.exp": {"cast.double": {"-": ["v", top]}}}}}]})
    total = b.let("margin_total", {"cast.float": {"a.fold": [e, 0.0, {
        "params": [{"acc": "double"}, {"v": "float"}], "ret": "double",
        "do": {"+": ["acc", {"cast.double": "v"}]}}]}})
    proba = b.let("proba", {"a.map": [e, {"params": [{"v": "float"}], "ret": "float",
                                          "do": {"cast.float": {"/": ["v", total]}}}]})
    return classifier_output(b, est.classes_, {"a.argmax": proba}, _to_double(proba))


# ---------------------------------------------------------------- LightGBM

_LGB_INF = 1e300  # LightGBM's model files clamp thresholds to ±1e300 (AvoidInf)
#: LightGBM's kZeroThreshold: ``const double kZeroThreshold = 1e-35f`` (a float literal)
LGB_ZERO = float(np.float32(1e-35))


def _lgb_tree(root: dict, n_features: int) -> tuple[Any, Any]:
    """(split_of, leaf_of) of one dumped tree, over the features as :func:`_lgb_inputs` lays
    them out (``n_features`` read with zeros snapped, then the same with zero as missing)."""
    nodes: list[dict] = []

    def visit(node: dict) -> int:
        i = len(nodes)
        nodes.append(node)
        if "leaf_value" not in node:
            node["_left"] = visit(node["left_child"])
            node["_right"] = visit(node["right_child"])
        return i

    visit(root)

    def split_of(i: int) -> tm.Split | None:
        n = nodes[i]
        if "leaf_value" in n:
            return None
        if n["decision_type"] != "<=":
            raise ValueError("categorical splits are not supported")
        threshold = float(n["threshold"])
        if abs(threshold) >= _LGB_INF:  # LightGBM writes an infinite threshold as ±1e300
            threshold = float(np.copysign(np.inf, threshold))
        missing, feature = n["missing_type"], int(n["split_feature"])
        if missing == "NaN":
            missing_left = bool(n["default_left"])
        elif missing == "None":  # LightGBM replaces NaN by 0.0
            missing_left = threshold >= 0.0
        elif missing == "Zero":  # zero and missing (read as zero) go to the default side
            missing_left, feature = bool(n["default_left"]), feature + n_features
        else:
            raise ValueError(f"LightGBM missing_type {missing!r} is not supported")
        return tm.Split(feature, n["_left"], n["_right"], missing_left, threshold)

    return split_of, lambda i: float(nodes[i]["leaf_value"])


def _has_zero_missing(infos: list[dict]) -> bool:
    def visit(node: dict) -> bool:
        if "leaf_value" in node:
            return False
        return node.get("missing_type") == "Zero" or visit(node["left_child"]) or \
            visit(node["right_child"])
    return any(visit(t["tree_structure"]) for t in infos)


def _lgb_inputs(b: DocumentBuilder, x: Vector, zero_missing: bool) -> Vector:
    """The features as LightGBM's predictor reads them: ``|v| <= kZeroThreshold`` is 0.0
    (NaN stays NaN: it fails the comparison); with ``zero_missing``, followed by a copy in
    which such a zero is NaN (missing) for the ``missing_type`` Zero nodes."""
    small = {"<=": [{"m.abs": "v"}, LGB_ZERO]}
    snapped = {"a.map": [x.expr, {"params": [{"v": "double"}], "ret": "double",
                                  "do": {"if": small, "then": 0.0, "else": "v"}}]}
    if not zero_missing:
        return Vector(b.let("lgb_features", snapped), x.size)
    as_missing = {"a.map": [x.expr, {"params": [{"v": "double"}], "ret": "double",
                                     "do": {"if": small, "then": lit_double(math.nan),
                                            "else": "v"}}]}
    both = {"a.concat": [snapped, as_missing]}
    return Vector(b.let("lgb_features", both), 2 * x.size)


def _lgb_scores(est: Any, b: DocumentBuilder, data: Data) -> tuple[list[str], str]:
    dump = est.booster_.dump_model()
    if dump.get("average_output"):
        raise ValueError("random forest mode (average_output) is not supported")
    if any(t.get("num_cat", 0) for t in dump["tree_info"]):
        raise ValueError("categorical splits are not supported")
    k_count = int(dump["num_tree_per_iteration"])
    infos = dump["tree_info"]
    best = getattr(est, "best_iteration_", None)
    if best:
        infos = infos[: best * k_count]
    plain = as_vector(b, data)
    x = _lgb_inputs(b, plain, _has_zero_missing(infos))
    n_features = plain.size
    scores = []
    for k in range(k_count):
        group = [_lgb_tree(t["tree_structure"], n_features) for i, t in enumerate(infos)
                 if i % k_count == k]
        scores.append(_forest(b, x, "lgb_score" if k_count == 1 else f"lgb_score{k}", group,
                              "double", "double", 0.0))
    return scores, str(dump["objective"]).split()[0]


def lgb_regressor(est: Any, b: DocumentBuilder, data: Data) -> Output:
    (score,), objective = _lgb_scores(est, b, data)
    if objective in ("regression", "regression_l1", "huber", "fair", "quantile", "mape"):
        return regressor_output(score)
    if objective in ("poisson", "gamma", "tweedie"):
        return regressor_output({"m.exp": score})
    raise ValueError(f"objective {objective!r} is not supported")


def lgb_classifier(est: Any, b: DocumentBuilder, data: Data) -> Output:
    scores, objective = _lgb_scores(est, b, data)
    dump_objective = est.booster_.dump_model()["objective"]
    if objective == "binary":
        sigmoid = float(dump_objective.split("sigmoid:")[1].split()[0])
        p = b.let("p", {"/": [1.0, {"+": [1.0, {"m.exp": {
            "*": [-sigmoid, scores[0]]}}]}]})
        proba = b.let("proba", {"new": [{"-": [1.0, p]}, p], "type": ARRAY_DOUBLE})
    elif objective == "multiclass":
        z = b.let("scores", {"new": scores, "type": ARRAY_DOUBLE})
        top = b.let("score_max", {"a.max": z})
        e = b.let("score_exp", {"a.map": [z, {"params": [{"v": "double"}], "ret": "double",
                                              "do": {"m.exp": {"-": ["v", top]}}}]})
        total = b.let("score_total", {"a.sum": e})
        proba = b.let("proba", {"a.map": [e, {"params": [{"v": "double"}], "ret": "double",
                                              "do": {"/": ["v", total]}}]})
    else:
        raise ValueError(f"objective {objective!r} is not supported")
    return classifier_output(b, est.classes_, {"a.argmax": proba}, proba)


converter("sklearn", "xgboost.sklearn", ["XGBRegressor"], "regressor",
          "gbtree; float32 splits and sums; missing values", requires="xgboost")(xgb_regressor)
converter("sklearn", "xgboost.sklearn", ["XGBClassifier"], "classifier",
          "gbtree; binary:logistic, multi:softprob; float32 like XGBoost",
          requires="xgboost")(xgb_classifier)
converter("sklearn", "lightgbm.sklearn", ["LGBMRegressor"], "regressor",
          "numerical splits; missing values (None/NaN/Zero)", requires="lightgbm")(lgb_regressor)
converter("sklearn", "lightgbm.sklearn", ["LGBMClassifier"], "classifier",
          "binary, multiclass; numerical splits", requires="lightgbm")(lgb_classifier)
