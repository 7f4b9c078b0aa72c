"""PrettyPFA text → tokens: one compiled pattern scanned once over the whole text.

The tokens are the terminals of the grammar in docs/prettypfa.md. Two context rules are
decided here rather than in the parser: a ``-`` glued to a number is part of the number
(``-1`` is a literal, as in titus) except right after an operand, where it is the
subtraction operator (``x-1`` is ``x - 1``; titus refuses it); and a ``)`` that closes the
header of ``if (...)``, ``while (...)``, ``fcn(...)`` and the like ends no operand
(``if (c) -1`` is a literal). A character that starts no token, or brackets nested deeper
than :data:`MAX_NESTING`, end the token list with an ``ERROR`` token: the parser reports it
when it gets there, so the first error in the text is the one reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pfa.errors import PfaSyntaxError

__all__ = ["Token", "Tokens", "tokenize", "PrettyPfaError", "MAX_NESTING", "KEYWORDS",
           "SYMBOLS", "END", "ERROR"]

MAX_NESTING = 200
"""Deepest nesting of brackets, braces and parentheses (and of expressions) accepted."""

END = "$END"
ERROR = "ERROR"

KEYWORDS = {w: w.upper() for w in ("if", "else", "while", "do", "until", "for", "foreach",
                                   "cast", "as", "ifnotnull", "unpack", "try", "var", "to",
                                   "init", "fcn", "idiv")}
"""Reserved words and their token kinds."""

SYMBOLS = {"||": "OR", "^^": "XOR", "&&": "AND", "!": "NOT", "==": "EQ", "!=": "NE",
           "<=": "LE", ">=": "GE", "<": "LT", ">": "GT", "|": "BITOR", "^": "BITXOR",
           "&": "BITAND", "+": "PLUS", "-": "MINUS", "~": "TILDE", "*": "STAR", "/": "SLASH",
           "%%": "REM", "%": "MOD", "**": "POW", "@": "AT", ";": "SEMI", "{": "LBRACE",
           "}": "RBRACE", "[": "LBRACKET", "]": "RSQB", "(": "LPAR", ")": "RPAR",
           "=": "EQUAL", ":": "COLON", ",": "COMMA", "->": "ARROW"}
"""Punctuation and operators and their token kinds."""

_OPERAND_END = frozenset({"NAME", "NUMBER", "STRING", "RAWSTRING", "RSQB", "RBRACE"})
_HEADERS = frozenset({"IF", "WHILE", "FOR", "FOREACH", "IFNOTNULL", "UNPACK", "TRY", "AS",
                      "FCN", "CAST"})
_OPENING = frozenset({"LPAR", "LBRACKET", "LBRACE"})

_TOKEN = (r"(?<![^\n\r])[a-z]+:"  # a section heading: a word and ':' at the start of a line
          r"|[A-Za-z_][A-Za-z_0-9]*(?:\.[A-Za-z_][A-Za-z_0-9]*)*"
          r"|-?(?:0|[1-9][0-9]*)(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?"
          r'|"(?:[^"\\\n]|\\.)*"'
          r"|'[^']*'|"
          + "|".join(re.escape(s) for s in sorted(SYMBOLS, key=len, reverse=True)))
# blanks and comments (possessive: no backtracking), then a token, one stray character, or
# the end of the text (an empty token)
_PATTERN = re.compile(r"((?:[ \t\f\r\n]+|//[^\n]*)*+)(" + _TOKEN + r"|.|\Z)", re.DOTALL)
_KINDS = {**KEYWORDS, **SYMBOLS}
_CLASS = {**dict.fromkeys("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_", "NAME"),
          **dict.fromkeys("0123456789-", "NUMBER"), '"': "STRING", "'": "RAWSTRING"}


class PrettyPfaError(PfaSyntaxError):
    """An error in a PrettyPFA text, at ``line`` and ``column`` (1-based; 0 when unknown)."""

    def __init__(self, message: str, line: int = 0, column: int = 0) -> None:
        self.line, self.column = line, column
        where = f"line {line}, column {column}" if line else "PrettyPFA text"
        super().__init__(f"PrettyPFA: {message}", where)


class Token:
    """One token of the text: its ``type`` (kind), text, line and column (1-based)."""

    __slots__ = ("type", "value", "line", "column")

    def __init__(self, type: str, value: str, line: int, column: int) -> None:  # noqa: A002
        self.type, self.value, self.line, self.column = type, value, line, column

    def __str__(self) -> str:
        return self.value

    def __repr__(self) -> str:
        return f"Token({self.type}, {self.value!r}, {self.line}:{self.column})"


@dataclass(slots=True)
class Tokens:
    """The token list of a text as parallel lists; the last token is ``$END`` (or
    ``ERROR``, whose ``values`` entry is the message)."""

    kinds: list[str]
    values: list[str]
    lines: list[int]
    columns: list[int]


def end_position(text: str) -> tuple[int, int]:
    """Line and column just after the last non-blank character."""
    end = len(text.rstrip())
    line = text.count("\n", 0, end) + 1
    return line, end - text.rfind("\n", 0, end)


def tokenize(text: str) -> Tokens:
    """The tokens of ``text`` (never raises: an error becomes the last token)."""
    kinds: list[str] = []
    values: list[str] = []
    lines: list[int] = []
    columns: list[int] = []
    add_kind, add_value, add_line, add_column = (kinds.append, values.append, lines.append,
                                                 columns.append)
    kind_of, class_of = _KINDS.get, _CLASS.get
    operand_end, opening = _OPERAND_END, _OPENING
    pos, line, line_start = 0, 1, 0
    previous = ""
    parens: list[bool] = []  # for each open bracket: is it a "(" that opens a header?
    after_operand = False
    for skip, value in _PATTERN.findall(text):
        if skip:
            pos += len(skip)
            if "\n" in skip:
                line += skip.count("\n")
                line_start = pos - len(skip) + skip.rindex("\n") + 1
        column = pos - line_start + 1
        kind = kind_of(value)
        if kind is None:
            kind = class_of(value[:1])
            if kind == "NAME":
                if value[-1] == ":":
                    kind = "SECTION"
            elif kind == "NUMBER":
                if value[0] == "-" and after_operand:
                    add_kind("MINUS"), add_value("-"), add_line(line), add_column(column)
                    value, pos, column = value[1:], pos + 1, column + 1
            elif kind is None or len(value) == 1:  # no token, or a quote left open
                if not value:
                    break
                add_kind(ERROR), add_value(f"unexpected character {value!r}")
                add_line(line), add_column(column)
                return Tokens(kinds, values, lines, columns)
        add_kind(kind)
        add_value(value)
        add_line(line)
        add_column(column)
        pos += len(value)
        if kind in opening:
            parens.append(kind == "LPAR" and previous in _HEADERS)
            if len(parens) > MAX_NESTING:
                kinds[-1], values[-1] = ERROR, f"brackets nested more than {MAX_NESTING} deep"
                return Tokens(kinds, values, lines, columns)
            after_operand = False
        elif kind == "RPAR":
            after_operand = not (parens.pop() if parens else False)
        elif kind == "RSQB" or kind == "RBRACE":
            if parens:
                parens.pop()
            after_operand = True
        else:
            after_operand = kind in operand_end
            if "\n" in value and (kind == "RAWSTRING" or kind == "STRING"):
                line += value.count("\n")
                line_start = pos - len(value) + value.rindex("\n") + 1
        previous = kind
    end_line, end_column = end_position(text)
    add_kind(END), add_value(""), add_line(end_line), add_column(end_column)
    return Tokens(kinds, values, lines, columns)
