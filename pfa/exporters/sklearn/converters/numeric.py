"""Numeric rules shared by the model converters: comparisons as numpy makes them, and the
refusal of models that sklearn computes in float32."""

from __future__ import annotations

from typing import Any

import numpy as np

from pfa.exporters.refusals import Refusal
from pfa.exporters.sklearn.core import fitted_attr


def above(x: Any, threshold: Any) -> dict:
    """``x > threshold`` as numpy computes it: false for NaN (PFA orders NaN above every
    number, so a bare ``>`` would be true), as sklearn's ``scores > 0`` and libsvm's votes."""
    return {"&&": [{"!": {"impute.isnan": x}}, {">": [x, threshold]}]}


def float64_attr(est: Any, name: str) -> np.ndarray:
    """A fitted parameter array as float64, refusing a model fitted on float32 data: sklearn
    keeps float32 parameters and computes in float32 then, which a document (double) cannot
    reproduce exactly."""
    value = fitted_attr(est, name)
    first = value[0] if isinstance(value, list) and value else value
    if getattr(first, "dtype", None) == np.float32:
        raise Refusal("float32 data",
                      f"the model was fitted on float32 data (its {name} is float32): "
                      "sklearn then computes in float32, which a PFA document (double) "
                      "cannot reproduce exactly; fit it on float64 data")
    return np.asarray(value, dtype=np.float64) if not isinstance(value, list) else value
