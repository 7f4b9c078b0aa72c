"""``pfa coverage [MODEL] [--json]``: which parts of PFA 0.8.1 this engine implements.

Without MODEL: a table by namespace of the specification's library functions and how many
have a scalar implementation, then the special forms (one per expression class of
``pfa.document.ast``) and whether the engine compiles them, then totals. With MODEL: read and
check the document and say whether this engine can run it (exit 0) or which names it lacks
(exit 1), following the spec's atomic notion of partial conformance.
"""

from __future__ import annotations

import argparse
import inspect
import json
import sys
from typing import Any

NAME = "coverage"
HELP = "report which library functions and special forms this engine implements"
DESCRIPTION = """\
Without MODEL, print the library functions of PFA 0.8.1 by namespace with the number this
engine implements, and every special form with whether the engine supports it.
With MODEL, check the document and report whether this engine can run it.

exit status: 0 everything needed is implemented, 1 something is missing, 2 unreadable MODEL"""

# JSON keyword(s) of each expression class (display only; the classes themselves come from
# pfa.document.ast, so a new form appears here automatically under its class name).
FORM_KEYWORDS: dict[str, str] = {
    "Ref": "symbol reference", "LiteralNull": "null", "LiteralBoolean": "true/false",
    "LiteralInt": "int", "LiteralLong": "long", "LiteralFloat": "float",
    "LiteralDouble": "double", "LiteralString": "string", "LiteralBase64": "base64",
    "Literal": "type/value", "Call": "fcn call", "CallUserFcn": "call/args", "NewObject": "new (record/map)",
    "NewArray": "new (array)", "Let": "let", "SetVar": "set", "AttrGet": "attr",
    "AttrTo": "attr/to", "CellGet": "cell", "CellTo": "cell/to", "PoolGet": "pool",
    "PoolTo": "pool/to", "PoolDel": "pool/del", "Do": "do", "If": "if", "Cond": "cond",
    "While": "while", "DoUntil": "do/until", "For": "for", "Foreach": "foreach",
    "Forkeyval": "forkey/forval", "CastBlock": "cast/cases", "Upcast": "upcast",
    "IfNotNull": "ifnotnull", "Pack": "pack", "Unpack": "unpack", "Doc": "doc",
    "Error": "error", "Try": "try", "Log": "log", "FcnDef": "params/ret/do",
    "FcnRef": "fcn (reference)",
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("model", metavar="MODEL", nargs="?", help="PFA document to assess")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")


def namespace(name: str) -> str:
    """The library module of a function name (``core`` for the unprefixed ones)."""
    return name.rpartition(".")[0] if "." in name else "core"


def special_forms() -> list[str]:
    """Class names of every special form: the ``Expr`` subclasses plus FcnDef and FcnRef."""
    from pfa.document import ast as A

    forms = [n for n, c in inspect.getmembers(A, inspect.isclass)
             if c.__module__ == A.__name__ and issubclass(c, A.Expr) and c is not A.Expr]
    return sorted(forms) + ["FcnDef", "FcnRef"]


def supported_forms() -> set[str]:
    """Special forms the scalar engine compiles (it has a ``c_<Class>`` method)."""
    from pfa.engine.scalar import Compiler

    out = {f for f in special_forms() if hasattr(Compiler, "c_" + f)}
    # function definitions and references are compiled as arguments, not as expressions
    if any(hasattr(Compiler, m) for m in ("argument", "_compile_user_function")):
        out |= {"FcnDef", "FcnRef"}
    return out


def library_table() -> dict[str, Any]:
    from pfa.check.signatures import library
    from pfa.lib.registry import implemented_names

    impl = implemented_names()
    modules: dict[str, dict[str, Any]] = {}
    for name in library():
        row = modules.setdefault(namespace(name), {"total": 0, "implemented": 0, "missing": []})
        row["total"] += 1
        if name in impl:
            row["implemented"] += 1
        else:
            row["missing"].append(name)
    forms = special_forms()
    sup = supported_forms()
    return {
        "modules": dict(sorted(modules.items())),
        "forms": {f: {"keyword": FORM_KEYWORDS.get(f, f), "supported": f in sup} for f in forms},
        "functions": {"total": sum(r["total"] for r in modules.values()),
                      "implemented": sum(r["implemented"] for r in modules.values())},
        "special_forms": {"total": len(forms), "supported": len(sup & set(forms))},
    }


def _print_table(t: dict[str, Any]) -> None:
    print(f"{'module':<16}{'implemented':>12}{'spec':>6}  missing")
    for mod, row in t["modules"].items():
        miss = ", ".join(row["missing"][:6]) + (" …" if len(row["missing"]) > 6 else "")
        print(f"{mod:<16}{row['implemented']:>12}{row['total']:>6}  {miss}")
    print()
    print(f"{'special form':<16}{'keyword':<20}supported")
    for f, row in t["forms"].items():
        print(f"{f:<16}{row['keyword']:<20}{'yes' if row['supported'] else 'NO'}")
    print()
    fn, sf = t["functions"], t["special_forms"]
    print(f"{fn['implemented']}/{fn['total']} library functions")
    print(f"{sf['supported']}/{sf['total']} special forms")


def _model_report(path: str) -> tuple[dict[str, Any], int]:
    from pfa.check.checker import check
    from pfa.commands._common import UnreadableModel, load_document
    from pfa.document import ast as A
    from pfa.errors import PfaSemanticError, PfaSemanticErrors, PfaSyntaxError
    from pfa.lib.registry import implemented_names

    try:
        doc = load_document(path)
        typed = check(doc)
    except UnreadableModel as exc:
        return {"model": path, "error": str(exc)}, 2
    except (PfaSyntaxError, PfaSemanticError, PfaSemanticErrors) as exc:
        return {"model": path, "runnable": False, "error": f"invalid document: {exc}"}, 1
    roots: list[Any] = [*doc.action, *doc.begin, *doc.end, *(doc.merge or []),
                        *doc.fcns.values()]
    used_forms = sorted({type(n).__name__ for r in roots for n in A.walk(r)}
                        & set(special_forms()))
    lib_used = sorted(n for n in typed.functions_used if not n.startswith("u."))
    impl = implemented_names()
    missing_fcns = [n for n in lib_used if n not in impl]
    sup = supported_forms()
    missing_forms = [f for f in used_forms if f not in sup]
    ok = not missing_fcns and not missing_forms
    return {"model": path, "runnable": ok, "functions_used": lib_used,
            "special_forms_used": used_forms, "missing_functions": missing_fcns,
            "missing_special_forms": missing_forms}, 0 if ok else 1


def run(args: argparse.Namespace) -> int:
    from pfa.commands._common import say

    if args.model is None:
        table = library_table()
        if args.json:
            print(json.dumps(table, indent=2))
        else:
            _print_table(table)
        fn, sf = table["functions"], table["special_forms"]
        return 0 if fn["implemented"] == fn["total"] and sf["supported"] == sf["total"] else 1
    report, status = _model_report(args.model)
    if args.json:
        print(json.dumps(report, indent=2))
    elif "runnable" not in report:
        say(f"pfa coverage: {report['error']}", sys.stderr)
    elif "error" in report:
        say(f"{args.model}: {report['error']}")
    elif report["runnable"]:
        say(f"{args.model}: this engine can run it ({len(report['functions_used'])} library "
              f"functions, {len(report['special_forms_used'])} special forms)")
    else:
        say(f"{args.model}: this engine cannot run it; missing:")
        for n in report["missing_functions"] + report["missing_special_forms"]:
            say(f"  {n}")
    return status
