"""model.tree.*: decision-tree predicates and walks.

A tree node is a record ``T`` whose ``pass``/``fail`` (and ``missing``) fields hold either
another ``T`` or a leaf score ``S``. Unions are bare values in the engine, so whether a branch
is another node is decided by shape: a record value is a dict whose keys are ``T``'s field
names. When no leaf type can be a dict (the usual string/number/enum scores) a type check of
the value is enough; all of this is resolved once per call site.

Comparisons (``simpleTest``, ``missingTest``, ``simpleTree``) are compiled per field of the
datum record into a table ``field → operator → predicate(field value, comparison value)``.
"""

from __future__ import annotations

import operator as op
from collections.abc import Callable
from typing import Any

from pfa.avro.types import (
    AvroArray,
    AvroMap,
    AvroRecord,
    AvroType,
    AvroUnion,
    accepts,
    is_numeric,
    without_null,
)
from pfa.document import ast as A
from pfa.lib._compare import compare_for
from pfa.lib.la import param_type
from pfa.lib.registry import CallSite, batch_call, error, specialized
from pfa.runtime.batch_forms import BatchCompiler, Kernel, NoVector

Predicate = Callable[[Any, Any], Any]
_ORDERING = ("<", "<=", ">", ">=", "==", "!=")
_NUMERIC_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "<": op.lt, "<=": op.le, ">": op.gt, ">=": op.ge, "==": op.eq, "!=": op.ne,
}
_SIGN_TESTS: dict[str, Callable[[int], bool]] = {
    "<": lambda c: c < 0, "<=": lambda c: c <= 0, ">": lambda c: c > 0,
    ">=": lambda c: c >= 0, "==": lambda c: c == 0, "!=": lambda c: c != 0,
}


# -- recognising nodes -------------------------------------------------------------------------

def node_test(tree_type: Any) -> Callable[[Any], bool]:
    """``is_node(branch)`` for branches of tree-node record type ``tree_type``."""
    if not isinstance(tree_type, AvroRecord):
        return lambda v: type(v) is dict
    leaves: list[AvroType] = []
    for fname in ("pass", "fail", "missing"):
        f = tree_type.field(fname)
        if f is not None:
            branches = f.type.types if isinstance(f.type, AvroUnion) else (f.type,)
            leaves.extend(b for b in branches
                          if not (isinstance(b, AvroRecord) and b.fullname == tree_type.fullname))
    if not any(isinstance(b, (AvroRecord, AvroMap)) for b in leaves):
        return lambda v: type(v) is dict
    names = frozenset(tree_type.field_names)
    return lambda v: type(v) is dict and v.keys() == names


# -- compiled comparisons ----------------------------------------------------------------------

def _raiser(code: int) -> Predicate:
    def fail(field_value: Any, value: Any) -> Any:
        raise error(code)
    return fail


def _is_number(v: Any) -> bool:
    return type(v) in (int, float)


def field_operators(field_type: AvroType, value_type: AvroType) -> tuple[bool, bool]:
    """(membership, ordering): whether a datum field of type ``field_type`` takes the
    ``in``/``notIn`` and the ordering/equality comparisons against tree values of type
    ``value_type`` (otherwise the walk raises the "bad value" error when it reaches one).
    The batch node tables (:mod:`pfa.engine.patterns.simple_forest`) follow the same rule."""
    branches = value_type.types if isinstance(value_type, AvroUnion) else (value_type,)
    membership = any(isinstance(b, AvroArray) and accepts(b.items, field_type) for b in branches)
    ordering = accepts(value_type, field_type) or (is_numeric(field_type) and
                                                   is_numeric(value_type))
    return membership, ordering


def _field_predicates(field_type: AvroType, value_type: AvroType, missing_ops: bool,
                      bad_code: int) -> dict[str, Predicate]:
    """Operator → predicate for one datum field. With ``missing_ops`` (simpleTest/simpleTree)
    "isMissing"/"notMissing" are allowed; without (missingTest) a null field yields None."""
    bad = _raiser(bad_code)
    table: dict[str, Predicate] = {
        "alwaysTrue": lambda fv, v: True,
        "alwaysFalse": lambda fv, v: False,
    }
    if missing_ops:
        table["isMissing"] = lambda fv, v: fv is None
        table["notMissing"] = lambda fv, v: fv is not None
    else:
        field_type = without_null(field_type)

    def null_guard(pred: Predicate) -> Predicate:
        if missing_ops:
            return pred
        return lambda fv, v: None if fv is None else pred(fv, v)

    membership, ordering = field_operators(field_type, value_type)
    if membership:
        def member(fv: Any, v: Any) -> bool:
            if type(v) is not list:
                raise error(bad_code)
            return fv in v
        table["in"] = null_guard(member)
        table["notIn"] = null_guard(lambda fv, v: not member(fv, v))
    else:
        table["in"] = table["notIn"] = bad

    # ordering and equality
    numeric_field = is_numeric(field_type)
    if not ordering:
        for o in _ORDERING:
            table[o] = bad
    elif numeric_field:
        checked = not is_numeric(value_type)  # a union may hold a non-number at run time
        for o, fn in _NUMERIC_OPS.items():
            if checked:
                def pred(fv: Any, v: Any, fn: Callable[[Any, Any], bool] = fn) -> bool:
                    if not _is_number(v):
                        raise error(bad_code)
                    return fn(fv, v)
                table[o] = null_guard(pred)
            else:
                table[o] = null_guard(fn)
    else:
        cmp = compare_for(value_type)
        for o, sign in _SIGN_TESTS.items():
            table[o] = null_guard(
                lambda fv, v, sign=sign: sign(cmp(fv, v)))
    return table


def _comparison_table(site: CallSite, comparison_index: int, missing_ops: bool,
                      bad_code: int) -> dict[str, dict[str, Predicate]]:
    datum_t = param_type(site, 0)
    comp_t = param_type(site, comparison_index)
    value_field = comp_t.field("value") if isinstance(comp_t, AvroRecord) else None
    if not isinstance(datum_t, AvroRecord) or value_field is None:
        raise TypeError(f"{site.name}: datum and comparison must be record types")
    return {f.name: _field_predicates(f.type, value_field.type, missing_ops, bad_code)
            for f in datum_t.fields}


def _comparer(site: CallSite, missing_ops: bool, op_code: int, bad_code: int
              ) -> Callable[[dict[str, Any], dict[str, Any]], Any]:
    table = _comparison_table(site, 1, missing_ops, bad_code)

    def compare(datum: dict[str, Any], comparison: dict[str, Any]) -> Any:
        field = comparison["field"]
        try:
            pred = table[field][comparison["operator"]]
        except KeyError:
            raise error(op_code) from None
        return pred(datum[field], comparison["value"])
    return compare


@specialized("model.tree.simpleTest")
def _simple_test(site: CallSite) -> Callable[..., Any]:
    return _comparer(site, True, 32000, 32001)


@specialized("model.tree.missingTest")
def _missing_test(site: CallSite) -> Callable[..., Any]:
    return _comparer(site, False, 32010, 32011)


# -- combining tests ---------------------------------------------------------------------------

@specialized("model.tree.compoundTest")
def _compound_test(site: CallSite) -> Callable[..., Any]:
    def compound_test(datum: Any, operator: str, comparisons: list[Any],
                      test: Callable[[Any, Any], bool]) -> bool:
        if operator == "and":
            return all(test(datum, c) for c in comparisons)
        if operator == "or":
            return any(test(datum, c) for c in comparisons)
        if operator == "xor":
            return sum(1 for c in comparisons if test(datum, c)) % 2 == 1
        raise error(32020)
    return compound_test


@specialized("model.tree.surrogateTest")
def _surrogate_test(site: CallSite) -> Callable[..., Any]:
    def surrogate_test(datum: Any, comparisons: list[Any],
                       missing_test: Callable[[Any, Any], bool | None]) -> bool:
        for c in comparisons:
            result = missing_test(datum, c)
            if result is not None:
                return result
        raise error(32030)
    return surrogate_test


# -- walks -------------------------------------------------------------------------------------

@specialized("model.tree.simpleWalk")
def _simple_walk(site: CallSite) -> Callable[..., Any]:
    is_node = node_test(param_type(site, 1))

    def simple_walk(datum: Any, tree_node: dict[str, Any],
                    test: Callable[[Any, Any], bool]) -> Any:
        node = tree_node
        while True:
            branch = node["pass"] if test(datum, node) else node["fail"]
            if not is_node(branch):
                return branch
            node = branch
    return simple_walk


@specialized("model.tree.missingWalk")
def _missing_walk(site: CallSite) -> Callable[..., Any]:
    is_node = node_test(param_type(site, 1))

    def missing_walk(datum: Any, tree_node: dict[str, Any],
                     test: Callable[[Any, Any], bool | None]) -> Any:
        node = tree_node
        while True:
            result = test(datum, node)
            branch = node["missing" if result is None else ("pass" if result else "fail")]
            if not is_node(branch):
                return branch
            node = branch
    return missing_walk


@specialized("model.tree.simpleTree")
def _simple_tree(site: CallSite) -> Callable[..., Any]:
    table = _comparison_table(site, 1, True, 32061)
    is_node = node_test(param_type(site, 1))
    name = site.name
    compiled = _TreeCache(table, is_node, name)

    def simple_tree(datum: dict[str, Any], tree_node: dict[str, Any]) -> Any:
        node = compiled.get(tree_node)
        while True:
            key, pred, value, on_pass, on_fail = node
            branch = on_pass if pred(datum[key], value) else on_fail
            if type(branch) is not _Node:
                return branch
            node = branch
    return simple_tree


class _Node(tuple):
    """A compiled tree node: (field, predicate, value, pass, fail); a branch that is not a
    ``_Node`` is a leaf score."""

    __slots__ = ()


class _TreeCache:
    """Trees compiled once for ``simpleTree``: node records become ``_Node`` tuples with
    their predicate resolved, so a walk does no operator lookups. Values are immutable, so a
    tree (typically held in a cell) is compiled the first time it is walked and kept, with a
    reference to it so that its id stays unique while cached."""

    MAX_ENTRIES = 4096

    def __init__(self, table: dict[str, dict[str, Predicate]], is_node: Callable[[Any], bool],
                 name: str):
        self.table = table
        self.is_node = is_node
        self.name = name
        self.entries: dict[int, tuple[Any, _Node]] = {}

    def get(self, tree: dict[str, Any]) -> _Node:
        hit = self.entries.get(id(tree))
        if hit is not None and hit[0] is tree:
            return hit[1]
        node = self._compile(tree)
        if len(self.entries) >= self.MAX_ENTRIES:
            self.entries.clear()
        self.entries[id(tree)] = (tree, node)
        return node

    def _predicate(self, node: dict[str, Any]) -> Predicate:
        ops = self.table.get(node["field"], {})
        pred = ops.get(node["operator"])
        if pred is None:  # raise when (and only if) the walk reaches this node
            return _raiser(32060)
        return pred

    def _compile(self, root: dict[str, Any]) -> _Node:
        """Iteratively (trees may be deep): children first, then their parent."""
        done: dict[int, _Node] = {}
        stack: list[tuple[dict[str, Any], bool]] = [(root, False)]
        while stack:
            node, expanded = stack.pop()
            children = [b for b in (node["pass"], node["fail"]) if self.is_node(b)]
            if not expanded:
                stack.append((node, True))
                stack.extend((c, False) for c in children if id(c) not in done)
                continue
            branches = [done[id(b)] if self.is_node(b) else b
                        for b in (node["pass"], node["fail"])]
            done[id(node)] = _Node((node["field"], self._predicate(node), node["value"],
                                    *branches))
        return done[id(root)]


# ------------------------------------------------------------------ batch (whole-call) forms
# A walk of a constant tree (or of every tree of an enclosing a.map/a.fold at once) runs on
# node tables: the kernels are shape-specific (hook "tree_walk", pfa.engine.patterns); a walk
# they do not take runs on the scalar engine.

def _is_missing_test_fcn(arg: Any) -> bool:
    """``fcn(d, t) {model.tree.missingTest(d, t)}``: the walk's test is the library's."""
    if not isinstance(arg, A.FcnDef) or len(arg.params) != 2 or len(arg.body) != 1:
        return False
    call = arg.body[0]
    return (isinstance(call, A.Call) and call.name == "model.tree.missingTest"
            and len(call.args) == 2
            and all(isinstance(a, A.Ref) and a.name == p.name
                    for a, p in zip(call.args, arg.params)))


def _tree_walk_b(vc: BatchCompiler, node: A.Call) -> Kernel:
    """A walk of tree ``args[1]`` for datum ``args[0]``; when the tree is the element of the
    enclosing ``a.map``/``a.fold`` (its :class:`LoopHint`), all the trees are walked at once."""
    datum = vc.expr(node.args[0])
    tree = vc.expr(node.args[1])
    hint = None
    if vc.loops and isinstance(node.args[1], A.Ref):
        hit = vc.scope.lookup(node.args[1].name)
        if hit is not None and hit[0] == vc.loops[-1].slot and vc.scope is vc.loops[-1].scope:
            hint = vc.loops[-1]
    walk = vc.kernel("tree_walk", node, hint)
    if walk is None:
        raise NoVector(f"no batch kernel for {node.name}")
    if hint is not None:
        hint.whole = (node, lambda fenv: walk.every_tree(fenv, datum(fenv)))

    def fast(env: Any) -> Any:
        return walk(env, datum(env), tree(env))
    return vc.with_fallback(node, fast)


@batch_call("model.tree.simpleTree")
def _simple_tree_b(vc: BatchCompiler, node: A.Call) -> Kernel:
    return _tree_walk_b(vc, node)


@batch_call("model.tree.missingWalk")
def _missing_walk_b(vc: BatchCompiler, node: A.Call) -> Kernel:
    if not _is_missing_test_fcn(node.args[2]):
        raise NoVector("model.tree.missingWalk with a custom test")
    return _tree_walk_b(vc, node)
