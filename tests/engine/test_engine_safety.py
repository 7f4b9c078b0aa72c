"""A document is untrusted: nothing in it is ever executed as Python."""

from __future__ import annotations

import builtins
import os

from pfa import Engine

PAYLOAD = "__import__('os').system('touch /tmp/pwned_pfa_engine')"


def test_python_looking_names_and_strings_are_only_data(tmp_path, monkeypatch):
    marker = "/tmp/pwned_pfa_engine"
    if os.path.exists(marker):
        os.remove(marker)
    calls = []
    real_eval, real_exec = builtins.eval, builtins.exec
    monkeypatch.setattr(builtins, "eval", lambda *a, **k: calls.append("eval") or real_eval(*a, **k))
    monkeypatch.setattr(builtins, "exec", lambda *a, **k: calls.append("exec") or real_exec(*a, **k))
    rec = {"type": "record", "name": "R", "fields": [
        {"name": "__class__", "type": "string"},
        {"name": "os_system", "type": "string"}]}
    doc = {
        "name": PAYLOAD,
        "input": "string", "output": "string",
        "metadata": {"x": PAYLOAD},
        "cells": {"__builtins__": {"type": "string", "init": PAYLOAD}},
        "pools": {"__import__": {"type": "string", "init": {PAYLOAD: PAYLOAD}}},
        "fcns": {"system": {"params": [{"__builtins__": "string"}], "ret": "string",
                                "do": {"s.concat": ["__builtins__", {"string": PAYLOAD}]}}},
        "action": [
            {"let": {"__import__": {"string": PAYLOAD}, "exec": "input",
                     "eval": {"cell": "__builtins__"}}},
            {"log": [{"string": PAYLOAD}, "exec"], "namespace": "os.system"},
            {"let": {"r": {"new": {"__class__": "exec", "os_system": {"string": PAYLOAD}},
                           "type": rec}}},
            {"doc": PAYLOAD},
            {"try": {"error": PAYLOAD}},
            {"pool": "__import__", "path": [{"string": PAYLOAD}], "to": "eval",
             "init": {"string": PAYLOAD}},
            {"s.concat": [{"u.system": "__import__"},
                          {"s.concat": ["name", "r.__class__"]}]}]}
    e = Engine.from_json(doc)
    out = e.action(PAYLOAD)
    assert out == PAYLOAD + PAYLOAD + PAYLOAD + PAYLOAD
    assert not os.path.exists(marker)
    assert calls == []
