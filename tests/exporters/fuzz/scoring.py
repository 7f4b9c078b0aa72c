"""Held-back rows to score: rows like the training data, then one row per column with a
missing value, an unseen category, extreme values, and values on each side of every tree
threshold the fitted model compares with (float64 and float32 neighbours)."""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from tests.exporters.fuzz import tables as T
from tests.exporters.fuzz.pipelines import Case

UNSEEN = "zz-unseen"
F32 = np.finfo(np.float32)
EXTREME = (1e300, -1e300, np.inf, -np.inf, 3.5e38, -0.0, 5e-324, 1e-30)
EXTREME_F32 = (float(F32.max), -float(F32.max), np.inf, -np.inf, -0.0, 1e-40)
EXTREME_INT = (2**53 + 1, -(2**62), 0)
MAX_THRESHOLDS = 5
MAX_SPECIAL = 24  # missing, unseen and extreme rows per case
#: beyond this magnitude sums of products are dominated by rounding (cancellation between
#: terms of 1e60 and more): such rows must fail or succeed like sklearn, their values are not
#: compared (the README's "How exact" section says so)
EXTREME_MAGNITUDE = 1e30


def scoring_rows(case: Case, model: Any, train: dict[str, list[Any]]
                 ) -> tuple[list[dict[str, Any]], set[int]]:
    """The rows (column name → raw value, ``tables.MISSING`` for missing) to score, and the
    indexes of the rows holding a finite value beyond ``EXTREME_MAGNITUDE``."""
    rng = np.random.default_rng(case.seed + 1)
    n = len(next(iter(train.values())))
    table = case.table
    fresh = {c.name: T.column_values(c, 10, rng) for c in table.columns}
    rows = [{k: v[i] for k, v in fresh.items()} for i in range(10)]

    def base() -> dict[str, Any]:
        i = int(rng.integers(0, n))
        return {k: v[i] for k, v in train.items()}

    special = []
    for c in table.columns:
        if c.dtype in T.NULLABLE:
            special.append({**base(), c.name: T.MISSING})
        if c.kind == "cat":
            special.append({**base(), c.name: UNSEEN})
        elif c.dtype not in T.BOOLEAN:
            values = (EXTREME_INT if c.dtype in ("int64", "Int64") else
                      EXTREME_F32 if c.dtype == "float32" else EXTREME)
            special.extend({**base(), c.name: float(v)} for v in values)
    if len(special) > MAX_SPECIAL:  # wide tables: a random subset, different per case
        special = [special[int(i)] for i in sorted(rng.choice(len(special), MAX_SPECIAL,
                                                              replace=False))]
    rows.extend(special)
    rows.append({c.name: T.MISSING if c.dtype in T.NULLABLE else v
                 for c, v in zip(table.columns, base().values())})
    rows.extend(_threshold_rows(case, model, base, rng))
    extreme = {i for i, r in enumerate(rows) if any(
        isinstance(v, float) and np.isfinite(v) and abs(v) >= EXTREME_MAGNITUDE
        for v in r.values())}
    return rows, extreme


def _threshold_rows(case: Case, model: Any, base: Any, rng: np.random.Generator) -> list[dict]:
    if not case.feature_map:
        return []
    cols = {c.name: c for c in case.table.columns}
    found = [(f, t) for f, t in thresholds(final_step(model))
             if 0 <= f < len(case.feature_map)
             and cols[case.feature_map[f]].dtype in ("float64", "float32", "Float64")]
    if len(found) > MAX_THRESHOLDS:
        found = [found[int(i)] for i in rng.choice(len(found), MAX_THRESHOLDS, replace=False)]
    rows = []
    for f, t in found:
        col = cols[case.feature_map[f]]
        for v in neighbours(t):
            if col.dtype == "float32":
                v = float(np.float32(v))
            rows.append({**base(), col.name: v})
    return rows


def neighbours(t: float) -> list[float]:
    """``t``, its float64 neighbours, its float32 rounding and that rounding's float32
    neighbours (as float64 values)."""
    t = float(t)
    if not np.isfinite(t):
        return []
    t32 = np.float32(t)
    out = {t, float(np.nextafter(t, np.inf)), float(np.nextafter(t, -np.inf)), float(t32),
           float(np.nextafter(t32, np.float32(np.inf))),
           float(np.nextafter(t32, np.float32(-np.inf)))}
    return sorted(v for v in out if np.isfinite(v))


def final_step(model: Any) -> Any:
    while hasattr(model, "steps"):
        model = model.steps[-1][1]
    return model


def thresholds(est: Any) -> list[tuple[int, float]]:
    """(feature index, threshold) of every numeric split of a fitted tree model."""
    out: list[tuple[int, float]] = []
    tree = getattr(est, "tree_", None)
    if tree is not None:
        return [(int(f), float(t)) for f, t in zip(tree.feature, tree.threshold) if f >= 0]
    subs = getattr(est, "estimators_", None)
    if subs is not None and type(est).__name__ != "IsolationForest":
        for sub in np.asarray(subs, dtype=object).ravel():
            out += thresholds(sub)
        return out
    if subs is not None:  # IsolationForest: each tree sees a subset of the features
        for sub, feats in zip(subs, est.estimators_features_):
            out += [(int(feats[f]), t) for f, t in thresholds(sub)]
        return out
    predictors = getattr(est, "_predictors", None)
    if predictors is not None and getattr(est, "_preprocessor", None) is None:
        for it in predictors:
            for p in it:
                n = p.nodes
                keep = (n["is_leaf"] == 0) & (n["is_categorical"] == 0)
                out += [(int(f), float(t)) for f, t in zip(n["feature_idx"][keep],
                                                           n["num_threshold"][keep])]
        return out
    if hasattr(est, "get_booster"):
        df = est.get_booster().trees_to_dataframe()
        df = df[df["Feature"] != "Leaf"]
        return [(_index(f), float(t)) for f, t in zip(df["Feature"], df["Split"])]
    if hasattr(est, "booster_"):
        df = est.booster_.trees_to_dataframe()
        df = df[df["split_feature"].notna()]
        return [(_index(f), float(t)) for f, t in zip(df["split_feature"], df["threshold"])]
    return out


def _index(name: str) -> int:
    m = re.search(r"(\d+)$", str(name))
    return int(m.group(1)) if m else -1
