"""Scoring on Spark: ``pfa.spark.score`` against Spark's own ``transform`` of the same fitted
pipeline and against ``mlflow.pyfunc.spark_udf`` of the same PFA document, rows/s in one run.

    python benches/spark_score.py [--rows 1000000] [--models lr,gbt] [--cores 2] [--no-mlflow]

Pipelines (VectorAssembler + LogisticRegression, VectorAssembler + a 50-tree GBTClassifier)
are fitted in Spark on 20,000 rows of ten random features, exported with
``pfa.exporters.spark.export``; the ``--rows`` scored rows are generated and cached in Spark
first, so every contender measures scoring only (each run ends in Spark's ``noop`` sink).
Agreement is checked on 20,000 rows joined by id: ``prediction`` equal, max abs difference of
``probability``. The machine's load average is printed with the numbers.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

FEATURES = [f"f{i}" for i in range(10)]
TRAIN_ROWS = 20_000
CHECK_ROWS = 20_000


def features(spark: Any, n: int, seed: int) -> Any:
    from pyspark.sql import functions as F

    cols = [F.col("id")] + [(F.rand(seed + i) * 4 - 2).alias(f) for i, f in enumerate(FEATURES)]
    return spark.range(0, n, numPartitions=max(2, spark.sparkContext.defaultParallelism)) \
        .select(*cols)


def fit(spark: Any, kind: str) -> Any:
    from pyspark.ml import Pipeline
    from pyspark.ml.classification import GBTClassifier, LogisticRegression
    from pyspark.ml.feature import VectorAssembler
    from pyspark.sql import functions as F

    train = features(spark, TRAIN_ROWS, 100).withColumn(
        "label", (F.col("f0") + F.col("f1") * F.col("f2") - F.col("f3") > 0).cast("double"))
    stage = LogisticRegression(maxIter=50) if kind == "lr" else \
        GBTClassifier(maxIter=50, maxDepth=4, seed=1)
    return Pipeline(stages=[VectorAssembler(inputCols=FEATURES, outputCol="features"),
                            stage]).fit(train)


def timed(label: str, n: int, df: Any) -> float:
    """Rows/s of computing ``df`` in full (Spark's ``noop`` sink), after a warm-up run on
    1% of it (Python workers started, engines built and cached, JIT warm)."""
    df.limit(max(1, n // 100)).write.format("noop").mode("overwrite").save()
    t0 = time.perf_counter()
    df.write.format("noop").mode("overwrite").save()
    seconds = time.perf_counter() - t0
    print(f"  {label:<28} {n / seconds:>12,.0f} rows/s  ({seconds:.1f} s)", flush=True)
    return n / seconds


def agreement(spark: Any, model: Any, doc: dict[str, Any], udf: Any) -> None:
    """Max abs difference of probability and count of differing predictions vs transform."""
    import numpy as np

    from pfa.spark import score

    sample = features(spark, CHECK_ROWS, 7)
    ref = model.transform(sample).select("id", "prediction", "probability").toPandas()
    ref = ref.sort_values("id")
    ours = score(sample, doc, keep=["id"]).toPandas().sort_values("id")
    p_ref = np.array([v.toArray() for v in ref["probability"]])
    p_ours = np.array([list(v) for v in ours["probability"]])
    print(f"  pfa.spark.score vs transform: prediction differs on "
          f"{int((ref['prediction'].to_numpy() != ours['prediction'].to_numpy()).sum())} of "
          f"{len(ref):,} rows; max |probability diff| {np.abs(p_ref - p_ours).max():.3g}")
    if udf is not None:
        got = sample.withColumn("pfa", udf(*FEATURES)).select("id", "pfa").toPandas()
        got = got.sort_values("id")
        p_udf = np.array([list(r["probability"]) for r in got["pfa"]])
        print(f"  spark_udf vs pfa.spark.score: max |probability diff| "
              f"{np.abs(p_udf - p_ours).max():.3g}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--models", default="lr,gbt")
    ap.add_argument("--cores", type=int, default=2)
    ap.add_argument("--no-mlflow", action="store_true")
    args = ap.parse_args()

    from pfa.spark import local_session, score

    try:
        from pfa.exporters.spark import export
    except ImportError as exc:
        print(f"pfa.exporters.spark is not available ({exc}): nothing to compare with")
        return 2
    spark = local_session(cores=args.cores, driver_memory="2g", app="pfa-bench",
                          conf={"spark.sql.shuffle.partitions": str(args.cores)})
    print(f"load average before: {os.getloadavg()}  (cores: {os.cpu_count()}, "
          f"local[{args.cores}], {args.rows:,} rows)")
    data = features(spark, args.rows, 1).cache()
    data.count()
    for kind in args.models.split(","):
        print(f"{kind}:")
        model = fit(spark, kind)
        try:
            doc = export(model, timestamp=False)
        except Exception as exc:  # a converter spark-models has not written yet
            print(f"  pfa.exporters.spark cannot export this pipeline yet: {exc}")
            continue
        timed("Spark transform", args.rows,
              model.transform(data).select("id", "prediction", "probability"))
        timed("pfa.spark.score", args.rows, score(data, doc, keep=["id"]))
        udf = None
        if not args.no_mlflow:
            try:
                import mlflow.pyfunc

                import pfa.mlflow
            except ImportError as exc:
                print(f"  mlflow spark_udf skipped: {exc}")
            else:
                path = Path(tempfile.mkdtemp(prefix="pfa-bench-")) / "model"
                pfa.mlflow.save_model(doc, path)
                udf = mlflow.pyfunc.spark_udf(spark, str(path), env_manager="local")
                timed("mlflow.pyfunc.spark_udf", args.rows,
                      data.select("id", udf(*FEATURES).alias("pfa")))
        agreement(spark, model, doc, udf)
    print(f"load average after: {os.getloadavg()}")
    spark.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
