"""Run ``pfa`` (``pfa.cli.main``, as the console script does) under the harness's audit hook.

    python cli_wrap.py ALLOWED_JSON -- ARGS...

ALLOWED_JSON is a JSON list of directories and files the command may touch (the files named on
its command line). Host-access violations are written, one per line, to the file named by
``PFA_HOSTILE_AUDIT_OUT`` when the process exits. An exception escaping ``main`` prints its
traceback exactly as the installed ``pfa`` command would.
"""

from __future__ import annotations

import atexit
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def main() -> None:
    allowed = json.loads(sys.argv[1])
    argv = sys.argv[3:]
    sys.path.insert(0, HERE)
    import audit

    from pfa.cli import main as pfa_main

    auditor = audit.Auditor()
    auditor.install()
    auditor.begin(allowed)
    out = os.environ.get("PFA_HOSTILE_AUDIT_OUT")

    def report() -> None:
        found = auditor.end()
        if out:
            with open(out, "w", encoding="utf-8", errors="backslashreplace") as f:
                f.write("\n".join(found))

    atexit.register(report)
    sys.argv = ["pfa", *argv]
    sys.exit(pfa_main(argv))


if __name__ == "__main__":
    main()
