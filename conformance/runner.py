"""Run the conformance cases against one or more engines and summarise the results.

A case *passes* if every trial passes, *crashes* if the document cannot be loaded or any
trial ends in something other than an output or a PFA error, and *fails* otherwise.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from conformance import adapters
from conformance.compare import check_output

CASES_DIR = Path(__file__).resolve().parent / "cases"


def modules() -> list[str]:
    """Names of the case files (namespaces), sorted."""
    return sorted(p.stem for p in CASES_DIR.glob("*.json"))


def load_cases(module: str) -> list[dict[str, Any]]:
    return json.loads((CASES_DIR / f"{module}.json").read_text(encoding="utf-8"))


@dataclass
class CaseResult:
    module: str
    index: int
    fcn: str
    status: str  # "pass" | "fail" | "crash"
    problems: list[str] = field(default_factory=list)


def _short(x: Any, n: int = 160) -> str:
    s = json.dumps(x, ensure_ascii=False)
    return s if len(s) <= n else s[:n] + "…"


def run_case(adapter: Any, module: str, index: int, case: dict[str, Any]) -> CaseResult:
    res = CaseResult(module, index, case["fcn"], "pass")
    try:
        scorer = adapter.load(case["doc"])
    except Exception as exc:
        res.status = "crash"
        res.problems.append(f"cannot load document: {type(exc).__name__}: {exc}")
        return res
    for t, trial in enumerate(case["trials"]):
        out = scorer.run(trial["input"])
        where = f"trial {t} input {_short(trial['input'])}"
        if out.kind == "crash":
            res.status = "crash"
            res.problems.append(f"{where}: crashed: {out.value}")
            continue
        if "error" in trial:
            if out.kind != "error" or out.value != trial["error"]:
                got = f"error {out.value}" if out.kind == "error" else f"output {_short(out.value)}"
                res.problems.append(f"{where}: expected error {trial['error']}, got {got}")
        elif out.kind == "error":
            res.problems.append(f"{where}: unexpected error {out.value}")
        else:
            why = check_output(case, trial, out.value)
            if why:
                res.problems.append(f"{where}: {why}")
        if res.problems and res.status == "pass":
            res.status = "fail"
    return res


def run_engine(engine: str, mods: Iterable[str]) -> list[CaseResult]:
    adapter = adapters.get(engine)
    results = []
    for m in mods:
        for i, case in enumerate(load_cases(m)):
            results.append(run_case(adapter, m, i, case))
    return results


def summarise(results: list[CaseResult]) -> dict[str, dict[str, int]]:
    """module → {"pass": n, "fail": n, "crash": n}."""
    table: dict[str, dict[str, int]] = {}
    for r in results:
        row = table.setdefault(r.module, {"pass": 0, "fail": 0, "crash": 0})
        row[r.status] += 1
    return table


def _cell(row: dict[str, int]) -> str:
    return f"{row['pass']:>15} /{row['fail']:>4} /{row['crash']:>4}"


def format_table(mods: list[str], by_engine: dict[str, dict[str, dict[str, int]]]) -> str:
    """Per-module passed/failed/crashed counts, one column group per engine."""
    engines = list(by_engine)
    head = f"{'module':<16}" + "".join(f"{e + ' pass/fail/crash':>26}" for e in engines)
    lines = [head, "-" * len(head)]
    totals = {e: {"pass": 0, "fail": 0, "crash": 0} for e in engines}
    for m in mods:
        cells = []
        for e in engines:
            row = by_engine[e].get(m, {"pass": 0, "fail": 0, "crash": 0})
            for k in totals[e]:
                totals[e][k] += row[k]
            cells.append(_cell(row))
        lines.append(f"{m:<16}" + "".join(cells))
    lines.append("-" * len(head))
    lines.append(f"{'total':<16}" + "".join(_cell(t) for t in totals.values()))
    return "\n".join(lines)


def report(engines: list[str], mods: list[str], results: dict[str, list[CaseResult]],
           skipped: dict[str, str], seconds: dict[str, float]) -> dict[str, Any]:
    return {
        "modules": mods,
        "skipped": skipped,
        "engines": {
            e: {"seconds": round(seconds[e], 2), "summary": summarise(results[e]),
                "cases": [{"module": r.module, "index": r.index, "fcn": r.fcn,
                           "status": r.status, "problems": r.problems}
                          for r in results[e] if r.status != "pass"]}
            for e in engines if e in results},
    }


def main(engines: list[str], mods: list[str] | None, json_path: str | None,
         verbose: bool = False) -> int:
    mods = mods or modules()
    results: dict[str, list[CaseResult]] = {}
    skipped: dict[str, str] = {}
    seconds: dict[str, float] = {}
    for e in engines:
        why = adapters.get(e).available()
        if why:
            skipped[e] = why
            print(f"engine {e}: skipped ({why})")
            continue
        t0 = time.perf_counter()
        results[e] = run_engine(e, mods)
        seconds[e] = time.perf_counter() - t0
    if results:
        print(format_table(mods, {e: summarise(r) for e, r in results.items()}))
    if verbose:
        for e, rs in results.items():
            for r in rs:
                if r.status != "pass":
                    print(f"[{e}] {r.module}#{r.index} {r.fcn} {r.status.upper()}")
                    for p in r.problems[:5]:
                        print(f"    {p}")
    if json_path:
        Path(json_path).write_text(json.dumps(report(engines, mods, results, skipped, seconds),
                                              indent=1, ensure_ascii=False), encoding="utf-8")
    bad = any(r.status != "pass" for rs in results.values() for r in rs)
    return 1 if bad else 0
