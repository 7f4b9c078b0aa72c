"""Which unusual numbers the fitted pipeline refuses, column by column.

sklearn validates its input inside each step (``check_array``): most estimators refuse NaN
and infinities, some accept NaN (imputers, scalers, trees, HistGradientBoosting), and those
that work in float32 refuse values too large for float32. Rather than re-deriving those rules
for every pipeline shape, the exporter asks the fitted pipeline: it scores a row the pipeline
accepts with one column at a time set to NaN, ±inf and ±1e300, and records which of those
make sklearn raise. The document then refuses exactly those values (a PFA error naming the
column) and declares a numeric field nullable exactly when a missing value is accepted.

Where a large value starts being refused depends on what the steps do with it: a tree refuses
what overflows float32 in *its* input (after a TruncatedSVD scaled it), k-nearest neighbours
only a value whose squared distance overflows (about 1.3e154). So a refused ±1e300 is followed
by a test of the float32 overflow and the double just below it; when that is not where sklearn
starts refusing, the bound is *pending* (:attr:`Refusals.pending`): the refusing step sees a
transformed value and guards its own input, unless some step reads the input unguarded — then
a bisection over the doubles between the row's own value and ±1e300 finds the bound.
"""

from __future__ import annotations

import contextlib
import functools
import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from pfa.exporters.table import Column

#: the value of each probe kind (a sign matters: np.log1p takes 1e300 but not -1e300)
PROBES = {"nan": math.nan, "+inf": math.inf, "-inf": -math.inf, "+big": 1e300, "-big": -1e300}
#: the smallest magnitude numpy rounds to infinity when it casts a double to float32
FLOAT32_OVERFLOW = 2.0**128 - 2.0**103
#: the probe kinds of a large finite value, whose refusal starts at a bisected bound
BIG = ("+big", "-big")


@dataclass
class Refusals:
    """For one numeric column, the probe kinds sklearn refuses and the message it gives; for
    ``+big`` (``-big``) the smallest (largest) value sklearn refuses, found by bisection."""

    kinds: dict[str, str] = field(default_factory=dict)
    bounds: dict[str, float] = field(default_factory=dict)
    #: kinds whose bound is not the float32 overflow: a bisection finding it, run on demand
    pending: dict[str, Callable[[], float]] = field(default_factory=dict)

    def settled(self) -> Refusals:
        """The pending kinds with their bisected bounds (and nothing else)."""
        return Refusals({k: self.kinds[k] for k in self.pending},
                        {k: find() for k, find in self.pending.items()})

    @property
    def accepts_missing(self) -> bool:
        return "nan" not in self.kinds

    def bound(self, kind: str) -> float:
        """Where the refusal of ``kind`` (``+big`` or ``-big``) starts."""
        return self.bounds.get(kind, FLOAT32_OVERFLOW if kind == "+big" else -FLOAT32_OVERFLOW)


def refusals(est: Any, columns: list[Column], sample: Any = None) -> list[Refusals] | None:
    """Per column, what the fitted pipeline refuses; ``None`` when no row could be found
    that the pipeline scores (the caller then keeps its guess from the tags)."""
    dtypes = _nullable_dtypes(columns, sample)
    base = _base_row(est, columns, sample, dtypes)
    if base is None:
        return None
    out = [Refusals() for _ in columns]
    numeric = [i for i, c in enumerate(columns) if c.kind == "number"]
    for kind, value in PROBES.items():
        for i, msg in _failing(est, columns, base, numeric, value, dtypes).items():
            out[i].kinds[kind] = msg
            if kind in BIG:
                def accepts(v: float, i: int = i) -> bool:
                    return _score(est, columns, [_with(base, i, v)], dtypes) is None
                if _refused_at_float32(accepts, value):
                    out[i].bounds[kind] = math.copysign(FLOAT32_OVERFLOW, value)
                else:
                    out[i].pending[kind] = functools.partial(
                        refused_from, accepts, float(base[i]), value)
    return out


def _refused_at_float32(accepts: Any, refused: float) -> bool:
    """Whether sklearn starts refusing exactly at the float32 overflow (a float32 step reads
    the value as it is)."""
    edge = math.copysign(FLOAT32_OVERFLOW, refused)
    return not accepts(edge) and accepts(float(np.nextafter(edge, 0.0)))


def _with(row: list[Any], i: int, value: Any) -> list[Any]:
    row = list(row)
    row[i] = value
    return row


def _order_key(x: float) -> int:
    """An integer that orders doubles as numbers do (consecutive doubles: consecutive keys)."""
    bits = int(np.array(x, dtype=np.float64).view(np.int64))
    return bits if bits >= 0 else -(bits & 0x7FFF_FFFF_FFFF_FFFF)


def _from_key(k: int) -> float:
    bits = k if k >= 0 else (-k) | (1 << 63)
    return float(np.array(bits, dtype=np.uint64).view(np.float64))


def refused_from(accepts: Any, accepted: float, refused: float) -> float:
    """The refused value nearest to ``accepted`` between ``accepted`` and ``refused``
    (``accepts(v)`` scores ``v``): the bound where sklearn starts refusing, assuming it refuses
    everything beyond. The float32 overflow is tried first (what a float32 step refuses)."""
    if math.isnan(accepted) or math.isinf(accepted):
        accepted = 0.0
    lo, hi = _order_key(accepted), _order_key(refused)
    edge = math.copysign(FLOAT32_OVERFLOW, refused)
    if min(lo, hi) < _order_key(edge) < max(lo, hi):
        if accepts(edge):
            lo = _order_key(edge)
        else:
            hi = _order_key(edge)
            before = hi - 1 if hi > lo else hi + 1
            if before == lo or accepts(_from_key(before)):
                return edge
            hi = before
    while abs(hi - lo) > 1:
        mid = (lo + hi) // 2
        if accepts(_from_key(mid)):
            lo = mid
        else:
            hi = mid
    return _from_key(hi)


def _nullable_dtypes(columns: list[Column], sample: Any) -> dict[int, Any]:
    """Column index → the sample's pandas extension dtype (``Int64``, ``Float64``,
    ``boolean``) for the columns whose missing value is ``pd.NA``: sklearn treats pd.NA unlike
    NaN (a ColumnTransformer refuses it in a passthrough column), so the probe scores such a
    column in its own dtype."""
    if sample is None or not hasattr(sample, "dtypes"):
        return {}
    import pandas as pd

    out = {}
    for i, c in enumerate(columns):
        if c.kind == "number" and c.source in sample.columns:
            dtype = sample[c.source].dtype
            if getattr(dtype, "na_value", None) is pd.NA:
                out[i] = dtype
    return out


def _failing(est: Any, columns: list[Column], base: list[Any], idx: list[int],
             value: float, dtypes: dict[int, Any] | None = None) -> dict[int, str]:
    """The columns among ``idx`` where ``value`` makes the pipeline raise (bisection: one call
    when none does)."""
    if not idx:
        return {}
    rows = []
    for i in idx:
        row = list(base)
        row[i] = value
        rows.append(row)
    err = _score(est, columns, rows, dtypes)
    if err is None:
        return {}
    if len(idx) == 1:
        return {idx[0]: err}
    mid = len(idx) // 2
    return {**_failing(est, columns, base, idx[:mid], value, dtypes),
            **_failing(est, columns, base, idx[mid:], value, dtypes)}


def _score(est: Any, columns: list[Column], rows: list[list[Any]],
           dtypes: dict[int, Any] | None = None) -> str | None:
    """None when the pipeline scores ``rows``, else the first line of sklearn's error."""
    method = _method(est)
    if method is None:
        return None
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            method(_frame(est, columns, rows, dtypes or {}))
    except Exception as err:  # sklearn refuses the row: any error means the same to a user
        text = str(err).strip().splitlines()
        return text[0] if text else type(err).__name__
    return None


def _method(est: Any) -> Any:
    """The method whose result the document reproduces: ``transform`` when the last step
    converts as a transformer (a selector such as RFE has ``predict`` too), else ``predict``."""
    from pfa.exporters import registry

    target = est._est if isinstance(est, _StepView) else est
    last = target
    while hasattr(last, "steps"):
        steps = [s for _, s in last.steps if s is not None and not isinstance(s, str)]
        if not steps:
            break
        last = steps[-1]
    conv = registry.lookup("sklearn", last)
    if (conv is None or conv.role == "transformer") and hasattr(target, "transform"):
        return target.transform
    return getattr(target, "predict", None) or getattr(target, "transform", None)


def _frame(est: Any, columns: list[Column], rows: list[list[Any]],
           dtypes: dict[int, Any]) -> Any:
    names = getattr(est, "feature_names_in_", None)
    if names is None:
        dtype = object if any(c.kind == "string" for c in columns) else np.float64
        return np.array(rows, dtype=dtype)
    import pandas as pd

    data = {}
    for j, (name, col) in enumerate(zip(names, columns)):
        values = [r[j] for r in rows]
        data[name] = pd.Series(values, dtype=np.float64 if col.kind == "number" else object)
        if j in dtypes:
            # NaN becomes pd.NA; a value the dtype cannot hold (inf in Int64) stays float64
            with contextlib.suppress(TypeError, ValueError):
                data[name] = data[name].astype(dtypes[j])
    return pd.DataFrame(data)


def _base_row(est: Any, columns: list[Column], sample: Any,
              dtypes: dict[int, Any]) -> list[Any] | None:
    """A row the pipeline scores: from the sample if it has one, else built from what the
    encoders and imputers learned (their first category or statistic) and zeros."""
    candidates = []
    if sample is not None and hasattr(sample, "iloc"):
        names = [c.source for c in columns]
        if all(n in sample.columns for n in names):
            sub = sample[names].dropna().head(5)
            candidates.extend(_python_row(r) for r in sub.itertuples(index=False))
    candidates.append(_synthetic_row(est, columns))
    for row in candidates:
        if _score(est, columns, [row], dtypes) is None:
            return row
    return None


def _python_row(values: Any) -> list[Any]:
    return [v.item() if isinstance(v, np.generic) else v for v in values]


def _synthetic_row(est: Any, columns: list[Column]) -> list[Any]:
    learned = _learned_values(est)
    row: list[Any] = []
    for c in columns:
        v = learned.get(c.source)
        if v is None:
            v = 0.0 if c.kind == "number" else "a"
        row.append(v)
    return row


def _learned_values(est: Any) -> dict[str, Any]:
    """Column name → a value some encoder or imputer learned for it (first one found)."""
    from pfa.exporters.sklearn.inputs import learned_per_column

    out: dict[str, Any] = {}
    learned = learned_per_column(est)  # an encoder's category first: it is valid everywhere
    learned.sort(key=lambda t: not hasattr(t[1], "categories_"))
    for name, _, values in learned:
        known = [v.item() if isinstance(v, np.generic) else v for v in values
                 if not (v is None or (isinstance(v, float) and math.isnan(v)))]
        if known:
            out.setdefault(name, known[0])
    return out


def step_refusals(est: Any, n_features: int, bounds: bool = True) -> Refusals:
    """The probe kinds one fitted step refuses in the array it receives (probed on a row of
    zeros, feature 0 changed); none when a row of zeros is refused too (nothing to learn).
    ``bounds`` finds where the refusal of large values starts (else left at float32)."""
    cols = [Column(f"x{i}", None) for i in range(n_features)]
    plain = _StepView(est)
    base = [0.0] * n_features
    out = Refusals()
    if n_features == 0 or _score(plain, cols, [base]) is not None:
        return out
    for kind, value in PROBES.items():
        err = _score(plain, cols, [_with(base, 0, value)])
        if err is not None:
            out.kinds[kind] = err
            if kind in BIG and bounds:
                out.bounds[kind] = refused_from(
                    lambda v: _score(plain, cols, [_with(base, 0, v)]) is None, 0.0, value)
    return out


class _StepView:
    """A step fed arrays (its column names hidden, so the probe frame is an array)."""

    feature_names_in_ = None

    def __init__(self, est: Any):
        self._est = est
