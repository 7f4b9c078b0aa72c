"""Cases for s (strings), re (regular expressions) and parse."""

from __future__ import annotations

import re

from conformance.generate._helper import INF, LONG_MAX, LONG_MIN, NAN, Err, Module, arr, f32

S, IN, B = "string", "int", "boolean"


def _norm(i: int, n: int) -> int:
    """Python slice normalisation of one index."""
    return slice(i, None).indices(n)[0]


def _substr(s: str, a: int, b: int) -> str:
    return s[a:b]


def _substrto(s: str, a: int, b: int, r: str) -> str:
    n = len(s)
    a2, b2 = _norm(a, n), _norm(b, n)
    if b2 < a2:
        b2 = a2
    return s[:a2] + r + s[b2:]


def _count(h: str, n: str) -> int:
    return 0 if n == "" else h.count(n)


def _split(s: str, sep: str) -> list[str]:
    return [] if sep == "" else s.split(sep)


def _translate(s: str, old: str, new: str) -> str:
    table = {}
    for i, c in enumerate(old):
        if c not in table:
            table[c] = new[i] if i < len(new) else ""
    return "".join(table.get(c, c) for c in s)


def _fmt(x: int, width: int | None, zero: bool, spec: str, code: int, neg_code=None) -> str:
    if neg_code is not None and x < 0:
        raise Err(neg_code)
    if width is not None and width < 0 and zero:
        raise Err(code)
    if width is None:
        return format(x, spec)
    if width < 0:
        return format(x, f"<{-width}{spec}")
    return format(x, f"{'0' if zero else ''}{width}{spec}")


def build_s() -> Module:
    g = Module("s")
    words = [("hello",), ("",), ("héllo wörld",), ("日本語",), ("a b",)]
    g.fn("s.len", [S], IN, len, words)
    g.fn("s.substr", [S, IN, IN], S, _substr,
         [("abcdef", 1, 4), ("abcdef", -3, -1), ("abcdef", 4, 1), ("abc", 0, 100), ("", 0, 1),
          ("héllo", 1, 3), ("abc", -100, 2)])
    g.fn("s.substrto", [S, IN, IN, S], S, _substrto,
         [("abcdef", 1, 4, "XY"), ("abcdef", -2, 100, ""), ("abc", 2, 1, "Z"), ("", 0, 0, "new"),
          ("abc", 0, 3, "ñ")])
    pairs = [("hello world", "o"), ("hello", ""), ("", "x"), ("aaaa", "aa"), ("héllo", "l"),
             ("abc", "abcd"), ("abcabc", "abc")]
    g.fn("s.contains", [S, S], B, lambda h, n: n in h, pairs)
    g.fn("s.count", [S, S], IN, _count, pairs)
    g.fn("s.index", [S, S], IN, lambda h, n: h.find(n), pairs)
    g.fn("s.rindex", [S, S], IN, lambda h, n: h.rfind(n), pairs)
    g.fn("s.startswith", [S, S], B, lambda h, n: h.startswith(n), pairs + [("hello", "he")])
    g.fn("s.endswith", [S, S], B, lambda h, n: h.endswith(n), pairs + [("hello", "llo")])
    g.fn("s.join", [arr(S), S], S, lambda a, sep: sep.join(a),
         [(["a", "b", "c"], ", "), ([], "-"), (["x"], "-"), (["", ""], ""), (["é", "ü"], "·")])
    g.fn("s.split", [S, S], arr(S), _split,
         [("a,b,c", ","), ("abc", ","), (",a,", ","), ("", ","), ("a--b", "--"), ("abc", "")],
         note="empty separator gives an empty array (spec)")
    g.fn("s.hex", ["long"], S, lambda x: _fmt(x, None, False, "x", 39110, 39111),
         [(255,), (0,), (2**40,), (LONG_MAX,), (-1,)])
    g.fn("s.hex", ["long", IN, B], S, lambda x, w, z: _fmt(x, w, z, "x", 39110, 39111),
         [(255, 6, True), (255, 6, False), (255, -6, False), (255, -6, True), (4096, 2, True),
          (-5, 4, False)])
    g.fn("s.int", ["long"], S, lambda x: _fmt(x, None, False, "d", 39240),
         [(0,), (-42,), (LONG_MIN,), (12345,), (LONG_MAX,)])
    g.fn("s.int", ["long", IN, B], S, lambda x, w, z: _fmt(x, w, z, "d", 39240),
         [(42, 5, True), (-42, 5, True), (42, -5, False), (42, -5, True), (123456, 3, False)])
    g.fn("s.number", ["long"], S, str, [(0,), (-17,), (LONG_MAX,), (1000000,), (7,)])
    g.fn("s.number", ["long", IN, B], S, lambda x, w, z: _fmt(x, w, z, "d", 39120),
         [(42, 6, True), (42, -6, False), (42, -6, True), (-3, 4, True), (5, 0, False)])
    onull = [IN, "null"]

    def num(x, w, p):
        if p is not None and p < 0:
            raise Err(39121)
        s = f"{x:.{p}f}"
        return s if w is None else f"{s:>{w}}"

    g.fn("s.number", ["double", onull, onull], S, num,
         [(3.14159, None, 2), (3.14159, 10, 3), (-2.5, None, 1), (0.0, None, 3), (1.5, None, -1),
          (2.0, 6, 2)], src="hand", note="explicit precision: fixed notation")
    g.fn("s.concat", [S, S], S, lambda a, b: a + b,
         [("ab", "cd"), ("", ""), ("", "x"), ("é", "ü"), ("日", "本")])
    g.fn("s.repeat", [S, IN], S, lambda s, n: s * max(n, 0),
         [("ab", 3), ("x", 0), ("", 5), ("é", 2), ("abc", 1)])
    g.fn("s.lower", [S], S, str.lower, [("HeLLo",), ("",), ("ÀÉÎ",), ("123",), ("MiXeD cAsE",)])
    g.fn("s.upper", [S], S, str.upper, [("HeLLo",), ("",), ("àéî",), ("123",), ("mixed",)])
    strip_rows = [("  hi  ", " "), ("xxhixx", "x"), ("abcba", "ab"), ("", "x"), ("hi", ""),
                  ("éaé", "é")]
    g.fn("s.lstrip", [S, S], S, lambda s, c: s.lstrip(c) if c else s, strip_rows)
    g.fn("s.rstrip", [S, S], S, lambda s, c: s.rstrip(c) if c else s, strip_rows)
    g.fn("s.strip", [S, S], S, lambda s, c: s.strip(c) if c else s, strip_rows)
    rep = [("abcabc", "b", "X"), ("aaa", "a", ""), ("abc", "z", "Y"), ("", "a", "b"),
           ("héhé", "é", "e"), ("abab", "ab", "abab")]
    g.fn("s.replaceall", [S, S, S], S, lambda s, o, r: s.replace(o, r), rep)
    g.fn("s.replacefirst", [S, S, S], S, lambda s, o, r: s.replace(o, r, 1), rep)

    def replacelast(s, o, r):
        i = s.rfind(o)
        return s if i < 0 else s[:i] + r + s[i + len(o):]

    g.fn("s.replacelast", [S, S, S], S, replacelast, rep)
    g.fn("s.translate", [S, S, S], S, _translate,
         [("hello", "el", "ip"), ("hello", "lo", "x"), ("", "a", "b"), ("abc", "", "xyz"),
          ("aabbcc", "abc", "ABC"), ("héllo", "é", "e")])
    return g


def _c(p: str):
    try:
        return re.compile(p)
    except re.error:
        return None


def _rx(code: int, f):
    def ref(h, p, *rest):
        rx = _c(p)
        if rx is None:
            raise Err(code)
        return f(h, rx, *rest)
    return ref


def _findall(h, rx):
    return [m.group(0) for m in rx.finditer(h)]


def _rsplit(h, rx):
    """titus2's re.split: leading/trailing empty pieces dropped."""
    out, beg = [], 0
    ms = list(rx.finditer(h))
    if not ms:
        return [h]
    for m in ms:
        out.append(h[beg:m.start()])
        beg = m.end()
    if beg != len(h):
        out.append(h[beg:])
    if ms[0].start() == 0:
        out = out[1:]
    return out


def build_re() -> Module:
    g = Module("re")
    rows = [("abcbcd", "bc"), ("aaa", "a+"), ("hello", "z"), ("", "a"), ("a1b22c333", "[0-9]+"),
            ("abc", "(")]
    A = arr(IN)

    def index(h, rx):
        m = rx.search(h)
        return [m.start(), m.end()] if m else []

    def rindex(h, rx):
        ms = list(rx.finditer(h))
        return [ms[-1].start(), ms[-1].end()] if ms else []

    def groups(h, rx):
        m = rx.search(h)
        return [[m.start(i), m.end(i)] for i in range(rx.groups + 1)] if m else []

    g.fn("re.index", [S, S], A, _rx(35000, index), rows)
    g.fn("re.index", ["bytes", "bytes"], A, _rx(35000, index),
         [(b"xyzabc", b"abc"), (b"\x00\x01", b"q")], args=[0, 1])
    g.fn("re.contains", [S, S], B, _rx(35010, lambda h, rx: rx.search(h) is not None), rows)
    g.fn("re.count", [S, S], IN, _rx(35020, lambda h, rx: len(rx.findall(h))), rows)
    g.fn("re.rindex", [S, S], A, _rx(35030, rindex), rows)
    grows = [("xaby", "(a)(b)"), ("abab", "(a)b"), ("zzz", "(q)"), ("a1", "([a-z])([0-9])"),
             ("abc", "(a")]
    g.fn("re.groups", [S, S], arr(A), _rx(35040, groups), grows)
    g.fn("re.indexall", [S, S], arr(A),
         _rx(35050, lambda h, rx: [[m.start(), m.end()] for m in rx.finditer(h)]), rows)
    g.fn("re.findall", [S, S], arr(S), _rx(35060, _findall), rows)
    g.fn("re.findall", ["bytes", "bytes"], arr("bytes"), _rx(35060, _findall),
         [(b"a1b2", b"[0-9]"), (b"", b"x")])

    def first(h, rx):
        m = rx.search(h)
        return m.group(0) if m else None

    g.fn("re.findfirst", [S, S], [S, "null"], _rx(35070, first), rows)
    g.fn("re.findgroupsfirst", [S, S], arr(S),
         _rx(35080, lambda h, rx: [m.group(i) for i in range(rx.groups + 1)]
             if (m := rx.search(h)) else []), grows,
         note="group 0 (the whole match) comes first, as in titus2")
    g.fn("re.findgroupsall", [S, S], arr(arr(S)),
         _rx(35090, lambda h, rx: [[m.group(i) for i in range(rx.groups + 1)]
                                   for m in rx.finditer(h)]), grows)
    g.fn("re.groupsall", [S, S], arr(arr(A)),
         _rx(35100, lambda h, rx: [[[m.start(i), m.end(i)] for i in range(rx.groups + 1)]
                                   for m in rx.finditer(h)]), grows)
    rrows = [("abcabc", "b", "X"), ("aaa", "a+", "-"), ("hello", "z", "Y"), ("", "a", "b"),
             ("a1b22", "[0-9]+", "#"), ("abc", "[", "x")]
    g.fn("re.replacefirst", [S, S, S], S, _rx(35110, lambda h, rx, r: rx.sub(
        lambda m: r, h, count=1)), rrows)

    def rlast(h, rx, r):
        ms = list(rx.finditer(h))
        if not ms:
            return h
        m = ms[-1]
        return h[:m.start()] + r + h[m.end():]

    g.fn("re.replacelast", [S, S, S], S, _rx(35120, rlast), rrows)
    g.fn("re.replaceall", [S, S, S], S, _rx(35140, lambda h, rx, r: rx.sub(lambda m: r, h)),
         rrows)
    g.fn("re.replaceall", ["bytes", "bytes", "bytes"], "bytes",
         _rx(35140, lambda h, rx, r: rx.sub(lambda m: r, h)), [(b"a.b.c", b"[.]", b"/")])
    g.fn("re.split", [S, S], arr(S), _rx(35130, _rsplit),
         [("a,b,,c", ","), ("a1b22c", "[0-9]+"), ("abc", "x"), (",a,", ","), ("a b", "("),
          ("1a2", "[0-9]")],
         note="titus2 convention: empty first/last pieces are dropped")
    return g


def _parse_int(bits: int, code: int):
    def ref(s, base):
        if not 2 <= base <= 36:
            raise Err(code + 1)
        try:
            v = int(s.strip(), base)
        except ValueError:
            raise Err(code) from None
        if not -2**(bits - 1) <= v < 2**(bits - 1):
            raise Err(code)
        return v
    return ref


def _parse_float(code: int, single: bool):
    def ref(s):
        t = s.strip()
        specials = {"nan": NAN, "inf": INF, "+inf": INF, "-inf": -INF, "infinity": INF,
                    "-infinity": -INF}
        if t.lower() in specials:
            return specials[t.lower()]
        try:
            v = float(t)
        except ValueError:
            raise Err(code) from None
        return f32(v) if single else v
    return ref


def build_parse() -> Module:
    g = Module("parse")
    rows = [("42", 10), ("-17", 10), ("ff", 16), ("101", 2), ("z", 36), ("2147483648", 10),
            ("12x", 10), ("", 10), ("10", 1), ("10", 37)]
    g.fn("parse.int", [S, IN], IN, _parse_int(32, 33000), rows)
    g.fn("parse.long", [S, IN], "long", _parse_int(64, 33010),
         [("9223372036854775807", 10), ("-9223372036854775809", 10), ("7fffffff", 16),
          ("abc", 10), ("5", 0), ("-1", 10)])
    frows = [("3.5",), ("-0.25",), ("1e3",), ("abc",), ("",), (" 2.0 ",), ("1e400",)]
    g.fn("parse.float", [S], "float", _parse_float(33020, True), frows, rtol=1e-6)
    g.fn("parse.double", [S], "double", _parse_float(33030, False), frows)
    return g


def build() -> list[Module]:
    return [build_s(), build_re(), build_parse()]
