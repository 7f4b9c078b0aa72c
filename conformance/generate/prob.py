"""Cases for prob.dist (expected values from scipy.stats)."""

from __future__ import annotations

import math

from scipy import stats

from conformance.generate._helper import Err, Module, X, rec

D, IN = "double", "int"

# name: (scipy frozen-distribution factory, parameter types, valid parameters, bad parameters,
#        discrete, base error code of the PDF)
DISTS = {
    "exponential": (lambda lam: stats.expon(scale=1 / lam), [D], (2.0,), (-1.0,), False, 13030),
    "chi2": (lambda k: stats.chi2(k), [IN], (3,), (-1,), False, 13060),
    "poisson": (lambda lam: stats.poisson(lam), [D], (2.5,), (-1.0,), True, 13090),
    "gamma": (lambda k, th: stats.gamma(k, scale=th), [D, D], (2.0, 1.5), (-1.0, 1.0), False,
              13120),
    "beta": (lambda a, b: stats.beta(a, b), [D, D], (2.0, 3.0), (0.0, 1.0), False, 13150),
    "cauchy": (lambda loc, s: stats.cauchy(loc, s), [D, D], (1.0, 2.0), (0.0, -1.0), False,
               13180),
    "f": (lambda d1, d2: stats.f(d1, d2), [IN, IN], (4, 6), (0, 3), False, 13210),
    "lognormal": (lambda m, s: stats.lognorm(s, scale=math.exp(m)), [D, D], (0.5, 0.75),
                  (0.0, -2.0), False, 13240),
    "t": (lambda k: stats.t(k), [IN], (5,), (0,), False, 13270),
    "binomial": (lambda n, p: stats.binom(n, p), [IN, D], (10, 0.3), (10, 1.5), True, 13300),
    "uniform": (lambda lo, hi: stats.uniform(lo, hi - lo), [D, D], (-1.0, 3.0), (3.0, 1.0),
                False, 13330),
    "geometric": (lambda p: stats.geom(p, loc=-1), [D], (0.25,), (1.5,), True, 13360),
    "hypergeometric": (lambda m, n, k: stats.hypergeom(m + n, m, k), [IN, IN, IN], (5, 7, 4),
                       (5, 7, 20), True, 13390),
    "weibull": (lambda k, lam: stats.weibull_min(k, scale=lam), [D, D], (1.5, 2.0), (-1.0, 1.0),
                False, 13420),
    "negativeBinomial": (lambda r, p: stats.nbinom(r, p), [IN, D], (3, 0.4), (3, 1.5), True, 13450),
}
XS = {"exponential": [0.0, 0.5, 3.0, -1.0], "chi2": [0.5, 2.0, 7.5, 30.0],
      "poisson": [0, 2, 6, 25], "gamma": [0.1, 2.0, 6.0, -1.0], "beta": [0.1, 0.5, 0.9, 0.999],
      "cauchy": [-3.0, 1.0, 4.0, 1e6], "f": [0.2, 1.0, 3.0, 50.0],
      "lognormal": [0.5, 1.0, 4.0, -1.0], "t": [-2.0, 0.0, 1.5, 40.0],
      "binomial": [0, 3, 10, 11], "uniform": [-2.0, 0.0, 2.5, 3.5], "geometric": [0, 1, 5, 40],
      "hypergeometric": [0, 2, 4, 3], "weibull": [0.5, 1.0, 3.0, -0.5],
      "negativeBinomial": [0, 2, 7, 30]}


def _check(bad: bool, code: int) -> None:
    if bad:
        raise Err(code)


def build() -> Module:
    g = Module("prob.dist")
    kw = {"src": "scipy", "rtol": 1e-6, "atol": 1e-12}
    for name, (make, ptypes, good, badp, discrete, code) in DISTS.items():
        pdf_x_t = IN if name in ("poisson", "binomial", "geometric", "hypergeometric",
                                "negativeBinomial") else D

        def pdf(x, *p, make=make, good=good, discrete=discrete, code=code):
            _check(p != good, code)
            return float(make(*p).pmf(x) if discrete else make(*p).pdf(x))

        def cdf(x, *p, make=make, good=good, code=code):
            _check(p != good, code + 10)
            return float(make(*p).cdf(x))

        def qf(q, *p, make=make, good=good, code=code):
            _check(p != good, code + 20)
            _check(not 0 <= q <= 1, code + 21)
            return float(make(*p).ppf(q))

        rows = [(x, *good) for x in XS[name]] + [(XS[name][1], *badp)]
        g.fn(f"prob.dist.{name}PDF", [pdf_x_t, *ptypes], D, pdf, rows, **kw)
        cdf_t = D if discrete and name not in ("poisson", "hypergeometric") else (
            IN if discrete else D)
        g.fn(f"prob.dist.{name}CDF", [cdf_t, *ptypes], D, cdf, rows, **kw)
        g.fn(f"prob.dist.{name}QF", [D, *ptypes], D, qf,
             [(q, *good) for q in (0.1, 0.5, 0.95)] + [(0.5, *badp), (1.5, *good)], **kw)

    def norm(ll: bool, code: int, kind: str):
        def ref(x, mu, sigma):
            _check(sigma <= 0, code)
            if kind == "QF":
                _check(not 0 <= x <= 1, code + 1)
                return float(stats.norm(mu, sigma).ppf(x))
            if kind == "CDF":
                return float(stats.norm(mu, sigma).cdf(x))
            return float(stats.norm(mu, sigma).logpdf(x))
        return ref

    for kind, code in (("LL", 13000), ("CDF", 13010), ("QF", 13020)):
        xs = [0.1, 0.5, 0.975] if kind == "QF" else [-1.0, 0.0, 2.5]
        rows = [(x, 1.0, 2.0) for x in xs] + [(0.5, 0.0, -1.0)]
        if kind == "QF":
            rows.append((-0.1, 0.0, 1.0))
        g.fn(f"prob.dist.gaussian{kind}", [D, D, D], D, norm(kind == "LL", code, kind), rows,
             **kw)
        mv = rec("MV", mean=D, variance=D)
        scalar = norm(kind == "LL", code, kind)
        g.fn(f"prob.dist.gaussian{kind}", [D, mv], D,
             lambda x, p, f=scalar: f(x, p["mean"], math.sqrt(p["variance"])),
             [(xs[1], {"mean": 1.0, "variance": 4.0})], **kw)
    _edges(g)
    return g


INF = math.inf
P53 = 1.0 - 2.0**-53  # the largest double below 1


def _edges(g: Module) -> None:
    """Domain edges, expectations by hand ("hand"): from R's d/p/q functions, the definition
    P(X <= x) or a closed form, as each note says (scipy rejects most of these parameters or
    answers ppf(0) = -1)."""
    ints = {"poisson": False, "binomial": True, "geometric": False, "negativeBinomial": True,
            "hypergeometric": True}
    qf_edges = {  # (p, *params) -> expected, source
        "binomial": [((1.0, 4, 0.0), 4.0, "hand"), ((0.3, 4, 0.0), 0.0, "hand"),
                     ((0.0, 4, 1.0), 0.0, "hand"), ((0.3, 4, 1.0), 4.0, "hand"),
                     ((0.0, 10, 0.3), 0.0, "hand")],
        "poisson": [((1.0, 0.0), 0.0, "hand"), ((0.0, 2.5), 0.0, "hand"),
                    ((1.0, 2.5), INF, "hand")],
        "geometric": [((1.0, 1.0), INF, "hand"), ((0.7, 1.0), 0.0, "hand"),
                      ((P53, 0.25), 127.0, "hand")],
        "negativeBinomial": [((1.0, 3, 1.0), 0.0, "hand"), ((0.5, 3, 0.0), INF, "hand"),
                             ((0.0, 3, 0.4), 0.0, "hand")],
        "hypergeometric": [((0.0, 4, 4, 8), 4.0, "hand"), ((1.0, 10, 5, 3), 3.0, "hand"),
                           ((0.0, 5, 2, 4), 2.0, "hand")],
    }
    for name, rows in qf_edges.items():
        ptypes = DISTS[name][1]
        g.fn(f"prob.dist.{name}QF", [D, *ptypes], D, None,
             [X(args, out=v, src=src) for args, v, src in rows],
             note="quantile ends as R's q-functions: p = 0 gives the lower end of the support "
                  "(scipy's ppf gives one less), p = 1 the upper end, except qpois and qnbinom "
                  "which test the degenerate parameter first; upper tails solved with the "
                  "survival function")
        del ints[name]
    g.fn("prob.dist.chi2CDF", [D, IN], D, None,
         [X((0.0, 0), out=1.0, src="hand"),
          X((1.6, 0), out=1.0, src="hand"), X((-1.0, 0), out=0.0, src="hand")],
         note="0 degrees of freedom is allowed (only dof < 0 is invalid): a point mass at 0, so "
              "P(X <= 0) = 1; R's pchisq(0, 0) and the reference implementation's tests give 0 "
              "(continuity in the shape), scipy NaN")
    g.fn("prob.dist.chi2PDF", [D, IN], D, None,
         [X((0.0, 0), out=INF, src="hand"), X((1.6, 0), out=0.0, src="hand")],
         note="0 degrees of freedom: a point mass at 0")
    g.fn("prob.dist.hypergeometricCDF", [IN, IN, IN, IN], D, None,
         [X((2000, 10, 5, 3), out=1.0, src="hand"),
          X((-1, 10, 5, 3), out=0.0, src="hand")],
         note="P(X <= x) beyond the support is 1 (the reference implementation's test expects 0)")
    g.fn("prob.dist.hypergeometricPDF", [IN, IN, IN, IN], D, None,
         [X((3, 4, 4, 20), err=13390, src="hand"),
          X((0, 0, 0, 0), err=13390, src="hand"),
          X((4, 4, 4, 8), out=1.0, src="hand")],
         note="parameter rules of the spec")
    g.fn("prob.dist.negativeBinomialPDF", [IN, IN, D], D, None,
         [X((5, 4, 0.0), out=0.0, src="hand"),
          X((0, 0, 0.7), out=1.0, src="hand"), X((3, 0, 0.7), out=0.0, src="hand"),
          X((5, 4, -0.1), err=13450, src="hand")],
         note="prob = 0 is allowed by the spec (invalid only if prob < 0): no success ever, "
              "density 0 (the reference implementation raises, R returns NaN)")
    g.fn("prob.dist.weibullCDF", [D, D, D], D, None,
         [X((1e300, 1.5, 2.0), out=1.0, src="hand")], note="no overflow far in the tail")
