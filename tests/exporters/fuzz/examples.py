"""One fitted, exported example per converter of the registry, drawn by the fuzzer's own
case strategy with a fixed seed: for tests that must cover every converter (a new converter
is covered without editing them)."""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass
from typing import Any

from hypothesis import HealthCheck, Phase, given, seed, settings

from pfa.errors import UnsupportedModelError
from pfa.exporters.sklearn import export
from tests.exporters.fuzz import spec as S
from tests.exporters.fuzz.pipelines import Case, cases, training_data

#: how many drawn cases to try before giving up on a converter
TRIES = 25


@dataclass
class Example:
    case: Case
    model: Any
    X: Any
    doc: dict


def first_example(target: str, seed_value: int = 0) -> Example | None:
    """The first drawn case around ``target`` that sklearn fits and the exporter exports
    (through the API, without a sample), or None if no case of ``TRIES`` does."""
    found: list[Example] = []

    @seed(seed_value)
    @settings(max_examples=TRIES, deadline=None, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(case=cases(target))
    def draw(case: Case) -> None:
        if not found:
            example = _fit_and_export(case)
            if example is not None:
                found.append(example)

    draw()
    return found[0] if found else None


def _fit_and_export(case: Case) -> Example | None:
    X, y, _ = training_data(case)
    model = S.build(case.model)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.fit(X, y)
        doc = export(model, timestamp=False)
    except (UnsupportedModelError, ValueError, TypeError):  # sklearn or the exporter refuses
        return None
    return Example(case, model, X, json.loads(json.dumps(doc)))
