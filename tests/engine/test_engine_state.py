"""Cells and pools: access, updates, error codes, rollback, snapshots, shared state."""

from __future__ import annotations

import json
import threading

import pytest
from engine_helpers import engine, fails

from pfa import Engine
from pfa.errors import PfaRuntimeError, PfaUserError

ARR = {"type": "array", "items": "int"}
MAP = {"type": "map", "values": "int"}
REC = {"type": "record", "name": "S", "fields": [{"name": "xs", "type": ARR},
                                                 {"name": "m", "type": MAP}]}


def cells(**kw):
    return {"cells": kw}


def test_cell_get_and_path():
    c = {"c": {"type": REC, "init": {"xs": [1, 2, 3], "m": {"a": 10}}}}
    assert engine({"cell": "c", "path": [["xs"], 2]}, output="int", cells=c).action(None) == 3
    assert engine({"cell": "c", "path": [["m"], ["a"]]}, output="int",
                  cells=c).action(None) == 10
    assert engine({"cell": "c", "path": []}, output=REC, cells=c).action(None) == \
        {"xs": [1, 2, 3], "m": {"a": 10}}
    fails(2004, {"cell": "c", "path": [["xs"], 3]}, output="int", cells=c)
    fails(2005, {"cell": "c", "path": [["m"], ["b"]]}, output="int", cells=c)


def test_cell_to_value_function_and_path():
    c = {"c": {"type": REC, "init": {"xs": [1, 2, 3], "m": {"a": 10}}}}
    e = engine([{"let": {"before": {"cell": "c"}}},
                {"cell": "c", "path": [["xs"], 0], "to": 100},
                {"cell": "c", "path": [["m"], ["a"]],
                 "to": {"params": [{"v": "int"}], "ret": "int", "do": {"+": ["v", 1]}}},
                {"attr": "before", "path": [["xs"], 0]}],
               output="int", cells=c)
    assert e.action(None) == 1  # the copy taken before is unchanged
    assert e.cells["c"] == {"xs": [100, 2, 3], "m": {"a": 11}}
    e = engine({"cell": "n", "to": {"params": [{"v": "int"}], "ret": "int",
                                    "do": {"+": ["v", 1]}}},
               output="int", cells={"n": {"type": "int", "init": 0}})
    assert [e.action(None) for _ in range(3)] == [1, 2, 3]
    fails(2006, {"cell": "c", "path": [["xs"], 9], "to": 1}, output=REC, cells=c)
    fails(2007, {"cell": "c", "path": [["m"], ["zz"]], "to": 1}, output=REC, cells=c)


def test_pool_get_to_del():
    p = {"p": {"type": MAP, "init": {"one": {"a": 1}}}}
    assert engine({"pool": "p", "path": [["one"], ["a"]]}, output="int",
                  pools=p).action(None) == 1
    fails(2009, {"pool": "p", "path": [["two"]]}, output=MAP, pools=p)
    fails(2009, {"pool": "p", "path": [["one"], ["b"]]}, output="int", pools=p)
    # pool-to creates missing items from init, then applies the update
    e = engine([{"pool": "p", "path": [["two"], ["b"]], "to": 5,
                 "init": {"type": MAP, "value": {"b": 0}}},
                {"pool": "p", "path": [["two"]],
                 "to": {"params": [{"m": MAP}], "ret": MAP,
                        "do": {"map.add": ["m", ["c"], 7]}},
                 "init": {"type": MAP, "value": {}}}],
               output=MAP, pools=p)
    assert e.action(None) == {"b": 5, "c": 7}
    assert e.pools["p"] == {"one": {"a": 1}, "two": {"b": 5, "c": 7}}
    e2 = engine([{"pool": "p", "del": ["one"]}, {"pool": "p", "del": ["absent"]}],
                output="null", pools=p)
    assert e2.action(None) is None
    assert e2.pools["p"] == {}
    fails(2011, {"pool": "p", "path": [["one"], ["zz"]], "to": 1,
                 "init": {"type": MAP, "value": {}}}, output=MAP, pools=p)
    arrp = {"q": {"type": ARR, "init": {"k": [1]}}}
    fails(2010, {"pool": "q", "path": [["k"], 4], "to": 1,
                 "init": {"type": ARR, "value": []}}, output=ARR, pools=arrp)
    fails(2008, {"pool": "q", "path": [["k"], 4]}, output="int", pools=arrp)


COUNTER_DOC = {
    "input": "int", "output": "int",
    "cells": {"total": {"type": "int", "init": 0, "rollback": True},
              "plain": {"type": "int", "init": 0}},
    "pools": {"seen": {"type": "int", "init": {}, "rollback": True}},
    "action": [
        {"cell": "total", "to": {"params": [{"v": "int"}], "ret": "int",
                                 "do": {"+": ["v", "input"]}}},
        {"cell": "plain", "to": {"params": [{"v": "int"}], "ret": "int",
                                 "do": {"+": ["v", "input"]}}},
        {"pool": "seen", "path": [{"s.int": "input"}], "to": 1, "init": 0},
        {"if": {"<": ["input", 0]}, "then": {"error": "negative", "code": -1}},
        {"cell": "total"}]}


def test_rollback_restores_cells_and_pools_when_action_raises():
    e = Engine.from_json(COUNTER_DOC)
    assert e.action(5) == 5
    with pytest.raises(PfaUserError):
        e.action(-2)
    assert e.cells["total"] == 5  # rolled back
    assert e.cells["plain"] == 3  # not marked rollback: keeps the change
    assert e.pools["seen"] == {"5": 1}  # item "-2" created by the failed action is gone
    assert e.action(1) == 6
    assert e.actions_started == 3 and e.actions_finished == 2


def test_snapshot_restore_roundtrip_after_many_actions():
    doc = {"input": "int", "output": "int",
           "cells": {"sum": {"type": "long", "init": 0},
                     "hist": {"type": {"type": "array", "items": "double"},
                              "init": [0.0, 0.0, 0.0]}},
           "pools": {"counts": {"type": "int", "init": {}}},
           "action": [
               {"cell": "sum", "to": {"params": [{"v": "long"}], "ret": "long",
                                      "do": {"+": ["v", "input"]}}},
               {"cell": "hist", "path": [{"%": ["input", 3]}],
                "to": {"params": [{"v": "double"}], "ret": "double", "do": {"+": ["v", 0.5]}}},
               {"pool": "counts", "path": [{"s.int": {"%": ["input", 7]}}],
                "to": {"params": [{"v": "int"}], "ret": "int", "do": {"+": ["v", 1]}},
                "init": 0},
               "input"]}
    e = Engine.from_json(doc)
    for i in range(1000):
        e.action(i)
    snap = e.snapshot()
    text = json.dumps(snap)  # JSON-serialisable
    assert snap["cells"]["sum"] == sum(range(1000))
    # hist[k] counts i % 3 == k (334, 333, 333 values) times 0.5
    assert snap["cells"]["hist"] == [167.0, 166.5, 166.5]
    expected_counts = {str(k): sum(1 for i in range(1000) if i % 7 == k) for k in range(7)}
    assert snap["pools"]["counts"] == expected_counts
    fresh = Engine.from_json(doc)
    fresh.restore(json.loads(text))
    assert fresh.snapshot() == snap
    assert fresh.cells == e.cells and fresh.pools == e.pools
    fresh.action(1000)
    assert fresh.cells["sum"] == sum(range(1001))


def test_factory_shared_cell_under_threads():
    doc = {"input": "null", "output": "int",
           "cells": {"n": {"type": "int", "init": 0, "shared": True},
                     "mine": {"type": "int", "init": 0}},
           "pools": {"p": {"type": "int", "init": {}, "shared": True}},
           "action": [
               {"cell": "n", "to": {"params": [{"v": "int"}], "ret": "int",
                                    "do": {"+": ["v", 1]}}},
               {"cell": "mine", "to": {"params": [{"v": "int"}], "ret": "int",
                                       "do": {"+": ["v", 1]}}},
               {"pool": "p", "path": [["k"]], "to": {"params": [{"v": "int"}], "ret": "int",
                                                     "do": {"+": ["v", 1]}}, "init": 0},
               {"cell": "n"}]}
    engines = Engine.factory(doc, 4)
    assert [x.instance for x in engines] == [0, 1, 2, 3]
    barrier = threading.Barrier(4)
    errors = []

    def work(engine):
        try:
            barrier.wait()
            for _ in range(1000):
                engine.action(None)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(x,)) for x in engines]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert all(x.cells["n"] == 4000 for x in engines)
    assert all(x.pools["p"] == {"k": 4000} for x in engines)
    assert [x.cells["mine"] for x in engines] == [1000] * 4  # unshared: one per engine


def test_factory_random_streams_differ_but_are_reproducible():
    doc = {"input": "null", "output": "null", "randseed": 12345, "action": None}
    a = [x.rng.random() for x in Engine.factory(doc, 3)]
    b = [x.rng.random() for x in Engine.factory(doc, 3)]
    assert a == b
    assert len(set(a)) == 3
    doc2 = dict(doc, randseed=54321)
    assert [x.rng.random() for x in Engine.factory(doc2, 3)] != a


def test_runtime_error_in_begin_and_end():
    e = Engine.from_json({"input": "null", "output": "null", "action": None,
                          "begin": {"error": "bad begin"}})
    with pytest.raises(PfaRuntimeError):
        e.begin()
    e = Engine.from_json({"input": "null", "output": "null", "action": None,
                          "end": {"error": "bad end"}})
    e.action(None)
    with pytest.raises(PfaRuntimeError):
        e.end()


def test_begin_initialises_cells():
    e = Engine.from_json({"input": "null", "output": "int",
                          "cells": {"c": {"type": "int", "init": 0}},
                          "begin": {"cell": "c", "to": 42},
                          "action": {"cell": "c"}})
    assert e.action(None) == 42  # begin runs automatically before the first action
