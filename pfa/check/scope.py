"""Symbol scopes of the checker, and the checker's two pseudo-types.

Scopes are lexical and block-level (spec, "Symbols, scope, and data structures"). A scope may
be *sealed from above* (symbols declared outside it are read-only inside it, e.g. function
arguments, inline function bodies, non-``seq`` ``foreach`` bodies) and/or *sealed within* (no
declarations directly inside it, e.g. function arguments, ``let``/``set`` values, conditions).
A ``do`` block opens an ordinary scope below a sealed one, which lifts "sealed within" but not
"sealed from above": sealing from above is a property of the scope boundary that a write has
to cross.

Pseudo-types (never the type of a datum):

* :data:`BOTTOM` is the type of the ``error`` special form: it has no values. The narrowest
  supertype of BOTTOM with X is X (see :func:`supertype`); where a value is used without a
  branch (let/set values, function arguments, the end of a ``do``) it counts as ``null``
  (see :func:`as_value`); a function body, ``action`` or branch that ends in an error is
  accepted by any declared type.
* :data:`UNKNOWN` is the type of an expression that already failed to type-check; every check
  involving it passes silently, so that one mistake is reported once.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from pfa.avro.types import (
    NULL,
    AvroArray,
    AvroMap,
    AvroNamed,
    AvroPrimitive,
    AvroType,
    AvroUnion,
    NoSupertypeError,
    accepts,
    narrowest_supertype,
)
from pfa.check.signatures import FcnType
from pfa.names import NAME_RE

__all__ = ["BOTTOM", "UNKNOWN", "NoSupertypeError", "Scope", "as_value", "fits", "nullable",
           "supertype", "type_str", "without_null"]


SYMBOL_RE = NAME_RE


class _Pseudo(AvroType):
    __slots__ = ("_name",)

    def __init__(self, name: str):
        self._name = name

    @property
    def name(self) -> str:
        return self._name

    def to_json(self, seen=None, namespace=None):
        return "null"

    def __str__(self) -> str:
        return self._name

    def __repr__(self) -> str:
        return self._name.upper()


BOTTOM: AvroType = _Pseudo("bottom")
"""The type of ``{"error": ...}``: no value ever has it (writes as "null" if serialised)."""

UNKNOWN: AvroType = _Pseudo("unknown")
"""The type of an expression that failed to check (only in documents that are rejected)."""


def as_value(t: AvroType) -> AvroType:
    """The type a value position sees: BOTTOM (an error without a branch) becomes null."""
    return NULL if t is BOTTOM else t


def fits(expected: AvroType, observed: AvroType) -> bool:
    """``accepts`` extended to the pseudo-types (BOTTOM and UNKNOWN fit everywhere)."""
    if expected is UNKNOWN or observed is UNKNOWN or observed is BOTTOM:
        return True
    if expected is BOTTOM:
        return False
    return accepts(expected, observed)


def supertype(types: Iterable[AvroType]) -> AvroType:
    """Narrowest supertype ignoring BOTTOM (all BOTTOM → BOTTOM; any UNKNOWN → UNKNOWN).

    Raises :class:`pfa.avro.types.NoSupertypeError` if the types cannot be combined.
    """
    ts = list(types)
    if any(t is UNKNOWN for t in ts):
        return UNKNOWN
    real = [t for t in ts if t is not BOTTOM]
    if not real:
        return BOTTOM
    return narrowest_supertype(real)


def without_null(t: AvroType) -> AvroType | None:
    """The type of ``t`` with null removed, or None if ``t`` is not a union containing null."""
    if not isinstance(t, AvroUnion) or NULL not in t.types:
        return None
    rest = tuple(x for x in t.types if x != NULL)
    if not rest:
        return None
    return rest[0] if len(rest) == 1 else AvroUnion(rest)


def nullable(t: AvroType) -> AvroType:
    """``t`` or null (the type of ``try``): ``t`` itself if it already admits null."""
    if t is BOTTOM or t == NULL:
        return NULL
    if t is UNKNOWN:
        return UNKNOWN
    if isinstance(t, AvroUnion):
        return t if NULL in t.types else AvroUnion((*t.types, NULL))
    return AvroUnion((t, NULL))


class Scope:
    """One lexical block of symbol declarations."""

    def __init__(self, parent: Scope | None = None, *, sealed_above: bool = False,
                 sealed_within: bool = False):
        self.parent = parent
        self.sealed_above = sealed_above
        self.sealed_within = sealed_within
        self.symbols: dict[str, AvroType] = {}

    def child(self, *, sealed_above: bool = False, sealed_within: bool = False) -> Scope:
        return Scope(self, sealed_above=sealed_above, sealed_within=sealed_within)

    def sealed(self) -> Scope:
        """A scope for a single sub-expression: sealed from above and within."""
        return Scope(self, sealed_above=True, sealed_within=True)

    def get(self, name: str) -> AvroType | None:
        s: Scope | None = self
        while s is not None:
            if name in s.symbols:
                return s.symbols[name]
            s = s.parent
        return None

    def writable(self, name: str) -> bool:
        """True if ``name`` is visible and no sealed-from-above boundary lies between."""
        s: Scope | None = self
        while s is not None:
            if name in s.symbols:
                return True
            if s.sealed_above:
                return False
            s = s.parent
        return False

    def visible(self) -> list[str]:
        out: list[str] = []
        s: Scope | None = self
        while s is not None:
            out.extend(s.symbols)
            s = s.parent
        return out

    def declare(self, name: str, t: AvroType) -> str | None:
        """Declare ``name``; returns an error message instead if that is not allowed here."""
        if not SYMBOL_RE.fullmatch(name):
            return f"{name!r} is not a valid symbol name"
        if self.sealed_within:
            return (f"cannot declare symbol {name!r} here: this scope is sealed within "
                    "(wrap the declaration in a \"do\" block)")
        if self.get(name) is not None:
            return f"symbol {name!r} is already declared (symbols may not be shadowed)"
        self.symbols[name] = t
        return None


def type_str(t: Any) -> str:
    """A short human form of an Avro type (or function type) for error messages."""
    if isinstance(t, FcnType):
        return "function(" + ", ".join(type_str(p) for p in t.params) + ") -> " + type_str(t.ret)
    if t is None:
        return "?"
    if isinstance(t, AvroNamed):
        return t.fullname
    if isinstance(t, AvroPrimitive) or t is BOTTOM or t is UNKNOWN:
        return str(t) if not isinstance(t, AvroPrimitive) else t.name
    if isinstance(t, AvroArray):
        return f"array of {type_str(t.items)}"
    if isinstance(t, AvroMap):
        return f"map of {type_str(t.values)}"
    if isinstance(t, AvroUnion):
        return "union of [" + ", ".join(type_str(x) for x in t.types) + "]"
    return json.dumps(t.to_json())
