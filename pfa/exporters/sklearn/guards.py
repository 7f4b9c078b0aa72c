"""The document's refusal of the numbers sklearn refuses (see :mod:`.probe`).

One cheap screen per row (the sum of the guarded values is finite, and their extremes fit
in float32 where that matters); only a row that fails it is checked column by column, and the
first offending column raises a PFA user error naming the field and the original column.
"""

from __future__ import annotations

from typing import Any

from pfa.exporters.builder import ARRAY_DOUBLE, DocumentBuilder, Vector, lit_double
from pfa.exporters.sklearn.probe import FLOAT32_OVERFLOW, Refusals, step_refusals
from pfa.exporters.table import Column, bind_array

#: user error code of an input value the fitted pipeline refuses
REFUSED_CODE = -101

_WHAT = {"nan": "a missing value (NaN or null)", "+inf": "an infinite value",
         "-inf": "an infinite value", "+big": "a value too large for float32",
         "-big": "a value too large for float32"}
_KINDS = tuple(_WHAT)
_BIG = ("+big", "-big")


def guard(b: DocumentBuilder, columns: list[tuple[Column, Any]],
          refused: list[Refusals]) -> None:
    """Add the check of ``columns`` (each a column and its double expression, null as NaN)
    to the action, refusing per column the kinds in ``refused``."""
    checked = [(c, v, r) for (c, v), r in zip(columns, refused) if r.kinds]
    if not checked:
        return
    values = {"new": [v for _, v, _ in checked], "type": ARRAY_DOUBLE}
    arr = bind_array(b, "features", values)
    screen: Any = {"impute.isnum": {"a.sum": [arr]}}
    if any(k in r.kinds for _, _, r in checked for k in _BIG):
        screen = {"&&": [screen, {"&&": [{"<": [{"a.max": [arr]}, FLOAT32_OVERFLOW]},
                                          {">": [{"a.min": [arr]}, -FLOAT32_OVERFLOW]}]}]}
    clauses = []
    for k, (col, _, r) in enumerate(checked):
        x = {"attr": arr, "path": [k]}
        for kind in _KINDS:
            if kind in r.kinds:
                clauses.append({"if": _test(kind, x), "then": {
                    "error": _message(col, kind, r.kinds[kind]), "code": REFUSED_CODE}})
    b.steps.append({"if": {"!": screen}, "then": {"cond": clauses}})


def guard_vector(b: DocumentBuilder, est: Any, vec: Vector, place: str) -> None:
    """Refuse what the step ``est`` refuses in the array the steps before it made (e.g. a NaN
    from ``np.log`` of a negative number reaching a LogisticRegression)."""
    kinds = step_refusals(est, vec.size)
    if not kinds:
        return
    screen: Any = {"impute.isnum": {"a.sum": [vec.expr]}}
    if any(k in kinds for k in _BIG):
        screen = {"&&": [screen, {"&&": [{"<": [{"a.max": [vec.expr]}, FLOAT32_OVERFLOW]},
                                          {">": [{"a.min": [vec.expr]}, -FLOAT32_OVERFLOW]}]}]}
    tests = [_test(k, "v") for k in _KINDS if k in kinds]
    test = tests[-1]
    for t in reversed(tests[:-1]):
        test = {"||": [t, test]}
    bad = {"a.any": [vec.expr, {"params": [{"v": "double"}], "ret": "boolean", "do": test}]}
    what = " or ".join(dict.fromkeys(_WHAT[k] for k in _KINDS if k in kinds))
    reason = next(iter(kinds.values()))
    reason = reason if len(reason) <= 160 else reason[:157] + "..."
    message = (f"{type(est).__name__} at {place} receives {what} from the steps before it, "
               f"which sklearn refuses: {reason}")
    b.steps.append({"if": {"!": screen}, "then": {
        "if": bad, "then": {"error": message, "code": REFUSED_CODE}}})


def _test(kind: str, x: Any) -> Any:
    """Whether the double ``x`` is of ``kind`` (PFA orders NaN above every number, so the
    comparisons exclude NaN and infinities explicitly)."""
    if kind == "nan":
        return {"impute.isnan": x}
    if kind in ("+inf", "-inf"):
        return {"&&": [{"impute.isinf": x}, {">" if kind == "+inf" else "<": [x, 0.0]}]}
    if kind == "+big":
        return {"&&": [{"impute.isnum": x}, {">=": [x, lit_double(FLOAT32_OVERFLOW)]}]}
    return {"&&": [{"impute.isnum": x}, {"<=": [x, lit_double(-FLOAT32_OVERFLOW)]}]}


def _message(col: Column, kind: str, reason: str) -> str:
    source = f" (column {col.source!r})" if col.source and col.source != col.name else ""
    reason = reason if len(reason) <= 160 else reason[:157] + "..."
    return f"input field {col.name!r}{source} holds {_WHAT[kind]}, which the pipeline " \
           f"refuses: {reason}"
