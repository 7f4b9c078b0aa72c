"""``pfa check``: exit codes, summaries, error listings, JSON output."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pfa.cli import main
from pfa.commands._common import printable
from tests.cli_run import TRACEBACK, pfa_cli
from tests.document.test_safe_yaml import BOMB

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


# --- issue #10: any input, no traceback; escaped output --------------------------------------

ESC = "\x1b[2J\x1b]0;pwned\x07\x1b[31m\x9b\u202e"
UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def no_raw_controls(text: str) -> bool:
    return RAW_CONTROL.search(text) is None


@pytest.mark.parametrize("target, expected", [
    ("/dev/zero", "not a regular file"),
    (".", "directory"),
    ("missing.pfa", "No such file"),
    ("bad.pfa", "not UTF-8"),
    ("big.pfa", "4,300 digits"),
    ("bomb.yaml", "alias bomb"),
])
def test_unreadable_files_subprocess(tmp_path, target, expected):
    (tmp_path / "bad.pfa").write_bytes(b'{"input": "double", "output": "double", '
                                       b'"action": "\xff\xfe"}')
    (tmp_path / "big.pfa").write_text('{"input": "null", "output": "long", "action": '
                                      + "9" * 5000 + "}")
    (tmp_path / "bomb.yaml").write_text(BOMB)
    proc = pfa_cli("check", target, cwd=tmp_path)
    err = proc.stderr.decode()
    assert proc.returncode == 2, err
    assert expected in err and err.count("\n") == 1 and TRACEBACK not in err


def test_lone_surrogate_name_subprocess(tmp_path):
    (tmp_path / "s.pfa").write_text('{"name": "\\ud800", "input": "double", '
                                    '"output": "double", "action": "input"}')
    proc = pfa_cli("check", "s.pfa", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "name:           \\ud800" in proc.stdout.decode()
    proc = pfa_cli("check", "s.pfa", "--json", cwd=tmp_path)
    assert proc.returncode == 0 and json.loads(proc.stdout)["name"] == "\ud800"


def test_escape_sequences_in_name_and_messages_subprocess(tmp_path):
    (tmp_path / "e.pfa").write_text(json.dumps({**VALID, "name": ESC}))
    (tmp_path / "f.pfa").write_text(json.dumps({"input": "double", "output": "double",
                                                "action": {ESC: ["input"]}}))
    (tmp_path / f"x{ESC}.pfa").write_text("{not json")
    for args, code in ((["e.pfa"], 0), (["f.pfa"], 1), ([f"x{ESC}.pfa"], 2),
                       ([f"y{ESC}.pfa"], 2)):
        proc = pfa_cli("check", *args, cwd=tmp_path)
        out, err = proc.stdout.decode(), proc.stderr.decode()
        assert proc.returncode == code, err
        assert no_raw_controls(out) and no_raw_controls(err), (out, err)
        assert "\\x1b[2J" in out + err


@settings(max_examples=100, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=12))
def test_any_name_is_printed_escaped(model, capsys, name):
    """Whatever a document's name and function names hold, check prints one safe line each."""
    assert main(["check", model({**VALID, "name": name})]) == 0
    out = capsys.readouterr().out
    assert no_raw_controls(out)
    assert f"  name:           {printable(name)}\n" in out
    assert main(["check", model({**VALID, "action": {name or "x": []}})]) == 1
    out = capsys.readouterr().out
    assert no_raw_controls(out) and len(out.splitlines()) == 2


@given(st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=30))
def test_printable(text):
    out = printable(text)
    assert UNSAFE.search(out) is None  # no control at all, not even a newline or a tab
    out.encode("utf-8")  # always encodable
    if UNSAFE.search(text) is None:
        assert out == text


def test_external_init_is_read_only_with_allow_files(tmp_path):
    (tmp_path / "v.json").write_text('"not a double"')
    doc = {"input": "null", "output": "double", "action": {"cell": "c"},
           "cells": {"c": {"type": "double", "source": "json", "init": str(tmp_path / "v.json")}}}
    (tmp_path / "m.pfa").write_text(json.dumps(doc))
    proc = pfa_cli("check", "m.pfa", cwd=tmp_path)
    assert proc.returncode == 0 and b"note: the initial values of cell c" in proc.stdout
    proc = pfa_cli("check", "m.pfa", "--allow-files", str(tmp_path), cwd=tmp_path)
    assert proc.returncode == 1 and b"does not match" in proc.stdout
    (tmp_path / "v.json").write_text("1.5")
    proc = pfa_cli("check", "m.pfa", "--allow-files", str(tmp_path), "--json", cwd=tmp_path)
    assert proc.returncode == 0
    assert json.loads(proc.stdout)["external_inits"] == {"names": ["cell c"], "read": True}


def test_internal_error_is_one_line_with_status_3(model, capsys, monkeypatch):
    import pfa.commands.check as check_cmd

    def broken(args):
        raise ZeroDivisionError("boom \x1b[31m")

    monkeypatch.setattr(check_cmd, "run", broken)
    assert main(["check", model(VALID)]) == 3
    err = capsys.readouterr().err
    assert "internal error: ZeroDivisionError: boom \\x1b[31m" in err
    assert "PFA_DEBUG=1" in err and "Traceback" not in err and err.count("\n") == 1
    monkeypatch.setenv("PFA_DEBUG", "1")
    assert main(["check", model(VALID)]) == 3
    assert "Traceback" in capsys.readouterr().err


def test_keyboard_interrupt_is_status_130(model, capsys, monkeypatch):
    import pfa.commands.check as check_cmd

    def interrupted(args):
        raise KeyboardInterrupt

    monkeypatch.setattr(check_cmd, "run", interrupted)
    assert main(["check", model(VALID)]) == 130
    assert capsys.readouterr().err == "pfa check: interrupted\n"
