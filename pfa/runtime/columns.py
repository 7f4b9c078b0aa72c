"""Column representation of a batch of engine values: the values the vector back end and the
library's batch forms compute with.

A column holds the values of one expression for ``n`` rows. Its Python class follows the
expression's Avro type (decided at compile time by :func:`kind`):

=================================  ===========================================================
kind / Avro type                   column
=================================  ===========================================================
``"int"`` (int, long)              ``np.ndarray`` of int64, shape (n,)
``"float"`` (float, double)        ``np.ndarray`` of float64 (a float holds float32 values)
``"bool"`` (boolean)               ``np.ndarray`` of bool
``"opt"`` (null ∪ one of above)    :class:`Opt`: values (filler where null) + null mask
``"arr"`` (arrays of numbers,      :class:`Arr`: one ndarray of shape (n, k, …) when every row
nested arrays of numbers)          has the same length; else an object column of lists
``"rec"`` (record)                 :class:`Rec`: one column per field (:class:`BlockRec`:
                                   the fields are the rows of one 2-D block)
``"obj"`` (anything else)          ``np.ndarray`` of dtype object holding engine values
=================================  ===========================================================

Any column may also be a :class:`Const`: one engine value shared by every row (literals,
cell contents). :func:`to_py` / :func:`from_py` convert between columns and lists of engine
values (the row-wise fallback), :func:`take` gathers rows, :func:`merge` scatters the results
of branches back together and :func:`coerce` promotes (int → double …) like the scalar
back end's ``coercer``.

The module also holds the numeric helpers shared by vector kernels (float32 rounding, Python
order summation, Avro number order).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from pfa.avro.types import (
    AvroArray,
    AvroEnum,
    AvroFixed,
    AvroMap,
    AvroRecord,
    AvroType,
    AvroUnion,
)


class NotVectorized(Exception):
    """Raised by a vector kernel at run time when its input has a shape it does not handle
    (a ragged array, a non-constant model …); the caller then runs the call row by row."""


class Const:
    """One engine value shared by all rows."""

    __slots__ = ("value",)

    def __init__(self, value: Any):
        self.value = value

    def __repr__(self) -> str:
        return f"Const({self.value!r})"


class Arr:
    """An array column whose rows all have the same length: ``data`` has shape (n, k, …)."""

    __slots__ = ("data",)

    def __init__(self, data: np.ndarray):
        self.data = data


class Rec:
    """A record column: field name → column."""

    __slots__ = ("fields",)

    def __init__(self, fields: dict[str, Any]):
        self.fields = fields


class BlockRec(Rec):
    """A record column whose fields are the rows of ``block`` (fields, n) of float64:
    ``rows[name]`` is the row of field ``name`` (a forest walk reads the block itself)."""

    __slots__ = ("block", "rows")

    def __init__(self, block: np.ndarray, names: list[str]):
        super().__init__({name: block[j] for j, name in enumerate(names)})
        self.block = block
        self.rows = {name: j for j, name in enumerate(names)}


class Opt:
    """A nullable scalar column: ``values`` (a numeric column, filler where null) and the
    boolean ``null`` mask."""

    __slots__ = ("values", "null")

    def __init__(self, values: np.ndarray, null: np.ndarray):
        self.values = values
        self.null = null


Col = Any  # np.ndarray | Const | Arr | Rec | Opt

_DTYPES = {"int": np.int64, "float": np.float64, "bool": np.bool_}
_NUM_NAMES = {"int": "int", "long": "int", "float": "float", "double": "float",
              "boolean": "bool"}


def non_null(t: AvroType) -> AvroType | None:
    """The single non-null branch of a union ``[null, T]`` (None for other types)."""
    if isinstance(t, AvroUnion) and len(t.types) == 2:
        names = [b.name for b in t.types]
        if "null" in names:
            other = t.types[1 - names.index("null")]
            if not isinstance(other, AvroUnion):
                return other
    return None


def _numeric_array(t: AvroType) -> bool:
    if not isinstance(t, AvroArray):
        return False
    items = t.items
    return items.name in _NUM_NAMES or _numeric_array(items)


def kind(t: Any) -> str:
    """The column kind of Avro type ``t`` (see the module docstring)."""
    if not isinstance(t, AvroType):
        return "obj"
    name = t.name
    if name in _NUM_NAMES:
        return _NUM_NAMES[name]
    if isinstance(t, AvroRecord):
        return "rec"
    if _numeric_array(t):
        return "arr"
    inner = non_null(t)
    if inner is not None and inner.name in _NUM_NAMES:
        return "opt"
    return "obj"


_FILLERS = {"null": None, "int": 0, "long": 0, "float": 0.0, "double": 0.0, "boolean": False,
            "string": "", "bytes": b""}


def filler(t: Any, _seen: frozenset[int] = frozenset()) -> Any:
    """A value of type ``t`` standing in for the result of a failed row: it is never
    reported, but later kernels must be able to compute with it (None for a nullable type)."""
    if not isinstance(t, AvroType) or id(t) in _seen:
        return None
    name = t.name
    if name in _FILLERS:
        return _FILLERS[name]
    if isinstance(t, AvroUnion):
        if any(b.name == "null" for b in t.types):
            return None
        return filler(t.types[0], _seen) if t.types else None
    if isinstance(t, AvroArray):
        return []
    if isinstance(t, AvroMap):
        return {}
    if isinstance(t, AvroRecord):
        seen = _seen | {id(t)}
        return {f.name: filler(f.type, seen) for f in t.fields}
    if isinstance(t, AvroEnum):
        return t.symbols[0] if t.symbols else None
    if isinstance(t, AvroFixed):
        return bytes(t.size)
    return None


def dtype_of(t: AvroType) -> Any:
    """The numpy dtype of a numeric type, or of the numbers inside a numeric array type."""
    while isinstance(t, AvroArray):
        t = t.items
    inner = non_null(t)
    if inner is not None:
        t = inner
    return _DTYPES[_NUM_NAMES[t.name]]


def obj_array(values: Sequence[Any]) -> np.ndarray:
    """A 1-D object array holding ``values`` as they are (lists stay lists)."""
    out = np.empty(len(values), dtype=object)
    for i, v in enumerate(values):
        out[i] = v
    return out


# ---------------------------------------------------------------------------------------------
# conversions
# ---------------------------------------------------------------------------------------------

def from_py(values: Sequence[Any], t: AvroType) -> Col:
    """The column of type ``t`` holding engine values ``values`` (None stands for a row whose
    value does not matter, e.g. a failed row)."""
    k = kind(t)
    n = len(values)
    if k in _DTYPES:
        dt = _DTYPES[k]
        try:
            return np.array(values, dtype=dt).reshape(n)
        except (TypeError, ValueError, OverflowError):
            filler = 0 if k != "float" else np.nan
            return np.array([filler if v is None else v for v in values], dtype=dt).reshape(n)
    if k == "opt":
        inner = non_null(t)
        assert inner is not None
        null = np.array([v is None for v in values], dtype=bool).reshape(n)
        return Opt(from_py(values, inner), null)
    if k == "rec":
        assert isinstance(t, AvroRecord)
        return Rec({f.name: from_py([None if v is None else v[f.name] for v in values], f.type)
                    for f in t.fields})
    if k == "arr":
        if n and all(type(v) is list for v in values):
            try:
                data = np.array(values, dtype=dtype_of(t))
            except (TypeError, ValueError, OverflowError):
                data = None
            if data is not None and data.ndim == array_depth(t) + 1 and data.dtype != object:
                return Arr(data)
        elif n == 0:
            return Arr(np.zeros((0,) + (0,) * array_depth(t), dtype=dtype_of(t)))
    return obj_array(values)


def array_depth(t: AvroType) -> int:
    """How many array types are nested in ``t`` (``array<array<double>>``: 2)."""
    d = 0
    while isinstance(t, AvroArray):
        d += 1
        t = t.items
    return d


def to_py(col: Col, t: AvroType, n: int) -> list[Any]:
    """The engine values of the ``n`` rows of ``col`` (of type ``t``)."""
    if isinstance(col, Const):
        return [col.value] * n
    if isinstance(col, np.ndarray):
        return col.tolist() if col.dtype != object else list(col)
    if isinstance(col, Opt):
        inner = non_null(t)
        vals = to_py(col.values, inner if inner is not None else t, n)
        return [None if m else v for v, m in zip(vals, col.null.tolist())]
    if isinstance(col, Arr):
        return col.data.tolist()
    if isinstance(col, Rec):
        assert isinstance(t, AvroRecord)
        names = [f.name for f in t.fields]
        cols = [to_py(col.fields[f.name], f.type, n) for f in t.fields]
        return [dict(zip(names, row)) for row in zip(*cols)] if names else [{} for _ in range(n)]
    raise TypeError(f"not a column: {type(col).__name__}")


def materialize(col: Col, t: AvroType, n: int) -> Col:
    """``col`` with a Const replaced by a real column of ``n`` rows."""
    if not isinstance(col, Const):
        return col
    k = kind(t)
    if k in _DTYPES:
        return np.full(n, col.value, dtype=_DTYPES[k])
    return from_py([col.value] * n, t)


def take(col: Col, idx: np.ndarray) -> Col:
    """The rows ``idx`` of ``col`` (a gather; ``idx`` may repeat rows)."""
    if isinstance(col, np.ndarray):
        return col[idx]
    if isinstance(col, Const):
        return col
    if isinstance(col, Arr):
        return Arr(col.data[idx])
    if isinstance(col, Opt):
        return Opt(col.values[idx], col.null[idx])
    if isinstance(col, Rec):
        return Rec({k: take(v, idx) for k, v in col.fields.items()})
    raise TypeError(f"not a column: {type(col).__name__}")


def merge(t: AvroType, n: int, parts: list[tuple[np.ndarray, Col]]) -> Col:
    """One column of ``n`` rows made of ``parts``: (row indexes, column over those rows)."""
    k = kind(t)
    if k in _DTYPES:
        out = np.zeros(n, dtype=_DTYPES[k])
        for idx, c in parts:
            out[idx] = c.value if isinstance(c, Const) else c
        return out
    if k == "opt":
        inner = non_null(t)
        assert inner is not None
        ps = [(idx, materialize(c, t, len(idx))) for idx, c in parts]
        return Opt(merge(inner, n, [(i, c.values) for i, c in ps]),
                   merge_mask(n, [(i, c.null) for i, c in ps]))
    if k == "rec" and all(isinstance(c, Rec) for _, c in parts):
        assert isinstance(t, AvroRecord)
        return Rec({f.name: merge(f.type, n, [(i, c.fields[f.name]) for i, c in parts])
                    for f in t.fields})
    if k == "arr" and parts and all(isinstance(c, Arr) for _, c in parts):
        shapes = {c.data.shape[1:] for _, c in parts}
        if len(shapes) == 1:
            out = np.zeros((n,) + shapes.pop(), dtype=dtype_of(t))
            for idx, c in parts:
                out[idx] = c.data
            return Arr(out)
    values: list[Any] = [None] * n
    for idx, c in parts:
        for i, v in zip(idx.tolist(), to_py(c, t, len(idx))):
            values[i] = v
    return from_py(values, t)


def merge_mask(n: int, parts: list[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
    out = np.zeros(n, dtype=bool)
    for idx, m in parts:
        out[idx] = m
    return out


def scatter(base: Col, idx: np.ndarray, new: Col, t: AvroType, n: int) -> Col:
    """``base`` (``n`` rows) with the rows ``idx`` replaced by ``new``."""
    rest = np.setdiff1d(np.arange(n), idx, assume_unique=True)
    return merge(t, n, [(rest, take(base, rest)), (idx, new)])


def stack_results(results: list[Col], item_t: AvroType, n: int) -> Col:
    """The array column whose position ``j`` holds ``results[j]`` (columns of ``item_t``)."""
    t = AvroArray(item_t)
    if all(isinstance(r, Const) for r in results):
        return Const([r.value for r in results])
    k = kind(item_t)
    if k in ("int", "float", "bool"):
        cols = [materialize(r, item_t, n) for r in results]
        # position-major (a transposed view): each position's column stays contiguous
        return Arr(np.stack(cols).T) if cols else from_py([[]] * n, t)
    if k == "arr":
        cols = [materialize(r, item_t, n) for r in results]
        if all(isinstance(c, Arr) for c in cols):
            shapes = {c.data.shape for c in cols}
            if len(shapes) == 1:
                return Arr(np.stack([c.data for c in cols], axis=1))
    lists = [to_py(r, item_t, n) for r in results]
    return from_py([list(row) for row in zip(*lists)] if lists else [[]] * n, t)


def elements(col: Col, item_t: AvroType, n: int) -> list[Col] | None:
    """The columns of the positions of an array column (None if rows differ in length)."""
    if isinstance(col, Const):
        return [Const(v) for v in col.value]
    if isinstance(col, Arr):
        data = col.data
        if data.ndim == 2:
            return [data[:, j] for j in range(data.shape[1])]
        return [Arr(data[:, j]) for j in range(data.shape[1])]
    lists = col.tolist() if isinstance(col, np.ndarray) else None
    if lists is None or not lists:
        return [] if lists is not None else None
    size = len(lists[0]) if lists[0] is not None else -1
    if any(v is None or len(v) != size for v in lists):
        return None
    return [from_py([v[j] for v in lists], item_t) for j in range(size)]


_TABLES: dict[int, tuple[Any, Col]] = {}


def const_table(values: list, item_t: Any) -> Col:
    """The column (one row per item) of a constant list, cached while the list lives."""
    hit = _TABLES.get(id(values))
    if hit is not None and hit[0] is values:
        return hit[1]
    col = from_py(values, item_t)
    if len(_TABLES) > 256:
        _TABLES.clear()
    _TABLES[id(values)] = (values, col)
    return col


# ---------------------------------------------------------------------------------------------
# coercion (mirrors the scalar back end's coercer)
# ---------------------------------------------------------------------------------------------

def f32_col(x: np.ndarray) -> np.ndarray:
    """Round float64 values to float32 precision (overflow gives ±inf), like ``f32``."""
    with np.errstate(over="ignore"):
        return x.astype(np.float32).astype(np.float64)


def coerce(col: Col, conv: Callable[[Any], Any] | None, src: AvroType, dst: AvroType,
           n: int) -> Col:
    """Apply the scalar back end's promotion ``conv`` (from ``coercer(dst, src)``) to
    ``col``; ``col`` is also re-shaped into the representation of ``dst``."""
    if conv is None and kind(src) == kind(dst):
        return col
    if isinstance(col, Const):
        return Const(conv(col.value) if conv is not None else col.value)
    ks, kd = kind(src), kind(dst)
    if isinstance(col, np.ndarray) and ks == "int" and kd == "float":
        out = col.astype(np.float64)
        return f32_col(out) if dst.name == "float" else out
    if isinstance(col, np.ndarray) and ks in _DTYPES and kd == "opt":
        inner = non_null(dst)
        assert inner is not None
        vals = coerce(col, conv, src, inner, n)
        return Opt(vals, np.zeros(n, dtype=bool))
    if isinstance(col, Opt) and kd == "opt" and ks == "opt":
        inner_d, inner_s = non_null(dst), non_null(src)
        assert inner_d is not None and inner_s is not None
        if kind(inner_d) == kind(inner_s):
            return col
        vals = col.values.astype(np.float64)
        return Opt(f32_col(vals) if inner_d.name == "float" else vals, col.null)
    if isinstance(col, Arr) and kd == "arr" and conv is not None:
        data = col.data.astype(np.float64)
        return Arr(f32_col(data) if _leaf_name(dst) == "float" else data)
    vals = to_py(col, src, n)
    if conv is not None:
        vals = [None if v is None and src.name != "null" and kind(src) != "opt" else conv(v)
                for v in vals]
    return from_py(vals, dst)


def _leaf_name(t: AvroType) -> str:
    while isinstance(t, AvroArray):
        t = t.items
    return t.name


# ---------------------------------------------------------------------------------------------
# numeric helpers of kernels
# ---------------------------------------------------------------------------------------------

def dense(col: Col, n: int, dtype: Any = None) -> np.ndarray:
    """A numeric column as an ndarray of ``n`` rows (a Const is broadcast)."""
    if isinstance(col, Const):
        return np.full(n, col.value, dtype=dtype if dtype is not None else None)
    if isinstance(col, np.ndarray):
        return col
    raise NotVectorized(f"not a plain column: {type(col).__name__}")


_COMPENSATED_SUM = sys.version_info >= (3, 12)


def py_sum(terms: Sequence[np.ndarray], start: float = 0.0) -> np.ndarray:
    """Row-wise ``sum(terms, start)`` with exactly the floating-point operations of Python's
    built-in ``sum`` over floats (sequential; Neumaier-compensated from Python 3.12 on)."""
    if not terms:
        return np.asarray(start, dtype=np.float64)
    acc = np.asarray(start, dtype=np.float64) + np.zeros_like(terms[0], dtype=np.float64)
    if not _COMPENSATED_SUM:
        for x in terms:
            if np.shape(x) == acc.shape:
                np.add(acc, x, out=acc)
            else:
                acc = acc + x
        return acc
    c = np.zeros_like(acc)
    with np.errstate(invalid="ignore", over="ignore"):
        for x in terms:
            t = acc + x
            c = c + np.where(np.abs(acc) >= np.abs(x), (acc - t) + x, (x - t) + acc)
            acc = t
        return np.where((c != 0) & np.isfinite(c), acc + c, acc)


def py_sum_block(terms: np.ndarray, start: float = 0.0) -> np.ndarray:
    """:func:`py_sum` of the terms stacked along the first axis of ``terms`` (k, …): one
    numpy reduction (sequential along the first axis) where Python's sum is sequential."""
    if _COMPENSATED_SUM or not len(terms):
        return py_sum(list(terms), start)
    block = np.ascontiguousarray(terms, dtype=np.float64)  # the first axis outermost
    return np.add.reduce(block, axis=0, initial=float(start))


def dot_rows(coef: np.ndarray, x: np.ndarray) -> np.ndarray:
    """(m, n): ``sum(c * v for c, v in zip(coef[i], x[r]), 0.0)`` for every output ``i`` and
    row ``r`` of ``x`` (n, size), the products added in position order like :func:`py_sum`."""
    m, size = coef.shape
    n = x.shape[0]
    if _COMPENSATED_SUM or not size:
        return py_sum([coef[:, j:j + 1] * x[:, j] for j in range(size)]).reshape(m, n)
    acc = np.zeros((m, n), dtype=np.float64)
    tmp = np.empty((m, n), dtype=np.float64)
    for j in range(size):
        np.multiply(coef[:, j:j + 1], x[:, j], out=tmp)
        np.add(acc, tmp, out=acc)
    return acc


def seq_sum(terms: Sequence[np.ndarray], start: float = 0.0) -> np.ndarray:
    """Row-wise left-to-right ``start + t0 + t1 + …`` (a plain Python loop of additions)."""
    acc = np.asarray(start, dtype=np.float64)
    for x in terms:
        acc = acc + x
    return acc


def number_cmp(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Row-wise Avro number order (-1, 0, 1): NaN equals NaN and is above every number."""
    with np.errstate(invalid="ignore"):
        c = np.where(a < b, -1, np.where(a > b, 1, 0))
        an, bn = np.isnan(a), np.isnan(b)
    return np.where(an & ~bn, 1, np.where(bn & ~an, -1, c))


def elementwise(fn: Callable[[float], float], x: np.ndarray) -> np.ndarray:
    """``fn`` (a Python float function, e.g. ``math.exp``) applied to every element of ``x``:
    numpy's own transcendental functions differ from libm in the last bit, so exact results
    come from calling the scalar function."""
    flat = x.ravel().tolist()
    return np.fromiter(map(fn, flat), dtype=np.float64, count=len(flat)).reshape(x.shape)


def num_arg(col: Col, dtype: Any = np.float64) -> Any:
    """A numeric argument of a kernel: an ndarray, or a numpy scalar for a Const
    (NotVectorized for other columns)."""
    if isinstance(col, np.ndarray) and col.dtype != object:
        return col
    if isinstance(col, Const) and type(col.value) in (int, float, bool):
        return dtype(col.value)
    raise NotVectorized("not a numeric column")


def block(col: Col, dtype: Any = np.float64) -> np.ndarray:
    """The data of a numeric array column: (n, k, …) for an :class:`Arr`, (k, …) for a
    Const list (NotVectorized for ragged columns)."""
    if isinstance(col, Arr):
        return col.data
    if isinstance(col, Const):
        try:
            out = np.array(col.value, dtype=dtype)
        except (TypeError, ValueError) as exc:
            raise NotVectorized("ragged constant") from exc
        if out.dtype == object:
            raise NotVectorized("ragged constant")
        return out
    raise NotVectorized("ragged array column")


def fail_all(env: Any, exc: Exception) -> None:
    """Record ``exc`` for every row of ``env``."""
    env.fail(np.ones(env.n, dtype=bool), exc)
