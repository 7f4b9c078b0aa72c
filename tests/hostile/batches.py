"""Malformed and unusual batches for ``action_batch``, with their row-by-row meaning.

A builder returns ``(data, rows)``: the batch, and the list of values that ``action`` gets
for the same rows (``None`` when the batch has no row-by-row meaning, so it must be refused
with a PFA error). The worker runs ``action`` on every row and requires ``action_batch`` to
give the same values, or to raise a PFA error (at the first failing row) when a row fails.
Builders run inside the worker (numpy, pandas and pyarrow objects do not cross the pipe);
:func:`cases` describes each as a JSON case.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

REC = {"input": {"type": "record", "name": "In", "fields": [
    {"name": "a", "type": "double"}, {"name": "b", "type": "double"}]},
    "output": "double", "action": {"+": ["input.a", "input.b"]}}
REC_OPT = {"input": {"type": "record", "name": "In", "fields": [
    {"name": "a", "type": ["null", "double"]}, {"name": "b", "type": "double"}]},
    "output": "double", "action": {"ifnotnull": {"a": "input.a"},
                                   "then": {"+": ["a", "input.b"]}, "else": "input.b"}}
REC_STR = {"input": {"type": "record", "name": "In", "fields": [
    {"name": "s", "type": "string"}, {"name": "b", "type": "double"}]},
    "output": "int", "action": {"s.len": "input.s"}}
DBL = {"input": "double", "output": "double", "action": {"*": ["input", 2]}}
INT = {"input": "int", "output": "int", "action": {"+": ["input", 1]}}
LONG = {"input": "long", "output": "long", "action": {"+": ["input", 1]}}
STR = {"input": "string", "output": "int", "action": {"s.len": "input"}}
ARR = {"input": {"type": "array", "items": "double"}, "output": "double",
       "action": {"a.sum": "input"}}
REC_INT = {"input": {"type": "record", "name": "In", "fields": [{"name": "i", "type": "int"}]},
           "output": "int", "action": "input.i"}
BOOL = {"input": "boolean", "output": "boolean", "action": {"!": "input"}}
ERRB = {"input": "double", "output": "double", "action": {
    "if": {">": ["input", 1]}, "then": {"error": "too big", "code": -7}, "else": "input"}}

Built = tuple[Any, list[Any] | None]


def _np() -> Any:
    import numpy as np

    return np


def _pd() -> Any:
    import pandas as pd

    return pd


def ragged_arrays() -> Built:
    np = _np()
    return {"a": np.array([1.0, 2.0, 3.0]), "b": np.array([10.0])}, None


def ragged_lists() -> Built:
    return {"a": [1.0, 2.0, 3.0], "b": [10.0]}, None


def ragged_empty() -> Built:
    np = _np()
    return {"a": np.array([]), "b": np.array([1.0, 2.0])}, None


def scalar_in_columns() -> Built:
    np = _np()
    return {"a": 1.0, "b": np.array([1.0, 2.0])}, None


def all_scalars() -> Built:
    return {"a": 1.0, "b": 2.0}, None


def masked_column() -> Built:
    """A masked entry is a missing value: like ``None`` given to ``action`` (NaN for a
    double that is not nullable, per the README's input contract)."""
    np = _np()
    return ({"a": np.ma.array([1.0, 2.0, 3.0], mask=[False, True, False]),
             "b": np.array([1.0, 1.0, 1.0])},
            [{"a": 1.0, "b": 1.0}, {"a": None, "b": 1.0}, {"a": 3.0, "b": 1.0}])


def masked_optional() -> Built:
    np = _np()
    data = {"a": np.ma.array([1.0, 2.0], mask=[False, True]), "b": np.array([5.0, 6.0])}
    return data, [{"a": 1.0, "b": 5.0}, {"a": None, "b": 6.0}]


def masked_numpy() -> Built:
    np = _np()
    return np.ma.array([1.0, 2.0, 3.0], mask=[False, True, False]), [1.0, None, 3.0]


def masked_int() -> Built:
    np = _np()
    return {"i": np.ma.array([1, 2], mask=[False, True])}, [{"i": 1}, {"i": None}]


def bool_array() -> Built:
    np = _np()
    return np.array([True, False]), [True, False]


def string_array() -> Built:
    np = _np()
    return np.array(["1.5", "2"]), ["1.5", "2"]


def bytes_array() -> Built:
    np = _np()
    return np.array([b"ab", b"c"]), [b"ab", b"c"]


def complex_array() -> Built:
    np = _np()
    return np.array([1 + 2j]), [1 + 2j]


def datetime_array() -> Built:
    np = _np()
    v = np.array(["2020-01-01"], dtype="datetime64[D]")
    return v, [v[0]]


def object_none() -> Built:
    np = _np()
    return np.array([1.0, None], dtype=object), [1.0, None]


def int_overflow() -> Built:
    np = _np()
    return np.array([1, 2**40], dtype=np.int64), [1, 2**40]


def uint_overflow() -> Built:
    np = _np()
    return np.array([1, 2**64 - 1], dtype=np.uint64), [1, 2**64 - 1]


def float_into_int() -> Built:
    np = _np()
    return np.array([1.0, 1.5]), [1.0, 1.5]


def nullable_int_na() -> Built:
    pd = _pd()
    return pd.Series([1, None], dtype="Int64"), [1, None]


def three_d() -> Built:
    np = _np()
    v = np.zeros((2, 2, 2))
    return v, v.tolist()


def two_d_rows() -> Built:
    np = _np()
    v = np.arange(6, dtype=float).reshape(2, 3)
    return v, v.tolist()


def ragged_object_rows() -> Built:
    np = _np()
    v = np.empty(2, dtype=object)
    v[0], v[1] = [1.0], [1.0, 2.0]
    return v, [[1.0], [1.0, 2.0]]


def nested_object_rows() -> Built:
    np = _np()
    v = np.empty(2, dtype=object)
    v[0], v[1] = [1.0], [[1.0], 2.0]
    return v, [[1.0], [[1.0], 2.0]]


def duplicate_columns() -> Built:
    pd = _pd()
    return pd.DataFrame([[1.0, 2.0, 3.0]], columns=["a", "b", "a"]), None


def sparse_column() -> Built:
    pd = _pd()
    frame = pd.DataFrame({"a": pd.arrays.SparseArray([1.0, 0.0, 2.0]), "b": [1.0, 2.0, 3.0]})
    return frame, [{"a": 1.0, "b": 1.0}, {"a": 0.0, "b": 2.0}, {"a": 2.0, "b": 3.0}]


def missing_column() -> Built:
    pd = _pd()
    return pd.DataFrame({"a": [1.0]}), [{"a": 1.0}]


def extra_column() -> Built:
    pd = _pd()
    return pd.DataFrame({"a": [1.0], "b": [2.0], "c": [3.0]}), [{"a": 1.0, "b": 2.0, "c": 3.0}]


def int_columns() -> Built:
    pd = _pd()
    return pd.DataFrame({"a": [1, 2], "b": [3, 4]}), [{"a": 1, "b": 3}, {"a": 2, "b": 4}]


def bool_columns() -> Built:
    pd = _pd()
    return pd.DataFrame({"a": [True], "b": [1.0]}), [{"a": True, "b": 1.0}]


def string_columns() -> Built:
    pd = _pd()
    return pd.DataFrame({"a": ["1"], "b": [1.0]}), [{"a": "1", "b": 1.0}]


def object_mixed_column() -> Built:
    pd = _pd()
    frame = pd.DataFrame({"a": pd.Series([1.0, "x"], dtype=object), "b": [1.0, 2.0]})
    return frame, [{"a": 1.0, "b": 1.0}, {"a": "x", "b": 2.0}]


def nan_in_string_column() -> Built:
    pd = _pd()
    frame = pd.DataFrame({"s": ["ab", float("nan")], "b": [1.0, 2.0]})
    return frame, [{"s": "ab", "b": 1.0}, {"s": float("nan"), "b": 2.0}]


def none_in_string_column() -> Built:
    pd = _pd()
    frame = pd.DataFrame({"s": pd.Series(["ab", None], dtype=object), "b": [1.0, 2.0]})
    return frame, [{"s": "ab", "b": 1.0}, {"s": None, "b": 2.0}]


def lone_surrogate_string() -> Built:
    return ["ok", "\ud800"], ["ok", "\ud800"]


def ragged_records() -> Built:
    rows = [{"a": 1.0, "b": 2.0}, {"a": 1.0}]
    return list(rows), rows


def non_dict_records() -> Built:
    rows = [{"a": 1.0, "b": 2.0}, [1.0, 2.0]]
    return list(rows), rows


def integer_column_names() -> Built:
    return {0: [1.0], 1: [2.0]}, None


def arrow_int_column() -> Built:
    import pyarrow as pa

    return pa.table({"a": [1, 2], "b": [1.0, 2.0]}), [{"a": 1, "b": 1.0}, {"a": 2, "b": 2.0}]


def arrow_null_in_required() -> Built:
    import pyarrow as pa

    return pa.table({"a": [1.0, None], "b": [1.0, 2.0]}), [{"a": 1.0, "b": 1.0},
                                                           {"a": None, "b": 2.0}]


def arrow_string_for_double() -> Built:
    import pyarrow as pa

    return pa.array(["1.0", "2"]), ["1.0", "2"]


def error_branch() -> Built:
    np = _np()
    return np.array([0.5, 2.0, 0.25]), [0.5, 2.0, 0.25]


def series_input() -> Built:
    pd = _pd()
    return pd.Series([1.0, 2.0], index=[10, 20]), [1.0, 2.0]


def empty_list() -> Built:
    return [], []


def big_int_values() -> Built:
    return [2**31, -(2**31) - 1, 10**30], [2**31, -(2**31) - 1, 10**30]


BUILDERS: dict[str, Callable[[], Built]] = {f.__name__: f for f in (
    ragged_arrays, ragged_lists, ragged_empty, scalar_in_columns, all_scalars, masked_column,
    masked_optional, masked_numpy, masked_int, bool_array, string_array, bytes_array, complex_array,
    datetime_array, object_none, int_overflow, uint_overflow, float_into_int,
    nullable_int_na, three_d, two_d_rows, ragged_object_rows, nested_object_rows,
    duplicate_columns, sparse_column, missing_column, extra_column, int_columns,
    bool_columns, string_columns, object_mixed_column, nan_in_string_column,
    none_in_string_column, lone_surrogate_string, ragged_records, non_dict_records,
    integer_column_names, arrow_int_column, arrow_null_in_required,
    arrow_string_for_double, error_branch, series_input, empty_list, big_int_values)}

# (builder, document) pairs; a builder may be used with several input types
PLAN: list[tuple[str, str, dict[str, Any]]] = [
    ("ragged_arrays", "rec", REC), ("ragged_lists", "rec", REC), ("ragged_empty", "rec", REC),
    ("scalar_in_columns", "rec", REC), ("all_scalars", "rec", REC),
    ("masked_column", "rec", REC), ("masked_optional", "rec_opt", REC_OPT),
    ("masked_numpy", "dbl", DBL), ("masked_int", "rec_int", REC_INT), ("bool_array", "dbl", DBL), ("bool_array", "int", INT),
    ("string_array", "dbl", DBL), ("string_array", "str", STR), ("bytes_array", "str", STR),
    ("complex_array", "dbl", DBL), ("datetime_array", "long", LONG),
    ("datetime_array", "dbl", DBL), ("object_none", "dbl", DBL),
    ("int_overflow", "int", INT), ("int_overflow", "dbl", DBL),
    ("uint_overflow", "long", LONG), ("float_into_int", "int", INT),
    ("nullable_int_na", "int", INT), ("three_d", "arr", ARR), ("two_d_rows", "arr", ARR),
    ("ragged_object_rows", "arr", ARR), ("nested_object_rows", "arr", ARR),
    ("duplicate_columns", "rec", REC), ("sparse_column", "rec", REC),
    ("missing_column", "rec", REC), ("extra_column", "rec", REC), ("int_columns", "rec", REC),
    ("bool_columns", "rec", REC), ("string_columns", "rec", REC),
    ("object_mixed_column", "rec", REC), ("nan_in_string_column", "rec_str", REC_STR),
    ("none_in_string_column", "rec_str", REC_STR), ("lone_surrogate_string", "str", STR),
    ("ragged_records", "rec", REC), ("non_dict_records", "rec", REC),
    ("integer_column_names", "rec", REC), ("arrow_int_column", "rec", REC),
    ("arrow_null_in_required", "rec", REC), ("arrow_string_for_double", "dbl", DBL),
    ("error_branch", "errb", ERRB), ("series_input", "dbl", DBL), ("empty_list", "dbl", DBL),
    ("big_int_values", "int", INT), ("big_int_values", "long", LONG),
    ("bool_array", "bool", BOOL), ("float_into_int", "bool", BOOL),
]


def cases() -> list[dict[str, Any]]:
    """One JSON case per planned (builder, document) pair."""
    return [{"id": f"batch-{name}-{doc_name}", "category": "batch", "doc": doc,
             "batch_builder": {"name": name}} for name, doc_name, doc in PLAN]
