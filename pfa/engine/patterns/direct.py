"""Frame-less closures for common expression shapes of the scalar back end.

The general compiler (:mod:`pfa.engine.scalar`) turns every expression into a closure of a
symbol frame. That costs a frame per inline-function call and a closure call per node, which
dominates small bodies called once per array element (``a.zipmap``, ``a.map``,
``model.cluster.closest`` …). This module recognises a few shapes and builds cheaper closures
with exactly the same results and errors; anything else returns None and the general path
is used.

* :func:`direct_function` — an inline function whose body only uses its parameters, literals,
  record fields of its parameters and (non-lazy) library calls becomes a Python function of
  its parameters, without a frame. Double arithmetic is done with Python's float operators
  (IEEE 754, no overflow checks: the library's double semantics); int, long and float
  arithmetic keep the library implementations (overflow errors, float32 rounding). A few
  very common bodies (``p0 - p1``, ``(p0 - p1) / p2``) are single closures.
* :func:`gather_array` — ``new`` arrays of fields of one record symbol (``attr`` with literal
  field names), optionally each through ``impute.defaultOnNull`` with a shared literal.
* :func:`nan_to_constant` — ``if impute.isnan(X) then LITERAL else X`` for an ``X`` that is
  a constant-index element of an array symbol.

The kernels register at the scalar compiler's hooks (``fcndef``, ``new_array``, ``if``); the
k-means metric's recogniser :func:`match_center_distance` is shared with
:mod:`pfa.engine.patterns.kmeans`.

Values of type double are Python floats in the engine (inputs are normalised and call sites
promote ints), so the double operators need no ``float()`` conversions. Nothing here builds
code from text: names and literals are only data held by closures.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from operator import itemgetter
from typing import Any

from pfa.avro.types import AvroArray, AvroRecord
from pfa.document import ast as A
from pfa.engine.scalar import Compiled, coercer, literal_string, scalar_kernel, unexpected
from pfa.errors import PfaError, PfaRuntimeError
from pfa.lib import registry
from pfa.lib.numeric import ieee_div

Args = tuple
NodeFn = Callable[[Args], Any]

_DOUBLE_OPS: dict[str, Callable[[float, float], float]] = {
    "+": operator.add, "-": operator.sub, "*": operator.mul, "/": ieee_div}
_LITERALS = (A.LiteralNull, A.LiteralBoolean, A.LiteralInt, A.LiteralLong, A.LiteralFloat,
             A.LiteralDouble, A.LiteralString, A.LiteralBase64, A.Literal)


class Operand:
    """A compiled sub-expression of a direct function: a parameter (``value`` is its
    position), a constant (``value``), or a node function of the argument tuple."""

    __slots__ = ("kind", "value", "shape", "impl", "args")

    def __init__(self, kind: str, value: Any, shape: Any, impl: Any = None,
                 args: tuple[Operand, ...] = ()):
        self.kind = kind  # "param", "const" or "fn"
        self.value = value
        # ("p", i) / ("c", value) / ("f", i, field) / (function name, *argument shapes) / None
        self.shape = shape
        self.impl = impl  # the bound library implementation of a call
        self.args = args  # the operands of a call

    def getter(self) -> NodeFn:
        """The operand as a function of the argument tuple."""
        if self.kind == "param":
            return itemgetter(self.value)
        if self.kind == "const":
            v = self.value
            return lambda a: v
        return self.value


def _is_double(t: Any) -> bool:
    return getattr(t, "name", None) == "double"


def _binary(op: Callable[[Any, Any], Any], left: Operand, right: Operand) -> NodeFn:
    """``op(left, right)`` as a node function (operands inlined where possible)."""
    if left.kind == "param" and right.kind == "param":
        i, j = left.value, right.value
        return lambda a: op(a[i], a[j])
    if right.kind == "const":
        f, c = left.getter(), right.value
        return lambda a: op(f(a), c)
    if left.kind == "const":
        c, g = left.value, right.getter()
        return lambda a: op(c, g(a))
    f, g = left.getter(), right.getter()
    return lambda a: op(f(a), g(a))


def _library_node(impl: Callable[..., Any], operands: list[Operand], name: str) -> NodeFn:
    """``impl(*operands)`` as a node function, wrapping stray Python exceptions like the
    general compiler's call sites do."""
    getters = tuple(o.getter() for o in operands)
    if len(getters) == 1:
        f = getters[0]

        def call1(a: Args) -> Any:
            try:
                return impl(f(a))
            except (PfaError, RecursionError):
                raise
            except Exception as exc:
                raise unexpected(exc, name) from exc
        return call1
    if len(getters) == 2:
        f, g = getters

        def call2(a: Args) -> Any:
            try:
                return impl(f(a), g(a))
            except (PfaError, RecursionError):
                raise
            except Exception as exc:
                raise unexpected(exc, name) from exc
        return call2

    def calln(a: Args) -> Any:
        try:
            return impl(*[h(a) for h in getters])
        except (PfaError, RecursionError):
            raise
        except Exception as exc:
            raise unexpected(exc, name) from exc
    return calln


class _DirectCompiler:
    """Compiles the body of one inline function over its parameters (see
    :func:`direct_function`)."""

    def __init__(self, compiler: Any, params: list[A.Param]):
        self.compiler = compiler
        self.params = {p.name: i for i, p in enumerate(params)}

    def expr(self, node: Any) -> Operand | None:
        if isinstance(node, A.Ref):
            i = self.params.get(node.name)
            return None if i is None else Operand("param", i, ("p", i))
        if isinstance(node, _LITERALS):
            f = self.compiler.expr(node)
            if not getattr(f, "is_const", False):
                return None
            return Operand("const", f.value, ("c", f.value))
        if isinstance(node, A.AttrGet):
            return self.field(node)
        if isinstance(node, A.Call):
            return self.call(node)
        return None

    def field(self, node: A.AttrGet) -> Operand | None:
        """``attr`` of a parameter with literal record field names."""
        base = node.expr
        if not isinstance(base, A.Ref) or base.name not in self.params or not node.indexes:
            return None
        t = base.type
        keys = []
        for p in node.indexes:
            key = literal_string(p)
            if not isinstance(t, AvroRecord) or key is None or t.field(key) is None:
                return None
            keys.append(key)
            t = t.field(key).type
        i = self.params[base.name]
        if len(keys) == 1:
            k = keys[0]
            return Operand("fn", lambda a: a[i][k], ("f", i, k))
        if len(keys) == 2:
            k1, k2 = keys
            return Operand("fn", lambda a: a[i][k1][k2], None)
        return None

    def call(self, node: A.Call) -> Operand | None:
        c = self.compiler
        name = node.name
        if name in c.fcns or name == "emit":
            return None
        entry = registry.get(name)
        if entry is None or entry.bind_scalar is None or entry.lazy:
            return None
        operands = []
        for arg in node.args:
            if isinstance(arg, (A.FcnDef, A.FcnRef)):
                return None
            o = self.expr(arg)
            if o is None:
                return None
            operands.append(o)
        impl, _, param_types = c.bind_library(node)
        if len(param_types) != len(operands):
            return None
        if any(coercer(t, a.type) is not None for t, a in zip(param_types, node.args)):
            return None
        shape = (name, *(o.shape for o in operands))
        op = _DOUBLE_OPS.get(name)
        if (op is not None and len(operands) == 2 and _is_double(node.type)
                and all(_is_double(a.type) for a in node.args)):
            return Operand("fn", _binary(op, *operands), shape, impl, tuple(operands))
        return Operand("fn", _library_node(impl, operands, name), shape, impl,
                       tuple(operands))


def _standard_scale(x: float, m: float, s: float) -> float:
    """``(x - m) / s`` over doubles (a standard scaler's element; IEEE division by zero)."""
    d = x - m
    try:
        return d / s
    except ZeroDivisionError:
        return ieee_div(d, s)


def center_distance(norm: str, k: float, dot: Callable[[Any, Any], float], point: str
                    ) -> Callable[[Any, Any], float]:
    """``c[norm] - k * m.kernel.linear(x, c[point])`` over doubles: the k-means metric
    ``‖c‖² - 2 x·c`` of the exported models."""
    def center_distance(x: Any, c: Any) -> float:
        try:
            d = dot(x, c[point])
        except (PfaError, RecursionError):
            raise
        except Exception as exc:
            raise unexpected(exc, "m.kernel.linear") from exc
        return c[norm] - k * d
    return center_distance


def match_center_distance(shape: Any, nparams: int) -> tuple[str, float, str] | None:
    """(norm field, k, point field) if ``shape`` is ``p1.norm - k * m.kernel.linear(p0,
    p1.point)`` with a double constant ``k``."""
    if nparams != 2 or len(shape) != 3 or shape[0] != "-":
        return None
    norm, prod = shape[1], shape[2]
    if norm is None or norm[:2] != ("f", 1) or prod is None or prod[0] != "*" or len(prod) != 3:
        return None
    k, dot = prod[1], prod[2]
    if k is None or k[0] != "c" or type(k[1]) is not float:
        return None
    if dot is None or len(dot) != 3 or dot[0] != "m.kernel.linear" or dot[1] != ("p", 0):
        return None
    if dot[2] is None or dot[2][:2] != ("f", 1):
        return None
    return norm[2], k[1], dot[2][2]


def _whole_function(root: Operand, nparams: int) -> Callable[..., Any] | None:
    """The Python function of the parameters computing ``root``: the C operator for
    ``p0 op p1`` and a single closure for ``(p0 - p1) / p2`` over doubles, else a wrapper
    packing the arguments for the node function."""
    shape = root.shape
    if shape is not None and shape[0] in _DOUBLE_OPS and root.kind == "fn":
        if shape[1:] == (("p", 0), ("p", 1)) and nparams == 2:
            return _DOUBLE_OPS[shape[0]]  # the C operator itself
        center = match_center_distance(shape, nparams)
        if center is not None:
            norm, k, point = center
            dot = root.args[1].args[1].impl
            return center_distance(norm, k, dot, point)
        if (shape[0] == "/" and nparams == 3 and shape[1] is not None and shape[1][0] == "-"
                and shape[1][1:] == (("p", 0), ("p", 1)) and shape[2] == ("p", 2)):
            return _standard_scale
    if root.kind == "param":
        return lambda *a: a[root.value]
    if root.kind == "const":
        v = root.value
        return lambda *a: v
    f = root.value
    if nparams == 1:
        return lambda x: f((x,))
    if nparams == 2:
        return lambda x, y: f((x, y))
    return lambda *a: f(a)


@scalar_kernel("fcndef")
def direct_function(compiler: Any, fdef: A.FcnDef, ptype: Any) -> Callable[..., Any] | None:
    """A frame-less Python function for the inline function ``fdef`` (passed where a function
    of type ``ptype`` is expected), or None if its body is not a single expression made of
    parameters, literals, record fields of parameters and library calls, or if its result
    needs a promotion."""
    root = direct_root(compiler, fdef, ptype)
    return None if root is None else _whole_function(root, len(fdef.params))


def direct_root(compiler: Any, fdef: A.FcnDef, ptype: Any) -> Operand | None:
    """The compiled body of ``fdef`` for :func:`direct_function` (its shape cleared unless
    all its arithmetic is on doubles), or None."""
    if compiler.timeouts or len(fdef.body) != 1 or not fdef.params:
        return None
    body = fdef.body[0]
    ret = fdef.ret.avro
    if coercer(ret, body.type) is not None:
        return None
    want_ret = getattr(ptype, "ret", None)
    if want_ret is not None and coercer(want_ret, ret) is not None:
        return None
    passed = getattr(ptype, "params", None)
    if passed is None or len(passed) != len(fdef.params):
        return None
    if any(coercer(p.type.avro, t) is not None for p, t in zip(fdef.params, passed)):
        return None  # the callee passes values needing a promotion (an int for a double)
    root = _DirectCompiler(compiler, fdef.params).expr(body)
    if root is None:
        return None
    if not _double_shape_ok(body):
        root = Operand(root.kind, root.value, None)  # no single-closure shape
    return root


def _double_shape_ok(body: Any) -> bool:
    """True if every arithmetic operator of ``body`` works on doubles (so the single-closure
    shapes of :func:`_whole_function` apply)."""
    def doubles(node: Any) -> bool:
        if isinstance(node, A.Call) and node.name in _DOUBLE_OPS:
            return _is_double(node.type) and all(_is_double(a.type) and doubles(a)
                                                 for a in node.args)
        return True
    return doubles(body)


# ---------------------------------------------------------------------------------------------
# gathering record fields into arrays
# ---------------------------------------------------------------------------------------------

def _field_of_slot(compiler: Any, node: Any) -> tuple[int, str] | None:
    """(frame slot, field name) if ``node`` is ``attr`` of a local record symbol with one
    literal field name."""
    if not isinstance(node, A.AttrGet) or len(node.indexes) != 1:
        return None
    base = node.expr
    if not isinstance(base, A.Ref) or not isinstance(base.type, AvroRecord):
        return None
    key = literal_string(node.indexes[0])
    if key is None or base.type.field(key) is None:
        return None
    hit = compiler.scope.lookup(base.name)
    if hit is None:
        return None
    return hit[0], key


def _default_on_null(compiler: Any, node: Any) -> tuple[A.Expr, Any] | None:
    """(inner expression, default constant) if ``node`` is ``impute.defaultOnNull`` of an
    expression and a literal needing no promotions."""
    if not isinstance(node, A.Call) or node.name != "impute.defaultOnNull":
        return None
    if node.name in compiler.fcns or len(node.args) != 2:
        return None
    x, dflt = node.args
    if not isinstance(dflt, _LITERALS):
        return None
    r = node.resolved
    if r is None or len(r.param_types) != 2:
        return None
    if any(coercer(t, a.type) is not None for t, a in zip(r.param_types, node.args)):
        return None
    if coercer(node.type, dflt.type) is not None:
        return None
    f = compiler.expr(dflt)
    if not getattr(f, "is_const", False):
        return None
    return x, f.value


def _literal_key(v: Any) -> tuple[type, str]:
    """A key telling literal values apart exactly (NaN equals NaN, 0.0 differs from -0.0)."""
    return type(v), repr(v)


@scalar_kernel("new_array")
def gather_array(compiler: Any, node: A.NewArray) -> Compiled | None:
    """``new`` array whose items are all ``attr`` of the same record symbol with a literal
    field name (``[r.x0, r.x1, …]``), or all ``impute.defaultOnNull`` of such fields with
    one shared literal default: one item lookup per field, no closure per item."""
    t = node.avro_type.avro
    if not isinstance(t, AvroArray) or len(node.items) < 2:
        return None
    wrapped = [_default_on_null(compiler, item) for item in node.items]
    if all(w is None for w in wrapped):
        fields = node.items
        defaults: set[tuple[type, str]] = set()
    elif all(w is not None for w in wrapped):
        fields = [w[0] for w in wrapped]  # type: ignore[index]
        defaults = {_literal_key(w[1]) for w in wrapped}  # type: ignore[index]
        if len(defaults) != 1:
            return None
    else:
        return None
    if any(coercer(t.items, item.type) is not None for item in node.items):
        return None
    hits = [_field_of_slot(compiler, f) for f in fields]
    if any(h is None for h in hits) or len({h[0] for h in hits}) != 1:  # type: ignore[index]
        return None
    slot = hits[0][0]  # type: ignore[index]
    values_of = itemgetter(*(h[1] for h in hits))  # type: ignore[index]
    if not defaults:
        return lambda frame: list(values_of(frame[slot]))
    d = wrapped[0][1]  # type: ignore[index]
    return lambda frame: [d if v is None else v for v in values_of(frame[slot])]


# ---------------------------------------------------------------------------------------------
# NaN to null
# ---------------------------------------------------------------------------------------------

def _const_index_of_slot(compiler: Any, node: Any) -> tuple[int, int] | None:
    """(frame slot, index) if ``node`` is ``attr`` of a local array symbol with one
    non-negative int literal index."""
    if not isinstance(node, A.AttrGet) or len(node.indexes) != 1:
        return None
    base, idx = node.expr, node.indexes[0]
    if not isinstance(base, A.Ref) or not isinstance(base.type, AvroArray):
        return None
    if not isinstance(idx, A.LiteralInt) or type(idx.value) is not int or idx.value < 0:
        return None
    hit = compiler.scope.lookup(base.name)
    if hit is None:
        return None
    return hit[0], idx.value


@scalar_kernel("if")
def nan_to_constant(compiler: Any, node: A.If) -> Compiled | None:
    """``if impute.isnan(a[i]) then LITERAL else a[i]`` (``a`` a local array of float or
    double symbol, ``i`` a literal; the literal is e.g. null or ±infinity): one element
    lookup, NaN tested by ``v != v`` (what ``math.isnan`` does for floats)."""
    pred, then, other = node.predicate, node.then, node.else_
    if other is None or len(then) != 1 or len(other) != 1:
        return None
    if not isinstance(then[0], _LITERALS):
        return None
    if not isinstance(pred, A.Call) or pred.name != "impute.isnan" or len(pred.args) != 1:
        return None
    if pred.name in compiler.fcns or pred.resolved is None:
        return None
    x, y = pred.args[0], other[0]
    hx, hy = _const_index_of_slot(compiler, x), _const_index_of_slot(compiler, y)
    if hx is None or hx != hy or x.expr.name != y.expr.name:
        return None
    if getattr(x.type, "name", None) not in ("float", "double") or x.type != y.type:
        return None
    if coercer(pred.resolved.param_types[0], x.type) is not None:
        return None
    if coercer(node.type, y.type) is not None or coercer(node.type, then[0].type) is not None:
        return None
    literal = compiler.expr(then[0])
    if not getattr(literal, "is_const", False):
        return None
    slot, index = hx
    c = literal.value

    def nan_or_value(frame: list) -> Any:
        try:
            v = frame[slot][index]
        except IndexError:
            raise PfaRuntimeError(2000, "array index not found", "attr") from None
        return c if v != v else v
    return nan_or_value
