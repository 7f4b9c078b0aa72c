"""Typing rules and return types of every special form, and their errors with paths."""

from __future__ import annotations

import pytest
from conftest import action, errors, ok
from hypothesis import given
from hypothesis import strategies as st

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


def test_fcnref_fill_of_a_three_parameter_user_function():
    """spec §"fcnref": "fill" leaves a function of the unfilled parameters — here one of
    three, so u.callme fits a.map (regression: the reference's test suite has this case)."""
    arr_int = {"type": "array", "items": "int"}
    fcns = {"callme": {"params": [{"x": "int"}, {"y": "int"}, {"z": "int"}], "ret": "int",
                       "do": {"+": ["x", {"+": ["y", "z"]}]}}}
    for filled in ({"x": 10, "y": 100}, {"x": 10, "z": 100}, {"y": 10, "z": 100}):
        doc = read(action({"a.map": [{"value": [1, 2], "type": arr_int},
                                     {"fcn": "u.callme", "fill": filled}]},
                          "null", arr_int, fcns=fcns))
        check(doc)
        assert doc.action[0].args[1].resolved.param_types == (INT, INT, INT)
    errs = errors(action({"a.map": [{"value": [1, 2], "type": arr_int},
                                    {"fcn": "u.callme", "fill": {"x": 10, "yy": 100}}]},
                         "null", arr_int, fcns=fcns))
    assert "'yy'" in errs[0].message


def test_fcnref_fill_must_not_be_empty():
    """spec §"fcnref": with "fill", "one or more of the referenced function's [parameters]
    are filled"; an empty fill is refused with a message that says so."""
    arr_int = {"type": "array", "items": "int"}
    fcns = {"one": {"params": [{"x": "int"}], "ret": "int", "do": "x"}}
    for name in ("u.one", "m.abs"):
        errs = errors(action({"a.map": [{"value": [1], "type": arr_int},
                                        {"fcn": name, "fill": {}}]}, "null", arr_int,
                             fcns=fcns))
        assert len(errs) == 1 and "fill" in errs[0].message and "empty" in errs[0].message


def test_error_in_a_value_position_has_type_null():
    """spec §"User-defined exceptions: the error special form": placed "at a point that does
    not branch the program flow", the bottom type "is converted into null". So a let of an
    error declares a null symbol, set of an error fits a null symbol only, and the argument
    of a function call is null. (The reference implementation refuses all of these; the spec
    text converts instead.)"""
    doc = read(action([{"let": {"x": {"error": "never"}}}, "x"], "null", "null"))
    check(doc)
    assert doc.action[1].type == NULL
    ok(action([{"let": {"x": None}}, {"set": {"x": {"error": "never"}}}, 123], "null", "int"))
    errs = errors(action([{"let": {"x": 1.5}}, {"set": {"x": {"error": "never"}}}, "x"]))
    assert "null" in errs[0].message
    errs = errors(action({"u.f": [{"error": "never"}]}, "null", "int",
                         fcns={"f": {"params": [{"x": "int"}], "ret": "int", "do": 12}}))
    assert "null" in errs[0].message
    # where the flow branches, the error takes the other branch's type
    assert typed_action({"if": True, "then": 1.5, "else": {"error": "x"}}) == DOUBLE


@pytest.mark.parametrize("spec,kind", [
    ("prefixed", "lengthprefixed"), (" length prefixed ", "lengthprefixed"),
    ("lengthprefixed", "lengthprefixed"), ("terminated", "nullterminated"),
    ("null\tterminated", "nullterminated"), ("\u2003 nullterminated\n", "nullterminated"),
])
def test_variable_width_formats(spec, kind):
    """spec §"Extracting values from binary: the unpack special form": \\s*length\\s*?prefixed
    and \\s*null\\s*?terminated — the "?" makes the first word optional ("prefixed" and
    "terminated" alone, as the reference implementations read them)."""
    for pack in (False, True):
        fmt = parse_format(spec, pack=pack)
        assert fmt is not None and fmt.kind == kind and fmt.type == BYTES
    assert parse_format("length") is None and parse_format("prefixed length") is None


def test_raw_sizes_of_any_length_are_bounded():
    """spec: "\\s*raw\\s*[0-9]+\\s*" admits any digit string; sizes beyond any bytes value are
    clamped (not converted from thousands of digits; no allocation follows from the size)."""
    from pfa.document.formats import RAW_SIZE_CAP

    assert parse_format("raw " + "9" * 5000).size == RAW_SIZE_CAP
    assert parse_format("raw" + "0" * 5000 + "7").size == 7
    assert parse_format("raw 4611686018427387903").size == RAW_SIZE_CAP - 1
    assert parse_format(" raw 12 ").size == 12
    # long runs of whitespace parse in linear time (adjacent \s* used to backtrack)
    assert parse_format(" " * 50_000 + "x") is None
    assert parse_format("little" + " " * 50_000 + "x") is None
    assert parse_format(" " * 50_000 + "int" + " " * 50_000).type == INT


_WS = st.text(alphabet=" \t\n\r\x0b\x0c\u2003", max_size=3)
_ENDIAN = st.sampled_from(["", "<", ">", "!", "little", "big", "network"])
# (words, kind, size, signed, type) of the spec's format table; "U" stands for "unsigned"
_TABLE = [
    (["pad"], "pad", 1, False, NULL), (["boolean"], "boolean", 1, False, BOOLEAN),
    (["byte"], "int", 1, True, INT), (["U", "int8"], "int", 1, False, INT),
    (["E", "short"], "int", 2, True, INT), (["E", "U", "int16"], "int", 2, False, INT),
    (["E", "int32"], "int", 4, True, INT), (["E", "U", "int"], "int", 4, False, LONG),
    (["E", "long", "+long"], "int", 8, True, LONG), (["E", "U", "int64"], "int", 8, False, DOUBLE),
    (["E", "float"], "float", 4, True, FLOAT), (["E", "float64"], "float", 8, True, DOUBLE),
    (["length", "prefixed"], "lengthprefixed", None, True, BYTES),
    (["prefixed"], "lengthprefixed", None, True, BYTES),
    (["null", "terminated"], "nullterminated", None, True, BYTES),
]


@given(st.sampled_from(_TABLE), _ENDIAN, st.lists(_WS, min_size=8, max_size=8),
       st.booleans())
def test_format_grammar_of_the_spec(row, endian, spaces, pack):
    """spec §unpack's format table, with arbitrary \\s runs between and around the words
    (one or more where the spec says \\s+)."""
    words, kind, size, signed, t = row
    parts = []
    for i, w in enumerate(words):
        if w == "E":
            w = endian
        elif w == "U":
            w = "unsigned"
        elif w.startswith("+"):
            w = (spaces[i] or " ") + w[1:]
            parts.append(w)
            continue
        parts.append(spaces[i] + w)
    spec = "".join(parts) + spaces[-1]
    fmt = parse_format(spec, pack=pack)
    assert fmt is not None, spec
    assert (fmt.kind, fmt.type, fmt.signed) == (kind, t, signed)
    if size is not None:
        assert fmt.size == size
    if "E" in words:
        assert fmt.little_endian == (endian in ("<", "little"))


@given(st.text(max_size=40))
def test_any_text_parses_or_is_refused(spec):
    """Never an exception: a format specifier is valid (a BinaryFormat) or None."""
    for pack in (False, True):
        fmt = parse_format(spec, pack=pack)
        assert fmt is None or fmt.type is not None
