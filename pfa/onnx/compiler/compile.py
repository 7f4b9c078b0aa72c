"""A checked PFA document → an ONNX model: graph inputs and outputs, then the action.

Inputs: one tensor per field of the input record, named like the field, ``[N, 1]`` (``[N, k]``
for arrays whose length is given in ``array_lengths``); a non-record input is one tensor named
``input``. Outputs: one tensor per field of the output record in field order (a non-record
output is one tensor named ``output``), plus ``pfa.error`` (int64 ``[N, 1]``) when the
document can raise an error: 0, or the 1-based index of the error the row hit in the model's
``pfa.errors`` metadata.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from onnx import TensorProto

from pfa.avro.types import AvroArray, AvroRecord
from pfa.onnx.compiler.context import ERROR_METADATA, ERROR_OUTPUT, Compiler
from pfa.onnx.compiler.graph import GraphBuilder
from pfa.onnx.compiler.refusal import OnnxRefusal
from pfa.onnx.compiler.types import elem_of, nullable_base, scalar_kind
from pfa.onnx.compiler.values import Const, Never, Opt, Rec, Seq, Tensor

NULL_SUFFIX = ".isnull"


def typed_document(source: Any) -> Any:
    """A checked document from a TypedDocument, a PfaDocument, a dict, text or a file
    (any format the project reads, PrettyPFA included)."""
    if hasattr(source, "doc") and hasattr(source, "input_type"):
        return source
    from pfa.check.checker import check
    from pfa.document.ast import PfaDocument
    from pfa.document.pretty import load

    doc = source if isinstance(source, PfaDocument) else load(source)
    return check(doc)


def compile_document(source: Any, array_lengths: dict[str, int] | None = None,
                     check_model: bool = True) -> Any:
    """The ONNX model (``onnx.ModelProto``) computing the document's ``action``; raises
    :class:`OnnxRefusal` naming the first construct outside the subset."""
    typed = typed_document(source)
    doc = typed.doc
    if doc.method != "map":
        raise OnnxRefusal("$.method", f"a {doc.method} document (only map documents compile)")
    for part in ("begin", "end"):
        if getattr(doc, part):
            raise OnnxRefusal(f"$.{part}", f"a document with a {part} routine")
    for name, c in doc.cells.items():
        if c.source != "embedded":
            raise OnnxRefusal(f"$.cells[{name!r}]", "a cell read from a file")
    g = GraphBuilder()
    cx = Compiler(typed, g)
    _inputs(cx, typed.input_type, array_lengths or {})
    value = cx.body(doc.action)
    _outputs(cx, value, typed.output_type)
    metadata = {"pfa.name": doc.name or "", "pfa.source": "pfa.onnx.compiler"}
    if cx.errors:
        metadata[ERROR_METADATA] = cx.error_metadata()
    model = g.model(doc.name or "pfa", doc.doc or "", metadata)
    if check_model:
        import onnx

        onnx.checker.check_model(model, full_check=True)
    return model


def _inputs(cx: Compiler, t: Any, lengths: dict[str, int]) -> None:
    if isinstance(t, AvroRecord):
        fields = {f.name: _input(cx, f.name, f.type, lengths, f"$.input.fields[{i}]")
                  for i, f in enumerate(t.fields)}
        cx.bind("input", Rec(fields, t))
    else:
        cx.bind("input", _input(cx, "input", t, lengths, "$.input"))


def _input(cx: Compiler, name: str, t: Any, lengths: dict[str, int], where: str) -> Any:
    g = cx.g
    g.reserve(name)
    base = nullable_base(t)
    if base is not None:
        kind = scalar_kind(base)
        if kind in ("int", "long", "float", "double"):
            g.add_input(name, TensorProto.DOUBLE, ["N", 1])
            _rows(cx, name)
            null = g.op("IsNaN", [name])
            value = Tensor(name, base, TensorProto.DOUBLE, (1,))
            if kind != "double":
                value = cx.cast(Tensor(name, base, TensorProto.DOUBLE, (1,)),
                                elem_of(kind, where, cx))
            return Opt(value, null, t)
        if kind == "string":
            g.add_input(name, TensorProto.STRING, ["N", 1])
            g.reserve(name + NULL_SUFFIX)
            g.add_input(name + NULL_SUFFIX, TensorProto.BOOL, ["N", 1])
            _rows(cx, name + NULL_SUFFIX)
            return Opt(Tensor(name, base, TensorProto.STRING, (1,)), name + NULL_SUFFIX, t)
        raise OnnxRefusal(where, f"an input field of type {t}")
    kind = scalar_kind(t)
    if kind is not None:
        g.add_input(name, elem_of(kind, where, cx), ["N", 1])
        _rows(cx, name)
        return Tensor(name, t, elem_of(kind, where, cx), (1,))
    if isinstance(t, AvroArray) and scalar_kind(t.items) is not None:
        k = lengths.get(name)
        if k is None:
            raise OnnxRefusal(where, f"the array input {name!r} has no static length "
                                     "(give array_lengths={name: k})")
        elem = elem_of(t.items, where, cx)
        g.add_input(name, elem, ["N", k])
        return Tensor(name, t, elem, (k,))
    raise OnnxRefusal(where, f"an input of type {t} (records of numbers, strings, booleans, "
                             "nullable numbers/strings and fixed-length arrays compile)")


def _rows(cx: Compiler, name: str) -> None:
    if cx.rows_shape is None:
        cx.rows_shape = cx.g.op("Shape", [name])


def _outputs(cx: Compiler, value: Any, t: Any) -> None:
    if isinstance(value, Never):
        raise OnnxRefusal("$.action", "the action always raises an error")
    if isinstance(t, AvroRecord):
        rec = cx.as_record(value, "$.action")
        for f in t.fields:
            _output(cx, f.name, rec.fields[f.name], f.type)
    else:
        _output(cx, "output", value, t)
    err = cx.error_tensor()
    if err is not None:
        cx.g.reserve(ERROR_OUTPUT)
        err = cx.batched(Tensor(err, t, TensorProto.INT64, (1,)))
        cx.g.nodes.append(_identity(err, ERROR_OUTPUT))
        cx.g.add_output(ERROR_OUTPUT, TensorProto.INT64, ["N", 1])


def _identity(src: str, dst: str) -> Any:
    from onnx import helper

    return helper.make_node("Identity", [src], [dst], name=f"out_{dst}")


def _output(cx: Compiler, name: str, value: Any, t: Any) -> None:
    where = "$.output"
    if isinstance(value, Opt):
        base = nullable_base(t)
        if base is None or scalar_kind(base) not in ("int", "long", "float", "double"):
            raise OnnxRefusal(where, f"an output field {name!r} of type {t}")
        v = cx.cast(value.value, TensorProto.DOUBLE)
        nan = cx.tensor(Const(math.nan, base), where, TensorProto.DOUBLE)
        value = cx.op("Where", [Tensor(value.null, t, TensorProto.BOOL, (1,)), nan, v], t,
                      TensorProto.DOUBLE, shape=v.shape)
    if isinstance(value, Const) and value.value is None:
        raise OnnxRefusal(where, f"an output {name!r} that is always null")
    if isinstance(value, (Rec,)) or (isinstance(value, Seq) and not value.items):
        raise OnnxRefusal(where, f"an output {name!r} holding records")
    tensor = cx.tensor(value, where)
    if isinstance(value, Seq):
        tensor = cx.tensor(value, where)
    kind = scalar_kind(t) or scalar_kind(getattr(t, "items", None)) or \
        scalar_kind(getattr(getattr(t, "items", None), "items", None))
    if kind is not None:
        tensor = cx.cast(tensor, elem_of(kind, where, cx))
    src = cx.batched(tensor)
    cx.g.reserve(name)
    cx.g.nodes.append(_identity(src, name))
    cx.g.add_output(name, tensor.elem, ["N", *tensor.shape])


__all__ = ["compile_document", "typed_document", "np"]


def feeds(model: Any, records: list[Any]) -> dict[str, Any]:
    """The onnxruntime feeds of engine input values ``records`` (dicts for a record input):
    null numbers become NaN, a null string an empty string with ``<field>.isnull`` set."""
    out: dict[str, Any] = {}
    types = {i.name: i.type.tensor_type.elem_type for i in model.graph.input}
    names = [i.name for i in model.graph.input]
    for name in names:
        if name.endswith(NULL_SUFFIX) and name[:-len(NULL_SUFFIX)] in types:
            base = name[:-len(NULL_SUFFIX)]
            out[name] = np.array([[_get(r, base) is None] for r in records], dtype=bool)
            continue
        elem = types[name]
        values = [_get(r, name) for r in records]
        if elem == TensorProto.STRING:
            out[name] = np.array([["" if v is None else v] for v in values], dtype=object)
        elif elem == TensorProto.BOOL:
            out[name] = np.array([[bool(v)] for v in values], dtype=bool)
        else:
            dtype = {TensorProto.DOUBLE: np.float64, TensorProto.FLOAT: np.float32,
                     TensorProto.INT64: np.int64}[elem]
            rows = [v if isinstance(v, list) else [math.nan if v is None else v]
                    for v in values]
            out[name] = np.array(rows, dtype=dtype)
    return out


def _get(record: Any, name: str) -> Any:
    return record.get(name) if isinstance(record, dict) and name != "input" or \
        isinstance(record, dict) and "input" in record else record
