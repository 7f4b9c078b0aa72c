"""Score data files on a Spark cluster with a PFA map document::

    spark-submit --master yarn "$(python -c 'import pfa.spark.submit as m; print(m.__file__)')" \\
        model.pfa hdfs:///data/in.parquet hdfs:///data/scored --keep id

    python -m pfa.spark.submit model.pfa in.parquet out_dir --master 'local[4]'

The input is read and the output written by Spark's own readers and writers (parquet, csv with
a header line, json lines, orc, and avro when the spark-avro package is on the classpath); the
output is a directory of part files, as Spark writes it. Scoring is :func:`pfa.spark.score`.
CSV cannot hold nested values: record, array and map output columns are written as JSON text.

exit status: 0 written, 1 the job failed (``--on-error fail`` met a failing row), 2 usage
error, unreadable or invalid model, or columns that do not fit the document's input."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from pfa.engine.options import overrides_from_text

from .scoring import SparkScoreError, score

FORMATS = ("parquet", "csv", "json", "orc", "avro")
_EXTENSIONS = {".parquet": "parquet", ".pq": "parquet", ".csv": "csv", ".json": "json",
               ".jsonl": "json", ".ndjson": "json", ".orc": "orc", ".avro": "avro"}
EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m pfa.spark.submit",
                                description="Score a data file or directory on Spark with a "
                                            "PFA map document.")
    p.add_argument("model", help="PFA document (JSON, YAML or PrettyPFA file)")
    p.add_argument("input", help="input file or directory (any path Spark can read)")
    p.add_argument("output", help="output directory (Spark writes part files)")
    p.add_argument("--input-format", choices=FORMATS, help="default: by extension")
    p.add_argument("--output-format", choices=FORMATS, help="default: by extension, else "
                                                            "the input's")
    p.add_argument("--keep", action="append", default=[], metavar="COL[,COL...]",
                   help="copy these input columns to the output, before the outputs")
    p.add_argument("--on-error", choices=("null", "skip", "fail"), default="null")
    p.add_argument("--error-column", metavar="NAME",
                   help="add a column with the error of each failed row (--on-error null)")
    p.add_argument("--batch-size", type=int, metavar="ROWS",
                   help="rows per action_batch call in the workers")
    p.add_argument("--mode", choices=("error", "overwrite"), default="error",
                   help="when OUTPUT exists: fail (default) or replace it")
    p.add_argument("--option", action="append", default=[], metavar="KEY=VALUE",
                   help="engine option, e.g. timeout=1000")
    p.add_argument("--master", help="Spark master when not run by spark-submit "
                                    "(default: local[*])")
    return p


def _format(path: str, given: str | None, fallback: str | None = None) -> str:
    if given:
        return given
    found = _EXTENSIONS.get(Path(path.rstrip("/")).suffix.lower())
    if found is None and fallback is None:
        raise SparkScoreError(f"{path}: cannot tell the format from the name; give "
                              f"--input-format ({', '.join(FORMATS)})")
    return found or fallback  # type: ignore[return-value]


def _options(items: list[str]) -> dict[str, Any] | None:
    try:
        return overrides_from_text(items) or None
    except ValueError as exc:
        raise SparkScoreError(str(exc)) from None


def session(master: str | None) -> Any:
    """The active SparkSession, or a new one (``master``, else spark-submit's, else local)."""
    from pyspark import SparkConf
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName("pfa score")
    if master:
        builder = builder.master(master)
    elif not SparkConf().contains("spark.master"):
        builder = builder.master("local[*]")
    return builder.getOrCreate()


def read(spark: Any, path: str, fmt: str) -> Any:
    reader = spark.read.format(fmt)
    if fmt == "csv":
        reader = reader.option("header", "true").option("inferSchema", "true")
    return reader.load(path)


def write(df: Any, path: str, fmt: str, mode: str) -> None:
    if fmt == "csv":
        from pyspark.sql import functions as F
        from pyspark.sql import types as T

        nested = (T.StructType, T.ArrayType, T.MapType)
        df = df.select(*[F.to_json(F.col(f.name)).alias(f.name)
                         if isinstance(f.dataType, nested) else F.col(f.name)
                         for f in df.schema.fields])
    writer = df.write.format(fmt).mode("errorifexists" if mode == "error" else "overwrite")
    if fmt == "csv":
        writer = writer.option("header", "true")
    writer.save(path)


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    err = sys.stderr
    try:
        from .scoring import load_engine, require_pyspark

        require_pyspark()
        in_fmt = _format(args.input, args.input_format)
        out_fmt = _format(args.output, args.output_format, in_fmt)
        options = _options(args.option)
        try:
            engine = load_engine(Path(args.model), options)
        except OSError as exc:
            raise SparkScoreError(f"{args.model}: cannot read: {exc.strerror or exc}"
                                  ) from None
        except Exception as exc:  # the document's syntax or semantic errors
            raise SparkScoreError(f"{args.model}: {exc}") from None
        keep = [c for item in args.keep for c in item.split(",") if c]
        spark = session(args.master)
        df = read(spark, args.input, in_fmt)
        out = score(df, engine, args.on_error, keep=keep, batch_size=args.batch_size,
                    error_column=args.error_column, options=options)
    except SparkScoreError as exc:
        print(f"pfa.spark.submit: {exc}", file=err)
        return EXIT_USAGE
    except Exception as exc:  # Spark's AnalysisException (unreadable input) and the like
        print(f"pfa.spark.submit: {_first_line(exc)}", file=err)
        return EXIT_USAGE
    try:
        write(out, args.output, out_fmt, args.mode)
    except Exception as exc:  # a failing row (--on-error fail) or a write error
        print(f"pfa.spark.submit: {_first_line(exc)}", file=err)
        return EXIT_FAILED
    print(f"pfa.spark.submit: scored {args.input} into {args.output} ({out_fmt})", file=err)
    return EXIT_OK


def _first_line(exc: BaseException) -> str:
    """The line of a Spark error that says what went wrong (ours when a row failed)."""
    lines = [ln.strip() for ln in str(exc).splitlines() if ln.strip()]
    ours = [ln for ln in lines if "pfa.spark:" in ln]
    if ours:
        return ours[-1][ours[-1].index("pfa.spark:") + len("pfa.spark: "):]
    return lines[0] if lines else type(exc).__name__


if __name__ == "__main__":
    sys.exit(main())
