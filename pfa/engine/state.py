"""Persistent state of an engine: cells and pools, rollback, and sharing between engines.

A :class:`Cell` holds one immutable value; a :class:`Pool` holds a dict of immutable values.
Shared cells and pools are single objects referenced by every engine of a battery and follow
the specification's read-copy-update rule: a reader just reads the current reference (never
blocks), a writer takes the lock of the whole cell, or of one pool item, computes the new value
from the old one and publishes it with a single reference assignment (atomic under the GIL).

Rollback is per engine: a cell or pool marked ``rollback`` is restored to its value at the
start of an ``action`` when that action raises. For cells the engine remembers the values at
the start; for pools it keeps a journal of the items it changed (first old value per key).

Initial values a document keeps in external files (``"source": "json"`` or ``"avro"``) are
read only inside the directories the host allows (:mod:`pfa.hostfiles`); without an
allow-list such a document is refused with a :class:`PfaSemanticError` naming the cell or pool.
"""

from __future__ import annotations

import itertools
import threading
from typing import Any

from pfa.avro.data import (
    decode_json,
    encode_json,
    load_json_text,
    read_avro_file,
    same_schema,
    validate,
)
from pfa.avro.types import AvroMap
from pfa.errors import AvroDataError, PfaSemanticError
from pfa.hostfiles import FileAllowList, FileRefused, read_regular_file

MISSING: Any = object()


class Cell:
    """A named, typed global variable."""

    __slots__ = ("name", "type", "value", "shared", "rollback", "lock")

    def __init__(self, name: str, avro_type: Any, value: Any, shared: bool, rollback: bool):
        self.name = name
        self.type = avro_type
        self.value = value
        self.shared = shared
        self.rollback = rollback
        self.lock = threading.RLock() if shared else None

    def __repr__(self) -> str:
        return f"Cell({self.name!r}, shared={self.shared}, rollback={self.rollback})"


class Pool:
    """A named, typed namespace of values (``items``: key → value)."""

    __slots__ = ("name", "type", "items", "shared", "rollback", "_locks", "_guard")

    def __init__(self, name: str, avro_type: Any, items: dict[str, Any], shared: bool,
                 rollback: bool):
        self.name = name
        self.type = avro_type
        self.items = items
        self.shared = shared
        self.rollback = rollback
        self._locks: dict[str, threading.RLock] = {}
        self._guard = threading.Lock()

    def lock_for(self, key: str) -> threading.RLock:
        """The writers' lock of item ``key`` (one lock per item, created on demand)."""
        lock = self._locks.get(key)
        if lock is None:
            with self._guard:
                lock = self._locks.get(key)
                if lock is None:
                    lock = self._locks[key] = threading.RLock()
        return lock

    def __repr__(self) -> str:
        return f"Pool({self.name!r}, shared={self.shared}, rollback={self.rollback})"


def _load_init(spec: Any, what: str, name: str, files: FileAllowList | None) -> Any:
    """The JSON-encoded initial value of a cell or pool: embedded, or read from the file the
    document names (``source`` "json" or "avro") when the host's allow-list permits it."""
    source = getattr(spec, "source", "embedded") or "embedded"
    if source == "embedded":
        return spec.init
    where = f"$.{what}s.{name}.init"
    if source not in ("json", "avro"):
        raise PfaSemanticError(f"{what} {name!r}: unsupported init source {source!r}", where)
    if not isinstance(spec.init, str):
        raise PfaSemanticError(f"{what} {name!r}: source {source!r} needs a file name in init",
                               where)
    if files is None:
        raise PfaSemanticError(
            f"{what} {name!r}: the document asks to read its initial value from the file "
            f"{spec.init!r}; documents may not read host files unless the host allows a "
            "directory (engine option allow_files=[...], command-line option --allow-files DIR)",
            where)
    try:
        data = read_regular_file(files.resolve(spec.init), files.max_bytes)
    except FileRefused as err:
        raise PfaSemanticError(f"{what} {name!r}: cannot read {spec.init!r}: {err}",
                               where) from None
    if source == "json":
        try:
            return load_json_text(data)
        except AvroDataError as err:
            raise PfaSemanticError(f"{what} {name!r}: {spec.init!r} is {err.message}",
                                   where) from None
    return _AvroInit(data)


class _AvroInit:
    """The raw bytes of an Avro object container file (decoded once its type is known)."""

    __slots__ = ("data",)

    def __init__(self, data: bytes):
        self.data = data


def _avro_file_value(raw: _AvroInit, t: Any, what: str, name: str, filename: str) -> Any:
    """The one datum of type ``t`` held by an Avro object container file."""
    import io

    where = f"$.{what}s.{name}.init"
    try:
        file_type, values = read_avro_file(io.BytesIO(raw.data), untrusted=True)
        if not same_schema(file_type, t):
            raise AvroDataError(f"the file's schema is {file_type}, not {t}")
        data = list(itertools.islice(values, 2))
        if len(data) != 1:
            raise AvroDataError(f"the file must hold exactly one datum, found "
                                f"{'none' if not data else 'more than one'}")
        validate(t, data[0])
        return data[0]
    except PfaSemanticError:
        raise
    except Exception as err:  # fastavro's many ways of saying "malformed"
        raise PfaSemanticError(f"{what} {name!r}: {filename!r} is not a usable Avro file: "
                               f"{err}", where) from None


def decode_cell_init(name: str, spec: Any, files: FileAllowList | None = None) -> Any:
    t = spec.avro_type.avro
    raw = _load_init(spec, "cell", name, files)
    if isinstance(raw, _AvroInit):
        return _avro_file_value(raw, t, "cell", name, spec.init)
    try:
        return decode_json(t, raw, f"$.cells.{name}.init")
    except AvroDataError as err:
        raise PfaSemanticError(f"cell {name!r}: init does not match its type: {err}",
                               f"$.cells.{name}.init") from err


def decode_pool_init(name: str, spec: Any, files: FileAllowList | None = None
                     ) -> dict[str, Any]:
    t = spec.avro_type.avro
    raw = _load_init(spec, "pool", name, files)
    if isinstance(raw, _AvroInit):
        return dict(_avro_file_value(raw, AvroMap(t), "pool", name, spec.init))
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise PfaSemanticError(f"pool {name!r}: init must be a JSON object",
                               f"$.pools.{name}.init")
    out = {}
    for k, v in raw.items():
        try:
            out[k] = decode_json(t, v, f"$.pools.{name}.init.{k}")
        except AvroDataError as err:
            raise PfaSemanticError(f"pool {name!r}: item {k!r} does not match its type: {err}",
                                   f"$.pools.{name}.init") from err
    return out


def external_inits(doc: Any) -> list[str]:
    """``cell NAME`` / ``pool NAME`` of every cell and pool of ``doc`` whose initial value
    is kept in an external file."""
    return [f"{what} {name}" for what, specs in (("cell", doc.cells), ("pool", doc.pools))
            for name, spec in specs.items()
            if (getattr(spec, "source", "embedded") or "embedded") != "embedded"]


def _same_init(spec: Any, checked: tuple[Any, Any, Any]) -> bool:
    """Whether the checker's decoded init ``(init, type, value)`` is that of ``spec``."""
    init, t, _ = checked
    return ((getattr(spec, "source", "embedded") or "embedded") == "embedded"
            and spec.init is init and spec.avro_type.avro is t)


class InitialState:
    """Decoded initial values of a document's cells and pools (decoded once per document and
    reused by every engine made from it: values are immutable), plus the shared objects of a
    battery of engines."""

    def __init__(self, doc: Any, typed: Any = None, allow_files: Any = None):
        files = (allow_files if isinstance(allow_files, FileAllowList) or allow_files is None
                 else FileAllowList.of(allow_files))
        self.cell_values: dict[str, Any] = {}
        self.pool_values: dict[str, dict[str, Any]] = {}
        # inits the checker already decoded (``typed``: the TypedDocument of ``doc``)
        checked_cells = getattr(typed, "cell_values", None) or {}
        checked_pools = getattr(typed, "pool_values", None) or {}
        for name, spec in doc.cells.items():
            hit = checked_cells.get(name)
            if hit is not None and _same_init(spec, hit):
                self.cell_values[name] = hit[2]
            else:
                self.cell_values[name] = decode_cell_init(name, spec, files)
        for name, spec in doc.pools.items():
            hit = checked_pools.get(name)
            if hit is not None and _same_init(spec, hit):
                self.pool_values[name] = dict(hit[2])
            else:
                self.pool_values[name] = decode_pool_init(name, spec, files)
        self.doc = doc
        self.shared_cells: dict[str, Cell] = {}
        self.shared_pools: dict[str, Pool] = {}
        for name, spec in doc.cells.items():
            if spec.shared:
                self.shared_cells[name] = Cell(name, spec.avro_type.avro,
                                               self.cell_values[name], True, spec.rollback)
        for name, spec in doc.pools.items():
            if spec.shared:
                self.shared_pools[name] = Pool(name, spec.avro_type.avro,
                                               dict(self.pool_values[name]), True,
                                               spec.rollback)


class EngineState:
    """The cells and pools one engine sees, and its rollback bookkeeping."""

    def __init__(self, initial: InitialState):
        doc = initial.doc
        self.cells: dict[str, Cell] = {}
        self.pools: dict[str, Pool] = {}
        for name, spec in doc.cells.items():
            if spec.shared:
                self.cells[name] = initial.shared_cells[name]
            else:
                self.cells[name] = Cell(name, spec.avro_type.avro, initial.cell_values[name],
                                        False, spec.rollback)
        for name, spec in doc.pools.items():
            if spec.shared:
                self.pools[name] = initial.shared_pools[name]
            else:
                self.pools[name] = Pool(name, spec.avro_type.avro,
                                        dict(initial.pool_values[name]), False, spec.rollback)
        self.rollback_cells = [c for c in self.cells.values() if c.rollback]
        # pool name -> journal (key -> value before this action's first change, or MISSING)
        self.journals: dict[str, dict[str, Any]] = {
            name: {} for name, p in self.pools.items() if p.rollback}
        self._saved: list[Any] = []

    @property
    def has_rollback(self) -> bool:
        return bool(self.rollback_cells or self.journals)

    # -- rollback -----------------------------------------------------------------------------
    def start_action(self) -> None:
        self._saved = [c.value for c in self.rollback_cells]
        for j in self.journals.values():
            j.clear()

    def rollback(self) -> None:
        for cell, old in zip(self.rollback_cells, self._saved):
            if cell.lock is not None:
                with cell.lock:
                    cell.value = old
            else:
                cell.value = old
        for name, journal in self.journals.items():
            pool = self.pools[name]
            for key, old in journal.items():
                lock = pool.lock_for(key) if pool.shared else None
                if lock is not None:
                    lock.acquire()
                try:
                    if old is MISSING:
                        pool.items.pop(key, None)
                    else:
                        pool.items[key] = old
                finally:
                    if lock is not None:
                        lock.release()
            journal.clear()

    # -- snapshots ----------------------------------------------------------------------------
    def snapshot(self) -> dict[str, Any]:
        cells = {name: encode_json(c.type, c.value) for name, c in self.cells.items()}
        pools = {}
        for name, p in self.pools.items():
            items = dict(p.items)  # a consistent copy even if other engines are writing
            pools[name] = {k: encode_json(p.type, v) for k, v in items.items()}
        return {"cells": cells, "pools": pools}

    def restore(self, snap: dict[str, Any]) -> None:
        if not isinstance(snap, dict):
            raise AvroDataError("a snapshot must be a JSON object", "$")
        cells = snap.get("cells", {}) or {}
        pools = snap.get("pools", {}) or {}
        new_cells = {}
        for name, v in cells.items():
            if name not in self.cells:
                raise AvroDataError(f"snapshot has unknown cell {name!r}", f"$.cells.{name}")
            new_cells[name] = decode_json(self.cells[name].type, v, f"$.cells.{name}")
        new_pools = {}
        for name, items in pools.items():
            if name not in self.pools:
                raise AvroDataError(f"snapshot has unknown pool {name!r}", f"$.pools.{name}")
            if not isinstance(items, dict):
                raise AvroDataError("pool snapshot must be a JSON object", f"$.pools.{name}")
            t = self.pools[name].type
            new_pools[name] = {k: decode_json(t, x, f"$.pools.{name}.{k}")
                               for k, x in items.items()}
        # everything decoded: now publish
        for name, v in new_cells.items():
            cell = self.cells[name]
            if cell.lock is not None:
                with cell.lock:
                    cell.value = v
            else:
                cell.value = v
        for name, items in new_pools.items():
            pool = self.pools[name]
            # in place: compiled code holds a reference to the items dict
            with pool._guard:
                pool.items.clear()
                pool.items.update(items)
