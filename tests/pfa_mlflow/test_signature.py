"""Signatures from Avro types: the type mapping, which columns are optional (only where the
document scores a missing value), refinement by an input example, output schemas."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from mlflow.types.schema import AnyType, Array, DataType, Map, Object, TensorSpec

from pfa.avro.types import parse_type
from pfa.engine.engine import Engine
from pfa.mlflow.signature import SignatureError, infer_signature, mlflow_type

TYPES = [
    ("boolean", True, DataType.boolean, DataType.boolean),
    ("int", True, DataType.long, DataType.integer),
    ("long", True, DataType.long, DataType.long),
    ("float", True, DataType.double, DataType.float),
    ("double", True, DataType.double, DataType.double),
    ("string", True, DataType.string, DataType.string),
    ("bytes", True, DataType.binary, DataType.binary),
    ({"type": "enum", "name": "E", "symbols": ["a", "b"]}, True, DataType.string,
     DataType.string),
    ({"type": "fixed", "name": "F", "size": 4}, True, DataType.binary, DataType.binary),
    (["null", "double"], True, DataType.double, DataType.double),
    ({"type": "array", "items": "double"}, True, Array(DataType.double), Array(DataType.double)),
    ({"type": "array", "items": "int"}, True, Array(DataType.long), Array(DataType.integer)),
    ({"type": "map", "values": "string"}, True, Map(DataType.string), Map(DataType.string)),
    (["int", "string"], True, AnyType(), AnyType()),
]


@pytest.mark.parametrize(("avro", "_", "as_input", "as_output"), TYPES,
                         ids=[str(t[0]) for t in TYPES])
def test_type_mapping(avro: Any, _: bool, as_input: Any, as_output: Any) -> None:
    t = parse_type(avro)
    assert mlflow_type(t, for_input=True) == as_input
    assert mlflow_type(t, for_input=False) == as_output


def test_nested_record_is_an_object_and_recursion_is_refused() -> None:
    rec = parse_type({"type": "record", "name": "R", "fields": [
        {"name": "x", "type": "double"}, {"name": "y", "type": ["null", "string"]}]})
    obj = mlflow_type(rec, for_input=False)
    assert isinstance(obj, Object)
    assert {p.name: (p.dtype, p.required) for p in obj.properties} == {
        "x": (DataType.double, True), "y": (DataType.string, False)}
    recursive = parse_type({"type": "record", "name": "L", "fields": [
        {"name": "next", "type": ["null", "L"]}]})
    with pytest.raises(SignatureError, match="recursive"):
        mlflow_type(recursive, for_input=True)


def _doc(fields: list[dict[str, Any]], action: Any, output: Any = "double") -> dict[str, Any]:
    return {"input": {"type": "record", "name": "In", "fields": fields}, "output": output,
            "action": action}


GUARDED = _doc(
    [{"name": "a", "type": "double"}, {"name": "b", "type": ["null", "double"]},
     {"name": "c", "type": ["null", "double"]}],
    [{"ifnotnull": {"c": "input.c"},
      "then": {"ifnotnull": {"b": "input.b"}, "then": {"+": ["b", {"+": ["c", "input.a"]}]},
               "else": "input.a"},
      "else": {"error": "c is required", "code": -101}}])
"""b is nullable and scored when null; c is nullable in its type but refused when null."""


def test_optional_only_where_a_missing_value_is_scored() -> None:
    sig = infer_signature(Engine.from_json(GUARDED))
    required = {c.name: c.required for c in sig.inputs.inputs}
    assert required == {"a": True, "b": False, "c": True}
    every = infer_signature(Engine.from_json(GUARDED), optional_columns=False)
    assert all(c.required for c in every.inputs.inputs)


def test_the_probe_uses_the_example_row() -> None:
    # a synthesized row (a = 0) is refused, so nothing could be told without the example
    doc = _doc([{"name": "a", "type": "double"}, {"name": "b", "type": ["null", "double"]}],
               {"if": {"==": ["input.a", 0]}, "then": {"error": "zero", "code": -1},
                "else": "input.a"})
    assert all(c.required for c in infer_signature(Engine.from_json(doc)).inputs.inputs)
    ex = pd.DataFrame({"a": [1.5], "b": [2.0]})
    sig = infer_signature(Engine.from_json(doc), ex)
    assert {c.name: c.required for c in sig.inputs.inputs} == {"a": True, "b": False}


def test_example_switches_number_columns_to_integer_types() -> None:
    doc = _doc([{"name": f, "type": "double"} for f in "abcd"] +
               [{"name": "s", "type": "string"}], "input.a")
    ex = pd.DataFrame({"a": np.array([1, 2], dtype="int64"), "b": np.array([1, 2], "int32"),
                       "c": [True, False], "d": [0.5, 1.0], "s": ["x", "y"]})
    sig = infer_signature(Engine.from_json(doc), ex)
    assert [c.type for c in sig.inputs.inputs] == [
        DataType.long, DataType.integer, DataType.boolean, DataType.double, DataType.string]
    assert [c.type for c in infer_signature(Engine.from_json(doc)).inputs.inputs] == [
        DataType.double] * 4 + [DataType.string]


def test_original_column_names_and_outputs(iris_classifier: dict[str, Any]) -> None:
    doc = _doc([{"name": "price____", "type": "double"}], {"new": {
        "label": 1, "probabilities": {"new": ["input.price____"], "type": {
            "type": "array", "items": "double"}}}, "type": "Out"},
        {"type": "record", "name": "Out", "fields": [
            {"name": "label", "type": "int"},
            {"name": "probabilities", "type": {"type": "array", "items": "double"}}]})
    doc["metadata"] = {"input.columns": '["price ($)"]'}
    sig = infer_signature(Engine.from_json(doc))
    assert sig.inputs.input_names() == ["price ($)"]
    assert [(c.name, c.type) for c in sig.outputs.inputs] == [
        ("label", DataType.integer), ("probabilities", Array(DataType.double))]


def test_array_inputs_by_feature_columns_or_tensor() -> None:
    doc = {"input": {"type": "array", "items": "double"}, "output": "double",
           "action": {"a.sum": ["input"]}}
    assert isinstance(infer_signature(Engine.from_json(doc)).inputs.inputs[0], TensorSpec)
    doc["metadata"] = {"features": '["x0", "x1"]'}
    sig = infer_signature(Engine.from_json(doc))
    assert sig.inputs.input_names() == ["x0", "x1"]
    assert {c.type for c in sig.inputs.inputs} == {DataType.double}


PRIMS = st.sampled_from(["boolean", "int", "long", "float", "double", "string"])
FIELD_TYPES = st.one_of(
    PRIMS, PRIMS.map(lambda p: ["null", p]),
    PRIMS.map(lambda p: {"type": "array", "items": p}),
    PRIMS.map(lambda p: {"type": "map", "values": p}))


@given(st.lists(FIELD_TYPES, min_size=1, max_size=6))
def test_generated_records_map_field_by_field(types: list[Any]) -> None:
    """An echo document of any record: one input column and one output column per field, of
    the mapped type, optional exactly for the nullable fields (the echo scores nulls)."""
    fields = [{"name": f"f{i}", "type": t} for i, t in enumerate(types)]
    doc = _doc(fields, {"new": {f["name"]: f"input.{f['name']}" for f in fields}, "type": "Out"},
               {"type": "record", "name": "Out", "fields": fields})
    engine = Engine.from_json(doc)
    sig = infer_signature(engine)
    for spec, out, f in zip(sig.inputs.inputs, sig.outputs.inputs, fields, strict=True):
        t = parse_type(f["type"])
        assert spec.name == out.name == f["name"]
        assert spec.type == mlflow_type(t, for_input=True)
        assert out.type == mlflow_type(t, for_input=False)
        assert spec.required == (not isinstance(f["type"], list))
