"""The ``pfa`` command line: parses arguments and hands each subcommand to its module.

Each module of ``pfa.commands`` defines ``NAME``, ``HELP``, ``add_arguments(parser)`` and
``run(args) -> int``. Errors a user can cause are printed as one line on stderr with a
non-zero exit status, never as a traceback; text that comes from a document or an input is
printed through :func:`pfa.commands._common.printable` (control characters escaped).
Anything unexpected ends as a one-line "internal error" with exit status 3 (``PFA_DEBUG=1``
prints its traceback).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import pkgutil
import sys
import traceback

import pfa.commands as commands_pkg
from pfa.errors import PfaError
from pfa.terminal import printable

EXIT_USAGE = 2
EXIT_INTERNAL = 3


def _commands():
    mods = []
    for info in sorted(pkgutil.iter_modules(commands_pkg.__path__), key=lambda i: i.name):
        if not info.name.startswith("_"):
            mods.append(importlib.import_module(f"pfa.commands.{info.name}"))
    return mods


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pfa",
        description="Portable Format for Analytics: export, check and run PFA documents.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for mod in _commands():
        p = sub.add_parser(mod.NAME, help=mod.HELP, description=getattr(mod, "DESCRIPTION",
                                                                        mod.HELP),
                           formatter_class=argparse.RawDescriptionHelpFormatter)
        mod.add_arguments(p)
        p.set_defaults(_run=mod.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one ``pfa`` command; its exit status. Nothing escapes as a traceback: an
    unexpected exception is an internal error (status 3) with a request to report it."""
    for stream in (sys.stdout, sys.stderr):  # never fail on text a terminal cannot show
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    command = "?"
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        command = args.command or "?"
        if not getattr(args, "_run", None):
            parser.print_help(sys.stderr)
            return EXIT_USAGE
        return int(args._run(args) or 0)
    except PfaError as err:
        _error(f"pfa {command}: {printable(err)}")
        return 1
    except RecursionError:
        _error(f"pfa {command}: the input is nested too deeply to process")
        return 2
    except MemoryError:
        _error(f"pfa {command}: out of memory")
        return EXIT_INTERNAL
    except KeyboardInterrupt:
        _error(f"pfa {command}: interrupted")
        return 130
    except BrokenPipeError:
        _silence_stdout()  # the reader went away (``| head``): stop quietly
        return 0
    except SystemExit:
        raise
    except BaseException as err:  # the last line of defence, not an error message
        if os.environ.get("PFA_DEBUG"):
            traceback.print_exc()
        _error(f"pfa {command}: internal error: {type(err).__name__}: {printable(err)} "
               "(a bug in pfa: please report it with the command that caused it; "
               "PFA_DEBUG=1 prints the traceback)")
        return EXIT_INTERNAL


def _error(text: str) -> None:
    with contextlib.suppress(OSError, ValueError):  # stderr closed too: nothing left to say
        print(text, file=sys.stderr)


def _silence_stdout() -> None:
    """Point standard output at /dev/null so the interpreter's final flush cannot fail."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass


if __name__ == "__main__":
    sys.exit(main())
