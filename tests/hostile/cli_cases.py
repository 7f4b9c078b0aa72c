"""CLI misuse: ``pfa check/run/export/explain/coverage`` on files a careless user or an
attacker would give them, each run as a subprocess (through :mod:`cli_wrap`, with the audit
hook) under a wall-clock and a memory limit.

Every run must end within the limit without a Python traceback on stderr, with a non-zero
exit status when the case is an error, without raw control characters (other than newline
and tab) in its output, and without touching files other than the ones on its command line.
"""

from __future__ import annotations

import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.hostile import escapes, runner

HERE = Path(__file__).resolve().parent
WRAP = HERE / "cli_wrap.py"
WALL = 60.0
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
INC = {"name": "inc", "input": "double", "output": "double", "action": {"+": ["input", 1]}}
ESC = "\x1b[2J\x1b]0;pwned\x07\x1b[31m"


@dataclass
class CliCase:
    """One command line; ``files`` (name → text or bytes) are created in its directory,
    which is its working directory; ``{tmp}`` in arguments is that directory."""

    id: str
    argv: list[str]
    files: dict[str, str | bytes] = field(default_factory=dict)
    stdin: bytes = b""
    fails: bool = True          # an error: the exit status must be non-zero
    needs_model: bool = False   # a fitted sklearn model is saved as model.pkl first


def _doc(**kw: Any) -> str:
    return json.dumps({**INC, **kw})


def cases() -> list[CliCase]:
    bad_utf8 = b'{"input": "double", "output": "double", "action": "\xff\xfe"}'
    deep = "[" * 100_000 + "]" * 100_000
    return [
        CliCase("cli-check-not-utf8", ["check", "bad.pfa"], {"bad.pfa": bad_utf8}),
        CliCase("cli-run-not-utf8-document", ["run", "bad.pfa", "in.jsonl"],
                {"bad.pfa": bad_utf8, "in.jsonl": "1\n"}),
        CliCase("cli-run-not-utf8-records", ["run", "inc.pfa", "in.jsonl"],
                {"inc.pfa": _doc(), "in.jsonl": b"1\n\xff\xfe\n2\n"}),
        CliCase("cli-run-not-utf8-stdin", ["run", "inc.pfa"], {"inc.pfa": _doc()},
                stdin=b"\xff\n"),
        CliCase("cli-explain-not-utf8", ["explain", "bad.pfa"], {"bad.pfa": bad_utf8}),
        CliCase("cli-coverage-not-utf8", ["coverage", "bad.pfa"], {"bad.pfa": bad_utf8}),
        CliCase("cli-check-dev-zero", ["check", "/dev/zero"]),
        CliCase("cli-run-dev-zero-document", ["run", "/dev/zero", "in.jsonl"],
                {"in.jsonl": "1\n"}),
        CliCase("cli-run-dev-zero-records", ["run", "inc.pfa", "/dev/zero"],
                {"inc.pfa": _doc()}),
        CliCase("cli-explain-dev-zero", ["explain", "/dev/zero"]),
        CliCase("cli-check-directory", ["check", "."]),
        CliCase("cli-run-directory-document", ["run", ".", "in.jsonl"], {"in.jsonl": "1\n"}),
        CliCase("cli-run-directory-records", ["run", "inc.pfa", "."], {"inc.pfa": _doc()}),
        CliCase("cli-coverage-directory", ["coverage", "."]),
        CliCase("cli-check-missing-file", ["check", "missing.pfa"]),
        CliCase("cli-run-missing-records", ["run", "inc.pfa", "missing.jsonl"],
                {"inc.pfa": _doc()}),
        CliCase("cli-check-empty-file", ["check", "empty.pfa"], {"empty.pfa": ""}),
        CliCase("cli-check-binary-garbage", ["check", "g.pfa"],
                {"g.pfa": bytes(range(256)) * 4}),
        CliCase("cli-check-lone-surrogate-name", ["check", "s.pfa"],
                {"s.pfa": '{"name": "\\ud800", "input": "double", "output": "double", '
                          '"action": "input"}'}, fails=False),
        CliCase("cli-check-escape-in-name", ["check", "e.pfa"],
                {"e.pfa": _doc(name=ESC)}, fails=False),
        CliCase("cli-check-escape-in-name-invalid", ["check", "e.pfa"],
                {"e.pfa": json.dumps({"name": ESC, "input": "double", "output": "int",
                                      "action": "input"})}),
        CliCase("cli-explain-escape-in-name", ["explain", "e.pfa"], {"e.pfa": _doc(name=ESC)},
                fails=False),
        CliCase("cli-coverage-escape-in-name", ["coverage", "e.pfa"],
                {"e.pfa": _doc(name=ESC)}, fails=False),
        CliCase("cli-check-escape-in-field-name", ["check", "e.pfa"],
                {"e.pfa": json.dumps({"input": {"type": "record", "name": "R", "fields": [
                    {"name": "a", "type": "double"}]}, "output": "double",
                    "action": {"attr": "input", "path": [{"string": ESC}]}})}),
        CliCase("cli-check-escape-in-function-name", ["check", "e.pfa"],
                {"e.pfa": json.dumps({"input": "double", "output": "double",
                                      "action": {ESC: ["input"]}})}),
        CliCase("cli-check-escape-in-file-name", ["check", f"x{ESC}.pfa"],
                {f"x{ESC}.pfa": "{not json"}),
        CliCase("cli-check-escape-in-missing-file-name", ["check", f"x{ESC}.pfa"]),
        CliCase("cli-run-escape-in-record", ["run", "inc.pfa"], {"inc.pfa": _doc()},
                stdin=json.dumps(ESC).encode() + b"\n" + ESC.encode() + b"\n"),
        CliCase("cli-run-escape-in-error-message", ["run", "err.pfa"],
                {"err.pfa": json.dumps({"input": "string", "output": "string", "action": {
                    "error": ESC}})}, stdin=b'"x"\n'),
        CliCase("cli-run-escape-in-emit-log", ["run", "log.pfa"],
                {"log.pfa": json.dumps({"input": "string", "output": "string", "action": [
                    {"log": ["input"]}, "input"]})}, stdin=json.dumps(ESC).encode() + b"\n",
                fails=False),
        CliCase("cli-check-yaml-alias-bomb", ["check", "bomb.yaml"],
                {"bomb.yaml": escapes.BOMB_YAML}),
        CliCase("cli-run-yaml-alias-bomb-cell", ["run", "bomb.yaml", "in.jsonl"],
                {"bomb.yaml": escapes.BOMB_CELL_YAML, "in.jsonl": "null\n"}),
        CliCase("cli-check-int-literal-5000-digits", ["check", "big.pfa"],
                {"big.pfa": '{"input": "null", "output": "long", "action": ' + "9" * 5000
                            + "}"}),
        CliCase("cli-check-nested-100000", ["check", "deep.pfa"],
                {"deep.pfa": '{"input": "null", "output": "int", "action": ' + deep + "}"}),
        CliCase("cli-run-nested-record-100000", ["run", "inc.pfa", "in.jsonl"],
                {"inc.pfa": _doc(), "in.jsonl": deep + "\n"}),
        CliCase("cli-run-host-file-cell", ["run", "cell.pfa", "in.jsonl"],
                {"cell.pfa": json.dumps({"input": "null", "output": "string", "action":
                                         {"cell": "c"}, "cells": {"c": {
                                             "type": "string", "source": "json",
                                             "init": "/etc/passwd"}}}),
                 "in.jsonl": "null\n"}),
        CliCase("cli-run-allow-files-missing-dir", ["run", "--allow-files", "nodir",
                                                    "inc.pfa", "in.jsonl"],
                {"inc.pfa": _doc(), "in.jsonl": "1\n"}),
        CliCase("cli-run-option-not-json", ["run", "--option", "timeout=\x1b[2J", "inc.pfa",
                                            "in.jsonl"], {"inc.pfa": _doc(),
                                                          "in.jsonl": "1\n"}),
        CliCase("cli-run-option-huge-int", ["run", "--option", "timeout=" + "9" * 5000,
                                            "inc.pfa", "in.jsonl"],
                {"inc.pfa": _doc(), "in.jsonl": "1\n"}),
        CliCase("cli-run-long-line", ["run", "inc.pfa", "in.jsonl"],
                {"inc.pfa": _doc(), "in.jsonl": "1" * 2_000_000 + "\n"}),
        CliCase("cli-export-missing-output-dir", ["export", "model.pkl", "-o",
                                                  "nodir/x.pfa"], needs_model=True),
        CliCase("cli-export-onto-directory", ["export", "model.pkl", "-o", "outdir"],
                {"outdir/keep": ""}, needs_model=True),
        CliCase("cli-export-overlong-name", ["export", "model.pkl", "-o", "x" * 300 + ".pfa"],
                needs_model=True),
        CliCase("cli-export-escape-in-output-name", ["export", "model.pkl", "-o",
                                                     f"nodir{ESC}/x.pfa"], needs_model=True),
        CliCase("cli-export-not-a-model", ["export", "notmodel.pkl", "-o", "x.pfa"],
                {"notmodel.pkl": b"\x80\x04\x95\x05\x00\x00\x00\x00\x00\x00\x00]\x94."}),
        CliCase("cli-export-garbage", ["export", "g.skops", "-o", "x.pfa"],
                {"g.skops": b"PK\x03\x04garbage"}),
        CliCase("cli-export-dev-zero", ["export", "/dev/zero", "-o", "x.pfa"]),
        CliCase("cli-export-directory", ["export", ".", "-o", "x.pfa"]),
        CliCase("cli-no-arguments", [], fails=True),
    ]


def _limit() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (runner.MEMORY, runner.MEMORY))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


_MODEL: dict[str, bytes] = {}


def model_bytes() -> bytes:
    """A pickled fitted LogisticRegression (made once per process, in a subprocess)."""
    if "m" not in _MODEL:
        code = ("import pickle, sys\nfrom sklearn.linear_model import LogisticRegression\n"
                "m = LogisticRegression().fit([[0.0, 1.0], [1.0, 0.0], [0.5, 0.2]], [0, 1, 0])"
                "\nsys.stdout.buffer.write(pickle.dumps(m))\n")
        _MODEL["m"] = subprocess.run([sys.executable, "-c", code], check=True,
                                     capture_output=True, timeout=300).stdout
    return _MODEL["m"]


def run(case: CliCase) -> dict[str, Any]:
    """Run one CLI case; the result has ``bad`` (broken promises) like a worker result."""
    tmp = tempfile.mkdtemp(prefix="pfa-hostile-cli-")
    try:
        for name, content in case.files.items():
            path = os.path.join(tmp, name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            data = content if isinstance(content, bytes) else content.encode(
                "utf-8", "surrogatepass")
            with open(path, "wb") as f:
                f.write(data)
        if case.needs_model:
            with open(os.path.join(tmp, "model.pkl"), "wb") as f:
                f.write(model_bytes())
        argv = [a.replace("{tmp}", tmp) for a in case.argv]
        allowed = [tmp] + [a for a in argv if a.startswith("/")]
        audit_out = os.path.join(tempfile.gettempdir(), f"pfa-hostile-audit-{os.getpid()}")
        env = runner.child_env()
        env["PFA_HOSTILE_AUDIT_OUT"] = audit_out
        t0 = time.monotonic()
        bad: list[str] = []
        try:
            proc = subprocess.run([sys.executable, str(WRAP), json.dumps(allowed), "--", *argv],
                                  input=case.stdin, capture_output=True, cwd=tmp, env=env,
                                  timeout=WALL, preexec_fn=_limit)
            code, out, err = proc.returncode, proc.stdout, proc.stderr
        except subprocess.TimeoutExpired as exc:
            code, out, err = None, exc.stdout or b"", exc.stderr or b""
            bad.append(f"hang: still running after {WALL} s")
        seconds = round(time.monotonic() - t0, 3)
        text_err = err.decode("utf-8", "replace")
        text_out = out.decode("utf-8", "replace")
        if "Traceback (most recent call last)" in text_err:
            bad.append("traceback on stderr: …" + text_err[-900:])
        if "this is a bug in pfa" in text_err:
            bad.append("internal error reported as a bug: …" + text_err[-400:])
        if "MemoryError" in text_err or (code is not None and code < 0):
            bad.append(f"out of memory or killed (exit status {code})")
        if case.fails and code == 0:
            bad.append("exit status 0 for an error")
        if not case.fails and code not in (0, None):
            bad.append(f"exit status {code} for a valid command: {text_err[-300:]}")
        for name, stream in (("stdout", text_out), ("stderr", text_err)):
            m = CONTROL.search(stream)
            if m:
                at = m.start()
                bad.append(f"raw control character {m.group()!r} in {name}: "
                           f"{stream[max(0, at - 60):at + 40]!r}")
        if os.path.exists(audit_out):
            with open(audit_out, encoding="utf-8") as f:
                bad.extend(f"host access: {v}" for v in f.read().splitlines()[:5] if v)
            os.remove(audit_out)
        return {"id": case.id, "bad": bad, "outcome": [f"exit {code}", text_err[-200:]],
                "seconds": seconds}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def as_json(case: CliCase) -> dict[str, Any]:
    """The case as a JSON object (for the summary and the log)."""
    return {"id": case.id, "category": "cli", "argv": case.argv,
            "doc_json": json.dumps({k: (v if isinstance(v, str) else repr(v[:200]))[:300]
                                    for k, v in case.files.items()})}
