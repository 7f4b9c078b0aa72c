"""The hostile-input harness (issue #10): generated mutants of the corpus and conformance
documents, hand-written escape and resource cases, malformed batches and CLI misuse, each run
in a bounded subprocess (see :mod:`tests.hostile.runner` for what every case must satisfy).

``PFA_HOSTILE_CASES`` sets how many mutants run (default 300; ``make fuzz`` sets 5000),
``PFA_HOSTILE_SEED`` their base seed; a failing case prints the command that replays it.
"""

from __future__ import annotations

import pytest

from tests.hostile import batches, cli_cases, escapes, mutate, runner

SHARDS = 4


def _run(name: str, cases: list[dict]) -> None:
    tally = runner.Tally()
    for case, result in runner.run_cases(cases):
        tally.add(case, result)
    tally.save(name)
    print(tally.line())
    assert not tally.failures, tally.message()


@pytest.mark.parametrize("shard", range(SHARDS))
def test_mutants(shard: int) -> None:
    """Seeded mutants: only PFA errors, bounded time and memory, no host access, and
    ``action_batch`` equal to ``action`` row by row."""
    total = runner.budget()
    per = -(-total // SHARDS)
    start = shard * per
    _run(f"mutant-{shard}", mutate.cases(runner.seed(), start, max(0, min(per, total - start))))


@pytest.mark.parametrize("shard", range(2))
def test_seed_documents_unmutated(shard: int) -> None:
    """Every seed document as it is, on its sample inputs plus a generated edge-case input:
    the same promises (batch equal to action, no stray exceptions)."""
    seeds = mutate.seeds()[shard::2]
    _run(f"seed-{shard}", [mutate.unmutated(i * 2 + shard) for i in range(len(seeds))])


@pytest.mark.parametrize("shard", range(2))
def test_escape_and_resource_cases(shard: int) -> None:
    _run(f"escape-{shard}", escapes.cases()[shard::2])


def test_malformed_batches() -> None:
    """Malformed batches are refused with a PFA error or scored exactly like ``action``."""
    _run("batch", batches.cases())


@pytest.mark.parametrize("case", cli_cases.cases(), ids=lambda c: c.id)
def test_cli_misuse(case: cli_cases.CliCase) -> None:
    result = cli_cases.run(case)
    tally = runner.Tally()
    tally.add(cli_cases.as_json(case), result)
    tally.save(case.id)
    assert not result["bad"], runner.describe(cli_cases.as_json(case), result)
