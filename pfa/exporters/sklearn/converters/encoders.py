"""OneHotEncoder and OrdinalEncoder.

Rather than re-deriving sklearn's rules for dropped, infrequent, unknown and missing
categories, the converter asks the fitted encoder itself: it transforms one probe row per
learned category (plus an unseen value and a missing value) and records, for each input
column, the block of output values each category produces. The document looks the category
up (a map for strings, comparisons for numbers) and emits that block; an unknown category
where sklearn would raise raises a PFA user error instead.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from pfa.exporters.builder import ARRAY_ARRAY_DOUBLE, DocumentBuilder, Vector, lit_double, nums
from pfa.exporters.refusals import Refusal
from pfa.exporters.registry import converter
from pfa.exporters.sklearn.converters.compose import concat
from pfa.exporters.sklearn.core import fitted_attr
from pfa.exporters.table import Column, Data, as_table

UNKNOWN_CODE = -100  # user error code of an unknown category where sklearn raises
_UNSEEN = "\x00pfa-unseen\x00"


def _is_missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def _frame(est: Any, rows: list[list[Any]]) -> Any:
    names = getattr(est, "feature_names_in_", None)
    if names is not None:
        import pandas as pd

        return pd.DataFrame(rows, columns=list(names), dtype=object)
    return np.array(rows, dtype=object)


def _probe(est: Any, base: list[Any], i: int, value: Any) -> np.ndarray | None:
    row = list(base)
    row[i] = value
    try:
        out = est.transform(_frame(est, [row]))
    except (ValueError, TypeError):  # sklearn refuses the value (unknown or not comparable)
        return None
    out = out.toarray() if hasattr(out, "toarray") else np.asarray(out)
    return np.asarray(out, dtype=np.float64)[0]


def _blocks(est: Any) -> list[tuple[int, int]]:
    sizes = getattr(est, "_n_features_outs", None)
    if sizes is None:  # OrdinalEncoder: one output per input
        sizes = [1] * len(est.categories_)
    out, start = [], 0
    for s in sizes:
        out.append((start, start + int(s)))
        start += int(s)
    return out


def _unseen_value(cats: np.ndarray) -> Any:
    if cats.dtype.kind in "iuf":
        return float(np.nanmax(cats.astype(np.float64))) + 12345.5 if cats.size else 0.5
    return _UNSEEN


def _missing_value(est: Any, i: int, col: Column, cats: np.ndarray, base: list[Any]) -> Any:
    """The missing value to probe with: what a null of this column stands for in the user's
    data — None for an object column holding None, else NaN (a pandas ``str`` or
    ``category`` column, a column read from a file, a number) — whether or not sklearn stored
    it among the categories. A PFA null cannot tell None from NaN, so an encoder that learned
    both as different categories is refused."""
    stored = [c for c in cats.tolist() if _is_missing(c)]
    if cats.dtype.kind == "f" or not stored:
        return None if col.null_is_none and cats.dtype.kind == "O" else np.nan
    if len(stored) > 1:
        a, b = (_probe(est, base, i, v) for v in stored)
        if a is None or b is None or not np.array_equal(a, b):
            raise Refusal("None and NaN categories",
                          f"the encoder learned None and NaN as two different categories "
                          f"of column {col.source or col.name!r}; a PFA null cannot tell "
                          "them apart (use one missing-value marker in the training data)")
    return None if col.null_is_none else np.nan


def _numeric_lookup(col_expr: Any, cats: list[Any]) -> Any:
    """Index of a numeric value among ``cats`` (-1 if none) by comparisons."""
    clauses = [{"if": {"==": [col_expr, lit_double(c)]}, "then": k}
               for k, c in enumerate(cats)]
    return {"cond": clauses, "else": -1} if clauses else -1


def _encode_column(b: DocumentBuilder, est: Any, i: int, col: Column, base: list[Any],
                   what: str) -> Vector:
    cats = np.asarray(est.categories_[i])
    lo, hi = _blocks(est)[i]
    known = [c for c in cats.tolist() if not _is_missing(c)]
    rows = [_probe(est, base, i, c) for c in known]
    unknown = _probe(est, base, i, _unseen_value(cats))
    missing = _probe(est, base, i, _missing_value(est, i, col, cats, base))
    table = [r[lo:hi] for r in rows]
    k_unknown = len(table)
    table.append(unknown[lo:hi] if unknown is not None else np.zeros(hi - lo))
    k_missing = len(table)
    table.append(missing[lo:hi] if missing is not None else np.zeros(hi - lo))
    cell = b.cell(f"{what}_table", ARRAY_ARRAY_DOUBLE, nums(np.array(table)))
    unknown_expr: Any = k_unknown if unknown is not None else {
        "error": f"unknown category in column {col.name}", "code": UNKNOWN_CODE}
    missing_expr: Any = k_missing if missing is not None else {
        "error": f"missing value in column {col.name}", "code": UNKNOWN_CODE}
    value = "v"
    if col.kind == "string":
        index_map = b.cell(f"{what}_index", {"type": "map", "values": "int"},
                           {str(c): k for k, c in enumerate(known)})
        found: Any = {"if": {"map.containsKey": [index_map, value]},
                      "then": {"attr": index_map, "path": [value]}, "else": -1}
    else:
        found = {"if": {"impute.isnan": value}, "then": -2,
                 "else": _numeric_lookup(value, known)}
    resolve = {"do": [{"let": {"k": found}},
                      {"cond": [{"if": {"==": ["k", -1]}, "then": unknown_expr},
                                {"if": {"==": ["k", -2]}, "then": missing_expr}],
                       "else": "k"}]}
    if col.nullable:
        index: Any = {"ifnotnull": {value: col.expr}, "then": resolve, "else": missing_expr}
    else:
        index = {"do": [{"let": {value: col.expr}}, resolve]}
    k = b.let(f"{what}_code", index)
    return Vector(b.let(what, {"attr": cell, "path": [k]}), hi - lo)


def _base_row(est: Any) -> list[Any]:
    row = []
    for cats in est.categories_:
        known = [c for c in np.asarray(cats).tolist() if not _is_missing(c)]
        row.append(known[0] if known else None)
    return row


def _encoder(est: Any, b: DocumentBuilder, data: Data, what: str) -> Vector:
    table = as_table(data)
    cats = fitted_attr(est, "categories_")
    if len(cats) != len(table.columns):
        raise ValueError(f"the encoder expects {len(cats)} columns, got {len(table.columns)}")
    base = _base_row(est)
    parts = [_encode_column(b, est, i, col, base, f"{what}{i}")
             for i, col in enumerate(table.columns)]
    return concat(b, parts, what)


@converter("sklearn", "sklearn.preprocessing", "OneHotEncoder", "transformer",
           "handle_unknown error/ignore/infrequent_if_exist, drop, missing categories "
           "(NaN or None, as learned)")
def one_hot_encoder(est: Any, b: DocumentBuilder, data: Data) -> Vector:
    return _encoder(est, b, data, "onehot")


@converter("sklearn", "sklearn.preprocessing", "OrdinalEncoder", "transformer",
           "unknown_value, encoded_missing_value")
def ordinal_encoder(est: Any, b: DocumentBuilder, data: Data) -> Vector:
    return _encoder(est, b, data, "ordinal")
