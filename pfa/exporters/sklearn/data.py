"""What flows between converters: a table of named input columns, or a numeric vector.

The raw input of a pipeline is a :class:`Table` (one expression per column, each with a kind
and whether it may be null). Most sklearn transformers work on a dense numeric matrix; for
them the table is turned into a :class:`~pfa.exporters.builder.Vector` (``array<double>``),
where a missing number is NaN, exactly as sklearn represents it.
"""

from __future__ import annotations

from dataclasses import dataclass

from pfa.exporters.builder import ARRAY_DOUBLE, DocumentBuilder, Vector


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
    import json

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
