"""What Spark's model converters share: reading the features column, linear margins, and the
output columns of Spark's ``ClassificationModel``/``ProbabilisticClassificationModel``.

Spark's ``transform`` of a probabilistic classifier writes ``rawPrediction`` (the model's
``predictRaw``), ``probability`` (``raw2probability`` of the raw column) and ``prediction``
(``raw2prediction`` of the raw column when it is written, else ``probability2prediction``),
each only when its column parameter is not empty. Without ``thresholds``, ``raw2prediction``
is the first maximum of the raw vector; with them, the first maximum of ``probability /
threshold`` (a zero threshold counting as +∞). :func:`classifier_columns` writes the same
columns from a converter's raw vector and its ``raw2probability``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from pfa.exporters.builder import ARRAY_DOUBLE, lit_double, nums
from pfa.exporters.linear import linear_expr
from pfa.exporters.spark.exprs import fcn, to_double
from pfa.exporters.spark.flow import DOUBLE, VECTOR, Column, Flow
from pfa.exporters.spark.saved import SavedStage, to_dense_matrix, to_dense_vector

CLASSIFICATION = "org.apache.spark.ml.classification"
REGRESSION = "org.apache.spark.ml.regression"
CLUSTERING = "org.apache.spark.ml.clustering"

#: ``raw → expression`` (both PFA expressions; raw is a bound symbol)
VectorFn = Callable[[Any], Any]


def features(stage: SavedStage, flow: Flow, size: int | None = None) -> tuple[Any, int | None]:
    """The stage's features vector (its ``featuresCol``) and its size; a size that differs
    from the model's ``size`` is refused."""
    name = stage.param("featuresCol", "features")
    col = flow.column(name, VECTOR)
    if size is not None and col.size is not None and col.size != size:
        flow.refuse(f"column {name!r} has {col.size} elements, the model expects {size}")
    return flow.non_null(col, name), (col.size if col.size is not None else size)


def vector_param(row: dict[str, Any], key: str) -> np.ndarray:
    return to_dense_vector(row[key])


def matrix_param(row: dict[str, Any], key: str) -> np.ndarray:
    return to_dense_matrix(row[key])


def margin(flow: Flow, what: str, x: Any, coef: np.ndarray, intercept: Any) -> Any:
    """``x · coef + intercept`` (a 1-D ``coef`` gives a double, a 2-D one a vector)."""
    expr, _ = linear_expr(flow.builder, what, x, np.asarray(coef, dtype=np.float64), intercept)
    return expr


def argmax(v: Any) -> dict[str, Any]:
    """The first maximum's index as a double (Spark's ``Vector.argmax``)."""
    return to_double({"a.argmax": v})


def thresholded(v: Any, thresholds: list[float], flow: Flow) -> dict[str, Any]:
    """Spark's ``probability2prediction`` with thresholds: argmax of ``p / t`` (t = 0: +∞)."""
    cell = flow.builder.cell("thresholds", ARRAY_DOUBLE, nums(thresholds))
    scaled = {"a.zipmap": [v, cell, fcn({"p": "double", "t": "double"}, "double", {
        "if": {"==": ["t", 0.0]}, "then": lit_double(float("inf")),
        "else": {"/": ["p", "t"]}})]}
    return argmax(scaled)


def thresholds_of(stage: SavedStage, flow: Flow, n: int) -> list[float] | None:
    """The stage's ``thresholds``, checked against the number of classes."""
    t = stage.param("thresholds")
    if t is None:
        return None
    if len(t) != n:
        flow.refuse(f"thresholds has {len(t)} values for {n} classes")
    return [float(v) for v in t]


def classifier_columns(stage: SavedStage, flow: Flow, raw: Any, n: int,
                       raw2probability: VectorFn | None = None,
                       raw2prediction: VectorFn | None = None,
                       probability2prediction: VectorFn | None = None) -> None:
    """Write the classifier's output columns as Spark's ``transform`` does (module doc).

    ``raw``: the rawPrediction expression; ``raw2probability`` maps the raw symbol to the
    probability vector (None: not a probabilistic classifier); ``raw2prediction`` /
    ``probability2prediction`` replace Spark's generic rules when the model overrides them.
    """
    thresholds = thresholds_of(stage, flow, n) if raw2probability is not None else None
    raw_name = stage.param("rawPredictionCol", "")
    prob_name = stage.param("probabilityCol", "") if raw2probability is not None else ""
    pred_name = stage.param("predictionCol", "")
    raw_sym = flow.builder.let("raw", raw)
    raw_col = Column(raw_sym, VECTOR, n)
    if raw_name:
        raw_col = flow.set_column(raw_name, raw_col)
    prob_sym = None
    if raw2probability is not None and (prob_name or thresholds is not None):
        prob_expr = raw2probability(raw_col.expr)
        prob_sym = flow.set_column(prob_name, Column(prob_expr, VECTOR, n)).expr if prob_name \
            else flow.builder.let("probability", prob_expr)

    def from_probability(p: Any) -> Any:
        if probability2prediction is not None:
            return probability2prediction(p)
        return thresholded(p, thresholds, flow) if thresholds is not None else argmax(p)

    def from_raw(r: Any) -> Any:
        if raw2prediction is not None:
            return raw2prediction(r)
        return from_probability(prob_sym) if thresholds is not None else argmax(r)

    if not pred_name:
        return
    pred = from_probability(prob_sym) if (prob_name and not raw_name) else from_raw(raw_col.expr)
    flow.set_column(pred_name, Column(pred, DOUBLE))


@dataclass
class RawParts:
    """A classifier's raw vector (``n`` classes) and the model's own rules on it (see
    :func:`classifier_columns`)."""

    raw: Any
    n: int
    raw2probability: VectorFn | None = None
    raw2prediction: VectorFn | None = None
    probability2prediction: VectorFn | None = None


#: saved class name → the function giving a classifier's RawParts (OneVsRest reads them)
RAW_PARTS: dict[str, Callable[[SavedStage, Flow], RawParts]] = {}


def raw_parts(*names: str) -> Callable[[Callable[[SavedStage, Flow], RawParts]],
                                       Callable[[SavedStage, Flow], RawParts]]:
    """Register a classifier's RawParts function under its saved class names."""
    def deco(fn: Callable[[SavedStage, Flow], RawParts]) -> Callable[[SavedStage, Flow],
                                                                     RawParts]:
        for name in names:
            RAW_PARTS[name] = fn
        return fn
    return deco


def write_classifier(stage: SavedStage, flow: Flow) -> None:
    """The output columns of a classifier registered with :func:`raw_parts`."""
    parts = RAW_PARTS[stage.name](stage, flow)
    classifier_columns(stage, flow, parts.raw, parts.n, parts.raw2probability,
                       parts.raw2prediction, parts.probability2prediction)


def regression_column(stage: SavedStage, flow: Flow, expr: Any) -> None:
    name = stage.param("predictionCol", "prediction")
    if name:
        flow.set_column(name, Column(expr, DOUBLE))


def binary_raw(m: Any) -> dict[str, Any]:
    """Spark's binary raw vector ``[-m, m]`` for a bound margin symbol ``m``."""
    return {"new": [{"u-": m}, m], "type": ARRAY_DOUBLE}


def sigmoid(x: Any) -> dict[str, Any]:
    """``1 / (1 + exp(-x))`` as Spark writes it."""
    return {"/": [1.0, {"+": [1.0, {"m.exp": {"u-": x}}]}]}


def refuse_set(stage: SavedStage, flow: Flow, names: list[str]) -> None:
    """Refuse parameters whose non-empty value changes what the document must compute."""
    for name in names:
        value = stage.param(name)
        if value not in (None, ""):
            flow.refuse(f"{name}={value!r} is not supported")
