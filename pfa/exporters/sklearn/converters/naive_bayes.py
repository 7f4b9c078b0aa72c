"""Naive Bayes classifiers: Gaussian, multinomial, Bernoulli and complement.

Each class's joint log likelihood comes from ``model.naive.*`` (or ``model.reg.linear`` when
sklearn's formula is a plain linear function of the raw input); probabilities are
``exp(jll - logsumexp(jll))`` with sklearn's own ``logsumexp`` (``log1p`` of the sum of the
non-maximal terms), not a softmax.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from pfa.exporters.builder import ARRAY_DOUBLE, DocumentBuilder, Output, nums
from pfa.exporters.linear import linear_expr
from pfa.exporters.refusals import Refusal
from pfa.exporters.registry import converter
from pfa.exporters.sklearn.converters.numeric import float64_attr, numpy_row_sum
from pfa.exporters.sklearn.converters.outputs import classifier_output
from pfa.exporters.sklearn.converters.preprocessing import fcn
from pfa.exporters.sklearn.core import fitted_attr
from pfa.exporters.table import Data, as_vector, element


def _map_double(xs: Any, body: Any, param: str = "v") -> dict:
    return {"a.map": [xs, fcn([param], body)]}


def log_proba_output(b: DocumentBuilder, classes: Any, jll: str) -> Output:
    """Label ``argmax(jll)`` and probabilities ``exp(jll - logsumexp(jll))`` as sklearn."""
    top = b.let("jll_max", {"a.max": jll})
    count = b.let("jll_max_count", {"cast.double": {"a.count": [jll, {
        "params": [{"v": "double"}], "ret": "boolean", "do": {"==": ["v", top]}}]}})
    shift = b.let("jll_shift", {"if": {"impute.isnum": top},
                                "then": top, "else": 0.0})
    terms = _map_double(jll, {"if": {"==": ["v", top]}, "then": 0.0,
                              "else": {"m.exp": {"-": ["v", shift]}}})
    s = b.let("jll_rest", {"a.sum": terms})
    s = b.let("jll_rest_mean", {"if": {"==": [s, 0.0]}, "then": s, "else": {"/": [s, count]}})
    lse = b.let("log_prob_x", {"+": [{"+": [{"m.ln1p": s}, {"m.ln": count}]}, top]})
    proba = b.let("proba", _map_double(jll, {"m.exp": {"-": ["v", lse]}}))
    return classifier_output(b, classes, {"a.argmax": jll}, proba)


@converter("sklearn", "sklearn.naive_bayes", "GaussianNB", "classifier", "probabilities")
def gaussian_nb(est: Any, b: DocumentBuilder, data: Data) -> Output:
    """sklearn's own formula: ``log prior + (-0.5 * sum(log(2 pi var)) - 0.5 * sum((x - mean)**2
    / var))`` with the constant computed here by numpy and the squared terms summed in numpy's
    order; a per-feature sum of log densities (``model.naive.gaussian``) rounds differently,
    which shows in the probabilities when a class has a near-zero variance."""
    x = as_vector(b, data)
    theta = float64_attr(est, "theta_")
    var = np.asarray(est.var_, dtype=np.float64)
    if np.any(var <= 0):
        raise Refusal("zero variance", "a class has a zero variance")
    stat = {"type": "record", "name": b.type_name("GaussianClass"),
            "fields": [{"name": "means", "type": ARRAY_DOUBLE},
                       {"name": "variances", "type": ARRAY_DOUBLE},
                       {"name": "constant", "type": "double"}]}
    constants = [-0.5 * np.sum(np.log(2.0 * np.pi * var[i, :])) for i in range(len(var))]
    models = b.cell("class_models", {"type": "array", "items": stat},
                    [{"means": nums(tm), "variances": nums(tv), "constant": float(c)}
                     for tm, tv, c in zip(theta, var, constants)])
    priors = b.cell("log_priors", ARRAY_DOUBLE, nums(np.log(est.class_prior_)))
    squared = {"a.zipmap": [x.expr, "m.means", "m.variances", fcn(["v", "mu", "s"], [
        {"let": {"d": {"-": ["v", "mu"]}}}, {"/": [{"*": ["d", "d"]}, "s"]}])]}
    total = numpy_row_sum([{"attr": "t", "path": [j]} for j in range(x.size)])
    ll = b.let("class_log_likelihoods", {"a.map": [models, {
        "params": [{"m": stat["name"]}], "ret": "double",
        "do": [{"let": {"t": squared}},
               {"-": ["m.constant", {"*": [0.5, total]}]}]}]})
    jll = b.let("jll", {"a.zipmap": [priors, ll, fcn(["p", "l"], {"+": ["p", "l"]})]})
    return log_proba_output(b, est.classes_, jll)


@converter("sklearn", "sklearn.naive_bayes", "MultinomialNB", "classifier", "probabilities")
def multinomial_nb(est: Any, b: DocumentBuilder, data: Data) -> Output:
    x = as_vector(b, data)
    probs = np.exp(np.asarray(fitted_attr(est, "feature_log_prob_"), dtype=np.float64))
    models = b.cell("class_models", {"type": "array", "items": ARRAY_DOUBLE}, nums(probs))
    priors = b.cell("log_priors", ARRAY_DOUBLE, nums(est.class_log_prior_))
    ll = b.let("class_log_likelihoods", {"a.map": [models, {
        "params": [{"m": ARRAY_DOUBLE}], "ret": "double",
        "do": {"model.naive.multinomial": [x.expr, "m"]}}]})
    jll = b.let("jll", {"a.zipmap": [ll, priors, fcn(["l", "p"], {"+": ["l", "p"]})]})
    return log_proba_output(b, est.classes_, jll)


@converter("sklearn", "sklearn.naive_bayes", "ComplementNB", "classifier", "probabilities")
def complement_nb(est: Any, b: DocumentBuilder, data: Data) -> Output:
    x = as_vector(b, data)
    weights = np.asarray(fitted_attr(est, "feature_log_prob_"), dtype=np.float64)
    const = est.class_log_prior_ if len(est.classes_) == 1 else np.zeros(len(est.classes_))
    expr, _ = linear_expr(b, "complement", x.expr, weights, const)
    return log_proba_output(b, est.classes_, b.let("jll", expr))


@converter("sklearn", "sklearn.naive_bayes", "BernoulliNB", "classifier",
           "probabilities; binarize threshold or already binary input")
def bernoulli_nb(est: Any, b: DocumentBuilder, data: Data) -> Output:
    x = as_vector(b, data)
    flp = np.asarray(fitted_attr(est, "feature_log_prob_"), dtype=np.float64)
    if est.binarize is None:  # sklearn's linear form applies to the raw (0/1) values
        neg = np.log(1 - np.exp(flp))
        expr, _ = linear_expr(b, "bernoulli", x.expr, flp - neg,
                              est.class_log_prior_ + neg.sum(axis=1))
        return log_proba_output(b, est.classes_, b.let("jll", expr))
    probs = np.exp(flp)
    if np.any(probs <= 0) or np.any(probs >= 1):
        raise ValueError("a feature probability is 0 or 1")
    names = [f"f{j}" for j in range(x.size)]
    present = {"new": [{"if": {">": [element(x, j), float(est.binarize)]},
                        "then": {"string": n}, "else": {"string": ""}}
                       for j, n in enumerate(names)], "type": {"type": "array",
                                                               "items": "string"}}
    present = {"a.filter": [present, {"params": [{"s": "string"}], "ret": "boolean",
                                      "do": {"!=": ["s", {"string": ""}]}}]}
    items = b.let("present", present)
    models = b.cell("class_models", {"type": "array", "items": {"type": "map",
                                                                "values": "double"}},
                    [{n: float(p) for n, p in zip(names, row)} for row in probs])
    priors = b.cell("log_priors", ARRAY_DOUBLE, nums(est.class_log_prior_))
    ll = b.let("class_log_likelihoods", {"a.map": [models, {
        "params": [{"m": {"type": "map", "values": "double"}}], "ret": "double",
        "do": {"model.naive.bernoulli": [items, "m"]}}]})
    jll = b.let("jll", {"a.zipmap": [ll, priors, fcn(["l", "p"], {"+": ["l", "p"]})]})
    return log_proba_output(b, est.classes_, jll)
