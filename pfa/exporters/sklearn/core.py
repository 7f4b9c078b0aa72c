"""Dispatch of one estimator to its converter, and the result of a final estimator."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pfa.exporters import registry
from pfa.exporters.builder import DocumentBuilder, Vector
from pfa.exporters.sklearn.data import Data
from pfa.exporters.sklearn.guards import guard_vector

_COMPOSITES = ("Pipeline", "ColumnTransformer", "FeatureUnion")


@dataclass
class Output:
    """What the last step of a pipeline produces: the action's value and its type."""

    expr: Any
    avro_type: Any
    role: str
    metadata: dict[str, str] = field(default_factory=dict)


def convert(est: Any, b: DocumentBuilder, data: Data, place: str) -> Data | Output:
    """Translate ``est`` (fitted) applied to ``data``; ``place`` names it in the pipeline."""
    if isinstance(est, str) and est == "passthrough":
        return data
    conv = registry.lookup("sklearn", est)
    b.estimator_path.append(place)
    try:
        if conv is None:
            b.refuse(est, "this estimator is not supported",
                     registry.supported_names("sklearn"))
        if isinstance(data, Vector) and data.expr != "input" and \
                type(est).__name__ not in _COMPOSITES:  # values made by the steps before
            guard_vector(b, est, data, "/".join(b.estimator_path))
        return conv.fn(est, b, data)
    except ValueError as err:  # a converter found something it cannot translate faithfully
        b.refuse(est, str(err), registry.supported_names("sklearn"))
        raise  # unreachable: refuse raises
    finally:
        b.estimator_path.pop()


def fitted_attr(est: Any, name: str) -> Any:
    """A fitted attribute, with a clear refusal when the estimator was not fitted."""
    if not hasattr(est, name):
        raise ValueError(f"the estimator is not fitted (it has no {name!r})")
    return getattr(est, name)
