"""Run a compiled model on onnxruntime (one thread) and compare it with the engine's
``action_batch`` on the same records."""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from pfa import Engine
from pfa.onnx.compiler import ERROR_METADATA, ERROR_OUTPUT
from pfa.onnx.compiler.compile import feeds

#: relative tolerance where the graph uses onnxruntime's transcendental functions (exp, log):
#: a few ulps, scaled by the largest magnitude of the output column (sums of terms of
#: opposite signs cancel)
RTOL = 1e-12


def run_onnx(model: Any, records: list[Any]) -> dict[str, np.ndarray]:
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    session = ort.InferenceSession(model.SerializeToString(), options,
                                   providers=["CPUExecutionProvider"])
    names = [o.name for o in session.get_outputs()]
    return dict(zip(names, session.run(None, feeds(model, records))))


def engine_outputs(doc: Any, records: list[Any], scalar: bool = False) -> list[Any]:
    engine = Engine.from_json(doc)
    if scalar:
        return [engine.action(r) for r in records]
    return engine.action_batch(records)


def compare_errors(doc: Any, model: Any, records: list[Any]) -> list[int]:
    """The rows the engine fails on are the rows ``pfa.error`` flags, with the same error
    code and message; returns the rows that succeeded."""
    result = Engine.from_json(doc).action_batch(records, on_error="null")
    failed = {row: (code, message) for row, code, message in result.errors}
    got = run_onnx(model, records)
    flags = got[ERROR_OUTPUT].ravel() if ERROR_OUTPUT in got else np.zeros(len(records), int)
    table = json.loads({p.key: p.value for p in model.metadata_props}.get(ERROR_METADATA,
                                                                           "[]"))
    assert set(np.flatnonzero(flags).tolist()) == set(failed), \
        f"failing rows differ: graph {np.flatnonzero(flags)[:5]}, engine {sorted(failed)[:5]}"
    for row, (code, message) in failed.items():
        entry = table[flags[row] - 1]
        assert (entry["code"], entry["message"]) == (code, message), (row, entry, code, message)
    return [i for i in range(len(records)) if i not in failed]


def compare(doc: Any, model: Any, records: list[Any], exact: bool,
            scalar: bool = False) -> None:
    """Every output tensor equals the engine's values (``action_batch``, or ``action`` row by
    row when ``scalar``) — bit for bit when ``exact``, else within :data:`RTOL` — and no row
    raised in the graph."""
    got = run_onnx(model, records)
    expected = engine_outputs(doc, records, scalar)
    if ERROR_OUTPUT in got:
        assert not got[ERROR_OUTPUT].any(), f"rows failed: {np.flatnonzero(got[ERROR_OUTPUT])}"
    for name, value in got.items():
        if name == ERROR_OUTPUT:
            continue
        column = [r if name == "output" and not _is_record(r, name) else r[name]
                  for r in expected]
        assert_same(value, column, name, exact)


def _is_record(r: Any, name: str) -> bool:
    return isinstance(r, dict) and name in r


def assert_same(value: np.ndarray, column: list[Any], what: str, exact: bool) -> None:
    if value.dtype == object or value.dtype == bool or value.dtype.kind in "iu":
        e = np.array(column, dtype=value.dtype).reshape(value.shape)
        assert (value == e).all(), f"{what}: {value.ravel()[:5]} != {e.ravel()[:5]}"
        return
    e = np.array(column, dtype=np.float64).reshape(value.shape)
    a = value.astype(np.float64)
    same = (a == e) | (np.isnan(a) & np.isnan(e))
    if exact:
        bad = np.flatnonzero(~same)
        assert not bad.size, f"{what}: not bit-identical at {bad[:5]}: " \
                             f"{a.ravel()[bad[:3]]} != {e.ravel()[bad[:3]]}"
        return
    finite = np.isfinite(e)
    scale = np.max(np.abs(e[finite]), initial=0.0)
    with np.errstate(all="ignore"):
        close = np.abs(a - e) <= RTOL * np.maximum(np.abs(e), scale)
    bad = np.flatnonzero(~(same | close))
    assert not bad.size, f"{what}: differs beyond {RTOL} at {bad[:5]}: " \
                         f"{a.ravel()[bad[:3]]} != {e.ravel()[bad[:3]]}"
