"""The compiler's state while it walks one checked document: scopes, the graph, the rows an
expression runs for (``mask``) and the errors the document may raise.

Every expression runs for every row (ONNX has no per-row control flow); ``if``/``cond``
choose between branch values with ``Where``. An ``error`` reached by a row is recorded in the
graph output ``pfa.error``: 0 for rows that succeed, otherwise the 1-based index of the
first error the row reached in the model's ``pfa.errors`` metadata (JSON: message, code, path).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any, NoReturn

import numpy as np
from onnx import TensorProto

from pfa.avro.types import AvroArray, AvroEnum, AvroRecord, AvroType, AvroUnion
from pfa.document import ast as A
from pfa.onnx.compiler import registry
from pfa.onnx.compiler.refusal import OnnxRefusal
from pfa.onnx.compiler.types import elem_of, leaf_kind
from pfa.onnx.compiler.values import Const, Never, Opt, Rec, Seq, Tensor

ERROR_OUTPUT = "pfa.error"
ERROR_METADATA = "pfa.errors"


@dataclass(frozen=True)
class Site:
    """A call being lowered: the function's name, where it is, its resolved types."""

    name: str
    path: str
    param_types: tuple[Any, ...]
    ret_type: AvroType


class Compiler:
    """Expressions → values (:mod:`.values`) and graph nodes (:class:`GraphBuilder`)."""

    def __init__(self, typed: Any, graph: Any):
        self.typed = typed
        self.g = graph
        self.scopes: list[dict[str, Any]] = [{}]
        self.mask: str | None = None
        self.lanes = False
        self.errors: list[dict[str, Any]] = []
        self._hits: list[str] = []  # per recorded error: the rows that reach it
        self.rows_shape: str | None = None  # Shape of a [N, 1] tensor, set from the inputs
        self._inlining: list[str] = []
        self.precomputed: dict[int, Any] = {}  # id(call node) -> its value (forest folds)

    # -- refusals -------------------------------------------------------------------------
    @staticmethod
    def refuse(where: Any, why: str) -> NoReturn:
        raise OnnxRefusal(where if isinstance(where, str) else where.path, why)

    # -- scopes ---------------------------------------------------------------------------
    def lookup(self, name: str, node: Any) -> Any:
        for scope in reversed(self.scopes):
            if name in scope:
                return scope[name]
        self.refuse(node, f"unknown symbol {name!r}")

    def bind(self, name: str, value: Any) -> None:
        self.scopes[-1][name] = value

    # -- expressions ----------------------------------------------------------------------
    def expr(self, node: Any) -> Any:
        if isinstance(node, A.Call):
            return self.call(node)
        lw = registry.find_form(type(node).__name__)
        if lw is None:
            self.refuse(node, f"the special form {_form_name(node)} has no ONNX lowering")
        if self.lanes and not lw.elementwise:
            self.refuse(node, f"{lw.key} inside an a.map/a.zipmap body over a tensor "
                              "(only element-wise bodies compile)")
        return lw.fn(self, node)

    def body(self, exprs: list[Any]) -> Any:
        """The value of the last expression, in a new scope."""
        self.scopes.append({})
        try:
            value: Any = Const(None, _null_type())
            for e in exprs:
                value = self.expr(e)
                if isinstance(value, Never):
                    break  # the rest never runs on rows that reach here
            return value
        finally:
            self.scopes.pop()

    def call(self, node: A.Call) -> Any:
        if node.type is not None and id(node) in self.precomputed:
            return self.precomputed[id(node)]
        if node.name.startswith("u."):
            return self.inline_user(node.name[2:], [self.expr(a) for a in node.args], node)
        lw = registry.find_function(node.name)
        if lw is None:
            self.refuse(node, registry.why_not(node.name))
        if self.lanes and not lw.elementwise:
            self.refuse(node, f"{node.name} inside an a.map/a.zipmap body over a tensor "
                              "(only element-wise bodies compile)")
        args = [a if isinstance(a, (A.FcnDef, A.FcnRef)) else self.expr(a) for a in node.args]
        r = node.resolved
        site = Site(node.name, node.path, tuple(r.param_types), r.ret_type)
        return lw.fn(self, site, args)

    def apply(self, fn: Any, args: list[Any], path: str) -> Any:
        """Call a function argument (an inline ``FcnDef`` or a ``FcnRef``) on compiled
        values."""
        if isinstance(fn, A.FcnDef):
            return self.inline(fn, args, path)
        if isinstance(fn, A.FcnRef):
            if fn.name.startswith("u."):
                return self.inline_user(fn.name[2:], args, fn)
            lw = registry.find_function(fn.name)
            if lw is None:
                self.refuse(fn, registry.why_not(fn.name))
            filled = [self.expr(v) for v in (fn.fill or {}).values()]
            r = fn.resolved
            site = Site(fn.name, fn.path, tuple(r.param_types), r.ret_type)
            if fn.fill:
                self.refuse(fn, "fcn references with fill are not compiled")
            return lw.fn(self, site, args + filled)
        self.refuse(path, "a function argument that is not a function")

    def inline(self, fn: A.FcnDef, args: list[Any], path: str, closure: bool = True) -> Any:
        """``fn``'s body on ``args``; an inline function sees the enclosing symbols
        (``closure``), a ``u.`` function only its parameters."""
        if len(args) != len(fn.params):
            self.refuse(path, "wrong number of arguments")
        saved = self.scopes
        outer = list(saved) if closure else [{}]
        self.scopes = outer + [{p.name: a for p, a in zip(fn.params, args)}]
        try:
            return self.body(fn.body)
        finally:
            self.scopes = saved

    def inline_user(self, name: str, args: list[Any], node: Any) -> Any:
        fn = self.typed.doc.fcns.get(name)
        if fn is None:
            self.refuse(node, f"unknown function u.{name}")
        if name in self._inlining:
            self.refuse(node, f"u.{name} is recursive")
        self._inlining.append(name)
        try:
            return self.inline(fn, args, node.path, closure=False)
        finally:
            self._inlining.pop()

    # -- tensors --------------------------------------------------------------------------
    def tensor(self, value: Any, where: Any, elem: int | None = None) -> Tensor:
        """``value`` as a tensor (a constant becomes a one-row initializer that broadcasts),
        cast to ``elem`` if given."""
        if isinstance(value, Tensor):
            return self.cast(value, elem) if elem is not None else value
        if isinstance(value, Const):
            return self.const_tensor(value, where, elem)
        if isinstance(value, Opt):
            self.refuse(where, "a nullable value used where a value is needed "
                               "(test it with ifnotnull first)")
        if isinstance(value, Seq):
            items = [self.tensor(v, where, elem) for v in value.items]
            if not items:
                self.refuse(where, "an empty array")
            if len({t.shape for t in items}) != 1:
                self.refuse(where, "an array of arrays of different lengths used as a tensor")
            parts = [self.g.op("Unsqueeze", [self.batched(t), self.g.const(np.array([1]))])
                     for t in items]
            name = self.g.op("Concat", parts, axis=1)
            return Tensor(name, value.type, items[0].elem, (len(items),) + items[0].shape)
        self.refuse(where, f"a {type(value).__name__.lower()} value cannot be a tensor")

    def const_tensor(self, value: Const, where: Any, elem: int | None = None) -> Tensor:
        t = value.type
        if elem is None:
            elem = elem_of(leaf_kind(t) or t, where, self)
        data = _const_array(value.value, elem, where, self)
        name = self.g.const(data.reshape((1,) + data.shape), "const")
        return Tensor(name, t, elem, data.shape)

    def is_constant(self, t: Tensor) -> bool:
        """Whether ``t`` has one row for all (it depends on no graph input)."""
        return t.name not in self.g.batched

    def cast(self, t: Tensor, elem: int | None) -> Tensor:
        if elem is None or t.elem == elem:
            return t
        name = self.g.op("Cast", [t.name], to=elem)
        return Tensor(name, t.type, elem, t.shape)

    def op(self, op_type: str, inputs: list[Tensor], type_: AvroType, elem: int,
           shape: tuple[int, ...] | None = None, **attrs: Any) -> Tensor:
        name = self.g.op(op_type, [t.name for t in inputs], **attrs)
        if shape is None:
            shape = _broadcast([t.shape for t in inputs])
        return Tensor(name, type_, elem, shape)

    def bool_op(self, op_type: str, a: str, b: str | None = None) -> str:
        return self.g.op(op_type, [a] if b is None else [a, b])

    def batched(self, t: Tensor) -> str:
        """``t``'s name, with a constant broadcast to every row."""
        if not self.is_constant(t) or self.rows_shape is None:
            return t.name
        tail = self.g.const(np.array(t.shape, dtype=np.int64))
        n = self.g.op("Slice", [self.rows_shape, self.g.const(np.array([0])),
                                self.g.const(np.array([1]))])
        shape = self.g.op("Concat", [n, tail], axis=0)
        return self.g.op("Expand", [t.name, shape])

    # -- rows and errors ------------------------------------------------------------------
    def under(self, cond: str | None) -> str | None:
        """The mask of rows that reach a branch taken where ``cond`` holds."""
        if cond is None:
            return self.mask
        if self.mask is None:
            return cond
        return self.g.op("And", [self.mask, cond])

    def record_error(self, message: str, code: int | None, path: str) -> None:
        """Rows reaching here (``mask``) fail with this error unless they failed earlier."""
        self.errors.append({"message": message, "code": code, "path": path})
        reached = self.mask
        if reached is not None and self.lanes:
            as_int = self.g.op("Cast", [reached], to=TensorProto.INT64)
            top = self.g.op("ReduceMax", [as_int, self.g.const(np.array([1]))], keepdims=1)
            reached = self.g.op("Cast", [top], to=TensorProto.BOOL)
        if reached is None:
            reached = self.g.const(np.ones((1, 1), dtype=bool), "always")
        self._hits.append(reached)

    def error_tensor(self) -> str | None:
        """``pfa.error``: per row, the index of the first error it reached (0: none), one
        ``Where`` per error, the first error outermost."""
        if not self._hits:
            return None
        err = self.g.const(np.zeros((1, 1), dtype=np.int64), "no_error")
        for i in range(len(self._hits), 0, -1):
            index = self.g.const(np.array([[i]], dtype=np.int64))
            err = self.g.op("Where", [self._hits[i - 1], index, err])
        return err

    def error_metadata(self) -> str:
        return json.dumps(self.errors, ensure_ascii=False)

    # -- merging branch values ------------------------------------------------------------
    def merge(self, cond: str, a: Any, b: Any, type_: AvroType, where: Any) -> Any:
        """The value that is ``a`` where ``cond`` holds and ``b`` elsewhere."""
        if isinstance(a, Never):
            return b
        if isinstance(b, Never):
            return a
        if isinstance(a, Const) and isinstance(b, Const) and _same(a.value, b.value):
            return Const(a.value, type_)
        if isinstance(type_, AvroUnion) or isinstance(a, Opt) or isinstance(b, Opt):
            return self.merge_nullable(cond, a, b, type_, where)
        if isinstance(a, Rec) or isinstance(b, Rec):
            ra, rb = self.as_record(a, where), self.as_record(b, where)
            fields = {k: self.merge(cond, ra.fields[k], rb.fields[k], _field_type(type_, k),
                                    where) for k in ra.fields}
            return Rec(fields, type_)
        if isinstance(a, Seq) or isinstance(b, Seq):
            sa, sb = self.as_seq(a, where), self.as_seq(b, where)
            if len(sa.items) != len(sb.items):
                self.refuse(where, "branches give arrays of different lengths")
            items = type_.items if isinstance(type_, AvroArray) else type_
            return Seq(tuple(self.merge(cond, x, y, items, where)
                             for x, y in zip(sa.items, sb.items)), type_)
        elem = elem_of(leaf_kind(type_) or type_, where, self)
        ta, tb = self.tensor(a, where, elem), self.tensor(b, where, elem)
        if ta.shape != tb.shape and ta.shape != (1,) and tb.shape != (1,):
            self.refuse(where, f"branches give arrays of different lengths "
                               f"({ta.shape} and {tb.shape})")
        return self.op("Where", [Tensor(cond, type_, TensorProto.BOOL, (1,)), ta, tb], type_,
                       elem, shape=ta.shape if len(ta.shape) >= len(tb.shape) else tb.shape)

    def merge_nullable(self, cond: str, a: Any, b: Any, type_: AvroType, where: Any) -> Any:
        base = _non_null(type_, where, self)
        oa, ob = self.as_opt(a, base, where), self.as_opt(b, base, where)
        value = self.merge(cond, oa.value, ob.value, base, where)
        null = self.g.op("Where", [cond, oa.null, ob.null])
        return Opt(value, null, type_)

    def as_opt(self, v: Any, base: AvroType, where: Any) -> Opt:
        if isinstance(v, Opt):
            return v
        if isinstance(v, Const) and v.value is None:
            elem = elem_of(base, where, self)
            filler = Const(math.nan if elem == TensorProto.DOUBLE else _zero(elem), base)
            return Opt(self.const_tensor(filler, where, elem),
                       self.g.const(np.ones((1, 1), dtype=bool)), base)
        t = self.tensor(v, where)
        return Opt(t, self.g.const(np.zeros((1, 1), dtype=bool)), base)

    def as_record(self, v: Any, where: Any) -> Rec:
        if isinstance(v, Rec):
            return v
        if isinstance(v, Const) and isinstance(v.value, dict) and isinstance(v.type, AvroRecord):
            return Rec({f.name: Const(v.value[f.name], f.type) for f in v.type.fields}, v.type)
        self.refuse(where, "a record expected")

    def as_seq(self, v: Any, where: Any) -> Seq:
        if isinstance(v, Seq):
            return v
        if isinstance(v, Const) and isinstance(v.value, list) and isinstance(v.type, AvroArray):
            return Seq(tuple(Const(x, v.type.items) for x in v.value), v.type)
        self.refuse(where, "an array of records expected")


def _form_name(node: Any) -> str:
    return {"SetVar": "set", "While": "while", "DoUntil": "do-until", "For": "for",
            "Foreach": "foreach", "Forkeyval": "forkey-forval", "CellTo": "cell-to",
            "PoolTo": "pool-to", "PoolDel": "pool-del", "AttrTo": "attr-to",
            "CastBlock": "cast-cases", "Try": "try", "Log": "log", "Pack": "pack",
            "Unpack": "unpack", "CallUserFcn": "call (dynamic function)"
            }.get(type(node).__name__, type(node).__name__)


def _null_type() -> AvroType:
    from pfa.avro.types import PRIMITIVES

    return PRIMITIVES["null"]


def _field_type(t: AvroType, name: str) -> AvroType:
    if isinstance(t, AvroRecord):
        f = t.field(name)
        if f is not None:
            return f.type
    return t


def _non_null(t: AvroType, where: Any, cx: Compiler) -> AvroType:
    if isinstance(t, AvroUnion):
        rest = [b for b in t.types if b.name != "null"]
        if len(rest) != 1:
            cx.refuse(where, f"the union {t} (only unions of null and one type compile)")
        return rest[0]
    return t


def _zero(elem: int) -> Any:
    return {TensorProto.STRING: "", TensorProto.BOOL: False}.get(elem, 0)


def _same(a: Any, b: Any) -> bool:
    try:
        return type(a) is type(b) and a == b and not (isinstance(a, float) and a != a)
    except Exception:
        return False


def _broadcast(shapes: list[tuple[int, ...]]) -> tuple[int, ...]:
    return max(shapes, key=len) if shapes else ()


def _const_array(value: Any, elem: int, where: Any, cx: Compiler) -> np.ndarray:
    from pfa.onnx.compiler.graph import ELEM_NUMPY

    dtype = ELEM_NUMPY[elem]
    try:
        if isinstance(value, list) and value and isinstance(value[0], list):
            lengths = {len(r) for r in value}
            if len(lengths) != 1:
                cx.refuse(where, "a ragged array of arrays (rows of different lengths)")
        if isinstance(value, (dict,)) or value is None:
            raise TypeError
        arr = np.array(value, dtype=dtype)
    except (TypeError, ValueError):
        cx.refuse(where, "a constant that is not a number, string or boolean (or an array "
                         "of them)")
    if arr.ndim == 0:
        arr = arr.reshape(1)
    return arr


__all__ = ["Compiler", "Site", "ERROR_OUTPUT", "ERROR_METADATA", "AvroEnum"]
