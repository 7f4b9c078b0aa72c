"""One chunk of an input file: columns or rows, the number of its first row, and the rows
already refused while reading."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from .errors import RowError


@dataclass
class Batch:
    """``n`` rows of a file starting at row ``row0`` (rows are numbered from 1), held as
    ``columns`` (name → Arrow array, or a list of values for cells read as JSON; columnar
    formats and CSV) or as ``rows`` (one engine-ready value per row; JSON lines and Avro, with
    the records as read in ``sources`` when they differ, for ``--keep``). ``bad`` maps a
    row's index in the batch to the error that refused it while reading (a CSV cell that is
    not a number, a line that is not JSON): that row is never scored. ``dropped`` are lines
    that are not rows at all (a CSV line with the wrong number of fields): reported, with no
    output row."""

    row0: int
    n: int
    columns: dict[str, Any] | None = None
    rows: list[Any] | None = None
    sources: list[Any] | None = None
    bad: dict[int, RowError] = field(default_factory=dict)
    dropped: list[RowError] = field(default_factory=list)

    def engine_input(self, indices: list[int] | None = None,
                     names: list[str] | None = None) -> Any:
        """What ``Engine.action_batch`` takes for the rows ``indices`` (all by default): a
        dict of columns (``names``, all by default), so record outputs come back as
        columns, or a list of rows."""
        if self.columns is not None:
            names = list(self.columns) if names is None else names
            return {k: _take(self.columns[k], indices) for k in names}
        rows = self.rows or []
        return rows if indices is None else [rows[i] for i in indices]

    def values(self, indices: list[int], names: list[str] | None = None) -> list[Any]:
        """The rows ``indices`` as host values (a dict of column → value per row of a
        columnar batch)."""
        if self.columns is None:
            rows = self.rows or []
            return [rows[i] for i in indices]
        names = list(self.columns) if names is None else names
        cols = {k: _take(self.columns[k], indices) for k in names}
        cols = {k: v.to_pylist() if hasattr(v, "to_pylist") else v for k, v in cols.items()}
        return [{k: cols[k][j] for k in names} for j in range(len(indices))]

    def kept(self, name: str) -> pa.Array:
        """Input column ``name`` to copy next to the outputs (null where a row lacks it)."""
        if self.columns is not None:
            col = self.columns.get(name)
            if col is None:
                return pa.nulls(self.n)
            if isinstance(col, pa.ChunkedArray):
                return col.combine_chunks()
            return col if isinstance(col, pa.Array) else _array(col)
        src = self.sources if self.sources is not None else self.rows or []
        return _array([r.get(name) if isinstance(r, dict) else None for r in src])


def _take(col: Any, indices: list[int] | None) -> Any:
    if indices is None:
        return col
    if isinstance(col, (pa.Array, pa.ChunkedArray)):
        return col.take(pa.array(indices, type=pa.int64()))
    return [col[i] for i in indices]


def _array(values: list[Any]) -> pa.Array:
    """An Arrow array of the values of a kept column; values of mixed kinds as JSON text."""
    try:
        return pa.array(values)
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
        return pa.array([None if v is None else json.dumps(v, default=str) for v in values],
                        type=pa.string())


def rebatch(tables: Iterable[pa.Table | pa.RecordBatch], rows: int) -> Iterator[pa.Table]:
    """Tables of at most ``rows`` rows (Arrow record batches re-cut, never copied whole)."""
    for t in tables:
        if t.num_rows <= rows:
            yield t if isinstance(t, pa.Table) else pa.Table.from_batches([t])
            continue
        for a in range(0, t.num_rows, rows):
            part = t.slice(a, rows)
            yield part if isinstance(part, pa.Table) else pa.Table.from_batches([part])
