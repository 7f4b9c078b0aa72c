"""Symbol scoping: block scopes, shadowing, sealed-within and sealed-from-above."""

from __future__ import annotations

import pytest
from conftest import action, errors, ok

from pfa.avro.types import DOUBLE, INT
from pfa.check.scope import Scope


def test_scope_object():
    root = Scope()
    assert root.declare("x", INT) is None
    assert "already declared" in root.declare("x", INT)
    inner = root.child()
    assert "already declared" in inner.declare("x", DOUBLE)  # no shadowing when nested
    assert inner.get("x") is INT and inner.writable("x")
    sealed = inner.sealed()
    assert "sealed within" in sealed.declare("y", INT)
    assert not sealed.writable("x")
    assert not sealed.child().writable("x")  # a "do" does not lift sealed-from-above
    assert "valid symbol" in root.declare("a.b", INT)


def test_let_then_use_and_set():
    ok(action([{"let": {"x": 1.0}}, {"set": {"x": {"+": ["x", "input"]}}}, "x"]))


def test_let_values_cannot_see_each_other():
    errs = errors(action([{"let": {"a": 1.0, "b": "a"}}, "a"]))
    assert errs[0].path == "$.action[0].let.b" and "'a'" in errs[0].message


def test_unknown_symbol_suggests():
    errs = errors(action([{"let": {"total": 1.0}}, "totl"]))
    assert errs[0].path == "$.action[1]" and "total" in errs[0].message


def test_redeclaration_and_shadowing():
    errs = errors(action([{"let": {"x": 1.0}}, {"let": {"x": 2.0}}, "x"]))
    assert errs[0].path == "$.action[1].let.x" and "already declared" in errs[0].message
    errs = errors(action([{"let": {"x": 1.0}}, {"do": [{"let": {"x": 2.0}}, "x"]}]))
    assert errs[0].path == "$.action[1].do[0].let.x"
    errs = errors(action([{"let": {"input2": 1.0}}, {"let": {"input": 2.0}}, "input2"]))
    assert "input" in errs[0].message


def test_same_name_in_disjoint_scopes():
    ok(action([{"do": [{"let": {"x": 1.0}}, "x"]}, {"do": [{"let": {"x": 2.0}}, "x"]}]))
    ok(action({"if": True, "then": [{"let": {"x": 1.0}}, "x"],
               "else": [{"let": {"x": 2.0}}, "x"]}))


def test_block_scope_ends():
    errs = errors(action([{"do": [{"let": {"x": 1.0}}, "x"]}, "x"]))
    assert errs[0].path == "$.action[1]"


def test_set_requires_declaration_and_type():
    errs = errors(action([{"set": {"y": 1.0}}, "input"]))
    assert errs[0].path == "$.action[0].set.y" and "undeclared" in errs[0].message
    errs = errors(action([{"let": {"x": 1}}, {"set": {"x": 2.5}}, "input"]))
    assert "int" in errs[0].message and "double" in errs[0].message


def test_function_arguments_are_sealed_within():
    errs = errors(action({"+": [{"let": {"x": 1.0}}, 1.0]}))
    assert errs[0].path == '$.action["+"][0].let.x' and "sealed" in errs[0].message
    ok(action({"+": [{"do": [{"let": {"x": 1.0}}, "x"]}, 1.0]}))


def test_function_arguments_are_sealed_from_above():
    errs = errors(action([{"let": {"outer": 0.0}},
                          {"+": [{"do": [{"set": {"outer": 1.0}}, "outer"]}, 1.0]}]))
    assert "outer" in errs[0].message and errs[0].path.endswith("set.outer")
    # a plain do does not seal
    ok(action([{"let": {"outer": 0.0}}, {"do": [{"set": {"outer": 1.0}}, "outer"]}]))


def test_let_values_sealed():
    errs = errors(action([{"let": {"x": 0.0}},
                          {"let": {"y": {"do": [{"set": {"x": 1.0}}, "x"]}}}, "y"]))
    assert "x" in errs[0].message


def test_if_condition_sealed_branches_not():
    ok(action([{"let": {"x": 0.0}}, {"if": True, "then": {"set": {"x": 1.0}}}, "x"]))
    errs = errors(action([{"let": {"x": 0.0}},
                          {"if": {"do": [{"set": {"x": 1.0}}, True]}, "then": "x"}, "x"]))
    assert errs


def test_inline_function_is_closure_read_only():
    arr = {"type": "array", "items": "double"}
    ok(action([{"let": {"k": 2.0}},
               {"a.map": ["input", {"params": [{"v": "double"}], "ret": "double",
                                    "do": {"*": ["v", "k"]}}]}], arr, arr))
    errs = errors(action([{"let": {"k": 2.0}},
                          {"a.map": ["input", {"params": [{"v": "double"}], "ret": "double",
                                               "do": [{"set": {"k": "v"}}, "v"]}]}], arr, arr))
    assert "'k'" in errs[0].message
    # locals of the inline function may be modified
    ok(action({"a.map": ["input", {"params": [{"v": "double"}], "ret": "double",
                                   "do": [{"let": {"w": "v"}}, {"set": {"w": 1.0}}, "w"]}]},
              arr, arr))


def test_inline_function_params_do_not_shadow():
    """spec §"Symbols, scope, and data structures": a symbol may not be declared "in two
    scopes such that one is nested within the other", and an inline function closes over
    the symbols of its enclosing scopes (§"User-defined functions"), so its parameters may
    not reuse their names."""
    arr = {"type": "array", "items": "double"}
    errs = errors(action([{"let": {"v": 2.0}},
                          {"a.map": ["input", {"params": [{"v": "double"}], "ret": "double",
                                               "do": "v"}]}], arr, arr))
    assert len(errs) == 1 and "shadows" in errs[0].message
    assert errs[0].path.endswith(".params[0]") or "params" in errs[0].path


def test_inline_updater_param_may_not_reuse_the_enclosing_functions_param():
    """The cell-to updater inside u.a closes over u.a's parameter x (the reference
    implementation accepts this document; the spec's no-shadowing rule refuses it)."""
    doc = action("input", input="string", output="string", fcns={
        "a": {"params": [{"x": "null"}], "ret": "null",
              "do": [{"cell": "c", "to": {"params": [{"x": "null"}], "ret": "null",
                                          "do": [None]}}, None]}},
        cells={"c": {"type": "null", "init": None}})
    errs = errors(doc)
    assert len(errs) == 1 and "'x'" in errs[0].message and "shadows" in errs[0].message
    doc["fcns"]["a"]["do"][0]["to"]["params"] = [{"y": "null"}]
    ok(doc)


def test_fcns_only_see_their_params():
    errs = errors(action([{"let": {"x": 1.0}}, {"u.f": []}],
                         fcns={"f": {"params": [], "ret": "double", "do": "x"}}))
    assert errs[0].path.startswith("$.fcns.f")
    ok(action({"u.f": ["input"]},
              fcns={"f": {"params": [{"p": "double"}], "ret": "double",
                          "do": [{"set": {"p": 2.0}}, "p"]}}))


@pytest.mark.parametrize("seq,valid", [(True, True), (False, False), (None, False)])
def test_foreach_seq_seals_from_above(seq, valid):
    form = {"foreach": "v", "in": "input", "do": {"set": {"acc": {"+": ["acc", "v"]}}}}
    if seq is not None:
        form["seq"] = seq
    doc = action([{"let": {"acc": 0.0}}, form, "acc"],
                 input={"type": "array", "items": "double"})
    if valid:
        ok(doc)
    else:
        assert "'acc'" in errors(doc)[0].message


def test_forkey_forval_unsealed():
    ok(action([{"let": {"acc": 0.0}},
               {"forkey": "k", "forval": "v", "in": "input",
                "do": {"set": {"acc": {"+": ["acc", "v"]}}}}, "acc"],
              input={"type": "map", "values": "double"}))


def test_for_loop_scopes():
    ok(action([{"let": {"acc": 0}},
               {"for": {"i": 0}, "while": {"<": ["i", 10]}, "step": {"i": {"+": ["i", 1]}},
                "do": {"set": {"acc": {"+": ["acc", "i"]}}}}, "acc"], output="int"))
    # the loop variable is not visible after the loop
    errs = errors(action([{"for": {"i": 0}, "while": {"<": ["i", 10]},
                           "step": {"i": {"+": ["i", 1]}}, "do": "i"}, "i"], output="int"))
    assert errs[0].path == "$.action[1]"
    # step of an undeclared symbol
    errs = errors(action([{"for": {"i": 0}, "while": {"<": ["i", 10]},
                           "step": {"j": {"+": ["i", 1]}}, "do": "i"}, "input"]))
    assert "'j'" in errs[0].message


def test_cast_case_symbols_may_repeat():
    ok(action({"cast": "input", "cases": [{"as": "null", "named": "x", "do": 0.0},
                                          {"as": "double", "named": "x", "do": "x"}]},
              input=["null", "double"]))
