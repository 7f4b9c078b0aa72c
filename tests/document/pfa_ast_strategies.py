"""Hypothesis strategies that draw random PFA syntax trees (every form, syntax level only).

    from pfa_ast_strategies import documents, expressions

The trees are what the reader could have produced: names match the spec's patterns, bodies
are non-empty, ints fit 32 bits, floats fit 32 bits, NaN is always ``math.nan`` (so equal
trees compare equal). They need not type-check.
"""

from __future__ import annotations

import math
from typing import Any

from hypothesis import strategies as st

from pfa.document import ast as A
from pfa.document.reader import KEYWORDS

symbols = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,5}", fullmatch=True)
_words = st.from_regex(r"[A-Za-z][A-Za-z0-9_]{0,4}", fullmatch=True)
fcn_names = st.one_of(
    st.sampled_from(["+", "-", "*", "/", "**", "==", "<", "&&", "u-", "!", "a.len", "s.concat",
                     "m.sqrt", "map.add", "u.f"]),
    st.lists(_words, min_size=1, max_size=3).map(".".join),
).filter(lambda n: n not in KEYWORDS)
keys = st.text(max_size=6).filter(lambda k: k != "@")


def _nan_canonical(x: float) -> float:
    return math.nan if math.isnan(x) else x


def json_data(max_leaves: int = 6) -> st.SearchStrategy[Any]:
    """Embedded JSON data (no NaN, no locator marks)."""
    leaves = st.one_of(st.none(), st.booleans(), st.integers(-(2**40), 2**40),
                       st.floats(allow_nan=False), st.text(max_size=8))
    return st.recursive(leaves, lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(keys, inner, max_size=3)),
        max_leaves=max_leaves)


type_specs = st.sampled_from([
    "null", "int", "long", "double", "string", "bytes", ["null", "double"],
    {"type": "array", "items": "double"}, {"type": "map", "values": "string"},
    {"type": "record", "name": "R", "fields": [{"name": "a", "type": "int"}]},
    {"type": "enum", "name": "E", "symbols": ["one", "two"]},
]).map(lambda j: A.TypeSpec(j))

int32 = st.integers(-(2**31), 2**31 - 1)
int64 = st.integers(-(2**63), 2**63 - 1)
doubles = st.floats().map(_nan_canonical)
floats32 = st.floats(width=32).map(_nan_canonical)
unpack_formats = st.sampled_from(["pad", "boolean", "byte", "unsigned byte", "<short",
                                  "big unsigned int", "long long", "float", ">double",
                                  "raw 4", "null terminated", "length prefixed"])
pack_formats = st.one_of(unpack_formats, st.just("raw"))

leaf_exprs = st.one_of(
    symbols.map(A.Ref),
    st.just(None).map(lambda _: A.LiteralNull()),
    st.booleans().map(A.LiteralBoolean),
    int32.map(A.LiteralInt),
    int64.map(A.LiteralLong),
    floats32.map(A.LiteralFloat),
    doubles.map(A.LiteralDouble),
    st.text(max_size=8).map(A.LiteralString),
    st.binary(max_size=8).map(A.LiteralBase64),
    st.builds(A.Literal, type_specs, json_data()),
    st.text(max_size=8).map(A.Doc),
    st.builds(A.Error, st.text(max_size=8), st.none() | st.integers(max_value=-1)),
    symbols.map(lambda n: A.CellGet(n, [])),
)


def _forms(e: st.SearchStrategy[A.Expr]) -> st.SearchStrategy[A.Expr]:
    body = st.lists(e, min_size=1, max_size=2)
    opt_body = st.none() | body
    named = st.dictionaries(symbols, e, min_size=1, max_size=2)
    indexes = st.lists(e, min_size=1, max_size=2)
    fcndef = st.builds(
        A.FcnDef,
        st.lists(symbols, unique=True, max_size=2).flatmap(
            lambda ns: st.tuples(*[type_specs for _ in ns]).map(
                lambda ts: [A.Param(n, t) for n, t in zip(ns, ts)])),
        type_specs, body)
    fcnref = st.builds(A.FcnRef, fcn_names,
                       st.none() | st.dictionaries(symbols, e, max_size=2))
    argument = st.one_of(e, fcndef, fcnref)
    clause = st.builds(A.If, e, body, st.none())
    case = st.builds(A.CastCase, type_specs, symbols, body)
    return st.one_of(
        st.builds(A.Call, fcn_names, st.lists(argument, max_size=3)),
        st.builds(A.CallUserFcn, e, st.lists(e, max_size=2)),
        st.builds(A.NewObject, st.dictionaries(keys, e, max_size=2), type_specs),
        st.builds(A.NewArray, st.lists(e, max_size=2), type_specs),
        st.builds(A.Let, named),
        st.builds(A.SetVar, named),
        st.builds(A.AttrGet, e, indexes),
        st.builds(A.AttrTo, e, indexes, argument),
        st.builds(A.CellGet, symbols, st.lists(e, max_size=2)),
        st.builds(A.CellTo, symbols, st.lists(e, max_size=2), argument),
        st.builds(A.PoolGet, symbols, indexes),
        st.builds(A.PoolTo, symbols, indexes, argument, st.none() | e),
        st.builds(A.PoolDel, symbols, e),
        st.builds(A.Do, body),
        st.builds(A.If, e, body, opt_body),
        st.builds(A.Cond, st.lists(clause, min_size=1, max_size=2), opt_body),
        st.builds(A.While, e, body),
        st.builds(A.DoUntil, body, e),
        st.builds(A.For, named, e, st.dictionaries(symbols, e, max_size=2), body),
        st.builds(A.Foreach, symbols, e, body, st.booleans()),
        st.builds(A.Forkeyval, symbols, symbols, e, body),
        st.builds(A.CastBlock, e, st.lists(case, min_size=1, max_size=2), st.booleans()),
        st.builds(A.Upcast, e, type_specs),
        st.builds(A.IfNotNull, named, body, opt_body),
        st.builds(A.Pack, st.lists(st.tuples(pack_formats, e), max_size=2)),
        st.builds(A.Unpack, e, st.lists(st.tuples(symbols, unpack_formats), min_size=1,
                                        max_size=2), body, opt_body),
        st.builds(A.Try, body, st.none() | st.lists(st.text(max_size=5) | st.integers(),
                                                    max_size=2)),
        st.builds(A.Log, body, st.none() | st.text(max_size=5)),
    )


expressions: st.SearchStrategy[A.Expr] = st.recursive(leaf_exprs, _forms, max_leaves=12)
functions = st.builds(
    A.FcnDef,
    st.lists(symbols, unique=True, max_size=2).map(
        lambda ns: [A.Param(n, A.TypeSpec("double")) for n in ns]),
    type_specs, st.lists(expressions, min_size=1, max_size=2))


def _cell(pool: bool) -> st.SearchStrategy[Any]:
    flags = st.sampled_from([(False, False), (True, False), (False, True)])
    if pool:
        return st.builds(lambda t, init, f: A.PoolSpec(t, init, shared=f[0], rollback=f[1]),
                         type_specs, st.dictionaries(keys, json_data(), max_size=2), flags)
    embedded = st.builds(lambda t, init, f: A.CellSpec(t, init, shared=f[0], rollback=f[1]),
                         type_specs, json_data(), flags)
    external = st.builds(lambda t, name, src: A.CellSpec(t, name, source=src),
                         type_specs, st.text(min_size=1, max_size=8),
                         st.sampled_from(["json", "avro"]))
    return embedded | external


@st.composite
def documents(draw: st.DrawFn) -> A.PfaDocument:
    """A random PFA document (syntax level)."""
    opt = draw
    doc = A.PfaDocument(
        draw(type_specs), draw(type_specs),
        draw(st.lists(expressions, min_size=1, max_size=3)),
        name=opt(st.none() | st.text(max_size=8)),
        method=opt(st.sampled_from(A.METHODS)),
        begin=opt(st.lists(expressions, max_size=2)),
        end=opt(st.lists(expressions, max_size=2)),
        fcns=opt(st.dictionaries(st.lists(_words, min_size=1, max_size=2).map(".".join),
                                 functions, max_size=2)),
        zero=opt(st.just(A.NO_VALUE) | json_data()),
        merge=opt(st.none() | st.lists(expressions, min_size=1, max_size=2)),
        cells=opt(st.dictionaries(symbols, _cell(False), max_size=2)),
        pools=opt(st.dictionaries(symbols, _cell(True), max_size=2)),
        randseed=opt(st.none() | st.integers(-(2**40), 2**40)),
        doc=opt(st.none() | st.text(max_size=8)),
        version=opt(st.none() | int32),
        metadata=opt(st.dictionaries(keys, st.text(max_size=5), max_size=2)),
        options=opt(st.dictionaries(keys, json_data(), max_size=2)),
    )
    return doc
