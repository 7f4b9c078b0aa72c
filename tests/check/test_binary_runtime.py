"""pack/unpack at run time for the format specifiers the checker accepts (spec §"Extracting
values from binary: the unpack special form", §"Encoding values in binary: the pack special
form"): "prefixed"/"terminated" and raw sizes beyond any bytes value."""

from __future__ import annotations

import pytest

from pfa import Engine
from pfa.errors import PfaRuntimeError

HUGE = "raw " + "9" * 5000


def test_pack_raw_of_a_huge_size_raises_3000():
    """"raw bytes does not have specified size" (#3000): no bytes value has 10**5000 bytes."""
    eng = Engine.from_json({"input": "bytes", "output": "bytes",
                            "action": {"pack": [{HUGE: "input"}]}})
    with pytest.raises(PfaRuntimeError) as info:
        eng.action(b"ab")
    assert info.value.code == 3000


def test_unpack_raw_of_a_huge_size_takes_else():
    eng = Engine.from_json({"input": "bytes", "output": ["null", "bytes"],
                            "action": {"unpack": "input", "format": [{"x": HUGE}],
                                       "then": "x", "else": None}})
    assert eng.action(b"ab") is None


def test_length_prefixed_pack_over_255_bytes_raises_3001():
    eng = Engine.from_json({"input": "bytes", "output": "bytes",
                            "action": {"pack": [{"prefixed": "input"}]}})
    assert eng.action(b"x" * 255) == b"\xff" + b"x" * 255
    with pytest.raises(PfaRuntimeError) as info:
        eng.action(b"x" * 256)
    assert info.value.code == 3001


@pytest.mark.parametrize("data", [b"", b"\x00", b"\x03abc", b"\x03ab", b"abc\x00", b"\x00\x00"])
def test_prefixed_and_terminated_read_what_pack_writes(data):
    """unpack(pack(v)) == v for "prefixed" and "terminated" (v without zero bytes)."""
    eng = Engine.from_json({
        "input": "bytes", "output": ["null", "bytes"],
        "action": {"unpack": {"pack": [{"prefixed": "input"}, {"terminated": "input"}]},
                   "format": [{"a": "length prefixed"}, {"b": "null terminated"}],
                   "then": {"if": {"==": ["a", "b"]}, "then": "a", "else": None},
                   "else": None}})
    if b"\x00" in data:
        assert eng.action(data) is None  # the terminator ends b early: the sizes mismatch
    else:
        assert eng.action(data) == data
