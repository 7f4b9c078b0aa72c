"""Rebuild a hostile case from its id, print it and run it in a bounded worker.

    python -m tests.hostile.replay mutant-20261201-73        # generated: id = seed + index
    python -m tests.hostile.replay escape-yaml-alias-bomb     # hand-written cases by id
    python -m tests.hostile.replay mutant-20261201-73 --doc   # print only the document

The result (what happened and which promises broke) is printed as JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from tests.hostile import batches, cli_cases, escapes, mutate, runner


def find(case_id: str) -> dict[str, Any]:
    if case_id.startswith("seed-"):
        return mutate.unmutated(int(case_id.split("-")[1]))
    if case_id.startswith("mutant-"):
        _, seed, index = case_id.rsplit("-", 2)
        return mutate.case(int(seed), int(index))
    for c in [*escapes.cases(), *batches.cases()]:
        if c["id"] == case_id:
            return c
    for c in cli_cases.cases():
        if c.id == case_id:
            return {"id": c.id, "cli": c.argv}
    raise SystemExit(f"no case {case_id!r}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("case_id")
    ap.add_argument("--doc", action="store_true", help="print the document text and stop")
    args = ap.parse_args(argv)
    case = find(args.case_id)
    if args.doc:
        print(case.get("doc_json") or case.get("yaml") or json.dumps(case.get("doc")))
        return 0
    if "cli" in case:
        res = cli_cases.run(next(c for c in cli_cases.cases() if c.id == args.case_id))
        print(json.dumps(res, indent=1))
        return 1 if res["bad"] else 0
    shown = {k: (v if len(json.dumps(v)) < 2000 else "…") for k, v in case.items()}
    print(json.dumps(shown, indent=1), file=sys.stderr)
    [(_, result)] = list(runner.run_cases([case]))
    print(json.dumps(result, indent=1))
    return 1 if result["bad"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
