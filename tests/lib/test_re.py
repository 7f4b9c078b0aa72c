"""re.* regular expressions: POSIX-extended syntax, string (code point) and bytes positions."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pfa.avro.types import STRING
from pfa.runtime.budget import Budget
from tests.lib.helpers import call, fn, raises

CODES = {
    "re.index": 35000, "re.contains": 35010, "re.count": 35020, "re.rindex": 35030,
    "re.groups": 35040, "re.indexall": 35050, "re.findall": 35060, "re.findfirst": 35070,
    "re.findgroupsfirst": 35080, "re.findgroupsall": 35090, "re.groupsall": 35100,
    "re.replacefirst": 35110, "re.replacelast": 35120, "re.split": 35130,
    "re.replaceall": 35140,
}
THREE_ARGS = {"re.replacefirst", "re.replacelast", "re.replaceall"}


@pytest.mark.parametrize("name", sorted(CODES))
@pytest.mark.parametrize("pattern", ["(ab", "a)", "[abc", "[[:nosuch:]]", "*a", "a\\", "\\q"])
def test_bad_pattern_codes(name, pattern):
    args = ("abc", pattern, "x") if name in THREE_ARGS else ("abc", pattern)
    raises(CODES[name], lambda: call(name, *args))
    bargs = tuple(a.encode() for a in args)
    raises(CODES[name], lambda: call(name, *bargs))


def test_posix_syntax():
    assert call("re.index", "cchchat", "[hc]+at") == [0, 7]
    assert call("re.index", "at", "[hc]+at") == []
    assert call("re.index", "at", "[hc]?at") == [0, 2]
    assert call("re.index", "mouse", "cat|dog") == []
    assert call("re.index", "defdef", "(abc){2}|(def){2}") == [0, 6]
    assert call("re.index", "Paris in the the spring", r"(the )\1") == [9, 17]
    assert call("re.index", "GHab", "[[:upper:]ab]") == [0, 1]
    assert call("re.index", "p", "[[:upper:]ab]") == []
    assert call("re.index", "x]y", "[]]") == [1, 2]
    assert call("re.index", "a-b", "[a-]+") == [0, 2]
    assert call("re.index", "tab\there", "[[:space:]]") == [3, 4]
    assert call("re.index", "a\nb", "a.b") == [0, 3]       # . matches newline
    assert call("re.index", "ab\n", "ab$") == []           # $ only at the very end
    assert call("re.index", "x12y", "[[:digit:]]+") == [1, 3]
    assert call("re.index", "x12y", r"\d+") == [1, 3]
    assert call("re.index", "a.b", "[.]") == [1, 2]


def test_positions_are_code_points_for_strings_and_bytes_for_bytes():
    s = "对讲机abcccdc"
    assert call("re.index", s, "ab(c|d)*") == [3, 10]
    assert call("re.index", s.encode(), b"ab(c|d)*") == [9, 16]
    hay = "xyzzzz对讲机机abcc对讲机机mmmmm对讲机机aa"
    pat = "对讲机(讲|机)*"
    assert call("re.indexall", hay.encode(), pat.encode()) == [[6, 18], [22, 34], [39, 51]]
    assert call("re.indexall", hay, pat) == [[6, 10], [14, 18], [23, 27]]
    assert call("re.rindex", hay, pat) == [23, 27]
    assert call("re.groups", hay.encode(), pat.encode()) == [[6, 18], [15, 18]]
    assert call("re.findfirst", "abc机机机abca", "机+") == "机机机"


def test_contains_count_rindex():
    assert call("re.contains", "wio239fj6abcccdc", "ab(c|d)*") is True
    assert call("re.contains", "938272XKASGJ8", "ab(c|d)*") is False
    assert call("re.count", "iabc1abc2abc2abc", "ab(c|d)*") == 4
    assert call("re.count", "dogDogdogdogdog", "dog") == 4
    assert call("re.count", "aaaaaaaaaaaaaaa", "a*") == 1
    assert call("re.count", "ababababababababababa", "ba") == 10
    assert call("re.count", "", "x") == 0
    assert call("re.rindex", "catdogpppdog", "dog") == [9, 12]
    assert call("re.rindex", "cat", "dog") == []


def test_groups():
    assert call("re.groups", "abcd", "(a(b)c)d") == [[0, 4], [0, 3], [1, 2]]
    assert call("re.groups", "Paris in the the spring", "(the )+") == [[9, 17], [13, 17]]
    assert call("re.groups", "abcdefghijk", "()(a)bc(def)ghijk") == [[0, 11], [0, 0], [0, 1],
                                                                      [3, 6]]
    assert call("re.groups", "xyz", "(a)") == []
    assert call("re.groups", "b", "(a)?b") == [[0, 1], [-1, -1]]   # unmatched group
    assert call("re.groupsall", "abcdefghijkMMMMMabcdefghijkMMMM", "()(a)bc(def)ghijk") == [
        [[0, 11], [0, 0], [0, 1], [3, 6]], [[16, 27], [16, 16], [16, 17], [19, 22]]]


def test_find_functions():
    assert call("re.findall", "abcabcabc", "ab") == ["ab", "ab", "ab"]
    assert call("re.findall", "xyz", "ab") == []
    assert call("re.findall", "abc机机abcabc".encode(), b"ab+") == [b"ab", b"ab", b"ab"]
    assert call("re.findfirst", "88ccc555", "ab") is None
    assert call("re.findfirst", b"zzabzz", b"ab") == b"ab"
    assert call("re.findgroupsfirst", "abcdefghijk", "()(a)bc(def)ghijk") == [
        "abcdefghijk", "", "a", "def"]
    assert call("re.findgroupsfirst", "88ccc", "ab") == []
    assert call("re.findgroupsfirst", "b", "(a)?b") == ["b", ""]
    assert call("re.findgroupsall", "kkabkkabkkab", "ab") == [["ab"], ["ab"], ["ab"]]
    assert call("re.findgroupsall", "abc机机abca机机bc".encode(), "机(机)".encode()) == [
        ["机机".encode(), "机".encode()], ["机机".encode(), "机".encode()]]


def test_replace_functions():
    assert call("re.replacefirst", "PPPPabcccdcPPPP", "ab(c|d)*", "person") == "PPPPpersonPPPP"
    assert call("re.replacefirst", "PPPP", "ab(c|d)*", "person") == "PPPP"
    assert call("re.replacelast", "abcccdcPPPPabcccdcPPPP", "ab(c|d)*", "person") == \
        "abcccdcPPPPpersonPPPP"
    assert call("re.replaceall", "pcowppcowpppcow", "cow", "doggy") == "pdoggyppdoggypppdoggy"
    assert call("re.replaceall", "abc", "x", "y") == "abc"
    assert call("re.replaceall", "a.b", ".", r"\1") == r"\1\1\1"   # literal replacement
    hay = "This 对讲机 works better than that 对讲机.".encode()
    assert call("re.replaceall", hay, "对讲机+".encode(), b"walkie talkie") == \
        b"This walkie talkie works better than that walkie talkie."


def test_split():
    assert call("re.split", "cowpcowppcowppp", "cow") == ["p", "pp", "ppp"]
    assert call("re.split", "pcowppcowpppcow", "cow") == ["p", "pp", "ppp"]
    assert call("re.split", "PPabcccdcPPabcccdcPP", "ab(c|d)*") == ["PP", "PP", "PP"]
    assert call("re.split", "acowcowb", "cow") == ["a", "", "b"]
    assert call("re.split", b"xyz", "机机+".encode()) == [b"xyz"]
    assert call("re.split", "ab机机ab机机机abc", "机机+") == ["ab", "ab", "abc"]


literal = st.text(alphabet="abc.", min_size=1, max_size=3)
hay = st.text(alphabet="abc.\n", max_size=20)


@given(hay, literal)
def test_literal_patterns_agree_with_str_methods(h, needle):
    pattern = re.escape(needle)
    assert call("re.contains", h, pattern) == (needle in h)
    assert call("re.count", h, pattern) == h.count(needle)
    assert call("re.replaceall", h, pattern, "#") == h.replace(needle, "#")
    where = h.find(needle)
    assert call("re.index", h, pattern) == ([where, where + len(needle)] if where >= 0 else [])


@given(hay, st.sampled_from(["a+", "[ab]c?", "(a|b)*c", "[[:alpha:]]{2}", r"\.+"]))
def test_bytes_and_string_haystacks_agree_for_ascii(h, pattern):
    assert call("re.indexall", h.encode(), pattern.encode()) == call("re.indexall", h, pattern)
    assert [s.encode() for s in call("re.findall", h, pattern)] == \
        call("re.findall", h.encode(), pattern.encode())


def test_results_that_grow_with_the_matches_are_reserved_in_the_budget():
    from pfa.runtime.codes import VALUE_TOO_LARGE

    small = Budget(value_limit=10_000)
    replaceall = fn("re.replaceall", STRING, STRING, STRING, context=small)
    indexall = fn("re.indexall", STRING, STRING, context=small)
    raises(VALUE_TOO_LARGE, replaceall, "x" * 1000, "", "y" * 10)
    raises(VALUE_TOO_LARGE, indexall, "x" * 1000, "")
    assert replaceall("abc", "", "-") == "-a-b-c-"
    assert indexall("x" * 10, "") == [[i, i] for i in range(11)]


def test_a_catastrophic_pattern_stops_at_the_deadline():
    from time import perf_counter

    from pfa.errors import PfaTimeoutError

    late = Budget()
    late.deadline = perf_counter() + 0.05
    index = fn("re.index", STRING, STRING, context=late)
    with pytest.raises(PfaTimeoutError):
        index("a" * 5000 + "!", "(a+)+$")
