"""Cases for the a (array) library."""

from __future__ import annotations

import functools
import itertools
import math
from collections import Counter

from conformance.generate._helper import (
    EVEN,
    INF,
    INT_MAX,
    LONG_MAX,
    LT,
    NAN,
    Err,
    Module,
    X,
    arr,
    fcndef,
    mp,
)

IN, D, S, B = "int", "double", "string", "boolean"
AI, AD, AS = arr("int"), arr("double"), arr("string")
GT_AS_LT = fcndef([("a", IN), ("b", IN)], B, {">": ["a", "b"]})  # reversed order
DBL = fcndef([("x", IN)], IN, {"*": ["x", 2]})
STR = fcndef([("x", IN)], S, {"s.int": ["x"]})
ARRS = [([3, 1, 2],), ([],), ([5],), ([-1, -1, 0],), ([INT_MAX, 0, -7, 4],)]


def _sl(i: int, n: int) -> int:
    return slice(i, None).indices(n)[0]


def _nonempty(code: int, f):
    def ref(a, *rest):
        if not a:
            raise Err(code)
        return f(a, *rest)
    return ref


def _needle(h, n):
    """positions where needle (array → subsequence, scalar → element) occurs"""
    if isinstance(n, list):
        if not n:
            return list(range(len(h) + 1))
        return [i for i in range(len(h) - len(n) + 1) if h[i:i + len(n)] == n]
    return [i for i, x in enumerate(h) if x == n]


def _topn(a, n, reverse, code):
    if not a:
        raise Err(code)
    if n < 0:
        raise Err(code + 1)
    idx = sorted(range(len(a)), key=lambda i: (-a[i] if reverse else a[i], i))
    return idx[:n]


def build() -> Module:
    g = Module("a")
    g.fn("a.len", [AI], IN, len, ARRS)
    g.fn("a.len", [AS], IN, len, [(["é", ""],)])
    g.fn("a.subseq", [AI, IN, IN], AI, lambda a, s, e: a[s:e],
         [([1, 2, 3, 4], 1, 3), ([1, 2, 3], -2, 100), ([1, 2, 3], 2, 1), ([], 0, 3),
          ([1, 2], -100, -1)])
    for name, code, f in (("a.head", 15020, lambda a: a[0]), ("a.last", 15040, lambda a: a[-1])):
        g.fn(name, [AI], IN, _nonempty(code, f), ARRS)
    for name, code, f in (("a.tail", 15030, lambda a: a[1:]), ("a.init", 15050, lambda a: a[:-1])):
        g.fn(name, [AI], AI, _nonempty(code, f), ARRS)

    def subseqto(a, s, e, r):
        s2 = _sl(s, len(a))
        e2 = max(_sl(e, len(a)), s2)
        return a[:s2] + r + a[e2:]

    g.fn("a.subseqto", [AI, IN, IN, AI], AI, subseqto,
         [([1, 2, 3, 4], 1, 3, [9]), ([1, 2, 3], -1, 10, []), ([1, 2], 1, 0, [7, 8]),
          ([], 0, 0, [1]), ([1, 2, 3], 0, 3, [])])
    hay = [([1, 2, 3, 2], [2, 3]), ([1, 2, 3], [3, 1]), ([], [1]), ([1, 2], []), ([4, 4, 4], [4, 4])]
    scal = [([1, 2, 3, 2], 2), ([1, 2], 5), ([], 0)]
    g.fn("a.contains", [AI, AI], B, lambda h, n: bool(_needle(h, n)), hay)
    g.fn("a.contains", [AI, IN], B, lambda h, n: bool(_needle(h, n)), scal)
    g.fn("a.contains", [AI], B, lambda h: any(x % 2 == 0 for x in h), [([1, 3],), ([1, 4],)],
         args=[0, EVEN])
    g.fn("a.count", [AI, AI], IN, lambda h, n: 0 if not n else len(_needle(h, n)), hay,
         note="empty needle counts zero (as s.count)")
    g.fn("a.count", [AI, IN], IN, lambda h, n: len(_needle(h, n)), scal)
    g.fn("a.count", [AI], IN, lambda h: sum(x % 2 == 0 for x in h), [([2, 4, 5],), ([],)],
         args=[0, EVEN])
    g.fn("a.index", [AI, AI], IN, lambda h, n: (_needle(h, n) or [-1])[0], hay)
    g.fn("a.index", [AI, IN], IN, lambda h, n: (_needle(h, n) or [-1])[0], scal)
    g.fn("a.index", [AI], IN, lambda h: next((i for i, x in enumerate(h) if x % 2 == 0), -1),
         [([1, 2, 4],), ([1],)], args=[0, EVEN])
    g.fn("a.rindex", [AI, AI], IN, lambda h, n: (_needle(h, n) or [-1])[-1], hay)
    g.fn("a.rindex", [AI, IN], IN, lambda h, n: (_needle(h, n) or [-1])[-1], scal)
    g.fn("a.rindex", [AI], IN,
         lambda h: max((i for i, x in enumerate(h) if x % 2 == 0), default=-1),
         [([1, 2, 4],), ([1],)], args=[0, EVEN])
    g.fn("a.startswith", [AI, AI], B, lambda h, n: h[:len(n)] == n, hay)
    g.fn("a.startswith", [AI, IN], B, lambda h, n: bool(h) and h[0] == n, scal)
    g.fn("a.endswith", [AI, AI], B, lambda h, n: len(n) <= len(h) and h[len(h) - len(n):] == n,
         hay)
    g.fn("a.endswith", [AI, IN], B, lambda h, n: bool(h) and h[-1] == n, scal)
    g.fn("a.concat", [AI, AI], AI, lambda a, b: a + b,
         [([1], [2, 3]), ([], []), ([], [1]), ([1, 2], []), ([0], [0])])
    g.fn("a.append", [AI, IN], AI, lambda a, x: a + [x],
         [([1], 2), ([], 0), ([1, 2], -1), ([5], INT_MAX), ([3, 3], 3)])

    def cycle(a, x, m):
        if m < 0:
            raise Err(15150)
        out = a + [x]
        return out[len(out) - m:] if m else []

    g.fn("a.cycle", [AI, IN, IN], AI, cycle,
         [([1, 2, 3], 4, 3), ([1, 2], 3, 5), ([], 1, 1), ([1, 2], 3, 0), ([1], 2, -1)])

    def insert(a, i, x):
        n = len(a)
        j = i + n if i < 0 else i
        if not 0 <= j <= n:
            raise Err(15160)
        return a[:j] + [x] + a[j:]

    g.fn("a.insert", [AI, IN, IN], AI, insert,
         [([1, 2, 3], 1, 9), ([1, 2, 3], 3, 9), ([1, 2, 3], -1, 9), ([], 0, 1), ([1], 5, 0),
          ([1], -3, 0)])

    def replace(a, i, x):
        n = len(a)
        j = i + n if i < 0 else i
        if not 0 <= j < n:
            raise Err(15170)
        return a[:j] + [x] + a[j + 1:]

    g.fn("a.replace", [AI, IN, IN], AI, replace,
         [([1, 2, 3], 1, 9), ([1, 2, 3], -1, 9), ([1, 2, 3], 3, 9), ([], 0, 1), ([7], 0, 8)])
    g.fn("a.remove", [AI, IN, IN], AI, lambda a, s, e: a[:_sl(s, len(a))] + a[max(_sl(e, len(a)), _sl(s, len(a))):],
         [([1, 2, 3, 4], 1, 3), ([1, 2, 3], -2, 100), ([1, 2, 3], 2, 1), ([], 0, 1)])

    def remove1(a, i):
        j = i + len(a) if i < 0 else i
        if not 0 <= j < len(a):
            raise Err(15180)
        return a[:j] + a[j + 1:]

    g.fn("a.remove", [AI, IN], AI, remove1, [([1, 2, 3], 1), ([1, 2, 3], -1), ([1], 1), ([], 0)])

    def rotate(a, k):
        if k < 0:
            raise Err(15190)
        if not a:
            return []
        k %= len(a)
        return a[k:] + a[:k]

    g.fn("a.rotate", [AI, IN], AI, rotate,
         [([1, 2, 3, 4], 1), ([1, 2, 3], 3), ([1, 2, 3], 5), ([], 2), ([1, 2], -1), ([1, 2], 0)])
    g.fn("a.sort", [AI], AI, sorted, ARRS)
    g.fn("a.sort", [AS], AS, sorted, [(["b", "a", "B", ""],)])
    g.fn("a.sort", [AD], AD, sorted, [([2.5, -INF, 0.0, 1e300],)])
    g.fn("a.sortLT", [AI], AI, lambda a: sorted(a, reverse=True), ARRS, args=[0, GT_AS_LT])
    g.fn("a.shuffle", [AI], AI, None, [X((a,)) for (a,) in ARRS], compare="type-only",
         randseed=12345)
    g.fn("a.reverse", [AI], AI, lambda a: a[::-1], ARRS)
    for name, code, f in (("a.max", 15240, max), ("a.min", 15250, min)):
        g.fn(name, [AI], IN, _nonempty(code, f), ARRS)
        g.fn(name, [AS], S, _nonempty(code, f), [(["b", "a", "c"],)])
    g.fn("a.maxLT", [AI], IN, _nonempty(15260, max), ARRS, args=[0, LT])
    g.fn("a.minLT", [AI], IN, _nonempty(15270, min), ARRS, args=[0, LT])
    nrows = [([3, 1, 2], 2), ([3, 1, 2], 0), ([3, 1, 2], 5), ([], 1), ([1, 2], -1), ([2, 2, 1], 2)]

    def maxn(a, n, rev, code):
        idx = _topn(a, n, rev, code)
        return [a[i] for i in idx]

    g.fn("a.maxN", [AI, IN], AI, lambda a, n: maxn(a, n, True, 15280), nrows)
    g.fn("a.minN", [AI, IN], AI, lambda a, n: maxn(a, n, False, 15290), nrows)
    g.fn("a.maxNLT", [AI, IN], AI, lambda a, n: maxn(a, n, True, 15300), nrows, args=[0, 1, LT])
    g.fn("a.minNLT", [AI, IN], AI, lambda a, n: maxn(a, n, False, 15310), nrows, args=[0, 1, LT])
    arg_rows = [([3, 1, 2],), ([],), ([5],), ([1, 3, 3],), ([-1, -1, 0],)]

    def argbest(rev, code):
        return _nonempty(code, lambda a: _topn(a, 1, rev, code)[0])

    g.fn("a.argmax", [AI], IN, argbest(True, 15320), arg_rows, note="ties: lowest index")
    g.fn("a.argmin", [AI], IN, argbest(False, 15330), arg_rows)
    g.fn("a.argmaxLT", [AI], IN, argbest(True, 15340), arg_rows, args=[0, LT])
    g.fn("a.argminLT", [AI], IN, argbest(False, 15350), arg_rows, args=[0, LT])
    g.fn("a.argmaxN", [AI, IN], AI, lambda a, n: _topn(a, n, True, 15360), nrows)
    g.fn("a.argminN", [AI, IN], AI, lambda a, n: _topn(a, n, False, 15370), nrows)
    g.fn("a.argmaxNLT", [AI, IN], AI, lambda a, n: _topn(a, n, True, 15380), nrows,
         args=[0, 1, LT])
    g.fn("a.argminNLT", [AI, IN], AI, lambda a, n: _topn(a, n, False, 15390), nrows,
         args=[0, 1, LT])

    def isum(t, code, f, start):
        def ref(a):
            v = functools.reduce(f, a, start)
            if t == IN and not -2**31 <= v < 2**31:
                raise Err(code)
            if t == "long" and not -2**63 <= v < 2**63:
                raise Err(code + 1)
            return v
        return ref

    g.fn("a.sum", [AI], IN, isum(IN, 15400, lambda x, y: x + y, 0),
         [([1, 2, 3],), ([],), ([INT_MAX, 1],), ([-5, 5],), ([INT_MAX, -1],)])
    g.fn("a.sum", [arr("long")], "long", isum("long", 15400, lambda x, y: x + y, 0),
         [([LONG_MAX, 1],), ([2**40, 2**40],)])
    g.fn("a.sum", [AD], D, math.fsum, [([0.1, 0.2],), ([INF, 1.0],), ([],)])
    g.fn("a.product", [AI], IN, isum(IN, 15410, lambda x, y: x * y, 1),
         [([2, 3, 4],), ([],), ([2**16, 2**16],), ([-1, 0],), ([-2**15, 2**16],)])
    g.fn("a.product", [arr("long")], "long", isum("long", 15410, lambda x, y: x * y, 1),
         [([2**32, 2**31],)])
    g.fn("a.product", [AD], D, lambda a: math.prod(a), [([0.5, 4.0],), ([INF, 0.0],)])

    def lnsum(a):
        if any(x <= 0 or math.isnan(x) for x in a):
            return NAN
        return sum(math.log(x) for x in a)

    drows = [([1.0, 2.0, 3.0],), ([],), ([0.5],), ([2.0, 8.0],), ([1e300, 1e300],)]
    g.fn("a.lnsum", [AD], D, lnsum, drows + [([0.0, 1.0],), ([-1.0],)])
    g.fn("a.mean", [AD], D, lambda a: math.fsum(a) / len(a) if a else NAN,
         drows + [([INF, 1.0],)])
    g.fn("a.geomean", [AD], D, lambda a: math.exp(lnsum(a) / len(a)) if a else NAN, drows,
         rtol=1e-7)

    def median(a):
        s = sorted(a)
        n = len(s)
        if n % 2:
            return s[n // 2]
        return s[n // 2 - 1] if not isinstance(s[0], float) else (s[n // 2 - 1] + s[n // 2]) / 2

    g.fn("a.median", [AI], IN, _nonempty(15450, median), ARRS + [([4, 1, 3, 2],)])
    g.fn("a.median", [AD], D, _nonempty(15450, median), [([4.0, 1.0, 3.0, 2.0],), ([1.5],)])

    def ntile(a, p):
        if not a:
            raise Err(15460)
        if math.isnan(p):
            raise Err(15461)
        s = sorted(a)
        if p >= 1:
            return s[-1]
        if p <= 0:
            return s[0]
        k = (len(s) - 1) * p
        lo = math.floor(k)
        if isinstance(s[0], float):
            return s[lo] + (k - lo) * (s[min(lo + 1, len(s) - 1)] - s[lo])
        return s[lo]

    g.fn("a.ntile", [AD, D], D, ntile,
         [([1.0, 2.0, 3.0, 4.0, 5.0], 0.5), ([1.0, 2.0, 3.0, 4.0, 5.0], 0.0),
          ([1.0, 2.0, 3.0, 4.0, 5.0], 1.0), ([], 0.5), ([1.0], NAN), ([3.0, 1.0], 1.5),
          ([3.0, 1.0], -0.5)],
         note="p in (0, 1) on double arrays interpolates linearly (as numpy.percentile)")

    def mode(a):
        c = Counter(a)
        top = max(c.values())
        return median([x for x in c if c[x] == top])

    g.fn("a.mode", [AI], IN, _nonempty(15470, mode),
         [([1, 2, 2, 3],), ([],), ([5],), ([3, 1, 3, 1, 2],), ([7, 7, 7],)])

    def lse(a):
        if not a:
            return NAN
        m = max(a)
        if math.isinf(m):
            return m
        return m + math.log(sum(math.exp(x - m) for x in a))

    g.fn("a.logsumexp", [AD], D, lse, drows + [([-1000.0, -1000.0],)])
    dist = [([1, 2, 1, 3, 2],), ([],), ([5, 5],), ([3, 1],), ([0],)]
    g.fn("a.distinct", [AI], AI, lambda a: list(dict.fromkeys(a)), dist, compare="unordered")
    pairs = [([1, 2, 3], [3, 2, 1]), ([1, 2], [2, 3]), ([], []), ([1, 1], [1]), ([], [4]),
             ([5], [5, 6])]
    g.fn("a.seteq", [AI, AI], B, lambda a, b: set(a) == set(b), pairs)
    g.fn("a.union", [AI, AI], AI, lambda a, b: list(dict.fromkeys(a + b)), pairs,
         compare="unordered")
    g.fn("a.intersection", [AI, AI], AI, lambda a, b: [x for x in dict.fromkeys(a) if x in b],
         pairs, compare="unordered")
    g.fn("a.diff", [AI, AI], AI, lambda a, b: [x for x in dict.fromkeys(a) if x not in b], pairs,
         compare="unordered")
    g.fn("a.symdiff", [AI, AI], AI,
         lambda a, b: list(dict.fromkeys([x for x in a if x not in b] + [x for x in b if x not in a])),
         pairs, compare="unordered")
    g.fn("a.subset", [AI, AI], B, lambda a, b: set(a) <= set(b), pairs)
    g.fn("a.disjoint", [AI, AI], B, lambda a, b: not set(a) & set(b), pairs)
    g.fn("a.map", [AI], AI, lambda a: [2 * x for x in a], ARRS[:4], args=[0, DBL])
    g.fn("a.map", [AI], AS, lambda a: [str(x) for x in a], [([1, -2],)], args=[0, STR])
    g.fn("a.mapWithIndex", [AI], AI, lambda a: [i * x for i, x in enumerate(a)], ARRS[:4] + [([7, 7],)],
         args=[0, fcndef([("i", IN), ("x", IN)], IN, {"*": ["i", "x"]})])
    g.fn("a.filter", [AI], AI, lambda a: [x for x in a if x % 2 == 0], ARRS, args=[0, EVEN])
    g.fn("a.filterWithIndex", [AI], AI, lambda a: [x for i, x in enumerate(a) if i % 2 == 0],
         ARRS, args=[0, fcndef([("i", IN), ("x", IN)], B, {"==": [{"%": ["i", 2]}, 0]})])
    pos_or_null = fcndef([("x", IN)], [IN, "null"],
                         {"if": {">": ["x", 0]}, "then": {"*": ["x", 10]}, "else": None})
    g.fn("a.filterMap", [AI], AI, lambda a: [10 * x for x in a if x > 0], ARRS[:4] + [([1, 2],)],
         args=[0, pos_or_null])
    g.fn("a.filterMapWithIndex", [AI], AI, lambda a: [i + x for i, x in enumerate(a) if i > 0],
         ARRS,
         args=[0, fcndef([("i", IN), ("x", IN)], [IN, "null"],
                         {"if": {">": ["i", 0]}, "then": {"+": ["i", "x"]}, "else": None})])
    twice = fcndef([("x", IN)], AI, {"new": ["x", "x"], "type": AI})
    g.fn("a.flatMap", [AI], AI, lambda a: [y for x in a for y in (x, x)], ARRS, args=[0, twice])
    g.fn("a.flatMapWithIndex", [AI], AI, lambda a: [x for i, x in enumerate(a) if i > 0],
         ARRS, args=[0, fcndef([("i", IN), ("x", IN)], AI,
                               {"if": {">": ["i", 0]}, "then": {"new": ["x"], "type": AI},
                                "else": {"new": [], "type": AI}})])
    zrows = [([1, 2], [10, 20]), ([], []), ([1], [1, 2]), ([5], [-5]), ([0, 0, 0], [1, 2, 3])]

    def zip2(f, code):
        def ref(a, b):
            if len(a) != len(b):
                raise Err(code)
            return [f(i, x, y) for i, (x, y) in enumerate(zip(a, b))]
        return ref

    add2 = fcndef([("x", IN), ("y", IN)], IN, {"+": ["x", "y"]})
    g.fn("a.zipmap", [AI, AI], AI, zip2(lambda i, x, y: x + y, 15650), zrows, args=[0, 1, add2])
    g.fn("a.zipmap", [AI, AI, AI], AI,
         lambda a, b, c: [x + y + z for x, y, z in zip(a, b, c)] if len(a) == len(b) == len(c)
         else (_ for _ in ()).throw(Err(15650)),
         [([1], [2], [3]), ([1], [2], [])],
         args=[0, 1, 2, fcndef([("x", IN), ("y", IN), ("z", IN)], IN, {"+": [{"+": ["x", "y"]}, "z"]})])
    g.fn("a.zipmapWithIndex", [AI, AI], AI, zip2(lambda i, x, y: i * 100 + x + y, 15660), zrows,
         args=[0, 1, fcndef([("i", IN), ("x", IN), ("y", IN)], IN,
                            {"+": [{"*": ["i", 100]}, {"+": ["x", "y"]}]})])
    rrows = [([1, 2, 3],), ([],), ([5],), ([10, -3, 2],), ([0, 0],)]
    sub = fcndef([("x", IN), ("y", IN)], IN, {"-": ["x", "y"]})
    g.fn("a.reduce", [AI], IN, _nonempty(15670, lambda a: functools.reduce(lambda x, y: x - y, a)),
         rrows, args=[0, sub])
    g.fn("a.reduceRight", [AI], IN,
         _nonempty(15680, lambda a: functools.reduce(lambda acc, x: x - acc, a[::-1])),
         rrows, args=[0, sub], note="fcn(x, acc) from the right: 1 - (2 - 3)")
    g.fn("a.fold", [AI, S], S, lambda a, z: functools.reduce(lambda acc, x: acc + str(x), a, z),
         [([1, 2, 3], ""), ([], "z"), ([5], "a"), ([-1, 0], ""), ([10, 20], "é")],
         args=[0, 1, fcndef([("acc", S), ("x", IN)], S, {"s.concat": ["acc", {"s.int": ["x"]}]})])
    g.fn("a.foldRight", [AI, S], S,
         lambda a, z: functools.reduce(lambda acc, x: acc + str(x), a[::-1], z),
         [([1, 2, 3], ""), ([], "z"), ([5], "a"), ([-1, 0], ""), ([10, 20], "é")],
         args=[0, 1, fcndef([("x", IN), ("acc", S)], S, {"s.concat": ["acc", {"s.int": ["x"]}]})])
    g.fn("a.takeWhile", [AI], AI, lambda a: list(itertools.takewhile(lambda x: x % 2 == 0, a)),
         [([2, 4, 5, 6],), ([],), ([1, 2],), ([2, 2],), ([0],)], args=[0, EVEN])
    g.fn("a.dropWhile", [AI], AI, lambda a: list(itertools.dropwhile(lambda x: x % 2 == 0, a)),
         [([2, 4, 5, 6],), ([],), ([1, 2],), ([2, 2],), ([0],)], args=[0, EVEN])
    g.fn("a.any", [AI], B, lambda a: any(x % 2 == 0 for x in a), ARRS, args=[0, EVEN])
    g.fn("a.all", [AI], B, lambda a: all(x % 2 == 0 for x in a), ARRS + [([2, 4],)],
         args=[0, EVEN])
    crow = [([1, 2], [1, 2]), ([1, 2], [1, 3]), ([], []), ([1], [1, 2]), ([0], [0])]
    g.fn("a.corresponds", [AI, AI], B, lambda a, b: len(a) == len(b) and a == b, crow,
         args=[0, 1, fcndef([("x", IN), ("y", IN)], B, {"==": ["x", "y"]})])
    g.fn("a.correspondsWithIndex", [AI, AI], B,
         lambda a, b: len(a) == len(b) and all(x + i == y for i, (x, y) in enumerate(zip(a, b))),
         [([1, 2], [1, 3]), ([1, 2], [1, 2]), ([], []), ([1], [1, 2]), ([5, 5, 5], [5, 6, 7])],
         args=[0, 1, fcndef([("i", IN), ("x", IN), ("y", IN)], B, {"==": [{"+": ["x", "i"]}, "y"]})])

    def sliding(a, size, step):
        if size < 1:
            raise Err(15770)
        if step < 1:
            raise Err(15771)
        return [a[i:i + size] for i in range(0, len(a) - size + 1, step)]

    g.fn("a.slidingWindow", [AI, IN, IN], arr(AI), sliding,
         [([1, 2, 3, 4], 2, 1), ([1, 2, 3, 4, 5], 2, 2), ([1, 2], 3, 1), ([], 1, 1), ([1], 0, 1),
          ([1], 1, 0)])

    def combos(a, k):
        if k < 1:
            raise Err(15780)
        return [list(c) for c in itertools.combinations(a, k)]

    g.fn("a.combinations", [AI, IN], arr(AI), combos,
         [([1, 2, 3], 2), ([1, 2, 3], 3), ([1, 2], 3), ([], 1), ([1, 2], 0)])
    g.fn("a.permutations", [AI], arr(AI), lambda a: [list(p) for p in itertools.permutations(a)],
         [([1, 2, 3],), ([],), ([7],), ([1, 2],), ([1, 1],)], compare="unordered",
         note="order of permutations not specified")
    g.fn("a.flatten", [arr(AI)], AI, lambda a: [x for b in a for x in b],
         [([[1, 2], [3]],), ([],), ([[], []],), ([[1], [], [2, 3]],), ([[0]],)])
    g.fn("a.groupby", [AI], mp(AI),
         lambda a: {k: [x for x in a if ("even" if x % 2 == 0 else "odd") == k]
                    for k in dict.fromkeys("even" if x % 2 == 0 else "odd" for x in a)},
         [([1, 2, 3, 4],), ([],), ([2],), ([1, 3, 5],), ([0, -1],)],
         args=[0, fcndef([("x", IN)], S, {"if": {"==": [{"%": ["x", 2]}, 0]}, "then": {"string": "even"},
                                        "else": {"string": "odd"}})])
    return g
