"""Shared helpers of the batch-engine tests: exact (NaN-aware) equality of engine values and
the check ``action_batch(rows) == [action(row) for row in rows]`` including errors."""

from __future__ import annotations

import math
from typing import Any

from pfa import Engine
from pfa.errors import PfaRuntimeError


def same(a: Any, b: Any) -> bool:
    """Engine values equal bit for bit (NaN equals NaN, -0.0 differs from 0.0)."""
    if isinstance(a, float) or isinstance(b, float):
        if not isinstance(a, (int, float)) or not isinstance(b, (int, float)):
            return False
        if math.isnan(a) and math.isnan(b):
            return True
        return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


def scalar_results(engine: Engine, rows: list[Any]) -> tuple[list[Any], dict[int, int | None]]:
    out: list[Any] = []
    errors: dict[int, int | None] = {}
    for i, r in enumerate(rows):
        try:
            out.append(engine.action(r))
        except PfaRuntimeError as exc:
            out.append(None)
            errors[i] = exc.code
    return out, errors


def assert_batch_equals_scalar(doc: Any, rows: list[Any], chunk_size: int | None = None
                               ) -> Engine:
    """Run ``rows`` through two engines of ``doc``, one row at a time and as a batch."""
    scalar_engine = Engine.from_json(doc)
    batch_engine = Engine.from_json(doc)
    expected, exp_errors = scalar_results(scalar_engine, rows)
    res = batch_engine.action_batch(rows, chunk_size=chunk_size, on_error="null")
    got_errors = {row: code for row, code, _ in res.errors}
    assert got_errors == exp_errors, (got_errors, exp_errors, batch_engine.explain_batch())
    for i, (g, e) in enumerate(zip(res.values, expected)):
        assert same(g, e), (i, g, e, rows[i])
    assert len(res.values) == len(expected)
    if exp_errors:
        first = min(exp_errors)
        try:
            batch_engine.action_batch(rows, chunk_size=chunk_size)
        except PfaRuntimeError as exc:
            assert exc.row == first  # type: ignore[attr-defined]
            assert exc.code == exp_errors[first]
        else:  # pragma: no cover
            raise AssertionError("action_batch did not raise")
    return batch_engine
