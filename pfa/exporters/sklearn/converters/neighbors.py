"""k-nearest neighbours: KNeighborsClassifier and KNeighborsRegressor.

The training points and their targets sit in a cell; ``model.neighbor.nearestK`` finds the
``k`` closest with sklearn's metric (Minkowski distances computed as its tree searches do:
``sqrt(sum d²)``, ``sum |d|`` or ``(sum |d|^p)^(1/p)``). Distance weights are ``1/d``, except
that a query at distance 0 from some neighbours gives those weight 1 and the others 0; a
classifier refuses a row whose neighbours all get weight 0 (distances overflowing to
infinity), as sklearn does.

Refused: distance weights with the euclidean metric on sklearn's brute-force search
(``_fit_method == "brute"``: ``algorithm="brute"``, or ``"auto"`` with more than 15 features or
``n_neighbors`` at least half the training rows). That search ranks and returns distances
computed as ``sqrt(max(|x|² - 2 x·y + |y|², 0))`` with BLAS products (``ArgKmin`` in
``sklearn.metrics._pairwise_distances_reduction``), whose rounding depends on the machine's
BLAS kernel (blocking, FMA) and cancels when the columns are large or offset; the weights
``1/d`` carry it (relative differences near 1e-5 on columns of scale 1e4). The trees, and the
brute search with any other metric (``"l2"`` included), sum ``(x - y)²`` term by term as the
document does. With uniform weights only the neighbour ranking uses those distances: rows
whose neighbours nearly tie for the k-th place are not promised, as for ties in general.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from pfa.exporters.builder import ARRAY_DOUBLE, DocumentBuilder, Output, nums
from pfa.exporters.refusals import Refusal
from pfa.exporters.registry import converter
from pfa.exporters.sklearn.converters.numeric import float64_attr
from pfa.exporters.sklearn.converters.outputs import classifier_output, regressor_output
from pfa.exporters.sklearn.converters.preprocessing import fcn
from pfa.exporters.sklearn.core import fitted_attr
from pfa.exporters.sklearn.guards import REFUSED_CODE
from pfa.exporters.table import Data, as_vector

_EUCLIDEAN = ("euclidean", "l2")
_MANHATTAN = ("manhattan", "cityblock", "l1")


def _distance_body(est: Any) -> Any:
    """The distance between ``x`` and ``y`` (arrays of doubles) as a PFA expression."""
    metric, p = est.effective_metric_, (est.effective_metric_params_ or {}).get("p", est.p)
    if metric == "minkowski" and p == 2 or metric in _EUCLIDEAN:
        return {"metric.simpleEuclidean": ["x", "y"]}
    diffs = {"a.zipmap": ["x", "y", fcn(["a", "b"], {"m.abs": {"-": ["a", "b"]}})]}
    if metric == "minkowski" and p == 1 or metric in _MANHATTAN:
        return {"a.sum": diffs}
    if metric == "minkowski" and p is not None and np.isfinite(p) and p > 0:
        powered = {"a.map": [diffs, fcn(["v"], {"**": ["v", float(p)]})]}
        return {"**": [{"a.sum": powered}, 1.0 / float(p)]}
    raise ValueError(f"metric={est.metric!r} (p={est.p}) is not supported; use minkowski "
                     "(any p), euclidean or manhattan")


def _check_exact(est: Any) -> None:
    """Refuse what the document cannot compute as sklearn does (see the module docstring)."""
    if est.weights == "distance" and getattr(est, "_fit_method", est.algorithm) == "brute" \
            and est.effective_metric_ == "euclidean":
        raise Refusal("brute-force euclidean distance weights",
                      "distance weights with euclidean distances on the brute-force search "
                      f"(algorithm={est.algorithm!r} resolved to 'brute'): sklearn computes "
                      "them as |x|² - 2x·y + |y|² with BLAS, whose rounding depends on the "
                      "machine; use algorithm='kd_tree' or 'ball_tree', metric='l2', or "
                      "uniform weights")
    if (est.effective_metric_params_ or {}).get("w") is not None:
        raise ValueError("a weighted minkowski metric (metric_params w) is not supported")


def _neighbors(est: Any, b: DocumentBuilder, data: Data, targets: np.ndarray,
               target_type: Any) -> tuple[str, str | None, dict]:
    """Bind the ``k`` nearest training points (records ``{point, target}``); returns
    (neighbours, their distance weights or None for uniform weights, the record type)."""
    if est.weights not in ("uniform", "distance"):
        raise ValueError("weights must be 'uniform' or 'distance' (a callable is not supported)")
    _check_exact(est)
    x = as_vector(b, data)
    fit_x = float64_attr(est, "_fit_X")
    if fit_x.ndim != 2:
        raise ValueError("the training data is not a dense matrix")
    body = _distance_body(est)
    dist = b.fcn("distance", {"params": [{"x": ARRAY_DOUBLE}, {"y": ARRAY_DOUBLE}],
                              "ret": "double", "do": body})
    rec = {"type": "record", "name": b.type_name("TrainingPoint"),
           "fields": [{"name": "point", "type": ARRAY_DOUBLE},
                      {"name": "target", "type": target_type}]}
    init = [{"point": nums(row), "target": t} for row, t in zip(fit_x, targets)]
    cell = b.cell("training", {"type": "array", "items": rec}, init)
    metric = {"params": [{"x": ARRAY_DOUBLE}, {"t": rec["name"]}], "ret": "double",
              "do": {dist: ["x", {"attr": "t", "path": [{"string": "point"}]}]}}
    near = b.let("neighbors", {"model.neighbor.nearestK": [
        int(est.n_neighbors), x.expr, cell, metric]})
    if est.weights == "uniform":
        return near, None, rec
    ds = b.let("neighbor_distances", {"a.map": [near, {
        "params": [{"t": rec["name"]}], "ret": "double",
        "do": {dist: [x.expr, {"attr": "t", "path": [{"string": "point"}]}]}}]})
    inverse = b.let("inverse_distances", {"a.map": [ds, fcn(["d"], {"/": [1.0, "d"]})]})
    infinite = b.let("exact_match", {"a.any": [inverse, {
        "params": [{"w": "double"}], "ret": "boolean", "do": {"impute.isinf": "w"}}]})
    weights = b.let("neighbor_weights", {"a.map": [inverse, fcn(["w"], {
        "if": infinite, "then": {"if": {"impute.isinf": "w"}, "then": 1.0, "else": 0.0},
        "else": "w"})]})
    return near, weights, rec


def _target(name: str) -> dict:
    return {"attr": name, "path": [{"string": "target"}]}


@converter("sklearn", "sklearn.neighbors", "KNeighborsClassifier", "classifier",
           "uniform/distance weights; minkowski, euclidean, manhattan; single output")
def knn_classifier(est: Any, b: DocumentBuilder, data: Data) -> Output:
    if getattr(est, "outputs_2d_", False):
        raise Refusal("multi-output classifier", "multi-output classification is not supported")
    y = np.asarray(fitted_attr(est, "_y"), dtype=np.int64)
    near, weights, rec = _neighbors(est, b, data, [int(v) for v in y], "int")
    n = len(est.classes_)
    if weights is None:
        weights = b.let("neighbor_weights", {"a.map": [near, {
            "params": [{"t": rec["name"]}], "ret": "double", "do": 1.0}]})
    # sklearn: proba[label] += weight, neighbour by neighbour
    labels = b.let("neighbor_labels", {"a.map": [near, {
        "params": [{"t": rec["name"]}], "ret": "int", "do": _target("t")}]})
    counts = []
    for c in range(n):
        counts.append({"a.sum": {"a.zipmap": [labels, weights, {
            "params": [{"l": "int"}, {"w": "double"}], "ret": "double",
            "do": {"if": {"==": ["l", c]}, "then": "w", "else": 0.0}}]}})
    raw = b.let("class_weights", {"new": counts, "type": ARRAY_DOUBLE})
    total = b.let("class_weights_total", {"a.sum": raw})
    if est.weights == "distance":  # every neighbour at an infinite distance (overflow)
        b.steps.append({"if": {"==": [total, 0.0]}, "then": {
            "error": "all neighbours of the row get zero weight (their distances overflow to "
                     "infinity), which sklearn refuses", "code": REFUSED_CODE}})
    proba = b.let("proba", {"a.map": [raw, fcn(["v"], {"/": ["v", total]})]})
    return classifier_output(b, est.classes_, {"a.argmax": raw}, proba)


@converter("sklearn", "sklearn.neighbors", "KNeighborsRegressor", "regressor",
           "uniform/distance weights; minkowski, euclidean, manhattan; multi-output")
def knn_regressor(est: Any, b: DocumentBuilder, data: Data) -> Output:
    y = np.asarray(fitted_attr(est, "_y"), dtype=np.float64)
    y2 = y.reshape(len(y), -1)
    near, weights, rec = _neighbors(est, b, data, [nums(row) for row in y2],
                                    ARRAY_DOUBLE)
    points = b.let("neighbor_targets", {"a.map": [near, {
        "params": [{"t": rec["name"]}], "ret": ARRAY_DOUBLE, "do": _target("t")}]})
    if weights is None:
        out = b.let("prediction", {"model.neighbor.mean": points})
    else:
        denom = b.let("weight_total", {"a.sum": weights})
        sums = [{"a.sum": {"a.zipmap": [points, weights, {
            "params": [{"t": ARRAY_DOUBLE}, {"w": "double"}], "ret": "double",
            "do": {"*": [{"attr": "t", "path": [j]}, "w"]}}]}} for j in range(y2.shape[1])]
        out = b.let("prediction", {"a.map": [{"new": sums, "type": ARRAY_DOUBLE},
                                             fcn(["v"], {"/": ["v", denom]})]})
    if y.ndim == 1:
        return regressor_output({"attr": out, "path": [0]})
    return regressor_output(out, y2.shape[1])
