"""``model.cluster.closest`` with an inline metric, on columns.

The metric's body runs once per cluster over all rows (the cluster's center is a constant of
the call), then each row keeps the first cluster whose distance is strictly below the lowest
so far, exactly like the scalar loop. Clusters that are not a constant array, and calls
without a metric (``math.dist``), run on the scalar engine.

The k-means metric of the exported models, ``c.norm - k * m.kernel.linear(x, c.point)``
(recognised like the scalar fast path :func:`pfa.engine.fastpaths.closest_center`), is
screened with one matrix product instead: its rounding differs from Python's left-to-right
sums, but by less than a bound computed from the batch, so a row whose best distance beats
every other by more than twice that bound has the same closest cluster as the scalar loop.
The other rows (near-ties, NaN or infinite features, huge values) are recomputed with the
exact sums of the scalar engine.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from pfa.avro.types import AvroArray, AvroRecord
from pfa.document import ast as A

from .columns import Arr, Const, dense, dot_rows, take

_U = 2.0 ** -53  # unit roundoff of doubles
_ETA = 2.0 ** -1074  # smallest subnormal: the absolute error of an underflowing product
_BOUND_LIMIT = 1e280  # larger error bounds: values near overflow, use the exact sums


def closest_form(vc: Any, node: A.Call) -> Any:
    """The kernel of ``model.cluster.closest(datum, clusters, metric)``."""
    from .vector import NoVector, _const_table, _fcn_ptype, _with_fallback

    if len(node.args) != 3 or not isinstance(node.args[2], A.FcnDef):
        raise NoVector("model.cluster.closest without an inline metric")
    item_t = node.args[1].type.items
    center = item_t.field("center") if isinstance(item_t, AvroRecord) else None
    if center is None:
        raise NoVector("clusters without a center")
    datum = vc.expr(node.args[0])
    clusters = vc.expr(node.args[1])
    fn = vc.inline(node.args[2], _fcn_ptype(node, 2))
    types = [node.args[0].type, center.type]
    spec = _center_metric(vc, node)

    def fast(env: Any) -> Any:
        ccol = clusters(env)
        if not isinstance(ccol, Const) or type(ccol.value) is not list or not ccol.value:
            return None
        items = ccol.value
        n = env.n
        dcol = datum(env)
        if spec is not None:
            best = _closest_by_product(dcol, items, *spec)
            if best is not None:
                return take(_const_table(items, item_t), best)
        best = np.zeros(n, dtype=np.intp)
        low = None
        for i, c in enumerate(items):
            d = fn.call(env, [dcol, Const(c["center"])], types)
            if isinstance(d, Const) and type(d.value) not in (int, float):
                return None
            d = dense(d, n, np.float64)
            if low is None:
                low = d
                continue
            with np.errstate(invalid="ignore"):
                upd = d < low
            best[upd] = i
            low = np.where(upd, d, low)
        return take(_const_table(items, item_t), best)
    return _with_fallback(vc, node, fast)


def _is_double_array(t: Any) -> bool:
    return isinstance(t, AvroArray) and getattr(t.items, "name", None) == "double"


def _center_metric(vc: Any, node: A.Call) -> tuple[str, float, str] | None:
    """(norm field, k, point field) when the metric is the k-means metric ``c.norm - k *
    m.kernel.linear(x, c.point)`` over doubles, as the scalar engine fuses it; else None."""
    from pfa.lib.m_kernel import linear

    from .fastpaths import _direct_root, _match_center_distance
    from .vector import _fcn_ptype

    if node.name in vc.scalar.fcns or not _is_double_array(node.args[0].type):
        return None
    try:
        root = _direct_root(vc.scalar, node.args[2], _fcn_ptype(node, 2))
    except Exception:  # not a shape the scalar fast path takes
        return None
    spec = None if root is None else _match_center_distance(root.shape, 2)
    if spec is None or root.args[1].args[1].impl is not linear:
        return None
    return spec


def _centers(items: list, norm: str, point: str) -> tuple[np.ndarray, np.ndarray] | None:
    """(points (k, m), norms (k,)) of constant clusters whose centers are all doubles."""
    try:
        centers = [c["center"] for c in items]
        norms = [c[norm] for c in centers]
        points = [c[point] for c in centers]
    except (TypeError, KeyError):
        return None
    if any(type(v) is not float for v in norms) or any(type(p) is not list for p in points):
        return None
    if len({len(p) for p in points}) != 1:
        return None
    if any(type(v) is not float for p in points for v in p):
        return None
    return np.array(points, dtype=np.float64), np.array(norms, dtype=np.float64)


def _closest_by_product(dcol: Any, items: list, norm: str, k: float, point: str
                        ) -> np.ndarray | None:
    """The index of the closest cluster of every row (as the scalar loop finds it), or None
    when the datum column or the clusters are not plain arrays of doubles of one length.

    Error bound: with ``A = Σ|x_i c_i|`` and ``m`` terms, Python's sum of the products and
    any BLAS order of them are both within ``γ_m A`` (``γ_m = m u / (1 - m u)``, plus ``m η``
    for underflow) of the exact dot product, so each rounded distance ``N - k s`` is within
    ``E = |k| (A (γ_m + 2u) + m η) + u |N| + 2η`` of the exact ``N - k x·c``. ``A`` is
    bounded by ``max|x| · max_c Σ|c_i|`` over the batch; ``E`` is doubled for the rounding of
    these bounds. A row whose lowest screened distance is below all others by more than
    ``2E`` has a unique, strictly lowest scalar distance at the same cluster."""
    if not isinstance(dcol, Arr):
        return None
    x = dcol.data
    if x.dtype != np.float64 or x.ndim != 2:
        return None
    got = _centers(items, norm, point)
    if got is None:
        return None
    points, norms = got
    n, m = x.shape
    if points.shape[1] != m:
        return None  # the scalar loop reports the length error
    if n == 0:
        return np.zeros(0, dtype=np.intp)
    if m == 0 or m * _U >= 0.01:
        return None
    c1 = max(math.fsum(abs(v) for v in p) for p in points.tolist())
    nmax = float(np.abs(norms).max())
    lo, hi = float(x.min()), float(x.max())
    good = None
    if math.isfinite(lo) and math.isfinite(hi):
        xmax = max(hi, -lo)
    else:  # NaN or infinite features: those rows take the exact sums
        good = np.isfinite(x).all(axis=1)
        xmax = float(np.abs(x[good]).max()) if good.any() else 0.0
    gamma = (m + 2) * _U / (1.0 - (m + 2) * _U)
    with np.errstate(over="ignore", invalid="ignore"):
        bound = 2.0 * (abs(k) * (xmax * c1 * (gamma + 2.0 * _U) + m * _ETA) + _U * nmax
                       + 2.0 * _ETA)
    if not bound < _BOUND_LIMIT:
        return None
    best, safe = _screen(x, points, norms, k, 2.0 * bound)
    if good is not None:
        safe &= good
    redo = np.flatnonzero(~safe)
    if len(redo):
        best[redo] = _closest_exact(x[redo], points, norms, k)
    return best


_BLOCK = 8192  # rows per screening block (its temporaries stay in cache)


def _screen(x: np.ndarray, points: np.ndarray, norms: np.ndarray, k: float, thresh: float
            ) -> tuple[np.ndarray, np.ndarray]:
    """(index of the lowest screening distance ``N - k x·c`` (BLAS), whether it is the only
    one within ``thresh`` of the lowest) for every row of ``x``; False for NaN rows."""
    n, kc = len(x), len(points)
    small = np.uint8 if kc < 256 else np.intp
    best = np.empty(n, dtype=np.intp)
    safe = np.empty(n, dtype=bool)
    buf = np.empty((kc, min(n, _BLOCK)))
    norm_col = norms[:, None]
    with np.errstate(over="ignore", invalid="ignore"):
        for lo in range(0, n, _BLOCK):
            hi = min(n, lo + _BLOCK)
            dist = buf[:, :hi - lo]
            np.matmul(points, x[lo:hi].T, out=dist)  # (clusters, rows)
            np.multiply(dist, k, out=dist)
            np.subtract(norm_col, dist, out=dist)
            np.subtract(dist, dist.min(axis=0), out=dist)  # NaN for NaN/inf rows
            near = (dist <= thresh).view(np.uint8)  # within thresh of the lowest
            idx = np.zeros(hi - lo, dtype=small)
            for i in range(1, kc):
                idx += near[i] * small(i)  # the only near cluster, where the count is 1
            best[lo:hi] = idx
            np.equal(near.sum(axis=0, dtype=small), 1, out=safe[lo:hi])
    return best, safe


def _closest_exact(x: np.ndarray, points: np.ndarray, norms: np.ndarray, k: float
                   ) -> np.ndarray:
    """The scalar loop on columns: ``N - k * sum(map(mul, x, c), 0.0)`` per cluster (the
    products added in Python's order), the first strictly lower distance wins."""
    dots = dot_rows(points, x)  # (k, n)
    best = np.zeros(len(x), dtype=np.intp)
    low = None
    with np.errstate(invalid="ignore", over="ignore"):
        for i in range(len(points)):
            d = norms[i] - k * dots[i]
            if low is None:
                low = d
                continue
            upd = d < low
            best[upd] = i
            low = np.where(upd, d, low)
    return best
