"""Rows of a table (DataFrame, numpy array, list of rows) as input records of a document."""

from __future__ import annotations

import math
from typing import Any

import numpy as np


def to_records(doc: dict, X: Any) -> list[Any]:
    """Engine inputs for the rows of ``X``, for a document made by :func:`export`.

    For an ``array<double>`` input each row becomes a list of floats; for a record input a
    dict keyed by the record's field names, in column order, with NaN/None as null, numbers as
    floats and strings kept.
    """
    if doc["input"] == {"type": "array", "items": "double"}:
        return np.asarray(X, dtype=np.float64).tolist()
    names = [f["name"] for f in doc["input"]["fields"]]
    if isinstance(X, np.ndarray) and X.dtype.kind == "f" and not np.isnan(X).any():
        return [dict(zip(names, row)) for row in X.tolist()]
    arr = X.to_numpy(dtype=object) if hasattr(X, "to_numpy") else np.asarray(X, dtype=object)
    return [{name: _value(v) for name, v in zip(names, row)} for row in arr]


def _value(v: Any) -> Any:
    if isinstance(v, str):
        return v
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    return float(v)
