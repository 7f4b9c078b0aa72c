"""JSON-encoded Avro for the conformance suite, independent of any engine.

``encode(schema, value)`` turns a plain Python value (unions as the bare value, bytes as
``bytes``) into the JSON encoding used by the case files: unions tagged ``{"branch": v}``,
bytes/fixed as strings of code points 0-255, non-finite floats as ``"NaN"``/``"Infinity"``/
``"-Infinity"``. ``conforms(schema, json_value)`` checks a JSON-encoded value against a
schema (used for pseudorandom, type-only cases).
"""

from __future__ import annotations

import math
from typing import Any

PRIMS = {"null", "boolean", "int", "long", "float", "double", "string", "bytes"}
NONFINITE = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


class Names:
    """Named types seen so far while walking schemas (name → schema)."""

    def __init__(self) -> None:
        self.table: dict[str, Any] = {}

    def resolve(self, t: Any) -> Any:
        if isinstance(t, str) and t not in PRIMS:
            return self.table[t]
        if isinstance(t, dict) and t.get("type") in ("record", "enum", "fixed"):
            self.table.setdefault(t["name"], t)
            if t["type"] == "record":
                for f in t["fields"]:
                    collect(f["type"], self)
        if isinstance(t, dict) and t.get("type") in PRIMS:
            return t["type"]
        return t


def collect(t: Any, names: Names) -> None:
    """Register every named type defined inside ``t``."""
    if isinstance(t, list):
        for b in t:
            collect(b, names)
    elif isinstance(t, dict):
        kind = t.get("type")
        if kind in ("record", "enum", "fixed"):
            names.resolve(t)
        elif kind == "array":
            collect(t["items"], names)
        elif kind == "map":
            collect(t["values"], names)


def branch_name(t: Any) -> str:
    if isinstance(t, str):
        return t
    kind = t["type"]
    if kind in ("record", "enum", "fixed"):
        return t["name"]
    return kind


def _is_num(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def matches(t: Any, v: Any, names: Names) -> bool:
    """Whether Python value ``v`` belongs to schema ``t``."""
    t = names.resolve(t)
    if isinstance(t, list):
        return any(matches(b, v, names) for b in t)
    if isinstance(t, str):
        return {
            "null": lambda: v is None,
            "boolean": lambda: isinstance(v, bool),
            "int": lambda: isinstance(v, int) and not isinstance(v, bool)
            and -2**31 <= v < 2**31,
            "long": lambda: isinstance(v, int) and not isinstance(v, bool)
            and -2**63 <= v < 2**63,
            "float": lambda: _is_num(v),
            "double": lambda: _is_num(v),
            "string": lambda: isinstance(v, str),
            "bytes": lambda: isinstance(v, (bytes, bytearray)),
        }[t]()
    kind = t["type"]
    if kind == "array":
        return isinstance(v, list) and all(matches(t["items"], x, names) for x in v)
    if kind == "map":
        return isinstance(v, dict) and all(matches(t["values"], x, names) for x in v.values())
    if kind == "record":
        return isinstance(v, dict) and set(v) == {f["name"] for f in t["fields"]} and all(
            matches(f["type"], v[f["name"]], names) for f in t["fields"])
    if kind == "enum":
        return isinstance(v, str) and v in t["symbols"]
    if kind == "fixed":
        return isinstance(v, (bytes, bytearray)) and len(v) == t["size"]
    raise ValueError(f"unknown schema {t!r}")


def _float(v: float) -> Any:
    v = float(v)
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "Infinity" if v > 0 else "-Infinity"
    return v


def encode(t: Any, v: Any, names: Names | None = None) -> Any:
    """JSON encoding of Python value ``v`` of schema ``t``."""
    names = names or Names()
    t = names.resolve(t)
    if isinstance(t, list):
        exact = [b for b in t if _exact_branch(names.resolve(b), v)]
        for b in exact + [b for b in t if b not in exact]:
            if matches(b, v, names):
                return None if b == "null" else {branch_name(b): encode(b, v, names)}
        raise ValueError(f"{v!r} matches no branch of {t!r}")
    if isinstance(t, str):
        if t in ("float", "double"):
            return _float(v)
        if t == "bytes":
            return bytes(v).decode("latin-1")
        return v
    kind = t["type"]
    if kind == "array":
        return [encode(t["items"], x, names) for x in v]
    if kind == "map":
        return {k: encode(t["values"], x, names) for k, x in v.items()}
    if kind == "record":
        return {f["name"]: encode(f["type"], v[f["name"]], names) for f in t["fields"]}
    if kind == "fixed":
        return bytes(v).decode("latin-1")
    return v


def _exact_branch(b: Any, v: Any) -> bool:
    """Prefer int branches for ints and double branches for floats in unions."""
    if isinstance(b, str):
        if isinstance(v, bool):
            return b == "boolean"
        if isinstance(v, int):
            return b in ("int", "long")
        if isinstance(v, float):
            return b in ("float", "double")
    return False


def conforms(t: Any, j: Any, names: Names | None = None) -> bool:
    """Whether JSON-encoded value ``j`` is a valid encoding of schema ``t``."""
    names = names or Names()
    t = names.resolve(t)
    if isinstance(t, list):
        if j is None:
            return "null" in t
        if not (isinstance(j, dict) and len(j) == 1):
            return False
        (tag, val), = j.items()
        return any(branch_name(names.resolve(b)) == tag and conforms(b, val, names) for b in t)
    if isinstance(t, str):
        if t in ("float", "double"):
            return _is_num(j) or j in NONFINITE
        if t == "bytes":
            return isinstance(j, str) and all(ord(c) < 256 for c in j)
        return matches(t, j, names)
    kind = t["type"]
    if kind == "array":
        return isinstance(j, list) and all(conforms(t["items"], x, names) for x in j)
    if kind == "map":
        return isinstance(j, dict) and all(conforms(t["values"], x, names) for x in j.values())
    if kind == "record":
        return isinstance(j, dict) and all(
            f["name"] in j and conforms(f["type"], j[f["name"]], names) for f in t["fields"])
    if kind == "fixed":
        return isinstance(j, str) and len(j) == t["size"]
    return matches(t, j, names)
