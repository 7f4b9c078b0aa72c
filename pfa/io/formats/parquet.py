"""Parquet (``.parquet``, ``.pq``): read by row groups in batches of the chunk size, only the
columns the scorer needs; written with one row group per chunk. Parquet needs a seekable
file (no standard input/output). The row count comes from the file's metadata."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from ..batch import Batch
from ..errors import DataFileError
from ..files import require_file
from ..registry import Format, ReadSpec, register


class ParquetReader:
    def __init__(self, path: str, spec: ReadSpec) -> None:
        require_file(path, "Parquet")
        self.path = path
        self._spec = spec
        try:
            self._file = pq.ParquetFile(path)
            self._schema = self._file.schema_arrow
        except (OSError, pa.ArrowException) as exc:
            raise DataFileError(path, f"cannot read as Parquet: {exc}") from None
        self.columns = list(self._schema.names)
        self.total_rows: int | None = self._file.metadata.num_rows

    def column_arrow_type(self, name: str) -> pa.DataType | None:
        i = self._schema.get_field_index(name)
        return None if i < 0 else self._schema.field(i).type

    def batches(self) -> Iterator[Batch]:
        wanted = [c for c in self.columns if self._spec.wanted(c)]
        row0 = 1
        it = self._file.iter_batches(batch_size=self._spec.chunk_rows, columns=wanted,
                                     use_threads=False)
        while True:
            try:
                rb = next(it)
            except StopIteration:
                return
            except (OSError, pa.ArrowException) as exc:
                raise DataFileError(self.path, f"cannot read as Parquet after row {row0 - 1}: "
                                               f"{exc}") from None
            yield Batch(row0, rb.num_rows,
                        columns={name: rb.column(name) for name in rb.schema.names})
            row0 += rb.num_rows

    def close(self) -> None:
        self._file.close()


class ParquetWriter:
    def __init__(self, path: str, schema: pa.Schema, options: dict[str, Any]) -> None:
        require_file(path, "Parquet")
        self.path = path
        try:
            self._writer = pq.ParquetWriter(path, schema)
        except (OSError, pa.ArrowException) as exc:
            raise DataFileError(path, f"cannot write Parquet: {exc}") from None

    def write(self, table: pa.Table) -> None:
        self._writer.write_table(table)

    def close(self) -> None:
        self._writer.close()


register(Format(name="parquet", extensions=(".parquet", ".pq"), description="Apache Parquet",
                open_reader=ParquetReader, open_writer=ParquetWriter))
