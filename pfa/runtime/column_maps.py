"""Map lookups on columns: ``map.containsKey`` and the map steps of ``attr``/``cell`` paths.

A map column is usually a constant (a cell such as an encoder's category index) and the key a
string column (an object array of ``str``): a lookup is one dict access per row, done in a
comprehension instead of a scalar island. A key that is not in the map fails the row with the
scalar engine's error ("map key not found").
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from pfa.errors import PfaRuntimeError
from pfa.runtime.columns import Col, Const, NotVectorized, filler, from_py

_MISSING = object()


def _keys(col: Col, n: int) -> list[Any] | None:
    """The keys of a string column as a list (None: a Const key)."""
    if isinstance(col, Const):
        return None
    if isinstance(col, np.ndarray) and col.dtype == object:
        return col.tolist()
    raise NotVectorized("map key column")


def _maps(col: Col) -> dict | list[Any]:
    """A constant map, or the list of per-row maps."""
    if isinstance(col, Const):
        if type(col.value) is not dict:
            raise NotVectorized("map column")
        return col.value
    if isinstance(col, np.ndarray) and col.dtype == object:
        return col.tolist()
    raise NotVectorized("map column")


def contains_key(env: Any, m: Col, key: Col) -> Col:
    """``map.containsKey(m, key)`` for every row."""
    n = env.n
    maps = _maps(m)
    keys = _keys(key, n)
    if keys is None:
        k = key.value
        if type(maps) is dict:
            return Const(k in maps)
        return np.fromiter((k in d for d in maps), dtype=bool, count=n)
    if type(maps) is dict:
        return np.fromiter(map(maps.__contains__, keys), dtype=bool, count=n)
    return np.fromiter((k in d for d, k in zip(maps, keys)), dtype=bool, count=n)


def map_step(index: Callable[[Any], Col], value_t: Any, code: int, fcn: str
             ) -> Callable[[Any, Col], Col]:
    """The path step ``col[key]`` into a map column (``index``: the key's kernel)."""
    def step(env: Any, col: Col) -> Col:
        n = env.n
        maps = _maps(col)
        kc = index(env)
        keys = _keys(kc, n)
        if keys is None:
            k = kc.value
            if type(maps) is dict:
                if k in maps:
                    return Const(maps[k])
                env.fail(np.ones(n, dtype=bool), PfaRuntimeError(code, "map key not found",
                                                                 fcn))
                return Const(filler(value_t))
            keys = [k] * n
        if type(maps) is dict:
            get = maps.get
            vals = [get(k, _MISSING) for k in keys]
        else:
            vals = [d.get(k, _MISSING) for d, k in zip(maps, keys)]
        if vals.count(_MISSING):
            bad = np.fromiter((v is _MISSING for v in vals), dtype=bool, count=n)
            env.fail(bad, PfaRuntimeError(code, "map key not found", fcn))
            fill = filler(value_t)
            vals = [fill if v is _MISSING else v for v in vals]
        return from_py(vals, value_t)
    return step
