"""Avro types ↔ ONNX tensor element types.

double → DOUBLE (never narrowed to float), float → FLOAT, int and long → INT64, boolean →
BOOL, string and enum symbols → STRING. A union of null and a number is a double tensor that
carries null as NaN; a union of null and a string is a string tensor plus a boolean input
``<field>.isnull``.
"""

from __future__ import annotations

from typing import Any

from onnx import TensorProto

from pfa.avro.types import AvroEnum, AvroType, AvroUnion

ELEMS = {"double": TensorProto.DOUBLE, "float": TensorProto.FLOAT, "int": TensorProto.INT64,
         "long": TensorProto.INT64, "boolean": TensorProto.BOOL, "string": TensorProto.STRING}
NUMBERS = ("int", "long", "float", "double")


def scalar_kind(t: Any) -> str | None:
    """The primitive name of a scalar type ("enum" values are their symbols: "string")."""
    if isinstance(t, AvroEnum):
        return "string"
    if isinstance(t, AvroType) and t.name in ELEMS:
        return t.name
    return None


def leaf_kind(t: Any) -> str | None:
    """The scalar kind of ``t`` or of the items of (nested) arrays of ``t``."""
    from pfa.avro.types import AvroArray

    while isinstance(t, AvroArray):
        t = t.items
    return scalar_kind(t)


def elem_of(t: Any, where: Any, cx: Any) -> int:
    """The ONNX element type of scalar type (or primitive name) ``t``; refused otherwise."""
    name = t if isinstance(t, str) else scalar_kind(t)
    if name not in ELEMS:
        cx.refuse(where, f"values of type {t} have no ONNX tensor form")
    return ELEMS[name]


def nullable_base(t: AvroType) -> AvroType | None:
    """``X`` of a union ``[null, X]`` (either order), else None."""
    if isinstance(t, AvroUnion) and len(t.types) == 2 and any(b.name == "null" for b in t.types):
        return next(b for b in t.types if b.name != "null")
    return None
