"""The document's refusal of the numbers sklearn refuses (see :mod:`.probe`).

One cheap screen per row (the sum of the guarded values is finite, and their extremes fit
in float32 where that matters); only a row that fails it is checked column by column, and the
first offending column raises a PFA user error naming the field and the original column.
"""

from __future__ import annotations

from typing import Any

from pfa.exporters.builder import ARRAY_DOUBLE, DocumentBuilder, Vector, lit_double
from pfa.exporters.sklearn.data import Column, bind_array
from pfa.exporters.sklearn.probe import FLOAT32_OVERFLOW, Refusals, step_refusals

#: user error code of an input value the fitted pipeline refuses
REFUSED_CODE = -101

_WHAT = {"nan": "a missing value (NaN or null)", "inf": "an infinite value",
         "big": "a value too large for float32"}


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
    if any("big" in r.kinds for _, _, r in checked):
        screen = {"&&": [screen, {"&&": [{"<": [{"a.max": [arr]}, FLOAT32_OVERFLOW]},
                                          {">": [{"a.min": [arr]}, -FLOAT32_OVERFLOW]}]}]}
    clauses = []
    for k, (col, _, r) in enumerate(checked):
        x = {"attr": arr, "path": [k]}
        for kind in ("nan", "inf", "big"):
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
    if "big" in kinds:
        screen = {"&&": [screen, {"&&": [{"<": [{"a.max": [vec.expr]}, FLOAT32_OVERFLOW]},
                                          {">": [{"a.min": [vec.expr]}, -FLOAT32_OVERFLOW]}]}]}
    tests = [_test(k, "v") for k in ("nan", "inf", "big") if k in kinds]
    bad = {"a.any": [vec.expr, {"params": [{"v": "double"}], "ret": "boolean",
                                "do": tests[0] if len(tests) == 1 else {"||": tests[:2]}
                                if len(tests) == 2 else {"||": [tests[0], {"||": tests[1:]}]}}]}
    what = " or ".join(_WHAT[k] for k in ("nan", "inf", "big") if k in kinds)
    reason = next(iter(kinds.values()))
    reason = reason if len(reason) <= 160 else reason[:157] + "..."
    message = (f"{type(est).__name__} at {place} receives {what} from the steps before it, "
               f"which sklearn refuses: {reason}")
    b.steps.append({"if": {"!": screen}, "then": {
        "if": bad, "then": {"error": message, "code": REFUSED_CODE}}})


def _test(kind: str, x: Any) -> Any:
    if kind == "nan":
        return {"impute.isnan": x}
    if kind == "inf":
        return {"impute.isinf": x}
    # (PFA orders NaN above every number, so NaN is excluded explicitly)
    return {"&&": [{"!": {"impute.isnan": x}},
                   {">=": [{"m.abs": x}, lit_double(FLOAT32_OVERFLOW)]}]}


def _message(col: Column, kind: str, reason: str) -> str:
    source = f" (column {col.source!r})" if col.source and col.source != col.name else ""
    reason = reason if len(reason) <= 160 else reason[:157] + "..."
    return f"input field {col.name!r}{source} holds {_WHAT[kind]}, which the pipeline " \
           f"refuses: {reason}"
