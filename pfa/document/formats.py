r"""Format specifiers of the ``pack`` and ``unpack`` special forms.

Each specifier is a string such as ``"int"``, ``"little unsigned short"``, ``"raw 4"`` or
``"null terminated"``. :func:`parse_format` turns it into a :class:`BinaryFormat` that says
what it reads or writes and its PFA type; the reader, the checker and the engine all use
it.

Spec §"Extracting values from binary: the unpack special form" writes the variable-width
specifiers as ``\s*null\s*?terminated\s*`` and ``\s*length\s*?prefixed\s*``. A lazy
``\s*?`` would mean nothing in a whole-string match, so the ``?`` is read as making the first
word optional (the group's parentheses were lost in typesetting, as the brackets of
``raw\s*[0-9]+`` were): ``"terminated"`` and ``"prefixed"`` alone are accepted, as the
reference implementations accept them.

``raw N`` accepts any digit string. No bytes value can be longer than :data:`RAW_SIZE_CAP`,
so a larger N is clamped to it (same behaviour: unpack never matches, pack raises #3000)
without converting thousands of digits to an int.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pfa.avro.types import BOOLEAN, BYTES, DOUBLE, FLOAT, INT, LONG, NULL, AvroType

_E = r"(?P<endian><|>|!|little|big|network)?"
_U = r"unsigned"

_FIXED: list[tuple[str, str, int, bool, AvroType]] = [
    # (regex body, kind, size in bytes, signed, PFA type)
    (r"pad", "pad", 1, False, NULL),
    (r"boolean", "boolean", 1, False, BOOLEAN),
    (rf"{_U}\s*(byte|int8)", "int", 1, False, INT),
    (r"(byte|int8)", "int", 1, True, INT),
    (rf"{_E}\s*({_U}\s*short|{_U}\s*int16)", "int", 2, False, INT),
    (rf"{_E}\s*(short|int16)", "int", 2, True, INT),
    (rf"{_E}\s*({_U}\s*int|{_U}\s*int32)", "int", 4, False, LONG),
    (rf"{_E}\s*(int|int32)", "int", 4, True, INT),
    (rf"{_E}\s*({_U}\s*long|{_U}\s*long\s+long|{_U}\s*int64)", "int", 8, False, DOUBLE),
    (rf"{_E}\s*(long|long\s+long|int64)", "int", 8, True, LONG),
    (rf"{_E}\s*(float|float32)", "float", 4, True, FLOAT),
    (rf"{_E}\s*(double|float64)", "float", 8, True, DOUBLE),
]
# The spec's patterns all begin and end with \s*; the specifier is stripped first (str.strip
# removes exactly the characters \s matches) so that no two \s* are adjacent: "\s*\E?\s*" on
# a long run of spaces backtracks quadratically.
_COMPILED = [(re.compile(body), kind, size, signed, t) for body, kind, size, signed, t in _FIXED]
_RAW_N = re.compile(r"raw\s*(?P<n>[0-9]+)")
_RAW = re.compile(r"raw")
_NULL_TERMINATED = re.compile(r"(null\s*)?terminated")
_LENGTH_PREFIXED = re.compile(r"(length\s*)?prefixed")

RAW_SIZE_CAP = 1 << 62
"""Larger than any bytes value; ``raw N`` sizes above it are clamped to it."""


def _raw_size(digits: str) -> int:
    digits = digits.lstrip("0") or "0"
    if len(digits) > len(str(RAW_SIZE_CAP)):
        return RAW_SIZE_CAP
    return min(int(digits), RAW_SIZE_CAP)


@dataclass(frozen=True)
class BinaryFormat:
    """One parsed format specifier.

    ``kind`` is "pad", "boolean", "int" (integers of ``size`` bytes, ``signed`` or not),
    "float" (IEEE 754 of 4 or 8 bytes), "raw" (``size`` bytes, or any number when ``size`` is
    None, pack only), "nullterminated" or "lengthprefixed". ``little_endian`` is False unless
    "<" or "little" was given. ``type`` is the PFA type read or written.
    """

    kind: str
    type: AvroType
    size: int | None = None
    signed: bool = True
    little_endian: bool = False


def parse_format(spec: str, *, pack: bool = False) -> BinaryFormat | None:
    """Parse a format specifier; None if it is not valid (bare "raw" is valid for pack only)."""
    if not isinstance(spec, str):
        return None
    spec = spec.strip()
    for rx, kind, size, signed, t in _COMPILED:
        m = rx.fullmatch(spec)
        if m:
            endian = m.groupdict().get("endian")
            return BinaryFormat(kind, t, size, signed, endian in ("<", "little"))
    m = _RAW_N.fullmatch(spec)
    if m:
        return BinaryFormat("raw", BYTES, _raw_size(m.group("n")))
    if pack and _RAW.fullmatch(spec):
        return BinaryFormat("raw", BYTES, None)
    if _NULL_TERMINATED.fullmatch(spec):
        return BinaryFormat("nullterminated", BYTES)
    if _LENGTH_PREFIXED.fullmatch(spec):
        return BinaryFormat("lengthprefixed", BYTES)
    return None
