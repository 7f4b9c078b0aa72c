"""Live Spark tests of the model converters: small pipelines fitted with seeded random
parameters, saved, exported and compared with Spark's own ``transform`` (labels exact,
numbers 1e-12 abs + 1e-9 rel). One shared session; a few fits per family to stay under two
minutes on two cores. Skipped without pyspark or Java."""

from __future__ import annotations

import random
import zlib
from collections.abc import Callable
from typing import Any

import pytest

from pfa.exporters import registry
from tests.spark_export.helpers import check_live
from tests.spark_export.test_models import MODEL_CONVERTERS
from tests.spark_session import SPARK_MARKS

pytestmark = SPARK_MARKS

CLASSIFIER_OUT = ["rawPrediction", "probability", "prediction"]
GLM_LINKS = {"gaussian": ["identity", "log", "inverse"],
             "binomial": ["logit", "probit", "cloglog"],
             "poisson": ["log", "identity", "sqrt"], "gamma": ["inverse", "identity", "log"]}
GLM_KIND = {"gaussian": "regression", "binomial": "unit", "poisson": "counts",
            "gamma": "positive", "tweedie": "positive"}


def _fit(session: Any, rng: random.Random, model: Any, kind: str, *, categorical: bool = False,
         positive: bool = False, n_fit: int = 60, extra_stages: tuple = ()) -> tuple[Any, Any]:
    from pyspark.ml import Pipeline

    from tools.spark_fixtures.cases_models import assembler, frame

    seed = rng.randrange(1 << 30)
    train = frame(session, n_fit, seed, kind=kind, positive=positive, categorical=categorical)
    rows = frame(session, 20, seed + 1, kind=kind, positive=positive,
                 categorical=categorical).drop("label")
    stages = [*assembler(categorical), *extra_stages, model]
    return Pipeline(stages=stages).fit(train), rows


def live_logistic(session, rng):
    from pyspark.ml.classification import LogisticRegression

    multi = rng.random() < 0.5
    params: dict[str, Any] = {"regParam": rng.choice([0.0, 0.01, 0.1]),
                              "fitIntercept": rng.random() < 0.8,
                              "standardization": rng.random() < 0.5}
    if multi:
        params["thresholds"] = [rng.uniform(0.2, 1.0) for _ in range(3)]
    elif rng.random() < 0.5:
        params["family"] = "multinomial"  # two classes as a multinomial model
        params["thresholds"] = [rng.uniform(0.2, 1.0), rng.uniform(0.2, 1.0)]
    else:
        params["threshold"] = rng.uniform(0.2, 0.8)
    model, rows = _fit(session, rng, LogisticRegression(**params),
                       "multi" if multi else "binary")
    return model, rows, CLASSIFIER_OUT


def live_linear(session, rng):
    from pyspark.ml.regression import LinearRegression

    loss = rng.choice(["squaredError", "huber"])
    model, rows = _fit(session, rng, LinearRegression(
        loss=loss, regParam=rng.choice([0.0, 0.1]),
        elasticNetParam=0.0 if loss == "huber" else rng.random()), "regression")
    return model, rows, ["prediction"]


def live_glm(session, rng):
    from pyspark.ml.regression import GeneralizedLinearRegression

    family = rng.choice([*GLM_LINKS, "tweedie"])
    params: dict[str, Any] = {"family": family, "regParam": 0.01,
                              "linkPredictionCol": "eta"}
    if family == "tweedie":
        params["variancePower"] = rng.choice([0.0, 1.2, 1.5, 2.0])
        params["linkPower"] = rng.choice([0.0, 1.0, 0.5, -0.5])
    else:
        params["link"] = rng.choice(GLM_LINKS[family])
    if rng.random() < 0.5:
        params["offsetCol"] = "x2"  # an input column read by the document too
    model, rows = _fit(session, rng, GeneralizedLinearRegression(**params), GLM_KIND[family])
    return model, rows, ["prediction", "eta"]


def live_trees(session, rng):
    from pyspark.ml import classification, regression

    name = rng.choice(["DecisionTreeClassifier", "RandomForestClassifier", "GBTClassifier",
                       "DecisionTreeRegressor", "RandomForestRegressor", "GBTRegressor"])
    module = classification if name.endswith("Classifier") else regression
    params: dict[str, Any] = {"maxDepth": rng.randint(1, 4), "seed": rng.randrange(1000),
                              "maxBins": rng.choice([4, 8, 32])}
    if name.startswith("RandomForest"):
        params["numTrees"] = rng.randint(2, 4)
    if name.startswith("GBT"):
        params["maxIter"] = rng.randint(2, 4)
    if name.startswith("DecisionTree") and name.endswith("Classifier"):
        params["thresholds"] = [rng.uniform(0.2, 1.0) for _ in range(3)]
    kind = "regression" if module is regression else ("binary" if "GBT" in name else "multi")
    model, rows = _fit(session, rng, getattr(module, name)(**params), kind, categorical=True)
    return model, rows, (["prediction"] if module is regression else CLASSIFIER_OUT)


def live_naive_bayes(session, rng):
    from pyspark.ml.classification import NaiveBayes
    from pyspark.ml.feature import Binarizer

    kind = rng.choice(["multinomial", "complement", "bernoulli", "gaussian"])
    extra: tuple = ()
    model = NaiveBayes(modelType=kind, smoothing=rng.choice([0.1, 1.0]),
                       featuresCol="nb_features" if kind == "bernoulli" else "features")
    if kind == "bernoulli":
        extra = (Binarizer(inputCol="features", outputCol="nb_features", threshold=0.5),)
    fitted, rows = _fit(session, rng, model, "multi", positive=kind != "gaussian",
                        extra_stages=extra)
    return fitted, rows, CLASSIFIER_OUT


def live_svc_and_one_vs_rest(session, rng):
    from pyspark.ml.classification import LinearSVC, LogisticRegression, OneVsRest

    inner = rng.choice([LinearSVC(regParam=0.1, maxIter=5),
                        LogisticRegression(regParam=0.05, maxIter=5)])
    model, rows = _fit(session, rng, OneVsRest(classifier=inner), "multi")
    return model, rows, ["rawPrediction", "prediction"]


def live_mlp(session, rng):
    from pyspark.ml.classification import MultilayerPerceptronClassifier

    layers = [3, *[rng.randint(2, 5) for _ in range(rng.randint(0, 2))], 3]
    model, rows = _fit(session, rng, MultilayerPerceptronClassifier(
        layers=layers, maxIter=10, seed=rng.randrange(1000)), "multi")
    return model, rows, CLASSIFIER_OUT


def live_clustering(session, rng):
    from pyspark.ml.clustering import BisectingKMeans, KMeans

    cls = rng.choice([KMeans, BisectingKMeans])
    model, rows = _fit(session, rng, cls(k=rng.randint(2, 5), seed=rng.randrange(1000),
                                         distanceMeasure=rng.choice(["euclidean", "cosine"]),
                                         maxIter=4), "binary")
    return model, rows, ["prediction"]


def live_isotonic_and_fm(session, rng):
    from pyspark.ml.regression import FMRegressor, IsotonicRegression

    if rng.random() < 0.5:
        model = IsotonicRegression(featureIndex=rng.randint(0, 2),
                                   isotonic=rng.random() < 0.5)
    else:
        model = FMRegressor(factorSize=rng.randint(1, 3), maxIter=5, stepSize=0.05,
                            seed=rng.randrange(1000))
    fitted, rows = _fit(session, rng, model, "regression")
    return fitted, rows, ["prediction"]


def live_fm_classifier(session, rng):
    from pyspark.ml.classification import FMClassifier

    model, rows = _fit(session, rng, FMClassifier(factorSize=2, maxIter=5, stepSize=0.05,
                                                  seed=rng.randrange(1000)), "binary")
    return model, rows, CLASSIFIER_OUT


LIVE: dict[str, Callable[..., Any]] = {
    name[len("live_"):]: fn for name, fn in list(globals().items())
    if name.startswith("live_") and callable(fn)}

#: which live case fits each model converter of the registry
COVERS = {
    "LogisticRegressionModel": "logistic", "LinearRegressionModel": "linear",
    "GeneralizedLinearRegressionModel": "glm", "DecisionTreeClassificationModel": "trees",
    "DecisionTreeRegressionModel": "trees", "RandomForestClassificationModel": "trees",
    "RandomForestRegressionModel": "trees", "GBTClassificationModel": "trees",
    "GBTRegressionModel": "trees", "NaiveBayesModel": "naive_bayes",
    "LinearSVCModel": "svc_and_one_vs_rest", "OneVsRestModel": "svc_and_one_vs_rest",
    "MultilayerPerceptronClassificationModel": "mlp", "KMeansModel": "clustering",
    "BisectingKMeansModel": "clustering", "IsotonicRegressionModel": "isotonic_and_fm",
    "FMRegressionModel": "isotonic_and_fm", "FMClassificationModel": "fm_classifier",
}
SEEDS = [0]


def test_every_model_converter_has_a_live_case():
    names = {c.estimator for c in MODEL_CONVERTERS}
    assert names <= set(COVERS), f"no live case for {sorted(names - set(COVERS))}"
    assert set(COVERS.values()) <= set(LIVE)
    assert all(registry.lookup_class("spark", c.module, c.estimator) for c in MODEL_CONVERTERS)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("case", sorted(LIVE))
def test_live_model_matches_transform(spark, tmp_path, case, seed):
    rng = random.Random(seed * 7919 + zlib.crc32(case.encode()))
    model, df, columns = LIVE[case](spark, rng)
    check_live(model, df, columns, tmp_path / "model", f"{case} seed {seed}")
