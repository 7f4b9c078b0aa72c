"""The ``python_function`` implementation of a PFA model: ``predict`` on tables.

MLflow calls ``predict`` after its own schema enforcement, with a pandas DataFrame (or a numpy
array for a tensor signature). Frames of more than :data:`SMALL_BATCH` rows go through
``Engine.action_batch``; smaller ones through ``Engine.action`` row by row (no batch fixed
costs) — both give the same values (the engine's input contract). Record outputs come back as
a DataFrame with one column per field, other outputs as a Series, with the pandas dtype of the
output type. A value the document refuses raises ``MlflowException`` with
``INVALID_PARAMETER_VALUE`` naming the row and field, so ``mlflow models serve`` answers 400.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
import pandas as pd
from mlflow.exceptions import MlflowException
from mlflow.protos.databricks_pb2 import INVALID_PARAMETER_VALUE

from pfa.avro.types import AvroRecord, AvroType, AvroUnion, without_null
from pfa.engine.engine import Engine
from pfa.errors import PfaError, PfaInputError, PfaRuntimeError

from .signature import input_columns

SMALL_BATCH = 8
"""Frames of at most this many rows are scored record by record."""

_DTYPES = {"boolean": np.dtype(bool), "int": np.dtype("int32"), "long": np.dtype("int64"),
           "float": np.dtype("float32"), "double": np.dtype("float64")}
"""pandas dtypes of non-nullable primitive outputs (what spark_udf's types expect)."""


def refusal(err: PfaError, row: int | None = None) -> MlflowException:
    """The MLflow error for a row the document refuses (HTTP 400 from the scoring server)."""
    row = getattr(err, "row", row)
    where = f"row {row}: " if row is not None else ""
    kind = "input error" if isinstance(err, PfaInputError) else "runtime error"
    return MlflowException(f"{where}{kind}: {err}", error_code=INVALID_PARAMETER_VALUE)


def _frame(data: Any) -> Any:
    """A DataFrame from a dict of columns, one record or a list of records; others as given."""
    if isinstance(data, dict):
        first = next(iter(data.values()), None)
        many = isinstance(first, (list, tuple, np.ndarray, pd.Series))
        return pd.DataFrame(data if many else [data])
    if isinstance(data, list) and data and isinstance(data[0], dict):
        return pd.DataFrame(data)
    return data


def _typed_column(values: Any, t: AvroType, index: Any, name: Any = None) -> pd.Series:
    dtype = None if isinstance(t, AvroUnion) else _DTYPES.get(t.name)
    series = values if isinstance(values, pd.Series) else pd.Series(
        list(values) if not isinstance(values, np.ndarray) else values, index=index, name=name,
        dtype=object if dtype is None else None)
    if dtype is not None and series.dtype != dtype:
        series = series.astype(dtype)
    return series


class PfaPyfuncModel:
    """What ``mlflow.pyfunc.load_model`` wraps: one engine, driven by one thread at a time."""

    def __init__(self, engine: Engine):
        if engine.method != "map":
            raise MlflowException(
                f"the document's method is {engine.method!r}: pyfunc predict scores 'map' "
                "documents only (load it with pfa.mlflow.load_model to drive it yourself)",
                error_code=INVALID_PARAMETER_VALUE)
        self.engine = engine
        self.columns = input_columns(engine)
        self._lock = threading.Lock()

    def get_raw_model(self) -> Engine:
        """The underlying :class:`pfa.Engine`."""
        return self.engine

    # -- input ----------------------------------------------------------------------------------
    def _input(self, data: Any) -> Any:
        data = _frame(data)
        t = self.engine.input_type
        if not isinstance(data, pd.DataFrame):
            return data
        if isinstance(t, AvroRecord):
            assert self.columns is not None
            absent = [c for c in self.columns if c not in data.columns]
            if absent:  # optional columns MLflow let through: missing values
                data = data.assign(**{c: None for c in absent})
            return data
        if self.columns is not None:  # array<number> from named number columns
            missing = [c for c in self.columns if c not in data.columns]
            if missing:
                raise MlflowException(f"missing input columns {missing}",
                                      error_code=INVALID_PARAMETER_VALUE)
            return data[self.columns]
        if data.shape[1] != 1:
            raise MlflowException(
                f"the model takes one input column ({t}), got {data.shape[1]}",
                error_code=INVALID_PARAMETER_VALUE)
        return data.iloc[:, 0]

    @staticmethod
    def _rows(data: Any) -> list[Any]:
        if isinstance(data, pd.DataFrame):
            return [data.iloc[i] for i in range(len(data))]
        return list(data)

    # -- output ---------------------------------------------------------------------------------
    def _output(self, result: Any, index: Any) -> pd.DataFrame | pd.Series:
        t = without_null(self.engine.output_type)
        if isinstance(t, AvroRecord):
            frame = result if isinstance(result, pd.DataFrame) else pd.DataFrame(
                list(result), columns=list(t.field_names), index=index)
            return pd.DataFrame({f.name: _typed_column(frame[f.name], f.type, frame.index,
                                                       f.name) for f in t.fields},
                                index=frame.index)
        if isinstance(result, pd.DataFrame):  # a nullable record output, not expected here
            return result
        return _typed_column(result, self.engine.output_type, index)

    # -- predict --------------------------------------------------------------------------------
    def predict(self, data: Any, params: dict[str, Any] | None = None
                ) -> pd.DataFrame | pd.Series:
        """Score ``data`` (a DataFrame, a dict of columns, one record or a list of records, or a
        2-D array for an ``array`` input); ``params`` are not used."""
        data = self._input(data)
        n = len(data)
        index = data.index if isinstance(data, (pd.DataFrame, pd.Series)) else pd.RangeIndex(n)
        with self._lock:
            if n <= SMALL_BATCH:
                values = []
                for i, row in enumerate(self._rows(data)):
                    try:
                        values.append(self.engine.action(row))
                    except (PfaInputError, PfaRuntimeError) as err:
                        raise refusal(err, i) from None
                result: Any = values
            else:
                try:
                    result = self.engine.action_batch(data)
                except (PfaInputError, PfaRuntimeError) as err:
                    raise refusal(err) from None
        return self._output(result, index)
