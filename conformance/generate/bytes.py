"""Cases for bytes, fixed, enum, cast and impute."""

from __future__ import annotations

import base64
import binascii
import json
import math
import struct

from conformance.generate._helper import (
    INF,
    INT_MAX,
    INT_MIN,
    LONG_MAX,
    LONG_MIN,
    NAN,
    Err,
    Module,
    X,
    arr,
    f32,
)

BY, S, IN, B = "bytes", "string", "int", "boolean"
SAMPLE = [(b"hello",), (b"",), (b"\xc3\xa9t\xc3\xa9",), (b"\xff\xfe",), (b"\x00\x7f\x80",),
          (b"\xfe\xff\x00A",), (b"\xd8\x00",)]


def _ok(codec: str):
    def ref(x):
        if isinstance(x, str):
            try:
                x.encode(codec)
                return True
            except UnicodeError:
                return False
        try:
            x.decode(codec)
            return True
        except UnicodeError:
            return False
    return ref


def _dec(codec: str, code: int):
    def ref(x):
        try:
            return x.decode(codec)
        except UnicodeError:
            raise Err(code) from None
    return ref


def _enc(codec: str, code: int):
    def ref(s):
        try:
            return s.encode(codec)
        except UnicodeError:
            raise Err(code) from None
    return ref


def build_bytes() -> Module:
    g = Module("bytes")
    g.fn("bytes.len", [BY], IN, len, SAMPLE)
    g.fn("bytes.subseq", [BY, IN, IN], BY, lambda x, a, b: x[a:b],
         [(b"abcdef", 1, 3), (b"abcdef", -2, 100), (b"abc", 2, 1), (b"", 0, 5), (b"\x00\xff", 1, 2)])

    def subseqto(x, a, b, r):
        a2 = slice(a, None).indices(len(x))[0]
        b2 = max(slice(b, None).indices(len(x))[0], a2)
        return x[:a2] + r + x[b2:]

    g.fn("bytes.subseqto", [BY, IN, IN, BY], BY, subseqto,
         [(b"abcdef", 1, 3, b"XY"), (b"abc", -1, 10, b""), (b"abc", 2, 0, b"Z"),
          (b"", 0, 0, b"\x00"), (b"\xff\xfe", 0, 1, b"\x01\x02")])
    strs = [("hello",), ("",), ("été",), ("日本",), ("\u00ff",)]
    for name, codec in (("Ascii", "ascii"), ("Latin1", "latin-1"), ("Utf8", "utf-8"),
                        ("Utf16be", "utf-16-be"), ("Utf16le", "utf-16-le")):
        rows = SAMPLE if name != "Latin1" else SAMPLE
        g.fn(f"bytes.is{name}", [BY], B, _ok(codec), rows)
        g.fn(f"bytes.is{name}", [S], B, _ok(codec), strs)
        code = {"Ascii": 16090, "Latin1": 16100, "Utf8": 16110, "Utf16be": 16130,
                "Utf16le": 16140}[name]
        g.fn(f"bytes.decode{name}", [BY], S, _dec(codec, code),
             [r for r in SAMPLE if not (name.startswith("Utf16") and len(r[0]) % 2)] +
             [(b"\xd8\x00\x00A",)] if name.startswith("Utf16") else SAMPLE)
        ecode = {"Ascii": 16150, "Latin1": 16160, "Utf8": 16170, "Utf16be": 16190,
                 "Utf16le": 16200}[name]
        g.fn(f"bytes.encode{name}", [S], BY, _enc(codec, ecode), strs)
    u16 = [(b"\xfe\xff\x00A",), (b"\xff\xfeA\x00",), (b"\x00A\x00B",), (b"",), (b"\x00",),
           (b"\xd8\x00",)]

    def is16(x):
        try:
            x.decode("utf-16-be" if not x.startswith(b"\xff\xfe") else "utf-16")
            return True
        except UnicodeError:
            return False

    g.fn("bytes.isUtf16", [BY], B, is16, u16,
         note="no byte-order mark: big-endian (Unicode default)")
    g.fn("bytes.isUtf16", [S], B, lambda s: True, strs)

    def dec16(x):
        try:
            return x.decode("utf-16-be" if not x.startswith(b"\xff\xfe") else "utf-16")\
                .lstrip("\ufeff")
        except UnicodeError:
            raise Err(16120) from None

    g.fn("bytes.decodeUtf16", [BY], S, dec16, u16)
    g.fn("bytes.encodeUtf16", [S], S, None,
         [X((s,), out=s) for (s,) in strs],
         action={"bytes.decodeUtf16": [{"bytes.encodeUtf16": ["input"]}]},
         note="byte order is implementation-defined (unstable): checked by round trip")
    b64 = [(b"hello",), (b"",), (b"\x00\xff\x10",), (b"ab",), (b"abcd",)]
    g.fn("bytes.toBase64", [BY], S, lambda x: base64.b64encode(x).decode(), b64)

    def from64(s):
        try:
            return base64.b64decode(s, validate=True)
        except (binascii.Error, ValueError):
            raise Err(16220) from None

    g.fn("bytes.fromBase64", [S], BY, from64,
         [("aGVsbG8=",), ("",), ("AP8Q",), ("!!!",), ("YWI=",), ("abc",)])
    return g


def build_fixed() -> Module:
    g = Module("fixed")
    f4 = {"type": "fixed", "name": "F4", "size": 4}
    rows = [(b"abcd",), (b"\x00\x00\x00\x00",), (b"\xff\xfe\xfd\xfc",), (b"a\x00b\x00",),
            (b"1234",)]
    g.fn("fixed.toBytes", [f4], BY, bytes, rows)
    g.fn("fixed.fromBytes", [f4, BY], "F4", lambda o, r: (r + o[len(r):])[:4],
         [(b"abcd", b"XY"), (b"abcd", b""), (b"abcd", b"123456"), (b"\x00\x00\x00\x00", b"\xff"),
          (b"abcd", b"WXYZ")])
    return g


def build_enum() -> Module:
    g = Module("enum")
    e = {"type": "enum", "name": "Color", "symbols": ["RED", "GREEN", "BLUE", "Z_last"]}
    syms = e["symbols"]
    rows = [(s,) for s in syms] + [("RED",)]
    g.fn("enum.toString", [e], S, str, rows)
    g.fn("enum.toInt", [e], IN, syms.index, rows)
    g.fn("enum.numSymbols", [e], IN, lambda x: len(syms), rows)
    return g


def _zz(n: int) -> bytes:
    """Avro zig-zag varint."""
    n = (n << 1) ^ (n >> 63)
    out = bytearray()
    while n & ~0x7F:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def build_cast() -> Module:
    g = Module("cast")

    def signed(x, bits):
        if not 2 <= bits <= 64:
            raise Err(17000)
        v = x & ((1 << bits) - 1)
        return v - (1 << bits) if v >= 1 << (bits - 1) else v

    def unsigned(x, bits):
        if not 1 <= bits <= 63:
            raise Err(17010)
        return x & ((1 << bits) - 1)

    rows = [(255, 8), (127, 8), (-1, 8), (2**40 + 3, 32), (LONG_MIN, 64), (5, 1), (5, 65),
            (-1, 63), (-2, 64)]
    g.fn("cast.signed", ["long", IN], "long", signed, rows)
    g.fn("cast.unsigned", ["long", IN], "long", unsigned, rows)

    def to_int(lo, hi, code):
        def ref(x):
            if isinstance(x, float):
                if math.isnan(x) or math.isinf(x):
                    raise Err(code)
                x = math.floor(x + 0.5)
            if not lo <= x <= hi:
                raise Err(code)
            return x
        return ref

    ti = to_int(INT_MIN, INT_MAX, 17020)
    tl = to_int(LONG_MIN, LONG_MAX, 17030)
    g.fn("cast.int", [IN], IN, ti, [(5,), (INT_MIN,)])
    g.fn("cast.int", ["long"], IN, ti, [(2**31,), (-7,), (INT_MAX,)])
    g.fn("cast.int", ["double"], IN, ti, [(2.7,), (-2.7,), (2.5,), (3e9,), (NAN,), (-INF,)])
    g.fn("cast.int", ["float"], IN, ti, [(1.25,)])
    g.fn("cast.long", [IN], "long", tl, [(INT_MIN,), (3,)])
    g.fn("cast.long", ["long"], "long", tl, [(LONG_MAX,)])
    g.fn("cast.long", ["double"], "long", tl, [(1e18 + 0.0,), (-3.6,), (1e19,), (NAN,), (INF,)])
    g.fn("cast.long", ["float"], "long", tl, [(-8.5,)])
    g.fn("cast.float", [IN], "float", lambda x: f32(float(x)), [(16777217,), (0,), (-5,)],
         rtol=1e-7)
    g.fn("cast.float", ["long"], "float", lambda x: f32(float(x)), [(LONG_MAX,)], rtol=1e-7)
    g.fn("cast.float", ["double"], "float", f32, [(0.1,), (1e39,), (NAN,), (-INF,)], rtol=1e-7)
    g.fn("cast.float", ["float"], "float", f32, [(2.5,)], rtol=1e-7)
    g.fn("cast.double", [IN], "double", float, [(INT_MAX,), (-1,)])
    g.fn("cast.double", ["long"], "double", float, [(LONG_MIN,), (2**53 + 1,)])
    g.fn("cast.double", ["float"], "double", float, [(f32(0.1),), (INF,)])
    g.fn("cast.double", ["double"], "double", float, [(NAN,)])
    e = {"type": "enum", "name": "E", "symbols": ["A", "B", "C"]}

    def fan(cast):
        def enum_ref(x):
            return [cast(x == s) for s in e["symbols"]]

        def dict_ref(x, d, oor, code):
            if len(set(d)) != len(d):
                raise Err(code)
            out = [cast(x == s) for s in d]
            return out + [cast(x not in d)] if oor else out

        def int_ref(x, lo, hi, oor):
            out = [cast(x == v) for v in range(lo, hi)]
            return out + [cast(not lo <= x < hi)] if oor else out
        return enum_ref, dict_ref, int_ref

    for suffix, t, cast, code in (("Boolean", B, bool, 17060), ("Int", IN, int, 17070),
                                  ("Long", "long", int, 17080), ("Float", "float", float, 17090),
                                  ("Double", "double", float, 17100)):
        name = f"cast.fanout{suffix}"
        er, dr, ir = fan(cast)
        g.fn(name, [e], arr(t), er, [("A",), ("C",)])
        g.fn(name, [S, arr(S), B], arr(t), lambda x, d, o, dr=dr, code=code: dr(x, d, o, code),
             [("b", ["a", "b", "c"], False), ("z", ["a", "b"], True), ("a", ["a", "a"], False),
              ("", [], True)])
        g.fn(name, [IN, IN, IN, B], arr(t), ir,
             [(3, 1, 5, False), (9, 1, 5, True), (0, 0, 2, True)])
    g.fn("cast.avro", [IN], BY, _zz, [(0,), (-1,), (1,), (64,), (INT_MIN,)])
    g.fn("cast.avro", [S], BY, lambda s: _zz(len(s.encode())) + s.encode(), [("",), ("héllo",)])
    g.fn("cast.avro", ["double"], BY, lambda x: struct.pack("<d", x), [(1.5,)])
    g.fn("cast.avro", [arr("long")], BY,
         lambda a: (_zz(len(a)) + b"".join(_zz(v) for v in a) if a else b"") + b"\x00",
         [([1, 2, 3],), ([],)])
    g.fn("cast.json", [IN], S, json.dumps, [(5,), (-7,), (INT_MAX,)])
    g.fn("cast.json", [S], S, json.dumps, [("abc",), ("",)])
    g.fn("cast.json", [B], S, json.dumps, [(True,)])
    g.fn("cast.json", ["null"], S, json.dumps, [(None,)])
    return g


def build_impute() -> Module:
    g = Module("impute")
    ou = [IN, "null"]

    def err_null(x):
        if x is None:
            raise Err(21000)
        return x

    g.fn("impute.errorOnNull", [ou], IN, err_null, [(3,), (None,), (0,), (-5,), (INT_MAX,)])
    g.fn("impute.errorOnNull", [["null", S]], S, err_null, [("x",), (None,)])
    g.fn("impute.defaultOnNull", [ou, IN], IN, lambda x, d: d if x is None else x,
         [(3, 7), (None, 7), (0, -1), (None, 0), (INT_MIN, 1)])
    g.fn("impute.defaultOnNull", [[arr(IN), "null"], arr(IN)], arr(IN),
         lambda x, d: d if x is None else x, [([1], [2]), (None, [])])
    fl = [(1.5,), (0.0,), (NAN,), (INF,), (-INF,), (-2.0,)]
    for name, f in (("impute.isnan", math.isnan), ("impute.isinf", math.isinf),
                    ("impute.isnum", lambda x: not (math.isnan(x) or math.isinf(x)))):
        g.fn(name, ["double"], B, f, fl)
        g.fn(name, ["float"], B, f, [(NAN,), (1.0,)])

    def err_nonnum(x):
        if math.isnan(x):
            raise Err(21050)
        if math.isinf(x):
            raise Err(21051 if x > 0 else 21052)
        return x

    g.fn("impute.errorOnNonNum", ["double"], "double", err_nonnum, fl)
    g.fn("impute.errorOnNonNum", ["float"], "float", err_nonnum, [(NAN,), (2.5,)])
    dn = [(1.5, 0.0), (NAN, 0.0), (INF, -1.0), (-INF, 9.0), (0.0, 1.0)]

    def dnn(x, d):
        return d if math.isnan(x) or math.isinf(x) else x

    g.fn("impute.defaultOnNonNum", ["double", "double"], "double", dnn, dn)
    g.fn("impute.defaultOnNonNum", ["float", "float"], "float", dnn, [(NAN, 2.5)])
    return g


def build() -> list[Module]:
    return [build_bytes(), build_fixed(), build_enum(), build_cast(), build_impute()]
