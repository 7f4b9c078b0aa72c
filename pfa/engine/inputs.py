"""Checking input data against the input type, fast.

:func:`fast_checker` compiles an Avro type into a predicate that accepts exactly the
canonical engine values (float fields hold Python floats, arrays are lists …) without building
error paths; it is a sufficient test, run on every ``action``. Only when it says no does the
engine run :func:`pfa.avro.data.validate` (which reports the path of the mismatch) and, if the
datum is acceptable but not canonical (an int where a double is expected, a tuple for an
array), :func:`normalize` turns it into the canonical representation.
"""

from __future__ import annotations

from collections.abc import Callable
from operator import itemgetter
from typing import Any

from pfa.avro.data import to_float32 as f32
from pfa.avro.types import (
    AvroArray,
    AvroEnum,
    AvroFixed,
    AvroMap,
    AvroRecord,
    AvroType,
    AvroUnion,
)

INT_MIN, INT_MAX = -(2**31), 2**31 - 1
LONG_MIN, LONG_MAX = -(2**63), 2**63 - 1

_SIMPLE = {"null": type(None), "boolean": bool, "float": float, "double": float,
           "string": str, "bytes": bytes}

Check = Callable[[Any], bool]


def _simple_types(t: AvroType) -> frozenset[type] | None:
    """The Python types of a primitive type (without int ranges) or of a union of such
    types: the values of ``t`` are exactly the values of these Python types; else None."""
    if t.name in _SIMPLE:
        return frozenset((_SIMPLE[t.name],))
    if isinstance(t, AvroUnion) and all(b.name in _SIMPLE for b in t.types):
        return frozenset(_SIMPLE[b.name] for b in t.types)
    return None


def _grouped_simple_fields(t: AvroRecord
                           ) -> tuple[tuple[frozenset[type], Callable[[dict], tuple]], ...]:
    """The fields of record ``t`` whose values are told by their Python type alone, grouped
    by that set of types: ``((types, values_of), ...)`` where ``values_of(record)`` is the
    tuple of those fields' values (raising KeyError for a missing field), so a record of
    twenty nullable doubles is checked by a few C-level calls."""
    groups: dict[frozenset[type], list[str]] = {}
    for f in t.fields:
        types = _simple_types(f.type)
        if types is not None:
            groups.setdefault(types, []).append(f.name)
    out = []
    for types, names in groups.items():
        if len(names) == 1:
            name = names[0]
            out.append((types, lambda v, name=name: (v[name],)))
        else:
            out.append((types, itemgetter(*names)))
    return tuple(out)


def fast_checker(t: AvroType, _memo: dict[int, Check] | None = None) -> Check:
    """A predicate true for canonical engine values of type ``t``."""
    memo = {} if _memo is None else _memo
    key = id(t)
    if key in memo:
        return memo[key]
    n = t.name
    if n in _SIMPLE:
        tp = _SIMPLE[n]
        return lambda v: type(v) is tp
    if n == "int":
        return lambda v: type(v) is int and INT_MIN <= v <= INT_MAX
    if n == "long":
        return lambda v: type(v) is int and LONG_MIN <= v <= LONG_MAX
    if isinstance(t, AvroFixed):
        size = t.size
        return lambda v: type(v) is bytes and len(v) == size
    if isinstance(t, AvroEnum):
        symbols = frozenset(t.symbols)
        return lambda v: type(v) is str and v in symbols
    if isinstance(t, AvroArray):
        if t.items.name in _SIMPLE:
            tp = _SIMPLE[t.items.name]
            return lambda v: type(v) is list and all(type(x) is tp for x in v)
        item = fast_checker(t.items, memo)
        return lambda v: type(v) is list and all(item(x) for x in v)
    if isinstance(t, AvroMap):
        if t.values.name in _SIMPLE:
            tp = _SIMPLE[t.values.name]
            return lambda v: type(v) is dict and all(type(x) is tp for x in v.values())
        val = fast_checker(t.values, memo)
        return lambda v: type(v) is dict and all(val(x) for x in v.values())
    if isinstance(t, AvroUnion):
        types = _simple_types(t)
        if types is not None:
            return lambda v: type(v) in types
        branches = tuple(fast_checker(b, memo) for b in t.types)
        if len(branches) == 2:
            b1, b2 = branches
            return lambda v: b1(v) or b2(v)
        return lambda v: any(b(v) for b in branches)
    if isinstance(t, AvroRecord):
        cell: list[Check] = []

        def record_check(v: Any) -> bool:
            return cell[0](v)
        memo[key] = record_check  # recursive records refer to themselves through the memo
        simple = _grouped_simple_fields(t)
        others = tuple((f.name, fast_checker(f.type, memo)) for f in t.fields
                       if _simple_types(f.type) is None)
        nfields = len(t.fields)

        def check(v: Any) -> bool:
            if type(v) is not dict or len(v) != nfields:
                return False
            try:
                for tps, values_of in simple:
                    if not set(map(type, values_of(v))) <= tps:
                        return False
                for name, c in others:
                    if not c(v[name]):
                        return False
            except KeyError:
                return False
            return True
        cell.append(check)
        memo[key] = check
        return check
    return lambda v: False


def normalize(t: AvroType, v: Any) -> Any:
    """The canonical engine value of an acceptable datum ``v`` of type ``t`` (ints where
    floating point is expected become floats, tuples become lists)."""
    n = t.name
    if n == "double":
        return float(v) if type(v) is not float else v
    if n == "float":
        return f32(float(v)) if type(v) is not float else v
    if isinstance(t, AvroArray):
        return [normalize(t.items, x) for x in v]
    if isinstance(t, AvroMap):
        return {k: normalize(t.values, x) for k, x in v.items()}
    if isinstance(t, AvroRecord):
        return {f.name: normalize(f.type, v[f.name]) for f in t.fields}
    if isinstance(t, AvroUnion):
        from pfa.avro.data import union_branch

        if any(fast_checker(b)(v) for b in t.types):
            return v
        return normalize(union_branch(t, v), v)
    return v
