"""Pytest plugin: the session summary line of the hostile-input harness (cases run, passed
and bad per category). The tests save their tallies; the controlling process prints the
total. Loaded by this directory's conftest; for full-suite runs (where xdist's controller
does not load sub-directory conftests) add ``-p tests.hostile.summary`` to pytest's options."""

from __future__ import annotations

import os
import time

from tests.hostile import runner


def pytest_configure(config) -> None:
    if not os.environ.get("PFA_HOSTILE_SESSION"):
        os.environ["PFA_HOSTILE_SESSION"] = f"{os.getpid()}-{time.time_ns()}"


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    if hasattr(config, "workerinput") or getattr(config, "_pfa_hostile_summary", False):
        return  # an xdist worker (the controller prints), or printed already
    config._pfa_hostile_summary = True
    d = runner.summary_dir()
    line = runner.merge_saved(d) if d is not None else None
    if line:
        terminalreporter.write_line(line)
