"""model.svm.score: the decision function of a two-class support vector machine."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pfa.lib.registry import CallSite, error, specialized


@specialized("model.svm.score")
def _score(site: CallSite) -> Callable[..., Any]:
    def score(datum: list[float], model: dict[str, Any],
              kernel: Callable[[list[float], list[float]], float]) -> float:
        pos, neg = model["posClass"], model["negClass"]
        if not pos and not neg:
            raise error(12000)
        size = len(datum)
        total = 0.0
        for group in (neg, pos):
            for sv in group:
                vec = sv["supVec"]
                if len(vec) != size:
                    raise error(12001)
                total += kernel(vec, datum) * sv["coeff"]
        return total + model["const"]
    return score
