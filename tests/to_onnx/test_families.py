"""sklearn → PFA → ONNX → onnxruntime equals the engine, for one fitted example of every
converter of the sklearn exporter's registry: trees bit for bit, the rest within 1e-12
relative; the families the compiler cannot take are refused with the path and the reason."""

from __future__ import annotations

import json
import math

import pytest

from pfa.onnx.compiler import OnnxRefusal, compile
from tests.exporters.fuzz import spec as S
from tests.exporters.fuzz.examples import first_example
from tests.exporters.helpers import rows
from tests.to_onnx.helpers import compare, compare_errors

CONVERTERS = [c.estimator for c in S.converters()]

#: families whose documents use a construct outside the compile subset: (construct, where)
REFUSED = {
    "AdaBoostRegressor": "the function a.argminN has no ONNX lowering",
    "BernoulliNB": "the function a.filter has no ONNX lowering",
    "KNeighborsClassifier": "the function model.neighbor.nearestK has no ONNX lowering",
    "KNeighborsRegressor": "the function model.neighbor.nearestK has no ONNX lowering",
}
#: families whose graphs use onnxruntime's exp/log (within a few ulps of the engine's)
NOT_BIT_EXACT = {"GaussianNB", "MultinomialNB", "NuSVC", "SVC", "SVR", "NuSVR", "OneClassSVM",
                 "LogisticRegression", "MLPClassifier", "SGDClassifier", "ComplementNB"}


def test_at_least_26_families_compile():
    assert len(set(CONVERTERS) - set(REFUSED)) >= 26


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("target", CONVERTERS)
def test_family_compiles_and_matches_the_engine(target):
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        example = first_example(target)
    assert example is not None, f"no drawn case around {target}"
    doc = example.doc
    if target in REFUSED:
        with pytest.raises(OnnxRefusal) as info:
            compile(doc)
        assert REFUSED[target] in str(info.value)
        assert info.value.path.startswith("$.action[")
        return
    model = compile(doc)
    records = rows(doc, example.X)
    trees = "model.tree.simpleTree" in json.dumps(doc)
    compare(doc, model, records, exact=trees or target not in NOT_BIT_EXACT)
    # rows the pipeline refuses (NaN, ±inf, too large for float32): the same rows fail in
    # the graph's pfa.error output, with the engine's code and message
    hostile = _hostile(records)
    ok = compare_errors(doc, model, hostile)
    if ok:
        compare(doc, model, [hostile[i] for i in ok], exact=trees or
                target not in NOT_BIT_EXACT)


def _hostile(records: list) -> list:
    """Copies of the first records with one numeric field at a time set to NaN, ±inf, a
    huge value, or null where the field is nullable in the data."""
    out = []
    specials = [math.nan, math.inf, -math.inf, 1e300, None]
    for i, rec in enumerate(records[:4]):
        if not isinstance(rec, dict):
            continue
        numeric = [k for k, v in rec.items() if isinstance(v, float)]
        for j, key in enumerate(numeric):
            value = specials[(i + j) % len(specials)]
            out.append(dict(rec, **{key: value}))
    return out
