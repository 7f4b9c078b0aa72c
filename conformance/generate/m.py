"""Cases for m, m.special, m.link and m.kernel."""

from __future__ import annotations

import math

from conformance.generate._helper import (
    INF,
    INT_MAX,
    INT_MIN,
    LONG_MAX,
    LONG_MIN,
    NAN,
    Err,
    Module,
    arr,
    f32,
    mp,
)

D1 = [(0.0,), (-0.0,), (0.5,), (-0.5,), (1.0,), (-1.0,), (3.0,), (-2.5,), (100.0,), (INF,),
      (-INF,), (NAN,)]


def _safe(f):
    """IEEE behaviour for math functions: domain errors → NaN, overflow → ±inf."""
    def g(*a):
        try:
            return f(*a)
        except ValueError:
            return NAN
        except OverflowError:
            return INF
    return g


def _ln(x: float) -> float:
    if x == 0:
        return -INF
    return _safe(math.log)(x)


def _round(bits: int, code: int):
    def ref(x):
        if math.isnan(x) or math.isinf(x):
            raise Err(code)
        v = math.floor(x + 0.5)
        if not -2**(bits - 1) <= v < 2**(bits - 1):
            raise Err(code)
        return v
    return ref


def _copysign(t: str):
    def ref(mag, sign):
        if t in ("int", "long"):
            return -abs(mag) if sign < 0 else abs(mag)
        return abs(mag) if sign == 0 else math.copysign(mag, sign)
    return ref


def build_m() -> Module:
    g = Module("m")
    g.fn("m.pi", [], "double", lambda: math.pi, [()] * 5)
    g.fn("m.e", [], "double", lambda: math.e, [()] * 5)
    for t, rows in (("int", [(5,), (-5,), (0,), (INT_MAX,), (INT_MIN,)]),
                    ("long", [(-7,), (LONG_MIN + 1,), (LONG_MIN,)]),
                    ("double", [(-2.5,), (-0.0,), (-INF,), (NAN,)])):
        def ab(x, t=t):
            if (t == "int" and x == INT_MIN) or (t == "long" and x == LONG_MIN):
                raise Err(27020 if t == "int" else 27021)
            return abs(x)
        g.fn("m.abs", [t], t, ab, rows)
    simple = {
        "m.acos": math.acos, "m.asin": math.asin, "m.atan": math.atan, "m.cos": math.cos,
        "m.cosh": math.cosh, "m.exp": math.exp, "m.expm1": math.expm1, "m.sin": math.sin,
        "m.sinh": math.sinh, "m.sqrt": math.sqrt, "m.tan": math.tan, "m.tanh": math.tanh,
        "m.ceil": math.ceil, "m.floor": math.floor, "m.ln1p": math.log1p,
    }
    for name, f in simple.items():
        rows = [r for r in D1 if not (name in ("m.cos", "m.sin", "m.tan") and r[0] == 100.0)]
        if name in ("m.ceil", "m.floor"):
            def ref(x, f=f):
                return x if math.isnan(x) or math.isinf(x) or x == 0 else float(f(x))
        elif name == "m.ln1p":
            def ref(x):
                return -INF if x == -1 else _safe(math.log1p)(x)
        else:
            ref = _safe(f)
        if name in ("m.sin", "m.cos", "m.tan"):
            rows = [r for r in rows if not math.isinf(r[0])] + [(INF,)]
            ref0 = ref

            def ref(x, ref0=ref0):
                return NAN if math.isinf(x) else ref0(x)
        g.fn(name, ["double"], "double", ref, rows, atol=1e-15)
    g.fn("m.sqrt", ["int"], "double", math.sqrt, [(4,), (2,), (INT_MAX,)],
         note="int promotes to double")
    g.fn("m.ln", ["double"], "double", _ln, D1)
    g.fn("m.log10", ["double"], "double",
         lambda x: -INF if x == 0 else _safe(math.log10)(x), D1 + [(1000.0,), (1e-300,)])
    g.fn("m.atan2", ["double", "double"], "double", math.atan2,
         [(1.0, 1.0), (0.0, -1.0), (-0.0, -1.0), (1.0, 0.0), (-1.0, 0.0), (0.0, 0.0),
          (INF, INF), (NAN, 1.0), (-3.0, 4.0)])
    g.fn("m.hypot", ["double", "double"], "double", math.hypot,
         [(3.0, 4.0), (0.0, 0.0), (-5.0, 12.0), (1e200, 1e200), (INF, NAN), (NAN, 1.0)])

    def mlog(x, base):
        if base <= 0:
            raise Err(27170)
        if base == 1:
            lx = _ln(x)
            return NAN if math.isnan(lx) or lx == 0 else math.copysign(INF, lx)
        return _ln(x) / math.log(base)

    g.fn("m.log", ["double", "int"], "double", mlog,
         [(8.0, 2), (100.0, 10), (0.0, 10), (-1.0, 10), (10.0, 0), (10.0, -2), (INF, 2),
          (1.0, 3), (NAN, 2)])
    g.fn("m.round", ["double"], "long", _round(64, 27191),
         [(2.5,), (-2.5,), (0.49999,), (-0.5,), (1e18,), (1e19,), (-1e19,), (NAN,), (INF,)])
    g.fn("m.round", ["float"], "int", _round(32, 27190),
         [(2.5,), (-3.5,), (3e9,), (f32(2147483520.0),)])
    g.fn("m.rint", ["double"], "double",
         lambda x: x if math.isnan(x) or math.isinf(x) else float(round(x)),
         [(2.5,), (3.5,), (-2.5,), (0.4,), (1e300,), (INF,), (NAN,)])
    g.fn("m.signum", ["double"], "int", lambda x: (x > 0) - (x < 0),
         [(3.2,), (-0.1,), (0.0,), (-0.0,), (INF,), (-INF,)])
    for t, rows in (("int", [(5, -1), (-5, 3), (0, -1), (7, 0), (-7, 0)]),
                    ("long", [(LONG_MAX, -1), (-3, 1)]),
                    ("double", [(1.5, -0.0), (-2.0, 3.0), (INF, -1.0), (0.0, -1.0)])):
        g.fn("m.copysign", [t, t], t, _copysign(t), rows)
    return g


def build_special() -> Module:
    g = Module("m.special")

    def nck(n, k):
        if k <= 0 or k >= n:
            raise Err(36000)
        return math.comb(n, k)

    g.fn("m.special.nChooseK", ["int", "int"], "int", nck,
         [(5, 2), (10, 3), (20, 10), (4, 0), (4, 4), (3, 5), (-1, 2), (30, 15)],
         note="spec: domain error if k <= 0 or k >= n")

    def lnbeta(a, b):
        if a <= 0 or b <= 0:
            raise Err(36010)
        return math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)

    g.fn("m.special.lnBeta", ["double", "double"], "double", lnbeta,
         [(1.0, 1.0), (2.0, 3.0), (0.5, 0.5), (10.0, 0.1), (0.0, 1.0), (-1.0, 2.0)],
         rtol=1e-7)
    g.fn("m.special.erf", ["double"], "double", math.erf,
         [(0.0,), (0.5,), (-1.0,), (3.0,), (INF,), (-INF,), (NAN,)], rtol=1e-7, atol=1e-15)
    g.fn("m.special.erfc", ["double"], "double", math.erfc,
         [(0.0,), (0.5,), (-1.0,), (3.0,), (INF,), (NAN,)], rtol=1e-7, atol=1e-15)
    g.fn("m.special.lnGamma", ["double"], "double", math.lgamma,
         [(1.0,), (0.5,), (10.0,), (100.5,), (2.0,), (INF,)], rtol=1e-7, atol=1e-15)
    return g


def _sig(x: float) -> float:
    return 1 / (1 + math.exp(-x)) if x > -700 else 0.0


LINKS = {
    "m.link.logit": _sig,
    "m.link.probit": lambda x: (math.erf(x / math.sqrt(2)) + 1) / 2,
    "m.link.cloglog": lambda x: 1 - math.exp(-math.exp(x)),
    "m.link.loglog": lambda x: math.exp(-math.exp(x)),
    "m.link.cauchit": lambda x: 0.5 + math.atan(x) / math.pi,
    "m.link.softplus": lambda x: math.log1p(math.exp(x)),
    "m.link.relu": lambda x: max(0.0, x),
    "m.link.tanh": math.tanh,
}


def build_link() -> Module:
    g = Module("m.link")

    def softmax(xs):
        if not xs:
            raise Err(25000)
        vals = list(xs.values()) if isinstance(xs, dict) else xs
        m = max(vals)
        e = [math.exp(v - m) for v in vals]
        s = sum(e)
        out = [v / s for v in e]
        return dict(zip(xs, out)) if isinstance(xs, dict) else out

    g.fn("m.link.softmax", [arr("double")], arr("double"), softmax,
         [([1.0, 2.0, 3.0],), ([0.0],), ([-1.0, -1.0],), ([1000.0, 0.0],), ([],)])
    g.fn("m.link.softmax", [mp("double")], mp("double"), softmax,
         [({"a": 1.0, "b": 2.0},), ({},)])
    for name, f in LINKS.items():
        g.fn(name, ["double"], "double", f,
             [(0.0,), (1.0,), (-2.0,), (0.5,), (5.0,), (-30.0,)], atol=1e-15)
        g.fn(name, [arr("double")], arr("double"), lambda xs, f=f: [f(x) for x in xs],
             [([0.5, -1.0],), ([],)], atol=1e-15)
        g.fn(name, [mp("double")], mp("double"),
             lambda m, f=f: {k: f(v) for k, v in m.items()}, [({"x": 2.0, "y": -0.5},)],
             atol=1e-15)
    return g


def build_kernel() -> Module:
    g = Module("m.kernel")
    A = arr("double")

    def dot(x, y, code):
        if len(x) != len(y):
            raise Err(code)
        return sum(a * b for a, b in zip(x, y))

    rows = [([1.0, 2.0, 3.0], [4.0, 5.0, 6.0]), ([], []), ([0.5], [-2.0]), ([1.0], [1.0, 2.0]),
            ([-1.0, 1.0], [1.0, 1.0])]
    g.fn("m.kernel.linear", [A, A], "double", lambda x, y: dot(x, y, 23000), rows)

    def rbf(x, y, gamma):
        if len(x) != len(y):
            raise Err(23010)
        return math.exp(-gamma * sum((a - b) ** 2 for a, b in zip(x, y)))

    g.fn("m.kernel.rbf", [A, A, "double"], "double", rbf,
         [r + (0.5,) for r in rows] + [([1.0], [3.0], 0.0)])
    g.fn("m.kernel.poly", [A, A, "double", "double", "double"], "double",
         lambda x, y, gm, c, d: (gm * dot(x, y, 23020) + c) ** d,
         [r + (0.5, 1.0, 2.0) for r in rows] + [([2.0], [3.0], 1.0, 0.0, 3.0)])
    g.fn("m.kernel.sigmoid", [A, A, "double", "double"], "double",
         lambda x, y, gm, c: math.tanh(gm * dot(x, y, 23030) + c),
         [r + (0.1, -0.5) for r in rows])
    return g


def build() -> list[Module]:
    return [build_m(), build_special(), build_link(), build_kernel()]


if __name__ == "__main__":
    for mod in build():
        print(mod.write())
