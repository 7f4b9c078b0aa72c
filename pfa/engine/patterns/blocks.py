"""Block kernels: patterns of the vector compiler computed on one 2-D numpy block.

* the tree datum record of :mod:`pfa.exporters.trees`, a ``new``
  record whose every field is ``if impute.isnan(A[i]) then CONST else A[i]`` over constant
  positions ``i`` of one symbol ``A`` (an array of numbers): one gather of the positions and one
  ``np.where`` over the block, instead of one ``if`` per field. The result is a
  :class:`~pfa.runtime.columns.BlockRec`, whose fields are rows of the block (contiguous), so a
  forest walk can read the block itself (:class:`pfa.engine.patterns.simple_forest.SimpleForest`);
* ``new [impute.defaultOnNull(R.f, D), …]`` (the features array of a converter) written into
  one block;
* ``a.map(A, fcn(v) {cast.float(v)})`` of a rectangular array column: one rounding of the
  block, instead of one per position.

Values are the scalar engine's: ``impute.isnan`` and the ``if`` cannot fail, a position out of
range (or a column that is not one rectangular block) runs the general kernels instead.
The kernels register at the vector compiler's hooks ``new_object``, ``new_array`` and
``map_function``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from pfa.avro.types import AvroArray, AvroRecord
from pfa.document import ast as A
from pfa.engine.vector import batch_kernel
from pfa.runtime.columns import Arr, BlockRec, Col, Opt, f32_col

_FLOATS = ("float", "double")
_LITERALS = (A.LiteralFloat, A.LiteralDouble)


def _position(e: Any) -> tuple[str, int] | None:
    """(symbol, position) of ``e`` = ``symbol[<int literal>]``, else None."""
    if isinstance(e, A.AttrGet) and isinstance(e.expr, A.Ref) and len(e.indexes) == 1 and \
            isinstance(e.indexes[0], (A.LiteralInt, A.LiteralLong)):
        return e.expr.name, int(e.indexes[0].value)
    return None


def _nan_guard(e: Any) -> tuple[str, int, Any] | None:
    """(symbol, position, replacement literal) of ``if impute.isnan(A[i]) then C else A[i]``."""
    if not isinstance(e, A.If) or e.else_ is None or len(e.then) != 1 or len(e.else_) != 1:
        return None
    p = e.predicate
    if not isinstance(p, A.Call) or p.name != "impute.isnan" or len(p.args) != 1:
        return None
    pos, other = _position(p.args[0]), _position(e.else_[0])
    if pos is None or pos != other or not isinstance(e.then[0], _LITERALS):
        return None
    return pos[0], pos[1], e.then[0]


@batch_kernel("new_object")
def datum_record_form(vc: Any, node: A.NewObject,
                      general: Callable[[Any], Col]) -> Callable[[Any], Col] | None:
    """The block kernel of a tree datum record (see the module docstring), falling back to
    ``general`` at run time; None when ``node`` is not such a record."""
    t = node.avro_type.avro
    if not isinstance(t, AvroRecord) or not t.fields:
        return None
    guards = []
    for f in t.fields:
        g = _nan_guard(node.fields.get(f.name))
        if g is None or f.type.name not in _FLOATS or node.fields[f.name].type is None or \
                node.fields[f.name].type.name not in _FLOATS:
            return None
        guards.append(g)
    if len({g[0] for g in guards}) != 1:
        return None
    hit = vc.scope.lookup(guards[0][0])
    if hit is None or not isinstance(hit[1], AvroArray) or hit[1].items.name not in _FLOATS:
        return None
    slot = hit[0]
    # the replacement as the ``if`` gives it (a float literal is float32-rounded)
    consts = np.array([float(vc.scalar.expr(g[2])([])) for g in guards], dtype=np.float64)
    if any(node.fields[f.name].type.name == "float" and g[2].type.name == "double"
           for f, g in zip(t.fields, guards)):
        return None  # (a double literal in a float field: leave the coercion to the general path)
    idx = np.array([g[1] for g in guards], dtype=np.intp)
    if int(idx.min()) < 0:
        return None
    top = int(idx.max())
    names = [f.name for f in t.fields]
    fill = consts[:, None]

    def datum_block(env: Any) -> Col:
        col = env.get(slot)
        data = col.data if isinstance(col, Arr) else None
        if data is None or data.ndim != 2 or data.dtype != np.float64 or \
                top >= data.shape[1]:
            return general(env)
        block = data.T.take(idx, axis=0)  # (fields, n); rows contiguous
        np.copyto(block, np.broadcast_to(fill, block.shape), where=np.isnan(block))
        return BlockRec(block, names)
    return datum_block


@batch_kernel("map_function")
def map_cast_form(vc: Any, node: A.Call) -> Callable[[Col], Col | None] | None:
    """For ``a.map(A, fcn(v: double|float) -> float {cast.float(v)})``: the rounding of a
    rectangular float block (None for other columns); None when ``node`` is not that map."""
    fdef = node.args[1] if len(node.args) == 2 else None
    if not isinstance(fdef, A.FcnDef) or len(fdef.params) != 1 or len(fdef.body) != 1:
        return None
    body = fdef.body[0]
    p = fdef.params[0]
    if not isinstance(body, A.Call) or body.name != "cast.float" or len(body.args) != 1 or \
            not isinstance(body.args[0], A.Ref) or body.args[0].name != p.name or \
            p.type.avro.name not in _FLOATS or fdef.ret.avro.name != "float":
        return None

    def cast_block(col: Col) -> Col | None:
        if isinstance(col, Arr) and col.data.ndim == 2 and col.data.dtype == np.float64:
            return Arr(f32_col(col.data))
        return None
    return cast_block


def _null_default(e: Any) -> tuple[Any, Any] | None:
    """(field access, default literal) of ``impute.defaultOnNull(R.f, <float literal>)``."""
    if not isinstance(e, A.Call) or e.name != "impute.defaultOnNull" or len(e.args) != 2:
        return None
    x, d = e.args
    if not isinstance(d, _LITERALS) or not isinstance(x, (A.AttrGet, A.Ref)) or \
            e.type is None or e.type.name != "double":
        return None
    if isinstance(x, A.AttrGet) and not (isinstance(x.expr, A.Ref) and all(
            isinstance(i, A.LiteralString) for i in x.indexes)):
        return None
    return x, d


@batch_kernel("new_array")
def default_array_form(vc: Any, node: A.NewArray,
                       general: Callable[[Any], Col]) -> Callable[[Any], Col] | None:
    """For ``new [impute.defaultOnNull(R.f, D), …]`` of doubles: the array column written
    position-major into one block (as :func:`pfa.runtime.columns.stack_results` lays it out),
    falling back to ``general`` when some field column is not a nullable double column."""
    t = node.avro_type.avro
    if not isinstance(t, AvroArray) or t.items.name != "double" or not node.items:
        return None
    pairs = [_null_default(e) for e in node.items]
    if any(p is None for p in pairs):
        return None
    args = tuple(vc.expr(p[0]) for p in pairs)  # type: ignore[index]
    fills = tuple(float(vc.scalar.expr(p[1])([])) for p in pairs)  # type: ignore[index]

    def default_block(env: Any) -> Col:
        cols = [k(env) for k in args]
        if not all(isinstance(c, Opt) and c.values.dtype == np.float64 for c in cols):
            return general(env)
        block = np.empty((len(cols), env.n), dtype=np.float64)
        for row, c, d in zip(block, cols, fills):
            np.copyto(row, c.values)
            np.copyto(row, d, where=c.null)
        return Arr(block.T)
    return default_block
