"""Spark's column-wise feature stages: VectorAssembler, StringIndexer, IndexToString,
OneHotEncoder, Imputer, Bucketizer (QuantileDiscretizer's model), Binarizer, VectorSlicer."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from pfa.exporters.builder import ARRAY_DOUBLE, lit_double
from pfa.exporters.registry import converter
from pfa.exporters.spark.exprs import (
    any_nan,
    doubles_cell,
    fcn,
    if_,
    is_nan,
    let_in,
    to_double,
    to_int,
    vector,
)
from pfa.exporters.spark.flow import DOUBLE, STRING, VECTOR, Column, Flow
from pfa.exporters.spark.saved import SavedStage

FEATURE = "org.apache.spark.ml.feature"


def in_out(stage: SavedStage, flow: Flow, multi: str = "Cols") -> list[tuple[str, str]]:
    """The stage's (input column, output column) pairs: ``inputCol``/``outputCol`` or the
    multi-column ``inputCols``/``outputCols``."""
    ins, outs = stage.param("input" + multi), stage.param("output" + multi)
    if stage.is_set("input" + multi) or (ins and not stage.is_set("inputCol")):
        if not outs or len(ins) != len(outs):
            flow.refuse("inputCols and outputCols differ in length")
        return list(zip(ins, outs))
    return [(stage.param("inputCol"), stage.param("outputCol"))]


@converter("spark", FEATURE, "VectorAssembler", "transformer",
           "numbers and vectors; handleInvalid error, skip, keep")
def vector_assembler(stage: SavedStage, flow: Flow) -> None:
    mode = flow.handle_invalid()
    parts, checks, size = [], [], 0
    for name in stage.param("inputCols"):
        col = flow.column(name, (DOUBLE, VECTOR))
        value = col.expr
        if col.nullable and col.base == DOUBLE:  # null is NaN (kept, or invalid below)
            value = {"impute.defaultOnNull": [value, {"double": "NaN"}]}
        elif col.nullable and mode == "keep" and col.size is not None:  # NaNs of its size
            value = {"impute.defaultOnNull": [value, vector([{"double": "NaN"}] * col.size)]}
        elif col.nullable:
            value = flow.non_null(col, name)
        if col.base == DOUBLE:
            parts.append(("d", value))
            checks.append(is_nan(value))
            size = size + 1 if size is not None else None
        else:
            parts.append(("v", value))
            checks.append(any_nan(value))
            size = size + col.size if (size is not None and col.size is not None) else None
    if all(kind == "d" for kind, _ in parts):
        expr: Any = vector([v for _, v in parts])
    else:
        expr = {"a.flatten": [{"new": [vector([v]) if k == "d" else v for k, v in parts],
                               "type": {"type": "array", "items": ARRAY_DOUBLE}}]}
    if mode != "keep":
        expr = if_(_any(checks),
                   flow.invalid("NaN or null value in the assembled columns", mode), expr)
    flow.set_column(stage.param("outputCol"), Column(expr, VECTOR, size))


def _any(checks: list[Any]) -> Any:
    out = checks[0]
    for c in checks[1:]:
        out = {"||": [out, c]}
    return out


@converter("spark", FEATURE, "VectorSizeHint", "transformer", "passes the column through")
def vector_size_hint(stage: SavedStage, flow: Flow) -> None:
    name, size = stage.param("inputCol"), int(stage.param("size"))
    col = flow.column(name, VECTOR)
    flow.columns[name] = Column(col.expr, col.type, size, col.labels, col.categorical)


@converter("spark", FEATURE, "StringIndexerModel", "transformer",
           "one or many columns, string or numeric input, every stringOrderType, "
           "handleInvalid error, skip, keep")
def string_indexer(stage: SavedStage, flow: Flow) -> None:
    mode = flow.handle_invalid()
    row = stage.data_row()
    labels_array = row.get("labelsArray") or [row.get("labels")]
    pairs = in_out(stage, flow)
    if len(labels_array) != len(pairs):
        flow.refuse("the saved labels do not match the input columns")
    for (src, dst), labels in zip(pairs, labels_array):
        col = flow.column(src, (STRING, DOUBLE))
        unknown: Any = float(len(labels)) if mode == "keep" else \
            flow.invalid(f"unseen label or null in column {src!r}", mode)
        if col.base == STRING:
            table = flow.builder.cell(f"{dst}_labels", {"type": "map", "values": "double"},
                                      {lab: float(i) for i, lab in enumerate(labels)})
            found = if_({"map.containsKey": [table, "sv"]}, {"attr": table, "path": ["sv"]},
                        unknown)
            var = "sv"
        else:
            values = _numeric_labels(flow, labels)
            cell = doubles_cell(flow, f"{dst}_labels", values)  # NaN equals nothing
            nan_at = next((i for i, v in enumerate(values) if math.isnan(v)), None)
            # Spark compares the value's string form: -0.0 and 0.0 are different labels
            same = {"&&": [{"==": ["lab", "dv"]},
                           {"||": [{"!=": ["dv", 0.0]},
                                   {"==": [_negative_zero_or_below("lab"),
                                           _negative_zero_or_below("dv")]}]}]}
            index = {"a.index": [cell, fcn({"lab": "double"}, "boolean", same)]}
            found = let_in({"ix": index}, if_({">=": ["ix", 0]}, to_double("ix"), unknown))
            if nan_at is not None:
                found = if_(is_nan("dv"), float(nan_at), found)
            else:
                found = if_(is_nan("dv"), unknown, found)
            var = "dv"
        if col.nullable:
            expr = {"ifnotnull": {var: col.expr}, "then": found, "else": unknown}
        else:
            expr = let_in({var: col.expr}, found)
        out_labels = list(labels) + (["__unknown"] if mode == "keep" else [])
        flow.set_column(dst, Column(expr, DOUBLE, labels=out_labels))


def _numeric_labels(flow: Flow, labels: list[str]) -> list[float]:
    """The labels of a numeric column (Spark cast its values to strings) as numbers."""
    try:
        values = [float(lab) for lab in labels]
    except ValueError:
        flow.refuse("a numeric input column has non-numeric saved labels")
    return values


def _negative_zero_or_below(x: str) -> dict[str, Any]:
    """Whether ``x`` is negative, -0.0 included (1 / -0.0 is -inf)."""
    return {"<": [{"/": [1.0, x]}, 0.0]}


@converter("spark", FEATURE, "IndexToString", "transformer",
           "labels from the param or traced from the indexer")
def index_to_string(stage: SavedStage, flow: Flow) -> None:
    src = stage.param("inputCol")
    col = flow.column(src, DOUBLE)
    labels = stage.param("labels") if stage.is_set("labels") else col.labels
    if not labels:
        flow.refuse(f"no labels: the param is not set and column {src!r} carries none")
    cell = flow.builder.cell(f"{stage.param('outputCol')}_labels",
                             {"type": "array", "items": "string"}, list(labels))
    value = flow.non_null(col, src)
    ok = {"&&": [{">=": ["ti", 0.0]}, {"<": ["ti", float(len(labels))]}]}
    expr = let_in({"ti": value}, if_(ok, {"attr": cell, "path": [to_int("ti")]},
                                    flow.invalid(f"index out of range in column {src!r}",
                                                 "error")))
    flow.set_column(stage.param("outputCol"), Column(expr, STRING))


@converter("spark", FEATURE, "OneHotEncoderModel", "transformer",
           "dropLast, handleInvalid error, keep")
def one_hot_encoder(stage: SavedStage, flow: Flow) -> None:
    mode = flow.handle_invalid(("error", "keep"))
    sizes = [int(s) for s in stage.data_row()["categorySizes"]]
    drop_last = bool(stage.param("dropLast", True))
    pairs = in_out(stage, flow)
    for (src, dst), n in zip(pairs, sizes):
        col = flow.column(src, DOUBLE)
        keep = mode == "keep"
        size = n - 1 if (drop_last and not keep) else (n + 1 if (keep and not drop_last) else n)
        zeros = doubles_cell(flow, f"{dst}_zeros", np.zeros(size))
        valid = {"&&": [{">=": ["oi", 0.0]}, {"<": ["oi", float(n)]}]}
        index = if_(valid, to_int("oi"), n if keep else
                    flow.invalid(f"unseen value in column {src!r}", "error"))
        body = {"a.mapWithIndex": [zeros, fcn({"i": "int", "z": "double"}, "double",
                                              if_({"==": ["i", "k"]}, 1.0, 0.0))]}
        expr = let_in({"oi": flow.non_null(col, src), "k": index}, body)
        flow.set_column(dst, Column(expr, VECTOR, size))


@converter("spark", FEATURE, "ImputerModel", "transformer",
           "mean, median, mode; any missingValue")
def imputer(stage: SavedStage, flow: Flow) -> None:
    row = stage.data_row()
    missing = float(stage.param("missingValue", float("nan")))
    for src, dst in in_out(stage, flow):
        if src not in row:
            flow.refuse(f"no saved surrogate for column {src!r}")
        col = flow.column(src, DOUBLE)
        surrogate = lit_double(row[src])
        test = is_nan("mv") if math.isnan(missing) else {"==": ["mv", lit_double(missing)]}
        found = if_(test, surrogate, "mv")
        if col.nullable:
            expr = {"ifnotnull": {"mv": col.expr}, "then": found, "else": surrogate}
        else:
            expr = let_in({"mv": col.expr}, found)
        flow.set_column(dst, Column(expr, DOUBLE))


@converter("spark", FEATURE, "Bucketizer", "transformer",
           "also QuantileDiscretizer's model; one or many columns; handleInvalid error, "
           "skip, keep; -0.0 ordered below 0.0 as Spark's binary search does")
def bucketizer(stage: SavedStage, flow: Flow) -> None:
    mode = flow.handle_invalid()
    pairs = in_out(stage, flow)
    if len(pairs) == 1 and stage.param("splits") is not None and not stage.is_set("inputCols"):
        splits_list = [stage.param("splits")]
    else:
        splits_list = stage.param("splitsArray")
    for (src, dst), splits in zip(pairs, splits_list):
        col = flow.column(src, DOUBLE)
        splits = [_double(s) for s in splits]
        value = col.expr
        if col.nullable:
            value = {"ifnotnull": {"bn": col.expr}, "then": "bn",
                     "else": flow.invalid(f"null value in column {src!r}",
                                          "skip" if mode == "skip" else "error")}
        flow.set_column(dst, Column(let_in({"bx": value},
                                           _bucket(flow, dst, splits, mode, src)), DOUBLE))


def _double(v: Any) -> float:
    if isinstance(v, str):
        return float(v.replace("Infinity", "inf"))
    return float(v)


def _bucket(flow: Flow, dst: str, splits: list[float], mode: str, src: str) -> Any:
    """The bucket of ``bx`` as Spark's ``binarySearchForBuckets``: Java's binary search
    orders -0.0 below 0.0; a value equal to the last split falls in the last bucket."""
    n = len(splits)
    cell = doubles_cell(flow, f"{dst}_splits", splits)
    count = {"a.count": [cell, fcn({"sp": "double"}, "boolean", {"<=": ["sp", "bx"]})]}
    has_pos_zero = any(s == 0.0 and math.copysign(1.0, s) > 0 for s in splits)
    if has_pos_zero:  # IEEE counts 0.0 <= -0.0; Java's order does not
        neg_zero = {"&&": [{"==": ["bx", 0.0]}, {"<": [{"/": [1.0, "bx"]}, 0.0]}]}
        count = {"-": [count, if_(neg_zero, 1, 0)]}
    out_of_bounds = flow.invalid(f"value out of the Bucketizer's bounds in column {src!r}",
                                 "error")
    found = let_in({"bk": count}, if_({"||": [{"==": ["bk", 0]}, {"==": ["bk", n]}]},
                                      out_of_bounds, to_double({"-": ["bk", 1]})))
    last = if_({"==": ["bx", lit_double(splits[-1])]}, float(n - 2), found)
    on_nan: Any = float(n - 1) if mode == "keep" else \
        flow.invalid(f"NaN value in column {src!r}", mode)
    return if_(is_nan("bx"), on_nan, last)


@converter("spark", FEATURE, "Binarizer", "transformer",
           "numbers and vectors, one or many columns")
def binarizer(stage: SavedStage, flow: Flow) -> None:
    pairs = in_out(stage, flow)
    if stage.param("thresholds") is not None and stage.is_set("inputCols"):
        thresholds = [float(t) for t in stage.param("thresholds")]
    else:  # one threshold for every column
        thresholds = [float(stage.param("threshold", 0.0))] * len(pairs)
    for (src, dst), t in zip(pairs, thresholds):
        col = flow.column(src, (DOUBLE, VECTOR))
        value = flow.non_null(col, src)
        body = if_({">": ["bz", lit_double(t)]}, 1.0, 0.0)
        if col.base == DOUBLE:
            flow.set_column(dst, Column(let_in({"bz": value}, body), DOUBLE))
        else:
            expr = {"a.map": [value, fcn({"bz": "double"}, "double", body)]}
            flow.set_column(dst, Column(expr, VECTOR, col.size))


@converter("spark", FEATURE, "VectorSlicer", "transformer", "indices (names refused)")
def vector_slicer(stage: SavedStage, flow: Flow) -> None:
    if stage.param("names"):
        flow.refuse("slicing by feature names needs Spark's attribute metadata; use indices")
    src = stage.param("inputCol")
    col = flow.column(src, VECTOR)
    indices = [int(i) for i in stage.param("indices") or []]
    if col.size is not None and any(i >= col.size for i in indices):
        flow.refuse(f"an index is beyond the {col.size} elements of column {src!r}")
    value = flow.non_null(col, src)
    expr = let_in({"vs": value}, vector([{"attr": "vs", "path": [i]} for i in indices]))
    flow.set_column(stage.param("outputCol"), Column(expr, VECTOR, len(indices)))
