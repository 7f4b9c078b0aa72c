"""bytes.* functions, checked against Python's codecs and base64 module."""

from __future__ import annotations

import base64

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pfa.avro.types import BYTES, STRING
from tests.lib.helpers import call, fn, raises


@given(st.binary(max_size=20), st.integers(-25, 25), st.integers(-25, 25))
def test_subseq_is_slicing(x, start, end):
    assert call("bytes.subseq", x, start, end) == x[start:end]
    expected = bytearray(x)
    expected[start:end] = b"RR"
    assert call("bytes.subseqto", x, start, end, b"RR") == bytes(expected)


def test_len_and_subseq_examples():
    assert call("bytes.len", b"") == 0
    assert call("bytes.len", "对".encode()) == 3
    assert call("bytes.subseq", b"abcdef", -3, -1) == b"de"
    assert call("bytes.subseqto", b"abcdef", 4, 1, b"X") == b"abcdXef"


@pytest.mark.parametrize(("name", "good", "bad"), [
    ("bytes.isAscii", b"plain", b"caf\xc3\xa9"),
    ("bytes.isUtf8", "café".encode(), b"\xc3\x28"),
    ("bytes.isUtf16", b"\xff\xfea\x00", b"\x00a\x00"),
    ("bytes.isUtf16be", b"\x00a\x00b", b"\xd8\x00"),
    ("bytes.isUtf16le", b"a\x00b\x00", b"\x00\xd8"),
])
def test_is_checks_on_bytes(name, good, bad):
    f = fn(name, BYTES)
    assert f(good) is True
    assert f(bad) is False


def test_latin1_accepts_every_byte():
    assert fn("bytes.isLatin1", BYTES)(bytes(range(256))) is True


def test_is_checks_on_strings():
    assert fn("bytes.isAscii", STRING)("abc") is True
    assert fn("bytes.isAscii", STRING)("café") is False
    assert fn("bytes.isLatin1", STRING)("café") is True
    assert fn("bytes.isLatin1", STRING)("対") is False
    assert fn("bytes.isUtf8", STRING)("対😀") is True
    assert fn("bytes.isUtf8", STRING)("\ud800") is False
    for suffix in ("Utf16", "Utf16be", "Utf16le"):
        assert fn(f"bytes.is{suffix}", STRING)("😀") is True
        assert fn(f"bytes.is{suffix}", STRING)("\udc00") is False


def test_decoders():
    assert call("bytes.decodeAscii", b"abc") == "abc"
    assert call("bytes.decodeLatin1", b"caf\xe9") == "café"
    assert call("bytes.decodeUtf8", "対😀".encode()) == "対😀"
    assert call("bytes.decodeUtf16", b"\xfe\xff\x00a") == "a"
    assert call("bytes.decodeUtf16", b"\xff\xfea\x00") == "a"
    assert call("bytes.decodeUtf16", b"\x00a") == "a"      # no BOM: big-endian
    assert call("bytes.decodeUtf16be", b"\x00a") == "a"
    assert call("bytes.decodeUtf16le", b"a\x00") == "a"


@pytest.mark.parametrize(("name", "code", "bad"), [
    ("bytes.decodeAscii", 16090, b"\x80"),
    ("bytes.decodeUtf8", 16110, b"\xff"),
    ("bytes.decodeUtf16", 16120, b"\x00"),
    ("bytes.decodeUtf16be", 16130, b"\xdc\x00"),
    ("bytes.decodeUtf16le", 16140, b"a"),
])
def test_decoder_errors(name, code, bad):
    raises(code, fn(name, BYTES), bad)


def test_decode_latin1_never_fails():
    assert call("bytes.decodeLatin1", bytes(range(256))) == bytes(range(256)).decode("latin-1")


def test_encoders():
    assert call("bytes.encodeAscii", "abc") == b"abc"
    assert call("bytes.encodeLatin1", "café") == b"caf\xe9"
    assert call("bytes.encodeUtf8", "対") == "対".encode()
    assert call("bytes.encodeUtf16", "a") == b"\xfe\xff\x00a"
    assert call("bytes.encodeUtf16be", "a😀") == "a😀".encode("utf-16-be")
    assert call("bytes.encodeUtf16le", "a😀") == "a😀".encode("utf-16-le")


@pytest.mark.parametrize(("name", "code", "bad"), [
    ("bytes.encodeAscii", 16150, "café"),
    ("bytes.encodeLatin1", 16160, "対"),
    ("bytes.encodeUtf8", 16170, "\ud800"),
    ("bytes.encodeUtf16", 16180, "\ud800"),
    ("bytes.encodeUtf16be", 16190, "\udfff"),
    ("bytes.encodeUtf16le", 16200, "\ud800x"),
])
def test_encoder_errors(name, code, bad):
    raises(code, fn(name, STRING), bad)


@given(st.text())
def test_utf_round_trips(s):
    s = s.encode("utf-16", "surrogatepass").decode("utf-16", "replace")  # no lone surrogates
    for suffix in ("Utf8", "Utf16", "Utf16be", "Utf16le"):
        assert call(f"bytes.decode{suffix}", call(f"bytes.encode{suffix}", s)) == s


@given(st.binary(max_size=64))
def test_base64_round_trip(x):
    text = call("bytes.toBase64", x)
    assert text == base64.b64encode(x).decode()
    assert call("bytes.fromBase64", text) == x


def test_base64_examples_and_errors():
    assert call("bytes.toBase64", b"") == ""
    assert call("bytes.fromBase64", "") == b""
    assert call("bytes.fromBase64", "aGVsbG8=") == b"hello"
    for bad in ("aGVsbG8", "a$==", "aGVs bG8=", "é==="):
        raises(16220, fn("bytes.fromBase64", STRING), bad)
