"""Export fitted scikit-learn estimators and pipelines to PFA documents.

``export(estimator)`` returns the document as a JSON-ready dict. The input type is inferred
from the fitted model (``feature_names_in_`` and the encoders' categories, or ``x0..xN``); pass
``sample`` (a DataFrame like the training data) to infer column kinds and missing values from
data, or ``input_schema`` to set the input type yourself.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from pfa.exporters import table
from pfa.exporters.builder import ARRAY_DOUBLE, DocumentBuilder, Output, Vector, export_metadata
from pfa.exporters.sklearn.core import UNGUARDED_STEP, convert
from pfa.exporters.sklearn.guards import guard
from pfa.exporters.sklearn.inputs import infer_columns
from pfa.exporters.sklearn.probe import refusals
from pfa.exporters.table import Column, Table, as_vector, column_value, element

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
        input_type, data = table.schema_input(input_schema, columns)
    elif array_input:
        input_type, data = table.array_input(columns)
    else:
        input_type, data = table.record_input(columns)
    if refused is not None:
        guard(b, _numeric_values(data, columns), refused)
    out = convert(estimator, b, data, type(estimator).__name__)
    if refused is not None and b.memo.get(UNGUARDED_STEP):
        # a step reads the input unguarded: large values whose bound is not the float32
        # overflow are bisected and refused here (a step may raise first: refused either way)
        guard(b, _numeric_values(data, columns), [r.settled() for r in refused])
    if not isinstance(out, Output):
        out = _transformer_output(b, out)
    metadata = export_metadata(
        library="scikit-learn", version=sklearn.__version__, estimator=_describe(estimator),
        exporter="pfa.exporters.sklearn", inputs=table.input_metadata(columns, data, sample),
        output=out, timestamp=timestamp)
    return b.document(name or type(estimator).__name__, input_type, out, metadata)


def _numeric_values(data: Table | Vector, columns: list[Column]) -> list[tuple[Column, Any]]:
    """Each input column with its value as a double expression (null as NaN)."""
    if isinstance(data, Vector):
        return [(c, element(data, i)) for i, c in enumerate(columns)]
    return [(c, column_value(col) if col.kind == "number" else None)
            for c, col in zip(columns, data.columns)]


def _transformer_output(b: DocumentBuilder, data: Any) -> Output:
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
