"""Library function signatures: the generic type patterns of the spec and their matching.

The data comes from ``pfa/lib/signatures.json`` (generated once from the specification's
libfcns.xml by ``tools/gen_signatures.py``); this module turns it into pattern objects and
matches call sites against them with label unification and promotion.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pfa.avro.types import AvroType


@dataclass(frozen=True)
class FcnType:
    """The type of a function argument: parameter types and return type (not an Avro type)."""

    params: tuple[AvroType, ...]
    ret: AvroType

    def __str__(self) -> str:
        return "function(" + ", ".join(str(p) for p in self.params) + f") -> {self.ret}"


@dataclass(frozen=True)
class ResolvedCall:
    """A call site matched against one signature of a library function.

    ``param_types``: the concrete parameter types after label binding (arguments are promoted
    to these); ``ret_type``: the concrete return type; ``labels``: wildcard label → type.
    """

    name: str
    sig_index: int
    param_types: tuple[Any, ...]
    ret_type: AvroType
    labels: dict[str, AvroType] = field(default_factory=dict)
