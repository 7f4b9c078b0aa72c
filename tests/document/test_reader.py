"""Unit tests of the reader: one test (or parametrized case) per form, plus input sources."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from pfa.document import ast as A
from pfa.document.reader import join_path, read, read_argument, read_expr, read_yaml

MINIMAL = {"input": "double", "output": "double", "action": "input"}


def doc_with(**fields):
    return {**MINIMAL, **fields}


# --- symbols and literals ---------------------------------------------------------------------

@pytest.mark.parametrize("json_value, expected", [
    ("x", A.Ref("x")),
    ("_x9", A.Ref("_x9")),
    (None, A.LiteralNull()),
    (True, A.LiteralBoolean(True)),
    (False, A.LiteralBoolean(False)),
    (0, A.LiteralInt(0)),
    (2**31 - 1, A.LiteralInt(2**31 - 1)),
    (-(2**31), A.LiteralInt(-(2**31))),
    (2**31, A.LiteralLong(2**31)),
    (-(2**63), A.LiteralLong(-(2**63))),
    (2.5, A.LiteralDouble(2.5)),
    (1.0, A.LiteralDouble(1.0)),
    ({"int": 7}, A.LiteralInt(7)),
    ({"long": 7}, A.LiteralLong(7)),
    ({"float": 0.5}, A.LiteralFloat(0.5)),
    ({"float": 3}, A.LiteralFloat(3.0)),
    ({"double": 3}, A.LiteralDouble(3.0)),
    ({"double": "Infinity"}, A.LiteralDouble(math.inf)),
    ({"double": "-Infinity"}, A.LiteralDouble(-math.inf)),
    ({"float": "-Infinity"}, A.LiteralFloat(-math.inf)),
    ({"string": "hello"}, A.LiteralString("hello")),
    (["hello"], A.LiteralString("hello")),
    ({"base64": "aGVsbG8="}, A.LiteralBase64(b"hello")),
    ({"base64": ""}, A.LiteralBase64(b"")),
    ({"type": "int", "value": 3}, A.Literal(A.TypeSpec("int"), 3)),
    ({"type": {"type": "array", "items": "int"}, "value": [1, 2]},
     A.Literal(A.TypeSpec({"type": "array", "items": "int"}), [1, 2])),
])
def test_literals_and_symbols(json_value, expected):
    assert read_expr(json_value) == expected


def test_float_literal_is_rounded_to_float32():
    e = read_expr({"float": 0.1})
    assert isinstance(e, A.LiteralFloat) and e.value != 0.1 and abs(e.value - 0.1) < 1e-8


def test_nan_literals():
    for v in ({"double": "NaN"}, float("nan")):
        e = read_expr(v)
        assert isinstance(e, A.LiteralDouble) and math.isnan(e.value)
    assert math.isnan(read_expr({"float": "NaN"}).value)


def test_attr_shortcut():
    e = read_expr("x.4.key.field", "$.action[0]")
    assert e == A.AttrGet(A.Ref("x"), [A.LiteralInt(4), A.LiteralString("key"),
                                       A.LiteralString("field")])
    assert e.path == "$.action[0]" and e.expr.path == "$.action[0]"
    assert read_expr("a.-1").indexes == [A.LiteralInt(-1)]


# --- calls and functions ----------------------------------------------------------------------

def test_function_calls():
    assert read_expr({"+": ["x", 1]}) == A.Call("+", [A.Ref("x"), A.LiteralInt(1)])
    assert read_expr({"m.sqrt": "x"}) == A.Call("m.sqrt", [A.Ref("x")])
    assert read_expr({"u.f": []}) == A.Call("u.f", [])
    assert read_expr({"u-": 3}) == A.Call("u-", [A.LiteralInt(3)])
    # inside an argument list, ["x"] is a one-element list holding a symbol reference
    assert read_expr({"a.len": ["x"]}) == A.Call("a.len", [A.Ref("x")])
    assert read_expr({"s.len": [["x"]]}) == A.Call("s.len", [A.LiteralString("x")])


def test_call_paths():
    e = read_expr({"+": ["x", {"m.sqrt": "y"}]}, "$.action[1]")
    assert e.args[0].path == '$.action[1]["+"][0]'
    assert e.args[1].path == '$.action[1]["+"][1]'
    assert e.args[1].args[0].path == '$.action[1]["+"][1]["m.sqrt"]'


def test_inline_fcndef_and_fcnref_arguments():
    e = read_expr({"a.map": ["xs", {"params": [{"v": "double"}], "ret": "double",
                                    "do": {"*": ["v", 2]}}]})
    f = e.args[1]
    assert isinstance(f, A.FcnDef)
    assert f.params == [A.Param("v", A.TypeSpec("double"))]
    assert f.ret == A.TypeSpec("double")
    assert f.body == [A.Call("*", [A.Ref("v"), A.LiteralInt(2)])]
    e = read_expr({"a.map": ["xs", {"fcn": "u.g", "fill": {"k": 2}}]})
    assert e.args[1] == A.FcnRef("u.g", {"k": A.LiteralInt(2)})
    assert read_argument({"fcn": "m.sqrt"}) == A.FcnRef("m.sqrt")


def test_call_user_fcn():
    e = read_expr({"call": "which", "args": [1, "x"]})
    assert e == A.CallUserFcn(A.Ref("which"), [A.LiteralInt(1), A.Ref("x")])


# --- data construction and access --------------------------------------------------------------

def test_new():
    t = {"type": "array", "items": "double"}
    assert read_expr({"new": [1, "x"], "type": t}) == A.NewArray(
        [A.LiteralInt(1), A.Ref("x")], A.TypeSpec(t))
    m = {"type": "map", "values": "int"}
    assert read_expr({"type": m, "new": {"a b": 1}}) == A.NewObject(
        {"a b": A.LiteralInt(1)}, A.TypeSpec(m))


def test_let_set():
    e = read_expr({"let": {"x": 1, "y": "x"}}, "$.action[2]")
    assert e == A.Let({"x": A.LiteralInt(1), "y": A.Ref("x")})
    assert e.values["x"].path == "$.action[2].let.x"
    assert read_expr({"set": {"x": 2}}) == A.SetVar({"x": A.LiteralInt(2)})


def test_attr_forms():
    assert read_expr({"attr": "r", "path": [["f"], 0]}) == A.AttrGet(
        A.Ref("r"), [A.LiteralString("f"), A.LiteralInt(0)])
    e = read_expr({"attr": "r", "path": [["f"]], "to": 3})
    assert e == A.AttrTo(A.Ref("r"), [A.LiteralString("f")], A.LiteralInt(3))
    e = read_expr({"attr": "r", "path": [["f"]], "to": {"fcn": "u.inc"}})
    assert e.to == A.FcnRef("u.inc")


def test_cell_and_pool_forms():
    assert read_expr({"cell": "c"}) == A.CellGet("c", [])
    assert read_expr({"cell": "c", "path": []}) == A.CellGet("c", [])
    assert read_expr({"cell": "c", "path": [0]}) == A.CellGet("c", [A.LiteralInt(0)])
    assert read_expr({"cell": "c", "to": 1}) == A.CellTo("c", [], A.LiteralInt(1))
    assert read_expr({"pool": "p", "path": [["k"]]}) == A.PoolGet("p", [A.LiteralString("k")])
    assert read_expr({"pool": "p", "path": ["k"], "to": 1, "init": 0}) == A.PoolTo(
        "p", [A.Ref("k")], A.LiteralInt(1), A.LiteralInt(0))
    assert read_expr({"pool": "p", "path": ["k"], "to": 1}).init is None
    assert read_expr({"pool": "p", "del": ["k"]}) == A.PoolDel("p", A.LiteralString("k"))


# --- control flow ------------------------------------------------------------------------------

def test_do_and_bodies():
    assert read_expr({"do": ["x", 1]}) == A.Do([A.Ref("x"), A.LiteralInt(1)])
    assert read_expr({"do": "x"}) == A.Do([A.Ref("x")])
    # a body given as ["x"] is a one-expression list holding a symbol reference
    assert read_expr({"do": ["x"]}) == A.Do([A.Ref("x")])


def test_if_cond():
    assert read_expr({"if": True, "then": 1}) == A.If(A.LiteralBoolean(True), [A.LiteralInt(1)])
    assert read_expr({"else": [2], "then": 1, "if": "b"}) == A.If(
        A.Ref("b"), [A.LiteralInt(1)], [A.LiteralInt(2)])
    e = read_expr({"cond": [{"if": "a", "then": 1}, {"if": "b", "then": 2}], "else": 3})
    assert e == A.Cond([A.If(A.Ref("a"), [A.LiteralInt(1)]), A.If(A.Ref("b"), [A.LiteralInt(2)])],
                       [A.LiteralInt(3)])
    assert read_expr({"cond": [{"if": "a", "then": 1}]}).else_ is None


def test_loops():
    assert read_expr({"while": "b", "do": "x"}) == A.While(A.Ref("b"), [A.Ref("x")])
    assert read_expr({"do": "x", "until": "b"}) == A.DoUntil([A.Ref("x")], A.Ref("b"))
    e = read_expr({"for": {"i": 0}, "while": {"<": ["i", 3]}, "step": {"i": {"+": ["i", 1]}},
                   "do": "i"})
    assert e == A.For({"i": A.LiteralInt(0)}, A.Call("<", [A.Ref("i"), A.LiteralInt(3)]),
                      {"i": A.Call("+", [A.Ref("i"), A.LiteralInt(1)])}, [A.Ref("i")])
    assert read_expr({"foreach": "v", "in": "xs", "do": "v"}) == A.Foreach(
        "v", A.Ref("xs"), [A.Ref("v")], False)
    assert read_expr({"foreach": "v", "in": "xs", "do": "v", "seq": True}).seq is True
    assert read_expr({"forkey": "k", "forval": "v", "in": "m", "do": ["k"]}) == A.Forkeyval(
        "k", "v", A.Ref("m"), [A.Ref("k")])


def test_cast_upcast_ifnotnull():
    e = read_expr({"cast": "x", "cases": [{"as": "int", "named": "i", "do": "i"},
                                          {"as": "null", "named": "n", "do": 0}]})
    assert e == A.CastBlock(A.Ref("x"), [A.CastCase(A.TypeSpec("int"), "i", [A.Ref("i")]),
                                         A.CastCase(A.TypeSpec("null"), "n", [A.LiteralInt(0)])])
    assert read_expr({"cast": "x", "cases": [{"as": "int", "named": "i", "do": "i"}],
                      "partial": True}).partial
    assert read_expr({"upcast": 1, "as": "double"}) == A.Upcast(A.LiteralInt(1),
                                                                A.TypeSpec("double"))
    assert read_expr({"ifnotnull": {"a": "x"}, "then": "a", "else": 0}) == A.IfNotNull(
        {"a": A.Ref("x")}, [A.Ref("a")], [A.LiteralInt(0)])


def test_pack_unpack():
    assert read_expr({"pack": [{"int": "x"}, {"raw": "b"}]}) == A.Pack(
        [("int", A.Ref("x")), ("raw", A.Ref("b"))])
    e = read_expr({"unpack": "b", "format": [{"x": "little int"}, {"y": "raw 3"}],
                   "then": "x", "else": 0})
    assert e == A.Unpack(A.Ref("b"), [("x", "little int"), ("y", "raw 3")], [A.Ref("x")],
                         [A.LiteralInt(0)])


def test_misc_forms():
    assert read_expr({"doc": "hi"}) == A.Doc("hi")
    assert read_expr({"error": "bad"}) == A.Error("bad")
    assert read_expr({"error": "bad", "code": -3}) == A.Error("bad", -3)
    assert read_expr({"try": "x"}) == A.Try([A.Ref("x")])
    assert read_expr({"try": ["x"], "filter": ["m", 7]}) == A.Try([A.Ref("x")], ["m", 7])
    assert read_expr({"log": ["x", ["s"]]}) == A.Log([A.Ref("x"), A.LiteralString("s")])
    assert read_expr({"log": "x", "namespace": "ns"}) == A.Log([A.Ref("x")], "ns")


# --- locators and paths -------------------------------------------------------------------------

def test_locators_are_kept_and_stripped():
    d = read({"@": "top", "input": {"@": "in", "type": "array", "items": "double"},
              "output": "double",
              "action": [{"@": "line 3", "let": {"x": {"@": "line 4", "+": [1, 2]}}},
                         {"type": {"type": "map", "values": "int", "@": "t"},
                          "value": {"@": "data", "a": 1}}],
              "cells": {"c": {"@": "cell", "type": "int", "init": 0}}})
    assert d.pos == "top"
    assert d.input.pos == "in" and d.input.json == {"type": "array", "items": "double"}
    let = d.action[0]
    assert let.pos == "line 3" and let.values["x"].pos == "line 4"
    lit = d.action[1]
    assert lit.avro_type.json == {"type": "map", "values": "int"} and lit.value == {"a": 1}
    assert d.cells["c"].pos == "cell"


def test_node_paths():
    d = read({"input": "double", "output": "double",
              "action": ["input", {"let": {"x": 1}}, {"if": True, "then": ["x"]}],
              "fcns": {"f": {"params": [{"a": "int"}], "ret": "int", "do": ["a"]}},
              "cells": {"tree": {"type": "int", "init": 0}}})
    assert [e.path for e in d.action] == ["$.action[0]", "$.action[1]", "$.action[2]"]
    assert d.action[1].values["x"].path == "$.action[1].let.x"
    assert d.action[2].then[0].path == "$.action[2].then[0]"
    assert d.fcns["f"].path == "$.fcns.f"
    assert d.fcns["f"].body[0].path == "$.fcns.f.do[0]"
    assert d.fcns["f"].params[0].type.path == "$.fcns.f.params[0].a"
    assert d.cells["tree"].path == "$.cells.tree"
    assert d.cells["tree"].avro_type.path == "$.cells.tree.type"
    assert join_path("$", "a.b") == '$["a.b"]'


# --- top level ---------------------------------------------------------------------------------

def test_all_top_level_fields():
    d = read({"name": "n", "method": "fold", "input": "double", "output": "double",
              "begin": {"doc": "b"}, "action": {"+": ["input", "tally"]}, "end": [],
              "fcns": {"f": {"params": [], "ret": "int", "do": 1}}, "zero": 0,
              "merge": {"+": ["tallyOne", "tallyTwo"]},
              "cells": {"c": {"type": "int", "init": 0, "shared": True, "source": "embedded"}},
              "pools": {"p": {"type": "int", "rollback": True}},
              "randseed": 5, "doc": "d", "version": 2, "metadata": {"k": "v"},
              "options": {"timeout": 100}})
    assert d.name == "n" and d.method == "fold"
    assert d.begin == [A.Doc("b")] and d.end == []
    assert d.action == [A.Call("+", [A.Ref("input"), A.Ref("tally")])]
    assert d.merge == [A.Call("+", [A.Ref("tallyOne"), A.Ref("tallyTwo")])]
    assert d.zero == 0 and d.randseed == 5 and d.version == 2 and d.doc == "d"
    assert d.metadata == {"k": "v"} and d.options == {"timeout": 100}
    assert d.cells["c"] == A.CellSpec(A.TypeSpec("int"), 0, shared=True)
    assert d.pools["p"] == A.PoolSpec(A.TypeSpec("int"), {}, rollback=True)
    assert d.fcns["f"] == A.FcnDef([], A.TypeSpec("int"), [A.LiteralInt(1)])


def test_defaults():
    d = read(MINIMAL)
    assert d.method == "map" and d.begin == [] and d.end == [] and d.merge is None
    assert d.zero is A.NO_VALUE and d.cells == {} and d.pools == {} and d.name is None
    assert read(doc_with(zero=None)).zero is None
    assert read(doc_with(action=None)).action == [A.LiteralNull()]


def test_external_cell_source():
    d = read(doc_with(cells={"c": {"type": "int", "init": "data/c.json", "source": "json"}}))
    assert d.cells["c"].source == "json" and d.cells["c"].init == "data/c.json"


# --- sources -------------------------------------------------------------------------------------

YAML_DOC = """\
input: double
output: double
action:
  - {+: [input, 1]}
"""


def test_sources(tmp_path: Path):
    expected = read(doc_with(action=[{"+": ["input", 1]}]))
    text = json.dumps(doc_with(action=[{"+": ["input", 1]}]))
    assert read(text) == expected
    assert read(text.encode()) == expected
    for suffix in (".json", ".pfa"):
        p = tmp_path / f"doc{suffix}"
        p.write_text(text)
        assert read(p) == expected
        assert read(str(p)) == expected
    for suffix in (".yaml", ".yml"):
        p = tmp_path / f"doc{suffix}"
        p.write_text(YAML_DOC)
        assert read(p) == expected
        assert read_yaml(p) == expected
        assert read_yaml(str(p)) == expected
    assert read_yaml(YAML_DOC) == expected


def test_missing_file_is_an_error(tmp_path: Path):
    with pytest.raises(FileNotFoundError):
        read(tmp_path / "nope.json")


def test_yaml_single_line_and_missing_file(tmp_path: Path):
    assert read_yaml("{input: double, output: double, action: input}").action == [A.Ref("input")]
    with pytest.raises(FileNotFoundError):
        read_yaml(str(tmp_path / "missing.yaml"))
