"""The ``m.kernel.*`` library: kernel functions of two vectors (as used by SVMs)."""

from __future__ import annotations

import math
from collections.abc import Callable
from operator import mul
from typing import Any

import numpy as np

from pfa.lib.m import IEEE
from pfa.lib.numeric import ieee_pow
from pfa.lib.registry import CallSite, batch, error, scalar
from pfa.runtime.columns import Arr, NotVectorized, block, py_sum, py_sum_block

_exp = IEEE["m.exp"]


def _dot(x: list[float], y: list[float], code: int) -> float:
    if len(x) != len(y):
        raise error(code)
    return sum(map(mul, x, y), 0.0)


@scalar("m.kernel.linear")
def linear(x: list[float], y: list[float]) -> float:
    """x · y (left-to-right sum of the products, as ``_dot``)."""
    if len(x) != len(y):
        raise error(23000)
    return sum(map(mul, x, y), 0.0)


@scalar("m.kernel.rbf")
def rbf(x: list[float], y: list[float], gamma: float) -> float:
    """exp(-gamma ‖x - y‖²)."""
    if len(x) != len(y):
        raise error(23010)
    return _exp(-gamma * sum(((a - b) * (a - b) for a, b in zip(x, y)), 0.0))


@scalar("m.kernel.poly")
def poly(x: list[float], y: list[float], gamma: float, intercept: float, degree: float) -> float:
    """(gamma x · y + intercept) ** degree."""
    return ieee_pow(gamma * _dot(x, y, 23020) + intercept, degree)


@scalar("m.kernel.sigmoid")
def sigmoid(x: list[float], y: list[float], gamma: float, intercept: float) -> float:
    """tanh(gamma x · y + intercept)."""
    return math.tanh(gamma * _dot(x, y, 23030) + intercept)


# -- batch forms ------------------------------------------------------------------------------

@batch("m.kernel.linear")
def _linear_v(site: CallSite) -> Callable[..., Any]:
    def impl(env: Any, x: Any, y: Any) -> Any:
        if not isinstance(x, Arr) and not isinstance(y, Arr):
            raise NotVectorized("constant arguments")
        a, b = block(x), block(y)
        if a.ndim != (2 if isinstance(x, Arr) else 1) or b.ndim != (2 if isinstance(y, Arr)
                                                                      else 1):
            raise NotVectorized("not arrays of numbers")
        k = a.shape[-1]
        if b.shape[-1] != k:
            raise NotVectorized("misaligned")  # the scalar form reports the error
        # sum((a * b for a, b in zip(x, y)), 0.0): the same products, added in order
        prod = np.moveaxis(np.asarray(a * b), -1, 0)  # (k, n): one term per position
        return py_sum_block(prod) if prod.ndim == 2 else py_sum(list(prod))
    return impl
