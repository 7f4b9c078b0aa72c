"""Types between a document and a data file: the Arrow type of each Avro type (the output
schema of Parquet, Arrow and Avro files), the Avro schema of an Arrow schema (Avro output),
the output columns of a document, and output values as Arrow arrays.

Rules (README "Scoring files"): ``int`` → int32, ``long`` → int64, ``float`` → float32,
``double`` → float64, ``string`` and ``enum`` → string, ``bytes`` and ``fixed`` → binary,
``array`` → list, ``map`` → map<string, …>, ``record`` → struct, ``["null", T]`` → T
(nullable). A type Arrow cannot hold faithfully — a union of two or more non-null types, or a
recursive record — becomes a string column holding the value in Avro's JSON encoding."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa

from pfa.avro.arrow import arrow_type
from pfa.avro.data import encode_json
from pfa.avro.types import (
    AvroRecord,
    AvroType,
)

OUTPUT_COLUMN = "output"
"""The column of a document whose output is not a record."""

@dataclass(frozen=True)
class OutputColumn:
    """One output column: its ``name``, the Avro type of its values and their Arrow type
    (None: JSON text in Avro's JSON encoding)."""

    name: str
    avro: AvroType
    arrow: pa.DataType | None

    @property
    def storage(self) -> pa.DataType:
        """The Arrow type of the column as stored."""
        return pa.string() if self.arrow is None else self.arrow


def output_columns(t: AvroType) -> list[OutputColumn]:
    """The columns of output type ``t``: a record's fields, else one column ``output``."""
    if isinstance(t, AvroRecord):
        return [OutputColumn(f.name, f.type, arrow_type(f.type)) for f in t.fields]
    return [OutputColumn(OUTPUT_COLUMN, t, arrow_type(t))]


def to_arrow(values: Any, col: OutputColumn) -> pa.Array:
    """One output column of ``Engine.action_batch`` (a numpy array, a masked array for
    failed rows, an object array or a list of engine values, None where a row failed) as an
    Arrow array of the column's storage type."""
    if col.arrow is None:
        return pa.array([None if v is None else json.dumps(encode_json(col.avro, v),
                                                           separators=(",", ":"))
                         for v in _items(values)], type=pa.string())
    if isinstance(values, np.ma.MaskedArray):
        return pa.array(np.ma.getdata(values), mask=np.ma.getmaskarray(values),
                        type=col.arrow)
    if isinstance(values, np.ndarray):  # an object array converts as its list, without it
        return pa.array(values, type=col.arrow)
    return pa.array(list(values), type=col.arrow)


def _items(values: Any) -> list[Any]:
    return values.tolist() if isinstance(values, np.ndarray) else list(values)


def output_arrays(values: Any, cols: list[OutputColumn], n: int) -> list[pa.Array]:
    """The output columns of one ``action_batch`` result over ``n`` rows (a dict of
    columns or a list of records for record outputs; one array or list otherwise)."""
    if len(cols) == 1 and cols[0].name == OUTPUT_COLUMN and \
            not isinstance(cols[0].avro, AvroRecord):
        return [to_arrow(values, cols[0])]
    if isinstance(values, dict):
        return [to_arrow(values[c.name], c) for c in cols]
    rows = list(values)
    return [to_arrow([None if r is None else r[c.name] for r in rows], c) for c in cols]


# ---------------------------------------------------------------------------------------------
# Arrow values and schemas → plain JSON and Avro
# ---------------------------------------------------------------------------------------------

def plain_value(v: Any, t: pa.DataType, text_bytes: bool = True) -> Any:
    """A value of ``Array.to_pylist()`` as plain JSON: maps as objects (Arrow gives lists of
    pairs), bytes as Avro's JSON encoding (one code point per byte) unless not
    ``text_bytes`` (then the value is the engine's value)."""
    if v is None:
        return None
    if pa.types.is_map(t):
        return {k: plain_value(x, t.item_type, text_bytes) for k, x in v}
    if pa.types.is_list(t) or pa.types.is_large_list(t) or pa.types.is_fixed_size_list(t):
        return [plain_value(x, t.value_type, text_bytes) for x in v]
    if pa.types.is_struct(t):
        return {f.name: plain_value(v[f.name], f.type, text_bytes) for f in t}
    if isinstance(v, bytes):
        return v.decode("latin-1") if text_bytes else v
    if pa.types.is_temporal(t) or pa.types.is_decimal(t):
        return str(v)
    return v


def needs_plain(t: pa.DataType) -> bool:
    """True when ``to_pylist`` values of ``t`` are not plain JSON as they are."""
    if pa.types.is_map(t) or pa.types.is_binary(t) or pa.types.is_fixed_size_binary(t) or \
            pa.types.is_large_binary(t) or pa.types.is_temporal(t) or pa.types.is_decimal(t):
        return True
    if pa.types.is_list(t) or pa.types.is_large_list(t) or pa.types.is_fixed_size_list(t):
        return needs_plain(t.value_type)
    if pa.types.is_struct(t):
        return any(needs_plain(f.type) for f in t)
    return False


def plain_column(arr: pa.Array | pa.ChunkedArray, text_bytes: bool = True) -> list[Any]:
    """The values of ``arr`` as plain JSON values (see :func:`plain_value`)."""
    values = arr.to_pylist()
    if needs_plain(arr.type):
        return [plain_value(v, arr.type, text_bytes) for v in values]
    return values


def avro_schema(schema: pa.Schema, name: str = "Row") -> dict[str, Any]:
    """The Avro record schema of Arrow ``schema``: every column nullable (failed rows hold
    null), types by the rules of this module read backwards (dictionary columns by their
    values, timestamps and other kinds Avro cannot hold as strings)."""
    names: set[str] = set()
    return {"type": "record", "name": name,
            "fields": [{"name": f.name, "type": ["null", _avro_of(f.type, f.name, names)],
                        "default": None} for f in schema]}


def _avro_of(t: pa.DataType, hint: str, names: set[str]) -> Any:
    if pa.types.is_boolean(t):
        return "boolean"
    if pa.types.is_integer(t):
        return "int" if t.bit_width <= 32 and (pa.types.is_signed_integer(t) or
                                                t.bit_width < 32) else "long"
    if pa.types.is_float32(t) or pa.types.is_float16(t):
        return "float"
    if pa.types.is_floating(t):
        return "double"
    if pa.types.is_fixed_size_binary(t):
        return {"type": "fixed", "name": _fresh(hint, names), "size": t.byte_width}
    if pa.types.is_binary(t) or pa.types.is_large_binary(t):
        return "bytes"
    if pa.types.is_dictionary(t):
        return _avro_of(t.value_type, hint, names)
    if pa.types.is_list(t) or pa.types.is_large_list(t) or pa.types.is_fixed_size_list(t):
        return {"type": "array", "items": _nullable(t.value_field, t.value_type, hint, names)}
    if pa.types.is_map(t):
        return {"type": "map", "values": _nullable(t.item_field, t.item_type, hint, names)}
    if pa.types.is_struct(t):
        return {"type": "record", "name": _fresh(hint, names),
                "fields": [{"name": f.name,
                            "type": _nullable(f, f.type, f"{hint}_{f.name}", names)}
                           for f in t]}
    if pa.types.is_null(t):
        return "null"
    return "string"


def _nullable(field: pa.Field, t: pa.DataType, hint: str, names: set[str]) -> Any:
    inner = _avro_of(t, hint, names)
    return ["null", inner] if field.nullable and inner != "null" else inner


def _fresh(hint: str, names: set[str]) -> str:
    base = "".join(c if c.isalnum() or c == "_" else "_" for c in hint) or "T"
    if not (base[0].isalpha() or base[0] == "_"):
        base = "_" + base
    name, i = base, 1
    while name in names:
        i += 1
        name = f"{base}_{i}"
    names.add(name)
    return name
