"""prob.dist.*: densities, distribution functions and quantiles of common distributions.

Every function validates its parameters first ("invalid parameterization", the function's
base code) and then its input ("invalid input", base code + 1): a PDF or CDF needs a finite
``x``, a QF needs ``0 <= p <= 1``.

Conventions (spec §"prob.dist", checked against scipy.stats and R's d/p/q functions):

* degenerate but allowed parameters (a Gaussian with sigma 0, a chi-square with 0 degrees of
  freedom, a gamma with shape or scale 0, a Poisson with lambda 0, a binomial with size 0 or
  prob 0 or 1, a negative binomial with size 0 or prob 1 …) describe a point mass: its
  density is +inf at the point (1.0 for a discrete distribution) and 0 elsewhere, and its CDF
  is P(X <= x), so it is 1 *at* the point. (R's ``pgamma(0, 0)``/``pchisq(0, 0)`` and the
  reference implementation's tests give 0 there, by continuity in the shape; the spec defines
  the CDF as P(X <= x).) An exponential with rate 0 and a negative binomial with prob 0 never
  end: density and CDF 0 everywhere, every quantile above p = 0 is +inf. scipy rejects all of
  these parameters (NaN); the spec allows them (its error conditions are strict inequalities).
* a quantile of a discrete distribution is the smallest support point ``k`` with
  ``CDF(k) >= p``, found by galloping and bisection (:func:`_discrete_qf`), so any parameters
  take O(log) CDF evaluations. At the ends, as R's q-functions: ``p = 0`` gives the lower end
  of the support (scipy's ppf gives one less), ``p = 1`` the upper end (``binomialQF(1, n, 0)``
  is n, ``geometricQF(1, 1)`` is +inf) except where R tests the degenerate parameter first
  (``poissonQF(1, 0)`` and ``negativeBinomialQF(1, n, 1)`` are 0; scipy gives +inf);
* a continuous QF at ``p = 0`` or ``p = 1`` is the corresponding end of the support.

Numerics come from ``math`` and ``scipy.special`` (incomplete gamma / beta functions and
their inverses, log-beta for binomial coefficients, Boost's hypergeometric functions), which
are fast for single values; ``scipy.stats`` is never imported (it takes seconds).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from scipy import special as sp

from pfa.lib.registry import error, scalar

_PREFIX = "prob.dist."
_INF = math.inf
_SQRT2 = math.sqrt(2.0)
_LOG_SQRT_2PI = 0.5 * math.log(2.0 * math.pi)
_fin = math.isfinite
_lgamma = math.lgamma


def _define(name: str, code: int, valid: Callable[..., bool], run: Callable[..., float],
            quantile: bool = False) -> None:
    """Register ``prob.dist.<name>``: check ``valid(*params)`` (else ``code``), then the input
    (else ``code + 1``), then return ``float(run(x, *params))``."""
    full = _PREFIX + name

    if quantile:
        def impl(p: float, *params: Any) -> float:
            if not valid(*params):
                raise error(code)
            if not 0.0 <= p <= 1.0:
                raise error(code + 1)
            try:
                return float(run(p, *params))
            except (ValueError, OverflowError):  # parameters beyond the numerics' range
                return math.nan
    else:
        def impl(x: float, *params: Any) -> float:
            if not valid(*params):
                raise error(code)
            if not _fin(x):
                raise error(code + 1)
            try:
                return float(run(x, *params))
            except (ValueError, OverflowError):  # parameters beyond the numerics' range
                return math.nan

    impl.__name__ = name
    impl.__doc__ = f"{full} (error codes {code}, {code + 1})."
    scalar(full)(impl)


def _discrete_qf(p: float, cdf: Callable[[float], float], sf: Callable[[float], float],
                 guess: float, lo: int, hi: float = _INF) -> float:
    """The smallest integer ``k`` in [lo, hi] with ``CDF(k) >= p`` (``hi`` if there is none).

    For ``p > 0.5`` the test is ``sf(k) <= 1 - p`` (``1 - p`` is exact there): a CDF near 1
    cannot resolve the upper tail (``poissonQF(1 - 2**-53, 1e6)`` would be 48 too small).

    Gallops away from ``guess`` in doubling steps until the answer is bracketed, then bisects:
    O(log distance) evaluations of ``cdf`` however large the parameters are (at most about
    2 x 1100 for the whole double range), so a quantile cannot run away. Beyond 2**53 the
    steps are whole doubles, and the answer is the nearest double to the integer quantile.
    """
    if p > 0.5:
        tail = 1.0 - p

        def reached(j: float) -> bool:
            return sf(j) <= tail
    else:
        def reached(j: float) -> bool:
            return cdf(j) >= p
    if guess != guess:
        guess = lo
    if guess == _INF:
        guess = hi if hi != _INF else 2.0 ** 1023
    k = min(max(math.floor(guess), lo), hi)
    first_step = max(1.0, math.ulp(float(k)))  # beyond 2**53, 1 is no step at all
    if reached(k):  # the answer is at or below k: gallop down
        upper, step = k, first_step
        while True:
            if upper <= lo:
                return float(lo)
            lower = max(upper - step, lo)
            if not reached(lower):
                break
            upper, step = lower, step * 2.0
    else:  # the answer is above k: gallop up
        lower, step = k, first_step
        while True:
            upper = min(lower + step, hi)
            if upper == _INF:
                return _INF
            if upper >= hi or reached(upper):
                break
            lower, step = upper, step * 2.0
    # cdf(lower) < p <= cdf(upper) (or upper == hi)
    while upper - lower > 1.0:
        mid = math.floor(lower + (upper - lower) / 2.0)
        if mid <= lower or mid >= upper:  # no integer double strictly between them
            break
        if reached(mid):
            upper = mid
        else:
            lower = mid
    return float(upper)


def _exp(v: float) -> float:
    """exp(v), +inf on overflow."""
    try:
        return math.exp(v)
    except OverflowError:
        return _INF


def _point_density(x: float, at: float = 0.0) -> float:
    return _INF if x == at else 0.0


def _point_cdf(x: float, at: float = 0.0) -> float:
    return 1.0 if x >= at else 0.0


# -- Gaussian ----------------------------------------------------------------------------------

def _gauss_params(code: int, params: tuple[Any, ...]) -> tuple[float, float]:
    """(mu, sigma) from (mu, sigma) or from a record with mean and variance."""
    if len(params) == 1:
        rec = params[0]
        mu, variance = rec["mean"], rec["variance"]
        if not variance >= 0.0:
            raise error(code)
        sigma = math.sqrt(variance)
    else:
        mu, sigma = params
    if not (_fin(mu) and _fin(sigma) and sigma >= 0.0):
        raise error(code)
    return mu, sigma


def _std_normal_cdf(z: float) -> float:
    return 0.5 * math.erfc(-z / _SQRT2)


@scalar("prob.dist.gaussianLL")
def gaussian_ll(x: float, *params: Any) -> float:
    """Log-likelihood -(x - mu)²/(2 sigma²) - log(sigma sqrt(2 pi)); codes 13000/13001."""
    mu, sigma = _gauss_params(13000, params)
    if not _fin(x):
        raise error(13001)
    if sigma == 0.0:
        return _INF if x == mu else -_INF
    z = (x - mu) / sigma
    return -0.5 * z * z - math.log(sigma) - _LOG_SQRT_2PI


@scalar("prob.dist.gaussianCDF")
def gaussian_cdf(x: float, *params: Any) -> float:
    """Normal CDF; codes 13010/13011."""
    mu, sigma = _gauss_params(13010, params)
    if not _fin(x):
        raise error(13011)
    if sigma == 0.0:
        return _point_cdf(x, mu)
    return _std_normal_cdf((x - mu) / sigma)


@scalar("prob.dist.gaussianQF")
def gaussian_qf(p: float, *params: Any) -> float:
    """Normal quantile mu + sigma Φ⁻¹(p); codes 13020/13021."""
    mu, sigma = _gauss_params(13020, params)
    if not 0.0 <= p <= 1.0:
        raise error(13021)
    if p == 0.0:
        return -_INF
    if p == 1.0:
        return _INF
    if sigma == 0.0:
        return float(mu)
    return mu + sigma * float(sp.ndtri(p))


# -- exponential -------------------------------------------------------------------------------

def _rate_ok(rate: float) -> bool:
    return _fin(rate) and rate >= 0.0


def _exponential_pdf(x: float, rate: float) -> float:
    if rate == 0.0 or x < 0.0:
        return 0.0
    return rate * math.exp(-rate * x)


def _exponential_cdf(x: float, rate: float) -> float:
    if rate == 0.0 or x <= 0.0:
        return 0.0
    return -math.expm1(-rate * x)


def _exponential_qf(p: float, rate: float) -> float:
    if p == 0.0:
        return 0.0
    if p == 1.0 or rate == 0.0:
        return _INF
    return -math.log1p(-p) / rate


_define("exponentialPDF", 13030, _rate_ok, _exponential_pdf)
_define("exponentialCDF", 13040, _rate_ok, _exponential_cdf)
_define("exponentialQF", 13050, _rate_ok, _exponential_qf, quantile=True)


# -- gamma (and chi-square, its special case) --------------------------------------------------

def _gamma_ok(shape: float, scale: float) -> bool:
    return _fin(shape) and _fin(scale) and shape >= 0.0 and scale >= 0.0


def _gamma_qf_ok(shape: float, scale: float) -> bool:
    return _fin(shape) and _fin(scale) and shape > 0.0 and scale > 0.0


def _gamma_pdf(x: float, shape: float, scale: float) -> float:
    if shape == 0.0 or scale == 0.0:
        return _point_density(x)
    if x < 0.0:
        return 0.0
    if x == 0.0:
        return _INF if shape < 1.0 else (1.0 / scale if shape == 1.0 else 0.0)
    log_y = math.log(x) - math.log(scale)
    return _exp((shape - 1.0) * log_y - x / scale - _lgamma(shape) - math.log(scale))


def _gamma_cdf(x: float, shape: float, scale: float) -> float:
    if shape == 0.0 or scale == 0.0:
        return _point_cdf(x)
    if x <= 0.0:
        return 0.0
    return float(sp.gammainc(shape, x / scale))


def _gamma_qf(p: float, shape: float, scale: float) -> float:
    if p == 0.0:
        return 0.0
    if p == 1.0:
        return _INF
    return scale * float(sp.gammaincinv(shape, p))


_define("gammaPDF", 13120, _gamma_ok, _gamma_pdf)
_define("gammaCDF", 13130, _gamma_ok, _gamma_cdf)
_define("gammaQF", 13140, _gamma_qf_ok, _gamma_qf, quantile=True)


def _dof_ok(dof: int) -> bool:
    return dof >= 0


def chi2_cdf(x: float, dof: int) -> float:
    """CDF of the chi-square distribution (0 degrees of freedom: a point mass at 0)."""
    return _gamma_cdf(x, dof / 2.0, 2.0)


_define("chi2PDF", 13060, _dof_ok, lambda x, dof: _gamma_pdf(x, dof / 2.0, 2.0))
_define("chi2CDF", 13070, _dof_ok, chi2_cdf)
_define("chi2QF", 13080, _dof_ok,
        lambda p, dof: _gamma_qf(p, dof / 2.0, 2.0) if dof > 0 or p == 1.0 else 0.0,
        quantile=True)


# -- beta --------------------------------------------------------------------------------------

def _beta_ok(a: float, b: float) -> bool:
    return _fin(a) and _fin(b) and a > 0.0 and b > 0.0


def _edge_density(shape: float, other: float) -> float:
    """Beta density at the edge whose exponent is ``shape - 1``."""
    if shape < 1.0:
        return _INF
    return other if shape == 1.0 else 0.0


def _beta_pdf(x: float, a: float, b: float) -> float:
    if x < 0.0 or x > 1.0:
        return 0.0
    if x == 0.0:
        return _edge_density(a, b)
    if x == 1.0:
        return _edge_density(b, a)
    return _exp((a - 1.0) * math.log(x) + (b - 1.0) * math.log1p(-x) - float(sp.betaln(a, b)))


def _beta_cdf(x: float, a: float, b: float) -> float:
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    return float(sp.betainc(a, b, x))


def _beta_qf(p: float, a: float, b: float) -> float:
    if p == 0.0 or p == 1.0:
        return p
    return float(sp.betaincinv(a, b, p))


_define("betaPDF", 13150, _beta_ok, _beta_pdf)
_define("betaCDF", 13160, _beta_ok, _beta_cdf)
_define("betaQF", 13170, _beta_ok, _beta_qf, quantile=True)


# -- Cauchy ------------------------------------------------------------------------------------

def _location_scale_ok(location: float, scale: float) -> bool:
    return _fin(location) and _fin(scale) and scale > 0.0


def _cauchy_pdf(x: float, location: float, scale: float) -> float:
    z = (x - location) / scale
    return 1.0 / (math.pi * scale * (1.0 + z * z))


def _cauchy_cdf(x: float, location: float, scale: float) -> float:
    return math.atan2(1.0, -(x - location) / scale) / math.pi  # accurate in both tails


def _cauchy_qf(p: float, location: float, scale: float) -> float:
    if p == 0.0:
        return -_INF
    if p == 1.0:
        return _INF
    if p == 0.5:
        return float(location)
    if p < 0.5:
        return location - scale / math.tan(math.pi * p)
    return location + scale / math.tan(math.pi * (1.0 - p))


_define("cauchyPDF", 13180, _location_scale_ok, _cauchy_pdf)
_define("cauchyCDF", 13190, _location_scale_ok, _cauchy_cdf)
_define("cauchyQF", 13200, _location_scale_ok, _cauchy_qf, quantile=True)


# -- F -----------------------------------------------------------------------------------------

def _f_ok(d1: int, d2: int) -> bool:
    return d1 > 0 and d2 > 0


def _f_pdf(x: float, d1: int, d2: int) -> float:
    if x < 0.0:
        return 0.0
    if x == 0.0:
        return _INF if d1 < 2 else (1.0 if d1 == 2 else 0.0)
    h1, h2 = d1 / 2.0, d2 / 2.0
    log_pdf = (h1 * math.log(d1 / d2) + (h1 - 1.0) * math.log(x)
               - (h1 + h2) * math.log1p(d1 * x / d2) - float(sp.betaln(h1, h2)))
    return _exp(log_pdf)


def _f_cdf(x: float, d1: int, d2: int) -> float:
    return 0.0 if x <= 0.0 else float(sp.fdtr(d1, d2, x))


def _f_qf(p: float, d1: int, d2: int) -> float:
    if p == 0.0:
        return 0.0
    if p == 1.0:
        return _INF
    return float(sp.fdtri(d1, d2, p))


_define("fPDF", 13210, _f_ok, _f_pdf)
_define("fCDF", 13220, _f_ok, _f_cdf)
_define("fQF", 13230, _f_ok, _f_qf, quantile=True)


# -- log-normal --------------------------------------------------------------------------------

def _lognormal_pdf(x: float, meanlog: float, sdlog: float) -> float:
    if x <= 0.0:
        return 0.0
    z = (math.log(x) - meanlog) / sdlog
    return _exp(-0.5 * z * z - _LOG_SQRT_2PI - math.log(x) - math.log(sdlog))


def _lognormal_cdf(x: float, meanlog: float, sdlog: float) -> float:
    return 0.0 if x <= 0.0 else _std_normal_cdf((math.log(x) - meanlog) / sdlog)


def _lognormal_qf(p: float, meanlog: float, sdlog: float) -> float:
    if p == 0.0:
        return 0.0
    if p == 1.0:
        return _INF
    return _exp(meanlog + sdlog * float(sp.ndtri(p)))


_define("lognormalPDF", 13240, _location_scale_ok, _lognormal_pdf)
_define("lognormalCDF", 13250, _location_scale_ok, _lognormal_cdf)
_define("lognormalQF", 13260, _location_scale_ok, _lognormal_qf, quantile=True)


# -- Student's t -------------------------------------------------------------------------------

def _t_ok(dof: int) -> bool:
    return dof > 0


def _t_pdf(x: float, dof: int) -> float:
    nu = float(dof)
    # Γ((ν+1)/2) / (Γ(ν/2) sqrt(νπ)) = 1 / (B(1/2, ν/2) sqrt(ν)): betaln stays accurate for
    # large ν, where a difference of lgammas loses digits
    log_pdf = (-float(sp.betaln(0.5, nu / 2.0)) - 0.5 * math.log(nu)
               - (nu + 1.0) / 2.0 * math.log1p(x * x / nu))
    return _exp(log_pdf)


def _t_qf(p: float, dof: int) -> float:
    if p == 0.0:
        return -_INF
    if p == 1.0:
        return _INF
    return float(sp.stdtrit(dof, p))


_define("tPDF", 13270, _t_ok, _t_pdf)
_define("tCDF", 13280, _t_ok, lambda x, dof: sp.stdtr(dof, x))
_define("tQF", 13290, _t_ok, _t_qf, quantile=True)


# -- uniform -----------------------------------------------------------------------------------

def _uniform_ok(low: float, high: float) -> bool:
    return _fin(low) and _fin(high) and low < high


def _uniform_pdf(x: float, low: float, high: float) -> float:
    return 1.0 / (high - low) if low <= x <= high else 0.0


def _uniform_cdf(x: float, low: float, high: float) -> float:
    if x <= low:
        return 0.0
    if x >= high:
        return 1.0
    return (x - low) / (high - low)


_define("uniformPDF", 13330, _uniform_ok, _uniform_pdf)
_define("uniformCDF", 13340, _uniform_ok, _uniform_cdf)
_define("uniformQF", 13350, _uniform_ok, lambda p, low, high: low + p * (high - low),
        quantile=True)


# -- Weibull -----------------------------------------------------------------------------------

def _weibull_power(x: float, shape: float, scale: float) -> float:
    """(x / scale) ** shape, +inf on overflow."""
    try:
        return (x / scale) ** shape
    except OverflowError:
        return _INF


def _weibull_pdf(x: float, shape: float, scale: float) -> float:
    if x < 0.0:
        return 0.0
    if x == 0.0:
        return _INF if shape < 1.0 else (1.0 / scale if shape == 1.0 else 0.0)
    log_y = math.log(x) - math.log(scale)
    return shape / scale * _exp((shape - 1.0) * log_y - _weibull_power(x, shape, scale))


def _weibull_cdf(x: float, shape: float, scale: float) -> float:
    return 0.0 if x <= 0.0 else -math.expm1(-_weibull_power(x, shape, scale))


def _weibull_qf(p: float, shape: float, scale: float) -> float:
    if p == 1.0:
        return _INF
    return scale * (-math.log1p(-p)) ** (1.0 / shape)


_define("weibullPDF", 13420, _gamma_qf_ok, _weibull_pdf)
_define("weibullCDF", 13430, _gamma_qf_ok, _weibull_cdf)
_define("weibullQF", 13440, _gamma_qf_ok, _weibull_qf, quantile=True)


# -- Poisson -----------------------------------------------------------------------------------

def _poisson_pdf(x: int, lam: float) -> float:
    if lam == 0.0:
        return 1.0 if x == 0 else 0.0
    if x < 0:
        return 0.0
    return _exp(x * math.log(lam) - lam - _lgamma(x + 1.0))


def _poisson_cdf(x: float, lam: float) -> float:
    if x < 0:
        return 0.0
    if lam == 0.0:
        return 1.0
    return float(sp.pdtr(math.floor(x), lam))


def _poisson_qf(p: float, lam: float) -> float:
    if lam == 0.0 or p == 0.0:
        return 0.0
    if p == 1.0:
        return _INF
    return _discrete_qf(p, lambda k: _poisson_cdf(k, lam),
                        lambda k: float(sp.pdtrc(math.floor(k), lam)),
                        float(sp.pdtrik(p, lam)), 0)


_define("poissonPDF", 13090, _rate_ok, _poisson_pdf)
_define("poissonCDF", 13100, _rate_ok, _poisson_cdf)
_define("poissonQF", 13110, _rate_ok, _poisson_qf, quantile=True)


# -- binomial ----------------------------------------------------------------------------------

def _binomial_ok(size: int, prob: float) -> bool:
    return size >= 0 and 0.0 <= prob <= 1.0


def _binomial_pdf(x: int, size: int, prob: float) -> float:
    if x < 0 or x > size:
        return 0.0
    if prob == 0.0 or prob == 1.0:
        return 1.0 if x == (0 if prob == 0.0 else size) else 0.0
    # log choose(size, x) = -log(size + 1) - log B(size - x + 1, x + 1): betaln keeps its
    # accuracy where a difference of lgammas of two billion loses six digits
    log_pdf = (-math.log(size + 1.0) - float(sp.betaln(size - x + 1.0, x + 1.0))
               + x * math.log(prob) + (size - x) * math.log1p(-prob))
    return _exp(log_pdf)


def _binomial_cdf(x: float, size: int, prob: float) -> float:
    if x < 0.0:
        return 0.0
    if x >= size or prob == 0.0:
        return 1.0
    if prob == 1.0:
        return 0.0
    return float(sp.bdtr(math.floor(x), size, prob))


def _binomial_qf(p: float, size: int, prob: float) -> float:
    if p == 0.0:  # the ends of the support {0, ..., size} first (R's qbinom; scipy agrees at 1)
        return 0.0
    if p == 1.0:
        return float(size)
    if prob == 0.0:
        return 0.0
    if prob == 1.0:
        return float(size)
    return _discrete_qf(p, lambda k: _binomial_cdf(k, size, prob),
                        lambda k: float(sp.bdtrc(math.floor(k), size, prob)),
                        float(sp.bdtrik(p, size, prob)), 0, size)


_define("binomialPDF", 13300, _binomial_ok, _binomial_pdf)
_define("binomialCDF", 13310, _binomial_ok, _binomial_cdf)
_define("binomialQF", 13320, _binomial_ok, _binomial_qf, quantile=True)


# -- geometric (failures before the first success) ---------------------------------------------

def _geometric_ok(prob: float) -> bool:
    return 0.0 < prob <= 1.0


def _geometric_pdf(x: int, prob: float) -> float:
    if x < 0:
        return 0.0
    if prob == 1.0:
        return 1.0 if x == 0 else 0.0
    return prob * math.exp(x * math.log1p(-prob))


def _geometric_cdf(x: float, prob: float) -> float:
    if x < 0.0:
        return 0.0
    if prob == 1.0:
        return 1.0
    return -math.expm1((math.floor(x) + 1.0) * math.log1p(-prob))


def _geometric_qf(p: float, prob: float) -> float:
    if p == 0.0:  # the ends of the support first (R's qgeom; scipy agrees at 1)
        return 0.0
    if p == 1.0:
        return _INF
    if prob == 1.0:
        return 0.0
    guess = math.log1p(-p) / math.log1p(-prob) - 1.0
    return _discrete_qf(p, lambda k: _geometric_cdf(k, prob),
                        lambda k: math.exp((math.floor(k) + 1.0) * math.log1p(-prob)), guess, 0)


_define("geometricPDF", 13360, _geometric_ok, _geometric_pdf)
_define("geometricCDF", 13370, _geometric_ok, _geometric_cdf)
_define("geometricQF", 13380, _geometric_ok, _geometric_qf, quantile=True)


# -- negative binomial (failures before the size-th success) -----------------------------------

def _negbin_qf_ok(size: int, prob: float) -> bool:
    return size > 0 and 0.0 <= prob <= 1.0


def _negbin_pdf(x: int, size: int, prob: float) -> float:
    if x < 0:
        return 0.0
    if size == 0 or prob == 1.0:
        return 1.0 if x == 0 else 0.0
    if prob == 0.0:
        return 0.0
    # log(Γ(x + size) / (Γ(size) x!)) = -log(x) - log B(size, x) for x >= 1 (see binomial)
    log_ways = 0.0 if x == 0 else -math.log(x) - float(sp.betaln(size, x))
    return _exp(log_ways + size * math.log(prob) + x * math.log1p(-prob))


def _negbin_cdf(x: float, size: int, prob: float) -> float:
    if x < 0.0:
        return 0.0
    if size == 0 or prob == 1.0:
        return 1.0
    if prob == 0.0:
        return 0.0
    # I_prob(size, k + 1); scipy's nbdtr takes k as a C int and fails beyond 2**31
    return float(sp.betainc(size, math.floor(x) + 1.0, prob))


def _negbin_qf(p: float, size: int, prob: float) -> float:
    if p == 0.0 or prob == 1.0:
        return 0.0
    if p == 1.0 or prob == 0.0:
        return _INF
    return _discrete_qf(p, lambda k: _negbin_cdf(k, size, prob),
                        lambda k: float(sp.betaincc(size, math.floor(k) + 1.0, prob)),
                        float(sp.nbdtrik(p, size, prob)), 0)


_define("negativeBinomialPDF", 13450, _binomial_ok, _negbin_pdf)
_define("negativeBinomialCDF", 13460, _binomial_ok, _negbin_cdf)
_define("negativeBinomialQF", 13470, _negbin_qf_ok, _negbin_qf, quantile=True)


# -- hypergeometric (x white balls among k drawn from m white and n black) ---------------------

_EXACT_URN = 2000  # urns up to this size use exact integer arithmetic


def _hyper_ok(m: int, n: int, k: int) -> bool:
    return m >= 0 and n >= 0 and k >= 0 and m + n > 0 and k <= m + n


def _boost_hypergeom(kind: str) -> Callable[..., float]:
    """Boost's hypergeometric ``pmf``/``cdf``/``sf`` as ``f(x, m, n, k)``: the ufuncs behind
    scipy.stats.hypergeom (private to scipy, hence the fallback to scipy.stats, which takes
    seconds to import)."""
    from scipy.special import _ufuncs

    ufunc = getattr(_ufuncs, f"_hypergeom_{kind}", None)
    if ufunc is not None:
        return lambda x, m, n, k: float(ufunc(x, m, k, m + n))
    from scipy.stats import hypergeom

    method = getattr(hypergeom, kind)
    return lambda x, m, n, k: float(method(x, m + n, m, k))


def _hyper_pdf(x: int, m: int, n: int, k: int) -> float:
    if x < max(0, k - n) or x > min(k, m):
        return 0.0
    if m + n <= _EXACT_URN:  # int / int is correctly rounded
        return math.comb(m, x) * math.comb(n, k - x) / math.comb(m + n, k)
    if m + n < 2**31:
        return _boost_hypergeom("pmf")(x, m, n, k)
    # Boost takes seconds beyond 2**31 balls; log-binomials lose ~7 digits there
    return _exp(_log_comb(m, x) + _log_comb(n, k - x) - _log_comb(m + n, k))


def _log_comb(a: int, b: int) -> float:
    return -math.log(a + 1.0) - float(sp.betaln(a - b + 1.0, b + 1.0))


_BOOST_URN = 10**7  # Boost's hypergeometric CDF takes time linear in the urn: ~20 ms here


def _hyper_tail(start: int, stop: int, m: int, n: int, k: int) -> float:
    """Sum of the pmf from ``start`` towards ``stop`` (inclusive), which must lead away from
    the mode: terms shrink, and the sum stops once they no longer change it (at most some
    tens of standard deviations of terms, ~10**6 for the largest int urns)."""
    step = 1 if stop >= start else -1
    term = _hyper_pdf(start, m, n, k)
    total = term
    i = start
    while i != stop and term > total * 1e-17:
        if step > 0:
            term *= (m - i) * (k - i) / ((i + 1.0) * (n - k + i + 1.0))
        else:
            term *= i * (n - k + i) / ((m - i + 1.0) * (k - i + 1.0))
        i += step
        total += term
    return total


def _hyper_lower(x: int, m: int, n: int, k: int, upper: bool) -> float:
    """P(X <= x) (or P(X > x) if ``upper``) for lo <= x < hi."""
    lo, hi = max(0, k - n), min(k, m)
    if m + n <= _EXACT_URN:  # exact integers; int / int is correctly rounded
        rng = range(x + 1, hi + 1) if upper else range(lo, x + 1)
        return sum(math.comb(m, i) * math.comb(n, k - i) for i in rng) / math.comb(m + n, k)
    if m + n <= _BOOST_URN:
        return _boost_hypergeom("sf" if upper else "cdf")(x, m, n, k)
    mode = (k + 1) * (m + 1) // (m + n + 2)
    if x < mode:  # the lower tail is the short sum
        below = min(1.0, _hyper_tail(x, lo, m, n, k))
        return 1.0 - below if upper else below
    above = min(1.0, _hyper_tail(x + 1, hi, m, n, k))
    return above if upper else 1.0 - above


def _hyper_cdf(x: float, m: int, n: int, k: int) -> float:
    if x < max(0, k - n):
        return 0.0
    if x >= min(k, m):
        return 1.0
    return _hyper_lower(math.floor(x), m, n, k, False)


def _hyper_sf(x: float, m: int, n: int, k: int) -> float:
    if x < max(0, k - n):
        return 1.0
    if x >= min(k, m):
        return 0.0
    return _hyper_lower(math.floor(x), m, n, k, True)


def _hyper_qf(p: float, m: int, n: int, k: int) -> float:
    lo, hi = max(0, k - n), min(k, m)
    if p == 0.0:
        return float(lo)
    if p == 1.0:
        return float(hi)
    total = m + n
    mean = k * m / total
    sd = math.sqrt(k * (m / total) * (n / total) * ((total - k) / max(total - 1, 1)))
    guess = mean + sd * float(sp.ndtri(p))  # normal approximation: a few CDFs from the answer
    return _discrete_qf(p, lambda j: _hyper_cdf(j, m, n, k), lambda j: _hyper_sf(j, m, n, k),
                        guess, lo, hi)


_define("hypergeometricPDF", 13390, _hyper_ok, _hyper_pdf)
_define("hypergeometricCDF", 13400, _hyper_ok, _hyper_cdf)
_define("hypergeometricQF", 13410, _hyper_ok, _hyper_qf, quantile=True)
