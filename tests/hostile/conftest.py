"""Session summary of the hostile-input harness: one line with the cases run, passed and bad
per category (the tests save their tallies; the controlling process prints the total)."""

from __future__ import annotations

import os
import time

from tests.hostile import runner


def pytest_configure(config) -> None:
    if not os.environ.get("PFA_HOSTILE_SESSION"):
        os.environ["PFA_HOSTILE_SESSION"] = f"{os.getpid()}-{time.time_ns()}"


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    if hasattr(config, "workerinput"):
        return  # an xdist worker: the controller prints
    d = runner.summary_dir()
    line = runner.merge_saved(d) if d is not None else None
    if line:
        terminalreporter.write_line(line)
