"""Timeouts, recursion depth, and errors that must not escape as Python exceptions."""

from __future__ import annotations

import time

import pytest

from pfa import Engine
from pfa.errors import PfaError, PfaRuntimeError, PfaTimeoutError


def test_infinite_loop_with_empty_body_times_out_quickly():
    """The acceptance case, verbatim: an empty loop body."""
    e = Engine.from_json({"input": "null", "output": "null", "options": {"timeout": 100},
                          "action": [{"while": True, "do": []}, None]})
    start = time.perf_counter()
    with pytest.raises(PfaTimeoutError) as info:
        e.action(None)
    elapsed = time.perf_counter() - start
    assert elapsed < 1.0
    assert "exceeded timeout of 100 milliseconds" in str(info.value)
    # the engine is still usable afterwards (and still times out)
    with pytest.raises(PfaTimeoutError):
        e.action(None)


def test_infinite_loop_times_out_quickly():
    e = Engine.from_json({"input": "null", "output": "null", "options": {"timeout": 100},
                          "action": [{"while": True, "do": {"doc": "spin"}}, None]})
    start = time.perf_counter()
    with pytest.raises(PfaTimeoutError) as info:
        e.action(None)
    assert time.perf_counter() - start < 1.0
    assert info.value.timeout_ms == 100


@pytest.mark.parametrize("loop", [
    {"do": [{"let": {"z": 1}}], "until": False},
    {"for": {"i": 0}, "while": True, "step": {"i": 0}, "do": {"doc": ""}},
    {"while": True, "do": {"doc": "spin"}},
    {"foreach": "x", "in": {"type": {"type": "array", "items": "int"}, "value": [1, 2]},
     "seq": True, "do": {"while": True, "do": {"doc": ""}}},
])
def test_other_loops_time_out(loop):
    e = Engine.from_json({"input": "null", "output": "null", "options": {"timeout.action": 50},
                          "action": [loop, None]})
    with pytest.raises(PfaTimeoutError):
        e.action(None)


def test_unbounded_recursion_times_out_or_fails_cleanly():
    fcns = {"f": {"params": [{"n": "int"}], "ret": "int",
                  "do": {"+": [{"u.f": [{"+": ["n", 1]}]}, 1]}}}
    e = Engine.from_json({"input": "int", "output": "int", "fcns": fcns,
                          "action": {"u.f": "input"}})
    with pytest.raises(PfaRuntimeError) as info:
        e.action(0)
    assert not isinstance(info.value, RecursionError)
    assert "recursion" in str(info.value)
    # engine still works after the failure
    e2 = Engine.from_json({"input": "int", "output": "int", "action": {"+": ["input", 1]}})
    assert e2.action(1) == 2


def test_moderately_deep_recursion_works():
    fcns = {"down": {"params": [{"n": "int"}], "ret": "int",
                     "do": {"if": {"<=": ["n", 0]}, "then": 0,
                            "else": {"+": [{"u.down": [{"-": ["n", 1]}]}, 1]}}}}
    e = Engine.from_json({"input": "int", "output": "int", "fcns": fcns,
                          "action": {"u.down": "input"}})
    assert e.action(500) == 500


def test_timeout_in_begin():
    e = Engine.from_json({"input": "null", "output": "null",
                          "options": {"timeout.begin": 20},
                          "begin": [{"while": True, "do": {"doc": ""}}], "action": None})
    with pytest.raises(PfaTimeoutError) as info:
        e.begin()
    assert info.value.routine == "begin"


def test_unexpected_python_exception_is_wrapped(monkeypatch):
    from pfa.lib import registry

    entry = registry.get("m.sqrt")
    original = entry.bind_scalar

    def boom(site):
        def impl(x):
            raise ZeroDivisionError("division by zero")
        return impl

    monkeypatch.setattr(entry, "bind_scalar", boom)
    try:
        e = Engine.from_json({"input": "double", "output": "double",
                              "action": {"m.sqrt": "input"}})
    finally:
        monkeypatch.setattr(entry, "bind_scalar", original)
    with pytest.raises(PfaRuntimeError) as info:
        e.action(1.0)
    assert "ZeroDivisionError" in str(info.value)


def test_only_pfa_errors_escape():
    docs = [
        {"input": "int", "output": "int", "action": {"//": ["input", 0]}},
        {"input": "null", "output": "null", "action": {"error": "x"}},
        {"input": {"type": "array", "items": "int"}, "output": "int",
         "action": {"attr": "input", "path": [100]}},
    ]
    for d in docs:
        e = Engine.from_json(d)
        datum = {"int": 1, "null": None}.get(d["input"]) if isinstance(d["input"], str) else [1]
        with pytest.raises(PfaError):
            e.action(datum)


def test_recursion_without_loops_times_out():
    fib = {"params": [{"n": "int"}], "ret": "int", "do": {
        "if": {"<=": ["n", 1]}, "then": "n",
        "else": {"+": [{"u.fib": [{"-": ["n", 1]}]}, {"u.fib": [{"-": ["n", 2]}]}]}}}
    e = Engine.from_json({"input": "int", "output": "int", "fcns": {"fib": fib},
                          "options": {"timeout": 50}, "action": {"u.fib": "input"}})
    assert e.action(10) == 55
    start = time.perf_counter()
    with pytest.raises(PfaTimeoutError):
        e.action(40)
    assert time.perf_counter() - start < 1.0


def test_timeout_inside_library_callback():
    # the loop runs inside a function passed to a.map: the callback's entry check stops it
    e = Engine.from_json({
        "input": {"type": "array", "items": "int"}, "output": {"type": "array", "items": "int"},
        "options": {"timeout": 50},
        "action": {"a.map": ["input", {"params": [{"x": "int"}], "ret": "int", "do": [
            {"let": {"i": 0}},
            {"while": {">=": ["i", 0]}, "do": {"set": {"i": {"+": ["i", 1]}}}},
            "i"]}]}})
    with pytest.raises(PfaTimeoutError):
        e.action([1, 2, 3])


def test_begin_timeout_does_not_leak_into_action():
    e = Engine.from_json({"input": "null", "output": "int",
                          "options": {"timeout.begin": 1},
                          "action": [{"let": {"i": 0}},
                                     {"while": {"<": ["i", 200000]},
                                      "do": {"set": {"i": {"+": ["i", 1]}}}},
                                     "i"]})
    e.begin()
    time.sleep(0.01)  # well past the begin deadline
    assert e.action(None) == 200000
