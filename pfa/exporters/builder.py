"""The document builder every front end shares: a PFA document assembled as JSON.

Converters add cells (model parameters), named types, user functions and ``let`` steps to a
:class:`DocumentBuilder`; names are made unique and deterministic so the same model always
gives byte-identical documents. The last converter returns an :class:`Output` (the action's
value, its type and its role) and :meth:`DocumentBuilder.document` puts the parts together.
A converter that cannot translate a model exactly calls :meth:`DocumentBuilder.refuse`, the
front ends' one refusal (:class:`~pfa.errors.UnsupportedModelError`).
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from dataclasses import dataclass, field
from typing import Any, NoReturn

from pfa.errors import UnsupportedModelError

_SAFE = re.compile(r"[^A-Za-z0-9_]")


def safe_name(text: str, prefix: str = "v") -> str:
    """A PFA symbol/cell/field name derived from ``text`` (letters, digits, underscores)."""
    name = _SAFE.sub("_", str(text))
    if not name or not (name[0].isalpha() or name[0] == "_"):
        name = f"{prefix}_{name}"
    return name


def num(x: Any) -> Any:
    """A Python/numpy number as a JSON-ready value (non-finite doubles as Avro JSON strings)."""
    v = float(x)
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "Infinity" if v > 0 else "-Infinity"
    return v


def nums(values: Any) -> list[Any]:
    """A numpy vector/matrix as nested JSON lists of doubles."""
    import numpy as np

    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim == 0:
        return num(arr)
    return [nums(v) if np.ndim(v) else num(v) for v in arr]


def lit_double(x: Any) -> Any:
    """A double literal expression (non-finite values need the explicit form)."""
    v = num(x)
    return v if isinstance(v, float) else {"double": v}


def export_metadata(*, library: str, version: str, estimator: str, exporter: str,
                    inputs: dict[str, str], output: Output, timestamp: bool) -> dict[str, str]:
    """The metadata every front end writes, in this order: where the model comes from
    (``source.library``, ``source.version``, ``source.estimator``), the ``exporter`` module,
    ``features`` and the other input entries (:func:`pfa.exporters.table.input_metadata`), the
    ``role``, the output's own entries and, with ``timestamp``, ``exported.at`` (UTC)."""
    rest = dict(inputs)
    metadata = {"source.library": library, "source.version": version,
                "source.estimator": estimator, "exporter": exporter,
                "features": rest.pop("features"), "role": output.role, **rest,
                **output.metadata}
    if timestamp:
        metadata["exported.at"] = _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return metadata


def string(s: str) -> dict[str, str]:
    return {"string": s}


ARRAY_DOUBLE = {"type": "array", "items": "double"}
ARRAY_ARRAY_DOUBLE = {"type": "array", "items": ARRAY_DOUBLE}


@dataclass
class Vector:
    """A PFA expression evaluating to ``array<double>`` of a known length."""

    expr: Any
    size: int
    names: list[str] = field(default_factory=list)


@dataclass
class Output:
    """What the last step of a pipeline produces: the action's value, its type, the model's
    role (one of :data:`pfa.exporters.registry.ROLES`) and metadata entries about it."""

    expr: Any
    avro_type: Any
    role: str
    metadata: dict[str, str] = field(default_factory=dict)


@dataclass
class DocumentBuilder:
    """Collects the parts of a document while converters run."""

    input_type: Any = None
    cells: dict[str, dict[str, Any]] = field(default_factory=dict)
    fcns: dict[str, dict[str, Any]] = field(default_factory=dict)
    steps: list[Any] = field(default_factory=list)
    type_names: set[str] = field(default_factory=set)
    _counters: dict[str, int] = field(default_factory=dict)
    estimator_path: list[str] = field(default_factory=list)
    memo: dict[str, Any] = field(default_factory=dict)  # converters' shared intermediate results

    def fresh(self, base: str) -> str:
        """A new unique name starting with ``base``."""
        base = safe_name(base)
        n = self._counters.get(base, 0)
        self._counters[base] = n + 1
        return base if n == 0 else f"{base}_{n}"

    def cell(self, base: str, avro_type: Any, init: Any) -> dict[str, str]:
        """Add a constant cell; returns the ``{"cell": name}`` expression that reads it."""
        name = self.fresh(base)
        self.cells[name] = {"type": avro_type, "init": init}
        return {"cell": name}

    def type_name(self, base: str) -> str:
        """A new unique name for a named Avro type."""
        name = self.fresh(base[:1].upper() + base[1:])
        self.type_names.add(name)
        return name

    def let(self, base: str, expr: Any) -> str:
        """Add ``{"let": {name: expr}}`` to the action; returns the symbol name."""
        name = self.fresh(base)
        self.steps.append({"let": {name: expr}})
        return name

    def fcn(self, base: str, definition: dict[str, Any]) -> str:
        """Add a user function; returns its callable name (``u.`` prefixed)."""
        name = self.fresh(base)
        self.fcns[name] = definition
        return f"u.{name}"

    def document(self, name: str, input_type: Any, output: Output,
                 metadata: dict[str, str]) -> dict[str, Any]:
        """The PFA document: the steps added so far, then ``output``'s value, as the action;
        ``name`` made a valid document name; cells and functions only when there are any."""
        doc: dict[str, Any] = {
            "name": safe_name(name),
            "input": input_type,
            "output": output.avro_type,
            "action": [*self.steps, output.expr],
            "metadata": metadata,
        }
        if self.cells:
            doc["cells"] = self.cells
        if self.fcns:
            doc["fcns"] = self.fcns
        return doc

    def refuse(self, estimator: Any, why: str, supported: list[str] | None = None,
               reason: str | None = None) -> NoReturn:
        """Raise the exporter's refusal for ``estimator`` at the current place in the pipeline:
        ``why`` says what is refused, ``reason`` is the key of its documented reason
        (:data:`pfa.exporters.refusals.REASONS`), if it has one."""
        place = "/".join(self.estimator_path) or "(top level)"
        raise UnsupportedModelError(
            f"cannot export {type(estimator).__name__} at {place}: {why}",
            estimator=type(estimator).__name__, place=place, supported=supported,
            reason=reason)
