"""What an expression compiles to: a batch tensor, a value known at compile time, a record of
values, an array of non-scalar values, or nothing (an ``error`` expression).

Batch tensors hold one row per input record: a scalar is ``[N, 1]``, an array of scalars
``[N, k]``, an array of arrays ``[N, r, c]`` (``shape`` is the part after ``N``). Values that
do not depend on the input (literals, read-only cells) stay Python values (:class:`Const`) until
an operator needs them as tensors (then they become initializers).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pfa.avro.types import AvroType


@dataclass(frozen=True)
class Tensor:
    """A batch tensor ``name`` of ONNX element type ``elem`` and per-row ``shape``."""

    name: str
    type: AvroType
    elem: int
    shape: tuple[int, ...]


@dataclass(frozen=True)
class Const:
    """A value known at compile time (engine representation: dicts, lists, str, numbers)."""

    value: Any
    type: AvroType


@dataclass(frozen=True)
class Rec:
    """A record whose fields are compiled values (records never become tensors)."""

    fields: dict[str, Any]
    type: AvroType


@dataclass(frozen=True)
class Seq:
    """An array of a static length whose items are records or other non-tensor values."""

    items: tuple[Any, ...]
    type: AvroType


@dataclass(frozen=True)
class Never:
    """The value of an expression that always raises (``error``): no value at all."""

    type: AvroType


Value = Tensor | Const | Rec | Seq | Never


@dataclass(frozen=True)
class Opt:
    """A nullable value: ``value`` (a tensor; arbitrary where null) and ``null``, a boolean
    ``[N, 1]`` tensor name that is true where the value is null."""

    value: Tensor
    null: str
    type: AvroType


AnyValue = Tensor | Const | Rec | Seq | Never | Opt
