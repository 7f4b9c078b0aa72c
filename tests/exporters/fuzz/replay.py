"""Replay a fuzz case from the text a failure printed::

    .venv/bin/python -m tests.exporters.fuzz.replay "Case(target='SVC', ...)"
"""

from __future__ import annotations

import sys
from typing import Any

import numpy as np

from tests.exporters.fuzz import spec as S
from tests.exporters.fuzz.pipelines import Case, LabelSpec
from tests.exporters.fuzz.tables import ColSpec, TableSpec


def case_from_text(text: str) -> Case:
    """The Case a failure message printed (its ``repr``), rebuilt."""
    names: dict[str, Any] = {c.estimator: _maker(c.estimator) for c in S.converters()}
    names.update(Case=Case, LabelSpec=LabelSpec, ColSpec=ColSpec, TableSpec=TableSpec,
                 Spec=S.Spec, np=_Numpy(), nan=np.nan, inf=np.inf)
    # the text is a repr this package printed: only these names are reachable
    return eval(text, {"__builtins__": {}}, names)


class _Numpy:
    """``np.<name>`` in a printed case: a function parameter (see ``spec.Fn``)."""

    def __getattr__(self, name: str) -> S.Fn:
        return S.Fn(name)


def _maker(name: str) -> Any:
    return lambda **params: S.Spec(name, params)


if __name__ == "__main__":
    from tests.exporters.fuzz.oracle import run_case

    print(run_case(case_from_text(sys.argv[1])))
