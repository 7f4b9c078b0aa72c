"""Every PrettyPFA construct, with the PFA JSON it means (docs/prettypfa.md lists the same)."""

from __future__ import annotations

import pytest

from pfa.document.pretty import loads

HEAD = ("input: double\noutput: double\ntypes:\n  P = record(P, x: double, y: double);\n"
        "  C = enum([RED, GREEN], C)\ncells:\n  c(int) = 0;\n  r(P) = {x: 1, y: 2}\n"
        "pools:\n  p(int) = {}\nfcns:\n  f = fcn(a: int -> int) a\naction:\n")
S = {"string": "k"}
P_FULL = {"type": "record", "name": "P", "fields": [{"name": "x", "type": "double"},
                                                    {"name": "y", "type": "double"}]}

# (construct, PrettyPFA expression, PFA JSON)
EXPRESSIONS = [
    ("null, booleans", "null", None), ("true", "true", True), ("false", "false", False),
    ("int", "42", 42), ("negative int", "-42", -42), ("double", "2.5", 2.5),
    ("exponent", "1e3", 1000.0), ("string", '"a\\n\\"b\\u00e9"', {"string": 'a\n"bé'}),
    ("raw string", "'a\\n'", {"string": "a\\n"}),
    ("int()", "int(3)", 3), ("long()", "long(3)", {"long": 3}),
    ("float()", "float(1.5)", {"float": 1.5}), ("double()", "double(2)", 2.0),
    ("string()", 'string("s")', {"string": "s"}), ("bytes()", 'bytes("aGk=")', {"base64": "aGk="}),
    ("json literal", "json(array(int), [1, -2])",
     {"type": {"type": "array", "items": "int"}, "value": [1, -2]}),
    ("json of an alias", "json(P, {x: 1, y: 2})",
     {"type": {"type": "record", "name": "P", "fields": [{"name": "x", "type": "double"},
                                                           {"name": "y", "type": "double"}]},
      "value": {"x": 1, "y": 2}}),
    ("enum symbol", "C@RED", {"type": {"type": "enum", "symbols": ["RED", "GREEN"],
                                       "name": "C"}, "value": "RED"}),
    ("local", "x", "x"), ("path on a local", "x.a[0, k]",
                          {"attr": "x", "path": [{"string": "a"}, 0, "k"]}),
    ("path on an expression", "f(x)[1]", {"attr": {"f": ["x"]}, "path": [1]}),
    ("cell", "c", {"cell": "c"}), ("cell path", "r.x", {"cell": "r", "path": [{"string": "x"}]}),
    ("pool", 'p["k"]', {"pool": "p", "path": [S]}),
    ("call", "m.sqrt(x)", {"m.sqrt": ["x"]}), ("user call", "u.f(1)", {"u.f": [1]}),
    ("function reference", "a.map(x, m.sqrt)", {"a.map": ["x", {"fcn": "m.sqrt"}]}),
    ("user function reference", "a.map(x, u.f)", {"a.map": ["x", {"fcn": "u.f"}]}),
    ("partial application", "a.map(x, m.round(x: 1))",
     {"a.map": ["x", {"fcn": "m.round", "fill": {"x": 1}}]}),
    ("inline fcn", "a.map(x, fcn(v: int -> int) v + 1)",
     {"a.map": ["x", {"params": [{"v": "int"}], "ret": "int", "do": [{"+": ["v", 1]}]}]}),
    ("apply", "apply(g, 1)", {"call": "g", "args": [1]}),
    ("update", "update(r, x: 1.0)", {"attr": {"cell": "r"}, "path": [{"string": "x"}],
                                     "to": 1.0}),
    ("new record", "new(P, x: 1.0, y: 2.0)", {"new": {"x": 1.0, "y": 2.0}, "type": P_FULL}),
    ("new array", "new(array(int), 1, 2)", {"new": [1, 2], "type": {"type": "array",
                                                                    "items": "int"}}),
    ("new map", "new(map(int), a: 1)", {"new": {"a": 1}, "type": {"type": "map",
                                                                   "values": "int"}}),
    ("upcast", "upcast(union(null, int), 1)", {"upcast": 1, "as": ["null", "int"]}),
    ("pack", 'pack("int": 1, pad: null)', {"pack": [{"int": 1}, {"pad": None}]}),
    ("doc", 'doc("hi")', {"doc": "hi"}), ("error", 'error("bad", code: -3)',
                                           {"error": "bad", "code": -3}),
    ("log", 'log(x, namespace: "n")', {"log": ["x"], "namespace": "n"}),
    ("+ - * / idiv % %% **", "1 + 2 - 3 * 4 / 5 idiv 6 % 7 %% 8 ** 9",
     {"-": [{"+": [1, 2]}, {"%%": [{"%": [{"//": [{"/": [{"*": [3, 4]}, 5]}, 6]}, 7]},
                                  {"**": [8, 9]}]}]}),
    ("logic", "a || b ^^ g && !d == e", {"||": ["a", {"^^": ["b", {"&&": [
        "g", {"!": [{"==": ["d", "e"]}]}]}]}]}),
    ("bits", "a | b ^ g & ~d", {"|": ["a", {"^": ["b", {"&": ["g", {"~": ["d"]}]}]}]}),
    ("comparisons", "a < b && a <= b && a > b && a >= b && a != b",
     {"&&": [{"&&": [{"&&": [{"&&": [{"<": ["a", "b"]}, {"<=": ["a", "b"]}]},
                             {">": ["a", "b"]}]}, {">=": ["a", "b"]}]}, {"!=": ["a", "b"]}]}),
    ("unary minus", "-x ** 2", {"u-": [{"**": ["x", 2]}]}),
    ("** is left-associative", "2 ** 3 ** 2", {"**": [{"**": [2, 3]}, 2]}),
    ("parentheses", "(1 + 2) * 3", {"*": [{"+": [1, 2]}, 3]}),
    ("block", "{ 1; 2 }", {"do": [1, 2]}),
    ("var", "var a = 1, b = 2", {"let": {"a": 1, "b": 2}}),
    ("assignment", "a = 1, b = 2", {"set": {"a": 1, "b": 2}}),
    ("deep assignment", "x.a[0] = 1", {"attr": "x", "path": [{"string": "a"}, 0], "to": 1}),
    ("assignment on an expression", "(f(x))[0] = 1", {"attr": {"f": ["x"]}, "path": [0],
                                                     "to": 1}),
    ("attr to", "x[0] to u.f", {"attr": "x", "path": [0], "to": {"fcn": "u.f"}}),
    ("cell =", "c = 5", {"cell": "c", "to": 5}),
    ("cell to", "c to fcn(o: int -> int) o + 1",
     {"cell": "c", "to": {"params": [{"o": "int"}], "ret": "int", "do": [{"+": ["o", 1]}]}}),
    ("cell path =", "r.x = 2.0", {"cell": "r", "path": [{"string": "x"}], "to": 2.0}),
    ("pool =", 'p["k"] = 1', {"pool": "p", "path": [S], "to": 1, "init": 1}),
    ("pool to init", 'p["k"] to u.f init 0', {"pool": "p", "path": [S], "to": {"fcn": "u.f"},
                                              "init": 0}),
    ("if", "if (a) 1", {"if": "a", "then": [1]}),
    ("if else", "if (a) { 1; 2 } else 3", {"if": "a", "then": [1, 2], "else": [3]}),
    ("else if", "if (a) 1 else if (b) 2 else 3",
     {"cond": [{"if": "a", "then": [1]}, {"if": "b", "then": [2]}], "else": [3]}),
    ("while", "while (a) x = 1", {"while": "a", "do": [{"set": {"x": 1}}]}),
    ("do until", "do { x = 1 } until (a)", {"do": [{"set": {"x": 1}}], "until": "a"}),
    ("for", "for (i = 0; i < 3; i = i + 1) x",
     {"for": {"i": 0}, "while": {"<": ["i", 3]}, "step": {"i": {"+": ["i", 1]}}, "do": ["x"]}),
    ("foreach", "foreach (v: xs) v", {"foreach": "v", "in": "xs", "do": ["v"], "seq": False}),
    ("foreach seq", "foreach (v: xs, seq: true) v",
     {"foreach": "v", "in": "xs", "do": ["v"], "seq": True}),
    ("foreach key/value", "foreach (k, v: m) v",
     {"forkey": "k", "forval": "v", "in": "m", "do": ["v"]}),
    ("cast", "cast (x) { as(i: int) i as(s: string) 0 }",
     {"cast": "x", "cases": [{"as": "int", "named": "i", "do": ["i"]},
                             {"as": "string", "named": "s", "do": [0]}], "partial": False}),
    ("cast partial", "cast (x, partial: true) { as(i: int) i }",
     {"cast": "x", "cases": [{"as": "int", "named": "i", "do": ["i"]}], "partial": True}),
    ("ifnotnull", "ifnotnull (a: x, b: y) a else 0",
     {"ifnotnull": {"a": "x", "b": "y"}, "then": ["a"], "else": [0]}),
    ("unpack", 'unpack (x, a: "int", b: double) a else 0',
     {"unpack": "x", "format": [{"a": "int"}, {"b": "double"}], "then": ["a"], "else": [0]}),
    ("try", "try x", {"try": ["x"]}),
    ("try with filters", 'try ("e", 3) x', {"try": ["x"], "filter": ["e", 3]}),
    ("types: record, map, union, fixed, enum, namespace",
     "json(record(ns.Q, m: map(fixed(2, F)), u: union(null, enum([A], E))), null)",
     {"type": {"type": "record", "name": "Q", "namespace": "ns", "fields": [
         {"name": "m", "type": {"type": "map", "values": {"type": "fixed", "size": 2,
                                                           "name": "F"}}},
         {"name": "u", "type": ["null", {"type": "enum", "symbols": ["A"], "name": "E"}]}]},
      "value": None}),
]


@pytest.mark.parametrize("construct,text,expected", EXPRESSIONS, ids=[e[0] for e in EXPRESSIONS])
def test_expression(construct: str, text: str, expected) -> None:
    doc = loads(HEAD + "  " + text + ";\n  1.0")
    assert doc["action"][0] == expected


def test_sections() -> None:
    doc = loads(
        "name: Example\nmethod: fold\ninput: double\noutput: array(double)\n"
        "types:\n  V = array(double)\ncells:\n  n(type: int, shared: true, rollback: false) = 0\n"
        "pools:\n  seen(double, rollback: true, source: embedded) = {a: 1.5}\n"
        "fcns:\n  add = fcn(a: V, b: V -> V) a.concat(a, b)\n"
        "begin:\n  n = 0\naction:\n  a.append(tally, input)\nend:\n  log(n)\n"
        "zero: []\nmerge:\n  u.add(tallyOne, tallyTwo)\nrandseed: 7\nversion: 2\n"
        'doc: "about"\nmetadata: {author: "me"}\noptions: {timeout: 10}\n')
    v = {"type": "array", "items": "double"}
    assert doc == {
        "name": "Example", "method": "fold", "input": "double", "output": v,
        "cells": {"n": {"type": "int", "init": 0, "shared": True, "rollback": False}},
        "pools": {"seen": {"type": "double", "init": {"a": 1.5}, "shared": False,
                           "rollback": True}},
        "fcns": {"add": {"params": [{"a": v}, {"b": v}], "ret": v,
                         "do": [{"a.concat": ["a", "b"]}]}},
        "begin": [{"cell": "n", "to": 0}], "action": [{"a.append": ["tally", "input"]}],
        "end": [{"log": [{"cell": "n"}]}], "zero": [],
        "merge": [{"u.add": ["tallyOne", "tallyTwo"]}], "randseed": 7, "version": 2,
        "doc": "about", "metadata": {"author": "me"}, "options": {"timeout": 10}}


def test_alias_is_written_once_then_by_name() -> None:
    doc = loads("types:\n  P = record(P, x: int)\ninput: P\noutput: P\naction: input")
    assert doc["input"] == {"type": "record", "name": "P", "fields": [{"name": "x",
                                                                       "type": "int"}]}
    assert doc["output"] == "P"


def test_lone_block_section_is_its_expressions() -> None:
    assert loads("input: int\noutput: int\naction: { 1; 2 }")["action"] == [1, 2]
    assert loads("input: int\noutput: int\naction: { 1; 2 };")["action"] == [{"do": [1, 2]}]


def test_locator_marks_name_line_and_column() -> None:
    doc = loads("input: int\noutput: int\naction:\n  input + 1", marks=True)
    assert doc["action"][0]["@"] == "PrettyPFA line 4, column 3"
