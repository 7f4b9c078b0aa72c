"""Java regular expressions (Spark's RegexTokenizer) as PFA patterns, where both mean the
same.

Java's ``\\s``, ``\\d`` and ``\\w`` are ASCII classes, PFA's (ICU-like) are Unicode-aware, so
they are written out as explicit ASCII classes. Constructs whose meaning differs between Java
and this engine's PFA regexes, or that this translation does not read (``.`` — Java's stops
at line ends —, anchors, ``\\b``, look-around, back-references, flags, ``\\p{..}``,
possessive quantifiers, nested or intersected classes, ...), are refused with
:class:`UnsupportedPattern`.
"""

from __future__ import annotations

#: Java's ASCII classes (inside brackets, without the brackets)
_SPACE = " \t\n\x0b\f\r"
_CLASSES = {"s": _SPACE, "d": "0-9", "w": "a-zA-Z_0-9"}
#: punctuation that stands for itself outside brackets
_LITERAL = set("!\"#%&',-/:;<=>@_`~ ")
#: escaped characters that are literals in both
_ESCAPABLE = set("\\.[]{}()*+?|^$-/!\"#%&',:;<=>@_`~ ")


class UnsupportedPattern(ValueError):
    """A Java pattern this translation does not turn into a PFA pattern of the same
    meaning."""


def translate(pattern: str) -> str:
    """The PFA pattern matching what the Java ``pattern`` matches."""
    out: list[str] = []
    i, n = 0, len(pattern)
    depth = 0
    while i < n:
        c = pattern[i]
        if c == "\\":
            i, piece = _escape(pattern, i, in_class=False)
            out.append(piece)
            continue
        if c == "[":
            i, piece = _bracket(pattern, i)
            out.append(piece)
            continue
        if c == "(":
            if pattern.startswith("(?:", i):
                out.append("(?:")
                i += 3
            elif pattern.startswith("(?", i):
                raise UnsupportedPattern(f"group construct at {i} ({pattern[i:i + 3]!r})")
            else:
                out.append("(")
                i += 1
            depth += 1
            continue
        if c == ")":
            depth -= 1
            if depth < 0:
                raise UnsupportedPattern(f"unbalanced ')' at {i}")
        elif c in "*+?":
            if i + 1 < n and pattern[i + 1] == "+":
                raise UnsupportedPattern(f"possessive quantifier at {i}")
        elif c == "{":
            j = pattern.find("}", i)
            body = pattern[i + 1:j] if j > 0 else ""
            if j < 0 or not body or not all(ch.isdigit() or ch == "," for ch in body) \
                    or not body[0].isdigit():
                raise UnsupportedPattern(f"'{{' at {i} is not a bounded repetition")
            if j + 1 < n and pattern[j + 1] == "+":
                raise UnsupportedPattern(f"possessive quantifier at {j}")
            out.append(pattern[i:j + 1])
            i = j + 1
            continue
        elif c in ".^$":
            raise UnsupportedPattern(f"{c!r} at {i} means something else in Java "
                                     "(line terminators)")
        elif not (c.isalnum() or c in _LITERAL or c == "|"):
            raise UnsupportedPattern(f"character {c!r} at {i}")
        out.append(c)
        i += 1
    if depth:
        raise UnsupportedPattern("unbalanced '('")
    return "".join(out)


def _escape(pattern: str, i: int, in_class: bool) -> tuple[int, str]:
    if i + 1 >= len(pattern):
        raise UnsupportedPattern("a trailing backslash")
    e = pattern[i + 1]
    if e in _CLASSES:
        body = _CLASSES[e]
        return i + 2, body if in_class else f"[{body}]"
    if e in "SDW":
        if in_class:
            raise UnsupportedPattern(f"'\\{e}' inside a bracket expression")
        return i + 2, f"[^{_CLASSES[e.lower()]}]"
    if e in "tnrf":
        return i + 2, {"t": "\t", "n": "\n", "r": "\r", "f": "\f"}[e]
    if e in _ESCAPABLE and not in_class:
        return i + 2, "\\" + e
    raise UnsupportedPattern(f"escape '\\{e}' at {i}")


def _bracket(pattern: str, i: int) -> tuple[int, str]:
    out = ["["]
    j = i + 1
    if j < len(pattern) and pattern[j] == "^":
        out.append("^")
        j += 1
    if j < len(pattern) and pattern[j] == "]":
        raise UnsupportedPattern(f"']' first in the bracket expression at {i}")
    while j < len(pattern) and pattern[j] != "]":
        c = pattern[j]
        if c == "\\":
            j, piece = _escape(pattern, j, in_class=True)
            out.append(piece)
            continue
        if c in "[&":
            raise UnsupportedPattern(f"{c!r} inside the bracket expression at {i}")
        out.append(c)
        j += 1
    if j >= len(pattern):
        raise UnsupportedPattern(f"unclosed bracket expression at {i}")
    out.append("]")
    return j + 1, "".join(out)
