"""Reading and writing beside the scoring: a background thread reads the next batches while
the current one is scored (:func:`read_ahead`), another writes the finished output tables
(:class:`BackgroundWriter`). pyarrow releases the GIL while it decodes, encodes, compresses
and does I/O, so on more than one core those steps overlap with the engine.

Order is kept (one producer, one consumer, FIFO queues) and memory stays bounded: at most
``depth`` items wait in each queue, besides the one each thread holds. An exception in a
thread is raised again, unchanged, in the caller's thread at its next call."""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Iterator
from typing import TypeVar

import pyarrow as pa

from .registry import Writer

T = TypeVar("T")
_END = object()
_POLL = 0.1
"""Seconds between two looks at the stop flag while a queue is full."""


class _Failed:
    def __init__(self, exc: BaseException) -> None:
        self.exc = exc


def _put(q: queue.Queue, item: object, stop: threading.Event) -> bool:
    """Put ``item`` unless ``stop`` is set first (False then)."""
    while not stop.is_set():
        try:
            q.put(item, timeout=_POLL)
            return True
        except queue.Full:
            continue
    return False


def read_ahead(items: Iterator[T], depth: int = 1) -> Iterator[T]:
    """The items of ``items``, produced by a background thread at most ``depth`` ahead of
    the caller. Closing this generator early (or an exception in the caller) stops the
    thread after the item it is producing and waits for it, so the source can be closed."""
    if depth < 1:
        yield from items
        return
    q: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def produce() -> None:
        try:
            for item in items:
                if not _put(q, item, stop):
                    return
            _put(q, _END, stop)
        except BaseException as exc:  # handed to the consumer
            _put(q, _Failed(exc), stop)
        finally:
            close = getattr(items, "close", None)
            if close is not None:
                close()

    thread = threading.Thread(target=produce, name="pfa-read-ahead", daemon=True)
    thread.start()
    try:
        while True:
            item = q.get()
            if item is _END:
                return
            if isinstance(item, _Failed):
                raise item.exc
            yield item
    finally:
        stop.set()
        while thread.is_alive():
            with contextlib.suppress(queue.Empty):  # free a producer waiting on a full queue
                q.get(timeout=_POLL)
        thread.join()


class BackgroundWriter:
    """A :class:`~pfa.io.registry.Writer` whose ``write`` hands the table to a thread that
    writes it (at most ``depth`` tables wait). ``close`` writes what waits and closes the
    file; ``abort`` drops what waits and closes it. An error of the thread is raised by every
    later ``write`` and by ``close`` (``abort`` ends a run that failed anyway)."""

    def __init__(self, writer: Writer, depth: int = 1) -> None:
        self._writer = writer
        self._queue: queue.Queue = queue.Queue(maxsize=max(1, depth))
        self._stop = threading.Event()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="pfa-writer", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while True:
            table = self._queue.get()
            if table is _END or self._stop.is_set():
                return
            try:
                self._writer.write(table)
            except BaseException as exc:  # raised again by the caller's next call
                self._error = exc
                self._stop.set()
                return

    def _raise(self) -> None:
        if self._error is not None:
            raise self._error

    def write(self, table: pa.Table) -> None:
        self._raise()
        _put(self._queue, table, self._stop)  # False: the thread failed (raised below)
        self._raise()

    def _finish(self) -> None:
        while self._thread.is_alive():
            try:
                self._queue.put(_END, timeout=_POLL)
                break
            except queue.Full:
                continue
        self._thread.join()

    def close(self) -> None:
        """Write the waiting tables, close the file, raise the thread's error if any."""
        try:
            self._finish()
        finally:
            self._writer.close()
        self._raise()

    def abort(self) -> None:
        """Drop the waiting tables and close the file (a run that stopped on an error)."""
        self._stop.set()
        while True:
            try:
                self._queue.get_nowait()
            except queue.Empty:
                break
        try:
            self._finish()
        finally:
            with contextlib.suppress(Exception):  # the run already failed; its error wins
                self._writer.close()
