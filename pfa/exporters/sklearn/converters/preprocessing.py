"""Scalers and other element-wise numeric transformers of sklearn.preprocessing."""

from __future__ import annotations

from typing import Any

import numpy as np

from pfa.exporters.builder import ARRAY_DOUBLE, DocumentBuilder, Vector, lit_double, nums
from pfa.exporters.registry import converter
from pfa.exporters.sklearn.converters.numeric import einsum_lanes, numpy_row_sum
from pfa.exporters.sklearn.core import fitted_attr
from pfa.exporters.table import Data, as_vector, element


def fcn(params: list[str], body: Any) -> dict:
    """An inline function of doubles returning a double."""
    return {"params": [{p: "double"} for p in params], "ret": "double", "do": body}


def zipmap(b: DocumentBuilder, what: str, x: Vector, arrays: dict[str, Any], body: Any) -> Vector:
    """``a.zipmap`` of the vector with per-feature parameter cells, one double body."""
    args: list[Any] = [x.expr]
    for name, values in arrays.items():
        args.append(b.cell(f"{what}_{name}", ARRAY_DOUBLE, nums(values)))
    args.append(fcn(["x", *arrays], body))
    return Vector(b.let(what, {"a.zipmap": args}), x.size, x.names)


@converter("sklearn", "sklearn.preprocessing", "StandardScaler", "transformer")
def standard_scaler(est: Any, b: DocumentBuilder, data: Data) -> Vector:
    x = as_vector(b, data)
    mean = est.mean_ if est.with_mean else None
    scale = est.scale_ if est.with_std else None
    if mean is not None and scale is not None:
        return zipmap(b, "scaled", x, {"mean": mean, "scale": scale},
                      {"/": [{"-": ["x", "mean"]}, "scale"]})
    if mean is not None:
        return zipmap(b, "centered", x, {"mean": mean}, {"-": ["x", "mean"]})
    if scale is not None:
        return zipmap(b, "scaled", x, {"scale": scale}, {"/": ["x", "scale"]})
    return x


@converter("sklearn", "sklearn.preprocessing", "MinMaxScaler", "transformer",
           "clip supported (NaN kept)")
def min_max_scaler(est: Any, b: DocumentBuilder, data: Data) -> Vector:
    x = as_vector(b, data)
    body: Any = {"+": [{"*": ["x", "scale"]}, "min"]}
    if est.clip:  # np.clip keeps NaN (PFA's min/max order NaN above every number)
        lo, hi = est.feature_range
        body = {"do": [{"let": {"y": body}}, {"if": {"impute.isnan": "y"}, "then": "y",
                "else": {"max": [lit_double(lo), {"min": ["y", lit_double(hi)]}]}}]}
    return zipmap(b, "minmax", x, {"scale": fitted_attr(est, "scale_"), "min": est.min_}, body)


@converter("sklearn", "sklearn.preprocessing", "MaxAbsScaler", "transformer")
def max_abs_scaler(est: Any, b: DocumentBuilder, data: Data) -> Vector:
    x = as_vector(b, data)
    return zipmap(b, "maxabs", x, {"scale": fitted_attr(est, "scale_")}, {"/": ["x", "scale"]})


@converter("sklearn", "sklearn.preprocessing", "RobustScaler", "transformer")
def robust_scaler(est: Any, b: DocumentBuilder, data: Data) -> Vector:
    x = as_vector(b, data)
    center = est.center_ if est.with_centering else None
    scale = est.scale_ if est.with_scaling else None
    if center is not None and scale is not None:
        return zipmap(b, "robust", x, {"center": center, "scale": scale},
                      {"/": [{"-": ["x", "center"]}, "scale"]})
    if center is not None:
        return zipmap(b, "robust", x, {"center": center}, {"-": ["x", "center"]})
    if scale is not None:
        return zipmap(b, "robust", x, {"scale": scale}, {"/": ["x", "scale"]})
    return x


@converter("sklearn", "sklearn.preprocessing", "Normalizer", "transformer",
           "l1, l2, max; near-zero norms as sklearn (divide by 1)")
def normalizer(est: Any, b: DocumentBuilder, data: Data) -> Vector:
    x = as_vector(b, data)
    # sklearn's normalize: l2 by row_norms (numpy's einsum), l1 by np.abs(X).sum(axis=1)
    if est.norm == "l2":
        lanes: list[Any] = [{"a.sum": {"new": [{"*": [element(x, j), element(x, j)]}
                                               for j in lane], "type": ARRAY_DOUBLE}}
                            for lane in einsum_lanes(x.size) if lane]
        norm: Any = {"m.sqrt": lanes[0] if len(lanes) == 1 else {"+": lanes}}
    elif est.norm == "l1":
        norm = numpy_row_sum([{"m.abs": element(x, j)} for j in range(x.size)])
    elif est.norm == "max":
        norm = {"a.max": {"a.map": [x.expr, fcn(["v"], {"m.abs": "v"})]}}
    else:
        raise ValueError(f"norm={est.norm!r} is not supported")
    n = b.let("norm", norm)
    # sklearn (_handle_zeros_in_scale) divides by 1 where the norm is below 10 machine epsilons
    tiny = 10 * float(np.finfo(np.float64).eps)
    safe = b.let("norm_safe", {"if": {"<": [n, tiny]}, "then": 1.0, "else": n})
    expr = {"a.map": [x.expr, {"params": [{"v": "double"}], "ret": "double",
                               "do": {"/": ["v", safe]}}]}
    return Vector(b.let("normalized", expr), x.size, x.names)


@converter("sklearn", "sklearn.preprocessing", "Binarizer", "transformer")
def binarizer(est: Any, b: DocumentBuilder, data: Data) -> Vector:
    x = as_vector(b, data)
    body = {"if": {">": ["v", lit_double(est.threshold)]}, "then": 1.0, "else": 0.0}
    expr = {"a.map": [x.expr, fcn(["v"], body)]}
    return Vector(b.let("binarized", expr), x.size, x.names)


@converter("sklearn", "sklearn.preprocessing", "PolynomialFeatures", "transformer")
def polynomial_features(est: Any, b: DocumentBuilder, data: Data) -> Vector:
    x = as_vector(b, data)
    terms = []
    for row in np.asarray(fitted_attr(est, "powers_")):
        factors: list[Any] = []
        for j, p in enumerate(row):
            factors.extend([element(x, j)] * int(p))
        if not factors:
            terms.append(1.0)
            continue
        expr = factors[0]
        for f in factors[1:]:
            expr = {"*": [expr, f]}
        terms.append(expr)
    out = {"new": terms, "type": ARRAY_DOUBLE}
    return Vector(b.let("poly", out), len(terms))


@converter("sklearn", "sklearn.preprocessing", "KBinsDiscretizer", "transformer",
           "encode ordinal, onehot, onehot-dense")
def kbins(est: Any, b: DocumentBuilder, data: Data) -> Vector:
    x = as_vector(b, data)
    items: list[Any] = []
    for j, edges in enumerate(fitted_attr(est, "bin_edges_")):
        inner = [float(e) for e in edges[1:-1]]
        # sklearn: searchsorted(inner, x, side="right"), i.e. the number of inner edges <= x
        clauses = [{"if": {"<": [element(x, j), lit_double(e)]}, "then": float(k)}
                   for k, e in enumerate(inner)]
        idx: Any = ({"cond": clauses, "else": float(len(inner))} if clauses else 0.0)
        if est.encode == "ordinal":
            items.append(idx)
        else:
            v = b.let(f"bin{j}", idx)
            n_bins = int(est.n_bins_[j])
            items.extend({"if": {"==": [v, float(k)]}, "then": 1.0, "else": 0.0}
                         for k in range(n_bins))
    return Vector(b.let("bins", {"new": items, "type": ARRAY_DOUBLE}), len(items))
