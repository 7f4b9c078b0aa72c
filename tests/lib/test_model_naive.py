"""model.naive.*: naive Bayes log-likelihoods against scipy and sklearn."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import norm

from pfa.avro.types import DOUBLE, STRING, AvroArray, AvroMap, parse_type
from tests.lib.helpers import fn, raises

VEC = AvroArray(DOUBLE)
MVEC = AvroMap(DOUBLE)
MEANVAR = parse_type({"type": "record", "name": "MV", "fields": [
    {"name": "mean", "type": "double"}, {"name": "variance", "type": "double"}]})
HIST_A = parse_type({"type": "record", "name": "HA", "fields": [
    {"name": "values", "type": {"type": "array", "items": "double"}}]})
HIST_M = parse_type({"type": "record", "name": "HM", "fields": [
    {"name": "values", "type": {"type": "map", "values": "double"}}]})


def test_gaussian_vs_scipy():
    rng = np.random.default_rng(0)
    x, mu, var = rng.normal(size=5), rng.normal(size=5), rng.uniform(0.1, 3, size=5)
    model = [{"mean": m, "variance": v} for m, v in zip(mu.tolist(), var.tolist())]
    expect = norm.logpdf(x, mu, np.sqrt(var)).sum()
    g = fn("model.naive.gaussian", VEC, AvroArray(MEANVAR))
    assert math.isclose(g(x.tolist(), model), expect, rel_tol=1e-12)
    raises(10000, g, x.tolist()[:4], model)
    raises(10001, g, [1.0], [{"mean": 0.0, "variance": 0.0}])
    gm = fn("model.naive.gaussian", MVEC, AvroMap(MEANVAR))
    keys = "abcde"
    assert math.isclose(gm(dict(zip(keys, x.tolist())), dict(zip(keys, model))), expect,
                        rel_tol=1e-12)
    raises(10000, gm, {"a": 1.0}, {"b": model[0]})
    raises(10001, gm, {"a": 1.0}, {"a": {"mean": 0.0, "variance": -1.0}})


def test_gaussian_matches_sklearn_joint_log_likelihood():
    from sklearn.naive_bayes import GaussianNB

    rng = np.random.default_rng(1)
    xs = np.vstack([rng.normal(0, 1, size=(30, 3)), rng.normal(2, 1.5, size=(30, 3))])
    nb = GaussianNB().fit(xs, [0] * 30 + [1] * 30)
    g = fn("model.naive.gaussian", VEC, AvroArray(MEANVAR))
    x = xs[7]
    for c in range(2):
        model = [{"mean": m, "variance": v} for m, v in zip(nb.theta_[c], nb.var_[c])]
        expect = nb._joint_log_likelihood(x[None, :])[0, c] - math.log(nb.class_prior_[c])
        assert math.isclose(g(x.tolist(), model), expect, rel_tol=1e-10)


def test_multinomial():
    counts = [2.0, 0.0, 5.0]
    probs = [1.0, 2.0, 7.0]  # normalized internally
    p = np.array(probs) / sum(probs)
    expect = float(np.dot(counts, np.log(p)))
    for sig in (fn("model.naive.multinomial", VEC, VEC),):
        assert math.isclose(sig(counts, probs), expect, rel_tol=1e-12)
    rec = fn("model.naive.multinomial", VEC, HIST_A)
    assert math.isclose(rec(counts, {"values": probs}), expect, rel_tol=1e-12)
    m = fn("model.naive.multinomial", MVEC, MVEC)
    cm, pm = dict(zip("abc", counts)), dict(zip("abc", probs))
    assert math.isclose(m(cm, pm), expect, rel_tol=1e-12)
    mr = fn("model.naive.multinomial", MVEC, HIST_M)
    assert math.isclose(mr(cm, {"values": pm}), expect, rel_tol=1e-12)
    f = fn("model.naive.multinomial", VEC, VEC)
    raises(10010, f, [1.0], probs)
    raises(10011, f, [1.0], [])
    raises(10011, f, [1.0, 1.0], [1.0, 0.0])
    raises(10010, m, {"a": 1.0}, {"b": 1.0})
    raises(10011, m, {"a": 1.0}, {"a": -1.0})


def test_multinomial_vs_sklearn():
    from sklearn.naive_bayes import MultinomialNB

    rng = np.random.default_rng(2)
    xs = rng.integers(0, 5, size=(40, 6)).astype(float)
    nb = MultinomialNB().fit(xs, rng.integers(0, 2, size=40))
    f = fn("model.naive.multinomial", VEC, VEC)
    x = xs[3]
    for c in range(2):
        expect = float(x @ nb.feature_log_prob_[c])
        assert f(x.tolist(), np.exp(nb.feature_log_prob_[c]).tolist()) == pytest.approx(expect)


def test_bernoulli():
    model = {"a": 0.2, "b": 0.7, "c": 0.5}
    expect = math.log(0.2) + math.log(1 - 0.7) + math.log(0.5)
    b = fn("model.naive.bernoulli", AvroArray(STRING), MVEC)
    assert math.isclose(b(["a", "c", "zzz", "a"], model), expect, rel_tol=1e-12)
    br = fn("model.naive.bernoulli", AvroArray(STRING), HIST_M)
    assert math.isclose(br(["a", "c"], {"values": model}), expect, rel_tol=1e-12)
    raises(10020, b, ["a"], {"a": 1.0})
    raises(10020, b, ["a"], {"a": 0.0})
