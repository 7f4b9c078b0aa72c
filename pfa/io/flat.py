"""Flat files (CSV) hold one scalar per cell. Writing: record (struct) columns become one
column per field, named ``parent.field`` (recursively); lists, maps and bytes become JSON
text (plain JSON: ``[0.25,0.75]``, ``{"a":1}``; NaN and infinities as ``NaN``/``Infinity``;
bytes in Avro's JSON encoding). Reading: a cell is parsed by the Avro type of the field it
feeds — numbers, booleans and strings by Arrow's CSV rules, arrays, maps and records as JSON
text — and a cell that does not parse refuses its row, naming the column."""

from __future__ import annotations

import json
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from pfa.avro.data import load_json_text
from pfa.avro.types import AvroType, AvroUnion
from pfa.errors import AvroDataError

from .schema import plain_column


def flatten(table: pa.Table) -> pa.Table:
    """``table`` with struct columns split into ``parent.field`` columns and every column
    that is not a number, string or boolean turned into JSON text."""
    while any(pa.types.is_struct(f.type) for f in table.schema):
        table = table.flatten()
    arrays, names = [], []
    for name, col in zip(table.column_names, table.columns):
        arrays.append(col if _is_scalar(col.type) else _json_text(col))
        names.append(name)
    return pa.Table.from_arrays(arrays, names=names)


def flat_schema(schema: pa.Schema) -> pa.Schema:
    """The schema :func:`flatten` gives for tables of ``schema``."""
    empty = pa.Table.from_batches([], schema=schema)
    return flatten(empty).schema


def _is_scalar(t: pa.DataType) -> bool:
    return (pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_boolean(t) or
            pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_null(t) or
            pa.types.is_temporal(t) or pa.types.is_decimal(t) or pa.types.is_dictionary(t))


def _json_text(col: pa.ChunkedArray | pa.Array) -> pa.Array:
    if isinstance(col, pa.ChunkedArray):
        col = col.combine_chunks()
    fast = _number_list_text(col)
    if fast is not None:
        return fast
    return pa.array([None if v is None else json.dumps(v, separators=(",", ":"))
                     for v in plain_column(col)], type=pa.string())


def _number_list_text(col: pa.Array) -> pa.Array | None:
    """The JSON text of a list-of-numbers column, built by Arrow compute (the same text as
    ``json.dumps``: shortest round-trip numbers, ``NaN``/``Infinity`` tokens); None for other
    columns or null items."""
    t = col.type
    if not (pa.types.is_list(t) or pa.types.is_large_list(t)) or not (
            pa.types.is_floating(t.value_type) or pa.types.is_integer(t.value_type)):
        return None
    items = col.values if col.offset == 0 else col.flatten()
    if items.null_count:
        return None
    if pa.types.is_floating(t.value_type):
        items = items.cast(pa.float64())
        text = pc.cast(items, pa.string())
        finite = pc.is_finite(items)
        # Arrow writes integral doubles without a point ("1"); the JSON of a Python float
        # has one ("1.0"), so a reader gets a float back
        integral = pc.and_(pc.and_(finite, pc.equal(pc.floor(items), items)),
                           pc.invert(pc.match_substring_regex(text, "[e.]")))
        text = pc.if_else(integral, pc.binary_join_element_wise(text, ".0", ""), text)
        text = pc.if_else(finite, text, pc.if_else(
            pc.is_nan(items), "NaN", pc.if_else(pc.greater(items, 0), "Infinity",
                                                "-Infinity")))
    else:
        text = pc.cast(items, pa.string())
    offsets = col.offsets if col.offset == 0 else pc.subtract(col.offsets,
                                                               col.offsets[0])
    lists = pa.ListArray.from_arrays(offsets, text, mask=col.is_null()
                                     if col.null_count else None)
    joined = pc.binary_join(lists, ",")
    return pc.binary_join_element_wise("[", joined, "]", "")


# ---------------------------------------------------------------------------------------------
# reading: text cells → typed columns
# ---------------------------------------------------------------------------------------------

_NUMBERS = {"int": pa.int64(), "long": pa.int64(), "float": pa.float64(),
            "double": pa.float64(), "boolean": pa.bool_()}


def cell_kind(t: AvroType) -> pa.DataType | str:
    """How a text cell for a field of type ``t`` is read: an Arrow type to cast to, or
    ``"text"`` (kept as a string) or ``"json"`` (parsed as JSON text)."""
    if isinstance(t, AvroUnion):
        rest = [b for b in t.types if b.name != "null"]
        if len(rest) == 1:
            return cell_kind(rest[0])
        if any(b.name in ("string", "enum") for b in rest):
            return "text"
        if rest and all(b.name in _NUMBERS and b.name != "boolean" for b in rest):
            return pa.float64() if any(b.name in ("float", "double") for b in rest) \
                else pa.int64()
        return "json"
    if t.name in _NUMBERS:
        return _NUMBERS[t.name]
    if t.name in ("string", "enum"):
        return "text"
    if t.name in ("bytes", "fixed"):
        return pa.binary()
    return "json"


def parse_cells(cells: pa.Array, t: AvroType) -> tuple[pa.Array, dict[int, str]]:
    """The text column ``cells`` read for a field of type ``t``: (typed column, row index →
    why its cell was refused). A refused cell is null in the column."""
    kind = cell_kind(t)
    if kind == "text":
        return cells, {}
    if kind == "json":
        return _parse_json(cells)
    try:
        return pc.cast(cells, kind), {}
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass
    values, bad = [], {}
    for i, text in enumerate(cells.to_pylist()):
        if text is None:
            values.append(None)
            continue
        try:
            values.append(pc.cast(pa.array([text]), kind)[0].as_py())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            bad[i] = f"cannot read {text!r} as {_kind_name(kind)}"
            values.append(None)
    return pa.array(values, type=kind), bad


def _kind_name(kind: pa.DataType) -> str:
    if pa.types.is_integer(kind):
        return "an integer"
    if pa.types.is_floating(kind):
        return "a number"
    if pa.types.is_boolean(kind):
        return "a boolean (true/false/1/0)"
    return str(kind)


def _parse_json(cells: pa.Array) -> tuple[list[Any], dict[int, str]]:
    values, bad = [], {}
    for i, text in enumerate(cells.to_pylist()):
        if text is None:
            values.append(None)
            continue
        try:
            values.append(load_json_text(text))
        except AvroDataError as err:
            bad[i] = f"cannot read the cell as JSON ({err.message})"
            values.append(None)
    return values, bad
