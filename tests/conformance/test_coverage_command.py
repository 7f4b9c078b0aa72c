"""``pfa coverage``."""

from __future__ import annotations

import json

from pfa.check.signatures import library
from pfa.cli import main


def test_table_lists_all_functions(capsys):
    main(["coverage", "--json"])
    out = json.loads(capsys.readouterr().out)
    total = len(library())  # the specification's 449 functions and any project extensions
    assert total >= 449
    assert out["functions"]["total"] == total
    assert "If" in out["forms"] and "FcnRef" in out["forms"]
    assert sum(r["total"] for r in out["modules"].values()) == total


def test_model_runnable(tmp_path, capsys):
    p = tmp_path / "m.json"
    p.write_text(json.dumps({"input": "double", "output": "double",
                             "action": [{"m.sqrt": [{"+": ["input", 1]}]}]}))
    assert main(["coverage", str(p), "--json"]) == 0
    rep = json.loads(capsys.readouterr().out)
    assert rep["runnable"] and rep["functions_used"] == ["+", "m.sqrt"]
    assert "Call" in rep["special_forms_used"]


def test_model_unreadable(tmp_path, capsys):
    assert main(["coverage", str(tmp_path / "nope.json")]) == 2
