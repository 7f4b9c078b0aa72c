"""``pfa run`` through pfa.cli.main."""

from __future__ import annotations

import io
import json
import signal
import subprocess
import sys

import pytest

from pfa.cli import main
from tests.cli_run import TRACEBACK, WALL, cli_env, pfa_cli

MAP_DOC = {"input": "int", "output": "int", "action": {"//": [100, "input"]}}


def write(tmp_path, name, content):
    p = tmp_path / name
    p.write_text(content if isinstance(content, str) else json.dumps(content))
    return str(p)


def test_map_records_and_failures(tmp_path, capsys):
    model = write(tmp_path, "m.json", MAP_DOC)
    data = write(tmp_path, "in.jsonl", "4\n0\n\n5\n\"x\"\n")
    code = main(["run", model, data])
    out, err = capsys.readouterr()
    assert code == 1
    assert out.splitlines() == ["25", "20"]
    lines = err.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("line 2: error 18040:")
    assert lines[1].startswith("line 5: input error")
    assert "Traceback" not in err


def test_all_succeed_exit_zero_and_stdin(tmp_path, capsys, monkeypatch):
    model = write(tmp_path, "m.json", MAP_DOC)
    monkeypatch.setattr("sys.stdin", io.StringIO("1\n2\n"))
    assert main(["run", model]) == 0
    assert capsys.readouterr().out.splitlines() == ["100", "50"]


def test_fail_fast(tmp_path, capsys):
    model = write(tmp_path, "m.json", MAP_DOC)
    data = write(tmp_path, "in.jsonl", "0\n1\n0\n")
    assert main(["run", "--fail-fast", model, data]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert len(err.splitlines()) == 1 and err.startswith("line 1:")


def test_emit_and_fold(tmp_path, capsys):
    emit = {"input": "int", "output": "int", "method": "emit",
            "action": [{"emit": "input"}, {"emit": {"*": ["input", 2]}}]}
    fold = {"input": "double", "output": "double", "method": "fold", "zero": 0,
            "action": {"+": ["input", "tally"]}, "merge": {"+": ["tallyOne", "tallyTwo"]}}
    data = write(tmp_path, "in.jsonl", "1\n2\n")
    assert main(["run", write(tmp_path, "e.json", emit), data]) == 0
    assert capsys.readouterr().out.splitlines() == ["1", "2", "2", "4"]
    assert main(["run", write(tmp_path, "f.json", fold), data]) == 0
    assert capsys.readouterr().out.splitlines() == ["3.0"]


def test_option_override(tmp_path, capsys):
    doc = {"input": "null", "output": "null", "action": [{"while": True, "do": {"doc": ""}}, None]}
    model = write(tmp_path, "loop.json", doc)
    data = write(tmp_path, "in.jsonl", "null\n")
    assert main(["run", "--option", "timeout=50", model, data]) == 1
    err = capsys.readouterr().err
    assert "line 1:" in err and "exceeded timeout of 50 milliseconds" in err


@pytest.mark.parametrize("content, name", [
    ("{not json", "bad.json"),
    ({"input": "int", "output": "int", "action": {"no.such.fn": []}}, "sem.json"),
    ({"input": "int", "output": "int"}, "syntax.json"),
])
def test_bad_documents(tmp_path, capsys, content, name):
    model = write(tmp_path, name, content)
    data = write(tmp_path, "in.jsonl", "1\n")
    assert main(["run", model, data]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_missing_model(tmp_path, capsys):
    assert main(["run", str(tmp_path / "nope.json")]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_yaml_model(tmp_path, capsys):
    model = write(tmp_path, "m.yaml", "input: int\noutput: int\naction: {+: [input, 1]}\n")
    data = write(tmp_path, "in.jsonl", "1\n")
    assert main(["run", model, data]) == 0
    assert capsys.readouterr().out == "2\n"


# --- issue #10: any input, no traceback; the same checks as pfa check --------------------------

INC = {"input": "double", "output": "double", "action": {"+": ["input", 1]}}


@pytest.mark.parametrize("args, stdin, code, expected", [
    (["bad.pfa", "in.jsonl"], b"", 2, "not UTF-8"),
    (["/dev/zero", "in.jsonl"], b"", 2, "not a regular file"),
    ([".", "in.jsonl"], b"", 2, "directory"),
    (["missing.pfa"], b"", 2, "No such file"),
    (["inc.pfa", "bad.jsonl"], b"", 1, "line 2: input error"),
    (["inc.pfa"], b"\xff\xfe\n", 1, "line 1: input error"),
    (["inc.pfa", "."], b"", 2, "cannot read ."),
    (["inc.pfa", "deep.jsonl"], b"", 1, "nested too deeply"),
    (["inc.pfa", "/dev/zero"], b"", 1, "longer than"),
    (["cell.pfa", "in.jsonl"], b"", 2, "cell 'c'"),
    (["--allow-files", "nodir", "inc.pfa", "in.jsonl"], b"", 2, "not a directory"),
])
def test_misuse_subprocess(tmp_path, args, stdin, code, expected):
    write(tmp_path, "inc.pfa", INC)
    write(tmp_path, "in.jsonl", "1\n")
    (tmp_path / "bad.pfa").write_bytes(b'{"input": "double", "output": "double", '
                                       b'"action": "\xff"}')
    (tmp_path / "bad.jsonl").write_bytes(b"1\n\xff\xfe\n2\n")
    write(tmp_path, "deep.jsonl", "[" * 100_000 + "]" * 100_000 + "\n")
    write(tmp_path, "cell.pfa", {"input": "double", "output": "string",
                                 "action": {"cell": "c"}, "cells": {"c": {
                                     "type": "string", "source": "json",
                                     "init": "/etc/passwd"}}})
    proc = pfa_cli("run", *args, stdin=stdin, cwd=tmp_path)
    err = proc.stderr.decode()
    assert proc.returncode == code, err
    assert expected in err and TRACEBACK not in err


def test_allow_files(tmp_path):
    write(tmp_path, "v.json", {"a": 1.5})
    write(tmp_path, "m.pfa", {"input": "string", "output": "double",
                              "action": {"pool": "p", "path": ["input"]},
                              "pools": {"p": {"type": "double", "source": "json",
                                              "init": str(tmp_path / "v.json")}}})
    proc = pfa_cli("run", "m.pfa", "--allow-files", str(tmp_path), stdin=b'"a"\n',
                   cwd=tmp_path)
    assert proc.returncode == 0 and proc.stdout == b"1.5\n", proc.stderr
    proc = pfa_cli("run", "m.pfa", stdin=b'"a"\n', cwd=tmp_path)
    assert proc.returncode == 2 and b"pool 'p'" in proc.stderr


@pytest.mark.parametrize("text, message", [
    ('{"input": "double", "output": "double", "action": ["input"], "action": [1]}',
     "appears twice"),
    ('{"input": "double", "output": "double", "action": {"+": ["input", 1e999]}}',
     "too large"),
])
def test_run_applies_the_checks_of_check(tmp_path, capsys, text, message):
    """pfa run reads the model exactly as pfa check does (it used to decode it with
    json.loads: a duplicated member or an overflowing number went through)."""
    model = write(tmp_path, "m.pfa", text)
    assert main(["check", model]) == 1
    assert message in capsys.readouterr().out
    assert main(["run", model, write(tmp_path, "in.jsonl", "1\n")]) == 2
    assert message in capsys.readouterr().err


def test_escapes_in_records_and_errors(tmp_path):
    esc = "\x1b[2J\x1b]0;pwned\x07"
    write(tmp_path, "err.pfa", {"input": "string", "output": "string",
                                "action": {"error": esc}})
    proc = pfa_cli("run", "err.pfa", stdin=b'"x"\n' + esc.encode() + b"\n", cwd=tmp_path)
    err = proc.stderr.decode()
    assert proc.returncode == 1 and "\x1b" not in err and "\x07" not in err
    assert err.startswith("line 1: error: \\x1b[2J\\x1b]0;pwned\\x07\n")
    assert "line 2: input error: " in err


def test_broken_pipe_is_quiet(tmp_path):
    model = write(tmp_path, "inc.pfa", INC)
    records = write(tmp_path, "in.jsonl", "1\n" * 200_000)
    proc = subprocess.Popen([sys.executable, "-m", "pfa.cli", "run", model, records],
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=cli_env())
    assert proc.stdout.readline() == b"2.0\n"
    proc.stdout.close()  # as `| head -1` does
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=WALL) == 0, err
    assert err == ""


def test_keyboard_interrupt_subprocess(tmp_path):
    model = write(tmp_path, "inc.pfa", INC)
    proc = subprocess.Popen([sys.executable, "-m", "pfa.cli", "run", model],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=cli_env())
    proc.stdin.write(b"1\n")
    proc.stdin.flush()
    assert proc.stdout.readline() == b"2.0\n"  # running, waiting for the next line
    proc.send_signal(signal.SIGINT)
    code = proc.wait(timeout=WALL)
    err = proc.stderr.read().decode()
    proc.stdin.close()
    proc.stdout.close()
    proc.stderr.close()
    assert code == 130 and err == "pfa run: interrupted\n"


NULLABLE_DOC = {"input": {"type": "record", "name": "In", "fields": [
    {"name": "age", "type": ["null", "double"]}, {"name": "city", "type": ["null", "string"]},
    {"name": "tag", "type": ["null", "bytes"]}]},
    "output": "In", "action": "input"}


def test_plain_json_records_by_default(tmp_path, capsys):
    """Issue 12: a plain record such as {"age": 79.0, "city": "rome"} is read by the input
    type (nullable fields take the bare value) and outputs are plain JSON."""
    model = write(tmp_path, "m.json", json.dumps(NULLABLE_DOC))
    data = write(tmp_path, "in.jsonl", '{"age": 79.0, "city": "rome", "tag": null}\n'
                 '{"age": null, "city": null, "tag": null}\n{"age": 3, "city": "x"}\n'
                 '{"age": {"double": 1.0}, "city": null, "tag": null}\n')
    assert main(["run", model, data]) == 1
    out, err = capsys.readouterr()
    assert [json.loads(x) for x in out.splitlines()] == [
        {"age": 79.0, "city": "rome", "tag": None}, {"age": None, "city": None, "tag": None}]
    assert "line 3: input error" in err and "tag" in err  # a missing field
    assert "line 4: input error" in err and "$.age" in err  # a tagged value is not plain


def test_avro_json_flag_reads_and_writes_the_tagged_encoding(tmp_path, capsys):
    model = write(tmp_path, "m.json", json.dumps(NULLABLE_DOC))
    line = '{"age":{"double":79.0},"city":{"string":"rome"},"tag":{"bytes":"\\u00ff"}}'
    data = write(tmp_path, "in.jsonl", line + "\n" + '{"age": 79.0, "city": null, "tag": null}\n')
    assert main(["run", "--avro-json", model, data]) == 1
    out, err = capsys.readouterr()
    assert out.splitlines() == [line]
    assert "line 2: input error" in err


@pytest.mark.parametrize("item", ["timeout", "=50", ""])
@pytest.mark.parametrize("command", ["run", "score"])
def test_malformed_option_is_a_usage_error(tmp_path, capsys, command, item):
    model = write(tmp_path, "m.json", MAP_DOC)
    data = write(tmp_path, "in.jsonl", "4\n")
    out = ["-o", str(tmp_path / "out.jsonl")] if command == "score" else []
    code = main([command, "--option", item, model, data, *out])
    err = capsys.readouterr().err
    assert code == 2
    assert f"--option needs KEY=VALUE, found {item!r}" in err
    assert "Traceback" not in err


def test_option_values_are_json_when_they_parse():
    from pfa.engine.options import overrides_from_text

    assert overrides_from_text(["timeout=50", "name=rome", "x={\"a\": [1]}", "k=a=b"]) == {
        "timeout": 50, "name": "rome", "x": {"a": [1]}, "k": "a=b"}
