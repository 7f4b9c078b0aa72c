"""PrettyPFA tokens → a small syntax tree (:class:`Node`), by recursive descent.

The grammar is the EBNF in docs/prettypfa.md; each ``_Parser`` method reads one of its
rules. Binary operators are read as a flat chain of operands and operators and grouped by
precedence climbing (titus's table). Where two readings compete, the longer one wins: open
forms (``if``, ``while``, ``var``, ...) and prefix operators extend as far to the right as
they can and ``else`` binds to the nearest ``if``. The tree keeps what the text says and
where (an offset; the line and column are worked out only when asked for: errors, locator
marks); :mod:`pfa.document.pretty.translate` gives it its PFA meaning. Errors
are :class:`PrettyPfaError` with the line, column and what was expected. Nesting is bounded
(:data:`MAX_NESTING`), and every token is looked at a bounded number of times.
"""

from __future__ import annotations

import sys
from typing import Any

from pfa._gcpause import gc_paused
from pfa.document.pretty.lexer import (
    END,
    ERROR,
    MAX_NESTING,
    Placed,
    Positions,
    PrettyPfaError,
    Token,
    Tokens,
    tokenize,
)

__all__ = ["Node", "Token", "PrettyPfaError", "parse", "MAX_TEXT_CHARS", "MAX_NESTING",
           "ensure_stack_room"]

_new_tuple = tuple.__new__  # makes a Token without a Python-level call

MAX_TEXT_CHARS = 64 << 20
"""Largest PrettyPFA text accepted (64 MiB of characters)."""


class Node(Placed):
    """One construct of the text: ``kind`` (the grammar rule), its ``parts`` (nodes and
    tokens), where it starts (``pos``, an offset into the text of ``src``; its ``line`` and
    ``column`` are worked out when asked for) and whether it was written in parentheses
    (``paren``)."""

    __slots__ = ("kind", "parts", "pos", "src", "paren")

    def __init__(self, kind: str, parts: tuple, pos: int = -1,
                 src: Positions | None = None) -> None:
        self.kind = kind
        self.parts = parts
        self.pos = pos
        self.src = src
        self.paren = False

    def where(self) -> tuple[int, int]:
        """Its line and column ((0, 0): no place)."""
        return (0, 0) if self.src is None else self.src.line_column(self.pos)

    def fail(self, message: str) -> PrettyPfaError:
        """An error about this construct (to be raised by the caller)."""
        return PrettyPfaError(message, *self.where())

    def __repr__(self) -> str:
        line, column = self.where()
        return f"Node({self.kind}, {self.parts!r}, {line}:{column})"


# precedence of binary operators (titus's yacc table) and of prefix operators
_BINARY_PRECEDENCE = {"OR": 1, "XOR": 2, "AND": 3, "EQ": 5, "NE": 5, "LT": 5, "LE": 5, "GT": 5,
                      "GE": 5, "BITOR": 6, "BITXOR": 7, "BITAND": 8, "PLUS": 9, "MINUS": 9,
                      "STAR": 10, "SLASH": 10, "IDIV": 10, "REM": 10, "MOD": 10, "POW": 12}
_PREFIX_PRECEDENCE = {"NOT": 4, "MINUS": 11, "TILDE": 11}
_COMPARISON = 5
_KEYS = frozenset({"NAME", "STRING", "RAWSTRING"})  # what may stand before ':' in a pair
_OPEN_FORMS = ("IF", "WHILE", "FOR", "FOREACH", "IFNOTNULL", "UNPACK", "TRY", "VAR")
_EXPRESSION_START = frozenset({"NAME", "NUMBER", "STRING", "RAWSTRING", "LPAR", "LBRACE",
                               "DO", "CAST", *_PREFIX_PRECEDENCE, *_OPEN_FORMS})
_ITEMS_END = frozenset({"SECTION", END})
_AFTER_NAME = frozenset({"LPAR", "LBRACKET", "EQUAL", "TO", "AT"})  # a name is more
_LITERALS = {"NUMBER": "number", "STRING": "string", "RAWSTRING": "rawstring"}
_LEAVES_KIND = {"NAME": "name", **_LITERALS}
_LEAVES = {kind: frozenset({"LBRACKET", *_BINARY_PRECEDENCE}) for kind in _LITERALS}
_LEAVES["NAME"] = _LEAVES["NUMBER"] | _AFTER_NAME
"""For the tokens that can be a whole expression: the next tokens that make it more."""

_WORDS = {
    "SECTION": "a section heading (name:, input:, action:, ...)", "NAME": "a name",
    "NUMBER": "a number", "STRING": "a string", "RAWSTRING": "a string", "SEMI": "';'",
    "COMMA": "','", "COLON": "':'", "LPAR": "'('", "RPAR": "')'", "LBRACKET": "'['",
    "RSQB": "']'", "LBRACE": "'{'", "RBRACE": "'}'", "EQUAL": "'='", "ARROW": "'->'",
    "AS": "'as'", "UNTIL": "'until'", "AT": "'@'", END: "the end of the text",
}


def _climb(items: list, pos: int, floor: int) -> tuple[Any, int]:
    """Group ``items[pos:]`` (operands, operator tokens and leading prefix tokens) into
    ``binop``/``unop`` nodes, taking binary operators of precedence >= ``floor``; returns the
    tree and the position after it. Binary operators associate to the left; a prefix
    operator applies to everything after it that binds tighter than it does."""
    item = items[pos]
    if type(item) is Token:  # a prefix operator (operands are nodes)
        operand, pos = _climb(items, pos + 1, _PREFIX_PRECEDENCE[item[0]] + 1)
        left: Any = Node("unop", (item, operand), item[2], item[3])
    else:
        left, pos = item, pos + 1
    end = len(items)
    while pos < end:
        op = items[pos]
        level = _BINARY_PRECEDENCE[op[0]]
        if level < floor:
            break
        right, pos = _climb(items, pos + 1, level + 1)
        left = Node("binop", (left, op, right), left.pos, left.src)
        if level == _COMPARISON and pos < end and \
                _BINARY_PRECEDENCE[items[pos][0]] == _COMPARISON:
            nxt = items[pos]
            raise PrettyPfaError(f"comparisons do not chain: put parentheses around one of "
                                 f"them (found {str(nxt)!r})", *nxt.where())
    return left, pos


def _at(parts: tuple) -> tuple[int, Positions | None]:
    """Where a construct starts (offset, positions): where its first part with a place does."""
    for p in parts:
        if p.pos >= 0:
            return p.pos, p.src
    return -1, None


class _Parser:
    """The recursive-descent reader of one token list (``i`` is the current token)."""

    def __init__(self, tokens: Tokens) -> None:
        self.t = tokens
        self.kinds = tokens.kinds + [END, END]  # room to look two tokens past the last
        self.values, self.starts, self.src = tokens.values, tokens.starts, tokens.positions
        self.i = 0
        self.depth = 0

    # ---- tokens ------------------------------------------------------------------------
    def take(self) -> Token:
        """The current token, moving past it."""
        i = self.i
        self.i = i + 1
        return _new_tuple(Token, (self.kinds[i], self.values[i], self.starts[i], self.src))

    def expect(self, kind: str, what: str | None = None) -> Token:
        if self.kinds[self.i] != kind:
            raise self.unexpected(what or _WORDS.get(kind, repr(kind.lower())))
        return self.take()

    def skip(self, kind: str, what: str | None = None) -> None:
        """Move past a token of ``kind`` that the tree does not keep."""
        if self.kinds[self.i] != kind:
            raise self.unexpected(what or _WORDS.get(kind, repr(kind.lower())))
        self.i += 1

    def unexpected(self, expected: str) -> PrettyPfaError:
        t, i = self.t, self.i
        kind = t.kinds[i]
        if kind == ERROR:
            return PrettyPfaError(t.values[i], *t.where(i))
        found = "end of the text" if kind == END else repr(t.values[i])
        return PrettyPfaError(f"unexpected {found}, expected {expected}", *t.where(i))

    def is_pair(self) -> bool:
        """Whether a ``key: value`` pair starts here."""
        return self.kinds[self.i] in _KEYS and self.kinds[self.i + 1] == "COLON"

    def enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise self.too_deep()

    def too_deep(self) -> PrettyPfaError:
        return PrettyPfaError(f"expressions nested more than {MAX_NESTING} deep",
                              *self.t.where(self.i))

    # ---- document ----------------------------------------------------------------------
    def document(self) -> Node:
        sections = []
        while True:
            head = self.expect("SECTION")
            if self.kinds[self.i] in _ITEMS_END:
                sections.append(Node("section", (head,), head.pos, head.src))
            else:
                items = self.items()
                sections.append(Node("section", (head, items), head.pos, head.src))
            if self.kinds[self.i] == END:
                break
        return Node("start", tuple(sections), sections[0].pos, sections[0].src)

    def items(self) -> Node:
        kept = []
        semis = 0
        kinds = self.kinds
        while True:
            kept.append(self.item())
            n = 0
            while kinds[self.i] == "SEMI":
                self.i += 1
                n += 1
            semis += n
            if kinds[self.i] in _ITEMS_END:
                break
            if not n:
                raise self.unexpected("';' or a section heading")
        parts = tuple(kept)
        pos, src = _at(parts)
        return Node("items", (parts, len(kept) == 1 and not semis), pos, src)

    def item(self) -> Any:
        kinds, i = self.kinds, self.i
        kind = kinds[i]
        if kind == "LBRACKET":
            return self.bracketed()
        if kind == "NAME":
            nxt = kinds[i + 1]
            if nxt == "EQUAL" and kinds[i + 2] == "FCN":
                return self.named_fcn()
            if nxt == "LPAR":
                name = self.take()
                args = self.call_args()
                if kinds[self.i] == "EQUAL":
                    self.i += 1
                    value = self.bracketed() if kinds[self.i] == "LBRACKET" else self.expr()
                    return Node("cellpool", (name, args, value), name.pos, name.src)
                call = Node("call", (name, args), name.pos, name.src)
                return self.expr(self.postfix(call))
        return self.expr()

    def named_fcn(self) -> Node:
        name = self.take()
        self.i += 1  # '='
        fcn = self.take()
        params, ret = self.signature()
        body = self.expr()
        return Node("namedfcn", (name, fcn, params, ret, body), name.pos, name.src)

    # ---- expressions -------------------------------------------------------------------
    def expr(self, first: Any = None) -> Any:
        """A chain of operands and binary operators (``first``: an operand already read)."""
        depth = self.depth
        if depth >= MAX_NESTING:
            raise self.too_deep()
        kinds = self.kinds
        i = self.i
        kind = kinds[i]
        if first is None and kind in _LEAVES and kinds[i + 1] not in _LEAVES[kind]:
            # the commonest expression, sooner: one name or literal and nothing after it
            self.i = i + 1
            pos, src = self.starts[i], self.src
            return Node(_LEAVES_KIND[kind], (_new_tuple(Token, (kind, self.values[i], pos, src)),),
                        pos, src)
        self.depth = depth + 1
        items: list[Any]
        if first is not None:
            items = [first]
        elif kinds[self.i] in _PREFIX_PRECEDENCE:
            items = []
            items.append(self.operand(items))
        else:
            method = _OPERANDS.get(kinds[self.i])
            if method is None:
                raise self.unexpected("an expression")
            first = method(self)
            if kinds[self.i] not in _BINARY_PRECEDENCE:  # the common case: no operator
                self.depth = depth
                return first
            items = [first]
        values, starts, src = self.values, self.starts, self.src
        while kinds[self.i] in _BINARY_PRECEDENCE:
            i = self.i
            self.i = i + 1
            items.append(_new_tuple(Token, (kinds[i], values[i], starts[i], src)))
            items.append(self.operand(items))
        self.depth = depth
        if len(items) == 1:
            return items[0]
        if len(items) == 3 and type(items[0]) is not Token:  # one binary operator
            left = items[0]
            return Node("binop", (left, items[1], items[2]), left.pos, left.src)
        return _climb(items, 0, 0)[0]

    def operand(self, items: list) -> Any:
        """Prefix operators (appended to ``items``) and then one operand."""
        kinds = self.kinds
        while kinds[self.i] in _PREFIX_PRECEDENCE:
            items.append(self.take())
            self.enter()  # each prefix operator nests what follows it
        kind = kinds[self.i]
        method = _OPERANDS.get(kind)
        if method is None:
            raise self.unexpected("an expression")
        return method(self)

    def name_operand(self) -> Any:
        kinds, i = self.kinds, self.i
        nxt = kinds[i + 1]
        pos, src = self.starts[i], self.src
        name = _new_tuple(Token, ("NAME", self.values[i], pos, src))
        self.i = i + 1
        if nxt not in _AFTER_NAME:
            return Node("name", (name,), pos, src)
        if nxt == "LPAR":
            return self.postfix(Node("call", (name, self.call_args()), pos, src))
        if nxt == "LBRACKET":
            self.i += 1
            args = self.args("RSQB")
            self.skip("RSQB")
            kind = kinds[self.i]
            if kind == "TO":
                return self.to_form(name, args)
            if kind == "EQUAL":
                self.i += 1
                value = self.expr()
                if kinds[self.i] == "INIT":
                    init = self.take()
                    parts = (name, args, value, init, self.expr())
                else:
                    parts = (name, args, value)
                return Node("setpath", parts, name.pos, name.src)
            return self.postfix(Node("name_index", (name, args), name.pos, name.src))
        if nxt == "EQUAL":
            self.i -= 1
            return self.assigns()
        if nxt == "TO":
            return self.to_form(name, None)
        if nxt == "AT":
            at = self.take()
            symbol = self.expect("NAME")
            return self.postfix(Node("enum_symbol", (name, at, symbol), name.pos,
                                     name.src))
        return self.postfix(Node("name", (name,), name.pos, name.src))

    def literal(self) -> Node:
        i = self.i
        self.i = i + 1
        kind, pos, src = self.kinds[i], self.starts[i], self.src
        node = Node(_LITERALS[kind], (_new_tuple(Token, (kind, self.values[i], pos, src)),),
                    pos, src)
        return node if self.kinds[self.i] != "LBRACKET" else self.postfix(node)

    def paren(self) -> Any:
        self.i += 1
        inner = self.expr()
        self.skip("RPAR", "')' or an operator")
        inner.paren = True
        return self.postfix(inner)

    def postfix(self, node: Any) -> Any:
        """``node`` followed by ``[keys]`` indexes, and possibly ``= value`` (genset)."""
        kinds = self.kinds
        while kinds[self.i] == "LBRACKET":
            self.i += 1
            args = self.args("RSQB")
            self.skip("RSQB")
            if kinds[self.i] == "EQUAL":
                self.i += 1
                return Node("genset", (node, args, self.expr()), node.pos, node.src)
            node = Node("index", (node, args), node.pos, node.src)
        return node

    def block(self) -> Any:
        kinds = self.kinds
        brace = self.take()
        if kinds[self.i] == "RBRACE":
            self.i += 1
            return self.postfix(Node("empty_block", (brace,), brace.pos, brace.src))
        if self.is_pair():
            parts: list[Any] = [brace, self.pair()]
            while kinds[self.i] == "COMMA":
                self.i += 1
                parts.append(self.pair())
            self.skip("RBRACE", "',' or '}'")
            return self.postfix(Node("object_block", tuple(parts), brace.pos, brace.src))
        exprs = [self.expr()]
        while kinds[self.i] == "SEMI":
            while kinds[self.i] == "SEMI":
                self.i += 1
            if kinds[self.i] == "RBRACE":
                break
            exprs.append(self.expr())
        self.skip("RBRACE", "';' or '}'")
        body = tuple(exprs)
        inner = Node("item_exprs", body, *_at(body))
        return self.postfix(Node("block", (brace, inner), brace.pos, brace.src))

    def do_until(self) -> Any:
        do = self.take()
        body = self.expr()
        until = self.expect("UNTIL")
        self.skip("LPAR")
        cond = self.expr()
        self.skip("RPAR", "')' or an operator")
        return self.postfix(Node("do_until", (do, body, until, cond), do.pos, do.src))

    def cast(self) -> Any:
        kinds = self.kinds
        cast = self.take()
        self.skip("LPAR")
        parts: list[Any] = [cast, self.expr()]
        kind = "cast"
        if kinds[self.i] == "COMMA":
            self.i += 1
            parts.append(self.pair())
            kind = "cast_partial"
        self.skip("RPAR", "')' or an operator")
        self.skip("LBRACE")
        while True:
            as_ = self.expect("AS")
            self.skip("LPAR")
            param = self.pair()
            self.skip("RPAR")
            parts.append(Node("as_case", (as_, param, self.expr()), as_.pos, as_.src))
            if kinds[self.i] != "AS":
                break
        self.skip("RBRACE", "'as' or '}'")
        return self.postfix(Node(kind, tuple(parts), cast.pos, cast.src))

    # ---- open forms (they end with an expression, which extends as far as it can) -----
    def if_form(self) -> Node:
        kinds = self.kinds
        clauses = []  # (if, condition, then, else token or None): `else if` is a loop
        while True:
            if_ = self.take()
            self.skip("LPAR")
            cond = self.expr()
            self.skip("RPAR", "')' or an operator")
            then = self.expr()
            if kinds[self.i] != "ELSE":
                clauses.append((if_, cond, then, None))
                orelse = None
                break
            else_ = self.take()
            clauses.append((if_, cond, then, else_))
            if kinds[self.i] != "IF":
                orelse = self.expr()
                break
        node = orelse
        for if_, cond, then, else_ in reversed(clauses):
            parts = (if_, cond, then) if else_ is None else (if_, cond, then, else_, node)
            node = Node("if_e", parts, if_.pos, if_.src)
        return node

    def while_form(self) -> Node:
        while_ = self.take()
        self.skip("LPAR")
        cond = self.expr()
        self.skip("RPAR", "')' or an operator")
        return Node("while_e", (while_, cond, self.expr()), while_.pos, while_.src)

    def for_form(self) -> Node:
        for_ = self.take()
        self.skip("LPAR")
        init = self.assigns()
        self.skip("SEMI", "';' or ','")
        cond = self.expr()
        self.skip("SEMI", "';' or an operator")
        step = self.assigns()
        self.skip("RPAR", "')' or ','")
        return Node("for_e", (for_, init, cond, step, self.expr()), for_.pos, for_.src)

    def foreach_form(self) -> Node:
        kinds = self.kinds
        foreach = self.take()
        self.skip("LPAR")
        if kinds[self.i] in _KEYS and kinds[self.i + 1] == "COMMA":
            key = self.take()
            fkey = Node("fkey", (key,), key.pos, key.src)
            self.i += 1
            param = self.pair()
            self.skip("RPAR", "')'")
            return Node("forkv_e", (foreach, fkey, param, self.expr()), foreach.pos,
                        foreach.src)
        parts: list[Any] = [foreach, self.pair()]
        if kinds[self.i] == "COMMA":
            self.i += 1
            parts.append(self.pair())
        self.skip("RPAR", "')' or ','")
        parts.append(self.expr())
        return Node("foreach_e", tuple(parts), foreach.pos, foreach.src)

    def with_else(self, head: list) -> tuple:
        """``head`` + the then-expression and an optional ``else`` expression."""
        head.append(self.expr())
        if self.kinds[self.i] == "ELSE":
            head.append(self.take())
            head.append(self.expr())
        return tuple(head)

    def ifnotnull_form(self) -> Node:
        tok = self.take()
        self.skip("LPAR")
        params = self.params("RPAR")
        self.skip("RPAR", "')' or ','")
        return Node("ifnotnull_e", self.with_else([tok, params]), tok.pos, tok.src)

    def unpack_form(self) -> Node:
        tok = self.take()
        self.skip("LPAR")
        value = self.expr()
        self.skip("COMMA", "',' or an operator")
        params = self.params("RPAR")
        self.skip("RPAR", "')' or ','")
        return Node("unpack_e", self.with_else([tok, value, params]), tok.pos, tok.src)

    def try_form(self) -> Node:
        kinds = self.kinds
        try_ = self.take()
        at = try_.pos, try_.src
        if kinds[self.i] != "LPAR":
            return Node("try_e", (try_, self.expr()), *at)
        self.i += 1
        if kinds[self.i] == "RPAR":  # try () body
            self.i += 1
            return Node("try_filtered", (try_, self.expr()), *at)
        first = self.expr()
        if kinds[self.i] == "COMMA":  # try (filter, filters...) body
            self.i += 1
            rest = self.args("RPAR")
            self.skip("RPAR", "',' or ')'")
            return Node("try_filtered_many", (try_, first, rest, self.expr()), *at)
        self.skip("RPAR", "')', ',' or an operator")
        if kinds[self.i] in _EXPRESSION_START:  # try (filter) body
            return Node("try_filtered", (try_, first, self.expr()), *at)
        first.paren = True  # try (body)...: the parentheses begin the body
        return Node("try_e", (try_, self.expr(self.postfix(first))), *at)

    def var_form(self) -> Node:
        var = self.take()
        return Node("var_e", (var, self.assigns()), var.pos, var.src)

    def assigns(self) -> Node:
        kinds = self.kinds
        out = []
        while True:
            i = self.i
            if kinds[i] != "NAME":
                raise self.unexpected(_WORDS["NAME"])
            if kinds[i + 1] != "EQUAL":
                self.i = i + 1
                raise self.unexpected(_WORDS["EQUAL"])
            pos, src = self.starts[i], self.src
            name = _new_tuple(Token, ("NAME", self.values[i], pos, src))
            self.i = i + 2
            out.append(Node("assign", (name, self.expr()), pos, src))
            if kinds[self.i] != "COMMA":
                break
            self.i += 1
        first = out[0]
        return Node("assigns", tuple(out), first.pos, first.src)

    def to_form(self, name: Token, args: Node | None) -> Node:
        to = self.take()
        parts: tuple = (name, to, self.argument()) if args is None else \
            (name, args, to, self.argument())
        if self.kinds[self.i] == "INIT":
            parts += (self.take(), self.expr())
        return Node("to_e", parts, name.pos, name.src)

    # ---- arguments, parameters, JSON-like values ---------------------------------------
    def call_args(self) -> Node:
        self.i += 1  # '('
        args = self.args("RPAR")
        if self.kinds[self.i] != "RPAR":
            raise self.unexpected("',' or ')'")
        self.i += 1
        return args

    def args(self, closer: str) -> Node:
        kinds = self.kinds
        if kinds[self.i] == closer:
            return Node("args", ())
        out = [self.argument()]
        while kinds[self.i] == "COMMA":
            self.i += 1
            out.append(self.argument())
        parts = tuple(out)
        return Node("args", parts, *_at(parts))

    def argument(self) -> Any:
        kind = self.kinds[self.i]
        if kind == "LBRACKET":
            return self.bracketed()
        if kind == "FCN":
            return self.fcndef()
        if kind in _KEYS and self.kinds[self.i + 1] == "COLON":
            return self.pair()
        return self.expr()

    def pair(self) -> Node:
        if self.kinds[self.i] not in _KEYS:
            raise self.unexpected("a 'name: value' pair")
        key = self.take()
        self.skip("COLON")
        return Node("param", (key, self.argument()), key.pos, key.src)

    def params(self, closer: str) -> Node:
        kinds = self.kinds
        if kinds[self.i] == closer:
            return Node("params", ())
        out = [self.pair()]
        while kinds[self.i] == "COMMA":
            self.i += 1
            out.append(self.pair())
        parts = tuple(out)
        return Node("params", parts, *_at(parts))

    def bracketed(self) -> Node:
        self.enter()
        bracket = self.take()
        args = self.args("RSQB")
        self.skip("RSQB", "',' or ']'")
        self.depth -= 1
        return Node("bracketed", (bracket, args), bracket.pos, bracket.src)

    def signature(self) -> tuple[Node, Node]:
        """``(params -> type)`` of a function."""
        self.skip("LPAR")
        params = self.params("ARROW")
        self.skip("ARROW", "'->' or ','")
        ret = self.expr()
        self.skip("RPAR", "')' or an operator")
        return params, Node("rettype", (ret,), ret.pos, ret.src)

    def fcndef(self) -> Node:
        fcn = self.take()
        params, ret = self.signature()
        return Node("fcndef", (fcn, params, ret, self.expr()), fcn.pos, fcn.src)


_OPERANDS = {
    "NAME": _Parser.name_operand, "NUMBER": _Parser.literal, "STRING": _Parser.literal,
    "RAWSTRING": _Parser.literal, "LPAR": _Parser.paren, "LBRACE": _Parser.block,
    "DO": _Parser.do_until, "CAST": _Parser.cast, "IF": _Parser.if_form,
    "WHILE": _Parser.while_form, "FOR": _Parser.for_form, "FOREACH": _Parser.foreach_form,
    "IFNOTNULL": _Parser.ifnotnull_form, "UNPACK": _Parser.unpack_form,
    "TRY": _Parser.try_form, "VAR": _Parser.var_form,
}
"""The reader of each token kind that can begin an operand."""


_FRAMES_PER_LEVEL = 8
"""Python frames the parser or the translator use per nesting level, at most."""


def ensure_stack_room() -> None:
    """Make sure Python's recursion limit leaves room for :data:`MAX_NESTING` levels of
    parsing or translating from here, so that the nesting limit, with its line and column,
    is what stops a deep text (the limit is only ever raised, to a bounded value; Python
    3.11 runs Python-to-Python calls without C recursion)."""
    frame, depth = sys._getframe(), 0
    while frame is not None:
        frame, depth = frame.f_back, depth + 1
    need = depth + MAX_NESTING * _FRAMES_PER_LEVEL + 100
    if sys.getrecursionlimit() < need:
        sys.setrecursionlimit(need)


def parse(text: str) -> Node:
    """Parse a whole PrettyPFA document into a ``start`` node of ``section`` nodes."""
    if len(text) > MAX_TEXT_CHARS:
        raise PrettyPfaError(f"the text is longer than {MAX_TEXT_CHARS:,} characters")
    ensure_stack_room()
    with gc_paused():
        parser = _Parser(tokenize(text))
        try:
            return parser.document()
        except RecursionError:  # only when called already deep in the stack
            t, i = parser.t, min(parser.i, len(parser.t.starts) - 1)
            raise PrettyPfaError("the text is nested too deeply to read", *t.where(i)) from None
