"""Every endpoint and input format of both protocols against a real server, and every client
error answered 4xx in the protocol's own shape, with the same connection still usable."""

from __future__ import annotations

import http.client
import io
import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pfa.engine.engine import Engine
from pfa.serve.model import plain_json
from pfa.serve.protocols import protocols

from .helpers import IRIS_FIELDS, MIXED, serve, write_repository

ROWS = [{"x": 1.5, "n": 2, "s": "a", "maybe": None, "v": [1.0, 2.0], "flag": True},
        {"x": -0.25, "n": 7, "s": "bb", "maybe": 3.0, "v": [], "flag": False}]


@pytest.fixture(scope="module")
def server(tmp_path_factory, iris_doc):
    root = write_repository(tmp_path_factory.mktemp("repo"),
                            {"mixed/1": MIXED, "iris/1": iris_doc})
    from pfa.serve import ServeConfig

    with serve(root, ServeConfig(default_model="mixed", max_body_bytes=1 << 16)) as s:
        yield s


def expected(doc: dict[str, Any], rows: list[Any]) -> list[Any]:
    engine = Engine.from_json(doc)
    return [plain_json(engine.action(r)) for r in rows]


class Conn:
    """One keep-alive HTTP/1.1 connection; fails if the server closed it."""

    def __init__(self, port: int):
        self.http = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.sock: Any = None

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], Any]:
        self.http.request(method, path, body=body, headers=headers or {})
        if self.sock is None:
            self.sock = self.http.sock
        assert self.http.sock is self.sock, "the server closed the connection"
        resp = self.http.getresponse()
        data = resp.read()
        ctype = resp.getheader("content-type") or ""
        value = json.loads(data) if ctype.startswith("application/json") and data.strip() else data
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, value

    def close(self) -> None:
        self.http.close()


def test_protocol_registry_finds_both():
    assert {p.name for p in protocols()} >= {"mlflow", "v2"}


# -- MLflow ---------------------------------------------------------------------------------------

def _csv(rows: list[dict[str, Any]]) -> bytes:
    cols = list(rows[0])
    lines = [",".join(cols)]
    for r in rows:
        cells = []
        for c in cols:
            v = r[c]
            cells.append("" if v is None else json.dumps(v) if isinstance(v, list)
                         else str(v).lower() if isinstance(v, bool) else str(v))
        lines.append(",".join(f'"{c}"' if "," in c else c for c in cells))
    return ("\n".join(lines) + "\n").encode()


def _parquet(rows: list[dict[str, Any]]) -> bytes:
    buf = io.BytesIO()
    pq.write_table(pa.Table.from_pylist(rows), buf)
    return buf.getvalue()


MLFLOW_BODIES = {
    "dataframe_split": lambda rows: ("application/json", json.dumps({"dataframe_split": {
        "columns": list(rows[0]), "data": [list(r.values()) for r in rows]}}).encode()),
    "dataframe_split_index": lambda rows: ("application/json", json.dumps({"dataframe_split": {
        "index": list(range(len(rows))), "columns": list(rows[0]),
        "data": [list(r.values()) for r in rows]}, "params": {"x": 1}}).encode()),
    "dataframe_records": lambda rows: ("application/json",
                                       json.dumps({"dataframe_records": rows}).encode()),
    "instances": lambda rows: ("application/json", json.dumps({"instances": rows}).encode()),
    "inputs_columns": lambda rows: ("application/json", json.dumps({"inputs": {
        c: [r[c] for r in rows] for c in rows[0]}}).encode()),
    "csv": lambda rows: ("text/csv", _csv(rows)),
    "csv_charset": lambda rows: ("text/csv; charset=utf-8", _csv(rows)),
    "parquet": lambda rows: ("application/vnd.apache.parquet", _parquet(rows)),
}


@pytest.mark.parametrize("fmt", sorted(MLFLOW_BODIES))
@pytest.mark.parametrize("path", ["/invocations", "/models/mixed/invocations",
                                  "/models/mixed/versions/1/invocations"])
def test_mlflow_formats(server, fmt, path):
    ctype, body = MLFLOW_BODIES[fmt](ROWS)
    with server.client() as c:
        r = c.post(path, content=body, headers={"content-type": ctype})
    assert r.status_code == 200, r.text
    assert r.json() == {"predictions": expected(MIXED, ROWS)}
    assert r.headers["x-pfa-model-version"] == "1"


def test_mlflow_iris_by_name(server, iris_doc):
    rows = [dict(zip(IRIS_FIELDS, v)) for v in ([5.1, 3.5, 1.4, 0.2], [6.7, 3.0, 5.2, 2.3])]
    with server.client() as c:
        r = c.post("/models/iris/invocations", json={"dataframe_records": rows})
    assert r.status_code == 200
    assert r.json()["predictions"] == expected(iris_doc, rows)


@pytest.mark.parametrize("path", ["/ping", "/health", "/models/iris/ping", "/models/iris/health"])
def test_mlflow_health(server, path):
    with server.client() as c:
        assert c.get(path).status_code == 200


@pytest.mark.parametrize("path", ["/version", "/models/iris/version"])
def test_mlflow_version(server, path):
    from pfa.version import __version__

    with server.client() as c:
        assert c.get(path).text == __version__


# -- Open Inference Protocol ----------------------------------------------------------------------

def _tensors(rows: list[dict[str, Any]], nested: bool) -> list[dict[str, Any]]:
    out = []
    for f in MIXED["input"]["fields"]:
        name, col = f["name"], [r[f["name"]] for r in rows]
        if name == "v":
            continue
        dt = {"x": "FP64", "n": "INT32", "s": "BYTES", "maybe": "FP64", "flag": "BOOL"}[name]
        shape = [len(rows), 1] if nested else [len(rows)]
        data = [[x] for x in col] if nested else col
        out.append({"name": name, "datatype": dt, "shape": shape, "data": data})
    return out


def test_v2_infer_flat_and_nested(server):
    rows = [dict(r, v=[1.0, 2.0]) for r in ROWS]  # a rectangular array input
    for nested in (False, True):
        tensors = _tensors(rows, nested)
        tensors.append({"name": "v", "datatype": "FP64", "shape": [2, 2],
                        "data": [[1.0, 2.0], [1.0, 2.0]] if nested else [1.0, 2.0, 1.0, 2.0]})
        with server.client() as c:
            r = c.post("/v2/models/mixed/infer", json={"id": "req-1", "inputs": tensors,
                                                       "parameters": {"content_type": "pd"}})
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["id"] == "req-1" and body["model_name"] == "mixed"
        want = expected(MIXED, rows)
        outs = {t["name"]: t for t in body["outputs"]}
        assert outs["score"]["data"] == [w["score"] for w in want]
        assert outs["label"]["datatype"] == "BYTES"
        assert outs["label"]["data"] == [w["label"] for w in want]
        assert outs["score"]["shape"] == [2]


def test_v2_output_selection_and_versions(server):
    rows = [dict(r, v=[0.5]) for r in ROWS]
    tensors = _tensors(rows, False) + [{"name": "v", "datatype": "FP64", "shape": [2, 1],
                                        "data": [0.5, 0.5]}]
    with server.client() as c:
        r = c.post("/v2/models/mixed/versions/1/infer",
                   json={"inputs": tensors, "outputs": [{"name": "total"}]})
        assert r.status_code == 200
        assert [t["name"] for t in r.json()["outputs"]] == ["total"]
        assert "id" not in r.json()
        r = c.post("/v2/models/mixed/infer",
                   json={"inputs": tensors, "outputs": [{"name": "nope"}]})
        assert r.status_code == 400 and "error" in r.json()


def test_v2_metadata(server):
    with server.client() as c:
        assert c.get("/v2").json()["extensions"] == ["model_repository"]
        assert c.get("/v2/health/live").json() == {"live": True}
        assert c.get("/v2/health/ready").json() == {"ready": True}
        meta = c.get("/v2/models/mixed").json()
        assert c.get("/v2/models/mixed/versions/1").json() == meta
        assert meta["name"] == "mixed" and meta["versions"] == ["1"] and meta["platform"] == "pfa"
        inputs = {t["name"]: t for t in meta["inputs"]}
        assert inputs["x"] == {"name": "x", "datatype": "FP64", "shape": [-1]}
        assert inputs["n"]["datatype"] == "INT32" and inputs["s"]["datatype"] == "BYTES"
        assert inputs["maybe"]["datatype"] == "FP64" and inputs["flag"]["datatype"] == "BOOL"
        assert inputs["v"]["shape"] == [-1, -1]
        assert [t["name"] for t in meta["outputs"]] == ["score", "label", "total"]
        assert c.get("/v2/models/mixed/ready").json() == {"name": "mixed", "ready": True}
        assert c.get("/v2/models/mixed/versions/1/ready").status_code == 200


def test_v2_repository_index(server):
    with server.client() as c:
        index = c.post("/v2/repository/index", json={}).json()
    assert {(e["name"], e["version"], e["state"]) for e in index} == {
        ("iris", "1", "READY"), ("mixed", "1", "READY")}


# -- client errors --------------------------------------------------------------------------------

SECRET = "s3cr3t-datum"
J = {"content-type": "application/json"}

ERRORS = [
    # (protocol, method, path, body, headers, status)
    ("mlflow", "POST", "/invocations", b"{not json", J, 400),
    ("mlflow", "POST", "/invocations", json.dumps({"instances": [{"x": SECRET}]}).encode(), J, 400),
    ("mlflow", "POST", "/invocations", json.dumps({"instances": [dict(ROWS[0], x=SECRET)]}).encode(),
     J, 400),
    ("mlflow", "POST", "/invocations", json.dumps({"instances": [dict(ROWS[0], s="refuse")]}).encode(),
     J, 400),
    ("mlflow", "POST", "/invocations", json.dumps({"instances": [1, 2]}).encode(), J, 400),
    ("mlflow", "POST", "/invocations", json.dumps([ROWS[0]]).encode(), J, 400),
    ("mlflow", "POST", "/invocations", json.dumps({"instances": ROWS, "inputs": ROWS}).encode(),
     J, 400),
    ("mlflow", "POST", "/invocations", json.dumps({"instances": ROWS, SECRET: 1}).encode(), J, 400),
    ("mlflow", "POST", "/invocations", json.dumps({"dataframe_split": {"columns": ["x"],
                                                   "data": [[1, 2]]}}).encode(), J, 400),
    ("mlflow", "POST", "/invocations", json.dumps({"dataframe_split": [1]}).encode(), J, 400),
    ("mlflow", "POST", "/invocations", json.dumps({"instances": ROWS, "params": 3}).encode(), J, 400),
    ("mlflow", "POST", "/invocations", json.dumps({"inputs": {"x": [1], "n": [1, 2]}}).encode(),
     J, 400),
    ("mlflow", "POST", "/invocations", b"[" * 100_000 + b"]" * 100_000, J, 413),
    ("mlflow", "POST", "/invocations", b"[" * 5000 + b"]" * 5000, J, 400),
    ("mlflow", "POST", "/invocations", json.dumps({"instances": ROWS}).encode(), {}, 415),
    ("mlflow", "POST", "/invocations", json.dumps({"instances": ROWS}).encode(),
     {"content-type": "application/xml"}, 415),
    ("mlflow", "POST", "/invocations", json.dumps({"instances": ROWS}).encode(),
     {"content-type": "application/json; charset=latin-1"}, 415),
    ("mlflow", "POST", "/invocations", b"\xff\xfe{}", J, 400),
    ("mlflow", "POST", "/invocations", b'{"instances": [' + b"7" * 5000 + b"]}", J, 400),
    ("mlflow", "POST", "/invocations", json.dumps({"instances": [dict(ROWS[0], n=2**40)]}).encode(),
     J, 400),
    ("v2", "POST", "/v2/models/mixed/infer", json.dumps({"inputs": [
        {"name": "x", "datatype": "FP64", "shape": [10**9, 10**9], "data": [1.0]}]}).encode(),
     J, 400),
    ("mlflow", "POST", "/invocations", b"x,n\n" + SECRET.encode() + b",1\n",
     {"content-type": "text/csv"}, 400),
    ("mlflow", "POST", "/invocations", b"x,n\n1\n", {"content-type": "text/csv"}, 400),
    ("mlflow", "POST", "/invocations", b"PAR1 not parquet",
     {"content-type": "application/vnd.apache.parquet"}, 400),
    ("mlflow", "POST", "/models/nope/invocations", json.dumps({"instances": ROWS}).encode(), J, 404),
    ("mlflow", "POST", "/models/mixed/versions/9/invocations",
     json.dumps({"instances": ROWS}).encode(), J, 404),
    ("mlflow", "GET", "/invocations", None, {}, 405),
    ("mlflow", "GET", "/no/such/path", None, {}, 404),
    ("mlflow", "POST", "/invocations", b"x" * 70_000, J, 413),
    ("v2", "POST", "/v2/models/mixed/infer", b"{not json", J, 400),
    ("v2", "POST", "/v2/models/mixed/infer", json.dumps({"inputs": []}).encode(), J, 400),
    ("v2", "POST", "/v2/models/mixed/infer", json.dumps({"inputs": [{"name": "x"}]}).encode(),
     J, 400),
    ("v2", "POST", "/v2/models/mixed/infer", json.dumps({"inputs": [
        {"name": "x", "datatype": "FP64", "shape": [2], "data": [1.0]}]}).encode(), J, 400),
    ("v2", "POST", "/v2/models/mixed/infer", json.dumps({"inputs": [
        {"name": "x", "datatype": "BYTES", "shape": [1], "data": [SECRET]}]}).encode(), J, 400),
    ("v2", "POST", "/v2/models/mixed/infer", json.dumps({"inputs": [
        {"name": SECRET, "datatype": "FP64", "shape": [1], "data": [1.0]}]}).encode(), J, 400),
    ("v2", "POST", "/v2/models/mixed/infer", json.dumps({"inputs": [
        {"name": "x", "datatype": "FP64", "shape": [-1], "data": []}]}).encode(), J, 400),
    ("v2", "POST", "/v2/models/mixed/infer", json.dumps({"id": 5, "inputs": []}).encode(), J, 400),
    ("v2", "POST", "/v2/models/mixed/infer",
     json.dumps({"inputs": _tensors(ROWS, False)}).encode(), J, 400),  # tensor v missing
    ("v2", "POST", "/v2/models/mixed/infer", json.dumps({"inputs": [
        {"name": "x", "datatype": "FP64", "shape": [1], "data": [[[[[[[[[[[1.0]]]]]]]]]]]}]}).encode(),
     J, 400),
    ("v2", "POST", "/v2/models/nope/infer", b"{}", J, 404),
    ("v2", "GET", "/v2/models/nope", None, {}, 404),
    ("v2", "GET", "/v2/models/mixed/versions/7", None, {}, 404),
    ("v2", "GET", "/v2/models/nope/ready", None, {}, 404),
    ("v2", "GET", "/v2/models/mixed/infer", None, {}, 405),
    ("v2", "GET", "/v2/nothing/here", None, {}, 404),
    ("v2", "POST", "/v2/repository/models/nope/load", b"", {}, 404),
    ("v2", "POST", "/v2/repository/models/nope/unload", b"", {}, 404),
    ("v2", "POST", "/v2/repository/index", b"[1]", J, 400),
    ("v2", "POST", "/v2/models/mixed/infer", b"x" * 70_000, J, 413),
    ("ops", "GET", "/monitor/nope", None, {}, 404),
]


def _error_shape(proto: str, body: Any) -> None:
    if proto == "mlflow":
        assert set(body) == {"error_code", "message"}, body
        assert body["error_code"] in ("BAD_REQUEST", "INVALID_PARAMETER_VALUE",
                                      "RESOURCE_DOES_NOT_EXIST")
    else:
        assert set(body) == {"error"}, body


@pytest.mark.parametrize("case", ERRORS, ids=[f"{c[0]}-{i}" for i, c in enumerate(ERRORS)])
def test_client_errors(server, case):
    proto, method, path, body, headers, status = case
    conn = Conn(server.port)
    try:
        got, hdrs, answer = conn.request(method, path, body, headers)
        assert got == status, answer
        assert hdrs["content-type"].startswith("application/json")
        _error_shape(proto, answer)
        text = json.dumps(answer)
        assert SECRET not in text and "Traceback" not in text and 'File "' not in text
        # the same connection answers the next request
        ok, _, answer = conn.request("POST", "/invocations",
                                     json.dumps({"instances": ROWS}).encode(), J)
        assert ok == 200 and answer == {"predictions": expected(MIXED, ROWS)}
    finally:
        conn.close()


def test_row_errors_name_row_and_field(server):
    rows = [ROWS[0], dict(ROWS[1], n="seven")]
    with server.client() as c:
        r = c.post("/invocations", json={"dataframe_records": rows})
        assert r.status_code == 400
        assert r.json()["message"].startswith("row 1:") and "$.n" in r.json()["message"]
        r = c.post("/invocations", json={"dataframe_records": [ROWS[0], ROWS[0],
                                                               dict(ROWS[0], s="refuse")]})
        assert r.status_code == 400 and r.json()["message"].startswith("row 2:")
        assert "refuses this row" in r.json()["message"]


def test_large_request_uses_batch_path_with_same_answers(server):
    rows = [dict(ROWS[i % 2], x=float(i)) for i in range(300)]
    with server.client() as c:
        r = c.post("/invocations", json={"dataframe_records": rows})
        assert r.status_code == 200
        assert r.json()["predictions"] == expected(MIXED, rows)
        bad = rows[:200] + [dict(rows[0], s="refuse")] + rows[200:]
        r = c.post("/invocations", json={"dataframe_records": bad})
        assert r.status_code == 400 and r.json()["message"].startswith("row 200:")


def test_scalar_input_document(tmp_path: Path):
    doc = {"name": "plus", "input": "double", "output": "double", "action": {"+": ["input", 1]}}
    path = tmp_path / "plus.json"
    path.write_text(json.dumps(doc))
    with serve(path) as s, s.client() as c:
        assert c.post("/invocations", json={"instances": [1, 2.5]}).json() == {
            "predictions": [2.0, 3.5]}
        assert c.post("/invocations", json={"dataframe_split": {"columns": ["a"],
                                                                "data": [[1]]}}).json() == {
            "predictions": [2.0]}
        r = c.post("/invocations", content=b"a\n1\n2\n", headers={"content-type": "text/csv"})
        assert r.json() == {"predictions": [2.0, 3.0]}
        r = c.post("/v2/models/plus/infer", json={"inputs": [
            {"name": "input", "datatype": "FP64", "shape": [2], "data": [1, 2]}]})
        assert r.json()["outputs"] == [{"name": "output", "datatype": "FP64", "shape": [2],
                                        "data": [2.0, 3.0]}]
        meta = c.get("/v2/models/plus").json()
        assert meta["inputs"] == [{"name": "input", "datatype": "FP64", "shape": [-1]}]


def test_nan_outputs_are_null(tmp_path: Path):
    doc = {"name": "nan", "input": "double", "output": "double",
           "action": {"m.sqrt": "input"}}
    path = tmp_path / "nan.yaml"
    path.write_text("name: nan\ninput: double\noutput: double\naction: {m.sqrt: input}\n")
    with serve(path) as s, s.client() as c:
        r = c.post("/invocations", json={"instances": [-1, 4]})
        assert r.status_code == 200 and r.json() == {"predictions": [None, 2.0]}
    assert doc["name"] == "nan"


def test_original_column_names(tmp_path: Path):
    """Documents exported from DataFrames with column names that are not Avro names take rows
    under the original names (metadata "input.columns") in every protocol and format."""
    doc = {"name": "al", "input": {"type": "record", "name": "R", "fields": [
        {"name": "a_b", "type": "double"}, {"name": "c", "type": "string"}]},
        "output": "double", "action": {"+": ["input.a_b", {"s.len": "input.c"}]},
        "metadata": {"input.columns": json.dumps(["a b (cm)", "c"])}}
    path = tmp_path / "al.json"
    path.write_text(json.dumps(doc))
    rows = [{"a b (cm)": float(i), "c": "xy"} for i in range(70)]  # >= batch_rows: batch path
    want = [float(i) + 2 for i in range(70)]
    with serve(path) as s, s.client() as c:
        for n in (1, 70):
            r = c.post("/invocations", json={"dataframe_records": rows[:n]})
            assert r.json() == {"predictions": want[:n]}
        r = c.post("/invocations", content=b'"a b (cm)",c\n1.5,abc\n',
                   headers={"content-type": "text/csv"})
        assert r.json() == {"predictions": [4.5]}
        meta = c.get("/v2/models/al").json()
        assert [t["name"] for t in meta["inputs"]] == ["a b (cm)", "c"]
        r = c.post("/v2/models/al/infer", json={"inputs": [
            {"name": "a b (cm)", "datatype": "FP64", "shape": [1], "data": [1.0]},
            {"name": "c", "datatype": "BYTES", "shape": [1], "data": ["q"]}]})
        assert r.json()["outputs"][0]["data"] == [2.0]
        mon = c.get("/monitor/al").json()
        assert mon["inputs"]["a_b"]["count"] == 73


def test_emit_document(tmp_path: Path):
    doc = {"name": "em", "method": "emit", "input": "double", "output": "double",
           "action": [{"if": {">": ["input", 0]},
                       "then": [{"emit": ["input"]}, {"emit": [{"*": ["input", 2]}]}]}]}
    path = tmp_path / "em.json"
    path.write_text(json.dumps(doc))
    with serve(path) as s, s.client() as c:
        r = c.post("/invocations", json={"instances": [1, -1, 3]})
        assert r.json() == {"predictions": [[1.0, 2.0], [], [3.0, 6.0]]}
        assert c.get("/v2/models/em").json()["outputs"] == [
            {"name": "output", "datatype": "BYTES", "shape": [-1]}]
        r = c.post("/v2/models/em/infer", json={"inputs": [
            {"name": "input", "datatype": "FP64", "shape": [3], "data": [1, -1, 3]}]})
        assert r.json()["outputs"] == [{"name": "output", "datatype": "BYTES", "shape": [3],
                                        "data": ["[1.0,2.0]", "[]", "[3.0,6.0]"]}]


def test_fold_document_is_refused_with_a_reason(tmp_path: Path):
    doc = {"name": "fo", "method": "fold", "input": "double", "output": "double", "zero": 0,
           "action": {"+": ["input", "tally"]}, "merge": {"+": ["tallyOne", "tallyTwo"]}}
    path = tmp_path / "fo.json"
    path.write_text(json.dumps(doc))
    with serve(path) as s, s.client() as c:
        assert c.get("/v2/health/ready").status_code == 503
        [entry] = c.post("/v2/repository/index").json()
        assert entry["state"] == "FAILED" and "fold documents" in entry["reason"]
