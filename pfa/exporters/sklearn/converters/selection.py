"""Feature selectors (every sklearn ``SelectorMixin``): the output keeps the selected inputs."""

from __future__ import annotations

from typing import Any

import numpy as np

from pfa.exporters.builder import ARRAY_DOUBLE, DocumentBuilder, Vector
from pfa.exporters.refusals import Refusal
from pfa.exporters.registry import converter
from pfa.exporters.table import Data, Table, element


def selected(b: DocumentBuilder, data: Data, indexes: list[int]) -> Data:
    """The selected columns of a table (no computation) or elements of a vector."""
    if not indexes:
        raise Refusal("empty selection", "no feature is selected")
    if isinstance(data, Table):
        return data.select(indexes)
    names = [data.names[i] for i in indexes] if data.names else []
    expr = {"new": [element(data, i) for i in indexes], "type": ARRAY_DOUBLE}
    return Vector(b.let("selected", expr), len(indexes), names)


@converter("sklearn", "sklearn.feature_selection",
           ["VarianceThreshold", "SelectKBest", "SelectPercentile", "SelectFpr", "SelectFdr",
            "SelectFwe", "GenericUnivariateSelect", "SelectFromModel", "RFE", "RFECV",
            "SequentialFeatureSelector"], "transformer", "the fitted selection (get_support)")
def selector(est: Any, b: DocumentBuilder, data: Data) -> Data:
    try:
        support = est.get_support(indices=True)
    except (AttributeError, ValueError) as err:  # NotFittedError is a ValueError
        raise ValueError(f"the selector is not fitted ({err})") from None
    return selected(b, data, [int(i) for i in np.asarray(support)])
