"""``ai.onnx.ml`` ops of classic-ML graphs (skl2onnx, tf2onnx lookups): linear models,
scalers, imputers, encoders, lookups and ``ZipMap``. Tree ensembles are in
:mod:`.trees`."""

from __future__ import annotations

from typing import Any

import numpy as np

from pfa.exporters.onnx.context import ImportContext
from pfa.exporters.onnx.converters.layout import lookup, positions_op
from pfa.exporters.onnx.tensors import Tensor, array_of, literal, pfa_type_of_numpy
from pfa.exporters.registry import converter

ML = "ai.onnx.ml"


def as_double(ctx: ImportContext, x: Tensor, name: str) -> Tensor:
    """``x`` as doubles (integers converted)."""
    if x.elem == "double":
        return x
    if x.elem == "long":
        return ctx.elementwise(f"{name}_double", [x], "double",
                               lambda v: {"cast.double": [v]})
    ctx.refuse(f"numeric input expected, found {x.elem}")


def features_of(ctx: ImportContext, x: Tensor, name: str) -> Tensor:
    """A row tensor of shape ``[F]`` (a scalar row becomes ``[1]``)."""
    x = as_double(ctx, x, name)
    if len(x.shape) > 1:
        ctx.refuse(f"features must have shape [N, F], found [N, {', '.join(map(str, x.shape))}]")
    if not x.shape:
        return Tensor(x.name, "double", (1,), symbol=x.symbol)
    return x


def post_transform(ctx: ImportContext, node: Any, scores: Tensor, name: str) -> Tensor:
    """Scores after the node's ``post_transform``."""
    kind = ctx.attr(node, "post_transform", "NONE")
    if kind == "NONE":
        return scores
    if kind == "LOGISTIC":
        return ctx.elementwise(name, [scores], "double", lambda v: {"m.link.logit": [v]})
    if kind == "SOFTMAX":
        return ctx.emit(name, "double", scores.shape, {"m.link.softmax": [scores.symbol]})
    if kind == "SOFTMAX_ZERO":
        body = [{"let": {"lse": {"a.logsumexp": [{"a.filter": [
                    "r", {"params": [{"v": "double"}], "ret": "boolean",
                          "do": {"!=": ["v", 0.0]}}]}]}}},
                {"a.map": ["r", {"params": [{"v": "double"}], "ret": "double",
                                 "do": {"if": {"==": ["v", 0.0]}, "then": 0.0,
                                        "else": {"m.exp": [{"-": ["v", "lse"]}]}}}]}]
        return ctx.emit(name, "double", scores.shape,
                        {"do": [{"let": {"r": scores.symbol}}, *body]})
    ctx.refuse(f"post_transform {kind} is not supported")


def class_labels(ctx: ImportContext, node: Any) -> tuple[list[Any], str]:
    for attr in ("classlabels_ints", "classlabels_int64s"):
        ints = ctx.attr(node, attr, None)
        if ints is not None and len(ints):
            return [int(v) for v in ints], "long"
    strings = ctx.attr(node, "classlabels_strings", None)
    if strings:
        return list(strings), "string"
    ctx.refuse("the class labels are missing")


def label_of(ctx: ImportContext, name: str, scores: Tensor, labels: list[Any],
             elem: str) -> Tensor:
    """The label of the largest score (the first one on ties), as a per-row scalar."""
    ref = ctx.cell(f"{name}_classes", np.asarray(labels, dtype=object if elem == "string"
                                                 else np.int64), elem)
    return ctx.emit(name, elem, (), {"new": [{"attr": ref, "path": [
        {"a.argmax": [scores.symbol]}]}], "type": array_of(elem)})


@converter("onnx", ML, "LinearClassifier", "classifier", "post_transform NONE, LOGISTIC, "
                                                          "SOFTMAX, SOFTMAX_ZERO")
def linear_classifier(ctx: ImportContext, node: Any, inputs: list[Tensor]) -> list[Tensor]:
    x = features_of(ctx, inputs[0], node.output[0])
    labels, elem = class_labels(ctx, node)
    coefs = np.asarray(ctx.attr(node, "coefficients"), dtype=np.float64)
    k = coefs.size // x.shape[0]
    if k * x.shape[0] != coefs.size or k == 0:
        ctx.refuse(f"{coefs.size} coefficients do not fit {x.shape[0]} features")
    intercepts = np.asarray(ctx.attr(node, "intercepts", [0.0] * k), dtype=np.float64)
    name = node.output[1] if len(node.output) > 1 and node.output[1] else \
        f"{node.output[0]}_scores"
    raw = ctx.emit(f"{name}_raw", "double", (k,), {"la.add": [
        {"la.dot": [ctx.cell(f"{name}_coefficients", coefs.reshape(k, -1), "double"),
                    x.symbol]}, ctx.cell(f"{name}_intercepts", intercepts, "double")]})
    binary = k == 1 and len(labels) == 2
    if binary:
        raw = ctx.emit(f"{name}_two", "double", (2,), {"new": [
            {"u-": [{"attr": raw.symbol, "path": [0]}]}, {"attr": raw.symbol, "path": [0]}],
            "type": array_of("double")})
    elif k != len(labels):
        ctx.refuse(f"{k} score rows for {len(labels)} classes")
    scores = post_transform(ctx, node, raw, name)
    if binary and ctx.attr(node, "post_transform", "NONE") == "LOGISTIC":
        p = {"m.link.logit": [{"attr": raw.symbol, "path": [1]}]}
        scores = ctx.emit(name, "double", (2,), {"new": [{"-": [1.0, p]}, p],
                                                 "type": array_of("double")})
    label = label_of(ctx, node.output[0], raw, labels, elem)
    return [label, scores]


@converter("onnx", ML, "LinearRegressor", "regressor", "post_transform NONE")
def linear_regressor(ctx: ImportContext, node: Any, inputs: list[Tensor]) -> list[Tensor]:
    x = features_of(ctx, inputs[0], node.output[0])
    targets = int(ctx.attr(node, "targets", 1))
    coefs = np.asarray(ctx.attr(node, "coefficients"), dtype=np.float64)
    if coefs.size != targets * x.shape[0]:
        ctx.refuse(f"{coefs.size} coefficients do not fit {x.shape[0]} features")
    intercepts = np.asarray(ctx.attr(node, "intercepts", [0.0] * targets), dtype=np.float64)
    if intercepts.size != targets:
        ctx.refuse("the intercepts do not match the targets")
    name = node.output[0]
    raw = ctx.emit(f"{name}_raw", "double", (targets,), {"la.add": [
        {"la.dot": [ctx.cell(f"{name}_coefficients", coefs.reshape(targets, -1), "double"),
                    x.symbol]}, ctx.cell(f"{name}_intercepts", intercepts, "double")]})
    out = post_transform(ctx, node, raw, name)
    out.name = name
    return [out]


@converter("onnx", ML, "Scaler", "transformer", "(x − offset) × scale")
def scaler(ctx: ImportContext, node: Any, inputs: list[Tensor]) -> list[Tensor]:
    x = as_double(ctx, inputs[0], node.output[0])
    offset = np.asarray(ctx.attr(node, "offset", [0.0]), dtype=np.float64)
    scale = np.asarray(ctx.attr(node, "scale", [1.0]), dtype=np.float64)
    o = Tensor(f"{node.output[0]}_offset", "double", offset.shape, const=offset)
    s = Tensor(f"{node.output[0]}_scale", "double", scale.shape, const=scale)
    return [ctx.elementwise(node.output[0], [x, o, s], "double",
                            lambda v, a, b: {"*": [{"-": [v, a]}, b]})]


@converter("onnx", ML, "Normalizer", "transformer", "MAX, L1, L2 per row")
def normalizer(ctx: ImportContext, node: Any, inputs: list[Tensor]) -> list[Tensor]:
    x = features_of(ctx, inputs[0], node.output[0])
    norm = ctx.attr(node, "norm", "MAX")
    bodies = {"MAX": {"a.max": ["r"]},
              "L1": {"a.sum": [{"a.map": ["r", {"params": [{"v": "double"}], "ret": "double",
                                                "do": {"m.abs": ["v"]}}]}]},
              "L2": {"m.sqrt": [{"a.sum": [{"a.map": ["r", {"params": [{"v": "double"}],
                                                            "ret": "double",
                                                            "do": {"*": ["v", "v"]}}]}]}]}}
    if norm not in bodies:
        ctx.refuse(f"norm {norm!r} is not supported")
    divide = {"a.map": ["r", {"params": [{"v": "double"}], "ret": "double",
                              "do": {"/": ["v", "d"]}}]}
    return [ctx.emit(node.output[0], "double", x.shape, {"do": [
        {"let": {"r": x.symbol}}, {"let": {"d": bodies[norm]}}, divide]})]


@converter("onnx", ML, "Imputer", "transformer", "replaced value (NaN by default) → imputed")
def imputer(ctx: ImportContext, node: Any, inputs: list[Tensor]) -> list[Tensor]:
    x = inputs[0]
    floats = ctx.attr(node, "imputed_value_floats", None)
    ints = ctx.attr(node, "imputed_value_int64s", None)
    if x.elem == "double" and floats:
        values = np.asarray(floats, dtype=np.float64)
        replaced = float(ctx.attr(node, "replaced_value_float", float("nan")))
    elif x.elem == "long" and ints:
        values = np.asarray(ints, dtype=np.int64)
        replaced = int(ctx.attr(node, "replaced_value_int64", 0))
    else:
        ctx.refuse("imputed values do not match the input type")
    fill = Tensor(f"{node.output[0]}_values", x.elem, values.shape, const=values)
    if x.elem == "double" and np.isnan(replaced):
        def test(v: Any) -> Any:
            return {"impute.isnan": [v]}
    else:
        def test(v: Any) -> Any:
            return {"==": [v, literal(replaced, x.elem)]}
    return [ctx.elementwise(node.output[0], [x, fill], x.elem,
                            lambda v, f: {"if": test(v), "then": f, "else": v})]


@converter("onnx", ML, "Binarizer", "transformer")
def binarizer(ctx: ImportContext, node: Any, inputs: list[Tensor]) -> list[Tensor]:
    x = as_double(ctx, inputs[0], node.output[0])
    t = float(ctx.attr(node, "threshold", 0.0))
    return [ctx.elementwise(node.output[0], [x], "double",
                            lambda v: {"if": {">": [v, t]}, "then": 1.0, "else": 0.0})]


@converter("onnx", ML, "ArrayFeatureExtractor", "transformer", "constant indices")
def array_feature_extractor(ctx: ImportContext, node: Any,
                            inputs: list[Tensor]) -> list[Tensor]:
    x, idx = inputs
    if x.is_const and not idx.is_const and x.const.ndim == 1:
        return [lookup(ctx, node, x, idx)]  # e.g. class labels by predicted index
    if x.is_const or not idx.is_const:
        ctx.refuse("ArrayFeatureExtractor takes row data and constant indices, or a "
                   "constant vector and row indices")
    return positions_op(ctx, node, inputs, [0])


def _lookup(ctx: ImportContext, name: str, x: Tensor, keys: np.ndarray, key_elem: str,
            values: np.ndarray, value_elem: str, default: Any) -> Tensor:
    """Each value of ``x`` replaced by the value of its key (``default`` when absent)."""
    if x.elem != key_elem:
        ctx.refuse(f"the keys are {key_elem} values, the input {x.elem}")
    kref = ctx.cell(f"{name}_keys", keys, key_elem)
    vref = ctx.cell(f"{name}_values", values, value_elem)
    body = [{"let": {"j": {"a.index": [kref, "p0"]}}},
            {"if": {"<": ["j", 0]}, "then": literal(default, value_elem),
             "else": {"attr": vref, "path": ["j"]}}]
    fcn = {"params": [{"p0": x.elem}], "ret": value_elem, "do": body}
    return ctx.emit(name, value_elem, x.shape, {"a.map": [x.symbol, fcn]})


def _attr_array(ctx: ImportContext, node: Any, base: str) -> tuple[np.ndarray, str] | None:
    for suffix, elem, dtype in (("strings", "string", object), ("int64s", "long", np.int64),
                                ("floats", "double", np.float64)):
        v = ctx.attr(node, f"{base}_{suffix}", None)
        if v is not None and len(v):
            return np.asarray(v, dtype=dtype), elem
    v = ctx.attr(node, f"{base}_tensor", None)
    if v is not None:
        arr = np.asarray(v)
        if pfa_type_of_numpy(arr.dtype) is None:
            ctx.refuse(f"{base}_tensor has type {arr.dtype}")
        elem = "string" if arr.dtype.kind in "OUS" else (
            "long" if arr.dtype.kind in "iu" else "double")
        return arr.astype(object) if elem == "string" else arr, elem
    return None


@converter("onnx", ML, "LabelEncoder", "transformer", "string, int64 and float keys")
def label_encoder(ctx: ImportContext, node: Any, inputs: list[Tensor]) -> list[Tensor]:
    keys = _attr_array(ctx, node, "keys")
    values = _attr_array(ctx, node, "values")
    if keys is None or values is None or len(keys[0]) != len(values[0]):
        ctx.refuse("keys and values must be given with the same length")
    elem = values[1]
    default = ctx.attr(node, {"string": "default_string", "long": "default_int64",
                              "double": "default_float"}[elem], None)
    tensor_default = ctx.attr(node, "default_tensor", None)
    if tensor_default is not None:
        default = np.asarray(tensor_default).reshape(-1)[0]
    if default is None:
        default = {"string": "_Unused", "long": -1, "double": -0.0}[elem]
    out = _lookup(ctx, node.output[0], inputs[0], keys[0], keys[1], values[0], elem, default)
    return [out]


@converter("onnx", ML, "CategoryMapper", "transformer", "string ↔ int64")
def category_mapper(ctx: ImportContext, node: Any, inputs: list[Tensor]) -> list[Tensor]:
    x = inputs[0]
    strings = np.asarray(ctx.attr(node, "cats_strings", []), dtype=object)
    ints = np.asarray(ctx.attr(node, "cats_int64s", []), dtype=np.int64)
    if len(strings) != len(ints):
        ctx.refuse("cats_strings and cats_int64s differ in length")
    if x.elem == "string":
        return [_lookup(ctx, node.output[0], x, strings, "string", ints, "long",
                        int(ctx.attr(node, "default_int64", -1)))]
    return [_lookup(ctx, node.output[0], x, ints, "long", strings, "string",
                    ctx.attr(node, "default_string", "_Unused"))]


@converter("onnx", ML, "OneHotEncoder", "transformer", "int64 or string categories")
def one_hot(ctx: ImportContext, node: Any, inputs: list[Tensor]) -> list[Tensor]:
    x = inputs[0]
    strings = ctx.attr(node, "cats_strings", None)
    ints = ctx.attr(node, "cats_int64s", None)
    zeros = int(ctx.attr(node, "zeros", 1))
    if strings:
        cats, elem = np.asarray(strings, dtype=object), "string"
    elif ints is not None and len(ints):
        cats, elem = np.asarray(ints, dtype=np.int64), "long"
    else:
        ctx.refuse("no categories")
    if x.elem == "double" and elem == "long":
        x = ctx.elementwise(f"{node.output[0]}_int", [x], "long",
                            lambda v: {"cast.long": [v]})
    if x.elem != elem:
        ctx.refuse(f"{elem} categories for {x.elem} values")
    ref = ctx.cell(f"{node.output[0]}_categories", cats, elem)
    hot = {"a.map": [ref, {"params": [{"v": elem}], "ret": "double",
                           "do": {"if": {"==": ["v", "p0"]}, "then": 1.0, "else": 0.0}}]}
    body: Any = hot
    if not zeros:
        body = [{"if": {"<": [{"a.index": [ref, "p0"]}, 0]},
                 "then": {"error": "OneHotEncoder: unknown category"}}, hot]
    fcn = {"params": [{"p0": elem}], "ret": array_of("double"), "do": body}
    return [ctx.emit(node.output[0], "double", (*x.shape, len(cats)),
                     {"a.flatten": [{"a.map": [x.symbol, fcn]}]})]


@converter("onnx", ML, "ZipMap", "transformer", "a map per row (string keys in PFA)")
def zipmap(ctx: ImportContext, node: Any, inputs: list[Tensor]) -> list[Tensor]:
    x = inputs[0]
    labels, _ = class_labels(ctx, node)
    if x.shape != (len(labels),):
        ctx.refuse(f"{len(labels)} labels for rows of shape {list(x.shape)}")
    return [Tensor(node.output[0], "double", x.shape, symbol=x.symbol, map_keys=labels)]

