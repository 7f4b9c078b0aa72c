"""Every committed Spark fixture (``fixtures/<case>``: a PipelineModel saved by Spark, input
rows and Spark's own ``transform`` output) exported JVM-free and run on both engines."""

from __future__ import annotations

import json

import pytest

from pfa import Engine
from pfa.exporters import spark as spark_export
from pfa.exporters.spark.flow import INVALID_CODE, SKIPPED_CODE
from tests.spark_export.helpers import (
    close,
    fixture_dirs,
    inputs,
    read_case,
    row_schema,
    run_rows,
)

CASES = fixture_dirs()


def export_case(path):
    """The case and its document, the input type read from the case's rows."""
    case = read_case(path)
    doc = spark_export.export(path / "model", row_schema(case["rows"]), timestamp=False)
    return case, doc


@pytest.mark.parametrize("path", CASES, ids=[p.name for p in CASES])
def test_fixture_matches_spark(path):
    case, doc = export_case(path)
    engine = Engine.from_json(doc)
    fields = dict(zip(json.loads(doc["metadata"]["output.columns"]),
                      [f["name"] for f in doc["output"]["fields"]]))
    records = inputs(doc, case["rows"])
    got = run_rows(engine, records)
    for i, (out, want) in enumerate(zip(got, case["expected"])):
        where = f"{path.name} row {i}"
        if want is None:  # Spark drops the row
            assert out == ("error", SKIPPED_CODE), f"{where}: {out!r}, Spark skips the row"
        elif want == {"error": True}:
            assert out == ("error", INVALID_CODE), f"{where}: {out!r}, Spark fails"
        else:
            assert not isinstance(out, tuple), f"{where}: {out!r}"
            for col in case["columns"]:
                close(out[fields[col]], want[col], f"{where} column {col}")
    batch = engine.action_batch([engine.decode_input(r) for r in records], on_error="null")
    values = getattr(batch, "values", batch)
    for i, (one, many) in enumerate(zip(got, values)):
        if isinstance(one, tuple):
            assert many is None, f"{path.name} row {i}: batch {many!r}, scalar failed"
        else:
            for f in one:
                close(many[f], one[f], f"{path.name} row {i} batch field {f}")


@pytest.mark.parametrize("path", CASES, ids=[p.name for p in CASES])
def test_export_is_deterministic(path):
    a = spark_export.export(path / "model", timestamp=False)
    assert json.dumps(a) == json.dumps(spark_export.export(path / "model", timestamp=False))
