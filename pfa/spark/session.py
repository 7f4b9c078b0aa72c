"""A local SparkSession for scoring on one machine (tests, benches, ``python -m
pfa.spark.submit`` without a cluster): ``local[N]`` bound to 127.0.0.1 (Spark otherwise binds
the network interface), UI off, few shuffle partitions, Arrow on, the Python workers running
this interpreter. :data:`LOCAL_CONF` is the one list of these settings."""

from __future__ import annotations

import os
import sys
from typing import Any

LOCAL_CONF: dict[str, str] = {
    "spark.driver.host": "127.0.0.1",
    "spark.driver.bindAddress": "127.0.0.1",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.shuffle.partitions": "2",
    "spark.default.parallelism": "2",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    "spark.sql.session.timeZone": "UTC",
    "spark.pyspark.python": sys.executable,
    "spark.pyspark.driver.python": sys.executable,
}


def local_session(cores: int = 2, driver_memory: str = "1g", app: str = "pfa",
                  conf: dict[str, str] | None = None) -> Any:
    """The process's local SparkSession (created on first use with :data:`LOCAL_CONF`, the
    driver memory and ``conf``; later calls return the same session)."""
    from .scoring import require_pyspark

    require_pyspark()
    from pyspark.sql import SparkSession

    os.environ["SPARK_LOCAL_IP"] = "127.0.0.1"
    os.environ["PYSPARK_PYTHON"] = sys.executable
    os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    builder = SparkSession.builder.master(f"local[{cores}]").appName(app)
    settings = {**LOCAL_CONF, "spark.driver.memory": driver_memory,
                "spark.default.parallelism": str(cores), **(conf or {})}
    for key, value in settings.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session
