"""Dispatch of one fitted sklearn estimator to its converter."""

from __future__ import annotations

from typing import Any

from pfa.exporters import registry
from pfa.exporters.builder import DocumentBuilder, Output, Vector
from pfa.exporters.sklearn.guards import guard_vector
from pfa.exporters.sklearn.probe import BIG, step_refusals
from pfa.exporters.table import Data

_COMPOSITES = ("Pipeline", "ColumnTransformer", "FeatureUnion")
#: memo key set when a step that refuses large values reads data no :func:`guard_vector`
#: checks (the input, or its columns)
UNGUARDED_STEP = "sklearn:unguarded-step"


def convert(est: Any, b: DocumentBuilder, data: Data, place: str) -> Data | Output:
    """Translate ``est`` (fitted) applied to ``data``; ``place`` names it in the pipeline."""
    if isinstance(est, str) and est == "passthrough":
        return data
    conv = registry.lookup("sklearn", est)
    b.estimator_path.append(place)
    try:
        if conv is None:
            b.refuse(est, "this estimator is not supported",
                     registry.supported_names("sklearn"), reason="no converter")
        if type(est).__name__ not in _COMPOSITES:
            if isinstance(data, Vector) and data.expr != "input":  # made by the steps before
                guard_vector(b, est, data, "/".join(b.estimator_path))
            elif not b.memo.get(UNGUARDED_STEP):  # reads the input: does it refuse big values?
                n = data.size if isinstance(data, Vector) else len(data.columns)
                if BIG & step_refusals(est, n, bounds=False).kinds.keys():
                    b.memo[UNGUARDED_STEP] = True
        return conv.fn(est, b, data)
    except ValueError as err:  # a converter found something it cannot translate faithfully
        b.refuse(est, str(err), registry.supported_names("sklearn"),
                 reason=getattr(err, "reason", None))
    finally:
        b.estimator_path.pop()


def fitted_attr(est: Any, name: str) -> Any:
    """A fitted attribute, with a clear refusal when the estimator was not fitted."""
    if not hasattr(est, name):
        raise ValueError(f"the estimator is not fitted (it has no {name!r})")
    return getattr(est, name)
