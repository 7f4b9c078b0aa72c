"""Multi-layer perceptrons: MLPClassifier and MLPRegressor.

The hidden layers run through ``model.neural.simpleLayers`` (which applies the activation to
every layer but the last), then sklearn's output activation is applied.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from pfa.exporters.builder import ARRAY_DOUBLE, DocumentBuilder, Output, nums
from pfa.exporters.refusals import Refusal
from pfa.exporters.registry import converter
from pfa.exporters.sklearn.converters.numeric import above, float64_attr
from pfa.exporters.sklearn.converters.outputs import classifier_output, regressor_output
from pfa.exporters.sklearn.converters.preprocessing import fcn
from pfa.exporters.table import Data, as_vector

#: sklearn's hidden activations as one-argument bodies (PFA's m.link.relu is a softplus)
ACTIVATIONS: dict[str, Any] = {
    "identity": "v",
    "relu": {"if": {">": ["v", 0.0]}, "then": "v", "else": 0.0},
    "tanh": {"m.tanh": "v"},
    "logistic": {"m.link.logit": "v"},
}


def network(est: Any, b: DocumentBuilder, data: Data) -> str:
    """Bind the output layer's values before the output activation."""
    x = as_vector(b, data)
    coefs = float64_attr(est, "coefs_")
    if est.activation not in ACTIVATIONS:
        raise ValueError(f"activation={est.activation!r} is not supported")
    layer = {"type": "record", "name": b.type_name("Layer"),
             "fields": [{"name": "weights", "type": {"type": "array", "items": ARRAY_DOUBLE}},
                        {"name": "bias", "type": ARRAY_DOUBLE}]}
    init = [{"weights": nums(np.asarray(w, dtype=np.float64).T), "bias": nums(c)}
            for w, c in zip(coefs, est.intercepts_)]
    cell = b.cell("layers", {"type": "array", "items": layer}, init)
    return b.let("network", {"model.neural.simpleLayers": [
        x.expr, cell, fcn(["v"], ACTIVATIONS[est.activation])]})


def _softmax(b: DocumentBuilder, z: str) -> str:
    """sklearn's in-place softmax: ``exp(z - max z) / sum``."""
    top = b.let("z_max", {"a.max": z})
    e = b.let("z_exp", {"a.map": [z, fcn(["v"], {"m.exp": {"-": ["v", top]}})]})
    total = b.let("z_total", {"a.sum": e})
    return b.let("proba", {"a.map": [e, fcn(["v"], {"/": ["v", total]})]})


@converter("sklearn", "sklearn.neural_network", "MLPRegressor", "regressor",
           "relu, tanh, logistic, identity")
def mlp_regressor(est: Any, b: DocumentBuilder, data: Data) -> Output:
    out = network(est, b, data)
    n_out = int(est.n_outputs_)
    if est.out_activation_ != "identity":
        raise ValueError(f"output activation {est.out_activation_!r} is not supported")
    return regressor_output({"attr": out, "path": [0]} if n_out == 1 else out, n_out)


@converter("sklearn", "sklearn.neural_network", "MLPClassifier", "classifier",
           "binary and multiclass; relu, tanh, logistic, identity")
def mlp_classifier(est: Any, b: DocumentBuilder, data: Data) -> Output:
    out = network(est, b, data)
    if est.out_activation_ == "logistic" and len(est.classes_) == 2:
        p = b.let("p", {"m.link.logit": {"attr": out, "path": [0]}})
        proba = {"new": [{"-": [1.0, p]}, p], "type": ARRAY_DOUBLE}
        # LabelBinarizer.inverse_transform: positive class when p > 0.5
        return classifier_output(b, est.classes_,
                                 {"if": above(p, 0.5), "then": 1, "else": 0}, proba)
    if est.out_activation_ == "softmax":
        proba = _softmax(b, out)
        return classifier_output(b, est.classes_, {"a.argmax": proba}, proba)
    raise Refusal("multi-output classifier", "multilabel networks are not supported")
