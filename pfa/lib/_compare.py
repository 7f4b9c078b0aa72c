"""Avro's sort order for engine values, as reusable comparators.

:func:`compare_for` builds, once per type, a function ``cmp(a, b) -> -1 | 0 | 1`` that orders
two values of that type the way the Avro specification does (PFA's ``cmp``, ``<``, ``max``,
``a.sort``, ``a.max``, ``map.argmax`` … all use it):

* null: all values equal; boolean: false < true;
* int, long, float, double: numerically (an int and a float compare exactly). NaN has no place
  in a numeric order, so — like Java's ``Double.compare`` and the reference implementations —
  NaN equals NaN and is greater than every other number, which keeps the order total;
  ``-0.0`` equals ``0.0``;
* string: lexicographically by Unicode code point; bytes and fixed: lexicographically by
  unsigned byte;
* enum: by the position of the symbol in the enum's symbol list;
* array: element by element, a proper prefix first;
* record: field by field in schema order; a field with ``"order": "descending"`` is reversed,
  one with ``"order": "ignore"`` is skipped;
* map: Avro defines no order for maps; PFA needs one, so maps compare as their (key, value)
  pairs sorted by key, lexicographically (a proper prefix first);
* union: by the index of the branch each value belongs to, then within that branch.

:func:`key_for` wraps a comparator for ``sorted``/``min``/``max``; :func:`branch_index` says
which branch of a union a bare value belongs to.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cmp_to_key
from typing import Any

from pfa.avro.data import union_branch
from pfa.avro.types import (
    AvroArray,
    AvroEnum,
    AvroMap,
    AvroNamed,
    AvroRecord,
    AvroType,
    AvroUnion,
)

Comparator = Callable[[Any, Any], int]


def compare_for(t: AvroType) -> Comparator:
    """The comparator of Avro type ``t``: ``cmp(a, b)`` is -1, 0 or 1 as ``a`` sorts before,
    with or after ``b`` (see the module docstring for the order). Build it once per type (at
    compile time) and call it per value pair."""
    return _build(t, {})


def key_for(t: AvroType) -> Callable[[Any], Any]:
    """A ``key=`` function for ``sorted``, ``min``, ``max`` that sorts values of ``t`` in Avro
    order (``functools.cmp_to_key`` of :func:`compare_for`)."""
    return cmp_to_key(compare_for(t))


def branch_index(t: AvroUnion, value: Any) -> int:
    """The index of the branch of union ``t`` that holds the bare engine value ``value``."""
    branch = union_branch(t, value)
    for i, b in enumerate(t.types):
        if b is branch:
            return i
    return t.types.index(branch)


# ---------------------------------------------------------------------------------------------

def _cmp_plain(a: Any, b: Any) -> int:
    """Python's own order (booleans, integers, strings by code point, bytes by unsigned byte)."""
    return -1 if a < b else (1 if a > b else 0)


def _cmp_null(a: Any, b: Any) -> int:
    return 0


def _cmp_number(a: float, b: float) -> int:
    if a < b:
        return -1
    if a > b:
        return 1
    if a == b:
        return 0
    a_nan = a != a
    b_nan = b != b
    if a_nan and b_nan:
        return 0
    return 1 if a_nan else -1


def _build(t: AvroType, memo: dict[str, Comparator]) -> Comparator:
    if isinstance(t, AvroNamed):
        key = f"{t.name}:{t.fullname}"
        if key in memo:
            return memo[key]
        cell: list[Comparator] = []
        memo[key] = lambda a, b: cell[0](a, b)  # placeholder: recursive types refer to it
        built = _build_named(t, memo)
        cell.append(built)
        memo[key] = built
        return built
    kind = t.name
    if kind == "null":
        return _cmp_null
    if kind in ("float", "double", "int", "long"):
        return _cmp_number if kind in ("float", "double") else _cmp_plain
    if kind in ("boolean", "string", "bytes"):
        return _cmp_plain
    if isinstance(t, AvroArray):
        return _array_cmp(_build(t.items, memo))
    if isinstance(t, AvroMap):
        return _map_cmp(_build(t.values, memo))
    if isinstance(t, AvroUnion):
        return _union_cmp(t, [_build(b, memo) for b in t.types])
    raise TypeError(f"no sort order for Avro type {t}")


def _build_named(t: AvroNamed, memo: dict[str, Comparator]) -> Comparator:
    if isinstance(t, AvroEnum):
        index = t.index

        def cmp_enum(a: str, b: str) -> int:
            return _cmp_plain(index(a), index(b))
        return cmp_enum
    if isinstance(t, AvroRecord):
        fields = [(f.name, _build(f.type, memo), f.order == "descending")
                  for f in t.fields if f.order != "ignore"]

        def cmp_record(a: dict, b: dict) -> int:
            for name, cmp, descending in fields:
                c = cmp(a[name], b[name])
                if c:
                    return -c if descending else c
            return 0
        return cmp_record
    return _cmp_plain  # fixed: unsigned bytes


def _array_cmp(item: Comparator) -> Comparator:
    def cmp_array(a: list, b: list) -> int:
        for x, y in zip(a, b):
            c = item(x, y)
            if c:
                return c
        return _cmp_plain(len(a), len(b))
    return cmp_array


def _map_cmp(value: Comparator) -> Comparator:
    def cmp_map(a: dict, b: dict) -> int:
        ka = sorted(a)
        kb = sorted(b)
        for x, y in zip(ka, kb):
            if x != y:
                return -1 if x < y else 1
            c = value(a[x], b[y])
            if c:
                return c
        return _cmp_plain(len(ka), len(kb))
    return cmp_map


def _union_cmp(t: AvroUnion, branches: list[Comparator]) -> Comparator:
    def cmp_union(a: Any, b: Any) -> int:
        ia = branch_index(t, a)
        ib = branch_index(t, b)
        if ia != ib:
            return -1 if ia < ib else 1
        return branches[ia](a, b)
    return cmp_union
