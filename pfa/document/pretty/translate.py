"""A PrettyPFA syntax tree (:mod:`pfa.document.pretty.syntax`) → PFA JSON (a dict).

The meaning follows titus's PrettyPFA: sections become top-level fields, ``types:`` aliases
are expanded where they are used, a bare name is a library or user function reference if
it names a function, a cell or pool read if it names a cell or pool, and a local otherwise.
Named types appear in full once (their first use) and by name afterwards.
Errors are :class:`PrettyPfaError` with the line and column of the construct.
"""

from __future__ import annotations

import base64
import binascii
import difflib
import math
import re
from collections.abc import Callable, Container
from typing import Any

from pfa._gcpause import gc_paused
from pfa.document.pretty.syntax import (
    Node,
    PrettyPfaError,
    Token,
    ensure_stack_room,
)

__all__ = ["translate", "SECTIONS", "unescape"]

SECTIONS = ("name", "method", "input", "output", "types", "begin", "action", "end", "fcns",
            "zero", "merge", "cells", "pools", "randseed", "doc", "version", "metadata",
            "options")
"""The section headings of a PrettyPFA document."""

_BODY_SECTIONS = ("begin", "action", "end", "merge")
_BINARY = {"||": "||", "^^": "^^", "&&": "&&", "idiv": "//"}
_UNARY = {"-": "u-", "~": "~", "!": "!"}
_SIMPLE_ESCAPES = {"\\": "\\", "'": "'", '"': '"', "a": "\a", "b": "\b", "f": "\f",
                   "n": "\n", "r": "\r", "t": "\t", "v": "\v", "\n": ""}
_ESCAPE_RE = re.compile(r"\\(x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|[0-7]{1,3}|.)",
                        re.DOTALL)


def unescape(body: str, line: int = 0, column: int = 0) -> str:
    """The value of a double-quoted string's body (the escapes of Python string literals)."""
    def one(m: re.Match[str]) -> str:
        esc = m.group(1)
        if esc[0] in "xuU" and len(esc) > 1:
            code = int(esc[1:], 16)
            if code > 0x10FFFF:
                raise PrettyPfaError(f"the escape \\{esc} is not a Unicode character",
                                     line, column)
            return chr(code)
        if esc[0] in "01234567":
            return chr(int(esc, 8))
        return _SIMPLE_ESCAPES.get(esc, "\\" + esc)  # unknown escapes stay as written
    return _ESCAPE_RE.sub(one, body) if "\\" in body else body


class _Translator:
    """One document's translation state: type aliases, function, cell and pool names."""

    def __init__(self, is_function: Callable[[str], bool], marks: bool = False) -> None:
        self.is_function = is_function
        self.marks = marks
        self.user_fcns: set[str] = set()
        self.aliases: dict[str, Any] = {}
        self.cells: set[str] = set()
        self.pools: set[str] = set()
        self.counters = {"Record": 0, "Enum": 0, "Fixed": 0}
        self.handed_out = 0  # times an alias's definition (a shared dict or list) was used
        self.plain: set[int] = set()  # ids of top-level results that use no such definition

    # ---- helpers -----------------------------------------------------------------------
    def fresh(self, kind: str) -> str:
        self.counters[kind] += 1
        return f"{kind}_{self.counters[kind]}"

    def function(self, name: str) -> bool:
        return name in self.user_fcns or self.is_function(name)

    @staticmethod
    def word(node: Any) -> str | None:
        """The text of a bare name node (or name token), else None."""
        if isinstance(node, Token) and node[0] == "NAME":
            return node[1]
        if isinstance(node, Node) and node.kind == "name":
            return node.parts[0][1]
        return None

    def text(self, node: Any) -> str | None:
        """A bare name's text or a string literal's value, else None."""
        w = self.word(node)
        if w is not None:
            return w
        if isinstance(node, Node) and node.kind in ("string", "rawstring"):
            return self.string_value(node.parts[0])
        return None

    @staticmethod
    def string_value(tok: Token) -> str:
        text = tok[1]
        if tok[0] == "RAWSTRING" or "\\" not in text:
            return text[1:-1]
        return unescape(text[1:-1], *tok.where())

    def key(self, tok: Token) -> str:
        return tok[1] if tok[0] == "NAME" else self.string_value(tok)

    @staticmethod
    def fail(node: Any, message: str) -> PrettyPfaError:
        if isinstance(node, Token):
            return PrettyPfaError(message, *node.where())
        if isinstance(node, Node):
            return node.fail(message)
        return PrettyPfaError(message)

    @staticmethod
    def describe(node: Any) -> str:
        if isinstance(node, Token):
            return repr(str(node))
        kind = node.kind if isinstance(node, Node) else type(node).__name__
        return {"name": "a name", "number": "a number", "string": "a string",
                "rawstring": "a string", "call": "a call", "param": "a 'key: value' pair",
                "bracketed": "a [...] list", "fcndef": "a function (fcn)",
                "object_block": "a {key: value} object", "block": "a { ...; ... } block",
                "empty_block": "an empty {}", "binop": "an operator expression",
                "unop": "an operator expression"}.get(
                    kind, f"a {kind.removesuffix('_e')} expression")

    def boolean(self, node: Any, what: str) -> bool:
        w = self.word(node)
        if w not in ("true", "false"):
            raise self.fail(node, f"{what} must be true or false, not {self.describe(node)}")
        return w == "true"

    # ---- JSON values ------------------------------------------------------------------
    def json(self, node: Any) -> Any:
        """A node written as relaxed JSON (initial values, metadata, literal values)."""
        kind = node.kind if isinstance(node, Node) else None
        if kind == "number":
            return self.number(node)
        if kind in ("string", "rawstring"):
            return self.string_value(node.parts[0])
        if kind == "name":
            w = node.parts[0][1]
            return _CONSTANTS.get(w, w)
        if kind == "object_block":
            out: dict[str, Any] = {}
            for p in node.parts[1:]:
                k, v = self.key(p.parts[0]), p.parts[1]
                if k in out:
                    raise self.fail(p, f"the member {k!r} appears twice in this object")
                out[k] = self.json(v)
            return out
        if kind == "empty_block":
            return {}
        if kind == "bracketed":
            return [self.json(a) for a in node.parts[1].parts]
        raise self.fail(node, f"expected a JSON value (number, string, name, [...] or "
                              f"{{key: value}}), found {self.describe(node)}")

    def number(self, node: Node) -> int | float:
        text = node.parts[0][1]
        if text.lstrip("-").isdecimal():  # the lexer's digits are ASCII
            if len(text) > 400:  # far beyond any PFA integer; int() would be slow
                raise self.fail(node, f"the integer {text[:20]}... is too long")
            return int(text)
        value = float(text)
        if math.isinf(value):
            raise self.fail(node, f"the number {text} is too large for a double")
        return value

    # ---- types -------------------------------------------------------------------------
    @staticmethod
    def split(full: str) -> tuple[str | None, str]:
        ns, _, name = full.rpartition(".")
        return (ns or None), name

    def type(self, node: Any) -> Any:
        w = self.word(node)
        if w is not None:
            t = self.aliases.get(w, w)
            if t is not w and not isinstance(t, str):
                self.handed_out += 1
            return t
        if isinstance(node, Node) and node.kind in ("string", "rawstring"):
            return self.string_value(node.parts[0])  # extension: a type name, verbatim
        if not (isinstance(node, Node) and node.kind == "call"):
            raise self.fail(node, f"expected a type (a name or array(...), map(...), "
                                  f"union(...), record(...), enum(...), fixed(...)), "
                                  f"found {self.describe(node)}")
        name, args = str(node.parts[0]), list(node.parts[1].parts)
        if name == "array" or name == "map":
            if len(args) != 1:
                raise self.fail(node, f"{name}(...) takes one type, not {len(args)}")
            return ({"type": "array", "items": self.type(args[0])} if name == "array"
                    else {"type": "map", "values": self.type(args[0])})
        if name == "union":
            if len(args) < 2:
                raise self.fail(node, f"union(...) takes at least two types, not {len(args)}")
            return [self.type(a) for a in args]
        if name == "fixed":
            if not 1 <= len(args) <= 2:
                raise self.fail(node, "fixed(...) takes a size and optionally a name")
            size = self.json(args[0]) if isinstance(args[0], Node) and \
                args[0].kind == "number" else None
            if not isinstance(size, int) or size <= 0:
                raise self.fail(node, "the size of fixed(...) must be a positive integer")
            full = self.type_name(args[1]) if len(args) == 2 else None
            ns, short = self.split(full) if full else (None, self.fresh("Fixed"))
            out: dict[str, Any] = {"type": "fixed", "size": size, "name": short}
            if ns:
                out["namespace"] = ns
            return out
        if name == "enum":
            if not 1 <= len(args) <= 2:
                raise self.fail(node, "enum(...) takes [symbols] and optionally a name")
            if not (isinstance(args[0], Node) and args[0].kind == "bracketed"):
                raise self.fail(args[0], "the first argument of enum(...) must be a "
                                         "[...] list of symbols")
            symbols = []
            for s in args[0].parts[1].parts:
                w = self.word(s)
                if w is None:
                    raise self.fail(s, f"an enum symbol must be a name, not {self.describe(s)}")
                symbols.append(w)
            full = self.type_name(args[1]) if len(args) == 2 else None
            ns, short = self.split(full) if full else (None, self.fresh("Enum"))
            out = {"type": "enum", "symbols": symbols, "name": short}
            if ns:
                out["namespace"] = ns
            return out
        if name == "record":
            fields, others = [], []
            for a in args:
                if isinstance(a, Node) and a.kind == "param":
                    fields.append({"name": self.key(a.parts[0]), "type": self.type(a.parts[1])})
                else:
                    others.append(a)
            if len(others) > 1:
                raise self.fail(node, "record(...) takes at most one name besides its "
                                      "'field: type' pairs")
            full = self.type_name(others[0]) if others else None
            ns, short = self.split(full) if full else (None, self.fresh("Record"))
            out = {"type": "record", "name": short, "fields": fields}
            if ns:
                out["namespace"] = ns
            return out
        raise self.fail(node, f"unknown type constructor {name!r} (expected array, map, "
                              f"union, record, enum or fixed)")

    def type_name(self, node: Any) -> str:
        w = self.word(node)
        if w is None:
            raise self.fail(node, f"expected a type name, found {self.describe(node)}")
        return w

    def define_type(self, node: Any) -> None:
        """One item of the ``types:`` section: ``Alias = type`` or ``record(Name, ...)``."""
        if isinstance(node, Node) and node.kind == "assigns" and len(node.parts) == 1:
            name_tok, value = node.parts[0].parts
            self.aliases[str(name_tok)] = self.type(value)
            return
        if isinstance(node, Node) and node.kind == "call" and \
                str(node.parts[0]) in ("record", "enum", "fixed"):
            t = self.type(node)
            full = f"{t['namespace']}.{t['name']}" if "namespace" in t else t["name"]
            self.aliases[full] = t
            return
        raise self.fail(node, f"a types: item must be 'Name = type' or a named record(...), "
                              f"enum(...) or fixed(...), not {self.describe(node)}")

    # ---- expressions ------------------------------------------------------------------
    def body(self, node: Any) -> list:
        """A clause: a { ...; ... } block gives its expressions, anything else one."""
        if isinstance(node, Node) and node.kind == "block":
            return [self.expr(e) for e in node.parts[1].parts]
        return [self.expr(node)]

    def argument(self, node: Any) -> Any:
        """A function argument: an expression, ``fcn(...)`` or a function reference."""
        if isinstance(node, Node) and node.kind == "fcndef":
            return self.fcndef(node)
        return self.expr(node, True)

    def fcndef(self, node: Node) -> dict:
        params, ret, body = node.parts[1], node.parts[2], node.parts[3]
        return {"params": [self.param_type(p) for p in params.parts],
                "ret": self.type(ret.parts[0]), "do": self.fcn_body(body)}

    def fcn_body(self, node: Any) -> list:
        """A function's body: as a clause, except that a block in parentheses is one
        expression (titus's reading)."""
        if isinstance(node, Node) and node.kind == "empty_block" and not node.paren:
            return []
        if isinstance(node, Node) and node.paren:
            return [self.expr(node)]
        return self.body(node)

    def param_type(self, p: Node) -> dict:
        return {self.key(p.parts[0]): self.type(p.parts[1])}

    def path_of(self, name: str, args: Node | None, at: Any) -> tuple[str, list]:
        base, *rest = name.split(".")
        path: list[Any] = [{"string": r} for r in rest]
        if args is not None:
            path += [self.value(a) for a in args.parts]
        return base, path

    def get(self, name: str, args: Node | None, at: Any) -> Any:
        base, path = self.path_of(name, args, at)
        if base in self.cells or base in self.pools:
            out: dict[str, Any] = {"cell" if base in self.cells else "pool": base}
            if path:
                out["path"] = path
            return out
        if not path:
            if args is not None:
                raise self.fail(at, f"{name}[] needs at least one key")
            return base
        return {"attr": base, "path": path}

    def expr(self, node: Any, function_ok: bool = False) -> Any:
        """An expression; a function reference is an error unless ``function_ok`` (the
        operands of operators, which titus passes on as they are)."""
        if type(node) is not Node:
            raise self.fail(node, f"unexpected {self.describe(node)}")
        method = _EXPRESSIONS.get(node.kind)
        if method is None:
            raise self.fail(node, f"{self.describe(node)} is not an expression")
        out = method(self, node)
        if type(out) is dict:
            if "fcn" in out and not function_ok:
                raise self.fail(node, f"the function {out['fcn']!r} is not a value: call it, "
                                      f"or pass it as an argument of a function")
            if self.marks and node.pos >= 0 and "@" not in out:
                line, column = node.where()
                out["@"] = f"PrettyPFA line {line}, column {column}"
        return out

    value = expr
    """An expression (where a function reference is an error)."""

    def any_expr(self, node: Any) -> Any:
        """An expression or a function reference."""
        return self.expr(node, True)

    def x_number(self, node: Node) -> Any:
        return self.number(node)

    def x_string(self, node: Node) -> Any:
        return {"string": self.string_value(node.parts[0])}

    x_rawstring = x_string

    def x_name(self, node: Node) -> Any:
        w = node.parts[0][1]
        if w in _CONSTANTS:
            return _CONSTANTS[w]
        if self.function(w):
            return {"fcn": w}
        if w in self.pools:
            raise self.fail(node, f"the pool {w!r} is read by key: {w}[key]")
        if "." not in w:  # what get() gives a name without a path, sooner
            return {"cell": w} if w in self.cells else w
        return self.get(w, None, node)

    def x_name_index(self, node: Node) -> Any:
        return self.get(node.parts[0][1], node.parts[1], node)

    def x_index(self, node: Node) -> Any:
        if not node.parts[1].parts:
            raise self.fail(node, "[] needs at least one key")
        return {"attr": self.value(node.parts[0]),
                "path": [self.value(a) for a in node.parts[1].parts]}

    def x_enum_symbol(self, node: Node) -> Any:
        return {"type": self.type(node.parts[0]), "value": str(node.parts[2])}

    def x_block(self, node: Node) -> Any:
        return {"do": [self.expr(e) for e in node.parts[1].parts]}

    def x_empty_block(self, node: Node) -> Any:
        raise self.fail(node, "an empty {} is not an expression")

    def x_object_block(self, node: Node) -> Any:
        raise self.fail(node, "a {key: value} object is not an expression (write a "
                              "literal with json(type, {...}) or new(type, ...))")

    def x_binop(self, node: Node) -> Any:
        left, op, right = node.parts
        name = _BINARY.get(op[1], op[1])
        return {name: [self.expr(left, True), self.expr(right, True)]}  # a call, as in titus

    def x_unop(self, node: Node) -> Any:
        op, operand = node.parts
        return {_UNARY[op[1]]: [self.expr(operand, True)]}

    def x_if_e(self, node: Node) -> Any:
        pairs = []
        orelse: Any = None
        current: Any = node
        while isinstance(current, Node) and current.kind == "if_e":
            pairs.append((current.parts[1], current.parts[2]))
            orelse = current.parts[4] if len(current.parts) == 5 else None
            current = orelse
        ifs = [{"if": self.value(c), "then": self.body(t)} for c, t in pairs]
        if len(ifs) == 1:
            out = ifs[0]
            if orelse is not None:
                out["else"] = self.body(orelse)
            return out
        out = {"cond": ifs}
        if orelse is not None:
            out["else"] = self.body(orelse)
        return out

    def x_while_e(self, node: Node) -> Any:
        return {"while": self.value(node.parts[1]), "do": self.body(node.parts[2])}

    def x_do_until(self, node: Node) -> Any:
        return {"do": self.body(node.parts[1]), "until": self.value(node.parts[3])}

    def assign_map(self, assigns: Node, what: str) -> dict:
        out: dict[str, Any] = {}
        for a in assigns.parts:
            name = a.parts[0][1]
            if "." in name:
                raise self.fail(a, f"{what} cannot assign to {name!r} (a name with dots); "
                                   f"assign deep values one at a time, separated by ';'")
            if name in out:
                raise self.fail(a, f"{name!r} is assigned twice here")
            out[name] = self.value(a.parts[1])
        return out

    def x_for_e(self, node: Node) -> Any:
        _, init, cond, step, body = node.parts
        return {"for": self.assign_map(init, "for"), "while": self.value(cond),
                "step": self.assign_map(step, "for"), "do": self.body(body)}

    def x_foreach_e(self, node: Node) -> Any:
        param, body = node.parts[1], node.parts[-1]
        seq = False
        if len(node.parts) == 4:
            opt = node.parts[2]
            if self.key(opt.parts[0]) != "seq":
                raise self.fail(opt, f"the optional second part of foreach is 'seq: true' "
                                     f"or 'seq: false', not {self.key(opt.parts[0])!r}")
            seq = self.boolean(opt.parts[1], "seq")
        return {"foreach": self.key(param.parts[0]), "in": self.value(param.parts[1]),
                "do": self.body(body), "seq": seq}

    def x_forkv_e(self, node: Node) -> Any:
        key_tok = node.parts[1].parts[0]
        param, body = node.parts[2], node.parts[3]
        return {"forkey": self.key(key_tok), "forval": self.key(param.parts[0]),
                "in": self.value(param.parts[1]), "do": self.body(body)}

    def cast_cases(self, cases: tuple) -> list:
        out = []
        for case in cases:
            p, body = case.parts[1], case.parts[2]
            out.append({"as": self.type(p.parts[1]), "named": self.key(p.parts[0]),
                        "do": self.body(body)})
        return out

    def x_cast(self, node: Node) -> Any:
        return {"cast": self.value(node.parts[1]), "cases": self.cast_cases(node.parts[2:]),
                "partial": False}

    def x_cast_partial(self, node: Node) -> Any:
        opt = node.parts[2]
        if self.key(opt.parts[0]) != "partial":
            raise self.fail(opt, f"the optional second part of cast is 'partial: true' or "
                                 f"'partial: false', not {self.key(opt.parts[0])!r}")
        return {"cast": self.value(node.parts[1]), "cases": self.cast_cases(node.parts[3:]),
                "partial": self.boolean(opt.parts[1], "partial")}

    def x_ifnotnull_e(self, node: Node) -> Any:
        out = {"ifnotnull": {self.key(p.parts[0]): self.value(p.parts[1])
                             for p in node.parts[1].parts},
               "then": self.body(node.parts[2])}
        if len(node.parts) == 5:
            out["else"] = self.body(node.parts[4])
        return out

    def x_unpack_e(self, node: Node) -> Any:
        formats = []
        for p in node.parts[2].parts:
            fmt = self.text(p.parts[1])
            if fmt is None:
                raise self.fail(p, f"an unpack format must be a string or name, not "
                                   f"{self.describe(p.parts[1])}")
            formats.append({self.key(p.parts[0]): fmt})
        out = {"unpack": self.value(node.parts[1]), "format": formats,
               "then": self.body(node.parts[3])}
        if len(node.parts) == 6:
            out["else"] = self.body(node.parts[5])
        return out

    def try_out(self, filters: list | None, body: Any) -> Any:
        out: dict[str, Any] = {"try": self.body(body)}
        if filters is not None:
            values = []
            for f in filters:
                t = self.text(f)
                if t is None and isinstance(f, Node) and f.kind == "number":
                    t = self.number(f)
                if t is None or isinstance(t, float):
                    raise self.fail(f, f"a try filter must be a string, name or integer, "
                                       f"not {self.describe(f)}")
                values.append(t)
            out["filter"] = values
        return out

    def x_try_e(self, node: Node) -> Any:
        return self.try_out(None, node.parts[1])

    def x_try_filtered(self, node: Node) -> Any:
        return self.try_out(list(node.parts[1:-1]), node.parts[-1])

    def x_try_filtered_many(self, node: Node) -> Any:
        return self.try_out([node.parts[1], *node.parts[2].parts], node.parts[3])

    def x_var_e(self, node: Node) -> Any:
        return {"let": self.assign_map(node.parts[1], "var")}

    def x_assigns(self, node: Node) -> Any:
        if len(node.parts) == 1:
            name, rhs = str(node.parts[0].parts[0]), node.parts[0].parts[1]
            if "." in name or name in self.cells or name in self.pools:
                return self.deep_set(name, None, rhs, node)
        return {"set": self.assign_map(node, "an assignment")}

    def deep_set(self, name: str, args: Node | None, rhs: Any, at: Node) -> Any:
        base, path = self.path_of(name, args, at)
        to = self.value(rhs)
        if base in self.cells:
            return self.state_to("cell", base, path, to)
        if base in self.pools:
            return self.state_to("pool", base, path, to, self.value(rhs))
        return self.attr_to(base, path, to, at)

    def attr_to(self, base: Any, path: list, to: Any, at: Any) -> dict:
        if not path:
            raise self.fail(at, "a local variable is updated with '=' (or a path and 'to')")
        return {"attr": base, "path": path, "to": to}

    @staticmethod
    def state_to(kind: str, name: str, path: list, to: Any, init: Any = None) -> dict:
        out: dict[str, Any] = {kind: name}
        if path:
            out["path"] = path
        out["to"] = to
        if kind == "pool":
            out["init"] = init
        return out

    def x_setpath(self, node: Node) -> Any:
        name = str(node.parts[0])
        if len(node.parts) == 5:  # extension: p[key] = value init other
            base, path = self.path_of(name, node.parts[1], node)
            if base not in self.pools:
                raise self.fail(node, f"only pool updates take 'init' ({base!r} is not a pool)")
            return self.state_to("pool", base, path, self.value(node.parts[2]),
                                 self.value(node.parts[4]))
        return self.deep_set(name, node.parts[1], node.parts[2], node)

    def x_genset(self, node: Node) -> Any:
        return self.attr_to(self.value(node.parts[0]),
                            [self.value(a) for a in node.parts[1].parts],
                            self.value(node.parts[2]), node)

    def x_to_e(self, node: Node) -> Any:
        parts = list(node.parts)
        name = str(parts.pop(0))
        args = parts.pop(0) if isinstance(parts[0], Node) and parts[0].kind == "args" else None
        to_node = parts[1]
        init_node = parts[3] if len(parts) == 4 else None
        base, path = self.path_of(name, args, node)
        to = self.argument(to_node)
        if not (isinstance(to, dict) and ("fcn" in to or "params" in to)):
            raise self.fail(to_node, f"'to' needs a function (a function name or fcn(...)), "
                                     f"not {self.describe(to_node)}; use '=' to assign a value")
        if base in self.pools:
            if init_node is None:
                raise self.fail(node, f"an update of pool {base!r} with 'to' also needs "
                                      f"'init' (the value of a new item)")
            return self.state_to("pool", base, path, to, self.value(init_node))
        if init_node is not None:
            raise self.fail(node, f"only pool updates take 'init' ({base!r} is not a pool)")
        if base in self.cells:
            return self.state_to("cell", base, path, to)
        return self.attr_to(base, path, to, node)

    # ---- special calls ----------------------------------------------------------------
    def x_call(self, node: Node) -> Any:
        name, args = node.parts[0][1], node.parts[1].parts
        special = _SPECIAL_CALLS.get(name)
        if special is not None:
            return special(self, node, args)
        fill = [a for a in args if a.kind == "param"]  # arguments are nodes
        if fill:
            if len(fill) != len(args):
                raise self.fail(node, f"a partial application of {name!r} gives every "
                                      f"argument as 'name: value'")
            return {"fcn": name, "fill": {self.key(p.parts[0]): self.argument(p.parts[1])
                                          for p in fill}}
        return {name: [self.argument(a) for a in args]}

    def nargs(self, node: Node, args: tuple, n: int) -> None:
        if len(args) != n:
            raise self.fail(node, f"{node.parts[0]}(...) takes {n} argument(s), "
                                  f"not {len(args)}")

    def call_json(self, node: Node, args: tuple) -> Any:
        self.nargs(node, args, 2)
        t, v = self.type(args[0]), self.json(args[1])
        if isinstance(args[0], Node) and args[0].kind in ("string", "rawstring"):
            return {"type": t, "value": v}  # extension: a quoted type keeps this form
        if t == "null":
            return None
        if isinstance(t, str) and t in _PRIMITIVE_CHECKS:
            kind, ok = _PRIMITIVE_CHECKS[t]
            if not ok(v):
                raise self.fail(args[1], f"json({t}, ...) needs {kind}, not "
                                         f"{self.describe(args[1])}")
            return v if t == "int" else float(v) if t == "double" else {t: v}
        if t == "bytes":
            return {"base64": self.base64(args[1], v)}
        return {"type": t, "value": v}

    def base64(self, at: Any, v: Any) -> str:
        try:
            return base64.b64encode(base64.b64decode(v, validate=True)).decode("ascii")
        except (binascii.Error, ValueError, TypeError):
            raise self.fail(at, "bytes must be given as a base64 string") from None

    def scalar(self, node: Node, args: tuple, convert: Callable[[Any], Any]) -> Any:
        self.nargs(node, args, 1)
        v = self.json(args[0])
        try:
            return convert(v)
        except (TypeError, ValueError, OverflowError):
            raise self.fail(args[0], f"{node.parts[0]}(...) cannot make a literal of "
                                     f"{self.describe(args[0])}") from None

    def call_int(self, node: Node, args: tuple) -> Any:
        return self.scalar(node, args, lambda v: int(_no_bool(v)))

    def call_long(self, node: Node, args: tuple) -> Any:
        return self.scalar(node, args, lambda v: {"long": int(_no_bool(v))})

    def call_float(self, node: Node, args: tuple) -> Any:
        return self.scalar(node, args, lambda v: {"float": float(_no_bool(v))})

    def call_double(self, node: Node, args: tuple) -> Any:
        return self.scalar(node, args, lambda v: float(_no_bool(v)))

    def call_string(self, node: Node, args: tuple) -> Any:
        return self.scalar(node, args, lambda v: {"string": v})

    def call_bytes(self, node: Node, args: tuple) -> Any:
        return self.scalar(node, args, lambda v: {"base64": self.base64(args[0], v)})

    def call_apply(self, node: Node, args: tuple) -> Any:
        if not args:
            raise self.fail(node, "apply(...) needs the function to call")
        return {"call": self.value(args[0]), "args": [self.value(a) for a in args[1:]]}

    def call_update(self, node: Node, args: tuple) -> Any:
        self.nargs(node, args, 2)
        p = args[1]
        if not (isinstance(p, Node) and p.kind == "param"):
            raise self.fail(p, "the second argument of update(...) is 'field: value'")
        return {"attr": self.value(args[0]), "path": [{"string": self.key(p.parts[0])}],
                "to": self.argument(p.parts[1])}

    def call_new(self, node: Node, args: tuple) -> Any:
        if not args:
            raise self.fail(node, "new(...) needs a type")  # new(T) alone is an extension
        t = self.type(args[0])
        rest = args[1:]
        is_param = [isinstance(a, Node) and a.kind == "param" for a in rest]
        if isinstance(t, dict) and t.get("type") == "array":
            if any(is_param):
                raise self.fail(node, "the items of a new array are plain expressions, "
                                      "not 'key: value' pairs")
            return {"new": [self.value(a) for a in rest], "type": t}
        if not all(is_param):
            raise self.fail(node, "the items of a new map or record are 'key: value' pairs")
        return {"new": {self.key(a.parts[0]): self.value(a.parts[1]) for a in rest}, "type": t}

    def call_del(self, node: Node, args: tuple) -> Any:
        """Extension: ``del(pool[key])`` removes an item of a pool."""
        self.nargs(node, args, 1)
        target = args[0]
        if isinstance(target, Node) and target.kind == "name_index":
            base, path = self.path_of(str(target.parts[0]), target.parts[1], target)
            if base in self.pools and len(path) == 1:
                return {"pool": base, "del": path[0]}
        raise self.fail(node, "del(...) takes one pool item: del(pool[key])")

    def call_upcast(self, node: Node, args: tuple) -> Any:
        self.nargs(node, args, 2)
        return {"upcast": self.value(args[1]), "as": self.type(args[0])}

    def call_pack(self, node: Node, args: tuple) -> Any:
        if not all(isinstance(a, Node) and a.kind == "param" for a in args):
            raise self.fail(node, "pack(...) takes 'format: expression' pairs")
        return {"pack": [{self.key(a.parts[0]): self.value(a.parts[1])} for a in args]}

    def call_doc(self, node: Node, args: tuple) -> Any:
        self.nargs(node, args, 1)
        if not (isinstance(args[0], Node) and args[0].kind in ("string", "rawstring")):
            raise self.fail(args[0], "doc(...) takes a string")
        return {"doc": self.string_value(args[0].parts[0])}

    def options_of(self, node: Node, args: tuple, allowed: str) -> tuple[list, Any]:
        params = [a for a in args if isinstance(a, Node) and a.kind == "param"]
        others = [a for a in args if not (isinstance(a, Node) and a.kind == "param")]
        if len(params) > 1 or (params and self.key(params[0].parts[0]) != allowed):
            raise self.fail(node, f"{node.parts[0]}(...) has one optional parameter, "
                                  f"{allowed!r}")
        return others, params[0].parts[1] if params else None

    def call_error(self, node: Node, args: tuple) -> Any:
        others, code = self.options_of(node, args, "code")
        if len(others) != 1 or self.text(others[0]) is None:
            raise self.fail(node, "error(...) takes one message string (and 'code: N')")
        out: dict[str, Any] = {"error": self.text(others[0])}
        if code is not None:
            c = self.json(code) if isinstance(code, Node) and code.kind == "number" else None
            if not isinstance(c, int):
                raise self.fail(code, "the code of error(...) must be an integer")
            out["code"] = c
        return out

    def call_log(self, node: Node, args: tuple) -> Any:
        others, ns = self.options_of(node, args, "namespace")
        out: dict[str, Any] = {"log": [self.value(a) for a in others]}
        if ns is not None:
            text = self.text(ns)
            if text is None:
                raise self.fail(ns, "the namespace of log(...) must be a string or name")
            out["namespace"] = text
        return out

    # ---- sections ---------------------------------------------------------------------
    def document(self, root: Node) -> dict:
        sections: dict[str, tuple[Node, list, bool]] = {}
        for sec in root.parts:
            head: Token = sec.parts[0]
            name = str(head)[:-1]
            if name not in SECTIONS:
                close = difflib.get_close_matches(name, SECTIONS, n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                raise self.fail(head, f"unknown section {name + ':'!r}{hint}")
            if name in sections:
                raise self.fail(head, f"the section {name + ':'!r} appears twice")
            content = sec.parts[1] if len(sec.parts) > 1 else None
            items, bare = (list(content.parts[0]), content.parts[1]) if content else ([], False)
            sections[name] = (sec, items, bare)
        missing = [s for s in ("input", "output", "action") if s not in sections]
        if missing:
            raise PrettyPfaError("missing section(s): " + ", ".join(s + ":" for s in missing),
                                 1, 1)
        out: dict[str, Any] = {}

        def one(name: str) -> Any:
            sec, items, _ = sections[name]
            if len(items) != 1:
                raise self.fail(sec, f"the section {name + ':'!r} holds one item, "
                                     f"not {len(items)}")
            return items[0]

        def exprs(name: str) -> list:
            _, items, bare = sections[name]
            if bare and isinstance(items[0], Node) and items[0].kind == "block":
                return list(items[0].parts[1].parts)
            return items

        if "types" in sections:
            for item in exprs("types"):
                self.define_type(item)
        if "name" in sections:
            out["name"] = self.word_or_string(one("name"), "name")
        if "method" in sections:
            method = self.word_or_string(one("method"), "method")
            if method not in ("map", "emit", "fold"):
                raise self.fail(one("method"), f"the method is map, emit or fold, "
                                               f"not {method!r}")
            out["method"] = method
        out["input"] = self.type(one("input"))
        out["output"] = self.type(one("output"))
        cells = [self.cellpool(i, "cell") for i in sections.get("cells", (None, []))[1]]
        pools = [self.cellpool(i, "pool") for i in sections.get("pools", (None, []))[1]]
        self.cells = {n for n, _ in cells}
        self.pools = {n for n, _ in pools}
        fcn_items = sections.get("fcns", (None, []))[1]
        for item in fcn_items:
            if not (isinstance(item, Node) and item.kind == "namedfcn"):
                raise self.fail(item, f"the fcns: section holds 'name = fcn(...)' "
                                      f"definitions, not {self.describe(item)}")
            self.user_fcns.add("u." + str(item.parts[0]))
        for name in ("begin", "action", "end"):
            if name in sections:
                out[name] = self.top_level(exprs(name))
        if fcn_items:
            out["fcns"] = {}
            for item in fcn_items:
                fname = str(item.parts[0])
                if fname in out["fcns"]:
                    raise self.fail(item, f"the function {fname!r} is defined twice")
                out["fcns"][fname] = {
                    "params": [self.param_type(p) for p in item.parts[2].parts],
                    "ret": self.type(item.parts[3].parts[0]), "do": self.fcn_body(item.parts[4])}
        if "zero" in sections:
            out["zero"] = self.json(one("zero"))
        if "merge" in sections:
            out["merge"] = self.top_level(exprs("merge"))
        if cells:
            out["cells"] = self.unique(cells, "cell")
        if pools:
            out["pools"] = self.unique(pools, "pool")
        for name in ("randseed", "version"):
            if name in sections:
                v = self.json(one(name)) if one(name).kind == "number" else None
                if not isinstance(v, int):
                    raise self.fail(one(name), f"{name}: must be an integer")
                out[name] = v
        if "doc" in sections:
            out["doc"] = self.word_or_string(one("doc"), "doc")
        for name in ("metadata", "options"):
            if name in sections:
                out[name] = self.json(one(name))
        return out

    def top_level(self, nodes: list) -> list:
        """The expressions of a begin/action/end/merge section; notes in ``plain`` those
        whose translation used no alias definition (:func:`share_named_types` skips them)."""
        out = []
        for node in nodes:
            before = self.handed_out
            value = self.expr(node)
            if self.handed_out == before:
                self.plain.add(id(value))
            out.append(value)
        return out

    def unique(self, items: list, what: str) -> dict:
        out: dict[str, Any] = {}
        for name, spec in items:
            if name in out:
                raise PrettyPfaError(f"the {what} {name!r} is declared twice")
            out[name] = spec
        return out

    def word_or_string(self, node: Any, what: str) -> str:
        t = self.text(node)
        if t is None:
            raise self.fail(node, f"{what}: must be a name or a string")
        return t

    def cellpool(self, node: Any, what: str) -> tuple[str, dict]:
        if not (isinstance(node, Node) and node.kind == "cellpool"):
            raise self.fail(node, f"a {what} is declared as 'name(type) = initial value', "
                                  f"not {self.describe(node)}")
        name, args, init = str(node.parts[0]), node.parts[1].parts, node.parts[2]
        shared = rollback = False
        source = "embedded"
        t: Any = None
        others = []
        for a in args:
            if not (isinstance(a, Node) and a.kind == "param"):
                others.append(a)
                continue
            key, v = self.key(a.parts[0]), a.parts[1]
            if key == "shared":
                shared = self.boolean(v, "shared")
            elif key == "rollback":
                rollback = self.boolean(v, "rollback")
            elif key == "source":
                src = self.text(v)
                if src is None:
                    raise self.fail(v, "source must be a string")
                source = src
            elif key == "type":
                t = v
            else:
                raise self.fail(a, f"a {what} takes type, shared, rollback and source, "
                                   f"not {key!r}")
        if (t is None and len(others) != 1) or (t is not None and others):
            raise self.fail(node, f"a {what} declaration gives its type once: "
                                  f"{name}(type) or {name}(type: type)")
        value = self.json(init)
        if what == "pool" and not isinstance(value, dict):
            raise self.fail(init, "the initial value of a pool is a {key: value} object")
        spec: dict[str, Any] = {"type": self.type(t if t is not None else others[0]),
                                "init": value, "shared": shared, "rollback": rollback}
        if source != "embedded":
            spec["source"] = source
        return name, spec


_EXPRESSIONS = {name[2:]: f for name, f in vars(_Translator).items() if name.startswith("x_")}
"""The translation of each kind of expression node (the ``x_<kind>`` methods)."""
_SPECIAL_CALLS = {name[5:]: f for name, f in vars(_Translator).items()
                  if name.startswith("call_")}
"""The calls with their own translation (``call_<name>``: json(...), new(...), ...)."""


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_number(v: Any) -> bool:
    return _is_int(v) or isinstance(v, float)


_PRIMITIVE_CHECKS: dict[str, tuple[str, Callable[[Any], bool]]] = {
    "int": ("an integer", _is_int), "long": ("an integer", _is_int),
    "float": ("a number", _is_number), "double": ("a number", _is_number),
    "string": ("a string", lambda v: isinstance(v, str)),
}


def _no_bool(v: Any) -> Any:
    if isinstance(v, bool) or v is None:
        raise TypeError
    return v


def translate(root: Node, is_function: Callable[[str], bool] | Container[str],
              marks: bool = False) -> dict:
    """The PFA JSON of a parsed document; ``is_function`` says which names are functions;
    ``marks`` puts a locator mark ("@": "PrettyPFA line L, column C") on every expression
    object, so later errors point into the PrettyPFA text."""
    check = is_function if callable(is_function) else is_function.__contains__
    ensure_stack_room()
    with gc_paused():
        translator = _Translator(check, marks)
        out = translator.document(root)
        if translator.handed_out < 2:  # no definition can appear twice
            return out
        return share_named_types(out, translator.plain)


_NAMED = ("record", "enum", "fixed")
_CONSTANTS = {"null": None, "true": True, "false": False}


def share_named_types(doc: Any, skip: Container[int] = frozenset()) -> Any:
    """A ``types:`` alias is expanded by reference wherever it is used: keep its full
    definition at the first use and write its name at the others (in place, returns ``doc``).
    Definitions written out more than once in the text stay as written. ``skip``: ids of
    list items known to hold no alias definition (not walked)."""
    seen: set[int] = set()

    def walk(value: Any) -> Any:  # value: a dict or a list
        if type(value) is dict:
            if "type" in value:
                if value["type"] in _NAMED and isinstance(value.get("name"), str):
                    if id(value) in seen:
                        return value["name"] if "namespace" not in value else \
                            f"{value['namespace']}.{value['name']}"
                    seen.add(id(value))
                data = "value"  # a literal's value is data
            else:
                data = None
            for k, v in value.items():
                if (type(v) is dict or type(v) is list) and k != data:
                    value[k] = walk(v)
            return value
        for i, v in enumerate(value):
            if (type(v) is dict or type(v) is list) and id(v) not in skip:
                value[i] = walk(v)
        return value

    for key, value in doc.items():
        if key in ("cells", "pools"):
            for spec in value.values():
                if type(spec["type"]) in (dict, list):
                    spec["type"] = walk(spec["type"])
        elif key not in ("zero", "metadata", "options") and type(value) in (dict, list):
            doc[key] = walk(value)
    return doc
