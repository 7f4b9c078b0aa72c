"""The anchor models (benches/models.py) as ONNX two ways, both on onnxruntime with one thread:
compiled from the exported PFA document (``pfa.onnx.compile``) and converted by skl2onnx.

For each: agreement with sklearn (max relative error of the probabilities / predictions,
label mismatches) and with the engine's ``action_batch``, and rows/s on a batch.

    python benches/onnx_compare.py [--rows 20000] [--models M1,M2,...]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benches.adapters import Onnx, Unavailable  # noqa: E402
from benches.models import ALL, build  # noqa: E402


def _session(blob: bytes) -> Any:
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    opts.inter_op_num_threads = 1
    return ort.InferenceSession(blob, opts, providers=["CPUExecutionProvider"])


def _rate(run: Any, n: int, repeats: int = 3) -> float:
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - t0)
    return n / best


def _errors(got: np.ndarray, ref: np.ndarray) -> tuple[float, float]:
    """(max relative error where |ref| > 1e-12, max absolute error)."""
    got = np.asarray(got, dtype=np.float64).reshape(ref.shape)
    diff = np.abs(got - ref)
    big = np.abs(ref) > 1e-12
    rel = float(np.max(diff[big] / np.abs(ref[big]), initial=0.0))
    return rel, float(np.max(diff, initial=0.0))


def _reference(model: Any) -> tuple[str, np.ndarray, np.ndarray | None]:
    est = model.estimator
    labels = np.asarray(est.predict(model.X))
    if hasattr(est, "predict_proba"):
        return "probabilities", np.asarray(est.predict_proba(model.X), dtype=np.float64), labels
    return "prediction", labels.astype(np.float64), labels if labels.dtype.kind in "iu" else None


def via_pfa(model: Any) -> dict[str, Any]:
    from pfa.onnx.compiler import compile
    from pfa.onnx.compiler.compile import feeds

    t0 = time.perf_counter()
    onnx_model = compile(model.doc)
    compile_s = time.perf_counter() - t0
    session = _session(onnx_model.SerializeToString())
    inputs = feeds(onnx_model, model.records)
    names = [o.name for o in session.get_outputs()]
    out = dict(zip(names, session.run(None, inputs)))
    what, ref, labels = _reference(model)
    if what == "probabilities":
        value = out["probabilities"]
    else:
        value = out.get("output", out.get(names[0]))
    rel, abs_ = _errors(value, ref)
    mismatches = None
    if labels is not None:
        label = out.get("label", out.get("output"))
        mismatches = int((np.asarray(label).ravel() != labels).sum())
    engine = model.engine().action_batch(model.records)
    eng = np.array([r[what if what == "probabilities" else "label"] if isinstance(r, dict)
                    else r for r in engine], dtype=np.float64) if what == "probabilities" or \
        not isinstance(engine[0], dict) else None
    vs_engine = _errors(value, eng.reshape(np.asarray(value).shape))[0] \
        if eng is not None else None
    rate = _rate(lambda: session.run(None, inputs), model.n_rows)
    trees = sum(n.op_type == "TreeEnsemble" for n in onnx_model.graph.node)
    return dict(rel=rel, abs=abs_, mismatches=mismatches, vs_engine=vs_engine, rate=rate,
                nodes=len(onnx_model.graph.node), trees=trees, compile_s=compile_s)


def via_skl2onnx(model: Any) -> dict[str, Any]:
    adapter = Onnx()
    adapter.prepare(model)
    outs = adapter.batch(model.n_rows)
    what, ref, labels = _reference(model)
    value = outs[1] if what == "probabilities" and len(outs) > 1 else outs[0]
    rel, abs_ = _errors(value, ref)
    mismatches = int((np.asarray(outs[0]).ravel() != labels).sum()) \
        if labels is not None else None
    rate = _rate(lambda: adapter.batch(model.n_rows), model.n_rows)
    return dict(rel=rel, abs=abs_, mismatches=mismatches, rate=rate, note=adapter.note)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rows", type=int, default=20_000)
    p.add_argument("--models", default=",".join(ALL))
    args = p.parse_args(argv)
    print(f"{'model':6s} {'path':9s} {'max rel err':>12s} {'max abs err':>12s} "
          f"{'label diffs':>11s} {'rows/s':>10s}  notes")
    for key in args.models.split(","):
        model = build(key, args.rows)
        for path, fn in (("PFA→ONNX", via_pfa), ("skl2onnx", via_skl2onnx)):
            try:
                r = fn(model)
            except (Unavailable, Exception) as err:  # a path that cannot run this model
                print(f"{key:6s} {path:9s} {'—':>12s} {'—':>12s} {'—':>11s} {'—':>10s}  "
                      f"{type(err).__name__}: {str(err)[:70]}")
                continue
            notes = r.get("note") or ""
            if "nodes" in r:
                notes = (f"{r['nodes']} nodes, {r['trees']} TreeEnsemble, compile "
                         f"{r['compile_s']:.2f} s")
                if r["vs_engine"] is not None:
                    notes += f", vs engine {r['vs_engine']:.1e}"
            mism = "—" if r["mismatches"] is None else str(r["mismatches"])
            print(f"{key:6s} {path:9s} {r['rel']:12.1e} {r['abs']:12.1e} {mism:>11s} "
                  f"{r['rate']:10,.0f}  {notes}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
