"""A document is untrusted: nothing in it is ever executed as Python.

Resource limits inside library calls (issue 10): the ``timeout`` option stops long library
calls and no call builds a value over the ``memory.value`` limit.

Each regression case of the issue runs in a child process under a memory rlimit (so a
regression fails the test instead of eating the machine) with a generous wall-clock bound (the
harness's hang detection, not a timing assertion).
"""

from __future__ import annotations

import builtins
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pfa import Engine
from pfa.errors import PfaRuntimeError, PfaSemanticError, PfaTimeoutError
from pfa.runtime.budget import DEFAULT_VALUE_LIMIT
from pfa.runtime.codes import VALUE_TOO_LARGE

PAYLOAD = "__import__('os').system('touch /tmp/pwned_pfa_engine')"


def test_python_looking_names_and_strings_are_only_data(tmp_path, monkeypatch):
    marker = "/tmp/pwned_pfa_engine"
    if os.path.exists(marker):
        os.remove(marker)
    Engine.from_json({"input": "null", "output": "null", "action": None})  # imports done
    from pfa.lib.registry import load_all
    load_all()  # library modules (and what they import) are loaded before exec is watched
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


# ------------------------------------------------------------ resource limits inside library calls

ROOT = Path(__file__).resolve().parents[2]
CHILD_MEMORY = 3 * 1024**3  # address space of the child (numpy and scipy reserve a lot)
GRACE_S = 60  # hang detection only: the child normally answers in a second or two

INT_MAX = 2**31 - 1

_CHILD = r"""
import json, resource, sys, time
resource.setrlimit(resource.RLIMIT_AS, ({limit}, {limit}))
from pfa import Engine
from pfa.errors import PfaRuntimeError, PfaTimeoutError
case = json.loads(sys.stdin.read())
engine = Engine.from_json(case["doc"], options=case.get("options"))
start = time.perf_counter()
try:
    out = engine.action(case.get("input"))
    result = {{"kind": "ok", "size": len(out) if hasattr(out, "__len__") else None}}
except PfaTimeoutError:
    result = {{"kind": "timeout"}}
except PfaRuntimeError as err:
    result = {{"kind": "error", "code": err.code, "message": str(err),
              "memory_error": isinstance(err.__cause__, MemoryError)}}
result["elapsed"] = time.perf_counter() - start
result["maxrss_kib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps(result))
"""


def run_isolated(doc: dict, datum: object = None, options: dict | None = None) -> dict:
    """Run one action of ``doc`` in a child process under a memory rlimit; what happened."""
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
    proc = subprocess.run(
        [sys.executable, "-c", _CHILD.format(limit=CHILD_MEMORY)],
        input=json.dumps({"doc": doc, "input": datum, "options": options}),
        capture_output=True, text=True, timeout=GRACE_S, cwd=ROOT, env=env)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _doc(action: object, input: object = "null", output: object = "string") -> dict:
    return {"input": input, "output": output, "action": action}


def _ints(n: int) -> dict:
    return {"type": {"type": "array", "items": "int"}, "value": list(range(n))}


_HW = {"type": "record", "name": "HW", "fields": [{"name": "level", "type": "double"},
                                                 {"name": "trend", "type": "double"}]}
_HIST = {"type": "record", "name": "Hist", "fields": [
    {"name": "low", "type": "double"}, {"name": "binsize", "type": "double"},
    {"name": "values", "type": {"type": "array", "items": "double"}}]}

# issue 10, "The timeout does not stop a single library call", and a.permutations
TOO_LARGE = {
    "a.combinations": _doc({"a.combinations": [_ints(60), 30]},
                           output={"type": "array", "items": {"type": "array", "items": "int"}}),
    "a.permutations": _doc({"a.permutations": [_ints(10)]},
                           output={"type": "array", "items": {"type": "array", "items": "int"}}),
    "rand.string": _doc({"rand.string": [INT_MAX]}),
    "rand.bytes": _doc({"rand.bytes": [INT_MAX]}, output="bytes"),
    "cast.fanoutInt": _doc({"cast.fanoutInt": [3, -(2**31), INT_MAX, False]},
                           output={"type": "array", "items": "int"}),
    "cast.fanoutLong": _doc({"cast.fanoutLong": [3, -(2**31), INT_MAX, True]},
                            output={"type": "array", "items": "long"}),
    "s.repeat": _doc({"s.repeat": [{"string": "abc"}, INT_MAX]}),
    "s.int": _doc({"s.int": [{"long": 5}, INT_MAX, False]}),
    "s.hex": _doc({"s.hex": [{"long": 5}, INT_MAX, True]}),
    "s.number": _doc({"s.number": [1.5, 10, INT_MAX]}),
    # found by the hostile harness (seed-749) and by reading: a count or a bin index
    "stat.sample.forecastHoltWinters": _doc(
        {"stat.sample.forecastHoltWinters": [INT_MAX, {"type": _HW, "value": {
            "level": 1.0, "trend": 1.0}}]}, output={"type": "array", "items": "double"}),
    "stat.sample.fillHistogram": _doc(
        {"stat.sample.fillHistogram": [1e12, 1.0, {"type": _HIST, "value": {
            "low": 0.0, "binsize": 1.0, "values": []}}]}, output=_HIST),
}


@pytest.mark.parametrize("name", sorted(TOO_LARGE))
def test_a_value_over_the_limit_is_refused_before_it_is_built(name):
    got = run_isolated(TOO_LARGE[name])
    assert got["kind"] == "error" and got["code"] == VALUE_TOO_LARGE, got
    assert not got["memory_error"], got  # refused by the estimate, not by running out
    assert name in got["message"]


def test_n_choose_k_of_huge_arguments_is_a_domain_error_at_once():
    got = run_isolated(_doc({"m.special.nChooseK": [INT_MAX, 2**30]}, output="int"))
    assert got["kind"] == "error" and got["code"] == 36000, got


TIMED = {
    # a catastrophic pattern: exponential backtracking without the deadline
    "re.index": (_doc({"re.index": [{"string": "a" * 5000 + "!"}, {"string": "(a+)+$"}]},
                      output={"type": "array", "items": "int"}), None),
    # 10! permutations fit a host-raised limit; generating them lazily stops at the timeout
    "a.permutations": (_doc({"a.permutations": [_ints(10)]},
                            output={"type": "array",
                                    "items": {"type": "array", "items": "int"}}),
                       {"memory.value": 2 * 1024**3}),
    "a.combinations": (_doc({"a.combinations": [_ints(26), 13]},
                            output={"type": "array",
                                    "items": {"type": "array", "items": "int"}}),
                       {"memory.value": 2 * 1024**3}),
}


@pytest.mark.parametrize("name", sorted(TIMED))
def test_the_timeout_stops_a_long_library_call(name):
    doc, options = TIMED[name]
    got = run_isolated(doc, options={"timeout": 200, **(options or {})})
    assert got["kind"] == "timeout", got
    assert got["maxrss_kib"] < 2 * 1024**2, got  # stopped long before the value was built


# ------------------------------------------------------------------ the limit, as a property

SMALL = 4096  # a memory.value small enough to cross in a test


def _engine(action: object, output: object = "string", **options: object) -> Engine:
    return Engine.from_json(_doc(action, input="null", output=output),
                            options={"memory.value": SMALL, **options})


@settings(max_examples=60, deadline=None)
@given(text=st.text(alphabet="ab\u00e9", max_size=20), n=st.integers(-3, 3000))
def test_s_repeat_is_refused_exactly_when_over_the_limit(text, n):
    e = _engine({"s.repeat": [{"string": text}, n]})
    width = 1 if text.isascii() else 4
    if n > 1 and len(text) * n * width > SMALL:
        with pytest.raises(PfaRuntimeError) as info:
            e.action(None)
        assert info.value.code == VALUE_TOO_LARGE
    else:
        assert e.action(None) == text * max(n, 0)


@settings(max_examples=60, deadline=None)
@given(n=st.integers(0, 12), k=st.integers(1, 12))
def test_combinations_are_refused_exactly_when_over_the_limit(n, k):
    import math

    out_t = {"type": "array", "items": {"type": "array", "items": "int"}}
    e = _engine({"a.combinations": [_ints(n), k]}, output=out_t)
    count = math.comb(n, k) if k <= n else 0
    if 56 + count * (8 + 56 + 8 * k) > SMALL:
        with pytest.raises(PfaRuntimeError) as info:
            e.action(None)
        assert info.value.code == VALUE_TOO_LARGE
    else:
        import itertools
        assert e.action(None) == [list(c) for c in itertools.combinations(range(n), k)]


@settings(max_examples=40, deadline=None)
@given(parts=st.lists(st.text(alphabet="xy", max_size=30), max_size=40),
       sep=st.text(alphabet=",;", max_size=200))
def test_join_is_refused_exactly_when_over_the_limit(parts, sep):
    arr = {"type": {"type": "array", "items": "string"}, "value": parts}
    e = _engine({"s.join": [arr, {"string": sep}]})
    size = sum(map(len, parts)) + len(sep) * max(len(parts) - 1, 0)
    if len(parts) > 1 and size > SMALL:
        with pytest.raises(PfaRuntimeError) as info:
            e.action(None)
        assert info.value.code == VALUE_TOO_LARGE
    else:
        assert e.action(None) == sep.join(parts)


def test_try_catches_a_value_too_large_like_any_runtime_error():
    e = _engine({"try": {"s.repeat": [{"string": "x"}, 10**6]}},
                output=["null", "string"])
    assert e.action(None) is None


# ------------------------------------------------------------------------------- the option

def test_memory_value_option_default_and_validation():
    e = Engine.from_json(_doc({"string": "x"}))
    assert e.options.value_limit == DEFAULT_VALUE_LIMIT
    with pytest.raises(PfaSemanticError):
        Engine.from_json(_doc({"string": "x"}), options={"memory.value": 0})
    with pytest.raises(PfaSemanticError):
        Engine.from_json(_doc({"string": "x"}), options={"memory.value": "big"})


def test_a_document_may_lower_the_limit_but_only_the_host_may_raise_it():
    low = dict(_doc({"string": "x"}), options={"memory.value": 1000})
    assert Engine.from_json(low).options.value_limit == 1000
    high = dict(_doc({"string": "x"}), options={"memory.value": 2**40})
    assert Engine.from_json(high).options.value_limit == DEFAULT_VALUE_LIMIT
    assert Engine.from_json(high, options={"memory.value": 2**40}).options.value_limit == 2**40


def test_a_library_function_passed_as_an_argument_looks_at_the_clock():
    # a.map over a long array with a reference to a library function: checked per call
    doubles = {"type": {"type": "array", "items": "double"},
               "value": [float(i) for i in range(200_000)]}
    doc = _doc({"a.map": [doubles, {"fcn": "m.sqrt"}]},
               output={"type": "array", "items": "double"})
    e = Engine.from_json(doc, options={"timeout": 0})
    with pytest.raises(PfaTimeoutError):
        e.action(None)


# ------------------------------------------------------------------------ internal errors

def test_a_stray_python_exception_is_an_internal_error_with_a_code(monkeypatch):
    from pfa.lib import registry
    from pfa.runtime.codes import INTERNAL_ERROR

    entry = registry.get("m.sqrt")

    def broken(site):
        def impl(x):
            raise KeyError("a bug")
        return impl

    monkeypatch.setattr(entry, "bind_scalar", broken)
    e = Engine.from_json({"input": "double", "output": "double", "action": {"m.sqrt": "input"}})
    with pytest.raises(PfaRuntimeError) as info:
        e.action(1.0)
    assert info.value.code == INTERNAL_ERROR and "KeyError" in str(info.value)
    assert isinstance(info.value.__cause__, KeyError)
