"""``pfa convert MODEL [-o OUT] [--to FORMAT]``: rewrite a PFA document in another syntax.

JSON (``.pfa``/``.json``), YAML (``.yaml``/``.yml``) and PrettyPFA (``.ppfa``/``.pretty``)
convert into each other; the document is read (and syntax-checked) like every command reads
it, so the output reads back into the same document.

Exit status: 0 converted, 1 the document is not valid PFA or has no spelling in the target
syntax, 2 the file cannot be read or written.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pfa.commands._common import UnreadableModel, load_document, say
from pfa.document.pretty.names import PRETTY_SUFFIXES
from pfa.errors import PfaSyntaxError

NAME = "convert"
HELP = "convert a PFA document between JSON, YAML and PrettyPFA"
DESCRIPTION = """\
Read MODEL (JSON, YAML or PrettyPFA, chosen by the file extension or, failing that, by the
content) and write it in the syntax of OUT's extension (.pfa/.json, .yaml/.yml,
.ppfa/.pretty) or of --to. Without -o the result goes to standard output (JSON unless --to
says otherwise).

exit status: 0 converted, 1 invalid document or no spelling in the target syntax,
2 unreadable input or unwritable output"""

EXIT_OK, EXIT_INVALID, EXIT_UNREADABLE = 0, 1, 2
FORMATS = ("json", "yaml", "ppfa")
_BY_SUFFIX = {".pfa": "json", ".json": "json", ".yaml": "yaml", ".yml": "yaml",
              **{s: "ppfa" for s in PRETTY_SUFFIXES}}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("model", metavar="MODEL", help="PFA document (.pfa, .json, .yaml, "
                                                       ".yml, .ppfa, .pretty)")
    parser.add_argument("-o", "--output", metavar="OUT", help="file to write (its extension "
                                                              "chooses the syntax)")
    parser.add_argument("--to", choices=FORMATS, help="the syntax to write (overrides OUT's "
                                                      "extension)")


def _target(args: argparse.Namespace) -> str | None:
    if args.to:
        return args.to
    if args.output is None:
        return "json"
    return _BY_SUFFIX.get(Path(args.output).suffix.lower())


def run(args: argparse.Namespace) -> int:
    from pfa.document.pretty import dumps
    from pfa.document.writer import write_json, write_yaml

    target = _target(args)
    if target is None:
        say(f"pfa convert: cannot tell the syntax of {args.output} from its extension; "
            f"use --to {{{','.join(FORMATS)}}}", sys.stderr)
        return EXIT_UNREADABLE
    try:
        doc = load_document(args.model)
    except UnreadableModel as exc:
        say(f"pfa convert: {exc}", sys.stderr)
        return EXIT_UNREADABLE
    except PfaSyntaxError as exc:
        say(f"pfa convert: {args.model}: {exc}", sys.stderr)
        return EXIT_INVALID
    try:
        if target == "ppfa":
            text = dumps(doc)
        elif target == "yaml":
            text = write_yaml(doc)
        else:
            text = write_json(doc, indent=2) + "\n"
    except PfaSyntaxError as exc:  # no spelling in the target syntax
        say(f"pfa convert: {args.model}: {exc}", sys.stderr)
        return EXIT_INVALID
    if args.output is None:
        sys.stdout.write(text)
        return EXIT_OK
    try:
        Path(args.output).write_text(text, encoding="utf-8")
    except OSError as exc:
        say(f"pfa convert: cannot write {args.output}: {exc.strerror or exc}", sys.stderr)
        return EXIT_UNREADABLE
    return EXIT_OK
