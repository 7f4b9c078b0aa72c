"""What a whole-call batch form needs from the vector compiler, without importing it.

A library function's *whole-call* batch form (``@batch_call`` in :mod:`pfa.lib.registry`:
``a.map``, ``&&``, ``model.tree.simpleTree`` …) is called by the vector compiler with the
compiler itself and the typed call node, and returns a :data:`Kernel`. The library sits below
the compilers, so it only sees the compiler through the :class:`BatchCompiler` protocol here;
the compiler (:mod:`pfa.engine.vector`) implements it. A form that cannot handle a call raises
:class:`NoVector`: the call then runs on the scalar back end, row by row.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from pfa.document import ast as A

Kernel = Callable[[Any], Any]
"""A compiled expression of the vector back end: ``kernel(env) -> column`` (see
:mod:`pfa.runtime.columns`) over the rows of an environment ``env``."""


class NoVector(Exception):
    """A form that the vector compiler does not handle (``reason`` says why)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class LoopHint:
    """Links an ``a.map``/``a.fold`` over an array to a tree walk of its function that walks the
    current element: the loop sets ``items`` (the constant array, or None) and ``pos`` (the
    element being processed); ``slot`` is the element parameter's slot, ``scope`` the
    function's scope (the walk must be in it, not nested); the walk sets ``whole`` to
    ``(its call node, kernel of the leaves of every tree as one array column)``."""

    __slots__ = ("slot", "scope", "items", "pos", "whole")

    def __init__(self) -> None:
        self.slot: int | None = None
        self.scope: Any = None
        self.items: list | None = None
        self.pos = -1
        self.whole: Any = None


class BatchCompiler(Protocol):
    """The vector compiler as a whole-call batch form sees it.

    ``scope`` is the current symbol scope (``lookup(name) -> (slot, type) | None``), ``loops``
    the :class:`LoopHint` of the enclosing ``a.map``/``a.fold`` functions (innermost last),
    ``scalar`` the engine's scalar compiler (``scalar.fcns``: the document's user functions;
    ``scalar.expr(node)`` compiles ``node`` for one row)."""

    scope: Any
    loops: list[LoopHint]
    scalar: Any

    def expr(self, node: A.Expr) -> Kernel:
        """The kernel of ``node`` (a scalar island when it cannot be vectorized)."""

    def typed(self, node: A.Expr, expected: Any) -> Kernel:
        """The kernel of ``node`` promoted to type ``expected``."""

    def inline(self, fdef: Any, ptype: Any = None,
               hint: tuple[LoopHint, int] | None = None) -> Any:
        """An inline function run on columns: ``fn.call(env, cols, types=None, kernel=None)``
        (``hint``: the loop hint and the index of the parameter receiving the element)."""

    def generic_call(self, node: A.Call) -> Kernel:
        """The call through the function's column form, else its scalar form row by row."""

    def with_fallback(self, node: A.Call, fast: Callable[[Any], Any]) -> Kernel:
        """``fast(env)``; when it returns None the call runs as a scalar island."""

    def kernel(self, hook: str, *args: Any) -> Any:
        """The first shape-specific kernel registered at ``hook`` that takes ``args``."""

    def scope_types(self) -> dict[int, Any]:
        """Slot → type of the symbols of the current scope (to close branch environments)."""


def fcn_param_type(node: A.Call, i: int) -> Any:
    """The type the resolved signature of ``node`` expects for argument ``i`` (None if
    unresolved)."""
    r = node.resolved
    if r is not None and i < len(r.param_types):
        return r.param_types[i]
    return None
