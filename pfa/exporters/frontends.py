"""Front ends: one per framework whose models become PFA documents.

A front end is a package ``pfa.exporters.<name>`` (``sklearn`` today) with a ``frontend``
module whose ``FRONT_END`` object follows :class:`FrontEnd`; :func:`front_ends` finds them,
so ``pfa export`` and :func:`export` need no edit for a new one. Every front end builds its
document with the shared :class:`~pfa.exporters.builder.DocumentBuilder`, describes its input
with :mod:`pfa.exporters.table` and refuses what it cannot translate exactly with
:class:`~pfa.errors.UnsupportedModelError` (``DocumentBuilder.refuse``); its converters
register in :mod:`pfa.exporters.registry` under the front end's name.
"""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from pfa.errors import UnsupportedModelError


@dataclass(frozen=True)
class ExportOptions:
    """What a user may ask of any front end (``pfa export``'s options).

    ``name``: the document's name; ``input_schema``: an Avro input type to use instead of the
    inferred one; ``sample``: a DataFrame like the training data (column kinds, missing
    values); ``array_input``: take an ``array<double>``; ``timestamp``: write the export time
    into the metadata; ``trust``: types a model file may hold beyond its loader's defaults.
    """

    name: str | None = None
    input_schema: Any = None
    sample: Any = None
    array_input: bool = False
    timestamp: bool = True
    trust: tuple[str, ...] = ()


@runtime_checkable
class FrontEnd(Protocol):
    """A framework's exporter."""

    #: the package name under ``pfa.exporters`` and the converter registry's library name
    name: str
    #: what it reads from disk, for messages (e.g. ".skops, .pkl, .pickle, .joblib")
    reads: str

    def accepts(self, obj_or_path: Any) -> bool:
        """Whether this front end translates ``obj_or_path``: a live model, or a path (a
        :class:`~pathlib.Path`) to a saved one. Cheap: no model is loaded."""
        ...

    def load(self, path: Path, options: ExportOptions) -> Any:
        """The model saved at ``path`` (one this front end accepts), ready for :meth:`export`."""
        ...

    def export(self, model: Any, options: ExportOptions) -> dict[str, Any]:
        """The PFA document (a JSON-ready dict) of a live or loaded model."""
        ...


@cache
def front_ends() -> tuple[FrontEnd, ...]:
    """Every front end, by name: the ``FRONT_END`` of each ``pfa.exporters.<name>.frontend``."""
    pkg = importlib.import_module("pfa.exporters")
    found = []
    for info in pkgutil.iter_modules(pkg.__path__, pkg.__name__ + "."):
        if info.ispkg and importlib.util.find_spec(info.name + ".frontend") is not None:
            found.append(importlib.import_module(info.name + ".frontend").FRONT_END)
    return tuple(sorted(found, key=lambda f: f.name))


def pick(obj_or_path: Any) -> FrontEnd:
    """The one front end that accepts ``obj_or_path`` (a live model or a :class:`Path`)."""
    matches = [f for f in front_ends() if f.accepts(obj_or_path)]
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise UnsupportedModelError(
            f"several front ends read {_what(obj_or_path)}: "
            + ", ".join(f.name for f in matches))
    if isinstance(obj_or_path, Path):
        if obj_or_path.is_dir():
            raise ValueError(f"{obj_or_path} is a directory no front end reads (expected "
                             + "; ".join(f.reads for f in front_ends()) + ")")
        if not obj_or_path.is_file():
            raise FileNotFoundError(f"no such file: {obj_or_path}")
        raise ValueError(f"unknown model file type {obj_or_path.suffix.lower()!r} (expected "
                         + "; ".join(f.reads for f in front_ends()) + ")")
    raise UnsupportedModelError(
        f"no front end exports {_what(obj_or_path)} (front ends: "
        + ", ".join(f.name for f in front_ends()) + ")")


def export(obj_or_path: Any, **options: Any) -> dict[str, Any]:
    """The PFA document of a live model or of a saved one (a path), by the front end that
    accepts it; ``options`` are the fields of :class:`ExportOptions`."""
    opts = ExportOptions(**options)
    if isinstance(obj_or_path, str):
        obj_or_path = Path(obj_or_path)
    front = pick(obj_or_path)
    model = front.load(obj_or_path, opts) if isinstance(obj_or_path, Path) else obj_or_path
    return front.export(model, opts)


def _what(obj_or_path: Any) -> str:
    if isinstance(obj_or_path, Path):
        return str(obj_or_path)
    cls = type(obj_or_path)
    return f"{cls.__module__}.{cls.__qualname__}"
