"""Inference of the input columns of a fitted sklearn model: names, kinds, nullability.

What is not sklearn's (field names for column names, kinds from a sample's dtypes, the input
type) lives in :mod:`pfa.exporters.table`; this module reads what the fitted estimators know.
"""

from __future__ import annotations

from typing import Any

from pfa.errors import UnsupportedModelError
from pfa.exporters.table import Column, columns_from_sample, field_names

_ENCODERS = ("OneHotEncoder", "OrdinalEncoder")
_IMPUTERS = ("SimpleImputer",)


def infer_columns(est: Any, sample: Any = None) -> list[Column]:
    """The model's input columns, in the order the model reads them.

    Names are the record's field names (see :func:`field_names`); ``source`` keeps the
    original column name. With a ``sample`` DataFrame, kinds come from its dtypes; otherwise a
    column is a string when an encoder (or an imputer in front of one) learned strings for it.
    ``nullable`` is a first guess from the tags of the step that first reads the column; the
    exporter replaces it with what the fitted pipeline does with a missing value
    (:mod:`pfa.exporters.sklearn.probe`).
    """
    n = getattr(est, "n_features_in_", None)
    raw_names = getattr(est, "feature_names_in_", None)
    if n is None and raw_names is None:
        raise ValueError("the estimator is not fitted (it has no n_features_in_)")
    raw = [str(x) for x in raw_names] if raw_names is not None else [f"x{i}" for i in range(n)]
    names = field_names(raw)
    if sample is not None and not hasattr(sample, "dtypes") and hasattr(sample, "dtype"):
        _refuse_float32(["(the sample array)"], [sample])
    if sample is not None and hasattr(sample, "dtypes"):
        if raw_names is None and len(sample.columns) == len(raw):
            sources = [str(c) for c in sample.columns]
            series = [sample.iloc[:, i] for i in range(len(raw))]
        else:
            missing = [r for r in raw if r not in sample.columns]
            if missing:
                raise ValueError(f"the sample has no column {missing[0]!r}")
            sources, series = raw, [sample[r] for r in raw]
        _refuse_float32(sources, series)
        return columns_from_sample(sources, series)
    consumers = _first_consumers(est, raw)
    none_columns = _learned_none(est)
    cols = []
    for name, orig in zip(names, raw):
        consumer = consumers.get(orig)
        kind = "string" if _learned_strings(consumer, orig) else "number"
        cols.append(Column(name, None, kind, kind == "string" or _allows_nan(consumer),
                           source=orig, null_is_none=kind == "string" and orig in none_columns))
    return cols


def learned_per_column(est: Any) -> list[tuple[str, Any, list[Any]]]:
    """(input column name, fitted step, the values it learned for that column) for every
    encoder (categories) and imputer (statistic) in ``est``, outermost first. Steps fitted on
    arrays know their columns by the names the steps before them give."""
    import numpy as np

    out: list[tuple[str, Any, list[Any]]] = []

    def walk(e: Any, names: list[str] | None) -> None:
        own = getattr(e, "feature_names_in_", None)
        names = [str(n) for n in own] if own is not None else names
        if hasattr(e, "steps"):
            for _, s in e.steps:
                if s is None or isinstance(s, str):
                    continue
                walk(s, names)
                try:
                    names = [str(n) for n in s.get_feature_names_out(names)]
                except Exception:  # a step that cannot name its outputs
                    names = None
        for _, t, cols in getattr(e, "transformers_", None) or []:
            if not isinstance(t, str) and names is not None:
                walk(t, _column_names(cols, names))
        for _, t in getattr(e, "transformer_list", None) or []:
            if not isinstance(t, str):
                walk(t, names)
        if names is None:
            return
        cats = getattr(e, "categories_", None)
        stats = getattr(e, "statistics_", None) if cats is None else None
        if cats is not None:
            out.extend((n, e, list(np.asarray(v, dtype=object))) for n, v in zip(names, cats))
        elif stats is not None:
            out.extend((n, e, [v]) for n, v in zip(names, np.asarray(stats, dtype=object)))

    walk(est, None)
    return out


def _learned_none(est: Any) -> set[str]:
    """Names of the columns for which some encoder learned None as a category (so the user's
    missing values in them are None, which sklearn's NaN imputers leave alone)."""
    return {n for n, e, values in learned_per_column(est)
            if hasattr(e, "categories_") and any(v is None for v in values)}


def _refuse_float32(sources: list[str], series: list[Any]) -> None:
    import numpy as np

    f32 = [str(s) for s, col in zip(sources, series)
           if getattr(col, "dtype", None) == np.float32]
    if f32:
        raise UnsupportedModelError(
            f"float32 input data is refused: the sample has float32 columns "
            f"({', '.join(f32[:5])}); with float32 data sklearn computes several steps in "
            "float32, which a PFA document (double) does not reproduce exactly; cast the data "
            "to float64 for training, scoring and the sample", estimator="sample",
            place="sample", reason="float32 data")


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
        return {r: _first_step(first) for r in raw}
    after = _first_step(chain[1]) if len(chain) > 1 else None
    out: dict[str, Any] = {}
    for _, trans, cols in getattr(first, "transformers_", []):
        if isinstance(trans, str) and trans != "passthrough":
            continue
        passthrough = trans == "passthrough" or (
            type(trans).__name__ == "FunctionTransformer" and trans.func is None)
        for c in _column_names(cols, raw):
            out[c] = after if passthrough else trans
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


def _learned_strings(consumer: Any, column: str, idx: int | None = None) -> bool:
    """Whether the first steps that read ``column`` learned strings for it: an encoder's
    categories, or the statistics of an imputer in front of one."""
    while hasattr(consumer, "steps"):
        steps = [s for _, s in consumer.steps if s is not None and s != "passthrough"]
        consumer = steps[0] if steps else None
        if len(steps) > 1 and type(consumer).__name__ in _IMPUTERS and \
                _learned_strings(steps[1], column, position_of(consumer, column)):
            return True  # the encoder after the imputer learned strings
    return _learned_strings_by(consumer, column, idx)


def position_of(step: Any, column: str) -> int:
    names = [str(x) for x in getattr(step, "feature_names_in_", [])]
    return names.index(column) if column in names else 0


def _learned_strings_by(consumer: Any, column: str, idx: int | None = None) -> bool:
    name = type(consumer).__name__
    if name in _ENCODERS:
        values = getattr(consumer, "categories_", None)
    elif name in _IMPUTERS:
        stats = getattr(consumer, "statistics_", None)
        values = None if stats is None else [stats[i:i + 1] for i in range(len(stats))]
    else:
        return False
    if values is None:
        return False
    if idx is None:
        idx = position_of(consumer, column)
    if idx >= len(values):
        return False
    return any(isinstance(v, str) for v in list(values[idx]))


def _allows_nan(consumer: Any) -> bool:
    consumer = _first_step(consumer)
    if consumer is None:
        return True  # a dropped column: never read
    parts = getattr(consumer, "transformer_list", None)  # FeatureUnion: any of its parts
    if parts is not None:
        return any(_allows_nan(_first_step(t)) for _, t in parts if not isinstance(t, str))
    try:
        return bool(consumer.__sklearn_tags__().input_tags.allow_nan)
    except AttributeError:
        return False
