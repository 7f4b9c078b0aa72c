"""model.cluster.*: nearest cluster centers, random seeding and k-means iterations."""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from itertools import islice
from operator import sub
from typing import Any

from pfa.lib._numeric import ieee_div
from pfa.lib.la import err
from pfa.lib.registry import CallSite, specialized

Metric = Callable[[Any, Any], float]


def squared_distance(a: list[float], b: list[float]) -> float:
    """Squared Euclidean distance over the common length of ``a`` and ``b``."""
    s = 0.0
    for d in map(sub, a, b):
        s += d * d
    return s


def euclidean(a: list[float], b: list[float]) -> float:
    """Euclidean distance (C-speed ``math.dist``; over the common length if they differ).
    Ordering by it is ordering by squared distance."""
    try:
        return math.dist(a, b)
    except ValueError:
        return math.sqrt(squared_distance(a, b))


def lowest_n(distances: list[float], n: int) -> list[int]:
    """Indexes of the ``n`` smallest distances, closest first (ties: lower index first)."""
    if n == 1 and distances:
        best = 0
        low = distances[0]
        for i, d in enumerate(distances):
            if d < low:
                best, low = i, d
        return [best]
    return sorted(range(len(distances)), key=distances.__getitem__)[:n]


@specialized("model.cluster.closest")
def _closest(site: CallSite) -> Callable[..., Any]:
    name = site.name

    def closest(datum: Any, clusters: list[dict[str, Any]], metric: Metric | None = None
                ) -> dict[str, Any]:
        if not clusters:
            raise err(29000, "no clusters", name)
        dist = metric or euclidean
        best = clusters[0]
        low = dist(datum, best["center"])
        for c in islice(clusters, 1, None):
            d = dist(datum, c["center"])
            if d < low:
                best, low = c, d
        return best
    return closest


@specialized("model.cluster.closestN")
def _closest_n(site: CallSite) -> Callable[..., Any]:
    name = site.name

    def closest_n(n: int, datum: Any, clusters: list[dict[str, Any]],
                  metric: Metric | None = None) -> list[dict[str, Any]]:
        if n < 0:
            raise err(29010, "n must be nonnegative", name)
        dist = metric or euclidean
        distances = [dist(datum, c["center"]) for c in clusters]
        return [clusters[i] for i in lowest_n(distances, n)]
    return closest_n


def _unique(data: list[list[Any]]) -> list[list[Any]]:
    """Distinct vectors of ``data`` in order of first appearance."""
    try:
        seen: dict[tuple[Any, ...], list[Any]] = {}
        for x in data:
            seen.setdefault(tuple(x), x)
        return list(seen.values())
    except TypeError:  # unhashable elements (records, maps): quadratic fallback
        out: list[list[Any]] = []
        for x in data:
            if x not in out:
                out.append(x)
        return out


@specialized("model.cluster.randomSeeds")
def _random_seeds(site: CallSite) -> Callable[..., Any]:
    name = site.name
    rng = getattr(site.context, "rng", None) or random.Random()

    def random_seeds(data: list[list[Any]], k: int,
                     new_cluster: Callable[[int, list[Any]], dict[str, Any]]
                     ) -> list[dict[str, Any]]:
        if k <= 0:
            raise err(29020, "k must be greater than zero", name)
        uniques = _unique(data)
        if len(uniques) < k:
            raise err(29021, "not enough unique points", name)
        if len({len(x) for x in uniques}) != 1:
            raise err(29022, "dimensions of vectors do not match", name)
        chosen = rng.sample(uniques, k)
        return [new_cluster(i, list(vec)) for i, vec in enumerate(chosen)]
    return random_seeds


@specialized("model.cluster.kmeansIteration")
def _kmeans_iteration(site: CallSite) -> Callable[..., Any]:
    name = site.name

    def kmeans_iteration(data: list[list[Any]], clusters: list[dict[str, Any]],
                         metric: Metric,
                         update: Callable[[list[list[Any]], dict[str, Any]], dict[str, Any]]
                         ) -> list[dict[str, Any]]:
        if not data:
            raise err(29030, "no data", name)
        if not clusters:
            raise err(29031, "no clusters", name)
        centers = [c["center"] for c in clusters]
        matched: list[list[list[Any]]] = [[] for _ in clusters]
        for datum in data:
            best = 0
            low = metric(datum, centers[0])
            for i in range(1, len(centers)):
                d = metric(datum, centers[i])
                if d < low:
                    best, low = i, d
            matched[best].append(datum)
        return [update(m, c) if m else c for m, c in zip(matched, clusters)]
    return kmeans_iteration


@specialized("model.cluster.updateMean")
def _update_mean(site: CallSite) -> Callable[..., Any]:
    name = site.name

    def mismatch() -> Exception:
        return err(29041, "dimensions of vectors do not match", name)

    def update_mean(data: list[list[float]], cluster: dict[str, Any], weight: float
                    ) -> dict[str, Any]:
        if not data:
            raise err(29040, "no data", name)
        size = len(data[0])
        total = [0.0] * size
        for vec in data:
            if len(vec) != size:
                raise mismatch()
            total = [a + b for a, b in zip(total, vec)]
        center = cluster["center"]
        if len(center) != size:
            raise mismatch()
        denom = len(data) + weight
        mean = [ieee_div(t + weight * c, denom) for t, c in zip(total, center)]
        return {**cluster, "center": mean}
    return update_mean
