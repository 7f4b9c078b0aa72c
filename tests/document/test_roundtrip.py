"""Property tests: writing and re-reading a tree gives the same tree."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from pfa_ast_strategies import documents, expressions

from pfa.document.reader import read, read_expr, read_yaml
from pfa.document.writer import write, write_expr, write_json, write_yaml

_SETTINGS = settings(max_examples=200, deadline=None,
                     suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@_SETTINGS
@given(documents())
def test_read_write_dict_roundtrip(doc):
    assert read(write(doc)) == doc


@settings(max_examples=100, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(documents())
def test_read_write_json_text_roundtrip_and_determinism(doc):
    text = write_json(doc)
    again = read(text)
    assert again == doc
    assert write_json(again) == text
    assert write_json(doc, indent=2) == write_json(again, indent=2)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(documents())
def test_read_write_yaml_roundtrip(doc):
    assert read_yaml(write_yaml(doc)) == doc


@settings(max_examples=100, deadline=None)
@given(expressions)
def test_expression_roundtrip(expr):
    assert read_expr(write_expr(expr)) == expr
