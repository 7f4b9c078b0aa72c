"""Pipeline, ColumnTransformer and FeatureUnion."""

from __future__ import annotations

from typing import Any

from pfa.exporters.builder import ARRAY_ARRAY_DOUBLE, DocumentBuilder, Output, Vector
from pfa.exporters.refusals import Refusal
from pfa.exporters.registry import converter
from pfa.exporters.sklearn.core import convert, fitted_attr
from pfa.exporters.table import Data, Table, as_table, as_vector


@converter("sklearn", "sklearn.pipeline", "Pipeline", "transformer",
           "any chain of supported steps; the last step decides the output")
def pipeline(est: Any, b: DocumentBuilder, data: Data) -> Data | Output:
    out: Data | Output = data
    for i, (name, step) in enumerate(est.steps):
        if step is None or step == "passthrough":
            continue
        if isinstance(out, Output):
            raise ValueError(f"step {name!r} follows a final estimator")
        if i > 0 and _reads_zeros_as_missing(step) and _sparse_output(est.steps[i - 1][1]):
            raise Refusal("xgboost on sparse input",
                          f"XGBoost after a step with sparse output is refused: XGBoost "
                          f"reads a sparse matrix's zeros as missing values (step {name!r}); "
                          "make the step before it dense (sparse_output=False, "
                          "sparse_threshold=0)")
        out = convert(step, b, out, f"steps[{i}]:{name}")
    return out


def _reads_zeros_as_missing(step: Any) -> bool:
    return type(step).__module__.startswith("xgboost")


def _sparse_output(step: Any) -> bool:
    """Whether a fitted step hands a sparse matrix to the next one."""
    while hasattr(step, "steps"):
        step = step.steps[-1][1]
    name = type(step).__name__
    if name == "ColumnTransformer":
        return bool(getattr(step, "sparse_output_", False))
    if name == "OneHotEncoder":
        return bool(getattr(step, "sparse_output", False))
    if name == "KBinsDiscretizer":
        return step.encode == "onehot"
    if name == "FeatureUnion":
        return any(_sparse_output(t) for _, t in step.transformer_list if not isinstance(t, str))
    return False


def concat(b: DocumentBuilder, parts: list[Vector], what: str) -> Vector:
    """Concatenate vectors into one (sklearn's hstack)."""
    parts = [p for p in parts if p.size > 0]
    if len(parts) == 1:
        return parts[0]
    expr = {"a.flatten": {"new": [p.expr for p in parts], "type": ARRAY_ARRAY_DOUBLE}}
    names = [n for p in parts for n in (p.names or [""] * p.size)]
    return Vector(b.let(what, expr), sum(p.size for p in parts), names)


def _selected(cols: Any, table: Table) -> list[int]:
    import numpy as np

    if isinstance(cols, str):
        cols = [cols]
    if callable(cols):
        raise ValueError("column selection by a callable is not supported")
    arr = np.asarray(cols)
    if arr.size == 0:
        return []
    if arr.dtype == bool:
        return [int(i) for i in np.flatnonzero(arr)]
    if arr.dtype.kind in "iu":
        return [int(i) for i in arr]
    sources = [c.source for c in table.columns]
    names = table.names
    out = []
    for c in arr:
        name = str(c)
        if name in sources:  # the user's column name (field names may differ)
            out.append(sources.index(name))
        elif name in names:
            out.append(names.index(name))
        else:
            raise ValueError(f"the input has no column {name!r}")
    return out


def _is_identity(trans: Any) -> bool:
    """A FunctionTransformer that does not change numbers: sklearn's fitted "passthrough"
    (no function) or HistGradientBoosting's float64 conversion (``check_array``)."""
    if type(trans).__name__ != "FunctionTransformer":
        return False
    func = getattr(trans.func, "func", trans.func)  # unwrap functools.partial
    return func is None or (getattr(func, "__name__", "") == "check_array"
                            and getattr(func, "__module__", "").startswith("sklearn."))


@converter("sklearn", "sklearn.compose", "ColumnTransformer", "transformer",
           "remainder drop/passthrough; columns by name, index or mask")
def column_transformer(est: Any, b: DocumentBuilder, data: Data) -> Vector:
    table = as_table(data)
    parts = []
    for name, trans, cols in fitted_attr(est, "transformers_"):
        idx = _selected(cols, table)
        if trans == "drop" or not idx:
            continue
        sub = table.select(idx)
        if trans == "passthrough" or _is_identity(trans):
            parts.append(as_vector(b, sub, f"{name}_passthrough"))
            continue
        out = convert(trans, b, sub, f"transformers[{name}]")
        if isinstance(out, Output):
            raise ValueError(f"transformer {name!r} is a final estimator")
        parts.append(as_vector(b, out, name))
    return concat(b, parts, "columns")


@converter("sklearn", "sklearn.pipeline", "FeatureUnion", "transformer",
           "transformer_weights supported")
def feature_union(est: Any, b: DocumentBuilder, data: Data) -> Vector:
    parts = []
    weights = est.transformer_weights or {}
    for name, trans in est.transformer_list:
        if trans == "drop":
            continue
        out = convert(trans, b, data, f"transformer_list[{name}]")
        if isinstance(out, Output):
            raise ValueError(f"transformer {name!r} is a final estimator")
        vec = as_vector(b, out, name)
        if name in weights and weights[name] != 1:
            vec = Vector(b.let(f"{name}_weighted",
                               {"la.scale": [vec.expr, float(weights[name])]}),
                         vec.size, vec.names)
        parts.append(vec)
    return concat(b, parts, "union")
