"""The output records of final estimators, shared by all converter families."""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from pfa.exporters.builder import ARRAY_DOUBLE, DocumentBuilder, Output


def label_type(classes: np.ndarray) -> str:
    """The Avro type of an sklearn ``classes_`` array."""
    kind = np.asarray(classes).dtype.kind
    if kind == "b":
        return "boolean"
    if kind in "iu":
        vals = np.asarray(classes, dtype=np.int64)
        return "int" if vals.min() >= -(2**31) and vals.max() < 2**31 else "long"
    if kind == "f":
        return "double"
    return "string"


def label_values(classes: np.ndarray) -> list[Any]:
    kind = np.asarray(classes).dtype.kind
    if kind == "b":
        return [bool(c) for c in classes]
    if kind in "iu":
        return [int(c) for c in classes]
    if kind == "f":
        return [float(c) for c in classes]
    return [str(c) for c in classes]


def classifier_output(b: DocumentBuilder, classes: np.ndarray, index: Any,
                      probabilities: Any = None, scores: Any = None) -> Output:
    """A record ``{label, probabilities?, scores?}``; ``index`` picks the label in ``classes``."""
    ltype = label_type(classes)
    cell = b.cell("classes", {"type": "array", "items": ltype}, label_values(classes))
    fields = [{"name": "label", "type": ltype}]
    values: dict[str, Any] = {"label": {"attr": cell, "path": [index]}}
    if probabilities is not None:
        fields.append({"name": "probabilities", "type": ARRAY_DOUBLE})
        values["probabilities"] = probabilities
    if scores is not None:
        fields.append({"name": "scores", "type": ARRAY_DOUBLE})
        values["scores"] = scores
    rtype = {"type": "record", "name": b.type_name("Prediction"), "fields": fields}
    meta = {"classes": json.dumps(label_values(classes))}
    return Output({"new": values, "type": rtype}, rtype, "classifier", meta)


def regressor_output(expr: Any, n_outputs: int = 1) -> Output:
    avro = "double" if n_outputs == 1 else ARRAY_DOUBLE
    return Output(expr, avro, "regressor", {"outputs": str(n_outputs)})


def cluster_output(expr: Any) -> Output:
    return Output(expr, "int", "clusterer")


def outlier_output(b: DocumentBuilder, label: Any, score: Any) -> Output:
    """A record ``{label: int, score: double}`` of an outlier detector: ``label`` is sklearn's
    ``predict`` (1 inlier, -1 outlier), ``score`` its ``decision_function`` (negative for
    outliers)."""
    rtype = {"type": "record", "name": b.type_name("Outlier"),
             "fields": [{"name": "label", "type": "int"}, {"name": "score", "type": "double"}]}
    return Output({"new": {"label": label, "score": score}, "type": rtype}, rtype, "outlier")
