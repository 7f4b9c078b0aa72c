"""The model repository: readiness while loading and after a failed load, several versions,
load/unload through the repository extension, traffic weights (chi-square on 1,000 requests)."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest
from scipy.stats import chisquare

from pfa.serve import ModelSpec, ServeConfig, SourceError, register_source
from pfa.serve.sources import SOURCES, resolve

from .helpers import serve, write_repository


def doc(add: float, name: str = "m") -> dict:
    return {"name": name, "input": "double", "output": "double", "action": {"+": ["input", add]}}


def infer(c, path: str = "/models/m/invocations", x: float = 1.0):
    return c.post(path, json={"instances": [x]})


def test_readiness_during_slow_load_and_after(tmp_path: Path):
    gate = threading.Event()

    @register_source("slowtest")
    def slow(uri: str) -> list[ModelSpec]:
        gate.wait(30)
        return [ModelSpec("m", "1", doc(1))]

    try:
        with serve("slowtest:anything", wait=False) as s, s.client() as c:
            r = c.get("/v2/health/ready")
            assert r.status_code == 503 and r.json() == {"ready": False}
            assert c.get("/ping").status_code == 503
            assert c.get("/v2/health/live").json() == {"live": True}
            r = infer(c)
            assert r.status_code == 503 and r.headers["retry-after"] == "1"
            gate.set()
            s.wait_loaded()
            assert c.get("/v2/health/ready").json() == {"ready": True}
            assert infer(c).json() == {"predictions": [2.0]}
    finally:
        SOURCES.pop("slowtest", None)


def test_failed_document_makes_server_not_ready(tmp_path: Path):
    root = write_repository(tmp_path, {"good/1": doc(1, "good"),
                                       "bad/1": {"input": "double", "output": "string",
                                                 "action": {"+": ["input", 1]}}})
    with serve(root) as s, s.client() as c:
        assert c.get("/v2/health/ready").status_code == 503
        index = {e["name"]: e for e in c.post("/v2/repository/index").json()}
        assert index["bad"]["state"] == "FAILED" and index["bad"]["reason"]
        assert index["good"]["state"] == "READY"
        assert infer(c, "/models/good/invocations").status_code == 200
        r = infer(c, "/models/bad/invocations")
        assert r.status_code == 503 and "failed to load" in r.json()["message"]
        assert c.get("/v2/models/bad/ready").status_code == 400


def test_unknown_source_and_empty_repository(tmp_path: Path):
    with pytest.raises(SourceError):
        resolve(tmp_path)
    with pytest.raises(SourceError):
        resolve("nosuchscheme:x")
    with serve(tmp_path) as s, s.client() as c:
        assert c.get("/v2/health/ready").status_code == 503
        assert c.post("/invocations", json={"instances": [1]}).status_code == 503


def test_versions_latest_and_explicit(tmp_path: Path):
    root = write_repository(tmp_path, {"m/1": doc(1), "m/2": doc(2), "m/10": doc(10)})
    with serve(root) as s, s.client() as c:
        r = infer(c)
        assert r.json() == {"predictions": [11.0]} and r.headers["x-pfa-model-version"] == "10"
        for v, add in (("1", 1), ("2", 2)):
            r = infer(c, f"/models/m/versions/{v}/invocations")
            assert r.json() == {"predictions": [1.0 + add]}
            r = c.post(f"/v2/models/m/versions/{v}/infer", json={"inputs": [
                {"name": "input", "shape": [1], "datatype": "FP64", "data": [1.0]}]})
            assert r.json()["model_version"] == v
        assert c.get("/v2/models/m").json()["versions"] == ["1", "2", "10"]


def test_load_and_unload(tmp_path: Path):
    root = write_repository(tmp_path, {"m/1": doc(1)})
    with serve(root) as s, s.client() as c:
        assert infer(c).json() == {"predictions": [2.0]}
        write_repository(root, {"m/2": doc(2)})  # a new version appears on disk
        assert infer(c).json() == {"predictions": [2.0]}  # not served before a load
        assert c.post("/v2/repository/models/m/load").status_code == 200
        r = infer(c)
        assert r.json() == {"predictions": [3.0]} and r.headers["x-pfa-model-version"] == "2"
        assert c.post("/v2/repository/models/m/unload").json() == {}
        assert infer(c).status_code == 404
        assert c.get("/v2/models/m/ready").status_code == 400
        states = {e["version"]: e["state"] for e in c.post("/v2/repository/index").json()}
        assert states == {"1": "UNAVAILABLE", "2": "UNAVAILABLE"}
        assert c.post("/v2/repository/index", json={"ready": True}).json() == []
        assert c.post("/v2/repository/models/m/load").status_code == 200
        assert infer(c).json() == {"predictions": [3.0]}
        # a broken new version: the load fails, is reported, and serves nothing half-built
        (root / "m" / "3").mkdir()
        (root / "m" / "3" / "model.pfa").write_text("{\"input\": \"double\"")
        r = c.post("/v2/repository/models/m/load")
        assert r.status_code == 400 and "version 3" in r.json()["error"]
        assert c.get("/v2/health/ready").status_code == 503
        assert infer(c, "/models/m/versions/3/invocations").status_code == 503


def test_traffic_weights_chi_square(tmp_path: Path):
    root = write_repository(tmp_path, {"m/1": doc(1), "m/2": doc(2)},
                            traffic={"m": {"1": 90, "2": 10}})
    counts = {"1": 0, "2": 0}
    with serve(root, ServeConfig(seed=1234)) as s, s.client() as c:
        for _ in range(1000):
            r = infer(c)
            v = r.headers["x-pfa-model-version"]
            assert r.json() == {"predictions": [1.0 + int(v)]}
            counts[v] += 1
    stat, p = chisquare([counts["1"], counts["2"]], [900, 100])
    assert p > 0.001, counts


def test_bad_traffic_config(tmp_path: Path):
    root = write_repository(tmp_path, {"m/1": doc(1)}, traffic={"m": {"7": 1}})
    with pytest.raises(SourceError, match="do not exist"):
        resolve(root)
    (root / "m" / "config.json").write_text(json.dumps({"traffic": {"1": -1}}))
    with pytest.raises(SourceError, match="non-negative"):
        resolve(root)


def test_single_file_named_by_document_or_stem(tmp_path: Path):
    named = tmp_path / "whatever.json"
    named.write_text(json.dumps(doc(1, "adder")))
    unnamed = tmp_path / "plus-one.json"
    unnamed.write_text(json.dumps({"input": "double", "output": "double",
                                   "action": {"+": ["input", 1]}}))
    for path, name in ((named, "adder"), (unnamed, "plus-one")):
        with serve(path) as s, s.client() as c:
            assert c.get(f"/v2/models/{name}").status_code == 200
            assert c.post("/invocations", json={"instances": [1]}).json() == {
                "predictions": [2.0]}
            assert c.post(f"/v2/repository/models/{name}/load").status_code == 200


def test_several_models_need_a_default(tmp_path: Path):
    root = write_repository(tmp_path, {"a/1": doc(1, "a"), "b/1": doc(2, "b")})
    with serve(root) as s, s.client() as c:
        assert c.post("/invocations", json={"instances": [1]}).status_code == 404
    with serve(root, ServeConfig(default_model="b")) as s, s.client() as c:
        assert c.post("/invocations", json={"instances": [1]}).json() == {"predictions": [3.0]}


def test_load_is_not_blocking_other_requests(tmp_path: Path):
    """Requests keep being answered while a repository load runs."""
    root = write_repository(tmp_path, {"m/1": doc(1)})
    with serve(root) as s, s.client() as c:
        done = []
        t = threading.Thread(target=lambda: done.append(
            s.client().post("/v2/repository/models/m/load").status_code))
        t.start()
        for _ in range(20):
            assert infer(c).status_code == 200
            time.sleep(0.001)
        t.join(30)
        assert done == [200]


def test_lazy_provider_module(tmp_path: Path, monkeypatch):
    """A scheme listed in PROVIDERS is served by the module named there, imported on first use
    (as ``models:`` URIs are by pfa.mlflow.source)."""
    import sys
    import types

    from pfa.serve import sources

    mod = types.ModuleType("fake_pfa_provider")

    def load(uri: str) -> list[ModelSpec]:
        if uri.endswith("/missing"):
            raise SourceError("no such model in the fake registry")
        return [ModelSpec("reg", "4", doc(4, "reg"))]

    mod.load = load  # type: ignore[attr-defined]
    mod.register = lambda: register_source("fakereg")(load)  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "fake_pfa_provider", mod)
    monkeypatch.setitem(sources.PROVIDERS, "fakereg", "fake_pfa_provider")
    monkeypatch.delitem(SOURCES, "fakereg", raising=False)
    with pytest.raises(SourceError, match="no model source"):
        resolve("fakereg:/x")  # the module did not register anything
    mod.register()
    try:
        assert [(s.name, s.version) for s in resolve("fakereg:/reg/4")] == [("reg", "4")]
        with serve("fakereg:/reg/4") as s, s.client() as c:
            assert c.post("/invocations", json={"instances": [1]}).json() == {
                "predictions": [5.0]}
        with serve("fakereg:/missing") as s, s.client() as c:
            assert c.get("/v2/health/ready").status_code == 503
    finally:
        SOURCES.pop("fakereg", None)


def test_repository_version_pointing_at_a_uri(tmp_path: Path):
    """``<name>/<version>/model.uri`` serves the document a registered source gives."""
    register_source("pointtest")(lambda uri: [ModelSpec("x", "9", doc(9, "x"))])
    try:
        root = write_repository(tmp_path, {"m/1": doc(1)})
        (root / "m" / "2").mkdir()
        (root / "m" / "2" / "model.uri").write_text("pointtest:/x/9\n")
        specs = resolve(root)
        assert [(s.name, s.version) for s in specs] == [("m", "1"), ("m", "2")]
        with serve(root) as s, s.client() as c:
            r = c.post("/models/m/invocations", json={"instances": [1]})
            assert r.json() == {"predictions": [10.0]}
            assert r.headers["x-pfa-model-version"] == "2"
        (root / "m" / "2" / "model.uri").write_text("not a uri")
        with pytest.raises(SourceError, match="model URI"):
            resolve(root)
    finally:
        SOURCES.pop("pointtest", None)


def test_prettypfa_file_is_served(tmp_path: Path):
    """A document written in PrettyPFA is served like its JSON form."""
    path = tmp_path / "halve.ppfa"
    path.write_text("name: halve\ninput: double\noutput: double\naction: input / 2\n")
    with serve(path) as s, s.client() as c:
        r = c.post("/invocations", json={"inputs": [3.0, 5.0]})
        assert r.status_code == 200, r.text
        assert r.json() == {"predictions": [1.5, 2.5]}
