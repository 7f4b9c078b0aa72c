"""The vector back end: compile a typed ``map`` document into kernels over columns.

Every expression becomes a kernel ``k(env) -> column`` (see :mod:`pfa.runtime.columns`) that
computes the expression for all rows of a batch at once. An :class:`Env` holds the columns
of the local symbols (slots are laid out by :class:`~pfa.engine.scopes.FnScope`), the
rows it covers and the runtime errors of its rows:

* a branch (``if``, ``cond``, ``ifnotnull``, the right side of ``&&``/``||``) runs in a
  sub-environment holding only the rows that take it, so a branch's errors fire only for them;
  symbols set inside the branch are scattered back when it closes;
* an inline function (``a.map``, ``a.fold`` …) runs once per array position over all rows;
* a runtime error is recorded per row (the first one of a row wins, which is the one the
  scalar engine raises because kernels run in the scalar evaluation order); a failed row keeps
  flowing through the kernels with meaningless values that are never reported.

Library calls are found in the library registry (:mod:`pfa.lib.registry`): a function's column
form (``@batch``) gets the argument columns; its whole-call form (``@batch_call``: ``a.map``,
``&&``, ``model.tree.simpleTree`` …) gets this compiler (as the
:class:`~pfa.runtime.batch_forms.BatchCompiler` protocol) and the call node. Shape-specific kernels
register at :data:`BATCH_HOOKS` (:func:`batch_kernel`; the modules of
:mod:`pfa.engine.patterns`) and are asked through :meth:`VectorCompiler.kernel`; this module
never imports them.

What cannot be vectorized falls back, visibly (:attr:`Plan.explain`):

* a library call without a batch form runs its scalar implementation row by row on
  vectorized arguments ("row-wise");
* any other subtree (loops, user functions, ``try``, casts …) is compiled by the scalar back
  end and run row by row with the values of the symbols it reads ("scalar island");
* documents that are not ``map`` documents, that write cells or pools, emit, log, draw random
  numbers or read the action counters, or configure timeouts run entirely on the scalar engine.

Results are bit-identical to the scalar engine: kernels perform the same floating-point
operations in the same order (see :func:`pfa.runtime.columns.py_sum`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from pfa.avro.types import AvroArray, AvroMap, AvroRecord, AvroType, without_null
from pfa.check.scope import BOTTOM
from pfa.document import ast as A
from pfa.errors import PfaError, PfaRuntimeError, PfaSemanticError, PfaUserError
from pfa.lib import registry
from pfa.lib.registry import CallSite
from pfa.runtime import codes
from pfa.runtime.batch_forms import Kernel, LoopHint, NoVector
from pfa.runtime.column_maps import map_step
from pfa.runtime.columns import (
    Arr,
    Col,
    Const,
    NotVectorized,
    Opt,
    Rec,
    coerce,
    const_table,
    dense,
    dtype_of,
    filler,
    from_py,
    kind,
    materialize,
    merge,
    scatter,
    stack_results,
    take,
    to_py,
)
from pfa.runtime.kernels import KernelHooks

from .backends import ExplainEntry, Target
from .scalar import coercer, literal_string, unexpected
from .scopes import BlockScopes, FnScope, assigned_names, declared_names

# =============================================================================================
# shape-specific kernels: registered by pattern modules, consulted by the compiler
# =============================================================================================

BATCH_HOOKS = ("new_object", "new_array", "map_function", "tree_walk", "cluster_screen")
"""Where the vector compiler (and the library's whole-call batch forms, through
:meth:`VectorCompiler.kernel`) ask for a shape-specific kernel; each kernel returns None to
decline:

``"new_object"`` (compiler, node: A.NewObject, general kernel) → kernel
``"new_array"`` (compiler, node: A.NewArray, general kernel) → kernel
``"map_function"`` (compiler, node: the ``a.map`` call) → ``f(array column)`` → the mapped
    column, or None for a column it does not handle
``"tree_walk"`` (compiler, node: the walk call, :class:`LoopHint` or None) →
    ``walk(env, datum column, tree column)`` → leaf column or None, with
    ``walk.every_tree(env, datum column)`` (the leaves of every tree of the loop)
``"cluster_screen"`` (compiler, node: the ``model.cluster.closest`` call) →
    ``screen(datum column, clusters)`` → index of each row's closest cluster, or None
"""

_HOOKS = KernelHooks("batch", BATCH_HOOKS)
_KERNELS = _HOOKS.kernels


def batch_kernel(hook: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a shape-specific kernel of the vector compiler at one of :data:`BATCH_HOOKS`.

    Kernels of one hook are asked in registration order; the first answer wins. The modules of
    :mod:`pfa.engine.patterns` register theirs on import; without them the general kernels
    run, with the same results."""
    return _HOOKS.register(hook)


def registered_kernels(hook: str) -> tuple[Callable[..., Any], ...]:
    """The kernels registered at ``hook``, in the order they are asked."""
    return _HOOKS.registered(hook)


# =============================================================================================
# environments
# =============================================================================================

class Env:
    """The columns of local symbols over some rows of a batch, and those rows' errors.

    ``parent``/``idx``: this env's row ``j`` is the parent's row ``idx[j]`` (``idx`` None: the
    same rows). ``captures`` (inline function bodies only): local slot → parent slot."""

    __slots__ = ("n", "parent", "idx", "vars", "errors", "dirty", "declared", "captures")

    def __init__(self, n: int, parent: Env | None = None, idx: np.ndarray | None = None,
                 captures: dict[int, int] | None = None):
        self.n = n
        self.parent = parent
        self.idx = idx
        self.vars: dict[int, Col] = {}
        self.errors: dict[int, PfaRuntimeError] = {}
        self.dirty: set[int] = set()
        self.declared: set[int] = set()
        self.captures = captures

    def get(self, slot: int) -> Col:
        try:
            return self.vars[slot]
        except KeyError:
            pass
        if self.parent is None:
            raise KeyError(slot)
        outer = slot if self.captures is None else self.captures[slot]
        col = self.parent.get(outer)
        if self.idx is not None:
            col = take(col, self.idx)
        self.vars[slot] = col
        return col

    def let(self, slot: int, col: Col) -> None:
        self.vars[slot] = col
        self.declared.add(slot)

    def set(self, slot: int, col: Col) -> None:
        self.vars[slot] = col
        if slot not in self.declared:
            self.dirty.add(slot)

    def fail(self, rows: Any, exc: PfaRuntimeError) -> None:
        """Record ``exc`` for ``rows`` (a boolean mask, a scalar bool or row indexes)."""
        rows = np.asarray(rows)
        if rows.dtype == bool:
            rows = np.flatnonzero(np.broadcast_to(rows, (self.n,)))
        errs = self.errors
        for j in rows.tolist():
            errs.setdefault(j, exc)

    def alive(self) -> np.ndarray:
        """Mask of the rows without a recorded error (here or in an enclosing env)."""
        if self.parent is None:
            mask = np.ones(self.n, dtype=bool)
        else:
            up = self.parent.alive()
            mask = up.copy() if self.idx is None else up[self.idx]
        if self.errors:
            mask[list(self.errors)] = False
        return mask

    def sub(self, idx: np.ndarray | None) -> Env:
        """The environment of rows ``idx`` (None: all rows) of this one (a branch)."""
        return Env(self.n if idx is None else len(idx), self, idx)

    def close(self, child: Env, types: dict[int, AvroType]) -> None:
        """Take back the errors of ``child`` (in its row order) and the symbols it set."""
        if child.errors:
            errs = self.errors
            if child.idx is None:
                for j in sorted(child.errors):
                    errs.setdefault(j, child.errors[j])
            else:
                idx = child.idx
                for j in sorted(child.errors):
                    errs.setdefault(int(idx[j]), child.errors[j])
        for slot in child.dirty:
            new = child.vars[slot]
            if child.idx is not None:
                new = scatter(self.get(slot), child.idx, new, types[slot], self.n)
            self.set(slot, new)


# =============================================================================================
# the plan
# =============================================================================================

@dataclass
class Plan:
    """A compiled batch plan: ``run(input column, n)`` → (output column, errors by row), or
    ``vectorized`` False when the whole action runs on the scalar engine."""

    vectorized: bool
    explain: list[ExplainEntry] = field(default_factory=list)
    action: Kernel | None = None
    fallbacks: list[str] = field(default_factory=list)
    """Why chunks ran on the scalar engine after all: a kernel met a shape it cannot handle
    (``NotVectorized``) or raised a Python error (a bug); the results are the same."""

    def run(self, input_col: Col, n: int) -> tuple[Col, dict[int, PfaRuntimeError]]:
        assert self.action is not None
        env = Env(n)
        env.let(0, input_col)
        with np.errstate(all="ignore"):
            out = self.action(env)
        return out, env.errors


_IMPURE_PREFIXES = ("rand.",)
_IMPURE = {"emit", "a.shuffle", "model.cluster.randomSeeds"}


def _whole_scalar_reason(target: Target) -> str | None:
    """Why the document must run entirely on the scalar engine (None if it need not)."""
    if target.method != "map":
        return f"method is {target.method!r} (only map documents are vectorized)"
    if target.options.any_timeout:
        return "timeouts are configured"
    doc = target.document
    roots: list[Any] = list(doc.action) + list(doc.fcns.values())
    for root in roots:
        for node in A.walk(root):
            if isinstance(node, (A.CellTo, A.PoolTo, A.PoolDel)):
                return f"{type(node).__name__} at {node.path} writes engine state"
            if isinstance(node, A.Log):
                return f"log at {node.path} (log order is per row)"
            if isinstance(node, (A.Call, A.FcnRef)):
                name = node.name
                if name in _IMPURE or name.startswith(_IMPURE_PREFIXES):
                    return f"{name} at {node.path} has side effects (random numbers, emit)"
            if isinstance(node, A.Ref) and node.name in ("actionsStarted", "actionsFinished"):
                return f"{node.name} at {node.path} changes from row to row"
    return None


def build_plan(target: Target) -> Plan:
    """Compile ``target``'s action for batches (or explain why it runs row by row); its
    ``fallback`` is the scalar runner, whose compiler builds the scalar islands."""
    reason = _whole_scalar_reason(target)
    if reason is not None:
        return Plan(False, [ExplainEntry("$.action", "action", "scalar", reason)])
    comp = VectorCompiler(target)
    try:
        action = comp.compile_action()
    except NoVector as nv:
        return Plan(False, comp.entries + [ExplainEntry("$.action", "action", "scalar",
                                                        nv.reason)])
    return Plan(True, comp.entries, action)


# =============================================================================================
# the compiler
# =============================================================================================

def _form_name(node: Any) -> str:
    if isinstance(node, A.Call):
        return node.name
    return type(node).__name__


def _normalize(res: Any) -> Col:
    """A kernel's result with numpy scalars (all arguments constant) turned into a Const."""
    if isinstance(res, np.ndarray) and res.ndim == 0:
        return Const(res.item())
    if isinstance(res, np.generic):
        return Const(res.item())
    return res


class VectorCompiler(BlockScopes):
    """Compiles one target's action into kernels (library functions bound with the engine's
    context; scalar islands compiled with the fallback runner's scalar compiler)."""

    def __init__(self, target: Target):
        assert target.fallback is not None
        self.target = target
        self.scalar = target.fallback.compiler  # type: ignore[attr-defined]
        self.state = target.state
        self.ctx = target.context
        self.scope = FnScope()
        self.entries: list[ExplainEntry] = []
        self.loops: list[LoopHint] = []  # the a.map/a.fold whose function is being compiled

    # -- entry ------------------------------------------------------------------------------
    def compile_action(self) -> Kernel:
        doc = self.target.document
        self.scope.declare("input", self.target.input_type)
        body = self._body(doc.action, self.target.output_type)
        return body

    def note(self, node: Any, mode: str, reason: str = "") -> None:
        self.entries.append(ExplainEntry(getattr(node, "path", "?"), _form_name(node), mode,
                                         reason))

    def kernel(self, hook: str, *args: Any) -> Any:
        """The first shape-specific kernel registered at ``hook`` (:data:`BATCH_HOOKS`) that
        takes ``args``, or None."""
        for make in _KERNELS[hook]:
            found = make(self, *args)
            if found is not None:
                return found
        return None

    def scope_types(self) -> dict[int, AvroType]:
        """Slot → type of the symbols of the current scope (filled as symbols are declared)."""
        return self.scope.declared_types

    def with_fallback(self, node: A.Call, fast: Callable[[Env], Col | None]) -> Kernel:
        """``fast(env)``; when it returns None (a ragged array …) the call runs as a scalar
        island."""
        try:
            slow: Kernel | None = self.scalar_kernel(node)
        except NoVector:
            slow = None

        def kernel(env: Env) -> Col:
            out = fast(env)
            if out is not None:
                return out
            if slow is None:  # the batch runs on the scalar engine (see run_batch)
                raise NotVectorized(f"{node.name}: batch input shape not supported")
            return slow(env)
        return kernel

    # -- dispatch ---------------------------------------------------------------------------
    def expr(self, node: A.Expr) -> Kernel:
        """The kernel of ``node``; a scalar island if the vector compiler cannot handle it."""
        method = getattr(self, "v_" + type(node).__name__, None)
        try:
            if method is None:
                raise NoVector(f"{type(node).__name__} is not vectorized")
            return method(node)
        except NoVector as nv:
            return self.island(node, nv.reason)

    def typed(self, node: A.Expr, expected: Any) -> Kernel:
        k = self.expr(node)
        return self._coerced(k, node.type, expected)

    @staticmethod
    def _coerced(k: Kernel, src: Any, dst: Any) -> Kernel:
        if dst is None or not isinstance(dst, AvroType) or src is dst:
            return k
        if src is BOTTOM:  # an ``error``: its rows failed, a filler of ``dst`` flows on
            fill = Const(filler(dst))

            def failed(env: Env) -> Col:
                k(env)
                return fill
            return failed
        conv = coercer(dst, src)
        if conv is None and kind(src) == kind(dst):
            return k
        return lambda env: coerce(k(env), conv, src, dst, env.n)

    def _body(self, exprs: list[A.Expr], ret_type: Any = None) -> Kernel:
        ks = [self.expr(e) for e in exprs]
        if not ks:
            return lambda env: Const(None)
        if ret_type is not None:
            ks[-1] = self._coerced(ks[-1], exprs[-1].type, ret_type)
        if len(ks) == 1:
            return ks[0]
        init, last = tuple(ks[:-1]), ks[-1]

        def seq(env: Env) -> Col:
            for k in init:
                k(env)
            return last(env)
        return seq

    # -- scalar islands ---------------------------------------------------------------------
    def island(self, node: A.Expr, reason: str) -> Kernel:
        """``node`` compiled by the scalar back end and run row by row."""
        kernel = self.scalar_kernel(node)
        self.note(node, "scalar island", reason)
        return kernel

    def scalar_kernel(self, node: A.Expr) -> Kernel:
        outer_sets = assigned_names(node) - declared_names(node)
        if outer_sets:
            raise NoVector(f"sets enclosing symbol(s) {sorted(outer_sets)}")
        iscope = FnScope(parent=self.scope)
        sc = self.scalar
        saved = sc.scope, sc.routine
        sc.scope, sc.routine = iscope, "action"
        try:
            f = sc.expr(node)
        except PfaSemanticError as err:
            raise NoVector(f"scalar compiler: {err}") from None
        finally:
            sc.scope, sc.routine = saved
        outer_scope = self.scope
        t = node.type
        return self._rowwise_kernel(f, iscope, outer_scope, t)

    @staticmethod
    def _rowwise_kernel(f: Callable[[list], Any], iscope: FnScope, outer_scope: FnScope,
                        t: Any) -> Kernel:
        def run_island(env: Env) -> Col:
            captures = iscope.captures
            types = {local: typ for _, (local, typ) in iscope.blocks[0].items()}
            outer_types = outer_scope.declared_types
            n = env.n
            cols = [(local, to_py(env.get(outer), outer_types.get(outer, types.get(local)), n))
                    for outer, local in captures]
            nslots = iscope.nslots
            alive = env.alive().tolist()
            out: list[Any] = [filler(t)] * n
            for j in range(n):
                if not alive[j]:
                    continue
                frame: list[Any] = [None] * nslots
                for local, vals in cols:
                    frame[local] = vals[j]
                try:
                    out[j] = f(frame)
                except PfaRuntimeError as exc:
                    env.errors.setdefault(j, exc)
                except PfaError:
                    raise
                except RecursionError:
                    env.errors.setdefault(j, PfaRuntimeError(
                        codes.RECURSION_TOO_DEEP, "maximum recursion depth exceeded", "action"))
                except Exception as exc:  # noqa: BLE001 - reported as the scalar engine does
                    env.errors.setdefault(j, unexpected(exc, "action"))
            return from_py(out, t)
        return run_island

    # -- literals and symbols ---------------------------------------------------------------
    def _const_of(self, node: A.Expr) -> Kernel:
        f = self.scalar.expr(node)
        value = f([])
        return lambda env: Const(value)

    v_LiteralNull = v_LiteralBoolean = v_LiteralInt = v_LiteralLong = _const_of
    v_LiteralFloat = v_LiteralDouble = v_LiteralString = v_LiteralBase64 = _const_of
    v_Literal = _const_of

    def v_Ref(self, node: A.Ref) -> Kernel:
        hit = self.scope.lookup(node.name)
        if hit is not None:
            slot = hit[0]
            self.scope.declared_types.setdefault(slot, hit[1])
            return lambda env: env.get(slot)
        if node.name in ("name", "instance", "version", "metadata"):
            return self._const_of(node)
        raise NoVector(f"symbol {node.name}")

    def v_Doc(self, node: A.Doc) -> Kernel:
        return lambda env: Const(None)

    def v_Error(self, node: A.Error) -> Kernel:
        code, message = node.code, str(node.message)

        def error(env: Env) -> Col:
            env.fail(np.ones(env.n, dtype=bool), PfaUserError(code, message))
            return Const(None)
        return error

    def v_Upcast(self, node: A.Upcast) -> Kernel:
        return self.typed(node.expr, node.avro_type.avro)

    # -- symbols ----------------------------------------------------------------------------
    def v_Let(self, node: A.Let) -> Kernel:
        values = [(name, self.expr(e), e.type) for name, e in node.values.items()]
        assigns = tuple((self.scope.declare(name, t), k) for name, k, t in values)

        def let(env: Env) -> Col:
            for slot, k in assigns:
                env.let(slot, k(env))
            return Const(None)
        return let

    def v_SetVar(self, node: A.SetVar) -> Kernel:
        assigns = []
        for name, e in node.values.items():
            hit = self.scope.lookup(name)
            if hit is None:
                raise NoVector(f"set of unknown symbol {name}")
            self.scope.declared_types.setdefault(hit[0], hit[1])
            assigns.append((hit[0], self.typed(e, hit[1])))
        pairs = tuple(assigns)

        def setvar(env: Env) -> Col:
            vals = [(s, k(env)) for s, k in pairs]
            for s, v in vals:
                env.set(s, v)
            return Const(None)
        return setvar

    # -- data construction ------------------------------------------------------------------
    def v_NewObject(self, node: A.NewObject) -> Kernel:
        t = node.avro_type.avro
        if not isinstance(t, AvroRecord):
            raise NoVector("new map")
        items = tuple((f.name, self.typed(node.fields[f.name], f.type)) for f in t.fields)

        def new_record(env: Env) -> Col:
            return Rec({name: k(env) for name, k in items})
        block = self.kernel("new_object", node, new_record)
        return new_record if block is None else block

    def v_NewArray(self, node: A.NewArray) -> Kernel:
        t = node.avro_type.avro
        if not isinstance(t, AvroArray):
            raise NoVector("new with a list of a non-array type")
        items = tuple(self.typed(e, t.items) for e in node.items)
        item_t = t.items

        def new_array(env: Env) -> Col:
            return stack_results([k(env) for k in items], item_t, env.n)
        block = self.kernel("new_array", node, new_array)
        return new_array if block is None else block

    # -- control flow -----------------------------------------------------------------------
    def v_Do(self, node: A.Do) -> Kernel:
        return self._block(node.body, node.type if node.body else None)

    def v_If(self, node: A.If) -> Kernel:
        pred = self.expr(node.predicate)
        has_else = node.else_ is not None
        then = self._block(node.then, node.type if has_else else None)
        other = self._block(node.else_, node.type) if has_else else None
        t = node.type
        types_scope = self.scope
        select = has_else and kind(t) in ("int", "float", "bool") and \
            _plain(node.then) and _plain(node.else_)
        dt = dtype_of(t) if select else None

        def if_(env: Env) -> Col:
            p = dense(pred(env), env.n, bool)
            if select:  # both sides are plain values: computed for all rows, then picked
                child = env.sub(None)
                a, b = then(child), other(child)  # type: ignore[misc]
                va, vb = _value(a), _value(b)
                if not child.errors and not child.dirty and va is not None and vb is not None:
                    return np.where(p, va, vb).astype(dt, copy=False)
            yes = np.flatnonzero(p)
            parts = []
            types = types_scope.declared_types
            if len(yes):
                child = env.sub(None if len(yes) == env.n else yes)
                parts.append((yes, then(child)))
                env.close(child, types)
            if other is None:
                return Const(None)
            no = np.flatnonzero(~p)
            if len(no):
                child = env.sub(None if len(no) == env.n else no)
                parts.append((no, other(child)))
                env.close(child, types)
            if len(parts) == 1 and len(parts[0][0]) == env.n:
                return parts[0][1]
            return merge(t, env.n, parts)
        return if_

    def v_Cond(self, node: A.Cond) -> Kernel:
        has_else = node.else_ is not None
        rt = node.type if has_else else None
        clauses = tuple((self.expr(c.predicate), self._block(c.then, rt)) for c in node.clauses)
        other = self._block(node.else_, rt) if has_else else None
        t = node.type
        types_scope = self.scope

        def cond(env: Env) -> Col:
            types = types_scope.declared_types
            remaining = np.arange(env.n)
            parts = []
            for pred, body in clauses:
                if not len(remaining):
                    break
                penv = env.sub(remaining)
                p = dense(pred(penv), penv.n, bool)
                env.close(penv, types)
                hit = remaining[p]
                if len(hit):
                    benv = env.sub(hit)
                    parts.append((hit, body(benv)))
                    env.close(benv, types)
                remaining = remaining[~p]
            if other is not None and len(remaining):
                benv = env.sub(remaining)
                parts.append((remaining, other(benv)))
                env.close(benv, types)
            if not has_else:
                return Const(None)
            return merge(t, env.n, parts)
        return cond

    def v_IfNotNull(self, node: A.IfNotNull) -> Kernel:
        values = [(name, self.expr(e), e.type) for name, e in node.symbols.items()]
        has_else = node.else_ is not None
        rt = node.type if has_else else None
        self.scope.push()
        try:
            assigns = []
            for name, k, t in values:
                inner = without_null(t)
                assigns.append((self.scope.declare(name, inner), k, t, inner))
            then = self._body(node.then, rt)
        finally:
            self.scope.pop()
        other = self._block(node.else_, rt) if has_else else None
        t_out = node.type
        assigns_t = tuple(assigns)
        types_scope = self.scope

        def if_not_null(env: Env) -> Col:
            n = env.n
            cols = [k(env) for _, k, _, _ in assigns_t]
            null = np.zeros(n, dtype=bool)
            for c, (_, _, t, _) in zip(cols, assigns_t):
                null |= _null_mask(c, t, n)
            types = types_scope.declared_types
            parts = []
            ok = np.flatnonzero(~null)
            if len(ok):
                child = env.sub(None if len(ok) == n else ok)
                for c, (slot, _, t, inner) in zip(cols, assigns_t):
                    child.let(slot, _strip_null(take(c, ok) if len(ok) != n else c, t, inner,
                                                len(ok)))
                parts.append((ok, then(child)))
                env.close(child, types)
            bad = np.flatnonzero(null)
            if other is not None and len(bad):
                child = env.sub(None if len(bad) == n else bad)
                parts.append((bad, other(child)))
                env.close(child, types)
            if not has_else:
                return Const(None)
            return merge(t_out, n, parts)
        return if_not_null

    # -- paths ------------------------------------------------------------------------------
    def _path(self, t: Any, path: list[A.Expr], codes: tuple[int, int], fcn: str
              ) -> list[Callable[[Env, Col], Col]]:
        steps = []
        for p in path:
            if isinstance(t, AvroRecord):
                key = literal_string(p)
                if key is None or t.field(key) is None:
                    raise NoVector("record path element is not a literal field name")
                steps.append(_record_step(key))
                t = t.field(key).type
            elif isinstance(t, AvroArray):
                steps.append(_array_step(self.expr(p), t.items, codes[0], fcn))
                t = t.items
            elif isinstance(t, AvroMap):
                steps.append(map_step(self.expr(p), t.values, codes[1], fcn))
                t = t.values
            else:
                raise NoVector(f"path into a {t.name}")
        return steps

    def v_AttrGet(self, node: A.AttrGet) -> Kernel:
        base = self.expr(node.expr)
        steps = tuple(self._path(node.expr.type, node.indexes, (2000, 2001), "attr"))

        def attr(env: Env) -> Col:
            col = base(env)
            for step in steps:
                col = step(env, col)
            return col
        return attr

    def v_CellGet(self, node: A.CellGet) -> Kernel:
        cell = self.state.cells.get(node.cell)
        if cell is None:
            raise NoVector(f"unknown cell {node.cell}")
        steps = tuple(self._path(cell.type, node.indexes or [], (2004, 2005), "cell"))

        def cell_get(env: Env) -> Col:
            col: Col = Const(cell.value)
            for step in steps:
                col = step(env, col)
            return col
        return cell_get

    # -- calls ------------------------------------------------------------------------------
    def _site(self, node: A.Call) -> CallSite:
        r = node.resolved
        arg_types = tuple(self.scalar.arg_type(a) for a in node.args)
        if r is None:
            return CallSite(name=node.name, arg_types=arg_types, ret_type=node.type,
                            param_types=arg_types, context=self.ctx)
        return CallSite(name=node.name, arg_types=arg_types, ret_type=r.ret_type,
                        param_types=tuple(r.param_types), labels=dict(r.labels or {}),
                        sig_index=r.sig_index, context=self.ctx)

    def v_Call(self, node: A.Call) -> Kernel:
        name = node.name
        if name in self.scalar.fcns:
            raise NoVector("user function call")
        entry = registry.get(name)
        if entry is not None and entry.batch_call is not None:
            noted = len(self.entries)
            kernel = entry.batch_call(self, node)
            if not any(e.path == node.path for e in self.entries[noted:]):
                self.note(node, "vector")
            return kernel
        return self.generic_call(node)

    def generic_call(self, node: A.Call) -> Kernel:
        """A library call: its vector form, else its scalar implementation row by row."""
        name = node.name
        if any(isinstance(a, (A.FcnDef, A.FcnRef)) for a in node.args):
            raise NoVector(f"{name} takes a function argument")
        entry = registry.get(name)
        if entry is None or entry.bind_scalar is None:
            raise NoVector(f"{name} is not implemented")
        if entry.lazy:
            raise NoVector(f"{name} is a short-circuit function")
        site = self._site(node)
        ptypes = site.param_types
        args = tuple(self.typed(a, ptypes[i] if i < len(ptypes) else None)
                     for i, a in enumerate(node.args))
        arg_types = tuple(ptypes[i] if i < len(ptypes) else a.type
                          for i, a in enumerate(node.args))
        scalar_impl = entry.scalar_for(site)
        rowwise = _rowwise_call(scalar_impl, arg_types, node.type, name)
        vec = entry.bind_batch(site) if entry.bind_batch is not None else None
        if vec is None:
            self.note(node, "row-wise", "no vector form")

            def call_rowwise(env: Env) -> Col:
                return rowwise(env, [k(env) for k in args])
            return call_rowwise
        self.note(node, "vector")

        def call(env: Env) -> Col:
            cols = [k(env) for k in args]
            try:
                return _normalize(vec(env, *cols))
            except NotVectorized:
                return rowwise(env, cols)
        return call

    # -- inline functions -------------------------------------------------------------------
    def inline(self, fdef: Any, ptype: Any = None, hint: tuple[LoopHint, int] | None = None
               ) -> InlineFcn:
        """An inline function (or a reference to a library function) run on columns;
        ``hint``: (loop hint, index of the parameter that receives the array element)."""
        if isinstance(fdef, A.FcnRef):
            raise NoVector("function reference argument")
        if not isinstance(fdef, A.FcnDef):
            raise NoVector("function argument")
        saved = self.scope
        inner = FnScope(parent=saved)
        self.scope = inner
        try:
            slots = [inner.declare(p.name, p.type.avro) for p in fdef.params]
            if hint is not None and hint[1] < len(slots):
                hint[0].slot, hint[0].scope = slots[hint[1]], inner
                self.loops.append(hint[0])
            try:
                body = self._body(fdef.body, fdef.ret.avro)
            finally:
                if hint is not None and hint[1] < len(slots):
                    self.loops.pop()
            want = getattr(ptype, "ret", None)
            if want is not None:
                body = self._coerced(body, fdef.ret.avro, want)
        finally:
            self.scope = saved
        return InlineFcn(slots, [p.type.avro for p in fdef.params], body, inner)


class InlineFcn:
    """A compiled inline function: ``call(env, cols)`` runs the body over ``env``'s rows with
    the parameters bound to ``cols`` (errors go to ``env``)."""

    def __init__(self, slots: list[int], ptypes: list[Any], body: Kernel, scope: FnScope):
        self.slots = slots
        self.ptypes = ptypes
        self.body = body
        self.scope = scope

    def call(self, env: Env, cols: list[Col], types: list[Any] | None = None,
             kernel: Kernel | None = None) -> Col:
        """(``kernel``: run instead of the body, in the function's environment.)"""
        captures = {local: outer for outer, local in self.scope.captures}
        fenv = Env(env.n, env, None, captures)
        for i, (slot, col) in enumerate(zip(self.slots, cols)):
            if types is not None and types[i] is not None:
                col = coerce(col, coercer(self.ptypes[i], types[i]), types[i], self.ptypes[i],
                             env.n)
            fenv.let(slot, col)
        out = (self.body if kernel is None else kernel)(fenv)
        env.close(fenv, {})
        return out


# =============================================================================================
# helpers of the forms
# =============================================================================================

def _plain(body: list[A.Expr] | None) -> bool:
    """A branch that is one literal, symbol or constant-path ``attr`` of a symbol: it sets
    nothing and may only fail where it is evaluated (which ``if`` then checks)."""
    if not body or len(body) != 1:
        return False
    e = body[0]
    if isinstance(e, A.AttrGet):
        return isinstance(e.expr, A.Ref) and all(
            isinstance(i, (A.LiteralInt, A.LiteralString)) for i in e.indexes)
    return isinstance(e, (A.Ref, A.LiteralInt, A.LiteralLong, A.LiteralFloat,
                          A.LiteralDouble, A.LiteralBoolean, A.Literal))


def _value(col: Col) -> Any:
    if isinstance(col, Const):
        return col.value if type(col.value) in (int, float, bool) else None
    if isinstance(col, np.ndarray) and col.dtype != object:
        return col
    return None


def _null_mask(col: Col, t: Any, n: int) -> np.ndarray:
    if isinstance(col, Const):
        return np.full(n, col.value is None)
    if isinstance(col, Opt):
        return col.null
    if isinstance(col, np.ndarray) and col.dtype == object:
        return np.fromiter((v is None for v in col), dtype=bool, count=n)
    return np.zeros(n, dtype=bool)


def _strip_null(col: Col, t: Any, inner: Any, n: int) -> Col:
    if isinstance(col, Opt):
        return col.values
    if isinstance(col, Const) or kind(t) == kind(inner):
        return col
    return from_py(to_py(col, t, n), inner)


def _record_step(key: str) -> Callable[[Env, Col], Col]:
    def step(env: Env, col: Col) -> Col:
        if isinstance(col, Rec):
            return col.fields[key]
        if isinstance(col, Const):
            return Const(col.value[key])
        raise NotVectorized("record path into a non-record column")
    return step


def _array_step(index: Kernel, item_t: Any, code: int, fcn: str) -> Callable[[Env, Col], Col]:
    def step(env: Env, col: Col) -> Col:
        n = env.n
        ic = index(env)
        if isinstance(col, Const) and isinstance(ic, Const):
            i = ic.value
            if 0 <= i < len(col.value):
                return Const(col.value[i])
            env.fail(np.ones(n, dtype=bool), PfaRuntimeError(code, "array index not found", fcn))
            return Const(filler(item_t)) if not col.value else Const(col.value[0])
        if isinstance(col, Arr) and isinstance(ic, Const) and type(ic.value) is int and \
                0 <= ic.value < col.data.shape[1]:
            data = col.data[:, ic.value]
            return data if data.ndim == 1 else Arr(data)
        i = dense(ic, n, np.int64)
        if isinstance(col, Const):
            size = len(col.value)
            table = const_table(col.value, item_t)
        elif isinstance(col, Arr):
            size = col.data.shape[1]
            table = None
        else:
            lists = list(col)
            lengths = np.array([len(v) for v in lists], dtype=np.int64)
            bad = (i < 0) | (i >= lengths)
            if bad.any():
                env.fail(bad, PfaRuntimeError(code, "array index not found", fcn))
            fill = filler(item_t)
            vals = [v[k] if 0 <= k < len(v) else fill for v, k in zip(lists, i.tolist())]
            return from_py(vals, item_t)
        bad = (i < 0) | (i >= size)
        if bad.any():
            env.fail(bad, PfaRuntimeError(code, "array index not found", fcn))
            if size == 0:
                return materialize(Const(filler(item_t)), item_t, n)
            i = np.where(bad, 0, i)
        if table is not None:
            return take(table, i)
        data = col.data[np.arange(n), i]
        return data if data.ndim == 1 else Arr(data)
    return step


def _rowwise_call(impl: Callable[..., Any], arg_types: tuple[Any, ...], ret_t: Any,
                  name: str) -> Callable[[Env, list[Col]], Col]:
    """Run the scalar implementation ``impl`` row by row on argument columns."""
    def rowwise(env: Env, cols: list[Col]) -> Col:
        n = env.n
        consts = all(isinstance(c, Const) for c in cols)
        if consts and n:
            alive = [True] + [False] * (n - 1)
            lists = [[c.value] for c in cols]
            m = 1
        else:
            alive = env.alive().tolist()
            lists = [to_py(c, t, n) for c, t in zip(cols, arg_types)]
            m = n
        out: list[Any] = [filler(ret_t)] * m
        errs: dict[int, PfaRuntimeError] = {}
        for j, args in enumerate(zip(*lists)) if lists else enumerate([()] * m):
            if not alive[j]:
                continue
            try:
                out[j] = impl(*args)
            except PfaRuntimeError as exc:
                errs[j] = exc
            except PfaError:
                raise
            except RecursionError:
                errs[j] = PfaRuntimeError(codes.RECURSION_TOO_DEEP, "maximum recursion depth exceeded", "action")
            except Exception as exc:  # noqa: BLE001 - reported as the scalar engine does
                errs[j] = unexpected(exc, name)
        if consts and n:
            if 0 in errs:
                env.fail(np.ones(n, dtype=bool), errs[0])
            return Const(out[0])
        for j, exc in errs.items():
            env.errors.setdefault(j, exc)
        return from_py(out, ret_t)
    return rowwise


__all__ = ["BATCH_HOOKS", "Env", "ExplainEntry", "InlineFcn", "Kernel", "NoVector", "Plan",
           "VectorCompiler", "batch_kernel", "build_plan", "registered_kernels"]
