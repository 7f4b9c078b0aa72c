"""Operating the server: micro-batching (one bad request never fails another), time limits,
bearer-token authentication, monitoring with drift and the request log, and the ``pfa serve``
command (start, answer, graceful shutdown on SIGTERM)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from pfa.document.profile import build_profile, profile_metadata, psi, read_profile
from pfa.engine.engine import Engine
from pfa.serve import ServeConfig
from pfa.serve.model import plain_json

from .helpers import MIXED, free_port, serve, write_repository

GOOD = {"x": 1.5, "n": 2, "s": "a", "maybe": None, "v": [1.0], "flag": True}


def test_micro_batching_isolates_bad_requests(tmp_path: Path):
    root = write_repository(tmp_path, {"mixed/1": MIXED})
    engine = Engine.from_json(MIXED)
    requests = []
    for i in range(24):
        if i % 6 == 1:
            rows = [dict(GOOD, x=float(i)), dict(GOOD, s="refuse")]  # the document refuses row 1
        elif i % 6 == 4:
            rows = [dict(GOOD, n="not a number")]  # invalid input: refused before batching
        else:
            rows = [dict(GOOD, x=float(i), n=i), dict(GOOD, x=-float(i))]
        requests.append(rows)
    config = ServeConfig(max_batch_size=16, max_batch_delay_ms=20)
    with serve(root, config) as s:
        def send(rows):
            with s.client() as c:
                return c.post("/invocations", json={"instances": rows})
        with ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(send, requests))
    for i, (rows, r) in enumerate(zip(requests, answers)):
        if i % 6 == 1:
            assert r.status_code == 400 and r.json()["message"].startswith("row 1:"), r.text
            assert "refuses this row" in r.json()["message"]
        elif i % 6 == 4:
            assert r.status_code == 400 and "$.n" in r.json()["message"]
        else:
            assert r.status_code == 200, r.text
            assert r.json() == {"predictions": [plain_json(engine.action(x)) for x in rows]}


LOOP = {"name": "loop", "input": "int", "output": "int",
        "action": [{"let": {"i": 0}},
                   {"while": {"<": ["i", "input"]}, "do": [{"set": {"i": {"+": ["i", 1]}}}]},
                   "i"]}


def test_engine_timeout_is_per_request_and_not_fatal(tmp_path: Path):
    path = tmp_path / "loop.json"
    path.write_text(json.dumps(LOOP))
    with serve(path, ServeConfig(options={"timeout": 50})) as s, s.client() as c:
        r = c.post("/invocations", json={"instances": [2**31 - 1]})
        assert r.status_code == 503 and "time limit" in r.json()["message"]
        assert c.post("/invocations", json={"instances": [3]}).json() == {"predictions": [3]}
        r = c.post("/v2/models/loop/infer", json={"inputs": [
            {"name": "input", "datatype": "INT32", "shape": [1], "data": [2**31 - 1]}]})
        assert r.status_code == 503 and set(r.json()) == {"error"}


def test_request_time_limit(tmp_path: Path):
    path = tmp_path / "loop.json"
    path.write_text(json.dumps(LOOP))
    with serve(path, ServeConfig(request_timeout_ms=1, batch_rows=10**9)) as s, \
            s.client() as c:
        r = c.post("/invocations", json={"instances": [20_000] * 2000})
        assert r.status_code == 503
        assert c.post("/invocations", json={"instances": [1]}).status_code == 200


def test_bearer_token(tmp_path: Path):
    root = write_repository(tmp_path, {"mixed/1": MIXED})
    with serve(root, ServeConfig(token="tok-123")) as s, s.client() as c:
        for path in ("/ping", "/health", "/v2/health/live", "/v2/health/ready"):
            assert c.get(path).status_code == 200
        r = c.post("/invocations", json={"instances": [GOOD]})
        assert r.status_code == 401 and set(r.json()) == {"error_code", "message"}
        assert r.headers["www-authenticate"] == "Bearer"
        r = c.post("/v2/models/mixed/infer", json={}, headers={"authorization": "Bearer nope"})
        assert r.status_code == 401 and set(r.json()) == {"error"}
        assert c.get("/metrics").status_code == 401
        ok = {"authorization": "Bearer tok-123"}
        assert c.post("/invocations", json={"instances": [GOOD]}, headers=ok).status_code == 200
        assert c.get("/metrics", headers=ok).status_code == 200


def test_profile_round_trip_and_psi():
    cols = {"x": [float(i % 10) for i in range(1000)], "c": ["a", "b"] * 500,
            "z": [None, 1.0] * 500}
    profile = build_profile(cols)
    read = read_profile(profile_metadata(profile))
    assert read is not None and set(read["features"]) == {"x", "c", "z"}
    assert read["features"]["z"]["null_rate"] == 0.5
    assert psi([0.5, 0.5], [50, 50]) == 0.0
    assert psi([0.5, 0.5], [90, 10]) > 0.2
    assert read_profile({"training.profile": "{not json"}) is None
    assert read_profile({"training.profile": json.dumps({"features": {"x": {
        "kind": "number", "edges": [2, 1], "fractions": [1, 0, 0]}}})}) == {"features": {}}


def test_monitoring_drift_and_request_log(tmp_path: Path):
    train = {"x": [float(i % 10) for i in range(1000)], "s": ["a", "b"] * 500}
    doc = json.loads(json.dumps(MIXED))
    doc["metadata"] = profile_metadata(build_profile(train))
    root = write_repository(tmp_path / "repo", {"mixed/1": doc})
    log = tmp_path / "requests.jsonl"
    with serve(root, ServeConfig(request_log=str(log))) as s, s.client() as c:
        same = [dict(GOOD, x=float(i % 10), s="ab"[i % 2]) for i in range(200)]
        assert c.post("/invocations", json={"instances": same}).status_code == 200
        mon = c.get("/monitor/mixed/1").json()
        assert mon["inputs"]["x"]["count"] == 200 and mon["inputs"]["maybe"]["null_rate"] == 1.0
        assert mon["inputs"]["s"]["categories"] == {"a": 100, "b": 100}
        assert set(mon["outputs"]) == {"score", "label", "total"}
        assert "0.5" in mon["outputs"]["score"]["quantiles"]
        low = mon["drift"]["features"]
        assert low["x"] < 0.1 and low["s"] < 0.1
        shifted = [dict(GOOD, x=100.0 + i, s="zz") for i in range(200)]
        assert c.post("/invocations", json={"instances": shifted}).status_code == 200
        high = c.get("/monitor/mixed").json()["drift"]["features"]
        assert high["x"] > 1.0 and high["s"] > 1.0
        metrics = c.get("/metrics").text
        assert 'pfa_serve_drift_psi{feature="x",model="mixed",version="1"}' in metrics
        assert c.get("/monitor").json()["models"][0]["model"] == "mixed"
    lines = log.read_text().splitlines()
    assert len(lines) == 2
    first = json.loads(lines[0])
    assert first["model"] == "mixed" and len(first["inputs"]) == 200 == len(first["outputs"])


def _wait_ready(url: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
        try:
            if httpx.get(url + "/v2/health/ready", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise TimeoutError("the server did not become ready")


def _in_flight(url: str) -> float:
    from prometheus_client.parser import text_string_to_metric_families

    text = httpx.get(url + "/metrics", timeout=10).text
    for fam in text_string_to_metric_families(text):
        if fam.name == "pfa_serve_requests_in_flight":
            return fam.samples[0].value
    return 0.0


@pytest.mark.parametrize("workers", [1, 2])
def test_command_serves_and_drains_on_sigterm(tmp_path: Path, workers: int):
    path = tmp_path / "loop.json"
    path.write_text(json.dumps(LOOP))
    port = free_port()
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[2]))
    proc = subprocess.Popen([sys.executable, "-m", "pfa.cli", "serve", str(path), "--port",
                             str(port), "--workers", str(workers), "--log-level", "warning",
                             "--timeout-ms", "600000"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(url, proc)
        if workers == 1:  # one process: the in-flight request is observable, then drained
            assert httpx.post(url + "/invocations", json={"instances": [5]}).json() == {
                "predictions": [5]}
            with ThreadPoolExecutor(1) as pool:
                slow = pool.submit(httpx.post, url + "/invocations",
                                   json={"instances": [100_000] * 20}, timeout=300)
                end = time.monotonic() + 60
                while _in_flight(url) < 2 and not slow.done() and time.monotonic() < end:
                    # (/metrics counts itself in flight)
                    time.sleep(0.02)
                proc.send_signal(signal.SIGTERM)
                answer = slow.result()
                assert answer.status_code == 200, answer.text  # in flight: drained, not dropped
        else:
            assert httpx.get(url + "/v2/health/live").json() == {"live": True}
            proc.send_signal(signal.SIGTERM)
        assert proc.wait(60) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_command_refuses_missing_source(tmp_path: Path):
    from pfa.cli import main

    assert main(["serve", str(tmp_path / "nope.pfa")]) == 2
