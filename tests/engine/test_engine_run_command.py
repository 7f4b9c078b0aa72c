"""``pfa run`` through pfa.cli.main."""

from __future__ import annotations

import io
import json

import pytest

from pfa.cli import main

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
