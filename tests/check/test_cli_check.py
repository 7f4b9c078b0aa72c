"""``pfa check``: exit codes, summaries, error listings, JSON output."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from pfa.cli import main

VALID = {"name": "inc", "input": "double", "output": "double",
         "action": {"+": ["input", 1]}}
INVALID = {"input": "double", "output": "double",
           "action": [{"let": {"x": 1.5, "s": {"string": "a"}}}, {"+": ["x", "s"]}]}


@pytest.fixture
def model(tmp_path):
    def write(content, name="model.json"):
        p = tmp_path / name
        p.write_text(content if isinstance(content, str) else json.dumps(content))
        return str(p)
    return write


def test_valid_document(model, capsys):
    assert main(["check", model(VALID)]) == 0
    out = capsys.readouterr().out
    assert "valid" in out and "inc" in out and "map" in out and "+" in out
    assert '"double"' in out


def test_valid_document_json(model, capsys):
    assert main(["check", model(VALID), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary == {"valid": True, "name": "inc", "method": "map", "input": "double",
                       "output": "double", "functions_used": ["+"], "cells": {},
                       "pools": {}, "user_functions": []}


def test_invalid_document(model, capsys):
    assert main(["check", model(INVALID)]) == 1
    out = capsys.readouterr().out
    assert "$.action[1]" in out and "double" in out and "string" in out and "+" in out


def test_invalid_document_json(model, capsys):
    assert main(["check", model(INVALID), "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["valid"] is False
    [err] = report["errors"]
    assert err["path"] == "$.action[1]" and err["kind"] == "semantic"


def test_several_errors_listed(model, capsys):
    doc = {"input": "double", "output": "double", "action": ["nope", {"u.f": []}, "input"]}
    assert main(["check", model(doc)]) == 1
    out = capsys.readouterr().out
    assert "2 errors" in out and "$.action[0]" in out and "$.action[1]" in out


def test_syntax_error_is_listed(model, capsys):
    assert main(["check", model({"input": "double", "action": "input"})]) == 1
    out = capsys.readouterr().out
    assert "output" in out


def test_yaml_document(model, capsys):
    text = "input: double\noutput: double\naction:\n  - {+: [input, 1]}\n"
    assert main(["check", model(text, "m.yaml")]) == 0
    assert main(["check", model(text, "m.txt")]) == 0  # by content


@pytest.mark.parametrize("content,name", [("{not json", "bad.json"), ("[1, 2]", "list.json"),
                                          ("a: [b\n", "bad.yml"), ("just words", "x.txt")])
def test_unreadable_content(model, capsys, content, name):
    assert main(["check", model(content, name)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_missing_file(tmp_path, capsys):
    assert main(["check", str(tmp_path / "nope.json")]) == 2
    err = capsys.readouterr().err
    assert "nope.json" in err and err.count("\n") == 1


def test_subprocess(model):
    path = model(INVALID)
    proc = subprocess.run([sys.executable, "-m", "pfa.cli", "check", path],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    assert "$.action[1]" in proc.stdout and "string" in proc.stdout
    proc = subprocess.run([sys.executable, "-m", "pfa.cli", "check", model(VALID)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
