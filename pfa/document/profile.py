"""Training profiles: per-feature statistics of training data, kept in a document's metadata,
and the population stability index (PSI) of served data against them.

A profile is the JSON text of ``metadata["training.profile"]``::

    {"version": 1, "rows": 150, "features": {
        "sepal_length": {"kind": "number", "null_rate": 0.0, "mean": 5.84, "std": 0.83,
                         "edges": [5.1, 5.8, 6.4], "fractions": [0.27, 0.25, 0.24, 0.24]},
        "color": {"kind": "category", "null_rate": 0.0,
                  "fractions": {"red": 0.5, "blue": 0.5}}}}

``edges`` are the interior cut points of the bins (a value v falls in the first bin whose edge
is >= v, else the last bin), ``fractions`` the share of training rows in each bin (or
category). Feature keys are the input record's field names. This module depends on nothing
else in pfa: exporters build profiles with :func:`build_profile`, ``pfa serve`` reads them
(:mod:`pfa.serve.monitor`). None, NaN and pandas' NA all count as missing.
"""

from __future__ import annotations

import bisect
import json
import math
import numbers
from collections.abc import Iterable, Mapping
from typing import Any

METADATA_KEY = "training.profile"
EPSILON = 1e-4
"""Floor of a bin's share in the PSI (an empty bin would make it infinite)."""


def _is_number(v: Any) -> bool:
    """A real number (Python or numpy), not a boolean."""
    return isinstance(v, numbers.Real) and not isinstance(v, bool) and \
        type(v).__name__ not in ("bool_", "bool")


def _missing(v: Any) -> bool:
    """None, a NaN (Python or numpy) or pandas' NA/NaT."""
    if v is None or type(v).__name__ in ("NAType", "NaTType"):
        return True
    return isinstance(v, float) and v != v


def build_profile(columns: Mapping[str, Iterable[Any]], bins: int = 10,
                  max_categories: int = 50) -> dict[str, Any]:
    """The profile of training data given as columns (field name → values)."""
    features: dict[str, Any] = {}
    rows = 0
    for name, values in columns.items():
        vals = list(values)
        rows = max(rows, len(vals))
        present = [v for v in vals if not _missing(v)]
        null_rate = 1 - len(present) / len(vals) if vals else 0.0
        if present and all(_is_number(v) for v in present):
            xs = sorted(float(v) for v in present)
            n = len(xs)
            mean = sum(xs) / n
            std = math.sqrt(sum((x - mean) ** 2 for x in xs) / n)
            edges = sorted({xs[min(n - 1, (n * k) // bins)] for k in range(1, bins)})
            counts = [0] * (len(edges) + 1)
            for x in xs:
                counts[bisect.bisect_left(edges, x)] += 1
            features[name] = {"kind": "number", "null_rate": null_rate, "mean": mean,
                              "std": std, "edges": edges,
                              "fractions": [c / n for c in counts]}
        elif present and all(isinstance(v, str) or type(v).__name__ in ("bool", "bool_")
                             for v in present):
            freq: dict[str, int] = {}
            for v in present:
                freq[str(v)] = freq.get(str(v), 0) + 1
            top = sorted(freq.items(), key=lambda kv: -kv[1])[:max_categories]
            features[name] = {"kind": "category", "null_rate": null_rate,
                              "fractions": {k: c / len(present) for k, c in top}}
    return {"version": 1, "rows": rows, "features": features}


def profile_metadata(profile: Mapping[str, Any]) -> dict[str, str]:
    """The metadata entry that carries ``profile`` in a document."""
    return {METADATA_KEY: json.dumps(profile, separators=(",", ":"), allow_nan=False)}


def read_profile(metadata: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The profile of a document's metadata, or None (absent or malformed: never an error)."""
    if not metadata or not isinstance(metadata.get(METADATA_KEY), str):
        return None
    try:
        profile = json.loads(metadata[METADATA_KEY])
    except (ValueError, RecursionError):
        return None
    if not isinstance(profile, dict) or not isinstance(profile.get("features"), dict):
        return None
    good = {}
    for name, f in profile["features"].items():
        if not isinstance(f, dict):
            continue
        numeric = f.get("kind") == "number" and _valid_bins(f)
        categorical = f.get("kind") == "category" and isinstance(f.get("fractions"), dict) \
            and all(_is_number(p) for p in f["fractions"].values())
        if numeric or categorical:
            good[name] = f
    return {"features": good}


def _valid_bins(f: Mapping[str, Any]) -> bool:
    edges, fr = f.get("edges"), f.get("fractions")
    return (isinstance(edges, list) and isinstance(fr, list) and len(fr) == len(edges) + 1
            and all(_is_number(e) for e in edges) and all(_is_number(p) for p in fr)
            and edges == sorted(edges))


def psi(expected: Iterable[float], observed: Iterable[float]) -> float:
    """The population stability index of two distributions over the same bins (shares or
    counts; each side is normalised)."""
    e, o = list(expected), list(observed)
    se, so = sum(e), sum(o)
    if se <= 0 or so <= 0:
        return 0.0
    total = 0.0
    for a, b in zip(e, o):
        pa, pb = max(a / se, EPSILON), max(b / so, EPSILON)
        total += (pb - pa) * math.log(pb / pa)
    return total
