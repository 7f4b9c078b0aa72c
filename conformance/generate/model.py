"""Cases for the model.* namespaces (numpy and hand formulas)."""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

from conformance.generate._helper import Err, Module, X, arr, fcndef, mp, rec

D, IN, B, S = "double", "int", "boolean", "string"
AD, AAD = arr(D), arr(arr(D))


def build_reg() -> Module:
    g = Module("model.reg")
    M = rec("M", coeff=AD, const=D)

    def lin(x, m):
        if len(x) != len(m["coeff"]):
            raise Err(31000)
        return sum(a * b for a, b in zip(x, m["coeff"])) + m["const"]

    mm = {"coeff": [1.0, -2.0], "const": 0.5}
    g.fn("model.reg.linear", [AD, M], D, lin,
         [([1.0, 1.0], mm), ([0.0, 0.0], mm), ([2.0, -3.0], mm), ([1.0], mm), ([1e10, 1e10], mm)])
    MM = rec("MM", coeff=AAD, const=AD)
    g.fn("model.reg.linear", [AD, MM], AD,
         lambda x, m: [sum(a * b for a, b in zip(x, r)) + c for r, c in zip(m["coeff"], m["const"])],
         [([1.0, 2.0], {"coeff": [[1.0, 0.0], [0.0, 1.0]], "const": [0.0, 1.0]})])
    MP = rec("MP", coeff=mp(D), const=D)
    g.fn("model.reg.linear", [mp(D), MP], D,
         lambda x, m: sum(x.get(k, 0.0) * v for k, v in m["coeff"].items()) + m["const"],
         [({"a": 2.0, "b": 1.0}, {"coeff": {"a": 0.5, "b": 1.0}, "const": 1.0})])
    V = rec("V", covar=AAD)

    def lvar(x, m):
        o = np.array(x + [1.0])
        c = np.array(m["covar"])
        if c.shape != (len(o), len(o)):
            raise Err(31010)
        return float(o @ c @ o)

    cv = {"covar": [[1.0, 0.0, 0.0], [0.0, 2.0, 0.0], [0.0, 0.0, 0.5]]}
    g.fn("model.reg.linearVariance", [AD, V], D, lvar,
         [([1.0, 1.0], cv), ([0.0, 0.0], cv), ([2.0, -1.0], cv), ([1.0], cv),
          ([1.0, 1.0], {"covar": [[1.0, 0.5, 0.1], [0.5, 1.0, 0.2], [0.1, 0.2, 1.0]]})],
         src="numpy", note="datum is extended by 1 for the constant term")
    R = rec("R", x=D, to=D)
    tab = [{"x": 0.0, "to": 1.0}, {"x": 1.0, "to": 3.0}, {"x": 2.0, "to": 2.0}]
    kern = fcndef([("a", AD), ("b", AD)], D,
                  {"m.kernel.rbf": ["a", "b", 1.0]})

    def gp(x, t, w):
        if not t:
            raise Err(31080)
        if not math.isfinite(x):
            raise Err(31085)
        if any(not math.isfinite(r["x"]) or not math.isfinite(r["to"]) for r in t):
            raise Err(31086)
        if w is not None and not math.isfinite(w):
            raise Err(31087)
        return t[0]["to"]  # only used with a one-entry table at its own x

    one = [{"x": 0.0, "to": 5.0}]
    g.fn("model.reg.gaussianProcess", [D, arr(R), ["null", D]], D, gp,
         [(0.0, one, None), (0.5, [], None), (float("nan"), tab, None),
          (0.5, [{"x": 0.0, "to": float("inf")}], None), (0.5, tab, float("inf"))],
         args=[0, 1, 2, kern], src="hand",
         note="values only where Kriging is exact (a one-entry table at its own x); errors")

    RS = rec("RS", x=D, to=arr(D), sigma=arr(D))
    noisy = [{"x": x, "to": [math.sin(x / 40.0) - 0.3, math.cos(x / 50.0) + 0.2],
              "sigma": [0.2, 0.2]} for x in (0.0, 10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 70.0)]
    g.fn("model.reg.gaussianProcess", [D, arr(RS), ["null", D]], arr(D),
         lambda x, t, w: [kriging(x, t, j, w) for j in range(2)],
         [(5.0, noisy, None), (33.0, noisy, None), (65.0, noisy, 0.25)], args=[0, 1, 2, kern],
         src="numpy", rtol=1e-9, atol=1e-12,
         note="spec: krigingWeight null means universal Kriging, and each component of a vector "
              "'to' is its own fit (the reference implementation reuses the first component's "
              "fitted weight for the later ones: 0.2-0.7% off on its own examples); diagonal "
              "1 + (sigma/to)^2 on normalized data")

    def resid(o, p):
        if isinstance(o, list):
            if len(o) != len(p):
                raise Err(31020)
            return [a - b for a, b in zip(o, p)]
        return o - p

    g.fn("model.reg.residual", [D, D], D, resid, [(3.0, 1.0), (0.0, 0.0), (-1.0, 2.5)])
    g.fn("model.reg.residual", [AD, AD], AD, resid, [([1.0, 2.0], [0.5, 3.0]), ([1.0], [])])

    def pull(o, p, u):
        if isinstance(o, list):
            if len(o) != len(p):
                raise Err(31030)
            if len(o) != len(u):
                raise Err(31031)
            return [(a - b) / c for a, b, c in zip(o, p, u)]
        return (o - p) / u

    g.fn("model.reg.pull", [D, D, D], D, pull, [(3.0, 1.0, 2.0), (0.0, 1.0, 0.5), (5.0, 5.0, 1.0)])
    g.fn("model.reg.pull", [AD, AD, AD], AD, pull,
         [([1.0, 2.0], [0.0, 0.0], [1.0, 2.0]), ([1.0], [], [1.0]), ([1.0], [1.0], [])])

    def maha(o, p, c):
        if len(o) < 1:
            raise Err(31040)
        if len(o) != len(p):
            raise Err(31041)
        if len(c) != len(o) or any(len(r) != len(o) for r in c):
            raise Err(31042)
        d = np.array(o) - np.array(p)
        return float(math.sqrt(d @ np.linalg.inv(np.array(c)) @ d))

    g.fn("model.reg.mahalanobis", [AD, AD, AAD], D, maha,
         [([1.0, 2.0], [0.0, 0.0], [[1.0, 0.0], [0.0, 4.0]]), ([3.0], [1.0], [[4.0]]),
          ([], [], []), ([1.0], [1.0, 2.0], [[1.0]]), ([1.0, 2.0], [0.0, 0.0], [[1.0]])], src="numpy")
    X2 = rec("X2", chi2=D, DOF=IN)

    def upd(p, s):
        ps = p if isinstance(p, list) else [p]
        return {"chi2": s["chi2"] + sum(v * v for v in ps), "DOF": s["DOF"] + 1}

    x0 = {"chi2": 0.0, "DOF": 0}
    g.fn("model.reg.updateChi2", [D, X2], "X2", upd,
         [(2.0, x0), (-1.0, {"chi2": 3.0, "DOF": 2}), (0.0, x0), (0.5, {"chi2": 1.0, "DOF": 1})])
    g.fn("model.reg.updateChi2", [AD, X2], "X2", upd, [([1.0, 2.0], x0)])
    g.fn("model.reg.reducedChi2", [X2], D, lambda s: s["chi2"] / s["DOF"],
         [({"chi2": 6.0, "DOF": 3},), ({"chi2": 0.0, "DOF": 5},), ({"chi2": 2.5, "DOF": 1},),
          ({"chi2": 7.0, "DOF": 2},), ({"chi2": 1e-3, "DOF": 10},)])

    def prob(s):
        if s["DOF"] < 0:
            raise Err(31070)
        return float(stats.chi2(s["DOF"]).cdf(s["chi2"]))

    g.fn("model.reg.chi2Prob", [X2], D, prob,
         [({"chi2": 3.0, "DOF": 3},), ({"chi2": 0.5, "DOF": 2},), ({"chi2": 20.0, "DOF": 5},),
          ({"chi2": 1.0, "DOF": -1},), ({"chi2": 0.5, "DOF": 1},)], src="scipy", rtol=1e-6)
    return g


DATUM = rec("Datum", x=D, y=IN, z=S)
OPS = {"<": lambda a, b: a < b, "<=": lambda a, b: a <= b, ">": lambda a, b: a > b,
       ">=": lambda a, b: a >= b, "==": lambda a, b: a == b, "!=": lambda a, b: a != b}


def build_tree() -> Module:
    g = Module("model.tree")
    fe = {"type": "enum", "name": "F", "symbols": ["x", "y", "z"]}
    T = rec("T", field=fe, operator=S, value=D)

    def simple(d, t):
        op = t["operator"]
        if op not in OPS:
            raise Err(32000)
        return OPS[op](d[t["field"]], t["value"])

    d0 = {"x": 1.5, "y": 3, "z": "a"}
    g.fn("model.tree.simpleTest", [DATUM, T], B, simple,
         [(d0, {"field": "x", "operator": "<", "value": 2.0}),
          (d0, {"field": "x", "operator": ">=", "value": 2.0}),
          (d0, {"field": "y", "operator": "==", "value": 3.0}),
          (d0, {"field": "y", "operator": "!=", "value": 3.0}),
          (d0, {"field": "x", "operator": "<=", "value": 1.5}),
          (d0, {"field": "x", "operator": "~", "value": 1.5})])
    DM = rec("DM", a=["null", D], b=D)
    fm = {"type": "enum", "name": "FM", "symbols": ["a", "b"]}
    TM = rec("TM", field=fm, operator=S, value=D)

    def missing(d, t):
        v = d[t["field"]]
        if t["operator"] not in OPS:
            raise Err(32010)
        return None if v is None else OPS[t["operator"]](v, t["value"])

    g.fn("model.tree.missingTest", [DM, TM], ["null", B], missing,
         [({"a": None, "b": 1.0}, {"field": "a", "operator": "<", "value": 0.0}),
          ({"a": -1.0, "b": 1.0}, {"field": "a", "operator": "<", "value": 0.0}),
          ({"a": 1.0, "b": 1.0}, {"field": "b", "operator": ">", "value": 5.0}),
          ({"a": 1.0, "b": 1.0}, {"field": "a", "operator": "==", "value": 1.0}),
          ({"a": None, "b": 1.0}, {"field": "a", "operator": "!!", "value": 0.0})])
    test = fcndef([("d", "Datum"), ("t", "T")], B, {"model.tree.simpleTest": ["d", "t"]})
    cs = [{"field": "x", "operator": "<", "value": 2.0}, {"field": "y", "operator": ">", "value": 5.0}]

    def comp(d, op, ts):
        r = [simple(d, t) for t in ts]
        if op == "and":
            return all(r)
        if op == "or":
            return any(r)
        if op == "xor":
            return sum(r) % 2 == 1
        raise Err(32020)

    g.fn("model.tree.compoundTest", [DATUM, S, arr(T)], B, comp,
         [(d0, "and", cs), (d0, "or", cs), (d0, "xor", cs), (d0, "and", []), (d0, "nand", cs)],
         args=[0, 1, 2, test])
    mtest = fcndef([("d", "DM"), ("t", "TM")], ["null", B], {"model.tree.missingTest": ["d", "t"]})
    sc = [{"field": "a", "operator": "<", "value": 0.0}, {"field": "b", "operator": ">", "value": 0.0}]

    def surrogate(d, ts):
        for t in ts:
            r = missing(d, t)
            if r is not None:
                return r
        raise Err(32030)

    g.fn("model.tree.surrogateTest", [DM, arr(TM)], B, surrogate,
         [({"a": None, "b": 1.0}, sc), ({"a": -1.0, "b": -1.0}, sc), ({"a": 2.0, "b": 1.0}, sc),
          ({"a": None, "b": -1.0}, sc), ({"a": None, "b": 1.0}, sc[:1])], args=[0, 1, mtest])
    N = {"type": "record", "name": "N", "fields": [
        {"name": "field", "type": fe}, {"name": "operator", "type": S}, {"name": "value", "type": D},
        {"name": "pass", "type": ["N", S]}, {"name": "fail", "type": ["N", S]}]}
    tree = {"field": "x", "operator": "<", "value": 2.0,
            "pass": {"field": "y", "operator": ">", "value": 1.0, "pass": "A", "fail": "B"},
            "fail": "C"}

    def walk(d, n):
        while isinstance(n, dict):
            n = n["pass"] if simple(d, n) else n["fail"]
        return n

    rows = [({"x": 1.0, "y": 2, "z": ""}, tree), ({"x": 1.0, "y": 0, "z": ""}, tree),
            ({"x": 5.0, "y": 2, "z": ""}, tree), ({"x": 2.0, "y": 9, "z": "q"}, tree),
            ({"x": -1.0, "y": 1, "z": ""}, tree)]
    g.fn("model.tree.simpleTree", [DATUM, N], S, walk, rows)
    ntest = fcndef([("d", "Datum"), ("t", "N")], B, {"model.tree.simpleTest": ["d", "t"]})
    g.fn("model.tree.simpleWalk", [DATUM, N], S, walk, rows, args=[0, 1, ntest])
    NM = {"type": "record", "name": "NM", "fields": [
        {"name": "field", "type": fm}, {"name": "operator", "type": S}, {"name": "value", "type": D},
        {"name": "pass", "type": ["NM", S]}, {"name": "fail", "type": ["NM", S]},
        {"name": "missing", "type": ["NM", S]}]}
    mtree = {"field": "a", "operator": "<", "value": 0.0, "pass": "neg", "fail": "pos",
             "missing": {"field": "b", "operator": ">", "value": 0.0, "pass": "b+", "fail": "b-",
                         "missing": "none"}}

    def mwalk(d, n):
        while isinstance(n, dict):
            r = missing(d, n)
            n = n["missing"] if r is None else n["pass"] if r else n["fail"]
        return n

    mtest2 = fcndef([("d", "DM"), ("t", "NM")], ["null", B], {"model.tree.missingTest": ["d", "t"]})
    g.fn("model.tree.missingWalk", [DM, NM], S, mwalk,
         [({"a": -1.0, "b": 0.0}, mtree), ({"a": 1.0, "b": 0.0}, mtree), ({"a": None, "b": 2.0}, mtree),
          ({"a": None, "b": -2.0}, mtree), ({"a": 0.0, "b": 0.0}, mtree)], args=[0, 1, mtest2])
    return g


def build_cluster() -> Module:
    g = Module("model.cluster")
    C = rec("C", center=AD, id=S)
    cl = [{"center": [0.0, 0.0], "id": "a"}, {"center": [10.0, 0.0], "id": "b"},
          {"center": [0.0, 10.0], "id": "c"}]

    def order(x, cs):
        return sorted(cs, key=lambda c: math.dist(x, c["center"]))

    def closest(x, cs):
        if not cs:
            raise Err(29000)
        return order(x, cs)[0]

    g.fn("model.cluster.closest", [AD, arr(C)], "C", closest,
         [([1.0, 1.0], cl), ([9.0, 1.0], cl), ([1.0, 8.0], cl), ([100.0, 100.0], cl[:1]), ([1.0, 1.0], [])])

    def closestn(n, x, cs):
        if n < 0:
            raise Err(29010)
        return order(x, cs)[:n]

    g.fn("model.cluster.closestN", [IN, AD, arr(C)], arr("C"), closestn,
         [(2, [1.0, 1.0], cl), (0, [1.0, 1.0], cl), (5, [9.0, 1.0], cl), (1, [0.0, 9.0], cl), (-1, [0.0, 0.0], cl)])
    newc = fcndef([("i", IN), ("v", AD)], "C", {"new": {"center": "v", "id": {"s.int": ["i"]}}, "type": "C"})
    CD = rec("C", center=AD, id=S)
    g.fn("model.cluster.randomSeeds", [AAD, IN], arr(CD), None,
         [X(([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], 2)), X(([[1.0, 1.0], [2.0, 2.0]], 1)),
          X(([[0.0, 0.0], [1.0, 1.0], [2.0, 2.0]], 3))],
         args=[0, 1, newc], compare="type-only", randseed=7)
    g.fn("model.cluster.randomSeeds", [AAD, IN], arr(CD), None,
         [X(([[1.0, 2.0]], 0), err=29020), X(([[1.0, 2.0], [1.0, 2.0]], 2), err=29021)],
         args=[0, 1, newc], randseed=7)
    upd = fcndef([("data", AAD), ("c", "C")], "C",
                 {"model.cluster.updateMean": ["data", "c", 0.0]})
    met = fcndef([("a", AD), ("b", AD)], D, {"metric.simpleEuclidean": ["a", "b"]})

    def kmeans(data, cs):
        if not data:
            raise Err(29030)
        if not cs:
            raise Err(29031)
        groups = {i: [] for i in range(len(cs))}
        for x in data:
            groups[min(range(len(cs)), key=lambda i: math.dist(x, cs[i]["center"]))].append(x)
        return [{**c, "center": np.mean(groups[i], axis=0).tolist()} if groups[i] else c
                for i, c in enumerate(cs)]

    data = [[0.0, 1.0], [1.0, 0.0], [9.0, 1.0], [11.0, -1.0]]
    g.fn("model.cluster.kmeansIteration", [AAD, arr(C)], arr("C"), kmeans,
         [(data, cl), (data, cl[:1]), ([[5.0, 5.0]], cl), ([], cl), (data, [])],
         args=[0, 1, met, upd], src="numpy")

    def umean(data, c, w):
        if not data:
            raise Err(29040)
        if any(len(x) != len(c["center"]) for x in data):
            raise Err(29041)
        tot = np.sum(data, axis=0) + w * np.array(c["center"])
        return {**c, "center": (tot / (len(data) + w)).tolist()}

    c0 = {"center": [1.0, 1.0], "id": "q"}
    g.fn("model.cluster.updateMean", [AAD, C, D], "C", umean,
         [([[0.0, 0.0], [2.0, 4.0]], c0, 0.0), ([[3.0, 3.0]], c0, 1.0), ([[0.0, 0.0]], c0, 3.0),
          ([], c0, 1.0), ([[1.0]], c0, 0.0)], src="numpy")
    return g


def build_neighbor() -> Module:
    g = Module("model.neighbor")

    def mean(pts):
        if not pts:
            raise Err(30000)
        if any(len(p) != len(pts[0]) for p in pts):
            raise Err(30001)
        return np.mean(pts, axis=0).tolist()

    g.fn("model.neighbor.mean", [AAD], AD, mean,
         [([[1.0, 2.0], [3.0, 4.0]],), ([[5.0]],), ([],), ([[1.0], [1.0, 2.0]],), ([[0.0, 0.0], [0.0, 0.0], [3.0, 6.0]],)],
         src="numpy")
    cb = [[0.0, 0.0], [1.0, 1.0], [5.0, 5.0], [-2.0, 0.0]]

    def nk(k, x, code):
        if k < 0:
            raise Err(30010)
        if any(len(p) != len(x) for p in code):
            raise Err(30011)
        return sorted(code, key=lambda p: math.dist(x, p))[:k]

    g.fn("model.neighbor.nearestK", [IN, AD, AAD], AAD, nk,
         [(2, [0.9, 0.9], cb), (0, [0.0, 0.0], cb), (10, [4.0, 4.0], cb), (-1, [0.0, 0.0], cb), (1, [0.0], cb)])
    g.fn("model.neighbor.ballR", [D, AD, AAD], AAD,
         lambda r, x, code: [p for p in code if math.dist(x, p) < r],
         [(1.5, [0.0, 0.0], cb), (0.0, [5.0, 5.0], cb), (100.0, [0.0, 0.0], cb), (0.1, [3.0, 3.0], cb), (2.0, [-1.0, 0.0], cb)],
         compare="unordered", note="strictly within r (as titus2)")
    return g


def build_naive() -> Module:
    g = Module("model.naive")
    G = rec("G", mean=D, variance=D)

    def gauss(x, cm):
        if len(x) != len(cm):
            raise Err(10000)
        if any(c["variance"] <= 0 for c in cm):
            raise Err(10001)
        return float(sum(stats.norm(c["mean"], math.sqrt(c["variance"])).logpdf(v) for v, c in zip(x, cm)))

    cm = [{"mean": 0.0, "variance": 1.0}, {"mean": 2.0, "variance": 4.0}]
    g.fn("model.naive.gaussian", [AD, arr(G)], D, gauss,
         [([0.0, 2.0], cm), ([1.0, -1.0], cm), ([0.5], cm), ([0.0, 0.0], [cm[0], {"mean": 0.0, "variance": 0.0}]),
          ([3.0, 3.0], cm)], src="scipy")

    def multi(x, p):
        if len(x) != len(p):
            raise Err(10010)
        if not p or any(v <= 0 for v in p):
            raise Err(10011)
        tot = sum(p)
        return sum(xi * math.log(pi / tot) for xi, pi in zip(x, p))

    g.fn("model.naive.multinomial", [AD, AD], D, multi,
         [([1.0, 2.0, 0.0], [0.2, 0.3, 0.5]), ([0.0, 0.0], [1.0, 1.0]), ([3.0], [2.0]), ([1.0], [1.0, 2.0]),
          ([1.0, 1.0], [0.0, 1.0])], note="classModel is normalised to sum 1")

    def bern(words, m):
        if any(not 0 < v < 1 for v in m.values()):
            raise Err(10020)
        return sum(math.log(p) if k in words else math.log(1 - p) for k, p in m.items())

    bm = {"a": 0.2, "b": 0.9, "c": 0.5}
    g.fn("model.naive.bernoulli", [arr(S), mp(D)], D, bern,
         [(["a", "b"], bm), ([], bm), (["a", "zzz"], bm), (["c"], {"c": 1.0}), (["c"], bm)],
         note="words not in classModel are ignored")
    return g


def build_neural_svm() -> list[Module]:
    g = Module("model.neural")
    L = rec("L", weights=AAD, bias=AD)
    act = fcndef([("v", D)], D, {"m.link.logit": ["v"]})

    def layers(x, model):
        if not model:
            raise Err(11000)
        v = np.array(x)
        for i, layer in enumerate(model):
            W = np.array(layer["weights"])
            if W.ndim != 2 or W.shape[1] != len(v) or len(layer["bias"]) != W.shape[0]:
                raise Err(11001)
            v = W @ v + np.array(layer["bias"])
            if i < len(model) - 1:
                v = 1 / (1 + np.exp(-v))
        return v.tolist()

    net = [{"weights": [[1.0, -1.0], [0.5, 0.5]], "bias": [0.0, 1.0]},
           {"weights": [[2.0, 1.0]], "bias": [-1.0]}]
    g.fn("model.neural.simpleLayers", [AD, arr(L)], AD, layers,
         [([1.0, 2.0], net), ([0.0, 0.0], net), ([1.0, 2.0], net[:1]), ([1.0, 2.0], []), ([1.0], net)],
         args=[0, 1, act], src="numpy", note="activation between layers, not after the last")
    h = Module("model.svm")
    SV = rec("SV", supVec=AD, coeff=D)
    SM = {"type": "record", "name": "SM", "fields": [
        {"name": "const", "type": D}, {"name": "posClass", "type": arr(SV)},
        {"name": "negClass", "type": arr("SV")}]}
    kern = fcndef([("a", AD), ("b", AD)], D, {"m.kernel.linear": ["a", "b"]})

    def svm(x, m):
        svs = m["posClass"] + m["negClass"]
        if not svs:
            raise Err(12000)
        if any(len(s["supVec"]) != len(x) for s in svs):
            raise Err(12001)
        return m["const"] + sum(s["coeff"] * sum(a * b for a, b in zip(s["supVec"], x)) for s in svs)

    model = {"const": 0.5, "posClass": [{"supVec": [1.0, 2.0], "coeff": 0.3}],
             "negClass": [{"supVec": [-1.0, 0.0], "coeff": -0.7}]}
    h.fn("model.svm.score", [AD, SM], D, svm,
         [([1.0, 1.0], model), ([0.0, 0.0], model), ([-2.0, 3.0], model),
          ([1.0, 1.0], {**model, "posClass": [], "negClass": []}), ([1.0], model)], args=[0, 1, kern])
    return [g, h]


def kriging(x: float, table: list, j: int, weight: float | None) -> float:
    """Independent reference for model.reg.gaussianProcess (scalar x, component ``j`` of a
    vector ``to`` with ``sigma``, rbf kernel with gamma 1): inputs and outputs normalized by
    their mean and population standard deviation, correlation matrix R with the kernel off
    the diagonal and 1 + (sigma/to)^2 on it (spec), beta the GLS mean (1'R^-1 y)/(1'R^-1 1)
    unless a Kriging weight is given, prediction beta + r(x)'R^-1 (y - beta)."""
    xs = np.array([r["x"] for r in table])
    ys = np.array([r["to"][j] for r in table])
    nug = np.array([(r["sigma"][j] / r["to"][j]) ** 2 for r in table])
    xm, xsd, ym, ysd = xs.mean(), xs.std(), ys.mean(), ys.std()
    xn, yn = (xs - xm) / xsd, (ys - ym) / ysd
    r = np.exp(-((xn[:, None] - xn[None, :]) ** 2))
    np.fill_diagonal(r, 1.0 + nug)
    ones = np.ones(len(xs))
    beta = (ones @ np.linalg.solve(r, yn)) / (ones @ np.linalg.solve(r, ones)) \
        if weight is None else weight
    rx = np.exp(-(((x - xm) / xsd - xn) ** 2))
    return float(ym + ysd * (beta + rx @ np.linalg.solve(r, yn - beta)))


def build() -> list[Module]:
    return [build_reg(), build_tree(), build_cluster(), build_neighbor(), build_naive(),
            *build_neural_svm()]
