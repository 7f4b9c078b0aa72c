"""model.cluster.*: nearest cluster centers, random seeding and k-means iterations."""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from itertools import islice
from operator import sub
from typing import Any

import numpy as np

from pfa.avro.types import AvroRecord
from pfa.document import ast as A
from pfa.lib.numeric import ieee_div
from pfa.lib.registry import CallSite, batch_call, error, specialized
from pfa.runtime.batch_forms import BatchCompiler, Kernel, NoVector, fcn_param_type
from pfa.runtime.columns import Const, const_table, dense, take

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
    def closest(datum: Any, clusters: list[dict[str, Any]], metric: Metric | None = None
                ) -> dict[str, Any]:
        if not clusters:
            raise error(29000)
        dist = metric or euclidean
        best = clusters[0]
        low = dist(datum, best["center"])
        for c in islice(clusters, 1, None):
            d = dist(datum, c["center"])
            if d < low:
                best, low = c, d
        return best
    return closest


@batch_call("model.cluster.closest")
def _closest_b(vc: BatchCompiler, node: A.Call) -> Kernel:
    """``closest(datum, clusters, metric)`` of constant clusters on columns: the metric's body
    runs once per cluster over all rows, then each row keeps the first cluster whose distance
    is strictly below the lowest so far, like the scalar loop. A shape-specific screen (hook
    ``cluster_screen``: the k-means metric) may pick the clusters instead; clusters that are
    not a constant array, and calls without a metric, run on the scalar engine."""
    if len(node.args) != 3 or not isinstance(node.args[2], A.FcnDef):
        raise NoVector("model.cluster.closest without an inline metric")
    item_t = node.args[1].type.items
    center = item_t.field("center") if isinstance(item_t, AvroRecord) else None
    if center is None:
        raise NoVector("clusters without a center")
    datum = vc.expr(node.args[0])
    clusters = vc.expr(node.args[1])
    fn = vc.inline(node.args[2], fcn_param_type(node, 2))
    types = [node.args[0].type, center.type]
    screen = vc.kernel("cluster_screen", node)

    def fast(env: Any) -> Any:
        ccol = clusters(env)
        if not isinstance(ccol, Const) or type(ccol.value) is not list or not ccol.value:
            return None
        items = ccol.value
        n = env.n
        dcol = datum(env)
        if screen is not None:
            best = screen(dcol, items)
            if best is not None:
                return take(const_table(items, item_t), best)
        best = np.zeros(n, dtype=np.intp)
        low = None
        for i, c in enumerate(items):
            d = fn.call(env, [dcol, Const(c["center"])], types)
            if isinstance(d, Const) and type(d.value) not in (int, float):
                return None
            d = dense(d, n, np.float64)
            if low is None:
                low = d
                continue
            with np.errstate(invalid="ignore"):
                upd = d < low
            best[upd] = i
            low = np.where(upd, d, low)
        return take(const_table(items, item_t), best)
    return vc.with_fallback(node, fast)


@specialized("model.cluster.closestN")
def _closest_n(site: CallSite) -> Callable[..., Any]:
    def closest_n(n: int, datum: Any, clusters: list[dict[str, Any]],
                  metric: Metric | None = None) -> list[dict[str, Any]]:
        if n < 0:
            raise error(29010)
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
    rng = getattr(site.context, "rng", None) or random.Random()

    def random_seeds(data: list[list[Any]], k: int,
                     new_cluster: Callable[[int, list[Any]], dict[str, Any]]
                     ) -> list[dict[str, Any]]:
        if k <= 0:
            raise error(29020)
        uniques = _unique(data)
        if len(uniques) < k:
            raise error(29021)
        if len({len(x) for x in uniques}) != 1:
            raise error(29022)
        chosen = rng.sample(uniques, k)
        return [new_cluster(i, list(vec)) for i, vec in enumerate(chosen)]
    return random_seeds


@specialized("model.cluster.kmeansIteration")
def _kmeans_iteration(site: CallSite) -> Callable[..., Any]:
    def kmeans_iteration(data: list[list[Any]], clusters: list[dict[str, Any]],
                         metric: Metric,
                         update: Callable[[list[list[Any]], dict[str, Any]], dict[str, Any]]
                         ) -> list[dict[str, Any]]:
        if not data:
            raise error(29030)
        if not clusters:
            raise error(29031)
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

    def update_mean(data: list[list[float]], cluster: dict[str, Any], weight: float
                    ) -> dict[str, Any]:
        if not data:
            raise error(29040)
        size = len(data[0])
        total = [0.0] * size
        for vec in data:
            if len(vec) != size:
                raise error(29041)
            total = [a + b for a, b in zip(total, vec)]
        center = cluster["center"]
        if len(center) != size:
            raise error(29041)
        denom = len(data) + weight
        mean = [ieee_div(t + weight * c, denom) for t, c in zip(total, center)]
        return {**cluster, "center": mean}
    return update_mean
