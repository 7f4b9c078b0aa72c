"""The input contract (README "Input contract", :mod:`pfa.engine.inputs`): whatever a
pandas / numpy / Arrow user holds means the same to ``Engine.action`` and
``Engine.action_batch``.

The property test draws tables of the column dtypes users have (float64, nullable Float64 /
Int64 / boolean with ``pd.NA``, bool, int64, the pandas 3 ``str`` dtype with missing values,
object columns with None, ``category``, lists) for records of the field types the sklearn
exporter emits, sometimes in the wrong field, and asserts that ``action_batch`` on the
DataFrame, on an Arrow table, on a dict of columns and on a list of rows gives, row for row,
what ``action`` gives on the rows the user would pass (``df.to_dict("records")``, Arrow's
``to_pylist()``, the numpy values of the columns): the same values, or an input error
naming a row that ``action`` refuses too. The regression tests below are the examples of
issues #9 and #10.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from pfa import Engine
from pfa.engine.inputs import coerce_input, is_missing
from pfa.errors import PfaInputError, PfaRuntimeError
from tests.engine.batch_helpers import assert_batch_equals_scalar, same

EXAMPLES = int(os.environ.get("PFA_FUZZ_EXAMPLES", "0")) or 150
CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "valid"

ARRAY_DOUBLE = {"type": "array", "items": "double"}
FIELD_TYPES: dict[str, Any] = {
    "double": "double", "ndouble": ["null", "double"], "string": "string",
    "nstring": ["null", "string"], "int": "int", "boolean": "boolean", "arr": ARRAY_DOUBLE,
    "float": "float", "nfloat": ["null", "float"], "farr": {"type": "array", "items": "float"},
}

# ---------------------------------------------------------------------------------------------
# generated tables
# ---------------------------------------------------------------------------------------------

floats = st.one_of(st.floats(allow_nan=True, allow_infinity=True, width=64),
                   st.sampled_from([0.0, -0.0, 1.5, float("nan")]))
small_ints = st.integers(-(2**31), 2**31 - 1)
words = st.sampled_from(["a", "b", "", "paris", "é"])


# column kind → (strategy of present values, its missing marker or None, pandas dtype)
COLUMN_KINDS: dict[str, tuple[st.SearchStrategy, Any, str | None]] = {
    "float64": (floats, np.nan, "float64"),
    "float32": (st.floats(width=32, allow_nan=True), np.nan, "float32"),
    "Float64": (st.floats(allow_nan=False), pd.NA, "Float64"),
    "int64": (small_ints, None, "int64"),
    "Int64": (small_ints, pd.NA, "Int64"),
    "bool": (st.booleans(), None, "bool"),
    "boolean": (st.booleans(), pd.NA, "boolean"),
    "str": (words, None, "str"),
    "object_str": (words, None, "object"),
    "category": (words, None, "category"),
    "lists": (st.lists(floats, min_size=2, max_size=2), None, "object"),
}
MATCHING = {
    "double": ["float64", "float32", "Float64", "int64", "Int64", "bool", "boolean"],
    "string": ["str", "object_str", "category"],
    "int": ["int64", "Int64"],
    "boolean": ["bool", "boolean"],
    "arr": ["lists"],
}
MATCHING["ndouble"] = MATCHING["float"] = MATCHING["nfloat"] = MATCHING["double"]
MATCHING["nstring"] = MATCHING["string"]
MATCHING["farr"] = MATCHING["arr"]


@st.composite
def tables(draw: Any) -> tuple[list[tuple[str, str]], pd.DataFrame]:
    """((field name, field type key), …) and a DataFrame of matching (sometimes not) columns."""
    n_fields = draw(st.integers(1, 4))
    n_rows = draw(st.integers(1, 6))
    fields, columns = [], {}
    for j in range(n_fields):
        ftype = draw(st.sampled_from(sorted(FIELD_TYPES)))
        pool = MATCHING[ftype] if draw(st.integers(0, 9)) else sorted(COLUMN_KINDS)
        ckind = draw(st.sampled_from(pool))
        values_st, marker, dtype = COLUMN_KINDS[ckind]
        if draw(st.booleans()):  # a column with missing values
            values_st = st.one_of(values_st, values_st, st.just(marker))
        values = draw(st.lists(values_st, min_size=n_rows, max_size=n_rows))
        name = f"f{j}"
        try:
            columns[name] = pd.Series(values, dtype=dtype)
        except (TypeError, ValueError, OverflowError):
            assume(False)
        fields.append((name, ftype))
    return fields, pd.DataFrame(columns)


def _schema(fields: list[tuple[str, str]]) -> dict[str, Any]:
    return {"type": "record", "name": "In",
            "fields": [{"name": n, "type": FIELD_TYPES[k]} for n, k in fields]}


def _number_of(name: str, key: str) -> dict[str, Any]:
    """A double computed from field ``name`` (vectorized kernels on each column kind)."""
    ref = {"attr": "input", "path": [{"string": name}]}
    return {
        "double": ref,
        "ndouble": {"impute.defaultOnNull": [ref, {"double": 0.5}]},
        "string": {"cast.double": {"s.len": ref}},
        "nstring": {"ifnotnull": {"v": ref}, "then": {"cast.double": {"s.len": "v"}},
                    "else": {"double": -1.0}},
        "int": {"cast.double": ref},
        "boolean": {"if": ref, "then": {"double": 1.0}, "else": {"double": 0.0}},
        "arr": {"a.sum": ref},
        "float": ref,
        "nfloat": {"impute.defaultOnNull": [ref, {"float": 0.5}]},
        "farr": {"a.sum": ref},
    }[key]


def _documents(fields: list[tuple[str, str]]) -> list[dict[str, Any]]:
    schema = _schema(fields)
    total: Any = {"double": 0.0}
    for name, key in fields:
        total = {"+": [total, _number_of(name, key)]}
    return [
        {"input": schema, "output": "string", "action": {"cast.json": "input"}},
        {"input": schema, "output": "double", "action": total},
    ]


def _action_outcome(engine: Engine, rows: list[Any]) -> tuple[list[Any], set[int]]:
    """(values, rows refused as input) of ``action`` on each row."""
    values: list[Any] = []
    refused: set[int] = set()
    for i, r in enumerate(rows):
        try:
            values.append(engine.action(r))
        except PfaInputError:
            refused.add(i)
            values.append(None)
    return values, refused


def _as_list(values: Any) -> list[Any]:
    if isinstance(values, pa.Array):
        return values.to_pylist()
    if isinstance(values, np.ndarray):
        return values.tolist()
    return list(values)


def _representations(frame: pd.DataFrame) -> list[tuple[str, Any, list[Any]]]:
    """(name, batch data, the rows a user would give ``action``) for one table."""
    out: list[tuple[str, Any, list[Any]]] = [
        ("dataframe", frame, frame.to_dict("records")),
        ("list of rows", frame.to_dict("records"), frame.to_dict("records")),
        ("dict of series", {c: frame[c] for c in frame.columns}, frame.to_dict("records")),
    ]
    arrays = {c: frame[c].to_numpy() for c in frame.columns}
    numpy_rows = [{c: arrays[c][i] for c in frame.columns} for i in range(len(frame))]
    out.append(("dict of arrays", arrays, numpy_rows))
    try:
        table = pa.Table.from_pandas(frame, preserve_index=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        table = None
    if table is not None:
        out.append(("arrow table", table, table.to_pylist()))
    return out


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(tables())
def test_batch_representations_agree_with_action(table: Any) -> None:
    fields, frame = table
    for doc in _documents(fields):
        scalar, batch = Engine.from_json(doc), Engine.from_json(doc)
        for name, data, rows in _representations(frame):
            expected, refused = _action_outcome(scalar, rows)
            try:
                got = batch.action_batch(data)
            except PfaInputError as err:
                assert refused, (name, str(err), rows)
                row = getattr(err, "row", None)
                assert row is None or row in refused, (name, str(err), refused)
                continue
            assert not refused, (name, "batch accepted rows action refuses", refused, rows)
            got_list = _as_list(got)
            assert len(got_list) == len(expected)
            for i, (g, e) in enumerate(zip(got_list, expected)):
                assert same(g, e), (name, i, g, e, rows[i])
        assert not batch._batch_plan().fallbacks


# ---------------------------------------------------------------------------------------------
# scalar values: one rule, two paths
# ---------------------------------------------------------------------------------------------

MISSING = [None, float("nan"), np.nan, np.float32("nan"), pd.NA, pd.NaT, np.datetime64("NaT"),
           np.ma.masked]


@pytest.mark.parametrize("marker", MISSING, ids=repr)
def test_missing_markers(marker: Any) -> None:
    assert is_missing(marker)
    nullable = Engine.from_json({"input": ["null", "string"], "output": "boolean",
                                 "action": {"==": ["input", None]}}).input_type
    assert coerce_input(nullable, marker) is None
    double = Engine.from_json({"input": "double", "output": "double",
                               "action": "input"}).input_type
    assert math.isnan(coerce_input(double, marker))
    for t in ("string", "int", "boolean"):
        e = Engine.from_json({"input": t, "output": t, "action": "input"})
        with pytest.raises(PfaInputError, match="admits neither null nor NaN"):
            e.action(marker)


def test_nan_in_a_nullable_double_stays_a_double() -> None:
    doc = {"input": ["null", "double"], "output": "string", "action": {"cast.json": "input"}}
    e = Engine.from_json(doc)
    assert e.action(float("nan")) == '{"double":"NaN"}'
    assert e.action(pd.NA) == "null"
    assert _as_list(e.action_batch(np.array([np.nan, 1.0]))) == ['{"double":"NaN"}',
                                                                  '{"double":1.0}']
    assert _as_list(e.action_batch(pd.Series([1.0, None], dtype="Float64"))) == [
        '{"double":1.0}', "null"]


@pytest.mark.parametrize("value,expected", [
    (np.float64(2.5), 2.5), (np.float32(0.5), 0.5), (np.int64(3), 3.0), (np.int8(-2), -2.0),
    (np.bool_(True), 1.0), (True, 1.0), (False, 0.0), (7, 7.0)])
def test_numbers_into_double(value: Any, expected: float) -> None:
    e = Engine.from_json({"input": "double", "output": "double", "action": "input"})
    assert same(e.action(value), expected)
    assert same(e.action_batch([value])[0], expected)
    assert same(e.action_batch(np.array([value]))[0], expected)


@pytest.mark.parametrize("t,value", [
    ("double", "1.5"), ("double", np.str_("2")), ("string", 1), ("string", 1.5),
    ("int", 1.0), ("int", True), ("boolean", 1), ("int", 2**31)])
def test_no_conversion_between_strings_numbers_booleans(t: str, value: Any) -> None:
    e = Engine.from_json({"input": t, "output": t, "action": "input"})
    with pytest.raises(PfaInputError):
        e.action(value)
    with pytest.raises(PfaInputError):
        e.action_batch([value])
    with pytest.raises(PfaInputError):
        e.action_batch(np.array([value]))


def test_numpy_scalars_as_python_values() -> None:
    doc = {"input": {"type": "record", "name": "R", "fields": [
        {"name": "s", "type": "string"}, {"name": "i", "type": "long"},
        {"name": "b", "type": "boolean"}, {"name": "a", "type": ARRAY_DOUBLE}]},
        "output": "string", "action": {"cast.json": "input"}}
    e = Engine.from_json(doc)
    row = {"s": np.str_("x"), "i": np.int64(2**40), "b": np.bool_(True),
           "a": np.array([1, 2], dtype=np.int32)}
    assert e.action(row) == '{"s":"x","i":1099511627776,"b":true,"a":[1.0,2.0]}'
    assert _as_list(e.action_batch([row])) == [e.action(row)]


# ---------------------------------------------------------------------------------------------
# original column names (metadata["input.columns"])
# ---------------------------------------------------------------------------------------------

def _renamed_doc() -> dict[str, Any]:
    # field "a_b" was the column "a b", field "price" the column "price ($)"; the field
    # "a" was the column "a_b" (a key that is both: the original-name mapping wins)
    return {"input": {"type": "record", "name": "In", "fields": [
        {"name": "a_b", "type": "double"}, {"name": "price", "type": "double"},
        {"name": "a", "type": "double"}]},
        "output": "double",
        "action": {"+": [{"*": ["input.a_b", 100]}, {"+": [{"*": ["input.price", 10]},
                                                          "input.a"]}]},
        "metadata": {"input.columns": json.dumps(["a b", "price ($)", "a_b"])}}


def test_original_column_names_in_both_paths() -> None:
    e = Engine.from_json(_renamed_doc())
    frame = pd.DataFrame({"a b": [1.0, 2.0], "price ($)": [3.0, 4.0], "a_b": [5.0, 6.0]})
    expected = [135.0, 246.0]
    assert [e.action(r) for r in frame.to_dict("records")] == expected
    assert e.action_batch(frame).tolist() == expected
    assert e.action_batch(pa.Table.from_pandas(frame)).to_pylist() == expected
    assert e.action_batch({c: frame[c].to_numpy() for c in frame}).tolist() == expected
    assert e.action_batch(frame.to_dict("records")) == expected
    # the field names work too, except a key that is another field's original name
    assert e.action({"a b": 1.0, "price": 3.0, "a": 5.0}) == 135.0
    assert e.action_batch(pd.DataFrame({"a b": [1.0], "price": [3.0], "a": [5.0]})
                          ).tolist() == [135.0]
    clash = {"a_b": 1.0, "price": 3.0, "a": 5.0}  # "a_b" is the column of field "a"
    with pytest.raises(PfaInputError, match="missing field 'a_b'"):
        e.action(clash)
    with pytest.raises(PfaInputError, match="missing column 'a_b'"):
        e.action_batch(pd.DataFrame([clash]))


# ---------------------------------------------------------------------------------------------
# issue #9 examples
# ---------------------------------------------------------------------------------------------

NULLABLE_RECORD = {"type": "record", "name": "In", "fields": [
    {"name": "city", "type": ["null", "string"]}, {"name": "age", "type": ["null", "double"]},
    {"name": "n", "type": ["null", "int"]}, {"name": "flag", "type": ["null", "boolean"]},
    {"name": "x", "type": "double"}]}


def test_pandas3_nullable_dtypes_same_in_both_paths() -> None:
    doc = {"input": NULLABLE_RECORD, "output": "string", "action": {"cast.json": "input"}}
    frame = pd.DataFrame({
        "city": pd.Series(["paris", None, "rome"], dtype="str"),  # missing → NaN
        "age": pd.array([1.5, None, 3.0], dtype="Float64"),
        "n": pd.array([1, None, 3], dtype="Int64"),
        "flag": pd.array([True, None, False], dtype="boolean"),
        "x": pd.array([True, False, None], dtype="boolean"),  # → 1.0, 0.0, NaN
    })
    e = Engine.from_json(doc)
    rows = [e.action(r) for r in frame.to_dict("records")]
    assert rows[1] == '{"city":null,"age":null,"n":null,"flag":null,"x":0.0}'
    assert json.loads(rows[2])["x"] == "NaN"
    assert _as_list(e.action_batch(frame)) == rows
    assert _as_list(e.action_batch(pa.Table.from_pandas(frame))) == rows


def test_category_and_object_columns() -> None:
    doc = {"input": {"type": "record", "name": "In", "fields": [
        {"name": "c", "type": ["null", "string"]}, {"name": "o", "type": ["null", "string"]}]},
        "output": "string", "action": {"cast.json": "input"}}
    frame = pd.DataFrame({"c": pd.Categorical(["a", None, "b"]),
                          "o": pd.Series(["x", None, np.nan], dtype=object)})
    e = Engine.from_json(doc)
    rows = [e.action(r) for r in frame.to_dict("records")]
    assert rows[1] == '{"c":null,"o":null}'
    assert _as_list(e.action_batch(frame)) == rows


def _one_hot_error_doc() -> tuple[dict[str, Any], pd.DataFrame]:
    from sklearn.compose import make_column_transformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder

    from pfa.exporters.sklearn import export

    train = pd.DataFrame({"c": ["a", "b", "c", "a"] * 5, "x": np.arange(20.0)})
    pipe = make_pipeline(make_column_transformer(
        (OneHotEncoder(handle_unknown="error"), ["c"]), remainder="passthrough"),
        LogisticRegression()).fit(train, np.arange(20) % 2)
    test = pd.DataFrame({"c": ["a", "zz", "b", "yy"], "x": [1.0, 2.0, 3.0, 4.0]})
    return export(pipe), test


def test_error_branch_taken_by_some_rows_one_hot_unknown() -> None:
    doc, test = _one_hot_error_doc()
    assert_batch_equals_scalar(doc, test.to_dict("records"))
    e = Engine.from_json(doc)
    with pytest.raises(PfaRuntimeError) as info:
        e.action_batch(test)
    assert info.value.row == 1  # type: ignore[attr-defined]
    res = e.action_batch(test, on_error="null")
    assert [r for r, _, _ in res.errors] == [1, 3]
    assert not e._batch_plan().fallbacks


# ---------------------------------------------------------------------------------------------
# issue #10 examples
# ---------------------------------------------------------------------------------------------

RECORD_AB = {"input": {"type": "record", "name": "In", "fields": [
    {"name": "a", "type": "double"}, {"name": "b", "type": "double"}]},
    "output": "double", "action": {"+": ["input.a", "input.b"]}}


@pytest.mark.parametrize("data,match", [
    ({"a": [1.0, 2.0, 3.0], "b": [10.0]}, "column 'b' has 1 rows, column 'a' has 3"),
    ({"a": [1.0, 2.0, 3.0], "b": 10.0}, "column 'b' holds one float"),
    ({"a": "abc", "b": [1.0, 2.0, 3.0]}, "column 'a' holds one str"),
    ({"a": np.array(["1", "2"]), "b": np.ones(2)}, r"\$\.a\[0\]: expected double"),
    ({"a": np.ones((2, 2)), "b": np.ones(2)}, "2-D column"),
    ({"b": np.ones(2)}, "missing column 'a'"),
    (pd.DataFrame([[1.0, 2.0, 3.0]], columns=["a", "b", "a"]), "column 'a' appears 2 times"),
    ({"a": [1.0, None], "b": [1.0, "x"]}, r"\$\.b\[1\]: expected double"),
])
def test_malformed_batches_are_refused(data: Any, match: str) -> None:
    e = Engine.from_json(RECORD_AB)
    for mode in ("raise", "null"):
        with pytest.raises(PfaInputError, match=match):
            e.action_batch(data, on_error=mode)


def test_input_error_names_the_row_of_the_whole_batch() -> None:
    e = Engine.from_json(RECORD_AB)
    with pytest.raises(PfaInputError) as info:
        e.action_batch({"a": [1.0] * 10 + ["x"], "b": [1.0] * 11}, chunk_size=4)
    assert info.value.row == 10  # type: ignore[attr-defined]
    assert info.value.path == "$.a[10]"


def test_masked_arrays_bool_arrays_sparse_extra_columns() -> None:
    e = Engine.from_json(RECORD_AB)
    masked = {"a": np.ma.MaskedArray([1.0, 2.0, 3.0], [0, 1, 0]), "b": np.ones(3)}
    got = e.action_batch(masked).tolist()
    assert got[0] == 2.0 and math.isnan(got[1]) and got[2] == 4.0
    assert math.isnan(e.action({"a": np.ma.masked, "b": 1.0}))
    assert e.action_batch({"a": np.array([True, False]), "b": np.ones(2)}).tolist() == \
        [e.action({"a": True, "b": 1.0}), e.action({"a": False, "b": 1.0})] == [2.0, 1.0]
    sparse = pd.DataFrame({"a": pd.arrays.SparseArray([0.0, 0.0, 1.0]), "b": [1.0, 2.0, 3.0],
                           "extra": ["x", "y", "z"]})
    assert e.action_batch(sparse).tolist() == [1.0, 2.0, 4.0]
    assert [e.action(r) for r in sparse.to_dict("records")] == [1.0, 2.0, 4.0]


def test_masked_value_refused_where_no_null_and_no_nan() -> None:
    e = Engine.from_json({"input": {"type": "record", "name": "In", "fields": [
        {"name": "i", "type": "int"}]}, "output": "int", "action": "input.i"})
    with pytest.raises(PfaInputError, match=r"\$\.i\[1\]") as info:
        e.action_batch({"i": np.ma.MaskedArray([1, 2], [0, 1])})
    assert info.value.row == 1  # type: ignore[attr-defined]


def test_array_input_dimensions() -> None:
    e = Engine.from_json({"input": ARRAY_DOUBLE, "output": "double",
                          "action": {"a.sum": "input"}})
    with pytest.raises(PfaInputError, match="3-D array"):
        e.action_batch(np.ones((2, 2, 2)))
    assert e.action_batch(np.ones((2, 3))).tolist() == [3.0, 3.0]
    with pytest.raises(PfaInputError, match="expected double"):
        e.action_batch(np.array([["1", "2"]]))
    masked = np.ma.MaskedArray(np.ones((2, 2)), [[0, 1], [0, 0]])
    got = e.action_batch(masked).tolist()
    assert math.isnan(got[0]) and got[1] == 2.0
    assert e.action_batch(pd.DataFrame({"x": [1.0, 2.0], "y": [True, False]})).tolist() == \
        [2.0, 2.0]


@pytest.mark.parametrize("name,rows", [
    ("error_plain", [3, 0, -3, 0]),  # cond with an error branch taken by some rows
    ("error_with_code", [1.0, -1.0, 2.0]),  # if with an error branch
    ("nested_attr_path", [[{"a": 1.0}, {"b": 2.5}], [], [{"a": 1.0}]]),  # empty array: 2000
    ("dotted_array_map_path", [[{"a": 4.0}], []]),
])
def test_corpus_documents_batch_like_action(name: str, rows: list[Any]) -> None:
    doc = json.loads((CORPUS / f"{name}.json").read_text())
    engine = assert_batch_equals_scalar(doc, rows)
    assert not engine._batch_plan().fallbacks


def test_error_branch_inside_arithmetic_and_records() -> None:
    doc = {"input": "int", "output": {"type": "record", "name": "Out", "fields": [
        {"name": "v", "type": "double"}, {"name": "w", "type": {"type": "array",
                                                               "items": "int"}}]},
        "action": {"new": {
            "v": {"+": [1.5, {"if": {">": ["input", 2]}, "then": {"error": "big"},
                              "else": "input"}]},
            "w": {"if": {"==": ["input", 1]}, "then": {"error": "one", "code": -3},
                  "else": {"new": ["input", "input"], "type": {"type": "array",
                                                                "items": "int"}}}},
            "type": "Out"}}
    engine = assert_batch_equals_scalar(doc, [0, 1, 2, 3, 4, 1])
    assert not engine._batch_plan().fallbacks


def test_host_randseed_option_wins() -> None:
    doc = {"input": "null", "output": "double", "action": {"rand.double": [0, 1]},
           "randseed": 1}
    a = Engine.from_json(doc, options={"randseed": 5}).action(None)
    b = Engine.from_json(doc, options={"randseed": 5}).action(None)
    c = Engine.from_json(doc).action(None)
    d = Engine.from_json({**doc, "randseed": 5}).action(None)
    assert a == b == d != c
    with pytest.raises(ValueError, match="randseed"):
        Engine.from_json(doc, options={"randseed": "x"})


def test_two_dimensional_array_for_a_record_input() -> None:
    """A model fitted on a numpy array: its 2-D array (columns = fields in order) and its
    rows are accepted; a wrong number of columns is refused."""
    e = Engine.from_json(RECORD_AB)
    x = np.array([[1.0, 2.0], [3.0, np.nan], [5.0, 6.0]])
    got = e.action_batch(x).tolist()
    assert [same(g, e.action(row)) for g, row in zip(got, x)] == [True] * 3
    assert got[0] == 3.0 and math.isnan(got[1])
    with pytest.raises(PfaInputError, match="2-D array of 1 columns for a record of 2 fields"):
        e.action_batch(x[:, :1])


def test_integer_column_labels_match_original_names() -> None:
    doc = {**RECORD_AB, "metadata": {"input.columns": json.dumps(["0", "1"])}}
    e = Engine.from_json(doc)
    frame = pd.DataFrame(np.array([[1.0, 2.0], [3.0, 4.0]]))  # labels 0 and 1
    assert e.action_batch(frame).tolist() == [e.action(r) for r in
                                              frame.to_dict("records")] == [3.0, 7.0]


def test_dataframe_row_as_a_series() -> None:
    e = Engine.from_json(RECORD_AB)
    frame = pd.DataFrame({"b": [2.0, 4.0], "a": [1.0, None], "c": ["x", "y"]})
    assert same(e.action(frame.iloc[0]), 3.0)
    assert same(e.action(frame.iloc[1]), e.action_batch(frame)[1])


def test_refusals_instead_of_python_errors() -> None:
    """An int too large for a double and a datum nested past the recursion limit are input
    errors in both paths (not OverflowError / RecursionError)."""
    e = Engine.from_json({"input": "double", "output": "double", "action": "input"})
    for data in ([10**400], np.array([10**400], dtype=object)):
        with pytest.raises(PfaInputError, match="too large for double"):
            e.action_batch(data)
    with pytest.raises(PfaInputError, match="too large for double"):
        e.action(10**400)
    linked = Engine.from_json({"input": {"type": "record", "name": "L", "fields": [
        {"name": "next", "type": ["null", "L"]}]}, "output": "int", "action": 1})
    deep: Any = None
    for _ in range(100_000):
        deep = {"next": deep}
    with pytest.raises(PfaInputError, match="nested too deeply"):
        linked.action(deep)
    with pytest.raises(PfaInputError, match="nested too deeply"):
        linked.action_batch([deep])


def test_issue9_pipeline_on_a_pandas3_frame_same_in_both_paths() -> None:
    """The pipeline of issue #9 on the user's own pandas 3 DataFrame (missing cities as NaN
    in the default ``str`` dtype): ``action`` on ``df.to_dict("records")`` and
    ``action_batch`` on the DataFrame and on an Arrow table agree row for row."""
    from sklearn.compose import make_column_transformer
    from sklearn.ensemble import GradientBoostingClassifier
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    from pfa.exporters.sklearn import export

    rng = np.random.default_rng(0)
    n = 300
    frame = pd.DataFrame({
        "age": rng.normal(40, 10, n), "income": rng.normal(3000, 500, n),
        "city": pd.Series(rng.choice(np.array(["paris", "berlin", "rome", None], dtype=object),
                                     n), dtype="str"),
        "plan": pd.Series(rng.choice(["a", "b"], n), dtype="str")})
    frame.loc[::7, "age"] = np.nan
    y = rng.integers(0, 2, n)
    pipe = make_pipeline(make_column_transformer(
        (make_pipeline(SimpleImputer(), StandardScaler()), ["age", "income"]),
        (OneHotEncoder(handle_unknown="ignore"), ["city", "plan"])),
        GradientBoostingClassifier(n_estimators=5)).fit(frame, y)
    engine = Engine.from_json(export(pipe, sample=frame))
    rows = [engine.action(r) for r in frame.to_dict("records")]
    batch = engine.action_batch(frame)
    arrow = engine.action_batch(pa.Table.from_pandas(frame))
    labels = [r["label"] for r in rows]
    assert batch["label"].tolist() == labels
    assert [p for p in batch["probabilities"]] == [r["probabilities"] for r in rows]
    assert [r["label"] for r in arrow.to_pylist()] == labels



def test_failed_rows_carry_values_later_kernels_can_use() -> None:
    """A row failing inside ``a.reduce`` (empty array, 15670) flows on with a stand-in record
    that the following ``attr`` and ``s.len`` kernels can compute with."""
    doc = {"input": {"type": "array", "items": {"type": "record", "name": "P", "fields": [
        {"name": "s", "type": "string"}]}}, "output": "int",
        "action": {"s.len": {"attr": {"a.reduce": ["input", {
            "params": [{"a": "P"}, {"b": "P"}], "ret": "P", "do": "a"}]},
            "path": [{"string": "s"}]}}}
    engine = assert_batch_equals_scalar(doc, [[{"s": "ab"}], [], [{"s": "x"}, {"s": "yy"}]])
    assert not engine._batch_plan().fallbacks


def test_float_inputs_round_to_float32_in_every_path() -> None:
    """A float input is rounded to float32 (out of range: ±inf) by ``action`` as by a
    float column of a batch, also inside unions and arrays (found by the serve work)."""
    top = Engine.from_json({"input": "float", "output": "double", "action": "input"})
    want = [float(np.float32(1.1)), math.inf]
    assert [top.action(1.1), top.action(1e300)] == want
    assert _as_list(top.action_batch([1.1, 1e300])) == want
    assert _as_list(top.action_batch(np.array([1.1, 1e300]))) == want
    schema = {"type": "record", "name": "R", "fields": [
        {"name": "x", "type": ["null", "float"]},
        {"name": "y", "type": {"type": "array", "items": "float"}}]}
    rec = Engine.from_json({"input": schema, "output": "string", "action": {"cast.json": "input"}})
    row = {"x": 1.1, "y": [2.2, -1e300]}
    expected = rec.action(row)
    assert json.loads(expected) == {"x": {"float": float(np.float32(1.1))},
                                    "y": [float(np.float32(2.2)), "-Infinity"]}
    assert _as_list(rec.action_batch([row])) == [expected]
    assert _as_list(rec.action_batch(pd.DataFrame([row]))) == [expected]
