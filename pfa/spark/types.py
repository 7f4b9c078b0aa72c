"""Spark SQL types of a document's outputs: the Arrow type :mod:`pfa.io.schema` gives each
output column (the same rules as ``pfa score``'s Parquet output), read as a Spark type.

``int`` → IntegerType, ``long`` → LongType, ``float`` → FloatType, ``double`` → DoubleType,
``string``/``enum`` → StringType, ``bytes``/``fixed`` → BinaryType, ``boolean`` → BooleanType,
``array`` → ArrayType, ``map`` → MapType(StringType, …), ``record`` → StructType, a nullable
union ``["null", T]`` → T with nullable set (array items, map values); a type Arrow cannot hold
(a union of several non-null types, a recursive record) → StringType holding Avro's JSON
encoding. Every output column is nullable, and so is every field of a struct: a failed row's
output is null (``on_error="null"``), and Arrow cannot hand Spark a null struct whose fields
are declared non-nullable."""

from __future__ import annotations

from typing import Any

import pyarrow as pa


def spark_type(t: pa.DataType) -> Any:
    """The Spark SQL type of Arrow type ``t`` (one of the types :func:`pfa.avro.arrow.arrow_type`
    makes)."""
    from pyspark.sql import types as T

    simple = {pa.bool_(): T.BooleanType(), pa.int32(): T.IntegerType(),
              pa.int64(): T.LongType(), pa.float32(): T.FloatType(),
              pa.float64(): T.DoubleType(), pa.string(): T.StringType(),
              pa.binary(): T.BinaryType(), pa.null(): T.NullType()}
    if t in simple:
        return simple[t]
    if pa.types.is_fixed_size_binary(t):
        return T.BinaryType()
    if pa.types.is_list(t):
        return T.ArrayType(spark_type(t.value_type), t.value_field.nullable)
    if pa.types.is_map(t):
        return T.MapType(spark_type(t.key_type), spark_type(t.item_type),
                         t.item_field.nullable)
    if pa.types.is_struct(t):
        return T.StructType([T.StructField(f.name, spark_type(f.type), True) for f in t])
    raise TypeError(f"no Spark type for Arrow type {t}")  # not made by pfa.io.schema

