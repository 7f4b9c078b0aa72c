"""model.neural.simpleLayers: a feed-forward neural network."""

from __future__ import annotations

from collections.abc import Callable
from operator import mul
from typing import Any

from pfa.lib.registry import CallSite, error, specialized


@specialized("model.neural.simpleLayers")
def _simple_layers(site: CallSite) -> Callable[..., Any]:
    def layer(x: list[float], weights: list[list[float]], bias: list[float]) -> list[float]:
        size = len(x)
        if len(bias) != len(weights) or any(len(row) != size for row in weights):
            raise error(11001)
        return [sum(map(mul, row, x), 0.0) + b for row, b in zip(weights, bias)]

    def simple_layers(datum: list[float], model: list[dict[str, Any]],
                      activation: Callable[[float], float]) -> list[float]:
        if not model:
            raise error(11000)
        x = datum
        for lay in model[:-1]:
            x = [activation(v) for v in layer(x, lay["weights"], lay["bias"])]
        last = model[-1]
        return layer(x, last["weights"], last["bias"])
    return simple_layers
