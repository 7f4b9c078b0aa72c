"""PrettyPFA text → a small syntax tree (:class:`Node`), with the lark LALR parser.

The grammar is ``grammar.lark`` next to this module. The tree keeps what the text says and
where (line, column); :mod:`pfa.document.pretty.translate` gives it its PFA meaning. Syntax
errors become :class:`PrettyPfaError` with the line, column and what was expected, never a
lark exception.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import lark
from lark import Token, Transformer
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken
from lark.lexer import Lexer

from pfa.errors import PfaSyntaxError

__all__ = ["Node", "PrettyPfaError", "parse", "MAX_TEXT_CHARS", "MAX_NESTING"]

MAX_TEXT_CHARS = 64 << 20
"""Largest PrettyPFA text accepted (64 MiB of characters)."""
MAX_NESTING = 200
"""Deepest nesting of brackets, braces and parentheses accepted."""


class PrettyPfaError(PfaSyntaxError):
    """An error in a PrettyPFA text, at ``line`` and ``column`` (1-based; 0 when unknown)."""

    def __init__(self, message: str, line: int = 0, column: int = 0) -> None:
        self.line, self.column = line, column
        where = f"line {line}, column {column}" if line else "PrettyPFA text"
        super().__init__(f"PrettyPFA: {message}", where)


@dataclass(eq=False, slots=True)
class Node:
    """One construct of the text: ``kind`` (the grammar rule), its parts, and its position."""

    kind: str
    parts: tuple
    line: int = 0
    column: int = 0
    paren: bool = False  # written in parentheses

    def fail(self, message: str) -> PrettyPfaError:
        """An error about this construct (to be raised by the caller)."""
        return PrettyPfaError(message, self.line, self.column)


def _position(items: Any) -> tuple[int, int]:
    for item in items:
        if isinstance(item, Token) and item.line is not None:
            return item.line, item.column
        if isinstance(item, Node) and item.line:
            return item.line, item.column
        if isinstance(item, (list, tuple)):
            pos = _position(item)
            if pos[0]:
                return pos
    return 0, 0


class _Build(Transformer):
    """Turns each reduced rule into a :class:`Node` while parsing (no lark tree is built)."""

    @staticmethod
    def _node(kind: str, children: list, parts: tuple | None = None) -> Node:
        line, column = _position(children)
        return Node(kind, tuple(children) if parts is None else parts, line, column)

    def __default__(self, data: str, children: list, meta: Any) -> Any:
        if data.startswith("_"):  # lark's own helper rules (repetitions) are inlined later
            return lark.Tree(data, children)
        return self._node(str(data), [c for c in children if c is not None])

    # lists keep their Nones out (lark gives None for an empty optional)
    def args(self, children: list) -> Node:
        return self._node("args", [c for c in children if c is not None])

    def params(self, children: list) -> Node:
        return self._node("params", [c for c in children if c is not None])

    def items(self, children: list) -> Node:
        kept = [c for c in children if not (isinstance(c, Token) and c.type == "SEMI")]
        bare = len(children) == 1  # one item and no semicolon (titus unwraps a lone block)
        node = self._node("items", kept)
        node.parts = (tuple(kept), bare)
        return node

    def chain(self, children: list) -> Any:
        """Operands and operators in a row, grouped by precedence climbing."""
        items: list[Any] = []
        for c in children:
            if isinstance(c, Node) and c.kind == "operand":  # prefix operators, then operand
                items.extend(c.parts)
            else:
                items.append(c)
        if len(items) == 1:
            return items[0]
        out, end = _climb(items, 0, 0)
        return out

    def operand(self, children: list) -> Node:
        return Node("operand", tuple(children))

    @staticmethod
    def paren(children: list) -> Any:
        inner = children[0]
        if isinstance(inner, Node):
            inner.paren = True
        return inner

    def item_exprs(self, children: list) -> Node:
        kept = [c for c in children if not (isinstance(c, Token) and c.type == "SEMI")]
        return self._node("item_exprs", kept)


# precedence of binary operators (titus's yacc table) and of prefix operators
_BINARY_PRECEDENCE = {"OR": 1, "XOR": 2, "AND": 3, "EQ": 5, "NE": 5, "LT": 5, "LE": 5, "GT": 5,
                      "GE": 5, "BITOR": 6, "BITXOR": 7, "BITAND": 8, "PLUS": 9, "MINUS": 9,
                      "STAR": 10, "SLASH": 10, "IDIV": 10, "REM": 10, "MOD": 10, "POW": 12}
_PREFIX_PRECEDENCE = {"NOT": 4, "MINUS": 11, "TILDE": 11}
_COMPARISON = 5


def _climb(items: list, pos: int, floor: int) -> tuple[Any, int]:
    """Group ``items[pos:]`` (operands, operator tokens and leading prefix tokens) into
    ``binop``/``unop`` nodes, taking binary operators of precedence >= ``floor``; returns the
    tree and the position after it. Binary operators associate to the left; a prefix
    operator applies to everything after it that binds tighter than it does."""
    item = items[pos]
    if isinstance(item, Token) and item.type in _PREFIX_PRECEDENCE:
        operand, pos = _climb(items, pos + 1, _PREFIX_PRECEDENCE[item.type] + 1)
        left: Any = Node("unop", (item, operand), item.line or 0, item.column or 0)
    else:
        left, pos = item, pos + 1
    while pos < len(items):
        op = items[pos]
        level = _BINARY_PRECEDENCE[op.type]
        if level < floor:
            break
        right, pos = _climb(items, pos + 1, level + 1)
        line, column = (left.line, left.column) if isinstance(left, Node) else (op.line, op.column)
        left = Node("binop", (left, op, right), line, column)
        if level == _COMPARISON and pos < len(items) and \
                _BINARY_PRECEDENCE[items[pos].type] == _COMPARISON:
            nxt = items[pos]
            raise PrettyPfaError(f"comparisons do not chain: put parentheses around one of "
                                 f"them (found {str(nxt)!r})", nxt.line or 0, nxt.column or 0)
    return left, pos


class _Lexer(Lexer):
    """The tokenizer: one compiled pattern over the whole text (faster than lark's general
    lexer), keywords looked up by name. A ``-`` glued to a number is part of the number
    (``-1`` is a literal, as in titus) except right after an operand, where it is the
    subtraction operator (``x-1`` is ``x - 1``; titus refuses it). A ``)`` that closes the
    header of ``if (...)``, ``while (...)``, ``fcn(...)`` and the like ends no operand:
    ``if (c) -1`` is a literal."""

    _OPERAND_END = frozenset({"NAME", "NUMBER", "STRING", "RAWSTRING", "RSQB", "RBRACE"})
    _HEADERS = frozenset({"IF", "WHILE", "FOR", "FOREACH", "IFNOTNULL", "UNPACK", "TRY", "AS",
                          "FCN", "CAST"})

    def __init__(self, conf: Any) -> None:
        self.keywords: dict[str, str] = {}
        symbols: dict[str, str] = {}
        for t in conf.terminals:
            if t.pattern.type == "str":
                if re.fullmatch(r"[A-Za-z_]\w*", t.pattern.value):
                    self.keywords[t.pattern.value] = t.name
                else:
                    symbols[t.pattern.value] = t.name
        self.symbols = symbols
        ops = "|".join(re.escape(v) for v in sorted(symbols, key=len, reverse=True))
        self.pattern = re.compile(
            r"(?P<SKIP>(?:[ \t\f\r\n]+|//[^\n]*)+)"
            r"|(?P<SECTION>(?<![^\n\r])[a-z]+:)"
            r"|(?P<NAME>[A-Za-z_][A-Za-z_0-9]*(?:\.[A-Za-z_][A-Za-z_0-9]*)*)"
            r"|(?P<NUMBER>-?(?:0|[1-9][0-9]*)(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?)"
            r'|(?P<STRING>"(?:[^"\\\n]|\\.)*")'
            r"|(?P<RAWSTRING>'[^']*')"
            rf"|(?P<OP>{ops})"
            r"|(?P<ERROR>.)", re.DOTALL)

    def lex(self, text: str, *_: Any) -> Iterator[Token]:
        keywords, symbols = self.keywords, self.symbols
        operand_end, headers = self._OPERAND_END, self._HEADERS
        line, line_start = 1, 0
        previous: str | None = None
        parens: list[bool] = []  # for each open "(": does it open a header?
        after_operand = False
        for m in self.pattern.finditer(text):
            kind = m.lastgroup
            value = m.group()
            start = m.start()
            if kind == "SKIP":
                n = value.count("\n")
                if n:
                    line += n
                    line_start = start + value.rindex("\n") + 1
                continue
            column = start - line_start + 1
            if kind == "ERROR":
                raise PrettyPfaError(f"unexpected character {value!r}", line, column)
            if kind == "NAME":
                kind = keywords.get(value, "NAME")
            elif kind == "OP":
                kind = symbols[value]
            elif kind == "NUMBER" and value[0] == "-" and after_operand:
                yield Token("MINUS", "-", start, line, column)
                value, start, column = value[1:], start + 1, column + 1
            yield Token(kind, value, start, line, column)
            if kind in ("LPAR", "LBRACKET", "LBRACE"):
                parens.append(kind == "LPAR" and previous in headers)
                if len(parens) > MAX_NESTING:
                    raise PrettyPfaError(f"brackets nested more than {MAX_NESTING} deep",
                                         line, column)
                after_operand = False
            elif kind == "RPAR":
                after_operand = not (parens.pop() if parens else False)
            elif kind in ("RSQB", "RBRACE"):
                if parens:
                    parens.pop()
                after_operand = True
            else:
                after_operand = kind in operand_end
            previous = kind
            if kind == "RAWSTRING" and "\n" in value:
                line += value.count("\n")
                line_start = start + value.rindex("\n") + 1


@functools.cache
def _parser() -> lark.Lark:
    grammar = (Path(__file__).parent / "grammar.lark").read_text(encoding="utf-8")
    return lark.Lark(grammar, parser="lalr", lexer=_Lexer, transformer=_Build(),
                     maybe_placeholders=True, cache=False)


_TOKEN_WORDS = {
    "SECTION": "a section heading (name:, input:, action:, ...)", "NAME": "a name",
    "NUMBER": "a number", "STRING": "a string", "RAWSTRING": "a string", "SEMI": "';'",
    "COMMA": "','", "COLON": "':'", "LPAR": "'('", "RPAR": "')'", "LSQB": "'['",
    "LBRACKET": "'['", "RSQB": "']'", "LBRACE": "'{'", "RBRACE": "'}'", "EQUAL": "'='",
    "MINUS": "'-'", "PLUS": "'+'", "__ANON_0": "'->'", "$END": "the end of the text",
}


def _describe_expected(expected: Any) -> str:
    words = sorted({_TOKEN_WORDS.get(t, repr(t.lower()) if t.isalpha() else t) for t in expected})
    if len(words) > 8:
        words = words[:8] + ["..."]
    return ", ".join(words)


def _end_position(text: str) -> tuple[int, int]:
    """Line and column just after the last non-blank character."""
    end = len(text.rstrip())
    line = text.count("\n", 0, end) + 1
    return line, end - text.rfind("\n", 0, end)


def parse(text: str) -> Node:
    """Parse a whole PrettyPFA document into a ``start`` node of ``section`` nodes."""
    if len(text) > MAX_TEXT_CHARS:
        raise PrettyPfaError(f"the text is longer than {MAX_TEXT_CHARS:,} characters")
    try:
        return _parser().parse(text)
    except UnexpectedCharacters as exc:
        char = text[exc.pos_in_stream] if exc.pos_in_stream < len(text) else ""
        raise PrettyPfaError(f"unexpected character {char!r}", exc.line, exc.column) from None
    except UnexpectedEOF as exc:
        line, col = _end_position(text)
        raise PrettyPfaError(f"unexpected end of the text, expected "
                             f"{_describe_expected(exc.expected)}", line, col) from None
    except UnexpectedToken as exc:
        tok = exc.token
        if tok.type == "$END":
            found = "end of the text"
            line, col = _end_position(text)
        else:
            found, line, col = repr(str(tok)), tok.line, tok.column
        raise PrettyPfaError(f"unexpected {found}, expected {_describe_expected(exc.expected)}",
                             line, col) from None
    except UnexpectedInput as exc:  # any other lark input error
        raise PrettyPfaError(f"syntax error: {type(exc).__name__}",
                             getattr(exc, "line", 0), getattr(exc, "column", 0)) from None
    except RecursionError:
        raise PrettyPfaError("the text is nested too deeply to read") from None
