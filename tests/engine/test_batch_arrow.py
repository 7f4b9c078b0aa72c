"""Arrow data through ``action_batch``: map columns arrive as dicts, and outputs are Arrow
arrays of the output type's Arrow type (README "Scoring files" rules), never a guess."""

from __future__ import annotations

import json

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pfa import Engine
from pfa.engine.inputs import arrow_text
from pfa.errors import PfaInputError

MAP_IN = {"input": {"type": "record", "name": "In", "fields": [
    {"name": "m", "type": {"type": "map", "values": "long"}}]},
    "output": {"type": "map", "values": "long"}, "action": "input.m"}
MAP_TYPE = pa.map_(pa.string(), pa.int64())


@pytest.mark.parametrize("wrap", ["dict", "table"])
def test_arrow_map_columns_are_maps(wrap):
    column = pa.array([[("k", 3)], [("a", 1), ("b", 2)], []], type=MAP_TYPE)
    data = {"m": column} if wrap == "dict" else pa.table({"m": column})
    engine = Engine.from_json(MAP_IN)
    got = engine.action_batch(data)
    rows = got.to_pylist(maps_as_pydicts="strict") if isinstance(got, pa.Array) else list(got)
    assert rows == [{"k": 3}, {"a": 1, "b": 2}, {}]
    assert rows == [engine.action({"m": r}) for r in rows]


def test_arrow_map_with_a_repeated_key_is_refused():
    column = pa.array([[("k", 3), ("k", 4)]], type=MAP_TYPE)
    with pytest.raises(PfaInputError, match="holds a key twice"):
        Engine.from_json(MAP_IN).action_batch({"m": column})


@pytest.mark.parametrize("output,action,arrow", [
    ({"type": "map", "values": "long"}, {"new": {"a": {"long": 1}}, "type": {"type": "map", "values": "long"}},
     pa.map_(pa.string(), pa.int64())),
    ("float", {"cast.float": "input"}, pa.float32()),
    (["null", "int"], {"if": {">": ["input", 0]}, "then": 1, "else": None}, pa.int32()),
    ({"type": "array", "items": "string"}, {"new": [{"string": "x"}], "type": {"type": "array",
                                                                    "items": "string"}},
     pa.list_(pa.string())),
])
def test_arrow_outputs_have_the_output_types_arrow_type(output, action, arrow):
    engine = Engine.from_json({"input": "double", "output": output, "action": action})
    got = engine.action_batch(pa.array([1.0, -1.0]))
    assert str(got.type).replace(" not null", "") == str(arrow)  # item nullability aside
    plain = got.to_pylist(maps_as_pydicts="strict")
    assert plain == [engine.action(x) for x in (1.0, -1.0)]


def test_union_of_several_types_comes_back_as_avro_json_text():
    engine = Engine.from_json({"input": "double", "output": ["double", "string"], "action": {
        "if": {">": ["input", 0]}, "then": "input", "else": {"string": "neg"}}})
    got = engine.action_batch(pa.array([1.5, -1.0]))
    assert got.type == pa.string()
    assert [json.loads(v) for v in got.to_pylist()] == [{"double": 1.5}, {"string": "neg"}]


@settings(max_examples=80, deadline=None)
@given(values=st.lists(st.none() | st.sampled_from(["a", "", "ü"]) | st.text(max_size=4),
                       max_size=40),
       split=st.integers(0, 40),
       kind=st.sampled_from([pa.string(), pa.large_string(), pa.string_view()]),
       dictionary=st.booleans())
def test_string_columns_reach_the_engine_unchanged(values, split, kind, dictionary):
    """Arrow string columns (few or many distinct values, chunked, dictionary-typed or not)
    give the engine the same str values and nulls as ``action`` on ``to_pylist()``."""
    arr = pa.chunked_array([pa.array(values[:split], kind), pa.array(values[split:], kind)])
    if dictionary and kind != pa.string_view():
        arr = arr.dictionary_encode()
    text = arrow_text(arr.combine_chunks())
    assert text.dtype == object and text.tolist() == values
    assert all(type(v) is str for v in text if v is not None)
    engine = Engine.from_json({"input": {"type": "record", "name": "R", "fields": [
        {"name": "s", "type": ["null", "string"]}]}, "output": "string",
        "action": {"cast.json": "input.s"}})
    got = engine.action_batch({"s": arr})
    assert list(got) == [engine.action({"s": v}) for v in values]
