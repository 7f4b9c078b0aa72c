"""PrettyPFA parsing speed: a generated 10,000-line document, parsed and translated to PFA
JSON (``pfa.document.pretty.loads``), and also read on into the AST (``read_pretty``).
Also titus2's translator on the same text, when it is installed.

    python benches/pretty_parse.py [--lines 10000] [--repeat 5]

Prints the best of ``--repeat`` runs for each path: wall-clock seconds, CPU seconds of this
process (``time.process_time``: what counts when the machine is shared) and lines per second
(from the wall time), and the load average before and after. Also the other direction
(``dumps``: the document written back as PrettyPFA, what ``pfa convert`` does).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pfa.document.pretty import dumps, library_function_names, loads, read_pretty  # noqa: E402

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
    library_function_names()
    doc = read_pretty(text)  # warm-up
    before = load_average()
    rows = [("pfa loads (parse + translate)", best(lambda: loads(text), args.repeat)),
            ("pfa read_pretty (+ reader)", best(lambda: read_pretty(text), args.repeat)),
            ("pfa dumps (document -> PrettyPFA)", best(lambda: dumps(doc), args.repeat))]
    try:
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "ppfa"))
        from titus_ref import titus_translate

        titus_translate(text)
        rows.append(("titus2 prettypfa.jsonNode", best(lambda: titus_translate(text), 2)))
    except ImportError:
        pass
    print(f"{n:,} lines, {len(text):,} characters; load average {before} -> {load_average()}")
    print(f"  {'':34s} {'wall':>8s}   {'CPU':>8s}")
    for name, (wall, cpu) in rows:
        print(f"  {name:34s} {wall:8.3f} s {cpu:8.3f} s {n / wall:12,.0f} lines/s")


if __name__ == "__main__":
    main()
