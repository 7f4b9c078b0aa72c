"""The registry of library function implementations.

A function's *signature* (parameters, generic patterns, return type, error codes) is data,
generated once from the specification into ``pfa/lib/signatures.json`` and read by
:mod:`pfa.check.signatures`. This module holds the other half: the code that runs. Each
library module (``pfa/lib/core.py``, ``pfa/lib/m.py`` …) registers its functions here by PFA
name, with one of two decorators:

``@scalar("m.sqrt")``
    a plain Python function of the evaluated arguments, the same for every call site.

``@specialized("+")``
    a factory called once per call site at compile time with a :class:`CallSite` (the
    argument and return types the checker resolved); it returns the Python function that
    runs for that call site. Use it when behaviour depends on types (int overflow checks,
    float32 rounding, comparisons of arbitrary Avro types) or on the engine (pseudorandom
    numbers).

``@vector("m.sqrt")`` (optional) registers the numpy column form used by the batch engine.

Values are the engine's Python representation (see docs/architecture.md, "Values"): null →
None, boolean → bool, int/long → int, float/double → float, string → str, bytes/fixed →
bytes, enum → str (the symbol), array → list, map → dict, record → dict, union → the bare
value of whichever branch it holds. Values are immutable by convention: never mutate an
argument, build a new list/dict. Function-typed parameters arrive as Python callables.
Runtime errors are raised as ``PfaRuntimeError(code, message, name)`` with the spec's code.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pfa.errors import PfaRuntimeError
from pfa.runtime.codes import INTERNAL_ERROR


@dataclass(frozen=True)
class CallSite:
    """What the compiler knows about one call of a library function.

    ``arg_types`` are the observed argument types (AvroType, or FcnType for function
    arguments); ``param_types`` the parameter types of the matched signature after label
    binding; ``labels`` the wildcard bindings (e.g. ``{"A": INT}``); ``sig_index`` which of
    the function's signatures matched (0-based, in the order of the specification);
    ``context`` the engine's per-instance services (``rng``, ``instance``...) or None when only
    checking.
    """

    name: str
    arg_types: tuple[Any, ...]
    ret_type: Any
    param_types: tuple[Any, ...] = ()
    labels: Mapping[str, Any] = field(default_factory=dict)
    sig_index: int = 0
    context: Any = None


@dataclass
class LibFunction:
    """One library function's implementations."""

    name: str
    bind_scalar: Callable[[CallSite], Callable[..., Any]] | None = None
    bind_vector: Callable[[CallSite], Callable[..., Any]] | None = None
    lazy: bool = False  # arguments are passed as zero-argument thunks (short-circuit forms)

    def scalar_for(self, site: CallSite) -> Callable[..., Any]:
        if self.bind_scalar is None:
            raise PfaRuntimeError(INTERNAL_ERROR,
                                  f"library function {self.name} has no implementation")
        return self.bind_scalar(site)


_REGISTRY: dict[str, LibFunction] = {}


def _entry(name: str) -> LibFunction:
    fn = _REGISTRY.get(name)
    if fn is None:
        fn = _REGISTRY[name] = LibFunction(name)
    return fn


def scalar(name: str, *, lazy: bool = False) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register ``impl(*args)`` as the scalar implementation of library function ``name``."""

    def deco(impl: Callable[..., Any]) -> Callable[..., Any]:
        entry = _entry(name)
        if entry.bind_scalar is not None:
            raise ValueError(f"library function {name} registered twice")
        entry.bind_scalar = lambda site: impl
        entry.lazy = lazy
        return impl

    return deco


def specialized(name: str, *, lazy: bool = False):
    """Register ``factory(site) -> impl`` as the scalar implementation of ``name``."""

    def deco(factory: Callable[[CallSite], Callable[..., Any]]):
        entry = _entry(name)
        if entry.bind_scalar is not None:
            raise ValueError(f"library function {name} registered twice")
        entry.bind_scalar = factory
        entry.lazy = lazy
        return factory

    return deco


def vector(name: str):
    """Register ``factory(site) -> impl`` as the vectorized (numpy) implementation of ``name``."""

    def deco(factory: Callable[[CallSite], Callable[..., Any]]):
        _entry(name).bind_vector = factory
        return factory

    return deco


_LOADED = False


def load_all() -> dict[str, LibFunction]:
    """Import every module of ``pfa.lib`` (which registers its functions); return the table."""
    global _LOADED
    if not _LOADED:
        import pfa.lib as pkg

        for info in pkgutil.walk_packages(pkg.__path__, "pfa.lib."):
            if info.name.rpartition(".")[2] not in ("registry",):
                importlib.import_module(info.name)
        _LOADED = True
    return _REGISTRY


def get(name: str) -> LibFunction | None:
    """The implementation entry of library function ``name`` (None if not implemented)."""
    return load_all().get(name)


def implemented_names() -> set[str]:
    return {n for n, f in load_all().items() if f.bind_scalar is not None}
