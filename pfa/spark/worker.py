"""What runs inside Spark's Python workers: Arrow record batches of one partition in, Arrow
record batches of outputs out (``DataFrame.mapInArrow``). The engine is built once per worker
process and document (cached by the SHA-256 of the document's text and the settings), then
reused by every task that worker runs; the batches go through :class:`pfa.io.scoring.BatchScorer`,
the scorer of ``pfa score``, so a row's output is that of ``Engine.action_batch``."""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from pfa.engine.engine import Engine
from pfa.io.batch import Batch
from pfa.io.errors import RowError
from pfa.io.scoring import BatchScorer, InputColumns

CACHED_SCORERS = 4
"""Scorers (engines) a worker process keeps: the documents of the last few score() calls."""


class PfaRowFailed(RuntimeError):
    """A row failed with ``on_error="fail"``: the message names the partition, the row of the
    partition (from 1), the column when known, and the spec's error code of a runtime error."""


@dataclass(frozen=True)
class WorkerSetup:
    """Everything a worker needs, pickled into the task: the broadcast document text (a
    Spark ``Broadcast`` whose ``.value`` is the canonical JSON) and its digest, how the
    columns feed the input, and how failed rows come out."""

    document: Any
    digest: str
    options: dict[str, Any] | None
    allow_files: tuple[str, ...] | None
    keep: tuple[str, ...]
    array_input: bool
    input_names: tuple[str, ...] | None
    on_error: str
    error_column: str | None
    batch_rows: int | None
    output_schema: pa.Schema

    @property
    def key(self) -> str:
        """The cache key of this setup's scorer."""
        settings = json.dumps([self.options, self.allow_files, self.keep, self.array_input,
                               self.input_names, self.on_error], sort_keys=True, default=str)
        return hashlib.sha256(f"{self.digest}\0{settings}".encode()).hexdigest()


def document_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


_SCORERS: OrderedDict[str, BatchScorer] = OrderedDict()


def scorer_for(setup: WorkerSetup) -> BatchScorer:
    """This process's scorer for ``setup`` (the engine built on first use)."""
    key = setup.key
    found = _SCORERS.get(key)
    if found is not None:
        _SCORERS.move_to_end(key)
        return found
    text = setup.document.value if hasattr(setup.document, "value") else setup.document
    if document_digest(text) != setup.digest:
        raise RuntimeError("the broadcast PFA document does not match its digest")
    engine = Engine.from_json(text, options=setup.options,
                              allow_files=list(setup.allow_files) if setup.allow_files
                              else None)
    scorer = BatchScorer(engine, InputColumns.of(engine, setup.keep, setup.array_input),
                         setup.on_error,
                         list(setup.input_names) if setup.input_names is not None else None)
    _SCORERS[key] = scorer
    while len(_SCORERS) > CACHED_SCORERS:
        _SCORERS.popitem(last=False)
    return scorer


def score_partition(setup: WorkerSetup, batches: Iterable[pa.RecordBatch]
                    ) -> Iterator[pa.RecordBatch]:
    """The ``mapInArrow`` function: score one partition's batches in order."""
    scorer = scorer_for(setup)
    partition = _partition_id()
    row0 = 1
    for rb in _rebatch(batches, setup.batch_rows):
        batch = Batch(row0, rb.num_rows,
                      columns={name: rb.column(i) for i, name in enumerate(rb.schema.names)})
        result = scorer.score(batch)
        if result.stop and result.errors:
            raise PfaRowFailed(_failure(result.errors[0], partition))
        table = result.table
        if setup.error_column is not None:
            table = table.append_column(setup.error_column,
                                        _error_texts(result.errors, batch, table.num_rows,
                                                     setup.on_error))
        yield from _conform(table, setup.output_schema).to_batches()
        row0 += rb.num_rows


def _rebatch(batches: Iterable[pa.RecordBatch], rows: int | None
             ) -> Iterator[pa.RecordBatch]:
    """Batches of exactly ``rows`` rows (the last one shorter), or as they come when None."""
    if rows is None:
        yield from batches
        return
    pending: list[pa.RecordBatch] = []
    held = 0
    for rb in batches:
        pending.append(rb)
        held += rb.num_rows
        while held >= rows:
            table = pa.Table.from_batches(pending)
            yield table.slice(0, rows).combine_chunks().to_batches()[0]
            rest = table.slice(rows)
            pending = rest.combine_chunks().to_batches() if rest.num_rows else []
            held = rest.num_rows
    if held:
        yield pa.Table.from_batches(pending).combine_chunks().to_batches()[0]


def _error_texts(errors: list[RowError], batch: Batch, n_out: int, on_error: str
                 ) -> pa.Array:
    """The error column: ``"<code>: message"`` (``"input: message"`` for a refused row) on
    the row of each failed input row (null elsewhere; with skip, every row is null)."""
    texts: list[str | None] = [None] * n_out
    if on_error == "null":
        for e in errors:
            if e.row is not None and 0 <= e.row - batch.row0 < n_out:
                texts[e.row - batch.row0] = _describe(e)
    return pa.array(texts, type=pa.string())


def _describe(e: RowError) -> str:
    kind = f"PFA error {e.code}" if e.code is not None else f"{e.kind} error"
    field = f" (column {e.field!r})" if e.field else ""
    return f"{kind}{field}: {e.message}"


def _failure(e: RowError, partition: int | None) -> str:
    where = f"partition {partition}, " if partition is not None else ""
    return f"pfa.spark: {where}row {e.row} of the partition: {_describe(e)}"


def _partition_id() -> int | None:
    try:
        from pyspark import TaskContext
    except ImportError:  # called outside Spark (tests of this module)
        return None
    ctx = TaskContext.get()
    return None if ctx is None else ctx.partitionId()


def _conform(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """``table`` with exactly the Arrow types Spark expects of the declared output schema."""
    if table.schema.equals(schema):
        return table
    arrays = [table.column(f.name).cast(f.type) for f in schema]
    return pa.Table.from_arrays(arrays, schema=schema)
