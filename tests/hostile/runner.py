"""The parent side of the hostile-input harness: a worker process that runs cases one by one,
restarted after a crash, a ``MemoryError`` or a case past its wall-clock limit.

A case is a JSON object:

- ``id`` (unique, replayable: see :mod:`tests.hostile.replay`), ``category``;
- the document: ``doc`` (a dict), ``doc_json`` (text; ``expand`` maps placeholders in it to
  big generated text) or ``yaml``; ``options`` (the host's overrides); ``engine_kwargs``;
  ``files`` (name → text, or ``{"b64": ...}``) written into the case's temporary directory,
  whose path replaces ``{tmp}`` in the document and options; ``allow`` (extra directories);
- what to run: ``inputs`` (JSON-encoded Avro data for ``action``), ``inputs_json`` (raw text
  for ``action_json``), ``batch`` (also compare ``action_batch`` with ``action``),
  ``batch_builder`` (a malformed batch from :mod:`tests.hostile.batches`), ``api: "check"``
  (only read and check);
- ``expect``: ``"error"`` (a PFA error must happen somewhere) or ``"ok"`` (the build must
  succeed); without it any PFA error or success passes.

Every case, whatever it expects, fails when it raises a non-PFA exception, a runtime error
without a code, runs past its timeout option + 1 s (CPU time; wall-clock gets 2 s more for a
loaded machine), takes more memory than the worker's limit, opens a file or lists a directory
outside its allow-list, compiles source text from ``pfa`` or starts a process, or when
``action_batch`` differs from ``action`` row by row.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
WORKER = HERE / "worker.py"
MEMORY = int(os.environ.get("PFA_HOSTILE_MEMORY", str(1536 * 2**20)))  # RLIMIT_AS of a worker
NO_TIMEOUT_WALL = 15.0   # seconds a case without a timeout option may take in all
STARTUP_WALL = 120.0     # seconds a worker may take to start (imports on a loaded machine)


def budget(default: int = 300) -> int:
    """How many generated cases to run: ``PFA_HOSTILE_CASES`` (``make fuzz`` sets 5000)."""
    return int(os.environ.get("PFA_HOSTILE_CASES", str(default)))


def seed() -> int:
    """The base seed of generated cases (``PFA_HOSTILE_SEED``; fixed by default so CI runs
    are repeatable)."""
    return int(os.environ.get("PFA_HOSTILE_SEED", "20261201"))


def wall_limit(case: dict[str, Any]) -> float:
    """Seconds after which the parent kills the worker running ``case`` (a hang): enough
    for every step to use its timeout + 1 s, stretched (up to 4×) when the machine's load
    average exceeds its cores."""
    load = min(4.0, max(1.0, os.getloadavg()[0] / (os.cpu_count() or 1)))
    if "wall" in case:
        return float(case["wall"]) * load
    t = (case.get("options") or {}).get("timeout")
    if not isinstance(t, int) or t < 0:
        return NO_TIMEOUT_WALL * load
    steps = 2 * (len(case.get("inputs") or []) + len(case.get("inputs_json") or [])) + 2
    return min(6.0 + (t / 1000 + 1.0) * steps, 30.0) * load


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS",
                "NUMEXPR_NUM_THREADS"):
        env[var] = "1"
    env["ARROW_DEFAULT_MEMORY_POOL"] = "system"  # jemalloc/mimalloc reserve 1 GiB of address
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")]).rstrip(
        os.pathsep)
    env.pop("PYTHONSTARTUP", None)
    return env


class Worker:
    """One child process running :mod:`worker`; restarted whenever it dies or hangs."""

    def __init__(self, memory: int = MEMORY):
        self.memory = memory
        self.proc: subprocess.Popen | None = None
        self.buf = b""
        self.cwd = tempfile.mkdtemp(prefix="pfa-hostile-cwd-")
        self.errlog = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as the worker
        self.restarts = 0
        self.eof = False

    def _start(self) -> None:
        self.errlog.seek(0)
        self.errlog.truncate()
        self.buf = b""
        self.proc = subprocess.Popen(
            [sys.executable, str(WORKER), json.dumps({"memory": self.memory})],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.errlog,
            cwd=self.cwd, env=child_env())
        line = self._readline(STARTUP_WALL)
        if line is None or not json.loads(line).get("ready"):
            raise RuntimeError(f"hostile worker did not start: {self._stderr_tail()}")

    def _readline(self, limit: float) -> bytes | None:
        """The next line from the worker, or None on timeout or end of file."""
        assert self.proc is not None and self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        deadline = time.monotonic() + limit
        while b"\n" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            ready, _, _ = select.select([fd], [], [], left)
            if not ready:
                return None
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                self.eof = True
                return None
            self.buf += chunk
        line, _, self.buf = self.buf.partition(b"\n")
        return line

    def _stderr_tail(self, n: int = 1500) -> str:
        self.errlog.flush()
        self.errlog.seek(0, os.SEEK_END)
        size = self.errlog.tell()
        self.errlog.seek(max(0, size - n))
        return self.errlog.read().decode("utf-8", "replace")

    def _kill(self) -> int | None:
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.kill()
        code = self.proc.wait()
        for stream in (self.proc.stdin, self.proc.stdout):
            if stream:
                stream.close()
        self.proc = None
        self.restarts += 1
        return code

    def run(self, case: dict[str, Any]) -> dict[str, Any]:
        if self.proc is None or self.proc.poll() is not None:
            self._start()
        assert self.proc is not None and self.proc.stdin is not None
        limit = wall_limit(case)
        t0 = time.monotonic()
        try:
            self.proc.stdin.write(json.dumps(case).encode("utf-8") + b"\n")
            self.proc.stdin.flush()
        except BrokenPipeError:
            pass
        self.eof = False
        line = self._readline(limit)
        if line is None:
            if self.eof:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    self.proc.wait(timeout=10)
            alive = self.proc.poll() is None
            tail = self._stderr_tail()
            code = self._kill()
            if alive:
                what = f"hang: no result after {limit:.1f} s wall-clock (worker killed)"
            elif code is not None and code < 0:
                what = f"worker killed by signal {-code} (memory or crash)"
            else:
                what = f"worker died with exit status {code}"
            return {"id": case["id"], "bad": [f"{what}; stderr: …{tail[-700:]}"],
                    "outcome": ["crash"], "seconds": round(time.monotonic() - t0, 3)}
        result = json.loads(line)
        if result.get("restart"):
            self._kill()
        return result

    def close(self) -> None:
        if self.proc is not None:
            try:
                assert self.proc.stdin is not None
                self.proc.stdin.close()
                self.proc.wait(timeout=5)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait()
            self.proc = None
        self.errlog.close()


def run_cases(cases: Iterable[dict[str, Any]], worker: Worker | None = None
              ) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """(case, result) for each case, in order, on one worker."""
    own = worker is None
    w = worker or Worker()
    try:
        for case in cases:
            yield case, w.run(case)
    finally:
        if own:
            w.close()


# ---------------------------------------------------------------------------------------------
# summaries
# ---------------------------------------------------------------------------------------------

@dataclass
class Tally:
    """Counts per category and the bad results (with their cases, for replay)."""

    run: Counter = field(default_factory=Counter)
    bad: Counter = field(default_factory=Counter)
    failures: list[tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=list)

    def add(self, case: dict[str, Any], result: dict[str, Any]) -> None:
        cat = case.get("category", "?")
        self.run[cat] += 1
        if result["bad"]:
            self.bad[cat] += 1
            self.failures.append((case, result))
        _log(case, result)

    def line(self) -> str:
        total = sum(self.run.values())
        nbad = sum(self.bad.values())
        cats = ", ".join(f"{c} {self.run[c] - self.bad[c]}/{self.run[c]}"
                         for c in sorted(self.run))
        return f"hostile: {total} cases, {total - nbad} passed, {nbad} bad ({cats})"

    def message(self, limit: int = 15) -> str:
        out = [self.line()]
        for case, result in self.failures[:limit]:
            out.append(describe(case, result))
        if len(self.failures) > limit:
            out.append(f"… and {len(self.failures) - limit} more (set PFA_HOSTILE_LOG=FILE "
                       f"for all)")
        return "\n".join(out)

    def save(self, name: str) -> None:
        d = summary_dir()
        if d is not None:
            (d / f"{name}.json").write_text(json.dumps(
                {"run": dict(self.run), "bad": dict(self.bad)}))


def describe(case: dict[str, Any], result: dict[str, Any]) -> str:
    doc = case.get("doc_json") or case.get("yaml") or json.dumps(case.get("doc"))
    doc = doc if len(doc) <= 400 else doc[:400] + "…"
    bad = "\n    ".join(b.replace("\n", "\n      ") for b in result["bad"])
    return (f"- {case['id']} [{case.get('category')}] replay: python -m tests.hostile.replay "
            f"{case['id']}\n    {bad}\n    doc: {doc}")


def _log(case: dict[str, Any], result: dict[str, Any]) -> None:
    path = os.environ.get("PFA_HOSTILE_LOG")
    if path:
        with open(path, "a", encoding="utf-8") as f:
            f.write(json.dumps({"case": case, "result": result}, default=repr) + "\n")


def summary_dir() -> Path | None:
    session = os.environ.get("PFA_HOSTILE_SESSION")
    if not session:
        return None
    d = Path(tempfile.gettempdir()) / "pfa-hostile-summary" / session
    d.mkdir(parents=True, exist_ok=True)
    return d


def merge_saved(d: Path) -> str | None:
    """One summary line from the tallies the tests of a session saved in ``d``."""
    run: Counter = Counter()
    bad: Counter = Counter()
    for f in sorted(d.glob("*.json")):
        data = json.loads(f.read_text())
        run.update(data["run"])
        bad.update(data["bad"])
    if not run:
        return None
    t = Tally(run, bad)
    return t.line()
