"""The Spark front end without a JVM: the saved-model reader (Spark 3.x and 4.x file
layouts), discovery by ``pfa export``, refusals naming the stage, and the building blocks
(MurmurHash3, Java-regex translation, PolynomialExpansion's term order)."""

from __future__ import annotations

import json
import math
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pfa import Engine
from pfa.errors import UnsupportedModelError
from pfa.exporters import frontends
from pfa.exporters import spark as spark_export
from pfa.exporters.builder import DocumentBuilder, Output
from pfa.exporters.spark import javaregex
from pfa.exporters.spark.converters.scalers import polynomial_terms
from pfa.exporters.spark.murmur import murmur3_fcn
from pfa.exporters.spark.saved import load
from tests.spark_export.helpers import FIXTURES

CASE = FIXTURES / "assembler_scaler"


def _copy(tmp_path: Path, case: Path = CASE) -> Path:
    target = tmp_path / "model"
    shutil.copytree(case / "model", target)
    return target


def test_reads_spark3_metadata_names(tmp_path):
    """Spark ≤ 3.x writes ``metadata/part-00000``; 4.x ``part-00000-<uuid>-c000.txt``."""
    model = _copy(tmp_path)
    for meta in model.rglob("metadata/part-*"):
        meta.rename(meta.parent / "part-00000")
    doc = spark_export.export(model, timestamp=False)
    assert doc == spark_export.export(CASE / "model", timestamp=False)


def test_saved_stage_places_and_params():
    stages = load(CASE / "model").stages()
    assert [s.name for s in stages] == ["VectorAssembler", "StandardScalerModel"]
    assert stages[1].place.startswith("stage 1 (StandardScalerModel ")
    assert stages[1].param("withMean") is True and stages[1].is_set("withMean")
    assert not stages[1].is_set("withStd") and stages[1].param("withStd") is True


def test_front_end_is_discovered_for_a_directory():
    assert frontends.pick(CASE / "model").name == "spark"
    assert not frontends.pick(CASE / "model").accepts(CASE)  # no metadata/ here


def test_cli_exports_a_saved_pipeline(tmp_path):
    out = tmp_path / "m.pfa"
    run = subprocess.run([sys.executable, "-m", "pfa.cli", "export", str(CASE / "model"), "-o",
                          str(out), "--no-timestamp"], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    doc = json.loads(out.read_text())
    assert json.loads(doc["metadata"]["output.columns"]) == ["scaled"]
    assert doc["metadata"]["source.estimator"] == \
        "PipelineModel(VectorAssembler, StandardScalerModel)"


def test_export_does_not_import_pyspark():
    code = ("import sys; sys.modules['pyspark'] = None\n"
            "from pfa.exporters import spark\n"
            f"spark.export({str(CASE / 'model')!r})\n"
            "print('ok')")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode == 0 and "ok" in run.stdout, run.stderr


def _patch_stage(model: Path, index: int, **changes) -> None:
    stage = sorted((model / "stages").iterdir())[index]
    meta = next((stage / "metadata").glob("part-*"))
    data = json.loads(meta.read_text())
    for key, value in changes.items():
        if key == "class":
            data["class"] = value
        else:
            data["paramMap"][key] = value
    meta.write_text(json.dumps(data))


def test_unknown_stage_is_refused_with_its_place(tmp_path):
    model = _copy(tmp_path)
    _patch_stage(model, 1, **{"class": "org.apache.spark.ml.feature.Word2VecModel"})
    with pytest.raises(UnsupportedModelError, match=r"stage 1 \(Word2VecModel .*not supported"):
        spark_export.export(model)


def test_unknown_handle_invalid_is_refused(tmp_path):
    model = _copy(tmp_path)
    _patch_stage(model, 0, handleInvalid="sometimes")
    with pytest.raises(UnsupportedModelError, match=r"stage 0 \(VectorAssembler .*handleInvalid"):
        spark_export.export(model)


def test_cli_refusal_exits_2_without_traceback(tmp_path):
    model = _copy(tmp_path)
    _patch_stage(model, 1, **{"class": "org.apache.spark.ml.feature.Word2VecModel"})
    run = subprocess.run([sys.executable, "-m", "pfa.cli", "export", str(model), "-o",
                          str(tmp_path / "m.pfa")], capture_output=True, text=True)
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert "stage 1 (Word2VecModel" in run.stderr


@pytest.mark.parametrize("pattern", [".", "a.b", "^a", "a$", "\\bword", "(?i)a", "(?=a)",
                                     "a*+", "\\p{L}", "[[a]]", "[a&&b]", "(a)\\1", "\\Q"])
def test_java_patterns_with_other_meanings_are_refused(pattern):
    with pytest.raises(javaregex.UnsupportedPattern):
        javaregex.translate(pattern)


def test_regex_tokenizer_refusal_names_pattern(tmp_path):
    case = FIXTURES / "tokenizers"
    if not case.is_dir():
        pytest.skip("tokenizers fixture not generated")
    model = _copy(tmp_path, case)
    _patch_stage(model, 1, pattern="a.b")
    with pytest.raises(UnsupportedModelError, match=r"stage 1 \(RegexTokenizer .*'a\.b'"):
        spark_export.export(model)


def test_sql_outside_the_subset_is_refused(tmp_path):
    case = FIXTURES / "sql_transformer"
    if not case.is_dir():
        pytest.skip("sql_transformer fixture not generated")
    statements = ["SELECT x / y AS t FROM __THIS__", "SELECT *, x / y AS t FROM __THIS__",
                  "SELECT *, abs(x) AS t FROM __THIS__", "SELECT *, 1 AS t FROM __THIS__",
                  "SELECT *, x AS t FROM __THIS__ WHERE x > 0"]
    for i, statement in enumerate(statements):
        model = _copy(tmp_path / f"s{i}", case)
        _patch_stage(model, 0, statement=statement)
        with pytest.raises(UnsupportedModelError, match=r"stage 0 \(SQLTransformer"):
            spark_export.export(model)


def _murmur3(data: bytes, seed: int = 42) -> int:
    """MurmurHash3_x86_32, written from the algorithm's description."""
    c1, c2, mask = 0xCC9E2D51, 0x1B873593, 0xFFFFFFFF

    def rotl(x: int, r: int) -> int:
        return ((x << r) | (x >> (32 - r))) & mask

    def mix(k: int) -> int:
        return (rotl((k * c1) & mask, 15) * c2) & mask

    h, n = seed, len(data)
    for i in range(0, n - n % 4, 4):
        h = (rotl(h ^ mix(struct.unpack("<I", data[i:i + 4])[0]), 13) * 5 + 0xE6546B64) & mask
    tail = data[n - n % 4:]
    if tail:
        h ^= mix(int.from_bytes(tail, "little"))
    h ^= n
    for shift, mult in ((16, 0x85EBCA6B), (13, 0xC2B2AE35)):
        h = ((h ^ (h >> shift)) * mult) & mask
    h ^= h >> 16
    return h - (1 << 32) if h >= 1 << 31 else h


@pytest.fixture(scope="module")
def murmur_engine():
    b = DocumentBuilder()
    name = murmur3_fcn(b)
    return Engine.from_json(b.document("m", "string", Output({name: ["input"]}, "int",
                                                             "transformer"), {}))


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=12))
def test_murmur3_matches_reference(murmur_engine, text):
    assert murmur_engine.action(text) == _murmur3(text.encode("utf-8"))


@pytest.mark.parametrize("n,degree", [(1, 1), (1, 4), (2, 2), (3, 3), (4, 2), (5, 3)])
def test_polynomial_terms_are_every_monomial_once(n, degree):
    terms = polynomial_terms(n, degree)
    assert len(terms) == math.comb(n + degree, degree) - 1
    assert len({tuple(sorted(t)) for t in terms}) == len(terms)
    assert all(1 <= len(t) <= degree for t in terms)
