"""Spark's SQLTransformer, for a documented subset of statements:

``SELECT *, <expr> AS <name>[, <expr> AS <name> ...] FROM __THIS__`` where each ``<expr>``
combines double columns and numeric literals with ``+``, ``-``, ``*``, unary minus and
parentheses, and reads at least one column. Anything else (division, whose result on zero
depends on Spark's ANSI setting; functions; WHERE; dropping columns) is refused.
"""

from __future__ import annotations

import re
from typing import Any

from pfa.exporters.builder import lit_double
from pfa.exporters.registry import converter
from pfa.exporters.spark.flow import DOUBLE, Column, Flow
from pfa.exporters.spark.saved import SavedStage

_TOKEN = re.compile(r"\s*(?:(?P<num>\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)"
                    r"|(?P<id>[A-Za-z_][A-Za-z0-9_]*)|`(?P<qid>[^`]+)`|(?P<op>[-+*(),]))")
_STATEMENT = re.compile(r"\s*select\s+\*\s*,(?P<body>.*)\s+from\s+__THIS__\s*;?\s*$",
                        re.IGNORECASE | re.DOTALL)


class _Parser:
    def __init__(self, text: str, flow: Flow):
        self.tokens = self._lex(text)
        self.pos = 0
        self.flow = flow
        self.reads = 0

    @staticmethod
    def _lex(text: str) -> list[tuple[str, str]]:
        out, i = [], 0
        while i < len(text):
            if text[i:].strip() == "":
                break
            m = _TOKEN.match(text, i)
            if not m or m.end() == i:
                raise ValueError(f"SQLTransformer: cannot read {text[i:i + 20]!r} (supported: "
                                 "SELECT *, <arithmetic with + - *> AS <name>, ... FROM __THIS__)")
            kind = m.lastgroup or ""
            out.append(("id" if kind == "qid" else kind, m.group(kind)))
            i = m.end()
        return out

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        tok = self.peek()
        if tok is None:
            raise ValueError("SQLTransformer: the statement ends too early")
        self.pos += 1
        return tok

    def expr(self) -> Any:
        left = self.term()
        while self.peek() in (("op", "+"), ("op", "-")):
            op = self.take()[1]
            left = {op: [left, self.term()]}
        return left

    def term(self) -> Any:
        left = self.factor()
        while self.peek() == ("op", "*"):
            self.take()
            left = {"*": [left, self.factor()]}
        return left

    def factor(self) -> Any:
        kind, text = self.take()
        if (kind, text) == ("op", "-"):
            return {"u-": self.factor()}
        if (kind, text) == ("op", "("):
            inner = self.expr()
            if self.take() != ("op", ")"):
                raise ValueError("SQLTransformer: ')' expected")
            return inner
        if kind == "num":
            return lit_double(float(text))
        if kind == "id":
            if text.lower() in ("as", "from", "select", "where", "case", "null"):
                raise ValueError(f"SQLTransformer: unexpected {text!r}")
            if self.peek() == ("op", "("):
                raise ValueError(f"SQLTransformer: function {text}() is not supported")
            self.reads += 1
            col = self.flow.column(text, DOUBLE)
            return self.flow.non_null(col, text)
        raise ValueError(f"SQLTransformer: unexpected {text!r}")


@converter("spark", "org.apache.spark.ml.feature", "SQLTransformer", "transformer",
           "SELECT *, arithmetic (+ - *) of double columns AS name, ... FROM __THIS__")
def sql_transformer(stage: SavedStage, flow: Flow) -> None:
    statement = str(stage.param("statement", ""))
    m = _STATEMENT.match(statement)
    if not m:
        flow.refuse("only 'SELECT *, <expr> AS <name>, ... FROM __THIS__' is supported")
    p = _Parser(m.group("body"), flow)
    while True:
        before = p.reads
        expr = p.expr()
        kind, word = p.take()
        if kind != "id" or word.lower() != "as":
            flow.refuse("each selected expression needs 'AS <name>'")
        kind, name = p.take()
        if kind != "id":
            flow.refuse("a column name must follow AS")
        if p.reads == before:
            flow.refuse(f"expression {name!r} reads no column (its Spark type would not be "
                        "double)")
        flow.set_column(name, Column(expr, DOUBLE))
        if p.peek() is None:
            break
        if p.take() != ("op", ","):
            flow.refuse("',' expected between selected expressions")
