"""Where served documents come from: a file, a model repository directory, or a URI.

``pfa serve SOURCE`` turns SOURCE into a list of :class:`ModelSpec` (name, version, document):

- a file: one document; its name is the document's ``name`` (else the file stem), version "1";
- a directory: a model repository ``<name>/<version>/model.pfa`` (or ``model.json``,
  ``model.yaml``, ``model.yml``, or ``model.uri``: one line naming a model URI such as
  ``models:/iris/3``), with an optional ``<name>/config.json`` holding traffic weights
  (``{"traffic": {"1": 90, "2": 10}}``);
- ``scheme:rest``: a loader registered for ``scheme`` with :func:`register_source`. Providers
  are imported lazily from :data:`PROVIDERS` (scheme → module) the first time their scheme is
  asked for; the module registers its loader when imported. MLflow's ``models:/name/version``
  is such a provider (``pfa.mlflow.source``).

A loader returns ``list[ModelSpec]`` and raises :class:`SourceError` with a message for the
user when it cannot (the server then reports the failed load and is not ready).
"""

from __future__ import annotations

import importlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MAX_DOCUMENT_BYTES = 1 << 30
"""Largest document file read (1 GiB), as for the command line."""

MODEL_FILES = ("model.pfa", "model.json", "model.yaml", "model.yml", "model.ppfa")
"""The file names of a document inside a repository version directory, in order of preference."""
URI_FILE = "model.uri"
"""Instead of a document, a version directory may hold this file: one line, a model URI."""

_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")
_URI = re.compile(r"^([a-z][a-z0-9+.-]{1,31}):")


class SourceError(Exception):
    """A model source cannot be read; the message is for the user (no traceback)."""


@dataclass
class ModelSpec:
    """One document to serve: its model ``name`` and ``version`` (strings) and the document
    itself (a path of a JSON/YAML file, or decoded JSON). ``options`` are engine options."""

    name: str
    version: str
    document: Path | dict[str, Any]
    options: dict[str, Any] | None = None
    weight: float | None = None
    """Traffic weight among the versions of ``name`` (None: unversioned requests go to the
    latest version)."""
    extra: dict[str, Any] = field(default_factory=dict)


Loader = Callable[[str], list[ModelSpec]]

SOURCES: dict[str, Loader] = {}
"""Registered URI schemes → loaders (see :func:`register_source`)."""

PROVIDERS: dict[str, str] = {"models": "pfa.mlflow.source", "runs": "pfa.mlflow.source"}
"""Schemes whose loader lives in a module imported on first use."""


def register_source(scheme: str) -> Callable[[Loader], Loader]:
    """Decorator: ``loader(uri) -> list[ModelSpec]`` serves URIs ``scheme:...``."""
    if not _URI.match(scheme + ":"):
        raise ValueError(f"not a URI scheme: {scheme!r}")

    def register(loader: Loader) -> Loader:
        SOURCES[scheme] = loader
        return loader
    return register


def valid_name(name: str) -> bool:
    """Whether ``name`` can be a model name or version (safe in URLs and file names)."""
    return bool(_NAME.match(name)) and name not in (".", "..")


def uri_scheme(source: str) -> str | None:
    """The scheme of ``source`` if it is a URI (not a Windows drive or a local path)."""
    m = _URI.match(source)
    if m is None or Path(source).exists():
        return None
    return m.group(1)


def resolve(source: str | Path) -> list[ModelSpec]:
    """The documents of ``source`` (file, repository directory or URI); SourceError if none."""
    text = str(source)
    scheme = uri_scheme(text)
    if scheme is not None:
        loader = SOURCES.get(scheme)
        if loader is None and scheme in PROVIDERS:
            try:
                importlib.import_module(PROVIDERS[scheme])
            except ImportError as exc:
                raise SourceError(f"{scheme}: URIs need {PROVIDERS[scheme]} ({exc})") from None
            loader = SOURCES.get(scheme)
        if loader is None:
            known = ", ".join(sorted(set(SOURCES) | set(PROVIDERS))) or "none"
            raise SourceError(f"no model source for URI scheme {scheme!r} (known: {known})")
        specs = loader(text)
        for s in specs:
            if not (valid_name(s.name) and valid_name(s.version)):
                raise SourceError(f"{text}: invalid model name or version {s.name!r}/{s.version!r}")
        return specs
    path = Path(text)
    if path.is_dir():
        return repository_specs(path)
    if path.is_file():
        return [file_spec(path)]
    raise SourceError(f"{text}: no such file or directory")


def file_spec(path: Path) -> ModelSpec:
    """A single document file: named by the document's ``name`` (read lazily), else the stem."""
    return ModelSpec(name="", version="1", document=path, extra={"stem": path.stem})


def _weights(model_dir: Path) -> dict[str, float]:
    config = model_dir / "config.json"
    if not config.is_file():
        return {}
    try:
        data = json.loads(config.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError) as exc:
        raise SourceError(f"{config}: not readable JSON ({exc.__class__.__name__})") from None
    traffic = data.get("traffic") if isinstance(data, dict) else None
    if traffic is None:
        return {}
    if not isinstance(traffic, dict) or not all(
            isinstance(v, (int, float)) and not isinstance(v, bool) and v >= 0
            for v in traffic.values()) or sum(traffic.values()) <= 0:
        raise SourceError(f"{config}: \"traffic\" must map versions to non-negative weights "
                          "with a positive sum")
    return {str(k): float(v) for k, v in traffic.items()}


def model_dir_specs(model_dir: Path) -> list[ModelSpec]:
    """The versions of one model directory ``<name>/<version>/model.*`` of a repository."""
    name = model_dir.name
    weights = _weights(model_dir)
    specs = []
    for vdir in sorted(p for p in model_dir.iterdir() if p.is_dir()):
        if not valid_name(vdir.name):
            continue
        weight = weights.get(vdir.name, 0.0) if weights else None
        doc = next((vdir / f for f in MODEL_FILES if (vdir / f).is_file()), None)
        if doc is None:
            if (vdir / URI_FILE).is_file():
                specs.append(_pointed_spec(vdir / URI_FILE, name, vdir.name, weight))
            continue
        specs.append(ModelSpec(name=name, version=vdir.name, document=doc, weight=weight))
    missing = set(weights) - {s.version for s in specs}
    if missing:
        raise SourceError(f"{model_dir / 'config.json'}: traffic names versions that do not "
                          f"exist: {', '.join(sorted(missing))}")
    return specs


def _pointed_spec(uri_file: Path, name: str, version: str, weight: float | None) -> ModelSpec:
    """The document a ``model.uri`` file points at (one line: a model URI such as
    ``models:/iris/3``), served under the repository's name and version."""
    try:
        uri = uri_file.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        raise SourceError(f"{uri_file}: not readable UTF-8 text") from None
    if uri_scheme(uri) is None:
        raise SourceError(f"{uri_file}: expected one line holding a model URI (scheme:...)")
    found = resolve(uri)
    if len(found) != 1:
        raise SourceError(f"{uri_file}: {uri} names {len(found)} documents, not one")
    return ModelSpec(name=name, version=version, document=found[0].document,
                     options=found[0].options, weight=weight, extra={"uri": uri})


def repository_specs(root: Path) -> list[ModelSpec]:
    """Every version of every model of repository directory ``root``."""
    specs: list[ModelSpec] = []
    for model_dir in sorted(p for p in root.iterdir() if p.is_dir()):
        if valid_name(model_dir.name):
            specs.extend(model_dir_specs(model_dir))
    if not specs:
        raise SourceError(f"{root}: no model found (expected <name>/<version>/model.pfa)")
    return specs


def read_document(spec: ModelSpec) -> Any:
    """The PfaDocument of ``spec`` (JSON, YAML or PrettyPFA; bounded size). PfaSyntaxError if
    not PFA, SourceError if unreadable."""
    from pfa.document.pretty import PRETTY_SUFFIXES, read_pretty
    from pfa.document.reader import read, read_yaml
    from pfa.hostfiles import FileRefused, read_regular_file

    if isinstance(spec.document, dict):
        return read(spec.document)
    path = Path(spec.document)
    try:
        data = read_regular_file(str(path), MAX_DOCUMENT_BYTES)
    except FileRefused as exc:
        raise SourceError(f"cannot read {path}: {exc}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise SourceError(f"cannot read {path}: it is not UTF-8 text") from None
    if path.suffix.lower() in (".yaml", ".yml"):
        return read_yaml(text)
    if path.suffix.lower() in PRETTY_SUFFIXES:
        return read_pretty(text)
    if text.lstrip().startswith("{"):
        try:
            json.loads(text)
        except (ValueError, RecursionError):
            return read_yaml(text)
        return read(text)
    return read_yaml(text)
