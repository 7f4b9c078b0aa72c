"""The model repository: every version of every model a server knows, and its state.

A version is LOADING, READY, FAILED (the reason says why; the server is then not ready) or
UNAVAILABLE (unloaded). Loading reads, checks and compiles the whole document before the version
is served: a document that fails is never served half-built. ``load(name)`` re-reads one model
from the source (new versions appear, removed ones go) and ``unload(name)`` drops it, for the
Open Inference Protocol's repository extension. Unversioned requests go to the latest version
(numeric versions compare as numbers), or are split by the traffic weights of
``<name>/config.json``.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from time import perf_counter
from typing import Any

from pfa.errors import PfaError

from .errors import ServeError
from .model import ServedModel
from .sources import ModelSpec, SourceError, model_dir_specs, read_document, resolve, valid_name

log = logging.getLogger("pfa.serve")

LOADING, READY, FAILED, UNAVAILABLE = "LOADING", "READY", "FAILED", "UNAVAILABLE"


@dataclass
class Entry:
    """The state of one model version."""

    name: str
    version: str
    state: str
    reason: str = ""
    model: ServedModel | None = None
    weight: float | None = None

    def as_json(self) -> dict[str, Any]:
        return {"name": self.name, "version": self.version, "state": self.state,
                "reason": self.reason}


def version_key(version: str) -> tuple[int, Any]:
    """Sort key of versions: numbers by value after names."""
    return (1, int(version)) if version.isdigit() else (0, version)


class Repository:
    """The models served from ``source`` (a file, a repository directory or a URI)."""

    def __init__(self, source: str | Path, *, options: dict[str, Any] | None = None,
                 allow_files: Any = None, batch_rows: int = 64,
                 on_load: Callable[[Entry, float], None] | None = None,
                 seed: int | None = None):
        self.source = str(source)
        self.options = options
        self.allow_files = allow_files
        self.batch_rows = batch_rows
        self.on_load = on_load
        self.entries: dict[tuple[str, str], Entry] = {}
        self.loading = True
        self.source_error = ""
        self._lock = threading.RLock()
        self._rng = random.Random(seed)

    # -- loading ------------------------------------------------------------------------------
    def load_all(self) -> None:
        """Load every model of the source (the server is not ready until this returns)."""
        self.loading = True
        try:
            try:
                specs = resolve(self.source)
            except SourceError as exc:
                self.source_error = str(exc)
                log.error("pfa serve: %s", exc)
                return
            except Exception:  # a provider's bug: reported, never a crash of the server
                log.exception("pfa serve: the model source failed")
                self.source_error = "the model source failed (see the server log)"
                return
            self._load_specs(specs)
        finally:
            self.loading = False

    def _load_specs(self, specs: list[ModelSpec]) -> None:
        for spec in specs:
            placeholder = spec.name or spec.extra.get("stem", "model")
            entry = Entry(placeholder, spec.version, LOADING, weight=spec.weight)
            with self._lock:  # a version being reloaded keeps serving until it is replaced
                if spec.name and (spec.name, spec.version) not in self.entries:
                    self.entries[(spec.name, spec.version)] = entry
            self._load_one(spec, entry)

    def _load_one(self, spec: ModelSpec, entry: Entry) -> None:
        start = perf_counter()
        try:
            from pfa.engine.engine import Engine

            doc = read_document(spec)
            if not spec.name:  # a single file: named by the document, else by the file stem
                name = doc.name if doc.name and valid_name(doc.name) else spec.extra["stem"]
                entry.name = name if valid_name(name) else "model"
            engine = Engine.from_ast(doc, options=spec.options or self.options,
                                     allow_files=self.allow_files)
            entry.model = ServedModel(entry.name, entry.version, engine,
                                      load_seconds=perf_counter() - start,
                                      batch_rows=self.batch_rows, weight=spec.weight)
            entry.state, entry.reason = READY, ""
        except (PfaError, SourceError, ServeError) as exc:
            entry.state, entry.reason = FAILED, _one_line(str(exc))
            log.error("pfa serve: cannot load %s/%s: %s", entry.name, entry.version, entry.reason)
        except Exception:
            entry.state, entry.reason = FAILED, "internal error while loading (see the log)"
            log.exception("pfa serve: cannot load %s/%s", entry.name, entry.version)
        with self._lock:
            self.entries[(entry.name, entry.version)] = entry
        if self.on_load is not None:
            self.on_load(entry, perf_counter() - start)

    def _specs_of(self, name: str) -> list[ModelSpec]:
        root = Path(self.source)
        if root.is_dir():
            model_dir = root / name
            if not valid_name(name) or not model_dir.is_dir():
                return []
            return model_dir_specs(model_dir)
        specs = resolve(self.source)
        out = []
        for s in specs:
            if not s.name:  # a single file is known by the name it was loaded under
                known = {e.name for e in self.entries.values()}
                s.name = next(iter(known)) if len(known) == 1 else ""
            if s.name == name:
                out.append(s)
        return out

    def load(self, name: str) -> None:
        """(Re)load every version of model ``name`` from the source; ServeError if it is not
        there or a version fails."""
        try:
            specs = self._specs_of(name)
        except SourceError as exc:
            raise ServeError(400, f"cannot load model {name!r}: {exc}") from None
        if not specs:
            raise ServeError(404, f"model {name!r} is not in the repository")
        with self._lock:
            for key in [k for k in self.entries if k[0] == name]:
                if key[1] not in {s.version for s in specs}:
                    del self.entries[key]
        self._load_specs(specs)
        failed = [e for e in self.entries.values() if e.name == name and e.state == FAILED]
        if failed:
            raise ServeError(400, f"model {name!r} version {failed[0].version} failed to load: "
                                  f"{failed[0].reason}")

    def unload(self, name: str) -> None:
        """Stop serving every version of ``name`` (404 if unknown)."""
        with self._lock:
            entries = [e for e in self.entries.values() if e.name == name]
            if not entries:
                raise ServeError(404, f"unknown model {name!r}")
            for e in entries:
                e.state, e.reason, e.model = UNAVAILABLE, "unloaded", None

    # -- queries ------------------------------------------------------------------------------
    def ready(self) -> bool:
        """Whether the server is ready: loading finished, nothing failed, something served."""
        if self.loading or self.source_error:
            return False
        states = [e.state for e in self.entries.values()]
        return READY in states and FAILED not in states and LOADING not in states

    def index(self) -> list[dict[str, Any]]:
        with self._lock:
            entries = sorted(self.entries.values(),
                             key=lambda e: (e.name, version_key(e.version)))
        return [e.as_json() for e in entries]

    def names(self) -> list[str]:
        return sorted({e.name for e in self.entries.values()})

    def versions(self, name: str) -> list[Entry]:
        with self._lock:
            found = [e for e in self.entries.values() if e.name == name]
        return sorted(found, key=lambda e: version_key(e.version))

    def served(self) -> list[ServedModel]:
        return [e.model for e in list(self.entries.values()) if e.model is not None]

    def entry(self, name: str, version: str | None) -> Entry:
        """The entry of ``name``/``version`` (404 if unknown); the latest when no version."""
        versions = self.versions(name)
        if not versions:
            if self.loading:
                raise ServeError(503, f"model {name!r} is not loaded yet",
                                 headers={"Retry-After": "1"})
            raise ServeError(404, f"unknown model {name!r}")
        if version is None:
            return versions[-1]
        for e in versions:
            if e.version == version:
                return e
        raise ServeError(404, f"model {name!r} has no version {version!r}")

    def get(self, name: str, version: str | None = None) -> ServedModel:
        """The served model for a request: a READY version (by traffic weights or the latest
        when ``version`` is None); ServeError 404/503 otherwise."""
        if version is None:
            ready = [e for e in self.versions(name) if e.state == READY]
            weighted = [e for e in ready if e.weight]
            if weighted:
                pick = self._rng.choices(weighted, weights=[e.weight for e in weighted])[0]
                return pick.model  # type: ignore[return-value]
            if ready:
                return ready[-1].model  # type: ignore[return-value]
        entry = self.entry(name, version)
        if entry.state == READY and entry.model is not None:
            return entry.model
        if entry.state == LOADING:
            raise ServeError(503, f"model {name!r} version {entry.version} is still loading",
                             headers={"Retry-After": "1"})
        if entry.state == FAILED:
            raise ServeError(503, f"model {name!r} version {entry.version} failed to load")
        raise ServeError(404, f"model {name!r} version {entry.version} is not loaded")


def _one_line(text: str) -> str:
    line = text.strip().splitlines()[0] if text.strip() else "unknown error"
    return line if len(line) <= 500 else line[:497] + "..."
