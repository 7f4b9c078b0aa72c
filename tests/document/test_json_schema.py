"""schemas/pfa-document.schema.json: accepts every valid corpus document, rejects bad shapes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

jsonschema = pytest.importorskip("jsonschema")

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "schemas" / "pfa-document.schema.json").read_text())
VALID = sorted((ROOT / "tests" / "corpus" / "valid").glob("*.json"))
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)

MINIMAL = {"input": "double", "output": "double", "action": "input"}


def test_schema_is_a_valid_draft_2020_12_schema():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


@pytest.mark.parametrize("path", VALID, ids=[p.stem for p in VALID])
def test_valid_corpus_documents_conform(path: Path):
    errors = list(VALIDATOR.iter_errors(json.loads(path.read_text())))
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors[:3]]


@pytest.mark.parametrize("bad", [
    {"input": "double", "output": "double"},
    {**MINIMAL, "actions": 1},
    {**MINIMAL, "method": "reduce"},
    {**MINIMAL, "randseed": "x"},
    {**MINIMAL, "metadata": {"a": 1}},
    {**MINIMAL, "action": []},
    {**MINIMAL, "action": {"if": True}},
    {**MINIMAL, "action": {"if": True, "then": 1, "esle": 2}},
    {**MINIMAL, "action": {"a": 1, "b": 2}},
    {**MINIMAL, "action": {"let": {}}},
    {**MINIMAL, "action": {"int": 3000000000}},
    {**MINIMAL, "action": {"error": "e", "code": 4}},
    {**MINIMAL, "action": {"unpack": "x", "format": [{"a": "int128"}], "then": 1}},
    {**MINIMAL, "action": {"params": [], "ret": "int", "do": 1}},
    {**MINIMAL, "cells": {"c": {"type": "int"}}},
    {**MINIMAL, "cells": {"c": {"type": "int", "init": 1, "shared": True, "rollback": True}}},
    {**MINIMAL, "input": {"type": "array"}},
    {**MINIMAL, "fcns": {"f": {"params": [], "ret": "int"}}},
], ids=lambda d: json.dumps(d)[:60])
def test_invalid_shapes_are_rejected(bad):
    assert not VALIDATOR.is_valid(bad)


def test_locator_marks_are_allowed_everywhere():
    doc = {"@": "a", "input": {"@": "b", "type": "array", "items": "double"}, "output": "double",
           "action": [{"@": "c", "a.sum": "input"}],
           "cells": {"@": "d", "c": {"@": "e", "type": "int", "init": 0}}}
    assert VALIDATOR.is_valid(doc)
