"""Library signatures: the generated table, pattern matching, label unification, fcnrefs."""

from __future__ import annotations

import importlib.util
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pfa.avro.types import (
    BOOLEAN,
    BYTES,
    DOUBLE,
    FLOAT,
    INT,
    LONG,
    NULL,
    STRING,
    AvroArray,
    AvroEnum,
    AvroField,
    AvroFixed,
    AvroMap,
    AvroRecord,
    AvroType,
    AvroUnion,
    narrowest_supertype,
    parse_type,
)
from pfa.check.signatures import (
    FcnType,
    PAny,
    PArray,
    PEnum,
    PFixed,
    PFunction,
    PMap,
    PPrimitive,
    PRecord,
    PRef,
    PUnion,
    SignatureMismatch,
    UnknownFunction,
    function_param_types,
    library,
    pattern_to_str,
    resolve_call,
    resolve_fcnref,
    signature_to_str,
)

REPO = Path(__file__).resolve().parents[2]


def _gen_module():
    spec = importlib.util.spec_from_file_location("gen_signatures",
                                                  REPO / "tools" / "gen_signatures.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


XML = _gen_module().default_xml()  # ../shared/reference/libfcns.xml, the DMG specification's
needs_xml = pytest.mark.skipif(XML is None, reason="reference libfcns.xml not available")


def rec(name: str, **fields: AvroType) -> AvroRecord:
    return AvroRecord(name, [AvroField(k, v) for k, v in fields.items()])


# ---------------------------------------------------------------------------------------------
# The generated table
# ---------------------------------------------------------------------------------------------

def _spec_names() -> list[str]:
    """Names of signatures.json's functions from the specification (not extensions)."""
    return [name for name, f in library().items() if f.extension is None]


def test_library_has_449_functions_in_order():
    lib = library()
    assert len(_spec_names()) == 449
    assert list(lib)[:449] == _spec_names()
    assert list(lib)[:3] == ["+", "-", "*"]
    assert lib["+"].errors == {18000: "int overflow", 18001: "long overflow"}
    assert lib["rand.int"].nondeterministic == "pseudorandom"
    assert lib["+"].nondeterministic is None


@needs_xml
def test_names_equal_reference_xml():
    root = ET.parse(XML).getroot()
    names = [f.attrib["name"] for f in root.iter("fcn")]
    assert _spec_names() == names


@needs_xml
def test_committed_json_agrees_with_the_specification_xml():
    """signatures.json is the source of truth; it must still say what the spec's XML says."""
    gen = _gen_module()
    path = REPO / "pfa" / "lib" / "signatures.json"
    text = gen.render(gen.with_extensions(gen.extract(XML), path))
    assert text == path.read_text(encoding="utf-8")


@needs_xml
def test_extension_entries_survive_regeneration_and_nothing_else_does(tmp_path):
    gen = _gen_module()
    data = json.loads((REPO / "pfa" / "lib" / "signatures.json").read_text(encoding="utf-8"))
    ext = {"name": "m.cube", "sigs": [{"params": [{"name": "x", "type": "double"}],
                                       "ret": "double"}],
           "errors": {}, "nondeterministic": None, "extension": "an example"}
    stray = {**ext, "name": "m.stray"}
    del stray["extension"]
    copy = tmp_path / "signatures.json"
    copy.write_text(gen.render({**data, "functions": data["functions"] + [ext, stray]}),
                    encoding="utf-8")
    assert gen.main(["--check", str(XML), str(copy)]) == 1  # m.stray is not in the spec
    assert gen.main([str(XML), str(copy)]) == 0
    names = [f["name"] for f in json.loads(copy.read_text(encoding="utf-8"))["functions"]]
    assert names[-1] == "m.cube" and "m.stray" not in names
    assert gen.main(["--check", str(XML), str(copy)]) == 0


@needs_xml
def test_gen_signatures_check_mode(tmp_path):
    gen = _gen_module()
    copy = tmp_path / "signatures.json"
    copy.write_text((REPO / "pfa" / "lib" / "signatures.json").read_text(encoding="utf-8"),
                    encoding="utf-8")
    assert gen.main(["--check", str(XML), str(copy)]) == 0
    copy.write_text(copy.read_text(encoding="utf-8").replace('"int overflow"', '"overflow"', 1),
                    encoding="utf-8")
    assert gen.main(["--check", str(XML), str(copy)]) == 1


def test_json_is_well_formed_and_errors_are_short():
    data = json.loads((REPO / "pfa" / "lib" / "signatures.json").read_text(encoding="utf-8"))
    assert data["version"] == "0.8.1"
    codes = [c for f in data["functions"] for c in f["errors"]]
    assert len(codes) == len(set(codes))
    for f in data["functions"]:
        for msg in f["errors"].values():
            assert 0 < len(msg) < 80


def test_every_signature_prints():
    for spec in library().values():
        for sig in spec.sigs:
            assert signature_to_str(spec.name, sig).startswith(spec.name + "(")


# ---------------------------------------------------------------------------------------------
# Every signature accepts arguments built from its own patterns
# ---------------------------------------------------------------------------------------------

class _Instantiator:
    """Builds concrete argument types that should fit one signature."""

    def __init__(self) -> None:
        self.env: dict[str, AvroType] = {}
        self.n = 0

    def fresh(self, kind: str) -> str:
        self.n += 1
        return f"Gen{kind}{self.n}"

    def __call__(self, p):
        if isinstance(p, PPrimitive):
            return p.type
        if isinstance(p, PAny | PRef):
            if p.label not in self.env:
                of = getattr(p, "of", None)
                self.env[p.label] = of[0] if of else STRING
            return self.env[p.label]
        if isinstance(p, PArray):
            return AvroArray(self(p.items))
        if isinstance(p, PMap):
            return AvroMap(self(p.values))
        if isinstance(p, PUnion):
            return narrowest_supertype([self(t) for t in p.types])
        if isinstance(p, PRecord):
            if p.label in self.env:
                return self.env[p.label]
            r = AvroRecord(self.fresh("Rec"))
            self.env[p.label] = r
            fields = [] if p.fields is None else [AvroField(k, self(v)) for k, v in p.fields]
            r.set_fields(fields or [AvroField("x", DOUBLE)])
            return r
        if isinstance(p, PEnum):
            if p.label not in self.env:
                symbols = (list(self.env[p.of_record].field_names) if p.of_record
                           else ["a", "b"])
                self.env[p.label] = AvroEnum(self.fresh("Enum"), symbols)
            return self.env[p.label]
        if isinstance(p, PFixed):
            return self.env.setdefault(p.label, AvroFixed(self.fresh("Fixed"), 8))
        if isinstance(p, PFunction):
            return FcnType(tuple(self(t) for t in p.params), self(p.ret))
        raise TypeError(p)


def _instantiate(sig):
    inst = _Instantiator()
    order = sorted(range(sig.arity), key=lambda i: isinstance(sig.params[i].pattern, PFunction))
    args: list = [None] * sig.arity
    for i in order:
        args[i] = inst(sig.params[i].pattern)
    return args


def test_every_signature_matches_its_own_instance():
    for spec in library().values():
        for index, sig in enumerate(spec.sigs):
            args = _instantiate(sig)
            resolved = resolve_call(spec.name, args)
            assert resolved.sig_index <= index, (spec.name, index)
            if resolved.sig_index == index:
                assert len(resolved.param_types) == sig.arity


# ---------------------------------------------------------------------------------------------
# Resolution examples
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("x", "y", "ret"), [
    (INT, INT, INT), (INT, DOUBLE, DOUBLE), (LONG, INT, LONG), (FLOAT, LONG, FLOAT),
])
def test_plus_promotes(x, y, ret):
    r = resolve_call("+", [x, y])
    assert r.ret_type == ret
    assert r.param_types == (ret, ret)
    assert r.labels == {"A": ret}
    assert r.sig_index == 0


def test_plus_rejects_string_with_readable_message():
    with pytest.raises(SignatureMismatch) as info:
        resolve_call("+", [STRING, INT])
    msg = str(info.value)
    assert "'+'" in msg and "(string, int)" in msg
    assert "any A of {int, long, float, double}" in msg


def test_arity_mismatch_message():
    with pytest.raises(SignatureMismatch, match="takes 2 argument"):
        resolve_call("+", [INT])


def test_unknown_function_suggests():
    with pytest.raises(UnknownFunction) as info:
        resolve_call("m.sqr", [DOUBLE])
    assert info.value.name == "m.sqr"
    assert info.value.suggestion == "m.sqrt"


def test_unary_minus():
    assert resolve_call("u-", [LONG]).ret_type == LONG
    with pytest.raises(SignatureMismatch):
        resolve_call("u-", [STRING])


def test_sqrt_promotes_int_to_double():
    r = resolve_call("m.sqrt", [INT])
    assert r.param_types == (DOUBLE,) and r.ret_type == DOUBLE


def test_subseq_and_sort():
    r = resolve_call("a.subseq", [AvroArray(STRING), INT, INT])
    assert r.ret_type == AvroArray(STRING) and r.labels["A"] == STRING
    assert resolve_call("a.sort", [AvroArray(DOUBLE)]).ret_type == AvroArray(DOUBLE)
    with pytest.raises(SignatureMismatch):
        resolve_call("a.sort", [AvroMap(DOUBLE)])


def test_append_widens_label():
    r = resolve_call("a.append", [AvroArray(INT), DOUBLE])
    assert r.ret_type == AvroArray(DOUBLE)
    assert r.param_types == (AvroArray(DOUBLE), DOUBLE)


def test_map_with_function():
    r = resolve_call("a.map", [AvroArray(INT), FcnType((INT,), STRING)])
    assert r.ret_type == AvroArray(STRING)
    assert r.param_types[1] == FcnType((INT,), STRING)
    assert r.labels == {"A": INT, "B": STRING}
    # a function taking a wider type is fine; one taking a narrower type is not
    assert resolve_call("a.map", [AvroArray(INT), FcnType((DOUBLE,), INT)]).ret_type == \
        AvroArray(INT)
    with pytest.raises(SignatureMismatch):
        resolve_call("a.map", [AvroArray(DOUBLE), FcnType((INT,), INT)])
    with pytest.raises(SignatureMismatch):
        resolve_call("a.map", [AvroArray(INT), FcnType((INT, INT), INT)])
    with pytest.raises(SignatureMismatch):
        resolve_call("a.map", [AvroArray(INT), INT])


def test_map_map_and_sort_lt():
    r = resolve_call("map.map", [AvroMap(DOUBLE), FcnType((DOUBLE,), BOOLEAN)])
    assert r.ret_type == AvroMap(BOOLEAN)
    r = resolve_call("a.sortLT", [AvroArray(INT), FcnType((INT, INT), BOOLEAN)])
    assert r.ret_type == AvroArray(INT)
    with pytest.raises(SignatureMismatch):
        resolve_call("a.sortLT", [AvroArray(INT), FcnType((INT, INT), STRING)])


def test_fold_widens_through_function_return():
    r = resolve_call("a.fold", [AvroArray(INT), INT, FcnType((DOUBLE, INT), DOUBLE)])
    assert r.ret_type == DOUBLE
    with pytest.raises(SignatureMismatch):
        resolve_call("a.fold", [AvroArray(INT), INT, FcnType((INT, INT), DOUBLE)])


def test_filter_map_union_return():
    r = resolve_call("a.filterMap", [AvroArray(INT), FcnType((INT,), AvroUnion((STRING, NULL)))])
    assert r.ret_type == AvroArray(STRING)


def test_function_param_types_for_checker():
    assert function_param_types("a.map", [AvroArray(INT), None], 1) == [(0, (INT,))]
    assert function_param_types("a.fold", [AvroArray(INT), LONG, None], 2) == [(0, (LONG, INT))]


def _tree_types():
    datum = rec("Datum", x=DOUBLE, y=STRING)
    field_enum = AvroEnum("Fields", ["x", "y"])
    node = AvroRecord("TreeNode")
    branch = AvroUnion((node, STRING))
    node.set_fields([AvroField("field", field_enum), AvroField("operator", STRING),
                     AvroField("value", DOUBLE), AvroField("pass", branch),
                     AvroField("fail", branch)])
    return datum, field_enum, node


def test_tree_simple_walk_and_simple_tree():
    datum, _, node = _tree_types()
    r = resolve_call("model.tree.simpleWalk",
                     [datum, node, FcnType((datum, node), BOOLEAN)])
    assert r.ret_type == STRING
    assert r.labels["D"] is datum and r.labels["T"] is node and r.labels["S"] == STRING
    assert resolve_call("model.tree.simpleTree", [datum, node]).ret_type == STRING
    with pytest.raises(SignatureMismatch):  # predicate on the wrong record
        resolve_call("model.tree.simpleWalk", [datum, node, FcnType((node, node), BOOLEAN)])


def test_tree_simple_test_enum_of_record():
    datum, field_enum, node = _tree_types()
    assert resolve_call("model.tree.simpleTest", [datum, node]).ret_type == BOOLEAN
    other = rec("Other", y=STRING, x=DOUBLE)  # same names, different order
    with pytest.raises(SignatureMismatch, match="field names"):
        resolve_call("model.tree.simpleTest", [other, node])
    comparison = rec("Cmp", field=field_enum, operator=STRING)  # no "value"
    with pytest.raises(SignatureMismatch, match="value"):
        resolve_call("model.tree.simpleTest", [datum, comparison])


def test_tree_parsed_from_schema():
    node = parse_type({"type": "record", "name": "TreeNode", "fields": [
        {"name": "field", "type": {"type": "enum", "name": "F", "symbols": ["a", "b"]}},
        {"name": "operator", "type": "string"},
        {"name": "value", "type": "double"},
        {"name": "pass", "type": ["TreeNode", {"type": "enum", "name": "Out",
                                               "symbols": ["yes", "no"]}]},
        {"name": "fail", "type": ["TreeNode", "Out"]}]})
    datum = parse_type({"type": "record", "name": "Datum", "fields": [
        {"name": "a", "type": "double"}, {"name": "b", "type": "double"}]})
    r = resolve_call("model.tree.simpleTree", [datum, node])
    assert isinstance(r.ret_type, AvroEnum) and r.ret_type.fullname == "Out"


def test_reg_linear_signatures():
    m1 = rec("M1", coeff=AvroArray(DOUBLE), const=DOUBLE)
    r = resolve_call("model.reg.linear", [AvroArray(DOUBLE), m1])
    assert (r.sig_index, r.ret_type) == (0, DOUBLE)
    m2 = rec("M2", coeff=AvroArray(AvroArray(DOUBLE)), const=AvroArray(DOUBLE), extra=STRING)
    r = resolve_call("model.reg.linear", [AvroArray(DOUBLE), m2])
    assert (r.sig_index, r.ret_type) == (1, AvroArray(DOUBLE))
    m3 = rec("M3", coeff=AvroMap(DOUBLE), const=DOUBLE)
    assert resolve_call("model.reg.linear", [AvroMap(DOUBLE), m3]).sig_index == 2
    with pytest.raises(SignatureMismatch) as info:
        resolve_call("model.reg.linear", [AvroArray(DOUBLE), rec("Bad", coeff=DOUBLE)])
    assert "signatures are" in str(info.value) and "record Bad" in str(info.value)


def test_scale_picks_signature_by_shape():
    assert resolve_call("la.scale", [AvroArray(DOUBLE), DOUBLE]).sig_index == 0
    assert resolve_call("la.scale", [AvroArray(AvroArray(INT)), INT]).sig_index == 1
    assert resolve_call("la.scale", [AvroMap(DOUBLE), DOUBLE]).sig_index == 2
    assert resolve_call("la.scale", [AvroMap(AvroMap(DOUBLE)), DOUBLE]).ret_type == \
        AvroMap(AvroMap(DOUBLE))


def test_cast_picks_exact_signature():
    for i, t in enumerate((INT, LONG, FLOAT, DOUBLE)):
        assert resolve_call("cast.int", [t]).sig_index == i
        assert resolve_call("cast.double", [t]).ret_type == DOUBLE
    enum = AvroEnum("Color", ["red", "green"])
    assert resolve_call("cast.fanoutBoolean", [enum]).ret_type == AvroArray(BOOLEAN)
    r = resolve_call("cast.fanoutBoolean", [STRING, AvroArray(STRING), BOOLEAN])
    assert r.sig_index == 1


def test_default_on_null_union():
    r = resolve_call("impute.defaultOnNull", [AvroUnion((NULL, INT)), INT])
    assert r.ret_type == INT and r.labels == {"A": INT}
    r = resolve_call("impute.defaultOnNull", [AvroUnion((INT, STRING, NULL)), STRING])
    assert r.ret_type == AvroUnion((INT, STRING))
    r = resolve_call("impute.defaultOnNull", [AvroUnion((DOUBLE, NULL)), INT])
    assert r.ret_type == DOUBLE


def test_concat_and_union_params():
    assert resolve_call("s.concat", [STRING, STRING]).ret_type == STRING
    with pytest.raises(SignatureMismatch):
        resolve_call("s.concat", [STRING, BYTES])
    r = resolve_call("s.number", [DOUBLE, NULL, INT])
    assert r.sig_index == 2
    assert r.param_types[1] == AvroUnion((INT, NULL))


def test_fixed_and_enum_wildcards():
    fixed = AvroFixed("Hash", 16)
    assert resolve_call("fixed.toBytes", [fixed]).ret_type == BYTES
    enum = AvroEnum("Color", ["red", "green"])
    assert resolve_call("enum.toString", [enum]).ret_type == STRING
    with pytest.raises(SignatureMismatch):
        resolve_call("enum.toString", [STRING])


# ---------------------------------------------------------------------------------------------
# Function references
# ---------------------------------------------------------------------------------------------

def test_fcnref_sqrt():
    fcn, resolved = resolve_fcnref("m.sqrt", None)
    assert fcn == FcnType((DOUBLE,), DOUBLE)
    assert resolved.param_types == (DOUBLE,) and resolved.ret_type == DOUBLE


def test_fcnref_generic_rejected():
    with pytest.raises(SignatureMismatch, match="generic"):
        resolve_fcnref("a.len", None)
    with pytest.raises(SignatureMismatch, match="signatures"):
        resolve_fcnref("la.scale", None)
    with pytest.raises(SignatureMismatch, match="generic"):
        resolve_fcnref("+", None)


def test_fcnref_fill_binds_labels():
    fcn, resolved = resolve_fcnref("+", {"y": INT})
    assert fcn == FcnType((INT,), INT)
    assert resolved.param_types == (INT, INT)
    fcn, _ = resolve_fcnref("a.subseq", {"a": AvroArray(STRING)})
    assert fcn == FcnType((INT, INT), AvroArray(STRING))
    with pytest.raises(SignatureMismatch, match="no parameter"):
        resolve_fcnref("m.sqrt", {"z": DOUBLE})
    with pytest.raises(SignatureMismatch):
        resolve_fcnref("m.sqrt", {"x": STRING})


def test_fcnref_used_as_argument():
    fcn, _ = resolve_fcnref("m.sqrt", None)
    assert resolve_call("a.map", [AvroArray(INT), fcn]).ret_type == AvroArray(DOUBLE)


# ---------------------------------------------------------------------------------------------
# Readable patterns
# ---------------------------------------------------------------------------------------------

def test_pattern_to_str():
    walk = library()["model.tree.simpleWalk"].sigs[0]
    assert pattern_to_str(walk.params[0].pattern) == "any record D"
    assert "union of {T, any S}" in pattern_to_str(walk.params[1].pattern)
    assert pattern_to_str(walk.params[2].pattern) == "function(D, T) -> boolean"
    test = library()["model.tree.simpleTest"].sigs[0]
    assert "enum F of fields of D" in pattern_to_str(test.params[1].pattern)
    exact = PRecord("$1", (("one", PPrimitive(INT)),), exact=True)
    assert pattern_to_str(exact) == "record {one: int}"


def test_structural_record_pattern_is_exact():
    from pfa.check.signatures import Param, Signature, _Matcher  # internal check

    sig = Signature((Param("r", PRecord("$1", (("one", PPrimitive(INT)),), exact=True)),),
                    PPrimitive(INT))
    m = _Matcher(sig)
    m.match(sig.params[0].pattern, rec("R", one=INT))
    m.concrete(sig.params[0].pattern)
    m = _Matcher(sig)
    m.match(sig.params[0].pattern, rec("R2", one=INT, two=INT))
    with pytest.raises(Exception, match="exactly"):
        m.concrete(sig.params[0].pattern)


# ---------------------------------------------------------------------------------------------
# Property: + returns the narrowest supertype of numeric arguments
# ---------------------------------------------------------------------------------------------

@given(st.sampled_from([INT, LONG, FLOAT, DOUBLE]), st.sampled_from([INT, LONG, FLOAT, DOUBLE]))
def test_plus_is_narrowest_supertype(x, y):
    want = narrowest_supertype([x, y])
    r = resolve_call("+", [x, y])
    assert r.ret_type == want and r.param_types == (want, want)


@given(st.sampled_from([INT, LONG, FLOAT, DOUBLE, STRING, BOOLEAN, NULL, BYTES]),
       st.sampled_from([INT, LONG, FLOAT, DOUBLE, STRING, BOOLEAN, NULL, BYTES]))
def test_plus_rejects_non_numeric(x, y):
    numeric = {"int", "long", "float", "double"}
    if x.name in numeric and y.name in numeric:
        assert resolve_call("+", [x, y]).ret_type == narrowest_supertype([x, y])
    else:
        with pytest.raises(SignatureMismatch):
            resolve_call("+", [x, y])
