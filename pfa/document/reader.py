"""The PFA reader: JSON text, YAML text, a file or an already-decoded dict → :mod:`ast` nodes.

The reader checks the *syntax* of a document: JSON value types, the member sets of special
forms, names, and literal ranges. It does not parse Avro schemas (they are kept as
:class:`TypeSpec` for the checker) and does not look at types or scopes.

Every node gets ``path``, the JSON path of the value it came from (``$.action[2].let.x``;
members whose names are not plain words are bracketed: ``$.action[0]["+"][1]``), and ``pos``,
the ``"@"`` locator mark of its JSON object if it had one. Locator marks are removed from
everything else, including type schemas and embedded data.
"""

from __future__ import annotations

import base64
import binascii
import difflib
import functools
import json
import math
import re
import struct
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pfa._gcpause import gc_paused
from pfa.document.ast import (
    METHODS,
    AttrGet,
    AttrTo,
    Call,
    CallUserFcn,
    CastBlock,
    CastCase,
    CellGet,
    CellSpec,
    CellTo,
    Cond,
    Do,
    Doc,
    DoUntil,
    Error,
    Expr,
    FcnDef,
    FcnRef,
    For,
    Foreach,
    Forkeyval,
    If,
    IfNotNull,
    Let,
    Literal,
    LiteralBase64,
    LiteralBoolean,
    LiteralDouble,
    LiteralFloat,
    LiteralInt,
    LiteralLong,
    LiteralNull,
    LiteralString,
    Log,
    NewArray,
    NewObject,
    Pack,
    Param,
    PfaDocument,
    PoolDel,
    PoolGet,
    PoolSpec,
    PoolTo,
    Ref,
    SetVar,
    Try,
    TypeSpec,
    Unpack,
    Upcast,
    While,
)
from pfa.document.formats import parse_format
from pfa.errors import PfaSyntaxError
from pfa.names import FCN_NAME_RE, NAME_RE
from pfa.paths import join_path

__all__ = [
    "read", "read_yaml", "read_expr", "read_argument", "join_path", "suggest_keyword",
    "is_format_specifier",
    "SYMBOL_RE", "FCN_NAME_RE", "KEYWORDS", "TOP_LEVEL_FIELDS",
]

# --- names and constants ----------------------------------------------------------------------

SYMBOL_RE = NAME_RE
_OPERATOR_RE = re.compile(r"u-|[-+*/%=<>!&|^~]+")
_INT_PART_RE = re.compile(r"-?[0-9]+")
_URL_RE = re.compile(r"[a-zA-Z][a-zA-Z0-9+\-.]*://.*")

INT_MIN, INT_MAX = -(2**31), 2**31 - 1
LONG_MIN, LONG_MAX = -(2**63), 2**63 - 1
_NON_FINITE = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}

TOP_LEVEL_FIELDS = (
    "name", "method", "input", "output", "begin", "action", "end", "fcns", "zero", "merge",
    "cells", "pools", "randseed", "doc", "version", "metadata", "options",
)
_CELL_FIELDS = ("type", "init", "shared", "rollback", "source")
_SOURCES = ("embedded", "json", "avro")

def is_format_specifier(spec: str, pack: bool = False) -> bool:
    """True if ``spec`` is a pack/unpack format specifier (``pack`` also allows bare ``raw``)."""
    return parse_format(spec, pack=pack) is not None


# Special forms: name -> (required members, optional members). The first member listed in
# _HEADS that an object has decides which form it is meant to be.
_FORMS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "fcndef": (("params", "ret", "do"), ()),
    "fcnref": (("fcn",), ("fill",)),
    "cond": (("cond",), ("else",)),
    "ifnotnull": (("ifnotnull", "then"), ("else",)),
    "if": (("if", "then"), ("else",)),
    "forkey-forval": (("forkey", "forval", "in", "do"), ()),
    "foreach": (("foreach", "in", "do"), ("seq",)),
    "for": (("for", "while", "step", "do"), ()),
    "while": (("while", "do"), ()),
    "do-until": (("do", "until"), ()),
    "cast-cases": (("cast", "cases"), ("partial",)),
    "upcast": (("upcast", "as"), ()),
    "unpack": (("unpack", "format", "then"), ("else",)),
    "pack": (("pack",), ()),
    "new": (("new", "type"), ()),
    "literal": (("type", "value"), ()),
    "let": (("let",), ()),
    "set": (("set",), ()),
    "attr": (("attr", "path"), ("to",)),
    "cell": (("cell",), ("path", "to")),
    "pool-del": (("pool", "del"), ()),
    "pool": (("pool", "path"), ("to", "init")),
    "call-args": (("call", "args"), ()),
    "do": (("do",), ()),
    "doc": (("doc",), ()),
    "error": (("error",), ("code",)),
    "try": (("try",), ("filter",)),
    "log": (("log",), ("namespace",)),
    "int": (("int",), ()),
    "long": (("long",), ()),
    "float": (("float",), ()),
    "double": (("double",), ()),
    "string": (("string",), ()),
    "base64": (("base64",), ()),
}

KEYWORDS: frozenset[str] = frozenset(k for req, opt in _FORMS.values() for k in req + opt)
_PRIMARY = ("params", "fcn", "cond", "ifnotnull", "if", "forkey", "forval", "foreach", "for",
            "while", "until", "cast", "upcast", "unpack", "pack", "new", "let", "set", "attr",
            "cell", "pool", "call", "do", "doc", "error", "try", "log", "int", "long", "float",
            "double", "string", "base64", "type")


def _form_of(keys: set[str]) -> str | None:
    """Which special form an object with member names ``keys`` is meant to be (or None)."""
    for head in _PRIMARY:
        if head not in keys:
            continue
        if head == "pool":
            return "pool-del" if "del" in keys else "pool"
        if head in ("forkey", "forval"):
            return "forkey-forval"
        if head == "until":
            return "do-until"
        if head == "do":
            return "do-until" if "until" in keys else "do"
        if head == "type":
            return "new" if "new" in keys else "literal"
        return {"params": "fcndef", "fcn": "fcnref", "cast": "cast-cases",
                "call": "call-args"}.get(head, head)
    return None


def suggest_keyword(word: str, candidates: Any = None) -> str | None:
    """The known keyword closest to ``word`` (for "did you mean" hints), if any is close."""
    pool = sorted(candidates if candidates is not None else KEYWORDS)
    match = difflib.get_close_matches(word, pool, n=1, cutoff=0.6)
    return match[0] if match else None


def _hint(word: str, candidates: Any = None) -> str:
    s = suggest_keyword(word, candidates)
    return f" (did you mean {s!r}?)" if s else ""


def _describe(value: Any) -> str:
    """A short description of a JSON value for error messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"the boolean {'true' if value else 'false'}"
    if isinstance(value, int):
        return f"the integer {value}"
    if isinstance(value, float):
        return f"the number {value!r}"
    if isinstance(value, str):
        text = value if len(value) <= 40 else value[:37] + "..."
        return f"the string {text!r}"
    if isinstance(value, list):
        return f"an array of {len(value)} item(s)"
    if isinstance(value, dict):
        keys = ", ".join(repr(k) for k in list(value)[:6])
        return f"an object with members {keys}" if value else "an empty object"
    return f"a {type(value).__name__}"


class _OverflowFloat(float):
    """A JSON number too large for a double (decoded as infinity, but remembered)."""


class _Reparse(Exception):
    """The JSON text must be decoded again with overflowing numbers marked."""


class _Marked(Exception):
    """Raised by :func:`_copy_unmarked` at the first locator mark."""


def _copy_unmarked(value: Any) -> Any:
    """A copy of JSON data (what ``_Reader.strip`` returns) if it has no locator mark;
    raises :class:`_Marked` otherwise. No paths are built: they only serve errors."""
    if isinstance(value, dict):
        if "@" in value:
            raise _Marked
        return {k: _copy_unmarked(v) if isinstance(v, (dict, list)) else v
                for k, v in value.items()}
    return [_copy_unmarked(v) if isinstance(v, (dict, list)) else v for v in value]


def _has_no_marks(text: str) -> bool:
    """Whether JSON text certainly has no member named "@" (as is, or escaped)."""
    return '"@"' not in text and "\\u0040" not in text


def _parse_json_float(text: str) -> float:
    value = float(text)
    return _OverflowFloat(value) if math.isinf(value) else value


# --- the reader ---------------------------------------------------------------------------------

class _Reader:
    """Converts decoded JSON into AST nodes; ``loc`` is the innermost locator mark seen."""

    def __init__(self, marks: bool = True, overflow_marked: bool = True) -> None:
        self.loc: str | None = None
        # False when JSON text was decoded without marking overflowing numbers: an infinite
        # number in an expression then asks for the text to be decoded again, marking them
        self.overflow_marked = overflow_marked
        # False when the JSON text has no locator mark anywhere: embedded data is then kept
        # as decoded (fresh objects, nothing to strip)
        self.marks = marks

    # helpers ------------------------------------------------------------------------------
    def fail(self, message: str, path: str) -> None:
        raise PfaSyntaxError(message, path, self.loc)

    def members(self, obj: dict, path: str) -> tuple[dict, str | None]:
        """Split off the locator mark of ``obj``; also makes it the current locator."""
        if "@" not in obj:
            return obj, None
        pos = obj["@"]
        if not isinstance(pos, str):
            self.fail(f"a locator mark \"@\" must be a string, found {_describe(pos)}",
                      join_path(path, "@"))
        self.loc = pos
        return {k: v for k, v in obj.items() if k != "@"}, pos

    def strip(self, value: Any, path: str) -> Any:
        """Embedded JSON data with every locator mark removed (their values are checked)."""
        if not self.marks:
            return value
        if isinstance(value, (dict, list)):
            try:
                return _copy_unmarked(value)
            except _Marked:
                pass
        return self._strip(value, path)

    def _strip(self, value: Any, path: str) -> Any:
        if isinstance(value, dict):
            if "@" in value and not isinstance(value["@"], str):
                self.fail(f"a locator mark \"@\" must be a string, found {_describe(value['@'])}",
                          join_path(path, "@"))
            return {k: self._strip(v, join_path(path, k)) for k, v in value.items() if k != "@"}
        if isinstance(value, list):
            return [self._strip(v, join_path(path, i)) for i, v in enumerate(value)]
        return value

    def check_overflow(self, value: Any, path: str) -> None:
        if isinstance(value, _OverflowFloat):
            self.fail("the number is too large for a 64-bit floating-point value", path)
        if not self.overflow_marked and isinstance(value, float) and math.isinf(value):
            raise _Reparse

    def expect(self, value: Any, kinds: type | tuple[type, ...], what: str, path: str) -> Any:
        """``value`` if it has one of the JSON types ``kinds`` (bool is not an int here)."""
        kinds_t = kinds if isinstance(kinds, tuple) else (kinds,)
        if (isinstance(value, bool) and bool not in kinds_t) or not isinstance(value, kinds_t):
            self.fail(f"expected {what}, found {_describe(value)}", path)
        return value

    def name(self, value: Any, path: str, what: str = "symbol name",
             pattern: re.Pattern = SYMBOL_RE) -> str:
        self.expect(value, str, f"a {what}", path)
        if not pattern.fullmatch(value):
            self.fail(f"{value!r} is not a valid {what} (expected {pattern.pattern})", path)
        return value

    def type_spec(self, value: Any, path: str) -> TypeSpec:
        if not isinstance(value, (str, list, dict)):
            self.fail(f"expected an Avro schema (a string, array or object), "
                      f"found {_describe(value)}", path)
        pos = value.get("@") if isinstance(value, dict) else None
        return TypeSpec(self.strip(value, path), path=path, pos=pos)

    def check_members(self, form: str, obj: dict, path: str) -> None:
        required, optional = _FORMS[form]
        for key in obj:
            if key not in required and key not in optional:
                allowed = required + optional
                self.fail(f"unexpected member {key!r} in the {form!r} special form "
                          f"(allowed: {', '.join(allowed)}){_hint(key, allowed)}",
                          join_path(path, key))
        for key in required:
            if key not in obj:
                self.fail(f"the {form!r} special form needs a {key!r} member, "
                          f"found only {', '.join(map(repr, obj))}", path)

    # bodies and expressions ---------------------------------------------------------------
    def body(self, value: Any, path: str, allow_empty: bool = False) -> list[Expr]:
        """An expression or a JSON array of expressions."""
        if isinstance(value, list):
            if not value and not allow_empty:
                self.fail("expected at least one expression, found an empty array", path)
            return [self.expr(v, join_path(path, i)) for i, v in enumerate(value)]
        return [self.expr(value, path)]

    def expr_map(self, value: Any, path: str, what: str, allow_empty: bool = False,
                 key_pattern: re.Pattern | None = SYMBOL_RE) -> dict[str, Expr]:
        self.expect(value, dict, f"an object of {what}", path)
        value, _ = self.members(value, path)
        if not value and not allow_empty:
            self.fail(f"expected at least one member in the object of {what}", path)
        out = {}
        for k, v in value.items():
            p = join_path(path, k)
            if key_pattern is not None and not key_pattern.fullmatch(k):
                self.fail(f"{k!r} is not a valid symbol name", p)
            out[k] = self.expr(v, p)
        return out

    def expr_list(self, value: Any, path: str, what: str, allow_empty: bool = True) -> list[Expr]:
        self.expect(value, list, f"a JSON array of {what}", path)
        if not value and not allow_empty:
            self.fail(f"expected at least one item in the array of {what}", path)
        return [self.expr(v, join_path(path, i)) for i, v in enumerate(value)]

    def expr(self, value: Any, path: str) -> Expr:
        """One expression."""
        saved = self.loc
        try:
            return self._expr(value, path)
        finally:
            self.loc = saved

    def _expr(self, value: Any, path: str) -> Expr:
        if value is None:
            return LiteralNull(path=path)
        if isinstance(value, bool):
            return LiteralBoolean(value, path=path)
        if isinstance(value, int):
            return self.bare_int(value, path)
        if isinstance(value, float):
            return self.bare_float(value, path)
        if isinstance(value, str):
            return self.symbol_or_attr(value, path)
        if isinstance(value, list):
            if len(value) == 1 and isinstance(value[0], str):
                return LiteralString(value[0], path=path)
            self.fail("expected an expression; a JSON array is only an expression when it "
                      f"holds exactly one string (a string literal), found {_describe(value)}",
                      path)
        if isinstance(value, dict):
            return self.object_expr(value, path)
        self.fail(f"expected an expression, found {_describe(value)}", path)
        raise AssertionError  # unreachable

    def bare_int(self, value: int, path: str) -> Expr:
        if INT_MIN <= value <= INT_MAX:
            return LiteralInt(value, path=path)
        if LONG_MIN <= value <= LONG_MAX:
            return LiteralLong(value, path=path)
        self.fail(f"the integer {value} does not fit in 64 bits", path)
        raise AssertionError

    def bare_float(self, value: float, path: str) -> Expr:
        self.check_overflow(value, path)
        return LiteralDouble(math.nan if math.isnan(value) else value, path=path)

    def symbol_or_attr(self, value: str, path: str) -> Expr:
        parts = value.split(".")
        head = parts[0]
        if not SYMBOL_RE.fullmatch(head):
            self.fail(f"{value!r} is not a valid symbol reference (a symbol name matches "
                      f"{SYMBOL_RE.pattern}; wrap strings as {{\"string\": ...}} or [...])", path)
        if len(parts) == 1:
            return Ref(value, path=path)
        steps: list[Expr] = []
        for part in parts[1:]:
            if not part:
                self.fail(f"{value!r} has an empty step in its dotted attribute path", path)
            if _INT_PART_RE.fullmatch(part):
                steps.append(self.bare_int(int(part), path))
            else:
                steps.append(LiteralString(part, path=path))
        return AttrGet(Ref(head, path=path), steps, path=path)

    def object_expr(self, obj: dict, path: str) -> Expr:
        obj, pos = self.members(obj, path)
        if not obj:
            self.fail("expected an expression, found an empty object", path)
        form = _form_of(set(obj))
        if form is None:
            if len(obj) == 1:
                name = next(iter(obj))
                node: Expr = self.call(name, obj[name], path)
                node.pos = pos
                return node
            self.unknown_form(obj, path)
        if form in ("fcndef", "fcnref"):
            self.fail("a function definition or reference ({\"params\": ...} or "
                      "{\"fcn\": ...}) is only allowed as a function argument or as \"to\"", path)
        self.check_members(form, obj, path)
        node = _FORM_READERS[form](self, obj, path)
        node.pos = pos
        return node

    def unknown_form(self, obj: dict, path: str) -> None:
        hints = []
        for key in obj:
            if key not in KEYWORDS:
                s = suggest_keyword(key)
                if s:
                    hints.append(f"{key!r} → {s!r}?")
        keys = ", ".join(map(repr, obj))
        extra = f"; did you mean: {', '.join(hints)}" if hints else ""
        self.fail(f"unrecognized special form with members {keys} (a function call has "
                  f"exactly one member){extra}", path)

    # function calls and arguments -----------------------------------------------------------
    def call(self, name: str, value: Any, path: str) -> Call:
        if name in KEYWORDS:
            self.fail(f"{name!r} is part of a special form and cannot appear alone "
                      f"(found {{{name!r}: ...}})", path)
        if not (FCN_NAME_RE.fullmatch(name) or _OPERATOR_RE.fullmatch(name)):
            self.fail(f"{name!r} is not a valid function name{_hint(name)}", path)
        apath = join_path(path, name)
        if isinstance(value, list):
            args = [self.argument(v, join_path(apath, i)) for i, v in enumerate(value)]
        else:
            args = [self.argument(value, apath)]
        return Call(name, args, path=path)

    def argument(self, value: Any, path: str) -> Expr | FcnDef | FcnRef:
        """An expression, an inline function definition or a function reference."""
        if isinstance(value, dict):
            inner = {k for k in value if k != "@"}
            form = _form_of(inner)
            if form in ("fcndef", "fcnref"):
                saved = self.loc
                try:
                    obj, pos = self.members(value, path)
                    node = self.fcndef(obj, path) if form == "fcndef" else self.fcnref(obj, path)
                    node.pos = pos
                    return node
                finally:
                    self.loc = saved
        return self.expr(value, path)

    def fcndef(self, obj: dict, path: str) -> FcnDef:
        self.check_members("fcndef", obj, path)
        ppath = join_path(path, "params")
        self.expect(obj["params"], list, "a JSON array of parameters", ppath)
        params = [self.param(p, join_path(ppath, i)) for i, p in enumerate(obj["params"])]
        seen: set[str] = set()
        for p in params:
            if p.name in seen:
                self.fail(f"parameter {p.name!r} appears twice", p.path)
            seen.add(p.name)
        ret = self.type_spec(obj["ret"], join_path(path, "ret"))
        body = self.body(obj["do"], join_path(path, "do"))
        return FcnDef(params, ret, body, path=path)

    def param(self, value: Any, path: str) -> Param:
        self.expect(value, dict, "a parameter {\"name\": type}", path)
        saved = self.loc
        try:
            obj, pos = self.members(value, path)
            if len(obj) != 1:
                self.fail(f"a parameter is an object with exactly one member "
                          f"{{\"name\": type}}, found {_describe(obj)}", path)
            (name, schema), = obj.items()
            self.name(name, join_path(path, name), "parameter name")
            return Param(name, self.type_spec(schema, join_path(path, name)), path=path, pos=pos)
        finally:
            self.loc = saved

    def fcnref(self, obj: dict, path: str) -> FcnRef:
        self.check_members("fcnref", obj, path)
        name = self.expect(obj["fcn"], str, "a function name", join_path(path, "fcn"))
        if not (FCN_NAME_RE.fullmatch(name) or _OPERATOR_RE.fullmatch(name)):
            self.fail(f"{name!r} is not a valid function name", join_path(path, "fcn"))
        fill = None
        if "fill" in obj:
            fill = self.expr_map(obj["fill"], join_path(path, "fill"), "parameter values",
                                 allow_empty=True)
        return FcnRef(name, fill, path=path)

    # special forms --------------------------------------------------------------------------
    def f_call_args(self, obj: dict, path: str) -> Expr:
        fcn = self.expr(obj["call"], join_path(path, "call"))
        args = self.expr_list(obj["args"], join_path(path, "args"), "arguments")
        return CallUserFcn(fcn, args, path=path)

    def f_new(self, obj: dict, path: str) -> Expr:
        t = self.type_spec(obj["type"], join_path(path, "type"))
        npath = join_path(path, "new")
        value = obj["new"]
        if isinstance(value, list):
            return NewArray(self.expr_list(value, npath, "items"), t, path=path)
        if isinstance(value, dict):
            fields = self.expr_map(value, npath, "fields or map entries", allow_empty=True,
                                   key_pattern=None)
            return NewObject(fields, t, path=path)
        self.fail(f"\"new\" expects a JSON array (for an array) or an object (for a map or "
                  f"record), found {_describe(value)}", npath)
        raise AssertionError

    def f_literal(self, obj: dict, path: str) -> Expr:
        t = self.type_spec(obj["type"], join_path(path, "type"))
        return Literal(t, self.strip(obj["value"], join_path(path, "value")), path=path)

    def f_let(self, obj: dict, path: str) -> Expr:
        return Let(self.expr_map(obj["let"], join_path(path, "let"), "new symbols"), path=path)

    def f_set(self, obj: dict, path: str) -> Expr:
        return SetVar(self.expr_map(obj["set"], join_path(path, "set"), "symbols to change"),
                      path=path)

    def path_list(self, value: Any, path: str, allow_empty: bool) -> list[Expr]:
        return self.expr_list(value, path, "path steps (expressions)", allow_empty=allow_empty)

    def f_attr(self, obj: dict, path: str) -> Expr:
        target = self.expr(obj["attr"], join_path(path, "attr"))
        steps = self.path_list(obj["path"], join_path(path, "path"), allow_empty=False)
        if "to" in obj:
            return AttrTo(target, steps, self.argument(obj["to"], join_path(path, "to")),
                          path=path)
        return AttrGet(target, steps, path=path)

    def f_cell(self, obj: dict, path: str) -> Expr:
        name = self.name(obj["cell"], join_path(path, "cell"), "cell name")
        steps = []
        if "path" in obj:
            steps = self.path_list(obj["path"], join_path(path, "path"), allow_empty=True)
        if "to" in obj:
            return CellTo(name, steps, self.argument(obj["to"], join_path(path, "to")),
                          path=path)
        return CellGet(name, steps, path=path)

    def f_pool(self, obj: dict, path: str) -> Expr:
        name = self.name(obj["pool"], join_path(path, "pool"), "pool name")
        steps = self.path_list(obj["path"], join_path(path, "path"), allow_empty=False)
        if "to" in obj:
            init = self.expr(obj["init"], join_path(path, "init")) if "init" in obj else None
            return PoolTo(name, steps, self.argument(obj["to"], join_path(path, "to")), init,
                          path=path)
        if "init" in obj:
            self.fail("\"init\" is only allowed in the pool-to form (with \"to\")",
                      join_path(path, "init"))
        return PoolGet(name, steps, path=path)

    def f_pool_del(self, obj: dict, path: str) -> Expr:
        name = self.name(obj["pool"], join_path(path, "pool"), "pool name")
        return PoolDel(name, self.expr(obj["del"], join_path(path, "del")), path=path)

    def f_do(self, obj: dict, path: str) -> Expr:
        return Do(self.body(obj["do"], join_path(path, "do")), path=path)

    def f_if(self, obj: dict, path: str) -> Expr:
        pred = self.expr(obj["if"], join_path(path, "if"))
        then = self.body(obj["then"], join_path(path, "then"))
        else_ = self.body(obj["else"], join_path(path, "else")) if "else" in obj else None
        return If(pred, then, else_, path=path)

    def f_cond(self, obj: dict, path: str) -> Expr:
        cpath = join_path(path, "cond")
        self.expect(obj["cond"], list, "a JSON array of {\"if\": ..., \"then\": ...} clauses",
                    cpath)
        if not obj["cond"]:
            self.fail("\"cond\" needs at least one {\"if\": ..., \"then\": ...} clause", cpath)
        clauses = [self.cond_clause(c, join_path(cpath, i)) for i, c in enumerate(obj["cond"])]
        else_ = self.body(obj["else"], join_path(path, "else")) if "else" in obj else None
        return Cond(clauses, else_, path=path)

    def cond_clause(self, value: Any, path: str) -> If:
        self.expect(value, dict, "a {\"if\": ..., \"then\": ...} clause", path)
        saved = self.loc
        try:
            obj, pos = self.members(value, path)
            if "else" in obj:
                self.fail("an \"if\" clause inside \"cond\" cannot have \"else\" (put it at the "
                          "\"cond\" level)", join_path(path, "else"))
            self.check_members("if", obj, path)
            clause = self.f_if(obj, path)
            assert isinstance(clause, If)
            clause.pos = pos
            return clause
        finally:
            self.loc = saved

    def loop_body(self, value: Any, path: str) -> list[Expr]:
        """A loop's body: loops return null, so (unlike "do" and functions) it may be empty."""
        return self.body(value, path, allow_empty=True)

    def f_while(self, obj: dict, path: str) -> Expr:
        return While(self.expr(obj["while"], join_path(path, "while")),
                     self.loop_body(obj["do"], join_path(path, "do")), path=path)

    def f_do_until(self, obj: dict, path: str) -> Expr:
        return DoUntil(self.loop_body(obj["do"], join_path(path, "do")),
                       self.expr(obj["until"], join_path(path, "until")), path=path)

    def f_for(self, obj: dict, path: str) -> Expr:
        init = self.expr_map(obj["for"], join_path(path, "for"), "loop variables")
        pred = self.expr(obj["while"], join_path(path, "while"))
        step = self.expr_map(obj["step"], join_path(path, "step"), "loop updates",
                             allow_empty=True)
        return For(init, pred, step, self.loop_body(obj["do"], join_path(path, "do")),
                   path=path)

    def f_foreach(self, obj: dict, path: str) -> Expr:
        name = self.name(obj["foreach"], join_path(path, "foreach"))
        seq = False
        if "seq" in obj:
            seq = self.expect(obj["seq"], bool, "true or false", join_path(path, "seq"))
        return Foreach(name, self.expr(obj["in"], join_path(path, "in")),
                       self.loop_body(obj["do"], join_path(path, "do")), seq, path=path)

    def f_forkeyval(self, obj: dict, path: str) -> Expr:
        key = self.name(obj["forkey"], join_path(path, "forkey"))
        val = self.name(obj["forval"], join_path(path, "forval"))
        return Forkeyval(key, val, self.expr(obj["in"], join_path(path, "in")),
                         self.loop_body(obj["do"], join_path(path, "do")), path=path)

    def f_cast(self, obj: dict, path: str) -> Expr:
        target = self.expr(obj["cast"], join_path(path, "cast"))
        cpath = join_path(path, "cases")
        self.expect(obj["cases"], list, "a JSON array of {\"as\", \"named\", \"do\"} cases",
                    cpath)
        if not obj["cases"]:
            self.fail("\"cases\" needs at least one case", cpath)
        cases = [self.cast_case(c, join_path(cpath, i)) for i, c in enumerate(obj["cases"])]
        partial = False
        if "partial" in obj:
            partial = self.expect(obj["partial"], bool, "true or false",
                                  join_path(path, "partial"))
        return CastBlock(target, cases, partial, path=path)

    def cast_case(self, value: Any, path: str) -> CastCase:
        self.expect(value, dict, "a case {\"as\": type, \"named\": name, \"do\": ...}", path)
        saved = self.loc
        try:
            obj, pos = self.members(value, path)
            for key in obj:
                if key not in ("as", "named", "do"):
                    self.fail(f"unexpected member {key!r} in a cast case (allowed: as, named, "
                              f"do){_hint(key, ('as', 'named', 'do'))}", join_path(path, key))
            for key in ("as", "named", "do"):
                if key not in obj:
                    self.fail(f"a cast case needs a {key!r} member", path)
            t = self.type_spec(obj["as"], join_path(path, "as"))
            named = self.name(obj["named"], join_path(path, "named"))
            body = self.body(obj["do"], join_path(path, "do"))
            return CastCase(t, named, body, path=path, pos=pos)
        finally:
            self.loc = saved

    def f_upcast(self, obj: dict, path: str) -> Expr:
        return Upcast(self.expr(obj["upcast"], join_path(path, "upcast")),
                      self.type_spec(obj["as"], join_path(path, "as")), path=path)

    def f_ifnotnull(self, obj: dict, path: str) -> Expr:
        symbols = self.expr_map(obj["ifnotnull"], join_path(path, "ifnotnull"),
                                "symbols to bind")
        then = self.body(obj["then"], join_path(path, "then"))
        else_ = self.body(obj["else"], join_path(path, "else")) if "else" in obj else None
        return IfNotNull(symbols, then, else_, path=path)

    def single_pairs(self, value: Any, path: str, what: str) -> list[tuple[str, Any, str]]:
        """A JSON array of one-member objects → (member name, value, value path)."""
        self.expect(value, list, f"a JSON array of {what}", path)
        out = []
        for i, item in enumerate(value):
            ipath = join_path(path, i)
            self.expect(item, dict, f"a one-member object ({what})", ipath)
            saved = self.loc
            obj, _ = self.members(item, ipath)
            self.loc = saved
            if len(obj) != 1:
                self.fail(f"expected a one-member object ({what}), found {_describe(obj)}", ipath)
            (k, v), = obj.items()
            out.append((k, v, join_path(ipath, k)))
        return out

    def format_spec(self, value: Any, path: str, pack: bool) -> str:
        self.expect(value, str, "a format specifier string", path)
        if not is_format_specifier(value, pack):
            self.fail(f"{value!r} is not a valid {'pack' if pack else 'unpack'} format "
                      "specifier", path)
        return value

    def f_unpack(self, obj: dict, path: str) -> Expr:
        data = self.expr(obj["unpack"], join_path(path, "unpack"))
        fpath = join_path(path, "format")
        pairs = self.single_pairs(obj["format"], fpath, "{symbol: format}")
        if not pairs:
            self.fail("\"format\" needs at least one {symbol: format} item", fpath)
        fmt = [(self.name(k, vpath), self.format_spec(v, vpath, pack=False))
               for k, v, vpath in pairs]
        then = self.body(obj["then"], join_path(path, "then"))
        else_ = self.body(obj["else"], join_path(path, "else")) if "else" in obj else None
        return Unpack(data, fmt, then, else_, path=path)

    def f_pack(self, obj: dict, path: str) -> Expr:
        pairs = self.single_pairs(obj["pack"], join_path(path, "pack"), "{format: expression}")
        return Pack([(self.format_spec(k, vpath, pack=True), self.expr(v, vpath))
                     for k, v, vpath in pairs], path=path)

    def f_doc(self, obj: dict, path: str) -> Expr:
        return Doc(self.expect(obj["doc"], str, "a string", join_path(path, "doc")), path=path)

    def f_error(self, obj: dict, path: str) -> Expr:
        message = self.expect(obj["error"], str, "an error message string",
                              join_path(path, "error"))
        code = None
        if "code" in obj:
            cpath = join_path(path, "code")
            code = self.expect(obj["code"], int, "a negative integer error code", cpath)
            if code >= 0:
                self.fail(f"user-defined error codes must be negative, found {code}", cpath)
        return Error(message, code, path=path)

    def f_try(self, obj: dict, path: str) -> Expr:
        body = self.body(obj["try"], join_path(path, "try"))
        flt = None
        if "filter" in obj:
            fpath = join_path(path, "filter")
            self.expect(obj["filter"], list, "a JSON array of strings and integers", fpath)
            for i, item in enumerate(obj["filter"]):
                self.expect(item, (str, int), "an error message or code", join_path(fpath, i))
            flt = list(obj["filter"])
        return Try(body, flt, path=path)

    def f_log(self, obj: dict, path: str) -> Expr:
        exprs = self.body(obj["log"], join_path(path, "log"))
        namespace = None
        if "namespace" in obj:
            namespace = self.expect(obj["namespace"], str, "a namespace string",
                                    join_path(path, "namespace"))
        return Log(exprs, namespace, path=path)

    # explicit literals ----------------------------------------------------------------------
    def f_int(self, obj: dict, path: str) -> Expr:
        v = self.expect(obj["int"], int, "an integer", join_path(path, "int"))
        if not INT_MIN <= v <= INT_MAX:
            self.fail(f"{v} does not fit in a 32-bit int", join_path(path, "int"))
        return LiteralInt(v, path=path)

    def f_long(self, obj: dict, path: str) -> Expr:
        v = self.expect(obj["long"], int, "an integer", join_path(path, "long"))
        if not LONG_MIN <= v <= LONG_MAX:
            self.fail(f"{v} does not fit in a 64-bit long", join_path(path, "long"))
        return LiteralLong(v, path=path)

    def number(self, value: Any, path: str) -> float:
        if isinstance(value, str) and value in _NON_FINITE:
            return _NON_FINITE[value]
        self.expect(value, (int, float), "a number (or \"NaN\", \"Infinity\", \"-Infinity\")",
                    path)
        self.check_overflow(value, path)
        try:
            v = float(value)
        except OverflowError:
            self.fail("the number is too large for a 64-bit floating-point value", path)
        return math.nan if math.isnan(v) else v

    def f_float(self, obj: dict, path: str) -> Expr:
        fpath = join_path(path, "float")
        v = self.number(obj["float"], fpath)
        if math.isfinite(v):
            try:
                v = struct.unpack("<f", struct.pack("<f", v))[0]
            except OverflowError:
                self.fail(f"{v!r} is too large for a 32-bit float", fpath)
        return LiteralFloat(v, path=path)

    def f_double(self, obj: dict, path: str) -> Expr:
        return LiteralDouble(self.number(obj["double"], join_path(path, "double")), path=path)

    def f_string(self, obj: dict, path: str) -> Expr:
        return LiteralString(self.expect(obj["string"], str, "a string",
                                         join_path(path, "string")), path=path)

    def f_base64(self, obj: dict, path: str) -> Expr:
        bpath = join_path(path, "base64")
        text = self.expect(obj["base64"], str, "a base64 string", bpath)
        try:
            data = base64.b64decode(text.encode("ascii"), validate=True)
        except (binascii.Error, UnicodeEncodeError, ValueError) as exc:
            self.fail(f"invalid base64 data: {exc}", bpath)
        return LiteralBase64(data, path=path)

    # the document ---------------------------------------------------------------------------
    def document(self, value: Any) -> PfaDocument:
        path = "$"
        self.expect(value, dict, "a PFA document (a JSON object)", path)
        obj, pos = self.members(value, path)
        for key in obj:
            if key not in TOP_LEVEL_FIELDS:
                self.fail(f"unknown top-level field {key!r}{_hint(key, TOP_LEVEL_FIELDS)}",
                          join_path(path, key))
        for key in ("input", "output", "action"):
            if key not in obj:
                self.fail(f"a PFA document needs the top-level field {key!r}", path)
        doc = PfaDocument(self.type_spec(obj["input"], "$.input"),
                          self.type_spec(obj["output"], "$.output"),
                          self.body(obj["action"], "$.action"), path=path, pos=pos)
        for key, reader in _TOP_LEVEL_READERS.items():
            if key in obj:
                self.loc = pos
                setattr(doc, key, reader(self, obj[key], join_path(path, key)))
        return doc

    def t_name(self, value: Any, path: str) -> str:
        return self.expect(value, str, "a string", path)

    def t_method(self, value: Any, path: str) -> str:
        self.expect(value, str, "\"map\", \"emit\" or \"fold\"", path)
        if value not in METHODS:
            self.fail(f"method must be \"map\", \"emit\" or \"fold\", found {value!r}"
                      f"{_hint(value, METHODS)}", path)
        return value

    def t_routine(self, value: Any, path: str) -> list[Expr]:
        return self.body(value, path, allow_empty=True)

    def t_merge(self, value: Any, path: str) -> list[Expr]:
        return self.body(value, path)

    def t_fcns(self, value: Any, path: str) -> dict[str, FcnDef]:
        self.expect(value, dict, "an object of function definitions", path)
        value, _ = self.members(value, path)
        out = {}
        for name, fdef in value.items():
            fpath = join_path(path, name)
            self.name(name, fpath, "function name", FCN_NAME_RE)
            self.expect(fdef, dict, "a function definition {\"params\", \"ret\", \"do\"}",
                        fpath)
            saved = self.loc
            obj, pos = self.members(fdef, fpath)
            out[name] = self.fcndef(obj, fpath)
            out[name].pos = pos
            self.loc = saved
        return out

    def t_data(self, value: Any, path: str) -> Any:
        return self.strip(value, path)

    def t_int(self, value: Any, path: str) -> int:
        return self.expect(value, int, "an integer", path)

    def t_metadata(self, value: Any, path: str) -> dict[str, str]:
        self.expect(value, dict, "an object of strings", path)
        value, _ = self.members(value, path)
        for k, v in value.items():
            self.expect(v, str, "a string (metadata values are strings)", join_path(path, k))
        return dict(value)

    def t_options(self, value: Any, path: str) -> dict[str, Any]:
        self.expect(value, dict, "an object of options", path)
        return self.strip(value, path)

    def t_cells(self, value: Any, path: str) -> dict[str, CellSpec]:
        return self.state_specs(value, path, pool=False)

    def t_pools(self, value: Any, path: str) -> dict[str, PoolSpec]:
        return self.state_specs(value, path, pool=True)

    def state_specs(self, value: Any, path: str, pool: bool) -> dict:
        what = "pool" if pool else "cell"
        self.expect(value, dict, f"an object of {what} specifications", path)
        value, _ = self.members(value, path)
        out = {}
        for name, spec in value.items():
            spath = join_path(path, name)
            self.name(name, spath, f"{what} name")
            saved = self.loc
            out[name] = self.state_spec(spec, spath, pool)
            self.loc = saved
        return out

    def state_spec(self, value: Any, path: str, pool: bool) -> CellSpec | PoolSpec:
        what = "pool" if pool else "cell"
        self.expect(value, dict, f"a {what} specification {{\"type\": ..., \"init\": ...}}",
                    path)
        obj, pos = self.members(value, path)
        for key in obj:
            if key not in _CELL_FIELDS:
                self.fail(f"unexpected member {key!r} in a {what} specification"
                          f"{_hint(key, _CELL_FIELDS)}", join_path(path, key))
        for key in ("type",) if pool else ("type", "init"):
            if key not in obj:
                self.fail(f"a {what} specification needs {key!r}", path)
        t = self.type_spec(obj["type"], join_path(path, "type"))
        flags = {}
        for key in ("shared", "rollback"):
            if key in obj:
                flags[key] = self.expect(obj[key], bool, "true or false", join_path(path, key))
        if flags.get("shared") and flags.get("rollback"):
            self.fail(f"a {what} cannot be both shared and rollback", path)
        source = "embedded"
        if "source" in obj:
            source = self.expect(obj["source"], str, "\"embedded\", \"json\" or \"avro\"",
                                 join_path(path, "source"))
            if source not in _SOURCES:
                self.fail(f"source must be \"embedded\", \"json\" or \"avro\", found {source!r}",
                          join_path(path, "source"))
        ipath = join_path(path, "init")
        init = self.strip(obj["init"], ipath) if "init" in obj else {}
        if source != "embedded":
            self.expect(init, str, "a file name or URL (the source is external)", ipath)
        elif pool:
            self.expect(init, dict, "an object of initial pool items", ipath)
        cls = PoolSpec if pool else CellSpec
        return cls(t, init, source=source, path=path, pos=pos, **flags)


_FORM_READERS: dict[str, Callable[[_Reader, dict, str], Expr]] = {
    "cond": _Reader.f_cond, "ifnotnull": _Reader.f_ifnotnull, "if": _Reader.f_if,
    "forkey-forval": _Reader.f_forkeyval, "foreach": _Reader.f_foreach, "for": _Reader.f_for,
    "while": _Reader.f_while, "do-until": _Reader.f_do_until, "cast-cases": _Reader.f_cast,
    "upcast": _Reader.f_upcast, "unpack": _Reader.f_unpack, "pack": _Reader.f_pack,
    "new": _Reader.f_new, "literal": _Reader.f_literal, "let": _Reader.f_let,
    "set": _Reader.f_set, "attr": _Reader.f_attr, "cell": _Reader.f_cell,
    "pool": _Reader.f_pool, "pool-del": _Reader.f_pool_del, "call-args": _Reader.f_call_args,
    "do": _Reader.f_do, "doc": _Reader.f_doc, "error": _Reader.f_error, "try": _Reader.f_try,
    "log": _Reader.f_log, "int": _Reader.f_int, "long": _Reader.f_long,
    "float": _Reader.f_float, "double": _Reader.f_double, "string": _Reader.f_string,
    "base64": _Reader.f_base64,
}

_TOP_LEVEL_READERS: dict[str, Callable[[_Reader, Any, str], Any]] = {
    "name": _Reader.t_name, "method": _Reader.t_method, "begin": _Reader.t_routine,
    "end": _Reader.t_routine, "fcns": _Reader.t_fcns, "zero": _Reader.t_data,
    "merge": _Reader.t_merge, "cells": _Reader.t_cells, "pools": _Reader.t_pools,
    "randseed": _Reader.t_int, "doc": _Reader.t_name, "version": _Reader.t_int,
    "metadata": _Reader.t_metadata, "options": _Reader.t_options,
}


# --- decoding text and files ------------------------------------------------------------------

def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict:
    out = dict(pairs)
    if len(out) == len(pairs):
        return out
    out = {}
    for k, v in pairs:
        if k in out:
            raise PfaSyntaxError(f"the member {k!r} appears twice in one JSON object", "$")
        out[k] = v
    return out


def _loads_json(text: str, mark_overflow: bool = True) -> Any:
    try:
        if not mark_overflow:
            return json.loads(text, object_pairs_hook=_no_duplicates)
        return json.loads(text, parse_float=_parse_json_float, object_pairs_hook=_no_duplicates)
    except json.JSONDecodeError as exc:
        raise PfaSyntaxError(f"invalid JSON: {exc.msg} (line {exc.lineno}, column "
                             f"{exc.colno})", "$") from None
    except ValueError:  # Python's int/str conversion limit
        raise PfaSyntaxError(f"invalid JSON: an integer has more than "
                             f"{sys.get_int_max_str_digits():,} digits", "$") from None


def _check_yaml_value(value: Any, path: str) -> Any:
    """YAML may produce values JSON cannot hold (dates, non-string keys): reject them."""
    if isinstance(value, dict):
        for k, v in value.items():
            if not isinstance(k, str):
                raise PfaSyntaxError(f"object member names must be strings, found {k!r}", path)
            _check_yaml_value(v, join_path(path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _check_yaml_value(v, join_path(path, i))
    elif value is not None and not isinstance(value, (str, int, float, bool)):
        raise PfaSyntaxError(f"a YAML value of type {type(value).__name__} has no JSON "
                             f"equivalent", path)
    return value


def _loads_yaml(text: str) -> Any:
    import yaml

    from pfa.document.safe_yaml import load_yaml

    if _is_json_object(text):  # JSON is YAML (1.2) too: read it at JSON's speed, with its checks
        return _loads_json(text)
    try:
        value = load_yaml(text)
    except yaml.YAMLError as exc:
        raise PfaSyntaxError(f"invalid YAML: {exc}", "$") from None
    except ValueError as exc:  # e.g. an integer beyond Python's int/str conversion limit
        raise PfaSyntaxError(f"invalid YAML: {exc}", "$") from None
    return _check_yaml_value(value, "$")


def _as_file(source: Any) -> Path | None:
    """``source`` as the path of an existing file, if it names one."""
    if isinstance(source, Path):
        return source
    if isinstance(source, str) and "\n" not in source and len(source) < 4096:
        stripped = source.strip()
        if stripped[:1] in ("{", "[", '"') or not stripped:
            return None
        p = Path(stripped)
        try:
            if p.is_file() or p.suffix.lower() in (".json", ".pfa", ".yaml", ".yml"):
                return p
        except (OSError, ValueError):  # not a usable file name: treat it as text
            return None
    return None


def _load_file(p: Path) -> Any:
    text = p.read_text(encoding="utf-8")
    if p.suffix.lower() in (".yaml", ".yml"):
        return _loads_yaml(text)
    return _loads_json(text)


def _depth_guard(fn: Any) -> Any:
    """Turn Python's recursion limit, hit by absurdly deep documents, into a syntax error."""

    @functools.wraps(fn)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except RecursionError:
            raise PfaSyntaxError("the document is nested too deeply to read", "$") from None

    return guarded


@_depth_guard
def read(source: Any) -> PfaDocument:
    """Read a PFA document from a dict, JSON text (str or bytes), or a ``.json``/``.pfa``/
    ``.yaml``/``.yml`` file (``pathlib.Path`` or path string). PrettyPFA:
    :func:`pfa.document.pretty.read_pretty` (and ``pfa.document.pretty.load`` for any
    format)."""
    with gc_paused():
        return _read(source)


def _read(source: Any) -> PfaDocument:
    if isinstance(source, (bytes, bytearray)):
        source = source.decode("utf-8")
    p = _as_file(source)
    if p is not None:
        if p.suffix.lower() in (".yaml", ".yml"):
            return _Reader().document(_load_file(p))
        source = p.read_text(encoding="utf-8")
    if isinstance(source, str):
        # Numbers too large for a double only matter in expressions (an error there): the
        # text is decoded without marking them, and again, marking them, if one may be there.
        marks = not _has_no_marks(source)
        try:
            return _Reader(marks, overflow_marked=False).document(_loads_json(source, False))
        except _Reparse:
            return _Reader(marks).document(_loads_json(source))
    return _Reader().document(source)  # already-decoded JSON


@_depth_guard
def read_yaml(source: str | Path) -> PfaDocument:
    """Read a PFA document written in YAML (text, or the path of a file)."""
    p = _as_file(source)
    text = p.read_text(encoding="utf-8") if p is not None else str(source)
    return _Reader().document(_loads_yaml(text))


def _is_json_object(text: str) -> bool:
    """Whether ``text`` is a JSON object (a YAML flow mapping may look like one, and not be)."""
    if not text.lstrip().startswith("{"):
        return False
    try:
        json.loads(text)
    except (ValueError, RecursionError):  # not JSON (or too deep for it): YAML decides
        return False
    return True


def read_expr(value: Any, path: str = "$") -> Expr:
    """Read one expression from decoded JSON (``path`` prefixes the nodes' paths)."""
    return _Reader().expr(value, path)


def read_argument(value: Any, path: str = "$") -> Expr | FcnDef | FcnRef:
    """Read one function argument: an expression, inline function or function reference."""
    return _Reader().argument(value, path)
