"""The ``m.link.*`` library: link (inverse-link) functions for regression outputs.

Each function applies to a double, or element-wise to an array or map of doubles (the
signature is chosen by the argument's type); ``m.link.softmax`` normalizes a whole array or
map.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from pfa.lib.numeric import np_exp
from pfa.lib.registry import CallSite, batch, error, specialized
from pfa.runtime.columns import Arr, NotVectorized, elementwise, fail_all, num_arg, py_sum

Fn = Callable[..., Any]
_exp = np_exp  # numpy's exp, the one the vector forms apply to columns
_SQRT2 = math.sqrt(2.0)


def _elementwise(name: str, f: Callable[[float], float]) -> None:
    """Register ``name`` as ``f`` on a double, an array of doubles or a map of doubles."""

    @specialized(name)
    def factory(site: CallSite) -> Fn:
        kind = site.arg_types[0].name if site.arg_types else "double"
        if kind == "array":
            return lambda xs: [f(x) for x in xs]
        if kind == "map":
            return lambda xs: {k: f(x) for k, x in xs.items()}
        return f


def logit(x: float) -> float:
    """1 / (1 + exp(-x))."""
    return 1.0 / (1.0 + _exp(-x))


def probit(x: float) -> float:
    """(erf(x / √2) + 1) / 2, the standard normal CDF."""
    return (math.erf(x / _SQRT2) + 1.0) / 2.0


def cloglog(x: float) -> float:
    """1 - exp(-exp(x))."""
    return 1.0 - _exp(-_exp(x))


def loglog(x: float) -> float:
    """exp(-exp(x))."""
    return _exp(-_exp(x))


def cauchit(x: float) -> float:
    """0.5 + atan(x) / π."""
    return 0.5 + math.atan(x) / math.pi


def softplus(x: float) -> float:
    """log(1 + exp(x)), evaluated without overflow as max(x, 0) + log1p(exp(-|x|))."""
    if x != x:
        return x
    return max(x, 0.0) + math.log1p(_exp(-abs(x)))


def relu(x: float) -> float:
    """max(0, x): the rectified linear unit. (The spec's formula for relu repeats softplus's
    by mistake; the function's name and description fix its meaning.)"""
    return x if x > 0 else 0.0


#: the element-wise link functions: name → scalar function (also their batch forms' fallback)
_LINKS: dict[str, Callable[[float], float]] = {
    "m.link.logit": logit, "m.link.probit": probit, "m.link.cloglog": cloglog,
    "m.link.loglog": loglog, "m.link.cauchit": cauchit, "m.link.softplus": softplus,
    "m.link.relu": relu, "m.link.tanh": math.tanh,
}
for _name, _f in _LINKS.items():
    _elementwise(_name, _f)


def _softmax_values(xs: list[float]) -> list[float]:
    if not xs:
        raise error(25000)
    top = max(xs)
    if math.isinf(top) or top != top:
        top = 0.0  # shifting by ±inf would turn every term into NaN
    terms = [_exp(x - top) for x in xs]
    total = sum(terms)
    return [t / total if total else math.nan for t in terms]


@specialized("m.link.softmax")
def softmax(site: CallSite) -> Fn:
    """exp(x_i) / Σ_j exp(x_j), computed with the largest term shifted to exp(0)."""
    if site.arg_types and site.arg_types[0].name == "map":
        def on_map(xs: dict[str, float]) -> dict[str, float]:
            keys = list(xs)
            return dict(zip(keys, _softmax_values([xs[k] for k in keys])))
        return on_map
    return _softmax_values


# -- batch forms ----------------------------------------------------------------------------

def _vector_elementwise(name: str, f: Callable[[float], float]) -> None:
    @batch(name)
    def vfactory(site: CallSite) -> Fn:
        col_f = _COLUMN_FORMS.get(name)

        def impl(env: Any, x: Any) -> Any:
            apply = col_f if col_f is not None else (lambda d: elementwise(f, d))
            if isinstance(x, Arr):
                return Arr(apply(x.data))
            if site.arg_types and site.arg_types[0].name == "map":
                raise NotVectorized("map argument")
            return apply(num_arg(x))
        return impl


def _logit_col(x: Any) -> Any:
    with np.errstate(all="ignore"):
        return 1.0 / (1.0 + np.exp(-x))


def _loglog_col(x: Any) -> Any:
    with np.errstate(all="ignore"):
        return np.exp(-np.exp(x))


def _cloglog_col(x: Any) -> Any:
    return 1.0 - _loglog_col(x)


# whole-column forms with exactly the operations of the scalar functions (numpy's exp)
_COLUMN_FORMS: dict[str, Callable[[Any], Any]] = {
    "m.link.logit": _logit_col, "m.link.loglog": _loglog_col, "m.link.cloglog": _cloglog_col,
}


for _name, _f in _LINKS.items():
    _vector_elementwise(_name, _f)


@batch("m.link.softmax")
def _softmax_v(site: CallSite) -> Fn:
    def impl(env: Any, x: Any) -> Any:
        if not isinstance(x, Arr) or x.data.ndim != 2:
            raise NotVectorized("softmax of a map or ragged array")
        data = x.data
        n, k = data.shape
        if k == 0:
            fail_all(env, error(25000))
            return x
        top = data[:, 0]
        for j in range(1, k):  # Python's max(): the first item not exceeded later
            top = np.where(data[:, j] > top, data[:, j], top)
        top = np.where(np.isinf(top) | np.isnan(top), 0.0, top)
        terms = np.exp(data - top[:, None])  # the scalar path uses numpy's exp too
        total = py_sum([terms[:, j] for j in range(k)])
        with np.errstate(all="ignore"):
            out = np.where((total != 0)[:, None], terms / total[:, None], np.nan)
        return Arr(out)
    return impl
