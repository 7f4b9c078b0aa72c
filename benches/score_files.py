"""``pfa score`` on large files: rows/s and peak resident memory, side by side with the
equivalent pandas + sklearn script (read the whole file, predict, write).

    python benches/score_files.py [--csv-rows 1000000] [--parquet-rows 5000000] [--model demo]

The model is from the bench anchor set (benches/models.py; default: the ``make demo``
pipeline, strings and missing values included); the data rows are drawn from its table with
replacement, written in chunks. Each scorer runs in its own process; peak RSS is that
process's ``ru_maxrss`` and CPU s its user + system time, all threads (os.wait4; on a shared
machine CPU s compares better than the wall-clock seconds rows/s comes from). Issue 12 targets: throughput ≥ pandas + sklearn, peak
RSS < 1 GiB on the 5M-row Parquet file.
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

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

PANDAS_SCRIPT = """
import sys, pickle, pandas as pd, numpy as np
fmt, src, dst, est_path = sys.argv[1:5]
est = pickle.load(open(est_path, "rb"))
df = pd.read_csv(src) if fmt == "csv" else pd.read_parquet(src)
X = df.drop(columns=["id"])
proba = est.predict_proba(X)
out = pd.DataFrame({"id": df["id"], "label": est.classes_[proba.argmax(axis=1)]})
for j in range(proba.shape[1]):
    out[f"probabilities.{j}"] = proba[:, j]
out.to_csv(dst, index=False) if fmt == "csv" else out.to_parquet(dst)
"""


def write_data(model, n: int, csv_path: Path | None, pq_path: Path | None,
               chunk: int = 200_000) -> None:
    """``n`` rows drawn from the model's table, written chunk by chunk."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    from pfa.demo import make_data

    df, _ = make_data()
    rng = np.random.default_rng(0)
    csv_w = pq_w = None
    for a in range(0, n, chunk):
        m = min(chunk, n - a)
        part = df.iloc[rng.integers(0, len(df), size=m)].reset_index(drop=True)
        part.insert(0, "id", np.arange(a, a + m))
        t = pa.Table.from_pandas(part, preserve_index=False)
        if csv_path is not None:
            csv_w = csv_w or pacsv.CSVWriter(str(csv_path), t.schema)
            csv_w.write_table(t)
        if pq_path is not None:
            pq_w = pq_w or pq.ParquetWriter(str(pq_path), t.schema)
            pq_w.write_table(t, row_group_size=chunk)
    for w in (csv_w, pq_w):
        if w is not None:
            w.close()


def measure(cmd: list[str]) -> tuple[float, float, float, int]:
    """(seconds, CPU seconds (user + system, all threads), peak RSS in MiB, exit status)
    of ``cmd`` run alone. On a shared machine the CPU seconds compare better than the
    wall-clock seconds (which the rows/s come from)."""
    env = dict(os.environ, PYTHONPATH=str(REPO), OMP_NUM_THREADS="1",
               OPENBLAS_NUM_THREADS="1")
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - t0
    return (seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024,
            os.waitstatus_to_exitcode(status))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--csv-rows", type=int, default=1_000_000)
    ap.add_argument("--parquet-rows", type=int, default=5_000_000)
    ap.add_argument("--model", default="demo")
    ap.add_argument("--workers", type=int, default=1)
    args = ap.parse_args()

    import pickle

    from benches.models import build

    model = build(args.model, 10)
    rows = []
    with tempfile.TemporaryDirectory(prefix="pfa-score-bench-") as tmp:
        d = Path(tmp)
        (d / "model.pfa").write_text(json.dumps(model.doc))
        (d / "est.pkl").write_bytes(pickle.dumps(model.estimator))
        (d / "pandas_score.py").write_text(PANDAS_SCRIPT)
        for fmt, n in (("csv", args.csv_rows), ("parquet", args.parquet_rows)):
            if n <= 0:
                continue
            src = d / f"data.{fmt}"
            write_data(model, n, src if fmt == "csv" else None,
                       src if fmt == "parquet" else None)
            size = src.stat().st_size / 2**20
            pfa_cmd = [sys.executable, "-m", "pfa.cli", "score", str(d / "model.pfa"),
                       str(src), "-o", str(d / f"out_pfa.{fmt}"), "--keep", "id", "-q",
                       "--workers", str(args.workers)]
            pd_cmd = [sys.executable, str(d / "pandas_score.py"), fmt, str(src),
                      str(d / f"out_pd.{fmt}"), str(d / "est.pkl")]
            for name, cmd in (("pfa score", pfa_cmd), ("pandas + sklearn", pd_cmd)):
                sec, cpu, rss, code = measure(cmd)
                rows.append((fmt, n, size, name, sec, cpu, n / sec, rss, code))
            for p in d.glob("out_*"):
                p.unlink()
            src.unlink()
    print(f"model: {model.title}")
    print(f"{'format':8} {'rows':>10} {'file MiB':>9}  {'scorer':18} {'seconds':>8} "
          f"{'CPU s':>7} {'rows/s':>10} {'peak RSS MiB':>13} {'exit':>5}")
    for fmt, n, size, name, sec, cpu, rate, rss, code in rows:
        print(f"{fmt:8} {n:>10,} {size:>9.1f}  {name:18} {sec:>8.1f} {cpu:>7.1f} "
              f"{rate:>10,.0f} {rss:>13,.0f} {code:>5}")
    rates = {(r[0], r[3]): r[6] for r in rows}
    for fmt in ("csv", "parquet"):
        if (fmt, "pfa score") in rates and (fmt, "pandas + sklearn") in rates:
            print(f"{fmt}: pfa score / pandas + sklearn = "
                  f"{rates[fmt, 'pfa score'] / rates[fmt, 'pandas + sklearn']:.2f}x rows/s")


if __name__ == "__main__":
    main()
