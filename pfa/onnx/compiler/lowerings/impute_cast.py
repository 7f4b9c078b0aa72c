"""``impute.*`` (nulls are NaN for numbers, ``<field>.isnull`` for strings), ``cast.*``
between number types and ``map.containsKey`` on constant maps (LabelEncoder)."""

from __future__ import annotations

from typing import Any

import numpy as np
from onnx import TensorProto

from pfa.avro.types import PRIMITIVES
from pfa.onnx.compiler.building import map_contains
from pfa.onnx.compiler.registry import lowering
from pfa.onnx.compiler.types import elem_of, scalar_kind
from pfa.onnx.compiler.values import Const, Never, Opt, Tensor

BOOLEAN = PRIMITIVES["boolean"]
FLOATS = (TensorProto.DOUBLE, TensorProto.FLOAT)


def _test(name: str, build: Any) -> None:
    @lowering(name, "impute", elementwise=True)
    def lower(cx: Any, site: Any, args: list[Any]) -> Any:
        (x,) = args
        if isinstance(x, Never):
            return x
        if isinstance(x, Const):
            v = float(x.value)
            return Const(bool(build(np, np.array([v]))[0]), BOOLEAN)
        t = cx.tensor(x, site.path)
        if t.elem not in FLOATS:
            return Const(name == "impute.isnum", BOOLEAN)
        return Tensor(build(cx, t.name), BOOLEAN, TensorProto.BOOL, t.shape)


def _isnan(m: Any, x: Any) -> Any:
    return m.isnan(x) if m is np else m.g.op("IsNaN", [x])


def _isinf(m: Any, x: Any) -> Any:
    return m.isinf(x) if m is np else m.g.op("IsInf", [x])


def _isnum(m: Any, x: Any) -> Any:
    if m is np:
        return np.isfinite(x)
    return m.g.op("Not", [m.g.op("Or", [_isnan(m, x), _isinf(m, x)])])


_test("impute.isnan", _isnan)
_test("impute.isinf", _isinf)
_test("impute.isnum", _isnum)


@lowering("impute.defaultOnNull", "impute", elementwise=True)
def default_on_null(cx: Any, site: Any, args: list[Any]) -> Any:
    x, default = args
    if isinstance(x, Opt):
        return cx.merge(x.null, default, x.value, site.ret_type, site.path)
    if isinstance(x, Const) and x.value is None:
        return default
    return x


@lowering("impute.errorOnNull", "impute", elementwise=True)
def error_on_null(cx: Any, site: Any, args: list[Any]) -> Any:
    (x,) = args
    if isinstance(x, Opt):
        saved = cx.mask
        cx.mask = cx.under(x.null)
        try:
            cx.record_error("encountered null", 21000, site.path)
        finally:
            cx.mask = saved
        return x.value
    if isinstance(x, Const) and x.value is None:
        cx.record_error("encountered null", 21000, site.path)
        return Never(site.ret_type)
    return x


def _cast(name: str, target: str) -> None:
    @lowering(name, "cast", "number widening/narrowing as Cast (float: round to nearest)",
              elementwise=True)
    def lower(cx: Any, site: Any, args: list[Any]) -> Any:
        (x,) = args
        if isinstance(x, Never):
            return x
        source = scalar_kind(site.param_types[0]) or scalar_kind(
            getattr(site.param_types[0], "items", None))
        if target in ("int", "long") and source not in ("int", "long"):
            cx.refuse(site.path, f"{name} of a {source}")
        if isinstance(x, Const) and not isinstance(x.value, list):
            v = x.value
            if target == "float":
                v = float(np.float32(v))
            elif target == "double":
                v = float(v)
            return Const(v, site.ret_type)
        t = cx.tensor(x, site.path)
        return cx.cast(Tensor(t.name, site.ret_type, t.elem, t.shape),
                       elem_of(target, site.path, cx))


for _name, _target in (("cast.double", "double"), ("cast.float", "float"),
                       ("cast.int", "int"), ("cast.long", "long")):
    _cast(_name, _target)


@lowering("map.containsKey", "maps", "constant maps with string keys (LabelEncoder)")
def contains_key(cx: Any, site: Any, args: list[Any]) -> Any:
    m, key = args
    if not isinstance(m, Const):
        cx.refuse(site.path, "map.containsKey of a map that depends on the input")
    if isinstance(key, Const):
        return Const(key.value in m.value, BOOLEAN)
    t = cx.tensor(key, site.path)
    if t.elem != TensorProto.STRING:
        cx.refuse(site.path, "map.containsKey with a function argument")
    return map_contains(cx, m, t, _Site(site.path, BOOLEAN))


class _Site:
    def __init__(self, path: str, type_: Any):
        self.path = path
        self.type = type_
