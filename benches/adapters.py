"""Uniform runners for the scoring paths the benches compare.

Every runner scores the rows of one :class:`models.BenchModel` and exposes

- ``single(i)``: score row ``i`` alone (single-record latency),
- ``batch(n)``: score the first ``n`` rows (throughput).

``prepare`` raises :class:`Unavailable` (with a short reason) when a path cannot run a model;
the benches print ``n/a (reason)`` for it instead of crashing.

The titus2 import shim (two aliases removed from NumPy 2 / Python 3.11) lives here and only
here: it must never leak into ``pfa/``.
"""

from __future__ import annotations

import inspect
import json
import math
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np


class Unavailable(Exception):
    """A path cannot run a model; ``str(err)`` is the short reason shown in the tables."""


def short(err: BaseException, limit: int = 70) -> str:
    """A one-line, truncated description of an exception."""
    text = f"{type(err).__name__}: {err}".splitlines()[0] if str(err) else type(err).__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- pfa ------------------------------------------------------------------------------------

def has_action_batch(engine: Any) -> bool:
    """Whether this build of the engine has the vectorized ``action_batch``."""
    return callable(getattr(engine, "action_batch", None))


def batch_kwargs(engine: Any, chunk_size: int | None) -> dict[str, Any]:
    """``chunk_size=…`` when ``action_batch`` takes it, else nothing."""
    if chunk_size is None:
        return {}
    try:
        params = inspect.signature(engine.action_batch).parameters
    except (TypeError, ValueError):
        return {}
    return {"chunk_size": chunk_size} if "chunk_size" in params else {}


def materialize(out: Any) -> Any:
    """Force a lazily produced batch result (generator/iterator) so it is fully computed."""
    if isinstance(out, Iterator):
        return list(out)
    return out


def batch_rows(out: Any) -> list[Any] | None:
    """The per-row outputs of an ``action_batch`` result, when they can be recovered."""
    out = materialize(out)
    if isinstance(out, list):
        return out
    if hasattr(out, "to_pylist"):  # pyarrow
        return out.to_pylist()
    if hasattr(out, "to_dict") and hasattr(out, "columns"):  # pandas DataFrame
        return out.to_dict(orient="records")
    if isinstance(out, np.ndarray):
        return out.tolist()
    return None


class PfaScalar:
    """This engine, one ``action`` per record."""

    name = "pfa scalar (action)"

    def prepare(self, model: Any) -> None:
        self.engine = model.engine()
        self.records = model.records
        self.action = self.engine.action

    def single(self, i: int) -> Any:
        return self.action(self.records[i])

    def batch(self, n: int) -> Any:
        action = self.action
        return [action(r) for r in self.records[:n]]


class PfaVector:
    """This engine's vectorized path, ``action_batch`` (if this build has it).

    The input is passed in the first form ``action_batch`` accepts (a DataFrame of the input
    columns, then a list of records). The outputs of the first 50 rows are compared with the
    scalar path's; a difference is kept in ``problem`` (the tables flag it and the targets
    ignore the path) rather than stopping the bench."""

    name = "pfa vector (action_batch)"

    def __init__(self, chunk_size: int | None = None):
        self.chunk_size = chunk_size
        self.form = ""
        self.note = ""
        self.problem = ""  # set when the outputs differ from ``action`` (measured anyway)

    def prepare(self, model: Any) -> None:
        engine = model.engine()
        if not has_action_batch(engine):
            raise Unavailable("Engine.action_batch not available yet")
        self.engine = engine
        self.kwargs = batch_kwargs(engine, self.chunk_size)
        expected = [engine.action(r) for r in model.records[:50]]
        self.form, self.data, self.problem = pick_batch_form(engine, model, expected,
                                                             self.kwargs, strict=False)
        self.note = f"input {self.form}; {explain_summary(engine)}"

    def single(self, i: int) -> Any:
        return materialize(self.engine.action_batch(self.data[i:i + 1], **self.kwargs))

    def batch(self, n: int) -> Any:
        return materialize(self.engine.action_batch(self.data[:n], **self.kwargs))


def pick_batch_form(engine: Any, model: Any, expected: list[Any], kwargs: dict[str, Any],
                    strict: bool = True) -> tuple[str, Any, str]:
    """(name, data, problem) of the first input form ``action_batch`` accepts — a DataFrame of
    the input columns, else the list of records — whose outputs equal ``action``'s on the
    rows of ``expected``. With ``strict=False`` a form whose outputs differ is still taken
    (``problem`` says so)."""
    errors = []
    fallback = None
    for form, data in (("DataFrame", model.frame), ("records", model.records)):
        n = len(expected)
        try:
            got = batch_rows(engine.action_batch(data[:n], **kwargs))
        except Exception as err:  # try the next input form
            errors.append(f"{form}: {short(err, 40)}")
            continue
        if got is not None and not same_outputs(got, expected):
            ok = sum(same_outputs([a], [b]) for a, b in zip(got, expected))
            problem = f"{form}: outputs differ from action on {n - ok}/{n} rows"
            errors.append(problem)
            fallback = fallback or (form, data, problem)
            continue
        return form, data, ""
    if not strict and fallback is not None:
        return fallback
    raise Unavailable("action_batch: " + "; ".join(errors))


def explain_summary(engine: Any) -> str:
    """``native: …`` when the native tier runs the document, else ``k/n vectorized`` plus
    the forms ``explain_batch`` says run row by row."""
    try:
        entries = list(engine.explain_batch())
    except Exception:
        return ""
    if entries and getattr(entries[0], "mode", "") == "native":
        return f"native: {entries[0].reason}"
    entries = [e for e in entries if getattr(e, "mode", "") != "not native"]
    vec = sum(1 for e in entries if getattr(e, "mode", "") == "vector")
    other = sorted({f"{e.form} ({e.mode})" for e in entries
                    if getattr(e, "mode", "vector") != "vector"})
    text = f"{vec}/{len(entries)} exprs vectorized"
    return text + ("; not: " + ", ".join(other) if other else "")


def _plain(o: Any) -> Any:
    return o.tolist() if hasattr(o, "tolist") else float(o)


def same_outputs(got: list[Any], expected: list[Any]) -> bool:
    """Equal outputs (floats within 1e-9 relative; numpy values compared as Python's)."""
    if len(got) != len(expected):
        return False
    try:
        a = json.dumps(got, sort_keys=True, default=_plain)
        b = json.dumps(expected, sort_keys=True, default=_plain)
    except (TypeError, ValueError):
        return True  # not comparable as JSON: accept
    if a == b:
        return True
    return _close(json.loads(a), json.loads(b))


def _close(a: Any, b: Any) -> bool:
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_close(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b))
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12) or (a != a and b != b)
    return a == b


# --- scikit-learn ---------------------------------------------------------------------------

class Sklearn:
    """The estimator's own ``predict`` (single row: a 1-row array / DataFrame)."""

    name = "sklearn predict"

    def prepare(self, model: Any) -> None:
        self.predict = model.estimator.predict
        self.X = model.X

    def single(self, i: int) -> Any:
        return self.predict(self.X[i:i + 1])

    def batch(self, n: int) -> Any:
        return self.predict(self.X[:n])


# --- onnxruntime ----------------------------------------------------------------------------

class Onnx:
    """The skl2onnx export (``pfa.onnx.via_skl2onnx.to_onnx``) on onnxruntime, one thread."""

    name = "onnxruntime"

    def prepare(self, model: Any) -> None:
        if not isinstance(model.X, np.ndarray):
            raise Unavailable("table input (strings, missing values) not benched on ONNX")
        self.note = ""
        try:
            self._load(model, np.float64)
        except Unavailable as err:
            # e.g. skl2onnx writes float64 tree ensembles onnxruntime cannot run: fall back
            # to a float32 graph (what skl2onnx users do) and say so
            self._load(model, np.float32)
            self.note = f"float32 graph (float64 failed: {str(err)[:40]}…)"

    def _load(self, model: Any, dtype: Any) -> None:
        import onnxruntime as ort

        from pfa.onnx.via_skl2onnx import to_onnx

        sample = np.zeros((1, model.X.shape[1]), dtype=dtype)
        try:
            blob = to_onnx(model.estimator, sample=sample)
        except Exception as err:
            raise Unavailable(short(err)) from err
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = 1
        opts.inter_op_num_threads = 1
        try:
            self.session = ort.InferenceSession(blob, opts, providers=["CPUExecutionProvider"])
            self.input_name = self.session.get_inputs()[0].name
            self.X = np.ascontiguousarray(model.X, dtype=dtype)
            self.run = self.session.run
            self.single(0)
        except Exception as err:
            raise Unavailable(short(err)) from err

    def single(self, i: int) -> Any:
        return self.run(None, {self.input_name: self.X[i:i + 1]})

    def batch(self, n: int) -> Any:
        return self.run(None, {self.input_name: self.X[:n]})


# --- titus2 ---------------------------------------------------------------------------------

def import_titus() -> Any:
    """``titus.genpy.PFAEngine``, restoring the aliases titus 1.2 needs on NumPy 2 /
    Python 3.11 first (bench-only shim)."""
    if not hasattr(np, "float_"):
        np.float_ = np.float64  # type: ignore[attr-defined]
    if not hasattr(inspect, "getargspec"):
        inspect.getargspec = inspect.getfullargspec  # type: ignore[attr-defined]
    try:
        from titus.genpy import PFAEngine
    except ImportError as err:
        raise Unavailable("titus2 not installed (pip install 'pfa[bench]')") from err
    return PFAEngine


_NONFINITE = {"NaN": [0.0, 0.0], "Infinity": [1.0, 0.0], "-Infinity": [-1.0, 0.0]}


def titus_document(doc: Any) -> tuple[Any, bool]:
    """``doc`` with non-finite literals (``{"double": "NaN"}``, which titus's reader refuses)
    rewritten as the equivalent divisions (``{"/": [0.0, 0.0]}``); (document, rewritten?)."""
    changed = False

    def fix(node: Any) -> Any:
        nonlocal changed
        if isinstance(node, dict):
            if len(node) == 1:
                (k, v), = node.items()
                if k in ("double", "float") and isinstance(v, str) and v in _NONFINITE:
                    changed = True
                    div: Any = {"/": _NONFINITE[v]}
                    return div if k == "double" else {"cast.float": [div]}
            return {k: fix(v) for k, v in node.items()}
        if isinstance(node, list):
            return [fix(v) for v in node]
        return node

    out = dict(doc)
    for key in ("action", "begin", "end", "fcns", "merge"):
        if key in out:
            out[key] = fix(out[key])
    return out, changed


def titus_converter(avro_type: Any) -> Callable[[Any], Any]:
    """Engine value → titus input: union-typed values are tagged ``{"branch": value}``."""
    if isinstance(avro_type, dict) and avro_type.get("type") == "record":
        fields = [(f["name"], titus_converter(f["type"])) for f in avro_type["fields"]]
        if all(conv is _identity for _, conv in fields):
            return _identity
        return lambda rec: {name: conv(rec[name]) for name, conv in fields}
    if isinstance(avro_type, list):
        branches = [t for t in avro_type if t != "null"]
        if len(branches) != 1 or not isinstance(branches[0], str):
            raise Unavailable("complex union inputs are not adapted for titus")
        tag = branches[0]
        return lambda v: None if v is None else {tag: v}
    return _identity


def _identity(v: Any) -> Any:
    return v


class Titus:
    """titus2 (the Python reference PFA engine) on the same document, one ``action`` per
    record. Non-finite literals are rewritten first (noted in the tables)."""

    name = "titus2"

    def __init__(self) -> None:
        self.note = ""

    def prepare(self, model: Any) -> None:
        PFAEngine = import_titus()
        doc, rewritten = titus_document(model.doc)
        self.note = "NaN literals rewritten as 0/0" if rewritten else ""
        try:
            self.engine, = PFAEngine.fromJson(doc)
        except Exception as err:
            raise Unavailable(short(err)) from err
        convert = titus_converter(model.doc["input"])
        self.records = [convert(r) for r in model.records[:model.titus_rows]]
        self.action = self.engine.action
        try:
            self.engine.begin()
            self.single(0)
        except Exception as err:
            raise Unavailable(short(err)) from err

    def single(self, i: int) -> Any:
        return self.action(self.records[i % len(self.records)])

    def batch(self, n: int) -> Any:
        action = self.action
        return [action(r) for r in self.records[:n]]
