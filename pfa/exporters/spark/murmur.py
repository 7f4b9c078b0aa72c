"""MurmurHash3 (x86, 32 bit) of a string's UTF-8 bytes as a PFA user function, the hash
Spark's HashingTF (≥ 3.0) gives each term, with Spark's seed 42.

PFA has no unsigned 32-bit arithmetic and its ``int``/``long`` operators fail on overflow, so
the 32-bit words are kept as non-negative ``long`` values below 2**32: products are taken in
16-bit halves, shifts are multiplications and floor divisions by powers of two.
"""

from __future__ import annotations

from typing import Any

from pfa.exporters.builder import DocumentBuilder

SEED = 42
_M32 = 1 << 32


def _long(v: int) -> dict[str, int]:
    return {"long": v}


def _mul32(a: Any, c: int) -> Any:
    """``a * c mod 2**32`` for ``a`` below 2**32 without leaving the long range."""
    lo, hi = c & 0xFFFF, c >> 16
    high = {"*": [{"%": [{"*": [a, _long(hi)]}, _long(1 << 16)]}, _long(1 << 16)]}
    return {"%": [{"+": [{"*": [a, _long(lo)]}, high]}, _long(_M32)]}


def _rotl(a: Any, r: int) -> Any:
    return {"+": [{"%": [{"*": [a, _long(1 << r)]}, _long(_M32)]},
                  {"//": [a, _long(1 << (32 - r))]}]}


def _shr_xor(var: str, r: int) -> dict[str, Any]:
    return {"set": {var: {"^": [var, {"//": [var, _long(1 << r)]}]}}}


def _mix_k(var: str) -> list[Any]:
    return [{"set": {var: _mul32(var, 0xCC9E2D51)}}, {"set": {var: _rotl(var, 15)}},
            {"set": {var: _mul32(var, 0x1B873593)}}]


def murmur3_fcn(b: DocumentBuilder) -> str:
    """The name (``u.…``) of the document's ``string -> int`` MurmurHash3 function (added
    once)."""
    key = "fcn:murmur3"
    if key in b.memo:
        return b.memo[key]
    byte = {"unpack": {"bytes.subseq": ["data", "j", {"+": ["j", 1]}]},
            "format": [{"ub": "unsigned byte"}], "then": "ub", "else": 0}
    word = {"unpack": {"bytes.subseq": ["data", "i", {"+": ["i", 4]}]},
            "format": [{"uw": "little unsigned int"}], "then": "uw", "else": _long(0)}
    body = [
        {"let": {"data": {"bytes.encodeUtf8": "s"}}},
        {"let": {"n": {"bytes.len": "data"}}},
        {"let": {"h": _long(SEED)}},
        {"let": {"i": 0}},
        {"let": {"k": _long(0)}},
        {"while": {"<=": [{"+": ["i", 4]}, "n"]}, "do": [
            {"set": {"k": word}}, *_mix_k("k"),
            {"set": {"h": {"^": ["h", "k"]}}}, {"set": {"h": _rotl("h", 13)}},
            {"set": {"h": {"%": [{"+": [{"*": ["h", _long(5)]}, _long(0xE6546B64)]},
                                 _long(_M32)]}}},
            {"set": {"i": {"+": ["i", 4]}}}]},
        {"if": {"<": ["i", "n"]}, "then": [
            {"set": {"k": _long(0)}},
            {"let": {"j": {"-": ["n", 1]}}},
            {"while": {">=": ["j", "i"]}, "do": [
                {"set": {"k": {"+": [{"*": ["k", _long(256)]}, {"cast.long": byte}]}}},
                {"set": {"j": {"-": ["j", 1]}}}]},
            *_mix_k("k"),
            {"set": {"h": {"^": ["h", "k"]}}}]},
        {"set": {"h": {"^": ["h", {"cast.long": "n"}]}}},
        _shr_xor("h", 16), {"set": {"h": _mul32("h", 0x85EBCA6B)}},
        _shr_xor("h", 13), {"set": {"h": _mul32("h", 0xC2B2AE35)}},
        _shr_xor("h", 16),
        {"cast.int": {"if": {">=": ["h", _long(1 << 31)]}, "then": {"-": ["h", _long(_M32)]},
                      "else": "h"}},
    ]
    name = b.fcn("murmur3", {"params": [{"s": "string"}], "ret": "int", "do": body})
    b.memo[key] = name
    return name
