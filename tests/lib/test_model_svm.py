"""model.svm.score: against sklearn's SVC decision function."""

from __future__ import annotations

import math

import numpy as np
import pytest

from pfa.avro.types import DOUBLE, AvroArray, parse_type
from pfa.check.signatures import FcnType
from tests.lib.helpers import fn, raises

VEC = AvroArray(DOUBLE)
SV = {"type": "array", "items": {"type": "record", "name": "SV", "fields": [
    {"name": "supVec", "type": {"type": "array", "items": "double"}},
    {"name": "coeff", "type": "double"}]}}
MODEL = parse_type({"type": "record", "name": "Svm", "fields": [
    {"name": "const", "type": "double"}, {"name": "posClass", "type": SV},
    {"name": "negClass", "type": "SV"}]})
SCORE = fn("model.svm.score", VEC, MODEL, FcnType((VEC, VEC), DOUBLE))


def rbf(gamma):
    return lambda a, b: math.exp(-gamma * sum((x - y) ** 2 for x, y in zip(a, b)))


@pytest.mark.parametrize("kernel", ["linear", "rbf"])
def test_vs_sklearn_svc(kernel):
    from sklearn.svm import SVC

    rng = np.random.default_rng(0)
    xs = np.vstack([rng.normal(-1, 1, size=(25, 3)), rng.normal(1, 1, size=(25, 3))])
    ys = np.array([0] * 25 + [1] * 25)
    svc = SVC(kernel=kernel, gamma=0.5).fit(xs, ys)
    coef = svc.dual_coef_[0]
    svs = [{"supVec": v.tolist(), "coeff": float(c)} for v, c in zip(svc.support_vectors_, coef)]
    model = {"const": float(svc.intercept_[0]),
             "posClass": [s for s in svs if s["coeff"] > 0],
             "negClass": [s for s in svs if s["coeff"] <= 0]}
    k = rbf(0.5) if kernel == "rbf" else (lambda a, b: sum(x * y for x, y in zip(a, b)))
    for x in xs[::7]:
        expect = svc.decision_function(x[None, :])[0]
        assert SCORE(x.tolist(), model, k) == pytest.approx(expect, rel=1e-9, abs=1e-9)


def test_errors():
    k = rbf(1.0)
    raises(12000, SCORE, [1.0], {"const": 0.0, "posClass": [], "negClass": []}, k)
    raises(12001, SCORE, [1.0], {"const": 0.0, "posClass": [{"supVec": [1.0, 2.0], "coeff": 1.0}],
                                 "negClass": []}, k)
    only_neg = {"const": 0.5, "posClass": [], "negClass": [{"supVec": [0.0], "coeff": -1.0}]}
    assert SCORE([0.0], only_neg, k) == -0.5
