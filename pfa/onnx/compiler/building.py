"""Shared by the lowerings: arrays built from values, items of arrays, and gathers (record
fields, array items by constant or per-row index, constant maps by string key)."""

from __future__ import annotations

from typing import Any

import numpy as np
from onnx import TensorProto

from pfa.avro.types import AvroArray, AvroMap, AvroRecord
from pfa.onnx.compiler.types import elem_of, scalar_kind
from pfa.onnx.compiler.values import Const, Never, Opt, Rec, Seq, Tensor


def make_array(cx: Any, items: list[Any], type_: Any, where: Any) -> Any:
    """An array value of ``items``: a constant, a ``[N, k]`` / ``[N, k, c]`` tensor, or a
    :class:`Seq` of records."""
    if all(isinstance(v, Const) for v in items):
        return Const([v.value for v in items], type_)
    item_type = type_.items if isinstance(type_, AvroArray) else None
    kind = scalar_kind(item_type)
    if kind is not None:
        elem = elem_of(kind, where, cx)
        parts = [cx.tensor(v, where, elem) for v in items]
        name = cx.g.op("Concat", [cx.batched(t) for t in parts], axis=1)
        return Tensor(name, type_, elem, (sum(t.shape[0] for t in parts),))
    if isinstance(item_type, AvroArray) and scalar_kind(item_type.items) is not None:
        elem = elem_of(item_type.items, where, cx)
        parts = [cx.tensor(v, where, elem) for v in items]
        if len({t.shape for t in parts}) != 1:
            return Seq(tuple(items), type_)  # ragged: a.flatten may still join it
        axis = cx.g.const(np.array([1]))
        name = cx.g.op("Concat", [cx.g.op("Unsqueeze", [cx.batched(t), axis])
                                  for t in parts], axis=1)
        return Tensor(name, type_, elem, (len(parts),) + parts[0].shape)
    return Seq(tuple(items), type_)


def items(cx: Any, value: Any, where: Any) -> list[Any]:
    """The items of an array value: constants, record values, or ``[N, …]`` tensors."""
    if isinstance(value, Const):
        return [Const(v, value.type.items) for v in value.value]
    if isinstance(value, Seq):
        return list(value.items)
    if isinstance(value, Tensor):
        return columns(cx, value)
    cx.refuse(where, "an array of unknown length")


def columns(cx: Any, t: Tensor) -> list[Tensor]:
    """``[N, k]`` → k tensors ``[N, 1]``; ``[N, r, c]`` → r tensors ``[N, c]``."""
    k = t.shape[0]
    item_type = t.type.items if isinstance(t.type, AvroArray) else t.type
    if k == 0:
        return []
    if k == 1:
        parts = [t.name]
    else:
        parts = cx.g.op("Split", [t.name], n_out=k, axis=1, num_outputs=k)
    if len(t.shape) == 1:
        out = [Tensor(p, item_type, t.elem, (1,)) for p in parts]
    else:
        axis = cx.g.const(np.array([1]))
        out = [Tensor(cx.g.op("Squeeze", [p, axis]), item_type, t.elem, t.shape[1:])
               for p in parts]
    return out


def follow_path(cx: Any, value: Any, indexes: list[Any], node: Any) -> Any:
    for index_expr in indexes:
        index = cx.expr(index_expr)
        if isinstance(index, Never):
            return index
        value = step(cx, value, index, index_expr)
    return value


def step(cx: Any, value: Any, index: Any, where: Any) -> Any:
    t = value.type
    if isinstance(value, Opt):
        cx.refuse(where, "a path into a nullable value")
    if isinstance(t, AvroRecord):
        if not isinstance(index, Const):
            cx.refuse(where, "a record field chosen at run time")
        rec = cx.as_record(value, where)
        return rec.fields[index.value]
    if isinstance(index, Const):
        if isinstance(value, Const):
            try:
                return Const(value.value[index.value], _item_type(t))
            except (KeyError, IndexError):
                cx.refuse(where, f"the index {index.value!r} is not in the constant")
        if isinstance(value, Seq):
            i = index.value
            if not 0 <= i < len(value.items):
                cx.refuse(where, f"the index {i} is out of range")
            return value.items[i]
        if isinstance(value, Tensor):
            return _tensor_at(cx, value, index.value, where)
    if isinstance(value, Const) and isinstance(t, AvroMap):
        return _map_lookup(cx, value, cx.tensor(index, where), where)
    if isinstance(value, Const) and isinstance(t, AvroArray) and isinstance(t.items, AvroRecord):
        return gather_record(cx, value, cx.tensor(index, where, TensorProto.INT64), t.items,
                             where.path)
    if isinstance(value, Const) and isinstance(t, AvroArray):
        return _const_gather(cx, value, cx.tensor(index, where, TensorProto.INT64), where)
    if isinstance(value, Tensor) and isinstance(t, AvroArray):
        return _tensor_gather(cx, value, cx.tensor(index, where, TensorProto.INT64), where)
    if isinstance(value, Seq):
        return _tensor_gather(cx, cx.tensor(value, where),
                              cx.tensor(index, where, TensorProto.INT64), where)
    cx.refuse(where, f"a path step into {type(value).__name__} by a value computed per row")


def _item_type(t: Any) -> Any:
    if isinstance(t, AvroArray):
        return t.items
    if isinstance(t, AvroMap):
        return t.values
    return t


def _tensor_at(cx: Any, value: Tensor, i: int, where: Any) -> Tensor:
    length = value.shape[0]
    if not 0 <= i < length:
        cx.refuse(where, f"the index {i} is out of range (the array has {length} items)")
    item = _item_type(value.type)
    if len(value.shape) == 1:
        name = cx.g.op("Slice", [value.name, cx.g.const(np.array([i])),
                                 cx.g.const(np.array([i + 1])), cx.g.const(np.array([1]))])
        return Tensor(name, item, value.elem, (1,))
    name = cx.g.op("Gather", [value.name, cx.g.const(np.array(i, dtype=np.int64))], axis=1)
    return Tensor(name, item, value.elem, value.shape[1:])


def _bounds_error(cx: Any, idx: Tensor, length: int, where: Any) -> str:
    """Record error 2000-style out-of-range for rows whose index falls outside; returns the
    clamped index tensor's name."""
    low = cx.g.op("Less", [idx.name, cx.g.const(np.zeros((1, 1), dtype=np.int64))])
    high = cx.g.op("GreaterOrEqual", [idx.name, cx.g.const(np.full((1, 1), length,
                                                                    dtype=np.int64))])
    bad = cx.g.op("Or", [low, high])
    saved = cx.mask
    cx.mask = cx.under(bad)
    try:
        cx.record_error("array index out of range", None, where.path)
    finally:
        cx.mask = saved
    zero = cx.g.const(np.zeros((1, 1), dtype=np.int64))
    return cx.g.op("Where", [bad, zero, idx.name])


def _const_gather(cx: Any, value: Const, idx: Tensor, where: Any) -> Any:
    items = value.value
    if not items:
        cx.refuse(where, "an index into an empty array")
    safe = _bounds_error(cx, idx, len(items), where)
    table = cx.tensor(Const(items, value.type), where)  # [1, M, ...]
    squeezed = cx.g.op("Squeeze", [table.name, cx.g.const(np.array([0]))])
    name = cx.g.op("Gather", [squeezed, safe], axis=0)  # [N, 1, ...]
    item_shape = table.shape[1:]
    if item_shape:
        name = cx.g.op("Squeeze", [name, cx.g.const(np.array([1]))])
        return Tensor(name, _item_type(value.type), table.elem, item_shape)
    return Tensor(name, _item_type(value.type), table.elem, (1,))


def _tensor_gather(cx: Any, value: Tensor, idx: Tensor, where: Any) -> Tensor:
    safe = _bounds_error(cx, idx, value.shape[0], where)
    item = _item_type(value.type)
    if len(value.shape) == 1:
        name = cx.g.op("GatherElements", [value.name, safe], axis=1)
        return Tensor(name, item, value.elem, (1,))
    cx.refuse(where, "an array of arrays indexed by a value computed per row")


def _map_lookup(cx: Any, value: Const, key: Tensor, where: Any) -> Tensor:
    """A constant map with string keys looked up per row: LabelEncoder to the position of
    the key, then a Gather of the values (a missing key is PFA error "key not found")."""
    if key.elem != TensorProto.STRING:
        cx.refuse(where, "a map looked up by a non-string key")
    keys = list(value.value)
    if not keys:
        cx.refuse(where, "a lookup in an empty map")
    pos = cx.g.op("LabelEncoder", [key.name], domain="ai.onnx.ml", keys_strings=keys,
                  values_int64s=list(range(len(keys))), default_int64=-1)
    pos_t = Tensor(pos, key.type, TensorProto.INT64, key.shape)
    values = Const([value.value[k] for k in keys], AvroArray(value.type.values))
    return _const_gather(cx, values, pos_t, where)


def map_contains(cx: Any, value: Const, key: Tensor, where: Any) -> Tensor:
    keys = list(value.value)
    if not keys:
        return cx.tensor(Const(False, where.type), where)
    pos = cx.g.op("LabelEncoder", [key.name], domain="ai.onnx.ml", keys_strings=keys,
                  values_int64s=[1] * len(keys), default_int64=0)
    name = cx.g.op("Cast", [pos], to=TensorProto.BOOL)
    return Tensor(name, where.type, TensorProto.BOOL, key.shape)


def gather_record(cx: Any, records: Const, index: Tensor, item_t: Any, where: Any) -> Rec:
    """The record ``records[index]`` per row, field by field."""
    if not isinstance(item_t, AvroRecord):
        cx.refuse(where, "not an array of records")
    fields = {}
    for f in item_t.fields:
        column = Const([r[f.name] for r in records.value], AvroArray(f.type))
        fields[f.name] = step(cx, column, index, _Where(where))
    return Rec(fields, item_t)


class _Where:
    def __init__(self, path: str):
        self.path = path


