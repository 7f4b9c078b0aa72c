"""Array manipulation library (``a.*``).

Arrays are Python lists and are never modified: every function builds a new list. Ordering
("Avro's sort order") comes from :func:`pfa.lib._compare.compare_for`, resolved once per call
site from the item type; ``...LT`` variants order by the user's ``lessThan`` function instead.
Element equality (search, set-like functions, ``a.distinct``, ``a.mode``) is structural
equality of engine values in which numbers compare by value, a boolean never equals a number
and NaN equals NaN.

Functions whose result can be much larger than their arguments (``a.combinations``,
``a.permutations``, ``a.slidingWindow``, ``a.flatten``, ``a.flatMap``, ``a.concat``) reserve
its size in the engine's budget before building it, and the long generators look at the
routine's deadline as they go (:mod:`pfa.runtime.budget`).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable
from functools import cmp_to_key
from typing import Any

import numpy as np

from pfa.avro.types import AvroArray, AvroType
from pfa.document import ast as A
from pfa.lib._compare import compare_for
from pfa.lib.numeric import capped_comb, range_checker, rounder
from pfa.lib.registry import CallSite, batch, batch_call, error, scalar, specialized
from pfa.lib.s import slice_bounds
from pfa.runtime.batch_forms import BatchCompiler, Kernel, LoopHint, fcn_param_type
from pfa.runtime.budget import CONTAINER, SLOT, budget_of
from pfa.runtime.columns import (
    Arr,
    Const,
    NotVectorized,
    dense,
    dtype_of,
    elements,
    f32_col,
    filler,
    from_py,
    kind,
    number_cmp,
    seq_sum,
    stack_results,
    take,
    to_py,
)

Cmp = Callable[[Any, Any], int]
LessThan = Callable[[Any, Any], bool]

_NAN_KEY = ("nan",)


def value_key(v: Any) -> Any:
    """A hashable key with ``value_key(x) == value_key(y)`` iff engine values x, y are equal."""
    if v is None:
        return None
    if isinstance(v, bool):
        return ("b", v)
    if isinstance(v, int | float):  # an int promoted to a double equals that double
        return _NAN_KEY if v != v else ("n", v)
    if isinstance(v, str | bytes):
        return v
    if isinstance(v, list):
        return ("a", tuple(value_key(x) for x in v))
    if isinstance(v, dict):
        return ("m", tuple(sorted((k, value_key(x)) for k, x in v.items())))
    return ("?", v)


def item_type(site: CallSite, arg: int = 0) -> AvroType:
    """The item type of array argument ``arg`` (label ``A`` when bound)."""
    bound = site.labels.get("A") if arg == 0 else None
    if bound is not None:
        return bound
    t = site.arg_types[arg]
    return t.items if isinstance(t, AvroArray) else t


def lt_cmp(lt: LessThan) -> Cmp:
    """A three-way comparator from a strict ``lessThan`` function."""
    return lambda x, y: -1 if lt(x, y) else (1 if lt(y, x) else 0)


def _nonempty(a: list, code: int) -> None:
    if not a:
        raise error(code)


def _index_in_range(length: int, index: int, code: int, *, upto: bool = False) -> int:
    """Normalize a Python-style index; raise "index out of range" if it is outside the array
    (``upto`` also allows ``length``, the position after the last item)."""
    norm = index + length if index < 0 else index
    if not 0 <= norm < length + (1 if upto else 0):
        raise error(code)
    return norm


# ------------------------------------------------------------------------------ basic access

@scalar("a.len")
def a_len(a: list) -> int:
    return len(a)


@scalar("a.subseq")
def a_subseq(a: list, start: int, end: int) -> list:
    return a[start:end]


@scalar("a.head")
def a_head(a: list) -> Any:
    _nonempty(a, 15020)
    return a[0]


@scalar("a.tail")
def a_tail(a: list) -> list:
    _nonempty(a, 15030)
    return a[1:]


@scalar("a.last")
def a_last(a: list) -> Any:
    _nonempty(a, 15040)
    return a[-1]


@scalar("a.init")
def a_init(a: list) -> list:
    _nonempty(a, 15050)
    return a[:-1]


@scalar("a.subseqto")
def a_subseqto(a: list, start: int, end: int, replacement: list) -> list:
    lo, hi = slice_bounds(len(a), start, end)
    return a[:lo] + list(replacement) + a[hi:]


# ------------------------------------------------------------------------ search and replace

def _find_slice(keys: list, needle: list, start: int = 0) -> int:
    m = len(needle)
    for i in range(start, len(keys) - m + 1):
        if keys[i:i + m] == needle:
            return i
    return -1


def _rfind_slice(keys: list, needle: list) -> int:
    m = len(needle)
    for i in range(len(keys) - m, -1, -1):
        if keys[i:i + m] == needle:
            return i
    return -1


def _count_slice(keys: list, needle: list) -> int:
    """Occurrences of the sub-array ``needle``, overlapping ones included."""
    if not needle:
        return 0
    total, i = 0, _find_slice(keys, needle)
    while i >= 0:
        total += 1
        i = _find_slice(keys, needle, i + 1)  # overlapping matches count (as titus2)
    return total


def _searcher(name: str, by_slice: Callable[[list, list], Any],
              by_pred: Callable[[list, Callable[[Any], bool]], Any]) -> None:
    """Register a search function with the three signatures: sub-array, item, predicate."""

    def factory(site: CallSite) -> Callable[[list, Any], Any]:
        if site.sig_index == 2:
            return lambda haystack, fcn: by_pred(haystack, fcn)
        if site.sig_index == 0:
            return lambda haystack, needle: by_slice(
                [value_key(x) for x in haystack], [value_key(x) for x in needle])
        return lambda haystack, needle: by_slice([value_key(x) for x in haystack],
                                                 [value_key(needle)])

    specialized(name)(factory)


def _first_true(a: list, fcn: Callable[[Any], bool]) -> int:
    return next((i for i, x in enumerate(a) if fcn(x)), -1)


def _last_true(a: list, fcn: Callable[[Any], bool]) -> int:
    return next((i for i in range(len(a) - 1, -1, -1) if fcn(a[i])), -1)


_searcher("a.contains", lambda k, n: _find_slice(k, n) >= 0, lambda a, f: _first_true(a, f) >= 0)
_searcher("a.count", _count_slice, lambda a, f: sum(1 for x in a if f(x)))
_searcher("a.index", _find_slice, _first_true)
_searcher("a.rindex", _rfind_slice, _last_true)


def _ends(name: str, at_start: bool) -> None:
    def factory(site: CallSite) -> Callable[[list, Any], bool]:
        def run(haystack: list, needle: Any) -> bool:
            items = needle if site.sig_index == 0 else [needle]
            m = len(items)
            if m > len(haystack):
                return False
            part = haystack[:m] if at_start else haystack[len(haystack) - m:]
            return [value_key(x) for x in part] == [value_key(x) for x in items]

        return run

    specialized(name)(factory)


_ends("a.startswith", True)
_ends("a.endswith", False)


# ------------------------------------------------------------------------------ manipulation

@specialized("a.concat")
def a_concat(site: CallSite) -> Callable[[list, list], list]:
    budget = budget_of(site)

    def concat(a: list, b: list) -> list:
        budget.reserve_items(len(a) + len(b), "a.concat")
        return a + b
    return concat


@scalar("a.append")
def a_append(a: list, item: Any) -> list:
    return [*a, item]


@scalar("a.cycle")
def a_cycle(a: list, item: Any, max_length: int) -> list:
    """Append ``item`` and keep only the last ``max_length`` items."""
    if max_length < 0:
        raise error(15150)
    out = [*a, item]
    return out[len(out) - max_length:] if max_length else []


@scalar("a.insert")
def a_insert(a: list, index: int, item: Any) -> list:
    """Insert before ``index`` (negative counts from the right; ``len(a)`` appends)."""
    i = _index_in_range(len(a), index, 15160, upto=True)
    return [*a[:i], item, *a[i:]]


@scalar("a.replace")
def a_replace(a: list, index: int, item: Any) -> list:
    i = _index_in_range(len(a), index, 15170)
    return [*a[:i], item, *a[i + 1:]]


@specialized("a.remove")
def a_remove(site: CallSite) -> Callable[..., list]:
    """Remove a slice ``[start:end]`` (signature 0) or one ``index`` (signature 1)."""
    if site.sig_index == 0:

        def remove_slice(a: list, start: int, end: int) -> list:
            lo, hi = slice_bounds(len(a), start, end)
            return a[:lo] + a[hi:]

        return remove_slice

    def remove_index(a: list, index: int) -> list:
        i = _index_in_range(len(a), index, 15180)
        return a[:i] + a[i + 1:]

    return remove_index


@scalar("a.rotate")
def a_rotate(a: list, steps: int) -> list:
    """Rotate left by ``steps``."""
    if steps < 0:
        raise error(15190)
    if not a:
        return []
    k = steps % len(a)
    return a[k:] + a[:k]


# -------------------------------------------------------------------------------- reordering

@specialized("a.sort")
def a_sort(site: CallSite) -> Callable[[list], list]:
    key = cmp_to_key(compare_for(item_type(site)))
    return lambda a: sorted(a, key=key)


@scalar("a.sortLT")
def a_sort_lt(a: list, lt: LessThan) -> list:
    return sorted(a, key=cmp_to_key(lt_cmp(lt)))


@specialized("a.shuffle")
def a_shuffle(site: CallSite) -> Callable[[list], list]:
    """A random permutation drawn from the engine's generator."""

    def run(a: list) -> list:
        out = list(a)
        site.context.rng.shuffle(out)
        return out

    return run


@scalar("a.reverse")
def a_reverse(a: list) -> list:
    return a[::-1]


# ---------------------------------------------------------------------------- extreme values

def _argbest(a: list, cmp: Cmp, sign: int) -> int:
    """Index of the first maximal (sign 1) or minimal (sign -1) item."""
    best = 0
    for i in range(1, len(a)):
        if sign * cmp(a[i], a[best]) > 0:
            best = i
    return best


def _argbest_n(a: list, n: int, cmp: Cmp, sign: int) -> list[int]:
    """Indexes of the ``n`` best items, best first; ties in ascending index order."""
    order = sorted(range(len(a)), key=cmp_to_key(lambda i, j: sign * -cmp(a[i], a[j]) or i - j))
    return order[:n]


def _extreme(name: str, code: int, sign: int, *, lt: bool, arg: bool, top_n: bool) -> None:
    """Register one of the max/min/argmax/argmin families (with or without N, LT)."""

    def factory(site: CallSite) -> Callable[..., Any]:
        fixed_cmp = None if lt else compare_for(item_type(site))

        def run(a: list, *rest: Any) -> Any:
            if top_n:
                n = rest[0]
                _nonempty(a, code)
                if n < 0:
                    raise error(code + 1)
            else:
                _nonempty(a, code)
            cmp = lt_cmp(rest[-1]) if lt else fixed_cmp
            if top_n:
                idx = _argbest_n(a, n, cmp, sign)
                return idx if arg else [a[i] for i in idx]
            i = _argbest(a, cmp, sign)
            return i if arg else a[i]

        return run

    specialized(name)(factory)


_EXTREMES = [
    # name, code, sign, lt, arg, top_n
    ("a.max", 15240, 1, False, False, False),
    ("a.min", 15250, -1, False, False, False),
    ("a.maxLT", 15260, 1, True, False, False),
    ("a.minLT", 15270, -1, True, False, False),
    ("a.maxN", 15280, 1, False, False, True),
    ("a.minN", 15290, -1, False, False, True),
    ("a.maxNLT", 15300, 1, True, False, True),
    ("a.minNLT", 15310, -1, True, False, True),
    ("a.argmax", 15320, 1, False, True, False),
    ("a.argmin", 15330, -1, False, True, False),
    ("a.argmaxLT", 15340, 1, True, True, False),
    ("a.argminLT", 15350, -1, True, True, False),
    ("a.argmaxN", 15360, 1, False, True, True),
    ("a.argminN", 15370, -1, False, True, True),
    ("a.argmaxNLT", 15380, 1, True, True, True),
    ("a.argminNLT", 15390, -1, True, True, True),
]
for _name, _code, _sign, _lt, _arg, _n in _EXTREMES:
    _extreme(_name, _code, _sign, lt=_lt, arg=_arg, top_n=_n)


# ---------------------------------------------------------------------- numerical combinations

def _type_name(site: CallSite) -> str:
    return item_type(site).name


@specialized("a.sum")
def a_sum(site: CallSite) -> Callable[[list], Any]:
    """Sum (zero if empty); int/long results are range-checked, floats rounded to float32."""
    kind = _type_name(site)
    if kind in ("int", "long"):
        check = range_checker(kind, 15400, 15401)
        return lambda a: check(sum(a))
    fix = rounder(kind)
    return lambda a: fix(_fsum_sequential(a))


@specialized("a.product")
def a_product(site: CallSite) -> Callable[[list], Any]:
    """Product (one if empty); int/long results are range-checked, floats rounded."""
    kind = _type_name(site)
    if kind in ("int", "long"):
        check = range_checker(kind, 15410, 15411)
        return lambda a: check(math.prod(a))
    fix = rounder(kind)

    def run(a: list) -> float:
        out = 1.0
        for x in a:
            out *= x
        return fix(out)

    return run


def _fsum_sequential(a: Iterable[float]) -> float:
    """Left-to-right IEEE sum (inf - inf gives NaN rather than an exception)."""
    out = 0.0
    for x in a:
        out += x
    return out


def _ln(x: float) -> float:
    if x != x or x < 0:
        return math.nan
    if x == 0:
        return -math.inf
    return math.log(x)


@scalar("a.lnsum")
def a_lnsum(a: list[float]) -> float:
    """Sum of natural logarithms; NaN if any value is zero or negative."""
    if any(not x > 0 for x in a):
        return math.nan
    return _fsum_sequential(math.log(x) for x in a)


@scalar("a.mean")
def a_mean(a: list[float]) -> float:
    return _fsum_sequential(a) / len(a) if a else math.nan


@scalar("a.geomean")
def a_geomean(a: list[float]) -> float:
    """n-th root of the product (NaN if empty or any value is negative or NaN)."""
    if not a:
        return math.nan
    return math.exp(_fsum_sequential(_ln(x) for x in a) / len(a))


def _median_of(sorted_items: list, numeric: bool, fix: Callable[[float], float]) -> Any:
    n = len(sorted_items)
    half = n // 2
    if n % 2:
        return sorted_items[half]
    if numeric:
        return fix((sorted_items[half - 1] + sorted_items[half]) / 2.0)
    return sorted_items[half - 1]


def _sorter(site: CallSite) -> tuple[Any, bool, Callable[[float], float]]:
    t = item_type(site)
    numeric = t.name in ("float", "double")
    return cmp_to_key(compare_for(t)), numeric, rounder(t.name)


@specialized("a.median")
def a_median(site: CallSite) -> Callable[[list], Any]:
    """Center of the sorted array; for float/double the mean of the two central items."""
    key, numeric, fix = _sorter(site)

    def run(a: list) -> Any:
        _nonempty(a, 15450)
        return _median_of(sorted(a, key=key), numeric, fix)

    return run


@specialized("a.ntile")
def a_ntile(site: CallSite) -> Callable[[list, float], Any]:
    """The ``p``-quantile with linear interpolation between order statistics (float/double)
    or the lower of the two neighbours (other types)."""
    key, numeric, fix = _sorter(site)

    def run(a: list, p: float) -> Any:
        _nonempty(a, 15460)
        if p != p:
            raise error(15461)
        s = sorted(a, key=key)
        if p >= 1.0:
            return s[-1]
        if p <= 0.0:
            return s[0]
        k = (len(s) - 1) * p
        lo = math.floor(k)
        hi = min(lo + 1, len(s) - 1)
        frac = k - lo
        if frac == 0.0 or lo == hi:
            return s[lo]
        if numeric:
            return fix(s[lo] + (s[hi] - s[lo]) * frac)
        return s[lo]

    return run


@specialized("a.mode")
def a_mode(site: CallSite) -> Callable[[list], Any]:
    """Most common value; the median of the equally most common values on ties."""
    key, numeric, fix = _sorter(site)

    def run(a: list) -> Any:
        _nonempty(a, 15470)
        counts: dict[Any, int] = {}
        first: dict[Any, Any] = {}
        for x in a:
            k = value_key(x)
            counts[k] = counts.get(k, 0) + 1
            first.setdefault(k, x)
        top = max(counts.values())
        modes = [first[k] for k, c in counts.items() if c == top]
        return _median_of(sorted(modes, key=key), numeric, fix)

    return run


@scalar("a.logsumexp")
def a_logsumexp(a: list[float]) -> float:
    """log(sum(exp(x))) computed around the maximum; NaN if empty."""
    if not a:
        return math.nan
    if any(x != x for x in a):
        return math.nan
    top = max(a)
    if math.isinf(top):
        return top
    return top + math.log(_fsum_sequential(math.exp(x - top) for x in a))


# ---------------------------------------------------------------------------- set-like

def _distinct(items: Iterable[Any], exclude: set | None = None) -> list:
    seen = set() if exclude is None else set(exclude)
    out = []
    for x in items:
        k = value_key(x)
        if k not in seen:
            seen.add(k)
            out.append(x)
    return out


def _keys(a: list) -> set:
    return {value_key(x) for x in a}


@scalar("a.distinct")
def a_distinct(a: list) -> list:
    return _distinct(a)


@scalar("a.seteq")
def a_seteq(a: list, b: list) -> bool:
    return _keys(a) == _keys(b)


@scalar("a.union")
def a_union(a: list, b: list) -> list:
    return _distinct(itertools.chain(a, b))


@scalar("a.intersection")
def a_intersection(a: list, b: list) -> list:
    kb = _keys(b)
    return _distinct(x for x in a if value_key(x) in kb)


@scalar("a.diff")
def a_diff(a: list, b: list) -> list:
    return _distinct(a, exclude=_keys(b))


@scalar("a.symdiff")
def a_symdiff(a: list, b: list) -> list:
    ka, kb = _keys(a), _keys(b)
    return _distinct(a, exclude=kb) + _distinct(b, exclude=ka)


@scalar("a.subset")
def a_subset(little: list, big: list) -> bool:
    return _keys(little) <= _keys(big)


@scalar("a.disjoint")
def a_disjoint(a: list, b: list) -> bool:
    return _keys(a).isdisjoint(_keys(b))


# -------------------------------------------------------------------- functional programming

@scalar("a.map")
def a_map(a: list, fcn: Callable[[Any], Any]) -> list:
    return [fcn(x) for x in a]


@scalar("a.mapWithIndex")
def a_map_with_index(a: list, fcn: Callable[[int, Any], Any]) -> list:
    return [fcn(i, x) for i, x in enumerate(a)]


@scalar("a.filter")
def a_filter(a: list, fcn: Callable[[Any], bool]) -> list:
    return [x for x in a if fcn(x)]


@scalar("a.filterWithIndex")
def a_filter_with_index(a: list, fcn: Callable[[int, Any], bool]) -> list:
    return [x for i, x in enumerate(a) if fcn(i, x)]


@scalar("a.filterMap")
def a_filter_map(a: list, fcn: Callable[[Any], Any]) -> list:
    return [y for y in (fcn(x) for x in a) if y is not None]


@scalar("a.filterMapWithIndex")
def a_filter_map_with_index(a: list, fcn: Callable[[int, Any], Any]) -> list:
    return [y for y in (fcn(i, x) for i, x in enumerate(a)) if y is not None]


def _flatten_within(parts: Iterable[list], budget: Any, name: str) -> list:
    """The concatenation of ``parts``, reserving its size as it grows."""
    out: list = []
    room = (budget.value_limit - CONTAINER) // SLOT
    for part in parts:
        room -= len(part)
        if room < 0:
            budget.reserve_items(len(out) + len(part), name)
        out += part
    return out


@specialized("a.flatMap")
def a_flat_map(site: CallSite) -> Callable[[list, Callable[[Any], list]], list]:
    budget = budget_of(site)
    return lambda a, fcn: _flatten_within(map(fcn, a), budget, "a.flatMap")


@specialized("a.flatMapWithIndex")
def a_flat_map_with_index(site: CallSite) -> Callable[..., list]:
    budget = budget_of(site)
    return lambda a, fcn: _flatten_within(itertools.starmap(fcn, enumerate(a)), budget,
                                          "a.flatMapWithIndex")


def _aligned(arrays: tuple[list, ...], code: int) -> None:
    n = len(arrays[0]) if arrays else 0
    for x in arrays:
        if len(x) != n:
            raise error(code)


@scalar("a.zipmap")
def a_zipmap(*args: Any) -> list:
    """``fcn`` applied to items of 2–4 equally long arrays in lock-step."""
    *arrays, fcn = args
    _aligned(tuple(arrays), 15650)
    if len(arrays) == 2:
        a, b = arrays
        return [fcn(x, y) for x, y in zip(a, b)]
    if len(arrays) == 3:
        a, b, c = arrays
        return [fcn(x, y, z) for x, y, z in zip(a, b, c)]
    return [fcn(*row) for row in zip(*arrays)]


@scalar("a.zipmapWithIndex")
def a_zipmap_with_index(*args: Any) -> list:
    *arrays, fcn = args
    _aligned(tuple(arrays), 15660)
    return [fcn(i, *row) for i, row in enumerate(zip(*arrays))]


@scalar("a.reduce")
def a_reduce(a: list, fcn: Callable[[Any, Any], Any]) -> Any:
    """Left fold seeded with the first item: ``fcn(tally, item)``."""
    _nonempty(a, 15670)
    tally = a[0]
    for x in a[1:]:
        tally = fcn(tally, x)
    return tally


@scalar("a.reduceRight")
def a_reduce_right(a: list, fcn: Callable[[Any, Any], Any]) -> Any:
    """Right fold seeded with the last item: ``fcn(item, tally)``."""
    _nonempty(a, 15680)
    tally = a[-1]
    for x in reversed(a[:-1]):
        tally = fcn(x, tally)
    return tally


@scalar("a.fold")
def a_fold(a: list, zero: Any, fcn: Callable[[Any, Any], Any]) -> Any:
    tally = zero
    for x in a:
        tally = fcn(tally, x)
    return tally


@scalar("a.foldRight")
def a_fold_right(a: list, zero: Any, fcn: Callable[[Any, Any], Any]) -> Any:
    tally = zero
    for x in reversed(a):
        tally = fcn(x, tally)
    return tally


@scalar("a.takeWhile")
def a_take_while(a: list, fcn: Callable[[Any], bool]) -> list:
    return list(itertools.takewhile(fcn, a))


@scalar("a.dropWhile")
def a_drop_while(a: list, fcn: Callable[[Any], bool]) -> list:
    return list(itertools.dropwhile(fcn, a))


# -------------------------------------------------------------------------- functional tests

@scalar("a.any")
def a_any(a: list, fcn: Callable[[Any], bool]) -> bool:
    return any(fcn(x) for x in a)


@scalar("a.all")
def a_all(a: list, fcn: Callable[[Any], bool]) -> bool:
    return all(fcn(x) for x in a)


@scalar("a.corresponds")
def a_corresponds(a: list, b: list, fcn: Callable[[Any, Any], bool]) -> bool:
    return len(a) == len(b) and all(fcn(x, y) for x, y in zip(a, b))


@scalar("a.correspondsWithIndex")
def a_corresponds_with_index(a: list, b: list, fcn: Callable[[int, Any, Any], bool]) -> bool:
    return len(a) == len(b) and all(fcn(i, x, y) for i, (x, y) in enumerate(zip(a, b)))


# ----------------------------------------------------------------------------- restructuring

@specialized("a.slidingWindow")
def a_sliding_window(site: CallSite) -> Callable[[list, int, int], list[list]]:
    budget = budget_of(site)

    def sliding_window(a: list, size: int, step: int) -> list[list]:
        """Complete windows of ``size`` items starting every ``step`` items."""
        if size < 1:
            raise error(15770)
        if step < 1:
            raise error(15771)
        starts = range(0, len(a) - size + 1, step)
        budget.reserve_items(len(starts), "a.slidingWindow", CONTAINER + SLOT * size)
        return [a[i:i + size] for i in budget.paced(starts)]
    return sliding_window


def _all_of(groups: Iterable[tuple], count: int, size: int, budget: Any, name: str
            ) -> list[list]:
    """``count`` groups of ``size`` items as lists, reserved first, generated lazily and
    stopped at the deadline."""
    budget.reserve_items(count, name, CONTAINER + SLOT * size)
    return [list(g) for g in budget.paced(groups)]


@specialized("a.combinations")
def a_combinations(site: CallSite) -> Callable[[list, int], list[list]]:
    budget = budget_of(site)

    def combinations(a: list, size: int) -> list[list]:
        """All ``size``-item combinations, in lexicographic order of positions."""
        if size < 1:
            raise error(15780)
        count = capped_comb(len(a), size, budget.value_limit // SLOT)
        return _all_of(itertools.combinations(a, size), count, size, budget,
                       "a.combinations")
    return combinations


@specialized("a.permutations")
def a_permutations(site: CallSite) -> Callable[[list], list[list]]:
    budget = budget_of(site)

    def permutations(a: list) -> list[list]:
        """All orderings of ``a`` (by position, so equal items give repeated
        permutations)."""
        cap = budget.value_limit // SLOT
        count = 1
        for i in range(2, len(a) + 1):
            count *= i
            if count > cap:
                break
        return _all_of(itertools.permutations(a), count, len(a), budget, "a.permutations")
    return permutations


@specialized("a.flatten")
def a_flatten(site: CallSite) -> Callable[[list[list]], list]:
    budget = budget_of(site)
    room = (budget.value_limit - CONTAINER) // SLOT

    def flatten(a: list[list]) -> list:
        if sum(map(len, a)) > room:
            budget.reserve_items(sum(map(len, a)), "a.flatten")
        out: list = []
        for part in a:
            out += part
        return out
    return flatten


@scalar("a.groupby")
def a_groupby(a: list, fcn: Callable[[Any], str]) -> dict[str, list]:
    out: dict[str, list] = {}
    for x in a:
        out.setdefault(fcn(x), []).append(x)
    return out


# ---------------------------------------------------------------------- batch forms

@batch("a.len")
def _len_v(site: CallSite) -> Callable[..., Any]:
    def impl(env: Any, a: Any) -> Any:
        if isinstance(a, Arr):
            return np.full(env.n, a.data.shape[1], dtype=np.int64)
        raise NotVectorized("a.len of a ragged column")
    return impl


@batch("a.sum")
def _sum_v(site: CallSite) -> Callable[..., Any]:
    kind = _type_name(site)

    def impl(env: Any, a: Any) -> Any:
        if not isinstance(a, Arr) or a.data.ndim != 2:
            raise NotVectorized("a.sum of a ragged column")
        data = a.data
        if kind == "int":
            r = data.sum(axis=1)
            bad = (r < -(2**31)) | (r > 2**31 - 1)
            if bad.any():
                env.fail(bad, error(15400))
            return r
        if kind != "float" and kind != "double":
            raise NotVectorized("a.sum of longs")
        r = seq_sum([data[:, j] for j in range(data.shape[1])]) * np.ones(env.n)
        return f32_col(r) if kind == "float" else r
    return impl


def _vector_argbest(name: str, code: int, sign: int, arg: bool = True) -> None:
    """The batch form of ``a.argmax``/``a.argmin`` (``arg``) or ``a.max``/``a.min``: the first
    best element of each row, in the scalar forms' order (NaN above every number)."""
    @batch(name)
    def vfactory(site: CallSite) -> Callable[..., Any]:
        kind = item_type(site).name

        def impl(env: Any, a: Any) -> Any:
            if not isinstance(a, Arr) or a.data.ndim != 2 or kind not in (
                    "int", "long", "float", "double"):
                raise NotVectorized(f"{name} of this column")
            data = a.data
            n, k = data.shape
            best = np.zeros(n, dtype=np.int64)
            if k == 0:
                env.fail(np.ones(n, dtype=bool), error(code))
                return best if arg else np.zeros(n, dtype=data.dtype)
            top = data[:, 0]
            for j in range(1, k):
                x = data[:, j]
                c = number_cmp(x, top) if kind in ("float", "double") else \
                    np.where(x > top, 1, np.where(x < top, -1, 0))
                better = sign * c > 0
                best = np.where(better, j, best)
                top = np.where(better, x, top)
            return best if arg else top
        return impl


_vector_argbest("a.argmax", 15320, 1)
_vector_argbest("a.argmin", 15330, -1)
_vector_argbest("a.max", 15240, 1, arg=False)
_vector_argbest("a.min", 15250, -1, arg=False)


# ------------------------------------------------------------------ batch (whole-call) forms
# Forms with a function argument run the function once per array position over all rows of
# the batch (see pfa.runtime.batch_forms); a column they cannot handle (a ragged array …)
# sends the call to the scalar engine, row by row.

def _loop_items(hint: LoopHint, col: Any) -> None:
    hint.items = col.value if isinstance(col, Const) and type(col.value) is list else None
    hint.pos = -1


@batch_call("a.map")
def _map_b(vc: BatchCompiler, node: A.Call) -> Kernel:
    arr = vc.expr(node.args[0])
    at = node.args[0].type
    hint = LoopHint()
    fn = vc.inline(node.args[1], fcn_param_type(node, 1), (hint, 0))
    ret_item = node.type.items
    item_t = at.items
    fdef = node.args[1]
    whole_block = vc.kernel("map_function", node)
    # the function is just the walk of the element: all the trees' leaves at once
    whole_map = hint.whole is not None and len(fdef.body) == 1 and \
        fdef.body[0] is hint.whole[0] and fdef.body[0].type == ret_item

    def fast(env: Any) -> Any:
        col = arr(env)
        if whole_block is not None:
            block = whole_block(col)
            if block is not None:
                return block
        elems = elements(col, item_t, env.n)
        if elems is None:
            return None
        _loop_items(hint, col)
        if whole_map and hint.whole is not None and elems:
            hint.pos = 0
            try:
                out = fn.call(env, [elems[0]], [item_t], hint.whole[1])
            finally:
                hint.items = None
            if out is not None:
                return out
            _loop_items(hint, col)
        results = []
        try:
            for j, e in enumerate(elems):
                hint.pos = j
                results.append(fn.call(env, [e], [item_t]))
        finally:
            hint.items = None
        return stack_results(results, ret_item, env.n)
    return vc.with_fallback(node, fast)


@batch_call("a.zipmap")
def _zipmap_b(vc: BatchCompiler, node: A.Call) -> Kernel:
    arrays = [(vc.expr(a), a.type.items) for a in node.args[:-1]]
    fn = vc.inline(node.args[-1], fcn_param_type(node, len(node.args) - 1))
    ret_item = node.type.items

    def fast(env: Any) -> Any:
        per = [elements(k(env), t, env.n) for k, t in arrays]
        if any(p is None for p in per):
            return None
        if len({len(p) for p in per}) > 1:  # type: ignore[arg-type]
            env.fail(np.ones(env.n, dtype=bool), error(15650))
            return from_py([[]] * env.n, node.type)
        types = [t for _, t in arrays]
        results = [fn.call(env, list(cols), types) for cols in zip(*per)]  # type: ignore[misc]
        return stack_results(results, ret_item, env.n)
    return vc.with_fallback(node, fast)


@batch_call("a.fold")
def _fold_b(vc: BatchCompiler, node: A.Call) -> Kernel:
    arr = vc.expr(node.args[0])
    item_t = node.args[0].type.items
    zero_t = fn_t = node.type
    zero = vc.typed(node.args[1], zero_t)
    hint = LoopHint()
    fn = vc.inline(node.args[2], fcn_param_type(node, 2), (hint, 1))

    def fast(env: Any) -> Any:
        col = arr(env)
        elems = elements(col, item_t, env.n)
        if elems is None:
            return None
        tally = zero(env)
        _loop_items(hint, col)
        try:
            for j, e in enumerate(elems):
                hint.pos = j
                tally = fn.call(env, [tally, e], [fn_t, item_t])
        finally:
            hint.items = None
        return tally
    return vc.with_fallback(node, fast)


@batch_call("a.reduce")
def _reduce_b(vc: BatchCompiler, node: A.Call) -> Kernel:
    arr = vc.expr(node.args[0])
    item_t = node.args[0].type.items
    fn = vc.inline(node.args[1], fcn_param_type(node, 1))

    def fast(env: Any) -> Any:
        elems = elements(arr(env), item_t, env.n)
        if elems is None:
            return None
        if not elems:
            env.fail(np.ones(env.n, dtype=bool), error(15670))
            return Const(filler(node.type))
        tally = elems[0]
        for e in elems[1:]:
            tally = fn.call(env, [tally, e], [item_t, item_t])
        return tally
    return vc.with_fallback(node, fast)


def _any_all_b(is_any: bool) -> Callable[[BatchCompiler, A.Call], Kernel]:
    """``a.any``/``a.all`` on columns: the function runs on position ``j`` only for the rows
    still undecided after positions ``0 … j-1`` (the scalar form stops at the first decisive
    element, so later elements can neither be computed nor fail for that row)."""
    def form(vc: BatchCompiler, node: A.Call) -> Kernel:
        arr = vc.expr(node.args[0])
        item_t = node.args[0].type.items
        fn = vc.inline(node.args[1], fcn_param_type(node, 1))
        types = vc.scope_types()

        def fast(env: Any) -> Any:
            n = env.n
            elems = elements(arr(env), item_t, n)
            if elems is None:
                return None
            decided = np.zeros(n, dtype=bool)
            rest = np.arange(n)
            for e in elems:
                if not len(rest):
                    break
                whole = len(rest) == n
                child = env.sub(None if whole else rest)
                y = dense(fn.call(child, [e if whole else take(e, rest)], [item_t]),
                          child.n, bool)
                env.close(child, types)
                hit = y if is_any else ~y
                decided[rest[hit]] = True
                rest = rest[~hit]
            return decided if is_any else ~decided
        return vc.with_fallback(node, fast)
    return form


batch_call("a.any")(_any_all_b(True))
batch_call("a.all")(_any_all_b(False))


@batch_call("a.flatten")
def _flatten_b(vc: BatchCompiler, node: A.Call) -> Kernel:
    """``a.flatten`` of a ``new`` array of number arrays: the items' blocks side by side."""
    arg = node.args[0] if len(node.args) == 1 else None
    if not isinstance(arg, A.NewArray) or not isinstance(arg.avro_type.avro, AvroArray) or \
            kind(arg.avro_type.avro.items) != "arr":
        return vc.generic_call(node)
    item_t = arg.avro_type.avro.items
    items = tuple(vc.typed(e, item_t) for e in arg.items)
    out_t = node.type

    def flatten(env: Any) -> Any:
        n = env.n
        cols = [k(env) for k in items]
        blocks = []
        for c in cols:
            if isinstance(c, Arr) and c.data.ndim == 2:
                blocks.append(c.data)
            elif isinstance(c, Const) and type(c.value) is list and \
                    all(type(v) in (int, float) for v in c.value):
                blocks.append(np.broadcast_to(np.array(c.value, dtype=dtype_of(item_t)),
                                              (n, len(c.value))))
            else:
                blocks = None
                break
        if blocks is not None and blocks:
            return Arr(np.concatenate(blocks, axis=1))
        rows = zip(*[to_py(c, item_t, n) for c in cols]) if cols else ([] for _ in range(n))
        return from_py([[x for sub in row for x in sub] for row in rows], out_t)
    return flatten
