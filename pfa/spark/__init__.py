"""Scoring PFA documents on Spark: :func:`score` runs a map document on every row of a Spark
DataFrame (``mapInArrow``; the engine built once per Python worker, the document broadcast as
text), and ``python -m pfa.spark.submit`` (also through ``spark-submit``) scores data files
with Spark's own readers and writers.

Importing this package needs no pyspark; using it does, and says so when it is missing."""

from .scoring import SparkScoreError, load_engine, output_schema, require_pyspark, score
from .session import LOCAL_CONF, local_session
from .worker import PfaRowFailed

__all__ = ["LOCAL_CONF", "PfaRowFailed", "SparkScoreError", "load_engine", "local_session",
           "output_schema", "require_pyspark", "score"]
