"""Cross-request micro-batching (``--max-batch-size``, ``--max-batch-delay-ms``).

Each request is validated alone first (its rows through the engine's input contract,
:func:`pfa.engine.inputs.coerce_input`), so a malformed request is refused without touching a
batch. Valid requests wait at most ``max_delay`` seconds to be joined (up to ``max_size`` rows)
and run as one ``Engine.action_batch(..., on_error="null")`` call; a row that fails fails only
the request it came from, which gets the same error it would get alone.
"""

from __future__ import annotations

import asyncio
from time import perf_counter
from typing import Any

from pfa.engine.inputs import coerce_input
from pfa.errors import PfaError, PfaInputError

from .errors import ServeError
from .model import ServedModel, row_error


class MicroBatcher:
    """Joins concurrent small requests to one model into batches."""

    def __init__(self, model: ServedModel, max_size: int, max_delay: float):
        self.model = model
        self.max_size = max_size
        self.max_delay = max_delay
        self._queue: list[tuple[list[Any], asyncio.Future[Any]]] = []
        self._rows = 0
        self._timer: asyncio.TimerHandle | None = None

    def validate(self, rows: list[Any]) -> list[Any]:
        """``rows`` as engine values; ServeError naming the first bad row."""
        t, aliases = self.model.input_type, self.model.engine.input_aliases
        out = []
        for i, row in enumerate(rows):
            try:
                out.append(coerce_input(t, row, "$", aliases))
            except PfaInputError as err:
                raise row_error(i, err) from None
        return out

    async def submit(self, rows: list[Any], deadline: float) -> list[Any]:
        values = self.validate(rows)
        if not values:
            return []
        loop = asyncio.get_running_loop()
        fut: asyncio.Future[Any] = loop.create_future()
        self._queue.append((values, fut))
        self._rows += len(values)
        if self._rows >= self.max_size:
            self._flush()
        elif self._timer is None:
            self._timer = loop.call_later(self.max_delay, self._flush)
        remaining = deadline - perf_counter()
        try:
            return await asyncio.wait_for(asyncio.shield(fut), max(remaining, 0.0))
        except TimeoutError:
            raise ServeError(503, "the request exceeded the server's time limit") from None

    def _flush(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        batch, self._queue, self._rows = self._queue, [], 0
        if batch:
            asyncio.get_running_loop().create_task(self._run(batch))

    async def _run(self, batch: list[tuple[list[Any], asyncio.Future[Any]]]) -> None:
        import anyio.to_thread

        try:
            results = await anyio.to_thread.run_sync(self._score, batch)
        except Exception as exc:  # a bug: every waiting request gets the 500
            results = [exc] * len(batch)
        for (_, fut), res in zip(batch, results):
            if fut.done():
                continue
            if isinstance(res, BaseException):
                fut.set_exception(res)
            else:
                fut.set_result(res)

    def _score(self, batch: list[tuple[list[Any], Any]]) -> list[Any]:
        """Per request: its outputs or its ServeError."""
        model = self.model
        joined = [v for values, _ in batch for v in values]
        with model.lock:
            result = model.engine.action_batch(joined, on_error="null")
            failed: dict[int, int] = {}
            for row, _code, _msg in result.errors:
                failed.setdefault(row, row)
            out: list[Any] = []
            start = 0
            for values, _ in batch:
                end = start + len(values)
                bad = [r for r in range(start, end) if r in failed]
                if bad:  # rerun the request's first failing row alone for its exact error
                    try:
                        model.engine.action(joined[bad[0]])
                        out.append(ServeError(400, f"row {bad[0] - start}: the model refused "
                                                   "the input"))
                    except PfaError as err:
                        out.append(row_error(bad[0] - start, err))
                else:
                    outs = result.values[start:end]
                    for observe in model.observers:
                        observe(model, values, outs, None)
                    out.append(outs)
                start = end
        return out
