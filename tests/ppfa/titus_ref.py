"""The reference: titus2's PrettyPFA translator, and the canonical form both outputs are
compared in (tests only; titus is a test dependency).

Canonicalisation (documented in docs/prettypfa.md):
* locator marks ("@") are dropped, and object key order is ignored (dicts compare unordered);
* titus names an unnamed engine ``Engine_N`` and always writes ``"method": "map"``; a missing
  name and the default method are dropped on both sides;
* a named type is written in full once and by name afterwards, at a place that depends on the
  writer's field order: every definition is replaced by its name and the definitions are
  compared as a separate table;
* generated type names (``Record_N``, ``Enum_N``, ``Fixed_N``, numbered by a counter that titus
  keeps across documents) are renumbered in order of first appearance.
"""

from __future__ import annotations

import inspect
import json
import re
from typing import Any

_GENERATED = re.compile(r"(Record|Enum|Fixed)_[0-9]+")
_NAMED = ("record", "enum", "fixed")


def _titus() -> Any:
    import numpy

    if not hasattr(numpy, "float_"):
        numpy.float_ = numpy.float64  # titus2 1.2.0 predates NumPy 2
    if not hasattr(inspect, "getargspec"):
        inspect.getargspec = inspect.getfullargspec
    import titus.prettypfa

    return titus.prettypfa


def titus_translate(text: str) -> dict:
    """titus's PFA JSON for PrettyPFA ``text`` (no type check); raises what titus raises."""
    return _titus().jsonNode(text, lineNumbers=False, check=False)


def canonical(doc: dict) -> tuple[Any, dict]:
    """(document with named types by name only, {full name: definition}) — see above."""
    doc = json.loads(json.dumps(doc))  # a private copy
    if isinstance(doc.get("name"), str) and re.fullmatch(r"Engine_[0-9]+", doc["name"]):
        del doc["name"]
    if doc.get("method") == "map":
        del doc["method"]
    defs: dict[str, Any] = {}

    def walk(v: Any) -> Any:
        if isinstance(v, dict):
            v.pop("@", None)
            out = {k: walk(x) for k, x in v.items()}
            if out.get("type") in _NAMED and isinstance(out.get("name"), str) and \
                    ("fields" in out or "symbols" in out or "size" in out):
                full = out["name"] if not out.get("namespace") else \
                    f"{out['namespace']}.{out['name']}"
                defs[full] = out
                return full
            return out
        if isinstance(v, list):
            return [walk(x) for x in v]
        return v

    body = walk(doc)
    renames: dict[str, str] = {}
    visited: set[str] = set()

    def collect(v: Any) -> None:
        if isinstance(v, dict):
            for k in sorted(v):
                collect(v[k])
        elif isinstance(v, list):
            for x in v:
                collect(x)
        elif isinstance(v, str):
            if _GENERATED.fullmatch(v) and v not in renames:
                renames[v] = f"{v.split('_')[0]}_#{len(renames) + 1}"
            if v in defs and v not in visited:
                visited.add(v)
                collect(defs[v])

    collect(body)
    for k in sorted(defs, key=lambda n: (bool(_GENERATED.fullmatch(n)), n)):
        collect(k)

    def rename(v: Any) -> Any:
        if isinstance(v, dict):
            return {rename(k) if k in renames else k: rename(x) for k, x in v.items()}
        if isinstance(v, list):
            return [rename(x) for x in v]
        return renames.get(v, v) if isinstance(v, str) else v

    return rename(body), {renames.get(k, k): rename(d) for k, d in defs.items()}
