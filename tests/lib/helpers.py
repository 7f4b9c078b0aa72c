"""Calling library implementations from tests, through the registry like the engine does.

``call("+", 1, 2)`` infers argument types from simple Python values (bool → boolean, int →
int, float → double, str → string, bytes → bytes, None → null, homogeneous lists → arrays,
str-keyed dicts → maps); pass ``types=`` for anything else (records, enums, unions, long,
float, function arguments as ``FcnType``). The :class:`CallSite` comes from
``pfa.check.signatures.resolve_call`` when that is available and matches; otherwise, or when
``ret=``/``labels=``/``sig_index=`` are given, from the explicit values (defaults: every label
"A" bound to the first argument type, the return type equal to it).

``fn(name, *types, ...)`` returns the bound implementation (to call many times);
``raises(code, f, *args)`` asserts a ``PfaRuntimeError`` with that spec code; lazy functions
(``&&``, ``||`` …) are given thunks automatically by ``call``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pytest

from pfa.avro.types import (
    BOOLEAN,
    BYTES,
    DOUBLE,
    INT,
    NULL,
    STRING,
    AvroArray,
    AvroMap,
    AvroType,
)
from pfa.errors import PfaRuntimeError
from pfa.lib import registry
from pfa.lib.registry import CallSite

_UNSET: Any = object()


def infer_type(value: Any) -> AvroType:
    """The obvious Avro type of a simple Python value (see the module docstring)."""
    if value is None:
        return NULL
    if isinstance(value, bool):
        return BOOLEAN
    if isinstance(value, int):
        return INT
    if isinstance(value, float):
        return DOUBLE
    if isinstance(value, str):
        return STRING
    if isinstance(value, bytes):
        return BYTES
    if isinstance(value, list) and value:
        return AvroArray(infer_type(value[0]))
    if isinstance(value, dict) and value:
        return AvroMap(infer_type(next(iter(value.values()))))
    raise TypeError(f"cannot infer an Avro type for {value!r}; pass types=")


def _resolved(name: str, arg_types: Sequence[Any]) -> Any:
    try:
        from pfa.check import signatures
    except ImportError:  # pragma: no cover - checker not there yet
        return None
    resolve = getattr(signatures, "resolve_call", None)
    if resolve is None:
        return None
    try:
        return resolve(name, tuple(arg_types))
    except Exception:  # noqa: BLE001 - fall back to explicit types
        return None


def site(name: str, *arg_types: Any, ret: Any = _UNSET, labels: Mapping[str, Any] | None = None,
         sig_index: int | None = None, params: Sequence[Any] | None = None,
         context: Any = None) -> CallSite:
    """The CallSite of a call of ``name`` with arguments of ``arg_types``."""
    explicit = ret is not _UNSET or labels is not None or sig_index is not None
    res = None if explicit else _resolved(name, arg_types)
    if res is not None:
        return CallSite(name, tuple(arg_types), res.ret_type, tuple(res.param_types),
                        dict(res.labels), res.sig_index, context)
    first = arg_types[0] if arg_types else None
    return CallSite(
        name, tuple(arg_types),
        first if ret is _UNSET else ret,
        tuple(params) if params is not None else tuple(arg_types),
        dict(labels) if labels is not None else ({"A": first} if first is not None else {}),
        sig_index or 0, context)


def fn(name: str, *arg_types: Any, **kw: Any) -> Callable[..., Any]:
    """The implementation of ``name`` bound for argument types ``arg_types``."""
    entry = registry.get(name)
    assert entry is not None, f"{name} is not implemented"
    return entry.scalar_for(site(name, *arg_types, **kw))


def call(name: str, *args: Any, types: Sequence[Any] | None = None, **kw: Any) -> Any:
    """Evaluate library function ``name`` on ``args`` (see the module docstring)."""
    arg_types = tuple(types) if types is not None else tuple(infer_type(a) for a in args)
    entry = registry.get(name)
    assert entry is not None, f"{name} is not implemented"
    impl = entry.scalar_for(site(name, *arg_types, **kw))
    if entry.lazy:
        return impl(*[(lambda v=a: v) for a in args])
    return impl(*args)


def raises(code: int, f: Callable[..., Any], *args: Any) -> PfaRuntimeError:
    """Assert that ``f(*args)`` raises a PfaRuntimeError with spec error ``code``."""
    with pytest.raises(PfaRuntimeError) as info:
        f(*args)
    assert info.value.code == code, f"expected code {code}, got {info.value.code}: {info.value}"
    return info.value


registry.load_all()  # import the whole library once, up front (not inside a timed test)
