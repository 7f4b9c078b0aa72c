"""Input data: the fast check and the one input contract of ``action`` and ``action_batch``.

:func:`pfa.avro.data.canonical_checker` compiles an Avro type into a predicate that accepts
exactly the canonical engine values (float fields hold Python floats, arrays are lists …)
without building error paths; it is a sufficient test, run on every ``action``. Only when it
says no does the engine run :func:`coerce_input`, the input contract (README "Input contract"): host values
(numpy scalars, pandas/numpy/Arrow missing markers, booleans for doubles, the original column
names of ``metadata["input.columns"]``) become engine values by :func:`host_value`, then
:func:`pfa.avro.data.validate` reports the path of any mismatch and :func:`normalize` makes the
datum canonical. ``action_batch`` converts columns by the same rules
(:mod:`pfa.engine.batch`).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

from pfa.avro.data import Check, canonical_checker, conforms, union_branch, validate
from pfa.avro.data import to_float32 as f32
from pfa.avro.types import (
    AvroArray,
    AvroMap,
    AvroRecord,
    AvroType,
    AvroUnion,
)
from pfa.errors import AvroDataError, PfaInputError
from pfa.paths import join_path


def normalize(t: AvroType, v: Any) -> Any:
    """The canonical engine value of an acceptable datum ``v`` of type ``t`` (ints where
    floating point is expected become floats, tuples become lists)."""
    n = t.name
    if n == "double":
        return float(v) if type(v) is not float else v
    if n == "float":  # every float input is rounded to float32 (out of range: ±inf), as a
        return f32(float(v))  # float column of a batch is
    if isinstance(t, AvroArray):
        return [normalize(t.items, x) for x in v]
    if isinstance(t, AvroMap):
        return {k: normalize(t.values, x) for k, x in v.items()}
    if isinstance(t, AvroRecord):
        return {f.name: normalize(f.type, v[f.name]) for f in t.fields}
    if isinstance(t, AvroUnion):
        for b in t.types:
            if _cached_checker(b)(v):  # already a value of branch b (floats still round)
                return normalize(b, v) if _holds_float(b, set()) else v
        return normalize(union_branch(t, v), v)
    return v


# =============================================================================================
# the input contract: host values (pandas, numpy, Arrow, Python) → engine values
# =============================================================================================

_FLOATING = ("float", "double")


def is_missing(v: Any) -> bool:
    """True for the missing-value markers of the Python data stack: ``None``, a float NaN
    (Python or numpy), ``pd.NA``, ``pd.NaT`` (also numpy's ``NaT``) and ``np.ma.masked``."""
    if v is None:
        return True
    tp = type(v)
    if tp is float:
        return v != v
    if tp.__name__ in ("NAType", "NaTType", "MaskedConstant"):
        return True
    if tp.__module__ == "numpy" and getattr(v, "ndim", 1) == 0:
        kind = getattr(getattr(v, "dtype", None), "kind", "")
        if kind in "fc":
            return bool(v != v)
        return kind in "mM" and bool(v != v)
    return False


def _is_nan(v: Any) -> bool:
    """A NaN of a floating type (a double value, not only a marker)."""
    return isinstance(v, float) and v != v


def _host_scalar(v: Any) -> Any:
    """A numpy scalar as the Python value it holds (np.float64 → float, np.str_ → str …)."""
    if type(v).__module__ == "numpy" and hasattr(v, "item") and getattr(v, "ndim", 1) == 0 \
            and v.dtype.kind in "biufSU":
        return v.item()
    return v


def _missing_error(t: AvroType, v: Any, path: str) -> PfaInputError:
    return PfaInputError(f"missing value ({_marker(v)}) in a field of type {t} that admits "
                         "neither null nor NaN", path)


def _marker(v: Any) -> str:
    text = "NaN" if isinstance(v, float) else repr(v) if not isinstance(v, int) else \
        (str(v) if v.bit_length() < 200 else f"of {v.bit_length()} bits")
    return text if len(text) <= 60 else text[:57] + "..."


def host_value(t: AvroType, v: Any, path: str = "$",
               aliases: dict[str, str] | None = None) -> Any:
    """``v`` with the host representations of the input contract replaced by engine
    values, without checking what it does not convert (:func:`coerce_input` does):

    * numpy scalars become the Python values they hold; tuples, numpy arrays and other
      sequences given for an array become lists; mappings become dicts;
    * a missing marker (:func:`is_missing`) is null where the type admits null (a NaN where
      it admits double or float stays that double), NaN where the type admits double or float
      but not null, and a :class:`PfaInputError` naming the field elsewhere;
    * ints and booleans (0.0/1.0, as numpy and sklearn read them) where a double or float is
      expected become floats; strings never become numbers, numbers never strings;
    * records: fields are looked up under their original column names first (``aliases``:
      original name → field name, top level only), then under their own names; other keys
      are ignored. A 1-D numpy array (a row of the 2-D array sklearn was fitted on) gives
      the fields in order.
    """
    v = _host_scalar(v)
    name = t.name
    if name in _FLOATING:
        tp = type(v)
        if tp is float:
            return v
        if tp is int or tp is bool:
            try:
                return float(v)
            except OverflowError:
                raise PfaInputError(f"integer {_marker(v)} is too large for {name}",
                                    path) from None
        if is_missing(v):
            return math.nan
        return v
    if isinstance(t, AvroUnion):
        return _host_union(t, v, path)
    if is_missing(v):
        if name == "null":
            return None
        raise _missing_error(t, v, path)
    if isinstance(t, AvroArray):
        seq = _sequence(v)
        if seq is None:
            return v
        return [host_value(t.items, x, join_path(path, i)) for i, x in enumerate(seq)]
    if isinstance(t, AvroMap):
        if not isinstance(v, Mapping):
            return v
        return {k: host_value(t.values, x, join_path(path, k) if isinstance(k, str) else path)
                for k, x in v.items()}
    if isinstance(t, AvroRecord):
        if type(v).__module__ == "numpy" and getattr(v, "ndim", 0) == 1 and \
                len(v) == len(t.fields):  # a row of a 2-D array: the fields in order
            seq = _sequence(v)
            assert seq is not None
            v = {f.name: x for f, x in zip(t.fields, seq)}
            aliases = None
        elif type(v).__module__.startswith("pandas") and hasattr(v, "to_dict") and \
                not hasattr(v, "columns"):  # a row of a DataFrame (df.iloc[i])
            v = v.to_dict()
        if not isinstance(v, Mapping):
            return v
        return _host_record(t, v, path, aliases)
    return v


def _sequence(v: Any) -> list[Any] | None:
    """The items of a list-like host value (None if ``v`` is not one)."""
    if type(v) is list:
        return v
    if isinstance(v, tuple):
        return list(v)
    mod = type(v).__module__
    if mod == "numpy" and getattr(v, "ndim", 0) >= 1:
        if isinstance(v, _np().ma.MaskedArray):
            mask = _np().ma.getmaskarray(v).tolist()
            return [None if m else x for x, m in zip(v.data.tolist(), mask)]
        return list(v) if v.ndim > 1 else v.tolist()
    if mod.startswith(("pandas", "pyarrow")) and hasattr(v, "tolist") and \
            not hasattr(v, "columns"):
        return list(v.tolist())
    if mod.startswith("pyarrow") and hasattr(v, "to_pylist"):
        return arrow_pylist(v)
    return None


def arrow_pylist(values: Any, path: str = "$") -> list[Any]:
    """The Python values of an Arrow array, its maps (a list of key/value pairs to Arrow) as
    dicts; a map holding a key twice is not an Avro map and is refused."""
    try:
        return values.to_pylist(maps_as_pydicts="strict")
    except KeyError as err:
        raise PfaInputError(f"an Arrow map holds a key twice: {err.args[0]}", path) from None


def arrow_text(values: Any) -> Any:
    """An Arrow array of strings (plain, large, view, or dictionary-encoded strings) as a
    numpy object array of the same ``str`` values (None where null), which is an order of
    magnitude faster than ``to_pylist``; None for any other array. A column with few
    distinct strings (categories) is decoded through its dictionary, each distinct string
    made once and shared by its rows."""
    import pyarrow as pa

    t = values.type
    if pa.types.is_dictionary(t) and _is_arrow_text(t.value_type):
        return _from_dictionary(values)
    if not _is_arrow_text(t):
        return None
    encoded = values.dictionary_encode()
    if len(encoded.dictionary) * DISTINCT_SHARE > len(values):  # mostly distinct: no sharing
        return values.to_numpy(zero_copy_only=False)
    return _from_dictionary(encoded)


DISTINCT_SHARE = 4
"""A string column is decoded through its dictionary when at most one value in this many is
distinct."""


def _from_dictionary(col: Any) -> Any:
    np = _np()
    words = col.dictionary
    lookup = np.empty(len(words) + 1, dtype=object)  # the last one: null
    lookup[:-1] = words.to_numpy(zero_copy_only=False)
    return lookup[col.indices.fill_null(len(words)).to_numpy(zero_copy_only=False)]


def _is_arrow_text(t: Any) -> bool:
    import pyarrow as pa

    return pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_string_view(t)


def _np() -> Any:
    import numpy

    return numpy


def _host_record(t: AvroRecord, v: Mapping, path: str,
                 aliases: dict[str, str] | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    originals = _originals(aliases)
    labels: dict[str, Any] | None = None  # str(label) → label, for labels that are not str
    for f in t.fields:
        key = originals.get(f.name) if originals else None
        if key is None or key not in v:
            if key is not None and labels is None:
                labels = {str(k): k for k in v if not isinstance(k, str)}
            if key is not None and labels and key in labels:
                key = labels[key]
            else:
                key = f.name
                if aliases and key in aliases and aliases[key] != key:
                    continue  # this key names another field's column (the mapping wins)
        if key not in v:
            continue  # reported by validate (missing field)
        out[f.name] = host_value(f.type, v[key], join_path(path, f.name))
    return out


def _originals(aliases: dict[str, str] | None) -> dict[str, str] | None:
    """Field name → original column name (the inverse of ``aliases``)."""
    if not aliases:
        return None
    return {field: original for original, field in aliases.items()}


def _host_union(t: AvroUnion, v: Any, path: str) -> Any:
    names = [b.name for b in t.types]
    if is_missing(v):
        if _is_nan(v) and any(n in _FLOATING for n in names):
            return v
        if "null" in names:
            return None
        if any(n in _FLOATING for n in names):
            return math.nan
        raise _missing_error(t, v, path)
    for b in t.types:
        if _cached_checker(b)(v):
            return v
    for b in t.types:
        if b.name == "null":
            continue
        try:
            cand = host_value(b, v, path)
        except PfaInputError:
            continue
        if conforms(b, cand):
            return cand
    return v


_CHECKERS: dict[int, tuple[AvroType, Check]] = {}


def _cached_checker(t: AvroType) -> Check:
    hit = _CHECKERS.get(id(t))
    if hit is not None and hit[0] is t:
        return hit[1]
    if len(_CHECKERS) > 1024:
        _CHECKERS.clear()
    check = canonical_checker(t)
    _CHECKERS[id(t)] = (t, check)
    return check


def input_checker(t: AvroType) -> Check:
    """The fast test that a datum is already an engine value of input type ``t`` (nothing
    for the input contract to convert): the canonical checker, except for types that hold a
    float somewhere. Any Python float passes the canonical test, but a float input is rounded
    to float32 (as a float column of a batch is), so those data always take
    :func:`coerce_input`."""
    return _never if _holds_float(t, set()) else canonical_checker(t)


def _never(v: Any) -> bool:
    return False


def _holds_float(t: AvroType, seen: set[int]) -> bool:
    if t.name == "float":
        return True
    if id(t) in seen:
        return False
    seen.add(id(t))
    if isinstance(t, AvroArray):
        return _holds_float(t.items, seen)
    if isinstance(t, AvroMap):
        return _holds_float(t.values, seen)
    if isinstance(t, AvroRecord):
        return any(_holds_float(f.type, seen) for f in t.fields)
    if isinstance(t, AvroUnion):
        return any(_holds_float(b, seen) for b in t.types)
    return False


def coerce_input(t: AvroType, v: Any, path: str = "$",
                 aliases: dict[str, str] | None = None) -> Any:
    """The engine value of the datum ``v`` (host values as :func:`host_value` describes)
    of type ``t``, or :class:`PfaInputError` naming the path of the first mismatch. This is
    the one input contract of ``Engine.action`` (when the fast check says no) and of every
    value ``Engine.action_batch`` does not convert column-wise."""
    try:
        datum = host_value(t, v, path, aliases)
        validate(t, datum, path)
        return normalize(t, datum)
    except AvroDataError as err:
        raise PfaInputError(err.message, err.path) from None
    except RecursionError:
        raise PfaInputError("the datum is nested too deeply", path) from None


def column_aliases(t: AvroType, metadata: Mapping[str, Any] | None) -> dict[str, str] | None:
    """Original column name → field name, from ``metadata["input.columns"]`` (a JSON list
    of the original names, one per field of the record input type, in field order) when it
    is present and well-formed; None otherwise."""
    if not isinstance(t, AvroRecord) or not metadata:
        return None
    text = metadata.get("input.columns")
    if not isinstance(text, str):
        return None
    try:
        names = json.loads(text)
    except ValueError:
        return None
    if not isinstance(names, list) or len(names) != len(t.fields) or \
            not all(isinstance(n, str) for n in names) or len(set(names)) != len(names):
        return None
    out = {orig: f.name for orig, f in zip(names, t.fields) if orig != f.name}
    return out or None
