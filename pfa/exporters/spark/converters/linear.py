"""LogisticRegressionModel and LinearRegressionModel.

Margins are ``model.reg.linear`` (``x · coefficients + intercept``). Logistic regression's
raw vector, probabilities and prediction follow Spark's model: binary ``[-m, m]``, each
element through ``1 / (1 + exp(-v))``, prediction ``probability[1] > threshold`` (or
``raw[1] > log(t / (1 - t))`` when the raw column is written); multinomial margins through
Spark's softmax (the maximum subtracted only when it is positive, then scaled by
``1 / sum``).
"""

from __future__ import annotations

import math
from typing import Any

from pfa.exporters.builder import ARRAY_DOUBLE, lit_double
from pfa.exporters.registry import converter
from pfa.exporters.spark.converters.models_common import (
    CLASSIFICATION,
    REGRESSION,
    RawParts,
    features,
    margin,
    matrix_param,
    raw_parts,
    regression_column,
    sigmoid,
    vector_param,
    write_classifier,
)
from pfa.exporters.spark.exprs import fcn
from pfa.exporters.spark.flow import Flow
from pfa.exporters.spark.saved import SavedStage


def spark_softmax(raw: Any) -> dict[str, Any]:
    """Spark's multinomial ``raw2probability`` of a bound raw symbol."""
    return {"do": [
        {"let": {"raw_max": {"a.max": raw}}},
        {"if": {"==": ["raw_max", lit_double(math.inf)]},
         "then": {"a.mapWithIndex": [raw, fcn({"i": "int", "v": "double"}, "double", {
             "if": {"==": ["i", {"a.argmax": raw}]}, "then": 1.0, "else": 0.0})]},
         "else": {"do": [
             {"let": {"raw_exp": {"a.map": [raw, fcn({"v": "double"}, "double", {
                 "if": {">": ["raw_max", 0.0]}, "then": {"m.exp": {"-": ["v", "raw_max"]}},
                 "else": {"m.exp": "v"}})]}}},
             {"let": {"raw_scale": {"/": [1.0, {"a.sum": "raw_exp"}]}}},
             {"a.map": ["raw_exp", fcn({"v": "double"}, "double",
                                       {"*": ["v", "raw_scale"]})]}]}}]}


def elementwise_sigmoid(raw: Any) -> dict[str, Any]:
    return {"a.map": [raw, fcn({"v": "double"}, "double", sigmoid("v"))]}


def binary_threshold(stage: SavedStage) -> float:
    """Spark's ``getThreshold``: from ``thresholds`` when set, else ``threshold``."""
    ts = stage.param("thresholds")
    if stage.is_set("thresholds") or (ts is not None and not stage.is_set("threshold")):
        return 1.0 / (1.0 + float(ts[0]) / float(ts[1]))
    return float(stage.param("threshold", 0.5))


def raw_threshold(t: float) -> float:
    if t == 0.0:
        return -math.inf
    if t == 1.0:
        return math.inf
    return math.log(t / (1.0 - t))


@converter("spark", CLASSIFICATION, "LogisticRegressionModel", "classifier",
           "binary and multinomial; threshold(s); rawPrediction, probability, prediction")
def logistic_regression(stage: SavedStage, flow: Flow) -> None:
    write_classifier(stage, flow)


@raw_parts("LogisticRegressionModel")
def logistic_parts(stage: SavedStage, flow: Flow) -> RawParts:
    row = stage.data_row()
    if "coefficientMatrix" not in row:
        flow.refuse("the saved layout of Spark < 2.1 is not supported")
    coef = matrix_param(row, "coefficientMatrix")
    intercept = vector_param(row, "interceptVector")
    x, _ = features(stage, flow, coef.shape[1])
    multinomial = bool(row.get("isMultinomial", coef.shape[0] != 1))
    if multinomial:
        return RawParts(margin(flow, "logistic", x, coef, intercept), int(row["numClasses"]),
                        spark_softmax)
    m = flow.builder.let("margin", margin(flow, "logistic", x, coef[0], intercept[0]))
    t = binary_threshold(stage)
    rt = raw_threshold(t)
    return RawParts(
        {"new": [{"u-": m}, m], "type": ARRAY_DOUBLE}, 2, elementwise_sigmoid,
        raw2prediction=lambda r: {"if": {">": [{"attr": r, "path": [1]}, lit_double(rt)]},
                                  "then": 1.0, "else": 0.0},
        probability2prediction=lambda p: {"if": {">": [{"attr": p, "path": [1]},
                                                        lit_double(t)]},
                                          "then": 1.0, "else": 0.0})


@converter("spark", REGRESSION, "LinearRegressionModel", "regressor",
           "squaredError and huber loss")
def linear_regression(stage: SavedStage, flow: Flow) -> None:
    row = stage.data_row()
    coef = vector_param(row, "coefficients")
    x, _ = features(stage, flow, coef.size)
    regression_column(stage, flow, margin(flow, "linear", x, coef, row["intercept"]))


