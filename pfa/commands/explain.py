"""``pfa explain MODEL [--json]``: show how ``action_batch`` runs a document — which
expressions (by document path) are vectorized, which run row by row on the scalar engine,
and why.

Exit status: 0 printed, 1 the document is invalid, 2 the file cannot be read.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict

from pfa.commands._common import add_allow_files
from pfa.errors import PfaError

NAME = "explain"
HELP = "show which parts of a document run vectorized in batches"
DESCRIPTION = """\
Compile MODEL (a PFA document in JSON, YAML or PrettyPFA) for batch scoring and list every expression the
vector back end handles ("vector"), every library call run row by row on vectorized
arguments ("row-wise"), every subtree compiled by the scalar engine and run row by row
("scalar island"), or why the whole action runs on the scalar engine ("scalar").

exit status: 0 printed, 1 invalid document, 2 unreadable file"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("model", metavar="MODEL", help="PFA document (.json, .pfa, .yaml, .yml)")
    parser.add_argument("--json", action="store_true", help="print the entries as JSON")
    add_allow_files(parser)


def run(args: argparse.Namespace) -> int:
    from pfa.commands._common import UnreadableModel, allow_list, load_document, say
    from pfa.engine.engine import Engine

    try:
        files = allow_list(args)
        engine = Engine.from_ast(load_document(args.model), allow_files=files)
    except UnreadableModel as err:
        say(f"pfa explain: {err}", sys.stderr)
        return 2
    except PfaError as err:
        say(f"pfa explain: {err}", sys.stderr)
        return 1
    entries = engine.explain_batch()
    if args.json:
        print(json.dumps([asdict(e) for e in entries], indent=2))
        return 0
    counts: dict[str, int] = {}
    for e in entries:
        counts[e.mode] = counts.get(e.mode, 0) + 1
        say(e)
    summary = ", ".join(f"{n} {mode}" for mode, n in sorted(counts.items()))
    print(f"-- {summary or 'nothing to run'}")
    return 0
