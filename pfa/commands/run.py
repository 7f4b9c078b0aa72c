"""``pfa run MODEL [INPUT]``: score JSON records, one per line, with a PFA document.

Each line of INPUT (or standard input) is one JSON datum of the document's input type: plain
JSON by default (a record is an object such as ``{"age": 79.0, "city": "rome"}``, read under the
engine's input contract: a nullable field takes the bare value, a union value is resolved by
its type), or Avro's JSON encoding with ``--avro-json`` (union values tagged,
``{"double": 79.0}``; bytes as strings of code points; ``"NaN"`` for NaN). Outputs go to standard output, one JSON line each: the output of every record for a
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
from collections.abc import Iterator
from typing import Any, TextIO

from pfa.commands._common import (
    UnreadableModel,
    add_allow_files,
    allow_list,
    load_document,
    printable,
)
from pfa.engine.options import overrides_from_text
from pfa.errors import PfaError, PfaInputError, PfaRuntimeError, PfaSemanticError, PfaSyntaxError

NAME = "run"
HELP = "score JSON records (one per line) with a PFA document"
DESCRIPTION = """\
Run MODEL (a PFA document in JSON, YAML or PrettyPFA) on the JSON records of INPUT (one per line;
standard input if INPUT is omitted or "-"). Records are plain JSON ({"age": 79.0,
"city": "rome"}) read by the input type; --avro-json reads Avro's JSON encoding instead
(unions tagged: {"age": {"double": 79.0}}) and writes outputs in it too. Outputs are written one JSON line each: map →
one per record, emit → one per emitted value, fold → the final tally after the end routine.
A failing record is reported on stderr as "line N: error CODE: MESSAGE" and the run
continues, unless --fail-fast is given. A line longer than 64 MiB stops the run.
Cell and pool initial values kept in external files are read only inside the
directories given with --allow-files.

exit status: 0 all records succeeded, 1 some failed, 2 unreadable or invalid model / usage"""

EXIT_OK, EXIT_FAILED, EXIT_MODEL = 0, 1, 2
MAX_LINE_BYTES = 64 * 2**20
"""Longest input line (one record) read; a longer line stops the run."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("model", metavar="MODEL", help="PFA document (.json, .pfa, .yaml, .yml)")
    parser.add_argument("input", metavar="INPUT", nargs="?", default="-",
                        help="JSON lines of input records (default: standard input)")
    parser.add_argument("--option", "-o", action="append", default=[], metavar="KEY=VALUE",
                        help="override a document option, e.g. --option timeout=1000 "
                             "(VALUE is read as JSON if it parses, else as a string)")
    parser.add_argument("--fail-fast", action="store_true",
                        help="stop at the first failing record")
    parser.add_argument("--avro-json", action="store_true",
                        help="records are in Avro's JSON encoding (union values tagged: "
                             "{\"double\": 79.0}) instead of plain JSON")
    add_allow_files(parser)


class ModelError(Exception):
    """The model cannot be read or run (exit status 2); the message names the file."""


def parse_options(items: list[str]) -> dict[str, Any]:
    """The ``--option KEY=VALUE`` overrides; a malformed item is a :class:`ModelError`."""
    try:
        return overrides_from_text(items)
    except ValueError as exc:
        raise ModelError(str(exc)) from None


def load_engine(path: str, options: dict[str, Any], files: Any, *,
                validate_input: bool = False):
    """The engine of model file ``path``, read and checked as ``pfa check`` does
    (ModelError otherwise)."""
    from pfa.engine.engine import Engine

    try:
        doc = load_document(path)
        return Engine.from_ast(doc, options=options or None, validate_input=validate_input,
                               allow_files=files)
    except UnreadableModel as exc:
        raise ModelError(str(exc)) from None
    except (PfaSyntaxError, PfaSemanticError) as err:
        raise ModelError(f"{path}: invalid PFA document: {err}") from None
    except PfaError as err:
        raise ModelError(f"{path}: cannot build the engine: {err}") from None


def _lines(stream: Any) -> Iterator[bytes]:
    """The lines of ``stream`` as bytes, each cut at ``MAX_LINE_BYTES + 1`` bytes."""
    while True:
        line = stream.readline(MAX_LINE_BYTES + 1)
        if not line:
            return
        yield line if isinstance(line, bytes) else line.encode("utf-8", "surrogatepass")


def _json_line(raw: bytes) -> Any:
    """The JSON value of one input line (PfaInputError if it is not UTF-8 JSON)."""
    from pfa.avro.data import load_json_text
    from pfa.errors import AvroDataError

    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PfaInputError(f"not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset "
                            f"{exc.start})") from None
    try:
        return load_json_text(text)
    except AvroDataError as exc:
        raise PfaInputError(exc.message) from None


def _describe(err: PfaError) -> str:
    if isinstance(err, PfaInputError):
        return f"input error: {err}"
    if isinstance(err, PfaRuntimeError):
        code = "" if err.code is None else f" {err.code}"
        where = f" (in {err.fcn})" if err.fcn else ""
        return f"error{code}: {err.message}{where}"
    return f"error: {err}"


def _emit_line(out: TextIO, engine: Any, value: Any) -> None:
    if getattr(engine, "avro_json_output", False):
        obj = engine.encode_output(value)
    else:
        from pfa.io.formats.jsonl import plain_json

        obj = plain_json(value)
    out.write(json.dumps(obj, separators=(",", ":")))
    out.write("\n")


def _routine(engine: Any, which: str, out: TextIO, err: TextIO) -> bool:
    """Run the ``begin`` or ``end`` routine and write what it emits; False if it failed."""
    try:
        emitted = getattr(engine, which)()
    except PfaError as exc:
        print(f"pfa run: {which}: {printable(_describe(exc))}", file=err)
        return False
    if engine.method == "emit":
        for v in emitted or []:
            _emit_line(out, engine, v)
    return True


def run(args: argparse.Namespace) -> int:
    err = sys.stderr
    out = sys.stdout
    try:
        options = parse_options(args.option)
        engine = load_engine(args.model, options, allow_list(args),
                             validate_input=not args.avro_json)
        engine.avro_json_output = args.avro_json
    except (ModelError, UnreadableModel) as exc:
        print(f"pfa run: {printable(exc)}", file=err)
        return EXIT_MODEL

    method = engine.method
    failed = 0
    if not _routine(engine, "begin", out, err):
        return EXIT_FAILED

    if args.input in ("-", None):
        # a binary stream; a text stream without one (a test's StringIO) is read as text
        stream: Any = getattr(sys.stdin, "buffer", sys.stdin)
        close = False
    else:
        try:
            stream = open(args.input, "rb")  # noqa: SIM115
        except OSError as exc:
            print(f"pfa run: cannot read {printable(args.input)}: {exc.strerror or exc}",
                  file=err)
            return EXIT_MODEL
        except ValueError as exc:  # a NUL character in the name
            print(f"pfa run: cannot read {printable(args.input)}: {exc}", file=err)
            return EXIT_MODEL
        close = True
    try:
        for lineno, raw in enumerate(_lines(stream), start=1):
            if len(raw) > MAX_LINE_BYTES:
                print(f"line {lineno}: input error: longer than {MAX_LINE_BYTES:,} bytes; "
                      "stopping", file=err)
                return EXIT_FAILED
            if not raw.strip():
                continue
            try:
                obj = _json_line(raw)
                result = engine.action(engine.decode_input(obj) if args.avro_json else obj)
                if method == "map":
                    _emit_line(out, engine, result)
                elif method == "emit":
                    for v in result:
                        _emit_line(out, engine, v)
            except PfaError as exc:
                failed += 1
                print(f"line {lineno}: {printable(_describe(exc))}", file=err)
                if args.fail_fast:
                    return EXIT_FAILED
    except BrokenPipeError:
        raise  # standard output closed (``| head``): main() stops quietly
    except OSError as exc:  # e.g. INPUT is a directory
        print(f"pfa run: cannot read {printable(args.input)}: {exc.strerror or exc}", file=err)
        return EXIT_MODEL
    finally:
        if close:
            stream.close()

    if not _routine(engine, "end", out, err):
        return EXIT_FAILED
    if method == "fold":
        _emit_line(out, engine, engine.tally)
    out.flush()
    return EXIT_FAILED if failed else EXIT_OK
