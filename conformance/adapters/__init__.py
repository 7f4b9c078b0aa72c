"""Engine adapters: each loads a PFA document and runs JSON-encoded inputs through it.

An adapter module defines ``NAME``, ``available() -> str | None`` (None if usable, else the
reason it is not) and ``load(doc) -> Scorer``. ``Scorer.run(input_json)`` returns
``Outcome``: ``("ok", output_json)``, ``("error", code)`` for a PFA runtime error (code may be
None), or ``("crash", message)`` for anything else.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any, NamedTuple, Protocol


class Outcome(NamedTuple):
    kind: str  # "ok" | "error" | "crash"
    value: Any


class Scorer(Protocol):
    def run(self, input_json: Any) -> Outcome: ...


class Adapter(Protocol):
    NAME: str
    available: Callable[[], str | None]
    load: Callable[[Any], Scorer]


ENGINES = ("pfa", "titus")


def get(name: str) -> Any:
    """The adapter module for engine ``name``."""
    if name not in ENGINES:
        raise KeyError(f"unknown engine {name!r} (known: {', '.join(ENGINES)})")
    return importlib.import_module(f"conformance.adapters.{name}")
