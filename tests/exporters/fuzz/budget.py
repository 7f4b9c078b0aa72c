"""How many examples the fuzzer runs and how they are seeded (environment variables).

``PFA_FUZZ_EXAMPLES`` (default 200, the CI budget) is the total over all targets; ``make
fuzz`` sets 5000. ``PFA_FUZZ_SEED`` (default 0) changes every drawn case; a failure prints
the seed and the case, and ``replay(case)`` in :mod:`tests.exporters.fuzz.oracle` reruns it.
"""

from __future__ import annotations

import os

EXAMPLES = int(os.environ.get("PFA_FUZZ_EXAMPLES", "200"))
SEED = int(os.environ.get("PFA_FUZZ_SEED", "0"))
#: one example in CLI_EVERY is also exported through ``pfa export`` (joblib or skops file)
CLI_EVERY = 6


def share(index: int, count: int, total: int = EXAMPLES) -> int:
    """The examples of target ``index`` of ``count`` when ``total`` are spread evenly
    (at least one each, so every converter is fuzzed at any budget)."""
    base, extra = divmod(max(total, count), count)
    return base + (1 if index < extra else 0)
