"""MLflow pyfunc on a saved PFA model: what MLflow's layer (schema enforcement, DataFrame
conversion) costs on top of the engine.

    python benches/mlflow_pyfunc.py [--rows 100000] [--models M1,M3,demo] [--repeat 3]

For each bench anchor model (benches/models.py): rows/s of ``Engine.action_batch`` on the
DataFrame, of ``mlflow.pyfunc.load_model(saved).predict`` on the same DataFrame, and the
median latency of one-row ``predict`` against ``Engine.action``. Best of ``--repeat`` runs.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def median_latency(fn, n: int = 300) -> float:
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def row(key: str, rows: int, repeat: int, path: Path, mlflow, pfa_mlflow, build) -> str:
    """One line of the table for the bench model ``key``."""
    m = build(key, rows)
    pfa_mlflow.save_model(m.doc, path, input_example=m.frame.head(5))
    model = mlflow.pyfunc.load_model(str(path))
    engine = m.engine()
    frame = m.frame
    model.predict(frame.head(100))  # build the batch plan once
    engine.action_batch(frame.head(100))
    t_engine = best(lambda: engine.action_batch(frame), repeat)
    t_pyfunc = best(lambda: model.predict(frame), repeat)
    one, rec = frame.head(1), m.records[0]
    lat_engine = median_latency(lambda: engine.action(rec))
    lat_pyfunc = median_latency(lambda: model.predict(one))
    return (f"{key:8} {len(frame) / t_engine:>20,.0f} {len(frame) / t_pyfunc:>14,.0f} "
            f"{lat_engine * 1e6:>10.1f} {lat_pyfunc * 1e6:>16.1f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--models", default="M1,M3,demo")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    import mlflow
    from threadpoolctl import threadpool_limits

    import pfa.mlflow
    from benches.models import build

    print(f"{'model':8} {'action_batch rows/s':>20} {'pyfunc rows/s':>14} "
          f"{'action µs':>10} {'pyfunc 1-row µs':>16}")
    with threadpool_limits(1), tempfile.TemporaryDirectory() as tmp:
        for key in args.models.split(","):
            print(row(key, args.rows, args.repeat, Path(tmp) / key, mlflow, pfa.mlflow, build))

if __name__ == "__main__":
    main()
