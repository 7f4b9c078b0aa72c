"""The static type checker: annotates a :class:`PfaDocument` in place and summarises it.

``check(doc)`` parses every Avro schema of the document with one :class:`TypeParser` (all
named types are collected first, so schemas may reference types defined later), then types
every expression bottom-up (spec, "Type inference"), enforcing the scoping rules of
:mod:`pfa.check.scope` and the rules of each special form. It sets ``Expr.type``,
``TypeSpec.avro``, ``Call.resolved`` and ``FcnRef.resolved`` (see docs/architecture.md, "The
typed AST") and returns a :class:`TypedDocument`. Problems are collected and raised together
as :class:`PfaSemanticErrors`.

The ``error`` special form has the pseudo-type :data:`pfa.check.scope.BOTTOM` (see there).
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass, field
from typing import Any

from pfa.avro.types import (
    BOOLEAN,
    BYTES,
    DOUBLE,
    FLOAT,
    INT,
    LONG,
    NULL,
    STRING,
    AvroArray,
    AvroEnum,
    AvroMap,
    AvroNamed,
    AvroPrimitive,
    AvroRecord,
    AvroType,
    AvroUnion,
    NoSupertypeError,
    TypeParser,
)
from pfa.check import signatures as sigs
from pfa.check.formats import parse_format
from pfa.check.scope import (
    BOTTOM,
    SYMBOL_RE,
    UNKNOWN,
    Scope,
    as_value,
    fits,
    nullable,
    supertype,
    without_null,
)
from pfa.check.signatures import FcnType, ResolvedCall
from pfa.document import ast as A
from pfa.errors import AvroDataError, PfaSemanticError, PfaSemanticErrors, PfaSyntaxError

TIMEOUT_OPTIONS = ("timeout", "timeout.begin", "timeout.action", "timeout.end")
_FCN_NAME_RE = re.compile(r"^[A-Za-z_]([A-Za-z0-9_]|\.[A-Za-z][A-Za-z0-9_]*)*$")


@dataclass
class TypedDocument:
    """A checked document: the annotated AST and what a back end needs to know about it.

    ``functions_used`` lists (sorted) every library function and every ``u.`` user function
    that is called or referenced anywhere; ``options`` are the document's options with the
    host's overrides applied.
    """

    doc: A.PfaDocument
    input_type: AvroType
    output_type: AvroType
    method: str
    cells: dict[str, AvroType] = field(default_factory=dict)
    pools: dict[str, AvroType] = field(default_factory=dict)
    fcns: dict[str, FcnType] = field(default_factory=dict)
    named_types: dict[str, AvroNamed] = field(default_factory=dict)
    functions_used: list[str] = field(default_factory=list)
    options: dict[str, Any] = field(default_factory=dict)


def check(doc: A.PfaDocument, *, options_override: dict | None = None) -> TypedDocument:
    """Type-check ``doc`` (annotating it in place); raises :class:`PfaSemanticErrors`."""
    return _Checker(doc, options_override).run()


def type_str(t: Any) -> str:
    """A short human form of an Avro type (or function type) for error messages."""
    if isinstance(t, FcnType):
        return "function(" + ", ".join(type_str(p) for p in t.params) + ") -> " + type_str(t.ret)
    if t is None:
        return "?"
    if isinstance(t, AvroNamed):
        return t.fullname
    if isinstance(t, AvroPrimitive) or t is BOTTOM or t is UNKNOWN:
        return str(t) if not isinstance(t, AvroPrimitive) else t.name
    if isinstance(t, AvroArray):
        return f"array of {type_str(t.items)}"
    if isinstance(t, AvroMap):
        return f"map of {type_str(t.values)}"
    if isinstance(t, AvroUnion):
        return "union of [" + ", ".join(type_str(x) for x in t.types) + "]"
    return json.dumps(t.to_json())


def _where(node: A.Node) -> str | None:
    return node.path


class _Fail(Exception):
    """An expression could not be typed (its error is already recorded)."""


@dataclass
class _Frame:
    """A function body (named, inline) or routine, for the call graph."""

    key: str
    modifies: bool = False
    calls: set[str] = field(default_factory=set)


class _Checker:
    def __init__(self, doc: A.PfaDocument, options_override: dict | None):
        self.doc = doc
        self.options = {**(doc.options or {}), **(options_override or {})}
        self.errors: list[PfaSemanticError] = []
        self.parser = TypeParser()
        self.method = doc.method
        self.output: AvroType = UNKNOWN
        self.input: AvroType = UNKNOWN
        self.cells: dict[str, AvroType] = {}
        self.pools: dict[str, AvroType] = {}
        self.fcn_types: dict[str, FcnType] = {}
        self.used: set[str] = set()
        self.frames: dict[str, _Frame] = {}
        self.stack: list[_Frame] = []
        self.updaters: list[tuple[str, A.Node, str]] = []
        try:
            self.library_names = sorted(sigs.library())  # type: ignore[attr-defined]
        except Exception:  # noqa: BLE001 - the library table is optional for suggestions
            self.library_names = []

    # -- reporting ------------------------------------------------------------------------
    def error(self, node: A.Node, message: str) -> None:
        self.errors.append(PfaSemanticError(message, _where(node), node.pos))

    def fail(self, node: A.Node, message: str) -> _Fail:
        self.error(node, message)
        return _Fail()

    def suggest(self, name: str, candidates: list[str]) -> str:
        close = difflib.get_close_matches(name, candidates, n=1)
        return f" (did you mean {close[0]!r}?)" if close else ""

    # -- driver ----------------------------------------------------------------------------
    def run(self) -> TypedDocument:
        doc = self.doc
        self.parse_types()
        self.check_top_level()
        self.input = self.t(doc.input)
        self.output = self.t(doc.output)
        for name, cell in doc.cells.items():
            self.cells[name] = self.t(cell.avro_type)
        for name, pool in doc.pools.items():
            self.pools[name] = self.t(pool.avro_type)
        for name, fdef in doc.fcns.items():
            self.fcn_types[name] = FcnType(tuple(self.t(p.type) for p in fdef.params),
                                           self.t(fdef.ret))
        self.check_state()
        for name, fdef in doc.fcns.items():
            self.check_named_fcn(name, fdef)
        self.check_routines()
        self.check_updaters()
        if self.errors:
            raise PfaSemanticErrors(self.errors)
        return TypedDocument(
            doc=doc, input_type=self.input, output_type=self.output, method=self.method,
            cells=dict(self.cells), pools=dict(self.pools), fcns=dict(self.fcn_types),
            named_types=dict(self.parser.types), functions_used=sorted(self.used),
            options=dict(self.options))

    # -- types -----------------------------------------------------------------------------
    def parse_types(self) -> None:
        specs = [n for n in A.walk(self.doc) if isinstance(n, A.TypeSpec)]
        bad: set[int] = set()
        for ts in specs:
            try:
                self.parser.collect(ts.json, None, _where(ts) or "$")
            except PfaSyntaxError as exc:
                bad.add(id(ts))
                self.errors.append(PfaSemanticError(exc.message, exc.path, ts.pos))
        for ts in specs:
            if id(ts) in bad:
                continue
            try:
                ts.avro = self.parser.parse(ts.json, None, _where(ts) or "$")
            except PfaSyntaxError as exc:
                self.errors.append(PfaSemanticError(exc.message, exc.path, ts.pos))

    def t(self, ts: A.TypeSpec) -> AvroType:
        return ts.avro if ts.avro is not None else UNKNOWN

    # -- top level -------------------------------------------------------------------------
    def check_top_level(self) -> None:
        doc = self.doc
        if self.method not in A.METHODS:
            self.error(doc, f"method must be one of map, emit, fold; found {self.method!r}")
        for opt in TIMEOUT_OPTIONS:
            if opt in self.options:
                v = self.options[opt]
                if not isinstance(v, int) or isinstance(v, bool):
                    self.error(doc, f"option {opt!r} must be a JSON integer, found "
                                    f"{json.dumps(v)}")
        if doc.randseed is not None and (not isinstance(doc.randseed, int)
                                         or isinstance(doc.randseed, bool)):
            self.error(doc, f"randseed must be an integer, found {doc.randseed!r}")
        if self.method == "fold":
            if doc.zero is A.NO_VALUE:
                self.error(doc, "a fold engine needs a \"zero\" (its initial tally)")
            if doc.merge is None:
                self.error(doc, "a fold engine needs a \"merge\"")
        else:
            if doc.zero is not A.NO_VALUE:
                self.error(doc, f"\"zero\" is only allowed with method fold, not {self.method}")
            if doc.merge is not None:
                self.error(doc, f"\"merge\" is only allowed with method fold, not {self.method}")
        for name in doc.fcns:
            if not _FCN_NAME_RE.match(name) or name.startswith("u."):
                self.error(doc.fcns[name], f"{name!r} is not a valid function name")

    def decode(self, t: AvroType, value: Any, node: A.Node, what: str) -> None:
        if t is UNKNOWN:
            return
        try:
            from pfa.avro.data import decode_json
        except ImportError:  # pragma: no cover - data module not available
            return
        try:
            decode_json(t, value, "$")
        except AvroDataError as exc:
            self.error(node, f"{what} does not match type {type_str(t)}: {exc}")

    def check_state(self) -> None:
        doc = self.doc
        if self.method == "fold" and doc.zero is not A.NO_VALUE:
            self.decode(self.output, doc.zero, doc, "\"zero\"")
        for name, cell in doc.cells.items():
            if not SYMBOL_RE.match(name):
                self.error(cell, f"{name!r} is not a valid cell name")
            if cell.shared and cell.rollback:
                self.error(cell, f"cell {name!r} cannot be both shared and rollback")
            if cell.source == "embedded":
                self.decode(self.cells[name], cell.init, cell, f"init of cell {name!r}")
            elif cell.source not in ("json", "avro"):
                self.error(cell, f"cell source must be embedded, json or avro, found "
                                 f"{cell.source!r}")
        for name, pool in doc.pools.items():
            if not SYMBOL_RE.match(name):
                self.error(pool, f"{name!r} is not a valid pool name")
            if pool.shared and pool.rollback:
                self.error(pool, f"pool {name!r} cannot be both shared and rollback")
            if pool.source == "embedded":
                if not isinstance(pool.init, dict):
                    self.error(pool, f"init of pool {name!r} must be a JSON object (a map of "
                                     "values)")
                else:
                    for key, v in pool.init.items():
                        self.decode(self.pools[name], v, pool, f"init of pool {name!r} item "
                                                             f"{key!r}")
            elif pool.source not in ("json", "avro"):
                self.error(pool, f"pool source must be embedded, json or avro, found "
                                 f"{pool.source!r}")

    def predefined(self, phase: str) -> Scope:
        doc = self.doc
        root = Scope()
        syms = root.symbols
        syms["name"] = STRING
        syms["instance"] = INT
        if doc.version is not None:
            syms["version"] = INT
        syms["metadata"] = AvroMap(STRING)
        if phase in ("action", "end"):
            syms["actionsStarted"] = LONG
            syms["actionsFinished"] = LONG
            if self.method == "fold":
                syms["tally"] = self.output
        if phase == "action":
            syms["input"] = self.input
        if phase == "merge":
            syms["tallyOne"] = self.output
            syms["tallyTwo"] = self.output
        return root.child(sealed_above=True)

    def check_routines(self) -> None:
        doc = self.doc
        for phase, body in (("begin", doc.begin), ("action", doc.action), ("end", doc.end),
                            ("merge", doc.merge or [])):
            if not body:
                continue
            self.push(phase)
            t = self.block(body, self.predefined(phase))
            self.pop()
            if (phase == "action" and self.method in ("map", "fold")) or phase == "merge":
                if not fits(self.output, t):
                    self.error(body[-1], f"the {phase} must end with a value of the output type "
                                         f"{type_str(self.output)}, found {type_str(t)}")

    def check_named_fcn(self, name: str, fdef: A.FcnDef) -> None:
        scope = Scope()
        for p in fdef.params:
            msg = scope.declare(p.name, self.t(p.type))
            if msg:
                self.error(p, f"in function u.{name}: {msg}")
        self.push(f"u.{name}")
        t = self.block(fdef.body, scope)
        self.pop()
        ret = self.t(fdef.ret)
        if not fits(ret, t):
            self.error(fdef.body[-1] if fdef.body else fdef,
                       f"function u.{name} must return {type_str(ret)}, but its body ends "
                       f"with {type_str(t)}")

    # -- call graph ------------------------------------------------------------------------
    def push(self, key: str) -> _Frame:
        frame = self.frames.setdefault(key, _Frame(key))
        self.stack.append(frame)
        return frame

    def pop(self) -> None:
        self.stack.pop()

    def calls(self, key: str) -> None:
        if self.stack:
            self.stack[-1].calls.add(key)

    def modifies(self) -> None:
        if self.stack:
            self.stack[-1].modifies = True

    def check_updaters(self) -> None:
        for key, node, form in self.updaters:
            seen: set[str] = set()
            todo = [key]
            culprit = None
            while todo and culprit is None:
                k = todo.pop()
                if k in seen:
                    continue
                seen.add(k)
                frame = self.frames.get(k)
                if frame is None:
                    continue
                if frame.modifies:
                    culprit = k
                todo.extend(frame.calls)
            if culprit is not None:
                what = "the inline function" if key.startswith("<") else f"function {key}"
                who = "" if culprit == key else f" (through {culprit.split('#')[0]})"
                self.error(node, f"{what} passed to {form} must not modify cells or pools, "
                                 f"directly or through the functions it calls{who}")

    # -- blocks and expressions ------------------------------------------------------------
    def block(self, exprs: list[A.Expr], scope: Scope) -> AvroType:
        t: AvroType = NULL
        for e in exprs:
            t = self.expr(e, scope)
        return t

    def value(self, e: A.Expr, scope: Scope) -> AvroType:
        """Type of a single sub-expression in a sealed scope, used as a value."""
        return as_value(self.expr(e, scope.sealed()))

    def expr(self, e: A.Expr, scope: Scope) -> AvroType:
        handler = getattr(self, "x_" + type(e).__name__, None)
        if handler is None:
            self.error(e, f"unsupported expression {type(e).__name__}")
            t = UNKNOWN
        else:
            try:
                t = handler(e, scope)
            except _Fail:
                t = UNKNOWN
        e.type = t
        return t

    # symbols and literals
    def x_Ref(self, e: A.Ref, scope: Scope) -> AvroType:
        t = scope.get(e.name)
        if t is None:
            raise self.fail(e, f"unknown symbol {e.name!r}" +
                            self.suggest(e.name, scope.visible()))
        return t

    def x_LiteralNull(self, e, scope):
        return NULL

    def x_LiteralBoolean(self, e, scope):
        return BOOLEAN

    def x_LiteralInt(self, e, scope):
        return INT

    def x_LiteralLong(self, e, scope):
        return LONG

    def x_LiteralFloat(self, e, scope):
        return FLOAT

    def x_LiteralDouble(self, e, scope):
        return DOUBLE

    def x_LiteralString(self, e, scope):
        return STRING

    def x_LiteralBase64(self, e, scope):
        return BYTES

    def x_Literal(self, e: A.Literal, scope: Scope) -> AvroType:
        t = self.t(e.avro_type)
        self.decode(t, e.value, e, "literal value")
        return t

    # functions
    def fcn_arg(self, a: A.Argument, scope: Scope) -> Any:
        """Type of a function argument: AvroType for expressions, FcnType for functions."""
        if isinstance(a, A.FcnDef):
            return self.fcndef(a, scope)
        if isinstance(a, A.FcnRef):
            return self.fcnref(a, scope)
        return self.value(a, scope)

    def fcndef(self, f: A.FcnDef, scope: Scope) -> Any:
        fscope = scope.child(sealed_above=True)
        for p in f.params:
            msg = fscope.declare(p.name, self.t(p.type))
            if msg:
                self.error(p, msg)
        key = f"<inline function at {_where(f)}>#{id(f)}"
        self.calls(key)
        self.push(key)
        body_t = self.block(f.body, fscope)
        self.pop()
        ret = self.t(f.ret)
        if not fits(ret, body_t):
            self.error(f.body[-1] if f.body else f,
                       f"inline function must return {type_str(ret)}, but its body ends with "
                       f"{type_str(body_t)}")
        return FcnType(tuple(self.t(p.type) for p in f.params), ret)

    def fcnref(self, r: A.FcnRef, scope: Scope) -> Any:
        fill = {k: self.value(v, scope) for k, v in (r.fill or {}).items()}
        name = r.name
        if name.startswith("u."):
            fdef = self.doc.fcns.get(name[2:])
            if fdef is None:
                raise self.fail(r, f"unknown function {name!r}" + self.user_suggest(name))
            self.used.add(name)
            self.calls(name)
            ft = self.fcn_types[name[2:]]
            names = [p.name for p in fdef.params]
            for k, t in fill.items():
                if k not in names:
                    raise self.fail(r, f"{name} has no parameter {k!r} to fill")
                pt = ft.params[names.index(k)]
                if not fits(pt, t):
                    raise self.fail(r.fill[k] if r.fill else r,
                                    f"fill of parameter {k!r} of {name} expects "
                                    f"{type_str(pt)}, found {type_str(t)}")
            r.resolved = ResolvedCall(name, 0, ft.params, ft.ret)
            return FcnType(tuple(t for n, t in zip(names, ft.params) if n not in fill), ft.ret)
        if name == "emit" and self.method == "emit":
            if fill:
                raise self.fail(r, "emit has no parameters to fill")
            r.resolved = ResolvedCall("emit", 0, (self.output,), NULL)
            return FcnType((self.output,), NULL)
        if any(t is UNKNOWN for t in fill.values()):
            raise _Fail()
        try:
            ft, rc = sigs.resolve_fcnref(name, fill)  # type: ignore[attr-defined]
        except sigs.UnknownFunction as exc:  # type: ignore[attr-defined]
            raise self.fail(r, self.unknown_message(name, exc)) from None
        except sigs.SignatureMismatch as exc:  # type: ignore[attr-defined]
            raise self.fail(r, f"cannot reference function {name!r}"
                               + (f" with fill ({self.fmt_fill(fill)})" if fill else "")
                               + f": {getattr(exc, 'message', exc)}") from None
        self.used.add(name)
        r.resolved = rc
        return ft

    def fmt_fill(self, fill: dict[str, AvroType]) -> str:
        return ", ".join(f"{k}: {type_str(t)}" for k, t in fill.items())

    def user_suggest(self, name: str) -> str:
        return self.suggest(name, [f"u.{n}" for n in self.doc.fcns] + self.library_names)

    def unknown_message(self, name: str, exc: Exception) -> str:
        hint = self.suggest(name, self.library_names + [f"u.{n}" for n in self.doc.fcns])
        if not hint and getattr(exc, "suggestion", None):
            hint = f" (did you mean {exc.suggestion!r}?)"  # type: ignore[attr-defined]
        return f"unknown function {name!r}" + hint

    def x_Call(self, e: A.Call, scope: Scope) -> AvroType:
        name = e.name
        args = [self.fcn_arg(a, scope) for a in e.args]
        if name == "emit" and self.method == "emit":
            if len(args) != 1 or isinstance(args[0], FcnType):
                raise self.fail(e, f"emit takes one argument of the output type "
                                   f"{type_str(self.output)}, found {len(args)} arguments")
            if not fits(self.output, args[0]):
                raise self.fail(e, f"emit expects the output type {type_str(self.output)}, "
                                   f"found {type_str(args[0])}")
            e.resolved = ResolvedCall("emit", 0, (self.output,), NULL)
            return NULL
        if name.startswith("u."):
            return self.user_call(e, name, args)
        if any(a is UNKNOWN for a in args):
            raise _Fail()
        try:
            rc = sigs.resolve_call(name, tuple(args))  # type: ignore[attr-defined]
        except sigs.UnknownFunction as exc:  # type: ignore[attr-defined]
            raise self.fail(e, self.unknown_message(name, exc)) from None
        except sigs.SignatureMismatch as exc:  # type: ignore[attr-defined]
            got = ", ".join(type_str(a) for a in args)
            detail = str(getattr(exc, "message", exc) or "")
            raise self.fail(e, detail or f"function {name!r} does not accept arguments "
                                         f"({got})") from None
        self.used.add(name)
        e.resolved = rc
        return rc.ret_type

    def user_call(self, e: A.Call, name: str, args: list[Any]) -> AvroType:
        fdef = self.doc.fcns.get(name[2:])
        if fdef is None:
            raise self.fail(e, f"unknown function {name!r}" + self.user_suggest(name))
        self.used.add(name)
        self.calls(name)
        ft = self.fcn_types[name[2:]]
        self.check_user_args(e, name, ft, args, e.args)
        e.resolved = ResolvedCall(name, 0, ft.params, ft.ret)
        return ft.ret

    def check_user_args(self, node: A.Node, name: str, ft: FcnType, args: list[Any],
                        arg_nodes: list[Any]) -> None:
        if len(args) != len(ft.params):
            raise self.fail(node, f"{name} takes {len(ft.params)} arguments, found {len(args)}")
        for i, (p, a) in enumerate(zip(ft.params, args)):
            if isinstance(a, FcnType):
                raise self.fail(arg_nodes[i], f"argument {i + 1} of {name} must be a value of "
                                              f"type {type_str(p)}, not a function")
            if not fits(p, a):
                raise self.fail(arg_nodes[i], f"argument {i + 1} of {name} expects "
                                              f"{type_str(p)}, found {type_str(a)}")

    def x_CallUserFcn(self, e: A.CallUserFcn, scope: Scope) -> AvroType:
        ct = self.value(e.fcn, scope)
        args = [self.value(a, scope) for a in e.args]
        if ct is UNKNOWN:
            raise _Fail()
        if not isinstance(ct, AvroEnum):
            raise self.fail(e, f"\"call\" needs an enum naming user functions, found "
                               f"{type_str(ct)}")
        rets = []
        for sym in ct.symbols:
            name = f"u.{sym}"
            if sym not in self.doc.fcns:
                raise self.fail(e, f"enum symbol {sym!r} of {ct.fullname} does not name a user "
                                   "function")
            self.used.add(name)
            self.calls(name)
            ft = self.fcn_types[sym]
            self.check_user_args(e, name, ft, args, e.args)
            rets.append(ft.ret)
        return self.merge_types(e, rets, "the functions named by the enum")

    def merge_types(self, node: A.Node, types: list[AvroType], what: str) -> AvroType:
        try:
            return supertype(types)
        except NoSupertypeError:
            raise self.fail(node, f"{what} have no common type: "
                                  + ", ".join(type_str(t) for t in types)) from None

    # data construction
    def x_NewObject(self, e: A.NewObject, scope: Scope) -> AvroType:
        t = self.t(e.avro_type)
        types = {k: self.value(v, scope) for k, v in e.fields.items()}
        if isinstance(t, AvroMap):
            for k, ft in types.items():
                if not fits(t.values, ft):
                    self.error(e.fields[k], f"value {k!r} of new map must be "
                                            f"{type_str(t.values)}, found {type_str(ft)}")
        elif isinstance(t, AvroRecord):
            for k, ft in types.items():
                fld = t.field(k)
                if fld is None:
                    self.error(e.fields[k], f"record {t.fullname} has no field {k!r}")
                elif not fits(fld.type, ft):
                    self.error(e.fields[k], f"field {k!r} of {t.fullname} must be "
                                            f"{type_str(fld.type)}, found {type_str(ft)}")
            missing = [f.name for f in t.fields if f.name not in types]
            if missing:
                self.error(e, f"new {t.fullname} lacks fields: {', '.join(missing)}")
        elif t is not UNKNOWN:
            self.error(e, f"\"new\" with an object needs a map or record type, found "
                          f"{type_str(t)}")
        return t

    def x_NewArray(self, e: A.NewArray, scope: Scope) -> AvroType:
        t = self.t(e.avro_type)
        types = [self.value(v, scope) for v in e.items]
        if isinstance(t, AvroArray):
            for i, it in enumerate(types):
                if not fits(t.items, it):
                    self.error(e.items[i], f"item {i} of new array must be {type_str(t.items)}, "
                                           f"found {type_str(it)}")
        elif t is not UNKNOWN:
            self.error(e, f"\"new\" with an array needs an array type, found {type_str(t)}")
        return t

    # symbols
    def x_Let(self, e: A.Let, scope: Scope) -> AvroType:
        types = {k: self.value(v, scope) for k, v in e.values.items()}
        for k, t in types.items():
            msg = scope.declare(k, t)
            if msg:
                self.error(e.values[k], msg)
        return NULL

    def x_SetVar(self, e: A.SetVar, scope: Scope) -> AvroType:
        types = {k: self.value(v, scope) for k, v in e.values.items()}
        self.assign(e, types, scope, "set")
        return NULL

    def assign(self, e: A.Node, types: dict[str, AvroType], scope: Scope, form: str) -> None:
        values: dict[str, A.Expr] = getattr(e, "values", None) or getattr(e, "step", {})
        for k, t in types.items():
            node = values.get(k, e)
            old = scope.get(k)
            if old is None:
                self.error(node, f"cannot {form} undeclared symbol {k!r}"
                                 + self.suggest(k, scope.visible()))
            elif not scope.writable(k):
                self.error(node, f"cannot {form} symbol {k!r}: it is declared outside a scope "
                                 "sealed from above (function argument, inline function, "
                                 "condition or parallel loop) or is predefined")
            elif not fits(old, t):
                self.error(node, f"cannot {form} symbol {k!r} of type {type_str(old)} to a "
                                 f"value of type {type_str(t)}")

    # attr, cell, pool
    def walk_path(self, t: AvroType, path: list[A.Expr], scope: Scope) -> AvroType:
        for ix in path:
            it = self.value(ix, scope)
            if t is UNKNOWN:
                continue
            if isinstance(t, AvroArray):
                if not fits(INT, it):
                    raise self.fail(ix, f"an array index must be int, found {type_str(it)}")
                t = t.items
            elif isinstance(t, AvroMap):
                if not fits(STRING, it):
                    raise self.fail(ix, f"a map key must be string, found {type_str(it)}")
                t = t.values
            elif isinstance(t, AvroRecord):
                fname = None
                if isinstance(ix, A.LiteralString) or isinstance(ix, A.Literal) and isinstance(ix.value, str) and it == STRING:
                    fname = ix.value
                if fname is None:
                    raise self.fail(ix, f"a field of record {t.fullname} must be named by a "
                                        "literal string")
                fld = t.field(fname)
                if fld is None:
                    raise self.fail(ix, f"record {t.fullname} has no field {fname!r}"
                                        + self.suggest(fname, list(t.field_names)))
                t = fld.type
            else:
                raise self.fail(ix, f"cannot index into a value of type {type_str(t)} "
                                    "(only arrays, maps and records)")
        return t

    def update(self, to: A.Argument, target: AvroType, scope: Scope, form: str) -> None:
        """Check a ``to`` clause: a value of the target type or a function target → target."""
        if isinstance(to, (A.FcnDef, A.FcnRef)):
            ft = self.fcn_arg(to, scope)
            if form in ("cell-to", "pool-to"):
                if isinstance(to, A.FcnRef):
                    key = to.name
                else:
                    key = f"<inline function at {_where(to)}>#{id(to)}"
                self.updaters.append((key, to, form))
            if ft is UNKNOWN or target is UNKNOWN:
                return
            if (len(ft.params) != 1 or not fits(ft.params[0], target)
                    or not fits(target, ft.ret)):
                self.error(to, f"the \"to\" function of {form} must map {type_str(target)} to "
                               f"{type_str(target)}, found {type_str(ft)}")
        else:
            t = self.value(to, scope)
            if not fits(target, t):
                self.error(to, f"the \"to\" value of {form} must be {type_str(target)}, found "
                               f"{type_str(t)}")

    def x_AttrGet(self, e: A.AttrGet, scope: Scope) -> AvroType:
        t = self.value(e.expr, scope)
        path = e.indexes
        if not path:
            raise self.fail(e, "attr needs a non-empty path")
        return self.walk_path(t, path, scope)

    def x_AttrTo(self, e: A.AttrTo, scope: Scope) -> AvroType:
        t = self.value(e.expr, scope)
        path = e.indexes
        if not path:
            raise self.fail(e, "attr-to needs a non-empty path")
        target = self.walk_path(t, path, scope)
        self.update(e.to, target, scope, "attr-to")
        return t

    def cell_type(self, e: A.Node, name: str) -> AvroType:
        t = self.cells.get(name)
        if t is None:
            raise self.fail(e, f"unknown cell {name!r}" + self.suggest(name, list(self.cells)))
        return t

    def pool_type(self, e: A.Node, name: str) -> AvroType:
        t = self.pools.get(name)
        if t is None:
            raise self.fail(e, f"unknown pool {name!r}" + self.suggest(name, list(self.pools)))
        return t

    def x_CellGet(self, e: A.CellGet, scope: Scope) -> AvroType:
        return self.walk_path(self.cell_type(e, e.cell), e.indexes, scope)

    def x_CellTo(self, e: A.CellTo, scope: Scope) -> AvroType:
        t = self.cell_type(e, e.cell)
        self.modifies()
        target = self.walk_path(t, e.indexes, scope)
        self.update(e.to, target, scope, "cell-to")
        return t

    def pool_path(self, e: A.Node, t: AvroType, scope: Scope) -> AvroType:
        path = e.indexes
        if not path:
            raise self.fail(e, "a pool path needs at least one element (the item name)")
        kt = self.value(path[0], scope)
        if not fits(STRING, kt):
            raise self.fail(path[0], f"the first element of a pool path names the item and must "
                                     f"be a string, found {type_str(kt)}")
        return self.walk_path(t, path[1:], scope)

    def x_PoolGet(self, e: A.PoolGet, scope: Scope) -> AvroType:
        return self.pool_path(e, self.pool_type(e, e.pool), scope)

    def x_PoolTo(self, e: A.PoolTo, scope: Scope) -> AvroType:
        t = self.pool_type(e, e.pool)
        self.modifies()
        target = self.pool_path(e, t, scope)
        self.update(e.to, target, scope, "pool-to")
        if e.init is None:
            self.error(e, "pool-to needs an \"init\" (the value of a new pool item)")
        else:
            it = self.value(e.init, scope)
            if not fits(t, it):
                self.error(e.init, f"the init of pool-to must be {type_str(t)}, found "
                                   f"{type_str(it)}")
        return t

    def x_PoolDel(self, e: A.PoolDel, scope: Scope) -> AvroType:
        self.pool_type(e, e.pool)
        self.modifies()
        kt = self.value(e.key, scope)
        if not fits(STRING, kt):
            raise self.fail(e.key, f"pool-del needs a string item name, found {type_str(kt)}")
        return NULL

    # control flow
    def x_Do(self, e: A.Do, scope: Scope) -> AvroType:
        return as_value(self.block(e.body, scope.child()))

    def predicate(self, p: A.Expr, scope: Scope, form: str) -> None:
        t = self.value(p, scope)
        if t is not UNKNOWN and t != BOOLEAN:
            self.error(p, f"the condition of {form} must be boolean, found {type_str(t)}")

    def branches(self, node: A.Node, types: list[AvroType], form: str) -> AvroType:
        return self.merge_types(node, types, f"the branches of {form}")

    def x_If(self, e: A.If, scope: Scope) -> AvroType:
        self.predicate(e.predicate, scope, "if")
        then_t = self.block(e.then, scope.child())
        if e.else_ is None:
            return NULL
        else_t = self.block(e.else_, scope.child())
        return self.branches(e, [then_t, else_t], "if")

    def x_Cond(self, e: A.Cond, scope: Scope) -> AvroType:
        types = []
        for clause in e.clauses:
            self.predicate(clause.predicate, scope, "cond")
            types.append(self.block(clause.then, scope.child()))
            clause.type = NULL
        if e.else_ is None:
            return NULL
        types.append(self.block(e.else_, scope.child()))
        return self.branches(e, types, "cond")

    def x_While(self, e: A.While, scope: Scope) -> AvroType:
        self.predicate(e.predicate, scope, "while")
        self.block(e.body, scope.child())
        return NULL

    def x_DoUntil(self, e: A.DoUntil, scope: Scope) -> AvroType:
        body = scope.child()
        self.block(e.body, body)
        self.predicate(e.predicate, body, "do-until")
        return NULL

    def x_For(self, e: A.For, scope: Scope) -> AvroType:
        init = {k: self.value(v, scope) for k, v in e.init.items()}
        loop = scope.child()
        for k, t in init.items():
            msg = loop.declare(k, t)
            if msg:
                self.error(e.init[k], msg)
        self.predicate(e.predicate, loop, "for")
        steps = {k: self.value(v, loop) for k, v in e.step.items()}
        self.assign(e, steps, loop, "step")
        self.block(e.body, loop.child())
        return NULL

    def x_Foreach(self, e: A.Foreach, scope: Scope) -> AvroType:
        at = self.value(e.array, scope)
        loop = scope.child(sealed_above=not e.seq)
        if isinstance(at, AvroArray):
            item = at.items
        else:
            if at is not UNKNOWN:
                self.error(e.array, f"foreach needs an array, found {type_str(at)}")
            item = UNKNOWN
        msg = loop.declare(e.name, item)
        if msg:
            self.error(e, msg)
        self.block(e.body, loop.child())
        return NULL

    def x_Forkeyval(self, e: A.Forkeyval, scope: Scope) -> AvroType:
        mt = self.value(e.map, scope)
        loop = scope.child()
        if isinstance(mt, AvroMap):
            vt = mt.values
        else:
            if mt is not UNKNOWN:
                self.error(e.map, f"forkey-forval needs a map, found {type_str(mt)}")
            vt = UNKNOWN
        for name, t in ((e.forkey, STRING), (e.forval, vt)):
            msg = loop.declare(name, t)
            if msg:
                self.error(e, msg)
        self.block(e.body, loop.child())
        return NULL

    # casts
    def x_CastBlock(self, e: A.CastBlock, scope: Scope) -> AvroType:
        xt = self.value(e.expr, scope)
        results = []
        case_types = []
        for case in e.cases:
            ct = self.t(case.avro_type)
            case_types.append(ct)
            if xt is not UNKNOWN and ct is not UNKNOWN and not fits(xt, ct):
                self.error(case, f"cast case {type_str(ct)} can never match: it is not a "
                                 f"subtype of {type_str(xt)}")
            cscope = scope.child()
            msg = cscope.declare(case.named, ct)
            if msg:
                self.error(case, msg)
            results.append(self.block(case.body, cscope))
        if e.partial:
            return NULL
        if xt is not UNKNOWN and all(ct is not UNKNOWN for ct in case_types):
            branches = xt.types if isinstance(xt, AvroUnion) else (xt,)
            missing = [b for b in branches if not any(fits(ct, b) for ct in case_types)]
            if missing:
                self.error(e, "cast-cases is not exhaustive (add cases or \"partial\": true); "
                              "missing " + ", ".join(type_str(b) for b in missing))
        if not results:
            return NULL
        return self.branches(e, results, "cast-cases")

    def x_Upcast(self, e: A.Upcast, scope: Scope) -> AvroType:
        t = self.value(e.expr, scope)
        target = self.t(e.avro_type)
        if not fits(target, t):
            self.error(e, f"cannot upcast {type_str(t)} to {type_str(target)}")
        return target

    def x_IfNotNull(self, e: A.IfNotNull, scope: Scope) -> AvroType:
        then_scope = scope.child()
        for name, ex in e.symbols.items():
            t = self.value(ex, scope)
            inner: AvroType | None = UNKNOWN if t is UNKNOWN else without_null(t)
            if inner is None:
                self.error(ex, f"ifnotnull needs a union containing null for {name!r}, found "
                               f"{type_str(t)}")
                inner = UNKNOWN
            msg = then_scope.declare(name, inner)
            if msg:
                self.error(ex, msg)
        then_t = self.block(e.then, then_scope)
        if e.else_ is None:
            return NULL
        return self.branches(e, [then_t, self.block(e.else_, scope.child())], "ifnotnull")

    # binary
    def x_Unpack(self, e: A.Unpack, scope: Scope) -> AvroType:
        bt = self.value(e.bytes, scope)
        if not fits(BYTES, bt):
            self.error(e.bytes, f"unpack needs bytes, found {type_str(bt)}")
        then_scope = scope.child()
        for name, spec in e.format:
            fmt = parse_format(spec)
            if fmt is None:
                self.error(e, f"invalid unpack format {spec!r} for {name!r}")
            msg = then_scope.declare(name, fmt.type if fmt else UNKNOWN)
            if msg:
                self.error(e, msg)
        then_t = self.block(e.then, then_scope)
        if e.else_ is None:
            return NULL
        return self.branches(e, [then_t, self.block(e.else_, scope.child())], "unpack")

    def x_Pack(self, e: A.Pack, scope: Scope) -> AvroType:
        for spec, ex in e.exprs:
            t = self.value(ex, scope)
            fmt = parse_format(spec, pack=True)
            if fmt is None:
                self.error(ex, f"invalid pack format {spec!r}")
            elif not fits(fmt.type, t):
                self.error(ex, f"pack format {spec!r} needs {type_str(fmt.type)}, found "
                               f"{type_str(t)}")
        return BYTES

    # miscellaneous
    def x_Doc(self, e, scope):
        return NULL

    def x_Error(self, e: A.Error, scope: Scope) -> AvroType:
        if e.code is not None and (not isinstance(e.code, int) or e.code >= 0):
            self.error(e, f"a user error code must be a negative integer, found {e.code!r}")
        return BOTTOM

    def x_Try(self, e: A.Try, scope: Scope) -> AvroType:
        return nullable(self.block(e.body, scope.child()))

    def x_Log(self, e: A.Log, scope: Scope) -> AvroType:
        for ex in e.exprs:
            self.value(ex, scope)
        return NULL
