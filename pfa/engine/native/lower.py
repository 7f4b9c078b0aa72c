"""Lowering of a checked document's ``action`` to a register :class:`Program`.

Values at compile time are flattened: a number is a register (one double per row; ints and
booleans are exact in a double), a fixed-length array a list of values, a record a dict of
values, a cell's content a constant, a choice among constants by a row-dependent index a
:class:`Pick`. Both branches of an ``if`` run for every row and a select joins them (the
compiled subset has no side effects and no operation that raises); an ``error`` — or any
branch the native tier does not take — flags the rows that reach it, and those rows run on
the fallback back end, which gives their exact result or error. Anything else outside the
subset raises :class:`NotCompiled` with the document path and the reason.

The document supplies numbers only (node tables, coefficients, constants); every operation
is one of the interpreter's fixed opcodes, with the scalar engine's order of operations.
"""

from __future__ import annotations

import math
import struct
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pfa.avro.data import decode_json
from pfa.avro.types import AvroArray, AvroRecord, AvroType, AvroUnion
from pfa.document import ast as A
from pfa.errors import AvroDataError

from .program import (
    BEST_IEEE,
    BEST_INDEX,
    BEST_LEAST,
    CMP_AVRO,
    CMP_IEEE,
    NODE_INTS,
    NODE_TESTS,
    OPS,
    Program,
)

NUMERIC = {"double": "d", "float": "f", "int": "i", "long": "i", "boolean": "b"}
MAX_UNROLL = 20_000  # values one expression may flatten to
MAX_INLINE_DEPTH = 32


class NotCompiled(Exception):
    """The document (at ``path``) is outside the compiled subset, for ``reason``."""

    def __init__(self, path: str, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


@dataclass(frozen=True)
class Reg:
    """A number in every row: register ``r`` of kind ``k`` ("d", "f", "i", "b")."""

    r: int
    k: str


@dataclass(frozen=True)
class Opt:
    """A nullable number: ``null`` (1.0 where null) and ``value``."""

    null: Reg
    value: Reg


@dataclass(frozen=True)
class K:
    """A constant engine value."""

    value: Any


@dataclass(frozen=True)
class Pick:
    """``options[idx]`` where ``idx`` is an int register and the options are constants."""

    idx: Reg
    options: tuple[Any, ...]


class Vocab:
    """The strings a string input is compared with: word → code (1, 2, …; 0 is any other
    string). Codes are given while lowering and read by the input conversion."""

    def __init__(self) -> None:
        self.codes: dict[str, int] = {}

    def code(self, word: str) -> int:
        return self.codes.setdefault(word, len(self.codes) + 1)


@dataclass(frozen=True)
class Str:
    """A string in every row, as its code in ``vocab``."""

    code: Reg
    vocab: Vocab


@dataclass(frozen=True)
class SOpt:
    """A nullable string: ``null`` (1.0 where null) and ``value``."""

    null: Reg
    value: Str


class _Bottom:
    """The value of an expression that always raises (its rows are flagged)."""


BOTTOM = _Bottom()
Val = Any  # Reg | Opt | K | Pick | list | dict | BOTTOM


def kind_of(t: AvroType) -> str | None:
    return NUMERIC.get(getattr(t, "name", ""))


def _nullable_number(t: AvroType) -> str | None:
    if isinstance(t, AvroUnion) and len(t.types) == 2:
        names = [b.name for b in t.types]
        if "null" in names:
            other = t.types[1 - names.index("null")]
            return kind_of(other)
    return None


@dataclass
class InputSlot:
    """One input of the program: the record field (or None for a scalar input) and what of it
    ("value", "null", or "code": a string's code in ``vocab``)."""

    field: str | None
    part: str
    kind: str
    vocab: Vocab | None = None


class Lowerer:
    """Turns the typed ``action`` of a map document into a :class:`Program`."""

    def __init__(self, typed: Any, cells: dict[str, Any]):
        if sys.version_info >= (3, 12):
            # sum() of floats is compensated from 3.12 on: the scalar order is not a plain loop
            raise NotCompiled("$", "Python ≥ 3.12 sums floats with compensation (not lowered)")
        self.typed = typed
        self.cells = cells
        self.p = Program()
        self.guard: Reg | None = None
        self.inputs: list[InputSlot] = []
        self.depth = 0
        self.size = 0
        # computed values by (operation, operands): one scope per branch that may be skipped
        # or dropped (a value computed there is not there for the code after it)
        self.memo: list[dict[tuple, Reg]] = [{}]
        # register holding impute.isnan(x) → x's register
        self.isnan_of: dict[int, int] = {}
        self._writers: dict[int, list[tuple[str, int, int, int]]] = {}
        self._writers_at = 0
        self._constants: dict[int, float] = {}
        # register loaded from an input → the input's index
        self.loaded: dict[int, int] = {}
        # register of a one-value tree's result → (node table, leaf values, depth)
        self.tree_of: dict[int, tuple[list[int], list[float], int]] = {}

    # -- entry ------------------------------------------------------------------------------
    def lower(self) -> tuple[Program, list[InputSlot], Any]:
        doc = self.typed.doc
        if doc.method != "map":
            raise NotCompiled("$.method", f"method {doc.method} (only map documents)")
        if doc.pools:
            raise NotCompiled("$.pools", "pools")
        for node in A.walk(doc):
            if isinstance(node, (A.CellTo, A.PoolTo, A.PoolDel, A.SetVar, A.AttrTo)):
                raise NotCompiled(node.path, f"{type(node).__name__} (state or variables "
                                  "change)")
        env = {"input": self._input(self.typed.input_type)}
        out = self.block(doc.action, env, "$.action")
        return self.p, self.inputs, out

    def _input(self, t: AvroType) -> Val:
        if isinstance(t, AvroRecord):
            return {f.name: self._input_field(f.name, f.type) for f in t.fields}
        return self._input_field(None, t)

    def _input_field(self, name: str | None, t: AvroType) -> Val:
        where = "$.input" if name is None else f"$.input.{name}"
        k = kind_of(t)
        if k is not None:
            return self._load(name, "value", k)
        k = _nullable_number(t)
        if k is not None:
            return Opt(self._load(name, "null", "b"), self._load(name, "value", k))
        names = [b.name for b in t.types] if isinstance(t, AvroUnion) else [t.name]
        if sorted(names) in (["string"], ["null", "string"]):
            vocab = Vocab()
            value = Str(self._load(name, "code", "i", vocab), vocab)
            return SOpt(self._load(name, "null", "b"), value) if "null" in names else value
        raise NotCompiled(where, f"input of type {t}")

    def _load(self, name: str | None, part: str, k: str, vocab: Vocab | None = None) -> Reg:
        r = self.p.reg()
        self.loaded[r] = len(self.inputs)
        self.p.emit("LOAD", r, len(self.inputs))
        self.inputs.append(InputSlot(name, part, k, vocab))
        return Reg(r, k)

    # -- helpers ------------------------------------------------------------------------------
    def new(self, k: str) -> Reg:
        return Reg(self.p.reg(), k)

    def num(self, v: Val, path: str) -> Reg:
        """``v`` as a register (constants become constant registers)."""
        if isinstance(v, Reg):
            return v
        if isinstance(v, K) and isinstance(v.value, (bool, int, float)):
            value = v.value
            k = "b" if isinstance(value, bool) else ("i" if isinstance(value, int) else "d")
            if k == "i" and abs(value) > 2 ** 53:
                raise NotCompiled(path, "integer constant beyond 2^53")
            return Reg(self.p.const(float(value)), k)
        if isinstance(v, Pick) and all(isinstance(o, (int, float)) and not isinstance(o, bool)
                                      for o in v.options):
            out = self.new("d" if any(isinstance(o, float) for o in v.options) else "i")
            at = self.p.data(list(v.options))
            self.p.emit("GATHER", out.r, v.idx.r, at, len(v.options))
            return out
        raise NotCompiled(path, f"a number was expected, not {type(v).__name__}")

    def known(self, key: tuple) -> Reg | None:
        """The register already holding the value ``key`` describes, if any."""
        for scope in self.memo:
            hit = scope.get(key)
            if hit is not None:
                return hit
        return None

    def pure(self, key: tuple, k: str, emit: Callable[[int], None]) -> Reg:
        """The value ``key`` (an operation and its operands) in a register: computed once by
        ``emit(register)``, reused where it is known."""
        hit = self.known(key + (k,))
        if hit is not None:
            return hit
        out = self.new(k)
        emit(out.r)
        self.memo[-1][key + (k,)] = out
        return out

    def writer(self, r: int) -> tuple[str, int, int, int] | None:
        """(op, a, b, c) of the one instruction writing register ``r`` so far, else None
        (several writers, or none: an input or a constant)."""
        code = self.p.code
        for i in range(self._writers_at, len(code), 6):
            op = OPS[code[i] - 1]
            if op in ("STORE", "FLAG", "FLAGNF", "SKIP"):
                continue
            span = code[i + 3] if op == "TREE" else 1
            for d in range(code[i + 1], code[i + 1] + span):
                self._writers.setdefault(d, []).append((op, code[i + 2], code[i + 3],
                                                        code[i + 4]))
        self._writers_at = len(code)
        found = self._writers.get(r)
        return found[0] if found is not None and len(found) == 1 else None

    def constants(self) -> dict[int, float]:
        """Constant register → its value."""
        if len(self._constants) != len(self.p._consts):
            self._constants = {r: struct.unpack("<d", key)[0]
                               for key, r in self.p._consts.items()}
        return self._constants

    def op(self, name: str, k: str, *args: Reg, c: int = 0) -> Reg:
        regs = [a.r for a in args] + [0] * (2 - len(args))
        out = self.pure((name, regs[0], regs[1], c), k,
                        lambda r: self.p.emit(name, r, regs[0], regs[1], c))
        if name == "ISNAN":
            self.isnan_of[out.r] = regs[0]
        return out

    def listop(self, name: str, k: str, regs: list[Reg], c: int = 0) -> Reg:
        """``name`` (SUM, BEST) over a list of registers."""
        rs = [r.r for r in regs]
        return self.pure((name, tuple(rs), c), k,
                         lambda r: self.p.emit(name, r, self.p.ints(rs), len(rs), c))

    def cmp(self, o: str, a: Reg, b: Reg, ieee: bool = False) -> Reg:
        return self.op("CMP", "b", a, b, c=(CMP_IEEE if ieee else CMP_AVRO)[o])

    def select(self, c: Reg, a: Val, b: Val, path: str) -> Val:
        """``a`` where ``c`` else ``b``, element by element."""
        if a is BOTTOM:
            return b
        if b is BOTTOM:
            return a
        if isinstance(a, K) and isinstance(b, K) and _same(a.value, b.value):
            return a
        if isinstance(a, list) and isinstance(b, list):
            if len(a) != len(b):
                raise NotCompiled(path, "branches give arrays of different lengths")
            return [self.select(c, x, y, path) for x, y in zip(a, b)]
        if isinstance(a, dict) and isinstance(b, dict) and a.keys() == b.keys():
            return {f: self.select(c, a[f], b[f], path) for f in a}
        if isinstance(a, K) and isinstance(a.value, list) and isinstance(b, list):
            return self.select(c, [K(x) for x in a.value], b, path)
        if isinstance(b, K) and isinstance(b.value, list) and isinstance(a, list):
            return self.select(c, a, [K(x) for x in b.value], path)
        if isinstance(a, K) and isinstance(a.value, dict) and isinstance(b, dict):
            return self.select(c, {f: K(x) for f, x in a.value.items()}, b, path)
        if isinstance(b, K) and isinstance(b.value, dict) and isinstance(a, dict):
            return self.select(c, a, {f: K(x) for f, x in b.value.items()}, path)
        ra, rb = self.num(a, path), self.num(b, path)
        k = ra.k if ra.k == rb.k else "d"
        if ra.r == rb.r:
            return Reg(ra.r, k)
        x = self.isnan_of.get(c.r)
        if x is not None:  # `if (impute.isnan(x)) …`: one pass, no register for the test
            return self.pure(("SELNAN", x, ra.r, rb.r), k,
                             lambda r: self.p.emit("SELNAN", r, x, ra.r, rb.r))
        return self.pure(("SELECT", c.r, ra.r, rb.r), k,
                         lambda r: self.p.emit("SELECT", r, c.r, ra.r, rb.r))

    def flag(self, path: str) -> None:
        """The rows reaching this point run on the fallback."""
        self.p.emit("FLAG", 0, -1 if self.guard is None else self.guard.r)

    def guarded(self, c: Reg | None) -> Reg | None:
        if c is None:
            return self.guard
        if self.guard is None:
            return c
        return self.op("AND", "b", self.guard, c)

    def count(self, n: int, path: str) -> None:
        self.size += n
        if self.size > MAX_UNROLL * 20 or n > MAX_UNROLL:
            raise NotCompiled(path, "too large to unroll")

    # -- expressions ------------------------------------------------------------------------
    def block(self, body: list[A.Expr], env: dict[str, Val], path: str) -> Val:
        out: Val = K(None)
        env = dict(env)
        for e in body:
            if isinstance(e, A.Let):
                for name, v in e.values.items():
                    env[name] = self.expr(v, env)
                out = K(None)
            else:
                out = self.expr(e, env)
            if out is BOTTOM:
                return BOTTOM
        return out

    def expr(self, e: Any, env: dict[str, Val]) -> Val:
        method = getattr(self, "x_" + type(e).__name__, None)
        if method is None:
            raise NotCompiled(e.path, f"{type(e).__name__} is not lowered")
        return method(e, env)

    def x_Ref(self, e: A.Ref, env: dict[str, Val]) -> Val:
        if e.name not in env:
            raise NotCompiled(e.path, f"symbol {e.name}")
        return env[e.name]

    def x_LiteralNull(self, e: Any, env: Any) -> Val:
        return K(None)

    def x_LiteralBoolean(self, e: Any, env: Any) -> Val:
        return K(bool(e.value))

    def x_LiteralInt(self, e: Any, env: Any) -> Val:
        return K(int(e.value))

    x_LiteralLong = x_LiteralInt

    def x_LiteralFloat(self, e: Any, env: Any) -> Val:
        return K(float(e.value))

    x_LiteralDouble = x_LiteralFloat

    def x_LiteralString(self, e: Any, env: Any) -> Val:
        return K(e.value)

    def x_Literal(self, e: A.Literal, env: Any) -> Val:
        # {"type": T, "value": V}: V is in Avro's JSON encoding (tagged unions, bytes as text)
        try:
            return K(decode_json(e.avro_type.avro, e.value, e.path))
        except AvroDataError as err:
            raise NotCompiled(e.path, f"literal does not match its type: {err}") from None

    def x_Doc(self, e: Any, env: Any) -> Val:
        return K(None)

    def x_Do(self, e: A.Do, env: dict[str, Val]) -> Val:
        return self.block(e.body, env, e.path)

    def x_Let(self, e: A.Let, env: dict[str, Val]) -> Val:  # only inside block()
        raise NotCompiled(e.path, "let outside a block")

    def x_Error(self, e: A.Error, env: Any) -> Val:
        self.flag(e.path)
        return BOTTOM

    def x_NewArray(self, e: A.NewArray, env: dict[str, Val]) -> Val:
        t = e.avro_type.avro
        items = [self.coerce(self.expr(i, env), t.items, i.path) for i in e.items]
        self.count(len(items), e.path)
        return items

    def x_NewObject(self, e: A.NewObject, env: dict[str, Val]) -> Val:
        t = e.avro_type.avro
        if not isinstance(t, AvroRecord):
            raise NotCompiled(e.path, "new map")
        return {f.name: self.coerce(self.expr(e.fields[f.name], env), f.type, e.path)
                for f in t.fields}

    def coerce(self, v: Val, t: AvroType, path: str) -> Val:
        """``v`` promoted to ``t`` (an int to float is rounded to float32 once)."""
        k = kind_of(t)
        if isinstance(v, Reg) and k == "f" and v.k == "i":
            return self.op("F32", "f", v)
        if isinstance(v, Reg) and k == "d" and v.k == "i":
            return Reg(v.r, "d")
        if isinstance(v, K) and k in ("d", "f") and type(v.value) is int:
            return K(float(v.value)) if k == "d" else K(float(_f32(float(v.value))))
        if isinstance(v, list) and isinstance(t, AvroArray):
            return [self.coerce(x, t.items, path) for x in v]
        return v

    def branch(self, body: list[A.Expr] | None, guard: Reg | None, env: dict[str, Val],
               path: str) -> Val:
        """A branch run under ``guard``. One that may raise (it holds an ``error``) is lowered
        when all of it is in the subset (its ``error`` forms flag the rows reaching them);
        otherwise its rows are flagged for the fallback, which decides them exactly."""
        if body is None:
            return K(None)
        saved = self.guard
        self.guard = guard
        if not _raises(body):
            try:
                return self.block(body, env, path)
            finally:
                self.guard = saved
        self.memo.append({})
        try:
            mark, size = len(self.p.code), self.size
            try:
                if guard is None:
                    return self.block(body, env, path)
                # the branch's instructions are skipped in blocks where no row takes it
                self.p.emit("SKIP", 0, guard.r, 0)
                out = self.block(body, env, path)
                self.p.code[mark + 3] = (len(self.p.code) - mark) // 6 - 1
                return out
            except (NotCompiled, ValueError):  # drop what was emitted; flag the branch
                del self.p.code[mark:]
                self._writers, self._writers_at = {}, 0  # (writer() starts over)
                self.size = size
                self.flag(path)
                return BOTTOM
        finally:
            self.memo.pop()
            self.guard = saved

    def x_If(self, e: A.If, env: dict[str, Val]) -> Val:
        c = self.expr(e.predicate, env)
        if isinstance(c, K):
            body = e.then if c.value else e.else_
            return self.block(body, env, e.path) if body is not None else K(None)
        c = self.num(c, e.predicate.path)
        a = self.branch(e.then, self.guarded(c), env, e.path)
        if e.else_ is None:
            return K(None)
        b = self.branch(e.else_, self.guarded(self.op("NOT", "b", c)), env, e.path)
        return self.select(c, a, b, e.path)

    def x_Cond(self, e: A.Cond, env: dict[str, Val]) -> Val:
        # cond = if c1 then b1 else (if c2 then b2 else ... else_)
        def chain(i: int) -> A.Expr:
            if i == len(e.clauses):
                return A.Do(e.else_, path=e.path) if e.else_ is not None else A.LiteralNull(
                    path=e.path)
            cl = e.clauses[i]
            rest = chain(i + 1)
            return A.If(cl.predicate, cl.then, [rest] if (e.else_ is not None or
                                                          i + 1 < len(e.clauses)) else None,
                        path=cl.path)
        if e.else_ is None:  # a statement: the value is null, the clauses may flag rows
            outer = self.guard
            for cl in e.clauses:
                c = self.expr(cl.predicate, env)
                if isinstance(c, K):
                    if c.value:
                        self.branch(cl.then, self.guard, env, cl.path)
                        break
                    continue
                c = self.num(c, cl.predicate.path)
                self.branch(cl.then, self.guarded(c), env, cl.path)
                self.guard = self.guarded(self.op("NOT", "b", c))
            self.guard = outer
            return K(None)
        return self.x_If(chain(0), env)  # type: ignore[arg-type]

    def x_IfNotNull(self, e: A.IfNotNull, env: dict[str, Val]) -> Val:
        values = {name: self.expr(x, env) for name, x in e.symbols.items()}
        null: Reg | None = None
        inner = dict(env)
        for name, v in values.items():
            if isinstance(v, (Opt, SOpt)):
                null = v.null if null is None else self.op("OR", "b", null, v.null)
                inner[name] = v.value
            elif isinstance(v, K) and v.value is None:
                return self.block(e.else_, env, e.path) if e.else_ is not None else K(None)
            else:
                inner[name] = v
        if null is None:
            return self.block(e.then, inner, e.path)
        present = self.op("NOT", "b", null)
        a = self.branch(e.then, self.guarded(present), inner, e.path)
        if e.else_ is None:
            return K(None)
        b = self.branch(e.else_, self.guarded(null), env, e.path)
        return self.select(present, a, b, e.path)

    def x_AttrGet(self, e: A.AttrGet, env: dict[str, Val]) -> Val:
        v = self.expr(e.expr, env)
        for ix in e.indexes:
            v = self.index(v, self.expr(ix, env), ix.path)
        return v

    def x_CellGet(self, e: A.CellGet, env: dict[str, Val]) -> Val:
        if e.cell not in self.cells:
            raise NotCompiled(e.path, f"cell {e.cell}")
        v: Val = K(self.cells[e.cell])
        for ix in e.indexes:
            v = self.index(v, self.expr(ix, env), ix.path)
        return v

    def index(self, v: Val, i: Val, path: str) -> Val:
        if isinstance(i, K):
            key = i.value
            if isinstance(v, K):
                try:
                    if isinstance(v.value, list) and (
                            not isinstance(key, int) or not 0 <= key < len(v.value)):
                        raise IndexError
                    return K(v.value[key])
                except (IndexError, KeyError, TypeError):
                    self.flag(path)
                    return BOTTOM
            if isinstance(v, list):
                if not isinstance(key, int) or not 0 <= key < len(v):
                    self.flag(path)
                    return BOTTOM
                return v[key]
            if isinstance(v, dict) and key in v:
                return v[key]
            if isinstance(v, Pick):
                return Pick(v.idx, tuple(o[key] for o in v.options))
            raise NotCompiled(path, "index into this value")
        if isinstance(i, Str) and isinstance(v, K) and isinstance(v.value, dict):
            return map_get(self, v.value, i, path)
        if isinstance(i, Reg) and i.k == "i":
            if isinstance(v, K) and isinstance(v.value, list):
                return Pick(i, tuple(v.value))
            if isinstance(v, list):
                return self._dynamic(v, i, path)
        raise NotCompiled(path, "a row-dependent index into this value")

    def _dynamic(self, items: list, i: Reg, path: str) -> Val:
        """``items[i]`` by a chain of selects (out of range: flagged)."""
        if not items:
            self.flag(path)
            return BOTTOM
        lo = self.cmp("<", i, self.num(K(0), path))
        hi = self.cmp(">=", i, self.num(K(len(items)), path))
        self.p.emit("FLAG", 0, self.guarded(self.op("OR", "b", lo, hi)).r)
        out = items[-1]
        for j in range(len(items) - 2, -1, -1):
            out = self.select(self.cmp("==", i, self.num(K(j), path)), items[j], out, path)
        return out

    def x_Call(self, e: A.Call, env: dict[str, Val]) -> Val:
        if e.name.startswith("u."):
            fdef = self.typed.doc.fcns.get(e.name[2:])
            if fdef is None:
                raise NotCompiled(e.path, f"function {e.name}")
            args = [self.expr(a, env) for a in e.args]
            return self.inline(fdef, args, e.path)
        fn = LIBRARY.get(e.name)
        if fn is None:
            raise NotCompiled(e.path, f"library function {e.name} is not lowered")
        return fn(self, e, env)

    def args(self, e: A.Call, env: dict[str, Val]) -> list[Val]:
        out = []
        for a, t in zip(e.args, e.resolved.param_types):
            if isinstance(a, (A.FcnDef, A.FcnRef)):
                out.append(a)
            else:
                out.append(self.coerce(self.expr(a, env), t, a.path))
        return out

    def inline(self, fdef: A.FcnDef, args: list[Val], path: str,
               outer: dict[str, Val] | None = None) -> Val:
        """``fdef``'s body on ``args``; an inline function also sees the symbols of the
        scope it is written in (``outer``), a ``u.`` function none."""
        if self.depth >= MAX_INLINE_DEPTH:
            raise NotCompiled(path, "functions nested too deeply")
        self.depth += 1
        try:
            env = dict(outer or {})
            env.update({p.name: self.coerce(a, p.type.avro, path)
                        for p, a in zip(fdef.params, args)})
            return self.block(fdef.body, env, fdef.path)
        finally:
            self.depth -= 1

    def fcn(self, arg: Any, path: str, env: dict[str, Val]) -> Callable[[list[Val]], Val]:
        """A function argument as a compile-time function of its arguments' values."""
        if isinstance(arg, A.FcnDef):
            return lambda vals: self.inline(arg, vals, path, env)
        if isinstance(arg, A.FcnRef) and arg.name.startswith("u.") and not arg.fill:
            fdef = self.typed.doc.fcns.get(arg.name[2:])
            if fdef is not None:
                return lambda vals: self.inline(fdef, vals, path)
        raise NotCompiled(path, "function reference")


def _raises(body: list[A.Expr]) -> bool:
    """Whether a branch holds an ``error`` form (it may raise)."""
    return any(isinstance(n, A.Error) for e in body for n in A.walk(e))


def _same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and (a == b or (a != a and b != b))


def _f32(x: float) -> float:
    import struct
    try:
        return struct.unpack("<f", struct.pack("<f", x))[0]
    except OverflowError:
        return math.copysign(math.inf, x)


# =============================================================================================
# library functions
# =============================================================================================

Lower = Callable[[Lowerer, A.Call, dict], Val]
LIBRARY: dict[str, Lower] = {}


def lowers(*names: str) -> Callable[[Lower], Lower]:
    def register(fn: Lower) -> Lower:
        for name in names:
            LIBRARY[name] = fn
        return fn
    return register


def _items(L: Lowerer, v: Val, path: str) -> list[Val]:
    """The elements of a fixed-length array value."""
    if isinstance(v, list):
        return v
    if isinstance(v, K) and isinstance(v.value, list):
        L.count(len(v.value), path)
        return [K(x) for x in v.value]
    if isinstance(v, Pick) and v.options and all(
            isinstance(o, list) and len(o) == len(v.options[0]) for o in v.options):
        return [Pick(v.idx, tuple(o[j] for o in v.options)) for j in range(len(v.options[0]))]
    raise NotCompiled(path, "an array of unknown length")


def _word_table(L: Lowerer, s: Str, values: dict[str, float], absent: float) -> Reg:
    """``values[word]`` of each row's string (``absent`` for other strings), by code."""
    for word in values:
        s.vocab.code(word)
    table = [absent] * (max(s.vocab.codes.values(), default=0) + 1)
    for word, v in values.items():
        table[s.vocab.codes[word]] = v
    out = L.new("d")
    L.p.emit("GATHER", out.r, s.code.r, L.p.data(table), len(table), L.p.data([absent]))
    return out


def map_get(L: Lowerer, m: dict, key: Str, path: str) -> Val:
    """``m[key]`` of a constant map of numbers; a row whose key is absent raises (flagged)."""
    if not all(type(v) in (int, float) for v in m.values()):
        raise NotCompiled(path, "a map lookup of non-numbers")
    present = _word_table(L, key, {w: 1.0 for w in m}, 0.0)
    L.p.emit("FLAG", 0, L.guarded(L.op("NOT", "b", present)).r)
    k = "i" if all(type(v) is int for v in m.values()) else "d"
    return Reg(_word_table(L, key, {w: float(v) for w, v in m.items()}, 0.0).r, k)


@lowers("map.containsKey")
def _contains_key(L: Lowerer, e: A.Call, env: dict) -> Val:
    m, key = L.args(e, env)
    if not (isinstance(m, K) and isinstance(m.value, dict) and isinstance(key, Str)):
        raise NotCompiled(e.path, "map.containsKey of a row-dependent map or a non-string")
    return Reg(_word_table(L, key, {w: 1.0 for w in m.value}, 0.0).r, "b")


@lowers("a.flatten")
def _a_flatten(L: Lowerer, e: A.Call, env: dict) -> Val:
    (a,) = L.args(e, env)
    return [x for part in _items(L, a, e.path) for x in _items(L, part, e.path)]


def _ret_kind(e: A.Call) -> str | None:
    return kind_of(e.resolved.ret_type)


def _fix(L: Lowerer, r: Reg, e: A.Call) -> Reg:
    """The result brought to the return type (float: rounded to float32)."""
    k = _ret_kind(e)
    if k == "f":
        return L.op("F32", "f", r)
    return Reg(r.r, k or r.k)


@lowers("+", "-", "*", "/")
def _arith(L: Lowerer, e: A.Call, env: dict) -> Val:
    a, b = L.args(e, env)
    k = _ret_kind(e)
    if k not in ("d", "f"):
        raise NotCompiled(e.path, f"{e.name} on integers (overflow checks are not lowered)")
    ra, rb = L.num(a, e.path), L.num(b, e.path)
    if k == "d" and e.name in ("*", "+"):
        fused = _tree_arith(L, e.name, a, b, ra, rb)
        if fused is not None:
            return fused
    op = {"+": "ADD", "-": "SUB", "*": "MUL", "/": "DIV"}[e.name]
    return _fix(L, L.op(op, "d", ra, rb), e)


def _tree_arith(L: Lowerer, name: str, a: Val, b: Val, ra: Reg, rb: Reg) -> Reg | None:
    """A tree's result times a constant: the tree with its leaves multiplied (the same IEEE
    products, made while lowering); a tree's result plus a number: one TREEADD (a boosting
    ensemble's running sum without a register per tree). None: neither."""
    for tree, other, ro in ((ra, b, rb), (rb, a, ra)):
        known = L.tree_of.get(tree.r)
        if known is None:
            continue
        table, leaves, depth = known
        if name == "*":
            if not (isinstance(other, K) and type(other.value) in (int, float)):
                continue
            scale = float(other.value)
            scaled = [scale * x for x in leaves]
            out = L.p.reg()
            L.p.emit("TREE", out, L.p.ints(table), 1, L.p.data(scaled), depth)
            L.tree_of[out] = (table, scaled, depth)
            return Reg(out, "d")
        out = L.p.reg()
        L.p.emit("TREEADD", out, L.p.ints(table), ro.r, L.p.data(leaves), depth)
        return Reg(out, "d")
    return None


@lowers("u-")
def _neg(L: Lowerer, e: A.Call, env: dict) -> Val:
    (a,) = L.args(e, env)
    if _ret_kind(e) not in ("d", "f"):
        raise NotCompiled(e.path, "integer negation")
    return L.op("NEG", _ret_kind(e) or "d", L.num(a, e.path))


@lowers("<", "<=", ">", ">=", "==", "!=")
def _compare(L: Lowerer, e: A.Call, env: dict) -> Val:
    a, b = L.args(e, env)
    if not all(kind_of(t) for t in e.resolved.param_types):
        raise NotCompiled(e.path, f"{e.name} on {e.resolved.param_types[0]}")
    return L.cmp(e.name, L.num(a, e.path), L.num(b, e.path))


@lowers("min", "max")
def _minmax(L: Lowerer, e: A.Call, env: dict) -> Val:
    a, b = L.args(e, env)
    if not kind_of(e.resolved.ret_type):
        raise NotCompiled(e.path, f"{e.name} on {e.resolved.ret_type}")
    return L.op("MIN" if e.name == "min" else "MAX", _ret_kind(e) or "d",
                L.num(a, e.path), L.num(b, e.path))


@lowers("&&", "||", "^^")
def _logic(L: Lowerer, e: A.Call, env: dict) -> Val:
    a, b = L.args(e, env)
    op = {"&&": "AND", "||": "OR", "^^": "XOR"}[e.name]
    return L.op(op, "b", L.num(a, e.path), L.num(b, e.path))


@lowers("!")
def _not(L: Lowerer, e: A.Call, env: dict) -> Val:
    (a,) = L.args(e, env)
    return L.op("NOT", "b", L.num(a, e.path))


@lowers("impute.isnan", "impute.isinf", "impute.isnum")
def _tests(L: Lowerer, e: A.Call, env: dict) -> Val:
    (a,) = L.args(e, env)
    r = L.num(a, e.path)
    if r.k in ("i", "b"):
        return K(e.name == "impute.isnum")
    return L.op({"impute.isnan": "ISNAN", "impute.isinf": "ISINF",
                 "impute.isnum": "ISNUM"}[e.name], "b", r)


@lowers("impute.defaultOnNull")
def _default_on_null(L: Lowerer, e: A.Call, env: dict) -> Val:
    a, b = L.args(e, env)
    if isinstance(a, Opt):
        b = L.coerce(b, e.resolved.ret_type, e.path)
        vi, ni = L.loaded.get(a.value.r), L.loaded.get(a.null.r)
        if vi is not None and ni is not None and (isinstance(b, Reg) or (
                isinstance(b, K) and type(b.value) in (int, float))):
            # an input read with its default in one pass
            rb = L.num(b, e.path)
            return L.pure(("LOADNULL", vi, ni, rb.r), a.value.k if a.value.k == rb.k else "d",
                          lambda r: L.p.emit("LOADNULL", r, vi, ni, rb.r))
        return L.select(a.null, b, a.value, e.path)
    if isinstance(a, K):
        return b if a.value is None else a
    raise NotCompiled(e.path, "impute.defaultOnNull of this value")


@lowers("impute.errorOnNull")
def _error_on_null(L: Lowerer, e: A.Call, env: dict) -> Val:
    (a,) = L.args(e, env)
    if isinstance(a, Opt):
        L.p.emit("FLAG", 0, L.guarded(a.null).r)
        return a.value
    raise NotCompiled(e.path, "impute.errorOnNull of this value")


@lowers("cast.float")
def _cast_float(L: Lowerer, e: A.Call, env: dict) -> Val:
    (a,) = L.args(e, env)
    if isinstance(a, K) and isinstance(a.value, (int, float)):
        return K(_f32(float(a.value)))
    return L.op("F32", "f", L.num(a, e.path))


@lowers("cast.double")
def _cast_double(L: Lowerer, e: A.Call, env: dict) -> Val:
    (a,) = L.args(e, env)
    if isinstance(a, K):
        return K(float(a.value))
    return Reg(L.num(a, e.path).r, "d")


def _sum(L: Lowerer, regs: list[Reg]) -> Reg:
    return L.listop("SUM", "d", regs)


def _best(L: Lowerer, regs: list[Reg], mode: int, k: str) -> Reg:
    """The greatest / least of ``regs`` or its index (``mode``: BEST_* flags), as the scalar
    loop finds it: the first, replaced by each later one that compares better."""
    if mode & BEST_INDEX:
        k = "i"
    if len(regs) == 1:
        return L.num(K(0), "") if mode & BEST_INDEX else regs[0]
    return L.listop("BEST", k, regs, mode)


@lowers("a.sum", "a.mean")
def _a_sum(L: Lowerer, e: A.Call, env: dict) -> Val:
    (a,) = L.args(e, env)
    k = kind_of(e.resolved.param_types[0].items)
    if k not in ("d",) or (e.name == "a.sum" and _ret_kind(e) != "d"):
        raise NotCompiled(e.path, f"{e.name} of {e.resolved.param_types[0]}")
    regs = [L.num(x, e.path) for x in _items(L, a, e.path)]
    s = _sum(L, regs)
    if e.name == "a.mean":
        if not regs:
            return K(math.nan)
        return L.op("DIV", "d", s, L.num(K(float(len(regs))), e.path))
    return s


@lowers("a.max", "a.min", "a.argmax", "a.argmin")
def _a_best(L: Lowerer, e: A.Call, env: dict) -> Val:
    (a,) = L.args(e, env)
    items = [L.num(x, e.path) for x in _items(L, a, e.path)]
    if not items or not kind_of(e.resolved.param_types[0].items):
        raise NotCompiled(e.path, f"{e.name} of an empty or non-numeric array")
    mode = (BEST_LEAST if e.name in ("a.min", "a.argmin") else 0) | (
        BEST_INDEX if "arg" in e.name else 0)
    kinds = {x.k for x in items}
    return _best(L, items, mode, kinds.pop() if len(kinds) == 1 else "d")


@lowers("a.map")
def _a_map(L: Lowerer, e: A.Call, env: dict) -> Val:
    a, f = L.args(e, env)
    fn = L.fcn(f, e.path, env)
    items = _items(L, a, e.path)
    L.count(len(items), e.path)
    return [fn([x]) for x in items]


@lowers("a.zipmap")
def _a_zipmap(L: Lowerer, e: A.Call, env: dict) -> Val:
    *arrays, f = L.args(e, env)
    fn = L.fcn(f, e.path, env)
    cols = [_items(L, x, e.path) for x in arrays]
    if len({len(c) for c in cols}) != 1:
        L.flag(e.path)
        return BOTTOM
    return [fn(list(row)) for row in zip(*cols)]


@lowers("a.reduce")
def _a_reduce(L: Lowerer, e: A.Call, env: dict) -> Val:
    a, f = L.args(e, env)
    fn = L.fcn(f, e.path, env)
    items = _items(L, a, e.path)
    if not items:
        L.flag(e.path)
        return BOTTOM
    tally = items[0]
    for x in items[1:]:
        tally = fn([tally, x])
    return tally


@lowers("a.fold")
def _a_fold(L: Lowerer, e: A.Call, env: dict) -> Val:
    a, zero, f = L.args(e, env)
    fn = L.fcn(f, e.path, env)
    tally = zero
    for x in _items(L, a, e.path):
        tally = fn([tally, x])
    return tally


@lowers("a.any", "a.all")
def _a_any(L: Lowerer, e: A.Call, env: dict) -> Val:
    a, f = L.args(e, env)
    fn = L.fcn(f, e.path, env)
    out: Val = K(e.name == "a.all")
    for x in _items(L, a, e.path):
        v = fn([x])
        if isinstance(v, K) and isinstance(out, K):
            out = K(bool(out.value or v.value) if e.name == "a.any" else
                    bool(out.value and v.value))
            continue
        out = L.op("OR" if e.name == "a.any" else "AND", "b", L.num(out, e.path),
                   L.num(v, e.path))
    return out


@lowers("la.add", "la.sub")
def _la_add(L: Lowerer, e: A.Call, env: dict) -> Val:
    a, b = L.args(e, env)
    xs, ys = _items(L, a, e.path), _items(L, b, e.path)
    if any(isinstance(x, (list, K)) and isinstance(getattr(x, "value", x), list) for x in xs):
        raise NotCompiled(e.path, f"{e.name} of matrices")
    if len(xs) != len(ys):
        L.flag(e.path)
        return BOTTOM
    op = "ADD" if e.name == "la.add" else "SUB"
    return [L.op(op, "d", L.num(x, e.path), L.num(y, e.path)) for x, y in zip(xs, ys)]


def _linear(L: Lowerer, coef: list[float], xs: list[Reg], bias: float | None) -> Reg:
    out = L.new("d")
    L.p.emit("LINEAR", out.r, L.p.ints([x.r for x in xs]), len(xs), L.p.data(coef),
             -1 if bias is None else L.p.data([bias]))
    return out


def _vector(L: Lowerer, v: Val, path: str) -> list[Reg]:
    return [L.num(x, path) for x in _items(L, v, path)]


def _const_vector(v: Val) -> list[float] | None:
    if isinstance(v, K) and isinstance(v.value, list) and all(
            type(x) is float for x in v.value):
        return v.value
    return None


@lowers("model.reg.linear")
def _reg_linear(L: Lowerer, e: A.Call, env: dict) -> Val:
    x, model = L.args(e, env)
    if not isinstance(model, K) or not isinstance(model.value, dict):
        raise NotCompiled(e.path, "a model that is not constant")
    xs = _vector(L, x, e.path)
    coeff, const = model.value.get("coeff"), model.value.get("const")
    if isinstance(coeff, list) and coeff and all(isinstance(r, list) for r in coeff):
        if not isinstance(const, list) or len(const) != len(coeff) or any(
                len(r) != len(xs) for r in coeff):
            L.flag(e.path)
            return BOTTOM
        return [_linear(L, [float(c) for c in row], xs, float(b)) for row, b in
                zip(coeff, const)]
    if isinstance(coeff, list) and isinstance(const, (int, float)):
        if len(coeff) != len(xs):
            L.flag(e.path)
            return BOTTOM
        return _linear(L, [float(c) for c in coeff], xs, float(const))
    raise NotCompiled(e.path, "model.reg.linear with this model shape")


@lowers("la.dot")
def _la_dot(L: Lowerer, e: A.Call, env: dict) -> Val:
    m, x = L.args(e, env)
    if not (isinstance(m, K) and isinstance(m.value, list) and m.value and
            all(isinstance(r, list) for r in m.value)) or isinstance(
            e.resolved.ret_type.items, AvroArray):
        raise NotCompiled(e.path, "la.dot of a non-constant matrix or two matrices")
    xs = _vector(L, x, e.path)
    if not xs or not m.value[0] or any(len(r) != len(xs) for r in m.value):
        L.flag(e.path)
        return BOTTOM
    out = [_linear(L, [float(c) for c in row], xs, None) for row in m.value]
    for r in out:  # a non-finite result: the scalar engine decides (error 24052 or not)
        L.p.emit("FLAGNF", 0, r.r, -1 if L.guard is None else L.guard.r)
    return out


@lowers("m.kernel.linear")
def _kernel_linear(L: Lowerer, e: A.Call, env: dict) -> Val:
    a, b = L.args(e, env)
    ca, cb = _const_vector(a), _const_vector(b)
    if ca is None and cb is None:
        raise NotCompiled(e.path, "m.kernel.linear of two row-dependent vectors")
    coef, other = (ca, b) if ca is not None else (cb, a)
    xs = _vector(L, other, e.path)
    if len(coef) != len(xs):
        L.flag(e.path)
        return BOTTOM
    # sum(map(mul, x, y), 0.0): the products in order, IEEE multiplication commutes
    return _linear(L, coef, xs, None)


@lowers("m.link.softmax")
def _softmax(L: Lowerer, e: A.Call, env: dict) -> Val:
    (a,) = L.args(e, env)
    if not isinstance(e.resolved.param_types[0], AvroArray):
        raise NotCompiled(e.path, "m.link.softmax of a map")
    if not EXP_EXACT:
        raise NotCompiled(e.path, "libm's exp differs from numpy's here")
    xs = _vector(L, a, e.path)
    if not xs:
        L.flag(e.path)
        return BOTTOM
    top = _best(L, xs, BEST_IEEE, "d")  # Python's max(): the first, replaced by any x > top
    bad = L.op("OR", "b", L.op("ISINF", "b", top), L.op("ISNAN", "b", top))
    top = L.select(bad, K(0.0), top, e.path)
    terms = [L.op("EXP", "d", L.op("SUB", "d", x, top)) for x in xs]
    total = _sum(L, terms)
    zero = L.cmp("==", total, L.num(K(0.0), e.path), ieee=True)
    nan = L.num(K(math.nan), e.path)
    return [L.select(zero, nan, L.op("DIV", "d", t, total), e.path) for t in terms]


@lowers("m.link.logit")
def _logit(L: Lowerer, e: A.Call, env: dict) -> Val:
    (a,) = L.args(e, env)
    if not EXP_EXACT:
        raise NotCompiled(e.path, "libm's exp differs from numpy's here")
    one = L.num(K(1.0), e.path)

    def f(x: Val) -> Reg:
        ex = L.op("EXP", "d", L.op("NEG", "d", L.num(x, e.path)))
        return L.op("DIV", "d", one, L.op("ADD", "d", one, ex))
    if isinstance(e.resolved.param_types[0], AvroArray):
        return [f(x) for x in _items(L, a, e.path)]
    if kind_of(e.resolved.param_types[0]) is None:
        raise NotCompiled(e.path, "m.link.logit of a map")
    return f(a)


@lowers("model.cluster.closest")
def _closest(L: Lowerer, e: A.Call, env: dict) -> Val:
    args = L.args(e, env)
    x, clusters = args[0], args[1]
    if not isinstance(clusters, K) or not isinstance(clusters.value, list) or \
            not clusters.value:
        raise NotCompiled(e.path, "clusters that are not constant")
    xs = _vector(L, x, e.path)
    if len(args) == 3:
        fn = L.fcn(args[2], e.path, env)
        dist = [L.num(fn([xs, K(c["center"])]), e.path) for c in clusters.value]
        idx = _best(L, dist, BEST_LEAST | BEST_INDEX | BEST_IEEE, "d")  # `d < low`
        return Pick(idx, tuple(clusters.value))
    # the default metric is math.dist; its ordering equals that of the squared distances
    # except in near-ties, which go to the fallback
    centers = [c["center"] for c in clusters.value]
    if not all(isinstance(c, list) and len(c) == len(xs) for c in centers):
        raise NotCompiled(e.path, "centers of another length than the datum")
    dist = []
    for c in centers:
        out = L.new("d")
        L.p.emit("SQDIST", out.r, L.p.ints([r.r for r in xs]), len(xs), L.p.data(c))
        dist.append(out)
    best = _best(L, dist, BEST_LEAST | BEST_IEEE, "d")
    idx = _best(L, dist, BEST_LEAST | BEST_INDEX | BEST_IEEE, "d")
    # math.dist and the squared sums order the centers alike but for near-ties: a row with
    # a second distance within the rounding margin of the best, or a non-finite best,
    # runs on the fallback
    margin = L.num(K(1.0 + 8.0 * (len(xs) + 4) * 2.0 ** -52), e.path)
    tiny = L.num(K(1e-300), e.path)
    bound = L.op("ADD", "d", L.op("MUL", "d", best, margin), tiny)
    near = _sum(L, [L.cmp("<=", d, bound, ieee=True) for d in dist])
    L.p.emit("FLAG", 0, L.guarded(L.cmp(">", near, L.num(K(1.0), e.path), ieee=True)).r)
    L.p.emit("FLAGNF", 0, best.r, -1 if L.guard is None else L.guard.r)
    return Pick(Reg(idx.r, "i"), tuple(clusters.value))


@lowers("model.tree.simpleTree")
def _simple_tree(L: Lowerer, e: A.Call, env: dict) -> Val:
    datum, tree = L.args(e, env)
    return _tree(L, e, datum, tree)


@lowers("model.tree.simpleWalk")
def _simple_walk(L: Lowerer, e: A.Call, env: dict) -> Val:
    datum, tree, test = L.args(e, env)
    if not (isinstance(test, A.FcnDef) and len(test.body) == 1 and len(test.params) == 2
            and isinstance(test.body[0], A.Call)
            and test.body[0].name == "model.tree.simpleTest"
            and [getattr(a, "name", None) for a in test.body[0].args]
            == [p.name for p in test.params]):
        raise NotCompiled(e.path, "model.tree.simpleWalk with another test than simpleTest")
    return _tree(L, e, datum, tree)


def _nan_routed(L: Lowerer, r: int, op: str, thr: float) -> tuple[int, int]:
    """(register, NaN passes) of a ``<``/``<=`` node on register ``r``: when ``r`` is only a
    NaN substitute of another register x — ``if (impute.isnan(x)) A else x`` or ``… else
    min(x, M)`` with constant A and M > thr, what exporters write to route missing values —
    the node tests x itself, and a NaN passes when A does. Its result is the same in every
    row, and the substitute registers are no longer computed (pruned)."""
    writer = L.writer(r)
    if writer is None or writer[0] != "SELNAN":
        return r, 0
    _, x, a, b = writer
    consts = L.constants()
    if a not in consts:
        return r, 0
    if b != x:
        inner = L.writer(b)
        if inner is None or inner[0] != "MIN" or x not in inner[1:3]:
            return r, 0
        bound = inner[2] if inner[1] == x else inner[1]
        if bound not in consts or not thr < consts[bound]:
            return r, 0
    nan_value = consts[a]
    passes = nan_value < thr if op == "<" else nan_value <= thr
    return x, int(passes)


def _tree(L: Lowerer, e: A.Call, datum: Val, tree: Val) -> Val:
    if not isinstance(tree, K) or not isinstance(tree.value, dict):
        raise NotCompiled(e.path, "a tree that is not constant")
    if not isinstance(datum, dict) or not all(isinstance(v, (Reg, K)) for v in datum.values()):
        raise NotCompiled(e.path, "a datum whose fields are not numbers")
    tree_t = e.resolved.param_types[1]
    names = set(tree_t.field_names) if isinstance(tree_t, AvroRecord) else set()
    value_t = tree_t.field("value").type if isinstance(tree_t, AvroRecord) else None
    if "missing" in names or value_t is None:
        raise NotCompiled(e.path, "tree nodes with a missing branch")
    regs = {f: L.num(v, e.path) for f, v in datum.items()}
    nodes: list[list[int]] = []
    leaves: list[Any] = []
    width: list[int] = []
    dtab = L.p.dtab

    def is_node(v: Any) -> bool:
        return type(v) is dict and v.keys() == names

    def leaf(v: Any) -> int:
        vals = v if isinstance(v, list) else [v]
        if not all(type(x) in (int, float) for x in vals) or (
                width and width[0] != len(vals)) or (isinstance(v, list) != (
                    bool(leaves) and isinstance(leaves[0], list)) and leaves):
            raise NotCompiled(e.path, "leaves that are not numbers of one shape")
        if not width:
            width.append(len(vals))
        leaves.append(v)
        return -len(leaves)

    # preorder numbering: children after their parent (the interpreter checks it)
    stack: list[tuple[dict, int, int, int]] = [(tree.value, -1, 0, 1)]
    depth = 0
    while stack:
        node, parent, slot, level = stack.pop()
        depth = max(depth, level)
        at = len(nodes)
        if parent >= 0:
            nodes[parent][slot] = at
        op = node.get("operator")
        field = node.get("field")
        if op not in NODE_TESTS or field not in regs:
            raise NotCompiled(e.path, f"tree test {op!r} on field {field!r}")
        v = node.get("value")
        if op in ("in", "notIn"):
            if not isinstance(v, list) or not all(type(x) in (int, float) and x == x
                                                  for x in v):
                raise NotCompiled(e.path, "a set split on non-numbers")
            k, n = len(dtab), len(v)
            L.p.data(v or [0.0])
        elif op in ("alwaysTrue", "alwaysFalse"):
            k, n = L.p.data([0.0]), 0
        else:
            if type(v) not in (int, float):
                raise NotCompiled(e.path, "a comparison with a non-number")
            k, n = L.p.data([v]), 0
        reg, nanpass = regs[field].r, 0
        if op in ("<", "<=") and type(v) in (int, float) and v == v:
            reg, nanpass = _nan_routed(L, reg, op, float(v))
        rec = [reg, NODE_TESTS[op], 0, 0, k, n, nanpass]
        nodes.append(rec)
        for slot_i, key in ((3, "fail"), (2, "pass")):
            branch = node[key]
            if is_node(branch):
                stack.append((branch, at, slot_i, level + 1))
            else:
                rec[slot_i] = leaf(branch)
        if len(nodes) > 1_000_000:
            raise NotCompiled(e.path, "tree too large")
    # the pass/fail children were pushed fail first: pass is numbered first (preorder)
    w = width[0]
    flat: list[float] = []
    for v in leaves:
        flat.extend(v if isinstance(v, list) else [v])
    leaf_at = L.p.data(flat)
    ints = [len(nodes)] + [x for rec in nodes for x in rec]
    out = L.p.reg(w)
    L.p.emit("TREE", out, L.p.ints(ints), w, leaf_at, depth)
    k = "d" if any(type(x) is float for x in flat) else "i"
    regs_out = [Reg(out + j, k) for j in range(w)]
    if w == 1:  # (each instruction gets its own copy of the table: compact rewrites it)
        L.tree_of[out] = (ints, [float(x) for x in flat], depth)
    return regs_out if isinstance(leaves[0], list) else regs_out[0]


assert NODE_INTS == 7
EXP_EXACT = False  # set by the package when libm's exp equals numpy's on this machine
