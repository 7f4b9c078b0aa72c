"""An ONNX graph under construction: nodes with fresh names, deduplicated initializers."""

from __future__ import annotations

from typing import Any

import numpy as np
from onnx import TensorProto, helper, numpy_helper

#: operator-set versions of the graphs this compiler writes
OPSET = 21
ML_OPSET = 5


class GraphBuilder:
    """Nodes, initializers, inputs and outputs of one graph; every name it makes is fresh."""

    def __init__(self) -> None:
        self.nodes: list[Any] = []
        self.initializers: list[Any] = []
        self.inputs: list[Any] = []
        self.outputs: list[Any] = []
        self._names: set[str] = set()
        self._consts: dict[tuple[Any, ...], str] = {}
        self._counter = 0
        self.batched: set[str] = set()  # names whose first dimension is the batch (N rows)
        self._made: dict[tuple[Any, ...], Any] = {}  # common subexpressions: one node each

    def fresh(self, hint: str) -> str:
        """A name used nowhere else in the graph, starting with ``hint``."""
        base = "".join(c if c.isalnum() or c in "_." else "_" for c in hint) or "t"
        name = base
        while name in self._names:
            self._counter += 1
            name = f"{base}_{self._counter}"
        self._names.add(name)
        return name

    def reserve(self, name: str) -> None:
        """Claim ``name`` (a graph input or output named by the document)."""
        self._names.add(name)

    def op(self, op_type: str, inputs: list[str], n_out: int = 1, domain: str = "",
           **attrs: Any) -> Any:
        """Add one node; returns its output name (or the list of names when ``n_out`` > 1).
        Every operator used is pure, so the same operator on the same inputs is added once."""
        key = None
        if not domain:
            key = (op_type, tuple(inputs), n_out, repr(sorted(attrs.items())))
            made = self._made.get(key)
            if made is not None:
                return made
        outs = [self.fresh(op_type.lower()) for _ in range(n_out)]
        if any(i in self.batched for i in inputs):
            self.batched.update(outs)
        self.nodes.append(helper.make_node(op_type, inputs, outs, domain=domain or None,
                                           name=self.fresh("n_" + op_type), **attrs))
        result = outs[0] if n_out == 1 else outs
        if key is not None:
            self._made[key] = result
        return result

    def const(self, array: Any, hint: str = "c") -> str:
        """An initializer holding ``array`` (numpy; strings as an object array), shared by
        every use of the same value."""
        arr = np.asarray(array)
        if arr.dtype.kind in "UO":
            arr = arr.astype(object)
            key = ("s", arr.shape, tuple(arr.ravel().tolist()))
        else:
            key = (arr.dtype.str, arr.shape, arr.tobytes())
        name = self._consts.get(key)
        if name is None:
            name = self._consts[key] = self.fresh(hint)
            self.initializers.append(numpy_helper.from_array(arr, name))
        return name

    def add_input(self, name: str, elem: int, dims: list[Any]) -> None:
        self.batched.add(name)
        self.inputs.append(helper.make_tensor_value_info(name, elem, dims))

    def add_output(self, name: str, elem: int, dims: list[Any]) -> None:
        self.outputs.append(helper.make_tensor_value_info(name, elem, dims))

    def model(self, graph_name: str, doc_string: str = "",
              metadata: dict[str, str] | None = None) -> Any:
        graph = helper.make_graph(self.nodes, graph_name, self.inputs, self.outputs,
                                  self.initializers)
        opsets = [helper.make_opsetid("", OPSET)]
        if any(n.domain == "ai.onnx.ml" for n in self.nodes):
            opsets.append(helper.make_opsetid("ai.onnx.ml", ML_OPSET))
        model = helper.make_model(graph, opset_imports=opsets, producer_name="pfa",
                                  doc_string=doc_string)
        model.ir_version = 10
        for key, value in (metadata or {}).items():
            model.metadata_props.add(key=key, value=value)
        return model


ELEM_NUMPY = {TensorProto.DOUBLE: np.float64, TensorProto.FLOAT: np.float32,
              TensorProto.INT64: np.int64, TensorProto.BOOL: np.bool_,
              TensorProto.STRING: object}
