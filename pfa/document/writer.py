"""The PFA writer: AST → canonical JSON.

The canonical form has a fixed member order, writes every expression in its explicit form
(``{"long": n}``, ``{"string": s}``, ``{"attr": ..., "path": [...]}``, bodies as arrays) and puts
each node's locator mark (``pos``) first in its object as ``"@"``. Bare JSON is used only where
it is unambiguous: ints, finite doubles, booleans, null and symbol references.
``read(write(doc)) == doc`` holds for every document the reader accepts.
"""

from __future__ import annotations

import base64
import json
import math
from collections.abc import Callable
from typing import Any

from pfa.document.ast import (
    NO_VALUE,
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
    Node,
    Pack,
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

__all__ = ["write", "write_json", "write_yaml", "write_expr", "write_type"]


_ABSENT: Any = object()  # a member value that means "leave this member out"


def _obj(node: Node, *members: tuple[str, Any]) -> dict[str, Any]:
    """A JSON object for ``node``: its locator first, then ``members`` (``_ABSENT`` skipped)."""
    out: dict[str, Any] = {}
    if node.pos is not None:
        out["@"] = node.pos
    for key, value in members:
        if value is not _ABSENT:
            out[key] = value
    return out


def _opt(value: Any, convert: Callable[[Any], Any] = lambda v: v) -> Any:
    """``convert(value)``, or ``_ABSENT`` when ``value`` is None."""
    return _ABSENT if value is None else convert(value)


def _flag(value: bool) -> Any:
    """A boolean member written only when true."""
    return True if value else _ABSENT


def _number(x: float) -> float | str:
    """A float as JSON: finite values as numbers, the others as "NaN"/"Infinity"/"-Infinity"."""
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    return x


def write_type(t: TypeSpec) -> Any:
    """A type schema as JSON; an object schema gets its locator mark back."""
    if isinstance(t.json, dict) and t.pos is not None:
        return {"@": t.pos, **t.json}
    return t.json


def _body(exprs: list[Expr]) -> list[Any]:
    return [write_expr(e) for e in exprs]


def _exprs(values: dict[str, Any]) -> dict[str, Any]:
    return {k: write_expr(v) for k, v in values.items()}


def _w_literal(e: Expr) -> Any:
    if isinstance(e, LiteralNull):
        return None
    if isinstance(e, LiteralBoolean):
        return bool(e.value)
    if isinstance(e, LiteralInt):
        return int(e.value)
    if isinstance(e, LiteralLong):
        return _obj(e, ("long", int(e.value)))
    if isinstance(e, LiteralFloat):
        return _obj(e, ("float", _number(e.value)))
    if isinstance(e, LiteralDouble):
        v = _number(float(e.value))
        return v if isinstance(v, float) else _obj(e, ("double", v))
    if isinstance(e, LiteralString):
        return _obj(e, ("string", e.value))
    if isinstance(e, LiteralBase64):
        return _obj(e, ("base64", base64.b64encode(bytes(e.value)).decode("ascii")))
    assert isinstance(e, Literal)
    return _obj(e, ("type", write_type(e.avro_type)), ("value", e.value))


def _w_call(e: Call) -> Any:
    return _obj(e, (e.name, [write_expr(a) for a in e.args]))


def _w_cond(e: Cond) -> Any:
    clauses = [_obj(c, ("if", write_expr(c.predicate)), ("then", _body(c.then)))
               for c in e.clauses]
    return _obj(e, ("cond", clauses), ("else", _opt(e.else_, _body)))


def _w_case(c: CastCase) -> Any:
    return _obj(c, ("as", write_type(c.avro_type)), ("named", c.named), ("do", _body(c.body)))


def _w_fcndef(f: FcnDef) -> Any:
    params = [_obj(p, (p.name, write_type(p.type))) for p in f.params]
    return _obj(f, ("params", params), ("ret", write_type(f.ret)), ("do", _body(f.body)))


def _w_fcnref(f: FcnRef) -> Any:
    return _obj(f, ("fcn", f.name), ("fill", _opt(f.fill, _exprs)))


def _path(steps: list[Expr]) -> Any:
    return [write_expr(s) for s in steps] if steps else _ABSENT


_WRITERS: dict[type, Callable[[Any], Any]] = {
    Call: _w_call,
    CallUserFcn: lambda e: _obj(e, ("call", write_expr(e.fcn)), ("args", _body(e.args))),
    NewObject: lambda e: _obj(e, ("new", _exprs(e.fields)), ("type", write_type(e.avro_type))),
    NewArray: lambda e: _obj(e, ("new", _body(e.items)), ("type", write_type(e.avro_type))),
    Let: lambda e: _obj(e, ("let", _exprs(e.values))),
    SetVar: lambda e: _obj(e, ("set", _exprs(e.values))),
    AttrGet: lambda e: _obj(e, ("attr", write_expr(e.expr)), ("path", _body(e.indexes))),
    AttrTo: lambda e: _obj(e, ("attr", write_expr(e.expr)), ("path", _body(e.indexes)),
                           ("to", write_expr(e.to))),
    CellGet: lambda e: _obj(e, ("cell", e.cell), ("path", _path(e.indexes))),
    CellTo: lambda e: _obj(e, ("cell", e.cell), ("path", _path(e.indexes)),
                           ("to", write_expr(e.to))),
    PoolGet: lambda e: _obj(e, ("pool", e.pool), ("path", _body(e.indexes))),
    PoolTo: lambda e: _obj(e, ("pool", e.pool), ("path", _body(e.indexes)),
                           ("to", write_expr(e.to)),
                           ("init", _opt(e.init, write_expr))),
    PoolDel: lambda e: _obj(e, ("pool", e.pool), ("del", write_expr(e.key))),
    Do: lambda e: _obj(e, ("do", _body(e.body))),
    If: lambda e: _obj(e, ("if", write_expr(e.predicate)), ("then", _body(e.then)),
                       ("else", _opt(e.else_, _body))),
    Cond: _w_cond,
    While: lambda e: _obj(e, ("while", write_expr(e.predicate)), ("do", _body(e.body))),
    DoUntil: lambda e: _obj(e, ("do", _body(e.body)), ("until", write_expr(e.predicate))),
    For: lambda e: _obj(e, ("for", _exprs(e.init)), ("while", write_expr(e.predicate)),
                        ("step", _exprs(e.step)), ("do", _body(e.body))),
    Foreach: lambda e: _obj(e, ("foreach", e.name), ("in", write_expr(e.array)),
                            ("do", _body(e.body)), ("seq", _flag(e.seq))),
    Forkeyval: lambda e: _obj(e, ("forkey", e.forkey), ("forval", e.forval),
                              ("in", write_expr(e.map)), ("do", _body(e.body))),
    CastBlock: lambda e: _obj(e, ("cast", write_expr(e.expr)),
                              ("cases", [_w_case(c) for c in e.cases]),
                              ("partial", _flag(e.partial))),
    Upcast: lambda e: _obj(e, ("upcast", write_expr(e.expr)), ("as", write_type(e.avro_type))),
    IfNotNull: lambda e: _obj(e, ("ifnotnull", _exprs(e.symbols)), ("then", _body(e.then)),
                              ("else", _opt(e.else_, _body))),
    Pack: lambda e: _obj(e, ("pack", [{fmt: write_expr(x)} for fmt, x in e.exprs])),
    Unpack: lambda e: _obj(e, ("unpack", write_expr(e.bytes)),
                           ("format", [{name: fmt} for name, fmt in e.format]),
                           ("then", _body(e.then)), ("else", _opt(e.else_, _body))),
    Doc: lambda e: _obj(e, ("doc", e.comment)),
    Error: lambda e: _obj(e, ("error", e.message), ("code", _opt(e.code))),
    Try: lambda e: _obj(e, ("try", _body(e.body)),
                        ("filter", _opt(e.filter, list))),
    Log: lambda e: _obj(e, ("log", _body(e.exprs)), ("namespace", _opt(e.namespace))),
    FcnDef: _w_fcndef,
    FcnRef: _w_fcnref,
}
_LITERALS = (LiteralNull, LiteralBoolean, LiteralInt, LiteralLong, LiteralFloat, LiteralDouble,
             LiteralString, LiteralBase64, Literal)


def write_expr(expr: Expr | FcnDef | FcnRef) -> Any:
    """One expression (or function argument) in canonical JSON form."""
    if isinstance(expr, Ref):
        return expr.name
    if isinstance(expr, _LITERALS):
        return _w_literal(expr)
    writer = _WRITERS.get(type(expr))
    if writer is None:
        raise TypeError(f"cannot write {type(expr).__name__} as a PFA expression")
    return writer(expr)


def _w_cell(c: CellSpec | PoolSpec) -> dict[str, Any]:
    return _obj(c, ("type", write_type(c.avro_type)), ("init", c.init),
                ("shared", _flag(c.shared)), ("rollback", _flag(c.rollback)),
                ("source", _ABSENT if c.source == "embedded" else c.source))


def write(doc: PfaDocument) -> dict[str, Any]:
    """The whole document as a canonical JSON object (a fresh dict)."""
    def some(value: Any, convert: Callable[[Any], Any] = lambda v: v) -> Any:
        return convert(value) if value else _ABSENT

    return _obj(
        doc,
        ("name", _opt(doc.name)),
        ("method", doc.method),
        ("input", write_type(doc.input)),
        ("output", write_type(doc.output)),
        ("begin", some(doc.begin, _body)),
        ("action", _body(doc.action)),
        ("end", some(doc.end, _body)),
        ("fcns", some(doc.fcns, lambda fs: {k: _w_fcndef(f) for k, f in fs.items()})),
        ("zero", _ABSENT if doc.zero is NO_VALUE else doc.zero),
        ("merge", _opt(doc.merge, _body)),
        ("cells", some(doc.cells, lambda cs: {k: _w_cell(c) for k, c in cs.items()})),
        ("pools", some(doc.pools, lambda ps: {k: _w_cell(p) for k, p in ps.items()})),
        ("randseed", _opt(doc.randseed)),
        ("doc", _opt(doc.doc)),
        ("version", _opt(doc.version)),
        ("metadata", some(doc.metadata, dict)),
        ("options", some(doc.options, dict)),
    )


def write_json(doc: PfaDocument, indent: int | None = None) -> str:
    """The canonical JSON text of ``doc``: the same tree always gives the same text."""
    separators = (",", ": ") if indent is not None else (",", ":")
    return json.dumps(write(doc), indent=indent, separators=separators, ensure_ascii=False)


def write_yaml(doc: PfaDocument) -> str:
    """The document as YAML (same structure as :func:`write`)."""
    import yaml

    return yaml.safe_dump(write(doc), sort_keys=False, allow_unicode=False,
                          default_flow_style=False, width=100)
