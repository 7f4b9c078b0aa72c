"""The ``parse.*`` library: integers in any base 2–36 and floating-point numbers from strings.

Strings are stripped of leading/trailing whitespace and read case-insensitively.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal

import numpy as np

from pfa.lib.numeric import INT_MAX, INT_MIN, LONG_MAX, LONG_MIN, f32
from pfa.lib.registry import error, scalar

_INTEGER = re.compile(r"[-+]?[0-9a-z]+")
_FLOATING = re.compile(r"[-+]?(\.?[0-9]+|[0-9]+\.[0-9]*)([e][-+]?[0-9]+)?")
_SPECIAL = {"nan": math.nan, "inf": math.inf, "+inf": math.inf, "-inf": -math.inf}


def _parse_integer(text: str, base: int, lo: int, hi: int, code: int) -> int:
    if base < 2 or base > 36:
        raise error(code + 1)
    s = text.strip().lower()
    if not _INTEGER.fullmatch(s):
        raise error(code)
    digits = s.lstrip("+-")
    if any(int(c, 36) >= base for c in digits):
        raise error(code)
    digits = digits.lstrip("0") or "0"
    if len(digits) > 64:  # over any long in any base (and over Python's 4300-digit limit)
        raise error(code)
    value = int(digits, base)
    if s.startswith("-"):
        value = -value
    if not lo <= value <= hi:
        raise error(code)
    return value


@scalar("parse.int")
def parse_int(text: str, base: int) -> int:
    return _parse_integer(text, base, INT_MIN, INT_MAX, 33000)


@scalar("parse.long")
def parse_long(text: str, base: int) -> int:
    return _parse_integer(text, base, LONG_MIN, LONG_MAX, 33010)


def _parse_floating(text: str, code: int) -> tuple[str, float]:
    s = text.strip().lower()
    if s in _SPECIAL:
        return s, _SPECIAL[s]
    if not _FLOATING.fullmatch(s):
        raise error(code)
    return s, float(s)


def decimal_to_f32(s: str, d: float) -> float:
    """The float32 nearest to the decimal string ``s`` whose nearest double is ``d``.

    Rounding ``d`` to float32 is correct except when ``d`` lands exactly on the midpoint of
    two float32 values; then the exact decimal decides (one rounding, as ``Float.parseFloat``).
    """
    f = f32(d)
    if not math.isfinite(f) or f == d:
        return f
    with np.errstate(all="ignore"):
        neighbour = float(np.nextafter(np.float32(f), np.float32(math.copysign(math.inf, d - f))))
    midpoint = (f + neighbour) / 2  # exact in double: float32 values have 24-bit mantissas
    if d != midpoint:
        return f
    exact = Decimal(s)
    mid = Decimal(midpoint)
    if exact == mid:
        return f
    toward_neighbour = (exact > mid) == (neighbour > f)
    return neighbour if toward_neighbour else f


@scalar("parse.float")
def parse_float(text: str) -> float:
    s, d = _parse_floating(text, 33020)
    if s in _SPECIAL:
        return d
    return decimal_to_f32(s, d)


@scalar("parse.double")
def parse_double(text: str) -> float:
    return _parse_floating(text, 33030)[1]
