"""MLflow model signatures derived from a PFA document's Avro input and output types.

Rules (README "MLflow"):

- a record input gives one column per field, named by the original column name the exporter
  recorded (``metadata["input.columns"]``) or else the field name; an ``array<double>`` input
  with ``metadata["features"]`` gives one ``double`` column per feature (the engine reads a
  DataFrame of number columns as the array); any other input is one unnamed column;
- number columns take the widest MLflow type the engine accepts for the field: ``int`` and
  ``long`` → ``long``, ``float`` and ``double`` → ``double``; an input example switches a number
  field to the integer or boolean type of its column (MLflow refuses an ``int64`` column for a
  ``double`` column: the example says the data is integer);
- a column is optional (may be absent or null, MLflow's only notion of it) only where the model
  really scores a missing value: the field's type admits null *and* the engine scores a row
  with that field null (probed on the example's first row, or on a synthesized row). Every
  other column is required, so a missing column is an error naming it, never a null;
- outputs: a record gives one column per field (nested records → ``Object``, arrays →
  ``Array``, maps → ``Map``), Avro ``int`` → ``integer``, ``float`` → ``float``; anything else
  one unnamed column.
"""

from __future__ import annotations

import json
from typing import Any

from mlflow.models import ModelSignature
from mlflow.types.schema import (
    AnyType,
    Array,
    ColSpec,
    DataType,
    Map,
    Object,
    Property,
    Schema,
    TensorSpec,
)

from pfa.avro.types import (
    AvroArray,
    AvroEnum,
    AvroFixed,
    AvroMap,
    AvroRecord,
    AvroType,
    AvroUnion,
    without_null,
)
from pfa.engine.engine import Engine
from pfa.errors import PfaError

MLflowType = DataType | Array | Object | Map | AnyType

_OUTPUT_PRIMITIVES = {
    "boolean": DataType.boolean, "int": DataType.integer, "long": DataType.long,
    "float": DataType.float, "double": DataType.double, "string": DataType.string,
    "bytes": DataType.binary,
}
_INPUT_PRIMITIVES = {**_OUTPUT_PRIMITIVES, "int": DataType.long, "float": DataType.double}
"""Inputs are declared at the widest type the engine accepts (it range-checks ints and rounds
floats itself); outputs at the type the engine produces."""

_NUMBER_FIELDS = ("int", "long", "float", "double")


class SignatureError(ValueError):
    """The document's types cannot be written as an MLflow signature (the message says why)."""


def _nullable(t: AvroType) -> bool:
    return isinstance(t, AvroUnion) and any(b.name == "null" for b in t.types)


def mlflow_type(t: AvroType, *, for_input: bool, seen: frozenset[str] = frozenset()
                ) -> MLflowType:
    """The MLflow type of Avro type ``t`` (without its null branch)."""
    primitives = _INPUT_PRIMITIVES if for_input else _OUTPUT_PRIMITIVES
    t = without_null(t)
    if t.name in primitives:
        return primitives[t.name]
    if isinstance(t, AvroEnum):
        return DataType.string
    if isinstance(t, AvroFixed):
        return DataType.binary
    if isinstance(t, AvroArray):
        return Array(mlflow_type(t.items, for_input=for_input, seen=seen))
    if isinstance(t, AvroMap):
        return Map(mlflow_type(t.values, for_input=for_input, seen=seen))
    if isinstance(t, AvroRecord):
        if t.fullname in seen:
            raise SignatureError(f"record {t.fullname} is recursive; MLflow schemas are not")
        if not t.fields:
            raise SignatureError(f"record {t.fullname} has no fields; MLflow objects need one")
        inner = seen | {t.fullname}
        return Object([Property(f.name, mlflow_type(f.type, for_input=for_input, seen=inner),
                                required=not _nullable(f.type)) for f in t.fields])
    if isinstance(t, AvroUnion):
        return AnyType()
    raise SignatureError(f"Avro type {t} has no MLflow equivalent")


def input_columns(engine: Engine) -> list[str] | None:
    """The input column names a user's table holds (original names first), or None when the
    input is not a table of named columns."""
    t = engine.input_type
    meta = engine.document.metadata or {}
    if isinstance(t, AvroRecord):
        names = _json_list(meta.get("input.columns"))
        if names is not None and len(names) == len(t.fields):
            return [str(n) for n in names]
        return list(t.field_names)
    if isinstance(t, AvroArray) and t.items.name in _NUMBER_FIELDS:
        names = _json_list(meta.get("features"))
        if names:
            return [str(n) for n in names]
    return None


def _json_list(text: Any) -> list[Any] | None:
    if not isinstance(text, str):
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, list) else None


# -- the probe for "the model really accepts a missing value" --------------------------------

def _filler(t: AvroType, seen: frozenset[str] = frozenset()) -> Any:
    """An ordinary non-null value of ``t`` for a synthesized probe row."""
    t = without_null(t)
    if isinstance(t, AvroUnion):
        return _filler(t.types[0], seen)
    if isinstance(t, AvroRecord):
        if t.fullname in seen:
            raise SignatureError(f"record {t.fullname} is recursive")
        return {f.name: _filler(f.type, seen | {t.fullname}) for f in t.fields}
    if isinstance(t, AvroEnum):
        return t.symbols[0]
    if isinstance(t, AvroFixed):
        return bytes(t.size)
    return {"null": None, "boolean": False, "int": 0, "long": 0, "float": 0.0, "double": 0.0,
            "string": "", "bytes": b"", "array": [], "map": {}}[t.name]


def _scores(engine: Engine, row: dict[str, Any]) -> bool:
    try:
        engine.action(row)
    except PfaError:
        return False
    return True


def accepted_missing(engine: Engine, example_row: dict[str, Any] | None = None) -> set[str]:
    """The record fields whose null the document scores: nullable fields for which a fresh
    engine scores the base row (the example's first row, else a synthesized one) with that
    field set to null. Empty when the base row itself is refused (nothing can be told)."""
    t = engine.input_type
    if not isinstance(t, AvroRecord) or engine.method != "map":
        return set()
    probe = Engine.from_ast(engine.typed, options={"timeout": 2000})
    if example_row is not None:
        base = {f.name: example_row.get(f.name) for f in t.fields}
    else:
        try:
            base = {f.name: _filler(f.type) for f in t.fields}
        except SignatureError:
            return set()
    if not _scores(probe, base):
        return set()
    return {f.name for f in t.fields
            if _nullable(f.type) and _scores(probe, {**base, f.name: None})}


# -- signatures -------------------------------------------------------------------------------

def _example_frame(example: Any) -> Any:
    import pandas as pd

    if example is None:
        return None
    if isinstance(example, pd.DataFrame):
        return example
    if isinstance(example, dict):
        first = next(iter(example.values()), None)
        return pd.DataFrame(example if isinstance(first, (list, tuple)) else [example])
    if isinstance(example, list) and example and isinstance(example[0], dict):
        return pd.DataFrame(example)
    return None


def _example_type(column: Any) -> DataType | None:
    """The integer or boolean MLflow type of an example column, if it is one."""
    kind = getattr(column.dtype, "kind", None)
    if kind == "b":
        return DataType.boolean
    if kind in ("i", "u"):
        return DataType.integer if column.dtype.itemsize <= 4 else DataType.long
    return None


def _example_row(engine: Engine, frame: Any, columns: list[str]) -> dict[str, Any] | None:
    """The example's first row keyed by field name (the engine's input contract coerces)."""
    if frame is None or len(frame) == 0:
        return None
    t = engine.input_type
    row = frame.iloc[0]
    return {f.name: (row[c] if c in frame.columns else None)
            for f, c in zip(t.fields, columns, strict=True)}


def input_schema(engine: Engine, input_example: Any = None, *, optional_columns: bool = True
                 ) -> Schema:
    """The MLflow input schema of ``engine``'s document (rules in the module docstring).
    ``optional_columns=False`` makes every column required (``spark_udf(...)()`` without column
    names refuses a signature with optional columns)."""
    t = engine.input_type
    columns = input_columns(engine)
    frame = _example_frame(input_example)
    if isinstance(t, AvroRecord):
        assert columns is not None
        present = frame is not None
        example_types = {c: _example_type(frame[c]) for c in columns
                         if present and c in frame.columns}
        accepts_null = (accepted_missing(engine, _example_row(engine, frame, columns))
                        if optional_columns else set())
        specs = []
        for field, column in zip(t.fields, columns, strict=True):
            kind = without_null(field.type).name
            spec_type = mlflow_type(field.type, for_input=True)
            if kind in _NUMBER_FIELDS and example_types.get(column) is not None:
                spec_type = example_types[column]
            specs.append(ColSpec(spec_type, column, required=field.name not in accepts_null))
        return Schema(specs)
    if columns is not None:  # array<number> read from named columns
        return Schema([ColSpec(DataType.double, c) for c in columns])
    if isinstance(t, AvroArray) and t.items.name in _NUMBER_FIELDS:
        import numpy as np

        return Schema([TensorSpec(np.dtype("float64"), (-1, -1))])
    return Schema([ColSpec(mlflow_type(t, for_input=True))])


def output_schema(engine: Engine) -> Schema:
    """The MLflow output schema: one column per field of a record output, else one column."""
    t = without_null(engine.output_type)
    if isinstance(t, AvroRecord):
        return Schema([ColSpec(mlflow_type(f.type, for_input=False), f.name,
                               required=not _nullable(f.type)) for f in t.fields])
    return Schema([ColSpec(mlflow_type(engine.output_type, for_input=False))])


def infer_signature(engine: Engine, input_example: Any = None, *,
                    optional_columns: bool = True) -> ModelSignature:
    """The model signature of a PFA engine's document (input and output schemas)."""
    return ModelSignature(inputs=input_schema(engine, input_example,
                                              optional_columns=optional_columns),
                          outputs=output_schema(engine))
