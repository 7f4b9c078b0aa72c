"""Export saved Spark ML pipelines (``PipelineModel`` directories) to PFA, without a JVM.

``export(model_or_path)`` reads a saved ``PipelineModel`` directory (or saves a live one to
a temporary directory first) with :mod:`pfa.exporters.spark.saved` and converts each stage
with its registered converter (``pfa.exporters.spark.converters``), following the
pipeline's columns (:mod:`pfa.exporters.spark.flow`). pyspark is needed only for a live model.
"""

from __future__ import annotations

from pfa.exporters.spark.convert import export

__all__ = ["export"]
