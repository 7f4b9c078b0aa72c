"""Map manipulation library (``map.*``).

Maps are Python dicts with string keys and are never modified: every function builds a new
dict. A *set* is a map from the base64-encoded Avro binary serialization of each item to the
item (``map.toset``, ``map.add`` with one item, ``map.in`` …). "Unordered" results (keys,
values, split, fromset) follow the dict's insertion order.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from functools import cmp_to_key
from typing import Any

from pfa.avro.data import encode_binary
from pfa.avro.types import AvroArray, AvroMap, AvroType
from pfa.lib._compare import compare_for
from pfa.lib.a import lt_cmp, value_key
from pfa.lib.registry import CallSite, batch, error, scalar, specialized
from pfa.runtime.budget import SMALL_MAP, budget_of
from pfa.runtime.column_maps import contains_key

Cmp = Callable[[Any, Any], int]


def value_type(site: CallSite, arg: int = 0) -> AvroType:
    """The value type of map argument ``arg`` (label ``A`` when bound)."""
    bound = site.labels.get("A")
    if bound is not None:
        return bound
    t = site.arg_types[arg]
    if isinstance(t, AvroMap):
        return t.values
    return t.items if isinstance(t, AvroArray) else t


def set_key(t: AvroType, item: Any) -> str:
    """The key of ``item`` in a set: base64 of its Avro binary encoding."""
    return base64.b64encode(encode_binary(t, item)).decode("ascii")


# ------------------------------------------------------------------------------ basic access

@scalar("map.len")
def map_len(m: dict) -> int:
    return len(m)


@scalar("map.keys")
def map_keys(m: dict) -> list[str]:
    return list(m)


@scalar("map.values")
def map_values(m: dict) -> list:
    return list(m.values())


@specialized("map.containsKey")
def map_contains_key(site: CallSite) -> Callable[[dict, Any], bool]:
    """A key (signature 0) or a predicate on keys (signature 1)."""
    if site.sig_index == 1:
        return lambda m, fcn: any(fcn(k) for k in m)
    return lambda m, key: key in m


@specialized("map.containsValue")
def map_contains_value(site: CallSite) -> Callable[[dict, Any], bool]:
    """A value (signature 0) or a predicate on values (signature 1)."""
    if site.sig_index == 1:
        return lambda m, fcn: any(fcn(v) for v in m.values())

    def run(m: dict, value: Any) -> bool:
        k = value_key(value)
        return any(value_key(v) == k for v in m.values())

    return run


# ------------------------------------------------------------------------------ manipulation

@specialized("map.add")
def map_add(site: CallSite) -> Callable[..., dict]:
    """Add ``key`` → ``value`` (signature 0) or an item to a set (signature 1)."""
    if site.sig_index == 0:
        return lambda m, key, value: {**m, key: value}
    t = value_type(site)
    return lambda m, item: {**m, set_key(t, item): item}


@scalar("map.remove")
def map_remove(m: dict, key: str) -> dict:
    return {k: v for k, v in m.items() if k != key}


@scalar("map.only")
def map_only(m: dict, keys: list[str]) -> dict:
    wanted = set(keys)
    return {k: v for k, v in m.items() if k in wanted}


@scalar("map.except")
def map_except(m: dict, keys: list[str]) -> dict:
    unwanted = set(keys)
    return {k: v for k, v in m.items() if k not in unwanted}


@scalar("map.update")
def map_update(base: dict, overlay: dict) -> dict:
    return {**base, **overlay}


@specialized("map.split")
def map_split(site: CallSite) -> Callable[[dict], list[dict]]:
    budget = budget_of(site)

    def split(m: dict) -> list[dict]:
        budget.reserve_items(len(m), "map.split", SMALL_MAP)
        return [{k: v} for k, v in m.items()]
    return split


@scalar("map.join")
def map_join(a: list[dict]) -> dict:
    out: dict = {}
    for m in a:
        out.update(m)
    return out


# ---------------------------------------------------------------------- extreme values by key

def _ranked_keys(m: dict, cmp: Cmp, sign: int) -> list[str]:
    """Keys ordered best value first (sign 1: highest), ties in lexicographic key order."""
    return sorted(m, key=cmp_to_key(lambda j, k: -sign * cmp(m[j], m[k])
                                     or (-1 if j < k else (1 if j > k else 0))))


def _best_key(m: dict, cmp: Cmp, sign: int) -> str:
    best = None
    for k in sorted(m):
        if best is None or sign * cmp(m[k], m[best]) > 0:
            best = k
    return best  # type: ignore[return-value]


def _extreme(name: str, code: int, sign: int, *, lt: bool, top_n: bool) -> None:
    """Register one of the map.argmax/argmin families (with or without N, LT)."""

    def factory(site: CallSite) -> Callable[..., Any]:
        fixed_cmp = None if lt else compare_for(value_type(site))

        def run(m: dict, *rest: Any) -> Any:
            if not m:
                raise error(code)
            cmp = lt_cmp(rest[-1]) if lt else fixed_cmp
            if not top_n:
                return _best_key(m, cmp, sign)
            n = rest[0]
            if n < 0:
                raise error(code + 1)
            return _ranked_keys(m, cmp, sign)[:n]

        return run

    specialized(name)(factory)


for _name, _code, _sign, _lt, _n in [
    ("map.argmax", 26120, 1, False, False),
    ("map.argmin", 26130, -1, False, False),
    ("map.argmaxLT", 26140, 1, True, False),
    ("map.argminLT", 26150, -1, True, False),
    ("map.argmaxN", 26160, 1, False, True),
    ("map.argminN", 26170, -1, False, True),
    ("map.argmaxNLT", 26180, 1, True, True),
    ("map.argminNLT", 26190, -1, True, True),
]:
    _extreme(_name, _code, _sign, lt=_lt, top_n=_n)


# ---------------------------------------------------------------------------------- sets

@specialized("map.toset")
def map_toset(site: CallSite) -> Callable[[list], dict]:
    t = value_type(site)
    return lambda a: {set_key(t, x): x for x in a}


@scalar("map.fromset")
def map_fromset(s: dict) -> list:
    return list(s.values())


@specialized("map.in")
def map_in(site: CallSite) -> Callable[[dict, Any], bool]:
    t = value_type(site)
    return lambda s, x: set_key(t, x) in s


@scalar("map.union")
def map_union(a: dict, b: dict) -> dict:
    return {**a, **b}


@scalar("map.intersection")
def map_intersection(a: dict, b: dict) -> dict:
    return {k: v for k, v in a.items() if k in b}


@scalar("map.diff")
def map_diff(a: dict, b: dict) -> dict:
    return {k: v for k, v in a.items() if k not in b}


@scalar("map.symdiff")
def map_symdiff(a: dict, b: dict) -> dict:
    out = {k: v for k, v in a.items() if k not in b}
    out.update((k, v) for k, v in b.items() if k not in a)
    return out


@scalar("map.subset")
def map_subset(little: dict, big: dict) -> bool:
    return all(k in big for k in little)


@scalar("map.disjoint")
def map_disjoint(a: dict, b: dict) -> bool:
    return not any(k in b for k in a)


# -------------------------------------------------------------------- functional programming

@scalar("map.map")
def map_map(m: dict, fcn: Callable[[Any], Any]) -> dict:
    return {k: fcn(v) for k, v in m.items()}


@scalar("map.mapWithKey")
def map_map_with_key(m: dict, fcn: Callable[[str, Any], Any]) -> dict:
    return {k: fcn(k, v) for k, v in m.items()}


@scalar("map.filter")
def map_filter(m: dict, fcn: Callable[[Any], bool]) -> dict:
    return {k: v for k, v in m.items() if fcn(v)}


@scalar("map.filterWithKey")
def map_filter_with_key(m: dict, fcn: Callable[[str, Any], bool]) -> dict:
    return {k: v for k, v in m.items() if fcn(k, v)}


@scalar("map.filterMap")
def map_filter_map(m: dict, fcn: Callable[[Any], Any]) -> dict:
    out = {}
    for k, v in m.items():
        y = fcn(v)
        if y is not None:
            out[k] = y
    return out


@scalar("map.filterMapWithKey")
def map_filter_map_with_key(m: dict, fcn: Callable[[str, Any], Any]) -> dict:
    out = {}
    for k, v in m.items():
        y = fcn(k, v)
        if y is not None:
            out[k] = y
    return out


@scalar("map.flatMap")
def map_flat_map(m: dict, fcn: Callable[[Any], dict]) -> dict:
    """Overlay the maps ``fcn`` returns, in iteration order."""
    out: dict = {}
    for v in m.values():
        out.update(fcn(v))
    return out


@scalar("map.flatMapWithKey")
def map_flat_map_with_key(m: dict, fcn: Callable[[str, Any], dict]) -> dict:
    out: dict = {}
    for k, v in m.items():
        out.update(fcn(k, v))
    return out


def _aligned(maps: list[dict], code: int) -> None:
    keys = maps[0].keys()
    if any(m.keys() != keys for m in maps[1:]):
        raise error(code)


@scalar("map.zipmap")
def map_zipmap(*args: Any) -> dict:
    """``fcn`` applied to the values of 2–4 maps with the same keys, key by key."""
    *maps, fcn = args
    _aligned(maps, 26370)
    return {k: fcn(*(m[k] for m in maps)) for k in maps[0]}


@scalar("map.zipmapWithKey")
def map_zipmap_with_key(*args: Any) -> dict:
    *maps, fcn = args
    _aligned(maps, 26380)
    return {k: fcn(k, *(m[k] for m in maps)) for k in maps[0]}


@scalar("map.corresponds")
def map_corresponds(a: dict, b: dict, fcn: Callable[[Any, Any], bool]) -> bool:
    return a.keys() == b.keys() and all(fcn(v, b[k]) for k, v in a.items())


@scalar("map.correspondsWithKey")
def map_corresponds_with_key(a: dict, b: dict, fcn: Callable[[str, Any, Any], bool]) -> bool:
    return a.keys() == b.keys() and all(fcn(k, v, b[k]) for k, v in a.items())


# ------------------------------------------------------------------------------ batch forms

@batch("map.containsKey")
def _contains_key_v(site: CallSite) -> Any:
    if site.sig_index == 1:
        return None
    return contains_key
