"""The native back end: the document's action lowered to a register program
(:mod:`pfa.engine.native.lower`) run by the C interpreter over blocks of rows, for batches
and for single records; rows the program flags (errors, near-ties, anything its subset does
not decide) and whole documents outside the subset run on the vector back end (and from
there the scalar one), with the same results."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import numpy as np

from pfa.avro.types import AvroArray, AvroRecord, AvroType
from pfa.errors import PfaRuntimeError
from pfa.runtime.columns import Arr, Col, Const, Opt, Rec, from_py, kind, merge, take

from ..backends import ExplainEntry, Target
from . import lower as L
from .program import compact, prune

#: rows per call of the interpreter from one batch (the program keeps per-block state only)
THREADS_ENV = "PFA_NATIVE_THREADS"


@dataclass
class OutSpec:
    """How the output value is read back: ``what`` is "num" (output ``index``), "arr"
    (outputs ``indexes``), "rec" (``fields``), "const" (``value``) or "pick" (output
    ``index`` chooses among ``options``)."""

    what: str
    kind: str = "d"
    index: int = 0
    indexes: tuple[int, ...] = ()
    fields: dict[str, OutSpec] | None = None
    value: Any = None
    options: tuple[Any, ...] = ()
    column: Any = None
    """(pick) the options as a column of the output type, made on first use"""


class NativePlan:
    """A compiled program with its input slots and output spec (what ``explain_batch``
    and ``run_batch`` see as the plan)."""

    vectorized = True

    def __init__(self, vm: Any, slots: list[L.InputSlot], spec: OutSpec, out_t: AvroType,
                 size: int, fallback: Any, cells: dict[str, Any], state: Any):
        self.vm = vm
        self.slots = slots
        self.spec = spec
        self.out_t = out_t
        self.fallback = fallback
        self.fallbacks: list[str] = []
        self.cells = cells
        self.state = state
        self.explain = [ExplainEntry("$.action", "action", "native",
                                     f"{size} instructions, {len(slots)} inputs")]
        self.threads = max(1, int(os.environ.get(THREADS_ENV, "1") or 1))
        self.nout = _count(spec)

    def current(self) -> bool:
        """False when a cell no longer holds the value the program was built from
        (``Engine.restore``): then the fallback runs."""
        cells = self.state.cells
        return all(cells[name].value is value for name, value in self.cells.items())

    # -- batches ------------------------------------------------------------------------
    #: the interpreter holds one block of rows at a time, so its memory does not grow with
    #: the batch: ``action_batch`` hands it whole batches, and its ``chunk_size`` bounds the
    #: flagged rows the fallback runs at once (``fallback_rows``)
    whole_batches = True

    def run(self, input_col: Col, n: int, fallback_rows: int | None = None
            ) -> tuple[Col, dict[int, PfaRuntimeError]]:
        if not self.current():
            return self._fallback(input_col, np.arange(n), n, None, fallback_rows)
        inputs = tuple(self._input(input_col, s, n) for s in self.slots)
        out = np.empty((self.nout, n), dtype=np.float64)
        flags = np.zeros(n, dtype=np.uint8)
        self.vm.run(inputs, tuple(out), flags, n, self.threads)
        col = self._output(self.spec, self.out_t, out, n)
        if not flags.any():
            return col, {}
        return self._fallback(input_col, np.flatnonzero(flags), n, col, fallback_rows)

    def _fallback(self, input_col: Col, idx: np.ndarray, n: int, col: Col | None,
                  rows: int | None) -> tuple[Col, dict[int, PfaRuntimeError]]:
        """``col`` with the rows ``idx`` run on the fallback, at most ``rows`` at once."""
        step = len(idx) if not rows or rows <= 0 else int(rows)
        parts: list[tuple[np.ndarray, Col]] = []
        errors: dict[int, PfaRuntimeError] = {}
        for a in range(0, len(idx), max(step, 1)):
            piece = idx[a:a + step]
            sub, errs = self.fallback.run(take(input_col, piece), len(piece))
            parts.append((piece, sub))
            errors.update((int(piece[j]), e) for j, e in errs.items())
        if col is None and len(parts) == 1 and len(idx) == n:
            return parts[0][1], errors
        if col is not None:
            rest = np.setdiff1d(np.arange(n), idx, assume_unique=True)
            parts.insert(0, (rest, take(col, rest)))
        return merge(self.out_t, n, parts), errors

    @staticmethod
    def _input(col: Col, slot: L.InputSlot, n: int) -> np.ndarray | None:
        """The column the interpreter reads for ``slot``: numbers of any numeric dtype, read
        in place (no conversion copy), or None for all zeros (a null mask without nulls)."""
        c = col.fields[slot.field] if slot.field is not None else col
        if type(c) is np.ndarray and c.dtype == np.float64 and c.ndim == 1 and \
                slot.vocab is None:  # the common case first: a column of doubles
            return None if slot.part == "null" else c
        if slot.vocab is not None or (slot.part == "null" and isinstance(c, np.ndarray)
                                      and c.dtype == object):
            if isinstance(c, Const):
                c = _obj([c.value]) if n else _obj([])
                c = np.broadcast_to(c, (n,))
            if slot.part == "null":
                return np.equal(c, None).astype(np.float64)  # the values are str or None
            return _codes(c, slot.vocab.codes if slot.vocab is not None else {})
        if isinstance(c, Const):
            v = c.value
            return np.full(n, np.nan if v is None else float(
                v is None if slot.part == "null" else v))
        if isinstance(c, Opt):
            c = c.null if slot.part == "null" else c.values
            if slot.part == "null" and isinstance(c, np.ndarray) and not c.any():
                return None
        elif slot.part == "null":
            return None
        a = np.asarray(c)
        if a.ndim != 1 or a.dtype.kind not in "biuf" or not a.dtype.isnative or (
                a.dtype.kind == "f" and a.dtype.itemsize not in (4, 8)):
            a = np.ascontiguousarray(a, dtype=np.float64).reshape(-1)
        return a

    def _output(self, spec: OutSpec, t: AvroType, out: np.ndarray, n: int) -> Col:
        if spec.what == "num":
            return _typed(out[spec.index], spec.kind)
        if spec.what == "arr":
            block = out[list(spec.indexes)].T
            return Arr(_typed(np.ascontiguousarray(block), spec.kind))
        if spec.what == "rec":
            assert isinstance(t, AvroRecord) and spec.fields is not None
            return Rec({f.name: self._output(spec.fields[f.name], f.type, out, n)
                        for f in t.fields})
        if spec.what == "const":
            return Const(spec.value)
        if spec.column is None:  # the options as a column, once; each batch gathers from it
            spec.column = from_py(list(spec.options), t)
        return take(spec.column, out[spec.index].astype(np.intp))

    # -- one record ---------------------------------------------------------------------
    def record_runner(self, scalar_run: Any) -> Any:
        """``run(datum)`` for single records: one interpreter call; a flagged record (or a
        changed cell) runs on ``scalar_run``."""
        vm_run1 = self.vm.run1
        getters = [_getter(s) for s in self.slots]
        build = _builder(self.spec, self.out_t)
        current = self.current
        plain = [s.field for s in self.slots] if all(
            s.part == "value" and s.field is not None for s in self.slots) else None
        if plain is not None:
            def run(datum: Any) -> Any:
                try:
                    values = [datum[f] for f in plain]
                    res = vm_run1(values)
                except (TypeError, KeyError):
                    res = None
                if res is None or not current():
                    return scalar_run(datum)
                return build(res)
        else:
            def run(datum: Any) -> Any:
                try:
                    res = vm_run1([g(datum) for g in getters])
                except (TypeError, KeyError):
                    res = None
                if res is None or not current():
                    return scalar_run(datum)
                return build(res)
        return run


def _obj(values: list) -> np.ndarray:
    return np.fromiter(values, dtype=object, count=len(values))


def _codes(values: np.ndarray, codes: dict[str, int]) -> np.ndarray:
    """The vocabulary code of each value of an object column (0: not a word of the document,
    or not a string): one hash pass over the column, then one lookup per distinct value."""
    import pandas as pd

    if not len(values):
        return np.zeros(0)
    index, uniques = pd.factorize(np.asarray(values, dtype=object), use_na_sentinel=True)
    table = np.fromiter((codes.get(u, 0) if type(u) is str else 0 for u in uniques),
                        dtype=np.float64, count=len(uniques))
    return np.append(table, 0.0)[index]  # index -1 (missing) picks the appended 0


def _typed(a: np.ndarray, k: str) -> np.ndarray:
    if k == "i":
        return a.astype(np.int64)
    if k == "b":
        return a != 0.0
    return a


def _count(spec: OutSpec) -> int:
    if spec.what in ("num", "pick"):
        return spec.index + 1
    if spec.what == "arr":
        return max(spec.indexes, default=-1) + 1
    if spec.what == "rec" and spec.fields:
        return max(_count(s) for s in spec.fields.values())
    return 0


def _getter(slot: L.InputSlot) -> Any:
    name = slot.field
    if slot.vocab is not None:
        codes = slot.vocab.codes
        if name is None:
            return lambda d: codes.get(d, 0) if type(d) is str else 0
        return lambda d: codes.get(d[name], 0) if type(d[name]) is str else 0
    if slot.part == "null":
        if name is None:
            return lambda d: 1.0 if d is None else 0.0
        return lambda d: 1.0 if d[name] is None else 0.0
    if name is None:
        return lambda d: float("nan") if d is None else d
    return lambda d: float("nan") if d[name] is None else d[name]


def _builder(spec: OutSpec, t: AvroType) -> Any:
    """A function from the interpreter's output tuple to the engine value."""
    if spec.what == "num":
        i = spec.index
        if spec.kind == "i":
            return lambda res: int(res[i])
        if spec.kind == "b":
            return lambda res: res[i] != 0.0
        return lambda res: res[i]
    if spec.what == "arr":
        lo, hi = spec.indexes[0], spec.indexes[-1] + 1
        if spec.kind == "d" and list(spec.indexes) == list(range(lo, hi)):
            return lambda res: list(res[lo:hi])
        parts = [_builder(OutSpec("num", spec.kind, j), t) for j in spec.indexes]
        return lambda res: [p(res) for p in parts]
    if spec.what == "rec":
        assert isinstance(t, AvroRecord) and spec.fields is not None
        fields = [(f.name, _builder(spec.fields[f.name], f.type)) for f in t.fields]
        return lambda res: {name: b(res) for name, b in fields}
    if spec.what == "const":
        value = spec.value
        return lambda res: value
    options, i = spec.options, spec.index
    return lambda res: options[int(res[i])]


# =============================================================================================

def lower_target(target: Target, vm_type: Any) -> tuple[Any, list[L.InputSlot], OutSpec, int,
                                                          dict[str, Any]]:
    """Lower ``target``'s action; (checked program, input slots, output spec, size, cells)."""
    cells = {name: c.value for name, c in target.state.cells.items()}
    lw = L.Lowerer(target.typed, cells)
    prog, slots, value = lw.lower()
    spec = _out_spec(lw, value, target.output_type, "$.action")
    prune(prog)
    compact(prog)
    frozen = prog.freeze()
    vm = vm_type(frozen.code, frozen.itab, frozen.dtab, frozen.kinit, frozen.nregs,
                 len(slots), prog.outputs)
    return vm, slots, spec, prog.size, cells


def _out_spec(lw: L.Lowerer, v: L.Val, t: AvroType, path: str) -> OutSpec:
    p = lw.p
    k = L.kind_of(t)
    if v is L.BOTTOM:
        raise L.NotCompiled(path, "the action always raises")
    if isinstance(v, L.K):
        return OutSpec("const", value=v.value)
    if k is not None:
        r = lw.coerce(v, t, path)
        r = lw.num(r, path)
        return OutSpec("num", k, _store(p, r.r))
    if isinstance(t, AvroArray) and L.kind_of(t.items) is not None and isinstance(v, list):
        regs = [lw.num(lw.coerce(x, t.items, path), path) for x in v]
        if not regs:
            return OutSpec("const", value=[])
        return OutSpec("arr", L.kind_of(t.items) or "d",
                       indexes=tuple(_store(p, r.r) for r in regs))
    if isinstance(t, AvroRecord) and isinstance(v, dict):
        return OutSpec("rec", fields={f.name: _out_spec(lw, v[f.name], f.type, path)
                                      for f in t.fields})
    if isinstance(v, L.Pick):
        return OutSpec("pick", index=_store(p, v.idx.r), options=v.options)
    raise L.NotCompiled(path, f"an output of type {t} from this value")


def _store(p: Any, reg: int) -> int:
    at = p.outputs
    p.outputs += 1
    p.emit("STORE", at, reg)
    return at


def kind_name(t: AvroType) -> str:
    return kind(t)
