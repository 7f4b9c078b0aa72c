"""PrettyPFA parsing speed: a generated 10,000-line document, parsed and translated to PFA
JSON (``pfa.document.pretty.loads``), and also read on into the AST (``read_pretty``).
Also titus2's translator on the same text, when it is installed.

    python benches/pretty_parse.py [--lines 10000] [--repeat 5]

Prints the best of ``--repeat`` runs for each path (seconds) and lines per second.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pfa.document.pretty import library_function_names, loads, read_pretty  # noqa: E402

_STATEMENTS = (
    "var x{i} = input * {i}.5 + m.sqrt(a.sum(xs)) - (y ** 2) / 3",
    "if (x{i} > {i}) {{ total = total + x{i} }} else if (x{i} < 0) total = total - 1 "
    "else total = total * 2",
    "counter to fcn(old: int -> int) old + {i}",
    "table[\"k{i}\"] to fcn(old: double -> double) old + x{i} init 0.0",
    "foreach (v: xs) total = total + v * {i}",
    "for (j = 0; j < {i}; j = j + 1) total = total + j",
    "var s{i} = s.concat(\"item\", s.int({i}))",
    "log(x{i}, namespace: \"bench\")",
    "y = a.fold(xs, 0.0, fcn(acc: double, e: double -> double) acc + e * {i})",
    "var r{i} = new(Point, x: x{i}, y: input)",
)


def document(lines: int) -> str:
    head = ("name: Bench\ninput: double\noutput: double\ntypes:\n"
            "  Point = record(Point, x: double, y: double)\ncells:\n  counter(int) = 0\n"
            "pools:\n  table(double) = {}\naction:\n"
            "  var total = 0.0, y = 1.0, xs = new(array(double), 1.0, 2.0, 3.0);\n")
    body = [f"  {_STATEMENTS[i % len(_STATEMENTS)].format(i=i)};" for i in range(lines - 12)]
    return head + "\n".join(body) + "\n  total\n"


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lines", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    text = document(args.lines)
    n = text.count("\n")
    library_function_names()
    loads(text)  # warm-up: builds the parser once
    rows = [("pfa loads (parse + translate)", best(lambda: loads(text), args.repeat)),
            ("pfa read_pretty (+ reader)", best(lambda: read_pretty(text), args.repeat))]
    try:
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "ppfa"))
        from titus_ref import titus_translate

        titus_translate(text)
        rows.append(("titus2 prettypfa.jsonNode", best(lambda: titus_translate(text), 2)))
    except ImportError:
        pass
    print(f"{n:,} lines, {len(text):,} characters")
    for name, secs in rows:
        print(f"  {name:32s} {secs:8.3f} s   {n / secs:12,.0f} lines/s")


if __name__ == "__main__":
    main()
