"""Bytes manipulation library (``bytes.*``): slicing, encoding checks, codecs and base64.

UTF-16 without a byte-order mark is read as big-endian (the Unicode default); ``encodeUtf16``
writes a big-endian byte-order mark followed by big-endian code units.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable

from pfa.lib.registry import CallSite, error, scalar, specialized
from pfa.lib.s import slice_bounds

_BOM_BE = b"\xfe\xff"
_BOM_LE = b"\xff\xfe"


@scalar("bytes.len")
def bytes_len(x: bytes) -> int:
    return len(x)


@scalar("bytes.subseq")
def bytes_subseq(x: bytes, start: int, end: int) -> bytes:
    return x[start:end]


@scalar("bytes.subseqto")
def bytes_subseqto(x: bytes, start: int, end: int, replacement: bytes) -> bytes:
    lo, hi = slice_bounds(len(x), start, end)
    return x[:lo] + replacement + x[hi:]


def _decode_utf16(x: bytes) -> str:
    """UTF-16 with an optional byte-order mark (big-endian when there is none)."""
    if x.startswith(_BOM_BE):
        return x[2:].decode("utf-16-be")
    if x.startswith(_BOM_LE):
        return x[2:].decode("utf-16-le")
    return x.decode("utf-16-be")


def _encode_utf16(s: str) -> bytes:
    return _BOM_BE + s.encode("utf-16-be")


# name suffix -> (decoder of bytes, encoder of str)
_CODECS: dict[str, tuple[Callable[[bytes], str], Callable[[str], bytes]]] = {
    "Ascii": (lambda x: x.decode("ascii"), lambda s: s.encode("ascii")),
    "Latin1": (lambda x: x.decode("latin-1"), lambda s: s.encode("latin-1")),
    "Utf8": (lambda x: x.decode("utf-8"), lambda s: s.encode("utf-8")),
    "Utf16": (_decode_utf16, _encode_utf16),
    "Utf16be": (lambda x: x.decode("utf-16-be"), lambda s: s.encode("utf-16-be")),
    "Utf16le": (lambda x: x.decode("utf-16-le"), lambda s: s.encode("utf-16-le")),
}
_DECODE_CODES = {"Ascii": 16090, "Latin1": 16100, "Utf8": 16110, "Utf16": 16120,
                 "Utf16be": 16130, "Utf16le": 16140}
_ENCODE_CODES = {"Ascii": 16150, "Latin1": 16160, "Utf8": 16170, "Utf16": 16180,
                 "Utf16be": 16190, "Utf16le": 16200}


def _register_codec(suffix: str) -> None:
    decode, encode = _CODECS[suffix]
    is_name, dec_name, enc_name = f"bytes.is{suffix}", f"bytes.decode{suffix}", f"bytes.encode{suffix}"
    dec_code, enc_code = _DECODE_CODES[suffix], _ENCODE_CODES[suffix]

    def is_valid_bytes(x: bytes) -> bool:
        try:
            decode(x)
        except UnicodeError:
            return False
        return True

    def is_valid_string(s: str) -> bool:
        try:
            encode(s)
        except UnicodeError:
            return False
        return True

    def check(site: CallSite) -> Callable[[bytes | str], bool]:
        """Signature 0 checks bytes; signature 1 checks that a string is representable."""
        return is_valid_string if site.sig_index == 1 else is_valid_bytes  # type: ignore[return-value]

    def decoder(x: bytes) -> str:
        try:
            return decode(x)
        except UnicodeError:
            raise error(dec_code) from None

    def encoder(s: str) -> bytes:
        try:
            return encode(s)
        except UnicodeError:
            raise error(enc_code) from None

    specialized(is_name)(check)
    scalar(dec_name)(decoder)
    scalar(enc_name)(encoder)


for _suffix in _CODECS:
    _register_codec(_suffix)


@scalar("bytes.toBase64")
def bytes_to_base64(x: bytes) -> str:
    return base64.b64encode(x).decode("ascii")


@scalar("bytes.fromBase64")
def bytes_from_base64(s: str) -> bytes:
    """Strict standard base64 (padding required, no stray characters)."""
    try:
        return base64.b64decode(s.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeError, ValueError):
        raise error(16220) from None
