"""stat.test.*: Kolmogorov-Smirnov test, residuals, pulls, Mahalanobis distance, chi-square.

``residual``, ``pull`` and ``mahalanobis`` are the functions that used to live in model.reg:
their implementations are the model.reg ones, with the stat.test error codes.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from scipy import special as sp

from pfa.errors import PfaRuntimeError
from pfa.lib import model_reg
from pfa.lib.numeric import ieee_div
from pfa.lib.prob_dist import chi2_cdf
from pfa.lib.registry import CallSite, error, scalar, specialized


def _recoded(factory: Callable[[CallSite], Callable[..., Any]],
             codes: dict[int, int]) -> Callable[[CallSite], Callable[..., Any]]:
    """A factory running ``factory``'s implementation with its error codes renumbered."""

    def bind(site: CallSite) -> Callable[..., Any]:
        impl = factory(site)

        def run(*args: Any) -> Any:
            try:
                return impl(*args)
            except PfaRuntimeError as exc:
                if exc.code in codes:
                    raise error(codes[exc.code]) from None
                raise
        return run
    return bind


specialized("stat.test.residual")(_recoded(model_reg._residual, {31020: 38010}))
specialized("stat.test.pull")(_recoded(model_reg._pull, {31030: 38020, 31031: 38021}))
specialized("stat.test.mahalanobis")(
    _recoded(model_reg._mahalanobis, {31040: 38030, 31041: 38031, 31042: 38032}))


@scalar("stat.test.kolmogorov")
def kolmogorov(x: list[float], y: list[float]) -> float:
    """Two-sample Kolmogorov-Smirnov probability that ``x`` and ``y`` share a parent
    distribution: Q_KS((√N_e + 0.12 + 0.11/√N_e) D) with D the largest distance between the
    empirical CDFs and N_e = n₁n₂/(n₁ + n₂); NaNs are ignored, two empty samples give 1.0 and
    one empty sample 0.0."""
    xs = sorted(v for v in x if v == v)
    ys = sorted(v for v in y if v == v)
    if xs == ys:
        return 1.0
    n1, n2 = len(xs), len(ys)
    if n1 == 0 or n2 == 0:
        return 0.0
    i = j = 0
    d = 0.0
    while i < n1 and j < n2:
        v = min(xs[i], ys[j])  # step both empirical CDFs past every copy of v
        while i < n1 and xs[i] == v:
            i += 1
        while j < n2 and ys[j] == v:
            j += 1
        d = max(d, abs(i / n1 - j / n2))
    en = math.sqrt(n1 * n2 / (n1 + n2))
    return float(sp.kolmogorov((en + 0.12 + 0.11 / en) * d))


def _sum_squares(pull: Any) -> float:
    if isinstance(pull, list):
        return math.fsum(p * p for p in pull)
    if isinstance(pull, dict):
        return math.fsum(p * p for p in pull.values())
    return float(pull * pull)


@scalar("stat.test.updateChi2")
def update_chi2(pull: Any, state: dict[str, Any]) -> dict[str, Any]:
    """Add the squared pull (or the sum of squared components) to ``chi2``; one more ``dof``."""
    return {**state, "chi2": state["chi2"] + _sum_squares(pull), "dof": state["dof"] + 1}


@scalar("stat.test.reducedChi2")
def reduced_chi2(state: dict[str, Any]) -> float:
    """chi2 / dof."""
    return ieee_div(float(state["chi2"]), state["dof"])


@scalar("stat.test.chi2Prob")
def chi2_prob(state: dict[str, Any]) -> float:
    """The chi-square CDF at ``chi2`` with ``dof`` degrees of freedom (code 38060 if dof < 0)."""
    chi2, dof = float(state["chi2"]), state["dof"]
    if dof < 0:
        raise error(38060)
    if chi2 != chi2:
        return math.nan
    return chi2_cdf(chi2, dof)
