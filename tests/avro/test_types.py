"""Avro types: schema parsing, to_json, ``accepts`` and ``narrowest_supertype``."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from strategies import avro_types

from pfa.avro.types import (
    BOOLEAN,
    BYTES,
    DOUBLE,
    FLOAT,
    INT,
    LONG,
    NULL,
    PRIMITIVES,
    STRING,
    AvroArray,
    AvroEnum,
    AvroField,
    AvroFixed,
    AvroMap,
    AvroRecord,
    AvroUnion,
    NoSupertypeError,
    TypeParser,
    accepts,
    narrowest_supertype,
    parse_type,
)
from pfa.errors import PfaSyntaxError

HYPOTHESIS = settings(max_examples=150, deadline=None,
                      suppress_health_check=[HealthCheck.too_slow])


def record(name: str, **fields) -> AvroRecord:
    return AvroRecord(name, [AvroField(k, v) for k, v in fields.items()])


def union(*types) -> AvroUnion:
    return AvroUnion(tuple(types))


# ---------------------------------------------------------------------------------------------
# parsing
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(PRIMITIVES))
def test_primitive_as_string_and_object(name):
    assert parse_type(name) is PRIMITIVES[name]
    assert parse_type({"type": name}) is PRIMITIVES[name]


def test_array_map_union():
    assert parse_type({"type": "array", "items": "int"}) == AvroArray(INT)
    assert parse_type({"type": "map", "values": {"type": "array", "items": "double"}}) \
        == AvroMap(AvroArray(DOUBLE))
    assert parse_type(["null", "string"]) == union(NULL, STRING)
    assert parse_type({"type": ["null", "string"]}) == union(NULL, STRING)


def test_fixed_enum_record():
    f = parse_type({"type": "fixed", "name": "MD5", "size": 16})
    assert isinstance(f, AvroFixed) and (f.fullname, f.size) == ("MD5", 16)
    e = parse_type({"type": "enum", "name": "Color", "symbols": ["RED", "GREEN"]})
    assert isinstance(e, AvroEnum) and e.symbols == ("RED", "GREEN") and e.index("GREEN") == 1
    r = parse_type({"type": "record", "name": "P", "doc": "a point", "fields": [
        {"name": "x", "type": "double", "default": 0.0, "order": "descending"},
        {"name": "y", "type": "double"}]})
    assert isinstance(r, AvroRecord) and r.field_names == ("x", "y") and r.doc == "a point"
    x = r.field("x")
    assert x.has_default and x.default == 0.0 and x.order == "descending"
    assert not r.field("y").has_default and r.field("z") is None


def test_error_is_a_record():
    t = parse_type({"type": "error", "name": "Oops", "fields": [{"name": "m", "type": "string"}]})
    assert isinstance(t, AvroRecord) and t.field_names == ("m",)


def test_namespaces():
    t = parse_type({"type": "record", "name": "Outer", "namespace": "com.ex", "fields": [
        {"name": "a", "type": {"type": "enum", "name": "E", "symbols": ["A"]}},
        {"name": "b", "type": {"type": "fixed", "name": "other.F", "size": 2}},
        {"name": "c", "type": {"type": "fixed", "name": "G", "namespace": "x", "size": 1}},
        {"name": "d", "type": "E"},          # short name resolved in the enclosing namespace
        {"name": "e", "type": "com.ex.E"},   # full name
        {"name": "f", "type": "other.F"},
    ]})
    assert t.fullname == "com.ex.Outer" and t.short_name == "Outer"
    types = [f.type for f in t.fields]
    assert [x.fullname for x in types] == ["com.ex.E", "other.F", "x.G",
                                           "com.ex.E", "com.ex.E", "other.F"]
    assert types[3] is types[0] and types[5] is types[1]


def test_dotted_name_overrides_namespace():
    t = parse_type({"type": "fixed", "name": "a.b.F", "namespace": "ignored", "size": 1})
    assert (t.namespace, t.short_name) == ("a.b", "F")


def test_empty_namespace_escapes_enclosing_one():
    t = parse_type({"type": "record", "name": "Outer", "namespace": "a", "fields": [
        {"name": "x", "type": {"type": "record", "name": "Inner", "namespace": "",
                               "fields": []}}]})
    assert t.field("x").type.fullname == "Inner"
    assert parse_type(t.to_json()) == t


def test_reference_to_earlier_definition_in_another_schema():
    p = TypeParser()
    e = p.parse({"type": "enum", "name": "E", "symbols": ["A", "B"]})
    assert p.parse({"type": "array", "items": "E"}) == AvroArray(e)


def test_forward_reference_via_collect():
    p = TypeParser()
    user = {"type": "record", "name": "User", "fields": [{"name": "addr", "type": "Address"}]}
    addr = {"type": "record", "name": "Address", "fields": [{"name": "zip", "type": "string"}]}
    p.collect(user, path="$.input")
    p.collect(addr, path="$.output")
    t = p.parse(user, path="$.input")
    assert t.field("addr").type is p.parse(addr)
    assert t.field("addr").type.field("zip").type is STRING


def test_locator_marks_are_ignored():
    t = parse_type({"@": "line 1", "type": "record", "name": "R",
                    "fields": [{"@": "line 2", "name": "x", "type": "int"}]})
    assert t.field_names == ("x",)


def test_recursive_record():
    tree = {"type": "record", "name": "Tree", "fields": [
        {"name": "value", "type": "double"},
        {"name": "left", "type": ["Tree", "double"]},
        {"name": "kids", "type": {"type": "array", "items": "Tree"}}]}
    t = parse_type(tree)
    assert t.field("left").type.types[0] is t
    assert t.field("kids").type.items is t
    assert parse_type(t.to_json()) == t
    assert accepts(t, parse_type(tree))


@pytest.mark.parametrize("schema", [
    "int",
    {"type": "array", "items": {"type": "map", "values": ["null", "bytes"]}},
    {"type": "record", "name": "R", "namespace": "n", "aliases": ["Old"], "doc": "d", "fields": [
        {"name": "a", "type": {"type": "fixed", "name": "F", "size": 3}, "doc": "fd"},
        {"name": "b", "type": ["null", "F", {"type": "enum", "name": "m.E", "symbols": ["X"]}],
         "default": None, "order": "ignore", "aliases": ["bb"]},
        {"name": "c", "type": {"type": "map", "values": "m.E"}},
        {"name": "d", "type": ["null", "R"]}]},
])
def test_to_json_round_trip(schema):
    t = parse_type(schema)
    assert parse_type(t.to_json()) == t
    assert parse_type(t.to_json()).to_json() == t.to_json()


def test_to_json_writes_named_types_once():
    t = parse_type({"type": "record", "name": "R", "fields": [
        {"name": "a", "type": {"type": "fixed", "name": "F", "size": 3}},
        {"name": "b", "type": "F"}]})
    assert t.to_json()["fields"][1]["type"] == "F"


@pytest.mark.parametrize("schema", [
    ["int", ["null", "string"]],                                     # union in union
    ["int", "int"],                                                  # duplicate branch kinds
    [{"type": "array", "items": "int"}, {"type": "array", "items": "string"}],
    [{"type": "map", "values": "int"}, {"type": "map", "values": "string"}],
    [{"type": "fixed", "name": "F", "size": 1}, "F"],                # one named type twice
    [],                                                              # empty union
    "Unknown",                                                       # unknown name
    {"type": "array", "items": "Nope"},
    {"type": "array"},                                               # no items
    {"type": "map"},                                                 # no values
    {"type": "fixed", "name": "F"},                                  # fixed without size
    {"type": "fixed", "name": "F", "size": -1},
    {"type": "fixed", "name": "F", "size": 1.5},
    {"type": "fixed", "size": 4},                                    # no name
    {"type": "fixed", "name": "1bad", "size": 4},                    # bad name
    {"type": "enum", "name": "E", "symbols": ["A", "A"]},            # duplicate symbol
    {"type": "enum", "name": "E", "symbols": ["not valid"]},         # bad symbol
    {"type": "enum", "name": "E", "symbols": "A"},
    {"type": "enum", "name": "E"},
    {"type": "record", "name": "R"},                                 # no fields
    {"type": "record", "name": "R", "fields": [{"name": "x"}]},      # field without type
    {"type": "record", "name": "R", "fields": [{"type": "int"}]},    # field without name
    {"type": "record", "name": "R", "fields": [{"name": "x", "type": "int"},
                                               {"name": "x", "type": "int"}]},
    {"type": "record", "name": "R", "fields": [{"name": "x-y", "type": "int"}]},
    {"type": "record", "name": "int", "fields": []},                 # redefines a primitive
    {"type": "record", "name": "R", "fields": [                      # R defined twice
        {"name": "a", "type": {"type": "record", "name": "R", "fields": []}}]},
    {"type": "record", "name": "R", "namespace": 3, "fields": []},
    {"type": "whatever"},
    {"type": 7},
    42,
    None,
])
def test_bad_schemas(schema):
    with pytest.raises(PfaSyntaxError):
        parse_type(schema)


def test_syntax_error_has_a_path():
    with pytest.raises(PfaSyntaxError) as err:
        parse_type({"type": "record", "name": "R", "fields": [
            {"name": "a", "type": "int"}, {"name": "b", "type": "Missing"}]})
    assert err.value.path == "$.fields[1].type"


# ---------------------------------------------------------------------------------------------
# accepts: one test per row of the specification's table
# ---------------------------------------------------------------------------------------------

NUMERIC = [INT, LONG, FLOAT, DOUBLE]


@pytest.mark.parametrize("t", [NULL, BOOLEAN, STRING, BYTES])
def test_accepts_simple_primitives(t):
    assert accepts(t, t)
    assert accepts(t, union(t))
    others = [x for x in PRIMITIVES.values() if x is not t]
    assert not any(accepts(t, x) for x in others)
    assert not accepts(t, union(t, others[0]))


@pytest.mark.parametrize("i, expected", list(enumerate(NUMERIC)))
def test_accepts_numeric_promotion(i, expected):
    for j, observed in enumerate(NUMERIC):
        assert accepts(expected, observed) == (j <= i)
    narrower = NUMERIC[:i + 1]
    if len(narrower) > 1:
        assert accepts(expected, union(*narrower))
    if i < 3:
        assert not accepts(expected, union(*NUMERIC[:i + 2]))
    assert not accepts(expected, STRING) and not accepts(expected, BOOLEAN)


def test_accepts_fixed():
    f = AvroFixed("F", 4, "n")
    assert accepts(f, AvroFixed("n.F", 4)) and accepts(f, union(f))
    assert not accepts(f, AvroFixed("F", 4))            # other full name
    assert not accepts(f, AvroFixed("n.F", 5))          # other size
    assert not accepts(f, BYTES) and not accepts(BYTES, f)


def test_accepts_enum():
    expected = AvroEnum("E", ["one", "two", "three"])
    assert accepts(expected, AvroEnum("E", ["two", "one"]))
    assert accepts(expected, union(AvroEnum("E", ["three"])))
    assert not accepts(expected, AvroEnum("E", ["one", "four"]))
    assert not accepts(AvroEnum("E", ["two", "one"]), expected)
    assert not accepts(expected, AvroEnum("Other", ["one"]))
    assert not accepts(expected, STRING)


def test_accepts_array_and_map_covariance():
    for kind in (AvroArray, AvroMap):
        assert accepts(kind(DOUBLE), kind(INT))
        assert not accepts(kind(INT), kind(DOUBLE))
        assert accepts(kind(union(NULL, STRING)), kind(STRING))
        assert accepts(kind(kind(LONG)), union(kind(kind(INT))))
        assert not accepts(kind(INT), INT)
    assert not accepts(AvroArray(INT), AvroMap(INT))


def test_accepts_records():
    expected = record("R", one=DOUBLE, two=STRING)
    assert accepts(expected, record("R", two=STRING, one=DOUBLE))        # any order
    assert accepts(expected, record("R", one=DOUBLE, two=STRING, three=BYTES))
    assert accepts(expected, record("R", one=INT, two=STRING))           # covariant
    assert accepts(expected, union(record("R", one=INT, two=STRING)))
    assert not accepts(expected, record("R", one=DOUBLE))                # missing field
    assert not accepts(expected, record("R", one=STRING, two=STRING))
    assert not accepts(expected, record("S", one=DOUBLE, two=STRING))    # other name
    assert not accepts(record("R", one=INT, two=STRING), expected)


def test_accepts_unions():
    wide = union(STRING, BYTES, NULL)
    assert accepts(wide, union(STRING, BYTES))
    assert accepts(wide, STRING)
    assert not accepts(union(STRING, BYTES), wide)
    assert not accepts(STRING, union(STRING, BYTES))
    assert accepts(union(DOUBLE, NULL), union(INT, FLOAT))               # with promotion
    assert accepts(union(NULL, AvroArray(DOUBLE)), AvroArray(INT))
    assert not accepts(union(NULL, INT), DOUBLE)


def test_accepts_recursive_records():
    t = parse_type({"type": "record", "name": "L", "fields": [
        {"name": "v", "type": "int"}, {"name": "next", "type": ["null", "L"]}]})
    u = parse_type({"type": "record", "name": "L", "fields": [
        {"name": "v", "type": "int"}, {"name": "next", "type": ["null", "L"]}]})
    assert accepts(t, u) and accepts(u, t)


# ---------------------------------------------------------------------------------------------
# narrowest supertype: rules 1-15 of the specification's table
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("types, expected", [
    ([NULL, NULL], NULL),                                                # 1
    ([BOOLEAN, BOOLEAN], BOOLEAN),                                       # 2
    ([INT, INT, INT], INT),                                              # 3
    ([INT, LONG, INT], LONG),                                            # 4
    ([FLOAT, INT, LONG], FLOAT),                                         # 5
    ([INT, DOUBLE, FLOAT, LONG], DOUBLE),                                # 6
    ([STRING], STRING),                                                  # 7
    ([BYTES, BYTES], BYTES),                                             # 8
    ([AvroFixed("F", 2), AvroFixed("F", 2)], AvroFixed("F", 2)),         # 9
    ([AvroEnum("E", "AB"), AvroEnum("E", "AB")], AvroEnum("E", "AB")),   # 10
    ([AvroArray(INT), AvroArray(DOUBLE)], AvroArray(DOUBLE)),            # 11
    ([AvroArray(INT), AvroArray(STRING)], AvroArray(union(INT, STRING))),
    ([AvroMap(LONG), AvroMap(INT)], AvroMap(LONG)),                      # 12
    ([record("R", a=INT), record("R", a=INT)], record("R", a=INT)),      # 13
])
def test_narrowest_supertype_same_kind(types, expected):
    assert narrowest_supertype(types) == expected


def test_narrowest_supertype_union_rule_14():
    assert narrowest_supertype([INT, STRING]) == union(INT, STRING)
    assert narrowest_supertype([INT, DOUBLE, NULL]) == union(DOUBLE, NULL)
    assert narrowest_supertype([union(INT, STRING), union(STRING, NULL)]) \
        == union(INT, STRING, NULL)                                      # merged unions
    assert narrowest_supertype([union(INT, STRING), DOUBLE]) == union(DOUBLE, STRING)
    assert narrowest_supertype([AvroArray(INT), AvroMap(INT), AvroArray(LONG)]) \
        == union(AvroArray(LONG), AvroMap(INT))
    r, s = record("R", a=INT), record("S", a=INT)                        # 13 falls to 14
    assert narrowest_supertype([r, s, r]) == union(r, s)
    assert narrowest_supertype([union(INT)]) == INT


def test_narrowest_supertype_single_fixed_or_enum_beside_other_kinds():
    # Like the reference implementations, one fixed (or enum) may share a union with others.
    e = AvroEnum("E", "AB")
    assert narrowest_supertype([e, NULL]) == union(e, NULL)


def test_narrowest_supertype_of_a_union_holding_two_fixed_types():
    u = union(AvroFixed("F", 2), AvroFixed("G", 2), NULL)
    assert narrowest_supertype([u, u]) == u
    assert narrowest_supertype([AvroFixed("G", 2), u]) == u


@pytest.mark.parametrize("types", [
    [AvroFixed("F", 2), AvroFixed("G", 2)],                              # 15: distinct fixed
    [AvroFixed("F", 2), AvroFixed("F", 3)],
    [AvroEnum("E", "AB"), AvroEnum("D", "AB")],                          # 15: distinct enums
    [AvroEnum("E", "AB"), AvroEnum("E", "A")],
    [NULL, AvroEnum("E", "AB"), AvroEnum("D", "AB")],
    [record("R", a=INT), record("R", a=STRING)],                         # same name, unequal
])
def test_narrowest_supertype_type_errors(types):
    with pytest.raises(NoSupertypeError):
        narrowest_supertype(types)


def test_narrowest_supertype_of_nothing():
    with pytest.raises(ValueError):
        narrowest_supertype([])


# ---------------------------------------------------------------------------------------------
# properties over generated types
# ---------------------------------------------------------------------------------------------

@HYPOTHESIS
@given(avro_types(max_depth=3))
def test_accepts_is_reflexive(t):
    assert accepts(t, t)


@HYPOTHESIS
@given(avro_types(max_depth=3))
def test_generated_types_survive_to_json(t):
    assert parse_type(t.to_json()) == t


@HYPOTHESIS
@given(st.data())
def test_narrowest_supertype_accepts_both(data):
    a = data.draw(avro_types(max_depth=2))
    b = data.draw(avro_types(max_depth=2, prefix="U"))  # no clashing definitions
    try:
        s = narrowest_supertype([a, b])
    except NoSupertypeError:
        assume(False)
    assert accepts(s, a) and accepts(s, b)
    same = narrowest_supertype([a, a])
    assert accepts(same, a) and accepts(a, same)
