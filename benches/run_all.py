"""``make bench``: this engine against sklearn, onnxruntime and titus2 on the bench models.

For each model (see ``benches/models.py``) one table, with side by side for every path —
this engine's scalar path (a loop of ``action``), its vector path (``action_batch``, when this
build has it), sklearn's ``predict``, the skl2onnx export on onnxruntime (one thread), titus2
on the same PFA document:

- single-record latency: median and p99 in µs over ≥ 2,000 calls after warm-up, interleaved
  across the paths (titus2: fewer calls, shown in the table);
- batch throughput on 100,000 rows (rows/s); titus2's is extrapolated from 5,000 rows.

The ``× sklearn`` / ``× ort`` columns are speed relative to that path (> 1 = faster). Then:
cold start (read + check + compile) of a 500-tree forest document for this engine and titus2
(fresh subprocesses), and peak memory of a 1,000,000-row M3 batch through ``action_batch``
with a ``chunk_size`` (subprocess, ``getrusage`` max RSS). Results also go to
``benches/results/latest.json``.

    python benches/run_all.py [--quick] [--models M1,M3] [--threads N] [--no-cold] [--no-memory]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# One thread for every native library (sklearn's OpenMP, BLAS, onnxruntime is set per
# session): the machine is shared, and this engine runs on one thread too.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))
if str(HERE.parent) not in sys.path:
    sys.path.insert(0, str(HERE.parent))

import adapters  # noqa: E402
import harness  # noqa: E402
import models  # noqa: E402
from adapters import Unavailable  # noqa: E402
from harness import PathResult, fmt_num, fmt_ratio  # noqa: E402

GIB = 1 << 30


@dataclass
class Config:
    """How much to measure (``--quick`` shrinks everything for a smoke run)."""

    rows: int = 100_000  # batch rows
    calls: int = 2_000  # single-record calls per path
    warmup: int = 200
    titus_rows: int = 5_000  # titus batch (extrapolated to ``rows``)
    titus_calls: int = 2_000
    fast_rounds: int = 3  # batch repetitions of the fast paths (median kept)
    check_rows: int = 200  # rows compared with sklearn
    cold_trees: int = 500
    cold_timeout: float = 420.0
    memory_rows: int = 1_000_000
    chunk_size: int = 10_000
    memory_timeout: float = 600.0
    titus_max_bytes: int | None = None  # skip titus2 on bigger documents (its load is slow)
    threads: int = 1  # > 1: also batch rows/s on this many threads (pfa native, sklearn n_jobs)

    @classmethod
    def quick(cls) -> Config:
        return cls(rows=10_000, calls=300, warmup=30, titus_rows=300, titus_calls=100,
                   fast_rounds=2, check_rows=100, cold_trees=20, cold_timeout=120.0,
                   memory_rows=100_000, memory_timeout=120.0, titus_max_bytes=5_000_000)


# --- one model ------------------------------------------------------------------------------

def runners(cfg: Config) -> list[Any]:
    return [adapters.PfaScalar(), adapters.PfaVector(cfg.chunk_size), adapters.Sklearn(),
            adapters.Onnx(), adapters.Titus()]


def comparable(out: Any) -> Any:
    """The part of an engine output sklearn's ``predict`` returns (label / value)."""
    if isinstance(out, dict) and "label" in out:
        return out["label"]
    return out


def bench_model(model: models.BenchModel, cfg: Config) -> dict[str, Any]:
    """Measure every path on ``model``; print its table; return the JSON-ready results."""
    paths = runners(cfg)
    results = {p.name: PathResult(p.name) for p in paths}
    ready = []
    prep_s: dict[str, float] = {}
    for p in paths:
        t0 = time.perf_counter()
        if (isinstance(p, adapters.Titus) and cfg.titus_max_bytes
                and model.doc_bytes > cfg.titus_max_bytes):
            results[p.name].available = False
            results[p.name].reason = (f"skipped by --quick: {model.doc_bytes / 1e6:.0f} MB "
                                      "document, titus2 loads it in > 30 s")
            continue
        try:
            p.prepare(model)
        except Unavailable as err:
            results[p.name].available = False
            results[p.name].reason = str(err)
            continue
        except Exception as err:  # a crash of one path must not stop the bench
            results[p.name].available = False
            results[p.name].reason = adapters.short(err)
            continue
        prep_s[p.name] = time.perf_counter() - t0
        results[p.name].note = getattr(p, "note", "") or ""
        results[p.name].invalid = getattr(p, "problem", "") or ""
        ready.append(p)
    # the prepared models (a 100-tree document is millions of objects) must not make every
    # garbage collection during the timings slow: move them out of the collector's sight
    gc.collect()
    gc.freeze()
    phase = {"prepare": time.perf_counter()}
    checks = agreement(model, ready, cfg)
    phase["check"] = time.perf_counter()

    # single-record latency, interleaved
    n = model.n_rows
    calls = [cfg.titus_calls if isinstance(p, adapters.Titus) else cfg.calls for p in ready]
    for p, samples in zip(ready, harness.latencies(ready, calls, n, cfg.warmup)):
        r = results[p.name]
        r.samples = samples
        r.calls = len(samples)
        r.p50_us = harness.pct(samples, 50)
        r.p99_us = harness.pct(samples, 99)

    phase["latency"] = time.perf_counter()

    # batch throughput: slow paths once, fast paths ``fast_rounds`` times (median)
    times: dict[str, list[float]] = {p.name: [] for p in ready}
    for rnd in range(cfg.fast_rounds):
        for p in ready:
            slow = isinstance(p, (adapters.PfaScalar, adapters.Titus))
            if slow and rnd > 0:
                continue
            rows = min(cfg.titus_rows, n) if isinstance(p, adapters.Titus) else n
            try:
                times[p.name].append(harness.timed(lambda p=p, rows=rows: p.batch(rows)) / rows)
            except Exception as err:
                results[p.name].reason = "batch: " + adapters.short(err)
    for p in ready:
        r = results[p.name]
        if times[p.name]:
            per_row = sorted(times[p.name])[len(times[p.name]) // 2]
            r.rows_per_s = 1.0 / per_row
            r.batch_rows = n
            if isinstance(p, adapters.Titus) and min(cfg.titus_rows, n) < n:
                r.extrapolated_from = min(cfg.titus_rows, n)

    phase["batch"] = time.perf_counter()
    threaded = threaded_batch(model, cfg) if cfg.threads > 1 else {}
    marks = list(phase.items())
    phase_s = {k: round(t - marks[i - 1][1], 3) for i, (k, t) in enumerate(marks) if i}
    gc.unfreeze()
    print_model(model, [results[p.name] for p in paths], checks, prep_s, cfg)
    if threaded:
        print(f"  {cfg.threads} threads: " + "; ".join(
            f"{k} {fmt_num(v)} rows/s" if isinstance(v, float) else f"{k} {v}"
            for k, v in threaded.items()))
    return {
        "threads": threaded,
        "title": model.title,
        "document_bytes": model.doc_bytes,
        "rows": n,
        "engine_build_s": prep_s.get(adapters.PfaScalar.name),
        "titus_build_s": prep_s.get(adapters.Titus.name),
        "checks": checks,
        "phase_s": phase_s,
        "paths": {name: r.as_json() for name, r in results.items()},
    }


def threaded_batch(model: models.BenchModel, cfg: Config) -> dict[str, Any]:
    """Batch rows/s on ``cfg.threads`` threads: pfa (the native tier releases the GIL and
    splits the blocks of rows over threads) and sklearn (``n_jobs`` where the estimator has
    it); onnxruntime's intra-op threads are not measured here."""
    from pfa import Engine

    out: dict[str, Any] = {}
    os.environ["PFA_NATIVE_THREADS"] = str(cfg.threads)
    try:
        engine = Engine.from_json(model.doc)
        engine.action_batch(model.frame.iloc[:100])
        t = harness.timed(lambda: engine.action_batch(model.frame))
        out["pfa"] = model.n_rows / t
    except Exception as err:  # noqa: BLE001 - a failing path must not stop the bench
        out["pfa"] = f"n/a ({adapters.short(err)})"
    finally:
        os.environ.pop("PFA_NATIVE_THREADS", None)
    est = model.estimator
    params = est.get_params() if hasattr(est, "get_params") else {}
    jobs = [k for k in params if k == "n_jobs" or k.endswith("__n_jobs")]
    if jobs:
        est.set_params(**{k: cfg.threads for k in jobs})
        try:
            predict = getattr(est, "predict_proba", None) or est.predict
            t = harness.timed(lambda: predict(model.X))
            out["sklearn"] = model.n_rows / t
        finally:
            est.set_params(**{k: None for k in jobs})
    else:
        out["sklearn"] = "n/a (no n_jobs)"
    out["onnxruntime"] = "not measured"
    return out


def agreement(model: models.BenchModel, ready: list[Any], cfg: Config) -> list[str]:
    """Sanity checks that the paths compute the same thing: pfa vs sklearn, titus vs pfa."""
    out = []
    k = min(cfg.check_rows, model.n_rows)
    engine = model.engine()
    ours = [engine.action(r) for r in model.records[:k]]
    expected = model.estimator.predict(model.X[:k]).tolist()
    same = sum(adapters.same_outputs([comparable(a)], [b]) for a, b in zip(ours, expected))
    out.append(f"pfa = sklearn predict on {same}/{k} rows")
    for p in ready:
        if isinstance(p, adapters.Titus):
            m = min(k, len(p.records))
            theirs = [p.single(i) for i in range(m)]
            same = sum(adapters.same_outputs([_untag(a)], [b]) for a, b in zip(theirs, ours))
            out.append(f"titus2 = pfa on {same}/{m} rows")
    return out


def _untag(v: Any) -> Any:
    """titus output with union tags ``{"type": value}`` removed (best effort)."""
    if isinstance(v, dict):
        if len(v) == 1:
            (_, inner), = v.items()
            if not isinstance(inner, (dict, list)):
                return inner
        return {k: _untag(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_untag(x) for x in v]
    return v


def print_model(model: models.BenchModel, results: list[PathResult], checks: list[str],
                prep_s: dict[str, float], cfg: Config) -> None:
    by = {r.name: r for r in results}
    skl, ort = by[adapters.Sklearn.name], by[adapters.Onnx.name]

    def speed(ref: PathResult, r: PathResult, lat: bool) -> str:
        if lat:
            if ref.p50_us is None or r.p50_us is None:
                return "—"
            return fmt_ratio(ref.p50_us / r.p50_us)
        if ref.rows_per_s is None or r.rows_per_s is None:
            return "—"
        return fmt_ratio(r.rows_per_s / ref.rows_per_s)

    rows = []
    for r in results:
        if not r.available:
            rows.append([r.name, "n/a", "", "", "", "n/a", "", "", f"({r.reason})"])
            continue
        notes = [f"WRONG OUTPUTS ({r.invalid})"] if r.invalid else []
        notes += [r.note] if r.note else []
        if r.calls and r.calls < cfg.calls:
            notes.append(f"{r.calls:,} calls")
        if r.extrapolated_from:
            notes.append(f"rows/s extrapolated from {r.extrapolated_from:,} rows")
        if r.reason:
            notes.append(r.reason)
        rows.append([r.name, fmt_num(r.p50_us), fmt_num(r.p99_us), speed(skl, r, True),
                     speed(ort, r, True), fmt_num(r.rows_per_s), speed(skl, r, False),
                     speed(ort, r, False), "; ".join(notes)])
    build = prep_s.get(adapters.PfaScalar.name)
    tbuild = prep_s.get(adapters.Titus.name)
    print()
    print(f"{model.key} — {model.title}")
    print(f"  document {model.doc_bytes / 1e6:.2f} MB; engine build "
          f"{'—' if build is None else f'{build:.2f} s'}, titus2 build "
          f"{'—' if tbuild is None else f'{tbuild:.2f} s'}; batch {model.n_rows:,} rows; "
          + "; ".join(checks))
    print(harness.table(
        ["path", "p50 µs", "p99 µs", "× sklearn", "× ort", "rows/s", "× sklearn", "× ort",
         "note"], rows, "<>>>>>>><"))
    sys.stdout.flush()


# --- cold start and memory (subprocesses) ---------------------------------------------------

def child(argv: list[str]) -> None:
    """Entry point of the measuring subprocesses; prints one JSON line."""
    what = argv[0]
    if what == "cold-pfa":
        print(json.dumps(cold_pfa(argv[1])))
    elif what == "cold-titus":
        print(json.dumps(cold_titus(argv[1])))
    elif what == "memory":
        print(json.dumps(memory(argv[1], int(argv[2]), int(argv[3]))))


def cold_pfa(path: str) -> dict[str, Any]:
    """read + check + compile of the document at ``path`` (imports done before timing)."""
    from pfa import Engine
    from pfa.check.checker import check
    from pfa.document.reader import read

    t0 = time.perf_counter()
    doc = read(path)
    t1 = time.perf_counter()
    typed = check(doc)
    t2 = time.perf_counter()
    engine = Engine.from_ast(typed)
    engine.explain_batch()  # the batch tier (native lowering included) is compiled on first use
    t3 = time.perf_counter()
    return {"read_s": t1 - t0, "check_s": t2 - t1, "compile_s": t3 - t2, "total_s": t3 - t0,
            "maxrss_bytes": harness.maxrss_bytes()}


def cold_titus(path: str) -> dict[str, Any]:
    """JSON parse + ``PFAEngine.fromJson`` (titus reads, checks and compiles there)."""
    PFAEngine = adapters.import_titus()
    t0 = time.perf_counter()
    with open(path) as f:
        doc = json.load(f)
    t1 = time.perf_counter()
    PFAEngine.fromJson(doc)
    t2 = time.perf_counter()
    return {"read_s": t1 - t0, "check_compile_s": t2 - t1, "total_s": t2 - t0,
            "maxrss_bytes": harness.maxrss_bytes()}


def memory(path: str, n_rows: int, chunk_size: int) -> dict[str, Any]:
    """Peak RSS of one ``action_batch`` over ``n_rows`` M3 rows with ``chunk_size``."""
    import numpy as np

    from pfa import Engine

    engine = Engine.from_json(path)
    if not adapters.has_action_batch(engine):
        return {"available": False, "reason": "Engine.action_batch not available yet"}
    kwargs = adapters.batch_kwargs(engine, chunk_size)
    with open(path) as f:
        names = [fd["name"] for fd in json.load(f)["input"]["fields"]]
    _, _, X = models.classification(n_rows)
    import pandas as pd

    frame = pd.DataFrame(X, columns=names)
    probe = models.BenchModel("M3", "", None, {}, X[:50], frame.iloc[:50],
                              [dict(zip(names, r)) for r in X[:50].tolist()])
    expected = [engine.action(r) for r in probe.records]
    form, _, problem = adapters.pick_batch_form(engine, probe, expected, kwargs, strict=False)
    if form == "DataFrame":
        data: Any = frame
    else:
        data = [dict(zip(names, r)) for r in X.tolist()]
    del X
    import gc

    gc.collect()
    load_peak = harness.peak_rss_bytes()
    base = harness.current_rss_bytes()
    reset = harness.reset_peak_rss()
    t0 = time.perf_counter()
    out = adapters.materialize(engine.action_batch(data, **kwargs))
    elapsed = time.perf_counter() - t0
    peak = harness.peak_rss_bytes()
    n_out = len(out) if hasattr(out, "__len__") else None
    return {"available": True, "input": form, "rows": n_rows, "chunk_size": kwargs.get(
        "chunk_size"), "baseline_rss_bytes": base, "peak_rss_bytes": peak,
        "peak_is_batch_only": reset, "load_peak_rss_bytes": load_peak,
        "seconds": elapsed, "rows_per_s": n_rows / elapsed, "outputs": n_out,
        "problem": problem, "numpy": np.__version__}


def run_child(args: list[str], timeout: float) -> dict[str, Any]:
    """Run ``child(args)`` in a fresh interpreter; its JSON result or an error entry."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", *args]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(HERE.parent), str(HERE)]))
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        return {"available": False, "reason": f"timeout after {timeout:.0f} s"}
    if proc.returncode != 0:
        tail = (proc.stderr.strip().splitlines() or ["?"])[-1]
        return {"available": False, "reason": f"exit {proc.returncode}: {tail[:90]}"}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def cold_start(cfg: Config, workdir: Path) -> dict[str, Any]:
    """Cold start of a ``cfg.cold_trees``-tree forest document, this engine and titus2."""
    est = models.forest(n_estimators=cfg.cold_trees, max_depth=8)
    t0 = time.perf_counter()
    doc = models.export_doc(est)
    export_s = time.perf_counter() - t0
    path = workdir / "forest.pfa.json"
    tpath = workdir / "forest.titus.json"
    path.write_text(json.dumps(doc))
    tdoc, rewritten = adapters.titus_document(doc)
    tpath.write_text(json.dumps(tdoc))
    size = path.stat().st_size
    del doc, tdoc
    res = {"trees": cfg.cold_trees, "depth": 8, "document_bytes": size, "export_s": export_s,
           "pfa": run_child(["cold-pfa", str(path)], cfg.cold_timeout),
           "titus2": run_child(["cold-titus", str(tpath)], cfg.cold_timeout),
           "titus_note": "NaN literals rewritten as 0/0" if rewritten else ""}
    rows = []
    for name, key in (("pfa (read / check / compile)", "pfa"), ("titus2 (parse / fromJson)",
                                                                  "titus2")):
        r = res[key]
        if not r.get("total_s"):
            rows.append([name, "n/a", "", "", f"({r.get('reason', '?')})"])
            continue
        parts = (f"{r['read_s']:.2f} / {r['check_s']:.2f} / {r['compile_s']:.2f}"
                 if key == "pfa" else f"{r['read_s']:.2f} / {r['check_compile_s']:.2f}")
        rows.append([name, f"{r['total_s']:.2f}", parts,
                     f"{r['maxrss_bytes'] / GIB:.2f}", res["titus_note"] if key != "pfa"
                     else ""])
    p, t = res["pfa"].get("total_s"), res["titus2"].get("total_s")
    print()
    print(f"Cold start — RandomForestClassifier {cfg.cold_trees} trees, depth 8: document "
          f"{size / 1e6:.1f} MB (export {export_s:.1f} s); fresh process, imports excluded"
          + (f"; pfa is {t / p:.2f}× titus2's speed" if p and t else ""))
    print(harness.table(["engine", "total s", "phases s", "max RSS GiB", "note"], rows,
                        "<>>><"))
    sys.stdout.flush()
    return res


def peak_memory(cfg: Config, workdir: Path) -> dict[str, Any]:
    """Peak RSS of a ``cfg.memory_rows``-row M3 batch through ``action_batch``."""
    path = workdir / "m3.pfa.json"
    if not path.exists():
        path.write_text(json.dumps(models.export_doc(models.forest())))
    res = run_child(["memory", str(path), str(cfg.memory_rows), str(cfg.chunk_size)],
                    cfg.memory_timeout)
    print()
    print(f"Peak memory — M3 batch of {cfg.memory_rows:,} rows through action_batch "
          f"(chunk_size {cfg.chunk_size:,}), fresh process, peak RSS during the call")
    if not res.get("available"):
        print(f"  n/a ({res.get('reason', '?')})")
    else:
        scope = "during the call" if res["peak_is_batch_only"] else "whole process"
        print(f"  input {res['input']}; RSS before the call {res['baseline_rss_bytes'] / GIB:.2f}"
              f" GiB (engine + input; loading peaked at {res['load_peak_rss_bytes'] / GIB:.2f}"
              f" GiB), peak {scope} {res['peak_rss_bytes'] / GIB:.2f} GiB "
              f"(+{(res['peak_rss_bytes'] - res['baseline_rss_bytes']) / GIB:.2f} GiB); "
              f"{res['rows_per_s']:,.0f} rows/s")
        if res.get("problem"):
            print(f"  WARNING: {res['problem']} (vector engine bug; memory measured anyway)")
    sys.stdout.flush()
    return res


# --- targets --------------------------------------------------------------------------------

def targets(report: dict[str, Any]) -> list[dict[str, Any]]:
    """The acceptance targets of the issues, per model: met / missed / n/a, with the ratio."""
    out: list[dict[str, Any]] = []

    def add(target: str, model: str, value: float | None, goal: float, unit: str) -> None:
        if value is None:
            out.append({"target": target, "model": model, "status": "n/a"})
        else:
            out.append({"target": target, "model": model, "value": value, "goal": goal,
                        "unit": unit, "status": "met" if value >= goal else "MISSED"})

    for key, m in report["models"].items():
        p = m["paths"]
        sc, vec = p[adapters.PfaScalar.name], p[adapters.PfaVector.name]
        skl, ort, tit = (p[adapters.Sklearn.name], p[adapters.Onnx.name],
                         p[adapters.Titus.name])
        vr = None if vec.get("invalid") else vec.get("rows_per_s")

        def rel(a: float | None, b: float | None) -> float | None:
            return None if a is None or b is None else a / b

        best = max((x for x in (skl.get("rows_per_s"), ort.get("rows_per_s")) if x),
                   default=None)
        add("batch ≥ 1.5 × max(sklearn, ort) (goal)", key, rel(vr, best), 1.5, "×")
        add("batch ≥ 1.0 × max(sklearn, ort) (floor)", key, rel(vr, best), 1.0, "×")
        add("single record p50 ≤ onnxruntime's (goal)", key,
            rel(ort.get("p50_us"), sc.get("p50_us")), 1.0, "×")
        if key in ("M1", "M2", "M5"):
            add("single record ≥ 0.8 × onnxruntime's speed (floor)", key,
                rel(ort.get("p50_us"), sc.get("p50_us")), 0.8, "×")
        add("≥ 20× faster than titus2 per record (p50)", key,
            rel(tit.get("p50_us"), sc.get("p50_us")), 20.0, "×")
    cold = report.get("cold_start", {}).get("pfa", {})
    if report.get("cold_start"):
        t = cold.get("total_s")
        trees = report["cold_start"]["trees"]
        add(f"cold start of a {trees}-tree forest ≤ 0.5 s (0.5 ÷ seconds)", "forest",
            None if t is None else 0.5 / t, 1.0, "×")
    mem = report.get("memory", {})
    if report.get("memory") is not None:
        peak = mem.get("peak_rss_bytes")
        rows = report["config"]["memory_rows"]
        add(f"{rows:,}-row M3 batch < 2 GiB (2 GiB ÷ peak RSS)", "M3",
            None if peak is None else 2 * GIB / peak, 1.0, "×")
    return out


def print_targets(rows: list[dict[str, Any]]) -> None:
    print()
    print("Targets (value = how far past the goal: ≥ 1 met for ratios, goal shown)")
    table = []
    for r in rows:
        if r["status"] == "n/a":
            table.append([r["target"], r["model"], "n/a", "", ""])
        else:
            table.append([r["target"], r["model"], r["status"], fmt_ratio(r["value"]),
                          f"≥ {r['goal']:g}×"])
    print(harness.table(["target", "model", "status", "value", "goal"], table, "<<<>>"))


# --- main -----------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer rows and calls (smoke run)")
    ap.add_argument("--models", default=",".join(models.ALL + models.PRODUCERS),
                    help=f"comma-separated subset of {','.join(models.ALL + models.PRODUCERS)}")
    ap.add_argument("--threads", type=int, default=1,
                    help="also measure batch rows/s on N threads (pfa native, sklearn n_jobs)")
    ap.add_argument("--no-cold", action="store_true", help="skip the cold-start bench")
    ap.add_argument("--no-memory", action="store_true", help="skip the peak-memory bench")
    ap.add_argument("--out", default=str(HERE / "results" / "latest.json"))
    ap.add_argument("--child", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        child(args.child)
        return 0
    keys = [k.strip() for k in args.models.split(",") if k.strip()]
    unknown = [k for k in keys if k not in models.BUILDERS]
    if unknown:
        ap.error(f"unknown models {unknown}; choose from {models.ALL}")
    cfg = Config.quick() if args.quick else Config()
    cfg.threads = max(1, args.threads)
    started = time.perf_counter()
    info = harness.machine_info()
    print(f"pfa benches ({'quick' if args.quick else 'full'}) — {info['date']}; "
          f"{info['cpu_count']} CPUs ({info['cpu']}); Python {info['python']}, numpy "
          f"{info['numpy']}, sklearn {info['sklearn']}, onnxruntime {info['onnxruntime']}, "
          f"titus2 {info['titus']}")
    print("× columns: speed relative to that path (> 1 = faster). Every path runs on one "
          f"thread (OMP_NUM_THREADS={os.environ['OMP_NUM_THREADS']}, onnxruntime "
          "intra_op_num_threads=1). The pfa paths run on the native tier where `pfa explain`"
          " says native (PFA_NATIVE=0: vector/scalar only).")
    report: dict[str, Any] = {"machine": info, "config": cfg.__dict__, "models": {}}
    tmp = tempfile.TemporaryDirectory(prefix="pfa-bench-")
    workdir = Path(tmp.name)
    for key in keys:
        t0 = time.perf_counter()
        try:
            model = models.build(key, cfg.rows)
        except Exception as err:
            print(f"\n{key}: n/a ({adapters.short(err)})")
            report["models"][key] = {"available": False, "reason": adapters.short(err)}
            continue
        model.titus_rows = max(cfg.titus_rows, cfg.titus_calls)
        report["models"][key] = bench_model(model, cfg)
        report["models"][key]["wall_s"] = time.perf_counter() - t0
        if key == "M3":  # the memory bench runs its document in a subprocess
            (workdir / "m3.pfa.json").write_text(json.dumps(model.doc))
        del model
        gc.collect()
    try:
        if not args.no_cold:
            report["cold_start"] = cold_start(cfg, workdir)
        if not args.no_memory:
            report["memory"] = peak_memory(cfg, workdir)
    finally:
        tmp.cleanup()
    rows = targets({**report, "models": {k: v for k, v in report["models"].items()
                                         if "paths" in v}})
    report["targets"] = rows
    print_targets(rows)
    report["wall_s"] = time.perf_counter() - started
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1, default=str) + "\n")
    print(f"\nwrote {out} ({report['wall_s']:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
