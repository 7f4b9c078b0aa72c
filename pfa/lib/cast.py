"""The ``cast.*`` library: wrap-around integer casts, numeric precision casts, one-hot
"fanouts" of categorical values, and Avro binary/JSON serialization of any value."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from pfa.avro.data import encode_binary, to_json_text
from pfa.lib.core import label_type
from pfa.lib.numeric import f32, int_to_f32, integer_rounder, range_checker
from pfa.lib.registry import CallSite, batch, error, scalar, specialized
from pfa.runtime.budget import budget_of
from pfa.runtime.columns import NotVectorized, f32_col, num_arg

Fn = Callable[..., Any]


# ------------------------------------------------------------------------------ wrap-around

@scalar("cast.signed")
def signed(x: int, bits: int) -> int:
    """The low ``bits`` bits of ``x`` read as a signed two's complement number."""
    if bits < 2 or bits > 64:
        raise error(17000)
    u = x & ((1 << bits) - 1)
    return u - (1 << bits) if u >> (bits - 1) else u


@scalar("cast.unsigned")
def unsigned(x: int, bits: int) -> int:
    """The low ``bits`` bits of ``x`` read as an unsigned number."""
    if bits < 1 or bits > 63:
        raise error(17010)
    return x & ((1 << bits) - 1)


# ------------------------------------------------------------------------------ precision

def _to_integer(name: str, target: str, code: int) -> None:
    """Register ``name``: cast any number to ``target`` ("int"/"long"), rounding floating
    values half up (Java's ``Math.round``); NaN, ±inf and out-of-range results raise."""
    check = range_checker(target, code, code)
    from_floating = integer_rounder(target, code, code)

    @specialized(name)
    def factory(site: CallSite) -> Fn:
        source = site.arg_types[0].name if site.arg_types else "double"
        return check if source in ("int", "long") else from_floating


_to_integer("cast.int", "int", 17020)
_to_integer("cast.long", "long", 17030)


@specialized("cast.float")
def to_float(site: CallSite) -> Fn:
    """Round to float32 (an integer is rounded once, directly to float32)."""
    source = site.arg_types[0].name if site.arg_types else "double"
    return int_to_f32 if source in ("int", "long") else f32


@scalar("cast.double")
def to_double(x: float) -> float:
    return float(x)


# ------------------------------------------------------------------------------ fanouts

_ONE_HOT = {
    "cast.fanoutBoolean": (False, True, 17060),
    "cast.fanoutInt": (0, 1, 17070),
    "cast.fanoutLong": (0, 1, 17080),
    "cast.fanoutFloat": (0.0, 1.0, 17090),
    "cast.fanoutDouble": (0.0, 1.0, 17100),
}


def _fanout(name: str, zero: Any, one: Any, code: int) -> None:
    """Register ``name``: one-hot encode an enum, a string in a dictionary or an int in
    [minimum, maximum), optionally with a trailing out-of-range slot."""

    @specialized(name)
    def factory(site: CallSite) -> Fn:
        source = site.arg_types[0] if site.arg_types else None
        budget = budget_of(site)
        if source is not None and source.name == "enum":
            n = len(source.symbols)
            index = source.index

            def from_enum(x: str) -> list:
                hot = index(x)
                return [one if i == hot else zero for i in range(n)]
            return from_enum
        if source is not None and source.name == "string":
            def from_string(x: str, dictionary: list[str], out_of_range: bool) -> list:
                if len(set(dictionary)) != len(dictionary):
                    raise error(code)
                out = [one if d == x else zero for d in dictionary]
                if out_of_range:
                    out.append(zero if x in dictionary else one)
                return out
            return from_string

        def from_int(x: int, minimum: int, maximum: int, out_of_range: bool) -> list:
            budget.reserve_items(maximum - minimum + 1, name)
            out = [one if v == x else zero for v in range(minimum, maximum)]
            if out_of_range:
                out.append(zero if minimum <= x < maximum else one)
            return out
        return from_int


for _name, (_zero, _one, _code) in _ONE_HOT.items():
    _fanout(_name, _zero, _one, _code)


# ------------------------------------------------------------------------------ serialization

@specialized("cast.avro")
def to_avro(site: CallSite) -> Fn:
    """Avro binary encoding of the value (schemaless datum)."""
    t = label_type(site)
    return lambda x: encode_binary(t, x)


@specialized("cast.json")
def to_json(site: CallSite) -> Fn:
    """Compact JSON text of the value, in Avro's JSON encoding (unions tagged)."""
    t = label_type(site)
    return lambda x: to_json_text(t, x)


# ------------------------------------------------------------------------------ batch forms

@batch("cast.float")
def _to_float_v(site: CallSite) -> Fn:
    source = site.arg_types[0].name if site.arg_types else "double"

    def impl(env: Any, x: Any) -> Any:
        if source in ("int", "long"):
            a = num_arg(x, np.int64)
            if np.any(np.abs(a) > 2**53):
                raise NotVectorized("integers beyond 2**53 round differently")
        else:
            a = num_arg(x)
        return f32_col(np.asarray(a, dtype=np.float64))
    return impl


@batch("cast.double")
def _to_double_v(site: CallSite) -> Fn:
    return lambda env, x: np.asarray(num_arg(x), dtype=np.float64)
