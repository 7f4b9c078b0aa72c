"""Every syntax error the reader raises: class, JSON path, locator and message."""

from __future__ import annotations

import pytest

from pfa.document.reader import read, read_expr, read_yaml
from pfa.errors import PfaSyntaxError

MINIMAL = {"input": "double", "output": "double", "action": "input"}


def doc_with(**fields):
    return {**MINIMAL, **fields}


EXPR_ERRORS = [
    # (expression, expected path, message fragment)
    ("x y", "$", "not a valid symbol"),
    ("", "$", "not a valid symbol"),
    ("x..y", "$", "empty step"),
    ("9x", "$", "not a valid symbol"),
    (2**64, "$", "64 bits"),
    ([1, 2], "$", "JSON array"),
    ([], "$", "JSON array"),
    ({}, "$", "empty object"),
    ({"int": 2**31}, "$.int", "32-bit"),
    ({"int": 1.5}, "$.int", "expected an integer"),
    ({"int": True}, "$.int", "expected an integer"),
    ({"long": 2**63}, "$.long", "64-bit"),
    ({"float": 1e39}, "$.float", "32-bit float"),
    ({"float": "x"}, "$.float", "expected a number"),
    ({"double": "nan"}, "$.double", "expected a number"),
    ({"string": 3}, "$.string", "expected a string"),
    ({"base64": "abc"}, "$.base64", "invalid base64"),
    ({"base64": "a$=="}, "$.base64", "invalid base64"),
    ({"type": 3, "value": 1}, "$.type", "Avro schema"),
    ({"value": 1}, "$", "part of a special form"),
    ({"then": 1}, "$", "part of a special form"),
    ({"if": True}, "$", "needs a 'then'"),
    ({"if": True, "then": 1, "esle": 2}, "$.esle", "did you mean 'else'"),
    ({"iff": True, "then": 1}, "$", "'iff' → 'if'"),
    ({"a": 1, "b": 2}, "$", "unrecognized special form"),
    ({"f g": 1}, "$", "not a valid function name"),
    ({"params": [], "ret": "int", "do": 1}, "$", "only allowed as a function argument"),
    ({"fcn": "u.f"}, "$", "only allowed as a function argument"),
    ({"f": {"fcn": 3}}, "$.f.fcn", "function name"),
    ({"f": {"fcn": "u.f", "fill": []}}, "$.f.fill", "object"),
    ({"f": {"params": {}, "ret": "int", "do": 1}}, "$.f.params", "JSON array of parameters"),
    ({"f": {"params": [{"a": "int", "b": "int"}], "ret": "int", "do": 1}}, "$.f.params[0]",
     "exactly one member"),
    ({"f": {"params": [{"1a": "int"}], "ret": "int", "do": 1}}, '$.f.params[0]["1a"]',
     "parameter name"),
    ({"f": {"params": [{"a": "int"}, {"a": "int"}], "ret": "int", "do": 1}}, "$.f.params[1]",
     "twice"),
    ({"f": {"params": [], "ret": "int", "do": []}}, "$.f.do", "at least one expression"),
    ({"f": {"params": [], "ret": "int"}}, "$.f", "needs a 'do'"),
    ({"call": "x", "args": 1}, "$.args", "JSON array"),
    ({"new": 1, "type": "int"}, "$.new", "JSON array"),
    ({"new": [1]}, "$", "needs a 'type'"),
    ({"let": {}}, "$.let", "at least one member"),
    ({"let": []}, "$.let", "object"),
    ({"let": {"a-b": 1}}, '$.let["a-b"]', "not a valid symbol"),
    ({"set": {"x": [1, 2]}}, "$.set.x", "JSON array"),
    ({"attr": "x", "path": []}, "$.path", "at least one item"),
    ({"attr": "x"}, "$", "needs a 'path'"),
    ({"attr": "x", "path": "y"}, "$.path", "JSON array"),
    ({"cell": 3}, "$.cell", "cell name"),
    ({"cell": "c", "path": "y"}, "$.path", "JSON array"),
    ({"pool": "p"}, "$", "needs a 'path'"),
    ({"pool": "p", "path": []}, "$.path", "at least one item"),
    ({"pool": "p", "path": ["k"], "init": 1}, "$.init", "only allowed in the pool-to"),
    ({"pool": "p", "del": "k", "path": ["k"]}, "$.path", "unexpected member"),
    ({"do": []}, "$.do", "at least one expression"),
    ({"cond": []}, "$.cond", "at least one"),
    ({"cond": {"if": True, "then": 1}}, "$.cond", "JSON array"),
    ({"cond": [{"if": True, "then": 1, "else": 2}]}, "$.cond[0].else", "cannot have \"else\""),
    ({"cond": [{"if": True}]}, "$.cond[0]", "needs a 'then'"),
    ({"while": True}, "$", "needs a 'do'"),
    ({"do": 1, "until": True, "while": True}, "$.until", "unexpected member"),
    ({"for": {}, "while": True, "step": {}, "do": 1}, "$.for", "at least one member"),
    ({"for": {"i": 0}, "until": True, "step": {}, "do": 1}, "$.until", "unexpected member"),
    ({"foreach": "x.y", "in": "a", "do": 1}, "$.foreach", "not a valid symbol"),
    ({"foreach": "x", "in": "a", "do": 1, "seq": "yes"}, "$.seq", "true or false"),
    ({"forkey": "k", "in": "m", "do": 1}, "$", "needs a 'forval'"),
    ({"cast": "x", "cases": []}, "$.cases", "at least one case"),
    ({"cast": "x", "cases": [{"as": "int", "do": 1}]}, "$.cases[0]", "needs a 'named'"),
    ({"cast": "x", "cases": [{"as": "int", "named": "i", "do": 1, "then": 2}]},
     "$.cases[0].then", "unexpected member"),
    ({"cast": "x", "cases": [{"as": "int", "named": "i", "do": 1}], "partial": 1},
     "$.partial", "true or false"),
    ({"upcast": "x", "as": 5}, "$.as", "Avro schema"),
    ({"ifnotnull": {}, "then": 1}, "$.ifnotnull", "at least one member"),
    ({"unpack": "b", "format": [], "then": 1}, "$.format", "at least one"),
    ({"unpack": "b", "format": [{"x": "int", "y": "int"}], "then": 1}, "$.format[0]",
     "one-member"),
    ({"unpack": "b", "format": [{"x": "quad"}], "then": 1}, "$.format[0].x",
     "not a valid unpack format"),
    ({"unpack": "b", "format": [{"x": "raw"}], "then": 1}, "$.format[0].x",
     "not a valid unpack format"),
    ({"pack": {"int": 1}}, "$.pack", "JSON array"),
    ({"pack": [{"bogus": 1}]}, "$.pack[0].bogus", "not a valid pack format"),
    ({"doc": 1}, "$.doc", "expected a string"),
    ({"error": 1}, "$.error", "error message"),
    ({"error": "e", "code": 3}, "$.code", "must be negative"),
    ({"error": "e", "code": 0}, "$.code", "must be negative"),
    ({"error": "e", "code": "x"}, "$.code", "negative integer"),
    ({"try": 1, "filter": "x"}, "$.filter", "JSON array"),
    ({"try": 1, "filter": [1.5]}, "$.filter[0]", "error message or code"),
    ({"log": 1, "namespace": 1}, "$.namespace", "namespace string"),
    ({"@": 3, "+": [1, 2]}, '$["@"]', "locator mark"),
    ({"type": {"type": "map", "values": "int"}, "value": {"@": 1}}, '$.value["@"]',
     "locator mark"),
]


@pytest.mark.parametrize("value, path, fragment", EXPR_ERRORS,
                         ids=[str(i) for i in range(len(EXPR_ERRORS))])
def test_expression_errors(value, path, fragment):
    with pytest.raises(PfaSyntaxError) as info:
        read_expr(value)
    assert info.value.path == path
    assert fragment in info.value.message


DOC_ERRORS = [
    (doc_with(inputs="double"), "$.inputs", "did you mean 'input'"),
    ({"input": "double", "action": 1}, "$", "'output'"),
    ({"output": "double", "action": 1}, "$", "'input'"),
    ({"input": "double", "output": "double"}, "$", "'action'"),
    (doc_with(action=[]), "$.action", "at least one expression"),
    (doc_with(input=3), "$.input", "Avro schema"),
    (doc_with(name=3), "$.name", "expected a string"),
    (doc_with(method="mapp"), "$.method", "did you mean 'map'"),
    (doc_with(method=1), "$.method", "\"map\""),
    (doc_with(fcns=[]), "$.fcns", "object of function definitions"),
    (doc_with(fcns={"f-g": {"params": [], "ret": "int", "do": 1}}), '$.fcns["f-g"]',
     "function name"),
    (doc_with(fcns={"f": 1}), "$.fcns.f", "function definition"),
    (doc_with(fcns={"f": {"params": [], "ret": "int", "do": 1, "doc": "x"}}), "$.fcns.f.doc",
     "unexpected member"),
    (doc_with(merge=[]), "$.merge", "at least one expression"),
    (doc_with(cells=[]), "$.cells", "cell specifications"),
    (doc_with(cells={"c": {"type": "int"}}), "$.cells.c", "needs 'init'"),
    (doc_with(cells={"c": {"init": 1}}), "$.cells.c", "needs 'type'"),
    (doc_with(cells={"1c": {"type": "int", "init": 1}}), '$.cells["1c"]', "cell name"),
    (doc_with(cells={"c": {"type": "int", "init": 1, "shared": "no"}}), "$.cells.c.shared",
     "true or false"),
    (doc_with(cells={"c": {"type": "int", "init": 1, "shared": True, "rollback": True}}),
     "$.cells.c", "both shared and rollback"),
    (doc_with(cells={"c": {"type": "int", "init": 1, "sauce": "x"}}), "$.cells.c.sauce",
     "did you mean 'source'"),
    (doc_with(cells={"c": {"type": "int", "init": 1, "source": "xml"}}), "$.cells.c.source",
     "source must be"),
    (doc_with(cells={"c": {"type": "int", "init": 1, "source": "json"}}), "$.cells.c.init",
     "file name or URL"),
    (doc_with(pools={"p": {"type": "int", "init": []}}), "$.pools.p.init",
     "initial pool items"),
    (doc_with(randseed=1.5), "$.randseed", "integer"),
    (doc_with(randseed=True), "$.randseed", "integer"),
    (doc_with(version="1"), "$.version", "integer"),
    (doc_with(doc=["x"]), "$.doc", "string"),
    (doc_with(metadata={"a": 1}), "$.metadata.a", "metadata values are strings"),
    (doc_with(options=[]), "$.options", "object of options"),
    (doc_with(action={"let": {"x": {"iff": 1, "then": 2}}}), "$.action.let.x",
     "unrecognized special form"),
    ([], "$", "PFA document"),
]


@pytest.mark.parametrize("doc, path, fragment", DOC_ERRORS,
                         ids=[str(i) for i in range(len(DOC_ERRORS))])
def test_document_errors(doc, path, fragment):
    with pytest.raises(PfaSyntaxError) as info:
        read(doc)
    assert info.value.path == path
    assert fragment in info.value.message


def test_error_carries_innermost_locator():
    with pytest.raises(PfaSyntaxError) as info:
        read(doc_with(action=[{"@": "outer", "do": [{"@": "inner", "let": {"x y": 1}}]}]))
    assert info.value.locator == "inner"
    assert info.value.path == '$.action[0].do[0].let["x y"]'
    assert "(source inner)" in str(info.value)
    with pytest.raises(PfaSyntaxError) as info:
        read(doc_with(action=[{"@": "outer", "do": [{"let": {"x": 1}}, "a b"]}]))
    assert info.value.locator == "outer"


def test_text_errors():
    with pytest.raises(PfaSyntaxError, match="invalid JSON"):
        read('{"input": "double",')
    with pytest.raises(PfaSyntaxError, match="appears twice"):
        read('{"input": "double", "input": "int", "output": "int", "action": 1}')
    with pytest.raises(PfaSyntaxError) as info:
        read('{"input": "double", "output": "double", "action": 1e400}')
    assert info.value.path == "$.action" and "too large" in info.value.message
    with pytest.raises(PfaSyntaxError, match="invalid YAML"):
        read_yaml("input: [double\n")
    with pytest.raises(PfaSyntaxError, match="member names must be strings"):
        read_yaml("input: double\noutput: double\naction: {1: 2}\n")
    with pytest.raises(PfaSyntaxError, match="no JSON equivalent"):
        read_yaml("input: double\noutput: double\naction: 2020-01-01\n")
