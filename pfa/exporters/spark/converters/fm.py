"""FMClassificationModel and FMRegressionModel (factorization machines).

The raw score is Spark's ``intercept + x·linear`` plus, factor after factor,
``0.5 * ((Σ_j v_jf x_j)² - Σ_j (v_jf x_j)²)``. The regressor predicts the score; the
classifier's raw vector is ``[-s, s]``, its probabilities ``1 / (1 + exp(-v))`` of each.
"""

from __future__ import annotations

from pfa.exporters.builder import ARRAY_ARRAY_DOUBLE, nums
from pfa.exporters.registry import converter
from pfa.exporters.spark.converters.linear import elementwise_sigmoid
from pfa.exporters.spark.converters.models_common import (
    CLASSIFICATION,
    REGRESSION,
    RawParts,
    binary_raw,
    features,
    margin,
    matrix_param,
    raw_parts,
    regression_column,
    vector_param,
    write_classifier,
)
from pfa.exporters.spark.exprs import fcn
from pfa.exporters.spark.flow import Flow
from pfa.exporters.spark.saved import SavedStage


def fm_score(stage: SavedStage, flow: Flow) -> str:
    row = stage.data_row()
    linear = vector_param(row, "linear")
    factors = matrix_param(row, "factors")  # features × factorSize
    x, _ = features(stage, flow, linear.size)
    b = flow.builder
    xs = b.let("fm_features", x)
    first = b.let("fm_linear", {"+": [float(row["intercept"]),
                                      margin(flow, "fm_linear", xs, linear, 0.0)]})
    cols = b.cell("fm_factors", ARRAY_ARRAY_DOUBLE, nums(factors.T))
    terms = {"a.map": [cols, fcn({"f": {"type": "array", "items": "double"}}, "double", [
        {"let": {"vx": {"a.zipmap": ["f", xs, fcn({"v": "double", "x": "double"}, "double",
                                                   {"*": ["v", "x"]})]}}},
        {"let": {"s": {"a.sum": "vx"},
                 "sq": {"a.sum": {"a.map": ["vx", fcn({"v": "double"}, "double",
                                                      {"*": ["v", "v"]})]}}}},
        {"*": [0.5, {"-": [{"*": ["s", "s"]}, "sq"]}]}])]}
    return b.let("fm_score", {"a.fold": [terms, first, fcn(
        {"acc": "double", "t": "double"}, "double", {"+": ["acc", "t"]})]})


@converter("spark", REGRESSION, "FMRegressionModel", "regressor", "prediction")
def fm_regressor(stage: SavedStage, flow: Flow) -> None:
    regression_column(stage, flow, fm_score(stage, flow))


@converter("spark", CLASSIFICATION, "FMClassificationModel", "classifier",
           "rawPrediction [-s, s], sigmoid probabilities; thresholds")
def fm_classifier(stage: SavedStage, flow: Flow) -> None:
    write_classifier(stage, flow)


@raw_parts("FMClassificationModel")
def fm_classifier_parts(stage: SavedStage, flow: Flow) -> RawParts:
    return RawParts(binary_raw(fm_score(stage, flow)), 2, elementwise_sigmoid)
