"""Single-record ``action`` latency of this engine next to titus2 on the same documents
(issue "Engine" acceptance): a linear model (M1, StandardScaler + LogisticRegression), a
100-tree forest (M3) and a k-means document (M5). Calls are interleaved between the two
engines; times are µs per call after warm-up.

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

DOCUMENTS = [("linear", "M1"), ("forest (100 trees)", "M3"), ("k-means (k = 8)", "M5")]


def measure(key: str, calls: int, titus_calls: int, warmup: int) -> list[str]:
    """One table row: pfa and titus2 p50/p99 on model ``key``, and the speed-up."""
    model = models.build(key, max(calls, titus_calls))
    model.titus_rows = titus_calls
    pfa, titus = adapters.PfaScalar(), adapters.Titus()
    pfa.prepare(model)
    ready: list[Any] = [pfa]
    reason = ""
    try:
        titus.prepare(model)
        ready.append(titus)
    except adapters.Unavailable as err:
        reason = f"titus2 n/a ({err})"
    gc.collect()
    gc.freeze()  # keep the big documents out of the timed garbage collections
    lat = harness.latencies(ready, [calls, titus_calls][:len(ready)], model.n_rows, warmup)
    gc.unfreeze()
    p50 = [harness.pct(s, 50) for s in lat]
    p99 = [harness.pct(s, 99) for s in lat]
    if len(ready) == 1:
        return [key, fmt_num(p50[0]), fmt_num(p99[0]), "n/a", "", "", reason]
    return [key, fmt_num(p50[0]), fmt_num(p99[0]), fmt_num(p50[1]), fmt_num(p99[1]),
            fmt_ratio(p50[1] / p50[0]), titus.note]


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
    print(harness.table(["document", "pfa p50 µs", "pfa p99 µs", "titus2 p50 µs",
                         "titus2 p99 µs", "pfa speed-up", "note"], rows, "<>>>>><"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
