"""Helpers of the pfa.spark tests: documents over Spark-shaped types drawn by hypothesis,
their rows as Arrow batches (as Spark sends them) and outputs read back as engine values."""

from __future__ import annotations

import itertools
from typing import Any

import pyarrow as pa
from hypothesis import strategies as st

from pfa.avro.types import AvroType, parse_type
from pfa.io.schema import arrow_type, plain_column

_NAMES = itertools.count()  # record names unique across every drawn type
PRIMITIVES = ("double", "int", "long", "string", "boolean")


@st.composite
def spark_avro_types(draw: Any, depth: int = 2, names: Any = None) -> Any:
    """A JSON Avro type Spark can hold: double/int/long/string/boolean, arrays, maps, records
    and nullable unions, nested at most ``depth`` levels."""
    names = names if names is not None else _NAMES
    kinds = ["prim"] + (["array", "map", "record", "nullable"] if depth > 0 else [])
    kind = draw(st.sampled_from(kinds))
    if kind == "prim":
        return draw(st.sampled_from(PRIMITIVES))
    inner = spark_avro_types(depth - 1, names)
    if kind == "array":
        return {"type": "array", "items": draw(inner)}
    if kind == "map":
        return {"type": "map", "values": draw(inner)}
    if kind == "nullable":
        t = draw(inner)
        return t if isinstance(t, list) else ["null", t]
    n = draw(st.integers(1, 3))
    return {"type": "record", "name": f"R{next(names)}",
            "fields": [{"name": f"g{i}", "type": draw(inner)} for i in range(n)]}


def identity_document(field_types: list[Any]) -> dict[str, Any]:
    """A map document whose input record has fields f0… of ``field_types`` and whose output
    is the input (so every type crosses Spark → engine → Spark)."""
    fields = [{"name": f"f{i}", "type": t} for i, t in enumerate(field_types)]
    return {"input": {"type": "record", "name": "In", "fields": fields},
            "output": "In", "action": "input"}


def avro(t: Any) -> AvroType:
    return parse_type(t)


def to_arrow(values: list[Any], t: AvroType, spark_arrow: pa.DataType) -> pa.Array:
    """Engine values of ``t`` as an Arrow array of type ``spark_arrow`` (maps as pairs)."""
    return pa.array([_pairs(v, spark_arrow) for v in values], type=spark_arrow)


def _pairs(v: Any, t: pa.DataType) -> Any:
    if v is None:
        return None
    if pa.types.is_map(t):
        return [(k, _pairs(x, t.item_type)) for k, x in v.items()]
    if pa.types.is_list(t):
        return [_pairs(x, t.value_type) for x in v]
    if pa.types.is_struct(t):
        return {f.name: _pairs(v[f.name], f.type) for f in t}
    return v


def spark_arrow_type(t: AvroType, nullable: bool = False) -> pa.DataType:
    """The Arrow type Spark sends for a column of Avro type ``t`` (``nullable``: every
    nested field, list item and map value nullable, as a DataFrame read from files has
    them)."""
    from pyspark.sql.pandas.types import to_arrow_type

    from pfa.spark.types import spark_type

    found = to_arrow_type(spark_type(arrow_type(t)))
    return _all_nullable(found) if nullable else found


def _all_nullable(t: pa.DataType) -> pa.DataType:
    if pa.types.is_list(t):
        return pa.list_(pa.field(t.value_field.name, _all_nullable(t.value_type)))
    if pa.types.is_map(t):
        return pa.map_(t.key_type, pa.field("value", _all_nullable(t.item_type)))
    if pa.types.is_struct(t):
        return pa.struct([pa.field(f.name, _all_nullable(f.type)) for f in t])
    return t


def engine_values(table: pa.Table) -> list[dict[str, Any]]:
    """The rows of an output table as engine values (maps as dicts)."""
    cols = {name: plain_column(table.column(name), text_bytes=False)
            for name in table.column_names}
    return [{k: cols[k][i] for k in cols} for i in range(table.num_rows)]


# A document whose output record has a field of every kind (the schema mapping tests).
ALL_KINDS: dict[str, Any] = {"input": {"type": "record", "name": "In", "fields": [
    {"name": "v", "type": "double"}]}, "output": {
    "type": "record", "name": "Out", "fields": [
    {"name": "i", "type": "int"}, {"name": "l", "type": "long"},
    {"name": "f", "type": "float"}, {"name": "s", "type": "string"},
    {"name": "b", "type": "boolean"}, {"name": "y", "type": "bytes"},
    {"name": "e", "type": {"type": "enum", "name": "E", "symbols": ["a", "b"]}},
    {"name": "a", "type": {"type": "array", "items": ["null", "double"]}},
    {"name": "m", "type": {"type": "map", "values": {"type": "array", "items": "int"}}},
    {"name": "r", "type": {"type": "record", "name": "R", "fields": [
        {"name": "z", "type": ["null", "string"]}]}},
    {"name": "u", "type": ["int", "string"]}]},
    "action": {"new": {
        "i": 1, "l": 2, "f": {"float": 0.5}, "s": {"string": "x"}, "b": True,
        "y": {"base64": "aGk="}, "e": {"type": "E", "value": "b"},
        "a": {"new": [None, "input.v"], "type": {"type": "array", "items": ["null", "double"]}},
        "m": {"new": {"k": {"new": [1], "type": {"type": "array", "items": "int"}}},
              "type": {"type": "map", "values": {"type": "array", "items": "int"}}},
        "r": {"new": {"z": {"string": "q"}}, "type": "R"},
        "u": {"int": 7}}, "type": "Out"}}
ALL_KINDS_SCHEMA = (
    "struct<i:int,l:bigint,f:float,s:string,b:boolean,y:binary,e:string,a:array<double>,"
    "m:map<string,array<int>>,r:struct<z:string>,u:string>")


def all_kinds_row(v: float) -> dict[str, Any]:
    """The output row of :data:`ALL_KINDS` for input ``v``: the engine's output, with the
    union of two non-null types as Avro's JSON encoding (the one type Arrow cannot hold)."""
    from pfa.engine.engine import Engine

    return {**Engine.from_json(ALL_KINDS).action({"v": v}), "u": '{"int":7}'}
