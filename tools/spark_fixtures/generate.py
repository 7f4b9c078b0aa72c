"""Write the Spark export fixtures: fitted pipelines saved by Spark, input rows and Spark's
own ``transform`` output, for the JVM-free tests in ``tests/spark_export``.

Run with a Python that has pyspark (and Java)::

    python -m tools.spark_fixtures.generate [--only NAME ...] [--suffix _spark35]

Every ``tools/spark_fixtures/cases_<area>.py`` module defines ``CASES``: name → a function of
the session returning ``(fitted PipelineModel, input DataFrame, output column names)``. Each
case becomes ``tests/spark_export/fixtures/<name><suffix>/`` holding ``model/`` (the saved
PipelineModel, checksum files removed) and ``case.json``: the Spark version, the input rows
and, per row, the recorded output columns — or ``null`` for a row Spark's transform drops
(``handleInvalid="skip"``), or ``{"error": true}`` for a row Spark's transform fails on.
"""

from __future__ import annotations

import argparse
import importlib
import json
import math
import pkgutil
import shutil
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "spark_export" / "fixtures"
ROW = "__fixture_row"


def all_cases() -> dict[str, Any]:
    """Every case of every ``cases_*`` module of this package."""
    cases: dict[str, Any] = {}
    pkg = importlib.import_module("tools.spark_fixtures")
    for info in pkgutil.iter_modules(pkg.__path__, pkg.__name__ + "."):
        if info.name.rsplit(".", 1)[1].startswith("cases_"):
            cases.update(importlib.import_module(info.name).CASES)
    return cases


def to_json(value: Any) -> Any:
    """A Spark row value as JSON: vectors dense lists, non-finite doubles as strings."""
    if hasattr(value, "toArray"):
        return [to_json(float(v)) for v in value.toArray()]
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if hasattr(value, "asDict"):
        return {k: to_json(v) for k, v in value.asDict().items()}
    if isinstance(value, (list, tuple)):
        return [to_json(v) for v in value]
    return value


def record(model: Any, df: Any, columns: list[str]) -> list[Any]:
    """Spark's output columns per input row (None: dropped; {"error": true}: transform fails)."""
    from pyspark.sql import functions as F

    df = df.withColumn(ROW, F.monotonically_increasing_id()).coalesce(1)
    ids = [r[ROW] for r in df.select(ROW).collect()]
    try:
        out = {r[ROW]: {c: to_json(r[c]) for c in columns}
               for r in model.transform(df).select(ROW, *columns).collect()}
        return [out.get(i) for i in ids]
    except Exception:  # some row is invalid: record each row alone
        results = []
        for i in ids:
            one = df.filter(F.col(ROW) == i)
            try:
                rows = model.transform(one).select(*columns).collect()
                results.append({c: to_json(rows[0][c]) for c in columns} if rows else None)
            except Exception:
                results.append({"error": True})
        return results


def write_case(spark: Any, name: str, make: Any, suffix: str) -> Path:
    import pyspark

    model, df, columns = make(spark)
    target = FIXTURES / f"{name}{suffix}"
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    model.write().overwrite().save(str(target / "model"))
    for junk in (target / "model").rglob("*"):
        if junk.is_file() and (junk.name.endswith(".crc") or junk.name == "_SUCCESS"):
            junk.unlink()
    rows = [to_json(r) for r in df.collect()]
    case = {"spark": pyspark.__version__, "columns": columns, "rows": rows,
            "expected": record(model, df, columns)}
    (target / "case.json").write_text(json.dumps(case, indent=None) + "\n")
    return target


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--only", nargs="*", help="case names (default: all)")
    p.add_argument("--suffix", default="", help="appended to each fixture directory name")
    args = p.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from pfa.spark.session import local_session

    cases = all_cases()
    unknown = set(args.only or []) - set(cases)
    if unknown:
        p.error(f"unknown cases: {sorted(unknown)}")
    spark = local_session()
    for name in args.only or sorted(cases):
        print(write_case(spark, name, cases[name], args.suffix).relative_to(ROOT))
    spark.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
