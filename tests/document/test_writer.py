"""The writer's canonical form: explicit expressions, fixed member order, locators first."""

from __future__ import annotations

import json
import math

import yaml

from pfa.document import ast as A
from pfa.document.reader import read, read_expr
from pfa.document.writer import write, write_expr, write_json, write_yaml


def test_literal_forms():
    assert write_expr(A.LiteralInt(3)) == 3
    assert write_expr(A.LiteralLong(3)) == {"long": 3}
    assert write_expr(A.LiteralFloat(0.5)) == {"float": 0.5}
    assert write_expr(A.LiteralDouble(2.0)) == 2.0
    assert write_expr(A.LiteralDouble(math.nan)) == {"double": "NaN"}
    assert write_expr(A.LiteralDouble(-math.inf)) == {"double": "-Infinity"}
    assert write_expr(A.LiteralFloat(math.inf)) == {"float": "Infinity"}
    assert write_expr(A.LiteralString("s")) == {"string": "s"}
    assert write_expr(A.LiteralBase64(b"hello")) == {"base64": "aGVsbG8="}
    assert write_expr(A.LiteralNull()) is None
    assert write_expr(A.LiteralBoolean(False)) is False
    assert write_expr(A.Literal(A.TypeSpec("null"), None)) == {"type": "null", "value": None}


def test_shortcuts_become_explicit():
    assert write_expr(read_expr("x.4.key")) == {"attr": "x", "path": [4, {"string": "key"}]}
    assert write_expr(read_expr(["s"])) == {"string": "s"}
    assert write_expr(read_expr({"m.sqrt": "x"})) == {"m.sqrt": ["x"]}
    assert write_expr(read_expr({"do": "x"})) == {"do": ["x"]}
    assert write_expr(read_expr({"if": True, "then": 1})) == {"if": True, "then": [1]}
    assert write_expr(read_expr({"cell": "c", "path": []})) == {"cell": "c"}


def test_member_order_and_locators():
    e = read_expr({"else": 2, "then": 1, "if": True, "@": "here"})
    assert list(write_expr(e)) == ["@", "if", "then", "else"]
    d = read({"action": "input", "output": "int", "@": "top",
              "input": {"type": "array", "items": "int", "@": "t"}, "name": "n"})
    out = write(d)
    assert list(out) == ["@", "name", "method", "input", "output", "action"]
    assert list(out["input"]) == ["@", "type", "items"]


def test_optional_members_are_omitted_or_kept():
    d = read({"input": "null", "output": "null", "action": None, "zero": None,
              "cells": {"c": {"type": "null", "init": None}}})
    out = write(d)
    assert out["action"] == [None]
    assert "zero" in out and out["zero"] is None
    assert out["cells"] == {"c": {"type": "null", "init": None}}
    assert "begin" not in out and "merge" not in out and "pools" not in out


def test_json_text_is_deterministic_and_standard():
    d = read({"input": "double", "output": "double",
              "action": [{"+": ["input", {"double": "NaN"}]}, {"long": 5}]})
    text = write_json(d)
    assert text == write_json(read(text))
    assert "NaN" in text and json.loads(text)["action"][0]["+"][1] == {"double": "NaN"}
    assert write_json(d, indent=2).startswith('{\n  "method": "map"')


def test_yaml_output():
    d = read({"input": "double", "output": "double", "action": {"+": ["input", 1]}})
    assert yaml.safe_load(write_yaml(d)) == write(d)
