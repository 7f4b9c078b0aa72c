"""Load test of ``pfa serve`` against ``mlflow models serve`` on loopback.

Per server and body size (1-row and 100-row requests): N requests (default 10,000) from 8
keep-alive clients (threads, one HTTP/1.1 connection each), 5% of them malformed (invalid
JSON, a wrong type, an unknown key; rotated). Reports requests/s, p50/p99 latency, resident
memory of the server's process tree after the run, the 2xx/4xx/5xx counts and lost requests
(connection errors or timeouts: the client reconnects and counts one lost), and the CPU time
per request of the server's process tree and of the load generator (steadier than req/s on a
busy machine: the clients run on the same cores). The model is the
same sklearn pipeline (StandardScaler + LogisticRegression on iris) for both: exported to PFA
for pfa, saved with ``mlflow.sklearn.save_model`` for MLflow (``--env-manager local``).

    .venv/bin/python benches/serve_load.py                # both servers, 10,000 requests each
    .venv/bin/python benches/serve_load.py --quick        # 2,000 requests, pfa only
    .venv/bin/python benches/serve_load.py --no-mlflow --requests 20000
    .venv/bin/python benches/serve_load.py --only-mlflow   # the MLflow half alone

Writes results/serve_load.json (not with --quick). Timings are never asserted anywhere.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
FIELDS = ["sepal_length", "sepal_width", "petal_length", "petal_width"]
MALFORMED = [b'{"dataframe_records": [{"sepal_length": ', b'{"dataframe_records": '
             b'[{"sepal_length": "x", "sepal_width": 1, "petal_length": 1, "petal_width": 1}]}',
             b'{"records": []}']


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fit() -> tuple[Any, Any]:
    import pandas as pd
    from sklearn.datasets import load_iris
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    data = load_iris()
    X = pd.DataFrame(data.data, columns=FIELDS)
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=500)).fit(X, data.target)
    return model, X


def tree_rss(pid: int) -> int:
    """Resident bytes of ``pid`` and its descendants."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
            children = Path(f"/proc/{p}/task/{p}/children").read_text().split()
            todo.extend(int(c) for c in children)
        except OSError:
            pass
    return total


def tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by ``pid`` and its descendants."""
    total, todo, tick = 0.0, [pid], os.sysconf("SC_CLK_TCK")
    while todo:
        p = todo.pop()
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
            children = Path(f"/proc/{p}/task/{p}/children").read_text().split()
            todo.extend(int(c) for c in children)
        except (OSError, IndexError, ValueError):
            pass
    return total


def wait_ready(port: int, path: str, proc: subprocess.Popen, timeout: float = 180) -> float:
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            c.request("GET", path)
            if c.getresponse().status == 200:
                return time.perf_counter() - start
        except OSError:
            pass
        time.sleep(0.05)
    raise TimeoutError("server not ready")


def bodies(X: Any, rows: int, n: int, bad_share: float) -> list[tuple[bytes, bool]]:
    rng = np.random.default_rng(7)
    out = []
    for i in range(n):
        if rng.random() < bad_share:
            out.append((MALFORMED[i % len(MALFORMED)], False))
        else:
            idx = rng.integers(0, len(X), rows)
            recs = X.iloc[idx].to_dict("records")
            out.append((json.dumps({"dataframe_records": recs}).encode(), True))
    return out


def load(port: int, work: list[tuple[bytes, bool]], clients: int) -> dict[str, Any]:
    lat: list[float] = []
    status = {"2xx": 0, "4xx": 0, "5xx": 0, "lost": 0, "wrong": 0}
    lock = threading.Lock()
    it = iter(enumerate(work))
    headers = {"Content-Type": "application/json"}

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine: list[float] = []
        counts = dict.fromkeys(status, 0)
        while True:
            with lock:
                nxt = next(it, None)
            if nxt is None:
                break
            _, (body, good) = nxt
            t0 = time.perf_counter()
            try:
                conn.request("POST", "/invocations", body, headers)
                resp = conn.getresponse()
                resp.read()
            except (OSError, http.client.HTTPException):
                counts["lost"] += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                continue
            mine.append(time.perf_counter() - t0)
            cls = f"{resp.status // 100}xx"
            counts[cls] = counts.get(cls, 0) + 1
            if (resp.status == 200) != good:
                counts["wrong"] += 1
        conn.close()
        with lock:
            lat.extend(mine)
            for k, v in counts.items():
                status[k] = status.get(k, 0) + v

    threads = [threading.Thread(target=client) for _ in range(clients)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - start
    arr = np.array(lat) * 1000
    return {"requests": len(work), "seconds": wall, "req_per_s": len(work) / wall,
            "p50_ms": float(np.percentile(arr, 50)) if len(arr) else None,
            "p99_ms": float(np.percentile(arr, 99)) if len(arr) else None, **status}


def start_pfa(doc_path: Path, port: int) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.Popen([sys.executable, "-m", "pfa.cli", "serve", str(doc_path), "--port",
                             str(port), "--log-level", "warning"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def start_mlflow(model_dir: Path, port: int) -> subprocess.Popen:
    bindir = str(Path(sys.executable).parent)
    exe = shutil.which("mlflow", path=bindir) or "mlflow"
    env = dict(os.environ, PATH=bindir + os.pathsep + os.environ.get("PATH", ""))
    return subprocess.Popen([exe, "models", "serve", "-m", str(model_dir), "-p", str(port),
                             "-h", "127.0.0.1", "--env-manager", "local", "-w", "1"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
                            start_new_session=True)


def stop(proc: subprocess.Popen) -> None:
    import signal

    try:
        os.killpg(proc.pid, signal.SIGTERM) if proc.pid == os.getpgid(proc.pid) \
            else proc.terminate()
        proc.wait(30)
    except (OSError, subprocess.TimeoutExpired):
        proc.kill()
        proc.wait()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--requests", type=int, default=10_000)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--bad-share", type=float, default=0.05)
    ap.add_argument("--no-mlflow", action="store_true")
    ap.add_argument("--only-mlflow", action="store_true", help="skip the pfa half")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--rows", default="1,100", help="body sizes in rows (default 1,100)")
    args = ap.parse_args()
    n = 2000 if args.quick else args.requests
    sizes = [int(r) for r in args.rows.split(",")]
    model, X = fit()
    import pfa.exporters.sklearn as exp

    tmp = Path(tempfile.mkdtemp(prefix="serve_bench_"))
    doc = exp.export(model, sample=X, timestamp=False)
    doc["name"] = "iris"
    (tmp / "iris.pfa").write_text(json.dumps(doc))
    servers: dict[str, Any] = {} if args.only_mlflow else {
        "pfa serve": lambda port: start_pfa(tmp / "iris.pfa", port)}
    if not (args.no_mlflow or args.quick):
        try:
            import mlflow.sklearn

            mlflow.sklearn.save_model(model, str(tmp / "mlflow_model"))
            servers["mlflow models serve"] = lambda port: start_mlflow(tmp / "mlflow_model",
                                                                       port)
        except Exception as exc:  # noqa: BLE001 - reported, the pfa half still runs
            print(f"mlflow unavailable: {type(exc).__name__}: {exc}")
    results: dict[str, Any] = {"requests": n, "clients": args.clients,
                               "bad_share": args.bad_share, "runs": {}}
    for name, start in servers.items():
        port = free_port()
        proc = start(port)
        try:
            try:
                ready = wait_ready(port, "/ping", proc)
            except (RuntimeError, TimeoutError) as exc:
                print(f"{name}: n/a ({exc})", flush=True)
                results["runs"][name] = {"error": str(exc)}
                continue
            for rows in sizes:
                work = bodies(X, rows, n, args.bad_share)
                load(port, work[: min(500, n)], args.clients)  # warm-up
                cpu0, own0 = tree_cpu(proc.pid), time.process_time()
                r = load(port, work, args.clients)
                r["server_cpu_us"] = (tree_cpu(proc.pid) - cpu0) / n * 1e6
                r["client_cpu_us"] = (time.process_time() - own0) / n * 1e6
                r["rss_mib"] = tree_rss(proc.pid) / 2**20
                r["ready_s"] = ready
                results["runs"][f"{name} / {rows} row(s)"] = r
                print(f"{name:20} {rows:3} row(s): {r['req_per_s']:8.0f} req/s  p50 "
                      f"{r['p50_ms']:7.2f} ms  p99 {r['p99_ms']:7.2f} ms  RSS "
                      f"{r['rss_mib']:6.0f} MiB  2xx {r['2xx']} 4xx {r['4xx']} 5xx {r['5xx']} "
                      f"lost {r['lost']} wrong {r['wrong']}  CPU/request server "
                      f"{r['server_cpu_us']:.0f} us client {r['client_cpu_us']:.0f} us  "
                      f"(ready in {ready:.1f} s)",
                      flush=True)
        finally:
            stop(proc)
    if not args.quick:  # (a quick run is for iterating: it keeps the recorded results)
        (HERE / "results").mkdir(exist_ok=True)
        out = HERE / "results" / ("serve_load_mlflow.json" if args.only_mlflow
                                  else "serve_load.json")
        out.write_text(json.dumps(results, indent=2))
    shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
