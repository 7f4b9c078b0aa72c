"""Linear models: regressions, logistic regression, linear SVMs, SGD."""

from __future__ import annotations

from typing import Any

import numpy as np

from pfa.exporters.builder import ARRAY_DOUBLE, DocumentBuilder, Output
from pfa.exporters.linear import linear_expr
from pfa.exporters.registry import converter
from pfa.exporters.sklearn.converters.numeric import above, float64_attr
from pfa.exporters.sklearn.converters.outputs import classifier_output, regressor_output
from pfa.exporters.table import Data, as_vector


@converter("sklearn", "sklearn.linear_model",
           ["LinearRegression", "Ridge", "Lasso", "ElasticNet", "SGDRegressor", "Lars",
            "LassoLars", "BayesianRidge", "ARDRegression", "HuberRegressor",
            "TheilSenRegressor", "RidgeCV", "LassoCV", "ElasticNetCV"], "regressor",
           "single and multi-output")
def linear_regressor(est: Any, b: DocumentBuilder, data: Data) -> Output:
    x = as_vector(b, data)
    coef = float64_attr(est, "coef_")
    expr, n_out = linear_expr(b, "regression", x.expr, coef, est.intercept_)
    return regressor_output(expr, n_out)


@converter("sklearn", "sklearn.svm", "LinearSVR", "regressor")
def linear_svr(est: Any, b: DocumentBuilder, data: Data) -> Output:
    return linear_regressor(est, b, data)


def decision(b: DocumentBuilder, est: Any, x: Any) -> tuple[str, bool]:
    """Bind the decision function; returns (symbol, binary?)."""
    # a binary RidgeClassifier stores a 1-D coef_ (sklearn >= 1.8): one decision like (1, n)
    coef = np.atleast_2d(float64_attr(est, "coef_"))
    if coef.shape[0] == 1:
        expr, _ = linear_expr(b, "decision", x, coef[0], est.intercept_)
        return b.let("decision", expr), True
    expr, _ = linear_expr(b, "decision", x, coef, est.intercept_)
    return b.let("decision", expr), False


def binary_index(d: str) -> Any:
    return {"if": above(d, 0.0), "then": 1, "else": 0}


@converter("sklearn", "sklearn.linear_model", "LogisticRegression", "classifier",
           "binary, multinomial; probabilities")
def logistic_regression(est: Any, b: DocumentBuilder, data: Data) -> Output:
    x = as_vector(b, data)
    d, binary = decision(b, est, x.expr)
    if binary:
        p = b.let("p", {"m.link.logit": d})
        proba = {"new": [{"-": [1.0, p]}, p], "type": ARRAY_DOUBLE}
        return classifier_output(b, est.classes_, binary_index(d), proba)
    proba = b.let("proba", {"m.link.softmax": d})
    return classifier_output(b, est.classes_, {"a.argmax": d}, proba)


@converter("sklearn", "sklearn.linear_model",
           ["SGDClassifier", "RidgeClassifier", "Perceptron", "PassiveAggressiveClassifier"],
           "classifier", "labels and decision scores; probabilities for log_loss/modified_huber")
def linear_classifier(est: Any, b: DocumentBuilder, data: Data) -> Output:
    x = as_vector(b, data)
    d, binary = decision(b, est, x.expr)
    scores = {"new": [d], "type": ARRAY_DOUBLE} if binary else d
    proba = None
    loss = getattr(est, "loss", None)
    if loss == "log_loss":
        proba = _ovr_proba(b, d, binary, {"m.link.logit": "v"})
    elif loss == "modified_huber":
        proba = _modified_huber_proba(b, d, binary)
    index = binary_index(d) if binary else {"a.argmax": d}
    return classifier_output(b, est.classes_, index, proba, scores)


@converter("sklearn", "sklearn.svm", "LinearSVC", "classifier", "labels and decision scores")
def linear_svc(est: Any, b: DocumentBuilder, data: Data) -> Output:
    return linear_classifier(est, b, data)


def _ovr_proba(b: DocumentBuilder, d: str, binary: bool, link: Any) -> Any:
    if binary:
        p = b.let("p", {"m.link.logit": d})
        return {"new": [{"-": [1.0, p]}, p], "type": ARRAY_DOUBLE}
    raw = b.let("raw_proba", {"a.map": [d, {"params": [{"v": "double"}], "ret": "double",
                                            "do": link}]})
    total = b.let("raw_total", {"a.sum": raw})
    n = {"cast.double": {"a.len": raw}}
    return {"if": {"==": [total, 0.0]},
            "then": {"a.map": [raw, {"params": [{"v": "double"}], "ret": "double",
                                     "do": {"/": [1.0, n]}}]},
            "else": {"a.map": [raw, {"params": [{"v": "double"}], "ret": "double",
                                     "do": {"/": ["v", total]}}]}}


def _modified_huber_proba(b: DocumentBuilder, d: str, binary: bool) -> Any:
    clip = {"/": [{"+": [{"max": [-1.0, {"min": ["v", 1.0]}]}, 1.0]}, 2.0]}
    if binary:
        v = b.let("v", d)
        p = b.let("p", {"/": [{"+": [{"max": [-1.0, {"min": [v, 1.0]}]}, 1.0]}, 2.0]})
        return {"new": [{"-": [1.0, p]}, p], "type": ARRAY_DOUBLE}
    return _ovr_proba(b, d, False, clip)
