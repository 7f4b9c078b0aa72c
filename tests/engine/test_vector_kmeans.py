"""The batch engine's k-means screen (``model.cluster.closest`` with the exported metric
``c.sqnorm - k * m.kernel.linear(x, c.point)``, computed with one matrix product and an error
bound) gives exactly the scalar engine's cluster for every row: near-ties, exact ties (the
first cluster wins), NaN / infinite / huge / tiny features included."""

from __future__ import annotations

import math
from operator import mul
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import pfa.engine.patterns.kmeans as kmeans
from pfa import Engine
from tests.engine.batch_helpers import assert_batch_equals_scalar


@pytest.fixture(autouse=True)
def _vector_engine(monkeypatch):
    """These tests watch the vector back end's kernel: the native tier is turned off
    (tests/engine/test_native.py covers it on the same documents)."""
    monkeypatch.setenv("PFA_NATIVE", "0")


def kmeans_doc(centers: list[list[float]], k: float = 2.0,
               sqnorms: list[float] | None = None) -> dict[str, Any]:
    """A document shaped like the sklearn exporter's KMeans (``k`` the metric's factor)."""
    m = len(centers[0])
    if sqnorms is None:
        with np.errstate(over="ignore"):
            sqnorms = [float(np.dot(c, c)) for c in centers]
    center_t = {"type": "record", "name": "Center", "fields": [
        {"name": "point", "type": {"type": "array", "items": "double"}},
        {"name": "sqnorm", "type": "double"}]}
    cluster_t = {"type": "record", "name": "Cluster", "fields": [
        {"name": "center", "type": center_t}, {"name": "id", "type": "int"}]}
    init = [{"center": {"point": [float(v) for v in c], "sqnorm": float(s)}, "id": i}
            for i, (c, s) in enumerate(zip(centers, sqnorms))]
    metric = {"params": [{"x": {"type": "array", "items": "double"}}, {"c": "Center"}],
              "ret": "double",
              "do": {"-": [{"attr": "c", "path": [{"string": "sqnorm"}]},
                           {"*": [k, {"m.kernel.linear": [
                               "x", {"attr": "c", "path": [{"string": "point"}]}]}]}]}}
    features = {"new": [{"attr": "input", "path": [{"string": f"x{j}"}]} for j in range(m)],
                "type": {"type": "array", "items": "double"}}
    return {
        "input": {"type": "record", "name": "Input",
                  "fields": [{"name": f"x{j}", "type": "double"} for j in range(m)]},
        "output": "int",
        "cells": {"clusters": {"type": {"type": "array", "items": cluster_t}, "init": init}},
        "action": [
            {"let": {"features": features}},
            {"attr": {"model.cluster.closest": ["features", {"cell": "clusters"}, metric]},
             "path": [{"string": "id"}]}],
    }


def reference(x: list[float], centers: list[list[float]], sqnorms: list[float],
              k: float) -> int:
    """The scalar loop spelled out: the first strictly lower distance wins."""
    best, low = 0, 0.0
    for i, (c, s) in enumerate(zip(centers, sqnorms)):
        d = s - k * sum(map(mul, x, c), 0.0)
        if i == 0 or d < low:
            best, low = i, d
    return best


def as_rows(points: list[list[float]]) -> list[dict[str, float]]:
    return [{f"x{j}": float(v) for j, v in enumerate(p)} for p in points]


class Spy:
    """Counts the rows the screen hands to the exact sums."""

    def __init__(self, monkeypatch: Any):
        self.rows = 0
        self.calls = 0
        real = kmeans._closest_exact

        def exact(x: np.ndarray, *args: Any) -> np.ndarray:
            self.rows += len(x)
            self.calls += 1
            return real(x, *args)
        monkeypatch.setattr(kmeans, "_closest_exact", exact)


def near_ties(rng: np.random.Generator, centers: np.ndarray, n: int) -> list[list[float]]:
    """Points (nearly) equidistant from two centers: the midpoint plus an offset orthogonal
    to the pair, nudged by a few ulps."""
    out = []
    for _ in range(n):
        a, b = rng.choice(len(centers), size=2, replace=False)
        ca, cb = centers[a], centers[b]
        diff = cb - ca
        v = rng.normal(size=len(ca))
        dd = float(diff @ diff)
        if dd:
            v = v - (v @ diff) / dd * diff
        p = (ca + cb) / 2 + rng.normal() * v
        p = p + rng.integers(-3, 4, size=len(p)) * np.spacing(p)
        out.append(p.tolist())
    return out


# ---------------------------------------------------------------------------------------------
# property: batch == scalar
# ---------------------------------------------------------------------------------------------

magnitudes = st.sampled_from([1.0, 1.0, 1e-3, 1e3, 1e-160, 1e150, 1e-310])
specials = st.sampled_from([0.0, -0.0, math.nan, math.inf, -math.inf, 1e308, -1e308,
                            5e-324])


@st.composite
def problems(draw: Any) -> tuple[list[list[float]], list[float], float, list[list[float]]]:
    m = draw(st.integers(1, 6))
    kc = draw(st.integers(1, 6))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    scale = draw(magnitudes)
    centers = rng.normal(size=(kc, m)) * scale
    if kc > 1 and draw(st.booleans()):  # an exact duplicate: equal distances, first wins
        centers[draw(st.integers(1, kc - 1))] = centers[0]
    if kc > 1 and draw(st.booleans()):  # mirror images: exact ties on the mirror plane
        centers[1] = centers[0].copy()
        centers[1][0] = -centers[0][0]
    if draw(st.booleans()):  # a grid of small integers: many exact ties
        centers = rng.integers(-2, 3, size=(kc, m)).astype(float) * scale
    sqnorms = np.einsum("ij,ij->i", centers, centers).tolist()
    if draw(st.booleans()):  # norms not matching the points (any doubles are allowed)
        sqnorms = [s + float(rng.normal()) * scale * scale for s in sqnorms]
    k = draw(st.sampled_from([2.0, 2.0, 2.0, 1.0, 3.0, -0.5, 1e-3]))
    n = draw(st.integers(1, 40))
    pts = rng.normal(size=(n, m)) * scale * draw(st.sampled_from([1.0, 3.0, 0.1]))
    rows = pts.tolist()
    if kc > 1:
        rows += near_ties(rng, centers, draw(st.integers(0, 20)))
    rows += [c.tolist() for c in centers[:draw(st.integers(0, kc))]]  # the centers themselves
    if kc > 1:  # the mirror plane of centers 0 and 1 (x0 = 0)
        rows += [[0.0] + r[1:] for r in rows[:draw(st.integers(0, 5))]]
    for r in rows[:draw(st.integers(0, 4))]:  # special values in a few rows
        r[draw(st.integers(0, m - 1))] = draw(specials)
    return centers.tolist(), sqnorms, k, rows


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems(), st.sampled_from([8192, 3, 1]))
def test_batch_equals_scalar(problem: Any, block: int) -> None:
    centers, sqnorms, k, points = problem
    saved = kmeans._BLOCK
    kmeans._BLOCK = block  # also across screening blocks
    try:
        engine = assert_batch_equals_scalar(kmeans_doc(centers, k, sqnorms), as_rows(points))
    finally:
        kmeans._BLOCK = saved
    got = engine.action_batch(as_rows(points))
    want = [reference(p, centers, sqnorms, k) for p in points]
    assert list(got) == want


# ---------------------------------------------------------------------------------------------
# the screen is taken, and sends exactly the doubtful rows to the exact sums
# ---------------------------------------------------------------------------------------------

def _engines(doc: dict) -> tuple[Engine, Engine]:
    return Engine.from_json(doc), Engine.from_json(doc)


def test_screen_decides_plain_rows(monkeypatch: Any) -> None:
    rng = np.random.default_rng(1)
    centers = rng.normal(size=(8, 20)) * 10
    X = centers[rng.integers(0, 8, size=5000)] + rng.normal(size=(5000, 20))
    spy = Spy(monkeypatch)
    scalar, batch = _engines(kmeans_doc(centers.tolist()))
    rows = as_rows(X.tolist())
    got = list(batch.action_batch(rows))
    assert got == [scalar.action(r) for r in rows]
    assert spy.rows == 0  # well-separated rows: no exact recomputation


def test_near_ties_take_the_exact_sums(monkeypatch: Any) -> None:
    rng = np.random.default_rng(2)
    centers = rng.normal(size=(6, 7)) * 4
    pts = near_ties(rng, centers, 3000) + (rng.normal(size=(500, 7)) * 4).tolist()
    spy = Spy(monkeypatch)
    rows = as_rows(pts)
    scalar, batch = _engines(kmeans_doc(centers.tolist()))
    got = list(batch.action_batch(rows))
    assert got == [scalar.action(r) for r in rows]
    assert 0 < spy.rows < len(rows)


def test_exact_ties_pick_the_first_cluster() -> None:
    centers = [[1.0, 2.0], [-1.0, 2.0], [1.0, 2.0], [5.0, 5.0]]
    pts = [[0.0, 3.0], [0.0, -7.5], [1.0, 2.0], [2.0, 4.0], [0.0, 0.0]]
    rows = as_rows(pts)
    scalar, batch = _engines(kmeans_doc(centers))
    want = [scalar.action(r) for r in rows]
    assert list(batch.action_batch(rows)) == want
    assert want[:3] == [0, 0, 0]


def test_special_values_rows(monkeypatch: Any) -> None:
    centers = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]
    pts = [[math.nan, 0.0, 0.0], [0.0, math.inf, 0.0], [-math.inf, 0.0, 1.0],
           [1e-320, 0.0, 0.0], [0.3, 0.2, 0.9], [math.inf, -math.inf, 0.0], [0.5, 0.5, 0.1]]
    rows = as_rows(pts * 3)
    spy = Spy(monkeypatch)
    assert_batch_equals_scalar(kmeans_doc(centers), rows)
    assert spy.calls >= 1 and spy.rows < len(rows)  # NaN/inf rows (and ties) only


@pytest.mark.parametrize("chunk_size", [None, 7])
def test_huge_values_fall_back(chunk_size: int | None) -> None:
    centers = [[1e200, -1e200], [-1e200, 1e200], [3.0, 4.0]]
    rows = as_rows([[1e150, 2.0], [-1e120, 1e130], [1.0, 1.0]] * 5)
    assert_batch_equals_scalar(kmeans_doc(centers), rows, chunk_size=chunk_size)


def test_misaligned_centers_report_the_scalar_error() -> None:
    doc = kmeans_doc([[1.0, 2.0], [3.0, 4.0]])
    doc["cells"]["clusters"]["init"][1]["center"]["point"] = [3.0, 4.0, 5.0]
    assert_batch_equals_scalar(doc, as_rows([[1.0, 1.0], [2.0, 0.5]]))
