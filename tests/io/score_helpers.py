"""Writing inputs and reading outputs of ``pfa score`` in every format, with independent
readers and writers (pyarrow, fastavro, json, csv), and comparing with ``Engine.action``."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path
from typing import Any

import fastavro
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.feather as feather
import pyarrow.parquet as pq

from pfa.errors import PfaError, PfaRuntimeError
from pfa.io.registry import formats
from pfa.io.schema import avro_schema

EXT = {"csv": ".csv", "tsv": ".tsv", "parquet": ".parquet", "arrow": ".arrow",
       "jsonl": ".jsonl", "avro": ".avro"}
FORMATS = sorted(formats())

MIXED_DOC = {
    "name": "mixed",
    "input": {"type": "record", "name": "In", "fields": [
        {"name": "age", "type": ["null", "double"]},
        {"name": "city", "type": ["null", "string"]},
        {"name": "n", "type": "int"}]},
    "output": {"type": "record", "name": "Out", "fields": [
        {"name": "y", "type": "double"}, {"name": "c", "type": "string"},
        {"name": "z", "type": ["null", "double"]}, {"name": "k", "type": "int"},
        {"name": "tags", "type": {"type": "array", "items": "string"}}]},
    "action": [
        {"let": {"c": {"ifnotnull": {"x": "input.city"}, "then": "x",
                       "else": {"string": "none"}}}},
        {"let": {"z": {"ifnotnull": {"a": "input.age"}, "then": {"+": ["a", 0.5]},
                       "else": None}}},
        {"new": {"y": {"ifnotnull": {"a": "input.age"}, "then": {"*": ["a", 2]},
                       "else": -1.0},
                 "c": "c", "z": "z", "k": {"//": [100, "input.n"]},
                 "tags": {"new": ["c", "c"], "type": {"type": "array", "items": "string"}}},
         "type": "Out"}]}
"""Nullable numbers and strings in, a record out (with an array); ``n == 0`` is a runtime
error (18040, integer division by zero)."""


def write_input(table: pa.Table, fmt: str, path: Path) -> None:
    """``table`` as an input file of format ``fmt``, written by an independent writer."""
    if fmt in ("csv", "tsv"):
        pacsv.write_csv(table, path, pacsv.WriteOptions(delimiter="," if fmt == "csv"
                                                        else "\t"))
    elif fmt == "parquet":
        pq.write_table(table, path, row_group_size=5)
    elif fmt == "arrow":
        feather.write_feather(table, path, chunksize=4)
    elif fmt == "jsonl":
        path.write_text("".join(json.dumps(r) + "\n" for r in table.to_pylist()))
    elif fmt == "avro":
        with open(path, "wb") as fo:
            fastavro.writer(fo, fastavro.parse_schema(avro_schema(table.schema)),
                            table.to_pylist())
    else:
        raise AssertionError(f"no test writer for {fmt}")


def read_output(fmt: str, path: Path) -> list[dict[str, Any]]:
    """The rows of an output file, as strings (flat formats) or typed values."""
    if fmt in ("csv", "tsv"):
        with open(path, newline="", encoding="utf-8") as f:
            return list(csv.DictReader(f, delimiter="," if fmt == "csv" else "\t"))
    if fmt == "parquet":
        return pq.read_table(path).to_pylist()
    if fmt == "arrow":
        return feather.read_table(path).to_pylist()
    if fmt == "jsonl":
        return [json.loads(line) for line in path.read_text().splitlines()]
    if fmt == "avro":
        with open(path, "rb") as fo:
            return list(fastavro.reader(fo))
    raise AssertionError(f"no test reader for {fmt}")


def expected(engine: Any, rows: list[dict[str, Any]]) -> list[tuple[Any, PfaError | None]]:
    """``Engine.action`` on every row: (output, None) or (None, the runtime error)."""
    out = []
    for r in rows:
        try:
            out.append((engine.action(r), None))
        except PfaRuntimeError as err:
            out.append((None, err))
    return out


def same(cell: Any, value: Any, flat: bool) -> bool:
    """An output cell equals the engine value (a flat cell is text: numbers by value,
    nested values as JSON text, missing as an empty cell)."""
    if flat:
        if value is None:
            return cell == ""
        if isinstance(value, bool):
            return cell == ("true" if value else "false")
        if isinstance(value, (int, float)):
            if isinstance(value, float) and math.isnan(value):
                return cell.lower() == "nan"
            return float(cell) == value
        if isinstance(value, str):
            return cell == value
        return json.loads(cell) == value
    if isinstance(value, float) and isinstance(cell, float) and math.isnan(value):
        return math.isnan(cell)
    if isinstance(value, dict) and isinstance(cell, dict):
        return value.keys() <= cell.keys() and all(same(cell[k], v, False)
                                                   for k, v in value.items())
    if isinstance(value, list) and isinstance(cell, list):
        return len(value) == len(cell) and all(same(c, v, False) for c, v in zip(cell, value))
    return cell == value and type(cell) is type(value) or (
        isinstance(value, float) and isinstance(cell, float) and cell == value)


def check_rows(out_rows: list[dict[str, Any]], want: list[tuple[Any, Any]], fmt: str,
               output_fields: list[str], keep: dict[str, list[Any]] | None = None) -> None:
    """Every output row equals ``action``'s output (nulls where it failed)."""
    flat = fmt in ("csv", "tsv")
    assert len(out_rows) == len(want), (len(out_rows), len(want))
    for i, (row, (value, err)) in enumerate(zip(out_rows, want)):
        for name in output_fields:
            if flat and name not in row:  # a record output field split into columns
                continue
            expect = None if err is not None else (value[name] if isinstance(value, dict)
                                                   else value)
            assert same(row[name], expect, flat), (i, name, row[name], expect)
        for name, values in (keep or {}).items():  # text from CSV, typed from the others
            v, cell = values[i], row[name]
            assert (cell in (None, "")) if v is None else str(cell) == str(v), (i, name, cell)
