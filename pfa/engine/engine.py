"""The ``Engine`` API: build a scoring engine from a PFA document and run it.

>>> engine = Engine.from_json({"input": "double", "output": "double",
...                            "action": {"+": ["input", 1]}})
>>> engine.action(2.5)
3.5

An engine follows the specification's lifecycle: ``begin()`` once (called automatically by
the first ``action`` if the host did not), ``action(datum)`` per input datum, ``end()`` once.
``map`` engines return the output of each action; ``emit`` engines return the list of values
emitted during the call (and pass each to the optional ``on_emit`` callback); ``fold`` engines
keep a ``tally`` (starting at the decoded ``zero``) and return the new tally, and
``merge(a, b)`` combines two tallies with the document's ``merge`` routine.

Everything that goes wrong while a routine runs is a :class:`pfa.errors.PfaError`: library
and special-form errors carry the spec's codes, an input that does not match the input type
raises :class:`PfaInputError`, a routine running past its timeout raises
:class:`PfaTimeoutError`, and stray Python exceptions (and too deep recursion) are wrapped in
:class:`PfaRuntimeError`. When an action fails, cells and pools marked ``rollback`` return to
the values they had when it started.

``Engine.factory(doc, n)`` builds a battery of ``n`` engines (instances 0 … n-1) from one
document: they share the cells and pools marked ``shared`` (read-copy-update; safe to run in
threads, one thread per engine) and have their own unshared state and random streams.
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from time import perf_counter
from typing import Any

from pfa._gcpause import gc_paused
from pfa.avro.data import decode_json, encode_json, load_json_text
from pfa.check.checker import check
from pfa.document import ast as A
from pfa.document.reader import read, read_yaml
from pfa.errors import AvroDataError, PfaError, PfaInputError, PfaRuntimeError
from pfa.runtime import codes

from . import native, patterns  # noqa: F401  (they register the native back end, the kernels)
from .backends import Target, backend, preferred, record_action
from .batch import run_batch
from .inputs import coerce_input, column_aliases, input_checker
from .options import EngineOptions, make_rng, merge_options, parse_options
from .scalar import (
    EngineContext,
    ensure_recursion_headroom,
    unexpected,
)
from .state import EngineState, InitialState

_ENGINE_NUMBERS = itertools.count()

EmitCallback = Callable[[Any], None]
LogCallback = Callable[[str, "str | None"], None]


def _read_document(doc: Any) -> A.PfaDocument:
    if isinstance(doc, A.PfaDocument):
        return doc
    return read(doc)


def _typed(doc: Any, options: dict[str, Any] | None) -> Any:
    """A TypedDocument from a dict / JSON text / path / PfaDocument / TypedDocument."""
    if hasattr(doc, "doc") and hasattr(doc, "input_type") and hasattr(doc, "output_type"):
        return doc  # already checked
    return check(_read_document(doc), options_override=options)


def _randseed(options: dict[str, Any] | None, default: int | None) -> int | None:
    """The seed of the random streams: the ``randseed`` option (host options win over the
    document's) or the document's ``randseed``."""
    if options and options.get("randseed") is not None:
        seed = options["randseed"]
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise ValueError(f"option randseed must be an integer, not {seed!r}")
        return seed
    return default


class Engine:
    """A PFA scoring engine (one instance). Build it with :meth:`from_json`,
    :meth:`from_yaml`, :meth:`from_ast` or :meth:`factory`."""

    def __init__(self, typed: Any, *, options: dict[str, Any] | None = None, instance: int = 0,
                 initial: InitialState | None = None, on_emit: EmitCallback | None = None,
                 on_log: LogCallback | None = None, validate_input: bool = True,
                 allow_files: Any = None):
        doc: A.PfaDocument = typed.doc
        self._typed = typed
        self._doc = doc
        raw_opts = merge_options(getattr(typed, "options", None) or doc.options, options)
        self.options: EngineOptions = parse_options(raw_opts)
        self.instance = instance
        self.method = doc.method
        self.name = doc.name if doc.name is not None else f"Engine_{next(_ENGINE_NUMBERS)}"
        self.on_emit = on_emit
        self.on_log = on_log
        self.validate_input = validate_input
        self._input_type = typed.input_type
        self._output_type = typed.output_type
        ensure_recursion_headroom()

        self._initial = (initial if initial is not None
                         else InitialState(doc, typed, allow_files))
        self._state = EngineState(self._initial)
        ctx = EngineContext(rng=make_rng(_randseed(options, doc.randseed), instance),
                            instance=instance,
                            name=self.name, version=doc.version,
                            metadata=dict(doc.metadata or {}), method=self.method,
                            options=self.options)
        ctx.engine = self
        ctx.on_log = self._log
        self._ctx = ctx
        self._emitted: list[Any] = []
        if self.method == "emit":
            ctx.emit = self._emit

        self._target = Target(typed, self.options, ctx, self._state)
        self._runner = backend("scalar").compile(self._target)
        self._compiler = self._runner.compiler
        out_t = self._output_type
        in_t = self._input_type
        self._begin = self._runner.routine("begin")
        self._action = self._runner.routine("action")
        self._end = self._runner.routine("end")
        self._merge = self._runner.routine("merge")
        self.tally: Any = None
        self._zero: Any = None
        if self.method == "fold":
            if doc.zero is not A.NO_VALUE:
                self._zero = decode_json(out_t, doc.zero, "$.zero")
            self.tally = self._zero
        self._timeouts = {r: self.options.timeout_for(r)
                          for r in ("begin", "action", "end", "merge")}
        self._action_run = (record_action(self._target, self._action.run)
                            if self.method == "map" else self._action.run)
        self._action_timeout = self._timeouts["action"]
        self._rollback = self._state.has_rollback
        self.input_aliases = column_aliases(in_t, doc.metadata)
        """Original column name → input field name (``metadata["input.columns"]``)."""
        self._fast_check = input_checker(in_t)
        if self.input_aliases and any(f.name in self.input_aliases for f in in_t.fields):
            # a field name that is another field's original name: every row is mapped
            self._fast_check = lambda datum: False
        self._begun = False
        if self.method == "map" and not self._rollback and not self.options.any_timeout:
            # the common case: an instance attribute shadows the general method
            self.action = self._straight_action()  # type: ignore[method-assign]

    # -- construction -------------------------------------------------------------------------
    @classmethod
    def from_json(cls, doc: Any, options: dict[str, Any] | None = None, instance: int = 0,
                  **kwargs: Any) -> Engine:
        """An engine from a PFA document: a dict, JSON text, a file path, or an AST."""
        with gc_paused():
            return cls(_typed(doc, options), options=options, instance=instance, **kwargs)

    @classmethod
    def from_yaml(cls, doc: str | Path, options: dict[str, Any] | None = None,
                  instance: int = 0, **kwargs: Any) -> Engine:
        """An engine from a PFA document written in YAML (text or file path)."""
        return cls.from_ast(read_yaml(doc), options=options, instance=instance, **kwargs)

    @classmethod
    def from_pretty(cls, text: str | bytes, options: dict[str, Any] | None = None,
                    instance: int = 0, **kwargs: Any) -> Engine:
        """An engine from a PFA document written in PrettyPFA (docs/prettypfa.md)."""
        from pfa.document.pretty.load import read_pretty  # lark is imported only when used

        return cls.from_ast(read_pretty(text), options=options, instance=instance, **kwargs)

    @classmethod
    def from_ast(cls, doc: Any, options: dict[str, Any] | None = None, instance: int = 0,
                 **kwargs: Any) -> Engine:
        """An engine from a :class:`PfaDocument` (checked here) or a ``TypedDocument``."""
        with gc_paused():
            return cls(_typed(doc, options), options=options, instance=instance, **kwargs)

    @classmethod
    def factory(cls, doc: Any, n: int, options: dict[str, Any] | None = None,
                **kwargs: Any) -> list[Engine]:
        """``n`` engines (instances 0 … n-1) made from one document, sharing its shared cells
        and pools. Each engine must be driven by one thread at a time."""
        if n < 1:
            raise ValueError("a factory makes at least one engine")
        with gc_paused():
            typed = _typed(doc, options)
            initial = InitialState(typed.doc, typed, kwargs.get("allow_files"))
            return [cls(typed, options=options, instance=i, initial=initial, **kwargs)
                    for i in range(n)]

    # -- properties ---------------------------------------------------------------------------
    @property
    def input_type(self) -> Any:
        return self._input_type

    @property
    def output_type(self) -> Any:
        return self._output_type

    @property
    def typed(self) -> Any:
        """The checked document (``TypedDocument``)."""
        return self._typed

    @property
    def document(self) -> A.PfaDocument:
        return self._doc

    @property
    def actions_started(self) -> int:
        return self._ctx.actions_started

    @property
    def actions_finished(self) -> int:
        return self._ctx.actions_finished

    @property
    def rng(self) -> Any:
        return self._ctx.rng

    @property
    def cells(self) -> dict[str, Any]:
        """Current cell values by name (read-only view for inspection)."""
        return {name: c.value for name, c in self._state.cells.items()}

    @property
    def pools(self) -> dict[str, dict[str, Any]]:
        """Current pool contents by name (copies, for inspection)."""
        return {name: dict(p.items) for name, p in self._state.pools.items()}

    def __repr__(self) -> str:
        return f"<pfa.Engine {self.name!r} method={self.method} instance={self.instance}>"

    # -- callbacks ----------------------------------------------------------------------------
    def _emit(self, value: Any) -> None:
        self._emitted.append(value)
        cb = self.on_emit
        if cb is not None:
            cb(value)

    def _log(self, text: str, namespace: str | None) -> None:
        cb = self.on_log
        if cb is not None:
            cb(text, namespace)

    # -- running ------------------------------------------------------------------------------
    def _run(self, routine: str, run: Callable[..., Any], args: tuple[Any, ...]) -> Any:
        ctx = self._ctx
        t = self._timeouts[routine]
        ctx.routine = routine
        if t >= 0:
            ctx.timeout_ms = t
            ctx.deadline = perf_counter() + t / 1000.0
        else:
            ctx.deadline = math.inf
        try:
            return run(*args)
        except PfaError:
            raise
        except RecursionError:
            raise PfaRuntimeError(codes.RECURSION_TOO_DEEP, "maximum recursion depth exceeded", routine) from None
        except Exception as exc:
            raise unexpected(exc, routine) from exc

    def begin(self) -> list[Any] | None:
        """Run the ``begin`` routine. It runs once: later calls do nothing (if it raised, the
        next ``begin`` or ``action`` tries again). Emit engines return what it emitted."""
        emitting = self.method == "emit"
        if self._begun:
            return [] if emitting else None
        self._emitted = []
        if not self._begin.empty:
            self._run("begin", self._begin.run, ())
        self._begun = True
        return self._emitted if emitting else None

    def _check_input(self, datum: Any) -> Any:
        """``datum`` as an engine value under the input contract
        (:func:`pfa.engine.inputs.coerce_input`: pandas/numpy values, missing markers, the
        original column names); PfaInputError (with the path of the first mismatch) if it
        is not a value of the input type. Called when the fast check said no."""
        return coerce_input(self._input_type, datum, "$", self.input_aliases)

    def action(self, datum: Any) -> Any:
        """Run the ``action`` routine on one input datum (engine values, see
        docs/architecture.md). Returns the output (map), the list of emitted values (emit) or
        the new tally (fold)."""
        if self.validate_input:
            try:
                canonical = self._fast_check(datum)
            except RecursionError:  # a datum nested too deeply: refused by _check_input
                canonical = False
            if not canonical:
                datum = self._check_input(datum)
        if not self._begun:
            self.begin()
        ctx = self._ctx
        ctx.actions_started += 1
        state = self._state
        if self._rollback:
            state.start_action()
        method = self.method
        if method == "emit":
            self._emitted = []
        ctx.routine = "action"
        t = self._action_timeout
        if t >= 0:
            ctx.timeout_ms = t
            ctx.deadline = perf_counter() + t / 1000.0
        else:
            ctx.deadline = math.inf
        try:
            if method == "fold":
                out = self._action_run(datum, self.tally)
            else:
                out = self._action_run(datum)
        except PfaError:
            if self._rollback:
                state.rollback()
            raise
        except RecursionError:
            if self._rollback:
                state.rollback()
            raise PfaRuntimeError(codes.RECURSION_TOO_DEEP, "maximum recursion depth exceeded", "action") from None
        except Exception as exc:
            if self._rollback:
                state.rollback()
            raise unexpected(exc, "action") from exc
        ctx.actions_finished += 1
        if method == "map":
            return out
        if method == "fold":
            self.tally = out
            return out
        return self._emitted

    def _straight_action(self) -> Callable[[Any], Any]:
        """``action`` for a map engine without rollback cells/pools and without timeouts, as
        one straight-line closure (same checks, counters and error wrapping as
        :meth:`action`; the deadline and routine name are only read when timeouts are on)."""
        engine = self
        ctx = self._ctx
        run = self._action_run
        fast_check = self._fast_check
        check_input = self._check_input

        def action(datum: Any) -> Any:
            if engine.validate_input:
                try:
                    canonical = fast_check(datum)
                except RecursionError:  # a datum nested too deeply: refused by check_input
                    canonical = False
                if not canonical:
                    datum = check_input(datum)
            if not engine._begun:
                engine.begin()
            ctx.actions_started += 1
            try:
                out = run(datum)
            except PfaError:
                raise
            except RecursionError:
                raise PfaRuntimeError(codes.RECURSION_TOO_DEEP, "maximum recursion depth exceeded",
                                      "action") from None
            except Exception as exc:
                raise unexpected(exc, "action") from exc
            ctx.actions_finished += 1
            return out
        action.__doc__ = Engine.action.__doc__
        return action

    def end(self) -> list[Any] | None:
        """Run the ``end`` routine. Emit engines return what it emitted."""
        if not self._begun:
            self.begin()
        self._emitted = []
        if not self._end.empty:
            args = (self.tally,) if self.method == "fold" else ()
            self._run("end", self._end.run, args)
        return self._emitted if self.method == "emit" else None

    def merge(self, tally_one: Any, tally_two: Any) -> Any:
        """Combine two tallies with the document's ``merge`` routine (fold engines); the
        result becomes this engine's tally. Engines may be passed for their tallies."""
        if self.method != "fold" or self._merge is None:
            raise PfaRuntimeError(None, "merge is only available to fold engines", "merge")
        if isinstance(tally_one, Engine):
            tally_one = tally_one.tally
        if isinstance(tally_two, Engine):
            tally_two = tally_two.tally
        out = self._run("merge", self._merge.run, (tally_one, tally_two))
        self.tally = out
        return out

    def reset_tally(self) -> None:
        """Set a fold engine's tally back to ``zero``."""
        self.tally = self._zero

    def call(self, name: str, *args: Any) -> Any:
        """Call a user function of the document (``"u.name"`` or ``"name"``) on engine
        values; allowed any time after the engine is built."""
        key = name if name.startswith("u.") else "u." + name
        uf = self._compiler.fcns.get(key)
        if uf is None:
            raise KeyError(f"no user function {name!r}")
        return self._run("action", uf.invoke, args)

    # -- batches ------------------------------------------------------------------------------
    def action_batch(self, data: Any, *, chunk_size: int | None = None,
                     on_error: str = "raise") -> Any:
        """Run ``action`` (map documents) on a batch: a pandas DataFrame, a pyarrow Table /
        RecordBatch / Array, a dict of numpy arrays (column name → array), a numpy array or a
        list of input values. The outputs come back in the matching kind (see
        :mod:`pfa.engine.batch`), equal to ``[action(row) for row in rows]``; ``chunk_size``
        bounds the rows processed at once. A failing row raises its PfaRuntimeError (with a
        ``row`` attribute, lowest row first) unless ``on_error="null"``: then the result is a
        :class:`pfa.engine.batch.BatchResult` with null for failed rows and an error report
        of ``(row, code, message)``."""
        return run_batch(self, data, chunk_size, on_error)

    def explain_batch(self) -> list[Any]:
        """Which expressions (by document path) run vectorized in :meth:`action_batch`, which
        run row by row on the scalar engine, and why (a list of ``ExplainEntry``)."""
        return list(self._batch_plan().plan.explain)

    def _batch_plan(self) -> Any:
        """The runner of the batch back end (compiled on first use)."""
        runner = getattr(self, "_batch_runner", None)
        if runner is None:
            target = replace(self._target, fallback=self._runner)
            runner = self._batch_runner = preferred("batch").compile(target)
        return runner

    # -- JSON interface -----------------------------------------------------------------------
    def decode_input(self, obj: Any) -> Any:
        """Engine value of a JSON-decoded datum of the input type (raises PfaInputError)."""
        try:
            return decode_json(self._input_type, obj, "$")
        except AvroDataError as err:
            raise PfaInputError(err.message, err.path) from None

    def encode_output(self, value: Any) -> Any:
        return encode_json(self._output_type, value)

    def action_json(self, text: str | bytes) -> str:
        """Run ``action`` on JSON-encoded Avro input; return JSON-encoded output (for emit
        engines: a JSON array of the emitted values)."""
        try:
            obj = load_json_text(text)
        except AvroDataError as err:
            raise PfaInputError(err.message) from None
        datum = self.decode_input(obj)
        out = self.action(datum)
        if self.method == "emit":
            return json.dumps([self.encode_output(v) for v in out], separators=(",", ":"))
        return json.dumps(self.encode_output(out), separators=(",", ":"))

    # -- state --------------------------------------------------------------------------------
    def snapshot(self) -> dict[str, Any]:
        """All cells and pools as JSON-encoded Avro (JSON-serialisable), plus the tally of a
        fold engine."""
        snap = self._state.snapshot()
        if self.method == "fold":
            snap["tally"] = encode_json(self._output_type, self.tally)
        return snap

    def restore(self, snapshot: dict[str, Any]) -> None:
        """Set cells, pools (and a fold engine's tally) from :meth:`snapshot` output."""
        self._state.restore(snapshot)
        if self.method == "fold" and "tally" in snapshot:
            self.tally = decode_json(self._output_type, snapshot["tally"], "$.tally")
