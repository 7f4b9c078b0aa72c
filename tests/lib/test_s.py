"""s.* string functions, checked against Python's own str operations and hand computation."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pfa.avro.types import BOOLEAN, DOUBLE, INT, LONG, NULL, STRING, AvroArray, AvroUnion
from tests.lib.helpers import call, fn, raises

OPT_INT = AvroUnion((INT, NULL))
NUMBER3 = (DOUBLE, OPT_INT, OPT_INT)
NUMBER5 = (DOUBLE, OPT_INT, OPT_INT, DOUBLE, DOUBLE)

texts = st.text(max_size=20)
indexes = st.integers(-30, 30)


def test_len_counts_code_points():
    assert call("s.len", "") == 0
    assert call("s.len", "héllo") == 5
    assert call("s.len", "😀x") == 2


@given(texts, indexes, indexes)
def test_substr_is_python_slicing(s, start, end):
    assert call("s.substr", s, start, end) == s[start:end]


@given(texts, indexes, indexes, texts)
def test_substrto_is_slice_assignment(s, start, end, rep):
    chars = list(s)
    chars[start:end] = list(rep)
    assert call("s.substrto", s, start, end, rep) == "".join(chars)


def test_substr_examples():
    assert call("s.substr", "abcdef", -2, 100) == "ef"
    assert call("s.substr", "abcdef", 4, 2) == ""
    assert call("s.substrto", "abcdef", 4, 2, "XY") == "abcdXYef"
    assert call("s.substrto", "abcdef", -1, 100, "!") == "abcde!"


def test_search_functions():
    assert call("s.contains", "haystack", "st") is True
    assert call("s.contains", "haystack", "xx") is False
    assert call("s.count", "aaaa", "aa") == 2
    assert call("s.count", "abc", "") == 0
    assert call("s.count", "", "a") == 0
    assert call("s.index", "abcabc", "bc") == 1
    assert call("s.index", "abc", "z") == -1
    assert call("s.rindex", "abcabc", "bc") == 4
    assert call("s.rindex", "abc", "z") == -1
    assert call("s.startswith", "abc", "ab") is True
    assert call("s.startswith", "abc", "bc") is False
    assert call("s.endswith", "abc", "bc") is True
    assert call("s.endswith", "abc", "ab") is False


@given(texts, st.text(min_size=1, max_size=3))
def test_search_matches_python(h, n):
    assert call("s.count", h, n) == h.count(n)
    assert call("s.index", h, n) == h.find(n)
    assert call("s.rindex", h, n) == h.rfind(n)


def test_join_and_split():
    assert call("s.join", ["a", "b", "c"], ", ") == "a, b, c"
    assert call("s.join", [], "-", types=[AvroArray(STRING), STRING]) == ""
    assert call("s.split", "a,b,,c", ",") == ["a", "b", "", "c"]
    assert call("s.split", ",a,", ",") == ["", "a", ""]
    assert call("s.split", "abc", ";") == ["abc"]
    assert call("s.split", "abc", "") == []


@given(st.lists(st.text(alphabet="ab", max_size=4), min_size=1, max_size=5))
def test_split_inverts_join(parts):
    assert call("s.split", call("s.join", parts, ","), ",") == parts


def test_hex():
    assert call("s.hex", 255, types=[LONG]) == "ff"
    assert call("s.hex", 0, types=[LONG]) == "0"
    f = fn("s.hex", LONG, INT, BOOLEAN)
    assert f(255, 6, False) == "    ff"
    assert f(255, -6, False) == "ff    "
    assert f(255, 6, True) == "0000ff"
    assert f(0x123456, 2, True) == "123456"
    raises(39110, f, 255, -6, True)
    raises(39111, f, -1, 6, False)
    raises(39111, fn("s.hex", LONG), -5)


def test_int():
    assert call("s.int", 42, types=[LONG]) == "42"
    assert call("s.int", -42, types=[LONG]) == "-42"
    f = fn("s.int", LONG, INT, BOOLEAN)
    assert f(42, 5, False) == "   42"
    assert f(42, -5, False) == "42   "
    assert f(42, 5, True) == "00042"
    assert f(-42, 5, True) == "-0042"
    assert f(123456, 3, False) == "123456"
    raises(39240, f, 42, -5, True)


def test_number_integers_deprecated_signatures():
    assert call("s.number", 7, types=[LONG]) == "7"
    f = fn("s.number", LONG, INT, BOOLEAN)
    assert f(7, 3, True) == "007"
    raises(39120, f, 7, -3, True)


@pytest.mark.parametrize(("x", "width", "precision", "expected"), [
    (3.14159265, None, None, "3.141593"),
    (2.5, None, None, "2.5"),
    (1.0, None, None, "1.0"),
    (-0.0, None, None, "0.0"),
    (0.0, None, None, "0.0"),
    (1234567.0, None, None, "1.234567e+06"),
    (1e6, None, None, "1.0e+06"),
    (0.00001234, None, None, "1.234e-05"),
    (3.14159265, None, 2, "3.14"),
    (3.14159265, 8, 2, "    3.14"),
    (3.14159265, -8, 2, "3.14    "),
    (1e-7, None, 3, "1.000e-07"),
    (float("nan"), None, None, "nan"),
    (float("inf"), None, None, "inf"),
    (float("-inf"), 6, None, "  -inf"),
    (-12.5, None, None, "-12.5"),
])
def test_number_doubles(x, width, precision, expected):
    assert fn("s.number", *NUMBER3)(x, width, precision) == expected


def test_number_custom_exponent_range_and_errors():
    f5 = fn("s.number", *NUMBER5)
    assert f5(123.0, None, None, 1.0, 100.0) == "1.23e+02"
    assert f5(0.5, None, None, 1.0, 100.0) == "5.0e-01"
    assert f5(50.0, None, 1, 1.0, 100.0) == "50.0"
    raises(39121, fn("s.number", *NUMBER3), 1.0, None, -1)
    raises(39121, f5, 1.0, 4, -2, 1.0, 2.0)


def test_concat_repeat_case():
    assert call("s.concat", "ab", "cd") == "abcd"
    assert call("s.repeat", "ab", 3) == "ababab"
    assert call("s.repeat", "ab", 0) == ""
    assert call("s.repeat", "ab", -2) == ""
    assert call("s.lower", "ÀBC") == "àbc"
    assert call("s.upper", "àbc") == "ÀBC"


def test_strip_family():
    assert call("s.lstrip", "xxhixx", "x") == "hixx"
    assert call("s.rstrip", "xxhixx", "x") == "xxhi"
    assert call("s.strip", "xyhiyx", "yx") == "hi"
    assert call("s.strip", "hi", "") == "hi"


def test_replace_family():
    assert call("s.replaceall", "abcabc", "b", "XX") == "aXXcaXXc"
    assert call("s.replacefirst", "abcabc", "b", "XX") == "aXXcabc"
    assert call("s.replacelast", "abcabc", "b", "XX") == "abcaXXc"
    assert call("s.replacelast", "abc", "z", "XX") == "abc"
    assert call("s.replacefirst", "abc", "z", "XX") == "abc"
    assert call("s.replaceall", "", "a", "b") == ""


@given(st.text(alphabet="abc", max_size=12), st.text(alphabet="abc", min_size=1, max_size=2),
       st.text(max_size=3))
def test_replacelast_mirrors_replacefirst(s, orig, rep):
    rev = call("s.replacefirst", s[::-1], orig[::-1], rep[::-1])[::-1]
    assert call("s.replacelast", s, orig, rep) == rev


def test_translate():
    assert call("s.translate", "abcdef", "abc", "xyz") == "xyzdef"
    assert call("s.translate", "abcdef", "abc", "x") == "xdef"
    assert call("s.translate", "aabbcc", "ab", "") == "cc"
    assert call("s.translate", "abc", "aa", "xy") == "xbc"
    assert call("s.translate", "", "a", "b") == ""
