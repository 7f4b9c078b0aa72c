"""Shared helpers of the Spark export tests: reading fixtures, running a document on rows
and comparing with Spark's recorded output (labels exact, numbers 1e-12 abs + 1e-9 rel)."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from pfa import Engine
from pfa.errors import PfaRuntimeError

FIXTURES = Path(__file__).parent / "fixtures"
ABS, REL = 1e-12, 1e-9


def fixture_dirs() -> list[Path]:
    return sorted(p for p in FIXTURES.iterdir() if (p / "case.json").is_file())


def read_case(path: Path) -> dict[str, Any]:
    return json.loads((path / "case.json").read_text())


def _num(v: Any) -> Any:
    if isinstance(v, str) and v in ("NaN", "Infinity", "-Infinity"):
        return float(v.replace("Infinity", "inf"))
    return v


def close(got: Any, want: Any, where: str) -> None:
    """Assert ``got`` equals Spark's ``want``: strings and ints exact, doubles within
    tolerance (NaN equals NaN), lists element by element."""
    want = _num(want)
    if isinstance(want, list):
        assert isinstance(got, list) and len(got) == len(want), f"{where}: {got!r} != {want!r}"
        for i, (g, w) in enumerate(zip(got, want)):
            close(g, w, f"{where}[{i}]")
    elif isinstance(want, float):
        assert isinstance(got, (int, float)), f"{where}: {got!r} is not a number ({want!r})"
        if math.isnan(want):
            assert math.isnan(got), f"{where}: {got!r} != NaN"
        else:
            assert got == want or abs(got - want) <= ABS + REL * abs(want), \
                f"{where}: {got!r} != {want!r}"
    else:
        assert got == want, f"{where}: {got!r} != {want!r}"


def inputs(doc: dict[str, Any], rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The document's input records of Spark's input rows (fields by ``input.columns``)."""
    fields = json.loads(doc["metadata"]["features"])
    columns = json.loads(doc["metadata"]["input.columns"])
    types = {f["name"]: f["type"] for f in doc["input"]["fields"]}
    return [{f: _avro_json(types[f], _deep_num(row[c])) for f, c in zip(fields, columns)}
            for row in rows]


def _avro_json(avro: Any, value: Any) -> Any:
    """A value of a nullable field in Avro's JSON form (``{"branch": value}``)."""
    if value is None or not isinstance(avro, list):
        return value
    branch = next(t for t in avro if t != "null")
    return {branch if isinstance(branch, str) else branch["type"]: value}


def _deep_num(v: Any) -> Any:
    if isinstance(v, list):
        return [_deep_num(x) for x in v]
    return _num(v)


def row_schema(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """An input record type for Spark's input rows: each column's type read from its values
    (a list of numbers is a vector, a list of strings an array of strings; a column holding
    a null is nullable)."""
    from pfa.exporters.table import field_names

    columns = list(rows[0])
    fields = []
    for name, c in zip(field_names(columns), columns):
        values = [row.get(c) for row in rows]
        present = [v for v in values if v is not None]
        ftype = _type_of(present[0], "double") if present else "double"
        if len(present) < len(values):
            ftype = ["null", ftype]
        fields.append({"name": name, "type": ftype, "spark.column": c})
    return {"type": "record", "name": "Input", "fields": fields}


def _type_of(value: Any, default: Any) -> Any:
    if isinstance(value, list):
        items = "string" if any(isinstance(v, str) and v not in ("NaN", "Infinity", "-Infinity")
                                for v in value) else "double"
        return {"type": "array", "items": items}
    if isinstance(value, str) and value not in ("NaN", "Infinity", "-Infinity"):
        return "string"
    if isinstance(value, (int, float, str)):
        return "double"
    return default


def run_rows(engine: Engine, records: list[dict[str, Any]]) -> list[Any]:
    """Each record's output, or ("error", code) when the action raises."""
    out = []
    for rec in records:
        try:
            out.append(engine.action(engine.decode_input(rec)))
        except PfaRuntimeError as err:
            out.append(("error", err.code))
    return out


def check_live(model: Any, df: Any, columns: list[str], save_to: Path, case: str) -> None:
    """Save the fitted Spark ``model``, export it, and compare the engine on every row of
    ``df`` with Spark's own transform of the output ``columns`` (rows Spark drops or fails
    on must raise the flow's -201 / -200 errors); ``case`` names the failing row."""
    from pfa.exporters import spark as spark_export
    from pfa.exporters.spark.flow import INVALID_CODE, SKIPPED_CODE
    from tools.spark_fixtures.generate import record, to_json

    model.write().overwrite().save(str(save_to))
    rows = [to_json(r) for r in df.collect()]
    expected = record(model, df, columns)
    doc = spark_export.export(save_to, row_schema(rows), timestamp=False)
    engine = Engine.from_json(doc)
    fields = dict(zip(json.loads(doc["metadata"]["output.columns"]),
                      [f["name"] for f in doc["output"]["fields"]]))
    got = run_rows(engine, inputs(doc, rows))
    stages = doc["metadata"].get("source.estimator", "")
    for i, (out, want) in enumerate(zip(got, expected)):
        where = f"{case} {stages} row {i} ({rows[i]})"
        if want is None:
            assert out == ("error", SKIPPED_CODE), where
        elif want == {"error": True}:
            assert out == ("error", INVALID_CODE), where
        else:
            assert not isinstance(out, tuple), f"{where}: {out!r}"
            for col in columns:
                close(out[fields[col]], want[col], f"{where} column {col}")
