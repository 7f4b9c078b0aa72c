"""``pfa score MODEL INPUT -o OUTPUT``: score a data file (CSV, Parquet, JSON lines, Avro,
Arrow IPC) with a PFA map document, in bounded memory, with an error file for failing rows.

The reading, scoring and writing live in :mod:`pfa.io`; this module is the command line:
options, progress bar, summary line and exit status."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from typing import Any

from pfa.commands._common import UnreadableModel, add_allow_files, allow_list
from pfa.commands.run import ModelError, load_engine, parse_options
from pfa.terminal import printable

NAME = "score"
HELP = "score a data file (CSV, Parquet, JSON lines, Avro, Arrow) with a PFA document"
DESCRIPTION = """\
Score every row of INPUT with MODEL (a PFA map document) and write one output row per input
row, in input order, to OUTPUT (default: standard output). Formats follow the file extension
(.csv .tsv .parquet .jsonl/.ndjson/.json .avro .arrow/.feather) or --input-format /
--output-format; "-" is standard input/output (CSV, TSV, JSON lines, Avro, Arrow stream).

Input columns feed the document's input record by field name (or the original column names
the exporter recorded); other columns are ignored unless --keep copies them to the output.
Record outputs become columns (label, probabilities, ...); in CSV, nested records become
"parent.field" columns and arrays/maps JSON text. The file is read and scored in chunks of
--chunk-size rows, so memory stays bounded whatever its size.

A row the engine refuses or fails on does not stop the run: it is reported (row number,
field, error code, message) to --errors FILE as JSON lines (else the first ones on stderr),
and its output row is null (--on-error null, default), left out (skip) or the run stops
before it (fail). A progress bar is shown when stderr is a terminal; a summary line ends the
run (--quiet: neither).

exit status: 0 every row scored, 1 some rows failed (or --on-error fail stopped the run),
2 usage error, unreadable or invalid model, unreadable input or columns that do not match
the document's input (nothing is scored), or OUTPUT or the --errors file cannot be written
(disk full: a partial OUTPUT file is removed), 3 internal error"""

EXIT_OK, EXIT_ROWS_FAILED, EXIT_USAGE = 0, 1, 2
STDERR_ERRORS = 10
"""Row errors printed on stderr when there is no --errors file."""


FORMAT_NAMES = "csv, tsv, parquet, jsonl, avro, arrow"
"""For the help text only (the registry, pfa.io.formats(), is the list; loading it imports
pyarrow, which the parser of every command must not)."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("model", metavar="MODEL", help="PFA document (.json, .pfa, .yaml)")
    parser.add_argument("input", metavar="INPUT", help='data file to score ("-": stdin)')
    parser.add_argument("-o", "--output", default="-", metavar="OUTPUT",
                        help='where the outputs go (default "-": standard output)')
    parser.add_argument("--input-format", metavar="FORMAT",
                        help=f"format of INPUT ({FORMAT_NAMES}; default: by extension)")
    parser.add_argument("--output-format", metavar="FORMAT",
                        help="format of OUTPUT (default: by extension; on standard output "
                             "the input's format when it can stream, else csv)")
    parser.add_argument("--keep", action="append", default=[], metavar="COL[,COL...]",
                        help="copy these input columns (ids) to the output, before the "
                             "outputs (repeatable)")
    parser.add_argument("--errors", metavar="FILE",
                        help="write one JSON line per failed row: row, kind, code, field, "
                             "message")
    parser.add_argument("--on-error", choices=("null", "skip", "fail"), default="null",
                        help="the output of a failed row: a row of nulls (default), no row, "
                             "or stop the run before it")
    parser.add_argument("--fail-fast", action="store_true",
                        help="same as --on-error fail")
    parser.add_argument("--chunk-size", type=int, metavar="ROWS",
                        help="rows read and scored at once (default: about 64 MiB of data)")
    parser.add_argument("--workers", type=int, default=1, metavar="N",
                        help="score chunks in N processes (output order kept)")
    parser.add_argument("--array-input", action="store_true",
                        help="for an array input type: the columns (all but --keep) of a "
                             "row are the array's items")
    parser.add_argument("--avro-json", action="store_true",
                        help="JSON lines in and out are Avro's JSON encoding (unions tagged)")
    parser.add_argument("--option", action="append", default=[], metavar="KEY=VALUE",
                        help="override a document option, e.g. --option timeout=1000")
    parser.add_argument("-q", "--quiet", action="store_true",
                        help="no progress bar and no summary line")
    add_allow_files(parser)


def run(args: argparse.Namespace) -> int:
    err = sys.stderr
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        print("pfa score: needs pyarrow (pip install 'pfa[arrow]')", file=err)
        return EXIT_USAGE
    from pfa.io.errors import DataFileError

    try:
        return _score(args)
    except (ModelError, UnreadableModel) as exc:
        print(f"pfa score: {printable(exc)}", file=err)
    except DataFileError as exc:
        print(f"pfa score: {printable(exc)}", file=err)
    except _Usage as exc:
        print(f"pfa score: {printable(exc)}", file=err)
    return EXIT_USAGE


class _Usage(Exception):
    pass


def _keep(items: list[str]) -> tuple[str, ...]:
    out: list[str] = []
    for item in items:
        for name in item.split(","):
            if name and name not in out:
                out.append(name)
    return tuple(out)


def _same_file(a: str, b: str) -> bool:
    if "-" in (a, b):
        return False
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.realpath(a) == os.path.realpath(b)


def _score(args: argparse.Namespace) -> int:
    from pfa.io.errors import DataFileError
    from pfa.io.registry import STDIO, format_for
    from pfa.io.scoring import BatchScorer, InputColumns, default_chunk_rows, read_spec

    if args.chunk_size is not None and args.chunk_size < 1:
        raise _Usage("--chunk-size must be at least 1")
    if args.workers < 1:
        raise _Usage("--workers must be at least 1")
    on_error = "fail" if args.fail_fast else args.on_error
    keep = _keep(args.keep)
    in_fmt = format_for(args.input, args.input_format, role="input")
    if args.output == STDIO and not args.output_format:
        out_fmt = in_fmt if in_fmt.stdio else format_for("x.csv")
    else:
        out_fmt = format_for(args.output, args.output_format, role="output")
    if args.input == STDIO and not in_fmt.stdio:
        raise DataFileError(args.input, f"{in_fmt.name} cannot be read from standard input; "
                                        "give a file name")
    if args.output == STDIO and not out_fmt.stdio:
        raise DataFileError(args.output, f"{out_fmt.name} cannot be written to standard "
                                         "output; give a file name with -o")
    if _same_file(args.input, args.output) or (args.errors and (
            _same_file(args.errors, args.input) or _same_file(args.errors, args.output))):
        raise _Usage("INPUT, OUTPUT and --errors must be different files")

    options = parse_options(args.option)
    allowed = allow_list(args)
    engine = load_engine(args.model, options, allowed, validate_input=True)
    if engine.method != "map":
        raise ModelError(f"{args.model}: pfa score runs map documents; this one is "
                         f"{engine.method!r} (use pfa run)")
    inputs = InputColumns.of(engine, keep, args.array_input)
    n_columns = (len(engine.input_type.fields) if inputs.is_record else 1) + len(keep) + \
        len(getattr(engine.output_type, "fields", ())) + 1
    chunk = args.chunk_size or default_chunk_rows(n_columns)
    decode = engine.decode_input if args.avro_json else None
    reader = in_fmt.open_reader(args.input, read_spec(inputs, chunk, decode))
    created: list[str] = []
    errors_out = None
    try:
        # formats that declare their columns are checked before any row is read (an empty
        # file declares none; JSON lines never do: each row meets the input contract)
        input_names = inputs.check(args.input, reader.columns) if reader.columns else None
        scorer = BatchScorer(engine, inputs, on_error, input_names)
        if args.errors:
            try:
                errors_out = open(args.errors, "w", encoding="utf-8")  # noqa: SIM115
            except OSError as exc:
                raise DataFileError(args.errors, f"cannot write: {exc.strerror or exc}"
                                    ) from None
        report = _ErrorReport(errors_out, sys.stderr, args.errors)
        progress = _progress(reader.total_rows, args.quiet)
        write_options = {"avro_json": args.avro_json,
                         "outputs": {c.name: c for c in scorer.outputs}}

        def open_writer(schema: Any) -> Any:
            if args.output != STDIO and not _special(args.output):
                created.append(args.output)
            return _NamedWriteErrors(out_fmt.open_writer(args.output, schema, write_options),
                                     args.output)

        setup = None
        if args.workers > 1:
            from pfa.document.writer import write_json

            setup = (write_json(engine.document), options or None,
                     list(args.allow_files) or None, keep, args.array_input, on_error,
                     input_names)
        from pfa.io.scoring import score_file

        try:
            summary = score_file(scorer, reader, open_writer, on_errors=report.add,
                                 on_progress=progress.update if progress else None,
                                 workers=args.workers, worker_setup=setup)
        finally:
            if progress is not None:
                progress.close()
        created.clear()  # finished: the output stays
    finally:
        reader.close()
        unwritten = _close_errors_file(errors_out, args.errors)
        for path in created:  # a run that stopped on a file error leaves no partial output
            if not _special(path):
                with contextlib.suppress(OSError):
                    os.remove(path)
    if unwritten is not None:
        raise unwritten
    report.finish()
    if not args.quiet:
        where = f" (see {args.errors})" if args.errors and summary.rows_failed else ""
        stopped = "; stopped at the first failed row (--on-error fail)" if summary.stopped \
            else ""
        print(f"pfa score: {summary.rows_read:,} rows read, {summary.rows_scored:,} scored, "
              f"{summary.rows_failed:,} failed{where} in {summary.seconds:.2f} s "
              f"({summary.rows_per_second:,.0f} rows/s){stopped}", file=sys.stderr)
    return EXIT_ROWS_FAILED if summary.rows_failed or summary.stopped else EXIT_OK


def _close_errors_file(out: Any, path: str | None) -> Exception | None:
    """Close the --errors file; the error naming it when its last lines cannot be written."""
    if out is None:
        return None
    try:
        out.close()
    except OSError as exc:
        from pfa.io.errors import DataFileError

        return DataFileError(path, f"cannot write: {exc.strerror or exc}")
    return None


def _special(path: str) -> bool:
    """True for an existing path that is not a regular file (a device such as /dev/null, a
    pipe): never removed after a failed run."""
    return os.path.exists(path) and not os.path.isfile(path)


class _NamedWriteErrors:
    """A writer whose write errors (disk full, …) name the output file: a DataFileError, not
    an internal error. A closed pipe stays a BrokenPipeError (``| head``: a quiet stop)."""

    def __init__(self, writer: Any, path: str) -> None:
        self._writer = writer
        self._path = path

    def _failed(self, exc: OSError) -> Exception:
        from pfa.io.errors import DataFileError

        if isinstance(exc, BrokenPipeError):
            return exc
        return DataFileError(self._path, f"cannot write: {exc.strerror or exc}")

    def write(self, table: Any) -> None:
        try:
            self._writer.write(table)
        except OSError as exc:
            raise self._failed(exc) from None

    def close(self) -> None:
        try:
            self._writer.close()
        except OSError as exc:
            raise self._failed(exc) from None


class _ErrorReport:
    """Row errors to the --errors file (JSON lines), or the first few to stderr."""

    def __init__(self, out: Any, err: Any, path: str | None) -> None:
        self.out = out
        self.err = err
        self.path = path
        self.count = 0

    def add(self, errors: list[Any]) -> None:
        try:
            self._add(errors)
        except OSError as exc:
            from pfa.io.errors import DataFileError

            raise DataFileError(self.path, f"cannot write: {exc.strerror or exc}") from None

    def _add(self, errors: list[Any]) -> None:
        for e in errors:
            self.count += 1
            if self.out is not None:
                self.out.write(json.dumps(e.as_json(), separators=(",", ":")) + "\n")
            elif self.count <= STDERR_ERRORS:
                where = f"row {e.row}" if e.row is not None else ""
                field = f", column {e.field!r}" if e.field else ""
                code = f" {e.code}" if e.code is not None else ""
                kind = "error" if e.kind == "runtime" else f"{e.kind} error"
                head = f"{where}{field}: " if where else ""
                print(printable(f"{head}{kind}{code}: {e.message}"), file=self.err)

    def finish(self) -> None:
        if self.out is None and self.count > STDERR_ERRORS:
            print(f"... and {self.count - STDERR_ERRORS:,} more failed rows (--errors FILE "
                  "writes them all)", file=self.err)


def _progress(total: int | None, quiet: bool) -> Any:
    """A tqdm progress bar on stderr when it is a terminal (None otherwise)."""
    if quiet or not getattr(sys.stderr, "isatty", lambda: False)():
        return None
    try:
        from tqdm import tqdm
    except ImportError:
        return None
    return tqdm(total=total, unit=" rows", file=sys.stderr, leave=False,
                dynamic_ncols=True)
