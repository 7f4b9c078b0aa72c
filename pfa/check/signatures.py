"""Library function signatures: the generic type patterns of the spec and their matching.

The data comes from ``pfa/lib/signatures.json``, the one declaration of every library
function's signatures and error codes/messages (derived from the specification's libfcns.xml
by ``tools/gen_signatures.py``, which also checks it against a new release); this module turns
it into pattern objects and matches call sites against them with label unification and
promotion.

Matching a call runs in two phases per signature:

1. *binding*: every argument is walked against its parameter pattern (non-function arguments
   first, then function arguments) and wildcard labels collect types. A label seen again in a
   covariant position widens to the narrowest supertype of its occurrences (``int + double``
   binds ``A`` to double); in a function's parameter position (contravariant) a label is only
   bound if still free.
2. *verification*: every pattern is turned into a concrete type with the final bindings
   (checking ``of`` restrictions, record fields, ``enum A of fields of D``) and each argument
   must be accepted by it (a function argument must accept the parameter types and return
   something the pattern's return type accepts).
"""

from __future__ import annotations

import difflib
import functools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from pfa.avro.types import (
    PRIMITIVES,
    AvroArray,
    AvroEnum,
    AvroFixed,
    AvroMap,
    AvroPrimitive,
    AvroRecord,
    AvroType,
    AvroUnion,
    NoSupertypeError,
    accepts,
    narrowest_supertype,
)


@dataclass(frozen=True)
class FcnType:
    """The type of a function argument: parameter types and return type (not an Avro type)."""

    params: tuple[AvroType, ...]
    ret: AvroType

    def __str__(self) -> str:
        return "function(" + ", ".join(str(p) for p in self.params) + f") -> {self.ret}"


@dataclass(frozen=True)
class ResolvedCall:
    """A call site matched against one signature of a library function.

    ``param_types``: the concrete parameter types after label binding (arguments are promoted
    to these); ``ret_type``: the concrete return type; ``labels``: wildcard label → type.
    """

    name: str
    sig_index: int
    param_types: tuple[Any, ...]
    ret_type: AvroType
    labels: dict[str, AvroType] = field(default_factory=dict)


class SignatureMismatch(Exception):
    """No signature of a library function accepts the given arguments (checker adds a path)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class UnknownFunction(Exception):
    """A call of a name that is not a library function; ``suggestion`` is the closest name."""

    def __init__(self, name: str, suggestion: str | None = None):
        hint = f" (did you mean {suggestion!r}?)" if suggestion else ""
        super().__init__(f"unknown library function {name!r}{hint}")
        self.name = name
        self.suggestion = suggestion


# ---------------------------------------------------------------------------------------------
# Patterns
# ---------------------------------------------------------------------------------------------

_HIDDEN = "$"  # prefix of labels invented for unlabeled record/enum/fixed patterns


@dataclass(frozen=True)
class PPrimitive:
    """A primitive type (accepts promotable primitives: an int argument fits ``double``)."""

    type: AvroPrimitive


@dataclass(frozen=True)
class PAny:
    """``any A`` or ``any A of {t1, t2, ...}``: a wildcard binding label ``A``."""

    label: str
    of: tuple[AvroType, ...] | None = None


@dataclass(frozen=True)
class PRef:
    """A later occurrence of label ``A`` (same binding as its ``any``)."""

    label: str


@dataclass(frozen=True)
class PArray:
    items: Pattern


@dataclass(frozen=True)
class PMap:
    values: Pattern


@dataclass(frozen=True)
class PRecord:
    """``any record T`` (fields None), ``any record T with {...}`` (at least these fields) or,
    when ``exact``, a structural record with exactly these fields."""

    label: str
    fields: tuple[tuple[str, Pattern], ...] | None = None
    exact: bool = False


@dataclass(frozen=True)
class PUnion:
    types: tuple[Pattern, ...]


@dataclass(frozen=True)
class PEnum:
    """``enum A`` (any enum) or ``enum A of fields of D`` (symbols = field names of record D)."""

    label: str
    of_record: str | None = None


@dataclass(frozen=True)
class PFixed:
    label: str


@dataclass(frozen=True)
class PFunction:
    params: tuple[Pattern, ...]
    ret: Pattern


Pattern = (PPrimitive | PAny | PRef | PArray | PMap | PRecord | PUnion | PEnum | PFixed
           | PFunction)


@dataclass(frozen=True)
class Param:
    name: str
    pattern: Pattern


@dataclass(frozen=True)
class Signature:
    """One signature: parameters in order, return pattern, deprecation version if any."""

    params: tuple[Param, ...]
    ret: Pattern
    deprecated: str | None = None

    @property
    def arity(self) -> int:
        return len(self.params)


@dataclass(frozen=True)
class FunctionSpec:
    """A library function: its signatures (spec order), error codes → messages,
    nondeterminism kind (None, "pseudorandom", "unstable" or "unordered") and, for a function
    that is not in the specification, why it exists (``extension``)."""

    name: str
    sigs: tuple[Signature, ...]
    errors: dict[int, str] = field(default_factory=dict, hash=False, compare=False)
    nondeterministic: str | None = None
    extension: str | None = None


def parse_pattern(obj: Any, _counter: list[int] | None = None) -> Pattern:
    """Build a pattern from its compact JSON form (the format of signatures.json)."""
    counter = [0] if _counter is None else _counter

    def hidden() -> str:
        counter[0] += 1
        return f"{_HIDDEN}{counter[0]}"

    def sub(o: Any) -> Pattern:
        return parse_pattern(o, counter)

    if isinstance(obj, str):
        return PPrimitive(PRIMITIVES[obj])
    if not isinstance(obj, dict):
        raise ValueError(f"not a type pattern: {obj!r}")
    if "any" in obj:
        of = tuple(PRIMITIVES[t] for t in obj["of"]) if "of" in obj else None
        return PAny(obj["any"], of)
    if "ref" in obj:
        return PRef(obj["ref"])
    if "array" in obj:
        return PArray(sub(obj["array"]))
    if "map" in obj:
        return PMap(sub(obj["map"]))
    if "record" in obj or "fields" in obj:
        fields = obj.get("fields")
        fs = None if fields is None else tuple((k, sub(v)) for k, v in fields.items())
        label = obj.get("record")
        return PRecord(label or hidden(), fs, exact=label is None)
    if "union" in obj:
        return PUnion(tuple(sub(t) for t in obj["union"]))
    if "enum" in obj:
        return PEnum(obj["enum"] or hidden(), obj.get("ofRecord"))
    if "fixed" in obj:
        return PFixed(obj["fixed"] or hidden())
    if "function" in obj:
        fn = obj["function"]
        return PFunction(tuple(sub(p) for p in fn["params"]), sub(fn["ret"]))
    raise ValueError(f"not a type pattern: {obj!r}")


def _parse_signature(obj: Mapping[str, Any]) -> Signature:
    counter = [0]
    params = tuple(Param(p["name"], parse_pattern(p["type"], counter)) for p in obj["params"])
    return Signature(params, parse_pattern(obj["ret"], counter), obj.get("deprecated"))


@functools.cache
def library() -> dict[str, FunctionSpec]:
    """Every library function by name, in specification order (loaded once)."""
    text = resources.files("pfa.lib").joinpath("signatures.json").read_text(encoding="utf-8")
    out: dict[str, FunctionSpec] = {}
    for f in json.loads(text)["functions"]:
        out[f["name"]] = FunctionSpec(
            f["name"], tuple(_parse_signature(s) for s in f["sigs"]),
            {int(k): v for k, v in f["errors"].items()}, f.get("nondeterministic"),
            f.get("extension"))
    return out


def lookup(name: str) -> FunctionSpec:
    """The spec of library function ``name``; raises :class:`UnknownFunction` if absent."""
    lib = library()
    spec = lib.get(name)
    if spec is None:
        close = difflib.get_close_matches(name, list(lib), n=1, cutoff=0.6)
        raise UnknownFunction(name, close[0] if close else None)
    return spec


# ---------------------------------------------------------------------------------------------
# Readable forms
# ---------------------------------------------------------------------------------------------

def pattern_to_str(p: Pattern) -> str:
    """The pattern in the specification's prose notation, e.g. ``array of any A``."""
    if isinstance(p, PPrimitive):
        return p.type.name
    if isinstance(p, PAny):
        if p.of is None:
            return f"any {p.label}"
        return f"any {p.label} of {{" + ", ".join(t.name for t in p.of) + "}"
    if isinstance(p, PRef):
        return p.label
    if isinstance(p, PArray):
        return f"array of {pattern_to_str(p.items)}"
    if isinstance(p, PMap):
        return f"map of {pattern_to_str(p.values)}"
    if isinstance(p, PUnion):
        return "union of {" + ", ".join(pattern_to_str(t) for t in p.types) + "}"
    if isinstance(p, PRecord):
        fields = ("{" + ", ".join(f"{k}: {pattern_to_str(v)}" for k, v in p.fields) + "}"
                  if p.fields is not None else "")
        if p.exact:
            return f"record {fields}"
        return f"any record {p.label}" + (f" with {fields}" if fields else "")
    if isinstance(p, PEnum):
        head = "any enum" if p.label.startswith(_HIDDEN) else f"enum {p.label}"
        return head + (f" of fields of {p.of_record}" if p.of_record else "")
    if isinstance(p, PFixed):
        return "any fixed" if p.label.startswith(_HIDDEN) else f"fixed {p.label}"
    if isinstance(p, PFunction):
        return ("function(" + ", ".join(pattern_to_str(t) for t in p.params)
                + f") -> {pattern_to_str(p.ret)}")
    raise TypeError(f"not a pattern: {p!r}")


def signature_to_str(name: str, sig: Signature) -> str:
    """``name(x: P, y: Q) -> R``."""
    params = ", ".join(f"{p.name}: {pattern_to_str(p.pattern)}" for p in sig.params)
    return f"{name}({params}) -> {pattern_to_str(sig.ret)}"


def _type_str(t: Any) -> str:
    if isinstance(t, AvroRecord | AvroEnum | AvroFixed):
        return f"{t.name} {t.fullname}"
    if isinstance(t, AvroArray):
        return f"array of {_type_str(t.items)}"
    if isinstance(t, AvroMap):
        return f"map of {_type_str(t.values)}"
    if isinstance(t, AvroUnion):
        return "union of {" + ", ".join(_type_str(x) for x in t.types) + "}"
    if isinstance(t, FcnType):
        return ("function(" + ", ".join(_type_str(x) for x in t.params)
                + f") -> {_type_str(t.ret)}")
    if isinstance(t, AvroType):
        return t.name
    return str(t)


def types_to_str(types: Sequence[Any]) -> str:
    """Argument types as ``(int, array of double)`` for error messages."""
    return "(" + ", ".join(_type_str(t) for t in types) + ")"


# ---------------------------------------------------------------------------------------------
# Matching
# ---------------------------------------------------------------------------------------------

class _Fail(Exception):
    """A signature does not match (the message says why)."""


def _labels_in(p: Pattern) -> set[str]:
    if isinstance(p, PAny | PRef | PFixed):
        return {p.label}
    if isinstance(p, PEnum):
        return {p.label} | ({p.of_record} if p.of_record else set())
    if isinstance(p, PArray):
        return _labels_in(p.items)
    if isinstance(p, PMap):
        return _labels_in(p.values)
    if isinstance(p, PUnion):
        return set().union(*(_labels_in(t) for t in p.types))
    if isinstance(p, PRecord):
        out = {p.label}
        for _, fp in p.fields or ():
            out |= _labels_in(fp)
        return out
    if isinstance(p, PFunction):
        return set().union(_labels_in(p.ret), *(_labels_in(t) for t in p.params))
    return set()


def _has_function(p: Pattern) -> bool:
    return isinstance(p, PFunction)


def _restrictions(sig: Signature) -> dict[str, tuple[str, ...]]:
    """label → allowed type names, from every ``any A of {...}`` in the signature."""
    out: dict[str, tuple[str, ...]] = {}

    def visit(p: Pattern) -> None:
        if isinstance(p, PAny) and p.of is not None:
            names = tuple(t.name for t in p.of)
            out[p.label] = tuple(n for n in out.get(p.label, names) if n in names)
        elif isinstance(p, PArray):
            visit(p.items)
        elif isinstance(p, PMap):
            visit(p.values)
        elif isinstance(p, PUnion):
            for t in p.types:
                visit(t)
        elif isinstance(p, PRecord):
            for _, fp in p.fields or ():
                visit(fp)
        elif isinstance(p, PFunction):
            for t in p.params:
                visit(t)
            visit(p.ret)

    for prm in sig.params:
        visit(prm.pattern)
    visit(sig.ret)
    return out


def _fcn_accepts(expected: FcnType, observed: Any) -> bool:
    """A provided function fits a function parameter: it takes at least the parameter types
    and returns something the parameter's return type accepts."""
    return (isinstance(observed, FcnType) and len(observed.params) == len(expected.params)
            and all(accepts(o, e) for o, e in zip(observed.params, expected.params))
            and accepts(expected.ret, observed.ret))


def _arg_accepts(expected: Any, observed: Any) -> bool:
    if isinstance(expected, FcnType):
        return _fcn_accepts(expected, observed)
    return isinstance(observed, AvroType) and accepts(expected, observed)


class _Matcher:
    """Label bindings of one attempt to match one signature."""

    def __init__(self, sig: Signature, bindings: Mapping[str, AvroType] | None = None):
        self.sig = sig
        self.of = _restrictions(sig)
        self.bind: dict[str, AvroType] = dict(bindings or {})
        self.kind: dict[str, type] = {}  # labels that must stay a record / enum / fixed
        self._descended: set[str] = set()  # record labels whose fields were already walked

    # -- phase 1: binding --------------------------------------------------------------------
    def bind_label(self, label: str, t: Any, covariant: bool, kind: type | None = None) -> None:
        if not isinstance(t, AvroType):
            raise _Fail(f"{label} cannot be a function")
        cur = self.bind.get(label)
        if cur is None:
            new = t
        elif not covariant or cur == t:
            return
        else:
            try:
                new = narrowest_supertype([cur, t])
            except NoSupertypeError as exc:
                raise _Fail(f"{label} cannot be both {_type_str(cur)} and {_type_str(t)}") from exc
        if kind is not None:
            self.kind.setdefault(label, kind)
        want = self.kind.get(label)
        if want is not None and not isinstance(new, want):
            raise _Fail(f"{label} would have to be both {_type_str(cur)} and {_type_str(t)}")
        allowed = self.of.get(label)
        if allowed is not None and new.name not in allowed:
            raise _Fail(f"{label} must be one of {{{', '.join(allowed)}}}, "
                        f"not {_type_str(new)}")
        self.bind[label] = new

    def match(self, p: Pattern, t: Any, covariant: bool = True) -> None:
        """Walk ``t`` against ``p``, binding labels; raise _Fail on a structural mismatch."""
        if isinstance(p, PFunction):
            if not isinstance(t, FcnType) or len(t.params) != len(p.params):
                raise _Fail(f"expected {pattern_to_str(p)}, found {_type_str(t)}")
            for pp, tp in zip(p.params, t.params):
                self.match(pp, tp, not covariant)
            self.match(p.ret, t.ret, covariant)
            return
        if not isinstance(t, AvroType):
            raise _Fail(f"expected {pattern_to_str(p)}, found {_type_str(t)}")
        if isinstance(p, PPrimitive):
            ok = accepts(p.type, t) if covariant else accepts(t, p.type)
            if not ok:
                raise _Fail(f"expected {p.type.name}, found {_type_str(t)}")
        elif isinstance(p, PAny | PRef):
            self.bind_label(p.label, t, covariant)
        elif isinstance(p, PArray):
            if not isinstance(t, AvroArray):
                raise _Fail(f"expected an array, found {_type_str(t)}")
            self.match(p.items, t.items, covariant)
        elif isinstance(p, PMap):
            if not isinstance(t, AvroMap):
                raise _Fail(f"expected a map, found {_type_str(t)}")
            self.match(p.values, t.values, covariant)
        elif isinstance(p, PRecord):
            self._match_named(p.label, t, AvroRecord, "a record", covariant)
            if p.label in self._descended:
                return
            self._descended.add(p.label)
            if p.fields is not None:
                assert isinstance(t, AvroRecord)
                for fname, fp in p.fields:
                    f = t.field(fname)
                    if f is None:
                        raise _Fail(f"record {t.fullname} has no field {fname!r}")
                    try:
                        self.match(fp, f.type, covariant)
                    except _Fail as exc:
                        raise _Fail(f"field {fname!r} of record {t.fullname}: {exc}") from exc
        elif isinstance(p, PEnum):
            self._match_named(p.label, t, AvroEnum, "an enum", covariant)
        elif isinstance(p, PFixed):
            self._match_named(p.label, t, AvroFixed, "a fixed", covariant)
        elif isinstance(p, PUnion):
            self._match_union(p, t, covariant)
        else:  # pragma: no cover
            raise TypeError(f"not a pattern: {p!r}")

    def _match_named(self, label: str, t: AvroType, kind: type, what: str,
                     covariant: bool) -> None:
        if not isinstance(t, kind):
            raise _Fail(f"expected {what}, found {_type_str(t)}")
        cur = self.bind.get(label)
        if cur is not None and covariant and cur != t:
            raise _Fail(f"{label} cannot be both {_type_str(cur)} and {_type_str(t)}")
        self.bind_label(label, t, covariant, kind)

    def _closed(self, p: Pattern) -> bool:
        return _labels_in(p) <= self.bind.keys()

    def _match_union(self, p: PUnion, t: AvroType, covariant: bool) -> None:
        members = t.types if isinstance(t, AvroUnion) else (t,)
        closed = [m for m in p.types if self._closed(m)]
        open_ = [m for m in p.types if not self._closed(m)]
        leftover = []
        for o in members:
            for m in closed:
                try:
                    c = self.concrete(m)
                except _Fail:
                    continue
                if accepts(c, o) if covariant else accepts(o, c):
                    break
            else:
                leftover.append(o)
        if not leftover:
            return
        if len(open_) == 1 and isinstance(open_[0], PAny | PRef):
            self.bind_label(open_[0].label, narrowest_supertype(leftover)
                            if len(leftover) > 1 else leftover[0], covariant)
            return
        for o in leftover:
            for m in open_:
                saved = (dict(self.bind), dict(self.kind), set(self._descended))
                try:
                    self.match(m, o, covariant)
                    break
                except (_Fail, NoSupertypeError):
                    self.bind, self.kind, self._descended = saved
            else:
                raise _Fail(f"expected {pattern_to_str(p)}, found {_type_str(t)}")

    # -- phase 2: concrete types ---------------------------------------------------------------
    def label_type(self, label: str) -> AvroType:
        t = self.bind.get(label)
        if t is None:
            raise _Fail(f"cannot determine the type of {label}")
        return t

    def concrete(self, p: Pattern) -> Any:
        """The concrete type of ``p`` under the bindings (checks record/enum constraints)."""
        if isinstance(p, PPrimitive):
            return p.type
        if isinstance(p, PAny | PRef):
            return self.label_type(p.label)
        if isinstance(p, PArray):
            return AvroArray(self.concrete(p.items))
        if isinstance(p, PMap):
            return AvroMap(self.concrete(p.values))
        if isinstance(p, PUnion):
            try:
                return narrowest_supertype([self.concrete(m) for m in p.types])
            except NoSupertypeError as exc:
                raise _Fail(str(exc)) from exc
        if isinstance(p, PRecord):
            rec = self.label_type(p.label)
            if not isinstance(rec, AvroRecord):
                raise _Fail(f"{p.label} must be a record, not {_type_str(rec)}")
            if p.fields is not None:
                for fname, fp in p.fields:
                    f = rec.field(fname)
                    if f is None:
                        raise _Fail(f"record {rec.fullname} has no field {fname!r}")
                    want = self.concrete(fp)
                    if not accepts(want, f.type):
                        raise _Fail(f"field {fname!r} of record {rec.fullname} should be "
                                    f"{_type_str(want)}, not {_type_str(f.type)}")
                if p.exact and set(rec.field_names) != {k for k, _ in p.fields}:
                    raise _Fail(f"record {rec.fullname} must have exactly the fields "
                                + ", ".join(k for k, _ in p.fields))
            return rec
        if isinstance(p, PEnum):
            enum = self.label_type(p.label)
            if not isinstance(enum, AvroEnum):
                raise _Fail(f"{p.label} must be an enum, not {_type_str(enum)}")
            if p.of_record is not None:
                rec = self.label_type(p.of_record)
                if not isinstance(rec, AvroRecord) or enum.symbols != rec.field_names:
                    raise _Fail(f"the symbols of enum {enum.fullname} must be the field names "
                                f"of {_type_str(rec)}, in order")
            return enum
        if isinstance(p, PFixed):
            fixed = self.label_type(p.label)
            if not isinstance(fixed, AvroFixed):
                raise _Fail(f"{p.label} must be a fixed, not {_type_str(fixed)}")
            return fixed
        if isinstance(p, PFunction):
            return FcnType(tuple(self.concrete(t) for t in p.params), self.concrete(p.ret))
        raise TypeError(f"not a pattern: {p!r}")  # pragma: no cover

    def labels(self) -> dict[str, AvroType]:
        return {k: v for k, v in self.bind.items() if not k.startswith(_HIDDEN)}


def _try_signature(name: str, index: int, sig: Signature,
                   arg_types: Sequence[Any]) -> ResolvedCall:
    m = _Matcher(sig)
    order = sorted(range(sig.arity), key=lambda i: _has_function(sig.params[i].pattern))
    for i in order:
        try:
            m.match(sig.params[i].pattern, arg_types[i])
        except _Fail as exc:
            raise _Fail(f"argument {i + 1} ({sig.params[i].name}): {exc}") from exc
    params = []
    for i, prm in enumerate(sig.params):
        try:
            c = m.concrete(prm.pattern)
        except _Fail as exc:
            raise _Fail(f"argument {i + 1} ({prm.name}): {exc}") from exc
        if not _arg_accepts(c, arg_types[i]):
            raise _Fail(f"argument {i + 1} ({prm.name}): expected {_type_str(c)}, "
                        f"found {_type_str(arg_types[i])}")
        params.append(c)
    ret = m.concrete(sig.ret)
    return ResolvedCall(name, index, tuple(params), ret, m.labels())


def _mismatch(spec: FunctionSpec, arg_types: Sequence[Any],
              reasons: list[tuple[int, str]]) -> str:
    sigs = "\n".join("  " + signature_to_str(spec.name, s) for s in spec.sigs)
    word = "signature is" if len(spec.sigs) == 1 else "signatures are"
    msg = (f"library function {spec.name!r} does not accept arguments of types "
           f"{types_to_str(arg_types)}; its {word}:\n{sigs}")
    if len(reasons) == 1:
        msg += f"\n{reasons[0][1]}"
    elif reasons:
        msg += "".join(f"\nsignature {i + 1}: {r}" for i, r in reasons)
    else:
        counts = sorted({s.arity for s in spec.sigs})
        msg += (f"\nit takes {' or '.join(map(str, counts))} argument(s), "
                f"{len(arg_types)} given")
    return msg


def resolve_call(name: str, arg_types: Sequence[AvroType | FcnType]) -> ResolvedCall:
    """Match a call of library function ``name`` with these argument types.

    Signatures are tried in specification order; the first that matches wins. Raises
    :class:`UnknownFunction` or :class:`SignatureMismatch`.
    """
    spec = lookup(name)
    reasons: list[tuple[int, str]] = []
    for index, sig in enumerate(spec.sigs):
        if sig.arity != len(arg_types):
            continue
        try:
            return _try_signature(name, index, sig, arg_types)
        except (_Fail, NoSupertypeError) as exc:
            reasons.append((index, str(exc)))
    raise SignatureMismatch(_mismatch(spec, arg_types, reasons))


def resolve_fcnref(name: str, fill_types: Mapping[str, AvroType] | None = None
                   ) -> tuple[FcnType, ResolvedCall]:
    """Resolve ``{"fcn": name}`` (optionally with ``fill``) for a library function.

    The function must have a single signature; parameters left unfilled and the return type
    must be concrete once the filled parameters have bound their labels (no free wildcards,
    no function parameters). Returns the FcnType of the reference (unfilled parameters in
    order) and the ResolvedCall of the full signature. Raises :class:`UnknownFunction` or
    :class:`SignatureMismatch`.
    """
    spec = lookup(name)
    fill = dict(fill_types or {})
    if len(spec.sigs) != 1:
        raise SignatureMismatch(f"library function {name!r} has {len(spec.sigs)} signatures "
                                "and cannot be referenced by \"fcn\"; wrap it in a fcndef")
    sig = spec.sigs[0]
    names = [p.name for p in sig.params]
    unknown = sorted(set(fill) - set(names))
    if unknown:
        raise SignatureMismatch(f"library function {name!r} has no parameter(s) "
                                f"{', '.join(unknown)} to fill; its parameters are "
                                f"{', '.join(names)}")
    m = _Matcher(sig)
    try:
        for prm in sig.params:
            if prm.name in fill:
                m.match(prm.pattern, fill[prm.name])
        params: list[Any] = []
        remaining: list[AvroType] = []
        for prm in sig.params:
            if prm.name not in fill and (_has_function(prm.pattern)
                                         or not m._closed(prm.pattern)):
                raise _Fail(f"parameter {prm.name} ({pattern_to_str(prm.pattern)}) is generic "
                            "or a function")
            c = m.concrete(prm.pattern)
            if prm.name in fill:
                if not _arg_accepts(c, fill[prm.name]):
                    raise _Fail(f"fill {prm.name}: expected {_type_str(c)}, "
                                f"found {_type_str(fill[prm.name])}")
            else:
                remaining.append(c)
            params.append(c)
        if not m._closed(sig.ret):
            raise _Fail(f"its return type ({pattern_to_str(sig.ret)}) is generic")
        ret = m.concrete(sig.ret)
    except (_Fail, NoSupertypeError) as exc:
        raise SignatureMismatch(
            f"library function {name!r} cannot be referenced by \"fcn\""
            + (f" with fill {types_to_str(list(fill.values()))}" if fill else "")
            + f": {exc}; its signature is {signature_to_str(name, sig)}. Only non-generic "
            "functions can be referenced (wrap others in a fcndef)") from exc
    return FcnType(tuple(remaining), ret), ResolvedCall(name, 0, tuple(params), ret, m.labels())


def function_param_types(name: str, arg_types: Sequence[AvroType | FcnType | None],
                         index: int) -> list[tuple[int, tuple[AvroType, ...]]]:
    """Parameter types that a function argument at position ``index`` should take.

    For the checker: ``arg_types`` are the other arguments' types (None where unknown, e.g.
    the function argument itself). For each signature of matching arity whose parameter
    ``index`` is a function pattern and whose other arguments bind, returns
    ``(sig_index, param types)`` for the parameters that are determined (e.g. a.map over
    array of int → ``(0, (INT,))``). Signatures whose function parameters stay generic are
    skipped.
    """
    spec = lookup(name)
    out = []
    for si, sig in enumerate(spec.sigs):
        if sig.arity != len(arg_types) or not isinstance(sig.params[index].pattern, PFunction):
            continue
        m = _Matcher(sig)
        pat = sig.params[index].pattern
        assert isinstance(pat, PFunction)
        try:
            for i, prm in enumerate(sig.params):
                if i != index and arg_types[i] is not None and not _has_function(prm.pattern):
                    m.match(prm.pattern, arg_types[i])
            out.append((si, tuple(m.concrete(p) for p in pat.params)))
        except (_Fail, NoSupertypeError):
            continue
    return out
