"""The Avro type system of PFA: types, type relations and JSON/binary data."""

from pfa.avro.types import (
    BOOLEAN,
    BYTES,
    DOUBLE,
    FLOAT,
    INT,
    LONG,
    NULL,
    STRING,
    AvroArray,
    AvroEnum,
    AvroField,
    AvroFixed,
    AvroMap,
    AvroNamed,
    AvroPrimitive,
    AvroRecord,
    AvroType,
    AvroUnion,
    NoSupertypeError,
    TypeParser,
    accepts,
    narrowest_supertype,
    parse_type,
)

__all__ = [
    "BOOLEAN", "BYTES", "DOUBLE", "FLOAT", "INT", "LONG", "NULL", "STRING",
    "AvroArray", "AvroEnum", "AvroField", "AvroFixed", "AvroMap", "AvroNamed", "AvroPrimitive",
    "AvroRecord", "AvroType", "AvroUnion", "NoSupertypeError", "TypeParser", "accepts",
    "narrowest_supertype", "parse_type",
]
