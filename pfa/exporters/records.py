"""Rows of a table (DataFrame, numpy array, list of rows) as input records of a document."""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np


def to_records(doc: dict, X: Any) -> list[Any]:
    """Engine inputs for the rows of ``X``, for a document made by :func:`export`.

    For an ``array<double>`` input each row becomes a list of floats; for a record input a
    dict keyed by the record's field names. A DataFrame's columns are found by their original
    names (``metadata["input.columns"]``), anything else by position. Missing values (None,
    NaN, ``pd.NA``, ``NaT``) become null, numpy scalars Python values, numbers floats for
    ``double`` fields and strings are kept.
    """
    if doc["input"] == {"type": "array", "items": "double"}:
        if hasattr(X, "to_numpy"):
            return X.to_numpy(dtype=np.float64, na_value=np.nan).tolist()
        return np.asarray(X, dtype=np.float64).tolist()
    fields = doc["input"]["fields"]
    names = [f["name"] for f in fields]
    numeric = [_base(f["type"]) in ("double", "float") for f in fields]
    if isinstance(X, np.ndarray) and X.dtype.kind == "f" and not np.isnan(X).any():
        return [dict(zip(names, row)) for row in X.tolist()]
    if hasattr(X, "columns"):
        sources = json.loads(doc.get("metadata", {}).get("input.columns", "null") or "null")
        if sources and all(s in X.columns for s in sources):
            X = X[sources]
        arr = X.to_numpy(dtype=object)
    else:
        arr = np.asarray(X, dtype=object)
    return [{name: _value(v, num) for name, v, num in zip(names, row, numeric)}
            for row in arr]


def _base(avro: Any) -> Any:
    if isinstance(avro, list):
        rest = [t for t in avro if t != "null"]
        return rest[0] if rest else "null"
    return avro


def _value(v: Any, numeric: bool) -> Any:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    if isinstance(v, np.generic):
        v = v.item()
        if isinstance(v, float) and math.isnan(v):
            return None
    if isinstance(v, str):
        return v
    try:
        import pandas as pd

        if v is pd.NA or v is pd.NaT:
            return None
    except ImportError:  # pragma: no cover - pandas is a dependency of the exporter
        pass
    if numeric:
        return float(v)
    return v
