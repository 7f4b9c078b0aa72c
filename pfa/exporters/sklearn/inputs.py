"""Inference of the input columns of a fitted sklearn model: names, kinds, nullability."""

from __future__ import annotations

from typing import Any

from pfa.exporters.builder import safe_name
from pfa.exporters.sklearn.data import Column

_ENCODERS = ("OneHotEncoder", "OrdinalEncoder")


def infer_columns(est: Any, sample: Any = None) -> list[Column]:
    """The model's input columns.

    Names come from ``feature_names_in_`` (made PFA-safe) or are ``x0..xN``. With a ``sample``
    DataFrame, kinds and nullability come from its dtypes and missing values; otherwise a
    column is a string when an encoder learned string categories for it, and nullable when
    the step that first reads it accepts missing values.
    """
    n = getattr(est, "n_features_in_", None)
    raw_names = getattr(est, "feature_names_in_", None)
    if n is None and raw_names is None:
        raise ValueError("the estimator is not fitted (it has no n_features_in_)")
    raw = [str(x) for x in raw_names] if raw_names is not None else [f"x{i}" for i in range(n)]
    names = _unique_safe(raw)
    if sample is not None and hasattr(sample, "dtypes"):
        return [_column_from_sample(name, sample[orig]) for name, orig in zip(names, raw)]
    consumers = _first_consumers(est, raw)
    cols = []
    for name, orig in zip(names, raw):
        consumer = consumers.get(orig)
        kind = "string" if _learned_strings(consumer, orig) else "number"
        cols.append(Column(name, None, kind, _allows_nan(consumer)))
    return cols


def _unique_safe(raw: list[str]) -> list[str]:
    out: list[str] = []
    for r in raw:
        name = safe_name(r, "x")
        base, k = name, 1
        while name in out:
            name = f"{base}_{k}"
            k += 1
        out.append(name)
    return out


def _column_from_sample(name: str, series: Any) -> Column:
    import pandas as pd

    numeric = pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(
        series.dtype)
    return Column(name, None, "number" if numeric else "string", bool(series.isna().any()))


def _first_step(est: Any) -> Any:
    while hasattr(est, "steps"):
        est = est.steps[0][1]
    return est


def _first_consumers(est: Any, raw: list[str]) -> dict[str, Any]:
    """Map each input column to the estimator that first reads it (for a column that a
    ColumnTransformer passes through, the step after the ColumnTransformer)."""
    chain = []
    while hasattr(est, "steps"):
        chain = [s for _, s in est.steps if s is not None and s != "passthrough"]
        est = chain[0] if chain else None
    first = est
    if type(first).__name__ != "ColumnTransformer":
        return {r: first for r in raw}
    after = _first_step(chain[1]) if len(chain) > 1 else None
    out: dict[str, Any] = {}
    for _, trans, cols in getattr(first, "transformers_", []):
        if isinstance(trans, str) and trans != "passthrough":
            continue
        passthrough = trans == "passthrough" or (
            type(trans).__name__ == "FunctionTransformer" and trans.func is None)
        for c in _column_names(cols, raw):
            out[c] = after if passthrough else _first_step(trans)
    return out


def _column_names(cols: Any, raw: list[str]) -> list[str]:
    import numpy as np

    if isinstance(cols, str):
        return [cols]
    if callable(cols):
        return []
    arr = np.asarray(cols)
    if arr.dtype == bool:
        return [raw[i] for i in np.flatnonzero(arr)]
    if arr.dtype.kind in "iu":
        return [raw[i] for i in arr]
    return [str(c) for c in arr]


def _learned_strings(consumer: Any, column: str) -> bool:
    if consumer is None or type(consumer).__name__ not in _ENCODERS:
        return False
    cats = getattr(consumer, "categories_", None)
    names = list(getattr(consumer, "feature_names_in_", []))
    if cats is None:
        return False
    idx = names.index(column) if column in names else 0
    return cats[idx].dtype.kind in "OUS"


def _allows_nan(consumer: Any) -> bool:
    if consumer is None:
        return False
    parts = getattr(consumer, "transformer_list", None)  # FeatureUnion: any of its parts
    if parts is not None:
        return any(_allows_nan(_first_step(t)) for _, t in parts if not isinstance(t, str))
    try:
        return bool(consumer.__sklearn_tags__().input_tags.allow_nan)
    except AttributeError:
        return False
