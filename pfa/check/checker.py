"""The static type checker: annotates a :class:`PfaDocument` in place and summarises it.

``check(doc)`` parses every Avro schema of the document with one :class:`TypeParser` (all
named types are collected first, so schemas may reference types defined later), then types
every expression bottom-up (spec, "Type inference"), enforcing the scoping rules of
:mod:`pfa.check.scope` and the rules of each special form. It sets ``Expr.type``,
``TypeSpec.avro``, ``Call.resolved`` and ``FcnRef.resolved`` (see docs/architecture.md, "The
typed AST") and returns a :class:`TypedDocument`. Problems are collected and raised together
as :class:`PfaSemanticErrors`.

The ``error`` special form has the pseudo-type :data:`pfa.check.scope.BOTTOM` (see there).
The rules of the special forms are in :mod:`pfa.check.forms`; this module has the driver,
the top-level fields, function calls, function references and the call graph.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field
from typing import Any

from pfa._gcpause import gc_paused
from pfa.avro.data import decode_json
from pfa.avro.types import (
    BOOLEAN,
    BYTES,
    DOUBLE,
    FLOAT,
    INT,
    LONG,
    NULL,
    STRING,
    AvroEnum,
    AvroMap,
    AvroNamed,
    AvroType,
    NoSupertypeError,
    TypeParser,
)
from pfa.check import signatures as sigs
from pfa.check.forms import FormRules, inline_key
from pfa.check.scope import (
    SYMBOL_RE,
    UNKNOWN,
    Scope,
    as_value,
    fits,
    supertype,
    type_str,
)
from pfa.check.signatures import FcnType, ResolvedCall
from pfa.document import ast as A
from pfa.errors import AvroDataError, PfaSemanticError, PfaSemanticErrors, PfaSyntaxError
from pfa.names import FCN_NAME_RE
from pfa.paths import join_path

__all__ = ["TypedDocument", "check", "type_str"]

TIMEOUT_OPTIONS = ("timeout", "timeout.begin", "timeout.action", "timeout.end")


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
    # The embedded inits the checker decoded while validating them, reused by the engine
    # (decoded once): name -> (init JSON, its type, decoded value); pools: decoded items.
    cell_values: dict[str, tuple[Any, AvroType, Any]] = field(
        default_factory=dict, compare=False, repr=False)
    pool_values: dict[str, tuple[Any, AvroType, dict[str, Any]]] = field(
        default_factory=dict, compare=False, repr=False)


def check(doc: A.PfaDocument, *, options_override: dict | None = None) -> TypedDocument:
    """Type-check ``doc`` (annotating it in place); raises :class:`PfaSemanticErrors`."""
    try:
        with gc_paused():
            return _Checker(doc, options_override).run()
    except RecursionError:
        raise PfaSemanticError("the document is nested too deeply to check", "$") from None


def _where(node: A.Node) -> str | None:
    return node.path


class _Fail(Exception):
    """An expression could not be typed (its error is already recorded)."""


_INVALID: Any = object()  # data that does not match its type (the error is recorded)


@dataclass
class _Frame:
    """A function body (named, inline) or routine, for the call graph."""

    key: str
    modifies: bool = False
    calls: set[str] = field(default_factory=set)


class _Checker(FormRules):
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
        self.cell_values: dict[str, tuple[Any, AvroType, Any]] = {}
        self.pool_values: dict[str, tuple[Any, AvroType, dict[str, Any]]] = {}
        self.fcn_types: dict[str, FcnType] = {}
        self.used: set[str] = set()
        self.frames: dict[str, _Frame] = {}
        self.stack: list[_Frame] = []
        self.updaters: list[tuple[str, A.Node, str]] = []
        self.library_names = sorted(sigs.library())

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
            options=dict(self.options), cell_values=self.cell_values,
            pool_values=self.pool_values)

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
                    self.errors.append(PfaSemanticError(
                        f"option {opt!r} must be a JSON integer, found {json.dumps(v)}",
                        join_path("$.options", opt)))
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
            if not FCN_NAME_RE.fullmatch(name) or name.startswith("u."):
                self.error(doc.fcns[name], f"{name!r} is not a valid function name")

    def decode(self, t: AvroType, value: Any, path: str, pos: str | None, what: str) -> Any:
        """Validate JSON-encoded Avro data (``path`` is where the data sits); the decoded
        value, or ``_INVALID``."""
        if t is UNKNOWN:
            return _INVALID
        try:
            return decode_json(t, value, path)
        except AvroDataError as exc:
            self.errors.append(PfaSemanticError(
                f"{what} does not match type {type_str(t)}: {exc.message}", exc.path, pos))
            return _INVALID

    def check_state(self) -> None:
        doc = self.doc
        if self.method == "fold" and doc.zero is not A.NO_VALUE:
            self.decode(self.output, doc.zero, "$.zero", None, "\"zero\"")
        for name, cell in doc.cells.items():
            if not SYMBOL_RE.fullmatch(name):
                self.error(cell, f"{name!r} is not a valid cell name")
            if cell.shared and cell.rollback:
                self.error(cell, f"cell {name!r} cannot be both shared and rollback")
            if cell.source == "embedded":
                t = self.cells[name]
                value = self.decode(t, cell.init, f"{cell.path}.init", cell.pos,
                                    f"init of cell {name!r}")
                if value is not _INVALID:
                    self.cell_values[name] = (cell.init, t, value)
            elif cell.source not in ("json", "avro"):
                self.error(cell, f"cell source must be embedded, json or avro, found "
                                 f"{cell.source!r}")
        for name, pool in doc.pools.items():
            if not SYMBOL_RE.fullmatch(name):
                self.error(pool, f"{name!r} is not a valid pool name")
            if pool.shared and pool.rollback:
                self.error(pool, f"pool {name!r} cannot be both shared and rollback")
            if pool.source == "embedded":
                if not isinstance(pool.init, dict):
                    self.error(pool, f"init of pool {name!r} must be a JSON object (a map of "
                                     "values)")
                else:
                    t = self.pools[name]
                    items = {}
                    for key, v in pool.init.items():
                        items[key] = self.decode(t, v, join_path(f"{pool.path}.init", key),
                                                 pool.pos, f"init of pool {name!r} item {key!r}")
                    if _INVALID not in items.values():
                        self.pool_values[name] = (pool.init, t, items)
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
            constrained = phase == "merge" or (phase == "action" and self.method != "emit")
            if constrained and not fits(self.output, t):
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
        self.decode(t, e.value, f"{e.path}.value", e.pos, "literal value")
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
        # An inline function closes over (reads) the symbols of its enclosing scopes, so its
        # scope is nested in theirs and a parameter may not reuse one of their names (spec
        # §"Symbols, scope, and data structures": no symbol may be declared "in two scopes
        # such that one is nested within the other"; §"User-defined functions": anonymous
        # functions close over enclosing symbols).
        fscope = scope.child(sealed_above=True)
        for p in f.params:
            if scope.get(p.name) is not None:
                self.error(p, f"parameter {p.name!r} of an inline function shadows the symbol "
                              f"{p.name!r} of an enclosing scope, which the function can read "
                              "(symbols may not be shadowed): rename the parameter")
                fscope.symbols[p.name] = self.t(p.type)  # type the body as the author meant
                continue
            msg = fscope.declare(p.name, self.t(p.type))
            if msg:
                self.error(p, msg)
        key = inline_key(f)
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
        if r.fill is not None and not r.fill:
            # spec §"fcnref": with "fill", "one or more of the referenced function's
            # [parameters] are filled"
            raise self.fail(r, f"\"fill\" of {r.name} is empty: it must fill at least one "
                               "parameter (leave \"fill\" out to reference the whole function)")
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
            ft, rc = sigs.resolve_fcnref(name, fill)
        except sigs.UnknownFunction as exc:
            raise self.fail(r, self.unknown_message(name, exc)) from None
        except sigs.SignatureMismatch as exc:
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
            hint = f" (did you mean {exc.suggestion!r}?)"
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
            rc = sigs.resolve_call(name, tuple(args))
        except sigs.UnknownFunction as exc:
            raise self.fail(e, self.unknown_message(name, exc)) from None
        except sigs.SignatureMismatch as exc:
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
