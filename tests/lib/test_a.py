"""a.* array functions, checked against Python builtins, sets, statistics and numpy."""

from __future__ import annotations

import itertools
import math
import random
import statistics
from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pfa.avro.types import (
    BOOLEAN,
    DOUBLE,
    FLOAT,
    INT,
    LONG,
    NULL,
    STRING,
    AvroArray,
    AvroMap,
    AvroUnion,
)
from pfa.check.signatures import FcnType
from tests.lib.helpers import call, fn, raises

AI, AD, AS = AvroArray(INT), AvroArray(DOUBLE), AvroArray(STRING)
PRED = FcnType((INT,), BOOLEAN)
LT = FcnType((INT, INT), BOOLEAN)
ints = st.lists(st.integers(-20, 20), max_size=12)
small = st.lists(st.integers(0, 6), max_size=10)


def lt(x, y):
    return x < y


# ------------------------------------------------------------------ access and slicing

def test_access_and_errors():
    assert call("a.len", [1, 2, 3]) == 3
    assert call("a.len", [], types=[AI]) == 0
    assert call("a.head", [4, 5]) == 4
    assert call("a.tail", [4, 5]) == [5]
    assert call("a.last", [4, 5]) == 5
    assert call("a.init", [4, 5]) == [4]
    for name, code in [("a.head", 15020), ("a.tail", 15030), ("a.last", 15040),
                       ("a.init", 15050)]:
        raises(code, fn(name, AI), [])


@given(ints, st.integers(-15, 15), st.integers(-15, 15))
def test_subseq_subseqto_remove_are_slicing(a, start, end):
    assert call("a.subseq", a, start, end, types=[AI, INT, INT]) == a[start:end]
    expected = list(a)
    expected[start:end] = [99]
    assert call("a.subseqto", a, start, end, [99], types=[AI, INT, INT, AI]) == expected
    removed = list(a)
    del removed[start:end]
    assert call("a.remove", a, start, end, types=[AI, INT, INT]) == removed


def test_inputs_are_not_mutated():
    a = [3, 1, 2]
    call("a.sort", a)
    call("a.append", a, 9)
    call("a.replace", a, 0, 9)
    call("a.shuffle", a, types=[AI], context=SimpleNamespace(rng=random.Random(1)))
    assert a == [3, 1, 2]


# ------------------------------------------------------------------ search

def test_search_three_signatures():
    h = [1, 2, 3, 2, 3, 2]
    assert call("a.contains", h, [3, 2]) is True
    assert call("a.contains", h, [3, 3]) is False
    assert call("a.contains", h, 3) is True
    assert call("a.contains", h, 7) is False
    assert call("a.contains", h, lambda x: x > 2, types=[AI, PRED]) is True
    assert call("a.count", h, [2, 3]) == 2
    assert call("a.count", h, [], types=[AI, AI]) == 0
    assert call("a.count", [1, 1, 1, 1], [1, 1]) == 3          # overlapping
    assert call("a.count", h, 2) == 3
    assert call("a.count", h, lambda x: x % 2 == 1, types=[AI, PRED]) == 3
    assert call("a.index", h, [2, 3]) == 1
    assert call("a.index", h, 3) == 2
    assert call("a.index", h, 9) == -1
    assert call("a.index", h, lambda x: x == 3, types=[AI, PRED]) == 2
    assert call("a.rindex", h, [2, 3]) == 3
    assert call("a.rindex", h, 3) == 4
    assert call("a.rindex", h, lambda x: x == 1, types=[AI, PRED]) == 0
    assert call("a.rindex", h, lambda x: x == 9, types=[AI, PRED]) == -1
    assert call("a.startswith", h, [1, 2]) is True
    assert call("a.startswith", h, 1) is True
    assert call("a.startswith", h, 2) is False
    assert call("a.startswith", [], 1, types=[AI, INT]) is False
    assert call("a.endswith", h, [3, 2]) is True
    assert call("a.endswith", h, 2) is True
    assert call("a.endswith", [1], [0, 1]) is False


def test_booleans_are_not_numbers_in_unions():
    u = AvroArray(AvroUnion((BOOLEAN, INT)))
    assert call("a.contains", [True, 2], 1, types=[u, AvroUnion((BOOLEAN, INT))]) is False
    assert call("a.distinct", [True, 1, 1, True], types=[u]) == [True, 1]


@given(ints, st.lists(st.integers(-20, 20), min_size=1, max_size=2))
def test_index_agrees_with_tuple_search(a, needle):
    text, sub = ",".join(map(str, a)) + ",", ",".join(map(str, needle)) + ","
    found = ("," + text).find("," + sub)
    expected = -1 if found < 0 else ("," + text)[:found + 1].count(",") - 1
    assert call("a.index", a, needle, types=[AI, AI]) == expected


# ------------------------------------------------------------------ manipulation

def test_manipulation():
    assert call("a.concat", [1], [2, 3]) == [1, 2, 3]
    assert call("a.append", [1], 2) == [1, 2]
    assert call("a.cycle", [1, 2, 3], 4, 3) == [2, 3, 4]
    assert call("a.cycle", [1], 4, 5) == [1, 4]
    assert call("a.cycle", [1], 4, 0) == []
    raises(15150, fn("a.cycle", AI, INT, INT), [1], 2, -1)
    assert call("a.insert", [1, 2, 3], 0, 9) == [9, 1, 2, 3]
    assert call("a.insert", [1, 2, 3], -1, 9) == [1, 2, 9, 3]
    assert call("a.insert", [1, 2, 3], 3, 9) == [1, 2, 3, 9]
    raises(15160, fn("a.insert", AI, INT, INT), [1, 2, 3], 4, 9)
    raises(15160, fn("a.insert", AI, INT, INT), [1, 2, 3], -4, 9)
    assert call("a.replace", [1, 2, 3], -1, 9) == [1, 2, 9]
    raises(15170, fn("a.replace", AI, INT, INT), [1, 2, 3], 3, 9)
    raises(15170, fn("a.replace", AI, INT, INT), [], 0, 9)
    assert call("a.remove", [1, 2, 3], -1) == [1, 2]
    assert call("a.remove", [1, 2, 3], 0) == [2, 3]
    raises(15180, fn("a.remove", AI, INT), [1, 2, 3], 3)
    assert call("a.rotate", [1, 2, 3, 4], 1) == [2, 3, 4, 1]
    assert call("a.rotate", [1, 2, 3, 4], 6) == [3, 4, 1, 2]
    assert call("a.rotate", [], 3, types=[AI, INT]) == []
    raises(15190, fn("a.rotate", AI, INT), [1], -1)
    assert call("a.reverse", [1, 2, 3]) == [3, 2, 1]


# ------------------------------------------------------------------ ordering

@given(ints)
def test_sort_matches_sorted(a):
    assert call("a.sort", a, types=[AI]) == sorted(a)
    assert call("a.sortLT", a, lambda x, y: x > y, types=[AI, LT]) == sorted(a, reverse=True)


def test_sort_strings_doubles_and_nan():
    assert call("a.sort", ["b", "a", "B"]) == ["B", "a", "b"]
    out = call("a.sort", [2.0, float("nan"), -1.0])
    assert out[:2] == [-1.0, 2.0] and math.isnan(out[2])


def test_shuffle_uses_engine_rng():
    ctx = SimpleNamespace(rng=random.Random(7))
    a = list(range(20))
    out = call("a.shuffle", a, types=[AI], context=ctx)
    expected = list(a)
    random.Random(7).shuffle(expected)
    assert out == expected and sorted(out) == a


@given(st.lists(st.integers(-5, 5), min_size=1, max_size=12), st.integers(0, 14))
def test_extremes_match_python(a, n):
    assert call("a.max", a, types=[AI]) == max(a)
    assert call("a.min", a, types=[AI]) == min(a)
    assert call("a.argmax", a, types=[AI]) == a.index(max(a))
    assert call("a.argmin", a, types=[AI]) == a.index(min(a))
    assert call("a.maxLT", a, lt, types=[AI, LT]) == max(a)
    assert call("a.minLT", a, lt, types=[AI, LT]) == min(a)
    assert call("a.argmaxLT", a, lt, types=[AI, LT]) == a.index(max(a))
    assert call("a.argminLT", a, lt, types=[AI, LT]) == a.index(min(a))
    assert call("a.maxN", a, n, types=[AI, INT]) == sorted(a, reverse=True)[:n]
    assert call("a.minN", a, n, types=[AI, INT]) == sorted(a)[:n]
    assert call("a.maxNLT", a, n, lt, types=[AI, INT, LT]) == sorted(a, reverse=True)[:n]
    assert call("a.minNLT", a, n, lt, types=[AI, INT, LT]) == sorted(a)[:n]
    by_max = sorted(range(len(a)), key=lambda i: (-a[i], i))[:n]
    by_min = sorted(range(len(a)), key=lambda i: (a[i], i))[:n]
    assert call("a.argmaxN", a, n, types=[AI, INT]) == by_max
    assert call("a.argminN", a, n, types=[AI, INT]) == by_min
    assert call("a.argmaxNLT", a, n, lt, types=[AI, INT, LT]) == by_max
    assert call("a.argminNLT", a, n, lt, types=[AI, INT, LT]) == by_min


EXTREME_CODES = [
    ("a.max", 15240, False, False), ("a.min", 15250, False, False),
    ("a.maxLT", 15260, True, False), ("a.minLT", 15270, True, False),
    ("a.maxN", 15280, False, True), ("a.minN", 15290, False, True),
    ("a.maxNLT", 15300, True, True), ("a.minNLT", 15310, True, True),
    ("a.argmax", 15320, False, False), ("a.argmin", 15330, False, False),
    ("a.argmaxLT", 15340, True, False), ("a.argminLT", 15350, True, False),
    ("a.argmaxN", 15360, False, True), ("a.argminN", 15370, False, True),
    ("a.argmaxNLT", 15380, True, True), ("a.argminNLT", 15390, True, True),
]


@pytest.mark.parametrize(("name", "code", "with_lt", "with_n"), EXTREME_CODES)
def test_extreme_error_codes(name, code, with_lt, with_n):
    types = [AI] + ([INT] if with_n else []) + ([LT] if with_lt else [])
    f = fn(name, *types)
    extra = ([2] if with_n else []) + ([lt] if with_lt else [])
    raises(code, f, [], *extra)
    if with_n:
        raises(code + 1, f, [1, 2], -1, *extra[1:])


# ------------------------------------------------------------------ numbers

def test_sum_product_and_overflow():
    assert call("a.sum", [1, 2, 3]) == 6
    assert call("a.sum", [], types=[AI]) == 0
    assert call("a.product", [], types=[AI]) == 1
    assert call("a.product", [2, 3, 4]) == 24
    assert call("a.sum", [0.5, 0.25]) == 0.75
    assert call("a.sum", [0.1, 0.2], types=[AvroArray(FLOAT)]) == np.float32(0.1 + 0.2)
    raises(15400, fn("a.sum", AI), [2**31 - 1, 1])
    raises(15401, fn("a.sum", AvroArray(LONG)), [2**63 - 1, 1])
    raises(15410, fn("a.product", AI), [2**16, 2**16])
    raises(15411, fn("a.product", AvroArray(LONG)), [2**32, 2**32])
    assert call("a.sum", [2**31 - 1, 1], types=[AvroArray(LONG)]) == 2**31
    assert call("a.sum", [2**31 - 1, 1, -5]) == 2**31 - 5   # only the final result counts


@given(st.lists(st.floats(0.01, 100), min_size=1, max_size=10))
def test_means_match_statistics(a):
    assert call("a.mean", a) == pytest.approx(statistics.fmean(a))
    assert call("a.geomean", a) == pytest.approx(statistics.geometric_mean(a))
    assert call("a.lnsum", a) == pytest.approx(sum(math.log(x) for x in a))
    assert call("a.logsumexp", a) == pytest.approx(math.log(sum(math.exp(x) for x in a)))


def test_numeric_edge_cases():
    for name in ("a.mean", "a.geomean", "a.logsumexp"):
        assert math.isnan(call(name, [], types=[AD]))
    assert call("a.lnsum", [], types=[AD]) == 0.0
    assert math.isnan(call("a.lnsum", [1.0, 0.0]))
    assert math.isnan(call("a.lnsum", [1.0, -2.0]))
    assert call("a.logsumexp", [1000.0, 1000.0]) == pytest.approx(1000 + math.log(2))
    assert call("a.logsumexp", [float("-inf")]) == float("-inf")


@given(st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=15))
def test_median_matches_statistics(a):
    assert call("a.median", a) == pytest.approx(statistics.median(a))


def test_median_mode_ntile_rules():
    assert call("a.median", [3, 1, 4, 2]) == 2            # left of the two for ints
    assert call("a.median", [3.0, 1.0, 4.0, 2.0]) == 2.5  # mean for doubles
    assert call("a.median", ["b", "a", "c", "d"]) == "b"
    raises(15450, fn("a.median", AI), [])
    assert call("a.mode", [1, 2, 2, 3]) == 2
    assert call("a.mode", [5, 1, 1, 5, 3]) == 1             # median of the tied modes 1, 5
    assert call("a.mode", [5.0, 1.0, 1.0, 5.0]) == 3.0
    raises(15470, fn("a.mode", AI), [])
    raises(15460, fn("a.ntile", AI, DOUBLE), [], 0.5)
    raises(15461, fn("a.ntile", AI, DOUBLE), [1, 2], float("nan"))
    assert call("a.ntile", [5, 1, 9], 1.5) == 9
    assert call("a.ntile", [5, 1, 9], -0.5) == 1
    assert call("a.ntile", [1, 2, 3, 4], 0.5) == 2


@given(st.lists(st.floats(-1e3, 1e3), min_size=1, max_size=12), st.floats(0.0, 1.0))
def test_ntile_matches_numpy_percentile(a, p):
    assert call("a.ntile", a, p) == pytest.approx(np.percentile(a, 100 * p), abs=1e-9)
    ia = [int(x) for x in a]
    assert call("a.ntile", ia, p, types=[AI, DOUBLE]) == \
        np.percentile(ia, 100 * p, method="lower")


# ------------------------------------------------------------------ sets

@given(small, small)
def test_set_functions_match_python_sets(a, b):
    sa, sb = set(a), set(b)
    assert call("a.distinct", a, types=[AI]) == list(dict.fromkeys(a))
    assert call("a.seteq", a, b, types=[AI, AI]) == (sa == sb)
    union = call("a.union", a, b, types=[AI, AI])
    assert set(union) == sa | sb and len(union) == len(sa | sb)
    assert union == list(dict.fromkeys(a + b))
    inter = call("a.intersection", a, b, types=[AI, AI])
    assert inter == [x for x in dict.fromkeys(a) if x in sb]
    assert call("a.diff", a, b, types=[AI, AI]) == [x for x in dict.fromkeys(a) if x not in sb]
    sym = call("a.symdiff", a, b, types=[AI, AI])
    assert set(sym) == sa ^ sb and len(sym) == len(sa ^ sb)
    assert call("a.subset", a, b, types=[AI, AI]) == (sa <= sb)
    assert call("a.disjoint", a, b, types=[AI, AI]) == sa.isdisjoint(sb)


def test_distinct_of_structured_values():
    t = AvroArray(AvroMap(AvroArray(INT)))
    assert call("a.distinct", [{"a": [1]}, {"a": [1]}, {"a": [2]}], types=[t]) == [
        {"a": [1]}, {"a": [2]}]


# ------------------------------------------------------------------ higher-order

def test_functional_family():
    pi = FcnType((INT, INT), INT)
    assert call("a.map", [1, 2], lambda x: x * 10, types=[AI, FcnType((INT,), INT)]) == [10, 20]
    assert call("a.mapWithIndex", [5, 6], lambda i, x: i + x, types=[AI, pi]) == [5, 7]
    assert call("a.filter", [1, 2, 3, 4], lambda x: x % 2 == 0, types=[AI, PRED]) == [2, 4]
    assert call("a.filterWithIndex", [9, 9, 9], lambda i, x: i != 1,
                types=[AI, FcnType((INT, INT), BOOLEAN)]) == [9, 9]
    opt = AvroUnion((INT, NULL))
    half = FcnType((INT,), opt)
    assert call("a.filterMap", [1, 2, 4], lambda x: x // 2 if x % 2 == 0 else None,
                types=[AI, half]) == [1, 2]
    assert call("a.filterMapWithIndex", [1, 2, 4], lambda i, x: i if x > 1 else None,
                types=[AI, FcnType((INT, INT), opt)]) == [1, 2]
    assert call("a.flatMap", [1, 2], lambda x: [x] * x, types=[AI, FcnType((INT,), AI)]) == [
        1, 2, 2]
    assert call("a.flatMapWithIndex", [7, 8], lambda i, x: [i, x],
                types=[AI, FcnType((INT, INT), AI)]) == [0, 7, 1, 8]
    assert call("a.groupby", [1, 2, 3, 4], lambda x: "odd" if x % 2 else "even",
                types=[AI, FcnType((INT,), STRING)]) == {"odd": [1, 3], "even": [2, 4]}


def test_zipmap():
    f2 = FcnType((INT, INT), INT)
    assert call("a.zipmap", [1, 2], [10, 20], lambda x, y: x + y, types=[AI, AI, f2]) == [11, 22]
    f3 = FcnType((INT, INT, INT), INT)
    assert call("a.zipmap", [1], [2], [3], lambda *r: sum(r), types=[AI, AI, AI, f3]) == [6]
    f4 = FcnType((INT, INT, INT, INT), INT)
    assert call("a.zipmap", [1], [2], [3], [4], lambda *r: sum(r),
                types=[AI, AI, AI, AI, f4]) == [10]
    raises(15650, fn("a.zipmap", AI, AI, f2), [1], [1, 2], lambda x, y: x)
    raises(15650, fn("a.zipmap", AI, AI, AI, f3), [1], [1], [], lambda *r: 0)
    g = FcnType((INT, INT, INT), INT)
    assert call("a.zipmapWithIndex", [1, 2], [3, 4], lambda i, x, y: i * 100 + x + y,
                types=[AI, AI, g]) == [4, 106]
    raises(15660, fn("a.zipmapWithIndex", AI, AI, g), [1], [], lambda i, x, y: 0)


def test_reductions():
    concat = FcnType((STRING, STRING), STRING)
    assert call("a.reduce", ["a", "b", "c"], lambda t, x: f"({t}{x})", types=[AS, concat]) == \
        "((ab)c)"
    assert call("a.reduceRight", ["a", "b", "c"], lambda x, t: f"({x}{t})",
                types=[AS, concat]) == "(a(bc))"
    raises(15670, fn("a.reduce", AS, concat), [], lambda t, x: t)
    raises(15680, fn("a.reduceRight", AS, concat), [], lambda x, t: t)
    fold = FcnType((STRING, INT), STRING)
    assert call("a.fold", [1, 2], "z", lambda t, x: f"{t}{x}", types=[AI, STRING, fold]) == "z12"
    assert call("a.foldRight", [1, 2], "z", lambda x, t: f"{t}{x}",
                types=[AI, STRING, FcnType((INT, STRING), STRING)]) == "z21"
    assert call("a.fold", [], "z", lambda t, x: t, types=[AI, STRING, fold]) == "z"


@given(ints)
def test_predicates_match_itertools(a):
    p = lambda x: x < 3  # noqa: E731
    assert call("a.takeWhile", a, p, types=[AI, PRED]) == list(itertools.takewhile(p, a))
    assert call("a.dropWhile", a, p, types=[AI, PRED]) == list(itertools.dropwhile(p, a))
    assert call("a.any", a, p, types=[AI, PRED]) == any(map(p, a))
    assert call("a.all", a, p, types=[AI, PRED]) == all(map(p, a))


def test_corresponds():
    rel = FcnType((INT, STRING), BOOLEAN)
    assert call("a.corresponds", [1, 2], ["a", "bb"], lambda x, s: len(s) == x,
                types=[AI, AS, rel]) is True
    assert call("a.corresponds", [1, 2], ["a"], lambda x, s: True, types=[AI, AS, rel]) is False
    rel_i = FcnType((INT, INT, STRING), BOOLEAN)
    assert call("a.correspondsWithIndex", [0, 1], ["a", "b"], lambda i, x, s: i == x,
                types=[AI, AS, rel_i]) is True
    assert call("a.correspondsWithIndex", [0], [], lambda i, x, s: True,
                types=[AI, AS, rel_i]) is False


# ------------------------------------------------------------------ restructuring

def test_restructuring():
    assert call("a.slidingWindow", [1, 2, 3, 4, 5], 2, 2) == [[1, 2], [3, 4]]
    assert call("a.slidingWindow", [1, 2, 3, 4], 3, 1) == [[1, 2, 3], [2, 3, 4]]
    assert call("a.slidingWindow", [1, 2], 3, 1) == []
    raises(15770, fn("a.slidingWindow", AI, INT, INT), [1], 0, 1)
    raises(15771, fn("a.slidingWindow", AI, INT, INT), [1], 1, 0)
    assert call("a.combinations", [1, 2, 3], 2) == [[1, 2], [1, 3], [2, 3]]
    assert call("a.combinations", [1, 2], 3) == []
    raises(15780, fn("a.combinations", AI, INT), [1], 0)
    perms = call("a.permutations", [1, 2, 3])
    assert sorted(perms) == sorted(map(list, itertools.permutations([1, 2, 3])))
    assert call("a.permutations", [], types=[AI]) == [[]]
    assert call("a.flatten", [[1], [], [2, 3]]) == [1, 2, 3]


def test_permutations_and_combinations_are_refused_before_they_are_built():
    from pfa.runtime.codes import VALUE_TOO_LARGE

    raises(VALUE_TOO_LARGE, fn("a.permutations", AvroArray(INT)), list(range(10)))
    raises(VALUE_TOO_LARGE, fn("a.combinations", AvroArray(INT), INT), list(range(60)), 30)
    assert len(call("a.permutations", list(range(7)))) == 5040
