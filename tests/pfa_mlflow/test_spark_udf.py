"""``mlflow.pyfunc.spark_udf`` on a saved PFA model: a local Spark session (``local[2]`` on
127.0.0.1); skipped when pyspark or Java is missing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import mlflow
import numpy as np
import pandas as pd
import pytest

from pfa.engine.engine import Engine
from tests.spark_session import SPARK_MARKS

from .conftest import saved_model

pytestmark = SPARK_MARKS
pytest.importorskip("pyspark", reason="pyspark is not installed")


def test_record_output_is_a_struct_equal_to_the_engine(
        spark: Any, tmp_path: Path, iris_classifier: dict[str, Any],
        iris_frame: pd.DataFrame) -> None:
    path = saved_model(iris_classifier, tmp_path / "iris")
    udf = mlflow.pyfunc.spark_udf(spark, str(path), env_manager="local")
    sdf = spark.createDataFrame(iris_frame)
    out = sdf.withColumn("prediction", udf()).toPandas()  # column names from the signature
    assert sdf.withColumn("prediction", udf()).schema["prediction"].dataType.simpleString() == (
        "struct<label:int,probabilities:array<double>>")
    engine = Engine.from_json(iris_classifier)
    expected = [engine.action(r) for r in iris_frame.to_dict("records")]
    got = [{"label": p["label"], "probabilities": list(p["probabilities"])}
           for p in out["prediction"]]
    assert got == expected


def test_integer_and_optional_columns(spark: Any, tmp_path: Path) -> None:
    """A Parquet-like int64 column for a double field (the input example says it is integer)
    and an optional column, given by name. Spark hands a pandas UDF a null of a double column
    as NaN, which the engine reads as it reads NaN from pandas."""
    doc = {"input": {"type": "record", "name": "In", "fields": [
        {"name": "n", "type": "double"}, {"name": "w", "type": ["null", "double"]}]},
        "output": "double",
        "action": {"ifnotnull": {"w": "input.w"}, "then": {"*": ["input.n", "w"]},
                   "else": "input.n"}}
    frame = pd.DataFrame({"n": np.arange(10, dtype="int64"),
                          "w": [0.5, None] * 5})
    path = saved_model(doc, tmp_path / "ints", input_example=frame.head(3))
    udf = mlflow.pyfunc.spark_udf(spark, str(path), env_manager="local")
    out = spark.createDataFrame(frame).withColumn("y", udf("n", "w")).toPandas()
    engine = Engine.from_json(doc)
    expected = [engine.action(r) for r in frame.to_dict("records")]
    np.testing.assert_array_equal(out["y"].to_numpy(), np.array(expected))  # NaN equals NaN
