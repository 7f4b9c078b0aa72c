"""Live equivalence of the feature-stage converters with Spark: for every registered
feature converter, small pipelines fitted on seeded random data with stage parameters drawn
at random, saved, exported JVM-free and compared with Spark's own ``transform`` (labels
exact, numbers 1e-12 abs + 1e-9 rel; rows Spark fails on or drops must raise codes -200 /
-201). Skipped without pyspark or Java."""

from __future__ import annotations

import os
import random
import zlib
from collections.abc import Callable
from typing import Any

import pytest

from pfa.exporters import registry
from tests.spark_export.helpers import check_live
from tests.spark_session import SPARK_MARKS

pytestmark = SPARK_MARKS
#: seeds per case (PFA_SPARK_SEEDS=N for more draws; one keeps the live run short)
SEEDS = tuple(range(1, 1 + int(os.environ.get("PFA_SPARK_SEEDS", "1"))))
WORDS = ["a", "the", "Spark", "pfa", "b", "Straße", "x1", "of", "THE", "ünï", "zz"]


def _numbers(session: Any, rng: random.Random, n: int = 12, cols: int = 3) -> Any:
    specials = [0.0, -0.0, 1.0, -1.5]
    rows = [tuple(rng.choice(specials) if rng.random() < 0.15 else round(rng.gauss(0, 3), 3)
                  for _ in range(cols)) + (rng.choice("abcd"),) for _ in range(n)]
    return session.createDataFrame(rows, [f"x{i}" for i in range(cols)] + ["s"])


def _vectors(session: Any, rng: random.Random, n: int = 12, size: int = 4) -> Any:
    from pyspark.ml.feature import VectorAssembler

    df = _numbers(session, rng, n, size)
    return VectorAssembler(inputCols=[f"x{i}" for i in range(size)], outputCol="v").transform(
        df).select("v", "s")


def _texts(session: Any, rng: random.Random, n: int = 10) -> Any:
    seps = [" ", "  ", "\t", " , "]
    rows = [("".join(rng.choice(WORDS) + rng.choice(seps) for _ in range(rng.randint(0, 6))),)
            for _ in range(n)]
    return session.createDataFrame(rows, ["text"])


def _fit(stages: list[Any], df: Any) -> Any:
    from pyspark.ml import Pipeline

    return Pipeline(stages=stages).fit(df)


def _tokens(df: Any) -> Any:
    from pyspark.ml.feature import Tokenizer

    return Tokenizer(inputCol="text", outputCol="tok").transform(df).select("tok")


def live_vector_assembler(session, rng):
    from pyspark.ml.feature import VectorAssembler

    df = _numbers(session, rng)
    cols = rng.sample(["x0", "x1", "x2"], rng.randint(1, 3))
    return _fit([VectorAssembler(inputCols=cols, outputCol="o")], df), df, ["o"]


def live_string_indexer(session, rng):
    from pyspark.ml.feature import IndexToString, StringIndexer

    df = _numbers(session, rng)
    order = rng.choice(["frequencyDesc", "frequencyAsc", "alphabetDesc", "alphabetAsc"])
    m = _fit([StringIndexer(inputCols=["s", "x0"], outputCols=["si", "xi"],
                            stringOrderType=order, handleInvalid=rng.choice(["keep", "error"])),
              IndexToString(inputCol="si", outputCol="back")], df)
    return m, df, ["xi", "back"]


def live_one_hot(session, rng):
    from pyspark.ml.feature import OneHotEncoder, StringIndexer

    df = _numbers(session, rng)
    m = _fit([StringIndexer(inputCol="s", outputCol="si"),
              OneHotEncoder(inputCols=["si"], outputCols=["o"], dropLast=rng.random() < 0.5,
                            handleInvalid=rng.choice(["keep", "error"]))], df)
    return m, df, ["o"]


def _vector_stage(make: Callable[[random.Random], Any]) -> Callable[..., Any]:
    def live(session, rng):
        df = _vectors(session, rng)
        return _fit([make(rng)], df), df, ["o"]
    return live


def _scaler(name: str, **choices: list[Any]) -> Callable[..., Any]:
    def make(rng):
        import pyspark.ml.feature as f

        return getattr(f, name)(inputCol="v", outputCol="o",
                                **{k: rng.choice(v) for k, v in choices.items()})
    return _vector_stage(make)


live_standard_scaler = _scaler("StandardScaler", withMean=[True, False], withStd=[True, False])
live_min_max = _scaler("MinMaxScaler", min=[0.0, -1.0], max=[1.0, 5.0])
live_max_abs = _scaler("MaxAbsScaler")
live_robust = _scaler("RobustScaler", withCentering=[True, False], withScaling=[True, False])
live_normalizer = _scaler("Normalizer", p=[1.0, 2.0, 3.0, float("inf")])
live_binarizer = _scaler("Binarizer", threshold=[0.0, 0.5, -1.0])
live_pca = _scaler("PCA", k=[1, 2, 3])


def live_polynomial(session, rng):
    """The input size must be known: a VectorAssembler (or VectorSizeHint) comes first."""
    from pyspark.ml.feature import PolynomialExpansion, VectorAssembler

    df = _numbers(session, rng)
    cols = ["x0", "x1", "x2"][:rng.randint(1, 3)]
    m = _fit([VectorAssembler(inputCols=cols, outputCol="f"),
              PolynomialExpansion(inputCol="f", outputCol="o", degree=rng.randint(1, 4))], df)
    return m, df, ["o"]


live_slicer = _vector_stage(lambda rng: __import__("pyspark.ml.feature", fromlist=["x"])
                            .VectorSlicer(inputCol="v", outputCol="o",
                                          indices=rng.sample(range(4), 2)))


def live_elementwise(session, rng):
    from pyspark.ml.feature import ElementwiseProduct
    from pyspark.ml.linalg import Vectors

    df = _vectors(session, rng)
    vec = Vectors.dense([round(rng.gauss(0, 2), 2) for _ in range(4)])
    return _fit([ElementwiseProduct(inputCol="v", outputCol="o", scalingVec=vec)], df), df, ["o"]


def live_selectors(session, rng):
    from pyspark.ml.feature import (
        ChiSqSelector,
        StringIndexer,
        UnivariateFeatureSelector,
        VarianceThresholdSelector,
    )

    df = StringIndexer(inputCol="s", outputCol="label").fit(_vectors(session, rng)).transform(
        _vectors(session, rng))
    uni = UnivariateFeatureSelector(featuresCol="v", outputCol="u", labelCol="label",
                                    selectionMode="numTopFeatures")
    uni.setFeatureType("continuous").setLabelType("categorical").setSelectionThreshold(2)
    m = _fit([ChiSqSelector(featuresCol="v", outputCol="c", numTopFeatures=rng.randint(1, 3)),
              uni, VarianceThresholdSelector(featuresCol="v", outputCol="vt",
                                             varianceThreshold=rng.choice([0.0, 5.0]))], df)
    return m, df.select("v", "label"), ["c", "u", "vt"]


def live_imputer(session, rng):
    from pyspark.ml.feature import Imputer

    nan = float("nan")
    rows = [(rng.choice([nan, 1.0, 2.5, -3.0, 7.0]), rng.choice([nan, 0.0, 4.0])) for _ in range(12)]
    df = session.createDataFrame(rows + [(1.0, 4.0)], ["a", "b"])
    strategy = rng.choice(["mean", "median", "mode"])
    m = _fit([Imputer(inputCols=["a", "b"], outputCols=["ai", "bi"], strategy=strategy)], df)
    return m, df, ["ai", "bi"]


def live_bucketizer(session, rng):
    from pyspark.ml.feature import Bucketizer, QuantileDiscretizer

    df = _numbers(session, rng)
    m = _fit([Bucketizer(inputCol="x0", outputCol="b", handleInvalid="keep",
                         splits=[float("-inf"), -1.0, 0.0, rng.choice([0.5, 2.0]), float("inf")]),
              QuantileDiscretizer(inputCol="x1", outputCol="q", numBuckets=rng.randint(2, 4))],
             df)
    return m, df, ["b", "q"]


def live_sql(session, rng):
    from pyspark.ml.feature import SQLTransformer

    df = _numbers(session, rng)
    stmt = rng.choice(["SELECT *, x0 + x1 * 2.5 AS t FROM __THIS__",
                       "SELECT *, -(x0 - x2) * x1 AS t, x2 * x2 AS u FROM __THIS__"])
    return _fit([SQLTransformer(statement=stmt)], df), df, ["t"]


def live_text(session, rng):
    from pyspark.ml.feature import NGram, RegexTokenizer, StopWordsRemover, Tokenizer

    df = _texts(session, rng)
    m = _fit([Tokenizer(inputCol="text", outputCol="tok"),
              RegexTokenizer(inputCol="text", outputCol="rt",
                             pattern=rng.choice(["\\s+", "[ ,]+", "\\s*,\\s*|\\s+"]),
                             minTokenLength=rng.randint(0, 3),
                             toLowercase=rng.random() < 0.5),
              RegexTokenizer(inputCol="text", outputCol="found", gaps=False,
                             pattern=rng.choice(["\\w+", "[a-z]+", "\\d"])),
              StopWordsRemover(inputCol="tok", outputCol="clean",
                               caseSensitive=rng.random() < 0.5),
              NGram(inputCol="tok", outputCol="grams", n=rng.randint(1, 3))], df)
    return m, df, ["rt", "found", "clean", "grams"]


def live_vectorizers(session, rng):
    from pyspark.ml.feature import IDF, CountVectorizer, HashingTF

    df = _tokens(_texts(session, rng, 14))
    m = _fit([CountVectorizer(inputCol="tok", outputCol="cv", minTF=rng.choice([1.0, 0.3]),
                              binary=rng.random() < 0.5),
              HashingTF(inputCol="tok", outputCol="tf", numFeatures=rng.choice([8, 32, 1000]),
                        binary=rng.random() < 0.5),
              IDF(inputCol="tf", outputCol="tfidf", minDocFreq=rng.randint(0, 2))], df)
    return m, df, ["cv", "tfidf"]


LIVE: dict[str, Callable[..., Any]] = {
    name[len("live_"):]: fn for name, fn in list(globals().items())
    if name.startswith("live_") and callable(fn)}

#: which live case exercises each feature converter of the registry
COVERS = {
    "VectorAssembler": "vector_assembler", "VectorSizeHint": None,
    "StringIndexerModel": "string_indexer", "IndexToString": "string_indexer",
    "OneHotEncoderModel": "one_hot", "StandardScalerModel": "standard_scaler",
    "MinMaxScalerModel": "min_max", "MaxAbsScalerModel": "max_abs",
    "RobustScalerModel": "robust", "Normalizer": "normalizer", "Binarizer": "binarizer",
    "PCAModel": "pca", "PolynomialExpansion": "polynomial", "VectorSlicer": "slicer",
    "ElementwiseProduct": "elementwise", "ChiSqSelectorModel": "selectors",
    "UnivariateFeatureSelectorModel": "selectors",
    "VarianceThresholdSelectorModel": "selectors", "ImputerModel": "imputer",
    "Bucketizer": "bucketizer", "SQLTransformer": "sql", "Tokenizer": "text",
    "RegexTokenizer": "text", "StopWordsRemover": "text", "NGram": "text",
    "CountVectorizerModel": "vectorizers", "HashingTF": "vectorizers", "IDFModel": "vectorizers",
}


def test_every_feature_converter_has_a_live_case():
    features = {c.estimator for c in registry.supported("spark")
                if c.module == "org.apache.spark.ml.feature"}
    assert features <= set(COVERS), f"no live case for {sorted(features - set(COVERS))}"
    assert {v for v in COVERS.values() if v} <= set(LIVE)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("case", sorted(LIVE))
def test_live_export_matches_transform(spark, tmp_path, case, seed):
    rng = random.Random(seed * 7919 + zlib.crc32(case.encode()))
    model, df, columns = LIVE[case](spark, rng)
    check_live(model, df, columns, tmp_path / "model", f"{case} seed {seed}")
