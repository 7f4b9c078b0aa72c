"""The checker on whole documents: top-level fields, methods, cells/pools, options,
annotations of the typed AST, and the acceptance examples."""

from __future__ import annotations

import pytest
from conftest import action, errors, ok

from pfa.avro.types import DOUBLE, INT, LONG, NULL, STRING, AvroArray, AvroRecord
from pfa.check.checker import check, type_str
from pfa.check.scope import BOTTOM
from pfa.check.signatures import FcnType, ResolvedCall
from pfa.document import ast as A
from pfa.document.reader import read
from pfa.errors import PfaSemanticErrors

TREE = {
    "input": {"type": "record", "name": "Datum", "fields": [
        {"name": "one", "type": "int"},
        {"name": "two", "type": "double"},
        {"name": "three", "type": "string"}]},
    "output": "string",
    "cells": {"tree": {
        "type": {"type": "record", "name": "TreeNode", "fields": [
            {"name": "field", "type": {"type": "enum", "name": "TreeFields",
                                       "symbols": ["one", "two", "three"]}},
            {"name": "operator", "type": "string"},
            {"name": "value", "type": ["double", "string"]},
            {"name": "pass", "type": ["string", "TreeNode"]},
            {"name": "fail", "type": ["string", "TreeNode"]}]},
        "init": {
            "field": "one", "operator": "<", "value": {"double": 12},
            "pass": {"TreeNode": {"field": "two", "operator": ">", "value": {"double": 3.5},
                                  "pass": {"string": "yes-yes"},
                                  "fail": {"string": "yes-no"}}},
            "fail": {"TreeNode": {"field": "three", "operator": "==",
                                  "value": {"string": "TEST"},
                                  "pass": {"string": "no-yes"},
                                  "fail": {"string": "no-no"}}}}}},
    "action": {"model.tree.simpleWalk": [
        "input",
        {"cell": "tree"},
        {"params": [{"d": "Datum"}, {"t": "TreeNode"}], "ret": "boolean",
         "do": {"model.tree.simpleTest": ["d", "t"]}}]},
}


# -- acceptance ---------------------------------------------------------------------------

def test_spec_decision_tree_example_checks():
    typed = ok(TREE)
    assert typed.output_type == STRING
    assert isinstance(typed.input_type, AvroRecord)
    assert set(typed.named_types) == {"Datum", "TreeNode", "TreeFields"}
    assert typed.functions_used == ["model.tree.simpleTest", "model.tree.simpleWalk"]
    call = typed.doc.action[0]
    assert isinstance(call, A.Call) and call.type == STRING
    assert isinstance(call.resolved, ResolvedCall)
    assert call.resolved.name == "model.tree.simpleWalk"


def test_a_map_with_fcnref_and_inline_fcn():
    arr = {"type": "array", "items": "double"}
    fcns = {"sq": {"params": [{"x": "double"}], "ret": "double", "do": {"*": ["x", "x"]}}}
    typed = ok(action({"a.map": ["input", {"fcn": "u.sq"}]}, arr, arr, fcns=fcns))
    ref = typed.doc.action[0].args[1]
    assert isinstance(ref, A.FcnRef)
    assert ref.resolved == ResolvedCall("u.sq", 0, (DOUBLE,), DOUBLE)
    assert typed.functions_used == ["*", "a.map", "u.sq"]
    assert typed.fcns == {"sq": FcnType((DOUBLE,), DOUBLE)}
    typed = ok(action({"a.map": ["input", {"params": [{"x": "double"}], "ret": "double",
                                           "do": {"*": ["x", "x"]}}]}, arr, arr))
    assert typed.doc.action[0].type == AvroArray(DOUBLE)


def test_adding_double_and_string_reports_both_types_and_path():
    errs = errors(action([{"let": {"x": 1.5, "s": ["str"]}}, {"+": ["x", "s"]}]))
    assert len(errs) == 1
    assert errs[0].path == "$.action[1]"
    assert '"+"' in errs[0].message or "'+'" in errs[0].message
    assert "double" in errs[0].message and "string" in errs[0].message


def test_errors_are_collected():
    errs = errors(action([{"+": ["input", ["a"]]}, {"u.nope": []}, "missing", 1.0]))
    assert [e.path for e in errs] == ["$.action[0]", "$.action[1]", "$.action[2]"]


# -- annotations ---------------------------------------------------------------------------

def test_every_expression_is_typed():
    doc = read(action([{"let": {"y": {"*": ["input", 2]}}},
                       {"if": {">": ["y", 0]}, "then": "y", "else": {"u.f": ["y"]}}],
                      fcns={"f": {"params": [{"a": "double"}], "ret": "long",
                                  "do": {"m.round": "a"}}}))
    check(doc)
    for node in A.walk(doc):
        if isinstance(node, A.Expr):
            assert node.type is not None, node
        if isinstance(node, A.TypeSpec):
            assert node.avro is not None
        if isinstance(node, A.Call):
            assert isinstance(node.resolved, ResolvedCall)
    user = doc.action[1].else_[0]
    assert user.resolved == ResolvedCall("u.f", 0, (DOUBLE,), LONG)
    assert doc.action[1].type == DOUBLE


def test_options_override_and_result_fields():
    typed = ok(action("input", options={"timeout": 100, "other": "x"}),
               options_override={"timeout.action": 5})
    assert typed.options == {"timeout": 100, "other": "x", "timeout.action": 5}
    assert typed.method == "map" and typed.input_type == DOUBLE


def test_type_str():
    assert type_str(INT) == "int"
    assert type_str(AvroArray(STRING)) == "array of string"
    assert type_str(FcnType((INT,), NULL)) == "function(int) -> null"
    assert type_str(BOTTOM) == "bottom"


# -- methods -------------------------------------------------------------------------------

def test_map_action_must_match_output():
    errs = errors(action(["input", ["s"]]))
    assert errs[0].path == "$.action[1]"
    assert "string" in errs[0].message and "double" in errs[0].message


def test_action_ending_in_error_is_accepted():
    ok(action({"error": "never"}))


def test_emit_method():
    typed = ok(action([{"emit": ["input"]}, ["ignored"]], method="emit"))
    call = typed.doc.action[0]
    assert call.resolved == ResolvedCall("emit", 0, (DOUBLE,), NULL) and call.type == NULL
    assert "emit" not in typed.functions_used
    errs = errors(action({"emit": [["s"]]}, method="emit"))
    assert errs[0].path == "$.action" and "string" in errs[0].message
    # emit is global: user functions and begin/end may call it
    ok(action({"u.e": ["input"]}, method="emit", begin=[{"emit": 1}],
              fcns={"e": {"params": [{"x": "double"}], "ret": "null", "do": {"emit": "x"}}}))
    # not defined for map
    assert "emit" in errors(action({"emit": ["input"]}))[0].message


def test_fold_method():
    ok(action({"+": ["tally", "input"]}, method="fold", zero=0,
              merge={"+": ["tallyOne", "tallyTwo"]}))
    errs = errors(action({"+": ["tally", "input"]}, method="fold", zero=["x"],
                         merge={"+": ["tallyOne", "tallyTwo"]}))
    assert "zero" in errs[0].message
    msgs = " ".join(e.message for e in errors(action("input", method="fold")))
    assert "zero" in msgs and "merge" in msgs
    errs = errors(action("input", zero=0, merge="tallyOne"))
    assert len(errs) == 2
    # tally is not in scope for map, nor in fold's begin
    assert "tally" in errors(action("tally"))[0].message
    errs = errors(action("tally", method="fold", zero=0, merge="tallyOne",
                         begin=["tally"]))
    assert errs[0].path == "$.begin[0]"


def test_predefined_symbols_per_phase():
    ok(action([{"let": {"a": "name", "b": "instance", "c": "metadata", "d": "actionsStarted",
                        "e": "actionsFinished", "f": "version"}}, "input"], version=3))
    errs = errors(action("input", begin=["version"]))
    assert errs[0].path == "$.begin[0]"
    errs = errors(action("input", begin=["input"], end=["input", "actionsStarted"]))
    assert [e.path for e in errs] == ["$.begin[0]", "$.end[0]"]
    # predefined symbols are read-only
    assert "input" in errors(action([{"set": {"input": 1.0}}, "input"]))[0].message


def test_predefined_symbols_not_in_fcns():
    errs = errors(action({"u.f": []}, fcns={"f": {"params": [], "ret": "double",
                                                 "do": "input"}}))
    assert errs[0].path == "$.fcns.f.do[0]" or errs[0].path.startswith("$.fcns.f")


# -- options, randseed ---------------------------------------------------------------------

@pytest.mark.parametrize("opt", ["timeout", "timeout.begin", "timeout.action", "timeout.end"])
def test_timeout_options_must_be_integers(opt):
    ok(action("input", options={opt: 1000}))
    errs = errors(action("input", options={opt: "soon"}))
    assert opt in errs[0].message
    assert errs[0].path == ("$.options.timeout" if opt == "timeout" else f'$.options["{opt}"]')
    errors(action("input", options={opt: 1.5}))
    errors(action("input", options={opt: True}))
    assert opt in errors(action("input"), options_override={opt: "x"})[0].message


def test_unknown_options_ignored():
    ok(action("input", options={"whatever": {"a": [1]}}))


# -- cells and pools -----------------------------------------------------------------------

def test_cell_init_validated():
    ok(action({"cell": "c"}, cells={"c": {"type": "double", "init": 1}}))
    errs = errors(action({"cell": "c"}, cells={"c": {"type": "double", "init": "x"}}))
    assert errs[0].path == "$.cells.c.init" and "init" in errs[0].message


def test_cell_shared_and_rollback():
    # the reader rejects this too; the checker also guards hand-built ASTs
    doc = read(action({"cell": "c"}, cells={"c": {"type": "double", "init": 1,
                                                  "shared": True}}))
    doc.cells["c"].rollback = True
    with pytest.raises(PfaSemanticErrors) as info:
        check(doc)
    assert "shared" in info.value.message and "rollback" in info.value.message


def test_pool_init_validated():
    ok(action({"pool": "p", "path": [["k"]]}, pools={"p": {"type": "double",
                                                          "init": {"k": 1.0}}}))
    ok(action({"pool": "p", "path": [["k"]]}, pools={"p": {"type": "double"}}))
    errs = errors(action({"pool": "p", "path": [["k"]]},
                         pools={"p": {"type": "double", "init": {"k": "x"}}}))
    assert errs[0].path == "$.pools.p.init.k" and "'k'" in errs[0].message


def test_unknown_cell_and_pool_suggest():
    errs = errors(action({"cell": "cnt"}, cells={"count": {"type": "double", "init": 1}}))
    assert "count" in errs[0].message and errs[0].path == "$.action"
    errs = errors(action({"pool": "pol", "path": [["a"]]}, pools={"pool": {"type": "double"}}))
    assert "pool" in errs[0].message


# -- types ---------------------------------------------------------------------------------

def test_forward_reference_to_named_type():
    # "Pair" is used by the input before the cell defines it
    doc = action({"cell": "c"}, input="Pair", output="Pair",
                 cells={"c": {"type": {"type": "record", "name": "Pair", "fields": [
                     {"name": "a", "type": "int"}]}, "init": {"a": 1}}})
    doc["action"] = [{"cell": "c"}]
    typed = ok(doc)
    assert typed.input_type is typed.output_type is typed.named_types["Pair"]


def test_unknown_type_name_is_reported():
    errs = errors(action("input", input="Nope"))
    assert "Nope" in errs[0].message


def test_literal_values_validated():
    ok(action({"type": {"type": "array", "items": "int"}, "value": [1, 2]},
              output={"type": "array", "items": "int"}))
    errs = errors(action({"type": {"type": "array", "items": "int"}, "value": [1, "x"]},
                         output={"type": "array", "items": "int"}))
    assert errs[0].path == "$.action.value[1]"


def test_semantic_errors_carry_locator():
    doc = action({"@": "line 7", "+": ["input", ["s"]]})
    with pytest.raises(PfaSemanticErrors) as info:
        check(read(doc))
    assert info.value.errors[0].locator == "line 7"
