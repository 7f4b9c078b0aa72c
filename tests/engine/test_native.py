"""The native tier gives the scalar engine's results bit for bit: compiled == vector ==
scalar over every exported sklearn model family, over generated documents of the compiled
subset (hypothesis), and with the tier turned off (``PFA_NATIVE=0``) everything still runs
with the same results."""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pfa import Engine
from pfa.engine import native
from pfa.errors import PfaRuntimeError
from tests.engine.batch_helpers import same
from tests.exporters.fuzz import spec as S
from tests.exporters.fuzz.examples import first_example
from tests.exporters.helpers import rows as rows_of

pytestmark = pytest.mark.skipif(native.unavailable() is not None,
                                reason=f"native tier off: {native.unavailable()}")


def reference(doc: Any, monkeypatch: pytest.MonkeyPatch) -> Engine:
    """An engine without the native tier (vector + scalar)."""
    with monkeypatch.context() as m:
        m.setenv(native.DISABLE_ENV, "0")
        return Engine.from_json(doc)


def outcomes(engine: Engine, inputs: list[Any]) -> list[Any]:
    """``action`` on each input: the value, or ("error", code)."""
    out = []
    for r in inputs:
        try:
            out.append(engine.action(r))
        except PfaRuntimeError as exc:
            out.append(("error", exc.code))
    return out


def batch(engine: Engine, inputs: list[Any], chunk_size: int | None = None) -> list[Any]:
    res = engine.action_batch(inputs, on_error="null", chunk_size=chunk_size)
    errors = {row: code for row, code, _ in res.errors}
    return [("error", errors[i]) if i in errors else v for i, v in enumerate(res.values)]


def assert_all_equal(doc: Any, inputs: list[Any], monkeypatch: pytest.MonkeyPatch) -> Engine:
    """native batch == native action == vector batch == scalar action, bit for bit."""
    ref = reference(doc, monkeypatch)
    expected = outcomes(ref, inputs)
    got_vector = batch(ref, inputs)
    eng = Engine.from_json(doc)
    got_batch = batch(eng, inputs)
    got_single = outcomes(Engine.from_json(doc), inputs)
    for i, e in enumerate(expected):
        assert same(got_vector[i], e), ("vector", i, got_vector[i], e)
        assert same(got_batch[i], e), ("native batch", i, got_batch[i], e, inputs[i])
        assert same(got_single[i], e), ("native action", i, got_single[i], e, inputs[i])
    return eng


def is_native(engine: Engine) -> bool:
    return engine.explain_batch()[0].mode == "native"


def not_native(engine: Engine) -> Any:
    """The explanation entry saying why the native tier does not run the document."""
    return next(e for e in engine.explain_batch() if e.mode == "not native")


# -- every exported sklearn family ----------------------------------------------------------

CONVERTERS = [c.estimator for c in S.converters()]


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("target", CONVERTERS)
def test_every_converter_native_equals_scalar(target, monkeypatch):
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        example = first_example(target)
    assert example is not None
    inputs = rows_of(example.doc, example.X)
    assert_all_equal(example.doc, inputs, monkeypatch)


def test_anchor_families_are_compiled(monkeypatch):
    """The anchor model families run natively (not only correctly through the fallback)."""
    from sklearn.cluster import KMeans
    from sklearn.ensemble import GradientBoostingRegressor, RandomForestClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.tree import DecisionTreeRegressor

    from pfa.exporters.sklearn import export

    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 5))
    X[rng.random(X.shape) < 0.02] = np.nan
    Xf = np.nan_to_num(X)
    y = (Xf[:, 0] + Xf[:, 1] > 0).astype(int) + (Xf[:, 2] > 1)
    models = [make_pipeline(StandardScaler(), LogisticRegression()).fit(Xf, y),
              DecisionTreeRegressor(max_depth=4).fit(X, Xf[:, 0]),
              RandomForestClassifier(5, max_depth=3, random_state=0).fit(X, y),
              GradientBoostingRegressor(n_estimators=5, max_depth=2).fit(Xf, Xf[:, 1]),
              KMeans(3, n_init=1, random_state=0).fit(Xf)]
    for model in models:
        doc = json.loads(json.dumps(export(model, timestamp=False)))
        engine = assert_all_equal(doc, rows_of(doc, X), monkeypatch)
        assert is_native(engine), (type(model).__name__, engine.explain_batch()[0])


# -- generated documents of the compiled subset ---------------------------------------------

FIELDS = ["a", "b", "c"]
INPUT = {"type": "record", "name": "In", "fields": [
    {"name": "a", "type": "double"}, {"name": "b", "type": ["null", "double"]},
    {"name": "c", "type": "float"}]}
DOUBLES = st.one_of(st.floats(allow_nan=True, allow_infinity=True),
                    st.sampled_from([0.0, -0.0, 1.0, -1.0, 0.5, 1e308, -1e-310]))


def _num(v: float) -> Any:
    if math.isnan(v):
        return {"double": "NaN"}
    if math.isinf(v):
        return {"double": "Infinity" if v > 0 else "-Infinity"}
    return {"double": v}


@st.composite
def scalar_exprs(draw: Any, depth: int = 0) -> Any:
    """A double-valued expression of the compiled subset."""
    leaves = [st.sampled_from([{"attr": "input", "path": [{"string": "a"}]},
                               {"impute.defaultOnNull": [
                                   {"attr": "input", "path": [{"string": "b"}]}, -1.5]},
                               {"cast.double": {"attr": "input", "path": [{"string": "c"}]}},
                               "x0", "x1"]),
              DOUBLES.map(_num)]
    if depth >= 3:
        return draw(st.one_of(*leaves))
    sub = scalar_exprs(depth + 1)
    kind = draw(st.sampled_from(["leaf", "arith", "minmax", "if", "f32", "sum", "linear",
                                 "dot", "softmax", "argmax"]))
    if kind == "leaf":
        return draw(st.one_of(*leaves))
    if kind == "arith":
        return {draw(st.sampled_from(["+", "-", "*", "/"])): [draw(sub), draw(sub)]}
    if kind == "minmax":
        return {draw(st.sampled_from(["min", "max"])): [draw(sub), draw(sub)]}
    if kind == "if":
        test = {draw(st.sampled_from(["<", "<=", ">", ">=", "==", "!="])): [draw(sub),
                                                                          draw(sub)]}
        if draw(st.booleans()):
            test = {"||": [test, {"impute.isnan": draw(sub)}]}
        then = draw(sub)
        if draw(st.integers(0, 3)) == 0:  # a branch that may raise
            then = {"do": [{"if": {"impute.isnan": draw(sub)},
                            "then": {"error": "boom", "code": -3}}, then]}
        return {"if": test, "then": then, "else": draw(sub)}
    if kind == "f32":
        return {"cast.double": {"cast.float": draw(sub)}}
    if kind == "sum":
        return {"a.sum": {"new": [draw(sub) for _ in range(draw(st.integers(1, 3)))],
                          "type": {"type": "array", "items": "double"}}}
    if kind == "linear":
        return {"model.reg.linear": [{"new": [draw(sub), draw(sub)],
                                      "type": {"type": "array", "items": "double"}},
                                     {"cell": "lin"}]}
    if kind == "dot":
        return {"attr": {"la.dot": [{"cell": "mat"}, {"new": [draw(sub), draw(sub)],
                                                      "type": {"type": "array",
                                                               "items": "double"}}]},
                "path": [1]}
    if kind == "softmax":
        return {"attr": {"m.link.softmax": {"new": [draw(sub), draw(sub), draw(sub)],
                                            "type": {"type": "array", "items": "double"}}},
                "path": [draw(st.integers(0, 2))]}
    return {"cast.double": {"a.argmax": {"new": [draw(sub), draw(sub)],
                                         "type": {"type": "array", "items": "double"}}}}


@st.composite
def trees(draw: Any, depth: int = 0) -> Any:
    if depth >= 3 or draw(st.integers(0, 3)) == 0:
        return {"double": draw(st.floats(-5, 5))}
    op = draw(st.sampled_from(["<", "<=", ">", ">=", "==", "!=", "in", "notIn"]))
    value: Any = draw(st.sampled_from([0.0, 0.5, -1.0, 2.0]))
    if op in ("in", "notIn"):
        value = {"array": [0.0, 1.0, value]}
    else:
        value = {"double": value}
    return {"TreeNode": {"field": draw(st.sampled_from(FIELDS)), "operator": op,
                         "value": value, "pass": draw(trees(depth + 1)),
                         "fail": draw(trees(depth + 1))}}


TREE_T = {"type": "record", "name": "TreeNode", "fields": [
    {"name": "field", "type": {"type": "enum", "name": "F", "symbols": FIELDS}},
    {"name": "operator", "type": "string"},
    {"name": "value", "type": ["double", {"type": "array", "items": "double"}]},
    {"name": "pass", "type": ["TreeNode", "double"]},
    {"name": "fail", "type": ["TreeNode", "double"]}]}


def document(body: Any, forest: list[Any], walk: str) -> dict[str, Any]:
    datum = {"new": {"a": {"attr": "input", "path": [{"string": "a"}]},
                     "b": {"impute.defaultOnNull": [{"attr": "input", "path": [{"string": "b"}]},
                                                    {"double": "NaN"}]},
                     "c": {"cast.double": {"attr": "input", "path": [{"string": "c"}]}}},
             "type": {"type": "record", "name": "D", "fields": [
                 {"name": f, "type": "double"} for f in FIELDS]}}
    if walk == "simpleTree":
        call = {"model.tree.simpleTree": ["d", "t"]}
    else:
        call = {"model.tree.simpleWalk": ["d", "t", {
            "params": [{"q": "D"}, {"n": "TreeNode"}], "ret": "boolean",
            "do": {"model.tree.simpleTest": ["q", "n"]}}]}
    forest_sum = {"a.sum": {"a.map": [{"cell": "forest"}, {
        "params": [{"t": "TreeNode"}], "ret": "double", "do": call}]}}
    return {"input": INPUT, "output": "double",
            "cells": {"lin": {"type": {"type": "record", "name": "L", "fields": [
                {"name": "coeff", "type": {"type": "array", "items": "double"}},
                {"name": "const", "type": "double"}]},
                "init": {"coeff": [0.25, -3.0], "const": 0.125}},
                "mat": {"type": {"type": "array", "items": {"type": "array",
                                                           "items": "double"}},
                        "init": [[1.0, 2.0], [0.5, -0.25]]},
                "forest": {"type": {"type": "array", "items": TREE_T},
                           "init": [t.get("TreeNode", {
                               "field": "a", "operator": "<", "value": {"double": 0.0},
                               "pass": t, "fail": t}) for t in forest]}},
            "action": [{"let": {"x0": {"attr": "input", "path": [{"string": "a"}]},
                                "x1": {"*": [{"cast.double": {"attr": "input", "path": [
                                    {"string": "c"}]}}, 2.0]}}},
                       {"let": {"d": datum}},
                       {"+": [body, forest_sum]}]}


records = st.fixed_dictionaries({"a": DOUBLES, "b": st.one_of(st.none(), DOUBLES),
                                 "c": st.floats(width=32, allow_nan=True, allow_infinity=True)})


@settings(max_examples=30, deadline=None, database=None,
          suppress_health_check=list(HealthCheck))
@given(body=scalar_exprs(), forest=st.lists(trees(), min_size=1, max_size=3),
       walk=st.sampled_from(["simpleTree", "simpleWalk"]),
       inputs=st.lists(records, min_size=1, max_size=12))
def test_generated_documents(body, forest, walk, inputs):
    doc = document(body, forest, walk)
    mp = pytest.MonkeyPatch()
    try:
        engine = assert_all_equal(doc, inputs, mp)
    finally:
        mp.undo()
    assert is_native(engine), engine.explain_batch()[0]


# -- the tier turned off, documents outside the subset ---------------------------------------

def test_turned_off_runs_the_same(monkeypatch):
    doc = document({"+": ["x0", 1.0]}, [{"double": 2.0}], "simpleTree")
    inputs = [{"a": 1.5, "b": None, "c": 2.0}, {"a": -0.0, "b": 3.0, "c": 0.5}]
    on = Engine.from_json(doc)
    ref = reference(doc, monkeypatch)
    assert on.explain_batch()[0].mode == "native"
    assert "PFA_NATIVE" in not_native(ref).reason
    assert all(same(x, y) for x, y in zip(batch(on, inputs), batch(ref, inputs)))
    assert all(same(x, y) for x, y in zip(outcomes(on, inputs), outcomes(ref, inputs)))


def test_outside_the_subset_says_why():
    doc = {"input": "string", "output": "int", "action": [{"s.len": "input"}]}
    engine = Engine.from_json(doc)
    assert "s.len is not lowered" in not_native(engine).reason
    assert list(engine.action_batch(["ab", ""])) == [2, 0]


TYPED_LITERALS = [  # (type, value in Avro's JSON encoding)
    (["null", "double"], {"double": 1.5}),
    (["null", "double"], None),
    ("bytes", "h\u00e9"),
    ({"type": "fixed", "name": "F", "size": 2}, "ab"),
    ({"type": "enum", "name": "E", "symbols": ["a", "b"]}, "b"),
    ({"type": "array", "items": ["null", "int"]}, [{"int": 3}, None]),
    ({"type": "map", "values": ["string", "null"]}, {"k": {"string": "v"}, "n": None}),
    ({"type": "record", "name": "R", "fields": [{"name": "u", "type": ["null", "long"]}]},
     {"u": {"long": 7}}),
    ("float", 0.1),
]


@pytest.mark.parametrize("avro,value", TYPED_LITERALS, ids=[json.dumps(t) for t, _ in TYPED_LITERALS])
def test_typed_literals_are_decoded(avro, value, monkeypatch):
    """``{"type": T, "value": V}`` holds V in Avro's JSON encoding, on every tier."""
    doc = {"input": "double", "output": avro, "action": [{"type": avro, "value": value}]}
    on = Engine.from_json(doc)
    ref = reference(doc, monkeypatch)
    assert same(on.action(1.0), ref.action(1.0))
    assert all(same(x, y) for x, y in zip(on.action_batch([1.0, 2.0]),
                                          ref.action_batch([1.0, 2.0])))


def test_restored_cells_are_seen(monkeypatch):
    """A cell changed by ``restore`` is not served from the program built before."""
    doc = document({"model.reg.linear": [{"new": ["x0", "x1"], "type": {
        "type": "array", "items": "double"}}, {"cell": "lin"}]}, [{"double": 0.0}], "simpleTree")
    engine = Engine.from_json(doc)
    row = {"a": 2.0, "b": None, "c": 1.0}
    before = engine.action(row)
    snap = engine.snapshot()
    snap["cells"]["lin"] = {"coeff": [1.0, 1.0], "const": 0.0}
    engine.restore(snap)
    assert engine.action(row) != before
    assert list(engine.action_batch([row])) == [engine.action(row)]


def test_threads_give_the_same_results(monkeypatch):
    doc = document({"*": ["x0", "x1"]}, [{"double": 1.0}], "simpleTree")
    rng = np.random.default_rng(1)
    n = 5000
    data = {"a": rng.normal(size=n), "b": rng.normal(size=n),
            "c": rng.normal(size=n).astype(np.float32).astype(np.float64)}
    one = Engine.from_json(doc).action_batch(data)
    monkeypatch.setenv("PFA_NATIVE_THREADS", "2")
    two = Engine.from_json(doc).action_batch(data)
    assert np.array_equal(one, two, equal_nan=True)


def test_kmeans_default_metric_ties_and_near_ties(monkeypatch):
    """``model.cluster.closest`` without a metric uses math.dist: exact ties keep the first
    cluster, near-ties and non-finite rows go to the fallback; the results are the scalar
    engine's."""
    arr = {"type": "array", "items": "double"}
    doc = {"input": {"type": "record", "name": "P", "fields": [
        {"name": "x", "type": "double"}, {"name": "y", "type": "double"}]},
        "output": "int",
        "cells": {"c": {"type": {"type": "array", "items": {
            "type": "record", "name": "C", "fields": [
                {"name": "id", "type": "int"}, {"name": "center", "type": arr}]}},
            "init": [{"id": 7, "center": [0.0, 0.0]}, {"id": 8, "center": [2.0, 0.0]},
                     {"id": 9, "center": [1.0, 1e-9]}]}},
        "action": [{"attr": {"model.cluster.closest": [{"new": [
            {"attr": "input", "path": [{"string": "x"}]},
            {"attr": "input", "path": [{"string": "y"}]}], "type": arr}, {"cell": "c"}]},
            "path": [{"string": "id"}]}]}
    inputs = [{"x": 1.0, "y": 5.0}, {"x": 1.0 + 1e-16, "y": 3.0}, {"x": 0.1, "y": 0.0},
              {"x": math.inf, "y": 0.0}, {"x": math.nan, "y": 1.0}, {"x": 1.9, "y": -0.2},
              {"x": 1.0, "y": 0.0}]
    engine = assert_all_equal(doc, inputs, monkeypatch)
    assert is_native(engine)
