"""Arrow IPC (``.arrow``, ``.feather``, ``.ipc``; Feather v2 is the IPC file format): files
are memory-mapped and read batch by batch (the row count is in the footer); standard
input/output use the IPC stream format."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pyarrow as pa

from ..batch import Batch, rebatch
from ..errors import DataFileError
from ..files import close_stream, open_input, open_output
from ..registry import STDIO, Format, ReadSpec, register


class ArrowReader:
    def __init__(self, path: str, spec: ReadSpec) -> None:
        self.path = path
        self._spec = spec
        self._source: Any = None
        try:
            if path == STDIO:
                self._source = open_input(path)
                self._reader: Any = pa.ipc.open_stream(self._source)
                self.total_rows: int | None = None
            else:
                self._source = pa.memory_map(path)
                try:
                    self._reader = pa.ipc.open_file(self._source)
                    self.total_rows = sum(self._reader.get_batch(i).num_rows
                                          for i in range(self._reader.num_record_batches))
                except pa.ArrowInvalid:
                    self._source.seek(0)
                    self._reader = pa.ipc.open_stream(self._source)
                    self.total_rows = None
        except FileNotFoundError:
            raise DataFileError(path, "cannot read: No such file or directory") from None
        except (OSError, pa.ArrowException) as exc:
            raise DataFileError(path, f"cannot read as Arrow IPC: {exc}") from None
        self._schema = self._reader.schema
        self.columns = list(self._schema.names)

    def column_arrow_type(self, name: str) -> pa.DataType | None:
        i = self._schema.get_field_index(name)
        return None if i < 0 else self._schema.field(i).type

    def _record_batches(self) -> Iterator[pa.RecordBatch]:
        if isinstance(self._reader, pa.ipc.RecordBatchFileReader):
            for i in range(self._reader.num_record_batches):
                yield self._reader.get_batch(i)
        else:
            yield from self._reader

    def batches(self) -> Iterator[Batch]:
        wanted = [c for c in self.columns if self._spec.wanted(c)]
        row0 = 1
        try:
            for t in rebatch(self._record_batches(), self._spec.chunk_rows):
                yield Batch(row0, t.num_rows, columns={c: t.column(c) for c in wanted})
                row0 += t.num_rows
        except (OSError, pa.ArrowException) as exc:
            raise DataFileError(self.path, f"cannot read as Arrow IPC after row {row0 - 1}: "
                                           f"{exc}") from None

    def close(self) -> None:
        if self.path == STDIO:
            return
        if self._source is not None:
            self._source.close()


class ArrowWriter:
    def __init__(self, path: str, schema: pa.Schema, options: dict[str, Any]) -> None:
        self.path = path
        self._stream = open_output(path)
        new = pa.ipc.new_stream if path == STDIO else pa.ipc.new_file
        try:
            self._writer = new(self._stream, schema)
        except (OSError, pa.ArrowException) as exc:
            close_stream(self._stream, path)
            raise DataFileError(path, f"cannot write Arrow IPC: {exc}") from None

    def write(self, table: pa.Table) -> None:
        self._writer.write_table(table)

    def close(self) -> None:
        self._writer.close()
        close_stream(self._stream, self.path)


register(Format(name="arrow", extensions=(".arrow", ".feather", ".ipc"),
                description="Arrow IPC / Feather v2", open_reader=ArrowReader,
                open_writer=ArrowWriter, stdio=True))
