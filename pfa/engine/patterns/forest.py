"""Whole-forest tree walks: ``model.tree.missingWalk`` over every tree of a constant array.

``a.map``/``a.fold`` over a cell of trees whose function walks the current tree with
``model.tree.missingWalk`` (see :class:`pfa.runtime.batch_forms.LoopHint`) does not walk the trees one by one: all the
trees are compiled once into one node table (:func:`compile_forest`) and all (row, tree)
pairs walk it together, level by level (:meth:`Forest.leaves`). The fold or map then takes the
leaf column of each tree in turn, in tree order, so the arithmetic of the fold is unchanged.

The node table is uniform so that one level is a handful of whole-array operations:

* identical subtrees are shared (exported trees repeat the ``missing`` subtree), leaves loop
  on themselves, so every pair simply takes ``depth`` steps;
* every test is ``Xs[row, col] < thr`` where ``Xs`` holds the datum fields, their negations
  and a zero column, with nulls as NaN: ``x <= t`` is ``x < nextafter(t, +inf)``, ``x > t`` is
  ``-x < -t`` …; when the ``missing`` child is the ``pass`` child the test is negated (NaN,
  i.e. null, fails every comparison, so it goes to the "false" child);
* ``in``/``notIn`` nodes look the field value's code up in a membership table.

Only numeric (float/double) datum fields, numeric thresholds and membership lists, and
``missing`` children equal to ``pass`` or ``fail`` are handled; anything else (and data with
NaN that is not null) leaves the walk to the one-tree kernel of :mod:`pfa.engine.patterns.tree_walks`.
"""

from __future__ import annotations

import math
import sys
from typing import Any

import numpy as np

from pfa.avro.types import AvroRecord, AvroType
from pfa.lib.model_tree import node_test
from pfa.runtime.columns import Col, from_py

_FLIP = {"<": ">=", "<=": ">", ">": "<=", ">=": "<"}
_BLOCK = 1 << 18  # (row, tree) pairs walked at once: bounds memory, stays in cache


class Forest:
    """The node table of a list of trees (see the module docstring)."""

    def __init__(self, ntrees: int, nfields: int) -> None:
        self.ntrees = ntrees
        self.nfields = nfields
        self.col: list[int] = []
        self.thr: list[float] = []
        self.kids: list[int] = []
        self.set_id: list[int] = []
        self.leaf: list[int] = []  # node → leaf index (-1 for inner nodes)
        self.leaf_values: list[Any] = []
        self.roots: list[int] = []
        self.depth = 0
        self.sets: list[tuple[bool, set[float], bool]] = []  # (is "in", values, null → true)

    def finish(self, leaf_t: AvroType) -> None:
        self.col_a = np.array(self.col, dtype=np.intp)
        self.thr_a = np.array(self.thr, dtype=np.float64)
        self.kids_a = np.array(self.kids, dtype=np.intp)
        self.leaf_a = np.array(self.leaf, dtype=np.intp)
        self.roots_a = np.array(self.roots, dtype=np.intp)
        self.leaf_col: Col = from_py(self.leaf_values, leaf_t)
        self.has_sets = bool(self.sets)
        if self.has_sets:
            values = sorted({v for _, vs, _ in self.sets for v in vs})
            self.set_values = np.array(values, dtype=np.float64)
            k = len(values)
            self.ncodes = k + 2  # codes: the values, "other", null
            table = np.zeros((len(self.sets), self.ncodes), dtype=bool)
            for i, (is_in, vs, null_true) in enumerate(self.sets):
                member = np.isin(self.set_values, np.array(sorted(vs), dtype=np.float64))
                table[i, :k] = member if is_in else ~member
                table[i, k] = not is_in
                table[i, k + 1] = null_true
            self.member = table.ravel()
            self.set_id_a = np.array(self.set_id, dtype=np.intp)
            self.is_set = self.set_id_a >= 0
            self.set_base = np.where(self.is_set, self.set_id_a, 0) * self.ncodes

    # -- walking ----------------------------------------------------------------------------
    def leaves(self, X: np.ndarray, null: np.ndarray) -> np.ndarray:
        """Leaf index of every (row, tree): ``X``/``null`` are (fields, rows) values and null
        masks of the datum. Returns an int32 array of shape (rows, trees)."""
        F, n = X.shape
        T = self.ntrees
        out = np.empty((n, T), dtype=np.int32)
        step = max(1, _BLOCK // max(T, 1))
        for a in range(0, n, step):
            b = min(n, a + step)
            out[a:b] = self._block(X[:, a:b], null[:, a:b])
        return out

    def _block(self, X: np.ndarray, null: np.ndarray) -> np.ndarray:
        F, n = X.shape
        T = self.ntrees
        # Xs, column-major: row r of column c is flat[c * n + r]
        xs = np.empty((2 * F + 1, n), dtype=np.float64)
        np.copyto(xs[:F], X)
        xs[:F][null] = np.nan
        np.negative(xs[:F], out=xs[F:2 * F])
        xs[2 * F] = 0.0
        flat = xs.ravel()
        col = self.col_a * n
        rows = np.arange(n, dtype=np.intp)[:, None]
        node = np.empty((n, T), dtype=np.intp)
        node[:] = self.roots_a
        c = np.empty_like(node)
        k = np.empty_like(node)
        x = np.empty((n, T), dtype=np.float64)
        t = np.empty((n, T), dtype=np.float64)
        cond = np.empty((n, T), dtype=bool)
        codes = self._codes(xs[:F]) if self.has_sets else None
        for _ in range(self.depth):
            np.take(col, node, out=c, mode="clip")
            np.add(c, rows, out=c)
            np.take(flat, c, out=x, mode="clip")
            np.take(self.thr_a, node, out=t, mode="clip")
            np.less(x, t, out=cond)
            if codes is not None:
                self._set_tests(node, c, codes, cond)
            np.left_shift(node, 1, out=k)
            np.add(k, cond, out=k)
            np.take(self.kids_a, k, out=node, mode="clip")
        return np.take(self.leaf_a, node).astype(np.int32)

    def _codes(self, xf: np.ndarray) -> np.ndarray:
        """Codes of the field values in the membership tables, laid out like ``Xs`` (the
        rows of field ``f`` at ``f * n``; the other columns are never read by a membership
        node): the index of the value among ``set_values``, "other" or null (NaN)."""
        F, n = xf.shape
        vals = self.set_values
        k = len(vals)
        pos = np.searchsorted(vals, xf)
        hit = vals[np.minimum(pos, max(k - 1, 0))] == xf if k else np.zeros(xf.shape, bool)
        code = np.where(hit, pos, k)
        code[np.isnan(xf)] = k + 1
        out = np.zeros((2 * F + 1, n), dtype=np.intp)
        out[:F] = code
        return out.ravel()

    def _set_tests(self, node: np.ndarray, c: np.ndarray, codes: np.ndarray,
                   cond: np.ndarray) -> None:
        """Overwrite ``cond`` at the pairs on a membership node (``c``: their ``Xs`` index)."""
        sel = self.is_set[node]
        if not sel.any():
            return
        cond[sel] = self.member[self.set_base[node[sel]] + codes[c[sel]]]


# =============================================================================================
# compiling trees
# =============================================================================================

class _Bail(Exception):
    """A tree outside what the node table handles."""


def _num(v: Any) -> float:
    if type(v) not in (int, float):
        raise _Bail
    if type(v) is int and abs(v) > 2**53:
        raise _Bail
    x = float(v)
    if math.isnan(x) or math.isinf(x):
        raise _Bail
    return x


def _test(op: str, v: float, F: int, f: int) -> tuple[int, float]:
    """(column of ``Xs``, threshold) with ``Xs[col] < thr`` ⟺ ``x op v`` (x not NaN)."""
    if op == "<":
        return f, v
    if op == "<=":
        return f, float(np.nextafter(v, math.inf))
    if op == ">":
        return F + f, -v
    if op == ">=":
        return F + f, float(np.nextafter(-v, math.inf))
    raise _Bail


def _leaf_key(v: Any) -> Any:
    if type(v) is float:
        return ("f", v.hex())
    if type(v) is list and all(type(e) is float for e in v):
        return ("l", tuple(e.hex() for e in v))
    if type(v) in (int, str, bool) or v is None:
        return (type(v).__name__, v)
    return ("id", id(v))


def compile_forest(trees: list, tree_t: AvroType, datum_t: AvroRecord,
                   leaf_t: AvroType) -> Forest | None:
    """The node table of ``trees`` (None when some tree is outside what it handles)."""
    if not trees or not all(type(t) is dict for t in trees):
        return None
    is_node = node_test(tree_t)
    fidx = {f.name: i for i, f in enumerate(datum_t.fields)}
    F = len(datum_t.fields)
    forest = Forest(len(trees), F)
    memo: dict[Any, int] = {}
    depth: dict[int, int] = {}
    # node 0: a leaf-like sink never used; ids are assigned as nodes are built
    limit = sys.getrecursionlimit() - 100

    def add(col: int, thr: float, kt: int, kf: int, sid: int, leaf: int) -> int:
        me = len(forest.col)
        forest.col.append(col)
        forest.thr.append(thr)
        forest.kids.extend((me if kf < 0 else kf, me if kt < 0 else kt))  # [2i + cond]
        forest.set_id.append(sid)
        forest.leaf.append(leaf)
        return me

    def build(node: Any, level: int) -> int:
        if level > limit:
            raise _Bail
        if not is_node(node):
            key: Any = ("leaf", _leaf_key(node))
            hit = memo.get(key)
            if hit is not None:
                return hit
            li = len(forest.leaf_values)
            forest.leaf_values.append(node)
            me = add(2 * F, 1.0, -1, -1, -1, li)  # 0 < 1: stays on itself
            memo[key] = me
            depth[me] = 0
            return me
        f = fidx.get(node.get("field"))
        op = node.get("operator")
        if f is None or type(op) is not str:
            raise _Bail
        p = build(node["pass"], level + 1)
        q = build(node["fail"], level + 1)
        m = build(node["missing"], level + 1)
        v = node.get("value")
        if op in ("alwaysTrue", "alwaysFalse"):
            key = ("const", op, p, q)
        elif op in ("in", "notIn"):
            if type(v) is not list:
                raise _Bail
            vals = frozenset(_num(e) for e in v)
            key = ("set", f, op, vals, p, q, m)
        else:
            key = ("cmp", f, op, _num(v), p, q, m)
        hit = memo.get(key)
        if hit is not None:
            return hit
        if op in ("alwaysTrue", "alwaysFalse"):
            me = add(2 * F, 1.0 if op == "alwaysTrue" else 0.0, p, q, -1, -1)
        elif op in ("in", "notIn"):
            if m not in (p, q):
                raise _Bail
            forest.sets.append((op == "in", set(key[3]), m == p))
            me = add(f, 0.0, p, q, len(forest.sets) - 1, -1)
        else:
            if op not in _FLIP:
                raise _Bail
            if m == q:
                col, thr = _test(op, key[3], F, f)
                me = add(col, thr, p, q, -1, -1)
            elif m == p:
                col, thr = _test(_FLIP[op], key[3], F, f)
                me = add(col, thr, q, p, -1, -1)
            else:
                raise _Bail
        memo[key] = me
        depth[me] = 1 + max(depth[p], depth[q], depth[m])
        return me

    try:
        for tree in trees:
            if not is_node(tree):
                return None
            root = build(tree, 0)
            forest.roots.append(root)
            forest.depth = max(forest.depth, depth[root])
    except (_Bail, KeyError, TypeError):
        return None
    forest.finish(leaf_t)
    return forest
