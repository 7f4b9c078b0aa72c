"""The Spark ML front end: saved ``PipelineModel`` directories (read without a JVM) and live
pyspark models (saved to a temporary directory first)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pfa.errors import UnsupportedModelError
from pfa.exporters.frontends import ExportOptions


class SparkFrontEnd:
    name = "spark"
    reads = "a saved Spark ML model directory"

    def accepts(self, obj_or_path: Any) -> bool:
        if isinstance(obj_or_path, Path):
            from pfa.exporters.spark.saved import is_saved_model

            return is_saved_model(obj_or_path)
        module = type(obj_or_path).__module__
        return module.startswith("pyspark.ml") and hasattr(obj_or_path, "write")

    def load(self, path: Path, options: ExportOptions) -> Any:
        from pfa.exporters.spark.saved import load

        return load(path)

    def export(self, model: Any, options: ExportOptions) -> dict[str, Any]:
        from pfa.exporters.spark import export

        if options.array_input:
            raise UnsupportedModelError("a Spark pipeline reads named columns: --array-input "
                                        "is not supported (use --input-schema)")
        return export(model, options.input_schema, name=options.name,
                      timestamp=options.timestamp)


FRONT_END = SparkFrontEnd()
