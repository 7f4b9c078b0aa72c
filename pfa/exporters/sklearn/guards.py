"""The document's refusal of the numbers sklearn refuses (see :mod:`.probe`).

One cheap screen per row (the sum of the guarded values is finite, and their extremes lie
within the bisected bounds of large values where that matters); only a row that fails it is
checked column by column, and the first offending column raises a PFA user error naming the
field and the original column.
"""

from __future__ import annotations

from typing import Any

from pfa.exporters.builder import ARRAY_DOUBLE, DocumentBuilder, Vector, lit_double
from pfa.exporters.sklearn.probe import BIG, FLOAT32_OVERFLOW, Refusals, step_refusals
from pfa.exporters.table import Column, bind_array

#: user error code of an input value the fitted pipeline refuses
REFUSED_CODE = -101

_WHAT = {"nan": "a missing value (NaN or null)", "+inf": "an infinite value",
         "-inf": "an infinite value", "+big": "a value too large", "-big": "a value too large"}
_KINDS = tuple(_WHAT)


def guard(b: DocumentBuilder, columns: list[tuple[Column, Any]],
          refused: list[Refusals]) -> None:
    """Add the check of ``columns`` (each a column and its double expression, null as NaN)
    to the action, refusing per column the kinds in ``refused`` (except pending ones)."""
    refused = [Refusals({k: m for k, m in r.kinds.items() if k not in r.pending}, r.bounds)
               for r in refused]
    checked = [(c, v, r) for (c, v), r in zip(columns, refused) if r.kinds]
    if not checked:
        return
    values = {"new": [v for _, v, _ in checked], "type": ARRAY_DOUBLE}
    arr = bind_array(b, "features", values)
    screen = _screen(arr, [r for _, _, r in checked])
    clauses = []
    for k, (col, _, r) in enumerate(checked):
        x = {"attr": arr, "path": [k]}
        for kind in _KINDS:
            if kind in r.kinds:
                clauses.append({"if": _test(kind, x, r), "then": {
                    "error": _message(col, kind, r), "code": REFUSED_CODE}})
    b.steps.append({"if": {"!": screen}, "then": {"cond": clauses}})


def _screen(arr: Any, refused: list[Refusals]) -> Any:
    """True when no value of ``arr`` can be refused: its sum is a number and its extremes lie
    strictly within the tightest bounds of large values."""
    screen: Any = {"impute.isnum": {"a.sum": [arr]}}
    highs = [r.bound("+big") for r in refused if "+big" in r.kinds]
    lows = [r.bound("-big") for r in refused if "-big" in r.kinds]
    if highs:
        screen = {"&&": [screen, {"<": [{"a.max": [arr]}, lit_double(min(highs))]}]}
    if lows:
        screen = {"&&": [screen, {">": [{"a.min": [arr]}, lit_double(max(lows))]}]}
    return screen


def guard_vector(b: DocumentBuilder, est: Any, vec: Vector, place: str) -> None:
    """Refuse what the step ``est`` refuses in the array the steps before it made (e.g. a NaN
    from ``np.log`` of a negative number reaching a LogisticRegression)."""
    refused = step_refusals(est, vec.size)
    kinds = refused.kinds
    if not kinds:
        return
    screen = _screen(vec.expr, [refused])
    tests = [_test(k, "v", refused) for k in _KINDS if k in kinds]
    test = tests[-1]
    for t in reversed(tests[:-1]):
        test = {"||": [t, test]}
    bad = {"a.any": [vec.expr, {"params": [{"v": "double"}], "ret": "boolean", "do": test}]}
    what = " or ".join(dict.fromkeys(_what(k, refused) for k in _KINDS if k in kinds))
    reason = next(iter(kinds.values()))
    reason = reason if len(reason) <= 160 else reason[:157] + "..."
    message = (f"{type(est).__name__} at {place} receives {what} from the steps before it, "
               f"which sklearn refuses: {reason}")
    b.steps.append({"if": {"!": screen}, "then": {
        "if": bad, "then": {"error": message, "code": REFUSED_CODE}}})


def _test(kind: str, x: Any, refused: Refusals) -> Any:
    """Whether the double ``x`` is of ``kind`` (PFA orders NaN above every number, so the
    comparisons exclude NaN and infinities explicitly)."""
    if kind == "nan":
        return {"impute.isnan": x}
    if kind in ("+inf", "-inf"):
        return {"&&": [{"impute.isinf": x}, {">" if kind == "+inf" else "<": [x, 0.0]}]}
    op = ">=" if kind == "+big" else "<="
    return {"&&": [{"impute.isnum": x}, {op: [x, lit_double(refused.bound(kind))]}]}


def _what(kind: str, refused: Refusals) -> str:
    if kind not in BIG:
        return _WHAT[kind]
    bound = refused.bound(kind)
    if abs(bound) == FLOAT32_OVERFLOW:
        return "a value too large for float32"
    return f"a value {'at or above' if bound > 0 else 'at or below'} {bound!r}"


def _message(col: Column, kind: str, refused: Refusals) -> str:
    source = f" (column {col.source!r})" if col.source and col.source != col.name else ""
    reason = refused.kinds[kind]
    reason = reason if len(reason) <= 160 else reason[:157] + "..."
    return f"input field {col.name!r}{source} holds {_what(kind, refused)}, which the " \
           f"pipeline refuses: {reason}"
