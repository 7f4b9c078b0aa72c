"""stat.sample.*, stat.change.*, stat.test.*: running statistics against batch formulas
(numpy / pandas / scipy) over hypothesis-drawn data, and every error code."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import special, stats

from pfa.avro.types import BOOLEAN, DOUBLE, INT, AvroArray, AvroMap, AvroType, parse_type
from pfa.check.signatures import FcnType
from tests.lib.helpers import call, fn, raises

SETTINGS = settings(max_examples=60, deadline=None)
VEC, MVEC = AvroArray(DOUBLE), AvroMap(DOUBLE)
values = st.floats(-1e3, 1e3, allow_nan=False)
weights = st.floats(0.1, 10.0, allow_nan=False)


def record(name: str, **fields: Any) -> AvroType:
    return parse_type({"type": "record", "name": name,
                       "fields": [{"name": k, "type": v} for k, v in fields.items()]})


def close(a: float, b: float, rel: float = 1e-9, abs_: float = 1e-9) -> bool:
    return math.isclose(a, b, rel_tol=rel, abs_tol=abs_)


# -- stat.sample.update ------------------------------------------------------------------------

@SETTINGS
@given(st.lists(st.tuples(values, weights), min_size=1, max_size=40))
def test_update_vs_weighted_batch(samples: list[tuple[float, float]]) -> None:
    x = np.array([s[0] for s in samples])
    w = np.array([s[1] for s in samples])
    state = {"count": 0.0, "mean": 0.0, "variance": 0.0, "label": "kept"}
    only_count = {"count": 0.0}
    with_mean = {"count": 0.0, "mean": 0.0}
    for xi, wi in samples:
        before = dict(state)
        state = call("stat.sample.update", xi, wi, state)
        only_count = call("stat.sample.update", xi, wi, only_count)
        with_mean = call("stat.sample.update", xi, wi, with_mean)
        assert before["count"] + wi == state["count"]  # the input record is not modified
    mean = float(np.average(x, weights=w))
    variance = float(np.average((x - mean) ** 2, weights=w))
    assert close(state["count"], float(w.sum()))
    assert close(state["mean"], mean, abs_=1e-9 * (1 + abs(mean)))
    assert close(state["variance"], variance, rel=1e-7, abs_=1e-7)
    assert state["label"] == "kept" and set(state) == {"count", "mean", "variance", "label"}
    assert set(only_count) == {"count"} and close(only_count["count"], float(w.sum()))
    assert set(with_mean) == {"count", "mean"} and close(with_mean["mean"], state["mean"])


def test_update_unweighted_matches_statistics() -> None:
    import statistics

    data = [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]
    state = {"count": 0.0, "mean": 0.0, "variance": 0.0}
    for v in data:
        state = call("stat.sample.update", v, 1.0, state)
    assert state["count"] == 8.0 and close(state["mean"], statistics.fmean(data))
    assert close(state["variance"], statistics.pvariance(data))


# -- stat.sample.updateWindow ------------------------------------------------------------------

WINDOW = record("Win", x="double", w="double", count="double", mean="double", variance="double")
WINDOW_COUNT = record("WinC", x="double", w="double", count="double")
WINDOW_EXTRA = record("WinE", x="double", w="double", count="double", tag="string")


@SETTINGS
@given(st.lists(st.tuples(values, weights), min_size=1, max_size=30), st.integers(2, 6))
def test_update_window_vs_batch(samples: list[tuple[float, float]], size: int) -> None:
    f = fn("stat.sample.updateWindow", DOUBLE, DOUBLE, AvroArray(WINDOW), INT)
    state: list[dict[str, Any]] = []
    for i, (xi, wi) in enumerate(samples):
        state = f(xi, wi, state, size)
        window = samples[max(0, i + 1 - size):i + 1]
        assert len(state) == len(window)
        assert [(r["x"], r["w"]) for r in state] == window
        x = np.array([s[0] for s in window])
        w = np.array([s[1] for s in window])
        mean = float(np.average(x, weights=w))
        last = state[-1]
        assert close(last["count"], float(w.sum()), abs_=1e-9)
        assert close(last["mean"], mean, rel=1e-6, abs_=1e-6)
        assert close(last["variance"], float(np.average((x - mean) ** 2, weights=w)),
                     rel=1e-5, abs_=1e-5)


def test_update_window_shapes_and_errors() -> None:
    f = fn("stat.sample.updateWindow", DOUBLE, DOUBLE, AvroArray(WINDOW_COUNT), INT)
    state = f(1.0, 2.0, [], 3)
    assert state == [{"x": 1.0, "w": 2.0, "count": 2.0}]
    raises(14020, f, 1.0, 1.0, [], 1)
    g = fn("stat.sample.updateWindow", DOUBLE, DOUBLE, AvroArray(WINDOW_EXTRA), INT)
    raises(14021, g, 1.0, 1.0, [], 3)
    out = g(5.0, 1.0, [{"x": 1.0, "w": 1.0, "count": 1.0, "tag": "t"}], 3)
    assert out[-1] == {"x": 5.0, "w": 1.0, "count": 2.0, "tag": "t"}
    full = fn("stat.sample.updateWindow", DOUBLE, DOUBLE, AvroArray(WINDOW), INT)
    assert full(3.0, 1.0, [], 2) == [{"x": 3.0, "w": 1.0, "count": 1.0, "mean": 3.0,
                                      "variance": 0.0}]


# -- stat.sample.updateCovariance --------------------------------------------------------------

COV = record("Cov", count="double", mean={"type": "array", "items": "double"},
             covariance={"type": "array", "items": {"type": "array", "items": "double"}})
MMAP = {"type": "map", "values": {"type": "map", "values": "double"}}
COV_MAP = record("CovM", count=MMAP, mean={"type": "map", "values": "double"}, covariance=MMAP)


@SETTINGS
@given(st.integers(2, 4).flatmap(lambda d: st.lists(
    st.tuples(st.lists(values, min_size=d, max_size=d), weights), min_size=2, max_size=25)))
def test_update_covariance_vs_numpy(samples: list[tuple[list[float], float]]) -> None:
    d = len(samples[0][0])
    state = {"count": 0.0, "mean": [0.0] * d, "covariance": [[0.0] * d for _ in range(d)],
             "extra": 1}
    mstate: dict[str, Any] = {"count": {}, "mean": {}, "covariance": {}}
    keys = [f"k{i}" for i in range(d)]
    for xi, wi in samples:
        state = call("stat.sample.updateCovariance", xi, wi, state, types=[VEC, DOUBLE, COV])
        mstate = call("stat.sample.updateCovariance", dict(zip(keys, xi)), wi, mstate,
                      types=[MVEC, DOUBLE, COV_MAP])
    x = np.array([s[0] for s in samples])
    w = np.array([s[1] for s in samples])
    expected = np.cov(x.T, aweights=w, bias=True)
    scale = 1e-7 * (1 + np.abs(expected).max())
    assert state["extra"] == 1
    assert close(state["count"], float(w.sum()))
    assert np.allclose(state["mean"], np.average(x, axis=0, weights=w), atol=1e-9, rtol=1e-9)
    assert np.allclose(state["covariance"], expected, atol=scale, rtol=1e-7)
    as_matrix = np.array([[mstate["covariance"][a][b] for b in keys] for a in keys])
    assert np.allclose(as_matrix, expected, atol=scale, rtol=1e-7)
    assert all(close(mstate["count"][a][b], float(w.sum())) for a in keys for b in keys)


def test_update_covariance_map_missing_keys_and_errors() -> None:
    state: dict[str, Any] = {"count": {}, "mean": {}, "covariance": {}}
    types = [MVEC, DOUBLE, COV_MAP]
    state = call("stat.sample.updateCovariance", {"a": 1.0, "b": 2.0}, 1.0, state, types=types)
    state = call("stat.sample.updateCovariance", {"a": 3.0, "c": 5.0}, 1.0, state, types=types)
    assert state["count"]["a"] == {"a": 2.0, "b": 1.0, "c": 1.0}
    assert state["count"]["b"]["c"] == 0.0
    assert state["mean"] == {"a": 2.0, "b": 2.0, "c": 5.0}
    assert state["covariance"]["a"]["a"] == 1.0  # population variance of [1, 3]
    assert state["covariance"]["b"]["c"] == 0.0
    f = fn("stat.sample.updateCovariance", VEC, DOUBLE, COV)
    raises(14011, f, [1.0], 1.0, {"count": 0.0, "mean": [0.0], "covariance": [[0.0]]})
    raises(14012, f, [1.0, 2.0], 1.0, {"count": 0.0, "mean": [0.0, 0.0, 0.0],
                                       "covariance": [[0.0] * 2] * 2})
    raises(14012, f, [1.0, 2.0], 1.0, {"count": 0.0, "mean": [0.0, 0.0],
                                       "covariance": [[0.0] * 2, [0.0]]})
    g = fn("stat.sample.updateCovariance", MVEC, DOUBLE, COV_MAP)
    raises(14011, g, {"a": 1.0}, 1.0, {"count": {}, "mean": {}, "covariance": {}})


# -- exponential smoothing ---------------------------------------------------------------------

@SETTINGS
@given(st.lists(values, min_size=2, max_size=40), st.floats(0.01, 1.0))
def test_ewma_vs_pandas(data: list[float], alpha: float) -> None:
    state = {"mean": data[0], "variance": 0.0, "other": True}
    means, variances = [state["mean"]], [0.0]
    for v in data[1:]:
        state = call("stat.sample.updateEWMA", v, alpha, state)
        means.append(state["mean"])
        variances.append(state["variance"])
    ewm = pd.Series(data).ewm(alpha=alpha, adjust=False)
    assert np.allclose(means, ewm.mean(), rtol=1e-9, atol=1e-9)
    assert np.allclose(variances, ewm.var(bias=True).fillna(0.0), rtol=1e-6, atol=1e-6)
    assert state["other"] is True
    only_mean = call("stat.sample.updateEWMA", 2.0, 0.25, {"mean": 1.0})
    assert only_mean == {"mean": 1.25}
    raises(14030, fn("stat.sample.updateEWMA", DOUBLE, DOUBLE, record("E", mean="double")),
           1.0, 1.5, {"mean": 0.0})


HW = record("HW", level="double", trend="double")
HWP = record("HWP", level="double", trend="double", cycle={"type": "array", "items": "double"},
             multiplicative="boolean")


@SETTINGS
@given(st.lists(values, min_size=1, max_size=30), st.floats(0, 1), st.floats(0, 1))
def test_holt_winters_vs_recurrence(data: list[float], alpha: float, beta: float) -> None:
    state = {"level": 0.0, "trend": 0.0}
    level = trend = 0.0
    for v in data:
        state = call("stat.sample.updateHoltWinters", v, alpha, beta, state, types=[
            DOUBLE, DOUBLE, DOUBLE, HW])
        new_level = alpha * v + (1 - alpha) * (level + trend)
        trend = beta * (new_level - level) + (1 - beta) * trend
        level = new_level
    assert close(state["level"], level) and close(state["trend"], trend)
    assert close(call("stat.sample.forecast1HoltWinters", state, types=[HW]), level + trend)
    forecast = call("stat.sample.forecastHoltWinters", 3, state, types=[INT, HW])
    assert np.allclose(forecast, [level + i * trend for i in (1, 2, 3)])


def test_holt_winters_periodic() -> None:
    f = fn("stat.sample.updateHoltWintersPeriodic", DOUBLE, DOUBLE, DOUBLE, DOUBLE, HWP)
    state = {"level": 10.0, "trend": 1.0, "cycle": [1.0, 2.0, 3.0], "multiplicative": False}
    out = f(15.0, 0.5, 0.25, 0.1, state)
    level = 0.5 * (15.0 - 2.0) + 0.5 * 11.0  # c_{t-L} is the first item after rotating left
    trend = 0.25 * (level - 10.0) + 0.75 * 1.0
    assert out["level"] == level and out["trend"] == trend
    assert out["cycle"] == [0.1 * (15.0 - level) + 0.9 * 2.0, 3.0, 1.0]
    mult = f(15.0, 0.5, 0.25, 0.1, {**state, "multiplicative": True})
    mlevel = 0.5 * 15.0 / 2.0 + 0.5 * 11.0
    assert mult["level"] == mlevel
    assert mult["cycle"] == [0.1 * 15.0 / mlevel + 0.9 * 2.0, 3.0, 1.0]
    assert state["cycle"] == [1.0, 2.0, 3.0]
    assert call("stat.sample.forecast1HoltWinters", out, types=[HWP]) == \
        level + trend + out["cycle"][1]
    assert call("stat.sample.forecastHoltWinters", 4, mult, types=[INT, HWP]) == [
        (mult["level"] + i * mult["trend"]) * mult["cycle"][i % 3] for i in range(1, 5)]
    assert call("stat.sample.forecastHoltWinters", 0, mult, types=[INT, HWP]) == []
    raises(14050, f, 1.0, -0.1, 0.5, 0.5, state)
    raises(14051, f, 1.0, 0.5, 1.1, 0.5, state)
    raises(14052, f, 1.0, 0.5, 0.5, math.nan, state)
    raises(14053, f, 1.0, 0.5, 0.5, 0.5, {**state, "cycle": []})
    g = fn("stat.sample.updateHoltWinters", DOUBLE, DOUBLE, DOUBLE, HW)
    raises(14040, g, 1.0, 2.0, 0.5, {"level": 0.0, "trend": 0.0})
    raises(14041, g, 1.0, 0.5, -2.0, {"level": 0.0, "trend": 0.0})
    empty = {**state, "cycle": []}
    raises(14060, fn("stat.sample.forecast1HoltWinters", HWP), empty)
    raises(14070, fn("stat.sample.forecastHoltWinters", INT, HWP), 2, empty)


# -- histograms --------------------------------------------------------------------------------

FIXED = {"numbins": 5, "low": -2.0, "high": 3.0, "values": [0.0] * 5, "underflow": 0.0,
         "overflow": 0.0, "nanflow": 0.0, "name": "h"}


@SETTINGS
@given(st.lists(st.tuples(st.floats(-5, 6, allow_nan=False), weights), max_size=50))
def test_fill_histogram_fixed_vs_numpy(samples: list[tuple[float, float]]) -> None:
    h = FIXED
    for x, w in samples:
        h = call("stat.sample.fillHistogram", x, w, h)
    xs = np.array([s[0] for s in samples])
    ws = np.array([s[1] for s in samples])
    inside = (xs >= -2.0) & (xs < 3.0)
    counts, _ = np.histogram(xs[inside], bins=5, range=(-2.0, 3.0), weights=ws[inside])
    assert np.allclose(h["values"], counts)
    assert close(h["underflow"], float(ws[xs < -2.0].sum()))
    assert close(h["overflow"], float(ws[xs >= 3.0].sum()))
    assert h["name"] == "h" and FIXED["values"] == [0.0] * 5


def test_fill_histogram_flows_and_growth() -> None:
    h = call("stat.sample.fillHistogram", math.nan, 2.0, FIXED)
    assert h["nanflow"] == 2.0 and h["values"] == [0.0] * 5
    h = call("stat.sample.fillHistogram", math.inf, 1.0, FIXED)
    assert h["overflow"] == 1.0  # without infflow, infinities are over/underflow
    with_inf = {**FIXED, "infflow": 0.0}
    h = call("stat.sample.fillHistogram", -math.inf, 1.0, with_inf)
    assert h["infflow"] == 1.0 and h["underflow"] == 0.0
    grow = {"low": 0.0, "binsize": 0.5, "values": [1.0], "overflow": 0.0, "underflow": 0.0}
    g = call("stat.sample.fillHistogram", 1.7, 2.0, grow)
    assert g["values"] == [1.0, 0.0, 0.0, 2.0]
    assert call("stat.sample.fillHistogram", 0.2, 1.0, grow)["values"] == [2.0]
    assert call("stat.sample.fillHistogram", -0.1, 1.0, grow)["underflow"] == 1.0
    assert call("stat.sample.fillHistogram", math.inf, 1.0, grow)["overflow"] == 1.0
    ranges = {"ranges": [[0.0, 1.0], [0.5, 2.0], [3.0, 3.0]], "values": [0.0, 0.0, 0.0],
              "underflow": 0.0}
    assert call("stat.sample.fillHistogram", 0.7, 1.0, ranges)["values"] == [1.0, 1.0, 0.0]
    assert call("stat.sample.fillHistogram", 3.0, 1.0, ranges)["values"] == [0.0, 0.0, 1.0]
    assert call("stat.sample.fillHistogram", 2.5, 1.0, ranges)["underflow"] == 1.0
    assert call("stat.sample.fillHistogram", math.inf, 1.0, ranges)["underflow"] == 1.0


def test_fill_histogram_errors() -> None:
    f = fn("stat.sample.fillHistogram", DOUBLE, DOUBLE, record(
        "H1", numbins="int", low="double", high="double",
        values={"type": "array", "items": "double"}))
    raises(14080, f, 1.0, 1.0, {"numbins": 3, "low": 0.0, "high": 1.0, "values": [0.0]})
    raises(14081, f, 1.0, 1.0, {"numbins": 1, "low": 1.0, "high": 1.0, "values": [0.0]})
    raises(14082, f, 1.0, 1.0, {"numbins": 0, "low": 0.0, "high": 1.0, "values": []})
    raises(14082, f, 1.0, 1.0, {"low": 0.0, "binsize": 0.0, "values": []})
    raises(14083, f, 1.0, 1.0, {"ranges": [[1.0, 0.0]], "values": [0.0]})
    raises(14083, f, 1.0, 1.0, {"ranges": [[1.0]], "values": [0.0]})
    raises(14080, f, 1.0, 1.0, {"ranges": [[0.0, 1.0]], "values": []})


H2 = {"xnumbins": 3, "xlow": 0.0, "xhigh": 3.0, "ynumbins": 2, "ylow": -1.0, "yhigh": 1.0,
      "values": [[0.0] * 2 for _ in range(3)], "underunderflow": 0.0, "undermidflow": 0.0,
      "underoverflow": 0.0, "midunderflow": 0.0, "midoverflow": 0.0, "overunderflow": 0.0,
      "overmidflow": 0.0, "overoverflow": 0.0, "nanflow": 0.0}


@SETTINGS
@given(st.lists(st.tuples(st.floats(-1, 4, allow_nan=False), st.floats(-2, 2, allow_nan=False),
                          weights), max_size=40))
def test_fill_histogram2d_vs_numpy(samples: list[tuple[float, float, float]]) -> None:
    h = H2
    for x, y, w in samples:
        h = call("stat.sample.fillHistogram2d", x, y, w, h)
    xs, ys, ws = (np.array([s[i] for s in samples]) for i in range(3))
    inside = (xs >= 0) & (xs < 3) & (ys >= -1) & (ys < 1)
    counts, _, _ = np.histogram2d(xs[inside], ys[inside], bins=[3, 2],
                                  range=[[0, 3], [-1, 1]], weights=ws[inside])
    assert np.allclose(h["values"], counts)
    regions = {"under": xs < 0, "mid": (xs >= 0) & (xs < 3), "over": xs >= 3}
    yregions = {"under": ys < -1, "mid": (ys >= -1) & (ys < 1), "over": ys >= 1}
    for a, xm in regions.items():
        for b, ym in yregions.items():
            if a == b == "mid":
                continue
            assert close(h[f"{a}{b}flow"], float(ws[xm & ym].sum())), (a, b)


def test_fill_histogram2d_special_values_and_errors() -> None:
    assert call("stat.sample.fillHistogram2d", math.inf, math.nan, 1.0, H2)["nanflow"] == 1.0
    assert call("stat.sample.fillHistogram2d", math.inf, 0.0, 1.0, H2)["overmidflow"] == 1.0
    with_inf = {**H2, "infflow": 0.0}
    assert call("stat.sample.fillHistogram2d", math.inf, 0.0, 1.0, with_inf)["infflow"] == 1.0
    f = fn("stat.sample.fillHistogram2d", DOUBLE, DOUBLE, DOUBLE, record(
        "H2", xnumbins="int", xlow="double", xhigh="double", ynumbins="int", ylow="double",
        yhigh="double", values={"type": "array", "items": {"type": "array", "items": "double"}}))
    raises(14090, f, 0.0, 0.0, 1.0, {**H2, "values": [[0.0] * 2] * 2})
    raises(14090, f, 0.0, 0.0, 1.0, {**H2, "values": [[0.0] * 2, [0.0] * 2, [0.0]]})
    raises(14091, f, 0.0, 0.0, 1.0, {**H2, "ylow": 1.0})
    raises(14091, f, 0.0, 0.0, 1.0, {**H2, "xhigh": math.inf})
    raises(14092, f, 0.0, 0.0, 1.0, {**H2, "xnumbins": 0})


def test_fill_counter_and_top_n() -> None:
    counter = {"values": {"a": 1.0}, "id": 7}
    out = call("stat.sample.fillCounter", "b", 2.0, counter)
    assert out == {"values": {"a": 1.0, "b": 2.0}, "id": 7}
    assert call("stat.sample.fillCounter", "a", 0.5, out)["values"]["a"] == 1.5
    assert counter == {"values": {"a": 1.0}, "id": 7}
    lt = FcnType((INT, INT), BOOLEAN)
    top = fn("stat.sample.topN", INT, AvroArray(INT), INT, lt)
    less = lambda a, b: a < b  # noqa: E731
    assert top(5, [9, 7, 3], 3, less) == [9, 7, 5]
    assert top(7, [9, 7, 3], 5, less) == [9, 7, 7, 3]  # equal elements already in the array win
    assert top(1, [9, 7, 3], 3, less) == [9, 7, 3]
    assert top(1, [], 2, less) == [1]
    assert top(1, [3], 0, less) == []
    seen: list[int] = []
    rng = np.random.default_rng(0)
    for v in rng.integers(0, 100, 50).tolist():
        seen = top(v, seen, 5, less)
    assert seen == sorted(seen, reverse=True)[:5]


# -- stat.change -------------------------------------------------------------------------------

def test_update_trigger() -> None:
    history = {"numEvents": 0, "numRuns": 0, "currentRun": 0, "longestRun": 0, "note": "x"}
    for p in [True, True, False, True, True, True, False, False, True]:
        history = call("stat.change.updateTrigger", p, history)
    assert history == {"numEvents": 6, "numRuns": 3, "currentRun": 1, "longestRun": 3,
                       "note": "x"}
    f = fn("stat.change.updateTrigger", BOOLEAN, record(
        "T", numEvents="int", numRuns="int", currentRun="int", longestRun="int"))
    for k in ("numEvents", "numRuns", "currentRun", "longestRun"):
        raises(37000, f, True, {**history, k: -1})


def test_z_value_and_cusum() -> None:
    mv = {"mean": 1.0, "variance": 4.0, "count": 5.0}
    assert call("stat.change.zValue", 5.0, mv) == 2.0
    assert close(call("stat.change.zValue", 5.0, mv, False), 2.0)
    assert close(call("stat.change.zValue", 5.0, mv, True), 2.0 * math.sqrt(5.0 / 4.0))
    assert math.isnan(call("stat.change.zValue", 5.0, {**mv, "variance": -1.0}))
    assert call("stat.change.zValue", 5.0, {**mv, "variance": 0.0}) == math.inf
    assert call("stat.change.updateCUSUM", 1.5, 2.0, 0.0) == 3.5
    assert call("stat.change.updateCUSUM", -5.0, 2.0, 0.0) == 0.0


# -- stat.test ---------------------------------------------------------------------------------

@SETTINGS
@given(st.lists(values, min_size=1, max_size=30), st.lists(values, min_size=1, max_size=30))
def test_kolmogorov_vs_scipy(x: list[float], y: list[float]) -> None:
    d = stats.ks_2samp(x, y).statistic
    en = math.sqrt(len(x) * len(y) / (len(x) + len(y)))
    expected = 1.0 if sorted(x) == sorted(y) else float(special.kolmogorov(
        (en + 0.12 + 0.11 / en) * d))
    assert close(call("stat.test.kolmogorov", x, y, types=[VEC, VEC]), expected, abs_=1e-12)


def test_kolmogorov_edges() -> None:
    k = fn("stat.test.kolmogorov", VEC, VEC)
    assert k([], []) == 1.0
    assert k([math.nan], []) == 1.0
    assert k([1.0], []) == 0.0
    assert k([1.0, math.nan, 2.0], [2.0, 1.0]) == 1.0
    rng = np.random.default_rng(1)
    assert k(rng.normal(size=200).tolist(), (rng.normal(size=200) + 3).tolist()) < 1e-6


def test_residual_pull_mahalanobis() -> None:
    assert call("stat.test.residual", 3.0, 1.0) == 2.0
    assert call("stat.test.residual", [3.0, 1.0], [1.0, 1.0]) == [2.0, 0.0]
    assert call("stat.test.residual", {"a": 3.0}, {"a": 1.0}) == {"a": 2.0}
    raises(38010, fn("stat.test.residual", VEC, VEC), [1.0], [1.0, 2.0])
    raises(38010, fn("stat.test.residual", MVEC, MVEC), {"a": 1.0}, {"b": 1.0})
    assert call("stat.test.pull", 3.0, 1.0, 4.0) == 0.5
    assert call("stat.test.pull", [3.0], [1.0], [4.0]) == [0.5]
    assert call("stat.test.pull", {"a": 3.0}, {"a": 1.0}, {"a": 0.5}) == {"a": 4.0}
    pull = fn("stat.test.pull", VEC, VEC, VEC)
    raises(38020, pull, [1.0], [1.0, 2.0], [1.0])
    raises(38021, pull, [1.0], [1.0], [1.0, 2.0])
    mpull = fn("stat.test.pull", MVEC, MVEC, MVEC)
    raises(38020, mpull, {"a": 1.0}, {"b": 1.0}, {"a": 1.0})
    raises(38021, mpull, {"a": 1.0}, {"a": 1.0}, {"b": 1.0})
    rng = np.random.default_rng(2)
    a = rng.normal(size=(3, 3))
    cov = a @ a.T + np.eye(3)
    o, p = rng.normal(size=3), rng.normal(size=3)
    expected = float(np.sqrt((o - p) @ np.linalg.solve(cov, o - p)))
    maha = fn("stat.test.mahalanobis", VEC, VEC, AvroArray(VEC))
    assert close(maha(o.tolist(), p.tolist(), cov.tolist()), expected)
    keys = ["x", "y", "z"]
    mmaha = fn("stat.test.mahalanobis", MVEC, MVEC, AvroMap(MVEC))
    as_map = {k: {k2: float(cov[i, j]) for j, k2 in enumerate(keys)} for i, k in enumerate(keys)}
    assert close(mmaha(dict(zip(keys, o.tolist())), dict(zip(keys, p.tolist())), as_map),
                 expected)
    raises(38030, maha, [], [], [])
    raises(38031, maha, [1.0], [1.0, 2.0], [[1.0]])
    raises(38032, maha, [1.0, 2.0], [1.0, 2.0], [[1.0, 0.0]])
    raises(38030, mmaha, {}, {}, {})
    raises(38031, mmaha, {"x": 1.0}, {"y": 1.0}, {"x": {"x": 1.0}})
    raises(38032, mmaha, {"x": 1.0}, {"x": 1.0}, {"y": {"y": 1.0}})


CHI = record("Chi", chi2="double", dof="int", label="string")


@SETTINGS
@given(st.lists(st.floats(-5, 5, allow_nan=False), min_size=1, max_size=30))
def test_chi2_vs_scipy(pulls: list[float]) -> None:
    state = {"chi2": 0.0, "dof": 0, "label": "c"}
    for v in pulls:
        state = call("stat.test.updateChi2", v, state, types=[DOUBLE, CHI])
    assert state["dof"] == len(pulls) and state["label"] == "c"
    assert close(state["chi2"], sum(v * v for v in pulls))
    assert close(call("stat.test.reducedChi2", state, types=[CHI]), state["chi2"] / len(pulls))
    assert close(call("stat.test.chi2Prob", state, types=[CHI]),
                 float(stats.chi2.cdf(state["chi2"], len(pulls))), abs_=1e-14)


def test_chi2_vectors_and_errors() -> None:
    state = {"chi2": 1.0, "dof": 2, "label": ""}
    assert call("stat.test.updateChi2", [1.0, 2.0], state, types=[VEC, CHI])["chi2"] == 6.0
    out = call("stat.test.updateChi2", {"a": 3.0}, state, types=[MVEC, CHI])
    assert out["chi2"] == 10.0 and out["dof"] == 3
    assert call("stat.test.reducedChi2", {**state, "dof": 0}, types=[CHI]) == math.inf
    prob = fn("stat.test.chi2Prob", CHI)
    assert prob({**state, "chi2": 0.0}) == 0.0
    assert math.isnan(prob({**state, "chi2": math.nan}))
    raises(38060, prob, {**state, "dof": -1})


@pytest.mark.parametrize("name", ["stat.sample.update", "stat.sample.updateEWMA",
                                  "stat.sample.fillCounter", "stat.change.updateTrigger"])
def test_results_are_new_records(name: str) -> None:
    args = {"stat.sample.update": (1.0, 1.0, {"count": 0.0}),
            "stat.sample.updateEWMA": (1.0, 0.5, {"mean": 0.0}),
            "stat.sample.fillCounter": ("a", 1.0, {"values": {"b": 0.0}}),
            "stat.change.updateTrigger": (True, {"numEvents": 0, "numRuns": 0,
                                                 "currentRun": 0, "longestRun": 0})}[name]
    state = args[-1]
    snapshot = {k: (dict(v) if isinstance(v, dict) else v) for k, v in state.items()}
    out = call(name, *args)
    assert out is not state and state == snapshot
