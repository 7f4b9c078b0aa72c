"""Spark's model stages, JVM-free: every model converter has a committed fixture (checked
against Spark's own output by ``test_fixtures.py``), unsupported parameters are refused with
the stage's place, and every GLM family × link is checked on a saved model whose link was
changed (the linear predictor does not depend on it, so Spark's recorded ``linkPrediction``
gives the expected ``prediction`` through each inverse link written out here)."""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path
from typing import Any

import pytest

from pfa import Engine
from pfa.errors import UnsupportedModelError
from pfa.exporters import registry
from pfa.exporters import spark as spark_export
from pfa.exporters.spark.converters import isotonic
from tests.spark_export.helpers import FIXTURES, close, inputs, read_case, run_rows

MODEL_MODULES = {f"pfa.exporters.spark.converters.{m}" for m in (
    "linear", "glm", "trees", "naive_bayes", "clustering", "neural", "isotonic", "fm",
    "one_vs_rest", "svm")}
MODEL_CONVERTERS = [c for c in registry.supported("spark") if c.fn.__module__ in MODEL_MODULES]
MODEL_FIXTURES = sorted(p for p in FIXTURES.glob("model_*") if (p / "case.json").is_file())


def saved_classes(model_dir: Path) -> set[str]:
    """The simple class names of every saved stage (and nested model) under ``model_dir``."""
    names = set()
    for meta in model_dir.rglob("metadata/part-*"):
        names.add(json.loads(meta.read_text().splitlines()[0])["class"].rsplit(".", 1)[-1])
    return names


def test_model_converters_are_registered():
    assert len(MODEL_CONVERTERS) >= 18
    assert MODEL_FIXTURES, "no model fixtures committed"


@pytest.mark.parametrize("conv", MODEL_CONVERTERS, ids=[c.estimator for c in MODEL_CONVERTERS])
def test_every_model_stage_has_a_fixture(conv):
    covered = set().union(*(saved_classes(p / "model") for p in MODEL_FIXTURES))
    assert conv.estimator in covered, f"no fixture under {FIXTURES} saves a {conv.estimator}"
    assert conv.notes, "notes= feed the README table"


def patched(tmp_path: Path, fixture: str, cls: str, params: dict[str, Any],
            sub: str | None = None, new_class: str | None = None) -> Path:
    """A copy of a fixture's saved model with stage ``cls`` (or its nested ``sub`` model) given
    ``params`` (and a new class name)."""
    target = tmp_path / fixture
    shutil.copytree(FIXTURES / fixture / "model", target)
    (stage_dir,) = [p for p in (target / "stages").iterdir() if p.name.split("_")[1] == cls
                    or cls in p.name]
    if sub is not None:
        stage_dir = stage_dir / sub
    (meta_file,) = list((stage_dir / "metadata").glob("part-*"))
    meta = json.loads(meta_file.read_text().splitlines()[0])
    meta["paramMap"] = {**meta.get("paramMap", {}), **params}
    if new_class is not None:
        meta["class"] = new_class
    meta_file.write_text(json.dumps(meta) + "\n")
    return target


REFUSALS = [
    ("model_kmeans_euclidean", "KMeans", {"distanceMeasure": "manhattan"},
     "KMeansModel", "distanceMeasure='manhattan'"),
    ("model_glm_poisson_log", "GeneralizedLinearRegression", {"family": "negbinomial"},
     "GeneralizedLinearRegressionModel", "family='negbinomial'"),
    ("model_glm_poisson_log", "GeneralizedLinearRegression", {"link": "loglog"},
     "GeneralizedLinearRegressionModel", "link='loglog'"),
    ("model_nb_gaussian", "NaiveBayes", {"modelType": "poisson"}, "NaiveBayesModel",
     "modelType='poisson'"),
    ("model_dt_classifier", "DecisionTreeClassifier", {"leafCol": "leaf"},
     "DecisionTreeClassificationModel", "leafCol='leaf'"),
    ("model_rf_regressor", "RandomForestRegressor", {"varianceCol": "var"},
     "RandomForestRegressionModel", "varianceCol='var'"),
    ("model_lr_multinomial", "LogisticRegression", {"thresholds": [0.5, 0.5]},
     "LogisticRegressionModel", "thresholds has 2 values for 3 classes"),
    ("model_mlp", "MultilayerPerceptronClassifier", {"layers": [3, 5, 3]},
     "MultilayerPerceptronClassificationModel", "do not fit the layers"),
]


@pytest.mark.parametrize("fixture,cls,params,stage,message", REFUSALS,
                         ids=[f"{r[0]}-{next(iter(r[2]))}" for r in REFUSALS])
def test_unsupported_params_are_refused_at_their_place(tmp_path, fixture, cls, params, stage,
                                                       message):
    model = patched(tmp_path, fixture, cls, params)
    with pytest.raises(UnsupportedModelError) as err:
        spark_export.export(model, timestamp=False)
    text = str(err.value)
    assert message in text, text
    assert f"stage 1 ({stage} " in text or f"stage 2 ({stage} " in text, text


def test_one_vs_rest_refuses_an_unknown_sub_model(tmp_path):
    model = patched(tmp_path, "model_one_vs_rest", "OneVsRest", {}, sub="model_1",
                    new_class="org.apache.spark.ml.regression.LinearRegressionModel")
    with pytest.raises(UnsupportedModelError, match="sub-model 1 is a LinearRegressionModel"):
        spark_export.export(model, timestamp=False)


def _probit(eta: float) -> float:
    return 0.5 * math.erfc(-eta / math.sqrt(2.0))


#: every family's links (Spark's list) → the inverse link as Spark writes it
INVERSE_LINKS = {
    "identity": lambda e: e, "log": math.exp, "inverse": lambda e: 1.0 / e,
    "logit": lambda e: 1.0 / (1.0 + math.exp(-e)), "probit": _probit,
    "cloglog": lambda e: 1.0 - math.exp(-math.exp(e)), "sqrt": lambda e: e * e,
}
FAMILY_LINKS = [("gaussian", link) for link in ("identity", "log", "inverse")] + \
    [("binomial", link) for link in ("logit", "probit", "cloglog")] + \
    [("poisson", link) for link in ("log", "identity", "sqrt")] + \
    [("gamma", link) for link in ("inverse", "identity", "log")]
#: tweedie (variancePower, linkPower or None) → the inverse link
TWEEDIE = [((1.5, None), lambda e: e ** (1.0 / -0.5)), ((1.2, 0.0), math.exp),
           ((0.0, 1.0), lambda e: e), ((2.0, -1.0), lambda e: 1.0 / e),
           ((1.6, 0.5), lambda e: e * e), ((1.3, 0.3), lambda e: e ** (1.0 / 0.3))]


def project(family: str, mu: float) -> float:
    """Spark's ``Family.project``: predictions kept inside the family's range."""
    eps, big = 1e-16, 1.7976931348623157e308
    if family == "binomial":
        return eps if mu < eps else (1.0 - eps if mu > 1.0 - eps else mu)
    if family == "gaussian":
        return -big if mu == -math.inf else (big if mu == math.inf else mu)
    return eps if mu < eps else (big if mu == math.inf else mu)


def _glm_case(tmp_path: Path, params: dict[str, Any]) -> tuple[list[Any], list[float]]:
    model = patched(tmp_path, "model_glm_gamma_inverse", "GeneralizedLinearRegression",
                    params)
    case = read_case(FIXTURES / "model_glm_gamma_inverse")
    doc = spark_export.export(model, timestamp=False)
    out = run_rows(Engine.from_json(doc), inputs(doc, case["rows"]))
    return out, [row["link_prediction"] for row in case["expected"]]


@pytest.mark.parametrize("family,link", FAMILY_LINKS)
def test_glm_family_link(tmp_path, family, link):
    out, etas = _glm_case(tmp_path, {"family": family, "link": link})
    for i, (got, eta) in enumerate(zip(out, etas)):
        close(got["link_prediction"], eta, f"row {i} eta")
        want = project(family, INVERSE_LINKS[link](eta))
        close(got["prediction"], want, f"row {i} {family}/{link}")


@pytest.mark.parametrize("powers,inverse", TWEEDIE, ids=[str(p) for p, _ in TWEEDIE])
def test_glm_tweedie_power_links(tmp_path, powers, inverse):
    variance, link_power = powers
    params: dict[str, Any] = {"family": "tweedie", "variancePower": variance}
    if link_power is not None:
        params["linkPower"] = link_power
    out, etas = _glm_case(tmp_path, params)
    for i, (got, eta) in enumerate(zip(out, etas)):
        try:
            want = inverse(eta)
        except (ValueError, ZeroDivisionError, OverflowError):
            want = math.nan
        if isinstance(want, complex) or math.isnan(want):
            assert math.isnan(got["prediction"]), f"row {i}"
        else:
            close(got["prediction"], project("tweedie", want), f"row {i} tweedie {powers}")


def test_isotonic_search_finds_javas_index():
    values = [0.0, 1.0, 1.0, 1.0, 2.0, 3.0, 3.0]
    for v in values:
        found = isotonic.java_binary_search(values, v)
        assert values[found] == v
    assert isotonic.java_binary_search(values, 1.5) == -5
    assert isotonic.java_binary_search(values, -1.0) == -1


CLASSIFIER_FIXTURES = ["model_lr_binary", "model_lr_multinomial", "model_rf_classifier",
                       "model_gbt_classifier", "model_nb_multinomial", "model_mlp",
                       "model_fm_classifier"]


@pytest.mark.parametrize("empty", [("rawPredictionCol",), ("probabilityCol",),
                                   ("rawPredictionCol", "probabilityCol")],
                         ids=["no-raw", "no-probability", "prediction-only"])
@pytest.mark.parametrize("fixture", CLASSIFIER_FIXTURES)
def test_classifier_output_columns_follow_their_params(tmp_path, fixture, empty):
    """An empty column parameter drops that column; the prediction then comes from the
    remaining columns as in Spark, and still equals Spark's recorded prediction."""
    case = read_case(FIXTURES / fixture)
    model_dir = FIXTURES / fixture / "model" / "stages"
    (stage_dir,) = [p for p in model_dir.iterdir() if p.name.startswith(
        str(len(list(model_dir.iterdir())) - 1) + "_")]
    cls = stage_dir.name.split("_", 1)[1].rsplit("_", 1)[0]
    model = patched(tmp_path, fixture, cls, {name: "" for name in empty})
    doc = spark_export.export(model, timestamp=False)
    columns = json.loads(doc["metadata"]["output.columns"])
    dropped = {"rawPredictionCol": "rawPrediction", "probabilityCol": "probability"}
    assert not {dropped[name] for name in empty} & set(columns)
    out = run_rows(Engine.from_json(doc), inputs(doc, case["rows"]))
    for i, (got, want) in enumerate(zip(out, case["expected"])):
        if want == {"error": True}:
            assert isinstance(got, tuple), f"row {i}"
            continue
        close(got["prediction"], want["prediction"], f"{fixture} row {i}")
