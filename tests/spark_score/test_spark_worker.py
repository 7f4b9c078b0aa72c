"""The worker side of pfa.spark without a JVM: Arrow batches shaped as Spark sends them go
through ``score_partition`` and come out equal to ``Engine.action`` row by row, for documents
over hypothesis-drawn Spark types; the plan refuses what does not fit. Needs pyspark (for its
type conversions) but not Java."""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pfa.engine.engine import Engine
from pfa.spark.scoring import SparkScoreError, prepare
from pfa.spark.worker import PfaRowFailed, score_partition
from tests.avro.strategies import values_equal, values_of

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

pytest.importorskip("pyspark", reason="pyspark is not installed")


def spark_fields(engine: Engine, extra: dict[str, Any] | None = None) -> list[Any]:
    """The Spark fields of a DataFrame holding the document's input columns (and ``extra``)."""
    from pyspark.sql import types as T

    from pfa.io.schema import arrow_type
    from pfa.spark.types import spark_type

    fields = [T.StructField(f.name, spark_type(arrow_type(f.type)), True)
              for f in engine.input_type.fields]
    return fields + [T.StructField(k, v, True) for k, v in (extra or {}).items()]


def batches(engine: Engine, rows: list[dict[str, Any]], cuts: list[int]) -> list[pa.RecordBatch]:
    """``rows`` as Arrow record batches cut at ``cuts``, typed as Spark types them."""
    fields = engine.input_type.fields
    types = {f.name: spark_arrow_type(f.type) for f in fields}
    table = pa.table({f.name: arrow_column([r[f.name] for r in rows], f.type, types[f.name])
                      for f in fields})
    bounds = [0, *sorted(c for c in cuts if 0 < c < len(rows)), len(rows)]
    return [table.slice(a, b - a).combine_chunks().to_batches()[0]
            if b > a else pa.RecordBatch.from_pylist([], schema=table.schema)
            for a, b in zip(bounds, bounds[1:])]


def run(plan: Any, parts: list[pa.RecordBatch]) -> pa.Table:
    """The worker's output, checked as Spark's worker takes it: every batch of the declared
    Arrow schema, its columns wrapped into one struct array (which refuses nulls under a
    non-nullable field)."""
    out = list(score_partition(plan.setup, parts))
    for b in out:
        assert b.schema.equals(plan.setup.output_schema)
        pa.StructArray.from_arrays(b.columns, fields=list(b.schema)).validate(full=True)
    return pa.Table.from_batches(out, schema=plan.setup.output_schema)


@settings(max_examples=60)
@given(st.data())
def test_outputs_equal_the_engine_over_drawn_types(data: Any) -> None:
    types = data.draw(st.lists(spark_avro_types(), min_size=1, max_size=4), label="types")
    engine = Engine.from_json(identity_document(types))
    fields = engine.input_type.fields
    rows = data.draw(st.lists(st.fixed_dictionaries(
        {f.name: values_of(f.type, max_depth=3) for f in fields}), max_size=8), label="rows")
    cuts = data.draw(st.lists(st.integers(0, 8), max_size=3), label="cuts")
    batch_size = data.draw(st.none() | st.integers(1, 5), label="batch_size")
    plan = prepare(engine, spark_fields(engine), batch_size=batch_size)
    got = engine_values(run(plan, batches(engine, rows, cuts)))
    expected = [engine.action(r) for r in rows]
    assert len(got) == len(expected)
    for g, e in zip(got, expected):
        assert values_equal(g, e), (g, e)


FAILING = {"input": {"type": "record", "name": "In", "fields": [
    {"name": "x", "type": "int"}, {"name": "id", "type": "long"}]},
    "output": "int", "action": {"//": [12, "input.x"]}}


@pytest.mark.parametrize("on_error", ["null", "skip"])
def test_failed_rows_are_null_or_left_out(on_error: str) -> None:
    engine = Engine.from_json(FAILING)
    rows = [{"x": x, "id": i} for i, x in enumerate([3, 0, 4, 0, 6])]
    plan = prepare(engine, spark_fields(engine), on_error, keep=["id"],
                   error_column="error" if on_error == "null" else None)
    out = run(plan, batches(engine, rows, [2]))
    if on_error == "null":
        assert out.column("output").to_pylist() == [4, None, 3, None, 2]
        errors = out.column("error").to_pylist()
        assert [e is None for e in errors] == [True, False, True, False, True]
        assert "PFA error 18040" in errors[1]  # integer division by zero
    else:
        assert out.column("output").to_pylist() == [4, 3, 2]
        assert out.column("id").to_pylist() == [0, 2, 4]


def test_fail_names_the_row_and_the_code() -> None:
    engine = Engine.from_json(FAILING)
    rows = [{"x": x, "id": i} for i, x in enumerate([3, 5, 0])]
    plan = prepare(engine, spark_fields(engine), "fail")
    with pytest.raises(PfaRowFailed, match=r"row 3 of the partition: PFA error 18040"):
        run(plan, batches(engine, rows, [1]))


def test_a_missing_column_is_named_before_any_job() -> None:
    from pyspark.sql import types as T

    engine = Engine.from_json(FAILING)
    with pytest.raises(SparkScoreError, match="'id' has no column"):
        prepare(engine, [T.StructField("x", T.IntegerType())])
    with pytest.raises(SparkScoreError, match="keep column 'zz'"):
        prepare(engine, spark_fields(engine), keep=["zz"])
    with pytest.raises(SparkScoreError, match="on_error"):
        prepare(engine, spark_fields(engine), "ignore")


def test_keep_true_keeps_every_column_but_the_outputs() -> None:
    from pyspark.sql import types as T

    engine = Engine.from_json(FAILING)
    plan = prepare(engine, spark_fields(engine, {"output": T.StringType(),
                                                 "note": T.StringType()}), keep=True)
    assert [f.name for f in plan.schema.fields] == ["x", "id", "note", "output"]


def test_output_schema_of_every_kind() -> None:
    from pfa.spark import output_schema

    engine = Engine.from_json(ALL_KINDS)
    assert output_schema(engine).simpleString() == ALL_KINDS_SCHEMA
    plan = prepare(engine, spark_fields(engine))
    row = engine_values(run(plan, batches(engine, [{"v": 1.0}] * 3, [1])))
    assert row == [all_kinds_row(1.0)] * 3
