"""``pfa serve models:/NAME/VERSION`` and ``models:/NAME@ALIAS``: the registry as a model
source of a real ``pfa serve`` (uvicorn on 127.0.0.1 and a free port)."""

from __future__ import annotations

from typing import Any

import mlflow
import pandas as pd
import pytest

import pfa.mlflow
from pfa.engine.engine import Engine

serve_helpers = pytest.importorskip("tests.serve.helpers")


def test_pfa_serve_from_the_registry(tracking: str, iris_classifier: dict[str, Any],
                                     iris_frame: pd.DataFrame) -> None:
    with mlflow.start_run():
        pfa.mlflow.log_model(iris_classifier, name="model", registered_model_name="served")
    mlflow.MlflowClient().set_registered_model_alias("served", "live", "1")
    rows = iris_frame.head(5).to_dict("records")
    engine = Engine.from_json(iris_classifier)
    expected = [engine.action(r) for r in rows]
    for uri in ("models:/served/1", "models:/served@live"):
        with serve_helpers.serve(uri) as running, running.client() as client:
            r = client.post("/models/served/invocations", json={"dataframe_records": rows})
            assert r.status_code == 200, r.text
            assert r.json()["predictions"] == expected


def test_pfa_serve_reports_an_unknown_registered_model(tracking: str) -> None:
    with serve_helpers.serve("models:/nobody-registered-this/1") as running, \
            running.client() as client:
        ready = client.get("/v2/health/ready")
        assert ready.status_code != 200
        assert "nobody-registered-this" in running.state.repository.source_error


def test_repository_entry_pointing_at_the_registry(tracking: str, tmp_path: Any,
                                                   iris_classifier: dict[str, Any],
                                                   iris_frame: pd.DataFrame) -> None:
    """A model repository version directory holding ``model.uri`` (``models:/…``)."""
    with mlflow.start_run():
        pfa.mlflow.log_model(iris_classifier, name="model", registered_model_name="repo-entry")
    entry = tmp_path / "repo" / "churn" / "7"
    entry.mkdir(parents=True)
    (entry / "model.uri").write_text("models:/repo-entry/1\n")
    rows = iris_frame.head(3).to_dict("records")
    engine = Engine.from_json(iris_classifier)
    with serve_helpers.serve(tmp_path / "repo") as running, running.client() as client:
        r = client.post("/models/churn/versions/7/invocations", json={"dataframe_records": rows})
        assert r.status_code == 200, r.text
        assert r.json()["predictions"] == [engine.action(x) for x in rows]
