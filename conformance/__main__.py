"""``python -m conformance --engine NAME [--module M] [--json REPORT] [-v]``."""

from __future__ import annotations

import argparse
import sys

from conformance import adapters, runner


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m conformance",
                                description="Run the PFA conformance cases against engines.")
    p.add_argument("--engine", action="append", default=[],
                   help="engine to test: pfa, titus or all (repeatable; default pfa)")
    p.add_argument("--module", action="append", default=[],
                   help="namespace case file to run (repeatable; default all)")
    p.add_argument("--json", metavar="REPORT", help="write a JSON report to this file")
    p.add_argument("-v", "--verbose", action="store_true", help="list failing cases")
    args = p.parse_args(argv)
    engines: list[str] = []
    for e in args.engine or ["pfa"]:
        for name in (adapters.ENGINES if e == "all" else [e]):
            if name not in adapters.ENGINES:
                p.error(f"unknown engine {name!r}")
            if name not in engines:
                engines.append(name)
    known = runner.modules()
    for m in args.module:
        if m not in known:
            p.error(f"no case file for module {m!r}")
    return runner.main(engines, args.module or None, args.json, args.verbose)


if __name__ == "__main__":
    sys.exit(main())
