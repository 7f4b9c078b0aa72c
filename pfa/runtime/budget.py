"""The resource budget of a running routine: a deadline and a size limit per value.

Every library function that can loop for long or build a large value consults the budget of
the engine that runs it, so that neither a ``timeout`` option nor the memory limit can be
overrun inside one library call:

- **size**: before it allocates, a function estimates the size of the value it is about to
  build from its arguments (a repeat count, a width, the number of combinations …) and calls
  :meth:`Budget.reserve`; an estimate over ``value_limit`` bytes raises
  :class:`~pfa.errors.PfaRuntimeError` with code 90000 (:mod:`pfa.runtime.codes`) and nothing
  is allocated. The estimate follows a simple model of CPython's layout: 1 byte per character
  of ASCII text (4 otherwise), 1 per byte, 8 per array item or map entry, 56 per new array,
  184 per new small map and 24 per new floating-point number.
- **time**: long loops inside a function (generating permutations, matching a regular
  expression, searching a quantile) call :meth:`Budget.check_time` or iterate through
  :meth:`Budget.paced`, which raise :class:`~pfa.errors.PfaTimeoutError` once the routine's
  deadline has passed.

The engine's context (``CallSite.context``) is a :class:`Budget`; the engine sets
``deadline``, ``timeout_ms`` and ``routine`` when a routine starts and ``value_limit`` from the
``memory.value`` option. Library code gets it with :func:`budget_of`, which falls back to a
budget without a deadline (and the default size limit) when a call site has no engine.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from time import perf_counter
from typing import Any, TypeVar

from pfa.errors import PfaRuntimeError, PfaTimeoutError
from pfa.runtime.codes import VALUE_TOO_LARGE

T = TypeVar("T")

DEFAULT_VALUE_LIMIT = 256 * 1024 * 1024
"""Bytes one value may take when neither the host nor the document sets ``memory.value``."""

SLOT = 8
"""Bytes of one array item or map entry (a reference)."""
CONTAINER = 56
"""Bytes of an empty array."""
SMALL_MAP = 184
"""Bytes of a map of up to five entries."""
FLOAT = 24
"""Bytes of a new floating-point number."""

_PACE = 1024  # items between two looks at the clock in Budget.paced


def array_bytes(nitems: int, item_bytes: int = 0) -> int:
    """Estimated bytes of a new array of ``nitems`` items, each newly taking ``item_bytes``."""
    return CONTAINER + nitems * (SLOT + item_bytes)


def too_large(nbytes: int, limit: int, fcn: str | None) -> PfaRuntimeError:
    """The error of a value estimated at ``nbytes`` bytes over the ``limit``."""
    return PfaRuntimeError(
        VALUE_TOO_LARGE,
        f"value too large: about {nbytes} bytes, over the memory.value limit of {limit} bytes",
        fcn)


class Budget:
    """Deadline and size limit of the routine running now (see the module docstring)."""

    def __init__(self, value_limit: int = DEFAULT_VALUE_LIMIT):
        self.deadline = math.inf
        self.timeout_ms = -1
        self.routine = "action"
        self.value_limit = value_limit

    # -- time ------------------------------------------------------------------------------
    def timeout_error(self) -> PfaTimeoutError:
        return PfaTimeoutError(self.timeout_ms, self.routine)

    def check_time(self) -> None:
        """Raise PfaTimeoutError if the routine's deadline has passed."""
        if perf_counter() > self.deadline:
            raise PfaTimeoutError(self.timeout_ms, self.routine)

    def paced(self, items: Iterable[T]) -> Iterator[T]:
        """``items``, looking at the clock every 1024 items (and not at all without a
        deadline)."""
        if self.deadline == math.inf:
            yield from items
            return
        for i, x in enumerate(items):
            if not i & (_PACE - 1) and perf_counter() > self.deadline:
                raise self.timeout_error()
            yield x

    # -- size ------------------------------------------------------------------------------
    def reserve(self, nbytes: int, fcn: str | None = None) -> None:
        """Raise "value too large" (code 90000) if a value of ``nbytes`` bytes is over the
        limit; call it before allocating."""
        if nbytes > self.value_limit:
            raise too_large(nbytes, self.value_limit, fcn)

    def reserve_text(self, nchars: int, fcn: str | None, *like: str) -> None:
        """:meth:`reserve` for a string of ``nchars`` characters made of the strings
        ``like`` (they tell whether it is ASCII)."""
        if nchars > self.value_limit // 4:  # cheap test first: most strings are far below
            ascii_only = all(x.isascii() for x in like)
            self.reserve(nchars if ascii_only else 4 * nchars, fcn)

    def reserve_items(self, nitems: int, fcn: str | None = None, item_bytes: int = 0) -> None:
        """:meth:`reserve` for a new array (or map) of ``nitems`` items."""
        self.reserve(array_bytes(nitems, item_bytes), fcn)


UNBOUNDED_TIME = Budget()
"""The budget of call sites without an engine: no deadline, the default size limit."""


def budget_of(site: Any) -> Budget:
    """The budget a library call site runs under (``site.context`` when it is one)."""
    ctx = getattr(site, "context", None)
    return ctx if isinstance(ctx, Budget) else UNBOUNDED_TIME
