"""The ``impute.*`` library: handling missing (null) and non-finite values."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from pfa.lib.registry import batch, error, scalar
from pfa.runtime.columns import NotVectorized, Opt, num_arg


@scalar("impute.errorOnNull")
def error_on_null(x: Any) -> Any:
    if x is None:
        raise error(21000)
    return x


@scalar("impute.defaultOnNull")
def default_on_null(x: Any, default: Any) -> Any:
    return default if x is None else x


@scalar("impute.isnan")
def isnan(x: float) -> bool:
    return math.isnan(x)


@scalar("impute.isinf")
def isinf(x: float) -> bool:
    return math.isinf(x)


@scalar("impute.isnum")
def isnum(x: float) -> bool:
    return math.isfinite(x)


@scalar("impute.errorOnNonNum")
def error_on_non_num(x: float) -> float:
    if math.isfinite(x):
        return x
    if x != x:
        raise error(21050)
    if x > 0:
        raise error(21051)
    raise error(21052)


@scalar("impute.defaultOnNonNum")
def default_on_non_num(x: float, default: float) -> float:
    return x if math.isfinite(x) else default


# ------------------------------------------------------------------------------ batch forms

@batch("impute.defaultOnNull")
def _default_on_null_v(site: Any) -> Any:
    def impl(env: Any, x: Any, default: Any) -> Any:
        if not isinstance(x, Opt):
            raise NotVectorized("defaultOnNull of a non-numeric column")
        d = num_arg(default, x.values.dtype.type)
        return np.where(x.null, d, x.values)
    return impl


def _vector_test(name: str, test: Any) -> None:
    @batch(name)
    def vfactory(site: Any) -> Any:
        return lambda env, x: test(num_arg(x))


def _register_tests() -> None:
    for name, test in (("impute.isnan", np.isnan), ("impute.isinf", np.isinf),
                       ("impute.isnum", np.isfinite)):
        _vector_test(name, test)


_register_tests()
