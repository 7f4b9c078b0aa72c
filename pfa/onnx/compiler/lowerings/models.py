"""Linear algebra and the model functions on constant parameters: ``la.*``, ``m.kernel.*``,
``model.reg.linear``, ``model.neural.simpleLayers``, ``model.svm.score``,
``model.cluster.closest`` (→ a running ArgMin), ``model.naive.gaussian/multinomial`` and
``m.link.softmax``. Every sum of products is unrolled in the engine's order (products
added one by one, starting from 0.0), so the results are the engine's bit for bit."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from onnx import TensorProto

from pfa.avro.types import PRIMITIVES, AvroArray
from pfa.onnx.compiler.building import columns, gather_record, items
from pfa.onnx.compiler.lowerings.arrays import in_lanes, is_elementwise
from pfa.onnx.compiler.lowerings.ops import less
from pfa.onnx.compiler.registry import lowering
from pfa.onnx.compiler.values import Const, Never, Tensor

DOUBLE = PRIMITIVES["double"]
BOOLEAN = PRIMITIVES["boolean"]
D = TensorProto.DOUBLE
LA = "linear algebra (la.*, m.kernel.*)"
MODELS = "models"


def _c(cx: Any, array: Any) -> Tensor:
    arr = np.asarray(array, dtype=np.float64)
    name = cx.g.const(arr.reshape((1,) + arr.shape) if arr.ndim else arr.reshape(1, 1))
    return Tensor(name, DOUBLE, D, arr.shape or (1,))


def _add(cx: Any, a: Tensor, b: Tensor) -> Tensor:
    return cx.op("Add", [a, b], DOUBLE, D)


def _matrix(cx: Any, value: Any, where: Any) -> np.ndarray:
    if not isinstance(value, Const):
        cx.refuse(where, "a matrix that depends on the input (only constant matrices compile)")
    try:
        m = np.array(value.value, dtype=np.float64)
    except ValueError:
        cx.refuse(where, "a ragged matrix")
    return m


def dot_rows(cx: Any, coef: np.ndarray, x: Tensor, where: Any) -> Tensor:
    """``[N, r]``: ``sum(coef[i][j] * x[j] for j, 0.0)`` per output ``i``, in position order."""
    if coef.ndim != 2 or coef.shape[1] != x.shape[0] or len(x.shape) != 1:
        cx.refuse(where, f"sizes do not match ({coef.shape} by {x.shape}); the engine raises")
    x = cx.cast(x, D)
    acc = _c(cx, np.zeros(coef.shape[0]))
    for j, col in enumerate(columns(cx, x)):
        term = cx.op("Mul", [_c(cx, coef[:, j]), col], DOUBLE, D, shape=(coef.shape[0],))
        acc = cx.op("Add", [acc, term], DOUBLE, D, shape=(coef.shape[0],))
    return acc


def dot_tensors(cx: Any, a: Tensor, b: Tensor, where: Any) -> Tensor:
    """``[N, 1]``: ``sum(a[j] * b[j], 0.0)`` of two ``[N, k]`` tensors."""
    if a.shape != b.shape:
        cx.refuse(where, "vectors of different lengths; the engine raises")
    acc = _c(cx, 0.0)
    for ca, cb in zip(columns(cx, cx.cast(a, D)), columns(cx, cx.cast(b, D))):
        acc = _add(cx, acc, cx.op("Mul", [ca, cb], DOUBLE, D))
    return acc


def dot(cx: Any, x: Any, y: Any, where: Any) -> Tensor | Const:
    """x · y of two vectors (constant or tensor)."""
    if isinstance(x, Const) and isinstance(y, Const):
        return Const(sum((a * b for a, b in zip(x.value, y.value)), 0.0), DOUBLE)
    if isinstance(x, Const):
        x, y = y, x
    if isinstance(y, Const):
        vec = np.array(y.value, dtype=np.float64)
        return dot_rows(cx, vec.reshape(1, -1), cx.tensor(x, where, D), where)
    return dot_tensors(cx, cx.tensor(x, where, D), cx.tensor(y, where, D), where)


@lowering("la.dot", LA, "a constant matrix times a vector")
def la_dot(cx: Any, site: Any, args: list[Any]) -> Any:
    m, v = args
    if isinstance(m, Never) or isinstance(v, Never):
        return m if isinstance(m, Never) else v
    matrix = _matrix(cx, m, site.path)
    if not isinstance(site.param_types[1], AvroArray) or \
            isinstance(site.param_types[1].items, AvroArray):
        cx.refuse(site.path, "la.dot of two matrices")
    out = dot_rows(cx, matrix, cx.tensor(v, site.path, D), site.path)
    return Tensor(out.name, site.ret_type, D, out.shape)


def _elementwise_la(name: str, op_type: str) -> None:
    @lowering(name, LA, elementwise=True)
    def lower(cx: Any, site: Any, args: list[Any]) -> Any:
        a, b = (cx.tensor(x, site.path, D) for x in args)
        if a.shape != b.shape:
            cx.refuse(site.path, f"{name} of arrays of different sizes; the engine raises")
        return cx.op(op_type, [a, b], site.ret_type, D)


_elementwise_la("la.add", "Add")
_elementwise_la("la.sub", "Sub")


@lowering("la.scale", LA, elementwise=True)
def la_scale(cx: Any, site: Any, args: list[Any]) -> Any:
    a, s = (cx.tensor(x, site.path, D) for x in args)
    return cx.op("Mul", [a, s], site.ret_type, D, shape=a.shape)


# -- kernels ----------------------------------------------------------------------------------

@lowering("m.kernel.linear", LA)
def k_linear(cx: Any, site: Any, args: list[Any]) -> Any:
    return dot(cx, args[0], args[1], site.path)


@lowering("m.kernel.rbf", LA)
def k_rbf(cx: Any, site: Any, args: list[Any]) -> Any:
    x, y, gamma = args
    tx, ty = cx.tensor(x, site.path, D), cx.tensor(y, site.path, D)
    if tx.shape != ty.shape:
        cx.refuse(site.path, "vectors of different lengths; the engine raises")
    diff = cx.op("Sub", [tx, ty], DOUBLE, D)
    acc = _c(cx, 0.0)
    for col in columns(cx, diff):
        acc = _add(cx, acc, cx.op("Mul", [col, col], DOUBLE, D))
    neg = cx.op("Neg", [cx.tensor(gamma, site.path, D)], DOUBLE, D)
    return cx.op("Exp", [cx.op("Mul", [neg, acc], DOUBLE, D)], DOUBLE, D)


@lowering("m.kernel.poly", LA)
def k_poly(cx: Any, site: Any, args: list[Any]) -> Any:
    x, y, gamma, intercept, degree = args
    d = cx.tensor(dot(cx, x, y, site.path), site.path, D)
    lin = _add(cx, cx.op("Mul", [cx.tensor(gamma, site.path, D), d], DOUBLE, D),
               cx.tensor(intercept, site.path, D))
    return cx.op("Pow", [lin, cx.tensor(degree, site.path, D)], DOUBLE, D)


@lowering("m.kernel.sigmoid", LA)
def k_sigmoid(cx: Any, site: Any, args: list[Any]) -> Any:
    x, y, gamma, intercept = args
    d = cx.tensor(dot(cx, x, y, site.path), site.path, D)
    lin = _add(cx, cx.op("Mul", [cx.tensor(gamma, site.path, D), d], DOUBLE, D),
               cx.tensor(intercept, site.path, D))
    return cx.op("Tanh", [lin], DOUBLE, D)


# -- models -----------------------------------------------------------------------------------

@lowering("model.reg.linear", MODELS, "constant coefficients; products added in order")
def reg_linear(cx: Any, site: Any, args: list[Any]) -> Any:
    datum, model = args
    if isinstance(datum, Never):
        return datum
    if not isinstance(model, Const) or not isinstance(site.param_types[0], AvroArray):
        cx.refuse(site.path, "model.reg.linear needs an array datum and a constant model")
    coeff, const = model.value["coeff"], model.value["const"]
    x = cx.tensor(datum, site.path, D)
    if isinstance(const, list):
        out = dot_rows(cx, _matrix(cx, Const(coeff, DOUBLE), site.path), x, site.path)
        out = cx.op("Add", [out, _c(cx, const)], site.ret_type, D, shape=out.shape)
        return out
    out = dot_rows(cx, np.array(coeff, dtype=np.float64).reshape(1, -1), x, site.path)
    return cx.op("Add", [out, _c(cx, const)], site.ret_type, D, shape=(1,))


@lowering("model.neural.simpleLayers", MODELS, "constant layers; element-wise activation")
def simple_layers(cx: Any, site: Any, args: list[Any]) -> Any:
    datum, layers, activation = args
    if not isinstance(layers, Const) or not layers.value:
        cx.refuse(site.path, "model.neural.simpleLayers needs constant, non-empty layers")
    x = cx.tensor(datum, site.path, D)
    last = len(layers.value) - 1
    for i, layer in enumerate(layers.value):
        w = _matrix(cx, Const(layer["weights"], DOUBLE), site.path)
        out = dot_rows(cx, w, x, site.path)
        x = cx.op("Add", [out, _c(cx, layer["bias"])], site.ret_type, D, shape=out.shape)
        if i < last:
            if not is_elementwise(cx, activation):
                cx.refuse(site.path, "an activation that is not element-wise")
            arr = Tensor(x.name, AvroArray(DOUBLE), D, x.shape)
            act = in_lanes(cx, activation, [arr], site.path)
            x = cx.tensor(act, site.path, D)
            x = Tensor(x.name, site.ret_type, D, arr.shape)
    return Tensor(x.name, site.ret_type, D, x.shape)


@lowering("model.svm.score", MODELS, "constant support vectors, unrolled")
def svm_score(cx: Any, site: Any, args: list[Any]) -> Any:
    datum, model, kernel = args
    if not isinstance(model, Const):
        cx.refuse(site.path, "model.svm.score needs a constant model")
    total: Any = _c(cx, 0.0)
    for group in (model.value["negClass"], model.value["posClass"]):
        for sv in group:
            k = cx.apply(kernel, [Const(sv["supVec"], AvroArray(DOUBLE)), datum], site.path)
            term = cx.op("Mul", [cx.tensor(k, site.path, D), _c(cx, sv["coeff"])], DOUBLE, D)
            total = _add(cx, total, term)
    return _add(cx, total, _c(cx, model.value["const"]))


@lowering("model.cluster.closest", MODELS, "constant clusters: a running arg-min "
          "(the first cluster of lowest distance)")
def closest(cx: Any, site: Any, args: list[Any]) -> Any:
    datum, clusters = args[0], args[1]
    if not isinstance(clusters, Const) or not clusters.value:
        cx.refuse(site.path, "model.cluster.closest needs constant, non-empty clusters")
    if len(args) < 3:
        cx.refuse(site.path, "model.cluster.closest without a metric")
    metric = args[2]
    item_t = site.param_types[1].items
    best_d: Any = None
    best_i: Any = None
    for i, c in enumerate(clusters.value):
        d = cx.tensor(cx.apply(metric, [datum, Const(c["center"], item_t.field("center").type)],
                               site.path), site.path, D)
        here = cx.tensor(Const(i, PRIMITIVES["int"]), site.path, TensorProto.INT64)
        if best_d is None:
            best_d, best_i = d, here
            continue
        lower = Tensor(cx.g.op("Less", [d.name, best_d.name]), BOOLEAN, TensorProto.BOOL, (1,))
        best_d = cx.op("Where", [lower, d, best_d], DOUBLE, D, shape=(1,))
        best_i = cx.op("Where", [lower, here, best_i], PRIMITIVES["int"], TensorProto.INT64,
                       shape=(1,))
    return gather_record(cx, clusters, best_i, item_t, site.path)


@lowering("model.naive.gaussian", MODELS, "constant class models")
def naive_gaussian(cx: Any, site: Any, args: list[Any]) -> Any:
    datum, model = args
    if not isinstance(model, Const) or not isinstance(model.value, list):
        cx.refuse(site.path, "model.naive.gaussian needs an array datum and a constant model")
    cols = items(cx, datum, site.path)
    if len(cols) != len(model.value):
        cx.refuse(site.path, "datum and model sizes differ; the engine raises")
    ll = _c(cx, 0.0)
    for x, m in zip(cols, model.value):
        var = m["variance"]
        if var <= 0.0:
            cx.refuse(site.path, "a variance that is not positive; the engine raises")
        first = 0.5 * (math.log(2.0 * math.pi) + math.log(var))
        d = cx.op("Sub", [cx.tensor(x, site.path, D), _c(cx, m["mean"])], DOUBLE, D)
        half = cx.op("Mul", [cx.op("Mul", [_c(cx, 0.5), d], DOUBLE, D), d], DOUBLE, D)
        term = _add(cx, _c(cx, first), cx.op("Div", [half, _c(cx, var)], DOUBLE, D))
        ll = cx.op("Sub", [ll, term], DOUBLE, D)
    return ll


@lowering("model.naive.multinomial", MODELS, "constant class models")
def naive_multinomial(cx: Any, site: Any, args: list[Any]) -> Any:
    datum, model = args
    if not isinstance(model, Const):
        cx.refuse(site.path, "model.naive.multinomial needs a constant model")
    probs = model.value["values"] if isinstance(model.value, dict) else model.value
    if not probs or not all(p > 0.0 for p in probs):
        cx.refuse(site.path, "probabilities that are not all positive; the engine raises")
    norm = sum(probs, 0.0)
    logs = [math.log(p / norm + 5e-324) for p in probs]
    return dot(cx, datum, Const(logs, AvroArray(DOUBLE)), site.path)


@lowering("m.link.softmax", "m.link", "the engine's shift by the first largest item")
def softmax(cx: Any, site: Any, args: list[Any]) -> Any:
    x = cx.tensor(args[0], site.path, D)
    if len(x.shape) != 1 or x.shape[0] == 0:
        cx.refuse(site.path, "softmax of an empty or nested array")
    cols = columns(cx, x)
    top = cols[0]
    for c in cols[1:]:
        above = Tensor(cx.g.op("Greater", [c.name, top.name]), BOOLEAN, TensorProto.BOOL, (1,))
        top = cx.op("Where", [above, c, top], DOUBLE, D, shape=(1,))
    bad = cx.g.op("Or", [cx.g.op("IsInf", [top.name]), cx.g.op("IsNaN", [top.name])])
    top = cx.op("Where", [Tensor(bad, BOOLEAN, TensorProto.BOOL, (1,)), _c(cx, 0.0), top],
                DOUBLE, D, shape=(1,))
    terms = cx.op("Exp", [cx.op("Sub", [x, top], DOUBLE, D, shape=x.shape)], DOUBLE, D,
                  shape=x.shape)
    total = _c(cx, 0.0)
    for c in columns(cx, terms):
        total = _add(cx, total, c)
    ratio = cx.op("Div", [terms, total], site.ret_type, D, shape=x.shape)
    nonzero = Tensor(cx.g.op("Not", [cx.g.op("Equal", [total.name, _c(cx, 0.0).name])]),
                     BOOLEAN, TensorProto.BOOL, (1,))
    return cx.op("Where", [nonzero, ratio, _c(cx, math.nan)], site.ret_type, D, shape=x.shape)


__all__ = ["dot_rows", "dot", "less"]
