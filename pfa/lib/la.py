"""la.*: linear algebra on dense (array of arrays) and sparse (map of maps) matrices.

Every function has an array and a map signature; which one a call site uses is decided once,
in the @specialized factory, from the checker's argument types. Small matrices (the common
case in exported models) are handled with plain Python loops, which beat numpy's call and
conversion overhead; inverse, determinant and eigenvectors use numpy. A matrix product, whose
result can be much larger than its factors, reserves its size in the engine's budget first
(:mod:`pfa.runtime.budget`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from operator import add, mul, sub
from typing import Any

import numpy as np

from pfa.avro.types import AvroArray, AvroMap, AvroType, AvroUnion
from pfa.lib.registry import CallSite, batch, error, specialized
from pfa.runtime.budget import CONTAINER, FLOAT, SLOT, budget_of
from pfa.runtime.columns import Arr, NotVectorized, block, fail_all, py_sum

Matrix = list[list[float]]
MapMatrix = dict[str, dict[str, float]]
_isfinite = math.isfinite
_NUMPY_DOT_WORK = 4096  # multiply-adds above which la.dot hands a product to numpy


# -- helpers shared with the model.* modules ------------------------------------------------

def param_type(site: CallSite, i: int) -> Any:
    """The type of parameter ``i`` at ``site`` (bound parameter type, else argument type)."""
    if i < len(site.param_types) and site.param_types[i] is not None:
        return site.param_types[i]
    if i < len(site.arg_types):
        return site.arg_types[i]
    return None


def arg_type(site: CallSite, i: int) -> Any:
    """The observed type of argument ``i`` at ``site`` (before promotion)."""
    return site.arg_types[i] if i < len(site.arg_types) else None


def depth(t: Any) -> tuple[str, int]:
    """("array" | "map" | "scalar", nesting depth) of a numeric vector/matrix type."""
    if isinstance(t, AvroArray):
        kind, inner = "array", t.items
    elif isinstance(t, AvroMap):
        kind, inner = "map", t.values
    else:
        return "scalar", 0
    n = 1
    while isinstance(inner, (AvroArray, AvroMap)):
        inner = inner.items if isinstance(inner, AvroArray) else inner.values
        n += 1
    return kind, n


def has_integers(t: Any) -> bool:
    """True if numeric leaves of ``t`` may be Python ints (an int/long argument promoted to a
    double parameter), so results built from them need ``float``."""
    if isinstance(t, AvroArray):
        return has_integers(t.items)
    if isinstance(t, AvroMap):
        return has_integers(t.values)
    if isinstance(t, AvroUnion):
        return any(has_integers(x) for x in t.types)
    return isinstance(t, AvroType) and t.name in ("int", "long")


def _ragged(x: Matrix) -> bool:
    n = len(x[0])
    return any(len(row) != n for row in x)


def _check_dense(x: Matrix, few: int, ragged: int,
                 square: int | None = None) -> tuple[int, int]:
    """Validate a dense matrix; return (rows, cols)."""
    if not x or not x[0]:
        raise error(few)
    if _ragged(x):
        raise error(ragged)
    rows, cols = len(x), len(x[0])
    if square is not None and rows != cols:
        raise error(square)
    return rows, cols


def _col_keys(x: MapMatrix) -> set[str]:
    out: set[str] = set()
    for row in x.values():
        out.update(row)
    return out


def _all_keys(x: MapMatrix) -> list[str]:
    keys = set(x)
    keys.update(_col_keys(x))
    return sorted(keys)


def _map_few(x: MapMatrix, code: int) -> None:
    if not x or all(not row for row in x.values()):
        raise error(code)


def _map_to_np(x: MapMatrix, rows: list[str], cols: list[str]) -> np.ndarray:
    out = np.zeros((len(rows), len(cols)))
    cindex = {c: j for j, c in enumerate(cols)}
    for i, r in enumerate(rows):
        for c, v in x.get(r, {}).items():
            j = cindex.get(c)
            if j is not None:
                out[i, j] = v
    return out


def _np_to_map(m: np.ndarray, rows: list[str], cols: list[str]) -> MapMatrix:
    return {r: dict(zip(cols, line)) for r, line in zip(rows, m.tolist())}


def _finite_map(x: MapMatrix) -> bool:
    return all(_isfinite(v) for row in x.values() for v in row.values())


def _finite_dense(x: Matrix) -> bool:
    return all(_isfinite(v) for row in x for v in row)


# -- la.map, la.scale, la.zipmap, la.add, la.sub ----------------------------------------------

@specialized("la.map")
def _la_map(site: CallSite) -> Callable[..., Any]:
    if depth(param_type(site, 0))[0] == "map":
        def map_map(x: MapMatrix, fcn: Callable[[float], float]) -> MapMatrix:
            return {i: {j: fcn(v) for j, v in row.items()} for i, row in x.items()}
        return map_map

    def map_array(x: Matrix, fcn: Callable[[float], float]) -> Matrix:
        return [[fcn(v) for v in row] for row in x]
    return map_array


@specialized("la.scale")
def _la_scale(site: CallSite) -> Callable[..., Any]:
    kind, n = depth(param_type(site, 0))
    if kind == "array" and n == 1:
        def scale_vec(x: list[float], alpha: float) -> list[float]:
            alpha = float(alpha)
            return [v * alpha for v in x]
        return scale_vec
    if kind == "array":
        def scale_mat(x: Matrix, alpha: float) -> Matrix:
            alpha = float(alpha)
            return [[v * alpha for v in row] for row in x]
        return scale_mat
    if n == 1:
        def scale_mvec(x: dict[str, float], alpha: float) -> dict[str, float]:
            alpha = float(alpha)
            return {k: v * alpha for k, v in x.items()}
        return scale_mvec

    def scale_mmat(x: MapMatrix, alpha: float) -> MapMatrix:
        alpha = float(alpha)
        return {i: {j: v * alpha for j, v in row.items()} for i, row in x.items()}
    return scale_mmat


def _elementwise(site: CallSite, code: int, op: Callable[[float, float], float] | None
                 ) -> Callable[..., Any]:
    """la.add/la.sub (``op`` given) or la.zipmap (``op`` None: the third argument)."""
    kind, n = depth(param_type(site, 0))
    conv = has_integers(arg_type(site, 0)) or has_integers(arg_type(site, 1))

    if kind == "array":
        def dense(x: list, y: list, fcn: Callable[[float, float], float] | None = None) -> list:
            f = op or fcn
            if len(x) != len(y):
                raise error(code)
            if n == 1:
                out = list(map(f, x, y))
                return [float(v) for v in out] if conv else out
            res = []
            for xr, yr in zip(x, y):
                if len(xr) != len(yr):
                    raise error(code)
                row = list(map(f, xr, yr))
                res.append([float(v) for v in row] if conv else row)
            return res
        return dense

    if n == 1:
        def sparse_vec(x: dict, y: dict) -> dict:
            keys = x.keys() | y.keys()
            return {k: float(op(x.get(k, 0.0), y.get(k, 0.0))) for k in keys}
        return sparse_vec

    def sparse(x: MapMatrix, y: MapMatrix,
               fcn: Callable[[float, float], float] | None = None) -> MapMatrix:
        f = op or fcn
        rows = x.keys() | y.keys()
        cols = _col_keys(x) | _col_keys(y)
        empty: dict[str, float] = {}
        out = {}
        for i in rows:
            xr = x.get(i, empty)
            yr = y.get(i, empty)
            out[i] = {j: f(xr.get(j, 0.0), yr.get(j, 0.0)) for j in cols}
        if conv and op is not None:
            out = {i: {j: float(v) for j, v in row.items()} for i, row in out.items()}
        return out
    return sparse


@specialized("la.zipmap")
def _la_zipmap(site: CallSite) -> Callable[..., Any]:
    return _elementwise(site, 24020, None)


@specialized("la.add")
def _la_add(site: CallSite) -> Callable[..., Any]:
    return _elementwise(site, 24030, add)


@specialized("la.sub")
def _la_sub(site: CallSite) -> Callable[..., Any]:
    return _elementwise(site, 24040, sub)


# -- la.dot --------------------------------------------------------------------------------

def _dense_matmul(x: Matrix, y: Matrix) -> Matrix:
    if len(x) * len(y) * len(y[0]) > _NUMPY_DOT_WORK:
        with np.errstate(all="ignore"):
            return (np.asarray(x, dtype=float) @ np.asarray(y, dtype=float)).tolist()
    cols = list(zip(*y))
    return [[sum(map(mul, row, c), 0.0) for c in cols] for row in x]


@specialized("la.dot")
def _la_dot(site: CallSite) -> Callable[..., Any]:
    name = site.name
    xkind = depth(param_type(site, 0))[0]
    ykind, yn = depth(param_type(site, 1))
    budget = budget_of(site)

    def reserve(nrows: int, ncols: int) -> None:
        budget.reserve_items(nrows, name, CONTAINER + ncols * (SLOT + FLOAT))

    if xkind == "array" and yn == 1:
        def dot_mv(x: Matrix, y: list[float]) -> list[float]:
            if not x or not x[0] or not y:
                raise error(24051)
            k = len(y)
            out = []
            for row in x:
                if len(row) != k:
                    raise error(24050)
                out.append(sum(map(mul, row, y), 0.0))
            # a non-finite input always yields a non-finite output; check only then
            if not all(map(_isfinite, out)) and not (_finite_dense(x) and all(map(_isfinite, y))):
                raise error(24052)
            return out
        return dot_mv

    if xkind == "array":
        def dot_mm(x: Matrix, y: Matrix) -> Matrix:
            if not x or not x[0] or not y or not y[0]:
                raise error(24051)
            if _ragged(x) or _ragged(y) or len(x[0]) != len(y):
                raise error(24050)
            reserve(len(x), len(y[0]))
            out = _dense_matmul(x, y)
            if not all(_isfinite(v) for row in out for v in row) and not (
                    _finite_dense(x) and _finite_dense(y)):
                raise error(24052)
            return out
        return dot_mm

    if ykind == "map" and yn == 1:
        def dot_map_mv(x: MapMatrix, y: dict[str, float]) -> dict[str, float]:
            if not x or not (y or any(x.values())):
                raise error(24051)
            if not (_finite_map(x) and all(map(_isfinite, y.values()))):
                raise error(24052)
            out = {}
            for r, row in x.items():
                s = 0.0
                for c, v in row.items():
                    w = y.get(c)
                    if w is not None:
                        s += v * w
                out[r] = s
            return out
        return dot_map_mv

    def dot_map_mm(x: MapMatrix, y: MapMatrix) -> MapMatrix:
        cols = _col_keys(y)
        if not x or not cols or not (y or any(x.values())):
            raise error(24051)
        if not (_finite_map(x) and _finite_map(y)):
            raise error(24052)
        reserve(len(x), len(cols))
        out = {}
        empty: dict[str, float] = {}
        for r, row in x.items():
            budget.check_time()
            acc = dict.fromkeys(cols, 0.0)
            for k, v in row.items():
                for c, w in y.get(k, empty).items():
                    acc[c] += v * w
            out[r] = acc
        return out
    return dot_map_mm


# -- shape functions: transpose, trace, truncate --------------------------------------------

@specialized("la.transpose")
def _la_transpose(site: CallSite) -> Callable[..., Any]:
    conv = has_integers(arg_type(site, 0))
    if depth(param_type(site, 0))[0] == "array":
        def transpose(x: Matrix) -> Matrix:
            _check_dense(x, 24060, 24061)
            if conv:
                return [[float(v) for v in col] for col in zip(*x)]
            return [list(col) for col in zip(*x)]
        return transpose

    def transpose_map(x: MapMatrix) -> MapMatrix:
        _map_few(x, 24060)
        rows = list(x.values())
        cols = rows[0].keys()
        if any(r.keys() != cols for r in rows):
            raise error(24061)
        return {c: {r: float(v[c]) for r, v in x.items()} for c in cols}
    return transpose_map


@specialized("la.trace")
def _la_trace(site: CallSite) -> Callable[..., Any]:
    if depth(param_type(site, 0))[0] == "array":
        def trace(x: Matrix) -> float:
            if not x:
                return 0.0
            if _ragged(x):
                raise error(24080)
            return float(sum((x[i][i] for i in range(min(len(x), len(x[0])))), 0.0))
        return trace

    def trace_map(x: MapMatrix) -> float:
        return float(sum((row[k] for k, row in x.items() if k in row), 0.0))
    return trace_map


@specialized("la.truncate")
def _la_truncate(site: CallSite) -> Callable[..., Any]:
    conv = has_integers(arg_type(site, 0))
    if depth(param_type(site, 0))[0] == "array":
        def truncate(x: Matrix, keep: int) -> Matrix:
            _check_dense(x, 24120, 24121)
            kept = x[:max(keep, 0)]
            return [[float(v) for v in row] for row in kept] if conv else kept
        return truncate

    def truncate_map(x: MapMatrix, keep: list[str]) -> MapMatrix:
        if not x or not any(x.values()):
            raise error(24120)
        wanted = set(keep)
        return {k: row for k, row in x.items() if k in wanted}
    return truncate_map


# -- numpy-backed: inverse, det, symmetric, eigenBasis ---------------------------------------

def _inverse(m: np.ndarray) -> np.ndarray:
    with np.errstate(all="ignore"):
        if m.shape[0] == m.shape[1]:
            try:
                return np.linalg.inv(m)
            except np.linalg.LinAlgError:
                pass
        try:
            return np.linalg.pinv(m)
        except np.linalg.LinAlgError:
            return np.full((m.shape[1], m.shape[0]), math.nan)


@specialized("la.inverse")
def _la_inverse(site: CallSite) -> Callable[..., Any]:
    if depth(param_type(site, 0))[0] == "array":
        def inverse(x: Matrix) -> Matrix:
            _check_dense(x, 24070, 24071)
            return _inverse(np.asarray(x, dtype=float)).tolist()
        return inverse

    def inverse_map(x: MapMatrix) -> MapMatrix:
        rows = sorted(x)
        cols = sorted(_col_keys(x))
        if not rows or not cols:
            raise error(24070)
        return _np_to_map(_inverse(_map_to_np(x, rows, cols)), cols, rows)
    return inverse_map


def _det(m: np.ndarray) -> float:
    if not np.isfinite(m).all():
        return math.nan
    n = m.shape[0]
    if n == 1:
        return float(m[0, 0])
    if n == 2:
        return float(m[0, 0] * m[1, 1] - m[0, 1] * m[1, 0])
    with np.errstate(all="ignore"):
        return float(np.linalg.det(m))


@specialized("la.det")
def _la_det(site: CallSite) -> Callable[..., Any]:
    if depth(param_type(site, 0))[0] == "array":
        def det(x: Matrix) -> float:
            _check_dense(x, 24090, 24091, 24092)
            return _det(np.asarray(x, dtype=float))
        return det

    def det_map(x: MapMatrix) -> float:
        _map_few(x, 24090)
        keys = _all_keys(x)
        return _det(_map_to_np(x, keys, keys))
    return det_map


def _same(a: float, b: float, tol: float) -> bool:
    if _isfinite(a) and _isfinite(b):
        return abs(a - b) < tol
    if a != a and b != b:
        return True
    return a == b  # equal infinities


@specialized("la.symmetric")
def _la_symmetric(site: CallSite) -> Callable[..., Any]:
    if depth(param_type(site, 0))[0] == "array":
        def symmetric(x: Matrix, tolerance: float) -> bool:
            n, _ = _check_dense(x, 24100, 24101, 24102)
            return all(_same(x[i][j], x[j][i], tolerance)
                       for i in range(n) for j in range(i + 1, n))
        return symmetric

    def symmetric_map(x: MapMatrix, tolerance: float) -> bool:
        _map_few(x, 24100)
        keys = _all_keys(x)
        empty: dict[str, float] = {}
        return all(_same(x.get(i, empty).get(j, 0.0), x.get(j, empty).get(i, 0.0), tolerance)
                   for i in keys for j in keys)
    return symmetric_map


def _eigen_basis(m: np.ndarray) -> np.ndarray:
    """Rows: eigenvectors of (m + mᵀ)/2 divided by sqrt(|eigenvalue|), first component
    positive, in decreasing order of |eigenvalue|."""
    sym = (m + m.T) * 0.5
    values, vectors = np.linalg.eigh(sym)
    vectors = vectors.T  # row i is the eigenvector of values[i]
    signs = np.where(vectors[:, 0] < 0.0, -1.0, 1.0)
    with np.errstate(all="ignore"):
        scale = 1.0 / np.sqrt(np.abs(values))
        order = np.argsort(scale, kind="stable")
        return (vectors * (signs * scale)[:, None])[order]


@specialized("la.eigenBasis")
def _la_eigen_basis(site: CallSite) -> Callable[..., Any]:
    if depth(param_type(site, 0))[0] == "array":
        def eigen_basis(x: Matrix) -> Matrix:
            _check_dense(x, 24110, 24111, 24112)
            if not _finite_dense(x):
                raise error(24113)
            return _eigen_basis(np.asarray(x, dtype=float)).tolist()
        return eigen_basis

    def eigen_basis_map(x: MapMatrix) -> MapMatrix:
        _map_few(x, 24110)
        if not _finite_map(x):
            raise error(24113)
        keys = _all_keys(x)
        out = _eigen_basis(_map_to_np(x, keys, keys))
        return _np_to_map(out, [str(i) for i in range(len(keys))], keys)
    return eigen_basis_map



# -- batch forms ----------------------------------------------------------------------------

def _vector_elementwise(name: str, code: int, op: Callable[[Any, Any], Any]) -> None:
    @batch(name)
    def vfactory(site: CallSite) -> Callable[..., Any]:
        kind, _ = depth(param_type(site, 0))
        ints = has_integers(arg_type(site, 0)) or has_integers(arg_type(site, 1))

        def impl(env: Any, x: Any, y: Any) -> Any:
            if kind != "array" or ints:
                raise NotVectorized(f"{name} on maps or integers")
            a, b = block(x), block(y)
            sa = a.shape[1:] if isinstance(x, Arr) else a.shape
            sb = b.shape[1:] if isinstance(y, Arr) else b.shape
            if sa != sb:
                if len(sa) == 2 and len(sb) == 2 and sa[0] == sb[0] == 0:
                    return op(a, b)
                fail_all(env, error(code))
                raise NotVectorized("misaligned")
            if not isinstance(x, Arr) and not isinstance(y, Arr):
                raise NotVectorized("constant arguments")
            return Arr(op(a, b))
        return impl


_vector_elementwise("la.add", 24030, lambda a, b: a + b)
_vector_elementwise("la.sub", 24040, lambda a, b: a - b)


@batch("la.dot")
def _la_dot_v(site: CallSite) -> Callable[..., Any]:
    xkind = depth(param_type(site, 0))[0]
    yn = depth(param_type(site, 1))[1]

    def impl(env: Any, x: Any, y: Any) -> Any:
        if xkind != "array" or yn != 1 or not isinstance(y, Arr) or y.data.ndim != 2:
            raise NotVectorized("la.dot of this shape")
        m = block(x)
        v = y.data
        n, d = v.shape
        if isinstance(x, Arr):
            if m.ndim != 3:
                raise NotVectorized("ragged matrix")
            rows, k = m.shape[1], m.shape[2]
        else:
            if m.ndim != 2:
                raise NotVectorized("ragged matrix")
            rows, k = m.shape
        if rows == 0 or k == 0 or d == 0:
            env.fail(np.ones(n, dtype=bool), error(24051))
            raise NotVectorized("too few")
        if k != d:
            env.fail(np.ones(n, dtype=bool), error(24050))
            raise NotVectorized("misaligned")
        if isinstance(x, Arr):
            out = py_sum([m[:, :, j] * v[:, j:j + 1] for j in range(d)])
            xfin = np.isfinite(m).all(axis=(1, 2))
        else:
            out = py_sum([m[:, j] * v[:, j:j + 1] for j in range(d)])
            xfin = np.full(n, bool(np.isfinite(m).all()))
        bad = ~np.isfinite(out).all(axis=1) & ~(xfin & np.isfinite(v).all(axis=1))
        if bad.any():
            env.fail(bad, error(24052))
        return Arr(out)
    return impl
