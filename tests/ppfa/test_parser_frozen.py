"""The recursive-descent parser against the answers of the lark LALR parser it replaced
(frozen in lark_frozen.json: tricky programs, the corpus, corpus files with random edits,
random token soups and generated programs): the same syntax tree — kinds, parts, tokens,
lines, columns, parentheses — or an error at the same line and column."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from pfa.document.pretty import PrettyPfaError
from pfa.document.pretty.syntax import Node, Token, parse

HERE = Path(__file__).parent
CASES = json.loads((HERE / "lark_frozen.json").read_text(encoding="utf-8"))["cases"]
CORPUS = {p.stem: p.read_text(encoding="utf-8") for p in (HERE / "corpus").glob("*.ppfa")}


def _text(case: dict) -> str:
    if "text" in case:
        return case["text"]
    text = CORPUS[case["corpus"]]
    if "at" in case:
        text = text[:case["at"]] + case["insert"] + text[case["cut"]:]
    return text


def canonical(x: Any) -> Any:
    """The tree as JSON-able lists (the form the digests were made of)."""
    if isinstance(x, Node):
        return [x.kind, canonical(x.parts), x.line, x.column, x.paren]
    if isinstance(x, Token):  # a tuple too: first
        return ["T", x.type, str(x), x.line, x.column]
    if isinstance(x, tuple):
        return [canonical(p) for p in x]
    return x


def digest(tree: Node) -> str:
    return hashlib.sha256(json.dumps(canonical(tree)).encode()).hexdigest()[:24]


def test_the_frozen_cases_cover_trees_and_errors() -> None:
    trees = sum(isinstance(c["expect"], str) for c in CASES)
    assert trees >= 200 and len(CASES) - trees >= 500


@pytest.mark.parametrize("case", CASES, ids=range(len(CASES)))
def test_same_tree_or_error_position_as_the_lark_parser(case: dict) -> None:
    text = _text(case)
    expect = case["expect"]
    if isinstance(expect, str):
        tree = parse(text)
        assert digest(tree) == expect, (text, canonical(tree))
    else:
        with pytest.raises(PrettyPfaError) as info:
            parse(text)
        assert [info.value.line, info.value.column] == expect, (text, str(info.value))
