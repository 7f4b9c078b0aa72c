"""The scalar compiler's shape-specific kernels (:mod:`pfa.engine.patterns`, registered at the
hooks of :func:`pfa.engine.scalar.scalar_kernel`) give the same results and errors as the
general closures they replace (built here with every kernel unregistered). Every registered
kernel has a case below, and the case must make it fire."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pytest

from pfa import Engine
from pfa.engine import scalar
from pfa.errors import PfaError


def _registered() -> list[tuple[str, Callable[..., Any]]]:
    return [(hook, k) for hook in scalar.KERNEL_HOOKS for k in scalar.registered_kernels(hook)]


def _general(doc: dict, monkeypatch: pytest.MonkeyPatch) -> Engine:
    with monkeypatch.context() as m:
        for hook in scalar.KERNEL_HOOKS:
            m.setitem(scalar._KERNELS, hook, [])
        return Engine.from_json(doc)


def _outcome(engine: Engine, datum: object) -> tuple:
    try:
        return ("ok", repr(engine.action(datum)))
    except PfaError as err:
        return ("error", type(err).__name__, getattr(err, "code", None), str(err))


def _same(doc: dict, data: list, monkeypatch: pytest.MonkeyPatch) -> None:
    fast, general = Engine.from_json(doc), _general(doc, monkeypatch)
    for datum in data:
        assert _outcome(fast, datum) == _outcome(general, datum), datum


def _fields(n: int, t: object) -> dict:
    return {"type": "record", "name": "In", "fields": [{"name": f"x{i}", "type": t}
                                                       for i in range(n)]}


DOUBLES = {"type": "array", "items": "double"}


def test_standard_scale_and_division_by_zero(monkeypatch: pytest.MonkeyPatch) -> None:
    doc = {"input": {"type": "record", "name": "In", "fields": [
               {"name": "x", "type": DOUBLES}, {"name": "m", "type": DOUBLES},
               {"name": "s", "type": DOUBLES}]},
           "output": DOUBLES,
           "action": {"a.zipmap": [{"attr": "input", "path": [{"string": "x"}]},
                                   {"attr": "input", "path": [{"string": "m"}]},
                                   {"attr": "input", "path": [{"string": "s"}]},
                                   {"params": [{"x": "double"}, {"m": "double"},
                                               {"s": "double"}], "ret": "double",
                                    "do": {"/": [{"-": ["x", "m"]}, "s"]}}]}}
    rows = [{"x": [1.0, 2.0, -3.0, 0.0, math.nan, math.inf],
             "m": [0.5, 2.0, 1.0, 0.0, 0.0, 1.0],
             "s": [2.0, 0.0, -0.0, 0.0, 1.0, math.inf]},
            {"x": [1.0], "m": [1.0, 2.0], "s": [1.0]}]
    _same(doc, rows, monkeypatch)


@pytest.mark.parametrize("op", ["+", "-", "*", "/"])
@pytest.mark.parametrize("kind", ["int", "long", "float", "double"])
def test_binary_bodies_keep_their_type_semantics(op: str, kind: str,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    ret = "double" if op == "/" else kind
    arr = {"type": "array", "items": kind}
    doc = {"input": {"type": "record", "name": "In", "fields": [
               {"name": "a", "type": arr}, {"name": "b", "type": arr}]},
           "output": {"type": "array", "items": ret},
           "action": {"a.zipmap": [{"attr": "input", "path": [{"string": "a"}]},
                                   {"attr": "input", "path": [{"string": "b"}]},
                                   {"params": [{"x": kind}, {"y": kind}], "ret": ret,
                                    "do": {op: ["y", "x"]}}]}}  # not eta-reducible
    if kind in ("int", "long"):
        big = 2**31 - 1 if kind == "int" else 2**63 - 1
        rows = [{"a": [1, big, -big, 7], "b": [2, 1, 2, 0]}]
    else:
        rows = [{"a": [1.5, 3.4e38, 1e308, 0.1], "b": [2.25, 3.4e38, 1e308, 0.0]}]
    _same(doc, rows, monkeypatch)


def test_int_items_passed_to_a_double_parameter(monkeypatch: pytest.MonkeyPatch) -> None:
    doc = {"input": {"type": "array", "items": "int"}, "output": DOUBLES,
           "action": {"a.map": ["input", {"params": [{"x": "double"}], "ret": "double",
                                          "do": {"-": ["x", 1]}}]}}
    _same(doc, [[1, 2, 3], []], monkeypatch)
    assert Engine.from_json(doc).action([3]) == [2.0]


def test_library_calls_and_fields_of_parameters(monkeypatch: pytest.MonkeyPatch) -> None:
    point = {"type": "record", "name": "P", "fields": [{"name": "v", "type": DOUBLES},
                                                     {"name": "w", "type": "double"}]}
    doc = {"input": {"type": "record", "name": "In", "fields": [
               {"name": "x", "type": DOUBLES},
               {"name": "ps", "type": {"type": "array", "items": point}}]},
           "output": DOUBLES,
           "action": {"a.map": [{"attr": "input", "path": [{"string": "ps"}]},
                                {"params": [{"p": "P"}], "ret": "double",
                                 "do": {"+": [{"attr": "p", "path": [{"string": "w"}]},
                                              {"m.sqrt": {"a.sum": {
                                                  "attr": "p",
                                                  "path": [{"string": "v"}]}}}]}}]}}
    rows = [{"x": [], "ps": [{"v": [1.0, 3.0], "w": 0.5}, {"v": [-4.0], "w": 1.0}]}]
    _same(doc, rows, monkeypatch)


def _kmeans(k: float = 2.0) -> dict:
    center = {"type": "record", "name": "Center", "fields": [
        {"name": "point", "type": DOUBLES}, {"name": "sqnorm", "type": "double"}]}
    cluster = {"type": "record", "name": "Cluster", "fields": [
        {"name": "center", "type": center}, {"name": "id", "type": "int"}]}
    return {
        "input": {"type": "record", "name": "In", "fields": [
            {"name": "x", "type": DOUBLES},
            {"name": "cs", "type": {"type": "array", "items": cluster}}]},
        "output": "int",
        "action": {"attr": {"model.cluster.closest": [
            {"attr": "input", "path": [{"string": "x"}]},
            {"attr": "input", "path": [{"string": "cs"}]},
            {"params": [{"x": DOUBLES}, {"c": "Center"}], "ret": "double",
             "do": {"-": [{"attr": "c", "path": [{"string": "sqnorm"}]},
                          {"*": [k, {"m.kernel.linear": [
                              "x", {"attr": "c", "path": [{"string": "point"}]}]}]}]}}]},
            "path": [{"string": "id"}]}}


def _cluster(point: list[float], i: int) -> dict:
    return {"center": {"point": point, "sqnorm": sum(v * v for v in point)}, "id": i}


def test_closest_center(monkeypatch: pytest.MonkeyPatch) -> None:
    cs = [_cluster([0.0, 0.0], 0), _cluster([1.0, 1.0], 1), _cluster([1.0, 1.0], 2),
          _cluster([-2.0, 5.0], 3)]
    rows = [{"x": [0.9, 1.2], "cs": cs}, {"x": [0.0, 0.0], "cs": cs},
            {"x": [math.nan, 1.0], "cs": cs}, {"x": [-2.0, 4.0], "cs": cs},
            {"x": [1.0], "cs": cs}, {"x": [1.0, 1.0], "cs": []},
            {"x": [1.0, 2.0], "cs": [_cluster([math.nan, 0.0], 7)] + cs}]
    _same(_kmeans(), rows, monkeypatch)
    _same(_kmeans(0.5), rows, monkeypatch)


def test_gathered_arrays(monkeypatch: pytest.MonkeyPatch) -> None:
    nan = {"double": "NaN"}
    for t, item, data in [
        ("double", lambda i: {"attr": "input", "path": [{"string": f"x{i}"}]},
         [{"x0": 1.0, "x1": -0.0, "x2": math.inf}]),
        (["null", "double"],
         lambda i: {"impute.defaultOnNull": [{"attr": "input", "path": [{"string": f"x{i}"}]},
                                             nan]},
         [{"x0": None, "x1": 2.0, "x2": None}, {"x0": 1.0, "x1": 2.0, "x2": 3.0}]),
        (["null", "double"],  # different defaults: not gathered, same results
         lambda i: {"impute.defaultOnNull": [{"attr": "input", "path": [{"string": f"x{i}"}]},
                                             float(i)]},
         [{"x0": None, "x1": None, "x2": 5.0}]),
    ]:
        doc = {"input": _fields(3, t), "output": DOUBLES,
               "action": {"new": [item(i) for i in range(3)], "type": DOUBLES}}
        _same(doc, data, monkeypatch)


@pytest.mark.parametrize("then", [None, {"float": "-Infinity"}, {"float": 0.5}])
def test_nan_to_constant(then: object, monkeypatch: pytest.MonkeyPatch) -> None:
    out_t = ["null", "float"] if then is None else "float"
    floats = {"type": "array", "items": "float"}
    branch = {"if": {"impute.isnan": {"attr": "input", "path": [2]}}, "then": then,
              "else": {"attr": "input", "path": [2]}}
    doc = {"input": floats, "output": out_t, "action": [branch]}
    _same(doc, [[0.0, 1.0, math.nan], [0.0, 1.0, 2.5], [0.0, 1.0, -math.inf], [1.0]],
          monkeypatch)


# ---------------------------------------------------------------------------------------------
# every registered kernel: a case that makes it fire, same results as the general closures
# ---------------------------------------------------------------------------------------------

def _nan_doc() -> dict:
    floats = {"type": "array", "items": "float"}
    return {"input": floats, "output": "float",
            "action": [{"if": {"impute.isnan": {"attr": "input", "path": [1]}},
                        "then": {"float": 0.5}, "else": {"attr": "input", "path": [1]}}]}


def _scale_doc() -> dict:
    return {"input": DOUBLES, "output": DOUBLES,
            "action": {"a.map": ["input", {"params": [{"x": "double"}], "ret": "double",
                                           "do": {"/": [{"-": ["x", 1.0]}, 2.0]}}]}}


def _gather_doc() -> dict:
    return {"input": _fields(3, "double"), "output": DOUBLES,
            "action": {"new": [{"attr": "input", "path": [{"string": f"x{i}"}]}
                               for i in range(3)], "type": DOUBLES}}


_CS = [_cluster([0.0, 0.0], 0), _cluster([1.0, 1.0], 1), _cluster([-2.0, 5.0], 2)]
#: kernel name -> (document, rows)
CASES: dict[str, tuple[Callable[[], dict], list]] = {
    "closest_center": (_kmeans, [{"x": [0.9, 1.2], "cs": _CS}, {"x": [1.0], "cs": _CS}]),
    "direct_function": (_scale_doc, [[1.0, -0.0, math.nan], []]),
    "gather_array": (_gather_doc, [{"x0": 1.0, "x1": -0.0, "x2": math.inf}]),
    "nan_to_constant": (_nan_doc, [[0.0, math.nan], [0.0, 2.5], [1.0]]),
}


@pytest.mark.parametrize("hook,kernel", _registered(),
                         ids=[f"{h}:{k.__name__}" for h, k in _registered()])
def test_registered_kernel(hook: str, kernel: Callable[..., Any],
                           monkeypatch: pytest.MonkeyPatch) -> None:
    assert kernel.__name__ in CASES, f"no case for the scalar kernel {kernel.__name__}"
    make, rows = CASES[kernel.__name__]
    fired: list[Any] = []

    def spy(*args: Any) -> Any:
        out = kernel(*args)
        if out is not None:
            fired.append(out)
        return out
    with monkeypatch.context() as m:
        m.setitem(scalar._KERNELS, hook, [spy])
        fast = Engine.from_json(make())
    assert fired, f"{kernel.__name__} did not take its case"
    general = _general(make(), monkeypatch)
    for datum in rows:
        assert _outcome(fast, datum) == _outcome(general, datum), datum
