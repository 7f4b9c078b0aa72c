"""The document corpus: every valid document reads (and type-checks and runs when the checker
and engine are available); every invalid one fails with the expected error class and path.

``valid/*.json`` are plain PFA documents; ``valid_samples.json`` maps some of their names to
``[{"input": ..., "output": ...}]`` (JSON-encoded Avro; for emit engines ``output`` is the list
of emitted values, for fold engines the tally after the action). ``invalid/*.json`` wrap a
document as ``{"expect": {"error", "path", "message_contains"?}, "document": {...}}``.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from pfa import errors
from pfa.document.reader import read

HERE = Path(__file__).parent
VALID = sorted((HERE / "valid").glob("*.json"))
INVALID = sorted((HERE / "invalid").glob("*.json"))
SAMPLES: dict[str, list[dict[str, Any]]] = json.loads((HERE / "valid_samples.json").read_text())


def _load(p: Path) -> Any:
    return json.loads(p.read_text(encoding="utf-8"))


def _close(a: Any, b: Any) -> bool:
    """Equal JSON values, floats compared with a small relative tolerance."""
    if isinstance(a, float) or isinstance(b, float):
        return (isinstance(a, (int, float)) and isinstance(b, (int, float))
                and math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12))
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_close(a[k], b[k]) for k in a)
    return a == b


def test_corpus_is_large_enough():
    assert len(VALID) >= 80
    syntax = [p for p in INVALID if _load(p)["expect"]["error"] == "PfaSyntaxError"]
    assert len(INVALID) >= 80 and len(syntax) >= 45 and len(INVALID) - len(syntax) >= 35
    assert set(SAMPLES) <= {p.stem for p in VALID}


@pytest.mark.parametrize("path", VALID, ids=[p.stem for p in VALID])
def test_valid_document_reads(path: Path):
    read(_load(path))


@pytest.mark.parametrize("path", VALID, ids=[p.stem for p in VALID])
def test_valid_document_checks(path: Path):
    checker = pytest.importorskip("pfa.check.checker")
    checker.check(read(_load(path)))


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_valid_document_runs(name: str):
    engine = pytest.importorskip("pfa.engine.engine")
    eng = engine.Engine.from_json(_load(HERE / "valid" / f"{name}.json"))
    for sample in SAMPLES[name]:
        out = eng.action(eng.decode_input(sample["input"]))
        got = ([eng.encode_output(v) for v in out] if eng.method == "emit"
               else eng.encode_output(out))
        assert _close(got, sample["output"]), (sample, got)


@pytest.mark.parametrize("path", INVALID, ids=[p.stem for p in INVALID])
def test_invalid_document_fails(path: Path):
    wrapped = _load(path)
    expect = wrapped["expect"]
    cls = getattr(errors, expect["error"])
    with pytest.raises(errors.PfaError) as info:
        doc = read(wrapped["document"])
        # not a reader error: the checker must find it (syntax errors in Avro schemas too)
        checker = pytest.importorskip(
            "pfa.check.checker", reason="this error needs the type checker (pfa.check.checker)")
        checker.check(doc)
    err = info.value
    assert isinstance(err, cls), f"expected {cls.__name__}, got {type(err).__name__}: {err}"
    assert err.path == expect["path"], str(err)
    if "message_contains" in expect:
        assert expect["message_contains"] in err.message
