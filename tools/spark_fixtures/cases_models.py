"""Fixture cases of Spark ML's model stages (classifiers, regressors, clusterers).

Each case fits a small pipeline (a VectorAssembler, sometimes a StringIndexer in front, then
the model) on seeded synthetic data and returns it with the rows to transform and the output
columns to record: ``CASES[name](spark) -> (PipelineModel, DataFrame, [column, ...])``.
Trees are shallow and ensembles small so the committed fixtures stay a few KB.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

N_FIT, N_ROWS = 160, 40
FEATURES = ["x0", "x1", "x2"]


def frame(spark: Any, n: int, seed: int, *, kind: str = "binary", positive: bool = False,
          categorical: bool = False) -> Any:
    """Rows ``x0..x2`` (doubles), ``cat`` (a string, when ``categorical``) and ``label``.

    ``kind``: "binary"/"multi" (label 0.0, 1.0[, 2.0]), "regression" (a noisy linear target),
    "positive" (a positive target for GLM log/inverse links), "counts" (a Poisson-like target),
    "unit" (a target in [0, 1]). ``positive`` makes the features non-negative (NaiveBayes).
    """
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 3))
    if positive:
        x = np.floor(np.abs(x) * 3.0)
    x = np.round(x, 3)
    cats = rng.choice(["a", "b", "c", "d"], size=n)
    score = x @ np.array([1.0, -0.7, 0.4]) + (np.char.equal(cats, "b") * 1.2 if categorical
                                              else 0.0)
    if kind == "binary":
        y = (score + rng.normal(scale=0.6, size=n) > 0.3).astype(float)
    elif kind == "multi":
        y = np.digitize(score + rng.normal(scale=0.5, size=n), [-0.5, 0.6]).astype(float)
    elif kind == "regression":
        y = 2.0 + score + rng.normal(scale=0.3, size=n)
    elif kind == "positive":
        y = np.exp(0.3 * score) * rng.gamma(4.0, 0.25, size=n) + 0.05
    elif kind == "counts":
        y = rng.poisson(np.exp(0.4 * score)).astype(float)
    elif kind == "unit":
        y = (rng.uniform(size=n) < 1 / (1 + np.exp(-score))).astype(float)
    else:
        raise ValueError(kind)
    rows = []
    for i in range(n):
        row: dict[str, Any] = {f: float(x[i, j]) for j, f in enumerate(FEATURES)}
        if categorical:
            row["cat"] = str(cats[i])
        row["label"] = float(y[i])
        rows.append(row)
    return spark.createDataFrame(rows)


def assembler(categorical: bool = False) -> list[Any]:
    """The stages before a model: [StringIndexer of ``cat``,] VectorAssembler -> features."""
    from pyspark.ml.feature import StringIndexer, VectorAssembler

    stages: list[Any] = []
    cols = list(FEATURES)
    if categorical:
        stages.append(StringIndexer(inputCol="cat", outputCol="cat_index",
                                    stringOrderType="alphabetAsc"))
        cols.append("cat_index")
    stages.append(VectorAssembler(inputCols=cols, outputCol="features"))
    return stages


def fit(spark: Any, model: Any, *, kind: str = "binary", seed: int = 0, positive: bool = False,
        categorical: bool = False, outputs: tuple[str, ...] = ("prediction",),
        extra: Callable[[Any], list[dict[str, Any]]] | None = None) -> tuple:
    """Fit [assembler, model] on N_FIT rows; transform N_ROWS fresh rows and the rows
    ``extra(fitted model stage)`` adds (edge cases: values on split points, invalid rows)."""
    from pyspark.ml import Pipeline

    train = frame(spark, N_FIT, seed, kind=kind, positive=positive, categorical=categorical)
    rows = frame(spark, N_ROWS, seed + 1000, kind=kind, positive=positive,
                 categorical=categorical).drop("label")
    pipeline = Pipeline(stages=[*assembler(categorical), model]).fit(train)
    if extra is not None:
        more = extra(pipeline.stages[-1])
        if more:
            rows = rows.unionByName(spark.createDataFrame(more, schema=rows.schema))
    return pipeline, rows, list(outputs)


def split_points(stage: Any) -> list[tuple[int, float]]:
    """(feature, threshold) of every continuous split of a fitted Spark tree (via py4j)."""
    found, todo = [], [stage._java_obj.rootNode()]
    while todo:
        node = todo.pop()
        if node.getClass().getSimpleName() != "InternalNode":
            continue
        split = node.split()
        if split.getClass().getSimpleName() == "ContinuousSplit":
            found.append((split.featureIndex(), split.threshold()))
        todo += [node.leftChild(), node.rightChild()]
    return found


def rows_on_splits(stage: Any) -> list[dict[str, Any]]:
    """Rows whose feature lies exactly on a split's threshold (Spark sends them left)."""
    out = []
    for feature, threshold in split_points(stage)[:6]:
        if feature < len(FEATURES):
            row = {f: 0.25 for f in FEATURES}
            row[FEATURES[feature]] = float(threshold)
            row["cat"] = "c"
            out.append(row)
    return out


CLASSIFIER_OUT = ("rawPrediction", "probability", "prediction")


def _lr_binary(spark: Any) -> tuple:
    from pyspark.ml.classification import LogisticRegression

    return fit(spark, LogisticRegression(regParam=0.01, threshold=0.4), outputs=CLASSIFIER_OUT)


def _lr_multinomial(spark: Any) -> tuple:
    from pyspark.ml.classification import LogisticRegression

    return fit(spark, LogisticRegression(regParam=0.02, thresholds=[0.5, 0.3, 0.4]),
               kind="multi", outputs=CLASSIFIER_OUT)


def _linear_regression(spark: Any) -> tuple:
    from pyspark.ml.regression import LinearRegression

    return fit(spark, LinearRegression(regParam=0.1, elasticNetParam=0.3), kind="regression")


def _glm(family: str, link: str | None, kind: str, **extra: Any) -> Callable[[Any], tuple]:
    def case(spark: Any) -> tuple:
        from pyspark.ml.regression import GeneralizedLinearRegression

        kwargs: dict[str, Any] = {"family": family, "regParam": 0.01, **extra}
        if link is not None:
            kwargs["link"] = link
        model = GeneralizedLinearRegression(linkPredictionCol="link_prediction", **kwargs)
        return fit(spark, model, kind=kind, outputs=("prediction", "link_prediction"))
    return case


def _tree(cls_name: str, kind: str, **params: Any) -> Callable[[Any], tuple]:
    def case(spark: Any) -> tuple:
        from pyspark.ml import classification, regression

        module = classification if "Classifier" in cls_name else regression
        model = getattr(module, cls_name)(seed=7, **params)
        outputs = ("prediction",) if kind == "regression" else CLASSIFIER_OUT
        if cls_name == "GBTClassifier" or (kind != "regression" and "Classifier" in cls_name):
            outputs = CLASSIFIER_OUT
        extra = rows_on_splits if cls_name.startswith("DecisionTree") else None
        return fit(spark, model, kind=kind, categorical=True, outputs=outputs, extra=extra)
    return case


def _naive_bayes(model_type: str) -> Callable[[Any], tuple]:
    def case(spark: Any) -> tuple:
        from pyspark.ml.classification import NaiveBayes

        extra = {"thresholds": [0.4, 0.35, 0.25]} if model_type == "multinomial" else {}
        kind = "binary" if model_type == "bernoulli" else "multi"
        model = NaiveBayes(modelType=model_type, smoothing=0.5, **extra)
        if model_type == "bernoulli":
            from pyspark.ml import Pipeline
            from pyspark.ml.feature import Binarizer, VectorAssembler

            train = frame(spark, N_FIT, 5, kind=kind, positive=True)
            rows = frame(spark, N_ROWS, 1005, kind=kind, positive=True).drop("label")
            stages = [VectorAssembler(inputCols=FEATURES, outputCol="counts"),
                      Binarizer(inputCol="counts", outputCol="features", threshold=0.5), model]
            return Pipeline(stages=stages).fit(train), rows, list(CLASSIFIER_OUT)
        negative = [{"x0": -1.0, "x1": 0.0, "x2": 2.0}] if model_type != "gaussian" else []
        return fit(spark, model, kind=kind, positive=model_type != "gaussian", seed=5,
                   outputs=CLASSIFIER_OUT, extra=lambda stage: negative)
    return case


def _linear_svc(spark: Any) -> tuple:
    from pyspark.ml.classification import LinearSVC

    return fit(spark, LinearSVC(regParam=0.05, threshold=0.2, maxIter=30),
               outputs=("rawPrediction", "prediction"))


def _mlp(spark: Any) -> tuple:
    from pyspark.ml.classification import MultilayerPerceptronClassifier

    model = MultilayerPerceptronClassifier(layers=[3, 4, 3], maxIter=40, seed=3)
    return fit(spark, model, kind="multi", outputs=CLASSIFIER_OUT)


def _kmeans(measure: str) -> Callable[[Any], tuple]:
    def case(spark: Any) -> tuple:
        from pyspark.ml.clustering import KMeans

        zero = [{"x0": 0.0, "x1": 0.0, "x2": 0.0}] if measure == "cosine" else []
        return fit(spark, KMeans(k=4, seed=11, distanceMeasure=measure, maxIter=10),
                   extra=lambda stage: zero)
    return case


def _bisecting(measure: str) -> Callable[[Any], tuple]:
    def case(spark: Any) -> tuple:
        from pyspark.ml.clustering import BisectingKMeans

        return fit(spark, BisectingKMeans(k=4, seed=11, distanceMeasure=measure, maxIter=10))
    return case


def _isotonic(spark: Any) -> tuple:
    from pyspark.ml.regression import IsotonicRegression

    def on_boundaries(stage: Any) -> list[dict[str, Any]]:
        bounds = list(stage.boundaries.toArray())
        picks = [bounds[0] - 1.0, bounds[-1] + 1.0, *bounds[:3], *bounds[-2:]]
        return [{"x0": 0.0, "x1": float(b), "x2": 0.0} for b in picks]

    return fit(spark, IsotonicRegression(featureIndex=1, isotonic=False), kind="regression",
               extra=on_boundaries)


def _fm(cls_name: str, kind: str) -> Callable[[Any], tuple]:
    def case(spark: Any) -> tuple:
        from pyspark.ml import classification, regression

        module = classification if kind != "regression" else regression
        model = getattr(module, cls_name)(factorSize=2, maxIter=20, seed=4, stepSize=0.1)
        outputs = CLASSIFIER_OUT if kind != "regression" else ("prediction",)
        return fit(spark, model, kind=kind, outputs=outputs)
    return case


def _one_vs_rest(spark: Any) -> tuple:
    from pyspark.ml.classification import LogisticRegression, OneVsRest

    model = OneVsRest(classifier=LogisticRegression(regParam=0.05, maxIter=30))
    return fit(spark, model, kind="multi", outputs=("rawPrediction", "prediction"))


CASES: dict[str, Callable[[Any], tuple]] = {
    "model_lr_binary": _lr_binary,
    "model_lr_multinomial": _lr_multinomial,
    "model_linear_regression": _linear_regression,
    "model_glm_gaussian_identity": _glm("gaussian", "identity", "regression"),
    "model_glm_binomial_probit": _glm("binomial", "probit", "unit"),
    "model_glm_poisson_log": _glm("poisson", "log", "counts"),
    "model_glm_gamma_inverse": _glm("gamma", "inverse", "positive"),
    "model_glm_tweedie": _glm("tweedie", None, "positive", variancePower=1.5, linkPower=0.5),
    "model_dt_classifier": _tree("DecisionTreeClassifier", "multi", maxDepth=3),
    "model_dt_regressor": _tree("DecisionTreeRegressor", "regression", maxDepth=3),
    "model_rf_classifier": _tree("RandomForestClassifier", "multi", maxDepth=2, numTrees=3),
    "model_rf_regressor": _tree("RandomForestRegressor", "regression", maxDepth=2, numTrees=3),
    "model_gbt_classifier": _tree("GBTClassifier", "binary", maxDepth=2, maxIter=3),
    "model_gbt_regressor": _tree("GBTRegressor", "regression", maxDepth=2, maxIter=3),
    "model_nb_multinomial": _naive_bayes("multinomial"),
    "model_nb_complement": _naive_bayes("complement"),
    "model_nb_bernoulli": _naive_bayes("bernoulli"),
    "model_nb_gaussian": _naive_bayes("gaussian"),
    "model_linear_svc": _linear_svc,
    "model_mlp": _mlp,
    "model_kmeans_euclidean": _kmeans("euclidean"),
    "model_kmeans_cosine": _kmeans("cosine"),
    "model_bisecting_kmeans": _bisecting("euclidean"),
    "model_isotonic": _isotonic,
    "model_fm_classifier": _fm("FMClassifier", "binary"),
    "model_fm_regressor": _fm("FMRegressor", "regression"),
    "model_one_vs_rest": _one_vs_rest,
}
