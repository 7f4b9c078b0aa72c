"""ONNX's own backend node test cases, generated in memory from the installed onnx package,
run through the importer and the engine.

A node case is a tiny graph with its inputs and expected outputs. The importer treats the
first axis as the batch (one PFA record per row), so a case is prepared like this: the
first input is a row input; another input stays a row input when it has the same rank and
batch size, otherwise it becomes an initializer (a constant, as it would be in a model).
A case whose outputs do not keep the batch axis cannot be a row-by-row computation and is
counted as refused.

``python -m tests.onnx_import.node_cases`` prints the pass / refuse / fail counts per op.
"""

from __future__ import annotations

import warnings
from collections import Counter
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np

#: a float32 expectation is met within this many float32 epsilons (relative), because the
#: engine computes in double and the reference computed in float32
FLOAT32_ULPS = 64
FLOAT32_EPS = float(np.finfo(np.float32).eps)


@cache
def all_cases() -> tuple[Any, ...]:
    from onnx.backend.test.case.node import collect_testcases

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cases = collect_testcases()
    return tuple(c for c in cases if c.data_sets)


def case_ops(case: Any) -> set[str]:
    return {n.op_type for n in case.model.graph.node}


@dataclass
class Prepared:
    model: Any
    feeds: dict[str, np.ndarray]
    expected: list[np.ndarray]
    output_names: list[str]


def _array(value: Any) -> Any:
    from onnx import TensorProto, numpy_helper

    if isinstance(value, TensorProto):
        return numpy_helper.to_array(value)
    if isinstance(value, np.generic):
        return np.asarray(value)
    return value


def prepare(case: Any, rows_only_first: bool = False) -> Prepared | str:
    """The case as a batch model, or why it cannot be one. With ``rows_only_first`` every
    input but the first becomes a constant."""
    import onnx
    from onnx import numpy_helper

    model = onnx.ModelProto()
    model.CopyFrom(case.model)
    inputs, outputs = case.data_sets[0]
    inputs = [_array(v) for v in inputs]
    outputs = [_array(v) for v in outputs]
    graph = model.graph
    names = [v.name for v in graph.input]
    if not inputs or not isinstance(inputs[0], np.ndarray) or np.ndim(inputs[0]) == 0:
        return "the first input is not a batch"
    first = inputs[0]
    batch = first.shape[0]
    feeds = {}
    keep = []
    for k, (name, value) in enumerate(zip(names, inputs, strict=False)):
        if not isinstance(value, np.ndarray):
            return "sequence or optional inputs"
        if k == 0 or (not rows_only_first and value.ndim == first.ndim
                      and value.shape[:1] == (batch,)):
            feeds[name] = value
            keep.append(graph.input[k])
        else:
            graph.initializer.append(numpy_helper.from_array(value, name))
    del graph.input[:]
    graph.input.extend(keep)
    for out in outputs:
        if not isinstance(out, np.ndarray) or out.ndim == 0 or out.shape[0] != batch:
            return "an output does not keep the batch axis"
    return Prepared(model, feeds, list(outputs), [v.name for v in graph.output])


def tolerances(expected: np.ndarray, case: Any) -> tuple[float, float]:
    """(rtol, atol) for one expected output: float32 results within FLOAT32_ULPS epsilons of
    the reference (tighter than the case's own rtol when that is looser), float64 within
    1e-12, integers and booleans exact."""
    if expected.dtype == np.float32:
        rtol = min(float(case.rtol), FLOAT32_ULPS * FLOAT32_EPS)
        return rtol, max(float(case.atol), rtol * 1e-3)
    if expected.dtype == np.float64:
        return 1e-12, 1e-15
    return 0.0, 0.0


def run_case(case: Any) -> tuple[str, str]:
    """("pass" | "refuse" | "fail", detail) for one case."""
    from pfa.errors import UnsupportedModelError
    from pfa.onnx.session import InferenceSession

    prepared = prepare(case)
    if isinstance(prepared, str):
        return "refuse", prepared
    try:
        sess = InferenceSession(prepared.model)
    except UnsupportedModelError as err:
        if len(prepared.feeds) == 1:
            return "refuse", str(err)
        prepared = prepare(case, rows_only_first=True)  # the other inputs as weights
        try:
            sess = InferenceSession(prepared.model)
        except UnsupportedModelError as err2:
            return "refuse", f"{err} / with constants: {err2}"
    got = sess.run(prepared.output_names, prepared.feeds)
    runtime = onnxruntime_outputs(prepared)
    for k, (name, want, have) in enumerate(zip(prepared.output_names, prepared.expected, got,
                                               strict=True)):
        # the case's expectation within its own tolerance (some are rounded to 4 digits),
        # and onnxruntime's result within the tight one
        problem = compare(want, have, case, tight=runtime is None)
        if problem is None and runtime is not None:
            problem = compare(np.asarray(runtime[k]), have, case, tight=True)
            problem = problem and f"vs onnxruntime: {problem}"
        if problem:
            return "fail", f"{name}: {problem}"
    return "pass", ""


def onnxruntime_outputs(prepared: Prepared) -> list[Any] | None:
    """onnxruntime's outputs for the prepared case (None when it cannot run it)."""
    import onnxruntime as ort

    try:
        sess = ort.InferenceSession(prepared.model.SerializeToString(),
                                    providers=["CPUExecutionProvider"])
        return sess.run(prepared.output_names, prepared.feeds)
    except Exception:  # not implemented in onnxruntime: the case's expectation alone
        return None


def compare(want: np.ndarray, have: np.ndarray, case: Any, tight: bool = True) -> str | None:
    have = np.asarray(have)
    if have.shape != want.shape:
        return f"shape {have.shape} != {want.shape}"
    if want.dtype.kind in "fc":
        rtol, atol = tolerances(want, case) if tight else (float(case.rtol), float(case.atol))
        ok = np.isclose(have.astype(np.float64), want.astype(np.float64), rtol=rtol,
                        atol=atol, equal_nan=True)
        if not ok.all():
            k = int(np.argmin(ok.reshape(-1)))
            return (f"value {have.reshape(-1)[k]!r} != {want.reshape(-1)[k]!r} "
                    f"(rtol {rtol:g}, atol {atol:g})")
        return None
    if have.dtype != want.dtype and not (want.dtype.kind in "OUS" and have.dtype.kind == "O"):
        return f"dtype {have.dtype} != {want.dtype}"
    if not np.array_equal(have.astype(want.dtype), want):
        return f"values {have.reshape(-1)[:5]} != {want.reshape(-1)[:5]}"
    return None


def summary(ops: set[str] | None = None) -> dict[str, Counter]:
    """Outcome counts per op (cases with several ops count under each)."""
    table: dict[str, Counter] = {}
    for case in all_cases():
        if ops is not None and not case_ops(case) & ops:
            continue
        try:
            outcome, _ = run_case(case)
        except Exception as err:  # reported as a crash: the test suite fails on these
            outcome = f"crash {type(err).__name__}"
        for op in case_ops(case):
            table.setdefault(op, Counter())[outcome] += 1
    return table


if __name__ == "__main__":
    import sys

    from pfa.exporters.registry import supported_names

    wanted = set(supported_names("onnx"))
    only = set(sys.argv[1:]) or wanted
    results = summary(only)
    for op in sorted(results):
        if op in only:
            c = results[op]
            print(f"{op}: {c['pass']} passed / {sum(c.values())} total "
                  f"({dict(c)})")
