"""Real clients of both protocols: tritonclient[http] (JSON mode) for the Open Inference
Protocol, MLflow's own scoring-server client for ``/invocations``; and ``/metrics`` read with
prometheus-client's parser."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from prometheus_client.parser import text_string_to_metric_families

from pfa.engine.engine import Engine
from pfa.serve.model import plain_json

from .helpers import IRIS_FIELDS, serve, write_repository

X = np.array([[5.1, 3.5, 1.4, 0.2], [6.7, 3.0, 5.2, 2.3], [5.9, 3.0, 4.2, 1.5]])


@pytest.fixture(scope="module")
def server(tmp_path_factory, iris_doc):
    root = write_repository(tmp_path_factory.mktemp("repo"), {"iris/1": iris_doc})
    with serve(root) as s:
        yield s


def _expected(iris_doc):
    engine = Engine.from_json(iris_doc)
    return [plain_json(engine.action(dict(zip(IRIS_FIELDS, map(float, row))))) for row in X]


def test_tritonclient_json_mode(server, iris_doc):
    tc = pytest.importorskip("tritonclient.http")
    from tritonclient.utils import InferenceServerException

    client = tc.InferenceServerClient(url=f"127.0.0.1:{server.port}")
    assert client.is_server_live() and client.is_server_ready()
    assert client.is_model_ready("iris") and client.is_model_ready("iris", "1")
    assert not client.is_model_ready("nope")
    meta = client.get_model_metadata("iris")
    assert meta["name"] == "iris" and [i["name"] for i in meta["inputs"]] == IRIS_FIELDS
    assert client.get_server_metadata()["extensions"] == ["model_repository"]
    inputs = []
    for j, name in enumerate(IRIS_FIELDS):
        t = tc.InferInput(name, [len(X)], "FP64")
        t.set_data_from_numpy(X[:, j].copy(), binary_data=False)
        inputs.append(t)
    outputs = [tc.InferRequestedOutput("label", binary_data=False),
               tc.InferRequestedOutput("probabilities", binary_data=False)]
    result = client.infer("iris", inputs, outputs=outputs, request_id="r7")
    want = _expected(iris_doc)
    assert result.get_response()["id"] == "r7"
    labels = [x.decode() if isinstance(x, bytes) else x for x in result.as_numpy("label")]
    assert labels == [w["label"] for w in want]
    probs = result.as_numpy("probabilities")
    assert probs.shape == (3, 3)
    assert probs.tolist() == [w["probabilities"] for w in want]
    # an error is the protocol's error, and the client can go on
    bad = tc.InferInput("sepal_length", [1], "BYTES")
    bad.set_data_from_numpy(np.array([b"x"], dtype=object), binary_data=False)
    with pytest.raises(InferenceServerException, match="datatype BYTES"):
        client.infer("iris", [bad])
    assert client.infer("iris", inputs).as_numpy("label") is not None
    client.unload_model("iris")
    assert not client.is_model_ready("iris")
    client.load_model("iris")
    assert client.is_model_ready("iris")
    index = client.get_model_repository_index()
    assert [(e["name"], e["state"]) for e in index] == [("iris", "READY")]


def test_mlflow_scoring_client(server, iris_doc):
    client_mod = pytest.importorskip("mlflow.pyfunc.scoring_server.client")
    client = client_mod.ScoringServerClient("127.0.0.1", server.port)
    client.wait_server_ready(timeout=10)
    frame = pd.DataFrame(X, columns=IRIS_FIELDS)
    predictions = client.invoke(frame).get_predictions()
    want = _expected(iris_doc)
    assert list(predictions["label"]) == [w["label"] for w in want]
    assert [list(p) for p in predictions["probabilities"]] == [w["probabilities"] for w in want]


def test_metrics_parse_with_prometheus_parser(server):
    with server.client() as c:
        rows = [dict(zip(IRIS_FIELDS, map(float, r))) for r in X]
        assert c.post("/invocations", json={"dataframe_records": rows}).status_code == 200
        assert c.post("/invocations", json={"dataframe_records": [{"x": 1}]}).status_code == 400
        assert c.post("/v2/models/iris/infer", json={"inputs": [
            {"name": n, "datatype": "FP64", "shape": [1], "data": [1.0]}
            for n in IRIS_FIELDS]}).status_code == 200
        text = c.get("/metrics").text
    families = {f.name: f for f in text_string_to_metric_families(text)}
    for name in ("pfa_serve_requests", "pfa_serve_request_duration_seconds",
                 "pfa_serve_rows_scored", "pfa_serve_requests_in_flight",
                 "pfa_serve_model_load_seconds", "pfa_serve_model_ready",
                 "pfa_serve_input_null_rate", "pfa_serve_input_mean", "pfa_serve_input_count"):
        assert name in families, name

    def value(fam: str, suffix: str = "", **labels: str) -> float:
        return sum(s.value for s in families[fam].samples
                   if s.name == fam + suffix and all(s.labels.get(k) == v
                                                     for k, v in labels.items()))
    assert value("pfa_serve_requests", "_total", model="iris", protocol="mlflow",
                 status="200") >= 1
    assert value("pfa_serve_requests", "_total", model="iris", protocol="mlflow",
                 status="400") >= 1
    assert value("pfa_serve_requests", "_total", model="iris", protocol="v2", status="200") >= 1
    assert value("pfa_serve_rows_scored", "_total", model="iris", version="1") >= 4
    assert value("pfa_serve_request_duration_seconds", "_count", model="iris",
                 protocol="mlflow") >= 2
    assert value("pfa_serve_model_ready", model="iris", version="1") == 1
    assert value("pfa_serve_model_load_seconds", model="iris", version="1") > 0
    assert value("pfa_serve_input_count", "_total", model="iris",
                 feature="sepal_length") >= 4
    # the exporter wrote a training profile (a sample was given): drift is measured end to end
    drift = {s.labels["feature"] for s in families["pfa_serve_drift_psi"].samples}
    assert drift == set(IRIS_FIELDS)
