"""KMeans and MiniBatchKMeans: the index of the closest center, as sklearn computes it.

sklearn's ``predict`` does not compare true squared distances: it takes the first minimum of
``‖c‖² - 2 x·c`` (the GEMM form of its Lloyd iteration). The document does the same through
``model.cluster.closest`` with a metric on centers stored as ``{point, sqnorm}``, so points
nearly equidistant from two centers get sklearn's label.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from pfa.exporters.builder import ARRAY_DOUBLE, DocumentBuilder, Output, nums
from pfa.exporters.registry import converter
from pfa.exporters.sklearn.converters.numeric import float64_attr
from pfa.exporters.sklearn.converters.outputs import cluster_output
from pfa.exporters.table import Data, as_vector


@converter("sklearn", "sklearn.cluster", ["KMeans", "MiniBatchKMeans"], "clusterer",
           "predict (cluster index)")
def kmeans(est: Any, b: DocumentBuilder, data: Data) -> Output:
    x = as_vector(b, data)
    centers = float64_attr(est, "cluster_centers_")
    sqnorms = np.einsum("ij,ij->i", centers, centers)  # sklearn's row_norms(squared=True)
    center_type = {"type": "record", "name": b.type_name("Center"),
                   "fields": [{"name": "point", "type": ARRAY_DOUBLE},
                              {"name": "sqnorm", "type": "double"}]}
    cluster_type = {"type": "record", "name": b.type_name("Cluster"),
                    "fields": [{"name": "center", "type": center_type},
                               {"name": "id", "type": "int"}]}
    init = [{"center": {"point": nums(c), "sqnorm": float(n)}, "id": i}
            for i, (c, n) in enumerate(zip(centers, sqnorms))]
    cell = b.cell("clusters", {"type": "array", "items": cluster_type}, init)
    cname = center_type["name"]
    metric = {"params": [{"x": ARRAY_DOUBLE}, {"c": cname}], "ret": "double",
              "do": {"-": [{"attr": "c", "path": [{"string": "sqnorm"}]},
                           {"*": [2.0, {"m.kernel.linear": [
                               "x", {"attr": "c", "path": [{"string": "point"}]}]}]}]}}
    closest = {"model.cluster.closest": [x.expr, cell, metric]}
    return cluster_output({"attr": closest, "path": [{"string": "id"}]})
