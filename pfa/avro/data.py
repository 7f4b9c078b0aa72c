"""Avro data ⇄ engine values: the JSON encoding, validation and (through fastavro) binary.

Engine values follow the table in ``docs/architecture.md``: records and maps are dicts,
enums are their symbol (``str``), bytes and fixed are ``bytes``, a union holds the bare value
of its branch. Floats are always rounded to float32 precision (:func:`to_float32`).

The JSON encoding is Avro's: a non-null union value is ``{"branch-name": value}``, bytes and
fixed are strings whose code points 0–255 are the bytes, and non-finite numbers are the
strings ``"NaN"``, ``"Infinity"`` and ``"-Infinity"``. Members named ``"@"`` (PFA locator
marks) are ignored in every JSON object, as the PFA specification requires.

Every mismatch raises :class:`pfa.errors.AvroDataError` with a JSON path such as
``$.field[3].key``.
"""

from __future__ import annotations

import io
import json
import math
import struct
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from operator import itemgetter
from typing import IO, Any

import fastavro
from fastavro.schema import UnknownType

from pfa.avro.types import (
    AvroArray,
    AvroEnum,
    AvroField,
    AvroFixed,
    AvroMap,
    AvroNamed,
    AvroRecord,
    AvroType,
    AvroUnion,
    parse_type,
)
from pfa.errors import AvroDataError
from pfa.paths import join_path

INT_RANGE = (-(2**31), 2**31 - 1)
LONG_RANGE = (-(2**63), 2**63 - 1)
_LOCATOR = "@"
_NONFINITE_IN = {
    "NaN": math.nan, "nan": math.nan,
    "Infinity": math.inf, "inf": math.inf, "+inf": math.inf, "+Infinity": math.inf,
    "-Infinity": -math.inf, "-inf": -math.inf,
}
_PACK_F32 = struct.Struct("<f")


# ---------------------------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------------------------

def to_float32(x: float) -> float:
    """Round ``x`` to the nearest float32 (as a Python float); overflow gives ±inf."""
    try:
        return _PACK_F32.unpack(_PACK_F32.pack(x))[0]
    except OverflowError:
        return math.copysign(math.inf, x)


def branch_name(t: AvroType) -> str:
    """The name that tags a union branch in JSON: the full name of a named type, else its
    type keyword ("int", "array", "map" …)."""
    return t.fullname if isinstance(t, AvroNamed) else t.name


def _found(obj: Any) -> str:
    try:
        text = repr(obj)
    except RecursionError:
        text = "(nested too deeply to show)"
    except ValueError:  # an int beyond Python's int/str conversion limit
        text = _number(obj)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{type(obj).__name__} {text}"


def _number(x: int | float) -> str:
    """``x`` as text; an integer beyond Python's int/str conversion limit by its size."""
    try:
        return str(x)
    except ValueError:
        return f"an integer of about {int(abs(x).bit_length() * 0.30103) + 1} digits"


def _fail(expected: str, obj: Any, path: str) -> AvroDataError:
    return AvroDataError(f"expected {expected}, found {_found(obj)}", path)


def _is_int(x: Any) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


def _is_number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def _members(obj: dict) -> Iterator[tuple[Any, Any]]:
    return ((k, v) for k, v in obj.items() if k != _LOCATOR)


def _int_range(t: AvroType) -> tuple[int, int]:
    return INT_RANGE if t.name == "int" else LONG_RANGE


# ---------------------------------------------------------------------------------------------
# JSON → engine value
# ---------------------------------------------------------------------------------------------

def decode_json(t: AvroType, obj: Any, path: str = "$") -> Any:
    """Decode a JSON-loaded object (Avro's JSON encoding) into an engine value of type ``t``.

    A decoder compiled once per type (:func:`_compiled`) does the work without building JSON
    paths; when it refuses ``obj``, the reference decoder runs again to raise the error with
    its exact message and path."""
    try:
        return _compiled(t)(obj)
    except Exception:  # any refusal: the reference decoder explains it
        pass
    try:
        return _decode(t, obj, path)
    except RecursionError:
        raise AvroDataError(f"the value is nested too deeply to decode as {t}", path) from None


def _decode(t: AvroType, obj: Any, path: str) -> Any:
    """The reference decoder: dispatches on the type at every value, builds paths as it goes."""
    return _DECODERS[t.name](t, obj, path)


def _dec_null(t: AvroType, obj: Any, path: str) -> None:
    if obj is not None:
        raise _fail("null", obj, path)


def _dec_boolean(t: AvroType, obj: Any, path: str) -> bool:
    if not isinstance(obj, bool):
        raise _fail("boolean", obj, path)
    return obj


def _dec_integer(t: AvroType, obj: Any, path: str) -> int:
    if not _is_int(obj):
        raise _fail(f"{t.name} (a JSON integer)", obj, path)
    lo, hi = _int_range(t)
    if not lo <= obj <= hi:
        raise AvroDataError(f"{_number(obj)} is out of range for {t.name} ({lo} to {hi})", path)
    return obj


def _dec_floating(t: AvroType, obj: Any, path: str) -> float:
    if isinstance(obj, str) and obj in _NONFINITE_IN:
        x = _NONFINITE_IN[obj]
    elif _is_number(obj):
        try:
            x = float(obj)
        except OverflowError:
            raise AvroDataError(f"{_number(obj)} is too large for {t.name}", path) from None
    else:
        raise _fail(f'{t.name} (a JSON number, "NaN", "Infinity" or "-Infinity")', obj, path)
    return to_float32(x) if t.name == "float" else x


def _dec_string(t: AvroType, obj: Any, path: str) -> str:
    if not isinstance(obj, str):
        raise _fail("string", obj, path)
    return obj


def _dec_bytes(t: AvroType, obj: Any, path: str) -> bytes:
    if isinstance(obj, bytes):
        data = obj
    elif isinstance(obj, str):
        try:
            data = obj.encode("latin-1")
        except UnicodeEncodeError as err:
            raise AvroDataError(
                f"{t.name} is encoded as a string of code points 0-255, found code point "
                f"{ord(obj[err.start])} at position {err.start}", path) from None
    else:
        raise _fail(f"{t.name} (a string of code points 0-255)", obj, path)
    if isinstance(t, AvroFixed) and len(data) != t.size:
        raise AvroDataError(f"fixed {t.fullname} needs {t.size} bytes, found {len(data)}", path)
    return data


def _dec_enum(t: AvroEnum, obj: Any, path: str) -> str:
    if not isinstance(obj, str) or obj not in t.symbols:
        raise _fail(f"a symbol of enum {t.fullname} {list(t.symbols)}", obj, path)
    return obj


def _dec_array(t: AvroArray, obj: Any, path: str) -> list:
    if not isinstance(obj, (list, tuple)):
        raise _fail("array (a JSON array)", obj, path)
    return [_decode(t.items, x, join_path(path, i)) for i, x in enumerate(obj)]


def _dec_map(t: AvroMap, obj: Any, path: str) -> dict:
    if not isinstance(obj, dict):
        raise _fail("map (a JSON object)", obj, path)
    return {k: _decode(t.values, v, join_path(path, k)) for k, v in _members(obj)}


def _dec_record(t: AvroRecord, obj: Any, path: str) -> dict:
    if not isinstance(obj, dict):
        raise _fail(f"record {t.fullname} (a JSON object)", obj, path)
    out = {}
    for f in t.fields:
        if f.name in obj:
            out[f.name] = _decode(f.type, obj[f.name], join_path(path, f.name))
        elif f.has_default:
            out[f.name] = _decode_default(f.type, f.default, join_path(path, f.name))
        else:
            raise AvroDataError(f"record {t.fullname} is missing field {f.name!r}", path)
    extra = [k for k, _ in _members(obj) if t.field(k) is None]
    if extra:
        raise AvroDataError(f"record {t.fullname} has no field {extra[0]!r}", path)
    return out


def _decode_default(t: AvroType, default: Any, path: str) -> Any:
    """A field default: Avro writes a union default untagged, as a value of its first branch;
    the tagged union form is accepted too."""
    if isinstance(t, AvroUnion):
        try:
            return _decode(t.types[0], default, path)
        except AvroDataError:
            pass
    return _decode(t, default, path)


def _dec_union(t: AvroUnion, obj: Any, path: str) -> Any:
    names = [branch_name(b) for b in t.types]
    if obj is None:
        if "null" in names:
            return None
        raise _fail(f"a union {names} value (null is not a branch)", obj, path)
    members = list(_members(obj)) if isinstance(obj, dict) else []
    if len(members) != 1:
        raise _fail(f'a union {names} value: null or {{"branch-name": value}}', obj, path)
    key, value = members[0]
    branch = _find_branch(t, key)
    if branch is None:
        raise AvroDataError(f"union {names} has no branch named {key!r}", path)
    return _decode(branch, value, join_path(path, key))


def _find_branch(t: AvroUnion, key: str) -> AvroType | None:
    for b in t.types:
        if branch_name(b) == key:
            return b
    short = [b for b in t.types if isinstance(b, AvroNamed) and b.short_name == key]
    return short[0] if len(short) == 1 else None  # a short name only if unambiguous


_DECODERS: dict[str, Callable[[Any, Any, str], Any]] = {
    "null": _dec_null, "boolean": _dec_boolean, "int": _dec_integer, "long": _dec_integer,
    "float": _dec_floating, "double": _dec_floating, "string": _dec_string,
    "bytes": _dec_bytes, "fixed": _dec_bytes, "enum": _dec_enum, "array": _dec_array,
    "map": _dec_map, "record": _dec_record, "union": _dec_union,
}


# ---------------------------------------------------------------------------------------------
# Compiled decoders: closures built once per type object
# ---------------------------------------------------------------------------------------------

class _Refused(Exception):
    """A compiled decoder refuses a value (the reference decoder then says why, and where)."""


_COMPILED: OrderedDict[int, tuple[AvroType, Callable[[Any], Any]]] = OrderedDict()
_COMPILED_SIZE = 512
_COMPILED_LOCK = threading.Lock()
_JUST_FLOAT = frozenset({float})


def _compiled(t: AvroType) -> Callable[[Any], Any]:
    """The compiled decoder of ``t``, cached by identity (as :func:`_wrapped_schema`)."""
    hit = _COMPILED.get(id(t))
    if hit is not None and hit[0] is t:
        return hit[1]
    fn = _compile(t, {})
    with _COMPILED_LOCK:
        _COMPILED[id(t)] = (t, fn)  # holding t keeps its id from being reused
        if len(_COMPILED) > _COMPILED_SIZE:
            _COMPILED.popitem(last=False)
    return fn


def _compile(t: AvroType, memo: dict[int, Callable[[Any], Any]]) -> Callable[[Any], Any]:
    """A decoder ``obj -> value`` of ``t``: returns exactly what the reference decoder returns
    and raises (anything) where the reference decoder raises. ``memo`` holds the decoders of
    the named types compiled so far (a recursive record refers to itself)."""
    fn = memo.get(id(t))
    if fn is not None:
        return fn
    kind = t.name
    if kind == "record":
        return _compile_record(t, memo)  # type: ignore[arg-type]
    if kind == "union":
        return _compile_union(t, memo)  # type: ignore[arg-type]
    if kind == "array":
        item = _compile(t.items, memo)  # type: ignore[attr-defined]
        if t.items.name == "double":  # type: ignore[attr-defined]
            def dec_doubles(obj: Any) -> list:
                if isinstance(obj, (list, tuple)):
                    if set(map(type, obj)) <= _JUST_FLOAT:  # no per-item call
                        return list(obj)
                    return list(map(item, obj))
                raise _Refused
            return dec_doubles

        def dec_array(obj: Any) -> list:
            if isinstance(obj, (list, tuple)):
                return list(map(item, obj))
            raise _Refused
        return dec_array
    if kind == "map":
        value = _compile(t.values, memo)  # type: ignore[attr-defined]

        def dec_map(obj: Any) -> dict:
            if isinstance(obj, dict):
                return {k: value(v) for k, v in obj.items() if k != _LOCATOR}
            raise _Refused
        return dec_map
    fn = _compile_simple(t)
    memo[id(t)] = fn
    return fn


def _compile_simple(t: AvroType) -> Callable[[Any], Any]:
    kind = t.name
    if kind == "double":
        def dec_double(obj: Any) -> float:
            if type(obj) is float:
                return obj
            return _dec_floating(t, obj, "$")
        return dec_double
    if kind == "float":
        def dec_float(obj: Any) -> float:
            if type(obj) is float:
                return to_float32(obj)
            return _dec_floating(t, obj, "$")
        return dec_float
    if kind in ("int", "long"):
        lo, hi = _int_range(t)

        def dec_integer(obj: Any) -> int:
            if type(obj) is int and lo <= obj <= hi:
                return obj
            return _dec_integer(t, obj, "$")
        return dec_integer
    if kind == "string":
        def dec_string(obj: Any) -> str:
            if isinstance(obj, str):
                return obj
            raise _Refused
        return dec_string
    if kind == "boolean":
        def dec_boolean(obj: Any) -> bool:
            if obj is True or obj is False:
                return obj
            raise _Refused
        return dec_boolean
    if kind == "null":
        def dec_null(obj: Any) -> None:
            if obj is None:
                return None
            raise _Refused
        return dec_null
    if kind == "enum":
        symbols = frozenset(t.symbols)  # type: ignore[attr-defined]

        def dec_enum(obj: Any) -> str:
            if isinstance(obj, str) and obj in symbols:
                return obj
            raise _Refused
        return dec_enum
    reference = _DECODERS[kind]  # bytes, fixed
    return lambda obj: reference(t, obj, "$")


def _refuse(obj: Any) -> Any:
    raise _Refused


def _compile_union(t: AvroUnion, memo: dict[int, Callable[[Any], Any]]) -> Callable[[Any], Any]:
    has_null = any(branch_name(b) == "null" for b in t.types)
    # as _find_branch: the first branch with that full name, else an unambiguous short name
    shorts: dict[str, list[AvroType]] = {}
    for b in t.types:
        if isinstance(b, AvroNamed):
            shorts.setdefault(b.short_name, []).append(b)
    tags: dict[str, Callable[[Any], Any]] = {}
    for name, same in shorts.items():
        if len(same) == 1:
            tags[name] = _compile(same[0], memo)
    for b in reversed(t.types):
        tags[branch_name(b)] = _compile(b, memo)
    tags.pop(_LOCATOR, None)
    get = tags.get

    def dec_union(obj: Any) -> Any:
        if obj is None:
            if has_null:
                return None
            raise _Refused
        if type(obj) is dict and len(obj) == 1:
            for key, value in obj.items():
                return get(key, _refuse)(value)
        if isinstance(obj, dict):
            members = [(k, v) for k, v in obj.items() if k != _LOCATOR]
            if len(members) == 1:
                return get(members[0][0], _refuse)(members[0][1])
        raise _Refused
    return dec_union


def _compile_record(t: AvroRecord, memo: dict[int, Callable[[Any], Any]]) -> Callable[[Any], Any]:
    fields: list[tuple[str, Callable[[Any], Any], AvroField]] = []
    names = frozenset(f.name for f in t.fields)

    def general(obj: Any) -> dict:
        """Every case of the reference decoder: defaults, locator marks, refusals."""
        if not isinstance(obj, dict):
            raise _Refused
        out = {}
        for name, dec, f in fields:
            if name in obj:
                out[name] = dec(obj[name])
            elif f.has_default:
                out[name] = _decode_default(f.type, f.default, "$")
            else:
                raise _Refused
        for k in obj:
            if k != _LOCATOR and k not in names:
                raise _Refused
        return out

    # The common case (a dict with every field and nothing else): the first fields are decoded
    # into a dict display, the others stored into it, by groups of straight-line code (see
    # _field_decoders). Both are set after ``dec_record`` exists: a recursive record refers
    # to itself.
    n = len(t.fields)
    build: Callable[[dict], dict] = _no_fields
    rest: tuple[Callable[[dict, dict], None], ...] = ()

    def dec_record(obj: Any) -> dict:
        if type(obj) is dict and len(obj) == n:
            try:
                out = build(obj)
                for write in rest:
                    write(obj, out)
                return out
            except KeyError:
                pass
        return general(obj)

    memo[id(t)] = dec_record
    for f in t.fields:
        fields.append((f.name, _compile(f.type, memo), f))
    build, rest = _field_decoders([(name, dec) for name, dec, _ in fields])
    return dec_record


def _no_fields(obj: dict) -> dict:
    return {}


def _dict16(k0: str, d0: Any, k1: str, d1: Any, k2: str, d2: Any, k3: str, d3: Any,
            k4: str, d4: Any, k5: str, d5: Any, k6: str, d6: Any, k7: str, d7: Any,
            k8: str, d8: Any, k9: str, d9: Any, k10: str, d10: Any, k11: str, d11: Any,
            k12: str, d12: Any, k13: str, d13: Any, k14: str, d14: Any, k15: str, d15: Any
            ) -> Callable[[dict], dict]:
    def build(obj: dict) -> dict:
        return {k0: d0(obj[k0]), k1: d1(obj[k1]), k2: d2(obj[k2]), k3: d3(obj[k3]),
                k4: d4(obj[k4]), k5: d5(obj[k5]), k6: d6(obj[k6]), k7: d7(obj[k7]),
                k8: d8(obj[k8]), k9: d9(obj[k9]), k10: d10(obj[k10]), k11: d11(obj[k11]),
                k12: d12(obj[k12]), k13: d13(obj[k13]), k14: d14(obj[k14]),
                k15: d15(obj[k15])}
    return build


def _dict4(k0: str, d0: Any, k1: str, d1: Any, k2: str, d2: Any, k3: str, d3: Any
           ) -> Callable[[dict], dict]:
    def build(obj: dict) -> dict:
        return {k0: d0(obj[k0]), k1: d1(obj[k1]), k2: d2(obj[k2]), k3: d3(obj[k3])}
    return build


def _dict1(k0: str, d0: Any) -> Callable[[dict], dict]:
    def build(obj: dict) -> dict:
        return {k0: d0(obj[k0])}
    return build


def _write16(k0: str, d0: Any, k1: str, d1: Any, k2: str, d2: Any, k3: str, d3: Any,
             k4: str, d4: Any, k5: str, d5: Any, k6: str, d6: Any, k7: str, d7: Any,
             k8: str, d8: Any, k9: str, d9: Any, k10: str, d10: Any, k11: str, d11: Any,
             k12: str, d12: Any, k13: str, d13: Any, k14: str, d14: Any, k15: str, d15: Any
             ) -> Callable[[dict, dict], None]:
    def write(obj: dict, out: dict) -> None:
        out[k0] = d0(obj[k0])
        out[k1] = d1(obj[k1])
        out[k2] = d2(obj[k2])
        out[k3] = d3(obj[k3])
        out[k4] = d4(obj[k4])
        out[k5] = d5(obj[k5])
        out[k6] = d6(obj[k6])
        out[k7] = d7(obj[k7])
        out[k8] = d8(obj[k8])
        out[k9] = d9(obj[k9])
        out[k10] = d10(obj[k10])
        out[k11] = d11(obj[k11])
        out[k12] = d12(obj[k12])
        out[k13] = d13(obj[k13])
        out[k14] = d14(obj[k14])
        out[k15] = d15(obj[k15])
    return write


def _write4(k0: str, d0: Any, k1: str, d1: Any, k2: str, d2: Any, k3: str, d3: Any
            ) -> Callable[[dict, dict], None]:
    def write(obj: dict, out: dict) -> None:
        out[k0] = d0(obj[k0])
        out[k1] = d1(obj[k1])
        out[k2] = d2(obj[k2])
        out[k3] = d3(obj[k3])
    return write


def _write1(k0: str, d0: Any) -> Callable[[dict, dict], None]:
    def write(obj: dict, out: dict) -> None:
        out[k0] = d0(obj[k0])
    return write


def _field_decoders(pairs: list[tuple[str, Callable[[Any], Any]]]
                    ) -> tuple[Callable[[dict], dict], tuple[Callable[[dict, dict], None], ...]]:
    """Closures that decode the fields ``(name, decoder)`` of a dict, in field order: one
    that builds the output dict from the first 16, 4 or 1 fields, and writers that add the
    others to it by groups of 16, 4 and 1 (a few calls per record instead of an interpreted
    loop iteration per field; no generated source code)."""
    if not pairs:
        return _no_fields, ()
    flat = [x for pair in pairs for x in pair]
    size, make = next((k, m) for k, m in ((16, _dict16), (4, _dict4), (1, _dict1))
                      if len(pairs) >= k)
    build = make(*flat[:2 * size])
    writers = []
    i = size
    for size, write in ((16, _write16), (4, _write4), (1, _write1)):
        while len(pairs) - i >= size:
            writers.append(write(*flat[2 * i:2 * (i + size)]))
            i += size
    return build, tuple(writers)


# ---------------------------------------------------------------------------------------------
# Validation of engine values
# ---------------------------------------------------------------------------------------------

def validate(t: AvroType, value: Any, path: str = "$") -> None:
    """Raise :class:`AvroDataError` (with the path of the first mismatch) unless ``value``
    is an engine value of type ``t``."""
    problem = _mismatch(t, value, path)
    if problem is not None:
        raise problem


def conforms(t: AvroType, value: Any) -> bool:
    """True if ``value`` is an engine value of type ``t``."""
    return _mismatch(t, value, "$") is None


def _mismatch(t: AvroType, v: Any, path: str) -> AvroDataError | None:
    """The first mismatch between ``v`` and ``t`` as an (unraised) error, or None."""
    return _CHECKERS[t.name](t, v, path)


def _simple(expected: str, ok: Callable[[Any], bool]) -> Callable[[Any, Any, str], Any]:
    def check(t: AvroType, v: Any, path: str) -> AvroDataError | None:
        return None if ok(v) else _fail(expected, v, path)
    return check


def _chk_integer(t: AvroType, v: Any, path: str) -> AvroDataError | None:
    if not _is_int(v):
        return _fail(t.name, v, path)
    lo, hi = _int_range(t)
    if not lo <= v <= hi:
        return AvroDataError(f"{_number(v)} is out of range for {t.name} ({lo} to {hi})", path)
    return None


def _chk_fixed(t: AvroFixed, v: Any, path: str) -> AvroDataError | None:
    if not isinstance(v, bytes):
        return _fail(f"fixed {t.fullname} (bytes)", v, path)
    if len(v) != t.size:
        return AvroDataError(f"fixed {t.fullname} needs {t.size} bytes, found {len(v)}", path)
    return None


def _chk_enum(t: AvroEnum, v: Any, path: str) -> AvroDataError | None:
    if isinstance(v, str) and v in t.symbols:
        return None
    return _fail(f"a symbol of enum {t.fullname} {list(t.symbols)}", v, path)


def _chk_array(t: AvroArray, v: Any, path: str) -> AvroDataError | None:
    if not isinstance(v, (list, tuple)):
        return _fail("array (list)", v, path)
    for i, x in enumerate(v):
        problem = _mismatch(t.items, x, join_path(path, i))
        if problem is not None:
            return problem
    return None


def _chk_map(t: AvroMap, v: Any, path: str) -> AvroDataError | None:
    if not isinstance(v, dict):
        return _fail("map (dict)", v, path)
    for k, x in v.items():
        if not isinstance(k, str):
            return AvroDataError(f"map keys must be strings, found {_found(k)}", path)
        problem = _mismatch(t.values, x, join_path(path, k))
        if problem is not None:
            return problem
    return None


def _chk_record(t: AvroRecord, v: Any, path: str) -> AvroDataError | None:
    if not isinstance(v, dict):
        return _fail(f"record {t.fullname} (dict)", v, path)
    for f in t.fields:
        if f.name not in v:
            return AvroDataError(f"record {t.fullname} is missing field {f.name!r}", path)
        problem = _mismatch(f.type, v[f.name], join_path(path, f.name))
        if problem is not None:
            return problem
    if len(v) != len(t.fields):
        extra = next(k for k in v if t.field(k) is None)
        return AvroDataError(f"record {t.fullname} has no field {extra!r}", path)
    return None


def _chk_union(t: AvroUnion, v: Any, path: str) -> AvroDataError | None:
    if any(_mismatch(b, v, path) is None for b in t.types):
        return None
    return _fail(f"a value of one of {[branch_name(b) for b in t.types]}", v, path)


_CHECKERS: dict[str, Callable[[Any, Any, str], AvroDataError | None]] = {
    "null": _simple("null", lambda v: v is None),
    "boolean": _simple("boolean", lambda v: isinstance(v, bool)),
    "int": _chk_integer, "long": _chk_integer,
    "float": _simple("float", _is_number), "double": _simple("double", _is_number),
    "string": _simple("string", lambda v: isinstance(v, str)),
    "bytes": _simple("bytes", lambda v: isinstance(v, bytes)),
    "fixed": _chk_fixed, "enum": _chk_enum, "array": _chk_array, "map": _chk_map,
    "record": _chk_record, "union": _chk_union,
}


# ---------------------------------------------------------------------------------------------
# Canonical engine values
# ---------------------------------------------------------------------------------------------

_SIMPLE = {"null": type(None), "boolean": bool, "float": float, "double": float,
           "string": str, "bytes": bytes}

Check = Callable[[Any], bool]


def _simple_types(t: AvroType) -> frozenset[type] | None:
    """The Python types of a primitive type (without int ranges) or of a union of such
    types: the values of ``t`` are exactly the values of these Python types; else None."""
    if t.name in _SIMPLE:
        return frozenset((_SIMPLE[t.name],))
    if isinstance(t, AvroUnion) and all(b.name in _SIMPLE for b in t.types):
        return frozenset(_SIMPLE[b.name] for b in t.types)
    return None


def _grouped_simple_fields(t: AvroRecord
                           ) -> tuple[tuple[frozenset[type], Callable[[dict], tuple]], ...]:
    """The fields of record ``t`` whose values are told by their Python type alone, grouped
    by that set of types: ``((types, values_of), ...)`` where ``values_of(record)`` is the
    tuple of those fields' values (raising KeyError for a missing field), so a record of
    twenty nullable doubles is checked by a few C-level calls."""
    groups: dict[frozenset[type], list[str]] = {}
    for f in t.fields:
        types = _simple_types(f.type)
        if types is not None:
            groups.setdefault(types, []).append(f.name)
    out = []
    for types, names in groups.items():
        if len(names) == 1:
            name = names[0]
            out.append((types, lambda v, name=name: (v[name],)))
        else:
            out.append((types, itemgetter(*names)))
    return tuple(out)


_STR = frozenset((str,))


def canonical_checker(t: AvroType, _memo: dict[int, Check] | None = None) -> Check:
    """A predicate true exactly for the canonical engine values of type ``t`` (the value
    table of ``docs/architecture.md``: a double is a Python ``float``, never an ``int``; an
    array is a ``list``; a record is a dict with exactly its fields; map keys are ``str``).

    This is the one test of "is ``v`` a value of type ``t``" inside the engine: compiled once
    per type, it builds no error paths (:func:`validate` explains a mismatch, and accepts the
    host forms that :func:`decode_json`'s callers normalise: ints for doubles, tuples)."""
    memo = {} if _memo is None else _memo
    key = id(t)
    if key in memo:
        return memo[key]
    n = t.name
    if n in _SIMPLE:
        tp = _SIMPLE[n]
        return lambda v: type(v) is tp
    if n in ("int", "long"):
        lo, hi = _int_range(t)
        return lambda v: type(v) is int and lo <= v <= hi
    if isinstance(t, AvroFixed):
        size = t.size
        return lambda v: type(v) is bytes and len(v) == size
    if isinstance(t, AvroEnum):
        symbols = frozenset(t.symbols)
        return lambda v: type(v) is str and v in symbols
    if isinstance(t, AvroArray):
        if t.items.name in _SIMPLE:
            tps = frozenset((_SIMPLE[t.items.name],))
            return lambda v: type(v) is list and set(map(type, v)) <= tps
        item = canonical_checker(t.items, memo)
        return lambda v: type(v) is list and all(item(x) for x in v)
    if isinstance(t, AvroMap):
        if t.values.name in _SIMPLE:
            tps = frozenset((_SIMPLE[t.values.name],))
            return lambda v: (type(v) is dict and set(map(type, v.values())) <= tps
                              and set(map(type, v)) <= _STR)
        val = canonical_checker(t.values, memo)
        return lambda v: (type(v) is dict and all(val(x) for x in v.values())
                          and set(map(type, v)) <= _STR)
    if isinstance(t, AvroUnion):
        types = _simple_types(t)
        if types is not None:
            return lambda v: type(v) in types
        branches = tuple(canonical_checker(b, memo) for b in t.types)
        if len(branches) == 2:
            b1, b2 = branches
            return lambda v: b1(v) or b2(v)
        return lambda v: any(b(v) for b in branches)
    if isinstance(t, AvroRecord):
        cell: list[Check] = []

        def record_check(v: Any) -> bool:
            return cell[0](v)
        memo[key] = record_check  # recursive records refer to themselves through the memo
        simple = _grouped_simple_fields(t)
        others = tuple((f.name, canonical_checker(f.type, memo)) for f in t.fields
                       if _simple_types(f.type) is None)
        nfields = len(t.fields)

        def check(v: Any) -> bool:
            if type(v) is not dict or len(v) != nfields:
                return False
            try:
                for tps, values_of in simple:
                    if not set(map(type, values_of(v))) <= tps:
                        return False
                for name, c in others:
                    if not c(v[name]):
                        return False
            except KeyError:
                return False
            return True
        cell.append(check)
        memo[key] = check
        return check
    return lambda v: False


def union_branch(t: AvroUnion, value: Any) -> AvroType:
    """The branch of ``t`` that holds ``value``: the first branch it conforms to, preferring
    one that loses nothing (an int stays in an int/long branch, a float that is not exactly a
    float32 goes to a double branch). Raises AvroDataError if no branch fits."""
    fitting = [b for b in t.types if _mismatch(b, value, "$") is None]
    if not fitting:
        raise _fail(f"a value of one of {[branch_name(b) for b in t.types]}", value, "$")
    return next((b for b in fitting if _lossless(b, value)), fitting[0])


def _lossless(t: AvroType, v: Any) -> bool:
    if t.name in ("float", "double") and _is_int(v):
        return False
    if t.name == "float" and isinstance(v, float) and math.isfinite(v):
        return to_float32(v) == v
    return True


# ---------------------------------------------------------------------------------------------
# engine value → JSON
# ---------------------------------------------------------------------------------------------

def encode_json(t: AvroType, value: Any, *, sort_maps: bool = False) -> Any:
    """Encode an engine value of type ``t`` as a JSON-ready object (Avro's JSON encoding).

    Raises AvroDataError if the value does not conform; ``sort_maps`` orders map keys.
    """
    validate(t, value)
    return _encode(t, value, sort_maps)


def _encode(t: AvroType, v: Any, sort_maps: bool) -> Any:
    kind = t.name
    if kind in ("float", "double"):
        return _encode_float(float(v))
    if kind in ("bytes", "fixed"):
        return v.decode("latin-1")
    if isinstance(t, AvroArray):
        return [_encode(t.items, x, sort_maps) for x in v]
    if isinstance(t, AvroMap):
        keys = sorted(v) if sort_maps else v
        return {k: _encode(t.values, v[k], sort_maps) for k in keys}
    if isinstance(t, AvroRecord):
        return {f.name: _encode(f.type, v[f.name], sort_maps) for f in t.fields}
    if isinstance(t, AvroUnion):
        if v is None and any(b.name == "null" for b in t.types):
            return None
        branch = union_branch(t, v)
        return {branch_name(branch): _encode(branch, v, sort_maps)}
    return v


def _encode_float(x: float) -> float | str:
    if math.isfinite(x):
        return x
    if math.isnan(x):
        return "NaN"
    return "Infinity" if x > 0 else "-Infinity"


def to_json_text(t: AvroType, value: Any) -> str:
    """Compact, deterministic JSON text of an engine value (map keys sorted)."""
    return json.dumps(encode_json(t, value, sort_maps=True), separators=(",", ":"),
                      ensure_ascii=False, allow_nan=False)


def load_json_text(text: str | bytes) -> Any:
    """JSON text (str, or UTF-8 bytes) as a JSON object; AvroDataError if it is malformed,
    not UTF-8, nested too deeply for Python or holds an integer of more than 4,300 digits."""
    try:
        return json.loads(text)
    except RecursionError:
        raise AvroDataError("not valid JSON: nested too deeply") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise AvroDataError(f"not valid JSON: {err}") from None
    except ValueError:  # Python's int/str conversion limit
        raise AvroDataError(f"not valid JSON: an integer has more than "
                            f"{sys.get_int_max_str_digits():,} digits") from None


def from_json_text(t: AvroType, text: str | bytes) -> Any:
    """Parse JSON text (Avro's JSON encoding) into an engine value of type ``t``."""
    return decode_json(t, load_json_text(text))


# ---------------------------------------------------------------------------------------------
# Binary Avro through fastavro
# ---------------------------------------------------------------------------------------------

def _avro_schema(t: AvroType) -> Any:
    """The schema of ``t`` for fastavro. PFA documents may write union defaults tagged, which
    fastavro rejects; binary data never needs defaults, so they are left out."""
    return _strip_defaults(t.to_json())


def _strip_defaults(schema: Any) -> Any:
    if isinstance(schema, list):
        return [_strip_defaults(s) for s in schema]
    if isinstance(schema, dict):
        return {k: _strip_defaults(v) for k, v in schema.items() if k != "default"}
    return schema


def same_schema(a: AvroType, b: AvroType) -> bool:
    """Whether ``a`` and ``b`` describe the same binary data (field defaults aside)."""
    return _avro_schema(a) == _avro_schema(b)


def _fastavro_call(t: AvroType, call: Callable[[], Any]) -> Any:
    """Run a fastavro call that parses the schema of ``t``, explaining its one refusal."""
    try:
        return call()
    except UnknownType as err:
        # Avro's Java parser (like TypeParser) falls back to the null namespace for an
        # unqualified name; fastavro does not, so such a schema cannot go through fastavro.
        raise AvroDataError(f"fastavro cannot resolve the type name {err} in {t}: a type "
                            "outside every namespace is referenced from inside one") from None


# A datum is wrapped in a one-field record for fastavro's schemaless calls: the binary
# encoding is the same, and fastavro only keeps a parsed schema as parsed (without parsing
# it again, which loses a "namespace": "") when the schema is a record.
_WRAPPER, _SLOT = "__pfa_datum", "datum"
_SCHEMA_CACHE: OrderedDict[int, tuple[AvroType, Any]] = OrderedDict()
_SCHEMA_CACHE_SIZE = 256
_SCHEMA_LOCK = threading.Lock()


def _wrapped_schema(t: AvroType) -> Any:
    """fastavro's parsed schema of the wrapper of ``t``, cached by identity: equal-looking
    named types of different documents may differ deep inside (types compare named members
    by name)."""
    with _SCHEMA_LOCK:
        hit = _SCHEMA_CACHE.get(id(t))
        if hit is not None and hit[0] is t:
            _SCHEMA_CACHE.move_to_end(id(t))
            return hit[1]
    wrapper = {"type": "record", "name": _WRAPPER,
               "fields": [{"name": _SLOT, "type": _avro_schema(t)}]}
    parsed = _fastavro_call(t, lambda: fastavro.parse_schema(wrapper))
    with _SCHEMA_LOCK:
        _SCHEMA_CACHE[id(t)] = (t, parsed)  # holding t keeps its id from being reused
        if len(_SCHEMA_CACHE) > _SCHEMA_CACHE_SIZE:
            _SCHEMA_CACHE.popitem(last=False)
    return parsed


def _to_fastavro(t: AvroType, v: Any) -> Any:
    """Engine value → fastavro datum; union values become ``(branch-name, datum)`` tuples so
    that fastavro writes exactly the branch :func:`union_branch` picks."""
    if isinstance(t, AvroUnion):
        branch = union_branch(t, v)
        return (branch_name(branch), _to_fastavro(branch, v))
    if isinstance(t, AvroArray):
        return [_to_fastavro(t.items, x) for x in v]
    if isinstance(t, AvroMap):
        return {k: _to_fastavro(t.values, x) for k, x in v.items()}
    if isinstance(t, AvroRecord):
        return {f.name: _to_fastavro(f.type, v[f.name]) for f in t.fields}
    if t.name in ("float", "double"):
        return float(v)
    return v


def encode_binary(t: AvroType, value: Any) -> bytes:
    """Avro binary encoding of one engine value (no header: a schemaless datum)."""
    validate(t, value)
    out = io.BytesIO()
    fastavro.schemaless_writer(out, _wrapped_schema(t), {_SLOT: _to_fastavro(t, value)})
    return out.getvalue()


def decode_binary(t: AvroType, data: bytes) -> Any:
    """Decode one schemaless Avro binary datum of type ``t`` into an engine value."""
    schema = _wrapped_schema(t)
    buf = io.BytesIO(data)
    try:
        value = fastavro.schemaless_reader(buf, schema, None)[_SLOT]
    except (EOFError, ValueError, struct.error, IndexError, UnicodeDecodeError) as err:
        raise AvroDataError(f"malformed Avro binary data for {t}: {err}") from None
    if buf.tell() != len(data):
        raise AvroDataError(f"{len(data) - buf.tell()} unread bytes after the Avro datum")
    return value


def write_avro_file(t: AvroType, values: Iterable[Any], fileobj: IO[bytes],
                    codec: str = "null") -> None:
    """Write engine values of type ``t`` as an Avro object container file (the header's
    schema is ``t`` without field defaults)."""
    def records() -> Iterator[Any]:
        for i, v in enumerate(values):
            validate(t, v, f"$[{i}]")
            yield _to_fastavro(t, v)
    # the unparsed schema: fastavro parses it once and writes it as given into the header
    _fastavro_call(t, lambda: fastavro.writer(fileobj, _avro_schema(t), records(),
                                              codec=codec))


def read_avro_file(fileobj: IO[bytes], *, untrusted: bool = False
                   ) -> tuple[AvroType, Iterator[Any]]:
    """Open an Avro object container file: its type and an iterator of engine values.

    Logical types in a foreign file's schema are not supported (fastavro would convert them).
    With ``untrusted``, files whose values could be far larger in memory than on disk are
    refused (AvroDataError): compressed blocks (a decompression bomb) and types with arrays
    of items that take no bytes (a count alone would make billions of them).
    """
    reader = fastavro.reader(fileobj)
    t = parse_type(json.loads(reader.metadata["avro.schema"]))
    if untrusted:
        codec = reader.metadata.get("avro.codec", "null")
        if codec != "null":
            raise AvroDataError(f"compressed Avro files (codec {codec!r}) are not read from "
                                "untrusted sources; write it with codec \"null\"")
        empty = _zero_byte_array(t, set())
        if empty is not None:
            raise AvroDataError(f"the type has an array of {empty}, whose items take no "
                                "bytes: its length would not be bounded by the file size")
    return t, iter(reader)


def _zero_byte_array(t: AvroType, seen: set[str]) -> AvroType | None:
    """The items type of an array inside ``t`` whose items encode to zero bytes, if any."""
    if isinstance(t, AvroArray):
        if _zero_bytes(t.items, set()):
            return t.items
        return _zero_byte_array(t.items, seen)
    if isinstance(t, AvroMap):
        return _zero_byte_array(t.values, seen)
    if isinstance(t, AvroUnion):
        return next((x for b in t.types if (x := _zero_byte_array(b, seen)) is not None),
                    None)
    if isinstance(t, AvroRecord) and t.fullname not in seen:
        seen.add(t.fullname)
        return next((x for f in t.fields if (x := _zero_byte_array(f.type, seen)) is not None),
                    None)
    return None


def _zero_bytes(t: AvroType, seen: set[str]) -> bool:
    """Whether every value of ``t`` encodes to zero bytes in Avro's binary encoding."""
    if t.name == "null":
        return True
    if isinstance(t, AvroFixed):
        return t.size == 0
    if isinstance(t, AvroRecord):
        if t.fullname in seen:
            return False  # a recursive record always has a union (one byte) on the way
        seen.add(t.fullname)
        return all(_zero_bytes(f.type, seen) for f in t.fields)
    return False
