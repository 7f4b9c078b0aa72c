"""String manipulation library (``s.*``).

Strings are Python ``str`` values; lengths and indexes count Unicode code points. Index
arguments follow Python's slice rules (negative indexes count from the right, out-of-range
indexes are truncated).
"""

from __future__ import annotations

import math
from collections.abc import Callable

from pfa.errors import PfaRuntimeError
from pfa.lib.registry import CallSite, scalar, specialized


def slice_bounds(length: int, start: int, end: int) -> tuple[int, int]:
    """Normalize ``start``/``end`` with Python slice rules; ``end`` is never before ``start``."""
    lo, hi, _ = slice(start, end).indices(length)
    return lo, max(lo, hi)


@scalar("s.len")
def s_len(s: str) -> int:
    """Number of code points."""
    return len(s)


@scalar("s.substr")
def s_substr(s: str, start: int, end: int) -> str:
    """Substring with Python slice semantics."""
    return s[start:end]


@scalar("s.substrto")
def s_substrto(s: str, start: int, end: int, replacement: str) -> str:
    """Replace the slice ``[start:end]`` (an insertion point if empty) with ``replacement``."""
    lo, hi = slice_bounds(len(s), start, end)
    return s[:lo] + replacement + s[hi:]


@scalar("s.contains")
def s_contains(haystack: str, needle: str) -> bool:
    return needle in haystack


@scalar("s.count")
def s_count(haystack: str, needle: str) -> int:
    """Non-overlapping occurrences; zero for an empty needle."""
    return haystack.count(needle) if needle else 0


@scalar("s.index")
def s_index(haystack: str, needle: str) -> int:
    return haystack.find(needle)


@scalar("s.rindex")
def s_rindex(haystack: str, needle: str) -> int:
    return haystack.rfind(needle)


@scalar("s.startswith")
def s_startswith(haystack: str, needle: str) -> bool:
    return haystack.startswith(needle)


@scalar("s.endswith")
def s_endswith(haystack: str, needle: str) -> bool:
    return haystack.endswith(needle)


@scalar("s.join")
def s_join(array: list[str], sep: str) -> str:
    return sep.join(array)


@scalar("s.split")
def s_split(s: str, sep: str) -> list[str]:
    """Python's ``str.split(sep)``; an empty separator gives an empty array."""
    return s.split(sep) if sep else []


def _pad(text: str, width: int, zero_pad: bool, code: int, name: str) -> str:
    """Right-justify to ``width`` (left-justify if negative), optionally with zeros."""
    if zero_pad:
        if width < 0:
            raise PfaRuntimeError(code, "negative width cannot be used with zero-padding", name)
        sign = "-" if text.startswith("-") else ""
        digits = text[len(sign):]
        return sign + digits.rjust(width - len(sign), "0")
    if width < 0:
        return text.ljust(-width)
    return text.rjust(width)


@scalar("s.hex")
def s_hex(x: int, width: int | None = None, zero_pad: bool = False) -> str:
    """Lowercase hexadecimal of a non-negative long, optionally padded."""
    if x < 0:
        raise PfaRuntimeError(39111, "negative number", "s.hex")
    text = format(x, "x")
    return text if width is None else _pad(text, width, zero_pad, 39110, "s.hex")


@scalar("s.int")
def s_int(x: int, width: int | None = None, zero_pad: bool = False) -> str:
    """Decimal form of a long, optionally padded."""
    text = str(x)
    return text if width is None else _pad(text, width, zero_pad, 39240, "s.int")


def format_number(x: float, width: int | None, precision: int | None,
                  min_no_exp: float = 0.0001, max_no_exp: float = 100000.0) -> str:
    """The floating-point form of ``s.number`` (see the specification's details)."""
    if precision is not None and precision < 0:
        raise PfaRuntimeError(39121, "negative precision", "s.number")
    if x == 0.0:
        x = 0.0  # drop the sign of negative zero
    if math.isnan(x) or math.isinf(x):
        text = "nan" if math.isnan(x) else ("inf" if x > 0 else "-inf")
    else:
        magnitude = abs(x)
        fixed = magnitude == 0.0 or min_no_exp <= magnitude <= max_no_exp
        digits = 6 if precision is None else precision
        text = format(x, f".{digits}{'f' if fixed else 'e'}")
        mantissa, e, exponent = text.partition("e")
        if precision is None and "." in mantissa:
            mantissa = mantissa.rstrip("0")
        if "." not in mantissa:
            mantissa += "."
        if mantissa.endswith("."):
            mantissa += "0"
        text = mantissa + e + exponent
    if width is None:
        return text
    return text.ljust(-width) if width < 0 else text.rjust(width)


@specialized("s.number")
def s_number(site: CallSite) -> Callable[..., str]:
    """Integers (deprecated signatures) like ``s.int``; doubles with optional precision."""
    if site.sig_index in (0, 1):

        def run_int(x: int, width: int | None = None, zero_pad: bool = False) -> str:
            text = str(x)
            return text if width is None else _pad(text, width, zero_pad, 39120, "s.number")

        return run_int

    def run(x: float, width: int | None, precision: int | None,
            min_no_exp: float = 0.0001, max_no_exp: float = 100000.0) -> str:
        return format_number(float(x), width, precision, min_no_exp, max_no_exp)

    return run


@scalar("s.concat")
def s_concat(x: str, y: str) -> str:
    return x + y


@scalar("s.repeat")
def s_repeat(s: str, n: int) -> str:
    """``s`` repeated ``n`` times (empty for ``n`` ≤ 0)."""
    return s * n


@scalar("s.lower")
def s_lower(s: str) -> str:
    return s.lower()


@scalar("s.upper")
def s_upper(s: str) -> str:
    return s.upper()


@scalar("s.lstrip")
def s_lstrip(s: str, chars: str) -> str:
    return s.lstrip(chars)


@scalar("s.rstrip")
def s_rstrip(s: str, chars: str) -> str:
    return s.rstrip(chars)


@scalar("s.strip")
def s_strip(s: str, chars: str) -> str:
    return s.strip(chars)


@scalar("s.replaceall")
def s_replaceall(s: str, original: str, replacement: str) -> str:
    return s.replace(original, replacement)


@scalar("s.replacefirst")
def s_replacefirst(s: str, original: str, replacement: str) -> str:
    return s.replace(original, replacement, 1)


@scalar("s.replacelast")
def s_replacelast(s: str, original: str, replacement: str) -> str:
    where = s.rfind(original)
    if where < 0:
        return s
    return s[:where] + replacement + s[where + len(original):]


@scalar("s.translate")
def s_translate(s: str, oldchars: str, newchars: str) -> str:
    """``tr``-like: each char of ``s`` found at index i of ``oldchars`` becomes ``newchars[i]``
    (or is deleted when ``newchars`` is shorter)."""
    table: dict[int, str | None] = {}
    for i, c in enumerate(oldchars):
        if ord(c) not in table:
            table[ord(c)] = newchars[i] if i < len(newchars) else None
    return s.translate(table)
