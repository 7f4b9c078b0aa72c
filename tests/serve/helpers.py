"""Helpers of the serving tests: real uvicorn servers on 127.0.0.1 and a free port, started
and stopped by the tests themselves, and documents written to temporary directories."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from pfa.serve import ServeConfig, create_app

IRIS_FIELDS = ["sepal_length", "sepal_width", "petal_length", "petal_width"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Running:
    """A server running in a thread of the test process."""

    def __init__(self, app: Any, port: int, server: uvicorn.Server, thread: threading.Thread):
        self.app = app
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.uvicorn = server
        self.thread = thread

    @property
    def state(self) -> Any:
        return self.app.state.server

    def client(self, **kw: Any) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=30, **kw)

    def wait_loaded(self, timeout: float = 60) -> None:
        end = time.monotonic() + timeout
        while self.state.repository.loading:
            if time.monotonic() > end:
                raise TimeoutError("models did not load")
            time.sleep(0.01)


@contextlib.contextmanager
def serve(source: str | Path, config: ServeConfig | None = None,
          wait: bool = True) -> Iterator[Running]:
    """Run ``pfa serve`` on ``source`` in a thread; stopped (gracefully) on exit."""
    app = create_app(source, config or ServeConfig())
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error",
                                           lifespan="on", timeout_graceful_shutdown=5))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    end = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > end or not thread.is_alive():
            raise RuntimeError("the server did not start")
        time.sleep(0.01)
    running = Running(app, port, server, thread)
    try:
        if wait:
            running.wait_loaded()
        yield running
    finally:
        server.should_exit = True
        thread.join(30)


def iris_document() -> dict[str, Any]:
    """A small exported iris classifier (logistic regression in a pipeline)."""
    from sklearn.datasets import load_iris
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    import pfa

    data = load_iris(as_frame=True)
    X = data.data.copy()
    X.columns = IRIS_FIELDS
    y = data.target.map(dict(enumerate(data.target_names)))
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=500)).fit(X, y)
    doc = pfa.export(model, sample=X, timestamp=False)
    doc = json.loads(doc) if isinstance(doc, str) else doc
    doc["name"] = "iris"
    return doc


MIXED = {
    "name": "mixed",
    "input": {"type": "record", "name": "In", "fields": [
        {"name": "x", "type": "double"},
        {"name": "n", "type": "int"},
        {"name": "s", "type": "string"},
        {"name": "maybe", "type": ["null", "double"]},
        {"name": "v", "type": {"type": "array", "items": "double"}},
        {"name": "flag", "type": "boolean"}]},
    "output": {"type": "record", "name": "Out", "fields": [
        {"name": "score", "type": "double"},
        {"name": "label", "type": "string"},
        {"name": "total", "type": "double"}]},
    "action": [
        {"if": {"==": ["input.s", {"string": "refuse"}]},
         "then": {"error": "the model refuses this row", "code": -7}},
        {"let": {"m": {"ifnotnull": {"y": "input.maybe"}, "then": "y", "else": 0.0}}},
        {"new": {"score": {"+": [{"*": ["input.x", "input.n"]}, "m"]},
                 "label": {"if": "input.flag", "then": "input.s",
                           "else": {"s.concat": [{"string": "no-"}, "input.s"]}},
                 "total": {"a.sum": "input.v"}},
         "type": "Out"}]}
"""A document with every kind of input field the protocols map (numbers, ints, strings,
nullable, arrays, booleans), a record output and a way to make one row fail (s == "refuse")."""


def write_repository(root: Path, models: dict[str, dict[str, Any]],
                     traffic: dict[str, dict[str, float]] | None = None) -> Path:
    """A model repository ``root/<name>/<version>/model.pfa``."""
    for key, doc in models.items():
        name, version = key.split("/")
        d = root / name / version
        d.mkdir(parents=True, exist_ok=True)
        (d / "model.pfa").write_text(json.dumps(doc), encoding="utf-8")
    for name, weights in (traffic or {}).items():
        (root / name / "config.json").write_text(json.dumps({"traffic": weights}))
    return root
