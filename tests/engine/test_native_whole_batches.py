"""The native tier takes a batch whole (its memory is one block of rows whatever the batch);
``chunk_size`` then bounds the rows its fallback runs at once: flagged rows, or every row
after ``restore`` changed a cell. Results equal the reference engine's for any chunk size."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pfa import Engine
from pfa.engine import native
from tests.engine.test_native import batch, is_native, reference

pytestmark = pytest.mark.skipif(native.unavailable() is not None,
                                reason=f"native tier off: {native.unavailable()}")

DOC = {"input": {"type": "record", "name": "In", "fields": [
    {"name": "x", "type": "double"}, {"name": "y", "type": "double"}]},
    "output": "double",
    "cells": {"k": {"type": "double", "init": 2.0}},
    "action": [{"if": {">": ["input.x", 50.0]},  # these rows raise: flagged to the fallback
                "then": {"error": "too big", "code": -3}},
               {"+": [{"*": ["input.x", {"cell": "k"}]}, "input.y"]}]}


def rows(xs: list[float]) -> list[dict[str, Any]]:
    return [{"x": x, "y": x / 3.0} for x in xs]


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(xs=st.lists(st.floats(-100, 100), max_size=300), chunk=st.none() | st.integers(1, 50))
def test_any_chunk_size_gives_the_reference_results(xs, chunk, monkeypatch):
    engine = Engine.from_json(DOC)
    assert is_native(engine)
    want = batch(reference(DOC, monkeypatch), rows(xs))
    assert batch(engine, rows(xs), chunk) == want


def test_the_fallback_runs_at_most_chunk_size_rows(monkeypatch):
    sizes: list[int] = []
    real = native._Fallback.run

    def spy(self: Any, col: Any, n: int) -> Any:
        sizes.append(n)
        return real(self, col, n)

    monkeypatch.setattr(native._Fallback, "run", spy)
    engine = Engine.from_json(DOC)
    data = rows(list(np.linspace(0, 100, 1000)))  # half of them raise
    got = batch(engine, data, chunk_size=64)
    assert sizes and max(sizes) <= 64 and sum(sizes) == 500
    assert got == batch(reference(DOC, monkeypatch), data)


def test_after_restore_every_row_runs_on_the_fallback_in_chunks(monkeypatch):
    sizes: list[int] = []
    real = native._Fallback.run
    monkeypatch.setattr(native._Fallback, "run",
                        lambda self, col, n: sizes.append(n) or real(self, col, n))
    engine = Engine.from_json(DOC)
    data = rows(list(np.linspace(-10, 10, 300)))
    engine.action_batch(data[:5])
    snap = engine.snapshot()
    snap["cells"]["k"] = 5.0
    engine.restore(snap)
    got = batch(engine, data, chunk_size=100)
    assert sizes == [100, 100, 100]
    assert got == [r["x"] * 5.0 + r["y"] for r in data]
