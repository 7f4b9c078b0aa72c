"""Converter registry: estimator class → the function that translates it to PFA.

Each converter lives in a small module of its front end's ``converters`` package
(``pfa.exporters.<library>.converters``) and registers itself with :func:`converter`; the
modules are found by walking that package, so adding a module is all a new converter needs.
The README's table of supported estimators is generated from this registry
(``python -m pfa.exporters.registry``), so the list is written in one place only.
"""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

#: converter roles: a transformer maps data to data, the others end a pipeline
ROLES = ("transformer", "regressor", "classifier", "clusterer", "outlier")


@dataclass(frozen=True)
class Converter:
    """One registered converter.

    ``library`` names the front end (``"sklearn"``), ``estimator`` the class name and
    ``module`` where the class lives (``"sklearn.preprocessing"``; for a front end reading
    saved files, the class path the file names). ``requires`` is the Python package the
    estimator class comes from when the front end does not depend on it (``"xgboost"``): the
    converter is registered whether or not that package is installed.
    """

    library: str
    estimator: str  # class name
    module: str  # where the estimator class lives, e.g. "sklearn.preprocessing"
    role: str
    fn: Callable[..., Any]
    notes: str = ""
    requires: str | None = None

    @property
    def available(self) -> bool:
        """Whether the package the estimator class comes from is installed."""
        return self.requires is None or importlib.util.find_spec(self.requires) is not None

    def estimator_class(self) -> type:
        """The estimator class (imports its module)."""
        return getattr(importlib.import_module(self.module), self.estimator)


_CONVERTERS: dict[tuple[str, str], Converter] = {}


def converter(library: str, module: str, names: list[str] | str, role: str, notes: str = "",
              requires: str | None = None) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register the decorated function as the converter of the named estimator classes."""
    if role not in ROLES:
        raise ValueError(f"unknown converter role {role!r}")
    if isinstance(names, str):
        names = [names]

    def deco(fn: Callable[..., Any]) -> Callable[..., Any]:
        for name in names:
            _CONVERTERS[(library, name)] = Converter(library, name, module, role, fn, notes,
                                                     requires)
        return fn

    return deco


def converters_package(library: str) -> str:
    """The package holding ``library``'s converter modules."""
    return f"pfa.exporters.{library}.converters"


@cache
def converter_modules(library: str) -> tuple[str, ...]:
    """Import every module of ``library``'s converters package (each registers its
    converters) and return their names."""
    pkg = importlib.import_module(converters_package(library))
    names = tuple(sorted(info.name for info in pkgutil.iter_modules(pkg.__path__,
                                                                     pkg.__name__ + ".")))
    for name in names:
        importlib.import_module(name)
    return names


def lookup(library: str, estimator: Any) -> Converter | None:
    """The converter for exactly ``estimator``'s class (a subclass may change behaviour, so it
    is not matched through its base classes)."""
    cls = type(estimator)
    return lookup_class(library, cls.__module__, cls.__name__)


def lookup_class(library: str, module: str, name: str) -> Converter | None:
    """The converter of the class ``name`` defined in ``module`` (which must lie in the
    registered module's top-level package, e.g. ``sklearn.linear_model._base``)."""
    converter_modules(library)
    conv = _CONVERTERS.get((library, name))
    if conv is not None and module.startswith(conv.module.split(".")[0]):
        return conv
    return None


def supported(library: str = "sklearn") -> list[Converter]:
    """Every registered converter of ``library``, sorted by role then estimator name."""
    converter_modules(library)
    convs = [c for (lib, _), c in _CONVERTERS.items() if lib == library]
    return sorted(convs, key=lambda c: (ROLES.index(c.role), c.module, c.estimator))


def supported_names(library: str = "sklearn") -> list[str]:
    return [c.estimator for c in supported(library)]


def markdown_table(library: str = "sklearn") -> str:
    """The README table of supported estimators (the same in every environment: converters
    of optional libraries are always registered)."""
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
