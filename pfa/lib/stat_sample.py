"""stat.sample.*: running statistics, exponential smoothing, Holt-Winters, histograms, top-N.

State records are generic ("any record with at least these fields"): every function returns
a new record with the same fields as its input, the named ones updated and the others copied.
Optional fields (``mean``, ``variance``, ``cycle``, the under/over/nan/inf-flow counters) are
updated when the record has them.

Running means and variances are weighted Welford updates: with ``n`` the previous sum of
weights, ``d = x - mean`` and ``n' = n + w``, ``mean' = mean + d w / n'`` and
``variance' = (variance n + n d² w / n') / n'`` (the biased, population variance). A negative
weight removes a sample, which is how ``updateWindow`` forgets old values.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from pfa.avro.types import AvroArray, AvroRecord
from pfa.lib.la import param_type
from pfa.lib.numeric import ieee_div
from pfa.lib.registry import CallSite, error, scalar, specialized
from pfa.runtime.budget import FLOAT, Budget, budget_of

Record = dict[str, Any]
_isfinite = math.isfinite
_isnan = math.isnan


def _welford(count: float, mean: float, m2: float, x: float, w: float
             ) -> tuple[float, float, float]:
    """Add sample ``x`` with weight ``w`` to (sum of weights, mean, variance × sum of weights)."""
    new_count = count + w
    delta = x - mean
    shift = ieee_div(delta * w, new_count)
    return new_count, mean + shift, m2 + count * delta * shift


def _moments(state: Record, out: Record, count: float, mean: float, m2: float) -> Record:
    """``out`` with count, and mean / variance if ``state`` has them."""
    out["count"] = count
    if "mean" in state:
        out["mean"] = mean
        if "variance" in state:
            out["variance"] = ieee_div(m2, count)
    return out


def _start(state: Record) -> tuple[float, float, float]:
    count = state["count"]
    return count, state.get("mean", 0.0), state.get("variance", 0.0) * count


@scalar("stat.sample.update")
def update(x: float, w: float, state: Record) -> Record:
    """Add ``x`` with weight ``w`` to the running count (and mean, and variance)."""
    count, mean, m2 = _welford(*_start(state), x, w)
    return _moments(state, dict(state), count, mean, m2)


_WINDOW_FIELDS = ("x", "w", "count", "mean", "variance")


@specialized("stat.sample.updateWindow")
def _update_window(site: CallSite) -> Callable[..., list[Record]]:
    t = param_type(site, 2)
    record = t.items if isinstance(t, AvroArray) else None
    fields = [f.name for f in record.fields] if isinstance(record, AvroRecord) else ["x", "w",
                                                                                      "count"]

    def update_window(x: float, w: float, state: list[Record], window_size: int) -> list[Record]:
        if window_size < 2:
            raise error(14020)
        if not state:
            if any(f not in _WINDOW_FIELDS for f in fields):
                raise error(14021)
            first = {"x": x, "w": w, "count": w, "mean": x, "variance": 0.0}
            return [{f: first[f] for f in fields}]
        last = state[-1]
        count, mean, m2 = _welford(*_start(last), x, w)
        keep = state
        if len(state) >= window_size:
            cut = len(state) - window_size + 1
            for old in state[:cut]:
                count, mean, m2 = _welford(count, mean, m2, old["x"], -old["w"])
            keep = state[cut:]
        out = dict(last)
        out["x"] = x
        out["w"] = w
        return [*keep, _moments(last, out, count, mean, m2)]
    return update_window


# -- covariance --------------------------------------------------------------------------------

def _covariance_array(x: list[float], w: float, state: Record) -> Record:
    size = len(x)
    mean, cov = state["mean"], state["covariance"]
    if len(mean) != size or len(cov) != size or any(len(row) != size for row in cov):
        raise error(14012)
    count = state["count"]
    new_count = count + w
    delta = [xi - mi for xi, mi in zip(x, mean)]
    factor = ieee_div(w * count, new_count)
    new_mean = [mi + ieee_div(di * w, new_count) for mi, di in zip(mean, delta)]
    new_cov = [[ieee_div(cij * count + di * dj * factor, new_count) for cij, dj in zip(row, delta)]
               for row, di in zip(cov, delta)]
    return {**state, "count": new_count, "mean": new_mean, "covariance": new_cov}


def _covariance_map(x: dict[str, float], w: float, state: Record) -> Record:
    count, mean, cov = state["count"], state["mean"], state["covariance"]
    keys: set[str] = set(x) | set(count) | set(cov)
    for row in (*count.values(), *cov.values()):
        keys.update(row)
    new_count: dict[str, dict[str, float]] = {}
    new_cov: dict[str, dict[str, float]] = {}
    for i in keys:
        count_row, cov_row = count.get(i, {}), cov.get(i, {})
        out_count, out_cov = {}, {}
        for j in keys:
            n = count_row.get(j, 0.0)
            c = cov_row.get(j, 0.0)
            if i in x and j in x:
                n2 = n + w
                di, dj = x[i] - mean.get(i, 0.0), x[j] - mean.get(j, 0.0)
                out_count[j] = n2
                out_cov[j] = ieee_div(c * n + ieee_div(di * dj * w * n, n2), n2)
            else:
                out_count[j] = n
                out_cov[j] = c
        new_count[i], new_cov[i] = out_count, out_cov
    new_mean = {}
    for i in keys:
        m = mean.get(i, 0.0)
        new_mean[i] = m + ieee_div((x[i] - m) * w, new_count[i][i]) if i in x else m
    return {**state, "count": new_count, "mean": new_mean, "covariance": new_cov}


@scalar("stat.sample.updateCovariance")
def update_covariance(x: list[float] | dict[str, float], w: float, state: Record) -> Record:
    """Add vector ``x`` with weight ``w`` to a running mean and covariance matrix (dense arrays
    or sparse maps, where ``count`` is per pair of keys); codes 14011, 14012."""
    if len(x) < 2:
        raise error(14011)
    if isinstance(x, dict):
        return _covariance_map(x, w, state)
    return _covariance_array(x, w, state)


# -- exponential smoothing ---------------------------------------------------------------------

def _fraction(value: float, code: int) -> None:
    if not 0.0 <= value <= 1.0:
        raise error(code)


@scalar("stat.sample.updateEWMA")
def update_ewma(x: float, alpha: float, state: Record) -> Record:
    """Exponentially weighted moving mean (and variance) with weight ``alpha`` (code 14030)."""
    _fraction(alpha, 14030)
    mean = state["mean"]
    diff = x - mean
    step = alpha * diff
    out = {**state, "mean": mean + step}
    if "variance" in state:
        out["variance"] = (1.0 - alpha) * (state["variance"] + diff * step)
    return out


@scalar("stat.sample.updateHoltWinters")
def update_holt_winters(x: float, alpha: float, beta: float, state: Record) -> Record:
    """Double exponential smoothing of level and trend (codes 14040, 14041)."""
    _fraction(alpha, 14040)
    _fraction(beta, 14041)
    level0, trend0 = state["level"], state["trend"]
    level = alpha * x + (1.0 - alpha) * (level0 + trend0)
    trend = beta * (level - level0) + (1.0 - beta) * trend0
    return {**state, "level": level, "trend": trend}


@scalar("stat.sample.updateHoltWintersPeriodic")
def update_holt_winters_periodic(x: float, alpha: float, beta: float, gamma: float,
                                 state: Record) -> Record:
    """Triple exponential smoothing: level, trend and a cycle that is rotated left each call,
    its first item becoming the new seasonal term (codes 14050–14053)."""
    _fraction(alpha, 14050)
    _fraction(beta, 14051)
    _fraction(gamma, 14052)
    cycle = state["cycle"]
    if not cycle:
        raise error(14053)
    rotated = [*cycle[1:], cycle[0]]
    season = rotated[0]
    level0, trend0 = state["level"], state["trend"]
    if state["multiplicative"]:
        level = alpha * ieee_div(x, season) + (1.0 - alpha) * (level0 + trend0)
        trend = beta * (level - level0) + (1.0 - beta) * trend0
        new_season = gamma * ieee_div(x, level) + (1.0 - gamma) * season
    else:
        level = alpha * (x - season) + (1.0 - alpha) * (level0 + trend0)
        trend = beta * (level - level0) + (1.0 - beta) * trend0
        new_season = gamma * (x - level) + (1.0 - gamma) * season
    rotated[0] = new_season
    return {**state, "level": level, "trend": trend, "cycle": rotated}


def _forecast(state: Record, steps: range, code: int) -> list[float]:
    level, trend = state["level"], state["trend"]
    if "cycle" not in state:
        return [level + i * trend for i in steps]
    cycle = state["cycle"]
    size = len(cycle)
    if size == 0:
        raise error(code)
    if state["multiplicative"]:
        return [(level + i * trend) * cycle[i % size] for i in steps]
    return [level + i * trend + cycle[i % size] for i in steps]


@scalar("stat.sample.forecast1HoltWinters")
def forecast1_holt_winters(state: Record) -> float:
    """The next value predicted by a Holt-Winters state (code 14060)."""
    return _forecast(state, range(1, 2), 14060)[0]


@specialized("stat.sample.forecastHoltWinters")
def forecast_holt_winters(site: CallSite) -> Callable[[int, Record], list[float]]:
    """The next ``n`` values predicted by a Holt-Winters state (code 14070); the ``n``
    doubles are reserved in the engine's budget first (error 90000 past ``memory.value``)."""
    budget = budget_of(site)
    name = "stat.sample.forecastHoltWinters"

    def forecast(n: int, state: Record) -> list[float]:
        budget.reserve_items(n, name, FLOAT)
        return _forecast(state, range(1, n + 1), 14070)
    return forecast


# -- histograms --------------------------------------------------------------------------------

def _with_flows(histogram: Record, values: Any, w: float, hit: str | None) -> Record:
    """``histogram`` with new ``values`` and ``w`` added to the flow counter ``hit`` (if the
    record has it)."""
    out = {**histogram, "values": values}
    if hit is not None and hit in histogram:
        out[hit] = histogram[hit] + w
    return out


def _add_at(values: list[float], index: int, w: float) -> list[float]:
    out = list(values)
    out[index] += w
    return out


def _special_flow(x: float, histogram: Record) -> str | None:
    """"nanflow" for NaN, "infflow" for ±inf when the record counts them, else None."""
    if _isnan(x):
        return "nanflow"
    if "infflow" in histogram and not _isfinite(x):
        return "infflow"
    return None


def _bin_index(x: float, low: float, high: float, numbins: int) -> int:
    """The bin of ``low <= x < high`` among ``numbins`` equal bins whose edges are
    ``low + i (high - low) / numbins``: the scaled position, corrected against those edges
    where rounding put it in a neighbouring bin."""
    step = (high - low) / numbins
    index = min(int((x - low) * (numbins / (high - low))), numbins - 1)
    if x < low + index * step:
        index -= 1
    elif index < numbins - 1 and x >= low + (index + 1) * step:
        index += 1
    return index


def _fill_fixed(x: float, w: float, histogram: Record) -> Record:
    numbins, low, high = histogram["numbins"], histogram["low"], histogram["high"]
    values = histogram["values"]
    if numbins < 1:
        raise error(14082)
    if len(values) != numbins:
        raise error(14080)
    if not (_isfinite(low) and _isfinite(high) and low < high):
        raise error(14081)
    flow = _special_flow(x, histogram)
    if flow is None:
        if x >= high:
            flow = "overflow"
        elif x < low:
            flow = "underflow"
        else:
            index = _bin_index(x, low, high, numbins)
            return _with_flows(histogram, _add_at(values, index, w), w, None)
    return _with_flows(histogram, values, w, flow)


def _fill_growing(x: float, w: float, histogram: Record, name: str, budget: Budget
                  ) -> Record:
    low, binsize, values = histogram["low"], histogram["binsize"], histogram["values"]
    if not (_isfinite(binsize) and binsize > 0.0):
        raise error(14082)
    if not _isfinite(low):
        raise error(14081)
    flow = _special_flow(x, histogram)
    if flow is None:
        if x == math.inf:
            flow = "overflow"
        elif x < low:
            flow = "underflow"
        else:
            index = int(math.floor((x - low) / binsize))
            if index < len(values):
                return _with_flows(histogram, _add_at(values, index, w), w, None)
            budget.reserve_items(index + 1, name, FLOAT)
            grown = [*values, *([0.0] * (index - len(values))), w]
            return _with_flows(histogram, grown, w, None)
    return _with_flows(histogram, values, w, flow)


def _fill_ranges(x: float, w: float, histogram: Record) -> Record:
    ranges, values = histogram["ranges"], histogram["values"]
    if len(values) != len(ranges):
        raise error(14080)
    for r in ranges:
        if len(r) != 2 or not (_isfinite(r[0]) and _isfinite(r[1]) and r[0] <= r[1]):
            raise error(14083)
    flow = _special_flow(x, histogram)
    if flow is not None:
        return _with_flows(histogram, values, w, flow)
    out = list(values)
    hit = False
    for i, (lo, hi) in enumerate(ranges):
        if lo <= x < hi or x == lo == hi:
            out[i] += w
            hit = True
    return _with_flows(histogram, out, w, None if hit else "underflow")


@specialized("stat.sample.fillHistogram")
def fill_histogram(site: CallSite) -> Callable[[float, float, Record], Record]:
    """Add ``w`` to the bin of ``x`` in a fixed (numbins, low, high), growing (low, binsize)
    or interval (ranges) histogram; codes 14080–14083 (a growing histogram's new bins are
    reserved in the engine's budget: error 90000 past ``memory.value``)."""
    name = "stat.sample.fillHistogram"
    budget = budget_of(site)

    def fill(x: float, w: float, histogram: Record) -> Record:
        if "ranges" in histogram:
            return _fill_ranges(x, w, histogram)
        if "binsize" in histogram:
            return _fill_growing(x, w, histogram, name, budget)
        return _fill_fixed(x, w, histogram)
    return fill


def _region(v: float, low: float, high: float) -> str:
    return "under" if v < low else ("over" if v >= high else "mid")


@scalar("stat.sample.fillHistogram2d")
def fill_histogram2d(x: float, y: float, w: float, histogram: Record) -> Record:
    """Add ``w`` to the (x, y) bin of a two-dimensional histogram; codes 14090–14092."""
    values = histogram["values"]
    xbins, xlow, xhigh = histogram["xnumbins"], histogram["xlow"], histogram["xhigh"]
    ybins, ylow, yhigh = histogram["ynumbins"], histogram["ylow"], histogram["yhigh"]
    if xbins < 1 or ybins < 1:
        raise error(14092)
    if len(values) != xbins or any(len(row) != ybins for row in values):
        raise error(14090)
    if not all(map(_isfinite, (xlow, xhigh, ylow, yhigh))) or xlow >= xhigh or ylow >= yhigh:
        raise error(14091)
    if _isnan(x) or _isnan(y):
        return _with_flows(histogram, values, w, "nanflow")
    if "infflow" in histogram and not (_isfinite(x) and _isfinite(y)):
        return _with_flows(histogram, values, w, "infflow")
    xr, yr = _region(x, xlow, xhigh), _region(y, ylow, yhigh)
    if xr == yr == "mid":
        i = _bin_index(x, xlow, xhigh, xbins)
        j = _bin_index(y, ylow, yhigh, ybins)
        out = list(values)
        out[i] = _add_at(values[i], j, w)
        return _with_flows(histogram, out, w, None)
    return _with_flows(histogram, values, w, f"{xr}{yr}flow")


@scalar("stat.sample.fillCounter")
def fill_counter(x: str, w: float, counter: Record) -> Record:
    """Add ``w`` to category ``x`` of a counter (a missing category starts at 0)."""
    values = counter["values"]
    return {**counter, "values": {**values, x: values.get(x, 0.0) + w}}


@scalar("stat.sample.topN")
def top_n(x: Any, top: list, n: int, less_than: Callable[[Any, Any], bool]) -> list:
    """Insert ``x`` before the first item of ``top`` that is less than it, keep ``n`` items."""
    if n <= 0:
        return []
    index = len(top)
    for i, item in enumerate(top):
        if less_than(item, x):
            index = i
            break
    return [*top[:index], x, *top[index:]][:n]
