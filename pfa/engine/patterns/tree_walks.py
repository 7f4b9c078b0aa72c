"""Vectorized decision-tree walks: ``model.tree.simpleTree``, and ``model.tree.missingWalk``
with ``model.tree.missingTest``.

Walks over a loop of trees and ``simpleTree`` walks run on whole-forest node tables
(:mod:`pfa.engine.patterns.simple_forest`, :mod:`pfa.engine.patterns.forest`); :func:`forest_kernel`
caches them and shares one walk of all the trees between the loop's elements. For a lone
``missingWalk``, a tree held in a cell (a constant of the batch) is flattened once into numpy
node arrays (feature index, operator, threshold, pass/fail/missing children; leaves are negative
indexes into a leaf table). The walk is level-synchronous: all rows still inside the tree
take one step per iteration, and rows that reach a leaf leave the active set. The routing is
the scalar one (:mod:`pfa.lib.model_tree`): a null field goes to ``missing``, otherwise the
Python comparison of the field value with the node's value picks ``pass`` or ``fail``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from pfa.avro.types import AvroRecord, AvroType
from pfa.engine.patterns.forest import Forest, compile_forest
from pfa.engine.patterns.simple_forest import SimpleForest, compile_simple_forest
from pfa.engine.vector import batch_kernel
from pfa.lib.model_tree import node_test
from pfa.runtime.batch_forms import LoopHint
from pfa.runtime.columns import Arr, Col, Const, Opt, Rec, from_py, kind, non_null, take

_OPS = {"<": 0, "<=": 1, ">": 2, ">=": 3, "==": 4, "!=": 5, "alwaysTrue": 6, "alwaysFalse": 7}


class FlatTree:
    """A tree as node arrays; ``leaves`` is the column of leaf values."""

    def __init__(self, feat: list[int], op: list[int], value: list[float], pass_: list[int],
                 fail: list[int], missing: list[int], leaves: Col):
        self.feat = np.array(feat, dtype=np.intp)
        self.op = np.array(op, dtype=np.int8)
        self.value = np.array(value, dtype=np.float64)
        self.pass_ = np.array(pass_, dtype=np.intp)
        self.fail = np.array(fail, dtype=np.intp)
        self.missing = np.array(missing, dtype=np.intp)
        self.leaves = leaves
        ops = set(op)
        self.single_op = ops.pop() if len(ops) == 1 else None


def flatten(tree: dict[str, Any], tree_t: AvroType, datum_t: AvroRecord,
            leaf_t: AvroType) -> FlatTree | None:
    """The node arrays of ``tree``; None if some node is outside what the kernel handles
    (then the walk runs on the scalar engine, which reports its errors)."""
    is_node = node_test(tree_t)
    fidx = {f.name: i for i, f in enumerate(datum_t.fields)}
    feat: list[int] = []
    op: list[int] = []
    value: list[float] = []
    kids: list[list[int]] = []
    leaves: list[Any] = []
    stack = [(tree, -1, 0)]
    while stack:
        node, parent, which = stack.pop()
        if is_node(node):
            f = fidx.get(node.get("field"))
            o = _OPS.get(node.get("operator"))
            v = node.get("value")
            if f is None or o is None or (o < 6 and type(v) not in (int, float)):
                return None
            if type(v) is int and abs(v) > 2**53:
                return None
            me = len(feat)
            feat.append(f)
            op.append(o)
            value.append(float(v) if o < 6 else 0.0)
            kids.append([0, 0, 0])
            for k, name in enumerate(("pass", "fail", "missing")):
                stack.append((node[name], me, k))
        else:
            me = -(len(leaves) + 1)
            leaves.append(node)
        if parent >= 0:
            kids[parent][which] = me
    if not feat:
        return None
    return FlatTree(feat, op, value, [k[0] for k in kids], [k[1] for k in kids],
                    [k[2] for k in kids], from_py(leaves, leaf_t))


def _datum_matrix(dcol: Col, datum_t: AvroRecord, n: int
                  ) -> tuple[np.ndarray, np.ndarray] | None:
    """(values (F, n), null mask (F, n)) of a record of numbers; None if not such a record."""
    if isinstance(dcol, Const):
        vals = dcol.value
        dcol = Rec({f.name: Const(vals[f.name]) for f in datum_t.fields})
    if not isinstance(dcol, Rec):
        return None
    F = len(datum_t.fields)
    X = np.empty((F, n), dtype=np.float64)
    M = np.zeros((F, n), dtype=bool)
    for i, f in enumerate(datum_t.fields):
        c = dcol.fields[f.name]
        inner = non_null(f.type) or f.type
        if kind(inner) != "float" and (not isinstance(c, Const) or c.value is not None):
            return None
        if isinstance(c, Const):
            if c.value is None:
                M[i] = True
                X[i] = 0.0
            elif type(c.value) is float:
                X[i] = c.value
            else:
                return None
        elif isinstance(c, Opt):
            X[i] = c.values
            M[i] = c.null
        elif isinstance(c, np.ndarray) and c.dtype == np.float64:
            X[i] = c
        else:
            return None
    return X, M


_FNS = (np.less, np.less_equal, np.greater, np.greater_equal, np.equal, np.not_equal)


def _test(single: int | None, ops: Any, x: np.ndarray, v: np.ndarray) -> np.ndarray:
    """The comparison results of the rows at their nodes (``single``: the one operator of the
    whole tree, else ``ops`` holds each row's node operator)."""
    if single is not None:
        if single < 6:
            return _FNS[single](x, v)
        return np.full(x.shape, single == 6)
    res = np.zeros(x.shape, dtype=bool)
    for code, fn in enumerate(_FNS):
        m = ops == code
        if m.any():
            res[m] = fn(x[m], v[m])
    res[ops == 6] = True
    return res


class _NullForest:
    """A :class:`~pfa.engine.patterns.forest.Forest` (``missingWalk``: nulls as NaN) behind the
    interface of :class:`~pfa.engine.patterns.simple_forest.SimpleForest`."""

    def __init__(self, forest: Forest, datum_t: AvroRecord):
        self.forest = forest
        self.datum_t = datum_t
        self.leaf_col = forest.leaf_col

    def leaf_matrix(self, dcol: Col, n: int, reuse: Any = None) -> np.ndarray | None:
        mats = _datum_matrix(dcol, self.datum_t, n)
        if mats is None:
            return None
        X, M = mats
        if np.isnan(X[~M]).any():
            return None  # NaN that is not null: not a missing value
        return self.forest.leaves(X, M).T


def missing_walk_kernel(datum_t: AvroType, tree_t: AvroType, leaf_t: AvroType,
                        hint: LoopHint | None = None
                        ) -> Callable[[Any, Col, Col], Col | None]:
    """``walk(env, datum column, tree column)`` → leaf column, or None (not handled), for
    ``model.tree.missingWalk`` with ``model.tree.missingTest`` (see :func:`forest_kernel`)."""
    def build(items: list) -> _NullForest | None:
        if not isinstance(datum_t, AvroRecord):
            return None
        forest = compile_forest(items, tree_t, datum_t, leaf_t)
        return None if forest is None else _NullForest(forest, datum_t)
    return forest_kernel(build, _flat_walk(datum_t, tree_t, leaf_t), hint)


def simple_tree_kernel(datum_t: AvroType, tree_t: AvroType, leaf_t: AvroType,
                       hint: LoopHint | None = None
                       ) -> Callable[[Any, Col, Col], Col | None]:
    """``walk(env, datum column, tree column)`` → leaf column, or None (not handled), for
    ``model.tree.simpleTree`` (see :func:`forest_kernel`); a tree walked alone is a forest of
    one tree."""
    def build(items: list) -> SimpleForest | None:
        return compile_simple_forest(items, tree_t, datum_t, leaf_t)

    singles: dict[int, tuple[Any, SimpleForest | None]] = {}

    def single(env: Any, dcol: Col, tcol: Col) -> Col | None:
        hit = singles.get(id(tcol.value))
        if hit is None or hit[0] is not tcol.value:
            if len(singles) > 4096:
                singles.clear()
            hit = (tcol.value, build([tcol.value]))
            singles[id(tcol.value)] = hit
        forest = hit[1]
        if forest is None:
            return None
        leaves = forest.leaf_matrix(dcol, env.n)
        return None if leaves is None else take(forest.leaf_col, leaves[0])
    return forest_kernel(build, single, hint)


def forest_kernel(build: Callable[[list], Any], single: Callable[[Any, Col, Col], Col | None],
                  hint: LoopHint | None) -> Callable[[Any, Col, Col], Col | None]:
    """A tree walk kernel ``walk(env, datum column, tree column)`` (None: not handled).

    ``single`` walks one constant tree. With a ``hint`` (the walk is of the current element of
    an ``a.map``/``a.fold`` over a constant array of trees), all the trees are walked at once
    for the first element by the forest ``build(trees)`` makes (an object with
    ``leaf_matrix(datum column, n, reuse)`` → leaf indexes (trees, rows), ``leaf_col``) and the
    other elements take their leaves from that."""
    forests: dict[int, tuple[Any, Any]] = {}
    done: list[Any] = [None, None, None]  # (trees, datum column, leaf matrix (trees, rows))

    def every_tree(env: Any, dcol: Col) -> Col | None:
        """The leaves of all the trees of the loop (an array column), or None."""
        assert hint is not None
        items = hint.items
        if items is None or not items or hint.pos != 0:
            return None
        LT = leaf_matrix(env, dcol, items)  # tree-major: each tree's rows are contiguous
        if LT is None:
            return None
        leaves = forests[id(items)][1].leaf_col
        if isinstance(leaves, np.ndarray) and leaves.dtype != object:
            return Arr(leaves[LT].T)
        if isinstance(leaves, Arr) and leaves.data.ndim == 2:
            # one gather per leaf component (from a small table: fast), laid out (k, trees,
            # rows) so that each tree's (rows, k) block is a plain strided view
            table = np.ascontiguousarray(leaves.data.T)
            out = np.empty((table.shape[0],) + LT.shape, dtype=table.dtype)
            for c in range(table.shape[0]):
                np.take(table[c], LT, out=out[c], mode="clip")
            return Arr(out.transpose(2, 1, 0))
        if isinstance(leaves, Arr):
            return Arr(np.moveaxis(leaves.data[LT], 0, 1))
        return None

    def forest_walk(env: Any, dcol: Col, tcol: Col) -> Col | None:
        assert hint is not None
        items, pos = hint.items, hint.pos
        if items is None or not 0 <= pos < len(items) or items[pos] is not tcol.value:
            return None
        if done[0] is items and done[1] is dcol and done[2].shape[1] == env.n:
            return take(forests[id(items)][1].leaf_col, done[2][pos])
        if pos != 0 or leaf_matrix(env, dcol, items) is None:
            return None
        return take(forests[id(items)][1].leaf_col, done[2][0])

    def leaf_matrix(env: Any, dcol: Col, items: list) -> np.ndarray | None:
        if done[0] is items and done[1] is dcol and done[2].shape[1] == env.n:
            return done[2]
        hit = forests.get(id(items))
        if hit is None or hit[0] is not items:
            if len(forests) > 64:
                forests.clear()
            hit = (items, build(items))
            forests[id(items)] = hit
        forest = hit[1]
        if forest is None:
            return None
        prev = done[2]
        done[0] = done[1] = done[2] = None
        leaves = forest.leaf_matrix(dcol, env.n, prev)
        if leaves is None:
            return None
        done[0], done[1], done[2] = items, dcol, leaves
        return leaves

    def walk(env: Any, dcol: Col, tcol: Col) -> Col | None:
        if not isinstance(tcol, Const):
            return None
        if hint is not None:
            out = forest_walk(env, dcol, tcol)
            if out is not None:
                return out
        return single(env, dcol, tcol)
    walk.every_tree = every_tree  # type: ignore[attr-defined]
    return walk


def _flat_walk(datum_t: AvroType, tree_t: AvroType, leaf_t: AvroType
               ) -> Callable[[Any, Col, Col], Col | None]:
    """The ``missingWalk`` of one constant tree, level-synchronous on its node arrays."""
    trees: dict[int, tuple[Any, FlatTree | None]] = {}
    last: list[Any] = [None, None]

    def walk(env: Any, dcol: Col, tcol: Col) -> Col | None:
        if not isinstance(datum_t, AvroRecord):
            return None
        hit = trees.get(id(tcol.value))
        if hit is None or hit[0] is not tcol.value:
            if len(trees) > 4096:
                trees.clear()
            hit = (tcol.value, flatten(tcol.value, tree_t, datum_t, leaf_t))
            trees[id(tcol.value)] = hit
        flat = hit[1]
        if flat is None:
            return None
        n = env.n
        if last[0] is dcol and last[1] is not None and last[1][0].shape[1] == n:
            mats = last[1]
        else:
            mats = _datum_matrix(dcol, datum_t, n)
            last[0], last[1] = dcol, mats
        if mats is None:
            return None
        X, M = mats
        pos = np.zeros(n, dtype=np.intp)
        rows = np.arange(n)
        leaf = np.zeros(n, dtype=np.intp)
        single = flat.single_op
        while rows.size:
            f = flat.feat[pos]
            x = X[f, rows]
            res = _test(single, flat.op[pos] if single is None else None, x, flat.value[pos])
            nxt = np.where(res, flat.pass_[pos], flat.fail[pos])
            miss = M[f, rows]
            if single not in (6, 7):
                if single is None:
                    miss &= flat.op[pos] < 6
                nxt = np.where(miss, flat.missing[pos], nxt)
            done = nxt < 0
            if done.any():
                leaf[rows[done]] = -nxt[done] - 1
                keep = ~done
                rows = rows[keep]
                pos = nxt[keep]
            else:
                pos = nxt
        return take(flat.leaves, leaf)
    return walk


_WALKS = {"model.tree.simpleTree": simple_tree_kernel,
          "model.tree.missingWalk": missing_walk_kernel}


@batch_kernel("tree_walk")
def tree_walk(vc: Any, node: Any, hint: LoopHint | None
              ) -> Callable[[Any, Col, Col], Col | None] | None:
    """The walk kernel of the tree walk call ``node`` (``simpleTree``, or ``missingWalk`` with
    ``missingTest``) of the tree ``node.args[1]`` for the datum ``node.args[0]``; ``hint``:
    the enclosing loop whose element is the tree, if any."""
    make = _WALKS.get(node.name)
    if make is None:
        return None
    return make(node.args[0].type, node.args[1].type, node.type, hint)
