"""FunctionTransformer with a numpy ufunc (element-wise ``m.*`` functions) or no function."""

from __future__ import annotations

from typing import Any

from pfa.exporters.builder import DocumentBuilder, Vector
from pfa.exporters.registry import converter
from pfa.exporters.sklearn.converters.preprocessing import fcn
from pfa.exporters.table import Data, as_vector

#: numpy ufunc name → the PFA function applied to each element
UFUNCS: dict[str, str] = {
    "log": "m.ln", "log1p": "m.ln1p", "log10": "m.log10", "exp": "m.exp", "expm1": "m.expm1",
    "sqrt": "m.sqrt", "absolute": "m.abs", "fabs": "m.abs", "sin": "m.sin", "cos": "m.cos",
    "tan": "m.tan", "arcsin": "m.asin", "arccos": "m.acos", "arctan": "m.atan",
    "sinh": "m.sinh", "cosh": "m.cosh", "tanh": "m.tanh", "floor": "m.floor",
    "ceil": "m.ceil", "rint": "m.rint", "negative": "u-",
}


def _ufunc_name(func: Any) -> str:
    import numpy as np

    if not isinstance(func, np.ufunc):
        raise ValueError(f"func={func!r} is not a numpy ufunc; only these are supported: "
                         + ", ".join(f"np.{n}" for n in sorted(UFUNCS)))
    if func.__name__ not in UFUNCS:
        raise ValueError(f"the ufunc np.{func.__name__} is not supported; supported: "
                         + ", ".join(f"np.{n}" for n in sorted(UFUNCS)))
    return func.__name__


@converter("sklearn", "sklearn.preprocessing", "FunctionTransformer", "transformer",
           "func None or an element-wise numpy ufunc (np.log, np.exp, np.sqrt, ...); "
           "inverse_func ignored")
def function_transformer(est: Any, b: DocumentBuilder, data: Data) -> Data:
    if est.kw_args:
        raise ValueError("kw_args are not supported")
    if est.func is None:
        return data
    name = _ufunc_name(est.func)
    x = as_vector(b, data)
    expr = {"a.map": [x.expr, fcn(["v"], {UFUNCS[name]: "v"})]}
    return Vector(b.let(name, expr), x.size, x.names)
