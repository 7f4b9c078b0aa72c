"""KMeansModel and BisectingKMeansModel: the cluster index (an int column, as in Spark).

K-means takes the first closest center: squared Euclidean distance, or cosine distance
``1 - x·c / ‖x‖ / ‖c‖`` (Spark fails on a zero vector: the invalid-row error). Bisecting
k-means walks Spark's cluster tree from the root, choosing at each node the first child with
the smallest cost (the same distances), down to a leaf.

The distances are computed exactly; Spark's Euclidean search may use the shortcut
``‖x‖² + ‖c‖² - 2 x·c`` (rounded differently), so a point equidistant from two centers to
within rounding can get the other center's index — the one documented inexactness.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from pfa.exporters.builder import ARRAY_DOUBLE, nums
from pfa.exporters.registry import converter
from pfa.exporters.spark.converters.models_common import CLUSTERING, features
from pfa.exporters.spark.exprs import fcn, if_
from pfa.exporters.spark.flow import Column, Flow
from pfa.exporters.spark.saved import SavedStage, to_dense_vector


def norm(v: np.ndarray) -> float:
    total = 0.0
    for a in v:
        total += float(a) * float(a)
    return math.sqrt(total)


def squared_distance(x: Any, c: Any) -> dict[str, Any]:
    return {"a.sum": {"a.zipmap": [x, c, fcn({"a": "double", "b": "double"}, "double", [
        {"let": {"d": {"-": ["a", "b"]}}}, {"*": ["d", "d"]}])]}}


def measure(stage: SavedStage, flow: Flow, name: str = "distanceMeasure") -> str:
    m = str(stage.param(name, "euclidean"))
    if m not in ("euclidean", "cosine"):
        flow.refuse(f"distanceMeasure={m!r} is not supported")
    return m


def point(stage: SavedStage, flow: Flow, size: int, kind: str) -> tuple[str, str | None]:
    """Bind the features (and their norm for cosine, failing on a zero vector)."""
    x, _ = features(stage, flow, size)
    xs = flow.builder.let("point", x)
    if kind != "cosine":
        return xs, None
    n = flow.builder.let("point_norm", {"m.sqrt": {"a.sum": {"a.map": [xs, fcn(
        {"v": "double"}, "double", {"*": ["v", "v"]})]}}})
    checked = flow.builder.let("point_norm_checked", if_(
        {"==": [n, 0.0]}, flow.invalid("cosine distance is not defined for a zero vector",
                                       "error"), n))
    return xs, checked


def cosine_distance(x: str, x_norm: str, c: Any, c_norm: Any) -> dict[str, Any]:
    return {"-": [1.0, {"/": [{"/": [{"a.sum": {"a.zipmap": [x, c, fcn(
        {"a": "double", "b": "double"}, "double", {"*": ["a", "b"]})]}}, x_norm]}, c_norm]}]}


def write_prediction(stage: SavedStage, flow: Flow, expr: Any) -> None:
    name = stage.param("predictionCol", "prediction")
    if name:
        flow.set_column(name, Column(expr, "int"))


@converter("spark", CLUSTERING, "KMeansModel", "clusterer",
           "euclidean and cosine; int prediction (first closest center)")
def kmeans(stage: SavedStage, flow: Flow) -> None:
    rows = sorted(stage.data().to_pylist(), key=lambda r: int(r["clusterIdx"]))
    centers = [to_dense_vector(r["clusterCenter"]) for r in rows]
    kind = measure(stage, flow)
    x, x_norm = point(stage, flow, centers[0].size, kind)
    center = {"type": "record", "name": flow.builder.type_name("Center"),
              "fields": [{"name": "point", "type": ARRAY_DOUBLE},
                         {"name": "norm", "type": "double"}]}
    cluster = {"type": "record", "name": flow.builder.type_name("Cluster"),
               "fields": [{"name": "center", "type": center}, {"name": "id", "type": "int"}]}
    cell = flow.builder.cell("clusters", {"type": "array", "items": cluster}, [
        {"center": {"point": nums(c), "norm": norm(c)}, "id": i}
        for i, c in enumerate(centers)])
    if kind == "cosine":
        dist = cosine_distance("x", x_norm, "c.point", "c.norm")
    else:
        dist = squared_distance("x", "c.point")
    metric = fcn({"x": ARRAY_DOUBLE, "c": center["name"]}, "double", dist)
    write_prediction(stage, flow, {"attr": {"model.cluster.closest": [x, cell, metric]},
                                   "path": [{"string": "id"}]})


@converter("spark", CLUSTERING, "BisectingKMeansModel", "clusterer",
           "euclidean and cosine; walks Spark's cluster tree")
def bisecting_kmeans(stage: SavedStage, flow: Flow) -> None:
    tree = stage.child("data")
    nodes = {int(r["index"]): r for r in tree.data("data").to_pylist()}
    root = int(tree.meta.get("rootId", -1))
    kind = str(tree.meta.get("distanceMeasure", stage.param("distanceMeasure", "euclidean")))
    if kind not in ("euclidean", "cosine"):
        flow.refuse(f"distanceMeasure={kind!r} is not supported")
    size = to_dense_vector(nodes[root]["center"]).size
    x, x_norm = point(stage, flow, size, kind)

    def cost(i: int) -> Any:
        c = to_dense_vector(nodes[i]["center"])
        cell = flow.builder.cell(f"center_{i}".replace("-", "m"), ARRAY_DOUBLE, nums(c))
        if kind == "cosine":
            return cosine_distance(x, x_norm, cell, norm(c))
        return squared_distance(x, cell)

    def descend(i: int) -> Any:
        children = [int(c) for c in nodes[i]["children"]]
        if not children:
            if i < 0:
                raise ValueError(f"cluster tree leaf {i} has no cluster index")
            return i
        costs = [flow.builder.let("cost", cost(c)) for c in children]
        # the first child of smallest cost (Scala's minBy), as nested ifs
        best: Any = descend(children[-1])
        for k in range(len(children) - 2, -1, -1):
            later = costs[k + 1:]
            cond: Any = {"<=": [costs[k], later[0]]}
            for other in later[1:]:
                cond = {"&&": [cond, {"<=": [costs[k], other]}]}
            best = if_(cond, descend(children[k]), best)
        return best

    write_prediction(stage, flow, descend(root))
