"""The data flow of a Spark pipeline while its stages are converted.

Spark stages read and write named DataFrame columns. A :class:`Flow` knows, for every column
a stage has written so far, its PFA expression (a symbol bound by a ``let``, so each column is
computed once), its Avro type and what Spark's column metadata would say (vector size, nominal
labels, categorical feature arities). A column no stage wrote is an input of the document: its
type comes from the user's input schema or from what the first stage reading it needs, so the
input record is inferred from the pipeline. The columns no later stage reads are the
document's outputs, named like Spark's columns.

Rows Spark's ``transform`` fails on (``handleInvalid="error"``) raise a PFA error with code
:data:`INVALID_CODE`; rows it drops (``handleInvalid="skip"``) raise one with code
:data:`SKIPPED_CODE`, so a caller tells them apart (``action_batch(..., on_error="null")``
reports both per row).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import Any, NoReturn

from pfa.errors import UnsupportedModelError
from pfa.exporters.builder import ARRAY_DOUBLE, DocumentBuilder, safe_name
from pfa.exporters.spark.saved import SavedStage
from pfa.exporters.table import field_names

#: user error code of a row Spark's transform fails on (``handleInvalid="error"``)
INVALID_CODE = -200
#: user error code of a row Spark's transform drops (``handleInvalid="skip"``)
SKIPPED_CODE = -201

DOUBLE = "double"
STRING = "string"
VECTOR: dict[str, Any] = ARRAY_DOUBLE
STRINGS: dict[str, Any] = {"type": "array", "items": "string"}


@dataclass(frozen=True)
class Column:
    """A DataFrame column as the document computes it.

    ``expr``: PFA expression; ``type``: its Avro type (``["null", T]`` when it may be null);
    ``size``: a vector's length when known; ``labels``: nominal values (e.g. StringIndexer's
    output, read by IndexToString); ``categorical``: feature index → number of values (for
    trees' categorical splits); ``binary``: the vector holds 0/1 only.
    """

    expr: Any
    type: Any
    size: int | None = None
    labels: list[str] | None = None
    categorical: dict[int, int] | None = None

    @property
    def nullable(self) -> bool:
        return isinstance(self.type, list) and "null" in self.type

    @property
    def base(self) -> Any:
        """The type without ``null``."""
        if isinstance(self.type, list):
            rest = [t for t in self.type if t != "null"]
            return rest[0] if len(rest) == 1 else rest
        return self.type


def type_key(t: Any) -> str:
    return json.dumps(t, sort_keys=True)


@dataclass
class InputField:
    column: str  # Spark's column name
    field: str  # the input record's field name
    type: Any


class Flow:
    """The columns of the pipeline's DataFrame, as converters read and write them."""

    def __init__(self, builder: DocumentBuilder, input_schema: Any = None):
        self.builder = builder
        self.columns: dict[str, Column] = {}
        self.inputs: list[InputField] = []
        self.produced: list[str] = []
        self.consumed: set[str] = set()
        self.schema = _schema_fields(input_schema)
        self.stage: SavedStage | None = None  # the stage being converted

    # -- reading and writing columns -------------------------------------------------------
    def column(self, name: str, want: Any = None) -> Column:
        """The column ``name``: one a stage wrote, or an input field. ``want`` is the type (or
        a tuple of types, preferred first) the reading stage accepts; an input column gets the
        input schema's type or the preferred one, and a column of another type is refused."""
        self.consumed.add(name)
        wants = want if isinstance(want, tuple) else ((want,) if want is not None else ())
        col = self.columns.get(name)
        if col is None:
            col = self._input(name, wants)
        if wants and type_key(col.base) not in {type_key(w) for w in wants}:
            self.refuse(f"column {name!r} is {_describe(col.base)}, this stage reads "
                        + " or ".join(_describe(w) for w in wants))
        return col

    def _input(self, name: str, wants: tuple[Any, ...]) -> Column:
        if self.schema is not None:
            if name not in self.schema:
                self.refuse(f"the input schema has no field for column {name!r}")
            avro = self.schema[name][1]
            field = self.schema[name][0]
        else:
            if not wants:
                self.refuse(f"cannot infer the type of input column {name!r}; "
                            "give an input schema")
            avro = wants[0]
            field = None
        taken = [f.column for f in self.inputs]
        if field is None:
            field = field_names([*taken, name])[-1]
        self.inputs.append(InputField(name, field, avro))
        col = Column({"attr": "input", "path": [{"string": field}]}, avro)
        self.columns[name] = col
        return col

    def set_column(self, name: str, col: Column) -> Column:
        """Record the stage's output column ``name`` (its value bound once by a ``let``)."""
        if name in self.columns:
            self.refuse(f"output column {name!r} already exists")
        symbol = self.builder.let(safe_name(f"col_{name}"), col.expr)
        bound = replace(col, expr=symbol)
        self.columns[name] = bound
        self.produced.append(name)
        return bound

    def outputs(self) -> list[str]:
        """The written columns no later stage reads: the document's output fields."""
        return [n for n in self.produced if n not in self.consumed]

    # -- refusals and errors ---------------------------------------------------------------
    def refuse(self, reason: str, stage: SavedStage | None = None) -> NoReturn:
        """Raise the exporter's refusal naming the stage's place in the pipeline."""
        stage = stage or self.stage
        place = stage.place if stage is not None else "(pipeline)"
        raise UnsupportedModelError(f"cannot export {place}: {reason}",
                                    estimator=stage.name if stage else None, place=place)

    @staticmethod
    def error(code: int, message: str) -> dict[str, Any]:
        """A PFA error expression with a user error code."""
        return {"error": message, "code": code}

    def invalid(self, message: str, mode: str) -> dict[str, Any]:
        """The error for an invalid value under ``handleInvalid=mode`` ("error" or "skip")."""
        place = self.stage.place if self.stage is not None else "pipeline"
        if mode == "skip":
            return self.error(SKIPPED_CODE, f"{place}: {message}; Spark skips this row")
        return self.error(INVALID_CODE, f"{place}: {message}")

    def handle_invalid(self, allowed: tuple[str, ...] = ("error", "skip", "keep")) -> str:
        """The stage's ``handleInvalid``, refused when not one of ``allowed``."""
        assert self.stage is not None
        mode = self.stage.param("handleInvalid", "error")
        if mode not in allowed:
            self.refuse(f"handleInvalid={mode!r} is not supported (supported: "
                        + ", ".join(allowed) + ")")
        return mode

    def non_null(self, col: Column, name: str) -> Any:
        """The column's value, raising the invalid-value error on null (Spark fails there)."""
        if not col.nullable:
            return col.expr
        return {"ifnotnull": {"v": col.expr}, "then": "v",
                "else": self.invalid(f"null value in column {name!r}", "error")}


def _schema_fields(schema: Any) -> dict[str, tuple[str, Any]] | None:
    """Spark column name → (field name, Avro type) of a user-given input record schema; a
    field's ``spark.column`` property (or its name) names the column."""
    if schema is None:
        return None
    if not (isinstance(schema, dict) and schema.get("type") == "record"):
        raise ValueError("the input schema of a Spark pipeline must be an Avro record")
    out = {}
    for f in schema.get("fields", []):
        out[f.get("spark.column", f["name"])] = (f["name"], f["type"])
    return out


def _describe(t: Any) -> str:
    if t == VECTOR:
        return "a vector"
    if t == STRINGS:
        return "an array of strings"
    return f"a {t}" if isinstance(t, str) else json.dumps(t)
