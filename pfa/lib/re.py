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
bad patterns. Python's matcher cannot be interrupted, so a pathological pattern (nested
unbounded repetition such as ``(a+)+$``) on a long haystack is not stopped by the engine's
timeout.
"""

from __future__ import annotations

import re as _re
from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import Any

from pfa.errors import PfaRuntimeError
from pfa.lib.registry import scalar

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


def _pattern(pattern: str | bytes, code: int, name: str) -> _re.Pattern[Any]:
    compiled = _compile(pattern)
    if compiled is None:
        raise PfaRuntimeError(code, "bad pattern", name)
    return compiled


def _matches(rx: _re.Pattern[Any], haystack: Any) -> Iterator[_re.Match[Any]]:
    """Successive non-overlapping matches, skipping empty matches adjacent to the previous one."""
    pos, last_end = 0, -1
    n = len(haystack)
    while pos <= n:
        m = rx.search(haystack, pos)
        if m is None:
            return
        start, end = m.span()
        if start == end == last_end:
            pos = start + 1
            continue
        yield m
        last_end = end
        pos = end if end > start else end + 1


def _spans(m: _re.Match[Any]) -> list[list[int]]:
    return [list(m.span(g)) for g in range(m.re.groups + 1)]


def _texts(m: _re.Match[Any], empty: Any) -> list[Any]:
    return [m.group(g) if m.group(g) is not None else empty for g in range(m.re.groups + 1)]


def _last(rx: _re.Pattern[Any], haystack: Any) -> _re.Match[Any] | None:
    found = None
    for found in _matches(rx, haystack):  # noqa: B007
        pass
    return found


def _define(name: str, code: int, body: Callable[..., Any]) -> None:
    def run(haystack: Any, pattern: Any, *rest: Any) -> Any:
        return body(_pattern(pattern, code, name), haystack, *rest)

    run.__name__ = name.replace(".", "_")
    run.__doc__ = body.__doc__
    scalar(name)(run)


def _index(rx, h):
    """[start, end] of the first match, or an empty array."""
    m = rx.search(h)
    return list(m.span()) if m else []


def _contains(rx, h):
    return rx.search(h) is not None


def _count(rx, h):
    return sum(1 for _ in _matches(rx, h))


def _rindex(rx, h):
    m = _last(rx, h)
    return list(m.span()) if m else []


def _groups(rx, h):
    m = rx.search(h)
    return _spans(m) if m else []


def _indexall(rx, h):
    return [list(m.span()) for m in _matches(rx, h)]


def _findall(rx, h):
    return [m.group() for m in _matches(rx, h)]


def _findfirst(rx, h):
    m = rx.search(h)
    return m.group() if m else None


def _findgroupsfirst(rx, h):
    m = rx.search(h)
    return _texts(m, h[:0]) if m else []


def _findgroupsall(rx, h):
    return [_texts(m, h[:0]) for m in _matches(rx, h)]


def _groupsall(rx, h):
    return [_spans(m) for m in _matches(rx, h)]


def _replace_match(h, m, replacement):
    return h[:m.start()] + replacement + h[m.end():]


def _replacefirst(rx, h, replacement):
    m = rx.search(h)
    return _replace_match(h, m, replacement) if m else h


def _replacelast(rx, h, replacement):
    m = _last(rx, h)
    return _replace_match(h, m, replacement) if m else h


def _replaceall(rx, h, replacement):
    pieces, pos = [], 0
    for m in _matches(rx, h):
        pieces.append(h[pos:m.start()])
        pieces.append(replacement)
        pos = m.end()
    pieces.append(h[pos:])
    return h[:0].join(pieces)


def _split(rx, h):
    """Pieces between matches; a leading or trailing empty piece (match at an end) is dropped."""
    pieces, pos = [], 0
    found = list(_matches(rx, h))
    for m in found:
        pieces.append(h[pos:m.start()])
        pos = m.end()
    pieces.append(h[pos:])
    if found and found[0].start() == 0 and not pieces[0]:
        pieces.pop(0)
    if found and found[-1].end() == len(h) and pieces and not pieces[-1]:
        pieces.pop()
    return pieces


for _name, _code, _body in [
    ("re.index", 35000, _index),
    ("re.contains", 35010, _contains),
    ("re.count", 35020, _count),
    ("re.rindex", 35030, _rindex),
    ("re.groups", 35040, _groups),
    ("re.indexall", 35050, _indexall),
    ("re.findall", 35060, _findall),
    ("re.findfirst", 35070, _findfirst),
    ("re.findgroupsfirst", 35080, _findgroupsfirst),
    ("re.findgroupsall", 35090, _findgroupsall),
    ("re.groupsall", 35100, _groupsall),
    ("re.replacefirst", 35110, _replacefirst),
    ("re.replacelast", 35120, _replacelast),
    ("re.split", 35130, _split),
    ("re.replaceall", 35140, _replaceall),
]:
    _define(_name, _code, _body)
