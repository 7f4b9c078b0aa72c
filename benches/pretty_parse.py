"""PrettyPFA parsing speed: a generated 10,000-line document of the usual constructs, parsed
and translated to PFA JSON (``pfa.document.pretty.loads``: issue 18 asks for under a second),
with its steps (tokenize, tokens -> syntax tree, tree -> PFA JSON) and, apart from it, read on
into a PfaDocument (``read_pretty``: the PFA JSON with locator marks, syntax-checked by the
document reader; no engine is built). Also titus2's translator on the same text, when it is
installed, and the other direction (``dumps``: the document written back as PrettyPFA, what
``pfa convert`` does).

    python benches/pretty_parse.py [--lines 10000] [--repeat 5]

Prints the best of ``--repeat`` runs for each path: wall-clock seconds, CPU seconds of this
process (``time.process_time``: what counts when the machine is shared) and lines per second
(from the wall time), and the load average before and after.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pfa._gcpause import gc_paused  # noqa: E402
from pfa.document.pretty import dumps, library_function_names, loads, read_pretty  # noqa: E402
from pfa.document.pretty.lexer import tokenize  # noqa: E402
from pfa.document.pretty.syntax import parse  # noqa: E402
from pfa.document.pretty.translate import translate  # noqa: E402

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


def best(fn, repeat: int) -> tuple[float, float]:
    """The smallest wall-clock and CPU times of ``repeat`` runs."""
    walls, cpus = [], []
    for _ in range(repeat):
        w, c = time.perf_counter(), time.process_time()
        fn()
        cpus.append(time.process_time() - c)
        walls.append(time.perf_counter() - w)
    return min(walls), min(cpus)


def load_average() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lines", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    text = document(args.lines)
    n = text.count("\n")
    names = library_function_names()
    doc = read_pretty(text)  # warm-up
    tree = parse(text)
    before = load_average()

    def paused(fn):  # the steps alone, with the collector paused as loads pauses it
        def run():
            with gc_paused():
                fn()
        return run

    rows = [("pfa loads: PrettyPFA -> PFA JSON", best(lambda: loads(text), args.repeat)),
            ("  1. tokenize", best(paused(lambda: tokenize(text)), args.repeat)),
            ("  2. parse (1 + tokens -> tree)", best(paused(lambda: parse(text)), args.repeat)),
            ("  3. translate (tree -> PFA JSON)",
             best(paused(lambda: translate(tree, names)), args.repeat)),
            ("pfa loads(marks=True)", best(lambda: loads(text, marks=True), args.repeat)),
            ("pfa read_pretty (+ document reader)", best(lambda: read_pretty(text), args.repeat)),
            ("pfa dumps (document -> PrettyPFA)", best(lambda: dumps(doc), args.repeat))]
    try:
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "ppfa"))
        from titus_ref import titus_translate

        titus_translate(text)
        rows.append(("titus2 prettypfa.jsonNode", best(lambda: titus_translate(text), 2)))
    except ImportError:
        pass
    print(f"{n:,} lines, {len(text):,} characters; load average {before} -> {load_average()}")
    print(f"  {'':36s} {'wall':>8s}   {'CPU':>8s}")
    for name, (wall, cpu) in rows:
        print(f"  {name:36s} {wall:8.3f} s {cpu:8.3f} s {n / wall:12,.0f} lines/s")
    wall, cpu = rows[0][1]
    verdict = "met" if wall < 1 else \
        "met in CPU time; the wall time is the machine's load" if cpu < 1 else "NOT met"
    print(f"issue 18 (PrettyPFA -> PFA JSON, {n:,} lines, under a second): {wall:.3f} s wall, "
          f"{cpu:.3f} s CPU: {verdict}")


if __name__ == "__main__":
    main()
