"""GeneralizedLinearRegressionModel: every family × link Spark offers.

``linkPrediction`` is ``η = x · coefficients + intercept (+ offset)``; ``prediction`` is the
link's inverse of η as Spark computes it. Tweedie models use the power link of ``linkPower``
(default ``1 - variancePower``), which Spark turns into the named link for 0, 1, -1 and 0.5.
An ``offsetCol`` is read as a double input column; ``weightCol`` plays no part in
predictions. Like Spark, the prediction is projected into the family's range: binomial into
``[1e-16, 1 - 1e-16]``, poisson/gamma/tweedie to at least ``1e-16`` (+∞ becomes the largest
double), gaussian ±∞ to the largest finite doubles.
"""

from __future__ import annotations

from typing import Any

from pfa.exporters.builder import lit_double
from pfa.exporters.registry import converter
from pfa.exporters.spark.converters.models_common import (
    REGRESSION,
    features,
    margin,
    sigmoid,
    vector_param,
)
from pfa.exporters.spark.flow import DOUBLE, Column, Flow
from pfa.exporters.spark.saved import SavedStage

EPSILON = 1e-16
MAX = 1.7976931348623157e308

DEFAULT_LINK = {"gaussian": "identity", "binomial": "logit", "poisson": "log",
                "gamma": "inverse"}
#: Spark's tweedie link powers that are named links
POWER_NAMES = {0.0: "log", 1.0: "identity", -1.0: "inverse", 0.5: "sqrt"}


def unlink(link: str, eta: str) -> Any:
    """The inverse link of the bound symbol ``eta``."""
    if link == "identity":
        return eta
    if link == "logit":
        return sigmoid(eta)
    if link == "log":
        return {"m.exp": eta}
    if link == "inverse":
        return {"/": [1.0, eta]}
    if link == "probit":
        return {"m.link.probit": eta}
    if link == "cloglog":
        return {"-": [1.0, {"m.exp": {"u-": {"m.exp": eta}}}]}
    if link == "sqrt":
        return {"*": [eta, eta]}
    raise ValueError(f"link={link!r} is not supported")


def project(family: str, mu: str) -> Any:
    """Spark's ``Family.project`` of the bound symbol ``mu``."""
    if family == "binomial":
        return {"if": {"<": [mu, EPSILON]}, "then": EPSILON,
                "else": {"if": {">": [mu, 1.0 - EPSILON]}, "then": 1.0 - EPSILON, "else": mu}}
    if family == "gaussian":
        return {"if": {"==": [mu, {"double": "-Infinity"}]}, "then": -MAX,
                "else": {"if": {"==": [mu, {"double": "Infinity"}]}, "then": MAX, "else": mu}}
    return {"if": {"<": [mu, EPSILON]}, "then": EPSILON,
            "else": {"if": {"==": [mu, {"double": "Infinity"}]}, "then": MAX, "else": mu}}


def family_link(stage: SavedStage) -> tuple[str, str, float | None]:
    """(family, link name or "power", the power link's exponent)."""
    family = str(stage.param("family", "gaussian")).lower()
    if family == "tweedie":
        power = stage.param("linkPower")
        if power is None:
            power = 1.0 - float(stage.param("variancePower", 0.0))
        power = float(power)
        if power in POWER_NAMES:
            return family, POWER_NAMES[power], None
        return family, "power", power
    if family not in DEFAULT_LINK:
        raise ValueError(f"family={family!r} is not supported")
    link = stage.param("link") if stage.is_set("link") else None
    return family, str(link or DEFAULT_LINK[family]).lower(), None


@converter("spark", REGRESSION, "GeneralizedLinearRegressionModel", "regressor",
           "gaussian, binomial, poisson, gamma, tweedie × every link; offsetCol; "
           "prediction and linkPrediction")
def generalized_linear_regression(stage: SavedStage, flow: Flow) -> None:
    row = stage.data_row()
    coef = vector_param(row, "coefficients")
    family, link, power = family_link(stage)
    x, _ = features(stage, flow, coef.size)
    eta: Any = margin(flow, "glm", x, coef, row["intercept"])
    offset = stage.param("offsetCol")
    if offset:
        col = flow.column(offset, DOUBLE)
        eta = {"+": [eta, flow.non_null(col, offset)]}
    eta_sym = flow.builder.let("eta", eta)
    if link == "power":
        assert power is not None
        mu: Any = {"**": [eta_sym, lit_double(1.0 / power)]}
    else:
        mu = unlink(link, eta_sym)
    pred = stage.param("predictionCol", "prediction")
    if pred:
        mu_sym = flow.builder.let("mu", mu)
        flow.set_column(pred, Column(project(family, mu_sym), DOUBLE))
    link_col = stage.param("linkPredictionCol")
    if link_col:
        flow.set_column(link_col, Column(eta_sym, DOUBLE))
