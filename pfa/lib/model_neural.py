"""model.neural.simpleLayers: a feed-forward neural network."""

from __future__ import annotations

from collections.abc import Callable
from operator import mul
from typing import Any

from pfa.lib.la import err
from pfa.lib.registry import CallSite, specialized


@specialized("model.neural.simpleLayers")
def _simple_layers(site: CallSite) -> Callable[..., Any]:
    name = site.name

    def layer(x: list[float], weights: list[list[float]], bias: list[float]) -> list[float]:
        size = len(x)
        if len(bias) != len(weights) or any(len(row) != size for row in weights):
            raise err(11001, "weights, bias, or datum misaligned", name)
        return [sum(map(mul, row, x), 0.0) + b for row, b in zip(weights, bias)]

    def simple_layers(datum: list[float], model: list[dict[str, Any]],
                      activation: Callable[[float], float]) -> list[float]:
        if not model:
            raise err(11000, "no layers", name)
        x = datum
        for lay in model[:-1]:
            x = [activation(v) for v in layer(x, lay["weights"], lay["bias"])]
        last = model[-1]
        return layer(x, last["weights"], last["bias"])
    return simple_layers
