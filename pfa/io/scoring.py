"""Scoring a data file with an engine in bounded memory: the input is read in batches of at
most ``chunk_rows`` rows, each batch goes through ``Engine.action_batch`` (so the outputs are
those of ``Engine.action`` row by row) and its output table is written before the next batch
is read. Rows the engine refuses (a value outside the input contract) or fails on (a PFA
runtime error) are reported as :class:`~pfa.io.errors.RowError` and the other rows are still
scored; ``on_error`` says what their output row is: ``"null"`` (a row of nulls, so the output
has one row per input row), ``"skip"`` (no row) or ``"fail"`` (stop before it).

:func:`score_file` is the driver (also for several worker processes); :class:`BatchScorer`
scores one batch and is what a server or a Spark task reuses."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from pfa.avro.types import AvroArray, AvroRecord, AvroType
from pfa.engine.engine import Engine
from pfa.engine.inputs import coerce_input
from pfa.errors import PfaError, PfaInputError, PfaRuntimeError

from .batch import Batch
from .errors import DataFileError, RowError, field_of
from .pipeline import BackgroundWriter, read_ahead
from .registry import STDIO, Reader, ReadSpec, Writer
from .schema import OutputColumn, output_arrays, output_columns

ON_ERROR = ("null", "skip", "fail")
READ_AHEAD = 1
"""Batches read ahead of the one being scored (by a background thread: :mod:`.pipeline`)."""
WRITE_BEHIND = 1
"""Output tables waiting for the background writer besides the one it writes."""
MEMORY_PER_CHUNK = 64 * 2**20
"""What one batch may hold, roughly (the default chunk size divides it by a row's width)."""


def default_chunk_rows(n_columns: int) -> int:
    """Rows per batch: about :data:`MEMORY_PER_CHUNK` bytes at ~100 bytes per cell (input
    and output cells, Python objects included), between 1,024 and 262,144 rows."""
    return max(1024, min(262_144, MEMORY_PER_CHUNK // (100 * max(1, n_columns))))


# ---------------------------------------------------------------------------------------------
# which columns feed the input
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class InputColumns:
    """How the columns of a file feed the document's input: by field name (or the original
    column name of ``metadata["input.columns"]``) for a record input; for any other input
    type, every column not kept as one array (``array_input``) or the one column not kept."""

    input_type: AvroType
    aliases: dict[str, str] | None
    keep: tuple[str, ...]
    array_input: bool

    @classmethod
    def of(cls, engine: Engine, keep: tuple[str, ...] = (), array_input: bool = False
           ) -> InputColumns:
        return cls(engine.input_type, engine.input_aliases, tuple(keep), array_input)

    @property
    def is_record(self) -> bool:
        return isinstance(self.input_type, AvroRecord)

    def column_type(self, name: str) -> AvroType | None:
        """The type a column's values have in the input (None: not an input column)."""
        t = self.input_type
        if isinstance(t, AvroRecord):
            fname = (self.aliases or {}).get(name, name)
            f = t.field(fname) if hasattr(t, "field") else None
            if f is None:
                f = next((x for x in t.fields if x.name == fname), None)
            return None if f is None else f.type
        if name in self.keep:
            return None
        if self.array_input and isinstance(t, AvroArray):
            return t.items
        return t

    def check(self, path: str, columns: list[str]) -> list[str] | None:
        """DataFileError (naming the file and the column) when the ``columns`` of a file
        that declares them cannot feed the input; for a non-record input, the names of the
        input columns."""
        missing_keep = [k for k in self.keep if k not in columns]
        if missing_keep:
            raise DataFileError(path, f"--keep column {missing_keep[0]!r} is not in the file "
                                      f"(columns: {_names(columns)})", column=missing_keep[0])
        t = self.input_type
        if isinstance(t, AvroRecord):
            originals = {f: o for o, f in (self.aliases or {}).items()}
            for f in t.fields:
                orig = originals.get(f.name)
                if orig is not None and orig in columns:
                    continue
                if f.name in columns and not (self.aliases and f.name in self.aliases):
                    continue
                also = f" (original column {orig!r})" if orig is not None else ""
                raise DataFileError(path, f"the input field {f.name!r}{also} has no column "
                                          f"(columns: {_names(columns)})", column=f.name)
            return None
        rest = [c for c in columns if c not in self.keep]
        if self.array_input:
            if not rest:
                raise DataFileError(path, "no column to read as the input array")
            return rest
        if len(rest) != 1:
            raise DataFileError(path, f"the input type is {t}, which takes one column; the "
                                      f"file has {len(rest)} besides the kept ones "
                                      f"({_names(rest)}); use --array-input to take them as "
                                      "an array, or --keep for the others")
        return rest


def _names(columns: list[str], most: int = 12) -> str:
    shown = ", ".join(repr(c) for c in columns[:most])
    return (shown + f", … ({len(columns)} in all)") if len(columns) > most else (shown or
                                                                                "none")


# ---------------------------------------------------------------------------------------------
# one batch
# ---------------------------------------------------------------------------------------------

@dataclass
class BatchResult:
    """The output ``table`` of one batch (kept columns, then output columns), the errors of
    its rows in row order, and counts."""

    table: pa.Table
    errors: list[RowError]
    rows_read: int
    rows_scored: int
    stop: bool = False


class BatchScorer:
    """Scores batches with one engine (a map document). ``kept`` are the columns copied to
    the output (with their Arrow types, when known, so every batch has one schema)."""

    def __init__(self, engine: Engine, inputs: InputColumns, on_error: str = "null",
                 input_names: list[str] | None = None) -> None:
        if engine.method != "map":
            raise DataFileError(None, f"pfa score runs map documents; this one is "
                                    f"{engine.method!r} (use pfa run)")
        if on_error not in ON_ERROR:
            raise ValueError(f"on_error must be one of {ON_ERROR}")
        self.engine = engine
        self.inputs = inputs
        self.on_error = on_error
        self.input_names = input_names
        self.outputs: list[OutputColumn] = output_columns(engine.output_type)
        clash = [k for k in inputs.keep if k in {c.name for c in self.outputs}]
        if clash:
            raise DataFileError(None, f"--keep column {clash[0]!r} has the name of an output "
                                    "column")

    def schema(self, kept_types: dict[str, pa.DataType | None]) -> pa.Schema:
        """The output schema: kept columns (string when their type is unknown), outputs."""
        fields = [pa.field(k, kept_types.get(k) or pa.string()) for k in self.inputs.keep]
        fields += [pa.field(c.name, c.storage) for c in self.outputs]
        return pa.schema(fields)

    def _datum(self, host: Any) -> Any:
        """The input datum of one row of host values (a dict of column → value)."""
        if self.inputs.is_record or not isinstance(host, dict) or self.input_names is None:
            return host
        if self.inputs.array_input:
            return [host[c] for c in self.input_names]
        return host[self.input_names[0]]

    def _refused(self, batch: Batch, good: Sequence[int]) -> dict[int, RowError]:
        """The rows of ``good`` the input contract refuses, row by row."""
        out: dict[int, RowError] = {}
        t, aliases = self.engine.input_type, self.engine.input_aliases
        for i, host in zip(good, batch.values(good, self._columns(batch))):
            try:
                coerce_input(t, self._datum(host), "$", aliases)
            except PfaInputError as err:
                out[i] = RowError(batch.row0 + i, f"{err.message} (at {err.path})",
                                  field=field_of(err.path))
        return out

    def _columns(self, batch: Batch) -> list[str] | None:
        if batch.columns is None:
            return None
        if self.inputs.is_record:
            return [c for c in batch.columns if self.inputs.column_type(c) is not None]
        return self.input_names

    def score(self, batch: Batch) -> BatchResult:
        """Score one batch (never raises for a row: its error is reported instead)."""
        n = batch.n
        errors: dict[int, RowError] = dict(batch.bad)
        good: Sequence[int] = [i for i in range(n) if i not in errors] if errors else range(n)
        values: Any = None
        names = self._columns(batch)
        for _ in range(n + 1):  # each pass removes at least one refused row
            if not good:
                break
            data = batch.engine_input(good if len(good) < n else None, names)
            try:
                result = self.engine.action_batch(data, on_error="null")
            except PfaInputError as err:
                row = getattr(err, "row", None)
                if row is None or not 0 <= row < len(good):
                    raise DataFileError(None, str(err), row=batch.row0) from None
                refused = self._refused(batch, good) or {
                    good[row]: RowError(batch.row0 + good[row], f"{err.message} (at "
                                        f"{err.path})", field=field_of(err.path))}
                errors.update(refused)
                good = [i for i in good if i not in refused]
                continue
            except PfaRuntimeError as err:  # raised outside a row (begin)
                raise DataFileError(None, f"the document failed: {err}") from None
            values = result.values
            for r, code, message in result.errors:
                i = good[r]
                errors[i] = RowError(batch.row0 + i, message, code=code, kind="runtime")
            break
        return self._assemble(batch, good, values, errors)

    def _assemble(self, batch: Batch, good: Sequence[int], values: Any,
                  errors: dict[int, RowError]) -> BatchResult:
        n = batch.n
        if good and values is not None:
            outputs = output_arrays(values, self.outputs, len(good))
        else:
            outputs = [pa.nulls(0, type=c.storage) for c in self.outputs]
            good = []
        kept = [batch.kept(k) for k in self.inputs.keep]
        failed = sorted(errors)
        stop = False
        if self.on_error == "skip" or (self.on_error == "fail" and failed):
            if self.on_error == "fail":
                first = failed[0]
                rows = [i for i in range(first)]
                stop = True
            else:
                rows = [i for i in good if i not in errors]
            pos = {i: j for j, i in enumerate(good)}
            idx = pa.array([pos[i] for i in rows], type=pa.int64())
            outputs = [o.take(idx) for o in outputs]
            kidx = pa.array(rows, type=pa.int64())
            kept = [k.take(kidx) for k in kept]
        elif len(good) < n:  # null rows where the input was refused
            pos = {i: j for j, i in enumerate(good)}
            idx = pa.array([pos.get(i) for i in range(n)], type=pa.int64())
            outputs = [o.take(idx) for o in outputs]
        names = list(self.inputs.keep) + [c.name for c in self.outputs]
        table = pa.Table.from_arrays(kept + outputs, names=names)
        report = [errors[i] for i in failed] + list(batch.dropped)
        if self.on_error == "fail" and failed:
            report = [errors[failed[0]]]
        elif self.on_error == "fail" and batch.dropped:
            report, stop = list(batch.dropped[:1]), True
        scored = n - len(failed)
        return BatchResult(table, report, n, scored, stop)


# ---------------------------------------------------------------------------------------------
# the driver
# ---------------------------------------------------------------------------------------------

@dataclass
class Summary:
    """What a run did: rows read, scored and failed, seconds, and whether it stopped early."""

    rows_read: int = 0
    rows_scored: int = 0
    rows_failed: int = 0
    seconds: float = 0.0
    stopped: bool = False
    errors_seen: list[RowError] = field(default_factory=list)

    @property
    def rows_per_second(self) -> float:
        return self.rows_read / self.seconds if self.seconds > 0 else 0.0


def score_file(scorer: BatchScorer, reader: Reader, open_writer: Callable[[pa.Schema], Writer],
               *, on_errors: Callable[[list[RowError]], None] | None = None,
               on_progress: Callable[[int], None] | None = None,
               workers: int = 1, worker_setup: tuple[Any, ...] | None = None) -> Summary:
    """Read ``reader`` batch by batch, score each with ``scorer`` (or in ``workers``
    processes, each building its scorer from ``worker_setup``: see :func:`_worker_init`),
    write the outputs in input order to the writer ``open_writer(schema)`` makes, and pass
    each batch's row errors to ``on_errors`` and its row count to ``on_progress`` (both in
    the caller's thread, in input order). The next batch is read and the previous output
    written by background threads while a batch is scored (:mod:`.pipeline`)."""
    start = time.perf_counter()
    summary = Summary()
    kept_types = {k: reader.column_arrow_type(k) for k in scorer.inputs.keep}
    schema = scorer.schema(kept_types)
    writer: BackgroundWriter | None = None
    closed = False
    # standard input is read in the caller's thread: a thread blocked on a pipe could not
    # be stopped when the run ends early
    batches = read_ahead(reader.batches(), 0 if reader.path == STDIO else READ_AHEAD)
    results = _results(scorer, batches, workers, worker_setup)
    try:
        for res in results:
            table = res.table
            if writer is None:
                for k in scorer.inputs.keep:  # kept columns of row formats: as first read
                    found = table.schema.field(k).type
                    if kept_types[k] is None and not pa.types.is_null(found):
                        kept_types[k] = found
                schema = scorer.schema(kept_types)
                writer = BackgroundWriter(open_writer(schema), WRITE_BEHIND)
            writer.write(_cast(table, schema, reader.path))
            summary.rows_read += res.rows_read
            summary.rows_scored += res.rows_scored
            summary.rows_failed += len(res.errors)
            if res.errors and on_errors is not None:
                on_errors(res.errors)
            if on_progress is not None:
                on_progress(res.rows_read)
            if res.stop:
                summary.stopped = True
                break
        if writer is None:
            writer = BackgroundWriter(open_writer(schema), WRITE_BEHIND)
        closed = True
        writer.close()
    except DataFileError as err:
        raise err.at(reader.path) from None
    finally:
        results.close()
        batches.close()
        if writer is not None and not closed:
            writer.abort()
        summary.seconds = time.perf_counter() - start
    return summary


def _cast(table: pa.Table, schema: pa.Schema, path: str) -> pa.Table:
    if table.schema.equals(schema):
        return table
    arrays = []
    for f in schema:
        col = table.column(f.name)
        if not col.type.equals(f.type):
            try:
                col = col.cast(f.type)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
                raise DataFileError(path, f"the kept column's values change kind from "
                                          f"{f.type} to {col.type}", column=f.name) from None
        arrays.append(col)
    return pa.Table.from_arrays(arrays, schema=schema)


def _results(scorer: BatchScorer, batches: Iterator[Batch], workers: int,
             setup: tuple[Any, ...] | None) -> Iterator[BatchResult]:
    if workers <= 1 or setup is None:
        for batch in batches:
            yield scorer.score(batch)
        return
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context("spawn"),
                             initializer=_worker_init, initargs=setup) as pool:
        pending: deque[Any] = deque()
        try:
            for batch in batches:
                pending.append(pool.submit(_worker_score, batch))
                if len(pending) >= 2 * workers:
                    yield _unwrap(pending.popleft().result())
            while pending:
                yield _unwrap(pending.popleft().result())
        finally:
            for fut in pending:
                fut.cancel()


def _unwrap(result: Any) -> BatchResult:
    if isinstance(result, tuple):  # an error in the worker: (message, row)
        raise DataFileError(None, result[0], row=result[1])
    return result


_WORKER: dict[str, BatchScorer] = {}


def _worker_init(document: str, options: dict[str, Any] | None, allow: list[str] | None,
                 keep: tuple[str, ...], array_input: bool, on_error: str,
                 input_names: list[str] | None) -> None:
    """Build this worker process's engine and scorer (``setup`` of :func:`score_file`)."""
    engine = Engine.from_json(document, options=options, allow_files=allow)
    _WORKER["scorer"] = BatchScorer(engine, InputColumns.of(engine, keep, array_input),
                                    on_error, input_names)


def _worker_score(batch: Batch) -> BatchResult | DataFileError:
    try:
        return _WORKER["scorer"].score(batch)
    except DataFileError as err:
        return err
    except PfaError as err:
        return DataFileError(None, str(err), row=batch.row0)


def read_spec(inputs: InputColumns, chunk_rows: int,
              decode: Callable[[Any], Any] | None = None) -> ReadSpec:
    """The :class:`ReadSpec` of a file feeding ``inputs``."""
    return ReadSpec(column_type=inputs.column_type, chunk_rows=chunk_rows, keep=inputs.keep,
                    decode=decode)
