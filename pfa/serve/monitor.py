"""Running statistics of what a model is asked and answers, drift against its training
profile, and the optional request log.

Per served model: for each input field the count, null rate, mean and variance (Welford) of
numbers and the frequencies of strings (the first :data:`MAX_CATEGORIES` distinct values, the
rest counted as "(other)"); for the output (each field of a record output) the label
distribution or score quantiles (from a uniform reservoir sample). When the document carries a
training profile (:mod:`pfa.serve.profile`), the PSI of each profiled feature.
"""

from __future__ import annotations

import json
import math
import random
import threading
from collections import Counter
from itertools import repeat
from pathlib import Path
from typing import Any

import numpy as np

from pfa.avro.types import AvroArray, AvroMap, AvroRecord
from pfa.document.profile import psi, read_profile

from .model import Columns, ServedModel
from .strictjson import plain_json

MAX_CATEGORIES = 100
RESERVOIR = 1024
OTHER = "(other)"
FLUSH_VALUES = 4096
"""Values a :class:`Stat` keeps before taking them in (they are taken in before any read)."""
FLUSH_ARRAYS = 64
"""Likewise, number arrays (engine output columns)."""
_NUMBERS = frozenset({float, int})
_SCALARS = frozenset({float, int, str, bool, type(None)})
_VALUES = _SCALARS - {type(None)}


def _as_float(v: Any) -> float:
    try:
        return float(v)
    except OverflowError:
        return math.copysign(math.inf, v)


class Stat:
    """Running statistics of one stream of values.

    :meth:`add_many` only counts and keeps the values; every :data:`FLUSH_VALUES` values, and
    before anything is read (:meth:`flush`), they are taken in at once (numpy): numbers give
    mean and variance (batches merged with Chan et al.'s update of Welford's sums), the
    training profile's histogram bins if any, and a uniform reservoir sample of ``reservoir``
    values (Li's algorithm L: the gaps between replacements are drawn, so a full reservoir
    costs nothing per value); strings and booleans give category counts."""

    __slots__ = ("count", "nulls", "n", "mean", "m2", "categories", "sample", "size", "bins",
                 "edges", "_edges", "_rng", "_w", "_next", "_pending", "_arrays")

    def __init__(self, edges: list[float] | None = None, seed: int = 0,
                 reservoir: int = RESERVOIR):
        self.count = self.nulls = self.n = 0
        self.mean = self.m2 = 0.0
        self.categories: dict[str, int] = {}
        self.sample: list[float] = []
        self.size = reservoir
        self.edges = edges
        self._edges = np.asarray(edges, dtype=np.float64) if edges is not None else None
        self.bins = [0] * (len(edges) + 1) if edges is not None else None
        self._rng = random.Random(seed)
        self._w = 1.0
        self._next = 0
        """Index (among the numbers seen) of the next one to enter the full reservoir."""
        self._pending: list[Any] = []
        self._arrays: list[np.ndarray] = []

    def add_many(self, values: list[Any] | np.ndarray) -> None:
        """Count ``values`` (a list, or a numpy array of an engine output column): None and
        NaN as nulls, numbers, strings and booleans as categories, anything else (arrays,
        maps, records) only in ``count``."""
        self.count += len(values)
        pending = self._pending
        if type(values) is np.ndarray:
            if values.dtype.kind in "fiu":
                self._arrays.append(values)
                if len(self._arrays) >= FLUSH_ARRAYS:
                    self.flush()
                return
            values = values.tolist()
        types = set(map(type, values))
        if types <= _SCALARS:
            pending.extend(values)
        elif not types & _VALUES:  # containers (and nulls) only: counted, nulls kept
            pending.extend([None] * values.count(None))
        else:  # containers are only counted: keeping them alive would age them for the GC
            pending.extend(v for v in values if type(v) in _SCALARS)
        if len(pending) >= FLUSH_VALUES:
            self.flush()

    def flush(self) -> None:
        """Take in the values added since the last flush."""
        values, self._pending = self._pending, []
        if self._arrays:
            arrays, self._arrays = self._arrays, []
            self._add_numbers(np.concatenate(arrays, dtype=np.float64), nulls_possible=True)
        if not values:
            return
        types = set(map(type, values))
        if types <= _NUMBERS:
            numbers: list[Any] = values
            labels: list[str] = []
        else:
            numbers = [v for v in values if type(v) is float or type(v) is int]
            labels = [str(v) for v in values if type(v) is str or type(v) is bool]
            self.nulls += values.count(None)
        if numbers:
            try:
                xs = np.array(numbers, dtype=np.float64)
            except OverflowError:  # an integer beyond double range counts as ±inf
                xs = np.array([_as_float(v) for v in numbers], dtype=np.float64)
            self._add_numbers(xs, nulls_possible=float in types)
        if labels:
            self._add_labels(labels)

    def _add_numbers(self, xs: np.ndarray, nulls_possible: bool) -> None:
        if nulls_possible:
            nan = np.isnan(xs)
            if nan.any():
                self.nulls += int(nan.sum())
                xs = xs[~nan]
        k = int(xs.size)
        if not k:
            return
        n = self.n + k
        mean = float(xs.mean())
        m2 = float(np.square(xs - mean).sum())
        delta = mean - self.mean
        self.mean += delta * k / n
        self.m2 += m2 + delta * delta * self.n * k / n
        if self.bins is not None:
            found = np.bincount(np.searchsorted(self._edges, xs, side="left"),
                                minlength=len(self.bins))
            self.bins = [a + b for a, b in zip(self.bins, found.tolist())]
        self._sample(xs, self.n)
        self.n = n

    def _sample(self, xs: np.ndarray, seen: int) -> None:
        """Reservoir update with the numbers ``xs`` that follow ``seen`` earlier ones.
        (``1 - random()`` is a uniform draw from (0, 1], all the logarithms need.)"""
        sample, size, random = self.sample, self.size, self._rng.random
        room = size - len(sample)
        if room > 0:
            sample.extend(xs[:room].tolist())
            if len(sample) < size:
                return
            self._w = math.exp(math.log(1.0 - random()) / size)
            self._next = size - 1 + self._gap()
        end = seen + len(xs)
        nxt, w = self._next, self._w
        while nxt < end:
            sample[int(random() * size)] = float(xs[nxt - seen])
            w *= math.exp(math.log(1.0 - random()) / size)
            nxt += int(math.log(1.0 - random()) / math.log1p(-w)) + 1 if w < 1.0 else 1
        self._next, self._w = nxt, w

    def _gap(self) -> int:
        """1 + the number of values skipped before the next replacement."""
        w = self._w
        if w >= 1.0:
            return 1
        return int(math.log(1.0 - self._rng.random()) / math.log1p(-w)) + 1

    def _add_labels(self, labels: list[str]) -> None:
        cats = self.categories
        for key, c in Counter(labels).items():  # first-seen order: the same admissions
            if key in cats or len(cats) < MAX_CATEGORIES:
                cats[key] = cats.get(key, 0) + c
            else:
                cats[OTHER] = cats.get(OTHER, 0) + c

    def as_json(self, quantiles: bool = False) -> dict[str, Any]:
        self.flush()
        out: dict[str, Any] = {"count": self.count,
                               "null_rate": self.nulls / self.count if self.count else 0.0}
        if self.n:
            var = self.m2 / self.n
            out.update(mean=plain_json(self.mean), variance=plain_json(var))
            if quantiles and self.sample:
                s = sorted(self.sample)
                out["quantiles"] = {str(q): s[min(len(s) - 1, int(q * len(s)))]
                                    for q in (0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99)}
        if self.categories:
            out["categories"] = dict(sorted(self.categories.items(), key=lambda kv: -kv[1]))
        return out


class ModelMonitor:
    """Statistics of one served model's inputs and outputs."""

    def __init__(self, model: ServedModel):
        self.model = model
        self._lock = threading.Lock()
        profile = read_profile(model.metadata)
        self.profile = profile["features"] if profile else {}
        in_t, out_t = model.input_type, model.output_type
        names = [f.name for f in in_t.fields] if isinstance(in_t, AvroRecord) else ["input"]
        self.inputs = {}
        self.keys = dict(zip(names, model.row_keys or names))
        """Input field → the key under which rows carry it (its original column name if any)."""
        for n in names:
            f = self.profile.get(n) or self.profile.get(self.keys[n]) or {}
            self.inputs[n] = Stat(f.get("edges") if f.get("kind") == "number" else None)
        self.record_in = isinstance(in_t, AvroRecord)
        self.record_out = isinstance(out_t, AvroRecord) and model.method == "map"
        self.outputs = ({f.name: Stat() for f in out_t.fields} if self.record_out
                        else {"output": Stat()})
        self.containers = frozenset(f.name for f in out_t.fields if isinstance(
            f.type, (AvroArray, AvroMap, AvroRecord))) if self.record_out else frozenset()
        """Record output fields that hold arrays, maps or records, never null: a column of
        them is only counted."""

    def observe(self, model: ServedModel, rows: list[Any], outs: list[Any],
                columns: Columns | None = None) -> None:
        """Count a scored request (from its columns when it has them)."""
        ins, outputs = columns if columns is not None else (None, None)
        with self._lock:
            if self.record_in:
                keys = self.keys
                dicts = ins is None and set(map(type, rows)) <= {dict}
                for name, stat in self.inputs.items():
                    stat.add_many(ins[keys[name]] if ins is not None
                                  else _field(rows, keys[name], name, dicts))
            else:
                self.inputs["input"].add_many(rows)
            if self.record_out:
                dicts = outputs is None and set(map(type, outs)) <= {dict}
                for name, stat in self.outputs.items():
                    if outputs is None:
                        stat.add_many(_field(outs, name, name, dicts))
                    elif name in self.containers:  # (columns come from batches without failures)
                        stat.count += len(outputs[name])
                    else:
                        stat.add_many(outputs[name])
            elif model.method == "map":
                self.outputs["output"].add_many(outs if outputs is None else outputs)

    def flush(self) -> None:
        """Take in every statistic's pending values (before reading them)."""
        with self._lock:
            for stat in (*self.inputs.values(), *self.outputs.values()):
                stat.flush()

    def drift(self) -> dict[str, float]:
        """PSI of each profiled input feature that has seen values."""
        out = {}
        with self._lock:
            for name, stat in self.inputs.items():
                stat.flush()
                f = self.profile.get(name)
                if not f or stat.count == stat.nulls:
                    continue
                if f["kind"] == "number" and stat.bins is not None:
                    out[name] = psi(f["fractions"], stat.bins)
                elif f["kind"] == "category" and stat.categories:
                    keys = sorted(set(f["fractions"]) | set(stat.categories))
                    out[name] = psi([f["fractions"].get(k, 0.0) for k in keys],
                                    [stat.categories.get(k, 0) for k in keys])
        return {k: v for k, v in out.items() if math.isfinite(v)}

    def as_json(self) -> dict[str, Any]:
        with self._lock:
            body = {"model": self.model.name, "version": self.model.version,
                    "inputs": {n: s.as_json() for n, s in self.inputs.items()},
                    "outputs": {n: s.as_json(quantiles=True) for n, s in self.outputs.items()}}
        body["drift"] = {"measure": "psi", "features": self.drift()} if self.profile else None
        return body


def _field(rows: list[Any], key: str, name: str, dicts: bool) -> list[Any]:
    """Each row's value under ``key`` (else ``name``; None for a row that is not an object);
    ``dicts``: every row is an object."""
    if key == name and dicts:
        return list(map(dict.get, rows, repeat(key)))
    return [r.get(key, r.get(name)) if type(r) is dict else None for r in rows]


class RequestLog:
    """Sampled inputs and outputs as JSON lines in a file (for offline analysis)."""

    def __init__(self, path: str | Path, rate: float = 1.0, seed: int | None = None):
        self.path = Path(path)
        self.rate = rate
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self._fh = open(self.path, "a", encoding="utf-8")  # noqa: SIM115 - closed by close()

    def maybe_log(self, model: ServedModel, rows: list[Any], outs: list[Any],
                  columns: Columns | None = None) -> None:
        if self.rate < 1.0 and self._rng.random() >= self.rate:
            return
        line = json.dumps({"model": model.name, "version": model.version,
                           "inputs": plain_json(list(rows)), "outputs": plain_json(outs)},
                          separators=(",", ":"), default=str)
        with self._lock:
            self._fh.write(line + "\n")
            self._fh.flush()

    def close(self) -> None:
        with self._lock:
            self._fh.close()
