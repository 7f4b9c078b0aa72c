"""Back ends: what turns a checked document into something that runs, found by name.

A back end is a function ``compile(target) -> Runner`` registered with
:func:`register_backend`. The :class:`Target` holds the typed document and the engine's
run-time services (options, context with rng and counters, cells and pools), so every back end
of one engine shares them. A back end that handles only part of a language takes the runner
of the back end below it as ``target.fallback`` and hands it what it cannot compile (the vector
back end runs scalar islands on the scalar runner; a native back end would fall back to the
vector one), and says so in :meth:`Runner.explain`. A back end that cannot run a routine at
all returns None for it from :meth:`Runner.routine` and says why in :meth:`Runner.explain`
(the vector back end does so for documents that must run row by row).

Granularity: a ``"record"`` back end (scalar) returns routines ``run(*symbols) -> value`` for
``begin``, ``action``, ``end`` and ``merge``; a ``"batch"`` back end (vector) returns
``run(input column, n) -> (output column, errors by row)`` for ``action``.
:class:`pfa.engine.engine.Engine` uses the registered ``"scalar"`` back end for ``action`` and
the ``"vector"`` one for ``action_batch``. The modules defining back ends register them on
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


_BACKENDS: dict[str, Backend] = {}


def register_backend(name: str, granularity: Granularity, description: str
                     ) -> Callable[[Callable[[Target], Runner]], Callable[[Target], Runner]]:
    """Register ``compile(target) -> Runner`` as back end ``name``."""
    if granularity not in ("record", "batch"):
        raise ValueError(f"granularity must be 'record' or 'batch', not {granularity!r}")

    def register(compile_fn: Callable[[Target], Runner]) -> Callable[[Target], Runner]:
        known = _BACKENDS.get(name)
        if known is not None and known.compile is not compile_fn:
            raise ValueError(f"back end {name!r} is already registered")
        _BACKENDS[name] = Backend(name, granularity, compile_fn, description)
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
