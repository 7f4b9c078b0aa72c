"""One served document: its engine, how requests run on it, and how outputs become JSON.

A :class:`ServedModel` owns one :class:`pfa.Engine` and a lock (an engine runs one action at a
time; documents with cells keep one state, as under ``pfa run``). Small requests run on the
event loop (no thread hop; waiting there while a worker thread holds the engine); larger ones
run in a worker thread ("small": at most :data:`INLINE_ROWS` rows, or an
expected engine time of at most :data:`INLINE_SECONDS` from the CPU time earlier requests of
that size class took). Requests of at least ``batch_rows`` rows go through
``Engine.action_batch`` (map documents), the others row by row through ``Engine.action``: both
give the same values. When every input field is a ``double`` and every row holds
exactly those fields as JSON numbers, the batch is handed to the engine as numpy columns (no
value can fail the input contract, so nothing is checked row by row); any other batch goes as
the list of rows. Such rows are read into one float64 block by a small C extension
(``_records.c``, optional: Python reads them the same without it), from the decoded rows
(:func:`number_block`) or, by a protocol, straight from the request body's bytes
(:class:`NumberRows`, whose row dicts are made only if something asks for them). Every row
error becomes a :class:`ServeError` naming the row.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Iterator, Sequence
from itertools import chain
from operator import itemgetter
from time import perf_counter, thread_time
from typing import Any

import anyio
import anyio.to_thread
import numpy as np

from pfa.avro.types import AvroRecord
from pfa.engine.engine import Engine
from pfa.errors import PfaError, PfaInputError, PfaRuntimeError, PfaTimeoutError
from pfa.runtime import codes

from .errors import INVALID_PARAMETER_VALUE, ServeError, safe_input_message
from .strictjson import plain_json as plain_json  # (re-exported)

try:
    from ._records import records_block  # type: ignore[import-not-found]
except ImportError:  # no compiler at install time: number_block reads the rows in Python
    records_block = None

INLINE_ROWS = 16
"""Requests of at most this many rows run on the event loop when the engine is free."""
INLINE_SECONDS = 0.005
"""So do larger requests expected to take at most this much engine time."""
LOCK_POLL_SECONDS = (0.0005, 0.008)
"""How often a small request waiting for a worker thread to release the engine looks again:
first after the shorter pause, then after twice the last one, at most the longer."""
_NUMBER_FIELDS = frozenset({"double"})
Columns = tuple[dict[str, Any], Any]
"""A request's input columns by row key (float64 arrays) and the outputs ``action_batch``
gave for them (a dict of arrays by field for a record output, else one array), handed to the
observers only when no row failed."""
_NUMBERS = frozenset({float, int})


def _timeout_error() -> ServeError:
    return ServeError(503, "the request exceeded the server's time limit",
                      headers={"Retry-After": "1"})


def row_error(row: int, err: PfaError) -> ServeError:
    """The client's answer to row ``row`` failing with ``err``."""
    if isinstance(err, PfaInputError):
        return ServeError(400, f"row {row}: input does not match the model's input type at "
                               f"{safe_input_message(err)}", INVALID_PARAMETER_VALUE)
    if isinstance(err, PfaTimeoutError):
        return ServeError(503, f"row {row}: the model exceeded its time limit "
                               f"({err.timeout_ms} ms)", pfa_code=None)
    if isinstance(err, PfaRuntimeError):
        if err.code == codes.INTERNAL_ERROR:
            raise err  # a bug, answered 500 by the app (and logged there)
        where = f" in {err.fcn}" if err.fcn else ""
        code = f" (PFA error code {err.code})" if err.code is not None else ""
        return ServeError(400, f"row {row}: the model refused the input: {err.message}{where}"
                               f"{code}", INVALID_PARAMETER_VALUE, pfa_code=err.code)
    return ServeError(400, f"row {row}: {err}", INVALID_PARAMETER_VALUE)


class ServedModel:
    """A loaded, checked and compiled document served as ``name``/``version``."""

    def __init__(self, name: str, version: str, engine: Engine, *, load_seconds: float = 0.0,
                 batch_rows: int = 64, weight: float | None = None):
        if engine.method == "fold":
            raise ServeError(400, "fold documents are not served: their tally spans requests "
                                  "(score them with pfa run)")
        self.name = name
        self.version = version
        self.engine = engine
        self.method = engine.method
        self.input_type = engine.input_type
        self.output_type = engine.output_type
        self.load_seconds = load_seconds
        self.batch_rows = batch_rows
        self.weight = weight
        self.lock = threading.Lock()
        self.metadata: dict[str, str] = dict(engine.document.metadata or {})
        self.observers: list[Callable[[ServedModel, list[Any], list[Any], Columns | None],
                                      None]] = []
        """Called with every scored request: rows, outputs and, when the request went to the
        engine as numpy columns, the input and output columns (see :data:`Columns`)."""
        t = engine.input_type
        back = {v: k for k, v in (engine.input_aliases or {}).items()}
        self.row_keys: list[str] | None = ([back.get(f.name, f.name) for f in t.fields]
                                           if isinstance(t, AvroRecord) else None)
        """The key under which rows carry each input field (its original column name if the
        document keeps one, else the field name); None for an input that is not a record."""
        self.number_keys = (tuple(self.row_keys) if self.row_keys and len(
            set(self.row_keys)) == len(self.row_keys) and all(
            f.type.name in _NUMBER_FIELDS for f in t.fields) else None)
        """The row keys when every input field is a double (rows of JSON numbers then go to
        the engine as float64 columns, see :class:`NumberRows`); else None."""
        self._row_seconds: dict[bool, float] = {}
        """CPU seconds per row of recent requests, by path (True: action_batch)."""

    def __repr__(self) -> str:
        return f"<ServedModel {self.name}/{self.version}>"

    # -- running ------------------------------------------------------------------------------
    def _batched(self, n: int) -> bool:
        return self.method == "map" and n >= self.batch_rows

    def score(self, rows: list[Any], deadline: float = math.inf) -> list[Any]:
        """Outputs (engine values) of ``rows`` (host values under the input contract);
        the caller holds :attr:`lock`. ServeError for a failing row."""
        # the cost estimate of inline(), in CPU time: wall time would count waiting for the
        # GIL (in a worker thread) or for a core (on a busy machine)
        start = thread_time()
        batched = self._batched(len(rows))
        columns: Columns | None = None
        if batched:
            out, columns = self._score_batch(rows, deadline)
        else:
            out = self._score_rows(rows, deadline)
        for observe in self.observers:
            observe(self, rows, out, columns)
        if rows:
            cost = (thread_time() - start) / len(rows)
            last = self._row_seconds.get(batched)
            self._row_seconds[batched] = cost if last is None else 0.5 * (last + cost)
        return out

    def inline(self, n: int) -> bool:
        """Whether a request of ``n`` rows is small enough to run on the event loop."""
        if n <= INLINE_ROWS:
            return True
        per_row = self._row_seconds.get(self._batched(n))
        return per_row is not None and n * per_row <= INLINE_SECONDS

    def _score_rows(self, rows: list[Any], deadline: float) -> list[Any]:
        action = self.engine.action
        out = []
        for i, row in enumerate(rows):
            if not i & 63 and i and perf_counter() > deadline:
                raise _timeout_error()
            try:
                out.append(action(row))
            except PfaError as err:
                raise row_error(i, err) from None
        return out

    def _score_batch(self, rows: list[Any], deadline: float) -> tuple[list[Any], Columns | None]:
        out: list[Any] = []
        chunk = 4096
        last: Columns | None = None
        for a in range(0, len(rows), chunk):
            if a and perf_counter() > deadline:
                raise _timeout_error()
            part = rows[a:a + chunk]
            columns = self._number_columns(part)
            try:
                result = self.engine.action_batch(part if columns is None else columns,
                                                  on_error="null")
            except PfaInputError as err:
                row = getattr(err, "row", None)
                raise row_error(a + (row or 0), _strip_row(err)) from None
            if result.errors:  # the lowest failing row; rerun it alone for its exact error
                first = result.errors[0][0]
                try:
                    self.engine.action(part[first])
                except PfaError as err:
                    raise row_error(a + first, err) from None
                raise ServeError(400, f"row {a + first}: {result.errors[0][2]}",
                                 INVALID_PARAMETER_VALUE, pfa_code=result.errors[0][1])
            if columns is None:
                out.extend(result.values)
            else:
                out.extend(_rows_of(result.values, len(part)))
                last = (columns, result.values)
        return out, (last if len(rows) <= chunk else None)

    def _number_columns(self, rows: list[Any]) -> dict[str, Any] | None:
        """``rows`` as float64 columns by row key, if every input field is a number field and
        every row is an object of exactly those keys with JSON numbers; else None."""
        keys = self.number_keys
        if keys is None:
            return None
        block = rows.block if type(rows) is NumberRows and rows.keys == keys else \
            number_block(rows, keys)
        return None if block is None else {key: block[:, j] for j, key in enumerate(keys)}

    def run_locked(self, rows: list[Any], deadline: float) -> list[Any]:
        """:meth:`score` in a worker thread: waits for the engine until ``deadline``."""
        wait = deadline - perf_counter()
        if not self.lock.acquire(timeout=max(0.0, min(wait, 3600.0))):
            raise _timeout_error()
        try:
            return self.score(rows, deadline)
        finally:
            self.lock.release()

    async def run(self, rows: list[Any], deadline: float) -> list[Any]:
        """Score ``rows`` without blocking the event loop for long: small requests on the
        event loop (when a worker thread holds the engine, they wait for it there, so that
        a busy moment does not send every following request through a thread), the others
        in a worker thread."""
        if not self.inline(len(rows)):
            return await anyio.to_thread.run_sync(self.run_locked, rows, deadline)
        pause = LOCK_POLL_SECONDS[0]
        while not self.lock.acquire(blocking=False):
            if perf_counter() > deadline:
                raise _timeout_error()
            await anyio.sleep(pause)
            pause = min(2 * pause, LOCK_POLL_SECONDS[1])
        try:
            return self.score(rows, deadline)
        finally:
            self.lock.release()


def _rows_of(values: Any, n: int) -> list[Any]:
    """The ``n`` outputs of ``action_batch`` on a dict of columns as a list of values: a
    record output comes back as a dict of columns (numpy or object arrays), any other as one
    array."""
    if isinstance(values, dict):
        names = list(values)
        if not names:
            return [{} for _ in range(n)]
        cols = [values[k].tolist() for k in names]
        # dict displays build a small record three times as fast as dict(zip(...)) a row
        if len(names) == 1:
            (a,), (xs,) = names, cols
            return [{a: x} for x in xs]
        if len(names) == 2:
            a, b = names
            return [{a: x, b: y} for x, y in zip(*cols)]
        if len(names) == 3:
            a, b, c = names
            return [{a: x, b: y, c: z} for x, y, z in zip(*cols)]
        return [dict(zip(names, row)) for row in zip(*cols)]
    return values.tolist()


class NumberRows(Sequence[dict[str, float]]):
    """Rows of number records held as a (rows, keys) float64 block, as a protocol read them
    straight from a request body: the engine takes the block's columns, and a row is a dict
    of its keys only when one is asked for (the list of them is built once)."""

    __slots__ = ("block", "keys", "_rows")

    def __init__(self, block: np.ndarray, keys: tuple[str, ...]):
        self.block = block
        self.keys = keys
        self._rows: list[dict[str, float]] | None = None

    def __len__(self) -> int:
        return len(self.block)

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            return NumberRows(self.block[i], self.keys)
        return self.rows()[i]

    def __iter__(self) -> Iterator[dict[str, float]]:
        return iter(self.rows())

    def rows(self) -> list[dict[str, float]]:
        """The rows as dicts of their keys."""
        if self._rows is None:
            keys = self.keys
            self._rows = [dict(zip(keys, r)) for r in self.block.tolist()]
        return self._rows


def number_block(rows: list[Any], keys: tuple[str, ...]) -> np.ndarray | None:
    """The (rows, keys) float64 block of ``rows`` if every row is a dict of exactly ``keys``
    holding JSON numbers (floats or ints, not booleans; ints rounded as ``float`` does), else
    None (also for no rows, or an int beyond double range). Read by the C extension when it is
    built, else by :func:`_number_block_py`: the same answers."""
    if type(rows) is not list:
        rows = list(rows)
    if records_block is not None:
        return block_of(records_block(rows, keys), keys)
    return _number_block_py(rows, keys)


def block_of(raw: bytearray | None, keys: tuple[str, ...]) -> np.ndarray | None:
    """The (rows, keys) float64 block of what the C reader wrote (row after row), or None."""
    return None if raw is None else np.frombuffer(raw).reshape(-1, len(keys))


def _number_block_py(rows: list[Any], keys: tuple[str, ...]) -> np.ndarray | None:
    if not rows or not keys or set(map(type, rows)) != {dict} or \
            set(map(len, rows)) != {len(keys)}:
        return None
    try:  # (rows of len(keys) entries holding every key hold no other)
        values = list(map(itemgetter(*keys), rows))
    except KeyError:
        return None
    flat = values if len(keys) == 1 else list(chain.from_iterable(values))
    if not set(map(type, flat)) <= _NUMBERS:
        return None
    try:
        return np.array(flat, dtype=np.float64).reshape(len(values), len(keys))
    except OverflowError:  # an integer beyond double: the row path reports it
        return None


def _strip_row(err: PfaInputError) -> PfaInputError:
    """A batch input error's path without its ``$[row]`` prefix."""
    path = err.path
    if path.startswith("$["):
        end = path.find("]")
        path = "$" + path[end + 1:]
    return PfaInputError(err.message, path)
