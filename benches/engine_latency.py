"""Single-record ``action`` latency of this engine next to onnxruntime (one thread) and titus2
on the same models: M1–M5 and the other producers' variants (M1p–M5p). ``action`` runs on the
native tier where the document is in its subset (``PFA_NATIVE=0``: the scalar engine). Calls
are interleaved between the engines; times are µs per call after warm-up.

    python benches/engine_latency.py [--quick] [--calls N]
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
from pathlib import Path
from typing import Any

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

HERE = Path(__file__).resolve().parent
for p in (str(HERE), str(HERE.parent)):
    if p not in sys.path:
        sys.path.insert(0, p)

import adapters  # noqa: E402
import harness  # noqa: E402
import models  # noqa: E402
from harness import fmt_num, fmt_ratio  # noqa: E402

DOCUMENTS = [("linear", "M1"), ("tree (depth 10)", "M2"), ("forest (100 trees)", "M3"),
             ("boosting (100 trees)", "M4"), ("k-means (k = 8)", "M5"),
             ("linear, la.dot", "M1p"), ("tree, simpleWalk", "M2p"), ("forest, a.map", "M3p"),
             ("boosting, a.sum", "M4p"), ("k-means, default metric", "M5p")]


def measure(key: str, calls: int, titus_calls: int, warmup: int) -> list[str]:
    """One table row: pfa and titus2 p50/p99 on model ``key``, and the speed-up."""
    model = models.build(key, max(calls, titus_calls))
    model.titus_rows = titus_calls
    pfa, ort, titus = adapters.PfaScalar(), adapters.Onnx(), adapters.Titus()
    pfa.prepare(model)
    ready: list[Any] = [pfa]
    notes = []
    for other in (ort, titus):
        try:
            other.prepare(model)
            ready.append(other)
        except Exception as err:  # noqa: BLE001 - a missing path is reported, not fatal
            ready.append(None)
            notes.append(f"{other.name} n/a ({adapters.short(err)})")
    live = [r for r in ready if r is not None]
    counts = [titus_calls if r is titus else calls for r in live]
    gc.collect()
    gc.freeze()  # keep the big documents out of the timed garbage collections
    lat = iter(harness.latencies(live, counts, model.n_rows, warmup))
    gc.unfreeze()
    p50 = [None if r is None else harness.pct(next(lat), 50) for r in ready]
    row = [key, fmt_num(p50[0])]
    for v in p50[1:]:
        row += [fmt_num(v) if v is not None else "n/a",
                fmt_ratio(v / p50[0]) if v is not None else ""]
    return row + ["; ".join(notes)]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer calls (smoke run)")
    ap.add_argument("--calls", type=int, default=None, help="pfa calls per document")
    args = ap.parse_args(argv)
    calls = args.calls or (300 if args.quick else 5_000)
    titus_calls = min(calls, 100 if args.quick else 1_000)
    warmup = 30 if args.quick else 200
    info = harness.machine_info()
    print(f"Engine.action latency vs titus2 {info['titus']} — {info['cpu_count']} CPUs, "
          f"Python {info['python']}; pfa {calls:,} calls, titus2 {titus_calls:,} calls")
    rows = []
    for label, key in DOCUMENTS:
        row = measure(key, calls, titus_calls, warmup)
        row[0] = f"{label} ({key})"
        rows.append(row)
    print(harness.table(["document", "pfa p50 µs", "ort p50 µs", "pfa ÷ ort speed",
                         "titus2 p50 µs", "pfa ÷ titus2 speed", "note"], rows, "<>>>>><"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
