"""Batch scoring: ``Engine.action_batch`` and ``Engine.explain_batch``.

Input data (a pandas DataFrame, a pyarrow Table / RecordBatch / Array, a dict of numpy arrays
by column name, a numpy array or a list of engine values) becomes an input column
(:mod:`pfa.engine.columns`); the vector plan (:mod:`pfa.engine.vector`) computes the output
column, which goes back in the kind of the input: a list for a list; for numpy input and
dicts of arrays a numpy array (scalar outputs) or a dict of arrays (record outputs); for a
DataFrame a numpy array (scalar outputs) or a DataFrame (record outputs, same index); for
Arrow input an Arrow array. A null of a nullable (union with null) field may be given as
None, NaN, a masked value or an Arrow null.
"""

from __future__ import annotations

import gc
import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from pfa.avro.types import AvroArray, AvroRecord, AvroType
from pfa.errors import AvroDataError, PfaInputError, PfaRuntimeError

from .columns import (
    Arr,
    Col,
    Const,
    Opt,
    Rec,
    f32_col,
    from_py,
    kind,
    materialize,
    non_null,
    to_py,
)


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
    if mod.startswith("pandas"):
        return "dataframe" if hasattr(data, "columns") else "series"
    if mod.startswith("pyarrow"):
        if hasattr(data, "num_rows"):
            return "arrow_table"
        return "arrow_array"
    raise TypeError(f"action_batch does not take {type(data).__name__} data")


def _length(data: Any, dk: str) -> int:
    if dk == "dict":
        return len(next(iter(data.values()))) if data else 0
    if dk == "arrow_table":
        return data.num_rows
    return len(data)


def _slice(data: Any, dk: str, a: int, b: int) -> Any:
    if dk == "dict":
        return {k: v[a:b] for k, v in data.items()}
    if dk in ("dataframe", "series"):
        return data.iloc[a:b]
    if dk in ("arrow_table", "arrow_array"):
        return data.slice(a, b - a)
    return data[a:b]


def _raw(values: Any) -> tuple[np.ndarray, np.ndarray | None]:
    """(numpy values, null mask or None) of a column of any supported kind."""
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
        return _obj(values.to_pylist()), null
    if mod.startswith("pandas"):
        import pandas as pd

        if isinstance(values.dtype, pd.api.extensions.ExtensionDtype) and \
                values.dtype.kind in "iufb":
            null = values.isna().to_numpy()
            filler = False if values.dtype.kind == "b" else 0
            return values.to_numpy(dtype=values.dtype.numpy_dtype, na_value=filler), null
        values = values.to_numpy()
    if isinstance(values, np.ma.MaskedArray):
        return np.asarray(values.data), np.ma.getmaskarray(values)
    return np.asarray(values) if not isinstance(values, list) else _obj(values), None


def _obj(values: list) -> np.ndarray:
    """A 1-D object array holding ``values`` as they are (lists stay lists)."""
    return np.fromiter(values, dtype=object, count=len(values))


def _bad(path: str, what: str) -> PfaInputError:
    return PfaInputError(what, path)


def _nullish(v: Any) -> bool:
    return v is None or (type(v) is float and math.isnan(v)) or v is getattr(
        __import__("pandas"), "NA", None) or v is getattr(__import__("pandas"), "NaT", None)


def column_of(values: Any, t: AvroType, path: str) -> Col:
    """The input column of type ``t`` for one column of data."""
    k = kind(t)
    if k == "rec" and (type(values).__module__.startswith("pyarrow")
                       and hasattr(values, "field")):
        assert isinstance(t, AvroRecord)
        return Rec({f.name: column_of(values.field(f.name), f.type, f"{path}.{f.name}")
                    for f in t.fields})
    raw, null = _raw(values)
    if k in ("float", "int", "bool", "opt") and raw.dtype != object:
        inner = non_null(t) if k == "opt" else t
        assert inner is not None
        ik = kind(inner)
        dk = raw.dtype.kind
        if ik == "float" and dk in "fiu":
            # (a nullable column is copied by ``np.where`` below)
            vals = raw.astype(np.float64, copy=k != "opt")
            if inner.name == "float":
                vals = f32_col(vals)
        elif ik == "int" and dk in "iu":
            vals = raw.astype(np.int64)
            lo, hi = (-(2**31), 2**31 - 1) if inner.name == "int" else (-(2**63), 2**63 - 1)
            if dk == "u" and raw.dtype.itemsize == 8 and (raw > 2**63 - 1).any():
                raise _bad(path, "integer out of range")
            if ((vals < lo) | (vals > hi)).any():
                raise _bad(path, "integer out of range")
        elif ik == "bool" and dk == "b":
            vals = raw.astype(bool)
        else:
            raise _bad(path, f"a column of dtype {raw.dtype} for type {inner}")
        if k == "opt":
            if dk == "f":
                miss = np.isnan(raw)
                if null is not None:
                    miss |= null
            else:
                miss = np.zeros(len(vals), dtype=bool) if null is None else null.copy()
            return Opt(np.where(miss, vals.dtype.type(0), vals), miss)
        if null is not None and null.any():
            raise _bad(f"{path}[{int(np.flatnonzero(null)[0])}]", "null for a non-nullable field")
        return vals
    if k == "arr" and raw.dtype != object and raw.ndim >= 2:
        return column_of_rows(list(raw.tolist()), t, path) if raw.dtype.kind not in "fiub" \
            else _array_block(raw, t, path)
    strings = _string_column(raw, null, t)
    if strings is not None:
        return strings
    items = list(raw)
    if null is not None:
        items = [None if m else v for v, m in zip(items, null.tolist())]
    nullable = non_null(t) is not None or t.name == "null"
    if nullable:
        items = [None if _nullish(v) else v for v in items]
    items = [v.tolist() if isinstance(v, np.ndarray) else v for v in items]
    return column_of_rows(items, t, path)


def _string_column(raw: np.ndarray, null: np.ndarray | None, t: AvroType) -> Col | None:
    """The column of a ``string`` / ``[null, string]`` field when every value is a ``str``
    (or, nullable, a null as :func:`_nullish` sees it): the object array itself, None
    standing for null; None (take the general path) otherwise."""
    inner = non_null(t)
    if (inner if inner is not None else t).name != "string" or raw.dtype != object or \
            raw.ndim != 1:
        return None
    types = set(map(type, raw.tolist()))
    if types == {str} and null is None:
        return raw
    if inner is None or not all(tp in (str, type(None), float) or _nullish_type(tp)
                                for tp in types):
        return None
    items = raw.tolist()
    if null is not None:
        items = [None if m else v for v, m in zip(items, null.tolist())]
    out = [v if type(v) is str else (None if _nullish(v) else _NOT_NULL) for v in items]
    if any(v is _NOT_NULL for v in out):
        return None
    return _obj(out)


_NOT_NULL = object()


def _nullish_type(tp: type) -> bool:
    import pandas as pd

    return tp is type(pd.NA) or tp is type(pd.NaT)


def _array_block(raw: np.ndarray, t: AvroType, path: str) -> Col:
    item = t.items if isinstance(t, AvroArray) else t
    while isinstance(item, AvroArray):
        item = item.items
    if item.name in ("float", "double"):
        data = raw.astype(np.float64)
        return Arr(f32_col(data) if item.name == "float" else data)
    if item.name in ("int", "long") and raw.dtype.kind in "iu":
        return Arr(raw.astype(np.int64))
    return column_of_rows(raw.tolist(), t, path)


def column_of_rows(rows: list[Any], t: AvroType, path: str) -> Col:
    """The column of a list of data values, each checked (and normalised) like ``action``
    input."""
    from pfa.avro.data import validate

    from .inputs import fast_checker, normalize

    check = fast_checker(t)
    out = list(rows)
    for i, v in enumerate(out):
        if not check(v):
            try:
                validate(t, v, f"{path}[{i}]")
            except AvroDataError as err:
                raise PfaInputError(err.message, err.path) from None
            out[i] = normalize(t, v)
    return from_py(out, t)


def input_column(data: Any, dk: str, t: AvroType) -> tuple[Col, int]:
    """(input column, number of rows) of one chunk of data."""
    n = _length(data, dk)
    if dk == "list":
        return column_of_rows(data, t, "$"), n
    if isinstance(t, AvroRecord):
        if dk in ("dataframe", "dict", "arrow_table"):
            names = list(data.columns) if dk == "dataframe" else (
                list(data.keys()) if dk == "dict" else data.schema.names)
            fields = {}
            for f in t.fields:
                if f.name not in names:
                    raise PfaInputError(f"missing column {f.name!r}", f"$.{f.name}")
                col = data[f.name] if dk != "arrow_table" else data.column(f.name)
                if dk == "dict" and isinstance(col, dict):
                    fields[f.name] = input_column(col, "dict", f.type)[0]
                else:
                    fields[f.name] = column_of(col, f.type, f"$.{f.name}")
            return Rec(fields), n
        return column_of(data, t, "$"), n
    if kind(t) == "arr" and dk in ("dataframe", "arrow_table", "dict"):
        if dk == "dataframe":
            block = data.to_numpy()
        elif dk == "arrow_table":
            block = np.column_stack([c.to_numpy() for c in data.columns]) if n else \
                np.zeros((0, data.num_columns))
        else:
            block = np.column_stack(list(data.values()))
        return _array_block(block, t, "$") if block.dtype != object else \
            column_of_rows(block.tolist(), t, "$"), n
    if dk in ("dataframe", "arrow_table", "dict"):
        cols = list(data.values()) if dk == "dict" else (
            [data[c] for c in data.columns] if dk == "dataframe" else list(data.columns))
        if len(cols) != 1:
            raise PfaInputError(f"the input type is {t}: give one column, not {len(cols)}")
        return column_of(cols[0], t, "$"), n
    if dk == "numpy" and kind(t) == "arr":
        return _array_block(np.asarray(data), t, "$"), n
    return column_of(data, t, "$"), n


# =============================================================================================
# output
# =============================================================================================

def output_values(col: Col, t: AvroType, n: int, failed: list[int], dk: str,
                  index: Any = None) -> Any:
    """The output column in the form matching the input kind ``dk`` (None where failed)."""
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
        cols = _record_columns(col, t, n, failed)
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

        return pa.array(py)
    return _obj(py)


def _record_columns(col: Col, t: AvroRecord, n: int, failed: list[int]) -> dict[str, Any]:
    """Field name → output column (numbers as numpy arrays when no row failed, else object
    arrays with None for the failed rows), converted field by field."""
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
        vals = to_py(fc, f.type, n)
        for j in failed:
            vals[j] = None
        cols[f.name] = _obj(vals)
    return cols


def concat(parts: list[Any], dk: str) -> Any:
    """Join the outputs of the chunks."""
    if len(parts) == 1:
        return parts[0]
    first = parts[0]
    if isinstance(first, list):
        return [v for p in parts for v in p]
    if isinstance(first, dict):
        return {k: concat([p[k] for p in parts], dk) for k in first}
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


def run_batch(engine: Any, data: Any, chunk_size: int | None, on_error: str) -> Any:
    """The body of :meth:`pfa.engine.engine.Engine.action_batch`."""
    if on_error not in ("raise", "null"):
        raise ValueError("on_error must be 'raise' or 'null'")
    if engine.method != "map":
        raise ValueError("action_batch runs map documents (use action for emit/fold)")
    plan = engine._batch_plan()
    dk = _data_kind(data)
    total = _length(data, dk)
    size = total if not chunk_size or chunk_size <= 0 else int(chunk_size)
    if not engine._begun:
        engine.begin()
    in_t, out_t = engine.input_type, engine.output_type
    parts = []
    report: list[tuple[int, int | None, str]] = []
    index = data.index if dk == "dataframe" else None
    data_in, dk_in = data, dk
    # a DataFrame of record outputs is built once from the joined columns of the chunks
    dk_out = "dict" if dk == "dataframe" and kind(out_t) == "rec" else dk
    if dk == "dataframe" and isinstance(in_t, AvroRecord):
        data_in, dk_in = _frame_columns(data), "dict"  # pandas once, not per chunk
    for a in range(0, max(total, 1), max(size, 1)):
        b = min(total, a + size)
        chunk = _slice(data_in, dk_in, a, b)
        col, n = input_column(chunk, dk_in, in_t)
        ctx = engine._ctx
        if plan.vectorized:
            ctx.actions_started += n
            out, errors = plan.run(col, n)
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
            parts.append(output_values(out, out_t, n, failed, dk_out, None))
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


@contextmanager
def _gc_paused() -> Iterator[None]:
    """The cyclic garbage collector off (if it was on) for the block: building output lists
    creates no cycles, and the collections it would trigger cost as much as the building."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _frame_columns(frame: Any) -> dict[str, Any]:
    """The columns of a DataFrame as numpy arrays (masked where null), by name."""
    out: dict[str, Any] = {}
    for name in frame.columns:
        values, null = _raw(frame[name])
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
