"""Batch forms of ``max``/``min`` and ``a.max``/``a.min`` equal the scalar forms bit for bit
(NaN above every number, ±0 and ties keep the scalar choice, empty arrays fail per row)."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from pfa import Engine

_SPECIAL = st.sampled_from([0.0, -0.0, math.nan, math.inf, -math.inf, 1.0, -1.0, 3.4e38])
_DOUBLES = st.one_of(_SPECIAL, st.floats(allow_nan=True, allow_infinity=True))


def _same(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return (math.isnan(a) and math.isnan(b)) or (a == b and math.copysign(1, a) ==
                                                      math.copysign(1, b))
    return a == b


def _check(doc: dict, rows: list) -> None:
    engine = Engine.from_json(doc)
    expected = []
    for r in rows:
        try:
            expected.append(engine.action(r))
        except Exception as exc:  # noqa: BLE001 - compared by code below
            expected.append(getattr(exc, "code", type(exc)))
    got = engine.action_batch(rows, on_error="null")
    values = list(got.values)
    errors = {e[0]: e[1] for e in got.errors}
    assert engine.explain_batch() is not None
    for i, want in enumerate(expected):
        if i in errors:
            assert errors[i] == want, (i, rows[i])
        else:
            assert _same(values[i], want), (rows[i], values[i], want)


@settings(max_examples=150)
@given(st.lists(st.tuples(_DOUBLES, _DOUBLES), min_size=1, max_size=30),
       st.sampled_from(["max", "min"]), st.sampled_from(["double", "float", "int"]))
def test_two_argument_extremes(pairs: list, name: str, kind: str) -> None:
    if kind == "int":
        pairs = [(int(a) % 1000 if math.isfinite(a) else 7, int(b) % 1000 if math.isfinite(b)
                  else -7) for a, b in pairs]
    doc = {"input": {"type": "record", "name": "In", "fields": [
        {"name": "a", "type": kind}, {"name": "b", "type": kind}]},
        "output": kind, "action": {name: ["input.a", "input.b"]}}
    if kind == "float":
        pairs = [(a, b) for a, b in pairs if not (math.isfinite(a) and abs(a) > 3e38)
                 and not (math.isfinite(b) and abs(b) > 3e38)] or [(1.0, 2.0)]
    _check(doc, [{"a": a, "b": b} for a, b in pairs])


@settings(max_examples=150)
@given(st.integers(0, 5), st.lists(st.lists(_DOUBLES, min_size=5, max_size=5), min_size=1,
                                   max_size=20), st.sampled_from(["a.max", "a.min"]))
def test_array_extremes(width: int, rows: list, name: str) -> None:
    doc = {"input": {"type": "array", "items": "double"}, "output": "double",
           "action": {name: ["input"]}}
    _check(doc, [r[:width] for r in rows])
