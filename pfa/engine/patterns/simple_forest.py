"""Whole-forest ``model.tree.simpleTree`` walks: every tree of a cell in one node table.

The trees of a constant array (or a single constant tree) are compiled once into a node table
and all (tree, row) pairs walk it together, level by level (:meth:`SimpleForest.leaf_matrix`).
Every node test is one comparison ``Xs[col, row] < thr``, where ``Xs`` holds columns derived
from the datum record, built once per batch and only for the columns some node reads:

* the field values (``x < v``; ``x <= v`` is ``x < nextafter(v, +inf)``);
* their negations (``x > v`` is ``-x < -v``, ``x >= v`` is ``-x < nextafter(-v, +inf)``);
* NaN flags, 0 or 1 (``x <= +inf`` and ``x >= -inf`` hold for every value but NaN);
* membership flags of a (field, value set), 0 for a member (``in``, ``==``; ``notIn`` and
  ``!=`` swap the node's children);
* a zero column (leaves: ``0 < 0`` never holds and a leaf's "false" child is itself, so every
  pair simply takes ``depth`` steps).

Tests whose outcome is known (``alwaysTrue``, ``isMissing`` of a non-null field …) are
resolved when compiling. The two children of a node are adjacent in the table, so one step is
``node = first[node] + cond``.

When every field read is an Avro ``float`` (sklearn trees compare float32 values) ``Xs`` is
float32 and each threshold is rounded up to float32: for a float32 ``x``, ``x < t`` ⟺
``x < up32(t)``, so routing is exactly the scalar engine's double comparison, with half the
memory traffic. The semantics are those of :mod:`pfa.lib.model_tree`'s ``simpleTree``: any
numeric non-null datum field, numeric values, the operators of ``simpleTest``; anything else
(nullable or non-numeric fields, values of the wrong type, NaN in a membership list …) makes
:func:`compile_simple_forest` return None and the walk runs on the scalar engine.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from pfa.avro.types import AvroRecord, AvroType, AvroUnion, is_numeric
from pfa.lib.model_tree import field_operators, node_test
from pfa.runtime.columns import BlockRec, Col, Const, Rec, from_py

_PAIRS = 1 << 16  # (tree, row) pairs walked at once: the temporaries stay in cache
_EXACT = 2 ** 53
_ZERO = ("zero",)


class _Bail(Exception):
    """A tree outside what the node table handles."""


def _number(v: Any) -> float:
    if type(v) not in (int, float) or (type(v) is int and abs(v) > _EXACT):
        raise _Bail
    return float(v)


def _value_set(v: Any) -> frozenset[float]:
    if type(v) is not list:
        raise _Bail
    vals = frozenset(_number(e) for e in v)
    if any(math.isnan(e) for e in vals):
        raise _Bail  # ``x in [nan]`` depends on object identity
    return vals


class _FieldRules:
    """Which operators the node table takes on one datum field: those the scalar
    ``simpleTree`` accepts (:func:`pfa.lib.model_tree.field_operators`), on numeric fields."""

    def __init__(self, field_t: AvroType, value_t: AvroType):
        self.numeric = is_numeric(field_t)
        self.nullable = isinstance(field_t, AvroUnion) and any(
            b.name == "null" for b in field_t.types)
        self.is_float = field_t.name == "float"
        membership, ordering = field_operators(field_t, value_t)
        self.ordering = self.numeric and ordering
        self.membership = self.numeric and membership


def _test(op: str, v: Any, rules: _FieldRules, f: int) -> tuple[Any, float, bool] | bool:
    """(column spec, threshold, swap) with ``Xs[col] < thr`` ⟺ ``x op v`` (children swapped
    when ``swap``), or the constant outcome of the test."""
    if op in ("isMissing", "notMissing") and rules.nullable:
        raise _Bail  # the outcome depends on the row (a null field is missing)
    if op in ("alwaysTrue", "notMissing"):
        return True
    if op in ("alwaysFalse", "isMissing"):
        return False
    if op in ("in", "notIn"):
        if not rules.membership:
            raise _Bail
        vals = _value_set(v)
        if not vals:
            return op == "notIn"
        return ("set", f, vals), 0.5, op == "notIn"
    if not rules.ordering:
        raise _Bail
    x = _number(v)
    if op in ("==", "!="):
        if math.isnan(x):
            return op == "!="
        return ("set", f, frozenset((x,))), 0.5, op == "!="
    if op == "<":
        return ("x", f), x, False
    if op == "<=":
        if x == math.inf:
            return ("nan", f), 0.5, False
        return ("x", f), float(np.nextafter(x, math.inf)), False
    if op == ">":
        return ("neg", f), -x, False
    if op == ">=":
        if x == -math.inf:
            return ("nan", f), 0.5, False
        return ("neg", f), float(np.nextafter(-x, math.inf)), False
    raise _Bail


def _up32(t: np.ndarray) -> np.ndarray:
    """The smallest float32 ≥ each threshold (NaN stays NaN)."""
    with np.errstate(over="ignore"):
        t32 = t.astype(np.float32)
    low = t32.astype(np.float64) < t
    t32[low] = np.nextafter(t32[low], np.float32(np.inf))
    return t32


class SimpleForest:
    """The node table of a list of trees (see the module docstring)."""

    def __init__(self, ntrees: int, fields: list[str]) -> None:
        self.ntrees = ntrees
        self.fields = fields  # datum field names, by index
        self.specs: dict[Any, int] = {_ZERO: 0}  # column spec → row of ``Xs``
        self.col: list[int] = []
        self.thr: list[float] = []
        self.first: list[int] = []
        self.leaf: list[int] = []
        self.leaf_values: list[Any] = []
        self.roots: list[int] = []
        self.depth = 0
        self.depths: list[int] = []  # of each tree
        self.float32 = True

    def alloc(self, k: int) -> int:
        me = len(self.col)
        self.col.extend([0] * k)
        self.thr.extend([0.0] * k)
        self.first.extend(range(me, me + k))  # leaves (and placeholders) loop on themselves
        self.leaf.extend([-1] * k)
        return me

    def finish(self, leaf_t: AvroType) -> None:
        self.col_a = np.array(self.col, dtype=np.intp)
        thr = np.array(self.thr, dtype=np.float64)
        self.thr_a = _up32(thr) if self.float32 else thr
        self.first_a = np.array(self.first, dtype=np.intp)
        self.leaf_a = np.array(self.leaf, dtype=np.intp)
        # trees walked deepest first: after level ``l`` only the first ``active[l]`` rows
        # of the walk (trees deeper than ``l``) still move
        depths = np.array(self.depths, dtype=np.intp)
        self.order = np.argsort(-depths, kind="stable")
        self.roots_a = np.array(self.roots, dtype=np.intp)[self.order]
        self.active = [int((depths > lv).sum()) for lv in range(self.depth)]
        self.sorted = bool((self.order == np.arange(len(self.order))).all())
        self.leaf_col: Col = from_py(self.leaf_values, leaf_t)
        self.dtype = np.float32 if self.float32 else np.float64
        self.spec_list = sorted(self.specs, key=self.specs.__getitem__)

    # -- the derived columns ----------------------------------------------------------------
    def _matrix(self, dcol: Col, n: int) -> np.ndarray | None:
        """``Xs`` (columns, rows) for the datum column ``dcol``; None if a field column is
        not a plain number column."""
        if isinstance(dcol, Const) and type(dcol.value) is dict:
            dcol = Rec({k: Const(v) for k, v in dcol.value.items()})
        if not isinstance(dcol, Rec):
            return None
        xs = np.empty((len(self.spec_list), n), dtype=self.dtype)
        cache: dict[int, np.ndarray] = {}
        done = _from_block(self, dcol, xs)
        for i, spec in enumerate(self.spec_list):
            if spec is _ZERO:
                xs[i] = 0
                continue
            if i in done:
                continue
            f = spec[1]
            x = cache.get(f)
            if x is None:
                x = _field_values(dcol.fields.get(self.fields[f]), n)
                if x is None:
                    return None
                cache[f] = x
            if spec[0] == "x":
                xs[i] = x
            elif spec[0] == "neg":
                np.negative(x, out=xs[i], casting="same_kind")
            elif spec[0] == "nan":
                xs[i] = np.isnan(x)
            else:
                xs[i] = _non_member(x, spec[2])
        return xs

    # -- walking ----------------------------------------------------------------------------
    def leaf_matrix(self, dcol: Col, n: int, reuse: np.ndarray | None = None
                    ) -> np.ndarray | None:
        """The leaf index of every (tree, row): an intp array (trees, rows), or None.
        ``reuse``: a previous result no longer needed, overwritten when its shape fits (a
        fresh array of this size costs more in page faults than the walk of a level)."""
        xs = self._matrix(dcol, n)
        if xs is None:
            return None
        T = self.ntrees
        fits = reuse is not None and reuse.shape == (T, n) and reuse.dtype == np.intp
        out = reuse if fits else np.empty((T, n), dtype=np.intp)
        step = max(1, _PAIRS // max(T, 1))
        for a in range(0, n, step):
            b = min(n, a + step)
            self._block(xs, a, b, out[:, a:b])
        return out

    def _block(self, xs: np.ndarray, a: int, b: int, out: np.ndarray) -> None:
        """Walk rows ``a:b``; ``out`` (trees, b - a) receives the leaf indexes."""
        roots = self.roots_a
        if self.depth == 0:
            out[self.order] = self.leaf_a[roots][:, None]
            return
        node = np.empty(out.shape, dtype=np.intp)
        cond = np.empty(out.shape, dtype=bool)
        # level 0: one node per tree, its column read directly
        np.less(xs[self.col_a[roots], a:b], self.thr_a[roots][:, None], out=cond)
        np.add(self.first_a[roots][:, None], cond, out=node)
        if self.depth > 1:
            self._levels(xs, a, b, node, cond)
        if self.sorted:
            np.take(self.leaf_a, node, out=out, mode="clip")
        else:
            out[self.order] = np.take(self.leaf_a, node, mode="clip")

    def _levels(self, xs: np.ndarray, a: int, b: int, node: np.ndarray,
                cond: np.ndarray) -> None:
        """The steps after the first one, in place on ``node`` (trees deepest first)."""
        n = xs.shape[1]
        flat = xs.ravel()
        col = self.col_a * n
        rows = np.arange(a, b, dtype=np.intp)
        c = np.empty(node.shape, dtype=np.intp)
        x = np.empty(node.shape, dtype=self.dtype)
        t = np.empty(node.shape, dtype=self.dtype)
        for level in range(1, self.depth):
            k = self.active[level]
            nd, cd, ck, xk, tk = node[:k], cond[:k], c[:k], x[:k], t[:k]
            np.take(col, nd, out=ck, mode="clip")
            np.add(ck, rows, out=ck)
            np.take(flat, ck, out=xk, mode="clip")
            np.take(self.thr_a, nd, out=tk, mode="clip")
            np.less(xk, tk, out=cd)
            np.take(self.first_a, nd, out=nd, mode="clip")
            np.add(nd, cd, out=nd)


def _from_block(forest: SimpleForest, dcol: Col, xs: np.ndarray) -> set[int]:
    """Fill the rows of ``xs`` holding plain or negated field values in two gathers when
    ``dcol`` is a :class:`BlockRec`; the indexes of the rows filled."""
    if not isinstance(dcol, BlockRec):
        return set()
    done: set[int] = set()
    for tag in ("x", "neg"):
        dst, src = [], []
        for i, spec in enumerate(forest.spec_list):
            if spec is not _ZERO and spec[0] == tag:
                j = dcol.rows.get(forest.fields[spec[1]])
                if j is not None:
                    dst.append(i)
                    src.append(j)
        if not dst:
            continue
        vals = dcol.block.take(src, axis=0)
        if tag == "neg":
            np.negative(vals, out=vals)
        if dst == list(range(dst[0], dst[0] + len(dst))):
            xs[dst[0]:dst[0] + len(dst)] = vals
        else:
            xs[dst] = vals
        done.update(dst)
    return done


def _field_values(c: Any, n: int) -> np.ndarray | None:
    """A datum field column as float64 values (exact), or None."""
    if isinstance(c, Const):
        if type(c.value) not in (int, float) or (type(c.value) is int and
                                                abs(c.value) > _EXACT):
            return None
        return np.full(n, float(c.value))
    if not isinstance(c, np.ndarray):
        return None
    if c.dtype == np.float64:
        return c
    if c.dtype == np.int64 and (not len(c) or np.abs(c).max() <= _EXACT):
        return c.astype(np.float64)
    return None


def _non_member(x: np.ndarray, vals: frozenset[float]) -> np.ndarray:
    """0.0 where ``x`` is in ``vals`` (Python ``==``: NaN is in no set), else 1.0."""
    table = np.array(sorted(vals), dtype=np.float64)
    pos = np.searchsorted(table, x)
    hit = table[np.minimum(pos, len(table) - 1)] == x
    return (~hit).astype(np.float64)


# =============================================================================================
# compiling trees
# =============================================================================================

def compile_simple_forest(trees: list, tree_t: AvroType, datum_t: AvroType,
                          leaf_t: AvroType) -> SimpleForest | None:
    """The node table of ``trees`` walked by ``simpleTree`` (None when some tree or field is
    outside what it handles)."""
    if not trees or not isinstance(datum_t, AvroRecord) or not isinstance(tree_t, AvroRecord):
        return None
    value_field = tree_t.field("value")
    if value_field is None or not all(type(t) is dict for t in trees):
        return None
    is_node = node_test(tree_t)
    fidx = {f.name: i for i, f in enumerate(datum_t.fields)}
    rules = [_FieldRules(f.type, value_field.type) for f in datum_t.fields]
    forest = SimpleForest(len(trees), [f.name for f in datum_t.fields])
    try:
        for tree in trees:
            if not is_node(tree):
                return None
            root = forest.alloc(1)
            forest.roots.append(root)
            _fill(forest, root, tree, is_node, fidx, rules)
    except (_Bail, KeyError, TypeError):
        return None
    forest.finish(leaf_t)
    return forest


def _fill(forest: SimpleForest, root: int, tree: Any, is_node: Any, fidx: dict[str, int],
          rules: list[_FieldRules]) -> None:
    """Lay out ``tree`` from table slot ``root`` (an explicit stack: trees may be deep)."""
    stack = [(root, tree, 0)]
    deepest = 0
    while stack:
        me, node, level = stack.pop()
        while is_node(node):
            f = fidx.get(node["field"])
            op = node["operator"]
            if f is None or type(op) is not str:
                raise _Bail
            test = _test(op, node["value"], rules[f], f)
            if type(test) is bool:
                node = node["pass"] if test else node["fail"]
                continue
            spec, thr, swap = test
            if spec[0] in ("x", "neg") and not rules[f].is_float:
                forest.float32 = False  # (0/1 flags are exact in float32)
            col = forest.specs.setdefault(spec, len(forest.specs))
            kids = forest.alloc(2)
            forest.col[me], forest.thr[me], forest.first[me] = col, thr, kids
            no, yes = (node["pass"], node["fail"]) if swap else (node["fail"], node["pass"])
            stack.append((kids, no, level + 1))
            stack.append((kids + 1, yes, level + 1))
            break
        else:
            forest.leaf[me] = len(forest.leaf_values)
            forest.leaf_values.append(node)
            forest.depth = max(forest.depth, level)
            deepest = max(deepest, level)
    forest.depths.append(deepest)
