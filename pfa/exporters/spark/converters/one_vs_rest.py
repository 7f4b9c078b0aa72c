"""OneVsRestModel: one binary classifier per class; the raw vector holds each classifier's
``rawPrediction[1]`` and the prediction is its first maximum (Spark's ``argmax``).

Each sub-model is one of the classifiers whose converters register their raw vectors
(:data:`pfa.exporters.spark.converters.models_common.RAW_PARTS`); it reads the
OneVsRest stage's ``featuresCol``.
"""

from __future__ import annotations

from pfa.exporters.builder import ARRAY_DOUBLE
from pfa.exporters.registry import converter
from pfa.exporters.spark.converters.models_common import (
    CLASSIFICATION,
    RAW_PARTS,
    argmax,
)
from pfa.exporters.spark.flow import DOUBLE, VECTOR, Column, Flow
from pfa.exporters.spark.saved import SavedStage


def sub_model(stage: SavedStage, i: int) -> SavedStage:
    """Sub-model ``i`` reading the OneVsRest stage's features column."""
    child = stage.child(f"model_{i}")
    meta = dict(child.meta)
    meta["paramMap"] = {**(meta.get("paramMap") or {}),
                        "featuresCol": stage.param("featuresCol", "features")}
    return SavedStage(child.path, meta, parent=stage)


@converter("spark", CLASSIFICATION, "OneVsRestModel", "classifier",
           "sub-models: the other classifiers of this table; rawPrediction, prediction")
def one_vs_rest(stage: SavedStage, flow: Flow) -> None:
    n = int(stage.meta.get("numClasses", 0))
    if n < 1:
        flow.refuse("the saved OneVsRestModel has no numClasses")
    scores = []
    for i in range(n):
        sub = sub_model(stage, i)
        parts_of = RAW_PARTS.get(sub.name)
        if parts_of is None:
            flow.refuse(f"sub-model {i} is a {sub.name}, which OneVsRest export does not "
                        f"support (supported: {', '.join(sorted(RAW_PARTS))})")
        parts = parts_of(sub, flow)
        raw = flow.builder.let(f"ovr_raw_{i}", parts.raw)
        scores.append({"attr": raw, "path": [1]})
    raw = flow.builder.let("ovr_raw", {"new": scores, "type": ARRAY_DOUBLE})
    raw_name = stage.param("rawPredictionCol", "")
    if raw_name:
        raw = flow.set_column(raw_name, Column(raw, VECTOR, n)).expr
    pred = stage.param("predictionCol", "prediction")
    if pred:
        flow.set_column(pred, Column(argmax(raw), DOUBLE))
