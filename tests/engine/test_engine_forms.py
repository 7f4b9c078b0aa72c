"""Each special form run by the scalar engine; expected values are worked out by hand."""

from __future__ import annotations

import logging
import math
import struct

import pytest
from engine_helpers import engine, fails, run

from pfa import Engine
from pfa.errors import PfaRuntimeError, PfaUserError

REC = {"type": "record", "name": "R", "fields": [
    {"name": "a", "type": "int"},
    {"name": "b", "type": {"type": "array", "items": "double"}},
    {"name": "m", "type": {"type": "map", "values": "string"}}]}


# -- literals ---------------------------------------------------------------------------------

@pytest.mark.parametrize("expr, output, expected", [
    (None, "null", None),
    (True, "boolean", True),
    (7, "int", 7),
    ({"long": 2**40}, "long", 2**40),
    (2.5, "double", 2.5),
    ({"float": 0.1}, "float", struct.unpack("f", struct.pack("f", 0.1))[0]),
    ({"string": "hi"}, "string", "hi"),
    ([["hi"]], "string", "hi"),
    ({"base64": "AAEC"}, "bytes", b"\x00\x01\x02"),
    ({"type": "double", "value": 1}, "double", 1.0),
    ({"type": {"type": "array", "items": "int"}, "value": [1, 2, 3]},
     {"type": "array", "items": "int"}, [1, 2, 3]),
    ({"type": ["null", "string"], "value": {"string": "x"}}, ["null", "string"], "x"),
])
def test_literals(expr, output, expected):
    out = run(expr, output=output)
    assert out == expected
    assert type(out) is type(expected)


def test_double_literal_of_integer_value_is_a_float():
    out = run({"type": "double", "value": 1}, output="double")
    assert isinstance(out, float) and out == 1.0


def test_int_result_promoted_to_double_output():
    out = run({"+": [1, 2]}, output="double")
    assert out == 3.0 and isinstance(out, float)


# -- let / set ----------------------------------------------------------------------------

def test_let_and_set():
    assert run([{"let": {"x": 1, "y": 2}}, {"set": {"x": {"+": ["x", "y"]}}}, "x"],
               output="int") == 3


def test_set_evaluates_all_values_before_assigning():
    # spec example: x and y both become 2, not 2 and 3
    out = run([{"let": {"x": 1, "y": 1}},
               {"set": {"x": {"+": ["x", "y"]}, "y": {"+": ["x", "y"]}}},
               {"new": ["x", "y"], "type": {"type": "array", "items": "int"}}],
              output={"type": "array", "items": "int"})
    assert out == [2, 2]


def test_set_promotes_int_to_double_symbol():
    out = run([{"let": {"x": 0.5}}, {"set": {"x": 2}}, "x"])
    assert out == 2.0 and isinstance(out, float)


# -- new -----------------------------------------------------------------------------------

def test_new_array_map_record():
    out = run({"new": [1, "input", {"*": ["input", 2]}],
               "type": {"type": "array", "items": "double"}},
              3.0, input="double", output={"type": "array", "items": "double"})
    assert out == [1.0, 3.0, 6.0]
    assert all(isinstance(x, float) for x in out)
    out = run({"new": {"p0": 1, "p1": "input"}, "type": {"type": "map", "values": "double"}},
              2.0, input="double", output={"type": "map", "values": "double"})
    assert out == {"p0": 1.0, "p1": 2.0}
    out = run({"new": {"a": 5, "b": {"type": {"type": "array", "items": "double"},
                                      "value": [1.5]},
                       "m": {"type": {"type": "map", "values": "string"}, "value": {}}},
               "type": REC}, output=REC)
    assert out == {"a": 5, "b": [1.5], "m": {}}


# -- attr / attr-to ---------------------------------------------------------------------------

NESTED = {"type": "array", "items": {"type": "map", "values": REC}}
NESTED_VALUE = [{"k": {"a": 1, "b": [1.0, 2.0], "m": {"x": "y"}}},
                {"k": {"a": 2, "b": [], "m": {}}}]


def test_attr_nested_path():
    e = engine({"attr": "input", "path": [1, ["k"], ["a"]]}, input=NESTED, output="int")
    assert e.action(NESTED_VALUE) == 2
    e = engine({"attr": "input", "path": [0, ["k"], ["b"], 1]}, input=NESTED)
    assert e.action(NESTED_VALUE) == 2.0
    e = engine("input.0.k.m.x", input=NESTED, output="string")
    assert e.action(NESTED_VALUE) == "y"


def test_attr_errors():
    fails(2000, {"attr": "input", "path": [5]}, [1.0], input={"type": "array", "items": "double"})
    fails(2000, {"attr": "input", "path": [-1]}, [1.0],
          input={"type": "array", "items": "double"})
    fails(2001, {"attr": "input", "path": [["nope"]]}, {"a": 1.0},
          input={"type": "map", "values": "double"})
    fails(2001, {"attr": "input", "path": [0, ["zz"], ["a"]]}, NESTED_VALUE, input=NESTED,
          output="int")


def test_attr_to_value_and_function_copy_on_write():
    e = engine([{"let": {"old": "input"}},
                {"let": {"new": {"attr": "input", "path": [0, ["k"], ["a"]], "to": 10}}},
                {"let": {"new2": {"attr": "new", "path": [0, ["k"], ["b"], 1],
                                  "to": {"params": [{"x": "double"}], "ret": "double",
                                         "do": {"*": ["x", 10]}}}}},
                {"new": ["old", "new2"], "type": {"type": "array", "items": NESTED}}],
               input=NESTED, output={"type": "array", "items": NESTED})
    original = [{"k": {"a": 1, "b": [1.0, 2.0], "m": {"x": "y"}}},
                {"k": {"a": 2, "b": [], "m": {}}}]
    old, new = e.action(original)
    assert old == NESTED_VALUE and original == NESTED_VALUE  # nothing mutated
    assert new[0]["k"] == {"a": 10, "b": [1.0, 20.0], "m": {"x": "y"}}
    assert new[1] == NESTED_VALUE[1]


def test_attr_to_errors():
    fails(2002, {"attr": "input", "path": [3], "to": 1.0}, [1.0],
          input={"type": "array", "items": "double"}, output={"type": "array", "items": "double"})
    fails(2003, {"attr": "input", "path": [["q"]], "to": 1.0}, {"a": 1.0},
          input={"type": "map", "values": "double"}, output={"type": "map", "values": "double"})


# -- control flow ---------------------------------------------------------------------------

def test_do_if_cond():
    assert run({"do": [{"let": {"x": 2}}, {"*": ["x", 3]}]}, output="int") == 6
    assert run({"if": {"<": ["input", 0]}, "then": -1, "else": 1}, -5, input="int",
               output="int") == -1
    assert run({"if": {"<": ["input", 0]}, "then": -1, "else": 1}, 5, input="int",
               output="int") == 1
    assert run({"if": True, "then": 1}, output="null") is None
    cond = {"cond": [{"if": {"<": ["input", 0]}, "then": {"string": "neg"}},
                     {"if": {"==": ["input", 0]}, "then": {"string": "zero"}}],
            "else": {"string": "pos"}}
    e = engine(cond, input="int", output="string")
    assert [e.action(x) for x in (-3, 0, 3)] == ["neg", "zero", "pos"]
    e = engine([{"let": {"s": {"string": "none"}}},
                {"cond": [{"if": {"<": ["input", 0]}, "then": {"set": {"s": {"string": "neg"}}}}]},
                "s"], input="int", output="string")
    assert [e.action(x) for x in (-3, 3)] == ["neg", "none"]


def test_if_branch_promoted_to_supertype():
    out = run({"if": True, "then": 1, "else": 2.5})
    assert out == 1.0 and isinstance(out, float)


def test_while_and_do_until():
    # sum of 0..9 = 45
    assert run([{"let": {"i": 0, "s": 0}},
                {"while": {"<": ["i", 10]},
                 "do": [{"set": {"s": {"+": ["s", "i"]}}}, {"set": {"i": {"+": ["i", 1]}}}]},
                "s"], output="int") == 45
    # do-until runs its body at least once
    assert run([{"let": {"n": 0}},
                {"do": {"set": {"n": {"+": ["n", 1]}}}, "until": True},
                "n"], output="int") == 1


def test_for_foreach_forkeyval():
    # 1 * 2 * 3 * 4 = 24
    assert run([{"let": {"p": 1}},
                {"for": {"i": 1}, "while": {"<=": ["i", 4]}, "step": {"i": {"+": ["i", 1]}},
                 "do": {"set": {"p": {"*": ["p", "i"]}}}},
                "p"], output="int") == 24
    e = engine([{"let": {"s": 0.0}},
                {"foreach": "x", "in": "input", "seq": True,
                 "do": {"set": {"s": {"+": ["s", "x"]}}}},
                "s"], input={"type": "array", "items": "double"})
    assert e.action([1.5, 2.5, 3.0]) == 7.0
    e = engine([{"let": {"s": 0, "k": {"string": ""}}},
                {"forkey": "key", "forval": "v", "in": "input",
                 "do": [{"set": {"s": {"+": ["s", "v"]}}},
                        {"set": {"k": {"s.concat": ["k", "key"]}}}]},
                {"+": ["s", {"s.len": "k"}]}],
               input={"type": "map", "values": "int"}, output="int")
    # values 1 + 2 + 3 = 6, keys "a" "bb" "ccc" → 6 characters
    assert e.action({"a": 1, "bb": 2, "ccc": 3}) == 12


def test_for_step_sees_old_values():
    # Fibonacci by simultaneous step: (a, b) ← (b, a + b) four times from (0, 1) → a = 3
    out = run([{"let": {"r": 0}},
               {"for": {"i": 0, "a": 0, "b": 1}, "while": {"<": ["i", 4]},
                "step": {"i": {"+": ["i", 1]}, "a": "b", "b": {"+": ["a", "b"]}},
                "do": {"set": {"r": "a"}}},
               "r"], output="int")
    # body sees a = 0, 1, 1, 2 → r = 2 after the last iteration
    assert out == 2


# -- casts --------------------------------------------------------------------------------

def test_cast_cases():
    cast = {"cast": "input", "cases": [
        {"as": "null", "named": "x", "do": -1000.0},
        {"as": "double", "named": "x", "do": "x"}]}
    e = engine(cast, input=["null", "double"])
    assert e.action(None) == -1000.0
    assert e.action(2.5) == 2.5
    e = engine([{"let": {"n": 0}},
                {"cast": "input", "cases": [
                    {"as": "string", "named": "s", "do": {"set": {"n": {"s.len": "s"}}}}],
                 "partial": True},
                "n"], input=["int", "string"], output="int")
    assert e.action("abcd") == 4
    assert e.action(9) == 0


def test_cast_first_matching_record_branch():
    a = {"type": "record", "name": "A", "fields": [{"name": "x", "type": "int"}]}
    b = {"type": "record", "name": "B", "fields": [{"name": "y", "type": "string"}]}
    e = engine({"cast": "input", "cases": [
        {"as": "A", "named": "r", "do": {"string": "A"}},
        {"as": "B", "named": "r", "do": {"string": "B"}}]}, input=[a, b], output="string")
    assert e.action({"x": 1}) == "A"
    assert e.action({"y": "q"}) == "B"


def test_upcast_and_ifnotnull():
    out = run({"upcast": 3, "as": "double"})
    assert out == 3.0 and isinstance(out, float)
    ifnn = {"ifnotnull": {"a": "input.a", "b": "input.b"},
            "then": {"+": ["a", "b"]}, "else": -1.0}
    rec = {"type": "record", "name": "P", "fields": [{"name": "a", "type": ["null", "double"]},
                                                     {"name": "b", "type": ["double", "null"]}]}
    e = engine(ifnn, input=rec)
    assert e.action({"a": 1.0, "b": 2.0}) == 3.0
    assert e.action({"a": None, "b": 2.0}) == -1.0
    assert e.action({"a": 1.0, "b": None}) == -1.0


# -- pack / unpack ----------------------------------------------------------------------------

def test_pack():
    out = run({"pack": [{"pad": None}, {"boolean": True}, {"int8": -1}, {"<short": 258},
                        {"int": 1}, {"unsigned int32": {"long": 4294967295}},
                        {"little double": 1.5}, {"raw": {"base64": "AQI="}},
                        {"raw 2": {"base64": "AQI="}}, {"nullterminated": {"base64": "AQI="}},
                        {"lengthprefixed": {"base64": "AQI="}}]}, output="bytes")
    expected = (b"\x00" + b"\x01" + b"\xff" + b"\x02\x01" + b"\x00\x00\x00\x01"
                + b"\xff\xff\xff\xff" + struct.pack("<d", 1.5) + b"\x01\x02" + b"\x01\x02"
                + b"\x01\x02\x00" + b"\x02\x01\x02")
    assert out == expected


def test_pack_errors():
    fails(3000, {"pack": [{"raw 3": {"base64": "AQI="}}]}, output="bytes")
    fails(3001, {"pack": [{"lengthprefixed": "input"}]}, b"x" * 256, input="bytes",
          output="bytes")


def test_unpack():
    data = struct.pack(">hIf", -2, 7, 0.5) + b"ab\x00" + b"\x02cd"
    e = engine({"unpack": "input",
                "format": [{"a": "short"}, {"b": "unsigned int"}, {"c": "float"},
                           {"d": "null terminated"}, {"e": "length prefixed"}],
                "then": {"new": {"a": "a", "b": "b", "c": "c", "d": "d", "e": "e"},
                         "type": {"type": "record", "name": "U", "fields": [
                             {"name": "a", "type": "int"}, {"name": "b", "type": "long"},
                             {"name": "c", "type": "float"}, {"name": "d", "type": "bytes"},
                             {"name": "e", "type": "bytes"}]}},
                "else": {"type": ["null", "U"], "value": None}},
               input="bytes", output=["null", "U"])
    assert e.action(data) == {"a": -2, "b": 7, "c": 0.5, "d": b"ab", "e": b"cd"}
    assert e.action(data + b"\x00") is None  # bytes left over: else
    assert e.action(data[:5]) is None  # too short: else


# -- doc, error, try, log ----------------------------------------------------------------------

def test_doc_returns_null():
    assert run([{"doc": "nothing"}], output="null") is None


def test_error_form():
    e = engine({"error": "custom failure", "code": -7}, output="null")
    with pytest.raises(PfaUserError) as info:
        e.action(None)
    assert info.value.code == -7 and info.value.message == "custom failure"
    err = fails(None, {"error": "no code"}, output="null")
    assert isinstance(err, PfaUserError)


def test_try():
    # int division by zero is error 18040 in the core library
    body = {"//": ["input", 0]}
    e = engine({"try": body}, input="int", output=["int", "null"])
    assert e.action(7) is None
    e = engine({"try": {"//": ["input", 2]}}, input="int", output=["int", "null"])
    assert e.action(7) == 3
    e = engine({"try": {"error": "boom", "code": -3}, "filter": [-3]}, output=["null"])
    assert e.action(None) is None
    e = engine({"try": {"error": "boom"}, "filter": ["boom"]}, output=["null"])
    assert e.action(None) is None
    e = engine({"try": {"error": "boom", "code": -3}, "filter": [-4, "other"]},
               output=["null"])
    with pytest.raises(PfaUserError):
        e.action(None)


def test_log(caplog):
    seen = []
    e = Engine.from_json({"input": "int", "output": "int",
                          "action": [{"log": ["input", {"string": "hi"}], "namespace": "ns"},
                                     {"log": {"string": "plain"}},
                                     "input"]},
                         on_log=lambda text, ns: seen.append((text, ns)))
    with caplog.at_level(logging.INFO, logger="pfa.log"):
        assert e.action(4) == 4
    assert seen == [('4 "hi"', "ns"), ('"plain"', None)]
    names = {r.name for r in caplog.records}
    assert {"pfa.log.ns", "pfa.log"} <= names


# -- functions ----------------------------------------------------------------------------

def test_user_functions_and_recursion():
    fib = {"params": [{"n": "int"}], "ret": "int", "do": {
        "cond": [{"if": {"<=": ["n", 1]}, "then": "n"}],
        "else": {"+": [{"u.fib": [{"-": ["n", 1]}]}, {"u.fib": [{"-": ["n", 2]}]}]}}}
    e = engine({"u.fib": "input"}, input="int", output="int", fcns={"fib": fib})
    assert [e.action(n) for n in range(10)] == [0, 1, 1, 2, 3, 5, 8, 13, 21, 34]


def test_user_function_return_promoted():
    e = engine({"u.f": []}, fcns={"f": {"params": [], "ret": "double", "do": 3}})
    out = e.action(None)
    assert out == 3.0 and isinstance(out, float)


def test_inline_function_closes_over_symbols():
    e = engine([{"let": {"k": {"+": ["input", 1]}}},
                {"a.map": [{"new": [1, 2, 3], "type": {"type": "array", "items": "int"}},
                           {"params": [{"x": "int"}], "ret": "int", "do": {"*": ["x", "k"]}}]}],
               input="int", output={"type": "array", "items": "int"})
    assert e.action(9) == [10, 20, 30]


def test_fcnref_user_library_and_fill():
    arr = {"type": "array", "items": "int"}
    e = engine({"a.map": ["input", {"fcn": "u.sq"}]}, input=arr, output=arr,
               fcns={"sq": {"params": [{"x": "int"}], "ret": "int", "do": {"*": ["x", "x"]}}})
    assert e.action([1, 2, 3]) == [1, 4, 9]
    darr = {"type": "array", "items": "double"}
    e = engine({"a.map": ["input", {"fcn": "m.sqrt"}]}, input=darr, output=darr)
    assert e.action([4.0, 9.0]) == [2.0, 3.0]
    # partial application: fill y of u.sub (x - y) with input[0]
    e = engine({"a.map": ["input", {"fcn": "u.sub", "fill": {"y": "input.0"}}]},
               input=arr, output=arr,
               fcns={"sub": {"params": [{"x": "int"}, {"y": "int"}], "ret": "int",
                             "do": {"-": ["x", "y"]}}})
    assert e.action([5, 7, 10]) == [0, 2, 5]


def test_library_fcnref_with_fill():
    arr = {"type": "array", "items": "double"}
    e = engine({"a.map": ["input", {"fcn": "m.hypot", "fill": {"y": 4.0}}]},
               input=arr, output=arr)
    assert e.action([3.0]) == [5.0]


def test_call_args_dispatch_by_enum():
    ops = {"type": "enum", "name": "Op", "symbols": ["add", "mul"]}
    rec = {"type": "record", "name": "In", "fields": [{"name": "op", "type": ops},
                                                      {"name": "x", "type": "int"}]}
    fcns = {"add": {"params": [{"a": "int"}, {"b": "int"}], "ret": "int",
                    "do": {"+": ["a", "b"]}},
            "mul": {"params": [{"a": "int"}, {"b": "int"}], "ret": "int",
                    "do": {"*": ["a", "b"]}}}
    e = engine({"call": "input.op", "args": ["input.x", 3]}, input=rec, output="int",
               fcns=fcns)
    assert e.action({"op": "add", "x": 5}) == 8
    assert e.action({"op": "mul", "x": 5}) == 15


def test_predefined_symbols():
    e = Engine.from_json({"input": "null", "output": "string", "name": "myEngine",
                          "version": 3, "metadata": {"k": "v"},
                          "action": {"s.concat": ["name", {"s.concat": [
                              {"s.int": "version"}, {"s.concat": [
                                  "metadata.k",
                                  {"s.int": "actionsStarted"}]}]}]}})
    assert e.action(None) == "myEngine3v1"
    assert e.action(None) == "myEngine3v2"
    assert e.actions_finished == 2


def test_instance_symbol():
    engines = Engine.factory({"input": "null", "output": "int", "action": "instance"}, 3)
    assert [x.action(None) for x in engines] == [0, 1, 2]


def test_library_error_propagates_with_code():
    err = fails(18040, {"//": ["input", 0]}, 1, input="int", output="int")
    assert isinstance(err, PfaRuntimeError)


def test_nan_and_infinity_flow_through():
    out = run({"/": [1, 0]})
    assert math.isinf(out)


def test_nested_inline_functions_capture_through_levels():
    arr = {"type": "array", "items": "int"}
    # for each x: sum over y in input of (x * y + k) with k = 1
    e = engine([{"let": {"k": 1}},
                {"a.map": ["input", {"params": [{"x": "int"}], "ret": "int", "do":
                    {"a.sum": {"a.map": ["input", {"params": [{"y": "int"}], "ret": "int",
                                                   "do": {"+": [{"*": ["x", "y"]}, "k"]}}]}}}]}],
               input=arr, output=arr)
    # input [1, 2]: x=1 → (1+1)+(2+1) = 5; x=2 → (2+1)+(4+1) = 8
    assert e.action([1, 2]) == [5, 8]


def test_input_ints_where_doubles_expected_are_normalised():
    rec = {"type": "record", "name": "P", "fields": [{"name": "x", "type": "double"},
                                                     {"name": "y", "type": ["null", "double"]}]}
    e = engine({"new": {"x": "input.x", "y": "input.y"}, "type": "P"}, input=rec, output="P")
    out = e.action({"x": 2, "y": 3})
    assert out == {"x": 2.0, "y": 3.0}
    assert isinstance(out["x"], float) and isinstance(out["y"], float)


def test_forwarding_inline_function():
    # an inline function that only forwards its parameters to a library function
    darr = {"type": "array", "items": "double"}
    e = engine({"a.reduce": ["input", {"params": [{"a": "double"}, {"b": "double"}],
                                       "ret": "double", "do": {"+": ["a", "b"]}}]},
               input=darr)
    assert e.action([1.0, 2.0, 3.5]) == 6.5
    # same shape but the parameters are swapped: not a plain forward
    e = engine({"a.reduce": ["input", {"params": [{"a": "double"}, {"b": "double"}],
                                       "ret": "double", "do": {"-": ["b", "a"]}}]},
               input=darr)
    # reduce left to right: f(f(1, 2), 3) = 3 - (2 - 1) = 2
    assert e.action([1.0, 2.0, 3.0]) == 2.0
