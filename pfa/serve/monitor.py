"""Running statistics of what a model is asked and answers, drift against its training
profile, and the optional request log.

Per served model: for each input field the count, null rate, mean and variance (Welford) of
numbers and the frequencies of strings (the first :data:`MAX_CATEGORIES` distinct values, the
rest counted as "(other)"); for the output (each field of a record output) the label
distribution or score quantiles (from a uniform reservoir sample). When the document carries a
training profile (:mod:`pfa.serve.profile`), the PSI of each profiled feature.
"""

from __future__ import annotations

import bisect
import json
import math
import random
import threading
from pathlib import Path
from typing import Any

from pfa.avro.types import AvroRecord
from pfa.document.profile import psi, read_profile

from .model import ServedModel, plain_json

MAX_CATEGORIES = 100
RESERVOIR = 1024
OTHER = "(other)"


class Stat:
    """Running statistics of one stream of values."""

    __slots__ = ("count", "nulls", "n", "mean", "m2", "categories", "sample", "seen", "bins",
                 "edges", "_rng")

    def __init__(self, edges: list[float] | None = None, seed: int = 0):
        self.count = self.nulls = self.n = self.seen = 0
        self.mean = self.m2 = 0.0
        self.categories: dict[str, int] = {}
        self.sample: list[float] = []
        self.edges = edges
        self.bins = [0] * (len(edges) + 1) if edges is not None else None
        self._rng = random.Random(seed)

    def add(self, v: Any) -> None:
        self.count += 1
        tp = type(v)
        if v is None or (tp is float and v != v):
            self.nulls += 1
        elif tp is float or tp is int:
            self.n += 1
            d = v - self.mean
            self.mean += d / self.n
            self.m2 += d * (v - self.mean)
            if self.bins is not None:
                self.bins[bisect.bisect_left(self.edges, v)] += 1  # type: ignore[arg-type]
            self.seen += 1
            if len(self.sample) < RESERVOIR:
                self.sample.append(float(v))
            else:
                j = self._rng.randrange(self.seen)
                if j < RESERVOIR:
                    self.sample[j] = float(v)
        elif tp is str or tp is bool:
            key = str(v)
            cats = self.categories
            if key in cats or len(cats) < MAX_CATEGORIES:
                cats[key] = cats.get(key, 0) + 1
            else:
                cats[OTHER] = cats.get(OTHER, 0) + 1

    def as_json(self, quantiles: bool = False) -> dict[str, Any]:
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
        aliases = {v: k for k, v in (model.engine.input_aliases or {}).items()}
        self.inputs = {}
        self.keys = {n: aliases.get(n, n) for n in names}
        """Input field → the key under which rows carry it (its original column name if any)."""
        for n in names:
            f = self.profile.get(n) or self.profile.get(self.keys[n]) or {}
            self.inputs[n] = Stat(f.get("edges") if f.get("kind") == "number" else None)
        self.record_in = isinstance(in_t, AvroRecord)
        self.record_out = isinstance(out_t, AvroRecord) and model.method == "map"
        self.outputs = ({f.name: Stat() for f in out_t.fields} if self.record_out
                        else {"output": Stat()})

    def observe(self, model: ServedModel, rows: list[Any], outs: list[Any]) -> None:
        with self._lock:
            if self.record_in:
                keys = self.keys
                for name, stat in self.inputs.items():
                    key = keys[name]
                    for row in rows:
                        stat.add(row.get(key, row.get(name)) if type(row) is dict else None)
            else:
                stat = self.inputs["input"]
                for row in rows:
                    stat.add(row)
            if self.record_out:
                for name, stat in self.outputs.items():
                    for out in outs:
                        stat.add(out.get(name) if type(out) is dict else None)
            elif model.method == "map":
                stat = self.outputs["output"]
                for out in outs:
                    stat.add(out)

    def drift(self) -> dict[str, float]:
        """PSI of each profiled input feature that has seen values."""
        out = {}
        with self._lock:
            for name, stat in self.inputs.items():
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


class RequestLog:
    """Sampled inputs and outputs as JSON lines in a file (for offline analysis)."""

    def __init__(self, path: str | Path, rate: float = 1.0, seed: int | None = None):
        self.path = Path(path)
        self.rate = rate
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self._fh = open(self.path, "a", encoding="utf-8")  # noqa: SIM115 - closed by close()

    def maybe_log(self, model: ServedModel, rows: list[Any], outs: list[Any]) -> None:
        if self.rate < 1.0 and self._rng.random() >= self.rate:
            return
        line = json.dumps({"model": model.name, "version": model.version,
                           "inputs": plain_json(rows), "outputs": plain_json(outs)},
                          separators=(",", ":"), default=str)
        with self._lock:
            self._fh.write(line + "\n")
            self._fh.flush()

    def close(self) -> None:
        with self._lock:
            self._fh.close()
