"""Runtime of the ``pack`` and ``unpack`` special forms, built from the parsed format
specifiers of :mod:`pfa.document.formats` (the same parser the reader and checker use)."""

from __future__ import annotations

import struct
from collections.abc import Callable
from typing import Any

from pfa.avro.data import to_float32 as f32
from pfa.document.formats import BinaryFormat, parse_format
from pfa.errors import PfaRuntimeError, PfaSemanticError

Packer = Callable[[Any], bytes]
Unpacker = Callable[[bytes, int], tuple[Any, int]]


class ShortInput(Exception):
    """The bytes end before an unpack format is satisfied."""


def _format(spec: str, pack: bool) -> BinaryFormat:
    fmt = parse_format(spec, pack=pack)
    if fmt is None:
        raise PfaSemanticError(f"unrecognised {'pack' if pack else 'unpack'} format {spec!r}")
    return fmt


def _struct(fmt: BinaryFormat) -> struct.Struct:
    order = "<" if fmt.little_endian else ">"
    if fmt.kind == "float":
        return struct.Struct(order + ("f" if fmt.size == 4 else "d"))
    code = {1: "b", 2: "h", 4: "i", 8: "q"}[fmt.size or 0]
    return struct.Struct(order + (code if fmt.signed else code.upper()))


def packer(spec: str) -> Packer:
    """``pack(value) -> bytes`` for one format specifier."""
    fmt = _format(spec, pack=True)
    if fmt.kind == "pad":
        return lambda v: b"\x00"
    if fmt.kind == "boolean":
        return lambda v: b"\x01" if v else b"\x00"
    if fmt.kind == "float":
        st = _struct(fmt)
        return (lambda v: st.pack(f32(float(v)))) if fmt.size == 4 else (
            lambda v: st.pack(float(v)))
    if fmt.kind == "int":
        st = _struct(fmt)
        bits = 8 * (fmt.size or 0)
        mask = (1 << bits) - 1
        if not fmt.signed:
            return lambda v: st.pack(int(v) & mask)
        half = 1 << (bits - 1)
        return lambda v: st.pack(((int(v) + half) & mask) - half)  # wrap to the width
    if fmt.kind == "raw":
        size = fmt.size
        if size is None:
            return lambda v: v

        def raw_sized(v: bytes) -> bytes:
            if len(v) != size:
                raise PfaRuntimeError(3000, "raw bytes does not have specified size", "pack")
            return v
        return raw_sized
    if fmt.kind == "nullterminated":
        return lambda v: v + b"\x00"

    def length_prefixed(v: bytes) -> bytes:
        if len(v) > 255:
            raise PfaRuntimeError(3001, "length prefixed bytes is larger than 255 bytes", "pack")
        return bytes((len(v),)) + v
    return length_prefixed


def _fixed(size: int, read: Callable[[bytes, int], Any]) -> Unpacker:
    def step(data: bytes, pos: int) -> tuple[Any, int]:
        end = pos + size
        if end > len(data):
            raise ShortInput
        return read(data, pos), end
    return step


def unpacker(spec: str) -> Unpacker:
    """``step(data, pos) -> (value, new_pos)``; raises :class:`ShortInput` past the end."""
    fmt = _format(spec, pack=False)
    if fmt.kind == "pad":
        return _fixed(1, lambda data, pos: None)
    if fmt.kind == "boolean":
        return _fixed(1, lambda data, pos: data[pos] != 0)
    if fmt.kind in ("int", "float"):
        st = _struct(fmt)
        if fmt.kind == "int" and fmt.size == 8 and not fmt.signed:  # read as double
            return _fixed(8, lambda data, pos: float(st.unpack_from(data, pos)[0]))
        return _fixed(st.size, lambda data, pos: st.unpack_from(data, pos)[0])
    if fmt.kind == "raw":
        n = fmt.size or 0
        return _fixed(n, lambda data, pos: bytes(data[pos:pos + n]))
    if fmt.kind == "nullterminated":
        def null_terminated(data: bytes, pos: int) -> tuple[Any, int]:
            end = data.find(b"\x00", pos)
            if end < 0:
                raise ShortInput
            return bytes(data[pos:end]), end + 1
        return null_terminated

    def length_prefixed(data: bytes, pos: int) -> tuple[Any, int]:
        if pos + 1 > len(data):
            raise ShortInput
        n = data[pos]
        if pos + 1 + n > len(data):
            raise ShortInput
        return bytes(data[pos + 1:pos + 1 + n]), pos + 1 + n
    return length_prefixed
