"""The ``m.special.*`` library: binomial coefficients, beta, error and gamma functions."""

from __future__ import annotations

import math

from pfa.lib.numeric import INT_MAX, capped_comb
from pfa.lib.registry import error, scalar


@scalar("m.special.nChooseK")
def n_choose_k(n: int, k: int) -> int:
    """The binomial coefficient, exact. The spec's domain is 0 < k < n (anything else is a
    "domain error", code 36000); a coefficient too large for an int is outside the domain of
    this int-valued function and raises the same error (found without computing the
    coefficient: C(2147483647, 1073741823) has 646 million digits)."""
    if k <= 0 or k >= n:
        raise error(36000)
    out = capped_comb(n, k, INT_MAX)
    if out > INT_MAX:
        raise error(36000)
    return out


@scalar("m.special.lnBeta")
def ln_beta(a: float, b: float) -> float:
    """ln B(a, b) = lnΓ(a) + lnΓ(b) − lnΓ(a + b); "domain error" (36010) if a ≤ 0 or b ≤ 0."""
    if a <= 0 or b <= 0:
        raise error(36010)
    return math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)


@scalar("m.special.erf")
def erf(x: float) -> float:
    return math.erf(x)


@scalar("m.special.erfc")
def erfc(x: float) -> float:
    return math.erfc(x)


@scalar("m.special.lnGamma")
def ln_gamma(x: float) -> float:
    """ln|Γ(x)|; +inf at the poles (0, −1, −2 …), as IEEE ``lgamma``."""
    try:
        return math.lgamma(x)
    except (ValueError, OverflowError):
        return math.inf
