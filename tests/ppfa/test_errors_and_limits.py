"""Errors in PrettyPFA text: a PrettyPfaError (a PfaSyntaxError) with line and column, never
another exception; hostile input (deep nesting, long files, huge numbers) is refused or read
within the parser's limits."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pfa.document.pretty import PrettyPfaError, loads
from pfa.document.pretty.syntax import MAX_NESTING
from pfa.errors import PfaSyntaxError

CORPUS = [p.read_text(encoding="utf-8")
          for p in sorted((Path(__file__).parent / "corpus").glob("*.ppfa"))]
HEAD = "input: int\noutput: int\naction:\n  "


@pytest.mark.parametrize("text,line,column,words", [
    (HEAD + "1 +", 4, 6, "unexpected end of the text"),
    (HEAD + "1 + )", 4, 7, "unexpected ')'"),
    (HEAD + "x = $", 4, 7, "unexpected character '$'"),
    (HEAD + "a < b < c", 4, 9, "comparisons do not chain"),
    (HEAD + "c to 5", 4, 8, "'to' needs a function"),
    (HEAD + "var x = m.sqrt", 4, 11, "is not a value"),
    (HEAD + 'json(int, "x")', 4, 13, "needs an integer"),
    ("input: int\noutput: int\nacton: 1\n", 3, 1, "did you mean 'action'"),
    ("input: int\noutput: int\n", 1, 1, "missing section(s): action:"),
    ("input: int\noutput: int\naction: 1\naction: 2\n", 4, 1, "appears twice"),
    ("input: int\noutput: int\ncells:\n  c(int) = 1 + 1\naction: 1\n", 4, 12,
     "expected a JSON value"),
    ("input: int\noutput: int\npools:\n  p(int) = 1\naction: 1\n", 4, 12,
     "initial value of a pool"),
])
def test_error_has_line_column_and_says_what(text, line, column, words) -> None:
    with pytest.raises(PrettyPfaError) as info:
        loads(text)
    err = info.value
    assert isinstance(err, PfaSyntaxError)
    assert (err.line, err.column) == (line, column), str(err)
    assert words in str(err)
    assert f"line {line}, column {column}" in str(err)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(CORPUS), st.data())
def test_mutated_programs_fail_only_with_syntax_errors(text: str, data) -> None:
    # delete, duplicate or insert characters anywhere: the result reads, or fails cleanly
    i = data.draw(st.integers(0, len(text)))
    j = data.draw(st.integers(i, min(len(text), i + 8)))
    insert = data.draw(st.text(alphabet="(){}[];:,=-+*!\"'@.\n x1", max_size=4))
    mutated = text[:i] + insert + text[j:]
    try:
        loads(mutated)
    except PfaSyntaxError as exc:
        assert "PrettyPFA" in str(exc)


@pytest.mark.parametrize("opening,closing", [("(", ")"), ("[", "]"), ("{", "}")])
def test_deep_nesting_is_refused_with_a_position(opening: str, closing: str) -> None:
    depth = MAX_NESTING + 1
    with pytest.raises(PrettyPfaError, match="nested more than"):
        loads(HEAD + opening * depth + "1" + closing * depth)


@pytest.mark.parametrize("text", [
    HEAD + "- " * 20_000 + "1",          # prefix operators do not count as brackets
    HEAD + "!" * 20_000 + "x",
    HEAD + " + ".join(["1"] * 20_000),  # a long chain is not deep
    HEAD + "9" * 5_000,                 # a huge integer is a (too large) int literal
    HEAD + '"' + "a" * 1_000_000 + '"',
    HEAD + '"' + "a" * 1_000_000,         # strings left open
    HEAD + "'" + "a\n" * 100_000,
    HEAD + "f(" * 100_000,              # brackets left open
    HEAD + "x" + " " * 1_000_000,       # blanks
    HEAD + "x // " + "/" * 1_000_000,   # a long comment
])
def test_hostile_expressions_read_or_fail_cleanly(text: str) -> None:
    with contextlib.suppress(PfaSyntaxError):  # any other exception fails the test
        loads(text)


@pytest.mark.parametrize("text", [
    "if (x) " * 300 + "1",                      # open forms nest without brackets
    "var a = " * 300 + "1",
    "x = " * 300 + "1",
    "try " * 300 + "1",
    "- " * 300 + "1",                           # so do prefix operators
    "do " * 300 + "1" + " until (x)" * 300,
    "while (x) " * 150 + "{ if (x) " * 60 + "1" + " }" * 60,
])
def test_deep_expressions_are_refused_with_a_position(text: str) -> None:
    with pytest.raises(PrettyPfaError, match=f"nested more than {MAX_NESTING} deep") as info:
        loads(HEAD + text)
    assert info.value.line == 4 and info.value.column > 1


@pytest.mark.parametrize("text", [
    "f(" * (MAX_NESTING - 1) + "1" + ")" * (MAX_NESTING - 1),    # 5 parser frames a level
    "{ " * (MAX_NESTING // 2 - 1) + "1" + " }" * (MAX_NESTING // 2 - 1),
    "u.f(" + "[" * (MAX_NESTING - 1) + "]" * (MAX_NESTING - 1) + ")",
])
def test_nesting_up_to_the_limit_reads_whatever_the_recursion_limit(text: str) -> None:
    import sys
    limit = sys.getrecursionlimit()
    try:
        sys.setrecursionlimit(1000)  # Python's default; the reader makes room for itself
        loads(HEAD + text)
    except PrettyPfaError as exc:  # a translation error is fine, not a depth error
        assert "deep" not in str(exc)
    finally:
        sys.setrecursionlimit(max(limit, sys.getrecursionlimit()))


def test_a_long_else_if_chain_is_not_deep() -> None:
    n = 5 * MAX_NESTING
    doc = loads(HEAD + "if (x) 0 " + "".join(f"else if (x) {i} " for i in range(1, n)) + "else -1")
    cond = doc["action"][0]["cond"]
    assert [c["then"] for c in cond] == [[i] for i in range(n)] and doc["action"][0]["else"] == [-1]


def test_nesting_within_the_limit_reads() -> None:
    depth = MAX_NESTING - 5
    doc = loads(HEAD + "(" * depth + "1" + ")" * depth)
    assert doc["action"] == [1]


def test_a_ten_thousand_line_document_reads() -> None:
    lines = "\n".join(f"  var x{i} = {i} + input * 2;" for i in range(10_000))
    doc = loads("input: int\noutput: int\naction:\n" + lines + "\n  input\n")
    assert len(doc["action"]) == 10_001


def test_bytes_are_utf8() -> None:
    assert loads((HEAD + '"é"').encode("utf-8"))["action"] == [{"string": "é"}]
