"""model.reg.*: regression against numpy / scipy / sklearn."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from pfa.avro.types import DOUBLE, AvroArray, AvroMap, AvroType, AvroUnion, parse_type
from pfa.check.signatures import FcnType
from tests.lib.helpers import call, fn, raises

VEC = AvroArray(DOUBLE)
MAT = AvroArray(VEC)
MVEC = AvroMap(DOUBLE)
MMAT = AvroMap(MVEC)
KERNEL = FcnType((VEC, VEC), DOUBLE)


def record(name: str, **fields: object) -> AvroType:
    return parse_type({"type": "record", "name": name,
                       "fields": [{"name": k, "type": v} for k, v in fields.items()]})


ARR = {"type": "array", "items": "double"}
MAP = {"type": "map", "values": "double"}
LIN1 = record("L1", coeff=ARR, const="double")
LIN2 = record("L2", coeff={"type": "array", "items": ARR}, const=ARR)
LIN3 = record("L3", coeff=MAP, const="double")
LIN4 = record("L4", coeff={"type": "map", "values": MAP}, const=MAP)


def test_linear_array_vs_numpy():
    rng = np.random.default_rng(0)
    x, w = rng.normal(size=7), rng.normal(size=7)
    f = fn("model.reg.linear", VEC, LIN1)
    assert math.isclose(f(x.tolist(), {"coeff": w.tolist(), "const": 0.5}),
                        float(w @ x + 0.5), rel_tol=1e-12)
    raises(31000, f, [1.0], {"coeff": [1.0, 2.0], "const": 0.0})
    w2, c2 = rng.normal(size=(3, 7)), rng.normal(size=3)
    g = fn("model.reg.linear", VEC, LIN2)
    assert np.allclose(g(x.tolist(), {"coeff": w2.tolist(), "const": c2.tolist()}), w2 @ x + c2)
    raises(31001, g, [1.0], {"coeff": [[1.0]], "const": [1.0, 2.0]})
    raises(31000, g, [1.0], {"coeff": [[1.0], [1.0, 2.0]], "const": [1.0, 2.0]})


def test_linear_vs_sklearn():
    from sklearn.linear_model import LinearRegression

    rng = np.random.default_rng(1)
    x = rng.normal(size=(40, 5))
    y = x @ rng.normal(size=(5, 2)) + 1.0
    model = LinearRegression().fit(x, y)
    g = fn("model.reg.linear", VEC, LIN2)
    params = {"coeff": model.coef_.tolist(), "const": model.intercept_.tolist()}
    for row in x[:5]:
        assert np.allclose(g(row.tolist(), params), model.predict(row[None, :])[0])


def test_linear_maps():
    f = fn("model.reg.linear", MVEC, LIN3)
    assert f({"a": 1.0, "b": 2.0, "c": 9.0}, {"coeff": {"a": 3.0, "b": 4.0, "d": 1.0},
                                              "const": 1.0}) == 12.0
    g = fn("model.reg.linear", MVEC, LIN4)
    out = g({"a": 1.0, "b": 2.0}, {"coeff": {"p": {"a": 1.0}, "q": {"b": 1.0, "a": 2.0}},
                                  "const": {"p": 10.0, "r": 5.0}})
    assert out == {"p": 11.0, "q": 4.0, "r": 5.0}


def test_linear_variance():
    rng = np.random.default_rng(2)
    x = rng.normal(size=3)
    c = rng.normal(size=(4, 4))
    c = c @ c.T
    xo = np.append(x, 1.0)
    f = fn("model.reg.linearVariance", VEC, record("V1", covar={"type": "array", "items": ARR}))
    assert math.isclose(f(x.tolist(), {"covar": c.tolist()}), float(xo @ c @ xo), rel_tol=1e-12)
    raises(31010, f, x.tolist(), {"covar": c[:3, :3].tolist()})
    raises(31010, f, x.tolist(), {"covar": [row[:3] for row in c.tolist()]})
    t3 = {"type": "array", "items": {"type": "array", "items": ARR}}
    g = fn("model.reg.linearVariance", VEC, record("V2", covar=t3))
    assert np.allclose(g(x.tolist(), {"covar": [c.tolist(), (2 * c).tolist()]}),
                       [xo @ c @ xo, 2 * xo @ c @ xo])
    m = fn("model.reg.linearVariance", MVEC, record("V3", covar={"type": "map", "values": MAP}))
    keys = ["a", "b", "c", ""]
    cm = {i: {j: float(c[a, b]) for b, j in enumerate(keys)} for a, i in enumerate(keys)}
    datum = dict(zip("abc", x.tolist()))
    assert math.isclose(m(datum, {"covar": cm}), float(xo @ c @ xo), rel_tol=1e-12)
    mm = fn("model.reg.linearVariance", MVEC,
            record("V4", covar={"type": "map", "values": {"type": "map", "values": MAP}}))
    assert mm(datum, {"covar": {"y": cm}})["y"] == pytest.approx(float(xo @ c @ xo))


def _rbf(gamma):
    def k(a, b):
        return math.exp(-gamma * sum((x - y) ** 2 for x, y in zip(a, b)))
    return k


GP_R1 = record("G1", x="double", to="double")
GP_R4 = record("G4", x=ARR, to=ARR)
NULLABLE = AvroUnion((parse_type("null"), DOUBLE))


def test_gaussian_process_interpolates():
    xs = np.linspace(-3, 3, 9)
    ys = np.sin(xs)
    table = [{"x": float(a), "to": float(b)} for a, b in zip(xs, ys)]
    gp = fn("model.reg.gaussianProcess", DOUBLE, AvroArray(GP_R1), NULLABLE, KERNEL)
    kern = _rbf(2.0)
    for a, b in zip(xs, ys):  # an interpolating model reproduces its training points
        assert gp(float(a), table, None, kern) == pytest.approx(b, abs=1e-6)
    assert gp(0.3, table, None, kern) == pytest.approx(math.sin(0.3), abs=0.05)
    assert math.isfinite(gp(0.3, table, 0.0, kern))


def test_gaussian_process_vector_and_errors():
    rng = np.random.default_rng(4)
    xs = rng.uniform(-1, 1, size=(12, 2))
    ys = np.stack([xs[:, 0] + xs[:, 1], xs[:, 0] * xs[:, 1]], axis=1)
    table = [{"x": a.tolist(), "to": b.tolist()} for a, b in zip(xs, ys)]
    gp = fn("model.reg.gaussianProcess", VEC, AvroArray(GP_R4), NULLABLE, KERNEL)
    kern = _rbf(1.0)
    out = gp(xs[3].tolist(), table, None, kern)
    assert np.allclose(out, ys[3], atol=1e-5)
    raises(31080, gp, [1.0, 2.0], [], None, kern)
    raises(31081, gp, [], table, None, kern)
    raises(31082, gp, [1.0], table, None, kern)
    raises(31083, gp, [1.0, 2.0], [{"x": [1.0, 2.0], "to": []}], None, kern)
    raises(31084, gp, [1.0, 2.0], [{"x": [1.0, 2.0], "to": [1.0]},
                                   {"x": [1.0, 3.0], "to": [1.0, 2.0]}], None, kern)
    raises(31085, gp, [math.nan, 2.0], table, None, kern)
    raises(31086, gp, [1.0, 2.0], [{"x": [1.0, math.inf], "to": [1.0]}], None, kern)
    raises(31086, gp, [1.0, 2.0], [{"x": [1.0, 2.0], "to": [math.nan]}], None, kern)
    raises(31087, gp, [1.0, 2.0], table, math.inf, kern)
    raises(31088, gp, [1.0, 2.0], table, None, lambda a, b: 5.0)


def test_residual_pull():
    assert call("model.reg.residual", 3.0, 1.0) == 2.0
    assert call("model.reg.residual", [3.0, 2.0], [1.0, 1.0]) == [2.0, 1.0]
    assert call("model.reg.residual", {"a": 3.0}, {"a": 1.0}) == {"a": 2.0}
    raises(31020, fn("model.reg.residual", VEC, VEC), [1.0], [1.0, 2.0])
    raises(31020, fn("model.reg.residual", MVEC, MVEC), {"a": 1.0}, {"b": 1.0})
    assert call("model.reg.pull", 3.0, 1.0, 2.0) == 1.0
    assert call("model.reg.pull", 3.0, 1.0, 0.0) == math.inf
    assert math.isnan(call("model.reg.pull", 1.0, 1.0, 0.0))
    assert call("model.reg.pull", [3.0], [1.0], [4.0]) == [0.5]
    assert call("model.reg.pull", {"a": 3.0}, {"a": 1.0}, {"a": 4.0}) == {"a": 0.5}
    p = fn("model.reg.pull", VEC, VEC, VEC)
    raises(31030, p, [1.0], [1.0, 2.0], [1.0])
    raises(31031, p, [1.0], [1.0], [1.0, 2.0])
    pm = fn("model.reg.pull", MVEC, MVEC, MVEC)
    raises(31030, pm, {"a": 1.0}, {"b": 1.0}, {"a": 1.0})
    raises(31031, pm, {"a": 1.0}, {"a": 1.0}, {"b": 1.0})


def test_mahalanobis_vs_scipy():
    from scipy.spatial.distance import mahalanobis

    rng = np.random.default_rng(5)
    c = rng.normal(size=(3, 3))
    c = c @ c.T + np.eye(3)
    o, p = rng.normal(size=3), rng.normal(size=3)
    expect = mahalanobis(o, p, np.linalg.inv(c))
    f = fn("model.reg.mahalanobis", VEC, VEC, MAT)
    assert math.isclose(f(o.tolist(), p.tolist(), c.tolist()), expect, rel_tol=1e-10)
    raises(31040, f, [], [], [[]])
    raises(31041, f, [1.0], [1.0, 2.0], [[1.0]])
    raises(31042, f, [1.0, 2.0], [1.0, 2.0], [[1.0]])
    g = fn("model.reg.mahalanobis", MVEC, MVEC, MMAT)
    keys = "abc"
    om, pm = dict(zip(keys, o.tolist())), dict(zip(keys, p.tolist()))
    cm = {a: {b: float(c[i, j]) for j, b in enumerate(keys)} for i, a in enumerate(keys)}
    assert math.isclose(g(om, pm, cm), expect, rel_tol=1e-10)
    raises(31040, g, {}, {}, {})
    raises(31041, g, om, {"a": 1.0}, cm)
    raises(31042, g, om, pm, {"a": cm["a"]})


CHI = record("Chi", chi2="double", DOF="int")


def test_chi2():
    up = fn("model.reg.updateChi2", DOUBLE, CHI)
    state = {"chi2": 1.0, "DOF": 2}
    assert up(2.0, state) == {"chi2": 5.0, "DOF": 3}
    assert state == {"chi2": 1.0, "DOF": 2}  # not mutated
    assert fn("model.reg.updateChi2", VEC, CHI)([1.0, 2.0], state) == {"chi2": 6.0, "DOF": 3}
    assert fn("model.reg.updateChi2", MVEC, CHI)({"a": 3.0}, state) == {"chi2": 10.0, "DOF": 3}
    red = fn("model.reg.reducedChi2", CHI)
    assert red({"chi2": 6.0, "DOF": 3}) == 2.0
    assert red({"chi2": 6.0, "DOF": 0}) == math.inf
    prob = fn("model.reg.chi2Prob", CHI)
    for chi2, dof in [(1.0, 1), (3.5, 4), (20.0, 7), (0.1, 30)]:
        assert prob({"chi2": chi2, "DOF": dof}) == pytest.approx(stats.chi2.cdf(chi2, dof),
                                                                 rel=1e-10)
    assert prob({"chi2": 1.0, "DOF": 0}) == 1.0
    assert prob({"chi2": -1.0, "DOF": 3}) == 0.0
    raises(31070, prob, {"chi2": 1.0, "DOF": -1})


GP_RS = record("GS", x="double", to=ARR, sigma=ARR)


def test_gaussian_process_components_are_separate_universal_kriging_fits():
    """spec §model.reg.gaussianProcess: "If null, universal Kriging is performed" — for every
    component of a vector ``to``: the vector result equals the scalar fits one component at a
    time, and each equals the closed-form GLS Kriging predictor written out here (normalized
    data, kernel off the diagonal, 1 + (sigma/to)^2 on it). The reference implementation
    reused the first component's fitted weight for the others (0.2-0.7% off)."""
    rng = np.random.default_rng(11)
    xs = np.sort(rng.uniform(0, 300, 14))
    ys = np.stack([np.sin(xs / 40.0), np.cos(xs / 55.0) + 0.3], axis=1)
    sig = rng.uniform(0.05, 0.3, size=ys.shape)
    table = [{"x": float(a), "to": b.tolist(), "sigma": s.tolist()}
             for a, b, s in zip(xs, ys, sig)]
    gp = fn("model.reg.gaussianProcess", DOUBLE, AvroArray(GP_RS), NULLABLE, KERNEL)
    gp1 = fn("model.reg.gaussianProcess", DOUBLE,
             AvroArray(record("GS1", x="double", to="double", sigma="double")), NULLABLE, KERNEL)
    kern = _rbf(2.0)

    def kriging(x, j, weight):
        y = ys[:, j]
        nug = (sig[:, j] / y) ** 2
        xm, xsd, ym, ysd = xs.mean(), xs.std(), y.mean(), y.std()
        xn, yn = (xs - xm) / xsd, (y - ym) / ysd
        r = np.exp(-2.0 * (xn[:, None] - xn[None, :]) ** 2)
        np.fill_diagonal(r, 1.0 + nug)
        one = np.ones(len(xs))
        beta = (weight if weight is not None else
                (one @ np.linalg.solve(r, yn)) / (one @ np.linalg.solve(r, one)))
        rx = np.exp(-2.0 * ((x - xm) / xsd - xn) ** 2)
        return ym + ysd * (beta + rx @ np.linalg.solve(r, yn - beta))

    for x in (5.0, 77.0, 151.5, 290.0):
        for weight in (None, 0.4):
            out = gp(x, table, weight, kern)
            for j in range(2):
                single = [{"x": t["x"], "to": t["to"][j], "sigma": t["sigma"][j]}
                          for t in table]
                assert out[j] == pytest.approx(gp1(x, single, weight, kern), rel=1e-12)
                assert out[j] == pytest.approx(kriging(x, j, weight), rel=1e-9, abs=1e-12)
