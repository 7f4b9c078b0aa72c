"""`make demo` is one of the two set-up commands of the README: its script must succeed."""

from __future__ import annotations

import pfa.demo as demo


def test_demo_runs_and_reproduces_sklearn(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(demo, "OUT_DIR", tmp_path)
    assert demo.main() == 0
    out = capsys.readouterr().out
    assert "gives the same document" in out
    assert "RESULT: the PFA document reproduces sklearn" in out
