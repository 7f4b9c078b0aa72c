"""Typing rules and return types of every special form, and their errors with paths."""

from __future__ import annotations

import pytest
from conftest import action, errors, ok

from pfa.avro.types import (
    BOOLEAN,
    BYTES,
    DOUBLE,
    FLOAT,
    INT,
    LONG,
    NULL,
    STRING,
    AvroArray,
    AvroMap,
    AvroUnion,
)
from pfa.check.checker import check
from pfa.check.scope import BOTTOM
from pfa.check.signatures import ResolvedCall
from pfa.document.formats import parse_format
from pfa.document.reader import read

REC = {"type": "record", "name": "R", "fields": [
    {"name": "a", "type": "int"},
    {"name": "b", "type": {"type": "array", "items": {"type": "map", "values": "string"}}}]}


def typed_action(expr, input="double", output=None, **extra):
    """Type of the last action expression (the output is set to accept anything)."""
    out = output or ["null", "boolean", "int", "long", "float", "double", "string", "bytes"]
    doc = read(action(expr, input, out, method="emit", **extra))
    check(doc)
    return doc.action[-1].type


# -- literals ------------------------------------------------------------------------------

@pytest.mark.parametrize("expr,t", [
    (None, NULL), (True, BOOLEAN), (1, INT), (2**40, LONG), ({"long": 1}, LONG),
    ({"float": 1.5}, FLOAT), (1.5, DOUBLE), ([["s"]], STRING), ({"string": "s"}, STRING),
    ({"base64": "AAE="}, BYTES),
    ({"type": {"type": "map", "values": "int"}, "value": {"a": 1}}, AvroMap(INT)),
])
def test_literal_types(expr, t):
    assert typed_action(expr) == t


# -- new -------------------------------------------------------------------------------------

def test_new_array_map_record():
    assert typed_action({"new": [1, "input"], "type": {"type": "array", "items": "double"}}) \
        == AvroArray(DOUBLE)
    assert typed_action({"new": {"x": 1}, "type": {"type": "map", "values": "long"}}) \
        == AvroMap(LONG)
    t = typed_action({"new": {"a": 1, "b": {"type": REC["fields"][1]["type"], "value": []}},
                      "type": REC})
    assert t.fullname == "R"


def test_new_errors():
    errs = errors(action({"new": [1, ["s"]], "type": {"type": "array", "items": "int"}},
                         output={"type": "array", "items": "int"}))
    assert errs[0].path == "$.action.new[1]" and "string" in errs[0].message
    errs = errors(action({"new": {"a": ["x"]}, "type": REC}, output=REC))
    paths = {e.path for e in errs}
    assert "$.action.new.a" in paths  # wrong type
    assert any("lacks" in e.message and "b" in e.message for e in errs)  # missing field
    errs = errors(action({"new": {"a": 1, "b": {"type": REC["fields"][1]["type"], "value": []},
                                  "c": 1}, "type": REC}, output="R"))
    assert "no field 'c'" in errs[0].message


# -- attr ----------------------------------------------------------------------------------

def test_attr_paths():
    assert typed_action({"attr": "input", "path": [["b"], 0, ["k"]]}, input=REC) == STRING
    assert typed_action("input.b.0.k", input=REC) == STRING
    assert typed_action({"attr": "input", "path": [["a"]]}, input=REC) == INT


def test_attr_errors():
    errs = errors(action({"attr": "input", "path": [["zz"]]}, input=REC, output="int"))
    assert errs[0].path == "$.action.path[0]" and "no field 'zz'" in errs[0].message
    errs = errors(action([{"let": {"f": ["a"]}}, {"attr": "input", "path": ["f"]}],
                         input=REC, output="int"))
    assert "literal string" in errs[0].message
    errs = errors(action({"attr": "input", "path": [["b"], ["x"]]}, input=REC, output="int"))
    assert "array index must be int" in errs[0].message
    errs = errors(action({"attr": "input", "path": [["b"], 0, 1]}, input=REC,
                         output="string"))
    assert "map key must be string" in errs[0].message
    errs = errors(action({"attr": "input", "path": [0]}))
    assert "cannot index" in errs[0].message


def test_attr_to():
    assert typed_action({"attr": "input", "path": [["a"]], "to": 5}, input=REC).fullname == "R"
    typed_action({"attr": "input", "path": [["a"]],
                  "to": {"params": [{"x": "int"}], "ret": "int", "do": "x"}}, input=REC)
    errs = errors(action({"attr": "input", "path": [["a"]], "to": 5.5}, input=REC, output=REC))
    assert errs[0].path == "$.action.to" and "int" in errs[0].message
    errs = errors(action({"attr": "input", "path": [["a"]],
                          "to": {"params": [{"x": "string"}], "ret": "int", "do": 1}},
                         input=REC, output=REC))
    assert errs[0].path == "$.action.to" and "must map int to int" in errs[0].message


# -- cells and pools -------------------------------------------------------------------------

CELLS = {"c": {"type": REC, "init": {"a": 1, "b": []}}}
POOLS = {"p": {"type": {"type": "map", "values": "double"}, "init": {}}}


def test_cell_forms():
    assert typed_action({"cell": "c", "path": [["a"]]}, cells=CELLS) == INT
    assert typed_action({"cell": "c", "path": [["a"]], "to": 3}, cells=CELLS).fullname == "R"
    assert typed_action({"cell": "c", "path": [["a"]], "to": {"fcn": "u.inc"}}, cells=CELLS,
                        fcns={"inc": {"params": [{"x": "int"}], "ret": "int",
                                      "do": {"+": ["x", 1]}}}).fullname == "R"
    errs = errors(action({"cell": "c", "to": 3}, cells=CELLS, output="R"))
    assert errs[0].path == "$.action.to"


def test_pool_forms():
    assert typed_action({"pool": "p", "path": [["k"], ["j"]]}, pools=POOLS) == DOUBLE
    assert typed_action({"pool": "p", "path": [["k"]], "to": {"new": {}, "type": POOLS["p"][
        "type"]}, "init": {"new": {}, "type": POOLS["p"]["type"]}}, pools=POOLS) \
        == AvroMap(DOUBLE)
    assert typed_action({"pool": "p", "path": [["k"], ["j"]], "to": 2.0, "init": {
        "type": POOLS["p"]["type"], "value": {}}}, pools=POOLS) == AvroMap(DOUBLE)
    assert typed_action({"pool": "p", "del": ["k"]}, pools=POOLS) == NULL
    errs = errors(action({"pool": "p", "path": [1]}, pools=POOLS))
    assert errs[0].path == "$.action.path[0]" and "string" in errs[0].message
    errs = errors(action({"pool": "p", "del": 1}, pools=POOLS, output="null"))
    assert errs[0].path == "$.action.del"
    errs = errors(action({"pool": "p", "path": [["k"]], "to": 1.0,
                          "init": {"type": POOLS["p"]["type"], "value": {}}},
                         pools=POOLS, output={"type": "map", "values": "double"}))
    assert errs[0].path == "$.action.to"


def test_pool_to_needs_init():
    doc = read(action({"pool": "p", "path": [["k"]], "to": {"new": {}, "type": POOLS["p"][
        "type"]}, "init": {"new": {}, "type": POOLS["p"]["type"]}}, pools=POOLS,
        output={"type": "map", "values": "double"}))
    doc.action[0].init = None
    with pytest.raises(Exception) as info:
        check(doc)
    assert "init" in str(info.value)


def test_updater_functions_must_not_modify_state():
    fcns = {"bad": {"params": [{"x": "int"}], "ret": "int",
                    "do": [{"pool": "q", "del": ["k"]}, "x"]},
            "indirect": {"params": [{"x": "int"}], "ret": "int", "do": {"u.bad": ["x"]}},
            "fine": {"params": [{"x": "int"}], "ret": "int", "do": {"u.fine2": ["x"]}},
            "fine2": {"params": [{"x": "int"}], "ret": "int", "do": {"+": ["x", 1]}}}
    cells = {"n": {"type": "int", "init": 0}}
    pools = {"q": {"type": "int"}}
    ok(action([{"cell": "n", "to": {"fcn": "u.fine"}}, 1.0], cells=cells, pools=pools,
              fcns=fcns))
    ok(action([{"u.bad": [1]}, 1.0], cells=cells, pools=pools, fcns=fcns))
    errs = errors(action([{"cell": "n", "to": {"fcn": "u.indirect"}}, 1.0], cells=cells,
                         pools=pools, fcns=fcns))
    assert errs[0].path == "$.action[0].to" and "u.bad" in errs[0].message
    errs = errors(action([{"pool": "q", "path": [["k"]], "init": 0,
                           "to": {"params": [{"x": "int"}], "ret": "int",
                                  "do": [{"cell": "n", "to": 2}, "x"]}}, 1.0],
                         cells=cells, pools=pools, fcns=fcns))
    assert errs[0].path == "$.action[0].to" and "must not modify" in errs[0].message
    # an inline updater calling a modifying function through a library function argument
    errs = errors(action([{"cell": "n", "to": {"params": [{"x": "int"}], "ret": "int", "do": {
        "a.len": {"a.map": [{"type": {"type": "array", "items": "int"}, "value": [1]},
                            {"fcn": "u.bad"}]}}}}, 1.0], cells=cells, pools=pools, fcns=fcns))
    assert "u.bad" in errs[0].message


# -- control flow --------------------------------------------------------------------------

def test_do_returns_last():
    assert typed_action({"do": [1, ["s"]]}) == STRING
    assert typed_action({"do": [{"error": "x"}]}) == NULL  # error at the end of a do


def test_if_types():
    assert typed_action({"if": True, "then": 1}) == NULL
    assert typed_action({"if": True, "then": 1, "else": 2.5}) == DOUBLE
    s = {"string": "s"}
    assert typed_action({"if": True, "then": 1, "else": s}) == AvroUnion((INT, STRING))
    assert typed_action({"if": True, "then": {"error": "no"}, "else": s}) == STRING
    assert typed_action({"if": True, "then": {"error": "a"}, "else": {"error": "b"}}) is BOTTOM
    errs = errors(action({"if": 1, "then": "input", "else": "input"}))
    assert errs[0].path == "$.action.if" and "boolean" in errs[0].message


def test_if_no_supertype_is_an_error():
    enums = [{"type": "enum", "name": "E1", "symbols": ["a"]},
             {"type": "enum", "name": "E2", "symbols": ["b"]}]
    errs = errors(action({"if": True,
                          "then": {"type": enums[0], "value": "a"},
                          "else": {"type": enums[1], "value": "b"}}, output="null"))
    assert errs[0].path == "$.action" and "E1" in errs[0].message


def test_cond_types():
    c = [{"if": True, "then": 1}, {"if": False, "then": 2}]
    assert typed_action({"cond": c}) == NULL
    assert typed_action({"cond": c, "else": {"long": 3}}) == LONG
    errs = errors(action({"cond": [{"if": ["s"], "then": 1.0}], "else": 2.0}))
    assert errs[0].path == "$.action.cond[0].if"


def test_loops_return_null():
    assert typed_action({"while": False, "do": 1}) == NULL
    assert typed_action({"do": 1, "until": True}) == NULL
    assert typed_action({"for": {"i": 0}, "while": {"<": ["i", 3]},
                         "step": {"i": {"+": ["i", 1]}}, "do": "i"}) == NULL
    assert typed_action({"foreach": "x", "in": {"type": {"type": "array", "items": "int"},
                                                "value": []}, "do": "x"}) == NULL
    assert typed_action({"forkey": "k", "forval": "v", "in": {
        "type": {"type": "map", "values": "int"}, "value": {}}, "do": "v"}) == NULL
    errs = errors(action({"foreach": "x", "in": "input", "do": "x"}, output="null"))
    assert errs[0].path == "$.action.in" and "array" in errs[0].message
    errs = errors(action({"forkey": "k", "forval": "v", "in": "input", "do": "v"},
                         output="null"))
    assert errs[0].path == "$.action.in" and "map" in errs[0].message
    errs = errors(action({"while": 1, "do": 1}, output="null"))
    assert errs[0].path == "$.action.while"


def test_loop_variable_types():
    arr = {"type": "array", "items": "string"}
    assert typed_action([{"let": {"out": ["x"]}},
                         {"foreach": "x", "in": "input", "seq": True,
                          "do": {"set": {"out": "x"}}}, "out"], input=arr) == STRING
    m = {"type": "map", "values": "int"}
    errs = errors(action({"forkey": "k", "forval": "v", "in": "input",
                          "do": {"+": ["k", "v"]}}, input=m, output="null"))
    assert "string" in errs[0].message


# -- casts ---------------------------------------------------------------------------------

def test_cast_cases():
    u = ["null", "double", "string"]
    t = typed_action({"cast": "input", "cases": [
        {"as": "null", "named": "x", "do": 0},
        {"as": "double", "named": "x", "do": "x"},
        {"as": "string", "named": "x", "do": {"error": "no"}}]}, input=u)
    assert t == DOUBLE
    assert typed_action({"cast": "input", "partial": True, "cases": [
        {"as": "double", "named": "x", "do": "x"}]}, input=u) == NULL
    errs = errors(action({"cast": "input", "cases": [
        {"as": "null", "named": "x", "do": 0.0},
        {"as": "double", "named": "x", "do": "x"}]}, input=u))
    assert errs[0].path == "$.action" and "exhaustive" in errs[0].message
    errs = errors(action({"cast": "input", "partial": True, "cases": [
        {"as": "boolean", "named": "x", "do": 0.0}]}, input=u, output="null"))
    assert errs[0].path == "$.action.cases[0]" and "boolean" in errs[0].message


def test_upcast():
    assert typed_action({"upcast": 1, "as": "double"}) == DOUBLE
    assert typed_action({"upcast": "input", "as": ["null", "double"]}) \
        == AvroUnion((NULL, DOUBLE))
    errs = errors(action({"upcast": "input", "as": "int"}, output="int"))
    assert errs[0].path == "$.action" and "double" in errs[0].message


def test_ifnotnull():
    u = ["double", "null"]
    assert typed_action({"ifnotnull": {"x": "input"}, "then": "x"}, input=u) == NULL
    assert typed_action({"ifnotnull": {"x": "input"}, "then": "x", "else": 0}, input=u) \
        == DOUBLE
    t = typed_action({"ifnotnull": {"x": "input"}, "then": "x", "else": 0},
                     input=["double", "string", "null"])
    assert t == AvroUnion((DOUBLE, STRING))
    errs = errors(action({"ifnotnull": {"x": "input"}, "then": "x"}, output="null"))
    assert errs[0].path == "$.action.ifnotnull.x" and "null" in errs[0].message
    # the symbols only exist in then
    errs = errors(action({"ifnotnull": {"x": "input"}, "then": "x", "else": "x"}, input=u))
    assert errs[0].path == "$.action.else"


# -- binary --------------------------------------------------------------------------------

@pytest.mark.parametrize("spec,t", [
    ("pad", NULL), ("boolean", BOOLEAN), ("byte", INT), ("unsigned int8", INT),
    ("short", INT), ("little unsigned short", INT), ("<int32", INT), ("unsigned int", LONG),
    ("big long long", LONG), ("unsigned int64", DOUBLE), ("float", FLOAT),
    (" network double ", DOUBLE), ("raw 5", BYTES), ("nullterminated", BYTES),
    ("null terminated", BYTES), ("length prefixed", BYTES),
])
def test_format_specifiers(spec, t):
    assert parse_format(spec).type == t


def test_format_details():
    assert parse_format("raw") is None and parse_format("raw", pack=True).size is None
    assert parse_format("<short").little_endian and not parse_format("short").little_endian
    assert parse_format("unsigned short").signed is False
    assert parse_format("int24") is None


def test_unpack_and_pack():
    fmt = [{"a": "int"}, {"b": "double"}, {"c": "raw 2"}]
    assert typed_action({"unpack": "input", "format": fmt, "then": "b"}, input="bytes") == NULL
    assert typed_action({"unpack": "input", "format": fmt, "then": "c", "else": {
        "base64": ""}}, input="bytes") == BYTES
    assert typed_action({"pack": [{"int": 1}, {"double": "input"}, {"raw": {"base64": ""}},
                                  {"pad": None}]}) == BYTES
    errs = errors(action({"pack": [{"int": "input"}]}, output="bytes"))
    assert errs[0].path == '$.action.pack[0]["int"]' or "int" in errs[0].message
    errs = errors(action({"unpack": "input", "format": fmt, "then": "a"}, output="null"))
    assert errs[0].path == "$.action.unpack" and "bytes" in errs[0].message


# -- misc ----------------------------------------------------------------------------------

def test_doc_log_error_try():
    assert typed_action({"doc": "hello"}) == NULL
    assert typed_action({"log": ["input", ["s"]], "namespace": "n"}) == NULL
    doc = read(action([{"error": "boom", "code": -3}]))
    check(doc)
    assert doc.action[0].type is BOTTOM
    assert typed_action({"try": "input"}) == AvroUnion((DOUBLE, NULL))
    assert typed_action({"try": {"upcast": "input", "as": ["null", "double"]}}) \
        == AvroUnion((NULL, DOUBLE))
    assert typed_action({"try": None}) == NULL
    assert typed_action({"try": {"error": "x"}}) == NULL


def test_error_code_must_be_negative():
    doc = read(action({"error": "boom", "code": -3}))
    doc.action[0].code = 4
    with pytest.raises(Exception) as info:
        check(doc)
    assert "negative" in str(info.value)


# -- calls ---------------------------------------------------------------------------------

FCNS = {"one": {"params": [{"x": "double"}], "ret": "double", "do": "x"},
        "two": {"params": [{"x": "double"}], "ret": "int", "do": 2}}
WHICH = {"type": "enum", "name": "Which", "symbols": ["one", "two"]}


def test_user_calls():
    assert typed_action({"u.two": ["input"]}, fcns=FCNS) == INT
    errs = errors(action({"u.one": [["s"]]}, fcns=FCNS))
    assert errs[0].path == '$.action["u.one"][0]' and "string" in errs[0].message
    errs = errors(action({"u.one": []}, fcns=FCNS))
    assert "1 arguments" in errs[0].message
    errs = errors(action({"u.onee": ["input"]}, fcns=FCNS))
    assert "u.one" in errs[0].message
    errs = errors(action({"u.one": [{"fcn": "u.two"}]}, fcns=FCNS))
    assert "not a function" in errs[0].message


def test_user_function_return_type_checked():
    errs = errors(action({"u.f": []}, fcns={"f": {"params": [], "ret": "int", "do": 2.5}}))
    assert errs[0].path == "$.fcns.f.do" and "int" in errs[0].message


def test_recursive_user_function():
    ok(action({"u.fib": [5]}, output="int", fcns={"fib": {
        "params": [{"n": "int"}], "ret": "int", "do": {
            "cond": [{"if": {"<=": ["n", 1]}, "then": "n"}],
            "else": {"+": [{"u.fib": [{"-": ["n", 1]}]}, {"u.fib": [{"-": ["n", 2]}]}]}}}}))


def test_call_user_fcn_by_enum():
    t = typed_action([{"let": {"w": {"type": WHICH, "value": "two"}}},
                      {"call": "w", "args": ["input"]}], fcns=FCNS)
    assert t == DOUBLE
    errs = errors(action({"call": "input", "args": []}, fcns=FCNS))
    assert "enum" in errs[0].message
    bad = {"type": "enum", "name": "Bad", "symbols": ["one", "three"]}
    errs = errors(action([{"let": {"w": {"type": bad, "value": "one"}}},
                          {"call": "w", "args": ["input"]}], fcns=FCNS))
    assert "three" in errs[0].message


def test_library_calls_resolved():
    doc = read(action({"m.sqrt": {"+": ["input", 1]}}))
    check(doc)
    call = doc.action[0]
    assert call.resolved.name == "m.sqrt" and call.type == DOUBLE
    assert isinstance(call.args[0].resolved, ResolvedCall)


def test_unknown_library_function_suggests():
    errs = errors(action({"m.sqrtt": "input"}))
    assert errs[0].path == "$.action" and "m.sqrt" in errs[0].message


def test_fcnref_to_library_and_fill():
    arr = {"type": "array", "items": "double"}
    doc = read(action({"a.map": ["input", {"fcn": "m.sqrt"}]}, arr, arr))
    check(doc)
    assert doc.action[0].args[1].resolved.name == "m.sqrt"
    fcns = {"add": {"params": [{"a": "double"}, {"b": "double"}], "ret": "double",
                    "do": {"+": ["a", "b"]}}}
    doc = read(action({"a.map": ["input", {"fcn": "u.add", "fill": {"b": 1}}]}, arr, arr,
                      fcns=fcns))
    check(doc)
    assert doc.action[0].args[1].resolved == ResolvedCall("u.add", 0, (DOUBLE, DOUBLE), DOUBLE)
    errs = errors(action({"a.map": ["input", {"fcn": "u.add", "fill": {"c": 1}}]}, arr, arr,
                         fcns=fcns))
    assert "'c'" in errs[0].message
    errs = errors(action({"a.map": ["input", {"fcn": "u.add", "fill": {"b": ["s"]}}]}, arr,
                         arr, fcns=fcns))
    assert "string" in errs[0].message
