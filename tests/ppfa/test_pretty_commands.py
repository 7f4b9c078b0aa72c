"""PrettyPFA is a first-class input: ``pfa check``, ``pfa run`` and ``pfa convert`` on
``.ppfa`` files (and on PrettyPFA text in a file without a telling extension), the reader and
the engine, all in real files and subprocesses."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from pfa.document.pretty import load, loads, read_pretty
from pfa.document.reader import read

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from cli_run import TRACEBACK, pfa_cli  # noqa: E402

MODEL = """\
// doubles its input and counts the calls
name: Doubler
input: double
output: double
cells:
  calls(int) = 0
action:
  calls to fcn(n: int -> int) n + 1;
  input * 2
"""


@pytest.fixture
def model(tmp_path: Path) -> Path:
    path = tmp_path / "model.ppfa"
    path.write_text(MODEL, encoding="utf-8")
    return path


def test_check_and_run_a_ppfa_file(model: Path) -> None:
    check = pfa_cli("check", str(model))
    assert check.returncode == 0, check.stderr
    assert b"valid" in check.stdout
    run = pfa_cli("run", str(model), stdin=b"1.5\n-2\n")
    assert run.returncode == 0, run.stderr
    assert [json.loads(line) for line in run.stdout.splitlines()] == [3.0, -4.0]


def test_content_decides_without_a_telling_extension(tmp_path: Path) -> None:
    path = tmp_path / "model.txt"
    path.write_text(MODEL, encoding="utf-8")
    run = pfa_cli("run", str(path), stdin=b"2\n")
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout) == 4.0


def test_syntax_error_has_line_and_column_and_no_traceback(tmp_path: Path) -> None:
    path = tmp_path / "bad.ppfa"
    path.write_text("input: double\noutput: double\naction:\n  input * (2 +\n",
                    encoding="utf-8")
    check = pfa_cli("check", str(path))
    assert check.returncode == 1
    assert b"line 4, column 15" in check.stdout
    assert TRACEBACK.encode() not in check.stdout + check.stderr


def test_type_errors_point_into_the_pretty_text(tmp_path: Path) -> None:
    path = tmp_path / "typo.ppfa"
    path.write_text("input: double\noutput: double\naction:\n  s.len(input)\n",
                    encoding="utf-8")
    check = pfa_cli("check", str(path))
    assert check.returncode == 1
    assert b"PrettyPFA line 4, column 3" in check.stdout


@pytest.mark.parametrize("fmt,suffix", [("json", ".pfa"), ("yaml", ".yaml"), ("ppfa", ".ppfa")])
def test_convert_between_syntaxes(model: Path, tmp_path: Path, fmt: str, suffix: str) -> None:
    out = tmp_path / f"converted{suffix}"
    conv = pfa_cli("convert", str(model), "-o", str(out))
    assert conv.returncode == 0, conv.stderr
    back = pfa_cli("convert", str(out), "--to", "json")
    assert back.returncode == 0, back.stderr
    assert read(json.loads(back.stdout)) == read(loads(MODEL))


def test_convert_refuses_what_prettypfa_cannot_spell(tmp_path: Path) -> None:
    path = tmp_path / "clash.pfa"
    path.write_text(json.dumps({"input": "int", "output": "int",
                                "cells": {"x": {"type": "int", "init": 0}},
                                "action": [{"let": {"x": 1}}, "x"]}), encoding="utf-8")
    conv = pfa_cli("convert", str(path), "--to", "ppfa")
    assert conv.returncode == 1
    assert b"has the name of a cell" in conv.stderr
    assert TRACEBACK.encode() not in conv.stderr


def test_reader_and_engine_take_pretty_text_and_files(model: Path) -> None:
    from pfa import Engine

    doc = read_pretty(MODEL)
    assert load(str(model)) == doc and load(MODEL) == doc  # by extension, by content
    engine = Engine.from_ast(doc)
    assert engine.action(2.0) == 4.0
