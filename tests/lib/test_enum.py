"""Tests of enum.* and fixed.*."""

from __future__ import annotations

from pfa.avro.types import BYTES, AvroEnum, AvroFixed
from tests.lib.helpers import call

COLOR = AvroEnum("Color", ["red", "green", "blue"])
F4 = AvroFixed("F4", 4)


def test_enum_functions():
    assert call("enum.toString", "green", types=(COLOR,)) == "green"
    assert [call("enum.toInt", s, types=(COLOR,)) for s in COLOR.symbols] == [0, 1, 2]
    assert call("enum.numSymbols", "blue", types=(COLOR,)) == 3


def test_fixed_to_bytes():
    assert call("fixed.toBytes", b"abcd", types=(F4,)) == b"abcd"


def test_fixed_from_bytes_overlays():
    types = (F4, BYTES)
    assert call("fixed.fromBytes", b"abcd", b"xy", types=types) == b"xycd"
    assert call("fixed.fromBytes", b"abcd", b"wxyz12", types=types) == b"wxyz"
    assert call("fixed.fromBytes", b"abcd", b"", types=types) == b"abcd"
    assert call("fixed.fromBytes", b"abcd", b"1234", types=types) == b"1234"
