"""Constructs outside the compile subset are refused with the document path of the first one
and the reason; ``error`` compiles to the ``pfa.error`` output."""

from __future__ import annotations

import json

import numpy as np
import pytest

from pfa.onnx.compiler import ERROR_METADATA, ERROR_OUTPUT, OnnxRefusal, compile
from tests.to_onnx.helpers import run_onnx

REC = {"type": "record", "name": "In", "fields": [{"name": "x", "type": "double"}]}


def _doc(action: list, **extra: object) -> dict:
    return {"input": REC, "output": "double", "action": action, **extra}


CASES = {
    "while": (_doc([{"let": {"v": "input.x"}},
                    {"while": {"<": ["v", 10.0]}, "do": [{"set": {"v": {"+": ["v", 1.0]}}}]},
                    "v"]), "$.action[1]", "while"),
    "set": (_doc([{"let": {"v": "input.x"}}, {"set": {"v": 1.0}}, "v"]), "$.action[1]", "set"),
    "for": (_doc([{"for": {"i": 0}, "while": {"<": ["i", 3]}, "step": {"i": {"+": ["i", 1]}},
                   "do": ["i"]}, "input.x"]), "$.action[0]", "for"),
    "foreach": (_doc([{"foreach": "v", "in": {"new": ["input.x"], "type": {
        "type": "array", "items": "double"}}, "do": ["v"]}, "input.x"]), "$.action[0]",
        "foreach"),
    "cell-to": (_doc([{"cell": "c", "to": "input.x"}, "input.x"],
                     cells={"c": {"type": "double", "init": 0.0}}), "$.action[0]", "cell-to"),
    "pool-to": (_doc([{"pool": "p", "path": [{"string": "k"}], "to": "input.x", "init": 0.0},
                      "input.x"], pools={"p": {"type": "double", "init": {}}}), "$.action[0]",
                "pool-to"),
    "argminN": (_doc([{"attr": {"a.argminN": [{"new": ["input.x", 1.0], "type": {
        "type": "array", "items": "double"}}, 1]}, "path": [0]}, "input.x"]),
        '$.action[0].attr', "a.argminN"),
    "nearestK": (_doc([{"let": {"n": {"model.neighbor.nearestK": [1, {
        "new": ["input.x"], "type": {"type": "array", "items": "double"}}, {
        "cell": "pts"}]}}}, "input.x"],
        cells={"pts": {"type": {"type": "array", "items": {"type": "array", "items": "double"}},
                       "init": [[1.0], [2.0]]}}),
        '$.action[0].let.n', "model.neighbor.nearestK"),
    "dynamic length": ({"input": {"type": "array", "items": "double"}, "output": "double",
                        "action": [{"a.sum": ["input"]}]}, "$.input", "no static length"),
    "union": ({"input": {"type": "record", "name": "In", "fields": [
        {"name": "x", "type": ["null", "double", "string"]}]}, "output": "double",
        "action": [1.0]}, "$.input.fields[0]", "an input of type"),
    "emit": ({"input": "double", "output": "double", "method": "emit",
              "action": [{"emit": "input"}]}, "$.method", "emit document"),
    "begin": (_doc(["input.x"], begin=[{"log": [{"string": "x"}]}]), "$.begin", "begin routine"),
    "recursion": (_doc([{"u.f": ["input.x"]}], fcns={"f": {
        "params": [{"v": "double"}], "ret": "double", "do": [{"u.f": ["v"]}]}}),
        '$.fcns.f.do[0]', "recursive"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_refused_construct_names_its_path(name):
    doc, path, why = CASES[name]
    with pytest.raises(OnnxRefusal) as info:
        compile(doc)
    assert info.value.path.startswith(path), str(info.value)
    assert why in str(info.value)
    assert str(info.value).startswith(f"cannot compile to ONNX at {info.value.path}: ")


def test_error_rows_are_reported_in_the_error_output():
    doc = _doc([{"if": {"<": ["input.x", 0.0]},
                 "then": {"error": "negative input", "code": -7},
                 "else": {"m.sqrt": "input.x"}}])
    model = compile(doc)
    errors = json.loads({p.key: p.value for p in model.metadata_props}[ERROR_METADATA])
    assert errors == [{"message": "negative input", "code": -7, "path": "$.action[0].then"}]
    out = run_onnx(model, [{"x": 4.0}, {"x": -1.0}, {"x": 9.0}])
    assert out[ERROR_OUTPUT].ravel().tolist() == [0, 1, 0]
    assert out["output"].ravel()[[0, 2]].tolist() == [2.0, 3.0]


def test_first_error_of_a_row_wins():
    doc = _doc([{"if": {"<": ["input.x", 0.0]}, "then": {"error": "first"}},
                {"if": {"<": ["input.x", 1.0]}, "then": {"error": "second"}}, "input.x"])
    out = run_onnx(compile(doc), [{"x": -1.0}, {"x": 0.5}, {"x": 2.0}])
    assert out[ERROR_OUTPUT].ravel().tolist() == [1, 2, 0]


def test_inputs_and_outputs_follow_the_document():
    doc = {"input": {"type": "record", "name": "In", "fields": [
        {"name": "a", "type": "double"}, {"name": "n", "type": "int"},
        {"name": "s", "type": "string"}, {"name": "m", "type": ["null", "double"]},
        {"name": "v", "type": {"type": "array", "items": "double"}}]},
        "output": {"type": "record", "name": "Out", "fields": [
            {"name": "z", "type": "double"}, {"name": "k", "type": "long"},
            {"name": "t", "type": "string"}, {"name": "w", "type": "double"}]},
        "action": [{"new": {"z": {"+": ["input.a", {"a.sum": ["input.v"]}]},
                            "k": {"+": ["input.n", 1]}, "t": "input.s",
                            "w": {"impute.defaultOnNull": ["input.m", -1.0]}}, "type": "Out"}]}
    model = compile(doc, array_lengths={"v": 3})
    ins = {i.name: (i.type.tensor_type.elem_type,
                    [d.dim_value or d.dim_param for d in i.type.tensor_type.shape.dim])
           for i in model.graph.input}
    assert ins == {"a": (11, ["N", 1]), "n": (7, ["N", 1]), "s": (8, ["N", 1]),
                   "m": (11, ["N", 1]), "v": (11, ["N", 3])}
    assert [o.name for o in model.graph.output] == ["z", "k", "t", "w"]
    out = run_onnx(model, [{"a": 1.0, "n": 2, "s": "é", "m": None, "v": [1.0, 2.0, 3.0]}])
    assert out["z"].tolist() == [[7.0]] and out["k"].tolist() == [[3]]
    assert out["t"].tolist() == [["é"]] and out["w"].tolist() == [[-1.0]]
    assert out["z"].dtype == np.float64
