"""Typing rules of the special forms (everything but calls and functions), for the checker.

:class:`FormRules` is a mixin of :class:`pfa.check.checker._Checker`: one ``x_<Node>``
method per AST class, each returning the form's type (spec, "Expressions"). The helpers it
relies on (``value``, ``block``, ``expr``, ``fcn_arg``, ``error``, ``fail``, ``t``,
``suggest``, ``merge_types``, ``modifies``, ``cells``, ``pools``, ``updaters``) live in the
checker.
"""

from __future__ import annotations

from typing import Any

from pfa.avro.types import (
    BOOLEAN,
    BYTES,
    INT,
    NULL,
    STRING,
    AvroArray,
    AvroMap,
    AvroRecord,
    AvroType,
    AvroUnion,
)
from pfa.check.scope import (
    BOTTOM,
    UNKNOWN,
    Scope,
    as_value,
    fits,
    nullable,
    type_str,
    without_null,
)
from pfa.document import ast as A
from pfa.document.formats import parse_format


def inline_key(f: A.Node) -> str:
    """Call-graph key of an inline function (the part before "#" is shown to users)."""
    return f"<inline function at {f.path}>#{id(f)}"


class FormRules:
    """The special forms' typing rules (a mixin; see the module docstring)."""

    cells: dict[str, AvroType]
    pools: dict[str, AvroType]
    updaters: list[tuple[str, A.Node, str]]
    value: Any
    block: Any
    fcn_arg: Any
    error: Any
    fail: Any
    t: Any
    suggest: Any
    merge_types: Any
    modifies: Any

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
                    key = inline_key(to)
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
