"""The engine-agnostic conformance suite (conformance/cases) run against this engine."""

from __future__ import annotations

from collections import defaultdict

import pytest

from conformance import runner
from pfa.check.signatures import library

SOURCES = {"spec example", "hand", "python stdlib", "numpy", "scipy"}


def _all_cases():
    return [(m, i, c) for m in runner.modules() for i, c in enumerate(runner.load_cases(m))]


def test_every_function_has_five_trials():
    trials: dict[str, int] = defaultdict(int)
    for _, _, case in _all_cases():
        trials[case["fcn"]] += len(case["trials"])
    lib = library()
    short = {n: trials.get(n, 0) for n in lib if trials.get(n, 0) < 5}
    assert not short, f"functions with fewer than 5 trials: {short}"
    assert set(trials) <= set(lib), f"unknown functions: {set(trials) - set(lib)}"
    # the specification's 449 functions; project extensions are counted apart
    assert sum(1 for f in lib.values() if f.extension is None) == 449


def test_every_trial_has_a_source_and_an_expectation():
    for m, i, case in _all_cases():
        assert case["compare"] in ("exact", "tolerance", "unordered", "type-only"), (m, i)
        for t in case["trials"]:
            assert t.get("source") in SOURCES, (m, i, t)
            if case["compare"] != "type-only":
                assert ("output" in t) != ("error" in t), (m, i, t)


@pytest.mark.parametrize("module", runner.modules())
def test_module_conforms(module):
    results = runner.run_engine("pfa", [module])
    bad = [f"{r.fcn} (#{r.index}) {r.status}: {'; '.join(r.problems[:3])}"
           for r in results if r.status != "pass"]
    assert not bad, "\n".join(bad)
