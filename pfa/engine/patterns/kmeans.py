"""``model.cluster.closest`` with the k-means metric ``c.norm - k * m.kernel.linear(x, c.point)``.

The exported k-means (:mod:`pfa.exporters.sklearn.converters.cluster`) measures distances with
``‖c‖² - 2 x·c``. :func:`center_metric` is the one recogniser of that metric (on the scalar
compiler's direct-function shapes, :func:`pfa.engine.patterns.direct.match_center_distance`);
two kernels use it:

* scalar (hook ``call``): :func:`closest_center`, the call fused into one loop over the
  clusters with the same products, sums, comparisons and errors as the library's ``closest``
  calling the metric;
* batch (hook ``cluster_screen`` of the ``closest`` batch form in
  :mod:`pfa.lib.model_cluster`): one matrix product screens the clusters. Its rounding differs
  from Python's left-to-right sums, but by less than a bound computed from the batch, so a row
  whose best distance beats every other by more than twice that bound has the same closest
  cluster as the scalar loop. The other rows (near-ties, NaN or infinite features, huge
  values) are recomputed with the exact sums of the scalar engine.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from typing import Any

import numpy as np

from pfa.avro.types import AvroArray
from pfa.document import ast as A
from pfa.engine.patterns.direct import center_distance, direct_root, match_center_distance
from pfa.engine.scalar import Compiled, scalar_kernel, unexpected
from pfa.engine.vector import batch_kernel
from pfa.errors import PfaError
from pfa.lib.m_kernel import linear as kernel_linear
from pfa.lib.registry import error
from pfa.runtime.batch_forms import fcn_param_type
from pfa.runtime.columns import Arr, dot_rows

_U = 2.0 ** -53  # unit roundoff of doubles
_ETA = 2.0 ** -1074  # smallest subnormal: the absolute error of an underflowing product
_BOUND_LIMIT = 1e280  # larger error bounds: values near overflow, use the exact sums


def center_metric(compiler: Any, fdef: Any, ptype: Any) -> tuple[str, float, str] | None:
    """(norm field, k, point field) when the inline function ``fdef`` (passed where a function
    of type ``ptype`` is expected) is the k-means metric ``c.norm - k * m.kernel.linear(x,
    c.point)`` over doubles, as the scalar compiler fuses it; else None."""
    if not isinstance(fdef, A.FcnDef):
        return None
    try:
        root = direct_root(compiler, fdef, ptype)
    except Exception:  # noqa: BLE001 - not a shape the direct compiler takes
        return None
    spec = None if root is None else match_center_distance(root.shape, 2)
    if spec is None or root.args[1].args[1].impl is not kernel_linear:
        return None
    return spec


# ---------------------------------------------------------------------------------------------
# scalar: one fused loop
# ---------------------------------------------------------------------------------------------

@scalar_kernel("call")
def closest_center(compiler: Any, node: A.Call) -> Compiled | None:
    """``model.cluster.closest(x, clusters, fcn(x, c) -> c.norm - k * m.kernel.linear(x,
    c.point))`` (the exported k-means) as one loop over the clusters: the same products,
    sums, comparisons and errors as the library's ``closest`` calling that metric."""
    if node.name != "model.cluster.closest" or node.name in compiler.fcns:
        return None
    if len(node.args) != 3 or not isinstance(node.args[2], A.FcnDef):
        return None
    impl, lazy, ptypes = compiler.bind_library(node)
    if lazy or len(ptypes) != 3:
        return None
    spec = center_metric(compiler, node.args[2], ptypes[2])
    if spec is None:
        return None
    norm, k, point = spec
    datum_of = compiler.argument(node.args[0], ptypes[0])
    clusters_of = compiler.argument(node.args[1], ptypes[1])
    metric = center_distance(norm, k, kernel_linear, point)

    def closest(frame: list) -> Any:
        datum = datum_of(frame)
        clusters = clusters_of(frame)
        try:
            if not clusters:
                return impl(datum, clusters, metric)  # the library's "no clusters" error
            n = len(datum)
            best, low = None, 0.0
            for c in clusters:
                center = c["center"]
                p = center[point]
                if len(p) != n:
                    raise error(23000)  # as m.kernel.linear raises it
                d = center[norm] - k * sum(map(operator.mul, datum, p), 0.0)
                if best is None or d < low:
                    best, low = c, d
            return best
        except (PfaError, RecursionError):
            raise
        except Exception as exc:
            raise unexpected(exc, "model.cluster.closest") from exc
    return closest


# ---------------------------------------------------------------------------------------------
# batch: a matrix-product screen, exact sums for the near-ties
# ---------------------------------------------------------------------------------------------

@batch_kernel("cluster_screen")
def closest_screen(vc: Any, node: A.Call
                   ) -> Callable[[Any, list], np.ndarray | None] | None:
    """For ``model.cluster.closest(x, clusters, <k-means metric>)`` over arrays of doubles:
    ``screen(datum column, clusters)`` → the index of every row's closest cluster as the
    scalar loop finds it, or None when the columns are not plain arrays of doubles."""
    if node.name in vc.scalar.fcns or len(node.args) != 3:
        return None
    t = node.args[0].type
    if not isinstance(t, AvroArray) or getattr(t.items, "name", None) != "double":
        return None
    spec = center_metric(vc.scalar, node.args[2], fcn_param_type(node, 2))
    if spec is None:
        return None
    norm, k, point = spec
    return lambda dcol, items: closest_by_product(dcol, items, norm, k, point)


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


def closest_by_product(dcol: Any, items: list, norm: str, k: float, point: str
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
