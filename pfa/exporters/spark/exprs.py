"""Small PFA expression builders the Spark converters share."""

from __future__ import annotations

from typing import Any

import numpy as np

from pfa.exporters.builder import ARRAY_DOUBLE, lit_double, nums
from pfa.exporters.spark.flow import Flow


def fcn(params: dict[str, Any], ret: Any, body: Any) -> dict[str, Any]:
    """An inline function (it may read the enclosing symbols)."""
    return {"params": [{k: t} for k, t in params.items()], "ret": ret,
            "do": body if isinstance(body, list) else [body]}


def doubles_cell(flow: Flow, what: str, values: Any) -> dict[str, str]:
    """A constant ``array<double>`` cell."""
    return flow.builder.cell(what, ARRAY_DOUBLE, nums(np.asarray(values, dtype=np.float64)))


def zipmap(flow: Flow, what: str, x: Any, arrays: dict[str, Any], body: Any) -> dict[str, Any]:
    """``a.zipmap`` of the vector ``x`` with constant per-element arrays: ``body`` reads the
    element as ``x`` and each array's element by its name."""
    args: list[Any] = [x]
    for name, values in arrays.items():
        args.append(doubles_cell(flow, f"{what}_{name}", values))
    args.append(fcn({"x": "double", **{k: "double" for k in arrays}}, "double", body))
    return {"a.zipmap": args}


def amap(x: Any, body: Any) -> dict[str, Any]:
    """``a.map`` of a double vector with a double body of ``x``."""
    return {"a.map": [x, fcn({"x": "double"}, "double", body)]}


def vector(items: list[Any]) -> dict[str, Any]:
    return {"new": items, "type": ARRAY_DOUBLE}


def is_nan(x: Any) -> dict[str, Any]:
    return {"impute.isnan": x}


def any_nan(v: Any) -> dict[str, Any]:
    return {"a.any": [v, fcn({"x": "double"}, "boolean", is_nan("x"))]}


def double(x: Any) -> Any:
    return lit_double(x)


def to_double(x: Any) -> dict[str, Any]:
    return {"cast.double": x}


def to_int(x: Any) -> dict[str, Any]:
    """A non-negative in-range double index truncated to int, as Scala's ``toInt``
    (``cast.int`` alone rounds)."""
    return {"cast.int": {"m.floor": x}}


def if_(cond: Any, then: Any, else_: Any) -> dict[str, Any]:
    return {"if": cond, "then": then, "else": else_}


def let_in(bindings: dict[str, Any], body: Any) -> dict[str, Any]:
    """A ``do`` block binding names, then ``body`` (its value)."""
    return {"do": [{"let": {k: v}} for k, v in bindings.items()] + [body]}
