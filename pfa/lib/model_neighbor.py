"""model.neighbor.*: k-nearest-neighbour search and (weighted) means of points."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pfa.lib.model_cluster import euclidean, lowest_n
from pfa.lib.numeric import ieee_div
from pfa.lib.registry import CallSite, error, specialized


@specialized("model.neighbor.mean")
def _mean(site: CallSite) -> Callable[..., Any]:
    def mean(points: list[list[float]],
             weight: Callable[[list[float]], float] | None = None) -> list[float]:
        if not points:
            raise error(30000)
        size = len(points[0])
        numer = [0.0] * size
        denom = 0.0
        for p in points:
            if len(p) != size:
                raise error(30001)
            w = 1.0 if weight is None else weight(p)
            numer = [a + w * b for a, b in zip(numer, p)]
            denom += w
        return [ieee_div(a, denom) for a in numer]
    return mean


@specialized("model.neighbor.nearestK")
def _nearest_k(site: CallSite) -> Callable[..., Any]:
    def nearest_k(k: int, datum: Any, codebook: list[Any],
                  metric: Callable[[Any, Any], float] | None = None) -> list[Any]:
        if k < 0:
            raise error(30010)
        if metric is None:
            size = len(datum)
            if any(len(x) != size for x in codebook):
                raise error(30011)
            distances = [euclidean(datum, x) for x in codebook]
        else:
            distances = [metric(datum, x) for x in codebook]
        return [codebook[i] for i in lowest_n(distances, k)]
    return nearest_k


@specialized("model.neighbor.ballR")
def _ball_r(site: CallSite) -> Callable[..., Any]:
    def ball_r(r: float, datum: Any, codebook: list[Any],
               metric: Callable[[Any, Any], float] | None = None) -> list[Any]:
        if metric is None:
            return [x for x in codebook if euclidean(datum, x) < r]
        return [x for x in codebook if metric(datum, x) < r]
    return ball_r
