"""The ``m.kernel.*`` library: kernel functions of two vectors (as used by SVMs)."""

from __future__ import annotations

import math

from pfa.errors import PfaRuntimeError
from pfa.lib._numeric import ieee_pow
from pfa.lib.m import IEEE
from pfa.lib.registry import scalar

_exp = IEEE["m.exp"]


def _dot(x: list[float], y: list[float], code: int, name: str) -> float:
    if len(x) != len(y):
        raise PfaRuntimeError(code, "arrays must have same length", name)
    return sum((a * b for a, b in zip(x, y)), 0.0)


@scalar("m.kernel.linear")
def linear(x: list[float], y: list[float]) -> float:
    """x · y."""
    return _dot(x, y, 23000, "m.kernel.linear")


@scalar("m.kernel.rbf")
def rbf(x: list[float], y: list[float], gamma: float) -> float:
    """exp(-gamma ‖x - y‖²)."""
    if len(x) != len(y):
        raise PfaRuntimeError(23010, "arrays must have same length", "m.kernel.rbf")
    return _exp(-gamma * sum(((a - b) * (a - b) for a, b in zip(x, y)), 0.0))


@scalar("m.kernel.poly")
def poly(x: list[float], y: list[float], gamma: float, intercept: float, degree: float) -> float:
    """(gamma x · y + intercept) ** degree."""
    return ieee_pow(gamma * _dot(x, y, 23020, "m.kernel.poly") + intercept, degree)


@scalar("m.kernel.sigmoid")
def sigmoid(x: list[float], y: list[float], gamma: float, intercept: float) -> float:
    """tanh(gamma x · y + intercept)."""
    return math.tanh(gamma * _dot(x, y, 23030, "m.kernel.sigmoid") + intercept)
