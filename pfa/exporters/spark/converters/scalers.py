"""Spark's vector-wise numeric stages: StandardScaler, MinMaxScaler, MaxAbsScaler,
RobustScaler, Normalizer, ElementwiseProduct, PolynomialExpansion, PCA and the feature
selectors (ChiSqSelector, UnivariateFeatureSelector, VarianceThresholdSelector)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from pfa.exporters.builder import ARRAY_ARRAY_DOUBLE, lit_double, nums
from pfa.exporters.registry import converter
from pfa.exporters.spark.exprs import amap, if_, is_nan, let_in, vector, zipmap
from pfa.exporters.spark.flow import VECTOR, Column, Flow
from pfa.exporters.spark.saved import SavedStage, to_dense_matrix, to_dense_vector

FEATURE = "org.apache.spark.ml.feature"

#: the largest PolynomialExpansion output this exporter writes out term by term
MAX_POLY_TERMS = 5000


def _input(stage: SavedStage, flow: Flow, size: int | None = None,
           param: str = "inputCol") -> tuple[Any, Column]:
    name = stage.param(param)
    col = flow.column(name, VECTOR)
    if size is not None and col.size is not None and col.size != size:
        flow.refuse(f"column {name!r} has {col.size} elements, the model expects {size}")
    return flow.non_null(col, name), col


def _out(stage: SavedStage, flow: Flow, expr: Any, size: int | None) -> None:
    flow.set_column(stage.param("outputCol"), Column(expr, VECTOR, size))


def _inverse(values: np.ndarray) -> np.ndarray:
    """Spark's scale factors: 1 / v, and 0 where v is 0."""
    out = np.zeros_like(values)
    nz = values != 0
    out[nz] = 1.0 / values[nz]
    return out


def _shift_scale(stage: SavedStage, flow: Flow, x: Any, size: int, what: str,
                 shift: np.ndarray | None, scale: np.ndarray | None) -> None:
    """Spark's shared scaler transform: ``(x - shift) * scale`` (either part optional)."""
    if shift is not None and scale is not None:
        expr: Any = zipmap(flow, what, x, {"shift": shift, "scale": scale},
                           {"*": [{"-": ["x", "shift"]}, "scale"]})
    elif shift is not None:
        expr = zipmap(flow, what, x, {"shift": shift}, {"-": ["x", "shift"]})
    elif scale is not None:
        expr = zipmap(flow, what, x, {"scale": scale}, {"*": ["x", "scale"]})
    else:
        expr = x
    _out(stage, flow, expr, size)


@converter("spark", FEATURE, "StandardScalerModel", "transformer", "withMean, withStd")
def standard_scaler(stage: SavedStage, flow: Flow) -> None:
    row = stage.data_row()
    std, mean = to_dense_vector(row["std"]), to_dense_vector(row["mean"])
    x, _ = _input(stage, flow, len(std))
    _shift_scale(stage, flow, x, len(std), "standard",
                 mean if stage.param("withMean", False) else None,
                 _inverse(std) if stage.param("withStd", True) else None)


@converter("spark", FEATURE, "RobustScalerModel", "transformer",
           "withCentering, withScaling")
def robust_scaler(stage: SavedStage, flow: Flow) -> None:
    row = stage.data_row()
    rng, median = to_dense_vector(row["range"]), to_dense_vector(row["median"])
    x, _ = _input(stage, flow, len(rng))
    _shift_scale(stage, flow, x, len(rng), "robust",
                 median if stage.param("withCentering", False) else None,
                 _inverse(rng) if stage.param("withScaling", True) else None)


@converter("spark", FEATURE, "MaxAbsScalerModel", "transformer")
def max_abs_scaler(stage: SavedStage, flow: Flow) -> None:
    max_abs = to_dense_vector(stage.data_row()["maxAbs"])
    x, _ = _input(stage, flow, len(max_abs))
    scale = np.where(max_abs == 0, 1.0, max_abs)
    _shift_scale(stage, flow, x, len(max_abs), "maxabs", None, 1.0 / scale)


@converter("spark", FEATURE, "MinMaxScalerModel", "transformer", "min, max; NaN kept")
def min_max_scaler(stage: SavedStage, flow: Flow) -> None:
    row = stage.data_row()
    lo, hi = to_dense_vector(row["originalMin"]), to_dense_vector(row["originalMax"])
    x, _ = _input(stage, flow, len(lo))
    out_min, out_max = float(stage.param("min", 0.0)), float(stage.param("max", 1.0))
    scale = out_max - out_min
    rng = hi - lo
    factor = np.where(rng != 0, scale / np.where(rng != 0, rng, 1.0), 0.0)
    constant = (out_min + out_max) / 2
    body = if_(is_nan("x"), "x",
               if_({"!=": ["factor", 0.0]},
                   {"+": [{"*": [{"-": ["x", "lo"]}, "factor"]}, lit_double(out_min)]},
                   lit_double(constant)))
    _out(stage, flow, zipmap(flow, "minmax", x, {"lo": lo, "factor": factor}, body), len(lo))


@converter("spark", "org.apache.spark.ml.feature", "Normalizer", "transformer",
           "any p (1, 2, inf and others)")
def normalizer(stage: SavedStage, flow: Flow) -> None:
    x, col = _input(stage, flow)
    p = stage.param("p", 2.0)
    p = math.inf if p in ("Infinity", math.inf) else float(p)
    if p < 1:
        flow.refuse(f"p={p} is below 1")
    absolute = amap("nv", {"m.abs": "x"})
    if p == 1:
        norm: Any = {"a.sum": [absolute]}
    elif p == 2:
        norm = {"m.sqrt": {"a.sum": [amap("nv", {"*": ["x", "x"]})]}}
    elif math.isinf(p):
        norm = if_({"==": [{"a.len": "nv"}, 0]}, 0.0, {"a.max": [absolute]})
    else:
        powered = amap("nv", {"**": [{"m.abs": "x"}, lit_double(p)]})
        norm = {"**": [{"a.sum": [powered]}, lit_double(1.0 / p)]}
    expr = let_in({"nv": x, "nn": norm},
                  if_({"!=": ["nn", 0.0]}, amap("nv", {"/": ["x", "nn"]}), "nv"))
    _out(stage, flow, expr, col.size)


@converter("spark", FEATURE, "ElementwiseProduct", "transformer")
def elementwise_product(stage: SavedStage, flow: Flow) -> None:
    scaling = stage.param("scalingVec")
    vec = to_dense_vector(scaling) if isinstance(scaling, dict) else np.asarray(scaling, float)
    x, _ = _input(stage, flow, len(vec))
    _shift_scale(stage, flow, x, len(vec), "product", None, vec)


def polynomial_terms(n: int, degree: int) -> list[list[int]]:
    """The monomials of Spark's PolynomialExpansion in its output order, each as the feature
    indexes multiplied (in Spark's multiplication order) into it."""
    terms: dict[int, list[int]] = {}

    def expand(last: int, deg: int, factors: list[int], cur: int) -> int:
        if deg == 0 or last < 0:
            if cur >= 0:
                terms[cur] = factors
        else:
            start = cur
            for i in range(deg + 1):
                start = expand(last - 1, deg - i, factors + [last] * i, start)
        return cur + math.comb(last + 1 + deg, deg)

    expand(n - 1, degree, [], -1)
    return [terms[i] for i in sorted(terms)]


@converter("spark", FEATURE, "PolynomialExpansion", "transformer", "Spark's term order")
def polynomial_expansion(stage: SavedStage, flow: Flow) -> None:
    x, col = _input(stage, flow)
    if col.size is None:
        flow.refuse(f"the size of column {stage.param('inputCol')!r} is not known (put a "
                    "VectorAssembler or VectorSizeHint before this stage)")
    degree = int(stage.param("degree", 2))
    if math.comb(col.size + degree, degree) - 1 > MAX_POLY_TERMS:
        flow.refuse(f"more than {MAX_POLY_TERMS} output terms")
    items = []
    for factors in polynomial_terms(col.size, degree):
        term: Any = {"attr": "pv", "path": [factors[0]]}
        for f in factors[1:]:
            term = {"*": [term, {"attr": "pv", "path": [f]}]}
        items.append(term)
    _out(stage, flow, let_in({"pv": x}, vector(items)), len(items))


@converter("spark", FEATURE, "PCAModel", "transformer")
def pca(stage: SavedStage, flow: Flow) -> None:
    pc = to_dense_matrix(stage.data_row()["pc"])  # n features × k components
    x, _ = _input(stage, flow, pc.shape[0])
    cell = flow.builder.cell("pca_components", ARRAY_ARRAY_DOUBLE, nums(pc.T))
    _out(stage, flow, {"la.dot": [cell, x]}, pc.shape[1])


@converter("spark", FEATURE, ["ChiSqSelectorModel", "UnivariateFeatureSelectorModel",
                              "VarianceThresholdSelectorModel"], "transformer")
def selector(stage: SavedStage, flow: Flow) -> None:
    selected = sorted(int(i) for i in stage.data_row()["selectedFeatures"])
    x, col = _input(stage, flow, param="featuresCol")
    if col.size is not None and any(i >= col.size for i in selected):
        flow.refuse("a selected feature is beyond the input vector")
    expr = let_in({"sv": x}, vector([{"attr": "sv", "path": [i]} for i in selected]))
    _out(stage, flow, expr, len(selected))
