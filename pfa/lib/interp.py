"""The ``interp.*`` library: histogram binning, nearest-neighbour and linear interpolation
in a table of (x, to) records."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from pfa.lib.numeric import INT_MAX, INT_MIN
from pfa.lib.registry import CallSite, error, specialized

Fn = Callable[..., Any]


@specialized("interp.bin")
def bin_(site: CallSite) -> Fn:
    """The bin of ``x``: (x, numbins, low, high) → 0 … numbins-1, or (x, origin, width) → any
    integer. Bins include their low edge and exclude their high edge."""
    if len(site.arg_types) == 4:
        def fixed_bins(x: float, numbins: int, low: float, high: float) -> int:
            if not low < high:
                raise error(22000)
            if numbins < 1:
                raise error(22001)
            if not low <= x < high:
                raise error(22002)
            out = math.floor(numbins * ((x - low) / (high - low)))
            if not 0 <= out < numbins:
                raise error(22002)
            return out
        return fixed_bins

    def open_bins(x: float, origin: float, width: float) -> int:
        if not math.isfinite(origin):
            raise error(22000)
        if not width > 0:
            raise error(22001)
        q = (x - origin) / width
        if not math.isfinite(q) or not INT_MIN <= math.floor(q) <= INT_MAX:
            raise error(22002)
        return math.floor(q)
    return open_bins


# ------------------------------------------------------------------------------ nearest

@specialized("interp.nearest")
def nearest(site: CallSite) -> Fn:
    """The ``to`` of the table entry closest to ``x`` (first entry on ties): by |x - x_i| for
    doubles, squared Euclidean distance for vectors, or a given metric function."""

    def closest(table: list[dict], distance: Callable[[Any], float]) -> Any:
        if not table:
            raise error(22010)
        best = table[0]
        best_d = distance(best["x"])
        for item in table[1:]:
            d = distance(item["x"])
            if d < best_d:
                best, best_d = item, d
        return best["to"]

    if len(site.arg_types) == 3:
        return lambda x, table, metric: closest(table, lambda xi: metric(x, xi))
    if site.arg_types and site.arg_types[0].name == "array":
        def vector(x: list[float], table: list[dict]) -> Any:
            def distance(xi: list[float]) -> float:
                if len(xi) != len(x):
                    raise error(22011)
                return sum(((a - b) * (a - b) for a, b in zip(x, xi)), 0.0)
            return closest(table, distance)
        return vector
    return lambda x, table: closest(table, lambda xi: abs(x - xi))


# ------------------------------------------------------------------------------ linear

def _bracket(x: float, table: list[dict], code: int) -> tuple[dict, dict, bool]:
    """The two entries to interpolate between and whether they bracket ``x``: the closest
    entry at or below and the closest strictly above if both exist, else the two closest
    entries with distinct distances (for extrapolation)."""
    below = above = None
    below_d = above_d = math.inf
    for item in table:
        xi = item["x"]
        if xi <= x and (below is None or x - xi < below_d):
            below, below_d = item, x - xi
        if x < xi and (above is None or xi - x < above_d):
            above, above_d = item, xi - x
    if below is not None and above is not None:
        return below, above, True
    one = two = None
    one_d = two_d = math.inf
    for item in table:
        d = abs(x - item["x"])
        if one is None or d < one_d:
            two, two_d = one, one_d
            one, one_d = item, d
        elif (two is None or d < two_d) and d != one_d:
            two, two_d = item, d
    if one is None or two is None:
        raise error(code)
    return one, two, False


def _interpolator(site: CallSite, code: int) -> Callable[[float, dict, dict], Any]:
    """Linear projection between two entries, of doubles or component-wise of arrays."""
    ret = site.ret_type
    if ret is not None and ret.name == "union":
        ret = next(t for t in ret.types if t.name != "null")
    array = ret is not None and ret.name == "array"

    def project(x: float, one: dict, two: dict) -> Any:
        t = (x - one["x"]) / (two["x"] - one["x"])
        a, b = one["to"], two["to"]
        if not array:
            return (1.0 - t) * a + t * b
        if len(a) != len(b):
            raise error(code + 1)
        return [(1.0 - t) * ai + t * bi for ai, bi in zip(a, b)]
    return project


@specialized("interp.linear")
def linear(site: CallSite) -> Fn:
    """Linear interpolation between the entries bracketing ``x`` (extrapolation from the two
    closest entries beyond the table)."""
    code = 22020
    project = _interpolator(site, code)

    def impl(x: float, table: list[dict]) -> Any:
        one, two, _ = _bracket(x, table, code)
        return project(x, one, two)
    return impl


@specialized("interp.linearFlat")
def linear_flat(site: CallSite) -> Fn:
    """Like interp.linear, but beyond the table the closest entry's ``to``."""
    code = 22030
    project = _interpolator(site, code)

    def impl(x: float, table: list[dict]) -> Any:
        one, two, between = _bracket(x, table, code)
        return project(x, one, two) if between else one["to"]
    return impl


@specialized("interp.linearMissing")
def linear_missing(site: CallSite) -> Fn:
    """Like interp.linear, but null beyond the table (an exact match of the table's end is
    not beyond it)."""
    code = 22040
    project = _interpolator(site, code)

    def impl(x: float, table: list[dict]) -> Any:
        one, two, between = _bracket(x, table, code)
        if not between and one["x"] != x:
            return None
        return project(x, one, two)
    return impl
