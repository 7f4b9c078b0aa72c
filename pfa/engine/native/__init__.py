"""The native tier: a document's action lowered to a register program that a small C
interpreter (``_vm.c``, built by setup.py as an optional extension) runs over blocks of rows
and on single records. Registered as the ``"native"`` batch back end (above ``"vector"``,
its fallback) and as a record tier of ``Engine.action``; see docs/native.md.

It is off — and everything runs on the vector and scalar back ends with the same results —
when the extension is not built or ``PFA_NATIVE=0`` is set in the environment.
"""

from __future__ import annotations

import os
import weakref
from typing import Any

import numpy as np

from pfa.errors import PfaRuntimeError
from pfa.runtime.columns import Col, from_py, to_py

from ..backends import (
    ExplainEntry,
    Target,
    backend,
    register_backend,
    register_record_tier,
)
from ..batch import VectorRunner
from . import lower
from .runner import NativePlan, lower_target

try:
    from . import _vm  # type: ignore[attr-defined]
except ImportError:  # no compiler at install time: the tier is off
    _vm = None

DISABLE_ENV = "PFA_NATIVE"


def _exp_matches_numpy() -> bool:
    """Whether libm's exp (the interpreter's) gives numpy's results here: the scalar
    engine's link functions use numpy's kernel, which has SIMD versions on some CPUs."""
    if _vm is None:
        return False
    rng = np.random.default_rng(17)
    xs = np.concatenate([rng.uniform(-745.0, 710.0, 2000), rng.normal(0.0, 3.0, 2000),
                         np.array([0.0, -0.0, 1.0, -1.0, 709.7, -745.1, np.inf, -np.inf])])
    ours = np.array([_vm.exp(float(x)) for x in xs])
    with np.errstate(all="ignore"):
        return bool(np.array_equal(ours, np.exp(xs), equal_nan=True) and all(
            float(np.exp(x)) == o for x, o in zip(xs[:64], ours[:64])))


lower.EXP_EXACT = _exp_matches_numpy()


def unavailable() -> str | None:
    """Why the native tier is off (None: it is on)."""
    if os.environ.get(DISABLE_ENV, "1").strip().lower() in ("0", "off", "false", "no"):
        return f"turned off ({DISABLE_ENV}=0)"
    if _vm is None:
        return "the C extension pfa.engine.native._vm is not built (no compiler at install)"
    return None


#: engine state → (typed document, lowered program or why not); the values hold no reference
#: to the state (the entry goes with its engine)
_LOWERED: weakref.WeakKeyDictionary[Any, Any] = weakref.WeakKeyDictionary()


def _lowered(target: Target) -> Any:
    """The lowered program of ``target`` (once per engine), or why there is none."""
    why = unavailable()  # first: the environment may have changed since the entry was made
    if why is not None:
        return why
    hit = _LOWERED.get(target.state)
    if hit is not None and hit[0] is target.typed:
        return hit[1]
    try:
        result: Any = lower_target(target, _vm.Program)
    except lower.NotCompiled as err:
        result = f"{err.path}: {err.reason}"
    except (ValueError, RecursionError) as err:
        result = f"not lowered: {err}"
    _LOWERED[target.state] = (target.typed, result)
    return result


def _plan(target: Target, fallback: Any) -> NativePlan | str:
    """A native plan of ``target`` running flagged rows on ``fallback``, or why not."""
    lowered = _lowered(target)
    if isinstance(lowered, str):
        return lowered
    vm, slots, spec, size, cells = lowered
    return NativePlan(vm, slots, spec, target.output_type, size, fallback, cells,
                      target.state)


class _ScalarRows:
    """``run(col, n)`` on the engine's own ``action``, row by row (the fallback of flagged
    rows when the vector back end runs the whole document row by row anyway)."""

    def __init__(self, target: Target):
        self.target = target

    def run(self, col: Col, n: int) -> tuple[Col, dict[int, PfaRuntimeError]]:
        engine = self.target.context.engine
        rows = to_py(col, self.target.input_type, n)
        out: list[Any] = [None] * n
        errors: dict[int, PfaRuntimeError] = {}
        for j, r in enumerate(rows):
            try:
                out[j] = engine.action(r)
            except PfaRuntimeError as exc:
                errors[j] = exc
        return from_py(out, self.target.output_type), errors


class _Fallback:
    """The runner of flagged rows: the vector back end (or, for a document it runs row by
    row, the engine's ``action``), compiled the first time a row is flagged."""

    def __init__(self, target: Target):
        self.target = target
        self.runner: Any = None

    def run(self, col: Col, n: int) -> tuple[Col, dict[int, PfaRuntimeError]]:
        if self.runner is None:
            vector = backend("vector").compile(self.target)
            self.runner = vector if vector.plan.vectorized else _ScalarRows(self.target)
        return self.runner.run(col, n)


class _ExplainedPlan:
    """The vector plan, with the native tier's reason for not taking the document at the end
    of its explanation."""

    def __init__(self, plan: Any, reason: str):
        self._plan = plan
        self.explain = list(plan.explain) + [
            ExplainEntry("$.action", "action", "not native", reason)]

    def __getattr__(self, name: str) -> Any:
        return getattr(self._plan, name)


class NativeRunner(VectorRunner):
    """The native back end's runner: ``plan`` is a :class:`NativePlan` or, for documents
    outside the compiled subset, the vector plan (explained); the rest is the vector
    runner's."""

    backend = "native"


@register_backend("native", "batch", "typed AST → register program run by a C interpreter "
                  "over blocks of rows; flagged rows and other documents on the vector back end",
                  rank=10)
def compile_native(target: Target) -> NativeRunner:
    """Compile ``target``'s action for batches; ``target.fallback`` is the scalar runner."""
    plan = _plan(target, _Fallback(target))
    if isinstance(plan, str):
        return NativeRunner(_ExplainedPlan(backend("vector").compile(target).plan, plan))
    return NativeRunner(plan)


@register_record_tier
def native_action(target: Target, run: Any) -> Any:
    """The single-record ``action`` of map documents in the compiled subset: one interpreter
    call per record (lowered on the first call; flagged records run on ``run``)."""
    if target.method != "map":
        return None
    why = unavailable()
    if why is not None:  # decided when the engine is built, for its batches too
        _LOWERED[target.state] = (target.typed, why)
        return None
    impl: Any = None

    def first(datum: Any) -> Any:
        nonlocal impl
        if impl is None:
            plan = _plan(target, None)
            impl = plan.record_runner(run) if isinstance(plan, NativePlan) else run
            holder[0] = impl
        return impl(datum)

    holder = [first]

    def action(datum: Any) -> Any:
        return holder[0](datum)
    return action
