"""Shared helpers for the case generators: small documents, trials and JSON output.

A case calls one library function on the fields of its input. With one parameter the input
*is* that value; with several, the input is a record ``Input`` with fields ``x0``, ``x1`` ….
Arguments of the call are field indexes (``0``, ``1`` …) or raw PFA expressions (function
references, literals).
"""

from __future__ import annotations

import json
import math
import struct
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from conformance.avro_json import PRIMS, Names, collect, encode

INF = math.inf
NAN = math.nan
CASES_DIR = Path(__file__).resolve().parent.parent / "cases"
INT_MAX, INT_MIN = 2**31 - 1, -2**31
LONG_MAX, LONG_MIN = 2**63 - 1, -2**63


def arr(t: Any) -> dict[str, Any]:
    return {"type": "array", "items": t}


def mp(t: Any) -> dict[str, Any]:
    return {"type": "map", "values": t}


def rec(name: str, **fields: Any) -> dict[str, Any]:
    return {"type": "record", "name": name,
            "fields": [{"name": k, "type": v} for k, v in fields.items()]}


def f32(x: float) -> float:
    """Round a Python float to single precision."""
    if math.isnan(x) or math.isinf(x):
        return x
    try:
        return struct.unpack("f", struct.pack("f", x))[0]
    except OverflowError:
        return math.copysign(math.inf, x)


def field_ref(i: int) -> dict[str, Any]:
    return {"attr": "input", "path": [{"string": f"x{i}"}]}


def fcndef(params: Sequence[tuple[str, Any]], ret: Any, body: Any) -> dict[str, Any]:
    """An inline function definition ``{"params": …, "ret": …, "do": …}``."""
    return {"params": [{n: t} for n, t in params], "ret": ret,
            "do": body if isinstance(body, list) else [body]}


# Function arguments on ints used by the a and map cases.
LT = fcndef([("a", "int"), ("b", "int")], "boolean", {"<": ["a", "b"]})
EVEN = fcndef([("x", "int")], "boolean", {"==": [{"%": ["x", 2]}, 0]})


class Err(Exception):
    """Raised by a reference implementation: the trial expects this PFA error code."""

    def __init__(self, code: int):
        super().__init__(code)
        self.code = code


@dataclass
class X:
    """A trial with an explicit expectation (output ``out`` or error ``err``)."""

    args: tuple[Any, ...]
    out: Any = None
    err: int | None = None
    src: str = "hand"
    rng: tuple[float, float] | None = None  # pseudorandom: inclusive numeric range


def doc_for(fcn: str, params: Sequence[Any], ret: Any, args: Sequence[Any] | None = None,
            **top: Any) -> dict[str, Any]:
    """A complete PFA document whose action is ``{fcn: args}`` on the input's fields."""
    args = list(range(len(params))) if args is None else list(args)
    if not params:
        in_type: Any = "null"
    elif len(params) == 1:
        in_type = params[0]
    else:
        in_type = {"type": "record", "name": "Input",
                   "fields": [{"name": f"x{i}", "type": t} for i, t in enumerate(params)]}
    one = len(params) == 1

    def arg(a: Any) -> Any:
        if isinstance(a, int) and not isinstance(a, bool):
            return "input" if one else field_ref(a)
        return a

    doc = {"input": in_type, "output": ret, "action": [{fcn: [arg(a) for a in args]}]}
    doc.update({k: v for k, v in top.items() if v is not None})
    return doc


def _has_float(t: Any) -> bool:
    return any(s in json.dumps(t) for s in ('"double"', '"float"'))


@dataclass
class Module:
    """The cases of one namespace (one ``cases/<name>.json`` file)."""

    name: str
    cases: list[dict[str, Any]] = field(default_factory=list)

    def fn(self, fcn: str, params: Sequence[Any], ret: Any,
           ref: Callable[..., Any] | None, rows: Sequence[Any], *, src: str = "python stdlib",
           args: Sequence[Any] | None = None, compare: str | None = None,
           rtol: float | None = None, atol: float | None = None, note: str | None = None,
           action: Any = None, **top: Any) -> None:
        """Add one case: ``rows`` are argument tuples (expected = ``ref(*row)``) or ``X``."""
        doc = doc_for(fcn, params, ret, args, **top)
        if action is not None:  # a custom action that still exercises ``fcn``
            doc["action"] = action if isinstance(action, list) else [action]
        in_type = doc["input"]
        trials = []
        for row in rows:
            if isinstance(row, X):
                x = row
            else:
                row = tuple(row)
                try:
                    x = X(row, out=ref(*row), src=src)  # type: ignore[misc]
                except Err as e:
                    x = X(row, err=e.code, src=src)
            names = Names()
            collect(in_type, names)
            if not params:
                value: Any = None
            elif len(params) == 1:
                value = x.args[0]
            else:
                value = {f"x{i}": v for i, v in enumerate(x.args)}
            trial: dict[str, Any] = {"input": encode(in_type, value, names)}
            if compare == "type-only":
                if x.rng is not None:
                    trial["range"] = list(x.rng)
            elif x.err is not None:
                trial["error"] = x.err
            else:
                onames = Names()
                collect(in_type, onames)
                trial["output"] = encode(ret, x.out, onames)
            trial["source"] = x.src
            trials.append(trial)
        named_out = isinstance(ret, str) and ret not in PRIMS
        floaty = _has_float(ret) or (named_out and _has_float(in_type))
        mode = compare or ("tolerance" if floaty else "exact")
        case: dict[str, Any] = {"fcn": fcn, "doc": doc, "trials": trials, "compare": mode}
        if rtol is not None:
            case["rtol"] = rtol
        if atol is not None:
            case["atol"] = atol
        if note:
            case["note"] = note
        self.cases.append(case)

    def write(self) -> Path:
        CASES_DIR.mkdir(exist_ok=True)
        path = CASES_DIR / f"{self.name}.json"
        path.write_text(dump_cases(self.cases), encoding="utf-8")
        return path


def dump_cases(cases: list[dict[str, Any]]) -> str:
    """JSON text with one line per document and per trial (readable diffs)."""

    def one(x: Any) -> str:
        return json.dumps(x, ensure_ascii=False, separators=(", ", ": "))

    out = []
    for c in cases:
        head = ", ".join(f"{one(k)}: {one(v)}" for k, v in c.items()
                         if k not in ("doc", "trials"))
        trials = ",\n   ".join(one(t) for t in c["trials"])
        out.append(f' {{{head},\n  "doc": {one(c["doc"])},\n  "trials": [\n   {trials}]}}')
    return "[\n" + ",\n".join(out) + "\n]\n"
