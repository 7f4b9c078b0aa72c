"""The ``metric.*`` library: distances between vectors (with missing values and a per-
component similarity function), one-dimensional similarity functions, and similarities of
binary vectors.

A missing component (null in ``x`` or ``y``) is left out of the sum and the result is scaled by
Σq / Σ(q over present components), where q are the missing-value weights (1.0 by default). If
every component is missing the result is NaN.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from pfa.lib.m import IEEE
from pfa.lib.numeric import ieee_div, ieee_pow
from pfa.lib.registry import error, scalar

_exp = IEEE["m.exp"]
_sqrt = IEEE["m.sqrt"]
_LN2 = math.log(2.0)

Similarity = Callable[[Any, Any], float]


@scalar("metric.simpleEuclidean")
def simple_euclidean(x: list[float], y: list[float]) -> float:
    """√Σ(x_i − y_i)², no missing values."""
    if len(x) != len(y):
        raise error(28000)
    return _sqrt(sum(((a - b) * (a - b) for a, b in zip(x, y)), 0.0))


@scalar("metric.absDiff")
def abs_diff(x: float, y: float) -> float:
    """|x − y|."""
    return abs(x - y)


@scalar("metric.gaussianSimilarity")
def gaussian_similarity(x: float, y: float, sigma: float) -> float:
    """exp(−ln 2 (x − y)² / σ²)."""
    return _exp(ieee_div(-_LN2 * (x - y) * (x - y), sigma * sigma))


def _reduce(code: int, similarity: Similarity, x: list, y: list,
            weights: list[float] | None, combine: Callable[[float, float], float]
            ) -> tuple[float, float, float]:
    """Fold ``combine`` over the similarities of present components; returns (tally,
    Σq over all components, Σq over present components)."""
    n = len(x)
    if weights is None:
        weights = [1.0] * n
    if len(y) != n or len(weights) != n:
        raise error(code)
    tally = 0.0
    total = 0.0
    present = 0.0
    for xi, yi, q in zip(x, y, weights):
        if xi is not None and yi is not None:
            tally = combine(tally, similarity(xi, yi))
            present += q
        total += q
    return tally, total, present


def _metric(name: str, code: int, combine: Callable[[float, float], float],
            finish: Callable[[float], float]) -> None:
    """Register ``name``(similarity, x, y[, missingWeight])."""

    @scalar(name)
    def impl(similarity: Similarity, x: list, y: list,
             missing_weight: list[float] | None = None) -> float:
        tally, total, present = _reduce(code, similarity, x, y, missing_weight, combine)
        if present == 0:
            return math.nan
        return finish(tally * total / present)


_metric("metric.euclidean", 28030, lambda t, s: t + s * s, _sqrt)
_metric("metric.squaredEuclidean", 28040, lambda t, s: t + s * s, lambda v: v)
_metric("metric.chebyshev", 28050, lambda t, s: s if s > t else t, lambda v: v)
_metric("metric.taxicab", 28060, lambda t, s: t + s, lambda v: v)


@scalar("metric.minkowski")
def minkowski(similarity: Similarity, x: list, y: list, p: float,
              missing_weight: list[float] | None = None) -> float:
    """(Σ similarity^p · scale)^(1/p); p = +inf is the Chebyshev metric."""
    n = len(x)
    if len(y) != n or (missing_weight is not None and len(missing_weight) != n):
        raise error(28070)
    if not p > 0:
        raise error(28071)
    if math.isinf(p):
        combine: Callable[[float, float], float] = lambda t, s: s if s > t else t  # noqa: E731
    else:
        combine = lambda t, s: t + ieee_pow(s, p)  # noqa: E731
    tally, total, present = _reduce(28070, similarity, x, y, missing_weight, combine)
    if present == 0:
        return math.nan
    scaled = tally * total / present
    return scaled if math.isinf(p) else ieee_pow(scaled, 1.0 / p)


# ------------------------------------------------------------------------------ binary

def _counts(code: int, x: list[bool], y: list[bool]) -> tuple[int, int, int, int]:
    """(a00, a01, a10, a11): counts of (x_i, y_i) pairs."""
    if len(x) != len(y):
        raise error(code)
    a = [0, 0, 0, 0]
    for xi, yi in zip(x, y):
        a[2 * bool(xi) + bool(yi)] += 1
    return a[0], a[1], a[2], a[3]


@scalar("metric.simpleMatching")
def simple_matching(x: list[bool], y: list[bool]) -> float:
    """(a11 + a00) / (a11 + a10 + a01 + a00)."""
    a00, a01, a10, a11 = _counts(28080, x, y)
    return ieee_div(float(a11 + a00), float(a11 + a10 + a01 + a00))


@scalar("metric.jaccard")
def jaccard(x: list[bool], y: list[bool]) -> float:
    """a11 / (a11 + a10 + a01)."""
    a00, a01, a10, a11 = _counts(28090, x, y)
    return ieee_div(float(a11), float(a11 + a10 + a01))


@scalar("metric.tanimoto")
def tanimoto(x: list[bool], y: list[bool]) -> float:
    """(a11 + a00) / (a11 + 2 (a10 + a01) + a00)."""
    a00, a01, a10, a11 = _counts(28100, x, y)
    return ieee_div(float(a11 + a00), float(a11 + 2 * (a10 + a01) + a00))


@scalar("metric.binarySimilarity")
def binary_similarity(x: list[bool], y: list[bool], c00: float, c01: float, c10: float,
                      c11: float, d00: float, d01: float, d10: float, d11: float) -> float:
    """(c11 a11 + c10 a10 + c01 a01 + c00 a00) / (d11 a11 + d10 a10 + d01 a01 + d00 a00)."""
    a00, a01, a10, a11 = _counts(28110, x, y)
    return ieee_div(c11 * a11 + c10 * a10 + c01 * a01 + c00 * a00,
                    d11 * a11 + d10 * a10 + d01 * a01 + d00 * a00)
