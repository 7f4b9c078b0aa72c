"""One served document: its engine, how requests run on it, and how outputs become JSON.

A :class:`ServedModel` owns one :class:`pfa.Engine` and a lock (an engine runs one action at a
time; documents with cells keep one state, as under ``pfa run``). Small requests run on the
event loop when the engine is free (no thread hop); larger ones, and any request that finds
the engine busy, run in a worker thread. Requests of at least ``batch_rows`` rows go through
``Engine.action_batch`` (map documents), the others row by row through ``Engine.action``: both
give the same values. Every row error becomes a :class:`ServeError` naming the row.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from time import perf_counter
from typing import Any

from pfa.engine.engine import Engine
from pfa.errors import PfaError, PfaInputError, PfaRuntimeError, PfaTimeoutError
from pfa.runtime import codes

from .errors import INVALID_PARAMETER_VALUE, ServeError, safe_input_message

INLINE_ROWS = 16
"""Requests of at most this many rows run on the event loop when the engine is free."""


def plain_json(value: Any) -> Any:
    """An engine value as strict JSON: NaN and ±inf → null, bytes → their code points as a
    string (Avro's JSON encoding), unions bare."""
    tp = type(value)
    if tp is float:
        return value if math.isfinite(value) else None
    if tp is dict:
        return {k: plain_json(v) for k, v in value.items()}
    if tp is list:
        return [plain_json(v) for v in value]
    if tp is bytes:
        return value.decode("latin-1")
    return value


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
        self.observers: list[Callable[[ServedModel, list[Any], list[Any]], None]] = []

    def __repr__(self) -> str:
        return f"<ServedModel {self.name}/{self.version}>"

    # -- running ------------------------------------------------------------------------------
    def score(self, rows: list[Any], deadline: float = math.inf) -> list[Any]:
        """Outputs (engine values) of ``rows`` (host values under the input contract);
        the caller holds :attr:`lock`. ServeError for a failing row."""
        if self.method == "map" and len(rows) >= self.batch_rows:
            out = self._score_batch(rows, deadline)
        else:
            out = self._score_rows(rows, deadline)
        for observe in self.observers:
            observe(self, rows, out)
        return out

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

    def _score_batch(self, rows: list[Any], deadline: float) -> list[Any]:
        out: list[Any] = []
        chunk = 4096
        for a in range(0, len(rows), chunk):
            if a and perf_counter() > deadline:
                raise _timeout_error()
            part = rows[a:a + chunk]
            try:
                result = self.engine.action_batch(part, on_error="null")
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
            out.extend(result.values)
        return out

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
        """Score ``rows`` without blocking the event loop for long."""
        if len(rows) <= INLINE_ROWS and self.lock.acquire(blocking=False):
            try:
                return self.score(rows, deadline)
            finally:
                self.lock.release()
        import anyio.to_thread

        return await anyio.to_thread.run_sync(self.run_locked, rows, deadline)


def _strip_row(err: PfaInputError) -> PfaInputError:
    """A batch input error's path without its ``$[row]`` prefix."""
    path = err.path
    if path.startswith("$["):
        end = path.find("]")
        path = "$" + path[end + 1:]
    return PfaInputError(err.message, path)
