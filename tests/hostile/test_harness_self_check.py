"""The harness must be able to fail: each kind of broken promise, committed on purpose inside
a worker, is reported as bad (and the worker survives or is restarted)."""

from __future__ import annotations

import pytest

from tests.hostile import runner

PROBES = {
    "open-outside": "host access: open",
    "listdir-outside": "host access: os.listdir",
    "subprocess": "host access: subprocess.Popen",
    "allocate": "MemoryError",
    "spin": "past the timeout",
    "hang": "hang:",
    "type-error": "non-PFA exception TypeError",
    "uncoded": "runtime error without a code",
    "crash": "worker killed by signal",
}


@pytest.fixture(scope="module")
def worker():
    w = runner.Worker()
    yield w
    w.close()


@pytest.mark.parametrize("probe", sorted(PROBES))
def test_harness_reports(worker, probe):
    case = {"id": f"probe-{probe}", "category": "probe", "probe": probe,
            "options": {"timeout": 100}, "wall": 8.0}
    result = worker.run(case)
    assert any(PROBES[probe] in b for b in result["bad"]), result
    after = worker.run({"id": "probe-after", "category": "probe", "probe": "none"})
    assert after["bad"] == [], after
