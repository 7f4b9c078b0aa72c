"""Documents exported from saved Spark pipelines (the committed fixtures of
``tests/spark_export``) compiled to ONNX: where the compiler takes a document, onnxruntime's
results are the engine's — the same rows fail, and the others agree within the compiler's
tolerance; where it refuses, the refusal names a place in the document."""

from __future__ import annotations

import pytest

from pfa import Engine
from pfa.exporters import spark as spark_export
from pfa.onnx.compiler import OnnxRefusal, compile_document
from tests.spark_export.helpers import fixture_dirs, inputs, read_case, row_schema
from tests.to_onnx.helpers import compare, compare_errors

CASES = fixture_dirs()

#: fixtures whose documents the compiler must take (a shrinking list would be a regression)
MUST_COMPILE = {"assembler_keep_nan", "assembler_scaler", "bucketizer", "bucketizer_error",
                "bucketizer_multi_skip", "imputer", "model_bisecting_kmeans",
                "model_dt_classifier", "model_dt_regressor", "model_fm_classifier",
                "model_fm_regressor", "model_gbt_classifier", "model_gbt_regressor",
                "model_glm_gamma_inverse", "model_glm_gaussian_identity",
                "model_glm_poisson_log", "model_glm_tweedie", "model_kmeans_cosine",
                "model_kmeans_euclidean", "model_linear_regression", "model_linear_svc",
                "model_lr_binary", "model_mlp", "model_nb_bernoulli", "model_nb_complement",
                "model_nb_gaussian", "model_nb_multinomial", "model_one_vs_rest",
                "model_rf_classifier", "model_rf_regressor", "polynomial",
                "quantile_discretizer", "sql_transformer", "string_indexer",
                "string_indexer_error", "string_indexer_skip"}


@pytest.mark.parametrize("path", CASES, ids=[p.name for p in CASES])
def test_spark_document_compiles_to_the_engines_numbers(path):
    case = read_case(path)
    doc = spark_export.export(path / "model", row_schema(case["rows"]), timestamp=False)
    engine = Engine.from_json(doc)
    records = [engine.decode_input(r) for r in inputs(doc, case["rows"])]
    try:
        model = compile_document(doc)
    except OnnxRefusal as err:
        assert path.name not in MUST_COMPILE, str(err)
        assert str(err).startswith("cannot compile to ONNX at $"), str(err)
        pytest.skip(f"refused: {err}")
    ok = compare_errors(doc, model, records)
    compare(doc, model, [records[i] for i in ok], exact=False)
