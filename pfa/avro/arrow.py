"""The Arrow type of an Avro type (``pyarrow`` is imported with this module, so only code
that handles Arrow data imports it): ``int`` → int32, ``long`` → int64, ``float`` →
float32, ``double`` → float64, ``string`` and ``enum`` → string, ``bytes`` and ``fixed`` →
binary, ``array`` → list, ``map`` → map<string, …>, ``record`` → struct, ``["null", T]`` → T
(nullable); a union of several non-null types or a recursive record has none."""

from __future__ import annotations

import pyarrow as pa

from pfa.avro.types import (
    AvroArray,
    AvroEnum,
    AvroFixed,
    AvroMap,
    AvroRecord,
    AvroType,
    AvroUnion,
)

_PRIMITIVE_ARROW = {
    "null": pa.null(), "boolean": pa.bool_(), "int": pa.int32(), "long": pa.int64(),
    "float": pa.float32(), "double": pa.float64(), "string": pa.string(),
    "bytes": pa.binary(),
}


def arrow_type(t: AvroType, _open: frozenset[int] = frozenset()) -> pa.DataType | None:
    """The Arrow type holding the values of Avro type ``t``; None when there is none (a
    union of several non-null types, a recursive record): such values are JSON text."""
    if t.name in _PRIMITIVE_ARROW:
        return _PRIMITIVE_ARROW[t.name]
    if isinstance(t, AvroEnum):
        return pa.string()
    if isinstance(t, AvroFixed):
        return pa.binary(t.size)
    if isinstance(t, AvroArray):
        item = arrow_type(t.items, _open)
        return None if item is None else pa.list_(pa.field("item", item, admits_null(t.items)))
    if isinstance(t, AvroMap):
        value = arrow_type(t.values, _open)
        return None if value is None else pa.map_(
            pa.string(), pa.field("value", value, admits_null(t.values)))
    if isinstance(t, AvroUnion):
        rest = [b for b in t.types if b.name != "null"]
        return arrow_type(rest[0], _open) if len(rest) == 1 else None
    if isinstance(t, AvroRecord):
        if id(t) in _open:
            return None
        inner = _open | {id(t)}
        fields = []
        for f in t.fields:
            ft = arrow_type(f.type, inner)
            if ft is None:
                return None
            fields.append(pa.field(f.name, ft, admits_null(f.type)))
        return pa.struct(fields)
    return None


def admits_null(t: AvroType) -> bool:
    """Whether ``t`` is null or a union with a null branch."""
    return t.name == "null" or (isinstance(t, AvroUnion) and any(b.name == "null"
                                                                  for b in t.types))
