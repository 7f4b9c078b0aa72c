"""Cases for la (linear algebra, numpy), metric and interp."""

from __future__ import annotations

import math

import numpy as np

from conformance.generate._helper import INF, NAN, Err, Module, arr, fcndef, mp, rec

D, IN, B = "double", "int", "boolean"
AD, AAD, MD, MMD = arr("double"), arr(arr("double")), mp("double"), mp(mp("double"))
M2 = [[1.0, 2.0], [3.0, 4.0]]


def _shape(x, few, ragged):
    if len(x) < 1 or len(x[0]) < 1:
        raise Err(few)
    if any(len(r) != len(x[0]) for r in x):
        raise Err(ragged)


def build_la() -> Module:
    g = Module("la")
    kw = {"src": "numpy"}
    sq = fcndef([("v", D)], D, {"*": ["v", "v"]})
    g.fn("la.map", [AAD], AAD, lambda x: [[v * v for v in r] for r in x],
         [(M2,), ([],), ([[-1.5]],), ([[0.0, INF]],)], args=[0, sq], **kw)
    g.fn("la.map", [MMD], MMD, lambda x: {k: {j: v * v for j, v in r.items()} for k, r in x.items()},
         [({"a": {"b": 3.0}},)], args=[0, sq], **kw)
    g.fn("la.scale", [AD, D], AD, lambda x, a: [v * a for v in x], [([1.0, -2.0], 3.0), ([], 2.0)], **kw)
    g.fn("la.scale", [AAD, D], AAD, lambda x, a: [[v * a for v in r] for r in x], [(M2, 0.5)], **kw)
    g.fn("la.scale", [MD, D], MD, lambda x, a: {k: v * a for k, v in x.items()}, [({"a": 2.0}, -1.0)], **kw)
    g.fn("la.scale", [MMD, D], MMD, lambda x, a: {k: {j: v * a for j, v in r.items()} for k, r in x.items()},
         [({"r": {"c": 2.0}}, 4.0)], **kw)

    def zipm(f, code):
        def ref(x, y):
            if isinstance(x, dict):
                if set(x) != set(y) or any(set(x[k]) != set(y[k]) for k in x):
                    raise Err(code)
                return {k: {j: f(x[k][j], y[k][j]) for j in x[k]} for k in x}
            if len(x) != len(y) or any(len(a) != len(b) for a, b in zip(x, y)):
                raise Err(code)
            return [[f(a, b) for a, b in zip(r, s)] for r, s in zip(x, y)]
        return ref

    mrows = [(M2, [[1.0, 1.0], [1.0, 1.0]]), ([], []), ([[1.0]], [[1.0, 2.0]]), ([[2.0]], [[-2.0]]),
             ([[1.0]], [[1.0], [2.0]])]
    g.fn("la.zipmap", [AAD, AAD], AAD, zipm(lambda a, b: a * b, 24020), mrows,
         args=[0, 1, fcndef([("a", D), ("b", D)], D, {"*": ["a", "b"]})], **kw)
    for name, f, code in (("la.add", lambda a, b: a + b, 24030), ("la.sub", lambda a, b: a - b, 24040)):
        g.fn(name, [AAD, AAD], AAD, zipm(f, code), mrows, **kw)
        g.fn(name, [AD, AD], AD,
             lambda x, y, f=f, code=code: [f(a, b) for a, b in zip(x, y)] if len(x) == len(y)
             else (_ for _ in ()).throw(Err(code)), [([1.0, 2.0], [0.5, 0.5]), ([1.0], [])], **kw)
        g.fn(name, [MD, MD], MD, lambda x, y, f=f: {k: f(x.get(k, 0.0), y.get(k, 0.0)) for k in {**x, **y}},
             [({"a": 1.0, "b": 2.0}, {"b": 1.0, "c": 5.0})], note="maps: missing entries are zero",
             **kw)
        g.fn(name, [MMD, MMD], MMD, zipm(f, code), [({"a": {"x": 1.0}}, {"a": {"x": 2.0}})], **kw)

    def dot(x, y):
        X, Y = np.array(x, float), np.array(y, float)
        if X.ndim != 2 or X.size == 0 or Y.size == 0:
            raise Err(24051)
        if X.shape[1] != Y.shape[0]:
            raise Err(24050)
        return (X @ Y).tolist()

    g.fn("la.dot", [AAD, AD], AD, dot, [(M2, [1.0, -1.0]), (M2, [1.0]), ([[2.0, 0.0, 1.0]], [1.0, 2.0, 3.0])], **kw)
    g.fn("la.dot", [AAD, AAD], AAD, dot,
         [(M2, M2), (M2, [[1.0], [0.0]]), ([[1.0, 2.0]], [[1.0, 2.0]]), ([[1.0]], [])], **kw)
    g.fn("la.dot", [MMD, MD], MD, lambda x, v: {k: sum(r.get(j, 0.0) * v[j] for j in v) for k, r in x.items()},
         [({"a": {"x": 1.0, "y": 2.0}, "b": {"x": 3.0, "y": 0.0}}, {"x": 1.0, "y": 1.0})], **kw)

    def transpose(x):
        _shape(x, 24060, 24061)
        return np.array(x).T.tolist()

    g.fn("la.transpose", [AAD], AAD, transpose, [(M2,), ([[1.0, 2.0, 3.0]],), ([],), ([[1.0], [2.0, 3.0]],), ([[5.0]],)], **kw)
    g.fn("la.transpose", [MMD], MMD, lambda x: {j: {k: x[k][j] for k in x} for j in next(iter(x.values()))},
         [({"a": {"x": 1.0, "y": 2.0}, "b": {"x": 3.0, "y": 4.0}},)], **kw)

    def inverse(x):
        _shape(x, 24070, 24071)
        a = np.array(x)
        return (np.linalg.inv(a) if a.shape[0] == a.shape[1] else np.linalg.pinv(a)).tolist()

    g.fn("la.inverse", [AAD], AAD, inverse,
         [(M2,), ([[2.0]],), ([],), ([[1.0], [1.0, 2.0]],), ([[4.0, 7.0], [2.0, 6.0]],),
          ([[1.0, 2.0, 3.0]],)], note="non-square: Moore-Penrose pseudoinverse", atol=1e-12, **kw)

    def trace(x):
        if x and any(len(r) != len(x[0]) for r in x):
            raise Err(24080)
        return float(sum(x[i][i] for i in range(min(len(x), len(x[0]) if x else 0))))

    g.fn("la.trace", [AAD], D, trace, [(M2,), ([],), ([[1.0, 2.0, 3.0]],), ([[1.0], [1.0, 2.0]],), ([[5.0, 0.0], [0.0, -5.0]],)], **kw)
    g.fn("la.trace", [MMD], D, lambda x: sum(x[k].get(k, 0.0) for k in x), [({"a": {"a": 2.0, "b": 1.0}, "b": {"b": 3.0}},)], **kw)

    def det(x):
        _shape(x, 24090, 24091)
        if len(x) != len(x[0]):
            raise Err(24092)
        return float(np.linalg.det(np.array(x)))

    g.fn("la.det", [AAD], D, det, [(M2,), ([[3.0]],), ([],), ([[1.0], [1.0, 2.0]],), ([[1.0, 2.0]],), ([[2.0, 4.0], [1.0, 2.0]],)], atol=1e-12, **kw)
    g.fn("la.det", [MMD], D, lambda x: float(np.linalg.det(np.array([[x[k][j] for j in sorted(x)] for k in sorted(x)]))),
         [({"a": {"a": 1.0, "b": 2.0}, "b": {"a": 3.0, "b": 4.0}},)], **kw)

    def symm(x, tol):
        _shape(x, 24100, 24101)
        if len(x) != len(x[0]):
            raise Err(24102)
        a = np.array(x)
        return bool(np.all(np.abs(a - a.T) < tol)) if len(x) > 1 else True

    g.fn("la.symmetric", [AAD, D], B, symm,
         [([[1.0, 2.0], [2.0, 1.0]], 1e-9), (M2, 0.5), (M2, 1.5), ([], 0.1), ([[1.0, 2.0]], 0.1), ([[1.0]], 0.0)], **kw)
    g.fn("la.symmetric", [MMD, D], B, lambda x, t: all(abs(x[i][j] - x[j][i]) < t for i in x for j in x),
         [({"a": {"a": 1.0, "b": 2.0}, "b": {"a": 2.0, "b": 1.0}}, 0.01)], **kw)

    def eigen(x):
        _shape(x, 24110, 24111)
        if len(x) != len(x[0]):
            raise Err(24112)
        a = np.array(x)
        if not np.all(np.isfinite(a)):
            raise Err(24113)
        w, v = np.linalg.eigh(a)
        order = np.argsort(-w)
        rows = []
        for i in order:
            vec = v[:, i] / math.sqrt(w[i])
            if vec[0] < 0:
                vec = -vec
            rows.append(vec.tolist())
        return rows

    g.fn("la.eigenBasis", [AAD], AAD, eigen,
         [([[2.0, 1.0], [1.0, 2.0]],), ([[4.0, 0.0], [0.0, 1.0]],), ([],), ([[1.0, 2.0]],), ([[NAN]],),
          ([[9.0]],)], atol=1e-12, **kw)
    g.fn("la.truncate", [AAD, IN], AAD,
         lambda x, k: (_shape(x, 24120, 24121), x[:max(k, 0)])[1],
         [(M2, 1), (M2, 5), (M2, 0), ([], 1), ([[1.0], [1.0, 2.0]], 1)], **kw)
    g.fn("la.truncate", [MMD, arr("string")], MMD, lambda x, ks: {k: v for k, v in x.items() if k in ks},
         [({"a": {"x": 1.0}, "b": {"x": 2.0}}, ["a", "z"])], **kw)
    return g


def _bin(a, b):
    c = {"11": 0, "10": 0, "01": 0, "00": 0}
    for x, y in zip(a, b):
        c[f"{int(x)}{int(y)}"] += 1
    return c


def build_metric() -> Module:
    g = Module("metric")
    A = AD
    rows = [([1.0, 2.0], [4.0, 6.0]), ([], []), ([0.0], [0.0]), ([1.0], [1.0, 2.0]), ([-1.0, 1.0], [1.0, -1.0])]

    def same(code, f):
        def ref(x, y, *rest):
            if len(x) != len(y):
                raise Err(code)
            return f(x, y, *rest)
        return ref

    g.fn("metric.simpleEuclidean", [A, A], D, same(28000, lambda x, y: math.dist(x, y)), rows)
    g.fn("metric.absDiff", [D, D], D, lambda x, y: abs(x - y), [(1.0, 4.0), (-2.0, 2.0), (0.0, 0.0), (INF, 1.0), (1.5, 1.25)])
    g.fn("metric.gaussianSimilarity", [D, D, D], D, lambda x, y, s: math.exp(-math.log(2) * (x - y) ** 2 / s ** 2),
         [(1.0, 2.0, 1.0), (0.0, 0.0, 1.0), (3.0, 0.0, 2.0), (1.0, -1.0, 0.5), (5.0, 5.5, 3.0)],
         note="exp(-ln(2) (x - y)^2 / sigma^2)")
    AN = arr(["null", D])
    ad = {"fcn": "metric.absDiff"}

    def missing(combine, final, code):
        def ref(x, y, *rest):
            if len(x) != len(y):
                raise Err(code)
            w = rest[-1] if rest and isinstance(rest[-1], list) else [1.0] * len(x)
            p = rest[0] if rest and not isinstance(rest[0], list) else None
            terms = [abs(a - b) for a, b in zip(x, y) if a is not None and b is not None]
            tot = sum(w)
            present = sum(wi for wi, a, b in zip(w, x, y) if a is not None and b is not None)
            return final(combine(terms, p), tot / present if present else NAN, p)
        return ref

    nrows = [([1.0, None, 3.0], [2.0, 5.0, 1.0]), ([1.0, 2.0], [4.0, 6.0]), ([0.0], [0.0]), ([1.0], [1.0, 2.0]), ([None, 1.0], [1.0, 3.0])]
    defs = {
        "metric.euclidean": (lambda t, p: sum(v * v for v in t), lambda s, r, p: math.sqrt(s * r), 28030),
        "metric.squaredEuclidean": (lambda t, p: sum(v * v for v in t), lambda s, r, p: s * r, 28040),
        "metric.chebyshev": (lambda t, p: max(t, default=0.0), lambda s, r, p: s * r, 28050),
        "metric.taxicab": (lambda t, p: sum(t), lambda s, r, p: s * r, 28060),
    }
    for name, (comb, fin, code) in defs.items():
        g.fn(name, [AN, AN], D, missing(comb, fin, code), nrows, args=[ad, 0, 1],
             note="missing components rescale by sum(weights)/sum(present weights)")
        g.fn(name, [AN, AN, A], D, missing(comb, fin, code), [([1.0, None], [2.0, 3.0], [1.0, 3.0])], args=[ad, 0, 1, 2])

    def mink(x, y, p, *w):
        if len(x) != len(y):
            raise Err(28070)
        if p <= 0:
            raise Err(28071)
        return missing(lambda t, p: sum(v ** p for v in t), lambda s, r, p: (s * r) ** (1 / p), 28070)(x, y, p, *w)

    g.fn("metric.minkowski", [AN, AN, D], D, mink,
         [r + (3.0,) for r in nrows] + [([1.0], [2.0], 0.0)], args=[ad, 0, 1, 2])
    brows = [([True, False, True, True], [True, True, False, True]), ([True], [True]), ([False, False], [False, True]),
             ([True], [True, False]), ([True, True, False], [False, False, True])]

    def bsim(f, code):
        def ref(x, y, *rest):
            if len(x) != len(y):
                raise Err(code)
            c = _bin(x, y)
            return f(c, *rest)
        return ref

    tot = lambda c: sum(c.values())  # noqa: E731
    g.fn("metric.simpleMatching", [arr(B), arr(B)], D, bsim(lambda c: (c["11"] + c["00"]) / tot(c), 28080), brows)
    g.fn("metric.jaccard", [arr(B), arr(B)], D,
         bsim(lambda c: c["11"] / (c["11"] + c["10"] + c["01"]) if c["11"] + c["10"] + c["01"] else NAN, 28090), brows)
    g.fn("metric.tanimoto", [arr(B), arr(B)], D,
         bsim(lambda c: (c["11"] + c["00"]) / (c["11"] + 2 * (c["10"] + c["01"]) + c["00"]), 28100), brows)
    cs = (0.0, 0.0, 0.0, 1.0, 0.0, 1.0, 1.0, 1.0)

    def bs(c, c00, c01, c10, c11, d00, d01, d10, d11):
        return (c11 * c["11"] + c10 * c["10"] + c01 * c["01"] + c00 * c["00"]) / (
            d11 * c["11"] + d10 * c["10"] + d01 * c["01"] + d00 * c["00"])

    g.fn("metric.binarySimilarity", [arr(B), arr(B)] + [D] * 8, D, bsim(bs, 28110),
         [r + cs for r in brows if len(r[0]) == len(r[1]) and any(r[0] + r[1])] + [([True], [True, False]) + cs])
    return g


def build_interp() -> Module:
    g = Module("interp")

    def bin1(x, n, lo, hi):
        if lo >= hi or not math.isfinite(lo) or not math.isfinite(hi):
            raise Err(22000)
        if n < 1:
            raise Err(22001)
        if not lo <= x < hi:
            raise Err(22002)
        return int(math.floor((x - lo) / (hi - lo) * n))

    g.fn("interp.bin", [D, IN, D, D], IN, bin1,
         [(2.5, 10, 0.0, 10.0), (0.0, 5, 0.0, 1.0), (1.0, 5, 0.0, 1.0), (0.5, 0, 0.0, 1.0), (0.5, 4, 1.0, 1.0), (9.99, 10, 0.0, 10.0)])

    def bin2(x, origin, width):
        if not math.isfinite(origin):
            raise Err(22000)
        if width <= 0:
            raise Err(22001)
        return int(math.floor((x - origin) / width))

    g.fn("interp.bin", [D, D, D], IN, bin2, [(2.5, 0.0, 1.0), (-2.5, 0.0, 1.0), (3.0, 1.0, 0.5), (1.0, 0.0, 0.0), (1.0, INF, 1.0)])
    R = rec("R", x=D, to=D)
    tab = [{"x": 0.0, "to": 10.0}, {"x": 1.0, "to": 20.0}, {"x": 3.0, "to": 0.0}]

    def nearest(x, t):
        if not t:
            raise Err(22010)
        return min(t, key=lambda r: abs(r["x"] - x))["to"]

    g.fn("interp.nearest", [D, arr(R)], D, nearest, [(0.4, tab), (0.6, tab), (100.0, tab), (-5.0, tab), (0.5, tab), (1.0, [])])

    def lin(mode):
        def ref(x, t):
            xs = sorted({r["x"] for r in t})
            if len(xs) < 2:
                raise Err({"linear": 22020, "flat": 22030, "missing": 22040}[mode])
            s = sorted(t, key=lambda r: r["x"])
            if x < s[0]["x"] or x > s[-1]["x"]:
                if mode == "flat":
                    return (s[0] if x < s[0]["x"] else s[-1])["to"]
                if mode == "missing":
                    return None
                a, b = (s[0], s[1]) if x < s[0]["x"] else (s[-2], s[-1])
            else:
                i = max(i for i in range(len(s) - 1) if s[i]["x"] <= x)
                a, b = s[i], s[i + 1]
            return a["to"] + (x - a["x"]) * (b["to"] - a["to"]) / (b["x"] - a["x"])
        return ref

    lrows = [(0.5, tab), (2.0, tab), (-1.0, tab), (4.0, tab), (1.0, tab), (0.5, tab[:1])]
    g.fn("interp.linear", [D, arr(R)], D, lin("linear"), lrows, note="beyond the table: extrapolate")
    g.fn("interp.linearFlat", [D, arr(R)], D, lin("flat"), lrows)
    g.fn("interp.linearMissing", [D, arr(R)], ["null", D], lin("missing"), lrows)
    return g


def build() -> list[Module]:
    return [build_la(), build_metric(), build_interp()]
