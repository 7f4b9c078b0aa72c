"""``action_batch`` equals ``action`` row for row (values and error codes, both ``on_error``
modes) on every valid corpus document, with inputs generated from its input type: edge
numbers, empty strings/arrays/maps, nulls in every nullable place."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pfa import Engine
from pfa.avro.types import AvroArray, AvroEnum, AvroFixed, AvroMap, AvroRecord, AvroUnion
from pfa.errors import PfaError
from tests.engine.batch_helpers import assert_batch_equals_scalar

CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "valid"
EXAMPLES = int(os.environ.get("PFA_FUZZ_EXAMPLES", "0")) // 10 or 15


def _map_documents() -> list[str]:
    """The valid corpus documents of method map that keep no state between actions."""
    names = []
    for path in sorted(CORPUS.glob("*.json")):
        try:
            engine = Engine.from_json(json.loads(path.read_text()))
        except PfaError:
            continue
        stateful = '"to"' in path.read_text()  # writes cells/pools: runs must not repeat
        if engine.method == "map" and not stateful:
            names.append(path.stem)
    return names


def _loops(doc: dict[str, Any]) -> bool:
    """True if the document loops or calls user functions (small integers only, then)."""
    text = json.dumps(doc)
    return any(f'"{k}"' in text for k in ("while", "until", "for", "foreach", "fcns"))


def values_of(t: Any, depth: int = 0, small: bool = False) -> st.SearchStrategy:
    """Engine values of Avro type ``t``, biased to edges (``small``: integers in -3…20)."""
    name = t.name
    if name == "null":
        return st.none()
    if name == "boolean":
        return st.booleans()
    if name in ("int", "long") and small:
        return st.integers(-3, 20)
    if name == "int":
        return st.one_of(st.sampled_from([0, 1, -1, 2, 3, 2**31 - 1, -(2**31)]),
                         st.integers(-(2**31), 2**31 - 1))
    if name == "long":
        return st.one_of(st.sampled_from([0, 1, -1, 2**63 - 1, -(2**63)]),
                         st.integers(-(2**63), 2**63 - 1))
    if name in ("float", "double"):
        from pfa.avro.data import to_float32

        x = st.one_of(st.sampled_from([0.0, -0.0, 1.0, -1.5, 2.5, float("nan"), float("inf")]),
                      st.floats(width=32 if name == "float" else 64))
        return x.map(to_float32) if name == "float" else x
    if name == "string":
        return st.one_of(st.sampled_from(["", "a", "b", "z", "abc"]), st.text(max_size=4))
    if name == "bytes":
        return st.binary(max_size=4)
    if isinstance(t, AvroFixed):
        return st.binary(min_size=t.size, max_size=t.size)
    if isinstance(t, AvroEnum):
        return st.sampled_from(list(t.symbols))
    if isinstance(t, AvroArray):
        return st.lists(values_of(t.items, depth + 1, small), max_size=0 if depth > 2 else 4)
    if isinstance(t, AvroMap):
        return st.dictionaries(st.sampled_from(["a", "b", "c", "x"]),
                               values_of(t.values, depth + 1, small), max_size=0 if depth > 2 else 3)
    if isinstance(t, AvroRecord):
        return st.fixed_dictionaries({f.name: values_of(f.type, depth + 1, small) for f in t.fields})
    if isinstance(t, AvroUnion):
        return st.one_of([values_of(b, depth + 1, small) for b in t.types])
    raise AssertionError(f"no generator for {t}")


@pytest.mark.parametrize("name", _map_documents())
def test_corpus_batch_equals_action(name: str) -> None:
    doc = json.loads((CORPUS / f"{name}.json").read_text())
    input_type = Engine.from_json(doc).input_type

    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck),
              database=None)
    @given(st.lists(values_of(input_type, 0, _loops(doc)), min_size=0, max_size=6),
           st.sampled_from([None, 1, 2]))
    def check(rows: list[Any], chunk: int | None) -> None:
        engine = assert_batch_equals_scalar(doc, rows, chunk_size=chunk)
        assert not engine._batch_plan().fallbacks

    check()
