"""PFA → PrettyPFA → PFA gives the same document (tests/ppfa/pretty_canon.py says how they
are compared): every document of the corpus, and generated documents."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from pretty_canon import comparable

from pfa.document.pretty import dumps, loads
from pfa.document.pretty.unparse import Unwritable
from pfa.document.reader import read

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "document"))
from pfa_ast_strategies import documents  # noqa: E402

CORPUS = sorted((Path(__file__).resolve().parent.parent / "corpus" / "valid").glob("*.json"))
PRETTY = sorted((Path(__file__).parent / "corpus").glob("*.ppfa"))


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.stem)
def test_corpus_document_round_trips(path: Path) -> None:
    doc = read(json.loads(path.read_text(encoding="utf-8")))
    text = dumps(doc)
    assert comparable(read(loads(text))) == comparable(doc)
    assert dumps(read(loads(text))) == text  # and the text is a fixed point


@pytest.mark.parametrize("path", PRETTY, ids=lambda p: p.stem)
def test_pretty_corpus_round_trips_through_the_writer(path: Path) -> None:
    doc = read(loads(path.read_text(encoding="utf-8")))
    assert comparable(read(loads(dumps(doc)))) == comparable(doc)


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(documents())
def test_generated_documents_round_trip_or_are_refused_with_a_reason(doc) -> None:
    # The generated documents are syntactically valid, not checked: many refer to cells and
    # functions they do not declare, which PrettyPFA cannot spell (its names are resolved
    # by declaration). Those are refused with the reason; all others round-trip exactly.
    try:
        text = dumps(doc)
    except Unwritable as exc:
        assert exc.path.startswith("$") and "cannot write as PrettyPFA" in str(exc)
        return
    assert comparable(read(loads(text))) == comparable(doc)


@pytest.mark.parametrize("source,reason", [
    ({"input": "int", "output": "int", "cells": {"x": {"type": "int", "init": 0}},
      "action": [{"let": {"y": 1}}, "x"]}, "has the name of a cell"),
    ({"input": "int", "output": "int", "action": [{"cell": "nope"}]}, "undeclared cell"),
    ({"input": "int", "output": "int", "action": [{"a.map": ["x", {"fcn": "no.such"}]}]},
     "unknown function"),
    ({"input": {"type": "record", "name": "R", "fields": [
        {"name": "a", "type": "int", "doc": "x"}]}, "output": "int", "action": [1]},
     "record field with the member(s) ['doc']"),
])
def test_unwritable_documents_say_why(source, reason) -> None:
    with pytest.raises(Unwritable) as info:
        dumps(source)
    assert reason in str(info.value)
