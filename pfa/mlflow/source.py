"""``pfa serve`` model sources for MLflow URIs: ``models:`` and ``runs:``.

- ``models:/NAME/VERSION`` — one registered version, served as NAME/VERSION;
- ``models:/NAME@ALIAS`` — the version the alias points to now, served as NAME/<that version>;
- ``models:/NAME/latest`` — the latest version;
- ``models:/NAME`` — every version of NAME (unversioned requests go to the latest);
- ``runs:/RUN_ID/PATH`` — a model logged in a run, served as <last part of PATH>/RUN_ID.

Artifacts are downloaded with MLflow's own download (the tracking and registry URIs come from
MLflow's usual settings, e.g. ``MLFLOW_TRACKING_URI``); the engine options saved with the model
are the served version's options. Importing this module registers both schemes with
:func:`pfa.serve.sources.register_source`.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from mlflow.exceptions import MlflowException
from mlflow.tracking import MlflowClient
from mlflow.tracking.artifact_utils import _download_artifact_from_uri

from pfa.serve.sources import ModelSpec, SourceError, register_source

from . import local_document

_MODELS = re.compile(r"^models:/(?P<name>[^/@]+)(?:/(?P<version>[^/@]+)|@(?P<alias>[^/@]+))?/?$")
_RUNS = re.compile(r"^runs:/(?P<run>[^/]+)/(?P<path>.+?)/?$")


def _spec(uri: str, name: str, version: str, **extra: Any) -> ModelSpec:
    try:
        local = _download_artifact_from_uri(artifact_uri=uri)
        doc_file, conf = local_document(local)
    except (MlflowException, OSError) as exc:
        raise SourceError(f"{uri}: {_first_line(exc)}") from None
    return ModelSpec(name=name, version=version, document=Path(doc_file),
                     options=conf.get("options") or None, extra={"uri": uri, **extra})


def _first_line(exc: BaseException) -> str:
    text = getattr(exc, "message", None) or str(exc)
    return str(text).strip().splitlines()[0] if str(text).strip() else type(exc).__name__


def model_specs(uri: str) -> list[ModelSpec]:
    """The versions a ``models:`` URI names (see the module docstring)."""
    m = _MODELS.match(uri)
    if m is None:
        raise SourceError(f"{uri}: expected models:/NAME/VERSION, models:/NAME@ALIAS or "
                          "models:/NAME")
    name, version, alias = m.group("name"), m.group("version"), m.group("alias")
    client = MlflowClient()
    try:
        if alias is not None:
            version = client.get_model_version_by_alias(name, alias).version
        elif version == "latest":
            versions = client.search_model_versions(f"name = '{_quoted(name)}'")
            if not versions:
                raise SourceError(f"{uri}: registered model {name!r} has no version")
            version = str(max(int(v.version) for v in versions))
        elif version is None:
            versions = client.search_model_versions(f"name = '{_quoted(name)}'")
            if not versions:
                raise SourceError(f"{uri}: registered model {name!r} has no version")
            return [_spec(f"models:/{name}/{v.version}", name, str(v.version))
                    for v in sorted(versions, key=lambda v: int(v.version))]
    except MlflowException as exc:
        raise SourceError(f"{uri}: {_first_line(exc)}") from None
    extra = {"alias": alias} if alias is not None else {}
    return [_spec(f"models:/{name}/{version}", name, str(version), **extra)]


def _quoted(name: str) -> str:
    return name.replace("'", "\\'")


def run_specs(uri: str) -> list[ModelSpec]:
    """The model a ``runs:/RUN_ID/PATH`` URI names."""
    m = _RUNS.match(uri)
    if m is None:
        raise SourceError(f"{uri}: expected runs:/RUN_ID/PATH")
    return [_spec(uri, m.group("path").rsplit("/", 1)[-1], m.group("run"))]


register_source("models")(model_specs)
register_source("runs")(run_specs)
