"""Timing, formatting and machine-info helpers shared by the benches."""

from __future__ import annotations

import datetime as _dt
import gc
import os
import platform
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass
class PathResult:
    """What one scoring path measured on one model (times in µs, throughput in rows/s)."""

    name: str
    available: bool = True
    reason: str = ""
    note: str = ""
    invalid: str = ""  # measured, but the outputs are wrong (excluded from the targets)
    p50_us: float | None = None
    p99_us: float | None = None
    calls: int = 0
    rows_per_s: float | None = None
    batch_rows: int = 0
    extrapolated_from: int | None = None
    samples: list[float] = field(default_factory=list, repr=False)

    def as_json(self) -> dict[str, Any]:
        out = {k: v for k, v in self.__dict__.items() if k != "samples"}
        return {k: v for k, v in out.items() if v not in (None, "")}


def latencies(runners: Sequence[Any], calls: Sequence[int], n_rows: int, warmup: int,
              blocks: int = 10) -> list[list[float]]:
    """Single-record latencies (µs) of ``runners[k].single(i)``, ``calls[k]`` calls each,
    interleaved in ``blocks`` rounds so machine noise spreads evenly over the runners.
    Rows cycle through ``0 … n_rows-1``; ``warmup`` untimed calls first."""
    for r, c in zip(runners, calls):
        for i in range(min(warmup, c)):
            r.single(i % n_rows)
    out: list[list[float]] = [[] for _ in runners]
    clock = time.perf_counter_ns
    gc_was = gc.isenabled()
    gc.disable()
    try:
        for b in range(blocks):
            for k, (r, c) in enumerate(zip(runners, calls)):
                lo, hi = c * b // blocks, c * (b + 1) // blocks
                single = r.single
                acc = out[k]
                for i in range(lo, hi):
                    row = i % n_rows
                    t0 = clock()
                    single(row)
                    acc.append((clock() - t0) / 1000.0)
            gc.collect()
    finally:
        if gc_was:
            gc.enable()
    return out


def timed(fn: Callable[[], Any]) -> float:
    """Seconds one call of ``fn`` takes (result dropped after timing)."""
    gc.collect()
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def pct(samples: Sequence[float], q: float) -> float:
    return float(np.percentile(np.asarray(samples), q))


def machine_info() -> dict[str, Any]:
    """CPU count, platform and the versions of the libraries being compared."""
    info: dict[str, Any] = {
        "date": _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "cpu_count": os.cpu_count(),
        "cpu": _cpu_model(),
        "platform": platform.platform(),
        "python": sys.version.split()[0],
    }
    from importlib.metadata import PackageNotFoundError, version

    for mod, dist in (("numpy", "numpy"), ("sklearn", "scikit-learn"),
                      ("onnxruntime", "onnxruntime"), ("skl2onnx", "skl2onnx"),
                      ("pandas", "pandas"), ("titus", "titus2")):
        try:
            info[mod] = version(dist)
        except PackageNotFoundError:
            info[mod] = "not installed"
    return info


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"


def fmt_num(v: float | None, digits: int = 1) -> str:
    """A number with thousands separators, or an em dash."""
    if v is None:
        return "—"
    if v >= 100:
        return f"{v:,.0f}"
    return f"{v:,.{digits}f}"


def fmt_ratio(v: float | None) -> str:
    """A speed ratio (×): 3 significant digits, em dash when unknown."""
    if v is None:
        return "—"
    if v >= 100:
        return f"{v:,.0f}×"
    if v >= 10:
        return f"{v:.1f}×"
    if v >= 0.1:
        return f"{v:.2f}×"
    return f"{v:.3f}×"


def table(header: Sequence[str], rows: Sequence[Sequence[str]], align: str) -> str:
    """A plain-text table; ``align`` has one ``<``/``>`` per column."""
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        parts = [f"{c:{a}{w}}" for c, a, w in zip(cells, align, widths)]
        return "  ".join(parts).rstrip()

    sep = "  ".join("-" * w for w in widths)
    return "\n".join([line(header), sep, *(line(r) for r in rows)])


def maxrss_bytes() -> int:
    """Peak resident set size of this process (bytes)."""
    import resource

    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss if sys.platform == "darwin" else rss * 1024


def reset_peak_rss() -> bool:
    """Reset this process's peak RSS (Linux ``clear_refs``); False if not possible."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def peak_rss_bytes() -> int:
    """Peak RSS since the last :func:`reset_peak_rss` (Linux ``VmHWM``), else for the whole
    process (``getrusage``)."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return maxrss_bytes()


def current_rss_bytes() -> int:
    """Current resident set size of this process (bytes; Linux, else the peak)."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        return maxrss_bytes()
