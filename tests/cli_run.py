"""Running the ``pfa`` command line in a subprocess, as a user would, under limits: a
wall-clock timeout (generous: it only catches hangs) and a memory limit (RLIMIT_AS)."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
MEMORY = 1536 * 2**20
WALL = 120.0
TRACEBACK = "Traceback (most recent call last)"


def _limit() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def cli_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = "1"  # thread pools reserve address space the memory limit counts
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")]).rstrip(
        os.pathsep)
    env.pop("PFA_DEBUG", None)
    env.update(extra)
    return env


def pfa_cli(*args: str, stdin: bytes = b"", cwd: str | Path | None = None,
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    """``pfa ARGS`` run to completion (TimeoutExpired if it hangs)."""
    return subprocess.run([sys.executable, "-m", "pfa.cli", *args], input=stdin,
                          capture_output=True, cwd=cwd, env=env or cli_env(), timeout=WALL,
                          preexec_fn=_limit)
