"""Cold start of this engine: read + check + compile (``Engine.from_json(path)``).

Two documents: a 500-tree RandomForestClassifier (depth 8, 30 features; the issue's target is
under 2 s) and the ``make demo`` document (``build/demo/model.pfa`` when it exists, else
rebuilt as in ``benches/models.py``). Each is written to a temporary JSON file and measured in
a fresh subprocess (nothing imported or compiled beforehand but the ``pfa`` package itself):

- read: ``pfa.document.reader.read(path)`` (file, JSON, syntax tree),
- check: ``pfa.check.checker.check`` (types, validation of cell/pool data),
- compile: ``Engine(typed)`` (cell/pool state, compiled routines),
- total: ``Engine.from_json(path)`` and ``Engine.from_json(text)`` on their own.

Times are wall-clock seconds (CPU seconds in brackets: the machine may be shared), the best
of ``--repeat`` runs in the subprocess.

    python benches/cold_start.py [--trees 500] [--repeat 3] [--doc PATH ...] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import harness  # noqa: E402

PHASES = ("read", "check", "compile", "total (path)", "total (text)")


def forest_doc(n_trees: int = 500, max_depth: int = 8) -> dict:
    """The issue's forest: 30 features (12 informative), 5,000 rows."""
    from sklearn.datasets import make_classification
    from sklearn.ensemble import RandomForestClassifier

    from pfa.exporters.sklearn import export

    X, y = make_classification(n_samples=5000, n_features=30, n_informative=12,
                               random_state=0)
    est = RandomForestClassifier(n_estimators=n_trees, max_depth=max_depth, random_state=0,
                                 n_jobs=2).fit(X, y)
    return export(est, timestamp=False)


def demo_text() -> str:
    path = ROOT / "build" / "demo" / "model.pfa"
    if path.is_file():
        return path.read_text(encoding="utf-8")
    import models

    return json.dumps(models.demo(1).doc)


def measure(path: str, repeat: int) -> dict[str, Any]:
    """Run in the subprocess: best (wall, cpu) seconds of every phase."""
    import gc

    from pfa.check.checker import check
    from pfa.document.reader import read
    from pfa.engine.engine import Engine

    text = Path(path).read_text(encoding="utf-8")
    best: dict[str, tuple[float, float]] = {}

    def clock(name: str, fn: Any, arg: Any) -> Any:
        gc.collect()
        w0, c0 = time.perf_counter(), time.process_time()
        out = fn(arg)
        w, c = time.perf_counter() - w0, time.process_time() - c0
        old = best.get(name)
        best[name] = (min(w, old[0]), min(c, old[1])) if old else (w, c)
        return out

    for _ in range(repeat):
        doc = clock("read", read, path)
        typed = clock("check", check, doc)
        engine = clock("compile", Engine, typed)
        del doc, typed, engine
        engine = clock("total (path)", Engine.from_json, path)
        del engine
        engine = clock("total (text)", Engine.from_json, text)
        del engine
    return {"bytes": len(text.encode("utf-8")),
            "wall": {k: v[0] for k, v in best.items()}, "cpu": {k: v[1] for k, v in best.items()}}


def run(label: str, text: str, repeat: int, timeout: float) -> dict[str, Any]:
    """Measure one document (JSON text) in a fresh subprocess."""
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "doc.pfa")
        Path(path).write_text(text, encoding="utf-8")
        code = (f"import sys, json; sys.path[:0] = [{str(HERE)!r}, {str(ROOT)!r}]; "
                f"import cold_start; print(json.dumps(cold_start.measure({path!r}, {repeat})))")
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             timeout=timeout, cwd=ROOT)
    if out.returncode != 0:
        raise RuntimeError(f"{label}: {out.stderr.strip().splitlines()[-1:]}")
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["label"] = label
    return result


def report(results: list[dict[str, Any]]) -> str:
    header = ["document", "size"] + list(PHASES)
    rows = []
    for r in results:
        cells = [r["label"], f"{r['bytes'] / 1e6:,.1f} MB"]
        for p in PHASES:
            cells.append(f"{r['wall'][p]:.3f} s ({r['cpu'][p]:.3f})")
        rows.append(cells)
    return harness.table(header, rows, "<>" + ">" * len(PHASES))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--trees", type=int, default=500, help="trees of the forest (0: skip it)")
    ap.add_argument("--repeat", type=int, default=3, help="runs per phase (best kept)")
    ap.add_argument("--doc", action="append", default=[], help="also measure this document")
    ap.add_argument("--no-demo", action="store_true", help="skip the demo document")
    ap.add_argument("--timeout", type=float, default=1800.0)
    ap.add_argument("--json", action="store_true", help="print the results as JSON too")
    args = ap.parse_args(argv)

    docs: list[tuple[str, Any]] = []
    if args.trees > 0:
        docs.append((f"RandomForest {args.trees} trees, depth 8",
                     lambda: json.dumps(forest_doc(args.trees))))
    if not args.no_demo:
        docs.append(("demo (HistGradientBoosting, 60 iterations)", demo_text))
    for p in args.doc:
        docs.append((p, lambda p=p: Path(p).read_text(encoding="utf-8")))

    results = []
    for label, make in docs:
        print(f"… {label}", file=sys.stderr, flush=True)
        results.append(run(label, make(), args.repeat, args.timeout))
    print("cold start: wall seconds (CPU seconds), best of", args.repeat)
    print(report(results))
    if args.json:
        print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
