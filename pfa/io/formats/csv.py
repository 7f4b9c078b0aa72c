"""CSV with a header row (``.csv``, ``.tsv``; ``-`` for standard input/output), read in
blocks by pyarrow's streaming CSV reader.

Every column is read as text and parsed by the type of the field it feeds
(:mod:`pfa.io.flat`): a cell that does not parse refuses its row only. Empty cells and the
usual missing markers (``NA``, ``NaN``, ``null``, ``N/A`` … as pandas reads them) are missing
values; a quoted empty string ``""`` is an empty string. Kept columns are copied as text. A
line with the wrong number of fields is reported and skipped."""

from __future__ import annotations

import csv as pycsv
import io
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any

import pyarrow as pa
import pyarrow.csv as pacsv

from ..batch import Batch
from ..errors import DataFileError, RowError
from ..files import close_stream, open_input, open_output
from ..flat import flat_schema, flatten, parse_cells
from ..registry import Format, ReadSpec, register

MAX_HEADER_BYTES = 16 * 2**20
BLOCK_BYTES = 1 << 20


class _Prefixed(io.RawIOBase):
    """``prefix`` followed by the rest of ``stream``."""

    def __init__(self, prefix: bytes, stream: IO[bytes]) -> None:
        self._prefix = prefix
        self._stream = stream

    def readable(self) -> bool:
        return True

    def readinto(self, buf: Any) -> int:
        if self._prefix:
            k = min(len(buf), len(self._prefix))
            buf[:k] = self._prefix[:k]
            self._prefix = self._prefix[k:]
            return k
        data = self._stream.read(len(buf))
        buf[:len(data)] = data
        return len(data)


@contextmanager
def _quiet_handler(handler: Any) -> Iterator[None]:
    """Silence the "Exception ignored" report pyarrow prints when it cannot give ``handler``
    a malformed line that is not UTF-8 (it then raises ArrowInvalid, reported as usual)."""
    previous = sys.unraisablehook

    def hook(unraisable: Any) -> None:
        if unraisable.object is not handler:
            previous(unraisable)

    sys.unraisablehook = hook
    try:
        yield
    finally:
        sys.unraisablehook = previous


def _one_line(exc: BaseException) -> str:
    """The message of a pyarrow error, one line (the line it quotes may hold anything)."""
    return str(exc).replace("\n", " ").replace("\r", " ")


class CsvReader:
    def __init__(self, path: str, spec: ReadSpec, delimiter: str = ",") -> None:
        self.path = path
        self.total_rows: int | None = None
        self._spec = spec
        self._stream = open_input(path)
        self._delimiter = delimiter
        try:
            header = self._stream.readline(MAX_HEADER_BYTES + 1)
        except OSError as exc:
            self.close()
            raise DataFileError(path, f"cannot read: {exc.strerror or exc}") from None
        if len(header) > MAX_HEADER_BYTES:
            self.close()
            raise DataFileError(path, "the header line is longer than 16 MiB")
        try:
            text = header.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            self.close()
            raise DataFileError(path, f"the header is not UTF-8 text (byte "
                                      f"0x{header[exc.start]:02x})", row=0) from None
        self.columns: list[str] = next(pycsv.reader([text.rstrip("\r\n")],
                                                    delimiter=delimiter), []) if text.strip() \
            else []
        dupes = sorted({c for c in self.columns if self.columns.count(c) > 1 and spec.wanted(c)})
        if dupes:
            self.close()
            raise DataFileError(path, f"the header names column {dupes[0]!r} more than once")
        self._header = header

    def column_arrow_type(self, name: str) -> pa.DataType | None:
        return pa.string() if name in self.columns else None

    def batches(self) -> Iterator[Batch]:
        if not self.columns:
            return
        wanted = [c for c in self.columns if self._spec.wanted(c)]
        dropped: list[RowError] = []

        def invalid(row: Any) -> str:
            dropped.append(RowError(None, f"line {row.number}: expected {row.expected_columns} "
                                       f"fields, found {row.actual_columns}", kind="read"))
            return "skip"

        try:
            with _quiet_handler(invalid):
                reader = pacsv.open_csv(
                    _Prefixed(self._header, self._stream),
                    read_options=pacsv.ReadOptions(block_size=BLOCK_BYTES, use_threads=False),
                    parse_options=pacsv.ParseOptions(delimiter=self._delimiter,
                                                     newlines_in_values=True,
                                                     invalid_row_handler=invalid),
                    convert_options=pacsv.ConvertOptions(
                        column_types={c: pa.string() for c in self.columns},
                        include_columns=wanted, strings_can_be_null=True,
                        quoted_strings_can_be_null=False))
        except (pa.ArrowInvalid, OSError) as exc:
            raise DataFileError(self.path, f"cannot read as CSV: {_one_line(exc)}") from None
        row0 = 1
        while True:
            try:
                with _quiet_handler(invalid):
                    rb = reader.read_next_batch()
            except StopIteration:
                break
            except (pa.ArrowInvalid, OSError) as exc:
                raise DataFileError(self.path, f"cannot read as CSV after row {row0 - 1}: "
                                               f"{_one_line(exc)}") from None
            for a in range(0, rb.num_rows, self._spec.chunk_rows):
                part = rb.slice(a, self._spec.chunk_rows)
                yield self._batch(part, row0, dropped)
                dropped = []
                row0 += part.num_rows
        if dropped:
            yield Batch(row0, 0, columns={}, dropped=dropped)

    def _batch(self, rb: pa.RecordBatch, row0: int, dropped: list[RowError]) -> Batch:
        columns: dict[str, Any] = {}
        bad: dict[int, RowError] = {}
        for name, cells in zip(rb.schema.names, rb.columns):
            t = self._spec.column_type(name)
            if t is None:
                columns[name] = cells
                continue
            col, refused = parse_cells(cells, t)
            columns[name] = col
            for i, why in refused.items():
                bad.setdefault(i, RowError(row0 + i, why, field=name))
        return Batch(row0, rb.num_rows, columns=columns, bad=bad, dropped=list(dropped))

    def close(self) -> None:
        close_stream(self._stream, self.path)


class CsvWriter:
    def __init__(self, path: str, schema: pa.Schema, options: dict[str, Any],
                 delimiter: str = ",") -> None:
        self.path = path
        self._stream = open_output(path)
        try:
            self._writer = pacsv.CSVWriter(self._stream, flat_schema(schema),
                                           write_options=pacsv.WriteOptions(
                                               delimiter=delimiter))
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
            close_stream(self._stream, path)
            raise DataFileError(path, f"cannot write these columns as CSV: {exc}") from None

    def write(self, table: pa.Table) -> None:
        self._writer.write_table(flatten(table))

    def close(self) -> None:
        self._writer.close()
        close_stream(self._stream, self.path)


register(Format(
    name="csv", extensions=(".csv",), description="CSV with a header row",
    open_reader=CsvReader, open_writer=CsvWriter, stdio=True, flat=True))
register(Format(
    name="tsv", extensions=(".tsv", ".tab"), description="tab-separated values with a header row",
    open_reader=lambda path, spec: CsvReader(path, spec, "\t"),
    open_writer=lambda path, schema, options: CsvWriter(path, schema, options, "\t"),
    stdio=True, flat=True))
