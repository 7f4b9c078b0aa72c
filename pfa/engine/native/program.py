"""The register program the native interpreter (``_vm.c``) runs: instructions, an int table
and a double table, built by :mod:`pfa.engine.native.lower`. Opcode numbers are the ``enum``
of ``_vm.c`` (one declaration there, mirrored here by position)."""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

import numpy as np

OPS = ["LOAD", "STORE", "MOV", "ADD", "SUB", "MUL", "DIV", "NEG", "MIN", "MAX", "CMP", "AND", "OR", "XOR", "NOT", "ISNAN", "ISINF", "ISNUM", "SELECT", "F32", "EXP", "FLAG", "TREE", "GATHER", "LINEAR", "SUM", "FLAGNF", "SQDIST", "LOG", "SQRT", "ABS", "SKIP",
       "BEST", "TREEADD", "LOADNULL", "SELNAN"]
OP = {name: i + 1 for i, name in enumerate(OPS)}

#: OP_CMP kinds: Avro order (NaN equal to NaN, above every number) and IEEE
CMP_AVRO = {"<": 0, "<=": 1, ">": 2, ">=": 3, "==": 4, "!=": 5}
CMP_IEEE = {"<": 8, "<=": 9, ">": 10, ">=": 11, "==": 12, "!=": 13}
#: OP_BEST modes (field c), or-ed: the least (else the greatest), its index (else its value),
#: IEEE comparisons (else Avro order)
BEST_LEAST, BEST_INDEX, BEST_IEEE = 1, 2, 4
#: tree node test kinds
NODE_TESTS = {"<": 0, "<=": 1, ">": 2, ">=": 3, "==": 4, "!=": 5, "alwaysTrue": 6,
              "alwaysFalse": 7, "in": 8, "notIn": 9}
NODE_INTS = 7


@dataclass
class Program:
    """A program being built: ``code`` (6 ints per instruction), ``itab``, ``dtab``, the
    constant registers (``kinit``: register, dtab index pairs) and the register count."""

    code: list[int] = field(default_factory=list)
    itab: list[int] = field(default_factory=list)
    dtab: list[float] = field(default_factory=list)
    kinit: list[int] = field(default_factory=list)
    nregs: int = 0
    inputs: int = 0
    outputs: int = 0
    _consts: dict[bytes, int] = field(default_factory=dict)

    def reg(self, count: int = 1) -> int:
        """``count`` fresh consecutive registers (the first one)."""
        r = self.nregs
        self.nregs += count
        return r

    def const(self, value: float) -> int:
        """A register holding ``value`` in every row (one per distinct bit pattern)."""
        key = struct.pack("<d", value)
        r = self._consts.get(key)
        if r is None:
            r = self._consts[key] = self.reg()
            self.kinit += [r, self.data([value])]
        return r

    def data(self, values: list[float]) -> int:
        """Append ``values`` to the double table; their offset."""
        at = len(self.dtab)
        self.dtab.extend(float(v) for v in values)
        return at

    def ints(self, values: list[int]) -> int:
        at = len(self.itab)
        self.itab.extend(int(v) for v in values)
        return at

    def emit(self, op: str, d: int = 0, a: int = 0, b: int = 0, c: int = 0, e: int = 0) -> None:
        self.code += [OP[op], d, a, b, c, e]

    @property
    def size(self) -> int:
        return len(self.code) // 6

    def freeze(self) -> Frozen:
        return Frozen(np.asarray(self.code, dtype=np.int32),
                      np.asarray(self.itab or [0], dtype=np.int32),
                      np.asarray(self.dtab or [0.0], dtype=np.float64),
                      np.asarray(self.kinit or [], dtype=np.int32), max(self.nregs, 1))


@dataclass(frozen=True)
class Frozen:
    """The arrays handed to the interpreter."""

    code: np.ndarray
    itab: np.ndarray
    dtab: np.ndarray
    kinit: np.ndarray
    nregs: int


_UNARY = {OP[n] for n in ["MOV", "NEG", "NOT", "ISNAN", "ISINF", "ISNUM", "F32", "EXP", "LOG", "SQRT", "ABS", "GATHER"]}
_BINARY = {OP[n] for n in ["ADD", "SUB", "MUL", "DIV", "MIN", "MAX", "CMP", "AND", "OR", "XOR"]}
_LISTS = {OP[n] for n in ["LINEAR", "SUM", "SQDIST", "BEST"]}


def _reads(ins: list[int], itab: list[int]) -> list[tuple[str, int]]:
    """Where instruction ``ins`` reads registers: ("f", field index) or ("t", itab index)."""
    op, d, a, b, c, e = ins
    if op in _UNARY or op == OP["STORE"]:
        return [("f", 2)]
    if op in _BINARY:
        return [("f", 2), ("f", 3)]
    if op in (OP["SELECT"], OP["SELNAN"]):
        return [("f", 2), ("f", 3), ("f", 4)]
    if op == OP["FLAG"]:
        return [("f", 2)] if a >= 0 else []
    if op == OP["SKIP"]:
        return [("f", 2)]
    if op == OP["LOADNULL"]:
        return [("f", 4)]
    if op == OP["FLAGNF"]:
        return [("f", 2)] + ([("f", 3)] if b >= 0 else [])
    if op in _LISTS:
        return [("t", a + t) for t in range(b)]
    if op == OP["TREE"]:
        return [("t", a + 1 + 7 * k) for k in range(itab[a])]
    if op == OP["TREEADD"]:
        return [("t", a + 1 + 7 * k) for k in range(itab[a])] + [("f", 3)]
    return []


def _writes(ins: list[int]) -> range:
    op, d, a, b = ins[:4]
    if op in (OP["STORE"], OP["FLAG"], OP["FLAGNF"], OP["SKIP"]):
        return range(0)
    if op == OP["TREE"]:
        return range(d, d + b)
    return range(d, d + 1)


def _effect(ins: list[int]) -> bool:
    """Whether an instruction does more than write its registers (outputs, flags, skips)."""
    op = ins[0]
    return op in (OP["STORE"], OP["FLAG"], OP["FLAGNF"]) or (op == OP["GATHER"] and ins[5] < 0)


def prune(p: Program) -> None:
    """Drop the instructions whose results nothing reads (the index of an ``a.max``, the
    negated guard of a branch that needs none …) and the skips left with nothing to skip."""
    code = [p.code[i:i + 6] for i in range(0, len(p.code), 6)]
    n = len(code)
    keep = [False] * n
    live: set[int] = set()
    for j in range(n - 1, -1, -1):
        ins = code[j]
        if ins[0] == OP["SKIP"]:
            needed = any(keep[j + 1:j + 1 + ins[3]])
        else:
            needed = _effect(ins) or any(r in live for r in _writes(ins))
        if needed:
            keep[j] = True
            for where, at in _reads(ins, p.itab):
                live.add(ins[at] if where == "f" else p.itab[at])
    for j, ins in enumerate(code):
        if keep[j] and ins[0] == OP["SKIP"]:
            ins[3] = sum(keep[j + 1:j + 1 + ins[3]])
    p.code = [x for j, ins in enumerate(code) if keep[j] for x in ins]


def compact(p: Program) -> None:
    """Reuse registers once their last reader has run (the register file of a block then
    stays in cache): rewrites ``p.code``, the register lists in ``p.itab`` and ``kinit``."""
    code = [p.code[i:i + 6] for i in range(0, len(p.code), 6)]
    itab = p.itab
    last: dict[int, int] = {}
    for j, ins in enumerate(code):
        for where, at in _reads(ins, itab):
            r = ins[at] if where == "f" else itab[at]
            last[r] = j
    pinned = {p.kinit[k]: k // 2 for k in range(0, len(p.kinit), 2)}
    dies_at: dict[int, list[int]] = {}  # instruction → the registers it reads last
    for r, lj in last.items():
        if r not in pinned:
            dies_at.setdefault(lj, []).append(r)
    new: dict[int, int] = dict(pinned)
    top = len(pinned)
    free: list[int] = []
    for j, ins in enumerate(code):
        reads = _reads(ins, itab)
        for where, at in reads:
            r = ins[at] if where == "f" else itab[at]
            if where == "f":
                ins[at] = new[r]
            else:
                itab[at] = new[r]
        dying = dies_at.get(j, ())
        outs = _writes(ins)
        if len(outs):
            if len(outs) == 1:
                if free:
                    slot = free.pop()
                else:
                    slot, top = top, top + 1
            else:
                slot = _run_of(free, len(outs))
                if slot is None:
                    slot, top = top, top + len(outs)
            for k, r in enumerate(outs):
                new[r] = slot + k
            ins[1] = slot
        # the registers read here for the last time, and results nobody reads, are free
        for r in dying:
            if r in new and r not in outs:
                free.append(new[r])
        for r in outs:
            if r not in last or last[r] <= j:
                free.append(new[r])
    p.code = [x for ins in code for x in ins]
    p.kinit = [x for k in range(0, len(p.kinit), 2) for x in (pinned[p.kinit[k]],
                                                              p.kinit[k + 1])]
    p.nregs = max(top, 1)


def _run_of(free: list[int], size: int) -> int | None:
    """Take ``size`` consecutive registers from ``free`` (the first one), or None."""
    regs = sorted(free)
    for k in range(len(regs) - size + 1):
        if regs[k + size - 1] - regs[k] == size - 1:
            taken = set(regs[k:k + size])
            free[:] = [r for r in free if r not in taken]
            return regs[k]
    return None
