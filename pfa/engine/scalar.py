"""The scalar back end: compile a typed PFA document into nested Python closures.

Every expression becomes a closure ``f(frame) -> value`` where ``frame`` is a Python list
holding the local symbols of the routine or function being run. Symbol names are resolved to
slot indexes at compile time, library functions are bound once per call site (through the
registry's ``scalar_for(CallSite)``), literals are decoded once, and argument promotions
(int → double …) are decided from the checker's types. Nothing taken from a document is ever
given to ``exec``/``eval``: names, strings and messages are only data held by closures.

Scoping: each routine (begin, action, end, merge), each named user function and each inline
function has its own frame layout. A declaration takes a fresh slot, so symbols in
non-overlapping scopes never collide. An inline function reads the symbols it closes over from
a copy made when the function value is created (the enclosing scope cannot change them while
the function is alive: closures are read-only and arguments are sealed from above).
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable
from functools import partial
from operator import itemgetter
from time import perf_counter
from typing import Any

from pfa.avro.data import INT_RANGE, canonical_checker, decode_json, encode_json
from pfa.avro.data import to_float32 as f32
from pfa.avro.types import (
    STRING,
    AvroArray,
    AvroEnum,
    AvroFixed,
    AvroMap,
    AvroNamed,
    AvroRecord,
    AvroType,
    AvroUnion,
    accepts,
    without_null,
)
from pfa.check.signatures import FcnType, library
from pfa.document import ast as A
from pfa.errors import (
    AvroDataError,
    PfaError,
    PfaRuntimeError,
    PfaSemanticError,
    PfaTimeoutError,
    PfaUserError,
)
from pfa.lib import registry
from pfa.lib.registry import CallSite
from pfa.runtime import codes
from pfa.runtime.budget import DEFAULT_VALUE_LIMIT, Budget
from pfa.runtime.kernels import KernelHooks

from . import binary
from .backends import ExplainEntry, Target, register_backend
from .scopes import BlockScopes, FnScope
from .state import MISSING, EngineState

log = logging.getLogger("pfa.engine")

Frame = list
Compiled = Callable[[Frame], Any]

INT_MIN, INT_MAX = INT_RANGE


# =============================================================================================
# engine services seen by compiled code and by library functions (CallSite.context)
# =============================================================================================

class EngineContext(Budget):
    """Per-engine services: ``rng`` (random.Random), ``instance``, ``name``, the emit and log
    sinks, the action counters, and (as a :class:`~pfa.runtime.budget.Budget`) the current
    routine's deadline and the size limit of a value."""

    def __init__(self, *, rng: Any, instance: int, name: str, version: int | None,
                 metadata: dict[str, str], method: str, options: Any):
        super().__init__(getattr(options, "value_limit", DEFAULT_VALUE_LIMIT))
        self.rng = rng
        self.instance = instance
        self.name = name
        self.version = version
        self.metadata = metadata
        self.method = method
        self.options = options
        self.actions_started = 0
        self.actions_finished = 0
        self.emit: Callable[[Any], None] = _no_emit
        self.on_log: Callable[[str, str | None], None] | None = None
        self.engine: Any = None


def _no_emit(value: Any) -> None:
    raise PfaRuntimeError(codes.INTERNAL_ERROR,
                          "emit is only available to engines with method \"emit\"", "emit")


def unexpected(exc: BaseException, where: str | None) -> PfaRuntimeError:
    """Wrap a Python exception that escaped library code into a PfaRuntimeError with code
    90001 "internal error" (and log it): it is a bug in pfa, not in the document. A
    ``MemoryError`` becomes 90000 "value too large" instead."""
    if isinstance(exc, MemoryError):
        log.warning("%s ran out of memory", where or "?")
        err = PfaRuntimeError(codes.VALUE_TOO_LARGE, "value too large: out of memory", where)
        err.__cause__ = exc
        return err
    msg = f"internal error: unexpected {type(exc).__name__}: {exc}"
    log.warning("library function %s raised %s", where or "?", msg)
    err = PfaRuntimeError(codes.INTERNAL_ERROR, msg, where)
    err.__cause__ = exc
    return err


# =============================================================================================
# shape-specific kernels: registered by pattern modules, consulted by the compiler
# =============================================================================================

KERNEL_HOOKS = ("call", "if", "new_array", "fcndef")
"""Where the compiler asks for a kernel: ``"call"`` (compiler, node: A.Call), ``"if"``
(compiler, node: A.If), ``"new_array"`` (compiler, node: A.NewArray) — each returning a
:data:`Compiled` closure or None —, and ``"fcndef"`` (compiler, fdef: A.FcnDef, fcn_type),
returning the plain Python callable the inline function stands for, or None."""

_HOOKS = KernelHooks("scalar", KERNEL_HOOKS)
_KERNELS = _HOOKS.kernels


def scalar_kernel(hook: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a shape-specific kernel at one of :data:`KERNEL_HOOKS`.

    A kernel recognises a shape of the typed AST and returns a faster closure with the same
    results (values, errors and their order), or None to decline. Kernels of one hook are
    asked in registration order and the first answer wins. The compiler does not import its
    kernels: the module defining them registers them on import (``pfa.engine.engine`` imports
    it), so a compiler used alone runs the general closures, with the same results."""
    return _HOOKS.register(hook)


def registered_kernels(hook: str) -> tuple[Callable[..., Any], ...]:
    """The kernels registered at ``hook``, in the order they are asked."""
    return _HOOKS.registered(hook)


def _kernel(hook: str, compiler: Any, *node: Any) -> Any:
    for kernel in _KERNELS[hook]:
        found = kernel(compiler, *node)
        if found is not None:
            compiler.kernels_used.append((node[0], kernel))
            return found
    return None


# =============================================================================================
# type helpers
# =============================================================================================

def _is_type(t: Any) -> bool:
    return isinstance(t, AvroType)


def _int_to_double(v: Any) -> Any:
    return float(v) if type(v) is int else v


def _int_to_float(v: Any) -> Any:
    return f32(float(v)) if type(v) is int else v


def coercer(expected: Any, observed: Any) -> Callable[[Any], Any] | None:
    """A function promoting a value of type ``observed`` to type ``expected`` (int and long
    become floating point where a float or double is expected, also inside arrays, maps and
    unions), or None when the value can be used as it is."""
    if not _is_type(expected) or not _is_type(observed) or expected is observed:
        return None
    en, on = expected.name, observed.name
    if isinstance(expected, AvroUnion):
        names = {t.name for t in expected.types}
        if isinstance(observed, AvroUnion):
            if "int" in names or "long" in names:
                return None
            if any(t.name in ("int", "long") for t in observed.types):
                if "double" in names:
                    return _int_to_double
                if "float" in names:
                    return _int_to_float
            return None
        for b in expected.types:
            if b.name == on and (not isinstance(b, AvroNamed) or b == observed):
                return coercer(b, observed)
        for b in expected.types:
            if accepts(b, observed):
                return coercer(b, observed)
        return None
    if isinstance(observed, AvroUnion):
        if any(t.name in ("int", "long") for t in observed.types):
            if en == "double":
                return _int_to_double
            if en == "float":
                return _int_to_float
        return None
    if en == "double":
        return float if on in ("int", "long") else None
    if en == "float":
        return (lambda v: f32(float(v))) if on in ("int", "long") else None
    if isinstance(expected, AvroArray) and isinstance(observed, AvroArray):
        inner = coercer(expected.items, observed.items)
        if inner is None:
            return None
        return lambda v: [inner(x) for x in v]
    if isinstance(expected, AvroMap) and isinstance(observed, AvroMap):
        inner = coercer(expected.values, observed.values)
        if inner is None:
            return None
        return lambda v: {k: inner(x) for k, x in v.items()}
    return None


def type_predicate(t: AvroType, among: AvroType | None) -> Callable[[Any], bool]:
    """A fast test "does value ``v`` (known to be of type ``among``) hold a ``t``?" used by
    cast-cases: a specialisation of :func:`pfa.avro.data.canonical_checker` that is shallow
    where the kinds of the union branches tell values apart, and that checker itself where
    they do not (two record types, a map beside a record …)."""
    others = list(among.types) if isinstance(among, AvroUnion) else []
    kinds = [b.name for b in others]
    n = t.name
    if isinstance(t, AvroUnion):
        preds = [type_predicate(b, among) for b in t.types]
        return lambda v: any(p(v) for p in preds)
    if n == "null":
        return lambda v: v is None
    if n == "boolean":
        return lambda v: v is True or v is False
    if n == "int":
        if "long" in kinds:
            return lambda v: type(v) is int and INT_MIN <= v <= INT_MAX
        return lambda v: type(v) is int
    if n == "long":
        return lambda v: type(v) is int
    if n in ("float", "double"):
        if "int" in kinds or "long" in kinds:
            return lambda v: type(v) is float
        return lambda v: type(v) is float or type(v) is int
    if n == "string":
        return lambda v: type(v) is str
    if n == "bytes":
        return lambda v: type(v) is bytes
    if isinstance(t, AvroFixed):
        size = t.size
        return lambda v: type(v) is bytes and len(v) == size
    if isinstance(t, AvroEnum):
        symbols = frozenset(t.symbols)
        return lambda v: type(v) is str and v in symbols
    same_kind = sum(1 for k in kinds if k in ("array",)) if n == "array" else \
        sum(1 for k in kinds if k in ("map", "record"))
    if same_kind <= 1:
        return (lambda v: type(v) is list) if n == "array" else (lambda v: type(v) is dict)
    return canonical_checker(t)


def fcn_type(params: tuple, ret: Any) -> FcnType:
    """The type of a function with parameter types ``params`` returning ``ret``."""
    return FcnType(tuple(params), ret)



# =============================================================================================
# user functions (scopes: pfa.engine.scopes)
# =============================================================================================

class UserFunction:
    """A compiled named user function; ``invoke(*args)`` runs it in a new frame."""

    __slots__ = ("name", "params", "ret", "invoke", "param_names")

    def __init__(self, name: str, params: list[Any], ret: Any, param_names: list[str]):
        self.name = name
        self.params = params
        self.ret = ret
        self.param_names = param_names
        self.invoke: Callable[..., Any] = self._not_ready

    def _not_ready(self, *args: Any) -> Any:  # pragma: no cover - compile order guard
        raise PfaRuntimeError(codes.INTERNAL_ERROR, f"function {self.name} is not compiled yet")


# =============================================================================================
# small closure builders
# =============================================================================================

def const(value: Any) -> Compiled:
    def constant(frame: Frame) -> Any:
        return value
    constant.is_const = True  # type: ignore[attr-defined]
    constant.value = value  # type: ignore[attr-defined]
    return constant


def _is_const(f: Any) -> bool:
    return getattr(f, "is_const", False)


def sequence(fs: list[Compiled]) -> Compiled:
    """Run ``fs`` in order and return the value of the last one (null if empty)."""
    if not fs:
        return const(None)
    if len(fs) == 1:
        return fs[0]
    if len(fs) == 2:
        a, b = fs

        def seq2(frame: Frame) -> Any:
            a(frame)
            return b(frame)
        return seq2
    if len(fs) == 3:
        a, b, c = fs

        def seq3(frame: Frame) -> Any:
            a(frame)
            b(frame)
            return c(frame)
        return seq3
    init = tuple(fs[:-1])
    last = fs[-1]

    def seqn(frame: Frame) -> Any:
        for g in init:
            g(frame)
        return last(frame)
    return seqn


def apply_coercion(f: Compiled, conv: Callable[[Any], Any] | None) -> Compiled:
    if conv is None:
        return f
    if _is_const(f):
        return const(conv(f.value))  # type: ignore[attr-defined]

    def coerced(frame: Frame) -> Any:
        return conv(f(frame))
    return coerced


def _bind_call(impl: Callable[..., Any], args: list[Compiled], name: str) -> Compiled:
    """``impl(*[a(frame) for a in args])`` specialised by arity, converting stray Python
    exceptions into PfaRuntimeError."""
    n = len(args)
    if n == 0:
        def call0(frame: Frame) -> Any:
            try:
                return impl()
            except (PfaError, RecursionError):
                raise
            except Exception as exc:
                raise unexpected(exc, name) from exc
        return call0
    if n == 1:
        a = args[0]

        def call1(frame: Frame) -> Any:
            try:
                return impl(a(frame))
            except (PfaError, RecursionError):
                raise
            except Exception as exc:
                raise unexpected(exc, name) from exc
        return call1
    if n == 2 and _is_const(args[1]) and not _is_const(args[0]):
        a = args[0]
        bv = args[1].value  # type: ignore[attr-defined]

        def call2c(frame: Frame) -> Any:
            try:
                return impl(a(frame), bv)
            except (PfaError, RecursionError):
                raise
            except Exception as exc:
                raise unexpected(exc, name) from exc
        return call2c
    if n == 2 and _is_const(args[0]) and not _is_const(args[1]):
        av = args[0].value  # type: ignore[attr-defined]
        b = args[1]

        def callc2(frame: Frame) -> Any:
            try:
                return impl(av, b(frame))
            except (PfaError, RecursionError):
                raise
            except Exception as exc:
                raise unexpected(exc, name) from exc
        return callc2
    if n == 2:
        a, b = args

        def call2(frame: Frame) -> Any:
            try:
                return impl(a(frame), b(frame))
            except (PfaError, RecursionError):
                raise
            except Exception as exc:
                raise unexpected(exc, name) from exc
        return call2
    if n == 3:
        a, b, c = args

        def call3(frame: Frame) -> Any:
            try:
                return impl(a(frame), b(frame), c(frame))
            except (PfaError, RecursionError):
                raise
            except Exception as exc:
                raise unexpected(exc, name) from exc
        return call3
    fs = tuple(args)

    def calln(frame: Frame) -> Any:
        try:
            return impl(*[g(frame) for g in fs])
        except (PfaError, RecursionError):
            raise
        except Exception as exc:
            raise unexpected(exc, name) from exc
    return calln


def _bind_lazy_call(impl: Callable[..., Any], args: list[Compiled], name: str) -> Compiled:
    """Like :func:`_bind_call` but every argument is passed as a zero-argument thunk."""
    fs = tuple(args)
    if len(fs) == 2:
        a, b = fs

        def lazy2(frame: Frame) -> Any:
            try:
                return impl(partial(a, frame), partial(b, frame))
            except (PfaError, RecursionError):
                raise
            except Exception as exc:
                raise unexpected(exc, name) from exc
        return lazy2

    def lazyn(frame: Frame) -> Any:
        try:
            return impl(*[partial(g, frame) for g in fs])
        except (PfaError, RecursionError):
            raise
        except Exception as exc:
            raise unexpected(exc, name) from exc
    return lazyn


def _frame_invoker(body: Compiled, nparams: int, nslots: int,
                   template: list[Any] | None = None, entry_check: Callable[[], None] | None
                   = None) -> Callable[..., Any]:
    """A Python function of ``nparams`` positional arguments running ``body`` in a new frame
    of ``nslots`` slots (initialised from ``template`` when given)."""
    pad = (None,) * (nslots - nparams)
    if template is not None:
        tpl = template

        def invoke_tpl(*args: Any) -> Any:
            if entry_check is not None:
                entry_check()
            frame = tpl.copy()
            frame[:nparams] = args
            return body(frame)
        return invoke_tpl
    if entry_check is not None:
        def invoke_checked(*args: Any) -> Any:
            entry_check()
            return body([*args, *pad])
        return invoke_checked
    if nparams == 0:
        def invoke0() -> Any:
            return body([*pad])
        return invoke0
    if nparams == 1:
        def invoke1(a: Any) -> Any:
            return body([a, *pad])
        return invoke1
    if nparams == 2:
        def invoke2(a: Any, b: Any) -> Any:
            return body([a, b, *pad])
        return invoke2

    def invoke(*args: Any) -> Any:
        return body([*args, *pad])
    return invoke


# =============================================================================================
# the compiler
# =============================================================================================

def _replacement(is_fn: bool, to: Compiled) -> Callable[[Frame], Callable[[Any], Any]]:
    """For cell-to/pool-to/attr-to: the update function of one evaluation of ``to`` (a
    function of the old value, or a constant value that replaces it)."""
    if is_fn:
        return to

    def constant(frame: Frame) -> Callable[[Any], Any]:
        new = to(frame)
        return lambda old: new
    return constant


class CompiledRoutine:
    """A compiled begin/action/end/merge routine: ``run(*predefined) -> value``."""

    __slots__ = ("run", "nslots", "empty")

    def __init__(self, run: Callable[..., Any], nslots: int, empty: bool):
        self.run = run
        self.nslots = nslots
        self.empty = empty


class Compiler(BlockScopes):
    """Compiles one typed document for one engine (library functions are bound with this
    engine's context, cells and pools with this engine's state)."""

    def __init__(self, typed: Any, ctx: EngineContext, state: EngineState,
                 timeouts: bool = False):
        self.typed = typed
        self.doc: A.PfaDocument = typed.doc
        self.ctx = ctx
        self.state = state
        self.timeouts = timeouts
        self.method = self.doc.method
        self.output_type = typed.output_type
        self.scope = FnScope()
        self.routine = "action"
        self.kernels_used: list[tuple[A.Node, Callable[..., Any]]] = []
        """The nodes compiled by a shape-specific kernel, and the kernel (for explain)."""
        self.fcns: dict[str, UserFunction] = {}
        for name, fdef in self.doc.fcns.items():
            short = name[2:] if name.startswith("u.") else name
            self.fcns["u." + short] = UserFunction(
                "u." + short, [p.type.avro for p in fdef.params], fdef.ret.avro,
                [p.name for p in fdef.params])
        for name, fdef in self.doc.fcns.items():
            short = name[2:] if name.startswith("u.") else name
            self._compile_user_function(self.fcns["u." + short], fdef)

    # -- entry points -----------------------------------------------------------------------
    def compile_routine(self, routine: str, body: list[A.Expr],
                        params: list[tuple[str, Any]], ret_type: Any = None) -> CompiledRoutine:
        """Compile a top-level routine whose predefined local symbols are ``params`` (passed
        positionally to ``run``); the result is promoted to ``ret_type`` if given."""
        saved = self.scope, self.routine
        self.scope = FnScope()
        self.routine = routine
        try:
            for pname, ptype in params:
                self.scope.declare(pname, ptype)
            fs = [self.expr(e) for e in body]
            f = sequence(fs)
            if ret_type is not None and body:
                f = apply_coercion(f, coercer(ret_type, body[-1].type))
            run = _frame_invoker(f, len(params), max(self.scope.nslots, len(params)))
            return CompiledRoutine(run, self.scope.nslots, not body)
        finally:
            self.scope, self.routine = saved

    def _compile_user_function(self, uf: UserFunction, fdef: A.FcnDef) -> None:
        saved = self.scope, self.routine
        self.scope = FnScope()
        self.routine = uf.name
        try:
            for p in fdef.params:
                self.scope.declare(p.name, p.type.avro)
            body = self._body(fdef.body, fdef.ret.avro)
            uf.invoke = _frame_invoker(body, len(fdef.params),
                                       max(self.scope.nslots, len(fdef.params)),
                                       entry_check=self.ctx.check_time if self.timeouts
                                       else None)
        finally:
            self.scope, self.routine = saved

    def _body(self, exprs: list[A.Expr], ret_type: Any = None) -> Compiled:
        fs = [self.expr(e) for e in exprs]
        f = sequence(fs)
        if ret_type is not None and exprs:
            f = apply_coercion(f, coercer(ret_type, exprs[-1].type))
        return f

    # -- dispatch ---------------------------------------------------------------------------
    def expr(self, node: A.Expr) -> Compiled:
        method = getattr(self, "c_" + type(node).__name__, None)
        if method is None:
            raise PfaSemanticError(f"the engine cannot compile {type(node).__name__}",
                                   getattr(node, "path", None))
        return method(node)

    def _typed_expr(self, node: A.Expr, expected: Any) -> Compiled:
        return apply_coercion(self.expr(node), coercer(expected, node.type))

    # -- literals and symbols ---------------------------------------------------------------
    def c_LiteralNull(self, node: A.LiteralNull) -> Compiled:
        return const(None)

    def c_LiteralBoolean(self, node: A.LiteralBoolean) -> Compiled:
        return const(bool(node.value))

    def c_LiteralInt(self, node: A.LiteralInt) -> Compiled:
        return const(int(node.value))

    def c_LiteralLong(self, node: A.LiteralLong) -> Compiled:
        return const(int(node.value))

    def c_LiteralFloat(self, node: A.LiteralFloat) -> Compiled:
        return const(f32(float(node.value)))

    def c_LiteralDouble(self, node: A.LiteralDouble) -> Compiled:
        return const(float(node.value))

    def c_LiteralString(self, node: A.LiteralString) -> Compiled:
        return const(node.value)

    def c_LiteralBase64(self, node: A.LiteralBase64) -> Compiled:
        return const(bytes(node.value))

    def c_Literal(self, node: A.Literal) -> Compiled:
        t = node.avro_type.avro
        try:
            return const(decode_json(t, node.value, node.path))
        except AvroDataError as err:
            raise PfaSemanticError(f"literal does not match its type: {err}", node.path) from err

    def c_Ref(self, node: A.Ref) -> Compiled:
        hit = self.scope.lookup(node.name)
        if hit is not None:
            return itemgetter(hit[0])
        ctx = self.ctx
        name = node.name
        if name == "name":
            return const(ctx.name)
        if name == "instance":
            return const(ctx.instance)
        if name == "version" and ctx.version is not None:
            return const(ctx.version)
        if name == "metadata":
            return const(dict(ctx.metadata))
        if name == "actionsStarted":
            return lambda frame: ctx.actions_started
        if name == "actionsFinished":
            return lambda frame: ctx.actions_finished
        raise PfaSemanticError(f"unknown symbol {name!r}", node.path)

    # -- function calls ---------------------------------------------------------------------
    def _registry_get(self, name: str) -> Any:
        return registry.get(name)

    def c_Call(self, node: A.Call) -> Compiled:
        name = node.name
        if name in self.fcns:
            return self._call_user(node, self.fcns[name])
        if name == "emit" and self.method == "emit":
            return self._call_emit(node)
        fused = _kernel("call", self, node)
        if fused is not None:
            return fused
        impl, lazy, param_types = self.bind_library(node)
        args = []
        for i, a in enumerate(node.args):
            ptype = param_types[i] if i < len(param_types) else None
            args.append(self.argument(a, ptype))
        if lazy:
            return _bind_lazy_call(impl, args, name)
        return _bind_call(impl, args, name)

    def bind_library(self, node: A.Call) -> tuple[Callable[..., Any], bool, tuple[Any, ...]]:
        """(implementation bound for this call site, lazy?, parameter types)."""
        name = node.name
        resolved = node.resolved
        entry = self._registry_get(name)
        if entry is None or entry.bind_scalar is None:
            raise PfaSemanticError(f"library function {name!r} is not implemented", node.path)
        if resolved is not None:
            param_types = tuple(resolved.param_types)
            ret_type = resolved.ret_type
            labels = dict(resolved.labels or {})
            sig_index = resolved.sig_index
        else:
            param_types = tuple(self.arg_type(a) for a in node.args)
            ret_type, labels, sig_index = node.type, {}, 0
        arg_types = tuple(self.arg_type(a) for a in node.args)
        site = CallSite(name=name, arg_types=arg_types, ret_type=ret_type,
                        param_types=param_types, labels=labels, sig_index=sig_index,
                        context=self.ctx)
        return entry.scalar_for(site), entry.lazy, param_types

    def _eta_reduced(self, fdef: A.FcnDef, ptype: Any) -> Callable[..., Any] | None:
        """The bound library implementation itself when an inline function only forwards its
        parameters, in order and unconverted, to one library function (a common shape in
        exported models: ``{"params": [a, b], "do": {"f": ["a", "b"]}}``); else None."""
        if self.timeouts or len(fdef.body) != 1:
            return None
        call = fdef.body[0]
        if type(call) is not A.Call or call.name in self.fcns or call.name == "emit":
            return None
        if len(call.args) != len(fdef.params):
            return None
        for arg, p in zip(call.args, fdef.params):
            if type(arg) is not A.Ref or arg.name != p.name:
                return None
        entry = self._registry_get(call.name)
        if entry is None or entry.bind_scalar is None or entry.lazy:
            return None
        impl, _, param_types = self.bind_library(call)
        if len(param_types) != len(fdef.params):
            return None
        for p, t in zip(fdef.params, param_types):
            if coercer(t, p.type.avro) is not None:
                return None
        if coercer(fdef.ret.avro, call.type) is not None:
            return None
        want_ret = getattr(ptype, "ret", None)
        if want_ret is not None and coercer(want_ret, fdef.ret.avro) is not None:
            return None
        return impl

    def arg_type(self, a: Any) -> Any:
        """The type of argument ``a`` of a call (an expression's type, or a function type)."""
        if isinstance(a, A.FcnDef):
            return fcn_type(tuple(p.type.avro for p in a.params), a.ret.avro)
        if isinstance(a, A.FcnRef):
            return self._fcnref_type(a)
        return a.type

    def _fcnref_type(self, ref: A.FcnRef) -> Any:
        fill = ref.fill or {}
        if ref.name in self.fcns:
            uf = self.fcns[ref.name]
            params = tuple(t for n, t in zip(uf.param_names, uf.params) if n not in fill)
            return fcn_type(params, uf.ret)
        r = ref.resolved
        if r is None:
            return None
        names = _lib_param_names(ref.name, r.sig_index, len(r.param_types))
        params = tuple(t for n, t in zip(names, r.param_types) if n not in fill)
        return fcn_type(params, r.ret_type)

    def argument(self, a: Any, ptype: Any) -> Compiled:
        """An argument of a library call: an expression, or a function (whose compiled form
        returns a Python callable)."""
        if isinstance(a, A.FcnDef):
            return self._inline_function(a, ptype)
        if isinstance(a, A.FcnRef):
            return self._fcnref(a)
        return self._typed_expr(a, ptype)

    def _call_user(self, node: A.Call, uf: UserFunction) -> Compiled:
        args = [self._typed_expr(a, t) for a, t in zip(node.args, uf.params)]
        n = len(args)
        if n == 0:
            return lambda frame: uf.invoke()
        if n == 1:
            a = args[0]
            return lambda frame: uf.invoke(a(frame))
        if n == 2:
            a, b = args
            return lambda frame: uf.invoke(a(frame), b(frame))
        if n == 3:
            a, b, c = args
            return lambda frame: uf.invoke(a(frame), b(frame), c(frame))
        fs = tuple(args)
        return lambda frame: uf.invoke(*[g(frame) for g in fs])

    def _call_emit(self, node: A.Call) -> Compiled:
        if len(node.args) != 1:
            raise PfaSemanticError("emit takes exactly one argument", node.path)
        a = self._typed_expr(node.args[0], self.output_type)
        ctx = self.ctx

        def emit(frame: Frame) -> None:
            ctx.emit(a(frame))
        return emit

    def _inline_function(self, fdef: A.FcnDef, ptype: Any = None) -> Compiled:
        """Compile an inline fcndef; the compiled closure returns a Python callable."""
        direct = self._eta_reduced(fdef, ptype) or _kernel("fcndef", self, fdef, ptype)
        if direct is not None:
            return const(direct)
        saved = self.scope
        inner = FnScope(parent=saved)
        self.scope = inner
        try:
            for p in fdef.params:
                inner.declare(p.name, p.type.avro)
            ret = fdef.ret.avro
            body = self._body(fdef.body, ret)
            # the callee may expect a wider return type (e.g. double for an int function)
            want_ret = getattr(ptype, "ret", None)
            if want_ret is not None:
                body = apply_coercion(body, coercer(want_ret, ret))
        finally:
            self.scope = saved
        nparams = len(fdef.params)
        nslots = max(inner.nslots, nparams)
        check = self.ctx.check_time if self.timeouts else None
        captures = tuple(inner.captures)
        if not captures:
            fn = _frame_invoker(body, nparams, nslots, entry_check=check)
            return const(fn)

        def make_closure(frame: Frame) -> Callable[..., Any]:
            tpl = [None] * nslots
            for outer, local in captures:
                tpl[local] = frame[outer]
            return _frame_invoker(body, nparams, nslots, template=tpl, entry_check=check)
        return make_closure

    def _fcnref(self, ref: A.FcnRef) -> Compiled:
        """A function reference (possibly with ``fill``): compiled to a closure returning a
        Python callable."""
        fill = ref.fill or {}
        name = ref.name
        if name in self.fcns:
            uf = self.fcns[name]
            names = uf.param_names
            ptypes = uf.params

            def target_of() -> Callable[..., Any]:
                return uf.invoke
            if not fill:
                return lambda frame: uf.invoke
            lazy = False
            impl_getter = target_of
        elif name == "emit" and self.method == "emit":
            ctx = self.ctx
            if not fill:
                return const(lambda v: ctx.emit(v))
            names, ptypes, lazy = ["x"], [self.output_type], False

            def emit_target() -> Callable[..., Any]:
                return lambda v: ctx.emit(v)
            impl_getter = emit_target
        else:
            r = ref.resolved
            if r is None:
                raise PfaSemanticError(f"function reference {name!r} was not resolved",
                                       ref.path)
            entry = self._registry_get(name)
            if entry is None or entry.bind_scalar is None:
                raise PfaSemanticError(f"library function {name!r} is not implemented",
                                       ref.path)
            ptypes = list(r.param_types)
            names = _lib_param_names(name, r.sig_index, len(ptypes))
            site = CallSite(name=name, arg_types=tuple(ptypes), ret_type=r.ret_type,
                            param_types=tuple(ptypes), labels=dict(r.labels or {}),
                            sig_index=r.sig_index, context=self.ctx)
            impl = entry.scalar_for(site)
            lazy = entry.lazy
            if lazy:
                raw_impl = impl

                def impl(*args: Any) -> Any:
                    return raw_impl(*[(lambda v=v: v) for v in args])

            def wrapped(*args: Any, _impl=impl) -> Any:
                try:
                    return _impl(*args)
                except (PfaError, RecursionError):
                    raise
                except Exception as exc:
                    raise unexpected(exc, name) from exc
            if self.timeouts:  # a library function passed to a loop looks at the clock
                unchecked, check = wrapped, self.ctx.check_time

                def wrapped(*args: Any) -> Any:
                    check()
                    return unchecked(*args)
            if not fill:
                return const(wrapped)

            def impl_getter(w: Callable[..., Any] = wrapped) -> Callable[..., Any]:
                return w
        # partial application: the fill expressions are evaluated on every call
        unknown = [k for k in fill if k not in names]
        if unknown:
            raise PfaSemanticError(f"fcnref {name!r} has no parameter {unknown[0]!r}", ref.path)
        plan: list[tuple[bool, Any]] = []  # (is_fill, compiled fill expression or None)
        for pname, ptype in zip(names, ptypes):
            if pname in fill:
                plan.append((True, self._typed_expr(fill[pname], ptype)))
            else:
                plan.append((False, None))
        plan_t = tuple(plan)

        def make_partial(frame: Frame) -> Callable[..., Any]:
            target = impl_getter()

            def filled(*args: Any) -> Any:
                it = iter(args)
                full = [g(frame) if is_fill else next(it) for is_fill, g in plan_t]
                return target(*full)
            return filled
        return make_partial

    def c_CallUserFcn(self, node: A.CallUserFcn) -> Compiled:
        enum_type = node.fcn.type
        symbols = getattr(enum_type, "symbols", None)
        if symbols is None:
            raise PfaSemanticError("call needs an enum naming user functions", node.path)
        sel = self.expr(node.fcn)
        arg_fs = [self.expr(a) for a in node.args]
        table: dict[str, Callable[[list[Any]], Any]] = {}
        for sym in symbols:
            uf = self.fcns.get("u." + sym)
            if uf is None:
                raise PfaSemanticError(f"call: no user function u.{sym}", node.path)
            convs = [coercer(t, a.type) for t, a in zip(uf.params, node.args)]
            if any(convs):
                def target(vals: list[Any], uf=uf, convs=convs) -> Any:
                    return uf.invoke(*[c(v) if c else v for c, v in zip(convs, vals)])
            else:
                def target(vals: list[Any], uf=uf) -> Any:
                    return uf.invoke(*vals)
            table[sym] = target
        fs = tuple(arg_fs)

        def call_by_enum(frame: Frame) -> Any:
            return table[sel(frame)]([g(frame) for g in fs])
        return call_by_enum

    # -- data construction ------------------------------------------------------------------
    def c_NewObject(self, node: A.NewObject) -> Compiled:
        t = node.avro_type.avro
        if isinstance(t, AvroRecord):
            items = []
            for f in t.fields:
                if f.name not in node.fields:
                    raise PfaSemanticError(f"new record is missing field {f.name!r}", node.path)
                items.append((f.name, self._typed_expr(node.fields[f.name], f.type)))
        elif isinstance(t, AvroMap):
            items = [(k, self._typed_expr(e, t.values)) for k, e in node.fields.items()]
        else:
            raise PfaSemanticError("new with an object needs a record or map type", node.path)
        if all(_is_const(g) for _, g in items):
            return const({k: g.value for k, g in items})  # type: ignore[attr-defined]
        pairs = tuple(items)
        if len(pairs) == 2:
            (k1, g1), (k2, g2) = pairs
            return lambda frame: {k1: g1(frame), k2: g2(frame)}
        return lambda frame: {k: g(frame) for k, g in pairs}

    def c_NewArray(self, node: A.NewArray) -> Compiled:
        t = node.avro_type.avro
        if not isinstance(t, AvroArray):
            raise PfaSemanticError("new with a list needs an array type", node.path)
        fs = tuple(self._typed_expr(e, t.items) for e in node.items)
        if all(_is_const(g) for g in fs):
            return const([g.value for g in fs])  # type: ignore[attr-defined]
        gathered = _kernel("new_array", self, node)
        if gathered is not None:
            return gathered
        return lambda frame: [g(frame) for g in fs]

    # -- symbols ----------------------------------------------------------------------------
    def c_Let(self, node: A.Let) -> Compiled:
        values = [(name, self.expr(e), e.type) for name, e in node.values.items()]
        assigns = [(self.scope.declare(name, t), f) for name, f, t in values]
        if len(assigns) == 1:
            slot, f = assigns[0]

            def let1(frame: Frame) -> None:
                frame[slot] = f(frame)
            return let1
        pairs = tuple(assigns)

        def letn(frame: Frame) -> None:
            for s, g in pairs:
                frame[s] = g(frame)
        return letn

    def c_SetVar(self, node: A.SetVar) -> Compiled:
        assigns = []
        for name, e in node.values.items():
            hit = self.scope.lookup(name)
            if hit is None:
                raise PfaSemanticError(f"set of unknown symbol {name!r}", node.path)
            slot, t = hit
            assigns.append((slot, self._typed_expr(e, t)))
        if len(assigns) == 1:
            slot, f = assigns[0]

            def set1(frame: Frame) -> None:
                frame[slot] = f(frame)
            return set1
        slots = tuple(s for s, _ in assigns)
        fs = tuple(f for _, f in assigns)

        def setn(frame: Frame) -> None:
            vals = [g(frame) for g in fs]  # all new values see the old bindings
            for s, v in zip(slots, vals):
                frame[s] = v
        return setn

    # -- paths (attr, cell, pool) -----------------------------------------------------------
    def _path_steps(self, t: Any, path: list[A.Expr], node: A.Node
                    ) -> tuple[list[tuple[str, Any]], Any]:
        """Compile a path walking down from type ``t``: a list of (kind, key) where kind is
        "a" (array: key is a compiled int expression), "m" (map: compiled string expression)
        or "r" (record: the literal field name); and the type at the end."""
        steps = []
        for p in path:
            if isinstance(t, AvroArray):
                steps.append(("a", self.expr(p)))
                t = t.items
            elif isinstance(t, AvroMap):
                steps.append(("m", self.expr(p)))
                t = t.values
            elif isinstance(t, AvroRecord):
                key = literal_string(p)
                if key is None or t.field(key) is None:
                    raise PfaSemanticError("a record path element must be a literal field name",
                                           getattr(node, "path", None))
                steps.append(("r", key))
                t = t.field(key).type
            else:
                raise PfaSemanticError(f"cannot walk a path into a value of type {t}",
                                       getattr(node, "path", None))
        return steps, t

    @staticmethod
    def _getter(steps: list[tuple[str, Any]], codes: tuple[int, int], fcn: str
                ) -> Callable[[Any, Frame], Any]:
        """``get(value, frame)``: the element at the end of the path."""
        acode, mcode = codes
        steps_t = tuple(steps)
        if len(steps_t) == 1:
            kind, key = steps_t[0]
            if kind == "r":
                return lambda v, frame: v[key]
            if kind == "a":
                def get_index(v: Any, frame: Frame) -> Any:
                    i = key(frame)
                    if 0 <= i < len(v):
                        return v[i]
                    raise PfaRuntimeError(acode, "array index not found", fcn)
                return get_index

            def get_key(v: Any, frame: Frame) -> Any:
                try:
                    return v[key(frame)]
                except KeyError:
                    raise PfaRuntimeError(mcode, "map key not found", fcn) from None
            return get_key

        def get_path(v: Any, frame: Frame) -> Any:
            for kind, key in steps_t:
                if kind == "r":
                    v = v[key]
                elif kind == "a":
                    i = key(frame)
                    if 0 <= i < len(v):
                        v = v[i]
                    else:
                        raise PfaRuntimeError(acode, "array index not found", fcn)
                else:
                    try:
                        v = v[key(frame)]
                    except KeyError:
                        raise PfaRuntimeError(mcode, "map key not found", fcn) from None
            return v
        return get_path

    @staticmethod
    def _setter(steps: list[tuple[str, Any]], codes: tuple[int, int], fcn: str
                ) -> Callable[[Any, list[Any], Callable[[Any], Any]], Any]:
        """``update(value, keys, fn)``: a copy of ``value`` with the element at the end of the
        path replaced by ``fn(old element)`` (``keys`` are the evaluated path keys)."""
        acode, mcode = codes
        kinds = tuple(k for k, _ in steps)
        n = len(kinds)

        def update(v: Any, keys: list[Any], fn: Callable[[Any], Any], i: int = 0) -> Any:
            if i == n:
                return fn(v)
            kind = kinds[i]
            k = keys[i]
            if kind == "a":
                if not 0 <= k < len(v):
                    raise PfaRuntimeError(acode, "array index not found", fcn)
                out = list(v)
            elif kind == "m":
                if k not in v:
                    raise PfaRuntimeError(mcode, "map key not found", fcn)
                out = dict(v)
            else:
                out = dict(v)
            out[k] = update(v[k], keys, fn, i + 1)
            return out
        return update

    @staticmethod
    def _keys_evaluator(steps: list[tuple[str, Any]]) -> Callable[[Frame], list[Any]]:
        parts = tuple((kind == "r", key) for kind, key in steps)
        return lambda frame: [key if lit else key(frame) for lit, key in parts]

    def _to_function(self, to: Any, elem_type: Any) -> tuple[bool, Compiled]:
        """(is_function, compiled): the ``to`` of attr-to/cell-to/pool-to."""
        if isinstance(to, A.FcnDef):
            return True, self._inline_function(to, fcn_type((elem_type,), elem_type))
        if isinstance(to, A.FcnRef):
            return True, self._fcnref(to)
        return False, self._typed_expr(to, elem_type)

    def c_AttrGet(self, node: A.AttrGet) -> Compiled:
        base = self.expr(node.expr)
        steps, _ = self._path_steps(node.expr.type, node.indexes, node)
        get = self._getter(steps, (2000, 2001), "attr")
        slot = base.__reduce__()[1][0] if isinstance(base, itemgetter) else None
        if all(kind == "r" for kind, _ in steps):
            keys = tuple(k for _, k in steps)
            if len(keys) == 1:
                key = keys[0]
                if slot is not None:
                    return lambda frame: frame[slot][key]
                return lambda frame: base(frame)[key]
            if len(keys) == 2:
                k1, k2 = keys
                if slot is not None:
                    return lambda frame: frame[slot][k1][k2]
                return lambda frame: base(frame)[k1][k2]
        if len(steps) == 1 and steps[0][0] == "a" and _is_const(steps[0][1]):
            index = steps[0][1].value
            if index >= 0:
                def get_const_index(frame: Frame) -> Any:
                    v = frame[slot] if slot is not None else base(frame)
                    try:
                        return v[index]
                    except IndexError:
                        raise PfaRuntimeError(2000, "array index not found", "attr") from None
                return get_const_index
        return lambda frame: get(base(frame), frame)

    def c_AttrTo(self, node: A.AttrTo) -> Compiled:
        base = self.expr(node.expr)
        steps, elem_type = self._path_steps(node.expr.type, node.indexes, node)
        update = self._setter(steps, (2002, 2003), "attr-to")
        keys_of = self._keys_evaluator(steps)
        is_fn, to = self._to_function(node.to, elem_type)
        if is_fn:
            def attr_to_fn(frame: Frame) -> Any:
                v = base(frame)
                keys = keys_of(frame)
                return update(v, keys, to(frame))
            return attr_to_fn

        def attr_to_value(frame: Frame) -> Any:
            v = base(frame)
            keys = keys_of(frame)
            new = to(frame)
            return update(v, keys, lambda old: new)
        return attr_to_value

    def _cell(self, name: str, node: A.Node) -> Any:
        cell = self.state.cells.get(name)
        if cell is None:
            raise PfaSemanticError(f"unknown cell {name!r}", getattr(node, "path", None))
        return cell

    def _pool(self, name: str, node: A.Node) -> Any:
        pool = self.state.pools.get(name)
        if pool is None:
            raise PfaSemanticError(f"unknown pool {name!r}", getattr(node, "path", None))
        return pool

    def c_CellGet(self, node: A.CellGet) -> Compiled:
        cell = self._cell(node.cell, node)
        if not node.indexes:
            return lambda frame: cell.value
        steps, _ = self._path_steps(cell.type, node.indexes, node)
        get = self._getter(steps, (2004, 2005), "cell")
        return lambda frame: get(cell.value, frame)

    def c_CellTo(self, node: A.CellTo) -> Compiled:
        cell = self._cell(node.cell, node)
        steps, elem_type = self._path_steps(cell.type, node.indexes or [], node)
        is_fn, to = self._to_function(node.to, elem_type)
        lock = cell.lock
        if not steps:
            if is_fn:
                if lock is None:
                    def cell_to_fn(frame: Frame) -> Any:
                        fn = to(frame)
                        new = cell.value = fn(cell.value)
                        return new
                    return cell_to_fn

                def shared_cell_to_fn(frame: Frame) -> Any:
                    fn = to(frame)
                    with lock:
                        new = cell.value = fn(cell.value)
                    return new
                return shared_cell_to_fn
            if lock is None:
                def cell_to_value(frame: Frame) -> Any:
                    new = cell.value = to(frame)
                    return new
                return cell_to_value

            def shared_cell_to_value(frame: Frame) -> Any:
                new = to(frame)
                with lock:
                    cell.value = new
                return new
            return shared_cell_to_value
        update = self._setter(steps, (2006, 2007), "cell-to")
        keys_of = self._keys_evaluator(steps)

        fn_of = _replacement(is_fn, to)

        def cell_to_path(frame: Frame) -> Any:
            keys = keys_of(frame)
            fn = fn_of(frame)
            if lock is None:
                new = cell.value = update(cell.value, keys, fn)
                return new
            with lock:
                new = cell.value = update(cell.value, keys, fn)
            return new
        return cell_to_path

    def _pool_path(self, node: A.PoolGet | A.PoolTo, form: str) -> tuple[Any, Compiled, list,
                                                                        Any]:
        """(pool, key evaluator, steps below the item, element type) of a pool form."""
        pool = self._pool(node.pool, node)
        if not node.indexes:
            raise PfaSemanticError(f"{form} needs a non-empty path", node.path)
        steps, elem_type = self._path_steps(pool.type, node.indexes[1:], node)
        return pool, self.expr(node.indexes[0]), steps, elem_type

    def c_PoolGet(self, node: A.PoolGet) -> Compiled:
        pool, key_f, steps, _ = self._pool_path(node, "pool")
        items = pool.items
        if not steps:
            def pool_get(frame: Frame) -> Any:
                try:
                    return items[key_f(frame)]
                except KeyError:
                    raise PfaRuntimeError(2009, "map key not found", "pool") from None
            return pool_get
        get = self._getter(steps, (2008, 2009), "pool")

        def pool_get_path(frame: Frame) -> Any:
            try:
                v = items[key_f(frame)]
            except KeyError:
                raise PfaRuntimeError(2009, "map key not found", "pool") from None
            return get(v, frame)
        return pool_get_path

    def c_PoolTo(self, node: A.PoolTo) -> Compiled:
        pool, key_f, steps, elem_type = self._pool_path(node, "pool-to")
        items = pool.items
        is_fn, to = self._to_function(node.to, elem_type)
        init = self._typed_expr(node.init, pool.type) if node.init is not None else None
        update = self._setter(steps, (2010, 2011), "pool-to")
        keys_of = self._keys_evaluator(steps)
        journal = self.state.journals.get(pool.name)
        shared = pool.shared

        fn_of = _replacement(is_fn, to)

        def pool_to(frame: Frame) -> Any:
            key = key_f(frame)
            keys = keys_of(frame)
            fn = fn_of(frame)
            lock = pool.lock_for(key) if shared else None
            if lock is not None:
                lock.acquire()
            try:
                old = items.get(key, MISSING)
                if old is MISSING:
                    if init is None:
                        raise PfaRuntimeError(2011, "map key not found", "pool-to")
                    start = init(frame)
                else:
                    start = old
                new = update(start, keys, fn)
                if journal is not None and key not in journal:
                    journal[key] = old
                items[key] = new
            finally:
                if lock is not None:
                    lock.release()
            return new
        return pool_to

    def c_PoolDel(self, node: A.PoolDel) -> Compiled:
        pool = self._pool(node.pool, node)
        items = pool.items
        key_f = self.expr(node.key)
        journal = self.state.journals.get(pool.name)
        shared = pool.shared

        def pool_del(frame: Frame) -> None:
            key = key_f(frame)
            lock = pool.lock_for(key) if shared else None
            if lock is not None:
                lock.acquire()
            try:
                old = items.pop(key, MISSING)
                if journal is not None and old is not MISSING and key not in journal:
                    journal[key] = old
            finally:
                if lock is not None:
                    lock.release()
            return None
        return pool_del

    # -- control flow -----------------------------------------------------------------------
    def c_Do(self, node: A.Do) -> Compiled:
        return self._block(node.body, node.type if node.body else None)

    def c_If(self, node: A.If) -> Compiled:
        pred = self.expr(node.predicate)
        special = _kernel("if", self, node)
        if special is not None:
            return special
        if node.else_ is None:
            then = self._block(node.then)

            def if_then(frame: Frame) -> None:
                if pred(frame):
                    then(frame)
            return if_then
        then = self._block(node.then, node.type)
        other = self._block(node.else_, node.type)

        def if_else(frame: Frame) -> Any:
            if pred(frame):
                return then(frame)
            return other(frame)
        return if_else

    def c_Cond(self, node: A.Cond) -> Compiled:
        has_else = node.else_ is not None
        rt = node.type if has_else else None
        clauses = tuple((self.expr(c.predicate), self._block(c.then, rt)) for c in node.clauses)
        other = self._block(node.else_, rt) if has_else else None

        def cond(frame: Frame) -> Any:
            for p, body in clauses:
                if p(frame):
                    v = body(frame)
                    return v if has_else else None
            if other is not None:
                return other(frame)
            return None
        return cond

    def c_While(self, node: A.While) -> Compiled:
        pred = self.expr(node.predicate)
        body = self._block(node.body)
        if self.timeouts:
            ctx = self.ctx

            def while_checked(frame: Frame) -> None:
                while pred(frame):
                    body(frame)
                    if perf_counter() > ctx.deadline:
                        raise ctx.timeout_error()
            return while_checked

        def while_loop(frame: Frame) -> None:
            while pred(frame):
                body(frame)
        return while_loop

    def c_DoUntil(self, node: A.DoUntil) -> Compiled:
        body = self._block(node.body)
        pred = self.expr(node.predicate)
        if self.timeouts:
            ctx = self.ctx

            def do_until_checked(frame: Frame) -> None:
                while True:
                    body(frame)
                    if pred(frame):
                        return None
                    if perf_counter() > ctx.deadline:
                        raise ctx.timeout_error()
            return do_until_checked

        def do_until(frame: Frame) -> None:
            while True:
                body(frame)
                if pred(frame):
                    return None
        return do_until

    def c_For(self, node: A.For) -> Compiled:
        self.scope.push()
        try:
            inits = [(name, self.expr(e), e.type) for name, e in node.init.items()]
            init_assigns = tuple((self.scope.declare(name, t), f) for name, f, t in inits)
            pred = self.expr(node.predicate)
            steps = []
            for name, e in node.step.items():
                hit = self.scope.lookup(name)
                if hit is None:
                    raise PfaSemanticError(f"for step of unknown symbol {name!r}", node.path)
                steps.append((hit[0], self._typed_expr(e, hit[1])))
            body = self._block(node.body)
        finally:
            self.scope.pop()
        step_slots = tuple(s for s, _ in steps)
        step_fs = tuple(f for _, f in steps)
        single = len(steps) == 1
        timeouts = self.timeouts
        ctx = self.ctx

        def for_loop(frame: Frame) -> None:
            for s, g in init_assigns:
                frame[s] = g(frame)
            while pred(frame):
                body(frame)
                if single:
                    frame[step_slots[0]] = step_fs[0](frame)
                else:
                    vals = [g(frame) for g in step_fs]
                    for s, v in zip(step_slots, vals):
                        frame[s] = v
                if timeouts and perf_counter() > ctx.deadline:
                    raise ctx.timeout_error()
        return for_loop

    def c_Foreach(self, node: A.Foreach) -> Compiled:
        arr = self.expr(node.array)
        self.scope.push()
        try:
            at = node.array.type
            slot = self.scope.declare(node.name, getattr(at, "items", None))
            body = self._block(node.body)
        finally:
            self.scope.pop()
        if self.timeouts:
            ctx = self.ctx

            def foreach_checked(frame: Frame) -> None:
                for x in arr(frame):
                    frame[slot] = x
                    body(frame)
                    if perf_counter() > ctx.deadline:
                        raise ctx.timeout_error()
            return foreach_checked

        def foreach(frame: Frame) -> None:
            for x in arr(frame):
                frame[slot] = x
                body(frame)
        return foreach

    def c_Forkeyval(self, node: A.Forkeyval) -> Compiled:
        m = self.expr(node.map)
        self.scope.push()
        try:
            kslot = self.scope.declare(node.forkey, STRING)
            vslot = self.scope.declare(node.forval, getattr(node.map.type, "values", None))
            body = self._block(node.body)
        finally:
            self.scope.pop()
        timeouts = self.timeouts
        ctx = self.ctx

        def forkeyval(frame: Frame) -> None:
            for k, v in m(frame).items():
                frame[kslot] = k
                frame[vslot] = v
                body(frame)
                if timeouts and perf_counter() > ctx.deadline:
                    raise ctx.timeout_error()
        return forkeyval

    # -- casts --------------------------------------------------------------------------------
    def c_CastBlock(self, node: A.CastBlock) -> Compiled:
        value = self.expr(node.expr)
        xt = node.expr.type
        rt = None if node.partial else node.type
        cases = []
        for case in node.cases:
            ct = case.avro_type.avro
            pred = type_predicate(ct, xt)
            self.scope.push()
            try:
                slot = self.scope.declare(case.named, ct)
                body = self._body(case.body, rt)
            finally:
                self.scope.pop()
            cases.append((pred, slot, body))
        cases_t = tuple(cases)
        partial_ = node.partial

        def cast(frame: Frame) -> Any:
            v = value(frame)
            for pred, slot, body in cases_t:
                if pred(v):
                    frame[slot] = v
                    r = body(frame)
                    return None if partial_ else r
            return None
        return cast

    def c_Upcast(self, node: A.Upcast) -> Compiled:
        return self._typed_expr(node.expr, node.avro_type.avro)

    def c_IfNotNull(self, node: A.IfNotNull) -> Compiled:
        values = [(name, self.expr(e), e.type) for name, e in node.symbols.items()]
        has_else = node.else_ is not None
        rt = node.type if has_else else None
        self.scope.push()
        try:
            assigns = []
            for name, f, t in values:
                assigns.append((self.scope.declare(name, without_null(t)), f))
            then = self._body(node.then, rt)
        finally:
            self.scope.pop()
        other = self._block(node.else_, rt) if has_else else None
        assigns_t = tuple(assigns)

        def if_not_null(frame: Frame) -> Any:
            vals = [g(frame) for _, g in assigns_t]
            for v in vals:
                if v is None:
                    return other(frame) if other is not None else None
            for (s, _), v in zip(assigns_t, vals):
                frame[s] = v
            r = then(frame)
            return r if has_else else None
        return if_not_null

    # -- binary -------------------------------------------------------------------------------
    def c_Pack(self, node: A.Pack) -> Compiled:
        parts = []
        for fmt, e in node.exprs:
            try:
                packer = binary.packer(fmt)
            except PfaSemanticError as err:
                raise PfaSemanticError(err.message, node.path) from None
            parts.append((packer, self.expr(e)))
        parts_t = tuple(parts)

        def pack(frame: Frame) -> bytes:
            return b"".join([p(g(frame)) for p, g in parts_t])
        return pack

    def c_Unpack(self, node: A.Unpack) -> Compiled:
        data_f = self.expr(node.bytes)
        has_else = node.else_ is not None
        rt = node.type if has_else else None
        self.scope.push()
        try:
            steps = []
            for name, fmt in node.format:
                try:
                    step = binary.unpacker(fmt)
                except PfaSemanticError as err:
                    raise PfaSemanticError(err.message, node.path) from None
                steps.append((self.scope.declare(name, None), step))
            then = self._body(node.then, rt)
        finally:
            self.scope.pop()
        other = self._block(node.else_, rt) if has_else else None
        steps_t = tuple(steps)

        def unpack(frame: Frame) -> Any:
            data = data_f(frame)
            pos = 0
            vals = []
            try:
                for _, step in steps_t:
                    v, pos = step(data, pos)
                    vals.append(v)
            except binary.ShortInput:
                pos = -1
            if pos != len(data):
                return other(frame) if other is not None else None
            for (s, _), v in zip(steps_t, vals):
                frame[s] = v
            r = then(frame)
            return r if has_else else None
        return unpack

    # -- miscellaneous ----------------------------------------------------------------------
    def c_Doc(self, node: A.Doc) -> Compiled:
        return const(None)

    def c_Error(self, node: A.Error) -> Compiled:
        message = str(node.message)
        code = node.code

        def error(frame: Frame) -> Any:
            raise PfaUserError(code, message)
        return error

    def c_Try(self, node: A.Try) -> Compiled:
        body = self._block(node.body)
        filt = node.filter
        if not filt:
            def try_all(frame: Frame) -> Any:
                try:
                    return body(frame)
                except PfaTimeoutError:
                    raise
                except PfaRuntimeError:
                    return None
                except (PfaError, RecursionError, MemoryError):
                    raise
                except Exception as exc:  # stray library exception: treat as a runtime error
                    unexpected(exc, "try")
                    return None
            return try_all
        messages = frozenset(x for x in filt if isinstance(x, str))
        codes = frozenset(x for x in filt if isinstance(x, int) and not isinstance(x, bool))

        def try_filtered(frame: Frame) -> Any:
            try:
                return body(frame)
            except PfaTimeoutError:
                raise
            except PfaRuntimeError as err:
                if err.message in messages or (err.code is not None and err.code in codes):
                    return None
                raise
        return try_filtered

    def c_Log(self, node: A.Log) -> Compiled:
        parts = tuple((self.expr(e), e.type) for e in node.exprs)
        namespace = node.namespace
        logger = logging.getLogger("pfa.log." + namespace if namespace else "pfa.log")
        ctx = self.ctx

        def render(v: Any, t: Any) -> str:
            try:
                enc = encode_json(t, v) if _is_type(t) else v
            except Exception:  # logging must never fail the engine
                enc = repr(v)
            return json.dumps(enc, separators=(",", ":"), default=repr)

        def log_form(frame: Frame) -> None:
            text = " ".join(render(g(frame), t) for g, t in parts)
            logger.info("%s", text)
            cb = ctx.on_log
            if cb is not None:
                cb(text, namespace)
            return None
        return log_form


def literal_string(p: Any) -> str | None:
    """The string a literal expression stands for, or None if ``p`` is no string literal."""
    if isinstance(p, A.LiteralString):
        return p.value
    if isinstance(p, A.Literal) and isinstance(p.value, str):
        t = getattr(p.avro_type, "avro", None)
        if t is None or getattr(t, "name", None) == "string":
            return p.value
    return None




_PARAM_NAMES: dict[tuple[str, int], list[str]] = {}


def _lib_param_names(name: str, sig_index: int, n: int) -> list[str]:
    """Parameter names of library function ``name`` (signature ``sig_index``), from the
    signature data; positional placeholders if unknown."""
    key = (name, sig_index)
    if key in _PARAM_NAMES:
        return _PARAM_NAMES[key]
    names: list[str] | None = None
    try:
        spec = library().get(name)
        if spec is not None and sig_index < len(spec.sigs):
            got = [p.name for p in spec.sigs[sig_index].params]
            if len(got) == n:
                names = got
    except Exception:  # noqa: BLE001 - fall back to positional names
        names = None
    if names is None:
        names = [f"_{i}" for i in range(n)]
    _PARAM_NAMES[key] = names
    return names


class ScalarRunner:
    """The scalar back end's runner: every routine of the document compiled to closures
    (:class:`CompiledRoutine`), and the :class:`Compiler` that made them (user functions,
    and the expressions other back ends run as scalar islands)."""

    backend = "scalar"

    def __init__(self, target: Target):
        self.compiler = compiler = Compiler(target.typed, target.context, target.state,
                                            timeouts=target.options.any_timeout)
        doc, method = target.document, target.method
        out_t = target.output_type
        fold = method == "fold"
        tally = [("tally", out_t)] if fold else []
        self._routines = {
            "begin": compiler.compile_routine("begin", doc.begin or [], []),
            "action": compiler.compile_routine("action", doc.action,
                                               [("input", target.input_type), *tally],
                                               out_t if method in ("map", "fold") else None),
            "end": compiler.compile_routine("end", doc.end or [], tally),
        }
        if fold and doc.merge:
            self._routines["merge"] = compiler.compile_routine(
                "merge", doc.merge, [("tallyOne", out_t), ("tallyTwo", out_t)], out_t)

    def routine(self, name: str) -> CompiledRoutine | None:
        return self._routines.get(name)

    def explain(self) -> list[ExplainEntry]:
        entries = [ExplainEntry(f"$.{name}", name, "scalar")
                   for name, r in self._routines.items() if not r.empty]
        for node, kernel in self.compiler.kernels_used:
            form = node.name if isinstance(node, A.Call) else type(node).__name__
            entries.append(ExplainEntry(getattr(node, "path", None) or "?", form, "scalar kernel",
                                        f"{kernel.__module__}.{kernel.__name__}"))
        return entries


@register_backend("scalar", "record", "typed AST → nested Python closures, one record at a time")
def compile_scalar(target: Target) -> ScalarRunner:
    """Compile every routine of ``target``'s document with the scalar compiler."""
    return ScalarRunner(target)


def ensure_recursion_headroom(limit: int = 8000) -> None:
    """Raise Python's recursion limit so that reasonably deep PFA recursion fits (deeper
    recursion still ends in a PfaRuntimeError, converted by the engine)."""
    if sys.getrecursionlimit() < limit:
        sys.setrecursionlimit(limit)

