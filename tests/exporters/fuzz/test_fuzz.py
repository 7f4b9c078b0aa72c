"""The differential fuzzer: for every converter of the registry, random tables and pipelines
around it, exported and scored by sklearn and by the document on every path.

The budget is ``PFA_FUZZ_EXAMPLES`` (see :mod:`tests.exporters.fuzz.budget`), spread over one
test per converter so ``pytest -n`` spreads them; one example in ``CLI_EVERY`` also goes
through ``pfa export`` on a joblib or skops file.
"""

from __future__ import annotations

import json
import os

import pytest
from hypothesis import HealthCheck, Phase, event, given, seed, settings

from tests.exporters.fuzz import budget
from tests.exporters.fuzz import spec as S
from tests.exporters.fuzz.oracle import ACCEPTED_REFUSALS, run_case
from tests.exporters.fuzz.pipelines import cases

TARGETS = [c.estimator for c in S.converters()]
#: a case takes a second or more, so shrinking is opt-in (PFA_FUZZ_SHRINK=1): a failure
#: prints the drawn case, which replays as it is
PHASES = [Phase.generate] + ([Phase.shrink] if os.environ.get("PFA_FUZZ_SHRINK") else [])


def _record(target: str, outcome: str) -> None:
    event(outcome)
    path = os.environ.get("PFA_FUZZ_STATS")  # a JSON-lines file of outcomes, when set
    if path:
        with open(path, "a") as fh:
            fh.write(json.dumps({"target": target, "outcome": outcome}) + "\n")


#: with at least this many examples a target must reach an export at least once (else its
#: hyper-parameter strategy in params.py makes sklearn refuse every fit)
MIN_EXAMPLES_FOR_COVERAGE = 10


def _fuzz(target: str, examples: int, cli: bool) -> list[str]:
    outcomes: list[str] = []

    @seed(budget.SEED)
    @settings(max_examples=examples, deadline=None, database=None, derandomize=False,
              suppress_health_check=list(HealthCheck), print_blob=True, phases=PHASES)
    @given(case=cases(target, cli=cli))
    def check(case):
        outcome = run_case(case)
        outcomes.append(outcome)
        _record(target, outcome)

    check()
    return outcomes


@pytest.mark.parametrize("index", range(len(TARGETS)), ids=TARGETS)
def test_fuzz_converter(index: int) -> None:
    """API export of pipelines around this converter equals sklearn on every path."""
    n = budget.share(index, len(TARGETS))
    n_cli = n // budget.CLI_EVERY
    outcomes = _fuzz(TARGETS[index], n - n_cli, cli=False)
    if n_cli:
        outcomes += _fuzz(TARGETS[index], n_cli, cli=True)
    if n >= MIN_EXAMPLES_FOR_COVERAGE:
        assert any(not o.startswith("fit-failed") for o in outcomes), (
            f"no example of {TARGETS[index]} could be fitted: {sorted(set(outcomes))}")


def test_cli_export_paths() -> None:
    """At least a few examples per run go through ``pfa export`` (joblib and skops), spread
    over the converters so each run covers different ones."""
    n = max(4, budget.EXAMPLES // (budget.CLI_EVERY * 4))
    for k in range(n):
        target = TARGETS[(budget.SEED * 7 + k * 11) % len(TARGETS)]
        _fuzz(target, 1, cli=True)


def test_accepted_refusals_are_documented_reasons() -> None:
    """Every refusal the fuzzer accepts is one of the exporter's documented reasons (their
    README sentences are checked in tests/exporters/test_refusals.py)."""
    from pfa.exporters.refusals import REASONS

    assert set(ACCEPTED_REFUSALS) <= set(REASONS)
