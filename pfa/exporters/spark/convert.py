"""A saved Spark pipeline → a PFA document: each stage by its converter, along the flow."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from pfa.exporters import registry
from pfa.exporters.builder import DocumentBuilder, Output, export_metadata, safe_name
from pfa.exporters.spark.flow import Flow
from pfa.exporters.spark.saved import PIPELINE_MODELS, SavedStage, load
from pfa.exporters.table import field_names

LIBRARY = "spark"


def export(model_or_path: Any, input_schema: Any = None, *, name: str | None = None,
           timestamp: bool = True) -> dict[str, Any]:
    """The PFA document of a Spark ML model: a saved ``PipelineModel`` (or single stage)
    directory, a loaded :class:`SavedStage`, or a live pyspark model (saved to a temporary
    directory first). ``input_schema``: an Avro record type for the input (a field's
    ``spark.column`` property names its DataFrame column when the field name differs);
    without it the input fields and their types come from the stages reading them. Raises
    :class:`pfa.errors.UnsupportedModelError` for a stage or parameter it cannot translate
    exactly."""
    if isinstance(model_or_path, SavedStage):
        return convert(model_or_path, input_schema, name=name, timestamp=timestamp)
    if isinstance(model_or_path, (str, Path)):
        return convert(load(Path(model_or_path)), input_schema, name=name, timestamp=timestamp)
    with tempfile.TemporaryDirectory(prefix="pfa-spark-") as tmp:
        target = Path(tmp) / "model"
        model_or_path.write().save(str(target))
        return convert(load(target), input_schema, name=name, timestamp=timestamp)


def flatten(stage: SavedStage) -> list[SavedStage]:
    """The pipeline's stages in order (nested PipelineModels flattened)."""
    if stage.cls not in PIPELINE_MODELS:
        return [stage]
    return [s for child in stage.stages() for s in flatten(child)]


def convert(root: SavedStage, input_schema: Any = None, *, name: str | None = None,
            timestamp: bool = True) -> dict[str, Any]:
    """The document of a loaded saved model."""
    b = DocumentBuilder()
    flow = Flow(b, input_schema)
    stages = flatten(root)
    roles = []
    for stage in stages:
        flow.stage = stage
        conv = registry.lookup_class(LIBRARY, stage.package, stage.name)
        if conv is None:
            flow.refuse(f"{stage.cls} is not supported (supported: "
                        + ", ".join(registry.supported_names(LIBRARY)) + ")")
        try:
            conv.fn(stage, flow)
        except ValueError as err:  # a converter met something it cannot translate exactly
            flow.refuse(str(err))
        roles.append(conv.role)
    flow.stage = None
    out_cols = flow.outputs()
    if not out_cols:
        flow.refuse("the pipeline writes no column")
    out_fields = field_names(out_cols)
    record_name = b.type_name("Output")
    fields = [{"name": f, "type": flow.columns[c].type} for f, c in zip(out_fields, out_cols)]
    expr = {"new": {f: flow.columns[c].expr for f, c in zip(out_fields, out_cols)},
            "type": record_name}
    role = next((r for r in reversed(roles) if r != "transformer"), "transformer")
    output = Output(expr, {"type": "record", "name": record_name, "fields": fields}, role,
                    {"output.columns": json.dumps(out_cols)})
    input_type = input_schema if input_schema is not None else {
        "type": "record", "name": "Input",
        "fields": [{"name": f.field, "type": f.type} for f in flow.inputs]}
    if input_schema is not None:
        given = input_schema.get("fields", [])
        pairs = [(f["name"], f.get("spark.column", f["name"])) for f in given]
    else:
        pairs = [(f.field, f.column) for f in flow.inputs]
    inputs = {"features": json.dumps([f for f, _ in pairs]),
              "input.columns": json.dumps([c for _, c in pairs])}
    metadata = export_metadata(
        library="pyspark", version=root.spark_version, estimator=describe(root, stages),
        exporter="pfa.exporters.spark", inputs=inputs, output=output, timestamp=timestamp)
    return b.document(name or safe_name(root.name), input_type, output, metadata)


def describe(root: SavedStage, stages: list[SavedStage]) -> str:
    """``PipelineModel(StringIndexerModel, VectorAssembler, LogisticRegressionModel)``."""
    if root.cls not in PIPELINE_MODELS:
        return root.name
    return "PipelineModel(" + ", ".join(s.name for s in stages) + ")"
