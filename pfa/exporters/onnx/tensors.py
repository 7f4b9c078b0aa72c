"""Tensors of an imported ONNX graph and the PFA expressions that compute them.

The importer keeps every tensor in one of two forms:

* a **constant** (an initializer, a ``Constant`` node or anything computed from constants
  alone): a numpy array with its full ONNX shape, written into the document as a cell only
  when a row-wise computation reads it;
* a **row tensor** (anything computed from the graph inputs): the first ONNX dimension is
  the batch, one PFA record per row, so the importer tracks the *per-row* shape (the ONNX
  shape without its first dimension) and computes the row's values as a flat PFA
  ``array<T>`` in row-major (C) order, held by a ``let`` named after the ONNX tensor.

Keeping row tensors flat makes reshapes free and turns every layout operation (transpose,
slice, pad, concat, gather with constant indices, windows of a convolution) into a gather
by a constant index array computed here, at import time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

#: ONNX element type code → PFA element type; anything else is refused
PFA_TYPES: dict[int, str] = {1: "double", 11: "double", 6: "long", 7: "long", 9: "boolean",
                             8: "string"}
#: ONNX element type code → numpy dtype of the values ONNX would hold
NUMPY_TYPES: dict[int, Any] = {1: np.float32, 11: np.float64, 6: np.int32, 7: np.int64,
                               9: np.bool_, 8: np.object_}
#: names of ONNX element types, for messages
TYPE_NAMES: dict[int, str] = {0: "UNDEFINED", 1: "FLOAT", 2: "UINT8", 3: "INT8", 4: "UINT16",
                              5: "INT16", 6: "INT32", 7: "INT64", 8: "STRING", 9: "BOOL",
                              10: "FLOAT16", 11: "DOUBLE", 12: "UINT32", 13: "UINT64",
                              14: "COMPLEX64", 15: "COMPLEX128", 16: "BFLOAT16"}

#: at most this many values per row in any row tensor, and per constant
MAX_ROW_ELEMENTS = 1 << 20
MAX_CONSTANT_ELEMENTS = 1 << 24
#: the batch size where a shape holds it (``Shape`` of a row tensor); only layout ops use it
BATCH_SIZE = 2_000_000_011  # fits int32 shapes; no real dimension is that large


def pfa_type_of_numpy(dtype: Any) -> str | None:
    """The PFA element type holding numpy values of ``dtype`` (None: not supported)."""
    kind = np.dtype(dtype).kind
    if np.dtype(dtype) in (np.float32, np.float64):
        return "double"
    if np.dtype(dtype) in (np.int32, np.int64):
        return "long"
    if kind == "b":
        return "boolean"
    if kind in "OUS":
        return "string"
    return None


def array_of(items: Any) -> dict[str, Any]:
    return {"type": "array", "items": items}


def nested_type(elem: str, rank: int) -> Any:
    """``array<array<…elem…>>`` with ``rank`` levels (the bare element type for rank 0)."""
    out: Any = elem
    for _ in range(rank):
        out = array_of(out)
    return out


def literal(value: Any, elem: str) -> Any:
    """A PFA literal of one value of element type ``elem``."""
    if elem == "double":
        v = float(value)
        if np.isnan(v):
            return {"double": "NaN"}
        if np.isinf(v):
            return {"double": "Infinity" if v > 0 else "-Infinity"}
        return v
    if elem == "long":
        return {"long": int(value)}
    if elem == "int":
        return int(value)
    if elem == "boolean":
        return bool(value)
    return {"string": _text(value)}


def json_values(values: np.ndarray, elem: str) -> Any:
    """Nested JSON lists of ``values`` as Avro JSON of element type ``elem``."""
    if not isinstance(values, np.ndarray):
        values = np.asarray(values, dtype=object if isinstance(values, (str, bytes))
                            else None)
    if values.ndim == 0:
        return json_scalar(values.item(), elem)
    return [json_values(v, elem) for v in values]


def json_scalar(value: Any, elem: str) -> Any:
    if elem == "double":
        v = float(value)
        if np.isnan(v):
            return "NaN"
        if np.isinf(v):
            return "Infinity" if v > 0 else "-Infinity"
        return v
    if elem in ("long", "int"):
        return int(value)
    if elem == "boolean":
        return bool(value)
    return _text(value)


def _text(value: Any) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


@dataclass
class Tensor:
    """One tensor of the graph: a constant (``const`` set, full shape) or a row tensor
    (``symbol`` set: a PFA symbol holding the row's values as a flat array; ``shape`` is the
    per-row shape)."""

    name: str
    elem: str  # PFA element type
    shape: tuple[int, ...]
    symbol: str | None = None
    const: np.ndarray | None = None
    onnx_type: int = 1
    #: a ZipMap's class labels: the row is a map from label to probability
    map_keys: list[Any] | None = None
    #: a constant computed from a shape that includes the batch size (as BATCH_SIZE)
    batch_dim: bool = False

    @property
    def is_const(self) -> bool:
        return self.const is not None

    @property
    def size(self) -> int:
        return int(np.prod(self.shape, dtype=np.int64))


def index_grid(shape: tuple[int, ...]) -> np.ndarray:
    """The flat positions of a tensor of ``shape``, arranged in that shape."""
    return np.arange(int(np.prod(shape, dtype=np.int64)), dtype=np.int64).reshape(shape)
