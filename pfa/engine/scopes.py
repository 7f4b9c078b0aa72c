"""Symbol scopes shared by the scalar and the vector compilers.

Both compilers give every local symbol of a routine or function a slot (an index into the
frame of the scalar back end, a column of the vector back end's environment): a
:class:`FnScope` is the layout of one routine or function, a stack of nested blocks mapping a
name to its slot and type; a symbol an inline function reads from the enclosing function is
captured into a slot of its own. :class:`BlockScopes` is the compilers' common way to compile
a nested block, and :func:`declared_names` / :func:`assigned_names` say which symbols a
subtree declares and which it assigns.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pfa.document import ast as A


class FnScope:
    """The frame layout of one routine or function: nested blocks of name → (slot, type)."""

    def __init__(self, parent: FnScope | None = None):
        self.nslots = 0
        self.blocks: list[dict[str, tuple[int, Any]]] = [{}]
        self.parent = parent
        self.captures: list[tuple[int, int]] = []  # (slot in parent frame, slot here)
        self.declared_types: dict[int, Any] = {}
        """Slot → type of the symbols declared here (the vector compiler adds the captured
        slots it writes back)."""

    def declare(self, name: str, avro_type: Any) -> int:
        slot = self.nslots
        self.nslots += 1
        self.blocks[-1][name] = (slot, avro_type)
        self.declared_types[slot] = avro_type
        return slot

    def lookup(self, name: str) -> tuple[int, Any] | None:
        for block in reversed(self.blocks):
            hit = block.get(name)
            if hit is not None:
                return hit
        if self.parent is not None:
            outer = self.parent.lookup(name)
            if outer is not None:
                slot = self.nslots
                self.nslots += 1
                self.blocks[0][name] = (slot, outer[1])
                self.captures.append((outer[0], slot))
                return slot, outer[1]
        return None

    def push(self) -> None:
        self.blocks.append({})

    def pop(self) -> None:
        self.blocks.pop()


class BlockScopes:
    """Mixin of a compiler with a current ``scope`` and ``_body(exprs, ret_type)`` (the
    compiled sequence of ``exprs``, its last value promoted to ``ret_type``)."""

    scope: FnScope
    _body: Callable[..., Any]

    def _block(self, exprs: list[A.Expr] | None, ret_type: Any = None) -> Any:
        """A nested block with its own scope: its declarations end with it."""
        self.scope.push()
        try:
            return self._body(exprs or [], ret_type)
        finally:
            self.scope.pop()


def declared_names(node: Any) -> set[str]:
    """The symbols declared anywhere inside ``node``."""
    out: set[str] = set()
    for n in A.walk(node):
        if isinstance(n, A.Let):
            out.update(n.values)
        elif isinstance(n, A.For):
            out.update(n.init)
        elif isinstance(n, A.Foreach):
            out.add(n.name)
        elif isinstance(n, A.Forkeyval):
            out.update((n.forkey, n.forval))
        elif isinstance(n, A.FcnDef):
            out.update(p.name for p in n.params)
        elif isinstance(n, A.IfNotNull):
            out.update(n.symbols)
        elif isinstance(n, A.CastCase):
            out.add(n.named)
        elif isinstance(n, A.Unpack):
            out.update(name for name, _ in n.format)
    return out


def assigned_names(node: Any) -> set[str]:
    """The symbols assigned (``set``, the step of ``for``) anywhere inside ``node``."""
    out: set[str] = set()
    for n in A.walk(node):
        if isinstance(n, A.SetVar):
            out.update(n.values)
        elif isinstance(n, A.For):
            out.update(n.step)
    return out
