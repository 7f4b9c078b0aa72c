"""Serving protocols, one module each, found by :func:`protocols`.

A protocol module defines ``PROTOCOL = Protocol(...)``: its ``name`` (a metrics label), the
``routes(server)`` it answers, its error body shape (``error_body(err)``) and which paths it
``claims`` (so a 404 or 405 under its paths is answered in its shape). Adding a protocol is
adding a module here; the app and the tests pick it up.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pfa.serve.errors import ServeError


@dataclass(frozen=True)
class Protocol:
    """One HTTP protocol of ``pfa serve``."""

    name: str
    routes: Callable[[Any], list[Any]]
    error_body: Callable[[ServeError], dict[str, Any]]
    claims: Callable[[str], bool]


def protocols() -> list[Protocol]:
    """Every protocol module's ``PROTOCOL``, by module name."""
    found = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        if not info.name.startswith("_"):
            mod = importlib.import_module(f"{__name__}.{info.name}")
            found.append(mod.PROTOCOL)
    return found
