"""``pfa export --mlflow-log NAME [--mlflow-register MODEL]``: the exported document is logged
to the tracking store and registered, and loads back as the same model."""

from __future__ import annotations

import json

import joblib
import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from pfa.cli import main
from pfa.engine.engine import Engine


@pytest.fixture()
def fitted_model(tmp_path):
    rng = np.random.default_rng(3)
    X = rng.normal(size=(80, 3))
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    path = tmp_path / "model.joblib"
    joblib.dump(LogisticRegression().fit(X, y), path)
    return path, X


def test_logged_and_registered_document_scores_as_the_file(tracking, fitted_model, tmp_path,
                                                           capsys):
    import pfa.mlflow

    path, X = fitted_model
    out = tmp_path / "model.pfa"
    status = main(["export", str(path), "-o", str(out), "--no-timestamp",
                   "--mlflow-log", "model", "--mlflow-register", "export-flag"])
    assert status == 0, capsys.readouterr().err
    written = Engine.from_json(json.loads(out.read_text()))
    registered = pfa.mlflow.load_model("models:/export-flag/1")
    rows = [{f"x{j}": float(v) for j, v in enumerate(r)} for r in X[:20]]
    assert [registered.action(r) for r in rows] == [written.action(r) for r in rows]


@pytest.mark.parametrize("argv, message", [
    (["--mlflow-register", "m"], "--mlflow-register needs --mlflow-log"),
    (["--mlflow-log", "m", "-o", "x.onnx"], "logs PFA documents"),
])
def test_flag_usage_errors(fitted_model, tmp_path, capsys, argv, message):
    path, _ = fitted_model
    args = ["export", str(path), "-o", str(tmp_path / "m.pfa"), *argv]
    if "-o" in argv:
        args = ["export", str(path), *argv]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
