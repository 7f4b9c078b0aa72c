"""PrettyPFA text → tokens: one compiled pattern scanned once over the whole text.

The tokens are the terminals of the grammar in docs/prettypfa.md. Two context rules are
decided here rather than in the parser: a ``-`` glued to a number is part of the number
(``-1`` is a literal, as in titus) except right after an operand, where it is the
subtraction operator (``x-1`` is ``x - 1``; titus refuses it); and a ``)`` that closes the
header of ``if (...)``, ``while (...)``, ``fcn(...)`` and the like ends no operand
(``if (c) -1`` is a literal). A character that starts no token, or brackets nested deeper
than :data:`MAX_NESTING`, end the token list with an ``ERROR`` token: the parser reports it
when it gets there, so the first error in the text is the one reported. Each token keeps
the offset where it starts; :class:`Positions` turns an offset into a line and column.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from operator import itemgetter

from pfa.errors import PfaSyntaxError

__all__ = ["Token", "Tokens", "Positions", "tokenize", "PrettyPfaError", "MAX_NESTING", "KEYWORDS",
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

_SINGLE = "".join(s for s in SYMBOLS if len(s) == 1)
_TOKEN = (r"(?<![^\n\r])[a-z]+:"  # a section heading: a word and ':' at the start of a line
          r"|[A-Za-z_][A-Za-z_0-9]*(?:\.[A-Za-z_][A-Za-z_0-9]*)*"
          r"|-?(?:0|[1-9][0-9]*)(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?"
          r'|"(?:[^"\\\n]|\\.)*"'
          r"|'[^']*'|"
          + "|".join(re.escape(s) for s in sorted(SYMBOLS, key=len, reverse=True) if len(s) > 1)
          + "|[" + re.escape(_SINGLE) + "]")
# blanks and comments (possessive: no backtracking), then a token, one stray character, or
# the end of the text (an empty token)
_PATTERN = re.compile(r"([ \t\f\r\n]*+(?://[^\n]*+[ \t\f\r\n]*+)*+)(" + _TOKEN + r"|.|\Z)",
                      re.DOTALL)
_KINDS = {**KEYWORDS, **SYMBOLS}
_CLASS = {**dict.fromkeys("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_", "NAME"),
          **dict.fromkeys("0123456789-", "NUMBER"), '"': "STRING", "'": "RAWSTRING"}


class PrettyPfaError(PfaSyntaxError):
    """An error in a PrettyPFA text, at ``line`` and ``column`` (1-based; 0 when unknown)."""

    def __init__(self, message: str, line: int = 0, column: int = 0) -> None:
        self.line, self.column = line, column
        where = f"line {line}, column {column}" if line else "PrettyPFA text"
        super().__init__(f"PrettyPFA: {message}", where)


class Positions:
    """Where the lines of a text start: turns a character offset (what the tokens and the
    syntax tree keep) into a line and a column, both 1-based, when one is asked for."""

    __slots__ = ("text", "_starts")

    def __init__(self, text: str) -> None:
        self.text = text
        self._starts: list[int] | None = None

    def line_column(self, offset: int) -> tuple[int, int]:
        """The line and column of ``offset``; (0, 0) for no place (a negative offset)."""
        if offset < 0:
            return 0, 0
        starts = self._starts
        if starts is None:
            starts = self._starts = [0, *(m.end() for m in re.finditer("\n", self.text))]
        line = bisect_right(starts, offset)
        return line, offset - starts[line - 1] + 1


class Placed:
    """Something with a place in the text: ``line`` and ``column`` (1-based) from its
    ``where()``, worked out when asked for."""

    __slots__ = ()

    def where(self) -> tuple[int, int]:
        raise NotImplementedError

    @property
    def line(self) -> int:
        return self.where()[0]

    @property
    def column(self) -> int:
        return self.where()[1]


class Token(Placed, tuple):
    """One token of the text: the tuple ``(type, value, pos, src)`` (``type``: its kind;
    ``pos``: the offset where it starts in the text of ``src``), with its ``line`` and
    ``column`` (1-based) worked out when asked for."""

    __slots__ = ()

    type = property(itemgetter(0), doc="The kind of token (NAME, NUMBER, PLUS, IF, ...).")
    value = property(itemgetter(1), doc="Its text.")
    pos = property(itemgetter(2), doc="The offset where it starts.")
    src = property(itemgetter(3), doc="The Positions of its text.")

    def __new__(cls, type: str, value: str, pos: int, src: Positions) -> Token:  # noqa: A002
        return tuple.__new__(cls, (type, value, pos, src))

    def where(self) -> tuple[int, int]:
        """Its line and column."""
        return self[3].line_column(self[2])

    def __str__(self) -> str:
        return self[1]

    def __repr__(self) -> str:
        line, column = self.where()
        return f"Token({self[0]}, {self[1]!r}, {line}:{column})"


@dataclass(slots=True)
class Tokens:
    """The token list of a text as parallel lists (kind, text, starting offset); the last
    token is ``$END`` (or ``ERROR``, whose ``values`` entry is the message)."""

    kinds: list[str]
    values: list[str]
    starts: list[int]
    positions: Positions

    def where(self, i: int) -> tuple[int, int]:
        """The line and column of token ``i``."""
        return self.positions.line_column(self.starts[i])


def tokenize(text: str) -> Tokens:
    """The tokens of ``text`` (never raises: an error becomes the last token)."""
    kinds: list[str] = []
    values: list[str] = []
    starts: list[int] = []
    tokens = Tokens(kinds, values, starts, Positions(text))
    add_kind, add_value, add_start = kinds.append, values.append, starts.append
    kind_of, class_of = _KINDS.get, _CLASS.get
    operand_end, opening, headers = _OPERAND_END, _OPENING, _HEADERS
    pos = 0
    parens: list[bool] = []  # for each open bracket: is it a "(" that opens a header?
    after_operand = False
    pieces = iter(_PATTERN.split(text))  # before (always ''), blanks, token, before, ...
    for _, skip, value in zip(pieces, pieces, pieces):
        if skip:
            pos += len(skip)
        kind = kind_of(value)
        if kind is None:
            kind = class_of(value[:1])
            if kind == "NAME":
                if value[-1] == ":":
                    kind = "SECTION"
            elif kind == "NUMBER":
                if value[0] == "-" and after_operand:
                    add_kind("MINUS"), add_value("-"), add_start(pos)
                    value, pos = value[1:], pos + 1
            elif kind is None or len(value) == 1:  # no token, or a quote left open
                if not value:
                    break
                add_kind(ERROR), add_value(f"unexpected character {value!r}"), add_start(pos)
                return tokens
        add_kind(kind)
        add_value(value)
        add_start(pos)
        pos += len(value)
        if kind in opening:
            parens.append(kind == "LPAR" and len(kinds) > 1 and kinds[-2] in headers)
            if len(parens) > MAX_NESTING:
                kinds[-1], values[-1] = ERROR, f"brackets nested more than {MAX_NESTING} deep"
                return tokens
            after_operand = False
        elif kind == "RPAR":
            after_operand = not (parens.pop() if parens else False)
        elif kind == "RSQB" or kind == "RBRACE":
            if parens:
                parens.pop()
            after_operand = True
        else:
            after_operand = kind in operand_end
    add_kind(END), add_value(""), add_start(len(text.rstrip()))  # after the last non-blank
    return tokens
