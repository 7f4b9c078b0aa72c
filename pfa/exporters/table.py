"""The input side of an exported document, shared by every front end.

What flows between converters: a :class:`Table` of named input columns, or a numeric
:class:`~pfa.exporters.builder.Vector`. A front end describes the model's input as a list of
:class:`Column` (from a data sample with :func:`columns_from_sample`, or from what the fitted
model knows); this module turns them into the document's input type (:func:`record_input`,
:func:`schema_input`, :func:`array_input`) and metadata (:func:`input_metadata`). Column
names that are not PFA identifiers become field names (:func:`field_names`), and the original
names are kept in ``metadata["input.columns"]``.

Most converters work on a dense numeric vector; :func:`as_vector` turns a table into one,
where a missing number is NaN.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import Any

from pfa.document.profile import build_profile, profile_metadata
from pfa.exporters.builder import ARRAY_DOUBLE, DocumentBuilder, Vector, safe_name

#: the column kinds: a "number" column is a ``double`` field, a "string" one a ``string``
KINDS = ("number", "string")


@dataclass(frozen=True)
class Column:
    """One input column: a PFA expression, ``kind`` "number" or "string", whether the
    expression may be null, ``source``, the user's original column name (if known), and
    ``null_is_none``: a null string stands for Python's None (an object column), not NaN
    (pandas' ``str`` and ``category`` dtypes) — sklearn's imputers and encoders tell them
    apart."""

    name: str
    expr: object
    kind: str = "number"
    nullable: bool = False
    source: str | None = None
    null_is_none: bool = False


@dataclass
class Table:
    columns: list[Column]

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    def select(self, indexes: list[int]) -> Table:
        return Table([self.columns[i] for i in indexes])


Data = Table | Vector


# -- column names and kinds ------------------------------------------------------------------

def field_names(raw: list[str]) -> list[str]:
    """PFA field names for the original column names ``raw``: a name that already is a PFA
    identifier is kept; any other becomes one (characters outside ``[A-Za-z0-9_]`` replaced),
    with a numeric suffix when that would repeat a name or equal another column's original
    name (so ``a b`` next to ``a_b`` becomes ``a_b_1``, and ``a_b`` stays ``a_b``)."""
    originals = set(raw)
    out: list[str | None] = [r if safe_name(r, "x") == r else None for r in raw]
    taken = {n for n in out if n is not None}
    for i, r in enumerate(raw):
        if out[i] is not None:
            continue
        base = name = safe_name(r, "x")
        k = 1
        while name in taken or name in originals:
            name = f"{base}_{k}"
            k += 1
        out[i] = name
        taken.add(name)
    return [str(n) for n in out]


def kind_of(series: Any) -> str:
    """The column kind of a pandas Series: booleans and numbers (also as categories) are
    "number", anything else "string"."""
    import pandas as pd

    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_numeric_dtype(dtype):
        return "number"
    if isinstance(dtype, pd.CategoricalDtype):
        return "number" if pd.api.types.is_numeric_dtype(dtype.categories.dtype) else "string"
    return "string"


def holds_none(series: Any) -> bool:
    """Whether an object column marks its missing values with None: it holds no NaN (a
    missing value put in an object column stays None; pandas' ``str`` and ``category``
    columns hold NaN)."""
    if series.dtype != object:
        return False
    return not any(isinstance(v, float) and v != v for v in series)


def columns_from_sample(sources: list[str], series: list[Any]) -> list[Column]:
    """Columns read from a data sample: one pandas Series per original column name. A
    string column is nullable (a first guess a front end may refine for numbers)."""
    names = field_names(sources)
    return [Column(name, None, kind_of(s), kind_of(s) == "string", source=src,
                   null_is_none=holds_none(s))
            for name, src, s in zip(names, sources, series)]


# -- the document's input --------------------------------------------------------------------

def _field(name: str) -> dict:
    return {"attr": "input", "path": [{"string": name}]}


def record_input(columns: list[Column]) -> tuple[dict, Table]:
    """The input type (a record ``Input`` with one field per column) and the table reading
    it."""
    fields = []
    cols = []
    for c in columns:
        base = "double" if c.kind == "number" else "string"
        fields.append({"name": c.name, "type": ["null", base] if c.nullable else base})
        cols.append(replace(c, expr=_field(c.name)))
    return {"type": "record", "name": "Input", "fields": fields}, Table(cols)


def array_input(columns: list[Column]) -> tuple[dict, Vector]:
    """The input type ``array<double>`` (one element per column) and the vector reading it."""
    return ARRAY_DOUBLE, Vector("input", len(columns), [c.name for c in columns])


def schema_input(schema: Any, columns: list[Column]) -> tuple[Any, Data]:
    """A user-given input type: an array (read as a vector) or a record with a field for
    each column (its kind and nullability taken from the field's type)."""
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
        cols.append(replace(c, expr=_field(c.name), kind=kind, nullable=nullable))
    return schema, Table(cols)


def input_metadata(columns: list[Column], data: Data, sample: Any = None) -> dict[str, str]:
    """``features`` (the field names) and, for a record input, ``input.columns`` (the
    original column names, one per field), as JSON text; with a data ``sample``, its
    ``training.profile`` (per-field statistics, :mod:`pfa.document.profile`), which
    ``pfa serve`` compares served inputs with."""
    meta = {"features": json.dumps([c.name for c in columns])}
    if isinstance(data, Table):
        meta["input.columns"] = json.dumps([c.source or c.name for c in columns])
    values = None if sample is None else sample_columns(columns, sample)
    if values is not None:
        meta.update(profile_metadata(build_profile(values)))
    return meta


def sample_columns(columns: list[Column], sample: Any) -> dict[str, Any] | None:
    """Field name → the sample's values of that column: a DataFrame's column by its original
    name, a 2-d array's by position; None for a sample without one column per field."""
    if hasattr(sample, "columns"):
        names = [c.source if c.source in sample.columns else c.name for c in columns]
        if not all(n in sample.columns for n in names):
            return None
        return {c.name: sample[n] for c, n in zip(columns, names)}
    import numpy as np

    arr = np.asarray(sample, dtype=object)
    if arr.ndim != 2 or arr.shape[1] != len(columns):
        return None
    return {c.name: arr[:, i] for i, c in enumerate(columns)}


# -- converting between tables and vectors ---------------------------------------------------

def column_value(col: Column) -> object:
    """A numeric column as a double expression (null becomes NaN, sklearn's missing value)."""
    if col.nullable:
        return {"impute.defaultOnNull": [col.expr, {"double": "NaN"}]}
    return col.expr


def as_vector(b: DocumentBuilder, data: Data, what: str = "features") -> Vector:
    """The data as an ``array<double>`` vector bound to a symbol."""
    if isinstance(data, Vector):
        return data
    strings = [c.name for c in data.columns if c.kind != "number"]
    if strings:
        raise ValueError(f"string columns {strings} reach a step that needs numbers")
    expr = {"new": [column_value(c) for c in data.columns], "type": ARRAY_DOUBLE}
    return Vector(bind_array(b, what, expr), len(data.columns), data.names)


def bind_array(b: DocumentBuilder, what: str, expr: dict) -> str:
    """Bind an array expression to a symbol, reusing the symbol of an identical array built
    earlier in the action (e.g. the input check's array of the same columns)."""
    key = "array:" + json.dumps(expr, sort_keys=True)
    if key not in b.memo:
        b.memo[key] = b.let(what, expr)
    return b.memo[key]


def as_table(data: Data) -> Table:
    """The data as columns (a vector's elements become numeric columns)."""
    if isinstance(data, Table):
        return data
    names = data.names or [f"x{i}" for i in range(data.size)]
    return Table([Column(names[i], {"attr": data.expr, "path": [i]}) for i in range(data.size)])


def element(v: Vector, i: int) -> dict:
    return {"attr": v.expr, "path": [i]}
