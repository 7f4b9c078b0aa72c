"""Linear models as PFA ``model.reg.linear`` over a model cell, shared by the linear
converters of every front end (sklearn, Spark)."""

from __future__ import annotations

from typing import Any

import numpy as np

from pfa.exporters.builder import ARRAY_ARRAY_DOUBLE, ARRAY_DOUBLE, DocumentBuilder, nums


def linear_expr(b: DocumentBuilder, what: str, x: Any, coef: np.ndarray,
                intercept: Any) -> tuple[Any, int]:
    """``model.reg.linear`` of x with a model cell; returns (expression, number of outputs).

    A 1-D ``coef`` gives a double; a 2-D one an array with one element per row.
    """
    coef = np.asarray(coef, dtype=np.float64)
    intercept = np.asarray(intercept, dtype=np.float64).reshape(-1)
    if coef.ndim == 1:
        fields = [{"name": "coeff", "type": ARRAY_DOUBLE}, {"name": "const", "type": "double"}]
        init = {"coeff": nums(coef), "const": float(intercept[0]) if intercept.size else 0.0}
        n_out = 1
    else:
        if intercept.size != coef.shape[0]:
            intercept = np.full(coef.shape[0], intercept[0] if intercept.size else 0.0)
        fields = [{"name": "coeff", "type": ARRAY_ARRAY_DOUBLE},
                  {"name": "const", "type": ARRAY_DOUBLE}]
        init = {"coeff": nums(coef), "const": nums(intercept)}
        n_out = coef.shape[0]
    model_type = {"type": "record", "name": b.type_name(f"{what}Model"), "fields": fields}
    return {"model.reg.linear": [x, b.cell(what, model_type, init)]}, n_out
