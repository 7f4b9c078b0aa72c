"""The back-end registry (pfa.engine.backends): every registered back end compiles the
conformance corpus's documents through the one interface and, where it runs a document, gives
the scalar engine's results — values and error codes — on every trial input; where it does
not, ``explain()`` says why."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pfa.avro.data import encode_json
from pfa.engine.backends import ROUTINES, Backend, ExplainEntry, Target, backend, backends
from pfa.engine.batch import input_column, output_values
from pfa.engine.engine import Engine
from pfa.errors import PfaError, PfaRuntimeError

CASES = Path(__file__).resolve().parents[2] / "conformance" / "cases"


def _cases(path: Path) -> list[dict[str, Any]]:
    return json.loads(path.read_text())


def _reference(engine: Engine, datum: Any) -> tuple[str, Any]:
    try:
        return "ok", _encoded(engine, engine.action(datum))
    except PfaRuntimeError as exc:
        return "error", exc.code


def _encoded(engine: Engine, value: Any) -> str:
    return json.dumps(encode_json(engine.output_type, value), sort_keys=True)


def _target(engine: Engine, name: str) -> Target:
    """A target with the run-time services of ``engine`` (fallback: its scalar runner)."""
    fallback = None if name == "scalar" else engine._runner
    return Target(engine.typed, engine.options, engine._ctx, engine._state, fallback=fallback)


def _run_record(engine: Engine, runner: Any, data: list[Any]) -> list[tuple[str, Any]]:
    begin = runner.routine("begin")
    if begin is not None and not begin.empty:
        begin.run()
    action = runner.routine("action")
    out = []
    for datum in data:
        try:
            out.append(("ok", _encoded(engine, action.run(datum))))
        except PfaRuntimeError as exc:
            out.append(("error", exc.code))
    return out


def _run_batch(engine: Engine, runner: Any, data: list[Any]) -> list[tuple[str, Any]]:
    col, n = input_column(data, "list", engine.input_type)
    out_col, errors = runner.routine("action")(col, n)
    values = output_values(out_col, engine.output_type, n, sorted(errors), "list")
    return [("error", errors[j].code) if j in errors else ("ok", _encoded(engine, v))
            for j, v in enumerate(values)]


RUNS = {"record": _run_record, "batch": _run_batch}


def test_the_engine_s_back_ends_are_registered() -> None:
    names = [b.name for b in backends()]
    assert {"scalar", "vector"} <= set(names)
    assert backend("scalar").granularity == "record"
    assert backend("vector").granularity == "batch"
    with pytest.raises(KeyError, match="no back end 'nope'"):
        backend("nope")


@pytest.mark.parametrize("case_file", sorted(CASES.glob("*.json")), ids=lambda p: p.stem)
@pytest.mark.parametrize("be", backends(), ids=lambda b: b.name)
def test_a_back_end_agrees_with_the_scalar_engine(be: Backend, case_file: Path) -> None:
    ran = refused = 0
    for case in _cases(case_file):
        try:
            engine = Engine.from_json(case["doc"])
            under_test = Engine.from_json(case["doc"])  # its own state and counters
        except PfaError:
            continue  # documents the checker refuses are the checker's tests
        if engine.method != "map":
            continue
        data = []
        for trial in case["trials"]:
            try:
                data.append(engine.decode_input(trial["input"]))
            except PfaError:
                continue
        runner = be.compile(_target(under_test, be.name))
        assert runner.backend == be.name
        entries = runner.explain()
        assert all(isinstance(e, ExplainEntry) for e in entries)
        if runner.routine("action") is None:
            refused += 1
            assert entries, f"{be.name} runs nothing of {case['fcn']} and explains nothing"
            continue
        expected = [_reference(engine, d) for d in data]
        assert RUNS[be.granularity](under_test, runner, data) == expected, case["fcn"]
        ran += 1
    assert ran or refused


def test_the_scalar_runner_compiles_every_routine() -> None:
    doc = {"input": "double", "output": "double", "method": "fold", "zero": 0.0,
           "action": {"+": ["input", "tally"]}, "merge": {"+": ["tallyOne", "tallyTwo"]},
           "begin": [{"log": [{"string": "hi"}]}], "end": [{"log": ["tally"]}]}
    engine = Engine.from_json(doc)
    runner = backend("scalar").compile(_target(engine, "scalar"))
    assert all(runner.routine(name) is not None for name in ROUTINES)
    assert runner.routine("action").run(2.0, 3.0) == 5.0
    assert runner.routine("merge").run(2.0, 3.5) == 5.5
    assert {e.path for e in runner.explain()} == {f"$.{r}" for r in ROUTINES}


def test_explain_names_the_scalar_kernels_that_fired() -> None:
    doc = {"input": {"type": "array", "items": "double"}, "output": {"type": "array",
                                                                      "items": "double"},
           "action": {"a.map": ["input", {"params": [{"x": "double"}], "ret": "double",
                                          "do": {"*": ["x", 2.0]}}]}}
    engine = Engine.from_json(doc)
    entries = backend("scalar").compile(_target(engine, "scalar")).explain()
    kernels = [e for e in entries if e.mode == "scalar kernel"]
    assert kernels and all(e.path.startswith("$.action") for e in kernels)


def test_a_refused_document_is_explained_and_runs_on_the_fallback() -> None:
    doc = {"input": "double", "output": "double", "method": "map",
           "action": {"+": ["input", {"rand.double": [0.0, 1.0]}]}}
    engine = Engine.from_json(doc)
    runner = backend("vector").compile(_target(engine, "vector"))
    assert runner.routine("action") is None
    assert any("rand.double" in e.reason for e in runner.explain())
    assert len(engine.action_batch([1.0, 2.0])) == 2
