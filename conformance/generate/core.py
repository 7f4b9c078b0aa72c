"""Cases for the core library (arithmetic, comparison, logic, bitwise)."""

from __future__ import annotations

import math
import operator

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
    rec,
)

NUMS = ("int", "long", "float", "double")
_BOOM = {"==": [{"//": [1, 0]}, 0]}  # raises 18040 if evaluated


def _checked(t: str, v: float, code: int) -> float:
    if t == "int" and not INT_MIN <= v <= INT_MAX:
        raise Err(code)
    if t == "long" and not LONG_MIN <= v <= LONG_MAX:
        raise Err(code + 1)
    return f32(v) if t == "float" else v


def _arith(op, code: int):
    def make(t: str):
        def ref(x, y):
            if t in ("int", "long"):
                return _checked(t, op(x, y), code)
            try:
                v = op(float(x), float(y))
            except OverflowError:
                v = INF
            return _checked(t, v, code)
        return ref
    return make


def _div(x: float, y: float) -> float:
    if y == 0:
        if x == 0 or math.isnan(x):
            return NAN
        return math.copysign(INF, x) * math.copysign(1, y)
    return x / y


def _floordiv(x: int, y: int) -> int:
    if y == 0:
        raise Err(18040)
    return x // y


def _mod(t: str, code: int, rem: bool):
    def ref(k, n):
        if n == 0:
            if t in ("int", "long"):
                raise Err(code)
            return NAN
        if t in ("int", "long"):
            if rem:
                return int(math.copysign(abs(k) % abs(n), k)) if k % n else 0
            return k % n
        if math.isinf(k) or math.isnan(k) or math.isnan(n):
            return NAN
        v = math.fmod(k, n) if rem else (k % n if not math.isinf(n) else
                                          (k if (k >= 0) == (n > 0) else n))
        return f32(v) if t == "float" else v
    return ref


def _pow(t: str):
    def ref(x, y):
        if t in ("int", "long"):
            return _checked(t, x ** y, 18080)
        try:
            v = INF if x == 0 and y < 0 else math.pow(x, y)
        except OverflowError:
            v = INF
        except ValueError:
            v = NAN
        return f32(v) if t == "float" else v
    return ref


# (x, y, pow(x, y)) written out from IEEE 754-2008 section 9.2.1.
_IEEE_POW = [
    (NAN, 0.0, 1.0), (INF, 0.0, 1.0), (0.0, -3.0, INF), (0.0, -INF, INF), (0.0, INF, 0.0),
    (0.0, -2.5, INF), (0.0, 3.0, 0.0), (-1.0, INF, 1.0), (-1.0, -INF, 1.0), (1.0, NAN, 1.0),
    (1.0, INF, 1.0), (-2.0, 0.5, NAN), (0.5, -INF, INF), (2.0, -INF, 0.0), (0.5, INF, 0.0),
    (-2.0, INF, INF), (-INF, -3.0, 0.0), (-INF, -0.5, 0.0), (-INF, 3.0, -INF),
    (-INF, 0.5, INF), (-INF, 2.0, INF), (INF, -0.5, 0.0), (INF, 0.5, INF),
    (-2.0, 1025.0, -INF), (-2.0, 1024.0, INF), (2.0, NAN, NAN),
]


def _neg(t: str):
    def ref(x):
        return _checked(t, -x, 18050) if t in ("int", "long") else -x
    return ref


def build() -> Module:
    g = Module("core")
    arith_rows = {
        "int": [(2, 3), (0, 0), (-7, 3), (INT_MAX, 1), (INT_MIN, -1), (INT_MAX, INT_MAX)],
        "long": [(2, 3), (-5, 0), (LONG_MAX, 1), (LONG_MIN, -1), (2**40, 2**30)],
        "float": [(1.5, 2.25), (0.0, -0.0), (1e38, 1e38), (0.1, 0.2)],
        "double": [(1.5, 2.25), (-0.5, 0.25), (INF, 1.0), (INF, -INF), (NAN, 1.0),
                   (1e308, 1e308), (0.1, 0.2)],
    }
    for name, op, code in (("+", operator.add, 18000), ("-", operator.sub, 18010),
                           ("*", operator.mul, 18020)):
        for t in NUMS:
            g.fn(name, [t, t], t, _arith(op, code)(t), arith_rows[t],
                 rtol=1e-6 if t == "float" else None)
    g.fn("/", ["double", "double"], "double", _div,
         [(1, 4), (7, -2), (1, 0), (-1, 0), (0, 0), (INF, INF), (NAN, 2), (1e-320, 1e10)])
    g.fn("/", ["int", "int"], "double", lambda x, y: _div(float(x), float(y)),
         [(7, 2), (INT_MAX, 1), (-3, 0)], note="int arguments promote to double")
    for t, rows in (("int", [(7, 2), (-7, 2), (7, -2), (0, 5), (5, 0), (INT_MIN, 1)]),
                    ("long", [(7, 2), (-7, 2), (LONG_MIN, 1), (3, 0), (10**18, 7)])):
        g.fn("//", [t, t], t, _floordiv, rows)
    for t in NUMS:
        g.fn("u-", [t], t, _neg(t),
             {"int": [(5,), (0,), (-3,), (INT_MAX,), (INT_MIN,)],
              "long": [(5,), (LONG_MAX,), (LONG_MIN,)],
              "float": [(1.5,), (INF,)],
              "double": [(2.5,), (0.0,), (-INF,), (NAN,)]}[t])
    for name, code, rem in (("%", 18060, False), ("%%", 18070, True)):
        for t in NUMS:
            rows = {"int": [(7, 3), (-7, 3), (7, -3), (-7, -3), (0, 3), (5, 0)],
                    "long": [(LONG_MAX, 10), (-13, 4), (5, 0)],
                    "float": [(5.5, 2.0), (-5.5, 2.0)],
                    "double": [(5.5, 2.0), (-5.5, 2.0), (5.5, -2.0), (1.0, 0.0), (INF, 2.0),
                               (2.0, INF)]}[t]
            if t == "double" and rem:
                rows = rows[:-1]
            g.fn(name, [t, t], t, _mod(t, code, rem), rows)
    for t in NUMS:
        g.fn("**", [t, t], t, _pow(t),
             {"int": [(2, 10), (0, 0), (-3, 3), (2, 31), (2, 30), (-2, 31)],
              "long": [(2, 62), (2, 63), (-2, 63), (10, 18)],
              "float": [(2.0, 0.5), (10.0, 39.0)],
              "double": [(2.0, 0.5), (2.0, -1.0), (-8.0, 1 / 3), (0.0, -1.0), (INF, 0.0),
                         (NAN, 0.0), (10.0, 400.0)]}[t], rtol=1e-6 if t == "float" else None)
    g.fn("**", ["double", "double"], "double", None,
         [X((x, y), out=v, src="hand") for x, y, v in _IEEE_POW],
         note="special cases of pow in IEEE 754-2008 section 9.2.1 (the spec refers float "
              "results of ** to IEEE 754): pow(-inf, 0.5) = +inf, pow(+1, y) = 1 for any y, "
              "pow(-1, +-inf) = 1, pow(x, +-0) = 1, negative finite x with non-integer y = NaN")

    def cmp(x, y):
        return (x > y) - (x < y)

    cmp_rows = [
        ("int", [(1, 2), (2, 1), (3, 3), (INT_MIN, INT_MAX), (0, -0)]),
        ("double", [(1.5, 2.5), (-INF, INF), (0.0, -0.0), (2.0, 1.0)]),
        ("string", [("a", "b"), ("b", "a"), ("", ""), ("abc", "ab"), ("Z", "a"), ("é", "z")]),
        (arr("int"), [([1, 2], [1, 3]), ([1, 2], [1, 2]), ([], [0]), ([2], [1, 5])]),
    ]
    rels = {"cmp": cmp, "==": operator.eq, ">=": operator.ge, ">": operator.gt,
            "!=": operator.ne, "<": operator.lt, "<=": operator.le}
    for name, op in rels.items():
        for t, rows in cmp_rows:
            g.fn(name, [t, t], "int" if name == "cmp" else "boolean", op, rows,
                 compare="exact")
    pt = rec("Pt", a="int", b="string")
    g.fn("==", [pt, "Pt"], "boolean", operator.eq,
         [({"a": 1, "b": "x"}, {"a": 1, "b": "x"}), ({"a": 1, "b": "x"}, {"a": 1, "b": "y"})])
    g.fn("<", [pt, "Pt"], "boolean", lambda x, y: (x["a"], x["b"]) < (y["a"], y["b"]),
         [({"a": 1, "b": "z"}, {"a": 2, "b": "a"}), ({"a": 1, "b": "a"}, {"a": 1, "b": "b"})],
         note="records compare field by field in order")
    for name, fn in (("max", max), ("min", min)):
        g.fn(name, ["int", "int"], "int", fn, [(1, 2), (-5, -7), (3, 3), (INT_MIN, INT_MAX)])
        g.fn(name, ["double", "double"], "double", fn, [(1.5, -2.5), (-INF, 0.0)])
        g.fn(name, ["string", "string"], "string", fn, [("apple", "banana"), ("", "a")])
    bools = [(a, b) for a in (True, False) for b in (True, False)]
    g.fn("&&", ["boolean", "boolean"], "boolean", lambda x, y: x and y, bools)
    g.fn("||", ["boolean", "boolean"], "boolean", lambda x, y: x or y, bools)
    g.fn("^^", ["boolean", "boolean"], "boolean", operator.xor, bools + [(True, True)])
    g.fn("!", ["boolean"], "boolean", operator.not_, [(True,), (False,)])
    g.fn("&&", [], "boolean", None,
         [X((), out=False)], args=[False, _BOOM],
         note="y must not be evaluated when x is false")
    g.fn("||", [], "boolean", None,
         [X((), out=True)], args=[True, _BOOM])
    g.fn("!", ["int"], "boolean", None, [X((v,), out=v != 0) for v in (0, 1, 5)],
         args=[{"==": ["input", 0]}])
    kleene = [(a, b) for a in (True, False, None) for b in (True, False, None)]
    ob = ["boolean", "null"]

    def k_and(x, y):
        if x is False or y is False:
            return False
        if x is True and y is True:
            return True
        return None

    def k_or(x, y):
        if x is True or y is True:
            return True
        if x is False and y is False:
            return False
        return None

    g.fn("&&&", [ob, ob], ob, k_and, kleene)
    g.fn("|||", [ob, ob], ob, k_or, kleene)
    g.fn("!!!", [ob], ob, lambda x: None if x is None else not x, [(True,), (False,), (None,)])
    g.fn("!!!", [["null", "boolean"]], ["null", "boolean"], lambda x: None if x is None else not x,
         [(True,), (None,)])

    def wrap(bits: int):
        def w(v: int) -> int:
            v &= (1 << bits) - 1
            return v - (1 << bits) if v >= 1 << (bits - 1) else v
        return w

    for t, bits, rows in (("int", 32, [(12, 10), (-1, 255), (0, INT_MIN), (INT_MAX, INT_MIN),
                                       (-6, 3)]),
                          ("long", 64, [(12, 10), (LONG_MIN, -1), (2**40 + 5, 3)])):
        w = wrap(bits)
        g.fn("&", [t, t], t, lambda x, y, w=w: w(x & y), rows)
        g.fn("|", [t, t], t, lambda x, y, w=w: w(x | y), rows)
        g.fn("^", [t, t], t, lambda x, y, w=w: w(x ^ y), rows)
        g.fn("~", [t], t, lambda x, w=w: w(~x), [(r[0],) for r in rows])
    return g


if __name__ == "__main__":
    print(build().write())
