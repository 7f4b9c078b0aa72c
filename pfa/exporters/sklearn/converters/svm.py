"""Kernel support vector machines (libsvm): SVC, NuSVC, SVR, NuSVR and OneClassSVM.

Every decision value is a ``model.svm.score`` with an ``m.kernel.*`` kernel, as libsvm's
``svm_predict_values`` computes it: for classes ``i < j`` the support vectors of ``i`` then
those of ``j`` with their dual coefficients, summed in that order (all in ``posClass``, so
that the order does not depend on which group an engine sums first), plus ``-rho``. Labels
follow libsvm's one-vs-one vote (``dec > 0`` votes for ``i``, first maximum wins);
``decision_function`` is sklearn's (sign-flipped for two classes, or its ``ovr`` transform);
probabilities are libsvm's Platt sigmoids coupled by ``multiclass_probability``, written out
with the same operations in the same order.

Kernels as sklearn's dense libsvm computes them: the dot products (linear, poly, sigmoid, and
rbf's squared distance) come from BLAS ``ddot``, which OpenBLAS adds left to right below 16
features, as the document does; from 16 features on it adds in SIMD blocks whose order
depends on the CPU kernel (relative differences near 1e-13, amplified only by cancelling dual
coefficients). The poly kernel's power is libsvm's ``powi`` (square and multiply).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from pfa.exporters.builder import ARRAY_DOUBLE, DocumentBuilder, Output, nums
from pfa.exporters.registry import converter
from pfa.exporters.sklearn.converters.numeric import above
from pfa.exporters.sklearn.converters.outputs import (
    classifier_output,
    outlier_output,
    regressor_output,
)
from pfa.exporters.sklearn.core import fitted_attr
from pfa.exporters.table import Data, as_vector

MIN_PROB = 1e-7  # libsvm's clamp of pairwise probabilities


def _kernel(est: Any) -> dict:
    """The kernel as a two-argument PFA function."""
    kernel = est.kernel
    gamma, coef0 = float(est._gamma), float(est.coef0)
    args: dict[str, list[Any]] = {
        "linear": [], "rbf": [gamma], "poly": [gamma, coef0, float(est.degree)],
        "sigmoid": [gamma, coef0]}
    if not isinstance(kernel, str) or kernel not in args:
        raise ValueError(f"kernel={kernel!r} is not supported (linear, poly, rbf, sigmoid)")
    body: Any = {f"m.kernel.{kernel}": ["x", "y", *args[kernel]]}
    if kernel == "poly":
        body = _libsvm_powi({"+": [{"*": [gamma, {"m.kernel.linear": ["x", "y"]}]}, coef0]},
                            int(est.degree))
    return {"params": [{"x": ARRAY_DOUBLE}, {"y": ARRAY_DOUBLE}], "ret": "double",
            "do": body}


def _libsvm_powi(base: Any, degree: int) -> list[Any]:
    """``base ** degree`` as libsvm's ``powi`` computes it (square and multiply, the low bits
    of ``degree`` first): from degree 3 it rounds differently from ``pow`` (``m.kernel.poly``),
    which the sum of large dual coefficients can amplify. Every step is a new ``let``."""
    steps: list[Any] = [{"let": {"powi_square_0": base}}]
    result: str | None = None
    t, k = degree, 0
    while t > 0:
        square = f"powi_square_{k}"
        if t % 2 == 1:
            value: Any = square if result is None else {"*": [result, square]}
            result = f"powi_result_{k}"
            steps.append({"let": {result: value}})
        t //= 2
        if t > 0:
            k += 1
            steps.append({"let": {f"powi_square_{k}": {"*": [square, square]}}})
    return [*steps, result if result is not None else 1.0]


def _model_type(b: DocumentBuilder) -> dict:
    sv = {"type": "record", "name": b.type_name("SupportVector"),
          "fields": [{"name": "supVec", "type": ARRAY_DOUBLE},
                     {"name": "coeff", "type": "double"}]}
    return {"type": "record", "name": b.type_name("SvmModel"),
            "fields": [{"name": "const", "type": "double"},
                       {"name": "posClass", "type": {"type": "array", "items": sv}},
                       {"name": "negClass", "type": {"type": "array",
                                                     "items": sv["name"]}}]}


def _svs(vectors: np.ndarray, coefs: np.ndarray) -> list[dict]:
    return [{"supVec": nums(v), "coeff": float(c)} for v, c in zip(vectors, coefs)]


def _check(est: Any) -> None:
    fitted_attr(est, "support_vectors_")
    if getattr(est, "_sparse", False):
        raise ValueError("models fitted on sparse data are not supported")


def decision_values(est: Any, b: DocumentBuilder, data: Data) -> tuple[str, int]:
    """Bind libsvm's decision values (one per class pair, or one); returns (symbol, count)."""
    _check(est)
    x = as_vector(b, data)
    sv = np.asarray(est.support_vectors_, dtype=np.float64)
    coef = np.asarray(est._dual_coef_, dtype=np.float64)
    const = np.asarray(est._intercept_, dtype=np.float64)
    n_support = [int(n) for n in est._n_support]
    if not hasattr(est, "classes_"):  # regression and one-class: one decision value
        init = [{"const": float(const[0]), "posClass": _svs(sv, coef[0]), "negClass": []}]
    else:
        start = np.concatenate([[0], np.cumsum(n_support)])
        init = []
        p = 0
        for i in range(len(n_support)):
            for j in range(i + 1, len(n_support)):
                si, sj = slice(start[i], start[i + 1]), slice(start[j], start[j + 1])
                # libsvm sums class i's terms, then class j's, left to right: all of them
                # sit in posClass in that order, so the sum is libsvm's whatever order an
                # engine takes the two groups in (the dual coefficients may be huge and
                # cancel, when the order decides the result)
                init.append({"const": float(const[p]), "negClass": [],
                             "posClass": _svs(sv[si], coef[j - 1, si])
                             + _svs(sv[sj], coef[i, sj])})
                p += 1
    mtype = _model_type(b)
    cell = b.cell("svm", {"type": "array", "items": mtype}, init)
    decs = b.let("decision_values", {"a.map": [cell, {
        "params": [{"m": mtype["name"]}], "ret": "double",
        "do": {"model.svm.score": [x.expr, "m", _kernel(est)]}}]})
    return decs, len(init)


def _dec(decs: str, k: int) -> dict:
    return {"attr": decs, "path": [k]}


def _pairs(n: int) -> list[tuple[int, int]]:
    return [(i, j) for i in range(n) for j in range(i + 1, n)]


def _votes(decs: str, n: int, vote_for_i: Any) -> list[Any]:
    """Per-class vote counts (int expressions); ``vote_for_i(dec)`` is the test for ``i``."""
    terms: list[list[Any]] = [[] for _ in range(n)]
    for k, (i, j) in enumerate(_pairs(n)):
        test = vote_for_i(_dec(decs, k))
        terms[i].append({"if": test, "then": 1, "else": 0})
        terms[j].append({"if": test, "then": 0, "else": 1})
    return [_sum(t, 0) for t in terms]


def _sum(terms: list[Any], zero: Any) -> Any:
    expr = zero
    for t in terms:
        expr = {"+": [expr, t]}
    return expr


def _ovr_scores(decs: str, n: int) -> dict:
    """sklearn's ``_ovr_decision_function(dec < 0, -dec, n)``."""
    conf: list[list[Any]] = [[] for _ in range(n)]
    for k, (i, j) in enumerate(_pairs(n)):
        conf[i].append(("+", _dec(decs, k)))  # -= -dec
        conf[j].append(("-", _dec(decs, k)))  # += -dec
    votes = _votes(decs, n, lambda d: {">=": [d, 0.0]})
    items = []
    for c in range(n):
        s: Any = 0.0
        for op, d in conf[c]:
            s = {op: [s, d]}
        s_abs = {"m.abs": s}
        items.append({"+": [{"cast.double": votes[c]},
                            {"/": [s, {"*": [3.0, {"+": [s_abs, 1.0]}]}]}]})
    return {"new": items, "type": ARRAY_DOUBLE}


def _sigmoid_predict(dec: Any, a: float, b_: float) -> dict:
    """libsvm's ``sigmoid_predict`` clamped to [1e-7, 1 - 1e-7]."""
    f = {"+": [{"*": [dec, a]}, b_]}
    p = {"do": [{"let": {"fApB": f}},
                {"if": {">=": ["fApB", 0.0]},
                 "then": {"/": [{"m.exp": {"u-": "fApB"}},
                                {"+": [1.0, {"m.exp": {"u-": "fApB"}}]}]},
                 "else": {"/": [1.0, {"+": [1.0, {"m.exp": "fApB"}]}]}}]}
    return {"min": [{"max": [p, MIN_PROB]}, 1.0 - MIN_PROB]}


def multiclass_probability(b: DocumentBuilder, r: list[list[str | None]], k: int) -> dict:
    """libsvm's ``multiclass_probability`` (Wu, Lin and Weng's coupling), unrolled over the
    ``k`` classes with scalar variables; ``r[i][j]`` are symbols of the pairwise
    probabilities. Returns the probability array expression (after binding the loop)."""
    def q(t: int, j: int) -> str:
        return f"svm_Q_{min(t, j)}_{max(t, j)}" if t != j else f"svm_Q_{t}_{t}"

    for t in range(k):
        diag: Any = 0.0
        for j in range(k):
            if j != t:
                diag = {"+": [diag, {"*": [r[j][t], r[j][t]]}]}
        b.steps.append({"let": {q(t, t): diag}})
        for j in range(t + 1, k):
            b.steps.append({"let": {q(t, j): {"*": [{"u-": r[j][t]}, r[t][j]]}}})
    p = [f"svm_p_{t}" for t in range(k)]
    qp = [f"svm_Qp_{t}" for t in range(k)]
    b.steps.append({"let": {**{name: 1.0 / k for name in p},
                            **{name: 0.0 for name in qp},
                            "svm_pQp": 0.0, "svm_max_error": 0.0, "svm_iter": 0,
                            "svm_done": False}})
    body: list[Any] = [{"set": {"svm_pQp": 0.0}}]
    for t in range(k):
        s: Any = 0.0
        for j in range(k):
            s = {"+": [s, {"*": [q(t, j), p[j]]}]}
        body.append({"set": {qp[t]: s}})
        body.append({"set": {"svm_pQp": {"+": ["svm_pQp", {"*": [p[t], qp[t]]}]}}})
    body.append({"set": {"svm_max_error": 0.0}})
    for t in range(k):
        body.append({"let": {f"error_{t}": {"m.abs": {"-": [qp[t], "svm_pQp"]}}}})
        body.append({"if": {">": [f"error_{t}", "svm_max_error"]},
                     "then": [{"set": {"svm_max_error": f"error_{t}"}}]})
    update: list[Any] = []
    for t in range(k):
        update.append({"let": {f"diff_{t}": {"/": [{"+": [{"u-": qp[t]}, "svm_pQp"]},
                                                  q(t, t)]}}})
        d = f"diff_{t}"
        update.append({"set": {p[t]: {"+": [p[t], d]}}})
        update.append({"set": {"svm_pQp": {"/": [{"/": [
            {"+": ["svm_pQp", {"*": [d, {"+": [{"*": [d, q(t, t)]},
                                               {"*": [2.0, qp[t]]}]}]}]},
            {"+": [1.0, d]}]}, {"+": [1.0, d]}]}}})
        for j in range(k):
            update.append({"set": {qp[j]: {"/": [{"+": [qp[j], {"*": [d, q(t, j)]}]},
                                                 {"+": [1.0, d]}]}}})
            update.append({"set": {p[j]: {"/": [p[j], {"+": [1.0, d]}]}}})
    body.append({"if": {"<": ["svm_max_error", 0.005 / k]},
                 "then": [{"set": {"svm_done": True}}],
                 "else": [*update, {"set": {"svm_iter": {"+": ["svm_iter", 1]}}}]})
    b.steps.append({"while": {"&&": [{"<": ["svm_iter", max(100, k)]},
                                     {"!": "svm_done"}]}, "do": body})
    return {"new": p, "type": ARRAY_DOUBLE}


def _probabilities(est: Any, b: DocumentBuilder, decs: str, n: int) -> str:
    prob_a = np.asarray(est._probA, dtype=np.float64)
    prob_b = np.asarray(est._probB, dtype=np.float64)
    r: list[list[str | None]] = [[None] * n for _ in range(n)]
    for k, (i, j) in enumerate(_pairs(n)):
        r[i][j] = b.let(f"svm_r_{i}_{j}", _sigmoid_predict(_dec(decs, k), float(prob_a[k]),
                                                          float(prob_b[k])))
        r[j][i] = b.let(f"svm_r_{j}_{i}", {"-": [1.0, r[i][j]]})
    return b.let("proba", multiclass_probability(b, r, n))


@converter("sklearn", "sklearn.svm", ["SVC", "NuSVC"], "classifier",
           "kernels linear, poly, rbf, sigmoid; one-vs-one votes, decision_function "
           "(ovo/ovr, break_ties), libsvm probabilities")
def svc(est: Any, b: DocumentBuilder, data: Data) -> Output:
    decs, _ = decision_values(est, b, data)
    classes = est.classes_
    n = len(classes)
    if n == 2:
        scores: Any = {"new": [{"u-": _dec(decs, 0)}], "type": ARRAY_DOUBLE}
    elif est.decision_function_shape == "ovr":
        scores = _ovr_scores(decs, n)
    else:
        scores = decs
    scores = b.let("scores", scores)
    if est.break_ties and est.decision_function_shape == "ovr" and n > 2:
        index: Any = {"a.argmax": scores}
    else:
        votes = _votes(decs, n, lambda d: above(d, 0.0))
        index = {"a.argmax": {"new": votes, "type": {"type": "array", "items": "int"}}}
    with_proba = np.asarray(est._probA).size > 0  # probability=True
    proba = _probabilities(est, b, decs, n) if with_proba else None
    return classifier_output(b, classes, index, proba, scores)


@converter("sklearn", "sklearn.svm", ["SVR", "NuSVR"], "regressor",
           "kernels linear, poly, rbf, sigmoid")
def svr(est: Any, b: DocumentBuilder, data: Data) -> Output:
    decs, _ = decision_values(est, b, data)
    return regressor_output(_dec(decs, 0))


@converter("sklearn", "sklearn.svm", "OneClassSVM", "outlier",
           "kernels linear, poly, rbf, sigmoid; label and decision_function")
def one_class_svm(est: Any, b: DocumentBuilder, data: Data) -> Output:
    decs, _ = decision_values(est, b, data)
    score = b.let("score", _dec(decs, 0))
    return outlier_output(b, {"if": above(score, 0.0), "then": 1, "else": -1}, score)
