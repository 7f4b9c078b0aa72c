"""Hypothesis strategies for Avro types and the engine values that conform to them.

    from strategies import avro_types, values_of, values_equal

    @given(st.data())
    def test_something(data):
        t = data.draw(avro_types(max_depth=3))
        v = data.draw(values_of(t))

``avro_types`` draws valid types: every kind, named types with and without namespaces
(unique names within one drawn type, so ``to_json`` is faithful), references to named types
defined earlier in the same type, and recursive records (a record reached again through
``["null", R]``, an array or a map, so every record has finite values). ``values_of(t)``
draws conforming engine values (floats of type float are exactly float32).
``values_equal`` compares values treating NaN as equal to NaN.
"""

from __future__ import annotations

import math
import string
from typing import Any

from hypothesis import strategies as st

from pfa.avro.types import (
    PRIMITIVES,
    AvroArray,
    AvroEnum,
    AvroField,
    AvroFixed,
    AvroMap,
    AvroNamed,
    AvroRecord,
    AvroType,
    AvroUnion,
)

__all__ = ["avro_types", "values_of", "values_equal", "min_value"]

_PRIMITIVE_TYPES = list(PRIMITIVES.values())
_NAMESPACES = [None, None, "ns", "com.example"]
_KINDS = ["primitive", "primitive", "fixed", "enum", "array", "map", "record", "union",
          "reference"]
_IDENTS = st.builds(str.__add__, st.sampled_from(string.ascii_letters + "_"),
                    st.text(string.ascii_letters + string.digits + "_", max_size=5))


class _TypeDrawer:
    """Draws one type tree; remembers its named types and the records still being built."""

    def __init__(self, draw: Any, prefix: str):
        self.draw = draw
        self.prefix = prefix
        self.named: list[AvroNamed] = []
        self.open_records: list[AvroRecord] = []

    def new_name(self) -> tuple[str, str | None]:
        return f"{self.prefix}{len(self.named)}", self.draw(st.sampled_from(_NAMESPACES))

    def type(self, depth: int, in_union: bool = False) -> AvroType:
        kinds = _KINDS if depth > 0 else ["primitive", "fixed", "enum", "reference"]
        if in_union:
            kinds = [k for k in kinds if k != "union"]
        kind = self.draw(st.sampled_from(kinds))
        return getattr(self, f"_{kind}")(depth)

    def _primitive(self, depth: int) -> AvroType:
        return self.draw(st.sampled_from(_PRIMITIVE_TYPES))

    def _fixed(self, depth: int) -> AvroType:
        name, ns = self.new_name()
        t = AvroFixed(name, self.draw(st.integers(0, 6)), ns)
        self.named.append(t)
        return t

    def _enum(self, depth: int) -> AvroType:
        name, ns = self.new_name()
        symbols = self.draw(st.lists(_IDENTS, min_size=1, max_size=5, unique=True))
        t = AvroEnum(name, symbols, ns)
        self.named.append(t)
        return t

    def _array(self, depth: int) -> AvroType:
        if self.open_records and self.draw(st.integers(0, 4)) == 0:
            return AvroArray(self.draw(st.sampled_from(self.open_records)))
        return AvroArray(self.type(depth - 1))

    def _map(self, depth: int) -> AvroType:
        if self.open_records and self.draw(st.integers(0, 4)) == 0:
            return AvroMap(self.draw(st.sampled_from(self.open_records)))
        return AvroMap(self.type(depth - 1))

    def _reference(self, depth: int) -> AvroType:
        done = [t for t in self.named if t not in self.open_records]
        if not done:
            return self._primitive(depth)
        return self.draw(st.sampled_from(done))

    def _record(self, depth: int) -> AvroType:
        name, ns = self.new_name()
        rec = AvroRecord(name, (), ns)
        self.named.append(rec)
        self.open_records.append(rec)
        names = self.draw(st.lists(_IDENTS, max_size=4, unique=True))
        fields = []
        for fname in names:
            if self.draw(st.integers(0, 5)) == 0:  # a recursive reference
                back = self.draw(st.sampled_from(self.open_records))
                ftype: AvroType = AvroUnion((PRIMITIVES["null"], back))
            else:
                ftype = self.type(depth - 1)
            fields.append(AvroField(fname, ftype))
        rec.set_fields(fields)
        self.open_records.remove(rec)
        return rec

    def _union(self, depth: int) -> AvroType:
        branches: list[AvroType] = []
        keys: set[str] = set()
        for _ in range(self.draw(st.integers(1, 4))):
            b = self.type(depth - 1, in_union=True)
            key = b.fullname if isinstance(b, AvroNamed) else b.name
            if key not in keys:
                keys.add(key)
                branches.append(b)
        return AvroUnion(tuple(branches))


@st.composite
def avro_types(draw: Any, max_depth: int = 3, prefix: str = "T") -> AvroType:
    """A strategy for valid Avro types nested at most ``max_depth`` levels.

    Named types are called ``<prefix>0``, ``<prefix>1`` …; give types drawn for one test
    different prefixes when they must not define the same name differently."""
    return _TypeDrawer(draw, prefix).type(max_depth)


def min_value(t: AvroType, _open: frozenset = frozenset()) -> Any:
    """The smallest engine value of ``t`` (always finite, even for recursive records)."""
    if isinstance(t, AvroUnion):
        safe = [b for b in t.types if not (isinstance(b, AvroRecord) and b in _open)]
        return min_value(safe[0], _open)
    if isinstance(t, AvroRecord):
        return {f.name: min_value(f.type, _open | {t}) for f in t.fields}
    if isinstance(t, AvroFixed):
        return bytes(t.size)
    if isinstance(t, AvroEnum):
        return t.symbols[0]
    if isinstance(t, AvroArray):
        return []
    if isinstance(t, AvroMap):
        return {}
    return {"null": None, "boolean": False, "int": 0, "long": 0, "float": 0.0,
            "double": 0.0, "string": "", "bytes": b""}[t.name]


_MAP_KEYS = st.text(max_size=6).filter(lambda k: k != "@")  # "@" is a locator mark in JSON


def _primitive_values(name: str, allow_nan: bool) -> st.SearchStrategy[Any]:
    return {
        "null": st.none(),
        "boolean": st.booleans(),
        "int": st.integers(-(2**31), 2**31 - 1),
        "long": st.integers(-(2**63), 2**63 - 1),
        "float": st.floats(width=32, allow_nan=allow_nan),
        "double": st.floats(allow_nan=allow_nan),
        "string": st.text(max_size=10),
        "bytes": st.binary(max_size=10),
    }[name]


def values_of(t: AvroType, max_depth: int = 3, allow_nan: bool = True) -> st.SearchStrategy:
    """A strategy for engine values of type ``t``; records nest at most ``max_depth`` deep
    (deeper, recursive records take their :func:`min_value`)."""
    if isinstance(t, AvroUnion):
        if max_depth <= 0:
            return st.just(min_value(t))
        return st.one_of([values_of(b, max_depth, allow_nan) for b in t.types])
    if isinstance(t, AvroRecord):
        if max_depth <= 0:
            return st.just(min_value(t))
        return st.fixed_dictionaries(
            {f.name: values_of(f.type, max_depth - 1, allow_nan) for f in t.fields})
    if isinstance(t, AvroFixed):
        return st.binary(min_size=t.size, max_size=t.size)
    if isinstance(t, AvroEnum):
        return st.sampled_from(t.symbols)
    if isinstance(t, AvroArray):
        if max_depth <= 0:
            return st.just([])
        return st.lists(values_of(t.items, max_depth - 1, allow_nan), max_size=4)
    if isinstance(t, AvroMap):
        if max_depth <= 0:
            return st.just({})
        return st.dictionaries(_MAP_KEYS, values_of(t.values, max_depth - 1, allow_nan),
                               max_size=4)
    return _primitive_values(t.name, allow_nan)


def values_equal(a: Any, b: Any) -> bool:
    """Deep equality of engine values where NaN equals NaN and types must match."""
    if isinstance(a, float) and isinstance(b, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    if type(a) is not type(b):
        return False
    if isinstance(a, list):
        return len(a) == len(b) and all(values_equal(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(values_equal(a[k], b[k]) for k in a)
    return a == b
