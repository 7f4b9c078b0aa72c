"""Regular expression library (``re.*``).

PFA patterns use POSIX extended syntax (with the common ICU/Perl extensions such as ``\\d``,
non-greedy quantifiers and ``(?:...)``). They are translated to Python :mod:`re`:

* bracket expressions keep POSIX meaning: a leading ``]`` is literal, ``[:alpha:]``-style
  classes (ASCII), ``[=c=]`` and ``[.c.]`` single-character forms are supported;
* ``.`` matches any character including newline and ``$`` matches only at the very end;
* back-references ``\\1`` … ``\\9`` are supported.

String haystacks are matched as text (positions in code points); bytes haystacks with bytes
patterns (positions in bytes). Matching is backtracking (leftmost-first alternation rather than
POSIX leftmost-longest). Successive matches never overlap, and an empty match directly after the
previous match is skipped. Groups that did not participate in a match are reported as
``[-1, -1]`` (index functions) or empty strings/bytes (find functions). Replacements are literal.

Compiled patterns are cached; patterns longer than :data:`MAX_PATTERN_LENGTH` are rejected as
bad patterns.

Bounded time and size. Matching runs on the ``regex`` package (the same syntax and semantics
as Python's :mod:`re`, which the translation targets) because it accepts a timeout: every
search gets the time left before the routine's deadline (:mod:`pfa.runtime.budget`), so a
catastrophic pattern such as ``(a+)+$`` on ``"aaaa…a!"`` ends in a ``PfaTimeoutError`` instead
of running for hours (without a ``timeout`` option it is not stopped, like a ``while`` loop).
``regex`` counts that timeout in CPU time, so on an overloaded machine the call can end later
than the deadline in wall-clock time (by the ratio of load to cores). Results whose size grows
with the number of matches (``re.indexall``, ``re.findall``, ``re.replaceall`` …) are reserved
in the budget as they grow (error 90000 past the ``memory.value`` limit).

Why not RE2 (``google-re2``), which matches in linear time and needs no timeout: measured on
this module's tests and the conformance suite, it does not fit the spec's POSIX/ICU-flavoured
patterns as this engine runs them. It has no back-references (``(the )\\1`` is refused); its
``\\d``, ``\\w``, ``\\s`` and ``\\b`` are ASCII-only where ICU's and Python's are
Unicode-aware; byte patterns are read as UTF-8 unless reconfigured (``.`` then fails to match
the byte 0xff); it logs every bad pattern to stderr; and its Python binding re-encodes a
string haystack on every search, so iterating over the 200,000 matches of a 400,000-character
non-ASCII string took 6.5 s (``re``: 0.4 s, ``regex``: 1.1 s). On ``(a+)+$`` against 100,000
``a`` and a ``!`` it answers in 0.2 ms, where ``re`` needs 8.6 s for only 24 ``a``; ``regex``
with a 0.2 s timeout stops after 0.2 s of CPU.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import lru_cache
from time import perf_counter
from typing import Any

import regex as _re

from pfa.lib.registry import CallSite, error, specialized
from pfa.runtime.budget import CONTAINER, SLOT, Budget, budget_of

MAX_PATTERN_LENGTH = 10_000

_POSIX_CLASSES = {
    "alpha": "a-zA-Z",
    "digit": "0-9",
    "alnum": "a-zA-Z0-9",
    "upper": "A-Z",
    "lower": "a-z",
    "space": " \\t\\n\\r\\f\\v",
    "blank": " \\t",
    "punct": _re.escape("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"),
    "xdigit": "0-9A-Fa-f",
    "cntrl": "\\x00-\\x1f\\x7f",
    "print": "\\x20-\\x7e",
    "graph": "\\x21-\\x7e",
    "word": "\\w",
}


class _BadPattern(Exception):
    pass


def _escape_in_class(c: str) -> str:
    return "\\" + c if c in "\\]^-[" else c


def _bracket(p: str, i: int) -> tuple[str, int]:
    """Translate the bracket expression starting after ``[`` at ``i``; return (class, next)."""
    out = ["["]
    if i < len(p) and p[i] == "^":
        out.append("^")
        i += 1
    first = True
    while True:
        if i >= len(p):
            raise _BadPattern("unterminated bracket expression")
        c = p[i]
        if c == "]" and not first:
            out.append("]")
            return "".join(out), i + 1
        first = False
        if c == "[" and i + 1 < len(p) and p[i + 1] in ":=.":
            kind = p[i + 1]
            close = p.find(kind + "]", i + 2)
            if close < 0:
                raise _BadPattern("unterminated character class")
            body = p[i + 2:close]
            if kind == ":":
                if body not in _POSIX_CLASSES:
                    raise _BadPattern(f"unknown character class {body!r}")
                out.append(_POSIX_CLASSES[body])
            else:
                if len(body) != 1:
                    raise _BadPattern("unsupported collating element")
                out.append(_escape_in_class(body))
            i = close + 2
        elif c == "\\":
            if i + 1 >= len(p):
                raise _BadPattern("trailing backslash")
            out.append(p[i:i + 2])
            i += 2
        elif c == "-":
            # a range operator between two items, or a literal at either end
            at_end = i + 1 < len(p) and p[i + 1] == "]"
            at_start = out[-1] in ("[", "^")
            out.append("\\-" if at_end or at_start else "-")
            i += 1
        else:
            out.append(_escape_in_class(c))
            i += 1


def translate(pattern: str) -> str:
    """Translate a POSIX-extended (ICU-flavoured) pattern to Python ``re`` syntax."""
    out: list[str] = []
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == "\\":
            if i + 1 >= n:
                raise _BadPattern("trailing backslash")
            nxt = pattern[i + 1]
            if nxt in "123456789":
                out.append("\\" + nxt)
                if i + 2 < n and pattern[i + 2].isdigit():
                    out.append("(?:)")
            elif nxt.isalnum() or nxt == "_":
                out.append("\\" + nxt)  # Python rejects unknown letter escapes
            else:
                out.append(_re.escape(nxt))
            i += 2
        elif c == "[":
            cls, i = _bracket(pattern, i + 1)
            out.append(cls)
        elif c == "$":
            out.append("\\Z")
            i += 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


@lru_cache(maxsize=512)
def _compile(pattern: str | bytes) -> _re.Pattern[Any] | None:
    """The compiled pattern, or None if it is not a valid regular expression."""
    if len(pattern) > MAX_PATTERN_LENGTH:
        return None
    try:
        if isinstance(pattern, bytes):
            text = translate(pattern.decode("latin-1")).encode("latin-1")
            return _re.compile(text, _re.DOTALL)
        return _re.compile(translate(pattern), _re.DOTALL)
    except (_BadPattern, _re.error, UnicodeError, OverflowError, RecursionError):
        return None


def _pattern(pattern: str | bytes, code: int) -> _re.Pattern[Any]:
    compiled = _compile(pattern)
    if compiled is None:
        raise error(code)
    return compiled


class _Run:
    """One call's matcher: searches bounded by the budget's deadline, and the size of the
    result reserved as matches accumulate (``per_match`` bytes each)."""

    __slots__ = ("rx", "budget", "name", "per_match")

    def __init__(self, rx: _re.Pattern[Any], budget: Budget, name: str, per_match: int):
        self.rx, self.budget, self.name, self.per_match = rx, budget, name, per_match

    def search(self, haystack: Any, pos: int = 0) -> _re.Match[Any] | None:
        budget = self.budget
        if budget.deadline == float("inf"):
            return self.rx.search(haystack, pos)
        left = budget.deadline - perf_counter()
        if left <= 0:
            raise budget.timeout_error()
        try:
            return self.rx.search(haystack, pos, timeout=left)
        except TimeoutError:
            raise budget.timeout_error() from None

    def matches(self, haystack: Any) -> Iterator[_re.Match[Any]]:
        """Successive non-overlapping matches, skipping empty matches adjacent to the
        previous one."""
        pos, last_end = 0, -1
        n = len(haystack)
        room = self.budget.value_limit - CONTAINER
        while pos <= n:
            m = self.search(haystack, pos)
            if m is None:
                return
            start, end = m.span()
            if start == end == last_end:
                pos = start + 1
                continue
            room -= self.per_match
            if room < 0:
                self.budget.reserve(self.budget.value_limit + 1, self.name)
            yield m
            last_end = end
            pos = end if end > start else end + 1


def _spans(m: _re.Match[Any]) -> list[list[int]]:
    return [list(m.span(g)) for g in range(m.re.groups + 1)]


def _texts(m: _re.Match[Any], empty: Any) -> list[Any]:
    return [m.group(g) if m.group(g) is not None else empty for g in range(m.re.groups + 1)]


def _last(rx: _Run, haystack: Any) -> _re.Match[Any] | None:
    found = None
    for found in rx.matches(haystack):  # noqa: B007
        pass
    return found


_SPAN = CONTAINER + 2 * SLOT + 64  # bytes of one [start, end] pair in a result


def _define(name: str, code: int, body: Callable[..., Any], per_match: int) -> None:
    """Register ``body(run, haystack, *rest)`` as ``name`` (``per_match``: bytes its result
    grows by with each match)."""

    def factory(site: CallSite) -> Callable[..., Any]:
        budget = budget_of(site)

        def run(haystack: Any, pattern: Any, *rest: Any) -> Any:
            return body(_Run(_pattern(pattern, code), budget, name, per_match),
                        haystack, *rest)
        run.__name__ = name.replace(".", "_")
        run.__doc__ = body.__doc__
        return run

    specialized(name)(factory)


def _index(rx, h):
    """[start, end] of the first match, or an empty array."""
    m = rx.search(h)
    return list(m.span()) if m else []


def _contains(rx, h):
    return rx.search(h) is not None


def _count(rx, h):
    return sum(1 for _ in rx.matches(h))


def _rindex(rx, h):
    m = _last(rx, h)
    return list(m.span()) if m else []


def _groups(rx, h):
    m = rx.search(h)
    return _spans(m) if m else []


def _indexall(rx, h):
    return [list(m.span()) for m in rx.matches(h)]


def _findall(rx, h):
    return [m.group() for m in rx.matches(h)]


def _findfirst(rx, h):
    m = rx.search(h)
    return m.group() if m else None


def _findgroupsfirst(rx, h):
    m = rx.search(h)
    return _texts(m, h[:0]) if m else []


def _findgroupsall(rx, h):
    return [_texts(m, h[:0]) for m in rx.matches(h)]


def _groupsall(rx, h):
    return [_spans(m) for m in rx.matches(h)]


def _replace_match(rx, h, m, replacement):
    rx.budget.reserve_text(len(h) + len(replacement), rx.name, h, replacement)
    return h[:m.start()] + replacement + h[m.end():]


def _replacefirst(rx, h, replacement):
    m = rx.search(h)
    return _replace_match(rx, h, m, replacement) if m else h


def _replacelast(rx, h, replacement):
    m = _last(rx, h)
    return _replace_match(rx, h, m, replacement) if m else h


def _replaceall(rx, h, replacement):
    pieces, pos = [], 0
    grown, cap = len(h), rx.budget.value_limit // 4  # characters added by replacing
    for m in rx.matches(h):
        pieces.append(h[pos:m.start()])
        pieces.append(replacement)
        pos = m.end()
        grown += len(replacement) - (m.end() - m.start())
        if grown > cap:
            rx.budget.reserve_text(grown, rx.name, h, replacement)
    pieces.append(h[pos:])
    return h[:0].join(pieces)


def _split(rx, h):
    """Pieces between matches; a leading or trailing empty piece (match at an end) is dropped."""
    pieces, pos = [], 0
    found = list(rx.matches(h))
    for m in found:
        pieces.append(h[pos:m.start()])
        pos = m.end()
    pieces.append(h[pos:])
    if found and found[0].start() == 0 and not pieces[0]:
        pieces.pop(0)
    if found and found[-1].end() == len(h) and pieces and not pieces[-1]:
        pieces.pop()
    return pieces


for _name, _code, _body, _per_match in [
    ("re.index", 35000, _index, 0),
    ("re.contains", 35010, _contains, 0),
    ("re.count", 35020, _count, 0),
    ("re.rindex", 35030, _rindex, 0),
    ("re.groups", 35040, _groups, 0),
    ("re.indexall", 35050, _indexall, _SPAN),
    ("re.findall", 35060, _findall, SLOT + 64),
    ("re.findfirst", 35070, _findfirst, 0),
    ("re.findgroupsfirst", 35080, _findgroupsfirst, 0),
    ("re.findgroupsall", 35090, _findgroupsall, _SPAN),
    ("re.groupsall", 35100, _groupsall, _SPAN),
    ("re.replacefirst", 35110, _replacefirst, 0),
    ("re.replacelast", 35120, _replacelast, 0),
    ("re.split", 35130, _split, SLOT + 64),
    ("re.replaceall", 35140, _replaceall, 2 * SLOT),
]:
    _define(_name, _code, _body, _per_match)
