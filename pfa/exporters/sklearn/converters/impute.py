"""SimpleImputer and MissingIndicator."""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

import numpy as np

from pfa.exporters.builder import ARRAY_DOUBLE, DocumentBuilder, Vector, lit_double
from pfa.exporters.registry import converter
from pfa.exporters.sklearn.converters.compose import concat
from pfa.exporters.sklearn.core import fitted_attr
from pfa.exporters.table import Column, Data, Table, as_table, as_vector, column_value


def _check_nan_marker(est: Any) -> None:
    mv = est.missing_values
    if not (mv is None or (isinstance(mv, float) and math.isnan(mv))):
        raise ValueError(f"missing_values={mv!r} is not supported (only NaN/None)")


def _indicator(b: DocumentBuilder, table: Table, features: list[int], what: str,
               marker_is_none: bool) -> Vector:
    items = []
    for j in features:
        col = table.columns[j]
        if col.kind == "string":
            # a null is missing for sklearn only when it is the marker sklearn looks for
            test: Any = {"ifnotnull": {"s": col.expr}, "then": False, "else": True} \
                if col.nullable and col.null_is_none == marker_is_none else False
        else:
            test = {"impute.isnan": column_value(col)}
        items.append({"if": test, "then": 1.0, "else": 0.0})
    return Vector(b.let(what, {"new": items, "type": ARRAY_DOUBLE}), len(items))


@converter("sklearn", "sklearn.impute", "SimpleImputer", "transformer",
           "mean, median, most_frequent, constant; add_indicator; keep_empty_features; "
           "NaN/None missing values")
def simple_imputer(est: Any, b: DocumentBuilder, data: Data) -> Data:
    _check_nan_marker(est)
    table = as_table(data)
    stats = fitted_attr(est, "statistics_")
    keep_empty = getattr(est, "keep_empty_features", False)
    cols: list[Column] = []
    for j, col in enumerate(table.columns):
        stat = stats[j]
        is_nan_stat = isinstance(stat, float) and math.isnan(stat)
        if is_nan_stat and not keep_empty:
            # sklearn drops the features without a statistic (entirely missing in training,
            # or strategy="constant" on them), whatever the strategy
            continue
        if col.kind == "string":
            if is_nan_stat:
                raise ValueError(f"column {col.source or col.name!r} keeps a missing "
                                 "statistic (keep_empty_features) on strings")
            if col.null_is_none != (est.missing_values is None):
                cols.append(col)  # sklearn leaves None alone when it imputes NaN (and v.v.)
                continue
            if stat is None:  # None was the most frequent value: missing values become None
                cols.append(replace(col, null_is_none=True))
                continue
            fill = {"string": str(stat)}
            expr: Any = {"impute.defaultOnNull": [col.expr, fill]} if col.nullable else col.expr
            cols.append(Column(col.name, expr, "string", False, col.source))
        else:
            if stat is None or isinstance(stat, str):
                raise ValueError(f"the statistic {stat!r} of numeric column "
                                 f"{col.source or col.name!r} is not a number")
            v = column_value(col)
            expr = {"do": [{"let": {"v": v}}, {"if": {"impute.isnan": "v"},
                                               "then": lit_double(float(stat)), "else": "v"}]}
            cols.append(Column(col.name, expr, "number", False, col.source))
    out: Data = Table(cols)
    if all(c.kind == "number" for c in cols):
        out = as_vector(b, out, "imputed")
    if est.add_indicator:
        ind = est.indicator_
        ind_vec = _indicator(b, table, [int(f) for f in ind.features_], "missing_indicator",
                             est.missing_values is None)
        if isinstance(out, Table):  # strings: sklearn's object array, indicators as bools
            names = [f"missingindicator_{table.columns[int(f)].name}" for f in ind.features_]
            return Table(out.columns + [Column(n, {"attr": ind_vec.expr, "path": [k]})
                                        for k, n in enumerate(names)])
        out = concat(b, [as_vector(b, out, "imputed"), ind_vec], "imputed_with_indicator")
    return out


@converter("sklearn", "sklearn.impute", "MissingIndicator", "transformer",
           "features missing-only/all; NaN/None missing values")
def missing_indicator(est: Any, b: DocumentBuilder, data: Data) -> Vector:
    _check_nan_marker(est)
    table = as_table(data)
    return _indicator(b, table, [int(f) for f in np.asarray(fitted_attr(est, "features_"))],
                      "missing_indicator", est.missing_values is None)
