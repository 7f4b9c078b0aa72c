"""A PFA document → PrettyPFA text (the other direction of :mod:`pfa.document.pretty.translate`).

The text is indented, uses parentheses only where precedence needs them, and reads back
(``loads``) into the same document: ``read(loads(unparse(doc))) == doc``. A few PFA
documents have no PrettyPFA spelling (a local variable named like a cell or a library
function, a pool item deleted, a one-clause ``cond``, a type with ``doc``/``default``/
``aliases`` members, ...): :class:`Unwritable` says which and where.
"""

from __future__ import annotations

import base64
import math
import re
from collections.abc import Callable
from typing import Any

from pfa.document import ast as A
from pfa.document.pretty.lexer import KEYWORDS  # reserved words (they cannot be names)
from pfa.document.pretty.names import library_function_names
from pfa.document.pretty.syntax import PrettyPfaError
from pfa.document.reader import read

__all__ = ["unparse", "Unwritable", "quote", "KEYWORDS"]


_SPECIAL_CALLS = frozenset({"json", "int", "long", "float", "double", "string", "bytes",
                            "apply", "update", "new", "upcast", "pack", "doc", "error", "log",
                            "del"})
_WORD = re.compile(r"[A-Za-z_][A-Za-z_0-9]*")
_DOTTED = re.compile(r"[A-Za-z_][A-Za-z_0-9]*(\.[A-Za-z_][A-Za-z_0-9]*)*")
_TITUS_LITERAL_TYPES = frozenset({"null", "int", "long", "float", "double", "string", "bytes"})

# precedence levels, lowest first (see docs/prettypfa.md)
OPEN, OR, XOR, AND, NOT, CMP, BOR, BXOR, BAND, SUM, PROD, UNARY, POW, ATOM = range(14)
_BINARY = {"||": (OR, "||"), "^^": (XOR, "^^"), "&&": (AND, "&&"),
           "==": (CMP, "=="), "!=": (CMP, "!="), "<": (CMP, "<"), "<=": (CMP, "<="),
           ">": (CMP, ">"), ">=": (CMP, ">="), "|": (BOR, "|"), "^": (BXOR, "^"),
           "&": (BAND, "&"), "+": (SUM, "+"), "-": (SUM, "-"), "*": (PROD, "*"),
           "/": (PROD, "/"), "//": (PROD, "idiv"), "%": (PROD, "%"), "%%": (PROD, "%%"),
           "**": (POW, "**")}
_UNARY = {"u-": (UNARY, "- "), "~": (UNARY, "~"), "!": (NOT, "!")}
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}
_UNSAFE_CHAR = re.compile("[\\\\\"\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069"
                          "\ud800-\udfff]")


class Unwritable(PrettyPfaError):
    """The document has a construct PrettyPFA cannot spell (``where`` is its JSON path)."""

    def __init__(self, message: str, where: str = "") -> None:
        super().__init__(f"cannot write as PrettyPFA: {message}")
        self.path = where or "$"
        self.args = (f"PrettyPFA: cannot write as PrettyPFA: {message} at {self.path}",)

    def __str__(self) -> str:
        return self.args[0]


def quote(text: str) -> str:
    """``text`` as a double-quoted PrettyPFA string (escapes for anything unprintable)."""
    def esc(m: re.Match[str]) -> str:
        c = m.group()
        if c in _ESCAPES:
            return _ESCAPES[c]
        return f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}"
    return '"' + _UNSAFE_CHAR.sub(esc, text) + '"'


def _key(name: str) -> str:
    """A member name before ':' — bare when it is a plain (dotted) name."""
    return name if _DOTTED.fullmatch(name) and name not in KEYWORDS else quote(name)


def _number(x: float) -> str:
    text = repr(float(x))
    return text if re.fullmatch(r"-?[0-9]+(\.[0-9]*)?([eE][-+]?[0-9]+)?", text) else ""


def json_text(value: Any, where: str = "$") -> str:
    """Relaxed JSON: a value as PrettyPFA writes initial values, metadata and literals."""
    if value is None:
        return "null"
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        text = _number(value)
        if not text:
            raise Unwritable(f"the number {value!r} in a JSON value", where)
        return text
    if isinstance(value, str):
        return quote(value)
    if isinstance(value, list):
        return "[" + ", ".join(json_text(v, f"{where}[{i}]") for i, v in enumerate(value)) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_key(k)}: {json_text(v, f'{where}.{k}')}"
                               for k, v in value.items()) + "}"
    raise Unwritable(f"a value of type {type(value).__name__}", where)


class _Writer:
    def __init__(self, doc: A.PfaDocument, is_function: Callable[[str], bool]) -> None:
        self.doc = doc
        self.cells = set(doc.cells)
        self.pools = set(doc.pools)
        self.user = {"u." + n for n in doc.fcns}
        self.is_library = is_function

    def function(self, name: str) -> bool:
        return name in self.user or self.is_library(name)

    @staticmethod
    def fail(node: Any, message: str) -> Unwritable:
        return Unwritable(message, getattr(node, "path", "") or "$")

    # ---- names and types ---------------------------------------------------------------
    def local(self, name: str, node: Any) -> str:
        """A local variable's name, if PrettyPFA reads it back as that local."""
        clash = ("a PrettyPFA keyword" if name in KEYWORDS else
                 "a constant" if name in ("true", "false", "null") else
                 "a cell" if name in self.cells else "a pool" if name in self.pools else
                 "a function" if self.function(name) else None)
        if clash or not _WORD.fullmatch(name):
            raise self.fail(node, f"the local variable {name!r} has the name of {clash}"
                            if clash else f"the local variable name {name!r}")
        return name

    def type(self, spec: Any, node: Any = None) -> str:
        t = spec.json if isinstance(spec, A.TypeSpec) else spec
        at = spec if isinstance(spec, A.TypeSpec) else node
        if isinstance(t, str):
            return t if _DOTTED.fullmatch(t) and t not in KEYWORDS else quote(t)
        if isinstance(t, list):
            if len(t) < 2:
                raise self.fail(at, "a union of fewer than two types")
            return "union(" + ", ".join(self.type(x, at) for x in t) + ")"
        if not isinstance(t, dict):
            raise self.fail(at, f"the type {t!r}")
        kind = t.get("type")
        allowed = {"array": {"type", "items"}, "map": {"type", "values"},
                   "record": {"type", "name", "namespace", "fields"},
                   "enum": {"type", "name", "namespace", "symbols"},
                   "fixed": {"type", "name", "namespace", "size"}}.get(kind)
        if allowed is None or set(t) - allowed:
            extra = sorted(set(t) - (allowed or {"type"}))
            raise self.fail(at, f"a {kind!r} type with the member(s) {extra}"
                            if allowed else f"the type {t!r}")
        if kind == "array":
            return f"array({self.type(t['items'], at)})"
        if kind == "map":
            return f"map({self.type(t['values'], at)})"
        name = t.get("name")
        if not isinstance(name, str) or not _WORD.fullmatch(name) or name in KEYWORDS:
            raise self.fail(at, f"the type name {name!r}")
        full = f"{t['namespace']}.{name}" if t.get("namespace") else name
        if "namespace" in t and (not t["namespace"] or not _DOTTED.fullmatch(t["namespace"])):
            raise self.fail(at, f"the namespace {t['namespace']!r}")
        if kind == "fixed":
            if not isinstance(t.get("size"), int) or isinstance(t["size"], bool) or t["size"] <= 0:
                raise self.fail(at, f"the fixed size {t.get('size')!r}")
            return f"fixed({t['size']}, {full})"
        if kind == "enum":
            syms = t.get("symbols")
            if not isinstance(syms, list) or not all(
                    isinstance(s, str) and _WORD.fullmatch(s) and s not in KEYWORDS
                    for s in syms):
                raise self.fail(at, f"the enum symbols {syms!r}")
            return f"enum([{', '.join(syms)}], {full})"
        fields = t.get("fields")
        if not isinstance(fields, list):
            raise self.fail(at, "record fields that are not a list")
        parts = [full]
        for f in fields:
            if not isinstance(f, dict) or set(f) != {"name", "type"} or \
                    not isinstance(f["name"], str):
                extra = sorted(set(f) - {"name", "type"}) if isinstance(f, dict) else f
                raise self.fail(at, f"a record field with the member(s) {extra}")
            parts.append(f"{_key(f['name'])}: {self.type(f['type'], at)}")
        return "record(" + ", ".join(parts) + ")"

    # ---- expressions ------------------------------------------------------------------
    def wrap(self, text: str, own: int, need: int) -> str:
        return f"({text})" if own < need else text

    def expr(self, e: Any, need: int = OPEN, ind: str = "") -> str:
        text, own = self.render(e, ind)
        return self.wrap(text, own, need)

    def arg(self, e: Any, ind: str) -> str:
        """A function argument (expressions at the level that keeps ',' outside them)."""
        if isinstance(e, A.FcnDef):
            return self.fcndef(e, ind)
        if isinstance(e, A.FcnRef):
            return self.fcnref(e, ind)
        return self.expr(e, OR, ind)

    def fcnref(self, f: A.FcnRef, ind: str) -> str:
        if not _DOTTED.fullmatch(f.name) or not self.function(f.name):
            raise self.fail(f, f"a reference to the unknown function {f.name!r}")
        if f.fill is None:
            return f.name
        if not f.fill:
            raise self.fail(f, "a partial application that fills no parameter")
        return f"{f.name}(" + ", ".join(f"{_key(k)}: {self.arg(v, ind)}"
                                       for k, v in f.fill.items()) + ")"

    def fcndef(self, f: A.FcnDef, ind: str) -> str:
        params = ", ".join(f"{_key(p.name)}: {self.type(p.type)}" for p in f.params)
        head = f"fcn({params} -> {self.type(f.ret)})" if params else \
            f"fcn(-> {self.type(f.ret)})"
        return f"{head} {self.clause(f.body, ind, f)}"

    def clause(self, body: list, ind: str, owner: Any) -> str:
        """A body: one closed expression inline, anything else as a { ... } block."""
        if not body:
            raise self.fail(owner, "an empty body")
        if len(body) == 1 and not isinstance(body[0], A.Do):
            text, own = self.render(body[0], ind)
            if own > OPEN and "\n" not in text and len(text) <= 80:
                return text
        return self.block(body, ind)

    def block(self, body: list, ind: str) -> str:
        inner = ind + "  "
        lines = [inner + self.expr(e, OPEN, inner) for e in body]
        return "{\n" + ";\n".join(lines) + "\n" + ind + "}"

    def path_target(self, base: str, path: list, ind: str) -> tuple[str, list]:
        """``base.a.b`` for the leading plain-name keys; the rest stays a bracket path."""
        text, rest = base, list(path)
        while rest and isinstance(rest[0], A.LiteralString) and _WORD.fullmatch(rest[0].value) \
                and not self.function(f"{text}.{rest[0].value}"):
            text = f"{text}.{rest.pop(0).value}"
        return text, rest

    def indexed(self, base: str, path: list, ind: str, sugar: bool = True) -> str:
        text, rest = self.path_target(base, path, ind) if sugar else (base, list(path))
        if rest:
            text += "[" + ", ".join(self.expr(p, OR, ind) for p in rest) + "]"
        return text

    def assigns(self, values: dict, node: Any, ind: str) -> str:
        if not values:
            raise self.fail(node, "an empty set of variables")
        return ", ".join(f"{self.local(k, node)} = {self.expr(v, OR, ind)}"
                         for k, v in values.items())

    def render(self, e: Any, ind: str) -> tuple[str, int]:
        method = getattr(self, f"r_{type(e).__name__}", None)
        if method is None:
            raise self.fail(e, f"the form {type(e).__name__}")
        return method(e, ind)

    # literals
    def r_Ref(self, e: A.Ref, ind: str) -> tuple[str, int]:
        return self.local(e.name, e), ATOM

    def r_LiteralNull(self, e: Any, ind: str) -> tuple[str, int]:
        return "null", ATOM

    def r_LiteralBoolean(self, e: Any, ind: str) -> tuple[str, int]:
        return ("true" if e.value else "false"), ATOM

    def r_LiteralInt(self, e: Any, ind: str) -> tuple[str, int]:
        return str(int(e.value)), ATOM

    def r_LiteralLong(self, e: Any, ind: str) -> tuple[str, int]:
        return f"long({int(e.value)})", ATOM

    def r_LiteralFloat(self, e: Any, ind: str) -> tuple[str, int]:
        return f"float({self.real(e.value)})", ATOM

    def r_LiteralDouble(self, e: Any, ind: str) -> tuple[str, int]:
        text = _number(e.value)
        return (text, ATOM) if text else (f"double({self.real(e.value)})", ATOM)

    @staticmethod
    def real(x: float) -> str:
        if math.isnan(x):
            return '"NaN"'
        if math.isinf(x):
            return '"Infinity"' if x > 0 else '"-Infinity"'
        return _number(x)

    def r_LiteralString(self, e: Any, ind: str) -> tuple[str, int]:
        return quote(e.value), ATOM

    def r_LiteralBase64(self, e: Any, ind: str) -> tuple[str, int]:
        return f'bytes("{base64.b64encode(bytes(e.value)).decode("ascii")}")', ATOM

    def r_Literal(self, e: A.Literal, ind: str) -> tuple[str, int]:
        t = e.avro_type.json
        # json(int, v) means the bare literal v; a quoted type keeps the {type, value} form
        ttext = quote(t) if isinstance(t, str) and t in _TITUS_LITERAL_TYPES \
            else self.type(e.avro_type)
        return f"json({ttext}, {json_text(e.value, e.path)})", ATOM

    # calls
    def r_Call(self, e: A.Call, ind: str) -> tuple[str, int]:
        if e.name in _BINARY and len(e.args) == 2:
            level, op = _BINARY[e.name]
            left_need, right_need = (level, level + 1)
            if level == CMP:
                left_need = right_need = CMP + 1
            left = self.expr(e.args[0], left_need, ind)
            right = self.expr(e.args[1], right_need, ind)
            return f"{left} {op} {right}", level
        if e.name in _UNARY and len(e.args) == 1:
            level, op = _UNARY[e.name]
            return f"{op}{self.expr(e.args[0], level, ind)}", level
        if not _DOTTED.fullmatch(e.name) or e.name in KEYWORDS or e.name in _SPECIAL_CALLS:
            raise self.fail(e, f"a call of {e.name!r} with {len(e.args)} argument(s)")
        return f"{e.name}(" + ", ".join(self.arg(a, ind) for a in e.args) + ")", ATOM

    def r_CallUserFcn(self, e: A.CallUserFcn, ind: str) -> tuple[str, int]:
        args = [self.expr(e.fcn, OR, ind)] + [self.expr(a, OR, ind) for a in e.args]
        return "apply(" + ", ".join(args) + ")", ATOM

    def r_NewObject(self, e: A.NewObject, ind: str) -> tuple[str, int]:
        t = e.avro_type.json
        if isinstance(t, dict) and t.get("type") == "array":
            raise self.fail(e, "a new record or map of an array type")
        items = [f"{_key(k)}: {self.expr(v, OR, ind)}" for k, v in e.fields.items()]
        return "new(" + ", ".join([self.type(e.avro_type), *items]) + ")", ATOM

    def r_NewArray(self, e: A.NewArray, ind: str) -> tuple[str, int]:
        t = e.avro_type.json
        if not (isinstance(t, dict) and t.get("type") == "array"):
            raise self.fail(e, "a new array whose type is not written as array(...)")
        items = [self.expr(v, OR, ind) for v in e.items]
        return "new(" + ", ".join([self.type(e.avro_type), *items]) + ")", ATOM

    def r_Upcast(self, e: A.Upcast, ind: str) -> tuple[str, int]:
        return f"upcast({self.type(e.avro_type)}, {self.expr(e.expr, OR, ind)})", ATOM

    def r_Pack(self, e: A.Pack, ind: str) -> tuple[str, int]:
        return "pack(" + ", ".join(f"{quote(fmt)}: {self.expr(x, OR, ind)}"
                                   for fmt, x in e.exprs) + ")", ATOM

    def r_Doc(self, e: A.Doc, ind: str) -> tuple[str, int]:
        return f"doc({quote(e.comment)})", ATOM

    def r_Error(self, e: A.Error, ind: str) -> tuple[str, int]:
        code = "" if e.code is None else f", code: {e.code}"
        return f"error({quote(e.message)}{code})", ATOM

    def r_Log(self, e: A.Log, ind: str) -> tuple[str, int]:
        args = [self.expr(x, OR, ind) for x in e.exprs]
        if e.namespace is not None:
            args.append(f"namespace: {quote(e.namespace)}")
        return "log(" + ", ".join(args) + ")", ATOM

    # state and paths
    def r_AttrGet(self, e: A.AttrGet, ind: str) -> tuple[str, int]:
        if not e.indexes:
            raise self.fail(e, "an attr with an empty path")
        if isinstance(e.expr, A.Ref):
            return self.indexed(self.local(e.expr.name, e), e.indexes, ind), ATOM
        base = self.expr(e.expr, ATOM, ind)
        if self.needs_parens_before_index(e.expr):
            base = f"({base})"
        return base + "[" + ", ".join(self.expr(p, OR, ind) for p in e.indexes) + "]", ATOM

    @staticmethod
    def needs_parens_before_index(e: Any) -> bool:
        """``name.a`` or ``name[k]`` followed by ``[...]`` would be read as one longer path
        (or a number as the start of a literal): such a base goes in parentheses."""
        return isinstance(e, (A.LiteralInt, A.LiteralDouble, A.LiteralNull, A.LiteralBoolean,
                              A.CellGet, A.PoolGet)) or (
            isinstance(e, A.AttrGet) and isinstance(e.expr, A.Ref))

    def setter(self, target: str, to: Any, ind: str) -> str:
        if isinstance(to, (A.FcnDef, A.FcnRef)):
            return f"{target} to {self.arg(to, ind)}"
        return f"{target} = {self.expr(to, OR, ind)}"

    def r_AttrTo(self, e: A.AttrTo, ind: str) -> tuple[str, int]:
        if not e.indexes:
            raise self.fail(e, "an attr update with an empty path")
        if isinstance(e.expr, A.Ref):
            return self.setter(self.indexed(self.local(e.expr.name, e), e.indexes, ind),
                               e.to, ind), OPEN
        if isinstance(e.to, (A.FcnDef, A.FcnRef)):
            path = e.indexes
            if len(path) == 1 and isinstance(path[0], A.LiteralString):
                return (f"update({self.expr(e.expr, OR, ind)}, {_key(path[0].value)}: "
                        f"{self.arg(e.to, ind)})"), ATOM
            raise self.fail(e, "an attr update by a function of a computed value")
        text, own = self.render(e.expr, ind)
        if own < ATOM or self.needs_parens_before_index(e.expr):
            text = f"({text})"
        path = ", ".join(self.expr(p, OR, ind) for p in e.indexes)
        return f"{text}[{path}] = {self.expr(e.to, OR, ind)}", OPEN

    def state(self, name: str, pool: bool, node: Any) -> str:
        """A cell's or pool's name: PrettyPFA knows it as one only if it is declared."""
        if name not in (self.pools if pool else self.cells):
            raise self.fail(node, f"a reference to the undeclared {'pool' if pool else 'cell'} "
                                  f"{name!r}")
        return name

    def r_CellGet(self, e: A.CellGet, ind: str) -> tuple[str, int]:
        return self.indexed(self.state(e.cell, False, e), e.indexes, ind), ATOM

    def r_CellTo(self, e: A.CellTo, ind: str) -> tuple[str, int]:
        return self.setter(self.indexed(self.state(e.cell, False, e), e.indexes, ind), e.to,
                           ind), OPEN

    def r_PoolGet(self, e: A.PoolGet, ind: str) -> tuple[str, int]:
        if not e.indexes:
            raise self.fail(e, "a pool read without a key")
        return self.indexed(self.state(e.pool, True, e), e.indexes, ind), ATOM

    def r_PoolTo(self, e: A.PoolTo, ind: str) -> tuple[str, int]:
        if not e.indexes:
            raise self.fail(e, "a pool update without a key")
        target = self.indexed(self.state(e.pool, True, e), e.indexes, ind,
                              sugar=e.init == e.to)
        if isinstance(e.to, (A.FcnDef, A.FcnRef)):
            if e.init is None:
                raise self.fail(e, "a pool update by a function without 'init'")
            return (f"{target} to {self.arg(e.to, ind)} init "
                    f"{self.expr(e.init, OR, ind)}"), OPEN
        if e.init is None:
            raise self.fail(e, "a pool update by a value without 'init'")
        if e.init != e.to:
            return (f"{target} = {self.expr(e.to, OR, ind)} init "
                    f"{self.expr(e.init, OR, ind)}"), OPEN
        return f"{target} = {self.expr(e.to, OR, ind)}", OPEN

    def r_PoolDel(self, e: A.PoolDel, ind: str) -> tuple[str, int]:
        return f"del({self.indexed(self.state(e.pool, True, e), [e.key], ind)})", ATOM

    # bindings
    def r_Let(self, e: A.Let, ind: str) -> tuple[str, int]:
        return "var " + self.assigns(e.values, e, ind), OPEN

    def r_SetVar(self, e: A.SetVar, ind: str) -> tuple[str, int]:
        return self.assigns(e.values, e, ind), OPEN

    # control flow
    def r_Do(self, e: A.Do, ind: str) -> tuple[str, int]:
        if not e.body:
            raise self.fail(e, "an empty do")
        return self.block(e.body, ind), ATOM

    def r_If(self, e: A.If, ind: str) -> tuple[str, int]:
        text = f"if ({self.expr(e.predicate, OPEN, ind)}) {self.clause(e.then, ind, e)}"
        if e.else_ is not None:
            text += f" else {self.clause(e.else_, ind, e)}"
        return text, OPEN

    def r_Cond(self, e: A.Cond, ind: str) -> tuple[str, int]:
        if not e.clauses:
            raise self.fail(e, "a cond without clauses")
        # a one-clause cond has no spelling of its own: it is written (and read) as an if
        parts = [f"if ({self.expr(c.predicate, OPEN, ind)}) {self.clause(c.then, ind, c)}"
                 for c in e.clauses]
        text = " else ".join(parts)
        if e.else_ is not None:
            text += f" else {self.clause(e.else_, ind, e)}"
        return text, OPEN

    def r_While(self, e: A.While, ind: str) -> tuple[str, int]:
        return f"while ({self.expr(e.predicate, OPEN, ind)}) {self.clause(e.body, ind, e)}", OPEN

    def r_DoUntil(self, e: A.DoUntil, ind: str) -> tuple[str, int]:
        return (f"do {self.clause(e.body, ind, e)} until "
                f"({self.expr(e.predicate, OPEN, ind)})"), ATOM

    def r_For(self, e: A.For, ind: str) -> tuple[str, int]:
        return (f"for ({self.assigns(e.init, e, ind)}; {self.expr(e.predicate, OPEN, ind)}; "
                f"{self.assigns(e.step, e, ind)}) {self.clause(e.body, ind, e)}"), OPEN

    def r_Foreach(self, e: A.Foreach, ind: str) -> tuple[str, int]:
        seq = ", seq: true" if e.seq else ""
        return (f"foreach ({_key(self.local(e.name, e))}: {self.expr(e.array, OR, ind)}{seq}) "
                f"{self.clause(e.body, ind, e)}"), OPEN

    def r_Forkeyval(self, e: A.Forkeyval, ind: str) -> tuple[str, int]:
        return (f"foreach ({self.local(e.forkey, e)}, {self.local(e.forval, e)}: "
                f"{self.expr(e.map, OR, ind)}) {self.clause(e.body, ind, e)}"), OPEN

    def r_CastBlock(self, e: A.CastBlock, ind: str) -> tuple[str, int]:
        if not e.cases:
            raise self.fail(e, "a cast without cases")
        inner = ind + "  "
        cases = [f"{inner}as({_key(self.local(c.named, c))}: {self.type(c.avro_type)}) "
                 f"{self.clause(c.body, inner, c)}" for c in e.cases]
        partial = ", partial: true" if e.partial else ""
        return (f"cast ({self.expr(e.expr, OR, ind)}{partial}) {{\n" + "\n".join(cases) +
                f"\n{ind}}}"), ATOM

    def r_IfNotNull(self, e: A.IfNotNull, ind: str) -> tuple[str, int]:
        if not e.symbols:
            raise self.fail(e, "an ifnotnull without variables")
        names = ", ".join(f"{self.local(k, e)}: {self.expr(v, OR, ind)}"
                          for k, v in e.symbols.items())
        text = f"ifnotnull ({names}) {self.clause(e.then, ind, e)}"
        if e.else_ is not None:
            text += f" else {self.clause(e.else_, ind, e)}"
        return text, OPEN

    def r_Unpack(self, e: A.Unpack, ind: str) -> tuple[str, int]:
        if not e.format:
            raise self.fail(e, "an unpack without formats")
        fmts = ", ".join(f"{self.local(n, e)}: {quote(f)}" for n, f in e.format)
        text = f"unpack ({self.expr(e.bytes, OR, ind)}, {fmts}) {self.clause(e.then, ind, e)}"
        if e.else_ is not None:
            text += f" else {self.clause(e.else_, ind, e)}"
        return text, OPEN

    def r_Try(self, e: A.Try, ind: str) -> tuple[str, int]:
        body = self.block(e.body, ind)
        if e.filter is None:
            return f"try {body}", OPEN
        items = [str(f) if isinstance(f, int) and not isinstance(f, bool) else quote(str(f))
                 for f in e.filter]
        return f"try ({', '.join(items)}) {body}", OPEN

    # ---- the document -----------------------------------------------------------------
    def cellpool(self, name: str, spec: Any, pool: bool) -> str:
        if not _WORD.fullmatch(name) or name in KEYWORDS:
            raise self.fail(spec, f"the {'pool' if pool else 'cell'} name {name!r}")
        opts = [self.type(spec.avro_type)]
        if spec.shared:
            opts.append("shared: true")
        if spec.rollback:
            opts.append("rollback: true")
        if spec.source != "embedded":
            opts.append(f"source: {quote(spec.source)}")
        if pool and not isinstance(spec.init, dict):
            raise self.fail(spec, "a pool whose initial value is not an object")
        return f"  {name}({', '.join(opts)}) = {json_text(spec.init, spec.path or '$')}"

    def document(self) -> str:
        d = self.doc
        out: list[str] = []
        if d.name is not None:
            out.append(f"name: {d.name if _WORD.fullmatch(d.name) and d.name not in KEYWORDS else quote(d.name)}")
        if d.method != "map":
            out.append(f"method: {d.method}")
        out.append(f"input: {self.type(d.input)}")
        out.append(f"output: {self.type(d.output)}")
        if d.cells:
            out.append("cells:\n" + ";\n".join(self.cellpool(n, c, False)
                                              for n, c in d.cells.items()))
        if d.pools:
            out.append("pools:\n" + ";\n".join(self.cellpool(n, p, True)
                                              for n, p in d.pools.items()))
        if d.fcns:
            defs = []
            for n, f in d.fcns.items():
                if not _DOTTED.fullmatch(n) or n in KEYWORDS:
                    raise self.fail(f, f"the function name {n!r}")
                defs.append(f"  {n} = {self.fcndef(f, '  ')}")
            out.append("fcns:\n" + ";\n".join(defs))
        for name, body in (("begin", d.begin), ("action", d.action), ("end", d.end),
                           ("merge", d.merge)):
            if name == "merge" and d.zero is not A.NO_VALUE:
                out.append(f"zero: {json_text(d.zero, '$.zero')}")
            if body:
                lines = ";\n".join("  " + self.expr(e, OPEN, "  ") for e in body)
                out.append(f"{name}:\n{lines}" + (";" if len(body) == 1 else ""))
        if d.randseed is not None:
            out.append(f"randseed: {d.randseed}")
        if d.doc is not None:
            out.append(f"doc: {quote(d.doc)}")
        if d.version is not None:
            out.append(f"version: {d.version}")
        if d.metadata:
            out.append(f"metadata: {json_text(d.metadata, '$.metadata')}")
        if d.options:
            out.append(f"options: {json_text(d.options, '$.options')}")
        return "\n".join(out) + "\n"


def unparse(doc: Any, is_function: Callable[[str], bool] | None = None) -> str:
    """PrettyPFA text for a PfaDocument (or anything :func:`pfa.document.reader.read`
    takes); :class:`Unwritable` if the document has a construct PrettyPFA cannot spell."""
    if not isinstance(doc, A.PfaDocument):
        doc = read(doc)
    if is_function is None:
        is_function = library_function_names().__contains__
    return _Writer(doc, is_function).document()
