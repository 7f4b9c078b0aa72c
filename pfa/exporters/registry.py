"""Converter registry: estimator class → the function that translates it to PFA.

Each converter lives in a small module of its front end's ``converters`` package
(``pfa.exporters.<library>.converters``) and registers itself with :func:`converter`; the
modules are found by walking that package, so adding a module is all a new converter needs.
The README's tables of what each front end translates are generated from this registry
(``python -m pfa.exporters.registry --update README.md`` rewrites them between their markers,
``--library NAME`` prints one), so each list is written in one place only.
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


@dataclass(frozen=True)
class TableColumns:
    """How a front end's README table heads its columns: what a converter translates
    (``estimator``), where that comes from (``module``), and whether the role is shown (every
    ONNX op converter is a transformer, so its table leaves the column out)."""

    name: str = "estimator"
    module: str = "module"
    role: bool = True


#: the README table's columns per front end (others get the default)
TABLE_COLUMNS: dict[str, TableColumns] = {
    "spark": TableColumns("stage", "package"),
    "onnx": TableColumns("op", "domain", role=False),
}


def markdown_table(library: str = "sklearn") -> str:
    """The README table of ``library``'s converters (the same in every environment:
    converters of optional libraries are always registered)."""
    cols = TABLE_COLUMNS.get(library, TableColumns())
    heads = [cols.name, cols.module] + (["role"] if cols.role else []) + ["notes"]
    lines = ["| " + " | ".join(heads) + " |", "|" + "---|" * len(heads)]
    for c in supported(library):
        cells = [c.estimator, f"`{c.module}`"] + ([c.role] if cols.role else []) + [c.notes]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


START, END = "<!-- estimators:start -->", "<!-- estimators:end -->"


def markers(library: str = "sklearn") -> tuple[str, str]:
    """The README markers around ``library``'s table (``<!-- estimators:start -->`` for
    sklearn, ``<!-- estimators:spark:start -->`` and the like for the others)."""
    if library == "sklearn":
        return START, END
    return f"<!-- estimators:{library}:start -->", f"<!-- estimators:{library}:end -->"


def between(text: str, start: str, end: str) -> str:
    """The text between the markers ``start`` and ``end`` of ``text``, stripped; raises
    :class:`ValueError` naming a marker that is missing."""
    for marker in (start, end):
        if marker not in text:
            raise ValueError(f"the marker {marker} is missing")
    return text[text.index(start) + len(start):text.index(end)].strip()


def replace_between(text: str, start: str, end: str, body: str) -> str:
    """``text`` with what lies between the markers ``start`` and ``end`` replaced by
    ``body``."""
    between(text, start, end)  # both markers present
    head, _, rest = text.partition(start)
    _, _, tail = rest.partition(end)
    return f"{head}{start}\n{body}\n{end}{tail}"


def table_libraries() -> list[str]:
    """The libraries with a README table: every front end (:func:`pfa.exporters.frontends.
    front_ends`)."""
    from pfa.exporters.frontends import front_ends

    return [f.name for f in front_ends()]


def update_readme(path: str, libraries: str | list[str] | None = None) -> None:
    """Rewrite the tables between the estimator markers of ``path`` from the registry: those
    of ``libraries`` (a name or a list), by default of every front end."""
    from pathlib import Path

    if isinstance(libraries, str):
        libraries = [libraries]
    text = Path(path).read_text()
    for library in libraries or table_libraries():
        start, end = markers(library)
        try:
            text = replace_between(text, start, end, markdown_table(library))
        except ValueError as err:
            raise ValueError(f"{path}: no table for the {library} front end: {err}") from None
    Path(path).write_text(text)


if __name__ == "__main__":
    import sys

    # Run as a script this file is "__main__"; the converters register in the real module.
    from pfa.exporters import registry as _registry

    # python -m pfa.exporters.registry [--library NAME] [--update README.md]
    args = sys.argv[1:]
    libs = None
    if len(args) > 1 and args[0] == "--library":
        libs, args = [args[1]], args[2:]
    if len(args) > 1 and args[0] == "--update":
        try:
            _registry.update_readme(args[1], libs)
        except (OSError, ValueError) as err:
            sys.exit(f"pfa.exporters.registry: {err}")
    else:
        print(_registry.markdown_table(libs[0] if libs else "sklearn"))
