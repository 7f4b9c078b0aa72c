"""Record outputs of a DataFrame batch: a field of number arrays is a column of Arrow lists
built from the block (no Python list per row), and reads back exactly as ``action``'s
values, failed rows included, whatever the chunking."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pfa import Engine
from pfa.engine.batch import concat

FIELDS = ["a", "b", "c"]


def document(items: str, fail_below: float | None) -> dict:
    """A record output {"label": int, "scores": array<items>} from three double inputs; with
    ``fail_below`` the rows whose ``a`` is below it raise."""
    scores = {"new": [{"cast.float": {"*": ["input.a", 2.0]}} if items == "float" else
                      {"*": ["input.a", 2.0]}, "input.b", {"+": ["input.b", "input.c"]}],
              "type": {"type": "array", "items": items}}
    if items == "float":
        scores["new"][1] = {"cast.float": "input.b"}
        scores["new"][2] = {"cast.float": {"+": ["input.b", "input.c"]}}
    action: list = [{"let": {"s": scores}}]
    if fail_below is not None:
        action.append({"if": {"<": ["input.a", fail_below]},
                       "then": {"error": "too small", "code": -7}})
    action.append({"new": {"label": {"a.argmax": ["s"]}, "scores": "s"},
                   "type": "Out"})
    return {"input": {"type": "record", "name": "In",
                      "fields": [{"name": f, "type": "double"} for f in FIELDS]},
            "output": {"type": "record", "name": "Out", "fields": [
                {"name": "label", "type": "int"},
                {"name": "scores", "type": {"type": "array", "items": items}}]},
            "action": action}


def same(x: object, y: object) -> bool:
    if isinstance(x, float) and isinstance(y, float):
        return (math.isnan(x) and math.isnan(y)) or x == y
    if isinstance(x, (list, tuple)) and isinstance(y, (list, tuple)):
        return len(x) == len(y) and all(same(a, b) for a, b in zip(x, y))
    if isinstance(x, dict) and isinstance(y, dict):
        return x.keys() == y.keys() and all(same(x[k], y[k]) for k in x)
    return x == y


numbers = st.floats(allow_nan=True, allow_infinity=True, width=64)


@settings(max_examples=60, deadline=None)
@given(items=st.sampled_from(["double", "float"]),
       rows=st.lists(st.tuples(numbers, numbers, numbers), min_size=0, max_size=40),
       fail_below=st.none() | st.floats(-10, 10),
       chunk=st.none() | st.integers(1, 17))
def test_array_fields_read_back_as_actions_values(items, rows, fail_below, chunk):
    engine = Engine.from_json(document(items, fail_below))
    frame = pd.DataFrame(rows, columns=FIELDS, dtype=np.float64)
    got = engine.action_batch(frame, chunk_size=chunk, on_error="null")
    out = got.values
    assert list(out.columns) == ["label", "scores"] and len(out) == len(rows)
    failed = {row for row, _, _ in got.errors}
    for j, r in enumerate(rows):
        record = dict(zip(FIELDS, r))
        try:
            want = engine.action(record)
        except Exception:  # noqa: BLE001 - the batch must have failed that row too
            assert j in failed
            assert out["scores"].iloc[j] is None or pd.isna(out["scores"].iloc[j])
            continue
        assert j not in failed
        assert same(list(out["scores"].iloc[j]), want["scores"])
        assert int(out["label"].iloc[j]) == want["label"]


def test_the_column_is_arrow_lists_of_the_item_type():
    engine = Engine.from_json(document("double", None))
    frame = pd.DataFrame({"a": [1.0, 2.0], "b": [0.5, -1.0], "c": [3.0, 4.0]})
    scores = engine.action_batch(frame)["scores"]
    assert isinstance(scores.dtype, pd.ArrowDtype)
    assert pa.types.is_list(scores.dtype.pyarrow_dtype)
    assert scores.tolist() == [[2.0, 0.5, 3.5], [4.0, -1.0, 3.0]]


def test_chunks_of_lists_and_of_objects_join_as_objects():
    lists = pd.arrays.ArrowExtensionArray(pa.array([[1.0], [2.0, 3.0]]))
    objects = np.array([[4.0], None], dtype=object)
    joined = concat([lists, objects], "dict")
    assert list(joined) == [[1.0], [2.0, 3.0], [4.0], None]
    assert list(concat([objects, lists], "dict")) == [[4.0], None, [1.0], [2.0, 3.0]]
    both = concat([lists, lists], "dict")
    assert isinstance(both, pd.arrays.ArrowExtensionArray) and len(both) == 4


@pytest.mark.parametrize("items", ["double", "float"])
def test_dict_input_keeps_lists_of_python_floats(items):
    engine = Engine.from_json(document(items, None))
    got = engine.action_batch({"a": np.array([1.0]), "b": np.array([2.0]), "c": np.array([3.0])})
    assert isinstance(got["scores"], np.ndarray) and got["scores"].dtype == object
    assert list(got["scores"][0]) == engine.action({"a": 1.0, "b": 2.0, "c": 3.0})["scores"]
