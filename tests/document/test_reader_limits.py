"""Reader limits (issue #10): documents Python cannot hold as they are end as PfaSyntaxError."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pfa import Engine
from pfa.document.reader import read, read_yaml
from pfa.errors import PfaSyntaxError

BIG = "9" * 5000


@pytest.mark.parametrize("text", [
    '{"input": "null", "output": "long", "action": ' + BIG + "}",
    '{"input": "null", "output": "long", "action": {"+": [1, -' + BIG + "]}}",
    '{"input": "null", "output": "double", "action": {"cell": "c"}, "cells": {"c": '
    '{"type": "double", "init": ' + BIG + "}}}",
    '{"input": "null", "output": "long", "action": 1, "randseed": ' + BIG + "}",
])
def test_integer_literal_beyond_4300_digits(text):
    with pytest.raises(PfaSyntaxError, match="4,300 digits"):
        read(text)
    with pytest.raises(PfaSyntaxError):
        Engine.from_json(text)


def test_yaml_integer_beyond_4300_digits():
    with pytest.raises(PfaSyntaxError):
        read_yaml("input: 'null'\noutput: long\naction: " + BIG + "\n")


@settings(max_examples=30, deadline=None)
@given(st.integers(4301, 9000))
def test_any_too_long_integer_is_a_syntax_error(digits):
    with pytest.raises(PfaSyntaxError):
        read('{"input": "null", "output": "long", "action": ' + "1" * digits + "}")


@pytest.mark.parametrize("depth", [10_000, 100_000])
def test_deep_document(depth):
    text = '{"input": "null", "output": "int", "action": ' + "[" * depth + "]" * depth + "}"
    with pytest.raises(PfaSyntaxError, match="nested too deeply"):
        read(text)


def test_lone_surrogate_name_is_kept():
    """A name is any JSON string: one holding a lone surrogate is read as it is (the command
    line escapes it when it prints it)."""
    doc = read('{"name": "\\ud800", "input": "null", "output": "null", "action": null}')
    assert doc.name == "\ud800"
    assert Engine.from_json(json.loads(
        '{"name": "\\udfff", "input": "null", "output": "null", "action": null}')).name \
        == "\udfff"


def test_a_yaml_document_written_as_json_is_read_as_json() -> None:
    """JSON is YAML 1.2: a JSON text given as YAML reads like JSON (same document, JSON's
    number rules) and at JSON's speed — the harness's 3-million-element literal (mutant 288)
    took minutes through a YAML parser."""
    from pfa.document.reader import read, read_yaml

    text = '{"input": "double", "output": "double", "action": {"+": ["input", 1e3]}}'
    assert read_yaml(text) == read(text)
    flow = '{input: double, output: double, action: {"+": [input, 1]}}'  # YAML, not JSON
    assert read_yaml(flow) == read(text.replace("1e3", "1"))
