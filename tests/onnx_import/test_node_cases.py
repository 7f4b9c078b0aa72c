"""ONNX's backend node cases (generated in memory by the installed onnx package) for every
op the importer supports: each case computes what ONNX expects (within the case's own
tolerance) and what onnxruntime computes (within a float32-derived tolerance, tighter than
the case's), or is refused with a message; cases of unsupported ops are refused cleanly."""

from __future__ import annotations

import pytest

from pfa.errors import UnsupportedModelError
from pfa.exporters.registry import supported_names
from tests.onnx_import.node_cases import all_cases, case_ops, prepare, run_case

pytestmark = pytest.mark.slow

SUPPORTED = set(supported_names("onnx"))
SINGLE = [c for c in all_cases() if len(c.model.graph.node) == 1]
OURS = [c for c in SINGLE if case_ops(c) <= SUPPORTED]
OTHERS = [c for c in SINGLE if not case_ops(c) <= SUPPORTED]
#: ops whose every node case works across the batch axis (so every case is refused)
ALL_REFUSED = {"Shape", "Expand", "Tile"}


@pytest.mark.parametrize("case", OURS, ids=[c.name for c in OURS])
def test_supported_op_case(case):
    outcome, detail = run_case(case)
    assert outcome in ("pass", "refuse"), detail


@pytest.mark.parametrize("case", OTHERS, ids=[c.name for c in OTHERS])
def test_unsupported_op_is_refused(case):
    from pfa.exporters.onnx import import_model

    prepared = prepare(case)
    if isinstance(prepared, str):
        pytest.skip(prepared)
    with pytest.raises(UnsupportedModelError, match=r"node 0|graph input|initializer"):
        import_model(prepared.model)


OPS_WITH_CASES = sorted({op for c in OURS for op in case_ops(c)} - ALL_REFUSED)


@pytest.mark.parametrize("op", OPS_WITH_CASES)
def test_every_supported_op_passes_a_case(op):
    outcomes = []
    for case in (c for c in OURS if op in case_ops(c)):
        outcome, detail = run_case(case)
        if outcome == "pass":
            return
        outcomes.append(f"{case.name}: {detail}")
    pytest.fail(f"no node case of {op} passes: " + "; ".join(outcomes))
