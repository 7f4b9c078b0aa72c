"""The comparison of the PrettyPFA round trip (JSON → PrettyPFA → JSON).

Two documents are the same if their canonical JSON (``pfa.document.writer.write``) is equal
after two normalisations, documented in docs/prettypfa.md: locator marks ("@") are dropped
(PrettyPFA has no syntax for them), and a ``cond`` with a single clause is read as the ``if``
it means (PrettyPFA spells both the same way). NaN compares equal to NaN (JSON text).
"""

from __future__ import annotations

import json
from typing import Any

from pfa.document.ast import PfaDocument
from pfa.document.writer import write


def _normal(value: Any) -> Any:
    if isinstance(value, dict):
        value = {k: _normal(v) for k, v in value.items() if k != "@"}
        clauses = value.get("cond")
        if isinstance(clauses, list) and len(clauses) == 1 and set(value) <= {"cond", "else"}:
            single = dict(clauses[0])
            if "else" in value:
                single["else"] = value["else"]
            return single
        return value
    if isinstance(value, list):
        return [_normal(v) for v in value]
    return value


def comparable(doc: PfaDocument) -> str:
    """``doc``'s canonical JSON with the normalisations above, as sorted-key JSON text."""
    return json.dumps(_normal(write(doc)), sort_keys=True, allow_nan=True)
