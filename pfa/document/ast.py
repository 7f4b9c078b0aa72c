"""The PFA abstract syntax tree: one dataclass per top-level field and per special form.

Nodes compare by their content only. ``path`` (JSON path in the source document) and
``pos`` (the ``@`` locator mark, if any) are kept for error messages and never compared.
The checker annotates every expression with its Avro type in ``type`` and library calls and
function references with their resolved signature in ``resolved``; those annotations are not
compared either, so ``read(write(ast)) == ast`` holds for checked and unchecked trees alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class _NoValue:
    """Marks an optional top-level field that is absent (``None`` may be a real value)."""

    _instance: _NoValue | None = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "NO_VALUE"

    def __bool__(self) -> bool:
        return False

    def __reduce__(self):
        return (_NoValue, ())


NO_VALUE: Any = _NoValue()


@dataclass(eq=True)
class Node:
    """Base of every AST node."""

    path: str = field(default="$", compare=False, repr=False, kw_only=True)
    pos: str | None = field(default=None, compare=False, repr=False, kw_only=True)


@dataclass(eq=True)
class TypeSpec(Node):
    """An Avro schema as written in the document (locator marks stripped).

    The checker fills ``avro`` with the parsed :class:`pfa.avro.AvroType`.
    """

    json: Any
    avro: Any = field(default=None, compare=False, repr=False, kw_only=True)


@dataclass(eq=True)
class Expr(Node):
    """Base of every expression. ``type`` is set by the checker."""

    type: Any = field(default=None, compare=False, repr=False, kw_only=True)


# --- symbols and literals ---------------------------------------------------------------------

@dataclass(eq=True)
class Ref(Expr):
    """A symbol reference: a bare JSON string such as ``"x"``."""

    name: str


@dataclass(eq=True)
class LiteralNull(Expr):
    pass


@dataclass(eq=True)
class LiteralBoolean(Expr):
    value: bool


@dataclass(eq=True)
class LiteralInt(Expr):
    """``{"int": n}`` or a bare JSON integer that fits in 32 bits."""

    value: int


@dataclass(eq=True)
class LiteralLong(Expr):
    """``{"long": n}`` or a bare JSON integer that needs 64 bits."""

    value: int


@dataclass(eq=True)
class LiteralFloat(Expr):
    value: float


@dataclass(eq=True)
class LiteralDouble(Expr):
    """``{"double": x}`` or a bare JSON floating-point number."""

    value: float


@dataclass(eq=True)
class LiteralString(Expr):
    """``{"string": s}`` or ``["s"]``."""

    value: str


@dataclass(eq=True)
class LiteralBase64(Expr):
    """``{"base64": "..."}``; ``value`` holds the decoded bytes."""

    value: bytes


@dataclass(eq=True)
class Literal(Expr):
    """``{"type": T, "value": V}``: V is JSON-encoded Avro data of type T (not an expression)."""

    avro_type: TypeSpec
    value: Any


# --- functions ----------------------------------------------------------------------------

@dataclass(eq=True)
class Param(Node):
    name: str
    type: TypeSpec


@dataclass(eq=True)
class FcnDef(Node):
    """``{"params": [...], "ret": T, "do": [...]}``: named in ``fcns`` or inline (anonymous)."""

    params: list[Param]
    ret: TypeSpec
    body: list[Expr]


@dataclass(eq=True)
class FcnRef(Node):
    """``{"fcn": "name"}`` or ``{"fcn": "name", "fill": {...}}`` (partial application).

    ``resolved`` (set by the checker) describes the referenced function's concrete signature.
    """

    name: str
    fill: dict[str, Expr] | None = None
    resolved: Any = field(default=None, compare=False, repr=False, kw_only=True)


Argument = Expr | FcnDef | FcnRef


@dataclass(eq=True)
class Call(Expr):
    """``{"name": [args]}``: a library function or a user function (``u.`` prefix).

    ``resolved`` (set by the checker) is a :class:`pfa.check.signatures.ResolvedCall`.
    """

    name: str
    args: list[Argument]
    resolved: Any = field(default=None, compare=False, repr=False, kw_only=True)


@dataclass(eq=True)
class CallUserFcn(Expr):
    """``{"call": enum-expr, "args": [...]}``: the enum symbol names the ``u.`` function."""

    fcn: Expr
    args: list[Expr]


# --- data construction and access ------------------------------------------------------

@dataclass(eq=True)
class NewObject(Expr):
    """``{"new": {...}, "type": map-or-record}``."""

    fields: dict[str, Expr]
    avro_type: TypeSpec


@dataclass(eq=True)
class NewArray(Expr):
    """``{"new": [...], "type": array}``."""

    items: list[Expr]
    avro_type: TypeSpec


@dataclass(eq=True)
class Let(Expr):
    values: dict[str, Expr]


@dataclass(eq=True)
class SetVar(Expr):
    """The ``set`` special form."""

    values: dict[str, Expr]


# The JSON "path" member of attr/cell/pool forms is stored as ``indexes`` (the spec's INDEXES):
# ``Node.path`` is already the node's JSON path in the document.

@dataclass(eq=True)
class AttrGet(Expr):
    """``{"attr": expr, "path": [...]}`` (or the dotted shortcut ``"x.a.0"``)."""

    expr: Expr
    indexes: list[Expr]


@dataclass(eq=True)
class AttrTo(Expr):
    expr: Expr
    indexes: list[Expr]
    to: Argument


@dataclass(eq=True)
class CellGet(Expr):
    cell: str
    indexes: list[Expr] = field(default_factory=list)


@dataclass(eq=True)
class CellTo(Expr):
    cell: str
    indexes: list[Expr]
    to: Argument


@dataclass(eq=True)
class PoolGet(Expr):
    pool: str
    indexes: list[Expr]


@dataclass(eq=True)
class PoolTo(Expr):
    pool: str
    indexes: list[Expr]
    to: Argument
    init: Expr | None = None


@dataclass(eq=True)
class PoolDel(Expr):
    pool: str
    key: Expr


# --- control flow -----------------------------------------------------------------------

@dataclass(eq=True)
class Do(Expr):
    body: list[Expr]


@dataclass(eq=True)
class If(Expr):
    predicate: Expr
    then: list[Expr]
    else_: list[Expr] | None = None


@dataclass(eq=True)
class Cond(Expr):
    """``{"cond": [{"if":…, "then":…}, …], "else": …}``; each clause is an ``If`` without else."""

    clauses: list[If]
    else_: list[Expr] | None = None


@dataclass(eq=True)
class While(Expr):
    predicate: Expr
    body: list[Expr]


@dataclass(eq=True)
class DoUntil(Expr):
    body: list[Expr]
    predicate: Expr


@dataclass(eq=True)
class For(Expr):
    """``{"for": {init}, "while": pred, "step": {updates}, "do": [...]}``."""

    init: dict[str, Expr]
    predicate: Expr
    step: dict[str, Expr]
    body: list[Expr]


@dataclass(eq=True)
class Foreach(Expr):
    name: str
    array: Expr
    body: list[Expr]
    seq: bool = False


@dataclass(eq=True)
class Forkeyval(Expr):
    forkey: str
    forval: str
    map: Expr
    body: list[Expr]


@dataclass(eq=True)
class CastCase(Node):
    avro_type: TypeSpec
    named: str
    body: list[Expr]


@dataclass(eq=True)
class CastBlock(Expr):
    expr: Expr
    cases: list[CastCase]
    partial: bool = False


@dataclass(eq=True)
class Upcast(Expr):
    expr: Expr
    avro_type: TypeSpec


@dataclass(eq=True)
class IfNotNull(Expr):
    symbols: dict[str, Expr]
    then: list[Expr]
    else_: list[Expr] | None = None


@dataclass(eq=True)
class Pack(Expr):
    """``{"pack": [{format: expr}, …]}``; ``exprs`` is a list of (format, expression)."""

    exprs: list[tuple[str, Expr]]


@dataclass(eq=True)
class Unpack(Expr):
    """``{"unpack": bytes, "format": [{name: format}, …], "then": …, "else": …}``."""

    bytes: Expr
    format: list[tuple[str, str]]
    then: list[Expr]
    else_: list[Expr] | None = None


@dataclass(eq=True)
class Doc(Expr):
    comment: str


@dataclass(eq=True)
class Error(Expr):
    message: str
    code: int | None = None


@dataclass(eq=True)
class Try(Expr):
    body: list[Expr]
    filter: list[str | int] | None = None


@dataclass(eq=True)
class Log(Expr):
    exprs: list[Expr]
    namespace: str | None = None


# --- top level ---------------------------------------------------------------------------

@dataclass(eq=True)
class CellSpec(Node):
    """A cell: ``init`` is JSON-encoded Avro data (or a file name/URL when ``source`` says so)."""

    avro_type: TypeSpec
    init: Any
    shared: bool = False
    rollback: bool = False
    source: str = "embedded"


@dataclass(eq=True)
class PoolSpec(Node):
    """A pool: ``init`` maps names to JSON-encoded Avro data of ``avro_type`` (default empty)."""

    avro_type: TypeSpec
    init: Any = field(default_factory=dict)
    shared: bool = False
    rollback: bool = False
    source: str = "embedded"


METHODS = ("map", "emit", "fold")


@dataclass(eq=True)
class PfaDocument(Node):
    """A whole PFA document. Optional fields that are absent hold ``NO_VALUE`` or are empty."""

    input: TypeSpec
    output: TypeSpec
    action: list[Expr]
    name: str | None = None
    method: str = "map"
    begin: list[Expr] = field(default_factory=list)
    end: list[Expr] = field(default_factory=list)
    fcns: dict[str, FcnDef] = field(default_factory=dict)
    zero: Any = NO_VALUE
    merge: list[Expr] | None = None
    cells: dict[str, CellSpec] = field(default_factory=dict)
    pools: dict[str, PoolSpec] = field(default_factory=dict)
    randseed: int | None = None
    doc: str | None = None
    version: int | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)


# Fields that hold JSON data, never sub-nodes: not searched (a cell's init can be huge).
_DATA_FIELDS: dict[str, frozenset[str]] = {
    "TypeSpec": frozenset({"json"}), "Literal": frozenset({"value"}),
    "CellSpec": frozenset({"init"}), "PoolSpec": frozenset({"init"}),
    "PfaDocument": frozenset({"zero", "metadata", "options"}),
}
_NODE_FIELDS: dict[type, tuple[str, ...]] = {}


def _node_fields(cls: type) -> tuple[str, ...]:
    """The fields of a node class that may hold sub-nodes."""
    names = _NODE_FIELDS.get(cls)
    if names is None:
        data = {"path", "pos"}
        for base in cls.__mro__:
            if base.__module__ == __name__:
                data |= _DATA_FIELDS.get(base.__name__, frozenset())
        names = tuple(n for n in cls.__dataclass_fields__  # type: ignore[attr-defined]
                      if n not in data)
        _NODE_FIELDS[cls] = names
    return names


def children(node: Node) -> list[Node]:
    """The direct sub-nodes of ``node`` (expressions, functions, type specs, cases) in order."""
    out: list[Node] = []

    def visit(v: Any) -> None:
        if isinstance(v, Node):
            out.append(v)
        elif isinstance(v, (list, tuple)):
            for x in v:
                visit(x)
        elif isinstance(v, dict):
            for x in v.values():
                visit(x)

    for name in _node_fields(type(node)):
        visit(getattr(node, name))
    return out


def walk(node: Node):
    """Yield ``node`` and every node below it, depth first, in document order."""
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        stack.extend(reversed(children(n)))
