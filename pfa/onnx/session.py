"""An onnxruntime-like session that runs an ONNX graph with this project's engine.

>>> sess = InferenceSession("model.onnx")  # doctest: +SKIP
>>> probabilities, = sess.run(["probabilities"], {"X": x})  # doctest: +SKIP

The graph is imported as a PFA document (:func:`pfa.exporters.onnx.import_model`, which
refuses what it cannot translate exactly) and run by :meth:`pfa.Engine.action_batch`, one
record per row of the batch. Values are computed in double and returned in the numpy dtype
the graph declares (a float32 output is rounded to float32 at the end), so results agree
with onnxruntime's within float32 rounding for float32 graphs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from pfa.errors import PfaInputError

#: ONNX element type names → numpy dtypes and onnxruntime's type strings
_DTYPES = {"FLOAT": np.float32, "DOUBLE": np.float64, "INT32": np.int32, "INT64": np.int64,
           "BOOL": np.bool_, "STRING": np.object_}
_ORT_TYPES = {"FLOAT": "tensor(float)", "DOUBLE": "tensor(double)", "INT32": "tensor(int32)",
              "INT64": "tensor(int64)", "BOOL": "tensor(bool)", "STRING": "tensor(string)",
              "SEQUENCE_MAP": "seq(map(int64,tensor(float)))"}


@dataclass(frozen=True)
class NodeArg:
    """A graph input or output as onnxruntime describes it: name, shape (the batch as
    ``"N"``) and type (``"tensor(float)"``…)."""

    name: str
    shape: list[Any]
    type: str


class InferenceSession:
    """Run an ONNX model (a path, its bytes or an ``onnx.ModelProto``) on PFA's engine."""

    def __init__(self, path_or_bytes: str | Path | bytes | Any, *args: Any, **kwargs: Any):
        from pfa.engine.engine import Engine
        from pfa.exporters.onnx import import_model

        self.document = import_model(path_or_bytes, timestamp=False)
        self.engine = Engine.from_json(self.document)
        meta = self.document["metadata"]
        self._inputs = json.loads(meta["onnx.inputs"])
        self._outputs = json.loads(meta["onnx.outputs"])

    def get_inputs(self) -> list[NodeArg]:
        return [NodeArg(i["name"], i["shape"], _ORT_TYPES[i["type"]]) for i in self._inputs]

    def get_outputs(self) -> list[NodeArg]:
        return [NodeArg(o["name"], o["shape"], _ORT_TYPES.get(o["type"], "tensor(double)"))
                for o in self._outputs]

    def get_modelmeta(self) -> Any:
        return self.document["metadata"]

    def run(self, output_names: list[str] | None, input_feed: dict[str, Any],
            run_options: Any = None) -> list[Any]:
        """The outputs named ``output_names`` (all, in graph order, when None) for the
        inputs ``input_feed`` (graph input name → array whose first axis is the batch)."""
        columns = {}
        batch = None
        for spec in self._inputs:
            if spec["name"] not in input_feed:
                raise PfaInputError(f"missing input {spec['name']!r}")
            value = np.asarray(input_feed[spec["name"]])
            want = tuple(spec["shape"][1:])
            if value.ndim != len(want) + 1 or tuple(value.shape[1:]) != want:
                raise PfaInputError(f"input {spec['name']!r} has shape {list(value.shape)}, "
                                    f"expected {spec['shape']}")
            if batch is None:
                batch = value.shape[0]
            elif value.shape[0] != batch:
                raise PfaInputError("inputs have different batch sizes")
            columns[spec["field"]] = _column(value, spec["type"])
        unknown = set(input_feed) - {s["name"] for s in self._inputs}
        if unknown:
            raise PfaInputError(f"unknown inputs: {sorted(unknown)}")
        by_name = {o["name"]: o for o in self._outputs}
        names = output_names or [o["name"] for o in self._outputs]
        missing = [n for n in names if n not in by_name]
        if missing:
            raise PfaInputError(f"unknown outputs: {missing}")
        if batch == 0:
            out: dict[str, Any] = {o["field"]: [] for o in self._outputs}
        else:
            out = self.engine.action_batch(columns)
        return [_result(out[by_name[n]["field"]], by_name[n], batch or 0) for n in names]


def _column(value: np.ndarray, onnx_type: str) -> np.ndarray:
    if onnx_type in ("FLOAT", "DOUBLE"):
        return value.astype(np.float64)
    if onnx_type in ("INT32", "INT64"):
        return value.astype(np.int64)
    if onnx_type == "BOOL":
        return value.astype(bool)
    return value.astype(object)


def _result(column: Any, spec: dict[str, Any], batch: int) -> Any:
    """One output column as onnxruntime returns it."""
    if spec["type"] == "SEQUENCE_MAP":
        return [_typed_keys(dict(m)) for m in column]
    shape = [batch, *spec["shape"][1:]]
    values = list(column)
    dtype = _DTYPES.get(spec["type"], np.float64)
    arr = np.array(values, dtype=object if dtype is np.object_ else np.float64
                   if dtype in (np.float32, np.float64) else None)
    if dtype is np.object_:
        return arr.reshape(shape)
    return arr.astype(dtype).reshape(shape)


def _typed_keys(m: dict[str, float]) -> dict[Any, float]:
    """ZipMap rows: integer class labels come back as ints (PFA map keys are strings)."""
    try:
        return {int(k): float(v) for k, v in m.items()}
    except ValueError:
        return {k: float(v) for k, v in m.items()}
