"""Cases for stat.sample, stat.change and stat.test (numpy/scipy and hand formulas)."""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

from conformance.generate._helper import INF, NAN, Err, Module, arr, fcndef, mp, rec

D, IN, B, S = "double", "int", "boolean", "string"
AD, AAD = arr(D), arr(arr(D))


def build_sample() -> Module:
    g = Module("stat.sample")
    C = rec("C", count=D, mean=D, variance=D)

    def update(x, w, s):
        n = s["count"] + w
        diff = x - s["mean"]
        a = w / n if n else 0.0
        return {"count": n, "mean": s["mean"] + a * diff,
                "variance": (1 - a) * (s["variance"] + diff * a * diff)}

    z = {"count": 0.0, "mean": 0.0, "variance": 0.0}
    st = {"count": 2.0, "mean": 1.5, "variance": 0.25}
    g.fn("stat.sample.update", [D, D, C], "C", update,
         [(3.0, 1.0, z), (3.0, 1.0, st), (-1.0, 2.0, st), (1.5, 0.5, st), (10.0, 0.0, st)])
    CC = rec("CC", count=D, mean=AD, covariance=AAD)

    def ucov(x, w, s):
        if len(x) < 2:
            raise Err(14011)
        if len(x) != len(s["mean"]):
            raise Err(14012)
        n = s["count"] + w
        m = np.array(s["mean"])
        xv = np.array(x)
        diff = xv - m
        newm = m + diff * w / n
        cov = (s["count"] * np.array(s["covariance"]) + w * np.outer(diff, xv - newm)) / n
        return {"count": n, "mean": newm.tolist(), "covariance": cov.tolist()}

    s0 = {"count": 0.0, "mean": [0.0, 0.0], "covariance": [[0.0, 0.0], [0.0, 0.0]]}
    s1 = {"count": 2.0, "mean": [1.0, 2.0], "covariance": [[1.0, 0.5], [0.5, 2.0]]}
    g.fn("stat.sample.updateCovariance", [AD, D, CC], "CC", ucov,
         [([1.0, 2.0], 1.0, s0), ([3.0, -1.0], 1.0, s1), ([0.0, 0.0], 2.0, s1), ([1.0], 1.0, s0),
          ([1.0, 2.0, 3.0], 1.0, s1)], src="numpy")
    W = rec("W", x=D, w=D, count=D, mean=D)

    def uwin(x, w, state, size):
        if size < 2:
            raise Err(14020)
        items = [(r["x"], r["w"]) for r in state] + [(x, w)]
        items = items[-size:]
        out, n, m = [], 0.0, 0.0
        for xi, wi in items:
            n += wi
            m += (xi - m) * wi / n
        tot = sum(wi for _, wi in items)
        mean = sum(xi * wi for xi, wi in items) / tot
        for xi, wi in items:
            out.append({"x": xi, "w": wi, "count": tot, "mean": mean})
        return out

    g.fn("stat.sample.updateWindow", [D, D, arr(W), IN], D, lambda x, w, s, k: uwin(x, w, s, k)[-1]["mean"],
         [(1.0, 1.0, [], 3), (5.0, 1.0, [{"x": 1.0, "w": 1.0, "count": 1.0, "mean": 1.0}], 3),
          (7.0, 1.0, [{"x": 1.0, "w": 1.0, "count": 1.0, "mean": 1.0},
                      {"x": 3.0, "w": 1.0, "count": 2.0, "mean": 2.0}], 2),
          (2.0, 1.0, [], 1), (4.0, 3.0, [{"x": 0.0, "w": 1.0, "count": 1.0, "mean": 0.0}], 5)],
         action={"attr": {"a.last": [{"stat.sample.updateWindow": [
             {"attr": "input", "path": [{"string": f"x{i}"}]} for i in range(4)]}]},
                 "path": [{"string": "mean"}]},
         note="the mean of the last (newest) window record")
    E = rec("E", mean=D, variance=D)

    def ewma(x, a, s):
        if not 0 <= a <= 1:
            raise Err(14030)
        diff = x - s["mean"]
        return {"mean": s["mean"] + a * diff, "variance": (1 - a) * (s["variance"] + diff * a * diff)}

    e0 = {"mean": 1.0, "variance": 0.5}
    g.fn("stat.sample.updateEWMA", [D, D, E], "E", ewma,
         [(2.0, 0.5, e0), (2.0, 0.0, e0), (2.0, 1.0, e0), (-3.0, 0.1, e0), (1.0, 1.5, e0)])
    H = rec("H", level=D, trend=D)

    def hw(x, a, b, s):
        if not 0 <= a <= 1:
            raise Err(14040)
        if not 0 <= b <= 1:
            raise Err(14041)
        lvl = a * x + (1 - a) * (s["level"] + s["trend"])
        return {"level": lvl, "trend": b * (lvl - s["level"]) + (1 - b) * s["trend"]}

    h0 = {"level": 10.0, "trend": 1.0}
    g.fn("stat.sample.updateHoltWinters", [D, D, D, H], "H", hw,
         [(12.0, 0.5, 0.5, h0), (0.0, 1.0, 0.0, h0), (11.0, 0.0, 1.0, h0), (12.0, 2.0, 0.5, h0),
          (12.0, 0.5, -0.5, h0)])
    HP = rec("HP", level=D, trend=D, cycle=AD, multiplicative=B)

    def hwp(x, a, b, gm, s):
        if not 0 <= a <= 1:
            raise Err(14050)
        if not 0 <= b <= 1:
            raise Err(14051)
        if not 0 <= gm <= 1:
            raise Err(14052)
        cyc = s["cycle"]
        if not cyc:
            raise Err(14053)
        rot = cyc[1:] + cyc[:1]
        c0 = rot[0]
        mult = s["multiplicative"]
        lvl = a * (x / c0 if mult else x - c0) + (1 - a) * (s["level"] + s["trend"])
        tr = b * (lvl - s["level"]) + (1 - b) * s["trend"]
        cnew = gm * (x / lvl if mult else x - lvl) + (1 - gm) * c0
        return {"level": lvl, "trend": tr, "cycle": [cnew] + rot[1:], "multiplicative": mult}

    p0 = {"level": 10.0, "trend": 1.0, "cycle": [1.0, -1.0, 0.5], "multiplicative": False}
    p1 = {"level": 10.0, "trend": 1.0, "cycle": [1.1, 0.9], "multiplicative": True}
    g.fn("stat.sample.updateHoltWintersPeriodic", [D, D, D, D, HP], "HP", hwp,
         [(12.0, 0.5, 0.5, 0.5, p0), (12.0, 0.5, 0.5, 0.5, p1), (12.0, 0.3, 0.2, 2.0, p0),
          (12.0, 0.5, 0.5, 0.5, {**p0, "cycle": []}), (5.0, 1.0, 1.0, 1.0, p0)],
         note="cycle[1] is the season being updated, then replaced by the new value at index 0 (titus2)")
    g.fn("stat.sample.forecast1HoltWinters", [H], D, lambda s: s["level"] + s["trend"],
         [(h0,), ({"level": 0.0, "trend": 0.0},), ({"level": -5.0, "trend": 2.5},),
          ({"level": 1e300, "trend": 1e300},), ({"level": INF, "trend": 1.0},)])
    g.fn("stat.sample.forecastHoltWinters", [IN, H], AD,
         lambda n, s: [s["level"] + i * s["trend"] for i in range(1, n + 1)],
         [(3, h0), (0, h0), (1, {"level": 0.0, "trend": -1.0}), (2, {"level": 5.0, "trend": 0.0}),
          (4, {"level": 1.0, "trend": 0.5})])
    Hn = rec("Hn", low=D, high=D, numbins=IN, values=AD)

    def fill(x, w, h):
        if len(h["values"]) != h["numbins"]:
            raise Err(14080)
        if h["low"] >= h["high"]:
            raise Err(14081)
        if h["numbins"] < 1:
            raise Err(14082)
        v = list(h["values"])
        if h["low"] <= x < h["high"]:
            v[int((x - h["low"]) / (h["high"] - h["low"]) * h["numbins"])] += w
        return {**h, "values": v}

    hh = {"low": 0.0, "high": 10.0, "numbins": 5, "values": [0.0] * 5}
    g.fn("stat.sample.fillHistogram", [D, D, Hn], "Hn", fill,
         [(3.0, 1.0, hh), (0.0, 2.0, hh), (10.0, 1.0, hh), (-1.0, 1.0, hh),
          (1.0, 1.0, {**hh, "values": [0.0]}), (1.0, 1.0, {**hh, "high": 0.0})])
    H2 = rec("H2", xlow=D, xhigh=D, xnumbins=IN, ylow=D, yhigh=D, ynumbins=IN, values=AAD)

    def fill2(x, y, w, h):
        if len(h["values"]) != h["xnumbins"] or any(len(r) != h["ynumbins"] for r in h["values"]):
            raise Err(14090)
        v = [list(r) for r in h["values"]]
        if h["xlow"] <= x < h["xhigh"] and h["ylow"] <= y < h["yhigh"]:
            i = int((x - h["xlow"]) / (h["xhigh"] - h["xlow"]) * h["xnumbins"])
            j = int((y - h["ylow"]) / (h["yhigh"] - h["ylow"]) * h["ynumbins"])
            v[i][j] += w
        return {**h, "values": v}

    h2 = {"xlow": 0.0, "xhigh": 2.0, "xnumbins": 2, "ylow": 0.0, "yhigh": 3.0, "ynumbins": 3,
          "values": [[0.0] * 3 for _ in range(2)]}
    g.fn("stat.sample.fillHistogram2d", [D, D, D, H2], "H2", fill2,
         [(0.5, 2.5, 1.0, h2), (1.5, 0.0, 2.0, h2), (2.0, 1.0, 1.0, h2), (-1.0, 1.0, 1.0, h2),
          (0.5, 0.5, 1.0, {**h2, "values": [[0.0]]})])
    CT = rec("CT", values=mp(D))
    g.fn("stat.sample.fillCounter", [S, D, CT], "CT",
         lambda x, w, c: {"values": {**c["values"], x: c["values"].get(x, 0.0) + w}},
         [("a", 1.0, {"values": {}}), ("a", 2.0, {"values": {"a": 1.0}}),
          ("b", 1.0, {"values": {"a": 1.0}}), ("", 0.5, {"values": {}}), ("é", -1.0, {"values": {"é": 1.0}})])

    def topn(x, top, n):
        return sorted(top + [x], reverse=True)[:max(n, 0)]

    g.fn("stat.sample.topN", [D, AD, IN], AD, topn,
         [(4.0, [5.0, 3.0, 1.0], 3), (0.0, [5.0, 3.0, 1.0], 3), (9.0, [], 2), (2.0, [3.0], 1),
          (6.0, [5.0, 3.0], 5)],
         args=[0, 1, 2, fcndef([("a", D), ("b", D)], B, {"<": ["a", "b"]})],
         note="top is kept in descending order of lessThan")
    return g


def build_change() -> Module:
    g = Module("stat.change")
    T = rec("T", numEvents=IN, numRuns=IN, currentRun=IN, longestRun=IN)

    def trig(p, h):
        if not p:
            return {**h, "currentRun": 0}
        cur = h["currentRun"] + 1
        return {"numEvents": h["numEvents"] + 1,
                "numRuns": h["numRuns"] + (1 if h["currentRun"] == 0 else 0),
                "currentRun": cur, "longestRun": max(h["longestRun"], cur)}

    t0 = {"numEvents": 0, "numRuns": 0, "currentRun": 0, "longestRun": 0}
    t1 = {"numEvents": 3, "numRuns": 2, "currentRun": 2, "longestRun": 2}
    g.fn("stat.change.updateTrigger", [B, T], "T", trig,
         [(True, t0), (False, t0), (True, t1), (False, t1), (True, {**t1, "currentRun": 0})])
    MV = rec("MV", mean=D, variance=D)
    g.fn("stat.change.zValue", [D, MV], D, lambda x, m: (x - m["mean"]) / math.sqrt(m["variance"]),
         [(3.0, {"mean": 1.0, "variance": 4.0}), (1.0, {"mean": 1.0, "variance": 4.0}),
          (-2.0, {"mean": 0.0, "variance": 1.0}), (1.0, {"mean": 0.0, "variance": 9.0}),
          (0.5, {"mean": 0.5, "variance": 0.25})])
    CMV = rec("CMV", count=D, mean=D, variance=D)
    g.fn("stat.change.zValue", [D, CMV, B], D,
         lambda x, m, u: (x - m["mean"]) / math.sqrt(m["variance"]) * (
             math.sqrt(m["count"] / (m["count"] - 1)) if u else 1.0),
         [(3.0, {"count": 5.0, "mean": 1.0, "variance": 4.0}, True),
          (3.0, {"count": 5.0, "mean": 1.0, "variance": 4.0}, False)])
    g.fn("stat.change.updateCUSUM", [D, D, D], D, lambda llr, last, reset: max(reset, last + llr),
         [(1.5, 0.0, 0.0), (-1.5, 0.5, 0.0), (0.2, 3.0, 0.0), (-5.0, 1.0, -2.0), (0.0, 0.0, 0.0)])
    return g


def build_test() -> Module:
    g = Module("stat.test")
    kw = {"src": "scipy"}

    def ks(x, y):
        x = [v for v in x if not math.isnan(v)]
        y = [v for v in y if not math.isnan(v)]
        if not x and not y:
            return 1.0
        if sorted(x) == sorted(y):
            return 1.0
        if not x or not y:
            return 0.0
        d = stats.ks_2samp(x, y).statistic
        en = math.sqrt(len(x) * len(y) / (len(x) + len(y)))
        return float(stats.kstwobign.sf((en + 0.12 + 0.11 / en) * d))

    g.fn("stat.test.kolmogorov", [AD, AD], D, ks,
         [([0.1, 0.5, 0.9, 1.3], [0.2, 0.6, 0.8, 1.4]), ([1.0, 2.0, 3.0], [10.0, 11.0, 12.0]),
          ([], []), ([0.0, 1.0, 2.0, 3.0, 4.0, 5.0], [0.5, 1.5, 2.5]), ([1.0, 1.0], [1.0, 1.0])],
         rtol=1e-6, note="Kolmogorov distribution of the Stephens-corrected statistic (as titus2)", **kw)

    def resid(o, p):
        if isinstance(o, list):
            if len(o) != len(p):
                raise Err(38010)
            return [a - b for a, b in zip(o, p)]
        return o - p

    g.fn("stat.test.residual", [D, D], D, resid, [(3.0, 1.0), (0.0, 0.0), (-1.0, 2.5), (INF, 1.0)])
    g.fn("stat.test.residual", [AD, AD], AD, resid, [([1.0, 2.0], [0.5, 3.0]), ([1.0], [])])
    g.fn("stat.test.residual", [mp(D), mp(D)], mp(D), lambda o, p: {k: o[k] - p[k] for k in o},
         [({"a": 1.0}, {"a": 3.0})])

    def pull(o, p, u):
        if isinstance(o, list):
            if len(o) != len(p):
                raise Err(38020)
            if len(o) != len(u):
                raise Err(38021)
            return [(a - b) / c for a, b, c in zip(o, p, u)]
        return (o - p) / u

    g.fn("stat.test.pull", [D, D, D], D, pull, [(3.0, 1.0, 2.0), (0.0, 1.0, 0.5), (5.0, 5.0, 1.0)])
    g.fn("stat.test.pull", [AD, AD, AD], AD, pull,
         [([1.0, 2.0], [0.0, 0.0], [1.0, 2.0]), ([1.0], [], [1.0]), ([1.0], [1.0], [])])

    def maha(o, p, c):
        if len(o) < 1:
            raise Err(38030)
        if len(o) != len(p):
            raise Err(38031)
        if len(c) != len(o) or any(len(r) != len(o) for r in c):
            raise Err(38032)
        d = np.array(o) - np.array(p)
        return float(math.sqrt(d @ np.linalg.inv(np.array(c)) @ d))

    g.fn("stat.test.mahalanobis", [AD, AD, AAD], D, maha,
         [([1.0, 2.0], [0.0, 0.0], [[1.0, 0.0], [0.0, 4.0]]), ([3.0], [1.0], [[4.0]]),
          ([], [], []), ([1.0], [1.0, 2.0], [[1.0]]), ([1.0, 2.0], [0.0, 0.0], [[1.0]])], **kw)
    X2 = rec("X2", chi2=D, dof=IN)

    def upd(p, s):
        ps = p if isinstance(p, list) else [p]
        return {"chi2": s["chi2"] + sum(v * v for v in ps), "dof": s["dof"] + 1}

    x0 = {"chi2": 0.0, "dof": 0}
    g.fn("stat.test.updateChi2", [D, X2], "X2", upd,
         [(2.0, x0), (-1.0, {"chi2": 3.0, "dof": 2}), (0.0, x0), (0.5, {"chi2": 1.0, "dof": 1})])
    g.fn("stat.test.updateChi2", [AD, X2], "X2", upd, [([1.0, 2.0], x0)],
         note="an array adds the squared components and counts one degree of freedom")
    g.fn("stat.test.reducedChi2", [X2], D, lambda s: s["chi2"] / s["dof"] if s["dof"] else
         (NAN if s["chi2"] == 0 else INF),
         [({"chi2": 6.0, "dof": 3},), ({"chi2": 0.0, "dof": 5},), ({"chi2": 2.5, "dof": 1},),
          ({"chi2": 1.0, "dof": 0},), ({"chi2": 7.0, "dof": 2},)])

    def prob(s):
        if s["dof"] < 0:
            raise Err(38060)
        if s["dof"] == 0:
            return 1.0 if s["chi2"] > 0 else 0.0
        return float(stats.chi2(s["dof"]).cdf(s["chi2"]))

    g.fn("stat.test.chi2Prob", [X2], D, prob,
         [({"chi2": 3.0, "dof": 3},), ({"chi2": 0.0, "dof": 2},), ({"chi2": 20.0, "dof": 5},),
          ({"chi2": 1.0, "dof": -1},), ({"chi2": 0.5, "dof": 1},)], rtol=1e-6,
         note="the CDF of the chi-square distribution (spec)", **kw)
    return g


def build() -> list[Module]:
    return [build_sample(), build_change(), build_test()]
