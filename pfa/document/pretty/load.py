"""Read a PFA document in any of its syntaxes: JSON, YAML or PrettyPFA."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pfa._gcpause import gc_paused
from pfa.document.ast import PfaDocument
from pfa.document.pretty.names import PRETTY_SUFFIXES, library_function_names, looks_like_pretty
from pfa.document.pretty.syntax import PrettyPfaError, parse
from pfa.document.pretty.translate import translate
from pfa.document.reader import read, read_yaml
from pfa.errors import PfaSyntaxError

__all__ = ["load", "read_pretty"]


def read_pretty(text: str | bytes) -> PfaDocument:
    """A PrettyPFA document read into a PfaDocument (syntax checked like any document; its
    expressions carry locator marks "PrettyPFA line L, column C")."""
    if isinstance(text, (bytes, bytearray)):
        text = bytes(text).decode("utf-8")
    try:
        with gc_paused():  # one pause for the three steps: see pfa._gcpause
            return read(translate(parse(text), library_function_names(), marks=True))
    except RecursionError:
        raise PrettyPfaError("the text is nested too deeply to translate") from None


def load(source: Any) -> PfaDocument:
    """A PFA document from a dict, JSON/YAML/PrettyPFA text, or a file (``.json``/``.pfa``,
    ``.yaml``/``.yml``, ``.ppfa``/``.pretty``; another extension: JSON, else PrettyPFA if it
    looks like it and parses, else YAML)."""
    if isinstance(source, (bytes, bytearray)):
        source = bytes(source).decode("utf-8")
    path = _path(source)
    if path is not None:
        suffix = path.suffix.lower()
        if suffix in PRETTY_SUFFIXES:
            return read_pretty(path.read_text(encoding="utf-8"))
        if suffix in (".json", ".pfa", ".yaml", ".yml"):
            return read(path)
        source = path.read_text(encoding="utf-8")
    if isinstance(source, str) and looks_like_pretty(source):
        try:
            return read_pretty(source)
        except PfaSyntaxError as pretty_error:
            try:
                return read_yaml(source)
            except PfaSyntaxError:
                raise pretty_error from None
    return read(source)


def _path(source: Any) -> Path | None:
    if isinstance(source, Path):
        return source
    if isinstance(source, str) and "\n" not in source and len(source) < 4096 and \
            Path(source).suffix.lower() in (*PRETTY_SUFFIXES, ".json", ".pfa", ".yaml", ".yml"):
        return Path(source)
    return None
