"""Export fitted scikit-learn estimators and pipelines to PFA documents.

``export(estimator)`` returns the document as a JSON-ready dict. The input type is inferred
from the fitted model (``feature_names_in_`` and the encoders' categories, or ``x0..xN``); pass
``sample`` (a DataFrame like the training data) to infer column kinds and missing values from
data, or ``input_schema`` to set the input type yourself.
"""

from __future__ import annotations

import datetime as _dt
import json
from dataclasses import replace
from typing import Any

from pfa.exporters.builder import ARRAY_DOUBLE, DocumentBuilder, Vector, safe_name
from pfa.exporters.sklearn.core import Output, convert
from pfa.exporters.sklearn.data import Column, Table, column_value, element
from pfa.exporters.sklearn.guards import guard
from pfa.exporters.sklearn.inputs import infer_columns
from pfa.exporters.sklearn.probe import refusals

__all__ = ["export"]


def export(estimator: Any, *, name: str | None = None, input_schema: Any = None,
           array_input: bool = False, sample: Any = None, timestamp: bool = True) -> dict:
    """Translate a fitted sklearn estimator or pipeline into a PFA document (a dict).

    ``array_input`` makes the input an ``array<double>`` instead of a record; ``timestamp``
    adds the export time to the metadata (turn it off for byte-identical re-exports).
    Raises :class:`pfa.errors.UnsupportedModelError` for anything it cannot translate exactly.
    """
    import sklearn

    b = DocumentBuilder()
    columns = infer_columns(estimator, sample)
    refused = refusals(estimator, columns, sample)
    if refused is not None:  # a numeric field is nullable when sklearn scores a missing value
        columns = [replace(c, nullable=c.kind == "string" or r.accepts_missing)
                   for c, r in zip(columns, refused)]
    if input_schema is not None:
        input_type, data = _from_schema(input_schema, columns)
    elif array_input:
        input_type = ARRAY_DOUBLE
        data = Vector("input", len(columns), [c.name for c in columns])
    else:
        input_type, data = _record_input(columns)
    if refused is not None:
        guard(b, _numeric_values(data, columns), refused)
    out = convert(estimator, b, data, type(estimator).__name__)
    if not isinstance(out, Output):
        out = _transformer_output(b, out)
    metadata = {
        "source.library": "scikit-learn",
        "source.version": sklearn.__version__,
        "source.estimator": _describe(estimator),
        "exporter": "pfa.exporters.sklearn",
        "features": json.dumps([c.name for c in columns]),
        "role": out.role,
    }
    if isinstance(data, Table):
        metadata["input.columns"] = json.dumps([c.source or c.name for c in columns])
    metadata.update(out.metadata)
    if timestamp:
        metadata["exported.at"] = _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    doc: dict[str, Any] = {
        "name": safe_name(name or type(estimator).__name__),
        "input": input_type,
        "output": out.avro_type,
        "action": [*b.steps, out.expr],
        "metadata": metadata,
    }
    if b.cells:
        doc["cells"] = b.cells
    if b.fcns:
        doc["fcns"] = b.fcns
    return doc


def _numeric_values(data: Table | Vector, columns: list[Column]) -> list[tuple[Column, Any]]:
    """Each input column with its value as a double expression (null as NaN)."""
    if isinstance(data, Vector):
        return [(c, element(data, i)) for i, c in enumerate(columns)]
    return [(c, column_value(col) if col.kind == "number" else None)
            for c, col in zip(columns, data.columns)]


def _record_input(columns: list[Column]) -> tuple[dict, Table]:
    fields = []
    cols = []
    for c in columns:
        base = "double" if c.kind == "number" else "string"
        fields.append({"name": c.name, "type": ["null", base] if c.nullable else base})
        cols.append(replace(c, expr={"attr": "input", "path": [{"string": c.name}]}))
    return {"type": "record", "name": "Input", "fields": fields}, Table(cols)


def _from_schema(schema: Any, columns: list[Column]) -> tuple[Any, Any]:
    if isinstance(schema, dict) and schema.get("type") == "array":
        return schema, Vector("input", len(columns), [c.name for c in columns])
    if not (isinstance(schema, dict) and schema.get("type") == "record"):
        raise ValueError("the input schema must be a record or an array of double")
    by_name = {f["name"]: f for f in schema.get("fields", [])}
    cols = []
    for c in columns:
        f = by_name.get(c.name)
        if f is None:
            raise ValueError(f"the input schema has no field {c.name!r}")
        ftype = f["type"]
        nullable = isinstance(ftype, list) and "null" in ftype
        base = [t for t in ftype if t != "null"][0] if isinstance(ftype, list) else ftype
        kind = "string" if base == "string" else "number"
        cols.append(replace(c, expr={"attr": "input", "path": [{"string": c.name}]},
                            kind=kind, nullable=nullable))
    return schema, Table(cols)


def _transformer_output(b: DocumentBuilder, data: Any) -> Output:
    from pfa.exporters.sklearn.data import as_vector

    vec = as_vector(b, data, "transformed")
    return Output(vec.expr, ARRAY_DOUBLE, "transformer",
                  {"output.size": str(vec.size)})


def _describe(est: Any, depth: int = 0) -> str:
    """A short structural description, e.g. ``Pipeline(StandardScaler, LogisticRegression)``."""
    steps = getattr(est, "steps", None)
    if steps is not None and depth < 4:
        return f"{type(est).__name__}(" + ", ".join(
            _describe(s, depth + 1) for _, s in steps) + ")"
    return type(est).__name__
