"""One ONNX node evaluated on numpy arrays by ONNX's own reference implementation.

The importer uses it at import time only: to fold nodes whose inputs are all constants, and
to run layout ops (transpose, slice, pad, …) on arrays of positions, which tells where each
output value comes from without re-implementing the op's index arithmetic.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def run_node(node: Any, inputs: list[np.ndarray | None], opsets: dict[str, int]) -> list[Any]:
    """The outputs of ``node`` on ``inputs`` (None for an omitted optional input)."""
    from onnx import helper
    from onnx.reference import ReferenceEvaluator

    feeds = {}
    values = []
    for name, value in zip(node.input, inputs, strict=False):
        if not name or value is None:
            continue
        value = np.asarray(value)
        feeds[name] = value
        values.append(helper.make_tensor_value_info(
            name, helper.np_dtype_to_tensor_dtype(value.dtype)
            if value.dtype != object else 8, value.shape))
    outputs = [helper.make_tensor_value_info(o, 0, None) for o in node.output if o]
    graph = helper.make_graph([node], "fold", values, outputs)
    imports = [helper.make_opsetid(d if d != "ai.onnx" else "", v) for d, v in opsets.items()]
    model = helper.make_model(graph, opset_imports=imports)
    model.ir_version = 10
    evaluator = ReferenceEvaluator(model)
    result = evaluator.run(None, feeds)
    return [np.asarray(r) if not isinstance(r, list) else r for r in result]
