"""Generated requests: for valid records every protocol and format answers exactly what
``Engine.action`` gives; for arbitrary (hostile) bodies the answer is 200 or a 4xx in the
protocol's shape, never a 5xx, a stack trace or a dropped connection."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pfa.engine.engine import Engine
from pfa.serve import ServeConfig
from pfa.serve.model import plain_json

from .helpers import MIXED, serve, write_repository

SETTINGS = settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture],
                    deadline=None)

finite = st.floats(allow_nan=False, allow_infinity=False, width=64)
record = st.fixed_dictionaries({
    "x": finite.filter(lambda x: abs(x) < 1e150),
    "n": st.integers(-(2**31), 2**31 - 1),
    "s": st.text(max_size=12).filter(lambda s: s != "refuse"),
    "maybe": st.none() | finite,
    "v": st.lists(finite.filter(lambda x: abs(x) < 1e300), max_size=4),
    "flag": st.booleans(),
})
records = st.lists(record, min_size=1, max_size=5)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = write_repository(tmp_path_factory.mktemp("repo"), {"mixed/1": MIXED})
    with serve(root, ServeConfig(max_body_bytes=1 << 16, batch_rows=3)) as s:
        yield s


@pytest.fixture(scope="module")
def engine():
    return Engine.from_json(MIXED)


def _csv_body(rows: list[dict[str, Any]]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf)
    cols = list(rows[0])
    w.writerow(cols)
    for r in rows:
        w.writerow(["" if v is None else json.dumps(v) if isinstance(v, list)
                    else str(v).lower() if isinstance(v, bool) else repr(v)
                    if isinstance(v, float) else str(v) for v in (r[c] for c in cols)])
    return buf.getvalue().encode()


def _mlflow(kind: str, rows: list[dict[str, Any]]) -> tuple[str, bytes]:
    if kind == "csv":
        return "text/csv", _csv_body(rows)
    if kind == "dataframe_split":
        cols = list(rows[0])
        body = {kind: {"columns": cols, "data": [[r[c] for c in cols] for r in rows]}}
    else:
        body = {kind: rows}
    return "application/json", json.dumps(body).encode()


def _v2(rows: list[dict[str, Any]]) -> dict[str, Any]:
    dts = {"x": "FP64", "n": "INT32", "s": "BYTES", "maybe": "FP64", "v": "BYTES",
           "flag": "BOOL"}
    return {"inputs": [{"name": k, "datatype": dts[k], "shape": [len(rows)],
                        "data": [r[k] if k != "v" else json.dumps(r[k]) for r in rows]}
                       for k in dts if k != "v"] + [
        {"name": "v", "datatype": "FP64", "shape": [len(rows), len(rows[0]["v"])],
         "data": [x for r in rows for x in r["v"]]}]}


@pytest.mark.parametrize("kind", ["dataframe_split", "dataframe_records", "instances",
                                  "inputs", "csv"])
@SETTINGS
@given(rows=records)
def test_mlflow_answers_equal_engine_action(server, engine, kind, rows):
    # CSV cannot tell "" from a missing string: keep strings non-empty there
    if kind == "csv" and any(r["s"] == "" or "\x00" in r["s"] or "\r" in r["s"] for r in rows):
        return
    ctype, body = _mlflow(kind, rows)
    with server.client() as c:
        r = c.post("/invocations", content=body, headers={"content-type": ctype})
    assert r.status_code == 200, r.text
    assert r.json() == {"predictions": [plain_json(engine.action(x)) for x in rows]}


@SETTINGS
@given(rows=records, k=st.integers(0, 3))
def test_v2_answers_equal_engine_action(server, engine, rows, k):
    rows = [dict(r, v=(r["v"] + [0.5] * 4)[:k]) for r in rows]  # rectangular arrays
    with server.client() as c:
        r = c.post("/v2/models/mixed/infer", json=_v2(rows))
    assert r.status_code == 200, r.text
    want = [plain_json(engine.action(x)) for x in rows]
    outs = {t["name"]: t["data"] for t in r.json()["outputs"]}
    assert outs == {f: [w[f] for w in want] for f in ("score", "label", "total")}


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | finite | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner,
                                                                 max_size=4),
    max_leaves=20)
mlflow_like = st.dictionaries(st.sampled_from(["dataframe_split", "dataframe_records",
                                               "instances", "inputs", "params", "columns",
                                               "data", "x"]), json_values, max_size=3)
v2_like = st.fixed_dictionaries({"inputs": st.lists(st.fixed_dictionaries({
    "name": st.sampled_from(["x", "n", "s", "maybe", "v", "flag", "zz"]),
    "datatype": st.sampled_from(["FP64", "INT32", "BYTES", "BOOL", "FP16", "nope"]),
    "shape": st.lists(st.integers(-1, 3), max_size=3),
    "data": json_values}), max_size=7)}, optional={"id": json_values, "outputs": json_values,
                                                  "parameters": json_values})


def _check(r: Any, shape: set[str]) -> None:
    assert r.status_code < 500, r.text
    if r.status_code != 200:
        assert 400 <= r.status_code < 500
        assert set(r.json()) == shape and "Traceback" not in r.text


@SETTINGS
@given(body=mlflow_like | json_values)
def test_hostile_mlflow_bodies(server, body):
    with server.client() as c:
        r = c.post("/invocations", content=json.dumps(body).encode(),
                   headers={"content-type": "application/json"})
        _check(r, {"error_code", "message"})
        assert c.get("/ping").status_code == 200  # same client, next request fine


@SETTINGS
@given(body=v2_like | json_values)
def test_hostile_v2_bodies(server, body):
    with server.client() as c:
        r = c.post("/v2/models/mixed/infer", json=body)
        _check(r, {"error"})
        assert c.get("/v2/health/live").status_code == 200


@SETTINGS
@given(body=st.binary(max_size=300), ctype=st.sampled_from(
    ["application/json", "text/csv", "application/vnd.apache.parquet"]))
def test_hostile_bytes(server, body, ctype):
    with server.client() as c:
        r = c.post("/invocations", content=body, headers={"content-type": ctype})
        _check(r, {"error_code", "message"})


@pytest.mark.parametrize("depth", [50, 1000, 20_000])
@pytest.mark.parametrize("path", ["/invocations", "/v2/models/mixed/infer"])
def test_deep_nesting(server, depth, path):
    body = b'{"instances": ' + b"[" * depth + b"]" * depth + b"}"
    if path.startswith("/v2"):
        body = b'{"inputs": [{"name": "x", "datatype": "FP64", "shape": [1], "data": ' + \
            b"[" * depth + b"1" + b"]" * depth + b"}]}"
    with server.client() as c:
        r = c.post(path, content=body, headers={"content-type": "application/json"})
        assert 400 <= r.status_code < 500, r.text
