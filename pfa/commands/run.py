"""``pfa run MODEL [INPUT]``: score JSON records, one per line, with a PFA document.

Each line of INPUT (or standard input) is one JSON-encoded Avro datum of the document's input
type. Outputs go to standard output, one JSON line each: the output of every record for a
``map`` engine, every emitted value for an ``emit`` engine, and the final tally (after the
``end`` routine) for a ``fold`` engine. A record that fails is reported on standard error with
its line number, error code and message, and the run goes on (unless ``--fail-fast``).

Exit status: 0 every record succeeded, 1 some record (or begin/end) failed, 2 the model could
not be read or is not a valid PFA document, or a usage error.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, TextIO

from pfa.commands._common import UnreadableModel, read_model
from pfa.errors import PfaError, PfaInputError, PfaRuntimeError, PfaSemanticError, PfaSyntaxError

NAME = "run"
HELP = "score JSON records (one per line) with a PFA document"
DESCRIPTION = """\
Run MODEL (a PFA document in JSON or YAML) on the JSON records of INPUT (one per line;
standard input if INPUT is omitted or "-"). Outputs are written one JSON line each: map →
one per record, emit → one per emitted value, fold → the final tally after the end routine.
A failing record is reported on stderr as "line N: error CODE: MESSAGE" and the run
continues, unless --fail-fast is given.

exit status: 0 all records succeeded, 1 some failed, 2 unreadable or invalid model / usage"""

EXIT_OK, EXIT_FAILED, EXIT_MODEL = 0, 1, 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("model", metavar="MODEL", help="PFA document (.json, .pfa, .yaml, .yml)")
    parser.add_argument("input", metavar="INPUT", nargs="?", default="-",
                        help="JSON lines of input records (default: standard input)")
    parser.add_argument("--option", "-o", action="append", default=[], metavar="KEY=VALUE",
                        help="override a document option, e.g. --option timeout=1000 "
                             "(VALUE is read as JSON if it parses, else as a string)")
    parser.add_argument("--fail-fast", action="store_true",
                        help="stop at the first failing record")


class _ModelError(Exception):
    pass


def _parse_options(items: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        if not sep or not key:
            raise _ModelError(f"--option needs KEY=VALUE, found {item!r}")
        try:
            out[key] = json.loads(raw)
        except ValueError:
            out[key] = raw
    return out


def _load_engine(path: str, options: dict[str, Any]):
    from pfa.engine.engine import Engine

    try:
        _, value, _ = read_model(path)
    except UnreadableModel as exc:
        raise _ModelError(str(exc)) from None
    try:
        return Engine.from_json(value, options=options or None, validate_input=False)
    except (PfaSyntaxError, PfaSemanticError) as err:
        raise _ModelError(f"{path}: invalid PFA document: {err}") from None
    except PfaError as err:
        raise _ModelError(f"{path}: cannot build the engine: {err}") from None


def _describe(err: PfaError) -> str:
    if isinstance(err, PfaInputError):
        return f"input error: {err}"
    if isinstance(err, PfaRuntimeError):
        code = "" if err.code is None else f" {err.code}"
        where = f" (in {err.fcn})" if err.fcn else ""
        return f"error{code}: {err.message}{where}"
    return f"error: {err}"


def _emit_line(out: TextIO, engine: Any, value: Any) -> None:
    out.write(json.dumps(engine.encode_output(value), separators=(",", ":")))
    out.write("\n")


def _routine(engine: Any, which: str, out: TextIO, err: TextIO) -> bool:
    """Run the ``begin`` or ``end`` routine and write what it emits; False if it failed."""
    try:
        emitted = getattr(engine, which)()
    except PfaError as exc:
        print(f"pfa run: {which}: {_describe(exc)}", file=err)
        return False
    if engine.method == "emit":
        for v in emitted or []:
            _emit_line(out, engine, v)
    return True


def run(args: argparse.Namespace) -> int:
    err = sys.stderr
    out = sys.stdout
    try:
        options = _parse_options(args.option)
        engine = _load_engine(args.model, options)
    except _ModelError as exc:
        print(f"pfa run: {exc}", file=err)
        return EXIT_MODEL

    method = engine.method
    failed = 0
    if not _routine(engine, "begin", out, err):
        return EXIT_FAILED

    if args.input in ("-", None):
        stream: TextIO = sys.stdin
        close = False
    else:
        try:
            stream = open(args.input, encoding="utf-8")  # noqa: SIM115
        except OSError as exc:
            print(f"pfa run: cannot read {args.input}: {exc.strerror or exc}", file=err)
            return EXIT_MODEL
        close = True
    try:
        for lineno, line in enumerate(stream, start=1):
            if not line.strip():
                continue
            try:
                try:
                    obj = json.loads(line)
                except ValueError as exc:
                    raise PfaInputError(f"not valid JSON: {exc}") from None
                result = engine.action(engine.decode_input(obj))
                if method == "map":
                    _emit_line(out, engine, result)
                elif method == "emit":
                    for v in result:
                        _emit_line(out, engine, v)
            except PfaError as exc:
                failed += 1
                print(f"line {lineno}: {_describe(exc)}", file=err)
                if args.fail_fast:
                    return EXIT_FAILED
    finally:
        if close:
            stream.close()

    if not _routine(engine, "end", out, err):
        return EXIT_FAILED
    if method == "fold":
        _emit_line(out, engine, engine.tally)
    out.flush()
    return EXIT_FAILED if failed else EXIT_OK
