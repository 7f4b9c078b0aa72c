"""``mlflow models serve --env-manager local`` on a saved PFA model: a real scoring server on
127.0.0.1 and a free port, started and stopped by the test."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pandas as pd
import pytest

from pfa.engine.engine import Engine

from .conftest import saved_model

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory,
           iris_classifier: dict[str, Any]) -> Iterator[str]:
    path = saved_model(iris_classifier, tmp_path_factory.mktemp("serve") / "model")
    port = _free_port()
    env = dict(os.environ)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    proc = subprocess.Popen(
        [sys.executable, "-m", "mlflow", "models", "serve", "-m", str(path), "--env-manager",
         "local", "-h", "127.0.0.1", "-p", str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        end = time.monotonic() + 120
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"mlflow models serve exited: {proc.stderr.read()[-2000:]!r}")
            try:
                if httpx.get(f"{url}/ping", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > end:
                raise TimeoutError("mlflow models serve did not start")
            time.sleep(0.25)
        yield url
    finally:
        os.killpg(proc.pid, 15)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
            proc.wait(20)


def _expected(doc: dict[str, Any], frame: pd.DataFrame) -> list[Any]:
    engine = Engine.from_json(doc)
    return [engine.action(r) for r in frame.to_dict("records")]


@pytest.mark.parametrize("fmt", ["dataframe_split", "dataframe_records", "csv"])
def test_invocations_equal_the_engine(server: str, iris_classifier: dict[str, Any],
                                      iris_frame: pd.DataFrame, fmt: str) -> None:
    frame = iris_frame.iloc[::7].reset_index(drop=True)  # 22 rows: the batch path
    for part in (frame, frame.head(3)):  # and the record-by-record path
        if fmt == "csv":
            body, ctype = part.to_csv(index=False), "text/csv"
        else:
            orient = fmt.split("_")[1]
            payload = json.loads(part.to_json(orient=orient))
            if orient == "split":
                payload.pop("index", None)
            body, ctype = json.dumps({fmt: payload}), "application/json"
        r = httpx.post(f"{server}/invocations", content=body, headers={"Content-Type": ctype},
                       timeout=60)
        assert r.status_code == 200, r.text
        assert r.json()["predictions"] == _expected(iris_classifier, part)


@pytest.mark.parametrize(("change", "column"), [
    (lambda f: f.assign(petal_width="wide"), "petal_width"),         # MLflow's type check
    (lambda f: f.drop(columns=["sepal_length"]), "sepal_length"),    # a missing column
    (lambda f: f.assign(petal_length=float("nan")), "petal_length"),  # the document refuses NaN
])
def test_bad_columns_are_400_with_their_name(server: str, iris_frame: pd.DataFrame,
                                             change: Any, column: str) -> None:
    part = change(iris_frame.head(12).copy())
    payload = json.loads(part.to_json(orient="split"))
    payload.pop("index", None)
    r = httpx.post(f"{server}/invocations", json={"dataframe_split": payload}, timeout=60)
    assert r.status_code == 400, r.text
    assert column in r.json()["message"]
