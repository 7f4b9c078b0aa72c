"""Linear projections of sklearn.decomposition: PCA and TruncatedSVD."""

from __future__ import annotations

from typing import Any

import numpy as np

from pfa.exporters.builder import ARRAY_ARRAY_DOUBLE, ARRAY_DOUBLE, DocumentBuilder, Vector, nums
from pfa.exporters.registry import converter
from pfa.exporters.sklearn.converters.numeric import float64_attr
from pfa.exporters.sklearn.converters.preprocessing import zipmap
from pfa.exporters.table import Data, as_vector


def project(b: DocumentBuilder, x: Vector, components: np.ndarray, what: str) -> Vector:
    """``components @ x`` with ``la.dot`` (sklearn's ``X @ components_.T``)."""
    comps = b.cell(f"{what}_components", ARRAY_ARRAY_DOUBLE, nums(components))
    return Vector(b.let(what, {"la.dot": [comps, x.expr]}), int(components.shape[0]))


@converter("sklearn", "sklearn.decomposition", "PCA", "transformer", "whiten supported")
def pca(est: Any, b: DocumentBuilder, data: Data) -> Vector:
    x = as_vector(b, data)
    components = float64_attr(est, "components_")
    # sklearn projects first, then subtracts the projected mean: X @ C.T - mean @ C.T
    shift = np.reshape(est.mean_, (1, -1)) @ components.T
    out = project(b, x, components, "projected")
    centered = b.cell("pca_shift", ARRAY_DOUBLE, nums(shift[0]))
    out = Vector(b.let("pca", {"la.sub": [out.expr, centered]}), out.size)
    if est.whiten:
        scale = np.sqrt(est.explained_variance_)
        scale[scale < np.finfo(scale.dtype).eps] = np.finfo(scale.dtype).eps
        out = zipmap(b, "whitened", out, {"scale": scale}, {"/": ["x", "scale"]})
    return out


@converter("sklearn", "sklearn.decomposition", "TruncatedSVD", "transformer")
def truncated_svd(est: Any, b: DocumentBuilder, data: Data) -> Vector:
    x = as_vector(b, data)
    components = float64_attr(est, "components_")
    return project(b, x, components, "svd")
