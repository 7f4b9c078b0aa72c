"""Avro object container files (``.avro``), through fastavro: read block by block as
records (union values untagged, as the engine holds them); written with a schema derived
from the output columns (:func:`pfa.io.schema.avro_schema`: every column nullable, so a
failed row holds null)."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice
from typing import Any

import fastavro
import pyarrow as pa
from fastavro.write import Writer as FastavroWriter

from ..batch import Batch
from ..errors import DataFileError
from ..files import close_stream, open_input, open_output
from ..registry import Format, ReadSpec, register
from ..schema import avro_schema, plain_column


class AvroReader:
    def __init__(self, path: str, spec: ReadSpec) -> None:
        self.path = path
        self._spec = spec
        self._stream = open_input(path)
        try:
            self._reader = fastavro.reader(self._stream)
        except Exception as exc:  # noqa: BLE001 - fastavro raises many kinds on bad headers
            close_stream(self._stream, path)
            raise DataFileError(path, f"cannot read as an Avro container file: "
                                      f"{type(exc).__name__}: {exc}") from None
        schema = self._reader.writer_schema
        self.columns = [f["name"] for f in schema.get("fields", [])] \
            if isinstance(schema, dict) and schema.get("type") == "record" else []
        self.total_rows: int | None = None

    def column_arrow_type(self, name: str) -> pa.DataType | None:
        return None

    def batches(self) -> Iterator[Batch]:
        row0 = 1
        size = self._spec.chunk_rows
        while True:
            try:
                rows = list(islice(self._reader, size))
            except Exception as exc:  # noqa: BLE001 - a corrupt block
                raise DataFileError(self.path, f"cannot read the Avro block after row "
                                               f"{row0 - 1}: {type(exc).__name__}: {exc}"
                                    ) from None
            if not rows:
                return
            yield Batch(row0, len(rows), rows=rows)
            row0 += len(rows)

    def close(self) -> None:
        close_stream(self._stream, self.path)


class AvroWriter:
    def __init__(self, path: str, schema: pa.Schema, options: dict[str, Any]) -> None:
        self.path = path
        self._stream = open_output(path)
        try:
            parsed = fastavro.parse_schema(avro_schema(schema))
            self._writer = FastavroWriter(self._stream, parsed, codec="deflate")
        except Exception as exc:  # noqa: BLE001 - a schema fastavro refuses
            close_stream(self._stream, path)
            raise DataFileError(path, f"cannot write Avro: {exc}") from None

    def write(self, table: pa.Table) -> None:
        names = table.column_names
        cols = [plain_bytes_column(c) for c in table.columns]
        for values in zip(*cols):
            self._writer.write(dict(zip(names, values)))
        self._writer.flush()

    def close(self) -> None:
        self._writer.flush()
        close_stream(self._stream, self.path)


def plain_bytes_column(col: Any) -> list[Any]:
    """The values of ``col`` as fastavro takes them (maps as dicts, bytes as bytes)."""
    t = col.type
    if pa.types.is_binary(t) or pa.types.is_fixed_size_binary(t) or \
            pa.types.is_large_binary(t):
        return col.to_pylist()
    if pa.types.is_dictionary(t):
        return col.cast(t.value_type).to_pylist() if hasattr(col, "cast") else col.to_pylist()
    values = plain_column(col)
    if pa.types.is_temporal(t) or pa.types.is_decimal(t):
        return values
    return values if not _has_bytes(t) else col.to_pylist()


def _has_bytes(t: pa.DataType) -> bool:
    if pa.types.is_binary(t) or pa.types.is_fixed_size_binary(t):
        return True
    if pa.types.is_list(t) or pa.types.is_large_list(t):
        return _has_bytes(t.value_type)
    if pa.types.is_map(t):
        return _has_bytes(t.item_type)
    if pa.types.is_struct(t):
        return any(_has_bytes(f.type) for f in t)
    return False


register(Format(name="avro", extensions=(".avro",), description="Avro object container file",
                open_reader=AvroReader, open_writer=AvroWriter, stdio=True))
