"""Number-record bodies read straight into a block (``pfa.serve._records.parse_records``) give
exactly the doubles the JSON decoder and the general path give.

Bodies are generated in both of MLflow's record shapes, with any whitespace, member and key
order (keys written without escapes) and number spelling (integers beyond 2**53 and beyond double range, long mantissas,
large and tiny exponents, ``-0``), then mutated byte by byte: whatever the reader accepts must
read as the general path reads it, bit for bit, and every clean body must be accepted.
"""

from __future__ import annotations

import json
import os
import random
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pfa.engine.engine import Engine
from pfa.serve import model as serve_model
from pfa.serve.errors import ServeError
from pfa.serve.model import ServedModel
from pfa.serve.protocols import mlflow
from pfa.serve.strictjson import decode

pytestmark = pytest.mark.skipif(mlflow.parse_records is None,
                                reason="pfa.serve._records is not built "
                                       "(tests/test_extensions_built.py)")

EXAMPLES = 2 * int(os.environ.get("PFA_FUZZ_EXAMPLES", "0")) or 400
"""Bodies per property (``make fuzz`` runs 10,000)."""
KEYS = ("a", "b", "é c")
DOC = {"name": "n", "input": {"type": "record", "name": "In", "fields": [
    {"name": "a", "type": "double"}, {"name": "b", "type": "double"},
    {"name": "c", "type": "double"}]}, "output": "double",
    "action": {"+": ["input.a", "input.b"]},
    "metadata": {}}


def _model() -> ServedModel:
    doc = json.loads(json.dumps(DOC))
    engine = Engine.from_json(doc)
    model = ServedModel("n", "1", engine)
    # rows carry the third field under a key that needs UTF-8 (as an original column name)
    model.row_keys = list(KEYS)
    model.number_keys = KEYS
    return model


MODEL = _model()

number_text = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.integers(-(10**30), 10**30).map(str),
    st.builds("{}e{}".format, st.integers(0, 2**54), st.integers(-26, 26)),  # fast path's edge
    st.builds("{}.{}".format, st.integers(0, 10**8), st.text("0123456789", min_size=1,
                                                           max_size=20)),
    st.from_regex(r"-?(0|[1-9][0-9]{0,24})(\.[0-9]{1,24})?([eE][+-]?[0-9]{1,4})?",
                  fullmatch=True),
    st.sampled_from(["-0", "0", "-0.0", "0e0", "-0E-0", "1e400", "-1e400", "1e-400",
                     "-1e-400", "9007199254740993", "9007199254740992", "18446744073709551617",
                     "123456789012345678901234567890", "1" + "0" * 310, "1" + "0" * 500,
                     "0.1", "1e23", "8.41e21", "5e-324", "2.4703282292062328e-324", "1.7976931348623159e308",
                     "179769313486231580793728971405303415079934132710037826936173778980444"
                     "968292764750946649017977587207096330286416692887910946555547851940402"
                     "630657488671505820681908902000708383676273854845817711531764475730270"
                     "069855571366959622842914819860834936475292719074168444365510704342711"
                     "559699508093042880177904174497792"]))
space = st.text(alphabet=" \t\n\r", max_size=2)


@st.composite
def bodies(draw: Any) -> str:
    """A clean body of number records in one of MLflow's shapes."""
    n = draw(st.integers(1, 4))
    rows = [[draw(number_text) for _ in KEYS] for _ in range(n)]

    def w() -> str:
        return draw(space)

    def name(s: str) -> str:  # (a key spelled with escapes is left to the general path)
        return w() + json.dumps(s, ensure_ascii=False) + w()

    shape = draw(st.sampled_from(["dataframe_records", "instances", "inputs",
                                  "dataframe_split"]))
    if shape != "dataframe_split":
        objs = []
        for r in rows:
            order = draw(st.permutations(range(len(KEYS))))
            objs.append(w() + "{" + ",".join(f"{name(KEYS[j])}:{w()}{r[j]}{w()}"
                                            for j in order) + "}" + w())
        value = "[" + ",".join(objs) + "]"
    else:
        order = draw(st.permutations(range(len(KEYS))))
        members = {"columns": "[" + ",".join(name(KEYS[j]) for j in order) + "]",
                   "data": "[" + ",".join("[" + ",".join(w() + r[j] + w() for j in order) + "]"
                                          for r in rows) + "]"}
        if draw(st.booleans()):
            members["index"] = "[" + ",".join(str(i) for i in range(n)) + "]"
        keys = draw(st.permutations(list(members)))
        keys = [k for k in keys if k != "columns"]
        keys.insert(draw(st.integers(0, keys.index("data"))), "columns")  # columns first
        value = "{" + ",".join(f"{name(k)}:{w()}{members[k]}{w()}" for k in keys) + "}"
    return w() + "{" + name(shape) + ":" + w() + value + w() + "}" + w()


def _general(body: bytes) -> np.ndarray | None:
    """The block the general path reads from ``body`` (None: no block, or refused)."""
    try:
        rows = mlflow.json_rows(MODEL, decode(body))
    except ServeError:
        return None
    return serve_model.number_block(rows, KEYS)


def _fast(body: bytes) -> np.ndarray | None:
    rows = mlflow.number_rows(MODEL, body)
    return None if rows is None else rows.block


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and a.tobytes() == b.tobytes()


@settings(max_examples=EXAMPLES, deadline=None)
@given(body=bodies())
def test_clean_bodies_read_as_the_general_path_reads_them(body):
    raw = body.encode()
    want, got = _general(raw), _fast(raw)
    if want is None:  # an integer beyond double range: both refuse
        assert got is None
    else:
        assert got is not None, "a clean body was left to the general path"
        assert _same(got, want)


def _mutate(body: str, rng: random.Random) -> str:
    pos = rng.randrange(len(body) + 1)
    pick = rng.choice(['"', "\\", ",", ":", "{", "}", "[", "]", " ", "0", "-", ".", "e", "+",
                       "NaN", "Infinity", "true", "null", "\\u0061", "\ufeff", "\x0b",
                       "\u00a0", '"params": {}, ', '"x": 1, ', "1", "a"])
    how = rng.randrange(3)
    if how == 0:
        return body[:pos] + pick + body[pos:]
    if how == 1:
        return body[:pos] + body[pos + 1:]
    return body[:pos] + pick + body[pos + 1:]


@settings(max_examples=EXAMPLES, deadline=None)
@given(body=bodies(), seed=st.integers(0, 2**32 - 1), edits=st.integers(1, 3))
def test_mutated_bodies_are_read_right_or_left_to_the_general_path(body, seed, edits):
    rng = random.Random(seed)
    for _ in range(edits):
        body = _mutate(body, rng)
    raw = body.encode("utf-8", "surrogatepass")
    got = _fast(raw)
    if got is not None:
        want = _general(raw)
        assert want is not None and _same(got, want)


@pytest.mark.parametrize("raw", [
    b'{"dataframe_records": [{"a": 1, "b": 2, "\\u00e9 c": 3}]}',  # an escape: general path
    b'{"dataframe_records": [{"a": 1, "b": 2, "\xc3\xa9 c": 3}], "params": {}}',
    b'{"dataframe_records": [{"a": 1, "b": 2, "\xc3\xa9 c": 3, "a": 4}]}',
    b'{"dataframe_records": [{"a": 1, "a": 2, "\xc3\xa9 c": 3}]}',
    b'{"dataframe_records": [{"a": 1, "b": true, "\xc3\xa9 c": 3}]}',
    b'{"dataframe_records": [{"a": NaN, "b": 2, "\xc3\xa9 c": 3}]}',
    b'{"dataframe_records": [{"a": 01, "b": 2, "\xc3\xa9 c": 3}]}',
    b'{"dataframe_records": []}',
    b'{"dataframe_split": {"data": [[1, 2, 3]], "columns": ["a", "b", "\xc3\xa9 c"]}}',
    b'\xef\xbb\xbf{"dataframe_records": [{"a": 1, "b": 2, "\xc3\xa9 c": 3}]}',
    b'{"dataframe_records": [{"a": 1, "b": 2, "\xc3\xa9 c": 1' + b"0" * 400 + b'}]}',
])
def test_what_the_reader_leaves_to_the_general_path(raw):
    assert _fast(raw) is None


def test_rows_of_a_block_are_dicts_of_their_keys():
    rows = mlflow.number_rows(MODEL, b'{"inputs": [{"a": 1, "b": -0, "\xc3\xa9 c": 2.5}, '
                                     b'{"\xc3\xa9 c": 1e400, "b": -0.0, "a": 0.1}]}')
    assert rows is not None and len(rows) == 2
    assert list(rows) == [{"a": 1.0, "b": 0.0, "é c": 2.5},
                          {"a": 0.1, "b": -0.0, "é c": float("inf")}]
    assert rows[1:].block.tolist() == [[0.1, -0.0, float("inf")]]
