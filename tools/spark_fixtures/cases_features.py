"""Fixture cases of the feature stages (see ``generate.py``): small fitted pipelines, each
with a few rows that exercise the stage's edge cases (unseen labels, NaN, -0.0, bounds)."""

from __future__ import annotations

from typing import Any

NUMS = [(1.0, -2.0, 0.5, "a"), (2.5, 0.0, -1.5, "b"), (-0.0, 3.25, 2.0, "a"),
        (4.0, -1.0, 0.0, "c"), (0.25, 7.5, -3.0, "b"), (3.0, 2.0, 1.0, "a")]


def _nums(spark: Any, rows: list[tuple] = NUMS) -> Any:
    return spark.createDataFrame(rows, ["x", "y", "z", "s"])


def _vec(spark: Any) -> Any:
    from pyspark.ml.linalg import Vectors

    rows = [(Vectors.dense([1.0, -2.0, 0.5, 4.0]),), (Vectors.sparse(4, [1, 3], [3.0, -1.0]),),
            (Vectors.dense([0.0, 0.0, 0.0, 0.0]),), (Vectors.dense([-3.5, 2.0, 8.0, 0.25]),),
            (Vectors.dense([2.0, 2.0, -2.0, 1.0]),), (Vectors.dense([0.5, -7.0, 1.5, 3.0]),)]
    return spark.createDataFrame(rows, ["v"])


def _pipe(stages: list[Any], df: Any) -> Any:
    from pyspark.ml import Pipeline

    return Pipeline(stages=stages).fit(df)


def assembler_scaler(spark: Any) -> Any:
    from pyspark.ml.feature import StandardScaler, VectorAssembler

    df = _nums(spark)
    m = _pipe([VectorAssembler(inputCols=["x", "y", "z"], outputCol="f"),
               StandardScaler(inputCol="f", outputCol="scaled", withMean=True)], df)
    return m, df, ["scaled"]


def assembler_keep_nan(spark: Any) -> Any:
    from pyspark.ml.feature import VectorAssembler

    df = _nums(spark, NUMS + [(float("nan"), 1.0, 2.0, "a")])
    m = _pipe([VectorAssembler(inputCols=["x", "y"], outputCol="f", handleInvalid="keep")], df)
    return m, df, ["f"]


def assembler_vector_input(spark: Any) -> Any:
    from pyspark.ml.feature import VectorAssembler, VectorSizeHint

    df = _vec(spark).crossJoin(spark.createDataFrame([(1.5,)], ["w"]))
    m = _pipe([VectorSizeHint(inputCol="v", size=4),
               VectorAssembler(inputCols=["w", "v"], outputCol="f")], df)
    return m, df, ["f"]


def scaler_std_only(spark: Any) -> Any:
    from pyspark.ml.feature import StandardScaler

    df = _vec(spark)
    m = _pipe([StandardScaler(inputCol="v", outputCol="o")], df)
    return m, df, ["o"]


def string_indexer(spark: Any) -> Any:
    from pyspark.ml.feature import StringIndexer

    train = _nums(spark)
    m = _pipe([StringIndexer(inputCol="s", outputCol="si", handleInvalid="keep",
                             stringOrderType="alphabetDesc")], train)
    df = _nums(spark, NUMS + [(0.0, 0.0, 0.0, "zzz"), (0.0, 0.0, 0.0, None)])
    return m, df, ["si"]


def string_indexer_skip(spark: Any) -> Any:
    from pyspark.ml.feature import StringIndexer

    m = _pipe([StringIndexer(inputCol="s", outputCol="si", handleInvalid="skip")], _nums(spark))
    df = _nums(spark, NUMS + [(0.0, 0.0, 0.0, "zzz")])
    return m, df, ["si"]


def string_indexer_error(spark: Any) -> Any:
    from pyspark.ml.feature import StringIndexer

    m = _pipe([StringIndexer(inputCol="s", outputCol="si")], _nums(spark))
    df = _nums(spark, NUMS[:3] + [(0.0, 0.0, 0.0, "zzz")])
    return m, df, ["si"]


def string_indexer_multi(spark: Any) -> Any:
    from pyspark.ml.feature import IndexToString, StringIndexer

    df = spark.createDataFrame([("a", 1.0), ("b", 2.0), ("a", 2.0), ("c", 3.0), ("b", 2.0)],
                               ["s", "n"])
    m = _pipe([StringIndexer(inputCols=["s", "n"], outputCols=["si", "ni"],
                             stringOrderType="frequencyAsc"),
               IndexToString(inputCol="si", outputCol="back")], df)
    return m, df, ["ni", "back"]


def index_to_string_labels(spark: Any) -> Any:
    from pyspark.ml.feature import IndexToString

    df = spark.createDataFrame([(0.0,), (2.0,), (1.0,)], ["i"])
    m = _pipe([IndexToString(inputCol="i", outputCol="lab", labels=["x", "y", "z"])], df)
    return m, df, ["lab"]


def one_hot(spark: Any) -> Any:
    from pyspark.ml.feature import OneHotEncoder, StringIndexer

    df = _nums(spark)
    m = _pipe([StringIndexer(inputCol="s", outputCol="si"),
               OneHotEncoder(inputCols=["si"], outputCols=["oh"]),
               OneHotEncoder(inputCols=["si"], outputCols=["oh_full"], dropLast=False)], df)
    return m, df, ["oh", "oh_full"]


def one_hot_keep(spark: Any) -> Any:
    from pyspark.ml.feature import OneHotEncoder

    train = spark.createDataFrame([(0.0,), (1.0,), (2.0,)], ["i"])
    m = _pipe([OneHotEncoder(inputCols=["i"], outputCols=["o"], handleInvalid="keep")], train)
    df = spark.createDataFrame([(0.0,), (1.0,), (2.0,), (3.0,)], ["i"])
    return m, df, ["o"]


def one_hot_error(spark: Any) -> Any:
    from pyspark.ml.feature import OneHotEncoder

    train = spark.createDataFrame([(0.0,), (1.0,), (2.0,)], ["i"])
    m = _pipe([OneHotEncoder(inputCols=["i"], outputCols=["o"])], train)
    df = spark.createDataFrame([(0.0,), (2.0,), (5.0,), (1.5,)], ["i"])
    return m, df, ["o"]


def minmax(spark: Any) -> Any:
    from pyspark.ml.feature import MinMaxScaler

    df = _vec(spark)
    m = _pipe([MinMaxScaler(inputCol="v", outputCol="o", min=-1.0, max=2.0)], df)
    return m, df, ["o"]


def maxabs(spark: Any) -> Any:
    from pyspark.ml.feature import MaxAbsScaler

    df = _vec(spark)
    m = _pipe([MaxAbsScaler(inputCol="v", outputCol="o")], df)
    return m, df, ["o"]


def robust(spark: Any) -> Any:
    from pyspark.ml.feature import RobustScaler

    df = _vec(spark)
    m = _pipe([RobustScaler(inputCol="v", outputCol="o", withCentering=True)], df)
    return m, df, ["o"]


def imputer(spark: Any) -> Any:
    from pyspark.ml.feature import Imputer

    nan = float("nan")
    df = spark.createDataFrame([(1.0, nan), (nan, 2.0), (3.0, 4.0), (5.0, 4.0), (-1.0, nan)],
                               ["a", "b"])
    m = _pipe([Imputer(inputCols=["a", "b"], outputCols=["ai", "bi"]),
               Imputer(inputCols=["a"], outputCols=["am"], strategy="median"),
               Imputer(inputCols=["b"], outputCols=["bm"], strategy="mode")], df)
    return m, df, ["ai", "bi", "am", "bm"]


def bucketizer(spark: Any) -> Any:
    from pyspark.ml.feature import Bucketizer

    inf = float("inf")
    df = spark.createDataFrame([(v,) for v in [-5.0, -0.0, 0.0, 0.5, 1.0, 9.0, float("nan")]],
                               ["x"])
    m = _pipe([Bucketizer(inputCol="x", outputCol="b", splits=[-inf, 0.0, 1.0, inf],
                          handleInvalid="keep")], df)
    return m, df, ["b"]


def bucketizer_error(spark: Any) -> Any:
    from pyspark.ml.feature import Bucketizer

    df = spark.createDataFrame([(v,) for v in [-1.0, 0.0, 0.5, 1.0, 2.0, float("nan")]], ["x"])
    m = _pipe([Bucketizer(inputCol="x", outputCol="b", splits=[-1.0, 0.0, 1.0])], df)
    return m, df, ["b"]


def bucketizer_multi_skip(spark: Any) -> Any:
    from pyspark.ml.feature import Bucketizer

    df = spark.createDataFrame([(0.5, 3.0), (1.5, float("nan")), (-0.0, 0.0)], ["x", "y"])
    m = _pipe([Bucketizer(inputCols=["x", "y"], outputCols=["bx", "by"],
                          splitsArray=[[0.0, 1.0, 2.0], [-1.0, 1.0, 5.0]],
                          handleInvalid="skip")], df)
    return m, df, ["bx", "by"]


def quantile_discretizer(spark: Any) -> Any:
    from pyspark.ml.feature import QuantileDiscretizer

    df = spark.createDataFrame([(float(v),) for v in [3, 1, 4, 1, 5, 9, 2, 6, 5, 3]], ["x"])
    m = _pipe([QuantileDiscretizer(inputCol="x", outputCol="q", numBuckets=3)], df)
    return m, df, ["q"]


def binarizer(spark: Any) -> Any:
    from pyspark.ml.feature import Binarizer

    df = _nums(spark).crossJoin(_vec(spark).limit(3))
    m = _pipe([Binarizer(inputCol="x", outputCol="bx", threshold=0.5),
               Binarizer(inputCol="v", outputCol="bv", threshold=0.0)], df)
    return m, df, ["bx", "bv"]


def normalizer(spark: Any) -> Any:
    from pyspark.ml.feature import Normalizer

    df = _vec(spark)
    m = _pipe([Normalizer(inputCol="v", outputCol="n2"),
               Normalizer(inputCol="v", outputCol="n1", p=1.0),
               Normalizer(inputCol="v", outputCol="ninf", p=float("inf")),
               Normalizer(inputCol="v", outputCol="n3", p=3.0)], df)
    return m, df, ["n2", "n1", "ninf", "n3"]


def elementwise(spark: Any) -> Any:
    from pyspark.ml.feature import ElementwiseProduct
    from pyspark.ml.linalg import Vectors

    df = _vec(spark)
    m = _pipe([ElementwiseProduct(inputCol="v", outputCol="o",
                                  scalingVec=Vectors.dense([2.0, -1.0, 0.5, 0.0]))], df)
    return m, df, ["o"]


def polynomial(spark: Any) -> Any:
    from pyspark.ml.feature import PolynomialExpansion, VectorAssembler

    df = _nums(spark)
    m = _pipe([VectorAssembler(inputCols=["x", "y", "z"], outputCol="f"),
               PolynomialExpansion(inputCol="f", outputCol="p2", degree=2),
               PolynomialExpansion(inputCol="f", outputCol="p3", degree=3)], df)
    return m, df, ["p2", "p3"]


def pca(spark: Any) -> Any:
    from pyspark.ml.feature import PCA

    df = _vec(spark)
    m = _pipe([PCA(inputCol="v", outputCol="o", k=2)], df)
    return m, df, ["o"]


def vector_slicer(spark: Any) -> Any:
    from pyspark.ml.feature import VectorSlicer

    df = _vec(spark)
    m = _pipe([VectorSlicer(inputCol="v", outputCol="o", indices=[3, 0])], df)
    return m, df, ["o"]


def _labeled(spark: Any) -> Any:
    from pyspark.ml.linalg import Vectors

    rows = [(Vectors.dense([0.0, 1.0, 3.0, 2.0]), 0.0), (Vectors.dense([1.0, 0.0, 3.0, 1.0]), 1.0),
            (Vectors.dense([0.0, 2.0, 1.0, 2.0]), 0.0), (Vectors.dense([1.0, 0.0, 1.0, 0.0]), 1.0),
            (Vectors.dense([2.0, 1.0, 3.0, 2.0]), 1.0), (Vectors.dense([0.0, 1.0, 2.0, 2.0]), 0.0)]
    return spark.createDataFrame(rows, ["v", "label"])


def chisq_selector(spark: Any) -> Any:
    from pyspark.ml.feature import ChiSqSelector

    df = _labeled(spark)
    m = _pipe([ChiSqSelector(featuresCol="v", outputCol="o", numTopFeatures=2)], df)
    return m, df, ["o"]


def univariate_selector(spark: Any) -> Any:
    from pyspark.ml.feature import UnivariateFeatureSelector

    df = _labeled(spark)
    sel = UnivariateFeatureSelector(featuresCol="v", outputCol="o", selectionMode="numTopFeatures")
    sel.setFeatureType("continuous").setLabelType("categorical").setSelectionThreshold(2)
    return _pipe([sel], df), df, ["o"]


def sql_transformer(spark: Any) -> Any:
    from pyspark.ml.feature import SQLTransformer

    df = _nums(spark)
    m = _pipe([SQLTransformer(statement="SELECT *, x + y AS t, x * 2.0 AS u FROM __THIS__")], df)
    return m, df, ["t", "u"]


TEXT = [("Hello World  spark",), ("the quick  Brown fox",), ("a b a b c",), ("",),
        ("Ünïcode Straße the end",)]


def _text(spark: Any) -> Any:
    return spark.createDataFrame(TEXT, ["text"])


def tokenizers(spark: Any) -> Any:
    from pyspark.ml.feature import RegexTokenizer, Tokenizer

    df = _text(spark)
    m = _pipe([Tokenizer(inputCol="text", outputCol="tok"),
               RegexTokenizer(inputCol="text", outputCol="rt", pattern="\\s+"),
               RegexTokenizer(inputCol="text", outputCol="words", pattern="[a-z]+", gaps=False,
                              toLowercase=False, minTokenLength=2)], df)
    return m, df, ["tok", "rt", "words"]


def stop_words(spark: Any) -> Any:
    from pyspark.ml.feature import StopWordsRemover, Tokenizer

    df = _text(spark)
    m = _pipe([Tokenizer(inputCol="text", outputCol="tok"),
               StopWordsRemover(inputCol="tok", outputCol="clean"),
               StopWordsRemover(inputCol="tok", outputCol="cs", stopWords=["a", "The"],
                                caseSensitive=True)], df)
    return m, df, ["clean", "cs"]


def ngram(spark: Any) -> Any:
    from pyspark.ml.feature import NGram, Tokenizer

    df = _text(spark)
    m = _pipe([Tokenizer(inputCol="text", outputCol="tok"),
               NGram(inputCol="tok", outputCol="bi"), NGram(n=3, inputCol="tok", outputCol="tri")],
              df)
    return m, df, ["bi", "tri"]


def count_vectorizer(spark: Any) -> Any:
    from pyspark.ml.feature import CountVectorizer, Tokenizer

    df = _text(spark)
    m = _pipe([Tokenizer(inputCol="text", outputCol="tok"),
               CountVectorizer(inputCol="tok", outputCol="cv", vocabSize=6),
               CountVectorizer(inputCol="tok", outputCol="cvb", binary=True, minTF=1.0)], df)
    return m, df, ["cv", "cvb"]


def hashing_tf_idf(spark: Any) -> Any:
    from pyspark.ml.feature import IDF, HashingTF, Tokenizer

    df = _text(spark)
    m = _pipe([Tokenizer(inputCol="text", outputCol="tok"),
               HashingTF(inputCol="tok", outputCol="tf", numFeatures=16),
               HashingTF(inputCol="tok", outputCol="tfb", numFeatures=8, binary=True),
               IDF(inputCol="tf", outputCol="tfidf")], df)
    return m, df, ["tfb", "tfidf"]


CASES = {name[len("case_"):] if name.startswith("case_") else name: fn
         for name, fn in list(globals().items())
         if callable(fn) and not name.startswith("_") and fn.__module__ == __name__}
