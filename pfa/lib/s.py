"""String manipulation library (``s.*``).

Strings are Python ``str`` values; lengths and indexes count Unicode code points. Index
arguments follow Python's slice rules (negative indexes count from the right, out-of-range
indexes are truncated). Functions whose result can be much longer than their arguments
(``s.repeat``, paddings, ``s.join``, ``s.concat``, replacements) reserve its size in the
engine's budget first (:mod:`pfa.runtime.budget`): error 90000 instead of gigabytes.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from pfa.lib.registry import CallSite, error, scalar, specialized
from pfa.runtime.budget import Budget, budget_of


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


@specialized("s.join")
def s_join(site: CallSite) -> Callable[[list[str], str], str]:
    budget = budget_of(site)

    def join(array: list[str], sep: str) -> str:
        if len(array) > 1:
            longest = len(sep) * (len(array) - 1) + sum(map(len, array))
            budget.reserve_text(longest, "s.join", sep, *array)
        return sep.join(array)
    return join


@scalar("s.split")
def s_split(s: str, sep: str) -> list[str]:
    """Python's ``str.split(sep)``; an empty separator gives an empty array."""
    return s.split(sep) if sep else []


def _pad(text: str, width: int, zero_pad: bool, code: int, name: str,
         budget: Budget) -> str:
    """Right-justify to ``width`` (left-justify if negative), optionally with zeros."""
    if zero_pad and width < 0:
        raise error(code)
    budget.reserve_text(abs(width), name, text)
    if zero_pad:
        sign = "-" if text.startswith("-") else ""
        digits = text[len(sign):]
        return sign + digits.rjust(width - len(sign), "0")
    if width < 0:
        return text.ljust(-width)
    return text.rjust(width)


@specialized("s.hex")
def s_hex(site: CallSite) -> Callable[..., str]:
    """Lowercase hexadecimal of a non-negative long, optionally padded."""
    budget = budget_of(site)

    def run(x: int, width: int | None = None, zero_pad: bool = False) -> str:
        if x < 0:
            raise error(39111)
        text = format(x, "x")
        return text if width is None else _pad(text, width, zero_pad, 39110, "s.hex", budget)
    return run


@specialized("s.int")
def s_int(site: CallSite) -> Callable[..., str]:
    """Decimal form of a long, optionally padded."""
    budget = budget_of(site)

    def run(x: int, width: int | None = None, zero_pad: bool = False) -> str:
        text = str(x)
        return text if width is None else _pad(text, width, zero_pad, 39240, "s.int", budget)
    return run


def format_number(x: float, width: int | None, precision: int | None,
                  min_no_exp: float = 0.0001, max_no_exp: float = 100000.0,
                  budget: Budget | None = None) -> str:
    """The floating-point form of ``s.number`` (see the specification's details)."""
    if precision is not None and precision < 0:
        raise error(39121)
    if budget is not None:  # the digits after the point and up to 16 other characters
        budget.reserve_text(max(abs(width or 0), (precision or 0) + 16), "s.number")
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
    budget = budget_of(site)
    if site.sig_index in (0, 1):

        def run_int(x: int, width: int | None = None, zero_pad: bool = False) -> str:
            text = str(x)
            return text if width is None else _pad(text, width, zero_pad, 39120, "s.number",
                                                   budget)

        return run_int

    def run(x: float, width: int | None, precision: int | None,
            min_no_exp: float = 0.0001, max_no_exp: float = 100000.0) -> str:
        return format_number(float(x), width, precision, min_no_exp, max_no_exp, budget)

    return run


@specialized("s.concat")
def s_concat(site: CallSite) -> Callable[[str, str], str]:
    budget = budget_of(site)

    def concat(x: str, y: str) -> str:
        budget.reserve_text(len(x) + len(y), "s.concat", x, y)
        return x + y
    return concat


@specialized("s.repeat")
def s_repeat(site: CallSite) -> Callable[[str, int], str]:
    budget = budget_of(site)

    def repeat(s: str, n: int) -> str:
        """``s`` repeated ``n`` times (empty for ``n`` ≤ 0)."""
        if n > 1:
            budget.reserve_text(len(s) * n, "s.repeat", s)
        return s * n
    return repeat


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


@specialized("s.replaceall")
def s_replaceall(site: CallSite) -> Callable[[str, str, str], str]:
    budget = budget_of(site)

    def replaceall(s: str, original: str, replacement: str) -> str:
        if len(replacement) > len(original):
            # an empty original matches between every two characters (Python's rule)
            n = s.count(original) if original else len(s) + 1
            budget.reserve_text(len(s) + n * (len(replacement) - len(original)),
                                "s.replaceall", s, replacement)
        return s.replace(original, replacement)
    return replaceall


@specialized("s.replacefirst")
def s_replacefirst(site: CallSite) -> Callable[[str, str, str], str]:
    budget = budget_of(site)

    def replacefirst(s: str, original: str, replacement: str) -> str:
        budget.reserve_text(len(s) + len(replacement), "s.replacefirst", s, replacement)
        return s.replace(original, replacement, 1)
    return replacefirst


@specialized("s.replacelast")
def s_replacelast(site: CallSite) -> Callable[[str, str, str], str]:
    budget = budget_of(site)

    def replacelast(s: str, original: str, replacement: str) -> str:
        where = s.rfind(original)
        if where < 0:
            return s
        budget.reserve_text(len(s) + len(replacement), "s.replacelast", s, replacement)
        return s[:where] + replacement + s[where + len(original):]
    return replacelast


@scalar("s.translate")
def s_translate(s: str, oldchars: str, newchars: str) -> str:
    """``tr``-like: each char of ``s`` found at index i of ``oldchars`` becomes ``newchars[i]``
    (or is deleted when ``newchars`` is shorter)."""
    table: dict[int, str | None] = {}
    for i, c in enumerate(oldchars):
        if ord(c) not in table:
            table[ord(c)] = newchars[i] if i < len(newchars) else None
    return s.translate(table)
