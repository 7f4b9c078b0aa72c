"""Comparison of JSON-encoded outputs: exact, tolerance, unordered and type-only."""

from __future__ import annotations

import json
import math
from typing import Any

from conformance.avro_json import NONFINITE, Names, collect, conforms

DEFAULT_RTOL = 1e-8
DEFAULT_ATOL = 1e-300


def _num(x: Any) -> float | None:
    if isinstance(x, bool):
        return None
    if isinstance(x, (int, float)):
        return float(x)
    if isinstance(x, str) and x in NONFINITE:
        return NONFINITE[x]
    return None


def _numbers_equal(a: float, b: float, rtol: float, atol: float) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    if math.isinf(a) or math.isinf(b):
        return a == b
    return math.isclose(a, b, rel_tol=rtol, abs_tol=atol)


def equal(expected: Any, actual: Any, *, rtol: float = 0.0, atol: float = 0.0,
          unordered: bool = False) -> bool:
    """Structural equality; numbers within ``rtol``/``atol``; arrays as multisets if
    ``unordered``."""
    ne, na = _num(expected), _num(actual)
    if ne is not None and na is not None:
        if isinstance(expected, str) or isinstance(actual, str) or rtol or atol:
            return _numbers_equal(ne, na, rtol, atol)
        return expected == actual
    if isinstance(expected, list) and isinstance(actual, list):
        if len(expected) != len(actual):
            return False
        if unordered:
            rest = list(actual)
            for e in expected:
                for i, a in enumerate(rest):
                    if equal(e, a, rtol=rtol, atol=atol, unordered=True):
                        del rest[i]
                        break
                else:
                    return False
            return True
        return all(equal(e, a, rtol=rtol, atol=atol) for e, a in zip(expected, actual))
    if isinstance(expected, dict) and isinstance(actual, dict):
        return expected.keys() == actual.keys() and all(
            equal(expected[k], actual[k], rtol=rtol, atol=atol, unordered=unordered)
            for k in expected)
    return type(expected) is type(actual) and expected == actual


def _in_range(value: Any, rng: list[float]) -> bool:
    n = _num(value)
    if n is not None:
        return rng[0] <= n <= rng[1]
    if isinstance(value, list):
        return all(_in_range(v, rng) for v in value)
    if isinstance(value, dict) and len(value) == 1:  # tagged union
        return _in_range(next(iter(value.values())), rng)
    if isinstance(value, str):  # strings/bytes: every code point in range
        return all(rng[0] <= ord(c) <= rng[1] for c in value)
    return True


def check_output(case: dict[str, Any], trial: dict[str, Any], actual: Any) -> str | None:
    """None if ``actual`` satisfies the trial, else a short reason."""
    mode = case.get("compare", "exact")
    if mode == "type-only":
        names = Names()
        collect(case["doc"]["input"], names)
        if not conforms(case["doc"]["output"], actual, names):
            return f"output {_short(actual)} does not conform to {case['doc']['output']}"
        if "range" in trial and not _in_range(actual, trial["range"]):
            return f"output {_short(actual)} outside range {trial['range']}"
        return None
    expected = trial["output"]
    tol = mode == "tolerance" or (mode == "unordered" and _has_float(case))
    ok = equal(expected, actual,
               rtol=case.get("rtol", DEFAULT_RTOL) if tol else 0.0,
               atol=case.get("atol", DEFAULT_ATOL) if tol else 0.0,
               unordered=mode == "unordered")
    return None if ok else f"expected {_short(expected)}, got {_short(actual)}"


def _has_float(case: dict[str, Any]) -> bool:
    out = json.dumps(case["doc"]["output"])
    return '"double"' in out or '"float"' in out


def _short(x: Any, n: int = 200) -> str:
    s = json.dumps(x, ensure_ascii=False)
    return s if len(s) <= n else s[:n] + "…"
