"""la.*: dense and sparse matrices against numpy."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pfa.avro.types import DOUBLE, INT, AvroArray, AvroMap, AvroType, parse_type
from pfa.check.signatures import FcnType
from tests.lib.helpers import call, fn, raises

VEC = AvroArray(DOUBLE)
MAT = AvroArray(VEC)
MVEC = AvroMap(DOUBLE)
MMAT = AvroMap(MVEC)
F1 = FcnType((DOUBLE,), DOUBLE)
F2 = FcnType((DOUBLE, DOUBLE), DOUBLE)


def la(name: str, *types: AvroType):
    return fn(f"la.{name}", *types)


def close(a, b, tol=1e-9) -> bool:
    return np.allclose(np.asarray(a, dtype=float), np.asarray(b, dtype=float),
                       rtol=tol, atol=tol, equal_nan=True)


A = [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]
B = [[7.0, 8.0], [9.0, 10.0], [11.0, 12.0]]
SQ = [[4.0, 1.0, 2.0], [1.0, 3.0, 0.5], [2.0, 0.5, 5.0]]
MA = {"a": {"x": 1.0, "y": 2.0}, "b": {"x": 3.0, "y": 4.0}}


# -- map / scale / zipmap / add / sub --------------------------------------------------------

def test_map_and_zipmap():
    assert la("map", MAT, F1)(A, lambda v: v * 2) == [[2, 4, 6], [8, 10, 12]]
    assert la("map", MMAT, F1)(MA, lambda v: -v) == {"a": {"x": -1, "y": -2},
                                                      "b": {"x": -3, "y": -4}}
    assert la("zipmap", MAT, MAT, F2)(A, A, lambda a, b: a * b) == [[1, 4, 9], [16, 25, 36]]
    raises(24020, la("zipmap", MAT, MAT, F2), A, [[1.0, 2.0, 3.0]], lambda a, b: a)
    raises(24020, la("zipmap", MAT, MAT, F2), A, [[1.0], [2.0]], lambda a, b: a)
    # sparse: missing entries are zero, output covers the union
    out = la("zipmap", MMAT, MMAT, F2)({"a": {"x": 1.0}}, {"b": {"y": 2.0}}, lambda a, b: a + b)
    assert out == {"a": {"x": 1.0, "y": 0.0}, "b": {"x": 0.0, "y": 2.0}}


def test_scale_all_signatures():
    assert call("la.scale", [1.0, 2.0], 3.0) == [3.0, 6.0]
    assert call("la.scale", A, 0.5) == (np.array(A) * 0.5).tolist()
    assert call("la.scale", {"a": 1.0}, 2.0) == {"a": 2.0}
    assert call("la.scale", MA, 2.0) == {"a": {"x": 2.0, "y": 4.0}, "b": {"x": 6.0, "y": 8.0}}


def test_add_sub():
    assert call("la.add", [1.0, 2.0], [3.0, 4.0]) == [4.0, 6.0]
    assert call("la.sub", A, A) == [[0.0] * 3] * 2
    assert close(call("la.add", A, A), np.array(A) * 2)
    raises(24030, la("add", VEC, VEC), [1.0], [1.0, 2.0])
    raises(24030, la("add", MAT, MAT), A, [[1.0, 2.0, 3.0], [1.0]])
    raises(24040, la("sub", VEC, VEC), [1.0], [])
    raises(24040, la("sub", MAT, MAT), A, A[:1])
    assert call("la.sub", {"a": 1.0}, {"b": 2.0}) == {"a": 1.0, "b": -2.0}
    assert call("la.add", {"a": {"x": 1.0}}, {"a": {"y": 1.0}}) == {"a": {"x": 1.0, "y": 1.0}}


def test_promoted_ints_give_doubles():
    out = la("add", AvroArray(INT), AvroArray(INT))([1, 2], [3, 4])
    assert out == [4.0, 6.0] and all(type(v) is float for v in out)
    t = la("transpose", AvroArray(AvroArray(INT)))([[1, 2]])
    assert all(type(v) is float for row in t for v in row)


# -- dot -------------------------------------------------------------------------------------

def test_dot_dense():
    assert close(call("la.dot", A, [1.0, 2.0, 3.0]), np.dot(A, [1, 2, 3]))
    assert close(call("la.dot", A, B), np.dot(A, B))
    raises(24050, la("dot", MAT, VEC), A, [1.0, 2.0])
    raises(24050, la("dot", MAT, MAT), A, A)
    raises(24051, la("dot", MAT, VEC), [], [1.0])
    raises(24051, la("dot", MAT, VEC), [[]], [1.0])
    raises(24051, la("dot", MAT, VEC), A, [])
    raises(24051, la("dot", MAT, MAT), A, [[]])
    raises(24052, la("dot", MAT, VEC), [[1.0, math.nan]], [1.0, 2.0])
    raises(24052, la("dot", MAT, VEC), [[1.0, 2.0]], [math.inf, 0.0])
    raises(24052, la("dot", MAT, MAT), [[1.0, 2.0]], [[1.0], [-math.inf]])
    # overflow of finite inputs is not an error
    assert call("la.dot", [[1e308, 1e308]], [10.0, 10.0]) == [math.inf]


def test_dot_large_uses_numpy_path():
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(30, 20)), rng.normal(size=(20, 25))
    assert close(call("la.dot", x.tolist(), y.tolist()), x @ y)


def test_dot_sparse():
    x = {"a": {"x": 1.0, "y": 2.0}, "b": {"y": 3.0}}
    assert call("la.dot", x, {"x": 10.0, "z": 5.0}) == {"a": 10.0, "b": 0.0}
    y = {"x": {"p": 1.0}, "y": {"p": 2.0, "q": 1.0}}
    assert la("dot", MMAT, MMAT)(x, y) == {"a": {"p": 5.0, "q": 2.0}, "b": {"p": 6.0, "q": 3.0}}
    raises(24051, la("dot", MMAT, MVEC), {}, {"x": 1.0})
    raises(24051, la("dot", MMAT, MMAT), x, {"x": {}})
    raises(24052, la("dot", MMAT, MVEC), x, {"q": math.nan})


finite = st.floats(-100, 100, allow_nan=False)


@st.composite
def chain(draw):
    n, k, m, p = (draw(st.integers(1, 5)) for _ in range(4))

    def mat(r, c):
        return draw(st.lists(st.lists(finite, min_size=c, max_size=c), min_size=r, max_size=r))
    return mat(n, k), mat(k, m), mat(m, p)


@settings(max_examples=60, deadline=None)
@given(chain())
def test_dot_associative_and_matches_numpy(mats):
    x, y, z = mats
    dot = la("dot", MAT, MAT)
    xy = dot(x, y)
    assert close(xy, np.dot(x, y), 1e-7)
    assert close(dot(xy, z), dot(x, dot(y, z)), 1e-6)


# -- transpose, trace, truncate ----------------------------------------------------------------

def test_transpose():
    assert call("la.transpose", A) == np.array(A).T.tolist()
    assert call("la.transpose", MA) == {"x": {"a": 1.0, "b": 3.0}, "y": {"a": 2.0, "b": 4.0}}
    raises(24060, la("transpose", MAT), [])
    raises(24060, la("transpose", MAT), [[]])
    raises(24061, la("transpose", MAT), [[1.0, 2.0], [3.0]])
    raises(24060, la("transpose", MMAT), {})
    raises(24061, la("transpose", MMAT), {"a": {"x": 1.0}, "b": {"y": 1.0}})


def test_trace():
    assert call("la.trace", SQ) == np.trace(SQ)
    assert call("la.trace", A) == 6.0  # rectangular: the diagonal that exists
    assert la("trace", MAT)([]) == 0.0
    raises(24080, la("trace", MAT), [[1.0, 2.0], [3.0]])
    assert call("la.trace", {"a": {"a": 2.0, "b": 9.0}, "b": {"b": 3.0}, "c": {"a": 1.0}}) == 5.0


def test_truncate():
    assert la("truncate", MAT, INT)(SQ, 2) == SQ[:2]
    assert la("truncate", MAT, INT)(SQ, 10) == SQ
    assert la("truncate", MAT, INT)(SQ, -1) == []
    raises(24120, la("truncate", MAT, INT), [], 1)
    raises(24121, la("truncate", MAT, INT), [[1.0], [1.0, 2.0]], 1)
    trunc = la("truncate", MMAT, AvroArray(parse_type("string")))
    assert trunc(MA, ["a", "zzz"]) == {"a": MA["a"]}
    raises(24120, trunc, {}, ["a"])


# -- numpy-backed ------------------------------------------------------------------------------

def test_inverse():
    assert close(call("la.inverse", SQ), np.linalg.inv(SQ))
    assert close(call("la.inverse", A), np.linalg.pinv(A))  # Moore-Penrose when not square
    raises(24070, la("inverse", MAT), [])
    raises(24070, la("inverse", MAT), [[]])
    raises(24071, la("inverse", MAT), [[1.0, 2.0], [3.0]])
    inv = call("la.inverse", MA)
    expect = np.linalg.inv([[1.0, 2.0], [3.0, 4.0]])
    assert close([[inv["x"]["a"], inv["x"]["b"]], [inv["y"]["a"], inv["y"]["b"]]], expect)
    raises(24070, la("inverse", MMAT), {})


def test_det():
    assert math.isclose(call("la.det", SQ), np.linalg.det(SQ))
    assert call("la.det", [[2.0]]) == 2.0
    assert call("la.det", [[1.0, 2.0], [3.0, 4.0]]) == -2.0
    rng = np.random.default_rng(7)
    m = rng.normal(size=(6, 6))
    assert math.isclose(call("la.det", m.tolist()), np.linalg.det(m), rel_tol=1e-9)
    assert math.isnan(call("la.det", [[math.nan, 1.0], [1.0, 1.0]]))
    raises(24090, la("det", MAT), [])
    raises(24091, la("det", MAT), [[1.0, 2.0], [3.0]])
    raises(24092, la("det", MAT), A)
    # sparse: missing entries are zero, the matrix spans rows ∪ columns
    assert math.isclose(call("la.det", {"a": {"a": 2.0, "b": 1.0}, "b": {"b": 3.0}}), 6.0)
    assert call("la.det", {"a": {"b": 1.0}}) == 0.0
    raises(24090, la("det", MMAT), {"a": {}})


def test_symmetric():
    sym = la("symmetric", MAT, DOUBLE)
    assert sym(SQ, 1e-9)
    assert not sym([[1.0, 2.0], [2.1, 1.0]], 0.01)
    assert sym([[1.0, 2.0], [2.1, 1.0]], 0.2)
    assert sym([[math.inf, math.nan], [math.nan, 1.0]], 0.1)
    raises(24100, sym, [], 0.1)
    raises(24101, sym, [[1.0, 2.0], [3.0]], 0.1)
    raises(24102, sym, A, 0.1)
    msym = la("symmetric", MMAT, DOUBLE)
    assert msym({"a": {"b": 1.0}, "b": {"a": 1.0}}, 1e-9)
    assert not msym({"a": {"b": 1.0}}, 1e-9)
    raises(24100, msym, {}, 0.1)


def _check_basis(basis, x):
    x = np.asarray(x)
    values = np.linalg.eigvalsh(x)
    order = np.argsort(-np.abs(values))
    basis = np.asarray(basis)
    for row, v in zip(basis, values[order]):
        vec = row * math.sqrt(abs(v))
        assert math.isclose(np.linalg.norm(vec), 1.0, rel_tol=1e-9)
        assert close(x @ vec, v * vec, 1e-8)
        assert vec[np.argmax(np.abs(vec) > 1e-12)] > 0 or abs(vec[0]) < 1e-12
    assert basis[:, 0].min() >= -1e-12  # sign: first component positive
    # whitening: basis · x · basisᵀ = ± identity
    assert close(np.abs(basis @ x @ basis.T), np.eye(len(x)), 1e-8)


def test_eigen_basis():
    _check_basis(call("la.eigenBasis", SQ), SQ)
    cov = np.cov(np.random.default_rng(3).normal(size=(50, 4)).T)
    _check_basis(call("la.eigenBasis", cov.tolist()), cov)
    # only the upper triangle: symmetrized first
    upper = np.triu(cov)
    _check_basis(call("la.eigenBasis", upper.tolist()), (upper + upper.T) / 2)
    eb = la("eigenBasis", MAT)
    raises(24110, eb, [])
    raises(24111, eb, [[1.0, 2.0], [3.0]])
    raises(24112, eb, A)
    raises(24113, eb, [[1.0, math.inf], [0.0, 1.0]])
    out = call("la.eigenBasis", {"x": {"x": 2.0}, "y": {"y": 8.0}})
    assert set(out) == {"0", "1"}
    assert close([out["0"]["x"], out["0"]["y"]], [0.0, 1 / math.sqrt(8.0)])
    assert close([out["1"]["x"], out["1"]["y"]], [1 / math.sqrt(2.0), 0.0])
    raises(24110, la("eigenBasis", MMAT), {})
    raises(24113, la("eigenBasis", MMAT), {"x": {"x": math.nan}})


@pytest.mark.parametrize("n", [1, 2, 3, 5])
def test_inverse_det_random(n):
    m = np.random.default_rng(n).normal(size=(n, n)) + n * np.eye(n)
    assert close(call("la.inverse", m.tolist()), np.linalg.inv(m), 1e-8)
    assert math.isclose(call("la.det", m.tolist()), np.linalg.det(m), rel_tol=1e-9)
