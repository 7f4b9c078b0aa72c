"""Converter registry: estimator class → the function that translates it to PFA.

Each converter lives in its own small module and registers itself with :func:`converter`.
The README's table of supported estimators is generated from this registry
(``python -m pfa.exporters.registry``), so the list is written in one place only.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

#: converter roles: a transformer maps data to data, the others end a pipeline
ROLES = ("transformer", "regressor", "classifier", "clusterer", "outlier")


@dataclass(frozen=True)
class Converter:
    library: str
    estimator: str  # class name
    module: str  # where the estimator class lives, e.g. "sklearn.preprocessing"
    role: str
    fn: Callable[..., Any]
    notes: str = ""


_CONVERTERS: dict[tuple[str, str], Converter] = {}


def converter(library: str, module: str, names: list[str] | str, role: str, notes: str = ""):
    """Register the decorated function as the converter of the named estimator classes."""
    if role not in ROLES:
        raise ValueError(f"unknown converter role {role!r}")
    if isinstance(names, str):
        names = [names]

    def deco(fn: Callable[..., Any]) -> Callable[..., Any]:
        for name in names:
            _CONVERTERS[(library, name)] = Converter(library, name, module, role, fn, notes)
        return fn

    return deco


_LIBRARY_PACKAGES = {"sklearn": "pfa.exporters.sklearn.converters"}


def _load(library: str) -> None:
    pkg = importlib.import_module(_LIBRARY_PACKAGES[library])
    for name in getattr(pkg, "MODULES", ()):
        importlib.import_module(f"{pkg.__name__}.{name}")


def lookup(library: str, estimator: Any) -> Converter | None:
    """The converter for exactly ``estimator``'s class (a subclass may change behaviour, so it
    is not matched through its base classes)."""
    _load(library)
    cls = type(estimator)
    conv = _CONVERTERS.get((library, cls.__name__))
    if conv is not None and cls.__module__.startswith(conv.module.split(".")[0]):
        return conv
    return None


def supported(library: str = "sklearn") -> list[Converter]:
    """Every registered converter of ``library``, sorted by role then estimator name."""
    _load(library)
    convs = [c for (lib, _), c in _CONVERTERS.items() if lib == library]
    return sorted(convs, key=lambda c: (ROLES.index(c.role), c.module, c.estimator))


def supported_names(library: str = "sklearn") -> list[str]:
    return [c.estimator for c in supported(library)]


def markdown_table(library: str = "sklearn") -> str:
    """The README table of supported estimators."""
    lines = ["| estimator | module | role | notes |", "|---|---|---|---|"]
    for c in supported(library):
        lines.append(f"| {c.estimator} | `{c.module}` | {c.role} | {c.notes} |")
    return "\n".join(lines)


START, END = "<!-- estimators:start -->", "<!-- estimators:end -->"


def update_readme(path: str) -> None:
    """Rewrite the table between the estimator markers of ``path`` from the registry."""
    from pathlib import Path

    text = Path(path).read_text()
    head, _, rest = text.partition(START)
    _, _, tail = rest.partition(END)
    Path(path).write_text(f"{head}{START}\n{markdown_table()}\n{END}{tail}")


if __name__ == "__main__":
    import sys

    # Run as a script this file is "__main__"; the converters register in the real module.
    from pfa.exporters import registry as _registry

    if len(sys.argv) > 2 and sys.argv[1] == "--update":
        _registry.update_readme(sys.argv[2])
    else:
        print(_registry.markdown_table())
