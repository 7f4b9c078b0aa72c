"""Every column batch form (``@batch``) gives its scalar form's results, row by row.

Parametrized over the registry: for each library function with a column form and each of its
signatures, argument types are made concrete from the signature's patterns (every wildcard
tried with a few types), a one-call document is built, and generated batches of records —
extreme and non-finite numbers, empty, equal-length and ragged arrays, missing values — run
through ``action_batch`` and through ``action`` one record at a time: values (bit for bit) and
the error code of every failing row must agree. A new column form is covered without being
listed here.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pfa.avro.types import (
    AvroArray,
    AvroMap,
    AvroPrimitive,
    AvroRecord,
    AvroType,
    AvroUnion,
    parse_type,
)
from pfa.check.signatures import (
    PAny,
    PArray,
    PFunction,
    PMap,
    PPrimitive,
    PRecord,
    PRef,
    PUnion,
    SignatureMismatch,
    library,
    resolve_call,
)
from pfa.lib import registry
from tests.engine.batch_helpers import assert_batch_equals_scalar

NUMERIC = ("int", "long", "float", "double")
ANY_CHOICES = ("double", "int", "string")  # for a wildcard that accepts any type
PER_SIGNATURE = 4  # concrete variants tried per signature (wildcard combinations)


def _bindings(pattern: Any, out: dict[str, tuple[str, ...]]) -> None:
    """Candidate types of every wildcard label in ``pattern``."""
    if isinstance(pattern, PAny):
        names = tuple(t.name for t in pattern.of) if pattern.of else ANY_CHOICES
        out.setdefault(pattern.label, tuple(n for n in names if n in NUMERIC + ("string",)))
    elif isinstance(pattern, (PArray,)):
        _bindings(pattern.items, out)
    elif isinstance(pattern, PMap):
        _bindings(pattern.values, out)
    elif isinstance(pattern, PUnion):
        for t in pattern.types:
            _bindings(t, out)
    elif isinstance(pattern, PRecord) and pattern.fields:
        for _, t in pattern.fields:
            _bindings(t, out)


def _schema(pattern: Any, labels: dict[str, str], name: str) -> Any:
    """The Avro schema (JSON) of ``pattern`` with wildcards bound to ``labels``."""
    if isinstance(pattern, PPrimitive):
        return pattern.type.name
    if isinstance(pattern, (PAny, PRef)):
        return labels[pattern.label]
    if isinstance(pattern, PArray):
        return {"type": "array", "items": _schema(pattern.items, labels, name + "I")}
    if isinstance(pattern, PMap):
        return {"type": "map", "values": _schema(pattern.values, labels, name + "V")}
    if isinstance(pattern, PUnion):
        return [_schema(t, labels, f"{name}U{i}") for i, t in enumerate(pattern.types)]
    if isinstance(pattern, PRecord) and pattern.fields is not None:
        return {"type": "record", "name": name, "fields": [
            {"name": k, "type": _schema(t, labels, name + k)} for k, t in pattern.fields]}
    raise LookupError(f"no concrete type for {pattern}")


def _cases() -> list[tuple[str, list[Any]]]:
    """(function, parameter schemas) for every concrete variant that resolves."""
    out = []
    for name, entry in sorted(registry.load_all().items()):
        if entry.bind_batch is None:
            continue
        for sig in library()[name].sigs:
            if any(isinstance(p.pattern, PFunction) for p in sig.params):
                continue
            cands: dict[str, tuple[str, ...]] = {}
            for p in sig.params:
                _bindings(p.pattern, cands)
            labels = sorted(cands)
            variants = 0
            for combo in itertools.product(*(cands[k] for k in labels)):
                try:
                    schemas = [_schema(p.pattern, dict(zip(labels, combo)), f"R{i}")
                               for i, p in enumerate(sig.params)]
                    resolve_call(name, [parse_type(s) for s in schemas])
                except (LookupError, SignatureMismatch):
                    continue
                out.append((name, schemas))
                variants += 1
                if variants == PER_SIGNATURE:
                    break
    return out


CASES = _cases()

_DOUBLES = st.one_of(st.floats(width=64), st.sampled_from(
    [0.0, -0.0, 1.0, -1.0, 0.5, 2.0, 1e308, -1e308, 5e-324, float("inf"), float("nan")]))
_FLOATS = st.floats(width=32)
_INTS = st.one_of(st.integers(-3, 3), st.integers(-(2**31), 2**31 - 1),
                  st.sampled_from([2**31 - 1, -(2**31)]))
_LONGS = st.one_of(st.integers(-3, 3), st.integers(-(2**63), 2**63 - 1),
                   st.sampled_from([2**63 - 1, -(2**63)]))
_KEYS = st.sampled_from(["a", "b", "c"])


def _values(t: AvroType, length: int | None) -> st.SearchStrategy[Any]:
    """Values of type ``t``; arrays have ``length`` items (None: any length up to 3)."""
    if isinstance(t, AvroPrimitive):
        return {"double": _DOUBLES, "float": _FLOATS, "int": _INTS, "long": _LONGS,
                "boolean": st.booleans(), "string": st.sampled_from(["", "a", "b", "ab"]),
                "null": st.none()}[t.name]
    if isinstance(t, AvroArray):
        lo, hi = (0, 3) if length is None else (length, length)
        return st.lists(_values(t.items, length), min_size=lo, max_size=hi)
    if isinstance(t, AvroMap):
        return st.dictionaries(_KEYS, _values(t.values, length), max_size=3)
    if isinstance(t, AvroUnion):
        return st.one_of(*(_values(b, length) for b in t.types))
    if isinstance(t, AvroRecord):
        return st.fixed_dictionaries({f.name: _values(f.type, length) for f in t.fields})
    raise TypeError(f"no values for {t}")


@st.composite
def _batches(draw: Any, types: list[AvroType]) -> list[dict[str, Any]]:
    length = draw(st.one_of(st.none(), st.integers(0, 3)))  # None: ragged arrays
    row = st.fixed_dictionaries({f"p{i}": _values(t, length) for i, t in enumerate(types)})
    return draw(st.lists(row, min_size=1, max_size=6))


def _document(name: str, schemas: list[Any]) -> dict[str, Any]:
    types = [parse_type(s) for s in schemas]
    ret = resolve_call(name, types).ret_type
    fields = [{"name": f"p{i}", "type": s} for i, s in enumerate(schemas)]
    args = [{"attr": "input", "path": [{"string": f"p{i}"}]} for i in range(len(schemas))]
    return {"input": {"type": "record", "name": "Input", "fields": fields},
            "output": ret.to_json(), "action": [{name: args}]}


@pytest.mark.parametrize("name,schemas", CASES,
                         ids=[f"{n}({','.join(map(str, s))})"[:80] for n, s in CASES])
@settings(max_examples=10)
@given(data=st.data())
def test_column_form_equals_scalar_form(name: str, schemas: list[Any], data: Any) -> None:
    doc = _document(name, schemas)
    rows = data.draw(_batches([parse_type(s) for s in schemas]))
    assert_batch_equals_scalar(doc, rows)


def test_every_column_form_is_generated():
    """Each function with a column form has at least one generated variant."""
    covered = {n for n, _ in CASES}
    with_form = {n for n, e in registry.load_all().items() if e.bind_batch is not None}
    assert with_form - covered == set()
