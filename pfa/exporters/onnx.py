"""ONNX output through skl2onnx (the exporter never writes ONNX graphs by hand)."""

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
        model = skl_to_onnx(estimator, sample, options=options or None, target_opset=None)
    except Exception as err:  # skl2onnx raises many kinds; report them as a refusal
        raise UnsupportedModelError(f"skl2onnx cannot convert this model: {err}") from err
    return model.SerializeToString()
