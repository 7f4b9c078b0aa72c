"""The supported subset, declared in one place: lowerings by PFA function name or special form.

A lowering turns one construct into graph nodes. Modules of :mod:`.lowerings` register theirs
with :func:`lowering` (functions, by PFA name) and :func:`form` (special forms, by AST class);
:func:`lowerings` finds them all, the compiler dispatches through :func:`find_function` /
:func:`find_form`, and :func:`markdown_table` prints the README's table from the same data.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any


@dataclass(frozen=True)
class Lowering:
    """One supported construct: ``key`` is a PFA function name or a special form's JSON key;
    ``elementwise`` lowerings may run on several lanes at once (bodies of ``a.map``)."""

    key: str
    kind: str  # "function" or "form"
    family: str
    fn: Callable[..., Any]
    note: str = ""
    elementwise: bool = False


#: why functions known to be outside the subset are refused (any other unlisted function: it has
#: no lowering yet)
REFUSED_WHY: dict[str, str] = {
    "a.argminN": "the order it gives tied items has no ONNX operator that keeps it",
    "a.argmaxN": "the order it gives tied items has no ONNX operator that keeps it",
    "model.neighbor.nearestK": "the order it gives tied neighbours has no ONNX operator that "
                               "keeps it",
    "a.filter": "its result's length depends on the data (ONNX graphs here have static "
                "lengths)",
    "a.sort": "the order it gives tied items has no ONNX operator that keeps it",
    "//": "integer division raises on zero, which has no ONNX form",
    "%": "integer modulo raises on zero, which has no ONNX form",
    "m.link.probit": "it needs Erf in double precision, which onnxruntime does not implement",
}

_FUNCTIONS: dict[str, Lowering] = {}
_FORMS: dict[str, Lowering] = {}


def lowering(names: str | list[str], family: str, note: str = "",
             elementwise: bool = False) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register ``fn(cx, call, args) -> value`` for the PFA functions ``names``."""
    def deco(fn: Callable[..., Any]) -> Callable[..., Any]:
        for name in [names] if isinstance(names, str) else names:
            _FUNCTIONS[name] = Lowering(name, "function", family, fn, note, elementwise)
        return fn
    return deco


def form(ast_class: str, key: str, family: str, note: str = "",
         elementwise: bool = False) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register ``fn(cx, node) -> value`` for the special form of AST class ``ast_class``
    (``key``: its JSON key, for the table)."""
    def deco(fn: Callable[..., Any]) -> Callable[..., Any]:
        _FORMS[ast_class] = Lowering(key, "form", family, fn, note, elementwise)
        return fn
    return deco


@cache
def _load() -> None:
    pkg = importlib.import_module("pfa.onnx.compiler.lowerings")
    for info in pkgutil.iter_modules(pkg.__path__, pkg.__name__ + "."):
        importlib.import_module(info.name)


def find_function(name: str) -> Lowering | None:
    _load()
    return _FUNCTIONS.get(name)


def why_not(name: str) -> str:
    """The refusal reason of a function without a lowering."""
    reason = REFUSED_WHY.get(name)
    return f"the function {name} has no ONNX lowering" + (f": {reason}" if reason else "")


def find_form(ast_class: str) -> Lowering | None:
    _load()
    return _FORMS.get(ast_class)


def lowerings() -> list[Lowering]:
    """Every registered lowering, forms first, then functions by family and name."""
    _load()
    forms = sorted(_FORMS.values(), key=lambda lw: lw.key)
    fns = sorted(_FUNCTIONS.values(), key=lambda lw: (lw.family, lw.key))
    return forms + fns


def markdown_table() -> str:
    """The README table of the compile subset (one row per family)."""
    rows: dict[tuple[str, str], list[Lowering]] = {}
    for lw in lowerings():
        rows.setdefault((lw.kind, lw.family), []).append(lw)
    lines = ["| kind | family | constructs | notes |", "|---|---|---|---|"]
    for (kind, family), items in rows.items():
        names = ", ".join(f"`{lw.key}`" for lw in items)
        notes = "; ".join(dict.fromkeys(lw.note for lw in items if lw.note))
        lines.append(f"| {kind} | {family} | {names} | {notes} |")
    lines.append("")
    lines.append("Refused with the document path and the reason: special forms `while`, "
                 "`do-until`, `for`, `foreach`, `forkey-forval`, `set`, `cell-to`, `pool-to`, "
                 "`pool-del`, `attr-to`, `cast-cases`, `try`, `log`, `pack`/`unpack`, "
                 "`emit` and `fold` documents, `begin`/`end`; any function not listed above, "
                 "among them:")
    for name, why in REFUSED_WHY.items():
        lines.append(f"- `{name}`: {why}")
    return "\n".join(lines)
