"""Special forms: literals, symbols, ``let``/``do``, ``if``/``cond``/``ifnotnull`` (→ Where),
``new``, ``attr``/``cell``/``pool`` gathers, ``upcast``, ``doc`` and ``error``."""

from __future__ import annotations

from typing import Any

import numpy as np

from pfa.avro.data import decode_json
from pfa.avro.types import AvroMap
from pfa.document import ast as A
from pfa.onnx.compiler.building import follow_path, make_array
from pfa.onnx.compiler.registry import form
from pfa.onnx.compiler.types import elem_of, nullable_base, scalar_kind
from pfa.onnx.compiler.values import Const, Never, Opt, Rec, Tensor

FAMILY = "core forms"


def _literal(cls: str, key: str) -> None:
    @form(cls, key, FAMILY, elementwise=True)
    def lower(cx: Any, node: Any) -> Any:
        return Const(getattr(node, "value", None), node.type)


for _cls, _key in (("LiteralNull", "null"), ("LiteralBoolean", "true/false"),
                   ("LiteralInt", "int"), ("LiteralLong", "long"), ("LiteralFloat", "float"),
                   ("LiteralDouble", "double"), ("LiteralString", "string")):
    _literal(_cls, _key)


@form("Literal", "type/value", FAMILY, elementwise=True)
def literal(cx: Any, node: A.Literal) -> Any:
    return Const(decode_json(node.type, node.value, node.path), node.type)


@form("Ref", "symbol reference", FAMILY, elementwise=True)
def ref(cx: Any, node: A.Ref) -> Any:
    return cx.lookup(node.name, node)


@form("Let", "let", FAMILY, elementwise=True)
def let(cx: Any, node: A.Let) -> Any:
    for name, e in node.values.items():
        value = cx.expr(e)
        if isinstance(value, Never):
            return value
        cx.bind(name, value)
    return Const(None, node.type)


@form("Do", "do", FAMILY, elementwise=True)
def do(cx: Any, node: A.Do) -> Any:
    return cx.body(node.body)


@form("Doc", "doc", FAMILY, elementwise=True)
def doc(cx: Any, node: Any) -> Any:
    return Const(None, node.type)


@form("Error", "error", FAMILY, "rows that reach it get its index in the `pfa.error` output",
      elementwise=True)
def error(cx: Any, node: A.Error) -> Any:
    cx.record_error(node.message, node.code, node.path)
    return Never(node.type)


@form("Upcast", "upcast", FAMILY, elementwise=True)
def upcast(cx: Any, node: A.Upcast) -> Any:
    value = cx.expr(node.expr)
    target = node.type
    base = nullable_base(target)
    if base is not None and not isinstance(value, Opt):
        if isinstance(value, Const):
            return Const(value.value, target)
        t = cx.tensor(value, node, elem_of(base, node, cx))
        return Opt(t, cx.g.const(np.zeros((1, 1), dtype=bool)), target)
    if isinstance(value, Tensor) and scalar_kind(target):
        return cx.cast(Tensor(value.name, target, value.elem, value.shape),
                       elem_of(target, node, cx))
    if isinstance(value, Const):
        return Const(value.value, target)
    return value


# -- branches ---------------------------------------------------------------------------------

def _predicate(cx: Any, e: Any) -> Any:
    p = cx.expr(e)
    if isinstance(p, (Const, Never)):
        return p
    return cx.tensor(p, e).name


def _branch(cx: Any, cond: str | None, exprs: list[Any] | None, null_type: Any) -> Any:
    if exprs is None:
        return Const(None, null_type)
    saved = cx.mask
    cx.mask = cx.under(cond)
    try:
        return cx.body(exprs)
    finally:
        cx.mask = saved


def _if(cx: Any, pred_expr: Any, then: list[Any], else_: Any, node: Any) -> Any:
    """``else_`` is a list of expressions, None, or a callable compiling the else branch."""
    p = _predicate(cx, pred_expr)
    if isinstance(p, Never):
        return p
    if isinstance(p, Const):
        if p.value:
            return _branch(cx, None, then, node.type)
        return else_() if callable(else_) else _branch(cx, None, else_, node.type)
    not_p = cx.g.op("Not", [p])
    a = _branch(cx, p, then, node.type)
    if callable(else_):
        saved = cx.mask
        cx.mask = cx.under(not_p)
        try:
            b = else_()
        finally:
            cx.mask = saved
    else:
        b = _branch(cx, not_p, else_, node.type)
    if else_ is None:
        return Const(None, node.type)  # an if without else is a statement: its value is null
    return cx.merge(p, a, b, node.type, node)


@form("If", "if", FAMILY, "both branches run on every row; `Where` picks", elementwise=True)
def if_(cx: Any, node: A.If) -> Any:
    return _if(cx, node.predicate, node.then, node.else_, node)


@form("Cond", "cond", FAMILY, "a chain of `Where`", elementwise=True)
def cond(cx: Any, node: A.Cond) -> Any:
    def chain(i: int) -> Any:
        if i == len(node.clauses):
            return _branch(cx, None, node.else_, node.type)
        clause = node.clauses[i]
        if i == len(node.clauses) - 1 and node.else_ is None:
            return _if(cx, clause.predicate, clause.then, None, node)
        return _if(cx, clause.predicate, clause.then, lambda: chain(i + 1), node)
    return chain(0)


@form("IfNotNull", "ifnotnull", FAMILY, "nulls are NaN (numbers) or `<field>.isnull` (strings)",
      elementwise=True)
def ifnotnull(cx: Any, node: A.IfNotNull) -> Any:
    values = {name: cx.expr(e) for name, e in node.symbols.items()}
    nulls: list[str] = []
    present: dict[str, Any] = {}
    for name, v in values.items():
        if isinstance(v, Opt):
            nulls.append(v.null)
            present[name] = v.value
        elif isinstance(v, Const) and v.value is None:
            return _branch(cx, None, node.else_, node.type)
        else:
            present[name] = v
    any_null = nulls[0] if nulls else None
    for extra in nulls[1:]:
        any_null = cx.g.op("Or", [any_null, extra])
    cx.scopes.append(dict(present))
    try:
        if any_null is None:
            return _branch(cx, None, node.then, node.type)
        some = cx.g.op("Not", [any_null])
        a = _branch(cx, some, node.then, node.type)
    finally:
        cx.scopes.pop()
    b = _branch(cx, any_null, node.else_, node.type)
    if node.else_ is None:
        return Const(None, node.type)
    return cx.merge(some, a, b, node.type, node)


# -- building values --------------------------------------------------------------------------

@form("NewArray", "new (array)", FAMILY)
def new_array(cx: Any, node: A.NewArray) -> Any:
    items = [cx.expr(e) for e in node.items]
    for v in items:
        if isinstance(v, Never):
            return v
    return make_array(cx, items, node.type, node)


@form("NewObject", "new (record)", FAMILY)
def new_object(cx: Any, node: A.NewObject) -> Any:
    fields = {}
    for name, e in node.fields.items():
        v = cx.expr(e)
        if isinstance(v, Never):
            return v
        fields[name] = v
    if isinstance(node.type, AvroMap):
        if all(isinstance(v, Const) for v in fields.values()):
            return Const({k: v.value for k, v in fields.items()}, node.type)
        cx.refuse(node, "a map built from values that depend on the input")
    if all(isinstance(v, Const) for v in fields.values()):
        return Const({k: v.value for k, v in fields.items()}, node.type)
    return Rec(fields, node.type)


# -- gathers ----------------------------------------------------------------------------------

@form("AttrGet", "attr", FAMILY, "record fields, constant or computed array indexes "
      "(Gather/GatherElements), string keys of constant maps (LabelEncoder)")
def attr(cx: Any, node: A.AttrGet) -> Any:
    return follow_path(cx, cx.expr(node.expr), node.indexes, node)


@form("CellGet", "cell", FAMILY, "read-only cells become initializers")
def cell(cx: Any, node: A.CellGet) -> Any:
    entry = cx.typed.cell_values.get(node.cell)
    if entry is None:
        cx.refuse(node, f"cell {node.cell!r} has no embedded initial value")
    return follow_path(cx, Const(entry[2], entry[1]), node.indexes, node)


@form("PoolGet", "pool", FAMILY, "read-only pools, constant keys")
def pool(cx: Any, node: A.PoolGet) -> Any:
    entry = cx.typed.pool_values.get(node.pool)
    if entry is None:
        cx.refuse(node, f"pool {node.pool!r} has no embedded initial value")
    return follow_path(cx, Const(entry[2], AvroMap(entry[1])), node.indexes, node)


