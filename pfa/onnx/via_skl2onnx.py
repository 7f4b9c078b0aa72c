"""A fitted sklearn model → an ONNX graph through skl2onnx (the project writes no ONNX graph
by hand; the graphs compute what skl2onnx emits, e.g. float32 trees)."""

from __future__ import annotations

from typing import Any

from pfa.errors import UnsupportedModelError


def to_onnx(estimator: Any, n_features: int | None = None, sample: Any = None) -> bytes:
    """Serialized ONNX model of a fitted sklearn estimator (float64 inputs)."""
    try:
        from skl2onnx import to_onnx as skl_to_onnx
    except ImportError as err:  # pragma: no cover - depends on the installed extras
        raise UnsupportedModelError("ONNX export needs the 'onnx' extra: "
                                    "pip install 'pfa[onnx]'") from err
    import numpy as np

    if sample is None:
        n = n_features if n_features is not None else estimator.n_features_in_
        sample = np.zeros((1, n), dtype=np.float64)
    options = {}
    if hasattr(estimator, "predict_proba") or hasattr(estimator, "classes_"):
        options = {id(estimator): {"zipmap": False}}
    try:
        model = skl_to_onnx(estimator, sample, options=options or None)
        if _float32_trees_only(model):
            # skl2onnx emits ai.onnx.ml opset 1 tree operators, which compute in float32 only;
            # sklearn's own trees compare float32 features too, so take float32 input.
            model = skl_to_onnx(estimator, np.asarray(sample, dtype=np.float32),
                                options=options or None)
    except Exception as err:  # skl2onnx raises many kinds; report them as a refusal
        raise UnsupportedModelError(f"skl2onnx cannot convert this model: {err}") from err
    return model.SerializeToString()


def _float32_trees_only(model: Any) -> bool:
    ml = {op.domain: op.version for op in model.opset_import}.get("ai.onnx.ml", 0)
    trees = any(n.op_type.startswith("TreeEnsemble") for n in model.graph.node)
    return trees and ml < 3
