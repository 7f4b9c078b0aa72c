"""The JSON text of CSV cells: the Arrow-compute path for lists of numbers gives the values
``json.dumps`` gives (property test), and text cells parse by the field's type."""

from __future__ import annotations

import json
import math

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from pfa.avro.data import load_json_text
from pfa.avro.types import parse_type
from pfa.io.flat import _number_list_text, flatten, parse_cells


def _same(a, b):
    if a is None or b is None:
        return a is b
    return len(a) == len(b) and all(
        type(x) is type(y) and (x == y and math.copysign(1, x) == math.copysign(1, y)
                                if isinstance(x, float) and not math.isnan(x)
                                else (math.isnan(y) if isinstance(x, float) else x == y))
        for x, y in zip(a, b))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.none() | st.lists(st.floats(width=64)), max_size=8), st.integers(0, 3))
def test_number_lists_as_json_text(rows, start):
    col = pa.array(rows, type=pa.list_(pa.float64())).slice(min(start, len(rows)))
    text = _number_list_text(col)
    assert text is not None
    for got, want, cell in zip(text.to_pylist(), col.to_pylist(), flatten(
            pa.table({"p": col})).column("p").to_pylist()):
        assert got == cell
        assert _same(None if got is None else load_json_text(got), want), (got, want)
        if want is not None:
            assert _same(json.loads(json.dumps(want)), load_json_text(got))


@given(st.lists(st.lists(st.integers(-2**31, 2**31 - 1)), max_size=6))
def test_int_lists_as_json_text(rows):
    text = _number_list_text(pa.array(rows, type=pa.list_(pa.int32())))
    assert [json.loads(t) for t in text.to_pylist()] == rows


def test_flatten_records_and_maps():
    t = pa.table({"r": pa.array([{"a": 1.5, "b": {"c": "x"}}, None]),
                  "m": pa.array([[("k", 1)], None], type=pa.map_(pa.string(), pa.int64())),
                  "b": pa.array([b"\x00\xff", None])})
    flat = flatten(t)
    assert flat.column_names == ["r.a", "r.b.c", "m", "b"]
    assert flat.to_pylist() == [{"r.a": 1.5, "r.b.c": "x", "m": '{"k":1}', "b": '"\\u0000\\u00ff"'},
                                {"r.a": None, "r.b.c": None, "m": None, "b": None}]


def test_cells_parse_by_type():
    cells = pa.array(["1.5", "x", None, "2"])
    col, bad = parse_cells(cells, parse_type(["null", "double"]))
    assert col.to_pylist() == [1.5, None, None, 2.0] and list(bad) == [1]
    col, bad = parse_cells(pa.array(["[1, 2]", "[", None]),
                           parse_type({"type": "array", "items": "double"}))
    assert col == [[1, 2], None, None] and list(bad) == [1]
    col, bad = parse_cells(pa.array(["true", "0", "maybe"]), parse_type("boolean"))
    assert col.to_pylist() == [True, False, None] and list(bad) == [2]
