"""pfa.spark.score on a live local Spark session (the shared ``spark`` fixture): outputs equal
to ``Engine.action_batch`` on exported sklearn models and on hypothesis-drawn records, the
on_error modes, the output schema, a missing column, an empty DataFrame, many partitions, and
``python -m pfa.spark.submit`` on real files. Skipped without pyspark or Java."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from pfa.engine.engine import Engine
from pfa.spark import SparkScoreError, score
from pfa.spark.submit import main as submit
from tests.avro.strategies import values_equal, values_of
from tests.spark_session import SPARK_MARKS

from .spark_helpers import (
    ALL_KINDS,
    ALL_KINDS_SCHEMA,
    all_kinds_row,
    engine_values,
    identity_document,
    spark_arrow_type,
    spark_avro_types,
)
from .spark_helpers import to_arrow as arrow_column

pytestmark = SPARK_MARKS
pytest.importorskip("pyspark", reason="pyspark is not installed")


def frame_of(spark: Any, engine: Engine, rows: list[dict[str, Any]], partitions: int = 2,
             extra: dict[str, list[Any]] | None = None) -> Any:
    """A DataFrame of ``rows`` (engine values of the document's input record) typed as the
    document's input with every nested field nullable (Spark refuses a null struct whose
    fields are not), in ``partitions`` partitions (order kept)."""
    fields = engine.input_type.fields
    cols = {f.name: arrow_column([r[f.name] for r in rows], f.type,
                                 spark_arrow_type(f.type, nullable=True)) for f in fields}
    cols.update({k: pa.array(v) for k, v in (extra or {}).items()})
    df = spark.createDataFrame(pa.table(cols))
    return df.coalesce(1) if partitions == 1 else df.repartitionByRange(partitions, "row_id") \
        if "row_id" in (extra or {}) else df


def collected(df: Any) -> list[dict[str, Any]]:
    return engine_values(df.toArrow())


def iris(original_names: bool) -> tuple[dict[str, Any], Any]:
    from sklearn.datasets import load_iris
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from pfa.exporters.sklearn import export

    data = load_iris(as_frame=True)
    X = data.data if original_names else data.data.rename(
        columns=lambda c: c.replace(" (cm)", "").replace(" ", "_"))
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=500)).fit(X, data.target)
    return export(model, sample=X, timestamp=False), X


def forest() -> tuple[dict[str, Any], Any]:
    from sklearn.datasets import load_diabetes
    from sklearn.ensemble import RandomForestRegressor

    from pfa.exporters.sklearn import export

    X, y = load_diabetes(return_X_y=True, as_frame=True)
    model = RandomForestRegressor(n_estimators=8, max_depth=5, random_state=0).fit(X, y)
    return export(model, sample=X, timestamp=False), X


@pytest.mark.parametrize("model", ["iris", "iris-original-columns", "forest"])
def test_exported_sklearn_models_equal_action_batch(spark: Any, model: str) -> None:
    doc, X = forest() if model == "forest" else iris(model == "iris-original-columns")
    engine = Engine.from_json(doc)
    sdf = spark.createDataFrame(X).repartition(3)
    rows = sdf.collect()  # the order Spark holds the rows in, to compare row by row
    out = score(sdf, doc, keep=True).toPandas()
    expected = engine.action_batch([{c: r[c] for c in X.columns} for r in rows])
    assert len(out) == len(rows)
    np.testing.assert_array_equal(out[X.columns[0]].to_numpy(),
                                  np.array([r[X.columns[0]] for r in rows]))
    if isinstance(expected[0], dict):
        for name in expected[0]:
            got = [v.tolist() if hasattr(v, "tolist") else v for v in out[name]]
            assert got == [e[name] for e in expected], name
    else:
        assert out["output"].tolist() == list(expected)


@settings(max_examples=6, phases=[Phase.explicit, Phase.reuse, Phase.generate],
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # no shrinking: a job each
@given(st.data())
def test_drawn_records_equal_the_engine(spark: Any, data: Any) -> None:
    types = data.draw(st.lists(spark_avro_types(), min_size=1, max_size=5), label="types")
    engine = Engine.from_json(identity_document(types))
    rows = data.draw(st.lists(st.fixed_dictionaries(
        {f.name: values_of(f.type, max_depth=3) for f in engine.input_type.fields}),
        max_size=12), label="rows")
    df = frame_of(spark, engine, rows, extra={"row_id": list(range(len(rows)))})
    out = score(df, identity_document(types), keep=["row_id"],
                batch_size=data.draw(st.none() | st.integers(1, 4), label="batch_size"))
    got = sorted(collected(out), key=lambda r: r["row_id"])
    expected = engine.action_batch(rows) if rows else []
    assert len(got) == len(rows)
    for g, e in zip(got, expected):
        assert values_equal({k: v for k, v in g.items() if k != "row_id"}, e), (g, e)


FAILING = {"input": {"type": "record", "name": "In", "fields": [
    {"name": "x", "type": "int"}]}, "output": "int", "action": {"//": [12, "input.x"]}}


def test_on_error_modes(spark: Any) -> None:
    df = spark.createDataFrame([(i, x) for i, x in enumerate([3, 0, 4, 0, 6])],
                               "id long, x int").coalesce(1)
    nulls = score(df, FAILING, keep=["id"], error_column="error").collect()
    assert [r["output"] for r in nulls] == [4, None, 3, None, 2]
    assert "PFA error 18040" in nulls[1]["error"] and nulls[0]["error"] is None
    skipped = score(df, FAILING, "skip", keep=["id"]).collect()
    assert [(r["id"], r["output"]) for r in skipped] == [(0, 4), (2, 3), (4, 2)]
    with pytest.raises(Exception, match=r"row 2 of the partition: PFA error 18040"):
        score(df, FAILING, "fail").collect()


def test_output_schema_follows_the_output_type(spark: Any) -> None:
    out = score(spark.createDataFrame([(1.0,)], "v double"), ALL_KINDS)
    assert out.schema.simpleString() == ALL_KINDS_SCHEMA
    assert collected(out) == [all_kinds_row(1.0)]


def test_missing_column_is_refused_before_any_job(spark: Any) -> None:
    df = spark.createDataFrame([(1,)], "y int")
    with pytest.raises(SparkScoreError, match="the input field 'x' has no column"):
        score(df, FAILING)


def test_empty_and_many_partitions(spark: Any) -> None:
    from pyspark.sql import functions as F

    empty = spark.createDataFrame([], "x int")
    assert score(empty, FAILING).collect() == []
    df = spark.range(0, 2000, numPartitions=9).select(
        F.col("id"), ((F.col("id") % 7) - 3).cast("int").alias("x"))
    out = score(df, FAILING, keep=["id", "x"], batch_size=50)
    assert out.rdd.getNumPartitions() == 9
    got = out.collect()
    assert [r["id"] for r in got] == list(range(2000))  # count and order kept
    assert [r["output"] for r in got] == [None if r["x"] == 0 else 12 // r["x"] if
                                          r["x"] > 0 else -(12 // -r["x"]) for r in got]


def test_submit_scores_files(spark: Any, tmp_path: Path) -> None:
    import json

    model = tmp_path / "model.pfa"
    model.write_text(json.dumps(FAILING))
    spark.createDataFrame([(i, x) for i, x in enumerate([3, 0, 4])], "id long, x int") \
        .write.parquet(str(tmp_path / "in.parquet"))
    out = tmp_path / "out.parquet"
    assert submit([str(model), str(tmp_path / "in.parquet"), str(out), "--keep", "id",
                   "--error-column", "error"]) == 0
    rows = sorted(spark.read.parquet(str(out)).collect(), key=lambda r: r["id"])
    assert [r["output"] for r in rows] == [4, None, 3]
    assert submit([str(model), str(tmp_path / "in.parquet"), str(tmp_path / "o.csv"),
                   "--on-error", "skip"]) == 0
    assert sorted(r["output"] for r in spark.read.option("header", "true")
                  .csv(str(tmp_path / "o.csv")).collect()) == ["3", "4"]
    assert submit([str(model), str(tmp_path / "in.parquet"), str(tmp_path / "f.parquet"),
                   "--on-error", "fail"]) == 1
    assert submit([str(model), str(tmp_path / "nothere.parquet"), str(tmp_path / "x")]) == 2
