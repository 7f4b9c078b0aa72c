"""The registry of library function implementations.

A function's *signature* (parameters, generic patterns, return type, error codes and
messages) is data, declared once in ``pfa/lib/signatures.json`` and read by
:mod:`pfa.check.signatures`; only functions declared there can be registered. This module
holds the other half: the code that runs. Each library module (``pfa/lib/core.py``,
``pfa/lib/m.py`` …) registers its functions here by PFA name, with one of two decorators:

``@scalar("m.sqrt")``
    a plain Python function of the evaluated arguments, the same for every call site.

``@specialized("+")``
    a factory called once per call site at compile time with a :class:`CallSite` (the
    argument and return types the checker resolved); it returns the Python function that
    runs for that call site. Use it when behaviour depends on types (int overflow checks,
    float32 rounding, comparisons of arbitrary Avro types) or on the engine (pseudorandom
    numbers).

A function may also have one *batch form*, used by the batch (vector) engine instead of
running the scalar form row by row:

``@batch("m.sqrt")``
    a column form: ``factory(site)`` returns ``impl(env, *columns) -> column`` (or None when
    this call site has no column form); ``impl`` may raise
    :class:`pfa.runtime.columns.NotVectorized` to run the call row by row for one batch.

``@batch_call("a.map")``
    a whole-call form: ``form(compiler, call) -> kernel`` gets the batch compiler and the
    typed call node (the compiler as the :class:`pfa.runtime.batch_forms.BatchCompiler`
    protocol: pfa.lib never imports the engine) and compiles the arguments itself (function
    arguments, short-circuit evaluation, whole-model kernels such as trees, forests and
    cluster search); it raises :class:`pfa.runtime.batch_forms.NoVector` to run the call with
    the scalar form.

Scalar and batch forms are registered in the namespace module that implements the function,
so one module answers "how does ``m.link.softmax`` run".

Values are the engine's Python representation (see docs/architecture.md, "Values"): null →
None, boolean → bool, int/long → int, float/double → float, string → str, bytes/fixed →
bytes, enum → str (the symbol), array → list, map → dict, record → dict, union → the bare
value of whichever branch it holds. Values are immutable by convention: never mutate an
argument, build a new list/dict. Function-typed parameters arrive as Python callables.
Runtime errors are raised as ``raise error(code)``: the code alone names the error, and the
function that raises it and its message come from signatures.json (codes are unique across
the library), so no message is written twice.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pfa.check.signatures import library
from pfa.errors import PfaRuntimeError
from pfa.runtime.codes import INTERNAL_ERROR


@functools.cache
def _declared_errors() -> dict[int, tuple[str, str]]:
    """Error code -> (library function, message), as signatures.json declares them."""
    return {code: (spec.name, message)
            for spec in library().values() for code, message in spec.errors.items()}


def error(code: int) -> PfaRuntimeError:
    """The runtime error ``code`` of the library, with the function and message that
    signatures.json declares for it: ``raise error(15650)``."""
    fcn, message = _declared_errors()[code]
    return PfaRuntimeError(code, message, fcn)


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
    bind_batch: Callable[[CallSite], Callable[..., Any] | None] | None = None  # column form
    batch_call: Callable[[Any, Any], Any] | None = None  # whole-call form (compiler, call)
    lazy: bool = False  # arguments are passed as zero-argument thunks (short-circuit forms)
    module: str = ""  # the namespace module that registered the scalar form
    batch_module: str = ""  # the module that registered the batch form

    def scalar_for(self, site: CallSite) -> Callable[..., Any]:
        if self.bind_scalar is None:
            raise PfaRuntimeError(INTERNAL_ERROR,
                                  f"library function {self.name} has no implementation")
        return self.bind_scalar(site)


_REGISTRY: dict[str, LibFunction] = {}


def _caller_module() -> str:
    """The module whose code called the registering decorator factory."""
    return sys._getframe(2).f_globals.get("__name__", "")


def _entry(name: str) -> LibFunction:
    fn = _REGISTRY.get(name)
    if fn is None:
        if name not in library():
            raise ValueError(f"{name} is not a library function of signatures.json")
        fn = _REGISTRY[name] = LibFunction(name)
    return fn


def scalar(name: str, *, lazy: bool = False) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register ``impl(*args)`` as the scalar implementation of library function ``name``."""
    module = _caller_module()

    def deco(impl: Callable[..., Any]) -> Callable[..., Any]:
        entry = _entry(name)
        if entry.bind_scalar is not None:
            raise ValueError(f"library function {name} registered twice")
        entry.bind_scalar = lambda site: impl
        entry.lazy = lazy
        entry.module = module
        return impl

    return deco


def specialized(name: str, *, lazy: bool = False):
    """Register ``factory(site) -> impl`` as the scalar implementation of ``name``."""
    module = _caller_module()

    def deco(factory: Callable[[CallSite], Callable[..., Any]]):
        entry = _entry(name)
        if entry.bind_scalar is not None:
            raise ValueError(f"library function {name} registered twice")
        entry.bind_scalar = factory
        entry.lazy = lazy
        entry.module = module
        return factory

    return deco


def _batch_form(name: str, slot: str, module: str) -> Callable[[Callable[..., Any]], Any]:
    """A decorator storing a batch form of ``name`` in ``slot``; one batch form a function."""

    def deco(form: Callable[..., Any]) -> Callable[..., Any]:
        entry = _entry(name)
        if entry.bind_batch is not None or entry.batch_call is not None:
            raise ValueError(f"library function {name} has two batch forms")
        setattr(entry, slot, form)
        entry.batch_module = module
        return form

    return deco


def batch(name: str) -> Callable[[Callable[..., Any]], Any]:
    """Register ``factory(site) -> impl(env, *columns)`` as the column form of ``name``."""
    return _batch_form(name, "bind_batch", _caller_module())


def batch_call(name: str) -> Callable[[Callable[..., Any]], Any]:
    """Register ``form(compiler, call) -> kernel`` as the whole-call batch form of ``name``."""
    return _batch_form(name, "batch_call", _caller_module())





_LOADED = False


def load_all() -> dict[str, LibFunction]:
    """Import every module of ``pfa.lib`` (which registers its functions); return the table."""
    global _LOADED
    if not _LOADED:
        package = __name__.rpartition(".")[0]  # pfa.lib
        for info in pkgutil.walk_packages(sys.modules[package].__path__, package + "."):
            if info.name != __name__:
                importlib.import_module(info.name)
        _LOADED = True
    return _REGISTRY


def get(name: str) -> LibFunction | None:
    """The implementation entry of library function ``name`` (None if not implemented)."""
    return load_all().get(name)


def implemented_names() -> set[str]:
    return {n for n, f in load_all().items() if f.bind_scalar is not None}
