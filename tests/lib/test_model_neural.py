"""model.neural.simpleLayers: against a numpy forward pass and sklearn's MLP."""

from __future__ import annotations

import math

import numpy as np
import pytest

from pfa.avro.types import DOUBLE, AvroArray, parse_type
from pfa.check.signatures import FcnType
from tests.lib.helpers import fn, raises

VEC = AvroArray(DOUBLE)
LAYER = parse_type({"type": "record", "name": "Layer", "fields": [
    {"name": "weights", "type": {"type": "array", "items": {"type": "array", "items": "double"}}},
    {"name": "bias", "type": {"type": "array", "items": "double"}}]})
NET = fn("model.neural.simpleLayers", VEC, AvroArray(LAYER), FcnType((DOUBLE,), DOUBLE))


def sigmoid(v: float) -> float:
    return 1.0 / (1.0 + math.exp(-v))


def test_forward_pass_vs_numpy():
    rng = np.random.default_rng(0)
    sizes = [4, 6, 5, 2]
    ws = [rng.normal(size=(o, i)) for i, o in zip(sizes, sizes[1:])]
    bs = [rng.normal(size=o) for o in sizes[1:]]
    model = [{"weights": w.tolist(), "bias": b.tolist()} for w, b in zip(ws, bs)]
    x = rng.normal(size=4)
    h = x
    for w, b in zip(ws[:-1], bs[:-1]):
        h = 1.0 / (1.0 + np.exp(-(w @ h + b)))
    expect = ws[-1] @ h + bs[-1]
    assert np.allclose(NET(x.tolist(), model, sigmoid), expect, rtol=1e-12)
    single = [{"weights": [[1.0, 2.0]], "bias": [0.5]}]
    assert NET([1.0, 1.0], single, sigmoid) == [3.5]  # last layer: no activation


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_vs_sklearn_mlp():
    from sklearn.neural_network import MLPRegressor

    rng = np.random.default_rng(1)
    xs = rng.normal(size=(50, 3))
    mlp = MLPRegressor(hidden_layer_sizes=(5,), activation="tanh", max_iter=50,
                       random_state=0).fit(xs, xs.sum(axis=1))
    model = [{"weights": w.T.tolist(), "bias": b.tolist()}
             for w, b in zip(mlp.coefs_, mlp.intercepts_)]
    for x in xs[:5]:
        assert np.allclose(NET(x.tolist(), model, math.tanh), mlp.predict(x[None, :]))


def test_errors():
    raises(11000, NET, [1.0], [], sigmoid)
    raises(11001, NET, [1.0, 2.0], [{"weights": [[1.0]], "bias": [0.0]}], sigmoid)
    raises(11001, NET, [1.0], [{"weights": [[1.0]], "bias": [0.0, 1.0]}], sigmoid)
    two = [{"weights": [[1.0], [1.0]], "bias": [0.0, 0.0]},
           {"weights": [[1.0, 1.0, 1.0]], "bias": [0.0]}]
    raises(11001, NET, [1.0], two, sigmoid)
