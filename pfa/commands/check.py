"""``pfa check MODEL [--json]``: read and type-check a PFA document without running it.

Exit status: 0 if the document is valid (a summary is printed), 1 if it has syntax or
semantic errors (each is listed with its JSON path), 2 if the file cannot be read or is not
JSON/YAML at all.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from pfa.commands._common import (
    UnreadableModel,
    add_allow_files,
    allow_list,
    load_document,
    say,
)
from pfa.errors import PfaSemanticError, PfaSemanticErrors, PfaSyntaxError

NAME = "check"
HELP = "type-check a PFA document (JSON, YAML or PrettyPFA) without running it"
DESCRIPTION = """\
Read MODEL (a PFA document in JSON, YAML or PrettyPFA, chosen by the file extension or, failing that,
by the content) and run the static checks of PFA 0.8.1: syntax, types, symbol scopes,
function signatures, cells and pools. Initial values kept in external files are read and
checked only inside the directories given with --allow-files.

exit status: 0 valid, 1 errors found (each listed with its JSON path), 2 unreadable file"""

EXIT_OK, EXIT_INVALID, EXIT_UNREADABLE = 0, 1, 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("model", metavar="MODEL", help="PFA document (.json, .pfa, .yaml, .yml)")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    add_allow_files(parser)


def _error_dict(err: PfaSemanticError | PfaSyntaxError, kind: str) -> dict[str, Any]:
    return {"kind": kind, "message": err.message, "path": err.path, "locator": err.locator}


def _summary(typed) -> dict[str, Any]:
    return {
        "valid": True,
        "name": typed.doc.name,
        "method": typed.method,
        "input": typed.input_type.to_json(),
        "output": typed.output_type.to_json(),
        "functions_used": list(typed.functions_used),
        "cells": {k: v.to_json() for k, v in typed.cells.items()},
        "pools": {k: v.to_json() for k, v in typed.pools.items()},
        "user_functions": sorted(f"u.{n}" for n in typed.fcns),
    }


def run(args: argparse.Namespace) -> int:
    from pfa.check.checker import check
    from pfa.engine.state import InitialState, external_inits

    try:
        files = allow_list(args)
        doc = load_document(args.model)
    except UnreadableModel as exc:
        say(f"pfa check: {exc}", sys.stderr)
        return EXIT_UNREADABLE
    except PfaSyntaxError as exc:
        return _report(args, [_error_dict(exc, "syntax")])
    try:
        typed = check(doc)
        external = external_inits(doc)
        if external and files is not None:
            InitialState(doc, typed, files)  # reads and decodes them as pfa run would
    except PfaSemanticErrors as exc:
        return _report(args, [_error_dict(e, "semantic") for e in exc.errors])
    except PfaSemanticError as exc:
        return _report(args, [_error_dict(exc, "semantic")])
    summary = _summary(typed)
    if external:  # cells and pools whose initial values are kept in files
        summary["external_inits"] = {"names": external, "read": files is not None}
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        compact = {"separators": (",", ":")}
        say(f"{args.model}: valid")
        say(f"  name:           {summary['name'] if summary['name'] is not None else '-'}")
        say(f"  method:         {summary['method']}")
        say(f"  input:          {json.dumps(summary['input'], **compact)}")
        say(f"  output:         {json.dumps(summary['output'], **compact)}")
        used = ", ".join(summary["functions_used"]) or "-"
        say(f"  functions used: {used}")
        if external and files is None:
            say(f"  note: the initial values of {', '.join(external)} are kept in files, not "
                "read here (--allow-files DIR reads them)")
    return EXIT_OK


def _report(args: argparse.Namespace, errors: list[dict[str, Any]]) -> int:
    if args.json:
        print(json.dumps({"valid": False, "errors": errors}, indent=2))
    else:
        n = len(errors)
        say(f"{args.model}: {n} error{'s' if n != 1 else ''}")
        for e in errors:
            where = e["path"] or "$"
            loc = f" (source {e['locator']})" if e["locator"] else ""
            say(f"  {where}{loc}: {e['message']}")
    return EXIT_INVALID
