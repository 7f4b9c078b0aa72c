"""Back ends: what turns a checked document into something that runs, found by name.

A back end is a function ``compile(target) -> Runner`` registered with
:func:`register_backend`. The :class:`Target` holds the typed document and the engine's
run-time services (options, context with rng and counters, cells and pools), so every back end
of one engine shares them. A back end that handles only part of a language takes the runner
of the back end below it as ``target.fallback`` and hands it what it cannot compile (the vector
back end runs scalar islands on the scalar runner; the native back end, :mod:`pfa.engine.native`,
falls back to the vector one), and says so in :meth:`Runner.explain`. A back end that cannot run a routine at
all returns None for it from :meth:`Runner.routine` and says why in :meth:`Runner.explain`
(the vector back end does so for documents that must run row by row).

Granularity: a ``"record"`` back end (scalar) returns routines ``run(*symbols) -> value`` for
``begin``, ``action``, ``end`` and ``merge``; a ``"batch"`` back end (vector) returns
``run(input column, n) -> (output column, errors by row)`` for ``action``.
:class:`pfa.engine.engine.Engine` uses the registered ``"scalar"`` back end for ``action`` and
the batch back end of highest rank (:func:`preferred`: ``"native"`` when it is registered, else
``"vector"``) for ``action_batch``; record tiers (:func:`register_record_tier`) may speed up the
single-record ``action``. The modules defining back ends register them on
import (``pfa.engine.engine`` imports them); this module imports none of them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, Protocol

Granularity = Literal["record", "batch"]
ROUTINES = ("begin", "action", "end", "merge")


@dataclass
class ExplainEntry:
    """How one expression runs: ``mode`` is the back end's word for it — "scalar" (a
    routine on the scalar back end), "scalar kernel" (a shape-specific scalar kernel),
    "vector", "row-wise" (a library call run row by row on vectorized arguments), "scalar
    island" (a subtree run row by row on the fallback) or "fallback" (why a batch ran row by
    row after all)."""

    path: str
    form: str
    mode: str
    reason: str = ""

    def __str__(self) -> str:
        tail = f" — {self.reason}" if self.reason else ""
        return f"{self.mode:13s} {self.path}  {self.form}{tail}"


@dataclass
class Target:
    """What a back end compiles: the typed document and the engine's run-time services."""

    typed: Any
    """The checked document (``pfa.check.checker.TypedDocument``)."""
    options: Any
    """The effective ``pfa.engine.options.EngineOptions``."""
    context: Any
    """The engine's ``pfa.engine.scalar.EngineContext`` (rng, counters, emit/log, budget)."""
    state: Any
    """The engine's cells and pools (``pfa.engine.state.EngineState``)."""
    fallback: Runner | None = None
    """The runner that takes what this back end does not compile (None: there is none)."""

    @property
    def document(self) -> Any:
        return self.typed.doc

    @property
    def method(self) -> str:
        return self.typed.doc.method

    @property
    def input_type(self) -> Any:
        return self.typed.input_type

    @property
    def output_type(self) -> Any:
        return self.typed.output_type


class Runner(Protocol):
    """A compiled document."""

    backend: str

    def routine(self, name: str) -> Any:
        """The compiled routine ``name`` (one of :data:`ROUTINES`), or None if this back end
        does not run it."""

    def explain(self) -> list[ExplainEntry]:
        """What runs how, by document path."""


@dataclass(frozen=True)
class Backend:
    """A registered back end."""

    name: str
    granularity: Granularity
    compile: Callable[[Target], Runner]
    description: str
    rank: int = 0
    """Preference among the back ends of one granularity (:func:`preferred`): a tier that
    falls back to another ranks above it."""


_BACKENDS: dict[str, Backend] = {}


def register_backend(name: str, granularity: Granularity, description: str, rank: int = 0
                     ) -> Callable[[Callable[[Target], Runner]], Callable[[Target], Runner]]:
    """Register ``compile(target) -> Runner`` as back end ``name`` (``rank``: see
    :attr:`Backend.rank`)."""
    if granularity not in ("record", "batch"):
        raise ValueError(f"granularity must be 'record' or 'batch', not {granularity!r}")

    def register(compile_fn: Callable[[Target], Runner]) -> Callable[[Target], Runner]:
        known = _BACKENDS.get(name)
        if known is not None and known.compile is not compile_fn:
            raise ValueError(f"back end {name!r} is already registered")
        _BACKENDS[name] = Backend(name, granularity, compile_fn, description, rank)
        return compile_fn
    return register


def backend(name: str) -> Backend:
    """The back end registered as ``name`` (KeyError if none is)."""
    try:
        return _BACKENDS[name]
    except KeyError:
        raise KeyError(f"no back end {name!r}; registered: {sorted(_BACKENDS)}") from None


def backends(granularity: Granularity | None = None) -> list[Backend]:
    """The registered back ends (of one granularity), in registration order."""
    return [b for b in _BACKENDS.values() if granularity in (None, b.granularity)]


def preferred(granularity: Granularity) -> Backend:
    """The registered back end of ``granularity`` with the highest rank (the first registered
    among equals): the one an engine compiles with; it hands what it does not compile to the
    next one down."""
    candidates = backends(granularity)
    if not candidates:
        raise KeyError(f"no {granularity} back end registered")
    return max(candidates, key=lambda b: b.rank)


RecordTier = Callable[[Target, Callable[..., Any]], Callable[..., Any] | None]
_RECORD_TIERS: list[RecordTier] = []


def register_record_tier(tier: RecordTier) -> RecordTier:
    """Register ``tier(target, run) -> run'``: a faster single-record ``action`` (map
    documents) that calls ``run`` (the scalar routine) for whatever it does not handle, or
    returns None to leave ``run`` alone."""
    if tier not in _RECORD_TIERS:
        _RECORD_TIERS.append(tier)
    return tier


def record_action(target: Target, run: Callable[..., Any]) -> Callable[..., Any]:
    """``run`` (the scalar ``action`` routine) through the first registered record tier that
    takes ``target``."""
    for tier in _RECORD_TIERS:
        faster = tier(target, run)
        if faster is not None:
            return faster
    return run
