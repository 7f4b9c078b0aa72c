"""MultilayerPerceptronClassificationModel: sigmoid hidden layers, softmax output.

Spark stores every affine layer as a column-major ``out × in`` weight matrix followed by its
bias, all in one vector. The raw vector is the last affine layer's output (hidden layers
through ``1 / (1 + exp(-v))``); probabilities are Spark's softmax of it (maximum
subtracted, divided by the sum).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from pfa.exporters.builder import ARRAY_DOUBLE, nums
from pfa.exporters.registry import converter
from pfa.exporters.spark.converters.models_common import (
    CLASSIFICATION,
    RawParts,
    features,
    raw_parts,
    sigmoid,
    vector_param,
    write_classifier,
)
from pfa.exporters.spark.exprs import fcn
from pfa.exporters.spark.flow import Flow
from pfa.exporters.spark.saved import SavedStage


def layer_weights(layers: list[int], weights: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """(out × in matrix, bias) of each affine layer from Spark's flat weight vector."""
    need = sum(n_in * n_out + n_out for n_in, n_out in zip(layers[:-1], layers[1:]))
    if need != weights.size:
        raise ValueError(f"{weights.size} weights do not fit the layers {layers}")
    out, offset = [], 0
    for n_in, n_out in zip(layers[:-1], layers[1:]):
        w = weights[offset:offset + n_in * n_out].reshape(n_in, n_out).T
        offset += n_in * n_out
        out.append((w, weights[offset:offset + n_out]))
        offset += n_out
    return out


def softmax(raw: Any) -> dict[str, Any]:
    amap = lambda xs, body: {"a.map": [xs, fcn({"v": "double"}, "double", body)]}  # noqa: E731
    return {"do": [
        {"let": {"raw_max": {"a.max": raw}}},
        {"let": {"raw_exp": amap(raw, {"m.exp": {"-": ["v", "raw_max"]}})}},
        {"let": {"raw_sum": {"a.sum": "raw_exp"}}},
        amap("raw_exp", {"/": ["v", "raw_sum"]})]}


@converter("spark", CLASSIFICATION, "MultilayerPerceptronClassificationModel", "classifier",
           "sigmoid hidden layers, softmax output; thresholds")
def multilayer_perceptron(stage: SavedStage, flow: Flow) -> None:
    write_classifier(stage, flow)


@raw_parts("MultilayerPerceptronClassificationModel")
def multilayer_perceptron_parts(stage: SavedStage, flow: Flow) -> RawParts:
    row = stage.data_row()
    layers = [int(v) for v in (row.get("layers") or stage.param("layers"))]  # Spark 2.x: data
    weights = layer_weights(layers, vector_param(row, "weights"))
    x, _ = features(stage, flow, layers[0])
    layer = {"type": "record", "name": flow.builder.type_name("Layer"),
             "fields": [{"name": "weights", "type": {"type": "array", "items": ARRAY_DOUBLE}},
                        {"name": "bias", "type": ARRAY_DOUBLE}]}
    cell = flow.builder.cell("layers", {"type": "array", "items": layer},
                             [{"weights": nums(w), "bias": nums(b)} for w, b in weights])
    raw = {"model.neural.simpleLayers": [x, cell, fcn({"v": "double"}, "double",
                                                       sigmoid("v"))]}
    return RawParts(raw, layers[-1], softmax)
