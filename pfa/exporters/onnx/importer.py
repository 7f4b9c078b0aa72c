"""ONNX graph → PFA document.

The contract (documented in the README's "ONNX" section):

* **Shapes are static** except the first dimension of the graph inputs and outputs, the
  batch: one PFA record per row. An input of ONNX shape ``[N]`` becomes a scalar field,
  ``[N, k]`` an ``array<double>`` (``array<long>`` for integers, ``array<string>``,
  ``array<boolean>``), ``[N, a, b]`` nested arrays; the output is a record with one field per
  graph output, shaped the same way.
* **Field names** are the ONNX names when they are PFA identifiers; otherwise characters
  outside ``[A-Za-z0-9_]`` become ``_`` (a leading digit gets an ``x_`` prefix) and a numeric
  suffix keeps names unique (:func:`pfa.exporters.table.field_names`). The metadata entries
  ``onnx.inputs`` / ``onnx.outputs`` map fields back to ONNX names, types and shapes.
* **Precision**: the document computes in double. A float32 graph is computed in double
  too, so its outputs differ from a float32 runtime's by rounding (compare with a tolerance
  derived from float32 epsilon); float16, bfloat16 and 8/16-bit integer tensors are refused.
* Weights are cells named after the graph's initializers; every node output is a ``let``
  named after the ONNX tensor. Anything outside the supported ops (the registry of
  :mod:`pfa.exporters.onnx.converters`) is refused naming the node (index and name) and op.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from pfa.errors import UnsupportedModelError
from pfa.exporters.builder import Output
from pfa.exporters.onnx.context import ImportContext, OpRefusal
from pfa.exporters.onnx.converters.layout import MOVERS
from pfa.exporters.onnx.tensors import (
    BATCH_SIZE,
    MAX_CONSTANT_ELEMENTS,
    MAX_ROW_ELEMENTS,
    PFA_TYPES,
    TYPE_NAMES,
    Tensor,
    array_of,
    index_grid,
    nested_type,
    pfa_type_of_numpy,
)

LIBRARY = "onnx"
#: ONNX domains and the registry module names of their ops
DOMAINS = {"": "ai.onnx", "ai.onnx": "ai.onnx", "ai.onnx.ml": "ai.onnx.ml"}
#: ops that may read a shape holding the batch size (they run on two rows at import time)
BATCH_SHAPE_OPS = frozenset(MOVERS)
#: the largest ONNX file read (bytes)
MAX_FILE_BYTES = 256 << 20


def load(source: Any) -> Any:
    """An ``onnx.ModelProto`` from a path, bytes or a ModelProto (refused with a message
    when it is not a readable ONNX model)."""
    import onnx
    from google.protobuf.message import DecodeError

    if isinstance(source, onnx.ModelProto):
        return source
    if isinstance(source, (str, Path)):
        path = Path(source)
        if not path.is_file():
            raise FileNotFoundError(f"no such file: {path}")
        if path.stat().st_size > MAX_FILE_BYTES:
            raise UnsupportedModelError(f"{path} is larger than {MAX_FILE_BYTES >> 20} MB")
        data = path.read_bytes()
        where = str(path)
    elif isinstance(source, (bytes, bytearray, memoryview)):
        data, where = bytes(source), "the ONNX bytes"
        if len(data) > MAX_FILE_BYTES:
            raise UnsupportedModelError(f"{where} exceed {MAX_FILE_BYTES >> 20} MB")
    else:
        raise UnsupportedModelError(f"not an ONNX model: {type(source).__name__}")
    model = onnx.ModelProto()
    try:
        model.ParseFromString(data)
    except (DecodeError, ValueError, RuntimeError) as err:
        raise UnsupportedModelError(f"{where} is not an ONNX model ({err})") from None
    if not model.HasField("graph") or not model.graph.output:
        raise UnsupportedModelError(f"{where} is not an ONNX model (no graph outputs)")
    return model


def import_model(model_or_path: Any, name: str | None = None,
                 timestamp: bool = True) -> dict[str, Any]:
    """The PFA document computing the ONNX graph ``model_or_path`` (a path, bytes or an
    ``onnx.ModelProto``) row by row; refuses what it cannot translate exactly with
    :class:`~pfa.errors.UnsupportedModelError`."""
    model = load(model_or_path)
    return _Importer(model).document(name, timestamp)


class _Importer:
    def __init__(self, model: Any):
        self.model = model
        self.graph = model.graph
        opsets = {}
        for imp in model.opset_import:
            opsets[imp.domain or "ai.onnx"] = int(imp.version)
        self.ctx = ImportContext(opsets=opsets)
        self.tensors: dict[str, Tensor] = {}

    # -- graph inputs and constants ------------------------------------------------------------
    def _constants(self) -> None:
        from onnx import numpy_helper

        if len(self.graph.sparse_initializer):
            raise UnsupportedModelError("sparse initializers are not supported")
        for init in self.graph.initializer:
            if init.data_location == init.EXTERNAL:
                raise UnsupportedModelError(
                    f"initializer {init.name!r} keeps its data in an external file; "
                    "the importer reads no other files")
            size = int(np.prod(init.dims, dtype=np.int64)) if init.dims else 1
            if any(d < 0 for d in init.dims) or size > MAX_CONSTANT_ELEMENTS:
                raise UnsupportedModelError(
                    f"initializer {init.name!r} declares shape {list(init.dims)} "
                    f"(at most {MAX_CONSTANT_ELEMENTS} values)")
            if init.data_type not in PFA_TYPES:
                raise UnsupportedModelError(
                    f"initializer {init.name!r} has type "
                    f"{TYPE_NAMES.get(init.data_type, init.data_type)} (supported: FLOAT, "
                    "DOUBLE, INT32, INT64, BOOL, STRING)")
            try:
                values = numpy_helper.to_array(init)
            except Exception as err:  # malformed tensor data
                raise UnsupportedModelError(
                    f"initializer {init.name!r} cannot be read: {err}") from None
            self.tensors[init.name] = Tensor(init.name, PFA_TYPES[init.data_type],
                                             tuple(values.shape), const=values,
                                             onnx_type=init.data_type)

    def _inputs(self) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        from pfa.exporters.table import field_names

        graph_inputs = [v for v in self.graph.input if v.name not in self.tensors]
        if not graph_inputs:
            raise UnsupportedModelError("the graph has no inputs")
        names = field_names([v.name for v in graph_inputs])
        fields, described = [], []
        for v, field in zip(graph_inputs, names, strict=True):
            elem_type, shape = _tensor_type(v, "input")
            elem = PFA_TYPES[elem_type]
            fields.append({"name": field, "type": nested_type(elem, len(shape))})
            described.append({"name": v.name, "field": field, "type": TYPE_NAMES[elem_type],
                              "shape": ["N", *shape]})
            ref = {"attr": "input", "path": [{"string": field}]}
            if not shape:
                expr: Any = {"new": [ref], "type": array_of(elem)}
            else:
                expr = ref
                for _ in range(len(shape) - 1):
                    expr = {"a.flatten": [expr]}
            symbol = self.ctx.builder.let(v.name, expr)
            size = int(np.prod(shape, dtype=np.int64))
            if shape:
                self.ctx.builder.steps.append({"if": {"!=": [{"a.len": [symbol]}, size]},
                                               "then": {"error": f"input field {field} must "
                                                        f"hold {size} values of shape "
                                                        f"{list(shape)}"}})
            self.tensors[v.name] = Tensor(v.name, elem, shape, symbol=symbol,
                                          onnx_type=elem_type)
        return {"type": "record", "name": "Input", "fields": fields}, described

    # -- nodes --------------------------------------------------------------------------------
    def _nodes(self) -> None:
        from pfa.exporters.registry import lookup_class

        for index, node in enumerate(self.graph.node):
            where = f"node {index} {node.name!r} ({node.op_type})" if node.name else \
                f"node {index} ({node.op_type})"
            try:
                outputs = self._node(node, lookup_class)
            except OpRefusal as err:
                raise UnsupportedModelError(f"cannot import {where}: {err}",
                                            estimator=node.op_type, place=where) from None
            except UnsupportedModelError:
                raise
            except Exception as err:  # malformed attributes reach numpy and onnx: one line
                raise UnsupportedModelError(
                    f"cannot import {where}: {type(err).__name__}: {err}",
                    estimator=node.op_type, place=where) from None
            for out_name, t in zip(node.output, outputs, strict=False):
                if out_name:
                    self.tensors[out_name] = t

    def _node(self, node: Any, lookup_class: Any) -> list[Tensor]:
        module = DOMAINS.get(node.domain)
        if module is None:
            raise OpRefusal(f"operator domain {node.domain!r} is not supported "
                            "(ai.onnx and ai.onnx.ml are)")
        for a in node.attribute:
            if a.type in (a.GRAPH, a.GRAPHS):
                raise OpRefusal("control flow and subgraphs are not supported")
        inputs: list[Tensor | None] = []
        for name in node.input:
            if not name:
                inputs.append(None)
                continue
            t = self.tensors.get(name)
            if t is None:
                raise OpRefusal(f"input {name!r} is not defined before the node")
            inputs.append(t)
        present = [t for t in inputs if t is not None]
        if all(t.is_const for t in present):
            return self._fold(node, inputs)
        for t in present:
            if t.elem is None:
                raise OpRefusal(f"tensor {t.name!r} has an unsupported element type")
            if t.batch_dim and node.op_type not in BATCH_SHAPE_OPS:
                raise OpRefusal(f"{t.name!r} depends on the batch size, which a row-by-row "
                                "document does not know")
        conv = lookup_class(LIBRARY, module, node.op_type)
        if conv is None or conv.module != module:
            raise OpRefusal("the op is not supported (see the README's list of ONNX ops)")
        outputs = conv.fn(self.ctx, node, inputs)
        if any(node.output[len(outputs):]):
            raise OpRefusal(f"only the first {len(outputs)} output(s) are supported")
        return [_renamed(t, n) for t, n in zip(outputs, node.output, strict=False)]

    def _fold(self, node: Any, inputs: list[Tensor | None]) -> list[Tensor]:
        """A node of constants computed now, by ONNX's reference implementation."""
        from pfa.exporters.onnx.reference import run_node

        if node.op_type in ("RandomNormal", "RandomUniform", "RandomNormalLike",
                            "RandomUniformLike", "Multinomial", "Bernoulli"):
            raise OpRefusal("random ops are not supported")
        _check_fold_size(node, inputs)
        values = run_node(node, [t.const if t is not None else None for t in inputs],
                          self.ctx.opsets)
        batch_dim = any(t.batch_dim for t in inputs if t is not None)
        out = []
        for name, v in zip(node.output, values, strict=False):
            if isinstance(v, list) or not isinstance(v, np.ndarray):
                raise OpRefusal("sequence and map constants are not supported")
            if v.size > MAX_CONSTANT_ELEMENTS:
                raise OpRefusal(f"constant {name!r} holds {v.size} values")
            if batch_dim and (v.dtype.kind not in "iu" or not np.all(
                    (v == BATCH_SIZE) | (np.abs(v) < (1 << 30)))):
                raise OpRefusal("arithmetic on the batch size is not supported")
            out.append(Tensor(name, pfa_type_of_numpy(v.dtype), tuple(v.shape), const=v,
                              onnx_type=_onnx_type(v.dtype),
                              batch_dim=batch_dim and bool((v == BATCH_SIZE).any())))
        return out

    # -- outputs ------------------------------------------------------------------------------
    def _outputs(self) -> tuple[Any, Any, list[dict[str, Any]]]:
        from pfa.exporters.table import field_names

        names = field_names([v.name for v in self.graph.output])
        fields, values, described = [], {}, []
        for v, field in zip(self.graph.output, names, strict=True):
            t = self.tensors.get(v.name)
            if t is None:
                raise UnsupportedModelError(f"graph output {v.name!r} is not computed")
            if t.is_const:
                raise UnsupportedModelError(
                    f"graph output {v.name!r} does not depend on the inputs")
            if t.map_keys is not None:
                avro, expr = _map_output(self.ctx, t)
                shape_out: list[Any] = ["N"]
            else:
                avro = nested_type(t.elem, len(t.shape))
                expr = _nested(self.ctx, t)
                shape_out = ["N", *t.shape]
            fields.append({"name": field, "type": avro})
            values[field] = expr
            described.append({"name": v.name, "field": field, "shape": shape_out,
                              "type": _declared_output_type(v, t)})
        record = {"type": "record", "name": "Output", "fields": fields}
        return record, {"new": values, "type": "Output"}, described

    def document(self, name: str | None, timestamp: bool) -> dict[str, Any]:
        import datetime as dt

        self._constants()
        input_type, inputs = self._inputs()
        self._nodes()
        output_type, expr, outputs = self._outputs()
        graph_name = self.graph.name or "onnx_model"
        producer = " ".join(p for p in (self.model.producer_name,
                                        self.model.producer_version) if p)
        metadata = {"source.library": "onnx", "source.version": producer or "unknown",
                    "source.estimator": graph_name, "exporter": "pfa.exporters.onnx",
                    "features": ",".join(i["field"] for i in inputs),
                    "role": "transformer",
                    "onnx.opsets": json.dumps(self.ctx.opsets, sort_keys=True),
                    "onnx.inputs": json.dumps(inputs), "onnx.outputs": json.dumps(outputs)}
        if timestamp:
            metadata["exported.at"] = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        out = Output(expr, output_type, "transformer")
        return self.ctx.builder.document(name or graph_name, input_type, out, metadata)


def _renamed(t: Tensor, name: str) -> Tensor:
    t.name = name
    return t


def _onnx_type(dtype: Any) -> int:
    from onnx import helper

    try:
        return int(helper.np_dtype_to_tensor_dtype(np.dtype(dtype)))
    except Exception:  # object arrays hold strings
        return 8


def _tensor_type(v: Any, what: str) -> tuple[int, tuple[int, ...]]:
    """A graph input's element type code and per-row shape (refused unless static)."""
    tt = v.type
    if tt.WhichOneof("value") != "tensor_type":
        raise UnsupportedModelError(f"graph {what} {v.name!r} is not a tensor "
                                    f"({tt.WhichOneof('value')})")
    elem = tt.tensor_type.elem_type
    if elem not in PFA_TYPES:
        raise UnsupportedModelError(
            f"graph {what} {v.name!r} has type {TYPE_NAMES.get(elem, elem)} "
            "(supported: FLOAT, DOUBLE, INT32, INT64, BOOL, STRING)")
    if not tt.tensor_type.HasField("shape"):
        raise UnsupportedModelError(f"graph {what} {v.name!r} has no declared shape")
    dims = list(tt.tensor_type.shape.dim)
    if not dims:
        raise UnsupportedModelError(
            f"graph {what} {v.name!r} is a scalar: the first dimension must be the batch")
    shape = []
    for k, d in enumerate(dims[1:], start=1):
        if d.WhichOneof("value") != "dim_value" or d.dim_value <= 0:
            raise UnsupportedModelError(
                f"graph {what} {v.name!r} has a dynamic or empty dimension {k} "
                f"({d.dim_param or d.dim_value}); only the first (batch) dimension may vary")
        shape.append(int(d.dim_value))
    if int(np.prod(shape, dtype=np.int64)) > MAX_ROW_ELEMENTS:
        raise UnsupportedModelError(
            f"graph {what} {v.name!r} declares {shape} values per row "
            f"(at most {MAX_ROW_ELEMENTS})")
    return elem, tuple(shape)


def _declared_output_type(v: Any, t: Tensor) -> str:
    tt = v.type
    if tt.WhichOneof("value") == "tensor_type" and tt.tensor_type.elem_type:
        return TYPE_NAMES.get(tt.tensor_type.elem_type, "FLOAT")
    if tt.WhichOneof("value") == "sequence_type":
        return "SEQUENCE_MAP"
    return TYPE_NAMES.get(t.onnx_type, "DOUBLE")


def _nested(ctx: ImportContext, t: Tensor) -> Any:
    """The row tensor ``t`` shaped as its output field (a scalar, an array, nested arrays)."""
    if not t.shape:
        return {"attr": t.symbol, "path": [0]}
    if len(t.shape) == 1:
        return t.symbol
    grid = index_grid(t.shape)
    ref = ctx.cell(f"{t.symbol}_layout", grid, "int")
    fcn: Any = ctx.index_fcn(t.symbol, t.elem)
    for depth in range(1, len(t.shape)):
        param = f"r{depth}"
        fcn = {"params": [{param: nested_type("int", depth)}],
               "ret": nested_type(t.elem, depth),
               "do": {"a.map": [param, fcn]}}
    return {"a.map": [ref, fcn]}


def _map_output(ctx: ImportContext, t: Tensor) -> tuple[Any, Any]:
    """A ZipMap's row: ``map<double>`` keyed by the class labels (as strings)."""
    keys = t.map_keys
    entries = {str(k): {"attr": t.symbol, "path": [i]} for i, k in enumerate(keys)}
    return {"type": "map", "values": "double"}, {"new": entries, "type": {
        "type": "map", "values": "double"}}


def _check_fold_size(node: Any, inputs: list[Tensor | None]) -> None:
    """Refuse constant ops whose result would exceed the constant budget."""
    def const(k: int) -> np.ndarray | None:
        return inputs[k].const if len(inputs) > k and inputs[k] is not None else None

    size = None
    op = node.op_type
    try:
        if op == "ConstantOfShape" and const(0) is not None:
            size = int(np.prod(const(0).astype(np.float64)))
        elif op == "Expand" and const(1) is not None:
            size = int(np.prod(np.maximum(const(1).astype(np.float64), 1))) * max(
                1, const(0).size)
        elif op == "Tile" and const(1) is not None:
            size = int(const(0).size * np.prod(const(1).astype(np.float64)))
        elif op == "Range":
            start, limit, delta = (float(const(k)) for k in range(3))
            size = int(abs((limit - start) / delta)) if delta else MAX_CONSTANT_ELEMENTS + 1
    except (TypeError, ValueError, OverflowError):
        size = MAX_CONSTANT_ELEMENTS + 1
    if size is not None and size > MAX_CONSTANT_ELEMENTS:
        raise OpRefusal(f"the op would create {size} values (at most "
                        f"{MAX_CONSTANT_ELEMENTS})")
