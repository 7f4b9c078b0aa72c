"""Avro types as immutable Python objects, and the schema parser that builds them.

Primitive types are singletons (``NULL``, ``BOOLEAN``, ``INT`` …). Named types (fixed, enum,
record) compare and hash by their fully qualified name, which lets recursive records (a tree
node whose branches are unions of itself) exist without infinite recursion. Structural types
(array, map, union) compare by content.

A PFA document may reference a named type before the JSON object that defines it (object
members are unordered), so :class:`TypeParser` works in two phases: :meth:`TypeParser.collect`
records every named definition in every schema of the document, then :meth:`TypeParser.parse`
builds types with all names known.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from pfa.errors import PfaSyntaxError
from pfa.names import FULLNAME_RE, NAME_RE

PRIMITIVE_NAMES = ("null", "boolean", "int", "long", "float", "double", "bytes", "string")


class AvroType:
    """Base class of every Avro type."""

    __slots__ = ()

    @property
    def name(self) -> str:
        """The Avro type keyword: "int", "record", "array" …"""
        raise NotImplementedError

    def to_json(self, seen: set[str] | None = None, namespace: str | None = None) -> Any:
        """The Avro schema as JSON; named types are written in full once, then by name."""
        raise NotImplementedError

    def __str__(self) -> str:  # short, human form used in error messages
        import json

        return json.dumps(self.to_json(), separators=(",", ":"))


class AvroPrimitive(AvroType):
    __slots__ = ("_name",)

    def __init__(self, name: str):
        self._name = name

    @property
    def name(self) -> str:
        return self._name

    def to_json(self, seen=None, namespace=None):
        return self._name

    def __repr__(self) -> str:
        return self._name.upper()

    def __reduce__(self):
        return (_primitive, (self._name,))


NULL = AvroPrimitive("null")
BOOLEAN = AvroPrimitive("boolean")
INT = AvroPrimitive("int")
LONG = AvroPrimitive("long")
FLOAT = AvroPrimitive("float")
DOUBLE = AvroPrimitive("double")
BYTES = AvroPrimitive("bytes")
STRING = AvroPrimitive("string")
PRIMITIVES: dict[str, AvroPrimitive] = {
    t.name: t for t in (NULL, BOOLEAN, INT, LONG, FLOAT, DOUBLE, BYTES, STRING)
}
NUMERIC_ORDER = {"int": 0, "long": 1, "float": 2, "double": 3}


def _primitive(name: str) -> AvroPrimitive:
    return PRIMITIVES[name]


def is_numeric(t: AvroType) -> bool:
    return t.name in NUMERIC_ORDER


def without_null(t: AvroType) -> AvroType:
    """``t`` with the null branch of a union removed (one remaining branch is unwrapped)."""
    if not isinstance(t, AvroUnion):
        return t
    rest = tuple(b for b in t.types if b.name != "null")
    if len(rest) == len(t.types) or not rest:
        return t
    return rest[0] if len(rest) == 1 else AvroUnion(rest)


@dataclass(frozen=True, eq=True)
class AvroArray(AvroType):
    items: AvroType

    @property
    def name(self) -> str:
        return "array"

    def to_json(self, seen=None, namespace=None):
        seen = set() if seen is None else seen
        return {"type": "array", "items": self.items.to_json(seen, namespace)}


@dataclass(frozen=True, eq=True)
class AvroMap(AvroType):
    values: AvroType

    @property
    def name(self) -> str:
        return "map"

    def to_json(self, seen=None, namespace=None):
        seen = set() if seen is None else seen
        return {"type": "map", "values": self.values.to_json(seen, namespace)}


@dataclass(frozen=True, eq=True)
class AvroUnion(AvroType):
    types: tuple[AvroType, ...]

    @property
    def name(self) -> str:
        return "union"

    def to_json(self, seen=None, namespace=None):
        seen = set() if seen is None else seen
        return [t.to_json(seen, namespace) for t in self.types]


class AvroNamed(AvroType):
    """A fixed, enum or record: identity is its fully qualified name."""

    __slots__ = ("_name", "namespace", "aliases", "doc")

    def __init__(self, name: str, namespace: str | None = None,
                 aliases: Sequence[str] = (), doc: str | None = None):
        if "." in name:
            namespace, _, name = name.rpartition(".")
        self._name = name
        self.namespace = namespace or None
        self.aliases = tuple(aliases)
        self.doc = doc

    @property
    def short_name(self) -> str:
        return self._name

    @property
    def fullname(self) -> str:
        return f"{self.namespace}.{self._name}" if self.namespace else self._name

    def __eq__(self, other: object) -> bool:
        return (type(other) is type(self)
                and other.fullname == self.fullname  # type: ignore[attr-defined]
                and self._structure() == other._structure())  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash((type(self).__name__, self.fullname))

    def _structure(self) -> Any:
        return None

    def _head(self, seen: set[str], namespace: str | None) -> dict[str, Any] | str:
        if self.fullname in seen:
            return self.fullname if self.namespace != namespace else self._name
        seen.add(self.fullname)
        out: dict[str, Any] = {"type": self.name, "name": self._name}
        if self.namespace != namespace:  # "" escapes an enclosing namespace
            out["namespace"] = self.namespace or ""
        if self.aliases:
            out["aliases"] = list(self.aliases)
        if self.doc is not None:
            out["doc"] = self.doc
        return out

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.fullname!r})"


class AvroFixed(AvroNamed):
    __slots__ = ("size",)

    def __init__(self, name: str, size: int, namespace: str | None = None,
                 aliases: Sequence[str] = (), doc: str | None = None):
        super().__init__(name, namespace, aliases, doc)
        self.size = size

    @property
    def name(self) -> str:
        return "fixed"

    def _structure(self):
        return self.size

    def to_json(self, seen=None, namespace=None):
        seen = set() if seen is None else seen
        head = self._head(seen, namespace)
        if isinstance(head, dict):
            head["size"] = self.size
        return head


class AvroEnum(AvroNamed):
    __slots__ = ("symbols", "_index")

    def __init__(self, name: str, symbols: Sequence[str], namespace: str | None = None,
                 aliases: Sequence[str] = (), doc: str | None = None):
        super().__init__(name, namespace, aliases, doc)
        self.symbols = tuple(symbols)
        self._index = {s: i for i, s in enumerate(self.symbols)}

    @property
    def name(self) -> str:
        return "enum"

    def _structure(self):
        return self.symbols

    def index(self, symbol: str) -> int:
        """Position of ``symbol`` in the enum (raises KeyError if absent)."""
        return self._index[symbol]

    def to_json(self, seen=None, namespace=None):
        seen = set() if seen is None else seen
        head = self._head(seen, namespace)
        if isinstance(head, dict):
            head["symbols"] = list(self.symbols)
        return head


@dataclass(frozen=True)
class AvroField:
    name: str
    type: AvroType
    default: Any = None
    has_default: bool = False
    order: str | None = None
    aliases: tuple[str, ...] = ()
    doc: str | None = None

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, AvroField) and self.name == other.name
                and _type_eq(self.type, other.type))

    def __hash__(self) -> int:
        return hash(self.name)


def _type_eq(a: AvroType, b: AvroType) -> bool:
    """Equality that does not recurse into named types (they compare by name and kind)."""
    if isinstance(a, AvroNamed) or isinstance(b, AvroNamed):
        return type(a) is type(b) and a.fullname == b.fullname  # type: ignore[union-attr]
    return a == b


class AvroRecord(AvroNamed):
    """A record; ``fields`` is filled in after construction so records may be recursive."""

    __slots__ = ("fields", "_by_name")

    def __init__(self, name: str, fields: Sequence[AvroField] = (), namespace: str | None = None,
                 aliases: Sequence[str] = (), doc: str | None = None):
        super().__init__(name, namespace, aliases, doc)
        self.set_fields(fields)

    def set_fields(self, fields: Sequence[AvroField]) -> None:
        self.fields = tuple(fields)
        self._by_name = {f.name: f for f in self.fields}

    @property
    def name(self) -> str:
        return "record"

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    def field(self, name: str) -> AvroField | None:
        return self._by_name.get(name)

    def _structure(self):
        return tuple((f.name, _type_key(f.type)) for f in self.fields)

    def to_json(self, seen=None, namespace=None):
        seen = set() if seen is None else seen
        head = self._head(seen, namespace)
        if isinstance(head, dict):
            inner_ns = self.namespace
            fields = []
            for f in self.fields:
                fj: dict[str, Any] = {"name": f.name, "type": f.type.to_json(seen, inner_ns)}
                if f.has_default:
                    fj["default"] = f.default
                if f.order is not None:
                    fj["order"] = f.order
                if f.aliases:
                    fj["aliases"] = list(f.aliases)
                if f.doc is not None:
                    fj["doc"] = f.doc
                fields.append(fj)
            head["fields"] = fields
        return head


def _type_key(t: AvroType) -> Any:
    if isinstance(t, AvroNamed):
        return (t.name, t.fullname)
    if isinstance(t, AvroArray):
        return ("array", _type_key(t.items))
    if isinstance(t, AvroMap):
        return ("map", _type_key(t.values))
    if isinstance(t, AvroUnion):
        return ("union", tuple(_type_key(x) for x in t.types))
    return t.name


# ---------------------------------------------------------------------------------------------
# Schema parsing
# ---------------------------------------------------------------------------------------------

def strip_locators(obj: Any) -> Any:
    """Remove every ``"@"`` member (PFA locator marks) from a JSON value."""
    if isinstance(obj, dict):
        return {k: strip_locators(v) for k, v in obj.items() if k != "@"}
    if isinstance(obj, list):
        return [strip_locators(v) for v in obj]
    return obj


def _fullname(name: str, namespace: str | None) -> str:
    if "." in name or not namespace:
        return name
    return f"{namespace}.{name}"


class TypeParser:
    """Parses the Avro schemas of one PFA document, sharing one table of named types."""

    def __init__(self) -> None:
        self._defs: dict[str, tuple[dict[str, Any], str | None, str]] = {}
        self.types: dict[str, AvroNamed] = {}

    # -- phase 1 ----------------------------------------------------------------------------
    def collect(self, schema: Any, namespace: str | None = None, path: str = "$") -> None:
        """Record the named types defined anywhere inside ``schema`` (no building yet)."""
        schema = strip_locators(schema)
        self._collect(schema, namespace, path)

    def _collect(self, schema: Any, namespace: str | None, path: str) -> None:
        if isinstance(schema, list):
            for i, s in enumerate(schema):
                self._collect(s, namespace, f"{path}[{i}]")
        elif isinstance(schema, dict):
            kind = schema.get("type")
            if kind in ("record", "enum", "fixed", "error"):
                name = schema.get("name")
                if not isinstance(name, str) or not FULLNAME_RE.fullmatch(name):
                    raise PfaSyntaxError(f"a {kind} type needs a valid \"name\", found {name!r}",
                                         f"{path}.name")
                ns = schema.get("namespace", namespace)
                if ns is not None and not isinstance(ns, str):
                    raise PfaSyntaxError("\"namespace\" must be a string", f"{path}.namespace")
                full = _fullname(name, ns)
                if full in PRIMITIVE_NAMES:
                    raise PfaSyntaxError(f"cannot redefine primitive type {full!r}", path)
                if full in self._defs and self._defs[full][0] != schema:
                    raise PfaSyntaxError(f"named type {full!r} is defined twice", path)
                inner_ns = full.rpartition(".")[0] or None
                self._defs[full] = (schema, inner_ns, path)
                if kind in ("record", "error"):
                    fields = schema.get("fields")
                    if isinstance(fields, list):
                        for i, f in enumerate(fields):
                            if isinstance(f, dict) and "type" in f:
                                self._collect(f["type"], inner_ns, f"{path}.fields[{i}].type")
            elif kind == "array":
                self._collect(schema.get("items"), namespace, f"{path}.items")
            elif kind == "map":
                self._collect(schema.get("values"), namespace, f"{path}.values")
            elif isinstance(kind, (dict, list)):
                self._collect(kind, namespace, f"{path}.type")

    # -- phase 2 ----------------------------------------------------------------------------
    def parse(self, schema: Any, namespace: str | None = None, path: str = "$") -> AvroType:
        """Build the AvroType of ``schema``; named references must have been collected."""
        schema = strip_locators(schema)
        self._collect(schema, namespace, path)
        return self._parse(schema, namespace, path)

    def _parse(self, schema: Any, namespace: str | None, path: str) -> AvroType:
        if isinstance(schema, str):
            if schema in PRIMITIVES:
                return PRIMITIVES[schema]
            return self._named(schema, namespace, path)
        if isinstance(schema, list):
            if not schema:
                raise PfaSyntaxError("a union needs at least one type", path)
            types = [self._parse(s, namespace, f"{path}[{i}]") for i, s in enumerate(schema)]
            for i, t in enumerate(types):
                if isinstance(t, AvroUnion):
                    raise PfaSyntaxError("a union may not directly contain another union",
                                         f"{path}[{i}]")
            keys = [_union_key(t) for t in types]
            if len(set(keys)) != len(keys):
                raise PfaSyntaxError("a union may not contain two types of the same kind "
                                     "(or two named types with one name)", path)
            return AvroUnion(tuple(types))
        if isinstance(schema, dict):
            kind = schema.get("type")
            if isinstance(kind, (dict, list)):
                return self._parse(kind, namespace, f"{path}.type")
            if kind in PRIMITIVES:
                return PRIMITIVES[kind]
            if kind == "array":
                if "items" not in schema:
                    raise PfaSyntaxError("an array type needs \"items\"", path)
                return AvroArray(self._parse(schema["items"], namespace, f"{path}.items"))
            if kind == "map":
                if "values" not in schema:
                    raise PfaSyntaxError("a map type needs \"values\"", path)
                return AvroMap(self._parse(schema["values"], namespace, f"{path}.values"))
            if kind in ("record", "enum", "fixed", "error"):
                full = _fullname(schema["name"], schema.get("namespace", namespace))
                return self._named(full, None, path)
            if isinstance(kind, str):
                return self._named(kind, namespace, path)
            raise PfaSyntaxError(f"not an Avro schema: {schema!r}", path)
        raise PfaSyntaxError(f"not an Avro schema: {schema!r}", path)

    def _named(self, name: str, namespace: str | None, path: str) -> AvroNamed:
        candidates = [_fullname(name, namespace), name]
        for full in candidates:
            if full in self.types:
                return self.types[full]
            if full in self._defs:
                return self._build(full)
        raise PfaSyntaxError(f"unknown type name {name!r}", path)

    def _build(self, full: str) -> AvroNamed:
        schema, ns, path = self._defs[full]
        kind = schema["type"]
        short = full.rpartition(".")[2]
        aliases = schema.get("aliases", ()) or ()
        doc = schema.get("doc")
        if kind == "fixed":
            size = schema.get("size")
            if not isinstance(size, int) or isinstance(size, bool) or size < 0:
                raise PfaSyntaxError("a fixed type needs a non-negative integer \"size\"", path)
            t: AvroNamed = AvroFixed(short, size, ns, aliases, doc)
            self.types[full] = t
            return t
        if kind == "enum":
            symbols = schema.get("symbols")
            if (not isinstance(symbols, list) or not all(isinstance(s, str) for s in symbols)
                    or len(set(symbols)) != len(symbols)):
                raise PfaSyntaxError("an enum type needs \"symbols\": distinct strings", path)
            for s in symbols:
                if not NAME_RE.fullmatch(s):
                    raise PfaSyntaxError(f"enum symbol {s!r} is not a valid name", path)
            t = AvroEnum(short, symbols, ns, aliases, doc)
            self.types[full] = t
            return t
        rec = AvroRecord(short, (), ns, aliases, doc)
        self.types[full] = rec  # registered before its fields: recursion resolves to it
        raw_fields = schema.get("fields")
        if not isinstance(raw_fields, list):
            raise PfaSyntaxError("a record type needs \"fields\": a list", path)
        fields = []
        seen_names = set()
        for i, f in enumerate(raw_fields):
            fpath = f"{path}.fields[{i}]"
            if not isinstance(f, dict) or not isinstance(f.get("name"), str) or "type" not in f:
                raise PfaSyntaxError("a record field needs \"name\" and \"type\"", fpath)
            if not NAME_RE.fullmatch(f["name"]):
                raise PfaSyntaxError(f"record field name {f['name']!r} is not a valid name", fpath)
            if f["name"] in seen_names:
                raise PfaSyntaxError(f"record field {f['name']!r} appears twice", fpath)
            seen_names.add(f["name"])
            ftype = self._parse(f["type"], ns, f"{fpath}.type")
            fields.append(AvroField(f["name"], ftype, f.get("default"), "default" in f,
                                    f.get("order"), tuple(f.get("aliases", ()) or ()),
                                    f.get("doc")))
        rec.set_fields(fields)
        return rec


def _union_key(t: AvroType) -> str:
    return t.fullname if isinstance(t, AvroNamed) else t.name


def parse_type(schema: Any, known: Iterable[AvroNamed] = ()) -> AvroType:
    """Parse one standalone Avro schema (named types it references must be defined in it
    or be given in ``known``)."""
    p = TypeParser()
    for t in known:
        p.types[t.fullname] = t
    return p.parse(schema)


# ---------------------------------------------------------------------------------------------
# Type relations: the spec's "accepts" and "narrowest supertype"
# ---------------------------------------------------------------------------------------------

def accepts(expected: AvroType, observed: AvroType, _memo: set | None = None) -> bool:
    """True if a value of type ``observed`` may be used where ``expected`` is required."""
    memo = set() if _memo is None else _memo
    if isinstance(observed, AvroUnion) and not isinstance(expected, AvroUnion):
        return all(accepts(expected, t, memo) for t in observed.types)
    if isinstance(expected, AvroUnion):
        if isinstance(observed, AvroUnion):
            return all(any(accepts(e, o, memo) for e in expected.types) for o in observed.types)
        return any(accepts(e, observed, memo) for e in expected.types)
    en, on = expected.name, observed.name
    if en in NUMERIC_ORDER:
        return on in NUMERIC_ORDER and NUMERIC_ORDER[on] <= NUMERIC_ORDER[en]
    if isinstance(expected, AvroPrimitive):
        return en == on
    if isinstance(expected, AvroArray):
        return isinstance(observed, AvroArray) and accepts(expected.items, observed.items, memo)
    if isinstance(expected, AvroMap):
        return isinstance(observed, AvroMap) and accepts(expected.values, observed.values, memo)
    if isinstance(expected, AvroFixed):
        return (isinstance(observed, AvroFixed) and expected.fullname == observed.fullname
                and expected.size == observed.size)
    if isinstance(expected, AvroEnum):
        return (isinstance(observed, AvroEnum) and expected.fullname == observed.fullname
                and set(observed.symbols) <= set(expected.symbols))
    if isinstance(expected, AvroRecord):
        if not isinstance(observed, AvroRecord) or expected.fullname != observed.fullname:
            return False
        key = (id(expected), id(observed))
        if key in memo or expected is observed:
            return True
        memo.add(key)
        for f in expected.fields:
            of = observed.field(f.name)
            if of is None or not accepts(f.type, of.type, memo):
                return False
        return True
    return False


def _same_kind_supertype(a: AvroType, b: AvroType) -> AvroType | None:
    """Rules 1–13 for a pair: the promoted type, or None if they only combine in a union."""
    if a.name in NUMERIC_ORDER and b.name in NUMERIC_ORDER:
        return a if NUMERIC_ORDER[a.name] >= NUMERIC_ORDER[b.name] else b
    if isinstance(a, AvroPrimitive) and isinstance(b, AvroPrimitive):
        return a if a.name == b.name else None
    if isinstance(a, AvroArray) and isinstance(b, AvroArray):
        return AvroArray(narrowest_supertype([a.items, b.items]))
    if isinstance(a, AvroMap) and isinstance(b, AvroMap):
        return AvroMap(narrowest_supertype([a.values, b.values]))
    if isinstance(a, AvroNamed) and isinstance(b, AvroNamed):
        return a if a == b else None
    return None


class NoSupertypeError(ValueError):
    """The types have no narrowest supertype (distinct fixed or enum types)."""


def narrowest_supertype(types: Sequence[AvroType]) -> AvroType:
    """The spec's narrowest supertype of a non-empty collection of types."""
    if not types:
        raise ValueError("narrowest_supertype of no types")
    flat: list[AvroType] = []
    for t in types:
        flat.extend(t.types if isinstance(t, AvroUnion) else (t,))
    merged: list[AvroType] = []
    for t in flat:
        for i, m in enumerate(merged):
            s = _same_kind_supertype(m, t)
            if s is not None:
                merged[i] = s
                break
            if _union_key(m) == _union_key(t):
                raise NoSupertypeError(f"no common supertype of {m} and {t}")
        else:
            merged.append(t)
    if len(merged) == 1:
        return merged[0]
    # Distinct fixed (or enum) types would need a runtime conversion to share a type: refuse.
    # A single enum or fixed may still sit in a union beside other kinds (e.g. with null).
    for kind in (AvroFixed, AvroEnum):
        if sum(isinstance(m, kind) for m in merged) > 1:
            # ... unless an input union already holds them all (e.g. [X, X] for such a union)
            for t in types:
                if all(accepts(t, o) for o in types):
                    return t
            raise NoSupertypeError("no common supertype of " + ", ".join(str(t) for t in types))
    return AvroUnion(tuple(merged))
