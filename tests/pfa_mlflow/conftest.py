"""Fixtures of the MLflow tests: a real tracking and registry store (SQLite in a temporary
directory, artifacts next to it), never a server or the network."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

mlflow = pytest.importorskip("mlflow", reason="the mlflow extra is not installed")


@pytest.fixture(scope="session")
def tracking(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A SQLite tracking and registry store, set as MLflow's URIs (also for child processes
    through ``MLFLOW_TRACKING_URI``), with an experiment whose artifacts stay in the temporary
    directory."""
    root = tmp_path_factory.mktemp("mlflow")
    uri = f"sqlite:///{root / 'mlflow.db'}"
    saved = {k: os.environ.get(k) for k in ("MLFLOW_TRACKING_URI", "MLFLOW_REGISTRY_URI")}
    os.environ["MLFLOW_TRACKING_URI"] = os.environ["MLFLOW_REGISTRY_URI"] = uri
    mlflow.set_tracking_uri(uri)
    mlflow.set_registry_uri(uri)
    experiment = mlflow.create_experiment("pfa-tests", artifact_location=(root / "artifacts").as_uri())
    mlflow.set_experiment(experiment_id=experiment)
    try:
        yield uri
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@pytest.fixture(scope="session")
def iris_classifier() -> dict[str, Any]:
    """An exported StandardScaler + LogisticRegression on iris (record in, record out)."""
    from sklearn.datasets import load_iris
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from pfa.exporters.sklearn import export

    iris = load_iris(as_frame=True)
    X = iris.data.rename(columns=lambda c: c.replace(" (cm)", "").replace(" ", "_"))
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=500)).fit(X, iris.target)
    return export(model, sample=X, timestamp=False)


@pytest.fixture(scope="session")
def iris_frame() -> Any:
    from sklearn.datasets import load_iris

    X = load_iris(as_frame=True).data
    return X.rename(columns=lambda c: c.replace(" (cm)", "").replace(" ", "_"))


def saved_model(doc: Any, path: Path, **kw: Any) -> Path:
    import pfa.mlflow

    pfa.mlflow.save_model(doc, path, **kw)
    return path
