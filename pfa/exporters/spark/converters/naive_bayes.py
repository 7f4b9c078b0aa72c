"""NaiveBayesModel: multinomial, complement, Bernoulli and Gaussian, with Spark's formulas.

Raw vectors: multinomial ``θ·x + π``; complement ``θ·x`` minus its log-sum-exp (maximum
subtracted); Bernoulli ``(θ - log1p(-exp θ))·x + (π + Σ log1p(-exp θ))``; Gaussian
``π_i - (Σ_j (x_j - μ_ij)² / σ²_ij + Σ_j log σ²_ij) / 2``. Probabilities are
``exp(raw - max raw)`` divided by their sum. Spark fails on a row with a negative feature
(multinomial, complement) or one that is not 0/1 (Bernoulli): the document raises the
invalid-row error there.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from pfa.exporters.builder import ARRAY_DOUBLE, nums
from pfa.exporters.registry import converter
from pfa.exporters.spark.converters.models_common import (
    CLASSIFICATION,
    RawParts,
    features,
    margin,
    matrix_param,
    raw_parts,
    vector_param,
    write_classifier,
)
from pfa.exporters.spark.exprs import fcn, if_, is_nan
from pfa.exporters.spark.flow import Flow
from pfa.exporters.spark.saved import SavedStage


def _amap(x: Any, body: Any) -> dict[str, Any]:
    return {"a.map": [x, fcn({"v": "double"}, "double", body)]}


def log_probability(raw: Any) -> dict[str, Any]:
    """Spark's NaiveBayes ``raw2probability``."""
    return {"do": [
        {"let": {"raw_max": {"a.max": raw}}},
        {"let": {"raw_exp": _amap(raw, {"m.exp": {"-": ["v", "raw_max"]}})}},
        {"let": {"raw_sum": {"a.sum": "raw_exp"}}},
        _amap("raw_exp", {"/": ["v", "raw_sum"]})]}


def checked(flow: Flow, x: Any, bad: Any, message: str) -> str:
    """Bind ``x``, raising the invalid-row error when some element makes ``bad`` true."""
    return flow.builder.let("nb_features", if_(
        {"a.any": [x, fcn({"v": "double"}, "boolean", bad)]},
        flow.invalid(message, "error"), x))


def seq_sum(values: Any) -> float:
    total = 0.0
    for v in values:
        total += float(v)
    return total


@converter("spark", CLASSIFICATION, "NaiveBayesModel", "classifier",
           "multinomial, complement, bernoulli, gaussian; thresholds")
def naive_bayes(stage: SavedStage, flow: Flow) -> None:
    write_classifier(stage, flow)


@raw_parts("NaiveBayesModel")
def naive_bayes_parts(stage: SavedStage, flow: Flow) -> RawParts:
    row = stage.data_row()
    pi = vector_param(row, "pi")
    theta = matrix_param(row, "theta")
    kind = str(stage.param("modelType", "multinomial"))
    x, _ = features(stage, flow, theta.shape[1])
    n = pi.size
    negative = {"||": [{"<": ["v", 0.0]}, is_nan("v")]}
    if kind == "multinomial":
        x = checked(flow, x, negative, "NaiveBayes requires nonnegative feature values")
        return RawParts(margin(flow, "naive_bayes", x, theta, pi), n, log_probability)
    if kind == "complement":
        x = checked(flow, x, negative, "NaiveBayes requires nonnegative feature values")
        p = flow.builder.let("nb_raw", margin(flow, "naive_bayes", x, theta, np.zeros(n)))
        raw = {"do": [
            {"let": {"p_max": {"a.max": p}}},
            {"let": {"p_lse": {"+": [{"m.ln": {"a.sum": _amap(p, {"m.exp": {
                "-": ["v", "p_max"]}})}}, "p_max"]}}},
            _amap(p, {"-": ["v", "p_lse"]})]}
        return RawParts(raw, n, log_probability)
    if kind == "bernoulli":
        x = checked(flow, x, {"&&": [{"!=": ["v", 0.0]}, {"!=": ["v", 1.0]}]},
                    "Bernoulli NaiveBayes requires 0 or 1 feature values")
        neg = np.vectorize(lambda t: math.log1p(-math.exp(t)))(theta)
        const = np.array([pi[i] + seq_sum(neg[i]) for i in range(n)])
        return RawParts(margin(flow, "naive_bayes", x, theta - neg, const), n,
                        log_probability)
    if kind == "gaussian":
        sigma = matrix_param(row, "sigma")
        log_var = [seq_sum(math.log(s) for s in sigma[i]) for i in range(n)]
        cls = {"type": "record", "name": flow.builder.type_name("GaussianClass"),
               "fields": [{"name": "pi", "type": "double"},
                          {"name": "mean", "type": ARRAY_DOUBLE},
                          {"name": "var", "type": ARRAY_DOUBLE},
                          {"name": "log_var_sum", "type": "double"}]}
        init = [{"pi": float(pi[i]), "mean": nums(theta[i]), "var": nums(sigma[i]),
                 "log_var_sum": float(log_var[i])} for i in range(n)]
        cell = flow.builder.cell("gaussian_classes", {"type": "array", "items": cls}, init)
        xs = flow.builder.let("nb_features", x)
        terms = {"a.zipmap": [xs, "c.mean", "c.var", fcn(
            {"v": "double", "mu": "double", "s": "double"}, "double",
            [{"let": {"d": {"-": ["v", "mu"]}}}, {"/": [{"*": ["d", "d"]}, "s"]}])]}
        raw = {"a.map": [cell, fcn({"c": cls["name"]}, "double", {
            "-": ["c.pi", {"/": [{"+": [{"a.sum": terms}, "c.log_var_sum"]}, 2.0]}]})]}
        return RawParts(raw, n, log_probability)
    raise ValueError(f"modelType={kind!r} is not supported")


