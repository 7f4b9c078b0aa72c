"""LinearSVCModel: raw ``[-m, m]`` of the margin, prediction ``raw[1] > threshold``."""

from __future__ import annotations

from pfa.exporters.builder import lit_double
from pfa.exporters.registry import converter
from pfa.exporters.spark.converters.models_common import (
    CLASSIFICATION,
    RawParts,
    binary_raw,
    features,
    margin,
    raw_parts,
    vector_param,
    write_classifier,
)
from pfa.exporters.spark.flow import Flow
from pfa.exporters.spark.saved import SavedStage


@converter("spark", CLASSIFICATION, "LinearSVCModel", "classifier",
           "threshold; rawPrediction, prediction")
def linear_svc(stage: SavedStage, flow: Flow) -> None:
    write_classifier(stage, flow)


@raw_parts("LinearSVCModel")
def linear_svc_parts(stage: SavedStage, flow: Flow) -> RawParts:
    row = stage.data_row()
    coef = vector_param(row, "coefficients")
    x, _ = features(stage, flow, coef.size)
    m = flow.builder.let("margin", margin(flow, "svc", x, coef, row["intercept"]))
    t = lit_double(float(stage.param("threshold", 0.0)))
    return RawParts(binary_raw(m), 2, raw2prediction=lambda r: {
        "if": {">": [{"attr": r, "path": [1]}, t]}, "then": 1.0, "else": 0.0})
