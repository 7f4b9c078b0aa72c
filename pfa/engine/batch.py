"""Batch scoring: ``Engine.action_batch`` and ``Engine.explain_batch``.

Input data (a pandas DataFrame, a pyarrow Table / RecordBatch / Array, a dict of numpy arrays
by column name, a numpy array or a list of engine values) becomes an input column
(:mod:`pfa.runtime.columns`); the vector plan (:mod:`pfa.engine.vector`) computes the output
column, which goes back in the kind of the input: a list for a list; for numpy input and
dicts of arrays a numpy array (scalar outputs) or a dict of arrays (record outputs); for a
DataFrame a numpy array (scalar outputs) or a DataFrame (record outputs, same index); for
Arrow input an Arrow array.

Input values follow the one input contract of :func:`pfa.engine.inputs.coerce_input` (README
"Input contract"): numeric columns are converted whole where that gives the same values,
anything else value by value through ``coerce_input`` itself. Shapes (missing or duplicated
columns, unequal lengths, scalars, dimensions) are checked for the whole batch before any row
runs; a refused value raises :class:`PfaInputError` naming the column and the row (``.row``).
"""

from __future__ import annotations

import gc
import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from pfa.avro.data import encode_json
from pfa.avro.types import AvroArray, AvroRecord, AvroType
from pfa.errors import PfaError, PfaInputError, PfaRuntimeError
from pfa.runtime.columns import (
    Arr,
    Col,
    Const,
    Opt,
    Rec,
    array_depth,
    f32_col,
    from_py,
    kind,
    materialize,
    non_null,
    to_py,
)

from .backends import ExplainEntry, Target, register_backend
from .inputs import arrow_pylist, arrow_text, coerce_input, input_checker, is_missing
from .vector import Plan, build_plan


@dataclass
class BatchResult:
    """What ``action_batch(..., on_error="null")`` returns: the ``values`` (null where a row
    failed) and ``errors``, one ``(row, code, message)`` per failed row in row order."""

    values: Any
    errors: list[tuple[int, int | None, str]] = field(default_factory=list)


# =============================================================================================
# input
# =============================================================================================

def _data_kind(data: Any) -> str:
    mod = type(data).__module__
    if isinstance(data, list):
        return "list"
    if isinstance(data, dict):
        return "dict"
    if isinstance(data, np.ndarray):
        return "numpy"
    if mod.startswith("pandas") and hasattr(data, "iloc"):
        return "dataframe" if hasattr(data, "columns") else "series"
    if mod.startswith("pyarrow"):
        if hasattr(data, "num_rows"):
            return "arrow_table"
        if hasattr(data, "to_pylist"):
            return "arrow_array"
    raise PfaInputError(f"action_batch does not take {type(data).__name__} data (give a pandas "
                        "DataFrame, a pyarrow Table, a dict of columns, a numpy array or a "
                        "list of records)")


def _length(data: Any, dk: str) -> int:
    if dk == "dict":
        return _check_dict(data, list(data))
    if dk == "arrow_table":
        return data.num_rows
    return len(data)


def _slice(data: Any, dk: str, a: int, b: int) -> Any:
    if dk == "dict":
        return {k: _slice_column(v, a, b) for k, v in data.items()}
    if dk in ("dataframe", "series"):
        return data.iloc[a:b]
    if dk in ("arrow_table", "arrow_array"):
        return data.slice(a, b - a)
    return data[a:b]


def _slice_column(v: Any, a: int, b: int) -> Any:
    if isinstance(v, dict):
        return {k: _slice_column(x, a, b) for k, x in v.items()}
    if type(v).__module__.startswith("pandas"):
        return v.iloc[a:b]
    if type(v).__module__.startswith("pyarrow"):
        return v.slice(a, b - a)
    return v[a:b]


# ---------------------------------------------------------------------------------------------
# shape checks (whole batch, before any row runs)
# ---------------------------------------------------------------------------------------------

def _column_length(v: Any, name: str) -> int:
    """The number of rows of one column of a dict of columns (PfaInputError if it is not a
    column: a scalar, a string, a 0-d array)."""
    if type(v) is np.ndarray and v.ndim >= 1:  # the common case first
        return len(v)
    if isinstance(v, dict):
        lengths = {_column_length(x, f"{name}.{k}") for k, x in v.items()}
        if len(lengths) > 1:
            raise PfaInputError(f"the columns of {name!r} have different lengths "
                                f"{sorted(lengths)}", f"$.{name}")
        return lengths.pop() if lengths else 0
    mod = type(v).__module__
    if isinstance(v, (list, tuple)) or (isinstance(v, np.ndarray) and v.ndim >= 1) or \
            (mod.startswith("pandas") and hasattr(v, "iloc") and not hasattr(v, "columns")) or \
            (mod.startswith("pyarrow") and hasattr(v, "to_pylist")):
        return len(v)
    raise PfaInputError(f"column {name!r} holds one {type(v).__name__}, not a sequence of values "
                        "(a dict of columns holds one list or array per column)", f"$.{name}")


def _record_keys(data: Any, dk: str, t: AvroRecord, aliases: dict[str, str] | None
                 ) -> dict[str, Any]:
    """Field name → the key of its column in ``data`` (a DataFrame, dict of columns or Arrow
    table): its original column name (``aliases``) if present, else the field name; extra
    columns are ignored. PfaInputError for a missing or duplicated column."""
    if dk == "dataframe":
        names = data.columns.tolist()
    elif dk == "arrow_table":
        names = list(data.schema.names)
    else:
        names = list(data.keys())
    # a column is found under its name or, for labels that are not strings (the integer
    # labels of a DataFrame made from a numpy array), under str(label)
    present: dict[str, Any] = {str(n): n for n in names if not isinstance(n, str)}
    present.update((n, n) for n in names if isinstance(n, str))
    originals = {f: o for o, f in (aliases or {}).items()}
    repeated = set()  # labels of several columns (a dict's keys are unique)
    if dk != "dict" and len(set(names)) < len(names):
        seen: set[Any] = set()
        repeated = {n for n in names if n in seen or seen.add(n)}
    out: dict[str, Any] = {}
    for f in t.fields:
        key = originals.get(f.name)
        if key is None or key not in present:
            key = f.name
            if key not in present or (aliases and aliases.get(key, key) != key):
                also = f" (original column {originals[f.name]!r})" if f.name in originals \
                    else ""
                raise PfaInputError(f"missing column {f.name!r}{also}", f"$.{f.name}")
        label = present[key]
        if repeated and label in repeated:
            raise PfaInputError(f"column {key!r} appears {names.count(label)} times",
                                f"$.{f.name}")
        out[f.name] = label
    return out


def _dict_keys(engine: Any, data: dict, t: AvroRecord, aliases: dict[str, str] | None
               ) -> dict[str, Any]:
    """:func:`_record_keys` of a dict of columns, remembered by the engine for the last
    few sets of keys (a server sends the same keys request after request)."""
    seen = engine.__dict__.setdefault("_dict_keys_seen", {})
    names = tuple(data)
    keys = seen.get(names)
    if keys is None:
        keys = _record_keys(data, "dict", t, aliases)
        if len(seen) >= 8:
            seen.clear()
        seen[names] = keys
    return keys


def _matrix_columns(data: np.ndarray, t: AvroRecord) -> dict[str, Any]:
    """The columns of a 2-D array given for a record input: column ``j`` is field ``j``."""
    if data.shape[1] != len(t.fields):
        raise PfaInputError(f"a 2-D array of {data.shape[1]} columns for a record of "
                            f"{len(t.fields)} fields ({', '.join(f.name for f in t.fields)})")
    return {f.name: data[:, j] for j, f in enumerate(t.fields)}


def _check_dict(data: dict, keys: list[Any]) -> int:
    """The common length of the columns ``keys`` of a dict of columns (PfaInputError if a
    column is not a sequence or the lengths differ)."""
    n = None
    first = None
    for k in keys:
        m = _column_length(data[k], str(k))
        if n is None:
            n, first = m, k
        elif m != n:
            raise PfaInputError(f"column {k!r} has {m} rows, column {first!r} has {n}",
                                f"$.{k}")
    return n or 0


# ---------------------------------------------------------------------------------------------
# columns
# ---------------------------------------------------------------------------------------------

def _raw(values: Any, path: str) -> tuple[np.ndarray, np.ndarray | None]:
    """(numpy values, missing mask or None) of a column of any supported kind."""
    mod = type(values).__module__
    if mod.startswith("pyarrow"):
        import pyarrow as pa

        if isinstance(values, pa.ChunkedArray):
            values = values.combine_chunks()
        null = values.is_null().to_numpy(zero_copy_only=False) if values.null_count else None
        if pa.types.is_floating(values.type) or pa.types.is_integer(values.type) or \
                pa.types.is_boolean(values.type):
            if values.null_count:
                filled = values.fill_null(False if pa.types.is_boolean(values.type) else 0)
                return filled.to_numpy(zero_copy_only=False), null
            return values.to_numpy(zero_copy_only=False), None
        text = arrow_text(values)
        if text is not None:
            return text, null
        return _obj(arrow_pylist(values, path)), null
    if mod.startswith("pandas"):
        import pandas as pd

        if hasattr(values, "columns"):
            raise PfaInputError("a column holds a DataFrame (duplicate column names?)", path)
        if isinstance(values.dtype, pd.SparseDtype):  # densified: same values
            values = values.sparse.to_dense()
        if isinstance(values.dtype, pd.api.extensions.ExtensionDtype) and \
                values.dtype.kind in "iufb":
            null = values.isna().to_numpy()
            filler = False if values.dtype.kind == "b" else 0
            return values.to_numpy(dtype=values.dtype.numpy_dtype, na_value=filler), null
        values = values.to_numpy()
    if isinstance(values, np.ma.MaskedArray):
        mask = np.ma.getmaskarray(values)
        return np.asarray(values.data), (mask if mask.any() else None)
    if isinstance(values, (list, tuple)):
        return _obj(list(values)), None
    return np.asarray(values), None


def _obj(values: list) -> np.ndarray:
    """A 1-D object array holding ``values`` as they are (lists stay lists)."""
    return np.fromiter(values, dtype=object, count=len(values))


def _bad(path: str, what: str, row: int | None = None) -> PfaInputError:
    err = PfaInputError(what, path)
    err.row = row  # type: ignore[attr-defined]
    return err


def column_of(values: Any, t: AvroType, path: str, row0: int = 0) -> Col:
    """The input column of type ``t`` for one column of data (rows ``row0`` … of the batch),
    under the input contract of :func:`pfa.engine.inputs.coerce_input`: numeric columns are
    converted whole where the result is the same, everything else value by value."""
    k = kind(t)
    if k == "rec" and (type(values).__module__.startswith("pyarrow")
                       and hasattr(values, "field")):
        assert isinstance(t, AvroRecord)
        return Rec({f.name: column_of(values.field(f.name), f.type, f"{path}.{f.name}", row0)
                    for f in t.fields})
    raw, null = _raw(values, path)
    if raw.ndim == 0:
        raise _bad(path, f"a column must be a sequence of values, found {type(values).__name__}")
    if k == "arr" and raw.dtype != object and raw.ndim >= 2:
        return _array_block(raw, null, t, path, row0)
    if raw.ndim != 1 and raw.dtype != object:
        raise _bad(path, f"a {raw.ndim}-D column for a field of type {t}")
    if k in ("float", "int", "bool", "opt") and raw.dtype.kind in "biuf":
        col = _numeric_column(raw, null, t, path, row0)
        if col is not None:
            return col
    strings = _string_column(raw, null, t)
    if strings is not None:
        return strings
    items = raw.tolist() if raw.dtype != object else list(raw)
    if null is not None:
        items = [None if m else v for v, m in zip(items, null.tolist())]
    return column_of_rows(items, t, path, row0=row0)


def _numeric_column(raw: np.ndarray, null: np.ndarray | None, t: AvroType, path: str,
                    row0: int) -> Col | None:
    """A numeric column converted whole, where that gives what the value-by-value contract
    gives (None: convert value by value)."""
    nullable = kind(t) == "opt"
    inner = non_null(t) if nullable else t
    assert inner is not None
    ik, dk = kind(inner), raw.dtype.kind
    miss = null if null is not None and null.any() else None
    if ik == "float":
        # ints and booleans promote; NaN stays a double; a missing value is null where the
        # type admits null, else NaN. A float64 column without missing values is used as it
        # is (read-only: the caller's data), not copied.
        vals = raw.astype(np.float64, copy=miss is not None)
        if vals is raw:
            vals = _read_only(raw)
        if inner.name == "float":
            vals = f32_col(vals)
        if nullable:
            if miss is None:
                return Opt(vals, np.zeros(len(vals), dtype=bool))
            vals[miss] = 0.0
            return Opt(vals, miss.copy())
        if miss is not None:
            vals[miss] = np.nan
        return vals
    if ik == "int" and dk in "iu":
        big = _out_of_range(raw, inner.name)
        if miss is not None:
            big &= ~miss
        if big.any():
            j = int(np.flatnonzero(big)[0])
            raise _bad(f"{path}[{row0 + j}]", f"{raw[j]} is out of range for {inner.name}",
                       row0 + j)
        vals = raw.astype(np.int64)
    elif ik == "bool" and dk == "b":
        vals = raw.astype(bool)
    else:
        return None
    if nullable:
        if miss is None:
            return Opt(vals, np.zeros(len(vals), dtype=bool))
        return Opt(np.where(miss, vals.dtype.type(0), vals), miss.copy())
    if miss is not None:
        j = int(np.flatnonzero(miss)[0])
        raise _bad(f"{path}[{row0 + j}]", f"missing value in a field of type {inner} that "
                   "admits neither null nor NaN", row0 + j)
    return vals


def _read_only(a: np.ndarray) -> np.ndarray:
    """A read-only view of the caller's array (used as it is, never written)."""
    view = a.view()
    view.flags.writeable = False
    return view


def _out_of_range(raw: np.ndarray, name: str) -> np.ndarray:
    """Mask of the integers of ``raw`` outside the range of Avro type ``name`` (int/long)."""
    lo, hi = (-(2**31), 2**31 - 1) if name == "int" else (-(2**63), 2**63 - 1)
    if raw.dtype.kind == "u":
        return raw > hi
    return (raw < lo) | (raw > hi)


def _string_column(raw: np.ndarray, null: np.ndarray | None, t: AvroType) -> Col | None:
    """The column of a ``string`` / ``[null, string]`` field when every value is a ``str``
    (or, nullable, a missing marker): the object array itself, None standing for null; None
    (take the general path) otherwise."""
    inner = non_null(t)
    if (inner if inner is not None else t).name != "string" or raw.dtype != object or \
            raw.ndim != 1:
        return None
    types = set(map(type, raw.tolist()))
    if types == {str} and null is None:
        return raw
    if inner is None or not types <= {str, type(None), float} | _missing_types():
        return None
    items = raw.tolist()
    if null is not None:
        items = [None if m else v for v, m in zip(items, null.tolist())]
    out = [v if type(v) is str else (None if is_missing(v) else _NOT_NULL) for v in items]
    if any(v is _NOT_NULL for v in out):
        return None
    return _obj(out)


_NOT_NULL = object()


def _missing_types() -> set[type]:
    import pandas as pd

    return {type(pd.NA), type(pd.NaT)}


def _array_block(raw: np.ndarray, null: np.ndarray | None, t: AvroType, path: str,
                 row0: int) -> Col:
    """The column of an array type from a numeric block (rows × items …)."""
    depth = array_depth(t)
    if raw.ndim != depth + 1:
        raise _bad(path, f"a {raw.ndim}-D array for input of type {t} (expected "
                   f"{depth + 1}-D: rows × items)")
    item = t
    while isinstance(item, AvroArray):
        item = item.items
    dk = raw.dtype.kind
    if null is None and dk in "biuf":
        if item.name in ("float", "double"):
            data = raw.astype(np.float64)
            return Arr(f32_col(data) if item.name == "float" else data)
        if item.name in ("int", "long") and dk in "iu" and \
                not _out_of_range(raw, item.name).any():
            return Arr(raw.astype(np.int64))
    rows = raw.tolist()
    if null is not None:
        rows = _masked_rows(rows, null.tolist())
    return column_of_rows(rows, t, path, row0=row0)


def _masked_rows(rows: list, mask: list) -> list:
    """Nested lists with None where ``mask`` (same nesting) is true."""
    if isinstance(rows, list):
        return [_masked_rows(r, m) for r, m in zip(rows, mask)]
    return None if mask else rows


def column_of_rows(rows: list[Any], t: AvroType, path: str, aliases: dict[str, str] | None
                   = None, row0: int = 0) -> Col:
    """The column of a list of data values, each converted like ``action`` input
    (:func:`pfa.engine.inputs.coerce_input`); the path of an error names the row
    (``$[row]…`` for a list of rows, ``$.column[row]`` for a column)."""
    check = input_checker(t)
    out = list(rows)
    for i, v in enumerate(out):
        try:
            canonical = check(v)
        except RecursionError:
            canonical = False
        if not canonical:
            j = row0 + i
            where = f"{path}[{j}]"
            try:
                out[i] = coerce_input(t, v, where, aliases)
            except PfaInputError as err:
                raise _bad(err.path, err.message, j) from None
    return from_py(out, t)


def _direct_fields(t: AvroRecord) -> list[tuple[str, AvroType, str]]:
    """(name, type, how) per field of a record input; ``how`` is "double" or "nullable"
    (a double or [null, double] field, whose float64 numpy columns are used as they are)
    or "" (converted by :func:`column_of`)."""
    out = []
    for f in t.fields:
        inner = non_null(f.type)
        how = "double" if f.type.name == "double" else (
            "nullable" if inner is not None and inner.name == "double" else "")
        out.append((f.name, f.type, how))
    return out


def record_column(chunk: dict[str, Any], fields: list[tuple[str, AvroType, str]],
                  row0: int) -> Rec:
    """The record column of a chunk of a dict of columns by field name whose shape was
    checked for the whole batch; the same columns as :func:`input_column`'s, without its
    per-chunk checks, and plain float64 arrays for double fields without conversion."""
    cols: dict[str, Col] = {}
    for name, t, how in fields:
        v = chunk[name]
        if how and type(v) is np.ndarray and v.dtype == np.float64 and v.ndim == 1:
            vals = _read_only(v)
            cols[name] = vals if how == "double" else Opt(vals, np.zeros(len(v), dtype=bool))
        elif isinstance(v, dict):
            cols[name] = input_column(v, "dict", t, None, row0)[0]
        else:
            cols[name] = column_of(v, t, f"$.{name}", row0)
    return Rec(cols)


def input_column(data: Any, dk: str, t: AvroType, aliases: dict[str, str] | None = None,
                 row0: int = 0) -> tuple[Col, int]:
    """(input column, number of rows) of one chunk of data (rows ``row0`` … of the batch)."""
    if dk == "list":
        return column_of_rows(data, t, "$", aliases, row0), len(data)
    if isinstance(t, AvroRecord):
        if dk in ("dataframe", "dict", "arrow_table"):
            keys = _record_keys(data, dk, t, aliases)
            n = _check_dict(data, list(keys.values())) if dk == "dict" else _length(data, dk)
            fields = {}
            for f in t.fields:
                key = keys[f.name]
                col = data[key] if dk != "arrow_table" else data.column(key)
                if dk == "dict" and isinstance(col, dict):
                    fields[f.name] = input_column(col, "dict", f.type, None, row0)[0]
                else:
                    fields[f.name] = column_of(col, f.type, f"$.{f.name}", row0)
            return Rec(fields), n
        n = _length(data, dk)
        return column_of(data, t, "$", row0), n
    if dk == "dict":
        _check_dict(data, list(data))
    n = _length(data, dk)
    if kind(t) == "arr" and dk in ("dataframe", "arrow_table", "dict"):
        if dk == "dataframe":
            cols = [data.iloc[:, j] for j in range(data.shape[1])]
        elif dk == "arrow_table":
            cols = list(data.columns)
        else:
            cols = list(data.values())
        raws = [_raw(c, "$") for c in cols]
        if any(r.ndim != 1 for r, _ in raws):
            raise _bad("$", f"the columns of an input of type {t} must be 1-D")
        if not raws:
            return _array_block(np.zeros((n, 0)), None, t, "$", row0), n
        block = np.column_stack([r for r, _ in raws])
        nulls = [m for _, m in raws]
        null = None if all(m is None for m in nulls) else np.column_stack(
            [np.zeros(n, dtype=bool) if m is None else m for m in nulls])
        if block.dtype == object:
            rows = block.tolist()
            if null is not None:
                rows = _masked_rows(rows, null.tolist())
            return column_of_rows(rows, t, "$", row0=row0), n
        return _array_block(block, null, t, "$", row0), n
    if dk in ("dataframe", "arrow_table", "dict"):
        cols = list(data.values()) if dk == "dict" else (
            [data.iloc[:, j] for j in range(data.shape[1])] if dk == "dataframe"
            else list(data.columns))
        if len(cols) != 1:
            raise PfaInputError(f"the input type is {t}: give one column, not {len(cols)}")
        return column_of(cols[0], t, "$", row0), n
    if dk == "numpy" and kind(t) == "arr":
        raw, null = _raw(data, "$")
        if raw.dtype == object or raw.ndim < 2:
            return column_of(data, t, "$", row0), n
        return _array_block(raw, null, t, "$", row0), n
    return column_of(data, t, "$", row0), n


# =============================================================================================
# output
# =============================================================================================

def output_values(col: Col, t: AvroType, n: int, failed: list[int], dk: str,
                  index: Any = None, arrow_lists: bool = False) -> Any:
    """The output column in the form matching the input kind ``dk`` (None where failed);
    ``arrow_lists``: record fields of number arrays as Arrow list columns (for a DataFrame)."""
    k = kind(t)
    if dk in ("numpy", "dict", "dataframe", "series") and k in ("float", "int", "bool"):
        vals = np.asarray(col.value if hasattr(col, "value") else col)
        vals = np.broadcast_to(vals, (n,)).copy() if vals.ndim == 0 else vals
        if failed:
            mask = np.zeros(n, dtype=bool)
            mask[failed] = True
            return np.ma.MaskedArray(vals, mask)
        return vals
    if dk in ("dict", "dataframe") and k == "rec" and isinstance(t, AvroRecord):
        cols = _record_columns(col, t, n, failed, arrow_lists)
        if dk == "dict":
            return cols
        import pandas as pd

        return pd.DataFrame(cols, index=index, copy=False)
    py = to_py(col, t, n)
    for j in failed:
        py[j] = None
    if dk == "list":
        return py
    if dk.startswith("arrow"):
        import pyarrow as pa

        from pfa.avro.arrow import arrow_type

        at = arrow_type(t)
        if at is None:  # several non-null branches or a recursive record: Avro's JSON text
            return pa.array([None if v is None else json.dumps(encode_json(t, v))
                             for v in py], pa.string())
        return pa.array(py, at)
    return _obj(py)


def _record_columns(col: Col, t: AvroRecord, n: int, failed: list[int],
                    arrow_lists: bool = False) -> dict[str, Any]:
    """Field name → output column (numbers as numpy arrays when no row failed, else object
    arrays with None for the failed rows), converted field by field. With ``arrow_lists``,
    a field of equal-length arrays of doubles or floats is a pandas column of Arrow lists
    (built from the block, no Python list per row; an element reads as a list)."""
    if isinstance(col, Const):
        value = col.value
        fields = {f.name: Const(value[f.name]) for f in t.fields}
    elif isinstance(col, Rec):
        fields = col.fields
    else:
        py = to_py(col, t, n)
        fields = {f.name: _obj([None if r is None else r[f.name] for r in py])
                  for f in t.fields}
    cols = {}
    for f in t.fields:
        fc = fields[f.name]
        if kind(f.type) in ("float", "int", "bool") and not failed:
            fc = materialize(fc, f.type, n)
            if isinstance(fc, np.ndarray) and fc.dtype != object:
                cols[f.name] = fc
            else:
                cols[f.name] = np.asarray(to_py(fc, f.type, n))
            continue
        if arrow_lists:
            lists = _arrow_lists(fc, f.type, n, failed)
            if lists is not None:
                cols[f.name] = lists
                continue
        vals = to_py(fc, f.type, n)
        for j in failed:
            vals[j] = None
        cols[f.name] = _obj(vals)
    return cols


def _arrow_lists(col: Col, t: AvroType, n: int, failed: list[int]) -> Any:
    """A pandas column of Arrow lists from an :class:`Arr` block of doubles or floats (None
    where ``failed``), or None for any other column (or without pyarrow)."""
    if not (isinstance(col, Arr) and isinstance(t, AvroArray) and t.items.name in
            ("double", "float") and col.data.ndim == 2 and col.data.dtype.kind == "f"
            and len(col.data) == n and col.data.size < 2**31):
        return None
    try:
        import pandas as pd
        import pyarrow as pa
    except ImportError:
        return None
    from pfa.avro.arrow import arrow_type

    width = col.data.shape[1]
    item = np.float64 if t.items.name == "double" else np.float32
    values = pa.array(np.ascontiguousarray(col.data, dtype=item).reshape(-1))
    offsets = pa.array(np.arange(0, (n + 1) * width, width, dtype=np.int32))
    mask = None
    if failed:
        mask = np.zeros(n, dtype=bool)
        mask[failed] = True
        mask = pa.array(mask)
    lists = pa.ListArray.from_arrays(offsets, values, type=arrow_type(t), mask=mask)
    return pd.arrays.ArrowExtensionArray(lists)


def concat(parts: list[Any], dk: str) -> Any:
    """Join the outputs of the chunks."""
    if len(parts) == 1:
        return parts[0]
    first = parts[0]
    if isinstance(first, list):
        return [v for p in parts for v in p]
    if isinstance(first, dict):
        return {k: concat([p[k] for p in parts], dk) for k in first}
    arrow = [hasattr(p, "_concat_same_type") for p in parts]  # Arrow list columns
    if any(arrow):
        if all(arrow) and len({p.dtype for p in parts}) == 1:
            return type(first)._concat_same_type(parts)
        return _obj([v for p, a in zip(parts, arrow) for v in (p.tolist() if a else p)])
    if type(first).__module__.startswith("pandas"):
        import pandas as pd

        return pd.concat(parts)
    if type(first).__module__.startswith("pyarrow"):
        import pyarrow as pa

        return pa.concat_arrays(parts)
    if any(isinstance(p, np.ma.MaskedArray) for p in parts):
        return np.ma.concatenate(parts)
    return np.concatenate(parts)


# =============================================================================================
# driver
# =============================================================================================

def with_row(exc: PfaRuntimeError, row: int) -> PfaRuntimeError:
    """A copy of ``exc`` carrying the batch ``row`` (attribute and message)."""
    err = type(exc).__new__(type(exc))
    err.__dict__.update(exc.__dict__)
    err.__traceback__ = exc.__traceback__
    err.row = row  # type: ignore[attr-defined]
    err.args = (f"{exc} [row {row}]",)
    return err


class VectorRunner:
    """The vector back end's runner: the batch plan of the ``action`` routine
    (:func:`pfa.engine.vector.build_plan`), whose scalar islands run on ``target.fallback``."""

    backend = "vector"

    def __init__(self, plan: Plan):
        self.plan = plan

    @property
    def vectorized(self) -> bool:
        """False when the whole action runs row by row on the fallback (explain says why)."""
        return self.plan.vectorized

    @property
    def fallbacks(self) -> list[str]:
        """Why chunks ran row by row after all (a kernel met a shape it cannot handle)."""
        return self.plan.fallbacks

    def run(self, input_col: Col, n: int, chunk_size: int | None = None
            ) -> tuple[Col, dict[int, PfaRuntimeError]]:
        """The output column of ``n`` rows and the errors by row; ``chunk_size`` reaches a
        plan that takes whole batches (``whole_batches``) as its fallback's bound."""
        if self.whole_batches:
            return self.plan.run(input_col, n, chunk_size)
        return self.plan.run(input_col, n)

    @property
    def whole_batches(self) -> bool:
        """Whether the plan runs a batch of any size in bounded memory (the native tier)."""
        return bool(getattr(self.plan, "whole_batches", False))

    def routine(self, name: str) -> Any:
        return self.run if name == "action" and self.plan.vectorized else None

    def explain(self) -> list[ExplainEntry]:
        return list(self.plan.explain) + [
            ExplainEntry("$.action", "action", "fallback", reason) for reason in self.fallbacks]


@register_backend("vector", "batch",
                  "typed AST → numpy kernels over columns, scalar islands row by row")
def compile_vector(target: Target) -> VectorRunner:
    """Compile ``target``'s action for batches; ``target.fallback`` is the scalar runner."""
    return VectorRunner(build_plan(target))


def run_batch(engine: Any, data: Any, chunk_size: int | None, on_error: str) -> Any:
    """The body of :meth:`pfa.engine.engine.Engine.action_batch`."""
    if on_error not in ("raise", "null"):
        raise ValueError("on_error must be 'raise' or 'null'")
    if engine.method != "map":
        raise ValueError("action_batch runs map documents (use action for emit/fold)")
    plan = engine._batch_plan()
    in_t, out_t = engine.input_type, engine.output_type
    aliases = engine.input_aliases
    dk = _data_kind(data)
    data_in, dk_in = data, dk
    # shapes are checked for the whole batch before any row runs
    if isinstance(in_t, AvroRecord) and dk in ("dataframe", "dict", "arrow_table"):
        keys = _dict_keys(engine, data, in_t, aliases) if dk == "dict" else \
            _record_keys(data, dk, in_t, aliases)
        if dk == "dataframe":  # pandas once, not per chunk
            data_in, dk_in = _frame_columns(data, keys), "dict"
        elif dk == "dict":
            data_in = {f: data[k] for f, k in keys.items()}
        else:
            data_in, dk_in = {f: data.column(k) for f, k in keys.items()}, "dict"
        aliases = None  # the columns are now found under the field names
    elif isinstance(in_t, AvroRecord) and dk == "numpy" and data.ndim == 2:
        data_in, dk_in = _matrix_columns(data, in_t), "dict"
    total = _check_dict(data_in, list(data_in)) if dk_in == "dict" else _length(data_in, dk_in)
    size = total if not chunk_size or chunk_size <= 0 else int(chunk_size)
    whole = plan.vectorized and plan.whole_batches
    if whole:  # one pass in bounded memory; chunk_size bounds the fallback's rows
        size = max(total, 1)
    fields = None
    if dk_in == "dict" and aliases is None and isinstance(in_t, AvroRecord):
        fields = engine.__dict__.get("_direct_fields")
        if fields is None:  # once per engine
            fields = engine._direct_fields = _direct_fields(in_t)
    if not engine._begun:
        engine.begin()
    parts = []
    report: list[tuple[int, int | None, str]] = []
    index = data.index if dk == "dataframe" else None
    # a DataFrame of record outputs is built once from the joined columns of the chunks
    dk_out = "dict" if dk == "dataframe" and kind(out_t) == "rec" else dk
    for a in range(0, max(total, 1), max(size, 1)):
        b = min(total, a + size)
        chunk = data_in if a == 0 and b == total else _slice(data_in, dk_in, a, b)
        if fields is not None:  # columns already found and measured for the whole batch
            col, n = record_column(chunk, fields, a), b - a
        else:
            col, n = input_column(chunk, dk_in, in_t, aliases, a)
        ctx = engine._ctx
        if plan.vectorized:
            ctx.actions_started += n
            try:
                out, errors = plan.run(col, n, chunk_size) if whole else plan.run(col, n)
            except PfaError:
                raise
            except Exception as exc:  # noqa: BLE001 - a kernel bug must not change results
                plan.fallbacks.append(f"{type(exc).__name__}: {exc}")
                ctx.actions_started -= n
                out, errors = _scalar_rows(engine, col, n)
            else:
                ctx.actions_finished += n - len(errors)
        else:
            out, errors = _scalar_rows(engine, col, n)
        failed = sorted(errors)
        if failed and on_error == "raise":
            raise with_row(errors[failed[0]], a + failed[0])
        for j in failed:
            e = errors[j]
            report.append((a + j, e.code, e.message))
        with _gc_paused():  # (the output conversion allocates many small containers)
            parts.append(output_values(out, out_t, n, failed, dk_out, None,
                                       arrow_lists=dk == "dataframe"))
        if total == 0:
            break
    with _gc_paused():
        values = concat(parts, dk_out)
        if dk_out != dk:  # the record columns of a DataFrame, joined once
            import pandas as pd

            values = pd.DataFrame(values, index=index, copy=False)
    if on_error == "null":
        return BatchResult(values, report)
    return values


class _gc_paused:  # noqa: N801 - used as a function: ``with _gc_paused():``
    """The cyclic garbage collector off (if it was on) for the block: building output lists
    creates no cycles, and the collections it would trigger cost as much as the building.
    (A class: a generator-based context manager costs more than the small batches it wraps.)"""

    __slots__ = ("was",)

    def __enter__(self) -> None:
        self.was = gc.isenabled()
        gc.disable()

    def __exit__(self, *exc: object) -> None:
        if self.was:
            gc.enable()


def _frame_columns(frame: Any, keys: dict[str, Any]) -> dict[str, Any]:
    """The columns ``keys`` (field name → column name) of a DataFrame as numpy arrays
    (masked where missing), by field name."""
    out: dict[str, Any] = {}
    position = {label: j for j, label in enumerate(frame.columns.tolist())}  # labels are unique here
    array_at = getattr(frame, "_get_column_array", None)  # the column's own array, no Series
    for name, key in keys.items():
        column = array_at(position[key]) if array_at is not None else None
        if not isinstance(column, np.ndarray):  # extension dtypes: through the Series
            column = frame[key]
        values, null = _raw(column, f"$.{name}")
        out[name] = values if null is None else np.ma.MaskedArray(values, null)
    return out


def _scalar_rows(engine: Any, col: Col, n: int) -> tuple[Col, dict[int, PfaRuntimeError]]:
    """Run the scalar engine row by row (documents that are not vectorized)."""
    rows = to_py(col, engine.input_type, n)
    out: list[Any] = [None] * n
    errors: dict[int, PfaRuntimeError] = {}
    validate = engine.validate_input
    engine.validate_input = False
    try:
        for j, r in enumerate(rows):
            try:
                out[j] = engine.action(r)
            except PfaRuntimeError as exc:
                errors[j] = exc
    finally:
        engine.validate_input = validate
    return from_py(out, engine.output_type), errors
