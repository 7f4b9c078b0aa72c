"""JSON lines (``.jsonl``, ``.ndjson``; ``-`` for standard input/output): one JSON value per
line. Plain JSON by default — a record is an object such as ``{"age": 79.0, "city": "rome"}``
and reaches the engine under its input contract (a nullable field takes the bare value);
with ``--avro-json`` each line is Avro's JSON encoding of the input type (unions tagged,
``{"double": 79.0}``). Blank lines are skipped (they are not rows); a line that is not JSON
refuses its row. Written as plain JSON objects, one per row (NaN and infinities as the
tokens ``NaN``/``Infinity``), or with ``--avro-json`` in Avro's JSON encoding."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pyarrow as pa

from pfa.avro.data import encode_json, load_json_text
from pfa.avro.types import parse_type
from pfa.errors import AvroDataError, PfaInputError

from ..batch import Batch
from ..errors import DataFileError, RowError, field_of
from ..files import close_stream, open_input, open_output
from ..registry import Format, ReadSpec, register
from ..schema import avro_schema, plain_column

MAX_LINE_BYTES = 64 * 2**20
"""Longest line (one row) read; a longer line stops the run."""


class JsonLinesReader:
    def __init__(self, path: str, spec: ReadSpec) -> None:
        self.path = path
        self._spec = spec
        self._stream = open_input(path)
        self.columns: list[str] = []
        self.total_rows: int | None = None

    def column_arrow_type(self, name: str) -> pa.DataType | None:
        return None

    def _lines(self) -> Iterator[bytes]:
        stream = self._stream
        lineno = 0
        while True:
            try:
                line = stream.readline(MAX_LINE_BYTES + 1)
            except OSError as exc:
                raise DataFileError(self.path, f"cannot read: {exc.strerror or exc}") from None
            lineno += 1
            if not line:
                return
            if isinstance(line, str):
                line = line.encode("utf-8", "surrogatepass")
            if len(line) > MAX_LINE_BYTES:
                raise DataFileError(self.path, f"line {lineno} is longer than "
                                               f"{MAX_LINE_BYTES:,} bytes")
            if line.strip():
                yield line

    def batches(self) -> Iterator[Batch]:
        decode = self._spec.decode
        row0, rows, sources, bad = 1, [], [], {}
        for raw in self._lines():
            i = len(rows)
            try:
                obj = load_json_text(raw)
            except AvroDataError as err:
                bad[i] = RowError(row0 + i, err.message)
                obj = None
            value = obj
            if decode is not None and i not in bad:
                try:
                    value = decode(obj)
                except PfaInputError as err:
                    bad[i] = RowError(row0 + i, f"{err.message} (at {err.path})",
                                      field=field_of(err.path))
                    value = None
            rows.append(value)
            sources.append(obj)
            if len(rows) == self._spec.chunk_rows:
                yield Batch(row0, len(rows), rows=rows,
                            sources=sources if decode is not None else None, bad=bad)
                row0 += len(rows)
                rows, sources, bad = [], [], {}
        if rows:
            yield Batch(row0, len(rows), rows=rows,
                        sources=sources if decode is not None else None, bad=bad)

    def close(self) -> None:
        close_stream(self._stream, self.path)


def plain_json(value: Any) -> Any:
    """An engine value as plain JSON (bytes as Avro's JSON encoding, one code point per
    byte; union values untagged)."""
    if isinstance(value, dict):
        return {k: plain_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain_json(v) for v in value]
    if isinstance(value, bytes):
        return value.decode("latin-1")
    return value


class JsonLinesWriter:
    """One JSON object per row. Output columns (``options["outputs"]``, OutputColumn by
    name) whose values are JSON text (unions) are embedded as JSON; with
    ``options["avro_json"]`` output values are in Avro's JSON encoding of the document's
    types (null for a failed row) and kept columns in that of their nullable type."""

    def __init__(self, path: str, schema: pa.Schema, options: dict[str, Any]) -> None:
        self.path = path
        self._avro_json = bool(options.get("avro_json"))
        outputs = options.get("outputs") or {}
        self._types: dict[str, Any] = {}
        kept = avro_schema(schema)["fields"]
        for f in schema:
            col = outputs.get(f.name)
            if col is not None:
                self._types[f.name] = col
            elif self._avro_json:
                self._types[f.name] = parse_type(next(k["type"] for k in kept
                                                      if k["name"] == f.name))
        self._stream = open_output(path)

    def write(self, table: pa.Table) -> None:
        names = table.column_names
        cols = [self._column(name, col) for name, col in zip(names, table.columns)]
        out = []
        for values in zip(*cols):
            out.append(json.dumps(dict(zip(names, values)), separators=(",", ":")))
            out.append("\n")
        self._stream.write("".join(out).encode("utf-8", "surrogatepass"))

    def _column(self, name: str, col: Any) -> list[Any]:
        t = self._types.get(name)
        if t is not None and getattr(t, "arrow", 0) is None:  # JSON text (Avro encoding)
            return [None if v is None else json.loads(v) for v in col.to_pylist()]
        if not self._avro_json or t is None:
            return plain_column(col)
        avro = getattr(t, "avro", t)
        return [None if v is None else encode_json(avro, v)
                for v in plain_column(col, text_bytes=False)]

    def close(self) -> None:
        close_stream(self._stream, self.path)


register(Format(name="jsonl", extensions=(".jsonl", ".ndjson", ".json"),
                description="JSON lines (plain JSON, or Avro's JSON encoding with --avro-json)",
                open_reader=JsonLinesReader, open_writer=JsonLinesWriter, stdio=True))
