"""stat.change.*: change detection — run triggers, z-values and CUSUM."""

from __future__ import annotations

import math
from typing import Any

from pfa.lib.numeric import ieee_div
from pfa.lib.registry import error, scalar

_COUNTERS = ("numEvents", "numRuns", "currentRun", "longestRun")


@scalar("stat.change.updateTrigger")
def update_trigger(predicate: bool, history: dict[str, Any]) -> dict[str, Any]:
    """Count events, runs of consecutive events and the longest run (code 37000 if a counter
    is negative)."""
    events, runs, current, longest = (history[k] for k in _COUNTERS)
    if events < 0 or runs < 0 or current < 0 or longest < 0:
        raise error(37000)
    if predicate:
        events += 1
        if current == 0:
            runs += 1
        current += 1
        longest = max(longest, current)
    else:
        current = 0
    return {**history, "numEvents": events, "numRuns": runs, "currentRun": current,
            "longestRun": longest}


def _sqrt_or_nan(v: float) -> float:
    return math.sqrt(v) if v >= 0.0 else math.nan


@scalar("stat.change.zValue")
def z_value(x: float, mean_variance: dict[str, Any], unbiased: bool = False) -> float:
    """(x - mean) / sqrt(variance), times sqrt(count / (count - 1)) if ``unbiased``."""
    z = ieee_div(x - mean_variance["mean"], _sqrt_or_nan(mean_variance["variance"]))
    if unbiased:
        count = mean_variance["count"]
        z *= _sqrt_or_nan(ieee_div(count, count - 1.0))
    return z


@scalar("stat.change.updateCUSUM")
def update_cusum(log_likelihood_ratio: float, last: float, reset: float) -> float:
    """max(logLikelihoodRatio + last, reset)."""
    out = log_likelihood_ratio + last
    return float(out) if out > reset else float(reset)
