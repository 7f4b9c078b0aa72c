"""The server's fast paths answer exactly what the plain paths answer.

- :mod:`pfa.serve.strictjson` with orjson against the standard library alone (generated
  values and texts, including the numbers and strings orjson treats differently);
- :class:`pfa.serve.monitor.Stat` fed in random batches against a one-value-at-a-time
  reference, and its reservoir sample against uniformity (chi-square);
- number-record batches handed to the engine as numpy columns against the same rows through
  ``Engine.action`` and through the list-of-rows path (values and every error message), and
  the C reader of such records against its Python body;
- requests that wait on the event loop while a worker thread holds the engine.
"""

from __future__ import annotations

import bisect
import json
import math
import statistics
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pfa.engine.engine import Engine
from pfa.serve import ServeConfig, strictjson
from pfa.serve import model as serve_model
from pfa.serve.errors import ServeError
from pfa.serve.model import ServedModel, plain_json
from pfa.serve.monitor import MAX_CATEGORIES, OTHER, Stat

from .helpers import serve

SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])

# -- strict JSON ---------------------------------------------------------------------------------

numbers = (st.integers() | st.integers(-(2**70), 2**70) | st.floats()
           | st.sampled_from([2**63 - 1, 2**63, 2**64 - 1, 2**64, -(2**63), -(2**63) - 1]))
texts = st.text(max_size=8) | st.sampled_from(["\ud800", "a\udfffb", "é", "\u2028", "\x00"])
values = st.recursive(
    st.none() | st.booleans() | numbers | texts | st.binary(max_size=4),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(texts, inner, max_size=4),
    max_leaves=16)


def _same(a: Any, b: Any) -> bool:
    """Equal values of equal types (NaN equals NaN, -0.0 differs from 0.0); iterative, for
    deeply nested values."""
    todo = [(a, b)]
    while todo:
        x, y = todo.pop()
        if type(x) is not type(y):
            return False
        if type(x) is float:
            if not ((math.isnan(x) and math.isnan(y)) or (x == y and math.copysign(1, x) ==
                                                          math.copysign(1, y))):
                return False
        elif type(x) is list:
            if len(x) != len(y):
                return False
            todo.extend(zip(x, y))
        elif type(x) is dict:
            if list(x) != list(y):
                return False
            todo.extend((x[k], y[k]) for k in x)
        elif x != y:
            return False
    return True


def _outcome(fn: Any, *args: Any) -> Any:
    try:
        return ("value", fn(*args))
    except ServeError as err:
        return ("error", err.status, err.message)
    except UnicodeEncodeError:
        return ("unencodable",)


def _strict(text: bytes) -> Any:
    def refuse(token: str) -> Any:
        raise AssertionError(f"non-strict JSON token {token}")
    return json.loads(text, parse_constant=refuse)


@SETTINGS
@given(value=values)
def test_encode_equals_the_standard_library(value):
    pytest.importorskip("orjson")
    fast, slow = _outcome(strictjson.encode, value), _outcome(strictjson._encode_json, value)
    assert fast[0] == slow[0] == "value"
    assert _same(_strict(fast[1]), _strict(slow[1]))
    # and both are the value with NaN/inf → null, bytes → text
    assert _same(_strict(fast[1]), json.loads(json.dumps(plain_json(value))))


def _json_texts() -> Any:
    number_text = st.builds(
        lambda sign, whole, frac, exp: sign + whole + frac + exp,
        st.sampled_from(["", "-"]), st.text("0123456789", min_size=1, max_size=25),
        st.sampled_from(["", "."]) | st.text("0123456789", max_size=20).map(lambda d: "." + d),
        st.sampled_from(["", "e", "E+"]) | st.integers(-400, 400).map(lambda e: f"e{e}"))
    dumped = values.map(lambda v: json.dumps(plain_json(v), ensure_ascii=False))
    constants = st.sampled_from(["NaN", "-Infinity", "[Infinity]", '"\\ud800"', "\ufeff{}",
                                 "[1,]", "01", "{\"a\":1,\"a\":2}", " [] ", "[" * 1100 + "]" * 1100])
    return (dumped | number_text | constants).map(lambda t: t.encode("utf-8", "surrogatepass"))


@SETTINGS
@given(text=_json_texts() | st.binary(max_size=40))
def test_decode_equals_the_standard_library(text):
    pytest.importorskip("orjson")
    fast, slow = _outcome(strictjson.decode, text), _outcome(strictjson._decode_json, text)
    assert fast[0] == slow[0]
    if fast[0] == "value":
        assert _same(fast[1], slow[1])
    else:
        assert fast == slow


def test_decode_keeps_big_integers_exact():
    for n in (2**64, -(2**63) - 1, 10**30):
        assert type(strictjson.decode(str(n).encode())) is int
        assert strictjson.decode(f"[{n}]".encode()) == [n]


# -- statistics ----------------------------------------------------------------------------------

class _Reference:
    """One value at a time, as the monitor's statistics are defined."""

    def __init__(self, edges: list[float] | None):
        self.count = self.nulls = 0
        self.numbers: list[float] = []
        self.categories: dict[str, int] = {}
        self.edges = edges

    def add(self, v: Any) -> None:
        self.count += 1
        if v is None or (type(v) is float and v != v):
            self.nulls += 1
        elif type(v) in (float, int):
            self.numbers.append(float(v))
        elif type(v) in (str, bool):
            key = str(v)
            if key in self.categories or len(self.categories) < MAX_CATEGORIES:
                self.categories[key] = self.categories.get(key, 0) + 1
            else:
                self.categories[OTHER] = self.categories.get(OTHER, 0) + 1


stream_values = (st.floats(-1e6, 1e6) | st.integers(-1000, 1000) | st.none()
                 | st.just(math.nan) | st.text("abcdefghijklmnopqrstuvwxyz", max_size=2)
                 | st.booleans() | st.lists(st.integers(), max_size=2))


number_arrays = st.lists(st.floats(-1e6, 1e6) | st.just(math.nan), max_size=30).map(
    lambda xs: np.array(xs, dtype=np.float64)) | st.lists(st.integers(-9, 9), max_size=9).map(
    lambda xs: np.array(xs, dtype=np.int64)) | st.lists(st.booleans(), max_size=5).map(np.array)
"""Engine output columns (and request input columns) reach the statistics as numpy arrays."""


def _object_array(items: list[Any]) -> np.ndarray:
    out = np.empty(len(items), dtype=object)
    for i, x in enumerate(items):
        out[i] = x
    return out


container_arrays = st.lists(st.lists(st.floats(-1, 1), max_size=3) | st.none(),
                            max_size=12).map(_object_array)
"""An output column of arrays (a record's ``probabilities``): counted, its nulls kept."""


@SETTINGS
@given(batches=st.lists(st.lists(stream_values, max_size=40) | number_arrays
                       | container_arrays, max_size=12),
       flushes=st.lists(st.booleans(), min_size=12, max_size=12),
       edges=st.none() | st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=6).map(sorted),
       size=st.integers(1, 20))
def test_stat_in_batches_equals_one_value_at_a_time(batches, flushes, edges, size):
    stat, ref = Stat(edges, seed=3, reservoir=size), _Reference(edges)
    for batch, flush in zip(batches, flushes):
        stat.add_many(batch)
        for v in (batch.tolist() if isinstance(batch, np.ndarray) else batch):
            ref.add(v)
        if flush:
            stat.flush()
    stat.flush()
    assert (stat.count, stat.nulls, stat.n) == (ref.count, ref.nulls, len(ref.numbers))
    assert stat.categories == ref.categories
    assert list(stat.categories) == list(ref.categories)  # admitted in first-seen order
    if ref.numbers:
        assert math.isclose(stat.mean, statistics.fmean(ref.numbers), rel_tol=1e-9,
                            abs_tol=1e-6)
        assert math.isclose(stat.m2 / stat.n, statistics.pvariance(ref.numbers),
                            rel_tol=1e-7, abs_tol=1e-3)
        assert len(stat.sample) == min(size, len(ref.numbers))
        pool = list(ref.numbers)
        for x in stat.sample:  # a sub-multiset of the numbers seen
            pool.remove(x)
    if edges is not None:
        want = [0] * (len(edges) + 1)
        for x in ref.numbers:
            want[bisect.bisect_left(edges, x)] += 1
        assert stat.bins == want


def test_reservoir_sample_is_uniform():
    """Each of 100 values ends in a 10-value reservoir with probability 1/10 (chi-square,
    3,000 seeded runs fed in batches of 7; the 0.1% critical value for 99 degrees of
    freedom is 148.2)."""
    runs, total, size = 3000, 100, 10
    hits = [0] * total
    for seed in range(runs):
        stat = Stat(seed=seed, reservoir=size)
        for a in range(0, total, 7):
            stat.add_many([float(v) for v in range(a, min(total, a + 7))])
            stat.flush()
        for x in stat.sample:
            hits[int(x)] += 1
    expected = runs * size / total
    chi2 = sum((h - expected) ** 2 / expected for h in hits)
    assert chi2 < 148.2, hits


# -- numpy columns for number records ------------------------------------------------------------

NUMBERS = {
    "name": "num",
    "input": {"type": "record", "name": "In", "fields": [
        {"name": "a", "type": "double"}, {"name": "b", "type": "double"},
        {"name": "c", "type": "double"}]},
    "output": {"type": "record", "name": "Out", "fields": [
        {"name": "s", "type": "double"}, {"name": "i", "type": "int"},
        {"name": "l", "type": "long"}, {"name": "flag", "type": "boolean"},
        {"name": "label", "type": "string"},
        {"name": "v", "type": {"type": "array", "items": "double"}},
        {"name": "maybe", "type": ["null", "double"]}, {"name": "sq", "type": "double"}]},
    "action": {"new": {
        "s": {"+": ["input.a", {"*": ["input.b", "input.c"]}]},
        "i": {"if": {">": ["input.a", 0]}, "then": 1, "else": 0},
        "l": {"m.round": "input.b"},  # fails (long overflow) beyond ±9.2e18
        "flag": {"<": ["input.a", "input.b"]},
        "label": {"if": {">": ["input.c", 0]}, "then": {"string": "pos"},
                  "else": {"string": "neg"}},
        "v": {"new": ["input.a", "input.b"], "type": {"type": "array", "items": "double"}},
        "maybe": {"if": {">": ["input.c", 0]}, "then": "input.c", "else": None},
        "sq": {"m.sqrt": "input.a"}}, "type": "Out"}}
"""Every input field a double, every kind of output field."""

SCALAR = {"name": "sc", "input": "double", "output": "double", "action": {"*": ["input", 2]}}


def _models(doc: dict[str, Any]) -> tuple[ServedModel, ServedModel, Engine]:
    """(model with the numpy path, model without it, a plain engine)."""
    fast = ServedModel("m", "1", Engine.from_json(doc), batch_rows=1)
    plain = ServedModel("m", "1", Engine.from_json(doc), batch_rows=1)
    plain.number_keys = None
    return fast, plain, Engine.from_json(doc)


def _answer(model: ServedModel, rows: list[Any]) -> Any:
    try:
        return ("ok", plain_json(model.score(rows)))
    except ServeError as err:
        return ("error", err.status, err.message, err.error_code, err.pfa_code)


number = (st.floats(allow_nan=False, allow_infinity=False) | st.integers(-(2**53), 2**53)
          | st.sampled_from([1e19, -1e300, 2**64, 0.0, -0.0]))
number_row = st.fixed_dictionaries({"a": number, "b": number, "c": number})
odd_value = st.none() | st.booleans() | st.text(max_size=3) | st.just(10**400) | st.just([1.0])
odd_row = (number_row.flatmap(lambda r: st.sampled_from(list(r)).map(lambda k: {
    x: v for x, v in r.items() if x != k}))  # a missing field
    | number_row.map(lambda r: dict(r, extra=1.0))  # an unexpected one
    | number_row.flatmap(lambda r: st.tuples(st.sampled_from(list(r)), odd_value).map(
        lambda kv: dict(r, **{kv[0]: kv[1]})))  # a value that is not a number
    | st.sampled_from([[], 1.0, None, "row"]))


@SETTINGS
@given(rows=st.lists(number_row, min_size=1, max_size=8))
def test_number_columns_answer_like_action(rows):
    fast, plain, engine = _models(NUMBERS)
    assert fast._number_columns(rows) is not None  # the numpy path is taken
    got = _answer(fast, rows)
    assert got == _answer(plain, rows)
    if got[0] == "ok":
        assert got[1] == [plain_json(engine.action(r)) for r in rows]


@SETTINGS
@given(rows=st.lists(number_row, max_size=5), odd=odd_row, at=st.integers(0, 5))
def test_rows_outside_the_number_contract_take_the_row_path(rows, odd, at):
    rows = rows[:at] + [odd] + rows[at:]
    fast, plain, _ = _models(NUMBERS)
    assert fast._number_columns(rows) is None
    assert _answer(fast, rows) == _answer(plain, rows)


class _Dict(dict):
    pass


@settings(max_examples=400, deadline=None)
@given(rows=st.lists(number_row | number_row.map(lambda r: dict(reversed(list(r.items())))),
                     max_size=5),
       odd=st.none() | odd_row | number_row.map(_Dict), at=st.integers(0, 5),
       keys=st.sampled_from([("a", "b", "c"), ("c", "a", "b"), ("a",), ("a", "b", "c", "d")]))
def test_c_record_reader_answers_like_python(rows, odd, at, keys):
    if odd is not None:
        rows = rows[:at] + [odd] + rows[at:]
    if serve_model.records_block is None:
        pytest.skip("pfa.serve._records is not built (tests/test_extensions_built.py)")
    got = serve_model.number_block(rows, keys)
    want = serve_model._number_block_py(rows, keys)
    if want is None:
        assert got is None
    else:
        assert got is not None and got.dtype == np.float64 and got.shape == want.shape
        assert got.tobytes() == want.tobytes()  # bit for bit (-0.0, rounded big integers)


def test_only_double_records_have_number_columns():
    assert ServedModel("s", "1", Engine.from_json(SCALAR)).number_keys is None
    floats = json.loads(json.dumps(NUMBERS))
    floats["input"]["fields"][0]["type"] = "float"
    assert ServedModel("f", "1", Engine.from_json(floats)).number_keys is None
    assert ServedModel("n", "1", Engine.from_json(NUMBERS)).number_keys == ("a", "b", "c")


@pytest.mark.parametrize("kind", ["dataframe_split", "dataframe_records", "instances",
                                  "inputs", "v2"])
def test_number_records_over_http(tmp_path: Path, kind):
    path = tmp_path / "num.json"
    path.write_text(json.dumps(NUMBERS))
    engine = Engine.from_json(NUMBERS)
    rows = [{"a": float(i) - 3.5, "b": i * 0.25, "c": (-1) ** i * i} for i in range(40)]
    want = [plain_json(engine.action(r)) for r in rows]
    body: dict[str, Any]
    if kind == "dataframe_split":
        body = {kind: {"columns": ["a", "b", "c"], "data": [list(r.values()) for r in rows]}}
    elif kind == "inputs":
        body = {kind: {k: [r[k] for r in rows] for k in "abc"}}
    elif kind == "v2":
        body = {"inputs": [{"name": k, "datatype": "FP64", "shape": [len(rows)],
                            "data": [r[k] for r in rows]} for k in "abc"]}
    else:
        body = {kind: rows}
    url = "/v2/models/num/infer" if kind == "v2" else "/invocations"
    with serve(path, ServeConfig(batch_rows=8)) as s, s.client() as c:
        for _ in range(3):  # the first runs in a worker thread, the next on the event loop
            r = c.post(url, json=body)
            assert r.status_code == 200, r.text
            if kind == "v2":
                outs = {t["name"]: t["data"] for t in r.json()["outputs"]}
                assert outs == {f: [x for w in want for x in w[f]] if f == "v" else
                                [w[f] for w in want] for f in want[0]}
            else:
                assert r.json() == {"predictions": want}
        bad = rows[:30] + [dict(rows[0], b=1e300)] + rows[30:]
        r = c.post("/invocations", json={"dataframe_records": bad})
        assert r.status_code == 400 and r.json()["message"].startswith("row 30:")
        assert "long overflow" in r.json()["message"]
        mon = c.get("/monitor/num").json()
        assert mon["inputs"]["a"]["count"] == 3 * len(rows)
        assert mon["outputs"]["v"] == {"count": 3 * len(rows), "null_rate": 0.0}  # only counted
        labels = [w["label"] for w in want] * 3
        assert mon["outputs"]["label"]["categories"] == {k: labels.count(k) for k in set(labels)}


# -- waiting for the engine on the event loop ----------------------------------------------------

def test_small_requests_wait_for_a_busy_engine(tmp_path: Path):
    path = tmp_path / "sc.json"
    path.write_text(json.dumps(SCALAR))
    with serve(path, ServeConfig(request_timeout_ms=300)) as s, s.client() as c:
        model = s.state.model(None)
        assert model.inline(1)
        with model.lock:  # as a worker thread running a large request would
            start = time.monotonic()
            r = c.post("/invocations", json={"instances": [1.0]})
            assert r.status_code == 503 and "time limit" in r.json()["message"]
            assert time.monotonic() - start >= 0.25
        release = threading.Timer(0.1, model.lock.release)
        model.lock.acquire()
        release.start()
        r = c.post("/invocations", json={"instances": [1.0, 2.0]})
        release.join()
        assert r.status_code == 200 and r.json() == {"predictions": [2.0, 4.0]}


@pytest.mark.parametrize("output,action", [
    ({"type": "record", "name": "Nothing", "fields": []},  # no column to count rows by
     {"new": {}, "type": "Nothing"}),
    ("double", {"+": ["input.a", 1]}),
    ("string", {"if": {">": ["input.a", 2]}, "then": {"string": "big"},
                "else": {"string": "small"}}),
    ({"type": "array", "items": "double"},
     {"new": ["input.a", "input.a"], "type": {"type": "array", "items": "double"}})])
def test_number_columns_with_other_outputs(output, action):
    doc = {"input": {"type": "record", "name": "In", "fields": [{"name": "a", "type": "double"}]},
           "output": output, "action": action}
    fast, plain, engine = _models(doc)
    rows = [{"a": float(i)} for i in range(5)]
    assert fast._number_columns(rows) is not None
    assert _answer(fast, rows) == _answer(plain, rows) == (
        "ok", [plain_json(engine.action(r)) for r in rows])


@pytest.mark.parametrize("fields", [0, 1, 2, 3, 4, 6])
def test_output_columns_become_the_same_rows_whatever_the_width(fields):
    from pfa.serve.model import _rows_of

    names = [f"f{k}" for k in range(fields)]
    columns = {n: (np.arange(5) * (k + 1) if k % 2 else _object_array([[k, j] for j in range(5)]))
               for k, n in enumerate(names)}
    want = [dict(zip(names, row)) for row in zip(*(columns[n].tolist() for n in names))] \
        if names else [{} for _ in range(5)]
    got = _rows_of(columns, 5)
    assert got == want
    assert all(list(r) == names for r in got)  # field order kept

