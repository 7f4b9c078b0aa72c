"""``score(spark_df, document)``: a PFA map document run on every row of a Spark DataFrame.

The driver reads and checks the document once, broadcasts its canonical JSON text, checks that
the DataFrame has the columns the input needs (before any job starts), derives the output
schema from the document's output type (:mod:`pfa.spark.types`) and hands the work to
``DataFrame.mapInArrow``; each Python worker builds the engine once (:mod:`pfa.spark.worker`).
Input columns feed the document's input exactly as in ``pfa score`` (by field name, or the
original column names the exporter recorded), so a row's output is that of
``Engine.action_batch``; each partition's rows keep their count (``on_error="null"``) and
order."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import pyarrow as pa

from pfa.document.writer import write_json
from pfa.engine.engine import Engine
from pfa.io.errors import DataFileError
from pfa.io.scoring import ON_ERROR, BatchScorer, InputColumns

from .types import spark_type
from .worker import WorkerSetup, document_digest, score_partition


class SparkScoreError(ValueError):
    """``score`` cannot run as asked (the document, a column, a setting); raised on the driver
    before any Spark job starts."""


def require_pyspark() -> None:
    """Raise :class:`SparkScoreError` naming what is missing when pyspark cannot be used."""
    try:
        import pyspark  # noqa: F401
    except ImportError as exc:
        raise SparkScoreError(f"pfa.spark needs pyspark (pip install pyspark; it also needs "
                              f"Java 17 or later): {exc}") from None


def load_engine(document: Any, options: dict[str, Any] | None = None,
                allow_files: Sequence[str] | None = None) -> Engine:
    """An engine from ``document``: an Engine, a dict, JSON, YAML or PrettyPFA text, or the
    path of such a file."""
    if isinstance(document, Engine):
        document = write_json(document.document)
    if isinstance(document, Path) or (isinstance(document, str) and "\n" not in document
                                       and not document.lstrip().startswith("{")
                                       and os.path.isfile(document)):
        document = Path(document).read_text(encoding="utf-8")
    allow = list(allow_files) if allow_files else None
    if isinstance(document, dict) or (isinstance(document, str)
                                      and document.lstrip().startswith("{")):
        return Engine.from_json(document, options=options, allow_files=allow)
    if isinstance(document, str):
        from pfa.document.pretty import looks_like_pretty

        if looks_like_pretty(document):
            return Engine.from_pretty(document, options=options, allow_files=allow)
        return Engine.from_yaml(document, options=options, allow_files=allow)
    raise SparkScoreError(f"document must be a PFA document (dict, JSON/YAML/PrettyPFA text or "
                          f"a path) or a pfa Engine, not {type(document).__name__}")


def output_schema(engine: Engine, keep_fields: Sequence[Any] = (),
                  error_column: str | None = None) -> Any:
    """The Spark schema ``score`` returns: the kept input fields, the output columns (a
    record output's fields, else one column ``output``), then the error column if asked."""
    from pyspark.sql import types as T

    scorer_cols = BatchScorer(engine, InputColumns.of(engine)).outputs
    fields = list(keep_fields)
    fields += [T.StructField(c.name, spark_type(c.storage), True) for c in scorer_cols]
    if error_column is not None:
        fields.append(T.StructField(error_column, T.StringType(), True))
    return T.StructType(fields)


def score(spark_df: Any, document: Any, on_error: str = "null", *,
          keep: Sequence[str] | bool = (), batch_size: int | None = None,
          error_column: str | None = None, array_input: bool = False,
          options: dict[str, Any] | None = None,
          allow_files: Sequence[str] | None = None) -> Any:
    """Score every row of ``spark_df`` with the PFA map ``document``; a lazy DataFrame.

    - Input columns feed the input record by field name (other columns are not sent to the
      workers); a missing column raises :class:`SparkScoreError` naming it.
    - ``keep``: input columns copied before the outputs (``True``: every column whose name
      is not that of an output column).
    - ``on_error``: a row the engine refuses or fails on gives a row of nulls (``"null"``),
      no row (``"skip"``), or fails the job (``"fail"``) with the partition, the row of the
      partition and the spec's error code in the message.
    - ``error_column``: a string column holding, on the failed rows of ``"null"``, the error
      code and message.
    - ``batch_size``: rows per ``action_batch`` call in the workers (default: the Arrow batches
      as Spark sends them, ``spark.sql.execution.arrow.maxRecordsPerBatch`` rows).
    - ``options``/``allow_files``: engine options and host directories, as for ``Engine``."""
    require_pyspark()
    if batch_size is not None and batch_size < 1:
        raise SparkScoreError("batch_size must be at least 1")
    try:
        engine = load_engine(document, options, allow_files)
    except SparkScoreError:
        raise
    except Exception as exc:  # a syntax or semantic error of the document: one message
        raise SparkScoreError(f"the PFA document cannot be used: {exc}") from None
    plan = prepare(engine, list(spark_df.schema.fields), on_error, keep=keep,
                   error_column=error_column, array_input=array_input, batch_size=batch_size,
                   options=options, allow_files=allow_files,
                   share=spark_df.sparkSession.sparkContext.broadcast)
    return spark_df.select(*plan.columns).mapInArrow(partial(score_partition, plan.setup),
                                                     plan.schema)


@dataclass(frozen=True)
class Plan:
    """What ``score`` runs: the input ``columns`` sent to the workers, the worker ``setup``
    and the output ``schema`` (Spark's)."""

    columns: list[str]
    setup: WorkerSetup
    schema: Any


def prepare(engine: Engine, fields: list[Any], on_error: str = "null", *,
            keep: Sequence[str] | bool = (), error_column: str | None = None,
            array_input: bool = False, batch_size: int | None = None,
            options: dict[str, Any] | None = None, allow_files: Sequence[str] | None = None,
            share: Callable[[str], Any] | None = None) -> Plan:
    """Check that a DataFrame with the Spark ``fields`` fits ``engine``'s input and plan the
    job (``share`` makes the document text a broadcast; None: the text itself)."""
    if on_error not in ON_ERROR:
        raise SparkScoreError(f"on_error must be one of {', '.join(ON_ERROR)}, not {on_error!r}")
    columns = [f.name for f in fields]
    out_names = [c.name for c in BatchScorer(engine, InputColumns.of(engine)).outputs]
    if keep is True:
        kept = tuple(c for c in columns if c not in out_names and c != error_column)
    else:
        kept = tuple([keep] if isinstance(keep, str) else keep or ())
    inputs = InputColumns.of(engine, kept, array_input)
    try:
        names = inputs.check(None, columns)  # type: ignore[arg-type]
        BatchScorer(engine, inputs, on_error, names)
    except DataFileError as exc:
        raise SparkScoreError(f"the DataFrame does not fit the document: "
                              f"{exc.message.replace('--keep', 'keep')}") from None
    if error_column is not None and error_column in out_names + list(kept):
        raise SparkScoreError(f"error_column {error_column!r} has the name of another column")
    needed = list(kept) + [c for c in columns if c not in kept and (
        inputs.column_type(c) is not None if inputs.is_record else c in (names or []))]
    by_name = {f.name: f for f in fields}
    schema = output_schema(engine, [by_name[k] for k in kept], error_column)
    text = write_json(engine.document)
    setup = WorkerSetup(
        document=share(text) if share is not None else text, digest=document_digest(text),
        options=options, allow_files=tuple(allow_files) if allow_files else None,
        keep=kept, array_input=array_input,
        input_names=tuple(names) if names is not None else None, on_error=on_error,
        error_column=error_column, batch_rows=batch_size,
        output_schema=_arrow_schema(schema))
    return Plan(needed, setup, schema)


def _arrow_schema(schema: Any) -> pa.Schema:
    """The Arrow schema of the batches the workers return: Spark's own Arrow form of
    ``schema``."""
    from pyspark.sql.pandas.types import to_arrow_schema

    return to_arrow_schema(schema)
