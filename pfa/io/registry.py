"""The registry of data-file formats: each module of :mod:`pfa.io.formats` registers one
:class:`Format` (a name, its file extensions, a reader and a writer), so a new format is one
new module. :func:`format_for` picks a format by name or by a file's extension."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import PurePath
from typing import TYPE_CHECKING, Any, Protocol

from .errors import DataFileError

if TYPE_CHECKING:
    import pyarrow as pa

    from pfa.avro.types import AvroType

    from .batch import Batch

STDIO = "-"
"""The file name meaning standard input (reading) or standard output (writing)."""


@dataclass(frozen=True)
class ReadSpec:
    """What a reader is asked for. ``column_type(name)`` is the Avro type of the input field
    (or array item) a column feeds, None for a column that is only passed through: formats
    that store text (CSV) parse cells by it, typed formats leave values to the engine's input
    contract. ``chunk_rows`` bounds the rows of one :class:`~pfa.io.batch.Batch`; ``keep`` are the
    columns copied to the output.
    ``decode`` turns one JSON value in Avro's JSON encoding into an engine value (JSON lines
    with ``--avro-json``); None reads plain JSON."""

    column_type: Callable[[str], AvroType | None]
    chunk_rows: int
    keep: tuple[str, ...] = ()
    decode: Callable[[Any], Any] | None = None

    def wanted(self, name: str) -> bool:
        """True for a column the scorer reads (an input or a kept column)."""
        return name in self.keep or self.column_type(name) is not None


class Reader(Protocol):
    """An open input file: its ``columns`` in file order (empty when the format does not
    declare them, as JSON lines), its row count when the file's metadata gives it, and its
    rows in batches of at most ``chunk_rows``."""

    path: str
    columns: list[str]
    total_rows: int | None

    def column_arrow_type(self, name: str) -> pa.DataType | None: ...
    def batches(self) -> Iterator[Batch]: ...
    def close(self) -> None: ...


class Writer(Protocol):
    """An open output file taking Arrow tables of one schema, in order."""

    def write(self, table: pa.Table) -> None: ...
    def close(self) -> None: ...


@dataclass(frozen=True)
class Format:
    """One file format. ``open_reader(path, spec)`` and ``open_writer(path, schema,
    options)`` open a file (``"-"``: standard input/output when ``stdio`` allows it);
    ``flat`` formats hold only scalar cells (nested values become JSON text, records become
    dotted columns: :mod:`pfa.io.flat`)."""

    name: str
    extensions: tuple[str, ...]
    description: str
    open_reader: Callable[[str, ReadSpec], Reader]
    open_writer: Callable[[str, pa.Schema, dict[str, Any]], Writer]
    stdio: bool = False
    flat: bool = False


_FORMATS: dict[str, Format] = {}
_LOADED = False


def register(fmt: Format) -> Format:
    """Add ``fmt`` to the registry (a module of :mod:`pfa.io.formats` calls this once)."""
    if fmt.name in _FORMATS and _FORMATS[fmt.name] is not fmt:
        raise ValueError(f"format {fmt.name!r} is registered twice")
    _FORMATS[fmt.name] = fmt
    return fmt


def formats() -> dict[str, Format]:
    """Every registered format by name (importing each module of :mod:`pfa.io.formats`)."""
    global _LOADED
    if not _LOADED:
        # by name: ``pfa.io.formats`` the attribute is this function (pfa.io re-exports it)
        pkg = importlib.import_module(f"{__package__}.formats")
        for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda i: i.name):
            if not info.name.startswith("_"):
                importlib.import_module(f"{pkg.__name__}.{info.name}")
        _LOADED = True
    return dict(_FORMATS)


def format_for(path: str, name: str | None = None, *, role: str = "input") -> Format:
    """The format called ``name``, or else the one whose extension ends ``path``
    (DataFileError naming the file and the known formats when there is none)."""
    known = formats()
    if name:
        fmt = known.get(name.lower())
        if fmt is None:
            raise DataFileError(path, f"unknown {role} format {name!r} (known: "
                                      f"{', '.join(sorted(known))})")
        return fmt
    lower = PurePath(path).name.lower()
    best: tuple[int, Format] | None = None
    for fmt in known.values():
        for ext in fmt.extensions:
            if lower.endswith(ext) and (best is None or len(ext) > best[0]):
                best = (len(ext), fmt)
    if best is None:
        exts = ", ".join(e for f in known.values() for e in f.extensions)
        hint = f"--{role}-format" if role in ("input", "output") else "a format"
        raise DataFileError(path, f"cannot tell the {role} format from the file name (known "
                                  f"extensions: {exts}); give {hint}")
    return best[1]
